/* SPDX-License-Identifier: Apache-2.0 */
/* Annotations: free-form metadata, except where a runtime acts on them.
 * crun 1.8 reads run.oci.* (raw seccomp BPF, keeping the caller's groups,
 * hook output files, cgroup delegation, custom handlers, ...) and
 * module.wasm.image/variant; runc 1.1 and crun turn org.systemd.property.*
 * into properties of the container's systemd unit, and runc reads
 * org.criu.config for checkpoint and restore (grep of both sources: crun
 * find_annotation(), runc specconv and container_linux.go). An annotation
 * in one of these namespaces is refused unless the policy's
 * allow.annotations names it; the rest no runtime reads. */
#include <string.h>

#include "module.h"

static const char *const runtime_annotation_prefixes[] = {
    "run.oci.",		     /* crun */
    "org.systemd.property.", /* runc and crun, systemd cgroup driver */
    "org.criu.",	     /* runc checkpoint and restore */
    "module.wasm.image/",    /* crun's Wasm handlers */
};

static int annotations_apply(struct harden_ctx *ctx, oh_error_t *err)
{
	if (!ctx->spec)
		return 0;
	struct json *annotations;
	if (harden_member_object(ctx->spec, "", "annotations", false, &annotations, err) < 0)
		return -1;
	for (size_t i = 0; annotations && i < annotations->object.len; i++) {
		const struct json_member *m = &annotations->object.members[i];
		cleanup_free char *path = xasprintf("annotations[\"%s\"]", m->key);
		if (m->value->type != JSON_STRING)
			return oh_error_make(err, 0, "%s: must be a string", path);
		for (size_t p = 0; p < ARRAY_SIZE(runtime_annotation_prefixes); p++) {
			const char *prefix = runtime_annotation_prefixes[p];
			if (strncmp(m->key, prefix, strlen(prefix)) != 0 ||
			    harden_allowed(&ctx->policy->allow.annotations, m->key))
				continue;
			harden_refuse(ctx, "annotations", path, m->value, "allow.annotations",
				      m->key,
				      "annotation %s is read by the runtime (%s*), which would act "
				      "on it unjudged (the policy may allow it in annotations)",
				      m->key, prefix);
		}
	}
	return 0;
}

const struct harden_module harden_module_annotations = {
    .name = "annotations",
    .apply = annotations_apply,
};
