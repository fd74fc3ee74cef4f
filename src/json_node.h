/* SPDX-License-Identifier: Apache-2.0 */
/* How json.c and json_parse.c make a string or number node: inline here,
 * because the parser makes one per token and a call each was a measurable
 * part of a create. Not part of json.h. */
#ifndef OCI_HARDEN_JSON_NODE_H
#define OCI_HARDEN_JSON_NODE_H

#include <string.h>

#include "json.h"

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
	memcpy(*text, s, len);
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
