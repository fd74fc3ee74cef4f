/* SPDX-License-Identifier: Apache-2.0 */
/* Hooks: OCI hooks are programs the runtime runs as root, prestart,
 * createRuntime and poststart/poststop ones in the host's namespaces
 * (runtime-spec config.md "POSIX-platform Hooks"). A config is the
 * container's to write, so its hooks are refused unless the policy allows
 * their path.
 *
 * One hook is Docker's own: for a container on a bridge network, dockerd
 * 20.10 adds a prestart hook that runs itself, as /proc/<its pid>/exe with
 * the arguments "libnetwork-setkey -exec-root=DIR ID NETWORK-ID", to tell
 * itself the container's network namespace (moby daemon/oci_linux.go,
 * withLibnetwork). It is recognised by what it is: its path leads to a
 * running dockerd's executable (a host fact) and it runs that setkey
 * command, nothing else. Refusing it would refuse every `docker run`.
 *
 * Another is oci-harden's own: the createRuntime hook that makes memfds
 * unexecutable (noexec.c), which a config hardened once already has. */
#include <string.h>

#include "module.h"

static const char *const hook_phases[] = {
    "prestart", "createRuntime", "createContainer", "startContainer", "poststart", "poststop",
};

/* "/proc/<digits>/exe" */
static bool hooks_is_proc_exe(const char *path)
{
	if (strncmp(path, "/proc/", 6) != 0)
		return false;
	const char *p = path + 6;
	if (*p < '1' || *p > '9')
		return false;
	while (*p >= '0' && *p <= '9')
		p++;
	return strcmp(p, "/exe") == 0;
}

static bool hooks_is_docker_setkey(const struct harden_ctx *ctx, const char *phase,
				   const struct json *hook, const char *exe)
{
	if (strcmp(phase, "prestart") != 0 || !hooks_is_proc_exe(exe) ||
	    json_object_get(hook, "env"))
		return false;
	const struct host_path *fact = host_facts_path(ctx->host, exe);
	const char *base = fact && fact->exists ? strrchr(fact->resolved, '/') : NULL;
	if (!base || strcmp(base, "/dockerd") != 0)
		return false;
	const struct json *args = json_object_get(hook, "args");
	if (!args || args->type != JSON_ARRAY || args->array.len != 4)
		return false;
	for (size_t i = 0; i < args->array.len; i++)
		if (args->array.items[i]->type != JSON_STRING)
			return false;
	return strcmp(args->array.items[0]->string.ptr, "libnetwork-setkey") == 0 &&
	       strncmp(args->array.items[1]->string.ptr, "-exec-root=", 11) == 0;
}

/* Where /proc/<pid>/exe hook paths lead: Docker's hook is told by it. */
static void hooks_queries(const struct json *spec, const char *bundle, struct host_queries *q)
{
	const struct json *hooks = json_object_get(spec, "hooks");
	const struct json *list = hooks ? json_object_get(hooks, "prestart") : NULL;
	for (size_t i = 0; list && list->type == JSON_ARRAY && i < list->array.len; i++) {
		const struct json *path = json_object_get(list->array.items[i], "path");
		if (path && path->type == JSON_STRING && hooks_is_proc_exe(path->string.ptr) &&
		    !string_list_contains(&q->paths, path->string.ptr))
			string_list_add(&q->paths, path->string.ptr);
	}
}

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
			cleanup_free char *path = xstrcat_index("hooks.", hook_phases[p], i);
			const struct json *hook = list->array.items[i];
			if (hook->type != JSON_OBJECT)
				return oh_error_make(err, 0, "%s: must be an object", path);
			const char *exe;
			if (harden_member_string(hook, path, "path", &exe, err) < 0)
				return -1;
			if (!exe)
				return oh_error_make(err, 0, "%s.path: must be a string", path);
			if (harden_allowed(&ctx->policy->allow.hooks, exe) ||
			    hooks_is_docker_setkey(ctx, hook_phases[p], hook, exe) ||
			    noexec_is_memfd_hook(ctx, hook_phases[p], hook))
				continue;
			harden_refuse(ctx, "hooks", path, hook, "allow.hooks", exe,
				      "%s hook %s would run on the host as root (the policy may "
				      "allow it in hooks)",
				      hook_phases[p], exe);
		}
	}
	return 0;
}

const struct harden_module harden_module_hooks = {
    .name = "hooks",
    .apply = hooks_apply,
    .queries = hooks_queries,
};
