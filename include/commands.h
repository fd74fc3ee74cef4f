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

/* oci-harden's own commands: words runc does not have, recognised only as
 * the first argument (main.c); the rest is runc's command line. */
struct own_command {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *summary; /* what it does, in one line of --help */
};
extern const struct own_command own_commands[];
extern const size_t own_commands_len;

/* The first line of `oci-harden --version`, before the runtime's own. */
void own_version_print(FILE *out);
/* oci-harden's part of `oci-harden --help`, before the runtime's own. */
void own_help_print(FILE *out);

#endif
