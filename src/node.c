/* SPDX-License-Identifier: Apache-2.0 */
#include "node.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fileio.h"

int node_enter_root(const char *host_root, oh_error_t *err)
{
	if (strcmp(host_root, "/") == 0)
		return chdir("/") < 0 ? oh_error_make(err, errno, "cannot change to /") : 0;
	if (chroot(host_root) < 0)
		return oh_error_make(err, errno, "host root %s", host_root);
	if (chdir("/") < 0)
		return oh_error_make(err, errno, "host root %s: cannot change to its /", host_root);
	return 0;
}

static int node_write_all(int fd, const char *data, size_t len)
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

int node_write_file(const char *path, const char *data, size_t len, mode_t mode, oh_error_t *err)
{
	cleanup_free char *dir_copy = xstrdup(path);
	const char *dir = dirname(dir_copy);
	cleanup_close int dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dirfd < 0)
		return oh_error_make(err, errno, "%s: cannot open its directory", path);
	const char *base = strrchr(path, '/');
	base = base ? base + 1 : path;

	char tmp_name[96];
	cleanup_close int fd = -1;
	for (int attempt = 0; fd < 0; attempt++) {
		unsigned long long r = 0;
		if (getrandom(&r, sizeof(r), 0) != sizeof(r))
			r = (unsigned long long)getpid() << 16 ^ (unsigned long long)attempt;
		snprintf(tmp_name, sizeof(tmp_name), ".%.40s.oci-harden-%016llx", base, r);
		fd = openat(dirfd, tmp_name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
			    mode);
		if (fd < 0 && (errno != EEXIST || attempt > 16))
			return oh_error_make(err, errno, "%s: cannot create a temporary file",
					     path);
	}
	const char *step = NULL;
	if (node_write_all(fd, data, len) < 0)
		step = "cannot write";
	else if (fchmod(fd, mode) < 0)
		step = "cannot set its mode";
	else if (fsync(fd) < 0)
		step = "cannot sync";
	else if (renameat(dirfd, tmp_name, dirfd, base) < 0)
		step = "cannot replace";
	if (step) {
		int saved = errno;
		unlinkat(dirfd, tmp_name, 0);
		return oh_error_make(err, saved, "%s: %s", path, step);
	}
	/* The rename is durable only once the directory is. */
	fsync(dirfd);
	return 0;
}

int node_read_file(const char *path, size_t max_bytes, char **text, size_t *len, bool *exists,
		   oh_error_t *err)
{
	*exists = false;
	*text = NULL;
	*len = 0;
	if (file_read_all(AT_FDCWD, path, max_bytes, text, len, err) < 0) {
		if ((*err)->errnum != ENOENT)
			return -1;
		oh_error_free(err);
		return 0;
	}
	*exists = true;
	return 0;
}

int node_make_dirs(const char *path, mode_t mode, struct string_list *created, oh_error_t *err)
{
	cleanup_free char *copy = xstrdup(path);
	for (char *p = copy + 1;; p++) {
		if (*p != '/' && *p != '\0')
			continue;
		char saved = *p;
		*p = '\0';
		if (mkdir(copy, mode) == 0) {
			string_list_add(created, copy);
		} else if (errno == EEXIST) {
			struct stat st;
			if (stat(copy, &st) < 0 || !S_ISDIR(st.st_mode))
				return oh_error_make(err, ENOTDIR, "%s", copy);
		} else {
			return oh_error_make(err, errno, "cannot create the directory %s", copy);
		}
		*p = saved;
		if (saved == '\0')
			return 0;
	}
}

static int node_remove_tree_at(int parent, const char *name, const char *display, unsigned depth,
			       oh_error_t *err)
{
	if (depth > 16)
		return oh_error_make(err, 0, "%s: nested too deeply to be oci-harden's", display);
	cleanup_close int fd =
	    openat(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT)
			return 0;
		if (errno == ENOTDIR || errno == ELOOP) {
			if (unlinkat(parent, name, 0) < 0 && errno != ENOENT)
				return oh_error_make(err, errno, "cannot remove %s", display);
			return 0;
		}
		return oh_error_make(err, errno, "cannot open %s", display);
	}
	DIR *d = fdopendir(dup(fd));
	if (!d)
		return oh_error_make(err, errno, "cannot list %s", display);
	struct dirent *e;
	int r = 0;
	while (r == 0 && (e = readdir(d))) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		cleanup_free char *child = xasprintf("%s/%s", display, e->d_name);
		r = node_remove_tree_at(fd, e->d_name, child, depth + 1, err);
	}
	closedir(d);
	if (r < 0)
		return -1;
	if (unlinkat(parent, name, AT_REMOVEDIR) < 0 && errno != ENOENT)
		return oh_error_make(err, errno, "cannot remove %s", display);
	return 0;
}

int node_remove_tree(const char *path, oh_error_t *err)
{
	return node_remove_tree_at(AT_FDCWD, path, path, 0, err);
}
