/* SPDX-License-Identifier: Apache-2.0 */
/* What the kernel lets a process execute that it wrote itself, without a
 * file on any mount: a memfd. Built statically by tests/e2e/test_drift.sh
 * and run inside containers.
 *
 *   exec_probe memfd HOW PROGRAM [ARG...]
 *       copy PROGRAM into a memfd (memfd_create(2) with no flags, as most
 *       programs make one), make it executable, and execute it with the
 *       arguments ARG... (argv[0] first), HOW being
 *         execveat   execveat(fd, "", ..., AT_EMPTY_PATH)
 *         fexecve    glibc's fexecve(3) (the same system call)
 *         proc       execve("/proc/self/fd/N")
 *   exec_probe memfd-loader LOADER PROGRAM [ARG...]
 *       copy PROGRAM into a memfd and run the dynamic loader LOADER on it
 *       (LOADER /proc/self/fd/N ARG...): no exec of the memfd itself.
 *
 * Prints "exec_probe: HOW: ERROR" and exits 1 when the execution fails
 * (what it would have run prints the rest); 2 for a failure before it. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

extern char **environ;

static int copy_into_memfd(const char *program)
{
	int in = open(program, O_RDONLY | O_CLOEXEC);
	if (in < 0) {
		printf("exec_probe: open %s: %s\n", program, strerror(errno));
		return -1;
	}
	/* No MFD_CLOEXEC: the loader is given it by number. */
	int fd = memfd_create("exec-probe", 0);
	if (fd < 0) {
		printf("exec_probe: memfd_create: %s\n", strerror(errno));
		close(in);
		return -1;
	}
	char buf[65536];
	ssize_t n;
	while ((n = read(in, buf, sizeof(buf))) > 0)
		if (write(fd, buf, (size_t)n) != n) {
			printf("exec_probe: write: %s\n", strerror(errno));
			return -1;
		}
	close(in);
	/* As an attacker would: a memfd made under vm.memfd_noexec = 2 is
	 * sealed against this, and it fails. */
	if (fchmod(fd, 0755) < 0)
		printf("exec_probe: fchmod: %s\n", strerror(errno));
	return fd;
}

int main(int argc, char **argv)
{
	if (argc < 5 || (strcmp(argv[1], "memfd") != 0 && strcmp(argv[1], "memfd-loader") != 0)) {
		fputs("usage: exec_probe memfd execveat|fexecve|proc PROGRAM ARG0 [ARG...]\n"
		      "       exec_probe memfd-loader LOADER PROGRAM ARG0 [ARG...]\n",
		      stderr);
		return 2;
	}
	setvbuf(stdout, NULL, _IONBF, 0);
	const char *how = argv[2];
	int fd = copy_into_memfd(argv[3]);
	if (fd < 0)
		return 2;
	char fd_path[64];
	snprintf(fd_path, sizeof(fd_path), "/proc/self/fd/%d", fd);
	if (strcmp(argv[1], "memfd-loader") == 0) {
		/* LOADER /proc/self/fd/N ARG1...: the loader maps the memfd. */
		char **args = argv + 2;
		args[1] = fd_path;
		execve(how, args, environ);
		printf("exec_probe: loader %s: %s\n", how, strerror(errno));
		return 1;
	}
	char **args = argv + 4;
	if (strcmp(how, "execveat") == 0)
		syscall(SYS_execveat, fd, "", args, environ, AT_EMPTY_PATH);
	else if (strcmp(how, "fexecve") == 0)
		fexecve(fd, args, environ);
	else if (strcmp(how, "proc") == 0)
		execve(fd_path, args, environ);
	else
		errno = EINVAL;
	printf("exec_probe: %s: %s\n", how, strerror(errno));
	return 1;
}
