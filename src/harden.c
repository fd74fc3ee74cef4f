/* SPDX-License-Identifier: Apache-2.0 */
/* The core: run every hardening module over the spec, in a fixed order. */
#include "harden.h"

#include <fnmatch.h>
#include <string.h>

#include "harden/module.h"

/* The order is the order of the report. Adding a concern is adding a file
 * under src/harden/ and a row here. */
static const struct harden_module *const harden_modules[] = {
    /* Refusals first: the first refusal is the one containerd shows, and
     * the privileged shape is recognised by its devices. */
    &harden_module_devices,
    &harden_module_namespaces,
    &harden_module_mounts,
    &harden_module_hooks,
    &harden_module_sysctls,
    &harden_module_annotations,
    /* What an exec may not choose for itself. */
    &harden_module_exec,
    /* Every field no module above or below judges: deny by default. */
    &harden_module_spec_model,
    /* Then what is rewritten. */
    &harden_module_capabilities,
    &harden_module_user,
    &harden_module_privileges,
    &harden_module_apparmor,
    &harden_module_seccomp,
    &harden_module_rootfs,
    /* After rootfs: the tmpfs it adds are writable mounts too. */
    &harden_module_noexec,
    &harden_module_paths,
    &harden_module_limits,
};

void host_queries_clear(struct host_queries *q)
{
	string_list_clear(&q->paths);
	string_list_clear(&q->sources);
	string_list_clear(&q->namespace_types);
	string_list_clear(&q->namespace_paths);
}

void host_facts_clear(struct host_facts *f)
{
	for (size_t i = 0; i < f->paths_len; i++) {
		xfree(f->paths[i].path);
		xfree(f->paths[i].resolved);
		xfree(f->paths[i].sensitive);
		string_list_clear(&f->paths[i].symlinks);
	}
	xfree(f->paths);
	for (size_t i = 0; i < f->namespaces_len; i++) {
		xfree(f->namespaces[i].type);
		xfree(f->namespaces[i].path);
	}
	xfree(f->namespaces);
	for (size_t i = 0; i < f->runtime_dirs_len; i++) {
		xfree(f->runtime_dirs[i].path);
		xfree(f->runtime_dirs[i].what);
	}
	xfree(f->runtime_dirs);
	xfree(f->bundle);
	xfree(f->self_program);
	*f = (struct host_facts){0};
}

static int host_path_compare(const void *key, const void *entry)
{
	return strcmp(key, ((const struct host_path *)entry)->path);
}

const struct host_path *host_facts_path(const struct host_facts *facts, const char *path)
{
	if (!facts || !facts->paths_len)
		return NULL;
	return bsearch(path, facts->paths, facts->paths_len, sizeof(facts->paths[0]),
		       host_path_compare);
}

int host_facts_namespace_is_host(const struct host_facts *facts, const char *type, const char *path)
{
	for (size_t i = 0; facts && i < facts->namespaces_len; i++)
		if (strcmp(facts->namespaces[i].type, type) == 0 &&
		    strcmp(facts->namespaces[i].path, path) == 0)
			return facts->namespaces[i].is_host;
	return -1;
}

static int string_compare(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sort a list and drop its repeats: modules add a path as often as they
 * name it, and a config may name thousands. */
static void string_list_sort_unique(struct string_list *list)
{
	if (list->len < 2)
		return;
	qsort(list->items, list->len, sizeof(list->items[0]), string_compare);
	size_t kept = 1;
	for (size_t i = 1; i < list->len; i++) {
		if (strcmp(list->items[i], list->items[kept - 1]) == 0)
			xfree(list->items[i]);
		else
			list->items[kept++] = list->items[i];
	}
	list->len = kept;
}

void harden_host_queries(const struct json *spec, const char *bundle, struct host_queries *q)
{
	if (!spec || spec->type != JSON_OBJECT)
		return;
	for (size_t i = 0; i < ARRAY_SIZE(harden_modules); i++)
		if (harden_modules[i]->queries)
			harden_modules[i]->queries(spec, bundle, q);
	/* A module names a source in `sources` alone, and it goes into
	 * `paths` here: two sorted lists merged rather than a source sorted
	 * twice, once in each (a config may name thousands). */
	string_list_sort_unique(&q->sources);
	string_list_sort_unique(&q->paths);
	if (!q->sources.len)
		return;
	struct string_list merged = {0};
	merged.items = xgrow(NULL, &merged.cap, q->paths.len + q->sources.len, sizeof(char *));
	size_t p = 0, s = 0;
	while (p < q->paths.len || s < q->sources.len) {
		int c = p == q->paths.len     ? 1
			: s == q->sources.len ? -1
					      : strcmp(q->paths.items[p], q->sources.items[s]);
		if (c < 0) {
			merged.items[merged.len++] = q->paths.items[p++];
		} else if (c > 0) {
			merged.items[merged.len++] = xstrdup(q->sources.items[s++]);
		} else {
			merged.items[merged.len++] = q->paths.items[p++];
			s++;
		}
	}
	xfree(q->paths.items);
	q->paths = merged;
}

char *harden_path_join(const char *parent, const char *key)
{
	return *parent ? xstrcat3(parent, ".", key) : xstrdup(key);
}

int harden_member_object(struct json *parent, const char *parent_path, const char *key, bool create,
			 struct json **out, oh_error_t *err)
{
	struct json *v = json_object_get(parent, key);
	if (!v) {
		*out = NULL;
		if (create) {
			*out = json_new_object();
			json_object_set(parent, key, *out);
		}
		return 0;
	}
	if (v->type != JSON_OBJECT) {
		cleanup_free char *path = harden_path_join(parent_path, key);
		return oh_error_make(err, 0, "%s: must be an object", path);
	}
	*out = v;
	return 0;
}

int harden_member_array(struct json *parent, const char *parent_path, const char *key,
			struct json **out, oh_error_t *err)
{
	struct json *v = json_object_get(parent, key);
	if (v && v->type != JSON_ARRAY) {
		cleanup_free char *path = harden_path_join(parent_path, key);
		return oh_error_make(err, 0, "%s: must be an array", path);
	}
	*out = v;
	return 0;
}

struct decision *harden_record_change(struct harden_ctx *ctx, const char *rule, const char *path,
				      struct json *old_value, struct json *new_value,
				      const char *reason)
{
	return report_add(ctx->report, DECISION_CHANGE, rule, path, old_value, new_value, "%s",
			  reason);
}

/* harden_set, with the reason `reason` or else `reason_taken`. */
static struct decision *harden_set_common(struct harden_ctx *ctx, const char *rule,
					  struct json *parent, const char *parent_path,
					  const char *key, struct json *value, const char *reason,
					  char *reason_taken)
{
	struct json *current = json_object_get_raw(parent, key);
	if (current && current->type != JSON_NULL && json_equal(current, value)) {
		json_free(value);
		xfree(reason_taken);
		return NULL;
	}
	char *path = harden_path_join(parent_path, key);
	struct json *new_copy = json_clone(value);
	struct json *old = json_object_exchange(parent, key, value);
	if (old && old->type == JSON_NULL) {
		json_free(old);
		old = NULL;
	}
	return report_add_taken(ctx->report, DECISION_CHANGE, rule, path, old, new_copy,
				reason_taken ? reason_taken : xstrdup(reason));
}

struct decision *harden_set(struct harden_ctx *ctx, const char *rule, struct json *parent,
			    const char *parent_path, const char *key, struct json *value,
			    const char *reason)
{
	return harden_set_common(ctx, rule, parent, parent_path, key, value, reason, NULL);
}

struct decision *harden_set_reason_taken(struct harden_ctx *ctx, const char *rule,
					 struct json *parent, const char *parent_path,
					 const char *key, struct json *value, char *reason)
{
	return harden_set_common(ctx, rule, parent, parent_path, key, value, NULL, reason);
}

struct decision *harden_refuse(struct harden_ctx *ctx, const char *rule, const char *path,
			       const struct json *offending, const char *lift_key,
			       const char *lift_item, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	cleanup_free char *reason = xvasprintf(fmt, ap);
	va_end(ap);
	struct decision *d =
	    report_add(ctx->report, DECISION_REFUSE, rule, path,
		       offending ? json_clone(offending) : NULL, NULL, "%s", reason);
	if (lift_key && lift_item)
		decision_set_lift_item(d, lift_key, lift_item);
	else if (lift_key)
		decision_set_lift(d, lift_key, json_new_bool(true));
	return d;
}

/* Whether an absolute path is already in its clean form. Most are, and a
 * config may name thousands. */
static bool harden_path_is_clean(const char *path)
{
	if (strncmp(path, "/var/run", 8) == 0 && (path[8] == '/' || path[8] == '\0'))
		return false;
	return path_is_clean(path);
}

const char *harden_clean_path_borrowed(const char *path, char **owned)
{
	*owned = NULL;
	if (harden_path_is_clean(path))
		return path;
	*owned = harden_clean_path(path);
	return *owned;
}

char *harden_clean_path(const char *path)
{
	if (harden_path_is_clean(path))
		return xstrdup(path);
	bool absolute = path[0] == '/';
	struct strbuf out = {0};
	size_t *starts = xcalloc(strlen(path) / 2 + 2, sizeof(size_t));
	size_t depth = 0;
	for (const char *p = path; *p;) {
		while (*p == '/')
			p++;
		const char *end = strchrnul(p, '/');
		size_t n = (size_t)(end - p);
		if (n == 0 || (n == 1 && p[0] == '.')) {
			/* nothing */
		} else if (n == 2 && p[0] == '.' && p[1] == '.') {
			if (depth == 0 && !absolute) {
				xfree(starts);
				strbuf_free(&out);
				return NULL;
			}
			if (depth > 0)
				out.len = starts[--depth];
		} else {
			starts[depth++] = out.len;
			if (absolute || out.len)
				strbuf_putc(&out, '/');
			strbuf_append(&out, p, n);
		}
		p = end;
	}
	xfree(starts);
	if (out.len == 0)
		strbuf_puts(&out, absolute ? "/" : ".");
	out.buf[out.len] = '\0';
	char *clean = strbuf_steal(&out);
	if (strncmp(clean, "/var/run", 8) == 0 && (clean[8] == '/' || clean[8] == '\0')) {
		char *short_form = xasprintf("/run%s", clean + 8);
		xfree(clean);
		return short_form;
	}
	return clean;
}

bool harden_path_within(const char *inner, const char *outer)
{
	/* Most pairs differ in their first two bytes ("/proc" and "/var"):
	 * settled without a call. */
	if (outer[0] && outer[1] && (inner[0] != outer[0] || inner[1] != outer[1]))
		return false;
	size_t outer_len = strlen(outer);
	if (outer_len == 1)
		return inner[0] == '/'; /* "/" */
	return strncmp(inner, outer, outer_len) == 0 &&
	       (inner[outer_len] == '\0' || inner[outer_len] == '/');
}

char *harden_host_path(const char *bundle, const char *path, bool lexical)
{
	if (path[0] == '/')
		return xstrdup(path);
	if (!bundle)
		return NULL;
	cleanup_free char *joined = xstrcat3(bundle, "/", path);
	return lexical ? harden_clean_path(joined) : steal_pointer(&joined);
}

char *harden_root_host_path(const struct json *spec, const char *bundle)
{
	const struct json *root = json_object_get(spec, "root");
	if (!root || root->type != JSON_OBJECT)
		return NULL;
	/* runc: filepath.Join(cwd, spec.Root.Path) for a relative one, the
	 * working directory being the bundle (libcontainer/specconv); with no
	 * path, the bundle itself. */
	const struct json *path = json_object_get(root, "path");
	return harden_host_path(bundle, path && path->type == JSON_STRING ? path->string.ptr : "",
				true);
}

bool harden_allowed(const struct string_list *patterns, const char *value)
{
	for (size_t i = 0; i < patterns->len; i++)
		if (fnmatch(patterns->items[i], value, 0) == 0)
			return true;
	return false;
}

int harden_member_string(const struct json *v, const char *path, const char *key, const char **out,
			 oh_error_t *err)
{
	const struct json *m = json_object_get(v, key);
	*out = NULL;
	if (!m)
		return 0;
	if (m->type != JSON_STRING || json_string_holds_nul(m))
		return oh_error_make(err, 0, "%s.%s: must be a string", path, key);
	*out = m->string.ptr;
	return 0;
}

int harden_member_bool(const struct json *v, const char *path, const char *key, bool *out,
		       oh_error_t *err)
{
	const struct json *m = json_object_get(v, key);
	*out = false;
	if (!m)
		return 0;
	if (m->type != JSON_BOOL) {
		cleanup_free char *member = harden_path_join(path, key);
		return oh_error_make(err, 0, "%s: must be true or false", member);
	}
	*out = m->boolean;
	return 0;
}

static int harden_run(struct harden_ctx *ctx, oh_error_t *err)
{
	for (size_t i = 0; i < ARRAY_SIZE(harden_modules); i++)
		if (harden_modules[i]->apply(ctx, err) < 0)
			return -1;
	return 0;
}

static void report_start(struct report *report, const struct policy *policy)
{
	if (!report->policy_name)
		report->policy_name = xstrdup(policy->name ? policy->name : "default");
	report->audit = policy->mode == POLICY_AUDIT;
}

int harden_spec(struct json *spec, const struct policy *policy, const struct host_facts *host,
		struct report *report, oh_error_t *err)
{
	if (spec->type != JSON_OBJECT)
		return oh_error_make(err, 0, "the top level must be an object");
	report_start(report, policy);

	/* Audit mode decides on a copy: the container runs exactly as given. */
	cleanup_json struct json *copy = policy->mode == POLICY_AUDIT ? json_clone(spec) : NULL;
	struct json *target = copy ? copy : spec;
	struct harden_ctx ctx = {
	    .spec = target,
	    .process_path = "process",
	    .policy = policy,
	    .host = host,
	    .report = report,
	};
	if (harden_member_object(target, "", "process", false, &ctx.process, err) < 0)
		return -1;
	return harden_run(&ctx, err);
}

int harden_process(struct json *process, const struct json *container, const struct policy *policy,
		   const struct host_facts *host, struct report *report, oh_error_t *err)
{
	if (process->type != JSON_OBJECT)
		return oh_error_make(err, 0, "the top level must be an object");
	report_start(report, policy);
	cleanup_json struct json *copy = policy->mode == POLICY_AUDIT ? json_clone(process) : NULL;
	struct harden_ctx ctx = {
	    .spec = NULL,
	    .process = copy ? copy : process,
	    .process_path = "",
	    .container = container,
	    .policy = policy,
	    .host = host,
	    .report = report,
	};
	return harden_run(&ctx, err);
}

void harden_restore(const struct policy *policy, struct report *report)
{
	report_start(report, policy);
	if (policy->allow.restore)
		return;
	struct decision *d = report_add(
	    report, DECISION_REFUSE, "restore", "", NULL, NULL,
	    "restore brings back the process's credentials, capabilities and seccomp state from "
	    "the checkpoint image, which the policy does not judge (the policy may set "
	    "allow.restore)");
	decision_set_lift(d, "allow.restore", json_new_bool(true));
}
