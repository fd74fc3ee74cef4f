/* SPDX-License-Identifier: Apache-2.0 */
/* Event-log lines as Kubernetes Events. The Event is the core/v1 kind the
 * kubelet itself writes (involvedObject the Pod, source and reporting
 * component, first and last timestamps, a count): what `kubectl describe
 * pod` lists under Events. Its name is the pod's name and a hash of the
 * line, so that posting the same line twice is refused by the API server
 * (AlreadyExists) instead of showing twice. */
#include "k8s_event.h"

#include <stdint.h>
#include <string.h>

#include "audit_trail.h"

/* How many containers' pods are remembered for their execs. */
#define K8S_EVENT_MAX_PODS 4096
/* The API server keeps Event messages this short (events.k8s.io's note
 * limit; core/v1 shows no more in kubectl describe's one line). */
#define K8S_EVENT_MAX_MESSAGE 1024
/* metadata.name: a DNS subdomain, at most 253. */
#define K8S_EVENT_MAX_NAME 253

void k8s_event_context_clear(struct k8s_event_context *ctx)
{
	for (size_t i = 0; i < ctx->len; i++) {
		xfree(ctx->pods[i].container_id);
		json_free(ctx->pods[i].pod);
	}
	xfree(ctx->pods);
	*ctx = (struct k8s_event_context){0};
}

static void k8s_event_remember(struct k8s_event_context *ctx, const char *container,
			       const struct json *pod)
{
	for (size_t i = 0; i < ctx->len; i++) {
		if (strcmp(ctx->pods[i].container_id, container) == 0) {
			json_free(ctx->pods[i].pod);
			ctx->pods[i].pod = json_clone(pod);
			return;
		}
	}
	struct k8s_event_pod *slot;
	if (ctx->len < K8S_EVENT_MAX_PODS) {
		ctx->pods = xgrow(ctx->pods, &ctx->cap, ctx->len + 1, sizeof(*ctx->pods));
		slot = &ctx->pods[ctx->len++];
	} else {
		slot = &ctx->pods[ctx->next];
		ctx->next = (ctx->next + 1) % K8S_EVENT_MAX_PODS;
		xfree(slot->container_id);
		json_free(slot->pod);
	}
	slot->container_id = xstrdup(container);
	slot->pod = json_clone(pod);
}

static const struct json *k8s_event_recall(const struct k8s_event_context *ctx,
					   const char *container)
{
	for (size_t i = 0; i < ctx->len; i++)
		if (strcmp(ctx->pods[i].container_id, container) == 0)
			return ctx->pods[i].pod;
	return NULL;
}

static const char *k8s_event_string(const struct json *object, const char *key)
{
	const struct json *v = object ? json_object_get(object, key) : NULL;
	return v && v->type == JSON_STRING && strlen(v->string.ptr) == v->string.len ? v->string.ptr
										     : NULL;
}

static long long k8s_event_count(const struct json *line, const char *key)
{
	int64_t n = 0;
	const struct json *v = json_object_get(line, key);
	return v && v->type == JSON_NUMBER && json_number_int64(v, &n) ? n : 0;
}

/* The first decision of `kind` ("refuse", "change") as one sentence:
 * "PATH: REASON (to allow: KEY VALUE)", KEY VALUE the policy entry that
 * would lift it. */
static void k8s_event_first(const struct json *line, const char *kind, struct strbuf *out)
{
	const struct json *decisions = json_object_get(line, "decisions");
	if (!decisions || decisions->type != JSON_ARRAY)
		return;
	for (size_t i = 0; i < decisions->array.len; i++) {
		const struct json *d = decisions->array.items[i];
		const char *k = k8s_event_string(d, "kind");
		if (!k || strcmp(k, kind) != 0)
			continue;
		const char *path = k8s_event_string(d, "path");
		const char *reason = k8s_event_string(d, "reason");
		strbuf_appendf(out, "%s%s%s", path ? path : "", path && reason ? ": " : "",
			       reason ? reason : "");
		const struct json *lift = json_object_get(d, "lift");
		const char *key = k8s_event_string(lift, "key");
		const struct json *value = lift ? json_object_get(lift, "value") : NULL;
		if (key && value) {
			cleanup_free char *text = json_to_string(value, false);
			strbuf_appendf(out, " (to allow: %s %s)", key, text);
		}
		return;
	}
}

/* "2023-11-14T22:13:20.123Z" -> "2023-11-14T22:13:20Z": metav1.Time is
 * RFC 3339 to the second. */
static char *k8s_event_time(const char *time)
{
	if (!time || strlen(time) < 20 || time[10] != 'T')
		return NULL;
	return xasprintf("%.19sZ", time);
}

/* FNV-1a, 64 bits: the line's short, stable name. */
static uint64_t k8s_event_hash(const char *s, size_t len)
{
	return fnv1a(FNV1A_START, s, len);
}

/* Cut at K8S_EVENT_MAX_MESSAGE bytes, not inside a UTF-8 sequence. */
static void k8s_event_cut(struct strbuf *message)
{
	if (message->len <= K8S_EVENT_MAX_MESSAGE)
		return;
	size_t keep = K8S_EVENT_MAX_MESSAGE - 3;
	while (keep > 0 && ((unsigned char)message->buf[keep] & 0xc0) == 0x80)
		keep--;
	message->len = keep;
	message->buf[keep] = '\0';
	strbuf_puts(message, "...");
}

int k8s_event_from_line(const char *text, size_t len, const char *node,
			struct k8s_event_context *ctx, struct json **event, oh_error_t *err)
{
	*event = NULL;
	cleanup_json struct json *line = json_parse(text, len, 0, err);
	if (!line)
		return -1;
	if (line->type != JSON_OBJECT)
		return oh_error_make(err, 0, "not an event-log line (a JSON object)");
	const struct json *version = json_object_get(line, "v");
	int64_t v = 0;
	if (!version || version->type != JSON_NUMBER || !json_number_int64(version, &v))
		return oh_error_make(err, 0,
				     "no format version (\"v\"): written by an oci-harden before "
				     "the event log had one, which named no pod");
	if (v != AUDIT_TRAIL_EVENT_VERSION)
		return oh_error_make(err, 0, "format version %lld, this oci-harden reads %d",
				     (long long)v, AUDIT_TRAIL_EVENT_VERSION);

	const char *container = k8s_event_string(line, "container");
	const char *command = k8s_event_string(line, "command");
	const struct json *pod = json_object_get(line, "pod");
	if (pod && pod->type == JSON_OBJECT && container)
		k8s_event_remember(ctx, container, pod);
	else if (container)
		pod = k8s_event_recall(ctx, container);
	const char *namespace = k8s_event_string(pod, "namespace");
	const char *pod_name = k8s_event_string(pod, "name");
	if (!namespace || !pod_name)
		return 0;

	const char *outcome = k8s_event_string(line, "outcome");
	const char *policy = k8s_event_string(line, "policy");
	long long refusals = k8s_event_count(line, "refusals");
	long long changes = k8s_event_count(line, "changes");
	const char *reason, *type = "Warning";
	cleanup_strbuf struct strbuf what = {0}, message = {0};
	const char *pod_container = k8s_event_string(pod, "container");
	bool exec = command && strcmp(command, "exec") == 0;
	if (pod_container)
		strbuf_appendf(&what, "%scontainer %s", exec ? "an exec in " : "", pod_container);
	else
		strbuf_appendf(&what, "%sthe pod's sandbox", exec ? "an exec in " : "");

	if (!outcome)
		return oh_error_make(err, 0, "no \"outcome\"");
	if (command && strcmp(command, "drift") == 0) {
		/* A program not from the image (issue 16): a Warning in every
		 * mode and outcome. */
		const struct json *process = json_object_get(line, "process");
		const char *comm = k8s_event_string(process, "comm");
		const char *path = k8s_event_string(line, "path");
		const char *origin = k8s_event_string(line, "origin");
		bool refused = strcmp(outcome, "refused") == 0;
		bool audit = strcmp(outcome, "would be refused") == 0;
		reason = "OciHardenDrift";
		strbuf_appendf(&message,
			       "%s %s %s, which is not from its image (%s; process %s): %s",
			       what.buf, refused ? "tried to run" : "ran", path ? path : "?",
			       origin ? origin : "?", comm ? comm : "?",
			       audit	 ? "audit mode: enforce mode would refuse it"
			       : refused ? "refused"
					 : "it ran");
	} else if (strcmp(outcome, "refused") == 0) {
		reason = "OciHardenRefused";
		strbuf_appendf(&message, "oci-harden refused %s (policy \"%s\"): ", what.buf,
			       policy ? policy : "?");
		k8s_event_first(line, "refuse", &message);
		if (refusals > 1)
			strbuf_appendf(&message, "; %lld refusals in all", refusals);
	} else if (strcmp(outcome, "error") == 0) {
		reason = "OciHardenError";
		const char *error = k8s_event_string(line, "error");
		strbuf_appendf(&message, "oci-harden could not harden %s: %s", what.buf,
			       error ? error : "?");
	} else if (strcmp(outcome, "audited") == 0 && refusals > 0) {
		reason = "OciHardenAuditRefusal";
		strbuf_appendf(&message,
			       "audit mode: policy \"%s\" in enforce mode would refuse %s: ",
			       policy ? policy : "?", what.buf);
		k8s_event_first(line, "refuse", &message);
		strbuf_appendf(&message, "; %lld refusal%s, %lld change%s in all", refusals,
			       refusals == 1 ? "" : "s", changes, changes == 1 ? "" : "s");
	} else if (strcmp(outcome, "audited") == 0 && changes > 0) {
		reason = "OciHardenAuditChange";
		type = "Normal";
		strbuf_appendf(&message,
			       "audit mode: policy \"%s\" in enforce mode would change %s: ",
			       policy ? policy : "?", what.buf);
		k8s_event_first(line, "change", &message);
		if (changes > 1)
			strbuf_appendf(&message, "; %lld changes in all", changes);
	} else {
		return 0;
	}
	k8s_event_cut(&message);

	cleanup_free char *stamp = k8s_event_time(k8s_event_string(line, "time"));
	if (!stamp)
		return oh_error_make(err, 0, "no \"time\" in RFC 3339");
	const char *suffix = ".oci-harden.";
	size_t room = K8S_EVENT_MAX_NAME - strlen(suffix) - 16;
	/* A cut name may not end a DNS label with '-' or '.'. */
	size_t keep = strlen(pod_name) < room ? strlen(pod_name) : room;
	while (keep > 1 && (pod_name[keep - 1] == '-' || pod_name[keep - 1] == '.'))
		keep--;
	cleanup_free char *name = xasprintf("%.*s%s%016llx", (int)keep, pod_name, suffix,
					    (unsigned long long)k8s_event_hash(text, len));

	struct json *e = json_new_object();
	json_object_set(e, "apiVersion", json_new_string("v1"));
	json_object_set(e, "kind", json_new_string("Event"));
	struct json *metadata = json_new_object();
	json_object_set(metadata, "name", json_new_string(name));
	json_object_set(metadata, "namespace", json_new_string(namespace));
	json_object_set(e, "metadata", metadata);
	struct json *involved = json_new_object();
	json_object_set(involved, "apiVersion", json_new_string("v1"));
	json_object_set(involved, "kind", json_new_string("Pod"));
	json_object_set(involved, "namespace", json_new_string(namespace));
	json_object_set(involved, "name", json_new_string(pod_name));
	const char *uid = k8s_event_string(pod, "uid");
	if (uid)
		json_object_set(involved, "uid", json_new_string(uid));
	json_object_set(e, "involvedObject", involved);
	json_object_set(e, "reason", json_new_string(reason));
	json_object_set(e, "message", json_new_string(message.buf));
	json_object_set(e, "type", json_new_string(type));
	struct json *source = json_new_object();
	json_object_set(source, "component", json_new_string("oci-harden"));
	json_object_set(source, "host", json_new_string(node));
	json_object_set(e, "source", source);
	json_object_set(e, "reportingComponent", json_new_string("oci-harden"));
	json_object_set(e, "reportingInstance", json_new_string(node));
	json_object_set(e, "firstTimestamp", json_new_string(stamp));
	json_object_set(e, "lastTimestamp", json_new_string(stamp));
	json_object_set(e, "count", json_new_int(1));
	*event = e;
	return 1;
}
