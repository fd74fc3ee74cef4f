/* SPDX-License-Identifier: Apache-2.0 */
#include "report.h"

#include <stdio.h>
#include <string.h>

void report_add(struct report *report, enum decision_kind kind, const char *rule, const char *path,
		const char *old_value, const char *new_value, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *reason = xvasprintf(fmt, ap);
	va_end(ap);

	report->items =
	    xgrow(report->items, &report->cap, report->len + 1, sizeof(struct decision));
	report->items[report->len++] = (struct decision){
	    .kind = kind,
	    .rule = rule,
	    .path = xstrdup(path),
	    .old_value = old_value ? xstrdup(old_value) : NULL,
	    .new_value = new_value ? xstrdup(new_value) : NULL,
	    .reason = reason,
	};
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
		free(report->items[i].path);
		free(report->items[i].old_value);
		free(report->items[i].new_value);
		free(report->items[i].reason);
		free(report->items[i].allow_entry);
	}
	free(report->items);
	free(report->policy_name);
	free(report->policy_reason);
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

static void append_value(struct strbuf *sb, const char *value, const char *missing)
{
	if (!value) {
		strbuf_puts(sb, missing);
		return;
	}
	size_t len = strlen(value);
	if (len <= DECISION_VALUE_SHOWN) {
		strbuf_puts(sb, value);
		return;
	}
	strbuf_append(sb, value, DECISION_VALUE_SHOWN - 12);
	strbuf_appendf(sb, "... (%zu bytes)", len);
}

char *decision_to_string(const struct decision *d)
{
	struct strbuf sb = {0};
	strbuf_appendf(&sb, "%s: %s: %s", d->rule, d->path, d->reason);
	if (d->kind == DECISION_CHANGE) {
		strbuf_puts(&sb, " (");
		append_value(&sb, d->old_value, "absent");
		strbuf_puts(&sb, " -> ");
		append_value(&sb, d->new_value, "removed");
		strbuf_puts(&sb, ")");
	}
	return strbuf_steal(&sb);
}
