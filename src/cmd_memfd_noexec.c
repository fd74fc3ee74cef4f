/* SPDX-License-Identifier: Apache-2.0 */
/* `oci-harden memfd-noexec`: the createContainer hook that oci-harden adds
 * to a container whose policy does not allow executable memfds
 * (src/harden/noexec.c). runc and crun run it in the container's
 * namespaces before the container's process starts; it sets
 * vm.memfd_noexec to 2 in the pid namespace it runs in, so that no memfd
 * made there can be executed, and none can be made executable (Linux 6.3,
 * Documentation/admin-guide/sysctl/vm.rst; kernel/pid_sysctl.h: a pid
 * namespace's value, which its children inherit and cannot lower).
 *
 * It takes no input that a container writes: no option, no environment,
 * and the runtime's state on stdin is read and dropped. It runs only
 * where runc and crun run it, as a child of the init of a pid namespace
 * other than the initial one, so that it cannot set the host's by mistake
 * (runc 1.1 itself executes a memfd there). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "commands.h"
#include "util.h"

#define MEMFD_NOEXEC_SYSCTL "/proc/sys/vm/memfd_noexec"

static int memfd_noexec_fail(const char *what, int errnum)
{
	fprintf(stderr, "oci-harden memfd-noexec: %s%s%s\n", what, errnum ? ": " : "",
		errnum ? strerror(errnum) : "");
	return 1;
}

/* How deep the caller's pid namespace is: the number of pids it has, one
 * per level (the "NSpid" line of /proc/self/status, proc(5)); 1 is the
 * initial pid namespace. 0 when it cannot be read. */
static unsigned memfd_noexec_pid_namespace_depth(void)
{
	FILE *status = fopen("/proc/self/status", "re");
	if (!status)
		return 0;
	unsigned depth = 0;
	char *line = NULL;
	size_t cap = 0;
	while (getline(&line, &cap, status) > 0) {
		if (strncmp(line, "NSpid:", 6) != 0)
			continue;
		for (char *save = NULL, *tok = strtok_r(line + 6, " \t\n", &save); tok;
		     tok = strtok_r(NULL, " \t\n", &save))
			depth++;
		break;
	}
	free(line);
	fclose(status);
	return depth;
}

int cmd_memfd_noexec(int argc, char **argv)
{
	(void)argv;
	if (argc > 1) {
		fputs("usage: oci-harden memfd-noexec\n"
		      "  (a createContainer hook oci-harden adds: it sets vm.memfd_noexec to 2 in\n"
		      "  the pid namespace it runs in; see oci-harden(8))\n",
		      stderr);
		return 2;
	}
	/* runc and crun write the container's state to a hook's stdin. */
	struct stat in;
	if (fstat(STDIN_FILENO, &in) == 0 && S_ISFIFO(in.st_mode)) {
		char drop[4096];
		for (;;) {
			ssize_t got = read(STDIN_FILENO, drop, sizeof(drop));
			if (got <= 0 && !(got < 0 && errno == EINTR))
				break;
		}
	}
	/* runc and crun run a createContainer hook from the container's
	 * init, pid 1 of its pid namespace, which is never the initial one. */
	unsigned depth = memfd_noexec_pid_namespace_depth();
	if (depth == 0)
		return memfd_noexec_fail("cannot read its pid namespace in /proc/self/status",
					 errno);
	if (depth == 1 || getppid() != 1)
		return memfd_noexec_fail(
		    "it runs only as a hook of a container's own pid namespace, "
		    "from the container's init",
		    0);
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
