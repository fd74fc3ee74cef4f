/* SPDX-License-Identifier: Apache-2.0 */
/* `oci-harden diff`: the dry run. The same reading and hardening as a
 * create, on a copy, shown as a unified diff of the pretty-printed config
 * (by diff(1), which diffutils, Essential in Debian, always provides) and
 * one line per decision of the report. Exit status like diff(1): 0 no
 * change, 1 changes, 2 trouble; 3 when the policy would refuse the
 * container. Under a policy in audit mode the diff shows what enforce would
 * change, and a refusal exits 1: the container would run. */
#include <errno.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bundle.h"
#include "commands.h"

extern char **environ;

enum {
	DIFF_EXIT_SAME = 0,
	DIFF_EXIT_CHANGED = 1,
	DIFF_EXIT_TROUBLE = 2,
	DIFF_EXIT_REFUSED = 3,
};

static const char diff_usage[] =
    "usage: oci-harden diff [--color=auto|always|never] [--image REF] [--policy NAME|FILE]\n"
    "                       BUNDLE|CONFIG.json\n"
    "The dry run: what a create would make of the config, as a unified diff and one\n"
    "line per decision. Nothing is written.\n"
    "\n"
    "  --image REF         choose the policy as if the container ran image REF\n"
    "  --policy NAME|FILE  use this policy: a name in the policy directory, or a file\n"
    "  --color=WHEN        auto (on a terminal, unless NO_COLOR is set), always, never\n"
    "  -h, --help          this text\n"
    "\n"
    "Exit status: 0 no change, 1 changes, 2 trouble, 3 the policy would refuse it.\n";

/* "--name=value" or "--name value"; returns the value, or NULL when argv[*i]
 * is not that option. Advances *i past a separate value. */
static const char *diff_option_value(int argc, char **argv, int *i, const char *name, bool *missing)
{
	size_t n = strlen(name);
	if (strncmp(argv[*i], name, n) != 0)
		return NULL;
	if (argv[*i][n] == '=')
		return argv[*i] + n + 1;
	if (argv[*i][n] != '\0')
		return NULL;
	if (*i + 1 >= argc) {
		*missing = true;
		return NULL;
	}
	return argv[++*i];
}

static int diff_trouble(oh_error_t *err)
{
	fprintf(stderr, "oci-harden: %s\n", (*err)->msg);
	oh_error_free(err);
	return DIFF_EXIT_TROUBLE;
}

static int diff_parse_color(const char *value, bool *color)
{
	if (strcmp(value, "always") == 0)
		*color = true;
	else if (strcmp(value, "never") == 0)
		*color = false;
	else if (strcmp(value, "auto") == 0)
		*color = isatty(STDOUT_FILENO) && !getenv("NO_COLOR");
	else
		return -1;
	return 0;
}

/* A file holding `text`, in memory (it is gone when closed), for diff(1) to
 * read as /dev/fd/N: inherited, so not close-on-exec. */
static int diff_text_fd(const char *name, const char *text, oh_error_t *err)
{
	int fd = memfd_create(name, 0);
	if (fd < 0)
		return oh_error_make(err, errno, "memfd_create");
	size_t len = strlen(text);
	for (size_t done = 0; done < len;) {
		ssize_t n = write(fd, text + done, len - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int saved = errno;
			close(fd);
			return oh_error_make(err, saved, "writing the %s config for diff", name);
		}
		done += (size_t)n;
	}
	return fd;
}

/* diff -u of the two texts, on our stdout. Returns diff's exit status: 0
 * the same, 1 different, 2 trouble (said on stderr by diff itself). */
static int diff_unified(const char *before, const char *after, const char *label_before,
			const char *label_after, bool color, oh_error_t *err)
{
	cleanup_close int old_fd = diff_text_fd("before", before, err);
	if (old_fd < 0)
		return -1;
	cleanup_close int new_fd = diff_text_fd("after", after, err);
	if (new_fd < 0)
		return -1;
	char old_path[32], new_path[32];
	snprintf(old_path, sizeof(old_path), "/dev/fd/%d", old_fd);
	snprintf(new_path, sizeof(new_path), "/dev/fd/%d", new_fd);
	char *argv[] = {"diff",
			"-u",
			color ? "--color=always" : "--color=never",
			"--label",
			(char *)label_before,
			"--label",
			(char *)label_after,
			old_path,
			new_path,
			NULL};
	fflush(stdout);
	pid_t pid;
	int r = posix_spawnp(&pid, "diff", NULL, NULL, argv, environ);
	if (r != 0)
		return oh_error_make(err, r, "cannot run diff(1)");
	int status;
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return oh_error_make(err, errno, "waiting for diff(1)");
	if (!WIFEXITED(status) || WEXITSTATUS(status) > 1)
		return oh_error_make(err, 0, "diff(1) failed");
	return WEXITSTATUS(status);
}

static void diff_print_decisions(const struct report *report)
{
	printf("# policy \"%s\", mode %s: %s\n", report->policy_name,
	       report->audit ? "audit (decisions are logged, not applied)" : "enforce",
	       report->policy_reason ? report->policy_reason : "");
	for (size_t i = 0; i < report->len; i++) {
		cleanup_free char *what = decision_to_string(&report->items[i]);
		printf("# %s: %s\n", decision_kind_name(report->items[i].kind), what);
	}
}

int cmd_diff(int argc, char **argv)
{
	cleanup_error oh_error_t err = NULL;
	bool color = isatty(STDOUT_FILENO) && !getenv("NO_COLOR");
	const char *path = NULL;
	struct bundle_harden_options options = {.preview = true};
	for (int i = 1; i < argc; i++) {
		bool missing = false;
		const char *value;
		if ((value = diff_option_value(argc, argv, &i, "--image", &missing))) {
			options.image = value;
		} else if ((value = diff_option_value(argc, argv, &i, "--policy", &missing))) {
			options.policy = value;
		} else if (missing) {
			fprintf(stderr, "oci-harden diff: %s needs a value\n%s", argv[i],
				diff_usage);
			return DIFF_EXIT_TROUBLE;
		} else if (strncmp(argv[i], "--color=", 8) == 0) {
			if (diff_parse_color(argv[i] + 8, &color) < 0) {
				fprintf(stderr, "oci-harden diff: bad --color value\n%s",
					diff_usage);
				return DIFF_EXIT_TROUBLE;
			}
		} else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			fputs(diff_usage, stdout);
			return DIFF_EXIT_SAME;
		} else if (argv[i][0] == '-' && strcmp(argv[i], "--") != 0) {
			fprintf(stderr, "oci-harden diff: unknown option %s\n%s", argv[i],
				diff_usage);
			return DIFF_EXIT_TROUBLE;
		} else if (path) {
			fprintf(stderr, "oci-harden diff: one path only\n%s", diff_usage);
			return DIFF_EXIT_TROUBLE;
		} else {
			path = strcmp(argv[i], "--") == 0 && i + 1 < argc ? argv[++i] : argv[i];
		}
	}
	if (!path) {
		fputs(diff_usage, stderr);
		return DIFF_EXIT_TROUBLE;
	}

	cleanup_settings struct settings settings = {0};
	if (settings_load(&settings, &err) < 0)
		return diff_trouble(&err);

	struct stat st;
	cleanup_bundle_config struct bundle_config config = {.dirfd = -1};
	int r = stat(path, &st) == 0 && S_ISDIR(st.st_mode)
		    ? bundle_config_read(path, &config, &err)
		    : bundle_config_read_file(path, &config, &err);
	if (r < 0)
		return diff_trouble(&err);

	cleanup_free char *before = json_to_string(config.spec, true);
	cleanup_report struct report report = {0};
	if (bundle_config_harden(&config, &settings, &options, &report, &err) < 0)
		return diff_trouble(&err);
	cleanup_free char *after = json_to_string(config.spec, true);

	cleanup_free char *label_after = xasprintf("%s (hardened)", config.display);
	if (diff_unified(before, after, config.display, label_after, color, &err) < 0)
		return diff_trouble(&err);
	diff_print_decisions(&report);
	fflush(stdout);

	if (report_first_refusal(&report))
		return report.audit ? DIFF_EXIT_CHANGED : DIFF_EXIT_REFUSED;
	return report_count(&report, DECISION_CHANGE) ? DIFF_EXIT_CHANGED : DIFF_EXIT_SAME;
}
