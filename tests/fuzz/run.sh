#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Build the libFuzzer targets with Debian's clang and run each for a bounded
# time. Exits non-zero when a target crashes, leaks, hits undefined
# behaviour, times out on one input, or breaks one of its invariants (each
# fuzz_*.c says which); the input that did it is kept and printed.
#
#   bash tests/fuzz/run.sh                   # every target, 25 s each
#   FUZZ_SECONDS=300 bash tests/fuzz/run.sh fuzz_json
#
# Environment:
#   FUZZ_SECONDS    time per target (default 25)
#   FUZZ_BUILD_DIR  where to build and keep corpora and crashes (default: a
#                   temporary directory, removed unless something failed)
#   CLANG           the compiler (default clang-14, then clang)
#
# The core is compiled from src/ directly (meson.build's core_sources), with the
# embedded default policy generated as meson does; yajl, libseccomp, libcap
# and libapparmor are the system's shared libraries. Seeds come from the
# repository: the CRI fixtures, the hostile corpus, the policies, and
# tests/fuzz/seeds/.
set -euo pipefail

FUZZ_DIR=$(cd "$(dirname "$0")" && pwd)
SOURCE_ROOT=$(cd "$FUZZ_DIR/../.." && pwd)
SECONDS_EACH=${FUZZ_SECONDS:-25}
ALL_TARGETS=(fuzz_json fuzz_policy fuzz_harden fuzz_runc_args)
if [ $# -gt 0 ]; then
	TARGETS=("$@")
else
	TARGETS=("${ALL_TARGETS[@]}")
fi

CLANG=${CLANG:-$(command -v clang-14 || command -v clang || true)}
if [ -z "$CLANG" ]; then
	echo "fuzz: clang is not installed (tests/install-deps.sh installs clang and libclang-rt-14-dev)" >&2
	exit 1
fi

if [ -n "${FUZZ_BUILD_DIR:-}" ]; then
	BUILD=$FUZZ_BUILD_DIR
	mkdir -p "$BUILD"
	KEEP=1
else
	BUILD=$(mktemp -d /tmp/oci-harden-fuzz.XXXXXX)
	KEEP=${FUZZ_KEEP:-}
fi
failed=()
finish()
{
	if [ ${#failed[@]} -eq 0 ] && [ -z "$KEEP" ]; then
		rm -rf "$BUILD"
	else
		echo "fuzz: build, corpora and crashing inputs kept in $BUILD"
	fi
}
trap finish EXIT

started=$(date +%s)
CFLAGS=(-std=gnu11 -D_GNU_SOURCE -I"$SOURCE_ROOT/include" -g -O1 -fno-omit-frame-pointer
	-fsanitize=address,undefined -fno-sanitize-recover=all
	-Wall -Wno-unused-parameter)
LIBS=(-lyajl -lseccomp -lcap -lapparmor)

echo "=== fuzz: building with $("$CLANG" --version | head -n 1)"
mkdir -p "$BUILD/obj"
python3 "$SOURCE_ROOT/src/embed.py" "$BUILD/embedded.c" \
	"embedded_default_policy=$SOURCE_ROOT/policies/default.json" \
	"embedded_default_seccomp=compact:$SOURCE_ROOT/policies/seccomp/default.json"
python3 "$SOURCE_ROOT/src/spec_model.py" c "$BUILD/spec_model_table.c" "$SOURCE_ROOT/src/spec_model.tsv"
# The embedded seccomp profile's model, made as meson.build makes it.
"$CLANG" -std=gnu11 -D_GNU_SOURCE -I"$SOURCE_ROOT/include" -O1 -o "$BUILD/seccomp-model-gen" \
	"$SOURCE_ROOT/src/seccomp_model_gen.c" "$SOURCE_ROOT/src/util.c" "$SOURCE_ROOT/src/errors.c" \
	"$SOURCE_ROOT/src/json.c" "$SOURCE_ROOT/src/json_parse.c" "$SOURCE_ROOT/src/harden/seccomp_profile.c" -lyajl -lseccomp
"$BUILD/seccomp-model-gen" "$SOURCE_ROOT/policies/seccomp/default.json" "$BUILD/embedded_seccomp_model.c"
# The embedded default policy as the loader reads it, made as meson.build makes it.
"$CLANG" -std=gnu11 -D_GNU_SOURCE -I"$SOURCE_ROOT/include" -O1 -o "$BUILD/default-policy-gen" \
	"$SOURCE_ROOT/src/default_policy_gen.c" "$SOURCE_ROOT/src/util.c" "$SOURCE_ROOT/src/errors.c" \
	"$SOURCE_ROOT/src/json.c" "$SOURCE_ROOT/src/json_parse.c" "$SOURCE_ROOT/src/diagnostics.c" \
	"$SOURCE_ROOT/src/policy.c" "$SOURCE_ROOT/src/capability_names.c" \
	"$SOURCE_ROOT/src/image_identity.c" "$SOURCE_ROOT/src/harden/seccomp_profile.c" \
	"$BUILD/embedded.c" "$BUILD/embedded_seccomp_model.c" -lyajl -lseccomp -lcap
"$BUILD/default-policy-gen" "$BUILD/embedded_default_policy_loaded.c"
# The core and edge libraries' sources, as meson.build lists them
# (core_sources, edge_sources): src/ also holds programs of their own
# (main.c, helpers) and the commands.
mapfile -t core < <(sed -n '/^\(core\|edge\)_sources = files(/,/^)/p' "$SOURCE_ROOT/meson.build" |
	sed -n "s/^[[:space:]]*'\([^']*\.c\)',\{0,1\}[[:space:]]*$/\1/p")
if [ ${#core[@]} -lt 20 ]; then
	echo "fuzz: cannot read core_sources and edge_sources from meson.build (found ${#core[@]} files)" >&2
	exit 1
fi
sources=("$BUILD/embedded.c" "$BUILD/spec_model_table.c" "$BUILD/embedded_seccomp_model.c"
	"$BUILD/embedded_default_policy_loaded.c")
for f in "${core[@]}"; do
	sources+=("$SOURCE_ROOT/$f")
done
# One object per source, named after its path, compiled two at a time per
# core; coverage instrumentation (fuzzer-no-link) in the core, the fuzzer's
# own main only in the targets.
printf '%s\n' "${sources[@]}" |
	xargs -P "$(nproc)" -I{} sh -c '
		src=$1; shift; out=$1; shift
		obj=$out/$(printf "%s" "$src" | tr / _).o
		exec "$@" -fsanitize=fuzzer-no-link -c "$src" -o "$obj"
	' _ {} "$BUILD/obj" "$CLANG" "${CFLAGS[@]}"
for target in "${TARGETS[@]}"; do
	"$CLANG" "${CFLAGS[@]}" -fsanitize=fuzzer "$FUZZ_DIR/$target.c" "$BUILD"/obj/*.o \
		"${LIBS[@]}" -o "$BUILD/$target"
done
echo "fuzz: built ${#TARGETS[@]} targets in $(($(date +%s) - started)) s"

# seeds TARGET: the repository's inputs for TARGET, one file each.
seeds()
{
	local dir=$BUILD/seeds/$1 f
	mkdir -p "$dir"
	case $1 in
	fuzz_json)
		for f in "$FUZZ_DIR"/seeds/json/* "$SOURCE_ROOT"/tests/fixtures/cri/*.json \
			"$SOURCE_ROOT"/tests/hostile/*.json "$SOURCE_ROOT"/policies/*.json \
			"$SOURCE_ROOT"/policies/examples/*.json "$SOURCE_ROOT"/policies/seccomp/*.json; do
			[ -f "$f" ] && cp "$f" "$dir/"
		done ;;
	fuzz_policy)
		for f in "$SOURCE_ROOT"/policies/*.json "$SOURCE_ROOT"/policies/examples/*.json \
			"$SOURCE_ROOT"/tests/hostile/policy-*.json; do
			[ -f "$f" ] && cp "$f" "$dir/"
		done ;;
	fuzz_harden)
		for f in "$SOURCE_ROOT"/tests/fixtures/cri/*.json "$SOURCE_ROOT"/tests/fixtures/clients/*.json \
			"$FUZZ_DIR"/seeds/harden/*.json \
			"$SOURCE_ROOT"/tests/hostile/config-*.json "$SOURCE_ROOT"/tests/hostile/process-*.json; do
			[ -f "$f" ] && cp "$f" "$dir/"
		done ;;
	fuzz_runc_args)
		cp "$FUZZ_DIR"/seeds/runc_args/* "$dir/" ;;
	esac
	printf '%s\n' "$dir"
}

# The longest input each target gets: a config is 5 to 16 KB (the CRI
# fixtures), 64 KB leaves room; a command line is short.
max_len()
{
	case $1 in
	fuzz_runc_args) echo 4096 ;;
	fuzz_policy) echo 16384 ;;
	*) echo 65536 ;;
	esac
}

dict()
{
	case $1 in
	fuzz_runc_args) echo "$FUZZ_DIR/runc_args.dict" ;;
	*) echo "$FUZZ_DIR/json.dict" ;;
	esac
}

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:symbolize=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}
summary=()
for target in "${TARGETS[@]}"; do
	corpus=$BUILD/corpus/$target
	mkdir -p "$corpus" "$BUILD/artifacts"
	rm -f "$BUILD/artifacts/$target"-*
	seed_dir=$(seeds "$target")
	log=$BUILD/$target.log
	echo "=== fuzz: $target for $SECONDS_EACH s ($(ls "$seed_dir" | wc -l) seeds)"
	rc=0
	# -timeout: one input taking 10 s is a hang. The first directory is
	# the working corpus (written to); the seeds are only read.
	"$BUILD/$target" -max_total_time="$SECONDS_EACH" -max_len="$(max_len "$target")" \
		-timeout=10 -rss_limit_mb=2560 -print_final_stats=1 -dict="$(dict "$target")" \
		-artifact_prefix="$BUILD/artifacts/$target-" \
		"$corpus" "$seed_dir" >"$log" 2>&1 || rc=$?
	done_line=$(grep -E '^#[0-9]+[[:space:]]+DONE' "$log" | tail -n 1 || true)
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
	if [ "$rc" -ne 0 ] || [ -z "$done_line" ]; then
		failed+=("$target")
		echo "FAIL: $target exited $rc"
		grep -E 'ERROR|SUMMARY|invariant|runtime error|Test unit written' "$log" | head -n 20 || true
		tail -n 60 "$log" | sed 's/^/  | /'
		for artifact in "$BUILD"/artifacts/"$target"-*; do
			[ -f "$artifact" ] || continue
			echo "input $artifact ($(stat -c %s "$artifact") bytes), first 512 as hex:"
			head -c 512 "$artifact" | od -A d -t x1z | sed 's/^/  /'
		done
		summary+=("$target: FAILED (exit $rc)")
	else
		echo "$done_line"
		summary+=("$target: ${runs:-?} runs, ${done_line#*DONE }")
	fi
done

echo "=== fuzz: summary ($(($(date +%s) - started)) s in all)"
printf '  %s\n' "${summary[@]}"
if [ ${#failed[@]} -ne 0 ]; then
	echo "fuzz: FAILED: ${failed[*]}"
	exit 1
fi
echo "fuzz: every target ran its time without a crash"
