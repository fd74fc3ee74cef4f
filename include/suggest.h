/* SPDX-License-Identifier: Apache-2.0 */
/* From what containers of an image were seen doing to the narrowest policy
 * that would have let them run so (oci-harden(8), SUGGEST). The policy
 * starts from the policy in force (the default) and adds only:
 *   - the capabilities exercised (by the user it will run as);
 *   - a non-root user where the image's first process switched to one, or
 *     root where that process stayed root;
 *   - a tmpfs for each place it wrote in its root filesystem;
 *   - seccomp.allow_syscalls for the syscalls it made that the profile denies
 *     (not those answered with ENOSYS: programs fall back from those);
 *   - no_new_privileges off where a program raised its privileges by exec;
 *   - the drift lock's exceptions where a program not from the image was
 *     run: allow.exec_paths with the destination of the mount it is on
 *     (from the lifts of noexec's decisions the audit-mode creates
 *     recorded, or a tmpfs this suggestion adds), allow.exec_memfd for a
 *     memfd; and "/" where the policy in force leaves the root writable,
 *     which enforce refuses without it.
 * Each exception says which observation made it necessary. What a container
 * asked for that no observation shows it needed is not copied, and said.
 * Where containers ran in enforce mode only and were denied something, the
 * suggestion is a trial in audit mode, with what was denied. Pure. */
#ifndef OCI_HARDEN_SUGGEST_H
#define OCI_HARDEN_SUGGEST_H

#include <stdbool.h>

#include "json.h"
#include "observation.h"
#include "policy.h"

/* One observation of a container of the image. */
struct suggest_evidence {
	char *container;
	char *mode; /* "audit" or "enforce" */
	bool live;  /* read from the kernel while the container runs */
	struct observation observation;
};

/* What the event log says of one image. */
struct suggest_image {
	char *image;
	size_t audit_creates, enforce_creates;
	/* What audit-mode creates asked for that enforce would have changed
	 * or refused: their decisions, each with its lift {key, value}. */
	struct json *requests;
	struct suggest_evidence *evidence;
	size_t evidence_len, evidence_cap;
};

struct suggest_images {
	struct suggest_image *items;
	size_t len, cap;
};

struct suggest_image *suggest_images_get(struct suggest_images *images, const char *image);
void suggest_images_clear(struct suggest_images *images);

/* Take one event-log line (parsed): a create/run with its decisions, or an
 * observation. Lines of other kinds, or without an image, are skipped. An
 * observation of the wrong shape is an error naming the member. */
int suggest_images_add_event(struct suggest_images *images, const struct json *event, bool live,
			     oh_error_t *err);

struct suggestion {
	char *name;		      /* "suggested-docker.io-library-nginx-1.25" */
	char *text;		      /* the policy file, with its comments */
	bool trial;		      /* an audit-mode trial: enforce denied, nothing observed */
	bool observed;		      /* some observation of the kernel's was used */
	struct string_list diagnosis; /* what enforce mode denied, one line each */
};

/* The suggestion for one image; `base` is the policy in force, called
 * `base_name` in "extends". */
void suggest_build(const struct suggest_image *image, const struct policy *base,
		   const char *base_name, struct suggestion *out);
void suggestion_clear(struct suggestion *s);

/* The doors `policy` opens beyond `base` that no observation of the images
 * it applies to justifies: capabilities, root, tmpfs paths, allowed
 * syscalls, no_new_privileges off, a writable root, exec_paths entries and
 * exec_memfd. One sentence each. */
void suggest_unjustified(const struct policy *policy, const struct policy *base,
			 const struct suggest_image *const *images, size_t images_len,
			 struct string_list *out);

#endif
