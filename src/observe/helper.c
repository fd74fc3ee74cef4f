/* SPDX-License-Identifier: Apache-2.0 */
/* oci-harden-observe: observation of containers while they run, for
 * oci-harden (see oci-harden(8), OBSERVATION). oci-harden starts it, and
 * waits for it, only for a container it observes:
 *
 *   start RECORD [LOG FORMAT]    at `start`, before the runtime releases the
 *                                container: load and pin the kernel programs
 *                                if they are not (once per boot), register
 *                                the container by its mount namespace
 *   follow RECORD [LOG FORMAT]   the same for `run`, where the container
 *                                starts without a `start`: as soon as the
 *                                runtime has made it (not waited for)
 *   scan RECORD [LOG FORMAT]     at `kill` of an audit-mode container: what
 *                                it has written so far, kept for what it
 *                                removes as it stops
 *   collect RECORD [LOG FORMAT]  at `delete`: what was seen, as one line of
 *                                the event log; forget the container
 *   live                         every running observed container's
 *                                observation so far, as event-log lines on
 *                                stdout (for `oci-harden suggest`)
 *   sweep                        detach the syscall tracepoints when no
 *                                container needs them any more
 *
 * It never fails a container: whatever goes wrong is a warning in runc's
 * --log file LOG (in FORMAT, "text" or "json"), and exit status 0.
 *
 * No daemon: the kernel programs are pinned in bpffs and keep recording
 * while no process of ours runs. The syscall tracepoints slow every syscall
 * of the machine a little while attached, so they are attached only while a
 * container needs them (audit mode; enforce mode for the first
 * "observe_startup_seconds"), and detached by the first `collect` or `sweep`
 * that finds none does; for that, `start` of an enforce-mode container
 * leaves one short-lived process that sleeps out the window and sweeps. */
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <seccomp.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/capability.h>
#include <poll.h>
#include <sys/file.h>
#include <sys/syscall.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "audit_trail.h"
#include "bundle.h"
#include "drift.h"
#include "fileio.h"
#include "kernel.h"
#include "observation.h"
#include "observe_profile.h"
#include "observe_record.h"
#include "runtime_log.h"
#include "settings.h"
#include "writes.h"

/* How long a failure to load the kernel programs is believed: meanwhile no
 * container tries again (a load costs tens of milliseconds), and the log
 * says it once. */
#define OBSERVE_UNAVAILABLE_SECONDS 60
#define OBSERVE_MAX_WRITES	    2000
#define OBSERVE_FOLLOW_SECONDS	    10

struct helper {
	struct settings settings;
	struct runtime_log log;
	const char *record_path;
	struct observe_record record;
	int lock_fd;
};

static void helper_warn(struct helper *h, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void helper_warn(struct helper *h, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	cleanup_free char *msg = xvasprintf(fmt, ap);
	va_end(ap);
	runtime_log_write(&h->log, RUNTIME_LOG_WARNING, "oci-harden: observation: %s", msg);
}

/* One helper at a time loads programs or decides about the syscall
 * tracepoints. */
static void helper_lock(struct helper *h)
{
	cleanup_free char *path = xasprintf("%s/observe.lock", h->settings.state_dir);
	mkdir(h->settings.state_dir, 0700);
	h->lock_fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (h->lock_fd >= 0)
		flock(h->lock_fd, LOCK_EX);
}

static void helper_unlock(struct helper *h)
{
	if (h->lock_fd >= 0)
		close(h->lock_fd);
	h->lock_fd = -1;
}

static int64_t clock_ns(clockid_t clock)
{
	struct timespec ts;
	clock_gettime(clock, &ts);
	return (int64_t)ts.tv_sec * 1000000000ll + ts.tv_nsec;
}

static char *iso_time(int64_t realtime_ns)
{
	time_t sec = (time_t)(realtime_ns / 1000000000ll);
	struct tm tm;
	char stamp[64];
	gmtime_r(&sec, &tm);
	strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%S", &tm);
	return xasprintf("%s.%03lldZ", stamp, (long long)((realtime_ns / 1000000) % 1000));
}

/* ---- the kernel, or why not ---------------------------------------------- */

static char *unavailable_marker(const struct helper *h)
{
	return xasprintf("%s/observe-unavailable", h->settings.state_dir);
}

/* The reason of a fresh marker, or NULL. */
static char *kernel_known_unavailable(const struct helper *h)
{
	cleanup_free char *marker = unavailable_marker(h);
	struct stat st;
	if (stat(marker, &st) < 0 || time(NULL) - st.st_mtime >= OBSERVE_UNAVAILABLE_SECONDS)
		return NULL;
	cleanup_free char *text = NULL;
	size_t len;
	oh_error_t err = NULL;
	if (file_read_all(AT_FDCWD, marker, 4096, &text, &len, &err) < 0) {
		oh_error_free(&err);
		return xstrdup("unavailable");
	}
	return steal_pointer(&text);
}

static int helper_kernel(struct helper *h, bool load, struct observe_kernel *k, char **why)
{
	*why = kernel_known_unavailable(h);
	if (*why)
		return -1;
	cleanup_error oh_error_t err = NULL;
	cleanup_free char *said = NULL;
	if (observe_kernel_open(h->settings.observe_dir, load, k, &said, &err) == 0) {
		if (said)
			runtime_log_write(&h->log, RUNTIME_LOG_INFO, "oci-harden: observation: %s",
					  said);
		return 0;
	}
	observe_kernel_close(k);
	*why = xstrdup(err->msg);
	if (!load)
		return -1;
	/* Said once, in this container's log; the marker spares the next
	 * containers the attempt and the message. */
	helper_warn(h,
		    "unavailable on this kernel: %s; only what the writable layer shows is "
		    "recorded",
		    err->msg);
	cleanup_free char *marker = unavailable_marker(h);
	int fd = open(marker, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (fd >= 0) {
		ssize_t ignored = write(fd, err->msg, strlen(err->msg));
		(void)ignored;
		close(fd);
	}
	return -1;
}

/* ---- start ----------------------------------------------------------------------- */

static bool runtime_is_crun(const char *runtime)
{
	const char *base = runtime ? strrchr(runtime, '/') : NULL;
	return runtime && strcmp(base ? base + 1 : runtime, "crun") == 0;
}

/* The host pid of the container's first process, from the runtime's state:
 * runc's <root>/<id>/state.json "init_process_pid" (libcontainer/
 * container.go), crun's <root>/<id>/status "pid" (src/libcrun/status.c). */
static int64_t runtime_init_pid(const struct observe_record *r)
{
	bool crun = runtime_is_crun(r->runtime);
	const char *root = r->root ? r->root : crun ? "/run/crun" : "/run/runc";
	cleanup_free char *path =
	    xasprintf("%s/%s/%s", root, r->id, crun ? "status" : "state.json");
	cleanup_free char *text = NULL;
	size_t len;
	oh_error_t err = NULL;
	if (file_read_all(AT_FDCWD, path, 16u << 20, &text, &len, &err) < 0) {
		oh_error_free(&err);
		return 0;
	}
	cleanup_json struct json *doc = json_parse(text, len, 0, &err);
	oh_error_free(&err);
	const struct json *pid =
	    doc ? json_object_get(doc, crun ? "pid" : "init_process_pid") : NULL;
	int64_t n = 0;
	if (pid && pid->type == JSON_NUMBER)
		json_number_int64(pid, &n);
	return n;
}

/* The effective uid and gid of a process (the second field of Uid:, Gid:). */
static void process_ids(int64_t pid, uint32_t *uid, uint32_t *gid)
{
	cleanup_free char *path = xasprintf("/proc/%lld/status", (long long)pid);
	FILE *f = fopen(path, "re");
	char line[256];
	unsigned a, b;
	while (f && fgets(line, sizeof(line), f)) {
		if (sscanf(line, "Uid: %u %u", &a, &b) == 2)
			*uid = b;
		else if (sscanf(line, "Gid: %u %u", &a, &b) == 2)
			*gid = b;
	}
	if (f)
		fclose(f);
}

/* The container's config as the runtime got it (hardened in enforce
 * mode), still in its bundle at delete; NULL when unreadable. */
static struct json *record_spec(const struct observe_record *r)
{
	if (!r->bundle)
		return NULL;
	cleanup_free char *path = xasprintf("%s/config.json", r->bundle);
	cleanup_free char *text = NULL;
	size_t len = 0;
	oh_error_t err = NULL;
	struct json *spec = NULL;
	if (file_read_all(AT_FDCWD, path, BUNDLE_CONFIG_MAX_BYTES, &text, &len, &err) == 0)
		spec = json_parse(text, len, 0, &err);
	oh_error_free(&err);
	return spec;
}

/* The profile whose denials are watched for: in audit mode the policy's
 * (what enforce would deny), kept in the record at create; in enforce mode
 * the one the runtime loaded, from the bundle's config.json, kept in the
 * record here so that collect judges the calls the kernel kept by it. */
static void config_profile(struct helper *h, struct observe_container *c, bool audit)
{
	struct observe_record *r = &h->record;
	if (!audit) {
		json_free(r->seccomp_profile);
		r->seccomp_profile = NULL;
		cleanup_json struct json *spec = record_spec(r);
		const struct json *linux_ = spec ? json_object_get(spec, "linux") : NULL;
		const struct json *seccomp = linux_ ? json_object_get(linux_, "seccomp") : NULL;
		if (seccomp && seccomp->type == JSON_OBJECT)
			r->seccomp_profile = json_clone(seccomp);
	}
	if (!r->seccomp_profile)
		return;
	struct observe_profile p;
	cleanup_error oh_error_t err = NULL;
	if (observe_profile_read(r->seccomp_profile, seccomp_arch_native(), &p, &err) < 0) {
		helper_warn(h, "%s seccomp profile: %s; denied syscalls not observed",
			    audit ? "the policy's" : "the container's", err->msg);
		return;
	}
	c->default_denies = p.default_verdict.denies;
	for (int nr = 0; nr < OBSERVE_SYSCALL_MAX && nr < OBSERVE_PROFILE_SYSCALLS; nr++) {
		enum observe_class cls = observe_profile_classify(&p, nr);
		if (cls == OBSERVE_CLASS_DENIED)
			c->deny[nr / 64] |= 1ull << (nr % 64);
		else if (cls == OBSERVE_CLASS_BY_ARGUMENTS)
			c->cond[nr / 64] |= 1ull << (nr % 64);
	}
	bool cut = false;
	for (size_t i = 0; i < p.rules_len; i++) {
		const struct observe_profile_rule *pr = &p.rules[i];
		if (c->rules_len == OBSERVE_RULES) {
			/* No room: every call of it is kept, and judged here
			 * with its arguments. */
			c->deny[pr->nr / 64] |= 1ull << (pr->nr % 64);
			cut = true;
			continue;
		}
		struct observe_rule *kr = &c->rules[c->rules_len++];
		kr->nr = (__u16)pr->nr;
		kr->denies = pr->verdict.denies;
		kr->len = (__u8)pr->len;
		for (size_t k = 0; k < pr->len; k++)
			kr->conds[k] = (struct observe_cond){.index = pr->conds[k].index,
							     .op = pr->conds[k].op,
							     .value = pr->conds[k].value,
							     .value_two = pr->conds[k].value_two};
	}
	if (cut)
		helper_warn(h,
			    "the policy's seccomp profile has more than %d argument rules: the "
			    "first call of the others is judged, not every call",
			    OBSERVE_RULES);
	observe_profile_clear(&p);
}

/* qsort(3) with an empty list is fine in practice, but its pointer may be
 * NULL, which qsort's declaration forbids (UBSan stops the helper there). */
static void sort_items(void *items, size_t len, size_t size,
		       int (*compare)(const void *, const void *))
{
	if (len > 1)
		qsort(items, len, size, compare);
}

/* A process that sleeps out an enforce-mode container's window of syscall
 * observation, then detaches the tracepoints if nothing else needs them. */
static void spawn_sweeper(unsigned seconds)
{
	pid_t pid = fork();
	if (pid > 0)
		waitpid(pid, NULL, 0);
	if (pid != 0)
		return;
	setsid();
	int null = open("/dev/null", O_RDWR | O_CLOEXEC);
	for (int fd = 0; fd <= 2; fd++)
		dup2(null, fd);
	/* Only after the window: the programs themselves stop looking at the
	 * container's syscalls when it ends. */
	pid_t again = fork();
	if (again != 0)
		_exit(0);
	sleep(seconds + 1);
	char *argv[] = {"oci-harden-observe", "sweep", NULL};
	execv("/proc/self/exe", argv);
	_exit(0);
}

/* "observe_enforce_syscalls": "failing". Watching syscalls costs every
 * syscall of the machine a little, and an image that starts cleanly under
 * its policy has nothing to diagnose; one whose last container broke at
 * start (its first process failed within observe_startup_seconds, as a
 * crash loop does) does. A mark per image and policy, in the state
 * directory, says so: made by the collect of a container that broke,
 * removed by the collect of one that did not. */
static char *failing_mark(const struct helper *h, const struct observe_record *r)
{
	uint64_t hash = FNV1A_START;
	const char *parts[] = {r->image ? r->image : "", r->policy ? r->policy : ""};
	for (size_t i = 0; i < ARRAY_SIZE(parts); i++)
		hash = fnv1a(hash, parts[i], strlen(parts[i]) + 1); /* with its NUL */
	return xasprintf("%s/observe/failing/%016llx", h->settings.state_dir,
			 (unsigned long long)hash);
}

/* Whether the container broke at start: its first process ended on its
 * own with a failure, within the window. A stop (SIGTERM, SIGKILL) is
 * somebody else's doing. */
static bool broke_at_start(const struct helper *h, const struct observe_record *r,
			   const struct observe_state *s)
{
	if (!s->init_exited || s->init_exit_status == 0)
		return false;
	unsigned signal = s->init_exit_status & 0x7f;
	if (signal == SIGTERM || signal == SIGKILL)
		return false;
	return s->init_exit_ns - (uint64_t)r->start_boot_ns <
	       (uint64_t)h->settings.observe_startup_seconds * 1000000000ull;
}

static void failing_mark_update(const struct helper *h, const struct observe_record *r,
				const struct observe_state *s)
{
	cleanup_free char *mark = failing_mark(h, r);
	if (!broke_at_start(h, r, s)) {
		unlink(mark);
		return;
	}
	cleanup_free char *dir = xstrdup(mark);
	*strrchr(dir, '/') = '\0';
	mkdir(dir, 0700);
	int fd = open(mark, O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd >= 0)
		close(fd);
}

static int cmd_start(struct helper *h, bool follow)
{
	struct observe_record *r = &h->record;
	int64_t pid = runtime_init_pid(r);
	for (int tries = 0; follow && pid <= 0 && tries < OBSERVE_FOLLOW_SECONDS * 500; tries++) {
		usleep(2000);
		pid = runtime_init_pid(r);
	}
	if (pid <= 0) {
		helper_warn(h, "no runtime state for container %s: not observed", r->id);
		return 0;
	}
	__u64 mntns = observe_kernel_mntns(pid);
	if (!mntns) {
		helper_warn(h, "container %s: its process %lld is gone", r->id, (long long)pid);
		return 0;
	}
	r->started = true;
	r->mntns = mntns;
	r->pid = pid;
	r->uid_start = r->gid_start = 0;
	process_ids(pid, &r->uid_start, &r->gid_start);
	r->start_boot_ns = clock_ns(CLOCK_BOOTTIME);
	/* The clock the kernel stamps files with (coarse): what changes after
	 * this is what the container changed. */
	r->start_realtime = clock_ns(CLOCK_REALTIME_COARSE);
	r->started_at = iso_time(r->start_realtime);
	cleanup_error oh_error_t err = NULL;
	if (observe_writes_root(r->rootfs, &r->root_fstype, &r->upper, &r->lower, &err) < 0) {
		helper_warn(h, "container %s: %s", r->id, err->msg);
		oh_error_free(&err);
	}

	bool audit = r->mode && strcmp(r->mode, "audit") == 0;
	unsigned window = audit ? 0 : h->settings.observe_startup_seconds;
	bool image_fine = false;
	if (window && !h->settings.observe_enforce_syscalls_always) {
		cleanup_free char *mark = failing_mark(h, r);
		image_fine = access(mark, F_OK) < 0;
		if (image_fine)
			window = 0;
	}
	struct observe_container c = {
	    .id = r->mntns,
	    .flags = audit ? OBSERVE_F_AUDIT : OBSERVE_F_ENFORCE,
	    .init_tgid = (__u32)pid,
	    .start_ns = (__u64)r->start_boot_ns,
	    .start_realtime = r->start_realtime,
	    .syscalls_until_ns = audit	  ? ~0ull
				 : window ? (__u64)r->start_boot_ns + window * 1000000000ull
					  : 0,
	};
	if (audit || window)
		config_profile(h, &c, audit);
	r->syscalls_watched = audit	   ? xstrdup("always")
			      : window	   ? xasprintf("first %u s", window)
			      : image_fine ? xstrdup("none: the last container of its image and "
						     "policy did not break at start")
					   : xstrdup("none");

	helper_lock(h);
	struct observe_kernel k;
	cleanup_free char *why = NULL;
	if (helper_kernel(h, true, &k, &why) == 0) {
		if (observe_kernel_register(&k, r->mntns, &c, r->uid_start, r->gid_start, &err) <
			0 ||
		    (c.syscalls_until_ns && observe_kernel_syscalls(&k, true, &err) < 0)) {
			helper_warn(h, "container %s: %s", r->id, err->msg);
			oh_error_free(&err);
			xfree(why);
			why = xstrdup("registration failed");
		} else {
			r->kernel = true;
			observe_kernel_update_watch(&k);
		}
		observe_kernel_close(&k);
	}
	helper_unlock(h);
	if (!r->kernel) {
		r->kernel_unavailable = steal_pointer(&why);
		xfree(r->syscalls_watched);
		r->syscalls_watched = xstrdup("none");
	}
	if (observe_record_write(h->record_path, r, &err) < 0)
		helper_warn(h, "container %s: %s", r->id, err->msg);
	if (r->kernel && !audit && window)
		spawn_sweeper(window);
	return 0;
}

/* `run` has no `delete` of ours when the runtime removes the container
 * itself (run without --detach): the helper that registered it waits for
 * its first process to end, then collects. */
static void follow_to_the_end(struct helper *h)
{
	int pidfd = (int)syscall(SYS_pidfd_open, (pid_t)h->record.pid, 0);
	if (pidfd < 0)
		return;
	struct pollfd p = {.fd = pidfd, .events = POLLIN};
	while (poll(&p, 1, -1) < 0 && errno == EINTR)
		;
	close(pidfd);
}

/* ---- collect ----------------------------------------------------------------------- */

struct timebase {
	int64_t boot_to_real; /* add to CLOCK_BOOTTIME ns for CLOCK_REALTIME ns */
};

static void seen_from_event(const struct timebase *tb, const struct observe_event *e,
			    struct observation_seen *seen)
{
	seen->time = iso_time((int64_t)e->time_ns + tb->boot_to_real);
	seen->pid = e->tgid;
	seen->comm = xstrndup(e->comm, sizeof(e->comm));
	seen->uid = e->uid;
	seen->euid = e->euid;
}

static char *syscall_name(int nr)
{
	char *name = nr >= 0 ? seccomp_syscall_resolve_num_arch(seccomp_arch_native(), nr) : NULL;
	if (name)
		return name;
	return xasprintf("syscall %d", nr);
}

static char *capability_name(int cap)
{
	char *lower = cap_to_name((cap_value_t)cap);
	if (!lower)
		return xasprintf("CAP_%d", cap);
	char *name = xasprintf("%s", lower);
	cap_free(lower);
	for (char *p = name; *p; p++)
		if (*p >= 'a' && *p <= 'z')
			*p = (char)(*p - 'a' + 'A');
	return name;
}

static int compare_seen_time(const char *a, const char *b)
{
	return strcmp(a ? a : "", b ? b : "");
}

static int compare_caps(const void *a, const void *b)
{
	return compare_seen_time(((const struct observation_capability *)a)->seen.time,
				 ((const struct observation_capability *)b)->seen.time);
}

static int compare_syscalls(const void *a, const void *b)
{
	return compare_seen_time(((const struct observation_syscall *)a)->seen.time,
				 ((const struct observation_syscall *)b)->seen.time);
}

static int compare_ids(const void *a, const void *b)
{
	return compare_seen_time(((const struct observation_ids *)a)->seen.time,
				 ((const struct observation_ids *)b)->seen.time);
}

static int compare_execs(const void *a, const void *b)
{
	return compare_seen_time(((const struct observation_exec *)a)->seen.time,
				 ((const struct observation_exec *)b)->seen.time);
}

static int compare_refusals(const void *a, const void *b)
{
	return compare_seen_time(((const struct observation_refusal *)a)->seen.time,
				 ((const struct observation_refusal *)b)->seen.time);
}

static int compare_writes(const void *a, const void *b)
{
	return strcmp(((const struct observation_write *)a)->path,
		      ((const struct observation_write *)b)->path);
}

static const char *const exec_origins[] = {
    [OBSERVE_ORIGIN_OTHER_MOUNT] = "other mount",
    [OBSERVE_ORIGIN_UPPER_LAYER] = "upper layer",
    [OBSERVE_ORIGIN_CHANGED] = "changed since start",
};

/* The observation of one container from what the kernel kept. */
static void observation_from_kernel(const struct observe_record *r,
				    const struct observe_kernel_seen *seen, struct observation *o)
{
	struct timebase tb = {.boot_to_real = clock_ns(CLOCK_REALTIME) - clock_ns(CLOCK_BOOTTIME)};
	struct observe_profile profile = {0};
	bool have_profile = false;
	if (r->seccomp_profile) {
		oh_error_t err = NULL;
		have_profile = observe_profile_read(r->seccomp_profile, seccomp_arch_native(),
						    &profile, &err) == 0;
		oh_error_free(&err);
	}
	o->complete = o->complete && !seen->state.lost;
	o->init.known = true;
	o->init.pid = r->pid;
	o->init.uid_start = r->uid_start;
	o->init.gid_start = r->gid_start;
	o->init.uid_end = seen->state.init_uid;
	o->init.gid_end = seen->state.init_gid;
	o->init.switched = seen->state.init_switched;

	for (size_t i = 0; i < seen->details_len; i++) {
		const struct observe_kernel_detail *d = &seen->details[i];
		const struct observe_event *e = &d->event;
		switch (d->key.kind) {
		case OBSERVE_CAP_USED:
		case OBSERVE_CAP_DENIED: {
			struct observation_capability *c = observation_list_add(
			    d->key.kind == OBSERVE_CAP_USED ? &o->capabilities
							    : &o->capabilities_denied);
			c->name = capability_name(d->key.item & 63);
			if (d->key.kind == OBSERVE_CAP_DENIED) {
				c->syscall = syscall_name(e->nr);
				c->error = -e->error;
			}
			seen_from_event(&tb, e, &c->seen);
			break;
		}
		case OBSERVE_SYSCALL_MADE:
		case OBSERVE_SYSCALL_DENIED: {
			struct observation_syscall *s = observation_list_add(
			    d->key.kind == OBSERVE_SYSCALL_MADE ? &o->syscalls
								: &o->syscalls_denied);
			s->nr = d->key.item;
			s->name = syscall_name(d->key.item);
			s->has_args = true;
			memcpy(s->args, e->args, sizeof(s->args));
			if (have_profile) {
				struct observe_verdict v =
				    observe_profile_eval(&profile, (int)s->nr, s->args);
				if (!v.denies) {
					/* The kernel kept a call its rules could not
					 * judge; with its arguments it was allowed
					 * (and, denied, failed on its own). */
					xfree(s->name);
					(d->key.kind == OBSERVE_SYSCALL_MADE ? &o->syscalls
									     : &o->syscalls_denied)
					    ->len--;
					break;
				}
				if (d->key.kind == OBSERVE_SYSCALL_MADE) {
					s->action = xstrdup(v.action);
					s->error = v.error;
				}
			}
			if (d->key.kind == OBSERVE_SYSCALL_DENIED)
				s->error = -e->error;
			seen_from_event(&tb, e, &s->seen);
			break;
		}
		}
	}
	for (size_t i = 0; i < seen->paths_len; i++) {
		const struct observe_kernel_path *p = &seen->paths[i];
		const struct observe_event *e = &p->value.event;
		cleanup_free char *path = xstrndup(p->key.path, sizeof(p->key.path));
		if (p->key.kind == OBSERVE_WRITE_REFUSED) {
			struct observation_refusal *f = observation_list_add(&o->writes_refused);
			f->path = steal_pointer(&path);
			f->syscall = syscall_name(e->nr);
			f->error = -e->error;
			seen_from_event(&tb, e, &f->seen);
			continue;
		}
		struct observation_exec *x = observation_list_add(
		    p->key.kind == OBSERVE_EXEC_FOREIGN	  ? &o->execs_foreign
		    : p->key.kind == OBSERVE_EXEC_REFUSED ? &o->execs_refused
							  : &o->execs_privileged);
		x->path = steal_pointer(&path);
		if (p->key.kind == OBSERVE_EXEC_FOREIGN &&
		    p->value.origin < ARRAY_SIZE(exec_origins))
			x->origin = xstrdup(exec_origins[p->value.origin]);
		if (p->value.fstype[0])
			x->filesystem = xstrndup(p->value.fstype, sizeof(p->value.fstype));
		x->error = p->key.kind == OBSERVE_EXEC_REFUSED ? -e->error : 0;
		seen_from_event(&tb, e, &x->seen);
	}
	for (size_t i = 0; i < seen->ids_len; i++) {
		const struct observe_kernel_ids *k = &seen->ids[i];
		struct observation_ids *ids = observation_list_add(&o->ids);
		ids->uid = k->key.uid;
		ids->gid = k->key.gid;
		ids->euid = k->key.euid;
		ids->egid = k->key.egid;
		ids->how = xstrdup(k->key.how == OBSERVE_IDS_SETID ? "setid" : "exec");
		seen_from_event(&tb, &k->event, &ids->seen);
	}
	if (have_profile)
		observe_profile_clear(&profile);
	sort_items(o->capabilities.items, o->capabilities.len, sizeof(*o->capabilities.items),
		   compare_caps);
	sort_items(o->capabilities_denied.items, o->capabilities_denied.len,
		   sizeof(*o->capabilities_denied.items), compare_caps);
	sort_items(o->syscalls.items, o->syscalls.len, sizeof(*o->syscalls.items),
		   compare_syscalls);
	sort_items(o->syscalls_denied.items, o->syscalls_denied.len,
		   sizeof(*o->syscalls_denied.items), compare_syscalls);
	sort_items(o->ids.items, o->ids.len, sizeof(*o->ids.items), compare_ids);
	sort_items(o->writes_refused.items, o->writes_refused.len, sizeof(*o->writes_refused.items),
		   compare_refusals);
	sort_items(o->execs_foreign.items, o->execs_foreign.len, sizeof(*o->execs_foreign.items),
		   compare_execs);
	sort_items(o->execs_refused.items, o->execs_refused.len, sizeof(*o->execs_refused.items),
		   compare_execs);
	sort_items(o->execs_privileged.items, o->execs_privileged.len,
		   sizeof(*o->execs_privileged.items), compare_execs);
}

static bool writes_have(const struct observation *o, const char *path)
{
	for (size_t i = 0; i < o->writes.len; i++)
		if (strcmp(o->writes.items[i].path, path) == 0)
			return true;
	return false;
}

/* What a scan while it ran saw that is gone by now: the container removed
 * it as it stopped (a pid file, a socket), and needed it all the same. */
static void writes_add_seen(const struct observe_record *r, struct observation *o)
{
	if (!r->writes_seen)
		return;
	struct observation seen = {0};
	oh_error_t err = NULL;
	if (observation_writes_from_json(r->writes_seen, &seen, &err) < 0) {
		oh_error_free(&err);
		observation_clear(&seen);
		return;
	}
	for (size_t i = 0; i < seen.writes.len; i++) {
		struct observation_write *w = &seen.writes.items[i];
		if (writes_have(o, w->path))
			continue;
		struct observation_write *kept = observation_list_add(&o->writes);
		*kept = *w;
		kept->gone = true;
		*w = (struct observation_write){0};
	}
	observation_clear(&seen);
}

/* The whole observation of a started container; `forget` when it goes. */
static void observe_container(struct helper *h, const struct observe_record *r, bool forget,
			      struct observation *o)
{
	*o = (struct observation){.complete = true};
	o->mode = xstrdup(r->mode ? r->mode : "audit");
	o->started = xstrdup(r->started_at ? r->started_at : "");
	o->ended = iso_time(clock_ns(CLOCK_REALTIME));
	o->syscalls_watched = xstrdup(r->syscalls_watched ? r->syscalls_watched : "none");
	if (r->kernel) {
		struct observe_kernel k;
		cleanup_free char *why = NULL;
		helper_lock(h);
		if (helper_kernel(h, false, &k, &why) == 0) {
			struct observe_kernel_seen seen;
			cleanup_error oh_error_t err = NULL;
			if (observe_kernel_read(&k, r->mntns, forget, &seen, &err) == 0) {
				o->kernel = true;
				observation_from_kernel(r, &seen, o);
				if (forget && !(r->mode && strcmp(r->mode, "audit") == 0))
					failing_mark_update(h, r, &seen.state);
				observe_kernel_seen_clear(&seen);
			} else {
				why = xstrdup(err->msg);
			}
			if (forget)
				observe_kernel_update_watch(&k);
			/* The last container that needed the syscall
			 * tracepoints takes them away. */
			if (forget && observe_kernel_syscalls_attached(&k) &&
			    !observe_kernel_syscalls_needed(&k) &&
			    observe_kernel_syscalls(&k, false, &err) < 0)
				helper_warn(h, "%s", err->msg);
			observe_kernel_close(&k);
		}
		helper_unlock(h);
		if (!o->kernel)
			o->kernel_unavailable =
			    xasprintf("the kernel's record was lost: %s", why ? why : "?");
	} else {
		o->kernel_unavailable =
		    xstrdup(r->kernel_unavailable ? r->kernel_unavailable : "not started");
	}
	if (r->mode && strcmp(r->mode, "audit") == 0) {
		observe_writes_scan(r, o, OBSERVE_MAX_WRITES);
		writes_add_seen(r, o);
	} else
		o->writes_unavailable =
		    xstrdup("enforce mode: the root is read-only; refused writes are recorded");
	sort_items(o->writes.items, o->writes.len, sizeof(*o->writes.items), compare_writes);
}

static char *event_line(const struct observe_record *r, const struct observation *o, bool live)
{
	cleanup_json struct json *line = json_new_object();
	cleanup_free char *now = iso_time(clock_ns(CLOCK_REALTIME));
	json_object_set(line, "v", json_new_int(AUDIT_TRAIL_EVENT_VERSION));
	json_object_set(line, "time", json_new_string(now));
	json_object_set(line, "command", json_new_string("observe"));
	json_object_set(line, "container", json_new_string(r->id));
	json_object_set(line, "bundle", r->bundle ? json_new_string(r->bundle) : json_new_null());
	json_object_set(line, "image", r->image ? json_new_string(r->image) : json_new_null());
	json_object_set(line, "policy", r->policy ? json_new_string(r->policy) : json_new_null());
	json_object_set(line, "mode", json_new_string(r->mode ? r->mode : "audit"));
	json_object_set(line, "outcome", json_new_string(live ? "observing" : "observed"));
	json_object_set(line, "observation", observation_to_json(o));
	return json_to_string(line, false);
}

/* Enforce mode: what the hardening denied the container, in the runtime
 * log, so that an image that breaks under the policy names oci-harden and
 * not only its own error (issue 12, diagnosis). */
static void report_denials(struct helper *h, const struct observe_record *r,
			   const struct observation *o)
{
	if (!r->mode || strcmp(r->mode, "enforce") != 0)
		return;
	cleanup_free char *denials = observation_denials(o, 6);
	if (!denials)
		return;
	runtime_log_write(&h->log, RUNTIME_LOG_WARNING,
			  "oci-harden: container %s (image %s) in enforce mode, policy %s: "
			  "oci-harden's hardening denied it: %s; `oci-harden suggest` says what "
			  "each image was denied and writes a policy that lifts it",
			  r->id, r->image ? r->image : "?", r->policy ? r->policy : "?", denials);
}

/* Drift (issue 16, detection): each program run that is not from the
 * image's layers, as a line of its own in the event log and a warning in
 * the runtime log. */
#define DRIFT_LOG_MAX 5
static void report_drift(struct helper *h, const struct observe_record *r,
			 const struct observation *o)
{
	if (!o->execs_foreign.len && !o->execs_refused.len)
		return;
	cleanup_json struct json *spec = o->execs_refused.len ? record_spec(r) : NULL;
	struct drift_container c = {
	    .id = r->id, .image = r->image, .policy = r->policy, .mode = r->mode, .spec = spec};
	cleanup_free char *now = iso_time(clock_ns(CLOCK_REALTIME));
	cleanup_json struct json *events = drift_events(&c, o, now);
	for (size_t i = 0; i < events->array.len; i++) {
		cleanup_free char *line = json_to_string(events->array.items[i], false);
		cleanup_error oh_error_t err = NULL;
		if (h->settings.event_log &&
		    audit_trail_append(h->settings.event_log, line, &err) < 0)
			helper_warn(h, "%s", err->msg);
		if (i < DRIFT_LOG_MAX) {
			cleanup_free char *sentence = drift_event_sentence(events->array.items[i]);
			runtime_log_write(&h->log, RUNTIME_LOG_WARNING, "%s", sentence);
		}
	}
	if (events->array.len > DRIFT_LOG_MAX)
		runtime_log_write(&h->log, RUNTIME_LOG_WARNING,
				  "oci-harden: drift: container %s: %zu more in the event log",
				  r->id, events->array.len - DRIFT_LOG_MAX);
}

/* Whether the container's first process still runs (same pid, same mount
 * namespace: not a recycled pid). */
static bool container_alive(const struct observe_record *r)
{
	return r->pid > 0 && observe_kernel_mntns(r->pid) == r->mntns;
}

static int cmd_collect(struct helper *h)
{
	struct observe_record *r = &h->record;
	if (r->started && container_alive(r)) {
		/* `delete --force` of a running container: the runtime kills it
		 * after we return. Without --force it refuses, and the container
		 * goes on: wait in the background for it to go, a while. */
		pid_t pid = fork();
		if (pid > 0) {
			waitpid(pid, NULL, 0);
			return 0;
		}
		if (pid < 0)
			return 0;
		setsid();
		int null = open("/dev/null", O_RDWR | O_CLOEXEC);
		for (int fd = 0; fd <= 2; fd++)
			dup2(null, fd);
		if (fork() != 0)
			_exit(0);
		for (int tries = 0; tries < 600 && container_alive(r); tries++)
			usleep(50000);
		if (container_alive(r))
			_exit(0);
	}
	if (r->started) {
		struct observation o;
		observe_container(h, r, true, &o);
		cleanup_free char *line = event_line(r, &o, false);
		cleanup_error oh_error_t err = NULL;
		if (h->settings.event_log &&
		    audit_trail_append(h->settings.event_log, line, &err) < 0)
			helper_warn(h, "%s", err->msg);
		report_denials(h, r, &o);
		report_drift(h, r, &o);
		observation_clear(&o);
	}
	unlink(h->record_path);
	cleanup_free char *marker = observe_record_scan_marker(h->record_path);
	unlink(marker);
	return 0;
}

/* At kill: what the container has written so far, kept in the record. */
static int cmd_scan(struct helper *h)
{
	struct observe_record *r = &h->record;
	if (!r->started || !r->mode || strcmp(r->mode, "audit") != 0)
		return 0;
	struct observation o = {.complete = true};
	observe_writes_scan(r, &o, OBSERVE_MAX_WRITES);
	writes_add_seen(r, &o);
	for (size_t i = 0; i < o.writes.len; i++)
		o.writes.items[i].gone = false;
	json_free(r->writes_seen);
	r->writes_seen = observation_writes_to_json(&o);
	observation_clear(&o);
	cleanup_error oh_error_t err = NULL;
	if (observe_record_write(h->record_path, r, &err) < 0)
		helper_warn(h, "%s", err->msg);
	return 0;
}

/* ---- live, sweep -------------------------------------------------------------------- */

static int cmd_live(struct helper *h)
{
	cleanup_free char *pattern = xasprintf("%s/observe/*/*.json", h->settings.state_dir);
	glob_t g;
	if (glob(pattern, 0, NULL, &g) != 0)
		return 0;
	for (size_t i = 0; i < g.gl_pathc; i++) {
		struct observe_record r;
		oh_error_t err = NULL;
		if (observe_record_read(g.gl_pathv[i], &r, &err) <= 0) {
			oh_error_free(&err);
			continue;
		}
		if (r.started) {
			struct observation o;
			observe_container(h, &r, false, &o);
			cleanup_free char *line = event_line(&r, &o, true);
			observation_clear(&o);
			printf("%s\n", line);
		}
		observe_record_clear(&r);
	}
	globfree(&g);
	return 0;
}

static int cmd_sweep(struct helper *h)
{
	struct observe_kernel k;
	cleanup_free char *why = NULL;
	helper_lock(h);
	if (helper_kernel(h, false, &k, &why) == 0) {
		cleanup_error oh_error_t err = NULL;
		observe_kernel_update_watch(&k);
		if (observe_kernel_syscalls_attached(&k) && !observe_kernel_syscalls_needed(&k))
			observe_kernel_syscalls(&k, false, &err);
		observe_kernel_close(&k);
	}
	helper_unlock(h);
	return 0;
}

static const char helper_usage[] =
    "usage: oci-harden-observe start|follow|scan|collect RECORD [LOG FORMAT]\n"
    "       oci-harden-observe live|sweep\n";

int main(int argc, char **argv)
{
	struct helper h = {.lock_fd = -1};
	if (argc < 2) {
		fputs(helper_usage, stderr);
		return 2;
	}
	/* Each command lives a few milliseconds and frees little of what it
	 * parses (runc's state, the record, the config): the arena (util.c)
	 * spares it malloc's general path, as it spares a create. */
	alloc_arena_begin();
	const char *command = argv[1];
	if (argc >= 5) {
		h.log.path = argv[3][0] ? argv[3] : NULL;
		h.log.format = strcmp(argv[4], "json") == 0 ? RUNC_LOG_JSON : RUNC_LOG_TEXT;
	}
	/* A settings file named by the environment that is gone (a sweeper
	 * that slept past its test's end) is not the zero-configuration case:
	 * the default state and observation directories are not this
	 * container's. */
	const char *named = getenv(SETTINGS_ENV);
	if (named && *named && access(named, F_OK) < 0 && errno == ENOENT)
		return 0;
	cleanup_error oh_error_t err = NULL;
	if (settings_load(&h.settings, &err) < 0) {
		runtime_log_write(&h.log, RUNTIME_LOG_WARNING, "oci-harden: observation: %s",
				  err->msg);
		return 0;
	}
	int status = 0;
	if (strcmp(command, "live") == 0) {
		status = cmd_live(&h);
	} else if (strcmp(command, "sweep") == 0) {
		status = cmd_sweep(&h);
	} else if (argc >= 3 && (strcmp(command, "start") == 0 || strcmp(command, "follow") == 0 ||
				 strcmp(command, "collect") == 0 || strcmp(command, "scan") == 0)) {
		h.record_path = argv[2];
		int found = observe_record_read(h.record_path, &h.record, &err);
		if (found < 0)
			helper_warn(&h, "%s", err->msg);
		else if (found > 0 && strcmp(command, "collect") == 0)
			status = cmd_collect(&h);
		else if (found > 0 && strcmp(command, "scan") == 0)
			status = cmd_scan(&h);
		else if (found > 0 && strcmp(command, "start") == 0)
			status = cmd_start(&h, false);
		else if (found > 0 && cmd_start(&h, true) == 0 && h.record.started) {
			follow_to_the_end(&h);
			observe_record_clear(&h.record);
			if (observe_record_read(h.record_path, &h.record, &err) > 0)
				status = cmd_collect(&h);
		}
		observe_record_clear(&h.record);
	} else {
		fputs(helper_usage, stderr);
		status = 2;
	}
	settings_clear(&h.settings);
	return status;
}
