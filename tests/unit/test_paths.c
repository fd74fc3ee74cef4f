/* SPDX-License-Identifier: Apache-2.0 */
/* src/harden/paths.c: the standard masked and read-only paths (runc's and
 * containerd's defaults) are put back when a config lacks any. */
#include "module_test.h"

#define MODULE (&harden_module_paths)

static const char standard_masked[] =
    "[\"/proc/acpi\",\"/proc/asound\",\"/proc/kcore\",\"/proc/keys\",\"/proc/latency_stats\","
    "\"/proc/timer_list\",\"/proc/timer_stats\",\"/proc/sched_debug\",\"/proc/scsi\","
    "\"/sys/firmware\",\"/sys/devices/virtual/powercap\"]";
static const char standard_readonly[] =
    "[\"/proc/bus\",\"/proc/fs\",\"/proc/irq\",\"/proc/sys\",\"/proc/sysrq-trigger\"]";

Test(paths, an_unmasked_config_gets_them_all)
{
	cleanup_module_test_run struct module_test_run run =
	    module_test_spec(MODULE, "", "{\"linux\":{}}", NULL);
	module_test_expect_ok(&run, 2);
	module_test_expect(&run, "linux.maskedPaths", standard_masked);
	module_test_expect(&run, "linux.readonlyPaths", standard_readonly);
	const struct decision *d = module_test_decision(&run, "linux.readonlyPaths");
	cr_expect_str_eq(d->reason, "standard paths put back: /proc/bus, /proc/fs, /proc/irq, "
				    "/proc/sys, /proc/sysrq-trigger");
	module_test_expect_lift(d, "(none)");
}

Test(paths, the_missing_ones_are_added_after_the_configs_own)
{
	cleanup_module_test_run struct module_test_run run = module_test_spec(
	    MODULE, "",
	    "{\"linux\":{\"readonlyPaths\":[\"/etc/x\",\"/proc/bus\",\"/proc/fs\",\"/proc/irq\","
	    "\"/proc/sysrq-trigger\"],\"maskedPaths\":[]}}",
	    NULL);
	module_test_expect_ok(&run, 2);
	module_test_expect(&run, "linux.readonlyPaths",
			   "[\"/etc/x\",\"/proc/bus\",\"/proc/fs\",\"/proc/irq\","
			   "\"/proc/sysrq-trigger\",\"/proc/sys\"]");
	cr_expect_str_eq(module_test_decision(&run, "linux.readonlyPaths")->reason,
			 "standard paths put back: /proc/sys");
}

Test(paths, a_config_with_them_all_is_left_alone)
{
	cleanup_free char *text = xasprintf("{\"linux\":{\"maskedPaths\":%s,\"readonlyPaths\":%s}}",
					    standard_masked, standard_readonly);
	cleanup_module_test_run struct module_test_run run =
	    module_test_spec(MODULE, "", text, NULL);
	module_test_expect_ok(&run, 0);
	cleanup_module_test_run struct module_test_run bad = module_test_spec(
	    MODULE, "", "{\"linux\":{\"maskedPaths\":[\"/proc/kcore\",false]}}", NULL);
	module_test_expect_error(&bad, "linux.maskedPaths[1]: must be a string");
}

/* The search for each standard path starts past the one found before (the
 * usual order) and goes round: any order finds them all, and only the
 * missing one is put back. */
Test(paths, every_order_finds_the_ones_there)
{
	cleanup_module_test_run struct module_test_run run = module_test_spec(
	    MODULE, "",
	    "{\"linux\":{\"readonlyPaths\":[\"/proc/sysrq-trigger\",\"/proc/fs\",\"/etc/x\","
	    "\"/proc/bus\",\"/proc/irq\",\"/proc/fs\"]}}",
	    NULL);
	module_test_expect_ok(&run, 2);
	module_test_expect(&run, "linux.readonlyPaths",
			   "[\"/proc/sysrq-trigger\",\"/proc/fs\",\"/etc/x\",\"/proc/bus\","
			   "\"/proc/irq\",\"/proc/fs\",\"/proc/sys\"]");
	cr_expect_str_eq(module_test_decision(&run, "linux.readonlyPaths")->reason,
			 "standard paths put back: /proc/sys");
}
