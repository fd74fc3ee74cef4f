/* SPDX-License-Identifier: Apache-2.0 */
/* exec: the process built from the container's saved process and the
 * caller's flags exactly as runc 1.1.5's getProcess (exec.go) builds it,
 * judged by the same modules as a container's process (ids through the
 * container's user namespace mappings, SELinux label, AppArmor profile and
 * oomScoreAdj against the container's), the runtime's command line around
 * the memfd, and the memfd and process file edges. */
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "exec_handoff.h"
#include "exec_process.h"
#include "helpers.h"

static struct policy *policy;

static void load_default(void)
{
	oh_error_t err = NULL;
	cr_assert_eq(policy_load_default(&policy, &err), 0);
}

static void free_policy(void)
{
	policy_free(policy);
}

TestSuite(exec_process, .init = load_default, .fini = free_policy);

/* What a hardened container's process looks like when saved at create. */
#define SAVED_PROCESS                                                                              \
	"{\"terminal\":true,\"user\":{\"uid\":65534,\"gid\":65534,\"additionalGids\":[10]},"       \
	"\"args\":[\"sleep\",\"1\"],\"env\":[\"PATH=/bin\"],\"cwd\":\"/\","                        \
	"\"capabilities\":{\"bounding\":[\"CAP_NET_BIND_SERVICE\"],\"effective\":[\"CAP_NET_"      \
	"BIND_SERVICE\"],\"permitted\":[\"CAP_NET_BIND_SERVICE\"]},\"noNewPrivileges\":true,"      \
	"\"oomScoreAdj\":5}"

#define MAX_ARGS 40

/* argv of `oci-harden exec WORDS...` (NULL-terminated list). */
struct exec_line {
	int argc;
	char *argv[MAX_ARGS];
	struct runc_args args;
};

static void exec_line_parse(struct exec_line *line, const char *const *words)
{
	line->argc = 0;
	line->argv[line->argc++] = "oci-harden";
	for (size_t i = 0; words[i]; i++) {
		cr_assert_lt(line->argc, MAX_ARGS - 1);
		line->argv[line->argc++] = (char *)words[i];
	}
	line->argv[line->argc] = NULL;
	oh_error_t err = NULL;
	cr_assert_eq(runc_args_parse(line->argc, line->argv, &line->args, &err), 0, "%s",
		     err ? err->msg : "");
	cr_assert_eq(line->args.command, RUNC_CMD_EXEC);
}

/* The process built for WORDS from `saved`, compact; or "error: <msg>". */
static char *build(const char *saved, const char *const *words)
{
	struct exec_line line;
	exec_line_parse(&line, words);
	struct json *saved_tree = test_parse(saved);
	struct json *process = NULL;
	oh_error_t err = NULL;
	int r =
	    exec_process_from_flags(saved_tree, line.argc, line.argv, &line.args, &process, &err);
	json_free(saved_tree);
	if (r < 0) {
		cr_assert_null(process);
		char *msg = xasprintf("error: %s", err->msg);
		oh_error_free(&err);
		return msg;
	}
	char *text = json_to_string(process, false);
	json_free(process);
	return text;
}

#define WORDS(...) ((const char *const[]){__VA_ARGS__, NULL})

/* The saved process with its "args" replaced and "terminal" false (runc
 * clears it unless --tty): what every case starts from. */
#define BASE_WITH(args_json, rest_json)                                                            \
	"{\"terminal\":false,\"user\":{\"uid\":65534,\"gid\":65534,\"additionalGids\":[10]},"      \
	"\"args\":" args_json ",\"env\":[\"PATH=/bin\"],\"cwd\":\"/\","                            \
	"\"capabilities\":{\"bounding\":[\"CAP_NET_BIND_SERVICE\"],\"effective\":[\"CAP_NET_"      \
	"BIND_SERVICE\"],\"permitted\":[\"CAP_NET_BIND_SERVICE\"]},\"noNewPrivileges\":true,"      \
	"\"oomScoreAdj\":5" rest_json "}"

Test(exec_process, flags_are_applied_as_runc_applies_them)
{
	const struct {
		const char *what;
		const char *const *words;
		const char *expect; /* compact JSON, or "error: ..." start */
	} cases[] = {
	    {"the command replaces args; terminal is cleared",
	     WORDS("exec", "c1", "sh", "-c", "id"), BASE_WITH("[\"sh\",\"-c\",\"id\"]", "")},
	    {"--tty sets terminal", WORDS("exec", "--tty", "c1", "sh"),
	     "{\"terminal\":true,\"user\":{\"uid\":65534,\"gid\":65534,\"additionalGids\":[10]},"
	     "\"args\":[\"sh\"],\"env\":[\"PATH=/bin\"],\"cwd\":\"/\",\"capabilities\":{"
	     "\"bounding\":[\"CAP_NET_BIND_SERVICE\"],\"effective\":[\"CAP_NET_BIND_SERVICE\"],"
	     "\"permitted\":[\"CAP_NET_BIND_SERVICE\"]},\"noNewPrivileges\":true,\"oomScoreAdj\":"
	     "5}"},
	    {"-t=false clears it", WORDS("exec", "-t=false", "c1", "sh"),
	     BASE_WITH("[\"sh\"]", "")},
	    {"--cwd", WORDS("exec", "--cwd", "/tmp", "c1", "sh"),
	     "{\"terminal\":false,\"user\":{\"uid\":65534,\"gid\":65534,\"additionalGids\":[10]},"
	     "\"args\":[\"sh\"],\"env\":[\"PATH=/bin\"],\"cwd\":\"/tmp\",\"capabilities\":{"
	     "\"bounding\":[\"CAP_NET_BIND_SERVICE\"],\"effective\":[\"CAP_NET_BIND_SERVICE\"],"
	     "\"permitted\":[\"CAP_NET_BIND_SERVICE\"]},\"noNewPrivileges\":true,\"oomScoreAdj\":"
	     "5}"},
	    {"an empty --cwd changes nothing", WORDS("exec", "--cwd=", "c1", "sh"),
	     BASE_WITH("[\"sh\"]", "")},
	    {"--env is appended, in order", WORDS("exec", "--env", "A=1", "--env=B=2", "c1", "sh"),
	     "{\"terminal\":false,\"user\":{\"uid\":65534,\"gid\":65534,\"additionalGids\":[10]},"
	     "\"args\":[\"sh\"],\"env\":[\"PATH=/bin\",\"A=1\",\"B=2\"],\"cwd\":\"/\","
	     "\"capabilities\":{\"bounding\":[\"CAP_NET_BIND_SERVICE\"],\"effective\":[\"CAP_NET_"
	     "BIND_SERVICE\"],\"permitted\":[\"CAP_NET_BIND_SERVICE\"]},\"noNewPrivileges\":true,"
	     "\"oomScoreAdj\":5}"},
	    {"--user UID keeps the saved gid (crun would give 0)",
	     WORDS("exec", "--user", "1000", "c1", "sh"),
	     "{\"terminal\":false,\"user\":{\"uid\":1000,\"gid\":65534,\"additionalGids\":[10]},"
	     "\"args\":[\"sh\"],\"env\":[\"PATH=/bin\"],\"cwd\":\"/\",\"capabilities\":{"
	     "\"bounding\":[\"CAP_NET_BIND_SERVICE\"],\"effective\":[\"CAP_NET_BIND_SERVICE\"],"
	     "\"permitted\":[\"CAP_NET_BIND_SERVICE\"]},\"noNewPrivileges\":true,\"oomScoreAdj\":"
	     "5}"},
	    {"--user UID:GID", WORDS("exec", "-u", "1000:1001", "c1", "sh"),
	     "{\"terminal\":false,\"user\":{\"uid\":1000,\"gid\":1001,\"additionalGids\":[10]},"
	     "\"args\":[\"sh\"],\"env\":[\"PATH=/bin\"],\"cwd\":\"/\",\"capabilities\":{"
	     "\"bounding\":[\"CAP_NET_BIND_SERVICE\"],\"effective\":[\"CAP_NET_BIND_SERVICE\"],"
	     "\"permitted\":[\"CAP_NET_BIND_SERVICE\"]},\"noNewPrivileges\":true,\"oomScoreAdj\":"
	     "5}"},
	    {"uint32 truncation: 2^32 is 0, -1 is 2^32-1",
	     WORDS("exec", "--user", "4294967296:-1", "c1", "sh"),
	     "{\"terminal\":false,\"user\":{\"uid\":0,\"gid\":4294967295,\"additionalGids\":[10]},"
	     "\"args\":[\"sh\"],\"env\":[\"PATH=/bin\"],\"cwd\":\"/\",\"capabilities\":{"
	     "\"bounding\":[\"CAP_NET_BIND_SERVICE\"],\"effective\":[\"CAP_NET_BIND_SERVICE\"],"
	     "\"permitted\":[\"CAP_NET_BIND_SERVICE\"]},\"noNewPrivileges\":true,\"oomScoreAdj\":"
	     "5}"},
	    {"Atoi takes a sign and leading zeros", WORDS("exec", "--user", "+00:+7", "c1", "sh"),
	     "{\"terminal\":false,\"user\":{\"uid\":0,\"gid\":7,\"additionalGids\":[10]},"
	     "\"args\":[\"sh\"],\"env\":[\"PATH=/bin\"],\"cwd\":\"/\",\"capabilities\":{"
	     "\"bounding\":[\"CAP_NET_BIND_SERVICE\"],\"effective\":[\"CAP_NET_BIND_SERVICE\"],"
	     "\"permitted\":[\"CAP_NET_BIND_SERVICE\"]},\"noNewPrivileges\":true,\"oomScoreAdj\":"
	     "5}"},
	    {"the last --user wins, even an empty one",
	     WORDS("exec", "-u", "1", "-u", "", "c1", "sh"), BASE_WITH("[\"sh\"]", "")},
	    {"a name is not a uid", WORDS("exec", "--user", "root", "c1", "sh"),
	     "error: exec --user \"root\""},
	    {"UID:GID:X has gid \"GID:X\"", WORDS("exec", "--user", "1:2:3", "c1", "sh"),
	     "error: exec --user \"1:2:3\": \"2:3\""},
	    {"2^63 is out of Atoi's range",
	     WORDS("exec", "--user", "9223372036854775808", "c1", "sh"), "error: exec --user"},
	    {"--additional-gids are appended as uint32",
	     WORDS("exec", "-g", "20", "-g", "4294967296", "c1", "sh"),
	     "{\"terminal\":false,\"user\":{\"uid\":65534,\"gid\":65534,\"additionalGids\":[10,20,"
	     "0]},\"args\":[\"sh\"],\"env\":[\"PATH=/bin\"],\"cwd\":\"/\",\"capabilities\":{"
	     "\"bounding\":[\"CAP_NET_BIND_SERVICE\"],\"effective\":[\"CAP_NET_BIND_SERVICE\"],"
	     "\"permitted\":[\"CAP_NET_BIND_SERVICE\"]},\"noNewPrivileges\":true,\"oomScoreAdj\":"
	     "5}"},
	    {"urfave 1.22 reads gids in base 10: 0x0 is refused by runc",
	     WORDS("exec", "-g", "0x0", "c1", "sh"), "error: exec --additional-gids \"0x0\""},
	    {"a negative gid is refused by runc", WORDS("exec", "-g", "-1", "c1", "sh"),
	     "error: exec --additional-gids \"-1\": must be a positive"},
	    {"--cap goes into four sets, never inheritable",
	     WORDS("exec", "--cap", "CAP_SYS_ADMIN", "c1", "sh"),
	     "{\"terminal\":false,\"user\":{\"uid\":65534,\"gid\":65534,\"additionalGids\":[10]},"
	     "\"args\":[\"sh\"],\"env\":[\"PATH=/bin\"],\"cwd\":\"/\",\"capabilities\":{"
	     "\"bounding\":[\"CAP_NET_BIND_SERVICE\",\"CAP_SYS_ADMIN\"],\"effective\":[\"CAP_NET_"
	     "BIND_SERVICE\",\"CAP_SYS_ADMIN\"],\"permitted\":[\"CAP_NET_BIND_SERVICE\",\"CAP_SYS_"
	     "ADMIN\"],\"ambient\":[\"CAP_SYS_ADMIN\"]},\"noNewPrivileges\":true,\"oomScoreAdj\":"
	     "5}"},
	    {"--no-new-privs=false clears it", WORDS("exec", "--no-new-privs=false", "c1", "sh"),
	     "{\"terminal\":false,\"user\":{\"uid\":65534,\"gid\":65534,\"additionalGids\":[10]},"
	     "\"args\":[\"sh\"],\"env\":[\"PATH=/bin\"],\"cwd\":\"/\",\"capabilities\":{"
	     "\"bounding\":[\"CAP_NET_BIND_SERVICE\"],\"effective\":[\"CAP_NET_BIND_SERVICE\"],"
	     "\"permitted\":[\"CAP_NET_BIND_SERVICE\"]},\"noNewPrivileges\":false,\"oomScoreAdj\":"
	     "5}"},
	    {"--apparmor and --process-label",
	     WORDS("exec", "--apparmor", "unconfined", "--process-label", "spc_t", "c1", "sh"),
	     BASE_WITH("[\"sh\"]",
		       ",\"apparmorProfile\":\"unconfined\",\"selinuxLabel\":\"spc_t\"")},
	    {"runc: process args cannot be empty", WORDS("exec", "c1"),
	     "error: exec: no command to run"},
	    {"after the id, options are the command's", WORDS("exec", "c1", "sh", "--user", "0"),
	     BASE_WITH("[\"sh\",\"--user\",\"0\"]", "")},
	};
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		cleanup_free char *got = build(SAVED_PROCESS, cases[i].words);
		if (strncmp(cases[i].expect, "error: ", 7) == 0)
			cr_assert(strncmp(got, cases[i].expect, strlen(cases[i].expect)) == 0,
				  "%s:\n got %s\nwant %s...", cases[i].what, got, cases[i].expect);
		else
			cr_assert_str_eq(got, cases[i].expect, "%s", cases[i].what);
	}
}

Test(exec_process, cap_on_a_process_without_capabilities_fails_as_in_runc)
{
	cleanup_free char *got = build("{\"args\":[\"x\"],\"cwd\":\"/\"}",
				       WORDS("exec", "--cap", "CAP_CHOWN", "c1", "sh"));
	cr_assert(strstr(got, "error: exec --cap"), "%s", got);
	/* without --cap, such a process is fine, and a --user makes "user" */
	cleanup_free char *ok =
	    build("{\"args\":[\"x\"],\"cwd\":\"/\"}", WORDS("exec", "-u", "5", "c1", "sh"));
	cr_assert_str_eq(ok,
			 "{\"args\":[\"sh\"],\"cwd\":\"/\",\"terminal\":false,\"user\":{\"uid\":"
			 "5}}");
}

Test(exec_process, go_integers)
{
	static const struct {
		const char *text;
		int base;
		bool ok;
		int64_t value;
	} cases[] = {
	    {"0", 10, true, 0},
	    {"+12", 10, true, 12},
	    {"-12", 10, true, -12},
	    {"007", 10, true, 7},
	    {"9223372036854775807", 10, true, INT64_MAX},
	    {"-9223372036854775808", 10, true, INT64_MIN},
	    {"9223372036854775808", 10, false, 0},
	    {"18446744073709551616", 10, false, 0},
	    {"", 10, false, 0},
	    {"-", 10, false, 0},
	    {"1_0", 10, false, 0},
	    {"0x10", 10, false, 0},
	    {" 1", 10, false, 0},
	    {"0x10", 0, true, 16},
	    {"0X1f", 0, true, 31},
	    {"010", 0, true, 8},
	    {"0o17", 0, true, 15},
	    {"0b101", 0, true, 5},
	    {"1_000", 0, true, 1000},
	    {"0x_1", 0, true, 1},
	    {"1__0", 0, false, 0},
	    {"_1", 0, false, 0},
	    {"1_", 0, false, 0},
	    {"0x", 0, false, 0},
	    {"08", 0, false, 0},
	    {"0", 0, true, 0},
	};
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		int64_t v = 0;
		bool ok = go_parse_int64(cases[i].text, cases[i].base, &v);
		cr_assert_eq(ok, cases[i].ok, "\"%s\" base %d", cases[i].text, cases[i].base);
		if (ok)
			cr_assert_eq(v, cases[i].value, "\"%s\"", cases[i].text);
	}
}

/* --- judged by the container's policy, against the container --------------- */

/* harden_process of the exec WORDS in a container saved as CONTAINER. */
static void judge(const char *container_json, const char *const *words, struct report *report,
		  struct json **process_out)
{
	struct exec_line line;
	exec_line_parse(&line, words);
	struct json *container = test_parse(container_json);
	struct json *process = NULL;
	oh_error_t err = NULL;
	cr_assert_eq(exec_process_from_flags(json_object_get(container, "process"), line.argc,
					     line.argv, &line.args, &process, &err),
		     0, "%s", err ? err->msg : "");
	cr_assert_eq(
	    harden_process(process, container, policy, &(struct host_facts){0}, report, &err), 0,
	    "%s", err ? err->msg : "");
	json_free(container);
	if (process_out)
		*process_out = process;
	else
		json_free(process);
}

static const struct decision *find_decision(const struct report *report, const char *rule,
					    enum decision_kind kind)
{
	for (size_t i = 0; i < report->len; i++)
		if (strcmp(report->items[i].rule, rule) == 0 && report->items[i].kind == kind)
			return &report->items[i];
	return NULL;
}

#define CONTAINER "{\"process\":" SAVED_PROCESS "}"

Test(exec_process, flags_are_hardened_by_the_same_modules)
{
	cleanup_report struct report report = {0};
	cleanup_json struct json *process = NULL;
	judge(CONTAINER,
	      WORDS("exec", "--user", "0:0", "-g", "0", "--cap", "CAP_SYS_ADMIN",
		    "--no-new-privs=false", "c1", "sh"),
	      &report, &process);
	cr_assert_null(report_first_refusal(&report));
	cleanup_free char *user = test_text(test_get(process, "user"));
	cr_assert_str_eq(user, "{\"uid\":65534,\"gid\":65534,\"additionalGids\":[10]}");
	cleanup_free char *bounding = test_text(test_get(process, "capabilities.bounding"));
	cr_assert_str_eq(bounding, "[\"CAP_NET_BIND_SERVICE\"]");
	cleanup_free char *ambient = test_text(test_get(process, "capabilities.ambient"));
	cr_assert_str_eq(ambient, "[]");
	cr_assert(test_get(process, "noNewPrivileges")->boolean);
	cr_assert_not_null(find_decision(&report, "user", DECISION_CHANGE));
	cr_assert_not_null(find_decision(&report, "capabilities", DECISION_CHANGE));
	cr_assert_not_null(find_decision(&report, "privileges", DECISION_CHANGE));
}

Test(exec_process, a_label_or_profile_of_its_own_is_refused)
{
	cleanup_report struct report r1 = {0};
	judge(CONTAINER, WORDS("exec", "--process-label", "system_u:system_r:spc_t:s0", "c1", "sh"),
	      &r1, NULL);
	const struct decision *d = find_decision(&r1, "exec", DECISION_REFUSE);
	cr_assert_not_null(d);
	cr_assert_str_eq(d->path, "selinuxLabel");

	/* No profile in the policy: the container's (none) is the exec's. */
	free(policy->apparmor_profile);
	policy->apparmor_profile = NULL;
	cleanup_report struct report r2 = {0};
	judge(CONTAINER, WORDS("exec", "--apparmor", "unconfined", "c1", "sh"), &r2, NULL);
	d = find_decision(&r2, "apparmor", DECISION_REFUSE);
	cr_assert_not_null(d);
	cr_assert(strstr(d->reason, "its container has none"), "%s", d->reason);

	/* The container's own label and profile are fine, given or not. */
	const char *labelled = "{\"process\":{\"args\":[\"x\"],\"cwd\":\"/\",\"selinuxLabel\":"
			       "\"l\",\"apparmorProfile\":\"p\"}}";
	cleanup_report struct report r3 = {0};
	judge(labelled, WORDS("exec", "--apparmor", "p", "--process-label", "l", "c1", "sh"), &r3,
	      NULL);
	cr_assert_null(find_decision(&r3, "exec", DECISION_REFUSE));
	cr_assert_null(find_decision(&r3, "apparmor", DECISION_REFUSE));
	cleanup_report struct report r4 = {0};
	judge(labelled, WORDS("exec", "--apparmor", "q", "c1", "sh"), &r4, NULL);
	d = find_decision(&r4, "apparmor", DECISION_REFUSE);
	cr_assert_not_null(d);
	cr_assert(strstr(d->reason, "container's is \"p\""), "%s", d->reason);
}

Test(exec_process, a_policy_profile_replaces_whatever_an_exec_names)
{
	/* Where the policy's profile applies, it is the exec's, as it is the
	 * container's: containerd's process.json names the profile of its own
	 * copy of the spec. */
	cleanup_json struct json *container = test_parse(CONTAINER);
	cleanup_json struct json *process =
	    test_parse("{\"args\":[\"sh\"],\"cwd\":\"/\",\"apparmorProfile\":\"unconfined\"}");
	cleanup_report struct report report = {0};
	oh_error_t err = NULL;
	struct host_facts facts = {.apparmor_enabled = true, .apparmor_profile_loaded = true};
	cr_assert_eq(harden_process(process, container, policy, &facts, &report, &err), 0);
	cr_assert_null(report_first_refusal(&report));
	cr_assert_str_eq(test_get(process, "apparmorProfile")->string.ptr,
			 policy->apparmor_profile);
}

/* A process file's process, judged in CONTAINER. */
static void judge_file(const char *container_json, const char *process_json, struct report *report)
{
	struct json *container = test_parse(container_json);
	struct json *process = test_parse(process_json);
	oh_error_t err = NULL;
	cr_assert_eq(
	    harden_process(process, container, policy, &(struct host_facts){0}, report, &err), 0,
	    "%s", err ? err->msg : "");
	json_free(container);
	json_free(process);
}

Test(exec_process, oom_score_adj_may_not_go_below_the_container)
{
	static const struct {
		const char *container, *process;
		bool refused;
	} cases[] = {
	    {"{\"process\":{\"oomScoreAdj\":5}}", "{\"args\":[\"x\"],\"oomScoreAdj\":4}", true},
	    {"{\"process\":{\"oomScoreAdj\":5}}", "{\"args\":[\"x\"],\"oomScoreAdj\":5}", false},
	    {"{\"process\":{\"oomScoreAdj\":5}}", "{\"args\":[\"x\"],\"oomScoreAdj\":900}", false},
	    {"{\"process\":{\"oomScoreAdj\":5}}", "{\"args\":[\"x\"]}", false},
	    {"{\"process\":{}}", "{\"args\":[\"x\"],\"oomScoreAdj\":-1}", true},
	    {"{\"process\":{}}", "{\"args\":[\"x\"],\"oomScoreAdj\":0}", false},
	    {"{\"process\":{\"oomScoreAdj\":-500}}", "{\"args\":[\"x\"],\"oomScoreAdj\":-500}",
	     false},
	};
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		cleanup_report struct report report = {0};
		judge_file(cases[i].container, cases[i].process, &report);
		const struct decision *d = find_decision(&report, "exec", DECISION_REFUSE);
		cr_assert_eq(d != NULL, cases[i].refused, "%s in %s", cases[i].process,
			     cases[i].container);
		if (d)
			cr_assert_str_eq(d->path, "oomScoreAdj");
	}
}

Test(exec_process, a_process_file_label_is_judged_too)
{
	cleanup_report struct report report = {0};
	judge_file("{\"process\":{\"selinuxLabel\":\"a\"}}",
		   "{\"args\":[\"x\"],\"cwd\":\"/\",\"selinuxLabel\":\"b\"}", &report);
	const struct decision *d = find_decision(&report, "exec", DECISION_REFUSE);
	cr_assert_not_null(d);
	cr_assert(strstr(d->reason, "container's is \"a\""), "%s", d->reason);
}

/* A container created in audit mode may have a mapping to host root: an
 * exec's ids are judged through it. */
#define USERNS_CONTAINER                                                                           \
	"{\"process\":" SAVED_PROCESS ",\"linux\":{\"namespaces\":[{\"type\":\"user\"}],"          \
	"\"uidMappings\":[{\"containerID\":1000,\"hostID\":0,\"size\":1},{\"containerID\":0,"      \
	"\"hostID\":100000,\"size\":1000}],\"gidMappings\":[{\"containerID\":2000,\"hostID\":0,"   \
	"\"size\":1},{\"containerID\":0,\"hostID\":100000,\"size\":1000}]}}"

Test(exec_process, ids_are_judged_through_the_container_mappings)
{
	cleanup_report struct report r1 = {0};
	judge(USERNS_CONTAINER, WORDS("exec", "--user", "1000:1000", "c1", "sh"), &r1, NULL);
	const struct decision *d = find_decision(&r1, "user", DECISION_REFUSE);
	cr_assert_not_null(d);
	cr_assert_str_eq(d->path, "user.uid");

	cleanup_report struct report r2 = {0};
	judge(USERNS_CONTAINER, WORDS("exec", "-g", "2000", "c1", "sh"), &r2, NULL);
	d = find_decision(&r2, "user", DECISION_REFUSE);
	cr_assert_not_null(d);
	cr_assert_str_eq(d->path, "user.additionalGids[1]");

	cleanup_report struct report r3 = {0};
	judge(USERNS_CONTAINER, WORDS("exec", "--user", "999:999", "c1", "sh"), &r3, NULL);
	cr_assert_null(report_first_refusal(&r3));

	/* Without a user namespace, the mappings say nothing. */
	cleanup_report struct report r4 = {0};
	judge("{\"process\":" SAVED_PROCESS ",\"linux\":{\"uidMappings\":[{\"containerID\":1000,"
	      "\"hostID\":0,\"size\":1}]}}",
	      WORDS("exec", "--user", "1000", "c1", "sh"), &r4, NULL);
	cr_assert_null(report_first_refusal(&r4));
}

Test(exec_process, a_mapping_to_host_root_is_refused_at_create)
{
	cleanup_json struct json *spec = test_parse(
	    "{\"process\":{\"args\":[\"x\"],\"cwd\":\"/\",\"user\":{\"uid\":5,\"gid\":5}},"
	    "\"linux\":{\"namespaces\":[{\"type\":\"user\"}],\"uidMappings\":[{\"containerID\":"
	    "0,\"hostID\":100000,\"size\":1000},{\"containerID\":1000,\"hostID\":0,\"size\":1}],"
	    "\"gidMappings\":[{\"containerID\":0,\"hostID\":100000,\"size\":65536}]}}");
	cleanup_report struct report report = {0};
	oh_error_t err = NULL;
	struct test_host host = {0};
	cr_assert_eq(test_harden_spec(spec, policy, &host, &report, &err), 0);
	const struct decision *d = NULL;
	for (size_t i = 0; i < report.len; i++)
		if (strcmp(report.items[i].rule, "user") == 0 &&
		    report.items[i].kind == DECISION_REFUSE)
			d = &report.items[i];
	cr_assert_not_null(d);
	cr_assert_str_eq(d->path, "linux.uidMappings[1]");
	cr_assert_str_eq(d->lift.key, "user.allow_root");

	/* A range that starts below 0 on the host cannot; one that covers it
	 * from 0 does; allow_root lifts it. */
	policy->allow_root = true;
	cleanup_report struct report lifted = {0};
	cr_assert_eq(test_harden_spec(spec, policy, &host, &lifted, &err), 0);
	for (size_t i = 0; i < lifted.len; i++)
		cr_assert(strcmp(lifted.items[i].rule, "user") != 0, "%s", lifted.items[i].reason);
}

/* --- the runtime's command line --------------------------------------------- */

static char *joined_argv(char **argv)
{
	struct strbuf sb = {0};
	for (size_t i = 0; argv[i]; i++)
		strbuf_appendf(&sb, "%s%s", i ? " " : "", argv[i]);
	return strbuf_steal(&sb);
}

static char *rewritten(bool replace_only, const char *const *words)
{
	struct exec_line line;
	exec_line_parse(&line, words);
	cleanup_exec_argv struct exec_argv out = {0};
	if (replace_only)
		exec_argv_replace_process_path(line.argc, line.argv, &line.args, "/usr/bin/runc",
					       "/proc/self/fd/9", &out);
	else
		exec_argv_with_process(line.argc, line.argv, &line.args, "/usr/bin/runc",
				       "/proc/self/fd/9", &out);
	return joined_argv(out.argv);
}

Test(exec_process, the_runtime_gets_the_process_file_and_its_own_options)
{
	cleanup_free char *a =
	    rewritten(false, WORDS("--root", "/r", "--log", "/l", "--log-format", "json", "exec",
				   "--console-socket", "/s", "--cwd", "/x", "--env", "A=1", "-t",
				   "--user", "0", "-d", "--pid-file", "/p", "--preserve-fds", "2",
				   "--cgroup", "c", "--ignore-paused", "--cap=CAP_SYS_ADMIN",
				   "--no-new-privs=false", "c1", "sh", "-c", "id"));
	cr_assert_str_eq(a, "/usr/bin/runc --root /r --log /l --log-format json exec "
			    "--console-socket /s -d --pid-file /p --preserve-fds 2 --cgroup c "
			    "--ignore-paused --process /proc/self/fd/9 c1");
	cleanup_free char *b =
	    rewritten(false, WORDS("exec", "-p", "/dev/fd/63", "--detach", "c1", "ignored"));
	cr_assert_str_eq(b, "/usr/bin/runc exec --detach --process /proc/self/fd/9 c1");
	/* an id that looks like an option stays the id */
	cleanup_free char *c = rewritten(false, WORDS("exec", "--", "-odd", "sh"));
	cr_assert_str_eq(c, "/usr/bin/runc exec --process /proc/self/fd/9 -- -odd");
}

Test(exec_process, audit_mode_replaces_only_the_process_path)
{
	cleanup_free char *a =
	    rewritten(true, WORDS("--debug", "exec", "-p", "/dev/fd/63", "-d", "c1", "x"));
	cr_assert_str_eq(a, "/usr/bin/runc --debug exec -p /proc/self/fd/9 -d c1 x");
	cleanup_free char *b = rewritten(true, WORDS("exec", "--process=/dev/fd/63", "c1"));
	cr_assert_str_eq(b, "/usr/bin/runc exec --process=/proc/self/fd/9 c1");
	cleanup_free char *c = rewritten(true, WORDS("exec", "-p=/dev/fd/63", "c1"));
	cr_assert_str_eq(c, "/usr/bin/runc exec -p=/proc/self/fd/9 c1");
}

Test(exec_process, the_process_fd_is_above_every_fd_passed_in)
{
	struct exec_line line;
	exec_line_parse(&line, WORDS("exec", "c1", "sh"));
	cr_assert_eq(exec_process_fd_floor(&line.args, NULL), 3);
	exec_line_parse(&line, WORDS("exec", "--preserve-fds", "2", "c1", "sh"));
	cr_assert_eq(exec_process_fd_floor(&line.args, NULL), 5);
	cr_assert_eq(exec_process_fd_floor(&line.args, "3"), 8);
	/* runc reads 0x10 as 16 (Go's flag.Int), crun as 0: the larger */
	exec_line_parse(&line, WORDS("exec", "--preserve-fds", "0x10", "c1", "sh"));
	cr_assert_eq(exec_process_fd_floor(&line.args, NULL), 19);
	exec_line_parse(&line, WORDS("exec", "--preserve-fds", "-4", "c1", "sh"));
	cr_assert_eq(exec_process_fd_floor(&line.args, "junk"), 3);
}

/* --- the edges: the caller's process file, the memfd ------------------------- */

Test(exec_process, the_memfd_is_sealed_inherited_and_high)
{
	int fd = -1;
	oh_error_t err = NULL;
	cr_assert_eq(exec_handoff_memfd("{\"args\":[\"sh\"]}", 15, 40, &fd, &err), 0);
	cr_assert_geq(fd, 40);
	cr_assert_eq(fcntl(fd, F_GETFD) & FD_CLOEXEC, 0, "the runtime must inherit it");
	cr_assert_lt(write(fd, "x", 1), 0, "sealed against writing");
	cleanup_free char *path = xasprintf("/proc/self/fd/%d", fd);
	cleanup_free char *text = NULL;
	size_t len;
	cr_assert_eq(file_read_all(AT_FDCWD, path, 1 << 20, &text, &len, &err), 0);
	cr_assert_str_eq(text, "{\"args\":[\"sh\"]}");
	close(fd);
}

Test(exec_process, a_pipe_of_the_caller_is_read_once)
{
	int pipe_fds[2];
	cr_assert_eq(pipe(pipe_fds), 0);
	cr_assert_eq(write(pipe_fds[1], "{\"args\":[]}", 11), 11);
	close(pipe_fds[1]);
	static const char *const forms[] = {"/dev/fd/%d", "/proc/self/fd/%d"};
	for (size_t i = 0; i < ARRAY_SIZE(forms); i++) {
		cleanup_free char *path = xasprintf(forms[i], pipe_fds[0]);
		cleanup_process_file struct process_file file = {0};
		oh_error_t err = NULL;
		cr_assert_eq(process_file_read(path, false, &file, &err), 0, "%s",
			     err ? err->msg : "");
		cr_assert(file.callers_descriptor);
		cr_assert_null(file.refusal);
		/* the first read drains the pipe; the second finds it empty */
		cr_assert_str_eq(file.text, i == 0 ? "{\"args\":[]}" : "");
	}
	close(pipe_fds[0]);
}

Test(exec_process, a_path_is_read_without_following_a_symlink)
{
	char dir[] = "/tmp/oci-harden-exec-XXXXXX";
	cr_assert_not_null(mkdtemp(dir));
	cleanup_free char *path = xasprintf("%s/process.json", dir);
	cleanup_free char *link = xasprintf("%s/link.json", dir);
	cleanup_free char *fifo = xasprintf("%s/fifo.json", dir);
	FILE *f = fopen(path, "w");
	fputs("{\"args\":[\"sh\"]}", f);
	fclose(f);
	cr_assert_eq(symlink(path, link), 0);
	cr_assert_eq(mkfifo(fifo, 0600), 0);
	oh_error_t err = NULL;

	cleanup_process_file struct process_file plain = {0};
	cr_assert_eq(process_file_read(path, false, &plain, &err), 0);
	cr_assert_str_eq(plain.text, "{\"args\":[\"sh\"]}");
	cr_assert_not(plain.callers_descriptor);

	cleanup_process_file struct process_file via_link = {0};
	cr_assert_eq(process_file_read(link, false, &via_link, &err), 0);
	cr_assert_null(via_link.text);
	cr_assert(strstr(via_link.refusal, "symbolic link"), "%s", via_link.refusal);

	cleanup_process_file struct process_file via_fifo = {0};
	cr_assert_eq(process_file_read(fifo, false, &via_fifo, &err), 0);
	cr_assert(strstr(via_fifo.refusal, "not a regular file"), "%s", via_fifo.refusal);

	cleanup_process_file struct process_file missing = {0};
	cleanup_free char *nothing = xasprintf("%s/none.json", dir);
	cr_assert_lt(process_file_read(nothing, false, &missing, &err), 0);
	oh_error_free(&err);

	/* the file is never changed: an exec hands the runtime a memfd */
	cleanup_free char *after = NULL;
	size_t len;
	cr_assert_eq(file_read_all(AT_FDCWD, path, 1 << 20, &after, &len, &err), 0);
	cr_assert_str_eq(after, "{\"args\":[\"sh\"]}");
	unlink(link);
	unlink(fifo);
	unlink(path);
	rmdir(dir);
}
