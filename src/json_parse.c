/* SPDX-License-Identifier: Apache-2.0 */
/* The JSON parser: text to the tree of json.c, through yajl 2's callback API.
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
 * file's.
 *
 * Where a token starts is known, not guessed (see token_start). When yajl
 * refuses the text, where the last token it took ends, what the grammar
 * allows next (from the parser's own stack of open containers) and the
 * token found there say what is wrong and where; yajl's own error strings
 * are not read. */
#include "json.h"
#include "json_node.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

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
/* The parser's state                                                        */

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
	size_t error_offset;
	bool error_names_key; /* the message says where by a JSON path */
	struct json *root;
	/* Just past the last token reported. */
	size_t resume;
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

/* yajl's blanks (yajl_lex.c: '\v' and '\f' too). */
static bool is_blank(char c)
{
	return c == ' ' || c == '\n' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

/* Past blanks and, when they are allowed, comments, from `at`. An
 * unterminated comment runs to the end of the text. */
static size_t skip_blanks(const struct parser *p, size_t at)
{
	while (at < p->len) {
		if (is_blank(p->text[at])) {
			at++;
			continue;
		}
		if (!(p->flags & JSON_PARSE_COMMENTS) || p->text[at] != '/' || at + 1 >= p->len)
			break;
		if (p->text[at + 1] == '/') {
			const char *nl = memchr(p->text + at, '\n', p->len - at);
			at = nl ? (size_t)(nl - p->text) + 1 : p->len;
		} else if (p->text[at + 1] == '*') {
			const char *close = memmem(p->text + at + 2, p->len - at - 2, "*/", 2);
			at = close ? (size_t)(close - p->text) + 2 : p->len;
		} else {
			break;
		}
	}
	return at;
}

/* Where the token yajl is reporting starts, found going forward: past what
 * may separate it from the last one, which yajl has checked. */
static size_t token_start_after_last(const struct parser *p)
{
	size_t at = p->resume;
	for (;;) {
		at = skip_blanks(p, at);
		if (at < p->len && (p->text[at] == ',' || p->text[at] == ':'))
			at++;
		else
			return at;
	}
}

/* Where the token yajl is reporting starts, when `raw` is yajl's pointer to
 * its text (past a string's quote). yajl points into the buffer it was given
 * for a token it read whole from there, and into a buffer of its own for
 * one it had to decode (escapes) or to put together (a number ending the
 * input): only then is the start looked for. */
static size_t token_start(const struct parser *p, const void *raw, size_t quote)
{
	const char *r = raw;
	if (r >= p->text + quote && r < p->text + p->len)
		return (size_t)(r - p->text) - quote;
	return token_start_after_last(p);
}

/* A token of fixed length `n` ('{', true, ...) ends where yajl is. */
static size_t fixed_token_start(const struct parser *p, size_t n)
{
	return p->completing ? token_start_after_last(p) : yajl_get_bytes_consumed(p->handle) - n;
}

/* ------------------------------------------------------------------------ */
/* Errors                                                                    */

static int parser_fail_at(struct parser *p, size_t offset, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int parser_fail_at(struct parser *p, size_t offset, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	cleanup_free char *reason = xvasprintf(fmt, ap);
	va_end(ap);
	oh_error_make(p->err, 0, "%s", reason);
	p->error_offset = offset;
	return 0; /* stops yajl with yajl_status_client_canceled */
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

/* A key quoted and escaped as JSON writes it. */
static void append_quoted(struct strbuf *out, const char *key, size_t len)
{
	cleanup_json struct json *s = json_new_string_len(key, len);
	json_write(s, false, out);
}

static void path_append_key(struct strbuf *path, const char *key, size_t len)
{
	if (is_identifier(key, len)) {
		if (path->len > 0)
			strbuf_putc(path, '.');
		strbuf_append(path, key, len);
	} else {
		strbuf_putc(path, '[');
		append_quoted(path, key, len);
		strbuf_putc(path, ']');
	}
}

/* The path of the open container at frames[depth - 1] (empty for the top
 * level), then of its member `key`. */
static void parser_path(const struct parser *p, const char *key, size_t key_len,
			struct strbuf *path)
{
	for (size_t i = 1; i < p->depth; i++) {
		const struct json *parent = p->frames[i - 1].node;
		if (parent->type == JSON_OBJECT) {
			const char *k = parent->object.members[parent->object.len - 1].key;
			path_append_key(path, k, strlen(k));
		} else {
			strbuf_appendf(path, "[%zu]", parent->array.len - 1);
		}
	}
	path_append_key(path, key, key_len);
}

/* A refused key, named by its JSON path (the reader of a config knows it by
 * that), located at its opening quote. */
static int parser_fail_key(struct parser *p, const char *key, size_t key_len, size_t offset,
			   const char *fmt, ...) __attribute__((format(printf, 5, 6)));
static int parser_fail_key(struct parser *p, const char *key, size_t key_len, size_t offset,
			   const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	cleanup_free char *reason = xvasprintf(fmt, ap);
	va_end(ap);
	cleanup_strbuf struct strbuf path = {0};
	parser_path(p, key, key_len, &path);
	p->error_names_key = true;
	return parser_fail_at(p, offset, "at %s: %s", path.buf, reason);
}

/* ------------------------------------------------------------------------ */
/* Strings                                                                   */

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

/* Check a string or key yajl decoded from the token at text[start], which
 * ends where yajl is.
 * yajl's UTF-8 check lets overlong forms and encoded surrogates through, and
 * it decodes a \u escape of an unpaired surrogate to '?' (high surrogate
 * alone) or to a made-up code point (high surrogate followed by any other
 * \u escape), where Go decodes U+FFFD: refuse them all rather than read a
 * string differently from runc. */
static int parser_check_string(struct parser *p, const unsigned char *s, size_t len, size_t start)
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
			    p, start, "invalid UTF-8 (or an escaped lone surrogate) in string");
		maybe_surrogate_escape |= n == 4;
		i += n;
	}
	if (maybe_surrogate_escape && !raw_surrogates_paired(p->text, start, parser_offset(p)))
		return parser_fail_at(p, start, "unpaired UTF-16 surrogate in a \\u escape");
	return 1;
}

/* ------------------------------------------------------------------------ */
/* Building the tree                                                         */

/* Attach a value that starts at `start` to the open container (or make it
 * the root). */
static int parser_add(struct parser *p, struct json *value, size_t start)
{
	value->offset = start;
	p->resume = parser_offset(p);
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
	return parser_add(ctx, json_new_null(), fixed_token_start(ctx, 4));
}

static int on_boolean(void *ctx, int b)
{
	return parser_add(ctx, json_new_bool(b), fixed_token_start(ctx, b ? 4 : 5));
}

static int on_number(void *ctx, const char *s, size_t len)
{
	return parser_add(ctx, json_new_number_len(s, len), token_start(ctx, s, 0));
}

static int on_string(void *ctx, const unsigned char *s, size_t len)
{
	struct parser *p = ctx;
	size_t start = token_start(p, s, 1);
	if (!parser_check_string(p, s, len, start))
		return 0;
	return parser_add(p, json_new_string_len((const char *)s, len), start);
}

static int parser_open(struct parser *p, struct json *container)
{
	size_t start = fixed_token_start(p, 1);
	if (p->depth == JSON_MAX_DEPTH) {
		json_free(container);
		return parser_fail_at(p, start, "nesting deeper than %d levels is refused",
				      JSON_MAX_DEPTH);
	}
	parser_add(p, container, start);
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

/* A container closed: it is a value of its parent now. */
static void parser_close(struct parser *p)
{
	p->depth--;
	p->resume = parser_offset(p);
}

static int on_end_array(void *ctx)
{
	struct parser *p = ctx;
	struct json *array = p->frames[p->depth - 1].node;
	array->array.items = shrink_to_fit(array->array.items, array->array.len, &array->array.cap,
					   sizeof(array->array.items[0]));
	parser_close(p);
	return 1;
}

static int on_map_key(void *ctx, const unsigned char *s, size_t len)
{
	struct parser *p = ctx;
	const char *key = (const char *)s;
	size_t start = token_start(p, s, 1);

	if (!parser_check_string(p, s, len, start))
		return 0;
	/* Keys are C strings everywhere in oci-harden (and in runc's own C
	 * code: libcontainer/nsenter): a NUL would cut one short. */
	if (memchr(key, '\0', len))
		return parser_fail_key(p, key, len, start,
				       "key contains a NUL character (\\u0000)");

	struct parse_frame *frame = &p->frames[p->depth - 1];
	struct json *object = frame->node;
	if (p->flags & JSON_PARSE_GO_STRICT) {
		size_t text_start = p->key_text.len;
		strbuf_append(&p->key_text, key, len);
		p->keys = xgrow(p->keys, &p->keys_cap, p->keys_len + 1, sizeof(p->keys[0]));
		p->keys[p->keys_len++] = (struct key_ref){
		    .start = text_start,
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
	m->offset = start;
	p->resume = parser_offset(p);
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

/* Find the first repeat in document order among the n keys: set *repeat to
 * its index. */
static bool find_first_repeat(const char *text, struct key_ref *keys, size_t n, size_t *repeat)
{
	/* Most objects are small: comparing every pair is cheapest. */
	if (n <= 16) {
		for (size_t j = 1; j < n; j++)
			for (size_t i = 0; i < j; i++)
				if (keys_equal(text, &keys[i], &keys[j])) {
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
	size_t repeat;
	if (p->keys_len == frame->keys_start)
		return 1; /* no keys (p->keys may still be NULL) */
	if (!find_first_repeat(p->key_text.buf, p->keys + frame->keys_start,
			       p->keys_len - frame->keys_start, &repeat))
		return 1;

	const struct json_member *m = &object->object.members[repeat];
	size_t key_len = strlen(m->key);
	cleanup_strbuf struct strbuf quoted = {0};
	append_quoted(&quoted, m->key, key_len);
	/* The repeat is reported inside its object: its path is the open
	 * frames' and then its key. */
	return parser_fail_key(p, m->key, key_len, m->offset,
			       "duplicate key %s (Go's encoding/json would merge or let the last "
			       "win)",
			       quoted.buf);
}

static int on_end_map(void *ctx)
{
	struct parser *p = ctx;
	const struct parse_frame *frame = &p->frames[p->depth - 1];
	if (p->flags & JSON_PARSE_GO_STRICT) {
		if (!parser_check_duplicates(p, frame))
			return 0;
		p->key_text.len = frame->key_text_start;
		p->keys_len = frame->keys_start;
	}
	struct json *object = frame->node;
	object->object.members =
	    shrink_to_fit(object->object.members, object->object.len, &object->object.cap,
			  sizeof(object->object.members[0]));
	parser_close(p);
	return 1;
}

/* ------------------------------------------------------------------------ */
/* Syntax errors                                                             */

/* What the grammar allows where yajl stopped. */
enum parse_expect {
	EXPECT_VALUE,	       /* at the top, after ':' or after ',' in an array */
	EXPECT_VALUE_OR_CLOSE, /* just inside '[' */
	EXPECT_KEY,	       /* after ',' in an object */
	EXPECT_KEY_OR_CLOSE,   /* just inside '{' */
	EXPECT_COLON,	       /* after a key */
	EXPECT_ITEM_END,       /* after an item: ',' or ']' */
	EXPECT_MEMBER_END,     /* after a member's value: ',' or '}' */
	EXPECT_NOTHING,	       /* after the top-level value */
};

/* What may come next, from the innermost open container as far as it is
 * built: an object whose last member has no value yet is after a key. */
static enum parse_expect parser_expectation(const struct parser *p)
{
	if (p->depth == 0)
		return p->root ? EXPECT_NOTHING : EXPECT_VALUE;
	const struct json *open = p->frames[p->depth - 1].node;
	if (open->type == JSON_ARRAY)
		return open->array.len ? EXPECT_ITEM_END : EXPECT_VALUE_OR_CLOSE;
	if (open->object.len == 0)
		return EXPECT_KEY_OR_CLOSE;
	return open->object.members[open->object.len - 1].value ? EXPECT_MEMBER_END : EXPECT_COLON;
}

enum token_kind {
	TOKEN_OPEN_OBJECT,
	TOKEN_CLOSE_OBJECT,
	TOKEN_OPEN_ARRAY,
	TOKEN_CLOSE_ARRAY,
	TOKEN_COMMA,
	TOKEN_COLON,
	TOKEN_STRING,
	TOKEN_NUMBER,
	TOKEN_LITERAL,
};

static const char *token_name(enum token_kind kind, const char *text)
{
	switch (kind) {
	case TOKEN_OPEN_OBJECT:
		return "'{'";
	case TOKEN_CLOSE_OBJECT:
		return "'}'";
	case TOKEN_OPEN_ARRAY:
		return "'['";
	case TOKEN_CLOSE_ARRAY:
		return "']'";
	case TOKEN_COMMA:
		return "','";
	case TOKEN_COLON:
		return "':'";
	case TOKEN_STRING:
		return "a string";
	case TOKEN_NUMBER:
		return "a number";
	case TOKEN_LITERAL:
		return text[0] == 't' ? "true" : text[0] == 'f' ? "false" : "null";
	}
	return "a token";
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* The string token at text[at] == '"': 0 when it is well formed (as yajl's
 * lexer reads one: no control character, valid escapes, UTF-8), else the
 * refusal. */
static int lex_string(struct parser *p, size_t at)
{
	const unsigned char *t = (const unsigned char *)p->text;
	size_t i = at + 1;
	while (i < p->len && t[i] != '"') {
		if (t[i] < 0x20)
			return parser_fail_at(p, i, "invalid character inside string");
		if (t[i] == '\\') {
			if (++i >= p->len)
				break;
			if (t[i] == 'u') {
				for (size_t k = 1; k <= 4; k++)
					if (i + k >= p->len)
						return parser_fail_at(p, p->len,
								      "unexpected end of input");
					else if (hex_digit((char)t[i + k]) < 0)
						return parser_fail_at(p, i + k,
								      "invalid (non-hex) character "
								      "after '\\u' in string");
				i += 5;
			} else if (t[i] && strchr("\"\\/bfnrt", t[i])) {
				i++;
			} else {
				return parser_fail_at(p, i, "invalid escape '\\%c' in string",
						      t[i] >= 0x20 && t[i] < 0x7f ? t[i] : '?');
			}
			continue;
		}
		uint32_t code_point;
		size_t n = t[i] < 0x80 ? 1 : utf8_decode(t + i, p->len - i, &code_point);
		if (n == 0)
			return parser_fail_at(p, i, "invalid UTF-8 in string");
		i += n;
	}
	if (i >= p->len)
		return parser_fail_at(p, p->len, "unexpected end of input");
	return 1;
}

/* The number token at text[at] ('-' or a digit), as yajl's lexer reads one
 * (a leading zero ends it, as RFC 8259 has it): 1 when well formed. */
static int lex_number(struct parser *p, size_t at)
{
	const char *t = p->text;
	size_t i = at;
	if (t[i] == '-')
		i++;
	if (i >= p->len || !is_digit(t[i]))
		return parser_fail_at(p, at,
				      "malformed number, a digit is required after the minus sign");
	if (t[i] == '0')
		i++;
	else
		while (i < p->len && is_digit(t[i]))
			i++;
	if (i < p->len && t[i] == '.') {
		if (++i >= p->len || !is_digit(t[i]))
			return parser_fail_at(
			    p, at, "malformed number, a digit is required after the decimal point");
		while (i < p->len && is_digit(t[i]))
			i++;
	}
	if (i < p->len && (t[i] == 'e' || t[i] == 'E')) {
		i++;
		if (i < p->len && (t[i] == '+' || t[i] == '-'))
			i++;
		if (i >= p->len || !is_digit(t[i]))
			return parser_fail_at(
			    p, at, "malformed number, a digit is required after the exponent");
	}
	return 1;
}

/* The token at text[at]: its kind, or a refusal of it as it stands. */
static int lex_token(struct parser *p, size_t at, enum token_kind *kind)
{
	static const struct {
		char c;
		enum token_kind kind;
	} punctuation[] = {
	    {'{', TOKEN_OPEN_OBJECT}, {'}', TOKEN_CLOSE_OBJECT}, {'[', TOKEN_OPEN_ARRAY},
	    {']', TOKEN_CLOSE_ARRAY}, {',', TOKEN_COMMA},	 {':', TOKEN_COLON},
	};
	static const char *const literals[] = {"true", "false", "null"};
	char c = p->text[at];
	for (size_t i = 0; i < ARRAY_SIZE(punctuation); i++)
		if (c == punctuation[i].c) {
			*kind = punctuation[i].kind;
			return 1;
		}
	if (c == '"') {
		*kind = TOKEN_STRING;
		return lex_string(p, at);
	}
	if (c == '-' || is_digit(c)) {
		*kind = TOKEN_NUMBER;
		return lex_number(p, at);
	}
	for (size_t i = 0; i < ARRAY_SIZE(literals); i++) {
		if (c != literals[i][0])
			continue;
		size_t n = strlen(literals[i]);
		if (p->len - at < n || memcmp(p->text + at, literals[i], n) != 0)
			return parser_fail_at(p, at,
					      "invalid literal (expected a string, a number, an "
					      "object, an array, true, false or null)");
		*kind = TOKEN_LITERAL;
		return 1;
	}
	if (c == '/')
		return parser_fail_at(p, at,
				      (p->flags & JSON_PARSE_COMMENTS)
					  ? "invalid comment (expected /* or //)"
					  : "comments are not allowed");
	return parser_fail_at(p, at, "unexpected character");
}

/* yajl refused the text: find the token it stopped on, from where the last
 * token it took ends, and say what is wrong with it. */
static void parser_syntax_error(struct parser *p)
{
	enum parse_expect expect = parser_expectation(p);
	size_t at = skip_blanks(p, p->resume);
	if (at < p->len && p->text[at] == ',' &&
	    (expect == EXPECT_ITEM_END || expect == EXPECT_MEMBER_END)) {
		expect = expect == EXPECT_ITEM_END ? EXPECT_VALUE : EXPECT_KEY;
		at = skip_blanks(p, at + 1);
	} else if (at < p->len && p->text[at] == ':' && expect == EXPECT_COLON) {
		expect = EXPECT_VALUE;
		at = skip_blanks(p, at + 1);
	}
	if (at >= p->len) {
		parser_fail_at(p, p->len, "unexpected end of input");
		return;
	}
	if (expect == EXPECT_NOTHING) {
		parser_fail_at(p, at, "unexpected data after the top-level value");
		return;
	}
	enum token_kind kind = TOKEN_COMMA;
	if (!lex_token(p, at, &kind))
		return;
	const char *found = token_name(kind, p->text + at);
	bool value = kind == TOKEN_OPEN_OBJECT || kind == TOKEN_OPEN_ARRAY ||
		     kind == TOKEN_STRING || kind == TOKEN_NUMBER || kind == TOKEN_LITERAL;
	switch (expect) {
	case EXPECT_VALUE:
	case EXPECT_VALUE_OR_CLOSE:
		if (!value && !(expect == EXPECT_VALUE_OR_CLOSE && kind == TOKEN_CLOSE_ARRAY)) {
			parser_fail_at(p, at, "expected a value, found %s", found);
			return;
		}
		break;
	case EXPECT_KEY:
	case EXPECT_KEY_OR_CLOSE:
		if (kind != TOKEN_STRING &&
		    !(expect == EXPECT_KEY_OR_CLOSE && kind == TOKEN_CLOSE_OBJECT)) {
			parser_fail_at(p, at, "expected an object key (a string), found %s", found);
			return;
		}
		break;
	case EXPECT_COLON:
		parser_fail_at(p, at, "expected ':' after an object key, found %s", found);
		return;
	case EXPECT_ITEM_END:
		parser_fail_at(p, at, "expected ',' or ']' after an array item, found %s", found);
		return;
	case EXPECT_MEMBER_END:
		parser_fail_at(p, at, "expected ',' or '}' after an object member, found %s",
			       found);
		return;
	case EXPECT_NOTHING:
		break;
	}
	/* The grammar allows the token yajl stopped on: this reading of the
	 * text and yajl's differ. Still a refusal, where yajl stopped. */
	parser_fail_at(p, yajl_get_bytes_consumed(p->handle), "syntax error");
}

/* ------------------------------------------------------------------------ */
/* The fast path                                                             */

/* Nearly every document read is well formed: a config an engine wrote, a
 * policy, a record of our own. fast_read takes those in one pass over the
 * text, and gives up (NULL, having freed what it built) at the first thing
 * it does not build exactly as the yajl path does: anything that may be an
 * error, a comment it cannot end, a control character, invalid UTF-8, a \u escape of a
 * UTF-16 surrogate, a key holding a NUL, a repeated key (GO_STRICT), nesting
 * past JSON_MAX_DEPTH. The yajl path then reads the text from the start,
 * with its checks and its messages. Where both take a document they build
 * the same tree, offsets included (tests/fuzz/fuzz_json.c and
 * tests/unit/test_json.c hold them to it): so what yajl accepts and how it
 * decodes it (yajl_encode.c: \u0000 is a NUL byte, \uXXXX is UTF-8) stays
 * the one reading. */

struct fast_reader {
	const char *text, *end;
	const char *at;
	unsigned flags;
	size_t depth;
	/* The items and members of the open containers, as stacks. */
	struct json **items;
	size_t items_len, items_cap;
	struct json_member *members;
	size_t members_len, members_cap;
	/* A string with escapes, decoded. */
	struct strbuf decoded;
};

#define FAST_ONES  UINT64_C(0x0101010101010101)
#define FAST_HIGHS UINT64_C(0x8080808080808080)

/* How many of the bytes of `w`, in memory order, are zero before the first
 * that is not (w != 0). */
static inline size_t fast_leading_bytes(uint64_t w)
{
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	return (size_t)__builtin_ctzll(w) / 8;
#else
	return (size_t)__builtin_clzll(w) / 8;
#endif
}

/* The blanks yajl takes between tokens (yajl_lex.c). */
static const bool fast_blank[256] = {
    [' '] = true, ['\n'] = true, ['\t'] = true, ['\r'] = true, ['\v'] = true, ['\f'] = true,
};

/* Past blanks and, with JSON_PARSE_COMMENTS, comments as yajl reads them
 * (yajl_lex.c: "//" to the end of the line, "/" "*" to the first "*" "/"
 * after it). A comment it does not end is left where it starts: a '/'
 * that no caller takes, so the reader gives up. */
static inline void fast_skip_blanks(struct fast_reader *r)
{
	for (;;) {
		/* An indented document is a third blanks, mostly runs of
		 * spaces: 8 at a time. */
		while (r->at < r->end && fast_blank[(unsigned char)*r->at]) {
			r->at++;
			if (r->end - r->at >= 8) {
				/* past the spaces that start the next 8 bytes */
				uint64_t w;
				memcpy(&w, r->at, sizeof(w));
				uint64_t not_space = w ^ (FAST_ONES * ' ');
				r->at += not_space ? fast_leading_bytes(not_space) : 8;
			}
		}
		if (!(r->flags & JSON_PARSE_COMMENTS) || r->end - r->at < 2 || r->at[0] != '/')
			return;
		const char *close = NULL;
		if (r->at[1] == '/') {
			close = memchr(r->at + 2, '\n', (size_t)(r->end - r->at - 2));
			if (!close)
				return;
			r->at = close + 1;
		} else if (r->at[1] == '*') {
			close = memmem(r->at + 2, (size_t)(r->end - r->at - 2), "*/", 2);
			if (!close)
				return;
			r->at = close + 2;
		} else {
			return;
		}
	}
}

/* Whether any of the 8 bytes of `w` may end a plain run of a string: a
 * quote, a backslash, a control character or a byte of a multibyte UTF-8
 * sequence (exact in what it clears, not in where). */
static inline bool fast_word_special(uint64_t w)
{
	uint64_t quote = w ^ (FAST_ONES * '"');
	uint64_t backslash = w ^ (FAST_ONES * '\\');
	uint64_t zero_in_quote = (quote - FAST_ONES) & ~quote;
	uint64_t zero_in_backslash = (backslash - FAST_ONES) & ~backslash;
	uint64_t below_space = (w - FAST_ONES * 0x20) & ~w;
	return ((zero_in_quote | zero_in_backslash | below_space) & FAST_HIGHS) | (w & FAST_HIGHS);
}

/* The string whose opening quote is at r->at: its bytes in *out (into the
 * text when it has no escapes, else into r->decoded), r->at past its closing
 * quote. False to give up. */
static bool fast_string(struct fast_reader *r, const char **out, size_t *out_len)
{
	const unsigned char *start = (const unsigned char *)r->at + 1;
	const unsigned char *p = start;
	const unsigned char *end = (const unsigned char *)r->end;
	for (;;) {
#ifdef __SSE2__
		/* 16 bytes at a time: a quote, a backslash, a control character
		 * (v <= 0x1f unsigned: max(v, 0x1f) is 0x1f), or a byte with its
		 * high bit set (movemask of v itself). */
		const __m128i quote = _mm_set1_epi8('"');
		const __m128i backslash = _mm_set1_epi8('\\');
		const __m128i last_control = _mm_set1_epi8(0x1f);
		while (end - p >= 16) {
			__m128i v = _mm_loadu_si128((const __m128i *)p);
			__m128i special = _mm_or_si128(
			    _mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, backslash)),
			    _mm_cmpeq_epi8(_mm_max_epu8(v, last_control), last_control));
			unsigned mask =
			    (unsigned)(_mm_movemask_epi8(special) | _mm_movemask_epi8(v));
			if (mask) {
				p += __builtin_ctz(mask);
				break;
			}
			p += 16;
		}
#endif
		while (end - p >= 8) {
			uint64_t w;
			memcpy(&w, p, sizeof(w));
			if (fast_word_special(w))
				break;
			p += 8;
		}
		if (p >= end)
			return false;
		unsigned char c = *p;
		if (c == '"') {
			*out = (const char *)start;
			*out_len = (size_t)(p - start);
			r->at = (const char *)p + 1;
			return true;
		}
		if (c == '\\')
			break;
		if (c < 0x20)
			return false;
		if (c < 0x80) {
			p++;
			continue;
		}
		uint32_t code_point;
		size_t n = utf8_decode(p, (size_t)(end - p), &code_point);
		if (n == 0)
			return false;
		p += n;
	}

	/* Escapes: decoded as yajl_string_decode does. */
	struct strbuf *d = &r->decoded;
	d->len = 0;
	strbuf_append(d, (const char *)start, (size_t)(p - start));
	while (p < end) {
		unsigned char c = *p;
		if (c == '"') {
			*out = d->buf;
			*out_len = d->len;
			r->at = (const char *)p + 1;
			return true;
		}
		if (c < 0x20)
			return false;
		if (c >= 0x80) {
			uint32_t code_point;
			size_t n = utf8_decode(p, (size_t)(end - p), &code_point);
			if (n == 0)
				return false;
			strbuf_append(d, (const char *)p, n);
			p += n;
			continue;
		}
		if (c != '\\') {
			strbuf_putc(d, (char)c);
			p++;
			continue;
		}
		if (end - p < 2)
			return false;
		char simple = 0;
		switch (p[1]) {
		case '"':
		case '\\':
		case '/':
			simple = (char)p[1];
			break;
		case 'b':
			simple = '\b';
			break;
		case 'f':
			simple = '\f';
			break;
		case 'n':
			simple = '\n';
			break;
		case 'r':
			simple = '\r';
			break;
		case 't':
			simple = '\t';
			break;
		case 'u':
			break;
		default:
			return false;
		}
		if (simple) {
			strbuf_putc(d, simple);
			p += 2;
			continue;
		}
		if (end - p < 6)
			return false;
		uint32_t unit = 0;
		for (int i = 2; i < 6; i++) {
			int digit = hex_digit((char)p[i]);
			if (digit < 0)
				return false;
			unit = unit << 4 | (uint32_t)digit;
		}
		if (unit >= 0xD800 && unit <= 0xDFFF)
			return false; /* pairs and lone halves: yajl's path checks them */
		char utf8[3];
		size_t n;
		if (unit < 0x80) {
			utf8[0] = (char)unit;
			n = 1;
		} else if (unit < 0x800) {
			utf8[0] = (char)(0xC0 | unit >> 6);
			utf8[1] = (char)(0x80 | (unit & 0x3F));
			n = 2;
		} else {
			utf8[0] = (char)(0xE0 | unit >> 12);
			utf8[1] = (char)(0x80 | ((unit >> 6) & 0x3F));
			utf8[2] = (char)(0x80 | (unit & 0x3F));
			n = 3;
		}
		strbuf_append(d, utf8, n);
		p += 6;
	}
	return false;
}

static bool fast_is_digit(const char *p, const char *end)
{
	return p < end && *p >= '0' && *p <= '9';
}

/* The number at r->at, as RFC 8259 (and yajl's lexer) reads one; what may
 * follow it is the caller's to check. */
static struct json *fast_number(struct fast_reader *r)
{
	const char *p = r->at, *end = r->end;
	if (*p == '-')
		p++;
	if (!fast_is_digit(p, end))
		return NULL;
	if (*p == '0')
		p++;
	else
		while (fast_is_digit(p, end))
			p++;
	if (p < end && *p == '.') {
		p++;
		if (!fast_is_digit(p, end))
			return NULL;
		while (fast_is_digit(p, end))
			p++;
	}
	if (p < end && (*p == 'e' || *p == 'E')) {
		p++;
		if (p < end && (*p == '+' || *p == '-'))
			p++;
		if (!fast_is_digit(p, end))
			return NULL;
		while (fast_is_digit(p, end))
			p++;
	}
	struct json *number = json_new_number_len(r->at, (size_t)(p - r->at));
	r->at = p;
	return number;
}

static struct json *fast_literal(struct fast_reader *r, const char *word, size_t n)
{
	if ((size_t)(r->end - r->at) < n || memcmp(r->at, word, n) != 0)
		return NULL;
	r->at += n;
	return word[0] == 'n' ? json_new_null() : json_new_bool(word[0] == 't');
}

static struct json *fast_value(struct fast_reader *r);

/* The string value whose opening quote is at r->at. */
static inline struct json *fast_string_value(struct fast_reader *r)
{
	size_t offset = (size_t)(r->at - r->text);
	const char *s;
	size_t len;
	if (!fast_string(r, &s, &len))
		return NULL;
	struct json *value = json_new_string_len(s, len);
	value->offset = offset;
	/* Not decoded: the text was raw in the document. */
	value->plain = s != r->decoded.buf;
	return value;
}

/* An item or a member's value. Most are strings, read here without a call
 * of fast_value: its saving and restoring of registers, for every leaf of
 * a document, cost about as much as making the string's node. */
static inline struct json *fast_child(struct fast_reader *r)
{
	if (r->at < r->end && *r->at == '"')
		return fast_string_value(r);
	return fast_value(r);
}

static struct json *fast_array(struct fast_reader *r)
{
	size_t base = r->items_len;
	r->at++; /* '[' */
	fast_skip_blanks(r);
	if (r->at < r->end && *r->at == ']') {
		r->at++;
		return json_new_array();
	}
	for (;;) {
		struct json *item = fast_child(r);
		if (!item)
			goto give_up;
		r->items = xgrow(r->items, &r->items_cap, r->items_len + 1, sizeof(r->items[0]));
		r->items[r->items_len++] = item;
		fast_skip_blanks(r);
		if (r->at >= r->end)
			goto give_up;
		char c = *r->at++;
		if (c == ']')
			break;
		if (c != ',')
			goto give_up;
		fast_skip_blanks(r);
	}
	struct json *array = json_new_array();
	size_t n = r->items_len - base;
	array->array.items = xmalloc(n * sizeof(array->array.items[0]));
	memcpy(array->array.items, r->items + base, n * sizeof(array->array.items[0]));
	array->array.len = array->array.cap = n;
	r->items_len = base;
	return array;
give_up:
	while (r->items_len > base)
		json_free(r->items[--r->items_len]);
	return NULL;
}

static int fast_key_compare(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Whether the n keys at `members` hold a repeat (their keys hold no NUL). */
static bool fast_keys_repeat(const struct json_member *members, size_t n)
{
	if (n <= 16) {
		/* The first byte settles most pairs without a call. */
		for (size_t j = 1; j < n; j++)
			for (size_t i = 0; i < j; i++)
				if (members[i].key[0] == members[j].key[0] &&
				    strcmp(members[i].key, members[j].key) == 0)
					return true;
		return false;
	}
	char **keys = xmalloc(n * sizeof(*keys));
	for (size_t i = 0; i < n; i++)
		keys[i] = members[i].key;
	qsort(keys, n, sizeof(*keys), fast_key_compare);
	bool repeat = false;
	for (size_t i = 1; i < n && !repeat; i++)
		repeat = strcmp(keys[i - 1], keys[i]) == 0;
	xfree(keys);
	return repeat;
}

static struct json *fast_object(struct fast_reader *r)
{
	size_t base = r->members_len;
	r->at++; /* '{' */
	fast_skip_blanks(r);
	if (r->at < r->end && *r->at == '}') {
		r->at++;
		return json_new_object();
	}
	for (;;) {
		if (r->at >= r->end || *r->at != '"')
			goto give_up;
		size_t key_offset = (size_t)(r->at - r->text);
		const char *key;
		size_t key_len;
		/* A key read in place holds no NUL (fast_string gives up at a
		 * control character); one decoded from escapes may ("\u0000"). */
		if (!fast_string(r, &key, &key_len) ||
		    (key == r->decoded.buf && memchr(key, '\0', key_len)))
			goto give_up;
		fast_skip_blanks(r);
		if (r->at >= r->end || *r->at != ':')
			goto give_up;
		r->at++;
		fast_skip_blanks(r);
		char *owned_key = xmalloc(key_len + 1);
		json_node_copy_text(owned_key, key, key_len);
		owned_key[key_len] = '\0';
		struct json *value = fast_child(r);
		if (!value) {
			xfree(owned_key);
			goto give_up;
		}
		r->members =
		    xgrow(r->members, &r->members_cap, r->members_len + 1, sizeof(r->members[0]));
		r->members[r->members_len++] = (struct json_member){
		    .key = owned_key,
		    .value = value,
		    .offset = key_offset,
		};
		fast_skip_blanks(r);
		if (r->at >= r->end)
			goto give_up;
		char c = *r->at++;
		if (c == '}')
			break;
		if (c != ',')
			goto give_up;
		fast_skip_blanks(r);
	}
	size_t n = r->members_len - base;
	if ((r->flags & JSON_PARSE_GO_STRICT) && fast_keys_repeat(r->members + base, n))
		goto give_up;
	struct json *object = json_new_object();
	object->object.members = xmalloc(n * sizeof(object->object.members[0]));
	memcpy(object->object.members, r->members + base, n * sizeof(object->object.members[0]));
	object->object.len = object->object.cap = n;
	r->members_len = base;
	return object;
give_up:
	while (r->members_len > base) {
		struct json_member *m = &r->members[--r->members_len];
		xfree(m->key);
		json_free(m->value);
	}
	return NULL;
}

static struct json *fast_value(struct fast_reader *r)
{
	if (r->at >= r->end)
		return NULL;
	size_t offset = (size_t)(r->at - r->text);
	struct json *value = NULL;
	switch (*r->at) {
	case '{':
	case '[':
		if (r->depth == JSON_MAX_DEPTH)
			return NULL;
		r->depth++;
		value = *r->at == '{' ? fast_object(r) : fast_array(r);
		r->depth--;
		break;
	case '"':
		return fast_string_value(r);
	case '-':
	case '0' ... '9':
		value = fast_number(r);
		break;
	case 't':
		value = fast_literal(r, "true", 4);
		break;
	case 'f':
		value = fast_literal(r, "false", 5);
		break;
	case 'n':
		value = fast_literal(r, "null", 4);
		break;
	default:
		break;
	}
	if (value)
		value->offset = offset;
	return value;
}

struct json *json_parse_fast(const char *text, size_t len, unsigned flags)
{
	struct fast_reader r = {.text = text, .end = text + len, .at = text, .flags = flags};
	fast_skip_blanks(&r);
	struct json *root = fast_value(&r);
	if (root) {
		fast_skip_blanks(&r);
		if (r.at != r.end) {
			json_free(root);
			root = NULL;
		}
	}
	xfree(r.items);
	xfree(r.members);
	strbuf_free(&r.decoded);
	return root;
}

/* ------------------------------------------------------------------------ */
/* Entry points                                                              */

/* Parse into p->root; on error, p->err, p->error_offset and
 * p->error_names_key say what and where. */
static void parse_document(struct parser *p)
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
	size_t blank = 0;
	while (blank < p->len && is_blank(p->text[blank]))
		blank++;
	if (blank == p->len) {
		parser_fail_at(p, p->len, "empty document");
		return;
	}

	p->handle = yajl_alloc(&callbacks, NULL, p);
	if (!p->handle) {
		oh_error_make(p->err, ENOMEM, "cannot allocate a JSON parser");
		return;
	}
	/* Trailing garbage, multiple values and partial values stay refused
	 * (yajl's defaults), and so does UTF-8 validation. */
	yajl_config(p->handle, yajl_allow_comments, (p->flags & JSON_PARSE_COMMENTS) ? 1 : 0);

	yajl_status status = yajl_parse(p->handle, (const unsigned char *)p->text, p->len);
	if (status == yajl_status_ok) {
		p->completing = true;
		status = yajl_complete_parse(p->handle);
	}
	if (status == yajl_status_error)
		parser_syntax_error(p);
	if (status != yajl_status_ok) {
		json_free(p->root);
		p->root = NULL;
	}
	yajl_free(p->handle);
	strbuf_free(&p->key_text);
	xfree(p->keys);
}

struct json *json_parse_at(const char *text, size_t len, unsigned flags, size_t *error_offset,
			   oh_error_t *err)
{
	struct json *fast = json_parse_fast(text, len, flags);
	if (fast) {
		*error_offset = 0;
		return fast;
	}
	struct parser p = {.text = text, .len = len, .flags = flags, .err = err};
	parse_document(&p);
	*error_offset = p.error_offset;
	return p.root;
}

struct json *json_parse(const char *text, size_t len, unsigned flags, oh_error_t *err)
{
	struct json *fast = json_parse_fast(text, len, flags);
	return fast ? fast : json_parse_checked(text, len, flags, err);
}

struct json *json_parse_checked(const char *text, size_t len, unsigned flags, oh_error_t *err)
{
	struct parser p = {.text = text, .len = len, .flags = flags, .err = err};
	parse_document(&p);
	if (!p.root && !p.error_names_key && *err && (*err)->errnum == 0) {
		unsigned line, col;
		json_offset_to_line_col(text, len, p.error_offset, &line, &col);
		oh_error_wrap(err, "line %u, column %u", line, col);
	}
	return p.root;
}
