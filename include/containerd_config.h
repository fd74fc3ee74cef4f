/* SPDX-License-Identifier: Apache-2.0 */
/* The edit `oci-harden install` makes to containerd's config.toml (config
 * version 2, containerd 1.6 and 1.7): CRI runtime handlers that run
 * containers through oci-harden, added as one block of text at the end of
 * the file, between two marker comments, and nothing else touched. The
 * block's exact bytes go into the install record, and uninstall removes
 * exactly those bytes, so that the file is again byte for byte what it
 * was. Pure: text in, text out. */
#ifndef OCI_HARDEN_CONTAINERD_CONFIG_H
#define OCI_HARDEN_CONTAINERD_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#include "errors.h"

/* containerd's CRI plugin, and the shim that drives runc (and so
 * oci-harden) with runc's command line. */
#define CONTAINERD_CRI_PLUGIN "io.containerd.grpc.v1.cri"
#define CONTAINERD_RUNC_SHIM  "io.containerd.runc.v2"

struct containerd_handler {
	const char *name;	 /* the CRI runtime handler: a RuntimeClass's "handler" */
	const char *binary_name; /* BinaryName: what the shim runs in place of runc */
};

struct containerd_install_request {
	const struct containerd_handler *handlers;
	size_t handlers_len;
	/* The block an earlier install added (from its record), or NULL. Found
	 * in the file, it is replaced when the handlers changed and left
	 * alone when they did not. */
	const char *previous_block;
	/* The file does not exist: the result is a new version 2 file. */
	bool file_missing;
};

struct containerd_edit {
	char *text; /* the new file, NUL-terminated; NULL when remove_file */
	size_t len;
	char *block;	     /* install: the bytes added, for the record */
	bool changed;	     /* text differs from what was read */
	bool remove_file;    /* uninstall of a file install created: nothing is left */
	bool runc_added;     /* install: the file named no runtime, so runc came too */
	bool systemd_cgroup; /* install: SystemdCgroup = true, copied from the default handler */
};

void containerd_edit_clear(struct containerd_edit *edit);
static inline void cleanup_containerd_editp(struct containerd_edit *edit)
{
	containerd_edit_clear(edit);
}
#define cleanup_containerd_edit _cleanup_(cleanup_containerd_editp)

/* Whether `name` can be a CRI runtime handler: Kubernetes validates a
 * RuntimeClass's handler as a DNS label (lower-case letters, digits, '-',
 * at most 63). */
bool containerd_handler_name_is_valid(const char *name);

/* Add the handlers to `text` (config.toml, `len` bytes). Refused, with
 * `display:LINE: why` and no edit: a file that is not TOML as containerd
 * reads it, a config version other than 2, a CRI plugin that is disabled,
 * a handler of that name that the file already has, runtimes written as
 * values or dotted keys (the block adds tables under them). */
int containerd_config_install(const char *display, const char *text, size_t len,
			      const struct containerd_install_request *request,
			      struct containerd_edit *out, oh_error_t *err);

/* Remove `block` (the record's) from `text`. It must be there exactly
 * once, or nothing is removed and the error says why; `created` says
 * install made the file, which goes when nothing else is left in it. */
int containerd_config_uninstall(const char *display, const char *text, size_t len,
				const char *block, bool created, struct containerd_edit *out,
				oh_error_t *err);

/* The patterns of `imports = [...]` (containerd merges those files over
 * config.toml). */
int containerd_config_imports(const char *display, const char *text, size_t len,
			      struct string_list *imports, oh_error_t *err);

/* An imported file: refused when it configures the CRI plugin, because
 * containerd 1.6 then replaces config.toml's whole CRI section with the
 * imported one (services/server/config/config.go, mergeConfig), handlers
 * added there included. */
int containerd_config_check_import(const char *display, const char *text, size_t len,
				   oh_error_t *err);

#endif
