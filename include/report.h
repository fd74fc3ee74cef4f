/* SPDX-License-Identifier: Apache-2.0 */
/* The report: every decision the hardening took, in order, as structured
 * records. The diff's explanation lines, the runtime log, the refusal
 * message, the event log, the kernel audit record, `check` and `suggest` are
 * all views of these records; none of them reads another's text. */
#ifndef OCI_HARDEN_REPORT_H
#define OCI_HARDEN_REPORT_H

#include <stdbool.h>
#include <stddef.h>

#include "json.h"
#include "util.h"

enum decision_kind {
	DECISION_CHANGE, /* the spec was (or in audit mode would be) changed */
	DECISION_REFUSE, /* the container may not run */
	DECISION_WARN,	 /* nothing changed, but the operator should know */
};

/* What a policy would have to say for this decision not to be taken: the
 * policy key (as written in oci-harden-policy(5), "allow.host_paths",
 * "capabilities", "user.allow_root", ...) and the value that lifts it: for a
 * key that holds a list, an array of the items to add; for any other key,
 * the value to set. A decision no policy key can lift has no key. */
struct decision_lift {
	const char *key; /* static; a name with no byte JSON escapes (audit_trail.c) */
	struct json *value;
};

/* Where a decision's node was in the document read: its byte offset, or
 * DECISION_NO_OFFSET for a node the hardening made. */
#define DECISION_NO_OFFSET ((size_t)-1)

struct decision {
	enum decision_kind kind;
	const char *rule; /* static: the module that decided, e.g. "capabilities"; a name
			   * with no byte JSON escapes (audit_trail.c copies it) */
	char *path;	  /* JSON path, e.g. "process.capabilities.bounding" */
	size_t offset;
	/* The values themselves, rendered only by the views that print them.
	 * NULL: absent before (old) or removed or refused (new). */
	struct json *old_value;
	struct json *new_value;
	char *reason; /* one sentence, for people */
	struct decision_lift lift;
};

struct report {
	struct decision *items;
	size_t len, cap;
	char *policy_name;   /* the policy applied */
	char *policy_reason; /* why that policy was chosen */
	bool audit;	     /* decisions were recorded, not applied */
};

/* Append a decision, taking ownership of `old_value` and `new_value` (either
 * may be NULL); `path` and the reason are copied. Returns the new record, so
 * that the caller can set its lift and offset. */
struct decision *report_add(struct report *report, enum decision_kind kind, const char *rule,
			    const char *path, struct json *old_value, struct json *new_value,
			    const char *fmt, ...) __attribute__((format(printf, 7, 8)));

/* The same, taking `path` and `reason` as well, made already: a create may
 * record a thousand changes, and each copy is memory it touches. */
struct decision *report_add_taken(struct report *report, enum decision_kind kind, const char *rule,
				  char *path, struct json *old_value, struct json *new_value,
				  char *reason);

/* Set the decision's lift: `key` (static) and `value` (taken). */
void decision_set_lift(struct decision *decision, const char *key, struct json *value);

/* A lift that adds one string to a list key. */
void decision_set_lift_item(struct decision *decision, const char *key, const char *item);

size_t report_count(const struct report *report, enum decision_kind kind);
/* The first refusal, or NULL. */
const struct decision *report_first_refusal(const struct report *report);
void report_clear(struct report *report);
static inline void cleanup_reportp(struct report *r)
{
	report_clear(r);
}
#define cleanup_report _cleanup_(cleanup_reportp)

const char *decision_kind_name(enum decision_kind kind);
/* "rule: path: reason (old -> new)" on one line, for logs and diff output;
 * long values are shortened to their start and size. */
char *decision_to_string(const struct decision *decision);
/* "key += value" or "key: value", how the lift reads in a policy, or NULL
 * when no key lifts it. */
char *decision_lift_to_string(const struct decision *decision);

#endif
