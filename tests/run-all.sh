#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Every test of oci-harden, as root on Debian 12 from anywhere in the tree:
# installs the dependencies, builds in a fresh directory and runs every suite
# (unit, end-to-end with real runc, containerd and the kernel). Exits non-zero
# on any failure. This is the README's test command, and all of .ci/run.
set -euo pipefail

cd "$(dirname "$0")/.."

echo "=== dependencies"
bash tests/install-deps.sh

echo "=== build"
rm -rf build-ci
meson setup build-ci
ninja -C build-ci

echo "=== tests"
meson test -C build-ci --print-errorlogs
