/* SPDX-License-Identifier: Apache-2.0 */
/* The helper's side of the kernel programs (observe.bpf.c): load them once
 * and pin them under the settings' "observe_dir" (a directory of bpffs, so
 * that they outlive the helper), register containers, read what was seen.
 * libbpf, with BTF (CO-RE) from /sys/kernel/btf/vmlinux. */
#ifndef OCI_HARDEN_OBSERVE_KERNEL_H
#define OCI_HARDEN_OBSERVE_KERNEL_H

#include <linux/types.h>
#include <stdbool.h>

#include "errors.h"
#include "observe_abi.h"
#include "util.h"

struct observe_kernel {
	char *dir;
	int containers, state, details, paths, ids, watch;
};

/* Open the pinned programs, loading and pinning them first when `load`
 * and they are not there. `said` receives, for the runtime log, what was
 * done that an operator should know once (bpffs mounted, programs loaded);
 * NULL when nothing. A kernel without the facility is an error whose
 * message says what is missing. */
int observe_kernel_open(const char *dir, bool load, struct observe_kernel *k, char **said,
			oh_error_t *err);
void observe_kernel_close(struct observe_kernel *k);

/* The id of the mount namespace of `pid` as the programs know it: its
 * NS_GET_MNTNS_ID, or its inode number on kernels without one. 0 when the
 * process is gone. */
__u64 observe_kernel_mntns(long long pid);

/* Attach or detach the syscall tracepoints. */
int observe_kernel_syscalls(struct observe_kernel *k, bool on, oh_error_t *err);
bool observe_kernel_syscalls_attached(const struct observe_kernel *k);

/* Tell the programs which syscalls the registered containers need looked
 * at now (struct observe_watch): after every registration and removal. */
void observe_kernel_update_watch(const struct observe_kernel *k);

/* Whether a registered container watches syscalls now. */
bool observe_kernel_syscalls_needed(const struct observe_kernel *k);

int observe_kernel_register(struct observe_kernel *k, __u64 mntns,
			    const struct observe_container *config, __u32 uid, __u32 gid,
			    oh_error_t *err);

/* What the kernel saw of one container. */
struct observe_kernel_detail {
	struct observe_detail_key key;
	struct observe_event event;
};
struct observe_kernel_path {
	struct observe_path_key key;
	struct observe_path_value value;
};
struct observe_kernel_ids {
	struct observe_ids_key key;
	struct observe_event event;
};
struct observe_kernel_seen {
	bool registered;
	struct observe_container config;
	struct observe_state state;
	struct observe_kernel_detail *details;
	size_t details_len, details_cap;
	struct observe_kernel_path *paths;
	size_t paths_len, paths_cap;
	struct observe_kernel_ids *ids;
	size_t ids_len, ids_cap;
};

/* Read it; with `forget`, remove it from the kernel's maps too (the
 * container and the namespaces its processes made). */
int observe_kernel_read(struct observe_kernel *k, __u64 id, bool forget,
			struct observe_kernel_seen *out, oh_error_t *err);
void observe_kernel_seen_clear(struct observe_kernel_seen *seen);

#endif
