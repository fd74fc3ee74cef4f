/* SPDX-License-Identifier: Apache-2.0 */
/* The records oci-harden keeps of its containers: what is saved for an
 * exec, the check against the runtime's own state (runc's state.json,
 * crun's status) that keeps a record from speaking for another container,
 * and the clean-up that keeps records of containers that are gone from
 * piling up. Real files in a temporary directory; the runtime's state is
 * written here the way runc 1.1.5 and crun 1.8 write it. */
#include <dirent.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "container_state.h"
#include "helpers.h"
#include "runtime_state.h"

static struct policy *policy;
static char work[] = "/tmp/oci-harden-state-XXXXXX";
static char *state_dir, *runtime_root, *bundle;

static void setup(void)
{
	oh_error_t err = NULL;
	cr_assert_eq(policy_load_default(&policy, &err), 0);
	cr_assert_not_null(mkdtemp(work));
	state_dir = xasprintf("%s/state", work);
	runtime_root = xasprintf("%s/runc-root", work);
	bundle = xasprintf("%s/bundle", work);
	cr_assert_eq(mkdir(runtime_root, 0700), 0);
	cr_assert_eq(mkdir(bundle, 0700), 0);
}

static void teardown(void)
{
	policy_free(policy);
	cleanup_free char *cmd = xasprintf("rm -rf '%s'", work);
	cr_assert_eq(system(cmd), 0);
	free(state_dir);
	free(runtime_root);
	free(bundle);
}

TestSuite(container_state, .init = setup, .fini = teardown);

#define SPEC                                                                                       \
	"{\"process\":{\"args\":[\"sleep\",\"1\"],\"cwd\":\"/\",\"user\":{\"uid\":65534,\"gid\":"  \
	"65534},\"oomScoreAdj\":7},\"linux\":{\"namespaces\":[{\"type\":\"pid\"},{\"type\":"       \
	"\"user\"}],\"uidMappings\":[{\"containerID\":0,\"hostID\":100000,\"size\":65536}],"       \
	"\"gidMappings\":[{\"containerID\":0,\"hostID\":100000,\"size\":65536}],\"sysctl\":{}}}"

static struct container_place place(void)
{
	return (struct container_place){.state_dir = state_dir, .runtime_root = runtime_root};
}

/* Save a record of `spec_json`; with `with_process_text`, the process's
 * text is given as the config written back holds it. */
static void save_as(const char *id, const char *spec_json, bool with_process_text)
{
	cleanup_json struct json *spec = test_parse(spec_json);
	cleanup_free char *process_text =
	    with_process_text ? test_text(json_object_get(spec, "process")) : NULL;
	struct stat st;
	cr_assert_eq(stat(bundle, &st), 0);
	struct container_created c = {
	    .id = id,
	    .policy = policy,
	    .image = "docker.io/library/busybox:latest",
	    .spec = spec,
	    .process_text = process_text,
	    .process_len = process_text ? strlen(process_text) : 0,
	    .bundle_dev = st.st_dev,
	    .bundle_ino = st.st_ino,
	};
	struct container_place p = place();
	oh_error_t err = NULL;
	cr_assert_eq(container_state_save(&p, &c, &err), 0, "%s", err ? err->msg : "");
}

static void save(const char *id, const char *spec_json)
{
	save_as(id, spec_json, false);
}

/* The time `offset_seconds` from now, as runc writes "created". */
static char *created_at(int offset_seconds, bool micro)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	time_t t = ts.tv_sec + offset_seconds;
	struct tm tm;
	gmtime_r(&t, &tm);
	char day[64];
	strftime(day, sizeof(day), "%Y-%m-%dT%H:%M:%S", &tm);
	return micro ? xasprintf("%s.%06ldZ", day, ts.tv_nsec / 1000)
		     : xasprintf("%s.%09ldZ", day, ts.tv_nsec);
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	cr_assert_not_null(f, "%s", path);
	fputs(text, f);
	fclose(f);
}

/* runc's <root>/<id>/state.json: "created" before the (large) config, the
 * bundle among the config's labels. */
static void runc_state(const char *id, const char *created, const char *bundle_dir)
{
	cleanup_free char *dir = xasprintf("%s/%s", runtime_root, id);
	mkdir(dir, 0711);
	cleanup_free char *path = xasprintf("%s/state.json", dir);
	cleanup_free char *text = xasprintf(
	    "{\"id\":\"%s\",\"init_process_pid\":42,\"init_process_start\":7,\"created\":\"%s\","
	    "\"config\":{\"rootfs\":\"/x\",\"mounts\":[{\"source\":\"created\"}],\"labels\":["
	    "\"io.example=1\",\"bundle=%s\"]},\"rootless\":false}",
	    id, created, bundle_dir);
	write_file(path, text);
}

/* crun's <root>/<id>/status. */
static void crun_state(const char *id, const char *created, const char *bundle_dir)
{
	cleanup_free char *dir = xasprintf("%s/%s", runtime_root, id);
	mkdir(dir, 0700);
	cleanup_free char *path = xasprintf("%s/status", dir);
	cleanup_free char *text =
	    xasprintf("{\n    \"pid\": 42,\n    \"process-start-time\": 7,\n    \"bundle\": "
		      "\"%s\",\n    \"created\": \"%s\",\n    \"owner\": \"root\"\n}\n",
		      bundle_dir, created);
	write_file(path, text);
}

/* load: 1 with the record, or 0 with why there is none ("" on 1). */
static int load(const char *id, struct container_record *record, char **why)
{
	struct container_place p = place();
	oh_error_t err = NULL;
	int r = container_state_load(&p, id, record, why, &err);
	cr_assert_geq(r, 0, "%s", err ? err->msg : "");
	return r;
}

static bool record_exists(const char *id)
{
	cleanup_free char *cmd = xasprintf("ls '%s'/*/'%s.json' >/dev/null 2>&1", state_dir, id);
	return system(cmd) == 0;
}

Test(container_state, the_record_holds_what_an_exec_needs)
{
	save("c1", SPEC);
	cleanup_free char *created = created_at(0, false);
	runc_state("c1", created, bundle);
	cleanup_container_record struct container_record record = {0};
	cleanup_free char *why = NULL;
	cr_assert_eq(load("c1", &record, &why), 1, "%s", why);
	cr_assert_str_eq(record.policy->name, "default");
	cr_assert_str_eq(record.image, "docker.io/library/busybox:latest");
	cleanup_free char *process = test_text(json_object_get(record.container, "process"));
	cr_assert_str_eq(process,
			 "{\"args\":[\"sleep\",\"1\"],\"cwd\":\"/\",\"user\":{\"uid\":65534,"
			 "\"gid\":65534},\"oomScoreAdj\":7}");
	/* of the linux object, only the user namespace and its mappings */
	cleanup_free char *linux_text = test_text(json_object_get(record.container, "linux"));
	cr_assert_str_eq(
	    linux_text, "{\"namespaces\":[{\"type\":\"user\"}],\"uidMappings\":[{\"containerID\":0,"
			"\"hostID\":100000,\"size\":65536}],\"gidMappings\":[{\"containerID\":0,"
			"\"hostID\":100000,\"size\":65536}]}");
	/* saved with no user namespace: no mappings */
	save("c2", "{\"process\":{\"args\":[\"x\"]},\"linux\":{\"uidMappings\":[]}}");
	runc_state("c2", created, bundle);
	cleanup_container_record struct container_record other = {0};
	cleanup_free char *why2 = NULL;
	cr_assert_eq(load("c2", &other, &why2), 1);
	cr_assert_null(json_object_get(other.container, "linux"));
}

Test(container_state, a_process_text_at_hand_is_recorded_as_written)
{
	/* The config written back holds the process's text: the record copies
	 * it, and reads back as the one written from the tree. */
	save_as("from-tree", SPEC, false);
	save_as("from-text", SPEC, true);
	cleanup_free char *created = created_at(0, false);
	runc_state("from-tree", created, bundle);
	runc_state("from-text", created, bundle);
	cleanup_container_record struct container_record tree = {0}, text = {0};
	cleanup_free char *why_tree = NULL, *why_text = NULL;
	cr_assert_eq(load("from-tree", &tree, &why_tree), 1, "%s", why_tree);
	cr_assert_eq(load("from-text", &text, &why_text), 1, "%s", why_text);
	cleanup_free char *from_tree = test_text(tree.container);
	cleanup_free char *from_text = test_text(text.container);
	cr_assert_str_eq(from_text, from_tree);
	cr_assert(strstr(from_text, "\"oomScoreAdj\":7"));
}

Test(container_state, no_record_is_said_so)
{
	cleanup_container_record struct container_record record = {0};
	cleanup_free char *why = NULL;
	cr_assert_eq(load("never", &record, &why), 0);
	cr_assert(strstr(why, "not created through oci-harden"), "%s", why);
	struct container_place p = place();
	oh_error_t err = NULL;
	cleanup_free char *why_invalid = NULL;
	cr_assert_lt(container_state_load(&p, "../x", &record, &why_invalid, &err), 0);
	oh_error_free(&err);
}

Test(container_state, the_first_exec_binds_the_record_to_the_container)
{
	save("c1", SPEC);
	cleanup_free char *created = created_at(0, false);
	runc_state("c1", created, bundle);
	cleanup_container_record struct container_record r1 = {0};
	cleanup_free char *why = NULL;
	cr_assert_eq(load("c1", &r1, &why), 1);
	/* Another container with the id, created a moment later. */
	cleanup_free char *later = created_at(1, false);
	runc_state("c1", later, bundle);
	cleanup_container_record struct container_record r2 = {0};
	cleanup_free char *why2 = NULL;
	cr_assert_eq(load("c1", &r2, &why2), 0);
	cr_assert(strstr(why2, "earlier container"), "%s", why2);
	cr_assert_not(record_exists("c1"), "a record of another container is removed");
}

Test(container_state, an_unbound_record_must_match_in_time_and_bundle)
{
	/* created before the record was written: another container */
	save("early", SPEC);
	cleanup_free char *early = created_at(-60, false);
	runc_state("early", early, bundle);
	cleanup_container_record struct container_record r1 = {0};
	cleanup_free char *why1 = NULL;
	cr_assert_eq(load("early", &r1, &why1), 0);
	cr_assert(strstr(why1, "another container"), "%s", why1);

	/* created long after */
	save("late", SPEC);
	cleanup_free char *late = created_at(CONTAINER_STATE_CREATE_WINDOW_SECONDS + 60, false);
	runc_state("late", late, bundle);
	cleanup_container_record struct container_record r2 = {0};
	cleanup_free char *why2 = NULL;
	cr_assert_eq(load("late", &r2, &why2), 0);

	/* from another bundle */
	save("moved", SPEC);
	cleanup_free char *now = created_at(0, false);
	runc_state("moved", now, work);
	cleanup_container_record struct container_record r3 = {0};
	cleanup_free char *why3 = NULL;
	cr_assert_eq(load("moved", &r3, &why3), 0);
	cr_assert(strstr(why3, "another bundle"), "%s", why3);
	cr_assert_not(record_exists("moved"));

	/* crun's status: microseconds, and the bundle at the top */
	save("crun1", SPEC);
	cleanup_free char *micro = created_at(0, true);
	crun_state("crun1", micro, bundle);
	cleanup_container_record struct container_record r4 = {0};
	cleanup_free char *why4 = NULL;
	cr_assert_eq(load("crun1", &r4, &why4), 1, "%s", why4);
}

Test(container_state, a_container_that_is_gone_or_not_yet_there)
{
	save("gone", SPEC);
	cleanup_container_record struct container_record r1 = {0};
	cleanup_free char *why1 = NULL;
	cr_assert_eq(load("gone", &r1, &why1), 0);
	cr_assert(strstr(why1, "does not exist"), "%s", why1);
	cr_assert_not(record_exists("gone"));

	/* the runtime has made its directory but not yet its state */
	save("coming", SPEC);
	cleanup_free char *dir = xasprintf("%s/coming", runtime_root);
	cr_assert_eq(mkdir(dir, 0700), 0);
	cleanup_container_record struct container_record r2 = {0};
	cleanup_free char *why2 = NULL;
	cr_assert_eq(load("coming", &r2, &why2), 0);
	cr_assert(strstr(why2, "being created"), "%s", why2);
	cr_assert(record_exists("coming"), "kept: the container may yet be created");
}

/* Save `id` from a child process, which lives until finish_creator: a
 * create whose runtime is still at work, then one that has finished (the
 * record's creator is gone). */
struct creator {
	pid_t pid;
	int hold; /* the child exits when this closes */
};

/* The write ends the parent holds: each child closes the others' copies,
 * or one child would keep another waiting. */
static int holds[16];
static size_t holds_len;

static struct creator save_from_child(const char *id, const char *root)
{
	int fds[2], ready[2];
	cr_assert_eq(pipe(fds), 0);
	cr_assert_eq(pipe(ready), 0);
	pid_t pid = fork();
	cr_assert_geq(pid, 0);
	if (pid == 0) {
		for (size_t i = 0; i < holds_len; i++)
			close(holds[i]);
		close(fds[1]);
		close(ready[0]);
		cleanup_json struct json *spec = test_parse(SPEC);
		struct container_created c = {.id = id, .policy = policy, .spec = spec};
		struct container_place p = {.state_dir = state_dir, .runtime_root = root};
		oh_error_t err = NULL;
		char status = container_state_save(&p, &c, &err) == 0 ? 'y' : 'n';
		if (write(ready[1], &status, 1) != 1)
			_exit(2);
		char byte;
		while (read(fds[0], &byte, 1) > 0)
			;
		_exit(0);
	}
	close(fds[0]);
	close(ready[1]);
	char status = 'n';
	cr_assert_eq(read(ready[0], &status, 1), 1);
	close(ready[0]);
	cr_assert_eq(status, 'y');
	cr_assert_lt(holds_len, ARRAY_SIZE(holds));
	holds[holds_len++] = fds[1];
	return (struct creator){.pid = pid, .hold = fds[1]};
}

static void finish_creator(struct creator c)
{
	for (size_t i = 0; i < holds_len; i++)
		if (holds[i] == c.hold)
			holds[i] = holds[--holds_len];
	close(c.hold);
	int status;
	cr_assert_eq(waitpid(c.pid, &status, 0), c.pid);
}

static void save_from_exited_process(const char *id, const char *root)
{
	finish_creator(save_from_child(id, root));
}

static size_t count_dirs(const char *path)
{
	DIR *d = opendir(path);
	size_t n = 0;
	for (struct dirent *e; d && (e = readdir(d));)
		n += e->d_name[0] != '.';
	if (d)
		closedir(d);
	return n;
}

Test(container_state, records_of_containers_that_are_gone_are_removed)
{
	/* gone: no runtime state, creator exited (a foreground run that
	 * ended, a create the runtime failed); each is still at work while
	 * the others are saved, so no save removes it early */
	struct creator ended = save_from_child("ended", runtime_root);
	cleanup_free char *other_root = xasprintf("%s/other-root", work);
	struct creator elsewhere = save_from_child("elsewhere", other_root);
	/* alive: the runtime has it */
	struct creator alive_creator = save_from_child("alive", runtime_root);
	cleanup_free char *alive = created_at(0, false);
	runc_state("alive", alive, bundle);
	/* being created: no runtime state yet, but its creator runs (here:
	 * this very process) */
	save("creating", SPEC);
	cr_assert(record_exists("ended"), "kept while its creator runs");
	cr_assert(record_exists("elsewhere"), "kept while its creator runs");
	finish_creator(ended);
	finish_creator(elsewhere);
	finish_creator(alive_creator);
	cr_assert_eq(count_dirs(state_dir), 2);

	save("next", SPEC); /* the next create */
	cr_assert_not(record_exists("ended"));
	cr_assert_not(record_exists("elsewhere"));
	cr_assert(record_exists("alive"));
	cr_assert(record_exists("creating"));
	cr_assert(record_exists("next"));
	cr_assert_eq(count_dirs(state_dir), 1, "the other root's empty directory is gone");

	/* delete removes the record, and the directory with the last one */
	struct container_place p = place();
	container_state_remove(&p, "alive");
	container_state_remove(&p, "creating");
	cr_assert_not(record_exists("alive"));
	container_state_remove(&p, "next");
	cr_assert_eq(count_dirs(state_dir), 0);
}

/* This process's start time, field 22 of /proc/self/stat. */
static unsigned long long own_start_tick(void)
{
	FILE *f = fopen("/proc/self/stat", "re");
	cr_assert_not_null(f);
	char buf[1024];
	cr_assert_not_null(fgets(buf, sizeof(buf), f));
	fclose(f);
	const char *p = strrchr(buf, ')');
	cr_assert_not_null(p);
	for (int field = 3; field <= 22; field++)
		p = strchr(p + 1, ' ');
	cr_assert_not_null(p);
	return strtoull(p, NULL, 10);
}

/* Replace the member `key` of `id`'s record (a number) by `member`. */
static void rewrite_record(const char *id, const char *key, const char *member)
{
	cleanup_free char *cmd =
	    xasprintf("sed -i 's/\"%s\":[0-9]*/%s/' '%s'/*/'%s.json'", key, member, state_dir, id);
	cr_assert_eq(system(cmd), 0);
	cleanup_free char *check =
	    xasprintf("grep -qF '%s' '%s'/*/'%s.json'", member, state_dir, id);
	cr_assert_eq(system(check), 0, "%s's record holds %s", id, member);
}

Test(container_state, a_creator_pid_taken_by_a_later_process_is_gone)
{
	/* The record names its creator by pid and the clock tick it was
	 * written in: a process with that pid which started later is another
	 * one (the pid was reused), and the creator is gone. This process is
	 * alive, and started long before the tick below. */
	unsigned long long started = own_start_tick();
	cr_assert_gt(started, 1);
	cleanup_free char *before = xasprintf("\"creator_started_by\":%llu", started - 1);
	cleanup_free char *at = xasprintf("\"creator_started_by\":%llu", started);
	save("reused", SPEC);
	rewrite_record("reused", "creator_started_by", before);
	save("kept", SPEC);
	rewrite_record("kept", "creator_started_by", at);
	/* Records of the version before name the creator's start exactly. */
	cleanup_free char *exact = xasprintf("\"creator_start\":%llu", started);
	cleanup_free char *other = xasprintf("\"creator_start\":%llu", started + 1);
	save("old-kept", SPEC);
	rewrite_record("old-kept", "creator_started_by", exact);
	save("old-reused", SPEC);
	rewrite_record("old-reused", "creator_started_by", other);

	save("next", SPEC); /* the next create looks at the others */
	cr_assert_not(record_exists("reused"), "its pid is a later process's");
	cr_assert(record_exists("kept"), "its creator runs");
	cr_assert(record_exists("old-kept"), "its creator runs");
	cr_assert_not(record_exists("old-reused"), "its pid is another process's");
	cr_assert(record_exists("next"));
}

Test(container_state, the_clean_up_is_bounded)
{
	/* More gone containers than one save looks at: each save removes some,
	 * and they all go after a few. */
	for (int i = 0; i < 50; i++) {
		cleanup_free char *id = xasprintf("gone%d", i);
		save_from_exited_process(id, runtime_root);
	}
	cleanup_free char *dir = NULL;
	{
		DIR *d = opendir(state_dir);
		for (struct dirent *e; (e = readdir(d));)
			if (e->d_name[0] != '.')
				dir = xasprintf("%s/%s", state_dir, e->d_name);
		closedir(d);
	}
	/* the children's saves cleaned up after each other as they went */
	size_t before = count_dirs(dir);
	cr_assert_leq(before, 50);
	save("a", SPEC);
	save("b", SPEC);
	save("c", SPEC);
	save("d", SPEC);
	cr_assert_eq(count_dirs(dir), 4, "only the records of containers being created remain");
}

Test(container_state, runtime_times)
{
	int64_t ns;
	cr_assert(runtime_time_parse("2023-04-01T10:20:30.123456789Z", &ns));
	cr_assert_eq(ns, INT64_C(1680344430123456789));
	cr_assert(runtime_time_parse("2023-04-01T10:20:30.123456Z", &ns));
	cr_assert_eq(ns, INT64_C(1680344430123456000));
	cr_assert(runtime_time_parse("2023-04-01T10:20:30Z", &ns));
	cr_assert_eq(ns, INT64_C(1680344430000000000));
	cr_assert_not(runtime_time_parse("2023-04-01T10:20:30+02:00", &ns));
	cr_assert_not(runtime_time_parse("2023-04-01T10:20:30.Z", &ns));
	cr_assert_not(runtime_time_parse("yesterday", &ns));
}

Test(container_state, runtime_default_roots)
{
	unsetenv("XDG_RUNTIME_DIR");
	cleanup_free char *runc = runtime_default_root("/usr/sbin/runc");
	cleanup_free char *crun = runtime_default_root("/usr/bin/crun");
	cr_assert_str_eq(runc, "/run/runc");
	cr_assert_str_eq(crun, "/run/crun");
	/* crun honours $XDG_RUNTIME_DIR even as root; runc only when not root */
	setenv("XDG_RUNTIME_DIR", "/run/user/0", 1);
	cleanup_free char *crun_xdg = runtime_default_root("crun");
	cr_assert_str_eq(crun_xdg, "/run/user/0/crun");
	cleanup_free char *runc_xdg = runtime_default_root("runc");
	cr_assert_str_eq(runc_xdg, geteuid() == 0 ? "/run/runc" : "/run/user/0/runc");
	unsetenv("XDG_RUNTIME_DIR");
}

Test(container_state, ids)
{
	cr_assert(container_id_is_valid("abc-1.2_3+x"));
	cr_assert_not(container_id_is_valid(""));
	cr_assert_not(container_id_is_valid("."));
	cr_assert_not(container_id_is_valid(".."));
	cr_assert_not(container_id_is_valid("a/b"));
}
