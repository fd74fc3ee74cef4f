/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer target: the policy loader (src/policy.c).
 *
 * Each input is read as a policy file is (JSON with comments) and loaded
 * twice: on its own, and extending the embedded default policy, as a file
 * without "extends" does. There is no policy directory, so only the embedded
 * seccomp profile resolves and nothing is read from disk.
 *
 * What a loaded policy must satisfy:
 *   - policy_to_json (what is saved for a container's execs) loads back,
 *     with no base, into a policy that serialises identically;
 *   - a clone serialises identically;
 *   - policy_write_json (the text of the container record) is exactly the
 *     compact text of policy_to_json's tree;
 *   - uid and gid 0 only where allow_root says so: the loader promises a
 *     policy never maps root to root behind the operator's back.
 * A broken promise aborts, which libFuzzer reports as a crash. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "policy.h"

static struct policy *default_policy;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	oh_error_t err = NULL;
	if (policy_load_default(&default_policy, &err) < 0) {
		fprintf(stderr, "fuzz_policy: %s\n", err->msg);
		abort();
	}
	return 0;
}

static void fuzz_fail(const char *what)
{
	fprintf(stderr, "fuzz_policy: invariant broken: %s\n", what);
	abort();
}

static void check_policy(const struct policy *p)
{
	if (!p->allow_root && (p->uid == 0 || p->gid == 0))
		fuzz_fail("a policy without allow_root maps root to uid or gid 0");

	struct json *saved = policy_to_json(p);
	oh_error_t err = NULL;
	struct policy *reloaded = NULL;
	const struct policy_load_context lctx = {.policy_dir = NULL};
	if (policy_load_json(saved, p->name, "(saved)", NULL, &lctx, &reloaded, &err) < 0) {
		fprintf(stderr, "fuzz_policy: %s\n", err->msg);
		fuzz_fail("policy_to_json does not load back");
	}
	char *tree_text = json_to_string(saved, false);
	struct strbuf written = {0};
	policy_write_json(p, &written);
	if (strcmp(written.buf, tree_text) != 0)
		fuzz_fail("policy_write_json differs from policy_to_json's text");
	xfree(tree_text);
	strbuf_free(&written);

	struct json *saved_again = policy_to_json(reloaded);
	if (!json_equal(saved, saved_again))
		fuzz_fail("policy_to_json of the reloaded policy differs");

	struct policy *clone = policy_clone(p);
	struct json *saved_clone = policy_to_json(clone);
	if (!json_equal(saved, saved_clone))
		fuzz_fail("a clone of the policy differs");

	json_free(saved);
	json_free(saved_again);
	json_free(saved_clone);
	policy_free(reloaded);
	policy_free(clone);
}

static void load(const struct json *doc, const struct policy *base)
{
	const struct policy_load_context lctx = {.policy_dir = NULL};
	oh_error_t err = NULL;
	struct policy *p = NULL;
	if (policy_load_json(doc, "fuzz", "fuzz.json", base, &lctx, &p, &err) < 0) {
		if (!err || !err->msg || !*err->msg || p)
			fuzz_fail("a failed load must say why and return nothing");
		oh_error_free(&err);
		return;
	}
	check_policy(p);
	policy_free(p);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	oh_error_t err = NULL;
	struct json *doc = json_parse((const char *)data, size, JSON_PARSE_COMMENTS, &err);
	if (!doc) {
		oh_error_free(&err);
		return 0;
	}
	load(doc, NULL);
	load(doc, default_policy);
	json_free(doc);
	return 0;
}
