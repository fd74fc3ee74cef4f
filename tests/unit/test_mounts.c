/* SPDX-License-Identifier: Apache-2.0 */
/* Mounts as the runtime performs them, and host paths judged by what they
 * are (issues 9 C and 17), against a pretend host:
 *   /test/bundle             the bundle; its rootfs is /test/bundle/rootfs
 *   /srv/...                 ordinary directories
 *   /srv/missing...          nothing
 *   /srv/link                a symlink to /etc
 *   /srv/to-docker.sock      a symlink to /run/docker.sock
 *   /srv/into-rootfs         a symlink to /test/bundle/rootfs/etc
 *   /srv/sock/other.sock     a socket dockerd (pid 412) listens on
 *   /srv/sock                a directory holding it
 *   /srv/disk, /srv/null     a block and a character device node
 *   /srv/docker-data         the data directory of a live dockerd
 *   /var/lib/docker/overlay2/abc/merged   an overlay mount's root
 * Symbolic links followed are given by fake_symlinks. */
#include "harden.h"
#include "helpers.h"
#include "module_test.h"

static struct policy *policy;

static char *fake_resolve(const char *path)
{
	static const struct {
		const char *from, *to;
	} links[] = {
	    {"/srv/link", "/etc"},
	    {"/srv/to-docker.sock", "/run/docker.sock"},
	    {"/srv/into-rootfs", "/test/bundle/rootfs/etc"},
	    {"/srv/data/link/x", "/x"},
	    {"/srv/through-rootfs", "/srv/elsewhere"},
	    {"/srv/through-proc", "/srv/elsewhere"},
	    {"/srv/through-volume", "/srv/elsewhere"},
	    {"/test/bundle/usr-link", "/usr"},
	    {"/var/lib/docker/overlay2/to-etc", "/etc"},
	};
	if (strncmp(path, "/srv/missing", 12) == 0)
		return NULL;
	for (size_t i = 0; i < ARRAY_SIZE(links); i++)
		if (strcmp(path, links[i].from) == 0)
			return xstrdup(links[i].to);
	return xstrdup(path);
}

static mode_t fake_type(const char *resolved)
{
	if (strcmp(resolved, "/srv/sock/other.sock") == 0 ||
	    strcmp(resolved, "/srv/plain.sock") == 0 || strcmp(resolved, "/run/docker.sock") == 0)
		return S_IFSOCK;
	if (strcmp(resolved, "/srv/disk") == 0)
		return S_IFBLK;
	if (strcmp(resolved, "/srv/null") == 0)
		return S_IFCHR;
	if (strstr(resolved, "hostname") || strstr(resolved, "resolv.conf"))
		return S_IFREG;
	return S_IFDIR;
}

static void fake_symlinks(const char *path, struct string_list *out)
{
	if (strcmp(path, "/srv/link") == 0 || strcmp(path, "/srv/to-docker.sock") == 0 ||
	    strcmp(path, "/srv/into-rootfs") == 0)
		string_list_add(out, path);
	else if (strcmp(path, "/srv/data/link/x") == 0)
		string_list_add(out, "/srv/data/link");
	else if (strcmp(path, "/srv/through-rootfs") == 0)
		string_list_add(out, "/test/bundle/rootfs/hop");
	else if (strcmp(path, "/srv/through-proc") == 0)
		string_list_add(out, "/proc/self");
	else if (strcmp(path, "/srv/through-volume") == 0)
		string_list_add(out, "/var/lib/docker/volumes/v/_data/hop");
	else if (strcmp(path, "/test/bundle/usr-link") == 0)
		string_list_add(out, path);
}

static char *fake_sensitive(const char *resolved, mode_t type)
{
	if (strcmp(resolved, "/srv/sock/other.sock") == 0)
		return xstrdup("a unix socket (dockerd's, pid 412)");
	if (strcmp(resolved, "/srv/sock") == 0)
		return xstrdup("a directory holding /srv/sock/other.sock, the socket dockerd (pid "
			       "412) listens on");
	return NULL;
}

static bool fake_overlay_root(const char *resolved)
{
	return strcmp(resolved, "/var/lib/docker/overlay2/abc/merged") == 0 ||
	       strcmp(resolved, "/") == 0;
}

static const struct host_runtime_dir live_dirs[] = {
    {"/srv/docker-data", "the data directory of dockerd (pid 412)", RUNTIME_DIR_DOCKER_DATA},
    {"/srv/docker-exec", "the state directory of dockerd (pid 412)", RUNTIME_DIR_OPAQUE},
    {"/srv/api/docker.sock", "the socket of dockerd (pid 412)", RUNTIME_DIR_OPAQUE},
    {"/srv/kubelet", "the root directory of kubelet (pid 77)", RUNTIME_DIR_KUBELET},
};

static const struct test_host host = {
    .resolve = fake_resolve,
    .type_of = fake_type,
    .symlinks_of = fake_symlinks,
    .sensitive_of = fake_sensitive,
    .overlay_root = fake_overlay_root,
    .runtime_dirs = live_dirs,
    .runtime_dirs_len = ARRAY_SIZE(live_dirs),
};

static void load_default(void)
{
	oh_error_t err = NULL;
	cr_assert_eq(policy_load_default(&policy, &err), 0);
}

static void free_policy(void)
{
	policy_free(policy);
}

TestSuite(mounts, .init = load_default, .fini = free_policy);

#define NAMESPACES                                                                                 \
	"\"linux\":{\"namespaces\":[{\"type\":\"pid\"},{\"type\":\"network\"},{\"type\":\"ipc\"}," \
	"{\"type\":\"uts\"},{\"type\":\"mount\"},{\"type\":\"cgroup\"}]}"

/* Harden a config with `root` (the JSON of "root") and `mounts` (of
 * "mounts") against `h`. */
static void harden_on(const struct test_host *h, const char *root, const char *mounts,
		      struct report *report)
{
	cleanup_free char *text =
	    xasprintf("{\"process\":{},\"root\":%s,\"mounts\":[%s]," NAMESPACES "}", root, mounts);
	cleanup_json struct json *spec = test_parse(text);
	oh_error_t err = NULL;
	cr_assert_eq(test_harden_spec(spec, policy, h, report, &err), 0, "%s", err ? err->msg : "");
}

/* The one refusal of hardening `mounts` (root "rootfs"), which must say
 * `needle`; NULL `needle`: there is none. Returns the refusal's text. */
static char *refusal_on(const struct test_host *h, const char *root, const char *mounts,
			const char *needle)
{
	cleanup_report struct report report = {0};
	harden_on(h, root, mounts, &report);
	size_t n = report_count(&report, DECISION_REFUSE);
	const struct decision *d = report_first_refusal(&report);
	char *what = d ? decision_to_string(d) : xstrdup("");
	if (!needle) {
		cr_assert_eq(n, 0, "%s: refused: %s", mounts, what);
		return what;
	}
	cr_assert_eq(n, 1, "%s: %zu refusals, the first: %s", mounts, n, what);
	cr_assert(strstr(what, needle), "%s: refusal \"%s\" lacks \"%s\"", mounts, what, needle);
	return what;
}

static void assert_refused(const char *mounts, const char *needle)
{
	free(refusal_on(&host, "{\"path\":\"rootfs\"}", mounts, needle));
}

static void assert_runs(const char *mounts)
{
	free(refusal_on(&host, "{\"path\":\"rootfs\"}", mounts, NULL));
}

/* A bind mount of `source`, read-only or not. */
static char *bind_of(const char *source, bool read_only)
{
	return xasprintf("{\"destination\":\"/x\",\"type\":\"bind\",\"source\":\"%s\","
			 "\"options\":[\"rbind\",\"%s\"]}",
			 source, read_only ? "ro" : "rw");
}

static void assert_bind_refused(const char *source, bool read_only, const char *needle)
{
	cleanup_free char *m = bind_of(source, read_only);
	assert_refused(m, needle);
}

static void assert_bind_runs(const char *source, bool read_only)
{
	cleanup_free char *m = bind_of(source, read_only);
	assert_runs(m);
}

/* The lift of the one refusal: its key and its value as JSON. */
static void assert_lift(const char *mounts, const char *root, const char *key, const char *value)
{
	cleanup_report struct report report = {0};
	harden_on(&host, root, mounts, &report);
	const struct decision *d = report_first_refusal(&report);
	cr_assert_not_null(d);
	cr_assert_str_eq(d->lift.key, key);
	cleanup_free char *v = test_text(d->lift.value);
	cr_assert_str_eq(v, value);
}

/* --- issue 17: what a path is -------------------------------------------- */

/* An option that is not a string stops the module with the path of it,
 * after the options before it have been read (and their effects freed:
 * the sanitizers' leak check). */
Test(mounts, an_option_that_is_not_a_string_is_an_error)
{
	cleanup_module_test_run struct module_test_run run =
	    module_test_spec(&harden_module_mounts, "",
			     "{\"mounts\":[{\"type\":\"tmpfs\",\"destination\":\"/t\","
			     "\"options\":[\"ro\"]},{\"type\":\"bind\",\"source\":\"/x\","
			     "\"destination\":\"/x\",\"options\":[\"rbind\",\"ro\",5]}]}",
			     NULL);
	module_test_expect_error(&run, "mounts[1].options[2]: must be a string");
}

Test(mounts, a_unix_socket_is_refused_wherever_it_is)
{
	/* By its type, with who listens on it. */
	assert_bind_refused("/srv/sock/other.sock", false,
			    "bind mount of host /srv/sock/other.sock: it is a unix socket "
			    "(dockerd's, pid 412)");
	/* A socket no known daemon holds is a socket all the same. */
	assert_bind_refused("/srv/plain.sock", true, "it is a unix socket: a host daemon's");
	/* By its name, through a symlink. */
	assert_bind_refused("/srv/to-docker.sock", false,
			    "/srv/to-docker.sock (resolving to /run/docker.sock): it is the "
			    "socket of dockerd");
	/* A second socket path a live daemon was told to listen on. */
	assert_bind_refused("/srv/api/docker.sock", false, "it is the socket of dockerd (pid 412)");
	/* allow.host_paths vouches for a socket. */
	string_list_add(&policy->allow.host_paths, "/srv/plain.sock");
	assert_bind_runs("/srv/plain.sock", true);
	assert_lift(
	    "{\"destination\":\"/s\",\"type\":\"bind\",\"source\":\"/srv/sock/other.sock\"}",
	    "{\"path\":\"rootfs\"}", "allow.host_paths", "[\"/srv/sock/other.sock\"]");
}

Test(mounts, a_device_node_is_refused)
{
	assert_bind_refused("/srv/disk", true, "it is a block device node (8:0) of the host");
	assert_bind_refused("/srv/null", false, "it is a character device node (1:3) of the host");
}

Test(mounts, a_directory_holding_a_live_daemons_socket_is_refused)
{
	assert_bind_refused("/srv/sock", false,
			    "it is a directory holding /srv/sock/other.sock, the socket dockerd "
			    "(pid 412) listens on");
	/* Holding a socket a live daemon was told to use, by its path. */
	assert_bind_refused("/srv/api", true,
			    "it contains the socket of dockerd (pid 412) (/srv/api/docker.sock)");
}

Test(mounts, runtime_state_directories_are_refused)
{
	const struct {
		const char *source, *needle;
	} refused[] = {
	    {"/run/containerd", "it is the state directory of containerd"},
	    {"/var/run/containerd", "it is the state directory of containerd"},
	    {"/run/containerd/runc/k8s.io", "is inside the state directory of containerd"},
	    {"/run/containerd/containerd.sock", "it is the socket of containerd"},
	    {"/run/docker", "it is the state directory of dockerd"},
	    {"/var/lib/docker", "it is the data directory of dockerd"},
	    {"/var/lib/docker/overlay2", "is inside the data directory of dockerd"},
	    {"/var/lib/docker/containers", "is inside the data directory of dockerd"},
	    {"/var/lib/docker/volumes/v/_data/deeper", "is inside the data directory of dockerd"},
	    {"/var/lib/containers", "it is the data directory of Podman and CRI-O"},
	    {"/var/lib/containers/storage/overlay", "is inside the storage directory"},
	    {"/run/containers/storage", "it is the run directory of containers/storage"},
	    {"/run/podman", "it is the state directory of Podman"},
	    {"/run/crio", "it is the state directory of CRI-O"},
	    {"/run/runc", "it is the state directory of runc"},
	    {"/run/user/1000/docker.sock", "it is the socket of a rootless dockerd"},
	    {"/run/user/1000", "it contains the socket of a rootless dockerd"},
	    {"/run/systemd", "it contains the control socket of systemd"},
	    {"/var/lib", "contains"},
	    /* A live daemon's, read from its command line. */
	    {"/srv/docker-data", "it is the data directory of dockerd (pid 412)"},
	    {"/srv/docker-data/overlay2/abc/diff", "is inside the data directory of dockerd (pid "
						   "412)"},
	    {"/srv/docker-exec/netns", "is inside the state directory of dockerd (pid 412)"},
	    {"/srv", "it contains the data directory of dockerd (pid 412)"},
	};
	for (size_t i = 0; i < ARRAY_SIZE(refused); i++)
		assert_bind_refused(refused[i].source, true, refused[i].needle);
	/* What the runtimes themselves bind into their containers. */
	const char *bound[] = {
	    "/var/lib/containerd/io.containerd.grpc.v1.cri/sandboxes/abc/hostname",
	    "/run/containerd/io.containerd.grpc.v1.cri/sandboxes/abc/shm",
	    "/var/lib/containerd/io.containerd.grpc.v1.cri/containers/abc/volumes/def",
	    "/var/lib/docker/containers/abc/resolv.conf",
	    "/var/lib/docker/containers/abc/mounts/shm",
	    "/var/lib/docker/volumes/v/_data",
	    "/var/lib/containers/storage/overlay-containers/abc/userdata/hosts",
	    "/run/containers/storage/overlay-containers/abc/userdata/resolv.conf",
	    "/var/lib/containers/storage/volumes/v/_data",
	    "/srv/docker-data/containers/abc/hostname",
	    "/srv/docker-data/volumes/v/_data",
	};
	for (size_t i = 0; i < ARRAY_SIZE(bound); i++)
		assert_bind_runs(bound[i], false);
}

Test(mounts, kubelet_directories_are_refused_but_its_pod_volumes_run)
{
	const char *refused[] = {
	    "/var/lib/kubelet",
	    "/var/lib/kubelet/pods",
	    "/var/lib/kubelet/pods/uid",
	    "/var/lib/kubelet/device-plugins",
	    "/var/lib/kubelet/pod-resources",
	    "/var/lib/kubelet/plugins/csi",
	    "/var/lib/kubelet/pods/uid/volumes/kubernetes.io~empty-dir/v/deeper",
	    "/srv/kubelet/pods/uid/volumes",
	};
	for (size_t i = 0; i < ARRAY_SIZE(refused); i++)
		assert_bind_refused(refused[i], true, "root directory of");
	const char *bound[] = {
	    "/var/lib/kubelet/pods/uid/volumes/kubernetes.io~empty-dir/v",
	    "/var/lib/kubelet/pods/uid/volumes/kubernetes.io~csi/pv/mount",
	    "/var/lib/kubelet/pods/uid/volume-subpaths/v/c/0",
	    "/var/lib/kubelet/pods/uid/etc-hosts",
	    "/var/lib/kubelet/pods/uid/containers/c/0123abcd",
	    "/srv/kubelet/pods/uid/volumes/kubernetes.io~configmap/cm",
	};
	for (size_t i = 0; i < ARRAY_SIZE(bound); i++)
		assert_bind_runs(bound[i], false);
}

Test(mounts, a_source_is_judged_by_where_its_symlinks_lead)
{
	assert_bind_refused("/srv/link", true,
			    "/srv/link (resolving to /etc): it is a sensitive host path");
	assert_bind_refused("/srv/missing", true,
			    "bind mount of host /srv/missing: it does not exist on the host");
}

Test(mounts, an_exception_for_a_name_does_not_cover_where_it_leads)
{
	/* The operator allows what is inside Docker's data directory; a
	 * symlink there that leads to /etc is still the host's /etc. */
	string_list_add(&policy->allow.host_paths, "/var/lib/docker/*");
	assert_bind_refused("/var/lib/docker/overlay2/to-etc", true,
			    "(resolving to /etc): it is a sensitive host path");
	assert_bind_runs("/var/lib/docker/overlay2/abc", true);
}

Test(mounts, the_live_daemons_must_have_been_looked_at)
{
	struct test_host blind = host;
	blind.not_surveyed = true;
	blind.runtime_dirs_len = 0;
	cleanup_free char *m = bind_of("/srv/data", false);
	free(refusal_on(&blind, "{\"path\":\"rootfs\"}", m, "which were not looked at"));
	/* What the defaults settle needs no look. */
	cleanup_free char *cri =
	    bind_of("/var/lib/containerd/io.containerd.grpc.v1.cri/sandboxes/abc/hosts", false);
	free(refusal_on(&blind, "{\"path\":\"rootfs\"}", cri, NULL));
}

/* --- issue 9 C: mounts in order ------------------------------------------ */

Test(mounts, a_source_inside_an_earlier_mounts_destination)
{
	/* mounts[0] puts /srv/evil (which holds a symlink e -> /) at /a; a
	 * source <rootfs>/a/e, which does not exist on the host, would then be
	 * the host's /. */
	assert_refused("{\"destination\":\"/a\",\"type\":\"bind\",\"source\":\"/srv/evil\","
		       "\"options\":[\"rbind\",\"ro\"]},"
		       "{\"destination\":\"/b\",\"type\":\"bind\",\"source\":"
		       "\"/test/bundle/rootfs/a/e\",\"options\":[\"rbind\"]}",
		       "mounts[1]: bind mount of host /test/bundle/rootfs/a/e: it is inside the "
		       "destination /a of mounts[0], an earlier mount");
	/* The same as a path relative to the bundle. */
	assert_refused("{\"destination\":\"/a\",\"type\":\"bind\",\"source\":\"/srv/evil\","
		       "\"options\":[\"rbind\",\"ro\"]},"
		       "{\"destination\":\"/b\",\"type\":\"bind\",\"source\":\"rootfs/a/e\","
		       "\"options\":[\"rbind\"]}",
		       "inside the destination /a of mounts[0]");
}

Test(mounts, a_source_inside_or_around_the_root_filesystem)
{
	assert_bind_refused("rootfs/hostlink", true,
			    "it is inside the container's root filesystem /test/bundle/rootfs");
	assert_bind_refused("/srv/into-rootfs", true,
			    "(resolving to /test/bundle/rootfs/etc): it is inside the container's "
			    "root filesystem");
	assert_bind_refused("/test/bundle", true,
			    "it contains the container's root filesystem /test/bundle/rootfs");
	assert_bind_refused("", true, "contains the container's root filesystem");
	/* Elsewhere in the bundle is the client's. */
	assert_bind_runs("data", true);
}

Test(mounts, a_symlink_the_container_controls_is_not_followed)
{
	/* In a directory the container gets writable, even from a later mount. */
	assert_refused("{\"destination\":\"/b\",\"type\":\"bind\",\"source\":\"/srv/data/link/x\","
		       "\"options\":[\"rbind\",\"ro\"]},"
		       "{\"destination\":\"/data\",\"type\":\"bind\",\"source\":\"/srv/data\","
		       "\"options\":[\"rbind\",\"rw\"]}",
		       "it follows /srv/data/link, a symbolic link inside /srv/data, which the "
		       "container gets writable (mounts[1])");
	/* Not when the container cannot write there. */
	assert_runs("{\"destination\":\"/b\",\"type\":\"bind\",\"source\":\"/srv/data/link/x\","
		    "\"options\":[\"rbind\",\"ro\"]},"
		    "{\"destination\":\"/data\",\"type\":\"bind\",\"source\":\"/srv/data\","
		    "\"options\":[\"rbind\",\"ro\"]}");
	assert_bind_refused("/srv/through-rootfs", true,
			    "follows /test/bundle/rootfs/hop, a symbolic link in the container's "
			    "root filesystem");
	assert_bind_refused("/srv/through-proc", true, "follows /proc/self, a /proc magic link");
	assert_bind_refused("/srv/through-volume", true,
			    "follows /var/lib/docker/volumes/v/_data/hop, a symbolic link inside "
			    "the data directory of dockerd");
}

Test(mounts, paths_in_overlay_options_are_judged_like_sources)
{
	assert_refused("{\"destination\":\"/o\",\"type\":\"overlay\",\"source\":\"overlay\","
		       "\"options\":[\"lowerdir=/etc\"]}",
		       "mounts[0].options[0]: overlay lower layer /etc: it is a sensitive host "
		       "path");
	assert_refused("{\"destination\":\"/o\",\"type\":\"overlay\",\"source\":\"overlay\","
		       "\"options\":[\"lowerdir=/srv/a:/srv/b\",\"upperdir=/etc/x\","
		       "\"workdir=/srv/w\"]}",
		       "mounts[0].options[1]: overlay upper layer /etc/x: it is inside a sensitive "
		       "host path and mounted writable");
	/* Two options in one entry: the kernel splits runc's joined data. */
	assert_refused("{\"destination\":\"/o\",\"type\":\"overlay\",\"source\":\"overlay\","
		       "\"options\":[\"lowerdir=/srv/a,upperdir=/run/containerd,workdir=/srv/w\"]}",
		       "overlay upper layer /run/containerd: it is the state directory");
	assert_refused("{\"destination\":\"/o\",\"type\":\"overlay\",\"source\":\"overlay\","
		       "\"options\":[\"lowerdir=/srv/a::/proc\"]}",
		       "overlay lower layer /proc");
	assert_refused("{\"destination\":\"/o\",\"type\":\"overlay\",\"source\":\"overlay\","
		       "\"options\":[\"lowerdir=/srv/a\",\"upperdir=/srv/u\",\"workdir=/srv/w\","
		       "\"redirect_dir=on\",\"frobnicate=/\"]}",
		       "overlay option \"frobnicate\", which oci-harden has not judged");
	assert_refused(
	    "{\"destination\":\"/o\",\"type\":\"overlay\",\"source\":\"overlay\","
	    "\"options\":[\"lowerdir=rootfs/a\"]}",
	    "overlay lower layer rootfs/a: it is inside the container's root filesystem");
	assert_runs(
	    "{\"destination\":\"/o\",\"type\":\"overlay\",\"source\":\"overlay\","
	    "\"options\":[\"lowerdir=/srv/a:/srv/b\",\"upperdir=/srv/u\",\"workdir=/srv/w\","
	    "\"index=off\",\"nosuid\"]}");
}

Test(mounts, kernel_filesystems_only_where_they_belong)
{
	assert_refused("{\"destination\":\"/mnt/proc\",\"type\":\"proc\",\"source\":\"proc\"}",
		       "a proc filesystem at /mnt/proc: anywhere else it shows what maskedPaths "
		       "and readonlyPaths hide");
	assert_refused("{\"destination\":\"/mnt/sys\",\"type\":\"sysfs\",\"source\":\"sysfs\","
		       "\"options\":[\"ro\"]}",
		       "a sysfs filesystem at /mnt/sys");
	assert_refused("{\"destination\":\"/cg\",\"type\":\"cgroup2\",\"source\":\"cgroup\","
		       "\"options\":[\"ro\"]}",
		       "a cgroup2 filesystem at /cg");
	assert_refused("{\"destination\":\"/sys/fs/cgroup\",\"type\":\"cgroup\",\"source\":"
		       "\"cgroup\",\"options\":[\"ro\",\"release_agent=/x\"]}",
		       "mounts[0].options[1]: option \"release_agent=/x\" of a cgroup mount");
	assert_refused("{\"destination\":\"/sys/fs/cgroup\",\"type\":\"cgroup\",\"source\":"
		       "\"cgroup\",\"options\":[\"rw\"]}",
		       "cgroup mounted writable at /sys/fs/cgroup");
	assert_refused("{\"destination\":\"/mq\",\"type\":\"mqueue\",\"source\":\"mqueue\"}",
		       "an mqueue filesystem belongs at /dev/mqueue");
	assert_refused("{\"destination\":\"/pts\",\"type\":\"devpts\",\"source\":\"devpts\"}",
		       "a devpts filesystem belongs at /dev/pts");
	assert_runs(
	    "{\"destination\":\"/proc\",\"type\":\"proc\",\"source\":\"proc\"},"
	    "{\"destination\":\"/sys/\",\"type\":\"sysfs\",\"source\":\"sysfs\","
	    "\"options\":[\"ro\"]},"
	    "{\"destination\":\"/sys/fs/cgroup\",\"type\":\"cgroup2\",\"source\":\"cgroup\","
	    "\"options\":[\"ro\",\"nosuid\"]},"
	    "{\"destination\":\"/dev/mqueue\",\"type\":\"mqueue\",\"source\":\"mqueue\"},"
	    "{\"destination\":\"/dev/pts\",\"type\":\"devpts\",\"source\":\"devpts\","
	    "\"options\":[\"newinstance\",\"ptmxmode=0666\"]},"
	    "{\"destination\":\"/anywhere\",\"type\":\"tmpfs\",\"source\":\"tmpfs\","
	    "\"options\":[\"size=1g\",\"mode=1777\",\"tmpcopyup\"]}");
	/* The policy may allow a type anywhere. */
	assert_lift("{\"destination\":\"/mnt/proc\",\"type\":\"proc\",\"source\":\"proc\"}",
		    "{\"path\":\"rootfs\"}", "allow.mount_types", "[\"proc\"]");
	string_list_add(&policy->allow.mount_types, "proc");
	assert_runs("{\"destination\":\"/mnt/proc\",\"type\":\"proc\",\"source\":\"proc\"}");
}

Test(mounts, types_off_the_safe_list_are_refused)
{
	const struct {
		const char *type, *needle;
	} refused[] = {
	    {"devtmpfs", "the host's device nodes, its disks among them"},
	    {"debugfs", "the kernel's internals"},
	    {"tracefs", "the kernel's tracing"},
	    {"securityfs", "the security modules' policies"},
	    {"bpf", "the host's pinned BPF programs"},
	    {"hugetlbfs", "the host's pool of huge pages"},
	    {"ext4", "a filesystem read from a block device"},
	    {"nfs", "a filesystem type whose mount oci-harden has not judged"},
	};
	for (size_t i = 0; i < ARRAY_SIZE(refused); i++) {
		cleanup_free char *m = xasprintf(
		    "{\"destination\":\"/m\",\"type\":\"%s\",\"source\":\"x\"}", refused[i].type);
		cleanup_free char *needle =
		    xasprintf("a mount of type %s at /m: %s", refused[i].type, refused[i].needle);
		assert_refused(m, needle);
	}
	assert_lift("{\"destination\":\"/dev\",\"type\":\"devtmpfs\",\"source\":\"devtmpfs\"}",
		    "{\"path\":\"rootfs\"}", "allow.mount_types", "[\"devtmpfs\"]");
	assert_refused("{\"destination\":\"/m\",\"source\":\"x\"}",
		       "a mount with no type and no bind option");
	string_list_add(&policy->allow.mount_types, "hugetlbfs");
	assert_runs("{\"destination\":\"/m\",\"type\":\"hugetlbfs\",\"source\":\"none\"}");
	/* An allowed type mounted from a path: the path is still judged. */
	string_list_add(&policy->allow.mount_types, "ext4");
	assert_refused("{\"destination\":\"/m\",\"type\":\"ext4\",\"source\":\"/dev/sda1\"}",
		       "mount source /dev/sda1: it is inside a sensitive host path");
}

Test(mounts, options_that_could_loosen_are_refused)
{
	assert_refused("{\"destination\":\"/x\",\"type\":\"bind\",\"source\":\"/srv/data\","
		       "\"options\":[\"rbind\",\"idmap\"]}",
		       "mounts[0].options[1]: option \"idmap\": an idmapped bind mount");
	assert_refused("{\"destination\":\"/x\",\"type\":\"bind\",\"source\":\"/srv/data\","
		       "\"options\":[\"rbind\",\"idmap=uids=0-0-1;gids=0-0-1\"]}",
		       "an idmapped bind mount");
	assert_refused("{\"destination\":\"/etc/hostname\",\"type\":\"bind\",\"source\":"
		       "\"/srv/data\",\"options\":[\"bind\",\"remount\",\"rw\"]}",
		       "option \"remount\" of a bind mount: it changes the mount already at the "
		       "destination");
	assert_refused("{\"destination\":\"/x\",\"type\":\"bind\",\"source\":\"/srv/data\","
		       "\"options\":[\"rbind\",\"rshared\"]}",
		       "rshared propagation would let mounts reach the host");
	/* rrw undoes ro whatever their order (runc's setRecAttr comes last). */
	assert_refused("{\"destination\":\"/sys\",\"type\":\"sysfs\",\"source\":\"sysfs\","
		       "\"options\":[\"rrw\",\"ro\"]}",
		       "sysfs mounted writable");
	assert_bind_refused("/etc/ssl", false, "inside a sensitive host path and mounted writable");
	assert_runs("{\"destination\":\"/sys\",\"type\":\"sysfs\",\"source\":\"sysfs\","
		    "\"options\":[\"rw\",\"rro\"]},"
		    "{\"destination\":\"/x\",\"type\":\"bind\",\"source\":\"/srv/data\","
		    "\"options\":[\"rbind\",\"rslave\",\"rnosuid\",\"nosymfollow\",\"z\"]}");
	string_list_add(&policy->allow.mount_types, "bind");
	assert_runs("{\"destination\":\"/x\",\"type\":\"bind\",\"source\":\"/srv/data\","
		    "\"options\":[\"rbind\",\"idmap\"]}");
}

/* --- root.path ------------------------------------------------------------ */

Test(mounts, root_path_inside_the_bundle_or_an_overlay_root)
{
	free(refusal_on(&host, "{\"path\":\"rootfs\"}", "", NULL));
	free(refusal_on(&host, "{\"path\":\"/test/bundle/rootfs\"}", "", NULL));
	/* What Docker and Podman give: an overlay mount's root elsewhere. */
	free(refusal_on(&host, "{\"path\":\"/var/lib/docker/overlay2/abc/merged\"}", "", NULL));
	free(refusal_on(&host, "{\"path\":\"/usr\"}", "",
			"root.path /usr: the container's root filesystem would be the host's "
			"/usr"));
	free(refusal_on(&host, "{\"path\":\"/\"}", "", "would be the host's /,"));
	free(refusal_on(&host, "{\"path\":\"../../usr\"}", "", "the host's /usr"));
	free(refusal_on(&host, "{\"path\":\"usr-link\"}", "",
			"root.path usr-link (resolving to /usr)"));
	free(refusal_on(&host, "{\"path\":\"/srv/root\"}", "",
			"which is neither inside the bundle /test/bundle nor the root of an "
			"overlay mount"));
	free(refusal_on(&host, "{\"path\":\"/srv/missing-root\"}", "",
			"/srv/missing-root does not exist on the host"));
	assert_lift("", "{\"path\":\"/usr\"}", "allow.root_paths", "[\"/usr\"]");
	/* The bundle is the client's wherever it is, /dev/shm included. */
	struct test_host shm = host;
	shm.bundle = "/dev/shm/bundle";
	free(refusal_on(&shm, "{\"path\":\"rootfs\"}", "", NULL));
	free(refusal_on(&shm, "{\"path\":\"../../../usr\"}", "", "would be the host's /usr"));
	string_list_add(&policy->allow.root_paths, "/srv/root*");
	free(refusal_on(&host, "{\"path\":\"/srv/root\"}", "", NULL));
}

/* --- the runtime directories' table -------------------------------------- */

Test(mounts, runtime_dir_relations)
{
	size_t depth;
	cr_assert_eq(runtime_dir_relation("/run/user/*/docker.sock", RUNTIME_DIR_OPAQUE,
					  "/run/user/1000/docker.sock", &depth),
		     RUNTIME_DIR_IS);
	cr_assert_eq(depth, 4);
	cr_assert_eq(runtime_dir_relation("/run/user/*/docker.sock", RUNTIME_DIR_OPAQUE,
					  "/run/user", &depth),
		     RUNTIME_DIR_CONTAINS);
	cr_assert_eq(
	    runtime_dir_relation("/run/user/*/docker.sock", RUNTIME_DIR_OPAQUE, "/run/usr", NULL),
	    RUNTIME_DIR_UNRELATED);
	cr_assert_eq(runtime_dir_relation("/var/lib/docker", RUNTIME_DIR_DOCKER_DATA,
					  "/var/lib/dockerx", NULL),
		     RUNTIME_DIR_UNRELATED);
	cr_assert_eq(runtime_dir_relation("/var/lib/docker", RUNTIME_DIR_DOCKER_DATA,
					  "/var/lib/docker/volumes/v/_data", NULL),
		     RUNTIME_DIR_BOUND);
	cr_assert_eq(runtime_dir_relation("/var/lib/docker", RUNTIME_DIR_DOCKER_DATA,
					  "/var/lib/docker/volumes/v", NULL),
		     RUNTIME_DIR_INSIDE);
	cr_assert_eq(runtime_dir_relation("/var/lib/containers/storage", RUNTIME_DIR_STORAGE,
					  "/var/lib/containers/storage/vfs-containers/a/userdata/"
					  "hostname",
					  NULL),
		     RUNTIME_DIR_BOUND);
	cr_assert(
	    runtime_dirs_default_settles("/var/lib/kubelet/pods/u/volumes/kubernetes.io~secret/s"));
	cr_assert(!runtime_dirs_default_settles("/srv/data"));
	cr_assert(!runtime_dirs_default_settles("/var/lib/kubelet/pods"));
	cr_assert(!runtime_dirs_default_settles("/run"));
}

/* A directory spelled out to its end is settled without walking its
 * components again, a path unrelated to a default directory by one byte,
 * and the rest of a path split once for all the spots: the same answers. */
Test(mounts, runtime_dir_relations_by_the_short_ways)
{
	size_t depth = 0;
	cr_assert_eq(runtime_dir_relation("/var/lib/docker", RUNTIME_DIR_DOCKER_DATA,
					  "/var/lib/docker", &depth),
		     RUNTIME_DIR_IS);
	cr_assert_eq(depth, 3);
	depth = 0;
	cr_assert_eq(runtime_dir_relation("/var/lib/docker", RUNTIME_DIR_DOCKER_DATA,
					  "/var/lib/docker/volumes/v/_data", &depth),
		     RUNTIME_DIR_BOUND);
	cr_assert_eq(depth, 3);
	cr_assert_eq(runtime_dir_relation("/var/lib/docker", RUNTIME_DIR_DOCKER_DATA,
					  "/var/lib/docker/a/b/c/d/e/f/g/h/i", &depth),
		     RUNTIME_DIR_INSIDE);
	cr_assert_eq(runtime_dir_relation("/var/lib/docker", RUNTIME_DIR_DOCKER_DATA,
					  "/var/lib/docker/containers/c/hostname/x", NULL),
		     RUNTIME_DIR_INSIDE);
	cr_assert_eq(runtime_dir_relation("/run/user/*/containerd", RUNTIME_DIR_CONTAINERD_STATE,
					  "/run/user/0/containerd/io.containerd.grpc.v1.cri/"
					  "sandboxes/s/shm",
					  &depth),
		     RUNTIME_DIR_BOUND);
	cr_assert_eq(depth, 4);
	cr_assert(runtime_dirs_default_settles(
	    "/var/lib/containerd/io.containerd.grpc.v1.cri/sandboxes/abc/hosts"));
	cr_assert(runtime_dirs_default_settles(
	    "/run/containerd/io.containerd.grpc.v1.cri/sandboxes/abc/shm"));
	cr_assert(runtime_dirs_default_settles("/var/lib/kubelet/pods/u/volume-subpaths/v/c/0"));
	cr_assert(!runtime_dirs_default_settles(
	    "/var/lib/containerX/io.containerd.grpc.v1.cri/sandboxes/abc/hosts"));
	cr_assert(!runtime_dirs_default_settles("/var/lib/containerd"));
	cr_assert(!runtime_dirs_default_settles("/var/lib/container"));
	cr_assert(!runtime_dirs_default_settles("/var/lib"));
}

/* --- what Docker and Podman write ----------------------------------------- */

static bool client_overlay_root(const char *resolved)
{
	size_t n = strlen(resolved);
	return n > 7 && strcmp(resolved + n - 7, "/merged") == 0;
}

/* tests/fixtures/clients/: their mounts and root pass, judged as a node
 * would judge them: the sources lie where the engine binds from, so the
 * live daemons are not looked at; the root is an overlay mount's. */
Test(mounts, docker_and_podman_configs_pass)
{
	const char *fixtures[] = {"clients/docker-cap-add-sys-admin.config.json",
				  "clients/podman-default.config.json"};
	const struct test_host client_host = {
	    .type_of = fake_type,
	    .overlay_root = client_overlay_root,
	    .bundle = "/run/containerd/io.containerd.runtime.v2.task/moby/abc",
	    .not_surveyed = true,
	};
	for (size_t i = 0; i < ARRAY_SIZE(fixtures); i++) {
		size_t len;
		cleanup_free char *text = test_read_fixture(fixtures[i], &len);
		oh_error_t err = NULL;
		cleanup_json struct json *spec = json_parse(text, len, JSON_PARSE_GO_STRICT, &err);
		cr_assert_not_null(spec, "%s: %s", fixtures[i], err ? err->msg : "");
		cleanup_report struct report report = {0};
		cr_assert_eq(test_harden_spec(spec, policy, &client_host, &report, &err), 0, "%s",
			     err ? err->msg : "");
		for (size_t d = 0; d < report.len; d++) {
			const struct decision *dec = &report.items[d];
			if (dec->kind != DECISION_REFUSE)
				continue;
			cleanup_free char *what = decision_to_string(dec);
			cr_assert(strcmp(dec->rule, "mounts") != 0 &&
				      strcmp(dec->rule, "rootfs") != 0,
				  "%s: %s", fixtures[i], what);
		}
	}
}
