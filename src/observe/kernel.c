/* SPDX-License-Identifier: Apache-2.0 */
#include "kernel.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <seccomp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <time.h>
#include <unistd.h>

#include "observe.skel.h"
#include "observe_version.h"

#define BPFFS_DEFAULT "/sys/fs/bpf"

/* The pins of these programs live in a directory named by a hash of their
 * object (OBSERVE_VERSION, made at build time): another build (an upgrade)
 * loads its programs beside the old ones instead of reading maps laid out
 * differently. */
static char *observe_version_dir(const char *dir)
{
	return xasprintf("%s/%s", dir, OBSERVE_VERSION);
}

/* Programs of other builds that no container uses any more are removed:
 * unpinned, the kernel detaches them. */
static void observe_remove_old(const char *dir, const char *current)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	while (d && (de = readdir(d))) {
		if (de->d_name[0] == '.' || strlen(de->d_name) != 16)
			continue;
		cleanup_free char *sub = xasprintf("%s/%s", dir, de->d_name);
		if (strcmp(sub, current) == 0)
			continue;
		cleanup_free char *containers = xasprintf("%s/containers", sub);
		cleanup_close int fd = bpf_obj_get(containers);
		__u64 key;
		if (fd >= 0 && bpf_map_get_next_key(fd, NULL, &key) == 0)
			continue; /* still in use */
		DIR *pins = opendir(sub);
		struct dirent *pin;
		while (pins && (pin = readdir(pins)))
			if (pin->d_name[0] != '.') {
				cleanup_free char *p = xasprintf("%s/%s", sub, pin->d_name);
				unlink(p);
			}
		if (pins)
			closedir(pins);
		rmdir(sub);
	}
	if (d)
		closedir(d);
}

/* linux/nsfs.h of Linux 6.8; Debian 12's headers predate it. */
#ifndef NS_GET_MNTNS_ID
#define NS_GET_MNTNS_ID _IOR(0xb7, 0x5, __u64)
#endif

static bool kernel_has_mntns_ids(void)
{
	cleanup_close int fd = open("/proc/self/ns/mnt", O_RDONLY | O_CLOEXEC);
	__u64 id;
	return fd >= 0 && ioctl(fd, NS_GET_MNTNS_ID, &id) == 0;
}

__u64 observe_kernel_mntns(long long pid)
{
	cleanup_free char *path = xasprintf("/proc/%lld/ns/mnt", pid);
	cleanup_close int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	__u64 id;
	if (ioctl(fd, NS_GET_MNTNS_ID, &id) == 0)
		return id;
	struct stat st;
	return fstat(fd, &st) == 0 ? (__u64)st.st_ino : 0;
}

static const char *const map_pins[] = {"containers", "state", "details", "paths", "ids", "watch"};

/* libbpf's own messages go nowhere unless asked: the helper says in words
 * what failed. OBSERVE_DEBUG=1 shows them, for whoever debugs a kernel. */
static int observe_libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	static int debug = -1;
	if (debug < 0) {
		const char *v = getenv("OBSERVE_DEBUG");
		debug = v && *v == '1';
	}
	return debug && level != LIBBPF_DEBUG ? vfprintf(stderr, fmt, ap) : 0;
}

static char *pin_path(const struct observe_kernel *k, const char *name)
{
	return xasprintf("%s/%s", k->dir, name);
}

/* bpffs must be mounted for pins to outlive us; a fresh machine may not
 * have it where the settings want it: mount it at /sys/fs/bpf, its usual
 * place, and say so. */
static int observe_bpffs(const char *dir, char **said, oh_error_t *err)
{
	cleanup_free char *probe = xstrdup(dir);
	struct statfs fs;
	for (;;) {
		if (statfs(probe, &fs) == 0)
			break;
		if (errno != ENOENT)
			return oh_error_make(err, errno, "observe_dir %s", dir);
		char *slash = strrchr(probe, '/');
		if (!slash || slash == probe)
			return oh_error_make(err, 0, "observe_dir %s: no parent exists", dir);
		*slash = '\0';
	}
	if (fs.f_type == BPF_FS_MAGIC)
		return 0;
	if (strcmp(probe, BPFFS_DEFAULT) != 0 && strncmp(dir, BPFFS_DEFAULT "/", 12) != 0)
		return oh_error_make(err, 0, "observe_dir %s is not on a bpf filesystem", dir);
	if (mount("bpf", BPFFS_DEFAULT, "bpf", MS_NOSUID | MS_NODEV | MS_NOEXEC, "mode=0700") < 0)
		return oh_error_make(err, errno, "cannot mount bpffs at " BPFFS_DEFAULT);
	*said = xstrdup("mounted bpffs at " BPFFS_DEFAULT " for observation");
	return 0;
}

static int mkdir_p(const char *path, oh_error_t *err)
{
	cleanup_free char *copy = xstrdup(path);
	for (char *p = copy + 1;; p++) {
		if (*p == '/' || *p == '\0') {
			char c = *p;
			*p = '\0';
			if (mkdir(copy, 0700) < 0 && errno != EEXIST)
				return oh_error_make(err, errno, "cannot create %s", copy);
			*p = c;
			if (c == '\0')
				break;
		}
	}
	return 0;
}

/* The address range of each function whose capability checks are
 * noaudit probes (kernel/capability.c, security/commoncap.c), from
 * /proc/kallsyms: a symbol ends where the next one in address order
 * starts. cap_vm_enough_memory ends in a tail call of cap_capable, so its
 * caller, security_vm_enough_memory_mm (which makes no other check), is
 * the frame on the stack. None found (kallsyms hidden): no probe is told
 * apart, and every mmap of a root process shows CAP_SYS_ADMIN. */
static const char *const noaudit_functions[] = {
    "ns_capable_noaudit",   "has_ns_capability_noaudit",    "has_capability_noaudit",
    "cap_vm_enough_memory", "security_vm_enough_memory_mm",
};

/* One line of /proc/kallsyms: "ADDRESS TYPE NAME[\t[MODULE]]". Read by
 * hand: sscanf over its 100,000 lines, twice, took most of a load. */
static bool kallsyms_line(char *line, unsigned long long *addr, char *type, char **name)
{
	char *end;
	*addr = strtoull(line, &end, 16);
	if (end == line || end[0] != ' ' || !end[1] || end[2] != ' ')
		return false;
	*type = end[1];
	*name = end + 3;
	(*name)[strcspn(*name, " \t\n")] = '\0';
	return true;
}

static size_t observe_noaudit_ranges(struct observe_range *out, size_t max)
{
	FILE *f = fopen("/proc/kallsyms", "re");
	if (!f)
		return 0;
	unsigned long long starts[ARRAY_SIZE(noaudit_functions)] = {0};
	unsigned long long ends[ARRAY_SIZE(noaudit_functions)] = {0};
	char line[512];
	unsigned long long addr;
	char type, *name;
	while (fgets(line, sizeof(line), f)) {
		if (!kallsyms_line(line, &addr, &type, &name) || addr == 0)
			continue;
		if (type != 't' && type != 'T')
			continue;
		for (size_t i = 0; i < ARRAY_SIZE(noaudit_functions); i++) {
			if (strcmp(name, noaudit_functions[i]) == 0)
				starts[i] = addr;
			else if (starts[i] && addr > starts[i] && (!ends[i] || addr < ends[i]))
				ends[i] = addr;
		}
	}
	fclose(f);
	/* kallsyms is not sorted everywhere: a second pass finds the nearest
	 * symbol above each start whatever the order. */
	f = fopen("/proc/kallsyms", "re");
	while (f && fgets(line, sizeof(line), f)) {
		if (!kallsyms_line(line, &addr, &type, &name))
			continue;
		for (size_t i = 0; i < ARRAY_SIZE(noaudit_functions); i++)
			if (starts[i] && addr > starts[i] && (!ends[i] || addr < ends[i]))
				ends[i] = addr;
	}
	if (f)
		fclose(f);
	size_t n = 0;
	for (size_t i = 0; i < ARRAY_SIZE(noaudit_functions) && n < max; i++)
		if (starts[i] && ends[i] > starts[i])
			out[n++] = (struct observe_range){.start = starts[i], .end = ends[i]};
	return n;
}

static void observe_unpin_all(const char *dir)
{
	static const char *const names[] = {
	    "containers", "state",	    "details",	      "paths",
	    "ids",	  "prog_sys_enter", "prog_sys_exit",  "link_cap",
	    "link_exec",  "link_fork",	    "link_sys_enter", "link_sys_exit"};
	for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
		cleanup_free char *p = xasprintf("%s/%s", dir, names[i]);
		unlink(p);
	}
}

static int observe_load(struct observe_kernel *k, oh_error_t *err)
{
	libbpf_set_print(observe_libbpf_print);
	struct observe *skel = observe__open();
	if (!skel)
		return oh_error_make(err, errno, "cannot open the observation programs");
	struct observe_range ranges[OBSERVE_NOAUDIT_RANGES];
	size_t n = observe_noaudit_ranges(ranges, OBSERVE_NOAUDIT_RANGES);
	for (size_t i = 0; i < n; i++)
		((struct observe_range *)skel->rodata->noaudit)[i] = ranges[i];
	skel->rodata->noaudit_len = (__u32)n;
	skel->rodata->key_by_inode = !kernel_has_mntns_ids();

	cleanup_free char *exit_ = pin_path(k, "prog_sys_exit");
	int r = observe__load(skel);
	if (r < 0) {
		int e = errno ? errno : -r;
		observe__destroy(skel);
		if (access("/sys/kernel/btf/vmlinux", R_OK) < 0)
			return oh_error_make(err, 0,
					     "the kernel has no BTF (/sys/kernel/btf/vmlinux): "
					     "observation needs CONFIG_DEBUG_INFO_BTF");
		return oh_error_make(err, e,
				     "the kernel refused the observation programs (it needs BPF, "
				     "BTF and the capability:cap_capable, raw_syscalls and sched "
				     "tracepoints)");
	}
	struct {
		struct bpf_map *map;
		const char *name;
	} maps[] = {
	    {skel->maps.containers, "containers"},
	    {skel->maps.state, "state"},
	    {skel->maps.details, "details"},
	    {skel->maps.paths, "paths"},
	    {skel->maps.ids, "ids"},
	    {skel->maps.watch, "watch"},
	};
	struct {
		struct bpf_program *prog;
		const char *name;
	} links[] = {
	    {skel->progs.observe_cap_capable, "link_cap"},
	    {skel->progs.observe_exec, "link_exec"},
	    {skel->progs.observe_fork, "link_fork"},
	    {skel->progs.observe_process_exit, "link_process_exit"},
	};
	for (size_t i = 0; i < ARRAY_SIZE(maps); i++) {
		cleanup_free char *p = pin_path(k, maps[i].name);
		if (bpf_map__pin(maps[i].map, p) < 0) {
			oh_error_make(err, errno, "cannot pin %s", p);
			goto fail;
		}
	}
	if (bpf_program__pin(skel->progs.observe_sys_exit, exit_) < 0) {
		oh_error_make(err, errno, "cannot pin the syscall programs in %s", k->dir);
		goto fail;
	}
	for (size_t i = 0; i < ARRAY_SIZE(links); i++) {
		struct bpf_link *link = bpf_program__attach(links[i].prog);
		cleanup_free char *p = pin_path(k, links[i].name);
		if (!link) {
			oh_error_make(err, errno, "the kernel refused to attach %s",
				      bpf_program__name(links[i].prog));
			goto fail;
		}
		int pinned = bpf_link__pin(link, p);
		bpf_link__destroy(link); /* the pin holds it */
		if (pinned < 0) {
			oh_error_make(err, errno, "cannot pin %s", p);
			goto fail;
		}
	}
	observe__destroy(skel);
	return 0;
fail:
	observe__destroy(skel);
	observe_unpin_all(k->dir);
	return -1;
}

int observe_kernel_open(const char *dir, bool load, struct observe_kernel *k, char **said,
			oh_error_t *err)
{
	*k = (struct observe_kernel){
	    .dir = observe_version_dir(dir),
	    .containers = -1,
	    .state = -1,
	    .details = -1,
	    .paths = -1,
	    .ids = -1,
	    .watch = -1,
	};
	*said = NULL;
	cleanup_free char *probe = pin_path(k, "containers");
	if (access(probe, F_OK) < 0) {
		if (!load)
			return oh_error_make(err, 0, "no observation programs are loaded (%s)",
					     k->dir);
		if (observe_bpffs(dir, said, err) < 0 || mkdir_p(k->dir, err) < 0 ||
		    observe_load(k, err) < 0)
			return -1;
		observe_remove_old(dir, k->dir);
		char *before = *said;
		*said = xasprintf("%s%sloaded the observation programs (pinned in %s)",
				  before ? before : "", before ? "; " : "", k->dir);
		xfree(before);
	}
	int *fds[] = {&k->containers, &k->state, &k->details, &k->paths, &k->ids, &k->watch};
	for (size_t i = 0; i < ARRAY_SIZE(map_pins); i++) {
		cleanup_free char *p = pin_path(k, map_pins[i]);
		*fds[i] = bpf_obj_get(p);
		if (*fds[i] < 0)
			return oh_error_make(err, errno, "cannot open %s", p);
	}
	return 0;
}

void observe_kernel_close(struct observe_kernel *k)
{
	int fds[] = {k->containers, k->state, k->details, k->paths, k->ids, k->watch};
	for (size_t i = 0; i < ARRAY_SIZE(fds); i++)
		if (fds[i] >= 0)
			close(fds[i]);
	xfree(k->dir);
	*k = (struct observe_kernel){.containers = -1};
}

bool observe_kernel_syscalls_attached(const struct observe_kernel *k)
{
	cleanup_free char *p = pin_path(k, "link_sys_exit");
	return access(p, F_OK) == 0;
}

int observe_kernel_syscalls(struct observe_kernel *k, bool on, oh_error_t *err)
{
	cleanup_free char *link_path = pin_path(k, "link_sys_exit");
	if (!on) {
		/* The link goes when its last pin and fd do. */
		if (unlink(link_path) < 0 && errno != ENOENT)
			return oh_error_make(err, errno, "cannot unpin %s", link_path);
		return 0;
	}
	if (access(link_path, F_OK) == 0)
		return 0;
	cleanup_free char *prog_path = pin_path(k, "prog_sys_exit");
	cleanup_close int prog = bpf_obj_get(prog_path);
	if (prog < 0)
		return oh_error_make(err, errno, "cannot open %s", prog_path);
	cleanup_close int link = bpf_raw_tracepoint_open(NULL, prog);
	if (link < 0)
		return oh_error_make(err, errno,
				     "the kernel refused to attach the sys_exit program");
	if (bpf_obj_pin(link, link_path) < 0)
		return oh_error_make(err, errno, "cannot pin %s", link_path);
	return 0;
}

static __u64 boot_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_BOOTTIME, &ts);
	return (__u64)ts.tv_sec * 1000000000ull + (__u64)ts.tv_nsec;
}

/* The syscalls sys_exit looks at for every container, whatever they
 * return: those that change ids (observed as "ids switched to") and those
 * that move a process to another mount namespace. */
static const char *const watch_always[] = {
    "setuid",	"setgid",   "setreuid",	 "setregid", "setresuid", "setresgid",
    "setfsuid", "setfsgid", "setgroups", "unshare",  "setns",
};

static void watch_set(__u64 *bits, int nr)
{
	if (nr >= 0 && nr < OBSERVE_SYSCALL_MAX)
		bits[nr / 64] |= 1ull << (nr % 64);
}

void observe_kernel_update_watch(const struct observe_kernel *k)
{
	struct observe_watch w = {0};
	for (size_t i = 0; i < ARRAY_SIZE(watch_always); i++)
		watch_set(w.exits, seccomp_syscall_resolve_name(watch_always[i]));
	__u64 key, next;
	__u64 *prev = NULL;
	__u64 now = boot_ns();
	struct observe_container c;
	while (bpf_map_get_next_key(k->containers, prev, &next) == 0) {
		key = next;
		prev = &key;
		if (bpf_map_lookup_elem(k->containers, &key, &c) < 0 || c.syscalls_until_ns <= now)
			continue;
		if (c.flags & OBSERVE_F_ENFORCE) {
			w.enforcing = 1;
			continue;
		}
		/* Audit: a call its policy would deny is an observation
		 * even when it succeeds. */
		for (int i = 0; i < OBSERVE_SYSCALL_WORDS; i++)
			w.exits[i] |= c.deny[i] | c.cond[i];
	}
	__u32 zero = 0;
	bpf_map_update_elem(k->watch, &zero, &w, BPF_ANY);
}

bool observe_kernel_syscalls_needed(const struct observe_kernel *k)
{
	__u64 key, next;
	__u64 *prev = NULL;
	__u64 now = boot_ns();
	struct observe_container c;
	while (bpf_map_get_next_key(k->containers, prev, &next) == 0) {
		key = next;
		prev = &key;
		if (bpf_map_lookup_elem(k->containers, &key, &c) == 0 && c.syscalls_until_ns > now)
			return true;
	}
	return false;
}

int observe_kernel_register(struct observe_kernel *k, __u64 mntns,
			    const struct observe_container *config, __u32 uid, __u32 gid,
			    oh_error_t *err)
{
	struct observe_state s = {.init_uid = uid, .init_gid = gid};
	/* State first: the programs look the state up once they see the
	 * container. */
	if (bpf_map_update_elem(k->state, &mntns, &s, BPF_ANY) < 0)
		return oh_error_make(err, errno, "cannot register the container's state");
	if (bpf_map_update_elem(k->containers, &mntns, config, BPF_ANY) < 0)
		return oh_error_make(err, errno, "cannot register the container");
	return 0;
}

/* Every key of `fd` whose first member (the container id) is `id`. */
static int collect_keys(int fd, size_t key_size, __u64 id, void **keys, size_t *len,
			oh_error_t *err)
{
	cleanup_free void *prev = NULL;
	void *next = xmalloc(key_size);
	size_t cap = 0;
	*keys = NULL;
	*len = 0;
	while (bpf_map_get_next_key(fd, prev, next) == 0) {
		__u64 owner;
		memcpy(&owner, next, sizeof(owner));
		if (owner == id) {
			*keys = xgrow(*keys, &cap, *len + 1, key_size);
			memcpy((char *)*keys + *len * key_size, next, key_size);
			(*len)++;
		}
		if (!prev)
			prev = xmalloc(key_size);
		memcpy(prev, next, key_size);
	}
	xfree(next);
	if (errno != ENOENT)
		return oh_error_make(err, errno, "cannot read the observation maps");
	return 0;
}

#define READ_ENTRIES(fd, type, keyfield, valuefield, list, len_, cap_)                             \
	do {                                                                                       \
		void *keys;                                                                        \
		size_t n;                                                                          \
		if (collect_keys(fd, sizeof(((type *)0)->keyfield), id, &keys, &n, err) < 0)       \
			return -1;                                                                 \
		for (size_t i = 0; i < n; i++) {                                                   \
			type item;                                                                 \
			memcpy(&item.keyfield, (char *)keys + i * sizeof(item.keyfield),           \
			       sizeof(item.keyfield));                                             \
			if (bpf_map_lookup_elem(fd, &item.keyfield, &item.valuefield) < 0)         \
				continue;                                                          \
			if (forget)                                                                \
				bpf_map_delete_elem(fd, &item.keyfield);                           \
			(list) = xgrow((list), &(cap_), (len_) + 1, sizeof(type));                 \
			(list)[(len_)++] = item;                                                   \
		}                                                                                  \
		xfree(keys);                                                                       \
	} while (0)

int observe_kernel_read(struct observe_kernel *k, __u64 id, bool forget,
			struct observe_kernel_seen *out, oh_error_t *err)
{
	*out = (struct observe_kernel_seen){0};
	out->registered = bpf_map_lookup_elem(k->containers, &id, &out->config) == 0;
	bpf_map_lookup_elem(k->state, &id, &out->state);
	READ_ENTRIES(k->details, struct observe_kernel_detail, key, event, out->details,
		     out->details_len, out->details_cap);
	READ_ENTRIES(k->paths, struct observe_kernel_path, key, value, out->paths, out->paths_len,
		     out->paths_cap);
	READ_ENTRIES(k->ids, struct observe_kernel_ids, key, event, out->ids, out->ids_len,
		     out->ids_cap);
	if (!forget)
		return 0;
	bpf_map_delete_elem(k->state, &id);
	/* The container, and the namespaces its processes made for themselves:
	 * every entry that names it as owner. */
	__u64 key, next;
	__u64 *prev = NULL;
	struct observe_container c;
	__u64 *gone = NULL;
	size_t gone_len = 0, gone_cap = 0;
	while (bpf_map_get_next_key(k->containers, prev, &next) == 0) {
		key = next;
		prev = &key;
		if (bpf_map_lookup_elem(k->containers, &key, &c) == 0 && c.id == id) {
			gone = xgrow(gone, &gone_cap, gone_len + 1, sizeof(*gone));
			gone[gone_len++] = key;
		}
	}
	for (size_t i = 0; i < gone_len; i++)
		bpf_map_delete_elem(k->containers, &gone[i]);
	xfree(gone);
	return 0;
}

void observe_kernel_seen_clear(struct observe_kernel_seen *seen)
{
	xfree(seen->details);
	xfree(seen->paths);
	xfree(seen->ids);
	*seen = (struct observe_kernel_seen){0};
}
