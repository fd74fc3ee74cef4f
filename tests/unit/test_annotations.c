/* SPDX-License-Identifier: Apache-2.0 */
/* src/harden/annotations.c: annotations a runtime acts on (run.oci.*,
 * org.systemd.property.*, org.criu.*, module.wasm.image/...) are refused
 * unless the policy allows them; the rest no runtime reads. */
#include "module_test.h"

#define MODULE (&harden_module_annotations)

Test(annotations, the_ones_runtimes_read_are_refused)
{
	static const struct {
		const char *key, *prefix;
	} cases[] = {
	    {"run.oci.seccomp_bpf_data", "run.oci."},
	    {"org.systemd.property.Delegate", "org.systemd.property."},
	    {"org.criu.config", "org.criu."},
	    {"module.wasm.image/variant", "module.wasm.image/"},
	};
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		cleanup_free char *text = xasprintf(
		    "{\"annotations\":{\"io.k8s/name\":\"x\",\"%s\":\"v\"}}", cases[i].key);
		cleanup_module_test_run struct module_test_run run =
		    module_test_spec(MODULE, "", text, NULL);
		module_test_expect_ok(&run, 1);
		cleanup_free char *path = xasprintf("annotations[\"%s\"]", cases[i].key);
		const struct decision *d = module_test_decision(&run, path);
		cr_expect_eq(d->kind, DECISION_REFUSE);
		cleanup_free char *reason =
		    xasprintf("annotation %s is read by the runtime (%s*), which would act on it "
			      "unjudged (the policy may allow it in annotations)",
			      cases[i].key, cases[i].prefix);
		cr_expect_str_eq(d->reason, reason);
		cleanup_free char *lift =
		    xasprintf("\"allow.annotations\" += [\"%s\"]", cases[i].key);
		module_test_expect_lift(d, lift);
	}
}

Test(annotations, the_rest_and_the_allowed_pass)
{
	cleanup_module_test_run struct module_test_run plain = module_test_spec(
	    MODULE, "",
	    "{\"annotations\":{\"io.kubernetes.cri.image-name\":\"nginx\",\"run.ocix\":\"1\"}}",
	    NULL);
	module_test_expect_ok(&plain, 0);
	cleanup_module_test_run struct module_test_run allowed = module_test_spec(
	    MODULE, "{\"allow\": {\"annotations\": [\"run.oci.keep_original_groups\"]}}",
	    "{\"annotations\":{\"run.oci.keep_original_groups\":\"1\"}}", NULL);
	module_test_expect_ok(&allowed, 0);
	cleanup_module_test_run struct module_test_run bad =
	    module_test_spec(MODULE, "", "{\"annotations\":{\"a\":1}}", NULL);
	module_test_expect_error(&bad, "annotations[\"a\"]: must be a string");
}
