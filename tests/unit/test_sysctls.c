/* SPDX-License-Identifier: Apache-2.0 */
/* src/harden/sysctls.c: Kubernetes' safe sysctls pass; any other is refused
 * unless the policy allows it. */
#include "module_test.h"

#define MODULE (&harden_module_sysctls)

Test(sysctls, the_safe_set_passes)
{
	cleanup_module_test_run struct module_test_run run = module_test_spec(
	    MODULE, "",
	    "{\"linux\":{\"sysctl\":{\"kernel.shm_rmid_forced\":\"1\","
	    "\"net.ipv4.ip_local_port_range\":\"1024 65000\",\"net.ipv4.tcp_syncookies\":\"1\","
	    "\"net.ipv4.ping_group_range\":\"0 0\","
	    "\"net/ipv4/ip_unprivileged_port_start\":\"80\"}}}",
	    NULL);
	module_test_expect_ok(&run, 0);
}

Test(sysctls, any_other_is_refused)
{
	cleanup_module_test_run struct module_test_run run = module_test_spec(
	    MODULE, "", "{\"linux\":{\"sysctl\":{\"kernel/core_pattern\":\"|/tmp/x\"}}}", NULL);
	module_test_expect_ok(&run, 1);
	const struct decision *d =
	    module_test_decision(&run, "linux.sysctl[\"kernel/core_pattern\"]");
	cr_expect_eq(d->kind, DECISION_REFUSE);
	cr_expect_str_eq(d->reason, "sysctl kernel.core_pattern is not in the safe set (the policy "
				    "may allow it in sysctls)");
	module_test_expect_lift(d, "\"allow.sysctls\" += [\"kernel.core_pattern\"]");
}

Test(sysctls, the_policy_may_allow_more)
{
	cleanup_module_test_run struct module_test_run run = module_test_spec(
	    MODULE, "{\"allow\": {\"sysctls\": [\"net.core.*\"]}}",
	    "{\"linux\":{\"sysctl\":{\"net.core.somaxconn\":\"1024\",\"vm.swappiness\":\"1\"}}}",
	    NULL);
	module_test_expect_ok(&run, 1);
	module_test_decision(&run, "linux.sysctl[\"vm.swappiness\"]");
	cleanup_module_test_run struct module_test_run bad = module_test_spec(
	    MODULE, "", "{\"linux\":{\"sysctl\":{\"kernel.shm_rmid_forced\":1}}}", NULL);
	module_test_expect_error(&bad,
				 "linux.sysctl[\"kernel.shm_rmid_forced\"]: must be a string");
}
