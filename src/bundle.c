/* SPDX-License-Identifier: Apache-2.0 */
#include "bundle.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "fileio.h"
#include "host.h"

/* `dirfd` and `dir_name`, the kernel's name of it (or NULL), are the
 * config's from here on. */
static int bundle_config_read_at(int dirfd, char *dir_name, const char *name, const char *display,
				 unsigned read_flags, struct bundle_config *out, oh_error_t *err)
{
	*out = (struct bundle_config){
	    .dirfd = dirfd, .name = xstrdup(name), .display = xstrdup(display), .bundle = dir_name};
	if (file_read_all_flags(dirfd, name, display, BUNDLE_CONFIG_MAX_BYTES, read_flags,
				&out->text, &out->len, &out->st, err) < 0)
		return -1;
	out->spec = json_parse(out->text, out->len, JSON_PARSE_GO_STRICT, err);
	if (!out->spec) {
		/* Only the repeated-key check separates the strict parse from
		 * the plain one: what the plain one reads is JSON, ambiguous. */
		oh_error_t plain_err = NULL;
		out->spec = json_parse(out->text, out->len, 0, &plain_err);
		oh_error_free(&plain_err);
		if (!out->spec)
			return oh_error_wrap(err, "%s", display);
		out->ambiguity = xstrdup((*err)->msg);
		oh_error_free(err);
	}
	if (out->spec->type != JSON_OBJECT)
		return oh_error_make(err, 0, "%s: the top level must be a JSON object", display);
	return 0;
}

int bundle_config_read(const char *bundle_dir, struct bundle_config *out, oh_error_t *err)
{
	const char *dir = bundle_dir ? bundle_dir : ".";
	char *dir_name;
	int dirfd = host_open_named(dir, O_RDONLY | O_DIRECTORY, &dir_name);
	if (dirfd < 0) {
		*out = (struct bundle_config){.dirfd = -1};
		return oh_error_make(err, errno, "bundle %s", dir);
	}
	cleanup_free char *display = xasprintf("%s/config.json", dir);
	/* runc chdirs into the bundle and opens "config.json" there; reading
	 * it relative to the same directory fd reads the same file. */
	return bundle_config_read_at(dirfd, dir_name, "config.json", display, FILE_READ_NOFOLLOW,
				     out, err);
}

int bundle_config_read_file(const char *path, struct bundle_config *out, oh_error_t *err)
{
	cleanup_free char *dir_copy = xstrdup(path);
	cleanup_free char *base_copy = xstrdup(path);
	const char *dir = dirname(dir_copy);
	const char *base = basename(base_copy);
	char *dir_name;
	int dirfd = host_open_named(dir, O_RDONLY | O_DIRECTORY, &dir_name);
	if (dirfd < 0) {
		*out = (struct bundle_config){.dirfd = -1};
		return oh_error_make(err, errno, "%s", path);
	}
	return bundle_config_read_at(dirfd, dir_name, base, path, 0, out, err);
}

void bundle_config_close(struct bundle_config *c)
{
	if (c->dirfd >= 0)
		close(c->dirfd);
	xfree(c->name);
	xfree(c->bundle);
	xfree(c->display);
	xfree(c->text);
	xfree(c->ambiguity);
	json_free(c->spec);
	*c = (struct bundle_config){.dirfd = -1};
}

static int bundle_choose_policy(const struct bundle_config *config, const struct settings *settings,
				const struct bundle_harden_options *options, struct policy **policy,
				char **reason, oh_error_t *err)
{
	if (options && options->policy) {
		bool is_file = strchr(options->policy, '/') || strstr(options->policy, ".json");
		*reason = xasprintf("chosen with --policy %s", options->policy);
		return is_file ? policy_load_file(options->policy, settings, policy, err)
			       : policy_load_named(options->policy, settings, policy, err);
	}
	if (options && options->entry_policy) {
		*reason = xasprintf("the runtime entry %s names it", options->entry_program);
		return policy_load_named(options->entry_policy, settings, policy, err);
	}
	if (options && options->image)
		return policy_select_for_image(options->image, settings, policy, reason, err);
	if (options && options->record && !options->recorded_image) {
		*reason = xasprintf("%s names the image by its id, which no policy's images "
				    "match: the default policy \"%s\"",
				    options->record, settings->default_policy);
		return policy_load_named(settings->default_policy, settings, policy, err);
	}
	if (options && options->record) {
		cleanup_free char *why = NULL;
		int r =
		    policy_select_for_image(options->recorded_image, settings, policy, &why, err);
		*reason =
		    why ? xasprintf("%s (the image as %s names it)", why, options->record) : NULL;
		return r;
	}
	return policy_select(config->spec, settings, policy, reason, err);
}

char *bundle_config_image(const struct bundle_config *config, const struct settings *settings,
			  const struct bundle_harden_options *options)
{
	if (options && options->record)
		return options->recorded_image ? xstrdup(options->recorded_image) : NULL;
	if (!policy_spec_identity_trusted(config->spec, settings->trust_image_annotations) ||
	    policy_spec_is_sandbox(config->spec))
		return NULL;
	const char *annotated = policy_image_of_spec(config->spec);
	return annotated ? image_reference_normalize(annotated) : NULL;
}

int bundle_config_harden(struct bundle_config *config, const struct settings *settings,
			 const struct bundle_harden_options *options, struct report *report,
			 oh_error_t *err)
{
	cleanup_policy struct policy *policy = NULL;
	if (bundle_choose_policy(config, settings, options, &policy, &report->policy_reason, err) <
	    0)
		return -1;
	cleanup_host_facts struct host_facts host = {0};
	host_facts_for_spec(policy, config->spec, config->bundle, &host);
	bool audit = policy->mode == POLICY_AUDIT;
	if (options && options->preview)
		policy->mode = POLICY_ENFORCE;
	if (config->ambiguity)
		report_add(report, DECISION_REFUSE, "spec", "", NULL, NULL,
			   "%s: runc's decoder would read one of the ways it could be meant",
			   config->ambiguity);
	if (harden_spec(config->spec, policy, &host, report, err) < 0)
		return oh_error_wrap(err, "%s", config->display);
	report->audit = audit;
	policy->mode = audit ? POLICY_AUDIT : POLICY_ENFORCE;
	if (options && options->chosen)
		*options->chosen = steal_pointer(&policy);
	return 0;
}

/* json_write of the top-level object, member by member, noting where the
 * process's value is written: the container's record holds that text too
 * (container_state.c), which is then copied rather than written again (a
 * process of 5,000 variables is 700 KB). */
static void bundle_write_spec(struct bundle_config *config, struct strbuf *out)
{
	const struct json *spec = config->spec;
	const struct json *process = json_object_get(spec, "process");
	strbuf_putc(out, '{');
	for (size_t i = 0; i < spec->object.len; i++) {
		const struct json_member *m = &spec->object.members[i];
		if (i > 0)
			strbuf_putc(out, ',');
		json_write_string(m->key, strlen(m->key), out);
		strbuf_putc(out, ':');
		size_t at = out->len;
		json_write(m->value, false, out);
		if (process && m->value == process) {
			config->process_offset = at;
			config->process_len = out->len - at;
		}
	}
	strbuf_putc(out, '}');
}

int bundle_config_write(struct bundle_config *config, const struct report *report, oh_error_t *err)
{
	if (report->audit || report_count(report, DECISION_CHANGE) == 0)
		return 0;
	/* The text read is not needed once parsed: the document is written
	 * into its buffer, whose pages are already in memory (a 1 MB config
	 * would otherwise fault in 256 fresh pages). The read left at least
	 * len + 1 bytes there. */
	struct strbuf out = {.buf = steal_pointer(&config->text), .cap = config->len + 1};
	config->len = 0;
	bundle_write_spec(config, &out);
	int r = file_replace_atomically(config->dirfd, config->name, config->display, out.buf,
					out.len, &config->st, err);
	config->text = out.buf;
	config->len = out.len;
	return r < 0 ? -1 : 1;
}
