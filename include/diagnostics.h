/* SPDX-License-Identifier: Apache-2.0 */
/* What a loader found wrong with a file, as data: made where the problem is
 * found, located by the JSON node's offset, never parsed back from a
 * message. The policy loader collects every one of a file; `check` prints
 * them, the runtime reports the first error. */
#ifndef OCI_HARDEN_DIAGNOSTICS_H
#define OCI_HARDEN_DIAGNOSTICS_H

#include <stddef.h>

#include "util.h"

enum diagnostic_severity {
	DIAGNOSTIC_ERROR,   /* the file cannot be used */
	DIAGNOSTIC_WARNING, /* it can, but probably does not say what was meant */
};

/* What a view may say more about. */
enum diagnostic_kind {
	DIAGNOSTIC_INVALID,	       /* anything else */
	DIAGNOSTIC_UNKNOWN_KEY,	       /* subject: the key; context: its object's path */
	DIAGNOSTIC_UNKNOWN_CAPABILITY, /* subject: the name */
	DIAGNOSTIC_REPEATED_KEY,       /* related: the offset of its first occurrence */
};

/* The file as a whole (it cannot be read), not a place in it. */
#define DIAGNOSTIC_NO_OFFSET ((size_t)-1)

struct diagnostic {
	enum diagnostic_severity severity;
	enum diagnostic_kind kind;
	size_t offset; /* in the file's text */
	char *path;    /* JSON path of the node, "" for none */
	char *reason;  /* what is wrong, for people */
	char *subject; /* see enum diagnostic_kind, or NULL */
	char *context;
	size_t related;
};

struct diagnostics {
	struct diagnostic *items;
	size_t len, cap;
};

/* Record a problem at `offset`, about the node at JSON `path` (copied);
 * returns it, so that the caller can say more (kind, subject, ...). */
struct diagnostic *diagnostics_add(struct diagnostics *diagnostics,
				   enum diagnostic_severity severity, size_t offset,
				   const char *path, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
size_t diagnostics_count(const struct diagnostics *diagnostics, enum diagnostic_severity severity);
/* The first error recorded, or NULL. */
const struct diagnostic *diagnostics_first_error(const struct diagnostics *diagnostics);
/* "path: reason", or the reason alone when there is no path. */
char *diagnostic_message(const struct diagnostic *diagnostic);
void diagnostics_clear(struct diagnostics *diagnostics);

#endif
