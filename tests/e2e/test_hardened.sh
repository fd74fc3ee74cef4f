#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# The baseline and the proof: one bundle shaped like containerd's default,
# run once through plain runc (root, capabilities, no seccomp, writable /)
# and once through oci-harden with nothing but the default policy, and what
# the container itself sees each time.
set -u
. "$(dirname "$0")/lib.sh"

e2e_require_host
e2e_setup hardened

bundle=$E2E_WORK/bundle
e2e_make_bundle "$bundle" sh -c "$E2E_PROBE" || bail_out "could not build the bundle"
cp "$bundle/config.json" "$E2E_WORK/config.orig.json"

# --- baseline: plain runc ---------------------------------------------------

id=$(e2e_id baseline)
"$RUNC" --root "$E2E_RUNC_ROOT" run --bundle "$bundle" "$id" \
	</dev/null >"$E2E_WORK/baseline.out" 2>"$E2E_WORK/baseline.err"
rc=$?
is "$rc" 0 "baseline: plain runc runs the container"
if [ "$(e2e_probe_value "$E2E_WORK/baseline.out" probe)" != done ]; then
	diag_file "$E2E_WORK/baseline.out" "container stdout"
	diag_file "$E2E_WORK/baseline.err" "runc stderr"
	bail_out "the baseline container did not run the probe: this host cannot run containers"
fi
baseline_probe=$E2E_WORK/baseline.out # its probe output: e2e_probe_value "$baseline_probe" KEY
is "$(e2e_probe_value "$baseline_probe" uid)" 0 "baseline: runs as uid 0"
is "$(e2e_probe_value "$baseline_probe" gid)" 0 "baseline: runs as gid 0"
is "$(e2e_probe_value "$baseline_probe" CapEff)" "$E2E_CONTAINERD_CAPS_MASK" "baseline: CapEff is containerd's default set"
is "$(e2e_probe_value "$baseline_probe" CapBnd)" "$E2E_CONTAINERD_CAPS_MASK" "baseline: CapBnd is containerd's default set"
is "$(e2e_probe_value "$baseline_probe" NoNewPrivs)" 0 "baseline: NoNewPrivs 0"
is "$(e2e_probe_value "$baseline_probe" Seccomp)" 0 "baseline: no seccomp filter"
is "$(e2e_probe_value "$baseline_probe" write_root)" yes "baseline: / is writable"
is "$(e2e_probe_value "$baseline_probe" chroot)" yes "baseline: chroot works (CAP_SYS_CHROOT)"
is "$(e2e_probe_value "$baseline_probe" mknod)" yes "baseline: mknod works (CAP_MKNOD)"
"$RUNC" --root "$E2E_RUNC_ROOT" delete "$id" >/dev/null 2>&1
rm -rf "$bundle/rootfs/x" "$bundle/rootfs/etc/x" "$bundle/rootfs/tmp/"*

# --- through oci-harden ------------------------------------------------------

e2e_require_binary
settings=$E2E_WORK/oci-harden.json
e2e_write_settings "$settings"
log=$E2E_WORK/oci-harden.log
id=$(e2e_id hardened)
OCI_HARDEN_CONFIG=$settings "$OCI_HARDEN" --root "$E2E_RUNC_ROOT" --log "$log" --log-format json \
	run --bundle "$bundle" "$id" \
	</dev/null >"$E2E_WORK/hardened.out" 2>"$E2E_WORK/hardened.err"
rc=$?
if is "$rc" 0 "hardened: oci-harden runs the container"; then :; else
	diag_file "$E2E_WORK/hardened.out" "stdout"
	diag_file "$E2E_WORK/hardened.err" "stderr"
	diag_file "$log" "--log file"
fi
hardened_probe=$E2E_WORK/hardened.out # its probe output: e2e_probe_value "$hardened_probe" KEY
if ! is "$(e2e_probe_value "$hardened_probe" probe)" done "hardened: the probe ran to its end"; then
	diag_file "$E2E_WORK/hardened.out" "container stdout"
	diag_file "$E2E_WORK/hardened.err" "stderr"
	diag_file "$log" "--log file"
fi
is "$(e2e_probe_value "$hardened_probe" uid)" 65534 "hardened: id -u is 65534"
is "$(e2e_probe_value "$hardened_probe" gid)" 65534 "hardened: id -g is 65534"
unlike " $(e2e_probe_value "$hardened_probe" groups) " ' 0 ' "hardened: gid 0 is not among the groups"
caps_within "$(e2e_probe_value "$hardened_probe" CapEff)" "$E2E_NET_BIND_MASK" "hardened: CapEff holds CAP_NET_BIND_SERVICE at most"
is "$(e2e_probe_value "$hardened_probe" CapBnd)" "$E2E_NET_BIND_MASK" "hardened: CapBnd is CAP_NET_BIND_SERVICE only"
caps_within "$(e2e_probe_value "$hardened_probe" CapPrm)" "$E2E_NET_BIND_MASK" "hardened: CapPrm holds CAP_NET_BIND_SERVICE at most"
caps_within "$(e2e_probe_value "$hardened_probe" CapAmb)" "$E2E_NET_BIND_MASK" "hardened: CapAmb holds CAP_NET_BIND_SERVICE at most"
caps_within "$(e2e_probe_value "$hardened_probe" CapInh)" "$E2E_NET_BIND_MASK" "hardened: CapInh holds CAP_NET_BIND_SERVICE at most"
is "$(e2e_probe_value "$hardened_probe" NoNewPrivs)" 1 "hardened: NoNewPrivs 1"
is "$(e2e_probe_value "$hardened_probe" Seccomp)" 2 "hardened: a seccomp filter is installed (mode 2)"
is "$(e2e_probe_value "$hardened_probe" write_root)" no "hardened: touch /x fails, / is read-only"
is "$(e2e_probe_value "$hardened_probe" write_etc)" no "hardened: touch /etc/x fails"
is "$(e2e_probe_value "$hardened_probe" write_tmp)" yes "hardened: touch /tmp/x works (tmpfs)"
like "$(e2e_probe_value "$hardened_probe" tmp_mount)" '(^|,)nosuid(,|$)' "hardened: /tmp is mounted nosuid"
like "$(e2e_probe_value "$hardened_probe" tmp_mount)" '(^|,)nodev(,|$)' "hardened: /tmp is mounted nodev"
like "$(e2e_probe_value "$hardened_probe" root_mount)" '(^|,)ro(,|$)' "hardened: / is mounted ro"
is "$(e2e_probe_value "$hardened_probe" chroot)" no "hardened: chroot fails"
is "$(e2e_probe_value "$hardened_probe" mknod)" no "hardened: mknod fails"
is "$(e2e_probe_value "$hardened_probe" ping)" no "hardened: ping (a raw socket) fails"
is "$(e2e_probe_value "$hardened_probe" unshare_user)" no "hardened: unshare -U fails"
is "$(e2e_probe_value "$hardened_probe" read_root_only_file)" no "hardened: a root-only file is unreadable"
is "$(e2e_probe_value "$hardened_probe" read_kcore)" no "hardened: /proc/kcore stays masked"
[ -e "$bundle/rootfs/x" ] && not_ok "hardened: nothing written to the rootfs" || ok "hardened: nothing written to the rootfs"
is "$(cat "$E2E_WORK/hardened.err")" "" "hardened: nothing on stderr"

# Warnings (no AppArmor on a host without it) go to the log, as JSON.
if [ -s "$log" ]; then
	bad=$("$PYTHON" - "$log" <<-'EOF'
	import json, sys
	for n, line in enumerate(open(sys.argv[1]), 1):
	    try:
	        rec = json.loads(line)
	    except ValueError:
	        print(f"line {n} is not JSON: {line.strip()}")
	        continue
	    if rec.get("level") == "error":
	        print(f"line {n} is an error: {line.strip()}")
	EOF
	)
	is "$bad" "" "hardened: the --log file holds JSON lines, none an error"
else
	ok "hardened: the --log file holds JSON lines, none an error (empty)"
fi
if [ ! -e /sys/kernel/security/apparmor ] && ! grep -qs Y /sys/module/apparmor/parameters/enabled; then
	like "$(cat "$log" 2>/dev/null)" '"level":"warning".*[Aa]pp[Aa]rmor|[Aa]pp[Aa]rmor.*"level":"warning"' \
		"hardened: no AppArmor on this host is a warning in the log"
fi
"$RUNC" --root "$E2E_RUNC_ROOT" delete "$id" >/dev/null 2>&1

# --- the bundle now holds the hardened config --------------------------------

is "$(e2e_json_get "$bundle/config.json" 'd["root"]["readonly"]')" true \
	"config.json after the run: root.readonly is true"
is "$(e2e_json_get "$bundle/config.json" 'd["process"]["user"]["uid"]')" 65534 \
	"config.json after the run: process.user.uid is 65534"
is "$(e2e_json_get "$bundle/config.json" 'd["process"].get("noNewPrivileges")')" true \
	"config.json after the run: process.noNewPrivileges is true"
is "$(e2e_json_get "$bundle/config.json" 'd["linux"]["seccomp"]["defaultAction"]')" SCMP_ACT_ERRNO \
	"config.json after the run: a seccomp profile denying by default"
is "$(e2e_json_get "$bundle/config.json" 'sorted(set(sum((d["process"]["capabilities"].get(k, []) for k in d["process"]["capabilities"]), [])))')" \
	'["CAP_NET_BIND_SERVICE"]' "config.json after the run: CAP_NET_BIND_SERVICE is the only capability left"
is "$(e2e_json_get "$bundle/config.json" '[m["destination"] for m in d["mounts"] if m["destination"] == "/tmp"]')" \
	'["/tmp"]' "config.json after the run: one mount on /tmp"
is "$(stat -c %a "$bundle/config.json")" "$(stat -c %a "$E2E_WORK/config.orig.json")" \
	"config.json after the run: its mode is kept"

# Hardening is idempotent: the hardened config has nothing left to change.
OCI_HARDEN_CONFIG=$settings "$OCI_HARDEN" diff "$bundle" >"$E2E_WORK/rediff.out" 2>&1
rc=$?
is "$rc" 0 "diff on the already-hardened bundle exits 0"
[ "$rc" -eq 0 ] || diag_file "$E2E_WORK/rediff.out" "diff output"
unlike "$(cat "$E2E_WORK/rediff.out")" '^@@' "diff on the already-hardened bundle shows no hunk"

# And the hardened bundle runs again through oci-harden, just the same.
id=$(e2e_id again)
OCI_HARDEN_CONFIG=$settings "$OCI_HARDEN" --root "$E2E_RUNC_ROOT" run --bundle "$bundle" "$id" \
	</dev/null >"$E2E_WORK/again.out" 2>"$E2E_WORK/again.err"
is "$?:$(e2e_probe_value "$E2E_WORK/again.out" uid)" 0:65534 "a second run of the hardened bundle works, as 65534"
"$RUNC" --root "$E2E_RUNC_ROOT" delete "$id" >/dev/null 2>&1

tap_done
