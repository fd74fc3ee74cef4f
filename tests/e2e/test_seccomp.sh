#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Seccomp by content (issue 9 B, issue 11), from inside real containers,
# with runc and with crun: each profile is run by the runtime alone, then
# through oci-harden, and a static probe (probes/syscall_probe.c, built
# here) makes the syscalls and prints the errno it got.
#
# - A profile that denies by default but lets unshare, mount and setns
#   through: alone, `unshare -r` gives uid 0 in a new user namespace;
#   through oci-harden the calls fail, and with seccomp.allow_syscalls
#   naming them they work again (so it is the filter that stopped them).
# - A profile that allows by default and denies mkdir with EACCES: mkdir
#   fails alone and through oci-harden, with the container's own errno,
#   while the policy's denials (unshare, ptrace) apply too.
# - A profile with an SCMP_ACT_NOTIFY rule and a listenerPath: refused with
#   the file, the JSON path, the reason and the allow entry that lifts it;
#   with the policy allowing both, it runs, and the agent (a small Python
#   listener) receives the listener fd from the runtime.
# - containerd's RuntimeDefault profile (tests/fixtures/cri): alone,
#   io_uring_setup and ptrace work; through oci-harden they are denied.
#
# crun 1.8 refuses this host's hybrid cgroups: it runs, as in
# test_containerd_image.sh, in a mount namespace of its own where
# /sys/fs/cgroup/unified is unmounted, with --cgroup-manager=disabled.
set -u
. "$(dirname "$0")/lib.sh"

e2e_require_host
e2e_require_binary
e2e_setup seccomp
W=$E2E_WORK
CRUN=$(command -v crun || true)
CRUN_ROOT=$W/crun-root
crun_ids=()

finish()
{
	local id
	[ -z "$CRUN" ] || for id in "${crun_ids[@]}"; do
		"$CRUN" --root "$CRUN_ROOT" delete --force "$id" >/dev/null 2>&1
	done
	[ -z "${agent_pid:-}" ] || kill "$agent_pid" 2>/dev/null
	e2e_cleanup
}
trap finish EXIT

command -v gcc >/dev/null || bail_out "gcc is not installed (tests/install-deps.sh)"
gcc -static -O2 -o "$W/syscall_probe" "$E2E_LIB_DIR/probes/syscall_probe.c" 2>"$W/gcc.err" ||
	{ diag_file "$W/gcc.err"; bail_out "could not build the syscall probe (gcc -static)"; }

# --- policies ------------------------------------------------------------------

policies=$W/policies
mkdir -p "$policies"
# The default policy, and one that lets the namespace calls through.
printf '{"seccomp": {"allow_syscalls": ["unshare", "mount", "setns", "umount2"]}}\n' \
	>"$policies/unlock.json"
printf '{"allow": {"seccomp": ["SCMP_ACT_NOTIFY", "listenerPath"]}}\n' >"$policies/agent.json"

# settings NAME RUNTIME [POLICY]: an oci-harden settings file.
settings()
{
	local extra="\"policy_dir\": \"$policies\", \"state_dir\": \"$W/state-$1\", \"event_log\": \"$W/events-$1.log\", \"observe\": \"none\""
	[ -z "${3:-}" ] || extra="$extra, \"default_policy\": \"$3\""
	printf '{"runtime": "%s", %s}\n' "$2" "$extra" >"$W/$1.settings.json"
}

# --- bundles -------------------------------------------------------------------

# seccomp_bundle NAME PYTHON-STATEMENTS COMMAND: a busybox bundle with the
# probe in /bin, running `sh -c COMMAND`, whose linux.seccomp the
# statements set from `default` (the policy's default profile) and
# `restricted` (containerd's RuntimeDefault, from the CRI fixture).
seccomp_bundle()
{
	local b=$W/bundle-$1
	e2e_make_bundle "$b" sh -c "$3" || bail_out "could not make bundle $1"
	install -m 0755 "$W/syscall_probe" "$b/rootfs/bin/probe"
	"$PYTHON" - "$b/config.json" "$E2E_SOURCE_ROOT" "$2" <<-'PY' || bail_out "could not shape bundle $1"
	import json, sys
	path, root, code = sys.argv[1], sys.argv[2], sys.argv[3]
	spec = json.load(open(path))
	default = json.load(open(root + "/policies/seccomp/default.json"))
	restricted = json.load(open(root + "/tests/fixtures/cri/restricted.config.json"))["linux"]["seccomp"]
	exec(code)
	json.dump(spec, open(path, "w"), separators=(",", ":"))
	PY
	cp "$b/config.json" "$W/$1.orig.json"
}

seccomp_bundle unlocked '
default["syscalls"][0]["names"] += ["unshare", "mount", "setns", "umount2"]
spec["linux"]["seccomp"] = default' \
	'probe unshare setns mount
if out=$(unshare -r id -u 2>&1); then echo "userns_uid=$out"; else echo "userns=failed"; fi'

seccomp_bundle allowing '
spec["linux"]["seccomp"] = {"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [
    {"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 13}]}' \
	'probe mkdir unshare ptrace getpid
if mkdir /tmp/made 2>/dev/null; then echo "mkdir_applet=yes"; else echo "mkdir_applet=no"; fi
echo hello >/tmp/file && echo "write=$(cat /tmp/file)"'

seccomp_bundle notify "
default['syscalls'].append({'names': ['mkdir', 'mkdirat'], 'action': 'SCMP_ACT_NOTIFY'})
default['syscalls'][0]['names'].remove('mkdir')
default['syscalls'][0]['names'].remove('mkdirat')
default['listenerPath'] = '$W/agent.sock'
default['listenerMetadata'] = 'oci-harden-e2e'
spec['linux']['seccomp'] = default" \
	'echo notify_container=ran'

seccomp_bundle restricted '
spec["linux"]["seccomp"] = restricted' \
	'probe io_uring_setup ptrace getpid'

# --- running -------------------------------------------------------------------

# No container of this test runs for more than a moment: one that hangs is
# a failure, not a stuck suite.
limit=(timeout -k 5 60)

# run_with RUNTIME NAME BUNDLE [SETTINGS]: run BUNDLE (afresh) with RUNTIME
# ("runc" or "crun"), through oci-harden when SETTINGS is given; stdout to
# $W/NAME.out, stderr to $W/NAME.err, the exit status in RC.
crun_wrap=()
run_with()
{
	local runtime=$1 name=$2 b=$W/bundle-$3 settings=${4:-} id
	cp "$W/$3.orig.json" "$b/config.json"
	id=$(e2e_id "$name")
	if [ "$runtime" = runc ]; then
		if [ -n "$settings" ]; then
			OCI_HARDEN_CONFIG=$settings "${limit[@]}" "$OCI_HARDEN" --root "$E2E_RUNC_ROOT" run \
				--bundle "$b" "$id" </dev/null >"$W/$name.out" 2>"$W/$name.err"
		else
			"${limit[@]}" "$RUNC" --root "$E2E_RUNC_ROOT" run --bundle "$b" "$id" \
				</dev/null >"$W/$name.out" 2>"$W/$name.err"
		fi
	else
		crun_ids+=("$id")
		if [ -n "$settings" ]; then
			OCI_HARDEN_CONFIG=$settings "${limit[@]}" "${crun_wrap[@]}" "$OCI_HARDEN" \
				--cgroup-manager=disabled --root "$CRUN_ROOT" run --bundle "$b" "$id" \
				</dev/null >"$W/$name.out" 2>"$W/$name.err"
		else
			"${limit[@]}" "${crun_wrap[@]}" "$CRUN" --cgroup-manager=disabled --root "$CRUN_ROOT" run \
				--bundle "$b" "$id" </dev/null >"$W/$name.out" 2>"$W/$name.err"
		fi
	fi
	RC=$?
}

# value NAME KEY: KEY's value in NAME's output.
value() { e2e_probe_value "$W/$1.out" "$2"; }

# A Python seccomp agent: takes the connection the runtime makes to
# listenerPath, receives the listener fd it sends (SCM_RIGHTS) with the
# container's state, writes what it got to $W/agent.log, then exits.
start_agent()
{
	rm -f "$W/agent.sock" "$W/agent.log"
	"$PYTHON" - "$W/agent.sock" "$W/agent.log" <<-'PY' &
	import array, json, os, socket, sys
	path, log = sys.argv[1], sys.argv[2]
	server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
	server.bind(path)
	server.listen(1)
	server.settimeout(60)
	conn, _ = server.accept()
	msg, fds, _, _ = socket.recv_fds(conn, 65536, 4)
	with open(log, "w") as f:
	    f.write("fds=%d\n" % len(fds))
	    try:
	        state = json.loads(msg)
	        f.write("metadata=%s\n" % state.get("metadata", ""))
	    except ValueError:
	        f.write("state=unreadable\n")
	PY
	agent_pid=$!
	for _ in $(seq 100); do [ -S "$W/agent.sock" ] && return 0; sleep 0.05; done
	return 1
}

# check_runtime RUNTIME: every case with RUNTIME.
check_runtime()
{
	local r=$1
	settings "$r-default" "$([ "$r" = runc ] && echo "$RUNC" || echo "$CRUN")"
	settings "$r-unlock" "$([ "$r" = runc ] && echo "$RUNC" || echo "$CRUN")" unlock
	settings "$r-agent" "$([ "$r" = runc ] && echo "$RUNC" || echo "$CRUN")" agent
	local default=$W/$r-default.settings.json

	# A filter that lets the namespace calls through.
	run_with "$r" "$r-unlocked-alone" unlocked
	is "$RC" 0 "$r alone: the container with unshare, mount and setns allowed runs"
	is "$(value "$r-unlocked-alone" unshare):$(value "$r-unlocked-alone" setns):$(value "$r-unlocked-alone" mount)" \
		0:EBADF:EFAULT "$r alone: unshare works, setns and mount fail only on their arguments"
	is "$(value "$r-unlocked-alone" userns_uid)" 0 "$r alone: unshare -r gives uid 0 in a new user namespace"

	run_with "$r" "$r-unlocked-hardened" unlocked "$default"
	is "$RC" 0 "$r through oci-harden: the container runs"
	is "$(value "$r-unlocked-hardened" unshare):$(value "$r-unlocked-hardened" setns):$(value "$r-unlocked-hardened" mount)" \
		EPERM:EPERM:EPERM "$r through oci-harden: unshare, setns and mount are denied by the filter"
	is "$(value "$r-unlocked-hardened" userns)" failed "$r through oci-harden: unshare -r fails"

	run_with "$r" "$r-unlocked-lifted" unlocked "$W/$r-unlock.settings.json"
	is "$(value "$r-unlocked-lifted" unshare):$(value "$r-unlocked-lifted" setns)" 0:EBADF \
		"$r with seccomp.allow_syscalls naming them: the calls get through again"
	is "$(value "$r-unlocked-lifted" userns_uid)" 0 \
		"$r with seccomp.allow_syscalls: unshare -r works (as uid 65534 outside)"

	# A filter that allows by default and denies mkdir.
	run_with "$r" "$r-allowing-alone" allowing
	is "$RC:$(value "$r-allowing-alone" mkdir):$(value "$r-allowing-alone" mkdir_applet)" 0:EACCES:no \
		"$r alone: mkdir fails with the profile's EACCES"
	is "$(value "$r-allowing-alone" unshare):$(value "$r-allowing-alone" ptrace)" 0:ESRCH \
		"$r alone: unshare and ptrace work (the profile allows by default)"

	run_with "$r" "$r-allowing-hardened" allowing "$default"
	is "$RC:$(value "$r-allowing-hardened" mkdir):$(value "$r-allowing-hardened" mkdir_applet)" 0:EACCES:no \
		"$r through oci-harden: mkdir still fails, with the container's own EACCES"
	is "$(value "$r-allowing-hardened" unshare):$(value "$r-allowing-hardened" ptrace)" EPERM:EPERM \
		"$r through oci-harden: the policy's denials apply too"
	is "$(value "$r-allowing-hardened" getpid):$(value "$r-allowing-hardened" write)" 0:hello \
		"$r through oci-harden: ordinary work goes on"

	# A notify agent.
	local b=$W/bundle-notify sum
	sum=$(e2e_sha256 "$W/notify.orig.json")
	cp "$W/notify.orig.json" "$b/config.json"
	OCI_HARDEN_CONFIG=$default "${crun_wrap_if[@]}" "$OCI_HARDEN" \
		$([ "$r" = crun ] && echo --cgroup-manager=disabled) \
		--root "$([ "$r" = runc ] && echo "$E2E_RUNC_ROOT" || echo "$CRUN_ROOT")" \
		create --bundle "$b" "$(e2e_id "$r-notify-refused")" </dev/null >"$W/$r-notify-refused.out" \
		2>"$W/$r-notify-refused.err"
	RC=$?
	local msg
	msg=$(cat "$W/$r-notify-refused.err")
	isnt "$RC" 0 "$r: a profile with SCMP_ACT_NOTIFY and a listenerPath is refused"
	like "$msg" "oci-harden: $b/config.json: refused by policy \"default\": seccomp: linux\\.seccomp\\.listenerPath: listenerPath $W/agent\\.sock: the seccomp agent listening there would decide .*\\(the policy may allow \"listenerPath\" in allow\\.seccomp\\) \\([0-9]+ more refusals?; every decision: run .*oci-harden explain .*\\)" \
		"$r: the refusal names the file, the JSON path, the reason and the allow entry"
	is "$(e2e_sha256 "$b/config.json")" "$sum" "$r: the refused config.json is left as it was"
	msg=$(OCI_HARDEN_CONFIG=$default "$OCI_HARDEN" diff --color=never "$b" 2>&1)
	like "$msg" "# refuse: seccomp: linux\\.seccomp\\.syscalls\\[[0-9]+\\]\\.action: action SCMP_ACT_NOTIFY: a seccomp agent would decide these syscalls.*\\(the policy may allow \"SCMP_ACT_NOTIFY\" in allow\\.seccomp\\)" \
		"$r: diff shows the refusal of the SCMP_ACT_NOTIFY rule and its allow entry"

	start_agent || bail_out "the seccomp agent did not start"
	run_with "$r" "$r-notify-allowed" notify "$W/$r-agent.settings.json"
	wait "$agent_pid" 2>/dev/null
	agent_pid=
	is "$RC:$(value "$r-notify-allowed" notify_container)" 0:ran \
		"$r with allow.seccomp naming SCMP_ACT_NOTIFY and listenerPath: the container runs"
	[ "$RC" = 0 ] || diag_file "$W/$r-notify-allowed.err"
	is "$(sed -n 's/^fds=//p' "$W/agent.log" 2>/dev/null)" 1 \
		"$r: the agent at listenerPath received the seccomp listener fd"

	# containerd's RuntimeDefault profile.
	run_with "$r" "$r-restricted-alone" restricted
	is "$RC:$(value "$r-restricted-alone" io_uring_setup):$(value "$r-restricted-alone" ptrace)" 0:0:ESRCH \
		"$r alone, RuntimeDefault: io_uring_setup and ptrace work"
	run_with "$r" "$r-restricted-hardened" restricted "$default"
	is "$RC:$(value "$r-restricted-hardened" io_uring_setup):$(value "$r-restricted-hardened" ptrace):$(value "$r-restricted-hardened" getpid)" \
		0:EPERM:EPERM:0 "$r through oci-harden, RuntimeDefault: io_uring_setup and ptrace denied"
}

crun_wrap_if=()
check_runtime runc

# --- crun ----------------------------------------------------------------------

if [ -z "$CRUN" ]; then
	skip "crun" "crun is not installed (tests/install-deps.sh)"
else
	# Does crun run here as it is, or only with /sys/fs/cgroup/unified
	# hidden (a hybrid cgroup host)?
	run_with crun crun-try restricted
	if [ "$RC" -ne 0 ] && grep -q 'hybrid mode not supported' "$W/crun-try.err"; then
		crun_wrap=(unshare --mount --propagation private -- sh -c
			'umount /sys/fs/cgroup/unified && exec "$@"' sh)
		crun_wrap_if=("${crun_wrap[@]}")
		run_with crun crun-try restricted
	fi
	if [ "$RC" -ne 0 ]; then
		not_ok "crun runs a container here" "exit $RC"
		diag_file "$W/crun-try.err"
	else
		check_runtime crun
	fi
fi

tap_done
