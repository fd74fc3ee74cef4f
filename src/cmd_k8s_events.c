/* SPDX-License-Identifier: Apache-2.0 */
/* `oci-harden k8s-events --node NAME [--follow] [EVENTLOG]`: the event
 * log's refusals, errors and audit-mode decisions as Kubernetes Events on
 * their pods, one JSON object a line, for `kubectl create -f -` (the
 * DaemonSet's events sidecar posts each; oci-harden itself speaks to no
 * API server). With --follow it prints what is appended from now on, as
 * `tail -F` does, through log rotation; the lines already there only teach
 * it which pod each container belongs to. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "commands.h"
#include "k8s_event.h"
#include "settings.h"

static const char events_usage[] =
    "usage: oci-harden k8s-events --node NAME [--follow] [EVENTLOG]\n";

/* Lines longer than this are not the event log's. */
#define EVENTS_MAX_LINE (16u << 20)

struct events_reader {
	const char *path;
	const char *node;
	struct k8s_event_context ctx;
	struct strbuf pending; /* a line not yet ended */
	unsigned long line_number;
	bool emit;
};

static void events_line(struct events_reader *r, const char *line, size_t len)
{
	r->line_number++;
	if (len == 0)
		return;
	cleanup_error oh_error_t err = NULL;
	cleanup_json struct json *event = NULL;
	int n = k8s_event_from_line(line, len, r->node, &r->ctx, &event, &err);
	if (n < 0) {
		fprintf(stderr, "oci-harden k8s-events: %s:%lu: %s\n", r->path, r->line_number,
			err->msg);
		return;
	}
	if (n > 0 && r->emit) {
		cleanup_free char *text = json_to_string(event, false);
		printf("%s\n", text);
		fflush(stdout);
	}
}

/* Whatever `fd` has from its offset on, line by line. */
static int events_read(struct events_reader *r, int fd)
{
	char buf[65536];
	for (;;) {
		ssize_t n = read(fd, buf, sizeof(buf));
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (n == 0)
			return 0;
		const char *p = buf, *end = buf + n;
		while (p < end) {
			const char *nl = memchr(p, '\n', (size_t)(end - p));
			if (!nl) {
				if (r->pending.len + (size_t)(end - p) > EVENTS_MAX_LINE) {
					fprintf(stderr,
						"oci-harden k8s-events: %s: a line of more than %u "
						"bytes, skipped\n",
						r->path, EVENTS_MAX_LINE);
					strbuf_free(&r->pending);
				} else {
					strbuf_append(&r->pending, p, (size_t)(end - p));
				}
				break;
			}
			if (r->pending.len) {
				strbuf_append(&r->pending, p, (size_t)(nl - p));
				events_line(r, r->pending.buf, r->pending.len);
				strbuf_free(&r->pending);
			} else {
				events_line(r, p, (size_t)(nl - p));
			}
			p = nl + 1;
		}
	}
}

static volatile sig_atomic_t events_stop;

static void events_on_signal(int sig)
{
	(void)sig;
	events_stop = 1;
}

int cmd_k8s_events(int argc, char **argv)
{
	bool follow = false;
	struct events_reader r = {0};
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--follow") == 0 || strcmp(argv[i], "-f") == 0) {
			follow = true;
		} else if (strcmp(argv[i], "--node") == 0 && i + 1 < argc) {
			r.node = argv[++i];
		} else if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
			fputs(events_usage, stdout);
			return 0;
		} else if (argv[i][0] != '-' && !r.path) {
			r.path = argv[i];
		} else {
			fprintf(stderr, "oci-harden k8s-events: unknown argument %s\n%s", argv[i],
				events_usage);
			return 2;
		}
	}
	if (!r.node || !*r.node) {
		fprintf(stderr,
			"oci-harden k8s-events: --node is needed: the node the Events are reported "
			"by\n%s",
			events_usage);
		return 2;
	}
	cleanup_settings struct settings settings = {0};
	if (!r.path) {
		cleanup_error oh_error_t err = NULL;
		if (settings_load(&settings, &err) < 0) {
			fprintf(stderr, "oci-harden k8s-events: %s\n", err->msg);
			return 1;
		}
		r.path = settings.event_log;
	}

	int fd = open(r.path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 && !(follow && errno == ENOENT)) {
		fprintf(stderr, "oci-harden k8s-events: %s: %s\n", r.path, strerror(errno));
		return 1;
	}
	r.emit = !follow;
	int status = 0;
	if (fd >= 0 && events_read(&r, fd) < 0) {
		fprintf(stderr, "oci-harden k8s-events: %s: %s\n", r.path, strerror(errno));
		status = 1;
	}
	if (follow) {
		struct sigaction sa = {.sa_handler = events_on_signal};
		sigaction(SIGTERM, &sa, NULL);
		sigaction(SIGINT, &sa, NULL);
		r.emit = true;
		while (!events_stop) {
			sleep(1);
			struct stat now, open_st;
			bool replaced =
			    stat(r.path, &now) == 0 && (fd < 0 || (fstat(fd, &open_st) == 0 &&
								   (now.st_ino != open_st.st_ino ||
								    now.st_dev != open_st.st_dev)));
			off_t at = fd >= 0 ? lseek(fd, 0, SEEK_CUR) : 0;
			bool truncated =
			    fd >= 0 && fstat(fd, &open_st) == 0 && open_st.st_size < at;
			if (fd >= 0 && (replaced || truncated)) {
				/* Rotated: the rest of the old file, then the new one
				 * from its start. */
				if (!truncated)
					events_read(&r, fd);
				close(fd);
				fd = -1;
				strbuf_free(&r.pending);
			}
			if (fd < 0) {
				fd = open(r.path, O_RDONLY | O_CLOEXEC);
				if (fd < 0)
					continue;
			}
			events_read(&r, fd);
		}
	}
	if (fd >= 0)
		close(fd);
	strbuf_free(&r.pending);
	k8s_event_context_clear(&r.ctx);
	return status;
}
