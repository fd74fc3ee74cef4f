#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# The benchmark suite of oci-harden: what the wrapper adds to each runtime
# command, next to the yardstick (a static program that does nothing but
# execv the runtime: the physical limit of a wrapper). As root, from anywhere:
#
#     bash tests/bench/run.sh
#
# Builds oci-harden (release, in build-bench/) unless $OCI_HARDEN names a
# binary, builds the timing driver and the yardsticks, runs every comparison
# with its sides interleaved, and prints one table. Not a test: no figure
# ever makes it fail, and nothing else depends on it. tests/bench/README.md
# says what each figure means and how it is measured.
#
# Knobs (environment): BENCH_RUNS (create, state, exec; default 400),
# BENCH_SIZE_RUNS (the size series up to 4 MB; 50), BENCH_LIFECYCLE_RUNS (100),
# BENCH_RSS_RUNS (20), BENCH_LOAD_RUNS (the syscall-heavy container of row 7;
# 30), BENCH_CLIENT_RUNS (docker run and CRI lifecycles; 20, 0 for none),
# BENCH_TMPDIR (where bundles go; default /run, where
# containerd keeps them), and
# BENCH_KEEP=1 to keep the work directory (plans, raw results, callgrind
# profiles).
set -euo pipefail

# The whole benchmark runs in a mount namespace of its own: the CRI configs'
# bind sources are made where a node has them (see node_dirs), on tmpfs
# mounts no one else sees. Its fd 9 stays on the host's mount namespace,
# where the engines of the client figures run (they need the host's
# /var/lib: dpkg's database, CNI's state).
if [ -z "${OCI_HARDEN_BENCH_NAMESPACE:-}" ]; then
	OCI_HARDEN_BENCH_NAMESPACE=1 exec unshare --mount --propagation private -- \
		bash "${BASH_SOURCE[0]}" "$@" 9</proc/self/ns/mnt
fi
HOST_MOUNT_NS=/proc/$$/fd/9

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SOURCE_ROOT=$(cd "$BENCH_DIR/../.." && pwd)
FIXTURES=$SOURCE_ROOT/tests/fixtures/cri
RUNS=${BENCH_RUNS:-400}
SIZE_RUNS=${BENCH_SIZE_RUNS:-50}
LIFE_RUNS=${BENCH_LIFECYCLE_RUNS:-100}
RSS_RUNS=${BENCH_RSS_RUNS:-20}
CLIENT_RUNS=${BENCH_CLIENT_RUNS:-20}
RUNC=${RUNC:-$(command -v runc || true)}
PYTHON=${PYTHON:-$(command -v python3 || true)}
CC=${CC:-gcc}
TRUE=/bin/true

say() { printf 'bench: %s\n' "$*" >&2; }
die()
{
	say "$*"
	exit 1
}

# --- preconditions ----------------------------------------------------------

[ "$(id -u)" -eq 0 ] || die "run as root: runc needs it for the state and lifecycle figures"
[ -n "$RUNC" ] || die "runc is not installed (tests/install-deps.sh)"
[ -n "$PYTHON" ] || die "python3 is not installed"
command -v "$CC" >/dev/null || die "no C compiler ($CC)"
[ -x "$TRUE" ] || die "no $TRUE"
BUSYBOX=
for candidate in /bin/busybox /usr/bin/busybox; do
	# A dynamic busybox would find no libc inside the container.
	if [ -x "$candidate" ] && ! ldd "$candidate" >/dev/null 2>&1; then
		BUSYBOX=$candidate
		break
	fi
done
[ -n "$BUSYBOX" ] || die "busybox-static is not installed (tests/install-deps.sh)"
VALGRIND=$(command -v valgrind || true)
[ -n "$VALGRIND" ] || say "valgrind is not installed: no instruction counts (apt-get install valgrind)"

# --- work space -------------------------------------------------------------

# Bundles go where containerd keeps them, under /run, which is a tmpfs on
# every node systemd runs. Where /run is a plain directory on the root disk
# (as in some test VMs), /dev/shm stands in for it: a disk filesystem would
# add a rename's writeback that no real node pays.
tmp_parent()
{
	if [ -n "${BENCH_TMPDIR:-}" ]; then
		printf '%s\n' "$BENCH_TMPDIR"
	elif [ -d /run ] && [ -w /run ] && [ "$(stat -f -c %T /run)" = tmpfs ]; then
		printf '/run\n'
	elif [ -d /dev/shm ] && [ -w /dev/shm ]; then
		printf '/dev/shm\n'
	else
		printf '%s\n' "${TMPDIR:-/tmp}"
	fi
}

WORK=$(mktemp -d "$(tmp_parent)/oci-harden-bench.XXXXXX")
case $WORK in *[[:space:]]*) die "the work directory $WORK has a blank in its name" ;; esac
R=$WORK/runc-root # runc's --root for every container of the benchmark
T=$WORK/bin
RES=$WORK/results
C=$WORK/configs
mkdir -p "$R" "$T" "$RES" "$C" "$WORK/plans"

SANDBOX_PID=
cleanup()
{
	local id
	[ -z "$SANDBOX_PID" ] || kill "$SANDBOX_PID" 2>/dev/null || true
	# Unpinned, the observation programs detach.
	[ -z "${OBSERVE_DIR:-}" ] || rm -rf "$OBSERVE_DIR" 2>/dev/null || true
	[ -z "${VOLUMES:-}" ] || rm -rf --one-file-system "$VOLUMES" 2>/dev/null || true
	for id in $("$RUNC" --root "$R" list -q 2>/dev/null); do
		"$RUNC" --root "$R" delete --force "$id" >/dev/null 2>&1 || true
	done
	if [ -n "${BENCH_KEEP:-}" ]; then
		say "kept $WORK"
	else
		# A container may still hold a mount under a bundle: never follow
		# it into the host.
		rm -rf --one-file-system "$WORK" 2>/dev/null || true
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- build ------------------------------------------------------------------

if [ -z "${OCI_HARDEN:-}" ]; then
	build=$SOURCE_ROOT/build-bench
	say "building oci-harden (release) in $build"
	if [ ! -f "$build/build.ninja" ]; then
		meson setup "$build" "$SOURCE_ROOT" --buildtype=release >"$WORK/meson.log" 2>&1 ||
			{ cat "$WORK/meson.log" >&2; die "meson setup failed"; }
	fi
	# The observation helper too, where the build has it (row 7).
	targets=oci-harden
	grep -q 'oci-harden-observe:' "$build/build.ninja" && targets="$targets oci-harden-observe"
	# shellcheck disable=SC2086 # two target names
	ninja -C "$build" $targets >"$WORK/ninja.log" 2>&1 ||
		{ cat "$WORK/ninja.log" >&2; die "the build failed"; }
	OCI_HARDEN=$build/oci-harden
fi
[ -x "$OCI_HARDEN" ] || die "no oci-harden binary at $OCI_HARDEN"
# A copy in the work directory: its path has no blank for the plans. The
# observation helper goes beside it, where oci-harden looks for it.
cp "$OCI_HARDEN" "$T/oci-harden"
OH=$T/oci-harden
OBSERVE_HELPER=$(dirname "$OCI_HARDEN")/oci-harden-observe
if [ -x "$OBSERVE_HELPER" ]; then
	cp "$OBSERVE_HELPER" "$T/oci-harden-observe"
else
	say "no oci-harden-observe beside $OCI_HARDEN: no observation figures (row 7)"
fi

"$CC" -O2 -Wall -o "$T/bench" "$BENCH_DIR/bench.c"
yardstick()
{
	"$CC" -O2 -static -DRUNTIME="\"$2\"" -o "$1" "$BENCH_DIR/yardstick.c"
}
yardstick "$T/yardstick-true" "$TRUE"
yardstick "$T/yardstick-runc" "$RUNC"
# For its instruction count: the same program, whose execv fails.
yardstick "$T/yardstick-none" /nonexistent/runtime
# The runtime of the memory figures: a static program doing nothing, so that
# the peak the kernel reports (the largest of every image the process ran)
# is the wrapper's.
printf 'int main(void) { return 0; }\n' | "$CC" -O2 -static -x c -o "$T/noop" -

# oci-harden keeps a file per container it created under its "state_dir":
# the benchmark's go to its work directory (on the same filesystem as
# /run/oci-harden), not among the host's. A binary that has no such setting
# yet gets none.
STATE_SETTING=", \"state_dir\": \"$WORK/state\""
printf '{"runtime": "%s"%s}\n' "$TRUE" "$STATE_SETTING" >"$WORK/probe.json"
OCI_HARDEN_CONFIG=$WORK/probe.json "$OH" state probe >/dev/null 2>&1 || STATE_SETTING=
# Rows 1 to 6 measure oci-harden without observation (row 7 measures it).
# The event log, on as on a node, goes to the work directory too, not to
# the host's /var/log/oci-harden.
settings()
{
	printf '{"runtime": "%s"%s, "observe": "none", "event_log": "%s"}\n' "$2" "$STATE_SETTING" "$WORK/events.log" >"$WORK/$1.json"
}
settings settings-true "$TRUE"
settings settings-runc "$RUNC"
settings settings-noop "$T/noop"
# A runtime oci-harden finds but cannot execute: under callgrind the wrapper
# does all its work, then its execv fails and it exits, which is when
# callgrind writes its counts (an execv that succeeds takes them with it).
: >"$T/not-executable"
chmod 0644 "$T/not-executable"
settings settings-noexec "$T/not-executable"

# --- configs ------------------------------------------------------------------

# A stand-in for the pod's pause container: a process in namespaces of its
# own, whose /proc/<pid>/ns/... the CRI configs join.
unshare --ipc --uts --net sleep 1000000 </dev/null >/dev/null 2>&1 &
SANDBOX_PID=$!
for _ in $(seq 100); do
	[ "$(readlink "/proc/$SANDBOX_PID/ns/net")" != "$(readlink /proc/self/ns/net)" ] && break
	sleep 0.05
done

: >"$RES/sizes.txt"
LAYOUT=$WORK/layout
: >"$LAYOUT"
for name in default sandbox restricted; do
	"$PYTHON" "$BENCH_DIR/make_config.py" cri "$FIXTURES/$name.config.json" \
		"$C/$name.config.json" "$SANDBOX_PID" "$LAYOUT" >>"$RES/sizes.txt"
done
"$PYTHON" "$BENCH_DIR/make_config.py" sizes "$FIXTURES/default.config.json" "$C" \
	"$SANDBOX_PID" "$LAYOUT" >>"$RES/sizes.txt"

# node_dirs: the configs' bind sources (the CRI's files of the sandbox, the
# kubelet's volumes) where a node has them, under /var/lib/containerd,
# /run/containerd and /var/lib/kubelet, without touching the host's: a
# tmpfs on /var/lib and one on /run/containerd, in this mount namespace
# only. oci-harden then settles them by the runtimes' default directories,
# as on a node, instead of asking which daemons the host runs.
node_dirs()
{
	case $WORK/ in
	/var/lib/* | /run/containerd/*) die "BENCH_TMPDIR: the work directory must not be under /var/lib or /run/containerd" ;;
	esac
	mount -t tmpfs -o mode=0755 oci-harden-bench /var/lib
	if [ -d /run/containerd ] || [ "$(stat -f -c %T /run)" = tmpfs ]; then
		# On a tmpfs /run, a directory made here goes with the next boot.
		mkdir -p /run/containerd
		mount -t tmpfs -o mode=0711 oci-harden-bench /run/containerd
	else
		# A /run on the root disk and no containerd: cover all of /run,
		# unless the work directory is there.
		case $WORK/ in /run/*) die "no /run/containerd to cover: set BENCH_TMPDIR outside /run" ;; esac
		mount -t tmpfs -o mode=0755 oci-harden-bench /run
		mkdir -p /run/containerd
	fi
	"$PYTHON" "$BENCH_DIR/make_config.py" layout "$LAYOUT"
}
node_dirs

# harden_once CONFIG OUT: oci-harden create on a copy of CONFIG, the result
# in OUT. A config the policy refuses cannot be benchmarked: stop there.
harden_once()
{
	local b=$WORK/harden-once
	rm -rf "$b"
	mkdir -p "$b/rootfs" # root.path must exist
	cp "$1" "$b/config.json"
	if ! OCI_HARDEN_CONFIG=$WORK/settings-true.json "$OH" --root "$R" --log "$b/log" create --bundle "$b" once \
		>/dev/null 2>&1; then
		cat "$b/log" >&2
		die "oci-harden refuses $1: the benchmark times a create that goes through"
	fi
	cp "$b/config.json" "$2"
}
say "checking that the policy accepts every config"
for name in default sandbox restricted large size-1k size-16k size-256k size-1m size-4m; do
	harden_once "$C/$name.config.json" "$WORK/harden-once.out"
done
# The default config after one pass of oci-harden: what a second create of
# the same bundle reads, with nothing left to rewrite.
harden_once "$C/default.config.json" "$C/hardened.config.json"

# --- plans --------------------------------------------------------------------

# The global options containerd's shim gives runc on every command.
globals()
{
	printf -- '--root %s --log %s/log.json --log-format json' "$R" "$1"
}

# side_create NAME PROGRAM SETTINGS CONFIG: a side that runs `create` as
# containerd does, on a bundle restored to CONFIG before each run.
side_create()
{
	local name=$1 program=$2 settings=$3 config=$4 b=$WORK/bundles/$1
	mkdir -p "$b/rootfs"
	cat <<-EOF
	side $name
	env OCI_HARDEN_CONFIG=$WORK/$settings.json
	restore $config $b/config.json
	run $program $(globals "$b") create --bundle $b --pid-file $b/init.pid bench-create
	EOF
}

# bench PLAN RUNS: run a plan, its figures into $RES/PLAN.txt.
bench()
{
	say "$1: $2 runs of each side"
	if ! "$T/bench" -n "$2" -w 3 -e "$WORK/$1.stderr" "$WORK/plans/$1" >"$RES/$1.txt"; then
		# oci-harden and runc report to their --log file, not stderr.
		local log
		# shellcheck disable=SC2012 # the names are our own
		log=$(ls -t "$WORK"/bundles/*/log.json 2>/dev/null | head -n 1)
		[ -z "$log" ] || { say "the newest --log file, $log:"; tail -n 3 "$log" >&2; }
		die "$1 failed (plan: $WORK/plans/$1; BENCH_KEEP=1 keeps it)"
	fi
}

# 1 (a): create on the CRI configs, and on one already hardened.
{
	side_create true "$TRUE" settings-true "$C/default.config.json"
	side_create yardstick "$T/yardstick-true" settings-true "$C/default.config.json"
	for name in default sandbox restricted hardened; do
		side_create "oh-$name" "$OH" settings-true "$C/$name.config.json"
	done
} >"$WORK/plans/create"

# 1 (b) and 6: create on the large config and on the size series.
{
	side_create true "$TRUE" settings-true "$C/default.config.json"
	side_create yardstick "$T/yardstick-true" settings-true "$C/default.config.json"
	side_create oh-large "$OH" settings-true "$C/large.config.json"
	for size in 1k 16k 256k 1m 4m; do
		side_create "oh-size-$size" "$OH" settings-true "$C/size-$size.config.json"
	done
} >"$WORK/plans/size"

# 5: peak resident memory, with a static do-nothing runtime.
{
	side_create noop "$T/noop" settings-noop "$C/default.config.json"
	for name in default sandbox restricted large; do
		side_create "oh-$name" "$OH" settings-noop "$C/$name.config.json"
	done
} >"$WORK/plans/rss"

# --- containers -----------------------------------------------------------------

# make_bundle DIR ARG...: a busybox bundle whose config is what containerd
# writes for an image with no USER, running ARG...
make_bundle()
{
	local b=$1 rootfs=$1/rootfs applet
	shift
	mkdir -p "$rootfs"/{bin,sbin,usr/bin,usr/sbin,etc,proc,sys,dev,root,tmp}
	cp "$BUSYBOX" "$rootfs/bin/busybox"
	for applet in $("$BUSYBOX" --list-full); do
		[ "$applet" = bin/busybox ] && continue
		ln -sf /bin/busybox "$rootfs/$applet"
	done
	# runc gives a tmpfs the mode of the directory it covers.
	chmod 1777 "$rootfs/tmp"
	printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/sh\n' \
		>"$rootfs/etc/passwd"
	printf 'root:x:0:\nnogroup:x:65534:\n' >"$rootfs/etc/group"
	(cd "$b" && "$RUNC" spec)
	"$PYTHON" "$BENCH_DIR/make_config.py" busybox "$b/config.json" "$@"
}

say "making busybox bundles"
make_bundle "$WORK/bundles/state" /bin/sleep 3600
for side in runc yardstick oh runc-hardened; do
	make_bundle "$WORK/bundles/life-$side" /bin/true
done
cp "$WORK/bundles/life-runc/config.json" "$C/busybox.config.json"
harden_once "$C/busybox.config.json" "$C/busybox-hardened.config.json"

# 3: exec with a process file, as containerd's shim runs it, in a container
# oci-harden created (runc, busybox, left in the created state): a fresh
# file for each exec (the shim writes one per exec, from the container's
# unhardened spec), judged by the policy oci-harden saved when it created
# the container. The exec itself goes to /bin/true: what is timed is what
# the wrapper adds.
make_bundle "$WORK/bundles/exec" /bin/sleep 3600
cp "$WORK/bundles/exec/config.json" "$C/exec.config.json"
"$PYTHON" "$BENCH_DIR/make_config.py" process "$C/exec.config.json" "$C/process.orig.json"
exec_id=bench-exec-$$
# shellcheck disable=SC2046 # globals is meant to split into words
OCI_HARDEN_CONFIG=$WORK/settings-runc.json "$OH" $(globals "$WORK/bundles/exec") \
	create --bundle "$WORK/bundles/exec" "$exec_id" </dev/null >/dev/null 2>"$WORK/exec-create.err" ||
	{ cat "$WORK/exec-create.err" "$WORK/bundles/exec/log.json" >&2; die "oci-harden could not create the container the exec benchmark uses"; }
exec_side()
{
	local b=$WORK/bundles/exec
	cat <<-EOF
	side $1
	env OCI_HARDEN_CONFIG=$WORK/settings-true.json
	restore $C/process.orig.json $b/process.json
	run $2 $(globals "$b") exec --process $b/process.json --detach --pid-file $b/exec.pid $exec_id
	EOF
}
{
	exec_side true "$TRUE"
	exec_side yardstick "$T/yardstick-true"
	exec_side oh "$OH"
} >"$WORK/plans/exec"

# 2: state of a container in the created state, as containerd polls it.
state_id=bench-state-$$
"$RUNC" --root "$R" create --bundle "$WORK/bundles/state" "$state_id" </dev/null >/dev/null 2>"$WORK/state-create.err" ||
	{ cat "$WORK/state-create.err" >&2; die "runc create of the state container failed"; }
state_side()
{
	cat <<-EOF
	side $1
	env OCI_HARDEN_CONFIG=$WORK/settings-runc.json
	run $2 $(globals "$WORK/bundles/state") state $state_id
	EOF
}
{
	state_side runc "$RUNC"
	state_side yardstick "$T/yardstick-runc"
	state_side oh "$OH"
} >"$WORK/plans/state"

# 4: create, start, wait, delete of busybox `true`. The driver is the
# container's subreaper and waits for its init, as containerd's shim does.
life_side()
{
	local name=$1 program=$2 config=$3 b=$WORK/bundles/life-$1 id=bench-life-$1-$$
	cat <<-EOF
	side $name
	env OCI_HARDEN_CONFIG=$WORK/settings-runc.json
	restore $config $b/config.json
	run $program $(globals "$b") create --bundle $b --pid-file $b/init.pid $id
	run $program $(globals "$b") start $id
	reap $b/init.pid
	run $program $(globals "$b") delete $id
	EOF
}
{
	life_side runc "$RUNC" "$C/busybox.config.json"
	life_side yardstick "$T/yardstick-runc" "$C/busybox.config.json"
	life_side oh "$OH" "$C/busybox.config.json"
	# runc on the config oci-harden would have written: what is left is the
	# wrapper's own cost, without what the hardening asks of runc.
	life_side runc-hardened "$RUNC" "$C/busybox-hardened.config.json"
} >"$WORK/plans/lifecycle"

# 7: observation. A container's life (busybox `true`), a syscall-heavy one
# (busybox dd copying 200,000 single bytes: 400,000 reads and writes, the
# worst case: the cheapest syscalls there are), a script's kind of work (500
# rounds of a write and a cat: forks, execs, opens),
# through oci-harden in audit mode and in enforce mode, observed or not, and
# create alone (runtime /bin/true). The kernel programs are pinned in a
# bpffs directory of the benchmark's; enforce "window" is within its first
# observe_startup_seconds (syscalls watched), "steady" after them.
OBSERVE_DIR=/sys/fs/bpf/oci-harden-bench-$$
observe_settings()
{
	local name=$1 runtime=$2 policies=$3 observe=$4 seconds=${5:-60}
	printf '{"runtime": "%s", "state_dir": "%s/state-%s", "policy_dir": "%s", "event_log": "%s/events-%s.log", "observe": "%s", "observe_dir": "%s", "observe_startup_seconds": %s, "observe_enforce_syscalls": "%s"}\n' \
		"$runtime" "$WORK" "$name" "$policies" "$WORK" "$name" "$observe" "$OBSERVE_DIR" "$seconds" "${6:-failing}" \
		>"$WORK/$name.json"
}
if [ -x "$T/oci-harden-observe" ]; then
	mkdir -p "$WORK/audit-policies" "$WORK/no-policies"
	echo '{"mode": "audit"}' >"$WORK/audit-policies/default.json"
	for runtime in true runc; do
		program=$TRUE
		[ "$runtime" = runc ] && program=$RUNC
		observe_settings "obs-$runtime-audit-none" "$program" "$WORK/audit-policies" none
		observe_settings "obs-$runtime-audit-all" "$program" "$WORK/audit-policies" all
		observe_settings "obs-$runtime-enforce-none" "$program" "$WORK/no-policies" none
		# "window": watched, as a container whose image broke at start
		# last time is ("always" watches every one); "steady": after the
		# window, and every container of an image that starts cleanly
		# (the default, "failing", watches none of those).
		observe_settings "obs-$runtime-enforce-window" "$program" "$WORK/no-policies" all 600 always
		observe_settings "obs-$runtime-enforce-steady" "$program" "$WORK/no-policies" all 0
	done
	make_bundle "$WORK/bundles/obs-life" /bin/true
	# Long enough (about a second) that the workload, not the container's
	# start and delete, is what the ratio measures.
	make_bundle "$WORK/bundles/obs-load" /bin/dd if=/dev/zero of=/dev/null bs=1 count=2000000
	# The same under a seccomp filter of its own, as Docker's default and a
	# pod's RuntimeDefault give (audit mode runs it as given): its syscalls
	# take the kernel's slow path already.
	make_bundle "$WORK/bundles/obs-load-seccomp" /bin/dd if=/dev/zero of=/dev/null bs=1 count=2000000
	"$PYTHON" - "$WORK/bundles/obs-load-seccomp/config.json" <<-'PY'
	import json, sys
	spec = json.load(open(sys.argv[1]))
	spec["linux"]["seccomp"] = {
	    "defaultAction": "SCMP_ACT_ALLOW",
	    "architectures": ["SCMP_ARCH_X86_64"],
	    "syscalls": [{"names": ["kexec_load"], "action": "SCMP_ACT_ERRNO"}]}
	json.dump(spec, open(sys.argv[1], "w"))
	PY
	# A shell script's kind of work: 500 rounds of a write and a cat.
	make_bundle "$WORK/bundles/obs-spawn" /bin/sh -c \
		'i=0; while [ $i -lt 500 ]; do echo $i >/tmp/f; cat /tmp/f >/dev/null; i=$((i+1)); done'
	for plan in obs-life obs-load obs-load-seccomp obs-spawn; do
		cp "$WORK/bundles/$plan/config.json" "$C/$plan.config.json"
	done
	# Load the programs once, untimed: that happens once per boot.
	OCI_HARDEN_CONFIG=$WORK/obs-runc-audit-all.json "$OH" --root "$R" run --bundle "$WORK/bundles/obs-life" \
		"bench-obs-load-$$" </dev/null >/dev/null 2>&1 || die "the first observed container failed"
	obs_side()
	{
		local name=$1 settings=$2 bundle=$3 program=${4:-$OH} b=$WORK/bundles/$3 id=bench-$1-$$
		cat <<-EOF
		side $name
		env OCI_HARDEN_CONFIG=$WORK/$settings.json
		restore $C/$bundle.config.json $b/config.json
		run $program $(globals "$b") create --bundle $b --pid-file $b/init.pid $id
		run $program $(globals "$b") start $id
		reap $b/init.pid
		run $program $(globals "$b") delete $id
		EOF
	}
	for plan in obs-life obs-load obs-spawn; do
		{
			obs_side runc obs-runc-audit-none "$plan" "$RUNC"
			for mode in audit-none audit-all enforce-none enforce-window enforce-steady; do
				obs_side "$mode" "obs-runc-$mode" "$plan"
			done
		} >"$WORK/plans/$plan"
	done
	{
		for mode in audit-none audit-all; do
			obs_side "$mode" "obs-runc-$mode" obs-load-seccomp
		done
	} >"$WORK/plans/obs-load-seccomp"
	{
		for mode in audit-none audit-all enforce-none enforce-window; do
			side_create "$mode" "$OH" "obs-true-$mode" "$C/default.config.json"
		done
	} >"$WORK/plans/obs-create"
fi

# --- run ------------------------------------------------------------------------

bench create "$RUNS"
bench state "$RUNS"
bench exec "$RUNS"
bench rss "$RSS_RUNS"
bench size "$SIZE_RUNS"
bench lifecycle "$LIFE_RUNS"
"$RUNC" --root "$R" delete --force "$state_id" >/dev/null 2>&1 || true
if [ -x "$T/oci-harden-observe" ]; then
	bench obs-create "$RUNS"
	bench obs-life "$LIFE_RUNS"
	bench obs-load "${BENCH_LOAD_RUNS:-30}"
	bench obs-load-seccomp "${BENCH_LOAD_RUNS:-30}"
	bench obs-spawn "${BENCH_LOAD_RUNS:-30}"
fi

# 4 (clients): docker run and a CRI pod lifecycle, through the engines of
# the end-to-end tests; skipped where one is not installed.
# AUDIT_GET: 0 (off), 1 (on) or 2 (on and locked).
AUDIT_ENABLED=$("$PYTHON" "$SOURCE_ROOT/tests/e2e/audit_netlink.py" status 2>/dev/null || true)
if [ "$CLIENT_RUNS" -gt 0 ]; then
	say "clients: docker run and a CRI pod lifecycle, $CLIENT_RUNS runs of each side"
	status=0
	nsenter --mount="$HOST_MOUNT_NS" -- bash "$BENCH_DIR/clients.sh" "$OH" "$RES/clients.txt" \
		"$CLIENT_RUNS" >"$WORK/clients.log" 2>&1 9<&- || status=$?
	if [ "$status" -eq 2 ]; then
		say "clients: skipped ($(tail -n 1 "$WORK/clients.log"))"
	elif [ "$status" -ne 0 ]; then
		tail -n 20 "$WORK/clients.log" >&2
		die "the client figures failed (BENCH_KEEP=1 keeps $WORK/clients.log)"
	fi
fi

# Instructions per create: deterministic, so one run each.
callgrind()
{
	local out=$RES/callgrind.$1 status
	# valgrind's own messages, with the "Collected" total, go to stderr.
	set +e
	OCI_HARDEN_CONFIG=$WORK/settings-noexec.json "$VALGRIND" --tool=callgrind \
		--trace-children=no --callgrind-out-file="$out" "${@:2}" >/dev/null 2>"$out.log"
	status=$?
	set -e
	# Only the wrapper's own count, should it ever start another process
	# (with a "Collected" line of its own).
	local count pid
	pid=$(sed -n '1s/^==\([0-9]*\)==.*/\1/p' "$out.log")
	count=$(sed -n "s/^==$pid== Collected : \([0-9]*\)\$/\1/p" "$out.log")
	[ -n "$count" ] || { cat "$out.log" >&2; die "callgrind of $1 gave no count (exit $status)"; }
	printf 'instructions %s %s\n' "$1" "$count" >>"$RES/instructions.txt"
}
if [ -n "$VALGRIND" ]; then
	say "instructions per create (callgrind)"
	: >"$RES/instructions.txt"
	b=$WORK/bundles/callgrind
	mkdir -p "$b/rootfs"
	callgrind yardstick "$T/yardstick-none" create --bundle "$b" x
	for name in default sandbox restricted hardened large size-1k size-16k size-256k size-1m size-4m; do
		cp "$C/$name.config.json" "$b/config.json"
		# shellcheck disable=SC2046 # globals is meant to split into words
		callgrind "$name" "$OH" $(globals "$b") create --bundle "$b" --pid-file "$b/init.pid" x
	done
fi

# --- report -----------------------------------------------------------------------

{
	printf 'kernel %s\n' "$(uname -r)"
	printf 'cpus %s\n' "$(nproc)"
	printf 'load %s\n' "$(cut -d' ' -f1-3 /proc/loadavg)"
	printf 'workdir %s %s\n' "$(dirname "$WORK")" "$(stat -f -c %T "$WORK")"
	printf 'binary %s %s\n' "$(wc -c <"$OH")" "$(ldd "$OH" >/dev/null 2>&1 && echo dynamic || echo static)"
	printf 'runc %s\n' "$("$RUNC" --version | head -n 1)"
	# Whether the kernel took audit records while the clients ran
	# (oci-harden sends one per create either way).
	printf 'audit %s\n' "$AUDIT_ENABLED"
} >"$RES/host.txt"
"$PYTHON" "$BENCH_DIR/report.py" "$RES"
if [ -n "$VALGRIND" ] && [ -n "${BENCH_KEEP:-}" ]; then
	say "callgrind profiles: $RES/callgrind.* (callgrind_annotate FILE)"
fi
