/* SPDX-License-Identifier: Apache-2.0 */
/* A line-based unified diff, written to print what GNU diffutils' `diff -u`
 * prints for the same two texts, so that `oci-harden diff` reads like the diff
 * every operator already knows and its hunks apply with patch(1).
 *
 * The steps are those diff(1) takes (diffutils' manual, "Overview" and
 * "Hunks"; Myers' paper for step 4); the code is our own:
 *
 *  1. Split each text into lines. A final line without '\n' is a different
 *     line from the same characters with one, and prints with
 *     "\ No newline at end of file" after it. '\r' is ordinary content.
 *  2. Skip the common prefix and suffix by comparing bytes, but keep
 *     `context` lines of each in the compared region (diff's --horizon-lines
 *     defaults to the context), so that step 5 may move a change into them.
 *  3. Number the distinct lines of the region (equivalence classes), and set
 *     aside every line with no equal in the other text: it is a change in any
 *     edit script, so dropping it loses nothing and shortens the search.
 *  4. Myers' O(ND) algorithm, linear-space variant (E. Myers, "An O(ND)
 *     Difference Algorithm and Its Variations", Algorithmica 1(2), 1986,
 *     section 4.2): search from both corners at once for the middle snake of a
 *     shortest edit script, split there, and solve the two halves the same way.
 *  5. Slide every run of changed lines over equal neighbouring lines, to join
 *     it to other runs and otherwise as far down as it goes, then back up to
 *     where it meets a change in the other text: the same choice among equally
 *     short scripts that diff makes.
 *  6. Join changes separated by at most 2 * context unchanged lines into one
 *     hunk, and print.
 *
 * Cost. Time is O((N + M) * D) for N and M lines and D changed lines, after an
 * O(N + M) pass over the bytes to skip the common ends: a 100,000-line config
 * with ten changes takes about 20 ms (-O2), one with 5,000 changes about 30 ms.
 * Memory is O(N + M) whatever D is, about 60 bytes a line at the peak (line
 * table, classes, flags, kept lines, two vectors of N + M + 3 diagonals, the
 * hash table while classifying); the greedy variant that keeps a trace would
 * need O(D^2), which is why we use the linear-space one and never need to
 * switch strategy for memory. Time is what grows with D, so, like diff, a
 * middle-snake search that passes textdiff_cost_limit() edits (4096 below
 * 16 million lines) stops and splits at the furthest point it reached: the
 * output is then still a correct diff, just not necessarily a minimal one.
 * Whole-file rewrites stay cheap and minimal because of step 3; the slow case
 * is two unrelated texts drawn from a handful of distinct lines, where half
 * the lines change and still match something: 100,000 such lines take about
 * 2 s, as long as diff(1) takes.
 *
 * Deliberately not reproduced: diff also sets aside, in some runs of changes,
 * lines that occur many times in the other text ("provisional" discards in
 * its analyze.c). That heuristic can make diff's output longer than minimal;
 * ours is minimal, and where the two differ it is by placing an edit
 * differently among equally short scripts, or by being shorter. */
#include "textdiff.h"

#include <assert.h>
#include <stdint.h>
#include <string.h>

#define COLOR_HEADER "\033[1m"
#define COLOR_HUNK   "\033[36m"
#define COLOR_DELETE "\033[31m"
#define COLOR_INSERT "\033[32m"
#define COLOR_RESET  "\033[0m"

/* At least this many edits before a single search gives up on minimality;
 * see textdiff_cost_limit(). */
#define COST_LIMIT_MIN 4096

/* One of the two texts. Line i is text[line_start[i] .. line_start[i + 1]),
 * its '\n' included. */
struct textdiff_side {
	const char *text;
	size_t len;
	ptrdiff_t lines;
	size_t *line_start; /* lines + 1 entries */
	bool missing_newline;

	/* Lines [region_begin, region_end) are compared in detail; those before
	 * and after are equal in both texts. */
	ptrdiff_t region_begin;
	ptrdiff_t region_end;
	ptrdiff_t *equiv; /* equivalence class per line, valid in the region */

	/* changed[i] for i in [-1, lines]; the two ends are always false and
	 * stop every scan. */
	bool *changed_storage;
	bool *changed;

	/* The region's lines left after step 3: their classes, and the line
	 * number each came from. */
	ptrdiff_t kept;
	ptrdiff_t *kept_class;
	ptrdiff_t *kept_line;
};

static void side_free(struct textdiff_side *side)
{
	free(side->line_start);
	free(side->equiv);
	free(side->changed_storage);
	free(side->kept_class);
	free(side->kept_line);
}

static void side_split_lines(struct textdiff_side *side, const char *text, size_t len)
{
	const char *end = text + len;
	ptrdiff_t lines = 0;
	for (const char *p = text; p < end; lines++) {
		const char *newline = memchr(p, '\n', (size_t)(end - p));
		p = newline ? newline + 1 : end;
	}

	side->text = text;
	side->len = len;
	side->lines = lines;
	side->line_start = xmalloc(((size_t)lines + 1) * sizeof(size_t));
	ptrdiff_t i = 0;
	for (const char *p = text; p < end; i++) {
		side->line_start[i] = (size_t)(p - text);
		const char *newline = memchr(p, '\n', (size_t)(end - p));
		p = newline ? newline + 1 : end;
	}
	side->line_start[lines] = len;
	side->missing_newline = len > 0 && text[len - 1] != '\n';
	side->changed_storage = xcalloc((size_t)lines + 2, sizeof(bool));
	side->changed = side->changed_storage + 1;
}

/* The first line that starts at or after byte `offset` (`lines` if none). */
static ptrdiff_t side_line_at(const struct textdiff_side *side, size_t offset)
{
	ptrdiff_t lo = 0, hi = side->lines;
	while (lo < hi) {
		ptrdiff_t mid = lo + (hi - lo) / 2;
		if (side->line_start[mid] < offset)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static size_t side_line_length(const struct textdiff_side *side, ptrdiff_t i)
{
	return side->line_start[i + 1] - side->line_start[i];
}

static size_t common_prefix_length(const char *a, const char *b, size_t n)
{
	size_t i = 0;
	/* memcmp in blocks first: the prefix is usually most of a config. */
	while (n - i >= 256 && memcmp(a + i, b + i, 256) == 0)
		i += 256;
	while (i < n && a[i] == b[i])
		i++;
	return i;
}

/* Step 2: find the region worth comparing line by line, the way diff's
 * find_identical_ends() bounds it, so that boundary shifting has exactly the
 * same room to work in as diff's. */
static void find_region(struct textdiff_side *before, struct textdiff_side *after,
			ptrdiff_t horizon)
{
	size_t shorter = before->len < after->len ? before->len : after->len;
	size_t prefix = shorter ? common_prefix_length(before->text, after->text, shorter) : 0;
	while (prefix > 0 && before->text[prefix - 1] != '\n')
		prefix--;
	ptrdiff_t prefix_lines = side_line_at(before, prefix);
	ptrdiff_t begin = prefix_lines > horizon ? prefix_lines - horizon : 0;

	before->region_begin = after->region_begin = begin;
	before->region_end = before->lines;
	after->region_end = after->lines;
	/* With a final newline in one text only, the last lines differ and
	 * there is no common suffix. */
	if (before->missing_newline != after->missing_newline)
		return;

	/* The suffix may not reach back into the region's first line. */
	size_t limit = shorter - before->line_start[begin];
	size_t suffix = 0;
	while (suffix < limit &&
	       before->text[before->len - 1 - suffix] == after->text[after->len - 1 - suffix])
		suffix++;
	size_t old_at = before->len - suffix, new_at = after->len - suffix;
	bool old_line_start = old_at == 0 || before->text[old_at - 1] == '\n';
	bool new_line_start = new_at == 0 || after->text[new_at - 1] == '\n';

	/* Round up to a line start in both texts: the bytes after old_at equal
	 * those after new_at, so from the end of the line holding old_at on,
	 * lines match one for one. A suffix that starts a line in the old text
	 * but not in the new one costs that whole line. */
	ptrdiff_t end = side_line_at(before, old_at);
	if (old_line_start && !new_line_start && end < before->lines)
		end++;
	end = end + horizon < before->lines ? end + horizon : before->lines;
	before->region_end = end;
	after->region_end = after->lines - (before->lines - end);
}

/* Step 3, first half: classes of equal lines, numbered from 0. */
struct line_classes {
	size_t mask;
	ptrdiff_t *slot; /* class number, or -1 */
	struct line_class {
		const char *text;
		size_t len;
		uint64_t hash;
	} * first; /* the first line seen of each class */
	ptrdiff_t count;
};

static uint64_t hash_line(const char *s, size_t len)
{
	/* FNV-1a, 64-bit: good enough for lines, and simple. */
	uint64_t h = 0xcbf29ce484222325u;
	for (size_t i = 0; i < len; i++) {
		h ^= (unsigned char)s[i];
		h *= 0x100000001b3u;
	}
	return h;
}

static ptrdiff_t line_classes_find(struct line_classes *classes, const char *text, size_t len)
{
	uint64_t hash = hash_line(text, len);
	for (size_t i = (size_t)hash & classes->mask;; i = (i + 1) & classes->mask) {
		ptrdiff_t c = classes->slot[i];
		if (c < 0) {
			classes->first[classes->count] =
			    (struct line_class){.text = text, .len = len, .hash = hash};
			classes->slot[i] = classes->count;
			return classes->count++;
		}
		const struct line_class *known = &classes->first[c];
		if (known->hash == hash && known->len == len && memcmp(known->text, text, len) == 0)
			return c;
	}
}

static ptrdiff_t classify_lines(struct textdiff_side *before, struct textdiff_side *after)
{
	struct textdiff_side *sides[] = {before, after};
	size_t total = 0;
	for (size_t s = 0; s < ARRAY_SIZE(sides); s++)
		total += (size_t)(sides[s]->region_end - sides[s]->region_begin);

	struct line_classes classes = {0};
	size_t slots = 16;
	while (slots < 2 * total)
		slots *= 2;
	classes.mask = slots - 1;
	classes.slot = xmalloc(slots * sizeof(*classes.slot));
	memset(classes.slot, 0xff, slots * sizeof(*classes.slot)); /* all -1 */
	classes.first = xmalloc((total ? total : 1) * sizeof(*classes.first));

	for (size_t s = 0; s < ARRAY_SIZE(sides); s++) {
		struct textdiff_side *side = sides[s];
		side->equiv = xmalloc(((size_t)side->lines + 1) * sizeof(ptrdiff_t));
		for (ptrdiff_t i = side->region_begin; i < side->region_end; i++)
			side->equiv[i] = line_classes_find(
			    &classes, side->text + side->line_start[i], side_line_length(side, i));
	}
	free(classes.slot);
	free(classes.first);
	return classes.count;
}

/* Step 3, second half: keep only the lines that have an equal in the other
 * text's region; the others are changed, and that is final. */
static void discard_unmatched(struct textdiff_side *before, struct textdiff_side *after,
			      ptrdiff_t class_count)
{
	struct textdiff_side *sides[] = {before, after};
	cleanup_free ptrdiff_t *occurrences =
	    xcalloc(2 * (size_t)class_count + 1, sizeof(ptrdiff_t));
	for (size_t s = 0; s < 2; s++)
		for (ptrdiff_t i = sides[s]->region_begin; i < sides[s]->region_end; i++)
			occurrences[s * (size_t)class_count + (size_t)sides[s]->equiv[i]]++;

	for (size_t s = 0; s < 2; s++) {
		struct textdiff_side *side = sides[s];
		const ptrdiff_t *in_other = occurrences + (1 - s) * (size_t)class_count;
		size_t n = (size_t)(side->region_end - side->region_begin);
		side->kept_class = xmalloc((n ? n : 1) * sizeof(ptrdiff_t));
		side->kept_line = xmalloc((n ? n : 1) * sizeof(ptrdiff_t));
		side->kept = 0;
		for (ptrdiff_t i = side->region_begin; i < side->region_end; i++) {
			if (in_other[side->equiv[i]] == 0) {
				side->changed[i] = true;
				continue;
			}
			side->kept_class[side->kept] = side->equiv[i];
			side->kept_line[side->kept] = i;
			side->kept++;
		}
	}
}

/* Step 4: Myers' linear-space search over the kept lines, x indexing the old
 * text's and y the new text's. Diagonal k holds the points with x - y == k. */
struct myers {
	const ptrdiff_t *a, *b;
	const ptrdiff_t *a_line, *b_line;
	bool *a_changed, *b_changed;
	/* Indexed by diagonal, from -(b's length + 1) to a's length + 1: the
	 * furthest x reached on it searching forward from the top-left corner,
	 * and the least x reached searching backward from the bottom-right. */
	ptrdiff_t *forward;
	ptrdiff_t *backward;
	ptrdiff_t cost_limit;
};

struct myers_split {
	ptrdiff_t x, y;
	/* Whether each half is known to have a minimal script found the usual
	 * way, or came from giving up and must be allowed to give up again. */
	bool low_minimal, high_minimal;
};

/* When a search passes the limit, split at the point that got furthest from
 * its corner, measured in x + y. The path to that point is a minimal one, so
 * its half is marked minimal; the rest is the unexplored part. */
static void myers_give_up(const struct myers *m, ptrdiff_t x0, ptrdiff_t x1, ptrdiff_t y0,
			  ptrdiff_t y1, ptrdiff_t forward_low, ptrdiff_t forward_high,
			  ptrdiff_t backward_low, ptrdiff_t backward_high,
			  struct myers_split *split)
{
	ptrdiff_t forward_best = -1, forward_x = x0;
	for (ptrdiff_t k = forward_high; k >= forward_low; k -= 2) {
		ptrdiff_t x = m->forward[k] < x1 ? m->forward[k] : x1;
		ptrdiff_t y = x - k;
		if (y > y1) {
			x = y1 + k;
			y = y1;
		}
		if (x + y > forward_best) {
			forward_best = x + y;
			forward_x = x;
		}
	}
	ptrdiff_t backward_best = PTRDIFF_MAX, backward_x = x1;
	for (ptrdiff_t k = backward_high; k >= backward_low; k -= 2) {
		ptrdiff_t x = m->backward[k] > x0 ? m->backward[k] : x0;
		ptrdiff_t y = x - k;
		if (y < y0) {
			x = y0 + k;
			y = y0;
		}
		if (x + y < backward_best) {
			backward_best = x + y;
			backward_x = x;
		}
	}

	if ((x1 + y1) - backward_best < forward_best - (x0 + y0)) {
		*split = (struct myers_split){forward_x, forward_best - forward_x, true, false};
	} else {
		*split = (struct myers_split){backward_x, backward_best - backward_x, false, true};
	}
}

/* Find where a shortest script for a[x0, x1) against b[y0, y1) crosses its
 * middle edit. The caller has trimmed equal lines from both ends, so the box
 * is at least one edit wide. */
static void myers_find_split(const struct myers *m, ptrdiff_t x0, ptrdiff_t x1, ptrdiff_t y0,
			     ptrdiff_t y1, bool minimal, struct myers_split *split)
{
	ptrdiff_t *forward = m->forward, *backward = m->backward;
	const ptrdiff_t *a = m->a, *b = m->b;
	const ptrdiff_t k_min = x0 - y1, k_max = x1 - y0;
	const ptrdiff_t forward_start = x0 - y0, backward_start = x1 - y1;
	/* Diagonals reached so far, every other one in [low, high]. */
	ptrdiff_t forward_low = forward_start, forward_high = forward_start;
	ptrdiff_t backward_low = backward_start, backward_high = backward_start;
	/* With an odd distance between the two start diagonals, the searches
	 * can first meet on a forward step, otherwise on a backward one. */
	const bool odd = ((forward_start - backward_start) & 1) != 0;

	forward[forward_start] = x0;
	backward[backward_start] = x1;
	for (ptrdiff_t cost = 1;; cost++) {
		/* One more edit forward: each reachable diagonal grows by one
		 * on both sides, unless it hits the edge of the box, where it
		 * shrinks to keep the parity. Diagonals just outside get a
		 * value that never wins. */
		if (forward_low > k_min)
			forward[--forward_low - 1] = -1;
		else
			forward_low++;
		if (forward_high < k_max)
			forward[++forward_high + 1] = -1;
		else
			forward_high--;
		for (ptrdiff_t k = forward_high; k >= forward_low; k -= 2) {
			/* Step right (delete) from diagonal k - 1 or down
			 * (insert) from k + 1, whichever gets further, then
			 * follow equal lines. */
			ptrdiff_t from_left = forward[k - 1] + 1, from_above = forward[k + 1];
			ptrdiff_t x = from_left > from_above ? from_left : from_above;
			ptrdiff_t y = x - k;
			while (x < x1 && y < y1 && a[x] == b[y]) {
				x++;
				y++;
			}
			forward[k] = x;
			if (odd && backward_low <= k && k <= backward_high && backward[k] <= x) {
				*split = (struct myers_split){x, y, true, true};
				return;
			}
		}

		/* The same, one edit back from the bottom-right corner. */
		if (backward_low > k_min)
			backward[--backward_low - 1] = PTRDIFF_MAX;
		else
			backward_low++;
		if (backward_high < k_max)
			backward[++backward_high + 1] = PTRDIFF_MAX;
		else
			backward_high--;
		for (ptrdiff_t k = backward_high; k >= backward_low; k -= 2) {
			ptrdiff_t from_right = backward[k + 1] - 1, from_below = backward[k - 1];
			ptrdiff_t x = from_right < from_below ? from_right : from_below;
			ptrdiff_t y = x - k;
			while (x > x0 && y > y0 && a[x - 1] == b[y - 1]) {
				x--;
				y--;
			}
			backward[k] = x;
			if (!odd && forward_low <= k && k <= forward_high && x <= forward[k]) {
				*split = (struct myers_split){x, y, true, true};
				return;
			}
		}

		if (!minimal && cost >= m->cost_limit) {
			myers_give_up(m, x0, x1, y0, y1, forward_low, forward_high, backward_low,
				      backward_high, split);
			return;
		}
	}
}

static void myers_compare(const struct myers *m, ptrdiff_t x0, ptrdiff_t x1, ptrdiff_t y0,
			  ptrdiff_t y1, bool minimal)
{
	for (;;) {
		while (x0 < x1 && y0 < y1 && m->a[x0] == m->b[y0]) {
			x0++;
			y0++;
		}
		while (x0 < x1 && y0 < y1 && m->a[x1 - 1] == m->b[y1 - 1]) {
			x1--;
			y1--;
		}
		if (x0 == x1) {
			for (ptrdiff_t y = y0; y < y1; y++)
				m->b_changed[m->b_line[y]] = true;
			return;
		}
		if (y0 == y1) {
			for (ptrdiff_t x = x0; x < x1; x++)
				m->a_changed[m->a_line[x]] = true;
			return;
		}

		struct myers_split split;
		myers_find_split(m, x0, x1, y0, y1, minimal, &split);
		assert(x0 <= split.x && split.x <= x1 && y0 <= split.y && split.y <= y1);
		assert(split.x - x0 + split.y - y0 > 0 && x1 - split.x + y1 - split.y > 0);

		/* Recurse into the smaller half and loop on the larger: the
		 * stack stays within log2 of the input's size. */
		if (split.x - x0 + split.y - y0 <= x1 - split.x + y1 - split.y) {
			myers_compare(m, x0, split.x, y0, split.y, split.low_minimal);
			x0 = split.x;
			y0 = split.y;
			minimal = split.high_minimal;
		} else {
			myers_compare(m, split.x, x1, split.y, y1, split.high_minimal);
			x1 = split.x;
			y1 = split.y;
			minimal = split.low_minimal;
		}
	}
}

/* About the square root of the input, and never less than COST_LIMIT_MIN:
 * a config diff with thousands of changed lines is still minimal, while an
 * adversarial input cannot make a search run for minutes. */
static ptrdiff_t textdiff_cost_limit(ptrdiff_t diagonals)
{
	ptrdiff_t limit = COST_LIMIT_MIN;
	while (limit < diagonals / limit)
		limit *= 2;
	return limit;
}

static void run_myers(struct textdiff_side *before, struct textdiff_side *after)
{
	size_t diagonals = (size_t)before->kept + (size_t)after->kept + 3;
	cleanup_free ptrdiff_t *vectors = xmalloc(2 * diagonals * sizeof(ptrdiff_t));
	struct myers m = {
	    .a = before->kept_class,
	    .b = after->kept_class,
	    .a_line = before->kept_line,
	    .b_line = after->kept_line,
	    .a_changed = before->changed,
	    .b_changed = after->changed,
	    .forward = vectors + after->kept + 1,
	    .backward = vectors + diagonals + after->kept + 1,
	    .cost_limit = textdiff_cost_limit((ptrdiff_t)diagonals),
	};
	myers_compare(&m, 0, before->kept, 0, after->kept, false);
}

/* Step 5 for one side. Runs of changed lines are slid over equal lines; `j`
 * follows the other side's line paired with `i`, stepping over the other
 * side's changed lines, so we know when a run borders a change there. */
static void shift_runs(struct textdiff_side *side, const struct textdiff_side *other)
{
	bool *changed = side->changed;
	const bool *other_changed = other->changed;
	const ptrdiff_t *equiv = side->equiv;
	const ptrdiff_t lo = side->region_begin, hi = side->region_end;
	ptrdiff_t i = lo, j = other->region_begin;

	for (;;) {
		while (i < hi && !changed[i]) {
			while (other_changed[j])
				j++;
			i++;
			j++;
		}
		if (i == hi)
			return;

		ptrdiff_t start = i, end = i;
		while (changed[end])
			end++;
		while (other_changed[j])
			j++;

		/* Where the run, slid down, last ended next to a change in
		 * the other side; -1 for nowhere. */
		ptrdiff_t bordering;
		ptrdiff_t length;
		do {
			length = end - start;

			/* Up, while the line above equals the run's last one,
			 * swallowing any run met on the way. */
			while (start > lo && equiv[start - 1] == equiv[end - 1]) {
				changed[--start] = true;
				changed[--end] = false;
				while (changed[start - 1])
					start--;
				do
					j--;
				while (other_changed[j]);
			}
			bordering = other_changed[j - 1] ? end : -1;

			/* Then down, while the line below equals the run's
			 * first one: as far as it goes unless a merge made the
			 * run longer, in which case we go round again. */
			while (end < hi && equiv[start] == equiv[end]) {
				changed[start++] = false;
				changed[end++] = true;
				while (changed[end])
					end++;
				j++;
				while (other_changed[j]) {
					bordering = end;
					j++;
				}
			}
		} while (end - start != length);

		/* Back up to the last place the run touched a change in the
		 * other side, so a replaced block prints as one hunk part. */
		while (bordering >= 0 && end > bordering) {
			changed[--start] = true;
			changed[--end] = false;
			do
				j--;
			while (other_changed[j]);
		}
		i = end;
	}
}

struct textdiff_change {
	ptrdiff_t old_line, new_line; /* first line of each, 0-based */
	ptrdiff_t deleted, inserted;
};

static struct textdiff_change *collect_changes(const struct textdiff_side *before,
					       const struct textdiff_side *after, size_t *count)
{
	struct textdiff_change *changes = NULL;
	size_t cap = 0;
	*count = 0;
	ptrdiff_t i = before->region_begin, j = after->region_begin;
	while (i < before->region_end || j < after->region_end) {
		if (!before->changed[i] && !after->changed[j]) {
			i++;
			j++;
			continue;
		}
		struct textdiff_change c = {.old_line = i, .new_line = j};
		while (before->changed[i])
			i++;
		while (after->changed[j])
			j++;
		c.deleted = i - c.old_line;
		c.inserted = j - c.new_line;
		changes = xgrow(changes, &cap, *count + 1, sizeof(*changes));
		changes[(*count)++] = c;
	}
	return changes;
}

static ptrdiff_t unchanged_between(const struct textdiff_change *c,
				   const struct textdiff_change *next)
{
	return next->old_line - (c->old_line + c->deleted);
}

/* "@@ -l,s" as diff writes it: a single line is just "l", and an empty range
 * names the line before it, "l,0" (which is what patch(1) expects). */
static void print_range(struct strbuf *out, ptrdiff_t first, ptrdiff_t last)
{
	if (last < first)
		strbuf_appendf(out, "%td,0", last + 1);
	else if (last == first)
		strbuf_appendf(out, "%td", first + 1);
	else
		strbuf_appendf(out, "%td,%td", first + 1, last - first + 1);
}

static void print_line(struct strbuf *out, const struct textdiff_side *side, ptrdiff_t i, char mark,
		       const char *color)
{
	const char *line = side->text + side->line_start[i];
	size_t len = side_line_length(side, i);
	bool has_newline = line[len - 1] == '\n';
	if (has_newline)
		len--;
	if (color)
		strbuf_puts(out, color);
	strbuf_putc(out, mark);
	strbuf_append(out, line, len);
	if (color)
		strbuf_puts(out, COLOR_RESET);
	strbuf_putc(out, '\n');
	if (!has_newline)
		strbuf_puts(out, "\\ No newline at end of file\n");
}

static void print_hunk(struct strbuf *out, const struct textdiff_side *before,
		       const struct textdiff_side *after, const struct textdiff_change *first,
		       const struct textdiff_change *last, ptrdiff_t context, bool color)
{
	/* Context lines around a hunk are unchanged, so clipping each side at
	 * its own text's ends keeps the two ranges in step. */
	ptrdiff_t old_first = first->old_line - context, new_first = first->new_line - context;
	ptrdiff_t old_last = last->old_line + last->deleted - 1 + context;
	ptrdiff_t new_last = last->new_line + last->inserted - 1 + context;
	old_first = old_first > 0 ? old_first : 0;
	new_first = new_first > 0 ? new_first : 0;
	old_last = old_last < before->lines - 1 ? old_last : before->lines - 1;
	new_last = new_last < after->lines - 1 ? new_last : after->lines - 1;

	if (color)
		strbuf_puts(out, COLOR_HUNK);
	strbuf_puts(out, "@@ -");
	print_range(out, old_first, old_last);
	strbuf_puts(out, " +");
	print_range(out, new_first, new_last);
	strbuf_puts(out, " @@");
	if (color)
		strbuf_puts(out, COLOR_RESET);
	strbuf_putc(out, '\n');

	ptrdiff_t i = old_first, j = new_first;
	for (const struct textdiff_change *c = first; c <= last; c++) {
		for (; i < c->old_line; i++, j++)
			print_line(out, before, i, ' ', NULL);
		for (ptrdiff_t n = 0; n < c->deleted; n++)
			print_line(out, before, i++, '-', color ? COLOR_DELETE : NULL);
		for (ptrdiff_t n = 0; n < c->inserted; n++)
			print_line(out, after, j++, '+', color ? COLOR_INSERT : NULL);
	}
	for (; i <= old_last; i++)
		print_line(out, before, i, ' ', NULL);
}

static void print_header(struct strbuf *out, const char *mark, const char *label, bool color)
{
	if (color)
		strbuf_puts(out, COLOR_HEADER);
	strbuf_appendf(out, "%s %s", mark, label);
	if (color)
		strbuf_puts(out, COLOR_RESET);
	strbuf_putc(out, '\n');
}

bool textdiff_unified(const char *old_text, size_t old_len, const char *new_text, size_t new_len,
		      const char *old_label, const char *new_label, unsigned context, bool color,
		      struct strbuf *out)
{
	if (old_len == new_len && (old_len == 0 || memcmp(old_text, new_text, old_len) == 0))
		return false;

	struct textdiff_side before = {0}, after = {0};
	side_split_lines(&before, old_text, old_len);
	side_split_lines(&after, new_text, new_len);

	/* A context wider than either text is the same as an endless one,
	 * and keeps the arithmetic below far from overflowing. */
	ptrdiff_t widest = before.lines > after.lines ? before.lines : after.lines;
	ptrdiff_t ctx = (uintmax_t)context <= (uintmax_t)widest ? (ptrdiff_t)context : widest + 1;

	find_region(&before, &after, ctx);
	ptrdiff_t class_count = classify_lines(&before, &after);
	discard_unmatched(&before, &after, class_count);
	run_myers(&before, &after);
	shift_runs(&before, &after);
	shift_runs(&after, &before);

	size_t count;
	cleanup_free struct textdiff_change *changes = collect_changes(&before, &after, &count);
	/* Texts that differ always differ in some line. */
	assert(count > 0);

	print_header(out, "---", old_label, color);
	print_header(out, "+++", new_label, color);
	/* A hunk takes in the next change while no more than 2 * context
	 * unchanged lines separate them: their contexts touch or overlap. */
	for (size_t h = 0; h < count;) {
		size_t last = h;
		while (last + 1 < count &&
		       unchanged_between(&changes[last], &changes[last + 1]) <= 2 * ctx)
			last++;
		print_hunk(out, &before, &after, &changes[h], &changes[last], ctx, color);
		h = last + 1;
	}

	side_free(&before);
	side_free(&after);
	return true;
}
