/* SPDX-License-Identifier: Apache-2.0 */
/* `oci-harden memfd-noexec`: the createRuntime hook that oci-harden adds
 * to a container whose policy does not allow executable memfds
 * (src/harden/noexec.c). It sets vm.memfd_noexec to 2 in the container's
 * pid namespace, so that no memfd made there can be executed, and none can
 * be made executable (Linux 6.3, Documentation/admin-guide/sysctl/vm.rst;
 * kernel/pid_sysctl.h: a pid namespace's value, which its children inherit
 * and cannot lower).
 *
 * The kernel applies a write of vm.memfd_noexec to the writer's own pid
 * namespace (task_active_pid_ns), and lets only the host's root write the
 * file (fs/proc/proc_sysctl.c, test_perm: mode 0644 for GLOBAL_ROOT_UID).
 * A createContainer hook is in the container's pid namespace but, in a
 * container with a user namespace, not the host's root: the write fails.
 * So it is a createRuntime hook, run by runc and crun as the host's root
 * in the host's namespaces once the container's exist and before its
 * process starts (OCI runtime spec, config.md "createRuntime"; runc
 * process_linux.go, procHooks; crun container.c), with the container's
 * state on stdin: it joins the pid namespace of the container's init
 * (setns(CLONE_NEWPID) applies to its children) and a child writes it.
 *
 * It takes no input that a container writes: no option, no environment;
 * the state comes from the runtime, and only its "pid" is read. It refuses
 * to act on the pid namespace it runs in itself, so that it cannot set the
 * host's by mistake (runc 1.1 itself executes a memfd there). */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "commands.h"
#include "errors.h"
#include "json.h"
#include "util.h"

#define MEMFD_NOEXEC_SYSCTL "/proc/sys/vm/memfd_noexec"

/* The OCI state is a few hundred bytes; more is not a runtime's. */
#define MEMFD_NOEXEC_STATE_MAX (1 << 20)

static int memfd_noexec_fail(const char *what, int errnum)
{
	fprintf(stderr, "oci-harden memfd-noexec: %s%s%s\n", what, errnum ? ": " : "",
		errnum ? strerror(errnum) : "");
	return 1;
}

/* The container's init, from the state the runtime writes to stdin. */
static int memfd_noexec_state_pid(pid_t *pid, oh_error_t *err)
{
	cleanup_strbuf struct strbuf text = {0};
	char chunk[4096];
	for (;;) {
		ssize_t got = read(STDIN_FILENO, chunk, sizeof(chunk));
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0)
			return oh_error_make(err, errno, "read the container's state on stdin");
		if (got == 0)
			break;
		if (text.len + (size_t)got > MEMFD_NOEXEC_STATE_MAX)
			return oh_error_make(err, 0, "the container's state on stdin is too long");
		strbuf_append(&text, chunk, (size_t)got);
	}
	cleanup_json struct json *state = json_parse(text.buf ? text.buf : "", text.len, 0, err);
	if (!state)
		return oh_error_wrap(err, "the container's state on stdin");
	const struct json *value =
	    state->type == JSON_OBJECT ? json_object_get(state, "pid") : NULL;
	int64_t n;
	if (!value || value->type != JSON_NUMBER || !json_number_int64(value, &n) || n <= 1 ||
	    n > INT32_MAX)
		return oh_error_make(err, 0,
				     "the container's state on stdin has no pid of its process");
	*pid = (pid_t)n;
	return 0;
}

/* In the child, in the container's pid namespace: write 2, read it back. */
static int memfd_noexec_write(void)
{
	int fd = open(MEMFD_NOEXEC_SYSCTL, O_RDWR | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return memfd_noexec_fail(MEMFD_NOEXEC_SYSCTL, errno);
	if (write(fd, "2\n", 2) != 2) {
		int e = errno;
		close(fd);
		return memfd_noexec_fail("write " MEMFD_NOEXEC_SYSCTL, e);
	}
	char value[8] = "";
	ssize_t n = pread(fd, value, sizeof(value) - 1, 0);
	int e = errno;
	close(fd);
	if (n < 0)
		return memfd_noexec_fail("read " MEMFD_NOEXEC_SYSCTL, e);
	if (strcmp(value, "2\n") != 0)
		return memfd_noexec_fail(MEMFD_NOEXEC_SYSCTL " did not become 2", 0);
	return 0;
}

/* Wait for `child`: 0 when it exited 0, else 1 (it said why). */
static int memfd_noexec_wait(pid_t child)
{
	int status;
	while (waitpid(child, &status, 0) < 0)
		if (errno != EINTR)
			return memfd_noexec_fail("wait", errno);
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : 1;
}

/* In a child: join the container's pid namespace `ns` (setns(CLONE_NEWPID)
 * applies to the children made after it), and have a child of its own,
 * inside it, write the sysctl. */
static int memfd_noexec_in_namespace(int ns)
{
	if (setns(ns, CLONE_NEWPID) < 0)
		return memfd_noexec_fail("join the container's pid namespace", errno);
	pid_t child = fork();
	if (child < 0)
		return memfd_noexec_fail("fork", errno);
	if (child == 0)
		_exit(memfd_noexec_write());
	return memfd_noexec_wait(child);
}

int cmd_memfd_noexec(int argc, char **argv)
{
	(void)argv;
	if (argc > 1) {
		fputs("usage: oci-harden memfd-noexec <STATE\n"
		      "  (a createRuntime hook oci-harden adds: it sets vm.memfd_noexec to 2 in\n"
		      "  the pid namespace of the container whose OCI state is on stdin; see\n"
		      "  oci-harden-policy(5), DRIFT)\n",
		      stderr);
		return 2;
	}
	cleanup_error oh_error_t err = NULL;
	pid_t pid;
	if (memfd_noexec_state_pid(&pid, &err) < 0)
		return memfd_noexec_fail(err->msg, 0);
	char ns_path[64];
	snprintf(ns_path, sizeof(ns_path), "/proc/%d/ns/pid", (int)pid);
	cleanup_close int ns = open(ns_path, O_RDONLY | O_CLOEXEC);
	if (ns < 0)
		return memfd_noexec_fail(ns_path, errno);
	struct stat theirs, ours;
	if (fstat(ns, &theirs) < 0)
		return memfd_noexec_fail(ns_path, errno);
	if (stat("/proc/self/ns/pid", &ours) < 0)
		return memfd_noexec_fail("/proc/self/ns/pid", errno);
	if (theirs.st_dev == ours.st_dev && theirs.st_ino == ours.st_ino)
		return memfd_noexec_fail("the container has no pid namespace of its own: it would "
					 "set the host's",
					 0);
	/* Joined and forked from a child of ours: a process that has joined
	 * another pid namespace makes its later children there, and so would
	 * a sanitizer's leak checker at our exit (which then never finds us). */
	fflush(stderr);
	pid_t child = fork();
	if (child < 0)
		return memfd_noexec_fail("fork", errno);
	if (child == 0)
		_exit(memfd_noexec_in_namespace(ns));
	return memfd_noexec_wait(child);
}
