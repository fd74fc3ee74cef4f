/* SPDX-License-Identifier: Apache-2.0 */
/* A mutable JSON tree that round-trips a document: key order, fields nobody
 * here knows, and the exact text of every number are kept, so a config with
 * nothing to change is written back as it was read (compactly).
 *
 * With JSON_PARSE_GO_STRICT the parser refuses a key repeated in one object
 * (Go lets the last one win, or merges repeated objects; "\u0070rocess" and
 * "process" are one key). Which keys Go would match to which field, case
 * folding included, is the spec model's (spec_model.h): it refuses every
 * key that is not exactly a field's name. Invalid UTF-8 and anything after
 * the top-level value are refused in every mode. */
#ifndef OCI_HARDEN_JSON_H
#define OCI_HARDEN_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "errors.h"

enum json_type {
	JSON_NULL,
	JSON_BOOL,
	JSON_NUMBER,
	JSON_STRING,
	JSON_ARRAY,
	JSON_OBJECT,
};

struct json;

struct json_member {
	char *key; /* UTF-8, NUL-terminated; keys with an embedded NUL are refused */
	struct json *value;
	size_t offset; /* byte offset of the key's opening quote, for line:column */
};

struct json {
	enum json_type type;
	/* Static data made at build time (the embedded seccomp profile, see
	 * struct json_frozen), shared rather than copied: json_clone returns
	 * the node itself, json_free leaves it, and changing it aborts
	 * (json_thaw gives a copy that can be changed). */
	bool frozen;
	/* This frozen node is the `node` of a struct json_frozen. */
	bool frozen_text;
	/* A string whose text needs no escape in JSON, as the parser knows of
	 * one it read without a backslash in it (a raw string holds no quote,
	 * backslash or control character): the writer copies it as it is
	 * rather than looking at every byte again. false says only "not
	 * known". A string node's text never changes, so it stays true. */
	bool plain;
	size_t offset; /* byte offset in the source of the value's first character:
			* a string's opening quote, a container's bracket */
	union {
		bool boolean;
		char *number; /* the exact text from the source, e.g. "18446744073709551615" */
		struct {
			char *ptr; /* NUL-terminated; may hold embedded NULs, see len */
			size_t len;
		} string;
		struct {
			struct json **items;
			size_t len, cap;
		} array;
		struct {
			struct json_member *members;
			size_t len, cap;
		} object;
	};
};

/* A frozen tree and its compact text, which json_write copies as it is
 * rather than writing the tree again. */
struct json_frozen {
	struct json node;
	const char *compact;
	size_t compact_len;
};

enum json_parse_flags {
	JSON_PARSE_GO_STRICT = 1 << 0, /* refuse repeated keys, see above */
	JSON_PARSE_COMMENTS = 1 << 1,  /* allow comments (policy files) */
};

/* Nesting deeper than this is refused: no OCI document comes close, and the
 * tree is walked recursively. */
#define JSON_MAX_DEPTH 128

/* Parse `len` bytes (json_parse.c). On error the message says where: "line
 * L, column C: <reason>" for syntax, "at <json path>: <reason>" for refused
 * keys. The caller adds the file name. */
struct json *json_parse(const char *text, size_t len, unsigned flags, oh_error_t *err);

/* The same, with the position of a refusal as data: *error_offset is the
 * byte offset it is about (a key's opening quote for a refused key), and the
 * message does not repeat it as a line and column. */
struct json *json_parse_at(const char *text, size_t len, unsigned flags, size_t *error_offset,
			   oh_error_t *err);

void json_free(struct json *value);
static inline void cleanup_jsonp(struct json **v)
{
	json_free(*v);
}
#define cleanup_json _cleanup_(cleanup_jsonp)

struct json *json_new_null(void);
struct json *json_new_bool(bool b);
struct json *json_new_number_text(const char *text); /* text must be a valid JSON number */
struct json *json_new_int(int64_t n);
struct json *json_new_uint(uint64_t n);
struct json *json_new_string(const char *s);
struct json *json_new_array(void);
struct json *json_new_object(void);
/* An array of the strings of `list`. */
struct json *json_new_string_list(const struct string_list *list);
struct json *json_clone(const struct json *value);
/* A copy of `value` that is not frozen, whatever `value` is. */
struct json *json_thaw(const struct json *value);
bool json_equal(const struct json *a, const struct json *b);

/* Object access. json_object_get treats a member whose value is null as
 * absent, as Go does; json_object_get_raw returns it as it is. */
struct json *json_object_get(const struct json *object, const char *key);
struct json *json_object_get_raw(const struct json *object, const char *key);
/* Replace the value of `key` in place (keeping its position), or append it.
 * Takes ownership of `value`. */
void json_object_set(struct json *object, const char *key, struct json *value);
/* The same, handing back the value it replaced (NULL when there was none)
 * instead of freeing it. */
struct json *json_object_exchange(struct json *object, const char *key, struct json *value);
/* Remove `key`; returns whether it was there. */
bool json_object_remove(struct json *object, const char *key);

/* Array access. Takes ownership of `value`. */
void json_array_append(struct json *array, struct json *value);
/* Remove and free the item at `index`, shifting the rest down. */
void json_array_remove(struct json *array, size_t index);

/* Whether a string holds a NUL byte, which only a \u0000 escape makes: a
 * plain one cannot, and is not looked at again. */
static inline bool json_string_holds_nul(const struct json *string)
{
	return !string->plain && strlen(string->string.ptr) != string->string.len;
}

/* Numbers: parse the exact text. Return false when it is not an integer or
 * does not fit. */
bool json_number_int64(const struct json *number, int64_t *out);
/* A uid or gid as runc's Go decoder reads one into a uint32: an integer
 * from 0 to 2^32-1, else an error naming `path`. */
int json_read_uint32(const struct json *value, const char *path, uint32_t *out, oh_error_t *err);
bool json_number_uint64(const struct json *number, uint64_t *out);

/* Serialize. Compact output has no whitespace at all; pretty output has one
 * member or item per line, indented by two spaces, and a trailing newline.
 * Strings are escaped minimally (", \, control characters), so text written
 * compactly and read back is byte-identical when it was compact to begin
 * with. */
void json_write(const struct json *value, bool pretty, struct strbuf *out);
char *json_to_string(const struct json *value, bool pretty);
/* The string of `len` bytes as json_write writes a string: quoted, escaped
 * minimally. */
void json_write_string(const char *s, size_t len, struct strbuf *out);
/* Whether json_write(value, false) would write exactly these `len` bytes,
 * found without writing them (and at the first byte that differs). */
bool json_equal_compact_text(const struct json *value, const char *text, size_t len);

/* Line and column (1-based) of a byte offset in `text`. */
void json_offset_to_line_col(const char *text, size_t len, size_t offset, unsigned *line,
			     unsigned *col);

#endif
