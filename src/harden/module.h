/* SPDX-License-Identifier: Apache-2.0 */
/* What every hardening module shares: walking the spec with its shape
 * checked, and recording a decision with the old and new values. */
#ifndef OCI_HARDEN_MODULE_H
#define OCI_HARDEN_MODULE_H

#include "harden.h"

extern const struct harden_module harden_module_spec_model;
extern const struct harden_module harden_module_annotations;
extern const struct harden_module harden_module_capabilities;
extern const struct harden_module harden_module_user;
extern const struct harden_module harden_module_privileges;
extern const struct harden_module harden_module_seccomp;
extern const struct harden_module harden_module_apparmor;
extern const struct harden_module harden_module_rootfs;
extern const struct harden_module harden_module_paths;
extern const struct harden_module harden_module_limits;
extern const struct harden_module harden_module_devices;
extern const struct harden_module harden_module_namespaces;
extern const struct harden_module harden_module_mounts;
extern const struct harden_module harden_module_hooks;
extern const struct harden_module harden_module_sysctls;
extern const struct harden_module harden_module_exec;
extern const struct harden_module harden_module_noexec;

/* "parent.key", or "key" at the top. Caller frees. */
char *harden_path_join(const char *parent, const char *key);

/* The member `key` of `parent` when it is an object. Absent (or null):
 * NULL, unless `create`, which adds an empty object. Any other type is a
 * shape the spec forbids: an error naming the path. */
int harden_member_object(struct json *parent, const char *parent_path, const char *key, bool create,
			 struct json **out, oh_error_t *err);

/* The member `key` of `parent` when it is an array (NULL when absent). */
int harden_member_array(struct json *parent, const char *parent_path, const char *key,
			struct json **out, oh_error_t *err);

/* Set parent.key to `value` (taking it) and record the change; the value
 * replaced moves into the decision. Records nothing, frees `value` and
 * returns NULL when the member already equals it. */
struct decision *harden_set(struct harden_ctx *ctx, const char *rule, struct json *parent,
			    const char *parent_path, const char *key, struct json *value,
			    const char *reason);

/* harden_set taking `reason` (made by the caller) too. */
struct decision *harden_set_reason_taken(struct harden_ctx *ctx, const char *rule,
					 struct json *parent, const char *parent_path,
					 const char *key, struct json *value, char *reason);

/* Record a change, taking `old_value` and `new_value` (either may be NULL). */
struct decision *harden_record_change(struct harden_ctx *ctx, const char *rule, const char *path,
				      struct json *old_value, struct json *new_value,
				      const char *reason);

/* Record a refusal. `offending` (may be NULL; copied) is the value refused;
 * `lift_key` (may be NULL) the policy key whose list, given `lift_item`,
 * would lift it. */
struct decision *harden_refuse(struct harden_ctx *ctx, const char *rule, const char *path,
			       const struct json *offending, const char *lift_key,
			       const char *lift_item, const char *fmt, ...)
    __attribute__((format(printf, 7, 8)));

/* Where the runtime finds `path`, which the config names relative to the
 * bundle or absolutely: relative ones joined to `bundle` (NULL when that is
 * not known), lexically cleaned first when `lexical` (as runc's
 * filepath.Join does). Absolute ones as written: the kernel resolves them. */
char *harden_host_path(const char *bundle, const char *path, bool lexical);

/* root.path of `spec` as the runtime resolves it (runc joins a relative one,
 * or none, to the bundle), or NULL when the config has no root or the
 * bundle is not known. */
char *harden_root_host_path(const struct json *spec, const char *bundle);

/* Whether one of the policy's `allow` patterns (fnmatch(3), '*' matching
 * '/' too) matches `value`. */
bool harden_allowed(const struct string_list *patterns, const char *value);

/* The string member `key` of object `v`, or NULL when absent; an error when
 * it is there but not a string. */
int harden_member_string(const struct json *v, const char *path, const char *key, const char **out,
			 oh_error_t *err);

/* The member `key` of `v` as a boolean (false when absent); an error when it
 * is there but not true or false. */
int harden_member_bool(const struct json *v, const char *path, const char *key, bool *out,
		       oh_error_t *err);

/* For an exec (ctx->container set): refuse a string member `key` of the
 * process that differs from the container's saved one (absent is the
 * container's: the runtimes fill it in from the container). `what` names it
 * in the reason. */
int harden_exec_same_as_container(struct harden_ctx *ctx, const char *rule, const char *key,
				  const char *what, oh_error_t *err);

/* Whether a mount of `type` (or NULL) with these options (an array of
 * strings, or NULL) is, to runc and crun, a bind mount (type "bind", or a
 * "bind" or "rbind" option whatever the type) and read-only (the last of
 * "ro" and "rw", or "rro", unless "rrw"), in one pass (mounts.c). */
void harden_mount_bind_read_only(const char *type, const struct json *options, bool *bind,
				 bool *read_only);

/* Whether `hook`, in hooks.`phase`, is the createRuntime hook oci-harden
 * adds to make memfds unexecutable (noexec.c), where the config is one it
 * would add it to: hardening a hardened config again finds it there. */
bool noexec_is_memfd_hook(const struct harden_ctx *ctx, const char *phase, const struct json *hook);

#endif
