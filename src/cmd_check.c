/* SPDX-License-Identifier: Apache-2.0 */
/* `oci-harden check [PATH...]`: the policy linter. It reads each policy file
 * (or every policy of a directory, by default the configured one) and the
 * seccomp profiles they name, and prints one line per problem on stdout, as
 * a compiler does:
 *
 *   FILE:LINE:COLUMN: error: JSON-PATH: what is wrong
 *   FILE:LINE:COLUMN: warning: JSON-PATH: what is suspicious
 *   FILE: error: what is wrong with the file as a whole (it cannot be read)
 *
 * sorted by file, then position. Warnings (patterns that are not fully
 * qualified, patterns two policies share, names a rule cannot filter) count
 * as problems like errors do. Exit status 0 when there is none, 1 when
 * there is any, 2 for a bad command line; a one-line summary goes to stderr
 * unless --quiet.
 *
 * A directory is checked as selection reads it: its policies in name order,
 * "extends" and seccomp profiles resolved in it, overlapping image patterns
 * compared. A file named on its own resolves them in its own directory, the
 * one it would be installed in beside them.
 *
 * It finds everything it can in a file rather than stopping at the first
 * problem: unknown keys, capability names, image patterns and seccomp
 * profiles are checked here over the JSON tree, and the rest goes through
 * the policy loader itself (policy_load_json), one top-level member at a
 * time, taking out what it refused and asking again. The loader's messages
 * start with the JSON path of what they refuse, which locates them. */
#include <dirent.h>
#include <errno.h>
#include <fnmatch.h>
#include <limits.h>
#include <seccomp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/stat.h>

#include "capability_names.h"
#include "check_observed.h"
#include "commands.h"
#include "embedded.h"
#include "fileio.h"
#include "policy.h"
#include "settings.h"

enum {
	CHECK_EXIT_CLEAN = 0,
	CHECK_EXIT_PROBLEMS = 1,
	CHECK_EXIT_USAGE = 2,
};

/* The limits of the loader (policy.c, policy_select.c), so that what passes
 * here also loads. */
#define CHECK_FILE_MAX_BYTES (4u << 20)
#define CHECK_MAX_EXTENDS    16

/* A key or capability name this close to a known one is probably a typo. */
#define CHECK_SUGGEST_DISTANCE 2

/* Each round of the loader takes out one refused node; a policy has far
 * fewer nodes than this. */
#define CHECK_MAX_LOADER_ROUNDS 1000

/* The overlap test keeps a table of (tokens of one pattern + 1) x (tokens of
 * the other + 1); past this size two patterns are taken to overlap. */
#define CHECK_GLOB_MAX_CELLS (16u << 20)

#define CHECK_EMBEDDED_SECCOMP_DISPLAY "<embedded>/seccomp/default.json"

static const char check_usage[] =
    "usage: oci-harden check [-q|--quiet] [--events EVENTLOG] [PATH...]\n"
    "Lint policy files, or every policy of a directory (by default the configured policy "
    "directory).\nWith --events, warn of every door a policy opens that no observation in "
    "EVENTLOG justifies.\n";

enum check_severity {
	CHECK_ERROR,
	CHECK_WARNING,
};

struct check_problem {
	size_t file;	    /* index in check_run.files */
	unsigned line, col; /* 0: the file as a whole */
	enum check_severity severity;
	char *message;
	size_t seq; /* order of reporting, to keep the sort stable */
};

/* An image pattern of a policy, kept for the overlap test after the file's
 * tree is gone. */
struct check_pattern {
	char *pattern;
	size_t index; /* in "images" */
	unsigned line, col;
};

/* A policy that takes part in selection: policies of one directory compete,
 * in the order of their names. */
struct check_policy {
	size_t file;
	char *group; /* the directory */
	char *name;
	struct check_pattern *patterns;
	size_t patterns_len, patterns_cap;
};

struct check_profile {
	char *key; /* absolute path, or "" for the embedded default */
	bool loads;
};

struct check_run {
	struct string_list files; /* display names, in output order */
	struct check_problem *problems;
	size_t problems_len, problems_cap;
	size_t errors, warnings;
	struct check_policy *policies;
	size_t policies_len, policies_cap;
	struct check_profile *profiles;
	size_t profiles_len, profiles_cap;
	struct string_list checked; /* real paths of the policy files read */
	size_t policy_files;
};

/* One file's text, to turn byte offsets into line:column. */
struct check_source {
	size_t file;
	const char *text;
	size_t len;
};

/* ---- problems ------------------------------------------------------------ */

static size_t check_file_index(struct check_run *run, const char *display)
{
	for (size_t i = 0; i < run->files.len; i++)
		if (strcmp(run->files.items[i], display) == 0)
			return i;
	string_list_add(&run->files, display);
	return run->files.len - 1;
}

static void check_report_at(struct check_run *run, size_t file, unsigned line, unsigned col,
			    enum check_severity severity, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));
static void check_report_at(struct check_run *run, size_t file, unsigned line, unsigned col,
			    enum check_severity severity, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *message = xvasprintf(fmt, ap);
	va_end(ap);
	run->problems =
	    xgrow(run->problems, &run->problems_cap, run->problems_len + 1, sizeof(*run->problems));
	run->problems[run->problems_len] = (struct check_problem){
	    .file = file,
	    .line = line,
	    .col = col,
	    .severity = severity,
	    .message = message,
	    .seq = run->problems_len,
	};
	run->problems_len++;
	if (severity == CHECK_ERROR)
		run->errors++;
	else
		run->warnings++;
}

static void check_report(struct check_run *run, const struct check_source *src, size_t offset,
			 enum check_severity severity, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
static void check_report(struct check_run *run, const struct check_source *src, size_t offset,
			 enum check_severity severity, const char *fmt, ...)
{
	unsigned line, col;
	json_offset_to_line_col(src->text, src->len, offset, &line, &col);
	va_list ap;
	va_start(ap, fmt);
	cleanup_free char *message = xvasprintf(fmt, ap);
	va_end(ap);
	check_report_at(run, src->file, line, col, severity, "%s", message);
}

static bool check_reported_at(const struct check_run *run, const struct check_source *src,
			      size_t offset)
{
	unsigned line, col;
	json_offset_to_line_col(src->text, src->len, offset, &line, &col);
	for (size_t i = 0; i < run->problems_len; i++)
		if (run->problems[i].file == src->file && run->problems[i].line == line &&
		    run->problems[i].col == col)
			return true;
	return false;
}

/* Messages about a file name it first ("path: cannot open: ..."); the line
 * names the file already. */
static const char *check_without_prefix(const char *message, const char *prefix)
{
	size_t n = strlen(prefix);
	if (strncmp(message, prefix, n) == 0 && message[n] == ':' && message[n + 1] == ' ')
		return message + n + 2;
	return message;
}

/* json_parse says "line L, column C: reason" for syntax. */
static void check_report_parse_error(struct check_run *run, size_t file, const char *message)
{
	unsigned line, col;
	int used = 0;
	if (sscanf(message, "line %u, column %u: %n", &line, &col, &used) == 2 && used > 0)
		check_report_at(run, file, line, col, CHECK_ERROR, "%s", message + used);
	else
		check_report_at(run, file, 0, 0, CHECK_ERROR, "%s", message);
}

/* ---- locating nodes ------------------------------------------------------ */

static bool check_is_scalar_char(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       c == '+' || c == '-' || c == '.';
}

/* Where a value starts. The tree keeps the offset just past each value
 * (json.h), and just past the opening bracket of a container. */
static size_t check_node_start(const char *text, const struct json *v)
{
	size_t end = v->offset;
	switch (v->type) {
	case JSON_OBJECT:
	case JSON_ARRAY:
		return end > 0 ? end - 1 : 0;
	case JSON_STRING:
		return json_string_token_start(text, end);
	default:
		while (end > 0 && check_is_scalar_char(text[end - 1]))
			end--;
		return end;
	}
}

struct check_location {
	struct json *node;
	struct json *parent; /* NULL: the root */
	size_t index;	     /* of node in parent */
};

static bool check_path_ends(const char *rest)
{
	return rest[0] == ':' && rest[1] == ' ';
}

/* Follow the JSON path at msg[at] ("user.uid", "capabilities[2]": members
 * dotted, items in brackets) from `v`, which `loc` holds, as far as the tree
 * has it. Keys may contain dots, so every member whose key fits is tried, and
 * a path that reaches the ": " ending the path in the message wins over one
 * that stops short. Returns where in `msg` the walk ended. */
static size_t check_walk(struct json *v, const char *msg, size_t at, struct check_location *loc)
{
	size_t best = at;
	bool best_ends = check_path_ends(msg + at);
	struct check_location best_loc = *loc;

	if (v->type == JSON_ARRAY && msg[at] == '[' && msg[at + 1] >= '0' && msg[at + 1] <= '9') {
		char *end;
		unsigned long long i = strtoull(msg + at + 1, &end, 10);
		if (*end == ']' && i < v->array.len) {
			struct check_location sub = {v->array.items[i], v, (size_t)i};
			size_t n = check_walk(sub.node, msg, (size_t)(end + 1 - msg), &sub);
			if (check_path_ends(msg + n) > best_ends ||
			    (check_path_ends(msg + n) == best_ends && n > best)) {
				best = n;
				best_ends = check_path_ends(msg + n);
				best_loc = sub;
			}
		}
	} else if (v->type == JSON_OBJECT && (at == 0 || msg[at] == '.')) {
		size_t key_at = at == 0 ? 0 : at + 1;
		for (size_t i = 0; i < v->object.len; i++) {
			const char *key = v->object.members[i].key;
			size_t len = strlen(key);
			char after = msg[key_at + len];
			if (len == 0 || strncmp(msg + key_at, key, len) != 0 ||
			    (after != '.' && after != '[' && after != ':'))
				continue;
			struct check_location sub = {v->object.members[i].value, v, i};
			size_t n = check_walk(sub.node, msg, key_at + len, &sub);
			if (check_path_ends(msg + n) > best_ends ||
			    (check_path_ends(msg + n) == best_ends && n > best)) {
				best = n;
				best_ends = check_path_ends(msg + n);
				best_loc = sub;
			}
		}
	}
	*loc = best_loc;
	return best;
}

/* The path of `target` below `v`, found by its offset and type (unique in
 * one document: no two values end at the same byte), appended to `path`. */
static bool check_path_to(const struct json *v, const struct json *target, struct strbuf *path)
{
	if (v->offset == target->offset && v->type == target->type)
		return true;
	size_t saved = path->len;
	if (v->type == JSON_ARRAY) {
		for (size_t i = 0; i < v->array.len; i++) {
			strbuf_appendf(path, "[%zu]", i);
			if (check_path_to(v->array.items[i], target, path))
				return true;
			path->len = saved;
			path->buf[saved] = '\0';
		}
	} else if (v->type == JSON_OBJECT) {
		for (size_t i = 0; i < v->object.len; i++) {
			strbuf_appendf(path, ".%s", v->object.members[i].key);
			if (check_path_to(v->object.members[i].value, target, path))
				return true;
			path->len = saved;
			path->buf[saved] = '\0';
		}
	}
	return false;
}

static void check_remove_member(struct json *object, size_t index)
{
	struct json_member *m = &object->object.members[index];
	free(m->key);
	json_free(m->value);
	memmove(m, m + 1, (object->object.len - index - 1) * sizeof(*m));
	object->object.len--;
}

static void check_remove(const struct check_location *loc)
{
	if (loc->parent->type == JSON_OBJECT)
		check_remove_member(loc->parent, loc->index);
	else
		json_array_remove(loc->parent, loc->index);
}

/* ---- names ----------------------------------------------------------------- */

/* Levenshtein distance, for "did you mean". Long strings are never close. */
static size_t check_edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	size_t row[65];
	if (la > 64 || lb > 64)
		return SIZE_MAX;
	for (size_t j = 0; j <= lb; j++)
		row[j] = j;
	for (size_t i = 1; i <= la; i++) {
		size_t diagonal = row[0];
		row[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t above = row[j];
			size_t best = diagonal + (a[i - 1] != b[j - 1]);
			if (above + 1 < best)
				best = above + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			row[j] = best;
			diagonal = above;
		}
	}
	return row[lb];
}

static bool check_key_is_known(const char *level, const char *key)
{
	const char *known;
	for (size_t i = 0; (known = policy_known_key(level, i)); i++)
		if (strcmp(known, key) == 0)
			return true;
	return false;
}

static const char *check_key_suggestion(const char *level, const char *key)
{
	const char *best = NULL, *known;
	size_t best_distance = CHECK_SUGGEST_DISTANCE + 1;
	for (size_t i = 0; (known = policy_known_key(level, i)); i++) {
		size_t d = check_edit_distance(key, known);
		if (d < best_distance) {
			best = known;
			best_distance = d;
		}
	}
	return best;
}

/* The canonical name a misspelt capability most likely meant: the same in
 * upper case, with the "CAP_" it lacks, or the nearest name libcap knows. */
static char *check_capability_suggestion(const char *name)
{
	cleanup_free char *upper = xstrdup(name);
	for (char *p = upper; *p; p++)
		if (*p >= 'a' && *p <= 'z')
			*p = (char)(*p - 'a' + 'A');
	if (capability_name_is_valid(upper))
		return steal_pointer(&upper);
	cleanup_free char *prefixed = xasprintf("CAP_%s", upper);
	if (capability_name_is_valid(prefixed))
		return steal_pointer(&prefixed);

	char *best = NULL;
	size_t best_distance = CHECK_SUGGEST_DISTANCE + 1;
	for (cap_value_t v = 0; v < 64; v++) {
		char *libcap_name = cap_to_name(v);
		if (!libcap_name)
			continue;
		cleanup_free char *candidate = xstrdup(libcap_name);
		cap_free(libcap_name);
		for (char *p = candidate; *p; p++)
			if (*p >= 'a' && *p <= 'z')
				*p = (char)(*p - 'a' + 'A');
		if (!capability_name_is_valid(candidate))
			continue; /* a number: libcap has no name for it */
		size_t d = check_edit_distance(upper, candidate);
		if (d < best_distance) {
			free(best);
			best = steal_pointer(&candidate);
			best_distance = d;
		}
	}
	return best;
}

static char *check_join(const char *dir, const char *name)
{
	if (!*dir)
		return xstrdup(name);
	size_t n = strlen(dir);
	return xasprintf("%s%s%s", dir, dir[n - 1] == '/' ? "" : "/", name);
}

/* ---- seccomp profiles ----------------------------------------------------- */

/* The architecture names of the OCI runtime spec (config-linux.md,
 * "Seccomp") and libseccomp's for them (seccomp_arch_resolve_name). */
static const struct {
	const char *oci;
	const char *libseccomp;
} check_seccomp_arches[] = {
    {"SCMP_ARCH_X86", "x86"},
    {"SCMP_ARCH_X86_64", "x86_64"},
    {"SCMP_ARCH_X32", "x32"},
    {"SCMP_ARCH_ARM", "arm"},
    {"SCMP_ARCH_AARCH64", "aarch64"},
    {"SCMP_ARCH_MIPS", "mips"},
    {"SCMP_ARCH_MIPS64", "mips64"},
    {"SCMP_ARCH_MIPS64N32", "mips64n32"},
    {"SCMP_ARCH_MIPSEL", "mipsel"},
    {"SCMP_ARCH_MIPSEL64", "mipsel64"},
    {"SCMP_ARCH_MIPSEL64N32", "mipsel64n32"},
    {"SCMP_ARCH_PPC", "ppc"},
    {"SCMP_ARCH_PPC64", "ppc64"},
    {"SCMP_ARCH_PPC64LE", "ppc64le"},
    {"SCMP_ARCH_S390", "s390"},
    {"SCMP_ARCH_S390X", "s390x"},
    {"SCMP_ARCH_PARISC", "parisc"},
    {"SCMP_ARCH_PARISC64", "parisc64"},
    {"SCMP_ARCH_RISCV64", "riscv64"},
};

struct check_arch {
	uint32_t token;
	const char *name; /* libseccomp's */
};

static char *check_libseccomp_version(void)
{
	const struct scmp_version *v = seccomp_version();
	return xasprintf("libseccomp %u.%u.%u", v->major, v->minor, v->micro);
}

/* The architectures a profile lists, each known to libseccomp; the native
 * one when it lists none. Returns how many. */
static size_t check_profile_arches(struct check_run *run, const struct check_source *src,
				   const struct json *profile, struct check_arch *out, size_t max)
{
	const struct json *arches = json_object_get(profile, "architectures");
	size_t n = 0;
	if (arches && arches->type != JSON_ARRAY) {
		check_report(run, src, check_node_start(src->text, arches), CHECK_ERROR,
			     "architectures: must be a list of strings");
		arches = NULL;
	}
	for (size_t i = 0; arches && i < arches->array.len && n < max; i++) {
		const struct json *a = arches->array.items[i];
		size_t at = check_node_start(src->text, a);
		if (a->type != JSON_STRING) {
			check_report(run, src, at, CHECK_ERROR,
				     "architectures[%zu]: must be a string", i);
			continue;
		}
		size_t k = 0;
		while (k < ARRAY_SIZE(check_seccomp_arches) &&
		       strcmp(check_seccomp_arches[k].oci, a->string.ptr) != 0)
			k++;
		if (k == ARRAY_SIZE(check_seccomp_arches)) {
			check_report(run, src, at, CHECK_ERROR,
				     "architectures[%zu]: unknown architecture \"%s\"", i,
				     a->string.ptr);
			continue;
		}
		uint32_t token = seccomp_arch_resolve_name(check_seccomp_arches[k].libseccomp);
		if (token == 0) {
			cleanup_free char *version = check_libseccomp_version();
			check_report(run, src, at, CHECK_ERROR,
				     "architectures[%zu]: %s does not know \"%s\"", i, version,
				     a->string.ptr);
			continue;
		}
		out[n++] = (struct check_arch){token, check_seccomp_arches[k].libseccomp};
	}
	if (n == 0 && (!arches || arches->array.len == 0)) {
		uint32_t native = seccomp_arch_native();
		for (size_t k = 0; k < ARRAY_SIZE(check_seccomp_arches); k++)
			if (seccomp_arch_resolve_name(check_seccomp_arches[k].libseccomp) == native)
				out[n++] =
				    (struct check_arch){native, check_seccomp_arches[k].libseccomp};
	}
	return n;
}

/* A name libseccomp knows on none of the architectures is a typo or a
 * syscall newer than this libseccomp (runc skips such names, so the rule
 * quietly does nothing). A name that resolves only to negative
 * pseudo-syscall numbers exists, but not on these architectures (chown32 on
 * x86_64): a rule naming it filters nothing here. */
static void check_syscall_name(struct check_run *run, const struct check_source *src,
			       const struct json *name, const char *path,
			       const struct check_arch *arches, size_t arches_len)
{
	bool known = false, real = false;
	for (size_t a = 0; a < arches_len; a++) {
		int nr = seccomp_syscall_resolve_name_arch(arches[a].token, name->string.ptr);
		known = known || nr != __NR_SCMP_ERROR;
		real = real || nr >= 0;
	}
	if (real)
		return;
	cleanup_strbuf struct strbuf on = {0};
	for (size_t a = 0; a < arches_len; a++)
		strbuf_appendf(&on, "%s%s", a ? ", " : "", arches[a].name);
	cleanup_free char *version = check_libseccomp_version();
	size_t at = check_node_start(src->text, name);
	if (!known)
		check_report(run, src, at, CHECK_ERROR, "%s: unknown syscall \"%s\" (%s, %s)", path,
			     name->string.ptr, version, on.buf);
	else
		check_report(run, src, at, CHECK_WARNING,
			     "%s: \"%s\" is not a syscall on %s (%s): a rule naming it filters "
			     "nothing there",
			     path, name->string.ptr, on.buf, version);
}

static void check_profile_syscalls(struct check_run *run, const struct check_source *src,
				   const struct json *profile, const struct check_arch *arches,
				   size_t arches_len)
{
	const struct json *rules = json_object_get(profile, "syscalls");
	if (!rules)
		return;
	if (rules->type != JSON_ARRAY) {
		check_report(run, src, check_node_start(src->text, rules), CHECK_ERROR,
			     "syscalls: must be a list of rules");
		return;
	}
	for (size_t r = 0; r < rules->array.len; r++) {
		const struct json *rule = rules->array.items[r];
		if (rule->type != JSON_OBJECT) {
			check_report(run, src, check_node_start(src->text, rule), CHECK_ERROR,
				     "syscalls[%zu]: must be an object", r);
			continue;
		}
		const struct json *names = json_object_get(rule, "names");
		if (!names || names->type != JSON_ARRAY) {
			size_t at = check_node_start(src->text, names ? names : rule);
			check_report(run, src, at, CHECK_ERROR,
				     "syscalls[%zu].names: must be a list of syscall names", r);
			continue;
		}
		for (size_t i = 0; i < names->array.len; i++) {
			const struct json *name = names->array.items[i];
			cleanup_free char *path = xasprintf("syscalls[%zu].names[%zu]", r, i);
			if (name->type != JSON_STRING ||
			    strlen(name->string.ptr) != name->string.len)
				check_report(run, src, check_node_start(src->text, name),
					     CHECK_ERROR, "%s: must be a string", path);
			else if (arches_len > 0)
				check_syscall_name(run, src, name, path, arches, arches_len);
		}
	}
}

/* Check a seccomp profile once per run: `path` NULL is the embedded default.
 * Returns whether the loader can read it (its problems are the profile's,
 * reported at the profile's own file:line:col). */
static bool check_seccomp_profile(struct check_run *run, const char *path, const char *display)
{
	const char *key = path ? path : "";
	for (size_t i = 0; i < run->profiles_len; i++)
		if (strcmp(run->profiles[i].key, key) == 0)
			return run->profiles[i].loads;
	size_t entry = run->profiles_len;
	run->profiles =
	    xgrow(run->profiles, &run->profiles_cap, run->profiles_len + 1, sizeof(*run->profiles));
	run->profiles[run->profiles_len++] = (struct check_profile){.key = xstrdup(key)};

	struct check_source src = {.file = check_file_index(run, display)};
	cleanup_error oh_error_t err = NULL;
	cleanup_free char *text = NULL;
	if (path) {
		if (file_read_all_flags(AT_FDCWD, path, display, CHECK_FILE_MAX_BYTES, 0, &text,
					&src.len, NULL, &err) < 0) {
			check_report_at(run, src.file, 0, 0, CHECK_ERROR, "%s",
					check_without_prefix(err->msg, display));
			return false;
		}
		src.text = text;
	} else {
		src.text = embedded_default_seccomp;
		src.len = embedded_default_seccomp_len;
	}
	cleanup_json struct json *profile =
	    json_parse(src.text, src.len, JSON_PARSE_COMMENTS, &err);
	if (!profile) {
		check_report_parse_error(run, src.file, err->msg);
		return false;
	}
	size_t start = check_node_start(src.text, profile);
	if (profile->type != JSON_OBJECT) {
		check_report(run, &src, start, CHECK_ERROR,
			     "a seccomp profile must be a JSON object");
		return false;
	}
	bool loads = true;
	const struct json *action = json_object_get(profile, "defaultAction");
	if (!action) {
		check_report(run, &src, start, CHECK_ERROR,
			     "defaultAction: missing; a seccomp profile needs one");
		loads = false;
	} else if (action->type != JSON_STRING) {
		check_report(run, &src, check_node_start(src.text, action), CHECK_ERROR,
			     "defaultAction: must be a string");
		loads = false;
	}
	struct check_arch arches[ARRAY_SIZE(check_seccomp_arches)];
	size_t arches_len = check_profile_arches(run, &src, profile, arches, ARRAY_SIZE(arches));
	check_profile_syscalls(run, &src, profile, arches, arches_len);
	run->profiles[entry].loads = loads;
	return loads;
}

/* ---- one policy file ------------------------------------------------------- */

struct check_policy_ctx {
	struct check_run *run;
	struct check_source src;
	const char *display;
	const struct json *doc;
	const char *name;
	const char *dir;	 /* absolute, where extends and profiles resolve; may be NULL */
	const char *dir_display; /* the same as the user wrote it; "" for the working directory */
	size_t policy;		 /* index in run->policies */
};

static size_t check_start(const struct check_policy_ctx *ctx, const struct json *v)
{
	return check_node_start(ctx->src.text, v);
}

/* Unknown keys (with a guess at what was meant) and repeated ones, in every
 * object the policy language describes. */
static void check_object_keys(struct check_policy_ctx *ctx, const struct json *object,
			      const char *level)
{
	for (size_t i = 0; i < object->object.len; i++) {
		const struct json_member *m = &object->object.members[i];
		cleanup_free char *path =
		    *level ? xasprintf("%s.%s", level, m->key) : xstrdup(m->key);
		if (!check_key_is_known(level, m->key)) {
			const char *guess = check_key_suggestion(level, m->key);
			if (guess)
				check_report(ctx->run, &ctx->src, m->offset, CHECK_ERROR,
					     "%s: unknown key; did you mean \"%s\"?", path, guess);
			else
				check_report(ctx->run, &ctx->src, m->offset, CHECK_ERROR,
					     "%s: unknown key", path);
			continue;
		}
		for (size_t j = 0; j < i; j++) {
			if (strcmp(object->object.members[j].key, m->key) != 0)
				continue;
			unsigned line, col;
			json_offset_to_line_col(ctx->src.text, ctx->src.len,
						object->object.members[j].offset, &line, &col);
			check_report(ctx->run, &ctx->src, m->offset, CHECK_WARNING,
				     "%s: repeated key (first on line %u); the later value "
				     "overrides",
				     path, line);
			break;
		}
		if (!*level && m->value->type == JSON_OBJECT && policy_known_key(m->key, 0))
			check_object_keys(ctx, m->value, m->key);
	}
}

static bool check_capability_refused(const struct json *item)
{
	return item->type == JSON_STRING && strlen(item->string.ptr) == item->string.len &&
	       !capability_name_is_valid(item->string.ptr);
}

static void check_capabilities(struct check_policy_ctx *ctx, const struct json *caps)
{
	if (caps->type != JSON_ARRAY)
		return; /* the loader says what it must be */
	for (size_t i = 0; i < caps->array.len; i++) {
		const struct json *item = caps->array.items[i];
		if (item->type != JSON_STRING || strlen(item->string.ptr) != item->string.len)
			continue;
		const char *name = item->string.ptr;
		if (check_capability_refused(item)) {
			cleanup_free char *guess = check_capability_suggestion(name);
			if (guess)
				check_report(
				    ctx->run, &ctx->src, check_start(ctx, item), CHECK_ERROR,
				    "capabilities[%zu]: unknown capability \"%s\"; did you "
				    "mean \"%s\"?",
				    i, name, guess);
			else
				check_report(ctx->run, &ctx->src, check_start(ctx, item),
					     CHECK_ERROR,
					     "capabilities[%zu]: unknown capability \"%s\" (names "
					     "are written as in the OCI spec, e.g. "
					     "\"CAP_NET_BIND_SERVICE\")",
					     i, name);
		} else if (!capability_name_known_to_kernel(name)) {
			cap_value_t value = 0;
			cap_from_name(name, &value);
			check_report(ctx->run, &ctx->src, check_start(ctx, item), CHECK_WARNING,
				     "capabilities[%zu]: \"%s\" (%d) is not known to this kernel "
				     "(CAP_LAST_CAP is %d)",
				     i, name, (int)value, (int)cap_max_bits() - 1);
		}
	}
}

static void check_policy_add_pattern(struct check_policy *policy, const char *pattern, size_t index,
				     unsigned line, unsigned col)
{
	policy->patterns = xgrow(policy->patterns, &policy->patterns_cap, policy->patterns_len + 1,
				 sizeof(*policy->patterns));
	policy->patterns[policy->patterns_len++] = (struct check_pattern){
	    .pattern = xstrdup(pattern),
	    .index = index,
	    .line = line,
	    .col = col,
	};
}

static bool check_globs_overlap(const char *a, const char *b);

/* Selection matches the patterns against the normalised reference
 * (policy_select.c), so a pattern that only matches references normalising
 * would change is not what its author meant: "nginx:*" never matches
 * "docker.io/library/nginx:1.27", nor "docker.io/library/nginx" any
 * reference (each has a tag or a digest). A pattern whose wildcards can
 * stand for what normalising adds is fully qualified in effect: a '*'
 * ending "docker.io/library/" covers "docker.io/library/nginx:1.27" although
 * normalising adds ":latest" to the pattern. So the test is whether the
 * pattern and its normalised form can match a common string. */
static void check_images(struct check_policy_ctx *ctx, const struct json *images)
{
	if (images->type != JSON_ARRAY)
		return;
	for (size_t i = 0; i < images->array.len; i++) {
		const struct json *item = images->array.items[i];
		if (item->type != JSON_STRING || item->string.len == 0 ||
		    strlen(item->string.ptr) != item->string.len)
			continue; /* the loader refuses these */
		const char *pattern = item->string.ptr;
		size_t at = check_start(ctx, item);
		unsigned line, col;
		json_offset_to_line_col(ctx->src.text, ctx->src.len, at, &line, &col);
		check_policy_add_pattern(&ctx->run->policies[ctx->policy], pattern, i, line, col);
		cleanup_free char *normalized = image_reference_normalize(pattern);
		if (!check_globs_overlap(pattern, normalized))
			check_report(ctx->run, &ctx->src, at, CHECK_WARNING,
				     "images[%zu]: \"%s\" is not fully qualified; images are "
				     "matched by their normalised reference: did you mean \"%s\"?",
				     i, pattern, normalized);
	}
}

/* Where the loader finds a seccomp profile (policy.c, load_seccomp_profile):
 * "default" is the embedded one; a name with a '/' is a path relative to the
 * policy directory; any other is seccomp/<name>.json there. Returns true when
 * the profile cannot be loaded for a reason already reported, so that the
 * loader is not asked about it again. */
static bool check_seccomp_reference(struct check_policy_ctx *ctx, const struct json *seccomp)
{
	if (seccomp->type != JSON_OBJECT)
		return false;
	const struct json *profile = json_object_get(seccomp, "profile");
	if (!profile || profile->type != JSON_STRING || profile->string.len == 0 ||
	    strlen(profile->string.ptr) != profile->string.len)
		return false;
	const char *name = profile->string.ptr;
	if (strcmp(name, "default") == 0)
		return !check_seccomp_profile(ctx->run, NULL, CHECK_EMBEDDED_SECCOMP_DISPLAY);
	if (!ctx->dir)
		return false;
	cleanup_free char *relative =
	    strchr(name, '/') ? xstrdup(name) : xasprintf("seccomp/%s.json", name);
	cleanup_free char *file = check_join(ctx->dir, relative);
	if (policy_path_has_dot_component(file))
		return false; /* the loader refuses the name */
	cleanup_free char *display = check_join(ctx->dir_display, relative);
	struct stat st;
	if (stat(file, &st) < 0 && errno == ENOENT) {
		check_report(ctx->run, &ctx->src, check_start(ctx, profile), CHECK_ERROR,
			     "seccomp.profile: no seccomp profile \"%s\" (%s does not exist)", name,
			     display);
		return true;
	}
	return !check_seccomp_profile(ctx->run, file, display);
}

/* Follow "extends" from this policy the way policy_select.c does (a policy
 * without it extends "default", and "default" without it the embedded
 * default), through the files of its directory, to find a cycle or a name
 * with no file. Returns NULL when the chain is sound, else the problem. */
static char *check_extends_chain(const struct check_policy_ctx *ctx, const char *first)
{
	cleanup_strbuf struct strbuf chain = {0};
	struct string_list seen = {0};
	string_list_add(&seen, ctx->name);
	strbuf_puts(&chain, ctx->name);
	char *problem = NULL;
	cleanup_free char *next = xstrdup(first);
	while (next && !problem) {
		cleanup_free char *name = steal_pointer(&next);
		strbuf_appendf(&chain, " -> %s", name);
		if (string_list_contains(&seen, name)) {
			problem = xasprintf("cycle: %s", chain.buf);
			break;
		}
		if (seen.len >= CHECK_MAX_EXTENDS) {
			problem = xasprintf("chain longer than %d policies: %s", CHECK_MAX_EXTENDS,
					    chain.buf);
			break;
		}
		string_list_add(&seen, name);
		cleanup_free char *file_name = xasprintf("%s.json", name);
		cleanup_free char *path = check_join(ctx->dir, file_name);
		struct stat st;
		if (stat(path, &st) < 0 && errno == ENOENT) {
			if (strcmp(name, "default") == 0)
				break; /* the embedded default, which extends nothing */
			cleanup_free char *display = check_join(ctx->dir_display, file_name);
			problem =
			    seen.len == 2
				? xasprintf("no policy \"%s\" (%s does not exist)", name, display)
				: xasprintf("%s: no policy \"%s\" (%s does not exist)", chain.buf,
					    name, display);
			break;
		}
		/* What cannot be read here, loading the base reports. */
		cleanup_free char *text = NULL;
		size_t len = 0;
		cleanup_error oh_error_t err = NULL;
		if (file_read_all(AT_FDCWD, path, CHECK_FILE_MAX_BYTES, &text, &len, &err) < 0)
			break;
		cleanup_json struct json *doc = json_parse(text, len, JSON_PARSE_COMMENTS, &err);
		if (!doc || doc->type != JSON_OBJECT)
			break;
		const struct json *extends = json_object_get(doc, "extends");
		if (extends &&
		    (extends->type != JSON_STRING || !policy_name_is_valid(extends->string.ptr)))
			break;
		if (extends)
			next = xstrdup(extends->string.ptr);
		else if (strcmp(name, "default") != 0)
			next = xstrdup("default");
	}
	string_list_clear(&seen);
	return problem;
}

/* The policy this one starts from, as the loader would build it; NULL (and
 * a problem reported) when it cannot be built. */
static struct policy *check_base(struct check_policy_ctx *ctx)
{
	const struct json *extends = json_object_get(ctx->doc, "extends");
	cleanup_error oh_error_t err = NULL;
	struct policy *base = NULL;
	if (extends && extends->type != JSON_STRING) {
		check_report(ctx->run, &ctx->src, check_start(ctx, extends), CHECK_ERROR,
			     "extends: must be a string");
		return NULL;
	}
	if (extends && !policy_name_is_valid(extends->string.ptr)) {
		check_report(ctx->run, &ctx->src, check_start(ctx, extends), CHECK_ERROR,
			     "extends: \"%s\" is not a policy name (a file name in the policy "
			     "directory, without \".json\")",
			     extends->string.ptr);
		return NULL;
	}
	if (!extends && strcmp(ctx->name, "default") == 0) {
		if (policy_load_default(&base, &err) < 0)
			check_report_at(ctx->run, ctx->src.file, 0, 0, CHECK_ERROR, "%s", err->msg);
		return base;
	}
	if (!ctx->dir)
		return NULL;
	const char *first = extends ? extends->string.ptr : "default";
	size_t at = extends ? check_start(ctx, extends) : check_start(ctx, ctx->doc);
	cleanup_free char *problem = check_extends_chain(ctx, first);
	if (problem) {
		check_report(ctx->run, &ctx->src, at, CHECK_ERROR, "extends%s: %s",
			     extends ? "" : " (implicitly \"default\")", problem);
		return NULL;
	}
	struct settings settings = {.policy_dir = (char *)ctx->dir,
				    .default_policy = (char *)"default"};
	if (policy_load_named(first, &settings, &base, &err) < 0) {
		if (extends)
			check_report(ctx->run, &ctx->src, at, CHECK_ERROR,
				     "extends: policy \"%s\" does not load: %s", first, err->msg);
		else
			check_report(ctx->run, &ctx->src, at, CHECK_ERROR,
				     "policy \"default\", which a policy without \"extends\" "
				     "starts from, does not load: %s",
				     err->msg);
		return NULL;
	}
	return base;
}

/* The loader, on one top-level member at a time (no key's reading depends
 * on another's), asked again after taking out each node it refuses, so that
 * every refusal is found. `one` is an object holding a copy of that member;
 * the copy keeps the source offsets, which locate what the loader names. */
static void check_member_with_loader(struct check_policy_ctx *ctx, size_t index, struct json *one,
				     const struct policy *base)
{
	const struct json_member *member = &ctx->doc->object.members[index];
	struct policy_load_context lctx = {.policy_dir = ctx->dir};
	for (size_t round = 0; round < CHECK_MAX_LOADER_ROUNDS; round++) {
		cleanup_error oh_error_t err = NULL;
		struct policy *loaded = NULL;
		if (policy_load_json(one, ctx->name, ctx->display, base, &lctx, &loaded, &err) ==
		    0) {
			policy_free(loaded);
			return;
		}
		struct check_location loc = {.node = one};
		size_t used = check_walk(one, err->msg, 0, &loc);
		if (!loc.parent) {
			/* A message without a path: the member as a whole. */
			size_t at = check_start(ctx, member->value);
			if (!check_reported_at(ctx->run, &ctx->src, at))
				check_report(ctx->run, &ctx->src, at, CHECK_ERROR, "%s", err->msg);
			return;
		}
		/* Earlier rounds may have taken out items before this one: name it
		 * by its place in the file. */
		cleanup_strbuf struct strbuf path = {0};
		strbuf_puts(&path, member->key);
		const char *rest = err->msg + used;
		bool found = check_path_to(member->value, loc.node, &path);
		size_t at = strcmp(rest, ": unknown key") == 0 && loc.parent->type == JSON_OBJECT
				? loc.parent->object.members[loc.index].offset
				: check_start(ctx, loc.node);
		if (!check_reported_at(ctx->run, &ctx->src, at)) {
			if (found)
				check_report(ctx->run, &ctx->src, at, CHECK_ERROR, "%s%s", path.buf,
					     rest);
			else
				check_report(ctx->run, &ctx->src, at, CHECK_ERROR, "%s", err->msg);
		}
		if (loc.parent == one)
			return;
		check_remove(&loc);
	}
}

/* A copy of member `index` alone, without what the checks above already
 * reported (and the loader would stop at). */
static struct json *check_member_copy(const struct check_policy_ctx *ctx, size_t index,
				      bool drop_profile)
{
	const struct json_member *member = &ctx->doc->object.members[index];
	struct json *one = json_new_object();
	json_object_set(one, member->key, json_clone(member->value));
	one->object.members[0].offset = member->offset;
	struct json *value = one->object.members[0].value;

	if (value->type == JSON_OBJECT && policy_known_key(member->key, 0)) {
		for (size_t i = value->object.len; i-- > 0;)
			if (!check_key_is_known(member->key, value->object.members[i].key) ||
			    (drop_profile && strcmp(value->object.members[i].key, "profile") == 0))
				check_remove_member(value, i);
	}
	if (strcmp(member->key, "capabilities") == 0 && value->type == JSON_ARRAY) {
		for (size_t i = value->array.len; i-- > 0;)
			if (check_capability_refused(value->array.items[i]))
				json_array_remove(value, i);
	}
	return one;
}

static void check_policy_file(struct check_run *run, const char *path, const char *display,
			      const char *dir, const char *dir_display, const char *name)
{
	char real[PATH_MAX];
	if (realpath(path, real)) {
		if (string_list_contains(&run->checked, real))
			return;
		string_list_add(&run->checked, real);
	}
	run->policy_files++;
	struct check_policy_ctx ctx = {
	    .run = run,
	    .src = {.file = check_file_index(run, display)},
	    .display = display,
	    .name = name,
	    .dir = dir,
	    .dir_display = dir_display,
	};
	cleanup_error oh_error_t err = NULL;
	cleanup_free char *text = NULL;
	if (file_read_all_flags(AT_FDCWD, path, display, CHECK_FILE_MAX_BYTES, 0, &text,
				&ctx.src.len, NULL, &err) < 0) {
		check_report_at(run, ctx.src.file, 0, 0, CHECK_ERROR, "%s",
				check_without_prefix(err->msg, display));
		return;
	}
	ctx.src.text = text;
	cleanup_json struct json *doc = json_parse(text, ctx.src.len, JSON_PARSE_COMMENTS, &err);
	if (!doc) {
		check_report_parse_error(run, ctx.src.file, err->msg);
		return;
	}
	ctx.doc = doc;
	if (doc->type != JSON_OBJECT) {
		check_report(run, &ctx.src, check_start(&ctx, doc), CHECK_ERROR,
			     "a policy must be a JSON object");
		return;
	}

	run->policies =
	    xgrow(run->policies, &run->policies_cap, run->policies_len + 1, sizeof(*run->policies));
	ctx.policy = run->policies_len++;
	run->policies[ctx.policy] = (struct check_policy){
	    .file = ctx.src.file,
	    .group = xstrdup(dir ? dir : dir_display),
	    .name = xstrdup(name),
	};

	check_object_keys(&ctx, doc, "");
	cleanup_policy struct policy *base = check_base(&ctx);
	if (!base && policy_load_default(&base, &err) < 0)
		return; /* the embedded default is tested not to fail */

	const struct json *extends = json_object_get(doc, "extends");
	for (size_t i = 0; i < doc->object.len; i++) {
		const struct json_member *m = &doc->object.members[i];
		if (!check_key_is_known("", m->key) || m->value->type == JSON_NULL ||
		    m->value == extends)
			continue;
		bool drop_profile = false;
		if (strcmp(m->key, "images") == 0)
			check_images(&ctx, m->value);
		else if (strcmp(m->key, "capabilities") == 0)
			check_capabilities(&ctx, m->value);
		else if (strcmp(m->key, "seccomp") == 0)
			drop_profile = check_seccomp_reference(&ctx, m->value);
		cleanup_json struct json *one = check_member_copy(&ctx, i, drop_profile);
		check_member_with_loader(&ctx, i, one, base);
	}
}

/* ---- image patterns that overlap ------------------------------------------ */

/* One position of a pattern as fnmatch(3) reads it without flags (as
 * policy_select.c calls it): '*' matches any bytes, '/' included; anything
 * else matches one byte from a set. Sets are exact in the C locale, which
 * oci-harden never leaves: a bracket expression's set is what fnmatch itself
 * says of each byte. */
struct check_glob_token {
	bool star;
	uint64_t bytes[4];
};

static void check_glob_add_byte(struct check_glob_token *t, unsigned char c)
{
	t->bytes[c / 64] |= UINT64_C(1) << (c % 64);
}

/* The length of the bracket expression at p[0] == '[', or 0 when there is
 * none (no closing ']': fnmatch then reads '[' as itself). */
static size_t check_bracket_length(const char *p)
{
	size_t i = 1;
	if (p[i] == '!' || p[i] == '^')
		i++;
	if (p[i] == ']')
		i++;
	while (p[i] && p[i] != ']') {
		if (p[i] == '[' && (p[i + 1] == ':' || p[i + 1] == '.' || p[i + 1] == '=')) {
			char close[3] = {p[i + 1], ']', '\0'};
			const char *end = strstr(p + i + 2, close);
			if (!end)
				return 0;
			i = (size_t)(end - p) + 2;
			continue;
		}
		if (p[i] == '\\' && p[i + 1])
			i++;
		i++;
	}
	return p[i] == ']' ? i + 1 : 0;
}

static size_t check_glob_tokens(const char *pattern, struct check_glob_token *out)
{
	size_t n = 0;
	for (const char *p = pattern; *p;) {
		struct check_glob_token t = {0};
		size_t bracket;
		if (*p == '*') {
			p++;
			if (n > 0 && out[n - 1].star)
				continue;
			t.star = true;
		} else if (*p == '?') {
			p++;
			for (unsigned c = 1; c < 256; c++)
				check_glob_add_byte(&t, (unsigned char)c);
		} else if (*p == '[' && (bracket = check_bracket_length(p)) > 0) {
			cleanup_free char *expression = xstrndup(p, bracket);
			p += bracket;
			for (unsigned c = 1; c < 256; c++) {
				char one[2] = {(char)c, '\0'};
				if (fnmatch(expression, one, 0) == 0)
					check_glob_add_byte(&t, (unsigned char)c);
			}
			/* A set that matches nothing is a misreading of ours:
			 * assume it may match anything. */
			if (!(t.bytes[0] | t.bytes[1] | t.bytes[2] | t.bytes[3]))
				for (unsigned c = 1; c < 256; c++)
					check_glob_add_byte(&t, (unsigned char)c);
		} else {
			if (*p == '\\' && p[1])
				p++;
			check_glob_add_byte(&t, (unsigned char)*p);
			p++;
		}
		out[n++] = t;
	}
	return n;
}

/* Whether some string matches both patterns. can[i][j]: the rest of `a`
 * from token i and the rest of `b` from token j match a common string.
 * A star may match nothing (step past it) or one more byte of whatever the
 * other side matches next (stay on it); when both sides are stars, stepping
 * past the one that ends first loses nothing. */
static bool check_globs_overlap(const char *a, const char *b)
{
	cleanup_free struct check_glob_token *ta = xcalloc(strlen(a) + 1, sizeof(*ta));
	cleanup_free struct check_glob_token *tb = xcalloc(strlen(b) + 1, sizeof(*tb));
	size_t n = check_glob_tokens(a, ta), m = check_glob_tokens(b, tb);
	if ((n + 1) > CHECK_GLOB_MAX_CELLS / (m + 1))
		return true;
	size_t width = m + 1;
	cleanup_free bool *can = xcalloc((n + 1) * width, sizeof(*can));
	for (size_t i = n + 1; i-- > 0;) {
		for (size_t j = m + 1; j-- > 0;) {
			bool r;
			if (i == n && j == m)
				r = true;
			else if (i < n && ta[i].star)
				r = can[(i + 1) * width + j] || (j < m && can[i * width + j + 1]);
			else if (j < m && tb[j].star)
				r = can[i * width + j + 1] || (i < n && can[(i + 1) * width + j]);
			else if (i == n || j == m)
				r = false;
			else
				r = ((ta[i].bytes[0] & tb[j].bytes[0]) |
				     (ta[i].bytes[1] & tb[j].bytes[1]) |
				     (ta[i].bytes[2] & tb[j].bytes[2]) |
				     (ta[i].bytes[3] & tb[j].bytes[3])) != 0 &&
				    can[(i + 1) * width + j + 1];
			can[i * width + j] = r;
		}
	}
	return can[0];
}

static int check_compare_policies(const void *pa, const void *pb, void *arg)
{
	const struct check_run *run = arg;
	const struct check_policy *a = &run->policies[*(const size_t *)pa];
	const struct check_policy *b = &run->policies[*(const size_t *)pb];
	int c = strcmp(a->group, b->group);
	return c ? c : policy_file_name_compare(a->name, b->name);
}

/* Selection takes the first policy, in file-name order, with a matching pattern
 * (policy_select.c): a later policy's pattern that overlaps an earlier one's
 * does not get the images both match. Overlap is over all strings, not only
 * well-formed references. */
static void check_overlaps(struct check_run *run)
{
	cleanup_free size_t *order = xcalloc(run->policies_len + 1, sizeof(*order));
	for (size_t i = 0; i < run->policies_len; i++)
		order[i] = i;
	qsort_r(order, run->policies_len, sizeof(*order), check_compare_policies, run);
	for (size_t j = 0; j < run->policies_len; j++) {
		const struct check_policy *later = &run->policies[order[j]];
		for (size_t i = 0; i < j; i++) {
			const struct check_policy *first = &run->policies[order[i]];
			if (strcmp(first->group, later->group) != 0)
				continue;
			for (size_t q = 0; q < later->patterns_len; q++) {
				const struct check_pattern *pb = &later->patterns[q];
				for (size_t p = 0; p < first->patterns_len; p++) {
					const struct check_pattern *pa = &first->patterns[p];
					if (!check_globs_overlap(pa->pattern, pb->pattern))
						continue;
					check_report_at(
					    run, later->file, pb->line, pb->col, CHECK_WARNING,
					    "images[%zu]: \"%s\" overlaps \"%s\" (%s:%u:%u): an "
					    "image matching both gets policy \"%s\", the first "
					    "in file-name order",
					    pb->index, pb->pattern, pa->pattern,
					    run->files.items[first->file], pa->line, pa->col,
					    first->name);
					break;
				}
			}
		}
	}
}

/* ---- what to check ---------------------------------------------------------- */

/* Every policy of a directory, in the order selection reads them: file-name
 * order. */
static void check_directory(struct check_run *run, const char *dir_display)
{
	char real[PATH_MAX];
	struct string_list names = {0}, ignored = {0};
	cleanup_error oh_error_t err = NULL;
	if (!realpath(dir_display, real)) {
		check_report_at(run, check_file_index(run, dir_display), 0, 0, CHECK_ERROR,
				"cannot open the directory: %s", strerror(errno));
		return;
	}
	if (policy_dir_list(real, false, &names, &ignored, &err) < 0) {
		check_report_at(run, check_file_index(run, dir_display), 0, 0, CHECK_ERROR,
				"cannot open the directory: %s", strerror(err->errnum));
		return;
	}
	for (size_t i = 0; i < names.len; i++) {
		cleanup_free char *file_name = xasprintf("%s.json", names.items[i]);
		cleanup_free char *path = check_join(real, file_name);
		cleanup_free char *display = check_join(dir_display, file_name);
		check_policy_file(run, path, display, real, dir_display, names.items[i]);
	}
	for (size_t i = 0; i < ignored.len; i++) {
		cleanup_free char *file_name = xasprintf("%s.json", ignored.items[i]);
		cleanup_free char *display = check_join(dir_display, file_name);
		check_report_at(run, check_file_index(run, display), 0, 0, CHECK_WARNING,
				"\"%s\" is not a policy name (letters, digits, '.', '_' and '-'): "
				"oci-harden ignores this file",
				ignored.items[i]);
	}
	string_list_clear(&names);
	string_list_clear(&ignored);
}

/* A file named on the command line: its "extends" and seccomp profiles
 * resolve in its own directory, where it would be installed beside them. */
static void check_path(struct check_run *run, const char *arg)
{
	struct stat st;
	if (stat(arg, &st) == 0 && S_ISDIR(st.st_mode)) {
		check_directory(run, arg);
		return;
	}
	const char *slash = strrchr(arg, '/');
	cleanup_free char *dir_display =
	    slash ? xstrndup(arg, (size_t)(slash - arg) + 1) : xstrdup("");
	char real[PATH_MAX];
	bool have_dir = realpath(*dir_display ? dir_display : ".", real) != NULL;
	cleanup_free char *name = xstrdup(slash ? slash + 1 : arg);
	size_t len = strlen(name);
	if (len > 5 && strcmp(name + len - 5, ".json") == 0)
		name[len - 5] = '\0';
	check_policy_file(run, arg, arg, have_dir ? real : NULL, dir_display, name);
}

/* No path: the configured policy directory. Without one, only the
 * embedded default applies, which is tested with the build. */
static void check_configured(struct check_run *run)
{
	const char *env = getenv(SETTINGS_ENV);
	const char *config = env && *env ? env : SETTINGS_DEFAULT_PATH;
	cleanup_settings struct settings settings = {0};
	cleanup_error oh_error_t err = NULL;
	if (settings_load(&settings, &err) < 0) {
		check_report_at(run, check_file_index(run, config), 0, 0, CHECK_ERROR, "%s",
				check_without_prefix(err->msg, config));
		return;
	}
	struct stat st;
	if (stat(settings.policy_dir, &st) < 0 && errno == ENOENT)
		return;
	check_directory(run, settings.policy_dir);
	const struct {
		const char *key, *name;
	} named[] = {
	    {"default_policy", settings.default_policy},
	    {"sandbox_policy", settings.sandbox_policy},
	};
	for (size_t i = 0; i < ARRAY_SIZE(named); i++) {
		if (strcmp(named[i].name, "default") == 0)
			continue;
		cleanup_free char *file_name = xasprintf("%s.json", named[i].name);
		cleanup_free char *path = check_join(settings.policy_dir, file_name);
		if (stat(path, &st) < 0 && errno == ENOENT)
			check_report_at(run, check_file_index(run, config), 0, 0, CHECK_ERROR,
					"%s: no policy \"%s\" (%s does not exist)", named[i].key,
					named[i].name, path);
	}
}

/* ---- output ------------------------------------------------------------------ */

static int check_compare_problems(const void *pa, const void *pb)
{
	const struct check_problem *a = pa, *b = pb;
	if (a->file != b->file)
		return a->file < b->file ? -1 : 1;
	if (a->line != b->line)
		return a->line < b->line ? -1 : 1;
	if (a->col != b->col)
		return a->col < b->col ? -1 : 1;
	return a->seq < b->seq ? -1 : a->seq > b->seq;
}

static void check_print(struct check_run *run, bool quiet)
{
	if (run->problems_len)
		qsort(run->problems, run->problems_len, sizeof(*run->problems),
		      check_compare_problems);
	for (size_t i = 0; i < run->problems_len; i++) {
		const struct check_problem *p = &run->problems[i];
		const char *severity = p->severity == CHECK_ERROR ? "error" : "warning";
		if (p->line)
			printf("%s:%u:%u: %s: %s\n", run->files.items[p->file], p->line, p->col,
			       severity, p->message);
		else
			printf("%s: %s: %s\n", run->files.items[p->file], severity, p->message);
	}
	fflush(stdout);
	if (quiet)
		return;
	fprintf(stderr, "oci-harden check: %zu %s, %zu seccomp %s: ", run->policy_files,
		run->policy_files == 1 ? "policy" : "policies", run->profiles_len,
		run->profiles_len == 1 ? "profile" : "profiles");
	if (run->problems_len == 0)
		fputs("no problems\n", stderr);
	else
		fprintf(stderr, "%zu %s, %zu %s\n", run->errors,
			run->errors == 1 ? "error" : "errors", run->warnings,
			run->warnings == 1 ? "warning" : "warnings");
}

static void check_run_clear(struct check_run *run)
{
	for (size_t i = 0; i < run->problems_len; i++)
		free(run->problems[i].message);
	free(run->problems);
	for (size_t i = 0; i < run->policies_len; i++) {
		for (size_t p = 0; p < run->policies[i].patterns_len; p++)
			free(run->policies[i].patterns[p].pattern);
		free(run->policies[i].patterns);
		free(run->policies[i].group);
		free(run->policies[i].name);
	}
	free(run->policies);
	for (size_t i = 0; i < run->profiles_len; i++)
		free(run->profiles[i].key);
	free(run->profiles);
	string_list_clear(&run->files);
	string_list_clear(&run->checked);
}

/* ---- check --events (check_observed.c) ------------------------------------ */

static void check_observed_report(void *ctx, const char *file, const char *message)
{
	struct check_run *run = ctx;
	check_report_at(run, check_file_index(run, file), 0, 0, CHECK_WARNING, "%s", message);
}

int cmd_check(int argc, char **argv)
{
	bool quiet = false, options_done = false;
	const char *events = NULL;
	struct string_list paths = {0};
	for (int i = 1; i < argc; i++) {
		const char *arg = argv[i];
		if (options_done || arg[0] != '-' || strcmp(arg, "-") == 0) {
			string_list_add(&paths, arg);
		} else if (strcmp(arg, "--") == 0) {
			options_done = true;
		} else if (strcmp(arg, "-q") == 0 || strcmp(arg, "--quiet") == 0) {
			quiet = true;
		} else if (strcmp(arg, "--events") == 0 && i + 1 < argc) {
			events = argv[++i];
		} else if (strncmp(arg, "--events=", 9) == 0) {
			events = arg + 9;
		} else if (strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0) {
			fputs(check_usage, stdout);
			string_list_clear(&paths);
			return CHECK_EXIT_CLEAN;
		} else {
			fprintf(stderr, "oci-harden check: unknown option %s\n%s", arg,
				check_usage);
			string_list_clear(&paths);
			return CHECK_EXIT_USAGE;
		}
	}

	struct check_run run = {0};
	if (paths.len == 0)
		check_configured(&run);
	for (size_t i = 0; i < paths.len; i++)
		check_path(&run, paths.items[i]);
	check_overlaps(&run);
	if (events)
		check_observed(&run.checked, events, check_observed_report, &run);
	check_print(&run, quiet);
	int status = run.problems_len ? CHECK_EXIT_PROBLEMS : CHECK_EXIT_CLEAN;
	check_run_clear(&run);
	string_list_clear(&paths);
	return status;
}
