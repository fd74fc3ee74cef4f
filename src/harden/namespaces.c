/* SPDX-License-Identifier: Apache-2.0 */
/* Namespaces: a container that lacks its own pid, network, ipc, uts or mount
 * namespace shares the host's (runtime-spec config-linux.md: a type not
 * listed is inherited from the runtime's own), and one that joins a
 * namespace by path may name the host's own (/proc/1/ns/net). Both are
 * refused unless the policy allows that host namespace. Joining another
 * container's namespace (the pod sandbox's /proc/<pid>/ns/..., as the CRI
 * does) is normal and stays. */
#include <string.h>

#include "module.h"

static const char *const required_namespaces[] = {"pid", "network", "ipc", "uts", "mount"};

static int namespaces_apply(struct harden_ctx *ctx, oh_error_t *err)
{
	if (!ctx->spec)
		return 0;
	const struct policy_allow *allow = &ctx->policy->allow;
	struct json *linux_obj, *namespaces = NULL;
	if (harden_member_object(ctx->spec, "", "linux", false, &linux_obj, err) < 0 ||
	    (linux_obj &&
	     harden_member_array(linux_obj, "linux", "namespaces", &namespaces, err) < 0))
		return -1;

	bool present[ARRAY_SIZE(required_namespaces)] = {0};
	for (size_t i = 0; namespaces && i < namespaces->array.len; i++) {
		cleanup_free char *path = xasprintf("linux.namespaces[%zu]", i);
		const struct json *ns = namespaces->array.items[i];
		if (ns->type != JSON_OBJECT)
			return oh_error_make(err, 0, "%s: must be an object", path);
		const char *type, *ns_path;
		if (harden_member_string(ns, path, "type", &type, err) < 0 ||
		    harden_member_string(ns, path, "path", &ns_path, err) < 0)
			return -1;
		if (!type)
			return oh_error_make(err, 0, "%s.type: must be a string", path);
		for (size_t r = 0; r < ARRAY_SIZE(required_namespaces); r++)
			if (strcmp(type, required_namespaces[r]) == 0)
				present[r] = true;
		if (!ns_path || !*ns_path || harden_allowed(&allow->host_namespaces, type))
			continue;
		int is_host =
		    ctx->host->namespace_is_host ? ctx->host->namespace_is_host(type, ns_path) : -1;
		if (is_host == 1)
			harden_refuse(ctx, "namespaces", path, ns, type,
				      "%s is the host's own %s namespace (the policy may allow it "
				      "in host_namespaces)",
				      ns_path, type);
		else if (is_host < 0)
			harden_refuse(ctx, "namespaces", path, ns, type,
				      "cannot tell whether %s is the host's %s namespace", ns_path,
				      type);
	}
	for (size_t r = 0; r < ARRAY_SIZE(required_namespaces); r++) {
		if (present[r] || harden_allowed(&allow->host_namespaces, required_namespaces[r]))
			continue;
		harden_refuse(ctx, "namespaces", "linux.namespaces", NULL, required_namespaces[r],
			      "no %s namespace: the container would share the host's (the policy "
			      "may allow it in host_namespaces)",
			      required_namespaces[r]);
	}
	return 0;
}

const struct harden_module harden_module_namespaces = {
    .name = "namespaces",
    .apply = namespaces_apply,
};
