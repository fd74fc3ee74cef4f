/* SPDX-License-Identifier: Apache-2.0 */
/* What a container wrote to its root filesystem, read from the filesystem
 * itself after the fact: what would need a tmpfs or a volume once the root
 * is read-only. For an overlay root (containerd, Docker and Podman all make
 * one) the writable layer, its upperdir, holds exactly what changed, and the
 * lower layers say whether it was there before; for a root that is a plain
 * directory, whatever changed since the container started (ctime, which no
 * program can set back) is what it wrote, and its birth time says whether
 * it made it. Entries from before the start, and the config's mount
 * destinations (the mountpoints the runtime makes, in `run` after the start
 * was seen), are not the workload's. Writes to volumes and to tmpfs
 * mounts are not in the root, and so not here. */
#ifndef OCI_HARDEN_OBSERVE_WRITES_H
#define OCI_HARDEN_OBSERVE_WRITES_H

#include <stdint.h>

#include "errors.h"
#include "observation.h"
#include "observe_record.h"

/* The root filesystem of a container as the host sees it at start: its
 * filesystem type and, for an overlay, its upper and lower directories
 * (from /proc/self/mountinfo). */
int observe_writes_root(const char *rootfs, char **fstype, char **upper, struct string_list *lower,
			oh_error_t *err);

/* Add what changed since the record's start to o->writes, and set
 * o->writes_source (or o->writes_unavailable). At most `max` entries;
 * beyond that o->complete becomes false. */
void observe_writes_scan(const struct observe_record *record, struct observation *o, size_t max);

#endif
