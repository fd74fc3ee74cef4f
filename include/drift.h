/* SPDX-License-Identifier: Apache-2.0 */
/* Drift (issue 16, detection): a program run in a container that is not
 * from its image's read-only layers (a file written to a tmpfs, a volume or
 * the writable layer, or a memfd). Observation sees each such exec; this
 * makes of it one "command": "drift" line of the event log, and a sentence
 * for the runtime log. In audit mode it is what enforce mode would refuse;
 * in enforce mode an attempt, which ran (its mount was not noexec) or was
 * refused (noexec). Pure: the caller reads the spec and
 * writes the lines. */
#ifndef OCI_HARDEN_DRIFT_H
#define OCI_HARDEN_DRIFT_H

#include "json.h"
#include "observation.h"

struct drift_container {
	const char *id;
	const char *image;  /* may be NULL */
	const char *policy; /* may be NULL */
	const char *mode;   /* "audit" or "enforce" */
	/* The config the runtime was given (hardened in enforce mode), or NULL:
	 * its writable mounts tell which refused execs were drift. */
	const struct json *spec;
};

/* The drift events of one container's observation, as an array of
 * event-log objects ("time" is `now`): one per file run that is not from
 * the image's layers and, in enforce mode, one per refused exec of a file
 * on a writable mount or of a memfd. An empty array when there is none. */
struct json *drift_events(const struct drift_container *c, const struct observation *o,
			  const char *now);

/* The mount of `spec` whose destination holds `path` when it is writable
 * (a tmpfs, or a bind mount without "ro"), else NULL. */
const struct json *drift_writable_mount(const struct json *spec, const char *path);

/* One event as a sentence for the runtime log. */
char *drift_event_sentence(const struct json *event);

#endif
