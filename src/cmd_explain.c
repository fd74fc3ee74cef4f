/* SPDX-License-Identifier: Apache-2.0 */
/* `oci-harden explain [--event-log FILE] [--json] ID`: the answer a refusal
 * points to. Every decision of the container's last create (run, restore)
 * and of each exec since, from the event log: the policy and why it was
 * chosen, what was refused, what was changed, what was only warned about,
 * and what was observed of the container at run time where observation
 * recorded it. The bundle a refusal was about is gone by the time its user
 * reads the message (Docker and the CRI delete it when the create fails);
 * the event log is what stays. A view of the records, like the others: it
 * reads the decisions back and prints them with the same words as the
 * runtime log. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "json.h"
#include "report.h"
#include "settings.h"

enum {
	EXPLAIN_EXIT_FOUND = 0,
	EXPLAIN_EXIT_NONE = 1, /* no event of that container */
	EXPLAIN_EXIT_TROUBLE = 2,
};

/* Items of one observation list shown before "and N more". */
#define EXPLAIN_OBSERVED_SHOWN 20

static const char explain_usage[] =
    "usage: oci-harden explain [--event-log FILE] [--json] ID\n"
    "Every decision oci-harden took for the container ID (or the one whose id starts\n"
    "with ID): its last create and each exec since, and what was observed of it.\n"
    "\n"
    "  --event-log FILE  the event log to read (default: settings \"event_log\",\n"
    "                    " SETTINGS_DEFAULT_EVENT_LOG ")\n"
    "  --json            print those events as they are in the log, one per line\n"
    "  -h, --help        this text\n"
    "\n"
    "Exit status: 0 when the container has events, 1 when it has none, 2 on trouble.\n";

struct explain_event {
	char *line;
	struct json *doc;
};

struct explain_match {
	char *container;
	struct explain_event *events;
	size_t len, cap;
};

struct explain_run {
	const char *wanted;
	struct explain_match *matches;
	size_t len, cap;
};

static const char *member_string(const struct json *object, const char *key)
{
	const struct json *v =
	    object && object->type == JSON_OBJECT ? json_object_get(object, key) : NULL;
	return v && v->type == JSON_STRING ? v->string.ptr : NULL;
}

static struct explain_match *explain_match_for(struct explain_run *run, const char *container)
{
	for (size_t i = 0; i < run->len; i++)
		if (strcmp(run->matches[i].container, container) == 0)
			return &run->matches[i];
	run->matches = xgrow(run->matches, &run->cap, run->len + 1, sizeof(*run->matches));
	struct explain_match *m = &run->matches[run->len++];
	*m = (struct explain_match){.container = xstrdup(container)};
	return m;
}

static bool explain_is_create(const struct json *event)
{
	const char *command = member_string(event, "command");
	return command && (strcmp(command, "create") == 0 || strcmp(command, "run") == 0 ||
			   strcmp(command, "restore") == 0);
}

/* Every event of every container whose id starts with the one wanted; a
 * create starts a container's story over (an id can be used again once the
 * container is deleted). */
static int explain_read(const char *path, struct explain_run *run, oh_error_t *err)
{
	FILE *f = fopen(path, "re");
	if (!f)
		return oh_error_make(err, errno, "event log %s", path);
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	size_t wanted_len = strlen(run->wanted);
	while ((n = getline(&line, &cap, f)) > 0) {
		/* Most lines are other containers': skip them unparsed. */
		if (!strstr(line, run->wanted))
			continue;
		oh_error_t line_err = NULL;
		struct json *doc = json_parse(line, (size_t)n, 0, &line_err);
		oh_error_free(&line_err);
		const char *container = member_string(doc, "container");
		if (!container || strncmp(container, run->wanted, wanted_len) != 0) {
			json_free(doc);
			continue;
		}
		struct explain_match *m = explain_match_for(run, container);
		if (explain_is_create(doc)) {
			for (size_t i = 0; i < m->len; i++) {
				xfree(m->events[i].line);
				json_free(m->events[i].doc);
			}
			m->len = 0;
		}
		m->events = xgrow(m->events, &m->cap, m->len + 1, sizeof(*m->events));
		m->events[m->len++] = (struct explain_event){xstrndup(line, (size_t)n), doc};
	}
	int read_errno = ferror(f) ? errno : 0;
	xfree(line);
	fclose(f);
	if (read_errno)
		return oh_error_make(err, read_errno, "event log %s: cannot read", path);
	return 0;
}

/* A decision of the event log as the report's record, to be worded as the
 * runtime log words it. Borrows from `doc`. */
static bool explain_decision(const struct json *doc, struct decision *d)
{
	static const struct {
		const char *name;
		enum decision_kind kind;
	} kinds[] = {
	    {"change", DECISION_CHANGE}, {"refuse", DECISION_REFUSE}, {"warning", DECISION_WARN}};
	const char *kind = member_string(doc, "kind");
	*d = (struct decision){.rule = member_string(doc, "rule"),
			       .path = (char *)member_string(doc, "path"),
			       .old_value = json_object_get(doc, "old"),
			       .new_value = json_object_get(doc, "new"),
			       .reason = (char *)member_string(doc, "reason")};
	const struct json *lift = json_object_get(doc, "lift");
	d->lift.key = member_string(lift, "key");
	d->lift.value = d->lift.key ? json_object_get(lift, "value") : NULL;
	size_t k = 0;
	while (k < ARRAY_SIZE(kinds) && !(kind && strcmp(kinds[k].name, kind) == 0))
		k++;
	if (k == ARRAY_SIZE(kinds) || !d->rule || !d->path || !d->reason)
		return false;
	d->kind = kinds[k].kind;
	return true;
}

static void explain_decisions(const struct json *decisions, enum decision_kind kind,
			      const char *heading)
{
	size_t count = 0;
	for (size_t pass = 0; pass < 2; pass++) {
		for (size_t i = 0; decisions && i < decisions->array.len; i++) {
			struct decision d;
			if (!explain_decision(decisions->array.items[i], &d) || d.kind != kind)
				continue;
			if (pass == 0) {
				count++;
				continue;
			}
			cleanup_free char *what = decision_to_string(&d);
			cleanup_free char *lift = decision_lift_to_string(&d);
			printf("    %s\n", what);
			if (lift && kind != DECISION_CHANGE)
				printf("      a policy lifts it with %s\n", lift);
		}
		if (pass == 0 && count == 0)
			return;
		if (pass == 0)
			printf("  %s (%zu):\n", heading, count);
	}
}

static void explain_scalars(const struct json *item)
{
	if (item->type != JSON_OBJECT) {
		cleanup_free char *text = json_to_string(item, false);
		printf(" %s", text);
		return;
	}
	for (size_t i = 0; i < item->object.len; i++) {
		const struct json *v = item->object.members[i].value;
		if (v->type == JSON_ARRAY || v->type == JSON_OBJECT || v->type == JSON_NULL)
			continue;
		if (v->type == JSON_STRING)
			printf(" %s=%s", item->object.members[i].key, v->string.ptr);
		else {
			cleanup_free char *text = json_to_string(v, false);
			printf(" %s=%s", item->object.members[i].key, text);
		}
	}
}

/* An observation, shown without knowing its every member: each list whose
 * name says it was denied or refused, item by item; the sizes of the other
 * lists; the strings that say why something could not be observed. */
static void explain_observation(const struct json *observation)
{
	bool any_denied = false;
	struct strbuf seen = {0};
	for (size_t i = 0; i < observation->object.len; i++) {
		const char *key = observation->object.members[i].key;
		const struct json *v = observation->object.members[i].value;
		size_t key_len = strlen(key);
		if (v->type == JSON_STRING && key_len > 12 &&
		    strcmp(key + key_len - 12, "_unavailable") == 0)
			printf("  %s: %s\n", key, v->string.ptr);
		if (v->type != JSON_ARRAY || v->array.len == 0)
			continue;
		bool denied = (key_len > 7 && strcmp(key + key_len - 7, "_denied") == 0) ||
			      (key_len > 8 && strcmp(key + key_len - 8, "_refused") == 0);
		if (!denied) {
			strbuf_appendf(&seen, "%s%s %zu", seen.len ? ", " : "", key, v->array.len);
			continue;
		}
		if (!any_denied)
			printf("  denied at run time:\n");
		any_denied = true;
		printf("    %s (%zu):\n", key, v->array.len);
		for (size_t k = 0; k < v->array.len && k < EXPLAIN_OBSERVED_SHOWN; k++) {
			printf("     ");
			explain_scalars(v->array.items[k]);
			printf("\n");
		}
		if (v->array.len > EXPLAIN_OBSERVED_SHOWN)
			printf("      and %zu more\n", v->array.len - EXPLAIN_OBSERVED_SHOWN);
	}
	if (!any_denied)
		printf("  nothing denied at run time\n");
	if (seen.len)
		printf("  seen: %s\n", seen.buf);
	strbuf_free(&seen);
}

static void explain_event(const struct json *event)
{
	const char *command = member_string(event, "command");
	const char *time = member_string(event, "time");
	const char *outcome = member_string(event, "outcome");
	const char *policy = member_string(event, "policy");
	const char *mode = member_string(event, "mode");
	printf("\n%s at %s: %s", command ? command : "event", time ? time : "?",
	       outcome ? outcome : "?");
	if (policy)
		printf(", policy \"%s\"", policy);
	if (mode)
		printf(", %s mode", mode);
	printf("\n");
	const char *reason = member_string(event, "policy_reason");
	if (reason)
		printf("  policy chosen: %s\n", reason);
	const char *error = member_string(event, "error");
	if (error)
		printf("  error: %s\n", error);
	const struct json *observation = json_object_get(event, "observation");
	if (observation && observation->type == JSON_OBJECT) {
		explain_observation(observation);
		return;
	}
	const struct json *decisions = json_object_get(event, "decisions");
	if (!decisions || decisions->type != JSON_ARRAY)
		return;
	bool audit = mode && strcmp(mode, "audit") == 0;
	if (audit)
		printf("  audit mode: nothing below was applied; enforce mode would apply it\n");
	explain_decisions(decisions, DECISION_REFUSE, audit ? "would refuse" : "refused");
	explain_decisions(decisions, DECISION_CHANGE, audit ? "would change" : "changed");
	explain_decisions(decisions, DECISION_WARN, "warnings");
	if (decisions->array.len == 0)
		printf("  nothing to change\n");
}

static void explain_print(const struct explain_match *m, bool as_json)
{
	if (as_json) {
		for (size_t i = 0; i < m->len; i++) {
			const char *line = m->events[i].line;
			fputs(line, stdout);
			if (line[strlen(line) - 1] != '\n') /* the log's last line, cut short */
				putchar('\n');
		}
		return;
	}
	const char *image = NULL;
	for (size_t i = 0; i < m->len && !image; i++)
		image = member_string(m->events[i].doc, "image");
	printf("container %s\n", m->container);
	printf("  image: %s\n", image ? image : "(not known to oci-harden)");
	if (!explain_is_create(m->events[0].doc))
		printf("  (the event log has no create of it: only what follows)\n");
	for (size_t i = 0; i < m->len; i++)
		explain_event(m->events[i].doc);
}

static void explain_run_clear(struct explain_run *run)
{
	for (size_t i = 0; i < run->len; i++) {
		struct explain_match *m = &run->matches[i];
		for (size_t e = 0; e < m->len; e++) {
			xfree(m->events[e].line);
			json_free(m->events[e].doc);
		}
		xfree(m->events);
		xfree(m->container);
	}
	xfree(run->matches);
}

int cmd_explain(int argc, char **argv)
{
	const char *event_log = NULL, *id = NULL;
	bool as_json = false;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--event-log") == 0 && i + 1 < argc) {
			event_log = argv[++i];
		} else if (strncmp(argv[i], "--event-log=", 12) == 0) {
			event_log = argv[i] + 12;
		} else if (strcmp(argv[i], "--json") == 0) {
			as_json = true;
		} else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			fputs(explain_usage, stdout);
			return EXPLAIN_EXIT_FOUND;
		} else if (argv[i][0] == '-' || id) {
			fprintf(stderr, "oci-harden explain: unexpected argument %s\n%s", argv[i],
				explain_usage);
			return EXPLAIN_EXIT_TROUBLE;
		} else {
			id = argv[i];
		}
	}
	if (!id || !*id) {
		fputs(explain_usage, stderr);
		return EXPLAIN_EXIT_TROUBLE;
	}

	cleanup_error oh_error_t err = NULL;
	cleanup_settings struct settings settings = {0};
	if (!event_log) {
		if (settings_load(&settings, &err) < 0) {
			fprintf(stderr, "oci-harden explain: %s\n", err->msg);
			return EXPLAIN_EXIT_TROUBLE;
		}
		event_log = settings.event_log;
	}
	struct explain_run run = {.wanted = id};
	if (explain_read(event_log, &run, &err) < 0) {
		fprintf(stderr, "oci-harden explain: %s\n", err->msg);
		explain_run_clear(&run);
		return EXPLAIN_EXIT_TROUBLE;
	}
	/* The id itself, else the one container whose id starts with it. */
	const struct explain_match *chosen = NULL;
	for (size_t i = 0; i < run.len && !chosen; i++)
		if (strcmp(run.matches[i].container, id) == 0)
			chosen = &run.matches[i];
	if (!chosen && run.len == 1)
		chosen = &run.matches[0];
	int status = EXPLAIN_EXIT_FOUND;
	if (chosen) {
		explain_print(chosen, as_json);
	} else if (run.len == 0) {
		fprintf(stderr, "oci-harden explain: no event of a container %s in %s\n", id,
			event_log);
		status = EXPLAIN_EXIT_NONE;
	} else {
		fprintf(stderr, "oci-harden explain: %zu containers' ids start with %s:", run.len,
			id);
		for (size_t i = 0; i < run.len; i++)
			fprintf(stderr, " %s", run.matches[i].container);
		fprintf(stderr, "\n");
		status = EXPLAIN_EXIT_TROUBLE;
	}
	explain_run_clear(&run);
	return status;
}
