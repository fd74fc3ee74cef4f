/* SPDX-License-Identifier: Apache-2.0 */
#include "observation.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

static const char *const write_kind_names[] = {
    [OBSERVATION_CREATED] = "created",
    [OBSERVATION_MODIFIED] = "modified",
    [OBSERVATION_DELETED] = "deleted",
};

const char *observation_write_kind_name(enum observation_write_kind kind)
{
	return write_kind_names[kind];
}

/* ---- writing ------------------------------------------------------------ */

static void set_string(struct json *o, const char *key, const char *value)
{
	if (value)
		json_object_set(o, key, json_new_string(value));
}

static void set_seen(struct json *o, const struct observation_seen *seen)
{
	set_string(o, "time", seen->time);
	if (seen->pid > 0)
		json_object_set(o, "pid", json_new_int(seen->pid));
	set_string(o, "comm", seen->comm);
	if (seen->uid >= 0)
		json_object_set(o, "uid", json_new_int(seen->uid));
	if (seen->euid >= 0 && seen->euid != seen->uid)
		json_object_set(o, "euid", json_new_int(seen->euid));
}

static struct json *capabilities_to_json(const struct observation_capability *items, size_t len)
{
	struct json *a = json_new_array();
	for (size_t i = 0; i < len; i++) {
		struct json *o = json_new_object();
		set_string(o, "name", items[i].name);
		set_string(o, "syscall", items[i].syscall);
		if (items[i].error)
			json_object_set(o, "errno", json_new_int(items[i].error));
		set_seen(o, &items[i].seen);
		json_array_append(a, o);
	}
	return a;
}

static struct json *syscalls_to_json(const struct observation_syscall *items, size_t len)
{
	struct json *a = json_new_array();
	for (size_t i = 0; i < len; i++) {
		struct json *o = json_new_object();
		set_string(o, "name", items[i].name);
		json_object_set(o, "nr", json_new_int(items[i].nr));
		set_string(o, "action", items[i].action);
		if (items[i].error)
			json_object_set(o, "errno", json_new_int(items[i].error));
		if (items[i].has_args) {
			struct json *args = json_new_array();
			for (size_t k = 0; k < 6; k++)
				json_array_append(args, json_new_uint(items[i].args[k]));
			json_object_set(o, "args", args);
		}
		set_seen(o, &items[i].seen);
		json_array_append(a, o);
	}
	return a;
}

static struct json *writes_to_json(const struct observation_write *items, size_t len)
{
	struct json *a = json_new_array();
	for (size_t i = 0; i < len; i++) {
		struct json *o = json_new_object();
		set_string(o, "path", items[i].path);
		set_string(o, "type", items[i].type);
		set_string(o, "change", observation_write_kind_name(items[i].kind));
		set_string(o, "time", items[i].time);
		json_object_set(o, "uid", json_new_int(items[i].uid));
		json_object_set(o, "gid", json_new_int(items[i].gid));
		if (items[i].gone)
			json_object_set(o, "gone", json_new_bool(true));
		json_array_append(a, o);
	}
	return a;
}

static struct json *refusals_to_json(const struct observation_refusal *items, size_t len)
{
	struct json *a = json_new_array();
	for (size_t i = 0; i < len; i++) {
		struct json *o = json_new_object();
		set_string(o, "path", items[i].path);
		set_string(o, "syscall", items[i].syscall);
		json_object_set(o, "errno", json_new_int(items[i].error));
		set_seen(o, &items[i].seen);
		json_array_append(a, o);
	}
	return a;
}

static struct json *ids_to_json(const struct observation_ids *items, size_t len)
{
	struct json *a = json_new_array();
	for (size_t i = 0; i < len; i++) {
		struct json *o = json_new_object();
		json_object_set(o, "uid", json_new_uint(items[i].uid));
		json_object_set(o, "gid", json_new_uint(items[i].gid));
		json_object_set(o, "euid", json_new_uint(items[i].euid));
		json_object_set(o, "egid", json_new_uint(items[i].egid));
		set_string(o, "how", items[i].how);
		struct observation_seen seen = items[i].seen;
		seen.uid = seen.euid = -1; /* said above */
		set_seen(o, &seen);
		json_array_append(a, o);
	}
	return a;
}

static struct json *execs_to_json(const struct observation_exec *items, size_t len)
{
	struct json *a = json_new_array();
	for (size_t i = 0; i < len; i++) {
		struct json *o = json_new_object();
		set_string(o, "path", items[i].path);
		set_string(o, "origin", items[i].origin);
		set_string(o, "filesystem", items[i].filesystem);
		if (items[i].error)
			json_object_set(o, "errno", json_new_int(items[i].error));
		set_seen(o, &items[i].seen);
		json_array_append(a, o);
	}
	return a;
}

struct json *observation_to_json(const struct observation *o)
{
	struct json *doc = json_new_object();
	json_object_set(doc, "kernel", json_new_bool(o->kernel));
	set_string(doc, "kernel_unavailable", o->kernel_unavailable);
	set_string(doc, "syscalls_watched", o->syscalls_watched);
	json_object_set(doc, "writes_source",
			o->writes_source ? json_new_string(o->writes_source) : json_new_null());
	set_string(doc, "writes_unavailable", o->writes_unavailable);
	set_string(doc, "mode", o->mode);
	set_string(doc, "started", o->started);
	set_string(doc, "ended", o->ended);
	json_object_set(doc, "complete", json_new_bool(o->complete));
	if (o->init.known) {
		struct json *init = json_new_object();
		json_object_set(init, "pid", json_new_int(o->init.pid));
		json_object_set(init, "uid_start", json_new_uint(o->init.uid_start));
		json_object_set(init, "gid_start", json_new_uint(o->init.gid_start));
		json_object_set(init, "uid_end", json_new_uint(o->init.uid_end));
		json_object_set(init, "gid_end", json_new_uint(o->init.gid_end));
		json_object_set(init, "switched", json_new_bool(o->init.switched));
		json_object_set(doc, "init", init);
	}
	json_object_set(doc, "capabilities",
			capabilities_to_json(o->capabilities.items, o->capabilities.len));
	json_object_set(
	    doc, "capabilities_denied",
	    capabilities_to_json(o->capabilities_denied.items, o->capabilities_denied.len));
	json_object_set(doc, "syscalls", syscalls_to_json(o->syscalls.items, o->syscalls.len));
	json_object_set(doc, "syscalls_denied",
			syscalls_to_json(o->syscalls_denied.items, o->syscalls_denied.len));
	json_object_set(doc, "writes", writes_to_json(o->writes.items, o->writes.len));
	json_object_set(doc, "writes_refused",
			refusals_to_json(o->writes_refused.items, o->writes_refused.len));
	json_object_set(doc, "ids", ids_to_json(o->ids.items, o->ids.len));
	json_object_set(doc, "execs_privileged",
			execs_to_json(o->execs_privileged.items, o->execs_privileged.len));
	json_object_set(doc, "execs_foreign",
			execs_to_json(o->execs_foreign.items, o->execs_foreign.len));
	json_object_set(doc, "execs_refused",
			execs_to_json(o->execs_refused.items, o->execs_refused.len));
	return doc;
}

/* ---- reading ------------------------------------------------------------ */

struct reader {
	const char *path; /* "observation.capabilities[3]" */
	oh_error_t *err;
	int failed;
};

static const struct json *member(struct reader *r, const struct json *o, const char *key,
				 enum json_type type)
{
	const struct json *v = json_object_get(o, key);
	if (v && v->type != type) {
		if (!r->failed)
			oh_error_make(r->err, 0, "%s.%s: has the wrong type", r->path, key);
		r->failed = 1;
		return NULL;
	}
	return v;
}

static char *read_string(struct reader *r, const struct json *o, const char *key)
{
	const struct json *v = member(r, o, key, JSON_STRING);
	return v ? xstrdup(v->string.ptr) : NULL;
}

static int64_t read_int(struct reader *r, const struct json *o, const char *key, int64_t absent)
{
	const struct json *v = member(r, o, key, JSON_NUMBER);
	int64_t n;
	if (!v)
		return absent;
	if (!json_number_int64(v, &n)) {
		if (!r->failed)
			oh_error_make(r->err, 0, "%s.%s: must be an integer", r->path, key);
		r->failed = 1;
		return absent;
	}
	return n;
}

static bool read_bool(struct reader *r, const struct json *o, const char *key, bool absent)
{
	const struct json *v = member(r, o, key, JSON_BOOL);
	return v ? v->boolean : absent;
}

static void read_seen(struct reader *r, const struct json *o, struct observation_seen *seen)
{
	seen->time = read_string(r, o, "time");
	seen->pid = read_int(r, o, "pid", 0);
	seen->comm = read_string(r, o, "comm");
	seen->uid = read_int(r, o, "uid", -1);
	seen->euid = read_int(r, o, "euid", seen->uid);
}

/* Each item of the list `key`, an object, handed to `one`. */
static void read_list(struct reader *r, const struct json *doc, const char *key,
		      void (*one)(struct reader *, const struct json *, void *), void *list)
{
	const struct json *a = member(r, doc, key, JSON_ARRAY);
	for (size_t i = 0; a && i < a->array.len && !r->failed; i++) {
		if (a->array.items[i]->type != JSON_OBJECT) {
			oh_error_make(r->err, 0, "%s.%s[%zu]: must be an object", r->path, key, i);
			r->failed = 1;
			return;
		}
		one(r, a->array.items[i], list);
	}
}

static void read_capability(struct reader *r, const struct json *o, void *list)
{
	struct observation_capabilities *l = list;
	struct observation_capability *c = observation_list_add(l);
	c->name = read_string(r, o, "name");
	c->syscall = read_string(r, o, "syscall");
	c->error = read_int(r, o, "errno", 0);
	read_seen(r, o, &c->seen);
	if (!c->name && !r->failed) {
		oh_error_make(r->err, 0, "%s: a capability without a name", r->path);
		r->failed = 1;
	}
}

static void read_syscall(struct reader *r, const struct json *o, void *list)
{
	struct observation_syscalls *l = list;
	struct observation_syscall *s = observation_list_add(l);
	s->name = read_string(r, o, "name");
	s->nr = read_int(r, o, "nr", -1);
	s->action = read_string(r, o, "action");
	s->error = read_int(r, o, "errno", 0);
	const struct json *args = member(r, o, "args", JSON_ARRAY);
	if (args && args->array.len == 6) {
		s->has_args = true;
		for (size_t k = 0; k < 6; k++)
			if (args->array.items[k]->type != JSON_NUMBER ||
			    !json_number_uint64(args->array.items[k], &s->args[k]))
				s->has_args = false;
	}
	read_seen(r, o, &s->seen);
	if (!s->name && !r->failed) {
		oh_error_make(r->err, 0, "%s: a syscall without a name", r->path);
		r->failed = 1;
	}
}

static void read_write(struct reader *r, const struct json *o, void *list)
{
	struct observation_writes *l = list;
	struct observation_write *w = observation_list_add(l);
	w->path = read_string(r, o, "path");
	w->type = read_string(r, o, "type");
	cleanup_free char *change = read_string(r, o, "change");
	w->kind = OBSERVATION_MODIFIED;
	for (size_t k = 0; change && k < ARRAY_SIZE(write_kind_names); k++)
		if (strcmp(change, write_kind_names[k]) == 0)
			w->kind = (enum observation_write_kind)k;
	w->time = read_string(r, o, "time");
	w->uid = read_int(r, o, "uid", -1);
	w->gid = read_int(r, o, "gid", -1);
	w->gone = read_bool(r, o, "gone", false);
	if ((!w->path || w->path[0] != '/') && !r->failed) {
		oh_error_make(r->err, 0, "%s: a write without an absolute path", r->path);
		r->failed = 1;
	}
}

static void read_refusal(struct reader *r, const struct json *o, void *list)
{
	struct observation_refusals *l = list;
	struct observation_refusal *f = observation_list_add(l);
	f->path = read_string(r, o, "path");
	f->syscall = read_string(r, o, "syscall");
	f->error = read_int(r, o, "errno", 0);
	read_seen(r, o, &f->seen);
}

static uint32_t read_id(struct reader *r, const struct json *o, const char *key)
{
	int64_t n = read_int(r, o, key, 0);
	if ((n < 0 || n > UINT32_MAX) && !r->failed) {
		oh_error_make(r->err, 0, "%s.%s: not an id", r->path, key);
		r->failed = 1;
	}
	return (uint32_t)n;
}

static void read_ids(struct reader *r, const struct json *o, void *list)
{
	struct observation_id_list *l = list;
	struct observation_ids *ids = observation_list_add(l);
	ids->uid = read_id(r, o, "uid");
	ids->gid = read_id(r, o, "gid");
	ids->euid = read_id(r, o, "euid");
	ids->egid = read_id(r, o, "egid");
	ids->how = read_string(r, o, "how");
	read_seen(r, o, &ids->seen);
}

static void read_exec(struct reader *r, const struct json *o, void *list)
{
	struct observation_execs *l = list;
	struct observation_exec *e = observation_list_add(l);
	e->path = read_string(r, o, "path");
	e->origin = read_string(r, o, "origin");
	e->filesystem = read_string(r, o, "filesystem");
	e->error = read_int(r, o, "errno", 0);
	read_seen(r, o, &e->seen);
}

int observation_writes_from_json(const struct json *writes, struct observation *o, oh_error_t *err)
{
	struct reader r = {.path = "writes", .err = err};
	struct json *doc = json_new_object();
	json_object_set(doc, "writes", json_clone(writes));
	read_list(&r, doc, "writes", read_write, &o->writes);
	json_free(doc);
	return r.failed ? -1 : 0;
}

struct json *observation_writes_to_json(const struct observation *o)
{
	return writes_to_json(o->writes.items, o->writes.len);
}

int observation_from_json(const struct json *doc, struct observation *out, oh_error_t *err)
{
	*out = (struct observation){0};
	struct reader r = {.path = "observation", .err = err};
	if (!doc || doc->type != JSON_OBJECT)
		return oh_error_make(err, 0, "observation: must be an object");
	out->kernel = read_bool(&r, doc, "kernel", false);
	out->kernel_unavailable = read_string(&r, doc, "kernel_unavailable");
	out->syscalls_watched = read_string(&r, doc, "syscalls_watched");
	out->writes_source = read_string(&r, doc, "writes_source");
	out->writes_unavailable = read_string(&r, doc, "writes_unavailable");
	out->mode = read_string(&r, doc, "mode");
	out->started = read_string(&r, doc, "started");
	out->ended = read_string(&r, doc, "ended");
	out->complete = read_bool(&r, doc, "complete", false);
	const struct json *init = member(&r, doc, "init", JSON_OBJECT);
	if (init) {
		struct reader ri = {.path = "observation.init", .err = err, .failed = r.failed};
		out->init.known = true;
		out->init.pid = read_int(&ri, init, "pid", 0);
		out->init.uid_start = read_id(&ri, init, "uid_start");
		out->init.gid_start = read_id(&ri, init, "gid_start");
		out->init.uid_end = read_id(&ri, init, "uid_end");
		out->init.gid_end = read_id(&ri, init, "gid_end");
		out->init.switched = read_bool(&ri, init, "switched", false);
		r.failed = ri.failed;
	}
	read_list(&r, doc, "capabilities", read_capability, &out->capabilities);
	read_list(&r, doc, "capabilities_denied", read_capability, &out->capabilities_denied);
	read_list(&r, doc, "syscalls", read_syscall, &out->syscalls);
	read_list(&r, doc, "syscalls_denied", read_syscall, &out->syscalls_denied);
	read_list(&r, doc, "writes", read_write, &out->writes);
	read_list(&r, doc, "writes_refused", read_refusal, &out->writes_refused);
	read_list(&r, doc, "ids", read_ids, &out->ids);
	read_list(&r, doc, "execs_privileged", read_exec, &out->execs_privileged);
	read_list(&r, doc, "execs_foreign", read_exec, &out->execs_foreign);
	read_list(&r, doc, "execs_refused", read_exec, &out->execs_refused);
	if (r.failed) {
		observation_clear(out);
		return -1;
	}
	return 0;
}

/* ---- freeing ------------------------------------------------------------ */

static void seen_clear(struct observation_seen *seen)
{
	xfree(seen->time);
	xfree(seen->comm);
}

void observation_clear(struct observation *o)
{
	xfree(o->kernel_unavailable);
	xfree(o->syscalls_watched);
	xfree(o->writes_source);
	xfree(o->writes_unavailable);
	xfree(o->mode);
	xfree(o->started);
	xfree(o->ended);
	for (size_t i = 0; i < o->capabilities.len; i++) {
		xfree(o->capabilities.items[i].name);
		xfree(o->capabilities.items[i].syscall);
		seen_clear(&o->capabilities.items[i].seen);
	}
	xfree(o->capabilities.items);
	for (size_t i = 0; i < o->capabilities_denied.len; i++) {
		xfree(o->capabilities_denied.items[i].name);
		xfree(o->capabilities_denied.items[i].syscall);
		seen_clear(&o->capabilities_denied.items[i].seen);
	}
	xfree(o->capabilities_denied.items);
	for (size_t i = 0; i < o->syscalls.len; i++) {
		xfree(o->syscalls.items[i].name);
		xfree(o->syscalls.items[i].action);
		seen_clear(&o->syscalls.items[i].seen);
	}
	xfree(o->syscalls.items);
	for (size_t i = 0; i < o->syscalls_denied.len; i++) {
		xfree(o->syscalls_denied.items[i].name);
		xfree(o->syscalls_denied.items[i].action);
		seen_clear(&o->syscalls_denied.items[i].seen);
	}
	xfree(o->syscalls_denied.items);
	for (size_t i = 0; i < o->writes.len; i++) {
		xfree(o->writes.items[i].path);
		xfree(o->writes.items[i].type);
		xfree(o->writes.items[i].time);
	}
	xfree(o->writes.items);
	for (size_t i = 0; i < o->writes_refused.len; i++) {
		xfree(o->writes_refused.items[i].path);
		xfree(o->writes_refused.items[i].syscall);
		seen_clear(&o->writes_refused.items[i].seen);
	}
	xfree(o->writes_refused.items);
	for (size_t i = 0; i < o->ids.len; i++) {
		xfree(o->ids.items[i].how);
		seen_clear(&o->ids.items[i].seen);
	}
	xfree(o->ids.items);
	struct observation_exec *lists[] = {o->execs_privileged.items, o->execs_foreign.items,
					    o->execs_refused.items};
	size_t lens[] = {o->execs_privileged.len, o->execs_foreign.len, o->execs_refused.len};
	for (size_t l = 0; l < ARRAY_SIZE(lists); l++) {
		for (size_t i = 0; i < lens[l]; i++) {
			xfree(lists[l][i].path);
			xfree(lists[l][i].origin);
			xfree(lists[l][i].filesystem);
			seen_clear(&lists[l][i].seen);
		}
		xfree(lists[l]);
	}
	*o = (struct observation){0};
}

/* ---- denials ------------------------------------------------------------ */

static void denial_add(struct strbuf *sb, size_t *count, size_t max, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void denial_add(struct strbuf *sb, size_t *count, size_t max, const char *fmt, ...)
{
	if ((*count)++ >= max)
		return;
	if (sb->len)
		strbuf_puts(sb, "; ");
	va_list ap;
	va_start(ap, fmt);
	char *clause = xvasprintf(fmt, ap);
	va_end(ap);
	strbuf_puts(sb, clause);
	xfree(clause);
}

char *observation_denials(const struct observation *o, size_t max)
{
	struct strbuf sb = {0};
	size_t count = 0;
	for (size_t i = 0; i < o->writes_refused.len; i++) {
		const struct observation_refusal *r = &o->writes_refused.items[i];
		denial_add(&sb, &count, max, "the read-only root refused %s %s",
			   r->syscall ? r->syscall : "a write to", r->path ? r->path : "?");
	}
	for (size_t i = 0; i < o->syscalls_denied.len; i++) {
		const struct observation_syscall *s = &o->syscalls_denied.items[i];
		/* ENOSYS: a probe for a newer syscall, answered as by an older
		 * kernel; programs fall back. Not what broke anything. */
		if (s->error == ENOSYS)
			continue;
		denial_add(&sb, &count, max, "seccomp denied %s (errno %lld)", s->name,
			   (long long)s->error);
	}
	for (size_t i = 0; i < o->capabilities_denied.len; i++) {
		const struct observation_capability *c = &o->capabilities_denied.items[i];
		denial_add(&sb, &count, max, "%s was missing (%s failed)", c->name,
			   c->syscall ? c->syscall : "a syscall");
	}
	for (size_t i = 0; i < o->execs_refused.len; i++) {
		const struct observation_exec *x = &o->execs_refused.items[i];
		denial_add(&sb, &count, max, "running %s was refused (errno %lld)",
			   x->path ? x->path : "?", (long long)x->error);
	}
	if (count > max)
		strbuf_appendf(&sb, "; and %zu more", count - max);
	return count ? strbuf_steal(&sb) : NULL;
}
