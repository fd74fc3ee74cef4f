/* SPDX-License-Identifier: Apache-2.0 */
/* The shipped default seccomp profile, policies/seccomp/default.json.
 *
 * The first tests read the JSON and check its shape: the default action,
 * that every name is a real syscall on every listed architecture, that the
 * syscalls oci-harden promises to refuse are refused, and that what ordinary
 * programs need is there. The last test is the behavioural one: it builds a
 * libseccomp filter from the same JSON, loads it in a forked child and makes
 * the child try the calls for real.
 *
 * The profile is read with plain stdio and yajl's tree parser on purpose, so
 * that this test does not share a parser (or its bugs) with src/. */

#include <criterion/criterion.h>

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/sched.h>
#include <pthread.h>
#include <sched.h>
#include <seccomp.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <yajl/yajl_tree.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* CLONE_NEWTIME is in linux/sched.h only from 5.6 headers on. */
#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

#ifndef AF_VSOCK
#define AF_VSOCK 40
#endif

/* Every namespace flag of clone(2). The profile allows clone only when none
 * of them is set: the same SCMP_CMP_MASKED_EQ rule Docker applies to
 * containers without CAP_SYS_ADMIN, widened by CLONE_NEWTIME. */
static const uint64_t namespace_flags[] = {
    CLONE_NEWTIME, CLONE_NEWNS,	  CLONE_NEWCGROUP, CLONE_NEWUTS,
    CLONE_NEWIPC,  CLONE_NEWUSER, CLONE_NEWPID,	   CLONE_NEWNET,
};

/* The exact values Docker's default profile lets personality(2) take
 * (moby profiles/seccomp/default.json): PER_LINUX, PER_LINUX32, UNAME26,
 * UNAME26|PER_LINUX32, and 0xffffffff, which only queries. */
static const uint64_t personality_allowed[] = {0x0, 0x8, 0x20000, 0x20008, 0xffffffff};

/* Named in no ALLOW rule at all, whatever the arguments: the calls this
 * profile refuses beyond Docker's (ptrace, process_vm_*, clock_adjtime,
 * adjtimex; io_uring, which Docker before 25.0 allowed), and the namespace,
 * mount, key, module and kexec calls Docker allows only with capabilities a
 * container here never holds. clone, personality and socket have their own
 * tests because they are allowed with argument conditions. */
static const char *const hardening_denied[] = {
    "add_key",
    "adjtimex",
    "bpf",
    "clock_adjtime",
    "clone3",
    "delete_module",
    "finit_module",
    "fsconfig",
    "fsmount",
    "fsopen",
    "fspick",
    "init_module",
    "io_uring_enter",
    "io_uring_register",
    "io_uring_setup",
    "kexec_file_load",
    "kexec_load",
    "keyctl",
    "mount",
    "mount_setattr",
    "move_mount",
    "open_tree",
    "perf_event_open",
    "pivot_root",
    "process_vm_readv",
    "process_vm_writev",
    "ptrace",
    "request_key",
    "setns",
    "umount",
    "umount2",
    "unshare",
    "userfaultfd",
};

/* Syscalls Docker's default profile refuses to a container that holds only
 * CAP_NET_BIND_SERVICE, whether outright or because a capability gates them
 * (CAP_SYS_ADMIN, CAP_SYS_PTRACE, CAP_SYS_MODULE, CAP_SYS_TIME, CAP_SYS_NICE,
 * CAP_SYS_RAWIO, CAP_SYS_BOOT, CAP_SYS_CHROOT, CAP_SYS_PACCT, CAP_SYSLOG,
 * CAP_SYS_TTY_CONFIG, CAP_DAC_READ_SEARCH, CAP_BPF, CAP_PERFMON). */
static const char *const docker_denied[] = {
    "_sysctl",
    "acct",
    "add_key",
    "bpf",
    "chroot",
    "clock_adjtime",
    "clock_settime",
    "create_module",
    "delete_module",
    "fanotify_init",
    "finit_module",
    "get_kernel_syms",
    "get_mempolicy",
    "init_module",
    "ioperm",
    "iopl",
    "kcmp",
    "kexec_file_load",
    "kexec_load",
    "keyctl",
    "lookup_dcookie",
    "mbind",
    "migrate_pages",
    "mount",
    "move_pages",
    "nfsservctl",
    "open_by_handle_at",
    "perf_event_open",
    "pidfd_getfd",
    "pivot_root",
    "process_madvise",
    "process_vm_readv",
    "process_vm_writev",
    "ptrace",
    "query_module",
    "quotactl",
    "quotactl_fd",
    "reboot",
    "request_key",
    "set_mempolicy",
    "set_mempolicy_home_node",
    "setdomainname",
    "sethostname",
    "setns",
    "settimeofday",
    "stime",
    "swapoff",
    "swapon",
    "sysfs",
    "syslog",
    "umount",
    "umount2",
    "unshare",
    "uselib",
    "userfaultfd",
    "ustat",
    "vhangup",
    "vm86",
    "vm86old",
};

/* What a dynamically linked program, a shell or a small server calls. */
static const char *const ordinary_unconditional[] = {
    "accept4",	    "arch_prctl",      "bind",
    "brk",	    "close",	       "connect",
    "dup3",	    "epoll_create1",   "epoll_ctl",
    "epoll_wait",   "execve",	       "exit",
    "exit_group",   "fcntl",	       "fstat",
    "futex",	    "getdents64",      "getpid",
    "getrandom",    "listen",	       "mmap",
    "mprotect",	    "munmap",	       "newfstatat",
    "openat",	    "pipe2",	       "prlimit64",
    "read",	    "recvmsg",	       "rseq",
    "rt_sigaction", "rt_sigprocmask",  "rt_sigreturn",
    "sendmsg",	    "set_robust_list", "set_tid_address",
    "setsockopt",   "statx",	       "wait4",
    "write",
};

/* ---- reading the profile ------------------------------------------------ */

static yajl_val profile;

static char *profile_path(void)
{
	const char *root = getenv("OCI_HARDEN_SOURCE_ROOT");
	char *path = NULL;

	if (root == NULL || *root == '\0')
		root = ".";
	cr_assert_neq(asprintf(&path, "%s/policies/seccomp/default.json", root), -1);
	return path;
}

static char *read_whole_file(const char *path)
{
	FILE *f = fopen(path, "re");
	char *text = NULL;
	size_t len = 0, cap = 0;

	cr_assert_not_null(f, "cannot open %s: %s", path, strerror(errno));
	for (;;) {
		if (cap - len < 4096) {
			cap = cap ? cap * 2 : 65536;
			text = realloc(text, cap + 1);
			cr_assert_not_null(text);
		}
		size_t n = fread(text + len, 1, cap - len, f);
		len += n;
		if (n == 0)
			break;
	}
	cr_assert(!ferror(f), "cannot read %s", path);
	fclose(f);
	text[len] = '\0';
	return text;
}

static void profile_load(void)
{
	char *path = profile_path();
	char *text = read_whole_file(path);
	char error[512] = "";

	profile = yajl_tree_parse(text, error, sizeof(error));
	cr_assert_not_null(profile, "%s does not parse: %s", path, error);
	cr_assert(YAJL_IS_OBJECT(profile), "%s is not a JSON object", path);
	free(text);
	free(path);
}

static void profile_free(void)
{
	yajl_tree_free(profile);
	profile = NULL;
}

TestSuite(seccomp_profile, .init = profile_load, .fini = profile_free);

static yajl_val member(yajl_val object, const char *key)
{
	const char *path[] = {key, NULL};

	return yajl_tree_get(object, path, yajl_t_any);
}

static const char *member_string(yajl_val object, const char *key)
{
	yajl_val v = member(object, key);

	return YAJL_IS_STRING(v) ? YAJL_GET_STRING(v) : NULL;
}

/* JSON numbers as unsigned 64-bit values, from yajl's copy of the source
 * text so that values above LLONG_MAX would survive too. */
static bool number_u64(yajl_val v, uint64_t *out)
{
	char *end;

	if (!YAJL_IS_NUMBER(v) || v->u.number.r == NULL || v->u.number.r[0] == '-')
		return false;
	errno = 0;
	*out = strtoull(v->u.number.r, &end, 10);
	return errno == 0 && end != v->u.number.r && *end == '\0';
}

static yajl_val syscall_rules(void)
{
	yajl_val rules = member(profile, "syscalls");

	cr_assert(YAJL_IS_ARRAY(rules), "\"syscalls\" is not an array");
	return rules;
}

static size_t rule_count(void)
{
	return YAJL_GET_ARRAY(syscall_rules())->len;
}

static yajl_val rule_at(size_t i)
{
	return YAJL_GET_ARRAY(syscall_rules())->values[i];
}

static yajl_val rule_names(yajl_val rule)
{
	yajl_val names = member(rule, "names");

	cr_assert(YAJL_IS_ARRAY(names) && YAJL_GET_ARRAY(names)->len > 0,
		  "a rule has no \"names\" array");
	return names;
}

static const char *rule_name_at(yajl_val rule, size_t i)
{
	yajl_val v = YAJL_GET_ARRAY(rule_names(rule))->values[i];

	cr_assert(YAJL_IS_STRING(v), "a syscall name is not a string");
	return YAJL_GET_STRING(v);
}

static bool rule_has_name(yajl_val rule, const char *name)
{
	size_t n = YAJL_GET_ARRAY(rule_names(rule))->len;

	for (size_t i = 0; i < n; i++)
		if (strcmp(rule_name_at(rule, i), name) == 0)
			return true;
	return false;
}

static size_t rule_arg_count(yajl_val rule)
{
	yajl_val args = member(rule, "args");

	if (args == NULL || YAJL_IS_NULL(args))
		return 0;
	cr_assert(YAJL_IS_ARRAY(args), "\"args\" is not an array");
	return YAJL_GET_ARRAY(args)->len;
}

static yajl_val rule_arg_at(yajl_val rule, size_t i)
{
	return YAJL_GET_ARRAY(member(rule, "args"))->values[i];
}

static bool rule_allows(yajl_val rule)
{
	const char *action = member_string(rule, "action");

	return action != NULL && strcmp(action, "SCMP_ACT_ALLOW") == 0;
}

/* True when some rule allows `name` whatever its arguments. */
static bool allowed_unconditionally(const char *name)
{
	for (size_t i = 0; i < rule_count(); i++) {
		yajl_val rule = rule_at(i);
		if (rule_allows(rule) && rule_arg_count(rule) == 0 && rule_has_name(rule, name))
			return true;
	}
	return false;
}

/* True when some rule allows `name`, with or without argument conditions. */
static bool allowed_at_all(const char *name)
{
	for (size_t i = 0; i < rule_count(); i++) {
		yajl_val rule = rule_at(i);
		if (rule_allows(rule) && rule_has_name(rule, name))
			return true;
	}
	return false;
}

/* ---- name tables shared by the static and the behavioural tests --------- */

/* OCI architecture names (config-linux.md#seccomp) to libseccomp's. */
static const struct {
	const char *oci;
	const char *libseccomp;
} arch_names[] = {
    {"SCMP_ARCH_X86", "x86"},	      {"SCMP_ARCH_X86_64", "x86_64"},
    {"SCMP_ARCH_X32", "x32"},	      {"SCMP_ARCH_ARM", "arm"},
    {"SCMP_ARCH_AARCH64", "aarch64"}, {"SCMP_ARCH_PPC64LE", "ppc64le"},
    {"SCMP_ARCH_S390X", "s390x"},     {"SCMP_ARCH_RISCV64", "riscv64"},
};

static uint32_t arch_token(const char *oci_name)
{
	for (size_t i = 0; i < ARRAY_SIZE(arch_names); i++)
		if (strcmp(arch_names[i].oci, oci_name) == 0)
			return seccomp_arch_resolve_name(arch_names[i].libseccomp);
	return 0;
}

static const struct {
	const char *name;
	enum scmp_compare op;
} compare_ops[] = {
    {"SCMP_CMP_NE", SCMP_CMP_NE},
    {"SCMP_CMP_LT", SCMP_CMP_LT},
    {"SCMP_CMP_LE", SCMP_CMP_LE},
    {"SCMP_CMP_EQ", SCMP_CMP_EQ},
    {"SCMP_CMP_GE", SCMP_CMP_GE},
    {"SCMP_CMP_GT", SCMP_CMP_GT},
    {"SCMP_CMP_MASKED_EQ", SCMP_CMP_MASKED_EQ},
};

static bool compare_op(const char *name, enum scmp_compare *out)
{
	for (size_t i = 0; name != NULL && i < ARRAY_SIZE(compare_ops); i++) {
		if (strcmp(compare_ops[i].name, name) == 0) {
			*out = compare_ops[i].op;
			return true;
		}
	}
	return false;
}

/* Actions that carry an errno take it from the rule's "errnoRet", else from
 * the profile's "defaultErrnoRet", else EPERM, as runc does. */
static bool action_value(const char *name, yajl_val errno_ret, uint32_t *out)
{
	uint64_t code = EPERM;
	yajl_val fallback = member(profile, "defaultErrnoRet");

	if (name == NULL)
		return false;
	if (errno_ret == NULL)
		errno_ret = fallback;
	if (errno_ret != NULL && !number_u64(errno_ret, &code))
		return false;
	if (strcmp(name, "SCMP_ACT_ALLOW") == 0)
		*out = SCMP_ACT_ALLOW;
	else if (strcmp(name, "SCMP_ACT_ERRNO") == 0)
		*out = SCMP_ACT_ERRNO((uint32_t)code);
	else if (strcmp(name, "SCMP_ACT_KILL") == 0 || strcmp(name, "SCMP_ACT_KILL_THREAD") == 0)
		*out = SCMP_ACT_KILL_THREAD;
	else if (strcmp(name, "SCMP_ACT_KILL_PROCESS") == 0)
		*out = SCMP_ACT_KILL_PROCESS;
	else if (strcmp(name, "SCMP_ACT_TRAP") == 0)
		*out = SCMP_ACT_TRAP;
	else if (strcmp(name, "SCMP_ACT_LOG") == 0)
		*out = SCMP_ACT_LOG;
	else
		return false;
	return true;
}

/* ---- static checks of the JSON ----------------------------------------- */

Test(seccomp_profile, default_action_is_eperm)
{
	uint64_t errno_ret;

	cr_assert_str_eq(member_string(profile, "defaultAction"), "SCMP_ACT_ERRNO");
	cr_assert(number_u64(member(profile, "defaultErrnoRet"), &errno_ret),
		  "defaultErrnoRet is missing or not a number");
	cr_assert_eq(errno_ret, EPERM);
}

Test(seccomp_profile, architectures_are_known_to_libseccomp)
{
	yajl_val arches = member(profile, "architectures");

	cr_assert(YAJL_IS_ARRAY(arches) && YAJL_GET_ARRAY(arches)->len > 0,
		  "\"architectures\" must be a non-empty array");
	for (size_t i = 0; i < YAJL_GET_ARRAY(arches)->len; i++) {
		yajl_val arch = YAJL_GET_ARRAY(arches)->values[i];
		cr_assert(YAJL_IS_STRING(arch));
		cr_assert_neq(arch_token(YAJL_GET_STRING(arch)), 0,
			      "architecture %s is unknown to libseccomp", YAJL_GET_STRING(arch));
	}
}

/* A name libseccomp maps to a negative number is either unknown or a
 * pseudo-syscall that does not exist on that architecture (chown32 on
 * x86_64); either way a rule naming it filters nothing there. */
Test(seccomp_profile, every_name_is_a_syscall_on_every_architecture)
{
	yajl_val arches = member(profile, "architectures");

	for (size_t a = 0; a < YAJL_GET_ARRAY(arches)->len; a++) {
		const char *arch_name = YAJL_GET_STRING(YAJL_GET_ARRAY(arches)->values[a]);
		uint32_t arch = arch_token(arch_name);

		for (size_t r = 0; r < rule_count(); r++) {
			yajl_val rule = rule_at(r);
			size_t n = YAJL_GET_ARRAY(rule_names(rule))->len;

			for (size_t i = 0; i < n; i++) {
				const char *name = rule_name_at(rule, i);
				int nr = seccomp_syscall_resolve_name_arch(arch, name);
				cr_expect(nr != __NR_SCMP_ERROR,
					  "%s is unknown to libseccomp on %s", name, arch_name);
				cr_expect(nr >= 0, "%s is not a syscall on %s (libseccomp says %d)",
					  name, arch_name, nr);
			}
		}
	}
}

/* Reviewers diff the lists, so they stay sorted, and a name that two
 * unconditional rules both allow would hide one of them from that diff. */
Test(seccomp_profile, names_are_sorted_and_unique)
{
	for (size_t r = 0; r < rule_count(); r++) {
		yajl_val rule = rule_at(r);
		size_t n = YAJL_GET_ARRAY(rule_names(rule))->len;

		for (size_t i = 1; i < n; i++)
			cr_expect(strcmp(rule_name_at(rule, i - 1), rule_name_at(rule, i)) < 0,
				  "rule %zu: \"%s\" should come after \"%s\"", r,
				  rule_name_at(rule, i - 1), rule_name_at(rule, i));
		if (!rule_allows(rule) || rule_arg_count(rule) != 0)
			continue;
		for (size_t other = r + 1; other < rule_count(); other++) {
			yajl_val later = rule_at(other);
			if (!rule_allows(later) || rule_arg_count(later) != 0)
				continue;
			for (size_t i = 0; i < n; i++)
				cr_expect(!rule_has_name(later, rule_name_at(rule, i)),
					  "%s is allowed by rules %zu and %zu",
					  rule_name_at(rule, i), r, other);
		}
	}
}

Test(seccomp_profile, every_rule_has_a_known_action_and_valid_args)
{
	for (size_t r = 0; r < rule_count(); r++) {
		yajl_val rule = rule_at(r);
		uint32_t action;

		cr_expect(
		    action_value(member_string(rule, "action"), member(rule, "errnoRet"), &action),
		    "rule %zu has an unknown action or a bad errnoRet", r);
		for (size_t i = 0; i < rule_arg_count(rule); i++) {
			yajl_val arg = rule_arg_at(rule, i);
			uint64_t index, value, value_two = 0;
			enum scmp_compare op;

			cr_expect(number_u64(member(arg, "index"), &index) && index < 6,
				  "rule %zu arg %zu: bad index", r, i);
			cr_expect(number_u64(member(arg, "value"), &value),
				  "rule %zu arg %zu: bad value", r, i);
			cr_expect(member(arg, "valueTwo") == NULL ||
				      number_u64(member(arg, "valueTwo"), &value_two),
				  "rule %zu arg %zu: bad valueTwo", r, i);
			cr_expect(compare_op(member_string(arg, "op"), &op),
				  "rule %zu arg %zu: unknown op", r, i);
		}
	}
}

Test(seccomp_profile, hardening_denials_hold)
{
	for (size_t i = 0; i < ARRAY_SIZE(hardening_denied); i++)
		cr_expect(!allowed_at_all(hardening_denied[i]), "%s must not be allowed",
			  hardening_denied[i]);
}

Test(seccomp_profile, docker_denials_hold)
{
	for (size_t i = 0; i < ARRAY_SIZE(docker_denied); i++)
		cr_expect(!allowed_unconditionally(docker_denied[i]),
			  "%s must not be allowed unconditionally", docker_denied[i]);
}

Test(seccomp_profile, clone_is_allowed_only_without_namespace_flags)
{
	uint64_t mask = 0;
	size_t clone_rules = 0;

	for (size_t i = 0; i < ARRAY_SIZE(namespace_flags); i++)
		mask |= namespace_flags[i];
	cr_assert_eq(mask, UINT64_C(2114060416), "namespace mask is %#" PRIx64, mask);

	for (size_t r = 0; r < rule_count(); r++) {
		yajl_val rule = rule_at(r);
		uint64_t index, value, value_two = 0;

		if (!rule_allows(rule) || !rule_has_name(rule, "clone"))
			continue;
		clone_rules++;
		cr_assert_eq(YAJL_GET_ARRAY(rule_names(rule))->len, 1,
			     "the clone rule must name clone alone");
		cr_assert_eq(rule_arg_count(rule), 1, "clone must be allowed with one arg rule");
		yajl_val arg = rule_arg_at(rule, 0);
		cr_assert(number_u64(member(arg, "index"), &index));
		cr_assert(number_u64(member(arg, "value"), &value));
		if (member(arg, "valueTwo") != NULL)
			cr_assert(number_u64(member(arg, "valueTwo"), &value_two));
		cr_assert_eq(index, 0, "clone's flags are argument 0 on x86_64");
		cr_assert_str_eq(member_string(arg, "op"), "SCMP_CMP_MASKED_EQ");
		cr_assert_eq(value, mask, "clone mask is %" PRIu64 ", want %" PRIu64, value, mask);
		cr_assert_eq(value_two, 0);
	}
	cr_assert_eq(clone_rules, 1, "want exactly one rule allowing clone, found %zu",
		     clone_rules);
}

Test(seccomp_profile, clone3_fails_with_enosys)
{
	size_t found = 0;

	for (size_t r = 0; r < rule_count(); r++) {
		yajl_val rule = rule_at(r);
		uint64_t errno_ret;

		if (!rule_has_name(rule, "clone3"))
			continue;
		found++;
		cr_assert_str_eq(member_string(rule, "action"), "SCMP_ACT_ERRNO");
		cr_assert_eq(rule_arg_count(rule), 0);
		cr_assert(number_u64(member(rule, "errnoRet"), &errno_ret));
		cr_assert_eq(errno_ret, ENOSYS,
			     "clone3 must fail with ENOSYS so that glibc falls back to clone");
	}
	cr_assert_eq(found, 1);
}

Test(seccomp_profile, personality_is_allowed_only_for_docker_values)
{
	size_t found = 0;

	for (size_t r = 0; r < rule_count(); r++) {
		yajl_val rule = rule_at(r);
		uint64_t index, value;
		bool known = false;

		if (!rule_allows(rule) || !rule_has_name(rule, "personality"))
			continue;
		found++;
		cr_assert_eq(rule_arg_count(rule), 1);
		yajl_val arg = rule_arg_at(rule, 0);
		cr_assert(number_u64(member(arg, "index"), &index) && index == 0);
		cr_assert_str_eq(member_string(arg, "op"), "SCMP_CMP_EQ");
		cr_assert(number_u64(member(arg, "value"), &value));
		for (size_t i = 0; i < ARRAY_SIZE(personality_allowed); i++)
			known = known || value == personality_allowed[i];
		cr_expect(known, "personality(%#" PRIx64 ") is not one Docker allows", value);
	}
	cr_assert_eq(found, ARRAY_SIZE(personality_allowed));
}

Test(seccomp_profile, socket_refuses_vsock)
{
	size_t found = 0;

	for (size_t r = 0; r < rule_count(); r++) {
		yajl_val rule = rule_at(r);
		uint64_t index, value;

		if (!rule_allows(rule) || !rule_has_name(rule, "socket"))
			continue;
		found++;
		cr_assert_eq(rule_arg_count(rule), 1);
		yajl_val arg = rule_arg_at(rule, 0);
		cr_assert(number_u64(member(arg, "index"), &index) && index == 0);
		cr_assert(number_u64(member(arg, "value"), &value) && value == AF_VSOCK);
		cr_assert_str_eq(member_string(arg, "op"), "SCMP_CMP_NE");
	}
	cr_assert_eq(found, 1);
}

Test(seccomp_profile, ordinary_syscalls_are_allowed)
{
	for (size_t i = 0; i < ARRAY_SIZE(ordinary_unconditional); i++)
		cr_expect(allowed_unconditionally(ordinary_unconditional[i]), "%s must be allowed",
			  ordinary_unconditional[i]);
	cr_expect(allowed_at_all("clone"));
	cr_expect(allowed_at_all("socket"));
}

/* ---- the behavioural check --------------------------------------------- */

/* Build a filter from the profile, the way an OCI runtime would. Building
 * happens in the test process, where a failure can be reported with
 * cr_assert; only loading happens in the child. */
static scmp_filter_ctx filter_from_profile(void)
{
	uint32_t default_action;
	yajl_val arches = member(profile, "architectures");
	scmp_filter_ctx ctx;
	bool native_listed = false;

	cr_assert(action_value(member_string(profile, "defaultAction"), NULL, &default_action));
	ctx = seccomp_init(default_action);
	cr_assert_not_null(ctx);

	for (size_t a = 0; a < YAJL_GET_ARRAY(arches)->len; a++) {
		uint32_t arch = arch_token(YAJL_GET_STRING(YAJL_GET_ARRAY(arches)->values[a]));
		if (arch == seccomp_arch_native()) {
			native_listed = true;
			continue;
		}
		int rc = seccomp_arch_add(ctx, arch);
		cr_assert(rc == 0 || rc == -EEXIST, "seccomp_arch_add: %s", strerror(-rc));
	}
	if (!native_listed)
		cr_assert_eq(seccomp_arch_remove(ctx, seccomp_arch_native()), 0);

	for (size_t r = 0; r < rule_count(); r++) {
		yajl_val rule = rule_at(r);
		size_t nargs = rule_arg_count(rule);
		struct scmp_arg_cmp cmp[6];
		uint32_t action;

		cr_assert(
		    action_value(member_string(rule, "action"), member(rule, "errnoRet"), &action));
		/* libseccomp refuses a rule that repeats the default action
		 * (EACCES); runc skips such rules, and so does this. */
		if (action == default_action)
			continue;
		cr_assert_leq(nargs, ARRAY_SIZE(cmp));
		for (size_t i = 0; i < nargs; i++) {
			yajl_val arg = rule_arg_at(rule, i);
			uint64_t index, value, value_two = 0;
			enum scmp_compare op;

			cr_assert(number_u64(member(arg, "index"), &index));
			cr_assert(number_u64(member(arg, "value"), &value));
			if (member(arg, "valueTwo") != NULL)
				cr_assert(number_u64(member(arg, "valueTwo"), &value_two));
			cr_assert(compare_op(member_string(arg, "op"), &op));
			/* libseccomp's MASKED_EQ takes the mask first and the
			 * expected value second; the OCI spec names them value
			 * and valueTwo in that order. */
			cmp[i] = (struct scmp_arg_cmp){.arg = (unsigned int)index,
						       .op = op,
						       .datum_a = value,
						       .datum_b = value_two};
		}
		size_t n = YAJL_GET_ARRAY(rule_names(rule))->len;
		for (size_t i = 0; i < n; i++) {
			const char *name = rule_name_at(rule, i);
			int nr = seccomp_syscall_resolve_name(name);
			cr_assert_neq(nr, __NR_SCMP_ERROR, "cannot resolve %s", name);
			int rc = seccomp_rule_add_array(ctx, action, nr, (unsigned int)nargs, cmp);
			cr_assert_eq(rc, 0, "seccomp_rule_add %s: %s", name, strerror(-rc));
		}
	}
	return ctx;
}

/* Each check runs in the filtered child and says whether the kernel
 * answered as the profile intends. None of them can harm the host if the
 * filter let the call through: arguments are chosen so that an unfiltered
 * call fails on its own with an errno other than the one expected. */

static bool fails_with(long rc, int want)
{
	return rc == -1 && errno == want;
}

/* clone(2) with `flags`, like fork(); a child that should not exist leaves
 * at once. __WALL reaps it whatever its exit signal: on clone(2) the
 * CLONE_NEWTIME bit lies in the exit-signal byte. */
static long raw_clone(unsigned long flags)
{
	long rc = syscall(SYS_clone, flags, NULL, NULL, NULL, NULL);
	if (rc == 0)
		_exit(0);
	if (rc > 0)
		waitpid((pid_t)rc, NULL, __WALL);
	return rc;
}

static bool check_getpid(void)
{
	return syscall(SYS_getpid) == getpid() && getpid() > 0;
}

static bool check_open_read_write(void)
{
	char byte;
	int fd = open("/dev/null", O_RDWR | O_CLOEXEC);
	int zero = open("/dev/zero", O_RDONLY | O_CLOEXEC);
	bool ok = fd >= 0 && zero >= 0 && write(fd, "x", 1) == 1 && read(zero, &byte, 1) == 1 &&
		  byte == 0;

	if (fd >= 0)
		close(fd);
	if (zero >= 0)
		close(zero);
	return ok;
}

static bool check_stat_and_mmap(void)
{
	struct stat st;
	struct statx stx;
	void *page = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	bool ok = page != MAP_FAILED && stat("/", &st) == 0 &&
		  statx(AT_FDCWD, "/", 0, STATX_BASIC_STATS, &stx) == 0;

	if (page != MAP_FAILED)
		munmap(page, 4096);
	return ok;
}

static bool check_epoll(void)
{
	struct epoll_event ev;
	int ep = epoll_create1(EPOLL_CLOEXEC);
	bool ok = ep >= 0 && epoll_wait(ep, &ev, 1, 0) == 0;

	if (ep >= 0)
		close(ep);
	return ok;
}

/* socket, bind, listen, connect and accept4 over an autobound abstract
 * AF_UNIX socket, so nothing appears in the file system. */
static bool check_unix_socket_server(void)
{
	struct sockaddr_un addr = {.sun_family = AF_UNIX};
	socklen_t len = sizeof(addr);
	int server = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	int client = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	int conn = -1;
	bool ok = false;

	if (server < 0 || client < 0)
		goto out;
	if (bind(server, (struct sockaddr *)&addr, sizeof(sa_family_t)) < 0 ||
	    getsockname(server, (struct sockaddr *)&addr, &len) < 0 || listen(server, 1) < 0 ||
	    connect(client, (struct sockaddr *)&addr, len) < 0)
		goto out;
	conn = accept4(server, NULL, NULL, SOCK_CLOEXEC);
	ok = conn >= 0;
out:
	if (conn >= 0)
		close(conn);
	if (client >= 0)
		close(client);
	if (server >= 0)
		close(server);
	return ok;
}

static bool check_vsock_refused(void)
{
	return fails_with(socket(AF_VSOCK, SOCK_STREAM, 0), EPERM);
}

static bool check_fork(void)
{
	int status;
	pid_t pid = fork();

	if (pid == 0)
		_exit(42);
	return pid > 0 && waitpid(pid, &status, 0) == pid && WIFEXITED(status) &&
	       WEXITSTATUS(status) == 42;
}

/* A whole dynamically linked program starts and exits under the filter. */
static bool check_execve(void)
{
	int status;
	pid_t pid = fork();

	if (pid == 0) {
		char *argv[] = {"true", NULL};
		char *envp[] = {NULL};
		execve("/bin/true", argv, envp);
		_exit(127);
	}
	return pid > 0 && waitpid(pid, &status, 0) == pid && WIFEXITED(status) &&
	       WEXITSTATUS(status) == 0;
}

static void *thread_main(void *arg)
{
	return arg;
}

/* glibc 2.34 and later try clone3 first and fall back to clone only on
 * ENOSYS: this is why the profile answers clone3 with ENOSYS, not EPERM. */
static bool check_pthread_create(void)
{
	pthread_t thread;
	void *result = NULL;
	int marker;

	return pthread_create(&thread, NULL, thread_main, &marker) == 0 &&
	       pthread_join(thread, &result) == 0 && result == &marker;
}

static bool check_clone3_enosys(void)
{
	struct clone_args args = {.exit_signal = SIGCHLD};
	long rc = syscall(SYS_clone3, &args, sizeof(args));

	if (rc == 0)
		_exit(0);
	if (rc > 0)
		waitpid((pid_t)rc, NULL, 0);
	return fails_with(rc, ENOSYS);
}

static bool check_clone_namespaces_refused(void)
{
	for (size_t i = 0; i < ARRAY_SIZE(namespace_flags); i++)
		if (!fails_with(raw_clone(namespace_flags[i] | SIGCHLD), EPERM))
			return false;
	return true;
}

static bool check_unshare_refused(void)
{
	return fails_with(unshare(CLONE_NEWUSER), EPERM) && fails_with(unshare(0), EPERM);
}

/* Unfiltered, setns(-1, 0) fails with EBADF. */
static bool check_setns_refused(void)
{
	return fails_with(setns(-1, 0), EPERM);
}

/* Unfiltered, KEYCTL_GET_KEYRING_ID on the session keyring succeeds. */
static bool check_keys_refused(void)
{
	return fails_with(syscall(SYS_keyctl, 0 /* KEYCTL_GET_KEYRING_ID */,
				  -3 /* KEY_SPEC_SESSION_KEYRING */, 0),
			  EPERM) &&
	       fails_with(syscall(SYS_add_key, "user", "oci-harden-test", "x", 1, -3), EPERM) &&
	       fails_with(syscall(SYS_request_key, "user", "oci-harden-test", NULL, 0), EPERM);
}

/* Unfiltered, io_uring_setup(1, {0}) returns a ring and the other two
 * fail on fd -1 with EBADF. */
static bool check_io_uring_refused(void)
{
	char params[120] = {0}; /* sizeof(struct io_uring_params) */

	return fails_with(syscall(SYS_io_uring_setup, 1, params), EPERM) &&
	       fails_with(syscall(SYS_io_uring_enter, -1, 0, 0, 0, NULL, 0), EPERM) &&
	       fails_with(syscall(SYS_io_uring_register, -1, 0, NULL, 0), EPERM);
}

/* Unfiltered: mount with NULL paths fails with EFAULT, umount2 with bad
 * flags with EINVAL, the new mount API calls on fd -1 with EBADF or EINVAL. */
static bool check_mounts_refused(void)
{
	return fails_with(syscall(SYS_mount, NULL, NULL, NULL, 0, NULL), EPERM) &&
	       fails_with(syscall(SYS_umount2, "", -1), EPERM) &&
	       fails_with(syscall(SYS_pivot_root, NULL, NULL), EPERM) &&
	       fails_with(syscall(SYS_open_tree, -1, NULL, ~0u), EPERM) &&
	       fails_with(syscall(SYS_move_mount, -1, NULL, -1, NULL, ~0u), EPERM) &&
	       fails_with(syscall(SYS_fsopen, NULL, ~0u), EPERM) &&
	       fails_with(syscall(SYS_fsmount, -1, ~0u, 0), EPERM) &&
	       fails_with(syscall(SYS_mount_setattr, -1, NULL, ~0u, NULL, 0), EPERM);
}

/* Unfiltered: ptrace on pid 0 fails with ESRCH, process_vm_readv of
 * nothing from ourselves returns 0. */
static bool check_cross_process_refused(void)
{
	return fails_with(syscall(SYS_ptrace, 16 /* PTRACE_ATTACH */, 0, NULL, NULL), EPERM) &&
	       fails_with(syscall(SYS_process_vm_readv, getpid(), NULL, 0, NULL, 0, 0), EPERM) &&
	       fails_with(syscall(SYS_process_vm_writev, getpid(), NULL, 0, NULL, 0, 0), EPERM);
}

/* Unfiltered: bpf and perf_event_open with a NULL attribute fail with
 * EFAULT or EINVAL, userfaultfd with bad flags with EINVAL. */
static bool check_kernel_interfaces_refused(void)
{
	return fails_with(syscall(SYS_bpf, -1, NULL, 0), EPERM) &&
	       fails_with(syscall(SYS_perf_event_open, NULL, 0, -1, -1, 0), EPERM) &&
	       fails_with(syscall(SYS_userfaultfd, ~0u), EPERM);
}

/* Unfiltered, each of these fails on its bad arguments (flags, magic or
 * clock) before it could change anything. */
static bool check_host_control_refused(void)
{
	struct timespec ts = {0};

	return fails_with(syscall(SYS_kexec_load, 0, 0, NULL, ~0ul), EPERM) &&
	       fails_with(syscall(SYS_kexec_file_load, -1, -1, 0, NULL, ~0ul), EPERM) &&
	       fails_with(syscall(SYS_init_module, NULL, 0, ""), EPERM) &&
	       fails_with(syscall(SYS_finit_module, -1, "", ~0u), EPERM) &&
	       fails_with(syscall(SYS_reboot, 0, 0, 0, NULL), EPERM) &&
	       fails_with(syscall(SYS_clock_settime, CLOCK_MONOTONIC, &ts), EPERM) &&
	       fails_with(syscall(SYS_clock_adjtime, -1, NULL), EPERM);
}

static bool check_personality(void)
{
	return personality(0xffffffff) != -1 && personality(PER_LINUX) != -1 &&
	       fails_with(personality(PER_LINUX | READ_IMPLIES_EXEC), EPERM);
}

static const struct {
	const char *name;
	bool (*run)(void);
} child_checks[] = {
    {"getpid works", check_getpid},
    {"open, read and write work", check_open_read_write},
    {"stat, statx and mmap work", check_stat_and_mmap},
    {"epoll works", check_epoll},
    {"an AF_UNIX server works", check_unix_socket_server},
    {"socket(AF_VSOCK) fails with EPERM", check_vsock_refused},
    {"fork works", check_fork},
    {"execve of /bin/true works", check_execve},
    {"pthread_create works", check_pthread_create},
    {"clone3 fails with ENOSYS", check_clone3_enosys},
    {"clone with a namespace flag fails with EPERM", check_clone_namespaces_refused},
    {"unshare fails with EPERM", check_unshare_refused},
    {"setns fails with EPERM", check_setns_refused},
    {"keyctl, add_key, request_key fail with EPERM", check_keys_refused},
    {"io_uring fails with EPERM", check_io_uring_refused},
    {"mount calls fail with EPERM", check_mounts_refused},
    {"ptrace and process_vm_* fail with EPERM", check_cross_process_refused},
    {"bpf, perf_event_open, userfaultfd fail with EPERM", check_kernel_interfaces_refused},
    {"kexec, modules, reboot, clocks fail with EPERM", check_host_control_refused},
    {"personality allows only Docker's values", check_personality},
};

/* The child reports each failed check as one line on `report_fd` and exits
 * with the number of failures; 100 + errno if the filter would not load. */
static void child_run_checks(scmp_filter_ctx ctx, int report_fd)
{
	int failures = 0;
	int rc;

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
		_exit(100 + errno);
	rc = seccomp_load(ctx);
	if (rc != 0)
		_exit(100 + -rc);
	for (size_t i = 0; i < ARRAY_SIZE(child_checks); i++) {
		errno = 0;
		if (child_checks[i].run())
			continue;
		char line[256];
		int len = snprintf(line, sizeof(line), "%s (errno %d: %s)\n", child_checks[i].name,
				   errno, strerror(errno));
		if (write(report_fd, line, (size_t)len) < 0)
			_exit(99);
		failures++;
	}
	_exit(failures);
}

Test(seccomp_profile, loaded_filter_behaves_as_intended)
{
	scmp_filter_ctx ctx = filter_from_profile();
	char report[4096] = "";
	size_t used = 0;
	int fds[2];
	int status;
	pid_t pid;

	cr_assert_eq(pipe2(fds, O_CLOEXEC), 0);
	fflush(NULL);
	pid = fork();
	cr_assert_neq(pid, -1, "fork: %s", strerror(errno));
	if (pid == 0) {
		close(fds[0]);
		child_run_checks(ctx, fds[1]);
	}
	close(fds[1]);
	for (;;) {
		ssize_t n = read(fds[0], report + used, sizeof(report) - 1 - used);
		if (n <= 0)
			break;
		used += (size_t)n;
	}
	report[used] = '\0';
	close(fds[0]);
	seccomp_release(ctx);

	cr_assert_eq(waitpid(pid, &status, 0), pid);
	cr_assert(WIFEXITED(status), "filtered child died (status %#x)", status);
	if (WEXITSTATUS(status) >= 100)
		cr_assert_fail("filtered child could not load the filter: %s",
			       strerror(WEXITSTATUS(status) - 100));
	cr_assert_neq(WEXITSTATUS(status), 99, "filtered child could not report: %s", report);
	cr_assert_eq(WEXITSTATUS(status), 0, "%d checks failed under the filter:\n%s",
		     WEXITSTATUS(status), report);
}
