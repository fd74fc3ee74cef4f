// SPDX-License-Identifier: Apache-2.0
/*
 * unix-ping: from inside a container, whether a unix socket it was given
 * reaches a live daemon.
 *
 *   unix-ping PATH
 *
 * Connects to PATH and asks "GET /_ping HTTP/1.0" (Docker's and Podman's API
 * answer "HTTP/1.0 200 OK"; containerd's gRPC server answers in HTTP/2 or
 * not at all, and the connection is what shows it is there). Prints
 * "connect=yes" or "connect=no:ERRNO-NAME", then "reply=" and the first line
 * of the answer, then "probe=done". The exit status is 0 whatever it finds.
 *
 * Built statically at test time (tests/e2e/test_daemon_sockets.sh): busybox
 * has no unix socket client.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: unix-ping PATH\n");
		return 2;
	}
	struct sockaddr_un addr = {.sun_family = AF_UNIX};
	if (strlen(argv[1]) >= sizeof(addr.sun_path)) {
		fprintf(stderr, "unix-ping: path too long\n");
		return 2;
	}
	strcpy(addr.sun_path, argv[1]);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
		printf("connect=no:%s\nreply=\nprobe=done\n", strerrorname_np(errno));
		return 0;
	}
	printf("connect=yes\n");
	static const char request[] = "GET /_ping HTTP/1.0\r\nHost: unix\r\n\r\n";
	char reply[256] = "";
	size_t got = 0;
	if (write(fd, request, sizeof(request) - 1) == (ssize_t)(sizeof(request) - 1)) {
		struct pollfd pfd = {.fd = fd, .events = POLLIN};
		while (got < sizeof(reply) - 1 && poll(&pfd, 1, 2000) > 0) {
			ssize_t n = read(fd, reply + got, sizeof(reply) - 1 - got);
			if (n <= 0)
				break;
			got += (size_t)n;
		}
	}
	reply[got] = '\0';
	reply[strcspn(reply, "\r\n")] = '\0';
	printf("reply=%s\nprobe=done\n", reply);
	close(fd);
	return 0;
}
