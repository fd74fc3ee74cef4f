// SPDX-License-Identifier: GPL-2.0-only
/* The kernel side of observation: what the processes of watched containers
 * do that their policy decides about. Loaded once by oci-harden-observe and
 * pinned, so that it outlives the helper: no daemon reads it; the helper
 * reads the maps when a container is deleted.
 *
 * Only tracepoints (BTF raw tracepoints): kprobes, fentry and BPF LSM
 * programs do not load on every kernel that has BPF (they need ftrace
 * trampolines), and tracepoints are a stable interface.
 *   capability:cap_capable   a capability check and its result
 *   raw_syscalls:sys_exit    audit: syscalls the policy's profile denies;
 *                            ids switched to; enforce: seccomp denials,
 *                            writes refused by the read-only root (EROFS),
 *                            refused execs and failed capability checks
 *   sched:sched_process_exec files run that are not from the image's
 *                            layers; privilege-raising execs; ids run with
 *   sched:sched_process_fork a process making a mount namespace of its own
 *   sched:sched_process_exit how the container's first process ended
 * The syscall tracepoint is attached only while a container needs it.
 * While attached, every syscall of the machine takes the kernel's slow
 * path (a task under seccomp, as every hardened container, takes it
 * anyway) and runs the first test of sys_exit: so sys_exit is the only
 * syscall program, and everything a syscall's entry would tell it is read
 * at its exit, where the arguments are still in the registers.
 *
 * GPL: BTF raw tracepoint programs must be. */
#include "vmlinux.h"

#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "observe_abi.h"

char LICENSE[] SEC("license") = "GPL";

#ifndef __TARGET_ARCH_x86
#error "syscall numbers below are x86_64's"
#endif

/* x86_64 syscall numbers (arch/x86/entry/syscalls/syscall_64.tbl) */
enum {
	NR_open = 2,
	NR_truncate = 76,
	NR_ftruncate = 77,
	NR_rename = 82,
	NR_mkdir = 83,
	NR_rmdir = 84,
	NR_creat = 85,
	NR_link = 86,
	NR_unlink = 87,
	NR_symlink = 88,
	NR_chmod = 90,
	NR_fchmod = 91,
	NR_chown = 92,
	NR_fchown = 93,
	NR_lchown = 94,
	NR_setuid = 105,
	NR_setgid = 106,
	NR_setreuid = 113,
	NR_setregid = 114,
	NR_setgroups = 116,
	NR_setresuid = 117,
	NR_setresgid = 119,
	NR_setfsuid = 122,
	NR_setfsgid = 123,
	NR_utime = 132,
	NR_mknod = 133,
	NR_setxattr = 188,
	NR_lsetxattr = 189,
	NR_fsetxattr = 190,
	NR_removexattr = 197,
	NR_lremovexattr = 198,
	NR_fremovexattr = 199,
	NR_utimes = 235,
	NR_openat = 257,
	NR_mkdirat = 258,
	NR_mknodat = 259,
	NR_fchownat = 260,
	NR_futimesat = 261,
	NR_unlinkat = 263,
	NR_renameat = 264,
	NR_linkat = 265,
	NR_symlinkat = 266,
	NR_fchmodat = 268,
	NR_unshare = 272,
	NR_utimensat = 280,
	NR_setns = 308,
	NR_renameat2 = 316,
	NR_execve = 59,
	NR_execveat = 322,
	NR_openat2 = 437,
	NR_fchmodat2 = 452,
};

#define EPERM	    1
#define EACCES	    13
#define EROFS	    30
#define AT_FDCWD    -100
#define CLONE_NEWNS 0x00020000
/* include/uapi/linux/capability.h */
#define CAP_SYS_CHROOT 18
#define CAP_SYS_ADMIN  21

/* fs/overlayfs: the magic of an overlay superblock (include/uapi/linux/magic.h) */
#define OVERLAYFS_SUPER_MAGIC 0x794c7630

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, __u64);
	__type(value, struct observe_container);
} containers SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, __u64);
	__type(value, struct observe_state);
} state SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 65536);
	__type(key, struct observe_detail_key);
	__type(value, struct observe_event);
} details SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__type(key, struct observe_path_key);
	__type(value, struct observe_path_value);
} paths SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__type(key, struct observe_ids_key);
	__type(value, struct observe_event);
} ids SEC(".maps");

/* Set by the helper: see struct observe_watch. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct observe_watch);
} watch SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct observe_task);
} tasks SEC(".maps");

/* Room to build a path key and its value, off the 512-byte stack. */
struct scratch {
	struct observe_path_key key;
	char spill[OBSERVE_PATH_LEN]; /* a string copied at an offset may run into it */
	struct observe_path_value value;
	const unsigned char *names[32];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct scratch);
} scratch SEC(".maps");

/* Set by the helper before loading: see struct observe_range. */
const volatile struct observe_range noaudit[OBSERVE_NOAUDIT_RANGES] = {};
const volatile __u32 noaudit_len = 0;
/* The kernel has no mount namespace ids (before 6.8): inode numbers. */
const volatile bool key_by_inode = false;

/* ---- who ------------------------------------------------------------------ */

/* Linux 6.8 to 6.17 kept the id as mnt_namespace.seq; 6.18 in ns_common. */
struct mnt_namespace___seq {
	__u64 seq;
} __attribute__((preserve_access_index));

/* On every syscall of the machine while the syscall tracepoints are
 * attached: loads through the task's BTF pointers (the verifier makes them
 * fault-safe), no helper calls. */
static __always_inline __u64 mntns_of(struct task_struct *task)
{
	struct nsproxy *nsproxy = task->nsproxy;
	if (!nsproxy)
		return 0; /* exiting */
	struct mnt_namespace *ns = nsproxy->mnt_ns;
	if (!ns)
		return 0;
	if (key_by_inode)
		return ns->ns.inum;
	if (bpf_core_field_exists(ns->ns.ns_id))
		return ns->ns.ns_id;
	struct mnt_namespace___seq *old = (void *)ns;
	return BPF_CORE_READ(old, seq);
}

static __always_inline struct observe_container *container_of_task(struct task_struct *task)
{
	__u64 key = mntns_of(task);
	return bpf_map_lookup_elem(&containers, &key);
}

static __always_inline struct observe_state *state_of(const struct observe_container *c)
{
	__u64 id = c->id;
	return bpf_map_lookup_elem(&state, &id);
}

static __always_inline void mark_lost(const struct observe_container *c)
{
	struct observe_state *s = state_of(c);
	if (s)
		s->lost = 1;
}

static __always_inline bool syscalls_watched(const struct observe_container *c)
{
	return c->syscalls_until_ns == ~0ull || bpf_ktime_get_boot_ns() < c->syscalls_until_ns;
}

static __always_inline bool bit_test(const __u64 *bits, long nr)
{
	if (nr < 0 || nr >= OBSERVE_SYSCALL_MAX)
		return false;
	__u64 n = (__u64)nr;
	return (bits[(n / 64) & (OBSERVE_SYSCALL_WORDS - 1)] >> (n % 64)) & 1;
}

static __always_inline bool bit_set(__u64 *bits, long nr)
{
	if (nr < 0 || nr >= OBSERVE_SYSCALL_MAX)
		return false;
	__u64 n = (__u64)nr;
	__u64 mask = 1ull << (n % 64);
	__u64 *word = &bits[(n / 64) & (OBSERVE_SYSCALL_WORDS - 1)];
	if (*word & mask)
		return false;
	__sync_fetch_and_or(word, mask);
	return true;
}

static __always_inline void event_fill(struct observe_event *e, struct task_struct *task, long nr,
				       long error)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	e->time_ns = bpf_ktime_get_boot_ns();
	e->pid = (__u32)pid_tgid;
	e->tgid = pid_tgid >> 32;
	e->uid = BPF_CORE_READ(task, cred, uid.val);
	e->gid = BPF_CORE_READ(task, cred, gid.val);
	e->euid = BPF_CORE_READ(task, cred, euid.val);
	e->egid = BPF_CORE_READ(task, cred, egid.val);
	e->nr = nr;
	e->error = error;
	bpf_get_current_comm(e->comm, sizeof(e->comm));
}

static __always_inline void event_args(struct observe_event *e, struct pt_regs *regs)
{
	e->args[0] = BPF_CORE_READ(regs, di);
	e->args[1] = BPF_CORE_READ(regs, si);
	e->args[2] = BPF_CORE_READ(regs, dx);
	e->args[3] = BPF_CORE_READ(regs, r10);
	e->args[4] = BPF_CORE_READ(regs, r8);
	e->args[5] = BPF_CORE_READ(regs, r9);
}

/* The first occurrence of an item, kept; later ones change nothing. */
static __always_inline void detail_record(const struct observe_container *c, __u16 kind, __u16 item,
					  struct task_struct *task, long nr, long error,
					  struct pt_regs *regs)
{
	struct observe_detail_key key = {.id = c->id, .kind = kind, .item = item};
	struct observe_event e = {};
	event_fill(&e, task, nr, error);
	if (regs)
		event_args(&e, regs);
	long r = bpf_map_update_elem(&details, &key, &e, BPF_NOEXIST);
	if (r != 0 && r != -17 /* EEXIST */)
		mark_lost(c);
}

static __always_inline struct observe_task *task_state(struct task_struct *task, bool create)
{
	return bpf_task_storage_get(&tasks, task, 0, create ? BPF_LOCAL_STORAGE_GET_F_CREATE : 0);
}

/* ---- paths ----------------------------------------------------------------- */

/* An offset into a path buffer, masked where the verifier sees it: the
 * empty asm keeps the compiler from dropping a mask it can prove useless. */
static __always_inline __u32 path_index(__u32 off)
{
	asm volatile("" : "+r"(off));
	return off & (OBSERVE_PATH_LEN - 1);
}

static __always_inline struct scratch *scratch_get(void)
{
	__u32 zero = 0;
	struct scratch *s = bpf_map_lookup_elem(&scratch, &zero);
	if (s) {
		/* The key is hashed whole: no byte of an earlier path may stay. */
		__builtin_memset(&s->key, 0, sizeof(s->key));
		__builtin_memset(&s->value, 0, sizeof(s->value));
	}
	return s;
}

/* The walk from a dentry up to the task's root, one step per bpf_loop
 * iteration: a callback is verified once, where an unrolled walk would make
 * the verifier follow every path through it. */
struct path_walk {
	struct scratch *s;
	char *buf;
	__u64 dentry, vfsmnt, mnt; /* struct dentry *, struct vfsmount *, struct mount * */
	__u64 root_dentry, root_mnt;
	__u64 mount_offset;
	__u32 n, off;
};

static long path_walk_step(__u32 i, void *data)
{
	struct path_walk *w = data;
	struct dentry *dentry = (struct dentry *)w->dentry;
	struct vfsmount *vfsmnt = (struct vfsmount *)w->vfsmnt;
	struct mount *mnt = (struct mount *)w->mnt;
	if (w->dentry == w->root_dentry && w->vfsmnt == w->root_mnt)
		return 1;
	if (dentry == BPF_CORE_READ(vfsmnt, mnt_root)) {
		struct mount *parent = BPF_CORE_READ(mnt, mnt_parent);
		if (parent == mnt)
			return 1; /* the root of its namespace */
		w->dentry = (__u64)BPF_CORE_READ(mnt, mnt_mountpoint);
		w->mnt = (__u64)parent;
		w->vfsmnt = (__u64)parent + w->mount_offset;
		return 0;
	}
	if (w->n >= 32)
		return 1;
	w->s->names[w->n & 31] = BPF_CORE_READ(dentry, d_name.name);
	w->n++;
	struct dentry *parent = BPF_CORE_READ(dentry, d_parent);
	if (parent == dentry)
		return 1;
	w->dentry = (__u64)parent;
	return 0;
}

static long path_walk_write(__u32 i, void *data)
{
	struct path_walk *w = data;
	if (i >= w->n || w->off >= OBSERVE_PATH_LEN - 1)
		return 1;
	__u32 at = (w->n - 1 - i) & 31;
	w->buf[path_index(w->off)] = '/';
	w->off++;
	long len = bpf_probe_read_kernel_str(&w->buf[path_index(w->off)], OBSERVE_PATH_LEN,
					     w->s->names[at]);
	if (len > 1)
		w->off += len - 1;
	return 0;
}

/* Write `path` as the task sees it (from its root, across mounts) into
 * buf; returns the length. Components deeper than 32, or a path longer
 * than the key, are cut. No bpf_d_path here: tracepoints may not call it. */
static __noinline __u32 path_write(struct scratch *s, char *buf, struct dentry *dentry,
				   struct vfsmount *vfsmnt, struct task_struct *task)
{
	struct path_walk w = {
	    .s = s,
	    .buf = buf,
	    .dentry = (__u64)dentry,
	    .vfsmnt = (__u64)vfsmnt,
	    .root_dentry = (__u64)BPF_CORE_READ(task, fs, root.dentry),
	    .root_mnt = (__u64)BPF_CORE_READ(task, fs, root.mnt),
	    .mount_offset = bpf_core_field_offset(struct mount, mnt),
	};
	w.mnt = w.vfsmnt - w.mount_offset;
	bpf_loop(48, path_walk_step, &w, 0);
	bpf_loop(32, path_walk_write, &w, 0);
	__u32 off = w.off;
	if (off == 0) {
		buf[0] = '/';
		off = 1;
	}
	if (off >= OBSERVE_PATH_LEN)
		off = OBSERVE_PATH_LEN - 1;
	buf[path_index(off)] = '\0';
	return off;
}

static __always_inline struct file *file_of_fd(struct task_struct *task, long fd)
{
	if (fd < 0)
		return 0;
	struct fdtable *fdt = BPF_CORE_READ(task, files, fdt);
	unsigned int max = BPF_CORE_READ(fdt, max_fds);
	if (fd >= max)
		return 0;
	struct file **table = BPF_CORE_READ(fdt, fd);
	struct file *file = 0;
	bpf_core_read(&file, sizeof(file), &table[fd]);
	return file;
}

/* A syscall's path argument as the program named it; a relative one is put
 * after the path of the directory it is relative to (dirfd, or the working
 * directory). */
static __always_inline void path_of_argument(struct scratch *s, struct task_struct *task,
					     long dirfd, const char *user_path)
{
	char *buf = s->key.path;
	char first = 0;
	bpf_probe_read_user(&first, 1, user_path);
	__u32 off = 0;
	if (first != '/') {
		if (dirfd == AT_FDCWD) {
			off = path_write(s, buf, BPF_CORE_READ(task, fs, pwd.dentry),
					 BPF_CORE_READ(task, fs, pwd.mnt), task);
		} else {
			struct file *dir = file_of_fd(task, dirfd);
			if (dir)
				off = path_write(s, buf, BPF_CORE_READ(dir, f_path.dentry),
						 BPF_CORE_READ(dir, f_path.mnt), task);
		}
		if (off == 1)
			off = 0; /* the root: "/" + "x" */
		if (off < OBSERVE_PATH_LEN - 1) {
			buf[path_index(off)] = '/';
			off++;
		}
	}
	if (off < OBSERVE_PATH_LEN - 1)
		bpf_probe_read_user_str(&buf[path_index(off)], OBSERVE_PATH_LEN, user_path);
	buf[OBSERVE_PATH_LEN - 1] = '\0';
}

static __always_inline void path_record(const struct observe_container *c, struct scratch *s)
{
	long r = bpf_map_update_elem(&paths, &s->key, &s->value, BPF_NOEXIST);
	if (r != 0 && r != -17 /* EEXIST */)
		mark_lost(c);
}

/* ---- capabilities ------------------------------------------------------------ */

/* Whether the check was made by one of the kernel's noaudit probes. */
static __always_inline bool cap_check_is_probe(void *ctx)
{
	__u64 stack[12];
	long len = bpf_get_stack(ctx, stack, sizeof(stack), 0);
	if (len <= 0)
		return false;
	for (int i = 0; i < 12; i++) {
		if (i * 8 >= len)
			break;
		for (int r = 0; r < OBSERVE_NOAUDIT_RANGES; r++) {
			if (r >= noaudit_len)
				break;
			if (stack[i] >= noaudit[r].start && stack[i] < noaudit[r].end)
				return true;
		}
	}
	return false;
}

/* The syscall the task is in, or -1 (a check outside of one). */
static __always_inline long syscall_of(struct task_struct *task)
{
	struct pt_regs *regs = (struct pt_regs *)bpf_task_pt_regs(task);
	return regs ? (long)BPF_CORE_READ(regs, orig_ax) : -1;
}

SEC("tp_btf/cap_capable")
int BPF_PROG(observe_cap_capable, const struct cred *cred, struct user_namespace *target_ns,
	     const struct user_namespace *capable_ns, int cap, int ret)
{
	struct task_struct *task = bpf_get_current_task_btf();
	/* A process of a watched container that moves to a mount namespace
	 * of its own (unshare, setns) stays with its container: those calls
	 * check CAP_SYS_ADMIN or CAP_SYS_CHROOT before the move
	 * (kernel/nsproxy.c, fs/namespace.c), while the task is still where
	 * it was; sys_exit finds the mark here once it has moved. Before the
	 * credentials test below: unshare(CLONE_NEWUSER | ...) checks with the
	 * credentials it is making. */
	if (cap == CAP_SYS_ADMIN || cap == CAP_SYS_CHROOT) {
		long nr = syscall_of(task);
		if (nr == NR_unshare || nr == NR_setns) {
			struct observe_container *c = container_of_task(task);
			struct observe_task *t = c ? task_state(task, true) : 0;
			if (t)
				t->unshare_id = c->id;
		}
	}
	/* Checks of another task's credentials (has_capability) are not the
	 * container's doing, nor are those the kernel makes with credentials it
	 * put on for a while (override_creds: overlayfs acts with its
	 * mounter's, which hold CAP_SYS_ADMIN): only the task's own count. */
	if (cred != BPF_CORE_READ(task, cred) || cred != BPF_CORE_READ(task, real_cred))
		return 0;
	struct observe_container *c = container_of_task(task);
	if (!c || cap < 0 || cap >= 64)
		return 0;
	struct observe_state *s = state_of(c);
	if (!s)
		return 0;
	__u64 mask = 1ull << cap;
	if (ret == 0) {
		bool root = BPF_CORE_READ(cred, euid.val) == 0;
		__u64 *used = root ? &s->caps_used : &s->caps_used_user;
		if (*used & mask)
			return 0;
		if (cap_check_is_probe(ctx))
			return 0;
		__sync_fetch_and_or(used, mask);
		detail_record(c, OBSERVE_CAP_USED, cap + (root ? 0 : 64), task, -1, 0, 0);
		return 0;
	}
	/* A failed check matters where it fails the syscall: sys_exit decides,
	 * in enforce mode, where it watches syscalls. */
	if (!(c->flags & OBSERVE_F_ENFORCE) || (s->caps_denied & mask) || !syscalls_watched(c))
		return 0;
	long nr = syscall_of(task);
	if (nr < 0)
		return 0;
	struct observe_task *t = task_state(task, true);
	if (t) {
		t->pending_cap = cap + 1;
		t->pending_nr = nr;
	}
	return 0;
}

/* ---- syscalls ------------------------------------------------------------------ */

static __always_inline bool cond_holds(const struct observe_cond *cond, const __u64 *args)
{
	__u32 index = cond->index & 7;
	if (index >= 6)
		return false;
	__u64 a = args[index];
	switch (cond->op) {
	case OBSERVE_OP_NE:
		return a != cond->value;
	case OBSERVE_OP_LT:
		return a < cond->value;
	case OBSERVE_OP_LE:
		return a <= cond->value;
	case OBSERVE_OP_EQ:
		return a == cond->value;
	case OBSERVE_OP_GE:
		return a >= cond->value;
	case OBSERVE_OP_GT:
		return a > cond->value;
	case OBSERVE_OP_MASKED_EQ:
		return (a & cond->value) == cond->value_two;
	}
	return false;
}

/* Whether the policy's profile denies this call, by its argument rules:
 * the first rule of the syscall whose conditions all hold decides, else
 * the default action. */
static __always_inline bool cond_denies(const struct observe_container *c, long nr,
					struct pt_regs *regs)
{
	__u64 args[6] = {BPF_CORE_READ(regs, di), BPF_CORE_READ(regs, si),
			 BPF_CORE_READ(regs, dx), BPF_CORE_READ(regs, r10),
			 BPF_CORE_READ(regs, r8), BPF_CORE_READ(regs, r9)};
	for (int r = 0; r < OBSERVE_RULES; r++) {
		if (r >= c->rules_len)
			break;
		const struct observe_rule *rule = &c->rules[r];
		if (rule->nr != nr)
			continue;
		bool holds = true;
		for (int k = 0; k < OBSERVE_RULE_CONDS; k++) {
			if (k >= rule->len)
				break;
			if (!cond_holds(&rule->conds[k], args)) {
				holds = false;
				break;
			}
		}
		if (holds)
			return rule->denies;
	}
	return c->default_denies;
}

/* Whether the container's profile denies this call: by its number, or
 * by the first of its argument rules whose conditions all hold. */
static __always_inline bool profile_denies(const struct observe_container *c, long nr,
					   struct pt_regs *regs)
{
	if (bit_test(c->deny, nr))
		return true;
	return bit_test(c->cond, nr) && cond_denies(c, nr, regs);
}

static __always_inline bool nr_is_setid(long nr)
{
	switch (nr) {
	case NR_setuid:
	case NR_setgid:
	case NR_setreuid:
	case NR_setregid:
	case NR_setresuid:
	case NR_setresgid:
	case NR_setfsuid:
	case NR_setfsgid:
	case NR_setgroups:
		return true;
	}
	return false;
}

static __always_inline void ids_record(const struct observe_container *c, struct task_struct *task,
				       __u32 how, long nr)
{
	struct observe_ids_key key = {
	    .id = c->id,
	    .how = how,
	    .uid = BPF_CORE_READ(task, cred, uid.val),
	    .gid = BPF_CORE_READ(task, cred, gid.val),
	    .euid = BPF_CORE_READ(task, cred, euid.val),
	    .egid = BPF_CORE_READ(task, cred, egid.val),
	};
	struct observe_event e = {};
	event_fill(&e, task, nr, 0);
	long r = bpf_map_update_elem(&ids, &key, &e, BPF_NOEXIST);
	if (r != 0 && r != -17)
		mark_lost(c);
	if (e.tgid == c->init_tgid) {
		struct observe_state *s = state_of(c);
		if (s && (s->init_uid != key.euid || s->init_gid != key.egid)) {
			s->init_uid = key.euid;
			s->init_gid = key.egid;
			s->init_switched = 1;
		}
	}
}

/* The path argument of a syscall that writes, and its directory fd. */
static __always_inline bool write_target(long nr, struct pt_regs *regs, long *dirfd,
					 const char **path, long *fd)
{
	*dirfd = AT_FDCWD;
	*fd = -1;
	switch (nr) {
	case NR_open:
	case NR_creat:
	case NR_mkdir:
	case NR_mknod:
	case NR_rename:
	case NR_rmdir:
	case NR_unlink:
	case NR_truncate:
	case NR_chmod:
	case NR_chown:
	case NR_lchown:
	case NR_utime:
	case NR_utimes:
	case NR_setxattr:
	case NR_lsetxattr:
	case NR_removexattr:
	case NR_lremovexattr:
		*path = (const char *)BPF_CORE_READ(regs, di);
		return true;
	case NR_link:
	case NR_symlink:
		*path = (const char *)BPF_CORE_READ(regs, si);
		return true;
	case NR_openat:
	case NR_openat2:
	case NR_mkdirat:
	case NR_mknodat:
	case NR_unlinkat:
	case NR_fchmodat:
	case NR_fchmodat2:
	case NR_fchownat:
	case NR_futimesat:
	case NR_utimensat:
	case NR_renameat:
	case NR_renameat2:
		*dirfd = (int)BPF_CORE_READ(regs, di);
		*path = (const char *)BPF_CORE_READ(regs, si);
		return true;
	case NR_symlinkat:
		*dirfd = (int)BPF_CORE_READ(regs, si);
		*path = (const char *)BPF_CORE_READ(regs, dx);
		return true;
	case NR_linkat:
		*dirfd = (int)BPF_CORE_READ(regs, dx);
		*path = (const char *)BPF_CORE_READ(regs, r10);
		return true;
	case NR_ftruncate:
	case NR_fchmod:
	case NR_fchown:
	case NR_fsetxattr:
	case NR_fremovexattr:
		*fd = (int)BPF_CORE_READ(regs, di);
		*path = 0;
		return true;
	}
	return false;
}

static __always_inline void refusal_record(struct observe_container *c, struct task_struct *task,
					   __u32 kind, long nr, long ret, struct pt_regs *regs)
{
	long dirfd, fd;
	const char *user_path = 0;
	if (kind == OBSERVE_EXEC_REFUSED) {
		dirfd = nr == NR_execveat ? (int)BPF_CORE_READ(regs, di) : AT_FDCWD;
		user_path = (const char *)(nr == NR_execveat ? BPF_CORE_READ(regs, si)
							     : BPF_CORE_READ(regs, di));
		fd = -1;
	} else if (!write_target(nr, regs, &dirfd, &user_path, &fd)) {
		return;
	}
	struct scratch *s = scratch_get();
	if (!s)
		return;
	s->key.id = c->id;
	s->key.kind = kind;
	if (user_path) {
		path_of_argument(s, task, dirfd, user_path);
	} else {
		struct file *file = file_of_fd(task, fd);
		if (!file)
			return;
		path_write(s, s->key.path, BPF_CORE_READ(file, f_path.dentry),
			   BPF_CORE_READ(file, f_path.mnt), task);
	}
	event_fill(&s->value.event, task, nr, ret);
	event_args(&s->value.event, regs);
	path_record(c, s);
}

/* A process of a watched container that has just moved to a mount
 * namespace of its own: the namespace is its container's too. Returns
 * the container, or NULL when the process was none's. */
static __always_inline struct observe_container *follow_namespace(struct task_struct *task)
{
	struct observe_task *t = task_state(task, false);
	if (!t || !t->unshare_id)
		return 0;
	__u64 id = t->unshare_id;
	t->unshare_id = 0;
	struct observe_container *owner = bpf_map_lookup_elem(&containers, &id);
	if (!owner)
		return 0;
	__u64 ns = mntns_of(task);
	bpf_map_update_elem(&containers, &ns, owner, BPF_NOEXIST);
	return owner;
}

/* On every syscall of the machine while attached: the first test must
 * cost next to nothing (an inlined array lookup and a bit). */
SEC("tp_btf/sys_exit")
int BPF_PROG(observe_sys_exit, struct pt_regs *regs, long ret)
{
	long nr = regs->orig_ax;
	__u32 zero = 0;
	struct observe_watch *w = bpf_map_lookup_elem(&watch, &zero);
	if (!w || (!bit_test(w->exits, nr) && !(ret < 0 && w->enforcing)))
		return 0;
	struct task_struct *task = bpf_get_current_task_btf();
	struct observe_container *c = container_of_task(task);
	if (!c && ret == 0 && (nr == NR_unshare || nr == NR_setns))
		c = follow_namespace(task);
	if (!c)
		return 0;
	if (!syscalls_watched(c))
		return 0;
	if (ret == 0 && nr_is_setid(nr))
		ids_record(c, task, OBSERVE_IDS_SETID, nr);
	struct observe_state *s = state_of(c);
	if (!s)
		return 0;
	if (!(c->flags & OBSERVE_F_ENFORCE)) {
		/* Audit: made, whatever it returned, and the policy would have
		 * denied it. */
		if (profile_denies(c, nr, regs) && bit_set(s->syscalls_made, nr))
			detail_record(c, OBSERVE_SYSCALL_MADE, nr, task, nr, ret, regs);
		return 0;
	}
	if (ret >= 0)
		return 0;
	/* A call the container's filter denies never ran: its failure is the
	 * filter's (the profile the helper registered is the one the runtime
	 * loaded, from the bundle's config.json). */
	if (profile_denies(c, nr, regs)) {
		if (bit_set(s->syscalls_denied, nr))
			detail_record(c, OBSERVE_SYSCALL_DENIED, nr, task, nr, ret, regs);
		return 0;
	}
	if (ret == -EROFS) {
		refusal_record(c, task, OBSERVE_WRITE_REFUSED, nr, ret, regs);
		return 0;
	}
	if ((ret == -EACCES || ret == -EPERM) && (nr == NR_execve || nr == NR_execveat)) {
		refusal_record(c, task, OBSERVE_EXEC_REFUSED, nr, ret, regs);
		return 0;
	}
	if (ret != -EPERM && ret != -EACCES)
		return 0;
	struct observe_task *t = task_state(task, false);
	if (!t || t->pending_cap <= 0)
		return 0;
	__s32 cap = t->pending_cap - 1, in = t->pending_nr;
	t->pending_cap = 0;
	if (in != nr || cap >= 64)
		return 0;
	__u64 mask = 1ull << cap;
	if (!(s->caps_denied & mask)) {
		__sync_fetch_and_or(&s->caps_denied, mask);
		detail_record(c, OBSERVE_CAP_DENIED, cap, task, nr, ret, regs);
	}
	return 0;
}

/* ---- exec ------------------------------------------------------------------------ */

/* Where an executed file comes from, when not from the image's layers. */
static __always_inline __u32 exec_origin(const struct observe_container *c,
					 struct task_struct *task, struct file *file)
{
	struct vfsmount *root_mnt = BPF_CORE_READ(task, fs, root.mnt);
	struct vfsmount *mnt = BPF_CORE_READ(file, f_path.mnt);
	/* The same filesystem from the same directory is the root, also in a
	 * mount namespace a process made (its mounts are copies). */
	if (mnt != root_mnt && (BPF_CORE_READ(mnt, mnt_sb) != BPF_CORE_READ(root_mnt, mnt_sb) ||
				BPF_CORE_READ(mnt, mnt_root) != BPF_CORE_READ(root_mnt, mnt_root)))
		return OBSERVE_ORIGIN_OTHER_MOUNT;
	struct inode *inode = BPF_CORE_READ(file, f_inode);
	unsigned long magic = BPF_CORE_READ(inode, i_sb, s_magic);
	if (magic == OVERLAYFS_SUPER_MAGIC) {
		/* An overlay inode with an upper dentry was written or copied
		 * up: it is not (only) what the image's layers hold. */
		unsigned long vfs_offset = bpf_core_field_offset(struct ovl_inode, vfs_inode);
		struct ovl_inode *oi = (struct ovl_inode *)((char *)inode - vfs_offset);
		struct dentry *upper = BPF_CORE_READ(oi, __upperdentry);
		return upper ? OBSERVE_ORIGIN_UPPER_LAYER : 0;
	}
	__s64 ctime = 0;
	/* The top bit of i_ctime_nsec is not time: multigrain timestamps
	 * (Linux 6.13, I_CTIME_QUERIED) keep a flag there. */
	if (bpf_core_field_exists(inode->i_ctime_sec))
		ctime = BPF_CORE_READ(inode, i_ctime_sec) * 1000000000ll +
			(BPF_CORE_READ(inode, i_ctime_nsec) & 0x7fffffffu);
	return ctime >= c->start_realtime ? OBSERVE_ORIGIN_CHANGED : 0;
}

SEC("tp_btf/sched_process_exec")
int BPF_PROG(observe_exec, struct task_struct *p, pid_t old_pid, struct linux_binprm *bprm)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct observe_container *c = container_of_task(task);
	if (!c)
		return 0;
	ids_record(c, task, OBSERVE_IDS_EXEC, NR_execve);

	struct file *file = BPF_CORE_READ(bprm, file);
	__u32 origin = exec_origin(c, task, file);
	bool raised = BPF_CORE_READ_BITFIELD_PROBED(bprm, secureexec);
	if (!origin && !raised)
		return 0;
	struct scratch *s = scratch_get();
	if (!s)
		return 0;
	s->key.id = c->id;
	path_write(s, s->key.path, BPF_CORE_READ(file, f_path.dentry),
		   BPF_CORE_READ(file, f_path.mnt), task);
	event_fill(&s->value.event, task, NR_execve, 0);
	bpf_probe_read_kernel_str(s->value.fstype, sizeof(s->value.fstype),
				  BPF_CORE_READ(file, f_inode, i_sb, s_type, name));
	if (origin) {
		s->key.kind = OBSERVE_EXEC_FOREIGN;
		s->value.origin = origin;
		path_record(c, s);
	}
	if (raised) {
		s->key.kind = OBSERVE_EXEC_PRIVILEGED;
		s->value.origin = 0;
		path_record(c, s);
	}
	return 0;
}

SEC("tp_btf/sched_process_fork")
int BPF_PROG(observe_fork, struct task_struct *parent, struct task_struct *child)
{
	__u64 parent_ns = mntns_of(parent);
	__u64 child_ns = mntns_of(child);
	if (parent_ns == child_ns)
		return 0;
	struct observe_container *c = bpf_map_lookup_elem(&containers, &parent_ns);
	if (c)
		bpf_map_update_elem(&containers, &child_ns, c, BPF_NOEXIST);
	return 0;
}

SEC("tp_btf/sched_process_exit")
int BPF_PROG(observe_process_exit, struct task_struct *p)
{
	/* Its namespaces are still its own here (kernel/exit.c: the
	 * tracepoint comes before exit_task_namespaces), and exit_code is set. */
	if (p->pid != p->tgid)
		return 0;
	struct observe_container *c = container_of_task(p);
	if (!c || (__u32)p->tgid != c->init_tgid)
		return 0;
	struct observe_state *s = state_of(c);
	if (!s)
		return 0;
	s->init_exit_status = (__u32)p->exit_code;
	s->init_exit_ns = bpf_ktime_get_boot_ns();
	s->init_exited = 1;
	return 0;
}
