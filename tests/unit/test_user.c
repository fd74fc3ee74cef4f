/* SPDX-License-Identifier: Apache-2.0 */
/* src/harden/user.c: uid 0 and gid 0 become the policy's ids, gid 0 leaves
 * the additional groups, and a user namespace that maps the ids to host
 * root is refused; unless the policy allows root. */
#include "module_test.h"

#define MODULE (&harden_module_user)

Test(user, root_becomes_the_policys_ids)
{
	cleanup_module_test_run struct module_test_run run = module_test_spec(
	    MODULE, "{\"user\": {\"uid\": 1000, \"gid\": 1001}}",
	    "{\"process\":{\"user\":{\"uid\":0,\"gid\":0,\"additionalGids\":[0,5,0,7]}}}", NULL);
	module_test_expect_ok(&run, 3);
	module_test_expect(&run, "process.user",
			   "{\"uid\":1000,\"gid\":1001,\"additionalGids\":[5,7]}");
	const struct decision *d = module_test_decision(&run, "process.user.uid");
	cr_expect_str_eq(d->reason, "uid 0 (root) becomes 1000");
	module_test_expect_lift(d, "\"user.allow_root\": true");
	d = module_test_decision(&run, "process.user.additionalGids");
	cr_expect_str_eq(d->reason, "gid 0 (root) removed from the additional groups");
}

Test(user, missing_ids_are_root_to_runc)
{
	/* Go's zero value: no "user", or no "uid", is uid 0. */
	cleanup_module_test_run struct module_test_run no_user =
	    module_test_spec(MODULE, "", "{\"process\":{}}", NULL);
	module_test_expect_ok(&no_user, 2);
	module_test_expect(&no_user, "process.user", "{\"uid\":65534,\"gid\":65534}");
	cleanup_module_test_run struct module_test_run no_uid =
	    module_test_spec(MODULE, "", "{\"process\":{\"user\":{\"gid\":10}}}", NULL);
	module_test_expect_ok(&no_uid, 1);
	module_test_expect(&no_uid, "process.user", "{\"gid\":10,\"uid\":65534}");
}

Test(user, non_root_and_allowed_root_stay)
{
	cleanup_module_test_run struct module_test_run user =
	    module_test_spec(MODULE, "", "{\"process\":{\"user\":{\"uid\":33,\"gid\":33}}}", NULL);
	module_test_expect_ok(&user, 0);
	cleanup_module_test_run struct module_test_run allowed = module_test_spec(
	    MODULE, "{\"user\": {\"allow_root\": true}}",
	    "{\"process\":{\"user\":{\"uid\":0,\"gid\":0,\"additionalGids\":[0]}}}", NULL);
	module_test_expect_ok(&allowed, 0);
	module_test_expect(&allowed, "process.user",
			   "{\"uid\":0,\"gid\":0,\"additionalGids\":[0]}");
}

/* At create, a mapping whose host range holds 0 makes some container id
 * host root, whatever the process's own ids: it is refused, each mapping
 * once. */
Test(user, mappings_that_reach_host_root_are_refused_at_create)
{
	cleanup_module_test_run struct module_test_run run = module_test_spec(
	    MODULE, "",
	    "{\"process\":{\"user\":{\"uid\":5,\"gid\":6,\"additionalGids\":[7,6]}},"
	    "\"linux\":{\"namespaces\":[{\"type\":\"user\"}],"
	    "\"uidMappings\":[{\"containerID\":5,\"hostID\":0,\"size\":1}],"
	    "\"gidMappings\":[{\"containerID\":0,\"hostID\":100000,\"size\":6},"
	    "{\"containerID\":6,\"hostID\":0,\"size\":2}]}}",
	    NULL);
	module_test_expect_ok(&run, 2);
	cr_expect_eq(report_count(&run.report, DECISION_REFUSE), 2);
	cr_expect_str_eq(run.report.items[0].path, "linux.uidMappings[0]");
	cr_expect_str_eq(run.report.items[0].reason,
			 "container uid 5 is uid 0 (root) on the host: any process of the "
			 "container, an exec's included, may take it");
	cr_expect_str_eq(run.report.items[1].path, "linux.gidMappings[1]");
	/* A mapping that stays off host 0 is fine. */
	cleanup_module_test_run struct module_test_run off_root = module_test_spec(
	    MODULE, "",
	    "{\"process\":{\"user\":{\"uid\":5,\"gid\":6}},"
	    "\"linux\":{\"namespaces\":[{\"type\":\"user\"}],"
	    "\"uidMappings\":[{\"containerID\":0,\"hostID\":100000,\"size\":65536}],"
	    "\"gidMappings\":[{\"containerID\":0,\"hostID\":100000,\"size\":65536}]}}",
	    NULL);
	module_test_expect_ok(&off_root, 0);
	/* Without a user namespace the mappings mean nothing. */
	cleanup_module_test_run struct module_test_run no_userns = module_test_spec(
	    MODULE, "",
	    "{\"process\":{\"user\":{\"uid\":5,\"gid\":6}},"
	    "\"linux\":{\"uidMappings\":[{\"containerID\":5,\"hostID\":0,\"size\":1}]}}",
	    NULL);
	module_test_expect_ok(&no_userns, 0);
}

Test(user, ids_runc_cannot_read_are_errors)
{
	cleanup_module_test_run struct module_test_run big = module_test_spec(
	    MODULE, "", "{\"process\":{\"user\":{\"uid\":4294967296,\"gid\":1}}}", NULL);
	module_test_expect_error(&big, "process.user.uid: must be an integer from 0 to 4294967295");
	cleanup_module_test_run struct module_test_run group = module_test_spec(
	    MODULE, "", "{\"process\":{\"user\":{\"uid\":1,\"gid\":1,\"additionalGids\":[-1]}}}",
	    NULL);
	module_test_expect_error(&group, "process.user.additionalGids[0]: must be an integer from "
					 "0 to 4294967295");
}
