/* SPDX-License-Identifier: Apache-2.0 */
/* src/harden/rootfs.c: a read-only root, and a nosuid, nodev tmpfs at each
 * of the policy's paths the config does not mount already. */
#include "module_test.h"

#define MODULE (&harden_module_rootfs)

Test(rootfs, read_only_root_and_a_tmpfs)
{
	cleanup_module_test_run struct module_test_run run = module_test_spec(
	    MODULE, "", "{\"root\":{\"path\":\"rootfs\",\"readonly\":false},\"mounts\":[]}", NULL);
	module_test_expect_ok(&run, 2);
	module_test_expect(&run, "root", "{\"path\":\"rootfs\",\"readonly\":true}");
	module_test_expect(&run, "mounts",
			   "[{\"destination\":\"/tmp\",\"type\":\"tmpfs\",\"source\":\"tmpfs\","
			   "\"options\":[\"nosuid\",\"nodev\"]}]");
	const struct decision *d = module_test_decision(&run, "root.readonly");
	module_test_expect_lift(d, "\"readonly_rootfs\": false");
	d = module_test_decision(&run, "mounts[0]");
	cr_expect_str_eq(d->reason, "a writable tmpfs (nosuid, nodev) at /tmp");
	cr_expect_null(d->old_value);
}

Test(rootfs, what_the_config_has_already_stays)
{
	/* Its own mount on /tmp (however written) is the image owner's. */
	cleanup_module_test_run struct module_test_run run = module_test_spec(
	    MODULE, "{\"tmpfs\": [\"/tmp\", \"/run\"]}",
	    "{\"root\":{\"readonly\":true},\"mounts\":[{\"destination\":\"//tmp/\","
	    "\"type\":\"bind\",\"source\":\"/srv\"}]}",
	    NULL);
	module_test_expect_ok(&run, 1);
	module_test_decision(&run, "mounts[1]");
	module_test_expect(&run, "mounts",
			   "[{\"destination\":\"//tmp/\",\"type\":\"bind\","
			   "\"source\":\"/srv\"},{\"destination\":\"/run\","
			   "\"type\":\"tmpfs\",\"source\":\"tmpfs\",\"options\":"
			   "[\"nosuid\",\"nodev\"]}]");
}

Test(rootfs, as_the_policy_says)
{
	cleanup_module_test_run struct module_test_run run = module_test_spec(
	    MODULE, "{\"readonly_rootfs\": false, \"tmpfs\": []}", "{\"root\":{}}", NULL);
	module_test_expect_ok(&run, 0);
	module_test_expect(&run, "root", "{}");
	module_test_expect(&run, "mounts", "(absent)");
	/* An exec has no root filesystem of its own. */
	cleanup_module_test_run struct module_test_run exec =
	    module_test_process(MODULE, "", "{\"args\":[\"sh\"]}");
	module_test_expect_ok(&exec, 0);
}

Test(rootfs, shapes_the_spec_forbids)
{
	cleanup_module_test_run struct module_test_run readonly =
	    module_test_spec(MODULE, "", "{\"root\":{\"readonly\":\"yes\"}}", NULL);
	module_test_expect_error(&readonly, "root.readonly: must be true or false");
	cleanup_module_test_run struct module_test_run mount =
	    module_test_spec(MODULE, "", "{\"root\":{},\"mounts\":[{\"destination\":1}]}", NULL);
	module_test_expect_error(&mount, "mounts[0].destination: must be a string");
}
