/* SPDX-License-Identifier: Apache-2.0 */
/* Reading and atomically replacing the files oci-harden rewrites. */
#ifndef OCI_HARDEN_FILEIO_H
#define OCI_HARDEN_FILEIO_H

#include <fcntl.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/stat.h>

#include "errors.h"

enum file_read_flags {
	/* Refuse a symlink in the last component: a config.json that points
	 * elsewhere would have us rewrite a file outside the bundle. */
	FILE_READ_NOFOLLOW = 1 << 0,
};

/* Read a whole regular file (never a FIFO, device or directory) of at most
 * max_bytes into a NUL-terminated buffer. `st` (may be NULL) receives its
 * stat. Messages name `display` (NULL: they name no file) and the reason. */
int file_read_all_flags(int dirfd, const char *path, const char *display, size_t max_bytes,
			unsigned flags, char **text, size_t *len, struct stat *st, oh_error_t *err);

static inline int file_read_all(int dirfd, const char *path, size_t max_bytes, char **text,
				size_t *len, oh_error_t *err)
{
	return file_read_all_flags(dirfd, path, path, max_bytes, 0, text, len, NULL, err);
}

/* Replace `name` in the directory `dirfd` by `data`, atomically: a new file
 * beside it, then rename(2) over it, so a reader sees the old file or the new
 * one and never half of one. The new file gets the mode and owner of `like`.
 * On failure the original is untouched and the temporary file removed.
 * `display` names the file in messages. */
int file_replace_atomically(int dirfd, const char *name, const char *display, const char *data,
			    size_t len, const struct stat *like, oh_error_t *err);

/* The same, the new content being `parts` one after another: a large piece
 * already in memory elsewhere is written from there, not copied first. */
struct file_part {
	const char *data;
	size_t len;
};
int file_replace_atomically_parts(int dirfd, const char *name, const char *display,
				  const struct file_part *parts, size_t parts_len,
				  const struct stat *like, oh_error_t *err);

#endif
