/* SPDX-License-Identifier: Apache-2.0 */
/* An exec's process, built one way for every runtime. Left to themselves,
 * runc builds a flag-based exec's process from config.json as it is at exec
 * time plus the flags (exec.go, getProcess), crun from the flags alone
 * (src/exec.c: uid 0, gid 0, no capabilities set, no_new_privs off), and
 * both take a --process file as the whole process. So oci-harden builds the
 * process itself: from the process saved when the container was created
 * (container_state.h) with the caller's flags applied as runc 1.1.5 applies
 * them, or from the caller's process file; hardens it with harden_process;
 * and hands the runtime exactly that, as `--process /proc/self/fd/N`. Both
 * runtimes then run the same process. Pure: the memfd is made at the edge
 * (exec_handoff.h). */
#ifndef OCI_HARDEN_EXEC_PROCESS_H
#define OCI_HARDEN_EXEC_PROCESS_H

#include <stdint.h>

#include "errors.h"
#include "json.h"
#include "runc_args.h"

/* The process runc 1.1.5 would build for the flag-based exec `args` (parsed
 * from argv), with `container_process` in place of config.json's process:
 * the arguments after the id, --cwd, --apparmor and --process-label when not
 * empty, --cap appended to the bounding, effective, permitted and ambient
 * sets, --env appended to the environment, terminal false unless --tty,
 * --no-new-privs when given, --user UID[:GID] (strconv.Atoi, then uint32),
 * --additional-gids appended. What runc would refuse (an unreadable
 * --user, an empty command, --cap on a process without capabilities, where
 * runc 1.1.5 crashes) is an error naming the flag. */
int exec_process_from_flags(const struct json *container_process, int argc, char *const argv[],
			    const struct runc_args *args, struct json **out, oh_error_t *err);

/* A command line for the runtime, and the strings made for it. */
struct exec_argv {
	char **argv; /* NULL-terminated; points into the caller's argv and `owned` */
	struct string_list owned;
};
void exec_argv_clear(struct exec_argv *exec_argv);
static inline void cleanup_exec_argvp(struct exec_argv *a)
{
	exec_argv_clear(a);
}
#define cleanup_exec_argv _cleanup_(cleanup_exec_argvp)

/* `runtime` then the caller's global options and "exec" as given, the
 * exec options that tell the runtime how to run the process (console
 * socket, detach, pid file, preserved fds, cgroup, ignore-paused), then
 * "--process" `process_path` and the container id: every option that shapes
 * the process, and the command after the id, are gone, since the process
 * file is the whole process to both runtimes. */
void exec_argv_with_process(int argc, char *const argv[], const struct runc_args *args,
			    const char *runtime, const char *process_path, struct exec_argv *out);

/* argv exactly as given, but for the runtime in argv[0] and the value of
 * --process, which becomes `process_path` (for audit mode, where the caller's
 * own process file was a pipe that oci-harden had to read). */
void exec_argv_replace_process_path(int argc, char *const argv[], const struct runc_args *args,
				    const char *runtime, const char *process_path,
				    struct exec_argv *out);

/* The lowest fd the process file may be handed on: above stdio and every fd
 * the runtime passes into the container (--preserve-fds N, and for crun
 * $LISTEN_FDS more), which the runtime closes or marks close-on-exec
 * before the process runs (runc libcontainer/init_linux.go, crun
 * mark_or_close_fds_ge_than). `listen_fds` is $LISTEN_FDS, or NULL. */
int exec_process_fd_floor(const struct runc_args *args, const char *listen_fds);

/* Go's strconv.ParseInt(s, base, 64), base 10 or 0 (with its prefixes and
 * underscores): false where Go returns an error. */
bool go_parse_int64(const char *s, int base, int64_t *out);

#endif
