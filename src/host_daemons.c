/* SPDX-License-Identifier: Apache-2.0 */
#include "host_daemons.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fileio.h"

/* --- reading /proc --------------------------------------------------------- */

/* Read at most size-1 bytes of a small file under `dirfd` into buf,
 * NUL-terminated; the length, or -1. */
static ssize_t read_small(int dirfd, const char *path, char *buf, size_t size)
{
	cleanup_close int fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return -1;
	size_t used = 0;
	while (used < size - 1) {
		ssize_t n = read(fd, buf + used, size - 1 - used);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		used += (size_t)n;
	}
	buf[used] = '\0';
	return (ssize_t)used;
}

/* The arguments of process `pid` (its /proc cmdline), or false. */
static bool read_cmdline(pid_t pid, struct string_list *argv)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/cmdline", (int)pid);
	cleanup_free char *text = NULL;
	size_t len;
	oh_error_t err = NULL;
	if (file_read_all(AT_FDCWD, path, 1u << 20, &text, &len, &err) < 0) {
		oh_error_free(&err);
		return false;
	}
	for (size_t i = 0; i < len; i += strlen(text + i) + 1)
		string_list_add(argv, text + i);
	return true;
}

/* --- what a daemon says it uses ---------------------------------------------- */

struct daemon_reader {
	struct host_survey *survey;
	const struct host_daemon *daemon;
};

/* Record `path` (absolute; resolved where it exists) as the daemon's. */
static void daemon_uses(struct daemon_reader *r, const char *path, const char *what,
			enum runtime_dir_layout layout)
{
	if (!path || path[0] != '/')
		return; /* relative to a directory of the daemon's: not judged */
	char resolved[PATH_MAX];
	cleanup_free char *clean =
	    realpath(path, resolved) ? xstrdup(resolved) : harden_clean_path(path);
	if (!clean)
		return;
	struct host_survey *s = r->survey;
	for (size_t i = 0; i < s->dirs_len; i++)
		if (strcmp(s->dirs[i].path, clean) == 0 && s->dirs[i].layout == layout)
			return;
	s->dirs = xgrow(s->dirs, &s->dirs_cap, s->dirs_len + 1, sizeof(*s->dirs));
	s->dirs[s->dirs_len++] = (struct host_runtime_dir){
	    .path = steal_pointer(&clean),
	    .what = xasprintf("%s of %s (pid %d)", what, r->daemon->name, (int)r->daemon->pid),
	    .layout = layout,
	};
}

/* A listening address: "unix:///run/x.sock" or a bare path. */
static void daemon_listens(struct daemon_reader *r, const char *address)
{
	if (!address)
		return;
	if (strncmp(address, "unix://", 7) == 0)
		address += 7;
	if (address[0] == '/')
		daemon_uses(r, address, "the socket", RUNTIME_DIR_OPAQUE);
}

/* The value of option `name` at argv[*i] ("--name VALUE" or
 * "--name=VALUE"), advancing *i past it; NULL when argv[*i] is not it. */
static const char *option_value(const struct string_list *argv, size_t *i, const char *name)
{
	const char *arg = argv->items[*i];
	size_t n = strlen(name);
	if (strncmp(arg, name, n) != 0)
		return NULL;
	if (arg[n] == '=')
		return arg + n + 1;
	if (arg[n] == '\0' && *i + 1 < argv->len)
		return argv->items[++*i];
	return NULL;
}

/* A quoted value of `key` on a TOML line ("key = \"value\""), or NULL. */
static char *toml_value(const char *line, const char *key)
{
	while (isspace((unsigned char)*line))
		line++;
	size_t n = strlen(key);
	if (strncmp(line, key, n) != 0)
		return NULL;
	line += n;
	while (*line == ' ' || *line == '\t')
		line++;
	if (*line++ != '=')
		return NULL;
	while (*line == ' ' || *line == '\t')
		line++;
	if (*line != '"' && *line != '\'')
		return NULL;
	char quote = *line++;
	const char *end = strchr(line, quote);
	return end ? xstrndup(line, (size_t)(end - line)) : NULL;
}

/* The top-level keys of a TOML file, and those of one table, as far as
 * the runtimes' config files use them: `keys` are "root" (top level) or
 * "grpc.address" (in a table). Values land in `values`, parallel. */
static void toml_read(const char *path, const char *const *keys, size_t n, char **values)
{
	cleanup_free char *text = NULL;
	size_t len;
	oh_error_t err = NULL;
	if (file_read_all(AT_FDCWD, path, 1u << 20, &text, &len, &err) < 0) {
		oh_error_free(&err);
		return;
	}
	char table[128] = "";
	for (char *line = text, *next; line && *line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		const char *p = line;
		while (isspace((unsigned char)*p))
			p++;
		if (*p == '[') {
			const char *end = strchr(p, ']');
			size_t tlen = end ? (size_t)(end - p - 1) : 0;
			if (tlen >= sizeof(table))
				tlen = 0;
			memcpy(table, p + 1, tlen);
			table[tlen] = '\0';
			continue;
		}
		for (size_t k = 0; k < n; k++) {
			const char *dot = strrchr(keys[k], '.');
			size_t tlen = dot ? (size_t)(dot - keys[k]) : 0;
			if (strlen(table) != tlen || strncmp(table, keys[k], tlen) != 0)
				continue;
			char *v = toml_value(p, dot ? dot + 1 : keys[k]);
			if (v) {
				xfree(values[k]);
				values[k] = v;
			}
		}
	}
}

/* dockerd: --data-root (old: -g, --graph), --exec-root, -H/--host, and
 * the same in its --config-file (daemon.json); dockerd's defaults
 * otherwise (cmd/dockerd, daemon/config). */
static void read_dockerd(struct daemon_reader *r, const struct string_list *argv)
{
	const char *data_root = NULL, *exec_root = NULL, *config = "/etc/docker/daemon.json";
	struct string_list hosts = {0};
	for (size_t i = 1; i < argv->len; i++) {
		const char *v;
		if ((v = option_value(argv, &i, "--data-root")) ||
		    (v = option_value(argv, &i, "-g")) || (v = option_value(argv, &i, "--graph")))
			data_root = v;
		else if ((v = option_value(argv, &i, "--exec-root")))
			exec_root = v;
		else if ((v = option_value(argv, &i, "--config-file")))
			config = v;
		else if ((v = option_value(argv, &i, "-H")) ||
			 (v = option_value(argv, &i, "--host")))
			string_list_add(&hosts, v);
	}
	cleanup_free char *text = NULL;
	size_t len;
	oh_error_t err = NULL;
	cleanup_json struct json *doc = NULL;
	if (file_read_all(AT_FDCWD, config, 1u << 20, &text, &len, &err) == 0)
		doc = json_parse(text, len, 0, &err);
	oh_error_free(&err);
	const struct json *v;
	if (doc && doc->type == JSON_OBJECT) {
		if (!data_root && (v = json_object_get(doc, "data-root")) && v->type == JSON_STRING)
			data_root = v->string.ptr;
		if (!data_root && (v = json_object_get(doc, "graph")) && v->type == JSON_STRING)
			data_root = v->string.ptr;
		if (!exec_root && (v = json_object_get(doc, "exec-root")) && v->type == JSON_STRING)
			exec_root = v->string.ptr;
		if ((v = json_object_get(doc, "hosts")) && v->type == JSON_ARRAY)
			for (size_t i = 0; i < v->array.len; i++)
				if (v->array.items[i]->type == JSON_STRING)
					string_list_add(&hosts, v->array.items[i]->string.ptr);
	}
	daemon_uses(r, data_root ? data_root : "/var/lib/docker", "the data directory",
		    RUNTIME_DIR_DOCKER_DATA);
	daemon_uses(r, exec_root ? exec_root : "/run/docker", "the state directory",
		    RUNTIME_DIR_OPAQUE);
	if (hosts.len == 0)
		daemon_listens(r, "/run/docker.sock");
	for (size_t i = 0; i < hosts.len; i++)
		daemon_listens(r, hosts.items[i]);
	string_list_clear(&hosts);
}

/* containerd: --root, --state, --address/-a, and root, state, [grpc]
 * address and [ttrpc] address of its --config/-c file (defaults:
 * containerd's defaults package). */
static void read_containerd(struct daemon_reader *r, const struct string_list *argv)
{
	const char *root = NULL, *state = NULL, *address = NULL;
	const char *config = "/etc/containerd/config.toml";
	for (size_t i = 1; i < argv->len; i++) {
		const char *v;
		if ((v = option_value(argv, &i, "--root")))
			root = v;
		else if ((v = option_value(argv, &i, "--state")))
			state = v;
		else if ((v = option_value(argv, &i, "--address")) ||
			 (v = option_value(argv, &i, "-a")))
			address = v;
		else if ((v = option_value(argv, &i, "--config")) ||
			 (v = option_value(argv, &i, "-c")))
			config = v;
	}
	static const char *const keys[] = {"root", "state", "grpc.address", "ttrpc.address"};
	char *values[ARRAY_SIZE(keys)] = {0};
	toml_read(config, keys, ARRAY_SIZE(keys), values);
	daemon_uses(r,
		    root	? root
		    : values[0] ? values[0]
				: "/var/lib/containerd",
		    "the root directory", RUNTIME_DIR_CONTAINERD_ROOT);
	daemon_uses(r,
		    state	? state
		    : values[1] ? values[1]
				: "/run/containerd",
		    "the state directory", RUNTIME_DIR_CONTAINERD_STATE);
	const char *grpc = address     ? address
			   : values[2] ? values[2]
				       : "/run/containerd/containerd.sock";
	daemon_listens(r, grpc);
	cleanup_free char *ttrpc = values[3] ? xstrdup(values[3]) : xasprintf("%s.ttrpc", grpc);
	daemon_listens(r, ttrpc);
	for (size_t k = 0; k < ARRAY_SIZE(keys); k++)
		xfree(values[k]);
}

/* containers/storage's graphroot and runroot in storage.conf. */
static void read_storage_conf(char **graphroot, char **runroot)
{
	static const char *const keys[] = {"storage.graphroot", "storage.runroot"};
	char *values[2] = {0};
	toml_read("/etc/containers/storage.conf", keys, 2, values);
	*graphroot = values[0];
	*runroot = values[1];
}

/* podman: --root, --runroot, --tmpdir, and `system service`'s listening
 * URI; storage.conf and libpod's defaults otherwise. */
static void read_podman(struct daemon_reader *r, const struct string_list *argv)
{
	const char *root = NULL, *runroot = NULL, *tmpdir = NULL;
	bool service = false;
	for (size_t i = 1; i < argv->len; i++) {
		const char *v, *arg = argv->items[i];
		if ((v = option_value(argv, &i, "--root")))
			root = v;
		else if ((v = option_value(argv, &i, "--runroot")))
			runroot = v;
		else if ((v = option_value(argv, &i, "--tmpdir")))
			tmpdir = v;
		else if (strcmp(arg, "service") == 0)
			service = true;
		else if (service && strncmp(arg, "unix://", 7) == 0)
			daemon_listens(r, arg);
	}
	cleanup_free char *graphroot = NULL, *conf_runroot = NULL;
	read_storage_conf(&graphroot, &conf_runroot);
	daemon_uses(r,
		    root	? root
		    : graphroot ? graphroot
				: "/var/lib/containers/storage",
		    "the storage directory", RUNTIME_DIR_STORAGE);
	daemon_uses(r,
		    runroot	   ? runroot
		    : conf_runroot ? conf_runroot
				   : "/run/containers/storage",
		    "the storage run directory", RUNTIME_DIR_STORAGE);
	daemon_uses(r, tmpdir ? tmpdir : "/run/libpod", "the temporary directory",
		    RUNTIME_DIR_OPAQUE);
	if (service)
		daemon_listens(r, "/run/podman/podman.sock");
}

/* conmon, Podman's monitor, outlives `podman run`: its exit command names
 * Podman's --root, --runroot and --tmpdir (libpod/oci_conmon_linux.go). */
static void read_conmon(struct daemon_reader *r, const struct string_list *argv)
{
	struct string_list exit_command = {0};
	for (size_t i = 1; i < argv->len; i++) {
		const char *v;
		if ((v = option_value(argv, &i, "--exit-command-arg")))
			string_list_add(&exit_command, v);
		else if ((v = option_value(argv, &i, "--socket-dir-path")))
			daemon_uses(r, v, "the attach socket directory", RUNTIME_DIR_OPAQUE);
	}
	for (size_t i = 0; i < exit_command.len; i++) {
		const char *v;
		if ((v = option_value(&exit_command, &i, "--root")))
			daemon_uses(r, v, "the storage directory", RUNTIME_DIR_STORAGE);
		else if ((v = option_value(&exit_command, &i, "--runroot")))
			daemon_uses(r, v, "the storage run directory", RUNTIME_DIR_STORAGE);
		else if ((v = option_value(&exit_command, &i, "--tmpdir")))
			daemon_uses(r, v, "the temporary directory", RUNTIME_DIR_OPAQUE);
	}
	string_list_clear(&exit_command);
}

/* CRI-O: --root, --runroot, --listen, and [crio] root, runroot and
 * [crio.api] listen of its config file. */
static void read_crio(struct daemon_reader *r, const struct string_list *argv)
{
	const char *root = NULL, *runroot = NULL, *listen = NULL, *config = "/etc/crio/crio.conf";
	for (size_t i = 1; i < argv->len; i++) {
		const char *v;
		if ((v = option_value(argv, &i, "--root")))
			root = v;
		else if ((v = option_value(argv, &i, "--runroot")))
			runroot = v;
		else if ((v = option_value(argv, &i, "--listen")))
			listen = v;
		else if ((v = option_value(argv, &i, "--config")))
			config = v;
	}
	static const char *const keys[] = {"crio.root", "crio.runroot", "crio.api.listen"};
	char *values[3] = {0};
	toml_read(config, keys, 3, values);
	daemon_uses(r,
		    root	? root
		    : values[0] ? values[0]
				: "/var/lib/containers/storage",
		    "the storage directory", RUNTIME_DIR_STORAGE);
	daemon_uses(r,
		    runroot	? runroot
		    : values[1] ? values[1]
				: "/run/containers/storage",
		    "the storage run directory", RUNTIME_DIR_STORAGE);
	daemon_uses(r, "/run/crio", "the state directory", RUNTIME_DIR_OPAQUE);
	daemon_listens(r, listen ? listen : values[2] ? values[2] : "/run/crio/crio.sock");
	for (size_t k = 0; k < 3; k++)
		xfree(values[k]);
}

static void read_kubelet(struct daemon_reader *r, const struct string_list *argv)
{
	const char *root = "/var/lib/kubelet";
	for (size_t i = 1; i < argv->len; i++) {
		const char *v = option_value(argv, &i, "--root-dir");
		if (v)
			root = v;
	}
	daemon_uses(r, root, "the root directory", RUNTIME_DIR_KUBELET);
}

static void read_buildkitd(struct daemon_reader *r, const struct string_list *argv)
{
	const char *root = "/var/lib/buildkit";
	bool listens = false;
	for (size_t i = 1; i < argv->len; i++) {
		const char *v;
		if ((v = option_value(argv, &i, "--root"))) {
			root = v;
		} else if ((v = option_value(argv, &i, "--addr"))) {
			daemon_listens(r, v);
			listens = true;
		}
	}
	daemon_uses(r, root, "the data directory", RUNTIME_DIR_OPAQUE);
	if (!listens)
		daemon_listens(r, "/run/buildkit/buildkitd.sock");
}

static void read_cri_dockerd(struct daemon_reader *r, const struct string_list *argv)
{
	const char *root = "/var/lib/cri-dockerd", *endpoint = "/run/cri-dockerd.sock";
	for (size_t i = 1; i < argv->len; i++) {
		const char *v;
		if ((v = option_value(argv, &i, "--cri-dockerd-root-directory")))
			root = v;
		else if ((v = option_value(argv, &i, "--container-runtime-endpoint")))
			endpoint = v;
	}
	daemon_uses(r, root, "the data directory", RUNTIME_DIR_OPAQUE);
	daemon_listens(r, endpoint);
}

/* The daemons whose sockets and directories control containers, by the
 * name of their program (comm: at most 15 characters). A daemon with no
 * reader is known only by the sockets it holds. */
static const struct {
	const char *name;
	bool prefix;
	void (*read)(struct daemon_reader *r, const struct string_list *argv);
} known_daemons[] = {
    {"dockerd", false, read_dockerd},
    {"containerd", false, read_containerd},
    {"containerd-shim", true, NULL}, /* containerd-shim-runc-v2, ... */
    {"podman", false, read_podman},
    {"conmon", false, read_conmon},
    {"crio", false, read_crio},
    {"kubelet", false, read_kubelet},
    {"buildkitd", false, read_buildkitd},
    {"cri-dockerd", false, read_cri_dockerd},
    {"rootlesskit", false, NULL},
    {"k3s", true, NULL},
    {"rke2", true, NULL},
};

void host_survey_daemons(struct host_survey *s)
{
	/* Every process's comm, relative to /proc and named without printf:
	 * on a busy node this loop is most of what the survey costs. */
	DIR *proc = opendir("/proc");
	if (!proc)
		return;
	int proc_fd = dirfd(proc);
	pid_t self = getpid();
	struct dirent *e;
	while ((e = readdir(proc))) {
		if (!isdigit((unsigned char)e->d_name[0]))
			continue;
		size_t len = strlen(e->d_name);
		char path[NAME_MAX + sizeof("/comm")], name[32];
		memcpy(path, e->d_name, len);
		memcpy(path + len, "/comm", sizeof("/comm"));
		pid_t pid = (pid_t)strtol(e->d_name, NULL, 10);
		if (pid == self)
			continue;
		ssize_t n = read_small(proc_fd, path, name, sizeof(name));
		if (n <= 0)
			continue;
		if (name[n - 1] == '\n')
			name[n - 1] = '\0';
		size_t k = 0;
		for (; k < ARRAY_SIZE(known_daemons); k++)
			if (known_daemons[k].prefix ? strncmp(name, known_daemons[k].name,
							      strlen(known_daemons[k].name)) == 0
						    : strcmp(name, known_daemons[k].name) == 0)
				break;
		if (k == ARRAY_SIZE(known_daemons))
			continue;
		s->daemons =
		    xgrow(s->daemons, &s->daemons_cap, s->daemons_len + 1, sizeof(*s->daemons));
		struct host_daemon *d = &s->daemons[s->daemons_len++];
		*d = (struct host_daemon){.pid = pid, .name = xstrdup(name)};
		struct string_list argv = {0};
		if (known_daemons[k].read && read_cmdline(pid, &argv) && argv.len)
			known_daemons[k].read(&(struct daemon_reader){s, d}, &argv);
		string_list_clear(&argv);
	}
	closedir(proc);
}

void host_survey_give_dirs(struct host_survey *s, struct host_facts *facts)
{
	facts->runtime_dirs = steal_pointer(&s->dirs);
	facts->runtime_dirs_len = s->dirs_len;
	s->dirs_len = s->dirs_cap = 0;
}

/* --- who listens on a socket --------------------------------------------- */

/* The listening unix sockets of our network namespace, from /proc/net/unix
 * ("Num RefCount Protocol Flags Type St Inode Path"; __SO_ACCEPTCON,
 * 0x10000, in Flags marks a listening socket). Abstract ones ('@') have no
 * path on the host. */
static void read_listeners(struct host_survey *s)
{
	if (s->listeners_read)
		return;
	s->listeners_read = true;
	cleanup_free char *text = NULL;
	size_t len;
	oh_error_t err = NULL;
	if (file_read_all(AT_FDCWD, "/proc/net/unix", 64u << 20, &text, &len, &err) < 0) {
		oh_error_free(&err);
		return;
	}
	char *line = strchr(text, '\n'); /* the header */
	while (line && *++line) {
		char *next = strchr(line, '\n');
		if (next)
			*next = '\0';
		/* Fields 4 (Flags, hex) and 7 (Inode), then the path: parsed by
		 * hand, as the file has a line per socket of the host. */
		const char *field[8] = {0};
		const char *p = line;
		for (size_t f = 0; f < 8 && *p; f++) {
			while (*p == ' ')
				p++;
			field[f] = p;
			while (*p && *p != ' ')
				p++;
		}
		if (field[3] && field[6] && field[7] && field[7][0] == '/' &&
		    (strtoul(field[3], NULL, 16) & 0x10000)) {
			s->listeners = xgrow(s->listeners, &s->listeners_cap, s->listeners_len + 1,
					     sizeof(*s->listeners));
			s->listeners[s->listeners_len++] = (struct host_listener){
			    .path = harden_clean_path(field[7]),
			    .inode = strtoul(field[6], NULL, 10),
			};
		}
		line = next;
	}
}

/* The socket inodes each known daemon holds open (/proc/<pid>/fd). */
static void read_owners(struct host_survey *s)
{
	if (s->owners_read)
		return;
	s->owners_read = true;
	for (size_t d = 0; d < s->daemons_len; d++) {
		char path[64];
		snprintf(path, sizeof(path), "/proc/%d/fd", (int)s->daemons[d].pid);
		DIR *fds = opendir(path);
		if (!fds)
			continue;
		struct dirent *e;
		while ((e = readdir(fds))) {
			if (e->d_name[0] == '.')
				continue;
			char link[64 + 256], target[64];
			snprintf(link, sizeof(link), "%s/%s", path, e->d_name);
			ssize_t n = readlink(link, target, sizeof(target) - 1);
			unsigned long inode;
			if (n <= 0)
				continue;
			target[n] = '\0';
			if (sscanf(target, "socket:[%lu]", &inode) != 1)
				continue;
			s->owned =
			    xgrow(s->owned, &s->owned_cap, s->owned_len + 1, sizeof(*s->owned));
			s->owned[s->owned_len++] = (struct host_owned_socket){inode, d};
		}
		closedir(fds);
	}
}

/* The known daemon listening on socket inode `inode`, or NULL. A socket
 * systemd opened for a daemon is held by both: the daemon is named. */
static const struct host_daemon *listener_owner(struct host_survey *s, unsigned long inode)
{
	read_owners(s);
	for (size_t i = 0; i < s->owned_len; i++)
		if (s->owned[i].inode == inode)
			return &s->daemons[s->owned[i].daemon];
	return NULL;
}

char *host_survey_socket(struct host_survey *s, const char *path)
{
	read_listeners(s);
	for (size_t i = 0; i < s->listeners_len; i++) {
		if (strcmp(s->listeners[i].path, path) != 0)
			continue;
		const struct host_daemon *d = listener_owner(s, s->listeners[i].inode);
		if (d)
			return xasprintf("a unix socket (%s's, pid %d)", d->name, (int)d->pid);
	}
	/* A socket a daemon was told to listen on, which another network
	 * namespace than ours may hold (a rootless daemon's). */
	for (size_t i = 0; i < s->dirs_len; i++)
		if (strcmp(s->dirs[i].path, path) == 0)
			return xasprintf("a unix socket (%s)", s->dirs[i].what);
	return xstrdup("a unix socket");
}

char *host_survey_directory(struct host_survey *s, const char *path)
{
	read_listeners(s);
	for (size_t i = 0; i < s->listeners_len; i++) {
		const char *socket = s->listeners[i].path;
		if (!harden_path_within(socket, path) || strcmp(socket, path) == 0)
			continue;
		const struct host_daemon *d = listener_owner(s, s->listeners[i].inode);
		if (d)
			return xasprintf(
			    "a directory holding %s, the socket %s (pid %d) listens on", socket,
			    d->name, (int)d->pid);
	}
	return NULL;
}

void host_survey_clear(struct host_survey *s)
{
	for (size_t i = 0; i < s->daemons_len; i++)
		xfree(s->daemons[i].name);
	xfree(s->daemons);
	for (size_t i = 0; i < s->dirs_len; i++) {
		xfree(s->dirs[i].path);
		xfree(s->dirs[i].what);
	}
	xfree(s->dirs);
	for (size_t i = 0; i < s->listeners_len; i++)
		xfree(s->listeners[i].path);
	xfree(s->listeners);
	xfree(s->owned);
	*s = (struct host_survey){0};
}
