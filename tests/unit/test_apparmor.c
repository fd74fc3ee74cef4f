/* SPDX-License-Identifier: Apache-2.0 */
/* src/harden/apparmor.c: the policy's profile where the host can apply it;
 * a warning where it cannot, a refusal when the policy requires it. This
 * host has no AppArmor: these tests are where it is exercised. */
#include "module_test.h"

#define MODULE (&harden_module_apparmor)

static const struct test_host loaded = {.apparmor_enabled = true, .apparmor_profile_loaded = true};
static const struct test_host not_loaded = {.apparmor_enabled = true};
static const struct test_host disabled = {0};

Test(apparmor, the_profile_where_the_host_has_it)
{
	cleanup_module_test_run struct module_test_run run = module_test_spec(
	    MODULE, "", "{\"process\":{\"apparmorProfile\":\"unconfined\"}}", &loaded);
	module_test_expect_ok(&run, 1);
	module_test_expect(&run, "process.apparmorProfile", "\"oci-harden-default\"");
	const struct decision *d = module_test_decision(&run, "process.apparmorProfile");
	cr_expect_str_eq(d->reason, "confined by AppArmor profile \"oci-harden-default\"");
	module_test_expect_lift(d, "\"apparmor.profile\": \"\"");

	cleanup_module_test_run struct module_test_run same = module_test_spec(
	    MODULE, "", "{\"process\":{\"apparmorProfile\":\"oci-harden-default\"}}", &loaded);
	module_test_expect_ok(&same, 0);
}

Test(apparmor, a_warning_where_the_host_cannot)
{
	const struct test_host *hosts[] = {&disabled, &not_loaded};
	const char *why[] = {"AppArmor is not enabled on this host",
			     "the profile is not loaded on this host"};
	for (size_t i = 0; i < ARRAY_SIZE(hosts); i++) {
		cleanup_module_test_run struct module_test_run run =
		    module_test_spec(MODULE, "", "{\"process\":{}}", hosts[i]);
		module_test_expect_ok(&run, 1);
		module_test_expect(&run, "process.apparmorProfile", "(absent)");
		const struct decision *d = module_test_decision(&run, "process.apparmorProfile");
		cr_expect_eq(d->kind, DECISION_WARN);
		cleanup_free char *reason = xasprintf(
		    "%s: AppArmor profile \"oci-harden-default\" was not applied", why[i]);
		cr_expect_str_eq(d->reason, reason);
	}
}

Test(apparmor, a_refusal_when_the_policy_requires_it)
{
	cleanup_module_test_run struct module_test_run run = module_test_spec(
	    MODULE, "{\"apparmor\": {\"profile\": \"strict\", \"required\": true}}",
	    "{\"process\":{}}", &not_loaded);
	module_test_expect_ok(&run, 1);
	const struct decision *d = module_test_decision(&run, "process.apparmorProfile");
	cr_expect_eq(d->kind, DECISION_REFUSE);
	cr_expect_str_eq(d->reason, "the profile is not loaded on this host: AppArmor profile "
				    "\"strict\" is required by the policy");
}

Test(apparmor, no_profile_in_the_policy_and_bad_values)
{
	cleanup_module_test_run struct module_test_run none =
	    module_test_spec(MODULE, "{\"apparmor\": {\"profile\": \"\"}}",
			     "{\"process\":{\"apparmorProfile\":\"unconfined\"}}", &loaded);
	module_test_expect_ok(&none, 0);
	cleanup_module_test_run struct module_test_run bad =
	    module_test_spec(MODULE, "", "{\"process\":{\"apparmorProfile\":7}}", &loaded);
	module_test_expect_error(&bad, "process.apparmorProfile: must be a string");
	cleanup_module_test_run struct module_test_run exec =
	    module_test_process(MODULE, "", "{\"args\":[\"sh\"]}");
	module_test_expect_ok(&exec, 1); /* the pretend host of an exec has no AppArmor */
	cr_expect_eq(module_test_decision(&exec, "apparmorProfile")->kind, DECISION_WARN);
}
