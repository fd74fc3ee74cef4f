/* SPDX-License-Identifier: Apache-2.0 */
/* oci-harden's own config file, and finding the real runtime. */
#include <sys/stat.h>

#include "helpers.h"
#include "settings.h"

static char path[] = "/tmp/oci-harden-settings-XXXXXX";

static void with_config(const char *text)
{
	int fd = mkstemp(path);
	cr_assert_geq(fd, 0);
	cr_assert_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	setenv(SETTINGS_ENV, path, 1);
}

static void cleanup(void)
{
	if (strstr(path, "XXXXXX") == NULL)
		unlink(path);
}

TestSuite(settings, .fini = cleanup);

Test(settings, missing_file_means_defaults)
{
	setenv(SETTINGS_ENV, "/nonexistent/oci-harden.json", 1);
	cleanup_settings struct settings s = {0};
	oh_error_t err = NULL;
	cr_assert_eq(settings_load(&s, &err), 0);
	cr_assert_null(s.runtime);
	cr_assert_str_eq(s.policy_dir, SETTINGS_DEFAULT_POLICY_DIR);
}

Test(settings, keys_are_read)
{
	with_config("{\"runtime\": \"/usr/bin/runc\", \"policy_dir\": \"/srv/policies\"}");
	cleanup_settings struct settings s = {0};
	oh_error_t err = NULL;
	cr_assert_eq(settings_load(&s, &err), 0, "%s", err ? err->msg : "");
	cr_assert_str_eq(s.runtime, "/usr/bin/runc");
	cr_assert_str_eq(s.policy_dir, "/srv/policies");
}

Test(settings, docker_data_root_is_an_absolute_path_and_unset_by_default)
{
	with_config("{}");
	cleanup_settings struct settings s = {0};
	oh_error_t err = NULL;
	cr_assert_eq(settings_load(&s, &err), 0, "%s", err ? err->msg : "");
	cr_assert_null(s.docker_data_root, "Docker's records are read only where named");
	settings_clear(&s);
	unlink(path);

	strcpy(path, "/tmp/oci-harden-settings-XXXXXX");
	with_config("{\"docker_data_root\": \"/var/lib/docker\"}");
	cr_assert_eq(settings_load(&s, &err), 0, "%s", err ? err->msg : "");
	cr_assert_str_eq(s.docker_data_root, "/var/lib/docker");
	settings_clear(&s);
	unlink(path);

	strcpy(path, "/tmp/oci-harden-settings-XXXXXX");
	with_config("{\"docker_data_root\": \"var/lib/docker\"}");
	cr_assert_lt(settings_load(&s, &err), 0);
	cr_assert(strstr(err->msg, "\"docker_data_root\": must be an absolute path"), "%s",
		  err->msg);
	oh_error_free(&err);
}

Test(settings, broken_files_are_errors_naming_the_file)
{
	const char *cases[][2] = {
	    {"{\"runtime\": ", "line 1"},
	    {"{\"runtime\": \"runc\"}", "absolute path"},
	    {"{\"runtim\": \"/usr/bin/runc\"}", "unknown key \"runtim\""},
	    {"[]", "must be a JSON object"},
	};
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		strcpy(path, "/tmp/oci-harden-settings-XXXXXX");
		with_config(cases[i][0]);
		cleanup_settings struct settings s = {0};
		oh_error_t err = NULL;
		cr_assert_lt(settings_load(&s, &err), 0, "%s", cases[i][0]);
		cr_assert(strstr(err->msg, path) && strstr(err->msg, cases[i][1]), "%s", err->msg);
		oh_error_free(&err);
		unlink(path);
	}
}

Test(settings, runtime_search_skips_a_runc_that_is_this_binary)
{
	/* A PATH whose first "runc" is a symlink to this very test binary:
	 * the search must skip it by inode and find the real one after it. */
	char dir[] = "/tmp/oci-harden-path-XXXXXX";
	cr_assert_not_null(mkdtemp(dir));
	char self[4096];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	cr_assert_gt(n, 0);
	self[n] = '\0';
	cleanup_free char *link = xasprintf("%s/runc", dir);
	cr_assert_eq(symlink(self, link), 0);
	cleanup_free char *search = xasprintf("%s:/usr/sbin:/usr/bin:/sbin:/bin", dir);
	setenv("PATH", search, 1);

	struct settings s = {0};
	cleanup_free char *runtime = NULL;
	oh_error_t err = NULL;
	cr_assert_eq(settings_resolve_runtime(&s, &runtime, &err), 0, "%s", err ? err->msg : "");
	cr_assert_str_neq(runtime, link);
	cr_assert(strstr(runtime, "/runc"));

	setenv("PATH", dir, 1);
	cleanup_free char *none = NULL;
	cr_assert_lt(settings_resolve_runtime(&s, &none, &err), 0);
	cr_assert(strstr(err->msg, "no runc found"));
	oh_error_free(&err);

	s.runtime = self;
	cleanup_free char *itself = NULL;
	cr_assert_lt(settings_resolve_runtime(&s, &itself, &err), 0);
	cr_assert(strstr(err->msg, "is oci-harden itself"), "%s", err->msg);
	oh_error_free(&err);
	unlink(link);
	rmdir(dir);
}

Test(settings, observation_keys)
{
	with_config("{\"observe\": \"audit\", \"observe_dir\": \"/sys/fs/bpf/x\", "
		    "\"observe_startup_seconds\": 5, \"observe_enforce_syscalls\": \"always\"}");
	cleanup_settings struct settings s = {0};
	oh_error_t err = NULL;
	cr_assert_eq(settings_load(&s, &err), 0, "%s", err ? err->msg : "");
	cr_assert_eq(s.observe, SETTINGS_OBSERVE_AUDIT);
	cr_assert_str_eq(s.observe_dir, "/sys/fs/bpf/x");
	cr_assert_eq(s.observe_startup_seconds, 5);
	cr_assert(s.observe_enforce_syscalls_always);
}

Test(settings, observation_defaults_and_bad_values)
{
	setenv(SETTINGS_ENV, "/nonexistent/oci-harden.json", 1);
	cleanup_settings struct settings d = {0};
	oh_error_t err = NULL;
	cr_assert_eq(settings_load(&d, &err), 0);
	cr_assert_eq(d.observe, SETTINGS_OBSERVE_ALL);
	cr_assert_str_eq(d.observe_dir, SETTINGS_DEFAULT_OBSERVE_DIR);
	cr_assert_eq(d.observe_startup_seconds, 60);
	cr_assert(!d.observe_enforce_syscalls_always);
	const char *cases[] = {"{\"observe\": \"some\"}", "{\"observe_startup_seconds\": -1}",
			       "{\"observe_dir\": \"relative\"}",
			       "{\"observe_enforce_syscalls\": \"never\"}",
			       "{\"observe_enforce_syscalls\": true}"};
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		strcpy(path, "/tmp/oci-harden-settings-XXXXXX");
		with_config(cases[i]);
		cleanup_settings struct settings s = {0};
		cr_assert_lt(settings_load(&s, &err), 0, "%s", cases[i]);
		oh_error_free(&err);
		cleanup();
	}
}
