/* SPDX-License-Identifier: Apache-2.0 */
/* The report: every decision the hardening took, in order. The diff, the log
 * lines, the refusal message and the audit records are all views of it. */
#ifndef OCI_HARDEN_REPORT_H
#define OCI_HARDEN_REPORT_H

#include <stdbool.h>
#include <stddef.h>

#include "util.h"

enum decision_kind {
	DECISION_CHANGE, /* the spec was (or in audit mode would be) changed */
	DECISION_REFUSE, /* the container may not run */
	DECISION_WARN,	 /* nothing changed, but the operator should know */
};

struct decision {
	enum decision_kind kind;
	const char *rule; /* static: the module that decided, e.g. "capabilities" */
	char *path;	  /* JSON path, e.g. "process.capabilities.bounding" */
	char *old_value;  /* compact JSON text, NULL when absent */
	char *new_value;  /* compact JSON text, NULL when removed or refused */
	char *reason;	  /* one sentence, for people */
	/* For a refusal a policy can lift: the entry of the policy's "allow"
	 * list for this rule that would lift it ("pid", "/var/run/docker.sock",
	 * "*"), for machines (oci-harden suggest). NULL otherwise. */
	char *allow_entry;
};

struct report {
	struct decision *items;
	size_t len, cap;
	char *policy_name;   /* the policy applied */
	char *policy_reason; /* why that policy was chosen */
	bool audit;	     /* decisions were recorded, not applied */
};

/* Append a decision; strings are copied, NULL allowed for values. */
void report_add(struct report *report, enum decision_kind kind, const char *rule, const char *path,
		const char *old_value, const char *new_value, const char *fmt, ...)
    __attribute__((format(printf, 7, 8)));

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
/* "rule: path: reason (old -> new)" on one line, for logs and diff output. */
char *decision_to_string(const struct decision *decision);

#endif
