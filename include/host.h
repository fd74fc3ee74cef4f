/* SPDX-License-Identifier: Apache-2.0 */
/* Facts about the host that the pure core needs, gathered at the edge:
 * exactly what harden_host_queries asked, before the core runs. */
#ifndef OCI_HARDEN_HOST_H
#define OCI_HARDEN_HOST_H

#include <sys/stat.h>

#include "harden.h"

/* Answer `queries` (may be NULL) for a create whose bundle is `bundle`
 * (absolute, NULL for an exec), and the AppArmor facts of `policy`. */
void host_facts_gather(const struct policy *policy, const struct host_queries *queries,
		       const char *bundle, struct host_facts *facts);

/* The queries of `spec` answered: harden_host_queries then
 * host_facts_gather. */
void host_facts_for_spec(const struct policy *policy, const struct json *spec, const char *bundle,
			 struct host_facts *facts);

/* Whether `path` is absolute and spelt the way the kernel names what it
 * leads to when no component of it is a symbolic link: no empty, "." or
 * ".." component, no trailing '/' ("/" itself is). */
bool host_path_is_canonical(const char *path);

/* open(2) `path` with `flags` (O_CLOEXEC added) and set *name to the
 * kernel's name of what it opened (NULL when it has none that is a path):
 * `path` itself when it is canonical and no component of it is a symbolic
 * link, else /proc/self/fd's link. */
int host_open_named(const char *path, int flags, char **name);

/* 0 when `path` is canonical and leads somewhere without a symbolic link
 * (realpath(3) would return it unchanged), -1 when it leads nowhere, 1
 * otherwise. */
int host_path_has_symlink(const char *path);

/* This program's path, or NULL when it has none (replaced since it
 * started). */
char *host_self_path(void);

/* stat(2) of this program's own file. */
int host_self_stat(struct stat *st);

/* Whether AppArmor profile `name` is loaded, per <securityfs>/apparmor/profiles. */
bool host_apparmor_profile_loaded(const char *name);

#endif
