/* SPDX-License-Identifier: Apache-2.0 */
#include "container_state.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "fileio.h"
#include "runtime_state.h"

#define CONTAINER_STATE_MAX_BYTES (4u << 20)
/* Records looked at, per save, for containers that are gone. */
#define CONTAINER_STATE_COLLECT_BUDGET 32
/* A clock stepped back between our record and the runtime's own. */
#define CONTAINER_STATE_CLOCK_SLACK_NS INT64_C(1000000000)

/* runc's rule for ids (libcontainer's idRegex): [\w+-\.]+, and not "." or
 * "..". Anything else could not be a container and cannot be a file name. */
bool container_id_is_valid(const char *id)
{
	if (!*id || strcmp(id, ".") == 0 || strcmp(id, "..") == 0 || strlen(id) > 1024)
		return false;
	for (const char *p = id; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || *p == '_' || *p == '+' || *p == '-' || *p == '.'))
			return false;
	return true;
}

void container_record_clear(struct container_record *r)
{
	policy_free(r->policy);
	xfree(r->image);
	json_free(r->doc);
	*r = (struct container_record){0};
}

/* One directory per runtime state directory: FNV-1a of its path names it
 * (the path itself is kept in each record and checked on load). */
static char *container_state_dir(const char *state_dir, const char *runtime_root)
{
	uint64_t hash = fnv1a(FNV1A_START, runtime_root, strlen(runtime_root));
	return xasprintf("%s/%016llx", state_dir, (unsigned long long)hash);
}

static int mkdir_one(const char *path, oh_error_t *err)
{
	if (mkdir(path, 0700) < 0 && errno != EEXIST)
		return oh_error_make(err, errno, "cannot create state directory %s", path);
	return 0;
}

static int64_t clock_now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* The start time of process `pid` (field 22 of /proc/<pid>/stat, clock
 * ticks since boot), or 0 when there is no such process. A pid and its
 * start time name one process for as long as the machine runs. */
static unsigned long long process_start_time(pid_t pid)
{
	char path[64], buf[1024];
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	cleanup_close int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	ssize_t n = read(fd, buf, sizeof(buf) - 1);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	/* After the command name, which may hold anything but ends at the
	 * last ')': " <field 3> <field 4> ...", separated by single blanks;
	 * p stays on the blank before field `field`. */
	const char *p = strrchr(buf, ')');
	if (!p)
		return 0;
	p++;
	for (int field = 3; field < 22 && p; field++)
		p = strchr(p + 1, ' ');
	return p ? strtoull(p + 1, NULL, 10) : 0;
}

/* The clock tick (of /proc/<pid>/stat's start times: CLOCK_BOOTTIME in
 * USER_HZ units, fs/proc/array.c) this process is in. Every process that
 * exists now started in it or before. */
static unsigned long long boot_tick_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_BOOTTIME, &ts);
	long hz = sysconf(_SC_CLK_TCK);
	if (hz <= 0)
		hz = 100;
	return (unsigned long long)ts.tv_sec * (unsigned long long)hz +
	       (unsigned long long)ts.tv_nsec / (1000000000ull / (unsigned long long)hz);
}

static int64_t json_int_member(const struct json *object, const char *key, int64_t missing)
{
	const struct json *v = json_object_get(object, key);
	int64_t n;
	return v && v->type == JSON_NUMBER && json_number_int64(v, &n) ? n : missing;
}

static const char *json_string_member(const struct json *object, const char *key)
{
	const struct json *v = json_object_get(object, key);
	return v && v->type == JSON_STRING && strlen(v->string.ptr) == v->string.len ? v->string.ptr
										     : NULL;
}

/* What an exec needs of the container's config: its process, and its user
 * namespace with the id mappings (config-linux.md). Written as the text of
 * {"process": ..., "linux": {"namespaces": [the user ones], "uidMappings":
 * ..., "gidMappings": ...}}, straight from the spec's tree; where the
 * process's text is at hand (c->process_text), it goes at *process_at
 * (else SIZE_MAX) instead, to be written from where it is. */
static void container_state_write_subset(const struct container_created *c, struct strbuf *out,
					 size_t *process_at)
{
	const struct json *spec = c->spec;
	*process_at = SIZE_MAX;
	strbuf_putc(out, '{');
	const struct json *process = json_object_get(spec, "process");
	bool any = false;
	if (process && process->type == JSON_OBJECT) {
		strbuf_puts(out, "\"process\":");
		if (c->process_text)
			*process_at = out->len;
		else
			json_write(process, false, out);
		any = true;
	}
	const struct json *linux_obj = json_object_get(spec, "linux");
	const struct json *namespaces = linux_obj ? json_object_get(linux_obj, "namespaces") : NULL;
	size_t users = 0;
	for (size_t i = 0;
	     namespaces && namespaces->type == JSON_ARRAY && i < namespaces->array.len; i++) {
		const struct json *ns = namespaces->array.items[i];
		const char *type = ns->type == JSON_OBJECT ? json_string_member(ns, "type") : NULL;
		if (!type || strcmp(type, "user") != 0)
			continue;
		if (users++ == 0)
			strbuf_puts(out, any ? ",\"linux\":{\"namespaces\":["
					     : "\"linux\":{\"namespaces\":[");
		else
			strbuf_putc(out, ',');
		json_write(ns, false, out);
	}
	if (users) {
		strbuf_putc(out, ']');
		static const char *const maps[] = {"uidMappings", "gidMappings"};
		for (size_t i = 0; i < ARRAY_SIZE(maps); i++) {
			const struct json *m = json_object_get(linux_obj, maps[i]);
			if (!m)
				continue;
			strbuf_puts(out, ",\"");
			strbuf_puts(out, maps[i]);
			strbuf_puts(out, "\":");
			json_write(m, false, out);
		}
		strbuf_putc(out, '}');
	}
	strbuf_putc(out, '}');
}

static int container_state_write_parts(int dirfd, const char *dir, const char *id,
				       const struct file_part *parts, size_t parts_len,
				       oh_error_t *err)
{
	cleanup_free char *name = xasprintf("%s.json", id);
	cleanup_free char *display = xasprintf("%s/%s", dir, name);
	struct stat like = {.st_mode = 0600, .st_uid = geteuid(), .st_gid = getegid()};
	return file_replace_atomically_parts(dirfd, name, display, parts, parts_len, &like, err);
}

static int container_state_write_text(int dirfd, const char *dir, const char *id, const char *text,
				      size_t len, oh_error_t *err)
{
	const struct file_part whole = {text, len};
	return container_state_write_parts(dirfd, dir, id, &whole, 1, err);
}

static int container_state_write(int dirfd, const char *dir, const char *id, const struct json *doc,
				 oh_error_t *err)
{
	cleanup_free char *text = json_to_string(doc, false);
	return container_state_write_text(dirfd, dir, id, text, strlen(text), err);
}

static struct json *container_state_read(int dirfd, const char *dir, const char *name,
					 oh_error_t *err)
{
	cleanup_free char *display = xasprintf("%s/%s", dir, name);
	cleanup_free char *text = NULL;
	size_t len;
	if (file_read_all_flags(dirfd, name, display, CONTAINER_STATE_MAX_BYTES, FILE_READ_NOFOLLOW,
				&text, &len, NULL, err) < 0)
		return NULL;
	struct json *doc = json_parse(text, len, 0, err);
	if (!doc) {
		oh_error_wrap(err, "%s", display);
		return NULL;
	}
	if (doc->type != JSON_OBJECT) {
		json_free(doc);
		oh_error_make(err, 0, "%s: not a record of oci-harden's", display);
		return NULL;
	}
	return doc;
}

/* --- cleaning up after containers that are gone ---------------------------- */

/* Whether the record `doc` speaks of a container that is gone: nothing of
 * it in the runtime's state directory, and the process that wrote it (which
 * became the runtime, and lives as long as a foreground `run` does) gone. */
static bool container_state_is_orphan(const struct json *doc)
{
	const char *root = json_string_member(doc, "root");
	const char *id = json_string_member(doc, "id");
	if (!root || !id || !container_id_is_valid(id) || runtime_state_exists(root, id))
		return false;
	int64_t pid = json_int_member(doc, "creator_pid", 0);
	if (pid <= 0 || pid > INT32_MAX)
		return true;
	unsigned long long started = process_start_time((pid_t)pid);
	/* A record of an earlier version names the creator's start exactly. */
	int64_t start = json_int_member(doc, "creator_start", -1);
	if (start >= 0)
		return started != (uint64_t)start;
	/* The creator started by the tick the record was written in; a
	 * process that has its pid now and started later is another one. */
	int64_t by = json_int_member(doc, "creator_started_by", -1);
	return started == 0 || by < 0 || started > (uint64_t)by;
}

static bool is_record_name(const char *name)
{
	size_t len = strlen(name);
	return name[0] != '.' && len > 5 && strcmp(name + len - 5, ".json") == 0;
}

static bool is_root_dir_name(const char *name)
{
	if (strlen(name) != 16)
		return false;
	for (const char *p = name; *p; p++)
		if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f')))
			return false;
	return true;
}

/* The names in `dir` that `keep` accepts, in directory order. */
static void list_names(DIR *d, bool (*keep)(const char *), struct string_list *names)
{
	for (struct dirent *e; (e = readdir(d));)
		if (keep(e->d_name))
			string_list_add(names, e->d_name);
}

/* Whether the record file `name` of the directory kept for `runtime_root`
 * is of a container the runtime still has: a record is written as
 * <id>.json, with that root and id, so the runtime's directory for it
 * answers without reading the record. Only ever a reason to keep one: a
 * record this does not settle is read and judged whole. */
static bool container_state_name_is_live(const char *runtime_root, const char *name)
{
	size_t len = strlen(name) - 5; /* less ".json": see is_record_name */
	cleanup_free char *id = xstrndup(name, len);
	return runtime_root && container_id_is_valid(id) && runtime_state_exists(runtime_root, id);
}

/* Look at up to *budget records of one directory, starting at `seed`, and
 * remove those of containers that are gone (never `keep_name`). The
 * directory itself goes when nothing is left in it. `runtime_root`, when
 * the directory is the one kept for it, lets a container that still exists
 * be told by one lstat instead of reading its record: on a node, nearly
 * every record beside a new one is of a running container. */
static void container_state_collect_dir(const char *dir, const char *runtime_root,
					const char *keep_name, uint64_t seed, int *budget)
{
	DIR *d = opendir(dir);
	if (!d)
		return;
	struct string_list names = {0};
	list_names(d, is_record_name, &names);
	int fd = dirfd(d);
	size_t removed = 0, looked = 0;
	for (size_t k = 0; k<names.len && * budget> 0; k++) {
		const char *name = names.items[(seed + k) % names.len];
		if (keep_name && strcmp(name, keep_name) == 0)
			continue;
		(*budget)--;
		looked++;
		if (runtime_root && container_state_name_is_live(runtime_root, name))
			continue;
		oh_error_t err = NULL;
		cleanup_json struct json *doc = container_state_read(fd, dir, name, &err);
		oh_error_free(&err);
		if (doc && container_state_is_orphan(doc) && unlinkat(fd, name, 0) == 0)
			removed++;
	}
	bool emptied = removed == names.len && looked == names.len;
	string_list_clear(&names);
	closedir(d);
	/* Fails, harmlessly, when a record was written meanwhile; a save that
	 * loses its directory to this makes it again. */
	if (emptied)
		rmdir(dir);
}

/* Bounded work: the records beside the new one first, then, while the
 * budget lasts, those of other runtime state directories (a test suite
 * gives every test a --root of its own). */
static void container_state_collect(const char *state_dir, const char *own_dir,
				    const char *runtime_root, const char *keep_name, uint64_t seed)
{
	int budget = CONTAINER_STATE_COLLECT_BUDGET;
	container_state_collect_dir(own_dir, runtime_root, keep_name, seed, &budget);
	DIR *d = budget > 0 ? opendir(state_dir) : NULL;
	if (!d)
		return;
	struct string_list dirs = {0};
	list_names(d, is_root_dir_name, &dirs);
	closedir(d);
	const char *own_name = strrchr(own_dir, '/') + 1;
	for (size_t k = 0; k < dirs.len && budget > 0; k++) {
		const char *name = dirs.items[(seed / 7 + k) % dirs.len];
		if (strcmp(name, own_name) == 0)
			continue;
		cleanup_free char *dir = xasprintf("%s/%s", state_dir, name);
		container_state_collect_dir(dir, NULL, NULL, seed, &budget);
	}
	string_list_clear(&dirs);
}

void container_state_forget_gone(const struct container_place *place)
{
	cleanup_free char *dir = container_state_dir(place->state_dir, place->runtime_root);
	int budget = CONTAINER_STATE_COLLECT_BUDGET;
	container_state_collect_dir(dir, place->runtime_root, NULL, (uint64_t)clock_now_ns(),
				    &budget);
}

/* --- save, load, remove ------------------------------------------------------ */

int container_state_save(const struct container_place *place, const struct container_created *c,
			 oh_error_t *err)
{
	if (!container_id_is_valid(c->id))
		return oh_error_make(err, 0, "\"%s\" is not a valid container id", c->id);
	int64_t now = clock_now_ns();
	/* The record's text is written straight, in the order and the form
	 * json_write gives the tree that exec reads back: it is made at every
	 * create. */
	cleanup_strbuf struct strbuf doc = {0};
	strbuf_puts(&doc, "{\"root\":");
	json_write_string(place->runtime_root, strlen(place->runtime_root), &doc);
	strbuf_puts(&doc, ",\"id\":");
	json_write_string(c->id, strlen(c->id), &doc);
	strbuf_puts(&doc, ",\"written_ns\":");
	strbuf_put_decimal(&doc, (uint64_t)now);
	/* This process becomes the runtime: while it runs, the container is
	 * being created (or, for a foreground `run`, runs). */
	pid_t self = getpid();
	strbuf_puts(&doc, ",\"creator_pid\":");
	strbuf_put_decimal(&doc, (uint64_t)self);
	/* By when it started, from the clock rather than its /proc entry: a
	 * /proc lookup costs a fresh process more than the rest of the
	 * record. */
	strbuf_puts(&doc, ",\"creator_started_by\":");
	strbuf_put_decimal(&doc, boot_tick_now());
	strbuf_puts(&doc, ",\"bundle_dev\":");
	strbuf_put_decimal(&doc, (uint64_t)c->bundle_dev);
	strbuf_puts(&doc, ",\"bundle_ino\":");
	strbuf_put_decimal(&doc, (uint64_t)c->bundle_ino);
	strbuf_puts(&doc, ",\"runtime_created\":null,\"image\":");
	if (c->image)
		json_write_string(c->image, strlen(c->image), &doc);
	else
		strbuf_puts(&doc, "null");
	strbuf_puts(&doc, ",\"policy_name\":");
	json_write_string(c->policy->name, strlen(c->policy->name), &doc);
	strbuf_puts(&doc, ",\"policy\":");
	policy_write_json(c->policy, &doc);
	strbuf_puts(&doc, ",\"container\":");
	size_t process_at;
	container_state_write_subset(c, &doc, &process_at);
	strbuf_putc(&doc, '}');
	/* The record's text: the document, with the process's text where
	 * process_at says. */
	struct file_part parts[3] = {{doc.buf, doc.len}};
	size_t parts_len = 1;
	if (process_at != SIZE_MAX) {
		parts[0].len = process_at;
		parts[1] = (struct file_part){c->process_text, c->process_len};
		parts[2] = (struct file_part){doc.buf + process_at, doc.len - process_at};
		parts_len = 3;
	}

	cleanup_free char *dir = container_state_dir(place->state_dir, place->runtime_root);
	/* Made when it is missing. A concurrent clean-up may remove the
	 * directory, empty, between the open and the write: then make it
	 * again. */
	int r = -1;
	for (int attempt = 0; attempt < 3 && r < 0; attempt++) {
		oh_error_free(err);
		cleanup_close int dirfd =
		    open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
		if (dirfd < 0 && errno == ENOENT) {
			if (mkdir_one(place->state_dir, err) < 0 || mkdir_one(dir, err) < 0)
				return -1;
			dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
		}
		if (dirfd < 0) {
			oh_error_make(err, errno, "cannot open state directory %s", dir);
			continue;
		}
		r = container_state_write_parts(dirfd, dir, c->id, parts, parts_len, err);
	}
	if (r < 0)
		return -1;
	cleanup_free char *name = xasprintf("%s.json", c->id);
	container_state_collect(place->state_dir, dir, place->runtime_root, name,
				(uint64_t)now / 1000);
	return 0;
}

/* Whether the record speaks of the container the runtime has under the id
 * now; NULL when it does, else why not. Binds an unbound record. */
static char *container_state_match(const struct container_place *place, const char *id,
				   struct json *doc, bool *bind, bool *stale, oh_error_t *err)
{
	*bind = false;
	*stale = true;
	const char *bound = json_string_member(doc, "runtime_created");
	enum runtime_state_found found;
	struct runtime_state state;
	if (runtime_state_read(place->runtime_root, id, !bound, &found, &state, err) < 0)
		return NULL;
	char *why = NULL;
	if (found == RUNTIME_STATE_NONE) {
		why = xasprintf("container %s does not exist under %s", id, place->runtime_root);
	} else if (found == RUNTIME_STATE_CREATING) {
		why = xasprintf("container %s is still being created", id);
		*stale = false;
	} else if (bound) {
		if (strcmp(bound, state.created) != 0)
			why = xasprintf("the record is of an earlier container %s (created %s; the "
					"one there now was created %s)",
					id, bound, state.created);
	} else {
		int64_t written = json_int_member(doc, "written_ns", -1);
		int64_t window = (int64_t)CONTAINER_STATE_CREATE_WINDOW_SECONDS * 1000000000;
		struct stat st;
		bool same_bundle =
		    state.bundle && stat(state.bundle, &st) == 0 &&
		    (uint64_t)st.st_dev == (uint64_t)json_int_member(doc, "bundle_dev", -1) &&
		    (uint64_t)st.st_ino == (uint64_t)json_int_member(doc, "bundle_ino", -1);
		if (written < 0 || state.created_ns < written - CONTAINER_STATE_CLOCK_SLACK_NS ||
		    state.created_ns > written + window)
			why = xasprintf("the record was written at another time than container %s "
					"was created (%s): it is of another container with this id",
					id, state.created);
		else if (!same_bundle)
			why = xasprintf("container %s runs from another bundle (%s) than the one "
					"the record was written for",
					id, state.bundle ? state.bundle : "unknown");
		else {
			json_object_set(doc, "runtime_created", json_new_string(state.created));
			*bind = true;
		}
	}
	runtime_state_clear(&state);
	return why;
}

int container_state_load(const struct container_place *place, const char *id,
			 struct container_record *record, char **why_none, oh_error_t *err)
{
	*record = (struct container_record){0};
	*why_none = NULL;
	if (!container_id_is_valid(id))
		return oh_error_make(err, 0, "\"%s\" is not a valid container id", id);
	cleanup_free char *dir = container_state_dir(place->state_dir, place->runtime_root);
	cleanup_free char *name = xasprintf("%s.json", id);
	cleanup_close int dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	if (dirfd < 0 && errno != ENOENT)
		return oh_error_make(err, errno, "cannot open state directory %s", dir);
	cleanup_json struct json *doc = NULL;
	if (dirfd >= 0) {
		doc = container_state_read(dirfd, dir, name, err);
		if (!doc && (*err)->errnum != ENOENT)
			return -1;
		oh_error_free(err);
	}
	if (!doc) {
		*why_none = xstrdup("no record was written: it was not created through oci-harden");
		return 0;
	}
	cleanup_free char *path = xasprintf("%s/%s", dir, name);
	const char *root = json_string_member(doc, "root");
	const char *saved_id = json_string_member(doc, "id");
	const char *policy_name = json_string_member(doc, "policy_name");
	const struct json *policy = json_object_get(doc, "policy");
	const struct json *container = json_object_get(doc, "container");
	if (!root || strcmp(root, place->runtime_root) != 0 || !saved_id ||
	    strcmp(saved_id, id) != 0 || !policy_name || !policy || !container ||
	    container->type != JSON_OBJECT)
		return oh_error_make(err, 0, "%s: not a record of this container", path);

	bool bind, stale;
	*why_none = container_state_match(place, id, doc, &bind, &stale, err);
	if (*err)
		return -1;
	if (*why_none) {
		/* It speaks for no container that exists: it never will. */
		if (stale)
			unlinkat(dirfd, name, 0);
		return 0;
	}
	if (bind) {
		/* From now on only the container created then matches. A
		 * failure leaves the record unbound, checked the same way
		 * next time. */
		oh_error_t ignored = NULL;
		container_state_write(dirfd, dir, id, doc, &ignored);
		oh_error_free(&ignored);
	}
	if (policy_load_json(policy, policy_name, path, NULL, NULL, &record->policy, err) < 0)
		return oh_error_wrap(err, "%s", path);
	const char *image = json_string_member(doc, "image");
	record->image = image ? xstrdup(image) : NULL;
	record->container = container;
	record->doc = steal_pointer(&doc);
	return 1;
}

void container_state_remove(const struct container_place *place, const char *id)
{
	if (!container_id_is_valid(id))
		return;
	cleanup_free char *dir = container_state_dir(place->state_dir, place->runtime_root);
	cleanup_free char *path = xasprintf("%s/%s.json", dir, id);
	if (unlink(path) == 0)
		rmdir(dir); /* when it was the last one */
}
