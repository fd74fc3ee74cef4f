/* SPDX-License-Identifier: Apache-2.0 */
/* Event-log lines (audit_trail.c, format "v": 1) as Kubernetes Events
 * (core/v1 Event) on the pod they concern, so that `kubectl describe pod`
 * shows what oci-harden refused, and what audit mode would have refused or
 * changed. Pure: a line in, an Event object out; `oci-harden k8s-events`
 * reads the log and prints them. */
#ifndef OCI_HARDEN_K8S_EVENT_H
#define OCI_HARDEN_K8S_EVENT_H

#include <stddef.h>

#include "errors.h"
#include "json.h"

/* What earlier lines taught: the pod of each container id (an exec line
 * names the container only; its create line named the pod). Bounded: the
 * oldest are forgotten first. */
struct k8s_event_context {
	struct k8s_event_pod {
		char *container_id;
		struct json *pod; /* the line's "pod" object */
	} * pods;
	size_t len, cap, next;
};

void k8s_event_context_clear(struct k8s_event_context *ctx);

/* Learn from `line` and, when it is a refusal, an error or an audit-mode
 * decision on a known pod, make the Event (*event, owned). Returns 1 with
 * an Event, 0 for a line that makes none (a container hardened as meant, a
 * container of no pod), -1 for a line that is not an event-log line of a
 * version this reads. `node` names the reporting node. */
int k8s_event_from_line(const char *line, size_t len, const char *node,
			struct k8s_event_context *ctx, struct json **event, oh_error_t *err);

#endif
