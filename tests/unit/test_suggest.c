/* SPDX-License-Identifier: Apache-2.0 */
/* suggest on recorded observations: event-log lines as oci-harden-observe
 * writes them, shaped after what real images do (a service that switches
 * to its user, one whose master stays root, one that uses nothing), turned
 * into the narrowest policy against the embedded default; and check's
 * judgement of policies by the same observations. */
#include "helpers.h"
#include "suggest.h"

static struct policy *default_policy(void)
{
	struct policy *p = NULL;
	oh_error_t err = NULL;
	cr_assert_eq(policy_load_default(&p, &err), 0);
	return p;
}

/* An "observe" event of IMAGE in MODE with the observation OBS. */
static void add_observation(struct suggest_images *images, const char *image, const char *mode,
			    const char *container, const char *obs)
{
	char *line =
	    xasprintf("{\"command\": \"observe\", \"container\": \"%s\", \"image\": \"%s\", "
		      "\"mode\": \"%s\", \"policy\": \"default\", \"observation\": %s}",
		      container, image, mode, obs);
	struct json *event = test_parse(line);
	oh_error_t err = NULL;
	cr_assert_eq(suggest_images_add_event(images, event, false, &err), 0, "%s",
		     err ? err->msg : "");
	json_free(event);
	free(line);
}

static void add_create(struct suggest_images *images, const char *image, const char *mode,
		       const char *decisions)
{
	char *line = xasprintf("{\"command\": \"create\", \"container\": \"c\", \"image\": \"%s\", "
			       "\"mode\": \"%s\", \"decisions\": %s}",
			       image, mode, decisions);
	struct json *event = test_parse(line);
	oh_error_t err = NULL;
	cr_assert_eq(suggest_images_add_event(images, event, false, &err), 0);
	json_free(event);
	free(line);
}

/* The suggested policy, comments dropped. */
static struct json *policy_of(const struct suggestion *s)
{
	oh_error_t err = NULL;
	struct json *doc = json_parse(s->text, strlen(s->text), JSON_PARSE_COMMENTS, &err);
	cr_assert_not_null(doc, "%s\n%s", err ? err->msg : "", s->text);
	/* What suggest writes is a policy the loader takes. */
	struct policy *p = NULL;
	cr_assert_eq(policy_load_json(doc, "suggested", "test", NULL, NULL, &p, &err), 0, "%s",
		     err ? err->msg : "");
	policy_free(p);
	return doc;
}

static char *keys_of(const struct json *doc)
{
	struct strbuf sb = {0};
	for (size_t i = 0; i < doc->object.len; i++)
		strbuf_appendf(&sb, "%s%s", i ? " " : "", doc->object.members[i].key);
	return strbuf_steal(&sb);
}

static void suggest_one(struct suggest_images *images, struct suggestion *s)
{
	struct policy *base = default_policy();
	cr_assert_eq(images->len, 1);
	suggest_build(&images->items[0], base, "default", s);
	policy_free(base);
}

#define SEEN_ROOT "\"time\": \"2025-01-01T00:00:01.000Z\", \"pid\": 10, \"comm\": \"x\", \"uid\": 0"
#define SEEN_USER                                                                                  \
	"\"time\": \"2025-01-01T00:00:02.000Z\", \"pid\": 11, \"comm\": \"y\", \"uid\": 999"

Test(suggest, a_service_that_switches_to_its_user_gets_that_user_and_nothing_else)
{
	struct suggest_images images = {0};
	add_create(&images, "redis:1", "audit", "[]");
	add_observation(
	    &images, "redis:1", "audit", "r1",
	    "{\"kernel\": true, \"writes_source\": \"overlay upper layer\", "
	    "\"complete\": true, \"init\": {\"pid\": 10, \"uid_start\": 0, \"gid_start\": 0, "
	    "\"uid_end\": 999, \"gid_end\": 999, \"switched\": true},"
	    "\"capabilities\": [{\"name\": \"CAP_SETUID\", " SEEN_ROOT "},"
	    "{\"name\": \"CAP_SETGID\", " SEEN_ROOT "}],"
	    "\"ids\": [{\"uid\": 999, \"gid\": 999, \"euid\": 999, \"egid\": 999, "
	    "\"how\": \"exec\", \"pid\": 10, \"comm\": \"redis-server\"}]}");
	struct suggestion s;
	suggest_one(&images, &s);
	struct json *doc = policy_of(&s);
	char *keys = keys_of(doc);
	cr_assert_str_eq(keys, "extends images user", "%s", s.text);
	cr_assert_eq(json_object_get(json_object_get(doc, "user"), "allow_root"), NULL);
	cr_assert(strstr(s.text, "\"uid\":999"), "%s", s.text);
	cr_assert(strstr(s.text, "left out: CAP_SETGID, CAP_SETUID"), "%s", s.text);
	cr_assert(strstr(s.text, "switched to uid 999 gid 999 (container r1, "), "%s", s.text);
	cr_assert_not(s.trial);
	free(keys);
	json_free(doc);
	suggestion_clear(&s);
	suggest_images_clear(&images);
}

Test(suggest, a_master_that_stays_root_gets_root_the_capabilities_and_its_tmpfs)
{
	struct suggest_images images = {0};
	add_observation(
	    &images, "nginx:1", "audit", "n1",
	    "{\"kernel\": true, \"writes_source\": \"overlay upper layer\", \"complete\": true,"
	    "\"init\": {\"pid\": 10, \"uid_start\": 0, \"gid_start\": 0, \"uid_end\": 0, "
	    "\"gid_end\": 0, \"switched\": false},"
	    "\"capabilities\": [{\"name\": \"CAP_NET_BIND_SERVICE\", " SEEN_ROOT "},"
	    "{\"name\": \"CAP_SETUID\", " SEEN_ROOT "}, {\"name\": \"CAP_CHOWN\", " SEEN_ROOT "}],"
	    "\"writes\": [{\"path\": \"/var/lib/nginx/body\", \"type\": \"directory\", \"change\": "
	    "\"created\", \"uid\": 0, \"gid\": 0},"
	    "{\"path\": \"/run/nginx.pid\", \"type\": \"file\", \"change\": \"created\", \"uid\": "
	    "0},"
	    "{\"path\": \"/tmp/scratch\", \"type\": \"file\", \"change\": \"created\", \"uid\": 0},"
	    "{\"path\": \"/run/lock/x\", \"type\": \"file\", \"change\": \"created\", \"uid\": "
	    "0}]}");
	struct suggestion s;
	suggest_one(&images, &s);
	struct json *doc = policy_of(&s);
	char *caps = json_to_string(json_object_get(doc, "capabilities"), false);
	char *tmpfs = json_to_string(json_object_get(doc, "tmpfs"), false);
	cr_assert_str_eq(caps, "[\"CAP_NET_BIND_SERVICE\",\"CAP_CHOWN\",\"CAP_SETUID\"]");
	/* /run covers /run/lock; /tmp is the default's already. */
	cr_assert_str_eq(tmpfs, "[\"/tmp\",\"/var/lib/nginx/body\",\"/run\"]", "%s", s.text);
	cr_assert_eq(json_object_get(json_object_get(doc, "user"), "allow_root")->boolean, true);
	cr_assert(strstr(s.text, "exercised CAP_NET_BIND_SERVICE as root"), "%s", s.text);
	cr_assert(strstr(s.text, "// /var/lib/nginx/body: created directory /var/lib/nginx/body"));
	free(caps);
	free(tmpfs);
	json_free(doc);
	suggestion_clear(&s);
	suggest_images_clear(&images);
}

Test(suggest, syscalls_the_profile_denies_but_not_fallbacks_and_privilege_raising_execs)
{
	struct suggest_images images = {0};
	add_observation(&images, "tool:1", "audit", "t1",
			"{\"kernel\": true, \"complete\": true,"
			"\"init\": {\"pid\": 10, \"uid_start\": 1000, \"gid_start\": 1000, "
			"\"uid_end\": 1000, \"gid_end\": 1000},"
			"\"syscalls\": [{\"name\": \"clone3\", \"nr\": 435, \"action\": "
			"\"SCMP_ACT_ERRNO\", \"errno\": 38, " SEEN_USER "},"
			"{\"name\": \"personality\", \"nr\": 135, \"action\": \"SCMP_ACT_ERRNO\", "
			"\"errno\": 1, \"args\": [4, 0, 0, 0, 0, 0], " SEEN_USER "}],"
			"\"execs_privileged\": [{\"path\": \"/usr/bin/ping\", " SEEN_USER "}]}");
	struct suggestion s;
	suggest_one(&images, &s);
	struct json *doc = policy_of(&s);
	char *keys = keys_of(doc);
	cr_assert_str_eq(keys, "extends images seccomp no_new_privileges", "%s", s.text);
	char *seccomp = json_to_string(json_object_get(doc, "seccomp"), false);
	cr_assert_str_eq(seccomp, "{\"allow_syscalls\":[\"personality\"]}");
	cr_assert(strstr(s.text, "answered ENOSYS by the profile, from which programs fall back: "
				 "clone3"));
	cr_assert(strstr(s.text, "arguments 0x4, 0, 0, 0, 0, 0"), "%s", s.text);
	cr_assert(strstr(s.text, "/usr/bin/ping raised its privileges"));
	free(keys);
	free(seccomp);
	json_free(doc);
	suggestion_clear(&s);
	suggest_images_clear(&images);
}

Test(suggest, root_that_used_no_power_of_roots_gets_no_exception)
{
	struct suggest_images images = {0};
	add_observation(
	    &images, "quiet:1", "audit", "q1",
	    "{\"kernel\": true, \"writes_source\": \"overlay upper layer\", "
	    "\"complete\": true, \"init\": {\"pid\": 10, \"uid_start\": 0, \"gid_start\": 0, "
	    "\"uid_end\": 0, \"gid_end\": 0}}");
	struct suggestion s;
	suggest_one(&images, &s);
	struct json *doc = policy_of(&s);
	char *keys = keys_of(doc);
	cr_assert_str_eq(keys, "extends images", "%s", s.text);
	cr_assert(strstr(s.text, "used no power of root's"), "%s", s.text);
	free(keys);
	json_free(doc);
	suggestion_clear(&s);
	suggest_images_clear(&images);
}

Test(suggest, nothing_observed_copies_nothing_asked_for)
{
	struct suggest_images images = {0};
	add_create(&images, "old:1", "audit",
		   "[{\"kind\": \"refuse\", \"rule\": \"namespaces\", \"path\": "
		   "\"linux.namespaces\", \"reason\": \"the host's pid namespace\", \"lift\": "
		   "{\"key\": \"allow.host_namespaces\", \"value\": [\"pid\"]}},"
		   "{\"kind\": \"change\", \"rule\": \"capabilities\", \"path\": "
		   "\"process.capabilities.bounding\", \"lift\": {\"key\": \"capabilities\", "
		   "\"value\": [\"CAP_SYS_ADMIN\"]}},"
		   "{\"kind\": \"change\", \"rule\": \"user\", \"path\": \"process.user.uid\", "
		   "\"lift\": {\"key\": \"user.allow_root\", \"value\": true}}]");
	struct suggestion s;
	suggest_one(&images, &s);
	struct json *doc = policy_of(&s);
	char *keys = keys_of(doc);
	cr_assert_str_eq(keys, "extends images", "%s", s.text);
	cr_assert(strstr(s.text, "1 audit-mode containers have no observation"), "%s", s.text);
	cr_assert(strstr(s.text, "not copied: allow.host_namespaces [\"pid\"]"), "%s", s.text);
	cr_assert(strstr(s.text, "enforce refuses the container"), "%s", s.text);
	cr_assert_null(strstr(s.text, "CAP_SYS_ADMIN"), "%s", s.text);
	cr_assert_not(s.observed);
	free(keys);
	json_free(doc);
	suggestion_clear(&s);
	suggest_images_clear(&images);
}

Test(suggest, without_the_kernel_only_writes_are_suggested)
{
	struct suggest_images images = {0};
	add_observation(
	    &images, "pg:1", "audit", "p1",
	    "{\"kernel\": false, \"kernel_unavailable\": \"no BTF\", \"writes_source\": "
	    "\"overlay upper layer\", \"complete\": true, \"writes\": [{\"path\": "
	    "\"/run/postgresql/.s.PGSQL.5432.lock\", \"type\": \"file\", \"change\": "
	    "\"created\", \"uid\": 999}]}");
	struct suggestion s;
	suggest_one(&images, &s);
	struct json *doc = policy_of(&s);
	char *keys = keys_of(doc);
	cr_assert_str_eq(keys, "extends images tmpfs", "%s", s.text);
	cr_assert(strstr(s.text, "have no kernel part (no BTF)"), "%s", s.text);
	free(keys);
	json_free(doc);
	suggestion_clear(&s);
	suggest_images_clear(&images);
}

Test(suggest, enforce_denials_alone_make_a_trial_in_audit_mode)
{
	struct suggest_images images = {0};
	add_create(&images, "nginx:1", "enforce", "[]");
	add_observation(
	    &images, "nginx:1", "enforce", "e1",
	    "{\"kernel\": true, \"complete\": true,"
	    "\"writes_refused\": [{\"path\": \"/var/lib/nginx/body\", \"syscall\": \"mkdir\", "
	    "\"errno\": 30, " SEEN_ROOT "}],"
	    "\"syscalls_denied\": [{\"name\": \"clone3\", \"nr\": 435, \"errno\": 38}]}");
	struct suggestion s;
	suggest_one(&images, &s);
	struct json *doc = policy_of(&s);
	cr_assert(s.trial);
	cr_assert_str_eq(json_object_get(doc, "mode")->string.ptr, "audit");
	cr_assert_eq(s.diagnosis.len, 1, "clone3's ENOSYS is no denial to report");
	cr_assert(
	    strstr(s.diagnosis.items[0], "the read-only root refused mkdir /var/lib/nginx/body"));
	json_free(doc);
	suggestion_clear(&s);
	suggest_images_clear(&images);
}

Test(suggest, check_names_the_doors_no_observation_justifies)
{
	struct suggest_images images = {0};
	add_observation(
	    &images, "nginx:1", "audit", "n1",
	    "{\"kernel\": true, \"complete\": true, \"writes_source\": \"x\", "
	    "\"init\": {\"pid\": 10, \"uid_start\": 0, \"gid_start\": 0, \"uid_end\": 0, "
	    "\"gid_end\": 0}, \"capabilities\": [{\"name\": \"CAP_CHOWN\", " SEEN_ROOT "}],"
	    "\"writes\": [{\"path\": \"/run/nginx.pid\", \"type\": \"file\", "
	    "\"change\": \"created\", \"uid\": 0}]}");
	struct policy *base = default_policy();
	struct json *doc = test_parse(
	    "{\"capabilities\": [\"CAP_NET_BIND_SERVICE\", \"CAP_CHOWN\", \"CAP_SYS_ADMIN\"], "
	    "\"user\": {\"allow_root\": true}, \"tmpfs\": [\"/tmp\", \"/run\", \"/srv\"], "
	    "\"seccomp\": {\"allow_syscalls\": [\"ptrace\"]}, \"no_new_privileges\": false}");
	struct policy *p = NULL;
	oh_error_t err = NULL;
	cr_assert_eq(policy_load_json(doc, "loose", "test", base, NULL, &p, &err), 0);
	const struct suggest_image *mine[] = {&images.items[0]};
	struct string_list doors = {0};
	suggest_unjustified(p, base, mine, 1, &doors);
	struct strbuf all = {0};
	for (size_t i = 0; i < doors.len; i++)
		strbuf_appendf(&all, "%s\n", doors.items[i]);
	cr_assert_eq(doors.len, 4, "%s", all.buf);
	cr_assert(strstr(all.buf, "capability CAP_SYS_ADMIN"));
	cr_assert(strstr(all.buf, "tmpfs /srv"));
	cr_assert(strstr(all.buf, "seccomp.allow_syscalls ptrace"));
	cr_assert(strstr(all.buf, "no_new_privileges false"));
	cr_assert_null(strstr(all.buf, "allow_root"),
		       "root is justified: it stayed root and chowned");
	strbuf_free(&all);
	string_list_clear(&doors);
	policy_free(p);
	policy_free(base);
	json_free(doc);
	suggest_images_clear(&images);
}

Test(suggest, a_broken_observation_is_an_error_naming_the_member)
{
	struct suggest_images images = {0};
	struct json *event = test_parse("{\"command\": \"observe\", \"image\": \"x\", \"mode\": "
					"\"audit\", \"observation\": {\"writes\": 3}}");
	oh_error_t err = NULL;
	cr_assert_lt(suggest_images_add_event(&images, event, false, &err), 0);
	cr_assert(strstr(err->msg, "observation.writes"), "%s", err->msg);
	oh_error_free(&err);
	json_free(event);
	suggest_images_clear(&images);
}

/* The decisions an audit-mode create records for the drift lock, as noexec
 * makes them: the root made read-only, the policy's /tmp, a volume at /data,
 * the memfd hook; each lifted by allow.exec_paths [destination] or
 * allow.exec_memfd. */
#define DRIFT_DECISIONS                                                                            \
	"[{\"kind\": \"change\", \"rule\": \"noexec\", \"path\": \"root.readonly\", \"lift\": "    \
	"{\"key\": \"allow.exec_paths\", \"value\": [\"/\"]}},"                                    \
	"{\"kind\": \"change\", \"rule\": \"noexec\", \"path\": \"mounts[7].options\", \"lift\": " \
	"{\"key\": \"allow.exec_paths\", \"value\": [\"/tmp\"]}},"                                 \
	"{\"kind\": \"change\", \"rule\": \"noexec\", \"path\": \"mounts[8].options\", \"lift\": " \
	"{\"key\": \"allow.exec_paths\", \"value\": [\"/data\"]}},"                                \
	"{\"kind\": \"change\", \"rule\": \"noexec\", \"path\": \"hooks.createRuntime[0]\", "      \
	"\"lift\": {\"key\": \"allow.exec_memfd\", \"value\": true}}]"

#define DRIFT_INIT                                                                                 \
	"\"kernel\": true, \"complete\": true, \"writes_source\": \"overlay upper layer\", "       \
	"\"init\": {\"pid\": 10, \"uid_start\": 1000, \"gid_start\": 1000, \"uid_end\": 1000, "    \
	"\"gid_end\": 1000}"

static char *allow_of(const struct suggestion *s)
{
	struct json *doc = policy_of(s);
	char *allow = json_to_string(json_object_get(doc, "allow"), false);
	json_free(doc);
	return allow;
}

Test(suggest, a_program_written_and_run_gets_its_mounts_destination_in_exec_paths)
{
	struct suggest_images images = {0};
	add_create(&images, "jit:1", "audit", DRIFT_DECISIONS);
	add_observation(&images, "jit:1", "audit", "j1",
			"{" DRIFT_INIT ", \"execs_foreign\": ["
			"{\"path\": \"/data/bin/tool\", \"origin\": \"other mount\", "
			"\"filesystem\": \"ext4\", " SEEN_USER "},"
			"{\"path\": \"/data/bin/other\", \"origin\": \"other mount\", "
			"\"filesystem\": \"ext4\", " SEEN_USER "},"
			"{\"path\": \"/tmp/x\", \"origin\": \"upper layer\", \"filesystem\": "
			"\"overlay\", " SEEN_USER "}]}");
	struct suggestion s;
	suggest_one(&images, &s);
	char *allow = allow_of(&s);
	/* The deepest destination holding each: one entry each, not "/". */
	cr_assert_str_eq(allow, "{\"exec_paths\":[\"/data\",\"/tmp\"]}", "%s", s.text);
	cr_assert(strstr(s.text, "// exec_paths /data: ran /data/bin/tool, written there after the "
				 "container started (other mount, ext4; container j1, "
				 "2025-01-01T00:00:02.000Z, pid 11 (y), uid 999)"),
		  "%s", s.text);
	cr_assert(strstr(s.text, "// exec_paths /tmp: ran /tmp/x"), "%s", s.text);
	/* The locks nothing was seen to need are not "asked for". */
	cr_assert_null(strstr(s.text, "Asked for"), "%s", s.text);
	free(allow);
	suggestion_clear(&s);
	suggest_images_clear(&images);
}

Test(suggest, a_program_run_from_a_memfd_gets_exec_memfd_and_nothing_else)
{
	struct suggest_images images = {0};
	add_create(&images, "mem:1", "audit", DRIFT_DECISIONS);
	add_observation(&images, "mem:1", "audit", "m1",
			"{" DRIFT_INIT ", \"execs_foreign\": [{\"path\": \"/memfd:dropped\", "
			"\"origin\": \"other mount\", \"filesystem\": \"tmpfs\", " SEEN_USER "}]}");
	struct suggestion s;
	suggest_one(&images, &s);
	char *allow = allow_of(&s);
	cr_assert_str_eq(allow, "{\"exec_memfd\":true}", "%s", s.text);
	cr_assert(strstr(s.text, "// exec_memfd: ran /memfd:dropped from memory (memfd_create(2); "
				 "container m1, 2025-01-01T00:00:02.000Z"),
		  "%s", s.text);
	free(allow);
	suggestion_clear(&s);
	suggest_images_clear(&images);
}

Test(suggest, no_program_written_and_run_no_exec_exception)
{
	struct suggest_images images = {0};
	add_create(&images, "redis:1", "audit", DRIFT_DECISIONS);
	add_observation(&images, "redis:1", "audit", "r1", "{" DRIFT_INIT "}");
	struct suggestion s;
	suggest_one(&images, &s);
	struct json *doc = policy_of(&s);
	char *keys = keys_of(doc);
	cr_assert_str_eq(keys, "extends images", "%s", s.text);
	cr_assert_null(strstr(s.text, "exec_"), "%s", s.text);
	free(keys);
	json_free(doc);
	suggestion_clear(&s);
	suggest_images_clear(&images);
}

Test(suggest, a_program_in_a_new_tmpfs_gets_it_in_exec_paths_one_in_the_root_none)
{
	struct suggest_images images = {0};
	add_create(&images, "app:1", "audit", DRIFT_DECISIONS);
	/* /var/cache/app/run: written where a tmpfs is suggested, then run;
	 * /x: written in / itself, which enforce keeps read-only; /opt/ro/y
	 * on a mount noexec leaves as it is (no decision names it). */
	add_observation(&images, "app:1", "audit", "a1",
			"{" DRIFT_INIT ", \"writes\": [{\"path\": \"/var/cache/app/run\", "
			"\"type\": \"file\", \"change\": \"created\", \"uid\": 1000},"
			"{\"path\": \"/x\", \"type\": \"file\", \"change\": \"created\", \"uid\": "
			"1000}], \"execs_foreign\": ["
			"{\"path\": \"/var/cache/app/run\", \"origin\": \"upper layer\", " SEEN_USER
			"}, {\"path\": \"/x\", \"origin\": \"upper layer\", " SEEN_USER "},"
			"{\"path\": \"/opt/ro/y\", \"origin\": \"other mount\", " SEEN_USER "}]}");
	struct suggestion s;
	suggest_one(&images, &s);
	char *allow = allow_of(&s);
	cr_assert_str_eq(allow, "{\"exec_paths\":[\"/var/cache/app\"]}", "%s", s.text);
	cr_assert(strstr(s.text, "Ran /x, which is not from the image's layers (upper layer; "
				 "container a1, 2025-01-01T00:00:02.000Z, pid 11 (y), uid 999): it "
				 "is in the root filesystem"),
		  "%s", s.text);
	cr_assert(strstr(s.text, "Ran /opt/ro/y, which is not from the image's layers (other "
				 "mount; container a1, 2025-01-01T00:00:02.000Z, pid 11 (y), uid "
				 "999): its mount is not one enforce makes noexec"),
		  "%s", s.text);
	free(allow);
	suggestion_clear(&s);
	suggest_images_clear(&images);
}

/* A policy in force that leaves the root writable: the audit-mode create
 * records noexec's refusal, and the suggestion names "/" so that enforce
 * does not refuse the container it was written for. */
Test(suggest, a_writable_root_in_the_policy_in_force_gets_slash_so_enforce_runs_it)
{
	struct suggest_images images = {0};
	add_create(&images, "rw:1", "audit",
		   "[{\"kind\": \"refuse\", \"rule\": \"noexec\", \"path\": \"root.readonly\", "
		   "\"reason\": \"the root filesystem is writable\", \"lift\": {\"key\": "
		   "\"allow.exec_paths\", \"value\": [\"/\"]}}]");
	add_observation(&images, "rw:1", "audit", "w1", "{" DRIFT_INIT "}");
	struct policy *base = NULL;
	oh_error_t err = NULL;
	struct json *base_doc = test_parse("{\"readonly_rootfs\": false}");
	struct policy *def = default_policy();
	cr_assert_eq(policy_load_json(base_doc, "rw", "test", def, NULL, &base, &err), 0);
	struct suggestion s;
	suggest_build(&images.items[0], base, "rw", &s);
	char *allow = allow_of(&s);
	cr_assert_str_eq(allow, "{\"exec_paths\":[\"/\"]}", "%s", s.text);
	cr_assert(strstr(s.text, "enforce refuses a writable root unless exec_paths names \"/\""),
		  "%s", s.text);
	/* The policy written, over its base, is refused by nothing of noexec's
	 * at the root: what check --events accepts too. */
	struct json *doc = policy_of(&s);
	struct policy *p = NULL;
	cr_assert_eq(policy_load_json(doc, "suggested", "test", base, NULL, &p, &err), 0);
	cr_assert(string_list_contains(&p->allow.exec_paths, "/"));
	const struct suggest_image *mine[] = {&images.items[0]};
	struct string_list doors = {0};
	suggest_unjustified(p, def, mine, 1, &doors);
	for (size_t i = 0; i < doors.len; i++)
		cr_assert_null(strstr(doors.items[i], "exec_paths"), "%s", doors.items[i]);
	string_list_clear(&doors);
	policy_free(p);
	json_free(doc);
	free(allow);
	suggestion_clear(&s);
	policy_free(base);
	policy_free(def);
	json_free(base_doc);
	suggest_images_clear(&images);
}

Test(suggest, check_names_exec_doors_no_observation_justifies)
{
	struct suggest_images images = {0};
	add_observation(&images, "jit:1", "audit", "j1",
			"{" DRIFT_INIT ", \"execs_foreign\": [{\"path\": \"/data/bin/tool\", "
			"\"origin\": \"other mount\", " SEEN_USER "}]}");
	struct policy *base = default_policy();
	struct json *doc = test_parse("{\"allow\": {\"exec_paths\": [\"/data\", \"/srv\", \"/\", "
				      "\"/da*\"], \"exec_memfd\": true}}");
	struct policy *p = NULL;
	oh_error_t err = NULL;
	cr_assert_eq(policy_load_json(doc, "loose", "test", base, NULL, &p, &err), 0);
	const struct suggest_image *mine[] = {&images.items[0]};
	struct string_list doors = {0};
	suggest_unjustified(p, base, mine, 1, &doors);
	struct strbuf all = {0};
	for (size_t i = 0; i < doors.len; i++)
		strbuf_appendf(&all, "%s\n", doors.items[i]);
	cr_assert_eq(doors.len, 3, "%s", all.buf);
	cr_assert(strstr(all.buf, "allow.exec_paths /srv: no observation shows a program written "
				  "there run\n"),
		  "%s", all.buf);
	cr_assert(strstr(all.buf, "allow.exec_paths /: the policy keeps the root read-only"), "%s",
		  all.buf);
	cr_assert(strstr(all.buf, "allow.exec_memfd true: no observation shows a program run "
				  "from a memfd"),
		  "%s", all.buf);
	strbuf_free(&all);
	string_list_clear(&doors);
	policy_free(p);
	json_free(doc);

	/* A memfd seen run justifies exec_memfd. */
	add_observation(&images, "jit:1", "audit", "j2",
			"{" DRIFT_INIT ", \"execs_foreign\": [{\"path\": \"/memfd:x\", " SEEN_USER
			"}]}");
	doc = test_parse("{\"allow\": {\"exec_memfd\": true}}");
	cr_assert_eq(policy_load_json(doc, "memfd", "test", base, NULL, &p, &err), 0);
	suggest_unjustified(p, base, mine, 1, &doors);
	cr_assert_eq(doors.len, 0, "%s", doors.len ? doors.items[0] : "");
	policy_free(p);
	json_free(doc);
	policy_free(base);
	suggest_images_clear(&images);
}

/* What the policy in force lets run already needs no exception: a place it
 * names, or a mount below the place that it names. */
Test(suggest, a_place_the_policy_in_force_names_gets_nothing_more)
{
	struct suggest_images images = {0};
	add_create(&images, "jit:1", "audit", DRIFT_DECISIONS);
	add_observation(&images, "jit:1", "audit", "j1",
			"{" DRIFT_INIT ", \"execs_foreign\": ["
			"{\"path\": \"/tmp/x\", \"origin\": \"upper layer\", " SEEN_USER "},"
			"{\"path\": \"/data/jit/y\", \"origin\": \"other mount\", " SEEN_USER
			"}]}");
	struct policy *def = default_policy(), *base = NULL;
	struct json *base_doc =
	    test_parse("{\"allow\": {\"exec_paths\": [\"/tmp\", \"/data/j*\"]}}");
	oh_error_t err = NULL;
	cr_assert_eq(policy_load_json(base_doc, "jit", "test", def, NULL, &base, &err), 0);
	struct suggestion s;
	suggest_build(&images.items[0], base, "jit", &s);
	struct json *doc = policy_of(&s);
	char *keys = keys_of(doc);
	cr_assert_str_eq(keys, "extends images", "%s", s.text);
	free(keys);
	json_free(doc);
	suggestion_clear(&s);
	policy_free(base);
	policy_free(def);
	json_free(base_doc);
	suggest_images_clear(&images);
}
