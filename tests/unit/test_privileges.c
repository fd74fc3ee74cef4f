/* SPDX-License-Identifier: Apache-2.0 */
/* src/harden/privileges.c: noNewPrivileges is set, as the policy says. */
#include "module_test.h"

#define MODULE (&harden_module_privileges)

Test(privileges, set_when_missing_or_false)
{
	static const char *const configs[] = {
	    "{\"process\":{}}",
	    "{\"process\":{\"noNewPrivileges\":false}}",
	    "{\"process\":{\"noNewPrivileges\":null}}",
	};
	for (size_t i = 0; i < ARRAY_SIZE(configs); i++) {
		cleanup_module_test_run struct module_test_run run =
		    module_test_spec(MODULE, "", configs[i], NULL);
		module_test_expect_ok(&run, 1);
		module_test_expect(&run, "process.noNewPrivileges", "true");
		const struct decision *d = module_test_decision(&run, "process.noNewPrivileges");
		cr_expect_eq(d->kind, DECISION_CHANGE);
		module_test_expect_lift(d, "\"no_new_privileges\": false");
	}
}

Test(privileges, already_set_or_not_asked_for)
{
	cleanup_module_test_run struct module_test_run set =
	    module_test_spec(MODULE, "", "{\"process\":{\"noNewPrivileges\":true}}", NULL);
	module_test_expect_ok(&set, 0);
	cleanup_module_test_run struct module_test_run off =
	    module_test_spec(MODULE, "{\"no_new_privileges\": false}",
			     "{\"process\":{\"noNewPrivileges\":false}}", NULL);
	module_test_expect_ok(&off, 0);
	module_test_expect(&off, "process.noNewPrivileges", "false");
	/* No process: nothing to set. */
	cleanup_module_test_run struct module_test_run none =
	    module_test_spec(MODULE, "", "{\"root\":{}}", NULL);
	module_test_expect_ok(&none, 0);
}

Test(privileges, an_exec_process_and_a_bad_value)
{
	cleanup_module_test_run struct module_test_run exec =
	    module_test_process(MODULE, "", "{\"args\":[\"sh\"]}");
	module_test_expect_ok(&exec, 1);
	module_test_expect(&exec, "noNewPrivileges", "true");
	cleanup_module_test_run struct module_test_run bad =
	    module_test_spec(MODULE, "", "{\"process\":{\"noNewPrivileges\":\"yes\"}}", NULL);
	module_test_expect_error(&bad, "process.noNewPrivileges: must be true or false");
}
