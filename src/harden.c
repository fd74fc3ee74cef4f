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
    &harden_module_paths,
    &harden_module_limits,
};

void host_queries_clear(struct host_queries *q)
{
	string_list_clear(&q->paths);
	string_list_clear(&q->namespace_types);
	string_list_clear(&q->namespace_paths);
}

void host_facts_clear(struct host_facts *f)
{
	for (size_t i = 0; i < f->paths_len; i++) {
		free(f->paths[i].path);
		free(f->paths[i].resolved);
		free(f->paths[i].sensitive);
	}
	free(f->paths);
	for (size_t i = 0; i < f->namespaces_len; i++) {
		free(f->namespaces[i].type);
		free(f->namespaces[i].path);
	}
	free(f->namespaces);
	free(f->bundle);
	*f = (struct host_facts){0};
}

const struct host_path *host_facts_path(const struct host_facts *facts, const char *path)
{
	for (size_t i = 0; facts && i < facts->paths_len; i++)
		if (strcmp(facts->paths[i].path, path) == 0)
			return &facts->paths[i];
	return NULL;
}

int host_facts_namespace_is_host(const struct host_facts *facts, const char *type, const char *path)
{
	for (size_t i = 0; facts && i < facts->namespaces_len; i++)
		if (strcmp(facts->namespaces[i].type, type) == 0 &&
		    strcmp(facts->namespaces[i].path, path) == 0)
			return facts->namespaces[i].is_host;
	return -1;
}

void harden_host_queries(const struct json *spec, const char *bundle, struct host_queries *q)
{
	if (!spec || spec->type != JSON_OBJECT)
		return;
	for (size_t i = 0; i < ARRAY_SIZE(harden_modules); i++)
		if (harden_modules[i]->queries)
			harden_modules[i]->queries(spec, bundle, q);
}

char *harden_path_join(const char *parent, const char *key)
{
	return *parent ? xasprintf("%s.%s", parent, key) : xstrdup(key);
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

struct decision *harden_set(struct harden_ctx *ctx, const char *rule, struct json *parent,
			    const char *parent_path, const char *key, struct json *value,
			    const char *reason)
{
	struct json *current = json_object_get_raw(parent, key);
	if (current && current->type != JSON_NULL && json_equal(current, value)) {
		json_free(value);
		return NULL;
	}
	cleanup_free char *path = harden_path_join(parent_path, key);
	struct json *new_copy = json_clone(value);
	struct json *old = json_object_exchange(parent, key, value);
	if (old && old->type == JSON_NULL) {
		json_free(old);
		old = NULL;
	}
	return harden_record_change(ctx, rule, path, old, new_copy, reason);
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
	if (m->type != JSON_STRING || strlen(m->string.ptr) != m->string.len)
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
