/* SPDX-License-Identifier: Apache-2.0 */
/* `oci-harden check`: the exact line for each problem of the fixtures in
 * tests/fixtures/policies/, the exit status, and which image patterns
 * overlap. Each test runs in its own process (criterion forks), from the
 * fixtures' directory, so that the file names in the output are short. */
#include <ftw.h>
#include <seccomp.h>
#include <stdarg.h>
#include <sys/stat.h>

#include "commands.h"
#include "helpers.h"
#include "settings.h"

struct check_result {
	int status;
	char *out;
	char *err;
};

static char *read_all_of(FILE *f)
{
	fflush(f);
	long len = ftell(f);
	char *text = xcalloc((size_t)len + 1, 1);
	rewind(f);
	cr_assert_eq(fread(text, 1, (size_t)len, f), (size_t)len);
	fclose(f);
	return text;
}

/* Run `oci-harden check ARGS...` (NULL-terminated) with stdout and stderr
 * captured. */
static struct check_result run_check(const char *first, ...)
{
	const char *argv[32] = {"check"};
	int argc = 1;
	va_list ap;
	va_start(ap, first);
	for (const char *arg = first; arg; arg = va_arg(ap, const char *)) {
		cr_assert_lt(argc, 31);
		argv[argc++] = arg;
	}
	va_end(ap);

	FILE *out = tmpfile(), *err = tmpfile();
	cr_assert(out && err);
	fflush(stdout);
	fflush(stderr);
	int saved_out = dup(STDOUT_FILENO), saved_err = dup(STDERR_FILENO);
	dup2(fileno(out), STDOUT_FILENO);
	dup2(fileno(err), STDERR_FILENO);
	struct check_result r = {.status = cmd_check(argc, (char **)argv)};
	fflush(stdout);
	fflush(stderr);
	dup2(saved_out, STDOUT_FILENO);
	dup2(saved_err, STDERR_FILENO);
	close(saved_out);
	close(saved_err);
	fseek(out, 0, SEEK_END);
	fseek(err, 0, SEEK_END);
	r.out = read_all_of(out);
	r.err = read_all_of(err);
	return r;
}

static void check_result_free(struct check_result *r)
{
	free(r->out);
	free(r->err);
}
#define cleanup_check_result _cleanup_(check_result_free)

static void expect_output(const struct check_result *r, int status, const char *out)
{
	cr_expect_str_eq(r->out, out);
	cr_expect_eq(r->status, status, "exit status %d, expected %d; stderr: %s", r->status,
		     status, r->err);
}

static void enter_fixtures(void)
{
	const char *dir = getenv("OCI_HARDEN_FIXTURES");
	char *policies = xasprintf("%s/policies", dir ? dir : "tests/fixtures");
	cr_assert_eq(chdir(policies), 0, "cannot enter %s", policies);
	free(policies);
}

TestSuite(check, .init = enter_fixtures);

/* ---- scratch directories ------------------------------------------------ */

static char scratch[] = "/tmp/oci-harden-check-XXXXXX";

static int remove_one(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	return remove(path);
}

static void scratch_remove(void)
{
	if (strstr(scratch, "XXXXXX") == NULL)
		nftw(scratch, remove_one, 8, FTW_DEPTH | FTW_PHYS);
}

static const char *scratch_dir(void)
{
	cr_assert_not_null(mkdtemp(scratch));
	atexit(scratch_remove);
	return scratch;
}

static void write_file(const char *dir, const char *name, const char *text)
{
	char *path = xasprintf("%s/%s", dir, name);
	FILE *f = fopen(path, "w");
	cr_assert_not_null(f, "cannot create %s", path);
	fputs(text, f);
	fclose(f);
	free(path);
}

/* ---- the fixtures, one problem each ------------------------------------- */

Test(check, unknown_key_says_which_key_was_meant)
{
	cleanup_check_result struct check_result r = run_check("unknown-key.json", NULL);
	expect_output(&r, 1,
		      "unknown-key.json:2:3: error: capabilites: unknown key; did you mean "
		      "\"capabilities\"?\n"
		      "unknown-key.json:3:15: error: seccomp.profle: unknown key; did you mean "
		      "\"profile\"?\n"
		      "unknown-key.json:4:3: error: colour: unknown key\n");
}

Test(check, unknown_capability_with_a_guess_when_there_is_one)
{
	cleanup_check_result struct check_result r = run_check("unknown-capability.json", NULL);
	expect_output(&r, 1,
		      "unknown-capability.json:2:33: error: capabilities[1]: unknown capability "
		      "\"CAP_NET_BIND_SERVIC\"; did you mean \"CAP_NET_BIND_SERVICE\"?\n"
		      "unknown-capability.json:2:56: error: capabilities[2]: unknown capability "
		      "\"net_admin\"; did you mean \"CAP_NET_ADMIN\"?\n"
		      "unknown-capability.json:2:69: error: capabilities[3]: unknown capability "
		      "\"CAP_FLY\" (names are written as in the OCI spec, e.g. "
		      "\"CAP_NET_BIND_SERVICE\")\n");
}

Test(check, syscall_names_are_checked_where_the_profile_has_them)
{
	/* The answer depends on libseccomp's syscall table, so the message
	 * names its version. */
	const struct scmp_version *v = seccomp_version();
	char *version = xasprintf("libseccomp %u.%u.%u", v->major, v->minor, v->micro);
	char *expected = xasprintf(
	    "seccomp/no-such-syscall.json:5:24: error: syscalls[0].names[1]: unknown syscall "
	    "\"no_such_syscall\" (%s, x86_64)\n"
	    "seccomp/no-such-syscall.json:5:43: warning: syscalls[0].names[2]: \"chown32\" is "
	    "not a syscall on x86_64 (%s): a rule naming it filters nothing there\n",
	    version, version);
	cleanup_check_result struct check_result r = run_check("bad-syscall.json", NULL);
	expect_output(&r, 1, expected);
	free(expected);
	free(version);
}

Test(check, a_profile_that_does_not_exist)
{
	cleanup_check_result struct check_result r = run_check("missing-profile.json", NULL);
	expect_output(&r, 1,
		      "missing-profile.json:2:26: error: seccomp.profile: no seccomp profile "
		      "\"missing\" (seccomp/missing.json does not exist)\n");
}

Test(check, an_extends_cycle_is_reported_in_each_file_of_it)
{
	cleanup_check_result struct check_result r =
	    run_check("extends-cycle-a.json", "extends-cycle-b.json", NULL);
	expect_output(&r, 1,
		      "extends-cycle-a.json:2:14: error: extends: cycle: extends-cycle-a -> "
		      "extends-cycle-b -> extends-cycle-a\n"
		      "extends-cycle-b.json:2:14: error: extends: cycle: extends-cycle-b -> "
		      "extends-cycle-a -> extends-cycle-b\n");
}

Test(check, extends_names_a_policy_that_does_not_exist)
{
	cleanup_check_result struct check_result r = run_check("extends-unknown.json", NULL);
	expect_output(&r, 1,
		      "extends-unknown.json:2:14: error: extends: no policy \"no-such-policy\" "
		      "(no-such-policy.json does not exist)\n");
}

Test(check, json_syntax_error_at_its_line_and_column)
{
	cleanup_check_result struct check_result r = run_check("json-syntax-error.json", NULL);
	expect_output(&r, 1,
		      "json-syntax-error.json:3:3: error: expected ',' or '}' after an object "
		      "member, found a string\n");
}

Test(check, patterns_that_are_not_fully_qualified_are_warnings_that_count)
{
	cleanup_check_result struct check_result r = run_check("not-fully-qualified.json", NULL);
	expect_output(&r, 1,
		      "not-fully-qualified.json:2:14: warning: images[0]: \"nginx:*\" is not fully "
		      "qualified; images are matched by their normalised reference: did you mean "
		      "\"docker.io/library/nginx:*\"?\n"
		      "not-fully-qualified.json:2:25: warning: images[1]: \"library/nginx\" is not "
		      "fully qualified; images are matched by their normalised reference: did you "
		      "mean \"docker.io/library/nginx:latest\"?\n");
}

Test(check, overlapping_patterns_say_which_policy_wins)
{
	const char *expected =
	    "overlap-b.json:2:27: warning: images[1]: \"docker.io/library/*\" overlaps "
	    "\"docker.io/library/nginx:*\" (overlap-a.json:2:14): an image matching both gets "
	    "policy \"overlap-a\", the first in file-name order\n";
	cleanup_check_result struct check_result r =
	    run_check("overlap-a.json", "overlap-b.json", NULL);
	expect_output(&r, 1, expected);
	/* The order on the command line does not change which one wins. */
	cleanup_check_result struct check_result reversed =
	    run_check("overlap-b.json", "overlap-a.json", NULL);
	expect_output(&reversed, 1, expected);
	/* Alone, neither has a problem. */
	cleanup_check_result struct check_result alone = run_check("overlap-b.json", NULL);
	expect_output(&alone, 0, "");
}

Test(check, every_refusal_of_the_loader_not_just_the_first)
{
	cleanup_check_result struct check_result r = run_check("loader-errors.json", NULL);
	expect_output(&r, 1,
		      "loader-errors.json:2:11: error: mode: must be \"enforce\" or \"audit\"\n"
		      "loader-errors.json:3:21: error: tmpfs[1]: \"var/cache\" is not an absolute "
		      "path\n"
		      "loader-errors.json:3:34: error: tmpfs[2]: \"/run/../etc\" has a \".\" or "
		      "\"..\" component\n"
		      "loader-errors.json:4:11: error: user: uid and gid must not be 0; set "
		      "\"allow_root\": true for images that need root\n"
		      "loader-errors.json:4:19: error: user.uid: must be an integer from 0 to "
		      "4294967295\n"
		      "loader-errors.json:5:17: error: pids_limit: must be a non-negative integer "
		      "(0 for none)\n");
}

Test(check, a_valid_directory_prints_nothing_and_exits_0)
{
	cleanup_check_result struct check_result r = run_check("valid", NULL);
	expect_output(&r, 0, "");
	cr_expect_str_eq(r.err, "oci-harden check: 3 policies, 1 seccomp profile: no problems\n");
}

Test(check, the_summary_counts_errors_and_warnings)
{
	cleanup_check_result struct check_result r =
	    run_check("unknown-key.json", "not-fully-qualified.json", NULL);
	cr_expect_eq(r.status, 1);
	cr_expect_str_eq(r.err, "oci-harden check: 2 policies, 0 seccomp profiles: 3 errors, "
				"2 warnings\n");
}

Test(check, quiet_leaves_out_the_summary)
{
	cleanup_check_result struct check_result r = run_check("-q", "valid", NULL);
	expect_output(&r, 0, "");
	cr_expect_str_eq(r.err, "");
}

Test(check, a_file_that_cannot_be_read)
{
	cleanup_check_result struct check_result r = run_check("no-such-file.json", NULL);
	expect_output(&r, 1, "no-such-file.json: error: cannot open: No such file or directory\n");
}

Test(check, usage_errors_exit_2)
{
	cleanup_check_result struct check_result r = run_check("--frobnicate", NULL);
	expect_output(&r, 2, "");
	cr_expect(strstr(r.err, "unknown option --frobnicate"), "stderr: %s", r.err);
	cleanup_check_result struct check_result help = run_check("--help", NULL);
	cr_expect_eq(help.status, 0);
	cr_expect(strncmp(help.out, "usage: oci-harden check", 23) == 0, "stdout: %s", help.out);
}

/* The policies shipped with the source: what `make install` puts in
 * /etc/oci-harden/policies must pass. */
Test(check, the_policies_of_the_repository_pass)
{
	const char *root = getenv("OCI_HARDEN_SOURCE_ROOT");
	cr_assert_not_null(root, "OCI_HARDEN_SOURCE_ROOT is not set (run through meson test)");
	char *policies = xasprintf("%s/policies", root);
	char *examples = xasprintf("%s/policies/examples", root);
	struct stat st;
	cleanup_check_result struct check_result r = stat(examples, &st) == 0
							 ? run_check(policies, examples, NULL)
							 : run_check(policies, NULL);
	expect_output(&r, 0, "");
	free(policies);
	free(examples);
}

/* ---- directories ---------------------------------------------------------- */

Test(check, a_directory_also_reports_files_selection_would_ignore)
{
	const char *dir = scratch_dir();
	write_file(dir, "fine.json", "{\"mode\": \"audit\"}\n");
	write_file(dir, "not a name.json", "{}\n");
	write_file(dir, "list.json", "[\"mode\"]\n");
	cleanup_check_result struct check_result r = run_check(dir, NULL);
	char *expected = xasprintf("%s/list.json:1:1: error: a policy must be a JSON object\n"
				   "%s/not a name.json: warning: \"not a name\" is not a policy "
				   "name (letters, digits, '.', '_' and '-'): oci-harden ignores "
				   "this file\n",
				   dir, dir);
	expect_output(&r, 1, expected);
	free(expected);
}

Test(check, without_a_path_the_configured_directory)
{
	const char *dir = scratch_dir();
	char *policy_dir = getcwd(NULL, 0);
	char *config = xasprintf("{\"policy_dir\": \"%s/valid\"}", policy_dir);
	write_file(dir, "config.json", config);
	char *config_path = xasprintf("%s/config.json", dir);
	setenv(SETTINGS_ENV, config_path, 1);
	cleanup_check_result struct check_result r = run_check(NULL);
	expect_output(&r, 0, "");
	cr_expect_str_eq(r.err, "oci-harden check: 3 policies, 1 seccomp profile: no problems\n");

	/* A default_policy with no file would fail every container no
	 * policy's images match. */
	free(config);
	config =
	    xasprintf("{\"policy_dir\": \"%s/valid\", \"default_policy\": \"strict\"}", policy_dir);
	write_file(dir, "config.json", config);
	cleanup_check_result struct check_result strict = run_check(NULL);
	char *expected = xasprintf("%s: error: default_policy: no policy \"strict\" "
				   "(%s/valid/strict.json does not exist)\n",
				   config_path, policy_dir);
	expect_output(&strict, 1, expected);
	free(expected);
	free(config);
	free(config_path);
	free(policy_dir);
}

Test(check, a_default_json_that_extends_back_is_a_cycle_for_everyone)
{
	/* A policy without "extends" starts from "default"; a default.json that
	 * extends it closes a cycle that only shows when they are loaded. */
	const char *dir = scratch_dir();
	write_file(dir, "default.json", "{\"extends\": \"web\"}\n");
	write_file(dir, "web.json", "{\"images\": [\"docker.io/library/nginx:*\"]}\n");
	cleanup_check_result struct check_result r = run_check(dir, NULL);
	char *expected =
	    xasprintf("%s/default.json:1:13: error: extends: cycle: default -> web -> "
		      "default\n"
		      "%s/web.json:1:1: error: extends (implicitly \"default\"): cycle: "
		      "web -> default -> web\n",
		      dir, dir);
	expect_output(&r, 1, expected);
	free(expected);
}

Test(check, repeated_keys_are_warnings)
{
	const char *dir = scratch_dir();
	write_file(dir, "twice.json", "{\"mode\": \"audit\",\n \"mode\": \"enforce\"}\n");
	char *path = xasprintf("%s/twice.json", dir);
	cleanup_check_result struct check_result r = run_check(path, NULL);
	char *expected = xasprintf("%s:2:2: warning: mode: repeated key (first on line 1); the "
				   "later value overrides\n",
				   path);
	expect_output(&r, 1, expected);
	free(expected);
	free(path);
}

/* Everything wrong with one file, of every kind, in one run: what the
 * loader refuses, what its base and profile are, and the linter's own
 * warnings. */
Test(check, every_problem_of_a_broken_policy_in_one_run)
{
	const char *dir = scratch_dir();
	write_file(dir, "broken.json",
		   "{\"extends\": \"gone\",\n"
		   " \"images\": [\"nginx\"],\n"
		   " \"capabilities\": [\"cap_chown\", \"CAP_KILL\"],\n"
		   " \"seccomp\": {\"profile\": \"absent\", \"replace\": \"never\"},\n"
		   " \"allow\": {\"host_path\": [\"/srv\"], \"devices\": [\"\"]},\n"
		   " \"rlimits\": {\"RLIMIT_NOFILE\": {\"soft\": 1}},\n"
		   " \"tmpfs\": [\"/tmp\"], \"tmpfs\": [\"run\"]}\n");
	char *path = xasprintf("%s/broken.json", dir);
	cleanup_check_result struct check_result r = run_check(path, NULL);
	char *expected = xasprintf(
	    "%1$s:1:13: error: extends: no policy \"gone\" (%2$s/gone.json does not exist)\n"
	    "%1$s:2:13: warning: images[0]: \"nginx\" is not fully qualified; images are matched "
	    "by their normalised reference: did you mean \"docker.io/library/nginx:latest\"?\n"
	    "%1$s:3:19: error: capabilities[0]: unknown capability \"cap_chown\"; did you mean "
	    "\"CAP_CHOWN\"?\n"
	    "%1$s:4:25: error: seccomp.profile: no seccomp profile \"absent\" "
	    "(%2$s/seccomp/absent.json does not exist)\n"
	    "%1$s:4:46: error: seccomp.replace: must be \"missing\" or \"always\"\n"
	    "%1$s:5:12: error: allow.host_path: unknown key; did you mean \"host_paths\"?\n"
	    "%1$s:5:47: error: allow.devices[0]: an empty pattern matches nothing\n"
	    "%1$s:6:31: error: rlimits.RLIMIT_NOFILE.hard: must be a non-negative integer\n"
	    "%1$s:7:21: warning: tmpfs: repeated key (first on line 7); the later value "
	    "overrides\n"
	    "%1$s:7:31: error: tmpfs[0]: \"run\" is not an absolute path\n",
	    path, dir);
	expect_output(&r, 1, expected);
	cr_expect_str_eq(r.err,
			 "oci-harden check: 1 policy, 0 seccomp profiles: 8 errors, 2 warnings\n");
	free(expected);
	free(path);
}

Test(check, the_embedded_default_profile_passes)
{
	const char *dir = scratch_dir();
	write_file(dir, "p.json", "{\"seccomp\": {\"profile\": \"default\"}}\n");
	char *path = xasprintf("%s/p.json", dir);
	cleanup_check_result struct check_result r = run_check(path, NULL);
	expect_output(&r, 0, "");
	cr_expect_str_eq(r.err, "oci-harden check: 1 policy, 1 seccomp profile: no problems\n");
	free(path);
}

/* ---- which patterns overlap ------------------------------------------------ */

/* Whether `check` says two policies' patterns overlap, and that the one
 * whose name sorts first wins. Patterns are written into JSON as they are. */
static bool patterns_overlap(const char *first, const char *second)
{
	const char *dir = scratch_dir();
	char *a = xasprintf("{\"images\": [\"%s\"]}\n", first);
	char *b = xasprintf("{\"images\": [\"%s\"]}\n", second);
	write_file(dir, "a.json", a);
	write_file(dir, "b.json", b);
	struct check_result r = run_check(dir, NULL);
	bool overlap = strstr(r.out, "overlaps") != NULL;
	if (overlap)
		cr_expect(strstr(r.out, "/b.json:1:13: warning: images[0]: ") &&
			      strstr(r.out, "gets policy \"a\""),
			  "output: %s", r.out);
	check_result_free(&r);
	nftw(dir, remove_one, 8, FTW_DEPTH | FTW_PHYS);
	strcpy(scratch, "/tmp/oci-harden-check-XXXXXX");
	free(a);
	free(b);
	return overlap;
}

Test(check, glob_overlap)
{
	static const struct {
		const char *a, *b;
		bool overlap;
	} cases[] = {
	    {"docker.io/library/nginx:*", "docker.io/library/*", true},
	    {"docker.io/a/*", "quay.io/*", false},
	    {"docker.io/a/x:1", "docker.io/a/x:1", true},
	    {"docker.io/a/x:1", "docker.io/a/x:2", false},
	    /* '*' matches '/' (no FNM_PATHNAME). */
	    {"docker.io/*", "docker.io/library/nginx:1", true},
	    {"docker.io/a/*:1", "docker.io/*/x:*", true},
	    {"*:1", "docker.io/*", true},
	    {"docker.io/a/x@*", "docker.io/a/x:*", false},
	    {"docker.io/a/x:?", "docker.io/a/x:10", false},
	    {"docker.io/a/x:??", "docker.io/a/x:1*", true},
	    /* Bracket expressions, as fnmatch reads them. */
	    {"docker.io/a/x:[0-9]*", "docker.io/a/x:latest", false},
	    {"docker.io/a/x:[0-9]*", "docker.io/a/x:1.2", true},
	    {"docker.io/a/x:[!0-9]*", "docker.io/a/x:latest", true},
	    {"docker.io/a/x:[ab]", "docker.io/a/x:[bc]", true},
	    {"docker.io/a/x:[a]", "docker.io/a/x:[c]", false},
	    {"docker.io/a/x:[[:digit:]]", "docker.io/a/x:7", true},
	    {"docker.io/a/x:[[:digit:]]", "docker.io/a/x:v", false},
	    /* An unterminated '[' is itself. */
	    {"docker.io/a/x:[1", "docker.io/a/x:[1", true},
	    {"docker.io/a/x:[1", "docker.io/a/x:1", false},
	    /* A backslash makes the next character literal (JSON "\\\\"). */
	    {"docker.io/a/x:\\\\*", "docker.io/a/x:1", false},
	    {"docker.io/a/x:\\\\*", "docker.io/a/x:*", true},
	};
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		cr_expect_eq(patterns_overlap(cases[i].a, cases[i].b), cases[i].overlap,
			     "\"%s\" and \"%s\" should%s overlap", cases[i].a, cases[i].b,
			     cases[i].overlap ? "" : " not");
		cr_expect_eq(patterns_overlap(cases[i].b, cases[i].a), cases[i].overlap,
			     "\"%s\" and \"%s\" should%s overlap", cases[i].b, cases[i].a,
			     cases[i].overlap ? "" : " not");
	}
}

/* Selection tries policies in file-name order: "web-2.json" comes before
 * "web.json" although the name "web" sorts before "web-2". */
Test(check, the_winner_is_first_by_file_name)
{
	const char *dir = scratch_dir();
	write_file(dir, "web.json", "{\"images\": [\"docker.io/library/nginx:*\"]}\n");
	write_file(dir, "web-2.json", "{\"images\": [\"docker.io/library/nginx:*\"]}\n");
	cleanup_check_result struct check_result r = run_check(dir, NULL);
	char *expected = xasprintf(
	    "%s/web.json:1:13: warning: images[0]: \"docker.io/library/nginx:*\" overlaps "
	    "\"docker.io/library/nginx:*\" (%s/web-2.json:1:13): an image matching both gets "
	    "policy \"web-2\", the first in file-name order\n",
	    dir, dir);
	expect_output(&r, 1, expected);
	free(expected);
}
