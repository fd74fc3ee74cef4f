/* SPDX-License-Identifier: Apache-2.0 */
/* Shared by the unit tests: build trees from literal JSON, read fixtures. */
#ifndef OCI_HARDEN_TEST_HELPERS_H
#define OCI_HARDEN_TEST_HELPERS_H

#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "fake_host.h"
#include "fileio.h"
#include "harden.h"
#include "json.h"

static inline struct json *test_parse(const char *text)
{
	oh_error_t err = NULL;
	struct json *v = json_parse(text, strlen(text), JSON_PARSE_GO_STRICT, &err);
	cr_assert_not_null(v, "parse failed: %s", err ? err->msg : "?");
	return v;
}

static inline char *test_read_fixture(const char *relative, size_t *len)
{
	const char *dir = getenv("OCI_HARDEN_FIXTURES");
	char *path = xasprintf("%s/%s", dir ? dir : "tests/fixtures", relative);
	oh_error_t err = NULL;
	char *text = NULL;
	int r = file_read_all(AT_FDCWD, path, 64u << 20, &text, len, &err);
	cr_assert_eq(r, 0, "cannot read fixture: %s", err ? err->msg : "?");
	free(path);
	return text;
}

/* The value at a dotted path of object members ("process.user.uid"). */
static inline const struct json *test_get(const struct json *v, const char *path)
{
	char *copy = xstrdup(path), *save = NULL;
	for (char *key = strtok_r(copy, ".", &save); key && v; key = strtok_r(NULL, ".", &save))
		v = v->type == JSON_OBJECT ? json_object_get(v, key) : NULL;
	free(copy);
	return v;
}

static inline char *test_text(const struct json *v)
{
	return v ? json_to_string(v, false) : xstrdup("(absent)");
}

/* harden_spec against a pretend host. */
static inline int test_harden_spec(struct json *spec, const struct policy *policy,
				   const struct test_host *h, struct report *report,
				   oh_error_t *err)
{
	struct host_facts facts;
	test_host_facts(h, spec, &facts);
	int r = harden_spec(spec, policy, &facts, report, err);
	host_facts_clear(&facts);
	return r;
}

#endif
