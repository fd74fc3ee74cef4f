/* SPDX-License-Identifier: Apache-2.0 */
/* A line-based unified diff (Myers' O(ND) algorithm), for `oci-harden diff`. */
#ifndef OCI_HARDEN_TEXTDIFF_H
#define OCI_HARDEN_TEXTDIFF_H

#include <stdbool.h>
#include <stddef.h>

#include "util.h"

/* Append to `out` a unified diff of old_text against new_text: the
 * "--- old_label" and "+++ new_label" header, then hunks with `context` lines
 * of context, "@@ -a,b +c,d @@" headers as diff(1) writes them. With `color`,
 * headers are bold, hunk headers cyan, removed lines red and added lines
 * green (ANSI escapes). Appends nothing and returns false when the texts are
 * equal; returns true otherwise. */
bool textdiff_unified(const char *old_text, size_t old_len, const char *new_text, size_t new_len,
		      const char *old_label, const char *new_label, unsigned context, bool color,
		      struct strbuf *out);

#endif
