/* SPDX-License-Identifier: Apache-2.0 */
#include "host.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/magic.h>
#include <linux/openat2.h>
#include <sys/apparmor.h>
#include <sys/auxv.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>

#include "fileio.h"
#include "host_daemons.h"

/* The profiles file lists one loaded profile per line as "NAME (MODE)". */
bool host_apparmor_profile_loaded(const char *name)
{
	cleanup_free char *mountpoint = NULL;
	if (aa_find_mountpoint(&mountpoint) < 0)
		return false;
	cleanup_free char *path = xasprintf("%s/profiles", mountpoint);
	FILE *f = fopen(path, "re");
	if (!f)
		return false;
	bool found = false;
	size_t name_len = strlen(name);
	char *line = NULL;
	size_t cap = 0;
	while (!found && getline(&line, &cap, f) > 0)
		found =
		    strncmp(line, name, name_len) == 0 && strncmp(line + name_len, " (", 2) == 0;
	xfree(line);
	fclose(f);
	return found;
}

/* libapparmor's aa_is_enabled, but one lookup on a kernel with no AppArmor
 * in it at all, where libapparmor reads four files to say no. */
static bool host_apparmor_enabled(void)
{
	if (access("/sys/module/apparmor", F_OK) < 0 && errno == ENOENT)
		return false;
	return aa_is_enabled() == 1;
}

/* The OCI namespace type's name under /proc/<pid>/ns. */
static const struct {
	const char *type;
	const char *proc_name;
} namespace_names[] = {
    {"pid", "pid"},   {"network", "net"}, {"ipc", "ipc"},	{"uts", "uts"},
    {"mount", "mnt"}, {"user", "user"},	  {"cgroup", "cgroup"}, {"time", "time"},
};

/* The inode number of this process's namespace `proc_name`, from the text
 * of its /proc/self/ns link ("net:[4026531840]"): reading the link does not
 * make the nsfs file that following it would, a few microseconds each. 0
 * when it cannot be read. */
static unsigned long long host_own_namespace_inode(const char *proc_name)
{
	static const char dir[] = "/proc/self/ns/";
	char link[sizeof(dir) + 8], text[64];
	size_t name_len = strlen(proc_name);
	if (name_len > 7)
		return 0;
	memcpy(link, dir, sizeof(dir) - 1);
	memcpy(link + sizeof(dir) - 1, proc_name, name_len + 1);
	ssize_t n = readlink(link, text, sizeof(text) - 1);
	if (n <= 0)
		return 0;
	text[n] = '\0';
	/* "<name>:[<digits>]" */
	const char *p = strchr(text, '[');
	unsigned long long ino = 0;
	if (!p || !p[1] || p[1] == ']')
		return 0;
	for (p++; *p >= '0' && *p <= '9'; p++) {
		if (ino > (~0ULL - 9) / 10)
			return 0;
		ino = ino * 10 + (unsigned)(*p - '0');
	}
	return *p == ']' && !p[1] ? ino : 0;
}

/* A namespace is identified by its nsfs inode; ours are the host's, since
 * oci-harden runs where containerd runs. Only the inode numbers are
 * compared: a file elsewhere that has the number of one of ours is taken
 * for it, which can only refuse what the runtime would not join. */
static int host_namespace_is_host(const char *type, const char *path)
{
	const char *proc_name = NULL;
	for (size_t i = 0; i < ARRAY_SIZE(namespace_names); i++)
		if (strcmp(namespace_names[i].type, type) == 0)
			proc_name = namespace_names[i].proc_name;
	if (!proc_name)
		return -1;
	struct stat theirs;
	unsigned long long ours;
	if (stat(path, &theirs) < 0 || !(ours = host_own_namespace_inode(proc_name)))
		return -1;
	return (unsigned long long)theirs.st_ino == ours;
}

/* Open `path` (absolute) with `flags` only if no component is a symbolic
 * link (openat2 RESOLVE_NO_SYMLINKS, Linux 5.6): the common case, one
 * syscall. -1 with errno ELOOP when one is. */
static int host_open_no_symlinks(const char *path, int flags)
{
	struct open_how how = {.flags = (unsigned)flags | O_CLOEXEC,
			       .resolve = RESOLVE_NO_SYMLINKS};
	return (int)syscall(SYS_openat2, AT_FDCWD, path, &how, sizeof(how));
}

bool host_path_is_canonical(const char *path)
{
	if (path[0] != '/')
		return false;
	for (const char *p = path; *p == '/';) {
		const char *c = p + 1; /* a component, up to the next '/' */
		const char *end = strchrnul(c, '/');
		size_t n = (size_t)(end - c);
		if (n == 0)
			return p == path && !*end; /* "/" alone; else "//" or a trailing '/' */
		if ((n == 1 && c[0] == '.') || (n == 2 && c[0] == '.' && c[1] == '.'))
			return false;
		p = end;
	}
	return true;
}

/* The kernel's name of what `fd` is open on: /proc/self/fd/<fd>'s link.
 * NULL when it has none that is a path. */
static char *host_fd_name(int fd)
{
	/* "/proc/self/fd/<fd>", written by hand: snprintf costs more than the
	 * readlink's own setup, once per bind source. */
	static const char fd_dir[] = "/proc/self/fd/";
	char digits[FORMAT_DECIMAL_MAX], link[sizeof(fd_dir) + sizeof(digits)], target[PATH_MAX];
	char *end = digits + sizeof(digits);
	const char *start = format_decimal(end, (unsigned int)fd, false); /* not negative here */
	size_t d = (size_t)(end - start);
	memcpy(link, fd_dir, sizeof(fd_dir) - 1);
	memcpy(link + sizeof(fd_dir) - 1, start, d);
	link[sizeof(fd_dir) - 1 + d] = '\0';
	ssize_t n = readlink(link, target, sizeof(target) - 1);
	if (n <= 0 || n >= (ssize_t)sizeof(target) - 1 || target[0] != '/')
		return NULL;
	target[n] = '\0';
	return xstrdup(target);
}

int host_open_named(const char *path, int flags, char **name)
{
	*name = NULL;
	/* A /proc/self/fd lookup costs a fresh process more than the open
	 * itself: a canonical path opened without a symbolic link is already
	 * the kernel's name of what it leads to. */
	if (host_path_is_canonical(path)) {
		int fd = host_open_no_symlinks(path, flags);
		if (fd >= 0) {
			*name = xstrdup(path);
			return fd;
		}
		if (errno != ELOOP && errno != ENOSYS)
			return -1;
	}
	int fd = open(path, flags | O_CLOEXEC);
	if (fd >= 0)
		*name = host_fd_name(fd);
	return fd;
}

int host_path_has_symlink(const char *path)
{
	if (!host_path_is_canonical(path))
		return 1;
	int fd = host_open_no_symlinks(path, O_PATH);
	if (fd >= 0) {
		close(fd);
		return 0;
	}
	return errno == ENOENT || errno == ENOTDIR ? -1 : 1;
}

/* Resolve `path` component by component as the kernel does, noting each
 * symbolic link followed by where it is (its directory already resolved),
 * and open what it leads to. -1 when it leads nowhere. */
static int host_open_walking(const char *path, struct string_list *symlinks)
{
	struct strbuf done = {0}; /* resolved so far; "" is "/" */
	cleanup_free char *pending = xstrdup(path);
	const char *p = pending;
	int followed = 0, fd = -1;
	strbuf_puts(&done, "");
	for (;;) {
		while (*p == '/')
			p++;
		if (!*p)
			break;
		size_t n = strcspn(p, "/");
		if (n == 1 && p[0] == '.') {
			p += n;
			continue;
		}
		if (n == 2 && p[0] == '.' && p[1] == '.') {
			char *slash = strrchr(done.buf, '/');
			done.len = slash ? (size_t)(slash - done.buf) : 0;
			done.buf[done.len] = '\0';
			p += n;
			continue;
		}
		size_t before = done.len;
		strbuf_putc(&done, '/');
		strbuf_append(&done, p, n);
		p += n;
		struct stat st;
		if (lstat(done.buf, &st) < 0)
			goto out;
		if (!S_ISLNK(st.st_mode))
			continue;
		/* Linux gives up after 40 links (path_resolution(7)). */
		char target[PATH_MAX];
		ssize_t len = readlink(done.buf, target, sizeof(target) - 1);
		if (++followed > 40 || len <= 0)
			goto out;
		target[len] = '\0';
		string_list_add(symlinks, done.buf);
		char *rest = xasprintf("%s/%s", target, p);
		xfree(pending);
		pending = rest;
		p = pending;
		done.len = target[0] == '/' ? 0 : before;
		done.buf[done.len] = '\0';
	}
	fd = open(done.len ? done.buf : "/", O_PATH | O_NOFOLLOW | O_CLOEXEC);
out:
	strbuf_free(&done);
	return fd;
}

/* Directories known, while one config's facts are gathered, to be reached
 * from / without a symbolic link: "/" and each ancestor of a path that
 * openat2 opened with RESOLVE_NO_SYMLINKS. The sources of a pod's volumes
 * share their directories (.../volumes/kubernetes.io~empty-dir/), so most
 * paths need no more than a statx of their last component. A set of
 * strings, open addressing by FNV-1a. */
struct host_clean_dirs {
	char **slots;
	size_t cap, len; /* cap a power of two */
	/* The clean directory of the path looked up last (NULL: none), and
	 * once a second path in it comes, that directory open (O_PATH; -1
	 * until then): the next paths in it are looked up from there, one
	 * component for the kernel to walk rather than all of them (a pod's
	 * volumes are a thousand entries of one directory). */
	char *last_dir;
	size_t last_dir_len;
	int last_dir_fd;
};

/* The slot of the n-byte string `dir`: where it is, or the empty one
 * where it would go. */
static char **host_clean_dirs_slot(const struct host_clean_dirs *set, const char *dir, size_t n)
{
	for (size_t i = fnv1a(FNV1A_START, dir, n) & (set->cap - 1);;
	     i = (i + 1) & (set->cap - 1)) {
		char *s = set->slots[i];
		if (!s || (strncmp(s, dir, n) == 0 && s[n] == '\0'))
			return &set->slots[i];
	}
}

static bool host_clean_dirs_has(const struct host_clean_dirs *set, const char *dir, size_t n)
{
	return set->cap && *host_clean_dirs_slot(set, dir, n);
}

static void host_clean_dirs_add(struct host_clean_dirs *set, const char *dir, size_t n)
{
	if (2 * (set->len + 1) > set->cap) {
		struct host_clean_dirs bigger = {
		    .slots = xcalloc(set->cap ? 2 * set->cap : 64, sizeof(char *)),
		    .cap = set->cap ? 2 * set->cap : 64,
		    .len = set->len,
		};
		for (size_t i = 0; i < set->cap; i++)
			if (set->slots[i])
				*host_clean_dirs_slot(&bigger, set->slots[i],
						      strlen(set->slots[i])) = set->slots[i];
		xfree(set->slots);
		set->slots = bigger.slots;
		set->cap = bigger.cap;
	}
	char **slot = host_clean_dirs_slot(set, dir, n);
	if (!*slot) {
		*slot = xstrndup(dir, n);
		set->len++;
	}
}

static void host_clean_dirs_clear(struct host_clean_dirs *set)
{
	for (size_t i = 0; i < set->cap; i++)
		xfree(set->slots[i]);
	xfree(set->slots);
	xfree(set->last_dir);
	if (set->last_dir_fd >= 0)
		close(set->last_dir_fd);
	*set = (struct host_clean_dirs){.last_dir_fd = -1};
}

/* Where to look up an entry of the clean directory `dir` (n bytes) from:
 * that directory open, when the path looked up before was in it too; else
 * AT_FDCWD, the entry to be looked up by its whole path. */
static int host_clean_dirs_lookup_from(struct host_clean_dirs *set, const char *dir, size_t n)
{
	if (set->last_dir && set->last_dir_len == n && memcmp(set->last_dir, dir, n) == 0) {
		if (set->last_dir_fd < 0)
			set->last_dir_fd =
			    host_open_no_symlinks(set->last_dir, O_PATH | O_DIRECTORY);
		return set->last_dir_fd >= 0 ? set->last_dir_fd : AT_FDCWD;
	}
	xfree(set->last_dir);
	if (set->last_dir_fd >= 0)
		close(set->last_dir_fd);
	set->last_dir = xstrndup(dir, n);
	set->last_dir_len = n;
	set->last_dir_fd = -1;
	return AT_FDCWD;
}

/* Every ancestor of the canonical `path`, which was reached without a
 * symbolic link, is a clean directory; so is `path` when it is one. */
static void host_clean_dirs_add_ancestors(struct host_clean_dirs *set, const char *path,
					  bool is_dir)
{
	for (const char *p = strchr(path + 1, '/'); p; p = strchr(p + 1, '/'))
		host_clean_dirs_add(set, path, (size_t)(p - path));
	if (is_dir)
		host_clean_dirs_add(set, path, strlen(path));
}

/* What `out` says of a path that leads to what `stx` describes, `fd` (or,
 * when -1, the path itself: no link on the way) open on it. */
static void host_path_describe(struct host_path *out, int fd, const struct statx *stx)
{
	out->exists = true;
	out->type = stx->stx_mode & S_IFMT;
	out->rdev_major = stx->stx_rdev_major;
	out->rdev_minor = stx->stx_rdev_minor;
	/* The root of an overlay mount: what container engines make of an
	 * image (Docker's .../overlay2/<id>/merged). */
	struct statfs sfs;
	bool mount_root = (stx->stx_attributes_mask & STATX_ATTR_MOUNT_ROOT) &&
			  (stx->stx_attributes & STATX_ATTR_MOUNT_ROOT);
	bool need_fs = (out->type == S_IFDIR && mount_root) || out->type != S_IFDIR;
	if (!need_fs || (fd >= 0 ? fstatfs(fd, &sfs) : statfs(out->resolved, &sfs)) < 0)
		return;
	if (out->type == S_IFDIR)
		out->overlay_mount_root = sfs.f_type == OVERLAYFS_SUPER_MAGIC;
	else
		/* A file on a read-only mount: runc's remount of a bind of it
		 * would take that away (noexec.c). */
		out->read_only_mount = (sfs.f_flags & ST_RDONLY) != 0;
}

/* Where a path leads and what it is. The common path is canonical and has
 * no symbolic link: one openat2 that refuses them, then the path is the
 * kernel's own name of what it opened, and one statx; where its directory
 * is already known clean, a statx of the last component alone, without
 * following it. realpath(3) would lstat and readlink each component in
 * turn (a config with a thousand bind mounts made that the largest cost of
 * a create). */
static void host_path_facts(const char *path, struct host_path *out, struct host_clean_dirs *clean)
{
	*out = (struct host_path){.path = xstrdup(path)};
	if (path[0] != '/')
		return;
	bool canonical = host_path_is_canonical(path);
	const char *last = strrchr(path, '/');
	struct statx stx;
	size_t dir_len = last == path ? 1 : (size_t)(last - path); /* "/" for "/x" */
	if (canonical && path[1] && host_clean_dirs_has(clean, path, dir_len)) {
		int from = host_clean_dirs_lookup_from(clean, path, dir_len);
		int r = statx(from, from == AT_FDCWD ? path : last + 1, AT_SYMLINK_NOFOLLOW,
			      STATX_TYPE, &stx);
		if (r < 0 && (errno == ENOENT || errno == ENOTDIR))
			return; /* nothing there */
		if (r == 0 && !S_ISLNK(stx.stx_mode)) {
			out->resolved = xstrdup(path);
			host_path_describe(out, -1, &stx);
			return;
		}
	}
	cleanup_close int fd = host_open_no_symlinks(path, O_PATH);
	cleanup_free char *target = NULL;
	if (fd >= 0 && canonical)
		target = xstrdup(path); /* see host_open_named */
	else if (fd < 0 && errno != ENOENT && errno != ENOTDIR)
		fd = host_open_walking(path, &out->symlinks); /* ELOOP, or no openat2 */
	if (fd < 0)
		return;
	bool clean_way = target != NULL;
	if (!target)
		target = host_fd_name(fd);
	if (!target || statx(fd, "", AT_EMPTY_PATH, STATX_TYPE, &stx) < 0)
		return;
	out->resolved = steal_pointer(&target);
	host_path_describe(out, fd, &stx);
	if (clean_way)
		host_clean_dirs_add_ancestors(clean, path, out->type == S_IFDIR);
}

char *host_self_path(void)
{
	/* The name the caller ran it by (the auxiliary vector's AT_EXECFN)
	 * where that is canonical and leads to a file without a symbolic
	 * link, as containerd, Docker and Podman run it: no /proc lookup,
	 * which costs a fresh process several microseconds. Else the
	 * kernel's name of it, /proc/self/exe's link; a binary replaced since
	 * it started is "... (deleted)" there, which names nothing. */
	const char *run_by = (const char *)getauxval(AT_EXECFN);
	if (run_by && host_path_has_symlink(run_by) == 0)
		return xstrdup(run_by);
	char self[PATH_MAX];
	static const char deleted[] = " (deleted)";
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	size_t len = n > 0 && n < (ssize_t)sizeof(self) - 1 ? (size_t)n : 0;
	if (!len || self[0] != '/' ||
	    (len >= sizeof(deleted) &&
	     memcmp(self + len - (sizeof(deleted) - 1), deleted, sizeof(deleted) - 1) == 0))
		return NULL;
	return xstrndup(self, len);
}

/* What the hook that makes a container's memfds unexecutable needs: the
 * path of this binary, and whether vm.memfd_noexec exists and can be
 * written. */
static void host_memfd_noexec_facts(struct host_facts *facts)
{
	facts->self_program = host_self_path();
	facts->memfd_noexec_sysctl =
	    faccessat(AT_FDCWD, "/proc/sys/vm/memfd_noexec", W_OK, AT_EACCESS) == 0;
}

int host_self_stat(struct stat *st)
{
	/* The name the caller ran this program by, from the auxiliary
	 * vector: a /proc lookup costs a fresh process several microseconds,
	 * and nothing has changed the working directory yet. A program
	 * replaced there since is the one a runtime naming that path would
	 * run. */
	const char *run_by = (const char *)getauxval(AT_EXECFN);
	if (run_by && stat(run_by, st) == 0 && S_ISREG(st->st_mode))
		return 0;
	return stat("/proc/self/exe", st);
}

/* What the sources are to the host's live daemons (issue 17). The live
 * daemons are looked for only when a source is not settled by the default
 * directories alone (a sandbox's hosts file under containerd's default
 * root is not): most creates never read /proc beyond their own paths. */
static void host_sources_facts(const struct host_queries *queries, struct host_facts *facts)
{
	struct host_path **sources = xcalloc(queries->sources.len, sizeof(*sources));
	bool survey = false;
	/* Both lists are sorted, and every source is among the paths
	 * (harden_host_queries): one walk along both finds each source's
	 * fact, where a search for each would compare a dozen paths. */
	size_t at = 0;
	for (size_t i = 0; i < queries->sources.len; i++) {
		const char *source = queries->sources.items[i];
		int order = -1;
		while (at < facts->paths_len && (order = strcmp(facts->paths[at].path, source)) < 0)
			at++;
		struct host_path *fact = order == 0 ? &facts->paths[at] : NULL;
		if (!fact || !fact->exists)
			continue;
		sources[i] = fact;
		survey |= fact->type == S_IFSOCK || fact->symlinks.len ||
			  !runtime_dirs_default_settles(fact->resolved);
	}
	if (!survey) {
		xfree(sources);
		return;
	}
	struct host_survey daemons = {0};
	host_survey_daemons(&daemons);
	for (size_t i = 0; i < queries->sources.len; i++) {
		struct host_path *fact = sources[i];
		if (!fact || fact->sensitive)
			continue;
		if (fact->type == S_IFSOCK)
			fact->sensitive = host_survey_socket(&daemons, fact->resolved);
		else if (fact->type == S_IFDIR && !runtime_dirs_default_settles(fact->resolved))
			fact->sensitive = host_survey_directory(&daemons, fact->resolved);
	}
	host_survey_give_dirs(&daemons, facts);
	facts->runtime_dirs_surveyed = true;
	host_survey_clear(&daemons);
	xfree(sources);
}

void host_facts_gather(const struct policy *policy, const struct host_queries *queries,
		       const char *bundle, struct host_facts *facts)
{
	*facts = (struct host_facts){.bundle = bundle ? xstrdup(bundle) : NULL};
	if (queries && queries->paths.len) {
		facts->paths = xcalloc(queries->paths.len, sizeof(*facts->paths));
		struct host_clean_dirs clean = {.last_dir_fd = -1};
		host_clean_dirs_add(&clean, "/", 1);
		for (size_t i = 0; i < queries->paths.len; i++)
			host_path_facts(queries->paths.items[i], &facts->paths[i], &clean);
		host_clean_dirs_clear(&clean);
		facts->paths_len = queries->paths.len;
	}
	if (queries && queries->sources.len)
		host_sources_facts(queries, facts);
	if (queries && queries->namespace_types.len) {
		size_t n = queries->namespace_types.len;
		facts->namespaces = xcalloc(n, sizeof(*facts->namespaces));
		for (size_t i = 0; i < n; i++) {
			const char *type = queries->namespace_types.items[i];
			const char *path = queries->namespace_paths.items[i];
			facts->namespaces[i] = (struct host_namespace){
			    .type = xstrdup(type),
			    .path = xstrdup(path),
			    .is_host = host_namespace_is_host(type, path),
			};
		}
		facts->namespaces_len = n;
	}
	if (bundle && !policy->allow.exec_memfd)
		host_memfd_noexec_facts(facts);
	const char *profile = policy->apparmor_profile;
	if (!profile || !*profile)
		return;
	facts->apparmor_enabled = host_apparmor_enabled();
	if (facts->apparmor_enabled)
		facts->apparmor_profile_loaded = host_apparmor_profile_loaded(profile);
}

void host_facts_for_spec(const struct policy *policy, const struct json *spec, const char *bundle,
			 struct host_facts *facts)
{
	struct host_queries queries = {0};
	harden_host_queries(spec, bundle, &queries);
	host_facts_gather(policy, &queries, bundle, facts);
	host_queries_clear(&queries);
}
