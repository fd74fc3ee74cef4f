/* SPDX-License-Identifier: Apache-2.0 */
/* The runtime wrapper: parse runc's command line, harden the bundle's
 * config.json on create, run and restore, then become the real runtime with
 * execv, so that exit status, signals, stdio, the console socket and every
 * inherited fd reach it untouched. Every error stops here, is reported once
 * where runc would report it, and the runtime is never started. */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "bundle.h"
#include "container_state.h"
#include "exec_process.h"
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

/* One line for the refusal that containerd shows as "OCI runtime create
 * failed: <msg>": the first reason, and how many more there are. */
static int runtime_refuse(const struct runtime_log *log, const char *subject,
			  const struct report *report)
{
	const struct decision *first = report_first_refusal(report);
	size_t more = report_count(report, DECISION_REFUSE) - 1;
	cleanup_free char *what = decision_to_string(first);
	runtime_log_write(log, RUNTIME_LOG_ERROR, "oci-harden: %s: refused by policy \"%s\": %s%s",
			  subject, report->policy_name, what,
			  more ? " (and more: see oci-harden diff)" : "");
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

/* What a successful create still holds when the runtime is exec'd: execv
 * releases the whole address space at once, and freeing the trees node by
 * node first would cost a sixth of a create. Kept reachable here, so a leak
 * checker does not mistake it for lost memory should execv fail. */
static struct {
	struct bundle_config config;
	struct report report;
	struct policy *policy;
} runtime_kept_until_exec;

/* The bundle directory as an absolute path, for the record. */
static char *runtime_bundle_path(const char *bundle)
{
	char *path = realpath(bundle ? bundle : ".", NULL);
	return path ? path : xstrdup(bundle ? bundle : ".");
}

static void runtime_record(const struct runc_args *args, const struct settings *settings,
			   const struct runtime_log *log, const char *bundle, const char *image,
			   const struct report *report, const char *error)
{
	struct audit_trail_event event = {
	    .command = args->command_name,
	    .container_id = args->container_id,
	    .bundle = bundle,
	    .image = image,
	    .error = error,
	};
	audit_trail_record(&event, report, settings->event_log, settings->kernel_audit,
			   settings->state_dir, log);
}

static int runtime_harden_bundle(const struct runc_args *args, const struct settings *settings,
				 const struct runtime_log *log, const char *runtime)
{
	cleanup_error oh_error_t err = NULL;
	cleanup_bundle_config struct bundle_config config = {.dirfd = -1};
	cleanup_report struct report report = {0};
	cleanup_policy struct policy *policy = NULL;
	struct bundle_harden_options options = {.chosen = &policy};
	cleanup_free char *bundle = runtime_bundle_path(args->bundle);
	cleanup_free char *image = NULL;

	int r = bundle_config_read(args->bundle, &config, &err);
	if (r == 0) {
		const char *annotated = policy_image_of_spec(config.spec);
		image = annotated ? image_reference_normalize(annotated) : NULL;
		r = bundle_config_harden(&config, settings, &options, &report, &err);
	}
	if (r < 0) {
		runtime_record(args, settings, log, bundle, image, &report, err->msg);
		return runtime_fail(log, &err);
	}
	runtime_log_decisions(log, &report);
	bool refused = !report.audit && report_first_refusal(&report);
	if (!refused && bundle_config_write(&config, &report, &err) < 0) {
		runtime_record(args, settings, log, bundle, image, &report, err->msg);
		return runtime_fail(log, &err);
	}
	runtime_record(args, settings, log, bundle, image, &report, NULL);
	if (refused)
		return runtime_refuse(log, config.display, &report);
	/* Remembered for the container's execs. Without it they fall back to
	 * the default policy, so a failure here is worth a warning, not the
	 * container. */
	if (args->container_id &&
	    container_state_save(settings->state_dir, args->root, args->container_id, policy, image,
				 &err) < 0) {
		runtime_log_write(log, RUNTIME_LOG_WARNING, "oci-harden: %s", err->msg);
		oh_error_free(&err);
	}
	observe_runtime_create(args, settings, log, runtime, bundle, config.spec, policy, image);
	runtime_kept_until_exec.config = config;
	config = (struct bundle_config){.dirfd = -1}; /* its fd is O_CLOEXEC */
	runtime_kept_until_exec.report = report;
	report = (struct report){0};
	runtime_kept_until_exec.policy = steal_pointer(&policy);
	return 0;
}

/* The policy a container was created with, or, for a container oci-harden
 * has no record of (created before it was installed, or its state lost),
 * the default policy, with a warning. */
static int runtime_policy_of_container(const struct runc_args *args,
				       const struct settings *settings,
				       const struct runtime_log *log, struct policy **policy,
				       char **image, char **reason, oh_error_t *err)
{
	if (!args->container_id)
		return oh_error_make(err, 0, "exec: no container id");
	int r = container_state_load(settings->state_dir, args->root, args->container_id, policy,
				     image, err);
	if (r != 0) {
		*reason = xstrdup("the policy the container was created with");
		return r < 0 ? -1 : 0;
	}
	*reason = xstrdup("no record of the container: the default policy");
	runtime_log_write(log, RUNTIME_LOG_WARNING,
			  "oci-harden: no record of the policy container %s was created with; "
			  "exec uses the default policy \"%s\"",
			  args->container_id, settings->default_policy);
	return policy_load_named(settings->default_policy, settings, policy, err);
}

static int runtime_harden_exec(const struct runc_args *args, const struct settings *settings,
			       const struct runtime_log *log)
{
	cleanup_error oh_error_t err = NULL;
	cleanup_policy struct policy *policy = NULL;
	cleanup_report struct report report = {0};
	cleanup_free char *image = NULL;
	if (runtime_policy_of_container(args, settings, log, &policy, &image, &report.policy_reason,
					&err) < 0) {
		runtime_record(args, settings, log, NULL, NULL, &report, err->msg);
		return runtime_fail(log, &err);
	}
	report.policy_name = xstrdup(policy->name);
	report.audit = policy->mode == POLICY_AUDIT;
	if (args->process_path) {
		if (exec_process_file_harden(args->process_path, policy, &report, &err) < 0) {
			runtime_record(args, settings, log, NULL, image, &report, err->msg);
			return runtime_fail(log, &err);
		}
	} else {
		exec_flags_judge(args, policy, &report);
	}
	runtime_record(args, settings, log, NULL, image, &report, NULL);
	runtime_log_decisions(log, &report);
	if (!report.audit && report_first_refusal(&report)) {
		cleanup_free char *subject = xasprintf(
		    "exec in %s%s%s", args->container_id, args->process_path ? " with " : "",
		    args->process_path ? args->process_path : "");
		return runtime_refuse(log, subject, &report);
	}
	return 0;
}

/* crun reads options with getopt, not Go's flag: "-bundle=/x" is "-b" with
 * "undle=/x" there, so a single-dash long option would have us harden one
 * bundle while crun runs another. */
static bool runtime_is_crun(const char *runtime)
{
	const char *base = strrchr(runtime, '/');
	return strcmp(base ? base + 1 : runtime, "crun") == 0;
}

/* The state of a container is keyed by its runtime root as an absolute path,
 * as runc makes it: "--root x" and "--root $PWD/x" are one root. */
static char *runtime_root_key(const char *root)
{
	if (!root || root[0] == '/')
		return root ? xstrdup(root) : NULL;
	cleanup_free char *cwd = getcwd(NULL, 0);
	return cwd ? xasprintf("%s/%s", cwd, root) : xstrdup(root);
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

int cmd_runtime(int argc, char **argv)
{
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
	cleanup_free char *root_key = runtime_root_key(args.root);
	args.root = root_key;

	switch (args.command) {
	case RUNC_CMD_CREATE:
	case RUNC_CMD_RUN:
	case RUNC_CMD_RESTORE:
		if (runtime_harden_bundle(&args, &settings, &log, runtime) != 0)
			return 1;
		break;
	case RUNC_CMD_EXEC:
		if (runtime_harden_exec(&args, &settings, &log) != 0)
			return 1;
		break;
	case RUNC_CMD_DELETE:
		observe_runtime_delete(&args, &settings, &log);
		if (args.container_id)
			container_state_remove(settings.state_dir, args.root, args.container_id);
		break;
	case RUNC_CMD_START:
		observe_runtime_start(&args, &settings, &log);
		break;
	case RUNC_CMD_KILL:
		observe_runtime_kill(&args, &settings, &log);
		break;
	default:
		break;
	}

	/* argv[0] names the program being run; the rest goes as it came. */
	argv[0] = runtime;
	execv(runtime, argv);
	oh_error_make(&err, errno, "cannot execute the runtime %s", runtime);
	return runtime_fail(&log, &err);
}
