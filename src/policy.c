/* SPDX-License-Identifier: Apache-2.0 */
/* The policy language: a JSON object read member by member against a table of
 * known keys. Everything is validated while loading, so the hardening core
 * never sees a policy it cannot apply. */
#include "policy.h"

#include <assert.h>
#include <string.h>

#include "capability_names.h"
#include "embedded.h"
#include "seccomp_profile.h"

const char *policy_mode_name(enum policy_mode mode)
{
	return mode == POLICY_AUDIT ? "audit" : "enforce";
}

static void string_list_copy(struct string_list *dst, const struct string_list *src)
{
	for (size_t i = 0; i < src->len; i++)
		string_list_add(dst, src->items[i]);
}

static char *xstrdup_or_null(const char *s)
{
	return s ? xstrdup(s) : NULL;
}

struct policy *policy_clone(const struct policy *src)
{
	struct policy *p = xcalloc(1, sizeof(*p));
	p->name = xstrdup_or_null(src->name);
	p->source = xstrdup_or_null(src->source);
	p->extends = xstrdup_or_null(src->extends);
	string_list_copy(&p->images, &src->images);
	p->mode = src->mode;
	string_list_copy(&p->capabilities, &src->capabilities);
	p->allow_root = src->allow_root;
	p->uid = src->uid;
	p->gid = src->gid;
	p->no_new_privileges = src->no_new_privileges;
	p->readonly_rootfs = src->readonly_rootfs;
	string_list_copy(&p->tmpfs, &src->tmpfs);
	p->seccomp_profile_name = xstrdup_or_null(src->seccomp_profile_name);
	p->seccomp_profile_text = src->seccomp_profile_text ? xstrndup(src->seccomp_profile_text,
								       src->seccomp_profile_len)
							    : NULL;
	p->seccomp_profile_len = src->seccomp_profile_len;
	p->seccomp_profile_file = xstrdup_or_null(src->seccomp_profile_file);
	p->seccomp_replace = src->seccomp_replace;
	string_list_copy(&p->seccomp_allow_syscalls, &src->seccomp_allow_syscalls);
	p->apparmor_profile = xstrdup_or_null(src->apparmor_profile);
	p->apparmor_required = src->apparmor_required;
	p->pids_limit = src->pids_limit;
	p->rlimits_len = src->rlimits_len;
	p->rlimits = xcalloc(src->rlimits_len ? src->rlimits_len : 1, sizeof(*p->rlimits));
	for (size_t i = 0; i < src->rlimits_len; i++) {
		p->rlimits[i] = src->rlimits[i];
		p->rlimits[i].type = xstrdup(src->rlimits[i].type);
	}
	string_list_copy(&p->allow.host_namespaces, &src->allow.host_namespaces);
	string_list_copy(&p->allow.host_paths, &src->allow.host_paths);
	string_list_copy(&p->allow.devices, &src->allow.devices);
	string_list_copy(&p->allow.hooks, &src->allow.hooks);
	string_list_copy(&p->allow.sysctls, &src->allow.sysctls);
	string_list_copy(&p->allow.fields, &src->allow.fields);
	string_list_copy(&p->allow.annotations, &src->allow.annotations);
	string_list_copy(&p->allow.mount_types, &src->allow.mount_types);
	string_list_copy(&p->allow.seccomp, &src->allow.seccomp);
	string_list_copy(&p->allow.root_paths, &src->allow.root_paths);
	p->allow.restore = src->allow.restore;
	string_list_copy(&p->allow.exec_paths, &src->allow.exec_paths);
	p->allow.exec_memfd = src->allow.exec_memfd;
	return p;
}

void policy_free(struct policy *p)
{
	if (!p)
		return;
	xfree(p->name);
	xfree(p->source);
	xfree(p->extends);
	string_list_clear(&p->images);
	string_list_clear(&p->capabilities);
	string_list_clear(&p->tmpfs);
	xfree(p->seccomp_profile_name);
	xfree(p->seccomp_profile_text);
	xfree(p->seccomp_profile_file);
	string_list_clear(&p->seccomp_allow_syscalls);
	xfree(p->apparmor_profile);
	for (size_t i = 0; i < p->rlimits_len; i++)
		xfree(p->rlimits[i].type);
	xfree(p->rlimits);
	string_list_clear(&p->allow.host_namespaces);
	string_list_clear(&p->allow.host_paths);
	string_list_clear(&p->allow.devices);
	string_list_clear(&p->allow.hooks);
	string_list_clear(&p->allow.sysctls);
	string_list_clear(&p->allow.fields);
	string_list_clear(&p->allow.annotations);
	string_list_clear(&p->allow.mount_types);
	string_list_clear(&p->allow.seccomp);
	string_list_clear(&p->allow.root_paths);
	string_list_clear(&p->allow.exec_paths);
	xfree(p);
}

/* What a policy enforces before any file says otherwise: nothing, except the
 * ids root becomes (65534 is "nobody" on Debian and in most images). */
static struct policy *policy_new_empty(void)
{
	struct policy *p = xcalloc(1, sizeof(*p));
	p->uid = 65534;
	p->gid = 65534;
	p->rlimits = xcalloc(1, sizeof(*p->rlimits));
	return p;
}

/* ---- reading values ---------------------------------------------------- */

/* The loader reads every member it knows and records every problem (with
 * the offset of the node it is about) before it says whether the policy
 * loads: `check` shows them all, the runtime the first. */
struct policy_loader {
	struct policy *policy;
	const struct policy_load_context *lctx;
	struct diagnostics *diagnostics;
};

/* The JSON paths of members and items, for diagnostics: made for every
 * member read, so without printf. */
static char *member_path(const char *path, const char *key)
{
	return *path ? xstrcat3(path, ".", key) : xstrdup(key);
}

static char *item_path(const char *path, size_t index)
{
	return xstrcat_index(path, "", index);
}

static int loader_error(struct policy_loader *l, const struct json *node, const char *path,
			const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static int loader_error(struct policy_loader *l, const struct json *node, const char *path,
			const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	cleanup_free char *reason = xvasprintf(fmt, ap);
	va_end(ap);
	diagnostics_add(l->diagnostics, DIAGNOSTIC_ERROR, node->offset, path, "%s", reason);
	return -1;
}

static int expect_type(struct policy_loader *l, const struct json *v, enum json_type type,
		       const char *what, const char *path)
{
	if (v->type != type)
		return loader_error(l, v, path, "must be %s", what);
	return 0;
}

static int read_bool(struct policy_loader *l, const struct json *v, const char *path, bool *out)
{
	if (expect_type(l, v, JSON_BOOL, "true or false", path) < 0)
		return -1;
	*out = v->boolean;
	return 0;
}

static bool is_c_string(const struct json *v)
{
	return v->type == JSON_STRING && strlen(v->string.ptr) == v->string.len;
}

static int read_string(struct policy_loader *l, const struct json *v, const char *path, char **out)
{
	if (expect_type(l, v, JSON_STRING, "a string", path) < 0)
		return -1;
	if (!is_c_string(v))
		return loader_error(l, v, path, "must not contain a NUL character");
	xfree(*out);
	*out = xstrdup(v->string.ptr);
	return 0;
}

typedef int (*string_check_fn)(struct policy_loader *l, const struct json *item, const char *path);

/* A list of strings replaces the inherited list as a whole: a policy that
 * extends another and names "capabilities" says the whole allowlist. Every
 * item is checked; with any refused, the inherited list stays. */
static int read_string_list(struct policy_loader *l, const struct json *v, const char *path,
			    struct string_list *out, string_check_fn check)
{
	if (expect_type(l, v, JSON_ARRAY, "a list of strings", path) < 0)
		return -1;
	struct string_list list = {0};
	int r = 0;
	for (size_t i = 0; i < v->array.len; i++) {
		const struct json *item = v->array.items[i];
		cleanup_free char *where = item_path(path, i);
		if (!is_c_string(item))
			r = loader_error(l, item, where, "must be a string");
		else if (check && check(l, item, where) < 0)
			r = -1;
		else if (!string_list_contains(&list, item->string.ptr))
			string_list_add(&list, item->string.ptr);
	}
	if (r < 0) {
		string_list_clear(&list);
		return -1;
	}
	string_list_clear(out);
	*out = list;
	return 0;
}

static int check_capability(struct policy_loader *l, const struct json *item, const char *path)
{
	if (capability_name_is_valid(item->string.ptr))
		return 0;
	loader_error(l, item, path,
		     "unknown capability \"%s\" (names are written as in the OCI spec, e.g. "
		     "\"CAP_NET_BIND_SERVICE\")",
		     item->string.ptr);
	struct diagnostic *d = &l->diagnostics->items[l->diagnostics->len - 1];
	d->kind = DIAGNOSTIC_UNKNOWN_CAPABILITY;
	d->subject = xstrdup(item->string.ptr);
	return -1;
}

/* An absolute path with no "." or ".." component: runc resolves mount
 * destinations inside the rootfs, and a policy should say what it means. */
bool policy_path_has_dot_component(const char *path)
{
	for (const char *p = path; *p;) {
		while (*p == '/')
			p++;
		const char *end = strchrnul(p, '/');
		size_t n = (size_t)(end - p);
		if ((n == 1 && p[0] == '.') || (n == 2 && p[0] == '.' && p[1] == '.'))
			return true;
		p = end;
	}
	return false;
}

static int check_absolute_path(struct policy_loader *l, const struct json *item, const char *path)
{
	const char *s = item->string.ptr;
	if (s[0] != '/')
		return loader_error(l, item, path, "\"%s\" is not an absolute path", s);
	if (policy_path_has_dot_component(s))
		return loader_error(l, item, path, "\"%s\" has a \".\" or \"..\" component", s);
	return 0;
}

static int check_glob(struct policy_loader *l, const struct json *item, const char *path)
{
	if (*item->string.ptr == '\0')
		return loader_error(l, item, path, "an empty pattern matches nothing");
	return 0;
}

static int check_namespace(struct policy_loader *l, const struct json *item, const char *path)
{
	static const char *const namespaces[] = {"pid",	  "network", "ipc",    "uts",
						 "mount", "user",    "cgroup", "time"};
	for (size_t i = 0; i < ARRAY_SIZE(namespaces); i++)
		if (strcmp(item->string.ptr, namespaces[i]) == 0)
			return 0;
	return loader_error(l, item, path,
			    "unknown namespace \"%s\" (one of pid, network, ipc, uts, mount, "
			    "user, cgroup, time)",
			    item->string.ptr);
}

static int check_host_path(struct policy_loader *l, const struct json *item, const char *path)
{
	if (item->string.ptr[0] != '/')
		return loader_error(l, item, path, "\"%s\" is not an absolute path pattern",
				    item->string.ptr);
	return 0;
}

/* ---- the key table ------------------------------------------------------ */

struct policy_key {
	const char *name;
	int (*read)(struct policy_loader *loader, const struct json *v, const char *path);
};

static int read_object_keys(struct policy_loader *loader, const struct json *v, const char *path,
			    const struct policy_key *keys, size_t n_keys);

static int key_images(struct policy_loader *l, const struct json *v, const char *path)
{
	return read_string_list(l, v, path, &l->policy->images, check_glob);
}

static int key_extends(struct policy_loader *l, const struct json *v, const char *path)
{
	if (read_string(l, v, path, &l->policy->extends) < 0)
		return -1;
	if (!policy_name_is_valid(l->policy->extends))
		return loader_error(l, v, path,
				    "\"%s\" is not a policy name (a file name in the policy "
				    "directory, without \".json\")",
				    l->policy->extends);
	return 0;
}

static int key_mode(struct policy_loader *l, const struct json *v, const char *path)
{
	if (v->type == JSON_STRING && strcmp(v->string.ptr, "enforce") == 0)
		l->policy->mode = POLICY_ENFORCE;
	else if (v->type == JSON_STRING && strcmp(v->string.ptr, "audit") == 0)
		l->policy->mode = POLICY_AUDIT;
	else
		return loader_error(l, v, path, "must be \"enforce\" or \"audit\"");
	return 0;
}

static int key_capabilities(struct policy_loader *l, const struct json *v, const char *path)
{
	return read_string_list(l, v, path, &l->policy->capabilities, check_capability);
}

static int read_id(struct policy_loader *l, const struct json *v, const char *path, uint32_t *out)
{
	uint64_t n;
	if (v->type != JSON_NUMBER || !json_number_uint64(v, &n) || n > UINT32_MAX)
		return loader_error(l, v, path, "must be an integer from 0 to %u", UINT32_MAX);
	*out = (uint32_t)n;
	return 0;
}

static int key_user_uid(struct policy_loader *l, const struct json *v, const char *path)
{
	return read_id(l, v, path, &l->policy->uid);
}

static int key_user_gid(struct policy_loader *l, const struct json *v, const char *path)
{
	return read_id(l, v, path, &l->policy->gid);
}

static int key_user_allow_root(struct policy_loader *l, const struct json *v, const char *path)
{
	return read_bool(l, v, path, &l->policy->allow_root);
}

static const struct policy_key user_keys[] = {
    {"uid", key_user_uid},
    {"gid", key_user_gid},
    {"allow_root", key_user_allow_root},
};

static int key_user(struct policy_loader *l, const struct json *v, const char *path)
{
	int r = read_object_keys(l, v, path, user_keys, ARRAY_SIZE(user_keys));
	if (v->type != JSON_OBJECT)
		return r;
	/* Mapping root to root would make "non-root" a lie. */
	if (!l->policy->allow_root && (l->policy->uid == 0 || l->policy->gid == 0))
		return loader_error(l, v, path,
				    "uid and gid must not be 0; set \"allow_root\": true for "
				    "images that need root");
	return r;
}

static int key_no_new_privileges(struct policy_loader *l, const struct json *v, const char *path)
{
	return read_bool(l, v, path, &l->policy->no_new_privileges);
}

static int key_readonly_rootfs(struct policy_loader *l, const struct json *v, const char *path)
{
	return read_bool(l, v, path, &l->policy->readonly_rootfs);
}

static int key_tmpfs(struct policy_loader *l, const struct json *v, const char *path)
{
	return read_string_list(l, v, path, &l->policy->tmpfs, check_absolute_path);
}

static void set_seccomp_profile(struct policy *p, const char *name, char *text, size_t len)
{
	xfree(p->seccomp_profile_file);
	p->seccomp_profile_file = NULL;
	xfree(p->seccomp_profile_text);
	p->seccomp_profile_text = text;
	p->seccomp_profile_len = len;
	xfree(p->seccomp_profile_name);
	p->seccomp_profile_name = name ? xstrdup(name) : NULL;
}

struct json *policy_seccomp_profile(const struct policy *policy, oh_error_t *err)
{
	if (!policy->seccomp_profile_text)
		return NULL;
	/* The embedded profile (or a copy of it in a file) is read already. */
	const struct json_frozen *embedded = &embedded_default_seccomp_tree;
	if (policy->seccomp_profile_len == embedded->compact_len &&
	    memcmp(policy->seccomp_profile_text, embedded->compact, embedded->compact_len) == 0)
		return (struct json *)&embedded->node;
	struct json *profile = json_parse(policy->seccomp_profile_text, policy->seccomp_profile_len,
					  JSON_PARSE_COMMENTS, err);
	if (!profile)
		oh_error_wrap(err, "seccomp profile \"%s\"", policy->seccomp_profile_name);
	return profile;
}

char *policy_seccomp_profile_path(const char *policy_dir, const char *name)
{
	cleanup_free char *relative =
	    strchr(name, '/') ? xstrdup(name) : xasprintf("seccomp/%s.json", name);
	return path_join(policy_dir, relative);
}

static int load_seccomp_profile(struct policy_loader *l, const struct json *v, const char *name,
				const char *path)
{
	struct policy *p = l->policy;
	if (strcmp(name, "default") == 0) {
		/* Compiled in, and its shape checked by the unit tests: it is
		 * parsed only when a container needs it. */
		set_seccomp_profile(
		    p, name, xstrndup(embedded_default_seccomp, embedded_default_seccomp_len),
		    embedded_default_seccomp_len);
		return 0;
	}
	const char *dir = l->lctx ? l->lctx->policy_dir : NULL;
	if (!dir)
		return loader_error(l, v, path,
				    "seccomp profile \"%s\" is not embedded and no policy "
				    "directory is configured",
				    name);
	cleanup_free char *file = policy_seccomp_profile_path(dir, name);
	if (file[0] != '/')
		return loader_error(l, v, path, "\"%s\" is not an absolute path", file);
	if (policy_path_has_dot_component(file))
		return loader_error(l, v, path, "\"%s\" has a \".\" or \"..\" component", file);
	set_seccomp_profile(p, name, NULL, 0);
	p->seccomp_profile_file = steal_pointer(&file);
	return 0;
}

static int key_seccomp_profile(struct policy_loader *l, const struct json *v, const char *path)
{
	cleanup_free char *name = NULL;
	if (read_string(l, v, path, &name) < 0)
		return -1;
	if (*name == '\0') {
		/* An empty name turns seccomp enforcement off for this policy. */
		set_seccomp_profile(l->policy, NULL, NULL, 0);
		return 0;
	}
	return load_seccomp_profile(l, v, name, path);
}

static int key_seccomp_replace(struct policy_loader *l, const struct json *v, const char *path)
{
	if (v->type == JSON_STRING && strcmp(v->string.ptr, "missing") == 0)
		l->policy->seccomp_replace = SECCOMP_REPLACE_MISSING;
	else if (v->type == JSON_STRING && strcmp(v->string.ptr, "always") == 0)
		l->policy->seccomp_replace = SECCOMP_REPLACE_ALWAYS;
	else
		return loader_error(l, v, path, "must be \"missing\" or \"always\"");
	return 0;
}

/* A syscall name as libseccomp spells them: "io_uring_setup", "_llseek". */
static int check_syscall_name(struct policy_loader *l, const struct json *item, const char *path)
{
	const char *s = item->string.ptr;
	if (*s == '\0' || strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789_") != strlen(s))
		return loader_error(l, item, path, "\"%s\" is not a syscall name", s);
	return 0;
}

static int key_seccomp_allow_syscalls(struct policy_loader *l, const struct json *v,
				      const char *path)
{
	return read_string_list(l, v, path, &l->policy->seccomp_allow_syscalls, check_syscall_name);
}

static const struct policy_key seccomp_keys[] = {
    {"profile", key_seccomp_profile},
    {"replace", key_seccomp_replace},
    {"allow_syscalls", key_seccomp_allow_syscalls},
};

static int key_seccomp(struct policy_loader *l, const struct json *v, const char *path)
{
	return read_object_keys(l, v, path, seccomp_keys, ARRAY_SIZE(seccomp_keys));
}

static int key_apparmor_profile(struct policy_loader *l, const struct json *v, const char *path)
{
	return read_string(l, v, path, &l->policy->apparmor_profile);
}

static int key_apparmor_required(struct policy_loader *l, const struct json *v, const char *path)
{
	return read_bool(l, v, path, &l->policy->apparmor_required);
}

static const struct policy_key apparmor_keys[] = {
    {"profile", key_apparmor_profile},
    {"required", key_apparmor_required},
};

static int key_apparmor(struct policy_loader *l, const struct json *v, const char *path)
{
	return read_object_keys(l, v, path, apparmor_keys, ARRAY_SIZE(apparmor_keys));
}

static int key_pids_limit(struct policy_loader *l, const struct json *v, const char *path)
{
	int64_t n;
	if (v->type != JSON_NUMBER || !json_number_int64(v, &n) || n < 0)
		return loader_error(l, v, path, "must be a non-negative integer (0 for none)");
	l->policy->pids_limit = n;
	return 0;
}

/* One limit, {"soft": N, "hard": N}; every problem of it reported. */
static int read_rlimit(struct policy_loader *l, const struct json *v, const char *path,
		       struct policy_rlimit *limit)
{
	int r = 0;
	for (size_t k = 0; k < v->object.len; k++) {
		const struct json_member *m = &v->object.members[k];
		cleanup_free char *where = member_path(path, m->key);
		uint64_t *out = strcmp(m->key, "soft") == 0   ? &limit->soft
				: strcmp(m->key, "hard") == 0 ? &limit->hard
							      : NULL;
		if (!out) {
			diagnostics_add(l->diagnostics, DIAGNOSTIC_ERROR, m->offset, where,
					"unknown key");
			r = -1;
		} else if (m->value->type != JSON_NUMBER || !json_number_uint64(m->value, out)) {
			r = loader_error(l, m->value, where, "must be a non-negative integer");
		}
	}
	static const char *const both[] = {"soft", "hard"};
	for (size_t i = 0; i < ARRAY_SIZE(both); i++) {
		if (json_object_get(v, both[i]))
			continue;
		cleanup_free char *where = member_path(path, both[i]);
		r = loader_error(l, v, where, "must be a non-negative integer");
	}
	if (r == 0 && limit->soft > limit->hard)
		r = loader_error(l, v, path, "soft limit above hard limit");
	return r;
}

static int key_rlimits(struct policy_loader *l, const struct json *v, const char *path)
{
	if (expect_type(l, v, JSON_OBJECT,
			"an object of {\"soft\": N, \"hard\": N} by RLIMIT_ name", path) < 0)
		return -1;
	struct policy *p = l->policy;
	int r = 0;
	for (size_t i = 0; i < v->object.len; i++) {
		const struct json_member *m = &v->object.members[i];
		cleanup_free char *where = member_path(path, m->key);
		struct policy_rlimit limit = {0};
		if (strncmp(m->key, "RLIMIT_", 7) != 0 || m->value->type != JSON_OBJECT) {
			r = loader_error(l, m->value, where,
					 "must be an RLIMIT_ name with {\"soft\": N, \"hard\": N}");
			continue;
		}
		if (read_rlimit(l, m->value, where, &limit) < 0) {
			r = -1;
			continue;
		}
		size_t at = p->rlimits_len;
		for (size_t j = 0; j < p->rlimits_len; j++)
			if (strcmp(p->rlimits[j].type, m->key) == 0)
				at = j;
		if (at == p->rlimits_len) {
			p->rlimits =
			    xrealloc(p->rlimits, (p->rlimits_len + 1) * sizeof(*p->rlimits));
			p->rlimits[p->rlimits_len++].type = xstrdup(m->key);
		}
		p->rlimits[at].soft = limit.soft;
		p->rlimits[at].hard = limit.hard;
	}
	return r;
}

static int key_allow_host_namespaces(struct policy_loader *l, const struct json *v,
				     const char *path)
{
	return read_string_list(l, v, path, &l->policy->allow.host_namespaces, check_namespace);
}

static int key_allow_host_paths(struct policy_loader *l, const struct json *v, const char *path)
{
	return read_string_list(l, v, path, &l->policy->allow.host_paths, check_host_path);
}

static int key_allow_devices(struct policy_loader *l, const struct json *v, const char *path)
{
	return read_string_list(l, v, path, &l->policy->allow.devices, check_glob);
}

static int key_allow_hooks(struct policy_loader *l, const struct json *v, const char *path)
{
	return read_string_list(l, v, path, &l->policy->allow.hooks, check_glob);
}

static int key_allow_sysctls(struct policy_loader *l, const struct json *v, const char *path)
{
	return read_string_list(l, v, path, &l->policy->allow.sysctls, check_glob);
}

static int key_allow_fields(struct policy_loader *l, const struct json *v, const char *path)
{
	return read_string_list(l, v, path, &l->policy->allow.fields, check_glob);
}

static int key_allow_annotations(struct policy_loader *l, const struct json *v, const char *path)
{
	return read_string_list(l, v, path, &l->policy->allow.annotations, check_glob);
}

static int key_allow_mount_types(struct policy_loader *l, const struct json *v, const char *path)
{
	return read_string_list(l, v, path, &l->policy->allow.mount_types, check_glob);
}

static int key_allow_seccomp(struct policy_loader *l, const struct json *v, const char *path)
{
	return read_string_list(l, v, path, &l->policy->allow.seccomp, check_glob);
}

static int key_allow_root_paths(struct policy_loader *l, const struct json *v, const char *path)
{
	return read_string_list(l, v, path, &l->policy->allow.root_paths, check_host_path);
}

static int key_allow_restore(struct policy_loader *l, const struct json *v, const char *path)
{
	return read_bool(l, v, path, &l->policy->allow.restore);
}

/* A pattern for a mount's destination: absolute, or "*" and its like. */
static int check_exec_path(struct policy_loader *l, const struct json *item, const char *path)
{
	const char *s = item->string.ptr;
	if (s[0] != '/' && s[0] != '*')
		return loader_error(l, item, path,
				    "\"%s\" is not a pattern for an absolute path (a mount's "
				    "destination in the container)",
				    s);
	return 0;
}

static int key_allow_exec_paths(struct policy_loader *l, const struct json *v, const char *path)
{
	return read_string_list(l, v, path, &l->policy->allow.exec_paths, check_exec_path);
}

static int key_allow_exec_memfd(struct policy_loader *l, const struct json *v, const char *path)
{
	return read_bool(l, v, path, &l->policy->allow.exec_memfd);
}

static const struct policy_key allow_keys[] = {
    {"host_namespaces", key_allow_host_namespaces},
    {"host_paths", key_allow_host_paths},
    {"devices", key_allow_devices},
    {"hooks", key_allow_hooks},
    {"sysctls", key_allow_sysctls},
    {"fields", key_allow_fields},
    {"annotations", key_allow_annotations},
    {"mount_types", key_allow_mount_types},
    {"seccomp", key_allow_seccomp},
    {"root_paths", key_allow_root_paths},
    {"restore", key_allow_restore},
    {"exec_paths", key_allow_exec_paths},
    {"exec_memfd", key_allow_exec_memfd},
};

static int key_allow(struct policy_loader *l, const struct json *v, const char *path)
{
	return read_object_keys(l, v, path, allow_keys, ARRAY_SIZE(allow_keys));
}

static const struct policy_key policy_keys[] = {
    {"images", key_images},
    {"extends", key_extends},
    {"mode", key_mode},
    {"capabilities", key_capabilities},
    {"user", key_user},
    {"no_new_privileges", key_no_new_privileges},
    {"readonly_rootfs", key_readonly_rootfs},
    {"tmpfs", key_tmpfs},
    {"seccomp", key_seccomp},
    {"apparmor", key_apparmor},
    {"pids_limit", key_pids_limit},
    {"rlimits", key_rlimits},
    {"allow", key_allow},
};

const char *policy_known_key(const char *object_path, size_t index)
{
	static const struct {
		const char *path;
		const struct policy_key *keys;
		size_t len;
	} tables[] = {
	    {"", policy_keys, ARRAY_SIZE(policy_keys)},
	    {"user", user_keys, ARRAY_SIZE(user_keys)},
	    {"seccomp", seccomp_keys, ARRAY_SIZE(seccomp_keys)},
	    {"apparmor", apparmor_keys, ARRAY_SIZE(apparmor_keys)},
	    {"allow", allow_keys, ARRAY_SIZE(allow_keys)},
	};
	for (size_t t = 0; t < ARRAY_SIZE(tables); t++)
		if (strcmp(tables[t].path, object_path) == 0)
			return index < tables[t].len ? tables[t].keys[index].name : NULL;
	return NULL;
}

/* Every member of the object `v` by the table `keys`: unknown keys and
 * repeated ones are reported, and every known key is read, whatever the
 * others hold. */
static int read_object_keys(struct policy_loader *loader, const struct json *v, const char *path,
			    const struct policy_key *keys, size_t n_keys)
{
	if (expect_type(loader, v, JSON_OBJECT, "an object", path) < 0)
		return -1;
	int r = 0;
	uint64_t seen = 0; /* by index in `keys` */
	for (size_t i = 0; i < v->object.len; i++) {
		const struct json_member *m = &v->object.members[i];
		cleanup_free char *where = member_path(path, m->key);
		size_t k;
		for (k = 0; k < n_keys; k++)
			if (strcmp(keys[k].name, m->key) == 0)
				break;
		if (k == n_keys) {
			struct diagnostic *d = diagnostics_add(
			    loader->diagnostics, DIAGNOSTIC_ERROR, m->offset, where, "unknown key");
			d->kind = DIAGNOSTIC_UNKNOWN_KEY;
			d->subject = xstrdup(m->key);
			d->context = xstrdup(path);
			r = -1;
			continue;
		}
		/* A policy is read as the JSON it is: a key given twice is read
		 * twice, and the later value wins. Likely a mistake: warn. */
		assert(k < 64);
		bool repeated = seen & (UINT64_C(1) << k);
		seen |= UINT64_C(1) << k;
		for (size_t j = 0; repeated && j < i; j++) {
			if (strcmp(v->object.members[j].key, m->key) != 0)
				continue;
			struct diagnostic *d =
			    diagnostics_add(loader->diagnostics, DIAGNOSTIC_WARNING, m->offset,
					    where, "repeated key; the later value overrides");
			d->kind = DIAGNOSTIC_REPEATED_KEY;
			d->related = v->object.members[j].offset;
			break;
		}
		/* null means "not set", as in the OCI config. */
		if (m->value->type == JSON_NULL)
			continue;
		if (keys[k].read(loader, m->value, where) < 0)
			r = -1;
	}
	return r;
}

struct policy *policy_load_json_diagnosed(const struct json *doc, const char *name,
					  const char *source, const struct policy *base,
					  const struct policy_load_context *lctx,
					  struct diagnostics *diagnostics)
{
	assert(doc && name && source && diagnostics);
	struct policy_loader loader = {
	    .policy = base ? policy_clone(base) : policy_new_empty(),
	    .lctx = lctx,
	    .diagnostics = diagnostics,
	};
	/* What a policy inherits of its base's identity is only the rules. */
	string_list_clear(&loader.policy->images);
	xfree(loader.policy->extends);
	loader.policy->extends = NULL;
	xfree(loader.policy->name);
	loader.policy->name = xstrdup(name);
	xfree(loader.policy->source);
	loader.policy->source = xstrdup(source);

	if (doc->type != JSON_OBJECT)
		loader_error(&loader, doc, "", "a policy must be a JSON object");
	else
		read_object_keys(&loader, doc, "", policy_keys, ARRAY_SIZE(policy_keys));
	return loader.policy;
}

int policy_load_json(const struct json *doc, const char *name, const char *source,
		     const struct policy *base, const struct policy_load_context *lctx,
		     struct policy **out, oh_error_t *err)
{
	struct diagnostics diagnostics = {0};
	struct policy *policy =
	    policy_load_json_diagnosed(doc, name, source, base, lctx, &diagnostics);
	const struct diagnostic *first = diagnostics_first_error(&diagnostics);
	int r = 0;
	if (first) {
		cleanup_free char *message = diagnostic_message(first);
		r = oh_error_make(err, 0, "%s", message);
		policy_free(policy);
	} else {
		*out = policy;
	}
	diagnostics_clear(&diagnostics);
	return r;
}

/* --- the policy as text, as policy_to_json's tree writes compactly ------ */

static void policy_write_key(struct strbuf *out, const char *key)
{
	json_write_string(key, strlen(key), out);
	strbuf_putc(out, ':');
}

static void policy_write_str(struct strbuf *out, const char *s)
{
	json_write_string(s, strlen(s), out);
}

static void policy_write_list(struct strbuf *out, const struct string_list *list)
{
	strbuf_putc(out, '[');
	for (size_t i = 0; i < list->len; i++) {
		if (i)
			strbuf_putc(out, ',');
		policy_write_str(out, list->items[i]);
	}
	strbuf_putc(out, ']');
}

static void policy_write_bool(struct strbuf *out, bool b)
{
	strbuf_puts(out, b ? "true" : "false");
}

void policy_write_json(const struct policy *p, struct strbuf *out)
{
	strbuf_puts(out, "{\"mode\":");
	policy_write_str(out, policy_mode_name(p->mode));
	strbuf_puts(out, ",\"capabilities\":");
	policy_write_list(out, &p->capabilities);
	strbuf_puts(out, ",\"user\":{\"uid\":");
	strbuf_put_decimal(out, p->uid);
	strbuf_puts(out, ",\"gid\":");
	strbuf_put_decimal(out, p->gid);
	strbuf_puts(out, ",\"allow_root\":");
	policy_write_bool(out, p->allow_root);
	strbuf_puts(out, "},\"no_new_privileges\":");
	policy_write_bool(out, p->no_new_privileges);
	strbuf_puts(out, ",\"readonly_rootfs\":");
	policy_write_bool(out, p->readonly_rootfs);
	strbuf_puts(out, ",\"tmpfs\":");
	policy_write_list(out, &p->tmpfs);
	strbuf_puts(out, ",\"seccomp\":{\"allow_syscalls\":");
	policy_write_list(out, &p->seccomp_allow_syscalls);
	strbuf_puts(out, "},\"apparmor\":{\"profile\":");
	policy_write_str(out, p->apparmor_profile ? p->apparmor_profile : "");
	strbuf_puts(out, ",\"required\":");
	policy_write_bool(out, p->apparmor_required);
	strbuf_puts(out, "},\"pids_limit\":");
	if (p->pids_limit < 0)
		strbuf_putc(out, '-');
	strbuf_put_decimal(out, p->pids_limit < 0 ? 0ULL - (uint64_t)p->pids_limit
						  : (uint64_t)p->pids_limit);
	/* The loader keeps one entry per type (policy_load_json), so no key
	 * repeats here, as none can in the tree. */
	strbuf_puts(out, ",\"rlimits\":{");
	for (size_t i = 0; i < p->rlimits_len; i++) {
		if (i)
			strbuf_putc(out, ',');
		policy_write_key(out, p->rlimits[i].type);
		strbuf_puts(out, "{\"soft\":");
		strbuf_put_decimal(out, p->rlimits[i].soft);
		strbuf_puts(out, ",\"hard\":");
		strbuf_put_decimal(out, p->rlimits[i].hard);
		strbuf_putc(out, '}');
	}
	const struct policy_allow *a = &p->allow;
	strbuf_puts(out, "},\"allow\":{\"host_namespaces\":");
	policy_write_list(out, &a->host_namespaces);
	strbuf_puts(out, ",\"host_paths\":");
	policy_write_list(out, &a->host_paths);
	strbuf_puts(out, ",\"devices\":");
	policy_write_list(out, &a->devices);
	strbuf_puts(out, ",\"hooks\":");
	policy_write_list(out, &a->hooks);
	strbuf_puts(out, ",\"sysctls\":");
	policy_write_list(out, &a->sysctls);
	strbuf_puts(out, ",\"fields\":");
	policy_write_list(out, &a->fields);
	strbuf_puts(out, ",\"annotations\":");
	policy_write_list(out, &a->annotations);
	strbuf_puts(out, ",\"mount_types\":");
	policy_write_list(out, &a->mount_types);
	strbuf_puts(out, ",\"seccomp\":");
	policy_write_list(out, &a->seccomp);
	strbuf_puts(out, ",\"root_paths\":");
	policy_write_list(out, &a->root_paths);
	strbuf_puts(out, ",\"restore\":");
	policy_write_bool(out, a->restore);
	strbuf_puts(out, ",\"exec_paths\":");
	policy_write_list(out, &a->exec_paths);
	strbuf_puts(out, ",\"exec_memfd\":");
	policy_write_bool(out, a->exec_memfd);
	strbuf_puts(out, "}}");
}

struct json *policy_to_json(const struct policy *p)
{
	struct json *doc = json_new_object();
	json_object_set(doc, "mode", json_new_string(policy_mode_name(p->mode)));
	json_object_set(doc, "capabilities", json_new_string_list(&p->capabilities));
	struct json *user = json_new_object();
	json_object_set(user, "uid", json_new_uint(p->uid));
	json_object_set(user, "gid", json_new_uint(p->gid));
	json_object_set(user, "allow_root", json_new_bool(p->allow_root));
	json_object_set(doc, "user", user);
	json_object_set(doc, "no_new_privileges", json_new_bool(p->no_new_privileges));
	json_object_set(doc, "readonly_rootfs", json_new_bool(p->readonly_rootfs));
	json_object_set(doc, "tmpfs", json_new_string_list(&p->tmpfs));
	struct json *seccomp = json_new_object();
	json_object_set(seccomp, "allow_syscalls",
			json_new_string_list(&p->seccomp_allow_syscalls));
	json_object_set(doc, "seccomp", seccomp);
	struct json *apparmor = json_new_object();
	json_object_set(apparmor, "profile",
			json_new_string(p->apparmor_profile ? p->apparmor_profile : ""));
	json_object_set(apparmor, "required", json_new_bool(p->apparmor_required));
	json_object_set(doc, "apparmor", apparmor);
	json_object_set(doc, "pids_limit", json_new_int(p->pids_limit));
	struct json *rlimits = json_new_object();
	for (size_t i = 0; i < p->rlimits_len; i++) {
		struct json *limit = json_new_object();
		json_object_set(limit, "soft", json_new_uint(p->rlimits[i].soft));
		json_object_set(limit, "hard", json_new_uint(p->rlimits[i].hard));
		json_object_set(rlimits, p->rlimits[i].type, limit);
	}
	json_object_set(doc, "rlimits", rlimits);
	struct json *allow = json_new_object();
	json_object_set(allow, "host_namespaces", json_new_string_list(&p->allow.host_namespaces));
	json_object_set(allow, "host_paths", json_new_string_list(&p->allow.host_paths));
	json_object_set(allow, "devices", json_new_string_list(&p->allow.devices));
	json_object_set(allow, "hooks", json_new_string_list(&p->allow.hooks));
	json_object_set(allow, "sysctls", json_new_string_list(&p->allow.sysctls));
	json_object_set(allow, "fields", json_new_string_list(&p->allow.fields));
	json_object_set(allow, "annotations", json_new_string_list(&p->allow.annotations));
	json_object_set(allow, "mount_types", json_new_string_list(&p->allow.mount_types));
	json_object_set(allow, "seccomp", json_new_string_list(&p->allow.seccomp));
	json_object_set(allow, "root_paths", json_new_string_list(&p->allow.root_paths));
	json_object_set(allow, "restore", json_new_bool(p->allow.restore));
	json_object_set(allow, "exec_paths", json_new_string_list(&p->allow.exec_paths));
	json_object_set(allow, "exec_memfd", json_new_bool(p->allow.exec_memfd));
	json_object_set(doc, "allow", allow);
	return doc;
}
