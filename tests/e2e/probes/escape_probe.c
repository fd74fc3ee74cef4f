// SPDX-License-Identifier: Apache-2.0
/*
 * escape-probe: tries, from inside a container, the first step of the usual
 * ways out of it, and says for each whether the door is open.
 *
 *   escape-probe --in-container [DOOR...]     all doors when none is named
 *
 * The doors act for real (a mount, a device node): the first argument says
 * this runs where that is harmless, and each door undoes what it did.
 *
 * One line per door, "DOOR=open" or "DOOR=shut:ERRNO-NAME" (or
 * "shut:no" where the answer is a fact, not a failed call), then
 * "open_doors=N" and "probe=done". Each door is tried in a child process of
 * its own, so that a namespace or a mount it makes is gone with it and
 * cannot help the next. The exit status is 0 whatever the doors say.
 *
 * Built statically at test time (tests/e2e/test_clients.sh) and copied into
 * a busybox image: busybox has no way to call io_uring_setup, ptrace, bpf
 * and the like on its own.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <linux/io_uring.h>
#include <linux/perf_event.h>
#include <netinet/in.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef UFFD_USER_MODE_ONLY
#define UFFD_USER_MODE_ONLY 1
#endif

/* A door's try: 0 when it opened, else the errno that shut it (or -1 for
 * "no": a fact that is not a call). Runs in a child. */
typedef int (*door_try)(void);

static int result(long rc)
{
	return rc < 0 ? errno : 0;
}

static int write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return errno;
	ssize_t n = write(fd, text, strlen(text));
	int err = n < 0 ? errno : 0;
	close(fd);
	return err;
}

/* `unshare -U`: a user namespace, where the process then has every
 * capability over what the namespace owns. */
static int try_userns(void)
{
	return result(unshare(CLONE_NEWUSER));
}

/* `unshare -r`: the same, with uid 0 inside mapped to ours. */
static int try_userns_root(void)
{
	char map[64];
	uid_t uid = geteuid();
	gid_t gid = getegid();
	if (unshare(CLONE_NEWUSER) < 0)
		return errno;
	int err = write_file("/proc/self/setgroups", "deny");
	if (err && err != ENOENT)
		return err;
	snprintf(map, sizeof(map), "0 %u 1", (unsigned)uid);
	if ((err = write_file("/proc/self/uid_map", map)))
		return err;
	snprintf(map, sizeof(map), "0 %u 1", (unsigned)gid);
	if ((err = write_file("/proc/self/gid_map", map)))
		return err;
	return geteuid() == 0 ? 0 : EPERM;
}

/* `unshare -rm mount -t tmpfs ...`: a mount, from a user namespace of our
 * own, where the kernel's mount code is reachable without any capability
 * on the host. */
static int try_userns_mount(void)
{
	int err = try_userns_root();
	if (err)
		return err;
	if (unshare(CLONE_NEWNS) < 0)
		return errno;
	return result(mount("none", "/tmp", "tmpfs", 0, NULL));
}

/* clone(CLONE_NEWUSER): the same door as unshare, by the other call. */
static int try_clone_newuser(void)
{
	long pid = syscall(SYS_clone, (long)(CLONE_NEWUSER | SIGCHLD), 0L, 0L, 0L, 0L);
	if (pid < 0)
		return errno;
	if (pid == 0)
		_exit(0);
	waitpid((pid_t)pid, NULL, 0);
	return 0;
}

/* A mount in the container's own mount namespace, on a directory of its
 * own, unmounted at once. */
static int try_mount(void)
{
	char dir[] = "/tmp/.escape-probe-XXXXXX";
	if (!mkdtemp(dir))
		return errno;
	int err = result(mount("none", dir, "tmpfs", 0, NULL));
	if (!err)
		umount2(dir, MNT_DETACH);
	rmdir(dir);
	return err;
}

static int try_io_uring(void)
{
	struct io_uring_params params;
	memset(&params, 0, sizeof(params));
	return result(syscall(SYS_io_uring_setup, 4, &params));
}

static int try_ptrace(void)
{
	return result(ptrace(PTRACE_TRACEME, 0, NULL, NULL));
}

static int try_bpf(void)
{
	union bpf_attr attr;
	memset(&attr, 0, sizeof(attr));
	attr.map_type = BPF_MAP_TYPE_ARRAY;
	attr.key_size = 4;
	attr.value_size = 4;
	attr.max_entries = 1;
	return result(syscall(SYS_bpf, BPF_MAP_CREATE, &attr, sizeof(attr)));
}

/* A software counter on ourselves, user space only: what
 * perf_event_paranoid 2 still allows without CAP_PERFMON. */
static int try_perf_event(void)
{
	struct perf_event_attr attr;
	memset(&attr, 0, sizeof(attr));
	attr.size = sizeof(attr);
	attr.type = PERF_TYPE_SOFTWARE;
	attr.config = PERF_COUNT_SW_CPU_CLOCK;
	attr.exclude_kernel = 1;
	attr.exclude_hv = 1;
	return result(syscall(SYS_perf_event_open, &attr, 0, -1, -1, 0));
}

/* The kernel's keyrings are not namespaced. */
static int try_keyctl(void)
{
	/* KEY_SPEC_PROCESS_KEYRING is -2 (linux/keyctl.h). */
	return result(syscall(SYS_add_key, "user", "oci-harden-probe", "x", 1, -2));
}

static int try_userfaultfd(void)
{
	return result(syscall(SYS_userfaultfd, O_CLOEXEC | UFFD_USER_MODE_ONLY));
}

/* The first step of "shocker": a file handle, then open_by_handle_at. */
static int try_open_by_handle(void)
{
	struct {
		struct file_handle handle;
		unsigned char bytes[128];
	} h;
	int mount_id;
	h.handle.handle_bytes = sizeof(h.bytes);
	if (name_to_handle_at(AT_FDCWD, "/", &h.handle, &mount_id, 0) < 0)
		return errno;
	return result(open_by_handle_at(AT_FDCWD, &h.handle, O_RDONLY));
}

static int try_mknod(void)
{
	const char *path = "/tmp/.escape-probe-null";
	int err = result(mknod(path, S_IFCHR | 0600, makedev(1, 3)));
	if (!err)
		unlink(path);
	return err;
}

static int try_chroot(void)
{
	return result(chroot("/"));
}

static int try_raw_socket(void)
{
	return result(socket(AF_INET, SOCK_RAW, IPPROTO_ICMP));
}

static int try_root(void)
{
	return geteuid() == 0 ? 0 : -1;
}

/* Any effective capability. */
static int try_capabilities(void)
{
	FILE *f = fopen("/proc/self/status", "re");
	char line[256];
	int open_door = -1;
	if (!f)
		return errno;
	while (fgets(line, sizeof(line), f))
		if (strncmp(line, "CapEff:", 7) == 0)
			open_door = strtoull(line + 7, NULL, 16) ? 0 : -1;
	fclose(f);
	return open_door;
}

/* Without no_new_privs, a set-user-id file would raise privileges. */
static int try_new_privileges(void)
{
	return prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) == 0 ? 0 : -1;
}

static int try_kcore(void)
{
	char buf[16];
	int fd = open("/proc/kcore", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno;
	ssize_t n = read(fd, buf, sizeof(buf));
	int err = n > 0 ? 0 : n < 0 ? errno : -1;
	close(fd);
	return err;
}

static int try_sysrq(void)
{
	int fd = open("/proc/sysrq-trigger", O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return errno;
	close(fd);
	return 0;
}

static int try_write_root(void)
{
	int fd = open("/.escape-probe", O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0)
		return errno;
	close(fd);
	unlink("/.escape-probe");
	return 0;
}

static const struct {
	const char *name;
	door_try try;
} doors[] = {
    {"root", try_root},
    {"capabilities", try_capabilities},
    {"new_privileges", try_new_privileges},
    {"userns", try_userns},
    {"userns_root", try_userns_root},
    {"userns_mount", try_userns_mount},
    {"clone_newuser", try_clone_newuser},
    {"mount", try_mount},
    {"io_uring", try_io_uring},
    {"ptrace", try_ptrace},
    {"bpf", try_bpf},
    {"perf_event", try_perf_event},
    {"keyctl", try_keyctl},
    {"userfaultfd", try_userfaultfd},
    {"open_by_handle", try_open_by_handle},
    {"mknod", try_mknod},
    {"chroot", try_chroot},
    {"raw_socket", try_raw_socket},
    {"kcore", try_kcore},
    {"sysrq", try_sysrq},
    {"write_root", try_write_root},
};

/* Runs one door in a child; prints its line; returns 1 when it opened. */
static int probe_door(size_t i)
{
	int pipefd[2];
	if (pipe(pipefd) < 0)
		return 0;
	pid_t pid = fork();
	if (pid < 0) {
		printf("%s=shut:fork-%s\n", doors[i].name, strerrorname_np(errno));
		return 0;
	}
	if (pid == 0) {
		close(pipefd[0]);
		int err = doors[i].try();
		(void)!write(pipefd[1], &err, sizeof(err));
		_exit(0);
	}
	close(pipefd[1]);
	int err = 0, status;
	ssize_t n = read(pipefd[0], &err, sizeof(err));
	close(pipefd[0]);
	waitpid(pid, &status, 0);
	if (n != (ssize_t)sizeof(err)) {
		/* The child died before answering: a seccomp kill, say. */
		printf("%s=shut:killed-%d\n", doors[i].name,
		       WIFSIGNALED(status) ? WTERMSIG(status) : -1);
		return 0;
	}
	if (err == 0) {
		printf("%s=open\n", doors[i].name);
		return 1;
	}
	const char *name = err > 0 ? strerrorname_np(err) : NULL;
	printf("%s=shut:%s\n", doors[i].name, name ? name : "no");
	return 0;
}

int main(int argc, char **argv)
{
	int open_doors = 0;
	if (argc < 2 || strcmp(argv[1], "--in-container") != 0) {
		fprintf(stderr,
			"usage: escape-probe --in-container [DOOR...]\n"
			"(it mounts and makes device nodes where it can: run it in a container)\n");
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	for (size_t i = 0; i < sizeof(doors) / sizeof(doors[0]); i++) {
		int wanted = argc < 3;
		for (int a = 2; a < argc; a++)
			wanted |= strcmp(argv[a], doors[i].name) == 0;
		if (wanted)
			open_doors += probe_door(i);
	}
	printf("open_doors=%d\nprobe=done\n", open_doors);
	return 0;
}
