/* SPDX-License-Identifier: Apache-2.0 */
/* src/harden/limits.c: the policy's pids limit and rlimits where the config
 * sets none; a limit the config sets is kept. */
#include "module_test.h"

#define MODULE (&harden_module_limits)

static const char policy[] = "{\"pids_limit\": 512, \"rlimits\": {\"RLIMIT_NOFILE\": "
			     "{\"soft\": 1024, \"hard\": 4096}, \"RLIMIT_CORE\": {\"soft\": 0, "
			     "\"hard\": 0}}}";

Test(limits, set_where_the_config_has_none)
{
	cleanup_module_test_run struct module_test_run run =
	    module_test_spec(MODULE, policy, "{\"process\":{}}", NULL);
	module_test_expect_ok(&run, 3);
	module_test_expect(&run, "linux.resources.pids", "{\"limit\":512}");
	module_test_expect(&run, "process.rlimits",
			   "[{\"type\":\"RLIMIT_NOFILE\",\"hard\":4096,\"soft\":1024},"
			   "{\"type\":\"RLIMIT_CORE\",\"hard\":0,\"soft\":0}]");
	const struct decision *d = module_test_decision(&run, "linux.resources.pids.limit");
	cr_expect_str_eq(d->reason, "no pids limit was set; at most 512 processes");
	module_test_expect_lift(d, "\"pids_limit\": 0");
	cr_expect_str_eq(module_test_decision(&run, "process.rlimits[1]")->reason,
			 "RLIMIT_CORE was not set");
}

Test(limits, the_configs_own_limits_are_kept)
{
	cleanup_module_test_run struct module_test_run run = module_test_spec(
	    MODULE, policy,
	    "{\"process\":{\"rlimits\":[{\"type\":\"RLIMIT_NOFILE\",\"hard\":9,\"soft\":9}]},"
	    "\"linux\":{\"resources\":{\"pids\":{\"limit\":100}}}}",
	    NULL);
	module_test_expect_ok(&run, 1);
	module_test_expect(&run, "linux.resources.pids.limit", "100");
	module_test_decision(&run, "process.rlimits[1]");
	/* Zero or negative is no limit to runc: the policy's is set. */
	cleanup_module_test_run struct module_test_run unlimited = module_test_spec(
	    MODULE, policy, "{\"linux\":{\"resources\":{\"pids\":{\"limit\":-1}}}}", NULL);
	module_test_expect_ok(&unlimited, 1);
	module_test_expect(&unlimited, "linux.resources.pids.limit", "512");
}

Test(limits, the_default_policy_sets_none_and_an_exec_gets_rlimits)
{
	cleanup_module_test_run struct module_test_run none =
	    module_test_spec(MODULE, "", "{\"process\":{}}", NULL);
	module_test_expect_ok(&none, 0);
	cleanup_module_test_run struct module_test_run exec =
	    module_test_process(MODULE, policy, "{\"args\":[\"sh\"]}");
	module_test_expect_ok(&exec, 2); /* rlimits only: pids are the container's */
	module_test_decision(&exec, "rlimits[0]");
}

Test(limits, shapes_the_spec_forbids)
{
	cleanup_module_test_run struct module_test_run pids = module_test_spec(
	    MODULE, policy, "{\"linux\":{\"resources\":{\"pids\":{\"limit\":\"many\"}}}}", NULL);
	module_test_expect_error(&pids, "linux.resources.pids.limit: must be an integer");
	cleanup_module_test_run struct module_test_run type =
	    module_test_spec(MODULE, policy, "{\"process\":{\"rlimits\":[{\"type\":7}]}}", NULL);
	module_test_expect_error(&type, "process.rlimits[0].type: must be a string");
}
