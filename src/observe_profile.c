/* SPDX-License-Identifier: Apache-2.0 */
#include "observe_profile.h"

#include <errno.h>
#include <seccomp.h>
#include <string.h>

/* The actions of the runtime spec (config-linux.md, "Seccomp") and what
 * each does to a call when it is the one taken. */
static const struct {
	const char *name;
	bool denies;
	bool has_errno;
	uint32_t fixed_error; /* TRACE with no tracer fails the call with ENOSYS */
} observe_actions[] = {
    {"SCMP_ACT_ALLOW", false, false, 0},
    {"SCMP_ACT_LOG", false, false, 0},
    /* A notify agent decides; observation cannot know what. */
    {"SCMP_ACT_NOTIFY", false, false, 0},
    {"SCMP_ACT_ERRNO", true, true, 0},
    {"SCMP_ACT_TRACE", true, false, ENOSYS},
    {"SCMP_ACT_TRAP", true, false, 0},
    {"SCMP_ACT_KILL", true, false, 0},
    {"SCMP_ACT_KILL_THREAD", true, false, 0},
    {"SCMP_ACT_KILL_PROCESS", true, false, 0},
};

static const struct {
	const char *name;
	enum observe_op_code op;
} observe_ops[] = {
    {"SCMP_CMP_NE", OBSERVE_PROFILE_OP_NE},
    {"SCMP_CMP_LT", OBSERVE_PROFILE_OP_LT},
    {"SCMP_CMP_LE", OBSERVE_PROFILE_OP_LE},
    {"SCMP_CMP_EQ", OBSERVE_PROFILE_OP_EQ},
    {"SCMP_CMP_GE", OBSERVE_PROFILE_OP_GE},
    {"SCMP_CMP_GT", OBSERVE_PROFILE_OP_GT},
    {"SCMP_CMP_MASKED_EQ", OBSERVE_PROFILE_OP_MASKED_EQ},
};

static int observe_verdict_of(const struct json *action, const struct json *errno_ret,
			      const char *path, struct observe_verdict *out, oh_error_t *err)
{
	if (!action || action->type != JSON_STRING)
		return oh_error_make(err, 0, "%s: must be a string", path);
	for (size_t i = 0; i < ARRAY_SIZE(observe_actions); i++) {
		if (strcmp(observe_actions[i].name, action->string.ptr) != 0)
			continue;
		*out = (struct observe_verdict){
		    .denies = observe_actions[i].denies,
		    .action = observe_actions[i].name,
		    .error = observe_actions[i].fixed_error,
		};
		if (observe_actions[i].has_errno) {
			uint64_t e = EPERM;
			if (errno_ret &&
			    (errno_ret->type != JSON_NUMBER || !json_number_uint64(errno_ret, &e)))
				return oh_error_make(err, 0, "%s: errnoRet must be a number", path);
			out->error = (uint32_t)(e & 0xffff); /* libseccomp keeps 16 bits */
		}
		return 0;
	}
	return oh_error_make(err, 0, "%s: unknown action \"%s\"", path, action->string.ptr);
}

static int observe_cond_read(const struct json *arg, const char *path,
			     struct observe_profile_cond *out, oh_error_t *err)
{
	const struct json *index = json_object_get(arg, "index");
	const struct json *value = json_object_get(arg, "value");
	const struct json *value_two = json_object_get(arg, "valueTwo");
	const struct json *op = json_object_get(arg, "op");
	uint64_t n;
	if (!index || index->type != JSON_NUMBER || !json_number_uint64(index, &n) || n > 5)
		return oh_error_make(err, 0, "%s.index: must be 0 to 5", path);
	out->index = (uint8_t)n;
	out->value = out->value_two = 0;
	if (value && (value->type != JSON_NUMBER || !json_number_uint64(value, &out->value)))
		return oh_error_make(err, 0, "%s.value: must be a number", path);
	if (value_two &&
	    (value_two->type != JSON_NUMBER || !json_number_uint64(value_two, &out->value_two)))
		return oh_error_make(err, 0, "%s.valueTwo: must be a number", path);
	for (size_t i = 0; op && op->type == JSON_STRING && i < ARRAY_SIZE(observe_ops); i++)
		if (strcmp(observe_ops[i].name, op->string.ptr) == 0) {
			out->op = observe_ops[i].op;
			return 0;
		}
	return oh_error_make(err, 0, "%s.op: unknown operator", path);
}

static void observe_rule_add(struct observe_profile *p, const struct observe_profile_rule *rule)
{
	p->rules = xgrow(p->rules, &p->rules_cap, p->rules_len + 1, sizeof(*p->rules));
	p->rules[p->rules_len++] = *rule;
}

/* One entry of "syscalls": its names, its action, its conditions. */
static int observe_entry_read(struct observe_profile *p, const struct json *entry, const char *path,
			      uint32_t arch, oh_error_t *err)
{
	if (entry->type != JSON_OBJECT)
		return oh_error_make(err, 0, "%s: must be an object", path);
	struct observe_verdict verdict;
	if (observe_verdict_of(json_object_get(entry, "action"), json_object_get(entry, "errnoRet"),
			       path, &verdict, err) < 0)
		return -1;
	/* The runtimes add no rule whose action is the default's. */
	if (verdict.denies == p->default_verdict.denies &&
	    strcmp(verdict.action, p->default_verdict.action) == 0 &&
	    verdict.error == p->default_verdict.error)
		return 0;

	struct observe_profile_rule rule = {.verdict = verdict};
	const struct json *args = json_object_get(entry, "args");
	bool split = false; /* two conditions on one argument: one rule each */
	if (args) {
		if (args->type != JSON_ARRAY || args->array.len > 6)
			return oh_error_make(err, 0, "%s.args: must be a list of at most 6", path);
		for (size_t i = 0; i < args->array.len; i++) {
			cleanup_free char *arg_path = xasprintf("%s.args[%zu]", path, i);
			if (args->array.items[i]->type != JSON_OBJECT)
				return oh_error_make(err, 0, "%s: must be an object", arg_path);
			if (observe_cond_read(args->array.items[i], arg_path, &rule.conds[i], err) <
			    0)
				return -1;
			for (size_t j = 0; j < i; j++)
				split = split || rule.conds[j].index == rule.conds[i].index;
		}
		rule.len = args->array.len;
	}

	const struct json *names = json_object_get(entry, "names");
	if (!names || names->type != JSON_ARRAY)
		return oh_error_make(err, 0, "%s.names: must be a list", path);
	for (size_t i = 0; i < names->array.len; i++) {
		const struct json *name = names->array.items[i];
		if (name->type != JSON_STRING)
			return oh_error_make(err, 0, "%s.names[%zu]: must be a string", path, i);
		int nr = seccomp_syscall_resolve_name_arch(arch, name->string.ptr);
		if (nr < 0 || nr >= OBSERVE_PROFILE_SYSCALLS)
			continue; /* unknown to libseccomp here: the runtimes skip it */
		if (rule.len == 0) {
			if (!p->decided[nr]) {
				p->decided[nr] = true;
				p->unconditional[nr] = verdict;
			}
			continue;
		}
		rule.nr = nr;
		if (!split) {
			observe_rule_add(p, &rule);
			continue;
		}
		for (size_t c = 0; c < rule.len; c++) {
			struct observe_profile_rule one = {
			    .nr = nr, .verdict = verdict, .len = 1, .conds = {rule.conds[c]}};
			observe_rule_add(p, &one);
		}
	}
	return 0;
}

int observe_profile_read(const struct json *profile, uint32_t arch, struct observe_profile *out,
			 oh_error_t *err)
{
	*out = (struct observe_profile){0};
	if (!profile || profile->type != JSON_OBJECT)
		return oh_error_make(err, 0, "seccomp profile: must be an object");
	const struct json *action = json_object_get(profile, "defaultAction");
	if (observe_verdict_of(action, json_object_get(profile, "defaultErrnoRet"),
			       "seccomp profile.defaultAction", &out->default_verdict, err) < 0)
		return -1;
	const struct json *syscalls = json_object_get(profile, "syscalls");
	if (syscalls && syscalls->type != JSON_ARRAY)
		return oh_error_make(err, 0, "seccomp profile.syscalls: must be a list");
	for (size_t i = 0; syscalls && i < syscalls->array.len; i++) {
		cleanup_free char *path = xasprintf("seccomp profile.syscalls[%zu]", i);
		if (observe_entry_read(out, syscalls->array.items[i], path, arch, err) < 0) {
			observe_profile_clear(out);
			return -1;
		}
	}
	return 0;
}

void observe_profile_clear(struct observe_profile *profile)
{
	xfree(profile->rules);
	*profile = (struct observe_profile){0};
}

enum observe_class observe_profile_classify(const struct observe_profile *p, int nr)
{
	if (nr < 0 || nr >= OBSERVE_PROFILE_SYSCALLS)
		return p->default_verdict.denies ? OBSERVE_CLASS_DENIED : OBSERVE_CLASS_ALLOWED;
	if (p->decided[nr])
		return p->unconditional[nr].denies ? OBSERVE_CLASS_DENIED : OBSERVE_CLASS_ALLOWED;
	for (size_t i = 0; i < p->rules_len; i++)
		if (p->rules[i].nr == nr)
			return OBSERVE_CLASS_BY_ARGUMENTS;
	return p->default_verdict.denies ? OBSERVE_CLASS_DENIED : OBSERVE_CLASS_ALLOWED;
}

static bool observe_cond_holds(const struct observe_profile_cond *c, uint64_t a)
{
	switch ((enum observe_op_code)c->op) {
	case OBSERVE_PROFILE_OP_NE:
		return a != c->value;
	case OBSERVE_PROFILE_OP_LT:
		return a < c->value;
	case OBSERVE_PROFILE_OP_LE:
		return a <= c->value;
	case OBSERVE_PROFILE_OP_EQ:
		return a == c->value;
	case OBSERVE_PROFILE_OP_GE:
		return a >= c->value;
	case OBSERVE_PROFILE_OP_GT:
		return a > c->value;
	case OBSERVE_PROFILE_OP_MASKED_EQ:
		return (a & c->value) == c->value_two;
	}
	return false;
}

struct observe_verdict observe_profile_eval(const struct observe_profile *p, int nr,
					    const uint64_t args[6])
{
	if (nr >= 0 && nr < OBSERVE_PROFILE_SYSCALLS && p->decided[nr])
		return p->unconditional[nr];
	for (size_t i = 0; i < p->rules_len; i++) {
		const struct observe_profile_rule *r = &p->rules[i];
		if (r->nr != nr)
			continue;
		bool holds = true;
		for (size_t c = 0; c < r->len && holds; c++)
			holds = observe_cond_holds(&r->conds[c], args[r->conds[c].index]);
		if (holds)
			return r->verdict;
	}
	return p->default_verdict;
}

bool observe_verdict_is_fallback(const struct observe_verdict *verdict)
{
	return verdict->denies && verdict->error == ENOSYS;
}
