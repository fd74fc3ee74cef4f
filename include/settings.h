/* SPDX-License-Identifier: Apache-2.0 */
/* oci-harden's own configuration: /etc/oci-harden/config.json, or the file
 * named by $OCI_HARDEN_CONFIG. A missing file means the defaults; a broken
 * one is an error. See oci-harden.json(5). */
#ifndef OCI_HARDEN_SETTINGS_H
#define OCI_HARDEN_SETTINGS_H

#include <stdbool.h>

#include "errors.h"
#include "policy.h"

#define SETTINGS_DEFAULT_PATH	     "/etc/oci-harden/config.json"
#define SETTINGS_DEFAULT_POLICY_DIR  "/etc/oci-harden/policies"
#define SETTINGS_ENV		     "OCI_HARDEN_CONFIG"
#define SETTINGS_DEFAULT_STATE_DIR   "/run/oci-harden"
#define SETTINGS_DEFAULT_EVENT_LOG   "/var/log/oci-harden/events.log"
#define SETTINGS_DEFAULT_OBSERVE_DIR "/sys/fs/bpf/oci-harden"

/* "observe": which containers are observed while they run (oci-harden(8),
 * OBSERVATION). */
enum settings_observe {
	SETTINGS_OBSERVE_ALL,	/* audit mode fully; enforce mode: denials, drift */
	SETTINGS_OBSERVE_AUDIT, /* audit-mode containers only */
	SETTINGS_OBSERVE_NONE,
};

struct settings {
	char *source;	      /* the file read, or NULL when none existed */
	char *runtime;	      /* "runtime": path of the real runtime, NULL to search PATH */
	char *policy_dir;     /* "policy_dir" */
	char *default_policy; /* "default_policy": for containers no policy's images match */
	char *state_dir;      /* "state_dir": see container_state.h */
	char *sandbox_policy; /* "sandbox_policy": for CRI pod sandboxes (no image) */
	char *event_log;      /* "event_log": one JSON line per create and exec */
	bool kernel_audit;    /* "kernel_audit": a kernel audit record per create and exec */
	/* "trust_image_annotations": "cri", "always" or "never" */
	enum identity_trust trust_image_annotations;
	enum settings_observe observe; /* "observe" */
	char *observe_dir;	       /* "observe_dir": where the BPF objects are pinned */
	/* "observe_startup_seconds": how long an enforce-mode container's
	 * syscalls are watched after it starts (its denials, refused writes) */
	unsigned observe_startup_seconds;
	/* "observe_enforce_syscalls": "failing" (false): only where the last
	 * container of its image and policy broke at start; "always" (true) */
	bool observe_enforce_syscalls_always;
	/* "docker_data_root": where dockerd keeps its container records, whose
	 * image names select per-image policies; NULL: not read */
	char *docker_data_root;
};

int settings_load(struct settings *out, oh_error_t *err);
/* The settings in `text` (a file's content; `path` names it in messages and
 * becomes `source`). */
int settings_parse(const char *text, size_t len, const char *path, struct settings *out,
		   oh_error_t *err);
void settings_clear(struct settings *settings);
static inline void cleanup_settingsp(struct settings *s)
{
	settings_clear(s);
}
#define cleanup_settings _cleanup_(cleanup_settingsp)

/* The real runtime to exec: settings->runtime, else the first "runc" on
 * $PATH that is not this very binary (compared by device and inode, so that
 * a symlink named runc pointing at oci-harden cannot make it exec itself). */
int settings_resolve_runtime(const struct settings *settings, char **path, oh_error_t *err);

/* Resolve "policy_dir" once, for a create or exec: every policy file it
 * reads then comes from the one directory the path named at that moment,
 * even while `oci-harden sync-policies` renames the link to another set
 * (it keeps the set it replaced). A directory that does not exist stays as
 * named. */
void settings_pin_policy_dir(struct settings *settings);

#endif
