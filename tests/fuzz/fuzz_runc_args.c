/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer target: runc's command line (src/runc_args.c).
 *
 * The input is split on NUL bytes into arguments, after an argv[0]. Beyond
 * "no crash, no undefined behaviour", it checks the one property the wrapper
 * depends on, against a model written here independently of the parser:
 *
 * runc finds its command with Go's flag package over the global options
 * (no reordering at that level): it walks argv[1..], an argument that does
 * not start with '-' (or is "-") is the command, "--" makes the next one
 * the command, and an option consumes the next argument as its value unless
 * it is a boolean or written "--name=value". Where that model sees create,
 * run or restore in command position (and no global --help or --version
 * stops runc first), runc will read a config.json. The parser must then
 * either fail (the wrapper refuses the command line) or name that command at
 * that index, or RUNC_CMD_NONE when a help option follows it (runc prints
 * the command's help and starts nothing). Anything else would let runc
 * create a container oci-harden never hardened.
 *
 * Also: every string in the result points into argv; an unknown command is
 * never one of the words runc or crun know as create, run, restore or exec;
 * and an exec's options read back (runc_exec_options_each) lie, in order,
 * between the command and the id, and the runtime's command line rebuilt
 * around a process file (exec_argv_with_process) ends with the id. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "exec_process.h"
#include "runc_args.h"

#define MAX_ARGS 64

/* The global options of runc 1.1.5 and crun, and whether each is a boolean:
 * the same facts as the parser's table, written down again from runc's
 * main.go and crun's argp table. */
static const struct {
	const char *name;
	bool boolean;
} globals[] = {
    {"debug", true},	  {"log", false},  {"log-format", false},
    {"root", false},	  {"criu", false}, {"systemd-cgroup", true},
    {"rootless", false},  {"help", true},  {"h", true},
    {"version", true},	  {"v", true},	   {"cgroup-manager", false},
    {"log-level", false}, {"usage", true}, {"?", true},
    {"V", true},
};

enum model_result {
	MODEL_NO_COMMAND, /* help, version, no command, or a syntax error */
	MODEL_COMMAND,	  /* *index is the command */
	MODEL_UNKNOWN,	  /* an option the model does not know: no claim */
};

static enum model_result model_command(int argc, char **argv, int *index)
{
	for (int i = 1; i < argc; i++) {
		const char *arg = argv[i];
		if (arg[0] != '-' || arg[1] == '\0') {
			*index = i;
			return MODEL_COMMAND;
		}
		const char *name = arg + 1;
		if (name[0] == '-') {
			name++;
			if (name[0] == '\0') {
				if (i + 1 >= argc)
					return MODEL_NO_COMMAND;
				*index = i + 1;
				return MODEL_COMMAND;
			}
		}
		if (name[0] == '\0' || name[0] == '-' || name[0] == '=')
			return MODEL_NO_COMMAND; /* Go: bad flag syntax */
		const char *equals = strchr(name + 1, '=');
		size_t len = equals ? (size_t)(equals - name) : strlen(name);
		bool found = false, boolean = false;
		for (size_t g = 0; g < sizeof(globals) / sizeof(globals[0]); g++)
			if (strlen(globals[g].name) == len &&
			    memcmp(globals[g].name, name, len) == 0) {
				found = true;
				boolean = globals[g].boolean;
			}
		if (!found)
			return MODEL_UNKNOWN;
		if ((len == 4 && memcmp(name, "help", 4) == 0) || (len == 1 && name[0] == 'h') ||
		    (len == 7 && memcmp(name, "version", 7) == 0) ||
		    (len == 1 && (name[0] == 'v' || name[0] == 'V')) ||
		    (len == 5 && memcmp(name, "usage", 5) == 0) || (len == 1 && name[0] == '?'))
			/* Could be --help=false; the model claims nothing then. */
			return equals ? MODEL_UNKNOWN : MODEL_NO_COMMAND;
		if (!boolean && !equals)
			i++; /* the value, whatever it looks like */
	}
	return MODEL_NO_COMMAND;
}

/* A help option of the command somewhere after it: -h, --help, -help,
 * --h, with or without "=value". */
static bool help_after(int argc, char **argv, int index)
{
	for (int i = index + 1; i < argc; i++) {
		const char *a = argv[i];
		if (a[0] != '-')
			continue;
		a += a[1] == '-' ? 2 : 1;
		size_t len = strcspn(a, "=");
		if ((len == 1 && a[0] == 'h') || (len == 4 && memcmp(a, "help", 4) == 0))
			return true;
	}
	return false;
}

static bool points_into_argv(const char *s, int argc, char **argv)
{
	if (!s)
		return true;
	for (int i = 0; i < argc; i++) {
		size_t len = strlen(argv[i]);
		if (s >= argv[i] && s <= argv[i] + len)
			return true;
	}
	return false;
}

static void fuzz_fail(const char *what, int argc, char **argv)
{
	fprintf(stderr, "fuzz_runc_args: invariant broken: %s\nargv:", what);
	for (int i = 0; i < argc; i++)
		fprintf(stderr, " [%s]", argv[i]);
	fprintf(stderr, "\n");
	abort();
}

struct exec_walk_check {
	int next; /* the first index an option may start at */
	int end;
	bool broken;
};

static void exec_walk_visit(const struct runc_exec_option *option, void *data)
{
	struct exec_walk_check *c = data;
	if (option->index < c->next || option->count < 1 || option->count > 2 ||
	    option->index + option->count > c->end)
		c->broken = true;
	c->next = option->index + option->count;
}

static void check_exec(int argc, char **argv, const struct runc_args *args)
{
	struct exec_walk_check c = {.next = args->command_index + 1,
				    .end = args->container_id_index};
	runc_exec_options_each(argc, argv, args, exec_walk_visit, &c);
	if (c.broken)
		fuzz_fail("exec options read back out of order or past the id", argc, argv);
	struct exec_argv out;
	exec_argv_with_process(argc, argv, args, "/runtime", "/proc/self/fd/9", &out);
	size_t n = 0;
	while (out.argv[n])
		n++;
	if (n < 3 || strcmp(out.argv[n - 1], args->container_id) != 0)
		fuzz_fail("the rebuilt exec command line does not end with the id", argc, argv);
	exec_argv_clear(&out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* argv[0], then the input split on NUL; each argument its own
	 * allocation, so ASan sees a read past any of them. */
	char *argv[MAX_ARGS + 2];
	int argc = 0;
	argv[argc++] = strdup("oci-harden");
	size_t start = 0;
	for (size_t i = 0; i <= size && argc < MAX_ARGS + 1; i++) {
		if (i == size || data[i] == '\0') {
			if (i == size && i == start && size > 0)
				break; /* a trailing NUL ends the last argument */
			char *arg = malloc(i - start + 1);
			memcpy(arg, data + start, i - start);
			arg[i - start] = '\0';
			argv[argc++] = arg;
			start = i + 1;
		}
	}
	argv[argc] = NULL;

	struct runc_args args;
	oh_error_t err = NULL;
	int r = runc_args_parse(argc, argv, &args, &err);
	if (r < 0) {
		if (!err || !err->msg || !*err->msg)
			fuzz_fail("a failure must say why", argc, argv);
		oh_error_free(&err);
	} else {
		if (err)
			fuzz_fail("success with an error set", argc, argv);
		const char *strings[] = {
		    args.command_name,	    args.root,	       args.log_path,
		    args.container_id,	    args.bundle,       args.lsm_profile,
		    args.lsm_mount_context, args.process_path, args.preserve_fds,
		};
		for (size_t i = 0; i < sizeof(strings) / sizeof(strings[0]); i++)
			if (!points_into_argv(strings[i], argc, argv))
				fuzz_fail("a result string does not point into argv", argc, argv);
		if (args.command_index >= argc ||
		    (args.command_index >= 0 && args.command_name != argv[args.command_index]))
			fuzz_fail("command_index and command_name disagree", argc, argv);

		int index = -1;
		if (model_command(argc, argv, &index) == MODEL_COMMAND) {
			const char *word = argv[index];
			bool reads_config = strcmp(word, "create") == 0 ||
					    strcmp(word, "run") == 0 ||
					    strcmp(word, "restore") == 0;
			bool named =
			    (args.command == RUNC_CMD_CREATE || args.command == RUNC_CMD_RUN ||
			     args.command == RUNC_CMD_RESTORE) &&
			    args.command_index == index;
			if (reads_config && !named &&
			    !(args.command == RUNC_CMD_NONE && help_after(argc, argv, index)))
				fuzz_fail("runc would read a config.json the parser did not see",
					  argc, argv);
			if (!reads_config && args.command_index >= 0 && args.command_index != index)
				fuzz_fail("the parser found the command elsewhere than runc", argc,
					  argv);
		}
	}
	if (r == 0 && args.command == RUNC_CMD_UNKNOWN) {
		static const char *const hardened[] = {"create", "run", "restore", "exec"};
		for (size_t i = 0; i < sizeof(hardened) / sizeof(hardened[0]); i++)
			if (strcmp(args.command_name, hardened[i]) == 0)
				fuzz_fail("a hardened command passed as unknown", argc, argv);
	}
	if (r == 0 && args.command == RUNC_CMD_EXEC)
		check_exec(argc, argv, &args);
	for (int i = 0; i < argc; i++)
		free(argv[i]);
	return 0;
}
