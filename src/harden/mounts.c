/* SPDX-License-Identifier: Apache-2.0 */
/* Mounts, judged in order as the runtime performs them: runc 1.1.5
 * (libcontainer/rootfs_linux.go, mountToRootfs) and crun 1.8
 * (libcrun/linux.c, do_mounts) mount each entry of `mounts` in turn, in a
 * mount namespace that is a copy of the host's, with the mounts before it
 * already in place under the root filesystem.
 *
 * - A bind source, and a path in an option (overlay's lowerdir=...), is a
 *   path on the host, resolved by the kernel when the runtime mounts it. It
 *   must exist now; it must not be, contain or lie inside the container's
 *   root filesystem (where the earlier mounts are, and where the image's
 *   symlinks are); it must not be reached through a symbolic link the
 *   container controls (one in its root filesystem, in a directory it gets
 *   writable, in a container runtime's directories, or a /proc magic link);
 *   and what it is must not hand over the host: the host's system
 *   directories (CIS Docker 5.6), a unix socket or a device node, a
 *   container runtime's or the kubelet's directories (except the few places
 *   the runtime itself binds from), a directory holding a live runtime's
 *   socket. allow.host_paths vouches for a source.
 * - A filesystem is mounted only where it belongs and only if its type is
 *   on a short safe list: a second proc or sysfs elsewhere shows what
 *   maskedPaths hide; devtmpfs, debugfs and their like are the host's.
 *   allow.mount_types lifts that for a type.
 * - Options are the runtimes' own words or data for the filesystem; those
 *   that could loosen something are refused: shared propagation (CIS 5.20),
 *   "remount" (which would turn an earlier read-only mount writable),
 *   idmapped mounts, any option of a cgroup filesystem, unknown overlay
 *   options. */
#include <assert.h>
#include <string.h>
#include <sys/stat.h>

#include "module.h"
#include "runtime_dirs.h"

/* --- the host's system directories ------------------------------------ */

/* Host directories a container may never have whole (nor any ancestor of
 * them, which contains them). Inside the ones marked `inside_read_only`,
 * read-only binds of single files (/etc/localtime, a CA bundle) are fine;
 * inside the others nothing may be bound at all (a raw disk under /dev,
 * kernel knobs under /proc and /sys). */
static const struct {
	const char *path;
	bool inside_allowed;
	bool inside_read_only;
} system_paths[] = {
    {"/boot", false, false}, {"/dev", false, false}, {"/etc", true, true},
    {"/lib", true, true},    {"/lib64", true, true}, {"/proc", false, false},
    {"/sys", false, false},  {"/usr", true, true},   {"/root", false, false},
};

/* Why binding clean host path `path` is refused by the system directories,
 * or NULL. */
static const char *mounts_system_reason(const char *path, bool read_only)
{
	for (size_t i = 0; i < ARRAY_SIZE(system_paths); i++) {
		const char *system = system_paths[i].path;
		if (harden_path_within(system, path))
			return strcmp(system, path) == 0 ? "is a sensitive host path"
							 : "contains a sensitive host path";
		if (harden_path_within(path, system)) {
			if (!system_paths[i].inside_allowed)
				return "is inside a sensitive host path";
			if (system_paths[i].inside_read_only && !read_only)
				return "is inside a sensitive host path and mounted writable";
		}
	}
	return NULL;
}

/* --- the container runtimes' directories ------------------------------ */

struct runtime_dir_verdict {
	enum runtime_dir_relation relation;
	const char *what; /* of the directory that decides */
	const char *path;
};

static void mounts_runtime_dir_consider(struct runtime_dir_verdict *v, size_t *depth,
					const char *dir, const char *what,
					enum runtime_dir_layout layout, const char *path)
{
	if (!runtime_dir_may_relate(dir, path))
		return;
	size_t d;
	enum runtime_dir_relation r = runtime_dir_relation(dir, layout, path, &d);
	if (r == RUNTIME_DIR_UNRELATED || v->relation == RUNTIME_DIR_IS)
		return;
	if (r == RUNTIME_DIR_IS ||
	    (r == RUNTIME_DIR_CONTAINS && v->relation != RUNTIME_DIR_CONTAINS)) {
		*v = (struct runtime_dir_verdict){r, what, dir};
		return;
	}
	/* Of the directories holding the path, the innermost decides: a
	 * containerd root inside /var/lib/rancher binds what containerd binds. */
	if (r != RUNTIME_DIR_CONTAINS && v->relation != RUNTIME_DIR_CONTAINS && d > *depth) {
		*v = (struct runtime_dir_verdict){r, what, dir};
		*depth = d;
	}
}

/* How clean absolute `path` stands to the runtimes' directories, the
 * defaults and those of the host's live daemons. */
static struct runtime_dir_verdict mounts_runtime_dir_verdict(const struct host_facts *host,
							     const char *path)
{
	struct runtime_dir_verdict v = {RUNTIME_DIR_UNRELATED, NULL, NULL};
	size_t depth = 0;
	unsigned char related[RUNTIME_DIRS_DEFAULT_MAX];
	size_t related_len = runtime_dirs_default_related(path, related);
	for (size_t c = 0; c < related_len; c++) {
		size_t i = related[c];
		mounts_runtime_dir_consider(&v, &depth, runtime_dirs_default[i].path,
					    runtime_dirs_default[i].what,
					    runtime_dirs_default[i].layout, path);
	}
	for (size_t i = 0; host && i < host->runtime_dirs_len; i++)
		mounts_runtime_dir_consider(&v, &depth, host->runtime_dirs[i].path,
					    host->runtime_dirs[i].what,
					    host->runtime_dirs[i].layout, path);
	return v;
}

/* Why `path` is refused by the runtimes' directories, or NULL. Caller
 * frees. `*bound` (may be NULL) receives whether the innermost directory
 * holding it is one its runtime binds from. */
static char *mounts_runtime_dir_reason(const struct host_facts *host, const char *path, bool *bound)
{
	struct runtime_dir_verdict v = mounts_runtime_dir_verdict(host, path);
	if (bound)
		*bound = v.relation == RUNTIME_DIR_BOUND;
	switch (v.relation) {
	case RUNTIME_DIR_IS:
		return xasprintf("is %s", v.what);
	case RUNTIME_DIR_CONTAINS:
		return xasprintf("contains %s (%s)", v.what, v.path);
	case RUNTIME_DIR_INSIDE:
		return xasprintf("is inside %s (%s), where its runtime binds nothing into "
				 "containers from",
				 v.what, v.path);
	case RUNTIME_DIR_UNRELATED:
	case RUNTIME_DIR_BOUND:
		break;
	}
	return NULL;
}

/* --- options ----------------------------------------------------------- */

enum mount_option_effect {
	MOUNT_OPTION_DATA, /* not a runtime's word: handed to mount(2) as data */
	MOUNT_OPTION_FLAG, /* a flag that cannot give the container more of the host */
	MOUNT_OPTION_RO,
	MOUNT_OPTION_RW,
	MOUNT_OPTION_RECURSIVE_RO,
	MOUNT_OPTION_RECURSIVE_RW,
	MOUNT_OPTION_BIND,
	MOUNT_OPTION_PROPAGATION, /* private, slave, unbindable */
	MOUNT_OPTION_SHARED,
	MOUNT_OPTION_REMOUNT,
	MOUNT_OPTION_TMPCOPYUP,
	MOUNT_OPTION_IDMAP,
};

/* Every option runc 1.1.5 (libcontainer/specconv/spec_linux.go:
 * mountFlags, mountPropagationMapping, recAttrFlags, extensionFlags) or
 * crun 1.8 (libcrun/mount_flags.perf) takes as its own word, sorted by
 * name. Anything else both hand to mount(2) as the filesystem's data. */
static const struct mount_option {
	const char *name;
	enum mount_option_effect effect;
} mount_options[] = {
    {"acl", MOUNT_OPTION_FLAG},
    {"async", MOUNT_OPTION_FLAG},
    {"atime", MOUNT_OPTION_FLAG},
    {"bind", MOUNT_OPTION_BIND},
    {"defaults", MOUNT_OPTION_FLAG},
    {"dev", MOUNT_OPTION_FLAG},
    {"diratime", MOUNT_OPTION_FLAG},
    {"dirsync", MOUNT_OPTION_FLAG},
    {"exec", MOUNT_OPTION_FLAG},
    {"iversion", MOUNT_OPTION_FLAG},
    {"lazytime", MOUNT_OPTION_FLAG},
    {"loud", MOUNT_OPTION_FLAG},
    {"mand", MOUNT_OPTION_FLAG},
    {"noacl", MOUNT_OPTION_FLAG},
    {"noatime", MOUNT_OPTION_FLAG},
    {"nodev", MOUNT_OPTION_FLAG},
    {"nodiratime", MOUNT_OPTION_FLAG},
    {"noexec", MOUNT_OPTION_FLAG},
    {"noiversion", MOUNT_OPTION_FLAG},
    {"nolazytime", MOUNT_OPTION_FLAG},
    {"nomand", MOUNT_OPTION_FLAG},
    {"norelatime", MOUNT_OPTION_FLAG},
    {"nostrictatime", MOUNT_OPTION_FLAG},
    {"nosuid", MOUNT_OPTION_FLAG},
    {"nosymfollow", MOUNT_OPTION_FLAG},
    {"private", MOUNT_OPTION_PROPAGATION},
    {"rasync", MOUNT_OPTION_FLAG},
    {"ratime", MOUNT_OPTION_FLAG},
    {"rbind", MOUNT_OPTION_BIND},
    {"rdev", MOUNT_OPTION_FLAG},
    {"rdiratime", MOUNT_OPTION_FLAG},
    {"rdirsync", MOUNT_OPTION_FLAG},
    {"relatime", MOUNT_OPTION_FLAG},
    {"remount", MOUNT_OPTION_REMOUNT},
    {"rexec", MOUNT_OPTION_FLAG},
    {"rmand", MOUNT_OPTION_FLAG},
    {"rnoatime", MOUNT_OPTION_FLAG},
    {"rnodev", MOUNT_OPTION_FLAG},
    {"rnodiratime", MOUNT_OPTION_FLAG},
    {"rnoexec", MOUNT_OPTION_FLAG},
    {"rnomand", MOUNT_OPTION_FLAG},
    {"rnorelatime", MOUNT_OPTION_FLAG},
    {"rnostrictatime", MOUNT_OPTION_FLAG},
    {"rnosuid", MOUNT_OPTION_FLAG},
    {"rnosymfollow", MOUNT_OPTION_FLAG},
    {"ro", MOUNT_OPTION_RO},
    {"rprivate", MOUNT_OPTION_PROPAGATION},
    {"rrelatime", MOUNT_OPTION_FLAG},
    {"rro", MOUNT_OPTION_RECURSIVE_RO},
    {"rrw", MOUNT_OPTION_RECURSIVE_RW},
    {"rshared", MOUNT_OPTION_SHARED},
    {"rslave", MOUNT_OPTION_PROPAGATION},
    {"rstrictatime", MOUNT_OPTION_FLAG},
    {"rsuid", MOUNT_OPTION_FLAG},
    {"rsymfollow", MOUNT_OPTION_FLAG},
    {"rsync", MOUNT_OPTION_FLAG},
    {"runbindable", MOUNT_OPTION_PROPAGATION},
    {"rw", MOUNT_OPTION_RW},
    {"shared", MOUNT_OPTION_SHARED},
    {"silent", MOUNT_OPTION_FLAG},
    {"slave", MOUNT_OPTION_PROPAGATION},
    {"strictatime", MOUNT_OPTION_FLAG},
    {"suid", MOUNT_OPTION_FLAG},
    {"symfollow", MOUNT_OPTION_FLAG},
    {"sync", MOUNT_OPTION_FLAG},
    {"tmpcopyup", MOUNT_OPTION_TMPCOPYUP},
    {"unbindable", MOUNT_OPTION_PROPAGATION},
};

/* The longest name in mount_options ("rnostrictatime"). */
#define MOUNT_OPTION_NAME_MAX 14
/* A power of two, over twice the names: a miss looks at one or two slots. */
#define MOUNT_OPTION_SLOTS 256

/* Each slot: 1 + the index of a name in mount_options, or 0 when empty. */
static unsigned char mount_option_slots[MOUNT_OPTION_SLOTS];
static bool mount_option_slots_ready;

static size_t mount_option_hash(const char *name, size_t len)
{
	const unsigned char *s = (const unsigned char *)name;
	return (len * 37 + s[0] * 11 + s[len / 2] * 7 + s[len - 1] * 3) % MOUNT_OPTION_SLOTS;
}

static void mount_option_slots_fill(void)
{
	_Static_assert(ARRAY_SIZE(mount_options) < MOUNT_OPTION_SLOTS / 2, "too few slots");
	for (size_t i = 0; i < ARRAY_SIZE(mount_options); i++) {
		size_t len = strlen(mount_options[i].name);
		assert(len > 0 && len <= MOUNT_OPTION_NAME_MAX);
		size_t slot = mount_option_hash(mount_options[i].name, len);
		while (mount_option_slots[slot])
			slot = (slot + 1) % MOUNT_OPTION_SLOTS;
		mount_option_slots[slot] = (unsigned char)(i + 1);
	}
	mount_option_slots_ready = true;
}

static enum mount_option_effect mounts_option_effect(const char *option)
{
	/* crun takes every option that starts with "idmap" ("idmap",
	 * "idmap=uids=...;gids=...") as an idmapped mount
	 * (libcrun/linux.c, get_idmapped_option); runc 1.2 adds "ridmap". */
	if ((option[0] == 'i' && strncmp(option, "idmap", 5) == 0) ||
	    (option[0] == 'r' && option[1] == 'i' && strncmp(option, "ridmap", 6) == 0))
		return MOUNT_OPTION_IDMAP;
	size_t len = strlen(option);
	if (len == 0 || len > MOUNT_OPTION_NAME_MAX)
		return MOUNT_OPTION_DATA;
	/* A hash table of the names, filled on first use: this runs for every
	 * option of every mount, several times, and a binary search with its
	 * calls of strcmp was some 200 instructions an option. */
	if (!mount_option_slots_ready)
		mount_option_slots_fill();
	for (size_t slot = mount_option_hash(option, len); mount_option_slots[slot];
	     slot = (slot + 1) % MOUNT_OPTION_SLOTS) {
		const struct mount_option *o = &mount_options[mount_option_slots[slot] - 1];
		if (o->name[0] == option[0] && strcmp(o->name, option) == 0)
			return o->effect;
	}
	return MOUNT_OPTION_DATA;
}

/* --- filesystem types -------------------------------------------------- */

/* The types a container may mount without an exception, and where. NULL:
 * anywhere. A type not listed needs allow.mount_types. */
static const struct {
	const char *type;
	const char *destination;
	const char *why_there;
} safe_types[] = {
    {"proc", "/proc",
     "anywhere else it shows what maskedPaths and readonlyPaths hide at /proc "
     "(/proc/kcore, /proc/sysrq-trigger, /proc/sys)"},
    {"sysfs", "/sys", "anywhere else it shows what maskedPaths hide at /sys (/sys/firmware)"},
    {"cgroup", "/sys/fs/cgroup", "a cgroup filesystem belongs at /sys/fs/cgroup"},
    {"cgroup2", "/sys/fs/cgroup", "a cgroup filesystem belongs at /sys/fs/cgroup"},
    {"mqueue", "/dev/mqueue", "an mqueue filesystem belongs at /dev/mqueue"},
    {"devpts", "/dev/pts", "a devpts filesystem belongs at /dev/pts"},
    {"tmpfs", NULL, NULL},
    {"overlay", NULL, NULL},
};

/* Why some types are refused, beyond not being on the safe list. */
static const struct {
	const char *type;
	const char *why;
} refused_types[] = {
    {"devtmpfs", "the host's device nodes, its disks among them"},
    {"debugfs", "the kernel's internals: addresses, driver knobs, tracing"},
    {"tracefs", "the kernel's tracing of every process on the host"},
    {"securityfs", "the security modules' policies and the host's integrity measurements"},
    {"bpf", "the host's pinned BPF programs and maps"},
    {"hugetlbfs", "the host's pool of huge pages"},
    {"configfs", "kernel objects configured from user space"},
    {"pstore", "the host's crash records"},
    {"efivarfs", "the firmware's variables"},
    {"binfmt_misc", "the host's binary-format handlers, run on every matching exec"},
    {"fusectl", "the host's FUSE connections"},
    {"selinuxfs", "SELinux's policy"},
    {"smackfs", "Smack's policy"},
    {"apparmorfs", "AppArmor's policy"},
};

/* Filesystems read from a block device: the source names a disk. */
static const char *const block_device_types[] = {
    "ext2",	"ext3",	 "ext4",    "xfs",   "btrfs",	 "vfat",  "msdos", "exfat",
    "ntfs",	"ntfs3", "iso9660", "udf",   "squashfs", "erofs", "f2fs",  "jfs",
    "reiserfs", "hfs",	 "hfsplus", "minix", "nilfs2",	 "ocfs2", "gfs2",  "bcachefs",
    "zonefs",	"romfs", "cramfs",  "ufs",   "fuseblk",
};

/* overlayfs's options (Documentation/filesystems/overlayfs.rst); the
 * path-valued ones are judged as host paths. */
static const struct {
	const char *key;
	enum { OVERLAY_FLAG, OVERLAY_LOWER, OVERLAY_UPPER } kind;
} overlay_options[] = {
    {"lowerdir", OVERLAY_LOWER},
    {"lowerdir+", OVERLAY_LOWER},
    {"datadir+", OVERLAY_LOWER},
    {"upperdir", OVERLAY_UPPER},
    {"workdir", OVERLAY_UPPER},
    {"redirect_dir", OVERLAY_FLAG},
    {"index", OVERLAY_FLAG},
    {"uuid", OVERLAY_FLAG},
    {"nfs_export", OVERLAY_FLAG},
    {"xino", OVERLAY_FLAG},
    {"metacopy", OVERLAY_FLAG},
    {"verity", OVERLAY_FLAG},
    {"volatile", OVERLAY_FLAG},
    {"userxattr", OVERLAY_FLAG},
    {"default_permissions", OVERLAY_FLAG},
};

/* --- one mount --------------------------------------------------------- */

struct mount_view {
	const struct json *node;
	const struct json *options;
	const char *type, *source, *destination;
	const char *destination_clean; /* "/" and destination, cleaned */
	char *destination_clean_owned; /* destination_clean where not `destination` */
	/* What each option is to the runtime, worked out once: every step
	 * below asks it of the options again. */
	enum mount_option_effect *effects;
	bool bind;
	bool read_only;
	const char *shared; /* "shared" or "rshared" when present */
	char *path;	    /* "mounts[N]" */
	/* A bind's source as runc joins it to the bundle (harden_host_path,
	 * lexical), or NULL; and its facts once looked up. Several steps
	 * below ask for them. */
	char *source_host;
	const struct host_path *source_fact;
	bool source_fact_known;
};

/* A host path the container's mounts name, and the facts of it. */
struct mount_host_path {
	const char *json_path; /* "mounts[3]" or "mounts[3].options[1]" */
	const struct json *node;
	const char *label;   /* "bind mount of host", "overlay lowerdir" */
	const char *written; /* as the config has it */
	const char *host;    /* where the runtime looks: joined to the bundle when relative */
	char *host_owned;    /* `host` when this owns it */
	/* The facts of `host`, when already looked up (a bind's source). */
	const struct host_path *fact;
	bool fact_known;
	const char *clean; /* `host` lexically clean */
	char *clean_owned; /* `clean` when this owns it */
	bool read_only;
};

struct mounts_judge {
	struct harden_ctx *ctx;
	struct mount_view *views;
	size_t views_len;
	char *rootfs_clean;		   /* root.path as runc resolves it, clean; or NULL */
	const char *rootfs_resolved;	   /* with the host's symlinks resolved; or NULL */
	struct string_list writable;	   /* resolved host directories the container writes */
	struct string_list writable_mount; /* "mounts[N]" of each */
	/* The host paths of the mount being judged: one list for all of them,
	 * which the arena would otherwise cut anew (and never reuse) for each
	 * of a config's thousand mounts. */
	struct mount_host_path *paths;
	size_t paths_cap;
};

static void mounts_view_clear(struct mount_view *v)
{
	xfree(v->destination_clean_owned);
	xfree(v->effects);
	xfree(v->path);
	xfree(v->source_host);
	v->destination_clean = NULL;
	v->destination_clean_owned = NULL;
	v->effects = NULL;
	v->path = NULL;
	v->source_host = NULL;
}

/* The facts of the host path a bind's source names, or NULL. */
static const struct host_path *mounts_view_source_fact(const struct host_facts *host,
						       struct mount_view *v)
{
	if (!v->source_fact_known && v->source_host)
		v->source_fact = host_facts_path(host, v->source_host);
	v->source_fact_known = true;
	return v->source_fact;
}

/* Whether a mount is read-only, from the effects of its options in order. */
struct mount_access {
	bool ro, recursive_ro, recursive_rw;
};

static void mount_access_add(struct mount_access *a, enum mount_option_effect effect)
{
	switch (effect) {
	case MOUNT_OPTION_RO:
		a->ro = true; /* the last of ro and rw counts */
		break;
	case MOUNT_OPTION_RW:
		a->ro = false;
		break;
	case MOUNT_OPTION_RECURSIVE_RO:
		a->recursive_ro = true;
		break;
	case MOUNT_OPTION_RECURSIVE_RW:
		a->recursive_rw = true;
		break;
	default:
		break;
	}
}

static bool mount_access_read_only(const struct mount_access *a)
{
	/* rro and rrw are applied after the mount (runc: setRecAttr; crun:
	 * mount_setattr), over what ro or rw made of it: rrw anywhere leaves
	 * the mount writable. */
	return !a->recursive_rw && (a->ro || a->recursive_ro);
}

void harden_mount_bind_read_only(const char *type, const struct json *options, bool *bind,
				 bool *read_only)
{
	struct mount_access access = {0};
	*bind = type && strcmp(type, "bind") == 0;
	for (size_t i = 0; options && i < options->array.len; i++) {
		const struct json *o = options->array.items[i];
		if (o->type != JSON_STRING)
			continue;
		enum mount_option_effect effect = mounts_option_effect(o->string.ptr);
		*bind |= effect == MOUNT_OPTION_BIND;
		mount_access_add(&access, effect);
	}
	*read_only = mount_access_read_only(&access);
}

static int mounts_view_read(const struct json *m, const char *path, struct mount_view *v,
			    oh_error_t *err)
{
	if (m->type != JSON_OBJECT)
		return oh_error_make(err, 0, "%s: must be an object", path);
	*v = (struct mount_view){.node = m};
	if (harden_member_string(m, path, "type", &v->type, err) < 0 ||
	    harden_member_string(m, path, "source", &v->source, err) < 0 ||
	    harden_member_string(m, path, "destination", &v->destination, err) < 0)
		return -1;
	const struct json *options = json_object_get(m, "options");
	if (options && options->type != JSON_ARRAY)
		return oh_error_make(err, 0, "%s.options: must be an array", path);
	v->options = options;
	/* runc's specconv and crun take any "bind" or "rbind" option as a bind
	 * mount whatever the type says; a type "bind" without one is a bind to
	 * the reader too (runc then fails to mount it). */
	v->bind = v->type && strcmp(v->type, "bind") == 0;
	struct mount_access access = {0};
	if (options && options->array.len)
		v->effects = xcalloc(options->array.len, sizeof(v->effects[0]));
	for (size_t i = 0; options && i < options->array.len; i++) {
		const struct json *o = options->array.items[i];
		if (o->type != JSON_STRING || strlen(o->string.ptr) != o->string.len) {
			mounts_view_clear(v);
			return oh_error_make(err, 0, "%s.options[%zu]: must be a string", path, i);
		}
		v->effects[i] = mounts_option_effect(o->string.ptr);
		mount_access_add(&access, v->effects[i]);
		switch (v->effects[i]) {
		case MOUNT_OPTION_BIND:
			v->bind = true;
			break;
		case MOUNT_OPTION_SHARED:
			v->shared = o->string.ptr;
			break;
		default:
			break;
		}
	}
	v->read_only = mount_access_read_only(&access);
	if (v->destination && v->destination[0] == '/') {
		v->destination_clean =
		    harden_clean_path_borrowed(v->destination, &v->destination_clean_owned);
	} else {
		/* runc joins a relative destination to the root filesystem too. */
		cleanup_free char *rooted = xasprintf("/%s", v->destination ? v->destination : "");
		v->destination_clean = v->destination_clean_owned = harden_clean_path(rooted);
	}
	return 0;
}

static bool mounts_host_path_allowed(const struct policy_allow *allow, const char *path,
				     bool read_only)
{
	for (size_t i = 0; i < allow->host_paths.len; i++) {
		const char *entry = allow->host_paths.items[i];
		size_t n = strlen(entry);
		bool ro_only = n > 3 && strcmp(entry + n - 3, ":ro") == 0;
		cleanup_free char *written = ro_only ? xstrndup(entry, n - 3) : xstrdup(entry);
		/* Paths are judged in their clean form (/var/run is /run); so are
		 * the patterns that allow them. */
		cleanup_free char *pattern = strncmp(written, "/var/run", 8) == 0 &&
						     (written[8] == '/' || written[8] == '\0')
						 ? xasprintf("/run%s", written + 8)
						 : xstrdup(written);
		if ((!ro_only || read_only) &&
		    harden_allowed(&(struct string_list){.items = &pattern, .len = 1}, path))
			return true;
	}
	return false;
}

/* Refuse host path `p`, unless allow.host_paths names `named` (the path the
 * reason is about). Returns true when refused. */
__attribute__((format(printf, 5, 6))) static bool
mounts_refuse_host_path(struct mounts_judge *j, const struct mount_host_path *p, const char *named,
			const char *resolved, const char *fmt, ...)
{
	const struct policy_allow *allow = &j->ctx->policy->allow;
	if (mounts_host_path_allowed(allow, named, p->read_only))
		return false;
	va_list ap;
	va_start(ap, fmt);
	cleanup_free char *why = xvasprintf(fmt, ap);
	va_end(ap);
	cleanup_free char *entry = xstrcat3(named, p->read_only ? ":ro" : "", "");
	cleanup_free char *via = resolved && strcmp(resolved, p->clean) != 0
				     ? xasprintf(" (resolving to %s)", resolved)
				     : xstrdup("");
	harden_refuse(j->ctx, "mounts", p->json_path, p->node, "allow.host_paths", entry,
		      "%s %s%s: it %s (the policy may allow it in host_paths)", p->label,
		      p->written, via, why);
	return true;
}

/* Why following symlink `link` (resolved directory, then its name) is
 * following one the container controls, or NULL. Caller frees. */
static char *mounts_symlink_reason(struct mounts_judge *j, const char *link)
{
	if (harden_path_within(link, "/proc"))
		return xasprintf("follows %s, a /proc magic link, whose target depends on the "
				 "process that follows it",
				 link);
	if ((j->rootfs_resolved && harden_path_within(link, j->rootfs_resolved)) ||
	    (j->rootfs_clean && harden_path_within(link, j->rootfs_clean)))
		return xasprintf("follows %s, a symbolic link in the container's root filesystem, "
				 "which the image made",
				 link);
	for (size_t i = 0; i < j->writable.len; i++)
		if (harden_path_within(link, j->writable.items[i]) &&
		    strcmp(link, j->writable.items[i]) != 0)
			return xasprintf(
			    "follows %s, a symbolic link inside %s, which the container "
			    "gets writable (%s)",
			    link, j->writable.items[i], j->writable_mount.items[i]);
	struct runtime_dir_verdict v = mounts_runtime_dir_verdict(j->ctx->host, link);
	if (v.relation == RUNTIME_DIR_INSIDE || v.relation == RUNTIME_DIR_BOUND)
		return xasprintf("follows %s, a symbolic link inside %s (%s), where containers "
				 "write",
				 link, v.what, v.path);
	return NULL;
}

/* The destination of an earlier mount that `path` (clean, absolute, inside
 * the root filesystem `rootfs`) lies in: its index, or SIZE_MAX. */
static size_t mounts_earlier_destination(struct mounts_judge *j, size_t before, const char *rootfs,
					 const char *path)
{
	/* `path` is inside `rootfs`; what follows it is the path in the
	 * container ("" for its root). */
	const char *inside = path + (strcmp(rootfs, "/") == 0 ? 0 : strlen(rootfs));
	size_t found = SIZE_MAX, found_len = 0;
	for (size_t k = 0; k < before; k++) {
		const char *dest = j->views[k].destination_clean;
		if (!dest || strcmp(dest, "/") == 0)
			continue;
		size_t dest_len = strlen(dest);
		if (strncmp(inside, dest, dest_len) == 0 &&
		    (inside[dest_len] == '\0' || inside[dest_len] == '/') && dest_len > found_len) {
			found = k;
			found_len = dest_len;
		}
	}
	return found;
}

/* Why clean absolute `path` is refused for where it is against the
 * container's root filesystem, where the mounts before mount `index`
 * already are when the runtime makes it; or NULL. Caller frees. */
static char *mounts_rootfs_reason(struct mounts_judge *j, size_t index, const char *path)
{
	const char *roots[] = {j->rootfs_resolved, j->rootfs_clean};
	for (size_t r = 0; r < ARRAY_SIZE(roots); r++) {
		const char *rootfs = roots[r];
		if (!rootfs)
			continue;
		if (harden_path_within(path, rootfs)) {
			size_t k = mounts_earlier_destination(j, index, rootfs, path);
			if (k != SIZE_MAX)
				return xasprintf("is inside the destination %s of mounts[%zu], an "
						 "earlier mount: when this one is made it is "
						 "whatever that mount put there, inside the "
						 "container's root filesystem %s",
						 j->views[k].destination_clean, k, rootfs);
			return xasprintf("is inside the container's root filesystem %s, where the "
					 "image and the mounts before it decide what it leads to",
					 rootfs);
		}
		if (harden_path_within(rootfs, path))
			return xasprintf("contains the container's root filesystem %s, with the "
					 "mounts made in it (a second /proc without its masks)",
					 rootfs);
	}
	return NULL;
}

/* Judge one host path of mount `index`; true when refused. */
static bool mounts_judge_host_path(struct mounts_judge *j, size_t index,
				   const struct mount_host_path *p)
{
	const struct host_facts *host = j->ctx->host;
	if (!p->host || !p->clean)
		return mounts_refuse_host_path(j, p, p->written, NULL,
					       "is relative to a bundle oci-harden does not know");
	/* Each check refuses unless allow.host_paths names the path it is
	 * about; an allowed one goes on to the next. What the path is, by its
	 * name as written: the fast first check, and the clearest message. */
	const char *why = mounts_system_reason(p->clean, p->read_only);
	if (why && mounts_refuse_host_path(j, p, p->clean, NULL, "%s", why))
		return true;
	bool bound = false;
	cleanup_free char *runtime_why = mounts_runtime_dir_reason(host, p->clean, &bound);
	if (runtime_why && mounts_refuse_host_path(j, p, p->clean, NULL, "%s", runtime_why))
		return true;
	/* Where it is against the root filesystem, by its name: a source
	 * inside an earlier mount's destination need not exist on the host. */
	cleanup_free char *rootfs_why = mounts_rootfs_reason(j, index, p->clean);
	if (rootfs_why && mounts_refuse_host_path(j, p, p->clean, NULL, "%s", rootfs_why))
		return true;

	const struct host_path *fact = p->fact_known ? p->fact : host_facts_path(host, p->host);
	if (!fact || !fact->exists || !fact->resolved)
		return mounts_refuse_host_path(
		    j, p, p->clean, NULL,
		    "does not exist on the host: the runtime resolves it only when it mounts it, "
		    "after the mounts before it, and what is not there now could then lead "
		    "anywhere");
	cleanup_free char *resolved_owned = NULL;
	/* Mostly it is the clean path as written: clean already. */
	const char *resolved = strcmp(fact->resolved, p->clean) == 0
				   ? fact->resolved
				   : harden_clean_path_borrowed(fact->resolved, &resolved_owned);
	if (!resolved)
		resolved = fact->resolved;

	/* What it is, where its symlinks lead. */
	if (strcmp(resolved, p->clean) != 0) {
		why = mounts_system_reason(resolved, p->read_only);
		if (why && mounts_refuse_host_path(j, p, resolved, resolved, "%s", why))
			return true;
		cleanup_free char *resolved_runtime_why =
		    mounts_runtime_dir_reason(host, resolved, &bound);
		if (resolved_runtime_why &&
		    mounts_refuse_host_path(j, p, resolved, resolved, "%s", resolved_runtime_why))
			return true;
		cleanup_free char *resolved_rootfs_why = mounts_rootfs_reason(j, index, resolved);
		if (resolved_rootfs_why &&
		    mounts_refuse_host_path(j, p, p->clean, resolved, "%s", resolved_rootfs_why))
			return true;
	}
	if (fact->type == S_IFSOCK &&
	    mounts_refuse_host_path(
		j, p, resolved, resolved,
		"is %s: a host daemon's control endpoint (Docker, containerd, "
		"CRI-O, Podman, systemd, D-Bus and the kubelet all listen on one)",
		fact->sensitive ? fact->sensitive : "a unix socket"))
		return true;
	if ((fact->type == S_IFBLK || fact->type == S_IFCHR) &&
	    mounts_refuse_host_path(
		j, p, resolved, resolved, "is a %s device node (%u:%u) of the host",
		fact->type == S_IFBLK ? "block" : "character", fact->rdev_major, fact->rdev_minor))
		return true;
	if (fact->sensitive && fact->type != S_IFSOCK &&
	    mounts_refuse_host_path(j, p, resolved, resolved, "is %s", fact->sensitive))
		return true;
	if (!host->runtime_dirs_surveyed && (fact->symlinks.len || !bound) &&
	    mounts_refuse_host_path(j, p, resolved, resolved,
				    "cannot be judged against the directories of the host's live "
				    "container daemons, which were not looked at"))
		return true;
	for (size_t s = 0; s < fact->symlinks.len; s++) {
		cleanup_free char *link_why = mounts_symlink_reason(j, fact->symlinks.items[s]);
		if (link_why && mounts_refuse_host_path(j, p, p->clean, resolved, "%s", link_why))
			return true;
	}
	return false;
}

/* --- the judgement of a whole mount ------------------------------------ */

/* Refuse something about a mount of `type` that allow.mount_types lifts:
 * `what` says what (complete text), `why` why. */
static void mounts_refuse_type(struct mounts_judge *j, const char *path, const struct json *node,
			       const char *type, const char *what, const char *why)
{
	harden_refuse(j->ctx, "mounts", path, node, "allow.mount_types", type,
		      "%s: %s (the policy may allow \"%s\" in mount_types)", what, why, type);
}

/* The next component of an overlay option string, split on ',' that is not
 * escaped with '\' (the kernel's ovl_next_opt). */
static const char *overlay_next_piece(const char *s, size_t *len)
{
	size_t n = 0;
	while (s[n] && s[n] != ',') {
		if (s[n] == '\\' && s[n + 1])
			n++;
		n++;
	}
	*len = n;
	return s;
}

/* One layer path of a lowerdir list, ':' separated with '\' escapes, the
 * escapes removed (the kernel's ovl_unescape). Returns the rest. */
static const char *overlay_next_layer(const char *s, const char *end, char **out)
{
	struct strbuf sb = {0};
	while (s < end && *s != ':') {
		if (*s == '\\' && s + 1 < end)
			s++;
		strbuf_putc(&sb, *s++);
	}
	*out = sb.len ? strbuf_steal(&sb) : NULL;
	strbuf_free(&sb);
	return s < end ? s + 1 : s;
}

/* Add the host path `value` of an overlay option to `out`. */
static void overlay_add_path(struct mounts_judge *j, struct mount_host_path **out, size_t *len,
			     size_t *cap, const char *json_path, const struct json *node,
			     const char *label, const char *value, bool read_only)
{
	const char *bundle = j->ctx->host ? j->ctx->host->bundle : NULL;
	*out = xgrow(*out, cap, *len + 1, sizeof(**out));
	char *host = harden_host_path(bundle, value, false);
	char *clean = host ? harden_clean_path(host) : NULL;
	(*out)[(*len)++] = (struct mount_host_path){
	    .json_path = json_path,
	    .node = node,
	    .label = label,
	    .written = value,
	    .host = host,
	    .host_owned = host,
	    .clean = clean,
	    .clean_owned = clean,
	    .read_only = read_only,
	};
}

/* The host paths in overlay option `option` (one entry of options[]), and
 * whether it has a key overlayfs does not know (its name in *unknown). */
static void overlay_option_paths(struct mounts_judge *j, const char *option, const char *json_path,
				 const struct json *node, bool read_only,
				 struct mount_host_path **out, size_t *len, size_t *cap,
				 struct string_list *strings, char **unknown)
{
	/* runc and crun join options[] with ',' into mount(2)'s data, which the
	 * kernel splits again: one entry may hold several options. */
	for (const char *s = option; *s;) {
		size_t n;
		const char *piece = overlay_next_piece(s, &n);
		s = piece[n] ? piece + n + 1 : piece + n;
		const char *eq = memchr(piece, '=', n);
		size_t key_len = eq ? (size_t)(eq - piece) : n;
		bool known = false;
		for (size_t k = 0; k < ARRAY_SIZE(overlay_options); k++) {
			if (strlen(overlay_options[k].key) != key_len ||
			    strncmp(overlay_options[k].key, piece, key_len) != 0)
				continue;
			known = true;
			if (overlay_options[k].kind == OVERLAY_FLAG || !eq)
				break;
			const char *end = piece + n;
			for (const char *v = eq + 1; v < end;) {
				char *layer = NULL;
				v = overlay_next_layer(v, end, &layer);
				if (!layer)
					continue; /* "::" separates data-only layers */
				string_list_add(strings, layer);
				xfree(layer);
				bool lower = overlay_options[k].kind == OVERLAY_LOWER;
				overlay_add_path(
				    j, out, len, cap, json_path, node,
				    lower ? "overlay lower layer" : "overlay upper layer",
				    strings->items[strings->len - 1], lower || read_only);
			}
			break;
		}
		if (!known && !*unknown && n)
			*unknown = xstrndup(piece, key_len);
	}
}

/* Frees what the `len` paths own, keeping the list for the next mount. */
static void mounts_host_paths_clear(struct mount_host_path *paths, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		xfree(paths[i].host_owned);
		xfree(paths[i].clean_owned);
	}
}

/* The options of mount `v` that are refused whatever its type. */
static void mounts_judge_options(struct mounts_judge *j, const char *path,
				 const struct mount_view *v, const char *type, bool type_allowed)
{
	for (size_t i = 0; v->options && i < v->options->array.len; i++) {
		const struct json *o = v->options->array.items[i];
		const char *option = o->string.ptr;
		enum mount_option_effect effect = v->effects[i];
		bool cgroup =
		    !v->bind && (strcmp(type, "cgroup") == 0 || strcmp(type, "cgroup2") == 0);
		if (type_allowed ||
		    !(effect == MOUNT_OPTION_REMOUNT || effect == MOUNT_OPTION_IDMAP ||
		      (effect == MOUNT_OPTION_DATA && cgroup)))
			continue;
		cleanup_free char *option_path = xstrcat_index(path, ".options", i);
		switch (effect) {
		case MOUNT_OPTION_REMOUNT: {
			cleanup_free char *what =
			    xasprintf("option \"remount\" of a %s mount", type);
			mounts_refuse_type(j, option_path, o, type, what,
					   "it changes the mount already at the destination, and "
					   "can make an earlier read-only mount writable");
			break;
		}
		case MOUNT_OPTION_IDMAP: {
			cleanup_free char *what =
			    xasprintf("option \"%s\": an idmapped %s mount", option, type);
			mounts_refuse_type(j, option_path, o, type, what,
					   "its files would belong to whoever the mapping names on "
					   "the host, root among them");
			break;
		}
		case MOUNT_OPTION_DATA: {
			/* cgroup options reconfigure the hierarchy for the whole
			 * host (cgroup v1's release_agent= names a program the
			 * kernel runs as root; cgroup2's memory_recursiveprot and
			 * the like apply to every cgroup). Other filesystems'
			 * data cannot reach the host (a bind mount ignores it). */
			cleanup_free char *what =
			    xasprintf("option \"%s\" of a %s mount", option, type);
			mounts_refuse_type(j, option_path, o, type, what,
					   "cgroup options configure the host's whole hierarchy "
					   "(release_agent= names a program the kernel runs as "
					   "root)");
			break;
		}
		default:
			break;
		}
	}
}

/* The type of a non-bind mount: on the safe list and where it belongs, or
 * refused. */
static void mounts_judge_type(struct mounts_judge *j, const char *path, const struct mount_view *v)
{
	const char *type = v->type;
	const char *dest = v->destination_clean ? v->destination_clean : "?";
	for (size_t i = 0; i < ARRAY_SIZE(safe_types); i++) {
		if (safe_types[i].type[0] != type[0] || strcmp(safe_types[i].type, type) != 0)
			continue;
		if (safe_types[i].destination && strcmp(safe_types[i].destination, dest) != 0) {
			cleanup_free char *what = xasprintf("a %s filesystem at %s", type, dest);
			mounts_refuse_type(j, path, v->node, type, what, safe_types[i].why_there);
		}
		return;
	}
	const char *why = "a filesystem type whose mount oci-harden has not judged";
	for (size_t i = 0; i < ARRAY_SIZE(refused_types); i++)
		if (strcmp(refused_types[i].type, type) == 0)
			why = refused_types[i].why;
	for (size_t i = 0; i < ARRAY_SIZE(block_device_types); i++)
		if (strcmp(block_device_types[i], type) == 0)
			why = "a filesystem read from a block device, a disk of the host";
	cleanup_free char *what = xasprintf("a mount of type %s at %s", type, dest);
	mounts_refuse_type(j, path, v->node, type, what, why);
}

static void mounts_judge_one(struct mounts_judge *j, size_t index)
{
	struct harden_ctx *ctx = j->ctx;
	const struct policy_allow *allow = &ctx->policy->allow;
	struct mount_view *v = &j->views[index];
	const char *path = v->path;
	size_t refusals = report_count(ctx->report, DECISION_REFUSE);

	if (!v->bind && !v->type) {
		harden_refuse(ctx, "mounts", path, v->node, NULL, NULL,
			      "a mount with no type and no bind option: neither runc nor crun "
			      "can tell what to mount");
		return;
	}
	const char *type = v->bind ? "bind" : v->type;
	bool type_allowed = harden_allowed(&allow->mount_types, type);
	if (!v->bind && !type_allowed)
		mounts_judge_type(j, path, v);
	mounts_judge_options(j, path, v, type, type_allowed);

	if (!v->bind) {
		bool kernel_fs = strcmp(type, "sysfs") == 0 || strcmp(type, "cgroup") == 0 ||
				 strcmp(type, "cgroup2") == 0;
		if (kernel_fs && !v->read_only && !mounts_host_path_allowed(allow, "/sys", false))
			harden_refuse(ctx, "mounts", path, v->node, "allow.host_paths", "/sys",
				      "%s mounted writable at %s exposes the host's kernel "
				      "settings (the policy may allow \"/sys\" in host_paths)",
				      type, v->destination_clean ? v->destination_clean : "?");
	}

	/* The host paths it names. */
	struct mount_host_path *paths = j->paths;
	size_t paths_len = 0, paths_cap = j->paths_cap;
	struct string_list strings = {0};
	const char *bundle = ctx->host ? ctx->host->bundle : NULL;
	if (v->bind) {
		const char *source = v->source ? v->source : "";
		paths = xgrow(paths, &paths_cap, 2, sizeof(*paths));
		/* runc joins a relative source to the bundle with filepath.Join,
		 * which removes ".." lexically; crun hands it to the kernel
		 * from the bundle, which follows symlinks before "..": both
		 * are judged where they differ. */
		const char *lexical = v->source_host;
		char *lexical_clean_owned = NULL;
		const char *lexical_clean =
		    lexical ? harden_clean_path_borrowed(lexical, &lexical_clean_owned) : NULL;
		paths[paths_len++] = (struct mount_host_path){
		    .json_path = path,
		    .node = v->node,
		    .label = "bind mount of host",
		    .written = source,
		    .host = lexical,
		    .fact = mounts_view_source_fact(ctx->host, v),
		    .fact_known = true,
		    .clean = lexical_clean,
		    .clean_owned = lexical_clean_owned,
		    .read_only = v->read_only,
		};
		if (source[0] != '/' && bundle) {
			char *physical = harden_host_path(bundle, source, false);
			char *physical_clean = harden_clean_path(physical);
			if (lexical && strcmp(physical, lexical) != 0)
				paths[paths_len++] = (struct mount_host_path){
				    .json_path = path,
				    .node = v->node,
				    .label = "bind mount of host",
				    .written = source,
				    .host = physical,
				    .host_owned = physical,
				    .clean = physical_clean,
				    .clean_owned = physical_clean,
				    .read_only = v->read_only,
				};
			else {
				xfree(physical);
				xfree(physical_clean);
			}
		}
	} else if (strcmp(type, "overlay") == 0) {
		for (size_t i = 0; v->options && i < v->options->array.len; i++) {
			const struct json *o = v->options->array.items[i];
			if (v->effects[i] != MOUNT_OPTION_DATA)
				continue;
			char *unknown = NULL;
			cleanup_free char *option_path = xstrcat_index(path, ".options", i);
			string_list_add(&strings, option_path);
			const char *json_path = strings.items[strings.len - 1];
			overlay_option_paths(j, o->string.ptr, json_path, o, v->read_only, &paths,
					     &paths_len, &paths_cap, &strings, &unknown);
			if (unknown && !type_allowed) {
				cleanup_free char *what =
				    xasprintf("overlay option \"%s\", which oci-harden has not "
					      "judged",
					      unknown);
				mounts_refuse_type(
				    j, json_path, o, type, what,
				    "the kernel may read it as a path or a switch of "
				    "the host");
			}
			xfree(unknown);
		}
	} else if (type_allowed && v->source && v->source[0] == '/') {
		/* A type the policy allows, mounted from a path: a block device
		 * or an image file of the host, judged as the host path it is. */
		paths = xgrow(paths, &paths_cap, 1, sizeof(*paths));
		char *source_clean_owned = NULL;
		const char *source_clean =
		    harden_clean_path_borrowed(v->source, &source_clean_owned);
		paths[paths_len++] = (struct mount_host_path){
		    .json_path = path,
		    .node = v->node,
		    .label = "mount source",
		    .written = v->source,
		    .host = v->source,
		    .clean = source_clean,
		    .clean_owned = source_clean_owned,
		    .read_only = v->read_only,
		};
	}
	for (size_t i = 0; i < paths_len; i++)
		if (mounts_judge_host_path(j, index, &paths[i]))
			break;
	mounts_host_paths_clear(paths, paths_len);
	j->paths = paths;
	j->paths_cap = paths_cap;
	string_list_clear(&strings);

	/* A bind with shared propagation joins the host's peer group: mounts
	 * made in the container appear on the host (CIS Docker 5.20). */
	if (v->bind && v->shared && report_count(ctx->report, DECISION_REFUSE) == refusals) {
		const char *clean = v->source_host;
		if (!clean || !mounts_host_path_allowed(allow, clean, v->read_only))
			harden_refuse(ctx, "mounts", path, v->node, "allow.host_paths",
				      clean ? clean : v->source,
				      "bind mount of %s with %s propagation would let mounts reach "
				      "the host",
				      v->source ? v->source : "(no source)", v->shared);
	}
}

/* The host directories the container gets writable: where it could have
 * left a symlink for a later mount, of this container or of its next run. */
static void mounts_collect_writable(struct mounts_judge *j)
{
	const struct host_facts *host = j->ctx->host;
	const char *bundle = host ? host->bundle : NULL;
	for (size_t i = 0; i < j->views_len; i++) {
		struct mount_view *v = &j->views[i];
		if (v->read_only)
			continue;
		if (v->bind && v->source) {
			const struct host_path *fact = mounts_view_source_fact(host, v);
			if (fact && fact->exists && fact->resolved && fact->type == S_IFDIR) {
				string_list_add(&j->writable, fact->resolved);
				string_list_add(&j->writable_mount, v->path);
			}
			continue;
		}
		struct string_list hosts = {0};
		if (!v->bind && v->type && strcmp(v->type, "overlay") == 0) {
			for (size_t o = 0; v->options && o < v->options->array.len; o++) {
				const char *option = v->options->array.items[o]->string.ptr;
				for (const char *s = option; *s;) {
					size_t n;
					const char *piece = overlay_next_piece(s, &n);
					s = piece[n] ? piece + n + 1 : piece + n;
					if (strncmp(piece, "upperdir=", 9) != 0 || n <= 9)
						continue;
					cleanup_free char *value = xstrndup(piece + 9, n - 9);
					char *h = harden_host_path(bundle, value, false);
					if (h)
						string_list_add(&hosts, h);
					xfree(h);
				}
			}
		}
		for (size_t h = 0; h < hosts.len; h++) {
			const struct host_path *fact = host_facts_path(host, hosts.items[h]);
			if (!fact || !fact->exists || !fact->resolved || fact->type != S_IFDIR)
				continue;
			string_list_add(&j->writable, fact->resolved);
			string_list_add(&j->writable_mount, v->path);
		}
		string_list_clear(&hosts);
	}
}

static int mounts_apply(struct harden_ctx *ctx, oh_error_t *err)
{
	if (!ctx->spec)
		return 0;
	struct json *mounts;
	if (harden_member_array(ctx->spec, "", "mounts", &mounts, err) < 0)
		return -1;
	struct mounts_judge j = {.ctx = ctx};
	int r = 0;
	if (mounts && mounts->array.len) {
		j.views = xcalloc(mounts->array.len, sizeof(*j.views));
		const char *bundle = ctx->host ? ctx->host->bundle : NULL;
		for (size_t i = 0; i < mounts->array.len; i++, j.views_len++) {
			char *path = xstrcat_index("mounts", "", i);
			if (mounts_view_read(mounts->array.items[i], path, &j.views[i], err) < 0) {
				xfree(path);
				r = -1;
				goto out;
			}
			j.views[i].path = path;
			if (j.views[i].bind)
				j.views[i].source_host = harden_host_path(
				    bundle, j.views[i].source ? j.views[i].source : "", true);
		}
		cleanup_free char *root = harden_root_host_path(ctx->spec, bundle);
		if (root) {
			j.rootfs_clean = harden_clean_path(root);
			const struct host_path *fact = host_facts_path(ctx->host, root);
			if (fact && fact->exists)
				j.rootfs_resolved = fact->resolved;
		}
		mounts_collect_writable(&j);
		for (size_t i = 0; i < j.views_len; i++)
			mounts_judge_one(&j, i);
	}

	struct json *linux_obj;
	if (harden_member_object(ctx->spec, "", "linux", false, &linux_obj, err) < 0) {
		r = -1;
		goto out;
	}
	const char *propagation = NULL;
	if (linux_obj &&
	    harden_member_string(linux_obj, "linux", "rootfsPropagation", &propagation, err) < 0) {
		r = -1;
		goto out;
	}
	if (propagation &&
	    (strcmp(propagation, "shared") == 0 || strcmp(propagation, "rshared") == 0))
		harden_refuse(ctx, "mounts", "linux.rootfsPropagation",
			      json_object_get(linux_obj, "rootfsPropagation"), NULL, NULL,
			      "%s root propagation would let mounts reach the host", propagation);
out:
	for (size_t i = 0; i < j.views_len; i++)
		mounts_view_clear(&j.views[i]);
	xfree(j.views);
	xfree(j.paths);
	xfree(j.rootfs_clean);
	string_list_clear(&j.writable);
	string_list_clear(&j.writable_mount);
	return r;
}

/* --- what is asked of the host ----------------------------------------- */

static void mounts_query(struct host_queries *q, char *host_path, bool source)
{
	if (!host_path)
		return;
	/* harden_host_queries adds the sources to the paths, and drops the
	 * repeats. */
	string_list_take(source ? &q->sources : &q->paths, host_path);
}

/* Every host path the mounts name, as the runtime will look it up: bind
 * sources (relative ones joined to the bundle, both the way runc and the way
 * crun join them), the paths in overlay options, the source of a mount from
 * an absolute path, and the root filesystem they are judged against. */
static void mounts_queries(const struct json *spec, const char *bundle, struct host_queries *q)
{
	const struct json *mounts = json_object_get(spec, "mounts");
	if (!mounts || mounts->type != JSON_ARRAY)
		return;
	mounts_query(q, harden_root_host_path(spec, bundle), false);
	for (size_t i = 0; i < mounts->array.len; i++) {
		/* Only what tells which host paths a mount names: apply judges
		 * the shape, and reports a wrong one. */
		const struct json *m = mounts->array.items[i];
		const struct json *type_node = json_object_get(m, "type");
		const struct json *source_node = json_object_get(m, "source");
		const struct json *options = json_object_get(m, "options");
		const char *type =
		    type_node && type_node->type == JSON_STRING ? type_node->string.ptr : NULL;
		const char *source = source_node && source_node->type == JSON_STRING
					 ? source_node->string.ptr
					 : NULL;
		if (options && options->type != JSON_ARRAY)
			options = NULL;
		bool bind = type && strcmp(type, "bind") == 0;
		for (size_t o = 0; !bind && options && o < options->array.len; o++) {
			const struct json *option = options->array.items[o];
			bind = option->type == JSON_STRING &&
			       ((option->string.ptr[0] == 'b' &&
				 strcmp(option->string.ptr, "bind") == 0) ||
				(option->string.ptr[0] == 'r' &&
				 strcmp(option->string.ptr, "rbind") == 0));
		}
		if (bind) {
			source = source ? source : "";
			mounts_query(q, harden_host_path(bundle, source, true), true);
			if (source[0] != '/')
				mounts_query(q, harden_host_path(bundle, source, false), true);
		} else if (type && strcmp(type, "overlay") == 0) {
			for (size_t o = 0; options && o < options->array.len; o++) {
				const struct json *option_node = options->array.items[o];
				if (option_node->type != JSON_STRING)
					continue;
				const char *option = option_node->string.ptr;
				if (mounts_option_effect(option) != MOUNT_OPTION_DATA)
					continue;
				for (const char *s = option; *s;) {
					size_t n;
					const char *piece = overlay_next_piece(s, &n);
					s = piece[n] ? piece + n + 1 : piece + n;
					const char *eq = memchr(piece, '=', n);
					if (!eq)
						continue;
					size_t key_len = (size_t)(eq - piece);
					bool path_key = false;
					for (size_t k = 0; k < ARRAY_SIZE(overlay_options); k++)
						path_key |=
						    overlay_options[k].kind != OVERLAY_FLAG &&
						    strlen(overlay_options[k].key) == key_len &&
						    strncmp(overlay_options[k].key, piece,
							    key_len) == 0;
					for (const char *val = eq + 1;
					     path_key && val < piece + n;) {
						char *layer = NULL;
						val = overlay_next_layer(val, piece + n, &layer);
						if (layer)
							mounts_query(
							    q,
							    harden_host_path(bundle, layer, false),
							    true);
						xfree(layer);
					}
				}
			}
		} else if (type && source && source[0] == '/') {
			mounts_query(q, xstrdup(source), true);
		}
	}
}

const struct harden_module harden_module_mounts = {
    .name = "mounts",
    .apply = mounts_apply,
    .queries = mounts_queries,
};
