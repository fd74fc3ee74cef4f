/* SPDX-License-Identifier: Apache-2.0 */
/* Limits: a pids limit (CIS Docker 5.29) and rlimits (CIS Docker 5.19 asks
 * that the defaults be set deliberately) where the config sets none. A limit
 * the config already sets is the image owner's choice and is kept. */
#include <string.h>

#include "module.h"

static int limits_pids(struct harden_ctx *ctx, oh_error_t *err)
{
	if (ctx->policy->pids_limit <= 0)
		return 0;
	struct json *linux_obj, *resources, *pids;
	if (harden_member_object(ctx->spec, "", "linux", true, &linux_obj, err) < 0 ||
	    harden_member_object(linux_obj, "linux", "resources", true, &resources, err) < 0 ||
	    harden_member_object(resources, "linux.resources", "pids", true, &pids, err) < 0)
		return -1;
	const struct json *limit = json_object_get(pids, "limit");
	int64_t current = 0;
	if (limit && (limit->type != JSON_NUMBER || !json_number_int64(limit, &current)))
		return oh_error_make(err, 0, "linux.resources.pids.limit: must be an integer");
	if (current > 0)
		return 0; /* zero or negative means unlimited to runc */
	cleanup_free char *reason = xasprintf("no pids limit was set; at most %lld processes",
					      (long long)ctx->policy->pids_limit);
	struct decision *d = harden_set(ctx, "limits", pids, "linux.resources.pids", "limit",
					json_new_int(ctx->policy->pids_limit), reason);
	if (d)
		decision_set_lift(d, "pids_limit", json_new_int(0));
	return 0;
}

static int limits_rlimits(struct harden_ctx *ctx, oh_error_t *err)
{
	if (!ctx->process || ctx->policy->rlimits_len == 0)
		return 0;
	struct json *rlimits;
	if (harden_member_array(ctx->process, ctx->process_path, "rlimits", &rlimits, err) < 0)
		return -1;
	if (!rlimits) {
		rlimits = json_new_array();
		json_object_set(ctx->process, "rlimits", rlimits);
	}
	cleanup_free char *rlimits_path = harden_path_join(ctx->process_path, "rlimits");
	for (size_t p = 0; p < ctx->policy->rlimits_len; p++) {
		const struct policy_rlimit *want = &ctx->policy->rlimits[p];
		bool present = false;
		for (size_t i = 0; i < rlimits->array.len; i++) {
			const struct json *r = rlimits->array.items[i];
			const struct json *type =
			    r->type == JSON_OBJECT ? json_object_get(r, "type") : NULL;
			if (!type || type->type != JSON_STRING)
				return oh_error_make(err, 0, "%s[%zu].type: must be a string",
						     rlimits_path, i);
			present |= strcmp(type->string.ptr, want->type) == 0;
		}
		if (present)
			continue;
		struct json *r = json_new_object();
		json_object_set(r, "type", json_new_string(want->type));
		json_object_set(r, "hard", json_new_uint(want->hard));
		json_object_set(r, "soft", json_new_uint(want->soft));
		cleanup_free char *path = xstrcat_index(rlimits_path, "", rlimits->array.len);
		cleanup_free char *reason = xasprintf("%s was not set", want->type);
		harden_record_change(ctx, "limits", path, NULL, json_clone(r), reason);
		json_array_append(rlimits, r);
	}
	return 0;
}

/* The cgroup v2 files of linux.resources.unified that only limit the
 * container: its controllers' interface files (cgroup-v2.rst), and the two
 * cgroup.* files that cap its own subtree. runc 1.1 writes each key as a
 * file of the container's cgroup after every other resource, so a key may
 * also undo what the hardening set (pids.max "max"). */
static const char *const unified_controllers[] = {"cpu.",     "cpuset.", "io.",	  "memory.",
						  "hugetlb.", "pids.",	 "rdma.", "misc."};
static const char *const unified_cgroup_limits[] = {"cgroup.max.depth", "cgroup.max.descendants"};

static bool limits_unified_key_limits(const char *key)
{
	if (strchr(key, '/'))
		return false;
	for (size_t i = 0; i < ARRAY_SIZE(unified_cgroup_limits); i++)
		if (strcmp(key, unified_cgroup_limits[i]) == 0)
			return true;
	for (size_t i = 0; i < ARRAY_SIZE(unified_controllers); i++)
		if (strncmp(key, unified_controllers[i], strlen(unified_controllers[i])) == 0)
			return key[strlen(unified_controllers[i])] != '\0';
	return false;
}

static int limits_unified(struct harden_ctx *ctx, oh_error_t *err)
{
	struct json *linux_obj, *resources = NULL, *unified = NULL;
	if (harden_member_object(ctx->spec, "", "linux", false, &linux_obj, err) < 0 ||
	    (linux_obj &&
	     harden_member_object(linux_obj, "linux", "resources", false, &resources, err) < 0) ||
	    (resources && harden_member_object(resources, "linux.resources", "unified", false,
					       &unified, err) < 0))
		return -1;
	for (size_t i = 0; unified && i < unified->object.len; i++) {
		const struct json_member *m = &unified->object.members[i];
		cleanup_free char *path = xasprintf("linux.resources.unified[\"%s\"]", m->key);
		if (m->value->type != JSON_STRING)
			return oh_error_make(err, 0, "%s: must be a string", path);
		if (!limits_unified_key_limits(m->key)) {
			harden_refuse(ctx, "limits", path, m->value, NULL, NULL,
				      "cgroup file %s is not a limit of the container's own "
				      "controllers: writing it could move processes, delegate or "
				      "undo limits",
				      m->key);
			continue;
		}
		if (strcmp(m->key, "pids.max") == 0 && ctx->policy->pids_limit > 0 &&
		    strcmp(m->value->string.ptr, "max") == 0) {
			cleanup_free char *limit =
			    xasprintf("%lld", (long long)ctx->policy->pids_limit);
			cleanup_free char *reason = xasprintf(
			    "\"max\" would undo the pids limit; at most %s processes", limit);
			struct json *old =
			    json_object_exchange(unified, "pids.max", json_new_string(limit));
			struct decision *d = harden_record_change(ctx, "limits", path, old,
								  json_new_string(limit), reason);
			decision_set_lift(d, "pids_limit", json_new_int(0));
		}
	}
	return 0;
}

static int limits_apply(struct harden_ctx *ctx, oh_error_t *err)
{
	if (ctx->spec && (limits_pids(ctx, err) < 0 || limits_unified(ctx, err) < 0))
		return -1;
	return limits_rlimits(ctx, err);
}

const struct harden_module harden_module_limits = {
    .name = "limits",
    .apply = limits_apply,
};
