/* SPDX-License-Identifier: Apache-2.0 */
/* The runc command line, read as runc 1.1.5 reads it. The expectations below
 * were checked against the installed runc 1.1.5 (Debian 1.1.5+ds1): with a
 * nonexistent bundle, "chdir <bundle>" in its error says which bundle it
 * parsed, "Incorrect Usage" says it refused the line, and printed help says
 * it ran nothing. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "runc_args.h"

static int parse_list(const char *const *list, struct runc_args *out, oh_error_t *err)
{
	int argc = 0;
	while (list[argc])
		argc++;
	return runc_args_parse(argc, (char *const *)list, out, err);
}

static struct runc_args parse_ok_list(const char *const *list)
{
	struct runc_args out;
	oh_error_t err = NULL;
	int r = parse_list(list, &out, &err);
	cr_assert_eq(r, 0, "unexpected refusal: %s", err ? err->msg : "?");
	cr_assert_null(err);
	return out;
}

/* The error message, which the caller must free, after asserting refusal. */
static char *parse_refused_list(const char *const *list, struct runc_args *out)
{
	struct runc_args local;
	oh_error_t err = NULL;
	int r = parse_list(list, out ? out : &local, &err);
	cr_assert_lt(r, 0, "accepted an argv runc refuses (command %s)",
		     runc_command_name((out ? out : &local)->command));
	cr_assert_not_null(err);
	char *msg = xstrdup(err->msg);
	oh_error_free(&err);
	return msg;
}

#define PARSE_OK(...) parse_ok_list((const char *const[]){"oci-harden", __VA_ARGS__, NULL})
#define PARSE_REFUSED(out, ...)                                                                    \
	parse_refused_list((const char *const[]){"oci-harden", __VA_ARGS__, NULL}, out)

/* Refused, and the message names what was wrong. */
#define ASSERT_REFUSED_NAMING(needle, ...)                                                         \
	do {                                                                                       \
		char *msg_ = PARSE_REFUSED(NULL, __VA_ARGS__);                                     \
		cr_assert(strstr(msg_, needle), "message \"%s\" does not name \"%s\"", msg_,       \
			  needle);                                                                 \
		free(msg_);                                                                        \
	} while (0)

#define ASSERT_REFUSED(...)                                                                        \
	do {                                                                                       \
		free(PARSE_REFUSED(NULL, __VA_ARGS__));                                            \
	} while (0)

#define SHIM_ID	    "0b1c2d3e4f"
#define SHIM_BUNDLE "/run/containerd/io.containerd.runtime.v2.task/k8s.io/" SHIM_ID

/* ---- what containerd really sends ---- */

Test(runc_args, containerd_shim_create)
{
	struct runc_args a =
	    PARSE_OK("--root", "/run/containerd/runc/k8s.io", "--log", SHIM_BUNDLE "/log.json",
		     "--log-format", "json", "--systemd-cgroup", "create", "--bundle", SHIM_BUNDLE,
		     "--pid-file", SHIM_BUNDLE "/init.pid", SHIM_ID);
	cr_assert_eq(a.command, RUNC_CMD_CREATE);
	cr_assert_str_eq(a.command_name, "create");
	cr_assert_eq(a.command_index, 8);
	cr_assert_str_eq(a.root, "/run/containerd/runc/k8s.io");
	cr_assert_str_eq(a.log_path, SHIM_BUNDLE "/log.json");
	cr_assert_eq(a.log_format, RUNC_LOG_JSON);
	cr_assert_str_eq(a.bundle, SHIM_BUNDLE);
	cr_assert_str_eq(a.container_id, SHIM_ID);
	cr_assert_not(a.no_pivot);
	cr_assert_not(a.single_dash_option);
}

Test(runc_args, containerd_shim_create_with_console_and_no_pivot)
{
	struct runc_args a =
	    PARSE_OK("--root", "/run/containerd/runc/default", "--log", SHIM_BUNDLE "/log.json",
		     "--log-format", "json", "create", "--bundle", SHIM_BUNDLE, "--pid-file",
		     SHIM_BUNDLE "/init.pid", "--console-socket", "/tmp/pty123/pty.sock",
		     "--no-pivot", SHIM_ID);
	cr_assert_eq(a.command, RUNC_CMD_CREATE);
	cr_assert_str_eq(a.bundle, SHIM_BUNDLE);
	cr_assert_str_eq(a.container_id, SHIM_ID);
	cr_assert(a.no_pivot);
}

Test(runc_args, containerd_shim_exec_and_delete)
{
	struct runc_args a =
	    PARSE_OK("--root", "/run/containerd/runc/k8s.io", "--log", SHIM_BUNDLE "/log.json",
		     "--log-format", "json", "exec", "--process", "/tmp/runc-process123",
		     "--detach", "--pid-file", SHIM_BUNDLE "/exec.pid", SHIM_ID);
	cr_assert_eq(a.command, RUNC_CMD_EXEC);
	cr_assert_str_eq(a.process_path, "/tmp/runc-process123");
	cr_assert_str_eq(a.container_id, SHIM_ID);

	a = PARSE_OK("--root", "/run/containerd/runc/k8s.io", "--log", SHIM_BUNDLE "/log.json",
		     "--log-format", "json", "delete", "--force", SHIM_ID);
	cr_assert_eq(a.command, RUNC_CMD_DELETE);
	cr_assert_str_eq(a.container_id, SHIM_ID);
}

/* ---- every command ---- */

Test(runc_args, each_command_is_classified)
{
	static const struct {
		const char *name;
		enum runc_command command;
	} cases[] = {
	    {"checkpoint", RUNC_CMD_OTHER}, {"create", RUNC_CMD_CREATE},
	    {"delete", RUNC_CMD_DELETE},    {"events", RUNC_CMD_OTHER},
	    {"exec", RUNC_CMD_EXEC},	    {"init", RUNC_CMD_OTHER},
	    {"kill", RUNC_CMD_OTHER},	    {"list", RUNC_CMD_LIST},
	    {"pause", RUNC_CMD_OTHER},	    {"ps", RUNC_CMD_OTHER},
	    {"restore", RUNC_CMD_RESTORE},  {"resume", RUNC_CMD_OTHER},
	    {"run", RUNC_CMD_RUN},	    {"spec", RUNC_CMD_OTHER},
	    {"start", RUNC_CMD_OTHER},	    {"state", RUNC_CMD_OTHER},
	    {"update", RUNC_CMD_OTHER},	    {"features", RUNC_CMD_OTHER},
	    {"help", RUNC_CMD_OTHER},	    {"h", RUNC_CMD_OTHER},
	};
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct runc_args a = PARSE_OK("--root", "/r", cases[i].name, "id1");
		cr_assert_eq(a.command, cases[i].command, "%s", cases[i].name);
		cr_assert_str_eq(a.command_name, cases[i].name);
		cr_assert_eq(a.command_index, 3, "%s", cases[i].name);
	}
}

Test(runc_args, other_commands_pass_their_options_through_uninterpreted)
{
	/* runc validates these itself; oci-harden does not act on them. */
	struct runc_args a = PARSE_OK("kill", "--all", "id1", "KILL");
	cr_assert_eq(a.command, RUNC_CMD_OTHER);
	cr_assert_str_eq(a.command_name, "kill");
	a = PARSE_OK("ps", "--format", "json", "id1", "-ef");
	cr_assert_eq(a.command, RUNC_CMD_OTHER);
	a = PARSE_OK("update", "--no-such-option-yet", "id1");
	cr_assert_eq(a.command, RUNC_CMD_OTHER);
	cr_assert_str_eq(a.command_name, "update");
	a = PARSE_OK("checkpoint", "--image-path", "/x", "--leave-running", "id1");
	cr_assert_eq(a.command, RUNC_CMD_OTHER);
}

Test(runc_args, unknown_commands_go_to_the_runtime)
{
	/* Neither runc nor crun has them: they create and change nothing, and
	 * the runtime refuses them in its own words ("No help topic"). */
	static const char *const words[] = {"foo", "Create", "creat", "Run", "exec2"};
	for (size_t i = 0; i < ARRAY_SIZE(words); i++) {
		struct runc_args a = PARSE_OK("--root", "/r", words[i], "-h", "--bundle", "/b");
		cr_assert_eq(a.command, RUNC_CMD_UNKNOWN, "%s", words[i]);
		cr_assert_str_eq(a.command_name, words[i]);
		cr_assert_eq(a.command_index, 3);
		cr_assert_null(a.bundle, "the options of an unknown command are not read");
	}
	/* crun's later "mounts" changes a running container's mounts: it is
	 * refused, not passed as unknown. */
	ASSERT_REFUSED_NAMING("\"mounts\"", "mounts", "add", "id1", "/x");
}

/* Every command of runc 1.1.5 (main.go app.Commands) and crun 1.8 (crun.c
 * commands[]) is known, so none that creates or changes a container passes
 * as unknown. */
Test(runc_args, every_runtime_command_is_known)
{
	static const char *const runc_commands[] = {
	    "checkpoint", "create", "delete", "events", "exec",	   "init",
	    "kill",	  "list",   "pause",  "ps",	"restore", "resume",
	    "run",	  "spec",   "start",  "state",	"update",  "features"};
	static const char *const crun_commands[] = {
	    "create", "delete", "exec",	  "list",  "kill",   "ps",	   "run",    "spec",
	    "start",  "state",	"update", "pause", "resume", "checkpoint", "restore"};
	for (size_t i = 0; i < ARRAY_SIZE(runc_commands); i++)
		cr_assert_neq(PARSE_OK(runc_commands[i], "-h").command, RUNC_CMD_UNKNOWN, "%s",
			      runc_commands[i]);
	for (size_t i = 0; i < ARRAY_SIZE(crun_commands); i++)
		cr_assert_neq(PARSE_OK(crun_commands[i], "-h").command, RUNC_CMD_UNKNOWN, "%s",
			      crun_commands[i]);
}

Test(runc_args, no_command_passes_through)
{
	struct runc_args a = PARSE_OK("--root", "/r");
	cr_assert_eq(a.command, RUNC_CMD_NONE);
	cr_assert_null(a.command_name);
	cr_assert_eq(a.command_index, -1);
	cr_assert_str_eq(a.root, "/r");

	const char *only_program[] = {"oci-harden", NULL};
	a = parse_ok_list(only_program);
	cr_assert_eq(a.command, RUNC_CMD_NONE);
	cr_assert_eq(a.log_format, RUNC_LOG_TEXT);

	/* urfave shows the app's help for an empty command name */
	a = PARSE_OK("--root", "/r", "", "create");
	cr_assert_eq(a.command, RUNC_CMD_NONE);
}

Test(runc_args, command_names)
{
	cr_assert_str_eq(runc_command_name(RUNC_CMD_NONE), "none");
	cr_assert_str_eq(runc_command_name(RUNC_CMD_CREATE), "create");
	cr_assert_str_eq(runc_command_name(RUNC_CMD_RUN), "run");
	cr_assert_str_eq(runc_command_name(RUNC_CMD_RESTORE), "restore");
	cr_assert_str_eq(runc_command_name(RUNC_CMD_EXEC), "exec");
	cr_assert_str_eq(runc_command_name(RUNC_CMD_DELETE), "delete");
	cr_assert_str_eq(runc_command_name(RUNC_CMD_OTHER), "other");
	cr_assert_str_eq(runc_command_name(RUNC_CMD_UNKNOWN), "unknown");
	cr_assert_str_eq(runc_command_name((enum runc_command)99), "unknown");
}

/* ---- global options ---- */

Test(runc_args, global_value_option_forms)
{
	const char *forms[][3] = {
	    {"--root", "/r1", NULL},
	    {"-root", "/r1", NULL},
	    {"--root=/r1", NULL, NULL},
	    {"-root=/r1", NULL, NULL},
	};
	for (size_t i = 0; i < ARRAY_SIZE(forms); i++) {
		const char *list[8] = {"oci-harden"};
		size_t n = 1;
		for (size_t j = 0; j < 3 && forms[i][j]; j++)
			list[n++] = forms[i][j];
		list[n++] = "state";
		list[n++] = "id1";
		struct runc_args a = parse_ok_list(list);
		cr_assert_str_eq(a.root, "/r1", "form %zu", i);
		cr_assert_eq(a.command, RUNC_CMD_OTHER, "form %zu", i);
		cr_assert_str_eq(a.command_name, "state");
	}
}

Test(runc_args, global_value_is_the_next_argument_whatever_it_looks_like)
{
	struct runc_args a = PARSE_OK("--root", "--log", "create", "--bundle", "/b", "id1");
	cr_assert_str_eq(a.root, "--log");
	cr_assert_null(a.log_path);
	cr_assert_eq(a.command, RUNC_CMD_CREATE);

	/* --criu's value here is "create": the command is "run" */
	a = PARSE_OK("--criu", "create", "run", "id1");
	cr_assert_eq(a.command, RUNC_CMD_RUN);
	cr_assert_str_eq(a.container_id, "id1");

	/* --rootless is a string option in runc 1.1 (true, false or auto) */
	a = PARSE_OK("--rootless", "true", "create", "id1");
	cr_assert_eq(a.command, RUNC_CMD_CREATE);
}

Test(runc_args, last_global_value_wins)
{
	struct runc_args a = PARSE_OK("--root", "/r1", "--root=/r2", "-log", "/l1", "--log", "/l2",
				      "--log-format", "json", "--log-format=text", "list");
	cr_assert_str_eq(a.root, "/r2");
	cr_assert_str_eq(a.log_path, "/l2");
	cr_assert_eq(a.log_format, RUNC_LOG_TEXT);
}

Test(runc_args, global_booleans)
{
	struct runc_args a = PARSE_OK("--debug", "-systemd-cgroup", "--debug=false",
				      "--systemd-cgroup=1", "create", "id1");
	cr_assert_eq(a.command, RUNC_CMD_CREATE);
	cr_assert_str_eq(a.container_id, "id1");

	/* A boolean takes a value only after "=": "false" is the command, one
	 * runc does not have ("No help topic for 'false'"), so nothing is
	 * created. */
	a = PARSE_OK("--debug", "false", "create", "id1");
	cr_assert_eq(a.command, RUNC_CMD_UNKNOWN);
	cr_assert_str_eq(a.command_name, "false");
	a = PARSE_OK("--systemd-cgroup", "true", "create", "id1");
	cr_assert_eq(a.command, RUNC_CMD_UNKNOWN);
	cr_assert_str_eq(a.command_name, "true");
}

Test(runc_args, every_go_boolean_spelling)
{
	const char *yes[] = {"1", "t", "T", "true", "TRUE", "True"};
	const char *no[] = {"0", "f", "F", "false", "FALSE", "False"};
	char arg[64];
	for (size_t i = 0; i < ARRAY_SIZE(yes); i++) {
		snprintf(arg, sizeof(arg), "--no-pivot=%s", yes[i]);
		struct runc_args a = PARSE_OK("create", arg, "id1");
		cr_assert(a.no_pivot, "%s", arg);
		snprintf(arg, sizeof(arg), "--no-pivot=%s", no[i]);
		a = PARSE_OK("create", "--no-pivot", arg, "id1");
		cr_assert_not(a.no_pivot, "%s: the last one wins", arg);
	}
}

Test(runc_args, bad_booleans_are_refused)
{
	const char *bad[] = {"--no-pivot=yes",	  "--no-pivot=",   "--no-pivot=TrUe",
			     "--no-pivot=2",	  "--no-pivot=on", "--no-pivot= true",
			     "--no-pivot=false=", "-no-pivot=y"};
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++)
		ASSERT_REFUSED_NAMING("invalid boolean", "create", bad[i], "id1");
	ASSERT_REFUSED_NAMING("invalid boolean", "--debug=maybe", "create", "id1");
	ASSERT_REFUSED_NAMING("invalid boolean", "exec", "--no-new-privs=nope", "id1", "sh");
}

Test(runc_args, unknown_global_options_are_refused)
{
	ASSERT_REFUSED_NAMING("\"--foo\"", "--foo", "create", "id1");
	/* could take "x" as its value, or not: the command is unknowable */
	ASSERT_REFUSED_NAMING("\"--foo\"", "--foo", "x", "create", "id1");
	ASSERT_REFUSED_NAMING("\"-r\"", "-r", "/r", "create", "id1");
	/* no abbreviations, no combined short options */
	ASSERT_REFUSED_NAMING("\"--ro\"", "--ro", "/r", "create", "id1");
	ASSERT_REFUSED_NAMING("\"-hv\"", "-hv", "create", "id1");
	/* a command option at the global level */
	ASSERT_REFUSED_NAMING("\"--bundle\"", "--bundle", "/b", "create", "id1");
}

Test(runc_args, bad_option_syntax_is_refused)
{
	ASSERT_REFUSED_NAMING("---root", "---root", "/r", "create", "id1");
	ASSERT_REFUSED_NAMING("-=x", "-=x", "create", "id1");
	ASSERT_REFUSED_NAMING("--=x", "--=x", "create", "id1");
	ASSERT_REFUSED_NAMING("---bundle", "create", "---bundle", "/b", "id1");
}

Test(runc_args, missing_value_at_the_end_is_refused)
{
	ASSERT_REFUSED_NAMING("needs a value", "--root");
	ASSERT_REFUSED_NAMING("needs a value", "--log-format");
	ASSERT_REFUSED_NAMING("needs a value", "exec", "--cap");
	ASSERT_REFUSED_NAMING("needs a value", "create", "--pid-file");
	ASSERT_REFUSED_NAMING("needs a value", "exec", "-p");
	ASSERT_REFUSED_NAMING("needs a value", "restore", "--image-path");
}

Test(runc_args, double_dash_ends_global_options)
{
	struct runc_args a = PARSE_OK("--root", "/r", "--", "create", "--bundle", "/b", "id1");
	cr_assert_eq(a.command, RUNC_CMD_CREATE);
	cr_assert_eq(a.command_index, 4);
	cr_assert_str_eq(a.bundle, "/b");

	a = PARSE_OK("--");
	cr_assert_eq(a.command, RUNC_CMD_NONE);

	/* after "--" even an option-looking word is the command */
	a = PARSE_OK("--", "--debug", "create", "id1");
	cr_assert_eq(a.command, RUNC_CMD_UNKNOWN);
	cr_assert_str_eq(a.command_name, "--debug");
}

Test(runc_args, crun_global_options)
{
	struct runc_args a = PARSE_OK("--cgroup-manager", "systemd", "--log-level", "debug",
				      "--root=/run/crun", "create", "--bundle", "/b", "id1");
	cr_assert_eq(a.command, RUNC_CMD_CREATE);
	cr_assert_str_eq(a.root, "/run/crun");
	cr_assert_str_eq(a.bundle, "/b");
	a = PARSE_OK("--cgroup-manager=cgroupfs", "run", "id1");
	cr_assert_eq(a.command, RUNC_CMD_RUN);
	cr_assert_eq(PARSE_OK("-V").command, RUNC_CMD_NONE);
	cr_assert_eq(PARSE_OK("-?").command, RUNC_CMD_NONE);
	cr_assert_eq(PARSE_OK("--usage").command, RUNC_CMD_NONE);
}

/* ---- help and version ---- */

Test(runc_args, help_and_version_pass_through)
{
	const char *flags[] = {"--help", "-h",	     "-help",	    "--version",
			       "-v",	 "-version", "--help=true", "-v=1"};
	for (size_t i = 0; i < ARRAY_SIZE(flags); i++) {
		struct runc_args a = PARSE_OK(flags[i]);
		cr_assert_eq(a.command, RUNC_CMD_NONE, "%s", flags[i]);
		/* urfave checks them before the command: it never runs */
		a = PARSE_OK(flags[i], "create", "--bundle", "/b", "id1");
		cr_assert_eq(a.command, RUNC_CMD_NONE, "%s create", flags[i]);
		cr_assert_null(a.command_name);
		a = PARSE_OK(flags[i], "no-such-command");
		cr_assert_eq(a.command, RUNC_CMD_NONE, "%s no-such-command", flags[i]);
	}
}

Test(runc_args, help_set_to_false_does_not_stop_the_command)
{
	struct runc_args a = PARSE_OK("--help=false", "-v=0", "create", "--bundle", "/b", "id1");
	cr_assert_eq(a.command, RUNC_CMD_CREATE);
	cr_assert_str_eq(a.bundle, "/b");
}

Test(runc_args, two_forms_of_one_global_option_are_refused)
{
	/* urfave normalizeFlags: "Cannot use two forms of the same flag" */
	ASSERT_REFUSED_NAMING("two forms", "--help", "-h");
	ASSERT_REFUSED_NAMING("two forms", "--version", "-v");
	ASSERT_REFUSED_NAMING("two forms", "--help=false", "-h=false", "create", "id1");
	/* the same form twice is fine */
	cr_assert_eq(PARSE_OK("-h", "-h").command, RUNC_CMD_NONE);
}

Test(runc_args, command_help_runs_nothing)
{
	const char *commands[] = {"create", "run", "restore", "exec", "delete"};
	for (size_t i = 0; i < ARRAY_SIZE(commands); i++) {
		struct runc_args a = PARSE_OK(commands[i], "--help");
		cr_assert_eq(a.command, RUNC_CMD_NONE, "%s --help", commands[i]);
		cr_assert_null(a.command_name);
		cr_assert_eq(a.command_index, -1);
		a = PARSE_OK(commands[i], "-h", "id1");
		cr_assert_eq(a.command, RUNC_CMD_NONE, "%s -h id1", commands[i]);
	}
	/* reordered: help after the id still counts, except for exec */
	cr_assert_eq(PARSE_OK("create", "id1", "--help").command, RUNC_CMD_NONE);
	struct runc_args a = PARSE_OK("exec", "id1", "--help");
	cr_assert_eq(a.command, RUNC_CMD_EXEC);
	cr_assert_str_eq(a.container_id, "id1");

	a = PARSE_OK("create", "--help=false", "--bundle", "/b", "id1");
	cr_assert_eq(a.command, RUNC_CMD_CREATE);
	/* parse errors come before help, as in urfave's Command.Run */
	ASSERT_REFUSED("create", "--help", "--bogus");
}

/* ---- --log and --log-format ---- */

Test(runc_args, log_format_values)
{
	cr_assert_eq(PARSE_OK("--log-format", "json", "list").log_format, RUNC_LOG_JSON);
	cr_assert_eq(PARSE_OK("--log-format=text", "list").log_format, RUNC_LOG_TEXT);
	cr_assert_eq(PARSE_OK("list").log_format, RUNC_LOG_TEXT);
	/* runc's configLogrus: empty is the default */
	cr_assert_eq(PARSE_OK("--log-format=", "list").log_format, RUNC_LOG_TEXT);
	ASSERT_REFUSED_NAMING("\"yaml\"", "--log-format", "yaml", "create", "id1");
	ASSERT_REFUSED_NAMING("\"JSON\"", "--log-format", "JSON", "create", "id1");
	ASSERT_REFUSED_NAMING("\"yaml\"", "--log-format", "yaml");
	ASSERT_REFUSED_NAMING("\"yaml\"", "--log-format", "json", "--log-format", "yaml", "list");
	/* runc shows its version before it validates the format */
	cr_assert_eq(PARSE_OK("--log-format", "yaml", "--version").command, RUNC_CMD_NONE);
}

Test(runc_args, log_is_filled_even_when_parsing_fails_later)
{
	struct runc_args a;
	char *msg = PARSE_REFUSED(&a, "--log", "/run/x/log.json", "--log-format", "json", "--bogus",
				  "create", "id1");
	cr_assert(strstr(msg, "--bogus"));
	free(msg);
	cr_assert_str_eq(a.log_path, "/run/x/log.json");
	cr_assert_eq(a.log_format, RUNC_LOG_JSON);

	msg = PARSE_REFUSED(&a, "--log=/l", "--log-format=json", "create", "--bundle", "/b",
			    "--cap", "X", "id1");
	free(msg);
	cr_assert_str_eq(a.log_path, "/l");
	cr_assert_eq(a.log_format, RUNC_LOG_JSON);

	/* an invalid format: runc reports in text */
	msg = PARSE_REFUSED(&a, "--log", "/l", "--log-format", "json", "--log-format", "xml",
			    "create", "id1");
	free(msg);
	cr_assert_str_eq(a.log_path, "/l");
	cr_assert_eq(a.log_format, RUNC_LOG_TEXT);
}

Test(runc_args, empty_log_is_no_log)
{
	cr_assert_null(PARSE_OK("--log", "", "list").log_path);
	cr_assert_null(PARSE_OK("--log=/l", "--log=", "list").log_path);
}

/* ---- create, run, restore: option forms ---- */

Test(runc_args, bundle_option_forms)
{
	const char *forms[][2] = {
	    {"--bundle", "/b1"},   {"-bundle", "/b1"}, {"-b", "/b1"},  {"--bundle=/b1", NULL},
	    {"-bundle=/b1", NULL}, {"-b=/b1", NULL},   {"--b", "/b1"}, {"--b=/b1", NULL},
	};
	const char *commands[] = {"create", "run", "restore"};
	for (size_t c = 0; c < ARRAY_SIZE(commands); c++)
		for (size_t i = 0; i < ARRAY_SIZE(forms); i++) {
			const char *list[8] = {"oci-harden", commands[c], forms[i][0]};
			size_t n = 3;
			if (forms[i][1])
				list[n++] = forms[i][1];
			list[n++] = "id1";
			struct runc_args a = parse_ok_list(list);
			cr_assert_str_eq(a.bundle, "/b1", "%s %s", commands[c], forms[i][0]);
			cr_assert_str_eq(a.container_id, "id1", "%s %s", commands[c], forms[i][0]);
		}
}

Test(runc_args, single_dash_forms_are_flagged_for_crun)
{
	/* crun (getopt) reads -bundle=/b as -b "undle=/b" */
	cr_assert(PARSE_OK("create", "-bundle", "/b", "id1").single_dash_option);
	cr_assert(PARSE_OK("create", "-b=/b", "id1").single_dash_option);
	cr_assert(PARSE_OK("-root", "/r", "list").single_dash_option);
	cr_assert(PARSE_OK("exec", "-t=true", "id1", "sh").single_dash_option);
	cr_assert_not(PARSE_OK("create", "-b", "/b", "id1").single_dash_option);
	cr_assert_not(PARSE_OK("create", "--bundle=/b", "id1").single_dash_option);
	cr_assert_not(PARSE_OK("exec", "-t", "-u", "0", "id1", "sh").single_dash_option);
}

Test(runc_args, no_bundle_means_the_working_directory)
{
	struct runc_args a = PARSE_OK("create", "id1");
	cr_assert_null(a.bundle);
	cr_assert_str_eq(a.container_id, "id1");
	/* runc's setupSpec chdirs only into a non-empty bundle */
	cr_assert_null(PARSE_OK("create", "--bundle", "", "id1").bundle);
	cr_assert_null(PARSE_OK("create", "--bundle", "/b", "--bundle=", "id1").bundle);
}

Test(runc_args, repeated_bundle_last_wins)
{
	cr_assert_str_eq(PARSE_OK("create", "--bundle", "/a", "--bundle", "/b", "id1").bundle,
			 "/b");
	cr_assert_str_eq(PARSE_OK("create", "-b", "/a", "-b", "/b", "id1").bundle, "/b");
	/* reordered: the one after the id is still the last */
	cr_assert_str_eq(PARSE_OK("create", "--bundle", "/a", "id1", "--bundle", "/b").bundle,
			 "/b");
}

Test(runc_args, both_forms_of_bundle_are_refused)
{
	ASSERT_REFUSED_NAMING("two forms", "create", "--bundle", "/a", "-b", "/b", "id1");
	ASSERT_REFUSED_NAMING("two forms", "run", "-b=/a", "--bundle=/b", "id1");
	ASSERT_REFUSED_NAMING("two forms", "restore", "-b", "/a", "id1", "-bundle", "/b");
	ASSERT_REFUSED_NAMING("two forms", "run", "-d", "--detach", "id1");
}

Test(runc_args, all_create_options)
{
	struct runc_args a =
	    PARSE_OK("create", "--bundle", "/b", "--console-socket", "/s", "--pid-file", "/p",
		     "--no-pivot", "--no-new-keyring", "--preserve-fds", "3", "id1");
	cr_assert_eq(a.command, RUNC_CMD_CREATE);
	cr_assert_str_eq(a.bundle, "/b");
	cr_assert(a.no_pivot);
	cr_assert_str_eq(a.container_id, "id1");
	/* run-only options are unknown to create in runc 1.1.5 */
	ASSERT_REFUSED_NAMING("\"--detach\"", "create", "--detach", "id1");
	ASSERT_REFUSED_NAMING("\"--no-subreaper\"", "create", "--no-subreaper", "id1");
	/* crun's --config/-f would swap the file oci-harden hardens */
	ASSERT_REFUSED_NAMING("\"--config\"", "create", "--config", "/evil.json", "id1");
	ASSERT_REFUSED_NAMING("\"-f\"", "create", "-f", "/evil.json", "id1");
}

Test(runc_args, all_run_options)
{
	struct runc_args a = PARSE_OK("run", "-b", "/b", "--console-socket=/s", "-d", "--keep",
				      "--pid-file", "/p", "--no-subreaper", "--no-pivot=false",
				      "--no-new-keyring", "--preserve-fds=0", "id1");
	cr_assert_eq(a.command, RUNC_CMD_RUN);
	cr_assert_str_eq(a.bundle, "/b");
	cr_assert_not(a.no_pivot);
	cr_assert_str_eq(a.container_id, "id1");
	ASSERT_REFUSED_NAMING("\"--image-path\"", "run", "--image-path", "/i", "id1");
}

Test(runc_args, all_restore_options)
{
	struct runc_args a =
	    PARSE_OK("restore", "--console-socket", "/s", "--image-path", "/i", "--work-path", "/w",
		     "--tcp-established", "--ext-unix-sk", "--shell-job", "--file-locks",
		     "--manage-cgroups-mode", "soft", "--bundle", "/b", "--detach", "--pid-file",
		     "/p", "--no-subreaper", "--no-pivot", "--empty-ns", "network", "--empty-ns",
		     "ipc", "--auto-dedup", "--lazy-pages", "--lsm-profile", "apparmor:p",
		     "--lsm-mount-context", "ctx", "id1");
	cr_assert_eq(a.command, RUNC_CMD_RESTORE);
	cr_assert_str_eq(a.bundle, "/b");
	cr_assert(a.no_pivot);
	cr_assert_str_eq(a.lsm_profile, "apparmor:p");
	cr_assert_str_eq(a.lsm_mount_context, "ctx");
	cr_assert_str_eq(a.container_id, "id1");
	/* a checkpoint-only option */
	ASSERT_REFUSED_NAMING("\"--leave-running\"", "restore", "--leave-running", "id1");
}

Test(runc_args, unknown_command_options_are_refused)
{
	ASSERT_REFUSED_NAMING("\"--bogus\"", "create", "--bogus", "id1");
	ASSERT_REFUSED_NAMING("\"-x\"", "run", "-x", "id1");
	ASSERT_REFUSED_NAMING("\"--bogus\"", "exec", "--bogus", "id1", "sh");
	ASSERT_REFUSED_NAMING("\"--bogus=1\"", "restore", "--bogus=1", "id1");
	ASSERT_REFUSED_NAMING("\"--bogus\"", "delete", "--bogus", "id1");
	/* global options are not command options */
	ASSERT_REFUSED_NAMING("\"--root\"", "create", "--root", "/r", "id1");
	/* no abbreviations */
	ASSERT_REFUSED_NAMING("\"--bund\"", "create", "--bund", "/b", "id1");
}

/* ---- reordering (create, run, restore, delete) ---- */

Test(runc_args, options_after_the_id)
{
	struct runc_args a = PARSE_OK("create", "id1", "--bundle", "/b", "--pid-file", "/p");
	cr_assert_str_eq(a.bundle, "/b");
	cr_assert_str_eq(a.container_id, "id1");

	a = PARSE_OK("run", "id1", "-b", "/b", "--detach");
	cr_assert_str_eq(a.bundle, "/b");
	cr_assert_str_eq(a.container_id, "id1");

	a = PARSE_OK("restore", "id1", "--image-path", "/i", "--bundle=/b");
	cr_assert_str_eq(a.bundle, "/b");
	cr_assert_str_eq(a.container_id, "id1");

	a = PARSE_OK("delete", "id1", "--force");
	cr_assert_eq(a.command, RUNC_CMD_DELETE);
	cr_assert_str_eq(a.container_id, "id1");

	a = PARSE_OK("create", "--pid-file", "/p", "id1", "--no-pivot", "--bundle", "/b");
	cr_assert(a.no_pivot);
	cr_assert_str_eq(a.bundle, "/b");
	cr_assert_str_eq(a.container_id, "id1");
}

Test(runc_args, a_boolean_takes_the_next_word_in_reordering)
{
	/* urfave moves "id1" next to --no-pivot as its possible value; Go's
	 * flag then stops at it, leaving --bundle /b as arguments, and runc
	 * fails with "requires exactly 1 argument(s)". */
	ASSERT_REFUSED_NAMING("exactly one", "create", "--no-pivot", "id1", "--bundle", "/b");
	/* "false" is not --no-pivot's value (no "="): two arguments */
	ASSERT_REFUSED_NAMING("exactly one", "create", "--no-pivot", "false", "--bundle", "/b",
			      "id1");
}

Test(runc_args, option_values_that_look_like_options)
{
	/* a value that is not one of the command's options stays a value */
	struct runc_args a = PARSE_OK("create", "id1", "--bundle", "-weird");
	cr_assert_str_eq(a.bundle, "-weird");
	cr_assert_str_eq(a.container_id, "id1");

	a = PARSE_OK("create", "id1", "--bundle", "-");
	cr_assert_str_eq(a.bundle, "-");

	/* Go's flag takes the next argument as the value even when it names
	 * an option */
	a = PARSE_OK("create", "id1", "--bundle", "--no-pivot");
	cr_assert_str_eq(a.bundle, "--no-pivot");
	cr_assert_not(a.no_pivot);
	a = PARSE_OK("create", "--bundle", "-b", "id1");
	cr_assert_str_eq(a.bundle, "-b");
	cr_assert_str_eq(a.container_id, "id1");

	/* ...but reordering then moves what follows in front: runc sees
	 * [--bundle -b /b id1] and is left with two arguments */
	ASSERT_REFUSED_NAMING("exactly one", "create", "id1", "--bundle", "-b", "/b");
}

Test(runc_args, double_dash_in_command_options)
{
	/* after the options */
	struct runc_args a = PARSE_OK("create", "--bundle", "/b", "--", "id1");
	cr_assert_str_eq(a.bundle, "/b");
	cr_assert_str_eq(a.container_id, "id1");

	/* an option before "--" is still reordered; "--" goes before the
	 * arguments left behind */
	a = PARSE_OK("create", "id1", "--bundle", "/b", "--");
	cr_assert_str_eq(a.bundle, "/b");
	cr_assert_str_eq(a.container_id, "id1");

	/* "--" right after an option is that option's value */
	a = PARSE_OK("create", "id1", "--bundle", "--", "--pid-file", "/p");
	cr_assert_str_eq(a.bundle, "--");
	cr_assert_str_eq(a.container_id, "id1");

	/* nothing after "--" is an option */
	ASSERT_REFUSED_NAMING("exactly one", "create", "--", "id1", "--bundle", "/b");
	a = PARSE_OK("create", "--", "--bundle");
	cr_assert_null(a.bundle);
	cr_assert_str_eq(a.container_id, "--bundle");

	/* a lone "-" is an argument */
	a = PARSE_OK("create", "-b", "/b", "-");
	cr_assert_str_eq(a.container_id, "-");
	ASSERT_REFUSED_NAMING("exactly one", "create", "-", "id1");
}

Test(runc_args, argument_counts)
{
	ASSERT_REFUSED_NAMING("exactly one", "create");
	ASSERT_REFUSED_NAMING("exactly one", "create", "--bundle", "/b");
	ASSERT_REFUSED_NAMING("exactly one", "create", "id1", "id2");
	ASSERT_REFUSED_NAMING("exactly one", "run", "id1", "");
	ASSERT_REFUSED_NAMING("exactly one", "restore", "-b", "/b");
	ASSERT_REFUSED_NAMING("exactly one", "delete");
	ASSERT_REFUSED_NAMING("exactly one", "delete", "id1", "id2");
	/* an unknown-looking word after the id is an argument, not an option */
	ASSERT_REFUSED_NAMING("exactly one", "create", "id1", "-x");
	/* the id missing: reordered, "--bundle" and "--pid-file" take "id1"
	 * as their value */
	ASSERT_REFUSED_NAMING("exactly one", "create", "id1", "--bundle");
	ASSERT_REFUSED_NAMING("exactly one", "create", "id1", "--pid-file");
	ASSERT_REFUSED_NAMING("container id", "exec");
	ASSERT_REFUSED_NAMING("container id", "exec", "-t", "--");
}

Test(runc_args, delete_options)
{
	struct runc_args a = PARSE_OK("delete", "-f", "id1");
	cr_assert_eq(a.command, RUNC_CMD_DELETE);
	cr_assert_str_eq(a.container_id, "id1");
	a = PARSE_OK("delete", "--force=false", "id1");
	cr_assert_str_eq(a.container_id, "id1");
	ASSERT_REFUSED_NAMING("two forms", "delete", "-f", "--force", "id1");
	/* crun's delete --regex is not runc's */
	ASSERT_REFUSED_NAMING("\"-r\"", "delete", "-r", "id.*");
}

/* ---- exec: no reordering ---- */

/* An exec command line parsed, and its options as runc_exec_options_each
 * reads them back. */
struct walked_exec {
	struct runc_args args;
	size_t len;
	struct runc_exec_option options[128];
};

static void collect_option(const struct runc_exec_option *option, void *data)
{
	struct walked_exec *w = data;
	cr_assert_lt(w->len, ARRAY_SIZE(w->options));
	w->options[w->len++] = *option;
}

static struct walked_exec *walk_exec_list(const char *const *list)
{
	static struct walked_exec w;
	w = (struct walked_exec){0};
	w.args = parse_ok_list(list);
	cr_assert_eq(w.args.command, RUNC_CMD_EXEC);
	int argc = 0;
	while (list[argc])
		argc++;
	runc_exec_options_each(argc, (char *const *)list, &w.args, collect_option, &w);
	return &w;
}

#define WALK_EXEC(...)                                                                             \
	walk_exec_list((const char *const[]){"oci-harden", "exec", __VA_ARGS__, NULL})

/* The values of every option of `field`, joined with ',' ("" for none). */
static const char *walked_values(const struct walked_exec *w, enum runc_exec_field field)
{
	static char buf[512];
	buf[0] = '\0';
	for (size_t i = 0; i < w->len; i++)
		if (w->options[i].field == field)
			snprintf(buf + strlen(buf), sizeof(buf) - strlen(buf), "%s%s",
				 buf[0] ? "," : "",
				 w->options[i].value ? w->options[i].value
						     : (w->options[i].flag ? "true" : "false"));
	return buf;
}

Test(runc_args, exec_container_command_is_not_parsed)
{
	struct walked_exec *w = WALK_EXEC("id1", "sh", "-c", "echo hi");
	cr_assert_str_eq(w->args.container_id, "id1");
	cr_assert_eq(w->args.container_id_index, 2);
	cr_assert_eq(w->len, 0, "-c after the id is the process's, not --cap");

	w = WALK_EXEC("-t", "id1", "ps", "-p", "1", "-u", "root", "--cap", "CAP_SYS_ADMIN",
		      "--no-new-privs=false", "-g", "0", "--bogus");
	cr_assert_str_eq(w->args.container_id, "id1");
	cr_assert_eq(w->args.container_id_index, 3);
	cr_assert_null(w->args.process_path);
	cr_assert_eq(w->len, 1);
	cr_assert_eq(w->options[0].field, RUNC_EXEC_TTY);

	w = WALK_EXEC("--", "id1", "--cap", "X");
	cr_assert_str_eq(w->args.container_id, "id1");
	cr_assert_eq(w->args.container_id_index, 3);
	cr_assert_eq(w->len, 0);
}

Test(runc_args, exec_options)
{
	struct walked_exec *w = WALK_EXEC(
	    "--console-socket", "/s", "--cwd", "/", "--env", "A=1", "--env", "B=2", "--tty",
	    "--user", "1000:1000", "--additional-gids", "10", "--additional-gids=11", "--detach",
	    "--pid-file", "/p", "--process-label", "system_u:system_r:spc_t:s0", "--apparmor",
	    "unconfined", "--no-new-privs", "--cap", "CAP_SYS_ADMIN", "--cap=CAP_NET_ADMIN",
	    "--preserve-fds", "2", "--cgroup", "sub", "--ignore-paused", "id1", "sh");
	cr_assert_str_eq(w->args.container_id, "id1");
	cr_assert_str_eq(walked_values(w, RUNC_EXEC_USER), "1000:1000");
	cr_assert_str_eq(walked_values(w, RUNC_EXEC_CWD), "/");
	cr_assert_str_eq(walked_values(w, RUNC_EXEC_ENV), "A=1,B=2");
	cr_assert_str_eq(walked_values(w, RUNC_EXEC_TTY), "true");
	cr_assert_str_eq(walked_values(w, RUNC_EXEC_APPARMOR), "unconfined");
	cr_assert_str_eq(walked_values(w, RUNC_EXEC_PROCESS_LABEL), "system_u:system_r:spc_t:s0");
	cr_assert_str_eq(walked_values(w, RUNC_EXEC_NO_NEW_PRIVS), "true");
	cr_assert_str_eq(walked_values(w, RUNC_EXEC_CAP), "CAP_SYS_ADMIN,CAP_NET_ADMIN");
	cr_assert_str_eq(walked_values(w, RUNC_EXEC_ADDITIONAL_GIDS), "10,11");
	cr_assert_str_eq(walked_values(w, RUNC_EXEC_RUNTIME), "/s,true,/p,2,sub,true");
	cr_assert_str_eq(w->args.preserve_fds, "2");
	cr_assert_null(w->args.process_path);
	/* Where each is in argv: the console socket and its value, "--tty"
	 * alone, "--additional-gids=11" alone. */
	cr_assert_eq(w->options[0].index, 2);
	cr_assert_eq(w->options[0].count, 2);
	cr_assert_eq(w->options[4].field, RUNC_EXEC_TTY);
	cr_assert_eq(w->options[4].index, 10);
	cr_assert_eq(w->options[4].count, 1);
	cr_assert_eq(w->options[7].index, 15);
	cr_assert_eq(w->options[7].count, 1);
}

Test(runc_args, exec_short_options)
{
	struct walked_exec *w = WALK_EXEC("-t", "-u", "0", "-g", "1", "-g=2", "-c", "CAP_A",
					  "-c=CAP_B", "-p", "/proc.json", "-d", "-e", "X=1", "id1");
	cr_assert_str_eq(walked_values(w, RUNC_EXEC_USER), "0");
	cr_assert_str_eq(walked_values(w, RUNC_EXEC_ADDITIONAL_GIDS), "1,2");
	cr_assert_str_eq(walked_values(w, RUNC_EXEC_CAP), "CAP_A,CAP_B");
	cr_assert_str_eq(walked_values(w, RUNC_EXEC_PROCESS), "/proc.json");
	cr_assert_str_eq(w->args.process_path, "/proc.json");
	cr_assert_eq(w->args.process_value_index, 12);
	cr_assert_not(w->args.process_value_inline);
	cr_assert_str_eq(w->args.container_id, "id1");

	w = WALK_EXEC("--process=/dev/fd/63", "id1");
	cr_assert_str_eq(w->args.process_path, "/dev/fd/63");
	cr_assert_eq(w->args.process_value_index, 2);
	cr_assert(w->args.process_value_inline);
}

Test(runc_args, exec_no_new_privs_can_be_cleared)
{
	struct walked_exec *w = WALK_EXEC("--no-new-privs=false", "id1", "sh");
	cr_assert_str_eq(walked_values(w, RUNC_EXEC_NO_NEW_PRIVS), "false");
	w = WALK_EXEC("id1", "sh");
	cr_assert_str_eq(walked_values(w, RUNC_EXEC_NO_NEW_PRIVS), "");
	w = WALK_EXEC("--no-new-privs", "--no-new-privs=0", "id1", "sh");
	cr_assert_str_eq(walked_values(w, RUNC_EXEC_NO_NEW_PRIVS), "true,false");
}

Test(runc_args, exec_both_forms_and_last_wins)
{
	ASSERT_REFUSED_NAMING("two forms", "exec", "--cap", "A", "-c", "B", "id1", "sh");
	ASSERT_REFUSED_NAMING("two forms", "exec", "-g", "1", "--additional-gids", "2", "id1",
			      "sh");
	ASSERT_REFUSED_NAMING("two forms", "exec", "-p", "/a", "--process", "/b", "id1");
	struct walked_exec *w = WALK_EXEC("-p", "/a", "-p", "/b", "-u", "1", "-u", "2", "id1");
	cr_assert_str_eq(w->args.process_path, "/b");
	cr_assert_eq(w->args.process_value_index, 5);
	cr_assert_str_eq(walked_values(w, RUNC_EXEC_USER), "1,2");
}

Test(runc_args, exec_empty_values_are_read_as_given)
{
	/* runc's getProcess ignores empty overrides; the walk says what was
	 * written and exec_process_from_flags applies runc's rule. */
	struct walked_exec *w =
	    WALK_EXEC("--user=", "--apparmor", "", "--process-label=", "id1", "sh");
	cr_assert_eq(w->len, 3);
	cr_assert_str_eq(w->options[0].value, "");
	cr_assert_null(PARSE_OK("exec", "-p", "", "id1", "sh").process_path);
}

Test(runc_args, exec_value_takes_the_next_word)
{
	/* no reordering, but Go's flag still takes the next argument */
	struct walked_exec *w = WALK_EXEC("--user", "--cap", "id1", "sh");
	cr_assert_str_eq(walked_values(w, RUNC_EXEC_USER), "--cap");
	cr_assert_str_eq(walked_values(w, RUNC_EXEC_CAP), "");
	cr_assert_str_eq(w->args.container_id, "id1");
}

Test(runc_args, exec_has_no_limit_on_list_values)
{
	const char *list[2 * 100 + 8] = {"oci-harden", "exec"};
	size_t n = 2;
	for (int i = 0; i < 100; i++) {
		list[n++] = "--env";
		list[n++] = "A=1";
	}
	list[n++] = "id1";
	list[n] = NULL;
	struct walked_exec *w = walk_exec_list(list);
	cr_assert_eq(w->len, 100);
}

/* ---- the app's help and version, which oci-harden leads with its own ---- */

Test(runc_args, help_and_version_are_told_apart)
{
	const char *helps[] = {"--help", "-h", "-help", "--help=true", "--usage"};
	for (size_t i = 0; i < ARRAY_SIZE(helps); i++) {
		struct runc_args a = PARSE_OK(helps[i]);
		cr_assert(a.help, "%s", helps[i]);
		cr_assert_not(a.version, "%s", helps[i]);
	}
	const char *versions[] = {"--version", "-v", "-version", "-v=1", "-V"};
	for (size_t i = 0; i < ARRAY_SIZE(versions); i++) {
		struct runc_args a = PARSE_OK(versions[i]);
		cr_assert(a.version, "%s", versions[i]);
		cr_assert_not(a.help, "%s", versions[i]);
	}
	/* urfave checks help first */
	struct runc_args a = PARSE_OK("--version", "--help");
	cr_assert(a.help);
	cr_assert_not(a.version);
	/* no command, or "help" alone, is the app's help */
	cr_assert(parse_ok_list((const char *const[]){"oci-harden", NULL}).help);
	cr_assert(PARSE_OK("").help);
	cr_assert(PARSE_OK("--root", "/r").help);
	cr_assert(PARSE_OK("help").help);
	cr_assert(PARSE_OK("h").help);
	/* a command's own help is not */
	cr_assert_not(PARSE_OK("help", "create").help);
	cr_assert_not(PARSE_OK("create", "--help").help);
	cr_assert_not(PARSE_OK("--help=false", "list").help);
	cr_assert_not(PARSE_OK("-v=0", "list").version);
	cr_assert_not(PARSE_OK("list").help);
}
