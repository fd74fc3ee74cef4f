/* SPDX-License-Identifier: Apache-2.0 */
/* For the tests of one hardening module (tests/unit/test_<module>.c): run
 * the module's apply alone, on a config or an exec process, under a policy
 * written in the policy language over the embedded default, against a
 * pretend host; then look at the tree and the report. */
#ifndef OCI_HARDEN_TEST_MODULE_TEST_H
#define OCI_HARDEN_TEST_MODULE_TEST_H

#include "harden/module.h"
#include "helpers.h"

/* The embedded default with `text` (policy language, "" for none) over it. */
static inline struct policy *module_test_policy(const char *text)
{
	oh_error_t err = NULL;
	struct policy *base = NULL, *policy = NULL;
	cr_assert_eq(policy_load_default(&base, &err), 0, "%s", err ? err->msg : "");
	if (!*text)
		return base;
	struct json *doc = json_parse(text, strlen(text), JSON_PARSE_COMMENTS, &err);
	cr_assert_not_null(doc, "%s", err ? err->msg : "");
	cr_assert_eq(policy_load_json(doc, "test", "test.json", base, NULL, &policy, &err), 0, "%s",
		     err ? err->msg : "");
	json_free(doc);
	policy_free(base);
	return policy;
}

/* The result of one module's apply. */
struct module_test_run {
	struct json *tree; /* the config or the process, as the module left it */
	struct report report;
	int status;
	oh_error_t err;
};

static inline void module_test_run_clear(struct module_test_run *run)
{
	json_free(run->tree);
	report_clear(&run->report);
	oh_error_free(&run->err);
}
#define cleanup_module_test_run _cleanup_(module_test_run_clear)

/* `module` on the config `text`, under `policy_text`, on `host` (NULL: no
 * AppArmor, every path a directory, no namespace known). */
static inline struct module_test_run module_test_spec(const struct harden_module *module,
						      const char *policy_text, const char *text,
						      const struct test_host *host)
{
	static const struct test_host nothing = {0};
	struct module_test_run run = {.tree = test_parse(text)};
	struct policy *policy = module_test_policy(policy_text);
	struct host_facts facts;
	test_host_facts(host ? host : &nothing, run.tree, &facts);
	struct harden_ctx ctx = {
	    .spec = run.tree,
	    .process = json_object_get(run.tree, "process"),
	    .process_path = "process",
	    .policy = policy,
	    .host = &facts,
	    .report = &run.report,
	};
	run.status = module->apply(&ctx, &run.err);
	host_facts_clear(&facts);
	policy_free(policy);
	return run;
}

/* `module` on the exec process `text` (no config: spec is NULL). */
static inline struct module_test_run module_test_process(const struct harden_module *module,
							 const char *policy_text, const char *text)
{
	static const struct test_host nothing = {0};
	struct module_test_run run = {.tree = test_parse(text)};
	struct policy *policy = module_test_policy(policy_text);
	struct host_facts facts;
	test_host_facts(&nothing, NULL, &facts);
	struct harden_ctx ctx = {
	    .process = run.tree,
	    .process_path = "",
	    .policy = policy,
	    .host = &facts,
	    .report = &run.report,
	};
	run.status = module->apply(&ctx, &run.err);
	host_facts_clear(&facts);
	policy_free(policy);
	return run;
}

/* The value at dotted `path` of the tree, compact, or "(absent)". */
static inline void module_test_expect(const struct module_test_run *run, const char *path,
				      const char *expected)
{
	cleanup_free char *got = test_text(test_get(run->tree, path));
	cr_expect_str_eq(got, expected, "%s", path);
}

/* The decision about JSON `path`; fails when there is none. */
static inline const struct decision *module_test_decision(const struct module_test_run *run,
							  const char *path)
{
	for (size_t i = 0; i < run->report.len; i++)
		if (strcmp(run->report.items[i].path, path) == 0)
			return &run->report.items[i];
	cr_assert_fail("no decision about %s (%zu decisions)", path, run->report.len);
	return NULL;
}

/* "key += [items]" or "key: value", or "(none)". */
static inline void module_test_expect_lift(const struct decision *d, const char *expected)
{
	cleanup_free char *lift = decision_lift_to_string(d);
	cr_expect_str_eq(lift ? lift : "(none)", expected, "the lift of %s", d->path);
}

static inline void module_test_expect_ok(const struct module_test_run *run, size_t decisions)
{
	cr_assert_eq(run->status, 0, "%s", run->err ? run->err->msg : "");
	cr_expect_eq(run->report.len, decisions, "%zu decisions, expected %zu", run->report.len,
		     decisions);
}

static inline void module_test_expect_error(const struct module_test_run *run, const char *message)
{
	cr_assert_lt(run->status, 0, "the module accepted it");
	cr_expect_str_eq(run->err->msg, message);
}

#endif
