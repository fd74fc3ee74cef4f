/* SPDX-License-Identifier: Apache-2.0 */
/* Masked and read-only paths: the standard sets that containerd and runc
 * write by default are put back when a config lacks any of them (a
 * privileged or "unmasked" container removes them, exposing e.g. /proc/kcore
 * and /sys/firmware). */
#include <string.h>

#include "module.h"

static const char *const standard_masked_paths[] = {
    "/proc/acpi",
    "/proc/asound",
    "/proc/kcore",
    "/proc/keys",
    "/proc/latency_stats",
    "/proc/timer_list",
    "/proc/timer_stats",
    "/proc/sched_debug",
    "/proc/scsi",
    "/sys/firmware",
    "/sys/devices/virtual/powercap",
};

static const char *const standard_readonly_paths[] = {
    "/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger",
};

static int paths_restore(struct harden_ctx *ctx, struct json *linux_obj, const char *key,
			 const char *const *standard, size_t n_standard, oh_error_t *err)
{
	struct json *list;
	if (harden_member_array(linux_obj, "linux", key, &list, err) < 0)
		return -1;
	if (list)
		for (size_t i = 0; i < list->array.len; i++)
			if (list->array.items[i]->type != JSON_STRING)
				return oh_error_make(err, 0, "linux.%s[%zu]: must be a string", key,
						     i);

	/* The copy to change is made at the first path missing: most
	 * configs have them all. */
	cleanup_json struct json *restored = NULL;
	struct strbuf added = {0};
	size_t len = list ? list->array.len : 0;
	/* containerd and runc write the standard paths in this order: the
	 * search for each starts past the one found before, and goes round. */
	size_t from = 0;
	for (size_t s = 0; s < n_standard; s++) {
		bool present = false;
		for (size_t k = 0; k < len && !present; k++) {
			size_t i = from + k < len ? from + k : from + k - len;
			present = strcmp(list->array.items[i]->string.ptr, standard[s]) == 0;
			if (present)
				from = i + 1 < len ? i + 1 : 0;
		}
		if (present)
			continue;
		if (!restored)
			restored = list ? json_clone(list) : json_new_array();
		json_array_append(restored, json_new_string(standard[s]));
		strbuf_puts(&added, added.len ? ", " : "");
		strbuf_puts(&added, standard[s]);
	}
	if (added.len) {
		cleanup_free char *reason = xasprintf("standard paths put back: %s", added.buf);
		harden_set(ctx, "paths", linux_obj, "linux", key, steal_pointer(&restored), reason);
	}
	strbuf_free(&added);
	return 0;
}

static int paths_apply(struct harden_ctx *ctx, oh_error_t *err)
{
	if (!ctx->spec)
		return 0;
	struct json *linux_obj;
	if (harden_member_object(ctx->spec, "", "linux", true, &linux_obj, err) < 0)
		return -1;
	if (paths_restore(ctx, linux_obj, "maskedPaths", standard_masked_paths,
			  ARRAY_SIZE(standard_masked_paths), err) < 0)
		return -1;
	return paths_restore(ctx, linux_obj, "readonlyPaths", standard_readonly_paths,
			     ARRAY_SIZE(standard_readonly_paths), err);
}

const struct harden_module harden_module_paths = {
    .name = "paths",
    .apply = paths_apply,
};
