/* SPDX-License-Identifier: Apache-2.0 */
#include "textdiff.h"

#include <criterion/criterion.h>
#include <criterion/logging.h>
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* ---- helpers ---------------------------------------------------------- */

static char *unified(const char *old, const char *new, unsigned context, bool color)
{
	struct strbuf out = {0};
	bool changed = textdiff_unified(old, strlen(old), new, strlen(new), "OLD", "NEW", context,
					color, &out);
	cr_assert_eq(changed, out.len > 0, "return value and output disagree");
	return strbuf_steal(&out);
}

#define assert_diff(old, new, context, expected)                                                   \
	do {                                                                                       \
		cleanup_free char *got_ = unified(old, new, context, false);                       \
		cr_assert_str_eq(got_, "--- OLD\n+++ NEW\n" expected);                             \
	} while (0)

/* Lines "l1\n" .. "l<n>\n", with line `change_a` and `change_b` (1-based, 0
 * for none) replaced by "X<n>". */
static char *numbered_lines(int n, int change_a, int change_b)
{
	struct strbuf sb = {0};
	for (int i = 1; i <= n; i++)
		if (i == change_a || i == change_b)
			strbuf_appendf(&sb, "X%d\n", i);
		else
			strbuf_appendf(&sb, "l%d\n", i);
	return strbuf_steal(&sb);
}

/* A text as lines, each with its '\n' if it has one. */
struct lines {
	const char **start;
	size_t *len;
	size_t n;
};

static struct lines split_lines(const char *text, size_t len)
{
	struct lines l = {0};
	size_t cap = 0, cap2 = 0;
	for (size_t i = 0; i < len;) {
		const char *nl = memchr(text + i, '\n', len - i);
		size_t end = nl ? (size_t)(nl - text) + 1 : len;
		l.start = xgrow(l.start, &cap, l.n + 1, sizeof(*l.start));
		l.len = xgrow(l.len, &cap2, l.n + 1, sizeof(*l.len));
		l.start[l.n] = text + i;
		l.len[l.n] = end - i;
		l.n++;
		i = end;
	}
	return l;
}

static void lines_free(struct lines *l)
{
	free(l->start);
	free(l->len);
}

static bool line_eq(const struct lines *a, size_t i, const struct lines *b, size_t j)
{
	return a->len[i] == b->len[j] && memcmp(a->start[i], b->start[j], a->len[i]) == 0;
}

/* The fewest inserted plus deleted lines that turn `old` into `new`. */
static size_t minimal_edits(const char *old, size_t old_len, const char *new, size_t new_len)
{
	struct lines a = split_lines(old, old_len), b = split_lines(new, new_len);
	size_t *row = xcalloc(b.n + 1, sizeof(size_t)), *prev = xcalloc(b.n + 1, sizeof(size_t));
	for (size_t i = 1; i <= a.n; i++) {
		for (size_t j = 1; j <= b.n; j++) {
			if (line_eq(&a, i - 1, &b, j - 1))
				row[j] = prev[j - 1] + 1;
			else
				row[j] = row[j - 1] > prev[j] ? row[j - 1] : prev[j];
		}
		size_t *t = prev;
		prev = row;
		row = t;
	}
	size_t lcs = prev[b.n];
	size_t edits = a.n + b.n - 2 * lcs;
	free(row);
	free(prev);
	lines_free(&a);
	lines_free(&b);
	return edits;
}

/* Read "l" or "l,s" from *p. */
static bool parse_range(const char **p, size_t *line, size_t *count)
{
	char *end;
	errno = 0;
	unsigned long v = strtoul(*p, &end, 10);
	if (end == *p || errno)
		return false;
	*line = v;
	*count = 1;
	if (*end == ',') {
		const char *q = end + 1;
		v = strtoul(q, &end, 10);
		if (end == q)
			return false;
		*count = v;
	}
	*p = end;
	return true;
}

/* Apply a unified diff of ours to `old`, checking every context and removed
 * line against it and every hunk header against its body. On success, the
 * patched text is in `result` and the number of +/- lines in `edits`. */
static bool apply_unified(const char *old, size_t old_len, const char *diff, struct strbuf *result,
			  size_t *edits, char **why)
{
	struct lines src = split_lines(old, old_len);
	struct lines d = split_lines(diff, strlen(diff));
	size_t cursor = 0; /* next line of old to copy */
	bool ok = false;
	*edits = 0;
	*why = NULL;

	if (d.n < 3 || strncmp(d.start[0], "--- ", 4) || strncmp(d.start[1], "+++ ", 4)) {
		*why = xstrdup("missing header");
		goto out;
	}
	for (size_t k = 2; k < d.n;) {
		const char *p = d.start[k];
		size_t old_line, old_count, new_line, new_count;
		if (strncmp(p, "@@ -", 4)) {
			*why = xasprintf("line %zu: expected a hunk header", k + 1);
			goto out;
		}
		p += 4;
		if (!parse_range(&p, &old_line, &old_count) || strncmp(p, " +", 2)) {
			*why = xasprintf("line %zu: bad old range", k + 1);
			goto out;
		}
		p += 2;
		if (!parse_range(&p, &new_line, &new_count) || strncmp(p, " @@\n", 4)) {
			*why = xasprintf("line %zu: bad new range", k + 1);
			goto out;
		}
		if (old_count == 0 && new_count == 0) {
			*why = xasprintf("line %zu: empty hunk", k + 1);
			goto out;
		}
		/* An empty range names the line before it. */
		size_t hunk_start = old_count ? old_line - 1 : old_line;
		if (hunk_start < cursor || hunk_start > src.n || (old_count && old_line == 0)) {
			*why = xasprintf("line %zu: hunk out of order", k + 1);
			goto out;
		}
		for (; cursor < hunk_start; cursor++)
			strbuf_append(result, src.start[cursor], src.len[cursor]);
		k++;
		while (old_count || new_count) {
			if (k >= d.n) {
				*why = xstrdup("hunk shorter than its header says");
				goto out;
			}
			char mark = d.start[k][0];
			const char *body = d.start[k] + 1;
			size_t body_len = d.len[k] - 1;
			k++;
			if (k < d.n && d.start[k][0] == '\\') {
				if (strncmp(d.start[k], "\\ No newline at end of file\n",
					    d.len[k])) {
					*why = xasprintf("line %zu: bad marker", k + 1);
					goto out;
				}
				body_len--; /* the line has no '\n' */
				k++;
			}
			bool from_old = mark == ' ' || mark == '-';
			bool to_new = mark == ' ' || mark == '+';
			if (!from_old && !to_new) {
				*why = xasprintf("line %zu: bad line mark", k);
				goto out;
			}
			if (from_old) {
				if (!old_count || cursor >= src.n || src.len[cursor] != body_len ||
				    memcmp(src.start[cursor], body, body_len)) {
					*why =
					    xasprintf("line %zu: does not match the old text", k);
					goto out;
				}
				cursor++;
				old_count--;
			}
			if (to_new) {
				if (!new_count) {
					*why = xasprintf("line %zu: beyond the new range", k);
					goto out;
				}
				strbuf_append(result, body, body_len);
				new_count--;
			}
			if (mark != ' ')
				(*edits)++;
		}
	}
	for (; cursor < src.n; cursor++)
		strbuf_append(result, src.start[cursor], src.len[cursor]);
	ok = true;
out:
	lines_free(&src);
	lines_free(&d);
	return ok;
}

static size_t count_edit_lines(const char *diff)
{
	size_t n = 0;
	struct lines d = split_lines(diff, strlen(diff));
	for (size_t k = 2; k < d.n; k++)
		n += d.start[k][0] == '+' || d.start[k][0] == '-';
	lines_free(&d);
	return n;
}

/* Our diff is correct: it turns old into new with the fewest edits. */
static void assert_valid_minimal(const char *old, const char *new, unsigned context,
				 const char *diff)
{
	struct strbuf result = {0};
	size_t edits;
	char *why;
	bool ok = apply_unified(old, strlen(old), diff, &result, &edits, &why);
	cr_assert(ok, "diff does not apply (%s):\n%s\n--- old:\n%s--- new:\n%s", why, diff, old,
		  new);
	cr_assert_str_eq(result.buf ? result.buf : "", new, "patched old is not new:\n%s", diff);
	cr_assert_eq(edits, minimal_edits(old, strlen(old), new, strlen(new)),
		     "not minimal (%zu edits):\n%s", edits, diff);
	strbuf_free(&result);
}

/* splitmix64: small, seeded, the same on every machine. */
static uint64_t rng_next(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15u);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
	return z ^ (z >> 31);
}

static unsigned rng_below(uint64_t *state, unsigned n)
{
	return (unsigned)(rng_next(state) % n);
}

/* A few lines that repeat a lot, like the braces of pretty-printed JSON, so
 * that many edit scripts tie and the tie-breaking is exercised. */
static const char *const pool[] = {
    "{", "}", "},", "a", "b", "c", "", "    \"x\": 1,", "\t]", "a\r",
};

static void random_line(uint64_t *rng, struct strbuf *sb, unsigned variety)
{
	strbuf_puts(sb, pool[rng_below(rng, variety)]);
	strbuf_putc(sb, '\n');
}

static char *random_text(uint64_t *rng, unsigned max_lines, unsigned variety)
{
	struct strbuf sb = {0};
	unsigned n = rng_below(rng, max_lines + 1);
	for (unsigned i = 0; i < n; i++)
		random_line(rng, &sb, variety);
	if (sb.len && rng_below(rng, 6) == 0)
		sb.buf[--sb.len] = '\0'; /* no final newline */
	return strbuf_steal(&sb);
}

/* `old` with a few lines inserted, deleted or replaced, and sometimes its
 * final newline added or taken away. */
static char *mutate_text(uint64_t *rng, const char *old, unsigned variety)
{
	struct lines l = split_lines(old, strlen(old));
	struct strbuf sb = {0};
	unsigned edits = 1 + rng_below(rng, 4);
	for (size_t i = 0; i <= l.n; i++) {
		unsigned r = rng_below(rng, 100);
		if (edits && r < 12) {
			edits--;
			random_line(rng, &sb, variety); /* insert before line i */
		}
		if (i == l.n)
			break;
		if (edits && r >= 12 && r < 24) {
			edits--;
			continue; /* delete line i */
		}
		if (edits && r >= 24 && r < 32) {
			edits--;
			random_line(rng, &sb, variety); /* replace line i */
			continue;
		}
		strbuf_append(&sb, l.start[i], l.len[i]);
		if (l.start[i][l.len[i] - 1] != '\n' && rng_below(rng, 3) == 0)
			strbuf_putc(&sb, '\n');
	}
	lines_free(&l);
	if (sb.len && sb.buf[sb.len - 1] == '\n' && rng_below(rng, 12) == 0)
		sb.buf[--sb.len] = '\0';
	return strbuf_steal(&sb);
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "we");
	cr_assert_not_null(f, "open %s: %s", path, strerror(errno));
	cr_assert_eq(fwrite(text, 1, strlen(text), f), strlen(text));
	cr_assert_eq(fclose(f), 0);
}

/* What GNU diff prints for the two files, with OLD and NEW as labels.
 * posix_spawn rather than fork: forking a sanitizer build is slow. */
static char *gnu_diff(const char *old_path, const char *new_path, unsigned context)
{
	char context_arg[16];
	snprintf(context_arg, sizeof(context_arg), "%u", context);
	char *argv[] = {"diff",	   "-U",  context_arg,	    "--label",	      "OLD",
			"--label", "NEW", (char *)old_path, (char *)new_path, NULL};
	int pipe_fds[2];
	cr_assert_eq(pipe2(pipe_fds, O_CLOEXEC), 0);
	posix_spawn_file_actions_t actions;
	posix_spawn_file_actions_init(&actions);
	posix_spawn_file_actions_adddup2(&actions, pipe_fds[1], STDOUT_FILENO);
	pid_t pid;
	int err = posix_spawnp(&pid, "diff", &actions, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&actions);
	cr_assert_eq(err, 0, "spawn diff: %s", strerror(err));
	close(pipe_fds[1]);

	struct strbuf out = {0};
	char buf[4096];
	ssize_t n;
	while ((n = read(pipe_fds[0], buf, sizeof(buf))) > 0)
		strbuf_append(&out, buf, (size_t)n);
	close(pipe_fds[0]);
	int status;
	cr_assert_eq(waitpid(pid, &status, 0), pid);
	cr_assert(WIFEXITED(status) && WEXITSTATUS(status) <= 1, "diff failed (status %d)", status);
	return strbuf_steal(&out);
}

/* ---- examples --------------------------------------------------------- */

Test(textdiff, equal_texts_append_nothing)
{
	struct strbuf out = {0};
	strbuf_puts(&out, "kept");
	cr_assert_not(textdiff_unified("a\nb\n", 4, "a\nb\n", 4, "OLD", "NEW", 3, false, &out));
	cr_assert_not(textdiff_unified("", 0, "", 0, "OLD", "NEW", 3, true, &out));
	cr_assert_not(textdiff_unified("x", 1, "x", 1, "OLD", "NEW", 0, false, &out));
	cr_assert_str_eq(out.buf, "kept");
	strbuf_free(&out);
}

Test(textdiff, appends_to_existing_output)
{
	struct strbuf out = {0};
	strbuf_puts(&out, "before\n");
	cr_assert(textdiff_unified("a\n", 2, "b\n", 2, "x", "y", 3, false, &out));
	cr_assert_str_eq(out.buf, "before\n--- x\n+++ y\n@@ -1 +1 @@\n-a\n+b\n");
	strbuf_free(&out);
}

Test(textdiff, pure_insertion)
{
	assert_diff("a\nb\nc\n", "a\nb\nX\nc\n", 3, "@@ -1,3 +1,4 @@\n a\n b\n+X\n c\n");
}

Test(textdiff, pure_deletion)
{
	assert_diff("a\nb\nc\nd\n", "a\nc\nd\n", 3, "@@ -1,4 +1,3 @@\n a\n-b\n c\n d\n");
}

Test(textdiff, change_in_middle_has_three_lines_of_context)
{
	cleanup_free char *old = numbered_lines(10, 0, 0);
	cleanup_free char *new = numbered_lines(10, 5, 0);
	assert_diff(old, new, 3, "@@ -2,7 +2,7 @@\n l2\n l3\n l4\n-l5\n+X5\n l6\n l7\n l8\n");
}

Test(textdiff, distant_changes_make_two_hunks)
{
	cleanup_free char *old = numbered_lines(20, 0, 0);
	cleanup_free char *new = numbered_lines(20, 3, 15);
	assert_diff(old, new, 3,
		    "@@ -1,6 +1,6 @@\n l1\n l2\n-l3\n+X3\n l4\n l5\n l6\n"
		    "@@ -12,7 +12,7 @@\n l12\n l13\n l14\n-l15\n+X15\n l16\n l17\n l18\n");
}

Test(textdiff, changes_whose_contexts_touch_share_a_hunk)
{
	/* Six unchanged lines between: the two contexts of three meet. */
	cleanup_free char *old = numbered_lines(20, 0, 0);
	cleanup_free char *merged = numbered_lines(20, 5, 12);
	assert_diff(old, merged, 3,
		    "@@ -2,14 +2,14 @@\n l2\n l3\n l4\n-l5\n+X5\n l6\n l7\n l8\n l9\n l10\n l11\n"
		    "-l12\n+X12\n l13\n l14\n l15\n");

	/* Seven: they do not. */
	cleanup_free char *apart = numbered_lines(20, 5, 13);
	cleanup_free char *diff = unified(old, apart, 3, false);
	cr_assert_not_null(strstr(diff, "@@ -2,7 +2,7 @@\n"));
	cr_assert_not_null(strstr(diff, "@@ -10,7 +10,7 @@\n"));
}

Test(textdiff, adjacent_changes_are_one_change)
{
	cleanup_free char *old = numbered_lines(10, 0, 0);
	cleanup_free char *new = numbered_lines(10, 5, 6);
	assert_diff(old, new, 3,
		    "@@ -2,8 +2,8 @@\n l2\n l3\n l4\n-l5\n-l6\n+X5\n+X6\n l7\n l8\n l9\n");
}

Test(textdiff, empty_old_or_new_text)
{
	assert_diff("", "a\nb\n", 3, "@@ -0,0 +1,2 @@\n+a\n+b\n");
	assert_diff("a\nb\n", "", 3, "@@ -1,2 +0,0 @@\n-a\n-b\n");
	assert_diff("", "a", 3, "@@ -0,0 +1 @@\n+a\n\\ No newline at end of file\n");
}

Test(textdiff, single_line_ranges_have_no_count)
{
	assert_diff("a\n", "b\n", 3, "@@ -1 +1 @@\n-a\n+b\n");
}

Test(textdiff, zero_context)
{
	cleanup_free char *old = numbered_lines(10, 0, 0);
	cleanup_free char *new = numbered_lines(10, 5, 0);
	assert_diff(old, new, 0, "@@ -5 +5 @@\n-l5\n+X5\n");
	/* An insertion names the line it follows. */
	assert_diff("a\nb\nc\n", "a\nb\nX\nc\n", 0, "@@ -2,0 +3 @@\n+X\n");
	assert_diff("a\nb\nX\nc\n", "a\nb\nc\n", 0, "@@ -3 +2,0 @@\n-X\n");
}

Test(textdiff, huge_context_is_the_whole_text)
{
	assert_diff("a\nb\nc\n", "a\nX\nc\n", UINT32_MAX, "@@ -1,3 +1,3 @@\n a\n-b\n+X\n c\n");
}

Test(textdiff, missing_trailing_newline)
{
	assert_diff("a\nb", "a\nc", 3,
		    "@@ -1,2 +1,2 @@\n a\n-b\n\\ No newline at end of file\n"
		    "+c\n\\ No newline at end of file\n");
	/* Adding the newline changes the line. */
	assert_diff("a\nb", "a\nb\n", 3,
		    "@@ -1,2 +1,2 @@\n a\n-b\n\\ No newline at end of file\n+b\n");
	assert_diff("a\nb\n", "a\nb", 3,
		    "@@ -1,2 +1,2 @@\n a\n-b\n+b\n\\ No newline at end of file\n");
	/* In a context line too. */
	assert_diff("a\nb\nc", "X\nb\nc", 3,
		    "@@ -1,3 +1,3 @@\n-a\n+X\n b\n c\n\\ No newline at end of file\n");
}

Test(textdiff, crlf_is_left_alone)
{
	assert_diff("a\r\nb\r\n", "a\r\nc\r\n", 3, "@@ -1,2 +1,2 @@\n a\r\n-b\r\n+c\r\n");
	assert_diff("a\r\n", "a\n", 3, "@@ -1 +1 @@\n-a\r\n+a\n");
}

Test(textdiff, color)
{
	cleanup_free char *got = unified("a\nb\n", "a\nc", 3, true);
	cr_assert_str_eq(got, "\033[1m--- OLD\033[0m\n"
			      "\033[1m+++ NEW\033[0m\n"
			      "\033[36m@@ -1,2 +1,2 @@\033[0m\n"
			      " a\n"
			      "\033[31m-b\033[0m\n"
			      "\033[32m+c\033[0m\n"
			      "\\ No newline at end of file\n");
}

Test(textdiff, inserted_block_slides_down_like_diff)
{
	/* Myers may first find "}\n{\n" inserted after "{\n"; diff, and we,
	 * show the block as added after the existing one. */
	assert_diff("{\n}\n", "{\n}\n{\n}\n", 3, "@@ -1,2 +1,4 @@\n {\n }\n+{\n+}\n");
	assert_diff("[\n  {\n    \"a\": 1\n  }\n]\n",
		    "[\n  {\n    \"a\": 1\n  },\n  {\n    \"b\": 2\n  }\n]\n", 3,
		    "@@ -1,5 +1,8 @@\n [\n   {\n     \"a\": 1\n+  },\n+  {\n+    \"b\": 2\n"
		    "   }\n ]\n");
}

/* ---- properties ------------------------------------------------------- */

/* For random pairs of small texts, our output is byte for byte what GNU diff
 * prints. Where the two pick different but equally short scripts, or diff's
 * heuristics give a longer one, ours must still apply and be minimal. */
Test(textdiff, matches_gnu_diff, .timeout = 110)
{
	char dir[] = "/tmp/test_textdiff.XXXXXX";
	cr_assert_not_null(mkdtemp(dir));
	char old_path[64], new_path[64];
	snprintf(old_path, sizeof(old_path), "%s/old", dir);
	snprintf(new_path, sizeof(new_path), "%s/new", dir);

	static const unsigned contexts[] = {3, 3, 3, 0, 1, 2, 5};
	uint64_t rng = 0x6f63692d68617264u;
	unsigned runs = 2000, identical = 0, fewer_than_gnu = 0;
	for (unsigned run = 0; run < runs; run++) {
		unsigned variety = 2 + rng_below(&rng, ARRAY_SIZE(pool) - 1);
		cleanup_free char *old = random_text(&rng, 14, variety);
		cleanup_free char *new = rng_below(&rng, 5) ? mutate_text(&rng, old, variety)
							    : random_text(&rng, 14, variety);
		unsigned context = contexts[rng_below(&rng, ARRAY_SIZE(contexts))];

		cleanup_free char *ours = unified(old, new, context, false);
		write_file(old_path, old);
		write_file(new_path, new);
		cleanup_free char *gnu = gnu_diff(old_path, new_path, context);

		if (strcmp(ours, gnu) == 0) {
			identical++;
			continue;
		}
		cr_assert(*ours && *gnu, "one says equal, one not:\n%s\n%s", ours, gnu);
		assert_valid_minimal(old, new, context, ours);
		size_t our_edits = count_edit_lines(ours), gnu_edits = count_edit_lines(gnu);
		cr_assert_leq(our_edits, gnu_edits, "more edits than diff:\n%s\n%s", ours, gnu);
		fewer_than_gnu += our_edits < gnu_edits;
		cr_log_info("differs from GNU diff (%zu vs %zu edits):\n--- old:\n%s--- "
			    "new:\n%s--- ours:\n%s--- gnu:\n%s",
			    our_edits, gnu_edits, old, new, ours, gnu);
	}
	unlink(old_path);
	unlink(new_path);
	rmdir(dir);
	cr_log_info("%u of %u identical to GNU diff, %u shorter", identical, runs, fewer_than_gnu);
	cr_assert_geq(identical, runs * 95 / 100, "only %u of %u identical", identical, runs);
}

/* More and larger random pairs, without diff(1): always valid and minimal. */
Test(textdiff, valid_and_minimal)
{
	uint64_t rng = 42;
	for (unsigned run = 0; run < 3000; run++) {
		unsigned variety = 2 + rng_below(&rng, ARRAY_SIZE(pool) - 1);
		cleanup_free char *old = random_text(&rng, 60, variety);
		cleanup_free char *new = rng_below(&rng, 4) ? mutate_text(&rng, old, variety)
							    : random_text(&rng, 60, variety);
		unsigned context = rng_below(&rng, 5);
		cleanup_free char *ours = unified(old, new, context, false);
		if (strcmp(old, new) == 0) {
			cr_assert_str_eq(ours, "");
			continue;
		}
		assert_valid_minimal(old, new, context, ours);
	}
}

/* A config-sized text: 100,000 lines, ten of them changed, one hunk each. */
Test(textdiff, large_text_with_few_changes)
{
	struct strbuf old = {0}, new = {0};
	for (int i = 0; i < 100000; i++) {
		strbuf_appendf(&old, "    \"key%d\": %d,\n", i, i % 7);
		if (i % 10000 == 5000)
			strbuf_appendf(&new, "    \"key%d\": \"changed\",\n", i);
		else
			strbuf_appendf(&new, "    \"key%d\": %d,\n", i, i % 7);
	}
	struct strbuf out = {0};
	cr_assert(
	    textdiff_unified(old.buf, old.len, new.buf, new.len, "OLD", "NEW", 3, false, &out));
	size_t hunks = 0;
	for (const char *p = out.buf; (p = strstr(p, "\n@@ ")); p++)
		hunks++;
	cr_assert_eq(hunks, 10);
	cr_assert_not_null(strstr(out.buf, "@@ -4998,7 +4998,7 @@\n"));
	cr_assert_not_null(
	    strstr(out.buf, "-    \"key95000\": 3,\n+    \"key95000\": \"changed\",\n"));

	struct strbuf patched = {0};
	size_t edits;
	char *why;
	cr_assert(apply_unified(old.buf, old.len, out.buf, &patched, &edits, &why), "%s", why);
	cr_assert_eq(edits, 20);
	cr_assert_eq(patched.len, new.len);
	cr_assert(memcmp(patched.buf, new.buf, new.len) == 0);
	strbuf_free(&patched);
	strbuf_free(&out);
	strbuf_free(&old);
	strbuf_free(&new);
}

/* Two unrelated texts over a tiny alphabet: tens of thousands of changes,
 * enough for the search to pass its cost limit and settle for a diff that
 * may not be minimal. It must still be a correct one. */
Test(textdiff, too_many_changes_still_give_a_correct_diff)
{
	uint64_t rng = 7;
	struct strbuf old = {0}, new = {0};
	for (int i = 0; i < 20000; i++) {
		random_line(&rng, &old, 4);
		random_line(&rng, &new, 4);
	}
	struct strbuf out = {0};
	cr_assert(
	    textdiff_unified(old.buf, old.len, new.buf, new.len, "OLD", "NEW", 3, false, &out));
	struct strbuf patched = {0};
	size_t edits;
	char *why;
	cr_assert(apply_unified(old.buf, old.len, out.buf, &patched, &edits, &why), "%s", why);
	cr_assert_eq(patched.len, new.len);
	cr_assert(memcmp(patched.buf, new.buf, new.len) == 0);
	strbuf_free(&patched);
	strbuf_free(&out);
	strbuf_free(&old);
	strbuf_free(&new);
}
