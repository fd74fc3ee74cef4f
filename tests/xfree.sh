#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Every block oci-harden frees goes through xfree (util.c): with the arena
# on (a create), the x* allocators hand out blocks that free(3) must never
# see. No object of oci-harden's libraries but util.c's may reference free.
#   xfree.sh LIB.a...
set -euo pipefail
found=$(nm -A -u --format=posix "$@" | awk '{print $1, $2}' | sed 's/@[^ ]*//' |
	awk '$2 == "free" && $1 !~ /[_\/]util\.c\.o\]?:$/ {print "  " $1}')
if [ -n "$found" ]; then
	echo "these objects call free(3) where they must call xfree (util.h):"
	echo "$found"
	exit 1
fi
echo "ok: only util.c calls free(3) in $*"
