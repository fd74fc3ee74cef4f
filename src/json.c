/* SPDX-License-Identifier: Apache-2.0 */
/* The JSON tree of oci-harden, parsed with yajl 2's callback API.
 *
 * yajl reads the whole buffer in one yajl_parse call and calls us back for
 * each token, so nesting costs a counter, never stack, and
 * yajl_get_bytes_consumed inside a callback is an absolute offset (just past
 * the token). Numbers come through the yajl_number callback as their source
 * text and stay text. yajl checks the grammar and that strings are UTF-8;
 * this file adds what yajl lets through (overlong UTF-8, encoded surrogates,
 * \u escapes of unpaired UTF-16 surrogates, which yajl turns into '?' or a
 * bogus code point) and, with JSON_PARSE_GO_STRICT, refuses a key repeated
 * in one object (see json.h). Which keys runc's Go types know, and how Go
 * matches them, is the spec model's business (spec_model.h), not this
 * file's. */
#include "json.h"

#include <assert.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <yajl/yajl_parse.h>

/* ------------------------------------------------------------------------ */
/* UTF-8                                                                     */

/* Decode one well-formed UTF-8 sequence (RFC 3629: no overlong forms, no
 * surrogates, nothing above U+10FFFF) from the n > 0 bytes at s. Returns its
 * length, or 0 when the bytes are not one. */
static size_t utf8_decode(const unsigned char *s, size_t n, uint32_t *code_point)
{
	unsigned char lead = s[0];
	size_t len;
	uint32_t value, min;

	if (lead < 0x80) {
		*code_point = lead;
		return 1;
	}
	if (lead >= 0xC2 && lead <= 0xDF) {
		len = 2;
		value = lead & 0x1F;
		min = 0x80;
	} else if (lead >= 0xE0 && lead <= 0xEF) {
		len = 3;
		value = lead & 0x0F;
		min = 0x800;
	} else if (lead >= 0xF0 && lead <= 0xF4) {
		len = 4;
		value = lead & 0x07;
		min = 0x10000;
	} else {
		return 0;
	}
	if (n < len)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		value = (value << 6) | (s[i] & 0x3F);
	}
	if (value < min || value > 0x10FFFF || (value >= 0xD800 && value <= 0xDFFF))
		return 0;
	*code_point = value;
	return len;
}

/* ------------------------------------------------------------------------ */
/* Values                                                                    */

static struct json *new_value(enum json_type type)
{
	struct json *value = xcalloc(1, sizeof(*value));
	value->type = type;
	return value;
}

/* A string or number node holds its text in the same allocation, right
 * after the node: a config is mostly short strings, and two allocations a
 * string made allocation the largest cost of parsing one. */
static char *inline_text(struct json *value)
{
	return (char *)(value + 1);
}

static struct json *new_text_value(enum json_type type, const char *s, size_t len, char **text)
{
	struct json *value = xmalloc(sizeof(*value) + len + 1);
	memset(value, 0, sizeof(*value));
	value->type = type;
	*text = inline_text(value);
	memcpy(*text, s, len);
	(*text)[len] = '\0';
	return value;
}

static struct json *new_string(const char *s, size_t len)
{
	char *text;
	struct json *value = new_text_value(JSON_STRING, s, len, &text);
	value->string.ptr = text;
	value->string.len = len;
	return value;
}

static struct json *new_number(const char *s, size_t len)
{
	char *text;
	struct json *value = new_text_value(JSON_NUMBER, s, len, &text);
	value->number = text;
	return value;
}

void json_free(struct json *value)
{
	if (!value)
		return;
	switch (value->type) {
	case JSON_NUMBER:
	case JSON_STRING:
		break; /* the text is part of the node */
	case JSON_ARRAY:
		for (size_t i = 0; i < value->array.len; i++)
			json_free(value->array.items[i]);
		free(value->array.items);
		break;
	case JSON_OBJECT:
		for (size_t i = 0; i < value->object.len; i++) {
			free(value->object.members[i].key);
			json_free(value->object.members[i].value);
		}
		free(value->object.members);
		break;
	case JSON_NULL:
	case JSON_BOOL:
		break;
	}
	free(value);
}

struct json *json_new_null(void)
{
	return new_value(JSON_NULL);
}

struct json *json_new_bool(bool b)
{
	struct json *value = new_value(JSON_BOOL);
	value->boolean = b;
	return value;
}

/* RFC 8259 section 6: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? */
static bool number_text_is_valid(const char *s)
{
	if (*s == '-')
		s++;
	if (*s == '0')
		s++;
	else if (*s >= '1' && *s <= '9')
		while (*s >= '0' && *s <= '9')
			s++;
	else
		return false;
	if (*s == '.') {
		s++;
		if (!(*s >= '0' && *s <= '9'))
			return false;
		while (*s >= '0' && *s <= '9')
			s++;
	}
	if (*s == 'e' || *s == 'E') {
		s++;
		if (*s == '+' || *s == '-')
			s++;
		if (!(*s >= '0' && *s <= '9'))
			return false;
		while (*s >= '0' && *s <= '9')
			s++;
	}
	return *s == '\0';
}

struct json *json_new_number_text(const char *text)
{
	/* A caller bug, but one that would otherwise write a config runc
	 * cannot read: fail closed rather than emit it. */
	if (!number_text_is_valid(text))
		abort();
	return new_number(text, strlen(text));
}

struct json *json_new_int(int64_t n)
{
	char text[32];
	int len = snprintf(text, sizeof(text), "%" PRId64, n);
	return new_number(text, (size_t)len);
}

struct json *json_new_uint(uint64_t n)
{
	char text[32];
	int len = snprintf(text, sizeof(text), "%" PRIu64, n);
	return new_number(text, (size_t)len);
}

int json_read_uint32(const struct json *value, const char *path, uint32_t *out, oh_error_t *err)
{
	uint64_t n;
	if (value->type != JSON_NUMBER || !json_number_uint64(value, &n) || n > UINT32_MAX)
		return oh_error_make(err, 0, "%s: must be an integer from 0 to %u", path,
				     UINT32_MAX);
	*out = (uint32_t)n;
	return 0;
}

struct json *json_new_string_list(const struct string_list *list)
{
	struct json *array = json_new_array();
	for (size_t i = 0; i < list->len; i++)
		json_array_append(array, json_new_string(list->items[i]));
	return array;
}

struct json *json_new_string(const char *s)
{
	return new_string(s, strlen(s));
}

struct json *json_new_array(void)
{
	return new_value(JSON_ARRAY);
}

struct json *json_new_object(void)
{
	return new_value(JSON_OBJECT);
}

struct json *json_clone(const struct json *value)
{
	if (!value)
		return NULL;
	struct json *copy;
	switch (value->type) {
	case JSON_STRING:
		copy = new_string(value->string.ptr, value->string.len);
		break;
	case JSON_NUMBER:
		copy = new_number(value->number, strlen(value->number));
		break;
	case JSON_ARRAY:
		copy = new_value(JSON_ARRAY);
		copy->array.items =
		    xgrow(NULL, &copy->array.cap, value->array.len, sizeof(copy->array.items[0]));
		for (size_t i = 0; i < value->array.len; i++)
			copy->array.items[i] = json_clone(value->array.items[i]);
		copy->array.len = value->array.len;
		break;
	case JSON_OBJECT:
		copy = new_value(JSON_OBJECT);
		copy->object.members = xgrow(NULL, &copy->object.cap, value->object.len,
					     sizeof(copy->object.members[0]));
		for (size_t i = 0; i < value->object.len; i++) {
			const struct json_member *m = &value->object.members[i];
			copy->object.members[i] = (struct json_member){
			    .key = xstrdup(m->key),
			    .value = json_clone(m->value),
			    .offset = m->offset,
			};
		}
		copy->object.len = value->object.len;
		break;
	case JSON_BOOL:
		copy = json_new_bool(value->boolean);
		break;
	case JSON_NULL:
	default:
		copy = new_value(value->type);
		break;
	}
	copy->offset = value->offset;
	return copy;
}

/* Structural equality. Numbers are equal when their text is ("1.0" is not
 * "1", "1e2" is not "100"): the tree never interprets a number it was not
 * asked to. Objects are equal when they hold the same keys in the same order
 * with equal values; order matters because the tree keeps it, and a
 * reordered config is a changed file. */
bool json_equal(const struct json *a, const struct json *b)
{
	if (a == b)
		return true;
	if (!a || !b || a->type != b->type)
		return false;
	switch (a->type) {
	case JSON_NULL:
		return true;
	case JSON_BOOL:
		return a->boolean == b->boolean;
	case JSON_NUMBER:
		return strcmp(a->number, b->number) == 0;
	case JSON_STRING:
		return a->string.len == b->string.len &&
		       memcmp(a->string.ptr, b->string.ptr, a->string.len) == 0;
	case JSON_ARRAY:
		if (a->array.len != b->array.len)
			return false;
		for (size_t i = 0; i < a->array.len; i++)
			if (!json_equal(a->array.items[i], b->array.items[i]))
				return false;
		return true;
	case JSON_OBJECT:
		if (a->object.len != b->object.len)
			return false;
		for (size_t i = 0; i < a->object.len; i++) {
			const struct json_member *ma = &a->object.members[i];
			const struct json_member *mb = &b->object.members[i];
			if (strcmp(ma->key, mb->key) != 0 || !json_equal(ma->value, mb->value))
				return false;
		}
		return true;
	}
	return false;
}

/* ------------------------------------------------------------------------ */
/* Objects and arrays                                                        */

/* The index of the last member named `key`, or -1. The last, because that
 * is the one Go's encoding/json keeps when a document repeats a key (only
 * documents parsed without JSON_PARSE_GO_STRICT can). */
static ssize_t object_find_last(const struct json *object, const char *key)
{
	if (!object || object->type != JSON_OBJECT)
		return -1;
	for (size_t i = object->object.len; i-- > 0;)
		if (strcmp(object->object.members[i].key, key) == 0)
			return (ssize_t)i;
	return -1;
}

struct json *json_object_get_raw(const struct json *object, const char *key)
{
	ssize_t i = object_find_last(object, key);
	return i < 0 ? NULL : object->object.members[i].value;
}

struct json *json_object_get(const struct json *object, const char *key)
{
	/* Go leaves a field untouched when its value is null, so for every
	 * decision here a null member is the same as no member. */
	struct json *value = json_object_get_raw(object, key);
	return value && value->type == JSON_NULL ? NULL : value;
}

/* In a document with a repeated key (parsed without JSON_PARSE_GO_STRICT),
 * replaces the last one, the one json_object_get returns. */
void json_object_set(struct json *object, const char *key, struct json *value)
{
	json_free(json_object_exchange(object, key, value));
}

struct json *json_object_exchange(struct json *object, const char *key, struct json *value)
{
	assert(object && object->type == JSON_OBJECT && value);
	ssize_t i = object_find_last(object, key);
	if (i >= 0) {
		struct json *old = object->object.members[i].value;
		object->object.members[i].value = value;
		return old;
	}
	object->object.members = xgrow(object->object.members, &object->object.cap,
				       object->object.len + 1, sizeof(object->object.members[0]));
	object->object.members[object->object.len++] = (struct json_member){
	    .key = xstrdup(key),
	    .value = value,
	    .offset = 0,
	};
	return NULL;
}

/* Removes every member named `key` (there is more than one only in a
 * document parsed without JSON_PARSE_GO_STRICT), keeping the others' order. */
bool json_object_remove(struct json *object, const char *key)
{
	if (!object || object->type != JSON_OBJECT)
		return false;
	size_t kept = 0;
	bool found = false;
	for (size_t i = 0; i < object->object.len; i++) {
		struct json_member *m = &object->object.members[i];
		if (strcmp(m->key, key) == 0) {
			free(m->key);
			json_free(m->value);
			found = true;
			continue;
		}
		object->object.members[kept++] = *m;
	}
	object->object.len = kept;
	return found;
}

void json_array_append(struct json *array, struct json *value)
{
	assert(array && array->type == JSON_ARRAY && value);
	array->array.items = xgrow(array->array.items, &array->array.cap, array->array.len + 1,
				   sizeof(array->array.items[0]));
	array->array.items[array->array.len++] = value;
}

void json_array_remove(struct json *array, size_t index)
{
	assert(array && array->type == JSON_ARRAY && index < array->array.len);
	if (!array || array->type != JSON_ARRAY || index >= array->array.len)
		return;
	json_free(array->array.items[index]);
	memmove(&array->array.items[index], &array->array.items[index + 1],
		(array->array.len - index - 1) * sizeof(array->array.items[0]));
	array->array.len--;
}

/* ------------------------------------------------------------------------ */
/* Numbers                                                                   */

/* Parse the text of an integer: an optional '-', then digits and nothing
 * else. A fraction or an exponent makes it "not an integer" even when its
 * value is whole ("1.0", "1e2"): Go refuses both for integer fields
 * ("cannot unmarshal number 1.0 into Go struct field ... of type int64"),
 * so a decision taken on their value would not be runc's. */
static bool parse_integer_text(const char *s, bool *negative, uint64_t *magnitude)
{
	*negative = *s == '-';
	if (*negative)
		s++;
	if (!(*s >= '0' && *s <= '9'))
		return false;
	uint64_t value = 0;
	for (; *s; s++) {
		if (!(*s >= '0' && *s <= '9'))
			return false;
		unsigned digit = (unsigned)(*s - '0');
		if (value > (UINT64_MAX - digit) / 10)
			return false;
		value = value * 10 + digit;
	}
	*magnitude = value;
	return true;
}

bool json_number_int64(const struct json *number, int64_t *out)
{
	bool negative;
	uint64_t magnitude;
	if (!number || number->type != JSON_NUMBER ||
	    !parse_integer_text(number->number, &negative, &magnitude))
		return false;
	if (negative) {
		if (magnitude > (uint64_t)INT64_MAX + 1)
			return false;
		/* -(2^63) has no positive int64 twin: negate in unsigned. */
		*out = magnitude == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)magnitude;
		return true;
	}
	if (magnitude > (uint64_t)INT64_MAX)
		return false;
	*out = (int64_t)magnitude;
	return true;
}

bool json_number_uint64(const struct json *number, uint64_t *out)
{
	bool negative;
	uint64_t magnitude;
	/* "-0" is refused too, as Go's strconv.ParseUint does. */
	if (!number || number->type != JSON_NUMBER ||
	    !parse_integer_text(number->number, &negative, &magnitude) || negative)
		return false;
	*out = magnitude;
	return true;
}

/* ------------------------------------------------------------------------ */
/* Writing                                                                   */

/* The writer appends to the strbuf's buffer directly: a megabyte of
 * output is a million small appends, and strbuf_putc's call and checks per
 * byte were most of the cost. out_reserve makes room for n more bytes and
 * the NUL the strbuf keeps after them; json_write puts the NUL back. */
static inline char *out_reserve(struct strbuf *out, size_t n)
{
	if (out->cap - out->len < n + 1)
		out->buf = xgrow(out->buf, &out->cap, out->len + n + 1, 1);
	return out->buf + out->len;
}

static inline void out_append(struct strbuf *out, const char *s, size_t n)
{
	memcpy(out_reserve(out, n), s, n);
	out->len += n;
}

static inline void out_putc(struct strbuf *out, char c)
{
	*out_reserve(out, 1) = c;
	out->len++;
}

static void out_terminate(struct strbuf *out)
{
	*out_reserve(out, 0) = '\0';
}

/* Bytes that JSON requires escaped in a string: ", \ and the control
 * characters. */
static const bool needs_escape[256] = {
    [0x00 ... 0x1f] = true,
    ['"'] = true,
    ['\\'] = true,
};

/* Minimal escaping: only what JSON requires, so that a compact document
 * with no needless escapes is written back byte for byte. Everything else,
 * UTF-8 included, is copied in runs. */
static void write_string(struct strbuf *out, const char *s, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *in = (const unsigned char *)s;
	size_t run = 0;

	out_putc(out, '"');
	for (size_t i = 0; i < len; i++) {
		unsigned char c = in[i];
		if (!needs_escape[c])
			continue;
		out_append(out, s + run, i - run);
		run = i + 1;
		char escape[6] = {'\\', 0};
		switch (c) {
		case '"':
		case '\\':
			escape[1] = (char)c;
			break;
		case '\n':
			escape[1] = 'n';
			break;
		case '\t':
			escape[1] = 't';
			break;
		case '\r':
			escape[1] = 'r';
			break;
		case '\b':
			escape[1] = 'b';
			break;
		case '\f':
			escape[1] = 'f';
			break;
		default:
			memcpy(escape + 1, "u00", 3);
			escape[4] = hex[c >> 4];
			escape[5] = hex[c & 0xF];
			out_append(out, escape, 6);
			continue;
		}
		out_append(out, escape, 2);
	}
	out_append(out, s + run, len - run);
	out_putc(out, '"');
}

static void write_newline_indent(struct strbuf *out, size_t level)
{
	size_t n = 1 + 2 * level;
	char *at = out_reserve(out, n);
	at[0] = '\n';
	memset(at + 1, ' ', n - 1);
	out->len += n;
}

static void write_value(const struct json *value, bool pretty, size_t level, struct strbuf *out)
{
	if (!value) {
		/* Only a tree left half-built by a failed parse has these. */
		out_append(out, "null", 4);
		return;
	}
	switch (value->type) {
	case JSON_NULL:
		out_append(out, "null", 4);
		break;
	case JSON_BOOL:
		if (value->boolean)
			out_append(out, "true", 4);
		else
			out_append(out, "false", 5);
		break;
	case JSON_NUMBER:
		out_append(out, value->number, strlen(value->number));
		break;
	case JSON_STRING:
		write_string(out, value->string.ptr, value->string.len);
		break;
	case JSON_ARRAY:
		out_putc(out, '[');
		for (size_t i = 0; i < value->array.len; i++) {
			if (i > 0)
				out_putc(out, ',');
			if (pretty)
				write_newline_indent(out, level + 1);
			write_value(value->array.items[i], pretty, level + 1, out);
		}
		if (pretty && value->array.len > 0)
			write_newline_indent(out, level);
		out_putc(out, ']');
		break;
	case JSON_OBJECT:
		out_putc(out, '{');
		for (size_t i = 0; i < value->object.len; i++) {
			const struct json_member *m = &value->object.members[i];
			if (i > 0)
				out_putc(out, ',');
			if (pretty)
				write_newline_indent(out, level + 1);
			write_string(out, m->key, strlen(m->key));
			if (pretty)
				out_append(out, ": ", 2);
			else
				out_putc(out, ':');
			write_value(m->value, pretty, level + 1, out);
		}
		if (pretty && value->object.len > 0)
			write_newline_indent(out, level);
		out_putc(out, '}');
		break;
	}
}

void json_write(const struct json *value, bool pretty, struct strbuf *out)
{
	write_value(value, pretty, 0, out);
	if (pretty)
		out_putc(out, '\n');
	out_terminate(out);
}

char *json_to_string(const struct json *value, bool pretty)
{
	struct strbuf sb = {0};
	json_write(value, pretty, &sb);
	return strbuf_steal(&sb);
}

/* Compare `value` written compactly with the text at *at, advancing *at:
 * what json_write would write, without writing it. */
static bool matches_compact(const struct json *value, const char **at, const char *end)
{
#define EXPECT(s, n)                                                                               \
	do {                                                                                       \
		if ((size_t)(end - *at) < (n) || memcmp(*at, (s), (n)) != 0)                       \
			return false;                                                              \
		*at += (n);                                                                        \
	} while (0)
	switch (value->type) {
	case JSON_NULL:
		EXPECT("null", 4);
		return true;
	case JSON_BOOL:
		if (value->boolean)
			EXPECT("true", 4);
		else
			EXPECT("false", 5);
		return true;
	case JSON_NUMBER:
		EXPECT(value->number, strlen(value->number));
		return true;
	case JSON_STRING:
		for (size_t i = 0; i < value->string.len; i++)
			if (needs_escape[(unsigned char)value->string.ptr[i]]) {
				struct strbuf sb = {0};
				write_string(&sb, value->string.ptr, value->string.len);
				bool same = (size_t)(end - *at) >= sb.len &&
					    memcmp(*at, sb.buf, sb.len) == 0;
				*at += same ? sb.len : 0;
				strbuf_free(&sb);
				return same;
			}
		EXPECT("\"", 1);
		EXPECT(value->string.ptr, value->string.len);
		EXPECT("\"", 1);
		return true;
	case JSON_ARRAY:
		EXPECT("[", 1);
		for (size_t i = 0; i < value->array.len; i++) {
			if (i)
				EXPECT(",", 1);
			if (!matches_compact(value->array.items[i], at, end))
				return false;
		}
		EXPECT("]", 1);
		return true;
	case JSON_OBJECT:
		EXPECT("{", 1);
		for (size_t i = 0; i < value->object.len; i++) {
			const struct json_member *m = &value->object.members[i];
			struct json key = {.type = JSON_STRING};
			key.string.ptr = m->key;
			key.string.len = strlen(m->key);
			if (i)
				EXPECT(",", 1);
			if (!matches_compact(&key, at, end))
				return false;
			EXPECT(":", 1);
			if (!matches_compact(m->value, at, end))
				return false;
		}
		EXPECT("}", 1);
		return true;
	}
#undef EXPECT
	return false;
}

bool json_equal_compact_text(const struct json *value, const char *text, size_t len)
{
	const char *at = text;
	return matches_compact(value, &at, text + len) && at == text + len;
}

/* ------------------------------------------------------------------------ */
/* Locations                                                                 */

/* Lines are counted by '\n'; the column counts characters (UTF-8 code
 * points, a tab is one) from the start of the line, as editors do. */
void json_offset_to_line_col(const char *text, size_t len, size_t offset, unsigned *line,
			     unsigned *col)
{
	if (offset > len)
		offset = len;
	unsigned l = 1, c = 1;
	size_t line_start = 0;
	if (offset > 0) {
		const char *end = text + offset;
		for (const char *p = text; (p = memchr(p, '\n', (size_t)(end - p))); p++) {
			l++;
			line_start = (size_t)(p + 1 - text);
		}
	}
	for (size_t i = line_start; i < offset; i++)
		if (((unsigned char)text[i] & 0xC0) != 0x80)
			c++;
	*line = l;
	*col = c;
}

/* JSON paths in messages: members dotted, items as [index], no leading "$",
 * members that are not plain identifiers quoted as ["..."]:
 * process.capabilities.bounding[3], annotations["io.kubernetes.cri.image-name"]. */
static bool is_identifier(const char *s, size_t len)
{
	if (len == 0 || (s[0] >= '0' && s[0] <= '9'))
		return false;
	for (size_t i = 0; i < len; i++) {
		char c = s[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '_'))
			return false;
	}
	return true;
}

static void path_append_key(struct strbuf *path, const char *key, size_t len)
{
	if (is_identifier(key, len)) {
		if (path->len > 0)
			strbuf_putc(path, '.');
		strbuf_append(path, key, len);
	} else {
		strbuf_putc(path, '[');
		write_string(path, key, len);
		strbuf_putc(path, ']');
	}
}

/* ------------------------------------------------------------------------ */
/* Parsing                                                                   */

struct parse_frame {
	struct json *node; /* an open array or object */
	/* With JSON_PARSE_GO_STRICT, where this object's keys start in
	 * parser.key_text and parser.keys. */
	size_t key_text_start, keys_start;
};

/* A key of an open object, parser.key_text[start..+len). */
struct key_ref {
	size_t start, len;
	size_t index; /* of the member in its object */
};

struct parser {
	yajl_handle handle;
	const char *text;
	size_t len;
	unsigned flags;
	bool completing; /* inside yajl_complete_parse, see parser_offset */
	oh_error_t *err;
	struct json *root;
	/* frames[0] is the top-level container; frames[i] is the value of the
	 * last member (or the last item) of frames[i - 1]. */
	struct parse_frame frames[JSON_MAX_DEPTH];
	size_t depth;
	/* With JSON_PARSE_GO_STRICT, the keys of every open object, as
	 * stacks: an object's keys are pushed as they come (its children's
	 * above them, popped when the child closes), checked for repeats when
	 * it closes, then popped. */
	struct strbuf key_text;
	struct key_ref *keys;
	size_t keys_len, keys_cap;
};

/* The absolute offset just past the token being reported. yajl_complete_parse
 * feeds yajl one byte of its own (a space) to end a number that runs to the
 * end of the input, and counts bytes from there: what ends then ends at the
 * end of the input. */
static size_t parser_offset(const struct parser *p)
{
	return p->completing ? p->len : yajl_get_bytes_consumed(p->handle);
}

static int parser_fail_at(struct parser *p, size_t offset, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int parser_fail_at(struct parser *p, size_t offset, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	cleanup_free char *reason = xvasprintf(fmt, ap);
	va_end(ap);
	unsigned line, col;
	json_offset_to_line_col(p->text, p->len, offset, &line, &col);
	oh_error_make(p->err, 0, "line %u, column %u: %s", line, col, reason);
	return 0; /* stops yajl with yajl_status_client_canceled */
}

/* The path of the open container at frames[depth - 1] (empty for the top
 * level), then of its member `key` when key is not NULL. */
static void parser_path(const struct parser *p, size_t depth, const char *key, size_t key_len,
			struct strbuf *path)
{
	for (size_t i = 1; i < depth; i++) {
		const struct json *parent = p->frames[i - 1].node;
		if (parent->type == JSON_OBJECT) {
			const char *k = parent->object.members[parent->object.len - 1].key;
			path_append_key(path, k, strlen(k));
		} else {
			strbuf_appendf(path, "[%zu]", parent->array.len - 1);
		}
	}
	if (key)
		path_append_key(path, key, key_len);
}

static int parser_fail_key(struct parser *p, const char *key, size_t key_len, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static int parser_fail_key(struct parser *p, const char *key, size_t key_len, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	cleanup_free char *reason = xvasprintf(fmt, ap);
	va_end(ap);
	cleanup_strbuf struct strbuf path = {0};
	parser_path(p, p->depth, key, key_len, &path);
	oh_error_make(p->err, 0, "at %s: %s", path.len ? path.buf : "(top level)", reason);
	return 0;
}

/* A key quoted and escaped for a message. */
static char *quote_key(const char *key, size_t len)
{
	struct strbuf sb = {0};
	write_string(&sb, key, len);
	out_terminate(&sb);
	return strbuf_steal(&sb);
}

size_t json_string_token_start(const char *text, size_t end)
{
	size_t i = end > 0 ? end - 1 : 0; /* the closing quote */
	while (i > 0) {
		const char *q = memrchr(text, '"', i);
		if (!q)
			return 0;
		size_t at = (size_t)(q - text), backslashes = 0;
		while (at - backslashes > 0 && text[at - backslashes - 1] == '\\')
			backslashes++;
		if (backslashes % 2 == 0)
			return at;
		i = at;
	}
	return 0;
}

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static uint32_t hex4(const char *s)
{
	uint32_t v = 0;
	for (int i = 0; i < 4; i++)
		v = v << 4 | (uint32_t)hex_digit(s[i]);
	return v;
}

/* Whether the raw string token text[start..end) pairs every \u escape of a
 * UTF-16 surrogate: a high one (D800-DBFF) followed at once by a low one
 * (DC00-DFFF). yajl's lexer has checked every escape is well formed. */
static bool raw_surrogates_paired(const char *text, size_t start, size_t end)
{
	for (size_t i = start + 1; i + 1 < end; i++) {
		if (text[i] != '\\')
			continue;
		if (text[i + 1] != 'u') {
			i++; /* skip the escaped character, which may be '\\' */
			continue;
		}
		uint32_t unit = hex4(text + i + 2);
		if (unit >= 0xDC00 && unit <= 0xDFFF)
			return false;
		if (unit >= 0xD800 && unit <= 0xDBFF) {
			if (i + 12 > end - 1 || text[i + 6] != '\\' || text[i + 7] != 'u')
				return false;
			uint32_t low = hex4(text + i + 8);
			if (low < 0xDC00 || low > 0xDFFF)
				return false;
			i += 6;
		}
		i += 5;
	}
	return true;
}

/* Check a string or key yajl decoded from the token ending at `end`.
 * yajl's UTF-8 check lets overlong forms and encoded surrogates through, and
 * it decodes a \u escape of an unpaired surrogate to '?' (high surrogate
 * alone) or to a made-up code point (high surrogate followed by any other
 * \u escape), where Go decodes U+FFFD: refuse them all rather than read a
 * string differently from runc. */
static int parser_check_string(struct parser *p, const unsigned char *s, size_t len, size_t end)
{
	/* Nearly every string is ASCII without a '?': check that fast. */
	size_t i = 0;
	for (; i + 8 <= len; i += 8) {
		uint64_t word;
		memcpy(&word, s + i, sizeof(word));
		if (word & UINT64_C(0x8080808080808080))
			break;
	}
	while (i < len && s[i] < 0x80)
		i++;
	if (i == len && !memchr(s, '?', len))
		return 1;

	bool maybe_surrogate_escape = false;
	i = 0;
	while (i < len) {
		if (s[i] < 0x80) {
			maybe_surrogate_escape |= s[i] == '?';
			i++;
			continue;
		}
		uint32_t code_point;
		size_t n = utf8_decode(s + i, len - i, &code_point);
		if (n == 0)
			return parser_fail_at(
			    p, json_string_token_start(p->text, end),
			    "invalid UTF-8 (or an escaped lone surrogate) in string");
		maybe_surrogate_escape |= n == 4;
		i += n;
	}
	if (maybe_surrogate_escape) {
		size_t start = json_string_token_start(p->text, end);
		if (!raw_surrogates_paired(p->text, start, end))
			return parser_fail_at(p, start,
					      "unpaired UTF-16 surrogate in a \\u escape");
	}
	return 1;
}

static int parser_add(struct parser *p, struct json *value)
{
	value->offset = parser_offset(p);
	if (p->depth == 0) {
		p->root = value;
		return 1;
	}
	struct json *parent = p->frames[p->depth - 1].node;
	if (parent->type == JSON_OBJECT)
		parent->object.members[parent->object.len - 1].value = value;
	else
		json_array_append(parent, value);
	return 1;
}

static int on_null(void *ctx)
{
	return parser_add(ctx, json_new_null());
}

static int on_boolean(void *ctx, int b)
{
	return parser_add(ctx, json_new_bool(b));
}

static int on_number(void *ctx, const char *s, size_t len)
{
	return parser_add(ctx, new_number(s, len));
}

static int on_string(void *ctx, const unsigned char *s, size_t len)
{
	struct parser *p = ctx;
	if (!parser_check_string(p, s, len, parser_offset(p)))
		return 0;
	return parser_add(p, new_string((const char *)s, len));
}

static int parser_open(struct parser *p, struct json *container)
{
	if (p->depth == JSON_MAX_DEPTH) {
		json_free(container);
		/* Point at the bracket that went one level too deep. */
		return parser_fail_at(p, parser_offset(p) - 1,
				      "nesting deeper than %d levels is refused", JSON_MAX_DEPTH);
	}
	/* A container's offset is just past its opening bracket: the start
	 * of the value is what a message wants to point at. */
	parser_add(p, container);
	p->frames[p->depth++] = (struct parse_frame){
	    .node = container,
	    .key_text_start = p->key_text.len,
	    .keys_start = p->keys_len,
	};
	return 1;
}

static int on_start_map(void *ctx)
{
	return parser_open(ctx, json_new_object());
}

static int on_start_array(void *ctx)
{
	return parser_open(ctx, json_new_array());
}

/* Give back the unused tail of a closed container's array (xgrow doubles,
 * from 8): a parsed config is mostly small objects, and the memory a
 * parse touches, page by page, is much of what it costs. */
static void *shrink_to_fit(void *items, size_t len, size_t *cap, size_t size)
{
	if (len == 0 || len == *cap)
		return items;
	*cap = len;
	return xrealloc(items, len * size);
}

static int on_end_array(void *ctx)
{
	struct parser *p = ctx;
	struct json *array = p->frames[--p->depth].node;
	array->array.items = shrink_to_fit(array->array.items, array->array.len, &array->array.cap,
					   sizeof(array->array.items[0]));
	return 1;
}

static int on_map_key(void *ctx, const unsigned char *s, size_t len)
{
	struct parser *p = ctx;
	const char *key = (const char *)s;
	size_t end = parser_offset(p);

	if (!parser_check_string(p, s, len, end))
		return 0;
	/* Keys are C strings everywhere in oci-harden (and in runc's own C
	 * code: libcontainer/nsenter): a NUL would cut one short. */
	if (memchr(key, '\0', len))
		return parser_fail_key(p, key, len, "key contains a NUL character (\\u0000)");

	struct parse_frame *frame = &p->frames[p->depth - 1];
	struct json *object = frame->node;
	if (p->flags & JSON_PARSE_GO_STRICT) {
		size_t start = p->key_text.len;
		strbuf_append(&p->key_text, key, len);
		p->keys = xgrow(p->keys, &p->keys_cap, p->keys_len + 1, sizeof(p->keys[0]));
		p->keys[p->keys_len++] = (struct key_ref){
		    .start = start,
		    .len = len,
		    .index = object->object.len,
		};
	}

	object->object.members = xgrow(object->object.members, &object->object.cap,
				       object->object.len + 1, sizeof(object->object.members[0]));
	struct json_member *m = &object->object.members[object->object.len++];
	m->key = xmalloc(len + 1);
	memcpy(m->key, key, len);
	m->key[len] = '\0';
	m->value = NULL;
	m->offset = json_string_token_start(p->text, end);
	return 1;
}

static bool keys_equal(const char *text, const struct key_ref *a, const struct key_ref *b)
{
	return a->len == b->len && memcmp(text + a->start, text + b->start, a->len) == 0;
}

static int compare_keys(const void *a, const void *b, void *text)
{
	const struct key_ref *ka = a, *kb = b;
	size_t n = ka->len < kb->len ? ka->len : kb->len;
	int c = memcmp((const char *)text + ka->start, (const char *)text + kb->start, n);
	if (c != 0)
		return c;
	if (ka->len != kb->len)
		return ka->len < kb->len ? -1 : 1;
	return ka->index < kb->index ? -1 : ka->index > kb->index;
}

/* Find the first repeat in document order among the n keys: set
 * *repeat to its index and *first to the index of the key it repeats. */
static bool find_first_repeat(const char *text, struct key_ref *keys, size_t n, size_t *first,
			      size_t *repeat)
{
	/* Most objects are small: comparing every pair is cheapest. */
	if (n <= 16) {
		for (size_t j = 1; j < n; j++)
			for (size_t i = 0; i < j; i++)
				if (keys_equal(text, &keys[i], &keys[j])) {
					*first = keys[i].index;
					*repeat = keys[j].index;
					return true;
				}
		return false;
	}
	/* A hostile object may hold 100,000 keys: sort, O(n log n). Equal
	 * keys end up together in document order; the second of each run is
	 * its earliest repeat. */
	qsort_r(keys, n, sizeof(keys[0]), compare_keys, (void *)text);
	bool found = false;
	for (size_t i = 1; i < n; i++) {
		if (!keys_equal(text, &keys[i - 1], &keys[i]))
			continue;
		if (!found || keys[i].index < *repeat) {
			*first = keys[i - 1].index;
			*repeat = keys[i].index;
			found = true;
		}
		while (i + 1 < n && keys_equal(text, &keys[i], &keys[i + 1]))
			i++;
	}
	return found;
}

/* Refuse a key repeated in one object. Go would set one struct field or map
 * entry from both (the last wins, or two objects merge): refusing it keeps
 * what runc reads equal to what we checked. Keys that differ only in case
 * are distinct here; the spec model refuses the one Go would misread. */
static int parser_check_duplicates(struct parser *p, const struct parse_frame *frame)
{
	const struct json *object = frame->node;
	size_t first, repeat;
	if (p->keys_len == frame->keys_start)
		return 1; /* no keys (p->keys may still be NULL) */
	if (!find_first_repeat(p->key_text.buf, p->keys + frame->keys_start,
			       p->keys_len - frame->keys_start, &first, &repeat))
		return 1;

	(void)first;
	const char *key = object->object.members[repeat].key;
	size_t key_len = strlen(key);
	cleanup_free char *quoted = quote_key(key, key_len);
	return parser_fail_key(p, key, key_len,
			       "duplicate key %s (Go's encoding/json would merge or let the last "
			       "win)",
			       quoted);
}

static int on_end_map(void *ctx)
{
	struct parser *p = ctx;
	const struct parse_frame *frame = &p->frames[p->depth - 1];
	if (p->flags & JSON_PARSE_GO_STRICT) {
		/* The key of a repeat is reported inside its object: check
		 * while the object is still the open frame. */
		if (!parser_check_duplicates(p, frame))
			return 0;
		p->key_text.len = frame->key_text_start;
		p->keys_len = frame->keys_start;
	}
	struct json *object = frame->node;
	object->object.members =
	    shrink_to_fit(object->object.members, object->object.len, &object->object.cap,
			  sizeof(object->object.members[0]));
	p->depth--;
	return 1;
}

/* yajl's words for a syntax error (its trailing '.' dropped), clearer ones
 * where they help, and where yajl stops on such an error: just past the
 * character it could not take, or, for a few, on it. */
static const struct {
	const char *yajl;
	const char *ours; /* NULL: yajl's words will do */
	bool stops_on_it;
} syntax_reasons[] = {
    {"premature EOF", "unexpected end of input", false},
    {"trailing garbage", "unexpected data after the top-level value", false},
    {"invalid bytes in UTF8 string", "invalid UTF-8 in string", false},
    {"probable comment found in input text, comments are not enabled", "comments are not allowed",
     false},
    {"invalid string in json text",
     "invalid literal (expected a string, a number, an object, an array, true, false or null)",
     false},
    {"invalid char in json text", "unexpected character", false},
    {"invalid character inside string", NULL, true},
    {"invalid (non-hex) character occurs after '\\u' inside string", NULL, true},
};

/* Characters of a number or a true/false/null literal. */
static bool is_token_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '.' || c == '+' || c == '-';
}

static void parser_syntax_error(struct parser *p)
{
	unsigned char *yajl_message =
	    yajl_get_error(p->handle, 0, (const unsigned char *)p->text, p->len);
	/* "lexical error: <reason>.\n" or "parse error: <reason>\n" */
	const char *text = yajl_message ? (const char *)yajl_message : "syntax error";
	bool lexical = strncmp(text, "lexical error: ", 15) == 0;
	const char *colon = strstr(text, ": ");
	if (colon)
		text = colon + 2;
	size_t len = strcspn(text, "\n");
	if (len > 0 && text[len - 1] == '.')
		len--;
	cleanup_free char *reason = xstrndup(text, len);
	if (yajl_message)
		yajl_free_error(p->handle, yajl_message);

	const char *words = reason;
	bool stops_on_it = false, premature_end = false;
	for (size_t i = 0; i < ARRAY_SIZE(syntax_reasons); i++) {
		if (strcmp(reason, syntax_reasons[i].yajl) != 0)
			continue;
		if (syntax_reasons[i].ours)
			words = syntax_reasons[i].ours;
		stops_on_it = syntax_reasons[i].stops_on_it;
		premature_end = i == 0;
	}

	/* Point at the first character of the token yajl could not take. */
	size_t at;
	if (p->completing) {
		/* yajl_complete_parse only ends a number that runs to the end
		 * of the input: what fails then is that number, or the input
		 * ending too soon. */
		at = p->len;
		if (!premature_end && at > 0) {
			at--;
			while (at > 0 && is_token_char(p->text[at - 1]))
				at--;
		}
	} else {
		at = yajl_get_bytes_consumed(p->handle);
		/* On a comment (refused, or the start of trailing data) yajl
		 * has rewound to its '/'. */
		bool at_comment = at + 1 < p->len && p->text[at] == '/' &&
				  (p->text[at + 1] == '/' || p->text[at + 1] == '*');
		if (at > 0 && !at_comment && !stops_on_it)
			at--;
		if (at < p->len && p->text[at] == '"' && !lexical)
			at = json_string_token_start(p->text, at + 1);
		else if (at < p->len && is_token_char(p->text[at]) &&
			 (!lexical || strstr(reason, "number") || strstr(reason, "invalid string")))
			while (at > 0 && is_token_char(p->text[at - 1]))
				at--;
	}
	parser_fail_at(p, at, "%s", words);
}

struct json *json_parse(const char *text, size_t len, unsigned flags, oh_error_t *err)
{
	static const yajl_callbacks callbacks = {
	    .yajl_null = on_null,
	    .yajl_boolean = on_boolean,
	    .yajl_number = on_number,
	    .yajl_string = on_string,
	    .yajl_start_map = on_start_map,
	    .yajl_map_key = on_map_key,
	    .yajl_end_map = on_end_map,
	    .yajl_start_array = on_start_array,
	    .yajl_end_array = on_end_array,
	};
	struct parser p = {.text = text, .len = len, .flags = flags, .err = err};

	size_t blank = 0;
	while (blank < len && strchr(" \t\r\n", text[blank]) && text[blank] != '\0')
		blank++;
	if (blank == len) {
		parser_fail_at(&p, len, "empty document");
		return NULL;
	}

	p.handle = yajl_alloc(&callbacks, NULL, &p);
	if (!p.handle) {
		oh_error_make(err, ENOMEM, "cannot allocate a JSON parser");
		return NULL;
	}
	/* Trailing garbage, multiple values and partial values stay refused
	 * (yajl's defaults), and so does UTF-8 validation. */
	yajl_config(p.handle, yajl_allow_comments, (flags & JSON_PARSE_COMMENTS) ? 1 : 0);

	yajl_status status = yajl_parse(p.handle, (const unsigned char *)text, len);
	if (status == yajl_status_ok) {
		p.completing = true;
		status = yajl_complete_parse(p.handle);
	}
	if (status == yajl_status_error)
		parser_syntax_error(&p);
	if (status != yajl_status_ok) {
		json_free(p.root);
		p.root = NULL;
	}
	yajl_free(p.handle);
	strbuf_free(&p.key_text);
	free(p.keys);
	return p.root;
}
