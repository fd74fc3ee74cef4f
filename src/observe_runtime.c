/* SPDX-License-Identifier: Apache-2.0 */
#include "observe_runtime.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <spawn.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "container_state.h"
#include "host.h"
#include "observe_record.h"

extern char **environ;

#ifndef OCI_HARDEN_LIBEXECDIR
#define OCI_HARDEN_LIBEXECDIR "/usr/local/libexec/oci-harden"
#endif

/* Whether the settings observe a container of this mode. */
static bool observe_wanted(const struct settings *settings, bool audit)
{
	switch (settings->observe) {
	case SETTINGS_OBSERVE_ALL:
		return true;
	case SETTINGS_OBSERVE_AUDIT:
		return audit;
	case SETTINGS_OBSERVE_NONE:
		break;
	}
	return false;
}

char *observe_helper_path(void)
{
	cleanup_free char *self = host_self_path();
	if (self) {
		cleanup_free char *beside = xasprintf("%s/oci-harden-observe", dirname(self));
		if (access(beside, X_OK) == 0)
			return steal_pointer(&beside);
	}
	return xstrdup(OCI_HARDEN_LIBEXECDIR "/oci-harden-observe");
}

/* Run the helper with `command` on `record`; wait for it unless `detach`. */
static void observe_spawn(const char *command, const char *record, bool detach,
			  const struct runtime_log *log)
{
	cleanup_free char *helper = observe_helper_path();
	posix_spawn_file_actions_t actions;
	posix_spawn_file_actions_init(&actions);
	for (int fd = 0; fd <= 2; fd++)
		posix_spawn_file_actions_addopen(&actions, fd, "/dev/null",
						 fd ? O_WRONLY : O_RDONLY, 0);
	char *argv[] = {helper,
			(char *)command,
			(char *)record,
			(char *)(log->path ? log->path : ""),
			log->format == RUNC_LOG_JSON ? "json" : "text",
			NULL};
	pid_t pid;
	int r = posix_spawn(&pid, helper, &actions, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&actions);
	if (r != 0) {
		runtime_log_write(log, RUNTIME_LOG_WARNING,
				  "oci-harden: observation: cannot start %s: %s", helper,
				  strerror(r));
		return;
	}
	if (detach)
		return;
	while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
		;
}

static char *observe_iso_now(void)
{
	struct timespec now;
	clock_gettime(CLOCK_REALTIME, &now);
	struct tm tm;
	char stamp[64];
	gmtime_r(&now.tv_sec, &tm);
	strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%S", &tm);
	return xasprintf("%s.%03ldZ", stamp, now.tv_nsec / 1000000);
}

void observe_runtime_create(const struct runc_args *args, const struct settings *settings,
			    const struct runtime_log *log, const char *runtime,
			    const char *runtime_root, const char *bundle, const struct json *spec,
			    const struct policy *policy, const char *image)
{
	bool audit = policy->mode == POLICY_AUDIT;
	if (!args->container_id || !container_id_is_valid(args->container_id) ||
	    !observe_wanted(settings, audit))
		return;
	const struct json *root = spec ? json_object_get(spec, "root") : NULL;
	const struct json *root_path = root ? json_object_get(root, "path") : NULL;
	if (!root_path || root_path->type != JSON_STRING)
		return;
	cleanup_free char *rootfs_joined = root_path->string.ptr[0] == '/'
					       ? xstrdup(root_path->string.ptr)
					       : xasprintf("%s/%s", bundle, root_path->string.ptr);
	/* realpath(3) reads each component's link: only where one has one. */
	char *rootfs = host_path_has_symlink(rootfs_joined) == 0 ? xstrdup(rootfs_joined)
								 : realpath(rootfs_joined, NULL);

	struct observe_record record = {
	    .id = xstrdup(args->container_id),
	    .root = runtime_root ? xstrdup(runtime_root) : NULL,
	    .runtime = xstrdup(runtime),
	    .bundle = xstrdup(bundle),
	    .rootfs = rootfs ? rootfs : steal_pointer(&rootfs_joined),
	    .image = image ? xstrdup(image) : NULL,
	    .policy = xstrdup(policy->name),
	    .mode = xstrdup(policy_mode_name(policy->mode)),
	    .created = observe_iso_now(),
	};
	/* In audit mode, what the policy's profile would deny is what is
	 * watched for; in enforce mode, seccomp itself says. */
	if (audit && policy->seccomp_profile_text) {
		cleanup_error oh_error_t err = NULL;
		record.seccomp_profile = policy_seccomp_profile(policy, &err);
		if (!record.seccomp_profile)
			runtime_log_write(log, RUNTIME_LOG_WARNING, "oci-harden: observation: %s",
					  err->msg);
	}
	cleanup_free char *path =
	    observe_record_path(settings->state_dir, runtime_root, args->container_id);
	cleanup_error oh_error_t err = NULL;
	if (observe_record_write(path, &record, &err) < 0) {
		runtime_log_write(log, RUNTIME_LOG_WARNING, "oci-harden: observation: %s",
				  err->msg);
		observe_record_clear(&record);
		return;
	}
	if (audit) {
		cleanup_free char *marker = observe_record_scan_marker(path);
		int fd = open(marker, O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
		if (fd >= 0)
			close(fd);
	}
	if (args->command == RUNC_CMD_RUN)
		/* run starts the container without a start of ours: the helper
		 * registers it as soon as the runtime has made it. */
		observe_spawn("follow", path, true, log);
	observe_record_clear(&record);
}

/* The record's path when the container has one. */
static char *observe_record_of(const struct runc_args *args, const struct settings *settings,
			       const char *runtime_root)
{
	if (settings->observe == SETTINGS_OBSERVE_NONE || !args->container_id ||
	    !container_id_is_valid(args->container_id))
		return NULL;
	char *path = observe_record_path(settings->state_dir, runtime_root, args->container_id);
	if (access(path, F_OK) < 0) {
		xfree(path);
		return NULL;
	}
	return path;
}

void observe_runtime_start(const struct runc_args *args, const struct settings *settings,
			   const struct runtime_log *log, const char *runtime_root)
{
	cleanup_free char *path = observe_record_of(args, settings, runtime_root);
	if (path)
		observe_spawn("start", path, false, log);
}

void observe_runtime_kill(const struct runc_args *args, const struct settings *settings,
			  const struct runtime_log *log, const char *runtime_root)
{
	if (settings->observe == SETTINGS_OBSERVE_NONE || !args->container_id ||
	    !container_id_is_valid(args->container_id))
		return;
	cleanup_free char *path =
	    observe_record_path(settings->state_dir, runtime_root, args->container_id);
	cleanup_free char *marker = observe_record_scan_marker(path);
	if (access(marker, F_OK) == 0)
		observe_spawn("scan", path, false, log);
}

void observe_runtime_delete(const struct runc_args *args, const struct settings *settings,
			    const struct runtime_log *log, const char *runtime_root)
{
	cleanup_free char *path = observe_record_of(args, settings, runtime_root);
	if (path)
		observe_spawn("collect", path, false, log);
}
