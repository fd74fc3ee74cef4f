/* SPDX-License-Identifier: Apache-2.0 */
/* The runtime wrapper: parse runc's command line, harden the bundle's
 * config.json on create, run and restore, build and judge an exec's process
 * and hand it to the runtime, then become the real runtime with execv, so
 * that exit status, signals, stdio, the console socket and every inherited
 * fd reach it untouched. Every error stops here, is reported once where runc
 * would report it, and the runtime is never started. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <sys/wait.h>

#include "bundle.h"
#include "container_state.h"
#include "docker_record.h"
#include "exec_handoff.h"
#include "exec_process.h"
#include "host.h"
#include "runtime_state.h"
#include "audit_trail.h"
#include "commands.h"
#include "runc_args.h"
#include "observe_runtime.h"
#include "runtime_log.h"
#include "settings.h"

static int runtime_fail(const struct runtime_log *log, oh_error_t *err)
{
	runtime_log_write(log, RUNTIME_LOG_ERROR, "oci-harden: %s", (*err)->msg);
	oh_error_free(err);
	return 1;
}

/* The command that shows every decision about the container, as the user
 * types it on this node: this binary, with the settings file it read when
 * that is not the default one (the event log is named there). */
static char *runtime_explain_command(const char *container_id)
{
	cleanup_free char *self = host_self_path();
	const char *program = self ? self : "oci-harden";
	const char *env = getenv(SETTINGS_ENV);
	bool other_config = env && *env && strcmp(env, SETTINGS_DEFAULT_PATH) != 0;
	cleanup_free char *config = other_config ? realpath(env, NULL) : NULL;
	char host[256] = "";
	gethostname(host, sizeof(host) - 1);
	return xasprintf("run %s%s%s%s explain %s%s%s", other_config ? SETTINGS_ENV "=" : "",
			 other_config ? (config ? config : env) : "", other_config ? " " : "",
			 program, container_id ? container_id : "ID", *host ? " on host " : "",
			 host);
}

/* One line for the refusal, the one its user sees: containerd shows it as
 * "OCI runtime create failed: <msg>" to ctr, docker run and kubectl (in
 * the pod's events), Podman as "OCI runtime error: <msg>". The bundle is
 * gone by the time anyone reads it (Docker and the CRI delete it when the
 * create fails), so the line says the first reason, how many more there
 * are, and the command that shows them all, from the event log. */
static int runtime_refuse(const struct runtime_log *log, const char *container_id,
			  const char *subject, const struct report *report)
{
	const struct decision *first = report_first_refusal(report);
	size_t more = report_count(report, DECISION_REFUSE) - 1;
	cleanup_free char *what = decision_to_string(first);
	cleanup_free char *explain = runtime_explain_command(container_id);
	cleanup_free char *count =
	    more ? xasprintf("%zu more refusal%s; ", more, more == 1 ? "" : "s") : xstrdup("");
	runtime_log_write(log, RUNTIME_LOG_ERROR,
			  "oci-harden: %s: refused by policy \"%s\": %s (%severy decision: %s)",
			  subject, report->policy_name, what, count, explain);
	return 1;
}

static void runtime_log_decisions(const struct runtime_log *log, const struct report *report)
{
	for (size_t i = 0; i < report->len; i++) {
		const struct decision *d = &report->items[i];
		/* In enforce mode a change is the policy working as meant; only
		 * what needs an operator's attention is logged. In audit mode
		 * every decision is the point. */
		if (!report->audit && d->kind == DECISION_CHANGE)
			continue;
		cleanup_free char *what = decision_to_string(d);
		runtime_log_write(log, RUNTIME_LOG_WARNING, "oci-harden: %s%s: %s (policy \"%s\")",
				  report->audit ? "audit: " : "", decision_kind_name(d->kind), what,
				  report->policy_name);
	}
}

/* What a successful create or exec still holds when the runtime is exec'd:
 * execv releases the whole address space at once, and freeing the trees
 * node by node first would cost a sixth of a create. Kept reachable here, so
 * a leak checker does not mistake it for lost memory should execv fail. */
static struct {
	struct bundle_config config;
	struct report report;
	struct policy *policy;
	struct container_record record;
	struct json *process;
	struct process_file file;
} runtime_kept_until_exec;

/* The bundle directory as an absolute path, for the record: the kernel's
 * name of the directory read, or, where it was not read, realpath's. */
static const char *runtime_bundle_path(const struct bundle_config *config, const char *bundle,
				       char **made)
{
	if (config->bundle)
		return config->bundle;
	xfree(*made);
	*made = realpath(bundle ? bundle : ".", NULL);
	if (!*made)
		*made = xstrdup(bundle ? bundle : ".");
	return *made;
}

static void runtime_record(const struct runc_args *args, const struct settings *settings,
			   const struct runtime_log *log, const char *bundle, const char *image,
			   const struct pod_identity *pod, const struct report *report,
			   const char *error)
{
	struct audit_trail_event event = {
	    .command = args->command_name,
	    .container_id = args->container_id,
	    .bundle = bundle,
	    .image = image,
	    .error = error,
	    .pod = pod,
	};
	audit_trail_record(&event, report, settings->event_log, settings->kernel_audit, log);
}

/* crun reads options with getopt, not Go's flag: "-bundle=/x" is "-b" with
 * "undle=/x" there, so a single-dash long option would have us harden one
 * bundle while crun runs another. */
static bool runtime_is_crun(const char *runtime)
{
	const char *base = strrchr(runtime, '/');
	return strcmp(base ? base + 1 : runtime, "crun") == 0;
}

/* The identity of the bundle directory, for the record: the runtime keeps
 * the bundle's path, which may be spelt another way. */
static void runtime_bundle_identity(const struct bundle_config *config, dev_t *dev, ino_t *ino)
{
	struct stat st;
	*dev = 0;
	*ino = 0;
	if (config->dirfd >= 0 && fstat(config->dirfd, &st) == 0) {
		*dev = st.st_dev;
		*ino = st.st_ino;
	}
}

/* Who the container is, by what its caller cannot write: the runtime entry
 * it came through (the name oci-harden was run by) and the record its
 * client keeps of it (Docker's, where settings name Docker's data root). */
struct runtime_identity {
	const char *entry_policy;
	char *record;
	char *recorded_image;
};

static void runtime_identity_clear(struct runtime_identity *identity)
{
	xfree(identity->record);
	xfree(identity->recorded_image);
}

static int runtime_identify(const struct runc_args *args, const struct settings *settings,
			    struct runtime_identity *identity, oh_error_t *err)
{
	if (policy_of_program_name(args->program, &identity->entry_policy, err) < 0)
		return -1;
	if (!settings->docker_data_root || !args->container_id)
		return 0;
	return docker_record_image(settings->docker_data_root, args->container_id,
				   &identity->recorded_image, &identity->record, err) < 0
		   ? -1
		   : 0;
}

static int runtime_harden_bundle(const struct runc_args *args, const struct settings *settings,
				 const struct runtime_log *log, const struct container_place *place,
				 const char *runtime)
{
	cleanup_error oh_error_t err = NULL;
	cleanup_bundle_config struct bundle_config config = {.dirfd = -1};
	cleanup_report struct report report = {0};
	cleanup_policy struct policy *policy = NULL;
	_cleanup_(runtime_identity_clear) struct runtime_identity identity = {0};
	/* The config is hardened in memory in both modes, so that what is
	 * saved for the container's execs is what enforce mode would run; in
	 * audit mode it is not written back. */
	struct bundle_harden_options options = {.chosen = &policy, .preview = true};
	cleanup_free char *bundle_made = NULL;
	cleanup_free char *image = NULL;
	cleanup_pod_identity struct pod_identity pod_found = {0};
	const struct pod_identity *pod = NULL;

	int r = runtime_identify(args, settings, &identity, &err);
	options.entry_policy = identity.entry_policy;
	options.entry_program = args->program;
	options.record = identity.record;
	options.recorded_image = identity.recorded_image;
	if (r == 0)
		r = bundle_config_read(args->bundle, &config, &err);
	if (r == 0) {
		image = bundle_config_image(&config, settings, &options);
		pod = policy_pod_of_spec(config.spec, &pod_found) ? &pod_found : NULL;
		r = bundle_config_harden(&config, settings, &options, &report, &err);
	}
	const char *bundle = runtime_bundle_path(&config, args->bundle, &bundle_made);
	if (r < 0) {
		runtime_record(args, settings, log, bundle, image, pod, &report, err->msg);
		return runtime_fail(log, &err);
	}
	if (args->command == RUNC_CMD_RESTORE)
		harden_restore(policy, &report);
	runtime_log_decisions(log, &report);
	bool refused = !report.audit && report_first_refusal(&report);
	if (!refused && bundle_config_write(&config, &report, &err) < 0) {
		runtime_record(args, settings, log, bundle, image, pod, &report, err->msg);
		return runtime_fail(log, &err);
	}
	runtime_record(args, settings, log, bundle, image, pod, &report, NULL);
	if (refused)
		return runtime_refuse(log, args->container_id, config.display, &report);
	/* Remembered for the container's execs, which without it are refused:
	 * a failure here fails the create rather than every exec later. */
	struct container_created created = {
	    .id = args->container_id,
	    .policy = policy,
	    .image = image,
	    .spec = config.spec,
	    .process_text = config.process_len ? config.text + config.process_offset : NULL,
	    .process_len = config.process_len,
	};
	runtime_bundle_identity(&config, &created.bundle_dev, &created.bundle_ino);
	if (args->container_id && container_state_save(place, &created, &err) < 0)
		return runtime_fail(log, &err);
	observe_runtime_create(args, settings, log, runtime, place->runtime_root, bundle,
			       config.spec, policy, image);
	runtime_kept_until_exec.config = config;
	config = (struct bundle_config){.dirfd = -1}; /* its fd is O_CLOEXEC */
	runtime_kept_until_exec.report = report;
	report = (struct report){0};
	runtime_kept_until_exec.policy = steal_pointer(&policy);
	return 0;
}

/* The process of the caller's --process file, parsed as runc reads it. A
 * repeated key, which runc's decoder would read one way though it may have
 * been meant another, is a refusal (audit mode logs it and runs what it was
 * given); text that is not JSON at all is an error. */
static int runtime_parse_process_file(const struct process_file *file, const char *path,
				      struct report *report, struct json **process, oh_error_t *err)
{
	*process = json_parse(file->text, file->len, JSON_PARSE_GO_STRICT, err);
	if (*process)
		return 0;
	oh_error_t plain_err = NULL;
	*process = json_parse(file->text, file->len, 0, &plain_err);
	oh_error_free(&plain_err);
	if (!*process)
		return oh_error_wrap(err, "%s", path);
	report_add(report, DECISION_REFUSE, "spec", "", NULL, NULL,
		   "%s: %s: runc's decoder would read one of the ways it could be meant", path,
		   (*err)->msg);
	oh_error_free(err);
	return 0;
}

/* The exec's process: the caller's --process file (which both runtimes
 * take as the whole process, ignoring the flags), or the container's saved
 * process with the caller's flags applied as runc applies them. NULL with
 * a refusal in `report` when the file may not be used. */
static int runtime_exec_process(int argc, char **argv, const struct runc_args *args,
				const char *runtime, const struct container_record *record,
				struct process_file *file, struct report *report,
				struct json **process, oh_error_t *err)
{
	*process = NULL;
	if (!args->process_path) {
		const struct json *saved = json_object_get(record->container, "process");
		if (exec_process_from_flags(saved, argc, argv, args, process, err) == 0)
			return 0;
		/* What the runtime would refuse itself (a user name for --user):
		 * audit mode lets the runtime say so, and logs it. */
		if (!report->audit)
			return -1;
		report_add(report, DECISION_REFUSE, "exec", "", NULL, NULL, "%s", (*err)->msg);
		oh_error_free(err);
		return 0;
	}
	if (process_file_read(args->process_path, runtime_is_crun(runtime), file, err) < 0)
		return -1;
	if (file->refusal) {
		report_add(report, DECISION_REFUSE, "exec", "", NULL, NULL, "%s", file->refusal);
		return 0;
	}
	return runtime_parse_process_file(file, args->process_path, report, process, err);
}

/* Hand the runtime what it is to run: in enforce mode, the judged process
 * as a memfd in place of every option that shapes one; in audit mode the
 * caller's command line as it came, except that a process file that was
 * the caller's own pipe, which oci-harden had to read, comes from a memfd
 * holding the very bytes read. */
static int runtime_exec_handoff(int argc, char **argv, const struct runc_args *args,
				const char *runtime, const struct report *report,
				const struct json *process, const struct process_file *file,
				struct exec_argv *out, oh_error_t *err)
{
	int floor =
	    exec_process_fd_floor(args, runtime_is_crun(runtime) ? getenv("LISTEN_FDS") : NULL);
	int fd;
	char fd_path[64];
	if (!report->audit) {
		cleanup_free char *text = json_to_string(process, false);
		if (exec_handoff_memfd(text, strlen(text), floor, &fd, err) < 0)
			return -1;
		snprintf(fd_path, sizeof(fd_path), "/proc/self/fd/%d", fd);
		exec_argv_with_process(argc, argv, args, runtime, fd_path, out);
	} else if (file->callers_descriptor && file->text) {
		if (exec_handoff_memfd(file->text, file->len, floor, &fd, err) < 0)
			return -1;
		snprintf(fd_path, sizeof(fd_path), "/proc/self/fd/%d", fd);
		exec_argv_replace_process_path(argc, argv, args, runtime, fd_path, out);
	}
	return 0;
}

/* An exec: the record of the container, the process built and judged by
 * the container's policy, and the command line for the runtime in `out`
 * (left empty: run argv as it came). A container oci-harden has no record
 * of (not created through it, or its record lost or not its own) is
 * refused: what runc would run then (config.json as it is now) or crun
 * (the flags alone) was never judged. The default policy decides only
 * whether that refusal is enforced or, in audit mode, logged. */
static int runtime_harden_exec(int argc, char **argv, const struct runc_args *args,
			       const struct settings *settings, const struct runtime_log *log,
			       const char *runtime, const struct container_place *place,
			       struct exec_argv *out)
{
	cleanup_error oh_error_t err = NULL;
	cleanup_container_record struct container_record record = {0};
	cleanup_policy struct policy *fallback = NULL;
	cleanup_report struct report report = {0};
	cleanup_free char *why_none = NULL;
	cleanup_json struct json *process = NULL;
	cleanup_process_file struct process_file file = {0};

	int found = container_state_load(place, args->container_id, &record, &why_none, &err);
	/* No record, and no such container either: nothing can run, and the
	 * runtime says so in its own words and exit status (runc: 255,
	 * "container does not exist"). */
	if (found == 0 && !err && args->container_id &&
	    !runtime_state_exists(place->runtime_root, args->container_id))
		return 0;
	if (found == 0 &&
	    policy_load_named(settings->default_policy, settings, &fallback, &err) == 0) {
		report.policy_reason = xstrdup("no record of the container: the default policy");
		report_add(&report, DECISION_REFUSE, "exec", "", NULL, NULL,
			   "no record of container %s that holds (%s): what the runtime would run "
			   "was never judged",
			   args->container_id, why_none);
	} else if (found > 0) {
		report.policy_reason = xstrdup("the policy the container was created with");
	}
	if (err) {
		runtime_record(args, settings, log, NULL, NULL, NULL, &report, err->msg);
		return runtime_fail(log, &err);
	}
	const struct policy *policy = found > 0 ? record.policy : fallback;
	report.policy_name = xstrdup(policy->name);
	report.audit = policy->mode == POLICY_AUDIT;

	if (found > 0) {
		cleanup_host_facts struct host_facts host = {0};
		if (runtime_exec_process(argc, argv, args, runtime, &record, &file, &report,
					 &process, &err) == 0 &&
		    process) {
			host_facts_gather(policy, NULL, NULL, &host);
			if (harden_process(process, record.container, policy, &host, &report,
					   &err) < 0)
				oh_error_wrap(&err, "%s",
					      args->process_path ? args->process_path : "exec");
		}
		if (err) {
			runtime_record(args, settings, log, NULL, record.image, NULL, &report,
				       err->msg);
			return runtime_fail(log, &err);
		}
	}
	runtime_record(args, settings, log, NULL, record.image, NULL, &report, NULL);
	runtime_log_decisions(log, &report);
	if (!report.audit && report_first_refusal(&report)) {
		cleanup_free char *subject = xasprintf(
		    "exec in %s%s%s", args->container_id, args->process_path ? " with " : "",
		    args->process_path ? args->process_path : "");
		return runtime_refuse(log, args->container_id, subject, &report);
	}
	if (runtime_exec_handoff(argc, argv, args, runtime, &report, process, &file, out, &err) < 0)
		return runtime_fail(log, &err);
	runtime_kept_until_exec.record = record;
	record = (struct container_record){0};
	runtime_kept_until_exec.report = report;
	report = (struct report){0};
	runtime_kept_until_exec.process = steal_pointer(&process);
	runtime_kept_until_exec.file = file;
	file = (struct process_file){0};
	return 0;
}

/* Go's filepath.Clean of an absolute path: no "." or ".." components,
 * no repeated or trailing '/'. */
static char *runtime_path_clean(const char *path)
{
	if (path_is_clean(path))
		return xstrdup(path);
	cleanup_free char *copy = xstrdup(path);
	struct string_list parts = {0};
	char *save = NULL;
	for (char *part = strtok_r(copy, "/", &save); part; part = strtok_r(NULL, "/", &save)) {
		if (strcmp(part, ".") == 0)
			continue;
		if (strcmp(part, "..") == 0) {
			if (parts.len)
				xfree(parts.items[--parts.len]);
			continue;
		}
		string_list_add(&parts, part);
	}
	struct strbuf out = {0};
	for (size_t i = 0; i < parts.len; i++)
		strbuf_appendf(&out, "/%s", parts.items[i]);
	if (!out.len)
		strbuf_putc(&out, '/');
	string_list_clear(&parts);
	return strbuf_steal(&out);
}

/* The runtime's state directory as it will use it: --root made absolute
 * as runc does (filepath.Abs), or the runtime's default. Records are kept
 * by it, so that "--root x", "--root $PWD/x" and no --root where x is the
 * default are one place. */
static char *runtime_root_dir(const char *root, const char *runtime)
{
	if (!root)
		return runtime_default_root(runtime);
	if (root[0] == '/')
		return runtime_path_clean(root);
	cleanup_free char *cwd = getcwd(NULL, 0);
	cleanup_free char *joined = xasprintf("%s/%s", cwd ? cwd : "", root);
	return runtime_path_clean(joined);
}

/* What the command line itself asks for that no policy allows. */
static int runtime_check_args(const struct runc_args *args, const char *runtime, oh_error_t *err)
{
	if (args->single_dash_option && runtime_is_crun(runtime))
		return oh_error_make(err, 0,
				     "an option written with one dash (-name) is read differently "
				     "by crun than by runc; write it with two");
	/* runc applies these to the restored process over config.json. */
	if (args->command == RUNC_CMD_RESTORE && (args->lsm_profile || args->lsm_mount_context))
		return oh_error_make(err, 0,
				     "restore with --lsm-profile or --lsm-mount-context would "
				     "replace the hardened security label");
	return 0;
}

/* Through a runtime entry that names a policy, that policy is also the
 * default one: an exec in a container oci-harden has no record of gets it
 * rather than the node's default. */
static int runtime_entry_default(const struct runc_args *args, struct settings *settings,
				 oh_error_t *err)
{
	const char *entry_policy;
	int r = policy_of_program_name(args->program, &entry_policy, err);
	if (r <= 0)
		return r;
	xfree(settings->default_policy);
	settings->default_policy = xstrdup(entry_policy);
	return 0;
}

/* --help and --version: the runtime answers first, unchanged, then
 * oci-harden says what it is. First, because programs read the runtime's
 * answer from its first lines (runc's own tests: `runc -v` starts "runc
 * version", `runc -h` starts "NAME:"; Docker reads the runtime's name,
 * version and commit from it, taking the last line that says "version",
 * which oci-harden's line therefore does not say). So the runtime runs as
 * a child here, not in our place, and its exit status is ours. */
static int runtime_introduce(const struct runc_args *args, const char *runtime, char **argv)
{
	fflush(stdout);
	pid_t pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		argv[0] = (char *)runtime;
		execv(runtime, argv);
		_exit(127);
	}
	int status;
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	if (args->help)
		own_help_print(stdout, runtime);
	else
		own_version_print(stdout);
	fflush(stdout);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

int cmd_runtime(int argc, char **argv)
{
	/* Everything this process allocates is released by the execv at
	 * the end (or by its exit): see util.c. */
	alloc_arena_begin();
	cleanup_error oh_error_t err = NULL;
	struct runc_args args;
	int parsed = runc_args_parse(argc, argv, &args, &err);
	struct runtime_log log = {.path = args.log_path, .format = args.log_format};
	if (parsed < 0)
		return runtime_fail(&log, &err);

	cleanup_settings struct settings settings = {0};
	cleanup_free char *runtime = NULL;
	if (settings_load(&settings, &err) < 0 ||
	    settings_resolve_runtime(&settings, &runtime, &err) < 0 ||
	    runtime_check_args(&args, runtime, &err) < 0)
		return runtime_fail(&log, &err);
	cleanup_free char *runtime_root = runtime_root_dir(args.root, runtime);
	struct container_place place = {.state_dir = settings.state_dir,
					.runtime_root = runtime_root};
	cleanup_exec_argv struct exec_argv exec_argv = {0};
	if (args.help || args.version) {
		int status = runtime_introduce(&args, runtime, argv);
		if (status >= 0)
			return status;
		oh_error_make(&err, errno, "cannot run the runtime %s", runtime);
		return runtime_fail(&log, &err);
	}

	switch (args.command) {
	case RUNC_CMD_CREATE:
	case RUNC_CMD_RUN:
	case RUNC_CMD_RESTORE:
		if (runtime_entry_default(&args, &settings, &err) < 0)
			return runtime_fail(&log, &err);
		settings_pin_policy_dir(&settings);
		if (runtime_harden_bundle(&args, &settings, &log, &place, runtime) != 0)
			return 1;
		break;
	case RUNC_CMD_EXEC:
		if (runtime_entry_default(&args, &settings, &err) < 0)
			return runtime_fail(&log, &err);
		settings_pin_policy_dir(&settings);
		if (runtime_harden_exec(argc, argv, &args, &settings, &log, runtime, &place,
					&exec_argv) != 0)
			return 1;
		break;
	case RUNC_CMD_DELETE:
		observe_runtime_delete(&args, &settings, &log, runtime_root);
		if (args.container_id)
			container_state_remove(&place, args.container_id);
		break;
	case RUNC_CMD_START:
		observe_runtime_start(&args, &settings, &log, runtime_root);
		break;
	case RUNC_CMD_KILL:
		observe_runtime_kill(&args, &settings, &log, runtime_root);
		break;
	case RUNC_CMD_LIST:
		container_state_forget_gone(&place);
		break;
	default:
		/* Every other command, and one neither runtime knows, which
		 * the runtime refuses in its own words. */
		break;
	}

	/* argv[0] names the program being run; the rest goes as it came,
	 * unless an exec's was rebuilt around the judged process. */
	argv[0] = runtime;
	fflush(stdout);
	execv(runtime, exec_argv.argv ? exec_argv.argv : argv);
	oh_error_make(&err, errno, "cannot execute the runtime %s", runtime);
	return runtime_fail(&log, &err);
}
