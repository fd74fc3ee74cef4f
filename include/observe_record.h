/* SPDX-License-Identifier: Apache-2.0 */
/* What oci-harden and its observation helper remember of an observed
 * container between its create, its start and its delete: one small JSON
 * file per container under the state directory ("state_dir"/observe/),
 * keyed by the runtime's --root and the container id. oci-harden writes it
 * at create; its presence is what makes `start` and `delete` start the
 * helper (oci-harden-observe), which adds what it found at start (the
 * container's mount namespace, its root's layers) and removes the file when
 * it has written the observation to the event log. */
#ifndef OCI_HARDEN_OBSERVE_RECORD_H
#define OCI_HARDEN_OBSERVE_RECORD_H

#include <stdbool.h>
#include <stdint.h>

#include "errors.h"
#include "json.h"
#include "util.h"

struct observe_record {
	/* written at create */
	char *id, *root; /* the container id and the runtime's --root (NULL: default) */
	char *runtime;	 /* the real runtime's path: where its state is */
	char *bundle;	 /* absolute */
	char *rootfs;	 /* absolute */
	char *image;	 /* may be NULL */
	char *policy;	 /* the policy's name */
	char *mode;	 /* "audit" or "enforce" */
	char *created;	 /* ISO 8601 */
	struct json *seccomp_profile; /* audit: the policy's profile, NULL for none */
	/* added at start */
	bool started;
	uint64_t mntns; /* the id the kernel programs know it by */
	int64_t pid;
	int64_t start_boot_ns;
	int64_t start_realtime; /* CLOCK_REALTIME in ns */
	char *started_at;
	char *root_fstype, *upper;
	struct string_list lower;
	bool kernel;
	char *kernel_unavailable;
	char *syscalls_watched;
	uint32_t uid_start, gid_start;
	/* added at kill: what the container had written while it ran (an
	 * "observation" "writes" array), for what it removes as it stops */
	struct json *writes_seen;
};

/* The record's file: <state_dir>/observe/<hash of root>/<id>.json. */
char *observe_record_path(const char *state_dir, const char *root, const char *id);

/* An empty file beside the record (<id>.scan) of a container whose root
 * the helper scans for writes at `kill` (audit mode): `kill` tests for it
 * and starts no helper for the others, whose root is read-only. */
char *observe_record_scan_marker(const char *record_path);

/* Write it (atomically), creating the directories. */
int observe_record_write(const char *path, const struct observe_record *record, oh_error_t *err);

/* Read it back: 1 when it exists, 0 when it does not, -1 on error. */
int observe_record_read(const char *path, struct observe_record *record, oh_error_t *err);

void observe_record_clear(struct observe_record *record);

/* The directory of all records, for `suggest` reading live observations. */
char *observe_record_dir(const char *state_dir);

#endif
