#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# The audit trail: for each create and exec, one kernel audit record (read
# back here from the kernel's audit socket) and one event-log line, matched
# to the containers this test ran; and `oci-harden suggest`, which turns the
# events of a few audit-mode containers into per-image policies that `check`
# accepts and under which those containers then run in enforce mode with
# nothing refused.
set -u
. "$(dirname "$0")/lib.sh"

e2e_require_host
e2e_require_binary
e2e_setup audit

audit_py="$PYTHON $(dirname "$0")/audit_netlink.py"
was_enabled=$($audit_py status 2>/dev/null) || skip_all "the kernel has no audit support"
listener=
cleanup_audit()
{
	[ -n "$listener" ] && kill "$listener" 2>/dev/null
	$audit_py set-enabled "$was_enabled" 2>/dev/null
	e2e_docker_sock_done
	e2e_cleanup
}
trap cleanup_audit EXIT
$audit_py set-enabled 1 || bail_out "cannot enable kernel auditing"
e2e_docker_sock_placeholder

events=$E2E_WORK/events.log
audit_policies=$E2E_WORK/audit-policies
mkdir -p "$audit_policies"
echo '{"mode": "audit"}' >"$audit_policies/default.json"
e2e_write_settings "$E2E_WORK/audit.json" \
	"\"policy_dir\": \"$audit_policies\", \"event_log\": \"$events\", \"state_dir\": \"$E2E_WORK/state\""
e2e_write_settings "$E2E_WORK/enforce.json" \
	"\"policy_dir\": \"$E2E_WORK/none\", \"event_log\": \"$events\", \"state_dir\": \"$E2E_WORK/state\""

# bundle NAME IMAGE [PYTHON]: a bundle running the probe, annotated with IMAGE.
bundle()
{
	local dir=$E2E_WORK/$1
	e2e_make_bundle "$dir" sh -c "$E2E_PROBE" || bail_out "could not build a bundle"
	"$PYTHON" - "$dir/config.json" "$2" "${3:-}" <<-'PY'
	import json, sys
	path, image, change = sys.argv[1:4]
	spec = json.load(open(path))
	# What containerd's CRI plugin writes: the image, and the markers by which
	# oci-harden trusts it (trust_image_annotations "cri").
	spec.setdefault("annotations", {}).update({
	    "io.kubernetes.cri.image-name": image,
	    "io.kubernetes.cri.container-type": "container",
	    "io.kubernetes.cri.sandbox-id": "0" * 64})
	linux = spec["linux"]
	exec(change)
	json.dump(spec, open(path, "w"), separators=(",", ":"))
	PY
	cp "$dir/config.json" "$dir/config.orig.json"
}

# run SETTINGS BUNDLE ID: through oci-harden; output in ID.out, log in ID.log.
run()
{
	OCI_HARDEN_CONFIG=$1 "$OCI_HARDEN" --root "$E2E_RUNC_ROOT" --log "$E2E_WORK/$3.log" \
		--log-format json run --bundle "$E2E_WORK/$2" "$3" \
		</dev/null >"$E2E_WORK/$3.out" 2>"$E2E_WORK/$3.err"
}

bundle app-a docker.io/library/app-a:1
bundle app-b docker.io/library/app-b:1 '
spec["mounts"].append({"destination": "/var/run/docker.sock", "type": "bind", "source": "/var/run/docker.sock", "options": ["rbind", "ro"]})
linux["namespaces"] = [n for n in linux["namespaces"] if n["type"] != "pid"]'

$audit_py listen 120 "$E2E_WORK/audit.out" &
listener=$!
for _ in $(seq 50); do grep -q listening "$E2E_WORK/audit.out" 2>/dev/null && break; sleep 0.1; done

# --- audit mode: both run as given ---------------------------------------------
id_a=$(e2e_id app-a)
id_b=$(e2e_id app-b)
run "$E2E_WORK/audit.json" app-a "$id_a"
is "$?" 0 "audit mode: app-a runs"
is "$(e2e_probe_value "$E2E_WORK/$id_a.out" uid)" 0 "audit mode: app-a runs as given (uid 0)"
run "$E2E_WORK/audit.json" app-b "$id_b"
is "$?" 0 "audit mode: app-b, with the Docker socket and the host's pid namespace, runs"

# --- enforce: a refusal, and an exec -------------------------------------------
id_c=$(e2e_id refused)
cp "$E2E_WORK/app-b/config.orig.json" "$E2E_WORK/app-b/config.json"
run "$E2E_WORK/enforce.json" app-b "$id_c"
isnt "$?" 0 "enforce: app-b is refused"

long=$E2E_WORK/long
e2e_make_bundle "$long" sleep 60 || bail_out "could not build a bundle"
id_d=$(e2e_id long)
OCI_HARDEN_CONFIG=$E2E_WORK/enforce.json "$OCI_HARDEN" --root "$E2E_RUNC_ROOT" create --bundle "$long" "$id_d" &&
	OCI_HARDEN_CONFIG=$E2E_WORK/enforce.json "$OCI_HARDEN" --root "$E2E_RUNC_ROOT" start "$id_d"
is "$?" 0 "enforce: a long-running container starts"
printf '{"user":{"uid":0,"gid":0},"args":["/usr/bin/id","-u"],"cwd":"/","capabilities":{"bounding":["CAP_SYS_ADMIN"]}}' \
	>"$E2E_WORK/process.json"
exec_out=$(OCI_HARDEN_CONFIG=$E2E_WORK/enforce.json "$OCI_HARDEN" --root "$E2E_RUNC_ROOT" \
	exec --process "$E2E_WORK/process.json" "$id_d" 2>&1)
is "$exec_out" 65534 "enforce: the exec is hardened"

# The kernel has each record before oci-harden execs the runtime: the
# listener, reading the kernel's multicast, only has to catch up.
for _ in $(seq 50); do
	[ "$(grep -c '^2500 ' "$E2E_WORK/audit.out")" -ge 5 ] && break
	sleep 0.1
done

# --- auditing off: the kernel drops the record, and the container runs -------
# Nothing tells oci-harden (the kernel acknowledges the record all the same,
# kernel/audit.c), and nothing waits.
$audit_py set-enabled 0
cp "$E2E_WORK/app-a/config.orig.json" "$E2E_WORK/app-a/config.json"
id_off=$(e2e_id audit-off)
run "$E2E_WORK/enforce.json" app-a "$id_off"
is "$?" 0 "auditing disabled: the container runs"
is "$(grep -c 'no kernel audit record' "$E2E_WORK/$id_off.log")" 0 \
	"auditing disabled: no warning, there is nothing to warn of"
$audit_py set-enabled 1
sleep 0.2
kill "$listener" 2>/dev/null
wait "$listener" 2>/dev/null
listener=
is "$(grep -c "vm=\"$id_off\"" "$E2E_WORK/audit.out")" 0 "auditing disabled: no record"

# --- the event log ---------------------------------------------------------------
ev() # ev ID COMMAND EXPR: EXPR over the event of container ID and COMMAND
{
	"$PYTHON" -c '
import json, sys
for line in open(sys.argv[1]):
    d = json.loads(line)
    if d["container"] == sys.argv[2] and d["command"] == sys.argv[3]:
        print(eval(sys.argv[4]))
        break
' "$events" "$1" "$2" "$3"
}
is "$("$PYTHON" -c 'import json,sys; [json.loads(l) for l in open(sys.argv[1])]; print("ok")' "$events")" ok \
	"event log: every line is one JSON object"
is "$(ev "$id_a" run 'd["mode"], d["outcome"], d["policy"], d["image"]')" \
	"('audit', 'audited', 'default', 'docker.io/library/app-a:1')" "event log: app-a audited under the audit-mode default"
is "$(ev "$id_a" run 'd["bundle"] == sys.argv[0] or d["bundle"].endswith("/app-a")')" True "event log: names the bundle"
is "$(ev "$id_a" run 'all(k in x for x in d["decisions"] for k in ("rule", "path", "old", "new"))')" True \
	"event log: every decision has rule, JSON path, old and new"
is "$(ev "$id_b" run '[(x["lift"]["key"], x["lift"]["value"][0]) for x in d["decisions"] if x["kind"] == "refuse"]')" \
	"[('allow.host_namespaces', 'pid'), ('allow.host_paths', '/run/docker.sock:ro')]" \
	"event log: app-b's would-be refusals, with the policy key and value that would lift them"
is "$(ev "$id_c" run 'd["mode"], d["outcome"]')" "('enforce', 'refused')" "event log: the refusal"
is "$(ev "$id_d" exec 'd["outcome"], d["changes"] > 0')" "('hardened', True)" "event log: the exec"

# --- the kernel's audit records -------------------------------------------------
record() { grep "^2500 .*vm=\"$1\"" "$E2E_WORK/audit.out" | grep "op=oci-harden-$2"; }
for pair in "$id_a run" "$id_b run" "$id_c run" "$id_d create" "$id_d exec"; do
	set -- $pair
	is "$(record "$1" "$2" | wc -l)" 1 "audit: one VIRT_CONTROL record for $2 of ${1##*-}"
done
like "$(record "$id_a" run)" "mode=audit outcome=audited changes=$(ev "$id_a" run 'd["changes"]') " \
	"audit: app-a's record carries mode, outcome and the number of changes"
like "$(record "$id_c" run)" 'policy="default" mode=enforce outcome=refused .* res=failed' \
	"audit: the refusal's record"
like "$(record "$id_a" run)" 'image="docker.io/library/app-a:1" policy="default"' "audit: image and policy"

# --- suggest, then enforce ------------------------------------------------------
# Observation is off here (e2e_write_settings): suggest copies nothing it did
# not see used, says so, and the requests it did not copy (test_observe.sh
# has suggest with observation).
suggested=$E2E_WORK/suggested
"$OCI_HARDEN" suggest --no-live --out "$suggested" "$events" 2>"$E2E_WORK/suggest.err"
is "$?" 0 "suggest writes policies"
is "$(ls "$suggested" | sort | tr '\n' ' ')" \
	"suggested-docker.io-library-app-a-1.json suggested-docker.io-library-app-b-1.json " \
	"suggest: one policy per audit-mode image"
app_b_policy=$suggested/suggested-docker.io-library-app-b-1.json
like "$(cat "$app_b_policy")" 'have no observation.*nothing is suggested' \
	"suggest: audit-mode containers without observation are said to be unobserved"
like "$(cat "$app_b_policy")" 'Asked for, not observed in use, not copied: allow.host_namespaces \["pid"\]' \
	"suggest: what app-b asked for is named, not copied"
is "$(grep -v '^ *//' "$app_b_policy" | "$PYTHON" -c 'import json,sys; print(sorted(json.load(sys.stdin)))')" \
	"['extends', 'images']" "suggest: no exception without an observation"
"$OCI_HARDEN" check "$suggested" >"$E2E_WORK/check.out" 2>&1
if ! is "$?" 0 "check accepts what suggest wrote"; then diag_file "$E2E_WORK/check.out" check; fi
e2e_write_settings "$E2E_WORK/suggested.json" \
	"\"policy_dir\": \"$suggested\", \"event_log\": \"$events\", \"state_dir\": \"$E2E_WORK/state\""
cp "$E2E_WORK/app-a/config.orig.json" "$E2E_WORK/app-a/config.json"
id=$(e2e_id app-a-enforced)
run "$E2E_WORK/suggested.json" app-a "$id"
if ! is "$?" 0 "enforce with the suggested policy: app-a runs, nothing refused"; then
	diag_file "$E2E_WORK/$id.log" "--log file"
fi
is "$(ev "$id" run 'd["refusals"], d["mode"]')" "(0, 'enforce')" "event log: app-a enforced, 0 refusals"
cp "$E2E_WORK/app-b/config.orig.json" "$E2E_WORK/app-b/config.json"
id=$(e2e_id app-b-enforced)
run "$E2E_WORK/suggested.json" app-b "$id"
isnt "$?" 0 "enforce with the suggested policy: app-b, whose requests were not seen used, is refused"

# --- the kernel refuses the record: a warning, and the container runs --------
# Outside the initial user namespace the kernel refuses audit records
# (kernel/audit.c, audit_netlink_ok): ECONNREFUSED, answered at once.
if unshare --user --map-root-user true 2>/dev/null; then
	E2E_SETTINGS_RUNTIME=/bin/true e2e_write_settings "$E2E_WORK/userns.json" \
		"\"policy_dir\": \"$E2E_WORK/none\", \"state_dir\": \"$E2E_WORK/state-userns\""
	cp "$E2E_WORK/app-a/config.orig.json" "$E2E_WORK/app-a/config.json"
	OCI_HARDEN_CONFIG=$E2E_WORK/userns.json unshare --user --map-root-user \
		"$OCI_HARDEN" --root "$E2E_WORK/userns-root" --log "$E2E_WORK/userns.log" \
		--log-format json create --bundle "$E2E_WORK/app-a" userns </dev/null >/dev/null 2>&1
	is "$?" 0 "the kernel refuses the record: the create goes on"
	like "$(cat "$E2E_WORK/userns.log")" '"level":"warning".*no kernel audit record: the kernel refused it: Connection refused' \
		"the kernel refuses the record: said as a warning in the --log file"
else
	skip "the kernel refuses the record" "no unprivileged user namespaces here"
	skip "the kernel refuses the record: a warning" "no unprivileged user namespaces here"
fi

tap_done
