/* SPDX-License-Identifier: Apache-2.0 */
#include "exec_process.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fileio.h"
#include "harden.h"
#include "host.h"
#include "json.h"

#define EXEC_PROCESS_MAX_BYTES (4u << 20)

/* runc reads --user as "UID[:GID]" with strconv.Atoi: decimal, optional
 * sign. Returns false for anything else. */
static bool exec_parse_decimal(const char *s, size_t len, long long *out)
{
	if (len == 0 || len > 19)
		return false;
	cleanup_free char *copy = xstrndup(s, len);
	char *end;
	errno = 0;
	*out = strtoll(copy, &end, 10);
	return errno == 0 && *end == '\0' && end != copy;
}

/* Record a refused flag, its value shown as JSON like every decision's. */
static void exec_refuse(struct report *report, const char *flag, const char *value, const char *fmt,
			...) __attribute__((format(printf, 4, 5)));

static void exec_refuse(struct report *report, const char *flag, const char *value, const char *fmt,
			...)
{
	va_list ap;
	va_start(ap, fmt);
	cleanup_free char *reason = xvasprintf(fmt, ap);
	va_end(ap);
	report_add(report, DECISION_REFUSE, "exec", flag, json_new_string(value), NULL, "%s",
		   reason);
}

void exec_flags_judge(const struct runc_args *args, const struct policy *policy,
		      struct report *report)
{
	for (size_t i = 0; i < args->exec_caps_len; i++)
		if (!string_list_contains(&policy->capabilities, args->exec_caps[i]))
			exec_refuse(report, "--cap", args->exec_caps[i],
				    "capability %s is not on the policy's allowlist",
				    args->exec_caps[i]);
	if (args->exec_user && !policy->allow_root) {
		const char *colon = strchr(args->exec_user, ':');
		size_t uid_len =
		    colon ? (size_t)(colon - args->exec_user) : strlen(args->exec_user);
		long long uid, gid = -1;
		bool ok = exec_parse_decimal(args->exec_user, uid_len, &uid) &&
			  (!colon || exec_parse_decimal(colon + 1, strlen(colon + 1), &gid));
		if (!ok)
			exec_refuse(report, "--user", args->exec_user,
				    "cannot read \"%s\" as UID[:GID]", args->exec_user);
		else if ((uint32_t)uid == 0 || (uint32_t)gid == 0)
			exec_refuse(report, "--user", args->exec_user,
				    "a process may not run as %s 0 (root)",
				    (uint32_t)uid == 0 ? "uid" : "gid");
	}
	for (size_t i = 0; i < args->exec_additional_gids_len && !policy->allow_root; i++) {
		/* urfave/cli reads Int64Slice values with base 0: "0x0" is 0. */
		const char *value = args->exec_additional_gids[i];
		char *end;
		errno = 0;
		long long gid = strtoll(value, &end, 0);
		if (errno || *end || end == value || (uint32_t)gid == 0)
			exec_refuse(report, "--additional-gids", value,
				    "additional group %s is root's or unreadable", value);
	}
	if (args->exec_apparmor) {
		const char *profile = policy->apparmor_profile ? policy->apparmor_profile : "";
		if (strcmp(args->exec_apparmor, "unconfined") == 0 ||
		    (*profile && strcmp(args->exec_apparmor, profile) != 0))
			exec_refuse(report, "--apparmor", args->exec_apparmor,
				    "AppArmor profile \"%s\" would replace the policy's",
				    args->exec_apparmor);
	}
	/* An SELinux label of the caller's choosing (spc_t is unconfined). */
	if (args->exec_process_label)
		exec_refuse(report, "--process-label", args->exec_process_label,
			    "the process would get an SELinux label of the caller's choosing");
	if (args->exec_no_new_privs_set && !args->exec_no_new_privs && policy->no_new_privileges)
		exec_refuse(report, "--no-new-privs", "false",
			    "the policy requires noNewPrivileges");
}

int exec_process_file_harden(const char *path, const struct policy *policy, struct report *report,
			     oh_error_t *err)
{
	cleanup_free char *dir_copy = xstrdup(path);
	cleanup_free char *base_copy = xstrdup(path);
	const char *dir = dirname(dir_copy);
	const char *name = basename(base_copy);
	cleanup_close int dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dirfd < 0)
		return oh_error_make(err, errno, "process file %s", path);
	cleanup_free char *text = NULL;
	size_t len;
	struct stat st;
	if (file_read_all_flags(dirfd, name, path, EXEC_PROCESS_MAX_BYTES, FILE_READ_NOFOLLOW,
				&text, &len, &st, err) < 0)
		return -1;
	cleanup_json struct json *process = json_parse(text, len, JSON_PARSE_GO_STRICT, err);
	if (!process)
		return oh_error_wrap(err, "%s", path);
	cleanup_host_facts struct host_facts host = {0};
	host_facts_gather(policy, NULL, NULL, &host);
	if (harden_process(process, NULL, policy, &host, report, err) < 0)
		return oh_error_wrap(err, "%s", path);
	if (report->audit || report_first_refusal(report) ||
	    report_count(report, DECISION_CHANGE) == 0)
		return 0;
	cleanup_free char *out = json_to_string(process, false);
	return file_replace_atomically(dirfd, name, path, out, strlen(out), &st, err);
}
