/* SPDX-License-Identifier: Apache-2.0 */
/* Reading an OCI seccomp profile into the model of seccomp_profile.h: the
 * rules as runc and crun add them to libseccomp, one action per rule and at
 * most one condition per argument. */
#include "seccomp_profile.h"

#include <errno.h>
#include <inttypes.h>
#include <string.h>

/* The action names of runtime-spec, as runc (libcontainer/seccomp/config.go,
 * actions) and crun (get_seccomp_action) read them. */
static const struct {
	const char *name;
	enum seccomp_action_code code;
} seccomp_action_names[] = {
    {"SCMP_ACT_ALLOW", SECCOMP_ACT_ALLOW},
    {"SCMP_ACT_LOG", SECCOMP_ACT_LOG},
    {"SCMP_ACT_ERRNO", SECCOMP_ACT_ERRNO},
    {"SCMP_ACT_KILL", SECCOMP_ACT_KILL_THREAD},
    {"SCMP_ACT_KILL_THREAD", SECCOMP_ACT_KILL_THREAD},
    {"SCMP_ACT_KILL_PROCESS", SECCOMP_ACT_KILL_PROCESS},
    {"SCMP_ACT_TRAP", SECCOMP_ACT_TRAP},
    {"SCMP_ACT_TRACE", SECCOMP_ACT_TRACE},
    {"SCMP_ACT_NOTIFY", SECCOMP_ACT_NOTIFY},
};

/* The operators (runc's operators map, crun's get_seccomp_operator). */
static const struct {
	const char *name;
	enum seccomp_op op;
} seccomp_op_names[] = {
    {"SCMP_CMP_NE", SECCOMP_OP_NE},
    {"SCMP_CMP_LT", SECCOMP_OP_LT},
    {"SCMP_CMP_LE", SECCOMP_OP_LE},
    {"SCMP_CMP_EQ", SECCOMP_OP_EQ},
    {"SCMP_CMP_GE", SECCOMP_OP_GE},
    {"SCMP_CMP_GT", SECCOMP_OP_GT},
    {"SCMP_CMP_MASKED_EQ", SECCOMP_OP_MASKED_EQ},
};

struct seccomp_action seccomp_action_from_name(const char *name, uint64_t errno_ret)
{
	struct seccomp_action a = {.code = SECCOMP_ACT_UNKNOWN, .name = name};
	for (size_t i = 0; i < ARRAY_SIZE(seccomp_action_names); i++)
		if (strcmp(seccomp_action_names[i].name, name) == 0)
			a.code = seccomp_action_names[i].code;
	/* runc hands libseccomp int16(errnoRet), crun SCMP_ACT_ERRNO(errno),
	 * which keeps the low 16 bits: the same number either way. */
	if (seccomp_action_has_errno(a.code))
		a.data = (uint16_t)errno_ret;
	return a;
}

const char *seccomp_native_architecture(void)
{
#if defined(__x86_64__) && !defined(__ILP32__)
	return "SCMP_ARCH_X86_64";
#elif defined(__aarch64__)
	return "SCMP_ARCH_AARCH64";
#elif defined(__powerpc64__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	return "SCMP_ARCH_PPC64LE";
#elif defined(__s390x__)
	return "SCMP_ARCH_S390X";
#elif defined(__riscv) && __riscv_xlen == 64
	return "SCMP_ARCH_RISCV64";
#else
	return NULL;
#endif
}

/* ---- reading ------------------------------------------------------------- */

static int read_string_member(const struct json *object, const char *path, const char *key,
			      const char **out, oh_error_t *err)
{
	const struct json *v = json_object_get(object, key);
	*out = NULL;
	if (!v)
		return 0;
	if (v->type != JSON_STRING || strlen(v->string.ptr) != v->string.len)
		return oh_error_make(err, 0, "%s.%s: must be a string", path, key);
	*out = v->string.ptr;
	return 0;
}

static int read_u64_member(const struct json *object, const char *path, const char *key,
			   uint64_t max, uint64_t *out, bool *present, oh_error_t *err)
{
	const struct json *v = json_object_get(object, key);
	*out = 0;
	if (present)
		*present = v != NULL;
	if (!v)
		return 0;
	if (v->type != JSON_NUMBER || !json_number_uint64(v, out) || *out > max)
		return oh_error_make(err, 0, "%s.%s: must be an integer from 0 to %" PRIu64, path,
				     key, max);
	return 0;
}

static int read_array_member(const struct json *object, const char *path, const char *key,
			     const struct json **out, oh_error_t *err)
{
	const struct json *v = json_object_get(object, key);
	*out = NULL;
	if (!v)
		return 0;
	if (v->type != JSON_ARRAY)
		return oh_error_make(err, 0, "%s.%s: must be an array", path, key);
	*out = v;
	return 0;
}

static int read_string_array(const struct json *object, const char *path, const char *key,
			     bool non_empty, const struct json **out, oh_error_t *err)
{
	if (read_array_member(object, path, key, out, err) < 0)
		return -1;
	for (size_t i = 0; *out && i < (*out)->array.len; i++) {
		const struct json *item = (*out)->array.items[i];
		if (item->type != JSON_STRING || strlen(item->string.ptr) != item->string.len)
			return oh_error_make(err, 0, "%s.%s[%zu]: must be a string", path, key, i);
		/* runc refuses an empty name ("empty string is not a valid
		 * syscall"). */
		if (non_empty && item->string.len == 0)
			return oh_error_make(err, 0, "%s.%s[%zu]: must not be empty", path, key, i);
	}
	return 0;
}

static enum seccomp_op op_from_name(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(seccomp_op_names); i++)
		if (strcmp(seccomp_op_names[i].name, name) == 0)
			return seccomp_op_names[i].op;
	return SECCOMP_OP_UNKNOWN;
}

static int read_cond(const struct json *arg, const char *path, struct seccomp_cond *out,
		     oh_error_t *err)
{
	if (arg->type != JSON_OBJECT)
		return oh_error_make(err, 0, "%s: must be an object", path);
	uint64_t index;
	if (read_u64_member(arg, path, "index", SECCOMP_MAX_ARGS - 1, &index, NULL, err) < 0 ||
	    read_u64_member(arg, path, "value", UINT64_MAX, &out->value, NULL, err) < 0 ||
	    read_u64_member(arg, path, "valueTwo", UINT64_MAX, &out->value_two,
			    &out->value_two_written, err) < 0 ||
	    read_string_member(arg, path, "op", &out->op_name, err) < 0)
		return -1;
	/* runc and crun both refuse a condition without an operator. */
	if (!out->op_name)
		return oh_error_make(err, 0, "%s.op: must be a string", path);
	out->index = (uint8_t)index;
	out->op = op_from_name(out->op_name);
	return 0;
}

static void profile_add_rule(struct seccomp_profile *p, const struct seccomp_rule *rule)
{
	p->rules = xgrow(p->rules, &p->rules_cap, p->rules_len + 1, sizeof(*p->rules));
	p->rules[p->rules_len++] = *rule;
}

static void profile_add_mention(struct seccomp_profile *p, struct json **node, size_t rule)
{
	p->mentions =
	    xgrow(p->mentions, &p->mentions_cap, p->mentions_len + 1, sizeof(*p->mentions));
	p->mentions[p->mentions_len++] =
	    (struct seccomp_mention){(*node)->string.ptr, (uint32_t)rule, node};
}

static int read_rule(struct seccomp_profile *p, const struct json *rule, size_t index,
		     const char *path, oh_error_t *err)
{
	if (rule->type != JSON_OBJECT)
		return oh_error_make(err, 0, "%s: must be an object", path);
	const struct json *names, *args;
	const char *action_name;
	uint64_t errno_ret;
	bool errno_written;
	if (read_string_array(rule, path, "names", true, &names, err) < 0 ||
	    read_string_member(rule, path, "action", &action_name, err) < 0 ||
	    read_u64_member(rule, path, "errnoRet", UINT32_MAX, &errno_ret, &errno_written, err) <
		0 ||
	    read_array_member(rule, path, "args", &args, err) < 0)
		return -1;
	if (!action_name)
		return oh_error_make(err, 0, "%s.action: must be a string", path);
	size_t n_args = args ? args->array.len : 0;
	/* crun reads the first six conditions only, runc all of them: with a
	 * seventh the two would filter differently. */
	if (n_args > SECCOMP_MAX_ARGS)
		return oh_error_make(err, 0,
				     "%s.args: more than %d conditions, which runc and crun read "
				     "differently",
				     path, SECCOMP_MAX_ARGS);

	struct seccomp_rule base = {
	    .action = seccomp_action_from_name(action_name, errno_written ? errno_ret : EPERM),
	    .source = index,
	};
	struct seccomp_cond conds[SECCOMP_MAX_ARGS];
	unsigned seen = 0;
	bool repeated = false;
	for (size_t k = 0; k < n_args; k++) {
		cleanup_free char *arg_path = xstrcat_index(path, ".args", k);
		if (read_cond(args->array.items[k], arg_path, &conds[k], err) < 0)
			return -1;
		repeated |= (seen >> conds[k].index) & 1;
		seen |= 1u << conds[k].index;
	}
	size_t first = p->rules_len;
	if (!repeated) {
		struct seccomp_rule r = base;
		/* In argument order, so that equal sets compare equal. */
		for (uint8_t i = 0; i < SECCOMP_MAX_ARGS; i++)
			for (size_t k = 0; k < n_args; k++)
				if (conds[k].index == i)
					r.set.conds[r.set.len++] = conds[k];
		profile_add_rule(p, &r);
	} else {
		/* Both runtimes add each condition as a rule of its own when two
		 * test the same argument (runc matchCall, crun multiple_args). */
		for (size_t k = 0; k < n_args; k++) {
			struct seccomp_rule r = base;
			r.set.conds[r.set.len++] = conds[k];
			profile_add_rule(p, &r);
		}
	}
	for (size_t i = 0; names && i < names->array.len; i++)
		for (size_t r = first; r < p->rules_len; r++)
			profile_add_mention(p, &names->array.items[i], r);
	return 0;
}

int seccomp_profile_read(const struct json *node, const char *path, struct seccomp_profile *out,
			 oh_error_t *err)
{
	*out = (struct seccomp_profile){.node = node};
	const struct json *architectures;
	if (node->type != JSON_OBJECT)
		return oh_error_make(err, 0, "%s: must be an object", path);
	const char *default_name, *listener;
	const struct json *flags;
	uint64_t default_errno;
	if (read_string_member(node, path, "defaultAction", &default_name, err) < 0 ||
	    read_u64_member(node, path, "defaultErrnoRet", UINT32_MAX, &default_errno,
			    &out->has_default_errno, err) < 0 ||
	    read_string_array(node, path, "architectures", false, &architectures, err) < 0 ||
	    read_string_array(node, path, "flags", false, &flags, err) < 0 ||
	    read_string_member(node, path, "listenerPath", &listener, err) < 0 ||
	    read_string_member(node, path, "listenerMetadata", &listener, err) < 0 ||
	    read_array_member(node, path, "syscalls", &out->syscalls, err) < 0)
		return -1;
	out->has_default_action = default_name && *default_name;
	if (out->has_default_action)
		out->default_action = seccomp_action_from_name(
		    default_name, out->has_default_errno ? default_errno : EPERM);
	out->default_errno = (uint32_t)default_errno;
	if (architectures) {
		out->architectures_len = architectures->array.len;
		out->architectures = xcalloc(architectures->array.len + 1, sizeof(char *));
		for (size_t i = 0; i < architectures->array.len; i++)
			out->architectures[i] = architectures->array.items[i]->string.ptr;
	}
	for (size_t i = 0; out->syscalls && i < out->syscalls->array.len; i++) {
		cleanup_free char *rule_path = xstrcat_index(path, ".syscalls", i);
		if (read_rule(out, out->syscalls->array.items[i], i, rule_path, err) < 0) {
			seccomp_profile_clear(out);
			return -1;
		}
	}
	return 0;
}

void seccomp_profile_clear(struct seccomp_profile *profile)
{
	xfree(profile->rules);
	xfree(profile->mentions);
	xfree(profile->architectures);
	*profile = (struct seccomp_profile){0};
}
