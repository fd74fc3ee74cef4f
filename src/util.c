/* SPDX-License-Identifier: Apache-2.0 */
#include "util.h"

#include <malloc.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

/* Nothing is written: the core does no I/O, and containerd reports the
 * runtime's death by SIGABRT all the same. */
static void die_out_of_memory(void)
{
	abort();
}

/* ------------------------------------------------------------------------ */
/* Memory                                                                    */

void memory_make_present(void *start, size_t len)
{
	static uintptr_t page;
	if (!page) {
		long size = sysconf(_SC_PAGESIZE);
		page = size > 0 ? (uintptr_t)size : 4096;
	}
	/* Every page holding a byte of the range is mapped: it is ours. */
	uintptr_t from = (uintptr_t)start & ~(page - 1);
	uintptr_t to = ((uintptr_t)start + len + page - 1) & ~(page - 1);
	/* Linux 5.14. Where it is refused, the pages fault in as they are
	 * touched, as they would have. */
	if (len)
		(void)madvise((void *)from, to - from, MADV_POPULATE_WRITE);
}

/* ------------------------------------------------------------------------ */
/* The arena                                                                 */

/* A create allocates a few thousand small blocks (the nodes of the config's
 * tree and of the policy's, the decisions, their paths and reasons) and
 * frees almost none of them before execv releases the whole address space.
 * glibc's malloc, in a process that has freed nothing yet, takes its
 * general path for each: a fifth of a create's instructions. Once
 * alloc_arena_begin() is called, a small block is cut from a large chunk
 * instead (a pointer bumped), xfree of it does nothing, and xrealloc of the
 * last one cut grows it in place. Large blocks (the text of a config, the
 * document written back) still come from malloc, whose free gives them back.
 * The chunks stay reachable from `arena`: nothing is lost for a leak
 * checker. oci-harden is single-threaded; so is the arena. Under
 * AddressSanitizer it never starts, so that every block keeps its own red
 * zones and every xfree its check. */
#if defined(__SANITIZE_ADDRESS__)
#define ALLOC_ARENA_USABLE 0
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define ALLOC_ARENA_USABLE 0
#endif
#endif
#ifndef ALLOC_ARENA_USABLE
#define ALLOC_ARENA_USABLE 1
#endif

#define ARENA_BLOCK_MAX	    ALLOC_ARENA_BLOCK_MAX
#define ARENA_CHUNK_FIRST   ((size_t)64 << 10)
#define ARENA_CHUNK_LARGEST ((size_t)4 << 20)
/* 64 chunks of at most 4 MiB: past a quarter of a gigabyte, malloc again. */
#define ARENA_CHUNKS_MAX 64
#define ARENA_ALIGN	 ALLOC_ARENA_ALIGN
/* Blocks up to this size come from malloc's heap, not a mapping of their
 * own: the most mallopt(3) allows, and twice the largest config
 * (BUNDLE_CONFIG_MAX_BYTES). */
#define ARENA_LARGE_FROM_HEAP_MAX (32 << 20)
/* How far ahead of the cursor a chunk's pages are made present, see
 * arena_reach. */
#define ARENA_PRESENT_STEP ((size_t)128 << 10)

/* Each block is preceded by its size, for xrealloc. */
struct arena_header {
	size_t size;
};
_Static_assert(sizeof(struct arena_header) == ALLOC_ARENA_HEADER, "util.h's header size");

/* The newest chunk's free part, which xmalloc and xfree look at inline. */
struct alloc_arena_cursor alloc_arena_cursor;

static struct {
	bool on;
	struct {
		char *start, *end;
	} chunks[ARENA_CHUNKS_MAX];
	size_t chunks_len;
} arena;

bool alloc_arena_begin(void)
{
	arena.on = ALLOC_ARENA_USABLE;
	if (arena.on) {
		/* The large blocks malloc still serves are mostly temporary:
		 * a document written, a list copied. glibc maps each of
		 * 128 KiB or more on its own and unmaps it when freed, so the
		 * next one faults in fresh pages, one fault per page (a 1 MB
		 * config: a few hundred). Taken from the heap and kept there
		 * (nothing is trimmed back: execv releases it all), a freed
		 * block's pages serve the next large block. */
		mallopt(M_MMAP_THRESHOLD, ARENA_LARGE_FROM_HEAP_MAX);
		mallopt(M_TRIM_THRESHOLD, ARENA_LARGE_FROM_HEAP_MAX);
	}
	return arena.on;
}

bool alloc_arena_holds(const void *p)
{
	const char *c = p;
	for (size_t i = arena.chunks_len; i-- > 0;)
		if (c >= arena.chunks[i].start && c < arena.chunks[i].end)
			return true;
	return false;
}

static bool arena_new_chunk(size_t need)
{
	if (arena.chunks_len == ARENA_CHUNKS_MAX)
		return false;
	size_t size = ARENA_CHUNK_FIRST << (arena.chunks_len < 6 ? arena.chunks_len : 6);
	if (size > ARENA_CHUNK_LARGEST)
		size = ARENA_CHUNK_LARGEST;
	if (size < need + ARENA_ALIGN)
		size = need + ARENA_ALIGN;
	char *chunk = malloc(size);
	if (!chunk)
		die_out_of_memory();
	arena.chunks[arena.chunks_len].start = chunk;
	arena.chunks[arena.chunks_len].end = chunk + size;
	arena.chunks_len++;
	alloc_arena_cursor.chunk = chunk;
	alloc_arena_cursor.next = chunk;
	/* Nothing of it is present yet: arena_reach moves the limit. */
	alloc_arena_cursor.limit = chunk;
	return true;
}

/* Whether the newest chunk reaches `end`. The cursor's limit is how far its
 * pages were made present: past it, the next step of pages is made present
 * at once rather than faulted in one by one as blocks are cut (a create on
 * a 1 MB config cuts some 4 MB). */
static bool arena_reach(uintptr_t end)
{
	if (!arena.chunks_len)
		return false;
	uintptr_t chunk_end = (uintptr_t)arena.chunks[arena.chunks_len - 1].end;
	uintptr_t limit = (uintptr_t)alloc_arena_cursor.limit;
	if (end > chunk_end)
		return false;
	if (end <= limit)
		return true;
	uintptr_t to = chunk_end - end > ARENA_PRESENT_STEP ? end + ARENA_PRESENT_STEP : chunk_end;
	memory_make_present(alloc_arena_cursor.limit, to - limit);
	alloc_arena_cursor.limit = (char *)to;
	return true;
}

/* A block of `size` bytes, aligned as malloc's, or NULL when the arena is
 * off, the block large, or the arena full. */
static inline void *arena_alloc(size_t size)
{
	if (!arena.on || size > ARENA_BLOCK_MAX)
		return NULL;
	for (;;) {
		uintptr_t at = ((uintptr_t)alloc_arena_cursor.next + sizeof(struct arena_header) +
				ARENA_ALIGN - 1) &
			       ~(uintptr_t)(ARENA_ALIGN - 1);
		if (alloc_arena_cursor.next && at + size <= (uintptr_t)alloc_arena_cursor.limit) {
			char *block = (char *)at;
			((struct arena_header *)block - 1)->size = size;
			alloc_arena_cursor.next = block + size;
			alloc_arena_cursor.last = block;
			return block;
		}
		if (alloc_arena_cursor.next && arena_reach(at + size))
			continue;
		if (!arena_new_chunk(size + sizeof(struct arena_header)))
			return NULL;
	}
}

static void *arena_realloc(char *block, size_t size)
{
	size_t old = ((struct arena_header *)block - 1)->size;
	if (size <= old)
		return block;
	if (block == alloc_arena_cursor.last && size <= ARENA_BLOCK_MAX &&
	    arena_reach((uintptr_t)block + size)) {
		((struct arena_header *)block - 1)->size = size;
		alloc_arena_cursor.next = block + size;
		return block;
	}
	void *moved = arena_alloc(size);
	if (!moved) {
		moved = malloc(size);
		if (!moved)
			die_out_of_memory();
	}
	memcpy(moved, block, old);
	return moved;
}

void xfree_outside_newest_chunk(void *p)
{
	if (p && arena.chunks_len && alloc_arena_holds(p))
		return;
	free(p);
}

/* ------------------------------------------------------------------------ */
/* Allocation                                                                */

void *xmalloc_slow(size_t size)
{
	void *p = arena_alloc(size);
	if (p)
		return p;
	p = malloc(size ? size : 1);
	if (!p)
		die_out_of_memory();
	return p;
}

void *xcalloc(size_t nmemb, size_t size)
{
	if (arena.on && nmemb && size <= ARENA_BLOCK_MAX / nmemb) {
		void *p = arena_alloc(nmemb * size);
		if (p)
			return memset(p, 0, nmemb * size);
	}
	void *p = calloc(nmemb ? nmemb : 1, size ? size : 1);
	if (!p)
		die_out_of_memory();
	return p;
}

void *xrealloc(void *ptr, size_t size)
{
	if (ptr && arena.chunks_len && alloc_arena_holds(ptr))
		return arena_realloc(ptr, size);
	if (!ptr)
		return xmalloc(size);
	void *p = realloc(ptr, size ? size : 1);
	if (!p)
		die_out_of_memory();
	return p;
}

char *xstrdup(const char *s)
{
	size_t n = strlen(s);
	char *p = xmalloc(n + 1);
	return memcpy(p, s, n + 1);
}

char *xstrndup(const char *s, size_t n)
{
	n = strnlen(s, n);
	char *p = xmalloc(n + 1);
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *format_decimal(char *end, unsigned long long magnitude, bool negative)
{
	char *p = end;
	do {
		*--p = (char)('0' + magnitude % 10);
		magnitude /= 10;
	} while (magnitude);
	if (negative)
		*--p = '-';
	return p;
}

/* `fmt` formatted into `buf` as vsnprintf would, for the conversions the
 * program formats most (%s, %c, %d, %u, with l, ll or z, and %%): glibc's
 * vsnprintf costs some 900 instructions a call, a tenth of a create. False,
 * with `ap` partly read, where `fmt` has anything else (a width, a
 * precision, %x, %p) or the text would not fit: vsnprintf does it then. */
static bool format_short(char *buf, size_t size, size_t *len, const char *fmt, va_list ap)
{
	size_t n = 0;
	for (const char *f = fmt; *f; f++) {
		const char *piece;
		size_t piece_len;
		char digits[24];
		if (*f != '%') {
			const char *next = strchrnul(f, '%');
			piece = f;
			piece_len = (size_t)(next - f);
			f = next - 1;
		} else {
			f++;
			int longs = 0;
			bool size_t_arg = false;
			if (*f == 'z') {
				size_t_arg = true;
				f++;
			} else {
				while (*f == 'l' && longs < 2) {
					longs++;
					f++;
				}
			}
			char conversion = *f;
			if (size_t_arg && conversion != 'u')
				return false;
			if (longs && conversion != 'd' && conversion != 'u')
				return false;
			switch (conversion) {
			case '%':
				piece = "%";
				piece_len = 1;
				break;
			case 's':
				piece = va_arg(ap, const char *);
				if (!piece)
					piece = "(null)"; /* as glibc prints it */
				piece_len = strlen(piece);
				break;
			case 'c':
				digits[0] = (char)va_arg(ap, int);
				piece = digits;
				piece_len = 1;
				break;
			case 'd': {
				long long v = longs == 2   ? va_arg(ap, long long)
					      : longs == 1 ? va_arg(ap, long)
							   : va_arg(ap, int);
				unsigned long long magnitude =
				    v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;
				piece = format_decimal(digits + sizeof(digits), magnitude, v < 0);
				piece_len = (size_t)(digits + sizeof(digits) - piece);
				break;
			}
			case 'u': {
				unsigned long long v = size_t_arg   ? va_arg(ap, size_t)
						       : longs == 2 ? va_arg(ap, unsigned long long)
						       : longs == 1 ? va_arg(ap, unsigned long)
								    : va_arg(ap, unsigned int);
				piece = format_decimal(digits + sizeof(digits), v, false);
				piece_len = (size_t)(digits + sizeof(digits) - piece);
				break;
			}
			default:
				return false;
			}
		}
		if (piece_len >= size - n)
			return false;
		memcpy(buf + n, piece, piece_len);
		n += piece_len;
	}
	buf[n] = '\0';
	*len = n;
	return true;
}

/* Formatted into a buffer on the stack first: nearly every message fits,
 * and then it costs one vsnprintf and one block of the right size. */
char *xvasprintf(const char *fmt, va_list ap)
{
	/* "%s" alone (a reason made elsewhere, handed on) is a copy. */
	if (fmt[0] == '%' && fmt[1] == 's' && fmt[2] == '\0') {
		va_list copy;
		va_copy(copy, ap);
		const char *s = va_arg(copy, const char *);
		va_end(copy);
		return xstrdup(s ? s : "(null)"); /* as glibc prints it */
	}
	/* Room for the longest reasons of a create (the drift lock's run
	 * past 300 bytes): vsnprintf, twice, for one of them cost more than
	 * the rest of its decision. */
	char buf[1024];
	size_t len;
	va_list first;
	va_copy(first, ap);
	bool done = format_short(buf, sizeof(buf), &len, fmt, first);
	va_end(first);
	if (done) {
		char *p = xmalloc(len + 1);
		memcpy(p, buf, len + 1);
		return p;
	}
	va_list again;
	va_copy(again, ap);
	int n = vsnprintf(buf, sizeof(buf), fmt, ap);
	if (n < 0)
		die_out_of_memory();
	char *p = xmalloc((size_t)n + 1);
	if ((size_t)n < sizeof(buf))
		memcpy(p, buf, (size_t)n + 1);
	else
		vsnprintf(p, (size_t)n + 1, fmt, again);
	va_end(again);
	return p;
}

char *xasprintf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *p = xvasprintf(fmt, ap);
	va_end(ap);
	return p;
}

void *xgrow_beyond(void *ptr, size_t *cap, size_t need, size_t size)
{
	/* A buffer of bytes starts at 64: most hold a path or a reason, and
	 * each doubling from 8 was a copy. */
	size_t new_cap = *cap ? *cap : size == 1 ? 64 : 8;
	while (new_cap < need) {
		if (new_cap > SIZE_MAX / 2)
			die_out_of_memory();
		new_cap *= 2;
	}
	if (new_cap > SIZE_MAX / size)
		die_out_of_memory();
	*cap = new_cap;
	return xrealloc(ptr, new_cap * size);
}

void strbuf_grow(struct strbuf *sb, size_t len)
{
	if (len > SIZE_MAX - sb->len - 1)
		die_out_of_memory();
	sb->buf = xgrow(sb->buf, &sb->cap, sb->len + len + 1, 1);
}

void strbuf_put_decimal(struct strbuf *sb, uint64_t n)
{
	char digits[FORMAT_DECIMAL_MAX], *end = digits + sizeof(digits);
	const char *start = format_decimal(end, n, false);
	strbuf_append(sb, start, (size_t)(end - start));
}

void strbuf_appendf(struct strbuf *sb, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	cleanup_free char *s = xvasprintf(fmt, ap);
	va_end(ap);
	strbuf_puts(sb, s);
}

char *strbuf_steal(struct strbuf *sb)
{
	char *s = sb->buf ? sb->buf : xstrdup("");
	sb->buf = NULL;
	sb->len = sb->cap = 0;
	return s;
}

void strbuf_free(struct strbuf *sb)
{
	xfree(sb->buf);
	sb->buf = NULL;
	sb->len = sb->cap = 0;
}

char *xstrcat3(const char *a, const char *b, const char *c)
{
	size_t la = strlen(a), lb = strlen(b), lc = strlen(c);
	char *s = xmalloc(la + lb + lc + 1);
	memcpy(s, a, la);
	memcpy(s + la, b, lb);
	memcpy(s + la + lb, c, lc + 1);
	return s;
}

char *xstrcat_index(const char *a, const char *b, size_t index)
{
	char digits[FORMAT_DECIMAL_MAX], *end = digits + sizeof(digits);
	const char *start = format_decimal(end, index, false);
	size_t la = strlen(a), lb = strlen(b), ld = (size_t)(end - start);
	char *s = xmalloc(la + lb + ld + 3);
	memcpy(s, a, la);
	memcpy(s + la, b, lb);
	s[la + lb] = '[';
	memcpy(s + la + lb + 1, start, ld);
	s[la + lb + 1 + ld] = ']';
	s[la + lb + ld + 2] = '\0';
	return s;
}

bool path_is_clean(const char *path)
{
	if (path[0] != '/' || path[1] == '\0')
		return path[0] == '/';
	/* From one '/' to the next: strchr skips a 64-byte id faster than a
	 * loop over its bytes. */
	for (const char *p = path; p; p = strchr(p + 1, '/')) {
		if (p[1] == '/' || p[1] == '\0')
			return false;
		if (p[1] == '.' &&
		    (p[2] == '/' || p[2] == '\0' || (p[2] == '.' && (p[3] == '/' || p[3] == '\0'))))
			return false;
	}
	return true;
}

char *path_join(const char *dir, const char *name)
{
	size_t n = strlen(dir);
	if (n == 0)
		return xstrdup(name);
	return xstrcat3(dir, dir[n - 1] == '/' ? "" : "/", name);
}

void string_list_add(struct string_list *list, const char *s)
{
	list->items = xgrow(list->items, &list->cap, list->len + 1, sizeof(char *));
	list->items[list->len++] = xstrdup(s);
}

void string_list_take(struct string_list *list, char *s)
{
	list->items = xgrow(list->items, &list->cap, list->len + 1, sizeof(char *));
	list->items[list->len++] = s;
}

bool string_list_contains(const struct string_list *list, const char *s)
{
	for (size_t i = 0; i < list->len; i++)
		if (strcmp(list->items[i], s) == 0)
			return true;
	return false;
}

void string_list_clear(struct string_list *list)
{
	for (size_t i = 0; i < list->len; i++)
		xfree(list->items[i]);
	xfree(list->items);
	list->items = NULL;
	list->len = list->cap = 0;
}

/* By hand: gmtime_r and strftime both read the time zone files (tzset) the
 * first time they run in a process, which a create does only for this. */
void utc_timestamp(time_t t, char out[UTC_TIMESTAMP_SIZE])
{
	int64_t days = (int64_t)t / 86400, secs = (int64_t)t % 86400;
	if (secs < 0) {
		secs += 86400;
		days--;
	}
	/* The proleptic Gregorian calendar from days since 1970-01-01, in eras
	 * of 400 years (H. Hinnant, "chrono-compatible low-level date
	 * algorithms", civil_from_days). */
	int64_t z = days + 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	int64_t doe = z - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153;
	int64_t day = doy - (153 * mp + 2) / 5 + 1;
	int64_t month = mp < 10 ? mp + 3 : mp - 9;
	int64_t year = yoe + era * 400 + (month <= 2);
	if (year < 1000 || year > 9999) {
		/* strftime's %Y for a year of another width. */
		struct tm tm;
		gmtime_r(&t, &tm);
		strftime(out, UTC_TIMESTAMP_SIZE, "%Y-%m-%dT%H:%M:%S", &tm);
		return;
	}
	int64_t fields[] = {year, month, day, secs / 3600, secs / 60 % 60, secs % 60};
	static const char separators[] = "--T::";
	char *p = out;
	for (size_t i = 0; i < ARRAY_SIZE(fields); i++) {
		int width = i == 0 ? 4 : 2;
		for (int k = width - 1; k >= 0; k--) {
			p[k] = (char)('0' + fields[i] % 10);
			fields[i] /= 10;
		}
		p += width;
		if (i < ARRAY_SIZE(fields) - 1)
			*p++ = separators[i];
	}
	*p = '\0';
}
