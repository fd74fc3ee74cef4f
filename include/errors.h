/* SPDX-License-Identifier: Apache-2.0 */
/* Errors carry a message built where the failure happened, and gain context
 * on the way up (oh_error_wrap) until one place reports them. Fallible
 * functions take `oh_error_t *err` last and return a negative value on
 * failure, as in crun. */
#ifndef OCI_HARDEN_ERRORS_H
#define OCI_HARDEN_ERRORS_H

#include "util.h"

struct oh_error {
	int errnum; /* errno of the cause, or 0 */
	char *msg;  /* full message, context first */
};
typedef struct oh_error *oh_error_t;

/* Set *err (which must be NULL) to a new error. When errnum is not 0 the
 * message ends with ": <strerror(errnum)>". Always returns -1. */
int oh_error_make(oh_error_t *err, int errnum, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Prefix the message of *err with "<context>: ". Always returns -1. */
int oh_error_wrap(oh_error_t *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

void oh_error_free(oh_error_t *err);
static inline void cleanup_errorp(oh_error_t *err)
{
	oh_error_free(err);
}
#define cleanup_error _cleanup_(cleanup_errorp)

#endif
