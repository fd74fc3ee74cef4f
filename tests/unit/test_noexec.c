/* SPDX-License-Identifier: Apache-2.0 */
/* src/harden/noexec.c: what the container can write cannot be executed.
 * Writable mounts become noexec as their runtime applies it (plain noexec
 * on a mount of its own, rnoexec on a bound directory, noexec with nosuid
 * and nodev on a bound file), a writable root is refused, and a
 * createRuntime hook makes memfds unexecutable; allow.exec_paths and
 * allow.exec_memfd lift them. */
#include "module_test.h"

#define MODULE (&harden_module_noexec)

/* A config with a read-only root, a new pid namespace, and `mounts`. */
static char *config_with_mounts(const char *mounts)
{
	return xasprintf("{\"root\":{\"path\":\"rootfs\",\"readonly\":true},"
			 "\"linux\":{\"namespaces\":[{\"type\":\"pid\"},{\"type\":\"mount\"}]},"
			 "\"mounts\":[%s]}",
			 mounts);
}

/* Only the mounts: memfds allowed, so that no hook is added. */
#define MOUNTS_ONLY "{\"allow\": {\"exec_memfd\": true}}"

Test(noexec, a_writable_tmpfs_becomes_noexec)
{
	cleanup_free char *text = config_with_mounts(
	    "{\"destination\":\"/tmp\",\"type\":\"tmpfs\",\"source\":\"tmpfs\","
	    "\"options\":[\"nosuid\",\"nodev\"]},"
	    "{\"destination\":\"/dev\",\"type\":\"tmpfs\",\"source\":\"tmpfs\"},"
	    "{\"destination\":\"/scratch\",\"type\":\"tmpfs\",\"source\":\"tmpfs\","
	    "\"options\":[\"exec\",\"size=1m\",\"rexec\"]}");
	cleanup_module_test_run struct module_test_run run =
	    module_test_spec(MODULE, MOUNTS_ONLY, text, NULL);
	module_test_expect_ok(&run, 3);
	module_test_expect(&run, "mounts", /* exec and rexec go: they would undo it */
			   "[{\"destination\":\"/tmp\",\"type\":\"tmpfs\",\"source\":\"tmpfs\","
			   "\"options\":[\"nosuid\",\"nodev\",\"noexec\"]},"
			   "{\"destination\":\"/dev\",\"type\":\"tmpfs\",\"source\":\"tmpfs\","
			   "\"options\":[\"noexec\"]},"
			   "{\"destination\":\"/scratch\",\"type\":\"tmpfs\",\"source\":\"tmpfs\","
			   "\"options\":[\"size=1m\",\"noexec\"]}]");
	const struct decision *d = module_test_decision(&run, "mounts[0].options");
	cr_expect_eq(d->kind, DECISION_CHANGE);
	cr_expect_str_eq(d->rule, "noexec");
	cr_expect_str_eq(d->reason, "the tmpfs at /tmp is writable: noexec, so that nothing "
				    "written there can be executed");
	module_test_expect_lift(d, "\"allow.exec_paths\" += [\"/tmp\"]");
	cleanup_free char *old_value = test_text(d->old_value);
	cr_expect_str_eq(old_value, "[\"nosuid\",\"nodev\"]");
	/* The options were absent: the decision says so. */
	d = module_test_decision(&run, "mounts[1].options");
	cr_expect_null(d->old_value);
	module_test_expect_lift(d, "\"allow.exec_paths\" += [\"/dev\"]");
}

Test(noexec, what_is_noexec_already_or_cannot_hold_a_program_stays)
{
	cleanup_free char *text = config_with_mounts(
	    /* the last of exec and noexec counts */
	    "{\"destination\":\"/dev/shm\",\"type\":\"tmpfs\",\"source\":\"shm\","
	    "\"options\":[\"exec\",\"nosuid\",\"noexec\"]},"
	    /* the kernel's interfaces, writable or not */
	    "{\"destination\":\"/proc\",\"type\":\"proc\",\"source\":\"proc\"},"
	    "{\"destination\":\"/"
	    "sys\",\"type\":\"sysfs\",\"source\":\"sysfs\",\"options\":[\"rw\"]},"
	    "{\"destination\":\"/sys/fs/cgroup\",\"type\":\"cgroup2\",\"source\":\"cgroup\"},"
	    "{\"destination\":\"/dev/mqueue\",\"type\":\"mqueue\",\"source\":\"mqueue\"},"
	    "{\"destination\":\"/dev/pts\",\"type\":\"devpts\",\"source\":\"devpts\"},"
	    /* read-only, however it is said */
	    "{\"destination\":\"/ro\",\"type\":\"tmpfs\",\"source\":\"tmpfs\","
	    "\"options\":[\"rw\",\"ro\"]},"
	    "{\"destination\":\"/rro\",\"type\":\"bind\",\"source\":\"/srv/a\","
	    "\"options\":[\"rbind\",\"rro\"]},"
	    /* an overlay without an upper layer is read-only to the kernel */
	    "{\"destination\":\"/o\",\"type\":\"overlay\",\"source\":\"overlay\","
	    "\"options\":[\"lowerdir=/srv/l1:/srv/l2\"]}");
	cleanup_module_test_run struct module_test_run run =
	    module_test_spec(MODULE, MOUNTS_ONLY, text, NULL);
	module_test_expect_ok(&run, 0);
}

Test(noexec, rrw_makes_a_mount_writable_and_an_overlay_upper_layer_too)
{
	cleanup_free char *text = config_with_mounts(
	    "{\"destination\":\"/rrw\",\"type\":\"tmpfs\",\"source\":\"tmpfs\","
	    "\"options\":[\"ro\",\"rrw\"]},"
	    "{\"destination\":\"/o\",\"type\":\"overlay\",\"source\":\"overlay\","
	    "\"options\":[\"lowerdir=/srv/l,upperdir=/srv/u,workdir=/srv/w\"]}");
	cleanup_module_test_run struct module_test_run run =
	    module_test_spec(MODULE, MOUNTS_ONLY, text, NULL);
	module_test_expect_ok(&run, 2);
	module_test_expect(&run, "mounts", /* */
			   "[{\"destination\":\"/rrw\",\"type\":\"tmpfs\",\"source\":\"tmpfs\","
			   "\"options\":[\"ro\",\"rrw\",\"noexec\"]},"
			   "{\"destination\":\"/o\",\"type\":\"overlay\",\"source\":\"overlay\","
			   "\"options\":[\"lowerdir=/srv/l,upperdir=/srv/u,workdir=/srv/w\","
			   "\"noexec\"]}]");
	const struct decision *d = module_test_decision(&run, "mounts[1].options");
	cr_expect_str_eq(d->reason, "the overlay mount at /o is writable: noexec, so that nothing "
				    "written there can be executed");
}

static mode_t files_are_files(const char *resolved)
{
	return strncmp(resolved, "/srv/file", 9) == 0 ? S_IFREG : S_IFDIR;
}

static bool read_only_srv(const char *resolved)
{
	return strcmp(resolved, "/srv/file-ro") == 0;
}

Test(noexec, a_writable_bind_gets_what_its_runtime_applies)
{
	cleanup_free char *text = config_with_mounts(
	    /* a directory (an emptyDir, a volume): rnoexec, recursive, by
	     * mount_setattr, which leaves its other flags alone */
	    "{\"destination\":\"/data\",\"type\":\"bind\",\"source\":\"/srv/data\","
	    "\"options\":[\"rbind\",\"rprivate\",\"rw\"]},"
	    /* a file: noexec by runc's remount, with nosuid and nodev */
	    "{\"destination\":\"/etc/hosts\",\"type\":\"bind\",\"source\":\"/srv/file\","
	    "\"options\":[\"rbind\",\"rprivate\",\"rw\"]},"
	    /* a file on a read-only mount of the host: ro as well */
	    "{\"destination\":\"/etc/x\",\"type\":\"none\",\"source\":\"/srv/file-ro\","
	    "\"options\":[\"bind\"]},"
	    /* already there: nothing to do */
	    "{\"destination\":\"/d2\",\"type\":\"bind\",\"source\":\"/srv/d2\","
	    "\"options\":[\"rbind\",\"rnoexec\"]},"
	    "{\"destination\":\"/f2\",\"type\":\"bind\",\"source\":\"/srv/file2\","
	    "\"options\":[\"bind\",\"noexec\"]},"
	    /* plain noexec on a directory covers it, not the mounts under it */
	    "{\"destination\":\"/d3\",\"type\":\"bind\",\"source\":\"/srv/d3\","
	    "\"options\":[\"rbind\",\"noexec\",\"rexec\"]}");
	const struct test_host host = {.type_of = files_are_files,
				       .read_only_mount = read_only_srv};
	cleanup_module_test_run struct module_test_run run =
	    module_test_spec(MODULE, MOUNTS_ONLY, text, &host);
	module_test_expect_ok(&run, 4);
	module_test_expect(&run, "mounts",
			   "[{\"destination\":\"/data\",\"type\":\"bind\",\"source\":\"/srv/data\","
			   "\"options\":[\"rbind\",\"rprivate\",\"rw\",\"rnoexec\"]},"
			   "{\"destination\":\"/etc/hosts\",\"type\":\"bind\",\"source\":"
			   "\"/srv/file\",\"options\":[\"rbind\",\"rprivate\",\"rw\",\"noexec\","
			   "\"nosuid\",\"nodev\"]},"
			   "{\"destination\":\"/etc/x\",\"type\":\"none\",\"source\":"
			   "\"/srv/file-ro\",\"options\":[\"bind\",\"noexec\",\"nosuid\",\"nodev\","
			   "\"ro\"]},"
			   "{\"destination\":\"/d2\",\"type\":\"bind\",\"source\":\"/srv/d2\","
			   "\"options\":[\"rbind\",\"rnoexec\"]},"
			   "{\"destination\":\"/f2\",\"type\":\"bind\",\"source\":\"/srv/file2\","
			   "\"options\":[\"bind\",\"noexec\"]},"
			   "{\"destination\":\"/d3\",\"type\":\"bind\",\"source\":\"/srv/d3\","
			   "\"options\":[\"rbind\",\"noexec\",\"rnoexec\"]}]");
	const struct decision *d = module_test_decision(&run, "mounts[0].options");
	cr_expect_str_eq(d->reason, "the bind mount at /data is writable: rnoexec, so that nothing "
				    "written there, nor in the mounts under it, can be executed");
	module_test_expect_lift(d, "\"allow.exec_paths\" += [\"/data\"]");
	d = module_test_decision(&run, "mounts[1].options");
	cr_expect_str_eq(
	    d->reason, "the file bound at /etc/hosts is writable: noexec, so that nothing written "
		       "to it can be executed, with nosuid and nodev, which runc applies by a "
		       "remount that would otherwise drop them");
	d = module_test_decision(&run, "mounts[2].options");
	cr_expect(strstr(d->reason, "and ro (the host's file is on a read-only mount)"), "%s",
		  d->reason);
}

Test(noexec, a_read_only_bind_of_what_a_writable_one_shows)
{
	/* The same host directory twice: written through /data, run through
	 * /bin2, read-only as it is. And a directory inside it, and one that
	 * holds it. */
	cleanup_free char *text = config_with_mounts(
	    "{\"destination\":\"/data\",\"type\":\"bind\",\"source\":\"/srv/data\","
	    "\"options\":[\"rbind\",\"rw\"]},"
	    "{\"destination\":\"/bin2\",\"type\":\"bind\",\"source\":\"/srv/data\","
	    "\"options\":[\"rbind\",\"ro\"]},"
	    "{\"destination\":\"/bin3\",\"type\":\"bind\",\"source\":\"/srv/data/sub\","
	    "\"options\":[\"rbind\",\"ro\"]},"
	    "{\"destination\":\"/bin4\",\"type\":\"bind\",\"source\":\"/srv\","
	    "\"options\":[\"rbind\",\"ro\"]},"
	    "{\"destination\":\"/other\",\"type\":\"bind\",\"source\":\"/srv/database\","
	    "\"options\":[\"rbind\",\"ro\"]}");
	cleanup_module_test_run struct module_test_run run =
	    module_test_spec(MODULE, MOUNTS_ONLY, text, NULL);
	module_test_expect_ok(&run, 4);
	const struct decision *d = module_test_decision(&run, "mounts[1].options");
	cr_expect_str_eq(d->reason, "the bind mount at /bin2 is read-only, but its host directory "
				    "/srv/data is writable through mounts[0]: rnoexec, so that "
				    "nothing written there can be executed here");
	module_test_decision(&run, "mounts[2].options");
	module_test_decision(&run, "mounts[3].options");
	for (size_t i = 0; i < run.report.len; i++)
		cr_expect_str_neq(run.report.items[i].path, "mounts[4].options",
				  "/srv/database is beside /srv/data, not in it");
}

Test(noexec, exec_paths_lift_it_by_destination)
{
	cleanup_free char *text = config_with_mounts(
	    "{\"destination\":\"/tmp\",\"type\":\"tmpfs\",\"source\":\"tmpfs\"},"
	    "{\"destination\":\"/opt/jit/\",\"type\":\"tmpfs\",\"source\":\"tmpfs\"},"
	    "{\"destination\":\"/var/run\",\"type\":\"tmpfs\",\"source\":\"tmpfs\"},"
	    "{\"destination\":\"cache\",\"type\":\"tmpfs\",\"source\":\"tmpfs\"},"
	    "{\"destination\":\"/data\",\"type\":\"bind\",\"source\":\"/srv/data\","
	    "\"options\":[\"rbind\"]}");
	/* As written or clean (/var/run is /run, a relative destination is in
	 * the root, trailing slashes go). */
	cleanup_module_test_run struct module_test_run run = module_test_spec(
	    MODULE,
	    "{\"allow\": {\"exec_memfd\": true, \"exec_paths\": [\"/opt/*\", \"/run\", "
	    "\"/cache\", \"/data\"]}}",
	    text, NULL);
	module_test_expect_ok(&run, 1);
	module_test_decision(&run, "mounts[0].options");
	cleanup_module_test_run struct module_test_run all = module_test_spec(
	    MODULE, "{\"allow\": {\"exec_memfd\": true, \"exec_paths\": [\"*\"]}}", text, NULL);
	module_test_expect_ok(&all, 0);
}

Test(noexec, a_writable_root_is_refused)
{
	/* readonly_rootfs false leaves the root as the config has it; a root
	 * cannot be noexec, so a writable one needs "/" in exec_paths. */
	const char *configs[] = {
	    "{\"root\":{\"path\":\"rootfs\",\"readonly\":false}}",
	    "{\"root\":{\"path\":\"rootfs\"}}",
	    "{}",
	};
	for (size_t i = 0; i < ARRAY_SIZE(configs); i++) {
		cleanup_module_test_run struct module_test_run run =
		    module_test_spec(MODULE,
				     "{\"readonly_rootfs\": false, "
				     "\"allow\": {\"exec_memfd\": true}}",
				     configs[i], NULL);
		module_test_expect_ok(&run, 1);
		const struct decision *d = module_test_decision(&run, "root.readonly");
		cr_expect_eq(d->kind, DECISION_REFUSE);
		cr_expect_str_eq(d->reason,
				 "the root filesystem is writable, and a root cannot be noexec (it "
				 "holds the image's programs): a program written to it could be "
				 "executed (the policy may allow \"/\" in exec_paths, or set "
				 "readonly_rootfs)");
		module_test_expect_lift(d, "\"allow.exec_paths\" += [\"/\"]");
		cleanup_module_test_run struct module_test_run allowed = module_test_spec(
		    MODULE,
		    "{\"readonly_rootfs\": false, \"allow\": {\"exec_memfd\": true, "
		    "\"exec_paths\": [\"/\"]}}",
		    configs[i], NULL);
		module_test_expect_ok(&allowed, 0);
	}
	/* "/" is the root only, not every mount. */
	cleanup_free char *text = config_with_mounts(
	    "{\"destination\":\"/tmp\",\"type\":\"tmpfs\",\"source\":\"tmpfs\"}");
	cleanup_module_test_run struct module_test_run root_only = module_test_spec(
	    MODULE, "{\"allow\": {\"exec_memfd\": true, \"exec_paths\": [\"/\"]}}", text, NULL);
	module_test_expect_ok(&root_only, 1);
	module_test_decision(&root_only, "mounts[0].options");
}

/* Where rootfs makes a writable root read-only, the drift lock says it needs
 * that too, with its own key: lifting readonly_rootfs alone (what suggest
 * does from audit mode) would meet the refusal above in enforce mode. */
Test(noexec, a_root_made_read_only_is_needed_by_noexec_too)
{
	cleanup_policy struct policy *policy =
	    module_test_policy("{\"allow\": {\"exec_memfd\": true}}");
	cleanup_json struct json *spec = test_parse("{\"root\":{\"path\":\"rootfs\"}}");
	cleanup_report struct report report = {0};
	cleanup_error oh_error_t err = NULL;
	static const struct test_host host = {0};
	cr_assert_eq(test_harden_spec(spec, policy, &host, &report, &err), 0, "%s",
		     err ? err->msg : "");
	const struct decision *by_rootfs = NULL, *by_noexec = NULL;
	for (size_t i = 0; i < report.len; i++) {
		if (strcmp(report.items[i].path, "root.readonly") != 0)
			continue;
		if (strcmp(report.items[i].rule, "rootfs") == 0)
			by_rootfs = &report.items[i];
		if (strcmp(report.items[i].rule, "noexec") == 0)
			by_noexec = &report.items[i];
	}
	cr_assert_not_null(by_rootfs);
	cr_assert_not_null(by_noexec);
	cr_expect_eq(by_noexec->kind, DECISION_CHANGE);
	cr_expect_str_eq(by_noexec->reason,
			 "the root filesystem is read-only, which the drift lock needs as well: a "
			 "root cannot be noexec (it holds the image's programs), and a program "
			 "written to a writable one could be executed");
	module_test_expect_lift(by_noexec, "\"allow.exec_paths\" += [\"/\"]");
	cr_expect_null(by_noexec->old_value);
	cr_assert_not_null(by_noexec->new_value);
	cr_expect(by_noexec->new_value->type == JSON_BOOL && by_noexec->new_value->boolean);

	/* Nothing to say where the config's root is read-only already, or
	 * where the policy allows exec on "/". */
	const char *cases[][2] = {
	    {"{\"allow\": {\"exec_memfd\": true}}",
	     "{\"root\":{\"path\":\"rootfs\",\"readonly\":true}}"},
	    {"{\"allow\": {\"exec_memfd\": true, \"exec_paths\": [\"/\"]}}",
	     "{\"root\":{\"path\":\"rootfs\"}}"},
	};
	for (size_t c = 0; c < ARRAY_SIZE(cases); c++) {
		cleanup_policy struct policy *p = module_test_policy(cases[c][0]);
		cleanup_json struct json *sp = test_parse(cases[c][1]);
		cleanup_report struct report r = {0};
		cleanup_error oh_error_t e = NULL;
		cr_assert_eq(test_harden_spec(sp, p, &host, &r, &e), 0, "%s", e ? e->msg : "");
		for (size_t i = 0; i < r.len; i++)
			cr_expect(strcmp(r.items[i].rule, "noexec") != 0 ||
				      strcmp(r.items[i].path, "root.readonly") != 0,
				  "case %zu: %s", c, r.items[i].reason);
	}
}

/* --- memfds ---------------------------------------------------------------- */

#define MEMFD_HOOK                                                                                 \
	"{\"path\":\"/usr/local/sbin/oci-harden\",\"args\":[\"oci-harden\",\"memfd-noexec\"]}"

Test(noexec, memfds_get_a_hook_in_a_new_pid_namespace)
{
	cleanup_free char *text = config_with_mounts("");
	cleanup_module_test_run struct module_test_run run =
	    module_test_spec(MODULE, "", text, NULL);
	module_test_expect_ok(&run, 1);
	module_test_expect(&run, "hooks", "{\"createRuntime\":[" MEMFD_HOOK "]}");
	const struct decision *d = module_test_decision(&run, "hooks.createRuntime[0]");
	cr_expect_eq(d->kind, DECISION_CHANGE);
	cr_expect_str_eq(d->reason, "memfds cannot be executed: a createRuntime hook sets "
				    "vm.memfd_noexec to 2 in the container's pid namespace");
	module_test_expect_lift(d, "\"allow.exec_memfd\": true");
	cr_expect_null(d->old_value);

	/* After the container's own hooks (the policy allows one); and once:
	 * a config hardened already has it. */
	cleanup_module_test_run struct module_test_run after = module_test_spec(
	    MODULE, "",
	    "{\"root\":{\"readonly\":true},\"linux\":{\"namespaces\":[{\"type\":\"pid\"}]},"
	    "\"hooks\":{\"createRuntime\":[{\"path\":\"/usr/bin/gpu-hook\"}],"
	    "\"prestart\":[]}}",
	    NULL);
	module_test_expect_ok(&after, 1);
	module_test_expect(&after, "hooks",
			   "{\"createRuntime\":[{\"path\":\"/usr/bin/gpu-hook\"}," MEMFD_HOOK
			   "],\"prestart\":[]}");
	cleanup_free char *hardened = json_to_string(after.tree, false);
	cleanup_module_test_run struct module_test_run again =
	    module_test_spec(MODULE, "", hardened, NULL);
	module_test_expect_ok(&again, 0);

	/* The binary the host runs as oci-harden, wherever it is. */
	const struct test_host elsewhere = {.self_program = "/opt/oh/bin/oci-harden"};
	cleanup_module_test_run struct module_test_run other =
	    module_test_spec(MODULE, "", text, &elsewhere);
	module_test_expect(&other, "hooks.createRuntime",
			   "[{\"path\":\"/opt/oh/bin/oci-harden\",\"args\":[\"oci-harden\","
			   "\"memfd-noexec\"]}]");
}

Test(noexec, memfds_allowed_get_nothing)
{
	cleanup_free char *text = config_with_mounts("");
	cleanup_module_test_run struct module_test_run run =
	    module_test_spec(MODULE, MOUNTS_ONLY, text, NULL);
	module_test_expect_ok(&run, 0);
	module_test_expect(&run, "hooks", "(absent)");
}

Test(noexec, memfds_it_cannot_forbid_are_warned_about)
{
	struct {
		const char *config;
		struct test_host host;
		const char *path, *reason;
	} cases[] = {
	    {"{\"root\":{\"readonly\":true},\"linux\":{\"namespaces\":[{\"type\":\"pid\"}]}}",
	     {.no_memfd_noexec = true},
	     "hooks",
	     "memfds can be executed: this kernel has no vm.memfd_noexec to forbid it (Linux "
	     "6.3), or it cannot be written here"},
	    {"{\"root\":{\"readonly\":true},\"linux\":{\"namespaces\":[{\"type\":\"pid\"}]}}",
	     {.no_self = true},
	     "hooks",
	     "memfds can be executed: the path of oci-harden's own binary, which the hook would "
	     "run, is not known"},
	    {"{\"root\":{\"readonly\":true},\"linux\":{\"namespaces\":[{\"type\":\"mount\"}]}}",
	     {0},
	     "linux.namespaces",
	     "memfds can be executed as the host's vm.memfd_noexec allows: the container has no "
	     "pid namespace of its own"},
	    {"{\"root\":{\"readonly\":true},\"linux\":{\"namespaces\":[{\"type\":\"pid\","
	     "\"path\":\"/proc/42/ns/pid\"}]}}",
	     {0},
	     "linux.namespaces",
	     "memfds can be executed as the pid namespace it joins (/proc/42/ns/pid) allows: "
	     "oci-harden forbids it only in a pid namespace the runtime creates (a pod's sandbox, "
	     "hardened, does so for its pod)"},
	};
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		cleanup_module_test_run struct module_test_run run =
		    module_test_spec(MODULE, "", cases[i].config, &cases[i].host);
		module_test_expect_ok(&run, 1);
		const struct decision *d = module_test_decision(&run, cases[i].path);
		cr_expect_eq(d->kind, DECISION_WARN, "%zu", i);
		cr_expect_str_eq(d->reason, cases[i].reason);
		module_test_expect_lift(d, "\"allow.exec_memfd\": true");
		module_test_expect(&run, "hooks", "(absent)");
	}
}

Test(noexec, an_exec_and_shapes_the_spec_forbids)
{
	cleanup_module_test_run struct module_test_run exec =
	    module_test_process(MODULE, "", "{\"args\":[\"sh\"]}");
	module_test_expect_ok(&exec, 0);
	cleanup_module_test_run struct module_test_run mount = module_test_spec(
	    MODULE, "", "{\"root\":{\"readonly\":true},\"mounts\":[{\"destination\":1}]}", NULL);
	module_test_expect_error(&mount, "mounts[0].destination: must be a string");
	cleanup_module_test_run struct module_test_run options =
	    module_test_spec(MODULE, "",
			     "{\"root\":{\"readonly\":true},\"mounts\":[{\"destination\":\"/a\","
			     "\"options\":\"rw\"}]}",
			     NULL);
	module_test_expect_error(&options, "mounts[0].options: must be an array");
	cleanup_module_test_run struct module_test_run root =
	    module_test_spec(MODULE, "", "{\"root\":{\"readonly\":1}}", NULL);
	module_test_expect_error(&root, "root.readonly: must be true or false");
	cleanup_module_test_run struct module_test_run hooks = module_test_spec(
	    MODULE, "",
	    "{\"root\":{\"readonly\":true},\"linux\":{\"namespaces\":[{\"type\":\"pid\"}]},"
	    "\"hooks\":{\"createRuntime\":{}}}",
	    NULL);
	module_test_expect_error(&hooks, "hooks.createRuntime: must be an array");
}
