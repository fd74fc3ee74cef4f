/* SPDX-License-Identifier: Apache-2.0 */
/* Deny by default: walk every node of the config against the spec model
 * (spec_model.h). A member the model does not know, at any depth outside a
 * Go map, and a field the model refuses are refused unless the policy's
 * allow.fields names its model path. Every other verdict belongs to the
 * module the model names, which runs in its turn. */
#include <string.h>
#include <strings.h>

#include "module.h"
#include "spec_model.h"

static int spec_field_compare(const void *key, const void *entry)
{
	return strcmp(key, ((const struct spec_field *)entry)->path);
}

const struct spec_field *spec_model_find(const char *path)
{
	return bsearch(path, spec_model_fields, spec_model_fields_len, sizeof(spec_model_fields[0]),
		       spec_field_compare);
}

const struct spec_field *spec_model_member(const struct spec_field *parent, const char *key)
{
	if (!parent)
		return NULL;
	const unsigned short *members = spec_model_members + parent->members;
	size_t low = 0, high = parent->members_len;
	while (low < high) {
		size_t mid = low + (high - low) / 2;
		const struct spec_field *f = &spec_model_fields[members[mid]];
		const char *name = f->path + f->name_offset;
		/* The first byte settles most steps without a call (no name is
		 * empty: equal first bytes are not the terminator). */
		int order = (unsigned char)key[0] - (unsigned char)name[0];
		if (order == 0)
			order = strcmp(key + 1, name + 1);
		if (order == 0)
			return f;
		if (order < 0)
			high = mid;
		else
			low = mid + 1;
	}
	return NULL;
}

const struct spec_field *spec_model_items(const struct spec_field *parent)
{
	return parent && parent->items >= 0 ? &spec_model_fields[parent->items] : NULL;
}

const struct spec_field *spec_model_values(const struct spec_field *parent)
{
	return parent && parent->values >= 0 ? &spec_model_fields[parent->values] : NULL;
}

const char *spec_verdict_name(enum spec_verdict verdict)
{
	static const char *const names[] = {
	    [SPEC_PASSED] = "passed",	[SPEC_HARDENED] = "hardened", [SPEC_JUDGED] = "judged",
	    [SPEC_REFUSED] = "refused", [SPEC_IGNORED] = "ignored",
	};
	return names[verdict];
}

/* The known sibling that `key` spells differently, as Go's encoding/json
 * would take it (case-insensitive match of a field name), or NULL. */
static const char *spec_model_go_reading(const char *parent, const char *key)
{
	size_t parent_len = strlen(parent);
	for (size_t i = 0; i < spec_model_fields_len; i++) {
		const char *p = spec_model_fields[i].path;
		if (parent_len && (strncmp(p, parent, parent_len) != 0 || p[parent_len] != '.'))
			continue;
		const char *name = parent_len ? p + parent_len + 1 : p;
		if (strpbrk(name, ".[{") == NULL && strcasecmp(name, key) == 0)
			return name;
	}
	return NULL;
}

/* Where the walk is, from the root: a member's key, an item's index, or a
 * key of a Go map. The JSON path of a node is made from it only for a
 * refusal; nearly every walk refuses nothing. */
struct spec_step {
	enum { SPEC_STEP_MEMBER, SPEC_STEP_ITEM, SPEC_STEP_MAP_KEY } kind;
	const char *key;
	size_t index;
};

struct spec_walk {
	struct harden_ctx *ctx;
	const char *model_base; /* what the model path starts with: "", or "process" */
	struct spec_step *steps;
	size_t depth, steps_cap;
};

static void spec_walk_push(struct spec_walk *w, struct spec_step step)
{
	w->steps = xgrow(w->steps, &w->steps_cap, w->depth + 1, sizeof(w->steps[0]));
	w->steps[w->depth++] = step;
}

/* "mounts[3].options[0]", annotations["io.kubernetes.cri.image-name"]. */
static char *spec_walk_path(const struct spec_walk *w)
{
	struct strbuf path = {0};
	for (size_t i = 0; i < w->depth; i++) {
		const struct spec_step *s = &w->steps[i];
		if (s->kind == SPEC_STEP_ITEM) {
			strbuf_appendf(&path, "[%zu]", s->index);
		} else if (s->kind == SPEC_STEP_MAP_KEY) {
			strbuf_appendf(&path, "[\"%s\"]", s->key);
		} else {
			if (path.len)
				strbuf_putc(&path, '.');
			strbuf_puts(&path, s->key);
		}
	}
	return strbuf_steal(&path);
}

/* The model path of the first `depth` steps ("mounts[].options[]",
 * "annotations{}"): made only where it is needed, for allow.fields and for
 * a refusal; nearly every walk needs it for neither. */
static char *spec_walk_model(const struct spec_walk *w, size_t depth)
{
	struct strbuf model = {0};
	strbuf_puts(&model, w->model_base);
	for (size_t i = 0; i < depth; i++) {
		const struct spec_step *s = &w->steps[i];
		if (s->kind == SPEC_STEP_ITEM) {
			strbuf_puts(&model, "[]");
		} else if (s->kind == SPEC_STEP_MAP_KEY) {
			strbuf_puts(&model, "{}");
		} else {
			if (model.len)
				strbuf_putc(&model, '.');
			strbuf_puts(&model, s->key);
		}
	}
	return strbuf_steal(&model);
}

static void spec_walk_node(struct spec_walk *w, const struct spec_field *model,
			   const struct json *node);

/* Whether the walk has anything to judge in `node`: only an object has
 * members, and an array may hold objects. A string, number or boolean (most
 * values of a config, and a seccomp profile's hundreds of syscall names)
 * is not walked into. */
static inline bool spec_walk_has_members(const struct json *node)
{
	return node->type == JSON_ARRAY || node->type == JSON_OBJECT;
}

static void spec_walk_refuse(struct spec_walk *w, const struct json *node, const char *model,
			     const char *fmt, const char *what)
{
	cleanup_free char *path = spec_walk_path(w);
	harden_refuse(w->ctx, "spec", *path ? path : model, node, "allow.fields", model, fmt, what,
		      model);
}

/* `parent` is the field whose member this is (NULL where the model has none);
 * the walk's steps spell its path (spec_walk_model), for allow.fields and
 * for messages. */
static void spec_walk_member(struct spec_walk *w, const struct spec_field *parent, const char *key,
			     const struct json *value)
{
	spec_walk_push(w, (struct spec_step){.kind = SPEC_STEP_MEMBER, .key = key});

	const struct spec_field *field = spec_model_member(parent, key);
	bool allowed = false;
	if (w->ctx->policy->allow.fields.len) {
		cleanup_free char *model = spec_walk_model(w, w->depth);
		allowed = harden_allowed(&w->ctx->policy->allow.fields, model);
	}
	if (!field && !allowed) {
		cleanup_free char *parent_model = spec_walk_model(w, w->depth - 1);
		const char *go = spec_model_go_reading(parent_model, key);
		cleanup_free char *model =
		    *parent_model ? xstrcat3(parent_model, ".", key) : xstrdup(key);
		if (go) {
			cleanup_free char *what =
			    xasprintf("\"%s\", which runc would read as \"%s\"", key, go);
			spec_walk_refuse(w, value, model,
					 "unknown field %s: refused (the policy may allow %s in "
					 "fields)",
					 what);
		} else {
			cleanup_free char *what = xasprintf("\"%s\"", key);
			spec_walk_refuse(w, value, model,
					 "unknown field %s: what runc or crun would do with it "
					 "has not been judged (the policy may allow %s in fields)",
					 what);
		}
	} else if (field && field->verdict == SPEC_REFUSED && !allowed) {
		cleanup_free char *model = spec_walk_model(w, w->depth);
		spec_walk_refuse(w, value, model, "%s: refused (the policy may allow %s in fields)",
				 field->why ? field->why : "this field");
	} else if (field && field->verdict != SPEC_IGNORED && field->verdict != SPEC_REFUSED &&
		   !allowed && spec_walk_has_members(value)) {
		spec_walk_node(w, field, value);
	}
	w->depth--;
}

static void spec_walk_node(struct spec_walk *w, const struct spec_field *model,
			   const struct json *node)
{
	if (node->type == JSON_ARRAY) {
		const struct spec_field *items = spec_model_items(model);
		for (size_t i = 0; i < node->array.len; i++) {
			const struct json *item = node->array.items[i];
			if (!spec_walk_has_members(item))
				continue;
			spec_walk_push(w, (struct spec_step){.kind = SPEC_STEP_ITEM, .index = i});
			spec_walk_node(w, items, item);
			w->depth--;
		}
		return;
	}
	if (node->type != JSON_OBJECT)
		return;
	/* A Go map: its keys are data, its values have one model. */
	const struct spec_field *values = spec_model_values(model);
	for (size_t i = 0; i < node->object.len; i++) {
		const struct json_member *m = &node->object.members[i];
		if (!values) {
			spec_walk_member(w, model, m->key, m->value);
			continue;
		}
		if (!spec_walk_has_members(m->value))
			continue;
		spec_walk_push(w, (struct spec_step){.kind = SPEC_STEP_MAP_KEY, .key = m->key});
		spec_walk_node(w, values, m->value);
		w->depth--;
	}
}

static int spec_model_apply(struct harden_ctx *ctx, oh_error_t *err)
{
	struct spec_walk w = {.ctx = ctx, .model_base = ""};
	if (ctx->spec) {
		spec_walk_node(&w, &spec_model_root, ctx->spec);
	} else if (ctx->process) {
		/* An exec's process file: the model's "process", the file's top. */
		w.model_base = "process";
		spec_walk_node(&w, spec_model_find("process"), ctx->process);
	}
	xfree(w.steps);
	return 0;
}

const struct harden_module harden_module_spec_model = {
    .name = "spec",
    .apply = spec_model_apply,
};
