/* SPDX-License-Identifier: Apache-2.0 */
/* src/harden/hooks.c: OCI hooks run on the host as root; every one is
 * refused unless the policy allows its path. */
#include "module_test.h"

#define MODULE (&harden_module_hooks)

Test(hooks, every_phase_is_refused)
{
	static const char *const phases[] = {"prestart",       "createRuntime", "createContainer",
					     "startContainer", "poststart",	"poststop"};
	for (size_t i = 0; i < ARRAY_SIZE(phases); i++) {
		cleanup_free char *text = xasprintf(
		    "{\"hooks\":{\"%s\":[{\"path\":\"/bin/sh\",\"args\":[\"sh\"]}]}}", phases[i]);
		cleanup_module_test_run struct module_test_run run =
		    module_test_spec(MODULE, "", text, NULL);
		module_test_expect_ok(&run, 1);
		cleanup_free char *path = xasprintf("hooks.%s[0]", phases[i]);
		const struct decision *d = module_test_decision(&run, path);
		cr_expect_eq(d->kind, DECISION_REFUSE);
		cleanup_free char *reason = xasprintf(
		    "%s hook /bin/sh would run on the host as root (the policy may allow it in "
		    "hooks)",
		    phases[i]);
		cr_expect_str_eq(d->reason, reason);
		module_test_expect_lift(d, "\"allow.hooks\" += [\"/bin/sh\"]");
	}
}

Test(hooks, allowed_paths_pass)
{
	cleanup_module_test_run struct module_test_run run = module_test_spec(
	    MODULE, "{\"allow\": {\"hooks\": [\"/usr/bin/nvidia-*\"]}}",
	    "{\"hooks\":{\"prestart\":[{\"path\":\"/usr/bin/nvidia-container-runtime-hook\"},"
	    "{\"path\":\"/tmp/evil\"}]}}",
	    NULL);
	module_test_expect_ok(&run, 1);
	module_test_decision(&run, "hooks.prestart[1]");
	cleanup_module_test_run struct module_test_run none =
	    module_test_spec(MODULE, "", "{\"hooks\":{}}", NULL);
	module_test_expect_ok(&none, 0);
}

/* The createRuntime hook oci-harden adds itself (noexec.c) passes where
 * it would add it: exactly its binary and arguments, in a pid namespace
 * the runtime creates. Anything else with its name is any other hook. */
Test(hooks, oci_hardens_own_memfd_hook_passes)
{
	static const char *const pid_new = "\"linux\":{\"namespaces\":[{\"type\":\"pid\"}]}";
	static const char *const pid_joined =
	    "\"linux\":{\"namespaces\":[{\"type\":\"pid\",\"path\":\"/proc/1/ns/pid\"}]}";
	static const char *const own = "{\"path\":\"/usr/local/sbin/oci-harden\",\"args\":[\"oci-"
				       "harden\",\"memfd-noexec\"]}";
	struct {
		const char *namespaces, *phase, *hook;
		bool passes;
	} cases[] = {
	    {pid_new, "createRuntime", own, true},
	    {pid_new, "createContainer", own, false},
	    {pid_joined, "createRuntime", own, false},
	    {"\"linux\":{}", "createRuntime", own, false},
	    {pid_new, "prestart", own, false},
	    {pid_new, "createRuntime",
	     "{\"path\":\"/usr/local/sbin/oci-harden\",\"args\":[\"oci-harden\",\"diff\"]}", false},
	    {pid_new, "createRuntime",
	     "{\"path\":\"/tmp/oci-harden\",\"args\":[\"oci-harden\",\"memfd-noexec\"]}", false},
	    {pid_new, "createRuntime",
	     "{\"path\":\"/usr/local/sbin/oci-harden\",\"args\":[\"oci-harden\",\"memfd-"
	     "noexec\"],\"env\":[\"LD_PRELOAD=/tmp/x\"]}",
	     false},
	};
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		cleanup_free char *text =
		    xasprintf("{%s,\"hooks\":{\"%s\":[%s]}}", cases[i].namespaces, cases[i].phase,
			      cases[i].hook);
		cleanup_module_test_run struct module_test_run run =
		    module_test_spec(MODULE, "", text, NULL);
		module_test_expect_ok(&run, cases[i].passes ? 0 : 1);
	}
	/* Nor where oci-harden's own path is not known. */
	const struct test_host no_self = {.no_self = true};
	cleanup_free char *text =
	    xasprintf("{%s,\"hooks\":{\"createRuntime\":[%s]}}", pid_new, own);
	cleanup_module_test_run struct module_test_run run =
	    module_test_spec(MODULE, "", text, &no_self);
	module_test_expect_ok(&run, 1);
}

Test(hooks, shapes_the_spec_forbids)
{
	cleanup_module_test_run struct module_test_run path =
	    module_test_spec(MODULE, "", "{\"hooks\":{\"poststop\":[{\"args\":[\"x\"]}]}}", NULL);
	module_test_expect_error(&path, "hooks.poststop[0].path: must be a string");
	cleanup_module_test_run struct module_test_run list =
	    module_test_spec(MODULE, "", "{\"hooks\":{\"prestart\":{}}}", NULL);
	module_test_expect_error(&list, "hooks.prestart: must be an array");
}
