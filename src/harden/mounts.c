/* SPDX-License-Identifier: Apache-2.0 */
/* Mounts: refuse the bind mounts that hand a container the host (CIS Docker
 * 5.6: "/", /boot, /dev, /etc, /lib, /proc, /sys, /usr; and the container
 * runtimes' sockets and state, through which a container starts others),
 * shared propagation, which lets mounts leak back to the host (CIS 5.20), and
 * a writable sysfs or cgroupfs. The policy's host_paths may allow a source,
 * with ":ro" only when it is mounted read-only. */
#include <string.h>

#include "module.h"

/* Host directories a container may never have whole (nor any ancestor of
 * them, which contains them). Inside the ones marked `inside_read_only`,
 * read-only binds of single files (/etc/localtime, a CA bundle) are fine;
 * inside the others nothing may be bound at all (a raw disk under /dev,
 * kernel knobs under /proc and /sys). */
#define SENSITIVE(path, inside_allowed, inside_read_only)                                          \
	{                                                                                          \
		path, sizeof(path) - 1, inside_allowed, inside_read_only                           \
	}

static const struct {
	const char *path;
	size_t len;
	bool inside_allowed;
	bool inside_read_only;
} sensitive_paths[] = {
    SENSITIVE("/boot", false, false),
    SENSITIVE("/dev", false, false),
    SENSITIVE("/etc", true, true),
    SENSITIVE("/lib", true, true),
    SENSITIVE("/lib64", true, true),
    SENSITIVE("/proc", false, false),
    SENSITIVE("/sys", false, false),
    SENSITIVE("/usr", true, true),
    SENSITIVE("/root", false, false),
    /* Runtime state: the CRI itself binds files from inside these (the
     * sandbox's hosts and resolv.conf, kubelet volumes), so only the
     * directories themselves and their ancestors are refused. */
    SENSITIVE("/run/containerd", true, false),
    SENSITIVE("/var/lib/containerd", true, false),
    SENSITIVE("/var/lib/kubelet", true, false),
    SENSITIVE("/var/lib/docker", true, false),
    SENSITIVE("/var/lib/containers", true, false),
    SENSITIVE("/run/crio", true, false),
    SENSITIVE("/run/runc", false, false),
    SENSITIVE("/run/crun", false, false),
    SENSITIVE("/run/oci-harden", false, false),
    /* Sockets that start containers. */
    SENSITIVE("/run/docker.sock", false, false),
    SENSITIVE("/run/containerd/containerd.sock", false, false),
    SENSITIVE("/run/containerd/containerd.sock.ttrpc", false, false),
    SENSITIVE("/run/crio/crio.sock", false, false),
    SENSITIVE("/run/podman/podman.sock", false, false),
};

/* Lexically clean an absolute path: no "//", ".", "..", trailing '/', and
 * /var/run spelled /run (it is a symlink to /run on every current distro).
 * NULL for a relative path that climbs with "..". */
/* Whether an absolute path is already in its clean form: no empty, "." or
 * ".." component, no trailing '/', not under /var/run. Most sources are,
 * and a config may have thousands. */
static bool mounts_path_is_clean(const char *path)
{
	if (path[0] != '/' || (path[1] == '\0'))
		return path[0] == '/';
	if (strncmp(path, "/var/run", 8) == 0 && (path[8] == '/' || path[8] == '\0'))
		return false;
	for (const char *p = path; *p; p++) {
		if (*p != '/')
			continue;
		/* p is the start of a component's separator */
		if (p[1] == '/' || p[1] == '\0')
			return false;
		if (p[1] == '.' &&
		    (p[2] == '/' || p[2] == '\0' || (p[2] == '.' && (p[3] == '/' || p[3] == '\0'))))
			return false;
	}
	return true;
}

static char *mounts_clean_path(const char *path)
{
	if (mounts_path_is_clean(path))
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
				free(starts);
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
	free(starts);
	if (out.len == 0)
		strbuf_puts(&out, absolute ? "/" : ".");
	out.buf[out.len] = '\0';
	char *clean = strbuf_steal(&out);
	if (strncmp(clean, "/var/run", 8) == 0 && (clean[8] == '/' || clean[8] == '\0')) {
		char *short_form = xasprintf("/run%s", clean + 8);
		free(clean);
		return short_form;
	}
	return clean;
}

/* `inner` (of length inner_len) is `outer` (of length outer_len) or inside it. */
static bool mounts_path_within(const char *inner, size_t inner_len, const char *outer,
			       size_t outer_len)
{
	if (outer_len == 1)
		return true; /* "/" */
	return inner_len >= outer_len && memcmp(inner, outer, outer_len) == 0 &&
	       (inner[outer_len] == '\0' || inner[outer_len] == '/');
}

/* Why binding host path `source` is refused, or NULL. */
static const char *mounts_sensitive_reason(const char *source, bool read_only)
{
	size_t source_len = strlen(source);
	for (size_t i = 0; i < ARRAY_SIZE(sensitive_paths); i++) {
		const char *sensitive = sensitive_paths[i].path;
		size_t sensitive_len = sensitive_paths[i].len;
		if (mounts_path_within(sensitive, sensitive_len, source, source_len))
			return sensitive_len == source_len ? "is a sensitive host path"
							   : "contains a sensitive host path";
		if (mounts_path_within(source, source_len, sensitive, sensitive_len)) {
			if (!sensitive_paths[i].inside_allowed)
				return "is inside a sensitive host path";
			if (sensitive_paths[i].inside_read_only && !read_only)
				return "is inside a sensitive host path and mounted writable";
		}
	}
	return NULL;
}

static bool mounts_host_path_allowed(const struct policy_allow *allow, const char *source,
				     bool read_only)
{
	for (size_t i = 0; i < allow->host_paths.len; i++) {
		const char *entry = allow->host_paths.items[i];
		size_t n = strlen(entry);
		bool ro_only = n > 3 && strcmp(entry + n - 3, ":ro") == 0;
		cleanup_free char *written = ro_only ? xstrndup(entry, n - 3) : xstrdup(entry);
		/* Sources are judged in their clean form (/var/run is /run); so are
		 * the patterns that allow them. */
		cleanup_free char *pattern = strncmp(written, "/var/run", 8) == 0 &&
						     (written[8] == '/' || written[8] == '\0')
						 ? xasprintf("/run%s", written + 8)
						 : xstrdup(written);
		if ((!ro_only || read_only) &&
		    harden_allowed(&(struct string_list){.items = &pattern, .len = 1}, source))
			return true;
	}
	return false;
}

struct mount_view {
	const char *type;
	bool bind;
	bool read_only;
	const char *propagation; /* "shared" or "rshared" when present */
};

static int mounts_read_options(const struct json *m, const char *path, struct mount_view *view,
			       oh_error_t *err)
{
	struct json *options = json_object_get(m, "options");
	if (options && options->type != JSON_ARRAY)
		return oh_error_make(err, 0, "%s.options: must be an array", path);
	view->bind = view->type && strcmp(view->type, "bind") == 0;
	for (size_t i = 0; options && i < options->array.len; i++) {
		const struct json *o = options->array.items[i];
		if (o->type != JSON_STRING)
			return oh_error_make(err, 0, "%s.options[%zu]: must be a string", path, i);
		const char *s = o->string.ptr;
		/* runc reads options in order: the last of ro and rw counts. */
		if (strcmp(s, "ro") == 0)
			view->read_only = true;
		else if (strcmp(s, "rw") == 0)
			view->read_only = false;
		else if (strcmp(s, "bind") == 0 || strcmp(s, "rbind") == 0)
			view->bind = true;
		else if (strcmp(s, "shared") == 0 || strcmp(s, "rshared") == 0)
			view->propagation = s;
	}
	return 0;
}

static void mounts_check_bind(struct harden_ctx *ctx, const char *path, const struct json *m,
			      const char *source, const struct mount_view *view)
{
	const struct policy_allow *allow = &ctx->policy->allow;
	cleanup_free char *clean = mounts_clean_path(source);
	if (!clean) {
		harden_refuse(ctx, "mounts", path, m, NULL, NULL,
			      "bind source %s climbs out of the bundle with \"..\"", source);
		return;
	}
	/* runc joins a relative source to the bundle directory and follows
	 * whatever symlinks the image put there: "rootfs/link" may be the
	 * host's /etc. The pure core cannot resolve it, and no runtime
	 * manager writes relative sources, so they are refused. */
	if (clean[0] != '/') {
		harden_refuse(ctx, "mounts", path, m, NULL, NULL,
			      "bind source %s is relative to the bundle, where the image's "
			      "symlinks could lead it anywhere on the host",
			      source);
		return;
	}
	/* Judge both the path as written and where its symlinks lead. */
	const struct host_path *fact = host_facts_path(ctx->host, source);
	const char *resolved_raw = fact && fact->exists ? fact->resolved : NULL;
	cleanup_free char *resolved = resolved_raw && strcmp(resolved_raw, clean) != 0
					  ? mounts_clean_path(resolved_raw)
					  : NULL;
	const char *candidates[] = {clean, resolved};
	for (size_t c = 0; c < ARRAY_SIZE(candidates) && candidates[c]; c++) {
		const char *why = mounts_sensitive_reason(candidates[c], view->read_only);
		if (!why || mounts_host_path_allowed(allow, candidates[c], view->read_only))
			continue;
		cleanup_free char *entry =
		    xasprintf("%s%s", candidates[c], view->read_only ? ":ro" : "");
		harden_refuse(ctx, "mounts", path, m, "allow.host_paths", entry,
			      "bind mount of host %s%s%s: it %s (the policy may allow it in "
			      "host_paths)",
			      source, c ? " (resolving to " : "", c ? candidates[c] : "", why);
		return;
	}
	if (view->propagation && !mounts_host_path_allowed(allow, clean, view->read_only))
		harden_refuse(ctx, "mounts", path, m, "allow.host_paths", clean,
			      "bind mount of %s with %s propagation would let mounts reach the "
			      "host",
			      source, view->propagation);
}

static int mounts_apply(struct harden_ctx *ctx, oh_error_t *err)
{
	if (!ctx->spec)
		return 0;
	struct json *mounts;
	if (harden_member_array(ctx->spec, "", "mounts", &mounts, err) < 0)
		return -1;
	for (size_t i = 0; mounts && i < mounts->array.len; i++) {
		cleanup_free char *path = xasprintf("mounts[%zu]", i);
		const struct json *m = mounts->array.items[i];
		if (m->type != JSON_OBJECT)
			return oh_error_make(err, 0, "%s: must be an object", path);
		struct mount_view view = {0};
		const char *source, *destination;
		if (harden_member_string(m, path, "type", &view.type, err) < 0 ||
		    harden_member_string(m, path, "source", &source, err) < 0 ||
		    harden_member_string(m, path, "destination", &destination, err) < 0 ||
		    mounts_read_options(m, path, &view, err) < 0)
			return -1;
		if (view.bind && source) {
			mounts_check_bind(ctx, path, m, source, &view);
			continue;
		}
		bool kernel_fs = view.type && (strcmp(view.type, "sysfs") == 0 ||
					       strcmp(view.type, "cgroup") == 0 ||
					       strcmp(view.type, "cgroup2") == 0);
		if (kernel_fs && !view.read_only &&
		    !mounts_host_path_allowed(&ctx->policy->allow, "/sys", false))
			harden_refuse(ctx, "mounts", path, m, "allow.host_paths", "/sys",
				      "%s mounted writable at %s exposes the host's kernel "
				      "settings (the policy may allow \"/sys\" in host_paths)",
				      view.type, destination ? destination : "?");
	}

	struct json *linux_obj;
	if (harden_member_object(ctx->spec, "", "linux", false, &linux_obj, err) < 0)
		return -1;
	const char *propagation = NULL;
	if (linux_obj &&
	    harden_member_string(linux_obj, "linux", "rootfsPropagation", &propagation, err) < 0)
		return -1;
	if (propagation &&
	    (strcmp(propagation, "shared") == 0 || strcmp(propagation, "rshared") == 0))
		harden_refuse(ctx, "mounts", "linux.rootfsPropagation",
			      json_object_get(linux_obj, "rootfsPropagation"), NULL, NULL,
			      "%s root propagation would let mounts reach the host", propagation);
	return 0;
}

/* Every bind source named by an absolute path: where it leads on the host. */
static void mounts_queries(const struct json *spec, const char *bundle, struct host_queries *q)
{
	const struct json *mounts = json_object_get(spec, "mounts");
	for (size_t i = 0; mounts && mounts->type == JSON_ARRAY && i < mounts->array.len; i++) {
		const struct json *source = json_object_get(mounts->array.items[i], "source");
		if (source && source->type == JSON_STRING && source->string.ptr[0] == '/' &&
		    !string_list_contains(&q->paths, source->string.ptr))
			string_list_add(&q->paths, source->string.ptr);
	}
}

const struct harden_module harden_module_mounts = {
    .name = "mounts",
    .apply = mounts_apply,
    .queries = mounts_queries,
};
