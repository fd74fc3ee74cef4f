/* SPDX-License-Identifier: Apache-2.0 */
#include "settings.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>

#include "fileio.h"
#include "host.h"
#include "json.h"
#include "policy.h"

#define SETTINGS_MAX_BYTES (1u << 20)

void settings_clear(struct settings *s)
{
	xfree(s->source);
	xfree(s->runtime);
	xfree(s->policy_dir);
	xfree(s->default_policy);
	xfree(s->state_dir);
	xfree(s->sandbox_policy);
	xfree(s->event_log);
	xfree(s->observe_dir);
	xfree(s->docker_data_root);
	*s = (struct settings){0};
}

static int settings_string(const struct json *doc, const char *key, bool absolute, char **out,
			   oh_error_t *err)
{
	const struct json *v = json_object_get(doc, key);
	if (!v)
		return 0;
	if (v->type != JSON_STRING || v->string.len == 0 || strlen(v->string.ptr) != v->string.len)
		return oh_error_make(err, 0, "\"%s\": must be a non-empty string", key);
	if (absolute && v->string.ptr[0] != '/')
		return oh_error_make(err, 0, "\"%s\": must be an absolute path", key);
	xfree(*out);
	*out = xstrdup(v->string.ptr);
	return 0;
}

static int settings_bool(const struct json *doc, const char *key, bool *out, oh_error_t *err)
{
	const struct json *v = json_object_get(doc, key);
	if (!v)
		return 0;
	if (v->type != JSON_BOOL)
		return oh_error_make(err, 0, "\"%s\": must be true or false", key);
	*out = v->boolean;
	return 0;
}

/* "observe", "observe_startup_seconds" and "observe_enforce_syscalls" */
static int settings_observe(const struct json *doc, struct settings *out, oh_error_t *err)
{
	static const char *const names[] = {
	    [SETTINGS_OBSERVE_ALL] = "all",
	    [SETTINGS_OBSERVE_AUDIT] = "audit",
	    [SETTINGS_OBSERVE_NONE] = "none",
	};
	const struct json *v = json_object_get(doc, "observe");
	if (v) {
		size_t i = 0;
		while (i < ARRAY_SIZE(names) &&
		       !(v->type == JSON_STRING && strcmp(v->string.ptr, names[i]) == 0))
			i++;
		if (i == ARRAY_SIZE(names))
			return oh_error_make(err, 0,
					     "\"observe\": must be \"all\", \"audit\" or \"none\"");
		out->observe = (enum settings_observe)i;
	}
	v = json_object_get(doc, "observe_startup_seconds");
	int64_t n;
	if (v && (v->type != JSON_NUMBER || !json_number_int64(v, &n) || n < 0 || n > 86400))
		return oh_error_make(err, 0,
				     "\"observe_startup_seconds\": must be 0 to 86400 seconds");
	if (v)
		out->observe_startup_seconds = (unsigned)n;
	v = json_object_get(doc, "observe_enforce_syscalls");
	if (v) {
		bool failing = v->type == JSON_STRING && strcmp(v->string.ptr, "failing") == 0;
		bool always = v->type == JSON_STRING && strcmp(v->string.ptr, "always") == 0;
		if (!failing && !always)
			return oh_error_make(
			    err, 0,
			    "\"observe_enforce_syscalls\": must be \"failing\" or \"always\"");
		out->observe_enforce_syscalls_always = always;
	}
	return 0;
}

static const char *const settings_keys[] = {"runtime",
					    "policy_dir",
					    "default_policy",
					    "state_dir",
					    "sandbox_policy",
					    "event_log",
					    "kernel_audit",
					    "trust_image_annotations",
					    "docker_data_root",
					    "observe",
					    "observe_dir",
					    "observe_startup_seconds",
					    "observe_enforce_syscalls"};

static void settings_defaults(struct settings *out)
{
	*out = (struct settings){
	    .policy_dir = xstrdup(SETTINGS_DEFAULT_POLICY_DIR),
	    .default_policy = xstrdup("default"),
	    .state_dir = xstrdup(SETTINGS_DEFAULT_STATE_DIR),
	    .sandbox_policy = xstrdup("default"),
	    .event_log = xstrdup(SETTINGS_DEFAULT_EVENT_LOG),
	    .kernel_audit = true,
	    .observe_dir = xstrdup(SETTINGS_DEFAULT_OBSERVE_DIR),
	    .observe_startup_seconds = 60,
	};
}

int settings_load(struct settings *out, oh_error_t *err)
{
	const char *env = getenv(SETTINGS_ENV);
	const char *path = env && *env ? env : SETTINGS_DEFAULT_PATH;

	cleanup_free char *text = NULL;
	size_t len = 0;
	if (file_read_all(AT_FDCWD, path, SETTINGS_MAX_BYTES, &text, &len, err) < 0) {
		settings_defaults(out);
		/* No file is the zero-configuration case; anything else (a
		 * directory, no permission) is a mistake worth stopping for. */
		if ((*err)->errnum == ENOENT) {
			oh_error_free(err);
			return 0;
		}
		return -1;
	}
	return settings_parse(text, len, path, out, err);
}

int settings_parse(const char *text, size_t len, const char *path, struct settings *out,
		   oh_error_t *err)
{
	settings_defaults(out);
	out->source = xstrdup(path);
	cleanup_json struct json *doc = json_parse(text, len, JSON_PARSE_COMMENTS, err);
	if (!doc)
		return oh_error_wrap(err, "%s", path);
	if (doc->type != JSON_OBJECT)
		return oh_error_make(err, 0, "%s: must be a JSON object", path);
	for (size_t i = 0; i < doc->object.len; i++) {
		size_t k = 0;
		while (k < ARRAY_SIZE(settings_keys) &&
		       strcmp(settings_keys[k], doc->object.members[i].key) != 0)
			k++;
		if (k == ARRAY_SIZE(settings_keys))
			return oh_error_make(err, 0, "%s: unknown key \"%s\"", path,
					     doc->object.members[i].key);
	}
	if (settings_string(doc, "runtime", true, &out->runtime, err) < 0 ||
	    settings_string(doc, "policy_dir", true, &out->policy_dir, err) < 0 ||
	    settings_string(doc, "default_policy", false, &out->default_policy, err) < 0 ||
	    settings_string(doc, "state_dir", true, &out->state_dir, err) < 0 ||
	    settings_string(doc, "sandbox_policy", false, &out->sandbox_policy, err) < 0 ||
	    settings_string(doc, "event_log", true, &out->event_log, err) < 0 ||
	    settings_bool(doc, "kernel_audit", &out->kernel_audit, err) < 0 ||
	    settings_string(doc, "docker_data_root", true, &out->docker_data_root, err) < 0 ||
	    settings_string(doc, "observe_dir", true, &out->observe_dir, err) < 0 ||
	    settings_observe(doc, out, err) < 0)
		return oh_error_wrap(err, "%s", path);
	const struct json *trust = json_object_get(doc, "trust_image_annotations");
	if (trust) {
		static const enum identity_trust choices[] = {
		    IDENTITY_TRUST_CRI, IDENTITY_TRUST_ALWAYS, IDENTITY_TRUST_NEVER};
		size_t c = 0;
		while (c < ARRAY_SIZE(choices) &&
		       !(trust->type == JSON_STRING &&
			 strcmp(trust->string.ptr, identity_trust_name(choices[c])) == 0))
			c++;
		if (c == ARRAY_SIZE(choices))
			return oh_error_make(err, 0,
					     "%s: \"trust_image_annotations\": must be \"cri\", "
					     "\"always\" or \"never\"",
					     path);
		out->trust_image_annotations = choices[c];
	}
	if (!policy_name_is_valid(out->default_policy))
		return oh_error_make(err, 0, "%s: \"default_policy\": \"%s\" is not a policy name",
				     path, out->default_policy);
	if (!policy_name_is_valid(out->sandbox_policy))
		return oh_error_make(err, 0, "%s: \"sandbox_policy\": \"%s\" is not a policy name",
				     path, out->sandbox_policy);
	return 0;
}

int settings_resolve_runtime(const struct settings *settings, char **path, oh_error_t *err)
{
	struct stat self;
	if (host_self_stat(&self) < 0)
		return oh_error_make(err, errno, "cannot stat /proc/self/exe");

	if (settings->runtime) {
		struct stat st;
		if (stat(settings->runtime, &st) < 0)
			return oh_error_make(err, errno, "runtime %s", settings->runtime);
		if (st.st_dev == self.st_dev && st.st_ino == self.st_ino)
			return oh_error_make(err, 0, "runtime %s is oci-harden itself",
					     settings->runtime);
		*path = xstrdup(settings->runtime);
		return 0;
	}

	const char *search = getenv("PATH");
	if (!search || !*search)
		search = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
	for (const char *p = search; *p;) {
		const char *end = strchrnul(p, ':');
		/* An empty or relative PATH entry would make the runtime depend on
		 * the working directory, which is the bundle: never search it. */
		if (end > p && *p == '/') {
			cleanup_free char *candidate = xasprintf("%.*s/runc", (int)(end - p), p);
			struct stat st;
			if (stat(candidate, &st) == 0 && S_ISREG(st.st_mode) &&
			    access(candidate, X_OK) == 0 &&
			    !(st.st_dev == self.st_dev && st.st_ino == self.st_ino)) {
				*path = steal_pointer(&candidate);
				return 0;
			}
		}
		p = *end ? end + 1 : end;
	}
	return oh_error_make(err, 0,
			     "no runc found on PATH other than oci-harden itself; set \"runtime\" "
			     "in " SETTINGS_DEFAULT_PATH " or $" SETTINGS_ENV);
}

void settings_pin_policy_dir(struct settings *settings)
{
	/* One openat2 answers for the common directory, which is already
	 * real (or missing): realpath(3) reads each component's link. */
	if (host_path_has_symlink(settings->policy_dir) <= 0)
		return;
	char *real = realpath(settings->policy_dir, NULL);
	if (real) {
		xfree(settings->policy_dir);
		settings->policy_dir = real;
	}
}
