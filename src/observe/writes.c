/* SPDX-License-Identifier: Apache-2.0 */
#include "writes.h"

#include "fileio.h"
#include "json.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <time.h>
#include <unistd.h>

/* ---- the root's mount ------------------------------------------------------ */

/* mountinfo escapes blanks, tabs, newlines and backslashes as \ooo. */
static void mountinfo_unescape(char *s)
{
	char *out = s;
	for (char *p = s; *p; p++) {
		if (p[0] == '\\' && p[1] >= '0' && p[1] <= '3' && p[2] >= '0' && p[2] <= '7' &&
		    p[3] >= '0' && p[3] <= '7') {
			*out++ = (char)((p[1] - '0') * 64 + (p[2] - '0') * 8 + (p[3] - '0'));
			p += 3;
		} else {
			*out++ = *p;
		}
	}
	*out = '\0';
}

static char *option_value(const char *options, const char *key)
{
	size_t klen = strlen(key);
	for (const char *p = options; p && *p;) {
		const char *end = strchrnul(p, ',');
		if ((size_t)(end - p) > klen && strncmp(p, key, klen) == 0 && p[klen] == '=')
			return xstrndup(p + klen + 1, (size_t)(end - p) - klen - 1);
		p = *end ? end + 1 : end;
	}
	return NULL;
}

int observe_writes_root(const char *rootfs, char **fstype, char **upper, struct string_list *lower,
			oh_error_t *err)
{
	*fstype = *upper = NULL;
	FILE *f = fopen("/proc/self/mountinfo", "re");
	if (!f)
		return oh_error_make(err, errno, "cannot read /proc/self/mountinfo");
	char *line = NULL;
	size_t cap = 0;
	cleanup_free char *found_type = NULL, *found_options = NULL;
	while (getline(&line, &cap, f) > 0) {
		/* id parent major:minor root mountpoint options [optional...] - type source super
		 */
		char *fields[5] = {0};
		char *save = NULL, *p = line;
		for (int i = 0; i < 5; i++, p = NULL)
			fields[i] = strtok_r(p, " ", &save);
		if (!fields[4])
			continue;
		mountinfo_unescape(fields[4]);
		if (strcmp(fields[4], rootfs) != 0)
			continue;
		char *dash = strstr(save ? save : "", " - ");
		if (!dash && save && strncmp(save, "- ", 2) == 0)
			dash = save - 1;
		if (!dash)
			continue;
		char *rest = dash + 3;
		char *type = strtok_r(rest, " ", &save);
		strtok_r(NULL, " ", &save); /* source */
		char *super = strtok_r(NULL, " \n", &save);
		/* The last line for the mountpoint is the mount on top. */
		xfree(found_type);
		xfree(found_options);
		found_type = type ? xstrdup(type) : NULL;
		found_options = super ? xstrdup(super) : NULL;
	}
	xfree(line);
	fclose(f);
	if (!found_type) {
		*fstype = xstrdup("none"); /* a plain directory of the host's */
		return 0;
	}
	*fstype = steal_pointer(&found_type);
	if (strcmp(*fstype, "overlay") != 0 || !found_options)
		return 0;
	*upper = option_value(found_options, "upperdir");
	cleanup_free char *lowers = option_value(found_options, "lowerdir");
	if (*upper)
		mountinfo_unescape(*upper);
	for (char *p = lowers, *save = NULL, *dir; (dir = strtok_r(p, ":", &save)); p = NULL) {
		mountinfo_unescape(dir);
		/* containerd and Docker shorten long lowerdir lists to paths
		 * relative to the directory above the snapshots' (they mount
		 * from there): resolve them the same way. */
		if (dir[0] != '/' && *upper) {
			cleanup_free char *copy = xstrdup(*upper);
			cleanup_free char *base = xstrdup(dirname(dirname(copy)));
			cleanup_free char *full = xasprintf("%s/%s", base, dir);
			string_list_add(lower, full);
		} else {
			string_list_add(lower, dir);
		}
	}
	return 0;
}

/* ---- the scan ------------------------------------------------------------------ */

struct writes_scan {
	const struct observe_record *record;
	struct observation *o;
	size_t max;
	int64_t start_ns; /* CLOCK_REALTIME of the start */
	bool overlay;
	int *lower_fds;
	size_t lower_len;
	/* The config's mount destinations, relative to the root ("data",
	 * "var/lib/x"): the runtime makes what is missing of them as it
	 * mounts, which can be after the start was stamped (the start is
	 * seen as soon as the init process exists) and is never the
	 * workload's write. */
	struct string_list destinations;
};

/* The mount destinations of the bundle's config.json, as the runtime reads
 * them (the hardened config: what it mounted). None when it cannot be read:
 * then a made mountpoint may show as a write, which the scan says nothing
 * more about. */
static void scan_load_destinations(struct writes_scan *s, const char *bundle)
{
	if (!bundle)
		return;
	cleanup_free char *path = xasprintf("%s/config.json", bundle);
	cleanup_free char *text = NULL;
	size_t len = 0;
	cleanup_error oh_error_t err = NULL;
	if (file_read_all(AT_FDCWD, path, 64u << 20, &text, &len, &err) < 0)
		return;
	cleanup_json struct json *doc = json_parse(text, len, 0, &err);
	const struct json *mounts =
	    doc && doc->type == JSON_OBJECT ? json_object_get(doc, "mounts") : NULL;
	for (size_t i = 0; mounts && mounts->type == JSON_ARRAY && i < mounts->array.len; i++) {
		const struct json *m = mounts->array.items[i];
		const struct json *d =
		    m->type == JSON_OBJECT ? json_object_get(m, "destination") : NULL;
		if (!d || d->type != JSON_STRING)
			continue;
		/* Clean it as a path below the root: no empty, "." or ".." parts. */
		struct strbuf clean = {0};
		cleanup_free char *copy = xstrdup(d->string.ptr);
		char *save = NULL;
		for (char *part = strtok_r(copy, "/", &save); part;
		     part = strtok_r(NULL, "/", &save)) {
			if (strcmp(part, ".") == 0)
				continue;
			if (strcmp(part, "..") == 0) {
				char *slash = clean.len ? strrchr(clean.buf, '/') : NULL;
				clean.len = slash ? (size_t)(slash - clean.buf) : 0;
				if (clean.buf)
					clean.buf[clean.len] = '\0';
				continue;
			}
			if (clean.len)
				strbuf_puts(&clean, "/");
			strbuf_puts(&clean, part);
		}
		if (clean.len)
			string_list_add(&s->destinations, clean.buf);
		strbuf_free(&clean);
	}
}

/* 2: `rel` is a mount destination; 1: an ancestor of one; 0: neither. */
static int scan_destination(const struct writes_scan *s, const char *rel)
{
	size_t len = strlen(rel);
	int found = 0;
	for (size_t i = 0; i < s->destinations.len; i++) {
		const char *d = s->destinations.items[i];
		if (strncmp(d, rel, len) != 0)
			continue;
		if (d[len] == '\0')
			return 2;
		if (d[len] == '/')
			found = 1;
	}
	return found;
}

static int64_t ts_ns(const struct timespec *ts)
{
	return (int64_t)ts->tv_sec * 1000000000ll + ts->tv_nsec;
}

static char *iso_time(int64_t ns)
{
	time_t sec = (time_t)(ns / 1000000000ll);
	struct tm tm;
	char stamp[64];
	gmtime_r(&sec, &tm);
	strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%S", &tm);
	return xasprintf("%s.%03lldZ", stamp, (long long)((ns / 1000000) % 1000));
}

static const char *type_name(mode_t mode)
{
	switch (mode & S_IFMT) {
	case S_IFDIR:
		return "directory";
	case S_IFLNK:
		return "symlink";
	case S_IFSOCK:
		return "socket";
	case S_IFIFO:
		return "fifo";
	case S_IFCHR:
	case S_IFBLK:
		return "device";
	}
	return "file";
}

static bool is_whiteout(const struct stat *st)
{
	return S_ISCHR(st->st_mode) && st->st_rdev == makedev(0, 0);
}

/* How the image's layers have `path` (relative): 1 with *st when one of
 * them does, 0 when none does or the top one that has it deleted it. */
static int in_lower(const struct writes_scan *s, const char *path, struct stat *st)
{
	for (size_t i = 0; i < s->lower_len; i++) {
		if (s->lower_fds[i] < 0)
			continue;
		if (fstatat(s->lower_fds[i], path, st, AT_SYMLINK_NOFOLLOW) < 0)
			continue;
		return is_whiteout(st) ? 0 : 1;
	}
	return 0;
}

static bool is_opaque(int dirfd, const char *name)
{
	char value[2] = {0};
	cleanup_free char *path = xasprintf("/proc/self/fd/%d/%s", dirfd, name);
	return getxattr(path, "trusted.overlay.opaque", value, sizeof(value)) == 1 &&
	       value[0] == 'y';
}

static bool scan_full(struct writes_scan *s)
{
	if (s->o->writes.len < s->max)
		return false;
	s->o->complete = false;
	return true;
}

static void scan_add(struct writes_scan *s, const char *rel, const struct stat *st,
		     enum observation_write_kind kind)
{
	if (scan_full(s))
		return;
	struct observation_write *w = observation_list_add(&s->o->writes);
	w->path = xasprintf("/%s", rel);
	w->type = xstrdup(kind == OBSERVATION_DELETED ? "entry" : type_name(st->st_mode));
	w->kind = kind;
	w->time = iso_time(ts_ns(&st->st_ctim));
	w->uid = st->st_uid;
	w->gid = st->st_gid;
}

/* Whether the entry was made after the start: its birth time where the
 * filesystem keeps one, else unknown (false: "modified"). */
static bool born_after(int dirfd, const char *name, int64_t start_ns)
{
	struct statx stx;
	if (statx(dirfd, name, AT_SYMLINK_NOFOLLOW, STATX_BTIME, &stx) < 0 ||
	    !(stx.stx_mask & STATX_BTIME))
		return false;
	return (int64_t)stx.stx_btime.tv_sec * 1000000000ll + stx.stx_btime.tv_nsec >= start_ns;
}

static void scan_dir(struct writes_scan *s, int dirfd, const char *rel, int depth)
{
	if (depth > 64 || scan_full(s))
		return;
	int fd = dup(dirfd);
	DIR *dir = fd >= 0 ? fdopendir(fd) : NULL;
	if (!dir) {
		if (fd >= 0)
			close(fd);
		return;
	}
	struct dirent *de;
	while ((de = readdir(dir)) && !scan_full(s)) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		cleanup_free char *path =
		    *rel ? xasprintf("%s/%s", rel, de->d_name) : xstrdup(de->d_name);
		struct stat st;
		if (fstatat(dirfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
			continue;
		bool changed = ts_ns(&st.st_ctim) >= s->start_ns;
		int destination = scan_destination(s, path);
		if (destination == 2)
			continue; /* a mountpoint: below it is the mount's */
		if (s->overlay && is_whiteout(&st)) {
			if (changed)
				scan_add(s, path, &st, OBSERVATION_DELETED);
			continue;
		}
		bool created;
		struct stat below;
		if (s->overlay)
			created = !in_lower(s, path, &below) ||
				  (S_ISDIR(st.st_mode) && is_opaque(dirfd, de->d_name));
		else
			created = changed && born_after(dirfd, de->d_name, s->start_ns);
		if (S_ISDIR(st.st_mode)) {
			if (created && changed && !destination) {
				/* Everything inside is the container's too. */
				scan_add(s, path, &st, OBSERVATION_CREATED);
				continue;
			}
			/* A directory of the image's copied up for what changed
			 * inside it is not itself a write; its own metadata
			 * changed is. */
			if (changed && s->overlay && !created && !destination &&
			    (below.st_mode != st.st_mode || below.st_uid != st.st_uid ||
			     below.st_gid != st.st_gid))
				scan_add(s, path, &st, OBSERVATION_MODIFIED);
			int sub = openat(dirfd, de->d_name,
					 O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			if (sub >= 0) {
				/* Another filesystem below (a mount in the host's
				 * view of a plain-directory root) is not the root. */
				struct stat sub_st;
				if (fstat(sub, &sub_st) == 0 && sub_st.st_dev == st.st_dev)
					scan_dir(s, sub, path, depth + 1);
				close(sub);
			}
			continue;
		}
		if (changed)
			scan_add(s, path, &st,
				 created ? OBSERVATION_CREATED : OBSERVATION_MODIFIED);
	}
	closedir(dir);
}

void observe_writes_scan(const struct observe_record *r, struct observation *o, size_t max)
{
	if (!r->started) {
		o->writes_unavailable = xstrdup("the container was not seen starting");
		return;
	}
	struct writes_scan s = {
	    .record = r,
	    .o = o,
	    .max = max,
	    .start_ns = r->start_realtime,
	    .overlay = r->root_fstype && strcmp(r->root_fstype, "overlay") == 0 && r->upper,
	};
	const char *top = s.overlay ? r->upper : r->rootfs;
	cleanup_close int topfd = top ? open(top, O_RDONLY | O_DIRECTORY | O_CLOEXEC) : -1;
	if (topfd < 0) {
		o->writes_unavailable = xasprintf("cannot read %s: %s", top ? top : "the root",
						  top ? strerror(errno) : "unknown");
		return;
	}
	if (s.overlay) {
		s.lower_len = r->lower.len;
		s.lower_fds = xcalloc(s.lower_len ? s.lower_len : 1, sizeof(int));
		for (size_t i = 0; i < s.lower_len; i++)
			s.lower_fds[i] = open(r->lower.items[i], O_PATH | O_DIRECTORY | O_CLOEXEC);
		o->writes_source = xstrdup("overlay upper layer");
	} else {
		o->writes_source = xstrdup("root filesystem, changed since start");
	}
	scan_load_destinations(&s, r->bundle);
	scan_dir(&s, topfd, "", 0);
	for (size_t i = 0; i < s.lower_len; i++)
		if (s.lower_fds[i] >= 0)
			close(s.lower_fds[i]);
	xfree(s.lower_fds);
	string_list_clear(&s.destinations);
}
