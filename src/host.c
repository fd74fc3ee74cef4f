/* SPDX-License-Identifier: Apache-2.0 */
#include "host.h"

#include <stdio.h>
#include <string.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/apparmor.h>
#include <sys/stat.h>

#include "fileio.h"

/* The profiles file lists one loaded profile per line as "NAME (MODE)". */
bool host_apparmor_profile_loaded(const char *name)
{
	cleanup_free char *mountpoint = NULL;
	if (aa_find_mountpoint(&mountpoint) < 0)
		return false;
	cleanup_free char *path = xasprintf("%s/profiles", mountpoint);
	FILE *f = fopen(path, "re");
	if (!f)
		return false;
	bool found = false;
	size_t name_len = strlen(name);
	char *line = NULL;
	size_t cap = 0;
	while (!found && getline(&line, &cap, f) > 0)
		found =
		    strncmp(line, name, name_len) == 0 && strncmp(line + name_len, " (", 2) == 0;
	free(line);
	fclose(f);
	return found;
}

/* The OCI namespace type's name under /proc/<pid>/ns. */
static const struct {
	const char *type;
	const char *proc_name;
} namespace_names[] = {
    {"pid", "pid"},   {"network", "net"}, {"ipc", "ipc"},	{"uts", "uts"},
    {"mount", "mnt"}, {"user", "user"},	  {"cgroup", "cgroup"}, {"time", "time"},
};

/* A namespace is identified by the device and inode of its nsfs file; ours
 * are the host's, since oci-harden runs where containerd runs. */
static int host_namespace_is_host(const char *type, const char *path)
{
	const char *proc_name = NULL;
	for (size_t i = 0; i < ARRAY_SIZE(namespace_names); i++)
		if (strcmp(namespace_names[i].type, type) == 0)
			proc_name = namespace_names[i].proc_name;
	if (!proc_name)
		return -1;
	cleanup_free char *own = xasprintf("/proc/self/ns/%s", proc_name);
	struct stat theirs, ours;
	if (stat(path, &theirs) < 0 || stat(own, &ours) < 0)
		return -1;
	return theirs.st_dev == ours.st_dev && theirs.st_ino == ours.st_ino;
}

/* Where a path leads, read back from the kernel: one open(O_PATH), which
 * follows every symlink, and one readlink of its /proc/self/fd entry, where
 * realpath(3) would lstat and readlink each component in turn (a config
 * with a thousand bind mounts made that the largest cost of a create). */
static void host_path_facts(const char *path, struct host_path *out)
{
	*out = (struct host_path){.path = xstrdup(path)};
	cleanup_close int fd = open(path, O_PATH | O_CLOEXEC);
	if (fd < 0)
		return;
	char link[64], target[PATH_MAX];
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	ssize_t n = readlink(link, target, sizeof(target) - 1);
	struct stat st;
	if (n <= 0 || n >= (ssize_t)sizeof(target) - 1 || target[0] != '/' || fstat(fd, &st) < 0)
		return;
	target[n] = '\0';
	out->exists = true;
	out->resolved = xstrdup(target);
	out->type = st.st_mode & S_IFMT;
}

void host_facts_gather(const struct policy *policy, const struct host_queries *queries,
		       const char *bundle, struct host_facts *facts)
{
	*facts = (struct host_facts){.bundle = bundle ? xstrdup(bundle) : NULL};
	if (queries && queries->paths.len) {
		facts->paths = xcalloc(queries->paths.len, sizeof(*facts->paths));
		for (size_t i = 0; i < queries->paths.len; i++)
			host_path_facts(queries->paths.items[i], &facts->paths[i]);
		facts->paths_len = queries->paths.len;
	}
	if (queries && queries->namespace_types.len) {
		size_t n = queries->namespace_types.len;
		facts->namespaces = xcalloc(n, sizeof(*facts->namespaces));
		for (size_t i = 0; i < n; i++) {
			const char *type = queries->namespace_types.items[i];
			const char *path = queries->namespace_paths.items[i];
			facts->namespaces[i] = (struct host_namespace){
			    .type = xstrdup(type),
			    .path = xstrdup(path),
			    .is_host = host_namespace_is_host(type, path),
			};
		}
		facts->namespaces_len = n;
	}
	const char *profile = policy->apparmor_profile;
	if (!profile || !*profile)
		return;
	facts->apparmor_enabled = aa_is_enabled() == 1;
	if (facts->apparmor_enabled)
		facts->apparmor_profile_loaded = host_apparmor_profile_loaded(profile);
}

void host_facts_for_spec(const struct policy *policy, const struct json *spec, const char *bundle,
			 struct host_facts *facts)
{
	struct host_queries queries = {0};
	harden_host_queries(spec, bundle, &queries);
	host_facts_gather(policy, &queries, bundle, facts);
	host_queries_clear(&queries);
}
