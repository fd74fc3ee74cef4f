#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# `oci-harden explain ID`, the answer a refusal points to, and the runtime
# entries' own failures, with real runc and no engine:
#
# - a container refused by oci-harden: its one line names the first reason,
#   the count of the others and the command to run; that command lists
#   every refusal and change of the event log, with the key that lifts
#   each refusal; --json gives the events themselves;
# - only the last create and the execs since count (an id used again);
#   an id's first characters will do, unless they are several containers';
#   a container with no event exits 1;
# - an event with an observation (what observation, issue 12, records of a
#   running container) shows what was denied, item by item, generically;
# - oci-harden@NAME fails closed when NAME names no policy, or is none.
set -u
. "$(dirname "$0")/lib.sh"

e2e_require_host
e2e_require_binary
e2e_setup explain

W=$E2E_WORK
mkdir -p "$W/policies"
e2e_write_settings "$W/settings.json" "\"policy_dir\": \"$W/policies\", \"state_dir\": \"$W/state\", \"event_log\": \"$W/events.log\", \"kernel_audit\": false"
export OCI_HARDEN_CONFIG=$W/settings.json
printf '{"allow": {"host_paths": ["/etc"]}}\n' >"$W/policies/lax.json"

# A bundle that binds the host's /etc and /usr (two refusals under the
# default policy).
e2e_make_bundle "$W/bundle" true || bail_out "could not build a bundle"
"$PYTHON" - "$W/bundle/config.json" <<-'EOF'
import json, sys
spec = json.load(open(sys.argv[1]))
for path in ("/etc", "/usr"):
    spec["mounts"].append({"destination": "/host" + path, "type": "bind", "source": path,
                           "options": ["rbind", "ro"]})
json.dump(spec, open(sys.argv[1], "w"))
EOF
cp "$W/bundle/config.json" "$W/config.json.orig"

id=$(e2e_id refused)
"$OCI_HARDEN" --root "$E2E_RUNC_ROOT" --log "$W/run.log" --log-format json run --bundle "$W/bundle" "$id" \
	</dev/null >/dev/null 2>&1
isnt "$?" 0 "a container binding the host's /etc and /usr is refused"
line=$(tail -n 1 "$W/run.log")
like "$line" "refused by policy \\\\\"default\\\\\": mounts: mounts\\[[0-9]+\\]: bind mount of host /etc" \
	"the line names the first reason"
like "$line" "\\(1 more refusal; every decision: run OCI_HARDEN_CONFIG=$W/settings.json $OCI_HARDEN explain $id on host $(hostname)\\)" \
	"then how many more, and the command to run, with this settings file"

"$OCI_HARDEN" explain "$id" >"$W/explain.out" 2>&1
is "$?" 0 "explain exits 0"
out=$(cat "$W/explain.out")
like "$out" "^container $id$" "explain: the container"
like "$out" "^run at [0-9T:.-]+Z: refused, policy \"default\", enforce mode$" "explain: the run, its outcome and policy"
like "$out" "^  policy chosen: .*default policy" "explain: why that policy"
like "$out" "^  refused \\(2\\):$" "explain: both refusals"
like "$out" "^    mounts: mounts\\[[0-9]+\\]: bind mount of host /etc: " "explain: the /etc bind"
like "$out" "^    mounts: mounts\\[[0-9]+\\]: bind mount of host /usr: " "explain: the /usr bind"
like "$out" "^      a policy lifts it with \"allow.host_paths\" \\+= \\[\"/usr:ro\"\\]$" "explain: the key that lifts one"
like "$out" "^  changed \\([0-9]+\\):$" "explain: what was changed"
like "$out" "^    user: process.user.uid: uid 0 \\(root\\) becomes 65534 \\(0 -> 65534\\)$" "explain: a change, with old and new value"

"$OCI_HARDEN" explain --json "$id" >"$W/explain.json" 2>&1
is "$?" 0 "explain --json exits 0"
is "$(grep -c . "$W/explain.json")" 1 "explain --json: one event"
is "$(e2e_json_get "$W/explain.json" '[d["container"], d["refusals"]]')" "[\"$id\", 2]" \
	"explain --json: the event as the log has it"

# The same id again, now allowed /etc only, with an exec; then observed.
cp "$W/config.json.orig" "$W/bundle/config.json"
"$PYTHON" - "$W/bundle/config.json" <<-'EOF'
import json, sys
spec = json.load(open(sys.argv[1]))
spec["mounts"] = [m for m in spec["mounts"] if m["destination"] != "/host/usr"]
spec["process"]["args"] = ["sleep", "300"]
json.dump(spec, open(sys.argv[1], "w"))
EOF
e2e_write_settings "$W/lax-settings.json" "\"policy_dir\": \"$W/policies\", \"state_dir\": \"$W/state\", \"event_log\": \"$W/events.log\", \"kernel_audit\": false, \"default_policy\": \"lax\""
OCI_HARDEN_CONFIG=$W/lax-settings.json "$OCI_HARDEN" --root "$E2E_RUNC_ROOT" run -d --bundle "$W/bundle" "$id" \
	</dev/null >/dev/null 2>"$W/run2.err"
is "$?" 0 "the same id, created again under a policy that allows /etc"
OCI_HARDEN_CONFIG=$W/lax-settings.json "$OCI_HARDEN" --root "$E2E_RUNC_ROOT" exec "$id" true </dev/null >/dev/null 2>&1
is "$?" 0 "an exec in it"
# What observation appends for a container it watched (src/observe, the
# "observation" member), and a line of another container.
"$PYTHON" - "$W/events.log" "$id" <<-'EOF'
import json, sys
path, cid = sys.argv[1:3]
seen = {"time": "2026-11-30T00:00:01Z", "pid": 42, "comm": "sh", "uid": 65534}
observation = {
    "kernel": True, "mode": "enforce", "complete": True,
    "capabilities": [{"name": "CAP_CHOWN", **seen}],
    "capabilities_denied": [{"name": "CAP_SYS_ADMIN", "syscall": "mount", "errno": 1, **seen}],
    "syscalls": [], "syscalls_denied": [{"name": "unshare", "nr": 272, "action": "SCMP_ACT_ERRNO", "errno": 1,
                                         "args": [0, 0, 0, 0, 0, 0], **seen}],
    "writes": [{"path": "/tmp/x", "type": "file", "change": "created"}] * 3,
    "writes_refused": [{"path": "/etc/passwd", "syscall": "openat", "errno": 30, **seen}],
    "writes_unavailable": "enforce mode: the root is read-only; refused writes are recorded",
}
with open(path, "a") as f:
    f.write(json.dumps({"time": "2026-11-30T00:00:02Z", "command": "observe", "container": cid,
                        "bundle": None, "image": None, "policy": "lax", "mode": "enforce",
                        "outcome": "observed", "observation": observation}) + "\n")
    f.write(json.dumps({"time": "2026-11-30T00:00:03Z", "command": "create", "container": "other-" + cid,
                        "policy": "default", "outcome": "unchanged", "decisions": []}) + "\n")
EOF
"$OCI_HARDEN" explain "$id" >"$W/explain2.out" 2>&1
is "$?" 0 "explain, after the second create"
out=$(cat "$W/explain2.out")
is "$(grep -cE '^(create|run) at ' "$W/explain2.out")" 1 "explain: only the last create (here, a run)"
like "$out" "^run at .*: hardened, policy \"lax\", enforce mode$" "explain: the last create, under lax"
unlike "$out" "bind mount of host /usr" "explain: nothing of the create before it"
like "$out" "^exec at .*, policy \"lax\"" "explain: the exec"
like "$out" "^observe at 2026-11-30T00:00:02Z: observed, policy \"lax\", enforce mode$" "explain: the observation"
like "$out" "^  denied at run time:$" "explain: what was denied at run time"
like "$out" "^    capabilities_denied \\(1\\):$" "explain: capabilities denied"
like "$out" "^      name=CAP_SYS_ADMIN syscall=mount errno=1 time=.* comm=sh uid=65534$" "explain: each, with its scalars"
like "$out" "^      name=unshare nr=272 action=SCMP_ACT_ERRNO errno=1 " "explain: syscalls denied"
like "$out" "^      path=/etc/passwd syscall=openat errno=30 " "explain: writes refused"
like "$out" "^  writes_unavailable: enforce mode" "explain: why writes are not listed"
like "$out" "^  seen: capabilities 1, writes 3$" "explain: the sizes of the other lists"
unlike "$out" "other-$id" "explain: not the container whose id merely contains it"
"$RUNC" --root "$E2E_RUNC_ROOT" delete --force "$id" >/dev/null 2>&1

# Prefixes, ambiguity, absence, another event log.
"$OCI_HARDEN" explain "${id:0:10}" >"$W/prefix.out" 2>&1
is "$?" 0 "explain by a prefix of the id"
like "$(head -n 1 "$W/prefix.out")" "^container $id$" "  names the whole id"
"$OCI_HARDEN" explain "other-" >/dev/null 2>&1
is "$?" 0 "explain other-: one container starts so"
"$OCI_HARDEN" explain "o" >"$W/ambiguous.out" 2>&1
is "$?" 2 "explain by a prefix of two containers' ids: exit 2"
like "$(cat "$W/ambiguous.out")" "2 containers' ids start with o: .*$id" "  and it lists them"
"$OCI_HARDEN" explain no-such-container >"$W/none.out" 2>&1
is "$?" 1 "explain of a container with no event: exit 1"
like "$(cat "$W/none.out")" "no event of a container no-such-container in $W/events.log" "  saying where it looked"
OCI_HARDEN_CONFIG=/nonexistent "$OCI_HARDEN" explain --event-log "$W/events.log" "$id" >/dev/null 2>&1
is "$?" 0 "explain --event-log FILE reads that file"
"$OCI_HARDEN" explain --event-log "$W/no-such.log" "$id" >"$W/nolog.out" 2>&1
is "$?" 2 "explain of a missing event log: exit 2"
like "$(cat "$W/nolog.out")" "event log $W/no-such.log" "  naming it"

# --- oci-harden@NAME fails closed -----------------------------------------------------

mkdir -p "$W/sbin"
for name in "oci-harden@nosuch" "oci-harden@.hidden"; do
	ln -s "$OCI_HARDEN" "$W/sbin/$name"
	cp "$W/config.json.orig" "$W/bundle/config.json"
	id=$(e2e_id entry)
	"$W/sbin/$name" --root "$E2E_RUNC_ROOT" --log "$W/$name.log" --log-format json run --bundle "$W/bundle" "$id" \
		</dev/null >/dev/null 2>&1
	isnt "$?" 0 "run through $name: refused"
	is "$("$RUNC" --root "$E2E_RUNC_ROOT" list -q | grep -c "$id")" 0 "  runc never ran"
	is "$(e2e_sha256 "$W/bundle/config.json")" "$(e2e_sha256 "$W/config.json.orig")" "  config.json untouched"
done
like "$(tail -n 1 "$W/oci-harden@nosuch.log")" "$W/policies/nosuch.json: cannot open" "oci-harden@nosuch: no such policy, naming its file"
like "$(tail -n 1 "$W/oci-harden@.hidden.log")" "\\\\\".hidden\\\\\" after the @ is not a policy name" "oci-harden@.hidden: not a policy name"
# The other commands pass through: a container can still be listed and deleted.
"$W/sbin/oci-harden@nosuch" --root "$E2E_RUNC_ROOT" list >/dev/null 2>&1
is "$?" 0 "list through oci-harden@nosuch passes through"

tap_done
