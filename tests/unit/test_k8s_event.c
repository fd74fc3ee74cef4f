/* SPDX-License-Identifier: Apache-2.0 */
/* Event-log lines as Kubernetes Events: on lines recorded from a real node
 * (tests/fixtures/events/cri-node.log, see its README), since no
 * Kubernetes API server is reachable from the tests, and on made-up lines
 * for what a node rarely writes. tests/e2e/test_k8s_manifests.sh checks
 * the Events against the Kubernetes API's schema. */
#include "helpers.h"
#include "k8s_event.h"

/* Every Event the lines of `text` make, in order. */
static size_t convert_all(const char *text, struct k8s_event_context *ctx, struct json **events,
			  size_t max)
{
	size_t n = 0;
	for (const char *line = text; *line;) {
		const char *end = strchr(line, '\n');
		size_t len = end ? (size_t)(end - line) : strlen(line);
		struct json *event = NULL;
		oh_error_t err = NULL;
		int r = k8s_event_from_line(line, len, "node-1", ctx, &event, &err);
		cr_assert_geq(r, 0, "%s", err ? err->msg : "");
		if (r > 0) {
			cr_assert_lt(n, max);
			events[n++] = event;
		}
		line = end ? end + 1 : line + len;
	}
	return n;
}

static const char *str(const struct json *event, const char *path)
{
	const struct json *v = test_get(event, path);
	cr_assert_not_null(v, "no %s", path);
	return v->string.ptr;
}

Test(k8s_event, recorded_node_gives_a_refusal_and_an_audit_refusal)
{
	size_t len;
	cleanup_free char *text = test_read_fixture("events/cri-node.log", &len);
	struct k8s_event_context ctx = {0};
	struct json *events[8];
	size_t n = convert_all(text, &ctx, events, ARRAY_SIZE(events));
	cr_assert_eq(n, 2, "the sandbox, the hardened container and its exec make none");

	cr_assert_str_eq(str(events[0], "apiVersion"), "v1");
	cr_assert_str_eq(str(events[0], "kind"), "Event");
	cr_assert_str_eq(str(events[0], "metadata.namespace"), "shop");
	cr_assert_eq(strncmp(str(events[0], "metadata.name"), "web-0.oci-harden.", 17), 0);
	cr_assert_str_eq(str(events[0], "involvedObject.kind"), "Pod");
	cr_assert_str_eq(str(events[0], "involvedObject.namespace"), "shop");
	cr_assert_str_eq(str(events[0], "involvedObject.name"), "web-0");
	cr_assert_eq(strncmp(str(events[0], "involvedObject.uid"), "uid-web-0-", 10), 0);
	cr_assert_str_eq(str(events[0], "reason"), "OciHardenRefused");
	cr_assert_str_eq(str(events[0], "type"), "Warning");
	cr_assert_str_eq(str(events[0], "source.component"), "oci-harden");
	cr_assert_str_eq(str(events[0], "source.host"), "node-1");
	cr_assert_str_eq(str(events[0], "reportingInstance"), "node-1");
	const char *message = str(events[0], "message");
	cr_assert_not_null(strstr(message, "oci-harden refused container reads-etc (policy "
					   "\"default\"): mounts["),
			   "%s", message);
	cr_assert_not_null(strstr(message, "(to allow: allow.host_paths [\"/etc:ro\"])"), "%s",
			   message);
	const char *first = str(events[0], "firstTimestamp");
	cr_assert_eq(strlen(first), 20, "RFC 3339 to the second: %s", first);
	cr_assert_eq(first[19], 'Z');
	cr_assert_str_eq(first, str(events[0], "lastTimestamp"));

	cr_assert_str_eq(str(events[1], "reason"), "OciHardenAuditRefusal");
	cr_assert_not_null(strstr(str(events[1], "message"),
				  "audit mode: policy \"busybox\" in enforce mode would refuse "
				  "container audited-etc: "));
	cr_assert_str_neq(str(events[0], "metadata.name"), str(events[1], "metadata.name"));

	/* The same line twice: the same name, so the API server refuses the
	 * second post instead of showing it twice. */
	struct k8s_event_context again = {0};
	struct json *events_again[8];
	cr_assert_eq(convert_all(text, &again, events_again, ARRAY_SIZE(events_again)), 2);
	cr_assert_str_eq(str(events[0], "metadata.name"), str(events_again[0], "metadata.name"));
	for (size_t i = 0; i < n; i++) {
		json_free(events[i]);
		json_free(events_again[i]);
	}
	k8s_event_context_clear(&ctx);
	k8s_event_context_clear(&again);
}

#define LINE_HEAD "{\"v\":1,\"time\":\"2024-05-01T10:00:00.123Z\","
#define POD                                                                                        \
	"\"pod\":{\"namespace\":\"shop\",\"name\":\"web-0\",\"uid\":\"u1\",\"container\":\"app\"}"

Test(k8s_event, an_exec_is_put_on_the_pod_its_create_named)
{
	const char *text = LINE_HEAD
	    "\"command\":\"create\",\"container\":\"c1\"," POD ",\"outcome\":\"hardened\","
	    "\"changes\":3,\"refusals\":0,\"decisions\":[]}\n" LINE_HEAD
	    "\"command\":\"exec\",\"container\":\"c1\",\"pod\":null,\"policy\":\"web\","
	    "\"outcome\":\"refused\",\"changes\":0,\"refusals\":1,\"decisions\":[{\"kind\":"
	    "\"refuse\",\"rule\":\"user\",\"path\":\"process.user.uid\",\"old\":0,\"new\":null,"
	    "\"reason\":\"uid 0\"}]}\n";
	struct k8s_event_context ctx = {0};
	struct json *events[4];
	cr_assert_eq(convert_all(text, &ctx, events, ARRAY_SIZE(events)), 1);
	cr_assert_str_eq(str(events[0], "involvedObject.name"), "web-0");
	cr_assert_str_eq(str(events[0], "message"),
			 "oci-harden refused an exec in container app (policy \"web\"): "
			 "process.user.uid: uid 0");
	json_free(events[0]);
	k8s_event_context_clear(&ctx);

	/* Without the create line, the exec's pod is unknown: no Event. */
	struct k8s_event_context fresh = {0};
	const char *exec_only = strchr(text, '\n') + 1;
	cr_assert_eq(convert_all(exec_only, &fresh, events, ARRAY_SIZE(events)), 0);
	k8s_event_context_clear(&fresh);
}

Test(k8s_event, audit_changes_errors_and_lines_of_no_pod)
{
	const char *text = LINE_HEAD
	    "\"command\":\"create\",\"container\":\"c2\"," POD ",\"policy\":\"web\","
	    "\"outcome\":\"audited\",\"changes\":2,\"refusals\":0,\"decisions\":[{\"kind\":"
	    "\"change\",\"path\":\"root.readonly\",\"reason\":\"read-only root\"}]}\n" LINE_HEAD
	    "\"command\":\"create\",\"container\":\"c3\"," POD ",\"outcome\":\"error\","
	    "\"error\":\"config.json: line 1\",\"changes\":0,\"refusals\":0,\"decisions\":[]}"
	    "\n" LINE_HEAD "\"command\":\"create\",\"container\":\"c4\",\"pod\":null,"
	    "\"outcome\":\"refused\",\"changes\":0,\"refusals\":1,\"decisions\":[]}\n";
	struct k8s_event_context ctx = {0};
	struct json *events[4];
	cr_assert_eq(convert_all(text, &ctx, events, ARRAY_SIZE(events)), 2,
		     "a refusal of no pod (ctr, docker) makes no Event");
	cr_assert_str_eq(str(events[0], "reason"), "OciHardenAuditChange");
	cr_assert_str_eq(str(events[0], "type"), "Normal");
	cr_assert_str_eq(str(events[0], "message"),
			 "audit mode: policy \"web\" in enforce mode would change container app: "
			 "root.readonly: read-only root; 2 changes in all");
	cr_assert_str_eq(str(events[1], "reason"), "OciHardenError");
	cr_assert_str_eq(str(events[1], "message"),
			 "oci-harden could not harden container app: config.json: line 1");
	json_free(events[0]);
	json_free(events[1]);
	k8s_event_context_clear(&ctx);
}

Test(k8s_event, names_and_messages_stay_within_the_api_limits)
{
	char pod_name[300];
	memset(pod_name, 'a', sizeof(pod_name) - 1);
	pod_name[sizeof(pod_name) - 1] = '\0';
	pod_name[239] = '-'; /* where the name is cut */
	char reason[3000];
	memset(reason, 'x', sizeof(reason) - 1);
	reason[sizeof(reason) - 1] = '\0';
	memcpy(reason + 1019, "\xc3\xa9\xc3\xa9", 4); /* UTF-8 across the cut */
	cleanup_free char *line = xasprintf(
	    LINE_HEAD "\"command\":\"create\",\"container\":\"c\",\"pod\":{\"namespace\":\"n\","
		      "\"name\":\"%s\"},\"outcome\":\"refused\",\"refusals\":1,\"decisions\":[{"
		      "\"kind\":\"refuse\",\"path\":\"p\",\"reason\":\"%s\"}]}",
	    pod_name, reason);
	struct k8s_event_context ctx = {0};
	struct json *event = NULL;
	oh_error_t err = NULL;
	cr_assert_eq(k8s_event_from_line(line, strlen(line), "n1", &ctx, &event, &err), 1);
	const char *name = str(event, "metadata.name");
	cr_assert_leq(strlen(name), 253);
	cr_assert_null(strstr(name, "-.oci-harden"), "no label ends in '-': %s", name);
	const char *message = str(event, "message");
	cr_assert_leq(strlen(message), 1024);
	cr_assert_str_eq(message + strlen(message) - 3, "...");
	unsigned char before_cut = (unsigned char)message[strlen(message) - 4];
	cr_assert(before_cut < 0x80 || (before_cut & 0xc0) == 0x80,
		  "not cut after a UTF-8 lead byte");
	json_free(event);
	k8s_event_context_clear(&ctx);
}

Test(k8s_event, lines_of_another_format_are_errors)
{
	static const char *const cases[][2] = {
	    {"{\"time\":\"2024-05-01T10:00:00Z\",\"outcome\":\"refused\"}", "no format version"},
	    {"{\"v\":2,\"outcome\":\"refused\"}", "format version 2"},
	    {"not json", "line 1"},
	    {"[1]", "not an event-log line"},
	};
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct k8s_event_context ctx = {0};
		struct json *event = NULL;
		oh_error_t err = NULL;
		cr_assert_lt(
		    k8s_event_from_line(cases[i][0], strlen(cases[i][0]), "n", &ctx, &event, &err),
		    0, "%s", cases[i][0]);
		cr_assert_not_null(strstr(err->msg, cases[i][1]), "%s: %s", cases[i][0], err->msg);
		oh_error_free(&err);
		k8s_event_context_clear(&ctx);
	}
}

Test(k8s_event, drift_is_a_warning_on_the_pod)
{
	const char *text = LINE_HEAD
	    "\"command\":\"create\",\"container\":\"c5\"," POD ",\"outcome\":\"hardened\","
	    "\"changes\":3,\"refusals\":0,\"decisions\":[]}\n" LINE_HEAD
	    "\"command\":\"observe\",\"container\":\"c5\",\"outcome\":\"observed\","
	    "\"observation\":{}}\n" LINE_HEAD
	    "\"command\":\"drift\",\"container\":\"c5\",\"image\":\"docker.io/library/app:1\","
	    "\"policy\":\"default\",\"mode\":\"enforce\",\"outcome\":\"refused\","
	    "\"path\":\"/tmp/x\",\"origin\":\"other mount\",\"filesystem\":\"tmpfs\","
	    "\"errno\":13,\"process\":{\"pid\":7,\"comm\":\"sh\",\"uid\":0}}\n" LINE_HEAD
	    "\"command\":\"drift\",\"container\":\"c5\",\"mode\":\"audit\","
	    "\"outcome\":\"would be refused\",\"path\":\"/tmp/y\",\"origin\":\"upper layer\","
	    "\"process\":{\"comm\":\"y\"}}\n";
	struct k8s_event_context ctx = {0};
	struct json *events[4];
	cr_assert_eq(convert_all(text, &ctx, events, ARRAY_SIZE(events)), 2,
		     "the observation makes none, each drift line one");
	cr_assert_str_eq(str(events[0], "reason"), "OciHardenDrift");
	cr_assert_str_eq(str(events[0], "type"), "Warning");
	cr_assert_str_eq(str(events[0], "involvedObject.name"), "web-0");
	cr_assert_str_eq(str(events[0], "message"),
			 "container app tried to run /tmp/x, which is not from its image (other "
			 "mount; process sh): refused");
	cr_assert_str_eq(str(events[1], "message"),
			 "container app ran /tmp/y, which is not from its image (upper layer; "
			 "process y): audit mode: enforce mode would refuse it");
	json_free(events[0]);
	json_free(events[1]);
	k8s_event_context_clear(&ctx);
}
