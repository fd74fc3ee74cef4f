/* SPDX-License-Identifier: Apache-2.0 */
/* A pretend host for the pure core, shared by the unit tests and the
 * fuzzers: the facts the edge would gather, computed by the test's own
 * functions for exactly what the core asks (harden_host_queries). */
#ifndef OCI_HARDEN_TEST_FAKE_HOST_H
#define OCI_HARDEN_TEST_FAKE_HOST_H

#include <sys/stat.h>

#include "harden.h"

/* Where a create's bundle is when the test names none. */
#define TEST_HOST_BUNDLE "/test/bundle"

/* A pretend host for the pure core: the answers the edge would gather,
 * computed by the test's own functions for exactly what the core asks. */
struct test_host {
	bool apparmor_enabled, apparmor_profile_loaded;
	/* 1, 0 or -1 as host_facts_namespace_is_host; NULL: -1 */
	int (*namespace_is_host)(const char *type, const char *path);
	/* Where `path` leads, or NULL when it does not exist; NULL function:
	 * every path exists as written, a directory. */
	char *(*resolve)(const char *path);
	/* The S_IFMT type of what `resolved` is; NULL function: S_IFDIR. */
	mode_t (*type_of)(const char *resolved);
	/* The symbolic links followed on the way from `path` (added to `out`);
	 * NULL function: none. */
	void (*symlinks_of)(const char *path, struct string_list *out);
	/* What the edge would say `resolved` is (a live daemon's socket, a
	 * directory holding one), or NULL; NULL function: nothing. */
	char *(*sensitive_of)(const char *resolved, mode_t type);
	/* Whether `resolved` is the root of an overlay mount; NULL: no. */
	bool (*overlay_root)(const char *resolved);
	/* The live daemons' directories (copied); runtime_dirs_surveyed is
	 * true unless `not_surveyed`. */
	const struct host_runtime_dir *runtime_dirs;
	size_t runtime_dirs_len;
	bool not_surveyed;
	/* NULL: TEST_HOST_BUNDLE. */
	const char *bundle;
	/* Whether `resolved`, not a directory, is on a read-only mount; NULL
	 * function: no. */
	bool (*read_only_mount)(const char *resolved);
	/* oci-harden's own binary; NULL: TEST_HOST_SELF, unless `no_self`. */
	const char *self_program;
	bool no_self;
	/* The kernel has no vm.memfd_noexec (before Linux 6.3). */
	bool no_memfd_noexec;
};

/* The binary a pretend host runs as oci-harden. */
#define TEST_HOST_SELF "/usr/local/sbin/oci-harden"

static inline void test_host_facts(const struct test_host *h, const struct json *spec,
				   struct host_facts *f)
{
	const char *bundle = h->bundle ? h->bundle : TEST_HOST_BUNDLE;
	*f = (struct host_facts){
	    .apparmor_enabled = h->apparmor_enabled,
	    .apparmor_profile_loaded = h->apparmor_profile_loaded,
	    .bundle = xstrdup(bundle),
	    .runtime_dirs_surveyed = !h->not_surveyed,
	    .self_program =
		h->no_self ? NULL : xstrdup(h->self_program ? h->self_program : TEST_HOST_SELF),
	    .memfd_noexec_sysctl = !h->no_memfd_noexec,
	};
	struct host_queries q = {0};
	if (spec)
		harden_host_queries(spec, bundle, &q);
	f->paths = xcalloc(q.paths.len + 1, sizeof(*f->paths));
	for (size_t i = 0; i < q.paths.len; i++) {
		const char *path = q.paths.items[i];
		char *resolved = h->resolve ? h->resolve(path) : xstrdup(path);
		mode_t type = resolved ? (h->type_of ? h->type_of(resolved) : S_IFDIR) : 0;
		f->paths[i] = (struct host_path){
		    .path = xstrdup(path),
		    .exists = resolved != NULL,
		    .resolved = resolved,
		    .type = type,
		    .rdev_major = type == S_IFBLK   ? 8
				  : type == S_IFCHR ? 1
						    : 0,
		    .rdev_minor = type == S_IFCHR ? 3 : 0,
		    .overlay_mount_root = resolved && h->overlay_root && h->overlay_root(resolved),
		    .read_only_mount = resolved && type != S_IFDIR && h->read_only_mount &&
				       h->read_only_mount(resolved),
		    .sensitive =
			resolved && h->sensitive_of ? h->sensitive_of(resolved, type) : NULL,
		};
		if (resolved && h->symlinks_of)
			h->symlinks_of(path, &f->paths[i].symlinks);
	}
	f->paths_len = q.paths.len;
	f->namespaces = xcalloc(q.namespace_types.len + 1, sizeof(*f->namespaces));
	for (size_t i = 0; i < q.namespace_types.len; i++) {
		const char *type = q.namespace_types.items[i], *path = q.namespace_paths.items[i];
		f->namespaces[i] = (struct host_namespace){
		    .type = xstrdup(type),
		    .path = xstrdup(path),
		    .is_host = h->namespace_is_host ? h->namespace_is_host(type, path) : -1,
		};
	}
	f->namespaces_len = q.namespace_types.len;
	f->runtime_dirs = xcalloc(h->runtime_dirs_len + 1, sizeof(*f->runtime_dirs));
	for (size_t i = 0; i < h->runtime_dirs_len; i++)
		f->runtime_dirs[i] = (struct host_runtime_dir){
		    .path = xstrdup(h->runtime_dirs[i].path),
		    .what = xstrdup(h->runtime_dirs[i].what),
		    .layout = h->runtime_dirs[i].layout,
		};
	f->runtime_dirs_len = h->runtime_dirs_len;
	host_queries_clear(&q);
}

#endif
