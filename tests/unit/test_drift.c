/* SPDX-License-Identifier: Apache-2.0 */
/* Drift: which execs an observation makes into "drift" lines of the event
 * log, what each line says (container, image, path, the process), and the
 * runtime log's sentence; the enforce-mode denials' summary. */
#include "drift.h"
#include "helpers.h"
#include "observation.h"

static struct observation_exec *exec_add(struct observation_execs *list, const char *path,
					 const char *origin, const char *filesystem, int64_t error)
{
	struct observation_exec *x = observation_list_add(list);
	x->path = xstrdup(path);
	x->origin = origin ? xstrdup(origin) : NULL;
	x->filesystem = filesystem ? xstrdup(filesystem) : NULL;
	x->error = error;
	x->seen = (struct observation_seen){.time = xstrdup("2026-01-01T00:00:01.000Z"),
					    .pid = 77,
					    .comm = xstrdup("sh"),
					    .uid = 1000,
					    .euid = 1000};
	return x;
}

static const char spec_text[] =
    "{\"mounts\": ["
    "{\"destination\": \"/tmp\", \"type\": \"tmpfs\", \"source\": \"tmpfs\", \"options\": "
    "[\"nosuid\", \"nodev\", \"noexec\"]},"
    "{\"destination\": \"/data\", \"type\": \"bind\", \"source\": \"/srv/data\", \"options\": "
    "[\"rbind\"]},"
    "{\"destination\": \"/data/config\", \"type\": \"bind\", \"source\": \"/srv/config\", "
    "\"options\": [\"rbind\", \"ro\"]},"
    "{\"destination\": \"/proc\", \"type\": \"proc\", \"source\": \"proc\"}]}";

Test(drift, writable_mount_is_the_deepest_holding_the_path)
{
	cleanup_json struct json *spec = test_parse(spec_text);
	const struct json *m = drift_writable_mount(spec, "/tmp/x");
	cr_assert_not_null(m);
	cr_assert_str_eq(json_object_get(m, "destination")->string.ptr, "/tmp");
	cr_assert_not_null(drift_writable_mount(spec, "/data/bin/tool"));
	cr_assert_null(drift_writable_mount(spec, "/data/config/tool"), "a read-only bind");
	cr_assert_null(drift_writable_mount(spec, "/tmpx/tool"), "not under /tmp");
	cr_assert_null(drift_writable_mount(spec, "/proc/self/exe"), "not a writable type");
	cr_assert_null(drift_writable_mount(spec, "/usr/bin/id"), "the root: no mount");
	cr_assert_null(drift_writable_mount(NULL, "/tmp/x"));
}

Test(drift, audit_foreign_exec_is_what_enforce_would_refuse)
{
	struct observation o = {0};
	exec_add(&o.execs_foreign, "/tmp/x", "upper layer", "overlay", 0);
	struct drift_container c = {
	    .id = "c1", .image = "docker.io/library/app:1", .policy = "default", .mode = "audit"};
	cleanup_json struct json *events = drift_events(&c, &o, "2026-01-01T00:00:02.000Z");
	cr_assert_eq(events->array.len, 1);
	cleanup_free char *text = test_text(events->array.items[0]);
	cr_assert_str_eq(
	    text, "{\"v\":1,\"time\":\"2026-01-01T00:00:02.000Z\",\"command\":\"drift\","
		  "\"container\":\"c1\","
		  "\"image\":\"docker.io/library/app:1\",\"policy\":\"default\",\"mode\":\"audit\","
		  "\"outcome\":\"would be refused\",\"path\":\"/tmp/x\",\"origin\":\"upper layer\","
		  "\"filesystem\":\"overlay\",\"seen\":\"2026-01-01T00:00:01.000Z\",\"process\":{"
		  "\"pid\":77,\"comm\":\"sh\",\"uid\":1000,\"euid\":1000}}");
	cleanup_free char *sentence = drift_event_sentence(events->array.items[0]);
	cr_assert_str_eq(
	    sentence, "oci-harden: drift: container c1 (image docker.io/library/app:1) ran /tmp/x, "
		      "which is not from the image's layers (upper layer, overlay; process sh, "
		      "pid 77, uid 1000): audit mode: enforce mode would refuse it");
	observation_clear(&o);
}

Test(drift, enforce_refused_exec_is_drift_only_on_a_writable_mount_or_in_memory)
{
	struct observation o = {0};
	exec_add(&o.execs_foreign, "/data/tool", "other mount", "ext4", 0);
	exec_add(&o.execs_foreign, "/memfd:jit", "other mount", "tmpfs", 0);
	exec_add(&o.execs_refused, "/tmp/x", NULL, NULL, 13);
	exec_add(&o.execs_refused, "/usr/local/bin/not-executable", NULL, NULL, 13);
	exec_add(&o.execs_refused, "/data/config/tool", NULL, NULL, 13);
	exec_add(&o.execs_refused, "/memfd:dropped/", NULL, NULL, 13);
	cleanup_json struct json *spec = test_parse(spec_text);
	struct drift_container c = {.id = "c2", .mode = "enforce", .spec = spec};
	cleanup_json struct json *events = drift_events(&c, &o, "t");
	cr_assert_eq(events->array.len, 4);
	const char *expected[][4] = {{"/data/tool", "ran", "other mount", "ext4"},
				     {"/memfd:jit", "ran", "memfd", "tmpfs"},
				     {"/tmp/x", "refused", "other mount", "tmpfs"},
				     {"/memfd:dropped", "refused", "memfd", "tmpfs"}};
	for (size_t i = 0; i < 4; i++) {
		const struct json *e = events->array.items[i];
		cr_assert_str_eq(json_object_get(e, "path")->string.ptr, expected[i][0]);
		cr_assert_str_eq(json_object_get(e, "outcome")->string.ptr, expected[i][1]);
		cr_assert_str_eq(json_object_get(e, "origin")->string.ptr, expected[i][2]);
		cr_assert_str_eq(json_object_get(e, "filesystem")->string.ptr, expected[i][3]);
		cr_assert_eq(json_object_get_raw(e, "image")->type, JSON_NULL);
	}
	cleanup_free char *refused = drift_event_sentence(events->array.items[2]);
	cr_assert(strstr(refused, "c2 (image ?) tried to run /tmp/x") != NULL, "%s", refused);
	cr_assert(strstr(refused, ": enforce mode: refused") != NULL, "%s", refused);
	cleanup_free char *ran = drift_event_sentence(events->array.items[0]);
	cr_assert(strstr(ran, "ran /data/tool") != NULL && strstr(ran, "enforce mode: it ran"),
		  "%s", ran);
	observation_clear(&o);
}

Test(drift, nothing_run_from_outside_the_image_is_no_event)
{
	struct observation o = {0};
	exec_add(&o.execs_privileged, "/usr/bin/su", NULL, NULL, 0);
	struct drift_container c = {.id = "c3", .mode = "audit"};
	cleanup_json struct json *events = drift_events(&c, &o, "t");
	cr_assert_eq(events->array.len, 0);
	observation_clear(&o);
}
