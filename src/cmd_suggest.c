/* SPDX-License-Identifier: Apache-2.0 */
/* `oci-harden suggest [--out DIR] EVENTLOG`: from audit mode to enforce.
 * For each image that ran under a policy in audit mode, the smallest policy
 * (extending the default) whose exceptions would have let it run unchanged:
 * every decision enforce would have taken, turned into the key that stops
 * it. What no policy key can lift is said in the file's comment. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "commands.h"
#include "fileio.h"
#include "json.h"
#include "policy.h"

#define SUGGEST_EVENT_LOG_MAX_BYTES (256u << 20)

struct suggestion {
	char *image;
	size_t events;
	struct json *overrides;	       /* the policy keys that lift what enforce would do */
	struct string_list unliftable; /* decisions no key can stop */
};

struct suggest_run {
	struct suggestion *items;
	size_t len, cap;
	struct json *base; /* the default policy, as the policy language writes it */
};

static struct suggestion *suggest_for_image(struct suggest_run *run, const char *image)
{
	for (size_t i = 0; i < run->len; i++)
		if (strcmp(run->items[i].image, image) == 0)
			return &run->items[i];
	run->items = xgrow(run->items, &run->cap, run->len + 1, sizeof(*run->items));
	struct suggestion *s = &run->items[run->len++];
	*s = (struct suggestion){.image = xstrdup(image), .overrides = json_new_object()};
	return s;
}

static void add_unique(struct string_list *list, const char *s)
{
	if (!string_list_contains(list, s))
		string_list_add(list, s);
}

static const char *member_string(const struct json *object, const char *key)
{
	const struct json *v = json_object_get(object, key);
	return v && v->type == JSON_STRING ? v->string.ptr : NULL;
}

/* The value at dotted `key` in `doc`, creating the objects on the way when
 * `parent` is wanted; returns the last component in *leaf. */
static struct json *suggest_parent(struct json *doc, const char *key, bool create,
				   const char **leaf)
{
	const char *dot;
	while ((dot = strchr(key, '.'))) {
		cleanup_free char *part = xstrndup(key, (size_t)(dot - key));
		struct json *next = json_object_get(doc, part);
		if (!next || next->type != JSON_OBJECT) {
			if (!create)
				return NULL;
			next = json_new_object();
			json_object_set(doc, part, next);
		}
		doc = next;
		key = dot + 1;
	}
	*leaf = key;
	return doc;
}

/* Apply a decision's lift, as the event log carries it: a list key gains
 * the items (starting from what the base policy has), any other key is
 * set. The decision says which key; nothing here knows rule names. */
static void suggest_lift(struct suggest_run *run, struct suggestion *s, const char *key,
			 const struct json *value)
{
	const char *leaf;
	struct json *parent = suggest_parent(s->overrides, key, true, &leaf);
	if (!value || value->type != JSON_ARRAY) {
		json_object_set(parent, leaf, value ? json_clone(value) : json_new_null());
		return;
	}
	struct json *list = json_object_get(parent, leaf);
	if (!list || list->type != JSON_ARRAY) {
		const char *base_leaf;
		const struct json *base_parent = suggest_parent(run->base, key, false, &base_leaf);
		const struct json *base =
		    base_parent ? json_object_get(base_parent, base_leaf) : NULL;
		list = base && base->type == JSON_ARRAY ? json_clone(base) : json_new_array();
		json_object_set(parent, leaf, list);
	}
	for (size_t i = 0; i < value->array.len; i++) {
		bool present = false;
		for (size_t j = 0; j < list->array.len && !present; j++)
			present = json_equal(list->array.items[j], value->array.items[i]);
		if (!present)
			json_array_append(list, json_clone(value->array.items[i]));
	}
}

/* One decision enforce would have taken, and the key that stops it. */
static void suggest_decision(struct suggest_run *run, struct suggestion *s, const struct json *d)
{
	const char *kind = member_string(d, "kind"), *rule = member_string(d, "rule");
	const char *path = member_string(d, "path");
	const struct json *lift = json_object_get(d, "lift");
	if (!kind || !rule || !path || strcmp(kind, "warning") == 0)
		return;
	const char *key = lift && lift->type == JSON_OBJECT ? member_string(lift, "key") : NULL;
	if (key) {
		suggest_lift(run, s, key, json_object_get(lift, "value"));
		return;
	}
	/* What enforce does that no key stops (masked paths put back, a tmpfs
	 * added) changes nothing an image needs; only refusals are worth
	 * saying. */
	if (strcmp(kind, "refuse") == 0) {
		cleanup_free char *what = xasprintf("%s: %s", rule, path);
		add_unique(&s->unliftable, what);
	}
}

static int suggest_read_events(const char *path, struct suggest_run *run, oh_error_t *err)
{
	cleanup_free char *text = NULL;
	size_t len;
	if (file_read_all(AT_FDCWD, path, SUGGEST_EVENT_LOG_MAX_BYTES, &text, &len, err) < 0)
		return -1;
	size_t line_no = 0;
	for (char *line = text, *next; line < text + len; line = next) {
		char *end = memchr(line, '\n', (size_t)(text + len - line));
		next = end ? end + 1 : text + len;
		line_no++;
		size_t n = (size_t)((end ? end : text + len) - line);
		if (n == 0)
			continue;
		oh_error_t line_err = NULL;
		cleanup_json struct json *event = json_parse(line, n, 0, &line_err);
		if (!event || event->type != JSON_OBJECT) {
			/* A line cut short by a full disk or a crash: say so, go on. */
			fprintf(stderr, "oci-harden suggest: %s:%zu: skipped: %s\n", path, line_no,
				line_err ? line_err->msg : "not a JSON object");
			oh_error_free(&line_err);
			continue;
		}
		const char *mode = member_string(event, "mode");
		const char *image = member_string(event, "image");
		const struct json *decisions = json_object_get(event, "decisions");
		if (!mode || strcmp(mode, "audit") != 0 || !image || !decisions ||
		    decisions->type != JSON_ARRAY)
			continue;
		struct suggestion *s = suggest_for_image(run, image);
		s->events++;
		for (size_t i = 0; i < decisions->array.len; i++)
			if (decisions->array.items[i]->type == JSON_OBJECT)
				suggest_decision(run, s, decisions->array.items[i]);
	}
	return 0;
}

/* The policy document: only the keys this image needs. */
static struct json *suggest_policy(const struct suggestion *s)
{
	struct json *doc = json_new_object();
	json_object_set(doc, "extends", json_new_string("default"));
	struct json *images = json_new_array();
	json_array_append(images, json_new_string(s->image));
	json_object_set(doc, "images", images);
	for (size_t i = 0; i < s->overrides->object.len; i++)
		json_object_set(doc, s->overrides->object.members[i].key,
				json_clone(s->overrides->object.members[i].value));
	return doc;
}

/* A policy name from an image reference: "docker.io/library/nginx:1.25"
 * becomes "suggested-docker.io-library-nginx-1.25". */
static char *suggest_name(const char *image)
{
	cleanup_free char *name = xasprintf("suggested-%s", image);
	for (char *p = name; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || *p == '.' || *p == '_' || *p == '-'))
			*p = '-';
	if (strlen(name) > 200)
		name[200] = '\0';
	return steal_pointer(&name);
}

static char *suggest_text(const struct suggestion *s)
{
	struct strbuf sb = {0};
	strbuf_appendf(
	    &sb, "// Suggested by oci-harden suggest from %zu audit-mode event%s of\n// %s.\n",
	    s->events, s->events == 1 ? "" : "s", s->image);
	if (s->unliftable.len) {
		strbuf_puts(&sb, "// No policy key stops these; enforce will still apply them:\n");
		for (size_t i = 0; i < s->unliftable.len; i++)
			strbuf_appendf(&sb, "//   %s\n", s->unliftable.items[i]);
	}
	cleanup_json struct json *doc = suggest_policy(s);
	json_write(doc, true, &sb);
	return strbuf_steal(&sb);
}

static void suggestion_clear(struct suggestion *s)
{
	xfree(s->image);
	json_free(s->overrides);
	string_list_clear(&s->unliftable);
}

static const char suggest_usage[] =
    "usage: oci-harden suggest [--out DIR] EVENTLOG\n"
    "For each image that ran under a policy in audit mode, the smallest policy\n"
    "(extending default) that would have let it run as it did.\n"
    "\n"
    "  --out DIR   write each policy to DIR/suggested-IMAGE.json (default: print them)\n"
    "  -h, --help  this text\n";

int cmd_suggest(int argc, char **argv)
{
	const char *out_dir = NULL, *event_log = NULL;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--out") == 0 && i + 1 < argc) {
			out_dir = argv[++i];
		} else if (strncmp(argv[i], "--out=", 6) == 0) {
			out_dir = argv[i] + 6;
		} else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			fputs(suggest_usage, stdout);
			return 0;
		} else if (argv[i][0] == '-' || event_log) {
			fputs(suggest_usage, stderr);
			return 2;
		} else {
			event_log = argv[i];
		}
	}
	if (!event_log) {
		fputs(suggest_usage, stderr);
		return 2;
	}

	cleanup_error oh_error_t err = NULL;
	cleanup_policy struct policy *base = NULL;
	if (policy_load_default(&base, &err) < 0) {
		fprintf(stderr, "oci-harden suggest: %s\n", err->msg);
		return 1;
	}
	struct suggest_run run = {.base = policy_to_json(base)};
	int status = 0;
	if (suggest_read_events(event_log, &run, &err) < 0) {
		fprintf(stderr, "oci-harden suggest: %s\n", err->msg);
		status = 1;
	}
	if (status == 0 && out_dir && mkdir(out_dir, 0755) < 0 && errno != EEXIST) {
		fprintf(stderr, "oci-harden suggest: cannot create %s: %s\n", out_dir,
			strerror(errno));
		status = 1;
	}
	for (size_t i = 0; status == 0 && i < run.len; i++) {
		cleanup_free char *name = suggest_name(run.items[i].image);
		cleanup_free char *text = suggest_text(&run.items[i]);
		if (!out_dir) {
			printf("// %s.json\n%s\n", name, text);
			continue;
		}
		cleanup_free char *path = xasprintf("%s/%s.json", out_dir, name);
		FILE *f = fopen(path, "we");
		if (!f || fputs(text, f) < 0 || fclose(f) != 0) {
			fprintf(stderr, "oci-harden suggest: cannot write %s: %s\n", path,
				strerror(errno));
			status = 1;
			continue;
		}
		fprintf(stderr, "oci-harden suggest: wrote %s\n", path);
	}
	if (status == 0 && run.len == 0)
		fprintf(stderr, "oci-harden suggest: no audit-mode event with an image in %s\n",
			event_log);
	for (size_t i = 0; i < run.len; i++)
		suggestion_clear(&run.items[i]);
	xfree(run.items);
	json_free(run.base);
	return status;
}
