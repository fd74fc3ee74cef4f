#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Every test of oci-harden, as root on Debian 12 from anywhere in the tree:
# installs the dependencies, builds in a fresh directory and runs every suite
# (unit, end-to-end with real runc, containerd and the kernel, the hostile
# corpus, runc's own integration suite through oci-harden), then all of
# them again under AddressSanitizer, LeakSanitizer and
# UndefinedBehaviorSanitizer (runc's suite in audit mode only), then each
# fuzz target for a bounded time.
# Exits non-zero on any failure. This is the README's test command, and all
# of .ci/run.
set -euo pipefail

cd "$(dirname "$0")/.."

echo "=== dependencies"
bash tests/install-deps.sh

# Tests keep their state, records and event logs in their own directories:
# oci-harden's system-wide ones must not appear because the tests ran.
host_dirs=(/etc/oci-harden /run/oci-harden /var/log/oci-harden /usr/local/sbin/oci-harden /usr/local/libexec/oci-harden /sys/fs/bpf/oci-harden)
absent=()
for d in "${host_dirs[@]}"; do [ -e "$d" ] || absent+=("$d"); done
check_host_dirs()
{
	local d created=0
	for d in "${absent[@]}"; do
		if [ -e "$d" ]; then
			echo "the tests created $d, which belongs to an installed oci-harden:" >&2
			find "$d" -maxdepth 3 | head -n 20 >&2
			created=1
		fi
	done
	return "$created"
}
echo "=== build"
rm -rf build-ci
meson setup build-ci
ninja -C build-ci

echo "=== tests: unit, end to end, hostile, runc's integration suite"
meson test -C build-ci --print-errorlogs
check_host_dirs

echo "=== sanitizers: every suite again under ASan, LeakSanitizer and UBSan"
bash tests/sanitize.sh

echo "=== fuzz: each libFuzzer target for FUZZ_SECONDS (default 25 s)"
bash tests/fuzz/run.sh
check_host_dirs
