#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Exercise a service as its clients would, over TCP, and say whether it served.

    service_client.py nginx|redis|postgres HOST [--wait SECONDS]

nginx: HTTP GET / (status 200). redis: SET then GET of a key (RESP).
postgres: a simple query, SELECT of a sum, in the frontend/backend
protocol 3.0 as user postgres (trust). Prints "served: ..." and exits 0, or
says what failed and exits 1. With --wait, connection failures are retried
until the service answers or the time is up (a service starting).
"""

import socket
import struct
import sys
import time


def http_get(host):
    with socket.create_connection((host, 80), timeout=5) as s:
        s.sendall(b"GET / HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n")
        data = b""
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
    status = data.split(b"\r\n", 1)[0].decode(errors="replace")
    if " 200 " not in status:
        raise RuntimeError("HTTP answered " + status)
    return status


def redis(host):
    def command(s, *words):
        msg = b"*%d\r\n" % len(words)
        for w in words:
            w = w.encode()
            msg += b"$%d\r\n%s\r\n" % (len(w), w)
        s.sendall(msg)
        return s.recv(65536)

    with socket.create_connection((host, 6379), timeout=5) as s:
        r1 = command(s, "SET", "oci-harden", "observed")
        r2 = command(s, "GET", "oci-harden")
    if r1 != b"+OK\r\n" or r2 != b"$8\r\nobserved\r\n":
        raise RuntimeError("redis answered %r, %r" % (r1, r2))
    return "SET/GET"


def postgres(host):
    def read_message(s):
        head = b""
        while len(head) < 5:
            chunk = s.recv(5 - len(head))
            if not chunk:
                raise RuntimeError("postgres closed the connection")
            head += chunk
        kind, length = head[:1], struct.unpack("!I", head[1:])[0]
        body = b""
        while len(body) < length - 4:
            chunk = s.recv(length - 4 - len(body))
            if not chunk:
                raise RuntimeError("postgres closed the connection")
            body += chunk
        return kind, body

    with socket.create_connection((host, 5432), timeout=5) as s:
        params = b"user\0postgres\0database\0postgres\0\0"
        s.sendall(struct.pack("!II", 8 + len(params), 196608) + params)
        while True:
            kind, body = read_message(s)
            if kind == b"E":
                raise RuntimeError("postgres: " + body.decode(errors="replace"))
            if kind == b"Z":
                break
        query = b"SELECT 40 + 2\0"
        s.sendall(b"Q" + struct.pack("!I", 4 + len(query)) + query)
        value = None
        while True:
            kind, body = read_message(s)
            if kind == b"E":
                raise RuntimeError("postgres: " + body.decode(errors="replace"))
            if kind == b"D":
                length = struct.unpack("!I", body[2:6])[0]
                value = body[6:6 + length].decode()
            if kind == b"Z":
                break
    if value != "42":
        raise RuntimeError("postgres answered %r" % value)
    return "SELECT 40 + 2 = 42"


def main():
    service, host = sys.argv[1], sys.argv[2]
    wait = float(sys.argv[4]) if len(sys.argv) > 4 and sys.argv[3] == "--wait" else 0
    deadline = time.time() + wait
    run = {"nginx": http_get, "redis": redis, "postgres": postgres}[service]
    while True:
        try:
            print("served:", run(host))
            return 0
        except (OSError, RuntimeError) as e:
            if time.time() >= deadline:
                print("not served:", e)
                return 1
            time.sleep(0.3)


if __name__ == "__main__":
    sys.exit(main())
