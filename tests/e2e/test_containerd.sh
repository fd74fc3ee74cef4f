#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# The drop-in claim: containerd's runc shim (io.containerd.runc.v2) drives
# oci-harden as it drives runc (`ctr run --runc-binary`), with the argv it
# really writes (--root, --log, --log-format json, create --bundle
# --pid-file, start, exec --process, kill, delete). A private containerd
# (its own socket, root and state under the test's directory) is started
# for the test and stopped after it (tests/e2e/lib_daemons.sh).
set -u
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_daemons.sh"

e2e_require_host
daemons_require containerd
e2e_require_binary
e2e_setup containerd

settings=$E2E_WORK/oci-harden.json
# `ctr run --rootfs DIR` makes the plain directory DIR the container's root:
# neither inside the bundle nor an overlay mount's root, so the operator
# says where such roots may be (allow.root_paths), in a default.json that
# inherits everything else from the compiled-in default.
mkdir -p "$E2E_WORK/policies"
printf '{"allow": {"root_paths": ["%s/rootfs-*"]}}\n' "$E2E_WORK" >"$E2E_WORK/policies/default.json"
e2e_write_settings "$settings" "\"policy_dir\": \"$E2E_WORK/policies\""
namespace=oci-harden-e2e-$$

# The shim inherits containerd's environment, and oci-harden's runtime
# config reaches it that way.
OCI_HARDEN_CONFIG=$settings daemons_containerd_start "$E2E_WORK/containerd" ||
	bail_out "containerd did not start"
ok "a private containerd is up"
# The v2 shim keeps runc's state under /run/containerd/runc/NAMESPACE, in
# containerd's own /run.
runc_root=$CONTAINERD_RUN/runc/$namespace

# ctr ARG...: ctr on the private containerd, in the test's namespace.
c()
{
	daemons_ctr -n "$namespace" "$@"
}

# With --rootfs, ctr has no image config, so no PATH: give one.
path_env=PATH=/usr/sbin:/usr/bin:/sbin:/bin

# --- baseline: containerd's defaults, through runc ---------------------------

e2e_make_rootfs "$E2E_WORK/rootfs-runc" || bail_out "could not build a rootfs"
cp -a "$E2E_WORK/rootfs-runc" "$E2E_WORK/rootfs-harden"
id=$(e2e_id ctr-runc)
c run --rm --env "$path_env" --rootfs "$E2E_WORK/rootfs-runc" "$id" /bin/sh -c "$E2E_PROBE" \
	</dev/null >"$E2E_WORK/runc.out" 2>"$E2E_WORK/runc.err"
is "$?" 0 "baseline: ctr run through runc exits 0"
runc_probe=$E2E_WORK/runc.out # its probe output: e2e_probe_value "$runc_probe" KEY
if [ "$(e2e_probe_value "$runc_probe" probe)" != done ]; then
	diag_file "$E2E_WORK/runc.out" stdout
	diag_file "$E2E_WORK/runc.err" stderr
fi
is "$(e2e_probe_value "$runc_probe" uid)" 0 "baseline: uid 0"
is "$(e2e_probe_value "$runc_probe" CapEff)" "$E2E_CONTAINERD_CAPS_MASK" "baseline: containerd's default capabilities"
is "$(e2e_probe_value "$runc_probe" Seccomp)" 0 "baseline: no seccomp (ctr adds none unless asked)"
is "$(e2e_probe_value "$runc_probe" write_root)" yes "baseline: / is writable"

# --- the same through oci-harden ---------------------------------------------

id=$(e2e_id ctr-harden)
c run --rm --runc-binary "$OCI_HARDEN" --env "$path_env" --rootfs "$E2E_WORK/rootfs-harden" "$id" \
	/bin/sh -c "$E2E_PROBE" </dev/null >"$E2E_WORK/harden.out" 2>"$E2E_WORK/harden.err"
rc=$?
is "$rc" 0 "hardened: ctr run --runc-binary oci-harden exits 0"
harden_probe=$E2E_WORK/harden.out # its probe output: e2e_probe_value "$harden_probe" KEY
if [ "$rc" -ne 0 ] || [ "$(e2e_probe_value "$harden_probe" probe)" != done ]; then
	diag_file "$E2E_WORK/harden.out" stdout
	diag_file "$E2E_WORK/harden.err" stderr
fi
is "$(e2e_probe_value "$harden_probe" uid):$(e2e_probe_value "$harden_probe" gid)" 65534:65534 "hardened: uid and gid 65534"
caps_within "$(e2e_probe_value "$harden_probe" CapEff)" "$E2E_NET_BIND_MASK" "hardened: CapEff holds CAP_NET_BIND_SERVICE at most"
is "$(e2e_probe_value "$harden_probe" CapBnd)" "$E2E_NET_BIND_MASK" "hardened: CapBnd is CAP_NET_BIND_SERVICE only"
is "$(e2e_probe_value "$harden_probe" NoNewPrivs)" 1 "hardened: NoNewPrivs 1"
is "$(e2e_probe_value "$harden_probe" Seccomp)" 2 "hardened: seccomp filter"
like "$(e2e_probe_value "$harden_probe" root_mount)" '(^|,)ro(,|$)' "hardened: / is mounted ro"
is "$(e2e_probe_value "$harden_probe" write_tmp)" yes "hardened: /tmp is writable"
[ -e "$E2E_WORK/rootfs-harden/x" ] && not_ok "hardened: nothing written to the rootfs" ||
	ok "hardened: nothing written to the rootfs"

# --- detached: start, exec, kill, delete, through the shim --------------------

id=$(e2e_id ctr-detached)
c run -d --runc-binary "$OCI_HARDEN" --env "$path_env" --rootfs "$E2E_WORK/rootfs-harden" "$id" \
	/bin/sleep 60 </dev/null >"$E2E_WORK/detached.out" 2>&1
is "$?" 0 "detached: ctr run -d exits 0"
like "$(c tasks list 2>&1)" "^$id[[:space:]]+[0-9]+[[:space:]]+RUNNING" "detached: the task is RUNNING"

out=$(c tasks exec --exec-id probe "$id" /bin/sh -c 'id -u; grep -E "^(CapEff|CapBnd|NoNewPrivs|Seccomp):" /proc/self/status' \
	</dev/null 2>"$E2E_WORK/exec.err")
rc=$?
is "$rc" 0 "exec: ctr tasks exec exits 0"
[ "$rc" -eq 0 ] || diag_file "$E2E_WORK/exec.err" stderr
is "$(printf '%s\n' "$out" | head -n 1)" 65534 "exec: the process runs as 65534"
caps_within "$(printf '%s\n' "$out" | sed -n 's/^CapEff:[[:space:]]*//p')" "$E2E_NET_BIND_MASK" \
	"exec: CapEff holds CAP_NET_BIND_SERVICE at most"
like "$out" "CapBnd:[[:space:]]+$E2E_NET_BIND_MASK" "exec: CapBnd is CAP_NET_BIND_SERVICE only"
like "$out" "NoNewPrivs:[[:space:]]+1" "exec: NoNewPrivs 1"
like "$out" "Seccomp:[[:space:]]+2" "exec: seccomp filter"

c tasks kill -s KILL "$id" >/dev/null 2>&1
is "$?" 0 "kill: ctr tasks kill exits 0"
for _ in $(seq 50); do
	c tasks list 2>/dev/null | grep -Eq "^$id[[:space:]].*STOPPED" && break
	sleep 0.1
done
like "$(c tasks list 2>&1)" "^$id[[:space:]].*STOPPED" "kill: the task is STOPPED"
c tasks delete "$id" >/dev/null 2>&1
is "$?" 0 "delete: ctr tasks delete exits 0"
c containers delete "$id" >/dev/null 2>&1
is "$?" 0 "delete: ctr containers delete exits 0"
is "$("$RUNC" --root "$runc_root" list -q 2>/dev/null)" "" "no runc state left behind"

tap_done
