/* SPDX-License-Identifier: Apache-2.0 */
/* Loading policy files, and which policy a container gets: the first policy
 * file, in file-name order, whose "images" patterns match the container's
 * image; else the configured default. Only the image annotation that the
 * CRI plugin itself writes is read: nothing in a config names a policy, so
 * a container cannot pick a laxer one. */
#include <dirent.h>
#include <errno.h>
#include <fnmatch.h>
#include <string.h>
#include <sys/stat.h>

#include "embedded.h"
#include "fileio.h"
#include "policy.h"
#include "settings.h"

/* Files a policy is made of are small; anything larger is a mistake. */
#define POLICY_MAX_BYTES (4u << 20)
/* Deeper "extends" chains than this are a cycle or a mistake. */
#define POLICY_MAX_EXTENDS 16
/* How messages name the embedded seccomp profile. */
#define POLICY_EMBEDDED_PROFILE_DISPLAY "<embedded>/seccomp/default.json"

static bool file_exists(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0;
}

/* ---- policy files --------------------------------------------------------- */

/* The names of the policies being loaded, the file's first: a name that
 * comes again is a cycle. */
struct policy_chain {
	struct string_list names;
	char *cycle; /* once one is found: "cycle: a -> b -> a" */
};

static int policy_file_load_in_chain(struct policy_file *file, const char *path,
				     const char *display, const char *name,
				     const struct policy_sources *sources,
				     struct policy_chain *chain);

static void policy_file_problem(struct policy_file *file, const struct json *node, const char *path,
				const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static void policy_file_problem(struct policy_file *file, const struct json *node, const char *path,
				const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	cleanup_free char *reason = xvasprintf(fmt, ap);
	va_end(ap);
	diagnostics_add(&file->diagnostics, DIAGNOSTIC_ERROR,
			node ? node->offset : DIAGNOSTIC_NO_OFFSET, path, "%s", reason);
}

/* The text and the tree; what stops either is the file's first problem. */
static int policy_file_read(struct policy_file *file)
{
	cleanup_error oh_error_t err = NULL;
	if (file_read_all_flags(AT_FDCWD, file->path, NULL, POLICY_MAX_BYTES, 0, &file->text,
				&file->len, NULL, &err) < 0) {
		file->read_errno = err->errnum;
		policy_file_problem(file, NULL, "", "%s", err->msg);
		return -1;
	}
	size_t offset = 0;
	file->doc = json_parse_at(file->text, file->len, JSON_PARSE_COMMENTS, &offset, &err);
	if (!file->doc) {
		diagnostics_add(&file->diagnostics, DIAGNOSTIC_ERROR, offset, "", "%s", err->msg);
		return -1;
	}
	return 0;
}

static char *policy_chain_text(const struct policy_chain *chain, const char *next)
{
	struct strbuf text = {0};
	for (size_t i = 0; i < chain->names.len; i++)
		strbuf_appendf(&text, "%s -> ", chain->names.items[i]);
	strbuf_puts(&text, next);
	return strbuf_steal(&text);
}

/* The policy `file` starts from: the one its "extends" names, or "default"
 * (and a default.json, the embedded default). A base that cannot be had is
 * one problem of `file`, at "extends" or, when "default" is implicit, at
 * the top of the file; NULL then. A value of "extends" that is not a
 * policy name is the loader's to report: the embedded default stands in. */
static struct policy *policy_file_base(struct policy_file *file, const char *name,
				       const struct policy_sources *sources,
				       struct policy_chain *chain)
{
	struct policy *base = NULL;
	cleanup_error oh_error_t err = NULL;
	const struct json *extends = json_object_get(file->doc, "extends");
	bool named =
	    extends && extends->type == JSON_STRING && policy_name_is_valid(extends->string.ptr);
	const char *base_name = named ? extends->string.ptr : "default";
	cleanup_free char *file_name = xstrcat3(base_name, ".json", "");
	cleanup_free char *base_path = path_join(sources->policy_dir, file_name);
	if ((extends && !named) || (!extends && strcmp(name, "default") == 0) ||
	    (strcmp(base_name, "default") == 0 && !file_exists(base_path))) {
		/* Tested with the build: it loads. */
		if (policy_load_default(&base, &err) < 0)
			policy_file_problem(file, file->doc, "", "%s", err->msg);
		return base;
	}

	const struct json *node = named ? extends : file->doc;
	const char *path = named ? "extends" : "extends (implicitly \"default\")";
	if (string_list_contains(&chain->names, base_name) ||
	    chain->names.len >= POLICY_MAX_EXTENDS) {
		cleanup_free char *text = policy_chain_text(chain, base_name);
		chain->cycle =
		    string_list_contains(&chain->names, base_name)
			? xasprintf("cycle: %s", text)
			: xasprintf("chain longer than %d policies: %s", POLICY_MAX_EXTENDS, text);
		policy_file_problem(file, node, path, "%s", chain->cycle);
		return NULL;
	}

	cleanup_free char *base_display = path_join(sources->display_dir, file_name);
	struct policy_file base_file = {0};
	string_list_add(&chain->names, base_name);
	int r = policy_file_load_in_chain(&base_file, base_path, base_display, base_name, sources,
					  chain);
	xfree(chain->names.items[--chain->names.len]);
	if (r == 0) {
		base = steal_pointer(&base_file.policy);
	} else if (chain->cycle) {
		/* Said where the chain this file starts comes back. */
		policy_file_problem(file, node, path, "%s", chain->cycle);
	} else if (base_file.read_errno == ENOENT) {
		policy_file_problem(file, node, path, "no policy \"%s\" (%s does not exist)",
				    base_name, base_display);
	} else {
		policy_file_error(&base_file, &err);
		if (named)
			policy_file_problem(file, node, path, "policy \"%s\" does not load: %s",
					    base_name, err->msg);
		else
			policy_file_problem(file, node, "",
					    "policy \"default\", which a policy without "
					    "\"extends\" starts from, does not load: %s",
					    err->msg);
	}
	policy_file_clear(&base_file);
	return base;
}

/* A profile the loader took: a JSON object with a "defaultAction" string,
 * or an error naming it. */
static int seccomp_profile_check(const char *text, size_t len, const char *name,
				 const char *display, oh_error_t *err)
{
	cleanup_json struct json *profile = json_parse(text, len, JSON_PARSE_COMMENTS, err);
	if (!profile)
		return oh_error_wrap(err, "seccomp profile \"%s\": %s", name, display);
	if (profile->type != JSON_OBJECT)
		return oh_error_make(err, 0, "seccomp profile \"%s\" is not a JSON object", name);
	const struct json *action = json_object_get(profile, "defaultAction");
	if (!action || action->type != JSON_STRING)
		return oh_error_make(
		    err, 0, "seccomp profile \"%s\" has no \"defaultAction\" string", name);
	return 0;
}

/* The seccomp profile the file names itself (not one it inherits): read
 * when it is a file, checked, and kept for linting. */
static void policy_file_read_profile(struct policy_file *file, struct policy *draft,
				     const struct policy_sources *sources)
{
	const struct json *node = json_object_get(json_object_get(file->doc, "seccomp"), "profile");
	if (!node || node->type != JSON_STRING || !draft->seccomp_profile_name ||
	    strcmp(node->string.ptr, draft->seccomp_profile_name) != 0)
		return;
	const char *name = draft->seccomp_profile_name;
	if (!draft->seccomp_profile_file) {
		file->profile_display = xstrdup(POLICY_EMBEDDED_PROFILE_DISPLAY);
		file->profile_text =
		    xstrndup(draft->seccomp_profile_text, draft->seccomp_profile_len);
		file->profile_len = draft->seccomp_profile_len;
		return;
	}
	file->profile_display = policy_seccomp_profile_path(sources->display_dir, name);
	cleanup_error oh_error_t err = NULL;
	if (file_read_all_flags(AT_FDCWD, draft->seccomp_profile_file, NULL, POLICY_MAX_BYTES, 0,
				&file->profile_text, &file->profile_len, NULL, &err) < 0) {
		if (err->errnum == ENOENT)
			policy_file_problem(file, node, "seccomp.profile",
					    "no seccomp profile \"%s\" (%s does not exist)", name,
					    file->profile_display);
		else
			policy_file_problem(file, node, "seccomp.profile",
					    "seccomp profile \"%s\": %s: %s", name,
					    file->profile_display, err->msg);
		return;
	}
	if (seccomp_profile_check(file->profile_text, file->profile_len, name,
				  file->profile_display, &err) < 0) {
		policy_file_problem(file, node, "seccomp.profile", "%s", err->msg);
		return;
	}
	xfree(draft->seccomp_profile_text);
	draft->seccomp_profile_text = xstrndup(file->profile_text, file->profile_len);
	draft->seccomp_profile_len = file->profile_len;
	xfree(draft->seccomp_profile_file);
	draft->seccomp_profile_file = NULL;
}

static int policy_file_load_in_chain(struct policy_file *file, const char *path,
				     const char *display, const char *name,
				     const struct policy_sources *sources,
				     struct policy_chain *chain)
{
	file->path = xstrdup(path);
	file->display = xstrdup(display);
	if (policy_file_read(file) < 0)
		return -1;
	cleanup_policy struct policy *base = NULL;
	if (file->doc->type == JSON_OBJECT)
		base = policy_file_base(file, name, sources, chain);
	struct policy_load_context lctx = {.policy_dir = sources->policy_dir};
	cleanup_policy struct policy *draft =
	    policy_load_json_diagnosed(file->doc, name, display, base, &lctx, &file->diagnostics);
	if (file->doc->type == JSON_OBJECT)
		policy_file_read_profile(file, draft, sources);
	if (diagnostics_first_error(&file->diagnostics))
		return -1;
	file->policy = steal_pointer(&draft);
	return 0;
}

int policy_file_load(struct policy_file *file, const char *path, const char *display,
		     const char *name, const struct policy_sources *sources)
{
	struct policy_chain chain = {0};
	string_list_add(&chain.names, name);
	int r = policy_file_load_in_chain(file, path, display, name, sources, &chain);
	string_list_clear(&chain.names);
	xfree(chain.cycle);
	return r;
}

int policy_file_error(const struct policy_file *file, oh_error_t *err)
{
	const struct diagnostic *d = diagnostics_first_error(&file->diagnostics);
	if (!d)
		return oh_error_make(err, 0, "%s: does not load", file->display);
	cleanup_free char *message = diagnostic_message(d);
	if (d->offset == DIAGNOSTIC_NO_OFFSET || !file->text)
		return oh_error_make(err, 0, "%s: %s", file->display, message);
	unsigned line, col;
	json_offset_to_line_col(file->text, file->len, d->offset, &line, &col);
	return oh_error_make(err, 0, "%s: line %u, column %u: %s", file->display, line, col,
			     message);
}

void policy_file_clear(struct policy_file *file)
{
	xfree(file->path);
	xfree(file->display);
	xfree(file->text);
	json_free(file->doc);
	diagnostics_clear(&file->diagnostics);
	policy_free(file->policy);
	xfree(file->profile_display);
	xfree(file->profile_text);
	*file = (struct policy_file){0};
}

/* The file of policy `name` in the policy directory; NULL for the embedded
 * default (no default.json there). */
static char *policy_named_path(const char *name, const struct settings *settings)
{
	cleanup_free char *file_name = xstrcat3(name, ".json", "");
	char *path = path_join(settings->policy_dir, file_name);
	if (strcmp(name, "default") == 0 && !file_exists(path)) {
		xfree(path);
		return NULL;
	}
	return path;
}

static int policy_load_path(const char *path, const char *name, const struct settings *settings,
			    struct policy **out, oh_error_t *err)
{
	struct policy_sources sources = {.policy_dir = settings->policy_dir,
					 .display_dir = settings->policy_dir};
	struct policy_file file = {0};
	int r = policy_file_load(&file, path, path, name, &sources);
	if (r == 0)
		*out = steal_pointer(&file.policy);
	else
		policy_file_error(&file, err);
	policy_file_clear(&file);
	return r;
}

int policy_load_named(const char *name, const struct settings *settings, struct policy **out,
		      oh_error_t *err)
{
	if (!policy_name_is_valid(name))
		return oh_error_make(err, 0, "\"%s\" is not a policy name", name);
	cleanup_free char *path = policy_named_path(name, settings);
	if (!path)
		return policy_load_default(out, err);
	return policy_load_path(path, name, settings, out, err);
}

int policy_load_file(const char *path, const struct settings *settings, struct policy **out,
		     oh_error_t *err)
{
	cleanup_free char *copy = xstrdup(path);
	char *base = strrchr(copy, '/');
	base = base ? base + 1 : copy;
	char *dot = strrchr(base, '.');
	if (dot && strcmp(dot, ".json") == 0)
		*dot = '\0';
	return policy_load_path(path, base, settings, out, err);
}

/* ---- selection ------------------------------------------------------------ */

static int policy_read_doc(const char *path, struct json **doc, oh_error_t *err)
{
	cleanup_free char *text = NULL;
	size_t len = 0;
	if (file_read_all(AT_FDCWD, path, POLICY_MAX_BYTES, &text, &len, err) < 0)
		return -1;
	*doc = json_parse(text, len, JSON_PARSE_COMMENTS, err);
	if (!*doc)
		return oh_error_wrap(err, "%s", path);
	if ((*doc)->type != JSON_OBJECT)
		return oh_error_make(err, 0, "%s: a policy must be a JSON object", path);
	return 0;
}

static int compare_names(const void *a, const void *b)
{
	return policy_file_name_compare(*(char *const *)a, *(char *const *)b);
}

int policy_dir_list(const char *dir, bool missing_ok, struct string_list *names,
		    struct string_list *ignored, oh_error_t *err)
{
	DIR *d = opendir(dir);
	if (!d) {
		if (errno == ENOENT && missing_ok)
			return 0;
		return oh_error_make(err, errno, "policy directory %s", dir);
	}
	struct dirent *e;
	while ((e = readdir(d))) {
		size_t len = strlen(e->d_name);
		if (e->d_name[0] == '.' || len <= 5 || strcmp(e->d_name + len - 5, ".json") != 0)
			continue;
		cleanup_free char *name = xstrndup(e->d_name, len - 5);
		if (policy_name_is_valid(name))
			string_list_add(names, name);
		else if (ignored)
			string_list_add(ignored, name);
	}
	closedir(d);
	if (names->len > 0)
		qsort(names->items, names->len, sizeof(char *), compare_names);
	if (ignored && ignored->len > 0)
		qsort(ignored->items, ignored->len, sizeof(char *), compare_names);
	return 0;
}

/* The pattern of `doc`'s "images" that matches `image`, or NULL. */
static int policy_doc_match(const struct json *doc, const char *path, const char *image,
			    const char **pattern, oh_error_t *err)
{
	*pattern = NULL;
	const struct json *images = json_object_get(doc, "images");
	if (!images)
		return 0;
	if (images->type != JSON_ARRAY)
		return oh_error_make(err, 0, "%s: images: must be a list of strings", path);
	for (size_t i = 0; i < images->array.len && !*pattern; i++) {
		const struct json *p = images->array.items[i];
		if (p->type != JSON_STRING)
			return oh_error_make(err, 0, "%s: images[%zu]: must be a string", path, i);
		if (fnmatch(p->string.ptr, image, 0) == 0)
			*pattern = p->string.ptr;
	}
	return 0;
}

int policy_select_for_image(const char *image, const struct settings *settings, struct policy **out,
			    char **reason, oh_error_t *err)
{
	cleanup_free char *normalized = image ? image_reference_normalize(image) : NULL;
	if (normalized) {
		struct string_list names = {0};
		if (policy_dir_list(settings->policy_dir, true, &names, NULL, err) < 0)
			return -1;
		int r = 0;
		for (size_t i = 0; i < names.len && r == 0; i++) {
			cleanup_free char *path =
			    xasprintf("%s/%s.json", settings->policy_dir, names.items[i]);
			cleanup_json struct json *doc = NULL;
			const char *pattern = NULL;
			/* A policy file that cannot be read might have been the one
			 * to match: fail closed rather than fall through. */
			if (policy_read_doc(path, &doc, err) < 0 ||
			    policy_doc_match(doc, path, normalized, &pattern, err) < 0) {
				r = -1;
				break;
			}
			if (!pattern)
				continue;
			*reason =
			    xasprintf("image %s matches \"%s\" in %s", normalized, pattern, path);
			r = policy_load_named(names.items[i], settings, out, err) < 0 ? -1 : 1;
		}
		string_list_clear(&names);
		if (r != 0)
			return r < 0 ? -1 : 0;
	}
	*reason = normalized ? xasprintf("image %s matches no policy's images: the default "
					 "policy \"%s\"",
					 normalized, settings->default_policy)
			     : xasprintf("no image annotation: the default policy \"%s\"",
					 settings->default_policy);
	return policy_load_named(settings->default_policy, settings, out, err);
}

int policy_select(const struct json *spec, const struct settings *settings, struct policy **out,
		  char **reason, oh_error_t *err)
{
	/* A sandbox runs no image of the pod's: it holds the pod's namespaces,
	 * which are the host's for a hostNetwork or hostPID pod. Its policy is
	 * the operator's choice for all sandboxes; the pod's containers, which
	 * join those namespaces, are judged by their own image's policy. */
	if (!policy_spec_identity_trusted(spec, settings->trust_image_annotations)) {
		*reason =
		    xasprintf("its image annotations are not trusted (trust_image_annotations "
			      "\"%s\"%s): the default policy \"%s\"",
			      identity_trust_name(settings->trust_image_annotations),
			      settings->trust_image_annotations == IDENTITY_TRUST_CRI
				  ? ", and it has no CRI markers"
				  : "",
			      settings->default_policy);
		return policy_load_named(settings->default_policy, settings, out, err);
	}
	if (policy_spec_is_sandbox(spec)) {
		*reason =
		    xasprintf("a pod sandbox: the sandbox policy \"%s\"", settings->sandbox_policy);
		return policy_load_named(settings->sandbox_policy, settings, out, err);
	}
	return policy_select_for_image(policy_image_of_spec(spec), settings, out, reason, err);
}
