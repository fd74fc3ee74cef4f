/* SPDX-License-Identifier: Apache-2.0 */
/* What the runtime wrapper does for observation (oci-harden(8),
 * OBSERVATION): at create, remember a container that the settings observe
 * (a small record in the state directory); at start, have the helper
 * oci-harden-observe register it with the kernel before the runtime lets
 * its first instruction run; at delete, have the helper write what was seen
 * to the event log. A container not observed costs `start` and `delete`
 * one failed open(2). Nothing here ever fails a container: problems are
 * warnings in the runtime log. */
#ifndef OCI_HARDEN_OBSERVE_RUNTIME_H
#define OCI_HARDEN_OBSERVE_RUNTIME_H

#include "json.h"
#include "policy.h"
#include "runc_args.h"
#include "runtime_log.h"
#include "settings.h"

/* At create and run, once the config is hardened (or audited).
 * `runtime_root` is the runtime's state directory, absolute (its --root,
 * or its default): containers are known by it and their id. */
/* The observation helper: beside this binary in a build tree, in libexec
 * installed. */
char *observe_helper_path(void);

void observe_runtime_create(const struct runc_args *args, const struct settings *settings,
			    const struct runtime_log *log, const char *runtime,
			    const char *runtime_root, const char *bundle, const struct json *spec,
			    const struct policy *policy, const char *image);

/* At start, before the runtime releases the container. */
void observe_runtime_start(const struct runc_args *args, const struct settings *settings,
			   const struct runtime_log *log, const char *runtime_root);

/* At kill, before the signal (usually the one that stops it): what the
 * container wrote that it may remove as it stops (a pid file, a socket). */
void observe_runtime_kill(const struct runc_args *args, const struct settings *settings,
			  const struct runtime_log *log, const char *runtime_root);

/* At delete, before the runtime removes the container. */
void observe_runtime_delete(const struct runc_args *args, const struct settings *settings,
			    const struct runtime_log *log, const char *runtime_root);

#endif
