/* SPDX-License-Identifier: Apache-2.0 */
/* Capabilities: keep only those on the policy's allowlist, in all five sets.
 * A capability is never added: the allowlist bounds what an image may keep,
 * it does not grant. (OCI runtime-spec config.md "process.capabilities".) */
#include <string.h>

#include "module.h"

static const char *const capability_sets[] = {
    "bounding", "effective", "inheritable", "permitted", "ambient",
};

static int capabilities_apply(struct harden_ctx *ctx, oh_error_t *err)
{
	if (!ctx->process)
		return 0;
	struct json *caps;
	if (harden_member_object(ctx->process, ctx->process_path, "capabilities", false, &caps,
				 err) < 0)
		return -1;
	if (!caps)
		return 0; /* no capabilities object: runc grants none */
	cleanup_free char *caps_path = harden_path_join(ctx->process_path, "capabilities");

	for (size_t s = 0; s < ARRAY_SIZE(capability_sets); s++) {
		struct json *set;
		if (harden_member_array(caps, caps_path, capability_sets[s], &set, err) < 0)
			return -1;
		if (!set)
			continue;
		cleanup_free char *set_path = harden_path_join(caps_path, capability_sets[s]);
		cleanup_json struct json *kept = json_new_array();
		cleanup_json struct json *dropped = json_new_array();
		struct strbuf dropped_text = {0};
		for (size_t i = 0; i < set->array.len; i++) {
			const struct json *cap = set->array.items[i];
			if (cap->type != JSON_STRING) {
				strbuf_free(&dropped_text);
				return oh_error_make(err, 0, "%s[%zu]: must be a string", set_path,
						     i);
			}
			if (string_list_contains(&ctx->policy->capabilities, cap->string.ptr)) {
				json_array_append(kept, json_clone(cap));
			} else {
				json_array_append(dropped, json_clone(cap));
				strbuf_puts(&dropped_text, dropped_text.len ? ", " : "");
				strbuf_puts(&dropped_text, cap->string.ptr);
			}
		}
		if (dropped->array.len == 0)
			continue;
		cleanup_free char *reason =
		    xasprintf("dropped %s: not on the policy's allowlist", dropped_text.buf);
		strbuf_free(&dropped_text);
		struct decision *d = harden_set(ctx, "capabilities", caps, caps_path,
						capability_sets[s], steal_pointer(&kept), reason);
		if (d)
			decision_set_lift(d, "capabilities", steal_pointer(&dropped));
	}
	return 0;
}

const struct harden_module harden_module_capabilities = {
    .name = "capabilities",
    .apply = capabilities_apply,
};
