#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# 50 containers created at once through oci-harden: every one comes up
# hardened, and no file of one is touched by another. TAP on stdout.
#
# Each bundle carries a marker of its own (an annotation, the hostname and
# an environment variable) and bind-mounts a host directory of its own at
# /out. Every container writes what the kernel says of it (uid, gid,
# capabilities, NoNewPrivs, seccomp) and its marker into its /out. Then:
#   - all 50 `oci-harden run -d` calls succeeded and runc lists 50 running
#     containers;
#   - each bundle's config.json is hardened (gocheck.py) and still carries
#     its own marker, and nothing else is left in the bundle directory (no
#     temporary file of another run);
#   - each container reports a hardened process and its own marker, in its
#     own directory and nowhere else.
# CONTAINERS (default 50) sets the number.
set -u
HOSTILE_DIR=$(cd "$(dirname "$0")" && pwd)
. "$HOSTILE_DIR/../e2e/lib.sh"

e2e_require_host
e2e_require_binary
e2e_setup concurrency

N=${CONTAINERS:-50}
GOCHECK=$HOSTILE_DIR/gocheck.py
W=$E2E_WORK
R=$E2E_RUNC_ROOT
started=$(date +%s)

SETTINGS=$W/oci-harden.json
mkdir -p "$W/state" "$W/policies"
e2e_write_settings "$SETTINGS" "\"policy_dir\": \"$W/policies\", \"state_dir\": \"$W/state\""
export OCI_HARDEN_CONFIG=$SETTINGS

ROOTFS=$W/rootfs
e2e_make_rootfs "$ROOTFS" || bail_out "could not build the root filesystem"
mkdir -p "$ROOTFS/out"

# The container's report, written whole (rename) so that a half-written
# file is never read.
PROBE='{ echo "marker=$MARKER"; echo "uid=$(id -u) gid=$(id -g)"
grep -E "^(CapEff|CapPrm|CapBnd|CapAmb|NoNewPrivs|Seccomp):" /proc/self/status
echo done; } >/out/probe.tmp && mv /out/probe.tmp /out/probe; exec sleep 100000'

# The unhardened config every bundle starts from: containerd's shape (root,
# its default capabilities, no seccomp, writable root).
BASE=$HOSTILE_DIR/config-user-missing.json

ids=()
for i in $(seq 1 "$N"); do
	ids+=("$(e2e_id "c$i")")
	b=$W/bundles/$i
	mkdir -p "$b" "$W/out/$i"
	chmod 1777 "$W/out/$i" # the hardened process is uid 65534
	cp -al "$ROOTFS" "$b/rootfs"
done
# Container i: bundle $W/bundles/i, report in $W/out/i, marker ids[i-1].
"$PYTHON" - "$BASE" "$W" "$PROBE" "${ids[@]}" <<-'EOF' || bail_out "could not write the bundles"
	import json, sys
	base, work, probe, ids = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
	for i, marker in enumerate(ids, 1):
	    spec = json.load(open(base))
	    spec["annotations"] = {"oci-harden.test/marker": marker}
	    spec["hostname"] = marker
	    spec["process"]["args"] = ["sh", "-c", probe]
	    spec["process"]["env"] = spec["process"].get("env", []) + ["MARKER=" + marker]
	    spec["mounts"].append({"destination": "/out", "type": "bind",
	                           "source": "%s/out/%d" % (work, i), "options": ["rbind", "rw"]})
	    with open("%s/bundles/%d/config.json" % (work, i), "w") as f:
	        json.dump(spec, f, separators=(",", ":"))
	EOF
diag "$N bundles ready after $(($(date +%s) - started)) s"

# All at once.
t0=$(date +%s)
pids=()
for i in $(seq 1 "$N"); do
	"$OCI_HARDEN" --root "$R" --log "$W/out/$i.log" --log-format json \
		run -d --bundle "$W/bundles/$i" "${ids[$((i - 1))]}" \
		</dev/null >/dev/null 2>"$W/out/$i.err" &
	pids+=($!)
done
failed=0
for i in $(seq 1 "$N"); do
	if ! wait "${pids[$((i - 1))]}"; then
		failed=$((failed + 1))
		diag "container $i: run failed" "$(cat "$W/out/$i.err" "$W/out/$i.log" 2>/dev/null | tail -n 3)"
	fi
done
is "$failed" 0 "all $N oci-harden run -d calls succeeded"
diag "$N containers started in $(($(date +%s) - t0)) s"

running=$("$RUNC" --root "$R" list -q 2>/dev/null | wc -l)
is "$running" "$N" "runc lists $N containers"

# Wait for the reports (each container writes its own once it runs).
deadline=$(($(date +%s) + 60))
while :; do
	missing=0
	for i in $(seq 1 "$N"); do
		[ -s "$W/out/$i/probe" ] || missing=$((missing + 1))
	done
	[ "$missing" -eq 0 ] || [ "$(date +%s)" -ge "$deadline" ] && break
	sleep 0.2
done
is "$missing" 0 "every container wrote its report"

bad_config=0 bad_marker=0 bad_probe=0 stray=0
for i in $(seq 1 "$N"); do
	id=${ids[$((i - 1))]}
	b=$W/bundles/$i
	verdict=$("$PYTHON" "$GOCHECK" spec "$b/config.json" 2>&1)
	if [ -n "$verdict" ]; then
		bad_config=$((bad_config + 1))
		diag "bundle $i: config.json not hardened: $verdict"
	fi
	got=$("$PYTHON" -c '
import json, sys
s = json.load(open(sys.argv[1]))
env = [e for e in s["process"].get("env", []) if e.startswith("MARKER=")]
print(s["annotations"]["oci-harden.test/marker"], s["hostname"], ",".join(env))
' "$b/config.json" 2>&1)
	want="$id $id MARKER=$id"
	if [ "$got" != "$want" ]; then
		bad_marker=$((bad_marker + 1))
		diag "bundle $i: config.json carries '$got', not its own '$want'"
	fi
	extra=$(ls -A "$b" | grep -vxE 'config.json|rootfs')
	if [ -n "$extra" ]; then
		stray=$((stray + 1))
		diag "bundle $i: stray files: $extra"
	fi
	verdict=$("$PYTHON" "$GOCHECK" probe "$W/out/$i/probe" 2>&1)
	marker=$(sed -n 's/^marker=//p' "$W/out/$i/probe" 2>/dev/null)
	if [ -n "$verdict" ] || [ "$marker" != "$id" ] || [ "$(ls -A "$W/out/$i")" != probe ]; then
		bad_probe=$((bad_probe + 1))
		diag "container $i: ${verdict:-} marker '$marker' (want '$id'); files: $(ls -A "$W/out/$i" | tr '\n' ' ')"
	fi
done
is "$bad_config" 0 "every bundle's config.json is hardened"
is "$bad_marker" 0 "every bundle's config.json carries its own marker, and no other's"
is "$stray" 0 "no bundle holds a file but config.json and rootfs"
is "$bad_probe" 0 "every container reports a hardened process and its own marker, in its own directory"
records=$(find "$W/state" -name '*.json' | sed 's|.*/||; s|\.json$||' | sort)
is "$records" "$(printf '%s\n' "${ids[@]}" | sort)" "oci-harden remembers each container's policy, once"

# Delete them all at once through oci-harden too: each delete removes its
# own record and nothing else.
t0=$(date +%s)
pids=()
for id in "${ids[@]}"; do
	"$OCI_HARDEN" --root "$R" delete --force "$id" </dev/null >/dev/null 2>&1 &
	pids+=($!)
done
failed=0
for pid in "${pids[@]}"; do
	wait "$pid" || failed=$((failed + 1))
done
is "$failed" 0 "all $N oci-harden delete --force calls succeeded"
is "$("$RUNC" --root "$R" list -q 2>/dev/null | wc -l)" 0 "all $N containers deleted"
is "$(find "$W/state" -name '*.json' | wc -l)" 0 "no policy record is left"
diag "deleted in $(($(date +%s) - t0)) s; wall time $(($(date +%s) - started)) s"
tap_done
