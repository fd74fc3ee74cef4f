/* SPDX-License-Identifier: Apache-2.0 */
/* Docker's record of a container: the image its user named, read only as
 * dockerd writes it. */
#include <sys/stat.h>

#include "docker_record.h"
#include "helpers.h"

#define ID    "90b77f12c2d59c7ba5852758e6d1df32f0bcd20865bfc4860e0b677c276bac52"
#define IMAGE "sha256:ccaf3571ed78307bb7b3f989ca40f9c1c39d288bb8dd1ede70508e1316bb9837"

static char root[64];

static void make_root(void)
{
	strcpy(root, "/tmp/oci-harden-docker-XXXXXX");
	cr_assert_not_null(mkdtemp(root));
}

static void remove_root(void)
{
	cleanup_free char *cmd = xasprintf("rm -rf '%s'", root);
	cr_assert_eq(system(cmd), 0);
}

TestSuite(docker_record, .init = make_root, .fini = remove_root);

/* A record as dockerd 20.10 writes it (abridged: the members read here and
 * a few around them). */
static char *record_text(const char *id, const char *named)
{
	return xasprintf("{\"StreamConfig\":{},\"State\":{\"Running\":false},\"ID\":\"%s\","
			 "\"Path\":\"sleep\",\"Args\":[\"100\"],\"Config\":{\"Hostname\":"
			 "\"90b77f12c2d5\",\"Cmd\":[\"sleep\",\"100\"],\"Image\":\"%s\"},"
			 "\"Image\":\"" IMAGE "\",\"Name\":\"/keep\"}",
			 id, named);
}

static void write_record(const char *id, const char *text)
{
	cleanup_free char *containers = xasprintf("%s/containers", root);
	cleanup_free char *dir = xasprintf("%s/%s", containers, id);
	cleanup_free char *path = xasprintf("%s/config.v2.json", dir);
	mkdir(containers, 0710);
	mkdir(dir, 0710);
	FILE *f = fopen(path, "w");
	cr_assert_not_null(f);
	fputs(text, f);
	fclose(f);
}

Test(docker_record, ids_are_64_lowercase_hex_digits)
{
	cr_assert(docker_record_id_is_valid(ID));
	cr_assert_not(docker_record_id_is_valid("90b77f12c2d5"));
	cr_assert_not(docker_record_id_is_valid(ID "0"));
	cr_assert_not(docker_record_id_is_valid(
	    "90B77F12C2D59C7BA5852758E6D1DF32F0BCD20865BFC4860E0B677C276BAC52"));
	cr_assert_not(docker_record_id_is_valid("../../../../etc/passwd"));
	cr_assert_not(docker_record_id_is_valid(""));
}

Test(docker_record, the_image_the_user_named_fully_qualified)
{
	const char *cases[][2] = {
	    {"local/busybox:test", "docker.io/local/busybox:test"},
	    {"nginx", "docker.io/library/nginx:latest"},
	    {"registry.example.com/app@sha256:ab", "registry.example.com/app@sha256:ab"},
	    /* by id, whole or a prefix: no name */
	    {"ccaf35", NULL},
	    {IMAGE, NULL},
	    {"", NULL},
	};
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		cleanup_free char *text = record_text(ID, cases[i][0]);
		cleanup_json struct json *doc = test_parse(text);
		cleanup_free char *image = NULL;
		oh_error_t err = NULL;
		cr_assert_eq(docker_record_image_of(doc, ID, &image, &err), 0, "%s", cases[i][0]);
		if (cases[i][1])
			cr_assert_str_eq(image, cases[i][1]);
		else
			cr_assert_null(image, "%s", cases[i][0]);
	}
}

Test(docker_record, a_record_not_shaped_as_dockerd_writes_it_is_an_error)
{
	const char *texts[] = {
	    "{\"ID\":\"" ID "0\",\"Config\":{\"Image\":\"nginx\"}}", /* another container's */
	    "{\"Config\":{\"Image\":\"nginx\"}}",
	    "{\"ID\":\"" ID "\"}",
	    "{\"ID\":\"" ID "\",\"Config\":{\"Image\":7}}",
	    "{\"ID\":\"" ID "\",\"Config\":[]}",
	};
	for (size_t i = 0; i < ARRAY_SIZE(texts); i++) {
		cleanup_json struct json *doc = test_parse(texts[i]);
		cleanup_free char *image = NULL;
		oh_error_t err = NULL;
		cr_assert_lt(docker_record_image_of(doc, ID, &image, &err), 0, "%s", texts[i]);
		cr_assert_null(image);
		oh_error_free(&err);
	}
}

Test(docker_record, read_from_the_data_root)
{
	cleanup_free char *text = record_text(ID, "nginx:1.27");
	write_record(ID, text);
	cleanup_free char *image = NULL, *source = NULL;
	oh_error_t err = NULL;
	cr_assert_eq(docker_record_image(root, ID, &image, &source, &err), 1, "%s",
		     err ? err->msg : "");
	cr_assert_str_eq(image, "docker.io/library/nginx:1.27");
	cleanup_free char *want = xasprintf("%s/containers/%s/config.v2.json", root, ID);
	cr_assert_str_eq(source, want);
}

Test(docker_record, no_record_means_not_dockers_container)
{
	const char *other = "0000000000000000000000000000000000000000000000000000000000000000";
	cleanup_free char *image = NULL, *source = NULL;
	oh_error_t err = NULL;
	/* no containers directory, then another container's record only */
	cr_assert_eq(docker_record_image(root, other, &image, &source, &err), 0);
	cleanup_free char *text = record_text(ID, "nginx");
	write_record(ID, text);
	cr_assert_eq(docker_record_image(root, other, &image, &source, &err), 0);
	/* ids of other shapes are never looked up */
	cr_assert_eq(docker_record_image(root, "c1", &image, &source, &err), 0);
	/* nor is a data root that does not exist */
	cr_assert_eq(docker_record_image("/nonexistent/docker", ID, &image, &source, &err), 0);
	cr_assert_null(image);
	cr_assert_null(source);
}

Test(docker_record, a_broken_or_linked_record_fails_closed)
{
	write_record(ID, "{\"ID\": ");
	cleanup_free char *image = NULL, *source = NULL;
	oh_error_t err = NULL;
	cr_assert_lt(docker_record_image(root, ID, &image, &source, &err), 0);
	cr_assert(strstr(err->msg, "Docker's record") && strstr(err->msg, ID), "%s", err->msg);
	oh_error_free(&err);

	cleanup_free char *path = xasprintf("%s/containers/%s/config.v2.json", root, ID);
	cleanup_free char *elsewhere = xasprintf("%s/elsewhere.json", root);
	cleanup_free char *text = record_text(ID, "nginx");
	FILE *f = fopen(elsewhere, "w");
	fputs(text, f);
	fclose(f);
	unlink(path);
	cr_assert_eq(symlink(elsewhere, path), 0);
	cr_assert_lt(docker_record_image(root, ID, &image, &source, &err), 0);
	cr_assert(strstr(err->msg, "symbolic link"), "%s", err->msg);
	oh_error_free(&err);
	cr_assert_null(image);
}
