/* SPDX-License-Identifier: Apache-2.0 */
/* The directories and sockets through which the container runtimes, the
 * kubelet and the host's service managers control containers or the host:
 * where each is by default, what it is, and the few places inside it that a
 * runtime itself binds into its containers (a sandbox's hosts file, a
 * volume). Pure data and matching, shared by the core, which judges bind
 * sources by it, and the edge, which decides by it whether a create needs to
 * look at the host's live daemons at all. */
#ifndef OCI_HARDEN_RUNTIME_DIRS_H
#define OCI_HARDEN_RUNTIME_DIRS_H

#include <stdbool.h>
#include <stddef.h>

/* What a runtime binds into containers from inside one of its directories. */
enum runtime_dir_layout {
	RUNTIME_DIR_OPAQUE,	      /* nothing: a socket, or state no container gets */
	RUNTIME_DIR_CONTAINERD_ROOT,  /* containerd --root */
	RUNTIME_DIR_CONTAINERD_STATE, /* containerd --state */
	RUNTIME_DIR_DOCKER_DATA,      /* dockerd --data-root */
	RUNTIME_DIR_STORAGE,	      /* containers/storage's graphroot or runroot */
	RUNTIME_DIR_KUBELET,	      /* kubelet --root-dir */
};

struct runtime_dir {
	const char *path; /* absolute and clean; a component "*" matches any one name */
	const char *what; /* "the state directory of containerd" */
	enum runtime_dir_layout layout;
};

/* Where the runtimes keep their directories and sockets unless told
 * otherwise, /var/run spelled /run. */
extern const struct runtime_dir runtime_dirs_default[];
extern const size_t runtime_dirs_default_len;

enum runtime_dir_relation {
	RUNTIME_DIR_UNRELATED,
	RUNTIME_DIR_IS,	      /* the path is the directory (or socket) */
	RUNTIME_DIR_CONTAINS, /* the path is an ancestor of it */
	RUNTIME_DIR_INSIDE,   /* strictly inside it, where its runtime binds nothing from */
	RUNTIME_DIR_BOUND,    /* strictly inside it, at a place its runtime binds into containers */
};

/* How the clean absolute `path` stands to the directory `dir` of `layout`.
 * `*depth` (may be NULL) receives the number of components of `dir`, so
 * that of several directories holding a path the innermost can decide. */
enum runtime_dir_relation runtime_dir_relation(const char *dir, enum runtime_dir_layout layout,
					       const char *path, size_t *depth);

/* A first look for table scans: false when clean absolute `path` cannot be
 * related to `dir` because their first components start differently (most
 * of the table is under /run, the rest under /var). */
static inline bool runtime_dir_may_relate(const char *dir, const char *path)
{
	return dir[1] == path[1] || path[1] == '\0' || dir[1] == '*';
}

/* The indices into runtime_dirs_default, in its order, of the directories
 * clean absolute `path` may be related to, into `out` (room for
 * RUNTIME_DIRS_DEFAULT_MAX); their number. The others it is not related
 * to, by two looks that cost a byte each: a scan of these is a scan of the
 * whole table, and every scan of it for one path goes through here. */
#define RUNTIME_DIRS_DEFAULT_MAX 256
size_t runtime_dirs_default_related(const char *path, unsigned char *out);

/* Whether the default directories alone settle the clean absolute `path`
 * as a place a runtime binds from: the innermost default directory holding
 * it says BOUND, and no default directory is it or inside it. The edge
 * looks at the host's live daemons only for paths this does not settle. */
bool runtime_dirs_default_settles(const char *path);

#endif
