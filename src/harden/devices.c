/* SPDX-License-Identifier: Apache-2.0 */
/* Devices: a hardened container gets no host device beyond the standard set
 * runc always creates (null, zero, full, random, urandom, tty, ptmx), so
 * every entry of linux.devices is refused unless the policy allows its path;
 * and a device cgroup rule that allows every device is the privileged shape
 * (what `ctr run --privileged` and the CRI's privileged containers write),
 * refused unless the policy allows "*". */
#include <string.h>

#include "module.h"

/* A rule allows all devices when it allows with no type (or "a") and no
 * major or minor number (runtime-spec config-linux.md "Device allowlist"). */
static int devices_rule_allows_all(const struct json *rule, const char *path, bool *all,
				   oh_error_t *err)
{
	*all = false;
	if (rule->type != JSON_OBJECT)
		return oh_error_make(err, 0, "%s: must be an object", path);
	const struct json *allow = json_object_get(rule, "allow");
	if (!allow || allow->type != JSON_BOOL)
		return oh_error_make(err, 0, "%s.allow: must be true or false", path);
	const char *type;
	if (harden_member_string(rule, path, "type", &type, err) < 0)
		return -1;
	const struct json *major = json_object_get(rule, "major");
	const struct json *minor = json_object_get(rule, "minor");
	int64_t n;
	bool any_major =
	    !major || (major->type == JSON_NUMBER && json_number_int64(major, &n) && n < 0);
	bool any_minor =
	    !minor || (minor->type == JSON_NUMBER && json_number_int64(minor, &n) && n < 0);
	*all = allow->boolean && (!type || strcmp(type, "a") == 0) && any_major && any_minor;
	return 0;
}

static int devices_apply(struct harden_ctx *ctx, oh_error_t *err)
{
	if (!ctx->spec)
		return 0;
	const struct policy_allow *allow = &ctx->policy->allow;
	struct json *linux_obj, *resources = NULL, *rules = NULL, *devices;
	if (harden_member_object(ctx->spec, "", "linux", false, &linux_obj, err) < 0)
		return -1;
	if (!linux_obj)
		return 0;
	if (harden_member_object(linux_obj, "linux", "resources", false, &resources, err) < 0 ||
	    (resources &&
	     harden_member_array(resources, "linux.resources", "devices", &rules, err) < 0) ||
	    harden_member_array(linux_obj, "linux", "devices", &devices, err) < 0)
		return -1;

	for (size_t i = 0; rules && i < rules->array.len; i++) {
		cleanup_free char *path = xasprintf("linux.resources.devices[%zu]", i);
		bool all;
		if (devices_rule_allows_all(rules->array.items[i], path, &all, err) < 0)
			return -1;
		if (all && !harden_allowed(&allow->devices, "*"))
			harden_refuse(ctx, "devices", path, rules->array.items[i], "allow.devices",
				      "*",
				      "privileged container: its device cgroup allows every host "
				      "device; privileged containers are refused (the policy may "
				      "allow devices [\"*\"])");
	}
	for (size_t i = 0; devices && i < devices->array.len; i++) {
		cleanup_free char *path = xasprintf("linux.devices[%zu]", i);
		const struct json *device = devices->array.items[i];
		if (device->type != JSON_OBJECT)
			return oh_error_make(err, 0, "%s: must be an object", path);
		const char *device_path;
		if (harden_member_string(device, path, "path", &device_path, err) < 0)
			return -1;
		if (!device_path)
			return oh_error_make(err, 0, "%s.path: must be a string", path);
		if (!harden_allowed(&allow->devices, device_path))
			harden_refuse(ctx, "devices", path, device, "allow.devices", device_path,
				      "host device %s is refused (the policy may allow it in "
				      "devices)",
				      device_path);
	}
	return 0;
}

const struct harden_module harden_module_devices = {
    .name = "devices",
    .apply = devices_apply,
};
