/* SPDX-License-Identifier: Apache-2.0 */
#include "report.h"

#include <stdio.h>
#include <string.h>

struct decision *report_add(struct report *report, enum decision_kind kind, const char *rule,
			    const char *path, struct json *old_value, struct json *new_value,
			    const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *reason = xvasprintf(fmt, ap);
	va_end(ap);
	return report_add_taken(report, kind, rule, xstrdup(path), old_value, new_value, reason);
}

struct decision *report_add_taken(struct report *report, enum decision_kind kind, const char *rule,
				  char *path, struct json *old_value, struct json *new_value,
				  char *reason)
{
	report->items =
	    xgrow(report->items, &report->cap, report->len + 1, sizeof(struct decision));
	struct decision *d = &report->items[report->len++];
	*d = (struct decision){
	    .kind = kind,
	    .rule = rule,
	    .path = path,
	    .offset = old_value ? old_value->offset : DECISION_NO_OFFSET,
	    .old_value = old_value,
	    .new_value = new_value,
	    .reason = reason,
	};
	return d;
}

void decision_set_lift(struct decision *d, const char *key, struct json *value)
{
	json_free(d->lift.value);
	d->lift = (struct decision_lift){.key = key, .value = value};
}

void decision_set_lift_item(struct decision *d, const char *key, const char *item)
{
	struct json *list = json_new_array();
	json_array_append(list, json_new_string(item));
	decision_set_lift(d, key, list);
}

size_t report_count(const struct report *report, enum decision_kind kind)
{
	size_t n = 0;
	for (size_t i = 0; i < report->len; i++)
		n += report->items[i].kind == kind;
	return n;
}

const struct decision *report_first_refusal(const struct report *report)
{
	for (size_t i = 0; i < report->len; i++)
		if (report->items[i].kind == DECISION_REFUSE)
			return &report->items[i];
	return NULL;
}

void report_clear(struct report *report)
{
	for (size_t i = 0; i < report->len; i++) {
		struct decision *d = &report->items[i];
		xfree(d->path);
		json_free(d->old_value);
		json_free(d->new_value);
		xfree(d->reason);
		json_free(d->lift.value);
	}
	xfree(report->items);
	xfree(report->policy_name);
	xfree(report->policy_reason);
	*report = (struct report){0};
}

const char *decision_kind_name(enum decision_kind kind)
{
	static const char *const names[] = {
	    [DECISION_CHANGE] = "change",
	    [DECISION_REFUSE] = "refuse",
	    [DECISION_WARN] = "warning",
	};
	return names[kind];
}

/* Values such as a whole seccomp profile would drown a log line: show their
 * start and size. The report itself keeps them whole. */
#define DECISION_VALUE_SHOWN 72

static void append_value(struct strbuf *sb, const struct json *value, const char *missing)
{
	if (!value) {
		strbuf_puts(sb, missing);
		return;
	}
	struct strbuf text = {0};
	json_write(value, false, &text);
	if (text.len <= DECISION_VALUE_SHOWN) {
		strbuf_append(sb, text.buf, text.len);
	} else {
		strbuf_append(sb, text.buf, DECISION_VALUE_SHOWN - 12);
		strbuf_appendf(sb, "... (%zu bytes)", text.len);
	}
	strbuf_free(&text);
}

char *decision_to_string(const struct decision *d)
{
	struct strbuf sb = {0};
	if (*d->path)
		strbuf_appendf(&sb, "%s: %s: %s", d->rule, d->path, d->reason);
	else
		strbuf_appendf(&sb, "%s: %s", d->rule, d->reason); /* not of one node */
	if (d->kind == DECISION_CHANGE) {
		strbuf_puts(&sb, " (");
		append_value(&sb, d->old_value, "absent");
		strbuf_puts(&sb, " -> ");
		append_value(&sb, d->new_value, "removed");
		strbuf_puts(&sb, ")");
	}
	return strbuf_steal(&sb);
}

char *decision_lift_to_string(const struct decision *d)
{
	if (!d->lift.key)
		return NULL;
	struct strbuf sb = {0};
	const struct json *v = d->lift.value;
	strbuf_appendf(&sb, "\"%s\"%s", d->lift.key, v && v->type == JSON_ARRAY ? " += " : ": ");
	if (v)
		json_write(v, false, &sb);
	return strbuf_steal(&sb);
}
