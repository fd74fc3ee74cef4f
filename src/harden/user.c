/* SPDX-License-Identifier: Apache-2.0 */
/* User: a process never runs as uid 0 or gid 0, and gid 0 is never among its
 * additional groups, unless the policy allows root. A missing "user" or
 * "uid" means 0 to runc (Go's zero value), so it is filled in.
 *
 * In a user namespace the ids a process has are mapped to host ids (runtime-
 * spec config-linux.md, "User namespace mappings"): a mapping whose host
 * range holds 0 makes some container id host root, whatever the process's
 * own ids, and any later exec may pick that id. Such a mapping is refused
 * at create, and an exec's ids are judged through its container's mappings
 * (saved at create, see container_state.h). */
#include <string.h>

#include "module.h"

static int user_force_id(struct harden_ctx *ctx, struct json *user, const char *user_path,
			 const char *key, uint32_t replacement, oh_error_t *err)
{
	const struct json *v = json_object_get(user, key);
	uint32_t id = 0;
	uint64_t n;
	if (v && v->type == JSON_NUMBER && json_number_uint64(v, &n) && n <= UINT32_MAX) {
		id = (uint32_t)n;
	} else if (v) {
		/* The path is made for the message only. */
		cleanup_free char *path = harden_path_join(user_path, key);
		if (json_read_uint32(v, path, &id, err) < 0)
			return -1;
	}
	if (id != 0)
		return 0;
	cleanup_free char *reason = xasprintf("%s 0 (root) becomes %u", key, replacement);
	struct decision *d =
	    harden_set(ctx, "user", user, user_path, key, json_new_uint(replacement), reason);
	if (d)
		decision_set_lift(d, "user.allow_root", json_new_bool(true));
	return 0;
}

/* The host id of `id` by a user namespace's mappings, or -1 when unmapped. */
static long long user_to_host(uint32_t id, const struct json *mappings)
{
	for (size_t i = 0; mappings && mappings->type == JSON_ARRAY && i < mappings->array.len;
	     i++) {
		const struct json *m = mappings->array.items[i];
		const struct json *c = json_object_get(m, "containerID");
		const struct json *h = json_object_get(m, "hostID");
		const struct json *n = json_object_get(m, "size");
		uint64_t inside, host, size;
		if (!c || !h || !n || c->type != JSON_NUMBER || h->type != JSON_NUMBER ||
		    n->type != JSON_NUMBER || !json_number_uint64(c, &inside) ||
		    !json_number_uint64(h, &host) || !json_number_uint64(n, &size))
			continue;
		if (id >= inside && id - inside < size)
			return (long long)(host + (id - inside));
	}
	return -1;
}

/* The "linux" object whose mappings apply: the config's own at create, the
 * container's saved one for an exec. NULL without a user namespace. */
static const struct json *user_namespace_linux(const struct harden_ctx *ctx)
{
	const struct json *shape = ctx->spec ? ctx->spec : ctx->container;
	const struct json *linux_obj = shape ? json_object_get(shape, "linux") : NULL;
	const struct json *namespaces = linux_obj ? json_object_get(linux_obj, "namespaces") : NULL;
	for (size_t i = 0;
	     namespaces && namespaces->type == JSON_ARRAY && i < namespaces->array.len; i++) {
		const struct json *ns = namespaces->array.items[i];
		const struct json *type =
		    ns->type == JSON_OBJECT ? json_object_get(ns, "type") : NULL;
		if (type && type->type == JSON_STRING && strcmp(type->string.ptr, "user") == 0)
			return linux_obj;
	}
	return NULL;
}

static const struct {
	const char *key, *maps;
} user_ids[] = {{"uid", "uidMappings"}, {"gid", "gidMappings"}};

/* At create: no mapping may make any container id host root. */
static void user_check_mappings(struct harden_ctx *ctx, const struct json *linux_obj)
{
	for (size_t k = 0; k < ARRAY_SIZE(user_ids); k++) {
		const struct json *maps = json_object_get(linux_obj, user_ids[k].maps);
		for (size_t i = 0; maps && maps->type == JSON_ARRAY && i < maps->array.len; i++) {
			const struct json *m = maps->array.items[i];
			const struct json *c = json_object_get(m, "containerID");
			const struct json *h = json_object_get(m, "hostID");
			const struct json *n = json_object_get(m, "size");
			uint64_t inside, host, size;
			if (!c || !h || !n || c->type != JSON_NUMBER || h->type != JSON_NUMBER ||
			    n->type != JSON_NUMBER || !json_number_uint64(c, &inside) ||
			    !json_number_uint64(h, &host) || !json_number_uint64(n, &size) ||
			    host != 0 || size == 0)
				continue;
			cleanup_free char *path = xstrcat_index("linux.", user_ids[k].maps, i);
			struct decision *d = harden_refuse(
			    ctx, "user", path, m, NULL, NULL,
			    "container %s %llu is %s 0 (root) on the host: any process of the "
			    "container, an exec's included, may take it",
			    user_ids[k].key, (unsigned long long)inside, user_ids[k].key);
			decision_set_lift(d, "user.allow_root", json_new_bool(true));
		}
	}
}

/* An exec's ids through its container's mappings. The mappings were judged
 * at create, so this holds only for a container created in audit mode. */
static void user_check_host_ids(struct harden_ctx *ctx, const struct json *linux_obj,
				const struct json *user, const char *user_path)
{
	for (size_t k = 0; k < ARRAY_SIZE(user_ids); k++) {
		const struct json *v = json_object_get(user, user_ids[k].key);
		uint64_t id;
		if (v && v->type == JSON_NUMBER && json_number_uint64(v, &id) && id <= UINT32_MAX &&
		    user_to_host((uint32_t)id, json_object_get(linux_obj, user_ids[k].maps)) == 0) {
			cleanup_free char *path = harden_path_join(user_path, user_ids[k].key);
			harden_refuse(ctx, "user", path, v, NULL, NULL,
				      "%s %llu is %s 0 (root) on the host, by the container's %s",
				      user_ids[k].key, (unsigned long long)id, user_ids[k].key,
				      user_ids[k].maps);
		}
	}
	const struct json *groups = json_object_get(user, "additionalGids");
	for (size_t i = 0; groups && groups->type == JSON_ARRAY && i < groups->array.len; i++) {
		uint64_t id;
		if (groups->array.items[i]->type == JSON_NUMBER &&
		    json_number_uint64(groups->array.items[i], &id) && id <= UINT32_MAX &&
		    user_to_host((uint32_t)id, json_object_get(linux_obj, "gidMappings")) == 0) {
			cleanup_free char *path = xstrcat_index(user_path, ".additionalGids", i);
			harden_refuse(ctx, "user", path, groups->array.items[i], NULL, NULL,
				      "additional gid %llu is gid 0 (root) on the host, by the "
				      "container's gidMappings",
				      (unsigned long long)id);
		}
	}
}

static int user_apply(struct harden_ctx *ctx, oh_error_t *err)
{
	if (!ctx->process || ctx->policy->allow_root)
		return 0;
	struct json *user;
	if (harden_member_object(ctx->process, ctx->process_path, "user", true, &user, err) < 0)
		return -1;
	cleanup_free char *user_path = harden_path_join(ctx->process_path, "user");
	if (user_force_id(ctx, user, user_path, "uid", ctx->policy->uid, err) < 0 ||
	    user_force_id(ctx, user, user_path, "gid", ctx->policy->gid, err) < 0)
		return -1;

	struct json *groups;
	if (harden_member_array(user, user_path, "additionalGids", &groups, err) < 0)
		return -1;
	const struct json *linux_obj = user_namespace_linux(ctx);
	if (linux_obj && ctx->spec)
		user_check_mappings(ctx, linux_obj);
	else if (linux_obj)
		user_check_host_ids(ctx, linux_obj, user, user_path);
	if (!groups)
		return 0;
	cleanup_free char *groups_path = harden_path_join(user_path, "additionalGids");
	cleanup_json struct json *kept = json_new_array();
	for (size_t i = 0; i < groups->array.len; i++) {
		cleanup_free char *item_path = xstrcat_index(groups_path, "", i);
		uint32_t gid = 0;
		if (json_read_uint32(groups->array.items[i], item_path, &gid, err) < 0)
			return -1;
		if (gid != 0)
			json_array_append(kept, json_clone(groups->array.items[i]));
	}
	if (kept->array.len != groups->array.len) {
		struct decision *d =
		    harden_set(ctx, "user", user, user_path, "additionalGids", steal_pointer(&kept),
			       "gid 0 (root) removed from the additional groups");
		if (d)
			decision_set_lift(d, "user.allow_root", json_new_bool(true));
	}
	return 0;
}

const struct harden_module harden_module_user = {
    .name = "user",
    .apply = user_apply,
};
