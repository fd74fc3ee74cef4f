/* SPDX-License-Identifier: Apache-2.0 */
#include "fileio.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

int file_read_all_flags(int dirfd, const char *path, const char *display, size_t max_bytes,
			unsigned flags, char **text, size_t *len, struct stat *st_out,
			oh_error_t *err)
{
	/* Messages start with the file's name, unless there is none to give. */
	const char *sep = display ? ": " : "";
	display = display ? display : "";
	/* O_NONBLOCK so that opening a FIFO does not hang waiting for a
	 * writer; the fstat below refuses it anyway. */
	int open_flags = O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK;
	if (flags & FILE_READ_NOFOLLOW)
		open_flags |= O_NOFOLLOW;
	cleanup_close int fd = openat(dirfd, path, open_flags);
	if (fd < 0) {
		if (errno == ELOOP && (flags & FILE_READ_NOFOLLOW))
			return oh_error_make(err, 0, "%s%sis a symbolic link, which is refused",
					     display, sep);
		return oh_error_make(err, errno, "%s%scannot open", display, sep);
	}
	struct stat st;
	if (fstat(fd, &st) < 0)
		return oh_error_make(err, errno, "%s%scannot stat", display, sep);
	if (!S_ISREG(st.st_mode))
		return oh_error_make(err, 0, "%s%sis not a regular file", display, sep);
	if ((size_t)st.st_size > max_bytes)
		return oh_error_make(err, 0, "%s%sis %lld bytes, larger than the limit of %zu",
				     display, sep, (long long)st.st_size, max_bytes);

	size_t cap = (size_t)st.st_size + 2, used = 0;
	cleanup_free char *buf = xmalloc(cap);
	for (;;) {
		if (used == cap - 1) {
			/* The file grew after fstat; read on, within the limit. */
			if (used > max_bytes)
				return oh_error_make(err, 0, "%s%slarger than the limit of %zu",
						     display, sep, max_bytes);
			cap = cap * 2 > max_bytes + 2 ? max_bytes + 2 : cap * 2;
			buf = xrealloc(buf, cap);
		}
		ssize_t n = read(fd, buf + used, cap - 1 - used);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return oh_error_make(err, errno, "%s%scannot read", display, sep);
		}
		if (n == 0)
			break;
		used += (size_t)n;
	}
	buf[used] = '\0';
	*text = steal_pointer(&buf);
	*len = used;
	if (st_out)
		*st_out = st;
	return 0;
}

static int write_all(int fd, const char *data, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, data, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		data += n;
		len -= (size_t)n;
	}
	return 0;
}

static int write_parts(int fd, const struct file_part *parts, size_t parts_len)
{
	for (size_t i = 0; i < parts_len; i++)
		if (write_all(fd, parts[i].data, parts[i].len) < 0)
			return -1;
	return 0;
}

/* ".<name, at most 20 bytes>.oci-harden-<r, 16 hex digits>" into `out`
 * (64 bytes), made by hand: snprintf cost more than the write. */
static void file_temporary_name(char *out, const char *name, unsigned long long r)
{
	static const char hex[] = "0123456789abcdef";
	static const char mark[] = ".oci-harden-";
	size_t n = strnlen(name, 20), at = 0;
	out[at++] = '.';
	memcpy(out + at, name, n);
	at += n;
	memcpy(out + at, mark, sizeof(mark) - 1);
	at += sizeof(mark) - 1;
	for (int shift = 60; shift >= 0; shift -= 4)
		out[at++] = hex[(r >> shift) & 0xf];
	out[at] = '\0';
}

int file_replace_atomically(int dirfd, const char *name, const char *display, const char *data,
			    size_t len, const struct stat *like, oh_error_t *err)
{
	const struct file_part whole = {data, len};
	return file_replace_atomically_parts(dirfd, name, display, &whole, 1, like, err);
}

int file_replace_atomically_parts(int dirfd, const char *name, const char *display,
				  const struct file_part *parts, size_t parts_len,
				  const struct stat *like, oh_error_t *err)
{
	char tmp_name[64];
	cleanup_close int fd = -1;
	/* A random name with O_EXCL: two oci-harden processes in one bundle, or
	 * a planted file, can never make us write through someone else's file. */
	for (int attempt = 0; fd < 0; attempt++) {
		unsigned long long r = 0;
		if (getrandom(&r, sizeof(r), 0) != sizeof(r))
			r = (unsigned long long)getpid() << 16 ^ (unsigned long long)attempt;
		file_temporary_name(tmp_name, name, r);
		fd = openat(dirfd, tmp_name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
			    like->st_mode & 07777);
		if (fd < 0 && (errno != EEXIST || attempt > 16))
			return oh_error_make(err, errno, "%s: cannot create a temporary file",
					     display);
	}
	const char *step = NULL;
	if (write_parts(fd, parts, parts_len) < 0)
		step = "cannot write the hardened file";
	else if (fchmod(fd, like->st_mode & 07777) < 0)
		step = "cannot set the mode of the hardened file";
	else if (fchown(fd, like->st_uid, like->st_gid) < 0 && errno != EPERM)
		step = "cannot set the owner of the hardened file";
	else if (renameat(dirfd, tmp_name, dirfd, name) < 0)
		step = "cannot replace the file";
	if (step) {
		int saved = errno;
		unlinkat(dirfd, tmp_name, 0);
		return oh_error_make(err, saved, "%s: %s", display, step);
	}
	return 0;
}
