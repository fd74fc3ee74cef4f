/* SPDX-License-Identifier: Apache-2.0 */
/* Namespaces: a container that lacks its own pid, network, ipc, uts or mount
 * namespace shares the host's (runtime-spec config-linux.md: a type not
 * listed is inherited from the runtime's own), and one that joins a
 * namespace by path may name the host's own (/proc/1/ns/net). Both are
 * refused unless the policy allows that host namespace. Joining another
 * container's namespace (the pod sandbox's /proc/<pid>/ns/..., as the CRI
 * does) is normal and stays. A container without a cgroup namespace sees the
 * host's cgroup tree in /proc/self/cgroup and, with a cgroup mount, its
 * layout: one is added, unless the policy allows the host's. */
#include <string.h>

#include "module.h"

static const char *const required_namespaces[] = {"pid", "network", "ipc", "uts", "mount"};

/* The namespace types runc 1.1 and crun 1.8 know (runtime-spec
 * config-linux.md "Namespaces"); any other is refused by the runtime, and
 * here too, since nothing can be said of what it would share. */
static const char *const known_namespaces[] = {"pid",	"network", "ipc",    "uts",
					       "mount", "user",	   "cgroup", "time"};

static size_t namespaces_index(const char *type)
{
	size_t k = 0;
	while (k < ARRAY_SIZE(known_namespaces) && strcmp(type, known_namespaces[k]) != 0)
		k++;
	return k;
}

static int namespaces_list(struct json *spec, struct json **out, oh_error_t *err)
{
	struct json *linux_obj;
	*out = NULL;
	if (harden_member_object(spec, "", "linux", false, &linux_obj, err) < 0)
		return -1;
	return linux_obj ? harden_member_array(linux_obj, "linux", "namespaces", out, err) : 0;
}

static void namespaces_queries(const struct json *spec, const char *bundle, struct host_queries *q)
{
	const struct json *linux_obj = json_object_get(spec, "linux");
	const struct json *list = linux_obj ? json_object_get(linux_obj, "namespaces") : NULL;
	for (size_t i = 0; list && list->type == JSON_ARRAY && i < list->array.len; i++) {
		const struct json *ns = list->array.items[i];
		const struct json *type = json_object_get(ns, "type");
		const struct json *path = json_object_get(ns, "path");
		if (type && type->type == JSON_STRING && path && path->type == JSON_STRING &&
		    path->string.len > 0) {
			string_list_add(&q->namespace_types, type->string.ptr);
			string_list_add(&q->namespace_paths, path->string.ptr);
		}
	}
}

static int namespaces_apply(struct harden_ctx *ctx, oh_error_t *err)
{
	if (!ctx->spec)
		return 0;
	const struct policy_allow *allow = &ctx->policy->allow;
	struct json *namespaces;
	if (namespaces_list(ctx->spec, &namespaces, err) < 0)
		return -1;

	bool present[ARRAY_SIZE(known_namespaces)] = {0};
	for (size_t i = 0; namespaces && i < namespaces->array.len; i++) {
		cleanup_free char *path = xstrcat_index("linux.namespaces", "", i);
		const struct json *ns = namespaces->array.items[i];
		if (ns->type != JSON_OBJECT)
			return oh_error_make(err, 0, "%s: must be an object", path);
		const char *type, *ns_path;
		if (harden_member_string(ns, path, "type", &type, err) < 0 ||
		    harden_member_string(ns, path, "path", &ns_path, err) < 0)
			return -1;
		if (!type)
			return oh_error_make(err, 0, "%s.type: must be a string", path);
		size_t k = namespaces_index(type);
		if (k == ARRAY_SIZE(known_namespaces)) {
			harden_refuse(ctx, "namespaces", path, ns, NULL, NULL,
				      "unknown namespace type \"%s\"", type);
			continue;
		}
		present[k] = true;
		if (!ns_path || !*ns_path || harden_allowed(&allow->host_namespaces, type))
			continue;
		int is_host = host_facts_namespace_is_host(ctx->host, type, ns_path);
		if (is_host == 1)
			harden_refuse(ctx, "namespaces", path, ns, "allow.host_namespaces", type,
				      "%s is the host's own %s namespace (the policy may allow it "
				      "in host_namespaces)",
				      ns_path, type);
		else if (is_host < 0)
			harden_refuse(ctx, "namespaces", path, ns, "allow.host_namespaces", type,
				      "cannot tell whether %s is the host's %s namespace", ns_path,
				      type);
	}
	for (size_t r = 0; r < ARRAY_SIZE(required_namespaces); r++) {
		if (present[namespaces_index(required_namespaces[r])] ||
		    harden_allowed(&allow->host_namespaces, required_namespaces[r]))
			continue;
		harden_refuse(ctx, "namespaces", "linux.namespaces", NULL, "allow.host_namespaces",
			      required_namespaces[r],
			      "no %s namespace: the container would share the host's (the policy "
			      "may allow it in host_namespaces)",
			      required_namespaces[r]);
	}

	/* The cgroup namespace is one the hardening can add: nothing a
	 * container does needs the host's cgroup view. */
	if (present[namespaces_index("cgroup")] ||
	    harden_allowed(&allow->host_namespaces, "cgroup"))
		return 0;
	if (!namespaces) {
		struct json *linux_obj;
		if (harden_member_object(ctx->spec, "", "linux", true, &linux_obj, err) < 0)
			return -1;
		namespaces = json_new_array();
		json_object_set(linux_obj, "namespaces", namespaces);
	}
	struct json *cgroup = json_new_object();
	json_object_set(cgroup, "type", json_new_string("cgroup"));
	cleanup_free char *path = xstrcat_index("linux.namespaces", "", namespaces->array.len);
	struct decision *d = harden_record_change(
	    ctx, "namespaces", path, NULL, json_clone(cgroup),
	    "no cgroup namespace: the container would see the host's cgroup tree");
	decision_set_lift_item(d, "allow.host_namespaces", "cgroup");
	json_array_append(namespaces, cgroup);
	return 0;
}

const struct harden_module harden_module_namespaces = {
    .name = "namespaces",
    .apply = namespaces_apply,
    .queries = namespaces_queries,
};
