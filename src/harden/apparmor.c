/* SPDX-License-Identifier: Apache-2.0 */
/* AppArmor: confine the process with the policy's profile, but only where
 * the host can apply it: runc fails the container when a profile is set on a
 * host without AppArmor or the profile is not loaded. Without it the result
 * is a warning, or a refusal when the policy says the profile is required.
 * An exec whose profile the policy does not set keeps its container's: one
 * that names another (--apparmor unconfined) is refused. */
#include <string.h>

#include "module.h"

static int apparmor_apply(struct harden_ctx *ctx, oh_error_t *err)
{
	const char *profile = ctx->policy->apparmor_profile;
	if (!ctx->process)
		return 0;
	bool exec = !ctx->spec;
	if (!profile || !*profile)
		return exec ? harden_exec_same_as_container(ctx, "apparmor", "apparmorProfile",
							    "AppArmor profile", err)
			    : 0;
	cleanup_free char *path = harden_path_join(ctx->process_path, "apparmorProfile");
	const struct json *current = json_object_get(ctx->process, "apparmorProfile");
	if (current && current->type != JSON_STRING)
		return oh_error_make(err, 0, "%s: must be a string", path);

	const char *missing = !ctx->host->apparmor_enabled ? "AppArmor is not enabled on this host"
			      : !ctx->host->apparmor_profile_loaded
				  ? "the profile is not loaded on this host"
				  : NULL;
	if (missing) {
		enum decision_kind kind =
		    ctx->policy->apparmor_required ? DECISION_REFUSE : DECISION_WARN;
		report_add(
		    ctx->report, kind, "apparmor", path, current ? json_clone(current) : NULL, NULL,
		    "%s: AppArmor profile \"%s\" %s", missing, profile,
		    kind == DECISION_REFUSE ? "is required by the policy" : "was not applied");
		return exec ? harden_exec_same_as_container(ctx, "apparmor", "apparmorProfile",
							    "AppArmor profile", err)
			    : 0;
	}
	cleanup_free char *reason = xasprintf("confined by AppArmor profile \"%s\"", profile);
	struct decision *d = harden_set(ctx, "apparmor", ctx->process, ctx->process_path,
					"apparmorProfile", json_new_string(profile), reason);
	if (d)
		decision_set_lift(d, "apparmor.profile", json_new_string(""));
	return 0;
}

const struct harden_module harden_module_apparmor = {
    .name = "apparmor",
    .apply = apparmor_apply,
};
