/* SPDX-License-Identifier: Apache-2.0 */
/* oci-harden-audit MESSAGE [LOG FORMAT [MARKER]]: send one user-space audit record
 * (AUDIT_VIRT_CONTROL) to the kernel through the netlink audit socket, with
 * libmnl. Started by oci-harden for each create and exec, not waited for.
 * Where the kernel has no audit support, refuses the socket, or has auditing
 * off (the kernel then drops user records without a word), it says so once,
 * in runc's --log file LOG, and exits 0 all the same: auditing never decides
 * whether a container runs. It then touches MARKER, and oci-harden starts no
 * helper while that is fresh. */
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <libmnl/libmnl.h>
#include <linux/audit.h>
#include <linux/netlink.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "audit_trail.h"

/* libmnl's MNL_SOCKET_BUFFER_SIZE is the page size capped at 8 KiB. */
#define AUDIT_HELPER_BUFFER 8192
#include "runtime_log.h"

static int audit_helper_ack(struct mnl_socket *nl, unsigned seq, void *status, size_t status_len)
{
	char buf[AUDIT_HELPER_BUFFER];
	for (;;) {
		ssize_t n = mnl_socket_recvfrom(nl, buf, sizeof(buf));
		if (n < 0)
			return -errno;
		const struct nlmsghdr *h = (const struct nlmsghdr *)buf;
		if (!mnl_nlmsg_ok(h, (int)n) || h->nlmsg_seq != seq)
			continue;
		if (h->nlmsg_type == NLMSG_ERROR) {
			const struct nlmsgerr *e = mnl_nlmsg_get_payload(h);
			if (e->error != 0 || !status)
				return e->error;
			continue; /* AUDIT_GET acks before it answers */
		}
		if (status && h->nlmsg_type == AUDIT_GET) {
			size_t len = mnl_nlmsg_get_payload_len(h);
			memcpy(status, mnl_nlmsg_get_payload(h),
			       len < status_len ? len : status_len);
			return 0;
		}
	}
}

static int audit_helper_send(const char *message, const char **problem)
{
	char buf[AUDIT_HELPER_BUFFER];
	struct mnl_socket *nl = mnl_socket_open(NETLINK_AUDIT);
	if (!nl) {
		*problem = "the kernel has no audit support";
		return -errno;
	}
	int r = -1;
	if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		*problem = "cannot bind the netlink audit socket";
		goto out;
	}
	unsigned seq = (unsigned)time(NULL);

	/* The kernel drops user records silently while auditing is off: ask. */
	struct nlmsghdr *h = mnl_nlmsg_put_header(buf);
	h->nlmsg_type = AUDIT_GET;
	h->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	h->nlmsg_seq = seq;
	struct audit_status status = {0};
	if (mnl_socket_sendto(nl, h, h->nlmsg_len) < 0 ||
	    audit_helper_ack(nl, seq, &status, sizeof(status)) < 0) {
		*problem = "the kernel refused the audit status request";
		goto out;
	}
	if (!status.enabled) {
		*problem = "kernel auditing is disabled (auditctl -e 1 enables it)";
		goto out;
	}

	h = mnl_nlmsg_put_header(buf);
	h->nlmsg_type = AUDIT_TRAIL_MESSAGE_TYPE; /* AUDIT_VIRT_CONTROL, from libaudit.h */
	h->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	h->nlmsg_seq = ++seq;
	size_t len = strlen(message) + 1;
	if (len > sizeof(buf) - MNL_NLMSG_HDRLEN - 16) {
		*problem = "the audit record is too long";
		goto out;
	}
	memcpy(mnl_nlmsg_put_extra_header(h, len), message, len);
	if (mnl_socket_sendto(nl, h, h->nlmsg_len) < 0 || audit_helper_ack(nl, seq, NULL, 0) != 0) {
		*problem = "the kernel refused the audit record";
		goto out;
	}
	r = 0;
out:
	mnl_socket_close(nl);
	return r;
}

int main(int argc, char **argv)
{
	if (argc < 2)
		return 2;
	const char *problem = NULL;
	if (audit_helper_send(argv[1], &problem) >= 0)
		return 0;
	if (argc >= 5 && argv[4][0]) {
		int fd = open(argv[4], O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
		if (fd >= 0) {
			futimens(fd, NULL);
			close(fd);
		}
	}
	if (argc >= 4 && argv[2][0]) {
		struct runtime_log log = {
		    .path = argv[2],
		    .format = strcmp(argv[3], "json") == 0 ? RUNC_LOG_JSON : RUNC_LOG_TEXT,
		};
		runtime_log_write(&log, RUNTIME_LOG_WARNING,
				  "oci-harden: no kernel audit record: %s", problem);
	}
	return 0;
}
