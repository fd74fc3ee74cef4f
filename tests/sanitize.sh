#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# The whole test suite under AddressSanitizer (with LeakSanitizer) and
# UndefinedBehaviorSanitizer: a debug build with both, then every suite
# (unit, e2e, hostile), so that the end-to-end tests run the instrumented
# oci-harden behind real runc and containerd. Any sanitizer report fails the
# test that triggered it. Run as root from anywhere, after
# tests/install-deps.sh:
#
#   bash tests/sanitize.sh                  # every suite
#   bash tests/sanitize.sh --suite unit     # arguments go to `meson test`
#
# SANITIZE_BUILD_DIR (default build-asan in the source tree) is set up
# afresh each time.
#
# How the reports fail a test:
#   - ASan aborts on the first error (abort_on_error), and LeakSanitizer
#     runs when a process exits: each unit test (criterion runs every test in
#     a forked child, which exits through exit(3), so each is checked), each
#     `oci-harden diff` and every wrapper call that stops before the runtime.
#     A wrapper call that reaches execv(2) of runc never exits, so it is
#     not leak-checked, by construction.
#   - UBSan aborts on the first report (halt_on_error, abort_on_error;
#     gcc's checks recover by default, this makes them fatal).
#   - ASan writes its reports to files (log_path), UBSan to stderr; both
#     are looked for after the run: see below.
# The instrumented binary links libasan and libubsan dynamically (DT_NEEDED,
# no LD_PRELOAD), so runc, containerd and the shim, which run oci-harden or
# are run by it, need nothing special; runc ignores ASAN_OPTIONS.
set -euo pipefail

SOURCE_ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${SANITIZE_BUILD_DIR:-$SOURCE_ROOT/build-asan}
started=$(date +%s)

echo "=== sanitize: build ($BUILD)"
rm -rf "$BUILD"
# b_lundef=false: the sanitizer runtimes resolve some symbols at load time.
# meson.build drops -static when b_sanitize is set (the sanitizers need the
# dynamic loader).
CC=${CC:-gcc} meson setup "$BUILD" "$SOURCE_ROOT" \
	-Db_sanitize=address,undefined -Db_lundef=false -Dbuildtype=debug >/dev/null
ninja -C "$BUILD"

# The binary under test must really be instrumented, or this run proves
# nothing.
if ! nm -D "$BUILD/oci-harden" 2>/dev/null | grep -c '__asan_init' >/dev/null; then
	echo "sanitize: $BUILD/oci-harden is not built with AddressSanitizer" >&2
	exit 1
fi

# Every sanitizer report goes to a file of its own in $REPORTS (log_path,
# one file per process), whatever the process's stderr was redirected to:
# an e2e test that expects a refusal, and so only checks for a non-zero exit
# status, would otherwise never see an ASan abort or a leak on that path.
REPORTS=$BUILD/sanitizer-reports
mkdir -p "$REPORTS"
# detect_leaks is on by default on x86_64 Linux; said explicitly so that a
# platform where it is not fails loudly rather than silently skipping.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:detect_stack_use_after_return=1:check_initialization_order=1:strict_init_order=1}:log_exe_name=1:log_path=$REPORTS/asan
# gcc's libubsan is a runtime of its own beside libasan and, combined with
# it, ignores log_path: its reports go to stderr. abort_on_error makes it
# die by SIGABRT (status 134), never with the 1 of a refusal by oci-harden,
# and the test logs are searched for its reports below.
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:abort_on_error=1:print_stacktrace=1}

# runc's integration suite (tests/runc-suite) takes minutes per mode: here
# it runs in audit mode only, which makes every decision enforce mode makes
# and applies none; the plain pass of run-all runs both modes.
export RUNC_SUITE_MODES=${RUNC_SUITE_MODES:-audit}

echo "=== sanitize: tests (ASAN_OPTIONS=$ASAN_OPTIONS)"
# The sanitizers make everything slower: twice the timeouts.
status=0
meson test -C "$BUILD" --print-errorlogs --timeout-multiplier 2 "$@" || status=$?

if grep -qE 'runtime error: |ERROR: (Address|Leak)Sanitizer' "$BUILD/meson-logs/testlog.txt"; then
	echo "sanitize: sanitizer reports in the test output:" >&2
	grep -nE 'runtime error: |ERROR: (Address|Leak)Sanitizer' "$BUILD/meson-logs/testlog.txt" | head -n 20 >&2
	status=1
fi
# A report that says only that LeakSanitizer could not run is not a finding:
# LSan stops the process's threads with ptrace(2), which fails when the
# process is already traced, and test_containerd_image.sh runs containerd
# (so the shim and oci-harden) under strace -f to watch
# its execve calls. Those processes are counted, not failed.
untraceable=0
for report in "$REPORTS"/*; do
	[ -e "$report" ] || continue
	if grep -q 'LeakSanitizer has encountered a fatal error' "$report" &&
		! grep -qE 'ERROR: (AddressSanitizer|LeakSanitizer: detected)|SUMMARY: ' "$report"; then
		untraceable=$((untraceable + 1))
		rm -f "$report"
	fi
done
[ "$untraceable" -eq 0 ] ||
	echo "sanitize: LeakSanitizer could not run in $untraceable traced process(es) (strace in e2e_containerd_image)"
reports=("$REPORTS"/*)
if [ -e "${reports[0]}" ]; then
	echo "sanitize: ${#reports[@]} sanitizer report(s):" >&2
	for report in "${reports[@]}"; do
		echo "--- $report" >&2
		head -n 60 "$report" >&2
	done
	status=1
fi
echo "=== sanitize: done in $(($(date +%s) - started)) s, status $status"
exit "$status"
