/* SPDX-License-Identifier: Apache-2.0 */
/* `oci-harden install` and `oci-harden uninstall`: put oci-harden on a node
 * the way a Kubernetes DaemonSet does it (the host's root mounted in the
 * pod), and take it off again exactly. Install copies this very binary
 * in, writes /etc/oci-harden/config.json, adds runtime
 * handlers to containerd's config.toml (containerd_config.c: an edit of
 * the text, nothing else in the file touched) and restarts containerd
 * through the host's init when asked. Everything it changed goes into
 * /etc/oci-harden/install-record.json, and uninstall undoes that and
 * nothing more.
 *
 * As bubblewrap does: read everything, decide everything, and only then
 * change anything, so that a broken or unexpected file on the node is an
 * error that leaves the node as it was. Re-running install with the same
 * configuration changes nothing (no file is even rewritten).
 *
 * These are subcommands of the one static binary because that binary is
 * all the DaemonSet's image needs to hold (no interpreter on the node or in
 * the image), and because it installs itself. They cost the runc commands
 * it passes through nothing: main() sends them here by their first word
 * before anything else is done, and none of this code runs otherwise. */
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <libgen.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "commands.h"
#include "containerd_config.h"
#include "fileio.h"
#include "install.h"
#include "json.h"
#include "node.h"
#include "policy.h"
#include "settings.h"

#ifndef OCI_HARDEN_VERSION
#define OCI_HARDEN_VERSION "unknown"
#endif

#define INSTALL_MAX_CONFIG_BYTES (1u << 20)
#define INSTALL_MAX_BINARY_BYTES (256u << 20)

/* The PATH the restart command is looked up in, in the host's mount
 * namespace: the directories of systemctl and service(8) on every
 * distribution. */
#define INSTALL_RESTART_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

static const char install_usage[] =
    "usage: oci-harden install [--host-root DIR] [--config FILE] [--restart] [--init-pid PID]\n";
static const char uninstall_usage[] =
    "usage: oci-harden uninstall [--host-root DIR] [--restart] [--init-pid PID] [--force]\n";

struct install_options {
	const char *host_root;
	const char *config_path;
	bool restart;
	long init_pid;
	bool force;
};

struct install_policy_handler {
	char *handler;
	char *policy;
};

/* The installer's own configuration (--config; every key optional). */
struct install_config {
	char *bin_dir;
	char *containerd_config;
	char *handler;
	struct install_policy_handler *policy_handlers;
	size_t policy_handlers_len;
	struct json *settings; /* an object, or NULL */
	struct string_list restart;
};

static void install_config_clear(struct install_config *c)
{
	xfree(c->bin_dir);
	xfree(c->containerd_config);
	xfree(c->handler);
	for (size_t i = 0; i < c->policy_handlers_len; i++) {
		xfree(c->policy_handlers[i].handler);
		xfree(c->policy_handlers[i].policy);
	}
	xfree(c->policy_handlers);
	json_free(c->settings);
	string_list_clear(&c->restart);
	*c = (struct install_config){0};
}

/* ---- the record --------------------------------------------------------- */

/* What install changed on the node, as install-record.json holds it. */
struct install_record {
	struct string_list dirs;  /* made by install, outermost first */
	struct string_list files; /* regular files install wrote */
	struct string_list links; /* symbolic links install made */
	char *containerd_path;
	char *containerd_block;
	bool containerd_created;
	bool restart_needed;
	struct string_list restart; /* the command that restarts containerd */
};

static void install_record_clear(struct install_record *r)
{
	string_list_clear(&r->dirs);
	string_list_clear(&r->files);
	string_list_clear(&r->links);
	xfree(r->containerd_path);
	xfree(r->containerd_block);
	string_list_clear(&r->restart);
	*r = (struct install_record){0};
}

static int install_record_strings(const struct json *doc, const char *key, struct string_list *out,
				  oh_error_t *err)
{
	const struct json *v = json_object_get(doc, key);
	if (!v)
		return 0;
	if (v->type != JSON_ARRAY)
		return oh_error_make(err, 0, "\"%s\": must be a list", key);
	for (size_t i = 0; i < v->array.len; i++) {
		const struct json *item = v->array.items[i];
		if (item->type != JSON_STRING || item->string.ptr[0] != '/')
			return oh_error_make(err, 0, "\"%s\"[%zu]: must be an absolute path", key,
					     i);
		string_list_add(out, item->string.ptr);
	}
	return 0;
}

static int install_record_read(struct install_record *record, bool *exists, oh_error_t *err)
{
	*record = (struct install_record){0};
	cleanup_free char *text = NULL;
	size_t len;
	if (node_read_file(INSTALL_RECORD_PATH, INSTALL_MAX_CONFIG_BYTES, &text, &len, exists,
			   err) < 0 ||
	    !*exists)
		return *exists ? -1 : 0;
	cleanup_json struct json *doc = json_parse(text, len, 0, err);
	if (!doc)
		return oh_error_wrap(err, "%s", INSTALL_RECORD_PATH);
	if (doc->type != JSON_OBJECT)
		return oh_error_make(err, 0, "%s: must be a JSON object", INSTALL_RECORD_PATH);
	if (install_record_strings(doc, "dirs", &record->dirs, err) < 0 ||
	    install_record_strings(doc, "files", &record->files, err) < 0 ||
	    install_record_strings(doc, "links", &record->links, err) < 0)
		return oh_error_wrap(err, "%s", INSTALL_RECORD_PATH);
	const struct json *c = json_object_get(doc, "containerd");
	if (c && c->type == JSON_OBJECT) {
		const struct json *path = json_object_get(c, "path");
		const struct json *block = json_object_get(c, "block");
		const struct json *created = json_object_get(c, "created");
		if (!path || path->type != JSON_STRING || !block || block->type != JSON_STRING)
			return oh_error_make(err, 0,
					     "%s: \"containerd\": needs \"path\" and \"block\"",
					     INSTALL_RECORD_PATH);
		record->containerd_path = xstrdup(path->string.ptr);
		record->containerd_block = xstrdup(block->string.ptr);
		record->containerd_created =
		    created && created->type == JSON_BOOL && created->boolean;
	}
	const struct json *restart = json_object_get(doc, "restart_needed");
	record->restart_needed = restart && restart->type == JSON_BOOL && restart->boolean;
	const struct json *command = json_object_get(doc, "restart");
	for (size_t i = 0; command && command->type == JSON_ARRAY && i < command->array.len; i++)
		if (command->array.items[i]->type == JSON_STRING)
			string_list_add(&record->restart, command->array.items[i]->string.ptr);
	return 0;
}

static int install_record_write(const struct install_record *record, oh_error_t *err)
{
	cleanup_json struct json *doc = json_new_object();
	json_object_set(doc, "v", json_new_int(1));
	json_object_set(doc, "written_by", json_new_string("oci-harden " OCI_HARDEN_VERSION));
	json_object_set(doc, "dirs", json_new_string_list(&record->dirs));
	json_object_set(doc, "files", json_new_string_list(&record->files));
	json_object_set(doc, "links", json_new_string_list(&record->links));
	if (record->containerd_path) {
		struct json *c = json_new_object();
		json_object_set(c, "path", json_new_string(record->containerd_path));
		json_object_set(c, "created", json_new_bool(record->containerd_created));
		json_object_set(c, "block", json_new_string(record->containerd_block));
		json_object_set(doc, "containerd", c);
	}
	json_object_set(doc, "restart_needed", json_new_bool(record->restart_needed));
	json_object_set(doc, "restart", json_new_string_list(&record->restart));
	cleanup_strbuf struct strbuf sb = {0};
	json_write(doc, true, &sb);
	strbuf_putc(&sb, '\n');
	return node_write_file(INSTALL_RECORD_PATH, sb.buf, sb.len, 0644, err);
}

static void install_string_list_remove(struct string_list *list, const char *s)
{
	for (size_t i = 0; i < list->len; i++) {
		if (strcmp(list->items[i], s) == 0) {
			xfree(list->items[i]);
			memmove(&list->items[i], &list->items[i + 1],
				(list->len - i - 1) * sizeof(char *));
			list->len--;
			return;
		}
	}
}

/* ---- the installer's configuration -------------------------------------- */

static int install_config_path(const struct json *doc, const char *key, const char *fallback,
			       char **out, oh_error_t *err)
{
	const struct json *v = json_object_get(doc, key);
	if (!v) {
		*out = xstrdup(fallback);
		return 0;
	}
	if (v->type != JSON_STRING || v->string.ptr[0] != '/' ||
	    strlen(v->string.ptr) != v->string.len || strstr(v->string.ptr, "/../") ||
	    strchr(v->string.ptr, '\n'))
		return oh_error_make(err, 0, "\"%s\": must be an absolute path", key);
	*out = xstrdup(v->string.ptr);
	size_t len = strlen(*out);
	while (len > 1 && (*out)[len - 1] == '/')
		(*out)[--len] = '\0';
	return 0;
}

static int install_config_parse(const char *text, size_t len, const char *display,
				struct install_config *out, oh_error_t *err)
{
	static const char *const keys[] = {"bin_dir",	      "containerd_config", "handler",
					   "policy_handlers", "settings",	   "restart"};
	cleanup_json struct json *doc = json_parse(text, len, JSON_PARSE_COMMENTS, err);
	if (!doc)
		return oh_error_wrap(err, "%s", display);
	if (doc->type != JSON_OBJECT)
		return oh_error_make(err, 0, "%s: must be a JSON object", display);
	for (size_t i = 0; i < doc->object.len; i++) {
		size_t k = 0;
		while (k < ARRAY_SIZE(keys) && strcmp(keys[k], doc->object.members[i].key) != 0)
			k++;
		if (k == ARRAY_SIZE(keys))
			return oh_error_make(err, 0, "%s: unknown key \"%s\"", display,
					     doc->object.members[i].key);
	}
	if (install_config_path(doc, "bin_dir", INSTALL_DEFAULT_BIN_DIR, &out->bin_dir, err) < 0 ||
	    install_config_path(doc, "containerd_config", INSTALL_DEFAULT_CONTAINERD_CONFIG,
				&out->containerd_config, err) < 0)
		return oh_error_wrap(err, "%s", display);

	const struct json *handler = json_object_get(doc, "handler");
	if (handler && (handler->type != JSON_STRING ||
			!containerd_handler_name_is_valid(handler->string.ptr)))
		return oh_error_make(err, 0,
				     "%s: \"handler\": must be a DNS label (a-z, 0-9 and '-', at "
				     "most 63), as a RuntimeClass's handler",
				     display);
	out->handler = xstrdup(handler ? handler->string.ptr : INSTALL_DEFAULT_HANDLER);

	const struct json *policies = json_object_get(doc, "policy_handlers");
	if (policies) {
		if (policies->type != JSON_OBJECT)
			return oh_error_make(err, 0,
					     "%s: \"policy_handlers\": must be an object of "
					     "handler names to policy names",
					     display);
		out->policy_handlers = xcalloc(policies->object.len ? policies->object.len : 1,
					       sizeof(*out->policy_handlers));
		for (size_t i = 0; i < policies->object.len; i++) {
			const char *name = policies->object.members[i].key;
			const struct json *policy = policies->object.members[i].value;
			if (!containerd_handler_name_is_valid(name) ||
			    strcmp(name, out->handler) == 0)
				return oh_error_make(err, 0,
						     "%s: \"policy_handlers\": \"%s\": a handler "
						     "must be a DNS label other than \"handler\"",
						     display, name);
			if (policy->type != JSON_STRING ||
			    !policy_name_is_valid(policy->string.ptr))
				return oh_error_make(err, 0,
						     "%s: \"policy_handlers\": \"%s\": must name a "
						     "policy (letters, digits, '.', '_' and '-')",
						     display, name);
			out->policy_handlers[i].handler = xstrdup(name);
			out->policy_handlers[i].policy = xstrdup(policy->string.ptr);
			out->policy_handlers_len++;
		}
	}

	const struct json *settings = json_object_get(doc, "settings");
	if (settings) {
		if (settings->type != JSON_OBJECT)
			return oh_error_make(err, 0,
					     "%s: \"settings\": must be an object (the content of "
					     "/etc/oci-harden/config.json)",
					     display);
		out->settings = json_clone(settings);
	}

	const struct json *restart = json_object_get(doc, "restart");
	if (restart) {
		if (restart->type != JSON_ARRAY || restart->array.len == 0)
			return oh_error_make(err, 0,
					     "%s: \"restart\": must be a command as a list of "
					     "strings",
					     display);
		for (size_t i = 0; i < restart->array.len; i++) {
			const struct json *arg = restart->array.items[i];
			if (arg->type != JSON_STRING || arg->string.len == 0 ||
			    strlen(arg->string.ptr) != arg->string.len)
				return oh_error_make(err, 0,
						     "%s: \"restart\"[%zu]: must be a non-empty "
						     "string",
						     display, i);
			string_list_add(&out->restart, arg->string.ptr);
		}
	} else {
		string_list_add(&out->restart, "systemctl");
		string_list_add(&out->restart, "restart");
		string_list_add(&out->restart, "containerd");
	}
	return 0;
}

/* ---- what is read before entering the host's root ----------------------- */

struct install_inputs {
	char *binary; /* this program's bytes */
	size_t binary_len;
	int init_mount_ns; /* the host init's mount namespace, or -1 */
};

static void install_inputs_clear(struct install_inputs *in)
{
	xfree(in->binary);
	if (in->init_mount_ns >= 0)
		close(in->init_mount_ns);
	*in = (struct install_inputs){.init_mount_ns = -1};
}

static int install_read_inputs(const struct install_options *options, bool need_binaries,
			       struct install_inputs *in, oh_error_t *err)
{
	*in = (struct install_inputs){.init_mount_ns = -1};
	if (need_binaries) {
		struct stat st;
		if (file_read_all_flags(AT_FDCWD, "/proc/self/exe", "this program (/proc/self/exe)",
					INSTALL_MAX_BINARY_BYTES, 0, &in->binary, &in->binary_len,
					&st, err) < 0)
			return -1;
	}
	if (options->restart) {
		cleanup_free char *ns = xasprintf("/proc/%ld/ns/mnt", options->init_pid);
		in->init_mount_ns = open(ns, O_RDONLY | O_CLOEXEC);
		if (in->init_mount_ns < 0)
			return oh_error_make(err, errno,
					     "%s: the host init's mount namespace, to restart "
					     "containerd in (a pod needs hostPID: true)",
					     ns);
	}
	return 0;
}

/* ---- restarting containerd ---------------------------------------------- */

/* Run the restart command in the host init's mount namespace, so that it
 * is the host's own systemctl, talking to the host's systemd, that runs:
 * inside a chroot systemctl refuses to act ("Running in chroot, ignoring
 * request"), which is why this is not done from the host's root. */
static int install_restart(const struct string_list *argv, int mount_ns, oh_error_t *err)
{
	fflush(stdout);
	pid_t pid = fork();
	if (pid < 0)
		return oh_error_make(err, errno, "cannot fork to restart containerd");
	if (pid == 0) {
		if (setns(mount_ns, CLONE_NEWNS) < 0) {
			fprintf(stderr,
				"oci-harden: cannot enter the host init's mount namespace: %s\n",
				strerror(errno));
			_exit(126);
		}
		if (chdir("/") < 0)
			_exit(126);
		setenv("PATH", INSTALL_RESTART_PATH, 1);
		/* A string list is not NULL-terminated: execvp needs that. */
		char **args = xcalloc(argv->len + 1, sizeof(*args));
		memcpy(args, argv->items, argv->len * sizeof(*args));
		execvp(args[0], args);
		fprintf(stderr, "oci-harden: cannot run %s: %s\n", argv->items[0], strerror(errno));
		_exit(127);
	}
	int status;
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return oh_error_make(err, errno, "waiting for %s", argv->items[0]);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		cleanup_strbuf struct strbuf command = {0};
		for (size_t i = 0; i < argv->len; i++)
			strbuf_appendf(&command, "%s%s", i ? " " : "", argv->items[i]);
		return oh_error_make(err, 0, "restarting containerd failed: `%s` %s %d",
				     command.buf,
				     WIFEXITED(status) ? "exited with" : "was killed by signal",
				     WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
	}
	return 0;
}

static void install_print_command(const char *verb, const struct string_list *argv)
{
	printf("oci-harden %s:", verb);
	for (size_t i = 0; i < argv->len; i++)
		printf(" %s", argv->items[i]);
	printf("\n");
}

/* ---- the files install places ------------------------------------------- */

enum install_item_kind { INSTALL_FILE, INSTALL_LINK };

struct install_item {
	enum install_item_kind kind;
	char *path;
	const char *data; /* INSTALL_FILE: content; INSTALL_LINK: target */
	size_t len;
	mode_t mode;
	char *owned_data;
	bool write; /* decided: to be written */
	bool ours;  /* recorded as install's, now or before */
};

struct install_plan {
	struct install_item items[64];
	size_t len;
};

static void install_plan_clear(struct install_plan *plan)
{
	for (size_t i = 0; i < plan->len; i++) {
		xfree(plan->items[i].path);
		xfree(plan->items[i].owned_data);
	}
	plan->len = 0;
}

static struct install_item *install_plan_add(struct install_plan *plan, enum install_item_kind kind,
					     char *path, const char *data, size_t len, mode_t mode)
{
	struct install_item *item = &plan->items[plan->len++];
	*item = (struct install_item){
	    .kind = kind, .path = path, .data = data, .len = len, .mode = mode};
	return item;
}

/* Whether what is at `item->path` is already what install would put there. */
static int install_item_is_current(const struct install_item *item, bool *current, bool *exists,
				   oh_error_t *err)
{
	*current = false;
	struct stat st;
	if (lstat(item->path, &st) < 0) {
		if (errno != ENOENT)
			return oh_error_make(err, errno, "%s", item->path);
		*exists = false;
		return 0;
	}
	*exists = true;
	if (item->kind == INSTALL_LINK) {
		char target[4096];
		ssize_t n =
		    S_ISLNK(st.st_mode) ? readlink(item->path, target, sizeof(target) - 1) : -1;
		*current =
		    n >= 0 && (size_t)n == item->len && memcmp(target, item->data, item->len) == 0;
		return 0;
	}
	if (!S_ISREG(st.st_mode) || (size_t)st.st_size != item->len ||
	    (st.st_mode & 07777) != item->mode)
		return 0;
	cleanup_free char *text = NULL;
	size_t len;
	if (file_read_all(AT_FDCWD, item->path, INSTALL_MAX_BINARY_BYTES, &text, &len, err) < 0)
		return -1;
	*current = len == item->len && memcmp(text, item->data, len) == 0;
	return 0;
}

/* The real runtime on the host, when the settings name none: where
 * distributions install runc. */
static int install_find_runc(char **path, oh_error_t *err)
{
	static const char *const candidates[] = {"/usr/bin/runc",	"/usr/sbin/runc",
						 "/usr/local/bin/runc", "/usr/local/sbin/runc",
						 "/bin/runc",		"/sbin/runc"};
	for (size_t i = 0; i < ARRAY_SIZE(candidates); i++) {
		struct stat st;
		if (stat(candidates[i], &st) == 0 && S_ISREG(st.st_mode) && (st.st_mode & 0111)) {
			*path = xstrdup(candidates[i]);
			return 0;
		}
	}
	return oh_error_make(err, 0,
			     "no runc on the host (looked in /usr/bin, /usr/sbin, /usr/local/bin, "
			     "/usr/local/sbin, /bin, /sbin): name it in \"settings\": "
			     "{\"runtime\": PATH}");
}

/* /etc/oci-harden/config.json: the configured settings, with the host's
 * runc as "runtime" unless they name one, checked as oci-harden will read
 * them. */
static int install_settings_text(const struct install_config *config, char **text, size_t *len,
				 oh_error_t *err)
{
	cleanup_json struct json *settings =
	    config->settings ? json_clone(config->settings) : json_new_object();
	if (!json_object_get(settings, "runtime")) {
		cleanup_free char *runc = NULL;
		if (install_find_runc(&runc, err) < 0)
			return -1;
		cleanup_json struct json *with_runtime = json_new_object();
		json_object_set(with_runtime, "runtime", json_new_string(runc));
		for (size_t i = 0; i < settings->object.len; i++)
			json_object_set(with_runtime, settings->object.members[i].key,
					json_clone(settings->object.members[i].value));
		json_free(settings);
		settings = steal_pointer(&with_runtime);
	}
	struct strbuf sb = {0};
	json_write(settings, true, &sb);
	strbuf_putc(&sb, '\n');
	*len = sb.len;
	*text = strbuf_steal(&sb);

	cleanup_settings struct settings parsed = {0};
	if (settings_parse(*text, *len, "\"settings\"", &parsed, err) < 0)
		return -1;
	struct stat st;
	if (stat(parsed.runtime, &st) < 0)
		return oh_error_make(err, errno, "\"settings\": runtime %s on the host",
				     parsed.runtime);
	return 0;
}

/* The imported files containerd merges over config.toml must leave its CRI
 * section alone (containerd_config_check_import). */
static int install_check_imports(const char *config_path, const char *text, size_t len,
				 oh_error_t *err)
{
	struct string_list patterns = {0};
	int r = containerd_config_imports(config_path, text, len, &patterns, err);
	cleanup_free char *dir_copy = xstrdup(config_path);
	const char *dir = dirname(dir_copy);
	for (size_t i = 0; r == 0 && i < patterns.len; i++) {
		/* containerd: globbed as given when it has a '*', else relative
		 * to config.toml's directory (config.go, resolveImports). */
		const char *p = patterns.items[i];
		cleanup_free char *pattern =
		    p[0] == '/' || strchr(p, '*') ? xstrdup(p) : xasprintf("%s/%s", dir, p);
		glob_t g = {0};
		if (glob(pattern, 0, NULL, &g) == 0) {
			for (size_t m = 0; r == 0 && m < g.gl_pathc; m++) {
				cleanup_free char *imported = NULL;
				size_t imported_len;
				bool exists;
				r = node_read_file(g.gl_pathv[m], INSTALL_MAX_CONFIG_BYTES,
						   &imported, &imported_len, &exists, err);
				if (r == 0 && exists)
					r = containerd_config_check_import(g.gl_pathv[m], imported,
									   imported_len, err);
			}
		}
		globfree(&g);
	}
	string_list_clear(&patterns);
	return r;
}

static void install_print_handlers(const struct containerd_handler *handlers, size_t len)
{
	for (size_t i = 0; i < len; i++)
		printf("%s%s", i ? ", " : "", handlers[i].name);
}

static int install_parse_options(int argc, char **argv, bool uninstall,
				 struct install_options *options)
{
	*options = (struct install_options){.host_root = "/", .init_pid = 1};
	const char *usage = uninstall ? uninstall_usage : install_usage;
	for (int i = 1; i < argc; i++) {
		const char *arg = argv[i];
		const char **value = NULL;
		if (strcmp(arg, "--host-root") == 0)
			value = &options->host_root;
		else if (strcmp(arg, "--config") == 0 && !uninstall)
			value = &options->config_path;
		else if (strcmp(arg, "--restart") == 0)
			options->restart = true;
		else if (strcmp(arg, "--force") == 0 && uninstall)
			options->force = true;
		else if (strcmp(arg, "--init-pid") == 0 && i + 1 < argc) {
			char *end;
			options->init_pid = strtol(argv[++i], &end, 10);
			if (*end || options->init_pid <= 0) {
				fprintf(stderr, "oci-harden: --init-pid: not a process id\n%s",
					usage);
				return 2;
			}
		} else if (strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0) {
			fputs(usage, stdout);
			return 0;
		} else {
			fprintf(stderr, "oci-harden: unknown option %s\n%s", arg, usage);
			return 2;
		}
		if (value) {
			if (i + 1 >= argc) {
				fprintf(stderr, "oci-harden: %s needs a value\n%s", arg, usage);
				return 2;
			}
			*value = argv[++i];
		}
	}
	return -1;
}

static int install_fail(const char *verb, oh_error_t *err)
{
	fprintf(stderr, "oci-harden %s: %s\n", verb, (*err)->msg);
	oh_error_free(err);
	return 1;
}

/* Everything install decided, before it changes anything. */
struct install_decision {
	struct install_plan plan;
	struct containerd_edit containerd;
	char *containerd_path;
	bool containerd_missing;
	struct string_list remove_files; /* recorded before, not planned now */
	struct string_list remove_links;
	struct containerd_handler *handlers;
	size_t handlers_len;
	struct string_list dirs_needed;
};

static void install_decision_clear(struct install_decision *d)
{
	install_plan_clear(&d->plan);
	containerd_edit_clear(&d->containerd);
	xfree(d->containerd_path);
	string_list_clear(&d->remove_files);
	string_list_clear(&d->remove_links);
	for (size_t i = 0; i < d->handlers_len; i++)
		xfree((char *)d->handlers[i].binary_name);
	xfree(d->handlers);
	string_list_clear(&d->dirs_needed);
}

static int install_decide(const struct install_config *config, const struct install_inputs *in,
			  const struct install_record *record, struct install_decision *d,
			  oh_error_t *err)
{
	/* The files. */
	cleanup_free char *binary = xasprintf("%s/oci-harden", config->bin_dir);
	install_plan_add(&d->plan, INSTALL_FILE, xstrdup(binary), in->binary, in->binary_len, 0755);
	string_list_add(&d->dirs_needed, config->bin_dir);
	char *settings_text;
	size_t settings_len;
	if (install_settings_text(config, &settings_text, &settings_len, err) < 0)
		return -1;
	struct install_item *settings_item =
	    install_plan_add(&d->plan, INSTALL_FILE, xstrdup(SETTINGS_DEFAULT_PATH), settings_text,
			     settings_len, 0644);
	settings_item->owned_data = settings_text;
	string_list_add(&d->dirs_needed, "/etc/oci-harden");

	d->handlers_len = 1 + config->policy_handlers_len;
	d->handlers = xcalloc(d->handlers_len, sizeof(*d->handlers));
	d->handlers[0] = (struct containerd_handler){config->handler, xstrdup(binary)};
	for (size_t i = 0; i < config->policy_handlers_len; i++) {
		if (d->plan.len >= ARRAY_SIZE(d->plan.items))
			return oh_error_make(err, 0, "too many policy handlers");
		char *entry = xasprintf(INSTALL_POLICY_ENTRY_FORMAT, config->bin_dir,
					config->policy_handlers[i].policy);
		d->handlers[i + 1] =
		    (struct containerd_handler){config->policy_handlers[i].handler, xstrdup(entry)};
		bool duplicate = false;
		for (size_t p = 0; p < d->plan.len; p++)
			duplicate |= strcmp(d->plan.items[p].path, entry) == 0;
		if (duplicate) {
			xfree(entry);
			continue;
		}
		install_plan_add(&d->plan, INSTALL_LINK, entry, "oci-harden", strlen("oci-harden"),
				 0777);
	}

	for (size_t i = 0; i < d->plan.len; i++) {
		struct install_item *item = &d->plan.items[i];
		const struct string_list *recorded =
		    item->kind == INSTALL_LINK ? &record->links : &record->files;
		bool current = false, exists = false;
		if (install_item_is_current(item, &current, &exists, err) < 0)
			return -1;
		item->ours = string_list_contains(recorded, item->path);
		item->write = !current;
		if (exists && !current && !item->ours)
			return oh_error_make(
			    err, 0,
			    "%s exists and was not put there by oci-harden install: "
			    "move it away (or make it what install would write), "
			    "then install again",
			    item->path);
		/* A file that is there already, as install would write it, but
		 * not by install, stays the operator's: not recorded. */
		item->ours = item->ours || !exists;
	}
	for (size_t i = 0; i < record->files.len; i++) {
		bool planned = false;
		for (size_t p = 0; p < d->plan.len; p++)
			planned |= strcmp(d->plan.items[p].path, record->files.items[i]) == 0;
		if (!planned)
			string_list_add(&d->remove_files, record->files.items[i]);
	}
	for (size_t i = 0; i < record->links.len; i++) {
		bool planned = false;
		for (size_t p = 0; p < d->plan.len; p++)
			planned |= strcmp(d->plan.items[p].path, record->links.items[i]) == 0;
		if (!planned)
			string_list_add(&d->remove_links, record->links.items[i]);
	}

	/* containerd's config.toml. */
	if (record->containerd_path &&
	    strcmp(record->containerd_path, config->containerd_config) != 0)
		return oh_error_make(err, 0,
				     "installed into %s before, and now asked for %s: run "
				     "oci-harden uninstall first",
				     record->containerd_path, config->containerd_config);
	d->containerd_path = xstrdup(config->containerd_config);
	cleanup_free char *text = NULL;
	size_t len;
	bool exists;
	if (node_read_file(d->containerd_path, INSTALL_MAX_CONFIG_BYTES, &text, &len, &exists,
			   err) < 0)
		return -1;
	d->containerd_missing = !exists;
	if (exists && install_check_imports(d->containerd_path, text, len, err) < 0)
		return -1;
	cleanup_free char *dir_copy = xstrdup(d->containerd_path);
	string_list_add(&d->dirs_needed, dirname(dir_copy));
	struct containerd_install_request request = {
	    .handlers = d->handlers,
	    .handlers_len = d->handlers_len,
	    .previous_block = record->containerd_block,
	    .file_missing = !exists,
	};
	return containerd_config_install(d->containerd_path, exists ? text : "", exists ? len : 0,
					 &request, &d->containerd, err);
}

static int install_act(const struct install_config *config, struct install_decision *d,
		       struct install_record *record, bool *changed, oh_error_t *err)
{
	for (size_t i = 0; i < d->dirs_needed.len; i++) {
		struct string_list made = {0};
		int r = node_make_dirs(d->dirs_needed.items[i], 0755, &made, err);
		for (size_t m = 0; m < made.len; m++) {
			string_list_add(&record->dirs, made.items[m]);
			printf("oci-harden install: created %s\n", made.items[m]);
			*changed = true;
		}
		string_list_clear(&made);
		if (r < 0)
			return -1;
	}
	for (size_t i = 0; i < d->plan.len; i++) {
		struct install_item *item = &d->plan.items[i];
		struct string_list *recorded =
		    item->kind == INSTALL_LINK ? &record->links : &record->files;
		if (item->ours && !string_list_contains(recorded, item->path))
			string_list_add(recorded, item->path);
		if (!item->write)
			continue;
		if (item->kind == INSTALL_LINK) {
			cleanup_free char *tmp = xasprintf("%s.oci-harden-new", item->path);
			unlink(tmp);
			cleanup_free char *target = xstrndup(item->data, item->len);
			if (symlink(target, tmp) < 0 || rename(tmp, item->path) < 0) {
				int saved = errno;
				unlink(tmp);
				return oh_error_make(err, saved, "cannot make the link %s",
						     item->path);
			}
		} else if (node_write_file(item->path, item->data, item->len, item->mode, err) <
			   0) {
			return -1;
		}
		printf("oci-harden install: wrote %s\n", item->path);
		*changed = true;
	}
	for (size_t i = 0; i < d->remove_files.len + d->remove_links.len; i++) {
		bool link = i >= d->remove_files.len;
		const char *path = link ? d->remove_links.items[i - d->remove_files.len]
					: d->remove_files.items[i];
		if (unlink(path) < 0 && errno != ENOENT)
			return oh_error_make(err, errno, "cannot remove %s", path);
		install_string_list_remove(link ? &record->links : &record->files, path);
		printf("oci-harden install: removed %s (no longer configured)\n", path);
		*changed = true;
	}
	if (d->containerd.changed) {
		struct stat st;
		mode_t mode = stat(d->containerd_path, &st) == 0 ? st.st_mode & 07777 : 0644;
		if (node_write_file(d->containerd_path, d->containerd.text, d->containerd.len, mode,
				    err) < 0)
			return -1;
		xfree(record->containerd_path);
		xfree(record->containerd_block);
		record->containerd_path = xstrdup(d->containerd_path);
		record->containerd_block = xstrdup(d->containerd.block);
		record->containerd_created = record->containerd_created || d->containerd_missing;
		record->restart_needed = true;
		printf("oci-harden install: added the runtime handler%s ",
		       d->handlers_len > 1 ? "s" : "");
		install_print_handlers(d->handlers, d->handlers_len);
		printf("%s%s to %s\n",
		       d->containerd.runc_added ? " (and runc, which it named no longer)" : "",
		       d->containerd.systemd_cgroup ? " with SystemdCgroup = true" : "",
		       d->containerd_path);
		*changed = true;
	}
	string_list_clear(&record->restart);
	for (size_t i = 0; i < config->restart.len; i++)
		string_list_add(&record->restart, config->restart.items[i]);
	return 0;
}

int cmd_install(int argc, char **argv)
{
	struct install_options options;
	int status = install_parse_options(argc, argv, false, &options);
	if (status >= 0)
		return status;
	cleanup_error oh_error_t err = NULL;

	/* Read everything from the pod before entering the host's root. */
	struct install_config config = {0};
	if (options.config_path) {
		cleanup_free char *text = NULL;
		size_t len;
		if (file_read_all(AT_FDCWD, options.config_path, INSTALL_MAX_CONFIG_BYTES, &text,
				  &len, &err) < 0 ||
		    install_config_parse(text, len, options.config_path, &config, &err) < 0) {
			install_config_clear(&config);
			return install_fail("install", &err);
		}
	} else if (install_config_parse("{}", 2, "(defaults)", &config, &err) < 0) {
		return install_fail("install", &err);
	}
	struct install_inputs inputs;
	struct install_record record = {0};
	struct install_decision decision = {0};
	bool record_exists = false, changed = false;
	status = 1;
	if (install_read_inputs(&options, true, &inputs, &err) < 0 ||
	    node_enter_root(options.host_root, &err) < 0 ||
	    install_record_read(&record, &record_exists, &err) < 0 ||
	    install_decide(&config, &inputs, &record, &decision, &err) < 0)
		goto out;

	int acted = install_act(&config, &decision, &record, &changed, &err);
	/* What was done is recorded even when something failed on the way,
	 * so that uninstall can undo it. */
	if (changed || !record_exists) {
		oh_error_t record_err = NULL;
		if (install_record_write(&record, &record_err) < 0) {
			if (acted == 0) {
				err = record_err;
				goto out;
			}
			oh_error_free(&record_err);
		}
	}
	if (acted < 0)
		goto out;
	if (record.restart_needed) {
		if (!options.restart) {
			printf("oci-harden install: containerd must be restarted to load the "
			       "handlers (--restart, or `systemctl restart containerd` on the "
			       "node)\n");
		} else {
			install_print_command("install: restarting containerd", &config.restart);
			if (install_restart(&config.restart, inputs.init_mount_ns, &err) < 0)
				goto out;
			record.restart_needed = false;
			if (install_record_write(&record, &err) < 0)
				goto out;
			changed = true;
		}
	}
	if (!changed)
		printf("oci-harden install: nothing to change\n");
	status = 0;
out:
	if (err)
		status = install_fail("install", &err);
	install_decision_clear(&decision);
	install_record_clear(&record);
	install_inputs_clear(&inputs);
	install_config_clear(&config);
	return status;
}

/* ---- uninstall ------------------------------------------------------------ */

/* The node's /etc/oci-harden/config.json as oci-harden reads it. */
static int uninstall_node_settings(struct settings *settings, oh_error_t *err)
{
	cleanup_free char *text = NULL;
	size_t len;
	bool exists;
	if (node_read_file(SETTINGS_DEFAULT_PATH, INSTALL_MAX_CONFIG_BYTES, &text, &len, &exists,
			   err) < 0)
		return -1;
	return exists ? settings_parse(text, len, SETTINGS_DEFAULT_PATH, settings, err)
		      : settings_parse("{}", 2, SETTINGS_DEFAULT_PATH, settings, err);
}

/* Containers created through oci-harden that still exist: their shims run
 * BinaryName for every later command (state, kill, delete), and without
 * it could not even stop them. Found from the records oci-harden keeps per
 * container (container_state.c: STATE_DIR/<root hash>/<id>.json, the
 * runtime root inside), each checked against the runtime's own state
 * directory (ROOT/ID, runc's). */
static int uninstall_live_containers(const struct settings *settings, struct string_list *live,
				     oh_error_t *err)
{
	glob_t g = {0};
	cleanup_free char *pattern = xasprintf("%s/*/*.json", settings->state_dir);
	if (glob(pattern, 0, NULL, &g) != 0)
		return 0;
	for (size_t i = 0; i < g.gl_pathc; i++) {
		cleanup_free char *record = NULL;
		size_t record_len;
		if (file_read_all(AT_FDCWD, g.gl_pathv[i], 1u << 20, &record, &record_len, err) <
		    0) {
			oh_error_free(err);
			continue;
		}
		cleanup_json struct json *doc = json_parse(record, record_len, 0, err);
		if (!doc) {
			oh_error_free(err);
			continue;
		}
		const struct json *root = json_object_get(doc, "root");
		const char *base = strrchr(g.gl_pathv[i], '/') + 1;
		cleanup_free char *id = xstrndup(base, strlen(base) - strlen(".json"));
		/* runc's default root when none is given. */
		cleanup_free char *state = xasprintf(
		    "%s/%s", root && root->type == JSON_STRING ? root->string.ptr : "/run/runc",
		    id);
		struct stat st;
		if (stat(state, &st) == 0)
			string_list_add(live, id);
	}
	globfree(&g);
	return 0;
}

int cmd_uninstall(int argc, char **argv)
{
	struct install_options options;
	int status = install_parse_options(argc, argv, true, &options);
	if (status >= 0)
		return status;
	cleanup_error oh_error_t err = NULL;
	struct install_inputs inputs;
	struct install_record record = {0};
	struct containerd_edit containerd = {0};
	struct string_list live = {0};
	bool record_exists = false;
	struct install_config config = {0};
	cleanup_settings struct settings settings = {0};
	cleanup_free char *text = NULL, *sets = NULL, *sync_status = NULL;
	size_t len = 0;
	bool exists = false;
	struct stat st;
	status = 1;
	if (install_config_parse("{}", 2, "(defaults)", &config, &err) < 0 ||
	    install_read_inputs(&options, false, &inputs, &err) < 0 ||
	    node_enter_root(options.host_root, &err) < 0 ||
	    install_record_read(&record, &record_exists, &err) < 0)
		goto out;
	if (!record_exists) {
		printf("oci-harden uninstall: nothing to undo (no %s)\n", INSTALL_RECORD_PATH);
		status = 0;
		goto out;
	}
	if (uninstall_node_settings(&settings, &err) < 0 ||
	    uninstall_live_containers(&settings, &live, &err) < 0)
		goto out;
	/* The restart command install was given. */
	if (record.restart.len > 0) {
		string_list_clear(&config.restart);
		for (size_t i = 0; i < record.restart.len; i++)
			string_list_add(&config.restart, record.restart.items[i]);
	}
	if (live.len > 0 && !options.force) {
		oh_error_make(&err, 0,
			      "%zu container%s created through oci-harden still exist%s (%s%s): "
			      "their shims need oci-harden to stop them; drain the node first "
			      "(or --force)",
			      live.len, live.len == 1 ? "" : "s", live.len == 1 ? "s" : "",
			      live.items[0], live.len > 1 ? ", ..." : "");
		goto out;
	}

	/* Decide the edit of config.toml before removing anything. */
	if (record.containerd_path) {
		if (node_read_file(record.containerd_path, INSTALL_MAX_CONFIG_BYTES, &text, &len,
				   &exists, &err) < 0)
			goto out;
		if (exists && containerd_config_uninstall(
				  record.containerd_path, text, len, record.containerd_block,
				  record.containerd_created, &containerd, &err) < 0)
			goto out;
	}

	if (containerd.remove_file) {
		if (unlink(record.containerd_path) < 0 && errno != ENOENT) {
			oh_error_make(&err, errno, "cannot remove %s", record.containerd_path);
			goto out;
		}
		printf("oci-harden uninstall: removed %s (install had created it)\n",
		       record.containerd_path);
		record.restart_needed = true;
	} else if (containerd.changed) {
		struct stat st;
		mode_t mode = stat(record.containerd_path, &st) == 0 ? st.st_mode & 07777 : 0644;
		if (node_write_file(record.containerd_path, containerd.text, containerd.len, mode,
				    &err) < 0)
			goto out;
		printf("oci-harden uninstall: removed the runtime handlers from %s\n",
		       record.containerd_path);
		record.restart_needed = true;
	}
	xfree(record.containerd_path);
	xfree(record.containerd_block);
	record.containerd_path = record.containerd_block = NULL;

	for (size_t i = 0; i < record.links.len + record.files.len; i++) {
		const char *path = i < record.links.len ? record.links.items[i]
							: record.files.items[i - record.links.len];
		if (unlink(path) < 0 && errno != ENOENT) {
			oh_error_make(&err, errno, "cannot remove %s", path);
			goto out;
		}
		printf("oci-harden uninstall: removed %s\n", path);
	}
	string_list_clear(&record.links);
	string_list_clear(&record.files);

	/* What the policy sync made: the link that is settings "policy_dir",
	 * and the policy sets it points into. */
	sets = install_policy_sets_dir(settings.policy_dir);
	if (lstat(settings.policy_dir, &st) == 0 && S_ISLNK(st.st_mode)) {
		char target[4096];
		ssize_t n = readlink(settings.policy_dir, target, sizeof(target) - 1);
		if (n > 0 &&
		    (target[n] = '\0', strncmp(target, INSTALL_POLICY_SETS_DIR "/",
					       strlen(INSTALL_POLICY_SETS_DIR) + 1) == 0)) {
			if (unlink(settings.policy_dir) < 0) {
				oh_error_make(&err, errno, "cannot remove %s", settings.policy_dir);
				goto out;
			}
			printf("oci-harden uninstall: removed %s\n", settings.policy_dir);
		}
	}
	if (lstat(sets, &st) == 0) {
		if (node_remove_tree(sets, &err) < 0)
			goto out;
		printf("oci-harden uninstall: removed %s\n", sets);
	}
	/* The sync's status file; the state directory goes with it when no
	 * container record is left in it (/run is emptied at boot anyway). */
	sync_status = xasprintf("%s/%s", settings.state_dir, INSTALL_SYNC_STATUS_FILE);
	if (unlink(sync_status) == 0)
		printf("oci-harden uninstall: removed %s\n", sync_status);
	rmdir(settings.state_dir);

	if (record.restart_needed && options.restart) {
		/* Until the restart succeeded, the record says it is owed. */
		if (install_record_write(&record, &err) < 0)
			goto out;
		install_print_command("uninstall: restarting containerd", &config.restart);
		if (install_restart(&config.restart, inputs.init_mount_ns, &err) < 0)
			goto out;
	} else if (record.restart_needed) {
		printf("oci-harden uninstall: containerd must be restarted to forget the handlers "
		       "(--restart, or `systemctl restart containerd` on the node)\n");
	}
	if (unlink(INSTALL_RECORD_PATH) < 0 && errno != ENOENT) {
		oh_error_make(&err, errno, "cannot remove %s", INSTALL_RECORD_PATH);
		goto out;
	}
	for (size_t i = record.dirs.len; i-- > 0;) {
		if (rmdir(record.dirs.items[i]) == 0)
			printf("oci-harden uninstall: removed %s\n", record.dirs.items[i]);
		else if (errno != ENOENT)
			printf("oci-harden uninstall: kept %s (%s)\n", record.dirs.items[i],
			       errno == ENOTEMPTY ? "not empty" : strerror(errno));
	}
	status = 0;
out:
	if (err)
		status = install_fail("uninstall", &err);
	string_list_clear(&live);
	containerd_edit_clear(&containerd);
	install_record_clear(&record);
	install_inputs_clear(&inputs);
	install_config_clear(&config);
	return status;
}
