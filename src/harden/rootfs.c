/* SPDX-License-Identifier: Apache-2.0 */
/* Root filesystem: where it is, read-only (CIS Docker 5.12), with a tmpfs
 * at each of the policy's paths so that ordinary programs still have
 * somewhere to write. */
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

/* Host directories that are never a container's root filesystem, even on
 * an overlay mount (a live system's / is one): the system's own, with
 * everything inside them, and the tops of the trees where the host keeps
 * its state and its users' files. */
static const struct {
	const char *path;
	bool inside_too;
} rootfs_system_paths[] = {
    {"/boot", true}, {"/dev", true},  {"/etc", true},  {"/lib", true},	 {"/lib64", true},
    {"/proc", true}, {"/sys", true},  {"/usr", true},  {"/root", true},	 {"/bin", true},
    {"/sbin", true}, {"/var", false}, {"/run", false}, {"/home", false}, {"/tmp", false},
};

static bool rootfs_is_system_path(const char *path)
{
	if (strcmp(path, "/") == 0)
		return true;
	for (size_t i = 0; i < ARRAY_SIZE(rootfs_system_paths); i++)
		if (rootfs_system_paths[i].inside_too
			? harden_path_within(path, rootfs_system_paths[i].path)
			: strcmp(path, rootfs_system_paths[i].path) == 0)
			return true;
	return false;
}

/* root.path: runc joins a relative one to the bundle (libcontainer/
 * specconv: filepath.Join(cwd, spec.Root.Path)), mounts over it and creates
 * the mount points and /dev nodes it needs in it, on the host: a root of
 * "/usr" is the host's /usr. It must be inside the bundle (which the client
 * made), or the root of an overlay mount (what Docker and Podman make of an
 * image: /var/lib/docker/overlay2/<id>/merged), or where allow.root_paths
 * says; never "/" or a system directory but by allow.root_paths. */
static void rootfs_judge_path(struct harden_ctx *ctx, const struct json *root)
{
	const struct json *node = json_object_get(root, "path");
	const char *written = node && node->type == JSON_STRING ? node->string.ptr : "";
	const struct host_facts *host = ctx->host;
	const struct string_list *allowed = &ctx->policy->allow.root_paths;
	const char *bundle = host ? host->bundle : NULL;
	cleanup_free char *host_path = harden_root_host_path(ctx->spec, bundle);
	if (!host_path) {
		if (!harden_allowed(allowed, written))
			harden_refuse(
			    ctx, "rootfs", "root.path", node, "allow.root_paths", written,
			    "root.path %s is relative to a bundle oci-harden does not know "
			    "(the policy may allow it in root_paths)",
			    written);
		return;
	}
	cleanup_free char *clean = harden_clean_path(host_path);
	const struct host_path *fact = host_facts_path(host, host_path);
	cleanup_free char *resolved =
	    fact && fact->exists && fact->resolved ? harden_clean_path(fact->resolved) : NULL;
	if (harden_allowed(allowed, clean) || (resolved && harden_allowed(allowed, resolved)))
		return;
	const char *named = resolved ? resolved : clean;
	cleanup_free char *via = resolved && strcmp(resolved, clean) != 0
				     ? xasprintf(" (resolving to %s)", resolved)
				     : xstrdup("");
	if (!resolved) {
		harden_refuse(ctx, "rootfs", "root.path", node, "allow.root_paths", clean,
			      "root.path %s: %s does not exist on the host (the policy may allow "
			      "it in root_paths)",
			      written, clean);
		return;
	}
	cleanup_free char *bundle_clean = bundle ? harden_clean_path(bundle) : NULL;
	const struct host_path *bundle_fact = bundle ? host_facts_path(host, bundle) : NULL;
	cleanup_free char *bundle_resolved =
	    bundle_fact && bundle_fact->exists && bundle_fact->resolved
		? harden_clean_path(bundle_fact->resolved)
		: NULL;
	bool in_bundle =
	    bundle_clean && harden_path_within(clean, bundle_clean) &&
	    harden_path_within(resolved, bundle_resolved ? bundle_resolved : bundle_clean);
	/* The bundle is the client's, wherever it put it (a benchmark's under
	 * /dev/shm). */
	if (in_bundle)
		return;
	if (rootfs_is_system_path(clean) || rootfs_is_system_path(resolved)) {
		harden_refuse(ctx, "rootfs", "root.path", node, "allow.root_paths", named,
			      "root.path %s%s: the container's root filesystem would be the host's "
			      "%s, and the runtime creates directories and device nodes in it (the "
			      "policy may allow it in root_paths)",
			      written, via, named);
		return;
	}
	if (fact->overlay_mount_root)
		return;
	harden_refuse(ctx, "rootfs", "root.path", node, "allow.root_paths", named,
		      "root.path %s%s: the container's root filesystem would be the host's %s, "
		      "which is neither inside the bundle%s%s nor the root of an overlay mount, "
		      "and the runtime creates directories and device nodes in it (the policy "
		      "may allow it in root_paths)",
		      written, via, named, bundle_clean ? " " : "",
		      bundle_clean ? bundle_clean : "");
}

static int rootfs_apply(struct harden_ctx *ctx, oh_error_t *err)
{
	if (!ctx->spec)
		return 0;
	const struct policy *policy = ctx->policy;
	struct json *root_obj;
	if (harden_member_object(ctx->spec, "", "root", false, &root_obj, err) < 0)
		return -1;
	/* No root: runc and crun refuse the config themselves. */
	if (root_obj) {
		const struct json *p = json_object_get(root_obj, "path");
		if (p && p->type != JSON_STRING)
			return oh_error_make(err, 0, "root.path: must be a string");
		rootfs_judge_path(ctx, root_obj);
	}
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
		cleanup_free char *path = xstrcat_index("mounts", "", mounts->array.len);
		cleanup_free char *reason =
		    xasprintf("a writable tmpfs (nosuid, nodev) at %s", policy->tmpfs.items[i]);
		harden_record_change(ctx, "rootfs", path, NULL, json_clone(m), reason);
		json_array_append(mounts, m);
	}
	return 0;
}

/* root.path as the runtime will find it, and the bundle it must be in. */
static void rootfs_queries(const struct json *spec, const char *bundle, struct host_queries *q)
{
	char *paths[] = {harden_root_host_path(spec, bundle), bundle ? xstrdup(bundle) : NULL};
	for (size_t i = 0; i < ARRAY_SIZE(paths); i++) {
		if (paths[i])
			string_list_add(&q->paths, paths[i]);
		xfree(paths[i]);
	}
}

const struct harden_module harden_module_rootfs = {
    .name = "rootfs",
    .apply = rootfs_apply,
    .queries = rootfs_queries,
};
