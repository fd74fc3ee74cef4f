/* SPDX-License-Identifier: Apache-2.0 */
/* Where `oci-harden install` puts things on a node, shared by install,
 * uninstall and the policy sync, which must agree on them. Paths are the
 * host's own (the commands chroot into the host's root first). See
 * oci-harden(8), INSTALL. */
#ifndef OCI_HARDEN_INSTALL_H
#define OCI_HARDEN_INSTALL_H

#include <string.h>

#include "settings.h"

/* What install did, so that uninstall undoes exactly that. */
#define INSTALL_RECORD_PATH "/etc/oci-harden/install-record.json"

/* The policy sync keeps each policy set it installs in a directory of its
 * own in POLICY_SETS beside settings "policy_dir", which becomes a symbolic
 * link to the current one (POLICY_SETS/N, relative). */
#define INSTALL_POLICY_SETS_DIR "policy-sets"

#include "util.h"

/* The directory of policy sets beside `policy_dir`. */
static inline char *install_policy_sets_dir(const char *policy_dir)
{
	const char *slash = strrchr(policy_dir, '/');
	return xasprintf("%.*s/" INSTALL_POLICY_SETS_DIR, (int)(slash ? slash - policy_dir : 0),
			 policy_dir);
}

/* The policy sync's last outcome, in settings "state_dir". */
#define INSTALL_SYNC_STATUS_FILE "policy-sync.json"

/* The defaults of the installer's configuration. */
#define INSTALL_DEFAULT_BIN_DIR		  "/usr/local/sbin"
#define INSTALL_DEFAULT_CONTAINERD_CONFIG "/etc/containerd/config.toml"
#define INSTALL_DEFAULT_HANDLER		  "hardened"

/* The program a per-policy handler runs: BIN_DIR/oci-harden@POLICY, a
 * symbolic link to BIN_DIR/oci-harden, so that the name it was run by
 * names the policy (containerd's runc options have no argument list). */
#define INSTALL_POLICY_ENTRY_FORMAT "%s/oci-harden@%s"

#endif
