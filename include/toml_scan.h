/* SPDX-License-Identifier: Apache-2.0 */
/* A reader of the TOML that containerd's config.toml is written in, for
 * `oci-harden install`, which edits that file as text: it must know where
 * every table and key is, and refuse a file it cannot read as containerd
 * would, but it never re-serialises anything. Pure.
 *
 * It reads TOML 1.0 (toml.io/en/v1.0.0) except arrays of tables
 * ([[...]]), which containerd's configuration never has: a file with one is
 * refused as unexpected. It rejects what the specification forbids and
 * containerd's TOML reader (pelletier/go-toml) rejects with it: a table or
 * key defined twice, a key that is both a value and a table, an
 * unterminated string, a bare carriage return, anything after a value. */
#ifndef OCI_HARDEN_TOML_SCAN_H
#define OCI_HARDEN_TOML_SCAN_H

#include <stdbool.h>
#include <stddef.h>

#include "errors.h"

enum toml_entry_kind {
	TOML_ENTRY_TABLE,  /* a [table] header */
	TOML_ENTRY_KEYVAL, /* key = value */
};

enum toml_value_kind {
	TOML_VALUE_NONE, /* a table header has none */
	TOML_VALUE_STRING,
	TOML_VALUE_INTEGER,
	TOML_VALUE_BOOL,
	TOML_VALUE_ARRAY,
	TOML_VALUE_INLINE_TABLE,
	TOML_VALUE_OTHER, /* a float, a date or time, a multi-line string */
};

struct toml_entry {
	enum toml_entry_kind kind;
	/* The whole path, decoded: for a key, the path of its table and then
	 * the parts of the key (`a.b = 1` in [t] is t, a, b). */
	struct string_list path;
	size_t key_parts; /* a key's own parts: more than one for a dotted key */
	unsigned line;	  /* 1-based line where the entry starts */
	enum toml_value_kind value_kind;
	char *string;		    /* TOML_VALUE_STRING: its decoded text */
	long long integer;	    /* TOML_VALUE_INTEGER (decimal, no '_') */
	bool boolean;		    /* TOML_VALUE_BOOL */
	struct string_list strings; /* TOML_VALUE_ARRAY: its string elements */
	bool strings_only;	    /* TOML_VALUE_ARRAY: it holds nothing but strings */
};

struct toml_doc {
	struct toml_entry *entries;
	size_t len;
	size_t cap;
	/* The file's line ending, from its first line break: "\r\n" or "\n"
	 * ("\n" when the file has none). */
	const char *newline;
};

/* Read `text` (len bytes, NUL-terminated). Errors are "DISPLAY:LINE: what
 * is wrong". On failure `doc` holds nothing. */
int toml_scan(const char *text, size_t len, const char *display, struct toml_doc *doc,
	      oh_error_t *err);
void toml_doc_clear(struct toml_doc *doc);
static inline void cleanup_toml_docp(struct toml_doc *doc)
{
	toml_doc_clear(doc);
}
#define cleanup_toml_doc _cleanup_(cleanup_toml_docp)

/* Whether the first `prefix_len` parts of `path` are `prefix`. */
bool toml_path_has_prefix(const struct string_list *path, const char *const *prefix,
			  size_t prefix_len);

/* The key/value entry at exactly `path`, or NULL. */
const struct toml_entry *toml_doc_keyval(const struct toml_doc *doc, const char *const *path,
					 size_t path_len);

/* `path` written as TOML writes a key: bare parts as they are, others as
 * basic strings ("io.containerd.grpc.v1.cri" keeps its quotes). */
char *toml_path_to_string(const struct string_list *path);

#endif
