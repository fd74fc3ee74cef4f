/* SPDX-License-Identifier: Apache-2.0 */
/* Messages where containerd looks for them: runc's --log file, in the
 * --log-format in use. containerd's shim reads the last error-level "msg" of
 * that file and shows "OCI runtime create failed: <msg>" to ctr, nerdctl and
 * kubectl. Without --log, errors go to stderr; warnings too, but only when
 * stderr is a terminal, since containerd wires the runtime's stderr into the
 * container's own output. */
#ifndef OCI_HARDEN_RUNTIME_LOG_H
#define OCI_HARDEN_RUNTIME_LOG_H

#include "runc_args.h"

struct runtime_log {
	const char *path; /* NULL: stderr */
	enum runc_log_format format;
};

enum runtime_log_level {
	RUNTIME_LOG_ERROR,
	RUNTIME_LOG_WARNING,
	RUNTIME_LOG_INFO,
};

/* Append one line. Failures to log are ignored: logging never decides
 * whether a container runs. */
void runtime_log_write(const struct runtime_log *log, enum runtime_log_level level, const char *fmt,
		       ...) __attribute__((format(printf, 3, 4)));

/* Format one line (without the newline) as it would be written. */
char *runtime_log_format_line(enum runc_log_format format, enum runtime_log_level level,
			      const char *msg, time_t now);

#endif
