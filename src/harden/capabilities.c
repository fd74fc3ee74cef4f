/* SPDX-License-Identifier: Apache-2.0 */
/* Capabilities: keep only those on the policy's allowlist, in all five sets.
 * A capability is never added: the allowlist bounds what an image may keep,
 * it does not grant. (OCI runtime-spec config.md "process.capabilities".) */
#include <string.h>

#include "module.h"

static const char *const capability_sets[] = {
    "bounding", "effective", "inheritable", "permitted", "ambient",
};

/* Split `set` into the capabilities the policy keeps and those it drops,
 * and the reason of the drop. */
static int capabilities_filter(struct harden_ctx *ctx, const struct json *set,
			       const char *caps_path, const char *name, struct json **kept,
			       struct json **dropped, char **reason, oh_error_t *err)
{
	*kept = json_new_array();
	*dropped = json_new_array();
	struct strbuf dropped_text = {0};
	for (size_t i = 0; i < set->array.len; i++) {
		const struct json *cap = set->array.items[i];
		if (cap->type != JSON_STRING) {
			strbuf_free(&dropped_text);
			cleanup_free char *set_path = harden_path_join(caps_path, name);
			return oh_error_make(err, 0, "%s[%zu]: must be a string", set_path, i);
		}
		if (string_list_contains(&ctx->policy->capabilities, cap->string.ptr)) {
			json_array_append(*kept, json_clone(cap));
		} else {
			json_array_append(*dropped, json_clone(cap));
			strbuf_puts(&dropped_text, dropped_text.len ? ", " : "");
			strbuf_puts(&dropped_text, cap->string.ptr);
		}
	}
	*reason = (*dropped)->array.len
		      ? xasprintf("dropped %s: not on the policy's allowlist", dropped_text.buf)
		      : xstrdup("");
	strbuf_free(&dropped_text);
	return 0;
}

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

	/* The sets are often the same list (bounding, effective and permitted
	 * are, as containerd and Docker write them): what was made of one is
	 * kept, and a set equal to it takes a copy. The set it was made of
	 * stays alive, in the spec or as its decision's old value. */
	const struct json *made_of = NULL;
	cleanup_json struct json *kept = NULL, *dropped = NULL;
	cleanup_free char *reason = NULL;
	for (size_t s = 0; s < ARRAY_SIZE(capability_sets); s++) {
		struct json *set;
		if (harden_member_array(caps, caps_path, capability_sets[s], &set, err) < 0)
			return -1;
		if (!set)
			continue;
		if (!made_of || !json_equal(set, made_of)) {
			json_free(kept);
			json_free(dropped);
			xfree(reason);
			kept = dropped = NULL;
			reason = NULL;
			if (capabilities_filter(ctx, set, caps_path, capability_sets[s], &kept,
						&dropped, &reason, err) < 0)
				return -1;
			made_of = set;
		}
		if (dropped->array.len == 0)
			continue;
		struct decision *d = harden_set(ctx, "capabilities", caps, caps_path,
						capability_sets[s], json_clone(kept), reason);
		if (d)
			decision_set_lift(d, "capabilities", json_clone(dropped));
	}
	return 0;
}

const struct harden_module harden_module_capabilities = {
    .name = "capabilities",
    .apply = capabilities_apply,
};
