/* SPDX-License-Identifier: Apache-2.0 */
/* The pure core: a spec and a policy in, the hardened spec and a report of
 * every decision out. No I/O, no environment: what the core needs to know of
 * the host comes in `struct host_facts`, gathered at the edge. */
#ifndef OCI_HARDEN_HARDEN_H
#define OCI_HARDEN_HARDEN_H

#include <stdbool.h>

#include "errors.h"
#include "json.h"
#include "policy.h"
#include "report.h"

struct host_facts {
	bool apparmor_enabled;	      /* aa_is_enabled() */
	bool apparmor_profile_loaded; /* the policy's profile is loaded */

	/* Whether `path` is the host's own namespace of `type` ("pid",
	 * "network", ...): 1 yes, 0 no, -1 cannot tell. NULL: cannot tell. */
	int (*namespace_is_host)(const char *type, const char *path);

	/* Where the host path `path` leads once symlinks are followed, or NULL
	 * when it does not exist (caller frees). NULL function: the path is
	 * judged as written. */
	char *(*resolve_host_path)(const char *path);
};

/* What one module sees. For a container, `spec` is the whole config and
 * `process` its "process" object (NULL when the config has none). For an
 * exec process file, `spec` is NULL and `process` is the file's object. */
struct harden_ctx {
	struct json *spec;
	struct json *process;
	const char *process_path; /* JSON path of `process`: "process", or "" */
	const struct policy *policy;
	const struct host_facts *host;
	struct report *report;
};

/* One hardening concern. `apply` records each decision in ctx->report and
 * changes the tree in place; it fails only on a shape the OCI spec forbids
 * (a string where an object belongs), with the JSON path in the message. */
struct harden_module {
	const char *name;
	int (*apply)(struct harden_ctx *ctx, oh_error_t *err);
};

/* Harden a whole config.json in place. In audit mode (policy->mode) the tree
 * is left untouched and the report holds what enforce would have done. */
int harden_spec(struct json *spec, const struct policy *policy, const struct host_facts *host,
		struct report *report, oh_error_t *err);

/* Harden the process object of an exec --process file in place. */
int harden_process(struct json *process, const struct policy *policy, const struct host_facts *host,
		   struct report *report, oh_error_t *err);

#endif
