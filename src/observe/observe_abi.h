/* SPDX-License-Identifier: Apache-2.0 */
/* What the kernel side of observation (observe.bpf.c) and the helper that
 * loads and reads it (oci-harden-observe) agree on: the maps' keys and
 * values. Only fixed-width types, laid out without implicit padding, so that
 * the BPF object and the helper see the same bytes.
 *
 * A container is known by its mount namespace: every container has one of
 * its own (runc requires it), it is set before the container's first
 * instruction, `runc exec` joins it, and containers of one pod, which may
 * share network, IPC, UTS and PID namespaces, never share it. A namespace a
 * watched process makes for itself (unshare, clone) is added under the same
 * container. The namespace's 64-bit id (NS_GET_MNTNS_ID, Linux 6.8) is
 * never reused while the machine runs; its inode number is, as soon as the
 * namespace is gone, and is used only where the kernel has no such id. */
#ifndef OCI_HARDEN_OBSERVE_ABI_H
#define OCI_HARDEN_OBSERVE_ABI_H

/* x86_64 has fewer than 512 syscalls: a bitmap of 8 words holds them. */
#define OBSERVE_SYSCALL_WORDS  8
#define OBSERVE_SYSCALL_MAX    (OBSERVE_SYSCALL_WORDS * 64)
#define OBSERVE_RULES	       16
#define OBSERVE_RULE_CONDS     6
#define OBSERVE_PATH_LEN       256
#define OBSERVE_COMM_LEN       16
#define OBSERVE_NOAUDIT_RANGES 8

/* observe_container.flags */
#define OBSERVE_F_AUDIT	  0x1u /* audit mode: what the policy would have denied */
#define OBSERVE_F_ENFORCE 0x2u /* enforce mode: what the policy denied */

/* Comparison operators of a rule's condition, as the OCI profile names
 * them (SCMP_CMP_NE ... SCMP_CMP_MASKED_EQ). */
enum observe_op {
	OBSERVE_OP_NE = 1,
	OBSERVE_OP_LT,
	OBSERVE_OP_LE,
	OBSERVE_OP_EQ,
	OBSERVE_OP_GE,
	OBSERVE_OP_GT,
	OBSERVE_OP_MASKED_EQ,
};

struct observe_cond {
	__u8 index; /* the argument, 0 to 5 */
	__u8 op;    /* enum observe_op */
	__u8 pad[6];
	__u64 value;
	__u64 value_two;
};

/* A rule of the policy's seccomp profile that tests arguments: the syscall
 * takes its action when every condition holds. */
struct observe_rule {
	__u16 nr;
	__u8 denies;
	__u8 len; /* conditions used, 0 to OBSERVE_RULE_CONDS */
	__u32 pad;
	struct observe_cond conds[OBSERVE_RULE_CONDS];
};

/* The "containers" map: mount namespace inode -> what to observe. */
struct observe_container {
	__u64 id;	      /* the namespace id the container's observations are kept under */
	__u32 flags;	      /* OBSERVE_F_* */
	__u32 init_tgid;      /* the container's first process, as the host numbers it */
	__u32 default_denies; /* the policy profile's default action denies */
	__u64 start_ns;	      /* CLOCK_BOOTTIME at registration */
	/* Syscall-level observation (denied syscalls, refused writes and
	 * execs) while CLOCK_BOOTTIME is below this: ~0 for always. */
	__u64 syscalls_until_ns;
	__s64 start_realtime; /* ns since the epoch (coarse, as file times), at registration */
	__u64 deny[OBSERVE_SYSCALL_WORDS]; /* denied whatever the arguments */
	__u64 cond[OBSERVE_SYSCALL_WORDS]; /* decided by the rules below */
	__u32 rules_len;
	__u32 pad;
	struct observe_rule rules[OBSERVE_RULES];
};

/* The "state" map: container id -> what was seen, as bitmaps. */
struct observe_state {
	/* Capability checks passed because it held them, by processes whose
	 * effective uid was 0, and by others: a policy that runs the image as
	 * the user it switches to needs only the latter. */
	__u64 caps_used;
	__u64 caps_used_user;
	__u64 caps_denied; /* enforce: checks that failed and failed a syscall */
	__u64 syscalls_made[OBSERVE_SYSCALL_WORDS];   /* audit: ones the policy denies */
	__u64 syscalls_denied[OBSERVE_SYSCALL_WORDS]; /* enforce: denied by seccomp */
	__u32 init_uid, init_gid;		      /* the first process's, latest */
	__u32 init_switched;			      /* it changed its ids */
	__u32 lost;				      /* a map was full: incomplete */
	/* The first process ended: when (CLOCK_BOOTTIME) and its wait
	 * status ((code << 8) | signal), for whether the image broke. */
	__u32 init_exited;
	__u32 init_exit_status;
	__u64 init_exit_ns;
};

/* Kinds of the "details" map: the first occurrence of each item. */
enum observe_detail_kind {
	OBSERVE_CAP_USED = 1,
	OBSERVE_CAP_DENIED,
	OBSERVE_SYSCALL_MADE,
	OBSERVE_SYSCALL_DENIED,
};

struct observe_detail_key {
	__u64 id;
	__u16 kind; /* enum observe_detail_kind */
	/* The syscall number, or the capability's (plus 64 when used by a
	 * process whose effective uid was not 0). */
	__u16 item;
	__u32 pad;
};

struct observe_event {
	__u64 time_ns; /* CLOCK_BOOTTIME */
	__u32 pid, tgid;
	__u32 uid, gid; /* real ids, as the host numbers them */
	__u32 euid, egid;
	__s32 nr;    /* the syscall under way, or -1 */
	__s32 error; /* what the syscall returned, for refusals */
	__u64 args[6];
	char comm[OBSERVE_COMM_LEN];
};

/* Kinds of the "paths" map. */
enum observe_path_kind {
	OBSERVE_EXEC_FOREIGN = 1, /* executed a file not from the image's layers */
	OBSERVE_EXEC_REFUSED,	  /* enforce: an exec that failed with EACCES/EPERM */
	OBSERVE_EXEC_PRIVILEGED,  /* an exec that raised privileges (setuid, file caps) */
	OBSERVE_WRITE_REFUSED,	  /* enforce: a write the read-only root refused */
};

/* Why an executed file is not from the image's layers. */
enum observe_exec_origin {
	OBSERVE_ORIGIN_OTHER_MOUNT = 1, /* a tmpfs, a volume, a memfd: not the root */
	OBSERVE_ORIGIN_UPPER_LAYER,	/* the root's writable overlay layer */
	OBSERVE_ORIGIN_CHANGED,		/* the root is no overlay; changed since start */
};

struct observe_path_key {
	__u64 id;
	__u32 kind; /* enum observe_path_kind */
	__u32 pad;
	char path[OBSERVE_PATH_LEN];
};

struct observe_path_value {
	struct observe_event event;
	__u32 origin; /* enum observe_exec_origin, for OBSERVE_EXEC_FOREIGN */
	__u32 pad;
	char fstype[16]; /* the file's filesystem type */
};

/* The "ids" map: each set of ids a process of the container ran with. */
enum observe_ids_how {
	OBSERVE_IDS_EXEC = 1, /* ran a program with them */
	OBSERVE_IDS_SETID,    /* switched to them (setuid, setresgid, ...) */
};

struct observe_ids_key {
	__u64 id;
	__u32 how;
	__u32 uid, gid, euid, egid;
	__u32 pad;
};

/* Per thread, made only when a syscall needs it (a failed capability
 * check, an unshare or setns): what its syscall under way has seen. */
struct observe_task {
	/* A capability check that failed, plus one (0: none; the kernel
	 * makes this zeroed), in syscall pending_nr. */
	__s32 pending_cap;
	__s32 pending_nr;
	__u64 unshare_id; /* the container of a pending unshare or setns */
};

/* The "watch" map's one value, kept by the helper: what sys_exit must look
 * at. Every other syscall of the machine leaves it at its first test. */
struct observe_watch {
	/* Syscalls looked at whatever they return: id changes, namespace
	 * moves, and what the policies of the audit-mode containers watched
	 * now would deny (made, they are observations). */
	__u64 exits[OBSERVE_SYSCALL_WORDS];
	/* An enforce-mode container watches its syscalls now: every failed
	 * syscall is looked at (seccomp denials, EROFS, refused execs). */
	__u32 enforcing;
	__u32 pad;
};

/* Address ranges of the kernel functions that make "noaudit" capability
 * checks: probes whose failure or success does not mean the program needed
 * the capability (cap_vm_enough_memory asks for CAP_SYS_ADMIN at every
 * mmap). The tracepoint does not carry the noaudit flag; the stack does. */
struct observe_range {
	__u64 start, end;
};

#endif
