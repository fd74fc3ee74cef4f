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

static const char *const image_annotations[] = {
    "io.kubernetes.cri.image-name", /* containerd's CRI plugin, since 1.5 */
    "io.kubernetes.cri-o.Image",    /* CRI-O */
};

bool policy_name_is_valid(const char *name)
{
	if (!*name || name[0] == '.' || strlen(name) > 200)
		return false;
	for (const char *p = name; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || *p == '.' || *p == '_' || *p == '-'))
			return false;
	return true;
}

/* The annotations by which the CRI marks a pod's sandbox ("pause")
 * container; both are written by the CRI implementation itself, not taken
 * from the pod. */
static const char *const sandbox_annotations[] = {
    "io.kubernetes.cri.container-type",	 /* containerd */
    "io.kubernetes.cri-o.ContainerType", /* CRI-O */
};

bool policy_spec_is_sandbox(const struct json *spec)
{
	const struct json *annotations = json_object_get(spec, "annotations");
	if (!annotations || annotations->type != JSON_OBJECT)
		return false;
	for (size_t i = 0; i < ARRAY_SIZE(sandbox_annotations); i++) {
		const struct json *v = json_object_get(annotations, sandbox_annotations[i]);
		if (v && v->type == JSON_STRING && strcmp(v->string.ptr, "sandbox") == 0)
			return true;
	}
	return false;
}

const char *policy_image_of_spec(const struct json *spec)
{
	const struct json *annotations = json_object_get(spec, "annotations");
	if (!annotations || annotations->type != JSON_OBJECT)
		return NULL;
	for (size_t i = 0; i < ARRAY_SIZE(image_annotations); i++) {
		const struct json *v = json_object_get(annotations, image_annotations[i]);
		if (v && v->type == JSON_STRING && v->string.len > 0)
			return v->string.ptr;
	}
	return NULL;
}

/* The rules of docker/distribution's ParseNormalizedNamed: the first
 * component is a registry when it has a '.' or ':' or is "localhost";
 * otherwise the registry is docker.io, where one-component names live under
 * library/. A reference with neither tag nor digest means :latest. */
char *image_reference_normalize(const char *reference)
{
	const char *at = strchr(reference, '@');
	cleanup_free char *name =
	    at ? xstrndup(reference, (size_t)(at - reference)) : xstrdup(reference);
	const char *digest = at ? at : "";

	const char *slash = strchr(name, '/');
	const char *domain = "docker.io";
	const char *rest = name;
	if (slash) {
		size_t first_len = (size_t)(slash - name);
		bool is_domain = memchr(name, '.', first_len) || memchr(name, ':', first_len) ||
				 (first_len == 9 && strncmp(name, "localhost", 9) == 0);
		if (is_domain) {
			name[first_len] = '\0';
			domain = strcmp(name, "index.docker.io") == 0 ? "docker.io" : name;
			rest = slash + 1;
		}
	}
	bool library = strcmp(domain, "docker.io") == 0 && !strchr(rest, '/');
	const char *last_slash = strrchr(rest, '/');
	bool has_tag = strchr(last_slash ? last_slash : rest, ':') != NULL;
	return xasprintf("%s/%s%s%s%s", domain, library ? "library/" : "", rest,
			 has_tag || *digest ? "" : ":latest", digest);
}

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

int policy_file_name_compare(const char *a, const char *b)
{
	cleanup_free char *file_a = xasprintf("%s.json", a);
	cleanup_free char *file_b = xasprintf("%s.json", b);
	return strcmp(file_a, file_b);
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
	if (policy_spec_is_sandbox(spec)) {
		*reason =
		    xasprintf("a pod sandbox: the sandbox policy \"%s\"", settings->sandbox_policy);
		return policy_load_named(settings->sandbox_policy, settings, out, err);
	}
	return policy_select_for_image(policy_image_of_spec(spec), settings, out, reason, err);
}
