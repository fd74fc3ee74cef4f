/* SPDX-License-Identifier: Apache-2.0 */
#include "runtime_state.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <yajl/yajl_parse.h>

/* runc's state.json holds the whole container config after "created"; a
 * state this large is not one either runtime wrote. */
#define RUNTIME_STATE_MAX_BYTES (64u << 20)

void runtime_state_clear(struct runtime_state *state)
{
	xfree(state->created);
	xfree(state->bundle);
	*state = (struct runtime_state){.created_ns = -1};
}

char *runtime_default_root(const char *runtime)
{
	const char *base = strrchr(runtime, '/');
	base = base ? base + 1 : runtime;
	bool crun = strcmp(base, "crun") == 0;
	const char *xdg = getenv("XDG_RUNTIME_DIR");
	if (xdg && *xdg == '/' && (crun || geteuid() != 0))
		return xasprintf("%s/%s", xdg, crun ? "crun" : "runc");
	return xstrdup(crun ? "/run/crun" : "/run/runc");
}

/* Seconds since 1970-01-01T00:00:00Z of a broken-down UTC time, by hand:
 * glibc's timegm reads the time zone files (tzset) the first time it runs
 * in a process, which an exec does only for this (seven syscalls). Linear in
 * the day and the time of day, as timegm's normalisation of strptime's
 * ranges (a 31st of February, a leap second) is. The days of the proleptic
 * Gregorian calendar, in eras of 400 years (H. Hinnant, "chrono-compatible
 * low-level date algorithms", days_from_civil), the inverse of
 * utc_timestamp's. */
static int64_t runtime_seconds_from_utc(const struct tm *tm)
{
	int64_t year = (int64_t)tm->tm_year + 1900, month = tm->tm_mon + 1;
	year -= month <= 2;
	int64_t era = (year >= 0 ? year : year - 399) / 400;
	int64_t yoe = year - era * 400;
	int64_t doy = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + tm->tm_mday - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	int64_t days = era * 146097 + doe - 719468;
	return days * 86400 + (int64_t)tm->tm_hour * 3600 + tm->tm_min * 60 + tm->tm_sec;
}

bool runtime_time_parse(const char *text, int64_t *ns)
{
	struct tm tm = {0};
	const char *rest = strptime(text, "%Y-%m-%dT%H:%M:%S", &tm);
	if (!rest)
		return false;
	int64_t fraction = 0;
	if (*rest == '.') {
		int digits = 0;
		for (rest++; *rest >= '0' && *rest <= '9'; rest++, digits++)
			if (digits < 9)
				fraction = fraction * 10 + (*rest - '0');
		if (digits == 0)
			return false;
		for (; digits < 9; digits++)
			fraction *= 10;
	}
	if (strcmp(rest, "Z") != 0)
		return false;
	int64_t seconds = runtime_seconds_from_utc(&tm);
	*ns = seconds * 1000000000 + fraction;
	return true;
}

/* A streaming read of the members wanted, stopping as soon as they are
 * known: runc writes "created" before its large "config". */
struct state_reader {
	struct runtime_state *out;
	bool want_bundle;
	int depth;		 /* of maps and arrays, 1 inside the top object */
	char key1[32], key2[32]; /* the last key at depth 1 and 2 */
};

static bool state_reader_done(const struct state_reader *r)
{
	return r->out->created && (!r->want_bundle || r->out->bundle);
}

static void state_reader_key(char *dst, size_t cap, const unsigned char *key, size_t len)
{
	size_t n = len < cap - 1 ? len : cap - 1;
	memcpy(dst, key, n);
	dst[n] = '\0';
	if (len >= cap)
		dst[0] = '\0'; /* longer than any key wanted */
}

static int on_key(void *ctx, const unsigned char *key, size_t len)
{
	struct state_reader *r = ctx;
	if (r->depth == 1)
		state_reader_key(r->key1, sizeof(r->key1), key, len);
	else if (r->depth == 2)
		state_reader_key(r->key2, sizeof(r->key2), key, len);
	return 1;
}

static int on_string(void *ctx, const unsigned char *s, size_t len)
{
	struct state_reader *r = ctx;
	static const char label[] = "bundle=";
	if (r->depth == 1 && strcmp(r->key1, "created") == 0 && !r->out->created)
		r->out->created = xstrndup((const char *)s, len);
	else if (r->depth == 1 && strcmp(r->key1, "bundle") == 0 && !r->out->bundle)
		r->out->bundle = xstrndup((const char *)s, len); /* crun */
	else if (r->depth == 3 && strcmp(r->key1, "config") == 0 &&
		 strcmp(r->key2, "labels") == 0 && len >= sizeof(label) - 1 &&
		 memcmp(s, label, sizeof(label) - 1) == 0 && !r->out->bundle)
		r->out->bundle = xstrndup((const char *)s + sizeof(label) - 1,
					  len - (sizeof(label) - 1)); /* runc */
	return !state_reader_done(r);
}

static int on_scalar(void *ctx)
{
	(void)ctx;
	return 1;
}

static int on_bool(void *ctx, int b)
{
	(void)b;
	return on_scalar(ctx);
}

static int on_number(void *ctx, const char *s, size_t len)
{
	(void)s;
	(void)len;
	return on_scalar(ctx);
}

static int on_open(void *ctx)
{
	((struct state_reader *)ctx)->depth++;
	return 1;
}

static int on_close(void *ctx)
{
	((struct state_reader *)ctx)->depth--;
	return 1;
}

static const yajl_callbacks state_callbacks = {
    .yajl_null = on_scalar,
    .yajl_boolean = on_bool,
    .yajl_number = on_number,
    .yajl_string = on_string,
    .yajl_start_map = on_open,
    .yajl_map_key = on_key,
    .yajl_end_map = on_close,
    .yajl_start_array = on_open,
    .yajl_end_array = on_close,
};

static int state_read_fd(int fd, const char *display, struct state_reader *reader, oh_error_t *err)
{
	yajl_handle handle = yajl_alloc(&state_callbacks, NULL, reader);
	if (!handle)
		return oh_error_make(err, ENOMEM, "%s", display);
	char buf[4096];
	size_t total = 0;
	int r = 0;
	for (;;) {
		ssize_t n = read(fd, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			r = oh_error_make(err, errno, "%s: cannot read", display);
			break;
		}
		total += (size_t)n;
		yajl_status status = n == 0 ? yajl_complete_parse(handle)
					    : yajl_parse(handle, (unsigned char *)buf, (size_t)n);
		if (status == yajl_status_client_canceled || state_reader_done(reader))
			break;
		if (status != yajl_status_ok) {
			r = oh_error_make(err, 0, "%s: not the JSON the runtime writes", display);
			break;
		}
		if (n == 0 || total > RUNTIME_STATE_MAX_BYTES)
			break;
	}
	yajl_free(handle);
	return r;
}

int runtime_state_read(const char *runtime_root, const char *id, bool want_bundle,
		       enum runtime_state_found *found, struct runtime_state *out, oh_error_t *err)
{
	*out = (struct runtime_state){.created_ns = -1};
	*found = RUNTIME_STATE_NONE;
	cleanup_free char *dir = xasprintf("%s/%s", runtime_root, id);
	cleanup_close int dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dirfd < 0) {
		if (errno == ENOENT || errno == ENOTDIR)
			return 0;
		return oh_error_make(err, errno, "%s: cannot open the runtime's state", dir);
	}
	static const char *const files[] = {"state.json" /* runc */, "status" /* crun */};
	for (size_t i = 0; i < ARRAY_SIZE(files); i++) {
		cleanup_close int fd = openat(dirfd, files[i], O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
		if (fd < 0 && errno == ENOENT)
			continue;
		cleanup_free char *display = xasprintf("%s/%s", dir, files[i]);
		if (fd < 0)
			return oh_error_make(err, errno, "%s: cannot open", display);
		struct state_reader reader = {.out = out, .want_bundle = want_bundle};
		if (state_read_fd(fd, display, &reader, err) < 0) {
			runtime_state_clear(out);
			return -1;
		}
		if (!out->created) {
			runtime_state_clear(out);
			return oh_error_make(err, 0, "%s: has no creation time", display);
		}
		if (!runtime_time_parse(out->created, &out->created_ns))
			out->created_ns = -1;
		*found = RUNTIME_STATE_FOUND;
		return 0;
	}
	*found = RUNTIME_STATE_CREATING;
	return 0;
}

bool runtime_state_exists(const char *runtime_root, const char *id)
{
	cleanup_free char *dir = xasprintf("%s/%s", runtime_root, id);
	struct stat st;
	return lstat(dir, &st) == 0 || errno != ENOENT;
}
