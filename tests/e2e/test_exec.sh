#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# exec is one path for every runtime: oci-harden builds the process itself,
# from the process saved when the container was created (never from
# config.json at exec time) with the caller's flags applied as runc applies
# them, or from the caller's process file; judges and hardens it by the
# container's policy; and hands the runtime exactly that as --process
# /proc/self/fd/N. Seen from inside real containers, under runc and under
# crun:
#   - a flag-based exec runs hardened (crun alone runs it as uid 0, gid 0,
#     no_new_privs off), --user 1000 gets no gid 0;
#   - config.json rewritten to root and CAP_SYS_ADMIN after create changes
#     nothing (runc alone re-reads it);
#   - a container oci-harden has no record of (created by the runtime
#     alone) cannot be exec'd: it fails closed;
#   - a user namespace mapping container 1000 -> host 0 is refused at create;
#   - `exec -p <(...)` works, in enforce and in audit mode;
#   - a process file with its own SELinux label, AppArmor profile or an
#     oomScoreAdj below the container's is refused;
#   - restore is refused, with a readable message;
#   - `oci-harden foo -h` is the runtime's own `foo -h`;
#   - records of containers that are gone (a foreground run that ended, a
#     create the runtime failed) disappear at the next create, and a record
#     is not trusted for another container that reuses the id.
set -u
. "$(dirname "$0")/lib.sh"

e2e_require_host
e2e_require_binary
e2e_setup exec

W=$E2E_WORK
# An exec's stdio is never the host's /dev/null: crun 1.8 fchowns every
# standard stream of an exec that is not a terminal to the exec's user
# (container.c, maybe_chown_std_streams), the host's /dev/null included,
# which an exec as uid 1000 would leave owned by 1000. A file of the test's
# own takes what would have gone there.
NULL=$W/null
: >"$NULL"
CRUN=$(command -v crun || true)
CRUN_IDS=()

exec_cleanup()
{
	local id
	if [ -n "$CRUN" ] && [ -d "$W/crun-root" ]; then
		for id in "${CRUN_IDS[@]}"; do
			crun_wrap "$CRUN" --cgroup-manager disabled --root "$W/crun-root" kill "$id" KILL >/dev/null 2>&1
			crun_wrap "$CRUN" --cgroup-manager disabled --root "$W/crun-root" delete -f "$id" >/dev/null 2>&1
		done
	fi
	e2e_cleanup
}
trap exec_cleanup EXIT

# crun 1.8 refuses this host's hybrid cgroups: it runs in a mount namespace
# of its own that sees only the cgroup v2 hierarchy, with
# --cgroup-manager=disabled (as tests/e2e/test_containerd_image.sh runs it).
crun_wrap()
{
	if mountpoint -q /sys/fs/cgroup/unified 2>/dev/null; then
		unshare --mount --propagation private -- sh -c 'umount /sys/fs/cgroup/unified && exec "$@"' sh "$@"
	else
		"$@"
	fi
}

# The probe every exec runs: its ids and what the kernel says of it.
PROBE='echo "uid=$(id -u)"; echo "gid=$(id -g)"; echo "groups=$(id -G)"; while read -r k v r; do case $k in CapEff:|CapBnd:|NoNewPrivs:) echo "${k%:}=$v";; esac; done </proc/self/status'

# value OUTPUT KEY
value()
{
	printf '%s\n' "$1" | sed -n "s/^$2=//p" | tail -n 1
}

# --- one runtime ---------------------------------------------------------------

# use_runtime NAME: the runtime the next calls of harden and plain run.
use_runtime()
{
	RT=$1
	RT_ROOT=$W/$RT-root
	RT_STATE=$W/$RT-state
	RT_LOG=$W/$RT.log
	mkdir -p "$RT_STATE" "$W/$RT-audit-policies"
	echo '{"mode": "audit"}' >"$W/$RT-audit-policies/default.json"
	if [ "$RT" = crun ]; then
		RT_BIN=$CRUN
		RT_GLOBAL=(--cgroup-manager disabled --root "$RT_ROOT")
		RT_WRAP=(crun_wrap)
	else
		RT_BIN=$RUNC
		RT_GLOBAL=(--root "$RT_ROOT")
		RT_WRAP=()
		E2E_EXTRA_ROOTS="${E2E_EXTRA_ROOTS:-} $RT_ROOT"
	fi
	printf '{"runtime": "%s", "state_dir": "%s", "event_log": "%s/%s-events.log"}\n' \
		"$RT_BIN" "$RT_STATE" "$W" "$RT" >"$W/$RT-enforce.json"
	printf '{"runtime": "%s", "state_dir": "%s", "policy_dir": "%s", "event_log": "%s/%s-events.log"}\n' \
		"$RT_BIN" "$RT_STATE" "$W/$RT-audit-policies" "$W" "$RT" >"$W/$RT-audit.json"
	RT_SETTINGS=$W/$RT-enforce.json
}

# harden ARG...: oci-harden with the runtime in use behind it.
harden()
{
	OCI_HARDEN_CONFIG=$RT_SETTINGS "${RT_WRAP[@]}" "$OCI_HARDEN" "${RT_GLOBAL[@]}" \
		--log "$RT_LOG" --log-format json "$@"
}

# plain ARG...: the runtime alone.
plain()
{
	"${RT_WRAP[@]}" "$RT_BIN" "${RT_GLOBAL[@]}" "$@"
}

new_id()
{
	local id
	id=$(e2e_id "$RT-$1")
	[ "$RT" = crun ] && CRUN_IDS+=("$id")
	printf '%s\n' "$id"
}

# edit_config BUNDLE PYTHON: change `spec` (and `p`, its process) in place.
edit_config()
{
	"$PYTHON" - "$1/config.json" "$2" <<-'PY'
	import json, sys
	path, change = sys.argv[1], sys.argv[2]
	spec = json.load(open(path))
	p = spec["process"]
	exec(change)
	json.dump(spec, open(path, "w"), separators=(",", ":"))
	PY
}

# start_detached BUNDLE ID [plain]: a detached container, through
# oci-harden or the runtime alone; 0 when it runs.
start_detached()
{
	local bundle=$1 id=$2 how=${3:-harden}
	"$how" run -d --bundle "$bundle" "$id" </dev/null >"$W/$id.run.out" 2>"$W/$id.run.err"
}

# process_file NAME PYTHON-DICT: a complete process file.
process_file()
{
	"$PYTHON" -c '
import json, sys
p = {"args": ["sh", "-c", sys.argv[2]], "cwd": "/", "env": ["PATH=/usr/sbin:/usr/bin:/sbin:/bin"],
     "user": {"uid": 0, "gid": 0}}
p.update(eval(sys.argv[3]))
json.dump(p, open(sys.argv[1], "w"))' "$W/$RT-$1.json" "$PROBE" "$2"
	printf '%s\n' "$W/$RT-$1.json"
}

# refused WHAT RC OUTPUT MESSAGE-REGEX: an exec refused by oci-harden: exit
# 1, nothing ran (no output), and the --log file's last line says why.
refused()
{
	local what=$1 rc=$2 out=$3 why=$4
	is "$rc" 1 "$RT: $what: refused (exit 1)"
	is "$out" "" "$RT: $what: nothing ran"
	like "$(tail -n 1 "$RT_LOG" 2>/dev/null)" "\"level\":\"error\".*$why" "$RT: $what: the --log file says why"
}

exec_suite()
{
	use_runtime "$1"
	local bundle=$W/$RT-bundle id out rc

	# A hardened container whose process has an oomScoreAdj of its own.
	e2e_make_bundle "$bundle" sleep 100000 || bail_out "could not build a bundle"
	edit_config "$bundle" 'p["oomScoreAdj"] = 100'
	id=$(new_id main)
	if ! start_detached "$bundle" "$id" || ! is "$(plain state "$id" 2>/dev/null | e2e_json_get - 'd["status"]')" running "$RT: a hardened container runs"; then
		diag_file "$W/$id.run.err" stderr
		diag_file "$RT_LOG" "--log file"
		return
	fi

	# Class 2: crun builds a flag-based exec from the flags alone.
	out=$(harden exec "$id" sh -c "$PROBE" 2>"$W/$RT-flags.err")
	rc=$?
	is "$rc" 0 "$RT: exec ID sh -c PROBE exits 0"
	[ "$rc" -eq 0 ] || diag_file "$W/$RT-flags.err" stderr
	is "$(value "$out" uid)" 65534 "$RT: flag-based exec runs as uid 65534"
	isnt "$(value "$out" gid)" 0 "$RT: flag-based exec: gid is not 0"
	unlike "$(value "$out" groups)" '(^| )0( |$)' "$RT: flag-based exec: no group 0"
	is "$(value "$out" NoNewPrivs)" 1 "$RT: flag-based exec: NoNewPrivs 1"
	is "$(value "$out" CapEff)" 0000000000000000 "$RT: flag-based exec: CapEff 0"
	caps_within "$(value "$out" CapBnd)" "$E2E_NET_BIND_MASK" "$RT: flag-based exec: CapBnd within the allowlist"
	if [ "$RT" = crun ]; then
		# What oci-harden stands in front of: crun alone, the same exec.
		out=$(plain exec "$id" sh -c "$PROBE" 2>>"$NULL")
		is "$(value "$out" uid):$(value "$out" gid):$(value "$out" NoNewPrivs)" 0:0:0 \
			"crun: the same exec without oci-harden runs as uid 0, gid 0, NoNewPrivs 0"
	fi

	out=$(harden exec --user 1000 "$id" sh -c "$PROBE" 2>>"$NULL")
	is "$(value "$out" uid)" 1000 "$RT: exec --user 1000 runs as 1000"
	isnt "$(value "$out" gid)" 0 "$RT: exec --user 1000 gets no gid 0"
	unlike "$(value "$out" groups)" '(^| )0( |$)' "$RT: exec --user 1000: no group 0"

	out=$(harden exec --user 0:0 --cap CAP_SYS_ADMIN --no-new-privs=false "$id" sh -c "$PROBE" 2>>"$NULL")
	is "$(value "$out" uid):$(value "$out" gid)" 65534:65534 "$RT: exec --user 0:0 runs as 65534:65534"
	caps_within "$(value "$out" CapBnd)" "$E2E_NET_BIND_MASK" "$RT: exec --cap CAP_SYS_ADMIN: not in the bounding set"
	is "$(value "$out" NoNewPrivs)" 1 "$RT: exec --no-new-privs=false: NoNewPrivs stays 1"

	# Class 6: config.json rewritten after create.
	edit_config "$bundle" '
p["user"] = {"uid": 0, "gid": 0}
caps = ["CAP_SYS_ADMIN", "CAP_NET_BIND_SERVICE"]
p["capabilities"] = {k: caps for k in ("bounding", "effective", "permitted", "inheritable", "ambient")}
p["noNewPrivileges"] = False'
	out=$(harden exec "$id" sh -c "$PROBE" 2>>"$NULL")
	is "$(value "$out" uid):$(value "$out" NoNewPrivs)" 65534:1 \
		"$RT: config.json rewritten to root after create: the exec still runs as 65534, NoNewPrivs 1"
	caps_within "$(value "$out" CapBnd)" "$E2E_NET_BIND_MASK" \
		"$RT: config.json rewritten to CAP_SYS_ADMIN after create: not in the exec's bounding set"
	if [ "$RT" = runc ]; then
		out=$(plain exec "$id" sh -c "$PROBE" 2>>"$NULL")
		is "$(value "$out" uid)" 0 "runc: the same exec without oci-harden reads the rewritten config.json: uid 0"
	fi

	# Process files.
	local f
	f=$(process_file oom-lower '{"oomScoreAdj": 50}')
	out=$(harden exec -p "$f" "$id" 2>>"$NULL")
	refused "a process file with oomScoreAdj 50 in a container of 100" "$?" "$out" 'oomScoreAdj'
	f=$(process_file oom-same '{"oomScoreAdj": 100}')
	out=$(harden exec -p "$f" "$id" 2>>"$NULL")
	is "$(value "$out" uid)" 65534 "$RT: a process file with the container's oomScoreAdj runs, hardened"
	f=$(process_file selinux '{"selinuxLabel": "system_u:system_r:spc_t:s0"}')
	out=$(harden exec -p "$f" "$id" 2>>"$NULL")
	refused "a process file with an SELinux label of its own" "$?" "$out" 'SELinux label'
	f=$(process_file apparmor '{"apparmorProfile": "unconfined"}')
	out=$(harden exec -p "$f" "$id" 2>>"$NULL")
	refused "a process file with an AppArmor profile of its own" "$?" "$out" 'AppArmor profile'
	out=$(harden exec --process-label system_u:system_r:spc_t:s0 "$id" sh -c "$PROBE" 2>>"$NULL")
	refused "exec --process-label" "$?" "$out" 'SELinux label'

	# bash's process substitution hands /dev/fd/63, a pipe.
	out=$(harden exec -p <(printf '{"args":["sh","-c","%s"],"cwd":"/","env":["PATH=/bin"],"user":{"uid":0,"gid":0}}' 'echo uid=$(id -u)') "$id" 2>"$W/$RT-pipe.err")
	rc=$?
	is "$rc:$(value "$out" uid)" 0:65534 "$RT: exec -p <(...) runs, hardened"
	[ "$rc" -eq 0 ] || diag_file "$W/$RT-pipe.err" stderr

	# Audit mode: a container created under an audit-mode policy runs as
	# given, and so do its execs, logged.
	local audit_bundle=$W/$RT-audit-bundle audit_id
	e2e_make_bundle "$audit_bundle" sleep 100000 || bail_out "could not build a bundle"
	audit_id=$(new_id audit)
	RT_SETTINGS=$W/$RT-audit.json
	if start_detached "$audit_bundle" "$audit_id"; then
		out=$(harden exec -p <(printf '{"args":["sh","-c","%s"],"cwd":"/","env":["PATH=/bin"],"user":{"uid":0,"gid":0}}' 'echo uid=$(id -u)') "$audit_id" 2>>"$NULL")
		is "$(value "$out" uid)" 0 "$RT: audit mode: exec -p <(...) runs as given (uid 0)"
		like "$(grep -c '"level":"warning","msg":"oci-harden: audit: change: user' "$RT_LOG")" '^[1-9]' \
			"$RT: audit mode: what enforce would change is logged"
		out=$(harden exec "$audit_id" sh -c "$PROBE" 2>>"$NULL")
		is "$(value "$out" uid)" 0 "$RT: audit mode: a flag-based exec runs as given"
		out=$(harden exec --process-label spc_t "$audit_id" sh -c "$PROBE" 2>>"$NULL")
		like "$(grep 'audit: refuse: exec: selinuxLabel' "$RT_LOG")" 'an exec may not choose its own SELinux label' \
			"$RT: audit mode: a refusal enforce would make is logged"
		# What the runtime refuses itself is the runtime's to say.
		harden exec --user root "$audit_id" id <"$NULL" >>"$NULL" 2>"$W/$RT-audit-user.err"
		like "$(grep 'audit: refuse: exec: exec --user' "$RT_LOG")" 'is not a number' \
			"$RT: audit mode: --user root is logged as a refusal"
		unlike "$(grep '"level":"error"' "$RT_LOG" | tail -n 1)$(cat "$W/$RT-audit-user.err")" 'oci-harden' \
			"$RT: audit mode: and handed to $RT, which refuses it in its own words"
	else
		not_ok "$RT: audit mode: the container runs" "$(cat "$W/$audit_id.run.err")"
	fi
	RT_SETTINGS=$W/$RT-enforce.json

	# No record and no such container: nothing can run; the runtime says
	# so, in its words and with its exit status, as without oci-harden.
	local ghost=ghost-$RT-$$
	plain exec "$ghost" true >"$W/$RT-ghost-plain.out" 2>&1
	local ghost_rc=$?
	harden exec "$ghost" true >"$W/$RT-ghost.out" 2>&1
	is "$?" "$ghost_rc" "$RT: exec in no container at all exits as $RT does ($ghost_rc)"
	unlike "$(cat "$W/$RT-ghost.out")" 'oci-harden:' "$RT: and oci-harden says nothing of its own"

	# A container created by the runtime alone: no record, so no exec.
	local plain_bundle=$W/$RT-plain-bundle plain_id
	e2e_make_bundle "$plain_bundle" sleep 100000 || bail_out "could not build a bundle"
	plain_id=$(new_id plain)
	if start_detached "$plain_bundle" "$plain_id" plain; then
		out=$(harden exec "$plain_id" sh -c "$PROBE" 2>>"$NULL")
		refused "exec in a container created by $RT alone" "$?" "$out" 'no record of container'
		f=$(process_file plain '{}')
		out=$(harden exec -p "$f" "$plain_id" 2>>"$NULL")
		refused "exec -p in a container created by $RT alone" "$?" "$out" 'no record of container'
		out=$(plain exec "$plain_id" sh -c "$PROBE" 2>>"$NULL")
		is "$(value "$out" uid)" 0 "$RT: (that container's own exec, without oci-harden, is root)"
	else
		not_ok "$RT: a container created by $RT alone runs" "$(cat "$W/$plain_id.run.err")"
	fi

	# Class 5: a mapping that makes container uid 1000 host root.
	local userns_bundle=$W/$RT-userns-bundle userns_id
	e2e_make_bundle "$userns_bundle" true || bail_out "could not build a bundle"
	edit_config "$userns_bundle" '
spec["linux"]["namespaces"].append({"type": "user"})
spec["linux"]["uidMappings"] = [{"containerID": 0, "hostID": 100000, "size": 1000}, {"containerID": 1000, "hostID": 0, "size": 1}]
spec["linux"]["gidMappings"] = [{"containerID": 0, "hostID": 100000, "size": 65536}]'
	userns_id=$(new_id userns)
	harden create --bundle "$userns_bundle" "$userns_id" </dev/null >/dev/null 2>&1
	is "$?" 1 "$RT: a uid mapping container 1000 -> host 0 is refused at create"
	like "$(tail -n 1 "$RT_LOG")" 'uidMappings\[1\].*root\) on the host' "$RT: the refusal names the mapping"
	[ -e "$RT_ROOT/$userns_id" ] && not_ok "$RT: the runtime never ran for it" || ok "$RT: the runtime never ran for it"

	# Restore: from a checkpoint image, not from config.json.
	local restore_id
	restore_id=$(new_id restore)
	harden restore --bundle "$bundle" --image-path "$W/no-image" "$restore_id" </dev/null >/dev/null 2>"$W/$RT-restore.err"
	is "$?" 1 "$RT: restore is refused"
	like "$(tail -n 1 "$RT_LOG")" 'restore brings back the process.s credentials, capabilities and seccomp state.*allow\.restore' \
		"$RT: the refusal of restore says why, and what lifts it"
	[ -e "$RT_ROOT/$restore_id" ] && not_ok "$RT: nothing restored" || ok "$RT: nothing restored"

	# A command the runtime does not have: the runtime's own answer.
	local want want_rc got got_rc
	want=$(plain foo -h 2>&1 | sed 's/time="[^"]*"//')
	want_rc=$(plain foo -h >/dev/null 2>&1; echo $?)
	got=$(OCI_HARDEN_CONFIG=$RT_SETTINGS "${RT_WRAP[@]}" "$OCI_HARDEN" "${RT_GLOBAL[@]}" foo -h 2>&1 |
		sed 's/time="[^"]*"//')
	got_rc=$(OCI_HARDEN_CONFIG=$RT_SETTINGS "${RT_WRAP[@]}" "$OCI_HARDEN" "${RT_GLOBAL[@]}" foo -h \
		>/dev/null 2>&1; echo $?)
	is "$got_rc" "$want_rc" "$RT: oci-harden foo -h exits as $RT foo -h does ($want_rc)"
	is "$got" "$want" "$RT: oci-harden foo -h prints what $RT foo -h prints"
	isnt "$want_rc" 0 "$RT: ($RT refuses foo itself)"
}

# --- records that cannot pile up ------------------------------------------

# Records of containers that are gone disappear at the next create; a record
# is not trusted for another container that has its id now.
records_suite()
{
	use_runtime "$1"
	RT_STATE=$W/$RT-records-state
	mkdir -p "$RT_STATE"
	printf '{"runtime": "%s", "state_dir": "%s"}\n' "$RT_BIN" "$RT_STATE" >"$W/$RT-records.json"
	RT_SETTINGS=$W/$RT-records.json
	local records="$RT_STATE/*/*.json"

	local done_bundle=$W/$RT-done-bundle fail_bundle=$W/$RT-fail-bundle live_bundle=$W/$RT-live-bundle
	e2e_make_bundle "$done_bundle" true || bail_out "could not build a bundle"
	e2e_make_bundle "$fail_bundle" /no/such/binary || bail_out "could not build a bundle"
	e2e_make_bundle "$live_bundle" sleep 100000 || bail_out "could not build a bundle"

	local done_id fail_id other_id live_id out
	done_id=$(new_id done)
	harden run --bundle "$done_bundle" "$done_id" </dev/null >/dev/null 2>"$W/$RT-done.err"
	is "$?" 0 "$RT: a foreground run whose process exits"
	is "$(ls "$RT_ROOT" 2>/dev/null | grep -c -e "$done_id")" 0 "$RT: ($RT has removed that container itself)"
	is "$(cd "$RT_STATE" && ls */*.json 2>/dev/null | sed 's|.*/||')" "$done_id.json" \
		"$RT: its record is there until the next create"
	fail_id=$(new_id fail)
	harden create --bundle "$fail_bundle" "$fail_id" </dev/null >/dev/null 2>"$W/$RT-fail.err"
	isnt "$?" 0 "$RT: a create that $RT itself fails"
	is "$(ls "$RT_ROOT" 2>/dev/null | grep -c -e "$fail_id")" 0 "$RT: ($RT has removed that container itself)"
	is "$(cd "$RT_STATE" && ls */*.json 2>/dev/null | sed 's|.*/||')" "$fail_id.json" \
		"$RT: that create removed the record of the run that ended; its own is there"
	# `list`, which asks which containers the root has, forgets the record
	# of one that is gone (a test suite's teardown lists, then deletes what
	# it found: nothing, after a failed create).
	harden list -q >/dev/null 2>&1
	is "$(cd "$RT_STATE" && ls */*.json 2>/dev/null | sed 's|.*/||')" "" \
		"$RT: list forgets the record of the create that failed"
	harden create --bundle "$fail_bundle" "$fail_id" </dev/null >/dev/null 2>"$W/$RT-fail.err"
	is "$(cd "$RT_STATE" && ls */*.json 2>/dev/null | sed 's|.*/||')" "$fail_id.json" \
		"$RT: (and a second create that $RT fails leaves its record again)"

	# The next create, in another runtime state directory (which then goes,
	# with its container, as a test suite's --root per test does).
	other_id=$(new_id other)
	local saved_global=("${RT_GLOBAL[@]}")
	RT_GLOBAL=("${RT_GLOBAL[@]:0:${#RT_GLOBAL[@]}-1}" "$W/$RT-other-root")
	harden run --bundle "$done_bundle" "$other_id" </dev/null >/dev/null 2>&1
	RT_GLOBAL=("${saved_global[@]}")
	rm -rf "$W/$RT-other-root"
	is "$(cd "$RT_STATE" && ls */*.json 2>/dev/null | sed 's|.*/||')" "$other_id.json" \
		"$RT: the next create removed the record of the create that failed"

	live_id=$(new_id live)
	start_detached "$live_bundle" "$live_id"
	is "$?" 0 "$RT: the next create"
	is "$(cd "$RT_STATE" && ls */*.json 2>/dev/null | sed 's|.*/||')" "$live_id.json" \
		"$RT: after it, only the record of the container that exists is left"
	is "$(find "$RT_STATE" -mindepth 1 -type d | wc -l)" 1 "$RT: and only its runtime's directory of records"

	# An exec binds the record to the container the runtime created then.
	out=$(harden exec "$live_id" sh -c 'id -u' 2>>"$NULL")
	is "$out" 65534 "$RT: exec in the live container"
	plain kill "$live_id" KILL >/dev/null 2>&1
	sleep 0.3
	plain delete -f "$live_id" >/dev/null 2>&1
	start_detached "$live_bundle" "$live_id" plain
	out=$(harden exec "$live_id" sh -c "$PROBE" 2>>"$NULL")
	refused "exec in another container with the id of one that was exec'd" "$?" "$out" 'earlier container'

	# A record never bound: another container with its id, from another bundle.
	local reuse_id reuse_bundle=$W/$RT-reuse-bundle
	reuse_id=$(new_id reuse)
	start_detached "$live_bundle" "$reuse_id"
	plain kill "$reuse_id" KILL >/dev/null 2>&1
	sleep 0.3
	plain delete -f "$reuse_id" >/dev/null 2>&1
	e2e_make_bundle "$reuse_bundle" sleep 100000 || bail_out "could not build a bundle"
	start_detached "$reuse_bundle" "$reuse_id" plain
	out=$(harden exec "$reuse_id" sh -c "$PROBE" 2>>"$NULL")
	refused "exec in another container, from another bundle, with the id of one never exec'd" "$?" "$out" 'another bundle'
	is "$(cd "$RT_STATE" && ls */*.json 2>/dev/null | grep -c -e "$reuse_id" -e "$live_id")" 0 \
		"$RT: records found to be of other containers are removed"

	# delete through oci-harden forgets the container.
	plain kill "$reuse_id" KILL >/dev/null 2>&1
	plain kill "$live_id" KILL >/dev/null 2>&1
	local del_id
	del_id=$(new_id del)
	start_detached "$live_bundle" "$del_id"
	is "$(find "$RT_STATE" -name "$del_id.json" | wc -l)" 1 "$RT: a record for a container created through oci-harden"
	plain kill "$del_id" KILL >/dev/null 2>&1
	sleep 0.3
	harden delete -f "$del_id" >/dev/null 2>&1
	is "$(find "$RT_STATE" -mindepth 1 \( -name '*.json' -o -type d \) | wc -l)" 0 \
		"$RT: delete through oci-harden leaves no record, and no empty directory"
}

exec_suite runc
records_suite runc

if [ -z "$CRUN" ]; then
	skip "crun" "crun is not installed (tests/install-deps.sh)"
else
	exec_suite crun
	records_suite crun
fi

tap_done
