/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests of src/util.c: the allocators with the arena off and on (each
 * criterion test runs in a process of its own, so one that starts the arena
 * keeps it to itself), the growable buffer and the formatted strings. */
#include <criterion/criterion.h>

#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "util.h"

/* Start the arena, or skip the test where it never starts: under
 * AddressSanitizer every block is malloc's, and the arena's promises are
 * not there to check. */
static void start_arena(void)
{
	if (!alloc_arena_begin())
		cr_skip_test("the arena never starts under AddressSanitizer");
}

Test(util, without_the_arena_blocks_are_mallocs)
{
	char *p = xstrdup("hello");
	cr_assert_not(alloc_arena_holds(p));
	cr_assert_str_eq(p, "hello");
	xfree(p);
}

Test(util, arena_blocks_are_aligned_and_kept_apart)
{
	start_arena();
	char *blocks[1000];
	for (size_t i = 0; i < 1000; i++) {
		blocks[i] = xmalloc(i % 97 + 1);
		cr_assert(alloc_arena_holds(blocks[i]));
		cr_assert_eq((uintptr_t)blocks[i] % 16, 0, "block %zu is not aligned", i);
		memset(blocks[i], (int)(i & 0xff), i % 97 + 1);
	}
	for (size_t i = 0; i < 1000; i++)
		for (size_t k = 0; k < i % 97 + 1; k++)
			cr_assert_eq((unsigned char)blocks[i][k], i & 0xff,
				     "block %zu was written over", i);
	for (size_t i = 0; i < 1000; i++)
		xfree(blocks[i]); /* nothing to do, and no crash */
}

Test(util, arena_survives_many_chunks)
{
	start_arena();
	/* Several megabytes in blocks just under the arena's largest. */
	char *first = xmalloc(16000);
	memset(first, 'a', 16000);
	for (size_t i = 0; i < 1000; i++)
		memset(xmalloc(16000), 'b', 16000);
	for (size_t k = 0; k < 16000; k++)
		cr_assert_eq(first[k], 'a');
}

Test(util, arena_realloc_keeps_contents)
{
	start_arena();
	/* The last block grows in place; an older one moves. */
	char *older = xstrdup("older");
	char *last = xstrdup("last");
	char *grown = xrealloc(last, 1000);
	cr_assert_eq(grown, last, "the last block grows in place");
	cr_assert_str_eq(grown, "last");
	char *moved = xrealloc(older, 1000);
	cr_assert_str_eq(moved, "older");
	cr_assert_str_eq(grown, "last", "moving a block leaves the others alone");
	/* Past the arena's largest block: from malloc, contents kept. */
	memset(moved + 6, 'x', 994);
	char *large = xrealloc(moved, 1 << 20);
	cr_assert_not(alloc_arena_holds(large));
	cr_assert_str_eq(large, "older");
	cr_assert_eq(large[999], 'x');
	large = xrealloc(large, 2 << 20);
	cr_assert_eq(large[999], 'x');
	xfree(large);
}

Test(util, arena_blocks_grown_in_place_past_the_present_pages_keep_their_contents)
{
	start_arena();
	/* Several megabytes, each block the last cut and grown in place past
	 * how far the chunk's pages were made present. */
	for (size_t i = 0; i < 400; i++) {
		char *p = xmalloc(16);
		memset(p, 'c', 16);
		p = xrealloc(p, 16000);
		cr_assert(alloc_arena_holds(p));
		cr_assert_eq(p[15], 'c', "block %zu lost its contents", i);
		memset(p + 16, 'd', 16000 - 16);
		cr_assert_eq(p[15999], 'd');
	}
}

Test(util, memory_made_present_keeps_what_it_holds)
{
	/* Unaligned at both ends, and empty: the bytes stay as they were. */
	char *p = malloc(3 << 20);
	cr_assert_not_null(p);
	memset(p, 'm', 3 << 20);
	memory_make_present(p + 100, (2 << 20) + 7);
	memory_make_present(p, 0);
	for (size_t i = 0; i < (3 << 20); i += 4093)
		cr_assert_eq(p[i], 'm');
	free(p);
}

Test(util, arena_calloc_is_zeroed)
{
	start_arena();
	/* Dirty some arena memory, then ask for zeroed memory after it. */
	memset(xmalloc(4096), 0xff, 4096);
	unsigned char *z = xcalloc(512, 8);
	cr_assert(alloc_arena_holds(z));
	for (size_t i = 0; i < 4096; i++)
		cr_assert_eq(z[i], 0);
	/* A product that does not fit is malloc's to refuse, not ours to wrap. */
	unsigned char *big = xcalloc(1 << 20, 4);
	cr_assert_not(alloc_arena_holds(big));
	cr_assert_eq(big[(4 << 20) - 1], 0);
	xfree(big);
}

Test(util, large_blocks_come_from_malloc)
{
	start_arena();
	char *large = xmalloc(1 << 20);
	cr_assert_not(alloc_arena_holds(large));
	xfree(large);
}

Test(util, strbuf_and_formatting_with_the_arena)
{
	start_arena();
	struct strbuf sb = {0};
	for (int i = 0; i < 10000; i++)
		strbuf_appendf(&sb, "%d,", i % 10);
	cr_assert_eq(sb.len, 20000);
	cr_assert_eq(strncmp(sb.buf, "0,1,2,3,", 8), 0);
	cr_assert_eq(strcmp(sb.buf + 19992, "6,7,8,9,"), 0);
	strbuf_free(&sb);
	/* Longer than the stack buffer xvasprintf tries first. */
	char long_arg[1000];
	memset(long_arg, 'q', sizeof(long_arg) - 1);
	long_arg[sizeof(long_arg) - 1] = '\0';
	char *s = xasprintf("<%s>%d", long_arg, 42);
	cr_assert_eq(strlen(s), 1003);
	cr_assert_eq(s[0], '<');
	cr_assert_str_eq(s + 1000, ">42");
	xfree(s);
	char *cut = xstrndup("abcdef", 3);
	cr_assert_str_eq(cut, "abc");
	cr_assert_str_eq(xstrndup("ab", 10), "ab");
}

/* The timestamp written by hand is strftime's, for every day of four
 * centuries around the epoch (leap days, 1900 and 2100 not leap, 2000 leap)
 * and at the ends of the four-digit years, where it hands over to strftime. */
Test(util, utc_timestamp_is_what_strftime_writes)
{
	static const int64_t moments[] = {
	    0,
	    -1,
	    59,
	    86399,
	    86400,
	    951782400,
	    951868799,
	    4107542400,
	    -2203891200,
	    253402300799,
	    253402300800,
	    -62135596800,
	    -62135596801,
	    1790000000,
	};
	char ours[UTC_TIMESTAMP_SIZE], theirs[64];
	struct tm tm;
	for (size_t i = 0; i < ARRAY_SIZE(moments); i++) {
		time_t t = (time_t)moments[i];
		utc_timestamp(t, ours);
		gmtime_r(&t, &tm);
		strftime(theirs, sizeof(theirs), "%Y-%m-%dT%H:%M:%S", &tm);
		cr_assert_str_eq(ours, theirs, "at %lld", (long long)moments[i]);
	}
	for (int64_t t = -200LL * 366 * 86400; t < 200LL * 366 * 86400; t += 86400 - 1) {
		utc_timestamp((time_t)t, ours);
		time_t tt = (time_t)t;
		gmtime_r(&tt, &tm);
		strftime(theirs, sizeof(theirs), "%Y-%m-%dT%H:%M:%S", &tm);
		cr_assert_str_eq(ours, theirs, "at %lld", (long long)t);
	}
}

/* xasprintf formats the common conversions itself and hands the rest to
 * vsnprintf: either way, what snprintf writes. */
#define EXPECT_AS_SNPRINTF(...)                                                                    \
	do {                                                                                       \
		char expected[2048];                                                               \
		snprintf(expected, sizeof(expected), __VA_ARGS__);                                 \
		char *got = xasprintf(__VA_ARGS__);                                                \
		cr_assert_str_eq(got, expected);                                                   \
		xfree(got);                                                                        \
	} while (0)

Test(util, xasprintf_writes_what_snprintf_writes)
{
	char long_arg[1100];
	memset(long_arg, 'z', sizeof(long_arg) - 1);
	long_arg[sizeof(long_arg) - 1] = '\0';
	/* volatile: the compiler would refuse a constant NULL for %s */
	const char *volatile nothing = NULL;
	EXPECT_AS_SNPRINTF("plain text");
	EXPECT_AS_SNPRINTF("%s", "");
	EXPECT_AS_SNPRINTF("%s.%s", "mounts[2]", "options");
	EXPECT_AS_SNPRINTF("mounts[%zu].options[%zu]", (size_t)0, SIZE_MAX);
	EXPECT_AS_SNPRINTF("%d %d %d %d", 0, -1, INT_MAX, INT_MIN);
	EXPECT_AS_SNPRINTF("%u %u", 0u, UINT_MAX);
	EXPECT_AS_SNPRINTF("%ld %ld %lu", LONG_MIN, LONG_MAX, ULONG_MAX);
	EXPECT_AS_SNPRINTF("%lld %lld %llu", LLONG_MIN, LLONG_MAX, ULLONG_MAX);
	EXPECT_AS_SNPRINTF("100%% of %c%c", 'o', 'k');
	EXPECT_AS_SNPRINTF("<%s>", nothing);
	EXPECT_AS_SNPRINTF("%s|%s", long_arg, "after"); /* past the short buffer */
	EXPECT_AS_SNPRINTF("%.3s|%5d|%-4s|%x|%02u", "abcdef", 42, "a", 255u, 7u);
	EXPECT_AS_SNPRINTF("%s %zd %ls", "then vsnprintf", (ssize_t)-3, L"w");
	EXPECT_AS_SNPRINTF("%d then %x", 1, 0xabu);
	/* Results at the edges of the buffer on the stack: 255 and 256 bytes
	 * (its size once), then 1023 and 1024 (its size now). */
	long_arg[255] = '\0';
	EXPECT_AS_SNPRINTF("%s", long_arg);
	long_arg[255] = 'z';
	long_arg[256] = '\0';
	EXPECT_AS_SNPRINTF("%s", long_arg);
	long_arg[254] = '\0';
	EXPECT_AS_SNPRINTF("%s%c", long_arg, 'q');
	memset(long_arg, 'y', sizeof(long_arg) - 1);
	long_arg[1022] = '\0';
	EXPECT_AS_SNPRINTF("%s.", long_arg);
	long_arg[1022] = 'y';
	long_arg[1023] = '\0';
	EXPECT_AS_SNPRINTF("%s.", long_arg);
	long_arg[1023] = 'y';
	EXPECT_AS_SNPRINTF("%s", long_arg);
	/* "%s" alone is copied, NULL as glibc prints it. */
	EXPECT_AS_SNPRINTF("%s", nothing);
	EXPECT_AS_SNPRINTF("%s ", nothing);
}

Test(util, xstrcat_index_writes_the_path_of_an_item)
{
	char expected[64];
	const size_t indexes[] = {0, 7, 10, 123, SIZE_MAX};
	for (size_t i = 0; i < ARRAY_SIZE(indexes); i++) {
		char *got = xstrcat_index("mounts", "", indexes[i]);
		snprintf(expected, sizeof(expected), "mounts[%zu]", indexes[i]);
		cr_expect_str_eq(got, expected);
		xfree(got);
		got = xstrcat_index("mounts[2]", ".options", indexes[i]);
		snprintf(expected, sizeof(expected), "mounts[2].options[%zu]", indexes[i]);
		cr_expect_str_eq(got, expected);
		xfree(got);
	}
	char *got = xstrcat_index("", "", 5);
	cr_expect_str_eq(got, "[5]");
	xfree(got);
}

/* What Go's filepath.Clean leaves as it is, and what it would change. */
Test(util, path_is_clean_as_go_would_leave_it)
{
	static const char *const clean[] = {
	    "/", "/run", "/run/containerd/runc/k8s.io", "/a/.b/..c/...", "/a.", "/a.."};
	static const char *const unclean[] = {"",	 "run",	   "//",      "/run/",
					      "/run//x", "/./run", "/run/.",  "/run/..",
					      "/../run", "/a/./b", "/a/../b", "./a"};
	for (size_t i = 0; i < ARRAY_SIZE(clean); i++)
		cr_assert(path_is_clean(clean[i]), "%s", clean[i]);
	for (size_t i = 0; i < ARRAY_SIZE(unclean); i++)
		cr_assert(!path_is_clean(unclean[i]), "%s", unclean[i]);
}
