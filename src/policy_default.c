/* SPDX-License-Identifier: Apache-2.0 */
/* The embedded default policy. Apart from policy.c, which default-policy-gen
 * links to read the policy at build time, before this data exists. */
#include "embedded.h"
#include "policy.h"

/* A copy of what the loader made of policies/default.json at build time:
 * the same policy as a parse and a read of the embedded text on every
 * create (tests/unit/test_policy.c compares the two), without either. */
int policy_load_default(struct policy **out, oh_error_t *err)
{
	*out = policy_clone(&embedded_default_policy_loaded);
	return 0;
}
