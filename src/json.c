/* SPDX-License-Identifier: Apache-2.0 */
/* The JSON tree of oci-harden and its writer. The parser, which builds the
 * tree from text with yajl, is json_parse.c. */
#include "json.h"
#include "json_node.h"

#include <assert.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

/* ------------------------------------------------------------------------ */
/* Values                                                                    */

static struct json *new_value(enum json_type type)
{
	/* xmalloc and a zeroed node made inline: the parser and the modules
	 * make a node for every container and literal. */
	struct json *value = xmalloc(sizeof(*value));
	memset(value, 0, sizeof(*value));
	value->type = type;
	return value;
}

void json_free(struct json *value)
{
	if (!value || value->frozen)
		return;
	switch (value->type) {
	case JSON_NUMBER:
	case JSON_STRING:
		break; /* the text is part of the node */
	case JSON_ARRAY:
		for (size_t i = 0; i < value->array.len; i++)
			json_free(value->array.items[i]);
		xfree(value->array.items);
		break;
	case JSON_OBJECT:
		for (size_t i = 0; i < value->object.len; i++) {
			xfree(value->object.members[i].key);
			json_free(value->object.members[i].value);
		}
		xfree(value->object.members);
		break;
	case JSON_NULL:
	case JSON_BOOL:
		break;
	}
	xfree(value);
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
	return json_new_number_len(text, strlen(text));
}

/* `magnitude` in decimal, '-' first if `negative`: by hand, without
 * snprintf's parsing of a format (a create makes a few: the uid, the gid). */
static struct json *new_decimal(uint64_t magnitude, bool negative)
{
	char text[FORMAT_DECIMAL_MAX], *end = text + sizeof(text);
	const char *start = format_decimal(end, magnitude, negative);
	return json_new_number_len(start, (size_t)(end - start));
}

struct json *json_new_int(int64_t n)
{
	return new_decimal(n < 0 ? 0 - (uint64_t)n : (uint64_t)n, n < 0);
}

struct json *json_new_uint(uint64_t n)
{
	return new_decimal(n, false);
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
	return json_new_string_len(s, strlen(s));
}

struct json *json_new_array(void)
{
	return new_value(JSON_ARRAY);
}

struct json *json_new_object(void)
{
	return new_value(JSON_OBJECT);
}

/* A frozen node is never changed: a change would alter every tree that
 * shares it. A caller bug, which must not write a config: fail closed. */
static void json_refuse_frozen(const struct json *value)
{
	if (value->frozen)
		abort();
}

static struct json *json_copy(const struct json *value, bool keep_frozen);

struct json *json_clone(const struct json *value)
{
	return json_copy(value, true);
}

struct json *json_thaw(const struct json *value)
{
	return json_copy(value, false);
}

static inline struct json *string_copy(const struct json *string)
{
	struct json *copy = json_new_string_len(string->string.ptr, string->string.len);
	copy->plain = string->plain;
	copy->offset = string->offset;
	return copy;
}

/* An item or a member's value. Most are strings, copied here without a
 * call of json_copy (as write_child does for the writer). */
static inline struct json *json_copy_child(const struct json *value, bool keep_frozen)
{
	if (value && value->type == JSON_STRING && !(value->frozen && keep_frozen))
		return string_copy(value);
	return json_copy(value, keep_frozen);
}

static struct json *json_copy(const struct json *value, bool keep_frozen)
{
	if (!value)
		return NULL;
	if (value->frozen && keep_frozen)
		return (struct json *)value;
	struct json *copy;
	switch (value->type) {
	case JSON_STRING:
		return string_copy(value);
	case JSON_NUMBER:
		copy = json_new_number_len(value->number, strlen(value->number));
		break;
	case JSON_ARRAY:
		copy = new_value(JSON_ARRAY);
		copy->array.items =
		    xgrow(NULL, &copy->array.cap, value->array.len, sizeof(copy->array.items[0]));
		for (size_t i = 0; i < value->array.len; i++)
			copy->array.items[i] = json_copy_child(value->array.items[i], keep_frozen);
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
			    .value = json_copy_child(m->value, keep_frozen),
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
	/* The first byte settles most members without a call. */
	for (size_t i = object->object.len; i-- > 0;) {
		const char *name = object->object.members[i].key;
		if (name[0] == key[0] && strcmp(name, key) == 0)
			return (ssize_t)i;
	}
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
	 * decision here a null member is the same as no member. The search
	 * is inline, not a call of json_object_get_raw: a create looks up some
	 * three hundred members. */
	ssize_t i = object_find_last(object, key);
	struct json *value = i < 0 ? NULL : object->object.members[i].value;
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
	json_refuse_frozen(object);
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
	json_refuse_frozen(object);
	size_t kept = 0;
	bool found = false;
	for (size_t i = 0; i < object->object.len; i++) {
		struct json_member *m = &object->object.members[i];
		if (strcmp(m->key, key) == 0) {
			xfree(m->key);
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
	json_refuse_frozen(array);
	array->array.items = xgrow(array->array.items, &array->array.cap, array->array.len + 1,
				   sizeof(array->array.items[0]));
	array->array.items[array->array.len++] = value;
}

void json_array_remove(struct json *array, size_t index)
{
	assert(array && array->type == JSON_ARRAY && index < array->array.len);
	if (!array || array->type != JSON_ARRAY || index >= array->array.len)
		return;
	json_refuse_frozen(array);
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

#define WORD_ONES  UINT64_C(0x0101010101010101)
#define WORD_HIGHS UINT64_C(0x8080808080808080)

/* Whether one of the 8 bytes of `w` needs an escape: a quote, a backslash or
 * a control character (exact in whether, not in which). */
static inline bool word_needs_escape(uint64_t w)
{
	uint64_t quote = w ^ (WORD_ONES * '"');
	uint64_t backslash = w ^ (WORD_ONES * '\\');
	return (((quote - WORD_ONES) & ~quote) | ((backslash - WORD_ONES) & ~backslash) |
		((w - WORD_ONES * 0x20) & ~w)) &
	       WORD_HIGHS;
}

/* How many bytes at the start of `s` need no escape: 16 at a time where
 * the compiler has SSE2 (every x86-64), then 8, then one by one. Nearly
 * every string written has none, and the strings of a config are short:
 * this scan, not the copy, was most of writing one. */
static inline size_t plain_prefix(const unsigned char *s, size_t len)
{
	size_t i = 0;
#ifdef __SSE2__
	const __m128i quote = _mm_set1_epi8('"');
	const __m128i backslash = _mm_set1_epi8('\\');
	const __m128i last_control = _mm_set1_epi8(0x1f);
	for (; len - i >= 16; i += 16) {
		__m128i v = _mm_loadu_si128((const __m128i *)(s + i));
		/* v <= 0x1f, unsigned: max(v, 0x1f) is 0x1f */
		__m128i special = _mm_or_si128(
		    _mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, backslash)),
		    _mm_cmpeq_epi8(_mm_max_epu8(v, last_control), last_control));
		unsigned mask = (unsigned)_mm_movemask_epi8(special);
		if (mask)
			return i + (size_t)__builtin_ctz(mask);
	}
#endif
	for (; len - i >= 8; i += 8) {
		uint64_t w;
		memcpy(&w, s + i, sizeof(w));
		if (word_needs_escape(w))
			break;
	}
	while (i < len && !needs_escape[s[i]])
		i++;
	return i;
}

/* Minimal escaping: only what JSON requires, so that a compact document
 * with no needless escapes is written back byte for byte. Everything else,
 * UTF-8 included, is copied in runs. */
/* Most strings of a config and of the event line (a key, an option, a
 * capability, a rule) are 4 to 16 bytes long. Such a string is looked at,
 * and copied, as two overlapping words, which lie within it: finding its
 * end one byte at a time and copying it by a call of memcpy was most of
 * writing one. */
static inline bool short_string_plain(const char *s, size_t len)
{
	if (len >= 8) {
		uint64_t head, tail;
		memcpy(&head, s, sizeof(head));
		memcpy(&tail, s + len - 8, sizeof(tail));
		return !word_needs_escape(head) && !word_needs_escape(tail);
	}
	uint32_t head, tail;
	memcpy(&head, s, sizeof(head));
	memcpy(&tail, s + len - 4, sizeof(tail));
	return !word_needs_escape((uint64_t)head << 32 | tail);
}

static inline void short_string_copy(char *to, const char *s, size_t len)
{
	if (len >= 8) {
		memcpy(to, s, 8);
		memcpy(to + len - 8, s + len - 8, 8);
	} else {
		memcpy(to, s, 4);
		memcpy(to + len - 4, s + len - 4, 4);
	}
}

static inline bool is_short_string(size_t len)
{
	return len >= 4 && len <= 16;
}

/* `s`, in which nothing needs an escape, between quotes. */
static void write_plain_string(struct strbuf *out, const char *s, size_t len)
{
	char *at = out_reserve(out, len + 2);
	at[0] = '"';
	if (is_short_string(len))
		short_string_copy(at + 1, s, len);
	else
		memcpy(at + 1, s, len);
	at[len + 1] = '"';
	out->len += len + 2;
}

static void write_string(struct strbuf *out, const char *s, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *in = (const unsigned char *)s;
	if (is_short_string(len) && short_string_plain(s, len)) {
		write_plain_string(out, s, len);
		return;
	}
	size_t i = plain_prefix(in, len);
	if (i == len) {
		write_plain_string(out, s, len);
		return;
	}

	out_putc(out, '"');
	out_append(out, s, i);
	while (i < len) {
		unsigned char c = in[i++];
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
			break;
		}
		out_append(out, escape, escape[1] == 'u' ? 6 : 2);
		size_t run = plain_prefix(in + i, len - i);
		out_append(out, s + i, run);
		i += run;
	}
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

static void write_value(const struct json *value, bool pretty, size_t level, struct strbuf *out);

/* An item or a member's value. Most are strings, written here without a
 * call of write_value: its saving and restoring of registers, for every
 * leaf of a tree, cost about as much as the string's copy. */
static inline void write_child(const struct json *value, bool pretty, size_t level,
			       struct strbuf *out)
{
	if (value && value->type == JSON_STRING && value->plain)
		write_plain_string(out, value->string.ptr, value->string.len);
	else if (value && value->type == JSON_STRING)
		write_string(out, value->string.ptr, value->string.len);
	else
		write_value(value, pretty, level, out);
}

static void write_value(const struct json *value, bool pretty, size_t level, struct strbuf *out)
{
	if (!value) {
		/* Only a tree left half-built by a failed parse has these. */
		out_append(out, "null", 4);
		return;
	}
	if (value->frozen_text && !pretty) {
		const struct json_frozen *f = (const struct json_frozen *)value;
		out_append(out, f->compact, f->compact_len);
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
		if (value->plain)
			write_plain_string(out, value->string.ptr, value->string.len);
		else
			write_string(out, value->string.ptr, value->string.len);
		break;
	case JSON_ARRAY:
		out_putc(out, '[');
		for (size_t i = 0; i < value->array.len; i++) {
			if (i > 0)
				out_putc(out, ',');
			if (pretty)
				write_newline_indent(out, level + 1);
			write_child(value->array.items[i], pretty, level + 1, out);
		}
		if (pretty && value->array.len > 0)
			write_newline_indent(out, level);
		out_putc(out, ']');
		break;
	case JSON_OBJECT:
		out_putc(out, '{');
		for (size_t i = 0; i < value->object.len; i++) {
			const struct json_member *m = &value->object.members[i];
			size_t key_len = strlen(m->key);
			bool short_key = is_short_string(key_len);
			if (!pretty && (short_key ? short_string_plain(m->key, key_len)
						  : plain_prefix((const unsigned char *)m->key,
								 key_len) == key_len)) {
				/* The common case in one piece: ,"key": */
				char *at = out_reserve(out, key_len + 4);
				size_t n = 0;
				if (i > 0)
					at[n++] = ',';
				at[n++] = '"';
				if (short_key)
					short_string_copy(at + n, m->key, key_len);
				else
					memcpy(at + n, m->key, key_len);
				n += key_len;
				at[n++] = '"';
				at[n++] = ':';
				out->len += n;
				write_child(m->value, pretty, level + 1, out);
				continue;
			}
			if (i > 0)
				out_putc(out, ',');
			if (pretty)
				write_newline_indent(out, level + 1);
			write_string(out, m->key, key_len);
			if (pretty)
				out_append(out, ": ", 2);
			else
				out_putc(out, ':');
			write_child(m->value, pretty, level + 1, out);
		}
		if (pretty && value->object.len > 0)
			write_newline_indent(out, level);
		out_putc(out, '}');
		break;
	}
}

void json_write_string(const char *s, size_t len, struct strbuf *out)
{
	write_string(out, s, len);
	out_terminate(out);
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
	if (value->frozen_text) {
		const struct json_frozen *f = (const struct json_frozen *)value;
		return f->compact_len == len && memcmp(f->compact, text, len) == 0;
	}
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
