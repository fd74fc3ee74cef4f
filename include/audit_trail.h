/* SPDX-License-Identifier: Apache-2.0 */
/* The record of what oci-harden decided, for security teams: one line per
 * create or exec in the event log (JSON, every decision), and one kernel
 * audit record (a user-space AUDIT_VIRT_CONTROL message that auditd and
 * ausearch read) with its summary. Neither ever decides whether a container
 * runs: a failure to record is a warning in runc's --log file. See
 * oci-harden(8), AUDIT TRAIL. */
#ifndef OCI_HARDEN_AUDIT_TRAIL_H
#define OCI_HARDEN_AUDIT_TRAIL_H

#include <time.h>

#include "policy.h"
#include "report.h"
#include "runtime_log.h"

/* The kernel's user-space message type for a virtualisation manager's
 * control action (linux/audit.h): what ausearch -m VIRT_CONTROL finds. */
#define AUDIT_TRAIL_MESSAGE_TYPE 2500

struct audit_trail_event {
	const char *command;	  /* "create", "run", "restore", "exec" */
	const char *container_id; /* may be NULL */
	const char *bundle;	  /* may be NULL (exec) */
	const char *image;	  /* fully qualified, may be NULL */
	const char *error;	  /* set when oci-harden failed before deciding */
	/* The CRI's pod of the container, may be NULL. */
	const struct pod_identity *pod;
};

/* The version of the event log's line format ("v"): raised when a member
 * changes meaning or goes away, not when one is added. */
#define AUDIT_TRAIL_EVENT_VERSION 1

/* "hardened", "unchanged", "audited", "refused" or "error". */
const char *audit_trail_outcome(const struct audit_trail_event *event, const struct report *report);

/* The event log line (without the newline): time, container, bundle, image,
 * policy and why, mode, outcome, and every decision with rule, JSON path,
 * old and new values. Pure. */
char *audit_trail_event_line(const struct audit_trail_event *event, const struct report *report,
			     const struct timespec *now);

/* The kernel audit message text: key=value fields, untrusted values
 * hex-encoded where they hold blanks, quotes or control characters, as
 * libaudit's audit_encode_nv_string does. Pure. */
char *audit_trail_kernel_message(const struct audit_trail_event *event,
				 const struct report *report);

/* Append one line to the event log `path` (creating its directory), with
 * one write(2) under O_APPEND: lines of concurrent writers never mix. */
int audit_trail_append(const char *path, const char *line, oh_error_t *err);

/* Record the event: append the line to `event_log_path` (one write(2) with
 * O_APPEND, so concurrent creates never interleave) and, with
 * `kernel_audit`, hand the kernel message to the kernel (one sendto(2) on a
 * netlink audit socket, nothing waited for). Failures become warnings in
 * `log`. */
void audit_trail_record(const struct audit_trail_event *event, const struct report *report,
			const char *event_log_path, bool kernel_audit,
			const struct runtime_log *log);

#endif
