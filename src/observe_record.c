/* SPDX-License-Identifier: Apache-2.0 */
#include "observe_record.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fileio.h"

#define OBSERVE_RECORD_MAX_BYTES (4u << 20)

char *observe_record_dir(const char *state_dir)
{
	return xasprintf("%s/observe", state_dir);
}

/* One directory per runtime root, named by FNV-1a of the root's path (the
 * root itself is in the record). */
char *observe_record_path(const char *state_dir, const char *root, const char *id)
{
	const char *named = root ? root : "(default)";
	uint64_t hash = fnv1a(FNV1A_START, named, strlen(named));
	return xasprintf("%s/observe/%016llx/%s.json", state_dir, (unsigned long long)hash, id);
}

char *observe_record_scan_marker(const char *record_path)
{
	size_t len = strlen(record_path);
	if (len > 5 && strcmp(record_path + len - 5, ".json") == 0)
		len -= 5;
	return xasprintf("%.*s.scan", (int)len, record_path);
}

static void set_string(struct json *doc, const char *key, const char *value)
{
	json_object_set(doc, key, value ? json_new_string(value) : json_new_null());
}

static int mkdir_parents(const char *path, oh_error_t *err)
{
	cleanup_free char *copy = xstrdup(path);
	for (char *p = copy + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(copy, 0700) < 0 && errno != EEXIST)
			return oh_error_make(err, errno, "cannot create %s", copy);
		*p = '/';
	}
	return 0;
}

int observe_record_write(const char *path, const struct observe_record *r, oh_error_t *err)
{
	cleanup_json struct json *doc = json_new_object();
	set_string(doc, "id", r->id);
	set_string(doc, "root", r->root);
	set_string(doc, "runtime", r->runtime);
	set_string(doc, "bundle", r->bundle);
	set_string(doc, "rootfs", r->rootfs);
	set_string(doc, "image", r->image);
	set_string(doc, "policy", r->policy);
	set_string(doc, "mode", r->mode);
	set_string(doc, "created", r->created);
	json_object_set(doc, "seccomp_profile",
			r->seccomp_profile ? json_clone(r->seccomp_profile) : json_new_null());
	if (r->started) {
		struct json *s = json_new_object();
		json_object_set(s, "mntns", json_new_uint(r->mntns));
		json_object_set(s, "pid", json_new_int(r->pid));
		json_object_set(s, "boot_ns", json_new_int(r->start_boot_ns));
		json_object_set(s, "realtime", json_new_int(r->start_realtime));
		set_string(s, "at", r->started_at);
		set_string(s, "root_fstype", r->root_fstype);
		set_string(s, "upper", r->upper);
		json_object_set(s, "lower", json_new_string_list(&r->lower));
		json_object_set(s, "kernel", json_new_bool(r->kernel));
		set_string(s, "kernel_unavailable", r->kernel_unavailable);
		set_string(s, "syscalls_watched", r->syscalls_watched);
		json_object_set(s, "uid", json_new_uint(r->uid_start));
		json_object_set(s, "gid", json_new_uint(r->gid_start));
		if (r->writes_seen)
			json_object_set(s, "writes_seen", json_clone(r->writes_seen));
		json_object_set(doc, "started", s);
	}
	cleanup_free char *text = json_to_string(doc, false);
	if (mkdir_parents(path, err) < 0)
		return -1;
	cleanup_free char *dir_copy = xstrdup(path);
	cleanup_free char *name_copy = xstrdup(path);
	cleanup_close int dirfd = open(dirname(dir_copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dirfd < 0)
		return oh_error_make(err, errno, "cannot open the directory of %s", path);
	struct stat like = {.st_mode = 0600, .st_uid = geteuid(), .st_gid = getegid()};
	return file_replace_atomically(dirfd, basename(name_copy), path, text, strlen(text), &like,
				       err);
}

static char *get_string(const struct json *doc, const char *key)
{
	const struct json *v = json_object_get(doc, key);
	return v && v->type == JSON_STRING ? xstrdup(v->string.ptr) : NULL;
}

static int64_t get_int(const struct json *doc, const char *key)
{
	const struct json *v = json_object_get(doc, key);
	int64_t n = 0;
	if (v && v->type == JSON_NUMBER)
		json_number_int64(v, &n);
	return n;
}

int observe_record_read(const char *path, struct observe_record *r, oh_error_t *err)
{
	*r = (struct observe_record){0};
	cleanup_free char *text = NULL;
	size_t len;
	if (file_read_all_flags(AT_FDCWD, path, path, OBSERVE_RECORD_MAX_BYTES, FILE_READ_NOFOLLOW,
				&text, &len, NULL, err) < 0) {
		if ((*err)->errnum == ENOENT) {
			oh_error_free(err);
			return 0;
		}
		return -1;
	}
	cleanup_json struct json *doc = json_parse(text, len, 0, err);
	if (!doc)
		return oh_error_wrap(err, "%s", path);
	if (doc->type != JSON_OBJECT || !json_object_get(doc, "id"))
		return oh_error_make(err, 0, "%s: not an observation record", path);
	r->id = get_string(doc, "id");
	r->root = get_string(doc, "root");
	r->runtime = get_string(doc, "runtime");
	r->bundle = get_string(doc, "bundle");
	r->rootfs = get_string(doc, "rootfs");
	r->image = get_string(doc, "image");
	r->policy = get_string(doc, "policy");
	r->mode = get_string(doc, "mode");
	r->created = get_string(doc, "created");
	const struct json *profile = json_object_get(doc, "seccomp_profile");
	r->seccomp_profile = profile ? json_clone(profile) : NULL;
	const struct json *s = json_object_get(doc, "started");
	if (s && s->type == JSON_OBJECT) {
		r->started = true;
		r->mntns = (uint64_t)get_int(s, "mntns");
		r->pid = get_int(s, "pid");
		r->start_boot_ns = get_int(s, "boot_ns");
		r->start_realtime = get_int(s, "realtime");
		r->started_at = get_string(s, "at");
		r->root_fstype = get_string(s, "root_fstype");
		r->upper = get_string(s, "upper");
		const struct json *lower = json_object_get(s, "lower");
		for (size_t i = 0; lower && lower->type == JSON_ARRAY && i < lower->array.len; i++)
			if (lower->array.items[i]->type == JSON_STRING)
				string_list_add(&r->lower, lower->array.items[i]->string.ptr);
		const struct json *kernel = json_object_get(s, "kernel");
		r->kernel = kernel && kernel->type == JSON_BOOL && kernel->boolean;
		r->kernel_unavailable = get_string(s, "kernel_unavailable");
		r->syscalls_watched = get_string(s, "syscalls_watched");
		r->uid_start = (uint32_t)get_int(s, "uid");
		r->gid_start = (uint32_t)get_int(s, "gid");
		const struct json *seen = json_object_get(s, "writes_seen");
		r->writes_seen = seen && seen->type == JSON_ARRAY ? json_clone(seen) : NULL;
	}
	return 1;
}

void observe_record_clear(struct observe_record *r)
{
	xfree(r->id);
	xfree(r->root);
	xfree(r->runtime);
	xfree(r->bundle);
	xfree(r->rootfs);
	xfree(r->image);
	xfree(r->policy);
	xfree(r->mode);
	xfree(r->created);
	json_free(r->seccomp_profile);
	xfree(r->started_at);
	xfree(r->root_fstype);
	xfree(r->upper);
	string_list_clear(&r->lower);
	xfree(r->kernel_unavailable);
	xfree(r->syscalls_watched);
	json_free(r->writes_seen);
	*r = (struct observe_record){0};
}
