/* SPDX-License-Identifier: Apache-2.0 */
/* The pure core: a spec and a policy in, the hardened spec and a report of
 * every decision out. No I/O, no environment: what the core needs to know of
 * the host comes in `struct host_facts`, gathered at the edge (host.c) for
 * exactly the paths and namespaces the core asked about
 * (harden_host_queries). The build keeps it so: the core library may not
 * reference a file or process I/O symbol (tests/layering.sh). */
#ifndef OCI_HARDEN_HARDEN_H
#define OCI_HARDEN_HARDEN_H

#include <stdbool.h>
#include <sys/types.h>

#include "errors.h"
#include "json.h"
#include "policy.h"
#include "report.h"
#include "runtime_dirs.h"

/* What the core may ask of the host: the paths a spec names on the host
 * (bind sources, paths in mount options, root.path) and the namespaces it
 * joins by path. Filled by harden_host_queries, answered by the edge. */
struct host_queries {
	struct string_list paths; /* absolute host paths, sorted, each once */
	/* Those of `paths` the container would get (bind sources, paths in
	 * mount options): judged also by what the host's live container
	 * daemons use them for. A module's `queries` adds one here only;
	 * harden_host_queries adds it to `paths`. */
	struct string_list sources;
	struct string_list namespace_types; /* "network", ... */
	struct string_list namespace_paths; /* parallel to namespace_types */
};
void host_queries_clear(struct host_queries *q);

/* What the host says of one path. */
struct host_path {
	char *path;	/* as asked */
	bool exists;	/* false: nothing there (or it cannot be reached) */
	char *resolved; /* where it leads with every symlink followed; NULL when !exists */
	mode_t type;	/* S_IFMT of what it leads to */
	unsigned rdev_major, rdev_minor; /* of a device node */
	/* The symbolic links followed on the way to `resolved`, each named by
	 * where it is (its directory resolved): the core refuses a path led
	 * by a link the container could have made. */
	struct string_list symlinks;
	/* It is the root of a mount of an overlay filesystem: what container
	 * engines make a container's root filesystem of. */
	bool overlay_mount_root;
	/* When it is not a directory, whether the mount it is on is read-only
	 * (statfs(2) ST_RDONLY): a file bound from there stays read-only
	 * through runc only while nothing remounts the bind (noexec.c). */
	bool read_only_mount;
	/* What the host uses it for, when that makes it sensitive, in words:
	 * "a unix socket (dockerd's, pid 412)", "the state directory of
	 * containerd", "contains /srv/docker.sock, dockerd's socket". NULL when
	 * nothing is known against it. */
	char *sensitive;
};

/* A directory or socket a live container daemon of the host was told to
 * use (its command line, its config file), resolved. */
struct host_runtime_dir {
	char *path;
	char *what; /* "the data directory of dockerd (pid 412)" */
	enum runtime_dir_layout layout;
};

struct host_namespace {
	char *type, *path;
	int is_host; /* 1: the host's own namespace, 0: not, -1: cannot tell */
};

struct host_facts {
	bool apparmor_enabled;	      /* aa_is_enabled() */
	bool apparmor_profile_loaded; /* the policy's profile is loaded */
	/* The bundle directory, absolute, where a create reads config.json;
	 * NULL for an exec. Relative root and mount paths are joined to it. */
	char *bundle;
	struct host_path *paths; /* in the order of host_queries.paths: sorted by path */
	size_t paths_len;
	struct host_namespace *namespaces;
	size_t namespaces_len;
	/* The live daemons' directories, beside runtime_dirs_default. The edge
	 * looks for them (runtime_dirs_surveyed) whenever a source is not
	 * settled by the defaults alone (runtime_dirs_default_settles). */
	struct host_runtime_dir *runtime_dirs;
	size_t runtime_dirs_len;
	bool runtime_dirs_surveyed;
	/* For the hook that makes a container's memfds unexecutable
	 * (noexec.c), asked on a create whose policy does not allow them:
	 * oci-harden's own binary, absolute, as the host runs it (NULL when
	 * unknown), and whether the kernel has vm.memfd_noexec (Linux 6.3)
	 * and it can be written here. */
	char *self_program;
	bool memfd_noexec_sysctl;
};
void host_facts_clear(struct host_facts *facts);
static inline void cleanup_host_factsp(struct host_facts *f)
{
	host_facts_clear(f);
}
#define cleanup_host_facts _cleanup_(cleanup_host_factsp)

/* The facts of `path` (as asked), or NULL when the edge was not asked. */
const struct host_path *host_facts_path(const struct host_facts *facts, const char *path);
/* Whether `path` is the host's own namespace of `type`: 1, 0, or -1. */
int host_facts_namespace_is_host(const struct host_facts *facts, const char *type,
				 const char *path);

/* What one module sees. For a container, `spec` is the whole config and
 * `process` its "process" object (NULL when the config has none). For an
 * exec process, `spec` is NULL, `process` the process object and
 * `container` what was saved of the container at its create (NULL when
 * nothing was). */
struct harden_ctx {
	struct json *spec;
	struct json *process;
	const char *process_path; /* JSON path of `process`: "process", or "" */
	const struct json *container;
	const struct policy *policy;
	const struct host_facts *host;
	struct report *report;
};

/* One hardening concern. `apply` records each decision in ctx->report and
 * changes the tree in place; it fails only on a shape the OCI spec forbids
 * (a string where an object belongs), with the JSON path in the message.
 * `queries` (may be NULL) adds what the module will ask of the host. */
struct harden_module {
	const char *name;
	int (*apply)(struct harden_ctx *ctx, oh_error_t *err);
	void (*queries)(const struct json *spec, const char *bundle, struct host_queries *q);
};

/* A path in its lexically clean form: no empty, "." or ".." component, no
 * trailing '/', and /var/run spelled /run (a symlink to /run on every
 * current distro). "." for an empty relative path; NULL for a relative path
 * that climbs out with "..". */
char *harden_clean_path(const char *path);
/* The same without a copy where `path` is clean already: `path` itself, or
 * its clean form, which *owned then holds for the caller to free. */
const char *harden_clean_path_borrowed(const char *path, char **owned);

/* Whether clean absolute `inner` is clean absolute `outer` or inside it. */
bool harden_path_within(const char *inner, const char *outer);

/* What the modules will ask of the host about `spec`, whose bundle is
 * `bundle` (absolute; NULL when unknown): paths and sources sorted, each
 * once. */
void harden_host_queries(const struct json *spec, const char *bundle, struct host_queries *q);

/* Harden a whole config.json in place. In audit mode (policy->mode) the tree
 * is left untouched and the report holds what enforce would have done. */
int harden_spec(struct json *spec, const struct policy *policy, const struct host_facts *host,
		struct report *report, oh_error_t *err);

/* Harden the process object of an exec in place. `container` is what was
 * saved of the container at create (container_state.h), or NULL. */
int harden_process(struct json *process, const struct json *container, const struct policy *policy,
		   const struct host_facts *host, struct report *report, oh_error_t *err);

/* Judge a `restore`: runc restores the process's credentials, capabilities
 * and seccomp state from the CRIU image, not from config.json, so nothing
 * hardened in the config binds the restored process. A refusal in `report`
 * unless the policy's allow.restore is true. */
void harden_restore(const struct policy *policy, struct report *report);

#endif
