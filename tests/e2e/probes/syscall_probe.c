/* SPDX-License-Identifier: Apache-2.0 */
/* A probe run inside test containers (tests/e2e/test_seccomp.sh), built
 * static at test time: busybox has no applet for these calls.
 *
 *     syscall_probe NAME...
 *
 * makes each named syscall once, with arguments under which it either
 * succeeds without lasting effect or fails on its arguments (EBADF, EFAULT,
 * EINVAL, ESRCH) when nothing filters it, and prints "NAME=0" or
 * "NAME=ERRNONAME" (EPERM, ENOSYS, EACCES...) per line. A filter's denial is
 * then the only way to get EPERM or ENOSYS. */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <unistd.h>

static long probe(const char *name)
{
	char io_uring_params[120] = {0}; /* sizeof(struct io_uring_params) */
	if (strcmp(name, "unshare") == 0)
		return syscall(SYS_unshare, CLONE_NEWUSER);
	if (strcmp(name, "setns") == 0)
		return syscall(SYS_setns, -1, 0); /* EBADF unfiltered */
	if (strcmp(name, "mount") == 0)
		return syscall(SYS_mount, NULL, NULL, NULL, 0, NULL); /* EFAULT */
	/* Not PTRACE_TRACEME: a traced init stops at the first signal the
	 * runtime forwards to it (runc forwards the Go runtime's SIGURG). */
	if (strcmp(name, "ptrace") == 0)
		return syscall(SYS_ptrace, PTRACE_ATTACH, 0, NULL, NULL); /* ESRCH */
	if (strcmp(name, "io_uring_setup") == 0)
		return syscall(SYS_io_uring_setup, 1, io_uring_params); /* a ring */
	if (strcmp(name, "keyctl") == 0)
		return syscall(SYS_keyctl, 0 /* KEYCTL_GET_KEYRING_ID */, -3, 0);
	if (strcmp(name, "bpf") == 0)
		return syscall(SYS_bpf, -1, NULL, 0); /* EINVAL */
	if (strcmp(name, "mkdir") == 0)
		return syscall(SYS_mkdir, "/tmp/syscall-probe-dir", 0700);
	if (strcmp(name, "getpid") == 0)
		return syscall(SYS_getpid);
	errno = EINVAL;
	fprintf(stderr, "syscall_probe: no probe for %s\n", name);
	return -2;
}

int main(int argc, char **argv)
{
	int status = 0;
	for (int i = 1; i < argc; i++) {
		errno = 0;
		long r = probe(argv[i]);
		if (r == -2) {
			status = 2;
			continue;
		}
		if (r < 0)
			printf("%s=%s\n", argv[i], strerrorname_np(errno));
		else
			printf("%s=0\n", argv[i]);
	}
	return status;
}
