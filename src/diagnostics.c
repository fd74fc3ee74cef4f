/* SPDX-License-Identifier: Apache-2.0 */
#include "diagnostics.h"

#include <assert.h>
#include <string.h>

struct diagnostic *diagnostics_add(struct diagnostics *diagnostics,
				   enum diagnostic_severity severity, size_t offset,
				   const char *path, const char *fmt, ...)
{
	assert(diagnostics && path && fmt);
	va_list ap;
	va_start(ap, fmt);
	char *reason = xvasprintf(fmt, ap);
	va_end(ap);
	diagnostics->items = xgrow(diagnostics->items, &diagnostics->cap, diagnostics->len + 1,
				   sizeof(diagnostics->items[0]));
	struct diagnostic *d = &diagnostics->items[diagnostics->len++];
	*d = (struct diagnostic){
	    .severity = severity,
	    .kind = DIAGNOSTIC_INVALID,
	    .offset = offset,
	    .path = xstrdup(path),
	    .reason = reason,
	};
	return d;
}

size_t diagnostics_count(const struct diagnostics *diagnostics, enum diagnostic_severity severity)
{
	size_t n = 0;
	for (size_t i = 0; i < diagnostics->len; i++)
		n += diagnostics->items[i].severity == severity;
	return n;
}

const struct diagnostic *diagnostics_first_error(const struct diagnostics *diagnostics)
{
	for (size_t i = 0; i < diagnostics->len; i++)
		if (diagnostics->items[i].severity == DIAGNOSTIC_ERROR)
			return &diagnostics->items[i];
	return NULL;
}

char *diagnostic_message(const struct diagnostic *d)
{
	return *d->path ? xasprintf("%s: %s", d->path, d->reason) : xstrdup(d->reason);
}

void diagnostics_clear(struct diagnostics *diagnostics)
{
	for (size_t i = 0; i < diagnostics->len; i++) {
		struct diagnostic *d = &diagnostics->items[i];
		xfree(d->path);
		xfree(d->reason);
		xfree(d->subject);
		xfree(d->context);
	}
	xfree(diagnostics->items);
	*diagnostics = (struct diagnostics){0};
}
