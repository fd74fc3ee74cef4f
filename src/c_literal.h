/* SPDX-License-Identifier: Apache-2.0 */
/* For the generators run at build time (seccomp_model_gen.c,
 * default_policy_gen.c), which write C source: a string as a C literal. */
#ifndef OCI_HARDEN_C_LITERAL_H
#define OCI_HARDEN_C_LITERAL_H

#include <stdio.h>

/* `s` as a C string literal: every byte that is not a plain letter, digit
 * or '_' as an octal escape: no byte of the text can end the literal, start
 * an escape or a trigraph, or depend on the compiler's source charset. */
static inline void c_literal_put(FILE *out, const char *s)
{
	fputc('"', out);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		    c == '_')
			fputc(c, out);
		else
			fprintf(out, "\\%03o", c);
	}
	fputc('"', out);
}

#endif
