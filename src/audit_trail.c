/* SPDX-License-Identifier: Apache-2.0 */
#include "audit_trail.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <spawn.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "json.h"

extern char **environ;

#ifndef OCI_HARDEN_LIBEXECDIR
#define OCI_HARDEN_LIBEXECDIR "/usr/local/libexec/oci-harden"
#endif

const char *audit_trail_outcome(const struct audit_trail_event *event, const struct report *report)
{
	if (event->error)
		return "error";
	if (report->audit)
		return "audited";
	if (report_first_refusal(report))
		return "refused";
	return report_count(report, DECISION_CHANGE) ? "hardened" : "unchanged";
}

static void append_json_string(struct strbuf *sb, const char *s)
{
	if (!s) {
		strbuf_puts(sb, "null");
		return;
	}
	cleanup_json struct json *v = json_new_string(s);
	json_write(v, false, sb);
}

static void append_json_value(struct strbuf *sb, const struct json *value)
{
	if (value)
		json_write(value, false, sb);
	else
		strbuf_puts(sb, "null");
}

static void append_member(struct strbuf *sb, const char *key, const char *value)
{
	strbuf_appendf(sb, ",\"%s\":", key);
	append_json_string(sb, value);
}

char *audit_trail_event_line(const struct audit_trail_event *event, const struct report *report,
			     const struct timespec *now)
{
	struct tm tm;
	char stamp[64];
	gmtime_r(&now->tv_sec, &tm);
	strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%S", &tm);

	struct strbuf sb = {0};
	strbuf_appendf(&sb, "{\"time\":\"%s.%03ldZ\"", stamp, now->tv_nsec / 1000000);
	append_member(&sb, "command", event->command);
	append_member(&sb, "container", event->container_id);
	append_member(&sb, "bundle", event->bundle);
	append_member(&sb, "image", event->image);
	append_member(&sb, "policy", report->policy_name);
	append_member(&sb, "policy_reason", report->policy_reason);
	append_member(&sb, "mode",
		      report->policy_name ? (report->audit ? "audit" : "enforce") : NULL);
	append_member(&sb, "outcome", audit_trail_outcome(event, report));
	if (event->error)
		append_member(&sb, "error", event->error);
	strbuf_appendf(&sb, ",\"changes\":%zu,\"refusals\":%zu,\"decisions\":[",
		       report_count(report, DECISION_CHANGE),
		       report_count(report, DECISION_REFUSE));
	for (size_t i = 0; i < report->len; i++) {
		const struct decision *d = &report->items[i];
		strbuf_puts(&sb, i ? ",{\"kind\":" : "{\"kind\":");
		append_json_string(&sb, decision_kind_name(d->kind));
		append_member(&sb, "rule", d->rule);
		append_member(&sb, "path", d->path);
		strbuf_puts(&sb, ",\"old\":");
		append_json_value(&sb, d->old_value);
		strbuf_puts(&sb, ",\"new\":");
		append_json_value(&sb, d->new_value);
		append_member(&sb, "reason", d->reason);
		if (d->lift.key) {
			strbuf_puts(&sb, ",\"lift\":{\"key\":");
			append_json_string(&sb, d->lift.key);
			strbuf_puts(&sb, ",\"value\":");
			append_json_value(&sb, d->lift.value);
			strbuf_putc(&sb, '}');
		}
		strbuf_putc(&sb, '}');
	}
	strbuf_puts(&sb, "]}");
	return strbuf_steal(&sb);
}

/* libaudit's rule for untrusted values: quoted when plain, else hex. */
static void append_audit_value(struct strbuf *sb, const char *key, const char *value)
{
	strbuf_appendf(sb, " %s=", key);
	if (!value) {
		strbuf_puts(sb, "?");
		return;
	}
	bool plain = *value != '\0';
	for (const unsigned char *p = (const unsigned char *)value; *p && plain; p++)
		plain = *p > 0x20 && *p < 0x7f && *p != '"';
	if (plain) {
		strbuf_appendf(sb, "\"%s\"", value);
		return;
	}
	for (const unsigned char *p = (const unsigned char *)value; *p; p++)
		strbuf_appendf(sb, "%02X", *p);
}

char *audit_trail_kernel_message(const struct audit_trail_event *event, const struct report *report)
{
	struct strbuf sb = {0};
	const char *outcome = audit_trail_outcome(event, report);
	/* virt= and vm= are the fields ausearch knows for a container manager */
	strbuf_appendf(&sb, "virt=oci op=oci-harden-%s", event->command);
	append_audit_value(&sb, "vm", event->container_id);
	append_audit_value(&sb, "image", event->image);
	append_audit_value(&sb, "policy", report->policy_name);
	strbuf_appendf(&sb, " mode=%s outcome=%s changes=%zu refusals=%zu res=%s",
		       report->audit ? "audit" : "enforce", outcome,
		       report_count(report, DECISION_CHANGE), report_count(report, DECISION_REFUSE),
		       strcmp(outcome, "refused") == 0 || strcmp(outcome, "error") == 0
			   ? "failed"
			   : "success");
	return strbuf_steal(&sb);
}

int audit_trail_append(const char *path, const char *line, oh_error_t *err)
{
	cleanup_free char *dir_copy = xstrdup(path);
	const char *dir = dirname(dir_copy);
	if (mkdir(dir, 0750) < 0 && errno != EEXIST)
		return oh_error_make(err, errno, "event log directory %s", dir);
	int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY, 0640);
	if (fd < 0)
		return oh_error_make(err, errno, "event log %s", path);
	size_t len = strlen(line);
	cleanup_free char *buf = xmalloc(len + 1);
	memcpy(buf, line, len);
	buf[len] = '\n';
	/* One write of the whole line: with O_APPEND the kernel places it at
	 * the end whole, however many creates append at once. */
	ssize_t n = write(fd, buf, len + 1);
	int saved = errno;
	close(fd);
	if (n != (ssize_t)(len + 1))
		return oh_error_make(err, n < 0 ? saved : 0, "event log %s: short write", path);
	return 0;
}

/* The helper sits beside the binary in a build tree, in libexec installed. */
static char *audit_trail_helper_path(void)
{
	char self[4096];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n > 0) {
		self[n] = '\0';
		cleanup_free char *beside = xasprintf("%s/oci-harden-audit", dirname(self));
		if (access(beside, X_OK) == 0)
			return steal_pointer(&beside);
	}
	return xstrdup(OCI_HARDEN_LIBEXECDIR "/oci-harden-audit");
}

/* The kernel record is sent by a helper linked with libmnl, started without
 * waiting: oci-harden itself stays a static binary (every shared library
 * would slow every runc command it passes through), and a slow or absent
 * audit subsystem never delays a container. */
/* How long a "the kernel takes no audit records" verdict of the helper
 * holds: meanwhile no helper is started (it costs a create about 0.2 ms),
 * and the warning is not repeated. An operator who turns auditing on is
 * heard from within this time. */
#define AUDIT_TRAIL_UNAVAILABLE_SECONDS 60

static bool audit_trail_known_unavailable(const char *marker)
{
	struct stat st;
	struct timespec now;
	if (stat(marker, &st) < 0 || clock_gettime(CLOCK_REALTIME, &now) < 0)
		return false;
	return now.tv_sec - st.st_mtim.tv_sec < AUDIT_TRAIL_UNAVAILABLE_SECONDS &&
	       now.tv_sec >= st.st_mtim.tv_sec;
}

static int audit_trail_spawn(const char *message, const struct runtime_log *log, const char *marker,
			     oh_error_t *err)
{
	cleanup_free char *helper = audit_trail_helper_path();
	posix_spawn_file_actions_t actions;
	posix_spawn_file_actions_init(&actions);
	for (int fd = 0; fd <= 2; fd++)
		posix_spawn_file_actions_addopen(&actions, fd, "/dev/null",
						 fd ? O_WRONLY : O_RDONLY, 0);
	char *argv[] = {helper,
			(char *)message,
			(char *)(log && log->path ? log->path : ""),
			log && log->format == RUNC_LOG_JSON ? "json" : "text",
			(char *)marker,
			NULL};
	pid_t pid;
	int r = posix_spawn(&pid, helper, &actions, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&actions);
	if (r != 0)
		return oh_error_make(err, r, "cannot start %s for the kernel audit record", helper);
	return 0;
}

void audit_trail_record(const struct audit_trail_event *event, const struct report *report,
			const char *event_log_path, bool kernel_audit, const char *state_dir,
			const struct runtime_log *log)
{
	cleanup_error oh_error_t err = NULL;
	if (event_log_path) {
		struct timespec now;
		clock_gettime(CLOCK_REALTIME, &now);
		cleanup_free char *line = audit_trail_event_line(event, report, &now);
		if (audit_trail_append(event_log_path, line, &err) < 0) {
			runtime_log_write(log, RUNTIME_LOG_WARNING, "oci-harden: %s", err->msg);
			oh_error_free(&err);
		}
	}
	cleanup_free char *marker = xasprintf("%s/kernel-audit-unavailable", state_dir);
	if (kernel_audit && !audit_trail_known_unavailable(marker)) {
		cleanup_free char *message = audit_trail_kernel_message(event, report);
		/* The helper runs on after us: where our own last line is the
		 * error containerd shows, it must not write after it. */
		const char *outcome = audit_trail_outcome(event, report);
		bool failed = strcmp(outcome, "refused") == 0 || strcmp(outcome, "error") == 0;
		if (audit_trail_spawn(message, failed ? NULL : log, marker, &err) < 0)
			runtime_log_write(log, RUNTIME_LOG_WARNING, "oci-harden: %s", err->msg);
	}
}
