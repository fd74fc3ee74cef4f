/* SPDX-License-Identifier: Apache-2.0 */
/* `oci-harden diff`: the dry run. The same reading and hardening as a
 * create, on a copy, shown as a unified diff of the pretty-printed config and
 * one line per decision. Exit status like diff(1): 0 no change, 1 changes,
 * 2 trouble; 3 when the policy would refuse the container. Under a policy in
 * audit mode the diff shows what enforce would change, and a refusal exits 1:
 * the container would run. */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bundle.h"
#include "commands.h"
#include "textdiff.h"

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

	cleanup_free char *label_before = xasprintf("%s", config.display);
	cleanup_free char *label_after = xasprintf("%s (hardened)", config.display);
	struct strbuf out = {0};
	bool changed = textdiff_unified(before, strlen(before), after, strlen(after), label_before,
					label_after, 3, color, &out);
	if (changed)
		fwrite(out.buf, 1, out.len, stdout);
	strbuf_free(&out);
	diff_print_decisions(&report);
	fflush(stdout);

	if (report_first_refusal(&report))
		return report.audit ? DIFF_EXIT_CHANGED : DIFF_EXIT_REFUSED;
	return report_count(&report, DECISION_CHANGE) ? DIFF_EXIT_CHANGED : DIFF_EXIT_SAME;
}
