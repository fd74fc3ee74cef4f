/* SPDX-License-Identifier: Apache-2.0 */
/* Seccomp by content (src/harden/seccomp.c, seccomp_merge.c): a container's
 * own profile merged with the policy's, through the pure core. Each case of
 * the merge on small profiles, the judged actions and flags, the decisions
 * and their lifts, and the real profiles of containerd (RuntimeDefault),
 * Docker (--cap-add SYS_ADMIN) and Podman (its default), whose merged
 * filters are also loaded with libseccomp, rule by rule as runc adds them,
 * in a child that then tries the calls. */
#include <criterion/criterion.h>

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <seccomp.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "embedded.h"
#include "harden.h"
#include "helpers.h"
#include "seccomp_profile.h"

static struct policy *policy;
static const struct test_host host = {0};

static void load_default(void)
{
	oh_error_t err = NULL;
	cr_assert_eq(policy_load_default(&policy, &err), 0, "%s", err ? err->msg : "");
}

static void free_policy(void)
{
	policy_free(policy);
}

TestSuite(seccomp, .init = load_default, .fini = free_policy);

/* ---- helpers --------------------------------------------------------------- */

/* JSON written with ' for ", to keep the profiles below readable. */
static char *q(const char *text)
{
	char *s = xstrdup(text);
	for (char *p = s; *p; p++)
		if (*p == '\'')
			*p = '"';
	return s;
}

/* A config with `profile` (quoted with ') as linux.seccomp. */
static struct json *spec_with(const char *profile)
{
	cleanup_free char *quoted = q(profile);
	cleanup_free char *text = xasprintf("{\"process\":{},\"linux\":{\"seccomp\":%s}}", quoted);
	return test_parse(text);
}

static void harden_with(struct json *spec, const struct policy *p, struct report *report)
{
	oh_error_t err = NULL;
	int r = test_harden_spec(spec, p, &host, report, &err);
	cr_assert_eq(r, 0, "harden failed: %s", err ? err->msg : "");
}

static struct json *harden_profile(const char *profile, struct report *report)
{
	struct json *spec = spec_with(profile);
	harden_with(spec, policy, report);
	return spec;
}

static const struct json *seccomp_of(const struct json *spec)
{
	const struct json *s = test_get(spec, "linux.seccomp");
	cr_assert_not_null(s);
	return s;
}

/* The rules naming `name`, by action: "SCMP_ACT_ALLOW" for a rule without
 * conditions, "SCMP_ACT_ALLOW?" for one with, "SCMP_ACT_ERRNO(38)" with an
 * errno; joined by " ", in order; the default action when none names it. */
static char *treatment_of(const struct json *profile, const char *name)
{
	struct strbuf sb = {0};
	const struct json *rules = json_object_get(profile, "syscalls");
	for (size_t i = 0; rules && i < rules->array.len; i++) {
		const struct json *rule = rules->array.items[i];
		const struct json *names = json_object_get(rule, "names");
		for (size_t j = 0; j < names->array.len; j++) {
			if (strcmp(names->array.items[j]->string.ptr, name) != 0)
				continue;
			const struct json *errno_ret = json_object_get(rule, "errnoRet");
			const struct json *args = json_object_get(rule, "args");
			strbuf_appendf(&sb, "%s%s", sb.len ? " " : "",
				       json_object_get(rule, "action")->string.ptr);
			if (errno_ret)
				strbuf_appendf(&sb, "(%s)", errno_ret->number);
			if (args && args->array.len)
				strbuf_putc(&sb, '?');
		}
	}
	if (!sb.len)
		strbuf_appendf(&sb, "default");
	return strbuf_steal(&sb);
}

static void assert_treatment(const struct json *profile, const char *name, const char *expected)
{
	cleanup_free char *got = treatment_of(profile, name);
	cr_assert_str_eq(got, expected, "%s", name);
}

/* Whether anything but a denial can happen to `name`. */
static bool lets_through(const struct json *profile, const char *name)
{
	static const char *const denials[] = {"SCMP_ACT_ERRNO", "SCMP_ACT_KILL",
					      "SCMP_ACT_KILL_THREAD", "SCMP_ACT_KILL_PROCESS",
					      "SCMP_ACT_TRAP"};
	bool named = false;
	const struct json *rules = json_object_get(profile, "syscalls");
	for (size_t i = 0; rules && i < rules->array.len; i++) {
		const struct json *rule = rules->array.items[i];
		const struct json *names = json_object_get(rule, "names");
		for (size_t j = 0; j < names->array.len; j++) {
			if (strcmp(names->array.items[j]->string.ptr, name) != 0)
				continue;
			const char *action = json_object_get(rule, "action")->string.ptr;
			bool denies = false;
			for (size_t d = 0; d < ARRAY_SIZE(denials); d++)
				denies |= strcmp(action, denials[d]) == 0;
			if (!denies)
				return true;
			named |= !json_object_get(rule, "args");
		}
	}
	if (named)
		return false;
	const char *def = json_object_get(profile, "defaultAction")->string.ptr;
	return strcmp(def, "SCMP_ACT_ALLOW") == 0 || strcmp(def, "SCMP_ACT_LOG") == 0;
}

/* The errno a denied syscall gets: its rule's, else the default's. */
static unsigned errno_of(const struct json *profile, const char *name)
{
	const struct json *rules = json_object_get(profile, "syscalls");
	for (size_t i = 0; rules && i < rules->array.len; i++) {
		const struct json *rule = rules->array.items[i];
		const struct json *names = json_object_get(rule, "names");
		for (size_t j = 0; j < names->array.len; j++)
			if (strcmp(names->array.items[j]->string.ptr, name) == 0) {
				const struct json *e = json_object_get(rule, "errnoRet");
				return e ? (unsigned)atoi(e->number) : EPERM;
			}
	}
	const struct json *e = json_object_get(profile, "defaultErrnoRet");
	return e ? (unsigned)atoi(e->number) : EPERM;
}

/* Each syscall is named under one action (and errno) only. */
static void assert_one_action_each(const struct json *profile)
{
	const struct json *rules = json_object_get(profile, "syscalls");
	for (size_t i = 0; rules && i < rules->array.len; i++) {
		const struct json *names = json_object_get(rules->array.items[i], "names");
		for (size_t j = 0; j < names->array.len; j++) {
			cleanup_free char *t =
			    treatment_of(profile, names->array.items[j]->string.ptr);
			char *space = strchr(t, ' ');
			while (space) {
				/* Every word is the same action, with or without '?'. */
				size_t n = strcspn(t, "? ");
				cr_assert(strncmp(space + 1, t, n) == 0 &&
					      (space[1 + n] == '?' || space[1 + n] == ' ' ||
					       space[1 + n] == '\0'),
					  "%s has more than one action: %s",
					  names->array.items[j]->string.ptr, t);
				space = strchr(space + 1, ' ');
			}
		}
	}
}

static const struct decision *find_decision(const struct report *r, const char *path,
					    const char *reason_part)
{
	for (size_t i = 0; i < r->len; i++)
		if (strcmp(r->items[i].path, path) == 0 &&
		    (!reason_part || strstr(r->items[i].reason, reason_part)))
			return &r->items[i];
	return NULL;
}

static size_t count_rule(const struct report *r, const char *rule, enum decision_kind kind)
{
	size_t n = 0;
	for (size_t i = 0; i < r->len; i++)
		n += strcmp(r->items[i].rule, rule) == 0 && r->items[i].kind == kind;
	return n;
}

static void assert_text(const struct json *v, const char *expected_quoted)
{
	cleanup_free char *expected = q(expected_quoted);
	cleanup_free char *got = test_text(v);
	cr_assert_str_eq(got, expected);
}

/* Hardening the result again changes nothing (and refuses nothing). */
static void assert_fixed_point(const struct json *hardened, const struct policy *p)
{
	cleanup_json struct json *again = json_clone(hardened);
	cleanup_report struct report report = {0};
	harden_with(again, p, &report);
	for (size_t i = 0; i < report.len; i++) {
		if (strcmp(report.items[i].rule, "seccomp") != 0)
			continue;
		cleanup_free char *what = decision_to_string(&report.items[i]);
		cr_assert_fail("second pass: %s", what);
	}
	cr_assert(json_equal(seccomp_of(again), seccomp_of(hardened)));
}

/* The default policy with `profile` (quoted with ') as its seccomp profile. */
static struct policy *policy_with_profile(const char *profile)
{
	struct policy *p = policy_clone(policy);
	free(p->seccomp_profile_text);
	p->seccomp_profile_text = q(profile);
	p->seccomp_profile_len = strlen(p->seccomp_profile_text);
	free(p->seccomp_profile_name);
	p->seccomp_profile_name = xstrdup("custom");
	return p;
}

static struct json *read_fixture(const char *name)
{
	size_t len;
	cleanup_free char *text = test_read_fixture(name, &len);
	oh_error_t err = NULL;
	struct json *spec = json_parse(text, len, JSON_PARSE_GO_STRICT, &err);
	cr_assert_not_null(spec, "%s: %s", name, err ? err->msg : "");
	return spec;
}

/* ---- where there is nothing to merge ----------------------------------------- */

Test(seccomp, rules_without_a_default_action_are_an_error)
{
	cleanup_json struct json *spec =
	    spec_with("{'syscalls':[{'names':['read'],'action':'SCMP_ACT_ALLOW'}]}");
	cleanup_report struct report report = {0};
	oh_error_t err = NULL;
	cr_assert_lt(test_harden_spec(spec, policy, &host, &report, &err), 0);
	cr_assert(strstr(err->msg, "linux.seccomp.defaultAction: missing"), "%s", err->msg);
	oh_error_free(&err);
}

Test(seccomp, shapes_the_runtimes_refuse_are_errors_naming_the_path)
{
	static const struct {
		const char *profile, *message;
	} cases[] = {
	    {"{'defaultAction':'SCMP_ACT_ERRNO','syscalls':[{'names':['read'],'action':"
	     "'SCMP_ACT_ALLOW','args':[{'index':6,'value':1,'op':'SCMP_CMP_EQ'}]}]}",
	     "linux.seccomp.syscalls[0].args[0].index: must be an integer from 0 to 5"},
	    {"{'defaultAction':'SCMP_ACT_ERRNO','syscalls':[{'names':['read'],'action':"
	     "'SCMP_ACT_ALLOW','args':[{'index':0,'value':1}]}]}",
	     "linux.seccomp.syscalls[0].args[0].op: must be a string"},
	    {"{'defaultAction':'SCMP_ACT_ERRNO','syscalls':[{'names':['read']}]}",
	     "linux.seccomp.syscalls[0].action: must be a string"},
	    {"{'defaultAction':'SCMP_ACT_ERRNO','syscalls':[{'names':[''],'action':"
	     "'SCMP_ACT_ALLOW'}]}",
	     "linux.seccomp.syscalls[0].names[0]: must not be empty"},
	    {"{'defaultAction':'SCMP_ACT_ERRNO','syscalls':[{'names':['read'],'action':"
	     "'SCMP_ACT_ERRNO','errnoRet':-1}]}",
	     "linux.seccomp.syscalls[0].errnoRet: must be an integer"},
	    {"{'defaultAction':'SCMP_ACT_ERRNO','syscalls':[{'names':['read'],'action':"
	     "'SCMP_ACT_ALLOW','args':[{'index':0,'op':'SCMP_CMP_EQ'},{'index':0,'op':"
	     "'SCMP_CMP_EQ'},{'index':0,'op':'SCMP_CMP_EQ'},{'index':0,'op':'SCMP_CMP_EQ'},"
	     "{'index':0,'op':'SCMP_CMP_EQ'},{'index':0,'op':'SCMP_CMP_EQ'},{'index':0,'op':"
	     "'SCMP_CMP_EQ'}]}]}",
	     "linux.seccomp.syscalls[0].args: more than 6 conditions"},
	    {"{'defaultAction':1}", "linux.seccomp.defaultAction: must be a string"},
	};
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		cleanup_json struct json *spec = spec_with(cases[i].profile);
		cleanup_report struct report report = {0};
		oh_error_t err = NULL;
		cr_assert_lt(test_harden_spec(spec, policy, &host, &report, &err), 0, "case %zu",
			     i);
		cr_assert(strstr(err->msg, cases[i].message), "case %zu: %s", i, err->msg);
		oh_error_free(&err);
	}
}

/* ---- narrowing ---------------------------------------------------------------- */

/* Issue 9: a profile that denies by default but lets unshare, mount and
 * setns through (what Docker writes for --cap-add SYS_ADMIN) was kept. */
Test(seccomp, syscalls_the_policy_denies_are_taken_away)
{
	cleanup_report struct report report = {0};
	cleanup_json struct json *spec = harden_profile(
	    "{'defaultAction':'SCMP_ACT_ERRNO','syscalls':[{'names':['read','unshare','write',"
	    "'mount','exit_group','setns'],'action':'SCMP_ACT_ALLOW'}]}",
	    &report);
	const struct json *profile = seccomp_of(spec);
	assert_text(profile, "{'defaultAction':'SCMP_ACT_ERRNO','syscalls':[{'names':['read',"
			     "'write','exit_group'],'action':'SCMP_ACT_ALLOW'}]}");
	const struct decision *d = find_decision(&report, "linux.seccomp.syscalls", NULL);
	cr_assert_not_null(d);
	cr_assert_eq(d->kind, DECISION_CHANGE);
	cr_assert_str_eq(d->rule, "seccomp");
	cr_assert_str_eq(
	    d->reason, "unshare, mount, setns: denied by the policy's seccomp profile \"default\"");
	assert_text(d->old_value,
		    "[{'names':['unshare','mount','setns'],'action':'SCMP_ACT_ALLOW'}]");
	assert_text(d->new_value, "[{'names':['unshare','mount','setns'],'action':"
				  "'SCMP_ACT_ERRNO','errnoRet':1}]");
	cr_assert_str_eq(d->lift.key, "seccomp.allow_syscalls");
	assert_text(d->lift.value, "['unshare','mount','setns']");
	cr_assert_eq(count_rule(&report, "seccomp", DECISION_CHANGE), 1);
	assert_fixed_point(spec, policy);
}

/* Stricter than the policy's: kept byte for byte, nothing recorded. */
Test(seccomp, a_stricter_profile_stays_as_written)
{
	static const char *const profiles[] = {
	    "{'defaultAction':'SCMP_ACT_ERRNO','syscalls':[]}",
	    "{'defaultAction':'SCMP_ACT_KILL_PROCESS','architectures':['SCMP_ARCH_X86_64'],"
	    "'syscalls':[{'names':['read','write','exit_group'],'action':'SCMP_ACT_ALLOW'},"
	    "{'names':['clone3'],'action':'SCMP_ACT_ERRNO','errnoRet':38},"
	    "{'names':['personality'],'action':'SCMP_ACT_ALLOW','args':[{'index':0,'value':8,"
	    "'op':'SCMP_CMP_EQ'}]},"
	    /* AF_UNIX only: within the policy's "not AF_VSOCK". */
	    "{'names':['socket'],'action':'SCMP_ACT_ALLOW','args':[{'index':0,'value':1,"
	    "'op':'SCMP_CMP_EQ'}]},"
	    /* A rule the runtimes skip: the default action. */
	    "{'names':['mount'],'action':'SCMP_ACT_KILL_PROCESS'}]}",
	    /* Denials of its own with other errnos, and a denying default. */
	    "{'defaultAction':'SCMP_ACT_ERRNO','defaultErrnoRet':38,'syscalls':[{'names':"
	    "['ptrace','bpf'],'action':'SCMP_ACT_ERRNO','errnoRet':1},{'names':['getpid'],"
	    "'action':'SCMP_ACT_LOG'}]}",
	};
	for (size_t i = 0; i < ARRAY_SIZE(profiles); i++) {
		cleanup_json struct json *spec = spec_with(profiles[i]);
		cleanup_json struct json *before = json_clone(spec);
		cleanup_report struct report report = {0};
		harden_with(spec, policy, &report);
		cr_assert(json_equal(seccomp_of(spec), seccomp_of(before)), "case %zu", i);
		cr_assert_eq(count_rule(&report, "seccomp", DECISION_CHANGE), 0, "case %zu", i);
		cr_assert_eq(count_rule(&report, "seccomp", DECISION_REFUSE), 0, "case %zu", i);
	}
}

/* Issue 11: a profile that allows by default but denies some syscalls was
 * replaced whole, and the container could then do what its config forbade. */
Test(seccomp, an_allowing_default_keeps_the_container_denials)
{
	cleanup_report struct report report = {0};
	cleanup_json struct json *spec = harden_profile(
	    "{'defaultAction':'SCMP_ACT_ALLOW','syscalls':[{'names':['mkdir','mkdirat'],"
	    "'action':'SCMP_ACT_ERRNO','errnoRet':13},{'names':['reboot'],'action':"
	    "'SCMP_ACT_KILL_PROCESS'},{'names':['getpid'],'action':'SCMP_ACT_LOG'}]}",
	    &report);
	const struct json *profile = seccomp_of(spec);
	assert_text(json_object_get(profile, "defaultAction"), "'SCMP_ACT_ERRNO'");
	assert_text(json_object_get(profile, "defaultErrnoRet"), "1");
	/* Its own denials, with its own errno. */
	assert_treatment(profile, "mkdir", "SCMP_ACT_ERRNO(13)");
	assert_treatment(profile, "mkdirat", "SCMP_ACT_ERRNO(13)");
	assert_treatment(profile, "reboot", "SCMP_ACT_KILL_PROCESS");
	/* What its default let through, where the policy allows it too. */
	assert_treatment(profile, "read", "SCMP_ACT_ALLOW");
	assert_treatment(profile, "getpid", "SCMP_ACT_LOG");
	assert_treatment(profile, "clone", "SCMP_ACT_ALLOW?");
	assert_treatment(profile, "clone3", "SCMP_ACT_ERRNO(38)");
	/* And the policy's denials. */
	cr_assert(!lets_through(profile, "unshare"));
	cr_assert(!lets_through(profile, "ptrace"));
	cr_assert(!lets_through(profile, "io_uring_setup"));
	assert_one_action_each(profile);

	const struct decision *d = find_decision(&report, "linux.seccomp.defaultAction", NULL);
	cr_assert_not_null(d);
	assert_text(d->old_value, "'SCMP_ACT_ALLOW'");
	assert_text(d->new_value, "'SCMP_ACT_ERRNO'");
	cr_assert_str_eq(d->lift.key, "seccomp.profile");
	cr_assert_not_null(find_decision(&report, "linux.seccomp.defaultErrnoRet", NULL));
	assert_fixed_point(spec, policy);
}

Test(seccomp, log_counts_as_letting_through)
{
	cleanup_report struct report report = {0};
	cleanup_json struct json *spec = harden_profile(
	    "{'defaultAction':'SCMP_ACT_ERRNO','syscalls':[{'names':['read','ptrace'],'action':"
	    "'SCMP_ACT_LOG'}]}",
	    &report);
	assert_text(seccomp_of(spec), "{'defaultAction':'SCMP_ACT_ERRNO','syscalls':[{'names':"
				      "['read'],'action':'SCMP_ACT_LOG'}]}");
	cr_assert_not_null(find_decision(&report, "linux.seccomp.syscalls",
					 "ptrace: denied by the policy's seccomp profile"));

	cleanup_report struct report report2 = {0};
	cleanup_json struct json *spec2 =
	    harden_profile("{'defaultAction':'SCMP_ACT_LOG'}", &report2);
	const struct json *profile = seccomp_of(spec2);
	assert_text(json_object_get(profile, "defaultAction"), "'SCMP_ACT_ERRNO'");
	assert_treatment(profile, "read", "SCMP_ACT_LOG");
	cr_assert(!lets_through(profile, "mount"));
	assert_fixed_point(spec2, policy);
}

/* seccomp.allow_syscalls: those syscalls keep the container's own rules;
 * the rest is narrowed, and the decision's lift names exactly what is left. */
Test(seccomp, allow_syscalls_lifts_exactly_those_named)
{
	cleanup_policy struct policy *p = policy_clone(policy);
	string_list_add(&p->seccomp_allow_syscalls, "unshare");
	string_list_add(&p->seccomp_allow_syscalls, "clone");
	cleanup_json struct json *spec =
	    spec_with("{'defaultAction':'SCMP_ACT_ERRNO','syscalls':[{'names':['read','unshare',"
		      "'mount','setns','clone'],'action':'SCMP_ACT_ALLOW'}]}");
	cleanup_report struct report report = {0};
	harden_with(spec, p, &report);
	assert_text(seccomp_of(spec), "{'defaultAction':'SCMP_ACT_ERRNO','syscalls':[{'names':"
				      "['read','unshare','clone'],'action':'SCMP_ACT_ALLOW'}]}");
	const struct decision *d = find_decision(&report, "linux.seccomp.syscalls", NULL);
	cr_assert_str_eq(d->reason, "mount, setns: denied by the policy's seccomp profile "
				    "\"default\"");
	assert_text(d->lift.value, "['mount','setns']");
	assert_fixed_point(spec, p);

	/* The lift, applied, leaves nothing to change. */
	string_list_add(&p->seccomp_allow_syscalls, "mount");
	string_list_add(&p->seccomp_allow_syscalls, "setns");
	cleanup_json struct json *spec2 =
	    spec_with("{'defaultAction':'SCMP_ACT_ERRNO','syscalls':[{'names':['read','unshare',"
		      "'mount','setns','clone'],'action':'SCMP_ACT_ALLOW'}]}");
	cleanup_json struct json *before = json_clone(spec2);
	cleanup_report struct report report2 = {0};
	harden_with(spec2, p, &report2);
	cr_assert(json_equal(seccomp_of(spec2), seccomp_of(before)));
	cr_assert_eq(count_rule(&report2, "seccomp", DECISION_CHANGE), 0);
}

/* ---- argument conditions ------------------------------------------------------ */

Test(seccomp, the_policy_conditions_apply_to_an_unconditional_allow)
{
	cleanup_report struct report report = {0};
	cleanup_json struct json *spec = harden_profile(
	    "{'defaultAction':'SCMP_ACT_ERRNO','syscalls':[{'names':['clone','socket','read'],"
	    "'action':'SCMP_ACT_ALLOW'}]}",
	    &report);
	assert_text(seccomp_of(spec),
		    "{'defaultAction':'SCMP_ACT_ERRNO','syscalls':[{'names':['read'],'action':"
		    "'SCMP_ACT_ALLOW'},{'names':['clone'],'action':'SCMP_ACT_ALLOW','args':[{"
		    "'index':0,'value':2114060416,'valueTwo':0,'op':'SCMP_CMP_MASKED_EQ'}]},"
		    "{'names':['socket'],'action':'SCMP_ACT_ALLOW','args':[{'index':0,'value':40,"
		    "'op':'SCMP_CMP_NE'}]}]}");
	const struct decision *d = find_decision(&report, "linux.seccomp.syscalls", NULL);
	cr_assert_str_eq(d->reason, "clone, socket: the argument conditions of the policy's "
				    "seccomp profile \"default\" now apply");
	assert_text(d->lift.value, "['clone','socket']");
	assert_fixed_point(spec, policy);
}

/* Where both sides condition a syscall, it is let through only where a set of
 * each holds; a pair no one rule can say is left out (denied). */
Test(seccomp, conditions_of_both_sides_combine_or_deny)
{
	static const struct {
		const char *rule, *expected, *reason;
	} cases[] = {
	    /* containerd's clone mask without CLONE_NEWTIME: one mask of both. */
	    {"{'names':['clone'],'action':'SCMP_ACT_ALLOW','args':[{'index':0,'value':"
	     "2114060288,'op':'SCMP_CMP_MASKED_EQ'}]}",
	     "[{'names':['clone'],'action':'SCMP_ACT_ALLOW','args':[{'index':0,'value':"
	     "2114060416,'valueTwo':0,'op':'SCMP_CMP_MASKED_EQ'}]}]",
	     "now apply"},
	    /* Another argument: both conditions in one rule. */
	    {"{'names':['socket'],'action':'SCMP_ACT_ALLOW','args':[{'index':2,'value':9,"
	     "'op':'SCMP_CMP_NE'}]}",
	     "[{'names':['socket'],'action':'SCMP_ACT_ALLOW','args':[{'index':0,'value':40,"
	     "'op':'SCMP_CMP_NE'},{'index':2,'value':9,'op':'SCMP_CMP_NE'}]}]",
	     "now apply"},
	    /* Only AF_VSOCK, which the policy refuses: nothing is left. */
	    {"{'names':['socket'],'action':'SCMP_ACT_ALLOW','args':[{'index':0,'value':40,"
	     "'op':'SCMP_CMP_EQ'}]}",
	     "[]", "denied by the policy's seccomp profile"},
	    /* "not 16" and "not 40" on one argument: no one rule says both. */
	    {"{'names':['socket'],'action':'SCMP_ACT_ALLOW','args':[{'index':0,'value':16,"
	     "'op':'SCMP_CMP_NE'}]}",
	     "[]", "cannot be written as one filter"},
	    /* runc and crun OR two conditions on one argument: "not 40" or
	     * "not 16" (anything), of which "not 40" survives. */
	    {"{'names':['socket'],'action':'SCMP_ACT_ALLOW','args':[{'index':0,'value':40,"
	     "'op':'SCMP_CMP_NE'},{'index':0,'value':16,'op':'SCMP_CMP_NE'}]}",
	     "[{'names':['socket'],'action':'SCMP_ACT_ALLOW','args':[{'index':0,'value':40,"
	     "'op':'SCMP_CMP_NE'}]}]",
	     "now apply"},
	    /* Denied under a condition, allowed otherwise by the default: the
	     * policy's conditions cannot be added to that, so it is denied (by
	     * the merged default action, which names it no more). */
	    {"{'names':['personality'],'action':'SCMP_ACT_ERRNO','args':[{'index':0,'value':"
	     "8,'op':'SCMP_CMP_EQ'}]}",
	     "[]", "cannot be written as one filter"},
	};
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		bool allow_default = i == ARRAY_SIZE(cases) - 1;
		cleanup_free char *profile =
		    xasprintf("{'defaultAction':'%s','syscalls':[%s]}",
			      allow_default ? "SCMP_ACT_ALLOW" : "SCMP_ACT_ERRNO", cases[i].rule);
		cleanup_report struct report report = {0};
		cleanup_json struct json *spec = harden_profile(profile, &report);
		const struct json *rules = json_object_get(seccomp_of(spec), "syscalls");
		/* Only the syscall of the case: for the allowing default, the
		 * rest of the policy's allowlist is there too. */
		cleanup_json struct json *mine = json_new_array();
		const char *name = strstr(cases[i].rule, "socket")	  ? "socket"
				   : strstr(cases[i].rule, "personality") ? "personality"
									  : "clone";
		for (size_t r = 0; r < rules->array.len; r++) {
			const struct json *names = json_object_get(rules->array.items[r], "names");
			if (names->array.len == 1 &&
			    strcmp(names->array.items[0]->string.ptr, name) == 0)
				json_array_append(mine, json_clone(rules->array.items[r]));
		}
		cleanup_free char *expected = q(cases[i].expected);
		cleanup_free char *got = test_text(mine);
		cr_assert_str_eq(got, expected, "case %zu", i);
		cr_assert_not_null(
		    find_decision(&report, "linux.seccomp.syscalls", cases[i].reason), "case %zu",
		    i);
		assert_fixed_point(spec, policy);
	}
}

Test(seccomp, conditions_within_the_policy_ones_stay)
{
	/* containerd's and Docker's personality rules are the policy's. */
	const char *profile =
	    "{'defaultAction':'SCMP_ACT_ERRNO','syscalls':["
	    "{'names':['personality'],'action':'SCMP_ACT_ALLOW','args':[{'index':0,'value':0,"
	    "'op':'SCMP_CMP_EQ'}]},"
	    "{'names':['personality'],'action':'SCMP_ACT_ALLOW','args':[{'index':0,'value':"
	    "4294967295,'op':'SCMP_CMP_EQ'}]},"
	    "{'names':['clone'],'action':'SCMP_ACT_ALLOW','args':[{'index':0,'value':"
	    "2147483647,'valueTwo':0,'op':'SCMP_CMP_MASKED_EQ'}]}]}";
	cleanup_json struct json *spec = spec_with(profile);
	cleanup_json struct json *before = json_clone(spec);
	cleanup_report struct report report = {0};
	harden_with(spec, policy, &report);
	cr_assert(json_equal(seccomp_of(spec), seccomp_of(before)));
	cr_assert_eq(count_rule(&report, "seccomp", DECISION_CHANGE), 0);
}

/* ---- a syscall under two actions --------------------------------------------- */

Test(seccomp, two_actions_for_the_same_arguments_give_the_strictest)
{
	cleanup_report struct report report = {0};
	cleanup_json struct json *spec = harden_profile(
	    "{'defaultAction':'SCMP_ACT_ERRNO','syscalls':[{'names':['mkdir','read'],'action':"
	    "'SCMP_ACT_ALLOW'},{'names':['mkdir'],'action':'SCMP_ACT_ERRNO','errnoRet':13}]}",
	    &report);
	const struct json *profile = seccomp_of(spec);
	assert_treatment(profile, "mkdir", "SCMP_ACT_ERRNO(13)");
	assert_treatment(profile, "read", "SCMP_ACT_ALLOW");
	const struct decision *d =
	    find_decision(&report, "linux.seccomp.syscalls", "under more than one action");
	cr_assert_not_null(d);
	cr_assert(strncmp(d->reason, "mkdir: ", 7) == 0, "%s", d->reason);
	assert_text(d->old_value, "[{'names':['mkdir'],'action':'SCMP_ACT_ALLOW'},{'names':"
				  "['mkdir'],'action':'SCMP_ACT_ERRNO','errnoRet':13}]");
	/* Only the container's profile can say otherwise. */
	cr_assert_null(d->lift.key);
	assert_fixed_point(spec, policy);
}

/* Podman's socket rules: two actions, but never for the same arguments. */
Test(seccomp, two_actions_that_never_meet_stay_as_written)
{
	const char *profile =
	    "{'defaultAction':'SCMP_ACT_ERRNO','defaultErrnoRet':38,'syscalls':["
	    "{'names':['socket'],'action':'SCMP_ACT_ERRNO','errnoRet':22,'args':[{'index':0,"
	    "'value':16,'op':'SCMP_CMP_EQ'},{'index':2,'value':9,'op':'SCMP_CMP_EQ'}]},"
	    "{'names':['socket'],'action':'SCMP_ACT_ALLOW','args':[{'index':2,'value':9,'op':"
	    "'SCMP_CMP_NE'}]},"
	    "{'names':['socket'],'action':'SCMP_ACT_ALLOW','args':[{'index':0,'value':16,'op':"
	    "'SCMP_CMP_NE'}]}]}";
	cleanup_policy struct policy *p = policy_clone(policy);
	string_list_add(&p->seccomp_allow_syscalls, "socket");
	cleanup_json struct json *spec = spec_with(profile);
	cleanup_json struct json *before = json_clone(spec);
	cleanup_report struct report report = {0};
	harden_with(spec, p, &report);
	cr_assert(json_equal(seccomp_of(spec), seccomp_of(before)));
	cr_assert_eq(count_rule(&report, "seccomp", DECISION_CHANGE), 0);

	/* Under the default policy the allows get its "not AF_VSOCK". */
	cleanup_report struct report report2 = {0};
	cleanup_json struct json *spec2 = harden_profile(profile, &report2);
	assert_treatment(seccomp_of(spec2), "socket", "SCMP_ACT_ALLOW?");
	cr_assert_null(find_decision(&report2, "linux.seccomp.syscalls", "more than one"));
	assert_fixed_point(spec2, policy);
}

/* ---- what a runtime would do beyond the filter ------------------------------- */

Test(seccomp, agents_tracers_and_unjudged_names_are_refused_with_their_lift)
{
	static const struct {
		const char *profile, *path, *item;
	} cases[] = {
	    {"{'defaultAction':'SCMP_ACT_ERRNO','listenerPath':'/run/agent.sock','syscalls':"
	     "[{'names':['mkdir'],'action':'SCMP_ACT_NOTIFY'}]}",
	     "linux.seccomp.syscalls[0].action", "SCMP_ACT_NOTIFY"},
	    {"{'defaultAction':'SCMP_ACT_ERRNO','listenerPath':'/run/agent.sock','syscalls':"
	     "[{'names':['mkdir'],'action':'SCMP_ACT_NOTIFY'}]}",
	     "linux.seccomp.listenerPath", "listenerPath"},
	    {"{'defaultAction':'SCMP_ACT_ERRNO','syscalls':[{'names':['mkdir'],'action':"
	     "'SCMP_ACT_TRACE','errnoRet':1}]}",
	     "linux.seccomp.syscalls[0].action", "SCMP_ACT_TRACE"},
	    {"{'defaultAction':'SCMP_ACT_NOTIFY'}", "linux.seccomp.defaultAction",
	     "SCMP_ACT_NOTIFY"},
	    {"{'defaultAction':'SCMP_ACT_ERRNO','syscalls':[{'names':['mkdir'],'action':"
	     "'SCMP_ACT_SOMETHING'}]}",
	     "linux.seccomp.syscalls[0].action", "SCMP_ACT_SOMETHING"},
	    {"{'defaultAction':'SCMP_ACT_ERRNO','flags':['SECCOMP_FILTER_FLAG_TSYNC',"
	     "'SECCOMP_FILTER_FLAG_SPEC_ALLOW']}",
	     "linux.seccomp.flags[1]", "SECCOMP_FILTER_FLAG_SPEC_ALLOW"},
	    {"{'defaultAction':'SCMP_ACT_ERRNO','flags':['SECCOMP_FILTER_FLAG_NEW_THING']}",
	     "linux.seccomp.flags[0]", "SECCOMP_FILTER_FLAG_NEW_THING"},
	    {"{'defaultAction':'SCMP_ACT_ERRNO','syscalls':[{'names':['read'],'action':"
	     "'SCMP_ACT_ALLOW','args':[{'index':0,'value':1,'op':'SCMP_CMP_SOMETIMES'}]}]}",
	     "linux.seccomp.syscalls[0].args[0].op", "SCMP_CMP_SOMETIMES"},
	};
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		cleanup_report struct report report = {0};
		cleanup_json struct json *spec = harden_profile(cases[i].profile, &report);
		const struct decision *d = find_decision(&report, cases[i].path, NULL);
		cr_assert(d && d->kind == DECISION_REFUSE, "case %zu", i);
		cleanup_free char *lifts =
		    xasprintf("(the policy may allow \"%s\" in allow.seccomp)", cases[i].item);
		cr_assert(strstr(d->reason, lifts), "case %zu: %s", i, d->reason);
		cr_assert_str_eq(d->lift.key, "allow.seccomp");
		cleanup_free char *item = test_text(d->lift.value);
		cleanup_free char *expected = xasprintf("[\"%s\"]", cases[i].item);
		cr_assert_str_eq(item, expected, "case %zu", i);

		/* Allowed, it is not refused. */
		cleanup_policy struct policy *p = policy_clone(policy);
		string_list_add(&p->allow.seccomp, cases[i].item);
		cleanup_json struct json *spec2 = spec_with(cases[i].profile);
		cleanup_report struct report report2 = {0};
		harden_with(spec2, p, &report2);
		const struct decision *d2 = find_decision(&report2, cases[i].path, NULL);
		cr_assert(!d2 || d2->kind != DECISION_REFUSE, "case %zu", i);
	}
	/* TSYNC and LOG change nothing of what the filter lets through. */
	cleanup_report struct report report = {0};
	cleanup_json struct json *spec =
	    harden_profile("{'defaultAction':'SCMP_ACT_ERRNO','flags':['SECCOMP_FILTER_FLAG_TSYNC',"
			   "'SECCOMP_FILTER_FLAG_LOG']}",
			   &report);
	cr_assert_eq(count_rule(&report, "seccomp", DECISION_REFUSE), 0);
}

/* An agent the policy allows decides only among what the policy allows. */
Test(seccomp, an_allowed_agent_keeps_only_syscalls_the_policy_allows)
{
	cleanup_policy struct policy *p = policy_clone(policy);
	string_list_add(&p->allow.seccomp, "SCMP_ACT_NOTIFY");
	string_list_add(&p->allow.seccomp, "listenerPath");
	cleanup_json struct json *spec = spec_with(
	    "{'defaultAction':'SCMP_ACT_ERRNO','listenerPath':'/run/agent.sock',"
	    "'syscalls':[{'names':['mkdir','mount','read'],'action':'SCMP_ACT_NOTIFY'}]}");
	cleanup_report struct report report = {0};
	harden_with(spec, p, &report);
	cr_assert_eq(count_rule(&report, "seccomp", DECISION_REFUSE), 0);
	const struct json *profile = seccomp_of(spec);
	assert_text(profile, "{'defaultAction':'SCMP_ACT_ERRNO','listenerPath':'/run/agent.sock',"
			     "'syscalls':[{'names':['mkdir','read'],'action':'SCMP_ACT_NOTIFY'}]}");
	assert_fixed_point(spec, p);
}

/* ---- architectures, audit mode, the policy's own profile -------------------- */

Test(seccomp, architectures_are_those_both_profiles_list)
{
	cleanup_report struct report report = {0};
	cleanup_json struct json *spec =
	    harden_profile("{'defaultAction':'SCMP_ACT_ERRNO','architectures':['SCMP_ARCH_X86_64',"
			   "'SCMP_ARCH_X86','SCMP_ARCH_X32'],'syscalls':[]}",
			   &report);
	assert_text(json_object_get(seccomp_of(spec), "architectures"), "['SCMP_ARCH_X86_64']");
	const struct decision *d = find_decision(&report, "linux.seccomp.architectures", NULL);
	cr_assert_not_null(d);
	cr_assert(strncmp(d->reason, "SCMP_ARCH_X86, SCMP_ARCH_X32: ", 30) == 0, "%s", d->reason);
	cr_assert_null(d->lift.key);
	assert_fixed_point(spec, policy);

	/* The native architecture is in every filter: listing only another
	 * one leaves the native one. */
	cleanup_report struct report report2 = {0};
	cleanup_json struct json *spec2 = harden_profile(
	    "{'defaultAction':'SCMP_ACT_ERRNO','architectures':['SCMP_ARCH_X86'],'syscalls':[]}",
	    &report2);
	assert_text(json_object_get(seccomp_of(spec2), "architectures"), "[]");
}

Test(seccomp, audit_mode_records_what_enforce_would_do)
{
	cleanup_policy struct policy *p = policy_clone(policy);
	p->mode = POLICY_AUDIT;
	const char *profile = "{'defaultAction':'SCMP_ACT_ERRNO','syscalls':[{'names':['read',"
			      "'unshare'],'action':'SCMP_ACT_ALLOW'}]}";
	cleanup_json struct json *spec = spec_with(profile);
	cleanup_json struct json *before = json_clone(spec);
	cleanup_report struct report report = {0};
	harden_with(spec, p, &report);
	cr_assert(json_equal(spec, before));
	cr_assert_not_null(find_decision(&report, "linux.seccomp.syscalls", "unshare: denied"));
}

/* A policy whose profile lets through by default and denies a few: its
 * denials are added, the container's kept. */
Test(seccomp, a_blocklist_policy_profile_adds_its_denials)
{
	cleanup_policy struct policy *p = policy_with_profile(
	    "{'defaultAction':'SCMP_ACT_ALLOW','syscalls':[{'names':['ptrace','mount'],"
	    "'action':'SCMP_ACT_ERRNO','errnoRet':1},{'names':['personality'],'action':"
	    "'SCMP_ACT_ERRNO','errnoRet':22,'args':[{'index':0,'value':8,'op':'SCMP_CMP_NE'}]}]}");
	cleanup_json struct json *spec =
	    spec_with("{'defaultAction':'SCMP_ACT_ERRNO','syscalls':[{'names':['read','ptrace',"
		      "'personality'],'action':'SCMP_ACT_ALLOW'}]}");
	cleanup_report struct report report = {0};
	harden_with(spec, p, &report);
	const struct json *profile = seccomp_of(spec);
	assert_treatment(profile, "read", "SCMP_ACT_ALLOW");
	cr_assert(!lets_through(profile, "ptrace"));
	/* Allowed whatever the arguments by the container, denied by the
	 * policy for some of them, against the container's denying default:
	 * no one filter says both, so it is denied. */
	cr_assert(!lets_through(profile, "personality"));
	assert_fixed_point(spec, p);

	cleanup_json struct json *spec2 =
	    spec_with("{'defaultAction':'SCMP_ACT_ALLOW','syscalls':[{'names':['mkdir'],"
		      "'action':'SCMP_ACT_ERRNO'}]}");
	cleanup_report struct report report2 = {0};
	harden_with(spec2, p, &report2);
	const struct json *profile2 = seccomp_of(spec2);
	assert_text(json_object_get(profile2, "defaultAction"), "'SCMP_ACT_ALLOW'");
	assert_treatment(profile2, "mkdir", "SCMP_ACT_ERRNO(1)");
	assert_treatment(profile2, "ptrace", "SCMP_ACT_ERRNO(1)");
	assert_treatment(profile2, "personality", "SCMP_ACT_ERRNO(22)?");
	assert_fixed_point(spec2, p);
}

/* The model compiled into the binary is the embedded profile as read. */
Test(seccomp, the_compiled_model_is_the_embedded_profile_read)
{
	oh_error_t err = NULL;
	cleanup_json struct json *doc =
	    json_parse(embedded_default_seccomp, embedded_default_seccomp_len, 0, &err);
	cr_assert_not_null(doc);
	struct seccomp_profile read;
	cr_assert_eq(seccomp_profile_read(doc, "embedded", &read, &err), 0);
	const struct seccomp_profile *built = &embedded_default_seccomp_model;
	cr_assert(seccomp_action_equal(&read.default_action, &built->default_action));
	cr_assert_str_eq(read.default_action.name, built->default_action.name);
	cr_assert_eq(read.has_default_errno, built->has_default_errno);
	cr_assert_eq(read.default_errno, built->default_errno);
	cr_assert_eq(read.architectures_len, built->architectures_len);
	for (size_t i = 0; i < read.architectures_len; i++)
		cr_assert_str_eq(read.architectures[i], built->architectures[i]);
	cr_assert_eq(read.rules_len, built->rules_len);
	for (size_t i = 0; i < read.rules_len; i++) {
		const struct seccomp_rule *a = &read.rules[i], *b = &built->rules[i];
		cr_assert(seccomp_action_equal(&a->action, &b->action), "rule %zu", i);
		cr_assert_eq(a->source, b->source);
		cr_assert_eq(a->set.len, b->set.len);
		for (uint8_t k = 0; k < a->set.len; k++) {
			const struct seccomp_cond *x = &a->set.conds[k], *y = &b->set.conds[k];
			cr_assert(x->index == y->index && x->op == y->op && x->value == y->value &&
				      x->value_two == y->value_two &&
				      x->value_two_written == y->value_two_written &&
				      strcmp(x->op_name, y->op_name) == 0,
				  "rule %zu condition %u", i, k);
		}
	}
	cr_assert_eq(read.mentions_len, built->mentions_len);
	for (size_t i = 0; i < read.mentions_len; i++) {
		cr_assert_str_eq(read.mentions[i].name, built->mentions[i].name);
		cr_assert_eq(read.mentions[i].rule, built->mentions[i].rule);
	}
	seccomp_profile_clear(&read);
}

/* Two trees alike in everything, offsets included. */
static void assert_same_tree(const struct json *a, const struct json *b, const char *where)
{
	cr_assert(json_equal(a, b), "%s: the trees differ", where);
	cr_assert_eq(a->offset, b->offset, "%s: offsets %zu and %zu", where, a->offset, b->offset);
	if (a->type == JSON_ARRAY)
		for (size_t i = 0; i < a->array.len; i++)
			assert_same_tree(a->array.items[i], b->array.items[i], where);
	if (a->type == JSON_OBJECT)
		for (size_t i = 0; i < a->object.len; i++) {
			cr_assert_eq(a->object.members[i].offset, b->object.members[i].offset,
				     "%s: the offsets of key %s", where, a->object.members[i].key);
			assert_same_tree(a->object.members[i].value, b->object.members[i].value,
					 where);
		}
}

/* The frozen tree compiled in is what a parse of the policy's text builds,
 * and writes back to that text. */
Test(seccomp, the_compiled_tree_is_the_embedded_profile_parsed)
{
	oh_error_t err = NULL;
	const struct json *frozen = policy_seccomp_profile(policy, &err);
	cr_assert_eq(frozen, &embedded_default_seccomp_tree.node,
		     "the default policy's profile is the compiled tree");
	cr_assert(frozen->frozen && frozen->frozen_text);
	cleanup_json struct json *parsed = json_parse(
	    policy->seccomp_profile_text, policy->seccomp_profile_len, JSON_PARSE_COMMENTS, &err);
	cr_assert_not_null(parsed);
	assert_same_tree(frozen, parsed, "compiled against parsed");
	cleanup_free char *compact = json_to_string(frozen, false);
	cr_assert_eq(strlen(compact), policy->seccomp_profile_len);
	cr_assert_eq(memcmp(compact, policy->seccomp_profile_text, policy->seccomp_profile_len), 0);
	cleanup_free char *pretty = json_to_string(frozen, true);
	cleanup_free char *pretty_parsed = json_to_string(parsed, true);
	cr_assert_str_eq(pretty, pretty_parsed);
	cr_assert(json_equal_compact_text(frozen, policy->seccomp_profile_text,
					  policy->seccomp_profile_len));
	/* Shared, never copied nor freed; a thawed copy is the caller's. */
	cr_assert_eq(json_clone(frozen), frozen);
	json_free((struct json *)frozen);
	cleanup_json struct json *thawed = json_thaw(frozen);
	cr_assert_not(thawed->frozen || thawed->frozen_text);
	assert_same_tree(thawed, parsed, "thawed against parsed");
	json_object_set(thawed, "defaultErrnoRet", json_new_uint(13));
	cleanup_free char *after = json_to_string(frozen, false);
	cr_assert_str_eq(after, compact, "changing the copy leaves the frozen tree");
}

/* A frozen tree is never changed: a change would reach every tree that
 * shares it. */
Test(seccomp, changing_the_compiled_tree_aborts, .signal = SIGABRT)
{
	json_object_set(&embedded_default_seccomp_tree.node, "defaultErrnoRet", json_new_uint(13));
}

/* The embedded profile installed by one pass, then merged with another
 * policy's in the same process: the config gets a copy to change. */
Test(seccomp, the_installed_profile_merges_again_under_another_policy)
{
	cleanup_json struct json *spec = test_parse("{\"process\":{}}");
	cleanup_report struct report report = {0};
	harden_with(spec, policy, &report);
	cr_assert_eq(seccomp_of(spec), &embedded_default_seccomp_tree.node);
	cleanup_free char *before = json_to_string(&embedded_default_seccomp_tree.node, false);

	cleanup_policy struct policy *p =
	    policy_with_profile("{'defaultAction':'SCMP_ACT_ERRNO','syscalls':[{'names':['read'],"
				"'action':'SCMP_ACT_ALLOW'}]}");
	cleanup_report struct report report2 = {0};
	harden_with(spec, p, &report2);
	const struct json *merged = seccomp_of(spec);
	cr_assert_not(merged->frozen, "the merged profile is the config's own");
	cr_assert(lets_through(merged, "read"));
	cr_assert_not(lets_through(merged, "write"));
	cleanup_free char *after = json_to_string(&embedded_default_seccomp_tree.node, false);
	cr_assert_str_eq(after, before);
}

/* A policy's own profile, installed by an earlier pass or copied by the
 * container's author, is left alone even where the merge would reword it. */
Test(seccomp, the_policy_profile_itself_is_never_rewritten)
{
	const char *contested = "{'defaultAction':'SCMP_ACT_ERRNO','syscalls':[{'names':["
				"'read','mkdir'],'action':'SCMP_ACT_ALLOW'},{'names':['mkdir'],"
				"'action':'SCMP_ACT_ERRNO','errnoRet':13}]}";
	cleanup_policy struct policy *p = policy_with_profile(contested);
	cleanup_json struct json *spec = test_parse("{\"process\":{}}");
	cleanup_report struct report report = {0};
	harden_with(spec, p, &report);
	cleanup_free char *expected = q(contested);
	cleanup_free char *got = test_text(seccomp_of(spec));
	cr_assert_str_eq(got, expected);
	assert_fixed_point(spec, p);

	/* The same profile in a file written for people (spaces, comments)
	 * is recognised too. */
	cleanup_policy struct policy *p2 = policy_with_profile(
	    "{\n  /* mkdir is both */\n  'defaultAction': 'SCMP_ACT_ERRNO',\n  'syscalls': [\n"
	    "    {'names': ['read', 'mkdir'], 'action': 'SCMP_ACT_ALLOW'},\n"
	    "    {'names': ['mkdir'], 'action': 'SCMP_ACT_ERRNO', 'errnoRet': 13}\n  ]\n}\n");
	cleanup_json struct json *spec2 = test_parse("{\"process\":{}}");
	cleanup_report struct report report2 = {0};
	harden_with(spec2, p2, &report2);
	cleanup_free char *got2 = test_text(seccomp_of(spec2));
	cr_assert_str_eq(got2, expected);
	assert_fixed_point(spec2, p2);
}

Test(seccomp, the_policy_key_allow_syscalls)
{
	cleanup_json struct json *doc = test_parse(
	    "{\"seccomp\": {\"allow_syscalls\": [\"unshare\", \"io_uring_setup\", \"unshare\"]}}");
	oh_error_t err = NULL;
	cleanup_policy struct policy *p = NULL;
	cr_assert_eq(policy_load_json(doc, "p", "p.json", policy, NULL, &p, &err), 0);
	cr_assert_eq(p->seccomp_allow_syscalls.len, 2);
	cleanup_json struct json *back = policy_to_json(p);
	assert_text(test_get(back, "seccomp.allow_syscalls"), "['unshare','io_uring_setup']");

	cleanup_json struct json *bad =
	    test_parse("{\"seccomp\": {\"allow_syscalls\": [\"io_uring_*\"]}}");
	cleanup_policy struct policy *p2 = NULL;
	cr_assert_lt(policy_load_json(bad, "p", "p.json", policy, NULL, &p2, &err), 0);
	cr_assert(strstr(err->msg, "seccomp.allow_syscalls[0]: \"io_uring_*\" is not a syscall "
				   "name"),
		  "%s", err->msg);
	oh_error_free(&err);
}

/* ---- the real profiles ------------------------------------------------------- */

static const char *const policy_denied[] = {
    "unshare",
    "mount",
    "setns",
    "bpf",
    "keyctl",
    "ptrace",
    "io_uring_setup",
    "io_uring_enter",
    "io_uring_register",
    "userfaultfd",
    "perf_event_open",
    "pivot_root",
    "umount2",
    "open_tree",
    "fsopen",
    "kexec_load",
};

static const char *const ordinary[] = {
    "read", "write",	  "openat",	"close",      "mmap",  "execve",       "futex",
    "brk",  "exit_group", "newfstatat", "getdents64", "wait4", "rt_sigaction",
};

static struct json *harden_fixture(const char *name, struct report *report)
{
	struct json *spec = read_fixture(name);
	harden_with(spec, policy, report);
	return spec;
}

static void assert_hardened_profile(const char *fixture, const struct json *before,
				    const struct json *after)
{
	for (size_t i = 0; i < ARRAY_SIZE(policy_denied); i++)
		cr_assert(!lets_through(after, policy_denied[i]), "%s: %s is let through", fixture,
			  policy_denied[i]);
	for (size_t i = 0; i < ARRAY_SIZE(ordinary); i++) {
		cr_assert(lets_through(before, ordinary[i]));
		cr_assert(lets_through(after, ordinary[i]), "%s: %s is denied", fixture,
			  ordinary[i]);
	}
	assert_treatment(after, "clone", "SCMP_ACT_ALLOW?");
	/* glibc falls back from clone3 to clone on ENOSYS only. */
	cr_assert(!lets_through(after, "clone3"));
	cr_assert_eq(errno_of(after, "clone3"), ENOSYS, "%s", fixture);
	assert_one_action_each(after);
	/* Nothing denied before is let through now. */
	const struct json *rules = json_object_get(before, "syscalls");
	for (size_t r = 0; r < rules->array.len; r++) {
		const struct json *names = json_object_get(rules->array.items[r], "names");
		for (size_t j = 0; j < names->array.len; j++) {
			const char *name = names->array.items[j]->string.ptr;
			if (!lets_through(before, name))
				cr_assert(!lets_through(after, name), "%s: %s", fixture, name);
		}
	}
}

Test(seccomp, containerd_runtime_default_loses_io_uring_and_ptrace)
{
	cleanup_report struct report report = {0};
	cleanup_json struct json *before = read_fixture("cri/restricted.config.json");
	cleanup_json struct json *spec = harden_fixture("cri/restricted.config.json", &report);
	const struct json *was = seccomp_of(before), *now = seccomp_of(spec);
	cr_assert(lets_through(was, "io_uring_setup") && lets_through(was, "ptrace"));
	assert_hardened_profile("restricted", was, now);
	const struct decision *d =
	    find_decision(&report, "linux.seccomp.syscalls", "denied by the policy's");
	cr_assert(strstr(d->reason, "io_uring_setup") && strstr(d->reason, "ptrace"), "%s",
		  d->reason);
	assert_text(d->lift.value, "['adjtimex','clock_adjtime','io_uring_enter',"
				   "'io_uring_register','io_uring_setup','ptrace']");
	/* Its 32-bit names are no syscalls of x86_64, which alone is left:
	 * they go too, said apart, with no key to lift them. */
	const struct decision *n =
	    find_decision(&report, "linux.seccomp.syscalls", "no syscalls of this architecture");
	cr_assert_not_null(n);
	cr_assert(strstr(n->reason, "chown32") && !strstr(d->reason, "chown32"), "%s", n->reason);
	cr_assert_null(n->lift.key);
	assert_fixed_point(spec, policy);
}

Test(seccomp, docker_cap_add_sys_admin_loses_the_namespace_and_mount_calls)
{
	cleanup_report struct report report = {0};
	cleanup_json struct json *before =
	    read_fixture("clients/docker-cap-add-sys-admin.config.json");
	cleanup_json struct json *spec =
	    harden_fixture("clients/docker-cap-add-sys-admin.config.json", &report);
	const struct json *was = seccomp_of(before), *now = seccomp_of(spec);
	const char *unlocked[] = {"unshare", "mount", "setns", "bpf", "ptrace", "io_uring_setup"};
	for (size_t i = 0; i < ARRAY_SIZE(unlocked); i++)
		cr_assert(lets_through(was, unlocked[i]), "%s", unlocked[i]);
	assert_treatment(was, "clone", "SCMP_ACT_ALLOW");
	assert_hardened_profile("docker", was, now);
	assert_fixed_point(spec, policy);
}

Test(seccomp, podman_default_loses_unshare_mount_keyctl_ptrace)
{
	cleanup_report struct report report = {0};
	cleanup_json struct json *before = read_fixture("clients/podman-default.config.json");
	cleanup_json struct json *spec =
	    harden_fixture("clients/podman-default.config.json", &report);
	const struct json *was = seccomp_of(before), *now = seccomp_of(spec);
	const char *unlocked[] = {"unshare", "mount", "keyctl", "ptrace"};
	for (size_t i = 0; i < ARRAY_SIZE(unlocked); i++)
		cr_assert(lets_through(was, unlocked[i]), "%s", unlocked[i]);
	assert_hardened_profile("podman", was, now);
	/* Its own ENOSYS default and EPERM denials stay. */
	assert_text(json_object_get(now, "defaultErrnoRet"), "38");
	assert_treatment(now, "kexec_load", "SCMP_ACT_ERRNO(1)");
	/* setns is in its allow rule and in a denying one. */
	cr_assert_not_null(find_decision(&report, "linux.seccomp.syscalls",
					 "setns: the "
					 "container's profile"));
	assert_fixed_point(spec, policy);
}

/* ---- the merged filters under libseccomp ------------------------------------- */

/* Build a filter from a profile as runc does (libcontainer/seccomp): each
 * name of each rule in order, a rule with the default action skipped, an
 * unknown name skipped, two conditions on one argument as two rules. */
static scmp_filter_ctx filter_from(const struct json *profile)
{
	struct seccomp_profile model;
	oh_error_t err = NULL;
	cr_assert_eq(seccomp_profile_read(profile, "profile", &model, &err), 0);
	static const struct {
		enum seccomp_action_code code;
		uint32_t base;
	} actions[] = {
	    {SECCOMP_ACT_ALLOW, SCMP_ACT_ALLOW},
	    {SECCOMP_ACT_LOG, SCMP_ACT_LOG},
	    {SECCOMP_ACT_KILL_THREAD, SCMP_ACT_KILL_THREAD},
	    {SECCOMP_ACT_KILL_PROCESS, SCMP_ACT_KILL_PROCESS},
	    {SECCOMP_ACT_TRAP, SCMP_ACT_TRAP},
	};
	uint32_t values[SECCOMP_ACT_UNKNOWN + 1] = {0};
	for (size_t i = 0; i < ARRAY_SIZE(actions); i++)
		values[actions[i].code] = actions[i].base;
#define ACTION_VALUE(a)                                                                            \
	((a).code == SECCOMP_ACT_ERRNO ? SCMP_ACT_ERRNO((a).data) : values[(a).code])
	scmp_filter_ctx ctx = seccomp_init(ACTION_VALUE(model.default_action));
	cr_assert_not_null(ctx);
	for (size_t i = 0; i < model.architectures_len; i++) {
		/* SCMP_ARCH_X86_64 -> x86_64 */
		char arch[32];
		snprintf(arch, sizeof(arch), "%s", model.architectures[i] + 10);
		for (char *c = arch; *c; c++)
			*c = (char)(*c >= 'A' && *c <= 'Z' ? *c - 'A' + 'a' : *c);
		int r = seccomp_arch_add(ctx, seccomp_arch_resolve_name(arch));
		cr_assert(r == 0 || r == -EEXIST, "%s", arch);
	}
	static const enum scmp_compare ops[] = {
	    [SECCOMP_OP_NE] = SCMP_CMP_NE,
	    [SECCOMP_OP_LT] = SCMP_CMP_LT,
	    [SECCOMP_OP_LE] = SCMP_CMP_LE,
	    [SECCOMP_OP_EQ] = SCMP_CMP_EQ,
	    [SECCOMP_OP_GE] = SCMP_CMP_GE,
	    [SECCOMP_OP_GT] = SCMP_CMP_GT,
	    [SECCOMP_OP_MASKED_EQ] = SCMP_CMP_MASKED_EQ,
	};
	for (size_t m = 0; m < model.mentions_len; m++) {
		const struct seccomp_rule *r = &model.rules[model.mentions[m].rule];
		if (seccomp_action_equal(&r->action, &model.default_action))
			continue;
		int nr = seccomp_syscall_resolve_name(model.mentions[m].name);
		if (nr == __NR_SCMP_ERROR)
			continue;
		struct scmp_arg_cmp cmp[SECCOMP_MAX_ARGS];
		for (uint8_t k = 0; k < r->set.len; k++)
			cmp[k] =
			    (struct scmp_arg_cmp){r->set.conds[k].index, ops[r->set.conds[k].op],
						  r->set.conds[k].value, r->set.conds[k].value_two};
		int rc = seccomp_rule_add_array(ctx, ACTION_VALUE(r->action), nr, r->set.len, cmp);
		cr_assert_eq(rc, 0, "%s: %s", model.mentions[m].name, strerror(-rc));
	}
#undef ACTION_VALUE
	seccomp_profile_clear(&model);
	return ctx;
}

/* The child's checks: each call with arguments that make it fail harmlessly
 * (or succeed harmlessly) unfiltered, so that only the filter gives EPERM
 * or ENOSYS. Returns a bit per failed check. */
static int child_checks(void)
{
	int failed = 0, bit = 0;
#define DENIED(call)                                                                               \
	(bit++, ((call) == -1 && (errno == EPERM || errno == ENOSYS)) ? 0 : 1 << (bit - 1))
	failed |= DENIED(unshare(CLONE_NEWUSER));
	failed |= DENIED(syscall(SYS_mount, NULL, NULL, NULL, 0, NULL));
	failed |= DENIED(setns(-1, 0));
	failed |= DENIED(syscall(SYS_ptrace, 16 /* PTRACE_ATTACH */, 0, NULL, NULL));
	char params[120] = {0};
	failed |= DENIED(syscall(SYS_io_uring_setup, 1, params));
	failed |= DENIED(syscall(SYS_keyctl, 0, -3, 0));
	failed |= DENIED(syscall(SYS_bpf, -1, NULL, 0));
#undef DENIED
	bit++;
	if (getpid() <= 0)
		failed |= 1 << (bit - 1);
	bit++;
	pid_t pid = fork();
	if (pid == 0)
		_exit(0);
	int status;
	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		failed |= 1 << (bit - 1);
	return failed;
}

static void assert_filter_behaves(const char *fixture)
{
	cleanup_report struct report report = {0};
	cleanup_json struct json *spec = harden_fixture(fixture, &report);
	scmp_filter_ctx ctx = filter_from(seccomp_of(spec));
	fflush(NULL);
	pid_t pid = fork();
	cr_assert_neq(pid, -1);
	if (pid == 0) {
		if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 || seccomp_load(ctx) != 0)
			_exit(255);
		_exit(child_checks());
	}
	int status;
	cr_assert_eq(waitpid(pid, &status, 0), pid);
	seccomp_release(ctx);
	cr_assert(WIFEXITED(status), "%s: the filtered child died (status %#x)", fixture, status);
	cr_assert_neq(WEXITSTATUS(status), 255, "%s: the filter did not load", fixture);
	cr_assert_eq(WEXITSTATUS(status), 0,
		     "%s: checks failed under the merged filter (bits %#x: unshare, mount, setns, "
		     "ptrace, io_uring_setup, keyctl, bpf, getpid, fork)",
		     fixture, WEXITSTATUS(status));
}

Test(seccomp, merged_real_profiles_behave_under_libseccomp)
{
	assert_filter_behaves("cri/restricted.config.json");
	assert_filter_behaves("clients/docker-cap-add-sys-admin.config.json");
	assert_filter_behaves("clients/podman-default.config.json");
}
