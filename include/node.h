/* SPDX-License-Identifier: Apache-2.0 */
/* The node's files, for the commands a DaemonSet runs on it (install,
 * uninstall, sync-policies): entering the host's root, and writing files
 * there so that a reader, or a crash, sees the old file or the new one. */
#ifndef OCI_HARDEN_NODE_H
#define OCI_HARDEN_NODE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "errors.h"

/* chroot(2) into `host_root` (the host's "/" as mounted in the pod) and
 * go to its "/": every path after this is the host's own, and symbolic
 * links there resolve as on the host. "/" is the root already. */
int node_enter_root(const char *host_root, oh_error_t *err);

/* Write `path` whole: a temporary file beside it, fsync, rename(2) over
 * it, fsync of the directory. `mode` is the new file's. */
int node_write_file(const char *path, const char *data, size_t len, mode_t mode, oh_error_t *err);

/* A whole regular file, or *exists = false when there is none. */
int node_read_file(const char *path, size_t max_bytes, char **text, size_t *len, bool *exists,
		   oh_error_t *err);

/* mkdir -p: the directories made, outermost first, are added to
 * `created`. */
int node_make_dirs(const char *path, mode_t mode, struct string_list *created, oh_error_t *err);

/* rm -r of a directory tree that oci-harden made (never following a
 * symbolic link out of it). A missing one is no error. */
int node_remove_tree(const char *path, oh_error_t *err);

#endif
