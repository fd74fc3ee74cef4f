/* SPDX-License-Identifier: Apache-2.0 */
/* Files compiled into the binary at build time (see src/meson.build), so the
 * default policy has one source of truth: the files under policies/. */
#ifndef OCI_HARDEN_EMBEDDED_H
#define OCI_HARDEN_EMBEDDED_H

#include <stddef.h>

extern const char embedded_default_policy[]; /* policies/default.json */
extern const size_t embedded_default_policy_len;
extern const char embedded_default_seccomp[]; /* policies/seccomp/default.json */
extern const size_t embedded_default_seccomp_len;

/* policies/default.json as policy_load_json reads it, read at build time by
 * default-policy-gen (src/default_policy_gen.c). */
struct policy;
extern const struct policy embedded_default_policy_loaded;

#endif
