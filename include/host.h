/* SPDX-License-Identifier: Apache-2.0 */
/* Facts about the host that the pure core needs, gathered at the edge:
 * exactly what harden_host_queries asked, before the core runs. */
#ifndef OCI_HARDEN_HOST_H
#define OCI_HARDEN_HOST_H

#include "harden.h"

/* Answer `queries` (may be NULL) for a create whose bundle is `bundle`
 * (absolute, NULL for an exec), and the AppArmor facts of `policy`. */
void host_facts_gather(const struct policy *policy, const struct host_queries *queries,
		       const char *bundle, struct host_facts *facts);

/* The queries of `spec` answered: harden_host_queries then
 * host_facts_gather. */
void host_facts_for_spec(const struct policy *policy, const struct json *spec, const char *bundle,
			 struct host_facts *facts);

/* Whether AppArmor profile `name` is loaded, per <securityfs>/apparmor/profiles. */
bool host_apparmor_profile_loaded(const char *name);

#endif
