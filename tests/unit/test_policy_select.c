/* SPDX-License-Identifier: Apache-2.0 */
/* Choosing a policy: by image, in file-name order, with extends chains. */
#include <sys/stat.h>

#include "helpers.h"
#include "policy.h"
#include "settings.h"

static char dir[64];
static struct settings settings;

static void make_dir(void)
{
	strcpy(dir, "/tmp/oci-harden-select-XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
	settings = (struct settings){.policy_dir = xstrdup(dir),
				     .default_policy = xstrdup("default"),
				     .sandbox_policy = xstrdup("default")};
}

static void remove_dir(void)
{
	cleanup_free char *cmd = xasprintf("rm -rf '%s'", dir);
	cr_assert_eq(system(cmd), 0);
	settings_clear(&settings);
}

TestSuite(policy_select, .init = make_dir, .fini = remove_dir);

static void write_policy(const char *name, const char *text)
{
	cleanup_free char *path = xasprintf("%s/%s", dir, name);
	FILE *f = fopen(path, "w");
	cr_assert_not_null(f);
	fputs(text, f);
	fclose(f);
}

static struct policy *select_image(const char *image, char **reason)
{
	struct policy *p = NULL;
	oh_error_t err = NULL;
	int r = policy_select_for_image(image, &settings, &p, reason, &err);
	cr_assert_eq(r, 0, "selection failed: %s", err ? err->msg : "");
	return p;
}

Test(policy_select, image_references_are_fully_qualified)
{
	const char *cases[][2] = {
	    {"nginx", "docker.io/library/nginx:latest"},
	    {"nginx:1.25", "docker.io/library/nginx:1.25"},
	    {"library/nginx", "docker.io/library/nginx:latest"},
	    {"bitnami/redis:7", "docker.io/bitnami/redis:7"},
	    {"docker.io/nginx", "docker.io/library/nginx:latest"},
	    {"index.docker.io/library/nginx:1", "docker.io/library/nginx:1"},
	    {"registry.example.com/payments/api", "registry.example.com/payments/api:latest"},
	    {"localhost/app:dev", "localhost/app:dev"},
	    {"registry:5000/app", "registry:5000/app:latest"},
	    {"nginx@sha256:4f1c", "docker.io/library/nginx@sha256:4f1c"},
	    {"quay.io/a/b:1@sha256:ab", "quay.io/a/b:1@sha256:ab"},
	};
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		cleanup_free char *got = image_reference_normalize(cases[i][0]);
		cr_assert_str_eq(got, cases[i][1], "%s", cases[i][0]);
	}
}

Test(policy_select, first_matching_file_wins_else_the_default)
{
	write_policy("10-web.json", "{\"images\": [\"docker.io/library/nginx:*\"], "
				    "\"user\": {\"uid\": 101, \"gid\": 101}}");
	write_policy("20-all-library.json", "{\"images\": [\"docker.io/library/*\"], "
					    "\"capabilities\": [\"CAP_CHOWN\"]}");
	write_policy("notes.txt", "not a policy");

	cleanup_free char *reason = NULL;
	cleanup_policy struct policy *web = select_image("nginx:1.25", &reason);
	cr_assert_str_eq(web->name, "10-web");
	cr_assert_eq(web->uid, 101);
	cr_assert(web->readonly_rootfs, "extends the default implicitly");
	cr_assert(strstr(reason, "docker.io/library/nginx:1.25") &&
		      strstr(reason, "docker.io/library/nginx:*") && strstr(reason, "10-web.json"),
		  "%s", reason);

	cleanup_free char *reason2 = NULL;
	cleanup_policy struct policy *lib = select_image("busybox", &reason2);
	cr_assert_str_eq(lib->name, "20-all-library");

	cleanup_free char *reason3 = NULL;
	cleanup_policy struct policy *other = select_image("quay.io/x/y:1", &reason3);
	cr_assert_str_eq(other->name, "default");
	cr_assert(strstr(reason3, "matches no policy"), "%s", reason3);

	cleanup_free char *reason4 = NULL;
	cleanup_policy struct policy *none = select_image(NULL, &reason4);
	cr_assert_str_eq(none->name, "default");
	cr_assert(strstr(reason4, "no image annotation"), "%s", reason4);
}

Test(policy_select, file_name_order_not_policy_name_order)
{
	/* "web-2.json" sorts before "web.json" ('-' < '.'), though "web" < "web-2" */
	write_policy("web.json", "{\"images\": [\"*\"], \"user\": {\"uid\": 1, \"gid\": 1}}");
	write_policy("web-2.json", "{\"images\": [\"*\"], \"user\": {\"uid\": 2, \"gid\": 2}}");
	cleanup_free char *reason = NULL;
	cleanup_policy struct policy *p = select_image("nginx", &reason);
	cr_assert_str_eq(p->name, "web-2");
}

Test(policy_select, the_image_comes_only_from_the_cri_annotations)
{
	cleanup_json struct json *spec = test_parse(
	    "{\"annotations\":{\"oci-harden.policy\":\"lax\",\"io.kubernetes.cri.image-name\":"
	    "\"docker.io/library/nginx:1\"}}");
	cr_assert_str_eq(policy_image_of_spec(spec), "docker.io/library/nginx:1");
	cleanup_json struct json *crio =
	    test_parse("{\"annotations\":{\"io.kubernetes.cri-o.Image\":\"quay.io/a:1\"}}");
	cr_assert_str_eq(policy_image_of_spec(crio), "quay.io/a:1");
	cleanup_json struct json *none = test_parse("{\"annotations\":{\"image\":\"x\"}}");
	cr_assert_null(policy_image_of_spec(none));
}

Test(policy_select, pod_sandboxes_get_the_sandbox_policy)
{
	write_policy("pods.json", "{\"allow\": {\"host_namespaces\": [\"network\", \"uts\"]}}");
	write_policy("all.json", "{\"images\": [\"*\"], \"capabilities\": []}");
	free(settings.sandbox_policy);
	settings.sandbox_policy = xstrdup("pods");
	cleanup_json struct json *sandbox =
	    test_parse("{\"annotations\":{\"io.kubernetes.cri.container-type\":\"sandbox\","
		       "\"io.kubernetes.cri.sandbox-id\":\"0123\"}}");
	cleanup_policy struct policy *p = NULL;
	cleanup_free char *reason = NULL;
	oh_error_t err = NULL;
	cr_assert_eq(policy_select(sandbox, &settings, &p, &reason, &err), 0);
	cr_assert_str_eq(p->name, "pods");
	cr_assert(strstr(reason, "a pod sandbox"), "%s", reason);

	cleanup_json struct json *container =
	    test_parse("{\"annotations\":{\"io.kubernetes.cri.container-type\":\"container\","
		       "\"io.kubernetes.cri.sandbox-id\":\"0123\","
		       "\"io.kubernetes.cri.image-name\":\"nginx\"}}");
	cleanup_policy struct policy *q = NULL;
	cleanup_free char *reason2 = NULL;
	cr_assert_eq(policy_select(container, &settings, &q, &reason2, &err), 0);
	cr_assert_str_eq(q->name, "all");
}

/* The image annotation alone is the caller's word (ctr --annotation, podman
 * --annotation): by default it counts only on a config a CRI wrote. */
Test(policy_select, image_annotations_count_only_as_far_as_they_are_trusted)
{
	write_policy("web.json", "{\"images\": [\"docker.io/library/nginx:*\"], "
				 "\"user\": {\"allow_root\": true}}");
	cleanup_json struct json *claimed =
	    test_parse("{\"annotations\":{\"io.kubernetes.cri.image-name\":\"nginx\"}}");
	cleanup_json struct json *cri =
	    test_parse("{\"annotations\":{\"io.kubernetes.cri.image-name\":\"nginx\","
		       "\"io.kubernetes.cri.container-type\":\"container\","
		       "\"io.kubernetes.cri.sandbox-id\":\"0123\"}}");
	const struct {
		enum identity_trust trust;
		const struct json *spec;
		const char *policy;
	} cases[] = {
	    {IDENTITY_TRUST_CRI, claimed, "default"},
	    {IDENTITY_TRUST_CRI, cri, "web"},
	    {IDENTITY_TRUST_ALWAYS, claimed, "web"},
	    {IDENTITY_TRUST_NEVER, cri, "default"},
	};
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		settings.trust_image_annotations = cases[i].trust;
		cleanup_policy struct policy *p = NULL;
		cleanup_free char *reason = NULL;
		oh_error_t err = NULL;
		cr_assert_eq(policy_select(cases[i].spec, &settings, &p, &reason, &err), 0);
		cr_assert_str_eq(p->name, cases[i].policy, "case %zu: %s", i, reason);
		if (strcmp(cases[i].policy, "default") == 0)
			cr_assert(strstr(reason, "not trusted"), "%s", reason);
	}
	settings.trust_image_annotations = IDENTITY_TRUST_CRI;
}

Test(policy_select, a_directory_default_json_replaces_the_embedded_default)
{
	write_policy("default.json", "{\"capabilities\": []}");
	cleanup_free char *reason = NULL;
	cleanup_policy struct policy *p = select_image(NULL, &reason);
	cr_assert_eq(p->capabilities.len, 0);
	cr_assert(p->readonly_rootfs, "starts from the embedded default");
	cr_assert_str_eq(p->source + strlen(p->source) - 12, "default.json");
}

Test(policy_select, extends_chains_and_their_errors)
{
	write_policy("base.json", "{\"capabilities\": [\"CAP_KILL\"], \"readonly_rootfs\": false}");
	write_policy("app.json",
		     "{\"extends\": \"base\", \"images\": [\"*\"], \"tmpfs\": [\"/run\"]}");
	cleanup_free char *reason = NULL;
	cleanup_policy struct policy *p = select_image("anything", &reason);
	cr_assert_str_eq(p->name, "app");
	cr_assert_str_eq(p->capabilities.items[0], "CAP_KILL");
	cr_assert(!p->readonly_rootfs);
	cr_assert_str_eq(p->tmpfs.items[0], "/run");
	cr_assert_eq(p->images.len, 1);

	write_policy("a.json", "{\"extends\": \"b\"}");
	write_policy("b.json", "{\"extends\": \"a\"}");
	struct policy *cyc = NULL;
	oh_error_t err = NULL;
	cr_assert_lt(policy_load_named("a", &settings, &cyc, &err), 0);
	cr_assert(strstr(err->msg, "cycle: a -> b -> a"), "%s", err->msg);
	oh_error_free(&err);

	write_policy("orphan.json", "{\"extends\": \"nope\"}");
	cr_assert_lt(policy_load_named("orphan", &settings, &cyc, &err), 0);
	cr_assert(strstr(err->msg, "orphan.json: line 1, column 13: extends: no policy \"nope\"") &&
		      strstr(err->msg, "nope.json does not exist"),
		  "%s", err->msg);
	oh_error_free(&err);
}

Test(policy_select, a_broken_policy_file_fails_closed)
{
	write_policy("00-broken.json", "{\"images\": [\"*\"");
	write_policy("50-ok.json", "{\"images\": [\"*\"]}");
	struct policy *p = NULL;
	cleanup_free char *reason = NULL;
	oh_error_t err = NULL;
	cr_assert_lt(policy_select_for_image("nginx", &settings, &p, &reason, &err), 0);
	cr_assert(strstr(err->msg, "00-broken.json"), "%s", err->msg);
	oh_error_free(&err);
}
