/* SPDX-License-Identifier: Apache-2.0 */
/* A bundle's config.json, from reading it the way runc will to replacing it
 * with the hardened one. Shared by the runtime wrapper and `diff`, so the
 * dry run shows exactly what a create would do. */
#ifndef OCI_HARDEN_BUNDLE_H
#define OCI_HARDEN_BUNDLE_H

#include <sys/stat.h>

#include "errors.h"
#include "harden.h"
#include "json.h"
#include "report.h"
#include "settings.h"

/* config.json is small (the CRI fixtures are 5 to 16 KB, a container with
 * thousands of mounts and variables about 1 MB); a far larger file is an
 * attempt to exhaust the node, refused before it is read. */
#define BUNDLE_CONFIG_MAX_BYTES (16u << 20)

struct bundle_config {
	int dirfd;     /* the directory holding the file */
	char *bundle;  /* that directory, absolute: where relative paths of the spec lead */
	char *name;    /* the file's name in it: "config.json" */
	char *display; /* the path shown in messages */
	char *text;    /* the bytes read; once written back, the bytes written */
	size_t len;
	/* Once written back: where the process's value is in `text`, which is
	 * json_write's text of it (process_len 0: none written). */
	size_t process_offset, process_len;
	struct stat st;
	struct json *spec; /* parsed as runc would (JSON_PARSE_GO_STRICT) */
	/* Set when the strict parse refused the text for what Go's decoder
	 * reads one way but could have been meant another (a repeated key)
	 * while the text itself is JSON: `spec` is then the plain reading, and
	 * this, why it is ambiguous. Hardening records it as a refusal: enforce
	 * mode refuses, audit mode runs what it was given and logs it. */
	char *ambiguity;
};

/* Open `bundle_dir`/config.json (bundle_dir NULL: the working directory),
 * refusing a symlink, a non-regular file, an oversized file and anything runc
 * would read differently from us. */
int bundle_config_read(const char *bundle_dir, struct bundle_config *out, oh_error_t *err);

/* The same for an explicit file path (for `diff FILE`). */
int bundle_config_read_file(const char *path, struct bundle_config *out, oh_error_t *err);

void bundle_config_close(struct bundle_config *config);
static inline void cleanup_bundle_configp(struct bundle_config *c)
{
	bundle_config_close(c);
}
#define cleanup_bundle_config _cleanup_(cleanup_bundle_configp)

struct bundle_harden_options {
	const char *image;	/* pretend the container runs this image (diff --image) */
	const char *policy;	/* use this policy, a name or a file (diff --policy) */
	bool preview;		/* apply the changes even in audit mode (for the diff) */
	struct policy **chosen; /* when not NULL, receives the policy applied */
	/* The policy the runtime entry names (oci-harden@NAME, see
	 * policy_of_program_name): it applies whatever the config says, and
	 * `entry_program` (argv[0]) says why. */
	const char *entry_policy;
	const char *entry_program;
	/* The client's own record of the container (Docker's, see
	 * docker_record.h), when it has one: `record` names the file and
	 * `recorded_image` the image in it (NULL: named by id). The config's
	 * annotations are then not read. */
	const char *record;
	const char *recorded_image;
};

/* The image the container runs as far as policy selection believes it: the
 * client's record, else the CRI's image annotation where settings
 * "trust_image_annotations" trusts it (never a sandbox's). Fully qualified,
 * or NULL. What the event log and the container's saved state record, so
 * that `suggest` never learns an image from the word of the caller. */
char *bundle_config_image(const struct bundle_config *config, const struct settings *settings,
			  const struct bundle_harden_options *options);

/* Choose the policy for this spec (see oci-harden-policy(5), "Selection"),
 * gather the host facts and harden config->spec in place into `report`.
 * Fails on a policy error or a shape the spec forbids; refusals are in the
 * report. `options` may be NULL. */
int bundle_config_harden(struct bundle_config *config, const struct settings *settings,
			 const struct bundle_harden_options *options, struct report *report,
			 oh_error_t *err);

/* Write config->spec back, compactly and atomically, when the report holds
 * an applied change. Returns 1 when written, 0 when nothing changed. What
 * was written is kept in config->text. */
int bundle_config_write(struct bundle_config *config, const struct report *report, oh_error_t *err);

#endif
