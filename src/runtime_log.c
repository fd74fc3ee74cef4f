/* SPDX-License-Identifier: Apache-2.0 */
#include "runtime_log.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "json.h"

static const char *const level_names[] = {
    [RUNTIME_LOG_ERROR] = "error",
    [RUNTIME_LOG_WARNING] = "warning",
    [RUNTIME_LOG_INFO] = "info",
};

/* logrus's text formatter quotes a value with Go's strconv.Quote rules; the
 * JSON string escaping is a subset that reads the same. */
static void append_quoted(struct strbuf *sb, const char *s)
{
	json_write_string(s, strlen(s), sb);
}

char *runtime_log_format_line(enum runc_log_format format, enum runtime_log_level level,
			      const char *msg, time_t now)
{
	char stamp[UTC_TIMESTAMP_SIZE];
	utc_timestamp(now, stamp);

	struct strbuf sb = {0};
	if (format == RUNC_LOG_JSON) {
		/* The same keys, in the same order, as runc's logrus JSON. */
		strbuf_puts(&sb, "{\"level\":\"");
		strbuf_puts(&sb, level_names[level]);
		strbuf_puts(&sb, "\",\"msg\":");
		append_quoted(&sb, msg);
		strbuf_puts(&sb, ",\"time\":\"");
		strbuf_puts(&sb, stamp);
		strbuf_puts(&sb, "Z\"}");
	} else {
		strbuf_puts(&sb, "time=\"");
		strbuf_puts(&sb, stamp);
		strbuf_puts(&sb, "Z\" level=");
		strbuf_puts(&sb, level_names[level]);
		strbuf_puts(&sb, " msg=");
		append_quoted(&sb, msg);
	}
	return strbuf_steal(&sb);
}

void runtime_log_write(const struct runtime_log *log, enum runtime_log_level level, const char *fmt,
		       ...)
{
	va_list ap;
	va_start(ap, fmt);
	cleanup_free char *msg = xvasprintf(fmt, ap);
	va_end(ap);

	if (!log->path) {
		if (level == RUNTIME_LOG_ERROR)
			fprintf(stderr, "%s\n", msg);
		else if (isatty(STDERR_FILENO))
			fprintf(stderr, "%s (%s)\n", msg, level_names[level]);
		return;
	}
	cleanup_free char *line = runtime_log_format_line(log->format, level, msg, time(NULL));
	size_t len = strlen(line);
	line[len] = '\n'; /* overwrite the NUL: one write(2) of the whole line */
	int fd = open(log->path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY, 0644);
	if (fd < 0) {
		fprintf(stderr, "%s (%s)\n", msg, level_names[level]);
		return;
	}
	/* O_APPEND and a single write keep concurrent writers' lines whole. */
	ssize_t ignored = write(fd, line, len + 1);
	(void)ignored;
	close(fd);
}
