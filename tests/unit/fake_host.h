/* SPDX-License-Identifier: Apache-2.0 */
/* A pretend host for the pure core, shared by the unit tests and the
 * fuzzers: the facts the edge would gather, computed by the test's own
 * functions for exactly what the core asks (harden_host_queries). */
#ifndef OCI_HARDEN_TEST_FAKE_HOST_H
#define OCI_HARDEN_TEST_FAKE_HOST_H

#include <sys/stat.h>

#include "harden.h"

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
	const char *bundle;
};

static inline void test_host_facts(const struct test_host *h, const struct json *spec,
				   struct host_facts *f)
{
	*f = (struct host_facts){
	    .apparmor_enabled = h->apparmor_enabled,
	    .apparmor_profile_loaded = h->apparmor_profile_loaded,
	    .bundle = h->bundle ? xstrdup(h->bundle) : NULL,
	};
	struct host_queries q = {0};
	if (spec)
		harden_host_queries(spec, h->bundle, &q);
	f->paths = xcalloc(q.paths.len + 1, sizeof(*f->paths));
	for (size_t i = 0; i < q.paths.len; i++) {
		const char *path = q.paths.items[i];
		char *resolved = h->resolve ? h->resolve(path) : xstrdup(path);
		f->paths[i] = (struct host_path){
		    .path = xstrdup(path),
		    .exists = resolved != NULL,
		    .resolved = resolved,
		    .type = resolved ? (h->type_of ? h->type_of(resolved) : S_IFDIR) : 0,
		};
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
	host_queries_clear(&q);
}

#endif
