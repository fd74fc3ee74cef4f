/* SPDX-License-Identifier: Apache-2.0 */
/* How json.c and json_parse.c make a string or number node: inline here,
 * because the parser makes one per token and a call each was a measurable
 * part of a create. Not part of json.h. */
#ifndef OCI_HARDEN_JSON_NODE_H
#define OCI_HARDEN_JSON_NODE_H

#include <string.h>

#include "json.h"

/* Copy `len` bytes: one of 4 to 16 (most strings and keys of a config) as
 * two overlapping words, which lie within both, rather than by a call. */
static inline void json_node_copy_text(char *to, const char *from, size_t len)
{
	if (len >= 8 && len <= 16) {
		memcpy(to, from, 8);
		memcpy(to + len - 8, from + len - 8, 8);
	} else if (len >= 4 && len < 8) {
		memcpy(to, from, 4);
		memcpy(to + len - 4, from + len - 4, 4);
	} else {
		memcpy(to, from, len);
	}
}

/* A string or number node holds its text in the same allocation, right
 * after the node: a config is mostly short strings, and two allocations a
 * string made allocation the largest cost of parsing one. */
static inline struct json *json_node_new_text(enum json_type type, const char *s, size_t len,
					      char **text)
{
	struct json *value = xmalloc(sizeof(*value) + len + 1);
	memset(value, 0, sizeof(*value));
	value->type = type;
	*text = (char *)(value + 1);
	json_node_copy_text(*text, s, len);
	(*text)[len] = '\0';
	return value;
}

/* A string of `len` bytes, which may hold NULs. */
static inline struct json *json_new_string_len(const char *s, size_t len)
{
	char *text;
	struct json *value = json_node_new_text(JSON_STRING, s, len, &text);
	value->string.ptr = text;
	value->string.len = len;
	return value;
}

/* A number whose text the caller has checked to be a JSON number (the
 * parser's lexer has); json_new_number_text checks. */
static inline struct json *json_new_number_len(const char *s, size_t len)
{
	char *text;
	struct json *value = json_node_new_text(JSON_NUMBER, s, len, &text);
	value->number = text;
	return value;
}

/* The two readers json_parse tries in turn (json_parse.c), for the tests
 * that hold them to each other: the fast one, NULL where it leaves the text
 * to the other, and yajl's, with every check and message. */
struct json *json_parse_fast(const char *text, size_t len, unsigned flags);
struct json *json_parse_checked(const char *text, size_t len, unsigned flags, oh_error_t *err);

#endif
