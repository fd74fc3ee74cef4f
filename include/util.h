/* SPDX-License-Identifier: Apache-2.0 */
/* The few helpers every file uses: allocation that cannot fail silently,
 * cleanup attributes that make ownership visible, and a growable buffer. */
#ifndef OCI_HARDEN_UTIL_H
#define OCI_HARDEN_UTIL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define _cleanup_(f)  __attribute__((cleanup(f)))
#define cleanup_free  _cleanup_(cleanup_freep)
#define cleanup_close _cleanup_(cleanup_closep)

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* The arena (util.c): the free part of its newest chunk, for the inline
 * paths of xmalloc and xfree below. A create makes and frees some thousand
 * blocks: the call of each was a sixth of its cost. */
#define ALLOC_ARENA_BLOCK_MAX ((size_t)16 << 10) /* larger blocks come from malloc */
#define ALLOC_ARENA_ALIGN     16
#define ALLOC_ARENA_HEADER    sizeof(size_t) /* each block's size, before it */
struct alloc_arena_cursor {
	char *chunk;	    /* the newest chunk, or NULL */
	char *next, *limit; /* its free part */
	char *last;	    /* the block cut last, which may grow in place */
};
extern struct alloc_arena_cursor alloc_arena_cursor;
void *xmalloc_slow(size_t size);
/* Make the pages of `len` bytes at `start`, memory this process allocated,
 * present and writable at once (madvise MADV_POPULATE_WRITE): one system
 * call, where touching them one by one takes a page fault each, which costs
 * about twice as much per page. */
void memory_make_present(void *start, size_t len);
void xfree_outside_newest_chunk(void *p);

static inline void xfree(void *p)
{
	/* A block of the newest chunk: released with the process. */
	if ((uintptr_t)p - (uintptr_t)alloc_arena_cursor.chunk <
	    (uintptr_t)alloc_arena_cursor.limit - (uintptr_t)alloc_arena_cursor.chunk)
		return;
	xfree_outside_newest_chunk(p);
}
static inline void cleanup_freep(void *p)
{
	xfree(*(void **)p);
}
static inline void cleanup_closep(int *fd)
{
	if (*fd >= 0)
		close(*fd);
}

/* Take ownership out of a cleanup variable. */
#define steal_pointer(pp)                                                                          \
	({                                                                                         \
		__typeof__(*(pp)) steal_tmp_ = *(pp);                                              \
		*(pp) = NULL;                                                                      \
		steal_tmp_;                                                                        \
	})

/* Out of memory is not an error we can report usefully to containerd: the
 * x* allocators abort, which fails the create closed. */
static inline void *xmalloc(size_t size)
{
	struct alloc_arena_cursor *a = &alloc_arena_cursor;
	uintptr_t at = ((uintptr_t)a->next + ALLOC_ARENA_HEADER + ALLOC_ARENA_ALIGN - 1) &
		       ~(uintptr_t)(ALLOC_ARENA_ALIGN - 1);
	if (a->next && size <= ALLOC_ARENA_BLOCK_MAX && at + size <= (uintptr_t)a->limit) {
		char *block = (char *)at;
		*(size_t *)(block - ALLOC_ARENA_HEADER) = size;
		a->next = block + size;
		a->last = block;
		return block;
	}
	return xmalloc_slow(size);
}
void *xcalloc(size_t nmemb, size_t size);
void *xrealloc(void *ptr, size_t size);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
char *xvasprintf(const char *fmt, va_list ap) __attribute__((format(printf, 1, 0)));

/* Free what the x* allocators gave, or anything malloc gave: with the arena
 * on, a block cut from it is released only with the process. Every free in
 * oci-harden is xfree (tests/layering.sh checks). */
/* (declared above, for cleanup_free) */

/* From now on, small blocks come from one arena that is never given back
 * (util.c says why): for a process that ends in execv, as a create does.
 * False where it never starts (under AddressSanitizer). */
bool alloc_arena_begin(void);
/* Whether `p` lies in the arena (for tests). */
bool alloc_arena_holds(const void *p);

/* Grow an array of element size `size` so that it holds at least `need`.
 * Inline where it has room already, as it mostly has (an append). */
void *xgrow_beyond(void *ptr, size_t *cap, size_t need, size_t size);
static inline void *xgrow(void *ptr, size_t *cap, size_t need, size_t size)
{
	return need <= *cap ? ptr : xgrow_beyond(ptr, cap, need, size);
}

struct strbuf {
	char *buf; /* always NUL-terminated once anything was appended */
	size_t len;
	size_t cap;
};

/* Make room for `len` more bytes and the NUL after them. */
void strbuf_grow(struct strbuf *sb, size_t len);
/* Inline: a create appends a thousand short pieces (the event-log line, the
 * reasons), and the call per piece, with a strlen of a constant the
 * compiler could have counted, was a measurable part of it. */
static inline void strbuf_append(struct strbuf *sb, const char *data, size_t len)
{
	if (sb->cap - sb->len <= len)
		strbuf_grow(sb, len);
	memcpy(sb->buf + sb->len, data, len);
	sb->len += len;
	sb->buf[sb->len] = '\0';
}
static inline void strbuf_puts(struct strbuf *sb, const char *s)
{
	strbuf_append(sb, s, strlen(s));
}
static inline void strbuf_putc(struct strbuf *sb, char c)
{
	strbuf_append(sb, &c, 1);
}
void strbuf_appendf(struct strbuf *sb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* `n` in decimal, without printf's parsing of a format. */
void strbuf_put_decimal(struct strbuf *sb, uint64_t n);
/* Return the buffer, leaving `sb` empty; never NULL. */
char *strbuf_steal(struct strbuf *sb);
void strbuf_free(struct strbuf *sb);
static inline void cleanup_strbufp(struct strbuf *sb)
{
	strbuf_free(sb);
}
#define cleanup_strbuf _cleanup_(cleanup_strbufp)

/* a, b and c end to end: what a path is made of, without printf's cost. */
char *xstrcat3(const char *a, const char *b, const char *c);
/* `magnitude` in decimal, a '-' first if `negative`, written to end at
 * `end` (up to FORMAT_DECIMAL_MAX bytes before it, no NUL); returns where
 * it starts. By hand: snprintf's parse of a format costs more than the
 * number. */
#define FORMAT_DECIMAL_MAX 24
char *format_decimal(char *end, unsigned long long magnitude, bool negative);
/* a and b end to end, then "[index]": the JSON path of an array's item
 * ("mounts[3]", "mounts[3].options[1]"), which the modules make for every
 * item they look at, without printf's cost. */
char *xstrcat_index(const char *a, const char *b, size_t index);

/* `name` in the directory `dir`: "dir/name", or `name` alone when `dir` is
 * "" (the working directory, as a person wrote it). */
char *path_join(const char *dir, const char *name);
/* Whether an absolute path is already as Go's filepath.Clean gives it: no
 * "." or ".." component, no repeated or trailing '/'. Most paths are. */
bool path_is_clean(const char *path);

/* `t` as strftime(3) writes "%Y-%m-%dT%H:%M:%S" for gmtime_r(t): UTC,
 * without reading the time zone files. */
#define UTC_TIMESTAMP_SIZE 32
void utc_timestamp(time_t t, char out[UTC_TIMESTAMP_SIZE]);

/* A list of owned strings. */
struct string_list {
	char **items;
	size_t len;
	size_t cap;
};

void string_list_add(struct string_list *list, const char *s);
/* Add `s`, which the list then owns (xfree'd with it), without a copy. */
void string_list_take(struct string_list *list, char *s);
bool string_list_contains(const struct string_list *list, const char *s);
void string_list_clear(struct string_list *list);

/* FNV-1a, 64 bits, of `len` bytes, going on from `hash` (FNV1A_START for a
 * first piece): the short, stable names of the state directories, the
 * observation marks and the Kubernetes events, and the hash of host.c's
 * set of directories. */
#define FNV1A_START 0xcbf29ce484222325ull
static inline uint64_t fnv1a(uint64_t hash, const void *data, size_t len)
{
	const unsigned char *p = data;
	for (size_t i = 0; i < len; i++)
		hash = (hash ^ p[i]) * 0x100000001b3ull;
	return hash;
}

#endif
