/* SPDX-License-Identifier: Apache-2.0 */
/* Seccomp by content. A container's own profile is merged with the policy's
 * (seccomp_merge.c): the filter it gets never lets through a syscall the
 * policy's profile denies, and denies everything its own profile denied; a
 * profile that already does both stays as written. A config with no profile,
 * or one runc installs no filter for, gets the policy's profile whole.
 *
 * What a runtime would do beyond filtering is judged: a notify agent
 * (SCMP_ACT_NOTIFY, listenerPath) or a tracer (SCMP_ACT_TRACE) decides
 * syscalls itself and can let through what the filter denies; flags other
 * than TSYNC and LOG, actions and operators nobody knows have not been
 * judged. Each is refused unless the policy's allow.seccomp names it. */
#include <string.h>

#include "embedded.h"
#include "module.h"
#include "seccomp_profile.h"

/* Flags that change nothing of what the filter lets through: TSYNC applies it
 * to every thread of the process, LOG logs what it does not allow. runc 1.1.5
 * refuses every flag ("seccomp flags are not yet supported by runc"); crun 1.8
 * takes these two, SPEC_ALLOW and WAIT_KILLABLE_RECV. */
static const char *const seccomp_safe_flags[] = {
    "SECCOMP_FILTER_FLAG_TSYNC",
    "SECCOMP_FILTER_FLAG_LOG",
};

/* What each judged name would let the runtime do, for its refusal. */
static const struct {
	const char *name;
	const char *why;
} seccomp_judged[] = {
    {"SCMP_ACT_NOTIFY", "a seccomp agent would decide these syscalls, and can let through what "
			"the filter denies"},
    {"SCMP_ACT_TRACE", "a tracer would decide these syscalls, and can turn a denial into an "
		       "allow"},
    {"listenerPath", "the seccomp agent listening there would decide the syscalls of "
		     "SCMP_ACT_NOTIFY rules, and can let them through"},
    {"SECCOMP_FILTER_FLAG_SPEC_ALLOW", "turns the kernel's speculative store bypass "
				       "mitigation off for the container"},
};

/* Refuse `name` (an action, flag, operator or "listenerPath") at `path`
 * unless the policy's allow.seccomp names it. */
static void seccomp_judge(struct harden_ctx *ctx, const char *path, const struct json *node,
			  const char *what, const char *name)
{
	if (harden_allowed(&ctx->policy->allow.seccomp, name))
		return;
	const char *why = NULL;
	for (size_t i = 0; i < ARRAY_SIZE(seccomp_judged); i++)
		if (strcmp(seccomp_judged[i].name, name) == 0)
			why = seccomp_judged[i].why;
	if (why)
		harden_refuse(ctx, "seccomp", path, node, "allow.seccomp", name,
			      "%s %s: %s (the policy may allow \"%s\" in allow.seccomp)", what,
			      node->type == JSON_STRING ? node->string.ptr : name, why, name);
	else
		harden_refuse(ctx, "seccomp", path, node, "allow.seccomp", name,
			      "%s %s: what runc or crun would do with it has not been judged (the "
			      "policy may allow \"%s\" in allow.seccomp)",
			      what, name, name);
}

static bool seccomp_flag_is_safe(const char *flag)
{
	for (size_t i = 0; i < ARRAY_SIZE(seccomp_safe_flags); i++)
		if (strcmp(seccomp_safe_flags[i], flag) == 0)
			return true;
	return false;
}

/* Judge what the profile asks of the runtime beyond its filter. The
 * profile's shape was checked when it was read. */
static void seccomp_judge_profile(struct harden_ctx *ctx, const struct seccomp_profile *profile)
{
	const struct json *node = profile->node;
	if (profile->has_default_action &&
	    seccomp_action_class(&profile->default_action) == SECCOMP_DEFERS)
		seccomp_judge(ctx, "linux.seccomp.defaultAction",
			      json_object_get(node, "defaultAction"), "action",
			      profile->default_action.name);
	const struct json *flags = json_object_get(node, "flags");
	for (size_t i = 0; flags && i < flags->array.len; i++) {
		const char *flag = flags->array.items[i]->string.ptr;
		if (seccomp_flag_is_safe(flag))
			continue;
		cleanup_free char *path = xstrcat_index("linux.seccomp.flags", "", i);
		seccomp_judge(ctx, path, flags->array.items[i], "flag", flag);
	}
	const struct json *listener = json_object_get(node, "listenerPath");
	if (listener && listener->string.len)
		seccomp_judge(ctx, "linux.seccomp.listenerPath", listener, "listenerPath",
			      "listenerPath");
	for (size_t i = 0; profile->syscalls && i < profile->syscalls->array.len; i++) {
		const struct json *rule = profile->syscalls->array.items[i];
		const struct json *action = json_object_get(rule, "action");
		struct seccomp_action a = seccomp_action_from_name(action->string.ptr, 0);
		if (seccomp_action_class(&a) == SECCOMP_DEFERS) {
			cleanup_free char *path =
			    xasprintf("linux.seccomp.syscalls[%zu].action", i);
			seccomp_judge(ctx, path, action, "action", action->string.ptr);
		}
		const struct json *args = json_object_get(rule, "args");
		for (size_t k = 0; args && k < args->array.len; k++) {
			const struct json *op = json_object_get(args->array.items[k], "op");
			bool known = false;
			static const char *const ops[] = {
			    "SCMP_CMP_NE", "SCMP_CMP_LT", "SCMP_CMP_LE",	"SCMP_CMP_EQ",
			    "SCMP_CMP_GE", "SCMP_CMP_GT", "SCMP_CMP_MASKED_EQ",
			};
			for (size_t o = 0; o < ARRAY_SIZE(ops) && !known; o++)
				known = strcmp(ops[o], op->string.ptr) == 0;
			if (known)
				continue;
			cleanup_free char *path =
			    xasprintf("linux.seccomp.syscalls[%zu].args[%zu].op", i, k);
			seccomp_judge(ctx, path, op, "operator", op->string.ptr);
		}
	}
}

/* ---- installing the policy's profile whole ---------------------------------- */

static int seccomp_install(struct harden_ctx *ctx, struct json *linux_obj, const char *why,
			   oh_error_t *err)
{
	if (!linux_obj && harden_member_object(ctx->spec, "", "linux", true, &linux_obj, err) < 0)
		return -1;
	struct json *profile = policy_seccomp_profile(ctx->policy, err);
	if (!profile)
		return -1;
	cleanup_free char *reason =
	    xasprintf("%s; installed profile \"%s\"", why, ctx->policy->seccomp_profile_name);
	struct decision *d =
	    harden_set(ctx, "seccomp", linux_obj, "linux", "seccomp", profile, reason);
	if (d)
		decision_set_lift(d, "seccomp.profile", json_new_string(""));
	return 0;
}

/* runc installs no filter for a profile with neither a default action nor
 * rules (specconv SetupSeccomp: "assume seccomp disabled"). */
static bool seccomp_filters_nothing(const struct json *profile)
{
	const struct json *action = json_object_get(profile, "defaultAction");
	const struct json *rules = json_object_get(profile, "syscalls");
	return (!action || (action->type == JSON_STRING && action->string.len == 0)) &&
	       (!rules || (rules->type == JSON_ARRAY && rules->array.len == 0));
}

/* ---- recording the merge ---------------------------------------------------- */

static const char *const seccomp_change_reasons[SECCOMP_CHANGE_REASONS] = {
    [SECCOMP_CHANGE_DENIED] = "denied by the policy's seccomp profile \"%s\"",
    [SECCOMP_CHANGE_CONDITIONED] = "the argument conditions of the policy's seccomp profile "
				   "\"%s\" now apply",
    [SECCOMP_CHANGE_UNCOMBINABLE] = "denied whatever the arguments: the container's argument "
				    "conditions and those of the policy's seccomp profile \"%s\" "
				    "cannot be written as one filter",
    [SECCOMP_CHANGE_DEFAULT_LOST] = "denied whatever the arguments: the container's profile "
				    "denied them under argument conditions and let them through "
				    "otherwise by its default action, which gives way to that of "
				    "the policy's seccomp profile \"%s\"",
    [SECCOMP_CHANGE_NOT_NATIVE] = "no syscalls of this architecture as libseccomp knows them, "
				  "so they filter nothing here: changed as the policy's seccomp "
				  "profile \"%s\" says all the same",
    [SECCOMP_CHANGE_CONTESTED] = "the container's profile names them under more than one action "
				 "for the same arguments, which runc and crun leave to "
				 "libseccomp's rule order: given the strictest (policy's profile "
				 "\"%s\")",
};

static char *seccomp_names_text(const struct string_list *names)
{
	struct strbuf sb = {0};
	for (size_t i = 0; i < names->len; i++)
		strbuf_appendf(&sb, "%s%s", i ? ", " : "", names->items[i]);
	return strbuf_steal(&sb);
}

static void seccomp_record_syscalls(struct harden_ctx *ctx, struct seccomp_merged *m, size_t offset)
{
	const char *profile_name = ctx->policy->seccomp_profile_name;
	for (int r = 0; r < SECCOMP_CHANGE_REASONS; r++) {
		if (!m->changed_names[r].len)
			continue;
		cleanup_free char *names = seccomp_names_text(&m->changed_names[r]);
		cleanup_free char *why = xasprintf(seccomp_change_reasons[r], profile_name);
		struct decision *d =
		    report_add(ctx->report, DECISION_CHANGE, "seccomp", "linux.seccomp.syscalls",
			       steal_pointer(&m->changed_old[r]), steal_pointer(&m->changed_new[r]),
			       "%s: %s", names, why);
		d->offset = offset;
		/* The policy would keep the container's own rules for names it
		 * treats as allowed; a change that comes from the container's
		 * profile alone no policy key undoes. */
		if (r != SECCOMP_CHANGE_DEFAULT_LOST && r != SECCOMP_CHANGE_CONTESTED &&
		    r != SECCOMP_CHANGE_NOT_NATIVE)
			decision_set_lift(d, "seccomp.allow_syscalls",
					  json_new_string_list(&m->changed_names[r]));
	}
}

static void seccomp_record_default(struct harden_ctx *ctx, struct json *profile,
				   const struct seccomp_merged *m)
{
	const char *profile_name = ctx->policy->seccomp_profile_name;
	cleanup_free char *reason = xasprintf(
	    "the container's profile let through every syscall it does not name; the policy's "
	    "seccomp profile \"%s\" denies those it does not allow",
	    profile_name);
	struct decision *d = harden_set(ctx, "seccomp", profile, "linux.seccomp", "defaultAction",
					json_new_string(m->default_action.name), reason);
	if (d)
		decision_set_lift(d, "seccomp.profile", json_new_string(""));
	if (m->has_default_errno) {
		d = harden_set(ctx, "seccomp", profile, "linux.seccomp", "defaultErrnoRet",
			       json_new_uint(m->default_errno), reason);
	} else {
		struct json *old = json_object_get(profile, "defaultErrnoRet");
		if (!old)
			return;
		d = harden_record_change(ctx, "seccomp", "linux.seccomp.defaultErrnoRet",
					 json_clone(old), NULL, reason);
		json_object_remove(profile, "defaultErrnoRet");
	}
	if (d)
		decision_set_lift(d, "seccomp.profile", json_new_string(""));
}

static void seccomp_record_architectures(struct harden_ctx *ctx, struct json *profile,
					 struct seccomp_merged *m)
{
	cleanup_free char *names = seccomp_names_text(&m->architectures_removed);
	cleanup_free char *reason =
	    xasprintf("%s: the policy's seccomp profile \"%s\" does not list them; a syscall of an "
		      "architecture the filter lacks kills the thread",
		      names, ctx->policy->seccomp_profile_name);
	harden_set(ctx, "seccomp", profile, "linux.seccomp", "architectures",
		   steal_pointer(&m->architectures), reason);
}

/* The policy's profile as the merge reads it: the model compiled in for the
 * embedded profile, any other parsed here, once. */
struct seccomp_policy_profile {
	struct json *tree; /* NULL for the embedded profile */
	struct seccomp_profile read;
	const struct seccomp_profile *model;
};

static int seccomp_policy_profile_load(const struct policy *policy,
				       struct seccomp_policy_profile *out, oh_error_t *err)
{
	*out = (struct seccomp_policy_profile){.model = &embedded_default_seccomp_model};
	if (policy->seccomp_profile_len == embedded_default_seccomp_len &&
	    memcmp(policy->seccomp_profile_text, embedded_default_seccomp,
		   embedded_default_seccomp_len) == 0)
		return 0;
	out->tree = policy_seccomp_profile(policy, err);
	if (!out->tree)
		return -1;
	cleanup_free char *path = xasprintf("seccomp profile \"%s\"", policy->seccomp_profile_name);
	if (seccomp_profile_read(out->tree, path, &out->read, err) < 0)
		return -1;
	out->model = &out->read;
	if (!out->read.has_default_action)
		return oh_error_make(err, 0, "%s: has no defaultAction", path);
	return 0;
}

static void seccomp_policy_profile_clear(struct seccomp_policy_profile *p)
{
	seccomp_profile_clear(&p->read);
	json_free(p->tree);
}

/* Merge the container's profile (read and judged) with the policy's, and
 * write the result into `profile`. */
static void seccomp_merge_into(struct harden_ctx *ctx, struct json *profile,
			       const struct seccomp_profile *container,
			       const struct seccomp_profile *policy_profile)
{
	struct seccomp_merged m;
	seccomp_profile_merge(container, policy_profile, &ctx->policy->seccomp_allow_syscalls, true,
			      &m);
	if (m.changed) {
		size_t offset = container->syscalls ? container->syscalls->offset : profile->offset;
		if (m.default_changed)
			seccomp_record_default(ctx, profile, &m);
		if (m.architectures)
			seccomp_record_architectures(ctx, profile, &m);
		seccomp_record_syscalls(ctx, &m, offset);
		/* The decisions hold what the container's rules were; the
		 * profile gets the merged ones. */
		json_object_set(profile, "syscalls", steal_pointer(&m.syscalls));
	}
	seccomp_merged_clear(&m);
}

static int seccomp_apply(struct harden_ctx *ctx, oh_error_t *err)
{
	if (!ctx->spec)
		return 0;
	struct json *linux_obj;
	if (harden_member_object(ctx->spec, "", "linux", false, &linux_obj, err) < 0)
		return -1;
	struct json *current = linux_obj ? json_object_get(linux_obj, "seccomp") : NULL;
	const struct policy *policy = ctx->policy;
	bool has_policy_profile = policy->seccomp_profile_text != NULL;
	if (current && current->type != JSON_OBJECT)
		return oh_error_make(err, 0, "linux.seccomp: must be an object");
	if (!current)
		return has_policy_profile
			   ? seccomp_install(ctx, linux_obj, "the container had no seccomp profile",
					     err)
			   : 0;
	if (seccomp_filters_nothing(current))
		return has_policy_profile
			   ? seccomp_install(ctx, linux_obj,
					     "the container's seccomp profile had no defaultAction "
					     "and no rules, which runc takes for no filter",
					     err)
			   : 0;

	/* The policy's own profile, as installed by an earlier pass (or as
	 * the container's author copied it), is what the policy asks for and
	 * is left alone: found without parsing it when the policy's text is
	 * compact, as the embedded profile is. */
	if (has_policy_profile && json_equal_compact_text(current, policy->seccomp_profile_text,
							  policy->seccomp_profile_len))
		return 0;
	struct seccomp_policy_profile policy_profile = {0};
	if (has_policy_profile && seccomp_policy_profile_load(policy, &policy_profile, err) < 0) {
		seccomp_policy_profile_clear(&policy_profile);
		return -1;
	}
	if (policy_profile.tree && json_equal(current, policy_profile.tree)) {
		seccomp_policy_profile_clear(&policy_profile);
		return 0;
	}

	/* The embedded profile as an earlier pass installed it (frozen,
	 * json.h), merged now with another policy's: the merge changes it. */
	if (current->frozen) {
		current = json_thaw(current);
		json_object_set(linux_obj, "seccomp", current);
	}
	struct seccomp_profile container;
	int r = seccomp_profile_read(current, "linux.seccomp", &container, err);
	if (r == 0 && !container.has_default_action) {
		/* runc and crun both refuse it (specconv: not a valid action;
		 * crun: "seccomp misses the default action"). */
		r = oh_error_make(err, 0,
				  "linux.seccomp.defaultAction: missing, with syscall rules: runc "
				  "and crun refuse such a profile");
	} else if (r == 0) {
		seccomp_judge_profile(ctx, &container);
		if (has_policy_profile)
			seccomp_merge_into(ctx, current, &container, policy_profile.model);
	}
	seccomp_profile_clear(&container);
	seccomp_policy_profile_clear(&policy_profile);
	return r;
}

const struct harden_module harden_module_seccomp = {
    .name = "seccomp",
    .apply = seccomp_apply,
};
