# SPDX-License-Identifier: Apache-2.0
# Helpers for the end-to-end tests: a TAP writer, a busybox root
# filesystem, a bundle shaped like the one containerd writes, a recording
# runtime and the checks of what a refusal promises, and the bookkeeping
# that leaves no container or temporary directory behind.
#
# Sourced by tests/e2e/test_*.sh and by tests/demo.sh. Everything a test
# prints on stdout is TAP (meson reads it with protocol 'tap'); any other
# text goes out as "# " diagnostics or to stderr.

E2E_LIB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
E2E_SOURCE_ROOT=${OCI_HARDEN_SOURCE_ROOT:-$(cd "$E2E_LIB_DIR/../.." && pwd)}
OCI_HARDEN=${OCI_HARDEN:-$E2E_SOURCE_ROOT/build/oci-harden}
RUNC=${RUNC:-$(command -v runc || true)}
PYTHON=${PYTHON:-$(command -v python3 || true)}

# The capabilities containerd gives a container by default
# (containerd/oci/spec.go, defaultUnixCaps). Bits 0,1,3,4,5,6,7,8,10,13,18,
# 27,29,31: the same mask Docker has always shown as 00000000a80425fb.
E2E_CONTAINERD_CAPS="CAP_CHOWN CAP_DAC_OVERRIDE CAP_FSETID CAP_FOWNER CAP_MKNOD CAP_NET_RAW
CAP_SETGID CAP_SETUID CAP_SETFCAP CAP_SETPCAP CAP_NET_BIND_SERVICE CAP_SYS_CHROOT CAP_KILL
CAP_AUDIT_WRITE"
E2E_CONTAINERD_CAPS_MASK=00000000a80425fb
# CAP_NET_BIND_SERVICE is bit 10.
E2E_NET_BIND_MASK=0000000000000400

# --- TAP ------------------------------------------------------------------

TAP_COUNT=0
TAP_FAILED=0

# diag LINE...: each argument (and each line of it) as a "# " comment.
diag()
{
	local line
	for line in "$@"; do
		printf '%s\n' "$line" | sed 's/^/# /'
	done
}

# diag_file PATH [LABEL]: a file's contents as comments, at most 40 lines.
diag_file()
{
	local path=$1 label=${2:-$1}
	if [ -s "$path" ]; then
		diag "--- $label:"
		head -n 40 "$path" | cut -c1-300 | sed 's/^/#   /'
	else
		diag "--- $label: (empty)"
	fi
}

# With E2E_TODO set (`E2E_TODO="REASON" is ...`), the assertion carries
# TAP's "# TODO REASON": a failure is expected and not counted, and a pass
# shows as unexpected (meson then fails the test: time to drop the TODO).
ok()
{
	TAP_COUNT=$((TAP_COUNT + 1))
	printf 'ok %d - %s%s\n' "$TAP_COUNT" "$1" "${E2E_TODO:+ # TODO $E2E_TODO}"
}

# not_ok DESCRIPTION [DIAGNOSTIC...]
not_ok()
{
	TAP_COUNT=$((TAP_COUNT + 1))
	[ -n "${E2E_TODO:-}" ] || TAP_FAILED=$((TAP_FAILED + 1))
	printf 'not ok %d - %s%s\n' "$TAP_COUNT" "$1" "${E2E_TODO:+ # TODO $E2E_TODO}"
	shift
	[ $# -eq 0 ] || diag "$@"
}

skip()
{
	TAP_COUNT=$((TAP_COUNT + 1))
	printf 'ok %d - %s # SKIP %s\n' "$TAP_COUNT" "$1" "$2"
}

# is GOT EXPECTED DESCRIPTION
is()
{
	if [ "$1" = "$2" ]; then
		ok "$3"
	else
		not_ok "$3" "expected: '$2'" "     got: '$1'"
	fi
}

# isnt GOT UNEXPECTED DESCRIPTION
isnt()
{
	if [ "$1" != "$2" ]; then
		ok "$3"
	else
		not_ok "$3" "expected anything but: '$2'"
	fi
}

# like GOT EXTENDED-REGEX DESCRIPTION
like()
{
	if printf '%s\n' "$1" | grep -Eq -- "$2"; then
		ok "$3"
	else
		not_ok "$3" "expected to match: /$2/" "got: '$(printf '%s' "$1" | head -c 2000)'"
	fi
}

# unlike GOT EXTENDED-REGEX DESCRIPTION
unlike()
{
	if printf '%s\n' "$1" | grep -Eq -- "$2"; then
		not_ok "$3" "expected not to match: /$2/" "got: '$(printf '%s' "$1" | head -c 2000)'"
	else
		ok "$3"
	fi
}

# caps_within GOT ALLOWED DESCRIPTION: the capability mask GOT (16 hex
# digits, from /proc/PID/status) has no bit outside the mask ALLOWED.
# Effective and permitted are checked this way, not for equality: a process
# that runs as a non-root uid loses its permitted and effective capabilities
# at execve unless they are also ambient (capabilities(7), "Transformation
# of capabilities during execve"), so 0 is as right as ALLOWED itself.
caps_within()
{
	if [[ "$1" =~ ^[0-9a-f]{16}$ ]] && (((16#$1 & ~16#$2) == 0)); then
		ok "$3"
	else
		not_ok "$3" "expected no bit outside $2" "got: '$1'"
	fi
}

# tap_done: the plan, last (TAP allows it at the end), and the exit status.
tap_done()
{
	if [ -n "${E2E_DEVNULL_OWNER:-}" ]; then
		is "$(stat -c %u:%g /dev/null)" "$E2E_DEVNULL_OWNER" "the host's /dev/null kept its owner"
	fi
	printf '1..%d\n' "$TAP_COUNT"
	if [ "$TAP_FAILED" -ne 0 ]; then
		diag "$TAP_FAILED of $TAP_COUNT failed"
		exit 1
	fi
	exit 0
}

# bail_out REASON: the test cannot go on (setup failed), an error for meson.
bail_out()
{
	printf 'Bail out! %s\n' "$1"
	exit 1
}

# skip_all REASON: nothing of this file can run on this machine.
skip_all()
{
	printf '1..0 # SKIP %s\n' "$1"
	exit 0
}

# --- preconditions --------------------------------------------------------

# e2e_require_host: root, runc, python3 and busybox-static, or skip. A
# machine that has them all never skips: a container that then fails to
# start is a failure, not a reason to skip.
e2e_require_host()
{
	[ "$(id -u)" -eq 0 ] || skip_all "needs root to run containers"
	[ -n "$RUNC" ] || skip_all "runc is not installed (tests/install-deps.sh)"
	[ -n "$PYTHON" ] || skip_all "python3 is not installed"
	e2e_busybox >/dev/null || skip_all "busybox-static is not installed (tests/install-deps.sh)"
}

# e2e_require_binary: the oci-harden binary must exist to test it.
e2e_require_binary()
{
	[ -x "$OCI_HARDEN" ] || bail_out "no oci-harden binary at $OCI_HARDEN (build it, or set OCI_HARDEN)"
}

# e2e_busybox: the path of a statically linked busybox.
e2e_busybox()
{
	local candidate
	for candidate in /bin/busybox /usr/bin/busybox; do
		# ldd fails on a static executable ("not a dynamic executable"):
		# a dynamic busybox would find no libc inside the container.
		if [ -x "$candidate" ] && ! ldd "$candidate" >/dev/null 2>&1; then
			printf '%s\n' "$candidate"
			return 0
		fi
	done
	return 1
}

# --- work space and cleanup -----------------------------------------------

E2E_WORK=
E2E_RUNC_ROOT=
E2E_IDS=()

# e2e_setup NAME: a fresh work directory, a runc state root of its own, and
# an EXIT trap that removes every container this test made, then the
# directory.
e2e_setup()
{
	E2E_WORK=$(mktemp -d "/tmp/oci-harden-e2e-$1.XXXXXX") || bail_out "mktemp failed"
	E2E_RUNC_ROOT=$E2E_WORK/runc-root
	trap e2e_cleanup EXIT
	trap 'exit 130' INT TERM
	# The test's standard input is a file of its own, never the host's
	# /dev/null (which meson gives it): crun 1.8 fchowns every standard
	# stream of an exec that is not a terminal to the exec's user
	# (container.c, maybe_chown_std_streams). tap_done checks that the
	# host's /dev/null kept its owner.
	: >"$E2E_WORK/stdin"
	exec <"$E2E_WORK/stdin"
	E2E_DEVNULL_OWNER=$(stat -c %u:%g /dev/null)
}

# e2e_id NAME: a container id unique to this run, remembered for cleanup.
e2e_id()
{
	local id="ohe2e-$$-$RANDOM-$1"
	E2E_IDS+=("$id")
	printf '%s\n' "$id"
}

e2e_cleanup()
{
	local id root
	# The engines of lib_daemons.sh, where a test started any.
	! declare -F daemons_cleanup >/dev/null || daemons_cleanup
	for root in "$E2E_RUNC_ROOT" ${E2E_EXTRA_ROOTS:-}; do
		[ -n "$root" ] && [ -d "$root" ] || continue
		for id in "${E2E_IDS[@]}" $("$RUNC" --root "$root" list -q 2>/dev/null); do
			"$RUNC" --root "$root" kill "$id" KILL >/dev/null 2>&1 || true
			"$RUNC" --root "$root" delete --force "$id" >/dev/null 2>&1 || true
		done
	done
	# Pins gone, the kernel detaches the programs.
	[ -d "$E2E_OBSERVE_DIR" ] && rm -rf "$E2E_OBSERVE_DIR" 2>/dev/null
	if [ -n "$E2E_WORK" ] && [ -d "$E2E_WORK" ] && [ -z "${E2E_KEEP:-}" ]; then
		# A container may still hold a mount under the bundle; never follow
		# it into the host.
		rm -rf --one-file-system "$E2E_WORK" 2>/dev/null || true
	fi
}

# --- root filesystem and bundle -------------------------------------------

# e2e_make_rootfs DIR: busybox with a symlink per applet, passwd and group
# with root and nobody, and the directories runc mounts over.
e2e_make_rootfs()
{
	local rootfs=$1 busybox applet
	busybox=$(e2e_busybox) || return 1
	mkdir -p "$rootfs"/{bin,sbin,usr/bin,usr/sbin,etc,proc,sys,dev,root,mnt,tmp} || return 1
	cp "$busybox" "$rootfs/bin/busybox" || return 1
	# --list-full prints each applet with its install directory (bin/sh,
	# usr/bin/id, ...): the layout of `busybox --install -s` without
	# running anything inside the root.
	for applet in $("$busybox" --list-full); do
		[ "$applet" = bin/busybox ] && continue
		mkdir -p "$rootfs/$(dirname "$applet")"
		ln -sf /bin/busybox "$rootfs/$applet"
	done
	# runc gives a tmpfs without mode= the mode of the directory it covers,
	# so /tmp must already be world-writable for the unprivileged user.
	chmod 1777 "$rootfs/tmp"
	chmod 0700 "$rootfs/root"
	cat >"$rootfs/etc/passwd" <<-'EOF'
	root:x:0:0:root:/root:/bin/sh
	nobody:x:65534:65534:nobody:/nonexistent:/bin/sh
	EOF
	cat >"$rootfs/etc/group" <<-'EOF'
	root:x:0:
	nogroup:x:65534:
	EOF
	printf 'secret\n' >"$rootfs/etc/shadow-like"
	chmod 0600 "$rootfs/etc/shadow-like"
}

# e2e_make_bundle DIR ARG...: a bundle (DIR/config.json, DIR/rootfs) whose
# config is what containerd writes for an image with no USER and nothing
# special, compact as containerd writes it: `runc spec`, then root user, containerd's default capabilities,
# no noNewPrivileges, a writable root, no seccomp, no terminal, the given
# process args. runc spec's namespaces and masked/read-only paths stay.
e2e_make_bundle()
{
	local bundle=$1
	shift
	mkdir -p "$bundle" || return 1
	e2e_make_rootfs "$bundle/rootfs" || return 1
	rm -f "$bundle/config.json"
	(cd "$bundle" && "$RUNC" spec) || return 1
	E2E_CAPS="$E2E_CONTAINERD_CAPS" "$PYTHON" - "$bundle/config.json" "$@" <<-'EOF'
	import json, os, sys
	path, args = sys.argv[1], sys.argv[2:]
	with open(path) as f:
	    spec = json.load(f)
	caps = os.environ["E2E_CAPS"].split()
	process = spec["process"]
	process["terminal"] = False
	process["args"] = args
	process["user"] = {"uid": 0, "gid": 0}
	process["capabilities"] = {"bounding": caps, "effective": caps, "permitted": caps}
	process.pop("noNewPrivileges", None)
	spec["root"] = {"path": "rootfs", "readonly": False}
	spec.get("linux", {}).pop("seccomp", None)
	# containerd writes json.Marshal's output: compact, no final newline.
	with open(path, "w") as f:
	    json.dump(spec, f, separators=(",", ":"))
	EOF
}

# e2e_set_args BUNDLE ARG...: replace the process args of a bundle.
e2e_set_args()
{
	local bundle=$1
	shift
	"$PYTHON" - "$bundle/config.json" "$@" <<-'EOF'
	import json, sys
	path, args = sys.argv[1], sys.argv[2:]
	with open(path) as f:
	    spec = json.load(f)
	spec["process"]["args"] = args
	with open(path, "w") as f:
	    json.dump(spec, f, separators=(",", ":"))
	EOF
}

# e2e_json_get FILE EXPR: evaluate a Python expression over the JSON
# document `d` in FILE (or "-" for stdin) and print the result (JSON for
# lists and objects, plain text for strings and numbers).
e2e_json_get()
{
	# The script goes in -c, not a here-document: stdin may be the document.
	"$PYTHON" -c '
import json, sys
src, expr = sys.argv[1], sys.argv[2]
d = json.load(sys.stdin if src == "-" else open(src))
v = eval(expr, {"d": d})
print(v if isinstance(v, str) else json.dumps(v))
' "$1" "$2"
}

# e2e_docker_sock_placeholder: /run/docker.sock exists until this test
# exits, for cases that mount the host's Docker socket by that name. Made
# (an empty file) only if missing, and then removed by e2e_docker_sock_done.
# Tests that use it hold one lock for their whole run, so that one test
# does not remove the placeholder while another still mounts it.
# test_daemon_sockets takes the same lock (e2e_docker_sock_lock): its
# dockerd listens on /run/docker.sock in a mount namespace of its own, and
# the host's list of listening sockets (/proc/net/unix) then names that path.
E2E_MADE_DOCKER_SOCK=
e2e_docker_sock_lock()
{
	exec 8>/run/lock/oci-harden-e2e-docker-sock.lock
	flock -w 300 8 || bail_out "another test held /run/docker.sock's lock for 5 minutes"
}
e2e_docker_sock_placeholder()
{
	e2e_docker_sock_lock
	if [ ! -e /run/docker.sock ]; then
		: >/run/docker.sock && E2E_MADE_DOCKER_SOCK=1
	fi
}
e2e_docker_sock_done()
{
	[ -z "$E2E_MADE_DOCKER_SOCK" ] || rm -f /run/docker.sock
	E2E_MADE_DOCKER_SOCK=
}

# e2e_write_settings FILE [EXTRA-JSON-MEMBERS]: an oci-harden config file
# pointing at the real runc (or $E2E_SETTINGS_RUNTIME), whose state
# directory and event log are the test's own unless EXTRA names them: a
# test creates nothing under /run/oci-harden or /var/log/oci-harden.
# Observation is off unless EXTRA says "observe" (e2e_observe_settings): it
# loads kernel programs, which a test keeps in a directory of its own.
e2e_write_settings()
{
	local members=${2:-}
	case $members in
	*'"state_dir"'*) ;;
	*) members="${members:+$members, }\"state_dir\": \"$E2E_WORK/oci-harden-state\"" ;;
	esac
	case $members in
	*'"event_log"'*) ;;
	*) members="$members, \"event_log\": \"$E2E_WORK/events.log\"" ;;
	esac
	case $members in
	*'"observe"'*) ;;
	*) members="$members, \"observe\": \"none\"" ;;
	esac
	printf '{"runtime": "%s", %s}\n' "${E2E_SETTINGS_RUNTIME:-$RUNC}" "$members" >"$1"
}

# e2e_observe_settings [MODE]: settings members for observation (MODE
# "all" or "audit", default "all") with the kernel programs pinned in a
# bpffs directory of this test's, removed at exit (which detaches them).
E2E_OBSERVE_DIR=/sys/fs/bpf/oci-harden-e2e-$$
e2e_observe_settings()
{
	printf '"observe": "%s", "observe_dir": "%s"' "${1:-all}" "$E2E_OBSERVE_DIR"
}

# e2e_sha256 FILE: the hash of a file's bytes (following no symlink tricks:
# sha256sum follows a symlink to what it names, which is what runc reads).
e2e_sha256()
{
	sha256sum "$1" | cut -d' ' -f1
}

# e2e_wait_status ID WANT [SECONDS]: poll `state` until the status is WANT.
e2e_wait_status()
{
	local id=$1 want=$2 tries=$((${3:-10} * 10)) status
	while [ "$tries" -gt 0 ]; do
		status=$("$RUNC" --root "$E2E_RUNC_ROOT" state "$id" 2>/dev/null | e2e_json_get - 'd["status"]' 2>/dev/null)
		[ "$status" = "$want" ] && return 0
		sleep 0.1
		tries=$((tries - 1))
	done
	return 1
}

# --- what a refusal promises ---------------------------------------------

# e2e_make_recording_runtime PATH: a stand-in for runc at PATH, which
# records what oci-harden gave it and then execs the real runc. While
# $E2E_RUNTIME_RECORD names a file (per call: oci-harden passes its
# environment on with execv), it appends its command line there and copies
# the config.json of --bundle (the file of --process) it is about to read
# to RECORD.config (RECORD.process), following symlinks and ".." exactly as
# runc will: the shell opens the same path runc opens after its chdir. No
# RECORD file after a call: the runtime never ran.
e2e_make_recording_runtime()
{
	cat >"$1" <<EOF
#!/bin/sh
if [ -n "\${E2E_RUNTIME_RECORD:-}" ]; then
	printf '%s\n' "\$*" >>"\$E2E_RUNTIME_RECORD"
	prev=
	for arg do
		case \$prev in
		--bundle|-b) cat "\$arg/config.json" >"\$E2E_RUNTIME_RECORD.config" 2>&1 ;;
		--process|-p) cat "\$arg" >"\$E2E_RUNTIME_RECORD.process" 2>&1 ;;
		esac
		prev=\$arg
	done
fi
exec "$RUNC" "\$@"
EOF
	chmod 0755 "$1"
}

# e2e_fingerprint PATH: what "untouched" means for PATH, whatever it is: the
# type, mode and owner, a symlink's target (and what is there), a regular
# file's hash.
e2e_fingerprint()
{
	local p=$1
	if [ -L "$p" ]; then
		printf 'symlink %s -> ' "$(readlink "$p")"
		e2e_fingerprint "$(readlink -f "$p")"
	elif [ -f "$p" ]; then
		printf 'file %s %s\n' "$(stat -c '%a %u %g %h' "$p")" "$(sha256sum <"$p" | cut -c1-64)"
	elif [ -e "$p" ]; then
		stat -c '%F %a %u %g %t:%T' "$p"
	else
		echo missing
	fi
}

# e2e_expect_error_log NAME LOG WHAT: the last line of the --log file LOG is
# an error in runc's JSON log format (what containerd shows): level
# "error", a message naming WHAT, an RFC 3339 time.
e2e_expect_error_log()
{
	local name=$1 log=$2 what=$3 verdict
	if [ ! -s "$log" ]; then
		not_ok "$name: the --log file ends with a JSON error naming $what" "the log is empty or missing"
		return
	fi
	verdict=$(tail -n 1 "$log" | "$PYTHON" -c '
import json, re, sys
what = sys.argv[1]
try:
    rec = json.loads(sys.stdin.read())
except ValueError as e:
    print("not JSON: %s" % e); sys.exit()
if not isinstance(rec, dict):
    print("not an object"); sys.exit()
problems = []
if rec.get("level") != "error":
    problems.append("level is %r" % rec.get("level"))
if what not in str(rec.get("msg", "")):
    problems.append("msg does not name %s" % what)
if not re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)", str(rec.get("time", ""))):
    problems.append("time %r is not RFC 3339" % rec.get("time"))
print("; ".join(problems) or "good")
' "$what")
	if [ "$verdict" = good ]; then
		ok "$name: the --log file ends with a JSON error naming $what"
	else
		not_ok "$name: the --log file ends with a JSON error naming $what" "$verdict" "$(tail -n 1 "$log" | cut -c1-300)"
	fi
}

# e2e_expect_refused NAME STATUS RECORD STDOUT LOG WHAT: oci-harden refused
# before anything happened: it exited 1 (oci-harden(8), EXIT STATUS), the
# recording runtime never ran (no RECORD), nothing went to stdout (the file
# STDOUT), and the --log file LOG ends with an error naming WHAT.
e2e_expect_refused()
{
	local name=$1 status=$2 record=$3 stdout=$4 log=$5 what=$6
	is "$status" 1 "$name: refused: oci-harden exits 1"
	if [ -e "$record" ]; then
		not_ok "$name: refused: the runtime never ran" "it ran: $(head -c 300 "$record")"
	else
		ok "$name: refused: the runtime never ran"
	fi
	is "$(head -c 300 "$stdout")" "" "$name: refused: nothing on stdout"
	e2e_expect_error_log "$name" "$log" "$what"
}

# e2e_expect_no_container NAME ID: runc has no container ID under the
# test's root, not even a state directory.
e2e_expect_no_container()
{
	is "$("$RUNC" --root "$E2E_RUNC_ROOT" list -q 2>/dev/null | grep -Fx -- "$2")" "" \
		"$1: no container in runc list"
	if [ -e "$E2E_RUNC_ROOT/$2" ]; then
		not_ok "$1: no state directory"
	else
		ok "$1: no state directory"
	fi
}

# e2e_expect_untouched NAME PATH BEFORE: PATH still has the fingerprint
# BEFORE (e2e_fingerprint).
e2e_expect_untouched()
{
	is "$(e2e_fingerprint "$2")" "$3" "$1: $(basename "$2") untouched"
}

# The probe run inside a container by test_hardened.sh and tests/demo.sh:
# one "key=value" line per fact, read from the container's own view.
E2E_PROBE='
echo "uid=$(id -u)"
echo "gid=$(id -g)"
echo "groups=$(id -G)"
while read -r key value rest; do
	case "$key" in
	CapInh:|CapPrm:|CapEff:|CapBnd:|CapAmb:|NoNewPrivs:|Seccomp:)
		echo "${key%:}=$value" ;;
	esac
done </proc/self/status
if touch /x 2>/dev/null; then echo "write_root=yes"; else echo "write_root=no"; fi
if touch /etc/x 2>/dev/null; then echo "write_etc=yes"; else echo "write_etc=no"; fi
if touch /tmp/x 2>/dev/null; then echo "write_tmp=yes"; else echo "write_tmp=no"; fi
if cat /etc/shadow-like >/dev/null 2>&1; then echo "read_root_only_file=yes"; else echo "read_root_only_file=no"; fi
if mount -t tmpfs none /mnt 2>/dev/null; then echo "mount=yes"; else echo "mount=no"; fi
if chroot / true 2>/dev/null; then echo "chroot=yes"; else echo "chroot=no"; fi
if mknod /tmp/null-dev c 1 3 2>/dev/null; then echo "mknod=yes"; else echo "mknod=no"; fi
if chown 1:1 /tmp/x 2>/dev/null; then echo "chown=yes"; else echo "chown=no"; fi
if ping -c 1 -W 1 127.0.0.1 >/dev/null 2>&1; then echo "ping=yes"; else echo "ping=no"; fi
if unshare -U true 2>/dev/null; then echo "unshare_user=yes"; else echo "unshare_user=no"; fi
# runc masks /proc/kcore with /dev/null: a read that returns bytes is a leak.
if [ "$(head -c 16 /proc/kcore 2>/dev/null | wc -c)" -gt 0 ]; then echo "read_kcore=yes"; else echo "read_kcore=no"; fi
mount_opts() { while read -r dev mnt type opts rest; do [ "$mnt" = "$1" ] && echo "$opts"; done </proc/mounts; }
echo "root_mount=$(mount_opts / | tail -n 1)"
echo "tmp_mount=$(mount_opts /tmp | tail -n 1)"
echo "probe=done"
'

# e2e_probe_value FILE KEY: the value of KEY from a probe's output.
e2e_probe_value()
{
	sed -n "s/^$2=//p" "$1" | tail -n 1
}
