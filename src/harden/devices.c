/* SPDX-License-Identifier: Apache-2.0 */
/* Devices, judged by their effect.
 *
 * Device nodes (linux.devices): a hardened container gets no host device
 * beyond the standard set every container has anyway (runc 1.1.5
 * libcontainer/specconv AllowedDevices creates null, zero, full, random,
 * urandom and tty itself, and turns /dev/ptmx into a link to pts/ptmx), so an
 * entry is let through when it is exactly one of those (path, type, major,
 * minor) and refused otherwise unless the policy allows its path.
 *
 * Device cgroup rules (linux.resources.devices): a rule that lets the
 * container read or write every character or every block device, whatever
 * its spelling (type "a", "c" or "b", or none; major -1 or none: any minor
 * of every major), is the privileged shape (`ctr run --privileged`, the
 * CRI's privileged containers, or two per-type rules), refused unless the
 * policy allows devices ["*"]. A rule that only allows mknod ("m"), as runc
 * adds for every container, opens nothing. */
#include <string.h>

#include "module.h"

static const struct {
	const char *path;
	int64_t major, minor;
} standard_devices[] = {
    {"/dev/null", 1, 3},    {"/dev/zero", 1, 5}, {"/dev/full", 1, 7}, {"/dev/random", 1, 8},
    {"/dev/urandom", 1, 9}, {"/dev/tty", 5, 0},	 {"/dev/ptmx", 5, 2},
};

/* -1 when the number is absent, null or negative (a wildcard to runc). */
static int devices_number(const struct json *rule, const char *key, const char *path, int64_t *out,
			  oh_error_t *err)
{
	const struct json *v = json_object_get(rule, key);
	*out = -1;
	if (!v)
		return 0;
	if (v->type != JSON_NUMBER || !json_number_int64(v, out))
		return oh_error_make(err, 0, "%s.%s: must be an integer", path, key);
	if (*out < 0)
		*out = -1;
	return 0;
}

/* Whether an allow rule opens every device of a type: "char", "block" or
 * "char and block" in *what, NULL when it does not. */
static int devices_rule_opens_every(const struct json *rule, const char *path, const char **what,
				    oh_error_t *err)
{
	*what = NULL;
	if (rule->type != JSON_OBJECT)
		return oh_error_make(err, 0, "%s: must be an object", path);
	bool allow;
	const char *type, *access;
	int64_t major, minor;
	if (harden_member_bool(rule, path, "allow", &allow, err) < 0 ||
	    harden_member_string(rule, path, "type", &type, err) < 0 ||
	    harden_member_string(rule, path, "access", &access, err) < 0 ||
	    devices_number(rule, "major", path, &major, err) < 0 ||
	    devices_number(rule, "minor", path, &minor, err) < 0)
		return -1;
	/* runc refuses an empty access; "rwm" is what a missing one means to
	 * the kernel's device controller. */
	bool opens = !access || strchr(access, 'r') || strchr(access, 'w');
	if (!allow || !opens || major != -1)
		return 0;
	if (!type || !*type || strcmp(type, "a") == 0)
		*what = "every character and block device";
	else if (strcmp(type, "c") == 0)
		*what = "every character device";
	else if (strcmp(type, "b") == 0)
		*what = "every block device";
	return 0;
}

static bool devices_is_standard(const struct json *device, const char *device_path)
{
	const struct json *type = json_object_get(device, "type");
	const struct json *major = json_object_get(device, "major");
	const struct json *minor = json_object_get(device, "minor");
	int64_t ma, mi;
	if (!type || type->type != JSON_STRING || strcmp(type->string.ptr, "c") != 0 || !major ||
	    major->type != JSON_NUMBER || !json_number_int64(major, &ma) || !minor ||
	    minor->type != JSON_NUMBER || !json_number_int64(minor, &mi))
		return false;
	for (size_t i = 0; i < ARRAY_SIZE(standard_devices); i++)
		if (strcmp(device_path, standard_devices[i].path) == 0 &&
		    ma == standard_devices[i].major && mi == standard_devices[i].minor)
			return true;
	return false;
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
		cleanup_free char *path = xstrcat_index("linux.resources.devices", "", i);
		const char *what;
		if (devices_rule_opens_every(rules->array.items[i], path, &what, err) < 0)
			return -1;
		if (what && !harden_allowed(&allow->devices, "*"))
			harden_refuse(
			    ctx, "devices", path, rules->array.items[i], "allow.devices", "*",
			    "privileged container: its device cgroup lets it read and write "
			    "%s of the host; privileged containers are refused (the policy "
			    "may allow devices [\"*\"])",
			    what);
	}
	for (size_t i = 0; devices && i < devices->array.len; i++) {
		cleanup_free char *path = xstrcat_index("linux.devices", "", i);
		const struct json *device = devices->array.items[i];
		if (device->type != JSON_OBJECT)
			return oh_error_make(err, 0, "%s: must be an object", path);
		const char *device_path;
		if (harden_member_string(device, path, "path", &device_path, err) < 0)
			return -1;
		if (!device_path)
			return oh_error_make(err, 0, "%s.path: must be a string", path);
		if (devices_is_standard(device, device_path) ||
		    harden_allowed(&allow->devices, device_path))
			continue;
		harden_refuse(ctx, "devices", path, device, "allow.devices", device_path,
			      "host device %s is refused (the policy may allow it in devices)",
			      device_path);
	}
	return 0;
}

const struct harden_module harden_module_devices = {
    .name = "devices",
    .apply = devices_apply,
};
