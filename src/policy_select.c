/* SPDX-License-Identifier: Apache-2.0 */
/* Which policy a container gets: the first policy file, in file-name order,
 * whose "images" patterns match the container's image; else the configured
 * default. Only the image annotation that the CRI plugin itself writes is
 * read: nothing in a config names a policy, so a container cannot pick a
 * laxer one. */
#include <dirent.h>
#include <errno.h>
#include <fnmatch.h>
#include <string.h>
#include <sys/stat.h>

#include "fileio.h"
#include "policy.h"
#include "settings.h"

#define POLICY_MAX_BYTES (4u << 20)
/* Deeper "extends" chains than this are a cycle or a mistake. */
#define POLICY_MAX_EXTENDS 16

static bool policy_default_file_exists(const struct settings *settings, char **path)
{
	*path = xasprintf("%s/default.json", settings->policy_dir);
	struct stat st;
	return stat(*path, &st) == 0;
}

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

static int policy_load_chain(const char *name, const char *path, const struct settings *settings,
			     struct string_list *chain, struct policy **out, oh_error_t *err);

/* Load policy `name` (from the directory, or the embedded default). */
static int policy_load_named_chain(const char *name, const struct settings *settings,
				   struct string_list *chain, struct policy **out, oh_error_t *err)
{
	if (!policy_name_is_valid(name))
		return oh_error_make(err, 0, "\"%s\" is not a policy name", name);
	cleanup_free char *path = NULL;
	if (strcmp(name, "default") == 0 && !policy_default_file_exists(settings, &path))
		return policy_load_default(out, err);
	if (!path)
		path = xasprintf("%s/%s.json", settings->policy_dir, name);
	return policy_load_chain(name, path, settings, chain, out, err);
}

static int policy_load_chain(const char *name, const char *path, const struct settings *settings,
			     struct string_list *chain, struct policy **out, oh_error_t *err)
{
	if (string_list_contains(chain, name) || chain->len >= POLICY_MAX_EXTENDS) {
		struct strbuf cycle = {0};
		for (size_t i = 0; i < chain->len; i++)
			strbuf_appendf(&cycle, "%s -> ", chain->items[i]);
		strbuf_puts(&cycle, name);
		oh_error_make(err, 0, "%s: \"extends\" cycle: %s", path, cycle.buf);
		strbuf_free(&cycle);
		return -1;
	}
	string_list_add(chain, name);

	cleanup_json struct json *doc = NULL;
	if (policy_read_doc(path, &doc, err) < 0)
		return -1;
	const struct json *extends = json_object_get(doc, "extends");
	if (extends && extends->type != JSON_STRING)
		return oh_error_make(err, 0, "%s: extends: must be a string", path);

	/* Every policy starts from another: the one it names, or the default.
	 * A default.json in the directory starts from the embedded one. */
	cleanup_policy struct policy *base = NULL;
	int r;
	if (extends)
		r = policy_load_named_chain(extends->string.ptr, settings, chain, &base, err);
	else if (strcmp(name, "default") == 0)
		r = policy_load_default(&base, err);
	else
		r = policy_load_named_chain("default", settings, chain, &base, err);
	if (r < 0) {
		if (extends &&
		    ((*err)->errnum == ENOENT || !policy_name_is_valid(extends->string.ptr)))
			return oh_error_wrap(err, "%s: extends \"%s\"", path, extends->string.ptr);
		return -1;
	}
	struct policy_load_context lctx = {.policy_dir = settings->policy_dir};
	if (policy_load_json(doc, name, path, base, &lctx, out, err) < 0)
		return oh_error_wrap(err, "%s", path);
	if (policy_read_seccomp_file(*out, err) < 0) {
		policy_free(*out);
		*out = NULL;
		return oh_error_wrap(err, "%s", path);
	}
	return 0;
}

int policy_load_named(const char *name, const struct settings *settings, struct policy **out,
		      oh_error_t *err)
{
	struct string_list chain = {0};
	int r = policy_load_named_chain(name, settings, &chain, out, err);
	string_list_clear(&chain);
	return r;
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
	struct string_list chain = {0};
	int r = policy_load_chain(base, path, settings, &chain, out, err);
	string_list_clear(&chain);
	return r;
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

int policy_read_seccomp_file(struct policy *p, oh_error_t *err)
{
	if (!p->seccomp_profile_file)
		return 0;
	const char *file = p->seccomp_profile_file;
	cleanup_free char *text = NULL;
	size_t len = 0;
	if (file_read_all(AT_FDCWD, file, POLICY_MAX_BYTES, &text, &len, err) < 0)
		return oh_error_wrap(err, "seccomp profile \"%s\"", p->seccomp_profile_name);
	cleanup_json struct json *profile = json_parse(text, len, JSON_PARSE_COMMENTS, err);
	if (!profile)
		return oh_error_wrap(err, "%s", file);
	if (profile->type != JSON_OBJECT)
		return oh_error_make(err, 0, "seccomp profile \"%s\" is not a JSON object",
				     p->seccomp_profile_name);
	const struct json *action = json_object_get(profile, "defaultAction");
	if (!action || action->type != JSON_STRING)
		return oh_error_make(err, 0,
				     "seccomp profile \"%s\" has no \"defaultAction\" string",
				     p->seccomp_profile_name);
	free(p->seccomp_profile_text);
	p->seccomp_profile_text = steal_pointer(&text);
	p->seccomp_profile_len = len;
	free(p->seccomp_profile_file);
	p->seccomp_profile_file = NULL;
	return 0;
}
