/* SPDX-License-Identifier: Apache-2.0 */
/* `oci-harden check [PATH...]`: the policy linter. It loads each policy file
 * (or every policy of a directory, by default the configured one) as
 * selection does, and prints one line per problem on stdout, as a compiler
 * does:
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
 * What is wrong is the loader's to say: it records every problem of a file
 * with the offset of its node (policy_file_load), and this is a view of
 * those records, which adds what a person may have meant (the nearest key
 * or capability name). What only a linter asks is checked here, over the
 * file's tree: capabilities this kernel does not know, syscall and
 * architecture names of the seccomp profiles libseccomp does not know,
 * image patterns selection can never match, and patterns two policies of a
 * directory share.
 *
 * A directory is checked as selection reads it: its policies in name order,
 * "extends" and seccomp profiles resolved in it, overlapping image patterns
 * compared. A file named on its own resolves them in its own directory, the
 * one it would be installed in beside them. */
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
#include "policy.h"
#include "settings.h"

enum {
	CHECK_EXIT_CLEAN = 0,
	CHECK_EXIT_PROBLEMS = 1,
	CHECK_EXIT_USAGE = 2,
};

/* A key or capability name this close to a known one is probably a typo. */
#define CHECK_SUGGEST_DISTANCE 2

/* The overlap test keeps a table of (tokens of one pattern + 1) x (tokens of
 * the other + 1); past this size two patterns are taken to overlap. */
#define CHECK_GLOB_MAX_CELLS (16u << 20)

static const char check_usage[] =
    "usage: oci-harden check [-q|--quiet] [--events EVENTLOG] [PATH...]\n"
    "Lint policy files, or every policy of a directory (by default the configured\n"
    "policy directory): one line per problem, FILE:LINE:COL: message.\n"
    "\n"
    "  -q, --quiet         no summary on standard error\n"
    "  --events EVENTLOG   also warn of every door a policy opens that no\n"
    "                      observation in EVENTLOG justifies\n"
    "  -h, --help          this text\n"
    "\n"
    "Exit status: 0 all valid, 1 problems found, 2 a bad command line.\n";

struct check_problem {
	size_t file;	    /* index in check_run.files */
	unsigned line, col; /* 0: the file as a whole */
	enum diagnostic_severity severity;
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

struct check_run {
	struct string_list files; /* display names, in output order */
	struct check_problem *problems;
	size_t problems_len, problems_cap;
	size_t errors, warnings;
	struct check_policy *policies;
	size_t policies_len, policies_cap;
	struct string_list profiles; /* display names of the profiles linted */
	struct string_list checked;  /* real paths of the policy files read */
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
			    enum diagnostic_severity severity, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));
static void check_report_at(struct check_run *run, size_t file, unsigned line, unsigned col,
			    enum diagnostic_severity severity, const char *fmt, ...)
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
	if (severity == DIAGNOSTIC_ERROR)
		run->errors++;
	else
		run->warnings++;
}

/* A problem at byte `offset` of the source (DIAGNOSTIC_NO_OFFSET: the file
 * as a whole). */
static void check_report(struct check_run *run, const struct check_source *src, size_t offset,
			 enum diagnostic_severity severity, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
static void check_report(struct check_run *run, const struct check_source *src, size_t offset,
			 enum diagnostic_severity severity, const char *fmt, ...)
{
	unsigned line = 0, col = 0;
	if (offset != DIAGNOSTIC_NO_OFFSET && src->text)
		json_offset_to_line_col(src->text, src->len, offset, &line, &col);
	va_list ap;
	va_start(ap, fmt);
	cleanup_free char *message = xvasprintf(fmt, ap);
	va_end(ap);
	check_report_at(run, src->file, line, col, severity, "%s", message);
}

/* ---- what a person may have meant ------------------------------------------ */

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

/* The known key of the object at `level` nearest to `key`, or NULL. */
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

static void check_upper_case(char *s)
{
	for (; *s; s++)
		if (*s >= 'a' && *s <= 'z')
			*s = (char)(*s - 'a' + 'A');
}

/* The canonical name a misspelt capability most likely meant: the same in
 * upper case, with the "CAP_" it lacks, or the nearest name libcap knows. */
static char *check_capability_suggestion(const char *name)
{
	cleanup_free char *upper = xstrdup(name);
	check_upper_case(upper);
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
		check_upper_case(candidate);
		if (!capability_name_is_valid(candidate))
			continue; /* a number: libcap has no name for it */
		size_t d = check_edit_distance(upper, candidate);
		if (d < best_distance) {
			xfree(best);
			best = steal_pointer(&candidate);
			best_distance = d;
		}
	}
	return best;
}

/* One problem the loader recorded, as a line: with a guess at what was
 * meant where there is one. */
static void check_show_diagnostic(struct check_run *run, const struct check_source *src,
				  const struct diagnostic *d)
{
	cleanup_free char *message = diagnostic_message(d);
	cleanup_free char *guess = NULL;
	switch (d->kind) {
	case DIAGNOSTIC_UNKNOWN_KEY: {
		const char *key = check_key_suggestion(d->context, d->subject);
		if (key) {
			check_report(run, src, d->offset, d->severity,
				     "%s: unknown key; did you mean \"%s\"?", d->path, key);
			return;
		}
		break;
	}
	case DIAGNOSTIC_UNKNOWN_CAPABILITY:
		guess = check_capability_suggestion(d->subject);
		if (guess) {
			check_report(run, src, d->offset, d->severity,
				     "%s: unknown capability \"%s\"; did you mean \"%s\"?", d->path,
				     d->subject, guess);
			return;
		}
		break;
	case DIAGNOSTIC_REPEATED_KEY: {
		unsigned line, col;
		json_offset_to_line_col(src->text, src->len, d->related, &line, &col);
		check_report(run, src, d->offset, d->severity,
			     "%s: repeated key (first on line %u); the later value overrides",
			     d->path, line);
		return;
	}
	case DIAGNOSTIC_INVALID:
		break;
	}
	check_report(run, src, d->offset, d->severity, "%s", message);
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
		check_report(run, src, arches->offset, DIAGNOSTIC_ERROR,
			     "architectures: must be a list of strings");
		arches = NULL;
	}
	for (size_t i = 0; arches && i < arches->array.len && n < max; i++) {
		const struct json *a = arches->array.items[i];
		if (a->type != JSON_STRING) {
			check_report(run, src, a->offset, DIAGNOSTIC_ERROR,
				     "architectures[%zu]: must be a string", i);
			continue;
		}
		size_t k = 0;
		while (k < ARRAY_SIZE(check_seccomp_arches) &&
		       strcmp(check_seccomp_arches[k].oci, a->string.ptr) != 0)
			k++;
		if (k == ARRAY_SIZE(check_seccomp_arches)) {
			check_report(run, src, a->offset, DIAGNOSTIC_ERROR,
				     "architectures[%zu]: unknown architecture \"%s\"", i,
				     a->string.ptr);
			continue;
		}
		uint32_t token = seccomp_arch_resolve_name(check_seccomp_arches[k].libseccomp);
		if (token == 0) {
			cleanup_free char *version = check_libseccomp_version();
			check_report(run, src, a->offset, DIAGNOSTIC_ERROR,
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
	if (!known)
		check_report(run, src, name->offset, DIAGNOSTIC_ERROR,
			     "%s: unknown syscall \"%s\" (%s, %s)", path, name->string.ptr, version,
			     on.buf);
	else
		check_report(run, src, name->offset, DIAGNOSTIC_WARNING,
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
		check_report(run, src, rules->offset, DIAGNOSTIC_ERROR,
			     "syscalls: must be a list of rules");
		return;
	}
	for (size_t r = 0; r < rules->array.len; r++) {
		const struct json *rule = rules->array.items[r];
		if (rule->type != JSON_OBJECT) {
			check_report(run, src, rule->offset, DIAGNOSTIC_ERROR,
				     "syscalls[%zu]: must be an object", r);
			continue;
		}
		const struct json *names = json_object_get(rule, "names");
		if (!names || names->type != JSON_ARRAY) {
			check_report(run, src, (names ? names : rule)->offset, DIAGNOSTIC_ERROR,
				     "syscalls[%zu].names: must be a list of syscall names", r);
			continue;
		}
		for (size_t i = 0; i < names->array.len; i++) {
			const struct json *name = names->array.items[i];
			cleanup_free char *path = xasprintf("syscalls[%zu].names[%zu]", r, i);
			if (name->type != JSON_STRING ||
			    strlen(name->string.ptr) != name->string.len)
				check_report(run, src, name->offset, DIAGNOSTIC_ERROR,
					     "%s: must be a string", path);
			else if (arches_len > 0)
				check_syscall_name(run, src, name, path, arches, arches_len);
		}
	}
}

/* The seccomp profile a policy names, once per run, at its own file:line:col.
 * Whether it loads at all the loader has said, at the policy's
 * "seccomp.profile"; here, what libseccomp would make of its names. */
static void check_seccomp_profile(struct check_run *run, const struct policy_file *file)
{
	if (string_list_contains(&run->profiles, file->profile_display))
		return;
	string_list_add(&run->profiles, file->profile_display);
	struct check_source src = {
	    .file = check_file_index(run, file->profile_display),
	    .text = file->profile_text,
	    .len = file->profile_len,
	};
	cleanup_error oh_error_t err = NULL;
	size_t offset;
	cleanup_json struct json *profile =
	    json_parse_at(src.text, src.len, JSON_PARSE_COMMENTS, &offset, &err);
	if (!profile) {
		check_report(run, &src, offset, DIAGNOSTIC_ERROR, "%s", err->msg);
		return;
	}
	if (profile->type != JSON_OBJECT)
		return; /* the policy's "seccomp.profile" says so */
	struct check_arch arches[ARRAY_SIZE(check_seccomp_arches)];
	size_t arches_len = check_profile_arches(run, &src, profile, arches, ARRAY_SIZE(arches));
	check_profile_syscalls(run, &src, profile, arches, arches_len);
}

/* ---- one policy file ------------------------------------------------------- */

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
static void check_images(struct check_run *run, const struct check_source *src,
			 struct check_policy *policy, const struct json *images)
{
	if (!images || images->type != JSON_ARRAY)
		return;
	for (size_t i = 0; i < images->array.len; i++) {
		const struct json *item = images->array.items[i];
		if (item->type != JSON_STRING || item->string.len == 0 ||
		    strlen(item->string.ptr) != item->string.len)
			continue; /* the loader refuses these */
		const char *pattern = item->string.ptr;
		unsigned line, col;
		json_offset_to_line_col(src->text, src->len, item->offset, &line, &col);
		check_policy_add_pattern(policy, pattern, i, line, col);
		cleanup_free char *normalized = image_reference_normalize(pattern);
		if (!check_globs_overlap(pattern, normalized))
			check_report(run, src, item->offset, DIAGNOSTIC_WARNING,
				     "images[%zu]: \"%s\" is not fully qualified; images are "
				     "matched by their normalised reference: did you mean \"%s\"?",
				     i, pattern, normalized);
	}
}

/* Names libcap knows that this kernel does not: granting one grants
 * nothing here. */
static void check_capabilities(struct check_run *run, const struct check_source *src,
			       const struct json *caps)
{
	if (!caps || caps->type != JSON_ARRAY)
		return;
	for (size_t i = 0; i < caps->array.len; i++) {
		const struct json *item = caps->array.items[i];
		if (item->type != JSON_STRING || strlen(item->string.ptr) != item->string.len ||
		    !capability_name_is_valid(item->string.ptr) ||
		    capability_name_known_to_kernel(item->string.ptr))
			continue; /* the loader says what is wrong with the others */
		cap_value_t value = 0;
		cap_from_name(item->string.ptr, &value);
		check_report(run, src, item->offset, DIAGNOSTIC_WARNING,
			     "capabilities[%zu]: \"%s\" (%d) is not known to this kernel "
			     "(CAP_LAST_CAP is %d)",
			     i, item->string.ptr, (int)value, (int)cap_max_bits() - 1);
	}
}

/* Check the policy file `path` (`display` in the output), called `name`,
 * whose "extends" and seccomp profiles resolve in `dir` (`dir_display` as
 * the user wrote it). */
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
	struct policy_sources sources = {.policy_dir = dir, .display_dir = dir_display};
	struct policy_file file = {0};
	policy_file_load(&file, path, display, name, &sources);
	struct check_source src = {
	    .file = check_file_index(run, display), .text = file.text, .len = file.len};
	for (size_t i = 0; i < file.diagnostics.len; i++)
		check_show_diagnostic(run, &src, &file.diagnostics.items[i]);

	if (file.doc && file.doc->type == JSON_OBJECT) {
		run->policies = xgrow(run->policies, &run->policies_cap, run->policies_len + 1,
				      sizeof(*run->policies));
		struct check_policy *policy = &run->policies[run->policies_len++];
		*policy = (struct check_policy){
		    .file = src.file,
		    .group = xstrdup(dir),
		    .name = xstrdup(name),
		};
		check_capabilities(run, &src, json_object_get(file.doc, "capabilities"));
		check_images(run, &src, policy, json_object_get(file.doc, "images"));
	}
	if (file.profile_text)
		check_seccomp_profile(run, &file);
	policy_file_clear(&file);
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

/* Selection takes the first policy, in file-name order, with a matching
 * pattern (policy_select.c): a later policy's pattern that overlaps an
 * earlier one's does not get the images both match. Overlap is over all
 * strings, not only well-formed references. */
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
					    run, later->file, pb->line, pb->col, DIAGNOSTIC_WARNING,
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
		check_report_at(run, check_file_index(run, dir_display), 0, 0, DIAGNOSTIC_ERROR,
				"cannot open the directory: %s", strerror(errno));
		return;
	}
	if (policy_dir_list(real, false, &names, &ignored, &err) < 0) {
		check_report_at(run, check_file_index(run, dir_display), 0, 0, DIAGNOSTIC_ERROR,
				"cannot open the directory: %s", strerror(err->errnum));
		return;
	}
	for (size_t i = 0; i < names.len; i++) {
		cleanup_free char *file_name = xasprintf("%s.json", names.items[i]);
		cleanup_free char *display = path_join(dir_display, file_name);
		check_policy_file(run, display, display, real, dir_display, names.items[i]);
	}
	for (size_t i = 0; i < ignored.len; i++) {
		cleanup_free char *file_name = xasprintf("%s.json", ignored.items[i]);
		cleanup_free char *display = path_join(dir_display, file_name);
		check_report_at(run, check_file_index(run, display), 0, 0, DIAGNOSTIC_WARNING,
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
	if (!realpath(*dir_display ? dir_display : ".", real))
		snprintf(real, sizeof(real), "%s", *dir_display ? dir_display : ".");
	cleanup_free char *name = xstrdup(slash ? slash + 1 : arg);
	size_t len = strlen(name);
	if (len > 5 && strcmp(name + len - 5, ".json") == 0)
		name[len - 5] = '\0';
	check_policy_file(run, arg, arg, real, dir_display, name);
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
		/* The message names the file already. */
		fprintf(stderr, "oci-harden check: %s\n", err->msg);
		run->errors++;
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
		cleanup_free char *path = path_join(settings.policy_dir, file_name);
		if (stat(path, &st) < 0 && errno == ENOENT)
			check_report_at(run, check_file_index(run, config), 0, 0, DIAGNOSTIC_ERROR,
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
		const char *severity = p->severity == DIAGNOSTIC_ERROR ? "error" : "warning";
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
		run->policy_files == 1 ? "policy" : "policies", run->profiles.len,
		run->profiles.len == 1 ? "profile" : "profiles");
	if (run->errors + run->warnings == 0)
		fputs("no problems\n", stderr);
	else
		fprintf(stderr, "%zu %s, %zu %s\n", run->errors,
			run->errors == 1 ? "error" : "errors", run->warnings,
			run->warnings == 1 ? "warning" : "warnings");
}

static void check_run_clear(struct check_run *run)
{
	for (size_t i = 0; i < run->problems_len; i++)
		xfree(run->problems[i].message);
	xfree(run->problems);
	for (size_t i = 0; i < run->policies_len; i++) {
		for (size_t p = 0; p < run->policies[i].patterns_len; p++)
			xfree(run->policies[i].patterns[p].pattern);
		xfree(run->policies[i].patterns);
		xfree(run->policies[i].group);
		xfree(run->policies[i].name);
	}
	xfree(run->policies);
	string_list_clear(&run->profiles);
	string_list_clear(&run->files);
	string_list_clear(&run->checked);
}

/* ---- check --events (check_observed.c) ------------------------------------ */

static void check_observed_report(void *ctx, const char *file, const char *message)
{
	struct check_run *run = ctx;
	check_report_at(run, check_file_index(run, file), 0, 0, DIAGNOSTIC_WARNING, "%s", message);
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
	int status = run.errors + run.warnings ? CHECK_EXIT_PROBLEMS : CHECK_EXIT_CLEAN;
	check_run_clear(&run);
	string_list_clear(&paths);
	return status;
}
