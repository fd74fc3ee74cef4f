/* SPDX-License-Identifier: Apache-2.0 */
/* What oci-harden remembers of a container between its create and its execs:
 * the policy it was created under, so that `exec` hardens by that policy even
 * if the policy files change meanwhile. One small file per container, under
 * the state directory (settings "state_dir", default /run/oci-harden, a
 * tmpfs), keyed by the runtime's --root and the container id; written at
 * create, removed at delete. It works alike for runc and crun, since it
 * reads nothing of theirs. */
#ifndef OCI_HARDEN_CONTAINER_STATE_H
#define OCI_HARDEN_CONTAINER_STATE_H

#include "errors.h"
#include "policy.h"

/* Save `policy` as the one container `id` under runtime root `root` (NULL:
 * the runtime's default) was created with. */
int container_state_save(const char *state_dir, const char *root, const char *id,
			 const struct policy *policy, const char *image, oh_error_t *err);

/* Load it back, with the image the container runs (*image NULL when it had
 * none). Returns 1 with *policy set, 0 when there is no state for
 * that container, -1 on error (a state file that exists but cannot be read
 * is an error: fail closed). */
int container_state_load(const char *state_dir, const char *root, const char *id,
			 struct policy **policy, char **image, oh_error_t *err);

/* Forget the container; a missing state is fine. */
void container_state_remove(const char *state_dir, const char *root, const char *id);

/* Whether `id` is a container id runc accepts (and so a safe file name). */
bool container_id_is_valid(const char *id);

#endif
