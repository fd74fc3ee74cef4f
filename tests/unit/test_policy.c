/* SPDX-License-Identifier: Apache-2.0 */
/* The policy language: the embedded default, and every key's validation. */
#include <sys/stat.h>

#include "embedded.h"
#include "helpers.h"
#include "policy.h"

static struct policy *load_text(const char *text, const struct policy *base, const char *policy_dir,
				oh_error_t *err)
{
	struct json *doc = json_parse(text, strlen(text), JSON_PARSE_COMMENTS, err);
	if (!doc)
		return NULL;
	struct policy_load_context lctx = {.policy_dir = policy_dir};
	struct policy *p = NULL;
	policy_load_json(doc, "test", "test.json", base, &lctx, &p, err);
	json_free(doc);
	return p;
}

static void assert_refused(const char *text, const char *expected)
{
	oh_error_t err = NULL;
	struct policy *p = load_text(text, NULL, NULL, &err);
	cr_assert_null(p, "policy %s should be refused", text);
	cr_assert(strstr(err->msg, expected), "message \"%s\" lacks \"%s\"", err->msg, expected);
	oh_error_free(&err);
}

Test(policy, the_embedded_default)
{
	oh_error_t err = NULL;
	cleanup_policy struct policy *p = NULL;
	cr_assert_eq(policy_load_default(&p, &err), 0, "%s", err ? err->msg : "");
	cr_assert_str_eq(p->name, "default");
	cr_assert_eq(p->mode, POLICY_ENFORCE);
	cr_assert_eq(p->capabilities.len, 1);
	cr_assert_str_eq(p->capabilities.items[0], "CAP_NET_BIND_SERVICE");
	cr_assert_eq(p->uid, 65534);
	cr_assert_eq(p->gid, 65534);
	cr_assert(!p->allow_root);
	cr_assert(p->no_new_privileges);
	cr_assert(p->readonly_rootfs);
	cr_assert_eq(p->tmpfs.len, 1);
	cr_assert_str_eq(p->tmpfs.items[0], "/tmp");
	cleanup_json struct json *profile = policy_seccomp_profile(p, &err);
	cr_assert_not_null(profile, "%s", err ? err->msg : "");
	cr_assert_str_eq(json_object_get(profile, "defaultAction")->string.ptr, "SCMP_ACT_ERRNO");
	cr_assert_eq(p->seccomp_replace, SECCOMP_REPLACE_MISSING);
	cr_assert_str_eq(p->apparmor_profile, "oci-harden-default");
	cr_assert(!p->apparmor_required);
	/* Nothing written after start runs: no mount keeps exec, no memfd. */
	cr_assert_eq(p->allow.exec_paths.len, 0);
	cr_assert(!p->allow.exec_memfd);
}

Test(policy, every_key_read)
{
	oh_error_t err = NULL;
	cleanup_policy struct policy *p = load_text(
	    "{ // comments are allowed\n"
	    "\"images\": [\"docker.io/library/nginx:*\"], \"mode\": \"audit\",\n"
	    "\"capabilities\": [\"CAP_CHOWN\", \"CAP_CHOWN\"], \"user\": {\"uid\": 101, \"gid\": "
	    "102},\n"
	    "\"no_new_privileges\": false, \"readonly_rootfs\": false,\n"
	    "\"tmpfs\": [\"/var/cache/nginx\"], \"seccomp\": {\"profile\": \"default\", "
	    "\"replace\": \"always\"},\n"
	    "\"apparmor\": {\"profile\": \"x\", \"required\": true}, \"pids_limit\": 100,\n"
	    "\"rlimits\": {\"RLIMIT_NOFILE\": {\"soft\": 10, \"hard\": 20}},\n"
	    "\"allow\": {\"host_namespaces\": [\"pid\"], \"host_paths\": [\"/proc:ro\"], "
	    "\"devices\": [\"/dev/fuse\"], \"hooks\": [\"/usr/bin/nvidia-*\"], \"sysctls\": "
	    "[\"net.*\"], \"exec_paths\": [\"/opt/jit\", \"*\"], \"exec_memfd\": true}}",
	    NULL, NULL, &err);
	cr_assert_not_null(p, "%s", err ? err->msg : "");
	cr_assert_eq(p->mode, POLICY_AUDIT);
	cr_assert_eq(p->capabilities.len, 1, "duplicates collapse");
	cr_assert_eq(p->uid, 101);
	cr_assert_eq(p->gid, 102);
	cr_assert(!p->no_new_privileges && !p->readonly_rootfs);
	cr_assert_eq(p->seccomp_replace, SECCOMP_REPLACE_ALWAYS);
	cr_assert(p->apparmor_required);
	cr_assert_eq(p->pids_limit, 100);
	cr_assert_eq(p->rlimits_len, 1);
	cr_assert_eq(p->rlimits[0].hard, 20);
	cr_assert_str_eq(p->allow.host_paths.items[0], "/proc:ro");
	cr_assert_str_eq(p->allow.sysctls.items[0], "net.*");
	cr_assert_eq(p->allow.exec_paths.len, 2);
	cr_assert_str_eq(p->allow.exec_paths.items[0], "/opt/jit");
	cr_assert(p->allow.exec_memfd);
	/* What is saved for a container's execs reads back the same. */
	cleanup_json struct json *doc = policy_to_json(p);
	cleanup_free char *allow = test_text(json_object_get(doc, "allow"));
	cr_assert(strstr(allow, "\"exec_paths\":[\"/opt/jit\",\"*\"],\"exec_memfd\":true"), "%s",
		  allow);
	/* The record's writer gives the same text as the tree. */
	cleanup_free char *tree_text = test_text(doc);
	cleanup_strbuf struct strbuf written = {0};
	policy_write_json(p, &written);
	cr_assert_str_eq(written.buf, tree_text);
	cleanup_policy struct policy *back = NULL;
	cr_assert_eq(policy_load_json(doc, "back", "back.json", NULL, NULL, &back, &err), 0);
	cr_assert_eq(back->allow.exec_paths.len, 2);
	cr_assert(back->allow.exec_memfd);
}

static void assert_lists_equal(const struct string_list *a, const struct string_list *b,
			       const char *what)
{
	cr_assert_eq(a->len, b->len, "%s", what);
	for (size_t i = 0; i < a->len; i++)
		cr_assert_str_eq(a->items[i], b->items[i], "%s", what);
}

static void assert_strings_equal(const char *a, const char *b, const char *what)
{
	cr_assert_eq(!a, !b, "%s", what);
	if (a)
		cr_assert_str_eq(a, b, "%s", what);
}

/* The default policy is data made at build time (src/default_policy_gen.c):
 * it is what the loader makes of the embedded text, every field of it. */
Test(policy, the_built_default_is_what_the_embedded_text_loads_to)
{
	oh_error_t err = NULL;
	cleanup_json struct json *doc = json_parse(
	    embedded_default_policy, embedded_default_policy_len, JSON_PARSE_COMMENTS, &err);
	cr_assert_not_null(doc);
	cleanup_policy struct policy *read = NULL;
	cleanup_policy struct policy *built = NULL;
	cr_assert_eq(policy_load_json(doc, "default", "(embedded)", NULL, NULL, &read, &err), 0);
	cr_assert_eq(policy_load_default(&built, &err), 0);

	cleanup_strbuf struct strbuf read_text = {0};
	cleanup_strbuf struct strbuf built_text = {0};
	policy_write_json(read, &read_text);
	policy_write_json(built, &built_text);
	cr_assert_str_eq(built_text.buf, read_text.buf);
	/* What policy_write_json leaves out. */
	assert_strings_equal(built->name, read->name, "name");
	assert_strings_equal(built->source, read->source, "source");
	assert_strings_equal(built->extends, read->extends, "extends");
	assert_lists_equal(&built->images, &read->images, "images");
	assert_strings_equal(built->seccomp_profile_name, read->seccomp_profile_name,
			     "seccomp_profile_name");
	cr_assert_eq(built->seccomp_profile_len, read->seccomp_profile_len);
	cr_assert_eq(memcmp(built->seccomp_profile_text, read->seccomp_profile_text,
			    read->seccomp_profile_len),
		     0);
	assert_strings_equal(built->seccomp_profile_file, read->seccomp_profile_file,
			     "seccomp_profile_file");
	cr_assert_eq(built->seccomp_replace, read->seccomp_replace);
}

Test(policy, extends_starts_from_the_base)
{
	oh_error_t err = NULL;
	cleanup_policy struct policy *base = NULL;
	cr_assert_eq(policy_load_default(&base, &err), 0);
	cleanup_policy struct policy *p = load_text(
	    "{\"capabilities\": [\"CAP_NET_BIND_SERVICE\", \"CAP_CHOWN\"]}", base, NULL, &err);
	cr_assert_not_null(p);
	cr_assert_eq(p->capabilities.len, 2);
	cr_assert(p->readonly_rootfs, "inherited");
	cr_assert_not_null(p->seccomp_profile_text, "inherited");
	cr_assert_str_eq(p->name, "test");
}

Test(policy, bad_policies_refused_with_the_key)
{
	assert_refused("{\"capabilites\": []}", "capabilites: unknown key");
	assert_refused("{\"capabilities\": [\"CAP_FOO\"]}", "unknown capability \"CAP_FOO\"");
	assert_refused("{\"capabilities\": [\"cap_chown\"]}", "unknown capability");
	assert_refused("{\"capabilities\": [\"12\"]}", "unknown capability");
	assert_refused("{\"capabilities\": [\"CAP_CHOWN,CAP_KILL\"]}", "unknown capability");
	assert_refused("{\"capabilities\": \"CAP_CHOWN\"}", "capabilities: must be a list");
	assert_refused("{\"user\": {\"uid\": 0}}", "must not be 0");
	assert_refused("{\"user\": {\"uid\": -1}}", "user.uid");
	assert_refused("{\"user\": {\"name\": \"x\"}}", "user.name: unknown key");
	assert_refused("{\"mode\": \"warn\"}", "mode: must be");
	assert_refused("{\"tmpfs\": [\"tmp\"]}", "not an absolute path");
	assert_refused("{\"tmpfs\": [\"/tmp/../etc\"]}", "\"..\"");
	assert_refused("{\"seccomp\": {\"replace\": \"sometimes\"}}", "seccomp.replace");
	assert_refused("{\"seccomp\": {\"profile\": \"custom\"}}", "no policy directory");
	assert_refused("{\"rlimits\": {\"RLIMIT_NOFILE\": {\"soft\": 9, \"hard\": 1}}}",
		       "soft limit above hard");
	assert_refused("{\"allow\": {\"host_namespaces\": [\"pids\"]}}", "unknown namespace");
	assert_refused("{\"allow\": {\"exec_paths\": [\"tmp\"]}}",
		       "allow.exec_paths[0]: \"tmp\" is not a pattern for an absolute path");
	assert_refused("{\"allow\": {\"exec_paths\": \"/tmp\"}}",
		       "allow.exec_paths: must be a list");
	assert_refused("{\"allow\": {\"exec_memfd\": \"yes\"}}",
		       "allow.exec_memfd: must be true or false");
	assert_refused("[]", "a policy must be a JSON object");
}

/* The loader goes on past the first problem: every one of a file, each at
 * the offset of its node, and the policy is still refused. */
Test(policy, every_problem_is_recorded_where_it_is)
{
	const char *text =
	    "{\"mode\": \"strict\", \"capabilities\": [\"CAP_FLY\", 7],\n"
	    " \"user\": {\"uid\": -1, \"name\": \"x\"}, \"allow\": {\"hooks\": [\"\"]},\n"
	    " \"rlimits\": {\"RLIMIT_NOFILE\": {\"soft\": 2, \"hard\": 1}},"
	    " \"mode\": \"audit\", \"colour\": 1}";
	oh_error_t err = NULL;
	cleanup_json struct json *doc = json_parse(text, strlen(text), JSON_PARSE_COMMENTS, &err);
	cr_assert_not_null(doc);
	struct diagnostics diagnostics = {0};
	cleanup_policy struct policy *p =
	    policy_load_json_diagnosed(doc, "t", "t.json", NULL, NULL, &diagnostics);
	static const struct {
		const char *needle; /* where the node starts in `text` */
		enum diagnostic_severity severity;
		enum diagnostic_kind kind;
		const char *message;
	} expected[] = {
	    {"\"strict\"", DIAGNOSTIC_ERROR, DIAGNOSTIC_INVALID,
	     "mode: must be \"enforce\" or \"audit\""},
	    {"\"CAP_FLY\"", DIAGNOSTIC_ERROR, DIAGNOSTIC_UNKNOWN_CAPABILITY,
	     "capabilities[0]: unknown capability \"CAP_FLY\" (names are written as in the OCI "
	     "spec, e.g. \"CAP_NET_BIND_SERVICE\")"},
	    {"7]", DIAGNOSTIC_ERROR, DIAGNOSTIC_INVALID, "capabilities[1]: must be a string"},
	    {"-1", DIAGNOSTIC_ERROR, DIAGNOSTIC_INVALID,
	     "user.uid: must be an integer from 0 to 4294967295"},
	    {"\"name\"", DIAGNOSTIC_ERROR, DIAGNOSTIC_UNKNOWN_KEY, "user.name: unknown key"},
	    {"\"\"]", DIAGNOSTIC_ERROR, DIAGNOSTIC_INVALID,
	     "allow.hooks[0]: an empty pattern matches nothing"},
	    {"{\"soft\"", DIAGNOSTIC_ERROR, DIAGNOSTIC_INVALID,
	     "rlimits.RLIMIT_NOFILE: soft limit above hard limit"},
	    {"\"mode\": \"audit", DIAGNOSTIC_WARNING, DIAGNOSTIC_REPEATED_KEY,
	     "mode: repeated key; the later value overrides"},
	    {"\"colour\"", DIAGNOSTIC_ERROR, DIAGNOSTIC_UNKNOWN_KEY, "colour: unknown key"},
	};
	cr_assert_eq(diagnostics.len, ARRAY_SIZE(expected), "%zu diagnostics", diagnostics.len);
	for (size_t i = 0; i < ARRAY_SIZE(expected); i++) {
		const struct diagnostic *d = &diagnostics.items[i];
		cleanup_free char *message = diagnostic_message(d);
		cr_expect_str_eq(message, expected[i].message);
		cr_expect_eq(d->offset, (size_t)(strstr(text, expected[i].needle) - text), "%s",
			     message);
		cr_expect_eq(d->severity, expected[i].severity, "%s", message);
		cr_expect_eq(d->kind, expected[i].kind, "%s", message);
	}
	cr_expect_str_eq(diagnostics.items[4].subject, "name");
	cr_expect_str_eq(diagnostics.items[4].context, "user");
	cr_expect_eq(diagnostics.items[7].related, (size_t)1, "the first \"mode\"");
	cr_assert_eq(diagnostics_count(&diagnostics, DIAGNOSTIC_ERROR), 8);
	diagnostics_clear(&diagnostics);

	/* For a policy that must load, the first error is the error. */
	struct policy *refused = NULL;
	cr_assert_lt(policy_load_json(doc, "t", "t.json", NULL, NULL, &refused, &err), 0);
	cr_assert_str_eq(err->msg, "mode: must be \"enforce\" or \"audit\"");
	oh_error_free(&err);
}

/* The loader names a profile file; the edge, loading the policy file,
 * reads and checks it. */
Test(policy, seccomp_profile_from_the_policy_directory)
{
	char dir[] = "/tmp/oci-harden-test-XXXXXX";
	cr_assert_not_null(mkdtemp(dir));
	cleanup_free char *sub = xasprintf("%s/seccomp", dir);
	cr_assert_eq(mkdir(sub, 0755), 0);
	cleanup_free char *file = xasprintf("%s/seccomp/strict.json", dir);
	FILE *f = fopen(file, "w");
	fputs("{\"defaultAction\": \"SCMP_ACT_KILL\"}", f);
	fclose(f);
	cleanup_free char *policy_path = xasprintf("%s/p.json", dir);
	struct policy_sources sources = {.policy_dir = dir, .display_dir = dir};

	oh_error_t err = NULL;
	cleanup_policy struct policy *named =
	    load_text("{\"seccomp\": {\"profile\": \"strict\"}}", NULL, dir, &err);
	cr_assert_not_null(named, "%s", err ? err->msg : "");
	cr_assert_str_eq(named->seccomp_profile_file, file, "named, not read");
	cr_assert_null(named->seccomp_profile_text);

	f = fopen(policy_path, "w");
	fputs("{\"seccomp\": {\"profile\": \"strict\"}}", f);
	fclose(f);
	struct policy_file loaded = {0};
	cr_assert_eq(policy_file_load(&loaded, policy_path, policy_path, "p", &sources), 0);
	cr_assert_null(loaded.policy->seccomp_profile_file);
	cleanup_json struct json *profile = policy_seccomp_profile(loaded.policy, &err);
	cr_assert_str_eq(json_object_get(profile, "defaultAction")->string.ptr, "SCMP_ACT_KILL");
	policy_file_clear(&loaded);

	f = fopen(policy_path, "w");
	fputs("{\"seccomp\": {\"profile\": \"nope\"}}", f);
	fclose(f);
	cr_assert_lt(policy_file_load(&loaded, policy_path, policy_path, "p", &sources), 0);
	cr_assert_null(loaded.policy);
	policy_file_error(&loaded, &err);
	cleanup_free char *expected = xasprintf("%s: line 1, column 25: seccomp.profile: no "
						"seccomp profile \"nope\" (%s/seccomp/nope.json "
						"does not exist)",
						policy_path, dir);
	cr_assert_str_eq(err->msg, expected);
	oh_error_free(&err);
	policy_file_clear(&loaded);
	unlink(policy_path);
	unlink(file);
	rmdir(sub);
	rmdir(dir);
}

Test(policy, the_embedded_seccomp_profile_is_the_file_in_policies)
{
	/* embed.py strips the whitespace of policies/seccomp/default.json; the
	 * tree must be the same, numbers and strings byte for byte. */
	const char *root = getenv("OCI_HARDEN_SOURCE_ROOT");
	cleanup_free char *path = xasprintf("%s/policies/seccomp/default.json", root ? root : ".");
	cleanup_free char *text = NULL;
	size_t len;
	oh_error_t err = NULL;
	cr_assert_eq(file_read_all(AT_FDCWD, path, 1 << 20, &text, &len, &err), 0);
	cleanup_json struct json *from_file = json_parse(text, len, 0, &err);
	cr_assert_not_null(from_file);
	cleanup_policy struct policy *p = NULL;
	cr_assert_eq(policy_load_default(&p, &err), 0);
	cleanup_json struct json *embedded = policy_seccomp_profile(p, &err);
	cr_assert(json_equal(from_file, embedded));
	cr_assert_lt(p->seccomp_profile_len, len, "stored without its whitespace");
}
