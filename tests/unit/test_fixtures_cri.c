/* SPDX-License-Identifier: Apache-2.0 */
/* The three config.json files containerd's CRI plugin really wrote (see
 * tests/fixtures/cri/README.md), hardened by the default policy: each is
 * hardened as the policy says, while every annotation and unknown field
 * survives. */
#include "harden.h"
#include "helpers.h"

/* The fixtures join the sandbox's namespaces by /proc/<pid>/ns/... paths of a
 * pid on the machine they were captured on: not the host's. */
static int fixture_namespace_is_host(const char *type, const char *path)
{
	return strncmp(path, "/proc/1/", 8) == 0 || strncmp(path, "/proc/self/", 11) == 0;
}

/* The bundle containerd's runc v2 shim gives the runtime. The fixtures'
 * bind sources all lie where containerd binds from, under its default
 * directories: the edge does not look at the host's daemons for them. */
static const struct test_host fixture_host = {
    .namespace_is_host = fixture_namespace_is_host,
    .bundle = "/run/containerd/io.containerd.runtime.v2.task/k8s.io/"
	      "2308e5144227d98da0dc938fee05d9ca913c7e60bf174516ac35a35b65cb3231",
    .not_surveyed = true,
};

static struct json *harden_fixture(const char *name, struct json **original, struct report *report)
{
	size_t len;
	cleanup_free char *text = test_read_fixture(name, &len);
	oh_error_t err = NULL;
	struct json *spec = json_parse(text, len, JSON_PARSE_GO_STRICT, &err);
	cr_assert_not_null(spec, "%s: %s", name, err ? err->msg : "");
	*original = json_clone(spec);
	cleanup_policy struct policy *policy = NULL;
	cr_assert_eq(policy_load_default(&policy, &err), 0);
	cr_assert_eq(test_harden_spec(spec, policy, &fixture_host, report, &err), 0, "%s",
		     err ? err->msg : "");
	return spec;
}

/* Every member of `original` is in `hardened` unless the hardening rules own
 * it; annotations come through exactly. */
static void assert_preserved(const struct json *original, const struct json *hardened)
{
	cr_assert(json_equal(json_object_get(original, "annotations"),
			     json_object_get(hardened, "annotations")));
	for (size_t i = 0; i < original->object.len; i++)
		cr_assert_not_null(json_object_get_raw(hardened, original->object.members[i].key),
				   "member %s lost", original->object.members[i].key);
	const char *untouched[] = {"ociVersion", "hostname", "annotations"};
	for (size_t i = 0; i < ARRAY_SIZE(untouched); i++)
		cr_assert(json_equal(json_object_get(original, untouched[i]),
				     json_object_get(hardened, untouched[i])),
			  "%s changed", untouched[i]);
	/* The namespaces stay, and a cgroup namespace is added: containerd 1.6
	 * gives none on a host with cgroup v1. */
	const struct json *before = test_get(original, "linux.namespaces");
	const struct json *after = test_get(hardened, "linux.namespaces");
	cr_assert_eq(after->array.len, before->array.len + 1);
	for (size_t i = 0; i < before->array.len; i++)
		cr_assert(json_equal(before->array.items[i], after->array.items[i]));
	cleanup_free char *added = test_text(after->array.items[before->array.len]);
	cr_assert_str_eq(added, "{\"type\":\"cgroup\"}");
	cr_assert(json_equal(test_get(original, "linux.resources"),
			     test_get(hardened, "linux.resources")));
	cr_assert(json_equal(test_get(original, "process.env"), test_get(hardened, "process.env")));
}

static void assert_hardened(const struct json *spec)
{
	cleanup_free char *bounding = test_text(test_get(spec, "process.capabilities.bounding"));
	cr_assert_str_eq(bounding, "[\"CAP_NET_BIND_SERVICE\"]");
	cleanup_free char *user = test_text(test_get(spec, "process.user"));
	cr_assert(strstr(user, "\"uid\":65534") && strstr(user, "\"gid\":65534"), "%s", user);
	cr_assert(!strstr(user, "[0"), "no gid 0 left among additionalGids: %s", user);
	cr_assert(test_get(spec, "process.noNewPrivileges")->boolean);
	cr_assert(test_get(spec, "root.readonly")->boolean);
	const struct json *seccomp = test_get(spec, "linux.seccomp");
	cr_assert_not_null(seccomp);
	cr_assert_str_eq(json_object_get(seccomp, "defaultAction")->string.ptr, "SCMP_ACT_ERRNO");
	cr_assert_eq(test_get(spec, "linux.maskedPaths")->array.len, 11);
}

Test(fixtures_cri, kubelet_default_container)
{
	cleanup_report struct report report = {0};
	cleanup_json struct json *original = NULL;
	cleanup_json struct json *spec =
	    harden_fixture("cri/default.config.json", &original, &report);
	assert_hardened(spec);
	assert_preserved(original, spec);
	cr_assert_null(report_first_refusal(&report), "joining the sandbox's namespaces is fine");
	/* It had no seccomp profile, so it gets the default one. */
	cr_assert_gt(report_count(&report, DECISION_CHANGE), 5);
	cleanup_free char *mounts = test_text(test_get(spec, "mounts"));
	cr_assert(strstr(mounts, "{\"destination\":\"/tmp\",\"type\":\"tmpfs\""));
}

/* The name's action in a profile: that of the rule naming it without
 * conditions, "conditional" when only conditional rules name it, else the
 * default action. */
static const char *fixture_action_of(const struct json *profile, const char *name)
{
	const char *found = NULL;
	const struct json *rules = json_object_get(profile, "syscalls");
	for (size_t i = 0; rules && i < rules->array.len; i++) {
		const struct json *rule = rules->array.items[i];
		const struct json *names = json_object_get(rule, "names");
		const struct json *args = json_object_get(rule, "args");
		for (size_t j = 0; j < names->array.len; j++) {
			if (strcmp(names->array.items[j]->string.ptr, name) != 0)
				continue;
			if (args && args->array.len)
				found = found ? found : "conditional";
			else
				return json_object_get(rule, "action")->string.ptr;
		}
	}
	return found ? found : json_object_get(profile, "defaultAction")->string.ptr;
}

Test(fixtures_cri, restricted_container_loses_what_the_default_profile_denies)
{
	cleanup_report struct report report = {0};
	cleanup_json struct json *original = NULL;
	cleanup_json struct json *spec =
	    harden_fixture("cri/restricted.config.json", &original, &report);
	assert_preserved(original, spec);
	/* containerd's RuntimeDefault profile lets io_uring and ptrace
	 * through; the default policy's profile denies them (issue 9): a
	 * restricted pod is now hardened no less than a default one. */
	const struct json *before = test_get(original, "linux.seccomp");
	const struct json *after = test_get(spec, "linux.seccomp");
	const char *denied[] = {"io_uring_setup", "io_uring_enter", "io_uring_register", "ptrace"};
	for (size_t i = 0; i < ARRAY_SIZE(denied); i++) {
		cr_assert_str_eq(fixture_action_of(before, denied[i]), "SCMP_ACT_ALLOW");
		cr_assert_str_eq(fixture_action_of(after, denied[i]), "SCMP_ACT_ERRNO", "%s",
				 denied[i]);
	}
	const char *kept[] = {"read", "write", "openat", "execve", "futex", "epoll_wait"};
	for (size_t i = 0; i < ARRAY_SIZE(kept); i++)
		cr_assert_str_eq(fixture_action_of(after, kept[i]), "SCMP_ACT_ALLOW", "%s",
				 kept[i]);
	cr_assert(json_equal(test_get(original, "process"), test_get(spec, "process")));
	cr_assert_null(report_first_refusal(&report));
	/* The cgroup namespace, the /tmp tmpfs, and the seccomp merge: its
	 * architectures, the syscalls the policy denies, those it allows only
	 * with its argument conditions (socket and clone), and the 32-bit
	 * names that are no syscalls of x86_64. Then what it can write made
	 * noexec (/dev, the sandbox's /dev/shm, /tmp) and the memfd hook. */
	cr_assert_eq(report_count(&report, DECISION_CHANGE), 10);
	const char *noexec[] = {"mounts[1].options", "mounts[9].options", "mounts[10].options",
				"hooks.createRuntime[0]"};
	for (size_t i = 0; i < ARRAY_SIZE(noexec); i++) {
		const struct decision *d = &report.items[report.len - ARRAY_SIZE(noexec) + i];
		cr_assert_str_eq(d->rule, "noexec");
		cr_assert_str_eq(d->path, noexec[i]);
	}
	cr_assert_str_eq(report.items[report.len - ARRAY_SIZE(noexec) - 1].path, "mounts[10]");
}

Test(fixtures_cri, pause_sandbox)
{
	cleanup_report struct report report = {0};
	cleanup_json struct json *original = NULL;
	cleanup_json struct json *spec =
	    harden_fixture("cri/sandbox.config.json", &original, &report);
	assert_hardened(spec);
	assert_preserved(original, spec);
	/* The pod was captured with host networking: the sandbox has no network
	 * (nor, with it, UTS) namespace of its own, which the default policy
	 * refuses. */
	cr_assert_eq(report_count(&report, DECISION_REFUSE), 2);
	const struct decision *refusal = report_first_refusal(&report);
	cr_assert(strstr(refusal->reason, "no network namespace"), "%s", refusal->reason);
	cr_assert(json_equal(test_get(original, "process.oomScoreAdj"),
			     test_get(spec, "process.oomScoreAdj")));
}

Test(fixtures_cri, hardening_twice_changes_nothing_more)
{
	const char *names[] = {"cri/default.config.json", "cri/restricted.config.json",
			       "cri/sandbox.config.json"};
	for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
		cleanup_report struct report report = {0};
		cleanup_json struct json *original = NULL;
		cleanup_json struct json *spec = harden_fixture(names[i], &original, &report);
		cleanup_policy struct policy *policy = NULL;
		oh_error_t err = NULL;
		cr_assert_eq(policy_load_default(&policy, &err), 0);
		cleanup_report struct report again = {0};
		cr_assert_eq(test_harden_spec(spec, policy, &fixture_host, &again, &err), 0);
		cr_assert_eq(report_count(&again, DECISION_CHANGE), 0, "%s", names[i]);
	}
}

/* The CRI's privileged shape, made from the kubelet-default fixture the way
 * containerd's CRI plugin makes a privileged container: every capability,
 * every device allowed, no masked or read-only paths, sysfs writable,
 * AppArmor unconfined. Refused, with one message that says so first. */
Test(fixtures_cri, the_cri_privileged_shape_is_refused_as_privileged)
{
	size_t len;
	cleanup_free char *text = test_read_fixture("cri/default.config.json", &len);
	oh_error_t err = NULL;
	cleanup_json struct json *spec = json_parse(text, len, JSON_PARSE_GO_STRICT, &err);
	cr_assert_not_null(spec);

	struct json *caps = (struct json *)test_get(spec, "process.capabilities");
	static const char *const every_capability[] = {"CAP_CHOWN",
						       "CAP_DAC_OVERRIDE",
						       "CAP_DAC_READ_SEARCH",
						       "CAP_FOWNER",
						       "CAP_FSETID",
						       "CAP_KILL",
						       "CAP_SETGID",
						       "CAP_SETUID",
						       "CAP_SETPCAP",
						       "CAP_LINUX_IMMUTABLE",
						       "CAP_NET_BIND_SERVICE",
						       "CAP_NET_BROADCAST",
						       "CAP_NET_ADMIN",
						       "CAP_NET_RAW",
						       "CAP_IPC_LOCK",
						       "CAP_IPC_OWNER",
						       "CAP_SYS_MODULE",
						       "CAP_SYS_RAWIO",
						       "CAP_SYS_CHROOT",
						       "CAP_SYS_PTRACE",
						       "CAP_SYS_PACCT",
						       "CAP_SYS_ADMIN",
						       "CAP_SYS_BOOT",
						       "CAP_SYS_NICE",
						       "CAP_SYS_RESOURCE",
						       "CAP_SYS_TIME",
						       "CAP_SYS_TTY_CONFIG",
						       "CAP_MKNOD",
						       "CAP_LEASE",
						       "CAP_AUDIT_WRITE",
						       "CAP_AUDIT_CONTROL",
						       "CAP_SETFCAP",
						       "CAP_MAC_OVERRIDE",
						       "CAP_MAC_ADMIN",
						       "CAP_SYSLOG",
						       "CAP_WAKE_ALARM",
						       "CAP_BLOCK_SUSPEND",
						       "CAP_AUDIT_READ",
						       "CAP_PERFMON",
						       "CAP_BPF",
						       "CAP_CHECKPOINT_RESTORE"};
	cleanup_json struct json *all = json_new_array();
	for (size_t c = 0; c < ARRAY_SIZE(every_capability); c++)
		json_array_append(all, json_new_string(every_capability[c]));
	const char *sets[] = {"bounding", "effective", "permitted"};
	for (size_t i = 0; i < ARRAY_SIZE(sets); i++)
		json_object_set(caps, sets[i], json_clone(all));
	json_object_set((struct json *)json_object_get(spec, "process"), "apparmorProfile",
			json_new_string("unconfined"));
	struct json *linux_obj = (struct json *)json_object_get(spec, "linux");
	json_object_set(linux_obj, "maskedPaths", json_new_array());
	json_object_set(linux_obj, "readonlyPaths", json_new_array());
	struct json *resources = (struct json *)json_object_get(linux_obj, "resources");
	json_object_set(resources, "devices", test_parse("[{\"allow\":true,\"access\":\"rwm\"}]"));
	struct json *mounts = (struct json *)json_object_get(spec, "mounts");
	for (size_t i = 0; i < mounts->array.len; i++) {
		struct json *m = mounts->array.items[i];
		if (strcmp(json_object_get(m, "type")->string.ptr, "sysfs") == 0)
			json_object_set(m, "options",
					test_parse("[\"nosuid\",\"noexec\",\"nodev\"]"));
	}

	cleanup_policy struct policy *policy = NULL;
	cr_assert_eq(policy_load_default(&policy, &err), 0);
	cleanup_report struct report report = {0};
	cr_assert_eq(test_harden_spec(spec, policy, &fixture_host, &report, &err), 0, "%s",
		     err ? err->msg : "");
	const struct decision *first = report_first_refusal(&report);
	cr_assert_not_null(first, "the privileged shape is refused");
	cr_assert(strstr(first->reason, "privileged container"), "%s", first->reason);
	/* the writable sysfs is refused as well, after it */
	cr_assert_eq(report_count(&report, DECISION_REFUSE), 2);
}
