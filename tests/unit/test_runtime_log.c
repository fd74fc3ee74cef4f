/* SPDX-License-Identifier: Apache-2.0 */
/* Lines in runc's --log file, in the formats containerd reads. */
#include "helpers.h"
#include "runtime_log.h"

Test(runtime_log, json_line_is_what_containerd_parses)
{
	cleanup_free char *line = runtime_log_format_line(RUNC_LOG_JSON, RUNTIME_LOG_ERROR,
							  "a \"quoted\"\nmessage\\", 1700000000);
	cr_assert_str_eq(line, "{\"level\":\"error\",\"msg\":\"a \\\"quoted\\\"\\nmessage\\\\\","
			       "\"time\":\"2023-11-14T22:13:20Z\"}");
	oh_error_t err = NULL;
	cleanup_json struct json *v = json_parse(line, strlen(line), 0, &err);
	cr_assert_not_null(v, "the line is valid JSON");
	cr_assert_str_eq(json_object_get(v, "msg")->string.ptr, "a \"quoted\"\nmessage\\");
}

Test(runtime_log, text_line_is_logrus_style)
{
	cleanup_free char *line =
	    runtime_log_format_line(RUNC_LOG_TEXT, RUNTIME_LOG_WARNING, "x y", 0);
	cr_assert_str_eq(line, "time=\"1970-01-01T00:00:00Z\" level=warning msg=\"x y\"");
}

Test(runtime_log, lines_are_appended)
{
	char path[] = "/tmp/oci-harden-log-XXXXXX";
	int fd = mkstemp(path);
	cr_assert_geq(fd, 0);
	cr_assert_eq(write(fd, "{\"level\":\"info\"}\n", 17), 17);
	close(fd);
	struct runtime_log log = {.path = path, .format = RUNC_LOG_JSON};
	runtime_log_write(&log, RUNTIME_LOG_ERROR, "first %d", 1);
	runtime_log_write(&log, RUNTIME_LOG_WARNING, "second");
	size_t len;
	oh_error_t err = NULL;
	cleanup_free char *text = NULL;
	cr_assert_eq(file_read_all(AT_FDCWD, path, 4096, &text, &len, &err), 0);
	cr_assert(strncmp(text, "{\"level\":\"info\"}\n{\"level\":\"error\",\"msg\":\"first 1\"",
			  48) == 0,
		  "%s", text);
	cr_assert(strstr(text, "\n{\"level\":\"warning\",\"msg\":\"second\""));
	cr_assert_eq(text[len - 1], '\n');
	unlink(path);
}
