/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests of src/json.c: round trips, numbers, strings, the Go-strict
 * checks that keep runc's reading of config.json equal to ours, the limits,
 * error locations, and the tree operations. */
#include <criterion/criterion.h>

#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "json.h"

#define STRICT JSON_PARSE_GO_STRICT

/* Parse text that must parse; the error, if any, is the failure message. */
static struct json *parse_ok(const char *text, unsigned flags)
{
	cleanup_error oh_error_t err = NULL;
	struct json *value = json_parse(text, strlen(text), flags, &err);
	cr_assert_not_null(value, "parsing %s failed: %s", text, err ? err->msg : "(no error)");
	cr_assert_null(err);
	return value;
}

/* Parse len bytes that must be refused; returns the message. */
static char *parse_fail_len(const char *text, size_t len, unsigned flags)
{
	cleanup_error oh_error_t err = NULL;
	struct json *value = json_parse(text, len, flags, &err);
	if (value) {
		cleanup_free char *out = json_to_string(value, false);
		json_free(value);
		cr_assert_fail("parsing %.*s succeeded: %s", (int)len, text, out);
	}
	cr_assert_not_null(err, "refused without an error");
	return xstrdup(err->msg);
}

static char *parse_fail(const char *text, unsigned flags)
{
	return parse_fail_len(text, strlen(text), flags);
}

static void assert_refused_with(const char *text, unsigned flags, const char *message)
{
	cleanup_free char *msg = parse_fail(text, flags);
	cr_assert(strcmp(msg, message) == 0, "for %s:\n got: %s\nwant: %s", text, msg, message);
}

static void assert_round_trip(const char *text, unsigned flags)
{
	cleanup_json struct json *value = parse_ok(text, flags);
	cleanup_free char *out = json_to_string(value, false);
	cr_assert_str_eq(out, text);
}

/* ------------------------------------------------------------------------ */
/* Round trips                                                               */

Test(json, round_trip_compact_is_byte_identical)
{
	/* Key order that is not sorted, fields no spec knows, every type, a
	 * minimal escape of each kind, raw UTF-8 and '/' unescaped. */
	const char *text =
	    "{\"ociVersion\":\"1.0.2\",\"zzz-unknown\":{\"b\":[1,-2.5e-3,true,false,null],"
	    "\"a\":{}},\"process\":{\"terminal\":false,\"user\":{\"uid\":0,\"gid\":0},"
	    "\"args\":[\"sh\",\"-c\",\"echo \\\"hi\\\" \\\\ \\n\\t\\r\\b\\f\\u0001 "
	    "caf\xc3\xa9 /x\"],\"x-vendor\":[[],{}]},\"annotations\":{\"io.k8s/Z\":\"\","
	    "\"io.k8s/a\":\"\\u001f\"},\"linux\":{\"resources\":{\"memory\":{\"limit\":"
	    "18446744073709551615}}}}";
	assert_round_trip(text, STRICT);
	assert_round_trip(text, 0);
}

Test(json, round_trip_scalars_at_top_level)
{
	assert_round_trip("0", 0);
	assert_round_trip("-1e400", 0);
	assert_round_trip("\"s\"", 0);
	assert_round_trip("true", 0);
	assert_round_trip("null", 0);
	assert_round_trip("[]", 0);
	assert_round_trip("{}", 0);
}

Test(json, whitespace_is_not_kept)
{
	cleanup_json struct json *value = parse_ok(" {\n\t\"a\" : [ 1 , 2 ] }\r\n", 0);
	cleanup_free char *out = json_to_string(value, false);
	cr_assert_str_eq(out, "{\"a\":[1,2]}");
}

/* ------------------------------------------------------------------------ */
/* Numbers                                                                   */

Test(json, numbers_keep_their_exact_text)
{
	static const char *const numbers[] = {
	    "18446744073709551615",
	    "-9223372036854775808",
	    "1e400",
	    "-1e400",
	    "1.0e+2",
	    "0.1",
	    "-0",
	    "1E-7",
	    "123456789012345678901234567890.000000000000000000001",
	};
	for (size_t i = 0; i < ARRAY_SIZE(numbers); i++) {
		cleanup_free char *text = xasprintf("[%s]", numbers[i]);
		cleanup_json struct json *value = parse_ok(text, 0);
		cr_assert_eq(value->array.items[0]->type, JSON_NUMBER);
		cr_assert_str_eq(value->array.items[0]->number, numbers[i]);
		cleanup_free char *out = json_to_string(value, false);
		cr_assert_str_eq(out, text);
	}
}

static void assert_int64(const char *text, bool ok, int64_t expected)
{
	cleanup_json struct json *number = json_new_number_text(text);
	int64_t out = 12345;
	cr_assert_eq(json_number_int64(number, &out), ok, "int64 of %s", text);
	if (ok)
		cr_assert_eq(out, expected, "int64 of %s: %" PRId64, text, out);
	else
		cr_assert_eq(out, 12345, "int64 of %s wrote its output", text);
}

static void assert_uint64(const char *text, bool ok, uint64_t expected)
{
	cleanup_json struct json *number = json_new_number_text(text);
	uint64_t out = 12345;
	cr_assert_eq(json_number_uint64(number, &out), ok, "uint64 of %s", text);
	if (ok)
		cr_assert_eq(out, expected, "uint64 of %s: %" PRIu64, text, out);
}

Test(json, int64_edge_cases)
{
	assert_int64("0", true, 0);
	assert_int64("-0", true, 0);
	assert_int64("42", true, 42);
	assert_int64("-42", true, -42);
	assert_int64("9223372036854775807", true, INT64_MAX);
	assert_int64("9223372036854775808", false, 0);
	assert_int64("-9223372036854775808", true, INT64_MIN);
	assert_int64("-9223372036854775809", false, 0);
	assert_int64("18446744073709551616", false, 0);
	assert_int64("99999999999999999999999", false, 0);
	assert_int64("1.0", false, 0);
	assert_int64("1e2", false, 0);
	assert_int64("1E2", false, 0);
	assert_int64("0.5", false, 0);
}

Test(json, uint64_edge_cases)
{
	assert_uint64("0", true, 0);
	assert_uint64("18446744073709551615", true, UINT64_MAX);
	assert_uint64("18446744073709551616", false, 0);
	assert_uint64("184467440737095516150", false, 0);
	assert_uint64("-1", false, 0);
	assert_uint64("-0", false, 0);
	assert_uint64("1.0", false, 0);
	assert_uint64("1e3", false, 0);
}

Test(json, integer_accessors_refuse_other_types)
{
	cleanup_json struct json *string = json_new_string("1");
	int64_t i;
	uint64_t u;
	cr_assert_not(json_number_int64(string, &i));
	cr_assert_not(json_number_uint64(string, &u));
	cr_assert_not(json_number_int64(NULL, &i));
	cr_assert_not(json_number_uint64(NULL, &u));
}

Test(json, number_constructors)
{
	cleanup_json struct json *min = json_new_int(INT64_MIN);
	cleanup_json struct json *max = json_new_uint(UINT64_MAX);
	cleanup_json struct json *text = json_new_number_text("-1.5e+3");
	cr_assert_str_eq(min->number, "-9223372036854775808");
	cr_assert_str_eq(max->number, "18446744073709551615");
	cr_assert_str_eq(text->number, "-1.5e+3");
	int64_t back;
	cr_assert(json_number_int64(min, &back));
	cr_assert_eq(back, INT64_MIN);
	const int64_t ints[] = {0, 7, -7, 10, -10, 65534, INT64_MAX, INT64_MIN + 1};
	for (size_t i = 0; i < ARRAY_SIZE(ints); i++) {
		char want[32];
		snprintf(want, sizeof(want), "%" PRId64, ints[i]);
		cleanup_json struct json *n = json_new_int(ints[i]);
		cr_assert_str_eq(n->number, want);
	}
	const uint64_t uints[] = {0, 9, 10, 65534, UINT32_MAX, UINT64_MAX - 1};
	for (size_t i = 0; i < ARRAY_SIZE(uints); i++) {
		char want[32];
		snprintf(want, sizeof(want), "%" PRIu64, uints[i]);
		cleanup_json struct json *n = json_new_uint(uints[i]);
		cr_assert_str_eq(n->number, want);
	}
}

Test(json, new_number_text_refuses_invalid_text, .signal = SIGABRT)
{
	json_new_number_text("01");
}

Test(json, malformed_numbers_are_refused)
{
	static const char *const bad[] = {"[01]",  "[1.]", "[-]",	 "[.5]",  "[+1]",
					  "[NaN]", "[1e]", "[Infinity]", "[0x10]"};
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++)
		free(parse_fail(bad[i], 0));
}

/* ------------------------------------------------------------------------ */
/* Strings and UTF-8                                                         */

Test(json, unicode_escapes_decode)
{
	cleanup_json struct json *value =
	    parse_ok("{\"\\u0070rocess\":\"\\ud83d\\ude00 \\u00e9\\u20ac\\/\"}", STRICT);
	cr_assert_str_eq(value->object.members[0].key, "process");
	struct json *s = json_object_get(value, "process");
	cr_assert_not_null(s);
	cr_assert_str_eq(s->string.ptr, "\xf0\x9f\x98\x80 \xc3\xa9\xe2\x82\xac/");
	cr_assert_eq(s->string.len, 11);
	cleanup_free char *out = json_to_string(value, false);
	cr_assert_str_eq(out, "{\"process\":\"\xf0\x9f\x98\x80 \xc3\xa9\xe2\x82\xac/\"}");
}

Test(json, unpaired_surrogate_escapes_are_refused)
{
	/* yajl would decode these to '?' or to a made-up code point; Go to
	 * U+FFFD. */
	assert_refused_with("[\"\\ud800\"]", 0,
			    "line 1, column 2: unpaired UTF-16 surrogate in a \\u escape");
	assert_refused_with("[\"ab\\ud800x\"]", 0,
			    "line 1, column 2: unpaired UTF-16 surrogate in a \\u escape");
	assert_refused_with("[1, \"\\ud800\\u0041\"]", 0,
			    "line 1, column 5: unpaired UTF-16 surrogate in a \\u escape");
	assert_refused_with("{\"\\ud83d\\ud83d\":1}", 0,
			    "line 1, column 2: unpaired UTF-16 surrogate in a \\u escape");
	/* A low surrogate alone comes out of yajl as encoded-surrogate bytes. */
	free(parse_fail("[\"\\udc00\"]", 0));
	free(parse_fail("{\"\\ude00\":1}", 0));
}

Test(json, literal_question_marks_and_escaped_backslashes_are_fine)
{
	/* '?' and 4-byte UTF-8 send the parser to the raw text: make sure an
	 * escaped backslash before "ud800" is not read as an escape. */
	cleanup_json struct json *value =
	    parse_ok("[\"what?\",\"\\\\ud800?\",\"\\\"\\\\\\ud83d\\ude00?\"]", 0);
	cr_assert_str_eq(value->array.items[0]->string.ptr, "what?");
	cr_assert_str_eq(value->array.items[1]->string.ptr, "\\ud800?");
	cr_assert_str_eq(value->array.items[2]->string.ptr, "\"\\\xf0\x9f\x98\x80?");
}

Test(json, invalid_utf8_is_refused)
{
	static const struct {
		const char *text;
		size_t len;
	} bad[] = {
	    {"[\"\xff\"]", 5},
	    {"[\"a\xc3\"]", 6},
	    {"[\"\xc0\xb3\"]", 6},	   /* overlong 's' */
	    {"[\"\xe0\x80\xaf\"]", 7},	   /* overlong '/' */
	    {"[\"\xed\xa0\x80\"]", 7},	   /* encoded surrogate */
	    {"[\"\xf4\x90\x80\x80\"]", 8}, /* above U+10FFFF */
	    {"{\"\xc1\xb3\":1}", 8},	   /* overlong in a key */
	    {"[1,\xff]", 5},		   /* outside strings */
	};
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++)
		free(parse_fail_len(bad[i].text, bad[i].len, 0));
	assert_refused_with(
	    "[\"\xc0\xb3\"]", 0,
	    "line 1, column 2: invalid UTF-8 (or an escaped lone surrogate) in string");
}

Test(json, nul_in_values_is_kept_and_escaped)
{
	cleanup_json struct json *value = parse_ok("[\"a\\u0000b\"]", STRICT);
	struct json *s = value->array.items[0];
	cr_assert_eq(s->string.len, 3);
	cr_assert_eq(memcmp(s->string.ptr, "a\0b", 4), 0);
	cleanup_free char *out = json_to_string(value, false);
	cr_assert_str_eq(out, "[\"a\\u0000b\"]");
}

Test(json, nul_in_keys_is_refused_in_every_mode)
{
	assert_refused_with(
	    "{\"annotations\":{\"a\\u0000b\":\"x\"}}", 0,
	    "at annotations[\"a\\u0000b\"]: key contains a NUL character (\\u0000)");
	assert_refused_with("{\"\\u0000\":1}", STRICT,
			    "at [\"\\u0000\"]: key contains a NUL character (\\u0000)");
}

Test(json, writer_escapes_minimally)
{
	cleanup_json struct json *array = json_new_array();
	json_array_append(array, json_new_string("q\" b\\ nl\n tab\t cr\r bs\b ff\f us\x1f "
						 "del\x7f slash/ <&> \xe2\x80\xa8 caf\xc3\xa9"));
	cleanup_free char *out = json_to_string(array, false);
	cr_assert_str_eq(out, "[\"q\\\" b\\\\ nl\\n tab\\t cr\\r bs\\b ff\\f us\\u001f del\x7f "
			      "slash/ <&> \xe2\x80\xa8 caf\xc3\xa9\"]");
}

/* A string read with no escape is copied out as it is (json.h, plain); one
 * read with escapes is written escaped again where JSON requires it, and a
 * copy of either is written as the original is. */
Test(json, read_strings_are_written_back_escaped_only_where_needed)
{
	static const char text[] = "[\"plain /path caf\xc3\xa9\",\"q\\\" b\\\\ nl\\n\","
				   "\"\\u0041\\/x\",\"\",\"tab\\t and a longer tail past 16\"]";
	static const char want[] = "[\"plain /path caf\xc3\xa9\",\"q\\\" b\\\\ nl\\n\","
				   "\"A/x\",\"\",\"tab\\t and a longer tail past 16\"]";
	cleanup_json struct json *value = parse_ok(text, STRICT);
	cr_assert(value->array.items[0]->plain);
	cr_assert(!value->array.items[1]->plain);
	cleanup_free char *out = json_to_string(value, false);
	cr_assert_str_eq(out, want);
	cleanup_json struct json *copy = json_clone(value);
	cleanup_free char *copy_out = json_to_string(copy, false);
	cr_assert_str_eq(copy_out, want);
}

/* The writer's escaping of `s`, one byte at a time, as a reference. */
static void reference_quote(struct strbuf *out, const char *s)
{
	strbuf_putc(out, '"');
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == '"' || *p == '\\')
			strbuf_appendf(out, "\\%c", *p);
		else if (*p == '\n')
			strbuf_puts(out, "\\n");
		else if (*p < 0x20)
			strbuf_appendf(out, "\\u%04x", *p);
		else
			strbuf_putc(out, (char)*p);
	}
	strbuf_putc(out, '"');
}

/* Short strings and keys are looked at and copied a word at a time: every
 * length around the words' sizes, with a byte to escape at every place. */
Test(json, writer_escapes_short_strings_and_keys_at_every_place)
{
	static const char specials[] = {'"', '\\', '\n', '\x01', '\x1f', '\x7f', 'a'};
	for (size_t len = 0; len <= 20; len++) {
		for (size_t at = 0; at <= len; at++) {
			for (size_t k = 0; k < sizeof(specials); k++) {
				char text[24];
				for (size_t i = 0; i < len; i++)
					text[i] = (char)('b' + i);
				text[len] = '\0';
				if (at < len)
					text[at] = specials[k];
				cleanup_json struct json *object = json_new_object();
				json_object_set(object, text, json_new_string(text));
				json_object_set(object, "k", json_new_string(text));
				cleanup_free char *got = json_to_string(object, false);
				struct strbuf want = {0};
				strbuf_putc(&want, '{');
				reference_quote(&want, text);
				strbuf_putc(&want, ':');
				reference_quote(&want, text);
				strbuf_puts(&want, ",\"k\":");
				reference_quote(&want, text);
				strbuf_putc(&want, '}');
				cr_assert_str_eq(got, want.buf, "length %zu, byte %zu", len, at);
				strbuf_free(&want);
			}
		}
	}
}

/* ------------------------------------------------------------------------ */
/* Go-strict keys                                                            */

Test(json, duplicate_keys_are_refused_with_their_path)
{
	assert_refused_with(
	    "{\"process\":{},\"process\":{}}", STRICT,
	    "at process: duplicate key \"process\" (Go's encoding/json would merge or let the "
	    "last win)");
	assert_refused_with("{\"process\":{\"capabilities\":{\"bounding\":[],\"effective\":[],"
			    "\"bounding\":[\"CAP_SYS_ADMIN\"]}}}",
			    STRICT,
			    "at process.capabilities.bounding: duplicate key \"bounding\" (Go's "
			    "encoding/json would merge or let the last win)");
	assert_refused_with(
	    "{\"mounts\":[{},{\"type\":\"bind\",\"type\":\"proc\"}]}", STRICT,
	    "at mounts[1].type: duplicate key \"type\" (Go's encoding/json would merge or let "
	    "the last win)");
	/* Unknown fields too: stricter than Go, which ignores them. */
	assert_refused_with("{\"x\":1,\"y\":2,\"x\":3}", STRICT,
			    "at x: duplicate key \"x\" (Go's encoding/json would merge or let the "
			    "last win)");
}

Test(json, the_first_repeat_in_the_document_is_reported)
{
	assert_refused_with("{\"b\":1,\"a\":1,\"c\":1,\"a\":2,\"b\":2,\"b\":3}", STRICT,
			    "at a: duplicate key \"a\" (Go's encoding/json would merge or let the "
			    "last win)");
	/* More than 16 keys go through the sorted path, where "k2" sorts
	 * before "k9" but repeats later. */
	struct strbuf sb = {0};
	strbuf_putc(&sb, '{');
	for (int i = 0; i < 16; i++)
		strbuf_appendf(&sb, "\"k%d\":%d,", i, i);
	strbuf_puts(&sb, "\"k9\":0,\"k2\":0}");
	assert_refused_with(
	    sb.buf, STRICT,
	    "at k9: duplicate key \"k9\" (Go's encoding/json would merge or let the "
	    "last win)");
	strbuf_free(&sb);
}

Test(json, duplicates_are_kept_without_go_strict_and_the_last_wins)
{
	cleanup_json struct json *value = parse_ok("{\"a\":1,\"b\":2,\"a\":3}", 0);
	cr_assert_eq(value->object.len, 3);
	cr_assert_str_eq(json_object_get(value, "a")->number, "3");
	cleanup_free char *out = json_to_string(value, false);
	cr_assert_str_eq(out, "{\"a\":1,\"b\":2,\"a\":3}");
	/* set replaces the member get returns: the last. */
	json_object_set(value, "a", json_new_int(4));
	cleanup_free char *out2 = json_to_string(value, false);
	cr_assert_str_eq(out2, "{\"a\":1,\"b\":2,\"a\":4}");
	cr_assert(json_object_remove(value, "a"));
	cr_assert_null(json_object_get_raw(value, "a"));
	cr_assert_eq(value->object.len, 1);
}

/* Which keys Go matches to which field is the spec model's: the parser
 * takes a key for what it is, in every mode, and refuses only a repeat. */
Test(json, case_variants_are_distinct_keys_in_every_mode)
{
	static const char *const texts[] = {
	    "{\"Process\":{}}",		 "{\"proce\xc5\xbfs\":{}}",	  "{\"\\u017feccomp\":{}}",
	    "{\"hoo\xe2\x84\xaas\":{}}", "{\"process\":1,\"Process\":2}", "{\"a\":1,\"A\":2}",
	};
	for (size_t i = 0; i < ARRAY_SIZE(texts); i++) {
		json_free(parse_ok(texts[i], 0));
		json_free(parse_ok(texts[i], STRICT));
	}
	/* \u0070 is 'p': the key is exactly "process" once unescaped, and a
	 * repeat of it. */
	json_free(parse_ok("{\"\\u0070rocess\":{\"args\":[\"sh\"]}}", STRICT));
	assert_refused_with("{\"process\":1,\"\\u0070rocess\":2}", STRICT,
			    "at process: duplicate key \"process\" (Go's encoding/json would merge "
			    "or let the last win)");
}

Test(json, duplicates_among_many_keys_are_found_fast)
{
	/* 100,000 distinct keys, then a repeat of the first. */
	struct strbuf sb = {0};
	strbuf_putc(&sb, '{');
	for (int i = 0; i < 100000; i++)
		strbuf_appendf(&sb, "\"key%d\":%d,", i, i);
	struct strbuf distinct = {0};
	strbuf_append(&distinct, sb.buf, sb.len - 1);
	strbuf_putc(&distinct, '}');
	strbuf_puts(&sb, "\"key0\":0}");

	/* No time is asserted (speed is the benchmarks' business); a quadratic
	 * check would be 5 * 10^9 key comparisons and run into meson's
	 * timeout. */
	json_free(parse_ok(distinct.buf, STRICT));
	cleanup_free char *msg = parse_fail(sb.buf, STRICT);
	cr_assert_str_eq(msg, "at key0: duplicate key \"key0\" (Go's encoding/json would merge or "
			      "let the last win)");
	strbuf_free(&sb);
	strbuf_free(&distinct);
}

/* ------------------------------------------------------------------------ */
/* Refused documents and where the error is                                  */

Test(json, trailing_data_is_refused)
{
	assert_refused_with("{} x", 0,
			    "line 1, column 4: unexpected data after the top-level value");
	assert_refused_with("{}{}", 0,
			    "line 1, column 3: unexpected data after the top-level value");
	assert_refused_with("[1]\n  ]", 0,
			    "line 2, column 3: unexpected data after the top-level value");
	assert_refused_with("1 2", 0,
			    "line 1, column 3: unexpected data after the top-level value");
	assert_refused_with("{} \"x\"", 0,
			    "line 1, column 4: unexpected data after the top-level value");
	free(parse_fail_len("{}\0", 3, 0));
	json_free(parse_ok("{} \n\t\r\n", 0));
}

Test(json, empty_input_is_refused)
{
	assert_refused_with("", 0, "line 1, column 1: empty document");
	assert_refused_with(" \n ", 0, "line 2, column 2: empty document");
	cleanup_error oh_error_t err = NULL;
	cr_assert_null(json_parse(NULL, 0, 0, &err));
	cr_assert_not_null(err);
}

Test(json, syntax_errors_say_line_and_column)
{
	assert_refused_with("{\n  \"a\": tru\n}", 0,
			    "line 2, column 8: invalid literal (expected a string, a number, an "
			    "object, an array, true, false or null)");
	assert_refused_with("[1,\n2,\n]", 0, "line 3, column 1: expected a value, found ']'");
	assert_refused_with("{\"a\":1", 0, "line 1, column 7: unexpected end of input");
	assert_refused_with("{\"a\" 1}", 0,
			    "line 1, column 6: expected ':' after an object key, found a number");
	assert_refused_with(
	    "[true false]", 0,
	    "line 1, column 7: expected ',' or ']' after an array item, found false");
	assert_refused_with(
	    "[1 \"abc\"]", 0,
	    "line 1, column 4: expected ',' or ']' after an array item, found a string");
	assert_refused_with(
	    "{\"a\": 1\n \"b\": 2}", 0,
	    "line 2, column 2: expected ',' or '}' after an object member, found a string");
	/* Columns count characters, not bytes. */
	assert_refused_with("[\"\xc3\xa9\xc3\xa9\" x]", 0,
			    "line 1, column 7: unexpected character");
	assert_refused_with("[\"a\tb\"]", 0, "line 1, column 4: invalid character inside string");
	assert_refused_with("{\"a\":[1.]}", 0,
			    "line 1, column 7: malformed number, a digit is required after the "
			    "decimal point");
	assert_refused_with("[\"\xff\"]", 0, "line 1, column 3: invalid UTF-8 in string");
	assert_refused_with("[\"ab\\u12G4\"]", 0,
			    "line 1, column 9: invalid (non-hex) character after '\\u' in string");
	assert_refused_with("[\"ab\\x\"]", 0, "line 1, column 6: invalid escape '\\x' in string");
	assert_refused_with("[1, -]", 0,
			    "line 1, column 5: malformed number, a digit is required after the "
			    "minus sign");
	assert_refused_with("-", 0,
			    "line 1, column 1: malformed number, a digit is required after the "
			    "minus sign");
	assert_refused_with("[1, truee]", 0, "line 1, column 9: unexpected character");
	assert_refused_with("{1:2}", 0,
			    "line 1, column 2: expected an object key (a string), found a number");
	assert_refused_with("{\"a\":1,}", 0,
			    "line 1, column 8: expected an object key (a string), found '}'");
	assert_refused_with("[1e+]", 0,
			    "line 1, column 2: malformed number, a digit is required after the "
			    "exponent");
}

Test(json, offset_to_line_col)
{
	const char *text = "ab\ncd\xc3\xa9"
			   "f\n\ng";
	unsigned line, col;
	json_offset_to_line_col(text, strlen(text), 0, &line, &col);
	cr_assert(line == 1 && col == 1);
	json_offset_to_line_col(text, strlen(text), 2, &line, &col);
	cr_assert(line == 1 && col == 3);
	json_offset_to_line_col(text, strlen(text), 3, &line, &col);
	cr_assert(line == 2 && col == 1);
	json_offset_to_line_col(text, strlen(text), 7, &line, &col); /* the 'f' after é */
	cr_assert(line == 2 && col == 4, "%u:%u", line, col);
	json_offset_to_line_col(text, strlen(text), 9, &line, &col); /* the second '\n' */
	cr_assert(line == 3 && col == 1, "%u:%u", line, col);
	json_offset_to_line_col(text, strlen(text), 10, &line, &col);
	cr_assert(line == 4 && col == 1, "%u:%u", line, col);
	json_offset_to_line_col(text, strlen(text), 1000, &line, &col); /* clamped */
	cr_assert(line == 4 && col == 2, "%u:%u", line, col);
}

Test(json, comments_only_with_the_flag)
{
	const char *text = "/* policy */ {\"a\": 1, // one\n \"b\": [2 /* two */]}\n// end\n";
	assert_refused_with(text, 0, "line 1, column 1: comments are not allowed");
	assert_refused_with("{\"a\":1} // x", 0,
			    "line 1, column 9: unexpected data after the top-level value");
	assert_refused_with("[1, /* c */ 2]", 0, "line 1, column 5: comments are not allowed");
	cleanup_json struct json *value = parse_ok(text, JSON_PARSE_COMMENTS);
	cleanup_free char *out = json_to_string(value, false);
	cr_assert_str_eq(out, "{\"a\":1,\"b\":[2]}");
}

static char *nested(size_t depth, const char *open, const char *close)
{
	struct strbuf sb = {0};
	for (size_t i = 0; i < depth; i++)
		strbuf_puts(&sb, open);
	for (size_t i = 0; i < depth; i++)
		strbuf_puts(&sb, close);
	return strbuf_steal(&sb);
}

Test(json, depth_limit)
{
	cleanup_free char *arrays128 = nested(JSON_MAX_DEPTH, "[", "]");
	cleanup_free char *arrays129 = nested(JSON_MAX_DEPTH + 1, "[", "]");
	/* 127 objects {"a": ... } around an empty one: 128 levels. */
	cleanup_free char *outer = nested(JSON_MAX_DEPTH - 1, "{\"a\":", "}");
	size_t half = 5 * (JSON_MAX_DEPTH - 1);
	cleanup_free char *objects128 = xasprintf("%.*s{}%s", (int)half, outer, outer + half);
	cleanup_free char *objects129 = nested(JSON_MAX_DEPTH + 1, "{\"a\":", "}");

	cleanup_json struct json *a = parse_ok(arrays128, 0);
	cleanup_free char *out = json_to_string(a, false);
	cr_assert_str_eq(out, arrays128);
	cleanup_json struct json *o = parse_ok(objects128, STRICT);
	cleanup_free char *out2 = json_to_string(o, false);
	cr_assert_str_eq(out2, objects128);

	assert_refused_with(arrays129, 0,
			    "line 1, column 129: nesting deeper than 128 levels is refused");
	/* The 129th '{' is at byte 5 * 128. */
	assert_refused_with(objects129, STRICT,
			    "line 1, column 641: nesting deeper than 128 levels is refused");
}

Test(json, deep_nesting_is_refused)
{
	cleanup_free char *arrays = nested(100000, "[", "]");
	cleanup_free char *objects = nested(100000, "{\"a\":", "}");
	cleanup_free char *unclosed = nested(100000, "[", "");
	free(parse_fail(arrays, 0));
	free(parse_fail(objects, STRICT));
	free(parse_fail(unclosed, 0));
}

/* ------------------------------------------------------------------------ */
/* Offsets                                                                   */

Test(json, offsets_point_into_the_source)
{
	const char *text = "{\n  \"a\": [1, \"x\"],\n  \"b\\\"c\": {}\n}";
	cleanup_json struct json *value = parse_ok(text, 0);
	/* Members: the opening quote of the key. */
	cr_assert_eq(value->object.members[0].offset, 4);
	cr_assert_eq(value->object.members[1].offset, 21);
	/* Values: their first character, a string's quote, a container's
	 * bracket. */
	cr_assert_eq(value->offset, 0);
	struct json *a = json_object_get(value, "a");
	cr_assert_eq(a->offset, 9);
	cr_assert_eq(a->array.items[0]->offset, 10);
	cr_assert_eq(a->array.items[1]->offset, 13);
	cr_assert_eq(json_object_get(value, "b\"c")->offset, 29);
	/* A number that ends the input (yajl ends it in a second call). */
	cleanup_json struct json *number = parse_ok("\t 12345", 0);
	cr_assert_eq(number->offset, 2);
	/* Comments between tokens, holding ',' ':' and quotes. */
	cleanup_json struct json *commented =
	    parse_ok("[/* x, y */ 1, // \"q\"\n \"z\", {\"k\" /*:*/ : [ ]}]", JSON_PARSE_COMMENTS);
	cr_assert_eq(commented->array.items[0]->offset, 12);
	cr_assert_eq(commented->array.items[1]->offset, 23);
	struct json *object = commented->array.items[2];
	cr_assert_eq(object->offset, 28);
	cr_assert_eq(object->object.members[0].offset, 29);
	cr_assert_eq(object->object.members[0].value->offset, 41);
}

/* ------------------------------------------------------------------------ */
/* Writing                                                                   */

Test(json, pretty_output_exact_text)
{
	cleanup_json struct json *value = parse_ok(
	    "{\"ociVersion\":\"1.0.2\",\"process\":{\"args\":[\"sh\",\"-c\"],\"env\":[],"
	    "\"user\":{\"uid\":0,\"gid\":0}},\"annotations\":{},\"n\":[[1,2],[],{\"k\":null}],"
	    "\"s\":\"a\\\"b\"}",
	    0);
	cleanup_free char *out = json_to_string(value, true);
	cr_assert_str_eq(out, "{\n"
			      "  \"ociVersion\": \"1.0.2\",\n"
			      "  \"process\": {\n"
			      "    \"args\": [\n"
			      "      \"sh\",\n"
			      "      \"-c\"\n"
			      "    ],\n"
			      "    \"env\": [],\n"
			      "    \"user\": {\n"
			      "      \"uid\": 0,\n"
			      "      \"gid\": 0\n"
			      "    }\n"
			      "  },\n"
			      "  \"annotations\": {},\n"
			      "  \"n\": [\n"
			      "    [\n"
			      "      1,\n"
			      "      2\n"
			      "    ],\n"
			      "    [],\n"
			      "    {\n"
			      "      \"k\": null\n"
			      "    }\n"
			      "  ],\n"
			      "  \"s\": \"a\\\"b\"\n"
			      "}\n");
	/* Pretty output reads back to an equal tree. */
	cleanup_json struct json *back = parse_ok(out, STRICT);
	cr_assert(json_equal(value, back));
}

Test(json, pretty_scalars_and_deep_indent)
{
	cleanup_json struct json *number = json_new_int(-3);
	cleanup_free char *out = json_to_string(number, true);
	cr_assert_str_eq(out, "-3\n");

	/* Indentation longer than the writer's chunk of spaces. */
	cleanup_free char *deep = nested(40, "[", "]");
	cleanup_json struct json *value = parse_ok(deep, 0);
	cleanup_free char *pretty = json_to_string(value, true);
	const char *last_open = strstr(pretty, "[]");
	cr_assert_not_null(last_open);
	size_t spaces = 0;
	while (last_open - spaces > pretty && last_open[-(ptrdiff_t)spaces - 1] == ' ')
		spaces++;
	cr_assert_eq(spaces, 2 * 39);
	cleanup_json struct json *back = parse_ok(pretty, 0);
	cr_assert(json_equal(value, back));
}

Test(json, write_appends_to_the_buffer)
{
	cleanup_json struct json *value = parse_ok("{\"a\":[true,null]}", 0);
	cleanup_strbuf struct strbuf sb = {0};
	strbuf_puts(&sb, "x=");
	json_write(value, false, &sb);
	cr_assert_str_eq(sb.buf, "x={\"a\":[true,null]}");
	cr_assert_eq(sb.len, strlen(sb.buf));
}

/* ------------------------------------------------------------------------ */
/* Tree operations                                                           */

Test(json, null_members_are_absent_for_get)
{
	cleanup_json struct json *value = parse_ok("{\"a\":null,\"b\":0,\"c\":false}", STRICT);
	cr_assert_null(json_object_get(value, "a"));
	struct json *raw = json_object_get_raw(value, "a");
	cr_assert_not_null(raw);
	cr_assert_eq(raw->type, JSON_NULL);
	cr_assert_not_null(json_object_get(value, "b"));
	cr_assert_not_null(json_object_get(value, "c"));
	cr_assert_null(json_object_get(value, "missing"));
	cr_assert_null(json_object_get(value, "A"));
	cr_assert_null(json_object_get(NULL, "a"));
	cr_assert_null(json_object_get(json_object_get(value, "b"), "a"));
}

Test(json, object_set_replaces_in_place_or_appends)
{
	cleanup_json struct json *value = parse_ok("{\"a\":1,\"b\":2,\"c\":3}", 0);
	json_object_set(value, "b", json_new_string("two"));
	json_object_set(value, "d", json_new_bool(true));
	json_object_set(value, "a", json_new_null());
	cleanup_free char *out = json_to_string(value, false);
	cr_assert_str_eq(out, "{\"a\":null,\"b\":\"two\",\"c\":3,\"d\":true}");
	cr_assert_null(json_object_get(value, "a"));
	cr_assert_eq(value->object.members[3].offset, 0);

	cleanup_json struct json *empty = json_new_object();
	json_object_set(empty, "x", json_new_array());
	json_array_append(json_object_get(empty, "x"), json_new_int(1));
	cleanup_free char *out2 = json_to_string(empty, false);
	cr_assert_str_eq(out2, "{\"x\":[1]}");
}

Test(json, object_remove)
{
	cleanup_json struct json *value = parse_ok("{\"a\":1,\"b\":2,\"c\":3}", 0);
	cr_assert(json_object_remove(value, "b"));
	cr_assert_not(json_object_remove(value, "b"));
	cr_assert_not(json_object_remove(value, "B"));
	cleanup_free char *out = json_to_string(value, false);
	cr_assert_str_eq(out, "{\"a\":1,\"c\":3}");
	cr_assert(json_object_remove(value, "a"));
	cr_assert(json_object_remove(value, "c"));
	cleanup_free char *out2 = json_to_string(value, false);
	cr_assert_str_eq(out2, "{}");
	cr_assert_not(json_object_remove(NULL, "a"));
}

Test(json, array_append_and_remove)
{
	cleanup_json struct json *array = json_new_array();
	for (int i = 0; i < 100; i++)
		json_array_append(array, json_new_int(i));
	cr_assert_eq(array->array.len, 100);
	json_array_remove(array, 0);
	json_array_remove(array, 98);
	json_array_remove(array, 50);
	cr_assert_eq(array->array.len, 97);
	cr_assert_str_eq(array->array.items[0]->number, "1");
	cr_assert_str_eq(array->array.items[49]->number, "50");
	cr_assert_str_eq(array->array.items[50]->number, "52");
	cr_assert_str_eq(array->array.items[96]->number, "98");
}

Test(json, clone_is_deep_and_equal)
{
	cleanup_json struct json *value =
	    parse_ok("{\"a\":[1,\"x\\u0000y\",{\"b\":null}],\"c\":1.0,\"d\":true}", 0);
	cleanup_json struct json *copy = json_clone(value);
	cr_assert(json_equal(value, copy));
	cr_assert_eq(copy->object.members[0].offset, value->object.members[0].offset);
	cr_assert_eq(json_object_get(copy, "a")->array.items[1]->string.len, 3);

	json_array_remove(json_object_get(copy, "a"), 0);
	cr_assert_not(json_equal(value, copy));
	cr_assert_eq(json_object_get(value, "a")->array.len, 3);
}

Test(json, equal_semantics)
{
	static const struct {
		const char *a, *b;
		bool equal;
	} cases[] = {
	    {"{\"a\":1,\"b\":2}", "{\"a\":1,\"b\":2}", true},
	    {"{\"a\":1,\"b\":2}", "{\"b\":2,\"a\":1}", false}, /* order matters */
	    {"[1]", "[1.0]", false},			       /* numbers by text */
	    {"[1e2]", "[100]", false},
	    {"[\"a\\u0000b\"]", "[\"a\\u0000c\"]", false}, /* past the NUL */
	    {"[\"a\"]", "[\"a\\u0000\"]", false},
	    {"[null]", "[false]", false},
	    {"[true]", "[false]", false},
	    {"{\"a\":[]}", "{\"a\":{}}", false},
	    {"{\"a\":1}", "{\"a\":1,\"b\":1}", false},
	    {"[\"\\u00e9\"]", "[\"\xc3\xa9\"]", true},
	};
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		cleanup_json struct json *a = parse_ok(cases[i].a, 0);
		cleanup_json struct json *b = parse_ok(cases[i].b, 0);
		cr_assert_eq(json_equal(a, b), cases[i].equal, "case %zu", i);
		cr_assert_eq(json_equal(b, a), cases[i].equal, "case %zu reversed", i);
	}
	cr_assert(json_equal(NULL, NULL));
	cleanup_json struct json *n = json_new_null();
	cr_assert_not(json_equal(n, NULL));
}

Test(json, constructors)
{
	cleanup_json struct json *value = json_new_object();
	json_object_set(value, "s", json_new_string("v"));
	json_object_set(value, "t", json_new_bool(true));
	json_object_set(value, "f", json_new_bool(false));
	json_object_set(value, "n", json_new_null());
	json_object_set(value, "i", json_new_int(-7));
	json_object_set(value, "u", json_new_uint(7));
	json_object_set(value, "x", json_new_number_text("1.5e-3"));
	cleanup_free char *out = json_to_string(value, false);
	cr_assert_str_eq(out, "{\"s\":\"v\",\"t\":true,\"f\":false,\"n\":null,\"i\":-7,\"u\":7,"
			      "\"x\":1.5e-3}");
}

/* ------------------------------------------------------------------------ */
/* Performance                                                               */

Test(json, a_megabyte_parses_and_writes_quickly)
{
	struct strbuf sb = {0};
	strbuf_puts(&sb, "{\"ociVersion\":\"1.0.2\",\"mounts\":[");
	for (int i = 0; sb.len < (1 << 20); i++)
		strbuf_appendf(
		    &sb,
		    "%s{\"destination\":\"/mnt/%d\",\"type\":\"bind\",\"source\":"
		    "\"/srv/data/%d\",\"options\":[\"rbind\",\"ro\",\"nosuid\"],"
		    "\"uidMappings\":[{\"containerID\":0,\"hostID\":%d,\"size\":65536}]}",
		    i ? "," : "", i, i, 100000 + i);
	strbuf_puts(&sb, "]}");

	cleanup_json struct json *value = parse_ok(sb.buf, STRICT);
	cleanup_free char *out = json_to_string(value, false);
	cr_assert_str_eq(out, sb.buf);
	strbuf_free(&sb);
}

/* ---- the fast path and the yajl path agree ------------------------------- */

#include <dirent.h>
#include <stdlib.h>

#include "../src/json_node.h"
#include "fileio.h"

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

/* In every mode: where the fast reader takes `len` bytes, the yajl path
 * takes them too and builds the same tree. Returns in how many of the three
 * modes the fast reader took them. */
static int fast_agrees(const char *text, size_t len, const char *what)
{
	static const unsigned modes[] = {0, STRICT, JSON_PARSE_COMMENTS};
	int taken = 0;
	for (size_t i = 0; i < ARRAY_SIZE(modes); i++) {
		cleanup_json struct json *fast = json_parse_fast(text, len, modes[i]);
		cleanup_error oh_error_t err = NULL;
		cleanup_json struct json *checked = json_parse_checked(text, len, modes[i], &err);
		if (!fast)
			continue;
		cr_assert_not_null(checked,
				   "%s (mode %u): the fast reader takes what yajl refuses: %s",
				   what, modes[i], err ? err->msg : "");
		cr_assert(same_tree(fast, checked),
			  "%s (mode %u): the two readers build different trees", what, modes[i]);
		taken++;
	}
	return taken;
}

static int fast_agrees_str(const char *text)
{
	return fast_agrees(text, strlen(text), text);
}

Test(json, the_fast_reader_builds_what_yajl_builds)
{
	/* Taken, and decoded as yajl decodes them. */
	const char *taken[] = {
	    "{}",
	    "[]",
	    "0",
	    "-0",
	    "1.5e-7",
	    "-12E+3",
	    "\"\"",
	    "true",
	    "false",
	    "null",
	    " \t\r\n\v\f[1, 2 ,3]\n",
	    "{\"a\":{\"b\":[{\"c\":null}]}}",
	    "\"tab\\tquote\\\"slash\\/back\\\\nl\\nbs\\bff\\fcr\\r\"",
	    "\"\\u0000 and \\u0041 and \\u00e9 and \\u20ac and \\uffff\"",
	    "{\"k\\u00e9y\":1,\"key\":2}",
	    "\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\"",
	    "[\"?\",\"a?b\"]",
	    "{\"a\":1,\"A\":2}",
	    "\"0123456789abcdefghijklmnopqrstuvwxyz\"",
	    "18446744073709551616",
	};
	for (size_t i = 0; i < ARRAY_SIZE(taken); i++)
		cr_assert_eq(fast_agrees_str(taken[i]), 3, "the fast reader leaves %s to yajl",
			     taken[i]);

	/* Left to yajl (which refuses most of them, or checks them further). */
	const char *left[] = {
	    "",
	    "  ",
	    "{",
	    "[1,]",
	    "[1 2]",
	    "{\"a\"}",
	    "{\"a\":1,}",
	    "01",
	    "-",
	    "1.",
	    "1e",
	    ".5",
	    "tru",
	    "truex",
	    "[true1]",
	    "nul",
	    "\"\\ud83d\\ude00\"",
	    "\"\\ud83d\"",
	    "\"\\x\"",
	    "\"\\u12g4\"",
	    "\"a\nb\"",
	    "\"\xc0\xaf\"",
	    "\"\xed\xa0\x80\"",
	    "\"\xf4\x90\x80\x80\"",
	    "{\"a\\u0000\":1}",
	    "[1] 2",
	};
	for (size_t i = 0; i < ARRAY_SIZE(left); i++)
		cr_assert_eq(fast_agrees_str(left[i]), 0, "the fast reader takes %s", left[i]);
	/* Comments, as a policy file has them, in that mode only; one that
	 * does not end is yajl's to refuse. */
	const char *commented[] = {
	    "/* c */ 1",
	    "// c\n[1, // two\n2]",
	    "{/**/\"a\"/***/:/* x */1/*/ y **/}\n// end\n",
	};
	for (size_t i = 0; i < ARRAY_SIZE(commented); i++)
		cr_assert_eq(fast_agrees_str(commented[i]), 1, "%s", commented[i]);
	const char *unended[] = {"/* c", "1 // c", "[1 /*/]", "/ 1", "1 /"};
	for (size_t i = 0; i < ARRAY_SIZE(unended); i++)
		cr_assert_eq(fast_agrees_str(unended[i]), 0, "%s", unended[i]);
	/* Repeats are taken without GO_STRICT only, however many keys. */
	cr_assert_eq(fast_agrees_str("{\"a\":1,\"a\":2}"), 2);
	struct strbuf many = {0};
	strbuf_puts(&many, "{");
	for (int i = 0; i < 40; i++)
		strbuf_appendf(&many, "\"k%d\":%d,", i, i);
	strbuf_puts(&many, "\"k7\":0}");
	cr_assert_eq(fast_agrees(many.buf, many.len, "40 keys and a repeat"), 2);
	many.buf[many.len - 5] = '9'; /* "k9" */
	cr_assert_eq(fast_agrees(many.buf, many.len, "40 keys and another repeat"), 2);
	many.buf[many.len - 6] = 'j'; /* "j9" */
	cr_assert_eq(fast_agrees(many.buf, many.len, "41 keys"), 3);
	strbuf_free(&many);
}

Test(json, the_fast_reader_stops_where_yajl_does_at_depth)
{
	char deep[2 * JSON_MAX_DEPTH + 3];
	for (size_t depth = JSON_MAX_DEPTH; depth <= JSON_MAX_DEPTH + 1; depth++) {
		memset(deep, '[', depth);
		memset(deep + depth, ']', depth);
		int taken = fast_agrees(deep, 2 * depth, "nesting");
		cr_assert_eq(taken, depth == JSON_MAX_DEPTH ? 3 : 0, "depth %zu", depth);
	}
}

/* Every document of the repository: the fixtures, the hostile corpus, the
 * policies. The fast reader takes every well-formed one it meets on a
 * create (the CRI fixtures, the policies) and agrees with yajl on all. */
static size_t agree_on_dir(const char *dir, size_t *taken)
{
	DIR *d = opendir(dir);
	cr_assert_not_null(d, "%s", dir);
	size_t files = 0;
	for (struct dirent *e; (e = readdir(d));) {
		if (e->d_name[0] == '.')
			continue;
		cleanup_free char *path = xasprintf("%s/%s", dir, e->d_name);
		if (e->d_type == DT_DIR) {
			files += agree_on_dir(path, taken);
			continue;
		}
		size_t n = strlen(e->d_name);
		if (n < 5 || strcmp(e->d_name + n - 5, ".json") != 0)
			continue;
		cleanup_free char *text = NULL;
		size_t len;
		cleanup_error oh_error_t err = NULL;
		cr_assert_eq(file_read_all(AT_FDCWD, path, 64u << 20, &text, &len, &err), 0);
		*taken += fast_agrees(text, len, path) > 0;
		files++;
	}
	closedir(d);
	return files;
}

Test(json, the_fast_reader_agrees_on_every_document_here)
{
	const char *root = getenv("OCI_HARDEN_SOURCE_ROOT");
	cr_assert_not_null(root);
	size_t taken = 0, files = 0;
	static const char *const dirs[] = {"tests/fixtures", "tests/hostile", "policies"};
	for (size_t i = 0; i < ARRAY_SIZE(dirs); i++) {
		cleanup_free char *dir = xasprintf("%s/%s", root, dirs[i]);
		files += agree_on_dir(dir, &taken);
	}
	cr_assert_gt(files, 100);
	cr_assert_gt(taken, files / 2, "the fast reader took only %zu of %zu", taken, files);
	static const char *const cri[] = {"default", "sandbox", "restricted"};
	for (size_t i = 0; i < ARRAY_SIZE(cri); i++) {
		cleanup_free char *path =
		    xasprintf("%s/tests/fixtures/cri/%s.config.json", root, cri[i]);
		cleanup_free char *text = NULL;
		size_t len;
		cleanup_error oh_error_t err = NULL;
		cr_assert_eq(file_read_all(AT_FDCWD, path, 64u << 20, &text, &len, &err), 0);
		cr_assert_eq(fast_agrees(text, len, path), 3, "%s goes the slow way", path);
	}
}
