/* SPDX-License-Identifier: Apache-2.0 */
/* The spec model: every field of the OCI runtime spec that runc 1.1.5 or
 * crun 1.8 reads, each with one verdict (src/spec_model.tsv, generated into
 * a table at build time). The core walks every node of a config against it:
 * a field it does not know is refused unless a policy's allow.fields names
 * it, so a field a newer spec adds never reaches a runtime unjudged. */
#ifndef OCI_HARDEN_SPEC_MODEL_H
#define OCI_HARDEN_SPEC_MODEL_H

#include <stddef.h>

enum spec_verdict {
	SPEC_PASSED,   /* the runtime may have it as written */
	SPEC_HARDENED, /* a module rewrites it to the policy */
	SPEC_JUDGED,   /* a module refuses what the policy does not allow */
	SPEC_REFUSED,  /* refused whenever present, unless allow.fields names it */
	SPEC_IGNORED,  /* no Linux runtime reads it (Windows, Solaris, VM, z/OS) */
};

/* One field, by its model path: "process.user.uid", "mounts[].options[]"
 * (the items of an array), "annotations{}" (the values of a Go map). */
struct spec_field {
	const char *path;
	enum spec_verdict verdict;
	const char *module; /* the module that hardens or judges it, or NULL */
	const char *why;    /* for the man page and refusals, or NULL */
	/* Where the field sits in the tree the walker goes down: its name is
	 * path + name_offset; its members are spec_model_fields[i] for the
	 * members_len indexes i from spec_model_members[members], sorted by
	 * name; its items ("x[]") and map values ("x{}") are the fields at
	 * those indexes, or -1. */
	unsigned short name_offset, members, members_len;
	short items, values;
};

extern const struct spec_field spec_model_fields[];
extern const size_t spec_model_fields_len;
/* The config's top object, whose members are "ociVersion", "process", ... */
extern const struct spec_field spec_model_root;
extern const unsigned short spec_model_members[];

/* The field at model path `path`, or NULL. */
const struct spec_field *spec_model_find(const char *path);

/* The member `key` of `parent` ("user" of "process"), its items, its map
 * values; NULL where the model has none (and where `parent` is NULL). */
const struct spec_field *spec_model_member(const struct spec_field *parent, const char *key);
const struct spec_field *spec_model_items(const struct spec_field *parent);
const struct spec_field *spec_model_values(const struct spec_field *parent);

const char *spec_verdict_name(enum spec_verdict verdict);

#endif
