/* SPDX-License-Identifier: Apache-2.0 */
/* exec: the flags that would change the new process, and the process file. */
#include <sys/stat.h>

#include "exec_process.h"
#include "helpers.h"

static struct policy *policy;

static void load_default(void)
{
	oh_error_t err = NULL;
	cr_assert_eq(policy_load_default(&policy, &err), 0);
}

static void free_policy(void)
{
	policy_free(policy);
}

TestSuite(exec_process, .init = load_default, .fini = free_policy);

/* The refusals of `runc exec` with `flags` (NULL-terminated) before the id. */
static size_t judge(const char *first_reason_part, ...)
{
	char *argv[32] = {"oci-harden", "exec"};
	int argc = 2;
	va_list ap;
	va_start(ap, first_reason_part);
	for (char *a; (a = va_arg(ap, char *));)
		argv[argc++] = a;
	va_end(ap);
	argv[argc++] = "ctr1";
	argv[argc++] = "sh";
	struct runc_args args;
	oh_error_t err = NULL;
	cr_assert_eq(runc_args_parse(argc, argv, &args, &err), 0, "%s", err ? err->msg : "");
	cleanup_report struct report report = {0};
	exec_flags_judge(&args, policy, &report);
	size_t n = report_count(&report, DECISION_REFUSE);
	if (first_reason_part && n)
		cr_assert(strstr(report.items[0].reason, first_reason_part), "%s",
			  report.items[0].reason);
	return n;
}

Test(exec_process, flags_that_keep_the_policy_pass)
{
	cr_assert_eq(judge(NULL, NULL), 0);
	cr_assert_eq(judge(NULL, "--user", "1000:1000", "--cap", "CAP_NET_BIND_SERVICE",
			   "--additional-gids", "10", "--no-new-privs", NULL),
		     0);
}

Test(exec_process, flags_that_would_escape_it_are_refused)
{
	cr_assert_eq(judge("CAP_SYS_ADMIN", "--cap", "CAP_SYS_ADMIN", NULL), 1);
	cr_assert_eq(judge("uid 0", "--user", "0", NULL), 1);
	cr_assert_eq(judge("gid 0", "-u", "1000:0", NULL), 1);
	cr_assert_eq(judge("cannot read", "--user", "root", NULL), 1);
	/* runc stores uint32(Atoi(...)): 2^32 is uid 0 */
	cr_assert_eq(judge("uid 0", "--user", "4294967296", NULL), 1);
	cr_assert_eq(judge("gid 0", "--user", "65534:4294967296", NULL), 1);
	cr_assert_eq(judge("root's", "-g", "4294967296", NULL), 1);
	cr_assert_eq(judge("root's", "-g", "0x0", NULL), 1);
	cr_assert_eq(judge("AppArmor", "--apparmor", "unconfined", NULL), 1);
	cr_assert_eq(judge("noNewPrivileges", "--no-new-privs=false", NULL), 1);
	cr_assert_eq(judge("SELinux", "--process-label", "system_u:system_r:spc_t:s0", NULL), 1);
	cr_assert_eq(judge(NULL, "--user", "0:0", "--cap", "CAP_SYS_ADMIN", NULL), 2);
}

Test(exec_process, allow_root_lets_root_through_but_not_capabilities)
{
	policy->allow_root = true;
	cr_assert_eq(judge(NULL, "--user", "0:0", "-g", "0", NULL), 0);
	cr_assert_eq(judge("CAP_SYS_ADMIN", "--user", "0", "--cap", "CAP_SYS_ADMIN", NULL), 1);
}

Test(exec_process, the_process_file_is_hardened_in_place)
{
	char dir[] = "/tmp/oci-harden-exec-XXXXXX";
	cr_assert_not_null(mkdtemp(dir));
	cleanup_free char *path = xasprintf("%s/process.json", dir);
	FILE *f = fopen(path, "w");
	fputs("{\"user\":{\"uid\":0,\"gid\":0},\"args\":[\"sh\"],\"cwd\":\"/\",\"capabilities\":"
	      "{\"bounding\":[\"CAP_SYS_ADMIN\"],\"effective\":[\"CAP_SYS_ADMIN\"]}}",
	      f);
	fclose(f);
	cleanup_report struct report report = {0};
	oh_error_t err = NULL;
	cr_assert_eq(exec_process_file_harden(path, policy, &report, &err), 0, "%s",
		     err ? err->msg : "");
	size_t len;
	cleanup_free char *text = NULL;
	cr_assert_eq(file_read_all(AT_FDCWD, path, 1 << 20, &text, &len, &err), 0);
	cr_assert_str_eq(text,
			 "{\"user\":{\"uid\":65534,\"gid\":65534},\"args\":[\"sh\"],\"cwd\":\"/\","
			 "\"capabilities\":{\"bounding\":[],\"effective\":[]},"
			 "\"noNewPrivileges\":true}");

	/* A symlink in place of the file is refused, and left alone. */
	cleanup_free char *link = xasprintf("%s/link.json", dir);
	cr_assert_eq(symlink(path, link), 0);
	cleanup_report struct report report2 = {0};
	cr_assert_lt(exec_process_file_harden(link, policy, &report2, &err), 0);
	cr_assert(strstr(err->msg, "symbolic link"), "%s", err->msg);
	oh_error_free(&err);
	unlink(link);
	unlink(path);
	rmdir(dir);
}
