/* SPDX-License-Identifier: Apache-2.0 */
#include "drift.h"

#include <string.h>

#include "audit_trail.h"
#include "util.h"

/* Whether `path` is `dir` or under it. */
static bool path_under(const char *path, const char *dir)
{
	size_t n = strlen(dir);
	while (n > 1 && dir[n - 1] == '/')
		n--;
	if (n == 1 && dir[0] == '/')
		return path[0] == '/';
	return strncmp(path, dir, n) == 0 && (path[n] == '\0' || path[n] == '/');
}

static bool mount_has_option(const struct json *mount, const char *option)
{
	const struct json *options = json_object_get(mount, "options");
	if (!options || options->type != JSON_ARRAY)
		return false;
	for (size_t i = 0; i < options->array.len; i++) {
		const struct json *o = options->array.items[i];
		if (o->type == JSON_STRING && strcmp(o->string.ptr, option) == 0)
			return true;
	}
	return false;
}

static const char *mount_string(const struct json *mount, const char *key)
{
	const struct json *v = json_object_get(mount, key);
	return v && v->type == JSON_STRING ? v->string.ptr : NULL;
}

const struct json *drift_writable_mount(const struct json *spec, const char *path)
{
	const struct json *mounts = spec ? json_object_get(spec, "mounts") : NULL;
	if (!mounts || mounts->type != JSON_ARRAY || !path)
		return NULL;
	/* The deepest mount holding the path is the one it is on; of two at
	 * one destination, the later covers the earlier (runc mounts them in
	 * order: libcontainer/rootfs_linux.go, prepareRootfs). */
	const struct json *on = NULL;
	size_t on_len = 0;
	for (size_t i = 0; i < mounts->array.len; i++) {
		const struct json *m = mounts->array.items[i];
		const char *dest = m->type == JSON_OBJECT ? mount_string(m, "destination") : NULL;
		if (!dest || !path_under(path, dest))
			continue;
		if (!on || strlen(dest) >= on_len) {
			on = m;
			on_len = strlen(dest);
		}
	}
	if (!on || mount_has_option(on, "ro"))
		return NULL;
	const char *type = mount_string(on, "type");
	bool bind = mount_has_option(on, "bind") || mount_has_option(on, "rbind") ||
		    (type && strcmp(type, "bind") == 0);
	bool tmpfs = type && strcmp(type, "tmpfs") == 0;
	return bind || tmpfs ? on : NULL;
}

static void set_string(struct json *o, const char *key, const char *value)
{
	json_object_set(o, key, value ? json_new_string(value) : json_new_null());
}

static struct json *process_of(const struct observation_seen *seen)
{
	struct json *p = json_new_object();
	if (seen->pid > 0)
		json_object_set(p, "pid", json_new_int(seen->pid));
	if (seen->comm)
		json_object_set(p, "comm", json_new_string(seen->comm));
	if (seen->uid >= 0)
		json_object_set(p, "uid", json_new_int(seen->uid));
	if (seen->euid >= 0)
		json_object_set(p, "euid", json_new_int(seen->euid));
	return p;
}

static struct json *drift_event(const struct drift_container *c, const struct observation_exec *x,
				const char *path, const char *outcome, const char *origin,
				const char *filesystem, const char *now)
{
	struct json *e = json_new_object();
	json_object_set(e, "v", json_new_int(AUDIT_TRAIL_EVENT_VERSION));
	set_string(e, "time", now);
	json_object_set(e, "command", json_new_string("drift"));
	set_string(e, "container", c->id);
	set_string(e, "image", c->image);
	set_string(e, "policy", c->policy);
	set_string(e, "mode", c->mode);
	json_object_set(e, "outcome", json_new_string(outcome));
	set_string(e, "path", path);
	set_string(e, "origin", origin);
	set_string(e, "filesystem", filesystem);
	if (x->error)
		json_object_set(e, "errno", json_new_int(x->error));
	set_string(e, "seen", x->seen.time);
	json_object_set(e, "process", process_of(&x->seen));
	return e;
}

struct json *drift_events(const struct drift_container *c, const struct observation *o,
			  const char *now)
{
	struct json *events = json_new_array();
	bool audit = !c->mode || strcmp(c->mode, "enforce") != 0;
	for (size_t i = 0; i < o->execs_foreign.len; i++) {
		const struct observation_exec *x = &o->execs_foreign.items[i];
		/* A memfd's file is on the kernel's internal shm mount: "other
		 * mount" to the kernel side, said as what it is here. */
		bool memfd = x->path && strncmp(x->path, "/memfd:", 7) == 0;
		json_array_append(events,
				  drift_event(c, x, x->path, audit ? "would be refused" : "ran",
					      memfd ? "memfd" : x->origin, x->filesystem, now));
	}
	/* A refused exec is drift when its file was on a writable mount or in
	 * memory; others (an image file without its execute bit) are not. */
	for (size_t i = 0; i < o->execs_refused.len; i++) {
		const struct observation_exec *x = &o->execs_refused.items[i];
		if (!x->path)
			continue;
		cleanup_free char *path = xstrdup(x->path);
		size_t n = strlen(path);
		while (n > 1 && path[n - 1] == '/')
			path[--n] = '\0';
		if (strncmp(path, "/memfd:", 7) == 0) {
			json_array_append(
			    events, drift_event(c, x, path, "refused", "memfd", "tmpfs", now));
			continue;
		}
		const struct json *mount = drift_writable_mount(c->spec, path);
		if (!mount)
			continue;
		const char *type = mount_string(mount, "type");
		json_array_append(
		    events,
		    drift_event(c, x, path, "refused", "other mount",
				type && strcmp(type, "tmpfs") == 0 ? "tmpfs" : "volume", now));
	}
	return events;
}

static const char *event_string(const struct json *e, const char *key)
{
	const char *s = mount_string(e, key);
	return s ? s : "?";
}

char *drift_event_sentence(const struct json *event)
{
	const struct json *process = json_object_get(event, "process");
	const char *comm = process ? mount_string(process, "comm") : NULL;
	int64_t pid = 0, uid = -1;
	const struct json *v;
	if (process && (v = json_object_get(process, "pid")) && v->type == JSON_NUMBER)
		json_number_int64(v, &pid);
	if (process && (v = json_object_get(process, "uid")) && v->type == JSON_NUMBER)
		json_number_int64(v, &uid);
	const char *outcome = event_string(event, "outcome");
	bool refused = strcmp(outcome, "refused") == 0;
	const char *verdict = strcmp(outcome, "would be refused") == 0
				  ? "audit mode: enforce mode would refuse it"
			      : refused ? "enforce mode: refused"
					: "enforce mode: it ran";
	return xasprintf("oci-harden: drift: container %s (image %s) %s %s, which is not from the "
			 "image's layers (%s, %s; process %s, pid %lld, uid %lld): %s",
			 event_string(event, "container"), event_string(event, "image"),
			 refused ? "tried to run" : "ran", event_string(event, "path"),
			 event_string(event, "origin"), event_string(event, "filesystem"),
			 comm ? comm : "?", (long long)pid, (long long)uid, verdict);
}
