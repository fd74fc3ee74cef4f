/* SPDX-License-Identifier: Apache-2.0 */
/* What was observed of one container while it ran: the "observation" of an
 * event-log line (oci-harden(8), OBSERVATION). oci-harden-observe fills it
 * from the kernel and the container's writable layer; `suggest` and `check`
 * read it back. One representation, written and read here. Pure. */
#ifndef OCI_HARDEN_OBSERVATION_H
#define OCI_HARDEN_OBSERVATION_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "errors.h"
#include "json.h"

/* Who did it and when: the first time it was seen. */
struct observation_seen {
	char *time; /* ISO 8601, UTC */
	int64_t pid;
	char *comm;
	int64_t uid, euid; /* -1: unknown */
};

struct observation_capability {
	char *name;    /* "CAP_CHOWN" */
	char *syscall; /* for a denial: the syscall it failed, or NULL */
	int64_t error;
	struct observation_seen seen;
};

struct observation_syscall {
	char *name; /* "personality", or "syscall 999" */
	int64_t nr;
	char *action;  /* what the policy's profile does to it: "SCMP_ACT_ERRNO" */
	int64_t error; /* the errno it answers with, 0 for none */
	bool has_args;
	uint64_t args[6];
	struct observation_seen seen;
};

enum observation_write_kind {
	OBSERVATION_CREATED,  /* not in the image: made by the container */
	OBSERVATION_MODIFIED, /* in the image, changed (content or metadata) */
	OBSERVATION_DELETED,  /* in the image, removed */
};

struct observation_write {
	char *path; /* as the container sees it */
	char *type; /* "file", "directory", "symlink", "socket", "fifo", "device" */
	enum observation_write_kind kind;
	char *time;	  /* when it last changed */
	int64_t uid, gid; /* its owner */
	bool gone;	  /* seen while it ran, removed by the end (a pid file) */
};

struct observation_refusal {
	char *path;
	char *syscall;
	int64_t error;
	struct observation_seen seen;
};

struct observation_ids {
	uint32_t uid, gid, euid, egid;
	char *how; /* "exec": ran a program with them; "setid": switched to them */
	struct observation_seen seen;
};

struct observation_exec {
	char *path;
	char *origin;	  /* for a foreign exec: "other mount", "upper layer", "changed" */
	char *filesystem; /* "tmpfs", "overlay", ... */
	int64_t error;	  /* for a refused exec */
	struct observation_seen seen;
};

/* A growable list of items of one kind. */
#define OBSERVATION_LIST(name, type)                                                               \
	struct name {                                                                              \
		type *items;                                                                       \
		size_t len, cap;                                                                   \
	}
OBSERVATION_LIST(observation_capabilities, struct observation_capability);
OBSERVATION_LIST(observation_syscalls, struct observation_syscall);
OBSERVATION_LIST(observation_writes, struct observation_write);
OBSERVATION_LIST(observation_refusals, struct observation_refusal);
OBSERVATION_LIST(observation_id_list, struct observation_ids);
OBSERVATION_LIST(observation_execs, struct observation_exec);

struct observation {
	/* The kernel side (eBPF) ran for this container; when not, why not:
	 * then only what `writes_source` names is known. */
	bool kernel;
	char *kernel_unavailable;
	/* Syscall-level observation: "always", "first N s", or "none". */
	char *syscalls_watched;
	/* Where writes were seen: "overlay upper layer", "root filesystem
	 * (changed since start)", or NULL when they could not be. */
	char *writes_source;
	char *writes_unavailable;
	char *mode; /* "audit" or "enforce" */
	char *started, *ended;
	bool complete; /* false when the kernel's maps were full */

	struct {
		bool known;
		int64_t pid;
		uint32_t uid_start, gid_start, uid_end, gid_end;
		bool switched;
	} init;

	struct observation_capabilities capabilities;
	struct observation_capabilities capabilities_denied;
	struct observation_syscalls syscalls;
	struct observation_syscalls syscalls_denied;
	struct observation_writes writes;
	struct observation_refusals writes_refused;
	struct observation_id_list ids;
	struct observation_execs execs_privileged;
	struct observation_execs execs_foreign;
	struct observation_execs execs_refused;
};

/* Append a zeroed item to one of the lists and return it. */
#define observation_list_add(list)                                                                 \
	({                                                                                         \
		(list)->items =                                                                    \
		    xgrow((list)->items, &(list)->cap, (list)->len + 1, sizeof(*(list)->items));   \
		memset(&(list)->items[(list)->len], 0, sizeof(*(list)->items));                    \
		&(list)->items[(list)->len++];                                                     \
	})

struct json *observation_to_json(const struct observation *o);
/* Read an "observation" object. Members it does not know are ignored (a
 * newer oci-harden may add some); a member of the wrong type is an error
 * naming it. */
int observation_from_json(const struct json *doc, struct observation *out, oh_error_t *err);
void observation_clear(struct observation *o);

/* The "writes" list alone, to and from JSON (appended to o->writes). */
struct json *observation_writes_to_json(const struct observation *o);
int observation_writes_from_json(const struct json *writes, struct observation *o, oh_error_t *err);

const char *observation_write_kind_name(enum observation_write_kind kind);

/* What enforce mode denied the container, as one clause per denial
 * ("the read-only root refused mkdir /var/lib/nginx/body; seccomp denied
 * unshare (errno 1)"), the first `max` of them; NULL when nothing was. */
char *observation_denials(const struct observation *o, size_t max);

#endif
