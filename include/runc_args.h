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
	RUNC_CMD_START,	  /* the container's first process is released */
	RUNC_CMD_KILL,	  /* a signal, usually the one that stops it */
	RUNC_CMD_OTHER,	  /* any other known command: passed through untouched */
};

enum runc_log_format {
	RUNC_LOG_TEXT,
	RUNC_LOG_JSON,
};

#define RUNC_ARGS_MAX_LIST 64

struct runc_args {
	enum runc_command command;
	const char *command_name; /* as written, NULL for RUNC_CMD_NONE */
	int command_index;	  /* index of the command in argv, or -1 */

	/* global options */
	const char *root;     /* --root, NULL when not given */
	const char *log_path; /* --log, NULL when not given */
	enum runc_log_format log_format;

	/* the container id: the first positional argument after the command */
	const char *container_id;

	/* create, run, restore */
	const char *bundle; /* --bundle/-b, NULL when not given (the cwd) */
	bool no_pivot;	    /* --no-pivot: runc uses chroot(2) instead of pivot_root(2) */

	/* restore: runc applies these to the restored process over config.json */
	const char *lsm_profile;       /* --lsm-profile TYPE:NAME */
	const char *lsm_mount_context; /* --lsm-mount-context */

	/* exec */
	const char *process_path;	/* --process/-p */
	const char *exec_user;		/* --user/-u, "UID[:GID]" */
	const char *exec_apparmor;	/* --apparmor */
	const char *exec_process_label; /* --process-label (SELinux) */
	/* runc applies --no-new-privs only when given (context.IsSet), so an
	 * explicit --no-new-privs=false clears what config.json asked for. */
	bool exec_no_new_privs;			   /* --no-new-privs value */
	bool exec_no_new_privs_set;		   /* --no-new-privs given at all */
	const char *exec_caps[RUNC_ARGS_MAX_LIST]; /* each --cap/-c */
	size_t exec_caps_len;
	const char *exec_additional_gids[RUNC_ARGS_MAX_LIST]; /* each --additional-gids/-g */
	size_t exec_additional_gids_len;

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

#endif
