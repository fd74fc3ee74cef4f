/* SPDX-License-Identifier: Apache-2.0 */
#include "suggest.h"

#include <errno.h>
#include <fnmatch.h>
#include <string.h>

/* ---- the event log, read ------------------------------------------------- */

struct suggest_image *suggest_images_get(struct suggest_images *images, const char *image)
{
	for (size_t i = 0; i < images->len; i++)
		if (strcmp(images->items[i].image, image) == 0)
			return &images->items[i];
	images->items = xgrow(images->items, &images->cap, images->len + 1, sizeof(*images->items));
	struct suggest_image *s = &images->items[images->len++];
	*s = (struct suggest_image){.image = xstrdup(image), .requests = json_new_array()};
	return s;
}

void suggest_images_clear(struct suggest_images *images)
{
	for (size_t i = 0; i < images->len; i++) {
		struct suggest_image *s = &images->items[i];
		xfree(s->image);
		json_free(s->requests);
		for (size_t e = 0; e < s->evidence_len; e++) {
			xfree(s->evidence[e].container);
			xfree(s->evidence[e].mode);
			observation_clear(&s->evidence[e].observation);
		}
		xfree(s->evidence);
	}
	xfree(images->items);
	*images = (struct suggest_images){0};
}

static const char *member_string(const struct json *object, const char *key)
{
	const struct json *v = json_object_get(object, key);
	return v && v->type == JSON_STRING ? v->string.ptr : NULL;
}

/* A request of an audit-mode create: each distinct (key, value) once. */
static void suggest_add_request(struct suggest_image *s, const struct json *decision)
{
	const struct json *lift = json_object_get(decision, "lift");
	const char *kind = member_string(decision, "kind");
	if (!lift || lift->type != JSON_OBJECT || !member_string(lift, "key") || !kind ||
	    strcmp(kind, "warning") == 0)
		return;
	for (size_t i = 0; i < s->requests->array.len; i++) {
		const struct json *have = json_object_get(s->requests->array.items[i], "lift");
		if (json_equal(have, lift))
			return;
	}
	json_array_append(s->requests, json_clone(decision));
}

int suggest_images_add_event(struct suggest_images *images, const struct json *event, bool live,
			     oh_error_t *err)
{
	const char *command = member_string(event, "command");
	const char *image = member_string(event, "image");
	const char *mode = member_string(event, "mode");
	if (!command || !image || !mode)
		return 0;
	if (strcmp(command, "create") == 0 || strcmp(command, "run") == 0) {
		struct suggest_image *s = suggest_images_get(images, image);
		bool audit = strcmp(mode, "audit") == 0;
		if (!audit) {
			s->enforce_creates++;
			return 0;
		}
		s->audit_creates++;
		const struct json *decisions = json_object_get(event, "decisions");
		for (size_t i = 0;
		     decisions && decisions->type == JSON_ARRAY && i < decisions->array.len; i++)
			if (decisions->array.items[i]->type == JSON_OBJECT)
				suggest_add_request(s, decisions->array.items[i]);
		return 0;
	}
	if (strcmp(command, "observe") != 0)
		return 0;
	struct observation o;
	if (observation_from_json(json_object_get(event, "observation"), &o, err) < 0)
		return -1;
	struct suggest_image *s = suggest_images_get(images, image);
	s->evidence =
	    xgrow(s->evidence, &s->evidence_cap, s->evidence_len + 1, sizeof(*s->evidence));
	const char *container = member_string(event, "container");
	s->evidence[s->evidence_len++] = (struct suggest_evidence){
	    .container = xstrdup(container ? container : "?"),
	    .mode = xstrdup(mode),
	    .live = live,
	    .observation = o,
	};
	return 0;
}

/* ---- words ------------------------------------------------------------------- */

static bool evidence_audit(const struct suggest_evidence *e)
{
	return strcmp(e->mode, "audit") == 0;
}

/* "container 3f2a..., 2025-01-01T00:00:00.000Z, pid 42 (nginx), uid 0" */
static char *seen_words(const struct suggest_evidence *e, const struct observation_seen *seen)
{
	struct strbuf sb = {0};
	size_t n = strlen(e->container);
	strbuf_appendf(&sb, "container %.*s%s", (int)(n > 12 ? 12 : n), e->container,
		       n > 12 ? "..." : "");
	if (seen->time)
		strbuf_appendf(&sb, ", %s", seen->time);
	if (seen->pid > 0)
		strbuf_appendf(&sb, ", pid %lld", (long long)seen->pid);
	if (seen->comm)
		strbuf_appendf(&sb, " (%s)", seen->comm);
	if (seen->euid >= 0)
		strbuf_appendf(&sb, ", uid %lld", (long long)seen->euid);
	return strbuf_steal(&sb);
}

static bool path_under(const char *path, const char *dir)
{
	size_t n = strlen(dir);
	while (n > 1 && dir[n - 1] == '/')
		n--;
	if (n == 1 && dir[0] == '/')
		return true;
	return strncmp(path, dir, n) == 0 && (path[n] == '\0' || path[n] == '/');
}

static bool under_any(const char *path, const struct string_list *dirs)
{
	for (size_t i = 0; i < dirs->len; i++)
		if (path_under(path, dirs->items[i]))
			return true;
	return false;
}

/* ---- the policy being written ------------------------------------------------ */

/* A key of the suggested policy: its value and why. */
struct suggest_member {
	char *key;
	struct json *value;
	struct string_list why;
};

struct suggest_doc {
	struct suggest_member *members;
	size_t len, cap;
	struct string_list header; /* the file's opening comment */
};

static struct suggest_member *doc_member(struct suggest_doc *d, const char *key)
{
	for (size_t i = 0; i < d->len; i++)
		if (strcmp(d->members[i].key, key) == 0)
			return &d->members[i];
	d->members = xgrow(d->members, &d->cap, d->len + 1, sizeof(*d->members));
	struct suggest_member *m = &d->members[d->len++];
	*m = (struct suggest_member){.key = xstrdup(key)};
	return m;
}

static void doc_why(struct suggest_member *m, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void doc_why(struct suggest_member *m, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	cleanup_free char *line = xvasprintf(fmt, ap);
	va_end(ap);
	string_list_add(&m->why, line);
}

static void doc_header(struct suggest_doc *d, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void doc_header(struct suggest_doc *d, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	cleanup_free char *line = xvasprintf(fmt, ap);
	va_end(ap);
	string_list_add(&d->header, line);
}

static void doc_clear(struct suggest_doc *d)
{
	for (size_t i = 0; i < d->len; i++) {
		xfree(d->members[i].key);
		json_free(d->members[i].value);
		string_list_clear(&d->members[i].why);
	}
	xfree(d->members);
	string_list_clear(&d->header);
}

/* Comments are written as // lines (the policy language takes them);
 * a line is cut at a newline, never continued as code. */
static void text_comment(struct strbuf *sb, const char *indent, const char *line)
{
	strbuf_appendf(sb, "%s// ", indent);
	for (const char *p = line; *p; p++)
		strbuf_putc(sb, *p == '\n' || *p == '\r' ? ' ' : *p);
	strbuf_putc(sb, '\n');
}

static char *doc_text(const struct suggest_doc *d)
{
	struct strbuf sb = {0};
	for (size_t i = 0; i < d->header.len; i++)
		text_comment(&sb, "", d->header.items[i]);
	strbuf_puts(&sb, "{\n");
	for (size_t i = 0; i < d->len; i++) {
		const struct suggest_member *m = &d->members[i];
		for (size_t w = 0; w < m->why.len; w++)
			text_comment(&sb, "  ", m->why.items[w]);
		cleanup_json struct json *key = json_new_string(m->key);
		strbuf_puts(&sb, "  ");
		json_write(key, false, &sb);
		strbuf_puts(&sb, ": ");
		json_write(m->value, false, &sb);
		strbuf_puts(&sb, i + 1 < d->len ? ",\n" : "\n");
	}
	strbuf_puts(&sb, "}\n");
	return strbuf_steal(&sb);
}

/* ---- the rules ------------------------------------------------------------------ */

static int compare_strings(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int compare_json_strings(const void *a, const void *b)
{
	return strcmp((*(struct json *const *)a)->string.ptr,
		      (*(struct json *const *)b)->string.ptr);
}

struct suggest_state {
	const struct suggest_image *image;
	const struct policy *base;
	struct suggest_doc doc;
	size_t kernel_observed; /* audit observations with the kernel's part */
	size_t writes_observed; /* audit observations with the writable layer's */
};

/* Which user the image runs as: its first process's ids at start and end. */
enum suggest_user {
	SUGGEST_USER_UNKNOWN,
	SUGGEST_USER_IMAGE,  /* it started as a non-root user: nothing to say */
	SUGGEST_USER_POLICY, /* root that used no power of root's: the policy's user */
	SUGGEST_USER_SWITCH, /* root that switched to one non-root user */
	SUGGEST_USER_ROOT,   /* it stayed root, and used root's powers */
};

/* What a process running as root did that another user could not: a
 * capability exercised, or a file made as root outside the tmpfs mounts
 * the policy gives anyway (a tmpfs belongs to root: another user could not
 * write in it). NULL when nothing. */
static char *root_power_used(const struct suggest_evidence *e, const struct policy *base)
{
	const struct observation *o = &e->observation;
	for (size_t c = 0; c < o->capabilities.len; c++)
		if (o->capabilities.items[c].seen.euid == 0) {
			cleanup_free char *who = seen_words(e, &o->capabilities.items[c].seen);
			return xasprintf("it exercised %s as root (%s)",
					 o->capabilities.items[c].name, who);
		}
	for (size_t w = 0; w < o->writes.len; w++)
		if (o->writes.items[w].uid == 0 &&
		    !under_any(o->writes.items[w].path, &base->tmpfs))
			return xasprintf("it wrote %s as root", o->writes.items[w].path);
	return NULL;
}

/* The first id record of the container's first process, for its name. */
static const struct observation_ids *init_ids(const struct observation *o, bool switched)
{
	for (size_t i = 0; i < o->ids.len; i++) {
		const struct observation_ids *ids = &o->ids.items[i];
		if (ids->seen.pid == o->init.pid &&
		    (!switched || (ids->euid == o->init.uid_end && ids->egid == o->init.gid_end)))
			return ids;
	}
	return NULL;
}

static enum suggest_user suggest_user(struct suggest_state *st, uint32_t *uid, uint32_t *gid,
				      struct string_list *why)
{
	enum suggest_user verdict = SUGGEST_USER_UNKNOWN;
	bool differ = false;
	for (size_t i = 0; i < st->image->evidence_len; i++) {
		const struct suggest_evidence *e = &st->image->evidence[i];
		const struct observation *o = &e->observation;
		if (!evidence_audit(e) || !o->kernel || !o->init.known)
			continue;
		if (o->init.uid_start != 0) {
			if (verdict == SUGGEST_USER_UNKNOWN)
				verdict = SUGGEST_USER_IMAGE;
			continue;
		}
		const struct observation_ids *ids = init_ids(o, o->init.uid_end != 0);
		cleanup_free char *who =
		    ids ? seen_words(e, &ids->seen) : xasprintf("container %s", e->container);
		if (o->init.uid_end == 0) {
			cleanup_free char *power = root_power_used(e, st->base);
			if (!power) {
				if (verdict == SUGGEST_USER_UNKNOWN ||
				    verdict == SUGGEST_USER_IMAGE)
					verdict = SUGGEST_USER_POLICY;
				continue;
			}
			if (verdict != SUGGEST_USER_ROOT)
				string_list_clear(why);
			verdict = SUGGEST_USER_ROOT;
			cleanup_free char *line = xasprintf(
			    "its first process ran as root from start to end (%s), and %s: "
			    "it needs root",
			    who, power);
			if (why->len < 3)
				string_list_add(why, line);
			continue;
		}
		if (verdict == SUGGEST_USER_ROOT)
			continue;
		if (verdict == SUGGEST_USER_SWITCH &&
		    (*uid != o->init.uid_end || *gid != o->init.gid_end))
			differ = true;
		if (verdict != SUGGEST_USER_SWITCH) {
			*uid = o->init.uid_end;
			*gid = o->init.gid_end;
			cleanup_free char *line = xasprintf(
			    "its first process started as root and switched to uid %u gid "
			    "%u (%s): it runs as that user from the start",
			    o->init.uid_end, o->init.gid_end, who);
			string_list_add(why, line);
		}
		verdict = SUGGEST_USER_SWITCH;
	}
	if (verdict == SUGGEST_USER_SWITCH && differ) {
		string_list_clear(why);
		string_list_add(why, "its containers switched to different users: it runs as root; "
				     "narrow this by hand");
		return SUGGEST_USER_ROOT;
	}
	return verdict;
}

static void rule_user_and_capabilities(struct suggest_state *st)
{
	uint32_t uid = 0, gid = 0;
	struct string_list user_why = {0};
	enum suggest_user user = suggest_user(st, &uid, &gid, &user_why);
	if (user == SUGGEST_USER_POLICY)
		doc_header(&st->doc,
			   "Its first process ran as root but used no power of root's (no "
			   "capability, nothing written as root): it runs as uid %u, the policy's.",
			   st->base->uid);
	if (user == SUGGEST_USER_SWITCH || user == SUGGEST_USER_ROOT) {
		struct suggest_member *m = doc_member(&st->doc, "user");
		m->value = json_new_object();
		if (user == SUGGEST_USER_ROOT) {
			json_object_set(m->value, "allow_root", json_new_bool(true));
		} else {
			json_object_set(m->value, "uid", json_new_uint(uid));
			json_object_set(m->value, "gid", json_new_uint(gid));
		}
		for (size_t i = 0; i < user_why.len; i++)
			doc_why(m, "%s", user_why.items[i]);
	}
	string_list_clear(&user_why);

	/* Capabilities exercised; as a non-root user from the start, those
	 * only root used (its setup before switching) are not needed. */
	struct suggest_member *caps = NULL;
	struct string_list dropped = {0};
	for (size_t i = 0; i < st->image->evidence_len; i++) {
		const struct suggest_evidence *e = &st->image->evidence[i];
		if (!evidence_audit(e) || !e->observation.kernel)
			continue;
		for (size_t c = 0; c < e->observation.capabilities.len; c++) {
			const struct observation_capability *cap =
			    &e->observation.capabilities.items[c];
			if (string_list_contains(&st->base->capabilities, cap->name))
				continue;
			if (user == SUGGEST_USER_SWITCH && cap->seen.euid == 0) {
				if (!string_list_contains(&dropped, cap->name))
					string_list_add(&dropped, cap->name);
				continue;
			}
			if (!caps) {
				caps = doc_member(&st->doc, "capabilities");
				caps->value = json_new_string_list(&st->base->capabilities);
			}
			bool have = false;
			for (size_t k = 0; k < caps->value->array.len && !have; k++)
				have =
				    strcmp(caps->value->array.items[k]->string.ptr, cap->name) == 0;
			if (have)
				continue;
			json_array_append(caps->value, json_new_string(cap->name));
			cleanup_free char *who = seen_words(e, &cap->seen);
			doc_why(caps, "%s: exercised (%s)", cap->name, who);
		}
	}
	if (caps) {
		/* The additions in name order, whatever order they were seen in. */
		struct json **items = caps->value->array.items + st->base->capabilities.len;
		qsort(items, caps->value->array.len - st->base->capabilities.len, sizeof(*items),
		      compare_json_strings);
		qsort(caps->why.items, caps->why.len, sizeof(*caps->why.items), compare_strings);
	}
	if (dropped.len) {
		qsort(dropped.items, dropped.len, sizeof(*dropped.items), compare_strings);
		struct strbuf sb = {0};
		for (size_t i = 0; i < dropped.len; i++)
			strbuf_appendf(&sb, "%s%s", i ? ", " : "", dropped.items[i]);
		doc_header(
		    &st->doc,
		    "Used only as root, before the switch to its user, and left out: %s. If "
		    "the image cannot start as that user, it needs \"user\": {\"allow_root\": "
		    "true} and these.",
		    sb.buf);
		strbuf_free(&sb);
	}
	string_list_clear(&dropped);
}

/* Where a write needs a writable mount: a directory it made or changed is
 * one itself; a file it made, changed or removed needs its directory. */
static char *write_place(const struct observation_write *w)
{
	if (w->type && strcmp(w->type, "directory") == 0 && w->kind != OBSERVATION_DELETED)
		return xstrdup(w->path);
	const char *slash = strrchr(w->path, '/');
	return slash && slash != w->path ? xstrndup(w->path, (size_t)(slash - w->path))
					 : xstrdup("/");
}

static void rule_tmpfs(struct suggest_state *st)
{
	struct string_list places = {0}, reasons = {0};
	struct string_list root_writes = {0};
	for (size_t i = 0; i < st->image->evidence_len; i++) {
		const struct suggest_evidence *e = &st->image->evidence[i];
		const struct observation *o = &e->observation;
		if (!evidence_audit(e) || !o->writes_source)
			continue;
		for (size_t w = 0; w < o->writes.len; w++) {
			const struct observation_write *wr = &o->writes.items[w];
			if (under_any(wr->path, &st->base->tmpfs))
				continue;
			cleanup_free char *place = write_place(wr);
			cleanup_free char *what = xasprintf(
			    "%s %s %s (container %.12s%s, %s, owner uid %lld)",
			    observation_write_kind_name(wr->kind), wr->type ? wr->type : "entry",
			    wr->path, e->container, strlen(e->container) > 12 ? "..." : "",
			    wr->time ? wr->time : "?", (long long)wr->uid);
			if (strcmp(place, "/") == 0) {
				if (root_writes.len < 5)
					string_list_add(&root_writes, what);
				continue;
			}
			cleanup_free char *why = xasprintf("%s: %s", place, what);
			if (!string_list_contains(&places, place)) {
				string_list_add(&places, place);
				string_list_add(&reasons, why);
			}
		}
	}
	/* A place inside another needs no mount of its own. */
	struct suggest_member *m = NULL;
	for (size_t i = 0; i < places.len; i++) {
		bool inside = false;
		for (size_t j = 0; j < places.len && !inside; j++)
			inside = j != i && path_under(places.items[i], places.items[j]) &&
				 strcmp(places.items[i], places.items[j]) != 0;
		if (inside)
			continue;
		if (!m) {
			m = doc_member(&st->doc, "tmpfs");
			m->value = json_new_string_list(&st->base->tmpfs);
		}
		json_array_append(m->value, json_new_string(places.items[i]));
		doc_why(m, "%s", reasons.items[i]);
	}
	if (m)
		doc_why(m, "(a tmpfs is root's, with the mode of the directory it covers: a "
			   "non-root user writes in it only where that mode lets it)");
	for (size_t i = 0; i < root_writes.len; i++)
		doc_header(&st->doc,
			   "Wrote in / itself, which no tmpfs can cover (a volume or a change of "
			   "the image can): %s",
			   root_writes.items[i]);
	string_list_clear(&places);
	string_list_clear(&reasons);
	string_list_clear(&root_writes);
}

static void rule_syscalls(struct suggest_state *st)
{
	struct suggest_member *m = NULL;
	struct string_list fallbacks = {0};
	for (size_t i = 0; i < st->image->evidence_len; i++) {
		const struct suggest_evidence *e = &st->image->evidence[i];
		if (!evidence_audit(e) || !e->observation.kernel)
			continue;
		for (size_t s = 0; s < e->observation.syscalls.len; s++) {
			const struct observation_syscall *sc = &e->observation.syscalls.items[s];
			if (sc->error == ENOSYS) {
				if (!string_list_contains(&fallbacks, sc->name))
					string_list_add(&fallbacks, sc->name);
				continue;
			}
			if (!m) {
				m = doc_member(&st->doc, "seccomp");
				m->value = json_new_object();
				json_object_set(m->value, "allow_syscalls", json_new_array());
			}
			struct json *list = json_object_get(m->value, "allow_syscalls");
			bool have = false;
			for (size_t k = 0; k < list->array.len && !have; k++)
				have = strcmp(list->array.items[k]->string.ptr, sc->name) == 0;
			if (have)
				continue;
			json_array_append(list, json_new_string(sc->name));
			cleanup_free char *who = seen_words(e, &sc->seen);
			struct strbuf args = {0};
			for (size_t a = 0; sc->has_args && a < 6; a++)
				strbuf_appendf(&args, "%s%#llx", a ? ", " : "",
					       (unsigned long long)sc->args[a]);
			cleanup_free char *answer =
			    sc->error ? xasprintf("%s errno %lld",
						  sc->action ? sc->action : "SCMP_ACT_ERRNO",
						  (long long)sc->error)
				      : xstrdup(sc->action ? sc->action : "a denial");
			doc_why(m, "%s: made, the profile answers %s (%s%s%s)", sc->name, answer,
				who, args.len ? ", arguments " : "", args.len ? args.buf : "");
			strbuf_free(&args);
		}
	}
	if (fallbacks.len) {
		struct strbuf sb = {0};
		for (size_t i = 0; i < fallbacks.len; i++)
			strbuf_appendf(&sb, "%s%s", i ? ", " : "", fallbacks.items[i]);
		doc_header(&st->doc,
			   "Made, and answered ENOSYS by the profile, from which programs fall "
			   "back: %s: not allowed.",
			   sb.buf);
		strbuf_free(&sb);
	}
	string_list_clear(&fallbacks);
}

static void rule_no_new_privileges(struct suggest_state *st)
{
	if (!st->base->no_new_privileges)
		return;
	struct suggest_member *m = NULL;
	for (size_t i = 0; i < st->image->evidence_len; i++) {
		const struct suggest_evidence *e = &st->image->evidence[i];
		if (!evidence_audit(e) || !e->observation.kernel)
			continue;
		for (size_t x = 0; x < e->observation.execs_privileged.len; x++) {
			const struct observation_exec *ex =
			    &e->observation.execs_privileged.items[x];
			if (!m) {
				m = doc_member(&st->doc, "no_new_privileges");
				m->value = json_new_bool(false);
			}
			if (m->why.len >= 5)
				continue;
			cleanup_free char *who = seen_words(e, &ex->seen);
			doc_why(m,
				"%s raised its privileges when run (setuid or file capabilities; "
				"%s)",
				ex->path, who);
		}
	}
}

/* The drift lock (oci-harden-policy(5), DRIFT): a program the image did not
 * have, run in audit mode, is what enforce would refuse. The exception that
 * lets it run is the destination of the mount it is on in enforce mode:
 * that is what the lift of noexec's decision says (allow.exec_paths
 * [destination]), as the audit-mode creates recorded it. The decisions
 * name every mount noexec locks, not the mounts it leaves executable (a
 * read-only bind, one the policy names already), nor the tmpfs mounts this
 * suggestion adds: those are the policy's, and noexec locks each with its
 * destination as the lift, so they are places too. The deepest place that
 * holds the program is the mount it is on. */

/* Whether `path` is a memfd's: the kernel names its file "/memfd:NAME". */
static bool exec_is_memfd(const char *path)
{
	return path && strncmp(path, "/memfd:", 7) == 0;
}

/* A lift of allow.exec_paths among the audit-mode creates' decisions:
 * each item of its value calls `each`. */
static void exec_lifts(const struct suggest_image *image, bool refused_only,
		       void (*each)(void *ctx, const char *destination), void *ctx)
{
	for (size_t i = 0; i < image->requests->array.len; i++) {
		const struct json *d = image->requests->array.items[i];
		const struct json *lift = json_object_get(d, "lift");
		const char *key = member_string(lift, "key");
		const char *kind = member_string(d, "kind");
		const struct json *value = json_object_get(lift, "value");
		if (!key || strcmp(key, "allow.exec_paths") != 0 || !value ||
		    value->type != JSON_ARRAY ||
		    (refused_only && (!kind || strcmp(kind, "refuse") != 0)))
			continue;
		for (size_t v = 0; v < value->array.len; v++)
			if (value->array.items[v]->type == JSON_STRING)
				each(ctx, value->array.items[v]->string.ptr);
	}
}

static bool exec_memfd_locked(const struct suggest_image *image)
{
	for (size_t i = 0; i < image->requests->array.len; i++) {
		const struct json *lift = json_object_get(image->requests->array.items[i], "lift");
		const char *key = member_string(lift, "key");
		if (key && strcmp(key, "allow.exec_memfd") == 0)
			return true;
	}
	return false;
}

static void add_place(void *ctx, const char *destination)
{
	struct string_list *places = ctx;
	if (!string_list_contains(places, destination))
		string_list_add(places, destination);
}

/* The deepest of `places` that holds `path`, or NULL. */
static const char *deepest_place(const struct string_list *places, const char *path)
{
	const char *on = NULL;
	for (size_t i = 0; i < places->len; i++)
		if (path_under(path, places->items[i]) &&
		    (!on || strlen(places->items[i]) > strlen(on)))
			on = places->items[i];
	return on;
}

/* Whether one of `patterns` (allow.exec_paths) names `destination`, as
 * noexec matches them. */
static bool exec_path_allowed(const struct string_list *patterns, const char *destination)
{
	for (size_t i = 0; i < patterns->len; i++)
		if (fnmatch(patterns->items[i], destination, 0) == 0)
			return true;
	return false;
}

/* Whether `patterns` name `path`'s directory or one of its parents deeper
 * than `place`: a mount the policy in force leaves executable already. */
static bool exec_allowed_below(const struct string_list *patterns, const char *path,
			       const char *place)
{
	cleanup_free char *dir = xstrdup(path);
	for (char *slash = strrchr(dir, '/'); slash && slash != dir; slash = strrchr(dir, '/')) {
		*slash = '\0';
		if (place && !(path_under(dir, place) && strcmp(dir, place) != 0))
			break;
		if (exec_path_allowed(patterns, dir))
			return true;
	}
	return false;
}

/* The "allow" member, its exec_paths starting from the policy in force's. */
static struct json *allow_exec_paths(struct suggest_state *st, struct suggest_member **m)
{
	if (!*m) {
		*m = doc_member(&st->doc, "allow");
		(*m)->value = json_new_object();
	}
	struct json *list = json_object_get((*m)->value, "exec_paths");
	if (!list) {
		list = json_new_string_list(&st->base->allow.exec_paths);
		json_object_set((*m)->value, "exec_paths", list);
	}
	return list;
}

/* Whether the exec_paths suggested so far hold `s` already. */
static bool exec_paths_has(const struct suggest_member *allow, const char *s)
{
	const struct json *list = allow ? json_object_get(allow->value, "exec_paths") : NULL;
	for (size_t i = 0; list && i < list->array.len; i++)
		if (strcmp(list->array.items[i]->string.ptr, s) == 0)
			return true;
	return false;
}

static void rule_drift(struct suggest_state *st)
{
	struct string_list places = {0};
	exec_lifts(st->image, false, add_place, &places);
	/* "/" is where the root is made read-only: nothing written there
	 * in enforce mode, nothing to lift (see the writable root below). */
	for (size_t i = 0; i < places.len; i++)
		if (strcmp(places.items[i], "/") == 0) {
			xfree(places.items[i]);
			places.items[i] = places.items[--places.len];
			break;
		}
	const struct suggest_member *tmpfs = NULL;
	for (size_t i = 0; i < st->doc.len; i++)
		if (strcmp(st->doc.members[i].key, "tmpfs") == 0)
			tmpfs = &st->doc.members[i];
	for (size_t i = 0; tmpfs && i < tmpfs->value->array.len; i++)
		if (!string_list_contains(&st->base->tmpfs,
					  tmpfs->value->array.items[i]->string.ptr))
			add_place(&places, tmpfs->value->array.items[i]->string.ptr);

	struct suggest_member *allow = NULL;
	struct string_list why = {0}, said = {0};
	size_t base_len = st->base->allow.exec_paths.len;
	bool memfd_locked = exec_memfd_locked(st->image);
	for (size_t i = 0; i < st->image->evidence_len; i++) {
		const struct suggest_evidence *e = &st->image->evidence[i];
		if (!evidence_audit(e) || !e->observation.kernel)
			continue;
		for (size_t x = 0; x < e->observation.execs_foreign.len; x++) {
			const struct observation_exec *ex = &e->observation.execs_foreign.items[x];
			if (!ex->path)
				continue;
			cleanup_free char *who = seen_words(e, &ex->seen);
			cleanup_free char *seen = xasprintf(
			    "%s%s%s; %s", ex->origin ? ex->origin : "?", ex->filesystem ? ", " : "",
			    ex->filesystem ? ex->filesystem : "", who);
			if (exec_is_memfd(ex->path)) {
				if (st->base->allow.exec_memfd)
					continue;
				if (!memfd_locked) {
					doc_header(
					    &st->doc,
					    "Ran %s, a memfd (%s): no audit-mode create of "
					    "the image records that enforce would lock memfds "
					    "(no pid namespace of its own, or no "
					    "vm.memfd_noexec): nothing to lift",
					    ex->path, who);
					continue;
				}
				if (!allow) {
					allow = doc_member(&st->doc, "allow");
					allow->value = json_new_object();
				}
				if (!json_object_get(allow->value, "exec_memfd")) {
					json_object_set(allow->value, "exec_memfd",
							json_new_bool(true));
					cleanup_free char *line = xasprintf(
					    "exec_memfd: ran %s from memory (memfd_create(2); %s)",
					    ex->path, who);
					string_list_add(&why, line);
				}
				continue;
			}
			const char *place = deepest_place(&places, ex->path);
			if (exec_allowed_below(&st->base->allow.exec_paths, ex->path, place) ||
			    (place && exec_path_allowed(&st->base->allow.exec_paths, place)))
				continue;
			if (!place) {
				bool mount = ex->origin && strcmp(ex->origin, "other mount") == 0;
				if (string_list_contains(&said, ex->path) || said.len >= 5)
					continue;
				string_list_add(&said, ex->path);
				if (mount)
					doc_header(
					    &st->doc,
					    "Ran %s, which is not from the image's layers "
					    "(%s): its mount is not one enforce makes noexec "
					    "(read-only, or named already): nothing to lift",
					    ex->path, seen);
				else if (st->base->readonly_rootfs)
					doc_header(
					    &st->doc,
					    "Ran %s, which is not from the image's layers "
					    "(%s): it is in the root filesystem where no tmpfs "
					    "covers it, and enforce keeps the root read-only: "
					    "it cannot be written there, and no exception lets "
					    "it run (a volume or a change of the image can)",
					    ex->path, seen);
				else
					doc_header(&st->doc,
						   "Ran %s, which is not from the image's layers "
						   "(%s): in the writable root filesystem (see "
						   "exec_paths \"/\")",
						   ex->path, seen);
				continue;
			}
			if (exec_paths_has(allow, place))
				continue;
			json_array_append(allow_exec_paths(st, &allow), json_new_string(place));
			cleanup_free char *line = xasprintf(
			    "exec_paths %s: ran %s, written there after the container started (%s)",
			    place, ex->path, seen);
			string_list_add(&why, line);
		}
	}

	/* A root the policy in force leaves writable: enforce refuses the
	 * container unless exec_paths names "/", since a root cannot be noexec
	 * (noexec.c, noexec_root). The audit-mode creates recorded that
	 * refusal; the suggestion must not make enforce refuse the container
	 * it was written for, so it says "/" and why. */
	bool root_refused = false;
	struct string_list refused = {0};
	exec_lifts(st->image, true, add_place, &refused);
	root_refused = string_list_contains(&refused, "/");
	string_list_clear(&refused);
	if (root_refused && !exec_path_allowed(&st->base->allow.exec_paths, "/")) {
		if (!exec_paths_has(allow, "/")) {
			json_array_append(allow_exec_paths(st, &allow), json_new_string("/"));
			string_list_add(
			    &why,
			    "exec_paths /: the policy in force leaves the root filesystem "
			    "writable (readonly_rootfs false), and a root cannot be noexec (it "
			    "holds the image's programs): enforce refuses a writable root "
			    "unless exec_paths names \"/\"; the drift lock does not apply to "
			    "it");
		}
	}
	if (allow) {
		struct json *list = json_object_get(allow->value, "exec_paths");
		if (list && list->array.len > base_len)
			qsort(list->array.items + base_len, list->array.len - base_len,
			      sizeof(*list->array.items), compare_json_strings);
		if (why.len)
			qsort(why.items, why.len, sizeof(*why.items), compare_strings);
		for (size_t i = 0; i < why.len; i++)
			doc_why(allow, "%s", why.items[i]);
	}
	string_list_clear(&why);
	string_list_clear(&said);
	string_list_clear(&places);
}

/* What the audit-mode creates asked for that no observation showed they
 * needed: said, not copied. The keys the rules above decide are left out. */
static void rule_requests(struct suggest_state *st)
{
	static const char *const decided[] = {
	    "capabilities",    "user.allow_root", "no_new_privileges", "readonly_rootfs",
	    "seccomp.profile", "tmpfs",		  "allow.exec_paths",  "allow.exec_memfd"};
	for (size_t i = 0; i < st->image->requests->array.len; i++) {
		const struct json *d = st->image->requests->array.items[i];
		const struct json *lift = json_object_get(d, "lift");
		const char *key = member_string(lift, "key");
		bool skip = false;
		for (size_t k = 0; k < ARRAY_SIZE(decided) && !skip; k++)
			skip = strcmp(key, decided[k]) == 0;
		if (skip)
			continue;
		cleanup_free char *value = json_to_string(json_object_get(lift, "value"), false);
		const char *kind = member_string(d, "kind");
		bool refuse = kind && strcmp(kind, "refuse") == 0;
		doc_header(&st->doc, "Asked for, not observed in use, not copied: %s %s (%s: %s)%s",
			   key, value, member_string(d, "path") ? member_string(d, "path") : "?",
			   member_string(d, "reason") ? member_string(d, "reason") : "",
			   refuse ? "; enforce refuses the container until it no longer asks or "
				    "the policy allows it"
				  : "");
	}
}

/* What enforce mode denied containers of the image. */
static void diagnose(const struct suggest_image *image, struct string_list *out)
{
	for (size_t i = 0; i < image->evidence_len; i++) {
		const struct suggest_evidence *e = &image->evidence[i];
		const struct observation *o = &e->observation;
		if (evidence_audit(e))
			continue;
		for (size_t k = 0; k < o->syscalls_denied.len; k++) {
			const struct observation_syscall *s = &o->syscalls_denied.items[k];
			if (s->error == ENOSYS)
				continue;
			cleanup_free char *who = seen_words(e, &s->seen);
			cleanup_free char *line = xasprintf("seccomp denied %s (errno %lld; %s)",
							    s->name, (long long)s->error, who);
			string_list_add(out, line);
		}
		for (size_t k = 0; k < o->capabilities_denied.len; k++) {
			const struct observation_capability *c = &o->capabilities_denied.items[k];
			cleanup_free char *who = seen_words(e, &c->seen);
			cleanup_free char *line =
			    xasprintf("%s was missing: %s failed (errno %lld; %s)", c->name,
				      c->syscall ? c->syscall : "?", (long long)c->error, who);
			string_list_add(out, line);
		}
		for (size_t k = 0; k < o->writes_refused.len; k++) {
			const struct observation_refusal *r = &o->writes_refused.items[k];
			cleanup_free char *who = seen_words(e, &r->seen);
			cleanup_free char *line =
			    xasprintf("the read-only root refused %s %s (%s)",
				      r->syscall ? r->syscall : "a write to", r->path, who);
			string_list_add(out, line);
		}
		for (size_t k = 0; k < o->execs_refused.len; k++) {
			const struct observation_exec *x = &o->execs_refused.items[k];
			cleanup_free char *who = seen_words(e, &x->seen);
			cleanup_free char *line =
			    xasprintf("running %s was refused (errno %lld; %s)", x->path,
				      (long long)x->error, who);
			string_list_add(out, line);
		}
		for (size_t k = 0; k < o->execs_foreign.len; k++) {
			const struct observation_exec *x = &o->execs_foreign.items[k];
			cleanup_free char *who = seen_words(e, &x->seen);
			cleanup_free char *line =
			    xasprintf("ran %s, not from the image's layers (%s; %s)", x->path,
				      x->origin ? x->origin : "?", who);
			string_list_add(out, line);
		}
	}
}

/* "docker.io/library/nginx:1.25" -> "suggested-docker.io-library-nginx-1.25" */
static char *suggest_name(const char *image)
{
	char *name = xasprintf("suggested-%s", image);
	for (char *p = name; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || *p == '.' || *p == '_' || *p == '-'))
			*p = '-';
	if (strlen(name) > 200)
		name[200] = '\0';
	return name;
}

void suggest_build(const struct suggest_image *image, const struct policy *base,
		   const char *base_name, struct suggestion *out)
{
	*out = (struct suggestion){.name = suggest_name(image->image)};
	struct suggest_state st = {.image = image, .base = base};
	size_t audit_evidence = 0, enforce_evidence = 0, live = 0;
	cleanup_free char *unavailable = NULL;
	for (size_t i = 0; i < image->evidence_len; i++) {
		const struct suggest_evidence *e = &image->evidence[i];
		live += e->live;
		if (!evidence_audit(e)) {
			enforce_evidence++;
			continue;
		}
		audit_evidence++;
		st.kernel_observed += e->observation.kernel;
		st.writes_observed += e->observation.writes_source != NULL;
		if (!e->observation.kernel && !unavailable && e->observation.kernel_unavailable)
			unavailable = xstrdup(e->observation.kernel_unavailable);
	}
	out->observed = st.kernel_observed > 0;
	diagnose(image, &out->diagnosis);
	out->trial = audit_evidence == 0 && out->diagnosis.len > 0;

	doc_header(&st.doc, "Suggested by oci-harden suggest for %s", image->image);
	doc_header(&st.doc,
		   "from %zu audit-mode and %zu enforce-mode creates, %zu observations in audit "
		   "mode and %zu in enforce mode (%zu of running containers).",
		   image->audit_creates, image->enforce_creates, audit_evidence, enforce_evidence,
		   live);
	if (image->audit_creates > audit_evidence)
		doc_header(&st.doc,
			   "%zu audit-mode containers have no observation (an older event log, or "
			   "containers still running without the helper): nothing is suggested "
			   "for what they did.",
			   image->audit_creates - audit_evidence);
	if (audit_evidence && st.kernel_observed < audit_evidence)
		doc_header(
		    &st.doc,
		    "%zu audit-mode observations have no kernel part (%s): capabilities, "
		    "users, syscalls and execs of those are unknown and nothing is suggested "
		    "for them.",
		    audit_evidence - st.kernel_observed, unavailable ? unavailable : "?");
	for (size_t i = 0; i < image->evidence_len; i++)
		if (!image->evidence[i].observation.complete) {
			doc_header(&st.doc,
				   "Observation of container %s is incomplete (the "
				   "kernel's maps were full): review before enforcing.",
				   image->evidence[i].container);
			break;
		}
	if (out->trial) {
		doc_header(&st.doc, "In enforce mode its containers were denied:");
		for (size_t i = 0; i < out->diagnosis.len && i < 20; i++)
			doc_header(&st.doc, "  %s", out->diagnosis.items[i]);
		doc_header(&st.doc,
			   "This policy runs it in audit mode, observed, so that what it needs can "
			   "be seen; once it has run (and served) a while, run oci-harden suggest "
			   "again: it writes the narrow enforce-mode policy in its place.");
	} else if (out->diagnosis.len) {
		doc_header(&st.doc, "In enforce mode its containers were denied (see below what "
				    "audit mode showed they need):");
		for (size_t i = 0; i < out->diagnosis.len && i < 20; i++)
			doc_header(&st.doc, "  %s", out->diagnosis.items[i]);
	}

	struct suggest_member *m = doc_member(&st.doc, "extends");
	m->value = json_new_string(base_name);
	m = doc_member(&st.doc, "images");
	m->value = json_new_array();
	json_array_append(m->value, json_new_string(image->image));
	if (out->trial) {
		m = doc_member(&st.doc, "mode");
		m->value = json_new_string("audit");
		doc_why(m, "a trial: observed in audit mode, nothing enforced");
	} else {
		rule_user_and_capabilities(&st);
		rule_tmpfs(&st);
		rule_syscalls(&st);
		rule_no_new_privileges(&st);
		rule_drift(&st);
		rule_requests(&st);
		if (st.doc.len == 2)
			doc_header(&st.doc,
				   st.kernel_observed || st.writes_observed
				       ? "Nothing observed needs an exception: the policy "
					 "in force as it is."
				       : "Nothing was observed: no exception is suggested.");
	}
	out->text = doc_text(&st.doc);
	doc_clear(&st.doc);
}

void suggestion_clear(struct suggestion *s)
{
	xfree(s->name);
	xfree(s->text);
	string_list_clear(&s->diagnosis);
	*s = (struct suggestion){0};
}

/* ---- check: doors no observation justifies --------------------------------------- */

struct justify {
	const struct suggest_image *const *images;
	size_t len;
};

#define FOR_EACH_AUDIT_OBSERVATION(j, e, o)                                                        \
	for (size_t i_ = 0; i_ < (j)->len; i_++)                                                   \
		for (size_t e_ = 0; e_ < (j)->images[i_]->evidence_len; e_++)                      \
			for (const struct suggest_evidence *e = &(j)->images[i_]->evidence[e_]; e; \
			     e = NULL)                                                             \
				for (const struct observation *o = &e->observation;                \
				     o && evidence_audit(e); o = NULL)

static bool justified_capability(const struct justify *j, const char *name)
{
	FOR_EACH_AUDIT_OBSERVATION(j, e, o)
	for (size_t c = 0; c < o->capabilities.len; c++)
		if (strcmp(o->capabilities.items[c].name, name) == 0)
			return true;
	return false;
}

static bool justified_root(const struct justify *j, const struct policy *base)
{
	FOR_EACH_AUDIT_OBSERVATION(j, e, o)
	if (o->init.known && o->init.uid_start == 0 && o->init.uid_end == 0) {
		cleanup_free char *power = root_power_used(e, base);
		if (power)
			return true;
	}
	return false;
}

static bool justified_write(const struct justify *j, const char *dir)
{
	FOR_EACH_AUDIT_OBSERVATION(j, e, o)
	for (size_t w = 0; w < o->writes.len; w++)
		if (path_under(o->writes.items[w].path, dir))
			return true;
	return false;
}

static bool justified_write_outside(const struct justify *j, const struct string_list *tmpfs)
{
	FOR_EACH_AUDIT_OBSERVATION(j, e, o)
	for (size_t w = 0; w < o->writes.len; w++)
		if (!under_any(o->writes.items[w].path, tmpfs))
			return true;
	return false;
}

static bool justified_syscall(const struct justify *j, const char *name)
{
	FOR_EACH_AUDIT_OBSERVATION(j, e, o)
	for (size_t s = 0; s < o->syscalls.len; s++)
		if (strcmp(o->syscalls.items[s].name, name) == 0)
			return true;
	return false;
}

static bool justified_privileged_exec(const struct justify *j)
{
	FOR_EACH_AUDIT_OBSERVATION(j, e, o)
	if (o->execs_privileged.len)
		return true;
	return false;
}

/* A program not from the image's layers run from a place `entry` of
 * allow.exec_paths names: the directory of the program, or one above it
 * ("/" aside: see suggest_unjustified). */
static bool justified_exec_path(const struct justify *j, const char *entry)
{
	struct string_list one = {.items = (char **)&entry, .len = 1};
	FOR_EACH_AUDIT_OBSERVATION(j, e, o)
	for (size_t x = 0; x < o->execs_foreign.len; x++) {
		const char *path = o->execs_foreign.items[x].path;
		if (!path || exec_is_memfd(path))
			continue;
		cleanup_free char *dir = xstrdup(path);
		for (char *slash = strrchr(dir, '/'); slash && slash != dir;
		     slash = strrchr(dir, '/')) {
			*slash = '\0';
			if (exec_path_allowed(&one, dir))
				return true;
		}
	}
	return false;
}

static bool justified_exec_memfd(const struct justify *j)
{
	FOR_EACH_AUDIT_OBSERVATION(j, e, o)
	for (size_t x = 0; x < o->execs_foreign.len; x++)
		if (exec_is_memfd(o->execs_foreign.items[x].path))
			return true;
	return false;
}

void suggest_unjustified(const struct policy *policy, const struct policy *base,
			 const struct suggest_image *const *images, size_t images_len,
			 struct string_list *out)
{
	struct justify j = {.images = images, .len = images_len};
	size_t observed = 0;
	FOR_EACH_AUDIT_OBSERVATION(&j, e, o)
	observed += o->kernel || o->writes_source;
	const char *none = observed ? "" : " (no audit-mode observation of its images)";
	for (size_t i = 0; i < policy->capabilities.len; i++) {
		const char *cap = policy->capabilities.items[i];
		if (!string_list_contains(&base->capabilities, cap) &&
		    !justified_capability(&j, cap)) {
			cleanup_free char *line = xasprintf(
			    "capability %s: no observation shows it exercised%s", cap, none);
			string_list_add(out, line);
		}
	}
	if (policy->allow_root && !base->allow_root && !justified_root(&j, base)) {
		cleanup_free char *line = xasprintf(
		    "user.allow_root: no observation shows a first process that stayed root and "
		    "used root's powers%s",
		    none);
		string_list_add(out, line);
	}
	for (size_t i = 0; i < policy->tmpfs.len; i++) {
		const char *dir = policy->tmpfs.items[i];
		if (!string_list_contains(&base->tmpfs, dir) && !justified_write(&j, dir)) {
			cleanup_free char *line =
			    xasprintf("tmpfs %s: no observation shows a write there%s", dir, none);
			string_list_add(out, line);
		}
	}
	for (size_t i = 0; i < policy->seccomp_allow_syscalls.len; i++) {
		const char *name = policy->seccomp_allow_syscalls.items[i];
		if (!string_list_contains(&base->seccomp_allow_syscalls, name) &&
		    !justified_syscall(&j, name)) {
			cleanup_free char *line =
			    xasprintf("seccomp.allow_syscalls %s: no observation shows it made%s",
				      name, none);
			string_list_add(out, line);
		}
	}
	if (!policy->no_new_privileges && base->no_new_privileges &&
	    !justified_privileged_exec(&j)) {
		cleanup_free char *line =
		    xasprintf("no_new_privileges false: no observation shows an exec that raised "
			      "privileges%s",
			      none);
		string_list_add(out, line);
	}
	if (!policy->readonly_rootfs && base->readonly_rootfs &&
	    !justified_write_outside(&j, &policy->tmpfs)) {
		cleanup_free char *line =
		    xasprintf("readonly_rootfs false: no observation shows a write outside its "
			      "tmpfs mounts%s",
			      none);
		string_list_add(out, line);
	}
	for (size_t i = 0; i < policy->allow.exec_paths.len; i++) {
		const char *entry = policy->allow.exec_paths.items[i];
		if (string_list_contains(&base->allow.exec_paths, entry))
			continue;
		/* "/" lets a writable root be: what the policy's readonly_rootfs
		 * false needs (judged above), and nothing under a read-only one. */
		if (strcmp(entry, "/") == 0) {
			if (policy->readonly_rootfs)
				string_list_add(out,
						"allow.exec_paths /: the policy keeps the root "
						"read-only, and only a writable root needs it");
			continue;
		}
		if (!justified_exec_path(&j, entry)) {
			cleanup_free char *line = xasprintf(
			    "allow.exec_paths %s: no observation shows a program written there "
			    "run%s",
			    entry, none);
			string_list_add(out, line);
		}
	}
	if (policy->allow.exec_memfd && !base->allow.exec_memfd && !justified_exec_memfd(&j)) {
		cleanup_free char *line = xasprintf(
		    "allow.exec_memfd true: no observation shows a program run from a memfd%s",
		    none);
		string_list_add(out, line);
	}
}
