/* SPDX-License-Identifier: Apache-2.0 */
#include "exec_handoff.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fileio.h"

void process_file_clear(struct process_file *f)
{
	xfree(f->text);
	xfree(f->refusal);
	*f = (struct process_file){0};
}

/* The descriptor a path names when it is one of the caller's own: the
 * kernel's /proc/self/fd/N (and /proc/thread-self/fd/N), udev's /dev/fd/N
 * and /dev/stdin, which lead there; -1 for any other path. */
static int callers_descriptor(const char *path, bool dash_is_stdin)
{
	if ((dash_is_stdin && strcmp(path, "-") == 0) || strcmp(path, "/dev/stdin") == 0)
		return 0;
	static const char *const prefixes[] = {"/dev/fd/", "/proc/self/fd/",
					       "/proc/thread-self/fd/"};
	for (size_t i = 0; i < ARRAY_SIZE(prefixes); i++) {
		size_t n = strlen(prefixes[i]);
		if (strncmp(path, prefixes[i], n) != 0)
			continue;
		const char *digits = path + n;
		int fd = 0;
		if (!*digits || strlen(digits) > 9)
			return -1;
		for (const char *p = digits; *p; p++) {
			if (*p < '0' || *p > '9')
				return -1;
			fd = fd * 10 + (*p - '0');
		}
		return fd;
	}
	return -1;
}

/* Read all of `fd` (a pipe may deliver it in pieces and ends at EOF). */
static int read_to_end(int fd, const char *display, struct process_file *out, oh_error_t *err)
{
	size_t cap = 4096, used = 0;
	cleanup_free char *buf = xmalloc(cap);
	for (;;) {
		if (used == cap - 1) {
			if (used > PROCESS_FILE_MAX_BYTES) {
				out->refusal = xasprintf("%s: larger than the limit of %u bytes",
							 display, PROCESS_FILE_MAX_BYTES);
				return 0;
			}
			cap *= 2;
			buf = xrealloc(buf, cap);
		}
		ssize_t n = read(fd, buf + used, cap - 1 - used);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return oh_error_make(err, errno, "%s: cannot read", display);
		if (n == 0)
			break;
		used += (size_t)n;
	}
	buf[used] = '\0';
	out->text = steal_pointer(&buf);
	out->len = used;
	return 0;
}

int process_file_read(const char *path, bool dash_is_stdin, struct process_file *out,
		      oh_error_t *err)
{
	*out = (struct process_file){0};
	int fd_number = callers_descriptor(path, dash_is_stdin);
	if (fd_number < 0) {
		/* A path: the file as it is, never through a symbolic link,
		 * and a regular file only (a FIFO would block, or hand us one
		 * text and the runtime another). fileio says "refused" with no
		 * errno, and "cannot" with one. */
		int r = file_read_all_flags(AT_FDCWD, path, path, PROCESS_FILE_MAX_BYTES,
					    FILE_READ_NOFOLLOW, &out->text, &out->len, NULL, err);
		if (r < 0 && (*err)->errnum == 0) {
			out->refusal = xstrdup((*err)->msg);
			oh_error_free(err);
			return 0;
		}
		return r;
	}
	/* The caller's own descriptor: opened anew through /proc/self/fd, as
	 * the runtime would open the path (a regular file from its start, a
	 * pipe where it stands), and read once, to its end. */
	out->callers_descriptor = true;
	char proc_path[64];
	snprintf(proc_path, sizeof(proc_path), "/proc/self/fd/%d", fd_number);
	cleanup_close int fd = open(proc_path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return oh_error_make(err, errno, "%s: cannot open", path);
	struct stat st;
	if (fstat(fd, &st) < 0)
		return oh_error_make(err, errno, "%s: cannot stat", path);
	if (!S_ISREG(st.st_mode) && !S_ISFIFO(st.st_mode)) {
		out->refusal = xasprintf("%s: is neither a regular file nor a pipe", path);
		return 0;
	}
	return read_to_end(fd, path, out, err);
}

static int write_all(int fd, const char *data, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, data, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		data += n;
		len -= (size_t)n;
	}
	return 0;
}

int exec_handoff_memfd(const char *data, size_t len, int fd_floor, int *fd, oh_error_t *err)
{
	cleanup_close int memfd =
	    memfd_create("oci-harden-exec-process", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (memfd < 0)
		return oh_error_make(err, errno, "cannot create a memfd for the exec's process");
	if (write_all(memfd, data, len) < 0)
		return oh_error_make(err, errno, "cannot write the exec's process to a memfd");
	/* What was judged is what the runtime reads: nobody who inherits the
	 * descriptor may change it. */
	if (fcntl(memfd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_SEAL) < 0)
		return oh_error_make(err, errno, "cannot seal the exec's process memfd");
	/* F_DUPFD leaves close-on-exec off on the copy. */
	*fd = fcntl(memfd, F_DUPFD, fd_floor);
	if (*fd < 0)
		return oh_error_make(err, errno,
				     "cannot place the exec's process at fd %d or above", fd_floor);
	return 0;
}
