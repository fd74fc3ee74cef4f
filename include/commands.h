/* SPDX-License-Identifier: Apache-2.0 */
/* The commands of the oci-harden binary. Each returns the process's exit
 * status (or does not return, having exec'd the real runtime). */
#ifndef OCI_HARDEN_COMMANDS_H
#define OCI_HARDEN_COMMANDS_H

#include <stddef.h>
#include <stdio.h>

/* Act as runc: harden what create/run/restore would start, then exec the
 * real runtime with argv unchanged. */
int cmd_runtime(int argc, char **argv);

/* `oci-harden diff [OPTIONS] PATH`: the dry run. argv[0] is "diff". */
int cmd_diff(int argc, char **argv);

/* `oci-harden check [PATH...]`: lint policy files. argv[0] is "check". */
int cmd_check(int argc, char **argv);

/* `oci-harden suggest [--out DIR] EVENTLOG`: per-image policies from what
 * audit mode recorded. argv[0] is "suggest". */
int cmd_suggest(int argc, char **argv);

/* `oci-harden explain [OPTIONS] ID`: every decision of a container's last
 * create and of its execs, from the event log. argv[0] is "explain". */
int cmd_explain(int argc, char **argv);

/* `oci-harden memfd-noexec`: the createRuntime hook oci-harden adds to a
 * container (src/harden/noexec.c): vm.memfd_noexec = 2 in the pid
 * namespace of the container whose state is on stdin. argv[0] is
 * "memfd-noexec". */
int cmd_memfd_noexec(int argc, char **argv);

/* oci-harden's own commands: words runc does not have, recognised only as
 * the first argument (main.c); the rest is runc's command line. */
struct own_command {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *summary; /* what it does, in one line of --help */
};
extern const struct own_command own_commands[];
extern const size_t own_commands_len;

/* The last line of `oci-harden --version`, after the runtime's own. */
void own_version_print(FILE *out);
/* oci-harden's part of `oci-harden --help`, after the help of `runtime`. */
void own_help_print(FILE *out, const char *runtime);
/* `oci-harden install` and `oci-harden uninstall`: put oci-harden on a
 * node (the host's root mounted at --host-root) and take it off exactly.
 * argv[0] is the command's name. */
int cmd_install(int argc, char **argv);
int cmd_uninstall(int argc, char **argv);

/* `oci-harden sync-policies SOURCE`: make the node's policy directory what
 * SOURCE (a ConfigMap's volume) holds, all or nothing, after `check`.
 * argv[0] is "sync-policies". */
int cmd_sync_policies(int argc, char **argv);

/* `oci-harden k8s-events --node NAME [--follow] [EVENTLOG]`: the event
 * log's refusals and audit-mode decisions as Kubernetes Events. argv[0] is
 * "k8s-events" (not "events": that is runc's own command, passed through). */
int cmd_k8s_events(int argc, char **argv);

#endif
