/* SPDX-License-Identifier: Apache-2.0 */
/* Each hardening rule, on small specs, through the pure core. */
#include "harden.h"
#include "helpers.h"

static struct policy *policy;
static const struct test_host no_apparmor = {0};
static const struct test_host apparmor_loaded = {.apparmor_enabled = true,
						 .apparmor_profile_loaded = true};

static void load_default(void)
{
	oh_error_t err = NULL;
	cr_assert_eq(policy_load_default(&policy, &err), 0, "%s", err ? err->msg : "");
}

static void free_policy(void)
{
	policy_free(policy);
}

TestSuite(harden, .init = load_default, .fini = free_policy);

/* Harden `text` and return the tree; the report goes to `report`. */
static struct json *harden_text(const char *text, const struct test_host *host,
				struct report *report)
{
	struct json *spec = test_parse(text);
	oh_error_t err = NULL;
	int r = test_harden_spec(spec, policy, host, report, &err);
	cr_assert_eq(r, 0, "harden failed: %s", err ? err->msg : "");
	return spec;
}

static void assert_json_at(const struct json *spec, const char *path, const char *expected)
{
	cleanup_free char *got = test_text(test_get(spec, path));
	cr_assert_str_eq(got, expected, "%s", path);
}

static const struct decision *find_decision(const struct report *r, const char *path)
{
	for (size_t i = 0; i < r->len; i++)
		if (strcmp(r->items[i].path, path) == 0)
			return &r->items[i];
	return NULL;
}

static void assert_harden_fails(const char *text, const char *expected_in_message)
{
	cleanup_json struct json *spec = test_parse(text);
	cleanup_report struct report report = {0};
	oh_error_t err = NULL;
	cr_assert_lt(test_harden_spec(spec, policy, &no_apparmor, &report, &err), 0);
	cr_assert(strstr(err->msg, expected_in_message), "message \"%s\" lacks \"%s\"", err->msg,
		  expected_in_message);
	oh_error_free(&err);
}

Test(harden, capabilities_keep_only_the_allowlist_in_all_five_sets)
{
	cleanup_report struct report report = {0};
	cleanup_json struct json *spec =
	    harden_text("{\"process\":{\"capabilities\":{"
			"\"bounding\":[\"CAP_SYS_ADMIN\",\"CAP_NET_BIND_SERVICE\",\"CAP_KILL\"],"
			"\"effective\":[\"CAP_NET_BIND_SERVICE\",\"CAP_NET_RAW\"],"
			"\"inheritable\":[\"CAP_CHOWN\"],"
			"\"permitted\":[\"CAP_NET_BIND_SERVICE\"],"
			"\"ambient\":[\"CAP_SYS_PTRACE\"]}}}",
			&no_apparmor, &report);
	assert_json_at(spec, "process.capabilities.bounding", "[\"CAP_NET_BIND_SERVICE\"]");
	assert_json_at(spec, "process.capabilities.effective", "[\"CAP_NET_BIND_SERVICE\"]");
	assert_json_at(spec, "process.capabilities.inheritable", "[]");
	assert_json_at(spec, "process.capabilities.permitted", "[\"CAP_NET_BIND_SERVICE\"]");
	assert_json_at(spec, "process.capabilities.ambient", "[]");
	/* permitted was already within the allowlist: no decision for it */
	cr_assert_null(find_decision(&report, "process.capabilities.permitted"));
	const struct decision *d = find_decision(&report, "process.capabilities.bounding");
	cr_assert_not_null(d);
	cr_assert(strstr(d->reason, "CAP_SYS_ADMIN") && strstr(d->reason, "CAP_KILL"));
	cleanup_free char *old_text = json_to_string(d->old_value, false);
	cr_assert_str_eq(old_text, "[\"CAP_SYS_ADMIN\",\"CAP_NET_BIND_SERVICE\",\"CAP_KILL\"]");
}

Test(harden, capabilities_are_never_added)
{
	cleanup_report struct report report = {0};
	cleanup_json struct json *spec =
	    harden_text("{\"process\":{\"capabilities\":{\"bounding\":[\"CAP_KILL\"]}}}",
			&no_apparmor, &report);
	assert_json_at(spec, "process.capabilities.bounding", "[]");
	cr_assert_null(test_get(spec, "process.capabilities.effective"));
}

Test(harden, capabilities_reject_a_non_string)
{
	assert_harden_fails("{\"process\":{\"capabilities\":{\"bounding\":[1]}}}",
			    "process.capabilities.bounding[0]");
	assert_harden_fails("{\"process\":{\"capabilities\":[]}}", "process.capabilities");
}

Test(harden, user_root_becomes_nobody_and_gid_0_leaves_the_groups)
{
	cleanup_report struct report report = {0};
	cleanup_json struct json *spec = harden_text(
	    "{\"process\":{\"user\":{\"uid\":0,\"gid\":0,\"additionalGids\":[0,10,0]}}}",
	    &no_apparmor, &report);
	assert_json_at(spec, "process.user.uid", "65534");
	assert_json_at(spec, "process.user.gid", "65534");
	assert_json_at(spec, "process.user.additionalGids", "[10]");
	cr_assert_not_null(find_decision(&report, "process.user.uid"));
	cr_assert_not_null(find_decision(&report, "process.user.additionalGids"));
}

Test(harden, user_missing_means_root_to_runc)
{
	cleanup_report struct report report = {0};
	cleanup_json struct json *spec =
	    harden_text("{\"process\":{\"args\":[\"sh\"]}}", &no_apparmor, &report);
	assert_json_at(spec, "process.user.uid", "65534");
	assert_json_at(spec, "process.user.gid", "65534");
}

Test(harden, user_non_root_ids_stay)
{
	cleanup_report struct report report = {0};
	cleanup_json struct json *spec =
	    harden_text("{\"process\":{\"user\":{\"uid\":1000,\"gid\":0}}}", &no_apparmor, &report);
	assert_json_at(spec, "process.user.uid", "1000");
	assert_json_at(spec, "process.user.gid", "65534");
	cr_assert_null(find_decision(&report, "process.user.uid"));
}

Test(harden, user_allow_root_leaves_root)
{
	policy->allow_root = true;
	cleanup_report struct report report = {0};
	cleanup_json struct json *spec =
	    harden_text("{\"process\":{\"user\":{\"uid\":0,\"gid\":0,\"additionalGids\":[0]}}}",
			&no_apparmor, &report);
	assert_json_at(spec, "process.user", "{\"uid\":0,\"gid\":0,\"additionalGids\":[0]}");
}

Test(harden, user_ids_runc_cannot_read_are_errors)
{
	assert_harden_fails("{\"process\":{\"user\":{\"uid\":\"0\"}}}", "process.user.uid");
	assert_harden_fails("{\"process\":{\"user\":{\"uid\":0.5}}}", "process.user.uid");
	assert_harden_fails("{\"process\":{\"user\":{\"uid\":4294967296}}}", "process.user.uid");
	assert_harden_fails("{\"process\":{\"user\":{\"additionalGids\":[-1]}}}",
			    "process.user.additionalGids[0]");
}

Test(harden, no_new_privileges_is_set_once)
{
	cleanup_report struct report report = {0};
	cleanup_json struct json *spec =
	    harden_text("{\"process\":{\"noNewPrivileges\":false}}", &no_apparmor, &report);
	assert_json_at(spec, "process.noNewPrivileges", "true");
	cleanup_report struct report again = {0};
	oh_error_t err = NULL;
	cr_assert_eq(test_harden_spec(spec, policy, &no_apparmor, &again, &err), 0);
	cr_assert_eq(report_count(&again, DECISION_CHANGE), 0, "hardening is idempotent");
	assert_harden_fails("{\"process\":{\"noNewPrivileges\":\"yes\"}}",
			    "process.noNewPrivileges");
}

/* tests/unit/test_seccomp.c covers the merge of a container's own profile;
 * these are the module's two ends: install where there is nothing, keep
 * what is already stricter. */
Test(harden, seccomp_installed_where_the_config_has_no_filter)
{
	const char *cases[] = {
	    "{\"process\":{}}",
	    "{\"process\":{},\"linux\":{\"seccomp\":null}}",
	    /* runc installs no filter for it (specconv SetupSeccomp). */
	    "{\"process\":{},\"linux\":{\"seccomp\":{\"syscalls\":[]}}}",
	};
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		cleanup_report struct report report = {0};
		cleanup_json struct json *spec = harden_text(cases[i], &no_apparmor, &report);
		const struct json *installed = test_get(spec, "linux.seccomp");
		oh_error_t err = NULL;
		cleanup_json struct json *profile = policy_seccomp_profile(policy, &err);
		cr_assert(installed && json_equal(installed, profile), "case %zu", i);
		const struct decision *d = find_decision(&report, "linux.seccomp");
		cr_assert_not_null(d, "case %zu", i);
		cr_assert_str_eq(d->lift.key, "seccomp.profile");
	}
}

/* A profile stricter than the policy's stays as written, whatever
 * seccomp.replace says: hardening never loosens. */
Test(harden, seccomp_a_stricter_profile_stays_even_with_replace_always)
{
	const char *text = "{\"process\":{},\"linux\":{\"seccomp\":{\"defaultAction\":"
			   "\"SCMP_ACT_ERRNO\",\"syscalls\":[]}}}";
	for (int replace = 0; replace < 2; replace++) {
		policy->seccomp_replace =
		    replace ? SECCOMP_REPLACE_ALWAYS : SECCOMP_REPLACE_MISSING;
		cleanup_report struct report report = {0};
		cleanup_json struct json *spec = harden_text(text, &no_apparmor, &report);
		assert_json_at(spec, "linux.seccomp",
			       "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[]}");
		cr_assert_null(find_decision(&report, "linux.seccomp"));
		cr_assert_null(find_decision(&report, "linux.seccomp.syscalls"));
	}
	assert_harden_fails("{\"linux\":{\"seccomp\":\"unconfined\"}}", "linux.seccomp");
}

Test(harden, apparmor_only_where_the_host_can_apply_it)
{
	cleanup_report struct report report = {0};
	cleanup_json struct json *spec = harden_text("{\"process\":{}}", &no_apparmor, &report);
	cr_assert_null(test_get(spec, "process.apparmorProfile"));
	const struct decision *d = find_decision(&report, "process.apparmorProfile");
	cr_assert(d && d->kind == DECISION_WARN);
	cr_assert(strstr(d->reason, "not enabled"));

	cleanup_report struct report report2 = {0};
	cleanup_json struct json *spec2 = harden_text(
	    "{\"process\":{\"apparmorProfile\":\"unconfined\"}}", &apparmor_loaded, &report2);
	assert_json_at(spec2, "process.apparmorProfile", "\"oci-harden-default\"");

	const struct test_host not_loaded = {.apparmor_enabled = true};
	cleanup_report struct report report3 = {0};
	cleanup_json struct json *spec3 = harden_text("{\"process\":{}}", &not_loaded, &report3);
	d = find_decision(&report3, "process.apparmorProfile");
	cr_assert(d && d->kind == DECISION_WARN && strstr(d->reason, "not loaded"));

	policy->apparmor_required = true;
	cleanup_report struct report report4 = {0};
	cleanup_json struct json *spec4 = harden_text("{\"process\":{}}", &no_apparmor, &report4);
	cr_assert_not_null(report_first_refusal(&report4));
}

Test(harden, rootfs_read_only_with_a_tmpfs)
{
	cleanup_report struct report report = {0};
	cleanup_json struct json *spec = harden_text(
	    "{\"process\":{},\"root\":{\"path\":\"rootfs\",\"readonly\":false},"
	    "\"mounts\":[{\"destination\":\"/proc\",\"type\":\"proc\",\"source\":\"proc\"}]}",
	    &no_apparmor, &report);
	assert_json_at(spec, "root", "{\"path\":\"rootfs\",\"readonly\":true}");
	cleanup_free char *mounts = test_text(test_get(spec, "mounts"));
	cr_assert_str_eq(mounts,
			 "[{\"destination\":\"/proc\",\"type\":\"proc\",\"source\":\"proc\"},"
			 "{\"destination\":\"/tmp\",\"type\":\"tmpfs\",\"source\":\"tmpfs\","
			 "\"options\":[\"nosuid\",\"nodev\",\"noexec\"]}]");
	cr_assert_not_null(find_decision(&report, "mounts[1]"));
	/* The tmpfs is writable: noexec, a decision of its own (noexec.c). */
	cr_assert_not_null(find_decision(&report, "mounts[1].options"));
}

Test(harden, rootfs_keeps_an_existing_mount_at_tmp)
{
	cleanup_report struct report report = {0};
	cleanup_json struct json *spec = harden_text(
	    "{\"process\":{},\"root\":{\"path\":\"r\"},\"mounts\":[{\"destination\":\"//tmp/\","
	    "\"type\":\"bind\",\"source\":\"/srv/x\"}]}",
	    &no_apparmor, &report);
	cr_assert_eq(test_get(spec, "mounts")->array.len, 1);
	assert_harden_fails("{\"mounts\":{}}", "mounts");
	assert_harden_fails("{\"mounts\":[{\"destination\":7}]}", "mounts[0].destination");
}

Test(harden, standard_masked_and_readonly_paths_put_back)
{
	cleanup_report struct report report = {0};
	cleanup_json struct json *spec = harden_text(
	    "{\"process\":{},\"linux\":{\"maskedPaths\":[\"/proc/kcore\"],\"readonlyPaths\":[]}}",
	    &no_apparmor, &report);
	const struct json *masked = test_get(spec, "linux.maskedPaths");
	cr_assert_eq(masked->array.len, 11);
	cr_assert_str_eq(masked->array.items[0]->string.ptr, "/proc/kcore");
	const struct json *ro = test_get(spec, "linux.readonlyPaths");
	cr_assert_eq(ro->array.len, 5);
	const struct decision *d = find_decision(&report, "linux.maskedPaths");
	cr_assert(d && strstr(d->reason, "/sys/firmware") && !strstr(d->reason, "/proc/kcore"));
}

Test(harden, limits_fill_in_what_is_unset)
{
	policy->pids_limit = 1024;
	policy->rlimits = xrealloc(policy->rlimits, sizeof(*policy->rlimits));
	policy->rlimits[0] =
	    (struct policy_rlimit){.type = xstrdup("RLIMIT_NOFILE"), .soft = 1024, .hard = 4096};
	policy->rlimits_len = 1;
	cleanup_report struct report report = {0};
	cleanup_json struct json *spec = harden_text(
	    "{\"process\":{\"rlimits\":[{\"type\":\"RLIMIT_CORE\",\"hard\":0,\"soft\":0}]}}",
	    &no_apparmor, &report);
	assert_json_at(spec, "linux.resources.pids.limit", "1024");
	cleanup_free char *rl = test_text(test_get(spec, "process.rlimits"));
	cr_assert_str_eq(rl, "[{\"type\":\"RLIMIT_CORE\",\"hard\":0,\"soft\":0},"
			     "{\"type\":\"RLIMIT_NOFILE\",\"hard\":4096,\"soft\":1024}]");

	cleanup_report struct report report2 = {0};
	cleanup_json struct json *spec2 = harden_text(
	    "{\"process\":{\"rlimits\":[{\"type\":\"RLIMIT_NOFILE\",\"hard\":8,\"soft\":8}]},"
	    "\"linux\":{\"resources\":{\"pids\":{\"limit\":50}}}}",
	    &no_apparmor, &report2);
	assert_json_at(spec2, "linux.resources.pids.limit", "50");
	cr_assert_eq(test_get(spec2, "process.rlimits")->array.len, 1);
}

Test(harden, audit_mode_records_but_changes_nothing)
{
	policy->mode = POLICY_AUDIT;
	const char *text = "{\"process\":{\"user\":{\"uid\":0},\"capabilities\":{\"bounding\":"
			   "[\"CAP_SYS_ADMIN\"]}},\"root\":{\"path\":\"r\"}}";
	cleanup_report struct report report = {0};
	cleanup_json struct json *spec = harden_text(text, &no_apparmor, &report);
	cleanup_json struct json *original = test_parse(text);
	cr_assert(json_equal(spec, original), "audit mode must not change the spec");
	cr_assert(report.audit);
	cr_assert_not_null(find_decision(&report, "process.user.uid"));
	cr_assert_not_null(find_decision(&report, "process.capabilities.bounding"));
	cr_assert_not_null(find_decision(&report, "root.readonly"));
}

Test(harden, unknown_fields_and_exact_numbers_survive)
{
	cleanup_report struct report report = {0};
	cleanup_json struct json *spec = harden_text(
	    "{\"x-vendor\":{\"a\":[1,2]},\"process\":{\"rlimits\":[{\"type\":\"RLIMIT_NOFILE\","
	    "\"hard\":18446744073709551615,\"soft\":18446744073709551615}],\"x\":1e400}}",
	    &no_apparmor, &report);
	assert_json_at(spec, "x-vendor", "{\"a\":[1,2]}");
	assert_json_at(spec, "process.x", "1e400");
	cleanup_free char *rl = test_text(test_get(spec, "process.rlimits"));
	cr_assert(strstr(rl, "\"hard\":18446744073709551615,\"soft\":18446744073709551615"));
}

Test(harden, exec_process_object_gets_the_process_rules_only)
{
	cleanup_json struct json *process = test_parse(
	    "{\"user\":{\"uid\":0,\"gid\":0},\"capabilities\":{\"bounding\":[\"CAP_SYS_ADMIN\"]},"
	    "\"args\":[\"sh\"]}");
	cleanup_report struct report report = {0};
	oh_error_t err = NULL;
	cr_assert_eq(harden_process(process, NULL, policy, &(struct host_facts){0}, &report, &err),
		     0);
	assert_json_at(process, "user.uid", "65534");
	assert_json_at(process, "capabilities.bounding", "[]");
	assert_json_at(process, "noNewPrivileges", "true");
	cr_assert_null(json_object_get(process, "linux"), "no spec-level rule on a process");
	cr_assert_null(json_object_get(process, "mounts"));
	cr_assert_not_null(find_decision(&report, "user.uid"));
}

Test(harden, clean_path_keeps_a_clean_path_and_cleans_the_rest)
{
	static const char *const cases[][2] = {
	    {"/", "/"},
	    {"/var/lib/containerd/io.containerd.grpc.v1.cri/sandboxes/"
	     "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef/hostname",
	     "/var/lib/containerd/io.containerd.grpc.v1.cri/sandboxes/"
	     "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef/hostname"},
	    {"/a/.hidden/b..c/...", "/a/.hidden/b..c/..."},
	    {"/a//b", "/a/b"},
	    {"/a/b/", "/a/b"},
	    {"/a/./b", "/a/b"},
	    {"/a/b/.", "/a/b"},
	    {"/a/b/../c", "/a/c"},
	    {"/a/b/..", "/a"},
	    {"/..", "/"},
	    {"/var/run/docker.sock", "/run/docker.sock"},
	    {"/var/run", "/run"},
	    {"/var/runner", "/var/runner"},
	    {"a/../b", "b"},
	};
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		cleanup_free char *clean = harden_clean_path(cases[i][0]);
		cr_assert_str_eq(clean, cases[i][1], "%s", cases[i][0]);
	}
	cr_assert_null(harden_clean_path("../a"));
}

Test(harden, path_within_holds_a_path_to_a_directory_by_components)
{
	cr_assert(harden_path_within("/", "/"));
	cr_assert(harden_path_within("/var/lib", "/"));
	cr_assert(harden_path_within("/var/lib", "/var/lib"));
	cr_assert(harden_path_within("/var/lib/x", "/var/lib"));
	cr_assert(harden_path_within("/var/lib", "/var"));
	cr_assert_not(harden_path_within("/var/library", "/var/lib"));
	cr_assert_not(harden_path_within("/var", "/var/lib"));
	cr_assert_not(harden_path_within("/", "/var"));
	cr_assert_not(harden_path_within("/proc", "/var"));
	cr_assert_not(harden_path_within("/v", "/var"));
	cr_assert_not(harden_path_within("", "/var"));
	cr_assert_not(harden_path_within("/run", "/r"));
	cr_assert(harden_path_within("/r/x", "/r"));
}
