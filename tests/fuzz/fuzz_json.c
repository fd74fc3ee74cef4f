/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer target: the JSON tree and parser (src/json.c, src/json_parse.c).
 *
 * Every input is parsed in each of the modes oci-harden uses: as runc will
 * read a config (JSON_PARSE_GO_STRICT) and as a policy file
 * (JSON_PARSE_COMMENTS), plus the plain mode. Beyond "no crash, no leak, no
 * undefined behaviour", it checks what json.h promises:
 *
 *   - the modes nest: GO_STRICT only refuses more than the plain mode, and
 *     COMMENTS only accepts more, and where two accept they build equal trees;
 *   - what is written compactly parses back (in the same mode) into an equal
 *     tree and is written again byte for byte the same: oci-harden writes a
 *     hardened config this way and runc (and oci-harden, on the next create)
 *     reads it back;
 *   - the pretty form parses back into the same tree too (`diff` shows it);
 *   - a clone is equal to its original;
 *   - every node's offset is its first character in the text, and a
 *     refusal's offset is in the text or at its end;
 *   - json_parse's two readers agree: what the fast one takes, yajl's path
 *     takes too and builds into the same tree, offsets included.
 * A broken promise aborts, which libFuzzer reports as a crash. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/json_node.h"
#include "json.h"

static void fuzz_fail(const char *what, const uint8_t *data, size_t size)
{
	fprintf(stderr, "fuzz_json: invariant broken: %s (input of %zu bytes)\n", what, size);
	(void)data;
	abort();
}

static struct json *parse(const char *text, size_t len, unsigned flags)
{
	oh_error_t err = NULL;
	struct json *v = json_parse(text, len, flags, &err);
	if (!v) {
		/* Every failure must say why. */
		if (!err || !err->msg || !*err->msg)
			abort();
		oh_error_free(&err);
	} else if (err) {
		abort(); /* success with an error set */
	}
	return v;
}

/* Write `v` compactly, read it back in `flags`, and write again: the second
 * text must be the first. */
static void check_round_trip(const struct json *v, unsigned flags, const uint8_t *data, size_t size)
{
	struct strbuf first = {0};
	json_write(v, false, &first);
	struct json *again = parse(first.buf, first.len, flags);
	if (!again)
		fuzz_fail("compact output does not parse back", data, size);
	if (!json_equal(v, again))
		fuzz_fail("compact output parses back into a different tree", data, size);
	struct strbuf second = {0};
	json_write(again, false, &second);
	if (second.len != first.len || memcmp(second.buf, first.buf, first.len) != 0)
		fuzz_fail("compact output is not a fixed point", data, size);
	json_free(again);
	strbuf_free(&second);

	char *pretty = json_to_string(v, true);
	struct json *from_pretty = parse(pretty, strlen(pretty), flags);
	if (!from_pretty || !json_equal(v, from_pretty))
		fuzz_fail("pretty output does not parse back into the same tree", data, size);
	json_free(from_pretty);
	free(pretty);

	struct json *clone = json_clone(v);
	if (!json_equal(v, clone))
		fuzz_fail("a clone differs from its original", data, size);
	json_free(clone);
	strbuf_free(&first);
}

/* Every node's offset is its first character in the text: a string's
 * quote, a container's bracket, a key's quote. */
static void check_offsets(const struct json *v, const char *text, size_t size, const uint8_t *data)
{
	if (v->offset >= size)
		fuzz_fail("an offset past the text", data, size);
	char c = text[v->offset];
	bool fits = false;
	switch (v->type) {
	case JSON_NULL:
		fits = c == 'n';
		break;
	case JSON_BOOL:
		fits = c == (v->boolean ? 't' : 'f');
		break;
	case JSON_NUMBER:
		fits = c == v->number[0];
		break;
	case JSON_STRING:
		fits = c == '"';
		break;
	case JSON_ARRAY:
		fits = c == '[';
		for (size_t i = 0; i < v->array.len; i++)
			check_offsets(v->array.items[i], text, size, data);
		break;
	case JSON_OBJECT:
		fits = c == '{';
		for (size_t i = 0; i < v->object.len; i++) {
			const struct json_member *m = &v->object.members[i];
			if (m->offset >= size || text[m->offset] != '"')
				fuzz_fail("a key's offset is not its opening quote", data, size);
			check_offsets(m->value, text, size, data);
		}
		break;
	}
	if (!fits)
		fuzz_fail("an offset is not the value's first character", data, size);
}

/* Two trees alike in everything, offsets included. */
static bool same_tree(const struct json *a, const struct json *b)
{
	if (!json_equal(a, b) || a->offset != b->offset)
		return false;
	if (a->type == JSON_ARRAY)
		for (size_t i = 0; i < a->array.len; i++)
			if (!same_tree(a->array.items[i], b->array.items[i]))
				return false;
	if (a->type == JSON_OBJECT)
		for (size_t i = 0; i < a->object.len; i++)
			if (a->object.members[i].offset != b->object.members[i].offset ||
			    !same_tree(a->object.members[i].value, b->object.members[i].value))
				return false;
	return true;
}

static void check_readers_agree(const char *text, size_t size, unsigned flags, const uint8_t *data)
{
	struct json *fast = json_parse_fast(text, size, flags);
	if (!fast)
		return;
	oh_error_t err = NULL;
	struct json *checked = json_parse_checked(text, size, flags, &err);
	if (!checked)
		fuzz_fail("the fast reader takes what the yajl path refuses", data, size);
	if (!same_tree(fast, checked))
		fuzz_fail("the fast reader and the yajl path build different trees", data, size);
	json_free(fast);
	json_free(checked);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data;
	struct json *strict = parse(text, size, JSON_PARSE_GO_STRICT);
	struct json *plain = parse(text, size, 0);
	struct json *comments = parse(text, size, JSON_PARSE_COMMENTS);

	if (strict && !plain)
		fuzz_fail("GO_STRICT accepts what the plain mode refuses", data, size);
	if (plain && !comments)
		fuzz_fail("COMMENTS refuses what the plain mode accepts", data, size);
	if (strict && plain && !json_equal(strict, plain))
		fuzz_fail("GO_STRICT and plain build different trees", data, size);
	if (plain && comments && !json_equal(plain, comments))
		fuzz_fail("plain and COMMENTS build different trees", data, size);

	check_readers_agree(text, size, JSON_PARSE_GO_STRICT, data);
	check_readers_agree(text, size, 0, data);
	check_readers_agree(text, size, JSON_PARSE_COMMENTS, data);

	if (comments)
		check_offsets(comments, text, size, data);
	if (strict)
		check_round_trip(strict, JSON_PARSE_GO_STRICT, data, size);
	if (plain)
		check_round_trip(plain, 0, data, size);
	else if (comments)
		check_round_trip(comments, JSON_PARSE_COMMENTS, data, size);

	/* A refusal is somewhere in the text (or at its end). */
	if (!comments) {
		oh_error_t err = NULL;
		size_t at = SIZE_MAX;
		struct json *again = json_parse_at(text, size, JSON_PARSE_COMMENTS, &at, &err);
		if (again || !err || at > size)
			fuzz_fail("a refusal's offset is not in the text", data, size);
		oh_error_free(&err);
	}

	/* The error path turns offsets into line and column for every mode. */
	unsigned line, col;
	json_offset_to_line_col(text, size, size, &line, &col);
	if (line < 1 || col < 1)
		fuzz_fail("line and column are 1-based", data, size);

	json_free(strict);
	json_free(plain);
	json_free(comments);
	return 0;
}
