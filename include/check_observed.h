/* SPDX-License-Identifier: Apache-2.0 */
#ifndef OCI_HARDEN_CHECK_OBSERVED_H
#define OCI_HARDEN_CHECK_OBSERVED_H

#include "util.h"

/* For each policy file, a warning (through `report`) for each door it
 * opens that no observation in `event_log` justifies. */
void check_observed(const struct string_list *policy_files, const char *event_log,
		    void (*report)(void *ctx, const char *file, const char *message), void *ctx);

#endif
