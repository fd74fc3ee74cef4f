/* SPDX-License-Identifier: Apache-2.0 */
/* noNewPrivileges: with it set, execve never gains privileges (setuid bits
 * and file capabilities are ignored), so a non-root process stays
 * non-root. runc reads a missing field as false. */
#include "module.h"

static int privileges_apply(struct harden_ctx *ctx, oh_error_t *err)
{
	if (!ctx->process || !ctx->policy->no_new_privileges)
		return 0;
	const struct json *v = json_object_get(ctx->process, "noNewPrivileges");
	if (v && v->type != JSON_BOOL) {
		cleanup_free char *path = harden_path_join(ctx->process_path, "noNewPrivileges");
		return oh_error_make(err, 0, "%s: must be true or false", path);
	}
	struct decision *d = harden_set(
	    ctx, "privileges", ctx->process, ctx->process_path, "noNewPrivileges",
	    json_new_bool(true), "setuid binaries and file capabilities must not raise privileges");
	if (d)
		decision_set_lift(d, "no_new_privileges", json_new_bool(false));
	return 0;
}

const struct harden_module harden_module_privileges = {
    .name = "privileges",
    .apply = privileges_apply,
};
