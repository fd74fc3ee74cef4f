/* SPDX-License-Identifier: Apache-2.0 */
/* The merge of a container's seccomp profile with the policy's.
 *
 * The promise: the merged filter never lets a syscall through where the
 * policy's profile denies it, and denies every call the container's own
 * profile denied. Where the container's profile already keeps both, it stays
 * as it was written.
 *
 * Each syscall is looked at alone. Its treatment by one profile is one of:
 *   ALWAYS      one action whatever the arguments (a rule without conditions,
 *               or the default action when no rule names it);
 *   ALLOWS_IF   let through when one of some sets of conditions holds,
 *               denied by the default action otherwise;
 *   DENIES_IF   denied when one of some sets holds, let through otherwise;
 *   SAME_CLASS  conditional rules whose action is of the same kind as the
 *               default's (a different errno, or SCMP_ACT_LOG among allows):
 *               always denied, or never.
 * SCMP_ACT_LOG lets through. An action that hands the decision to someone
 * else (SCMP_ACT_NOTIFY, SCMP_ACT_TRACE, or one not known) counts, in the
 * container's profile, as not denying; in the policy's, as denying, since
 * the merged filter has no agent or tracer of the policy's.
 *
 * The merged default action is the container's when it denies, else the
 * policy's when that denies, else the container's. Per syscall, with C the
 * container's treatment and P the policy's (a name in the policy's
 * seccomp.allow_syscalls is ALWAYS allowed by the policy):
 *   - C always denies: kept.
 *   - P always lets through: C is kept (a DENIES_IF whose allowing default
 *     the policy's replaces becomes ALWAYS denied: conditions that only say
 *     where to deny cannot be kept against a denying default).
 *   - P always denies: denied, with the policy's action (its errno: clone3's
 *     ENOSYS stays ENOSYS).
 *   - P ALLOWS_IF: C's allow gets the policy's conditions. When C has
 *     conditions of its own, the result lets through only where a set of
 *     C's and a set of P's both hold: each pair is written as one set when
 *     the two can be (conditions on different arguments; equal ones; an
 *     SCMP_CMP_EQ against the other's test of its value; two
 *     SCMP_CMP_MASKED_EQ into one), and a pair that cannot is left out,
 *     which denies more, never less. A DENIES_IF of C cannot be combined
 *     with P's conditions: denied.
 *   - P DENIES_IF (a policy profile whose default lets through): the
 *     policy's denials are added to C's, or the syscall is denied where C's
 *     denying default makes the mix impossible to write.
 * A set is left out of a result when another set of it already lets through
 * (or denies) everything it does, so that merging again changes nothing.
 *
 * A syscall the container's profile names under two actions whose
 * conditions may both hold is left by runc and crun to libseccomp's rule
 * order. The merge does not guess: it is denied (with the first denying
 * action), or when both actions let through, or both deny, given one of
 * them. Rules of different actions whose conditions cannot both hold (one
 * tests an argument for 9, the other for not 9) are kept as written. In the
 * merged profile every syscall has one action, or such disjoint rules.
 *
 * Architectures: the container keeps those of its list that the policy's
 * profile lists too, and the native one, which every filter has; a syscall
 * of any other kills the thread. Flags and the listener are the container's
 * (judged by the seccomp module); the policy's apply only where its profile
 * is installed whole. */
#include <errno.h>
#include <string.h>

#include "seccomp_profile.h"

#define NONE UINT32_MAX

/* ---- conditions ------------------------------------------------------------ */

static bool cond_unsatisfiable(const struct seccomp_cond *c)
{
	switch (c->op) {
	case SECCOMP_OP_MASKED_EQ:
		return (c->value_two & ~c->value) != 0;
	case SECCOMP_OP_LT:
		return c->value == 0;
	case SECCOMP_OP_GT:
		return c->value == UINT64_MAX;
	default:
		return false;
	}
}

/* Whether the argument value `v` satisfies `c`: 1 or 0; -1 for an operator
 * nobody knows. Comparisons are unsigned and 64 bits wide, as libseccomp
 * makes them on a 64-bit architecture. */
static int cond_holds_for(const struct seccomp_cond *c, uint64_t v)
{
	switch (c->op) {
	case SECCOMP_OP_NE:
		return v != c->value;
	case SECCOMP_OP_LT:
		return v < c->value;
	case SECCOMP_OP_LE:
		return v <= c->value;
	case SECCOMP_OP_EQ:
		return v == c->value;
	case SECCOMP_OP_GE:
		return v >= c->value;
	case SECCOMP_OP_GT:
		return v > c->value;
	case SECCOMP_OP_MASKED_EQ:
		return (v & c->value) == c->value_two;
	case SECCOMP_OP_UNKNOWN:
		break;
	}
	return -1;
}

static bool cond_equal(const struct seccomp_cond *a, const struct seccomp_cond *b)
{
	if (a->index != b->index || a->op != b->op || a->value != b->value)
		return false;
	/* valueTwo means something to SCMP_CMP_MASKED_EQ only. */
	if ((a->op == SECCOMP_OP_MASKED_EQ || a->op == SECCOMP_OP_UNKNOWN) &&
	    a->value_two != b->value_two)
		return false;
	return a->op != SECCOMP_OP_UNKNOWN || strcmp(a->op_name, b->op_name) == 0;
}

enum meet {
	MEET_EMPTY,	    /* both cannot hold */
	MEET_ONE,	    /* both hold exactly when the result does */
	MEET_INEXPRESSIBLE, /* no one condition says it */
};

/* Both conditions, on one argument, as one. */
static enum meet cond_meet(const struct seccomp_cond *a, const struct seccomp_cond *b,
			   struct seccomp_cond *out)
{
	if (cond_unsatisfiable(a) || cond_unsatisfiable(b))
		return MEET_EMPTY;
	if (cond_equal(a, b)) {
		*out = *a;
		return MEET_ONE;
	}
	if (b->op == SECCOMP_OP_EQ) {
		const struct seccomp_cond *t = a;
		a = b;
		b = t;
	}
	if (a->op == SECCOMP_OP_EQ) {
		int holds = cond_holds_for(b, a->value);
		if (holds < 0)
			return MEET_INEXPRESSIBLE;
		*out = *a;
		return holds ? MEET_ONE : MEET_EMPTY;
	}
	if (a->op == SECCOMP_OP_MASKED_EQ && b->op == SECCOMP_OP_MASKED_EQ) {
		/* (x & ma) == va and (x & mb) == vb: the bits both masks test
		 * must agree; then (x & (ma|mb)) == (va|vb). */
		if ((a->value_two & b->value) != (b->value_two & a->value))
			return MEET_EMPTY;
		*out = *a;
		out->value = a->value | b->value;
		out->value_two = a->value_two | b->value_two;
		out->value_two_written = true;
		return MEET_ONE;
	}
	return MEET_INEXPRESSIBLE;
}

/* Whether `a` holding means `b` holds (on the same argument). Only the
 * cases the merge writes itself need an answer; "no" is always safe. */
static bool cond_implies(const struct seccomp_cond *a, const struct seccomp_cond *b)
{
	if (cond_unsatisfiable(a) || cond_equal(a, b))
		return true;
	if (a->op == SECCOMP_OP_EQ)
		return cond_holds_for(b, a->value) == 1;
	if (a->op == SECCOMP_OP_MASKED_EQ && b->op == SECCOMP_OP_MASKED_EQ)
		return (b->value & ~a->value) == 0 && (a->value_two & b->value) == b->value_two;
	return false;
}

static bool set_unsatisfiable(const struct seccomp_condset *s)
{
	for (uint8_t i = 0; i < s->len; i++)
		if (cond_unsatisfiable(&s->conds[i]))
			return true;
	return false;
}

/* Both sets, as one (conditions stay in argument order). */
static enum meet set_meet(const struct seccomp_condset *a, const struct seccomp_condset *b,
			  struct seccomp_condset *out)
{
	bool inexpressible = false;
	uint8_t i = 0, j = 0;
	out->len = 0;
	while (i < a->len || j < b->len) {
		struct seccomp_cond *c = &out->conds[out->len];
		if (j == b->len || (i < a->len && a->conds[i].index < b->conds[j].index)) {
			*c = a->conds[i++];
		} else if (i == a->len || b->conds[j].index < a->conds[i].index) {
			*c = b->conds[j++];
		} else {
			enum meet m = cond_meet(&a->conds[i++], &b->conds[j++], c);
			if (m == MEET_EMPTY)
				return MEET_EMPTY;
			if (m == MEET_INEXPRESSIBLE) {
				inexpressible = true;
				continue;
			}
		}
		if (cond_unsatisfiable(c))
			return MEET_EMPTY;
		out->len++;
	}
	return inexpressible ? MEET_INEXPRESSIBLE : MEET_ONE;
}

/* Whether every argument tuple `a` accepts, `b` accepts too. */
static bool set_implies(const struct seccomp_condset *a, const struct seccomp_condset *b)
{
	if (set_unsatisfiable(a))
		return true;
	for (uint8_t j = 0; j < b->len; j++) {
		bool implied = false;
		for (uint8_t i = 0; i < a->len && !implied; i++)
			implied = a->conds[i].index == b->conds[j].index &&
				  cond_implies(&a->conds[i], &b->conds[j]);
		if (!implied)
			return false;
	}
	return true;
}

/* ---- sets of conditions, kept in one pool ---------------------------------- */

struct set_pool {
	struct seccomp_condset *items;
	size_t len, cap;
};

static void pool_add(struct set_pool *pool, const struct seccomp_condset *set)
{
	pool->items = xgrow(pool->items, &pool->cap, pool->len + 1, sizeof(*pool->items));
	pool->items[pool->len++] = *set;
}

/* Drop from the pool's sets [start, len) those that can never hold and
 * those another one of them covers (the first of equal ones stays). */
static void pool_minimize(struct set_pool *pool, size_t start)
{
	size_t kept = start;
	for (size_t i = start; i < pool->len; i++) {
		const struct seccomp_condset *s = &pool->items[i];
		bool covered = set_unsatisfiable(s);
		for (size_t j = start; j < pool->len && !covered; j++) {
			if (j == i || set_unsatisfiable(&pool->items[j]))
				continue;
			covered = set_implies(s, &pool->items[j]) &&
				  (j < i || !set_implies(&pool->items[j], s));
		}
		if (!covered)
			pool->items[kept++] = *s;
	}
	pool->len = kept;
}

/* ---- one profile's treatment of one syscall --------------------------------- */

enum shape {
	SHAPE_ALWAYS,
	SHAPE_ALLOWS_IF,
	SHAPE_DENIES_IF,
	SHAPE_SAME_CLASS,
};

struct treatment {
	enum shape shape;
	struct seccomp_action action;
	size_t sets, sets_len; /* in the pool */
	/* Its rules, of more than one action but never both matching, may be
	 * written back as the profile has them. */
	bool verbatim;
	/* Named under actions whose conditions may overlap. */
	bool contested;
	/* ALWAYS because no rule names it: the default action. */
	bool by_default;
};

/* The policy's profile is read with one difference: what is not a denial
 * and not an allow is a denial, written as EPERM. */
static const struct seccomp_action policy_stand_in_denial = {
    .code = SECCOMP_ACT_ERRNO,
    .data = EPERM,
    .name = "SCMP_ACT_ERRNO",
};

struct side {
	const struct seccomp_profile *profile;
	bool is_policy;
	struct seccomp_action default_action;
	uint32_t *next; /* the next mention of the same name */
};

static enum seccomp_action_class side_class(const struct side *side,
					    const struct seccomp_action *action)
{
	enum seccomp_action_class c = seccomp_action_class(action);
	return side->is_policy && c == SECCOMP_DEFERS ? SECCOMP_DENIES : c;
}

static bool denies(const struct side *side, const struct seccomp_action *action)
{
	return side_class(side, action) == SECCOMP_DENIES;
}

static struct seccomp_action side_action(const struct side *side,
					 const struct seccomp_action *action)
{
	if (side->is_policy && seccomp_action_class(action) == SECCOMP_DEFERS)
		return policy_stand_in_denial;
	return *action;
}

/* The rules of `head`'s list that are not the default action: the runtimes
 * skip those. */
static const struct seccomp_rule *mention_rule(const struct side *side, uint32_t m)
{
	const struct seccomp_rule *r = &side->profile->rules[side->profile->mentions[m].rule];
	return seccomp_action_equal(&r->action, &side->profile->default_action) ? NULL : r;
}

static void add_sets_of_class(const struct side *side, uint32_t head, bool deny,
			      struct set_pool *pool, struct treatment *t)
{
	t->sets = pool->len;
	for (uint32_t m = head; m != NONE; m = side->next[m]) {
		const struct seccomp_rule *r = mention_rule(side, m);
		if (r && denies(side, &r->action) == deny)
			pool_add(pool, &r->set);
	}
	t->sets_len = pool->len - t->sets;
}

static void treat(const struct side *side, uint32_t head, struct set_pool *pool,
		  struct treatment *t)
{
	*t = (struct treatment){
	    .shape = SHAPE_ALWAYS,
	    .action = side->default_action,
	    .by_default = true,
	};
	/* Most names: one rule, no conditions. */
	if (head != NONE && side->next[head] == NONE) {
		const struct seccomp_rule *r = mention_rule(side, head);
		if (r && r->set.len == 0) {
			t->by_default = false;
			t->action = side_action(side, &r->action);
			return;
		}
	}
	const struct seccomp_rule *first = NULL, *first_deny = NULL, *first_defer = NULL;
	bool several = false, unconditional = false;
	for (uint32_t m = head; m != NONE; m = side->next[m]) {
		const struct seccomp_rule *r = mention_rule(side, m);
		if (!r)
			continue;
		if (!first)
			first = r;
		else if (!seccomp_action_equal(&first->action, &r->action))
			several = true;
		unconditional |= r->set.len == 0;
		if (!first_deny && denies(side, &r->action))
			first_deny = r;
		if (!first_defer && seccomp_action_class(&r->action) == SECCOMP_DEFERS)
			first_defer = r;
	}
	if (!first)
		return;
	t->by_default = false;
	/* The one action that lets through: a deferring one when there is
	 * one, the stricter choice. */
	const struct seccomp_rule *letting = first_defer && !side->is_policy ? first_defer : NULL;
	for (uint32_t m = head; !letting && m != NONE; m = side->next[m]) {
		const struct seccomp_rule *r = mention_rule(side, m);
		if (r && !denies(side, &r->action))
			letting = r;
	}

	if (several) {
		bool cross = unconditional, same = false;
		for (uint32_t m = head; m != NONE && !cross; m = side->next[m]) {
			const struct seccomp_rule *a = mention_rule(side, m);
			for (uint32_t n = a ? side->next[m] : NONE; n != NONE && !cross;
			     n = side->next[n]) {
				const struct seccomp_rule *b = mention_rule(side, n);
				struct seccomp_condset both;
				if (!b || seccomp_action_equal(&a->action, &b->action) ||
				    set_meet(&a->set, &b->set, &both) == MEET_EMPTY)
					continue;
				if (denies(side, &a->action) != denies(side, &b->action))
					cross = true;
				else
					same = true;
			}
		}
		if (cross) {
			/* Which rule wins is libseccomp's order: deny. */
			t->contested = true;
			t->action = side_action(side, &(first_deny ? first_deny : letting)->action);
			return;
		}
		t->contested = same;
	} else if (unconditional) {
		t->action = side_action(side, &first->action);
		return;
	}
	t->verbatim = !t->contested;
	bool default_denies = denies(side, &side->default_action);
	if (default_denies && letting) {
		t->shape = SHAPE_ALLOWS_IF;
		t->action = side_action(side, &letting->action);
		add_sets_of_class(side, head, false, pool, t);
	} else if (!default_denies && first_deny) {
		t->shape = SHAPE_DENIES_IF;
		t->action = side_action(side, &first_deny->action);
		add_sets_of_class(side, head, true, pool, t);
	} else {
		t->shape = SHAPE_SAME_CLASS;
		t->action = side_action(side, &(default_denies ? first_deny : letting)->action);
		add_sets_of_class(side, head, default_denies, pool, t);
	}
}

/* The policy's treatment, reduced to what the merge asks of it: ALWAYS,
 * ALLOWS_IF with a denying default, or DENIES_IF with an allowing one. */
static void treat_policy(const struct side *side, uint32_t head, bool allowed_by_name,
			 struct set_pool *pool, struct treatment *t)
{
	if (allowed_by_name) {
		*t = (struct treatment){
		    .shape = SHAPE_ALWAYS,
		    .action = {.code = SECCOMP_ACT_ALLOW, .name = "SCMP_ACT_ALLOW"},
		};
		return;
	}
	treat(side, head, pool, t);
	if (t->shape == SHAPE_SAME_CLASS) {
		t->shape = SHAPE_ALWAYS;
		if (denies(side, &t->action)) {
			t->action = side->default_action;
			t->by_default = true;
		}
	}
}

/* ---- the merge of one syscall ---------------------------------------------- */

enum result_kind {
	RESULT_KEEP, /* the container's treatment */
	RESULT_ALWAYS,
	RESULT_ALLOWS_IF,
	RESULT_DENIES_IF,
};

struct result {
	enum result_kind kind;
	struct seccomp_action action;
	size_t sets, sets_len;
	int reason; /* enum seccomp_change_reason, or -1 */
};

struct merge_ctx {
	struct side c, p;
	struct seccomp_action merged_default;
	bool default_same; /* the merged default is the container's */
	struct set_pool pool;
};

static bool always_denies(const struct side *side, const struct treatment *t)
{
	return (t->shape == SHAPE_ALWAYS || t->shape == SHAPE_SAME_CLASS) &&
	       denies(side, &t->action);
}

/* Every set of `a` is covered by one of `b`. */
static bool sets_covered(const struct set_pool *pool, size_t a, size_t a_len, size_t b,
			 size_t b_len)
{
	for (size_t i = a; i < a + a_len; i++) {
		bool covered = set_unsatisfiable(&pool->items[i]);
		for (size_t j = b; j < b + b_len && !covered; j++)
			covered = set_implies(&pool->items[i], &pool->items[j]);
		if (!covered)
			return false;
	}
	return true;
}

static void result_always(struct result *r, const struct seccomp_action *action, int reason)
{
	r->kind = RESULT_ALWAYS;
	r->action = *action;
	r->reason = reason;
}

static void result_sets(struct result *r, enum result_kind kind,
			const struct seccomp_action *action, size_t sets, size_t sets_len,
			int reason)
{
	*r = (struct result){kind, *action, sets, sets_len, reason};
}

/* C lets through where a set of its own and one of the policy's hold. */
static void merge_allows_if(struct merge_ctx *ctx, const struct treatment *c,
			    const struct treatment *p, struct result *r)
{
	struct set_pool *pool = &ctx->pool;
	if (sets_covered(pool, c->sets, c->sets_len, p->sets, p->sets_len)) {
		r->kind = RESULT_KEEP;
		return;
	}
	size_t start = pool->len;
	bool dropped = false;
	for (size_t i = c->sets; i < c->sets + c->sets_len; i++)
		for (size_t j = p->sets; j < p->sets + p->sets_len; j++) {
			struct seccomp_condset both;
			enum meet m = set_meet(&pool->items[i], &pool->items[j], &both);
			if (m == MEET_ONE)
				pool_add(pool, &both);
			dropped |= m == MEET_INEXPRESSIBLE;
		}
	pool_minimize(pool, start);
	if (pool->len == start)
		result_always(r, &ctx->merged_default,
			      dropped ? SECCOMP_CHANGE_UNCOMBINABLE : SECCOMP_CHANGE_DENIED);
	else
		result_sets(r, RESULT_ALLOWS_IF, &c->action, start, pool->len - start,
			    SECCOMP_CHANGE_CONDITIONED);
}

static void merge_one(struct merge_ctx *ctx, const struct treatment *c, const struct treatment *p,
		      struct result *r)
{
	const struct side *cs = &ctx->c, *ps = &ctx->p;
	*r = (struct result){.kind = RESULT_KEEP, .reason = -1};
	if (always_denies(cs, c)) {
		/* kept */
	} else if (p->shape == SHAPE_ALWAYS && !denies(ps, &p->action)) {
		/* Conditions that only say where to deny mean something else
		 * once the default denies. */
		if (!ctx->default_same && c->shape == SHAPE_DENIES_IF)
			result_always(r, &c->action, SECCOMP_CHANGE_DEFAULT_LOST);
		else if (!ctx->default_same && c->shape == SHAPE_SAME_CLASS)
			result_always(r, &cs->default_action, -1);
	} else if (p->shape == SHAPE_ALWAYS) {
		/* Taken out of the container's rules, it gets the merged
		 * default, unless the policy's profile names it with an action
		 * of its own (clone3's ENOSYS). */
		result_always(r, p->by_default ? &ctx->merged_default : &p->action,
			      SECCOMP_CHANGE_DENIED);
	} else if (p->shape == SHAPE_ALLOWS_IF) {
		if (c->shape == SHAPE_ALLOWS_IF)
			merge_allows_if(ctx, c, p, r);
		else if (c->shape == SHAPE_DENIES_IF)
			result_always(r, &c->action, SECCOMP_CHANGE_UNCOMBINABLE);
		else
			result_sets(r, RESULT_ALLOWS_IF, &c->action, p->sets, p->sets_len,
				    SECCOMP_CHANGE_CONDITIONED);
	} else if (c->shape == SHAPE_DENIES_IF) {
		/* The policy's profile denies under conditions and lets the
		 * rest through: the merged default is the container's. */
		if (!sets_covered(&ctx->pool, p->sets, p->sets_len, c->sets, c->sets_len)) {
			size_t start = ctx->pool.len;
			for (size_t i = c->sets; i < c->sets + c->sets_len; i++)
				pool_add(&ctx->pool, &ctx->pool.items[i]);
			for (size_t j = p->sets; j < p->sets + p->sets_len; j++)
				pool_add(&ctx->pool, &ctx->pool.items[j]);
			pool_minimize(&ctx->pool, start);
			result_sets(r, RESULT_DENIES_IF, &c->action, start, ctx->pool.len - start,
				    SECCOMP_CHANGE_CONDITIONED);
		}
	} else if (c->shape == SHAPE_ALLOWS_IF || denies(cs, &ctx->merged_default)) {
		result_always(r, c->shape == SHAPE_ALLOWS_IF ? &ctx->merged_default : &p->action,
			      SECCOMP_CHANGE_UNCOMBINABLE);
	} else {
		result_sets(r, RESULT_DENIES_IF, &p->action, p->sets, p->sets_len,
			    SECCOMP_CHANGE_CONDITIONED);
	}
	if (r->reason < 0 && c->contested)
		r->reason = SECCOMP_CHANGE_CONTESTED;
}

/* ---- writing rules ------------------------------------------------------------ */

/* Rules in the usual shape: one rule per action for the syscalls it takes
 * whatever their arguments, then one per syscall and set of conditions. */
struct emitter {
	const struct seccomp_action *skip; /* rules of this action are not written */
	struct {
		struct seccomp_action action;
		struct json *rule, *names;
	} groups[16];
	size_t groups_len;
	struct json *conditional; /* array */
	bool take;		  /* names may be taken from the container's tree */
};

/* The name's node: the container's own when it may be taken, else a copy. */
static struct json *emit_name(const struct emitter *e, const char *name, struct json **node)
{
	if (e->take && node && *node)
		return steal_pointer(node);
	return json_new_string(name);
}

static struct json *rule_new(const struct seccomp_action *action, struct json **names)
{
	struct json *rule = json_new_object();
	*names = json_new_array();
	json_object_set(rule, "names", *names);
	json_object_set(rule, "action", json_new_string(action->name));
	if (seccomp_action_has_errno(action->code))
		json_object_set(rule, "errnoRet", json_new_uint(action->data));
	return rule;
}

static void emit_unconditional(struct emitter *e, const char *name, struct json **node,
			       const struct seccomp_action *action)
{
	if (e->skip && seccomp_action_equal(e->skip, action))
		return;
	size_t g = 0;
	while (g < e->groups_len && !seccomp_action_equal(&e->groups[g].action, action))
		g++;
	if (g == e->groups_len) {
		/* More than 16 distinct actions: one rule per syscall, for the
		 * rest, as conditional ones are. */
		if (g == ARRAY_SIZE(e->groups)) {
			struct json *names;
			struct json *rule = rule_new(action, &names);
			json_array_append(names, emit_name(e, name, node));
			if (!e->conditional)
				e->conditional = json_new_array();
			json_array_append(e->conditional, rule);
			return;
		}
		e->groups[g].action = *action;
		e->groups[g].rule = rule_new(action, &e->groups[g].names);
		e->groups_len++;
	}
	json_array_append(e->groups[g].names, emit_name(e, name, node));
}

static void emit_conditional(struct emitter *e, const char *name, struct json **node,
			     const struct seccomp_action *action, const struct seccomp_condset *set)
{
	if (set->len == 0) {
		emit_unconditional(e, name, node, action);
		return;
	}
	if (e->skip && seccomp_action_equal(e->skip, action))
		return;
	struct json *names;
	struct json *rule = rule_new(action, &names);
	json_array_append(names, emit_name(e, name, node));
	struct json *args = json_new_array();
	for (uint8_t i = 0; i < set->len; i++) {
		const struct seccomp_cond *c = &set->conds[i];
		struct json *arg = json_new_object();
		json_object_set(arg, "index", json_new_uint(c->index));
		json_object_set(arg, "value", json_new_uint(c->value));
		if (c->value_two_written || c->value_two != 0)
			json_object_set(arg, "valueTwo", json_new_uint(c->value_two));
		json_object_set(arg, "op", json_new_string(c->op_name));
		json_array_append(args, arg);
	}
	json_object_set(rule, "args", args);
	if (!e->conditional)
		e->conditional = json_new_array();
	json_array_append(e->conditional, rule);
}

static struct json *emit_finish(struct emitter *e)
{
	struct json *rules = json_new_array();
	for (size_t g = 0; g < e->groups_len; g++)
		json_array_append(rules, e->groups[g].rule);
	for (size_t i = 0; e->conditional && i < e->conditional->array.len; i++)
		json_array_append(rules, e->conditional->array.items[i]);
	if (e->conditional) {
		/* The items moved to `rules`. */
		e->conditional->array.len = 0;
		json_free(e->conditional);
	}
	*e = (struct emitter){.skip = e->skip, .take = e->take};
	return rules;
}

/* The container's treatment of `name`: `as_written`, its own rules (the
 * default action when it has none); otherwise the treatment's, which is
 * what the rules say with one action where they had overlapping ones. */
/* The node of the container's first mention of a name, or NULL. */
static struct json **head_node(const struct merge_ctx *ctx, uint32_t head)
{
	return head == NONE ? NULL : ctx->c.profile->mentions[head].node;
}

static void emit_container(struct merge_ctx *ctx, struct emitter *e, const char *name,
			   uint32_t head, const struct treatment *t, bool as_written)
{
	if (as_written || (t->verbatim && t->shape != SHAPE_ALWAYS)) {
		bool any = false;
		for (uint32_t m = head; m != NONE; m = ctx->c.next[m]) {
			const struct seccomp_rule *r = mention_rule(&ctx->c, m);
			if (r)
				emit_conditional(e, name, ctx->c.profile->mentions[m].node,
						 &r->action, &r->set);
			any |= r != NULL;
		}
		if (any)
			return;
	}
	if (t->shape == SHAPE_ALWAYS) {
		emit_unconditional(e, name, head_node(ctx, head), &t->action);
	} else {
		for (size_t i = t->sets; i < t->sets + t->sets_len; i++)
			emit_conditional(e, name, head_node(ctx, head), &t->action,
					 &ctx->pool.items[i]);
	}
}

static void emit_result(struct merge_ctx *ctx, struct emitter *e, const char *name, uint32_t head,
			const struct treatment *c, const struct result *r)
{
	if (r->kind == RESULT_KEEP)
		emit_container(ctx, e, name, head, c, false);
	else if (r->kind == RESULT_ALWAYS)
		emit_unconditional(e, name, head_node(ctx, head), &r->action);
	else
		for (size_t i = r->sets; i < r->sets + r->sets_len; i++)
			emit_conditional(e, name, head_node(ctx, head), &r->action,
					 &ctx->pool.items[i]);
}

/* ---- names ------------------------------------------------------------------ */

struct slot {
	const char *name;
	uint32_t c_head, c_tail, p_head, p_tail;
	bool allowed_by_name;
};

struct name_index {
	uint32_t *table; /* slot + 1, 0 for empty */
	size_t mask;
	struct slot *slots;
	size_t len;
};

static uint32_t name_hash(const char *s)
{
	uint32_t h = 2166136261u; /* FNV-1a */
	for (; *s; s++)
		h = (h ^ (uint8_t)*s) * 16777619u;
	return h;
}

static void index_init(struct name_index *ix, size_t names)
{
	size_t size = 64;
	while (size < 2 * names)
		size *= 2;
	ix->table = xcalloc(size, sizeof(*ix->table));
	ix->mask = size - 1;
	ix->slots = xmalloc((names + 1) * sizeof(*ix->slots)); /* written as filled */
	ix->len = 0;
}

static struct slot *index_slot(struct name_index *ix, const char *name)
{
	size_t h = name_hash(name) & ix->mask;
	while (ix->table[h]) {
		struct slot *s = &ix->slots[ix->table[h] - 1];
		if (strcmp(s->name, name) == 0)
			return s;
		h = (h + 1) & ix->mask;
	}
	struct slot *s = &ix->slots[ix->len++];
	*s = (struct slot){name, NONE, NONE, NONE, NONE, false};
	ix->table[h] = (uint32_t)ix->len;
	return s;
}

static void index_side(struct name_index *ix, struct side *side, bool policy)
{
	const struct seccomp_profile *p = side->profile;
	side->next = xmalloc((p->mentions_len + 1) * sizeof(*side->next));
	for (uint32_t m = 0; m < p->mentions_len; m++) {
		struct slot *s = index_slot(ix, p->mentions[m].name);
		uint32_t *head = policy ? &s->p_head : &s->c_head;
		uint32_t *tail = policy ? &s->p_tail : &s->c_tail;
		side->next[m] = NONE;
		if (*tail == NONE)
			*head = m;
		else
			side->next[*tail] = m;
		*tail = m;
	}
}

static int native_name_compare(const void *key, const void *entry)
{
	return strcmp(key, *(const char *const *)entry);
}

bool seccomp_native_syscall(const char *name)
{
	return bsearch(name, seccomp_native_syscall_names, seccomp_native_syscall_names_len,
		       sizeof(seccomp_native_syscall_names[0]), native_name_compare) != NULL;
}

/* ---- architectures ---------------------------------------------------------- */

static bool architecture_listed(const struct seccomp_profile *p, const char *arch)
{
	for (size_t i = 0; i < p->architectures_len; i++)
		if (strcmp(p->architectures[i], arch) == 0)
			return true;
	return false;
}

/* Returns whether the merged filter is for the native architecture alone. */
static bool merge_architectures(const struct seccomp_profile *c, const struct seccomp_profile *p,
				struct seccomp_merged *out)
{
	const char *native = seccomp_native_architecture();
	if (!c->architectures)
		return native != NULL;
	bool native_only = native != NULL;
	struct json *kept = json_new_array();
	for (size_t i = 0; i < c->architectures_len; i++) {
		const char *arch = c->architectures[i];
		bool is_native = native && strcmp(arch, native) == 0;
		if (is_native || architecture_listed(p, arch)) {
			json_array_append(kept, json_new_string(arch));
			native_only &= is_native;
		} else {
			string_list_add(&out->architectures_removed, arch);
		}
	}
	if (out->architectures_removed.len)
		out->architectures = kept;
	else
		json_free(kept);
	return native_only;
}

/* ---- the merge -------------------------------------------------------------- */

void seccomp_profile_merge(const struct seccomp_profile *container,
			   const struct seccomp_profile *policy,
			   const struct string_list *allow_syscalls, bool take_names,
			   struct seccomp_merged *out)
{
	*out = (struct seccomp_merged){0};
	struct merge_ctx ctx = {
	    .c = {.profile = container, .default_action = container->default_action},
	    .p = {.profile = policy, .is_policy = true},
	};
	ctx.p.default_action = side_action(&ctx.p, &policy->default_action);

	/* The merged default action. */
	out->default_action = container->default_action;
	out->has_default_errno = container->has_default_errno;
	out->default_errno = container->default_errno;
	if (!denies(&ctx.c, &ctx.c.default_action) && denies(&ctx.p, &ctx.p.default_action)) {
		/* The policy's stand-in denial is EPERM, which needs no
		 * defaultErrnoRet. */
		bool stand_in = seccomp_action_class(&policy->default_action) == SECCOMP_DEFERS;
		out->default_action = ctx.p.default_action;
		out->has_default_errno = !stand_in && policy->has_default_errno;
		out->default_errno = policy->default_errno;
		out->default_changed = true;
	}
	ctx.merged_default = out->default_action;
	ctx.default_same = !out->default_changed;

	bool native_only = merge_architectures(container, policy, out);

	size_t n_allow = allow_syscalls ? allow_syscalls->len : 0;
	struct name_index ix;
	index_init(&ix, container->mentions_len + policy->mentions_len + n_allow);
	index_side(&ix, &ctx.c, false);
	index_side(&ix, &ctx.p, true);
	for (size_t i = 0; i < n_allow; i++)
		index_slot(&ix, allow_syscalls->items[i])->allowed_by_name = true;

	/* Each is written before it is read. */
	struct treatment *cts = xmalloc((ix.len + 1) * sizeof(*cts));
	struct result *results = xmalloc((ix.len + 1) * sizeof(*results));
	bool changed = out->default_changed || out->architectures;
	for (size_t i = 0; i < ix.len; i++) {
		const struct slot *s = &ix.slots[i];
		struct treatment pt;
		treat(&ctx.c, s->c_head, &ctx.pool, &cts[i]);
		treat_policy(&ctx.p, s->p_head, s->allowed_by_name, &ctx.pool, &pt);
		merge_one(&ctx, &cts[i], &pt, &results[i]);
		if (results[i].reason >= 0 && native_only && !seccomp_native_syscall(s->name))
			results[i].reason = SECCOMP_CHANGE_NOT_NATIVE;
		changed |= results[i].reason >= 0;
	}

	if (changed) {
		out->changed = true;
		struct emitter merged = {.skip = &ctx.merged_default, .take = take_names};
		struct emitter old[SECCOMP_CHANGE_REASONS] = {0}, new[SECCOMP_CHANGE_REASONS] = {0};
		for (size_t i = 0; i < ix.len; i++) {
			const struct slot *s = &ix.slots[i];
			emit_result(&ctx, &merged, s->name, s->c_head, &cts[i], &results[i]);
			int reason = results[i].reason;
			if (reason < 0)
				continue;
			string_list_add(&out->changed_names[reason], s->name);
			emit_container(&ctx, &old[reason], s->name, s->c_head, &cts[i], true);
			emit_result(&ctx, &new[reason], s->name, s->c_head, &cts[i], &results[i]);
		}
		out->syscalls = emit_finish(&merged);
		for (int r = 0; r < SECCOMP_CHANGE_REASONS; r++) {
			if (!out->changed_names[r].len)
				continue;
			out->changed_old[r] = emit_finish(&old[r]);
			out->changed_new[r] = emit_finish(&new[r]);
		}
	}
	xfree(cts);
	xfree(results);
	xfree(ix.table);
	xfree(ix.slots);
	xfree(ctx.c.next);
	xfree(ctx.p.next);
	xfree(ctx.pool.items);
}

void seccomp_merged_clear(struct seccomp_merged *merge)
{
	json_free(merge->architectures);
	string_list_clear(&merge->architectures_removed);
	json_free(merge->syscalls);
	for (int r = 0; r < SECCOMP_CHANGE_REASONS; r++) {
		string_list_clear(&merge->changed_names[r]);
		json_free(merge->changed_old[r]);
		json_free(merge->changed_new[r]);
	}
	*merge = (struct seccomp_merged){0};
}
