/* SPDX-License-Identifier: Apache-2.0 */
/* What a hardened container may never have, and the policy's exceptions. */
#include "harden.h"
#include "helpers.h"

static struct policy *policy;

static int fake_namespace_is_host(const char *type, const char *path)
{
	if (strncmp(path, "/proc/1/ns/", 11) == 0)
		return 1;
	if (strncmp(path, "/proc/", 6) == 0)
		return 0;
	return -1;
}

static char *fake_resolve(const char *path)
{
	/* /srv/link is a symlink to /etc on this pretend host */
	if (strcmp(path, "/srv/link") == 0)
		return xstrdup("/etc");
	return xstrdup(path);
}

static const struct test_host host = {.namespace_is_host = fake_namespace_is_host,
				      .resolve = fake_resolve};

static void load_default(void)
{
	oh_error_t err = NULL;
	cr_assert_eq(policy_load_default(&policy, &err), 0);
}

static void free_policy(void)
{
	policy_free(policy);
}

TestSuite(refusals, .init = load_default, .fini = free_policy);

#define NAMESPACES                                                                                 \
	"\"namespaces\":[{\"type\":\"pid\"},{\"type\":\"network\"},{\"type\":\"ipc\"},"            \
	"{\"type\":\"uts\"},{\"type\":\"mount\"}]"

/* The refusals of hardening `linux_members` (inside "linux") and
 * `top_members` (beside it). */
static void harden_parts(const char *linux_members, const char *top_members, struct report *report)
{
	cleanup_free char *text = xasprintf("{\"process\":{},\"linux\":{%s}%s%s}", linux_members,
					    *top_members ? "," : "", top_members);
	cleanup_json struct json *spec = test_parse(text);
	oh_error_t err = NULL;
	cr_assert_eq(test_harden_spec(spec, policy, &host, report, &err), 0, "%s",
		     err ? err->msg : "");
}

static size_t refusals_of(const char *linux_members, const char *top_members, const char *needle)
{
	cleanup_report struct report report = {0};
	harden_parts(linux_members, top_members, &report);
	size_t n = report_count(&report, DECISION_REFUSE);
	if (needle && n) {
		const struct decision *d = report_first_refusal(&report);
		cleanup_free char *what = decision_to_string(d);
		cr_assert(strstr(what, needle), "refusal \"%s\" lacks \"%s\"", what, needle);
	}
	return n;
}

Test(refusals, a_compliant_container_is_not_refused)
{
	cr_assert_eq(refusals_of(NAMESPACES, "", NULL), 0);
}

Test(refusals, missing_namespaces_are_host_namespaces)
{
	cr_assert_eq(refusals_of("\"namespaces\":[{\"type\":\"mount\"}]", "", "no pid namespace"),
		     4);
	cr_assert_eq(refusals_of("\"namespaces\":[{\"type\":\"pid\"},{\"type\":\"ipc\"},"
				 "{\"type\":\"uts\"},{\"type\":\"mount\"}]",
				 "", "no network namespace"),
		     1);
	string_list_add(&policy->allow.host_namespaces, "network");
	cr_assert_eq(refusals_of("\"namespaces\":[{\"type\":\"pid\"},{\"type\":\"ipc\"},"
				 "{\"type\":\"uts\"},{\"type\":\"mount\"}]",
				 "", NULL),
		     0);
}

Test(refusals, joining_the_hosts_namespace_by_path_but_not_a_sandboxs)
{
	cr_assert_eq(refusals_of("\"namespaces\":[{\"type\":\"pid\",\"path\":\"/proc/1/ns/pid\"},"
				 "{\"type\":\"network\",\"path\":\"/proc/4242/ns/net\"},"
				 "{\"type\":\"ipc\"},{\"type\":\"uts\"},{\"type\":\"mount\"}]",
				 "", "/proc/1/ns/pid is the host's own pid namespace"),
		     1);
	cr_assert_eq(refusals_of("\"namespaces\":[{\"type\":\"pid\",\"path\":\"/nowhere\"},"
				 "{\"type\":\"network\"},{\"type\":\"ipc\"},{\"type\":\"uts\"},"
				 "{\"type\":\"mount\"}]",
				 "", "cannot tell"),
		     1);
}

Test(refusals, sensitive_host_paths)
{
	const char *refused[] = {
	    "/",
	    "/etc",
	    "/etc/",
	    "/proc",
	    "/sys/kernel",
	    "/dev/sda",
	    "/var/run/docker.sock",
	    "/run/docker.sock",
	    "/run/containerd",
	    "/var/lib/kubelet",
	    "/var",
	    "/run",
	    "/usr/../etc",
	    "/srv/link",
	    "/run/containerd/containerd.sock",
	};
	for (size_t i = 0; i < ARRAY_SIZE(refused); i++) {
		cleanup_free char *mounts = xasprintf(
		    "\"mounts\":[{\"destination\":\"/x\",\"type\":\"bind\",\"source\":\"%s\","
		    "\"options\":[\"rbind\",\"ro\"]}]",
		    refused[i]);
		cr_assert_eq(refusals_of(NAMESPACES, mounts, "bind mount of host"), 1, "%s",
			     refused[i]);
	}
	const char *fine[] = {
	    "/srv/data",
	    "/var/lib/kubelet/pods/1/volumes/kubernetes.io~empty-dir/x",
	    "/run/containerd/io.containerd.grpc.v1.cri/sandboxes/1/shm",
	    "/etc/localtime",
	};
	for (size_t i = 0; i < ARRAY_SIZE(fine); i++) {
		cleanup_free char *mounts = xasprintf(
		    "\"mounts\":[{\"destination\":\"/x\",\"type\":\"none\",\"source\":\"%s\","
		    "\"options\":[\"rbind\",\"ro\"]}]",
		    fine[i]);
		cr_assert_eq(refusals_of(NAMESPACES, mounts, NULL), 0, "%s", fine[i]);
	}
	/* inside /etc only read-only */
	cr_assert_eq(refusals_of(NAMESPACES,
				 "\"mounts\":[{\"destination\":\"/x\",\"type\":\"bind\",\"source\":"
				 "\"/etc/cron.d\",\"options\":[\"ro\",\"rw\"]}]",
				 "mounted writable"),
		     1);
	/* relative to the bundle (/test/bundle): runc's filepath.Join makes
	 * this /etc */
	cr_assert_eq(refusals_of(NAMESPACES,
				 "\"mounts\":[{\"destination\":\"/x\",\"type\":\"bind\",\"source\":"
				 "\"../../etc\"}]",
				 "bind mount of host ../../etc: it is a sensitive host path"),
		     1);
}

Test(refusals, host_paths_exceptions_with_read_only)
{
	string_list_add(&policy->allow.host_paths, "/proc:ro");
	string_list_add(&policy->allow.host_paths, "/var/run/docker.sock");
	const char *ro_proc = "\"mounts\":[{\"destination\":\"/host/proc\",\"type\":\"bind\","
			      "\"source\":\"/proc\",\"options\":[\"rbind\",\"ro\"]}]";
	const char *rw_proc = "\"mounts\":[{\"destination\":\"/host/proc\",\"type\":\"bind\","
			      "\"source\":\"/proc\",\"options\":[\"rbind\"]}]";
	cr_assert_eq(refusals_of(NAMESPACES, ro_proc, NULL), 0);
	cr_assert_eq(refusals_of(NAMESPACES, rw_proc, "/proc"), 1);
	/* /var/run is /run: the pattern allows the socket by either name */
	cr_assert_eq(refusals_of(NAMESPACES,
				 "\"mounts\":[{\"destination\":\"/s\",\"type\":\"bind\",\"source\":"
				 "\"/run/docker.sock\"},{\"destination\":\"/t\",\"type\":\"bind\","
				 "\"source\":\"/var/run/docker.sock\"}]",
				 NULL),
		     0);
}

Test(refusals, shared_propagation_and_writable_sysfs)
{
	cr_assert_eq(refusals_of(NAMESPACES,
				 "\"mounts\":[{\"destination\":\"/x\",\"type\":\"bind\",\"source\":"
				 "\"/srv/x\",\"options\":[\"rbind\",\"rshared\"]}]",
				 "rshared propagation"),
		     1);
	cr_assert_eq(refusals_of(NAMESPACES ",\"rootfsPropagation\":\"shared\"", "",
				 "shared root propagation"),
		     1);
	cr_assert_eq(
	    refusals_of(NAMESPACES,
			"\"mounts\":[{\"destination\":\"/sys\",\"type\":\"sysfs\",\"source\":"
			"\"sysfs\",\"options\":[\"nosuid\"]}]",
			"sysfs mounted writable"),
	    1);
	cr_assert_eq(
	    refusals_of(NAMESPACES,
			"\"mounts\":[{\"destination\":\"/sys\",\"type\":\"sysfs\",\"source\":"
			"\"sysfs\",\"options\":[\"ro\"]}]",
			NULL),
	    0);
}

Test(refusals, devices_and_the_privileged_shape)
{
	const char *privileged = NAMESPACES ",\"resources\":{\"devices\":[{\"allow\":true,"
					    "\"access\":\"rwm\"}]}";
	cleanup_report struct report report = {0};
	harden_parts(privileged, "", &report);
	const struct decision *first = report_first_refusal(&report);
	cr_assert_not_null(first);
	cr_assert(strstr(first->reason, "privileged container"), "%s", first->reason);
	cr_assert_str_eq(first->path, "linux.resources.devices[0]");

	cr_assert_eq(refusals_of(NAMESPACES ",\"resources\":{\"devices\":[{\"allow\":false,"
					    "\"access\":\"rwm\"},{\"allow\":true,\"type\":\"c\","
					    "\"major\":1,\"minor\":3,\"access\":\"rwm\"}]}",
				 "", NULL),
		     0, "a deny-all rule and a single device are not the privileged shape");
	cr_assert_eq(refusals_of(NAMESPACES ",\"devices\":[{\"path\":\"/dev/fuse\",\"type\":\"c\","
					    "\"major\":10,\"minor\":229}]",
				 "", "host device /dev/fuse"),
		     1);
	string_list_add(&policy->allow.devices, "/dev/fuse");
	cr_assert_eq(refusals_of(NAMESPACES ",\"devices\":[{\"path\":\"/dev/fuse\",\"type\":\"c\","
					    "\"major\":10,\"minor\":229}]",
				 "", NULL),
		     0);
	string_list_add(&policy->allow.devices, "*");
	cr_assert_eq(refusals_of(privileged, "", NULL), 0);
}

/* The privileged shape by its effect, not one literal (issue 9, class 7). */
Test(refusals, every_device_of_a_type_is_the_privileged_shape_however_spelled)
{
	static const char *const shapes[] = {
	    /* containerd's and the CRI's literal */
	    "{\"allow\":true,\"access\":\"rwm\"}",
	    /* per type, each alone: every char, every block device */
	    "{\"allow\":true,\"type\":\"c\",\"access\":\"rwm\"}",
	    "{\"allow\":true,\"type\":\"b\",\"access\":\"rwm\"}",
	    /* type "a", a wildcard major of -1, no access (rwm to the kernel) */
	    "{\"allow\":true,\"type\":\"a\",\"major\":-1,\"minor\":-1}",
	    /* read only is still every disk */
	    "{\"allow\":true,\"type\":\"b\",\"major\":null,\"access\":\"r\"}",
	    /* minor 1 of every major: /dev/mem, /dev/sda1, ... */
	    "{\"allow\":true,\"type\":\"c\",\"minor\":1,\"access\":\"rw\"}",
	};
	for (size_t i = 0; i < ARRAY_SIZE(shapes); i++) {
		cleanup_free char *linux_members = xasprintf(
		    NAMESPACES
		    ",\"resources\":{\"devices\":[{\"allow\":false,\"access\":\"rwm\"},%s]}",
		    shapes[i]);
		cr_assert_eq(refusals_of(linux_members, "", "privileged container"), 1, "%s",
			     shapes[i]);
	}
	/* mknod alone opens nothing: runc adds it for every container. */
	cr_assert_eq(refusals_of(NAMESPACES ",\"resources\":{\"devices\":[{\"allow\":true,"
					    "\"type\":\"c\",\"access\":\"m\"},{\"allow\":true,"
					    "\"type\":\"b\",\"access\":\"m\"}]}",
				 "", NULL),
		     0);
}

/* What runc creates in every container anyway is no host device (issue
 * 11: runc's own tests list /dev/tty and /dev/ptmx). */
Test(refusals, the_standard_devices_pass_and_lookalikes_do_not)
{
	cr_assert_eq(refusals_of(NAMESPACES
				 ",\"devices\":[{\"path\":\"/dev/tty\",\"type\":\"c\",\"major\":5,"
				 "\"minor\":0},{\"path\":\"/dev/ptmx\",\"type\":\"c\",\"major\":5,"
				 "\"minor\":2},{\"path\":\"/dev/null\",\"type\":\"c\",\"major\":1,"
				 "\"minor\":3,\"fileMode\":438}]",
				 "", NULL),
		     0);
	/* The name of a standard device on another device: the host's disk. */
	cr_assert_eq(refusals_of(NAMESPACES
				 ",\"devices\":[{\"path\":\"/dev/null\",\"type\":\"b\","
				 "\"major\":8,\"minor\":0},{\"path\":\"/dev/tty\",\"type\":\"c\","
				 "\"major\":4,\"minor\":1}]",
				 "", "host device"),
		     2);
}

Test(refusals, hooks_unless_allowed)
{
	const char *hooks = "\"hooks\":{\"prestart\":[{\"path\":\"/usr/bin/evil\"}],"
			    "\"poststop\":[{\"path\":\"/usr/bin/nvidia-cleanup\"}]}";
	cr_assert_eq(refusals_of(NAMESPACES, hooks, "prestart hook /usr/bin/evil"), 2);
	string_list_add(&policy->allow.hooks, "/usr/bin/nvidia-*");
	cr_assert_eq(refusals_of(NAMESPACES, hooks, "/usr/bin/evil"), 1);
}

Test(refusals, sysctls_outside_the_safe_set)
{
	cr_assert_eq(refusals_of(NAMESPACES ",\"sysctl\":{\"net.ipv4.ip_unprivileged_port_start\":"
					    "\"0\",\"kernel.shm_rmid_forced\":\"1\"}",
				 "", NULL),
		     0);
	cr_assert_eq(refusals_of(NAMESPACES ",\"sysctl\":{\"kernel.core_pattern\":\"|/x\","
					    "\"net/ipv4/ip_forward\":\"1\"}",
				 "", "kernel.core_pattern"),
		     2);
	string_list_add(&policy->allow.sysctls, "net.ipv4.*");
	cr_assert_eq(
	    refusals_of(NAMESPACES ",\"sysctl\":{\"net/ipv4/ip_forward\":\"1\"}", "", NULL), 0);
}

Test(refusals, audit_mode_records_refusals_without_changing_anything)
{
	policy->mode = POLICY_AUDIT;
	cleanup_report struct report report = {0};
	harden_parts("\"namespaces\":[]", "", &report);
	cr_assert(report.audit);
	cr_assert_eq(report_count(&report, DECISION_REFUSE), 5);
}

Test(refusals, a_user_namespace_that_maps_the_process_to_host_root)
{
	cleanup_report struct report report = {0};
	harden_parts("\"namespaces\":[{\"type\":\"pid\"},{\"type\":\"network\"},{\"type\":\"ipc\"},"
		     "{\"type\":\"uts\"},{\"type\":\"mount\"},{\"type\":\"user\"}],"
		     "\"uidMappings\":[{\"containerID\":65534,\"hostID\":0,\"size\":1}],"
		     "\"gidMappings\":[{\"containerID\":0,\"hostID\":100000,\"size\":65536}]",
		     "", &report);
	const struct decision *first = report_first_refusal(&report);
	cr_assert_not_null(first, "65534 inside is root outside");
	cr_assert(strstr(first->reason, "uid 65534 is uid 0 (root) on the host"), "%s",
		  first->reason);
	cr_assert_eq(report_count(&report, DECISION_REFUSE), 1, "gid 65534 maps to 165534");
}

/* linux.resources.unified: runc writes each key as a file of the
 * container's cgroup, after every other limit. */
Test(refusals, unified_cgroup_files_only_limit)
{
	cr_assert_eq(refusals_of(NAMESPACES ",\"resources\":{\"unified\":{\"memory.max\":\"1G\","
					    "\"cpu.weight\":\"100\",\"pids.max\":\"max\","
					    "\"cgroup.max.descendants\":\"10\"}}",
				 "", NULL),
		     0);
	static const char *const refused[] = {"cgroup.procs",  "cgroup.subtree_control",
					      "cgroup.freeze", "memory",
					      "../x.max",      "devices.allow"};
	for (size_t i = 0; i < ARRAY_SIZE(refused); i++) {
		cleanup_free char *linux_members =
		    xasprintf(NAMESPACES ",\"resources\":{\"unified\":{\"%s\":\"1\"}}", refused[i]);
		cr_assert_eq(refusals_of(linux_members, "", "is not a limit"), 1, "%s", refused[i]);
	}
}

Test(refusals, unified_pids_max_cannot_undo_the_policy_s_pids_limit)
{
	cleanup_policy struct policy *limited = policy_clone(policy);
	limited->pids_limit = 512;
	cleanup_json struct json *spec = test_parse("{\"process\":{},\"linux\":{" NAMESPACES
						    ",\"resources\":{\"unified\":{\"pids.max\":"
						    "\"max\"}}}}");
	cleanup_report struct report report = {0};
	oh_error_t err = NULL;
	cr_assert_eq(test_harden_spec(spec, limited, &host, &report, &err), 0);
	cleanup_free char *got = test_text(test_get(spec, "linux.resources.unified"));
	cr_assert_str_eq(got, "{\"pids.max\":\"512\"}");
}

/* dockerd's own prestart hook for bridge networking, told by what its path
 * leads to on the host. */
static char *docker_host_resolve(const char *path)
{
	if (strcmp(path, "/proc/412/exe") == 0)
		return xstrdup("/usr/sbin/dockerd");
	if (strcmp(path, "/proc/413/exe") == 0)
		return xstrdup("/usr/bin/python3");
	return xstrdup(path);
}

Test(refusals, docker_s_network_hook_is_told_by_what_it_runs)
{
	const struct test_host docker_host = {.namespace_is_host = fake_namespace_is_host,
					      .resolve = docker_host_resolve};
	static const struct {
		const char *hook;
		size_t refusals;
	} cases[] = {
	    {"{\"path\":\"/proc/412/exe\",\"args\":[\"libnetwork-setkey\",\"-exec-root=/var/run/"
	     "docker\",\"0123\",\"abcd\"]}",
	     0},
	    /* another program behind /proc/PID/exe */
	    {"{\"path\":\"/proc/413/exe\",\"args\":[\"libnetwork-setkey\",\"-exec-root=/x\",\"0\","
	     "\"a\"]}",
	     1},
	    /* dockerd running something else */
	    {"{\"path\":\"/proc/412/exe\",\"args\":[\"dockerd\",\"--debug\"]}", 1},
	    /* dockerd's setkey with an environment of the writer's */
	    {"{\"path\":\"/proc/412/exe\",\"args\":[\"libnetwork-setkey\",\"-exec-root=/x\",\"0\","
	     "\"a\"],\"env\":[\"LD_PRELOAD=/x.so\"]}",
	     1},
	};
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		cleanup_free char *text = xasprintf("{\"process\":{},\"linux\":{" NAMESPACES
						    "},\"hooks\":{\"prestart\":[%s]}}",
						    cases[i].hook);
		cleanup_json struct json *spec = test_parse(text);
		cleanup_report struct report report = {0};
		oh_error_t err = NULL;
		cr_assert_eq(test_harden_spec(spec, policy, &docker_host, &report, &err), 0);
		size_t n = 0;
		for (size_t d = 0; d < report.len; d++)
			n += report.items[d].kind == DECISION_REFUSE &&
			     strcmp(report.items[d].rule, "hooks") == 0;
		cr_assert_eq(n, cases[i].refusals, "case %zu", i);
	}
}
