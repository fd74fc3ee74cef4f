/* SPDX-License-Identifier: Apache-2.0 */
/* Who a container says it is: the image and the pod role the CRI writes in
 * its annotations, read only as far as the operator trusts whoever wrote
 * them (settings "trust_image_annotations", oci-harden.json(5)); and the
 * names of policies. Pure: selection, which reads the policy directory, is
 * policy_select.c. */
#include <string.h>

#include "policy.h"

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

int policy_of_program_name(const char *argv0, const char **name, oh_error_t *err)
{
	*name = NULL;
	if (!argv0)
		return 0;
	const char *slash = strrchr(argv0, '/');
	const char *base = slash ? slash + 1 : argv0;
	size_t prefix = strlen(POLICY_PROGRAM_PREFIX);
	if (strncmp(base, POLICY_PROGRAM_PREFIX, prefix) != 0)
		return 0;
	/* Fail closed: a link the operator misnamed must not quietly fall
	 * back to choosing by image. */
	if (!policy_name_is_valid(base + prefix))
		return oh_error_make(err, 0,
				     "run as %s: \"%s\" after the @ is not a policy name (letters, "
				     "digits, '.', '_' and '-')",
				     argv0, base + prefix);
	*name = base + prefix;
	return 1;
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

int policy_file_name_compare(const char *a, const char *b)
{
	cleanup_free char *file_a = xasprintf("%s.json", a);
	cleanup_free char *file_b = xasprintf("%s.json", b);
	return strcmp(file_a, file_b);
}

/* The annotations containerd's CRI plugin writes on every container and
 * sandbox it creates (pkg/cri/annotations), and CRI-O's likewise. A config
 * that lacks them was not written by a CRI, and its image annotation is the
 * caller's word. */
static const char *const cri_markers[][2] = {
    {"io.kubernetes.cri.container-type", "io.kubernetes.cri.sandbox-id"},
    {"io.kubernetes.cri-o.ContainerType", "io.kubernetes.cri-o.SandboxID"},
};

bool policy_spec_identity_trusted(const struct json *spec, enum identity_trust trust)
{
	if (trust != IDENTITY_TRUST_CRI)
		return trust == IDENTITY_TRUST_ALWAYS;
	const struct json *annotations = json_object_get(spec, "annotations");
	if (!annotations || annotations->type != JSON_OBJECT)
		return false;
	for (size_t i = 0; i < ARRAY_SIZE(cri_markers); i++) {
		const struct json *type = json_object_get(annotations, cri_markers[i][0]);
		const struct json *sandbox = json_object_get(annotations, cri_markers[i][1]);
		if (type && type->type == JSON_STRING && sandbox && sandbox->type == JSON_STRING &&
		    sandbox->string.len > 0)
			return true;
	}
	return false;
}

static char *identity_annotation(const struct json *annotations, const char *const *keys,
				 size_t len)
{
	for (size_t i = 0; i < len; i++) {
		const struct json *v = json_object_get(annotations, keys[i]);
		if (v && v->type == JSON_STRING && v->string.len > 0 &&
		    strlen(v->string.ptr) == v->string.len)
			return xstrdup(v->string.ptr);
	}
	return NULL;
}

void pod_identity_clear(struct pod_identity *pod)
{
	xfree(pod->namespace);
	xfree(pod->name);
	xfree(pod->uid);
	xfree(pod->container);
	*pod = (struct pod_identity){0};
}

bool policy_pod_of_spec(const struct json *spec, struct pod_identity *out)
{
	/* containerd's, then CRI-O's (its pkg/annotations). */
	static const char *const namespace_keys[] = {"io.kubernetes.cri.sandbox-namespace",
						     "io.kubernetes.pod.namespace"};
	static const char *const name_keys[] = {"io.kubernetes.cri.sandbox-name",
						"io.kubernetes.pod.name"};
	static const char *const uid_keys[] = {"io.kubernetes.cri.sandbox-uid",
					       "io.kubernetes.pod.uid"};
	static const char *const container_keys[] = {"io.kubernetes.cri.container-name",
						     "io.kubernetes.container.name"};
	*out = (struct pod_identity){0};
	const struct json *annotations = json_object_get(spec, "annotations");
	if (!annotations || annotations->type != JSON_OBJECT ||
	    !policy_spec_identity_trusted(spec, IDENTITY_TRUST_CRI))
		return false;
	out->namespace =
	    identity_annotation(annotations, namespace_keys, ARRAY_SIZE(namespace_keys));
	out->name = identity_annotation(annotations, name_keys, ARRAY_SIZE(name_keys));
	out->uid = identity_annotation(annotations, uid_keys, ARRAY_SIZE(uid_keys));
	if (!policy_spec_is_sandbox(spec))
		out->container =
		    identity_annotation(annotations, container_keys, ARRAY_SIZE(container_keys));
	return out->namespace && out->name;
}

const char *identity_trust_name(enum identity_trust trust)
{
	static const char *const names[] = {
	    [IDENTITY_TRUST_CRI] = "cri",
	    [IDENTITY_TRUST_ALWAYS] = "always",
	    [IDENTITY_TRUST_NEVER] = "never",
	};
	return names[trust];
}
