/* SPDX-License-Identifier: Apache-2.0 */
/* The policy's seccomp profile as observation reads it: which syscalls it
 * denies whatever their arguments, which it decides by them, and what it
 * does to a call. The shipped default profile is read from its file, the
 * rules of the runtimes (a rule with the default's action is not one; an
 * unconditional rule wins; two conditions on one argument are two rules)
 * from small profiles written here. */
#include <errno.h>
#include <seccomp.h>

#include "helpers.h"
#include "observe_profile.h"

static void read_profile(const char *text, struct observe_profile *p)
{
	struct json *doc = test_parse(text);
	oh_error_t err = NULL;
	cr_assert_eq(observe_profile_read(doc, SCMP_ARCH_X86_64, p, &err), 0, "%s",
		     err ? err->msg : "");
	json_free(doc);
}

static int nr(const char *name)
{
	return seccomp_syscall_resolve_name_arch(SCMP_ARCH_X86_64, name);
}

Test(observe_profile, the_default_profile)
{
	const char *root = getenv("OCI_HARDEN_SOURCE_ROOT");
	char *path = xasprintf("%s/policies/seccomp/default.json", root ? root : ".");
	char *text = NULL;
	size_t len;
	oh_error_t err = NULL;
	cr_assert_eq(file_read_all(AT_FDCWD, path, 1 << 20, &text, &len, &err), 0);
	struct json *doc = json_parse(text, len, JSON_PARSE_COMMENTS, &err);
	cr_assert_not_null(doc);
	struct observe_profile p;
	cr_assert_eq(observe_profile_read(doc, SCMP_ARCH_X86_64, &p, &err), 0);

	cr_assert_eq(observe_profile_classify(&p, nr("read")), OBSERVE_CLASS_ALLOWED);
	cr_assert_eq(observe_profile_classify(&p, nr("mount")), OBSERVE_CLASS_DENIED);
	cr_assert_eq(observe_profile_classify(&p, nr("personality")), OBSERVE_CLASS_BY_ARGUMENTS);
	cr_assert_eq(observe_profile_classify(&p, nr("socket")), OBSERVE_CLASS_BY_ARGUMENTS);
	cr_assert_eq(observe_profile_classify(&p, nr("clone3")), OBSERVE_CLASS_DENIED);

	uint64_t args[6] = {0};
	struct observe_verdict v = observe_profile_eval(&p, nr("mount"), args);
	cr_assert(v.denies);
	cr_assert_eq(v.error, EPERM);
	cr_assert_not(observe_verdict_is_fallback(&v));

	/* clone3 is answered with ENOSYS so that glibc falls back to clone. */
	v = observe_profile_eval(&p, nr("clone3"), args);
	cr_assert(v.denies);
	cr_assert(observe_verdict_is_fallback(&v));

	/* personality(PER_LINUX) is allowed, personality(0x0800000) is not. */
	v = observe_profile_eval(&p, nr("personality"), args);
	cr_assert_not(v.denies);
	args[0] = 0x0800000;
	v = observe_profile_eval(&p, nr("personality"), args);
	cr_assert(v.denies);

	/* socket(AF_VSOCK) is denied, socket(AF_INET) allowed. */
	args[0] = 40;
	cr_assert(observe_profile_eval(&p, nr("socket"), args).denies);
	args[0] = 2;
	cr_assert_not(observe_profile_eval(&p, nr("socket"), args).denies);

	/* clone with CLONE_NEWUSER is denied, a plain fork's clone is not. */
	args[0] = 0x10000000;
	cr_assert(observe_profile_eval(&p, nr("clone"), args).denies);
	args[0] = 0x01200011; /* CLONE_CHILD_SETTID|CLONE_CHILD_CLEARTID|SIGCHLD */
	cr_assert_not(observe_profile_eval(&p, nr("clone"), args).denies);

	observe_profile_clear(&p);
	json_free(doc);
	free(text);
	free(path);
}

Test(observe_profile, a_rule_with_the_default_action_is_no_rule)
{
	struct observe_profile p;
	read_profile("{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"syscalls\": ["
		     "{\"names\": [\"read\"], \"action\": \"SCMP_ACT_ERRNO\"},"
		     "{\"names\": [\"read\"], \"action\": \"SCMP_ACT_ALLOW\"}]}",
		     &p);
	cr_assert_eq(observe_profile_classify(&p, nr("read")), OBSERVE_CLASS_ALLOWED);
	observe_profile_clear(&p);
}

Test(observe_profile, an_unconditional_rule_wins)
{
	struct observe_profile p;
	read_profile("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": ["
		     "{\"names\": [\"ptrace\"], \"action\": \"SCMP_ACT_ALLOW\", \"args\": "
		     "[{\"index\": 0, \"value\": 1, \"op\": \"SCMP_CMP_EQ\"}]},"
		     "{\"names\": [\"ptrace\"], \"action\": \"SCMP_ACT_KILL\"}]}",
		     &p);
	uint64_t args[6] = {1};
	cr_assert_eq(observe_profile_classify(&p, nr("ptrace")), OBSERVE_CLASS_DENIED);
	cr_assert(observe_profile_eval(&p, nr("ptrace"), args).denies);
	observe_profile_clear(&p);
}

Test(observe_profile, two_conditions_on_one_argument_are_two_rules)
{
	struct observe_profile p;
	read_profile("{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"syscalls\": ["
		     "{\"names\": [\"personality\"], \"action\": \"SCMP_ACT_ALLOW\", \"args\": ["
		     "{\"index\": 0, \"value\": 0, \"op\": \"SCMP_CMP_EQ\"},"
		     "{\"index\": 0, \"value\": 8, \"op\": \"SCMP_CMP_EQ\"}]}]}",
		     &p);
	uint64_t args[6] = {8};
	cr_assert_not(observe_profile_eval(&p, nr("personality"), args).denies);
	args[0] = 0;
	cr_assert_not(observe_profile_eval(&p, nr("personality"), args).denies);
	args[0] = 4;
	cr_assert(observe_profile_eval(&p, nr("personality"), args).denies);
	observe_profile_clear(&p);
}

Test(observe_profile, errno_ret_and_unknown_names)
{
	struct observe_profile p;
	read_profile("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": ["
		     "{\"names\": [\"no_such_syscall\", \"mount\"], \"action\": "
		     "\"SCMP_ACT_ERRNO\", \"errnoRet\": 13}]}",
		     &p);
	uint64_t args[6] = {0};
	struct observe_verdict v = observe_profile_eval(&p, nr("mount"), args);
	cr_assert(v.denies);
	cr_assert_eq(v.error, 13);
	cr_assert_str_eq(v.action, "SCMP_ACT_ERRNO");
	observe_profile_clear(&p);
}

Test(observe_profile, broken_profiles_are_errors)
{
	const char *cases[] = {
	    "[]",
	    "{\"defaultAction\": \"SCMP_ACT_WHATEVER\"}",
	    "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"read\"], "
	    "\"action\": \"SCMP_ACT_ERRNO\", \"args\": [{\"index\": 7, \"op\": "
	    "\"SCMP_CMP_EQ\"}]}]}",
	};
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct json *doc = test_parse(cases[i]);
		struct observe_profile p;
		oh_error_t err = NULL;
		cr_assert_lt(observe_profile_read(doc, SCMP_ARCH_X86_64, &p, &err), 0, "%s",
			     cases[i]);
		oh_error_free(&err);
		json_free(doc);
	}
}
