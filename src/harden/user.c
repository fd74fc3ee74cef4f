/* SPDX-License-Identifier: Apache-2.0 */
/* User: a process never runs as uid 0 or gid 0, and gid 0 is never among its
 * additional groups, unless the policy allows root. A missing "user" or
 * "uid" means 0 to runc (Go's zero value), so it is filled in. */
#include <string.h>

#include "module.h"

/* The id in `v`, as runc's Go decoder would read it into a uint32. */
static int user_read_id(const struct json *v, const char *path, uint32_t *out, oh_error_t *err)
{
	uint64_t n;
	if (v->type != JSON_NUMBER || !json_number_uint64(v, &n) || n > UINT32_MAX)
		return oh_error_make(err, 0, "%s: must be an integer from 0 to %u", path,
				     UINT32_MAX);
	*out = (uint32_t)n;
	return 0;
}

static int user_force_id(struct harden_ctx *ctx, struct json *user, const char *user_path,
			 const char *key, uint32_t replacement, oh_error_t *err)
{
	const struct json *v = json_object_get(user, key);
	uint32_t id = 0;
	if (v) {
		cleanup_free char *path = harden_path_join(user_path, key);
		if (user_read_id(v, path, &id, err) < 0)
			return -1;
	}
	if (id != 0)
		return 0;
	cleanup_free char *reason = xasprintf("%s 0 (root) becomes %u", key, replacement);
	harden_set(ctx, "user", user, user_path, key, json_new_uint(replacement), reason);
	return 0;
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
	if (!groups)
		return 0;
	cleanup_free char *groups_path = harden_path_join(user_path, "additionalGids");
	cleanup_json struct json *kept = json_new_array();
	for (size_t i = 0; i < groups->array.len; i++) {
		cleanup_free char *item_path = xasprintf("%s[%zu]", groups_path, i);
		uint32_t gid = 0;
		if (user_read_id(groups->array.items[i], item_path, &gid, err) < 0)
			return -1;
		if (gid != 0)
			json_array_append(kept, json_clone(groups->array.items[i]));
	}
	if (kept->array.len != groups->array.len)
		harden_set(ctx, "user", user, user_path, "additionalGids", steal_pointer(&kept),
			   "gid 0 (root) removed from the additional groups");
	return 0;
}

const struct harden_module harden_module_user = {
    .name = "user",
    .apply = user_apply,
};
