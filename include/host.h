/* SPDX-License-Identifier: Apache-2.0 */
/* Facts about the host that the pure core needs, gathered at the edge. */
#ifndef OCI_HARDEN_HOST_H
#define OCI_HARDEN_HOST_H

#include "harden.h"

void host_facts_gather(const struct policy *policy, struct host_facts *facts);

/* Whether AppArmor profile `name` is loaded, per <securityfs>/apparmor/profiles. */
bool host_apparmor_profile_loaded(const char *name);

#endif
