/* SPDX-License-Identifier: Apache-2.0 */
/* `oci-harden sync-policies SOURCE`: make the node's policy directory what
 * SOURCE holds (a Kubernetes ConfigMap as the kubelet projects it into the
 * DaemonSet's pod), all of it or none of it.
 *
 * Settings "policy_dir" is read on every create, so a create must never
 * see half a set: each set is written into a directory of its own
 * (POLICY_SETS/N beside policy_dir), `oci-harden check` runs on it there
 * with the node's settings, and only a set it finds nothing wrong with is
 * installed, by renaming a new symbolic link over policy_dir (rename(2) is
 * atomic). A create resolves policy_dir once and reads every file of its
 * set through that (settings_pin_policy_dir), and the set it may still be
 * reading, the one just replaced, is kept until the next change. A refused
 * set changes nothing; the refusal is printed, kept in the status file
 * (STATE_DIR/policy-sync.json) and makes `sync-policies --status`, the
 * DaemonSet's readiness probe, fail with check's findings.
 *
 * The kubelet updates a projected volume the same way (a "..data" link to
 * a timestamped directory, swapped by rename), so SOURCE is read through
 * "..data" when it has one, and read again when "..data" moved meanwhile:
 * a set is never made from two versions of the ConfigMap. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "commands.h"
#include "fileio.h"
#include "install.h"
#include "json.h"
#include "node.h"
#include "settings.h"

#define SYNC_MAX_FILE_BYTES  (4u << 20)
#define SYNC_MAX_TOTAL_BYTES (32u << 20)
#define SYNC_MAX_FILES	     1000
#define SYNC_MAX_DEPTH	     2

static const char sync_usage[] =
    "usage: oci-harden sync-policies [--host-root DIR] [--watch SECONDS] SOURCE\n"
    "       oci-harden sync-policies [--host-root DIR] --status\n";

/* One file of a set: its path inside the set, and its bytes. */
struct sync_file {
	char *name;
	char *data;
	size_t len;
};

struct sync_set {
	struct sync_file *files;
	size_t len, cap;
	size_t total;
};

static void sync_set_clear(struct sync_set *set)
{
	for (size_t i = 0; i < set->len; i++) {
		xfree(set->files[i].name);
		xfree(set->files[i].data);
	}
	xfree(set->files);
	*set = (struct sync_set){0};
}

static int sync_compare_files(const void *a, const void *b)
{
	return strcmp(((const struct sync_file *)a)->name, ((const struct sync_file *)b)->name);
}

static bool sync_set_equal(const struct sync_set *a, const struct sync_set *b)
{
	if (a->len != b->len)
		return false;
	for (size_t i = 0; i < a->len; i++)
		if (strcmp(a->files[i].name, b->files[i].name) != 0 ||
		    a->files[i].len != b->files[i].len ||
		    memcmp(a->files[i].data, b->files[i].data, a->files[i].len) != 0)
			return false;
	return true;
}

/* Every regular file under `dirfd` (names not starting with '.', which is
 * how the kubelet hides its own entries), into `set` sorted by name. */
static int sync_read_dir(int dirfd, const char *prefix, const char *display, unsigned depth,
			 struct sync_set *set, oh_error_t *err)
{
	DIR *d = fdopendir(dup(dirfd));
	if (!d)
		return oh_error_make(err, errno, "%s: cannot list", display);
	struct dirent *e;
	int r = 0;
	while (r == 0 && (e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		cleanup_free char *name =
		    *prefix ? xasprintf("%s/%s", prefix, e->d_name) : xstrdup(e->d_name);
		cleanup_free char *shown = xasprintf("%s/%s", display, e->d_name);
		struct stat st;
		/* The kubelet's keys are links into ..data: followed, within
		 * the source. */
		if (fstatat(dirfd, e->d_name, &st, 0) < 0) {
			r = oh_error_make(err, errno, "%s", shown);
			break;
		}
		if (S_ISDIR(st.st_mode)) {
			if (depth >= SYNC_MAX_DEPTH) {
				r = oh_error_make(err, 0, "%s: directories nested too deeply",
						  shown);
				break;
			}
			cleanup_close int sub =
			    openat(dirfd, e->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
			if (sub < 0) {
				r = oh_error_make(err, errno, "%s", shown);
				break;
			}
			r = sync_read_dir(sub, name, shown, depth + 1, set, err);
			continue;
		}
		if (!S_ISREG(st.st_mode)) {
			r = oh_error_make(err, 0, "%s: not a regular file", shown);
			break;
		}
		if (set->len >= SYNC_MAX_FILES) {
			r = oh_error_make(err, 0, "%s: more than %d files", display,
					  SYNC_MAX_FILES);
			break;
		}
		struct sync_file file = {0};
		if (file_read_all_flags(dirfd, e->d_name, shown, SYNC_MAX_FILE_BYTES, 0, &file.data,
					&file.len, NULL, err) < 0) {
			r = -1;
			break;
		}
		set->total += file.len;
		if (set->total > SYNC_MAX_TOTAL_BYTES) {
			xfree(file.data);
			r = oh_error_make(err, 0, "%s: more than %u bytes in all", display,
					  SYNC_MAX_TOTAL_BYTES);
			break;
		}
		file.name = steal_pointer(&name);
		set->files = xgrow(set->files, &set->cap, set->len + 1, sizeof(*set->files));
		set->files[set->len++] = file;
	}
	closedir(d);
	if (r == 0 && depth == 0 && set->len > 1)
		qsort(set->files, set->len, sizeof(*set->files), sync_compare_files);
	return r;
}

/* What SOURCE holds now, as one version: through "..data" when the kubelet
 * made it, and again if "..data" moved while it was read. */
static int sync_read_source(int source_fd, const char *display, struct sync_set *set,
			    oh_error_t *err)
{
	for (int attempt = 0; attempt < 5; attempt++) {
		char before[4096], after[4096];
		ssize_t n = readlinkat(source_fd, "..data", before, sizeof(before) - 1);
		if (n < 0) {
			if (errno != ENOENT && errno != EINVAL)
				return oh_error_make(err, errno, "%s/..data", display);
			return sync_read_dir(source_fd, "", display, 0, set, err);
		}
		before[n] = '\0';
		cleanup_close int data =
		    openat(source_fd, before, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		int r = data < 0 ? oh_error_make(err, errno, "%s/%s", display, before)
				 : sync_read_dir(data, "", display, 0, set, err);
		ssize_t m = readlinkat(source_fd, "..data", after, sizeof(after) - 1);
		if (m >= 0)
			after[m] = '\0';
		if (m == n && strcmp(before, after) == 0)
			return r;
		/* The kubelet swapped the version meanwhile: read the new one. */
		if (r < 0)
			oh_error_free(err);
		sync_set_clear(set);
	}
	return oh_error_make(err, 0, "%s: changed five times while being read", display);
}

/* The set in the directory `path`, as it was installed. */
static int sync_read_installed(const char *path, struct sync_set *set, oh_error_t *err)
{
	cleanup_close int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return oh_error_make(err, errno, "%s", path);
	return sync_read_dir(fd, "", path, 0, set, err);
}

static int sync_write_set(const char *dir, const struct sync_set *set, oh_error_t *err)
{
	if (mkdir(dir, 0755) < 0)
		return oh_error_make(err, errno, "cannot create %s", dir);
	for (size_t i = 0; i < set->len; i++) {
		cleanup_free char *path = xasprintf("%s/%s", dir, set->files[i].name);
		const char *slash = strrchr(set->files[i].name, '/');
		if (slash) {
			cleanup_free char *sub = xasprintf(
			    "%s/%.*s", dir, (int)(slash - set->files[i].name), set->files[i].name);
			if (mkdir(sub, 0755) < 0 && errno != EEXIST)
				return oh_error_make(err, errno, "cannot create %s", sub);
		}
		/* The directory is new and no create looks into it yet: each file
		 * is written in place, and made durable all at once below. */
		cleanup_close int fd =
		    open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
		const char *data = set->files[i].data;
		size_t left = set->files[i].len;
		while (fd >= 0 && left > 0) {
			ssize_t n = write(fd, data, left);
			if (n < 0 && errno == EINTR)
				continue;
			if (n < 0)
				break;
			data += n;
			left -= (size_t)n;
		}
		if (fd < 0 || left > 0)
			return oh_error_make(err, errno, "cannot write %s", path);
	}
	/* Before the link can point at the set, the set is on disk: one
	 * syncfs(2) of the file system rather than an fsync per file. */
	cleanup_close int dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dirfd < 0 || syncfs(dirfd) < 0)
		return oh_error_make(err, errno, "cannot sync %s", dir);
	return 0;
}

/* `oci-harden check` of the set in `dir`, as the node would use it: the
 * node's settings with policy_dir there, so that check also finds a
 * default_policy or sandbox_policy the set lacks. In a child, whose output
 * is collected into `findings`. Returns check's exit status. */
static int sync_check(const char *node_settings, size_t node_settings_len, const char *sets,
		      const char *dir, struct strbuf *findings, oh_error_t *err)
{
	cleanup_json struct json *settings =
	    node_settings ? json_parse(node_settings, node_settings_len, JSON_PARSE_COMMENTS, err)
			  : json_new_object();
	if (!settings)
		return oh_error_wrap(err, "%s", SETTINGS_DEFAULT_PATH);
	json_object_set(settings, "policy_dir", json_new_string(dir));
	cleanup_free char *text = json_to_string(settings, true);
	cleanup_free char *settings_path = xasprintf("%s/.check-settings.json", sets);
	if (node_write_file(settings_path, text, strlen(text), 0600, err) < 0)
		return -1;

	int pipefd[2];
	if (pipe2(pipefd, O_CLOEXEC) < 0)
		return oh_error_make(err, errno, "cannot make a pipe");
	fflush(stdout);
	fflush(stderr);
	pid_t pid = fork();
	if (pid < 0) {
		close(pipefd[0]);
		close(pipefd[1]);
		return oh_error_make(err, errno, "cannot fork to check the policies");
	}
	if (pid == 0) {
		dup2(pipefd[1], STDOUT_FILENO);
		dup2(pipefd[1], STDERR_FILENO);
		setenv(SETTINGS_ENV, settings_path, 1);
		char *argv[] = {"check", NULL};
		int status = cmd_check(1, argv);
		fflush(stdout);
		fflush(stderr);
		_exit(status);
	}
	close(pipefd[1]);
	char buf[4096];
	ssize_t n;
	while ((n = read(pipefd[0], buf, sizeof(buf))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			break;
		if (findings->len < 64 * 1024)
			strbuf_append(findings, buf, (size_t)n);
	}
	close(pipefd[0]);
	int status;
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	unlink(settings_path);
	if (!findings->buf)
		strbuf_puts(findings, "");
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* The number N of a set directory's name, or -1. */
static long sync_set_number(const char *name)
{
	if (!*name || strlen(name) > 18)
		return -1;
	long n = 0;
	for (const char *p = name; *p; p++) {
		if (*p < '0' || *p > '9')
			return -1;
		n = n * 10 + (*p - '0');
	}
	return n;
}

static void sync_status_write(const struct settings *settings, const char *outcome, long set,
			      const char *problems)
{
	struct string_list made = {0};
	oh_error_t err = NULL;
	if (node_make_dirs(settings->state_dir, 0700, &made, &err) < 0) {
		oh_error_free(&err);
		string_list_clear(&made);
		return;
	}
	string_list_clear(&made);
	char stamp[64];
	time_t now = time(NULL);
	struct tm tm;
	gmtime_r(&now, &tm);
	strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%SZ", &tm);
	cleanup_json struct json *doc = json_new_object();
	json_object_set(doc, "v", json_new_int(1));
	json_object_set(doc, "time", json_new_string(stamp));
	json_object_set(doc, "outcome", json_new_string(outcome));
	json_object_set(doc, "set", set >= 0 ? json_new_int(set) : json_new_null());
	json_object_set(doc, "problems", problems ? json_new_string(problems) : json_new_null());
	cleanup_free char *text = json_to_string(doc, false);
	cleanup_free char *line = xasprintf("%s\n", text);
	cleanup_free char *path = xasprintf("%s/%s", settings->state_dir, INSTALL_SYNC_STATUS_FILE);
	if (node_write_file(path, line, strlen(line), 0644, &err) < 0)
		oh_error_free(&err);
}

static int sync_node_settings(struct settings *settings, char **text, size_t *len, oh_error_t *err)
{
	bool exists;
	if (node_read_file(SETTINGS_DEFAULT_PATH, 1u << 20, text, len, &exists, err) < 0)
		return -1;
	if (!exists)
		return settings_parse("{}", 2, SETTINGS_DEFAULT_PATH, settings, err);
	return settings_parse(*text, *len, SETTINGS_DEFAULT_PATH, settings, err);
}

enum sync_outcome { SYNC_UNCHANGED, SYNC_INSTALLED, SYNC_REFUSED };

/* One round: make policy_dir what `source_fd` holds, or refuse. */
static int sync_once(int source_fd, const char *source, bool report_unchanged,
		     enum sync_outcome *outcome, struct sync_set *last_refused, oh_error_t *err)
{
	cleanup_settings struct settings settings = {0};
	cleanup_free char *settings_text = NULL;
	size_t settings_len = 0;
	struct sync_set wanted = {0}, current = {0};
	cleanup_strbuf struct strbuf findings = {0};
	cleanup_free char *sets = NULL, *staged = NULL, *link_tmp = NULL, *link_target = NULL;
	long current_number = -1, next = 1;
	int r = -1;

	if (sync_node_settings(&settings, &settings_text, &settings_len, err) < 0 ||
	    sync_read_source(source_fd, source, &wanted, err) < 0)
		goto out;
	sets = install_policy_sets_dir(settings.policy_dir);

	/* The set installed now, if policy_dir is one of ours. */
	struct stat st;
	if (lstat(settings.policy_dir, &st) == 0) {
		char target[4096];
		ssize_t n = S_ISLNK(st.st_mode)
				? readlink(settings.policy_dir, target, sizeof(target) - 1)
				: -1;
		size_t prefix = strlen(INSTALL_POLICY_SETS_DIR) + 1;
		if (n > 0)
			target[n] = '\0';
		if (n <= 0 || strncmp(target, INSTALL_POLICY_SETS_DIR "/", prefix) != 0 ||
		    (current_number = sync_set_number(target + prefix)) < 0) {
			oh_error_make(err, 0,
				      "%s (settings \"policy_dir\") is not a policy set that "
				      "sync-policies installed: move it away, and its policies "
				      "into the ConfigMap",
				      settings.policy_dir);
			goto out;
		}
		cleanup_free char *path = xasprintf("%s/%ld", sets, current_number);
		if (sync_read_installed(path, &current, err) < 0)
			goto out;
		if (sync_set_equal(&current, &wanted)) {
			/* Said once: the first round, and after a refusal, when
			 * the ConfigMap went back to the installed set. */
			if (report_unchanged)
				sync_status_write(&settings, "installed", current_number, NULL);
			*outcome = SYNC_UNCHANGED;
			r = 0;
			goto out;
		}
	}
	if (last_refused->files && sync_set_equal(last_refused, &wanted)) {
		/* Refused already: said once, not every round. */
		*outcome = SYNC_REFUSED;
		r = 0;
		goto out;
	}

	struct string_list made = {0};
	r = node_make_dirs(sets, 0755, &made, err);
	string_list_clear(&made);
	if (r < 0)
		goto out;
	r = -1;
	DIR *d = opendir(sets);
	if (!d) {
		oh_error_make(err, errno, "%s", sets);
		goto out;
	}
	for (struct dirent *e; (e = readdir(d));) {
		long number = sync_set_number(e->d_name);
		if (number >= next)
			next = number + 1;
	}
	closedir(d);
	staged = xasprintf("%s/%ld", sets, next);
	if (sync_write_set(staged, &wanted, err) < 0) {
		oh_error_t ignored = NULL;
		node_remove_tree(staged, &ignored);
		oh_error_free(&ignored);
		goto out;
	}
	int checked = sync_check(settings_text, settings_len, sets, staged, &findings, err);
	if (checked < 0) {
		oh_error_t ignored = NULL;
		node_remove_tree(staged, &ignored);
		oh_error_free(&ignored);
		goto out;
	}
	if (checked != 0) {
		oh_error_t ignored = NULL;
		node_remove_tree(staged, &ignored);
		oh_error_free(&ignored);
		cleanup_free char *kept =
		    current_number < 0 ? xstrdup("no policy set (the built-in default policy)")
				       : xasprintf("policy set %ld", current_number);
		fprintf(stderr,
			"oci-harden sync-policies: the policy set in %s was refused and not "
			"installed; the node keeps %s. oci-harden check found:\n%s",
			source, kept, findings.buf);
		sync_status_write(&settings, "refused", current_number, findings.buf);
		sync_set_clear(last_refused);
		*last_refused = wanted;
		wanted = (struct sync_set){0};
		*outcome = SYNC_REFUSED;
		r = 0;
		goto out;
	}

	/* The swap: a new link renamed over policy_dir. */
	link_target = xasprintf(INSTALL_POLICY_SETS_DIR "/%ld", next);
	link_tmp = xasprintf("%s.oci-harden-new", settings.policy_dir);
	unlink(link_tmp);
	if (symlink(link_target, link_tmp) < 0 || rename(link_tmp, settings.policy_dir) < 0) {
		int saved = errno;
		unlink(link_tmp);
		oh_error_make(err, saved, "cannot point %s at %s", settings.policy_dir,
			      link_target);
		goto out;
	}
	printf("oci-harden sync-policies: installed policy set %ld (%zu file%s) as %s\n", next,
	       wanted.len, wanted.len == 1 ? "" : "s", settings.policy_dir);
	if (findings.len)
		printf("%s", findings.buf);
	sync_status_write(&settings, "installed", next, NULL);
	sync_set_clear(last_refused);

	/* Keep the new set and the one it replaced (a create may still be
	 * reading it); older ones go. */
	d = opendir(sets);
	for (struct dirent *e; d && (e = readdir(d));) {
		long number = sync_set_number(e->d_name);
		if (number < 0 || number == next || number == current_number)
			continue;
		cleanup_free char *old = xasprintf("%s/%s", sets, e->d_name);
		oh_error_t ignored = NULL;
		node_remove_tree(old, &ignored);
		oh_error_free(&ignored);
	}
	if (d)
		closedir(d);
	*outcome = SYNC_INSTALLED;
	r = 0;
out:
	sync_set_clear(&wanted);
	sync_set_clear(&current);
	if (r < 0 && settings.state_dir)
		sync_status_write(&settings, "error", current_number, (*err)->msg);
	return r;
}

static int sync_status(void)
{
	cleanup_error oh_error_t err = NULL;
	cleanup_settings struct settings settings = {0};
	cleanup_free char *settings_text = NULL, *text = NULL;
	size_t settings_len, len;
	bool exists;
	if (sync_node_settings(&settings, &settings_text, &settings_len, &err) < 0) {
		fprintf(stderr, "oci-harden sync-policies: %s\n", err->msg);
		return 1;
	}
	cleanup_free char *path = xasprintf("%s/%s", settings.state_dir, INSTALL_SYNC_STATUS_FILE);
	if (node_read_file(path, 1u << 20, &text, &len, &exists, &err) < 0 || !exists) {
		fprintf(stderr, "oci-harden sync-policies: no policy set synced yet (%s)\n",
			err ? err->msg : path);
		return 1;
	}
	cleanup_json struct json *doc = json_parse(text, len, 0, &err);
	const struct json *outcome = doc ? json_object_get(doc, "outcome") : NULL;
	const struct json *problems = doc ? json_object_get(doc, "problems") : NULL;
	bool ok = outcome && outcome->type == JSON_STRING &&
		  strcmp(outcome->string.ptr, "installed") == 0;
	printf("%s", text);
	if (!ok && problems && problems->type == JSON_STRING)
		fprintf(stderr, "%s", problems->string.ptr);
	return ok ? 0 : 1;
}

static volatile sig_atomic_t sync_stop;

static void sync_on_signal(int sig)
{
	(void)sig;
	sync_stop = 1;
}

int cmd_sync_policies(int argc, char **argv)
{
	const char *host_root = "/", *source = NULL;
	long watch = 0;
	bool status = false;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--host-root") == 0 && i + 1 < argc) {
			host_root = argv[++i];
		} else if (strcmp(argv[i], "--watch") == 0 && i + 1 < argc) {
			char *end;
			watch = strtol(argv[++i], &end, 10);
			if (*end || watch <= 0) {
				fprintf(stderr, "oci-harden: --watch: a number of seconds\n%s",
					sync_usage);
				return 2;
			}
		} else if (strcmp(argv[i], "--status") == 0) {
			status = true;
		} else if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
			fputs(sync_usage, stdout);
			return 0;
		} else if (argv[i][0] != '-' && !source) {
			source = argv[i];
		} else {
			fprintf(stderr, "oci-harden: unknown argument %s\n%s", argv[i], sync_usage);
			return 2;
		}
	}
	if (status == (source != NULL)) {
		fputs(sync_usage, stderr);
		return 2;
	}
	cleanup_error oh_error_t err = NULL;
	cleanup_close int source_fd = -1;
	if (source) {
		/* Opened before entering the host's root: it is the pod's. */
		source_fd = open(source, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (source_fd < 0) {
			fprintf(stderr, "oci-harden sync-policies: %s: %s\n", source,
				strerror(errno));
			return 1;
		}
	}
	if (node_enter_root(host_root, &err) < 0) {
		fprintf(stderr, "oci-harden sync-policies: %s\n", err->msg);
		return 1;
	}
	if (status)
		return sync_status();

	struct sigaction sa = {.sa_handler = sync_on_signal};
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	struct sync_set last_refused = {0};
	int result = 0;
	bool report_unchanged = true;
	do {
		enum sync_outcome outcome = SYNC_UNCHANGED;
		if (sync_once(source_fd, source, report_unchanged, &outcome, &last_refused, &err) <
		    0) {
			fprintf(stderr, "oci-harden sync-policies: %s\n", err->msg);
			oh_error_free(&err);
			result = 1;
			report_unchanged = true;
		} else {
			result = outcome == SYNC_REFUSED ? 1 : 0;
			report_unchanged = outcome != SYNC_UNCHANGED;
		}
		fflush(stdout);
		for (long slept = 0; watch && slept < watch && !sync_stop; slept++)
			sleep(1);
	} while (watch && !sync_stop);
	sync_set_clear(&last_refused);
	return watch ? 0 : result;
}
