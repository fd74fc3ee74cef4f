#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
# The kernel's audit socket, for the audit-trail test: read or set whether
# auditing is enabled, and listen to the records the kernel emits (the
# read-only multicast group, as auditd's dispatcher does), one per line as
# "TYPE TEXT". Needs root (CAP_AUDIT_CONTROL, CAP_AUDIT_READ).
import socket
import struct
import sys
import time

NETLINK_AUDIT = 9
AUDIT_GET, AUDIT_SET = 1000, 1001
AUDIT_NLGRP_READLOG = 1
NLM_F_REQUEST, NLM_F_ACK = 0x1, 0x4
AUDIT_STATUS_ENABLED = 0x1


def request(kind, payload=b""):
    sock = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, NETLINK_AUDIT)
    sock.sendto(struct.pack("=IHHII", 16 + len(payload), kind, NLM_F_REQUEST | NLM_F_ACK, 1, 0)
                + payload, (0, 0))
    while True:
        data = sock.recv(65536)
        length, mtype = struct.unpack("=IH", data[:6])
        if mtype == 2:  # NLMSG_ERROR: an ack, or the error
            (error,) = struct.unpack("=i", data[16:20])
            if error:
                sys.exit(f"audit request {kind} failed: {error}")
            if kind == AUDIT_SET:
                return None
            continue
        if mtype == AUDIT_GET:
            return struct.unpack("=II", data[16:24])  # mask, enabled


def listen(seconds, out_path):
    sock = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, NETLINK_AUDIT)
    sock.bind((0, AUDIT_NLGRP_READLOG))
    end = time.time() + seconds
    with open(out_path, "w") as out:
        print("listening", file=out, flush=True)
        while time.time() < end:
            sock.settimeout(max(0.05, end - time.time()))
            try:
                data = sock.recv(65536)
            except socket.timeout:
                break
            length, mtype = struct.unpack("=IH", data[:6])
            text = data[16:length].rstrip(b"\0").decode(errors="replace")
            print(mtype, text, file=out, flush=True)


if __name__ == "__main__":
    command = sys.argv[1]
    if command == "status":
        print(request(AUDIT_GET)[1])
    elif command == "set-enabled":
        request(AUDIT_SET, struct.pack("=8I", AUDIT_STATUS_ENABLED, int(sys.argv[2]), 0, 0, 0, 0, 0, 0))
    elif command == "listen":
        listen(float(sys.argv[2]), sys.argv[3])
    else:
        sys.exit(f"unknown command {command}")
