/* SPDX-License-Identifier: Apache-2.0 */
/* src/harden/namespaces.c: no host pid, network, ipc, uts or mount
 * namespace, by omission or by joining the host's own; a cgroup namespace
 * added; unknown types refused. */
#include "module_test.h"

#define MODULE (&harden_module_namespaces)

#define ALL_FIVE                                                                                   \
	"{\"type\":\"pid\"},{\"type\":\"network\"},{\"type\":\"ipc\"},{\"type\":\"uts\"},"         \
	"{\"type\":\"mount\"}"

/* /proc/1/ns/... is the host's; anything else is another container's. */
static int host_is_pid_1(const char *type, const char *path)
{
	return strncmp(path, "/proc/1/", 8) == 0;
}

static const struct test_host host = {.namespace_is_host = host_is_pid_1};

Test(namespaces, own_namespaces_get_a_cgroup_one_too)
{
	cleanup_module_test_run struct module_test_run run =
	    module_test_spec(MODULE, "", "{\"linux\":{\"namespaces\":[" ALL_FIVE "]}}", &host);
	module_test_expect_ok(&run, 1);
	const struct decision *d = module_test_decision(&run, "linux.namespaces[5]");
	cr_expect_eq(d->kind, DECISION_CHANGE);
	cr_expect_str_eq(d->reason,
			 "no cgroup namespace: the container would see the host's cgroup tree");
	module_test_expect_lift(d, "\"allow.host_namespaces\" += [\"cgroup\"]");
	cleanup_free char *got = test_text(test_get(run.tree, "linux.namespaces"));
	cr_expect(strstr(got, ",{\"type\":\"cgroup\"}]"), "%s", got);
}

Test(namespaces, a_missing_one_is_the_hosts)
{
	cleanup_module_test_run struct module_test_run run = module_test_spec(
	    MODULE, "",
	    "{\"linux\":{\"namespaces\":[{\"type\":\"pid\"},{\"type\":\"ipc\"},{\"type\":\"uts\"},"
	    "{\"type\":\"mount\"},{\"type\":\"cgroup\"}]}}",
	    &host);
	module_test_expect_ok(&run, 1);
	const struct decision *d = module_test_decision(&run, "linux.namespaces");
	cr_expect_eq(d->kind, DECISION_REFUSE);
	cr_expect_str_eq(d->reason, "no network namespace: the container would share the host's "
				    "(the policy may allow it in host_namespaces)");
	module_test_expect_lift(d, "\"allow.host_namespaces\" += [\"network\"]");
	/* No linux.namespaces at all: every one of the five, and a cgroup one. */
	cleanup_module_test_run struct module_test_run none =
	    module_test_spec(MODULE, "", "{}", &host);
	module_test_expect_ok(&none, 6);
	cr_expect_eq(report_count(&none.report, DECISION_REFUSE), 5);
}

Test(namespaces, joining_by_path)
{
	cleanup_module_test_run struct module_test_run run =
	    module_test_spec(MODULE, "",
			     "{\"linux\":{\"namespaces\":[{\"type\":\"pid\"},"
			     "{\"type\":\"network\",\"path\":\"/proc/1/ns/net\"},"
			     "{\"type\":\"ipc\",\"path\":\"/proc/4242/ns/ipc\"},{\"type\":\"uts\"},"
			     "{\"type\":\"mount\"},{\"type\":\"cgroup\"}]}}",
			     &host);
	module_test_expect_ok(&run, 1);
	cr_expect_str_eq(module_test_decision(&run, "linux.namespaces[1]")->reason,
			 "/proc/1/ns/net is the host's own network namespace (the policy may "
			 "allow it in host_namespaces)");
	/* A host that cannot tell is a refusal too. */
	cleanup_module_test_run struct module_test_run unknown =
	    module_test_spec(MODULE, "",
			     "{\"linux\":{\"namespaces\":[" ALL_FIVE
			     ",{\"type\":\"cgroup\",\"path\":\"/run/ns/x\"}]}}",
			     NULL);
	module_test_expect_ok(&unknown, 1);
	cr_expect_str_eq(module_test_decision(&unknown, "linux.namespaces[5]")->reason,
			 "cannot tell whether /run/ns/x is the host's cgroup namespace");
}

Test(namespaces, what_the_policy_allows)
{
	cleanup_module_test_run struct module_test_run run = module_test_spec(
	    MODULE, "{\"allow\": {\"host_namespaces\": [\"network\", \"cgroup\"]}}",
	    "{\"linux\":{\"namespaces\":[{\"type\":\"pid\"},{\"type\":\"ipc\"},{\"type\":\"uts\"},"
	    "{\"type\":\"mount\"}]}}",
	    &host);
	module_test_expect_ok(&run, 0);
}

Test(namespaces, unknown_types_and_bad_shapes)
{
	cleanup_module_test_run struct module_test_run run = module_test_spec(
	    MODULE, "",
	    "{\"linux\":{\"namespaces\":[" ALL_FIVE ",{\"type\":\"cgroup\"},{\"type\":\"pids\"}]}}",
	    &host);
	module_test_expect_ok(&run, 1);
	cr_expect_str_eq(module_test_decision(&run, "linux.namespaces[6]")->reason,
			 "unknown namespace type \"pids\"");
	cleanup_module_test_run struct module_test_run bad =
	    module_test_spec(MODULE, "", "{\"linux\":{\"namespaces\":[{\"path\":\"/x\"}]}}", &host);
	module_test_expect_error(&bad, "linux.namespaces[0].type: must be a string");
}
