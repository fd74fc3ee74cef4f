/* SPDX-License-Identifier: Apache-2.0 */
/* Reading what `suggest` and `check --events` judge by: the event log, and
 * what running containers have shown so far (oci-harden-observe live). */
#ifndef OCI_HARDEN_SUGGEST_EVENTS_H
#define OCI_HARDEN_SUGGEST_EVENTS_H

#include <stdbool.h>

#include "errors.h"
#include "suggest.h"

/* Read the event log at `path` into `images` (a line that is not an event
 * is said on stderr and skipped), and with `live` the observations of the
 * containers that run now. */
int suggest_events_read(const char *path, bool live, struct suggest_images *images,
			oh_error_t *err);

#endif
