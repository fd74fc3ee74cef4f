/* SPDX-License-Identifier: Apache-2.0 */
/* An OCI seccomp profile (linux.seccomp, runtime-spec config-linux.md
 * "Seccomp") as runc 1.1.5 and crun 1.8 turn it into a filter, and the merge
 * of a container's profile with a policy's.
 *
 * What the runtimes do with the fields, which the model follows (runc:
 * libcontainer/specconv/spec_linux.go SetupSeccomp and
 * libcontainer/seccomp/seccomp_linux.go; crun: src/libcrun/seccomp.c
 * libcrun_generate_seccomp). Both build the filter with libseccomp:
 *   - Each rule is added once per name, in the order of the profile. A rule
 *     whose action equals the default action is skipped. A name libseccomp
 *     does not know is skipped (runc logs it at debug level, crun warns).
 *   - A rule's conditions are ANDed, except that when two of them test the
 *     same argument, each condition becomes a rule of its own (ORed).
 *   - A syscall named by rules with different actions is decided by
 *     libseccomp's rule order: with libseccomp 2.5.4 the first unconditional
 *     rule wins over every later rule, an unconditional rule wins over
 *     conditional ones, and between conditional rules the order of the
 *     argument tests decides. The merged profile never relies on that: each
 *     syscall it names has one action, or rules whose conditions cannot
 *     both hold.
 *   - A rule's errno is its errnoRet, else EPERM (not defaultErrnoRet); the
 *     default action's is defaultErrnoRet, else EPERM. libseccomp keeps the
 *     low 16 bits. SCMP_ACT_KILL is SCMP_ACT_KILL_THREAD.
 *   - Architectures add to the native one, which the filter always has; a
 *     syscall of any other architecture kills the thread (libseccomp's
 *     default bad-architecture action, which neither runtime changes).
 *   - runc 1.1.5 refuses any flag ("seccomp flags are not yet supported");
 *     crun takes TSYNC, LOG, SPEC_ALLOW and WAIT_KILLABLE_RECV, and when the
 *     profile has no "flags" at all it sets SPEC_ALLOW itself.
 *   - A profile with no defaultAction and no syscalls is no filter at all
 *     for runc. */
#ifndef OCI_HARDEN_SECCOMP_PROFILE_H
#define OCI_HARDEN_SECCOMP_PROFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "errors.h"
#include "json.h"
#include "util.h"

/* What an action does to the syscall it matches. SCMP_ACT_LOG lets it
 * through (and logs it); a notify agent or a tracer decides elsewhere, and
 * can turn a denial into an allow. */
enum seccomp_action_class {
	SECCOMP_ALLOWS,
	SECCOMP_DENIES,
	SECCOMP_DEFERS,
};

enum seccomp_action_code {
	SECCOMP_ACT_ALLOW,
	SECCOMP_ACT_LOG,
	SECCOMP_ACT_ERRNO,
	SECCOMP_ACT_KILL_THREAD,
	SECCOMP_ACT_KILL_PROCESS,
	SECCOMP_ACT_TRAP,
	SECCOMP_ACT_TRACE,
	SECCOMP_ACT_NOTIFY,
	SECCOMP_ACT_UNKNOWN, /* a name neither runtime knows; judged by name */
};

struct seccomp_action {
	enum seccomp_action_code code;
	uint16_t data;	  /* the errno of ERRNO and TRACE, as libseccomp keeps it */
	const char *name; /* as written: "SCMP_ACT_KILL"; not part of equality */
};

enum seccomp_op {
	SECCOMP_OP_NE,
	SECCOMP_OP_LT,
	SECCOMP_OP_LE,
	SECCOMP_OP_EQ,
	SECCOMP_OP_GE,
	SECCOMP_OP_GT,
	SECCOMP_OP_MASKED_EQ, /* (argument & value) == valueTwo */
	SECCOMP_OP_UNKNOWN,
};

/* Linux system calls have at most six arguments: index 0 to 5. */
#define SECCOMP_MAX_ARGS 6

struct seccomp_cond {
	uint8_t index;
	enum seccomp_op op;
	bool value_two_written;
	uint64_t value, value_two;
	const char *op_name; /* as written, or the table's name */
};

/* Conditions that all hold: at most one per argument, in index order. */
struct seccomp_condset {
	struct seccomp_cond conds[SECCOMP_MAX_ARGS];
	uint8_t len;
};

/* One rule as the runtimes add it: a rule of the profile whose conditions
 * test one argument twice is split into one rule per condition. */
struct seccomp_rule {
	struct seccomp_action action;
	struct seccomp_condset set;
	size_t source; /* its index in "syscalls" */
};

/* A name of a rule, pointing at the normalized rule it names (one name of
 * a split rule mentions each part). */
struct seccomp_mention {
	const char *name;
	uint32_t rule;
	/* The name's node in the profile read, which a merge may take for
	 * the merged profile; NULL in the compiled-in model. */
	struct json **node;
};

struct seccomp_profile {
	/* The profile read, and its "syscalls" array (NULL when absent);
	 * both NULL for the compiled-in model of the embedded profile. */
	const struct json *node;
	const struct json *syscalls;
	bool has_default_action; /* a non-empty defaultAction */
	struct seccomp_action default_action;
	bool has_default_errno; /* defaultErrnoRet, as written */
	uint32_t default_errno;
	const char **architectures; /* as listed; NULL when the profile lists none */
	size_t architectures_len;
	struct seccomp_rule *rules;
	size_t rules_len, rules_cap;
	struct seccomp_mention *mentions;
	size_t mentions_len, mentions_cap;
};

/* The model of the embedded default profile (policies/seccomp/default.json),
 * made at build time by seccomp_profile_read itself (src/seccomp_model_gen.c),
 * so that a merge need not parse it. */
extern struct seccomp_profile embedded_default_seccomp_model;

/* The embedded default profile itself, as a frozen tree (json.h) whose
 * compact text is exactly what a policy holds of it: installed without a
 * parse, and written by copying that text (seccomp_model_gen.c). */
extern struct json_frozen embedded_default_seccomp_tree;

/* Read a profile whose shape the spec allows, else an error naming `path`
 * (the profile's JSON path) and the member. Unknown actions and operators
 * are read (SECCOMP_ACT_UNKNOWN, SECCOMP_OP_UNKNOWN): judging them is the
 * caller's. The profile points into `node`, which must outlive it. */
int seccomp_profile_read(const struct json *node, const char *path, struct seccomp_profile *out,
			 oh_error_t *err);
void seccomp_profile_clear(struct seccomp_profile *profile);

/* The action of a known or unknown name, with `errno_ret` for the actions
 * that carry one. */
struct seccomp_action seccomp_action_from_name(const char *name, uint64_t errno_ret);

static inline bool seccomp_action_has_errno(enum seccomp_action_code code)
{
	return code == SECCOMP_ACT_ERRNO || code == SECCOMP_ACT_TRACE;
}

static inline enum seccomp_action_class seccomp_action_class(const struct seccomp_action *action)
{
	switch (action->code) {
	case SECCOMP_ACT_ALLOW:
	case SECCOMP_ACT_LOG:
		return SECCOMP_ALLOWS;
	case SECCOMP_ACT_ERRNO:
	case SECCOMP_ACT_KILL_THREAD:
	case SECCOMP_ACT_KILL_PROCESS:
	case SECCOMP_ACT_TRAP:
		return SECCOMP_DENIES;
	case SECCOMP_ACT_TRACE:
	case SECCOMP_ACT_NOTIFY:
	case SECCOMP_ACT_UNKNOWN:
		break;
	}
	return SECCOMP_DEFERS;
}

static inline bool seccomp_action_equal(const struct seccomp_action *a,
					const struct seccomp_action *b)
{
	if (a->code != b->code || a->data != b->data)
		return false;
	return a->code != SECCOMP_ACT_UNKNOWN || strcmp(a->name, b->name) == 0;
}

/* The OCI name of the architecture this binary runs on (the one every
 * filter has), or NULL where the model does not know it. */
const char *seccomp_native_architecture(void);

/* The syscalls of the native architecture as libseccomp knew them at build
 * time (sorted; src/seccomp_model_gen.c), and whether `name` is one. */
extern const char *const seccomp_native_syscall_names[];
extern const size_t seccomp_native_syscall_names_len;
bool seccomp_native_syscall(const char *name);

/* ---- the merge ------------------------------------------------------------
 *
 * seccomp_profile_merge: the filter the container gets, from its own profile and the
 * policy's. It never allows a syscall the policy's profile denies, and denies
 * everything the container's own profile denied; see seccomp_merge.c for the
 * rules, and oci-harden-policy(5). */

/* Why a syscall's treatment changed. */
enum seccomp_change_reason {
	SECCOMP_CHANGE_DENIED,	     /* the policy's profile denies it */
	SECCOMP_CHANGE_CONDITIONED,  /* the policy's argument conditions now apply */
	SECCOMP_CHANGE_UNCOMBINABLE, /* both sides condition it; the mix cannot be written */
	SECCOMP_CHANGE_DEFAULT_LOST, /* denied under conditions with an allowing default */
	SECCOMP_CHANGE_CONTESTED,    /* named under actions whose conditions may overlap */
	/* Any of those, for a name that is no syscall of the architecture of
	 * a filter for the native one alone (chown32 on x86_64): it filters
	 * nothing either way, and is not worth a policy key. */
	SECCOMP_CHANGE_NOT_NATIVE,
	SECCOMP_CHANGE_REASONS,
};

struct seccomp_merged {
	/* Whether anything changes; when not, the container's profile stays
	 * byte for byte. */
	bool changed;
	bool default_changed;
	struct seccomp_action default_action; /* the merged one */
	bool has_default_errno;		      /* and its defaultErrnoRet */
	uint32_t default_errno;
	/* The architectures the merged profile lists (NULL: unchanged), and
	 * those taken away. */
	struct json *architectures;
	struct string_list architectures_removed;
	/* The merged "syscalls" (NULL: unchanged). */
	struct json *syscalls;
	/* For each reason, the names whose treatment changed, in the order of
	 * the profiles, and their rules before and after ("syscalls" arrays;
	 * a name that falls to the default action has a rule with it). Where
	 * the merged filter is for the native architecture alone, names that
	 * are no syscall of it are left out: they filter nothing either way. */
	struct string_list changed_names[SECCOMP_CHANGE_REASONS];
	struct json *changed_old[SECCOMP_CHANGE_REASONS];
	struct json *changed_new[SECCOMP_CHANGE_REASONS];
};

/* Merge `container` with `policy`, treating the names in `allow_syscalls`
 * (may be NULL) as allowed by the policy whatever its profile says. With
 * `take_names`, the merged "syscalls" takes the container's name nodes
 * instead of copying them, leaving NULL in their place: the container's
 * "syscalls" is then only good for freeing. */
void seccomp_profile_merge(const struct seccomp_profile *container,
			   const struct seccomp_profile *policy,
			   const struct string_list *allow_syscalls, bool take_names,
			   struct seccomp_merged *out);
void seccomp_merged_clear(struct seccomp_merged *merge);

#endif
