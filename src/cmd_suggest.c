/* SPDX-License-Identifier: Apache-2.0 */
/* `oci-harden suggest [--out DIR] [--no-live] [EVENTLOG]`: for each image in
 * the event log, the narrowest policy that would have let its containers
 * run as they were observed to (suggest.h): from what observation saw them
 * do, never from what they asked for. Running containers' observations are
 * read live from the kernel too (oci-harden-observe live), unless
 * --no-live. What enforce mode denied is said on stderr, and where only
 * enforce mode was seen, the suggestion is a trial in audit mode: run
 * suggest once, let the image run, run it again. */
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "commands.h"
#include "fileio.h"
#include "json.h"
#include "observe_runtime.h"
#include "policy.h"
#include "settings.h"
#include "suggest.h"
#include "suggest_events.h"

extern char **environ;

#define SUGGEST_EVENT_LOG_MAX_BYTES (256u << 20)

/* Each line of `text`, parsed, into `images`; a line that is not a JSON
 * object (cut short by a full disk or a crash) is said and skipped. */
static void suggest_read_lines(const char *source, char *text, size_t len, bool live,
			       struct suggest_images *images)
{
	size_t line_no = 0;
	for (char *line = text, *next; line < text + len; line = next) {
		char *end = memchr(line, '\n', (size_t)(text + len - line));
		next = end ? end + 1 : text + len;
		line_no++;
		size_t n = (size_t)((end ? end : text + len) - line);
		if (n == 0)
			continue;
		oh_error_t err = NULL;
		cleanup_json struct json *event = json_parse(line, n, 0, &err);
		if (!event || event->type != JSON_OBJECT ||
		    suggest_images_add_event(images, event, live, &err) < 0) {
			fprintf(stderr, "oci-harden suggest: %s:%zu: skipped: %s\n", source,
				line_no, err ? err->msg : "not a JSON object");
			oh_error_free(&err);
		}
	}
}

/* What running containers have shown so far: the helper's `live`, read
 * from its stdout. Without the helper, or as a user who cannot read the
 * kernel's maps, nothing, said once. */
static void suggest_read_live(struct suggest_images *images)
{
	cleanup_free char *helper = observe_helper_path();
	if (access(helper, X_OK) < 0 || geteuid() != 0)
		return;
	int pipefd[2];
	if (pipe2(pipefd, O_CLOEXEC) < 0)
		return;
	posix_spawn_file_actions_t actions;
	posix_spawn_file_actions_init(&actions);
	posix_spawn_file_actions_adddup2(&actions, pipefd[1], 1);
	posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
	char *argv[] = {helper, "live", NULL};
	pid_t pid;
	int r = posix_spawn(&pid, helper, &actions, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&actions);
	close(pipefd[1]);
	if (r != 0) {
		close(pipefd[0]);
		return;
	}
	struct strbuf sb = {0};
	char buf[65536];
	ssize_t n;
	while ((n = read(pipefd[0], buf, sizeof(buf))) > 0 || (n < 0 && errno == EINTR))
		if (n > 0)
			strbuf_append(&sb, buf, (size_t)n);
	close(pipefd[0]);
	while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
		;
	if (sb.len)
		suggest_read_lines("(running containers)", sb.buf, sb.len, true, images);
	strbuf_free(&sb);
}

int suggest_events_read(const char *path, bool live, struct suggest_images *images, oh_error_t *err)
{
	cleanup_free char *text = NULL;
	size_t len = 0;
	if (file_read_all(AT_FDCWD, path, SUGGEST_EVENT_LOG_MAX_BYTES, &text, &len, err) < 0)
		return -1;
	suggest_read_lines(path, text, len, false, images);
	if (live)
		suggest_read_live(images);
	return 0;
}

static const char suggest_usage[] =
    "usage: oci-harden suggest [--out DIR] [--no-live] [EVENTLOG]\n"
    "The narrowest policy per image that lets it run as observed (EVENTLOG: the\n"
    "configured event log). Run it once when enforce mode breaks an image (it\n"
    "writes a trial in audit mode), and again once the image has run a while.\n"
    "\n"
    "  --out DIR   write each policy to DIR/suggested-IMAGE.json (default: print them)\n"
    "  --no-live   leave out what running containers have shown so far\n"
    "  -h, --help  this text\n";

static int suggest_write(const char *out_dir, const struct suggestion *s)
{
	if (!out_dir) {
		printf("// %s.json\n%s\n", s->name, s->text);
		return 0;
	}
	cleanup_free char *path = xasprintf("%s/%s.json", out_dir, s->name);
	cleanup_free char *tmp = xasprintf("%s/.%s.json.tmp", out_dir, s->name);
	FILE *f = fopen(tmp, "we");
	if (!f || fputs(s->text, f) < 0 || fclose(f) != 0 || rename(tmp, path) < 0) {
		fprintf(stderr, "oci-harden suggest: cannot write %s: %s\n", path, strerror(errno));
		unlink(tmp);
		return -1;
	}
	fprintf(stderr, "oci-harden suggest: wrote %s%s\n", path,
		s->trial ? " (a trial in audit mode)" : "");
	return 0;
}

int cmd_suggest(int argc, char **argv)
{
	const char *out_dir = NULL, *event_log = NULL;
	bool live = true;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--out") == 0 && i + 1 < argc) {
			out_dir = argv[++i];
		} else if (strncmp(argv[i], "--out=", 6) == 0) {
			out_dir = argv[i] + 6;
		} else if (strcmp(argv[i], "--no-live") == 0) {
			live = false;
		} else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			fputs(suggest_usage, stdout);
			return 0;
		} else if (argv[i][0] == '-' || event_log) {
			fputs(suggest_usage, stderr);
			return 2;
		} else {
			event_log = argv[i];
		}
	}

	cleanup_error oh_error_t err = NULL;
	cleanup_settings struct settings settings = {0};
	if (settings_load(&settings, &err) < 0) {
		fprintf(stderr, "oci-harden suggest: %s\n", err->msg);
		return 1;
	}
	if (!event_log)
		event_log = settings.event_log;
	/* The policy in force for an image no policy names. */
	cleanup_policy struct policy *base = NULL;
	if (policy_load_named(settings.default_policy, &settings, &base, &err) < 0) {
		fprintf(stderr, "oci-harden suggest: %s\n", err->msg);
		return 1;
	}

	struct suggest_images images = {0};
	if (suggest_events_read(event_log, live, &images, &err) < 0) {
		fprintf(stderr, "oci-harden suggest: %s\n", err->msg);
		return 1;
	}

	int status = 0;
	if (out_dir && mkdir(out_dir, 0755) < 0 && errno != EEXIST) {
		fprintf(stderr, "oci-harden suggest: cannot create %s: %s\n", out_dir,
			strerror(errno));
		status = 1;
	}
	size_t written = 0;
	for (size_t i = 0; status == 0 && i < images.len; i++) {
		const struct suggest_image *image = &images.items[i];
		if (!image->audit_creates && !image->evidence_len)
			continue; /* enforce-mode creates only, nothing seen: nothing to say */
		struct suggestion s;
		suggest_build(image, base, settings.default_policy, &s);
		if (s.diagnosis.len) {
			fprintf(stderr, "oci-harden suggest: %s: in enforce mode:\n", image->image);
			for (size_t d = 0; d < s.diagnosis.len; d++)
				fprintf(stderr, "  %s\n", s.diagnosis.items[d]);
		}
		if (!image->audit_creates && !image->evidence_len) {
			suggestion_clear(&s);
			continue;
		}
		bool enforce_fine =
		    !s.trial && !s.diagnosis.len && !image->audit_creates && image->evidence_len;
		if (!enforce_fine) {
			if (suggest_write(out_dir, &s) < 0)
				status = 1;
			written++;
		}
		suggestion_clear(&s);
	}
	if (status == 0 && written == 0)
		fprintf(stderr,
			"oci-harden suggest: nothing to suggest from %s: no audit-mode container "
			"and no denial in enforce mode\n",
			event_log);
	suggest_images_clear(&images);
	return status;
}
