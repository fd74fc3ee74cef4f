#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# The pure core does no I/O: no object of the core library references a
# function that opens, reads, writes, stats or lists a file, reads the
# environment, talks to the network or starts a process. Host facts reach
# the core as data (harden.h, struct host_facts), gathered by the edge.
#   layering.sh LIBOCI-HARDEN-CORE.a
set -euo pipefail
lib=$1
forbidden='^(open|open64|openat|openat64|openat2|creat|creat64|fopen|fopen64|freopen|fdopen|read|pread|pread64|readv|write|pwrite|pwrite64|writev|close|stat|stat64|lstat|lstat64|fstat|fstat64|fstatat|fstatat64|newfstatat|statx|__xstat|__lxstat|__fxstat|__fxstatat|access|faccessat|readlink|readlinkat|realpath|opendir|fdopendir|readdir|readdir64|scandir|mkdir|mkdirat|unlink|unlinkat|rename|renameat|renameat2|chdir|fchdir|getcwd|getenv|secure_getenv|socket|connect|bind|sendto|sendmsg|recvfrom|recvmsg|fork|vfork|clone|execve|execv|execvp|posix_spawn|posix_spawnp|system|popen|ioctl|mmap|syscall|aa_is_enabled|aa_find_mountpoint|getline|getdelim|fgets|fread|fwrite|printf|fprintf|puts|fputs|perror|dup|dup2|dup3|fcntl|memfd_create|statfs|fstatfs)$'
found=$(nm -u --format=posix "$lib" | awk '{print $1}' | sed 's/@.*//' | grep -E "$forbidden" | sort -u || true)
if [ -n "$found" ]; then
	echo "the core library $lib references I/O:"
	# Which object references what, for the one who has to mend it.
	nm -A -u --format=posix "$lib" | awk '{print $1, $2}' | sed 's/@[^ ]*//' |
		while read -r where sym; do grep -qxF "$sym" <<<"$found" && echo "  $where $sym"; done
	exit 1
fi
objects=$(ar t "$lib" | grep -c '\.o$' || true)
# An empty archive would pass the check above without proving anything.
[ "$objects" -gt 0 ] || { echo "no objects in $lib"; exit 1; }
echo "ok: no I/O symbol in $objects objects of $lib"
