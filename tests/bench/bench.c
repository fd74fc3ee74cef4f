/* SPDX-License-Identifier: Apache-2.0 */
/* The timing driver of the benchmark (tests/bench/run.sh).
 *
 *     bench [-n RUNS] [-w WARMUP] [-e ERRFILE] PLAN
 *
 * PLAN names the sides of one comparison, one directive a line, words
 * separated by blanks:
 *
 *     side NAME            a new side; the directives below belong to it
 *     env KEY=VALUE        added to the environment of the side's commands
 *     restore SRC DST      before each run, untimed: DST gets SRC's bytes
 *     run ARG...           timed: fork, execve ARG, wait; must exit 0
 *     reap PIDFILE         timed: wait for the process whose pid PIDFILE holds
 *
 * Each run of a side does its restores, then its timed steps in order, and
 * one sample is the wall time from the first timed step's fork to the last
 * one's end. The sides are interleaved (A B C, B C A, C A B, ...: the first
 * side rotates each round) so that machine noise hits them all alike.
 *
 * The driver is a child subreaper (PR_SET_CHILD_SUBREAPER), as a containerd
 * shim is: a detached container's init, orphaned when `create` exits, becomes
 * our child, and `reap` waits for it the way the shim does.
 *
 * Children get stdin and stdout on /dev/null, stderr on ERRFILE (default
 * /dev/null), which is shown when a step fails; a failure stops everything.
 * Prints one line per side:
 *
 *     side NAME runs N median_us M p95_us P min_us L max_us H cpu_median_us U
 *          rss_median_kb R rss_p95_kb Q rss_max_kb X
 *
 * (on one line) where cpu is the user and system time of the run's commands
 * (wait4's rusage: time spent waiting for a CPU is not in it), and rss the
 * largest ru_maxrss of its commands. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

enum step_kind { STEP_RUN, STEP_REAP };

struct step {
	enum step_kind kind;
	char **argv;	/* STEP_RUN: NULL-terminated */
	char *pid_file; /* STEP_REAP */
};

struct restore {
	char *src;
	char *dst;
};

struct side {
	char *name;
	char **envp; /* environ plus the side's env lines */
	size_t env_len;
	struct restore *restores;
	size_t restores_len;
	struct step *steps;
	size_t steps_len;
	double *samples_us;
	double *cpu_us;
	long *rss_kb;
	size_t samples_len;
};

static const char *err_path = "/dev/null";
static int null_fd = -1, err_fd = -1; /* opened once, for every child */

static void die(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("bench: ", stderr);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(2);
}

static void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p)
		die("out of memory");
	return p;
}

static char *xstrdup(const char *s)
{
	char *d = strdup(s);
	if (!d)
		die("out of memory");
	return d;
}

#define APPEND(array, len, value)                                                                  \
	do {                                                                                       \
		(array) = xrealloc((array), ((len) + 1) * sizeof(*(array)));                       \
		(array)[(len)++] = (value);                                                        \
	} while (0)

static char *read_file(const char *path, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) < 0)
		die("%s: %s", path, strerror(errno));
	char *buf = xrealloc(NULL, (size_t)st.st_size + 1);
	size_t used = 0;
	while (used < (size_t)st.st_size) {
		ssize_t n = read(fd, buf + used, (size_t)st.st_size - used);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			die("%s: short read", path);
		used += (size_t)n;
	}
	close(fd);
	buf[used] = '\0';
	*len = used;
	return buf;
}

/* DST gets SRC's bytes, through a small static buffer: every byte the
 * driver holds in anonymous memory is copied into each child by fork, and the
 * kernel counts it in the child's peak resident memory (ru_maxrss). */
static void copy_file(const char *src, const char *dst)
{
	static char buf[64 << 10];
	int in = open(src, O_RDONLY | O_CLOEXEC);
	if (in < 0)
		die("%s: %s", src, strerror(errno));
	int out = open(dst, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (out < 0)
		die("%s: %s", dst, strerror(errno));
	for (;;) {
		ssize_t n = read(in, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			die("%s: %s", src, strerror(errno));
		if (n == 0)
			break;
		for (ssize_t done = 0; done < n;) {
			ssize_t w = write(out, buf + done, (size_t)(n - done));
			if (w < 0 && errno == EINTR)
				continue;
			if (w < 0)
				die("%s: %s", dst, strerror(errno));
			done += w;
		}
	}
	close(in);
	if (close(out) < 0)
		die("%s: %s", dst, strerror(errno));
}

/* Split a line on blanks, in place; returns a NULL-terminated vector. */
static char **split_words(char *line, size_t *count)
{
	char **words = NULL;
	size_t n = 0;
	for (char *save = NULL, *w = strtok_r(line, " \t\n", &save); w;
	     w = strtok_r(NULL, " \t\n", &save))
		APPEND(words, n, xstrdup(w));
	*count = n;
	APPEND(words, n, NULL);
	return words;
}

static struct side *plan_read(const char *path, size_t *sides_len)
{
	FILE *f = fopen(path, "re");
	if (!f)
		die("%s: %s", path, strerror(errno));
	struct side *sides = NULL;
	size_t n = 0, environ_len = 0;
	while (environ[environ_len])
		environ_len++;

	char *line = NULL;
	size_t cap = 0;
	unsigned lineno = 0;
	while (getline(&line, &cap, f) >= 0) {
		lineno++;
		size_t argc;
		char **w = split_words(line, &argc);
		struct side *s = n ? &sides[n - 1] : NULL;
		if (argc == 0 || w[0][0] == '#')
			continue;
		if (strcmp(w[0], "side") == 0 && argc == 2) {
			struct side fresh = {.name = w[1]};
			for (size_t i = 0; i < environ_len; i++)
				APPEND(fresh.envp, fresh.env_len, environ[i]);
			APPEND(sides, n, fresh);
			continue;
		}
		if (!s)
			die("%s:%u: \"side NAME\" must come first", path, lineno);
		if (strcmp(w[0], "env") == 0 && argc == 2 && strchr(w[1], '=')) {
			APPEND(s->envp, s->env_len, w[1]);
		} else if (strcmp(w[0], "restore") == 0 && argc == 3) {
			struct restore r = {.src = w[1], .dst = w[2]};
			if (access(r.src, R_OK) < 0)
				die("%s:%u: %s: %s", path, lineno, r.src, strerror(errno));
			APPEND(s->restores, s->restores_len, r);
		} else if (strcmp(w[0], "run") == 0 && argc >= 2) {
			struct step st = {.kind = STEP_RUN, .argv = w + 1};
			APPEND(s->steps, s->steps_len, st);
		} else if (strcmp(w[0], "reap") == 0 && argc == 2) {
			struct step st = {.kind = STEP_REAP, .pid_file = w[1]};
			APPEND(s->steps, s->steps_len, st);
		} else {
			die("%s:%u: cannot read \"%s\"", path, lineno, w[0]);
		}
	}
	free(line);
	fclose(f);
	for (size_t i = 0; i < n; i++) {
		size_t len = sides[i].env_len;
		APPEND(sides[i].envp, len, NULL);
		if (sides[i].steps_len == 0)
			die("%s: side %s has nothing to time", path, sides[i].name);
	}
	if (n == 0)
		die("%s: no side", path);
	*sides_len = n;
	return sides;
}

static double now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static void show_failure(const struct side *s, const char *what)
{
	fprintf(stderr, "bench: side %s: %s\n", s->name, what);
	if (strcmp(err_path, "/dev/null") != 0) {
		size_t len;
		char *text = read_file(err_path, &len);
		size_t from = len > 4096 ? len - 4096 : 0;
		fprintf(stderr, "bench: the end of the commands' stderr (%s):\n%s\n", err_path,
			text + from);
		free(text);
	}
	exit(1);
}

static double timeval_us(struct timeval tv)
{
	return (double)tv.tv_sec * 1e6 + (double)tv.tv_usec;
}

/* One timed command; its peak RSS is returned, its CPU time added to *cpu. */
static long step_run(const struct side *s, char **argv, double *cpu)
{
	pid_t pid = fork();
	if (pid < 0)
		die("fork: %s", strerror(errno));
	if (pid == 0) {
		if (dup2(null_fd, 0) < 0 || dup2(null_fd, 1) < 0 || dup2(err_fd, 2) < 0)
			_exit(126);
		execve(argv[0], argv, s->envp);
		_exit(127);
	}
	int status;
	struct rusage ru;
	while (wait4(pid, &status, 0, &ru) < 0)
		if (errno != EINTR)
			die("wait4: %s", strerror(errno));
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		char what[4096];
		int off = snprintf(what, sizeof(what), "exit status %d, signal %d:",
				   WIFEXITED(status) ? WEXITSTATUS(status) : -1,
				   WIFSIGNALED(status) ? WTERMSIG(status) : 0);
		for (char **a = argv; *a && off < (int)sizeof(what) - 1; a++)
			off += snprintf(what + off, sizeof(what) - (size_t)off, " %s", *a);
		show_failure(s, what);
	}
	*cpu += timeval_us(ru.ru_utime) + timeval_us(ru.ru_stime);
	return ru.ru_maxrss;
}

/* Wait for the container's init, and count its CPU time (runc's init, then
 * the container's process) with the rest. */
static void step_reap(const struct side *s, const char *pid_file, double *cpu)
{
	size_t len;
	char *text = read_file(pid_file, &len);
	pid_t pid = (pid_t)strtol(text, NULL, 10);
	free(text);
	if (pid <= 0)
		show_failure(s, "no pid in the pid file");
	int status;
	struct rusage ru;
	while (wait4(pid, &status, 0, &ru) < 0)
		if (errno != EINTR)
			show_failure(s, "the container's init is not our child");
	*cpu += timeval_us(ru.ru_utime) + timeval_us(ru.ru_stime);
}

static void side_run_once(struct side *s, bool record)
{
	for (size_t i = 0; i < s->restores_len; i++)
		copy_file(s->restores[i].src, s->restores[i].dst);

	long rss = 0;
	double cpu = 0;
	double start = now_us();
	for (size_t i = 0; i < s->steps_len; i++) {
		if (s->steps[i].kind == STEP_RUN) {
			long r = step_run(s, s->steps[i].argv, &cpu);
			rss = r > rss ? r : rss;
		} else {
			step_reap(s, s->steps[i].pid_file, &cpu);
		}
	}
	double elapsed = now_us() - start;

	/* Anything else orphaned to us (nothing, normally) is not left a
	 * zombie. */
	while (waitpid(-1, NULL, WNOHANG) > 0)
		;
	if (record) {
		s->samples_us[s->samples_len] = elapsed;
		s->cpu_us[s->samples_len] = cpu;
		s->rss_kb[s->samples_len] = rss;
		s->samples_len++;
	}
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static int cmp_long(const void *a, const void *b)
{
	long x = *(const long *)a, y = *(const long *)b;
	return (x > y) - (x < y);
}

/* The nearest-rank percentile of a sorted array. */
static size_t rank(size_t n, double p)
{
	size_t r = (size_t)(p * (double)n + 0.999999);
	return r == 0 ? 0 : r - 1;
}

static double median_double(const double *v, size_t n)
{
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

int main(int argc, char **argv)
{
	long runs = 200, warmup = 5;
	int opt;
	while ((opt = getopt(argc, argv, "n:w:e:")) != -1) {
		switch (opt) {
		case 'n':
			runs = strtol(optarg, NULL, 10);
			break;
		case 'w':
			warmup = strtol(optarg, NULL, 10);
			break;
		case 'e':
			err_path = optarg;
			break;
		default:
			die("usage: bench [-n RUNS] [-w WARMUP] [-e ERRFILE] PLAN");
		}
	}
	if (optind != argc - 1 || runs < 1 || warmup < 0)
		die("usage: bench [-n RUNS] [-w WARMUP] [-e ERRFILE] PLAN");

	size_t n;
	struct side *sides = plan_read(argv[optind], &n);
	for (size_t i = 0; i < n; i++) {
		sides[i].samples_us = xrealloc(NULL, (size_t)runs * sizeof(double));
		sides[i].cpu_us = xrealloc(NULL, (size_t)runs * sizeof(double));
		sides[i].rss_kb = xrealloc(NULL, (size_t)runs * sizeof(long));
	}
	null_fd = open("/dev/null", O_RDWR | O_CLOEXEC);
	err_fd = open(err_path, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0644);
	if (null_fd < 0 || err_fd < 0)
		die("%s: %s", err_path, strerror(errno));
	if (prctl(PR_SET_CHILD_SUBREAPER, 1) < 0)
		die("PR_SET_CHILD_SUBREAPER: %s", strerror(errno));

	for (long round = 0; round < warmup + runs; round++)
		for (size_t k = 0; k < n; k++)
			side_run_once(&sides[((size_t)round + k) % n], round >= warmup);

	for (size_t i = 0; i < n; i++) {
		struct side *s = &sides[i];
		size_t m = s->samples_len;
		qsort(s->samples_us, m, sizeof(double), cmp_double);
		qsort(s->cpu_us, m, sizeof(double), cmp_double);
		qsort(s->rss_kb, m, sizeof(long), cmp_long);
		printf("side %s runs %zu median_us %.1f p95_us %.1f min_us %.1f max_us %.1f "
		       "cpu_median_us %.1f rss_median_kb %ld rss_p95_kb %ld rss_max_kb %ld\n",
		       s->name, m, median_double(s->samples_us, m), s->samples_us[rank(m, 0.95)],
		       s->samples_us[0], s->samples_us[m - 1], median_double(s->cpu_us, m),
		       s->rss_kb[m / 2], s->rss_kb[rank(m, 0.95)], s->rss_kb[m - 1]);
	}
	return 0;
}
