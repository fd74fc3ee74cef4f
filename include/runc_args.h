/* SPDX-License-Identifier: Apache-2.0 */
/* The runc command line, parsed the way runc parses it, to find the command
 * and the few values oci-harden acts on. A misparsed argv that lets a create
 * through unhardened is a hole, so the parser knows every option of runc (and
 * crun's global ones) and whether it takes a value, and refuses what it cannot
 * classify instead of guessing. Nothing here allocates: every string points
 * into argv, which lives until the execv. */
#ifndef OCI_HARDEN_RUNC_ARGS_H
#define OCI_HARDEN_RUNC_ARGS_H

#include <stdbool.h>
#include <stddef.h>

#include "errors.h"

enum runc_command {
	RUNC_CMD_NONE,	  /* no command: --version, --help (global or the command's), none */
	RUNC_CMD_CREATE,  /* reads the bundle's config.json */
	RUNC_CMD_RUN,	  /* reads the bundle's config.json */
	RUNC_CMD_RESTORE, /* reads the bundle's config.json */
	RUNC_CMD_EXEC,	  /* builds a process from --process or from flags */
	RUNC_CMD_DELETE,  /* the container's state may be cleaned up */
	RUNC_CMD_LIST,	  /* lists the root's containers: records of others may go */
	RUNC_CMD_OTHER,	  /* any other known command: passed through untouched */
	/* A command neither runc nor crun has: it creates and changes nothing,
	 * so it goes to the runtime untouched, which refuses it in its own
	 * words ("No help topic for 'foo'", exit 3). */
	RUNC_CMD_UNKNOWN,
};

enum runc_log_format {
	RUNC_LOG_TEXT,
	RUNC_LOG_JSON,
};

struct runc_args {
	const char *program; /* argv[0]: the name oci-harden was run by */
	enum runc_command command;
	const char *command_name; /* as written, NULL for RUNC_CMD_NONE */
	int command_index;	  /* index of the command in argv, or -1 */

	/* global options */
	/* runc prints its own help and does nothing else: --help/-h, no
	 * command at all, or the command "help" alone (not a command's --help) */
	bool help;
	bool version;	      /* --version/-v, without --help: runc prints its version */
	const char *root;     /* --root, NULL when not given */
	const char *log_path; /* --log, NULL when not given */
	enum runc_log_format log_format;

	/* the container id: the first positional argument after the command */
	const char *container_id;
	int container_id_index; /* its index in argv, or -1 */

	/* create, run, restore */
	const char *bundle; /* --bundle/-b, NULL when not given (the cwd) */
	bool no_pivot;	    /* --no-pivot: runc uses chroot(2) instead of pivot_root(2) */

	/* restore: runc applies these to the restored process over config.json */
	const char *lsm_profile;       /* --lsm-profile TYPE:NAME */
	const char *lsm_mount_context; /* --lsm-mount-context */

	/* exec: the process file, and where its value is in argv (-1 when not
	 * given), so that it can be replaced; `process_value_inline` when it is
	 * written "--process=FILE". Every option of an exec is read again, in
	 * order, by runc_exec_options_each. */
	const char *process_path; /* --process/-p */
	int process_value_index;
	bool process_value_inline;
	const char *preserve_fds; /* --preserve-fds, as written */

	/* Some option was written -name or -x=value: Go's flag package (runc)
	 * reads these as --name and --x=value, but getopt (crun) reads -bundle=X
	 * as -b "undle=X". A caller whose real runtime is crun should refuse. */
	bool single_dash_option;
};

/* Parse argv (argv[0] is the program). On failure the message names the
 * argument and why it could not be classified. Even on failure, `out` holds
 * the log path and format when they were parsed before the problem, so the
 * error can be reported where runc would report it. */
int runc_args_parse(int argc, char *const argv[], struct runc_args *out, oh_error_t *err);

const char *runc_command_name(enum runc_command command);

/* What an option of `exec` is for: the process to run, or the runtime. */
enum runc_exec_field {
	RUNC_EXEC_RUNTIME, /* --console-socket, --detach, --pid-file, --preserve-fds, --cgroup,
			    * --ignore-paused, --help: how the runtime runs it */
	RUNC_EXEC_PROCESS, /* --process */
	RUNC_EXEC_CWD,
	RUNC_EXEC_ENV,
	RUNC_EXEC_TTY,
	RUNC_EXEC_USER,
	RUNC_EXEC_ADDITIONAL_GIDS,
	RUNC_EXEC_PROCESS_LABEL,
	RUNC_EXEC_APPARMOR,
	RUNC_EXEC_NO_NEW_PRIVS,
	RUNC_EXEC_CAP,
};

/* One option of an exec command line, as written. */
struct runc_exec_option {
	enum runc_exec_field field;
	const char *value; /* NULL for a boolean */
	bool flag;	   /* a boolean's value */
	int index, count;  /* it is argv[index .. index + count) */
};

/* Call `visit` for each option of the exec command line that `args` was
 * parsed from (runc_args_parse succeeded on the same argv), in the order
 * given: exec's options are never reordered, so this is the order runc
 * applies them in, and the options are argv[args->command_index + 1 ..
 * args->container_id_index). */
void runc_exec_options_each(int argc, char *const argv[], const struct runc_args *args,
			    void (*visit)(const struct runc_exec_option *option, void *data),
			    void *data);

#endif
