#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# A container's whole life through oci-harden, as containerd drives it:
# create, start, state, ps, pause, resume, kill, delete, list. Every command
# but create/run goes straight to runc, so outputs and exit statuses must be
# runc's own.
set -u
. "$(dirname "$0")/lib.sh"

e2e_require_host
e2e_require_binary
e2e_setup lifecycle

settings=$E2E_WORK/oci-harden.json
e2e_write_settings "$settings"
export OCI_HARDEN_CONFIG=$settings
log=$E2E_WORK/oci-harden.log
R=$E2E_RUNC_ROOT

# oh ARG...: oci-harden with the global options containerd passes.
oh()
{
	"$OCI_HARDEN" --root "$R" --log "$log" --log-format json "$@"
}

status_of()
{
	oh state "$1" 2>/dev/null | e2e_json_get - 'd["status"]' 2>/dev/null
}

bundle=$E2E_WORK/bundle
e2e_make_bundle "$bundle" sleep 60 || bail_out "could not build the bundle"
id=$(e2e_id life)

# --- create, start, state ----------------------------------------------------

# A detached create: the container keeps its stdio, so give it files, not
# the pipe of a command substitution.
oh create --bundle "$bundle" "$id" </dev/null >"$E2E_WORK/create.out" 2>"$E2E_WORK/create.err"
rc=$?
if ! is "$rc" 0 "create exits 0"; then
	diag_file "$E2E_WORK/create.err" stderr
	diag_file "$log" "--log file"
fi
is "$(cat "$E2E_WORK/create.out" "$E2E_WORK/create.err")" "" "create prints nothing"
is "$(status_of "$id")" created "state: created"
state_json=$(oh state "$id" 2>/dev/null)
is "$(printf '%s' "$state_json" | e2e_json_get - 'd["id"]')" "$id" "state: the id is the container's"
is "$(printf '%s' "$state_json" | e2e_json_get - 'd["bundle"]')" "$bundle" "state: the bundle is the one given"
is "$(e2e_json_get "$bundle/config.json" 'd["process"]["user"]["uid"]')" 65534 \
	"create hardened the bundle's config.json (uid 65534)"

oh start "$id" </dev/null >"$E2E_WORK/start.out" 2>&1
is "$?" 0 "start exits 0"
e2e_wait_status "$id" running 5
is "$(status_of "$id")" running "state: running"
pid=$(oh state "$id" 2>/dev/null | e2e_json_get - 'd["pid"]')
like "$pid" '^[1-9][0-9]*$' "state: a pid"
if [ -r "/proc/$pid/status" ]; then
	is "$(sed -n 's/^Uid:[[:space:]]*\([0-9]*\).*/\1/p' "/proc/$pid/status")" 65534 \
		"the running container's process is uid 65534, seen from the host"
	caps_within "$(sed -n 's/^CapEff:[[:space:]]*//p' "/proc/$pid/status")" "$E2E_NET_BIND_MASK" \
		"the running container's CapEff, seen from the host"
	is "$(sed -n 's/^CapBnd:[[:space:]]*//p' "/proc/$pid/status")" "$E2E_NET_BIND_MASK" \
		"the running container's CapBnd, seen from the host"
	is "$(sed -n 's/^NoNewPrivs:[[:space:]]*//p' "/proc/$pid/status")" 1 \
		"the running container's NoNewPrivs, seen from the host"
else
	not_ok "the running container's process is visible from the host" "no /proc/$pid/status"
fi

# --- pass-through commands: same output as runc's ----------------------------

is "$(oh ps --format json "$id" 2>&1)" "$("$RUNC" --root "$R" ps --format json "$id" 2>&1)" \
	"ps: the same as runc's"
is "$(oh list -q 2>&1)" "$id" "list -q: the container"
is "$(oh list --format json 2>&1 | e2e_json_get - '[c["id"] for c in d]')" "[\"$id\"]" \
	"list --format json: the container"

oh pause "$id" >/dev/null 2>&1
is "$?" 0 "pause exits 0"
is "$(status_of "$id")" paused "state: paused"
oh resume "$id" >/dev/null 2>&1
is "$?" 0 "resume exits 0"
is "$(status_of "$id")" running "state: running again"

# exec goes through too (its process is hardened, if the wrapper does so).
out=$(oh exec "$id" id -u </dev/null 2>"$E2E_WORK/exec.err")
rc=$?
is "$rc" 0 "exec exits 0"
[ "$rc" -eq 0 ] || diag_file "$E2E_WORK/exec.err" stderr
isnt "$out" 0 "exec: the process does not run as root"

# containerd's shim never execs with flags: it writes a process.json from
# the spec it keeps in its own store (the original, unhardened one: root,
# its default capabilities) and runs `exec --process FILE`. That process
# must come out as hardened as the container's init.
exec_probe='id -u; grep -E "^(CapEff|CapBnd|NoNewPrivs|Seccomp):" /proc/self/status'
E2E_CAPS="$E2E_CONTAINERD_CAPS" "$PYTHON" -c '
import json, os, sys
caps = os.environ["E2E_CAPS"].split()
json.dump({"terminal": False, "user": {"uid": 0, "gid": 0}, "args": ["sh", "-c", sys.argv[2]],
           "env": ["PATH=/usr/sbin:/usr/bin:/sbin:/bin"], "cwd": "/",
           "capabilities": {"bounding": caps, "effective": caps, "permitted": caps}},
          open(sys.argv[1], "w"))' "$E2E_WORK/process.json" "$exec_probe"
cp "$E2E_WORK/process.json" "$E2E_WORK/process.orig.json"
out=$(oh exec --process "$E2E_WORK/process.json" "$id" </dev/null 2>"$E2E_WORK/exec-process.err")
rc=$?
diag "exec --process: exit $rc"
# The runtime is handed the process oci-harden built; the caller's file
# stays as the caller wrote it.
is "$(e2e_sha256 "$E2E_WORK/process.json")" "$(e2e_sha256 "$E2E_WORK/process.orig.json")" \
	"exec --process: the caller's process file is left as it was"
if [ "$rc" -eq 0 ]; then
	is "$(printf '%s\n' "$out" | head -n 1)" 65534 "exec --process with uid 0: the process runs as 65534"
	like "$out" "CapBnd:[[:space:]]+$E2E_NET_BIND_MASK" "exec --process: CapBnd is CAP_NET_BIND_SERVICE only"
	caps_within "$(printf '%s\n' "$out" | sed -n 's/^CapEff:[[:space:]]*//p')" "$E2E_NET_BIND_MASK" \
		"exec --process: CapEff holds CAP_NET_BIND_SERVICE at most"
	like "$out" "NoNewPrivs:[[:space:]]+1" "exec --process: NoNewPrivs 1"
	like "$out" "Seccomp:[[:space:]]+2" "exec --process: seccomp filter"
else
	# A refusal is safe too, but containerd's exec would then always fail.
	not_ok "exec --process with uid 0 runs, hardened" "exit $rc"
	diag_file "$E2E_WORK/exec-process.err" stderr
	diag_file "$log" "--log file"
fi

# Flags that ask for more than the policy allows: a root user, an added
# capability. The process is hardened as the container's is: it runs, and
# gets neither.
out=$(oh exec --user 0:0 --cap CAP_SYS_ADMIN "$id" sh -c "$exec_probe" </dev/null 2>/dev/null)
rc=$?
is "$rc" 0 "exec --user 0:0 --cap CAP_SYS_ADMIN runs"
is "$(printf '%s\n' "$out" | head -n 1)" 65534 "exec --user 0:0: the process runs as 65534"
bnd=$(printf '%s\n' "$out" | sed -n 's/^CapBnd:[[:space:]]*//p')
# CAP_SYS_ADMIN is bit 21.
if [ -z "$bnd" ] || (((16#$bnd >> 21 & 1) == 0)); then
	ok "exec --cap CAP_SYS_ADMIN: not in the bounding set"
else
	not_ok "exec --cap CAP_SYS_ADMIN: not in the bounding set" "CapBnd: $bnd"
fi

# --- kill, stopped, delete, list ----------------------------------------------

oh kill "$id" KILL >/dev/null 2>&1
is "$?" 0 "kill KILL exits 0"
e2e_wait_status "$id" stopped 10
is "$(status_of "$id")" stopped "state: stopped"
oh delete "$id" >/dev/null 2>&1
is "$?" 0 "delete exits 0"
is "$(oh list -q 2>&1)" "" "list -q: empty after delete"
[ -e "$R/$id" ] && not_ok "no state directory left for the container" ||
	ok "no state directory left for the container"

# --- exit statuses pass through -----------------------------------------------

"$RUNC" --root "$R" state nonexistent >/dev/null 2>&1
want=$?
oh state nonexistent >/dev/null 2>&1
got=$?
isnt "$got" 0 "state of a nonexistent container fails"
is "$got" "$want" "state of a nonexistent container: runc's exit status ($want)"

"$RUNC" --root "$R" kill nonexistent KILL >/dev/null 2>&1
want=$?
oh kill nonexistent KILL >/dev/null 2>&1
is "$?" "$want" "kill of a nonexistent container: runc's exit status ($want)"

"$OCI_HARDEN" --root "$R" no-such-command >/dev/null 2>&1
got=$?
isnt "$got" 0 "an unknown command fails"

# The container's own exit status comes back from run, like runc's.
e2e_set_args "$bundle" sh -c 'exit 7'
id=$(e2e_id exit7)
oh run --bundle "$bundle" "$id" </dev/null >/dev/null 2>"$E2E_WORK/run.err"
rc=$?
is "$rc" 7 "run: the container's exit status (7) comes back"
[ "$rc" -eq 7 ] || diag_file "$E2E_WORK/run.err" stderr
oh delete "$id" >/dev/null 2>&1

# --- the version ---------------------------------------------------------------

# runc's output unchanged, first (runc's own tests read its first lines;
# Docker reads the runtime's name, version and commit from it, the last line
# that says "version": test_entries.sh), then oci-harden's own line, which
# does not say "version". The exit status is runc's.
version=$(sed -n "s/^project('oci-harden', 'c',\$//; s/^  version : '\(.*\)',\$/\1/p" "$E2E_SOURCE_ROOT/meson.build")
own_version_line="oci-harden $version, which hardens every container before this runtime runs it"
for flag in --version -v; do
	out=$("$OCI_HARDEN" $flag 2>&1)
	is "$?" 0 "$flag exits 0, as runc does"
	is "$out" "$("$RUNC" $flag 2>&1)
$own_version_line" "$flag: runc's output unchanged, then oci-harden's line"
	is "$(grep -c version <<<"$out")" "$("$RUNC" $flag 2>&1 | grep -c version)" \
		"$flag: oci-harden's line does not say \"version\" (Docker takes the last that does)"
done

# --- the help ------------------------------------------------------------------

# --help, no command and `help` alone: runc's help unchanged, first, then
# oci-harden's commands.
runc_help=$("$RUNC" --help 2>&1)
for words in --help -h help ""; do
	# shellcheck disable=SC2086 # "" is no argument at all
	help=$("$OCI_HARDEN" $words 2>&1)
	is "${help:0:${#runc_help}}" "$runc_help" "oci-harden ${words:-(no arguments)}: runc's own help first, unchanged"
	like "$help" "is run by oci-harden $version" "oci-harden ${words:-(no arguments)}: then says what oci-harden is"
	for command in diff check suggest explain install sync-policies; do
		like "$help" "^  $command +[a-z]" "oci-harden ${words:-(no arguments)}: lists $command"
	done
done
# A command's own help is runc's alone.
is "$("$OCI_HARDEN" create --help 2>&1)" "$("$RUNC" create --help 2>&1)" "create --help: runc's"

# Each of oci-harden's own commands lists its options.
options_of_diff="--image --policy --color --help"
options_of_check="--quiet --help"
options_of_suggest="--out --help"
options_of_explain="--event-log --json --help"
for command in diff check suggest explain; do
	help=$("$OCI_HARDEN" "$command" --help 2>&1)
	is "$?" 0 "$command --help exits 0"
	options_of=options_of_$command
	for option in ${!options_of}; do
		like "$help" "^ +(-[a-z], )?$option([ =]|\$)" "$command --help describes $option"
	done
done

tap_done
