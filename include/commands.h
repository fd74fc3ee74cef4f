/* SPDX-License-Identifier: Apache-2.0 */
/* The commands of the oci-harden binary. Each returns the process's exit
 * status (or does not return, having exec'd the real runtime). */
#ifndef OCI_HARDEN_COMMANDS_H
#define OCI_HARDEN_COMMANDS_H

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

#endif
