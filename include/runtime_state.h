/* SPDX-License-Identifier: Apache-2.0 */
/* What the real runtime keeps of a container, read to tell whether a record
 * of oci-harden's (container_state.h) belongs to the container that has its
 * id now. runc 1.1.5 keeps <root>/<id>/state.json (libcontainer's State:
 * "created", RFC 3339 in UTC with nanoseconds, set once when the container
 * is created; the bundle as the label "bundle=<dir>" in "config"."labels");
 * crun 1.8 keeps <root>/<id>/status ("created", with microseconds, and
 * "bundle"). Both remove <root>/<id> when the container is deleted, by
 * `delete` or by a foreground `run` whose container exits. */
#ifndef OCI_HARDEN_RUNTIME_STATE_H
#define OCI_HARDEN_RUNTIME_STATE_H

#include <stdbool.h>
#include <stdint.h>

#include "errors.h"

struct runtime_state {
	char *created;	    /* as the runtime wrote it */
	int64_t created_ns; /* since the epoch; -1 when it cannot be read as a time */
	char *bundle;	    /* when asked for and found, else NULL */
};
void runtime_state_clear(struct runtime_state *state);

enum runtime_state_found {
	RUNTIME_STATE_NONE,	/* no <root>/<id>: no such container */
	RUNTIME_STATE_CREATING, /* <root>/<id> but no state file yet */
	RUNTIME_STATE_FOUND,
};

/* Read container `id`'s state under the runtime's state directory
 * `runtime_root`. Only the beginning of runc's state.json is read unless
 * `want_bundle`. -1 on a state that exists but cannot be read. */
int runtime_state_read(const char *runtime_root, const char *id, bool want_bundle,
		       enum runtime_state_found *found, struct runtime_state *out, oh_error_t *err);

/* Whether <runtime_root>/<id> exists (the container may be being created:
 * a state file comes later). */
bool runtime_state_exists(const char *runtime_root, const char *id);

/* The state directory `runtime` (a path; runc, or crun by its name) uses
 * without --root: runc 1.1.5 /run/runc, or $XDG_RUNTIME_DIR/runc for a
 * non-root caller (main.go, shouldHonorXDGRuntimeDir); crun 1.8
 * $XDG_RUNTIME_DIR/crun whenever that is set, else /run/crun (status.c,
 * get_run_directory). */
char *runtime_default_root(const char *runtime);

/* An RFC 3339 UTC time as the runtimes write "created"
 * ("2023-04-01T10:20:30.123456789Z"), in nanoseconds since the epoch; false
 * for anything else. */
bool runtime_time_parse(const char *text, int64_t *ns);

#endif
