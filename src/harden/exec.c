/* SPDX-License-Identifier: Apache-2.0 */
/* Exec: what a process run in an existing container may not choose for
 * itself, judged against what was saved of the container at its create
 * (ctx->container, see container_state.h).
 *
 * Its SELinux label is the container's: a process file or --process-label
 * could otherwise name an unconfined one (spc_t). Where an exec's process
 * names none, runc and crun give it the container's (runc 1.1.5
 * libcontainer/container_linux.go newInitConfig; crun 1.8
 * libcrun_container_exec_with_options), so absent is the same as the
 * container's. (Its AppArmor profile is the apparmor module's.)
 *
 * Its oomScoreAdj may not be lower than the container's (0, the kernel's
 * default, where the container sets none): a process the OOM killer spares
 * before its container is one the container could use to outlive its own
 * limits. runc 1.1.5 and crun 1.8 ignore an exec's oomScoreAdj (runc gives
 * every exec the container's); later runtimes apply it. */
#include <string.h>

#include "module.h"

int harden_exec_same_as_container(struct harden_ctx *ctx, const char *rule, const char *key,
				  const char *what, oh_error_t *err)
{
	const struct json *container_process =
	    ctx->container ? json_object_get(ctx->container, "process") : NULL;
	const char *mine, *theirs = NULL;
	if (harden_member_string(ctx->process, ctx->process_path, key, &mine, err) < 0)
		return -1;
	if (container_process && container_process->type == JSON_OBJECT &&
	    harden_member_string(container_process, "container.process", key, &theirs, err) < 0)
		return -1;
	if (!mine || (theirs && strcmp(mine, theirs) == 0))
		return 0;
	cleanup_free char *path = harden_path_join(ctx->process_path, key);
	if (theirs)
		harden_refuse(ctx, rule, path, json_object_get(ctx->process, key), NULL, NULL,
			      "an exec may not choose its own %s: its container's is \"%s\"", what,
			      theirs);
	else
		harden_refuse(ctx, rule, path, json_object_get(ctx->process, key), NULL, NULL,
			      "an exec may not choose its own %s: its container has none", what);
	return 0;
}

static int exec_oom_score_adj(struct harden_ctx *ctx, const struct json *container_process,
			      oh_error_t *err)
{
	const struct json *mine = json_object_get(ctx->process, "oomScoreAdj");
	if (!mine)
		return 0;
	cleanup_free char *path = harden_path_join(ctx->process_path, "oomScoreAdj");
	int64_t value, floor = 0;
	if (mine->type != JSON_NUMBER || !json_number_int64(mine, &value))
		return oh_error_make(err, 0, "%s: must be an integer", path);
	const struct json *theirs =
	    container_process ? json_object_get(container_process, "oomScoreAdj") : NULL;
	if (theirs && (theirs->type != JSON_NUMBER || !json_number_int64(theirs, &floor)))
		return oh_error_make(err, 0, "container.process.oomScoreAdj: must be an integer");
	if (value < floor)
		harden_refuse(ctx, "exec", path, mine, NULL, NULL,
			      "oomScoreAdj %lld is below its container's (%lld%s): the exec would "
			      "outlive its container under memory pressure",
			      (long long)value, (long long)floor, theirs ? "" : ", the default");
	return 0;
}

static int exec_apply(struct harden_ctx *ctx, oh_error_t *err)
{
	if (ctx->spec || !ctx->process)
		return 0;
	const struct json *container_process =
	    ctx->container ? json_object_get(ctx->container, "process") : NULL;
	if (container_process && container_process->type != JSON_OBJECT)
		container_process = NULL;
	if (harden_exec_same_as_container(ctx, "exec", "selinuxLabel", "SELinux label", err) < 0)
		return -1;
	return exec_oom_score_adj(ctx, container_process, err);
}

const struct harden_module harden_module_exec = {
    .name = "exec",
    .apply = exec_apply,
};
