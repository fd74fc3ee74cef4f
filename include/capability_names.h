/* SPDX-License-Identifier: Apache-2.0 */
/* Capability names, validated with libcap. */
#ifndef OCI_HARDEN_CAPABILITY_NAMES_H
#define OCI_HARDEN_CAPABILITY_NAMES_H

#include <stdbool.h>

/* Whether `name` is the canonical OCI spelling ("CAP_NET_BIND_SERVICE") of a
 * capability libcap knows. libcap alone also accepts "12", lower case and
 * "a,b" (reading only "a"), none of which runc would take, so the name must
 * also read back identically. */
bool capability_name_is_valid(const char *name);

/* Whether the running kernel knows the capability (its number is at most
 * CAP_LAST_CAP of this kernel). */
bool capability_name_known_to_kernel(const char *name);

#endif
