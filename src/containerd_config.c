/* SPDX-License-Identifier: Apache-2.0 */
/* The runtime handlers `oci-harden install` adds to containerd's
 * config.toml, as an edit of the text. The facts about containerd 1.6 used
 * here, each seen with containerd 1.6.20 and its sources:
 * - A file without `version` is read as version 1, deprecated
 *   (services/server/config/config.go, ValidateV2); its CRI plugin has
 *   another name ("cri") and other tables. Version 3 is containerd 2.
 * - Handlers are tables [plugins."io.containerd.grpc.v1.cri".containerd.
 *   runtimes.NAME] with runtime_type and an options table whose BinaryName
 *   is the program the runc shim runs (pkg/cri/config/config.go).
 * - A file that names any runtime replaces the built-in list, runc
 *   included: a file that named none gets runc back with the block, or the
 *   default runtime "runc" would be gone and the CRI plugin fail to load.
 * - Options are per handler: SystemdCgroup = true of the default handler
 *   must be repeated, or containers of the new handler would use cgroupfs
 *   beside a kubelet that uses systemd. */
#include "containerd_config.h"

#include <string.h>

#include "toml_scan.h"

#define CONTAINERD_BLOCK_BEGIN                                                                     \
	"# oci-harden install: begin. Added by `oci-harden install`; `oci-harden "                 \
	"uninstall` removes exactly the lines from here to the end marker."
#define CONTAINERD_BLOCK_END "# oci-harden install: end"

/* A file install created holds this and the block. */
#define CONTAINERD_CREATED_HEADER "version = 2"

static const char *const runtimes_path[] = {"plugins", CONTAINERD_CRI_PLUGIN, "containerd",
					    "runtimes"};

void containerd_edit_clear(struct containerd_edit *edit)
{
	xfree(edit->text);
	xfree(edit->block);
	*edit = (struct containerd_edit){0};
}

bool containerd_handler_name_is_valid(const char *name)
{
	size_t len = strlen(name);
	if (len == 0 || len > 63 || name[0] == '-' || name[len - 1] == '-')
		return false;
	for (const char *p = name; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '-'))
			return false;
	return true;
}

/* A TOML basic string. */
static void containerd_put_string(struct strbuf *sb, const char *s)
{
	strbuf_putc(sb, '"');
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == '"' || *p == '\\')
			strbuf_appendf(sb, "\\%c", *p);
		else if (*p < 0x20 || *p == 0x7f)
			strbuf_appendf(sb, "\\u%04x", *p);
		else
			strbuf_putc(sb, (char)*p);
	}
	strbuf_putc(sb, '"');
}

static int containerd_check_version(const struct toml_doc *doc, const char *display,
				    oh_error_t *err)
{
	static const char *const version_path[] = {"version"};
	const struct toml_entry *version = toml_doc_keyval(doc, version_path, 1);
	if (!version)
		return oh_error_make(err, 0,
				     "%s: no \"version = 2\": containerd reads this file as a "
				     "version 1 configuration, which oci-harden install does not "
				     "edit; write it as version 2 (the format `containerd config "
				     "default` prints) first",
				     display);
	if (version->value_kind != TOML_VALUE_INTEGER)
		return oh_error_make(err, 0, "%s:%u: version: must be an integer", display,
				     version->line);
	if (version->integer == 1)
		return oh_error_make(err, 0,
				     "%s:%u: version = 1: oci-harden install edits only version 2 "
				     "configurations; write it as version 2 (the format "
				     "`containerd config default` prints) first",
				     display, version->line);
	if (version->integer != 2)
		return oh_error_make(err, 0,
				     "%s:%u: version = %lld: oci-harden install edits only "
				     "containerd 1.6 and 1.7's version 2",
				     display, version->line, version->integer);
	return 0;
}

static int containerd_check_cri_enabled(const struct toml_doc *doc, const char *display,
					oh_error_t *err)
{
	static const char *const disabled_path[] = {"disabled_plugins"};
	const struct toml_entry *disabled = toml_doc_keyval(doc, disabled_path, 1);
	if (!disabled || disabled->value_kind != TOML_VALUE_ARRAY)
		return 0;
	if (string_list_contains(&disabled->strings, CONTAINERD_CRI_PLUGIN))
		return oh_error_make(
		    err, 0,
		    "%s:%u: disabled_plugins disables the CRI plugin (" CONTAINERD_CRI_PLUGIN
		    "), which runtime handlers are for: Kubernetes cannot use "
		    "this containerd",
		    display, disabled->line);
	return 0;
}

/* Whether the tables on the way to the runtimes (plugins, the CRI plugin,
 * its containerd table, runtimes) are all tables that a header may extend:
 * not values (an inline table cannot be extended) and not tables made by
 * dotted keys (TOML allows sub-tables there, but no reader of containerd's
 * was seen to, and no containerd configuration is written so). */
static int containerd_check_runtimes_shape(const struct toml_doc *doc, const char *display,
					   oh_error_t *err)
{
	for (size_t i = 0; i < doc->len; i++) {
		const struct toml_entry *e = &doc->entries[i];
		if (e->kind != TOML_ENTRY_KEYVAL)
			continue;
		size_t first_table = e->path.len - e->key_parts; /* the key's own table */
		for (size_t len = first_table + 1; len <= e->path.len; len++) {
			if (len > ARRAY_SIZE(runtimes_path) ||
			    !toml_path_has_prefix(&e->path, runtimes_path, len))
				continue;
			cleanup_free char *name = toml_path_to_string(&e->path);
			if (len == e->path.len)
				return oh_error_make(
				    err, 0,
				    "%s:%u: %s is written as a value; oci-harden "
				    "install adds runtime handlers as tables under "
				    "[plugins.\"" CONTAINERD_CRI_PLUGIN
				    "\".containerd.runtimes] and needs it written "
				    "as tables",
				    display, e->line, name);
			return oh_error_make(
			    err, 0,
			    "%s:%u: %s: the CRI plugin's tables are written with "
			    "dotted keys; oci-harden install adds runtime handlers "
			    "only to a file that writes them as [table] headers",
			    display, e->line, name);
		}
	}
	return 0;
}

static int containerd_check_handler_absent(const struct toml_doc *doc, const char *display,
					   const char *handler, oh_error_t *err)
{
	const char *path[ARRAY_SIZE(runtimes_path) + 1];
	memcpy(path, runtimes_path, sizeof(runtimes_path));
	path[ARRAY_SIZE(runtimes_path)] = handler;
	for (size_t i = 0; i < doc->len; i++) {
		const struct toml_entry *e = &doc->entries[i];
		if (toml_path_has_prefix(&e->path, path, ARRAY_SIZE(path)))
			return oh_error_make(err, 0,
					     "%s:%u: the runtime handler \"%s\" is already "
					     "configured, and not by oci-harden install: remove it "
					     "or install under another handler name",
					     display, e->line, handler);
	}
	return 0;
}

static bool containerd_names_a_runtime(const struct toml_doc *doc)
{
	for (size_t i = 0; i < doc->len; i++)
		if (doc->entries[i].path.len > ARRAY_SIZE(runtimes_path) &&
		    toml_path_has_prefix(&doc->entries[i].path, runtimes_path,
					 ARRAY_SIZE(runtimes_path)))
			return true;
	return false;
}

/* SystemdCgroup = true in the options of the default handler. */
static bool containerd_default_uses_systemd_cgroup(const struct toml_doc *doc)
{
	static const char *const default_path[] = {"plugins", CONTAINERD_CRI_PLUGIN, "containerd",
						   "default_runtime_name"};
	const struct toml_entry *named =
	    toml_doc_keyval(doc, default_path, ARRAY_SIZE(default_path));
	const char *handler =
	    named && named->value_kind == TOML_VALUE_STRING ? named->string : "runc";
	const char *path[] = {runtimes_path[0], runtimes_path[1], runtimes_path[2],
			      runtimes_path[3], handler,	  "options",
			      "SystemdCgroup"};
	const struct toml_entry *e = toml_doc_keyval(doc, path, ARRAY_SIZE(path));
	return e && e->value_kind == TOML_VALUE_BOOL && e->boolean;
}

static void containerd_put_handler_header(struct strbuf *sb, const char *indent, const char *name,
					  const char *sub, const char *nl)
{
	strbuf_appendf(sb, "%s[plugins.\"%s\".containerd.runtimes.%s%s]%s", indent,
		       CONTAINERD_CRI_PLUGIN, name, sub, nl);
}

/* The block for `base` (the file without an earlier block): a blank line
 * before it, and a line break first where `base` ends without one. */
static char *containerd_block(const char *base, size_t base_len,
			      const struct containerd_install_request *request, const char *nl,
			      bool add_runc, bool systemd_cgroup)
{
	struct strbuf sb = {0};
	if (base_len > 0) {
		if (base[base_len - 1] != '\n')
			strbuf_puts(&sb, nl);
		strbuf_puts(&sb, nl);
	}
	strbuf_appendf(&sb, "%s%s", CONTAINERD_BLOCK_BEGIN, nl);
	if (add_runc) {
		strbuf_appendf(&sb,
			       "# This file named no runtime handler: naming one replaces "
			       "containerd's built-in runc,%s# so runc is named here too.%s",
			       nl, nl);
		containerd_put_handler_header(&sb, "", "runc", "", nl);
		strbuf_appendf(&sb, "  runtime_type = \"%s\"%s%s", CONTAINERD_RUNC_SHIM, nl, nl);
	}
	for (size_t i = 0; i < request->handlers_len; i++) {
		const struct containerd_handler *h = &request->handlers[i];
		containerd_put_handler_header(&sb, "", h->name, "", nl);
		strbuf_appendf(&sb, "  runtime_type = \"%s\"%s", CONTAINERD_RUNC_SHIM, nl);
		containerd_put_handler_header(&sb, "  ", h->name, ".options", nl);
		strbuf_puts(&sb, "    BinaryName = ");
		containerd_put_string(&sb, h->binary_name);
		strbuf_puts(&sb, nl);
		if (systemd_cgroup)
			strbuf_appendf(&sb, "    SystemdCgroup = true%s", nl);
		strbuf_puts(&sb, nl);
	}
	strbuf_appendf(&sb, "%s%s", CONTAINERD_BLOCK_END, nl);
	return strbuf_steal(&sb);
}

/* Where `needle` occurs in text: how often, and the first offset. */
static size_t containerd_count(const char *text, size_t len, const char *needle, size_t *first)
{
	size_t n = 0, needle_len = strlen(needle);
	const char *p = text, *end = text + len;
	while (needle_len && p < end) {
		const char *hit = memmem(p, (size_t)(end - p), needle, needle_len);
		if (!hit)
			break;
		if (n++ == 0)
			*first = (size_t)(hit - text);
		p = hit + needle_len;
	}
	return n;
}

static char *containerd_without(const char *text, size_t len, size_t at, size_t cut,
				size_t *out_len)
{
	char *out = xmalloc(len - cut + 1);
	memcpy(out, text, at);
	memcpy(out + at, text + at + cut, len - at - cut);
	out[len - cut] = '\0';
	*out_len = len - cut;
	return out;
}

int containerd_config_install(const char *display, const char *text, size_t len,
			      const struct containerd_install_request *request,
			      struct containerd_edit *out, oh_error_t *err)
{
	*out = (struct containerd_edit){0};
	for (size_t i = 0; i < request->handlers_len; i++) {
		const struct containerd_handler *h = &request->handlers[i];
		if (!containerd_handler_name_is_valid(h->name))
			return oh_error_make(
			    err, 0,
			    "runtime handler \"%s\": must be a DNS label (a-z, "
			    "0-9 and '-', at most 63), as Kubernetes requires of a "
			    "RuntimeClass's handler",
			    h->name);
		if (h->binary_name[0] != '/')
			return oh_error_make(err, 0,
					     "runtime handler \"%s\": BinaryName %s must be an "
					     "absolute path",
					     h->name, h->binary_name);
		for (size_t j = 0; j < i; j++)
			if (strcmp(request->handlers[j].name, h->name) == 0)
				return oh_error_make(err, 0, "runtime handler \"%s\" named twice",
						     h->name);
	}

	/* The file as it would be without an earlier install's block. */
	cleanup_free char *created = NULL;
	if (request->file_missing) {
		created = xstrdup(CONTAINERD_CREATED_HEADER "\n");
		text = created;
		len = strlen(created);
	}
	cleanup_free char *base_owned = NULL;
	const char *base = text;
	size_t base_len = len, previous_at = 0;
	bool had_previous = false;
	if (request->previous_block) {
		size_t n = containerd_count(text, len, request->previous_block, &previous_at);
		if (n > 1)
			return oh_error_make(err, 0,
					     "%s: the block oci-harden install added is there %zu "
					     "times: remove the copies by hand",
					     display, n);
		if (n == 1) {
			had_previous = true;
			base = base_owned = containerd_without(
			    text, len, previous_at, strlen(request->previous_block), &base_len);
		}
	}

	cleanup_toml_doc struct toml_doc doc = {0};
	if (toml_scan(base, base_len, display, &doc, err) < 0 ||
	    containerd_check_version(&doc, display, err) < 0 ||
	    containerd_check_cri_enabled(&doc, display, err) < 0 ||
	    containerd_check_runtimes_shape(&doc, display, err) < 0)
		return -1;
	if (strstr(base, CONTAINERD_BLOCK_BEGIN) || strstr(base, CONTAINERD_BLOCK_END))
		return oh_error_make(err, 0,
				     "%s: has oci-harden install's marker lines, but not the "
				     "block its record names (edited by hand?): remove the "
				     "block between the markers, then install again",
				     display);
	for (size_t i = 0; i < request->handlers_len; i++)
		if (containerd_check_handler_absent(&doc, display, request->handlers[i].name, err) <
		    0)
			return -1;

	out->runc_added = !containerd_names_a_runtime(&doc);
	out->systemd_cgroup = containerd_default_uses_systemd_cgroup(&doc);
	out->block = containerd_block(base, base_len, request, doc.newline, out->runc_added,
				      out->systemd_cgroup);

	if (had_previous && strcmp(out->block, request->previous_block) == 0) {
		/* Installed as asked already: the file stays as it is, even
		 * where lines were added after the block. */
		out->text = xstrndup(text, len);
		out->len = len;
		out->changed = request->file_missing;
		return 0;
	}
	size_t block_len = strlen(out->block);
	out->len = base_len + block_len;
	out->text = xmalloc(out->len + 1);
	memcpy(out->text, base, base_len);
	memcpy(out->text + base_len, out->block, block_len + 1);
	out->changed = true;
	return 0;
}

int containerd_config_uninstall(const char *display, const char *text, size_t len,
				const char *block, bool created, struct containerd_edit *out,
				oh_error_t *err)
{
	*out = (struct containerd_edit){0};
	size_t at = 0, n = containerd_count(text, len, block, &at);
	if (n > 1)
		return oh_error_make(err, 0,
				     "%s: the block oci-harden install added is there %zu times: "
				     "nothing removed; remove the copies by hand",
				     display, n);
	if (n == 0) {
		if (memmem(text, len, CONTAINERD_BLOCK_BEGIN, strlen(CONTAINERD_BLOCK_BEGIN)) ||
		    memmem(text, len, CONTAINERD_BLOCK_END, strlen(CONTAINERD_BLOCK_END)))
			return oh_error_make(err, 0,
					     "%s: the block between oci-harden install's markers "
					     "was edited by hand: nothing removed; remove it by "
					     "hand",
					     display);
		/* Already gone: nothing of ours is left to remove. */
		out->text = xstrndup(text, len);
		out->len = len;
		return 0;
	}
	out->text = containerd_without(text, len, at, strlen(block), &out->len);
	out->changed = true;
	if (created && strcmp(out->text, CONTAINERD_CREATED_HEADER "\n") == 0) {
		xfree(out->text);
		out->text = NULL;
		out->len = 0;
		out->remove_file = true;
	}
	return 0;
}

int containerd_config_imports(const char *display, const char *text, size_t len,
			      struct string_list *imports, oh_error_t *err)
{
	cleanup_toml_doc struct toml_doc doc = {0};
	if (toml_scan(text, len, display, &doc, err) < 0)
		return -1;
	static const char *const imports_path[] = {"imports"};
	const struct toml_entry *e = toml_doc_keyval(&doc, imports_path, 1);
	if (!e)
		return 0;
	if (e->value_kind != TOML_VALUE_ARRAY || !e->strings_only)
		return oh_error_make(err, 0, "%s:%u: imports: must be a list of strings", display,
				     e->line);
	for (size_t i = 0; i < e->strings.len; i++)
		string_list_add(imports, e->strings.items[i]);
	return 0;
}

int containerd_config_check_import(const char *display, const char *text, size_t len,
				   oh_error_t *err)
{
	cleanup_toml_doc struct toml_doc doc = {0};
	if (toml_scan(text, len, display, &doc, err) < 0)
		return -1;
	for (size_t i = 0; i < doc.len; i++)
		if (toml_path_has_prefix(&doc.entries[i].path, runtimes_path, 2))
			return oh_error_make(
			    err, 0,
			    "%s:%u: configures the CRI plugin; containerd would let this "
			    "imported section replace the whole CRI section of config.toml, "
			    "runtime handlers included: move these settings into config.toml",
			    display, doc.entries[i].line);
	return 0;
}
