/* SPDX-License-Identifier: Apache-2.0 */
/* Reading containerd's config.toml as text: where each table and key is,
 * and whether the file is TOML at all. The grammar is TOML 1.0's
 * (toml.io/en/v1.0.0, its ABNF); see toml_scan.h for what is left out. */
#include "toml_scan.h"

#include <limits.h>
#include <string.h>

/* Arrays and inline tables nested deeper than this are not a containerd
 * configuration. */
#define TOML_MAX_DEPTH 32

struct toml_cursor {
	const char *text;
	size_t len;
	size_t pos;
	unsigned line;
	const char *display;
};

static int toml_fail(struct toml_cursor *c, oh_error_t *err, const char *what)
{
	return oh_error_make(err, 0, "%s:%u: %s", c->display, c->line, what);
}

static char toml_peek(const struct toml_cursor *c, size_t ahead)
{
	return c->pos + ahead < c->len ? c->text[c->pos + ahead] : '\0';
}

static bool toml_at_end(const struct toml_cursor *c)
{
	return c->pos >= c->len;
}

static void toml_skip_blanks(struct toml_cursor *c)
{
	while (!toml_at_end(c) && (c->text[c->pos] == ' ' || c->text[c->pos] == '\t'))
		c->pos++;
}

/* A line break (LF or CRLF) here: consume it. A carriage return alone is
 * not one, and TOML allows it nowhere. */
static int toml_newline(struct toml_cursor *c, bool *found, oh_error_t *err)
{
	*found = false;
	if (toml_peek(c, 0) == '\n') {
		c->pos++;
	} else if (toml_peek(c, 0) == '\r') {
		if (toml_peek(c, 1) != '\n')
			return toml_fail(c, err, "a carriage return that does not end a line");
		c->pos += 2;
	} else {
		return 0;
	}
	c->line++;
	*found = true;
	return 0;
}

/* Control characters other than tab are allowed in no comment or string
 * (TOML 1.0, "Comment" and "String"). */
static bool toml_is_control(unsigned char ch)
{
	return (ch < 0x20 && ch != '\t') || ch == 0x7f;
}

static int toml_skip_comment(struct toml_cursor *c, oh_error_t *err)
{
	if (toml_peek(c, 0) != '#')
		return 0;
	while (!toml_at_end(c) && c->text[c->pos] != '\n' && c->text[c->pos] != '\r') {
		if (toml_is_control((unsigned char)c->text[c->pos]))
			return toml_fail(c, err, "a control character in a comment");
		c->pos++;
	}
	return 0;
}

/* The end of an entry's line: blanks, maybe a comment, then a line break
 * or the end of the file. */
static int toml_end_of_line(struct toml_cursor *c, oh_error_t *err)
{
	toml_skip_blanks(c);
	if (toml_skip_comment(c, err) < 0)
		return -1;
	if (toml_at_end(c))
		return 0;
	bool found;
	if (toml_newline(c, &found, err) < 0)
		return -1;
	if (!found)
		return toml_fail(c, err, "unexpected text after the end of the entry");
	return 0;
}

/* Blanks, comments and line breaks, as between the elements of an array. */
static int toml_skip_blanks_and_lines(struct toml_cursor *c, oh_error_t *err)
{
	for (;;) {
		toml_skip_blanks(c);
		if (toml_skip_comment(c, err) < 0)
			return -1;
		bool found;
		if (toml_newline(c, &found, err) < 0)
			return -1;
		if (!found)
			return 0;
	}
}

static void toml_put_utf8(struct strbuf *sb, unsigned long cp)
{
	if (cp < 0x80) {
		strbuf_putc(sb, (char)cp);
	} else if (cp < 0x800) {
		strbuf_putc(sb, (char)(0xc0 | (cp >> 6)));
		strbuf_putc(sb, (char)(0x80 | (cp & 0x3f)));
	} else if (cp < 0x10000) {
		strbuf_putc(sb, (char)(0xe0 | (cp >> 12)));
		strbuf_putc(sb, (char)(0x80 | ((cp >> 6) & 0x3f)));
		strbuf_putc(sb, (char)(0x80 | (cp & 0x3f)));
	} else {
		strbuf_putc(sb, (char)(0xf0 | (cp >> 18)));
		strbuf_putc(sb, (char)(0x80 | ((cp >> 12) & 0x3f)));
		strbuf_putc(sb, (char)(0x80 | ((cp >> 6) & 0x3f)));
		strbuf_putc(sb, (char)(0x80 | (cp & 0x3f)));
	}
}

/* One escape of a basic string, after its backslash: \b \t \n \f \r \" \\
 * \uXXXX \UXXXXXXXX, a Unicode scalar value (TOML 1.0, "String"). */
static int toml_escape(struct toml_cursor *c, struct strbuf *sb, oh_error_t *err)
{
	static const struct {
		char name, value;
	} simple[] = {{'b', '\b'}, {'t', '\t'}, {'n', '\n'}, {'f', '\f'},
		      {'r', '\r'}, {'"', '"'},	{'\\', '\\'}};
	char name = toml_peek(c, 0);
	for (size_t i = 0; i < ARRAY_SIZE(simple); i++) {
		if (simple[i].name == name) {
			strbuf_putc(sb, simple[i].value);
			c->pos++;
			return 0;
		}
	}
	size_t digits = name == 'u' ? 4 : name == 'U' ? 8 : 0;
	if (!digits)
		return toml_fail(c, err, "an unknown escape in a string");
	unsigned long cp = 0;
	for (size_t i = 1; i <= digits; i++) {
		char h = toml_peek(c, i);
		int v = h >= '0' && h <= '9'   ? h - '0'
			: h >= 'a' && h <= 'f' ? h - 'a' + 10
			: h >= 'A' && h <= 'F' ? h - 'A' + 10
					       : -1;
		if (v < 0)
			return toml_fail(c, err, "a \\u or \\U escape without its hex digits");
		cp = cp * 16 + (unsigned long)v;
	}
	if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return toml_fail(c, err, "an escape that is not a Unicode scalar value");
	toml_put_utf8(sb, cp);
	c->pos += digits + 1;
	return 0;
}

/* A one-line basic ("...") or literal ('...') string, at its opening quote;
 * `out` (may be NULL) receives it decoded. */
static int toml_simple_string(struct toml_cursor *c, char **out, oh_error_t *err)
{
	char quote = toml_peek(c, 0);
	cleanup_strbuf struct strbuf sb = {0};
	strbuf_puts(&sb, "");
	c->pos++;
	for (;;) {
		if (toml_at_end(c) || c->text[c->pos] == '\n' || c->text[c->pos] == '\r')
			return toml_fail(c, err, "an unterminated string");
		char ch = c->text[c->pos];
		if (ch == quote) {
			c->pos++;
			break;
		}
		if (toml_is_control((unsigned char)ch))
			return toml_fail(c, err, "a control character in a string");
		if (ch == '\\' && quote == '"') {
			c->pos++;
			if (toml_escape(c, &sb, err) < 0)
				return -1;
			continue;
		}
		strbuf_putc(&sb, ch);
		c->pos++;
	}
	if (out)
		*out = strbuf_steal(&sb);
	return 0;
}

/* A multi-line string ("""...""" or '''...'''), at its opening quotes. Its
 * text is not needed, only where it ends: up to two quotes may stand
 * before the closing three. */
static int toml_multiline_string(struct toml_cursor *c, oh_error_t *err)
{
	char quote = toml_peek(c, 0);
	unsigned opened = c->line;
	c->pos += 3;
	for (;;) {
		if (toml_at_end(c)) {
			c->line = opened;
			return toml_fail(c, err, "an unterminated multi-line string");
		}
		char ch = c->text[c->pos];
		if (ch == quote && toml_peek(c, 1) == quote && toml_peek(c, 2) == quote) {
			c->pos += 3;
			for (int extra = 0; extra < 2 && toml_peek(c, 0) == quote; extra++)
				c->pos++;
			return 0;
		}
		bool found;
		if (toml_newline(c, &found, err) < 0)
			return -1;
		if (found)
			continue;
		if (toml_is_control((unsigned char)ch))
			return toml_fail(c, err, "a control character in a string");
		if (ch == '\\' && quote == '"') {
			c->pos++;
			/* A backslash at the end of a line trims the break and the
			 * blanks after it. */
			size_t save = c->pos;
			toml_skip_blanks(c);
			if (toml_newline(c, &found, err) < 0)
				return -1;
			if (found)
				continue;
			c->pos = save;
			struct strbuf scratch = {0};
			int r = toml_escape(c, &scratch, err);
			strbuf_free(&scratch);
			if (r < 0)
				return -1;
			continue;
		}
		c->pos++;
	}
}

static bool toml_is_bare_key_char(char ch)
{
	return (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') ||
	       ch == '_' || ch == '-';
}

/* A key: simple keys joined by dots, blanks allowed around the dots. */
static int toml_key(struct toml_cursor *c, struct string_list *parts, oh_error_t *err)
{
	for (;;) {
		char ch = toml_peek(c, 0);
		if (ch == '"' || ch == '\'') {
			if (toml_peek(c, 1) == ch && toml_peek(c, 2) == ch)
				return toml_fail(c, err, "a multi-line string cannot be a key");
			cleanup_free char *part = NULL;
			if (toml_simple_string(c, &part, err) < 0)
				return -1;
			string_list_add(parts, part);
		} else if (toml_is_bare_key_char(ch)) {
			size_t start = c->pos;
			while (toml_is_bare_key_char(toml_peek(c, 0)))
				c->pos++;
			cleanup_free char *part = xstrndup(c->text + start, c->pos - start);
			string_list_add(parts, part);
		} else {
			return toml_fail(c, err, "expected a key");
		}
		size_t save = c->pos;
		toml_skip_blanks(c);
		if (toml_peek(c, 0) != '.') {
			c->pos = save;
			return 0;
		}
		c->pos++;
		toml_skip_blanks(c);
	}
}

/* A value that is not a string, an array or an inline table: a boolean, a
 * number, a date or a time. Its extent is checked, not its every digit:
 * containerd's reader judges the number, this one only where the value
 * ends. A local date-time may have a blank between date and time. */
static int toml_bare_value(struct toml_cursor *c, struct toml_entry *entry, oh_error_t *err)
{
	size_t start = c->pos;
	for (;;) {
		char ch = toml_peek(c, 0);
		bool date_blank = ch == ' ' && c->pos - start == 10 && c->text[start + 4] == '-' &&
				  toml_peek(c, 1) >= '0' && toml_peek(c, 1) <= '9';
		if (!(toml_is_bare_key_char(ch) || ch == '+' || ch == '.' || ch == ':' ||
		      date_blank))
			break;
		c->pos++;
	}
	size_t n = c->pos - start;
	const char *v = c->text + start;
	if (n == 0)
		return toml_fail(c, err, "expected a value");
	if ((n == 4 && memcmp(v, "true", 4) == 0) || (n == 5 && memcmp(v, "false", 5) == 0)) {
		if (entry) {
			entry->value_kind = TOML_VALUE_BOOL;
			entry->boolean = n == 4;
		}
		return 0;
	}
	static const char *const specials[] = {"inf", "+inf", "-inf", "nan", "+nan", "-nan"};
	for (size_t i = 0; i < ARRAY_SIZE(specials); i++)
		if (strlen(specials[i]) == n && memcmp(v, specials[i], n) == 0)
			return 0;
	size_t sign = (v[0] == '+' || v[0] == '-') ? 1 : 0;
	if (n <= sign || v[sign] < '0' || v[sign] > '9')
		return toml_fail(c, err,
				 "expected a value (a string, number, boolean, date, "
				 "array or inline table)");
	if (entry) {
		/* A plain decimal integer is all containerd's "version" is. */
		bool decimal = true;
		long long value = 0;
		for (size_t i = sign; i < n && decimal; i++) {
			if (v[i] < '0' || v[i] > '9' || value > (LLONG_MAX - 9) / 10)
				decimal = false;
			else
				value = value * 10 + (v[i] - '0');
		}
		if (decimal) {
			entry->value_kind = TOML_VALUE_INTEGER;
			entry->integer = v[0] == '-' ? -value : value;
		}
	}
	return 0;
}

static int toml_value(struct toml_cursor *c, struct toml_entry *entry, unsigned depth,
		      oh_error_t *err);

static int toml_array(struct toml_cursor *c, struct toml_entry *entry, unsigned depth,
		      oh_error_t *err)
{
	if (entry) {
		entry->value_kind = TOML_VALUE_ARRAY;
		entry->strings_only = true;
	}
	unsigned opened = c->line;
	c->pos++;
	for (;;) {
		if (toml_skip_blanks_and_lines(c, err) < 0)
			return -1;
		if (toml_peek(c, 0) == ']') {
			c->pos++;
			return 0;
		}
		if (toml_at_end(c)) {
			c->line = opened;
			return toml_fail(c, err, "an unterminated array");
		}
		char ch = toml_peek(c, 0);
		if (entry && (ch == '"' || ch == '\'') &&
		    !(toml_peek(c, 1) == ch && toml_peek(c, 2) == ch)) {
			cleanup_free char *s = NULL;
			if (toml_simple_string(c, &s, err) < 0)
				return -1;
			string_list_add(&entry->strings, s);
		} else {
			if (entry)
				entry->strings_only = false;
			if (toml_value(c, NULL, depth + 1, err) < 0)
				return -1;
		}
		if (toml_skip_blanks_and_lines(c, err) < 0)
			return -1;
		if (toml_peek(c, 0) == ',') {
			c->pos++;
			continue;
		}
		if (toml_at_end(c)) {
			c->line = opened;
			return toml_fail(c, err, "an unterminated array");
		}
		if (toml_peek(c, 0) != ']')
			return toml_fail(c, err, "expected ',' or ']' in an array");
	}
}

/* An inline table: on one line, no trailing comma (TOML 1.0). Its keys are
 * checked for duplicates among themselves. */
static int toml_inline_table(struct toml_cursor *c, unsigned depth, oh_error_t *err)
{
	c->pos++;
	toml_skip_blanks(c);
	if (toml_peek(c, 0) == '}') {
		c->pos++;
		return 0;
	}
	struct string_list seen = {0};
	int r = 0;
	for (;;) {
		struct string_list key = {0};
		if (toml_key(c, &key, err) < 0) {
			r = -1;
			break;
		}
		cleanup_free char *joined = toml_path_to_string(&key);
		string_list_clear(&key);
		if (string_list_contains(&seen, joined)) {
			r = toml_fail(c, err, "a key defined twice in an inline table");
			break;
		}
		string_list_add(&seen, joined);
		toml_skip_blanks(c);
		if (toml_peek(c, 0) != '=') {
			r = toml_fail(c, err, "expected '=' after a key");
			break;
		}
		c->pos++;
		toml_skip_blanks(c);
		if (toml_value(c, NULL, depth + 1, err) < 0) {
			r = -1;
			break;
		}
		toml_skip_blanks(c);
		if (toml_peek(c, 0) == ',') {
			c->pos++;
			toml_skip_blanks(c);
			continue;
		}
		if (toml_peek(c, 0) == '}') {
			c->pos++;
			break;
		}
		r = toml_fail(c, err, "expected ',' or '}' in an inline table");
		break;
	}
	string_list_clear(&seen);
	return r;
}

/* A value; `entry` (NULL inside arrays and inline tables) learns its kind
 * and, for the kinds the installer reads, its content. */
static int toml_value(struct toml_cursor *c, struct toml_entry *entry, unsigned depth,
		      oh_error_t *err)
{
	if (depth > TOML_MAX_DEPTH)
		return toml_fail(c, err, "arrays or inline tables nested too deeply");
	char ch = toml_peek(c, 0);
	if (ch == '"' || ch == '\'') {
		if (toml_peek(c, 1) == ch && toml_peek(c, 2) == ch) {
			if (entry)
				entry->value_kind = TOML_VALUE_OTHER;
			return toml_multiline_string(c, err);
		}
		if (!entry)
			return toml_simple_string(c, NULL, err);
		entry->value_kind = TOML_VALUE_STRING;
		return toml_simple_string(c, &entry->string, err);
	}
	if (ch == '[')
		return toml_array(c, entry, depth, err);
	if (ch == '{') {
		if (entry)
			entry->value_kind = TOML_VALUE_INLINE_TABLE;
		return toml_inline_table(c, depth, err);
	}
	if (entry)
		entry->value_kind = TOML_VALUE_OTHER;
	return toml_bare_value(c, entry, err);
}

static struct toml_entry *toml_doc_add(struct toml_doc *doc, enum toml_entry_kind kind,
				       unsigned line)
{
	doc->entries = xgrow(doc->entries, &doc->cap, doc->len + 1, sizeof(*doc->entries));
	struct toml_entry *e = &doc->entries[doc->len++];
	*e = (struct toml_entry){.kind = kind, .line = line};
	return e;
}

static bool toml_path_equal(const struct string_list *a, const struct string_list *b)
{
	if (a->len != b->len)
		return false;
	for (size_t i = 0; i < a->len; i++)
		if (strcmp(a->items[i], b->items[i]) != 0)
			return false;
	return true;
}

/* Whether `prefix` is a strict prefix of `path`. */
static bool toml_path_strictly_under(const struct string_list *path,
				     const struct string_list *prefix)
{
	return prefix->len < path->len &&
	       toml_path_has_prefix(path, (const char *const *)prefix->items, prefix->len);
}

/* What TOML forbids across entries (TOML 1.0, "Keys" and "Table"): a key
 * or table defined twice, a value that is extended as a table, a table
 * that dotted keys already defined, defined again by a header. */
static int toml_check_definitions(const struct toml_doc *doc, const char *display, oh_error_t *err)
{
	for (size_t i = 0; i < doc->len; i++) {
		const struct toml_entry *a = &doc->entries[i];
		for (size_t j = 0; j < doc->len; j++) {
			const struct toml_entry *b = &doc->entries[j];
			if (i == j)
				continue;
			cleanup_free char *name = NULL;
			if (j > i && toml_path_equal(&a->path, &b->path)) {
				name = toml_path_to_string(&b->path);
				return oh_error_make(err, 0, "%s:%u: %s is defined twice (line %u)",
						     display, b->line, name, a->line);
			}
			if (a->kind == TOML_ENTRY_KEYVAL &&
			    toml_path_strictly_under(&b->path, &a->path)) {
				name = toml_path_to_string(&a->path);
				return oh_error_make(err, 0,
						     "%s:%u: %s is a value (line %u) and cannot "
						     "hold more keys",
						     display, b->line, name, a->line);
			}
			/* `a.b.c = 1` defines the tables a and a.b; a header [a] or
			 * [a.b] may not define them again. */
			if (a->kind == TOML_ENTRY_KEYVAL && b->kind == TOML_ENTRY_TABLE &&
			    a->key_parts > 1 && toml_path_strictly_under(&a->path, &b->path) &&
			    b->path.len > a->path.len - a->key_parts) {
				name = toml_path_to_string(&b->path);
				return oh_error_make(
				    err, 0,
				    "%s:%u: the table %s was already defined by the "
				    "dotted key on line %u",
				    display, b->line, name, a->line);
			}
		}
	}
	return 0;
}

void toml_doc_clear(struct toml_doc *doc)
{
	for (size_t i = 0; i < doc->len; i++) {
		string_list_clear(&doc->entries[i].path);
		string_list_clear(&doc->entries[i].strings);
		xfree(doc->entries[i].string);
	}
	xfree(doc->entries);
	*doc = (struct toml_doc){0};
}

int toml_scan(const char *text, size_t len, const char *display, struct toml_doc *doc,
	      oh_error_t *err)
{
	*doc = (struct toml_doc){.newline = "\n"};
	const char *first_break = memchr(text, '\n', len);
	if (first_break && first_break > text && first_break[-1] == '\r')
		doc->newline = "\r\n";
	if (memchr(text, '\0', len))
		return oh_error_make(err, 0, "%s: a NUL byte: not a text file", display);

	struct toml_cursor c = {.text = text, .len = len, .line = 1, .display = display};
	struct string_list table = {0};
	int r = 0;
	while (!toml_at_end(&c) && r == 0) {
		toml_skip_blanks(&c);
		char ch = toml_peek(&c, 0);
		if (ch == '#' || ch == '\n' || ch == '\r' || ch == '\0') {
			r = toml_end_of_line(&c, err);
			continue;
		}
		if (ch == '[') {
			if (toml_peek(&c, 1) == '[') {
				r = toml_fail(&c, err,
					      "an array of tables ([[...]]): containerd's "
					      "configuration has none");
				break;
			}
			struct toml_entry *e = toml_doc_add(doc, TOML_ENTRY_TABLE, c.line);
			c.pos++;
			toml_skip_blanks(&c);
			if (toml_key(&c, &e->path, err) < 0) {
				r = -1;
				break;
			}
			toml_skip_blanks(&c);
			if (toml_peek(&c, 0) != ']') {
				r = toml_fail(&c, err, "expected ']' to close the table header");
				break;
			}
			c.pos++;
			string_list_clear(&table);
			for (size_t i = 0; i < e->path.len; i++)
				string_list_add(&table, e->path.items[i]);
			r = toml_end_of_line(&c, err);
			continue;
		}
		struct toml_entry *e = toml_doc_add(doc, TOML_ENTRY_KEYVAL, c.line);
		for (size_t i = 0; i < table.len; i++)
			string_list_add(&e->path, table.items[i]);
		if (toml_key(&c, &e->path, err) < 0) {
			r = -1;
			break;
		}
		e->key_parts = e->path.len - table.len;
		toml_skip_blanks(&c);
		if (toml_peek(&c, 0) != '=') {
			r = toml_fail(&c, err, "expected '=' after the key");
			break;
		}
		c.pos++;
		toml_skip_blanks(&c);
		if (toml_value(&c, e, 0, err) < 0) {
			r = -1;
			break;
		}
		r = toml_end_of_line(&c, err);
	}
	string_list_clear(&table);
	if (r == 0)
		r = toml_check_definitions(doc, display, err);
	if (r < 0)
		toml_doc_clear(doc);
	return r;
}

bool toml_path_has_prefix(const struct string_list *path, const char *const *prefix,
			  size_t prefix_len)
{
	if (path->len < prefix_len)
		return false;
	for (size_t i = 0; i < prefix_len; i++)
		if (strcmp(path->items[i], prefix[i]) != 0)
			return false;
	return true;
}

const struct toml_entry *toml_doc_keyval(const struct toml_doc *doc, const char *const *path,
					 size_t path_len)
{
	for (size_t i = 0; i < doc->len; i++) {
		const struct toml_entry *e = &doc->entries[i];
		if (e->kind == TOML_ENTRY_KEYVAL && e->path.len == path_len &&
		    toml_path_has_prefix(&e->path, path, path_len))
			return e;
	}
	return NULL;
}

char *toml_path_to_string(const struct string_list *path)
{
	struct strbuf sb = {0};
	strbuf_puts(&sb, "");
	for (size_t i = 0; i < path->len; i++) {
		const char *part = path->items[i];
		if (i)
			strbuf_putc(&sb, '.');
		bool bare = *part != '\0';
		for (const char *p = part; *p && bare; p++)
			bare = toml_is_bare_key_char(*p);
		if (bare) {
			strbuf_puts(&sb, part);
			continue;
		}
		strbuf_putc(&sb, '"');
		for (const unsigned char *p = (const unsigned char *)part; *p; p++) {
			if (*p == '"' || *p == '\\')
				strbuf_appendf(&sb, "\\%c", *p);
			else if (*p < 0x20 || *p == 0x7f)
				strbuf_appendf(&sb, "\\u%04x", *p);
			else
				strbuf_putc(&sb, (char)*p);
		}
		strbuf_putc(&sb, '"');
	}
	return strbuf_steal(&sb);
}
