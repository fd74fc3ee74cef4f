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

echo "=== build"
rm -rf build-ci
meson setup build-ci
ninja -C build-ci

echo "=== tests: unit, end to end, hostile, runc's integration suite"
meson test -C build-ci --print-errorlogs

echo "=== sanitizers: every suite again under ASan, LeakSanitizer and UBSan"
bash tests/sanitize.sh

echo "=== fuzz: each libFuzzer target for FUZZ_SECONDS (default 25 s)"
bash tests/fuzz/run.sh
