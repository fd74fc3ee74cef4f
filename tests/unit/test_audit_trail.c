/* SPDX-License-Identifier: Apache-2.0 */
/* The event log line and the kernel audit message, from a report. */
#include "audit_trail.h"
#include "helpers.h"

static struct report sample_report(bool audit, bool refuse)
{
	struct report r = {
	    .policy_name = xstrdup("web"), .policy_reason = xstrdup("image x"), .audit = audit};
	report_add(&r, DECISION_CHANGE, "user", "process.user.uid", json_new_int(0),
		   json_new_int(65534), "uid 0 becomes 65534");
	if (refuse) {
		struct decision *d = report_add(&r, DECISION_REFUSE, "namespaces",
						"linux.namespaces", NULL, NULL, "no pid namespace");
		decision_set_lift_item(d, "allow.host_namespaces", "pid");
	}
	return r;
}

Test(audit_trail, outcomes)
{
	struct audit_trail_event event = {.command = "create"};
	cleanup_report struct report hardened = sample_report(false, false);
	cr_assert_str_eq(audit_trail_outcome(&event, &hardened), "hardened");
	cleanup_report struct report refused = sample_report(false, true);
	cr_assert_str_eq(audit_trail_outcome(&event, &refused), "refused");
	cleanup_report struct report audited = sample_report(true, true);
	cr_assert_str_eq(audit_trail_outcome(&event, &audited), "audited");
	cleanup_report struct report nothing = {.policy_name = xstrdup("default")};
	cr_assert_str_eq(audit_trail_outcome(&event, &nothing), "unchanged");
	event.error = "boom";
	cr_assert_str_eq(audit_trail_outcome(&event, &nothing), "error");
}

Test(audit_trail, event_line_is_one_json_object_with_every_decision)
{
	struct audit_trail_event event = {.command = "create",
					  .container_id = "c1",
					  .bundle = "/run/b",
					  .image = "docker.io/library/nginx:1"};
	cleanup_report struct report report = sample_report(false, true);
	struct timespec now = {.tv_sec = 1700000000, .tv_nsec = 123456789};
	cleanup_free char *line = audit_trail_event_line(&event, &report, &now);
	cr_assert_null(strchr(line, '\n'), "one line");
	oh_error_t err = NULL;
	cleanup_json struct json *v = json_parse(line, strlen(line), JSON_PARSE_GO_STRICT, &err);
	cr_assert_not_null(v, "valid JSON: %s", err ? err->msg : "");
	cr_assert_str_eq(json_object_get(v, "time")->string.ptr, "2023-11-14T22:13:20.123Z");
	cr_assert_str_eq(json_object_get(v, "container")->string.ptr, "c1");
	cr_assert_str_eq(json_object_get(v, "bundle")->string.ptr, "/run/b");
	cr_assert_str_eq(json_object_get(v, "image")->string.ptr, "docker.io/library/nginx:1");
	cr_assert_str_eq(json_object_get(v, "policy")->string.ptr, "web");
	cr_assert_str_eq(json_object_get(v, "policy_reason")->string.ptr, "image x");
	cr_assert_str_eq(json_object_get(v, "mode")->string.ptr, "enforce");
	cr_assert_str_eq(json_object_get(v, "outcome")->string.ptr, "refused");
	const struct json *decisions = json_object_get(v, "decisions");
	cr_assert_eq(decisions->array.len, 2);
	const struct json *d0 = decisions->array.items[0];
	cr_assert_str_eq(json_object_get(d0, "rule")->string.ptr, "user");
	cr_assert_str_eq(json_object_get(d0, "path")->string.ptr, "process.user.uid");
	cr_assert_str_eq(json_object_get(d0, "old")->number, "0");
	cr_assert_str_eq(json_object_get(d0, "new")->number, "65534");
	const struct json *d1 = decisions->array.items[1];
	cr_assert_str_eq(json_object_get(d1, "kind")->string.ptr, "refuse");
	const struct json *lift = json_object_get(d1, "lift");
	cr_assert_str_eq(json_object_get(lift, "key")->string.ptr, "allow.host_namespaces");
	cr_assert_str_eq(json_object_get(lift, "value")->array.items[0]->string.ptr, "pid");
	cr_assert_null(json_object_get(d1, "old"), "null old value");
}

Test(audit_trail, kernel_message_fields_and_untrusted_values)
{
	struct audit_trail_event event = {
	    .command = "exec", .container_id = "c 1", .image = "docker.io/library/nginx:1"};
	cleanup_report struct report report = sample_report(true, false);
	cleanup_free char *msg = audit_trail_kernel_message(&event, &report);
	/* "c 1" has a blank: hex, as libaudit encodes untrusted strings */
	cr_assert_str_eq(msg, "virt=oci op=oci-harden-exec vm=632031 "
			      "image=\"docker.io/library/nginx:1\" policy=\"web\" mode=audit "
			      "outcome=audited changes=1 refusals=0 res=success");
}

Test(audit_trail, event_line_has_its_format_version_and_the_pod)
{
	size_t len;
	cleanup_free char *text = test_read_fixture("cri/default.config.json", &len);
	cleanup_json struct json *spec = test_parse(text);
	cleanup_pod_identity struct pod_identity pod = {0};
	cr_assert(policy_pod_of_spec(spec, &pod));
	struct audit_trail_event event = {.command = "create", .container_id = "c1", .pod = &pod};
	cleanup_report struct report report = sample_report(false, true);
	struct timespec now = {.tv_sec = 1700000000, .tv_nsec = 0};
	cleanup_free char *line = audit_trail_event_line(&event, &report, &now);
	cr_assert_eq(strncmp(line, "{\"v\":1,", 7), 0, "the version comes first: %s", line);
	cleanup_json struct json *v = test_parse(line);
	const struct json *p = json_object_get(v, "pod");
	cr_assert_str_eq(json_object_get(p, "namespace")->string.ptr, "default");
	cr_assert_str_eq(json_object_get(p, "name")->string.ptr, "web-7d9f");
	cr_assert_str_eq(json_object_get(p, "uid")->string.ptr,
			 "e0a19329-478c-4e8b-a5c9-1dee7a722e7c");
	cr_assert_str_eq(json_object_get(p, "container")->string.ptr, "default");

	/* The sandbox: the pod, no container. */
	cleanup_free char *sandbox_text = test_read_fixture("cri/sandbox.config.json", &len);
	cleanup_json struct json *sandbox = test_parse(sandbox_text);
	cleanup_pod_identity struct pod_identity sandbox_pod = {0};
	cr_assert(policy_pod_of_spec(sandbox, &sandbox_pod));
	cr_assert_str_eq(sandbox_pod.name, "web-7d9f");
	cr_assert_null(sandbox_pod.container);

	/* A config no CRI wrote names no pod, whatever its annotations say. */
	cleanup_json struct json *forged =
	    test_parse("{\"annotations\": {\"io.kubernetes.cri.sandbox-name\": \"victim\", "
		       "\"io.kubernetes.cri.sandbox-namespace\": \"kube-system\"}}");
	cleanup_pod_identity struct pod_identity none = {0};
	cr_assert_not(policy_pod_of_spec(forged, &none));
	event.pod = NULL;
	cleanup_free char *no_pod = audit_trail_event_line(&event, &report, &now);
	cleanup_json struct json *w = test_parse(no_pod);
	const struct json *null_pod = json_object_get_raw(w, "pod");
	cr_assert(null_pod && null_pod->type == JSON_NULL, "\"pod\": null when there is none");
}
