#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# `oci-harden sync-policies`: a policy ConfigMap reaches the node's policy
# directory all or nothing.
#
# The ConfigMap's volume is laid out as the kubelet's atomic writer does it
# (a timestamped directory per version, "..data" a link to the current one,
# renamed over to update, a link per key). Two versions alternate, A and B,
# each of 300 policies that match nothing and, last in file-name order,
# zz-select.json (matches the test image, sets the uid, extends base) and
# base.json (sets the capabilities): A is uid 1001 and CAP_CHOWN, B uid 2002
# and CAP_KILL. While a loop swaps them on the node as fast as
# sync-policies can, real creates (oci-harden, then runc) run in a loop, and
# each hardened config.json must be wholly A or wholly B: a create that
# read the file list of one set and a file of the other would show uid 1001
# with CAP_KILL, or fail on a file the other set lacks. Both sets must have
# been seen, so that the swaps happened during the creates.
#
# Then a broken version: refused, reported with check's findings (and by
# --status, the DaemonSet's readiness probe), the node keeps its set.
#
# The node's files are on a tmpfs, as /etc is not but as its syncfs(2) is
# then quick: on the disk, every sync's syncfs stalls this machine's other
# writes for a second, and few swaps and creates would meet.
set -u
if [ -z "${OHE2E_SYNC_NS:-}" ] && [ "$(id -u)" -eq 0 ]; then
	OHE2E_SYNC_NS=1 exec unshare --mount --propagation private -- "$BASH" "$0" "$@"
fi
. "$(dirname "$0")/lib.sh"

e2e_require_host
e2e_require_binary
e2e_setup policy-sync

W=$E2E_WORK
NODE=$W/node
CM=$W/configmap
IMAGE=docker.io/library/ohtest:1
mkdir -p "$NODE" "$CM"
mount -t tmpfs -o mode=0755 oh-node "$NODE" || bail_out "cannot mount a tmpfs for the node"
trap 'umount -R -l "$NODE" 2>/dev/null; e2e_cleanup' EXIT
mkdir -p "$NODE/etc/oci-harden" "$NODE/run" "$NODE/proc"
# A node has /proc; sync-policies runs chrooted there (LeakSanitizer, in
# the sanitizer run, reads /proc/self when it exits).
mount --rbind /proc "$NODE/proc" || bail_out "cannot mount /proc in the node"
# The node's settings, as sync-policies reads them (node paths).
printf '{"runtime": "%s", "observe": "none"}\n' "$RUNC" >"$NODE/etc/oci-harden/config.json"
# The same node seen from here, for the creates: its policy_dir through the
# same link sync-policies swaps.
settings=$W/runtime.json
printf '{"runtime": "%s", "policy_dir": "%s", "state_dir": "%s", "event_log": "%s", "kernel_audit": false, "trust_image_annotations": "always", "observe": "none"}\n' \
	"$RUNC" "$NODE/etc/oci-harden/policies" "$W/state" "$W/events.log" >"$settings"

# make_version NAME UID CAPABILITY: a timestamped directory of the ConfigMap.
make_version()
{
	local dir=$CM/..$1 i
	mkdir -p "$dir"
	for i in $(seq -w 1 300); do
		printf '{"images": ["example.invalid/filler-%s:*"], "capabilities": []}\n' "$i" >"$dir/filler-$i.json"
	done
	printf '{"capabilities": ["%s"]}\n' "$3" >"$dir/base.json"
	printf '{"images": ["docker.io/library/ohtest:*"], "extends": "base", "user": {"uid": %s, "gid": %s}}\n' \
		"$2" "$2" >"$dir/zz-select.json"
}

# publish NAME: make NAME the ConfigMap's content, as the kubelet does.
publish()
{
	local key
	ln -sfn "..$1" "$CM/..data_tmp" && mv -T "$CM/..data_tmp" "$CM/..data"
	for key in "$CM/..data/"*; do
		key=${key##*/}
		[ -L "$CM/$key" ] || ln -s "..data/$key" "$CM/$key"
	done
}

sync_node()
{
	"$OCI_HARDEN" sync-policies --host-root "$NODE" "$CM"
}

make_version a 1001 CAP_CHOWN
make_version b 2002 CAP_KILL
publish a
sync_node >"$W/sync-first.out" 2>&1
is "$?" 0 "the first sync installs the ConfigMap's set"
is "$(readlink "$NODE/etc/oci-harden/policies")" policy-sets/1 "policy_dir is a link to the set"
is "$(ls "$NODE/etc/oci-harden/policies" | wc -l)" 302 "with every policy of the ConfigMap"
sync_node >"$W/sync-again.out" 2>&1
is "$?:$(readlink "$NODE/etc/oci-harden/policies")" 0:policy-sets/1 "syncing the same ConfigMap again changes nothing"

# --- creates while the sets swap ------------------------------------------------------

bundle=$W/bundle
e2e_make_bundle "$bundle" true || bail_out "could not build a bundle"
"$PYTHON" - "$bundle/config.json" "$IMAGE" <<-'EOF'
import json, sys
path, image = sys.argv[1], sys.argv[2]
spec = json.load(open(path))
spec.setdefault("annotations", {})["io.kubernetes.cri.image-name"] = image
json.dump(spec, open(path, "w"), separators=(",", ":"))
EOF
cp "$bundle/config.json" "$W/config.json.orig"

# The swapper: A, B, A, B ... each published as the kubelet does, then synced.
(
	version=b
	while [ ! -e "$W/stop" ]; do
		publish "$version"
		sync_node >>"$W/swapper.log" 2>&1 || echo "sync failed" >>"$W/swapper.log"
		echo swapped >>"$W/swaps"
		version=$([ "$version" = a ] && echo b || echo a)
	done
) &
swapper=$!

# Many creates, cheaply: one container is created for real, and every
# create after it is for the same id, so that runc, exec'd by oci-harden
# once it has hardened config.json, fails at once ("container ... exists")
# instead of starting a container. oci-harden's own part, which is what
# reads the policy set, is the whole create path all the same.
id=$(e2e_id sync)
OCI_HARDEN_CONFIG=$settings "$OCI_HARDEN" --root "$E2E_RUNC_ROOT" create --bundle "$bundle" "$id" \
	>"$W/create.out" 2>&1 || { diag_file "$W/create.out"; bail_out "the first create failed"; }
seen_a=0 seen_b=0 mixed=0 failed=0 creates=0
# 15 s, and on until the sets swapped 4 times (a sanitizer build syncs
# slowly), 180 s at most.
deadline=$((SECONDS + 15)) last=$((SECONDS + 180))
while [ "$SECONDS" -lt "$deadline" ] ||
	{ [ "$(grep -c . "$W/swaps" 2>/dev/null || echo 0)" -lt 4 ] && [ "$SECONDS" -lt "$last" ]; }; do
	cp "$W/config.json.orig" "$bundle/config.json"
	OCI_HARDEN_CONFIG=$settings "$OCI_HARDEN" --root "$E2E_RUNC_ROOT" create --bundle "$bundle" "$id" \
		>"$W/create.out" 2>&1
	creates=$((creates + 1))
	if ! grep -q 'already exists' "$W/create.out"; then
		failed=$((failed + 1))
		[ "$failed" -le 3 ] && diag "create $creates: $(head -c 400 "$W/create.out")"
		continue
	fi
	got=$(e2e_json_get "$bundle/config.json" 'str(d["process"]["user"]["uid"]) + " " + ",".join(d["process"]["capabilities"].get("bounding", []))')
	case $got in
	"1001 CAP_CHOWN") seen_a=$((seen_a + 1)) ;;
	"2002 CAP_KILL") seen_b=$((seen_b + 1)) ;;
	*)
		mixed=$((mixed + 1))
		[ "$mixed" -le 5 ] && diag "create $creates saw a mix of sets: $got"
		;;
	esac
done
: >"$W/stop"
wait "$swapper"
swaps=$(grep -c . "$W/swaps" 2>/dev/null || echo 0)
diag "$creates creates, $swaps swaps: set A seen $seen_a times, set B $seen_b times"
is "$mixed" 0 "no create saw a mix of two policy sets"
is "$failed" 0 "no create failed during the swaps"
[ "$seen_a" -gt 0 ] && [ "$seen_b" -gt 0 ] && [ "$swaps" -ge 4 ] &&
	ok "the sets swapped during the creates" ||
	not_ok "the sets swapped during the creates" "swaps $swaps, A $seen_a, B $seen_b"
grep -q "sync failed" "$W/swapper.log" && not_ok "every swap synced" "$(head -5 "$W/swapper.log")" ||
	ok "every swap synced"
is "$(ls "$NODE/etc/oci-harden/policy-sets" | wc -l)" 2 "the node keeps the set and the one it replaced, no more"

# --- the race, arranged ----------------------------------------------------------------

# The loop above leaves the meeting of a swap and a create to chance. Here
# it is arranged: strace holds the create for seconds in its first open(2)
# of base.json (selection reads the policy files in file-name order after
# listing them, base.json among the first); meanwhile the other set is
# published and synced. A create that resolved policy_dir once reads the
# rest from the set it listed; one that went through the link again would
# read the other set's files for the first set's list (here: all of the
# other set's content, which the result shows).
race()
{
	local from=$1 to=$2 expect=$3 link real pid child tries status
	publish "$from"
	sync_node >>"$W/race.log" 2>&1
	link=$NODE/etc/oci-harden/policies/base.json
	real=$(readlink -f "$link")
	cp "$W/config.json.orig" "$bundle/config.json"
	OCI_HARDEN_CONFIG=$settings strace -f -qq -o "$W/strace.out" -e trace=openat \
		-e inject=openat:delay_enter=4000000 -P "$link" -P "$real" \
		"$OCI_HARDEN" --root "$E2E_RUNC_ROOT" create --bundle "$bundle" "$id" >"$W/race.out" 2>&1 &
	pid=$!
	# Wait until the create is held in that open: its current system
	# call is openat (257 on x86_64, 56 on arm64) for a good while.
	status=
	for tries in $(seq 60); do
		sleep 0.1
		child=$(pgrep -P "$pid" | head -n 1)
		[ -n "$child" ] || continue
		case $(cut -d' ' -f1 "/proc/$child/syscall" 2>/dev/null) in
		257 | 56) status=$((${status:-0} + 1)) ;;
		*) status=0 ;;
		esac
		[ "$status" -ge 5 ] && break
	done
	if [ "${status:-0}" -lt 5 ]; then
		wait "$pid"
		not_ok "race $from -> $to: the create was held in the open of base.json" "$(head -c 300 "$W/race.out")"
		return
	fi
	publish "$to"
	sync_node >>"$W/race.log" 2>&1
	if kill -0 "$pid" 2>/dev/null; then
		ok "race $from -> $to: the set was swapped while the create read it"
	else
		not_ok "race $from -> $to: the set was swapped while the create read it" "the create ended first"
	fi
	wait "$pid"
	got=$(e2e_json_get "$bundle/config.json" 'str(d["process"]["user"]["uid"]) + " " + ",".join(d["process"]["capabilities"].get("bounding", []))')
	grep -q 'already exists' "$W/race.out" || diag_file "$W/race.out" create
	is "$got" "$expect" "race $from -> $to: the create used the set it started with, wholly"
}
race a b "1001 CAP_CHOWN"
race b a "2002 CAP_KILL"

# --- a broken ConfigMap is refused ------------------------------------------------------

installed=$(readlink "$NODE/etc/oci-harden/policies")
before=$(cd "$NODE/etc/oci-harden/policies" && cat ./* | sha256sum)
mkdir -p "$CM/..broken"
cp "$CM/..a/"*.json "$CM/..broken/"
printf '{"images": ["docker.io/library/ohtest:*"], "capabilities": ["CAP_SYS_ADMN"]}\n' >"$CM/..broken/zz-select.json"
publish broken
sync_node >"$W/sync-broken.out" 2>&1
is "$?" 1 "a ConfigMap with a broken policy is refused"
like "$(cat "$W/sync-broken.out")" 'refused and not installed.*' "sync-policies says so"
like "$(cat "$W/sync-broken.out")" 'zz-select.json:1:[0-9]+: error: capabilities\[0\]: unknown capability "CAP_SYS_ADMN"' \
	"with check's finding, file, line and column"
is "$(readlink "$NODE/etc/oci-harden/policies")" "$installed" "the node keeps its policy set"
is "$(cd "$NODE/etc/oci-harden/policies" && cat ./* | sha256sum)" "$before" "every file of it unchanged"
"$OCI_HARDEN" sync-policies --host-root "$NODE" --status >"$W/status.out" 2>"$W/status.err"
is "$?" 1 "--status (the readiness probe) fails"
like "$(cat "$W/status.out")" '"outcome":"refused"' "its status says refused"
like "$(cat "$W/status.err")" 'CAP_SYS_ADMN' "and shows the finding"

# A set that names a default_policy it lacks is refused too: check runs
# with the node's settings.
printf '{"runtime": "%s", "default_policy": "baseline", "observe": "none"}\n' "$RUNC" >"$NODE/etc/oci-harden/config.json"
make_version c 3003 CAP_CHOWN
publish c
sync_node >"$W/sync-nobaseline.out" 2>&1
is "$?" 1 "a set without the node's default_policy is refused"
like "$(cat "$W/sync-nobaseline.out")" 'default_policy: no policy "baseline"' "naming what is missing"
printf '{"runtime": "%s", "observe": "none"}\n' "$RUNC" >"$NODE/etc/oci-harden/config.json"

# Fixed: installed, and the probe passes again.
publish b
sync_node >"$W/sync-fixed.out" 2>&1
is "$?" 0 "the fixed ConfigMap is installed"
"$OCI_HARDEN" sync-policies --host-root "$NODE" --status >/dev/null 2>&1
is "$?" 0 "--status passes again"

# A policy_dir that sync-policies did not make is not replaced.
rm "$NODE/etc/oci-harden/policies"
mkdir "$NODE/etc/oci-harden/policies"
sync_node >"$W/sync-foreign.out" 2>&1
is "$?" 1 "a policy_dir that is a directory of the operator's is not replaced"
like "$(cat "$W/sync-foreign.out")" 'is not a policy set that sync-policies installed' "and the reason is given"

tap_done
