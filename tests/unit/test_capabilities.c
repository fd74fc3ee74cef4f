/* SPDX-License-Identifier: Apache-2.0 */
/* src/harden/capabilities.c: only the policy's allowlist stays, in all five
 * sets; nothing is ever added. */
#include "module_test.h"

#define MODULE (&harden_module_capabilities)

Test(capabilities, each_set_keeps_only_the_allowlist)
{
	cleanup_module_test_run struct module_test_run run = module_test_spec(
	    MODULE, "{\"capabilities\": [\"CAP_NET_BIND_SERVICE\", \"CAP_CHOWN\"]}",
	    "{\"process\":{\"capabilities\":{"
	    "\"bounding\":[\"CAP_CHOWN\",\"CAP_SYS_ADMIN\",\"CAP_NET_BIND_SERVICE\"],"
	    "\"effective\":[\"CAP_NET_RAW\"],\"inheritable\":[],"
	    "\"permitted\":[\"CAP_CHOWN\"],\"ambient\":[\"CAP_KILL\",\"CAP_KILL\"]}}}",
	    NULL);
	module_test_expect_ok(&run, 3);
	module_test_expect(&run, "process.capabilities.bounding",
			   "[\"CAP_CHOWN\",\"CAP_NET_BIND_SERVICE\"]");
	module_test_expect(&run, "process.capabilities.effective", "[]");
	module_test_expect(&run, "process.capabilities.inheritable", "[]");
	module_test_expect(&run, "process.capabilities.permitted", "[\"CAP_CHOWN\"]");
	module_test_expect(&run, "process.capabilities.ambient", "[]");

	const struct decision *d = module_test_decision(&run, "process.capabilities.bounding");
	cr_expect_eq(d->kind, DECISION_CHANGE);
	cr_expect_str_eq(d->reason, "dropped CAP_SYS_ADMIN: not on the policy's allowlist");
	module_test_expect_lift(d, "\"capabilities\" += [\"CAP_SYS_ADMIN\"]");
	d = module_test_decision(&run, "process.capabilities.ambient");
	cr_expect_str_eq(d->reason, "dropped CAP_KILL, CAP_KILL: not on the policy's allowlist");
	module_test_expect_lift(d, "\"capabilities\" += [\"CAP_KILL\",\"CAP_KILL\"]");
}

/* Equal sets take a copy of what was made of the one before; a set that
 * differs between equal ones is worked out on its own. */
Test(capabilities, equal_sets_and_sets_between_them)
{
	cleanup_module_test_run struct module_test_run run =
	    module_test_spec(MODULE, "{\"capabilities\": [\"CAP_NET_BIND_SERVICE\"]}",
			     "{\"process\":{\"capabilities\":{"
			     "\"bounding\":[\"CAP_CHOWN\",\"CAP_NET_BIND_SERVICE\"],"
			     "\"effective\":[\"CAP_CHOWN\",\"CAP_NET_BIND_SERVICE\"],"
			     "\"inheritable\":[\"CAP_KILL\"],"
			     "\"permitted\":[\"CAP_CHOWN\",\"CAP_NET_BIND_SERVICE\"],"
			     "\"ambient\":[\"CAP_NET_BIND_SERVICE\"]}}}",
			     NULL);
	module_test_expect_ok(&run, 4);
	static const char *const same[] = {"bounding", "effective", "permitted"};
	for (size_t i = 0; i < ARRAY_SIZE(same); i++) {
		char path[64];
		snprintf(path, sizeof(path), "process.capabilities.%s", same[i]);
		module_test_expect(&run, path, "[\"CAP_NET_BIND_SERVICE\"]");
		const struct decision *d = module_test_decision(&run, path);
		cr_expect_str_eq(d->reason, "dropped CAP_CHOWN: not on the policy's allowlist");
		module_test_expect_lift(d, "\"capabilities\" += [\"CAP_CHOWN\"]");
		cleanup_free char *old = json_to_string(d->old_value, false);
		cr_expect_str_eq(old, "[\"CAP_CHOWN\",\"CAP_NET_BIND_SERVICE\"]");
	}
	module_test_expect(&run, "process.capabilities.inheritable", "[]");
	const struct decision *d = module_test_decision(&run, "process.capabilities.inheritable");
	cr_expect_str_eq(d->reason, "dropped CAP_KILL: not on the policy's allowlist");
	module_test_expect(&run, "process.capabilities.ambient", "[\"CAP_NET_BIND_SERVICE\"]");
}

Test(capabilities, nothing_is_granted)
{
	/* No capabilities object: runc grants none, and none is added. */
	cleanup_module_test_run struct module_test_run none =
	    module_test_spec(MODULE, "", "{\"process\":{\"args\":[\"sh\"]}}", NULL);
	module_test_expect_ok(&none, 0);
	module_test_expect(&none, "process.capabilities", "(absent)");
	/* A set that is missing stays missing. */
	cleanup_module_test_run struct module_test_run partial = module_test_spec(
	    MODULE, "", "{\"process\":{\"capabilities\":{\"bounding\":[]}}}", NULL);
	module_test_expect_ok(&partial, 0);
	module_test_expect(&partial, "process.capabilities", "{\"bounding\":[]}");
}

Test(capabilities, an_exec_process_too)
{
	cleanup_module_test_run struct module_test_run run = module_test_process(
	    MODULE, "", "{\"capabilities\":{\"effective\":[\"CAP_SYS_PTRACE\"]}}");
	module_test_expect_ok(&run, 1);
	module_test_expect(&run, "capabilities.effective", "[]");
	module_test_decision(&run, "capabilities.effective");
}

Test(capabilities, shapes_the_spec_forbids)
{
	cleanup_module_test_run struct module_test_run not_object =
	    module_test_spec(MODULE, "", "{\"process\":{\"capabilities\":[]}}", NULL);
	module_test_expect_error(&not_object, "process.capabilities: must be an object");
	cleanup_module_test_run struct module_test_run not_array = module_test_spec(
	    MODULE, "", "{\"process\":{\"capabilities\":{\"bounding\":\"CAP_KILL\"}}}", NULL);
	module_test_expect_error(&not_array, "process.capabilities.bounding: must be an array");
	cleanup_module_test_run struct module_test_run not_string = module_test_spec(
	    MODULE, "", "{\"process\":{\"capabilities\":{\"permitted\":[1]}}}", NULL);
	module_test_expect_error(&not_string,
				 "process.capabilities.permitted[0]: must be a string");
}
