/* SPDX-License-Identifier: Apache-2.0 */
#include "runtime_dirs.h"

#include <assert.h>
#include <stdint.h>
#include <string.h>

#include "util.h"

/* Most specific first where one is inside another: a refusal names the
 * first that matches. */
const struct runtime_dir runtime_dirs_default[] = {
    /* Docker (dockerd's defaults: --data-root, --exec-root, -H). */
    {"/run/docker.sock", "the socket of dockerd", RUNTIME_DIR_OPAQUE},
    {"/run/docker", "the state directory of dockerd", RUNTIME_DIR_OPAQUE},
    {"/var/lib/docker", "the data directory of dockerd", RUNTIME_DIR_DOCKER_DATA},
    {"/run/cri-dockerd.sock", "the socket of cri-dockerd", RUNTIME_DIR_OPAQUE},
    {"/var/lib/cri-dockerd", "the data directory of cri-dockerd", RUNTIME_DIR_OPAQUE},
    {"/run/dockershim.sock", "the socket of the kubelet's dockershim", RUNTIME_DIR_OPAQUE},
    /* containerd (defaults.DefaultRootDir, DefaultStateDir, DefaultAddress),
     * and the containerd k3s and RKE2 run. */
    {"/run/containerd/containerd.sock", "the socket of containerd", RUNTIME_DIR_OPAQUE},
    {"/run/containerd/containerd.sock.ttrpc", "the ttrpc socket of containerd", RUNTIME_DIR_OPAQUE},
    {"/run/containerd", "the state directory of containerd", RUNTIME_DIR_CONTAINERD_STATE},
    {"/var/lib/containerd", "the root directory of containerd", RUNTIME_DIR_CONTAINERD_ROOT},
    {"/run/k3s/containerd", "the state directory of k3s's containerd",
     RUNTIME_DIR_CONTAINERD_STATE},
    {"/run/k3s", "the state directory of k3s", RUNTIME_DIR_OPAQUE},
    {"/var/lib/rancher/k3s/agent/containerd", "the root directory of k3s's containerd",
     RUNTIME_DIR_CONTAINERD_ROOT},
    {"/var/lib/rancher/rke2/agent/containerd", "the root directory of RKE2's containerd",
     RUNTIME_DIR_CONTAINERD_ROOT},
    {"/var/lib/rancher", "the data directory of k3s and RKE2", RUNTIME_DIR_OPAQUE},
    /* Podman, CRI-O and everything else built on containers/storage
     * (storage.conf's graphroot and runroot, libpod's tmp_dir). */
    {"/run/podman/podman.sock", "the socket of Podman's API service", RUNTIME_DIR_OPAQUE},
    {"/run/podman", "the state directory of Podman", RUNTIME_DIR_OPAQUE},
    {"/run/libpod", "the temporary directory of Podman", RUNTIME_DIR_OPAQUE},
    {"/run/containers/storage", "the run directory of containers/storage (Podman, CRI-O)",
     RUNTIME_DIR_STORAGE},
    {"/run/containers", "the run directory of Podman (registry credentials, storage)",
     RUNTIME_DIR_OPAQUE},
    {"/var/lib/containers/storage", "the storage directory of containers/storage (Podman, CRI-O)",
     RUNTIME_DIR_STORAGE},
    {"/var/lib/containers", "the data directory of Podman and CRI-O", RUNTIME_DIR_OPAQUE},
    {"/run/crio/crio.sock", "the socket of CRI-O", RUNTIME_DIR_OPAQUE},
    {"/run/crio", "the state directory of CRI-O", RUNTIME_DIR_OPAQUE},
    {"/var/lib/crio", "the data directory of CRI-O", RUNTIME_DIR_OPAQUE},
    /* The low-level runtimes' state: every container's init, by pid. */
    {"/run/runc", "the state directory of runc", RUNTIME_DIR_OPAQUE},
    {"/run/crun", "the state directory of crun", RUNTIME_DIR_OPAQUE},
    {"/run/oci-harden", "the state directory of oci-harden", RUNTIME_DIR_OPAQUE},
    /* The kubelet (--root-dir), with its device-plugin and pod-resources
     * sockets inside. */
    {"/var/lib/kubelet", "the root directory of the kubelet", RUNTIME_DIR_KUBELET},
    /* BuildKit (buildkitd --root, --addr). */
    {"/run/buildkit", "the state directory of buildkitd", RUNTIME_DIR_OPAQUE},
    {"/var/lib/buildkit", "the data directory of buildkitd", RUNTIME_DIR_OPAQUE},
    /* Rootless daemons keep their sockets and state in $XDG_RUNTIME_DIR. */
    {"/run/user/*/docker.sock", "the socket of a rootless dockerd", RUNTIME_DIR_OPAQUE},
    {"/run/user/*/docker", "the state directory of a rootless dockerd", RUNTIME_DIR_OPAQUE},
    {"/run/user/*/containerd", "the state directory of a rootless containerd",
     RUNTIME_DIR_CONTAINERD_STATE},
    {"/run/user/*/podman", "the socket directory of a rootless Podman", RUNTIME_DIR_OPAQUE},
    {"/run/user/*/libpod", "the temporary directory of a rootless Podman", RUNTIME_DIR_OPAQUE},
    {"/run/user/*/containers", "the run directory of a rootless Podman's storage",
     RUNTIME_DIR_STORAGE},
    {"/run/user/*/runc", "the state directory of a rootless runc", RUNTIME_DIR_OPAQUE},
    {"/run/user/*/crun", "the state directory of a rootless crun", RUNTIME_DIR_OPAQUE},
    {"/run/user/*/buildkit", "the state directory of a rootless buildkitd", RUNTIME_DIR_OPAQUE},
    /* Control of the host itself: systemd's private socket starts any
     * unit as root, and the system bus reaches systemd and every service. */
    {"/run/systemd/private", "the control socket of systemd", RUNTIME_DIR_OPAQUE},
    {"/run/dbus/system_bus_socket", "the D-Bus system bus", RUNTIME_DIR_OPAQUE},
    {"/run/user/*/systemd/private", "the control socket of a user's systemd", RUNTIME_DIR_OPAQUE},
    {"/run/user/*/bus", "a user's D-Bus session bus", RUNTIME_DIR_OPAQUE},
};
const size_t runtime_dirs_default_len = ARRAY_SIZE(runtime_dirs_default);

/* The places inside a runtime's directory that the runtime itself binds
 * into its containers, each at exactly that depth: never deeper, where a
 * container that writes the volume could have put a symlink.
 *   containerd: pkg/cri/server/helpers_linux.go (getSandboxHostname,
 *     getSandboxHosts, getResolvPath under the CRI root; getSandboxDevShm
 *     under the CRI state), container_create.go (image volumes under
 *     <root>/containers/<id>/volumes/<id>).
 *   dockerd: a container's hostname, hosts, resolv.conf and mounts/shm
 *     under containers/<id>/; named volumes as volumes/<name>/_data.
 *   containers/storage (Podman, CRI-O): a container's files under
 *     <driver>-containers/<id>/userdata/; the upper and work directories
 *     of an overlay volume (podman -v SRC:DST:O) under userdata/overlay/
 *     <n>/ (pkg/overlay, TempDir); Podman's named volumes as
 *     volumes/<name>/_data.
 *   kubelet: volumes as pods/<uid>/volumes/<plugin>/<name> (CSI ones one
 *     level down, in .../mount), subPaths as pods/<uid>/volume-subpaths/
 *     <volume>/<container>/<index>, the pod's etc-hosts and each
 *     container's termination-log file under pods/<uid>/containers/<name>/. */
static const char *const containerd_root_spots[] = {
    "io.containerd.grpc.v1.cri/sandboxes/*/hostname",
    "io.containerd.grpc.v1.cri/sandboxes/*/hosts",
    "io.containerd.grpc.v1.cri/sandboxes/*/resolv.conf",
    "io.containerd.grpc.v1.cri/containers/*/volumes/*",
    NULL,
};
static const char *const containerd_state_spots[] = {
    "io.containerd.grpc.v1.cri/sandboxes/*/shm",
    NULL,
};
static const char *const docker_data_spots[] = {
    "containers/*/hostname",   "containers/*/hosts", "containers/*/resolv.conf",
    "containers/*/mounts/shm", "volumes/*/_data",    NULL,
};
static const char *const storage_spots[] = {
    "*-containers/*/userdata/*",
    "*-containers/*/userdata/overlay/*/upper",
    "*-containers/*/userdata/overlay/*/work",
    "volumes/*/_data",
    NULL,
};
static const char *const kubelet_spots[] = {
    "pods/*/volumes/*/*",	    "pods/*/volumes/kubernetes.io~csi/*/mount",
    "pods/*/volume-subpaths/*/*/*", "pods/*/etc-hosts",
    "pods/*/containers/*/*",	    NULL,
};

static const char *const *runtime_dir_spots(enum runtime_dir_layout layout)
{
	switch (layout) {
	case RUNTIME_DIR_CONTAINERD_ROOT:
		return containerd_root_spots;
	case RUNTIME_DIR_CONTAINERD_STATE:
		return containerd_state_spots;
	case RUNTIME_DIR_DOCKER_DATA:
		return docker_data_spots;
	case RUNTIME_DIR_STORAGE:
		return storage_spots;
	case RUNTIME_DIR_KUBELET:
		return kubelet_spots;
	case RUNTIME_DIR_OPAQUE:
		break;
	}
	return NULL;
}

/* One path component against a pattern component in which '*' matches any
 * run of characters (there is no '/' in either). */
static bool component_match(const char *pattern, size_t pattern_len, const char *name,
			    size_t name_len)
{
	/* A whole component of "*" (a container's id, a volume's name)
	 * matches anything: settled without walking a 64-byte id. */
	if (pattern_len == 1 && pattern[0] == '*')
		return true;
	/* Without a '*' (most components of the directories and their spots)
	 * it is a comparison of bytes. */
	if (!memchr(pattern, '*', pattern_len))
		return pattern_len == name_len && memcmp(pattern, name, name_len) == 0;
	size_t p = 0, n = 0, star = SIZE_MAX, resume = 0;
	while (n < name_len) {
		if (p < pattern_len && pattern[p] == '*') {
			star = p++;
			resume = n;
		} else if (p < pattern_len && pattern[p] == name[n]) {
			p++;
			n++;
		} else if (star != SIZE_MAX) {
			p = star + 1;
			n = ++resume;
		} else {
			return false;
		}
	}
	while (p < pattern_len && pattern[p] == '*')
		p++;
	return p == pattern_len;
}

/* The next component of a path at or after `p`, its length in *len (0 at
 * the end). */
static const char *next_component(const char *p, size_t *len)
{
	while (*p == '/')
		p++;
	*len = (size_t)(strchrnul(p, '/') - p);
	return p;
}

/* A component of a path: where it starts, and its length. */
struct path_component {
	const char *at;
	size_t len;
};

/* More components than any spot has: a path with more matches none. */
#define SPOT_COMPONENTS_MAX 8

/* The components of relative `path` into `out`; their number, or
 * SPOT_COMPONENTS_MAX + 1 where there are more. */
static size_t split_components(const char *path, struct path_component *out)
{
	size_t n = 0;
	for (;;) {
		size_t len;
		path = next_component(path, &len);
		if (len == 0)
			return n;
		if (n == SPOT_COMPONENTS_MAX)
			return n + 1;
		out[n++] = (struct path_component){path, len};
		path += len;
	}
}

/* A spot split into its components once: the walk of its text (a
 * strchrnul and a memchr for '*' per component) was most of matching it. */
struct spot_pattern {
	size_t n; /* its components */
	struct spot_part {
		const char *at;
		size_t len;
		bool has_star;
	} parts[SPOT_COMPONENTS_MAX];
};

/* More spots than any layout has. */
#define LAYOUT_SPOTS_MAX 8

static struct spot_pattern layout_spots[RUNTIME_DIR_KUBELET + 1][LAYOUT_SPOTS_MAX];
static size_t layout_spots_len[RUNTIME_DIR_KUBELET + 1];
static bool layout_spots_ready[RUNTIME_DIR_KUBELET + 1];

/* The spots of `layout`, split (their number in *len). */
static const struct spot_pattern *runtime_dir_spot_patterns(enum runtime_dir_layout layout,
							    size_t *len)
{
	if (!layout_spots_ready[layout]) {
		const char *const *spots = runtime_dir_spots(layout);
		size_t k = 0;
		for (; spots && spots[k]; k++) {
			struct path_component parts[SPOT_COMPONENTS_MAX];
			struct spot_pattern *sp = &layout_spots[layout][k];
			assert(k < LAYOUT_SPOTS_MAX);
			sp->n = split_components(spots[k], parts);
			assert(sp->n <= SPOT_COMPONENTS_MAX);
			for (size_t c = 0; c < sp->n; c++)
				sp->parts[c] = (struct spot_part){
				    parts[c].at, parts[c].len,
				    memchr(parts[c].at, '*', parts[c].len) != NULL};
		}
		layout_spots_len[layout] = k;
		layout_spots_ready[layout] = true;
	}
	*len = layout_spots_len[layout];
	return layout_spots[layout];
}

/* Whether the `n` components of a path are as many as those of the spot
 * and each matches. The path is split once for all the spots of a
 * directory: walking it again for each spot was most of the cost. */
static bool spot_match(const struct spot_pattern *spot, const struct path_component *path, size_t n)
{
	if (spot->n != n)
		return false;
	for (size_t k = 0; k < n; k++) {
		const struct spot_part *part = &spot->parts[k];
		if (!part->has_star
			? part->len != path[k].len || memcmp(part->at, path[k].at, part->len) != 0
			: !component_match(part->at, part->len, path[k].at, path[k].len))
			return false;
	}
	return true;
}

enum runtime_dir_relation runtime_dir_relation(const char *dir, enum runtime_dir_layout layout,
					       const char *path, size_t *depth)
{
	/* Both are clean: up to the first '*', a byte that differs while the
	 * path goes on settles it, and most directories differ from a path
	 * within a few bytes ("/run/..." and "/var/lib/..."). */
	size_t i = 0;
	while (dir[i] && dir[i] != '*' && dir[i] == path[i])
		i++;
	if (dir[i] && dir[i] != '*' &&
	    !((path[i] == '\0' && dir[i] == '/') || (i == 1 && path[1] == '\0')))
		return RUNTIME_DIR_UNRELATED;
	/* Else the path ends at a component of dir or is "/", or matched dir
	 * up to its end or its first '*'. */
	size_t components = 0;
	const char *d = dir, *p = path;
	if (dir[i] == '\0' && i > 1 && (path[i] == '\0' || path[i] == '/')) {
		/* The directory (no '*' in it, not "/") spelled out to its end,
		 * and the path is it or goes on past a '/': it has as many
		 * components as slashes. */
		for (size_t k = 0; k < i; k++)
			components += dir[k] == '/';
		if (path[i] == '\0') {
			if (depth)
				*depth = components;
			return RUNTIME_DIR_IS;
		}
		p = path + i;
		goto inside;
	}
	for (;;) {
		size_t dir_len, path_len;
		d = next_component(d, &dir_len);
		p = next_component(p, &path_len);
		if (dir_len == 0 && path_len == 0) {
			if (depth)
				*depth = components;
			return RUNTIME_DIR_IS;
		}
		if (path_len == 0) {
			while (dir_len) {
				components++;
				d = next_component(d + dir_len, &dir_len);
			}
			if (depth)
				*depth = components;
			return RUNTIME_DIR_CONTAINS;
		}
		if (dir_len == 0)
			break;
		if (!component_match(d, dir_len, p, path_len))
			return RUNTIME_DIR_UNRELATED;
		d += dir_len;
		p += path_len;
		components++;
	}
inside:
	if (depth)
		*depth = components;
	size_t spots_len;
	const struct spot_pattern *spots = runtime_dir_spot_patterns(layout, &spots_len);
	if (!spots_len)
		return RUNTIME_DIR_INSIDE;
	struct path_component rest[SPOT_COMPONENTS_MAX];
	size_t n = split_components(p, rest);
	for (size_t k = 0; n <= SPOT_COMPONENTS_MAX && k < spots_len; k++)
		if (spot_match(&spots[k], rest, n))
			return RUNTIME_DIR_BOUND;
	return RUNTIME_DIR_INSIDE;
}

/* For each default directory, where a byte of a path tells most paths
 * apart from it at once (runtime_dir_probe_unrelated): its last byte
 * before its end or its first '*' (of "/var/lib/docker", the 'r'). */
static size_t default_probes[ARRAY_SIZE(runtime_dirs_default)];
static bool default_probes_ready;

static const size_t *runtime_dirs_default_probes(void)
{
	if (!default_probes_ready) {
		for (size_t i = 0; i < ARRAY_SIZE(runtime_dirs_default); i++)
			default_probes[i] = strcspn(runtime_dirs_default[i].path, "*") - 1;
		default_probes_ready = true;
	}
	return default_probes;
}

/* For each byte after a path's first '/', the indices of the default
 * directories runtime_dir_may_relate lets through, in the table's order:
 * a path under /var meets a dozen of them rather than the whole table. */
_Static_assert(ARRAY_SIZE(runtime_dirs_default) <= UINT8_MAX &&
		   ARRAY_SIZE(runtime_dirs_default) <= RUNTIME_DIRS_DEFAULT_MAX,
	       "indices fit a byte");
static unsigned char default_candidates[256][ARRAY_SIZE(runtime_dirs_default)];
static unsigned char default_candidates_len[256];
static bool default_candidates_ready[256];

static const unsigned char *runtime_dirs_default_candidates(const char *path, size_t *len)
{
	unsigned char c = (unsigned char)path[1];
	if (!default_candidates_ready[c]) {
		unsigned char n = 0;
		for (size_t i = 0; i < ARRAY_SIZE(runtime_dirs_default); i++)
			if (runtime_dir_may_relate(runtime_dirs_default[i].path, path))
				default_candidates[c][n++] = (unsigned char)i;
		default_candidates_len[c] = n;
		default_candidates_ready[c] = true;
	}
	*len = default_candidates_len[c];
	return default_candidates[c];
}

size_t runtime_dirs_default_related(const char *path, unsigned char *out)
{
	size_t path_len = strlen(path), candidates_len, n = 0;
	const size_t *probes = runtime_dirs_default_probes();
	const unsigned char *candidates = runtime_dirs_default_candidates(path, &candidates_len);
	for (size_t c = 0; c < candidates_len; c++) {
		size_t i = candidates[c];
		/* The path has a byte at the probe, and another one: it differs
		 * from the directory before the directory ends or has a '*'. */
		if (probes[i] < path_len &&
		    path[probes[i]] != runtime_dirs_default[i].path[probes[i]])
			continue;
		out[n++] = (unsigned char)i;
	}
	return n;
}

bool runtime_dirs_default_settles(const char *path)
{
	enum runtime_dir_relation innermost = RUNTIME_DIR_UNRELATED;
	size_t innermost_depth = 0;
	unsigned char related[RUNTIME_DIRS_DEFAULT_MAX];
	size_t related_len = runtime_dirs_default_related(path, related);
	for (size_t c = 0; c < related_len; c++) {
		size_t i = related[c];
		size_t depth;
		enum runtime_dir_relation r = runtime_dir_relation(
		    runtime_dirs_default[i].path, runtime_dirs_default[i].layout, path, &depth);
		if (r == RUNTIME_DIR_IS || r == RUNTIME_DIR_CONTAINS)
			return false;
		if (r != RUNTIME_DIR_UNRELATED && depth > innermost_depth) {
			innermost = r;
			innermost_depth = depth;
		}
	}
	return innermost == RUNTIME_DIR_BOUND;
}
