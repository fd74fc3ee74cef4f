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

void harden_record_change(struct harden_ctx *ctx, const char *rule, const char *path,
			  const struct json *old_value, const struct json *new_value,
			  const char *reason)
{
	cleanup_free char *old_text = old_value ? json_to_string(old_value, false) : NULL;
	cleanup_free char *new_text = new_value ? json_to_string(new_value, false) : NULL;
	report_add(ctx->report, DECISION_CHANGE, rule, path, old_text, new_text, "%s", reason);
}

void harden_set(struct harden_ctx *ctx, const char *rule, struct json *parent,
		const char *parent_path, const char *key, struct json *value, const char *reason)
{
	struct json *old = json_object_get(parent, key);
	if (old && json_equal(old, value)) {
		json_free(value);
		return;
	}
	cleanup_free char *path = harden_path_join(parent_path, key);
	harden_record_change(ctx, rule, path, old, value, reason);
	json_object_set(parent, key, value);
}

void harden_refuse(struct harden_ctx *ctx, const char *rule, const char *path,
		   const struct json *old_value, const char *allow_entry, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	cleanup_free char *reason = xvasprintf(fmt, ap);
	va_end(ap);
	cleanup_free char *old_text = old_value ? json_to_string(old_value, false) : NULL;
	report_add(ctx->report, DECISION_REFUSE, rule, path, old_text, NULL, "%s", reason);
	if (allow_entry)
		ctx->report->items[ctx->report->len - 1].allow_entry = xstrdup(allow_entry);
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

int harden_process(struct json *process, const struct policy *policy, const struct host_facts *host,
		   struct report *report, oh_error_t *err)
{
	if (process->type != JSON_OBJECT)
		return oh_error_make(err, 0, "the top level must be an object");
	report_start(report, policy);
	cleanup_json struct json *copy = policy->mode == POLICY_AUDIT ? json_clone(process) : NULL;
	struct harden_ctx ctx = {
	    .spec = NULL,
	    .process = copy ? copy : process,
	    .process_path = "",
	    .policy = policy,
	    .host = host,
	    .report = report,
	};
	return harden_run(&ctx, err);
}
