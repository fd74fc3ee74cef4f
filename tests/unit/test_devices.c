/* SPDX-License-Identifier: Apache-2.0 */
/* src/harden/devices.c: host devices and a device cgroup that allows every
 * device (the privileged shape) are refused unless the policy allows them. */
#include "module_test.h"

#define MODULE (&harden_module_devices)

Test(devices, a_host_device_is_refused)
{
	cleanup_module_test_run struct module_test_run run = module_test_spec(
	    MODULE, "",
	    "{\"linux\":{\"devices\":[{\"path\":\"/dev/sda\",\"type\":\"b\",\"major\":8,"
	    "\"minor\":0}]}}",
	    NULL);
	module_test_expect_ok(&run, 1);
	const struct decision *d = module_test_decision(&run, "linux.devices[0]");
	cr_expect_eq(d->kind, DECISION_REFUSE);
	cr_expect_str_eq(d->reason,
			 "host device /dev/sda is refused (the policy may allow it in devices)");
	module_test_expect_lift(d, "\"allow.devices\" += [\"/dev/sda\"]");
	/* Refusing changes nothing: the container does not run. */
	module_test_expect(&run, "linux.devices[0]", "(absent)");
}

Test(devices, the_privileged_device_cgroup_is_refused)
{
	static const char *const rules[] = {
	    "{\"allow\":true}",
	    "{\"allow\":true,\"type\":\"a\"}",
	    "{\"allow\":true,\"type\":\"a\",\"major\":-1,\"minor\":-1}",
	};
	for (size_t i = 0; i < ARRAY_SIZE(rules); i++) {
		cleanup_free char *text = xasprintf(
		    "{\"linux\":{\"resources\":{\"devices\":[{\"allow\":false,\"access\":\"rwm\"},"
		    "%s]}}}",
		    rules[i]);
		cleanup_module_test_run struct module_test_run run =
		    module_test_spec(MODULE, "", text, NULL);
		module_test_expect_ok(&run, 1);
		const struct decision *d = module_test_decision(&run, "linux.resources.devices[1]");
		cr_expect_eq(d->kind, DECISION_REFUSE, "%s", rules[i]);
		module_test_expect_lift(d, "\"allow.devices\" += [\"*\"]");
	}
}

Test(devices, narrow_rules_and_allowed_devices_pass)
{
	cleanup_module_test_run struct module_test_run narrow = module_test_spec(
	    MODULE, "",
	    "{\"linux\":{\"resources\":{\"devices\":[{\"allow\":false,\"access\":\"rwm\"},"
	    "{\"allow\":true,\"type\":\"c\",\"major\":1,\"minor\":3,\"access\":\"rwm\"},"
	    "{\"allow\":true,\"type\":\"c\",\"major\":136}]}}}",
	    NULL);
	module_test_expect_ok(&narrow, 0);
	cleanup_module_test_run struct module_test_run allowed = module_test_spec(
	    MODULE, "{\"allow\": {\"devices\": [\"/dev/fuse\", \"/dev/nvidia*\"]}}",
	    "{\"linux\":{\"devices\":[{\"path\":\"/dev/fuse\"},{\"path\":\"/dev/nvidia0\"}]}}",
	    NULL);
	module_test_expect_ok(&allowed, 0);
	cleanup_module_test_run struct module_test_run everything =
	    module_test_spec(MODULE, "{\"allow\": {\"devices\": [\"*\"]}}",
			     "{\"linux\":{\"resources\":{\"devices\":[{\"allow\":true}]},"
			     "\"devices\":[{\"path\":\"/dev/kmsg\"}]}}",
			     NULL);
	module_test_expect_ok(&everything, 0);
}

Test(devices, shapes_the_spec_forbids)
{
	cleanup_module_test_run struct module_test_run allow = module_test_spec(
	    MODULE, "", "{\"linux\":{\"resources\":{\"devices\":[{\"allow\":\"yes\"}]}}}", NULL);
	module_test_expect_error(&allow, "linux.resources.devices[0].allow: must be true or false");
	cleanup_module_test_run struct module_test_run path =
	    module_test_spec(MODULE, "", "{\"linux\":{\"devices\":[{\"type\":\"c\"}]}}", NULL);
	module_test_expect_error(&path, "linux.devices[0].path: must be a string");
}
