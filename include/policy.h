/* SPDX-License-Identifier: Apache-2.0 */
/* A hardening policy: what the modules enforce. Loaded from the policy
 * language (policies/default.json is the embedded default, see
 * oci-harden-policy(5)); a policy that extends another starts as a copy of it
 * and overrides the keys it sets. */
#ifndef OCI_HARDEN_POLICY_H
#define OCI_HARDEN_POLICY_H

#include <stdbool.h>
#include <stdint.h>

#include "diagnostics.h"
#include "errors.h"
#include "json.h"
#include "util.h"

enum policy_mode {
	POLICY_ENFORCE,
	POLICY_AUDIT,
};

enum seccomp_replace {
	SECCOMP_REPLACE_MISSING, /* install when absent or when it lets everything through */
	SECCOMP_REPLACE_ALWAYS,
};

struct policy_rlimit {
	char *type; /* "RLIMIT_NOFILE" */
	uint64_t soft, hard;
};

struct policy_allow {
	struct string_list host_namespaces; /* "pid", "network", ... */
	struct string_list host_paths;	    /* globs, "PATTERN:ro" for read-only only */
	struct string_list devices;	    /* device paths, or "*" */
	struct string_list hooks;	    /* executable paths (globs) */
	struct string_list sysctls;	    /* names (globs) */
	struct string_list fields;	    /* spec model paths (globs), see spec_model.h */
	struct string_list annotations;	    /* annotation keys a runtime acts on (globs) */
	struct string_list mount_types;	    /* filesystem types beyond the safe list */
	struct string_list seccomp;	    /* seccomp actions, flags, "listenerPath" */
	struct string_list root_paths;	    /* where root.path may be besides the bundle (globs) */
	bool restore;			    /* `restore` may run (CRIU restores credentials) */
	/* Mount destinations (globs) where a writable mount keeps exec, "/"
	 * for a writable root; and whether memfds may be executed. */
	struct string_list exec_paths;
	bool exec_memfd;
};

struct policy {
	char *name;   /* file name without .json; "default" for the embedded one */
	char *source; /* the file it came from, or "(embedded)" */
	char *extends;
	struct string_list images;
	enum policy_mode mode;

	struct string_list capabilities; /* the allowlist, canonical "CAP_..." names */

	bool allow_root;
	uint32_t uid, gid; /* what uid 0 and gid 0 become */

	bool no_new_privileges;
	bool readonly_rootfs;
	struct string_list tmpfs; /* paths that get a nosuid,nodev tmpfs */

	char *seccomp_profile_name; /* as written in the policy */
	/* The profile's JSON text, NULL for none. It is parsed only when a
	 * container needs it installed (policy_seccomp_profile): most of a
	 * create's work would otherwise be parsing a profile it then drops. */
	char *seccomp_profile_text;
	size_t seccomp_profile_len;
	/* The file a profile that is not embedded comes from. The loader, which
	 * does no I/O, only names it; the edge (policy_file_load) reads and
	 * checks it, and a policy is not used before it has. */
	char *seccomp_profile_file;
	enum seccomp_replace seccomp_replace;
	/* Syscalls the policy treats as allowed on top of its profile: a
	 * container's own profile keeps its rules for them (seccomp.c). */
	struct string_list seccomp_allow_syscalls;

	char *apparmor_profile; /* NULL or "" for none */
	bool apparmor_required;

	int64_t pids_limit; /* 0 for none */
	struct policy_rlimit *rlimits;
	size_t rlimits_len;

	struct policy_allow allow;
};

/* Where a policy's seccomp profile names resolve: "default" is the embedded
 * profile; any other name is "<policy_dir>/seccomp/<name>.json", or a path
 * relative to policy_dir when it contains a '/'. */
struct policy_load_context {
	const char *policy_dir; /* NULL: only embedded names resolve */
};

/* Read a policy from its parsed JSON, recording every problem of it in
 * `diagnostics` (offsets are the document's): unknown and repeated keys,
 * values the language refuses. `base` (may be NULL) is the policy it
 * extends; the result starts as a copy of it. Returns the policy as far as
 * it reads: use it only when no error was recorded. `source` names the
 * file. */
struct policy *policy_load_json_diagnosed(const struct json *doc, const char *name,
					  const char *source, const struct policy *base,
					  const struct policy_load_context *lctx,
					  struct diagnostics *diagnostics);

/* The same, for a policy that must load: the first error recorded becomes
 * `err` ("JSON-PATH: reason"). */
int policy_load_json(const struct json *doc, const char *name, const char *source,
		     const struct policy *base, const struct policy_load_context *lctx,
		     struct policy **out, oh_error_t *err);

/* The keys the policy language knows in the object at `object_path` (""
 * for the top level, "user", "seccomp", "apparmor", "allow"), for linting;
 * NULL past the last key or for any other path. */
const char *policy_known_key(const char *object_path, size_t index);

/* The file a seccomp profile name other than "default" (the embedded one)
 * stands for, in `policy_dir`: "seccomp/<name>.json", or the name itself as
 * a path when it holds a '/'. */
char *policy_seccomp_profile_path(const char *policy_dir, const char *name);

/* The embedded default policy: policies/default.json as the loader read it
 * at build time (src/default_policy_gen.c), copied. */
int policy_load_default(struct policy **out, oh_error_t *err);

struct settings;

/* A policy name is a file name without ".json": letters, digits, '.', '_'
 * and '-', not starting with '.'. */
bool policy_name_is_valid(const char *name);

/* The policies of a directory: the names of its "*.json" files, in the order
 * selection tries them (file-name order). `ignored` (may be NULL) receives
 * the names of "*.json" files that are not policy names. A directory that
 * does not exist has none when `missing_ok`; otherwise, and for one that
 * cannot be read, an error. */
int policy_dir_list(const char *dir, bool missing_ok, struct string_list *names,
		    struct string_list *ignored, oh_error_t *err);

/* Whether a path has a "." or ".." component: the loader refuses those in
 * the paths a policy names, so that a policy says what it means. */
bool policy_path_has_dot_component(const char *path);

/* Order two policy names as their files' names ("web-2.json" before
 * "web.json"): the order selection tries them in. */
int policy_file_name_compare(const char *a, const char *b);

/* The name a runtime entry runs oci-harden by, when it names a policy:
 * the last component of argv[0] is "oci-harden@NAME" (a link to
 * oci-harden). Docker's "path", Podman's [engine.runtimes] path and
 * containerd's BinaryName all become argv[0] as written, and none of them
 * can be changed by whoever starts a container through that entry. */
#define POLICY_PROGRAM_PREFIX "oci-harden@"

/* 1 with *name pointing into argv0 when argv0 names a policy, 0 when it is
 * any other name (NULL included), -1 with an error when what follows the @
 * is not a policy name. */
int policy_of_program_name(const char *argv0, const char **name, oh_error_t *err);

/* An image reference in its fully qualified form, as containerd and Docker
 * normalise it: "nginx" is "docker.io/library/nginx:latest". */
char *image_reference_normalize(const char *reference);

/* How far the image and sandbox annotations of a config are believed
 * (settings "trust_image_annotations"): only on configs that carry the
 * markers a CRI writes on every container (the default), always, or never.
 * Whoever can write annotations (ctr --annotation, podman --annotation) can
 * write the markers too: see oci-harden.json(5) for what this protects. */
enum identity_trust {
	IDENTITY_TRUST_CRI,
	IDENTITY_TRUST_ALWAYS,
	IDENTITY_TRUST_NEVER,
};
bool policy_spec_identity_trusted(const struct json *spec, enum identity_trust trust);
const char *identity_trust_name(enum identity_trust trust);

/* The image a config says it runs: the CRI annotations
 * io.kubernetes.cri.image-name (containerd) or io.kubernetes.cri-o.Image
 * (CRI-O). NULL when it has neither. Points into the spec. */
const char *policy_image_of_spec(const struct json *spec);

/* The Kubernetes pod a container belongs to, as the CRI names it in the
 * container's annotations (containerd: pkg/cri/annotations; CRI-O likewise).
 * Owned copies (hardening may drop annotations); NULL where absent. */
struct pod_identity {
	char *namespace;
	char *name;
	char *uid;
	char *container; /* NULL for the pod's sandbox */
};

/* Whether `spec` was written by a CRI (its own markers are there) and
 * names its pod; `out` then holds the pod (clear it either way). Only for
 * the record: nothing is decided by it. */
bool policy_pod_of_spec(const struct json *spec, struct pod_identity *out);
void pod_identity_clear(struct pod_identity *pod);
static inline void cleanup_pod_identityp(struct pod_identity *pod)
{
	pod_identity_clear(pod);
}
#define cleanup_pod_identity _cleanup_(cleanup_pod_identityp)

/* Whether the config is a CRI pod sandbox (annotation
 * io.kubernetes.cri.container-type or io.kubernetes.cri-o.ContainerType is
 * "sandbox"): those get the settings' sandbox_policy. */
bool policy_spec_is_sandbox(const struct json *spec);

/* A policy file as selection loads it, with every problem found in it:
 * what `check` shows, and what the runtime reports the first of. Edge. */
struct policy_file {
	char *path;	/* what was opened */
	char *display;	/* how messages name it */
	int read_errno; /* why it could not be read, or 0 */
	char *text;	/* NULL when it could not be read */
	size_t len;
	struct json *doc;		/* NULL when it could not be read or parsed */
	struct diagnostics diagnostics; /* offsets are the text's */
	struct policy *policy;		/* NULL when there is any error */
	/* The seccomp profile the file names itself, as read (for linting):
	 * how to name it, and its text (NULL when it could not be read). */
	char *profile_display;
	char *profile_text;
	size_t profile_len;
};

/* Where "extends" and seccomp profile names resolve: `policy_dir`; and how
 * messages name the files there: `display_dir` ("" for the working
 * directory), as a person wrote it. */
struct policy_sources {
	const char *policy_dir;
	const char *display_dir;
};

/* Read, parse and load the policy file `path` (named `display` in messages),
 * called `name`, as selection does: its "extends" (without one, "default")
 * resolved in the policy directory, a seccomp profile file it names read.
 * Every problem of the file itself is a diagnostic of it; a base policy
 * that cannot be had is one, at "extends" (or at the top of the file when
 * the base is the implicit "default"). Returns 0 when the policy loads
 * (file->policy), -1 when it does not. */
int policy_file_load(struct policy_file *file, const char *path, const char *display,
		     const char *name, const struct policy_sources *sources);
/* The first error of a file that does not load, as `err`: "DISPLAY: line L,
 * column C: JSON-PATH: reason". */
int policy_file_error(const struct policy_file *file, oh_error_t *err);
void policy_file_clear(struct policy_file *file);

/* Load the policy called `name` from the policy directory, resolving its
 * "extends" chain ("default" is the embedded default unless the directory
 * has a default.json). */
int policy_load_named(const char *name, const struct settings *settings, struct policy **out,
		      oh_error_t *err);

/* Load the policy in `path` (any file name), resolving "extends" against the
 * policy directory. */
int policy_load_file(const char *path, const struct settings *settings, struct policy **out,
		     oh_error_t *err);

/* Selection with the image given explicitly (NULL: the spec's own), for
 * `diff --image`. */
int policy_select_for_image(const char *image, const struct settings *settings, struct policy **out,
			    char **reason, oh_error_t *err);

/* The policy for a container: see oci-harden-policy(5), "Selection".
 * `reason` receives, in words, why that policy was chosen. Nothing the
 * container supplies can choose a laxer policy. */
int policy_select(const struct json *spec, const struct settings *settings, struct policy **out,
		  char **reason, oh_error_t *err);

/* The policy as a document of the policy language that loads back (with
 * policy_load_json and no base) into the same rules. The seccomp profile is
 * kept by name only: what is saved for a container's execs needs none. */
struct json *policy_to_json(const struct policy *policy);
/* Appends exactly what json_write(policy_to_json(policy), false) would, without
 * building the tree: the container record saved at every create. */
void policy_write_json(const struct policy *policy, struct strbuf *out);

/* The policy's seccomp profile as a new tree (the caller owns it), or NULL
 * when the policy has none (and *err stays NULL) or on error. */
struct json *policy_seccomp_profile(const struct policy *policy, oh_error_t *err);

struct policy *policy_clone(const struct policy *policy);
void policy_free(struct policy *policy);
static inline void cleanup_policyp(struct policy **p)
{
	policy_free(*p);
}
#define cleanup_policy _cleanup_(cleanup_policyp)

const char *policy_mode_name(enum policy_mode mode);

#endif
