/* SPDX-License-Identifier: Apache-2.0 */
/* Root filesystem: read-only (CIS Docker 5.12), with a tmpfs at each of the
 * policy's paths so that ordinary programs still have somewhere to write. */
#include <string.h>

#include "module.h"

/* Whether two absolute paths name the same place once repeated and trailing
 * slashes are ignored ("/tmp/" and "//tmp" are "/tmp"). */
static bool rootfs_same_path(const char *a, const char *b)
{
	for (;;) {
		while (*a == '/' && a[1] == '/')
			a++;
		while (*b == '/' && b[1] == '/')
			b++;
		if (*a == '/' && a[1] == '\0')
			a++;
		if (*b == '/' && b[1] == '\0')
			b++;
		if (*a != *b)
			return false;
		if (*a == '\0')
			return true;
		a++;
		b++;
	}
}

static int rootfs_mount_exists(struct json *mounts, const char *destination, bool *exists,
			       oh_error_t *err)
{
	*exists = false;
	for (size_t i = 0; i < mounts->array.len; i++) {
		const struct json *m = mounts->array.items[i];
		if (m->type != JSON_OBJECT)
			return oh_error_make(err, 0, "mounts[%zu]: must be an object", i);
		const struct json *dest = json_object_get(m, "destination");
		if (!dest || dest->type != JSON_STRING)
			return oh_error_make(err, 0, "mounts[%zu].destination: must be a string",
					     i);
		if (rootfs_same_path(dest->string.ptr, destination))
			*exists = true;
	}
	return 0;
}

static struct json *rootfs_new_tmpfs(const char *destination)
{
	struct json *m = json_new_object();
	json_object_set(m, "destination", json_new_string(destination));
	json_object_set(m, "type", json_new_string("tmpfs"));
	json_object_set(m, "source", json_new_string("tmpfs"));
	struct json *options = json_new_array();
	json_array_append(options, json_new_string("nosuid"));
	json_array_append(options, json_new_string("nodev"));
	json_object_set(m, "options", options);
	return m;
}

static int rootfs_apply(struct harden_ctx *ctx, oh_error_t *err)
{
	if (!ctx->spec)
		return 0;
	const struct policy *policy = ctx->policy;
	if (policy->readonly_rootfs) {
		struct json *root;
		if (harden_member_object(ctx->spec, "", "root", true, &root, err) < 0)
			return -1;
		const struct json *v = json_object_get(root, "readonly");
		if (v && v->type != JSON_BOOL)
			return oh_error_make(err, 0, "root.readonly: must be true or false");
		struct decision *d =
		    harden_set(ctx, "rootfs", root, "root", "readonly", json_new_bool(true),
			       "the root filesystem is mounted read-only");
		if (d)
			decision_set_lift(d, "readonly_rootfs", json_new_bool(false));
	}
	if (policy->tmpfs.len == 0)
		return 0;
	struct json *mounts;
	if (harden_member_array(ctx->spec, "", "mounts", &mounts, err) < 0)
		return -1;
	if (!mounts) {
		mounts = json_new_array();
		json_object_set(ctx->spec, "mounts", mounts);
	}
	for (size_t i = 0; i < policy->tmpfs.len; i++) {
		bool exists;
		if (rootfs_mount_exists(mounts, policy->tmpfs.items[i], &exists, err) < 0)
			return -1;
		if (exists)
			continue; /* the container already mounts something there */
		struct json *m = rootfs_new_tmpfs(policy->tmpfs.items[i]);
		cleanup_free char *path = xasprintf("mounts[%zu]", mounts->array.len);
		cleanup_free char *reason =
		    xasprintf("a writable tmpfs (nosuid, nodev) at %s", policy->tmpfs.items[i]);
		harden_record_change(ctx, "rootfs", path, NULL, json_clone(m), reason);
		json_array_append(mounts, m);
	}
	return 0;
}

const struct harden_module harden_module_rootfs = {
    .name = "rootfs",
    .apply = rootfs_apply,
};
