/* SPDX-License-Identifier: Apache-2.0 */
/* Hooks: OCI hooks are programs the runtime runs as root, prestart,
 * createRuntime and poststart/poststop ones in the host's namespaces
 * (runtime-spec config.md "POSIX-platform Hooks"). A config is the
 * container's to write, so its hooks are refused unless the policy allows
 * their path. */
#include "module.h"

static const char *const hook_phases[] = {
    "prestart", "createRuntime", "createContainer", "startContainer", "poststart", "poststop",
};

static int hooks_apply(struct harden_ctx *ctx, oh_error_t *err)
{
	if (!ctx->spec)
		return 0;
	struct json *hooks;
	if (harden_member_object(ctx->spec, "", "hooks", false, &hooks, err) < 0)
		return -1;
	if (!hooks)
		return 0;
	for (size_t p = 0; p < ARRAY_SIZE(hook_phases); p++) {
		struct json *list;
		if (harden_member_array(hooks, "hooks", hook_phases[p], &list, err) < 0)
			return -1;
		for (size_t i = 0; list && i < list->array.len; i++) {
			cleanup_free char *path = xasprintf("hooks.%s[%zu]", hook_phases[p], i);
			const struct json *hook = list->array.items[i];
			if (hook->type != JSON_OBJECT)
				return oh_error_make(err, 0, "%s: must be an object", path);
			const char *exe;
			if (harden_member_string(hook, path, "path", &exe, err) < 0)
				return -1;
			if (!exe)
				return oh_error_make(err, 0, "%s.path: must be a string", path);
			if (!harden_allowed(&ctx->policy->allow.hooks, exe))
				harden_refuse(
				    ctx, "hooks", path, hook, "allow.hooks", exe,
				    "%s hook %s would run on the host as root (the policy "
				    "may allow it in hooks)",
				    hook_phases[p], exe);
		}
	}
	return 0;
}

const struct harden_module harden_module_hooks = {
    .name = "hooks",
    .apply = hooks_apply,
};
