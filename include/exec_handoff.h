/* SPDX-License-Identifier: Apache-2.0 */
/* The edges of an exec: reading the caller's --process file once, and
 * handing the runtime the process oci-harden judged, in a sealed memfd it
 * reads as /proc/self/fd/N. What lies between is pure (exec_process.h,
 * harden_process). */
#ifndef OCI_HARDEN_EXEC_HANDOFF_H
#define OCI_HARDEN_EXEC_HANDOFF_H

#include <stdbool.h>
#include <stddef.h>

#include "errors.h"

/* A process file, as read. */
struct process_file {
	char *text; /* NUL-terminated; NULL when refused */
	size_t len;
	/* It was one of the caller's own descriptors (/dev/fd/N,
	 * /proc/self/fd/N, /dev/stdin, and crun's "-"): a pipe from
	 * `runc exec -p <(...)`, which can be read only once. */
	bool callers_descriptor;
	/* Why it may not be used, when it may not: a symbolic link or
	 * something else than a regular file at a path (both of which may be
	 * the container's doing), or larger than the limit. */
	char *refusal;
};
void process_file_clear(struct process_file *file);
static inline void cleanup_process_filep(struct process_file *f)
{
	process_file_clear(f);
}
#define cleanup_process_file _cleanup_(cleanup_process_filep)

/* Process files are small; a far larger one is refused. */
#define PROCESS_FILE_MAX_BYTES (4u << 20)

/* Read the process file at `path` (relative to the working directory, as
 * the runtime would). A path naming one of the caller's descriptors is read
 * through that descriptor, following it (a pipe or a regular file);
 * `dash_is_stdin` when the runtime reads "-" as its standard input (crun).
 * Any other path is read without following a symbolic link in its last
 * component, and must be a regular file. Returns 0 with `text` or
 * `refusal` set, -1 when it cannot be read at all. */
int process_file_read(const char *path, bool dash_is_stdin, struct process_file *out,
		      oh_error_t *err);

/* A memfd holding `len` bytes of `data`, sealed against any change, at the
 * lowest free descriptor not below `fd_floor`, and not closed on exec: the
 * runtime inherits it and reads /proc/self/fd/<*fd>. */
int exec_handoff_memfd(const char *data, size_t len, int fd_floor, int *fd, oh_error_t *err);

#endif
