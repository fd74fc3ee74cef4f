/* SPDX-License-Identifier: Apache-2.0 */
/* A policy's seccomp profile as observation needs it: for each syscall of
 * this machine's architecture, whether the profile denies it whatever its
 * arguments, allows it, or decides by its arguments; and, for a call with
 * given arguments, what the profile does to it.
 *
 * The profile is read as runc 1.1.5 and crun 1.8 build their filter from it
 * (libcontainer/seccomp/seccomp_linux.go, crun src/libcrun/seccomp.c, both
 * through libseccomp 2.5): a rule whose action is the default action is not
 * added; a name libseccomp does not know is skipped; conditions of a rule
 * are ANDed, except that two conditions on one argument make one rule each;
 * an unconditional rule for a syscall wins over every other rule for it;
 * between conditional rules the first that matches decides (libseccomp's
 * order for rules with different actions on one syscall is not the profile's
 * order in every case; profiles that rely on it are rare and the observation
 * says which arguments it saw). Pure: no I/O. */
#ifndef OCI_HARDEN_OBSERVE_PROFILE_H
#define OCI_HARDEN_OBSERVE_PROFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "errors.h"
#include "json.h"

/* Syscall numbers below this are classified; x86_64 has fewer. */
#define OBSERVE_PROFILE_SYSCALLS 512

enum observe_op_code {
	OBSERVE_PROFILE_OP_NE = 1,
	OBSERVE_PROFILE_OP_LT,
	OBSERVE_PROFILE_OP_LE,
	OBSERVE_PROFILE_OP_EQ,
	OBSERVE_PROFILE_OP_GE,
	OBSERVE_PROFILE_OP_GT,
	OBSERVE_PROFILE_OP_MASKED_EQ,
};

/* What the profile does to a call. */
struct observe_verdict {
	bool denies;	    /* the call fails or kills: ERRNO, KILL*, TRAP, TRACE */
	const char *action; /* "SCMP_ACT_ERRNO", ... (static) */
	uint32_t error;	    /* the errno of ERRNO (and of TRACE, ENOSYS without a tracer) */
};

struct observe_profile_cond {
	uint8_t index;
	uint8_t op; /* enum observe_op_code */
	uint64_t value, value_two;
};

struct observe_profile_rule {
	int nr;
	struct observe_verdict verdict;
	size_t len;
	struct observe_profile_cond conds[6];
};

enum observe_class {
	OBSERVE_CLASS_ALLOWED,
	OBSERVE_CLASS_DENIED,
	OBSERVE_CLASS_BY_ARGUMENTS,
};

struct observe_profile {
	struct observe_verdict default_verdict;
	bool decided[OBSERVE_PROFILE_SYSCALLS]; /* an unconditional rule decides it */
	struct observe_verdict unconditional[OBSERVE_PROFILE_SYSCALLS];
	struct observe_profile_rule *rules; /* conditional rules, in profile order */
	size_t rules_len, rules_cap;
};

/* Read an OCI seccomp profile (linux.seccomp). `arch` is libseccomp's token
 * of the architecture whose syscall numbers are meant (seccomp_arch_native()
 * for this machine's). Errors name the member. */
int observe_profile_read(const struct json *profile, uint32_t arch, struct observe_profile *out,
			 oh_error_t *err);
void observe_profile_clear(struct observe_profile *profile);

enum observe_class observe_profile_classify(const struct observe_profile *profile, int nr);

/* What the profile does to syscall `nr` with these arguments. */
struct observe_verdict observe_profile_eval(const struct observe_profile *profile, int nr,
					    const uint64_t args[6]);

/* Whether a denial is one programs take as "not here, do it another way":
 * ENOSYS. The default profile answers clone3 so, and glibc then uses
 * clone; such a call is not a reason to allow it. */
bool observe_verdict_is_fallback(const struct observe_verdict *verdict);

#endif
