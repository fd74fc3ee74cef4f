/* SPDX-License-Identifier: Apache-2.0 */
/* Seccomp: install the policy's profile as linux.seccomp where the config
 * has none, or one that lets every syscall through, or always when the
 * policy says "replace": "always". */
#include <string.h>

#include "module.h"

/* Default actions under which a profile filters nothing: every syscall not
 * named is allowed (SCMP_ACT_LOG allows too, it only logs). */
static const char *const permissive_actions[] = {"SCMP_ACT_ALLOW", "SCMP_ACT_LOG"};

/* Why the current profile must go, or NULL when it may stay. */
static int seccomp_replace_reason(const struct json *current, enum seccomp_replace replace,
				  char **reason, oh_error_t *err)
{
	*reason = NULL;
	if (!current) {
		*reason = xstrdup("the container had no seccomp profile");
		return 0;
	}
	if (current->type != JSON_OBJECT)
		return oh_error_make(err, 0, "linux.seccomp: must be an object");
	const struct json *action = json_object_get(current, "defaultAction");
	if (action && action->type != JSON_STRING)
		return oh_error_make(err, 0, "linux.seccomp.defaultAction: must be a string");
	if (replace == SECCOMP_REPLACE_ALWAYS) {
		*reason = xstrdup("the policy replaces every seccomp profile");
		return 0;
	}
	if (!action) {
		*reason = xstrdup("the container's seccomp profile had no defaultAction");
		return 0;
	}
	for (size_t i = 0; i < ARRAY_SIZE(permissive_actions); i++)
		if (strcmp(action->string.ptr, permissive_actions[i]) == 0)
			*reason = xasprintf("the container's seccomp profile lets every syscall "
					    "through (defaultAction %s)",
					    permissive_actions[i]);
	return 0;
}

static int seccomp_apply(struct harden_ctx *ctx, oh_error_t *err)
{
	if (!ctx->spec || !ctx->policy->seccomp_profile_text)
		return 0;
	struct json *linux_obj;
	if (harden_member_object(ctx->spec, "", "linux", false, &linux_obj, err) < 0)
		return -1;
	const struct json *current = linux_obj ? json_object_get(linux_obj, "seccomp") : NULL;
	cleanup_free char *reason = NULL;
	if (seccomp_replace_reason(current, ctx->policy->seccomp_replace, &reason, err) < 0)
		return -1;
	if (!reason)
		return 0;
	if (!linux_obj && harden_member_object(ctx->spec, "", "linux", true, &linux_obj, err) < 0)
		return -1;
	struct json *profile = policy_seccomp_profile(ctx->policy, err);
	if (!profile)
		return -1;
	cleanup_free char *full_reason =
	    xasprintf("%s; installed profile \"%s\"", reason, ctx->policy->seccomp_profile_name);
	struct decision *d =
	    harden_set(ctx, "seccomp", linux_obj, "linux", "seccomp", profile, full_reason);
	if (d)
		decision_set_lift(d, "seccomp.profile", json_new_string(""));
	return 0;
}

const struct harden_module harden_module_seccomp = {
    .name = "seccomp",
    .apply = seccomp_apply,
};
