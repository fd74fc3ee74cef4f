/* SPDX-License-Identifier: Apache-2.0 */
#include "errors.h"

#include <string.h>

int oh_error_make(oh_error_t *err, int errnum, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	cleanup_free char *msg = xvasprintf(fmt, ap);
	va_end(ap);

	struct oh_error *e = xcalloc(1, sizeof(*e));
	e->errnum = errnum;
	e->msg = errnum ? xasprintf("%s: %s", msg, strerror(errnum)) : steal_pointer(&msg);
	oh_error_free(err); /* a caller bug to overwrite, but never leak */
	*err = e;
	return -1;
}

int oh_error_wrap(oh_error_t *err, const char *fmt, ...)
{
	if (!*err)
		return -1;
	va_list ap;
	va_start(ap, fmt);
	cleanup_free char *context = xvasprintf(fmt, ap);
	va_end(ap);
	char *msg = xasprintf("%s: %s", context, (*err)->msg);
	xfree((*err)->msg);
	(*err)->msg = msg;
	return -1;
}

void oh_error_free(oh_error_t *err)
{
	if (!*err)
		return;
	xfree((*err)->msg);
	xfree(*err);
	*err = NULL;
}
