/* SPDX-License-Identifier: Apache-2.0 */
/* Choosing a policy: by image, in file-name order, with extends chains. */
#include <sys/stat.h>

#include "bundle.h"
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

/* ---- the runtime entry and the client's record (issue 13) ---- */

Test(policy_select, a_program_named_oci_harden_at_policy_names_that_policy)
{
	const struct {
		const char *argv0;
		int r;
		const char *name;
	} cases[] = {
	    {"/usr/local/sbin/oci-harden@web", 1, "web"},
	    {"oci-harden@web-2.1_x", 1, "web-2.1_x"},
	    {"/usr/local/sbin/oci-harden", 0, NULL},
	    {"/usr/local/sbin/runc", 0, NULL},
	    {"/srv/oci-harden@web/oci-harden", 0, NULL}, /* only the last component */
	    {"oci-harden-web", 0, NULL},
	    {NULL, 0, NULL},
	    {"/usr/local/sbin/oci-harden@", -1, NULL},
	    {"/usr/local/sbin/oci-harden@.hidden", -1, NULL},
	    {"/usr/local/sbin/oci-harden@a b", -1, NULL},
	};
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		const char *name = "unset";
		oh_error_t err = NULL;
		int r = policy_of_program_name(cases[i].argv0, &name, &err);
		cr_assert_eq(r, cases[i].r, "%s", cases[i].argv0);
		if (cases[i].name)
			cr_assert_str_eq(name, cases[i].name);
		else
			cr_assert_null(name, "%s", cases[i].argv0);
		if (r < 0) {
			cr_assert(strstr(err->msg, cases[i].argv0) &&
				      strstr(err->msg, "policy name"),
				  "%s", err->msg);
			oh_error_free(&err);
		}
	}
}

/* A bundle in the policy directory's temporary directory, holding `spec`. */
static void read_bundle(const char *spec, struct bundle_config *config)
{
	cleanup_free char *bundle = xasprintf("%s/bundle", dir);
	cleanup_free char *path = xasprintf("%s/config.json", bundle);
	mkdir(bundle, 0700);
	FILE *f = fopen(path, "w");
	cr_assert_not_null(f);
	fputs(spec, f);
	fclose(f);
	oh_error_t err = NULL;
	cr_assert_eq(bundle_config_read(bundle, config, &err), 0, "%s", err ? err->msg : "");
}

#define CRI_NGINX                                                                                  \
	"{\"ociVersion\":\"1.0.2\",\"annotations\":{"                                              \
	"\"io.kubernetes.cri.image-name\":\"nginx\","                                              \
	"\"io.kubernetes.cri.container-type\":\"container\","                                      \
	"\"io.kubernetes.cri.sandbox-id\":\"0123\"}}"

#define CRI_SANDBOX                                                                                \
	"{\"ociVersion\":\"1.0.2\",\"annotations\":{"                                              \
	"\"io.kubernetes.cri.container-type\":\"sandbox\","                                        \
	"\"io.kubernetes.cri.sandbox-id\":\"0123\"}}"

static char *choose(const char *spec, const struct bundle_harden_options *given, char **image)
{
	cleanup_bundle_config struct bundle_config config = {.dirfd = -1};
	read_bundle(spec, &config);
	cleanup_report struct report report = {0};
	cleanup_policy struct policy *policy = NULL;
	struct bundle_harden_options options = *given;
	options.chosen = &policy;
	oh_error_t err = NULL;
	*image = bundle_config_image(&config, &settings, &options);
	cr_assert_eq(bundle_config_harden(&config, &settings, &options, &report, &err), 0, "%s",
		     err ? err->msg : "");
	char *why = xasprintf("%s: %s", policy->name, report.policy_reason);
	return why;
}

Test(policy_select, the_runtime_entry_wins_over_every_word_of_the_config)
{
	write_policy("web.json", "{\"images\": [\"docker.io/library/nginx:*\"]}");
	write_policy("pods.json", "{\"allow\": {\"host_namespaces\": [\"network\"]}}");
	write_policy("strict.json", "{\"capabilities\": []}");
	free(settings.sandbox_policy);
	settings.sandbox_policy = xstrdup("pods");
	struct bundle_harden_options entry = {.entry_policy = "strict",
					      .entry_program = "/usr/local/sbin/oci-harden@strict"};
	const char *specs[] = {CRI_NGINX, CRI_SANDBOX, "{\"ociVersion\":\"1.0.2\"}"};
	for (size_t i = 0; i < ARRAY_SIZE(specs); i++) {
		cleanup_free char *image = NULL;
		cleanup_free char *why = choose(specs[i], &entry, &image);
		cr_assert_str_eq(why,
				 "strict: the runtime entry /usr/local/sbin/oci-harden@strict "
				 "names it",
				 "%s", specs[i]);
	}
	/* Without the entry, the same configs choose as they always did. */
	struct bundle_harden_options none = {0};
	cleanup_free char *image = NULL;
	cleanup_free char *why = choose(CRI_NGINX, &none, &image);
	cr_assert(strncmp(why, "web: ", 5) == 0, "%s", why);
	cr_assert_str_eq(image, "docker.io/library/nginx:latest");
	cleanup_free char *sandbox_image = NULL;
	cleanup_free char *sandbox = choose(CRI_SANDBOX, &none, &sandbox_image);
	cr_assert(strncmp(sandbox, "pods: ", 6) == 0, "%s", sandbox);
	cr_assert_null(sandbox_image, "a sandbox runs no image of the pod's");
}

Test(policy_select, the_clients_record_names_the_image_and_annotations_are_not_read)
{
	write_policy("web.json", "{\"images\": [\"docker.io/library/nginx:*\"]}");
	write_policy("redis.json", "{\"images\": [\"docker.io/library/redis:*\"]}");
	/* The config claims nginx; the record says redis. */
	struct bundle_harden_options record = {.record =
						   "/var/lib/docker/containers/ID/config.v2.json",
					       .recorded_image = "docker.io/library/redis:7"};
	settings.trust_image_annotations = IDENTITY_TRUST_ALWAYS;
	cleanup_free char *image = NULL;
	cleanup_free char *why = choose(CRI_NGINX, &record, &image);
	cr_assert(strncmp(why, "redis: ", 7) == 0, "%s", why);
	cr_assert(strstr(why, "/var/lib/docker/containers/ID/config.v2.json"), "%s", why);
	cr_assert_str_eq(image, "docker.io/library/redis:7");

	/* A record that names the image by its id: the default policy. */
	struct bundle_harden_options by_id = {.record = "/var/lib/docker/r.json"};
	cleanup_free char *no_image = NULL;
	cleanup_free char *default_why = choose(CRI_NGINX, &by_id, &no_image);
	cr_assert(strncmp(default_why, "default: ", 9) == 0, "%s", default_why);
	cr_assert(strstr(default_why, "by its id"), "%s", default_why);
	cr_assert_null(no_image);

	/* Trust of annotations decides the image recorded, as it decides the
	 * policy: the caller's word is not recorded as the image. */
	settings.trust_image_annotations = IDENTITY_TRUST_CRI;
	struct bundle_harden_options none = {0};
	cleanup_free char *claimed = NULL;
	cleanup_free char *claimed_why =
	    choose("{\"ociVersion\":\"1.0.2\",\"annotations\":{\"io.kubernetes.cri.image-name\":"
		   "\"nginx\"}}",
		   &none, &claimed);
	cr_assert_null(claimed);
	cr_assert(strncmp(claimed_why, "default: ", 9) == 0, "%s", claimed_why);
}
