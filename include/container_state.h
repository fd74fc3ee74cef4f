/* SPDX-License-Identifier: Apache-2.0 */
/* What oci-harden remembers of a container between its create and its
 * execs: the policy it was created under, its image, and what an exec is
 * built from and judged against (the container's hardened process, its user
 * namespace and id mappings). One small file per container, under the
 * state directory (settings "state_dir", default /run/oci-harden, a tmpfs),
 * in a directory per runtime state directory (--root, or the runtime's
 * default), written at create, removed at delete.
 *
 * A record must never outlive its container nor speak for another one that
 * reuses the id. runc and crun remove a container's state themselves,
 * without a `delete` oci-harden would see, when a foreground `run` ends or a
 * create fails. So:
 *   - each save removes the records of containers that no longer exist (no
 *     <runtime root>/<id> and the process that created it gone), looking at
 *     a bounded number of records per call;
 *   - a record holds when it was written and the bundle's identity, and is
 *     bound, at the first exec, to the creation time the runtime keeps
 *     (runtime_state.h); an exec checks it against the runtime's state and
 *     a record that does not match is removed and not used. */
#ifndef OCI_HARDEN_CONTAINER_STATE_H
#define OCI_HARDEN_CONTAINER_STATE_H

#include <sys/types.h>

#include "errors.h"
#include "json.h"
#include "policy.h"

/* Where the records of one runtime state directory live. */
struct container_place {
	const char *state_dir;	  /* settings "state_dir" */
	const char *runtime_root; /* the runtime's state directory, absolute */
};

/* What a create saves. */
struct container_created {
	const char *id;
	const struct policy *policy;
	const char *image;	 /* fully qualified, or NULL */
	const struct json *spec; /* the config as hardened (in audit mode: as enforce would) */
	/* json_write's text of spec's process, when at hand (the config as
	 * written back holds it), else NULL. */
	const char *process_text;
	size_t process_len;
	dev_t bundle_dev; /* the bundle directory's identity */
	ino_t bundle_ino;
};

/* Save the record of a container being created, then clean up after
 * containers that are gone (bounded work). */
int container_state_save(const struct container_place *place, const struct container_created *c,
			 oh_error_t *err);

struct container_record {
	struct policy *policy;
	char *image; /* NULL when none */
	/* What harden_process judges an exec against: {"process": the
	 * container's hardened process, "linux": {"namespaces": its user
	 * namespace, "uidMappings", "gidMappings"}}. Points into `doc`. */
	const struct json *container;
	struct json *doc; /* the record as read */
};
void container_record_clear(struct container_record *record);
static inline void cleanup_container_recordp(struct container_record *r)
{
	container_record_clear(r);
}
#define cleanup_container_record _cleanup_(cleanup_container_recordp)

/* The record of the container that has id `id` now. Returns 1 with
 * *record set; 0 when there is none that holds, with *why_none (caller
 * frees) saying why: none was written, or the one written belongs to a
 * container that is gone or to an earlier one with this id (it is removed);
 * -1 on error (a record that exists but cannot be read: fail closed). */
int container_state_load(const struct container_place *place, const char *id,
			 struct container_record *record, char **why_none, oh_error_t *err);

/* Forget the container; a missing record is fine. */
void container_state_remove(const struct container_place *place, const char *id);

/* Forget, with bounded work, the records of the runtime root's containers
 * that are gone: at `list`, which asks which containers the root has. A
 * create that the runtime itself failed, or a foreground `run` whose
 * container exited, is followed by no `delete`, and a test suite's
 * teardown lists before it deletes. */
void container_state_forget_gone(const struct container_place *place);

/* Whether `id` is a container id runc accepts (and so a safe file name). */
bool container_id_is_valid(const char *id);

/* Records older than this that the runtime's state does not match in time
 * are not trusted: a create does not take this long. */
#define CONTAINER_STATE_CREATE_WINDOW_SECONDS 600

#endif
