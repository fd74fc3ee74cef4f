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

/* The allow list that lifts a refusal of each rule. */
static const struct {
	const char *rule;
	const char *allow_key;
} suggest_allow_keys[] = {
    {"namespaces", "host_namespaces"},
    {"mounts", "host_paths"},
    {"devices", "devices"},
    {"hooks", "hooks"},
    {"sysctls", "sysctls"},
};

struct suggestion {
	char *image;
	size_t events;
	struct string_list capabilities;
	bool allow_root, keep_new_privileges, no_seccomp, no_apparmor, writable_rootfs, no_tmpfs,
	    no_pids_limit;
	struct string_list allow[ARRAY_SIZE(suggest_allow_keys)];
	struct string_list unliftable; /* decisions no key can stop */
};

struct suggest_run {
	struct suggestion *items;
	size_t len, cap;
	const struct policy *base;
};

static struct suggestion *suggest_for_image(struct suggest_run *run, const char *image)
{
	for (size_t i = 0; i < run->len; i++)
		if (strcmp(run->items[i].image, image) == 0)
			return &run->items[i];
	run->items = xgrow(run->items, &run->cap, run->len + 1, sizeof(*run->items));
	struct suggestion *s = &run->items[run->len++];
	*s = (struct suggestion){.image = xstrdup(image)};
	for (size_t i = 0; i < run->base->capabilities.len; i++)
		string_list_add(&s->capabilities, run->base->capabilities.items[i]);
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

/* One decision enforce would have taken, and the key that stops it. */
static void suggest_decision(struct suggestion *s, const struct json *d)
{
	const char *kind = member_string(d, "kind"), *rule = member_string(d, "rule");
	const char *path = member_string(d, "path"), *allow = member_string(d, "allow");
	const struct json *old = json_object_get(d, "old");
	if (!kind || !rule || !path || strcmp(kind, "warning") == 0)
		return;
	if (strcmp(kind, "refuse") == 0) {
		for (size_t i = 0; i < ARRAY_SIZE(suggest_allow_keys); i++)
			if (strcmp(rule, suggest_allow_keys[i].rule) == 0 && allow) {
				add_unique(&s->allow[i], allow);
				return;
			}
		if (strcmp(rule, "exec") == 0 && old && old->type == JSON_STRING) {
			if (strcmp(path, "--cap") == 0) {
				add_unique(&s->capabilities, old->string.ptr);
				return;
			}
			if (strcmp(path, "--user") == 0 || strcmp(path, "--additional-gids") == 0) {
				s->allow_root = true;
				return;
			}
			if (strcmp(path, "--no-new-privs") == 0) {
				s->keep_new_privileges = true;
				return;
			}
		}
		cleanup_free char *what = xasprintf("%s: %s", rule, path);
		add_unique(&s->unliftable, what);
		return;
	}
	if (strcmp(rule, "capabilities") == 0 && old && old->type == JSON_ARRAY) {
		for (size_t i = 0; i < old->array.len; i++)
			if (old->array.items[i]->type == JSON_STRING)
				add_unique(&s->capabilities, old->array.items[i]->string.ptr);
	} else if (strcmp(rule, "user") == 0) {
		s->allow_root = true;
	} else if (strcmp(rule, "privileges") == 0) {
		s->keep_new_privileges = true;
	} else if (strcmp(rule, "seccomp") == 0) {
		s->no_seccomp = true;
	} else if (strcmp(rule, "apparmor") == 0) {
		s->no_apparmor = true;
	} else if (strcmp(rule, "rootfs") == 0) {
		if (strcmp(path, "root.readonly") == 0)
			s->writable_rootfs = true;
		else
			s->no_tmpfs = true;
	} else if (strcmp(rule, "limits") == 0 && strstr(path, "pids")) {
		s->no_pids_limit = true;
	} else {
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
				suggest_decision(s, decisions->array.items[i]);
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
	json_object_set(doc, "capabilities", json_new_string_list(&s->capabilities));
	if (s->allow_root) {
		struct json *user = json_new_object();
		json_object_set(user, "allow_root", json_new_bool(true));
		json_object_set(doc, "user", user);
	}
	if (s->keep_new_privileges)
		json_object_set(doc, "no_new_privileges", json_new_bool(false));
	if (s->writable_rootfs)
		json_object_set(doc, "readonly_rootfs", json_new_bool(false));
	if (s->no_tmpfs)
		json_object_set(doc, "tmpfs", json_new_array());
	if (s->no_seccomp) {
		struct json *seccomp = json_new_object();
		json_object_set(seccomp, "profile", json_new_string(""));
		json_object_set(doc, "seccomp", seccomp);
	}
	if (s->no_apparmor) {
		struct json *apparmor = json_new_object();
		json_object_set(apparmor, "profile", json_new_string(""));
		json_object_set(doc, "apparmor", apparmor);
	}
	if (s->no_pids_limit)
		json_object_set(doc, "pids_limit", json_new_int(0));
	struct json *allow = json_new_object();
	for (size_t i = 0; i < ARRAY_SIZE(suggest_allow_keys); i++)
		if (s->allow[i].len)
			json_object_set(allow, suggest_allow_keys[i].allow_key,
					json_new_string_list(&s->allow[i]));
	if (allow->object.len)
		json_object_set(doc, "allow", allow);
	else
		json_free(allow);
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
	free(s->image);
	string_list_clear(&s->capabilities);
	for (size_t i = 0; i < ARRAY_SIZE(suggest_allow_keys); i++)
		string_list_clear(&s->allow[i]);
	string_list_clear(&s->unliftable);
}

static const char suggest_usage[] = "usage: oci-harden suggest [--out DIR] EVENTLOG\n";

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
	struct suggest_run run = {.base = base};
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
	free(run.items);
	return status;
}
