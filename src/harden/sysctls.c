/* SPDX-License-Identifier: Apache-2.0 */
/* Sysctls: only the ones Kubernetes calls "safe" (namespaced, and unable to
 * affect other containers or the node) are let through; any other is
 * refused unless the policy allows it. */
#include <string.h>

#include "module.h"

static const char *const safe_sysctls[] = {
    "kernel.shm_rmid_forced",	 "net.ipv4.ip_local_port_range",	"net.ipv4.tcp_syncookies",
    "net.ipv4.ping_group_range", "net.ipv4.ip_unprivileged_port_start",
};

static int sysctls_apply(struct harden_ctx *ctx, oh_error_t *err)
{
	if (!ctx->spec)
		return 0;
	struct json *linux_obj, *sysctl = NULL;
	if (harden_member_object(ctx->spec, "", "linux", false, &linux_obj, err) < 0 ||
	    (linux_obj &&
	     harden_member_object(linux_obj, "linux", "sysctl", false, &sysctl, err) < 0))
		return -1;
	for (size_t i = 0; sysctl && i < sysctl->object.len; i++) {
		const struct json_member *m = &sysctl->object.members[i];
		cleanup_free char *path = xasprintf("linux.sysctl[\"%s\"]", m->key);
		if (m->value->type != JSON_STRING)
			return oh_error_make(err, 0, "%s: must be a string", path);
		/* runc also accepts the /proc/sys form with slashes. */
		cleanup_free char *name = xstrdup(m->key);
		for (char *p = name; *p; p++)
			if (*p == '/')
				*p = '.';
		bool safe = false;
		for (size_t s = 0; s < ARRAY_SIZE(safe_sysctls) && !safe; s++)
			safe = strcmp(name, safe_sysctls[s]) == 0;
		if (!safe && !harden_allowed(&ctx->policy->allow.sysctls, name))
			harden_refuse(
			    ctx, "sysctls", path, m->value, "allow.sysctls", name,
			    "sysctl %s is not in the safe set (the policy may allow it in "
			    "sysctls)",
			    name);
	}
	return 0;
}

const struct harden_module harden_module_sysctls = {
    .name = "sysctls",
    .apply = sysctls_apply,
};
