/* SPDX-License-Identifier: Apache-2.0 */
/* `runc exec`: runc builds the new process from a process file (--process),
 * taking its user, capabilities, AppArmor profile and noNewPrivileges from
 * there and not from the hardened config.json; or, without one, from the
 * config.json plus flags. Either way the process gets the container's
 * policy. */
#ifndef OCI_HARDEN_EXEC_PROCESS_H
#define OCI_HARDEN_EXEC_PROCESS_H

#include "errors.h"
#include "policy.h"
#include "report.h"
#include "runc_args.h"

/* Judge the exec flags that change the process: --cap outside the
 * allowlist, --user or --additional-gids with uid/gid 0 (unless the policy
 * allows root), --apparmor other than the policy's profile, and
 * --no-new-privs=false. Each is a refusal in `report`. Pure. */
void exec_flags_judge(const struct runc_args *args, const struct policy *policy,
		      struct report *report);

/* Harden the --process file in place: read without following a symlink,
 * harden by `policy`, replace atomically when changed. Refusals are left in
 * `report`. */
int exec_process_file_harden(const char *path, const struct policy *policy, struct report *report,
			     oh_error_t *err);

#endif
