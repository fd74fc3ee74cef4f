/* SPDX-License-Identifier: Apache-2.0 */
#include "audit_trail.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <linux/netlink.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include "json.h"

/* The largest record sent, header included: MAX_AUDIT_MESSAGE_LENGTH of
 * linux/audit.h. */
#define AUDIT_TRAIL_RECORD_MAX 8970

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
	if (s)
		json_write_string(s, strlen(s), sb);
	else
		strbuf_puts(sb, "null");
}

static void append_json_value(struct strbuf *sb, const struct json *value)
{
	if (value)
		json_write(value, false, sb);
	else
		strbuf_puts(sb, "null");
}

/* ,"key":"value", where `key` is a string literal: the text before the
 * value is one constant, appended at once (some 70 members a line). */
#define append_member(sb, key, value)                                                              \
	append_member_text((sb), ",\"" key "\":", sizeof(",\"" key "\":") - 1, (value))

static void append_member_text(struct strbuf *sb, const char *prefix, size_t prefix_len,
			       const char *value)
{
	strbuf_append(sb, prefix, prefix_len);
	append_json_string(sb, value);
}

/* prefix"name", where `name` is one of this program's own names: a
 * decision's kind, its rule (a module's name) or its lift's policy key
 * (report.h). Those are identifiers ("capabilities", "allow.host_paths")
 * with no byte that JSON escapes, so they are copied as they are, in one
 * piece with what comes before them: a line has some sixty. */
static void append_name(struct strbuf *sb, const char *prefix, size_t prefix_len, const char *name)
{
	size_t len = strlen(name);
	size_t n = prefix_len + len + 2;
	if (sb->cap - sb->len <= n)
		strbuf_grow(sb, n);
	char *at = sb->buf + sb->len;
	memcpy(at, prefix, prefix_len);
	at += prefix_len;
	*at++ = '"';
	memcpy(at, name, len);
	at += len;
	*at++ = '"';
	*at = '\0';
	sb->len += n;
}

#define append_name_member(sb, prefix, name) append_name((sb), prefix, sizeof(prefix) - 1, (name))

char *audit_trail_event_line(const struct audit_trail_event *event, const struct report *report,
			     const struct timespec *now)
{
	char stamp[UTC_TIMESTAMP_SIZE];
	utc_timestamp(now->tv_sec, stamp);
	long millis = now->tv_nsec / 1000000;
	char fraction[] = {'.',
			   (char)('0' + millis / 100),
			   (char)('0' + millis / 10 % 10),
			   (char)('0' + millis % 10),
			   'Z',
			   '"',
			   '\0'};

	struct strbuf sb = {0};
	/* Room for the usual line at once: a decision takes some 600 bytes,
	 * and growing by doubling copied the line a dozen times. */
	strbuf_grow(&sb, 1024 + report->len * 640);
	strbuf_puts(&sb, "{\"v\":");
	strbuf_put_decimal(&sb, AUDIT_TRAIL_EVENT_VERSION);
	strbuf_puts(&sb, ",\"time\":\"");
	strbuf_puts(&sb, stamp);
	strbuf_puts(&sb, fraction);
	append_member(&sb, "command", event->command);
	append_member(&sb, "container", event->container_id);
	append_member(&sb, "bundle", event->bundle);
	append_member(&sb, "image", event->image);
	if (event->pod) {
		strbuf_puts(&sb, ",\"pod\":{\"namespace\":");
		append_json_string(&sb, event->pod->namespace);
		append_member(&sb, "name", event->pod->name);
		append_member(&sb, "uid", event->pod->uid);
		append_member(&sb, "container", event->pod->container);
		strbuf_putc(&sb, '}');
	} else {
		strbuf_puts(&sb, ",\"pod\":null");
	}
	append_member(&sb, "policy", report->policy_name);
	append_member(&sb, "policy_reason", report->policy_reason);
	append_member(&sb, "mode",
		      report->policy_name ? (report->audit ? "audit" : "enforce") : NULL);
	append_member(&sb, "outcome", audit_trail_outcome(event, report));
	if (event->error)
		append_member(&sb, "error", event->error);
	strbuf_puts(&sb, ",\"changes\":");
	strbuf_put_decimal(&sb, report_count(report, DECISION_CHANGE));
	strbuf_puts(&sb, ",\"refusals\":");
	strbuf_put_decimal(&sb, report_count(report, DECISION_REFUSE));
	strbuf_puts(&sb, ",\"decisions\":[");
	for (size_t i = 0; i < report->len; i++) {
		const struct decision *d = &report->items[i];
		if (i)
			append_name_member(&sb, ",{\"kind\":", decision_kind_name(d->kind));
		else
			append_name_member(&sb, "{\"kind\":", decision_kind_name(d->kind));
		append_name_member(&sb, ",\"rule\":", d->rule);
		append_member(&sb, "path", d->path);
		strbuf_puts(&sb, ",\"old\":");
		append_json_value(&sb, d->old_value);
		strbuf_puts(&sb, ",\"new\":");
		append_json_value(&sb, d->new_value);
		append_member(&sb, "reason", d->reason);
		if (d->lift.key) {
			append_name_member(&sb, ",\"lift\":{\"key\":", d->lift.key);
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
	static const char hex[] = "0123456789ABCDEF";
	strbuf_putc(sb, ' ');
	strbuf_puts(sb, key);
	strbuf_putc(sb, '=');
	if (!value) {
		strbuf_putc(sb, '?');
		return;
	}
	bool plain = *value != '\0';
	for (const unsigned char *p = (const unsigned char *)value; *p && plain; p++)
		plain = *p > 0x20 && *p < 0x7f && *p != '"';
	if (plain) {
		strbuf_putc(sb, '"');
		strbuf_puts(sb, value);
		strbuf_putc(sb, '"');
		return;
	}
	for (const unsigned char *p = (const unsigned char *)value; *p; p++) {
		strbuf_putc(sb, hex[*p >> 4]);
		strbuf_putc(sb, hex[*p & 0xF]);
	}
}

char *audit_trail_kernel_message(const struct audit_trail_event *event, const struct report *report)
{
	struct strbuf sb = {0};
	const char *outcome = audit_trail_outcome(event, report);
	/* virt= and vm= are the fields ausearch knows for a container manager */
	strbuf_puts(&sb, "virt=oci op=oci-harden-");
	strbuf_puts(&sb, event->command);
	append_audit_value(&sb, "vm", event->container_id);
	append_audit_value(&sb, "image", event->image);
	append_audit_value(&sb, "policy", report->policy_name);
	strbuf_puts(&sb, report->audit ? " mode=audit outcome=" : " mode=enforce outcome=");
	strbuf_puts(&sb, outcome);
	strbuf_puts(&sb, " changes=");
	strbuf_put_decimal(&sb, report_count(report, DECISION_CHANGE));
	strbuf_puts(&sb, " refusals=");
	strbuf_put_decimal(&sb, report_count(report, DECISION_REFUSE));
	strbuf_puts(&sb, strcmp(outcome, "refused") == 0 || strcmp(outcome, "error") == 0
			     ? " res=failed"
			     : " res=success");
	return strbuf_steal(&sb);
}

int audit_trail_append(const char *path, const char *line, oh_error_t *err)
{
	int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY, 0640);
	if (fd < 0 && errno == ENOENT) {
		/* Its directory, made the first time only. */
		cleanup_free char *dir_copy = xstrdup(path);
		const char *dir = dirname(dir_copy);
		if (mkdir(dir, 0750) < 0 && errno != EEXIST)
			return oh_error_make(err, errno, "event log directory %s", dir);
		fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY, 0640);
	}
	if (fd < 0)
		return oh_error_make(err, errno, "event log %s", path);
	size_t len = strlen(line);
	struct iovec parts[] = {
	    {.iov_base = (void *)line, .iov_len = len},
	    {.iov_base = (void *)"\n", .iov_len = 1},
	};
	/* One write of the whole line, its newline included: with O_APPEND
	 * the kernel places it at the end whole, however many creates append
	 * at once (a writev to a regular file is one write under the inode's
	 * lock, as write is: mm/filemap.c, generic_file_write_iter). */
	ssize_t n = writev(fd, parts, ARRAY_SIZE(parts));
	int saved = errno;
	close(fd);
	if (n != (ssize_t)(len + 1))
		return oh_error_make(err, n < 0 ? saved : 0, "event log %s: short write", path);
	return 0;
}

/* Hand the kernel one user-space record, as libaudit's audit_send does: a
 * netlink message of type AUDIT_VIRT_CONTROL on a NETLINK_AUDIT socket. The
 * kernel handles it inside sendto(2) (audit_receive runs in the sender's
 * context) and queues its answer, asked for with NLM_F_ACK, before sendto
 * returns: one non-blocking read finds it, and nothing ever waits for an
 * answer that is not there. While auditing is off the kernel drops user
 * records and acknowledges them all the same (kernel/audit.c,
 * audit_receive_msg): there is nothing to hear of that, and no way to ask
 * but AUDIT_GET, whose answer comes from a kernel thread, a half
 * millisecond later. */
static int audit_trail_send_kernel(const char *message, oh_error_t *err)
{
	size_t len = strlen(message) + 1;
	if (NLMSG_SPACE(len) > AUDIT_TRAIL_RECORD_MAX)
		return oh_error_make(err, 0, "no kernel audit record: the record is too long");
	union {
		struct nlmsghdr header;
		char bytes[AUDIT_TRAIL_RECORD_MAX];
	} request;
	request.header = (struct nlmsghdr){
	    .nlmsg_len = (uint32_t)NLMSG_LENGTH(len),
	    .nlmsg_type = AUDIT_TRAIL_MESSAGE_TYPE,
	    .nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK,
	    .nlmsg_seq = 1,
	};
	memcpy(NLMSG_DATA(&request.header), message, len);
	/* The acknowledgement: a header and struct nlmsgerr, then, for a
	 * refusal, our own message back, which the datagram read cuts off. */
	union {
		struct nlmsghdr header;
		char bytes[NLMSG_LENGTH(sizeof(struct nlmsgerr))];
	} answer;

	cleanup_close int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_AUDIT);
	if (fd < 0)
		return oh_error_make(err, errno, "no kernel audit record: the audit socket");
	struct sockaddr_nl kernel = {.nl_family = AF_NETLINK};
	if (sendto(fd, &request, request.header.nlmsg_len, 0, (struct sockaddr *)&kernel,
		   sizeof(kernel)) < 0)
		return oh_error_make(err, errno, "no kernel audit record");
	ssize_t n = recv(fd, &answer, sizeof(answer), MSG_DONTWAIT);
	if (n >= (ssize_t)NLMSG_LENGTH(sizeof(struct nlmsgerr)) &&
	    answer.header.nlmsg_type == NLMSG_ERROR) {
		const struct nlmsgerr *ack = NLMSG_DATA(&answer.header);
		if (ack->error != 0)
			return oh_error_make(err, -ack->error,
					     "no kernel audit record: the kernel refused it");
	}
	return 0;
}

void audit_trail_record(const struct audit_trail_event *event, const struct report *report,
			const char *event_log_path, bool kernel_audit,
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
	if (kernel_audit) {
		cleanup_free char *message = audit_trail_kernel_message(event, report);
		if (audit_trail_send_kernel(message, &err) < 0)
			runtime_log_write(log, RUNTIME_LOG_WARNING, "oci-harden: %s", err->msg);
	}
}
