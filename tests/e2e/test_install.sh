#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# `oci-harden install` and `uninstall` against a real containerd 1.6, on a
# node laid out under the test's directory, as the DaemonSet of
# contrib/kubernetes/ runs them:
#
# - The node ("the host root", $H) is a directory whose /usr and /etc are
#   overlays of this machine's (so containerd, runc and their libraries
#   are there) with writes kept in the test's directory, an empty
#   /usr/local, and /var, /run, /opt, /tmp of its own. Its config.toml is
#   what `containerd config default` prints (with restrict_oom_score_adj:
#   root here lacks CAP_SYS_RESOURCE) and a CNI bridge.
# - The node's "init" is a shell in a mount and network namespace whose
#   root is $H (pivot_root): it runs containerd from the node's own files
#   and restarts it when /fake-init/ctl asks, as systemd does for
#   systemctl. Install runs from outside, with --host-root $H, as the
#   DaemonSet's pod does with the host's / mounted, and restarts
#   containerd by running that ctl in the init's mount namespace
#   (--init-pid), as it runs systemctl on a real node.
# - Then: the CRI plugin reports the handlers (a CRI Status call, verbose),
#   a pod through the "hardened" handler is hardened (CRI, as the kubelet
#   does it), a second install changes nothing, uninstall refuses while the
#   pod exists and, once it is gone, leaves config.toml byte for byte as it
#   was and nothing else of oci-harden on the node.
# - The edit against other real shapes of config.toml, each read by the
#   real containerd, and the refusals, each of which changes nothing.
#
# The test runs in a mount namespace of its own, so that nothing it mounts
# is seen outside, and this machine's /usr/local, /etc/oci-harden and
# /etc/containerd are never written.
set -u
if [ -z "${OHE2E_INSTALL_NS:-}" ] && [ "$(id -u)" -eq 0 ]; then
	OHE2E_INSTALL_NS=1 exec unshare --mount --propagation private -- "$BASH" "$0" "$@"
fi
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_daemons.sh"

e2e_require_host
daemons_require containerd cri cni
command -v pivot_root >/dev/null || skip_all "pivot_root (util-linux) is not installed"
e2e_require_binary
case $OCI_HARDEN in /*) ;; *) OCI_HARDEN=$PWD/$OCI_HARDEN ;; esac
e2e_setup install

W=$E2E_WORK
H=$W/host
SOCK=$H/run/containerd/containerd.sock
INIT_PID=
FIXTURES=${OCI_HARDEN_FIXTURES:-$E2E_SOURCE_ROOT/tests/fixtures}

# --- the node --------------------------------------------------------------------

# make_host: $H as described above.
make_host()
{
	local dir link
	mkdir -p "$H"/{usr,etc,proc,sys,dev,run,tmp,var/log,opt/cni,root} "$W"/{upper,work}/{usr,etc} || return 1
	mount -t overlay oh-usr -o "lowerdir=/usr,upperdir=$W/upper/usr,workdir=$W/work/usr" "$H/usr" &&
		mount -t overlay oh-etc -o "lowerdir=/etc,upperdir=$W/upper/etc,workdir=$W/work/etc" "$H/etc" &&
		mount -t tmpfs -o mode=0755 oh-usr-local "$H/usr/local" || return 1
	for link in bin sbin lib lib32 lib64 libx32; do
		[ -L "/$link" ] && ln -s "$(readlink "/$link")" "$H/$link"
	done
	chmod 1777 "$H/tmp"
	# Whatever this machine has there is not the node's (whiteouts in the
	# overlay; this machine's own files are untouched).
	rm -rf "$H/etc/oci-harden" "$H/etc/containerd" "$H/etc/cni"
	mkdir -p "$H/etc/containerd" "$H/etc/cni/net.d"
	ln -s /usr/lib/cni "$H/opt/cni/bin"
	for dir in proc sys dev; do
		mount --rbind "/$dir" "$H/$dir" || return 1
	done
	# Sanitizer reports go to files named in ASAN_OPTIONS: the same place
	# inside the node.
	if [[ "${ASAN_OPTIONS:-}" == *log_path=* ]]; then
		dir=${ASAN_OPTIONS##*log_path=}
		dir=$(dirname "${dir%%:*}")
		mkdir -p "$H$dir" && mount --bind "$dir" "$H$dir"
	fi
	cat >"$H/etc/cni/net.d/10-node.conflist" <<-'EOF'
	{"cniVersion": "1.0.0", "name": "node", "plugins": [{"type": "bridge", "bridge": "ohnode0",
	  "isGateway": true, "ipMasq": false,
	  "ipam": {"type": "host-local", "ranges": [[{"subnet": "10.89.0.0/24"}]]}}]}
	EOF
	mkdir -p "$H/fake-init"
	# The node's init: containerd as its service, restarted on request.
	cat >"$H/fake-init/init" <<-'EOF'
	#!/bin/sh
	run=/run/fake-init
	mkdir -p $run && rm -f $run/control && mkfifo $run/control
	start() {
		containerd </dev/null >>/var/log/containerd.log 2>&1 &
		pid=$!
		echo $pid >$run/containerd.pid
		tries=300
		until ctr version >/dev/null 2>&1; do
			kill -0 $pid 2>/dev/null && [ $tries -gt 0 ] || return 1
			sleep 0.1
			tries=$((tries - 1))
		done
	}
	stop() {
		kill $pid 2>/dev/null
		wait $pid 2>/dev/null
	}
	start
	: >$run/ready
	while :; do
		read -r request reply <$run/control || continue
		case $request in
		restart) stop; if start; then echo done >"$reply"; else echo failed >"$reply"; fi ;;
		stop) stop; echo done >"$reply"; exit 0 ;;
		esac
	done
	EOF
	# Its systemctl: asks the init and waits for the answer.
	cat >"$H/fake-init/ctl" <<-'EOF'
	#!/bin/sh
	reply=/run/fake-init/reply.$$
	mkfifo $reply || exit 1
	echo "$1 $reply" >/run/fake-init/control
	read -r answer <$reply
	rm -f $reply
	[ "$answer" = done ]
	EOF
	chmod 0755 "$H/fake-init/init" "$H/fake-init/ctl"
}

# start_node: the init in its namespaces, rooted at $H; INIT_PID.
start_node()
{
	local tries=300
	setpriv --pdeathsig KILL unshare --mount --net --propagation private -- sh -c '
		set -e
		mount --rbind "$1" "$1"
		cd "$1"
		mkdir -p .old-root
		pivot_root . .old-root
		umount -l /.old-root
		rmdir /.old-root
		ip link set lo up
		exec /fake-init/init
	' sh "$H" </dev/null >"$W/init.log" 2>&1 &
	INIT_PID=$!
	while [ ! -e "$H/run/fake-init/ready" ] && kill -0 "$INIT_PID" 2>/dev/null && [ "$tries" -gt 0 ]; do
		sleep 0.1
		tries=$((tries - 1))
	done
	[ -e "$H/run/fake-init/ready" ] || { diag_file "$W/init.log" "init"; diag_file "$H/var/log/containerd.log"; return 1; }
}

# c ARG...: ctr in the node's namespaces (its FIFOs must be where the shim
# looks: the node's /run).
c()
{
	nsenter --target "$INIT_PID" --mount --net -- ctr "$@"
}

containerd_pid()
{
	cat "$H/run/fake-init/containerd.pid" 2>/dev/null
}

# cri NAME ARG...: cri.py (lib_daemons.sh) on the node's CRI socket, the
# answer in $W/NAME.json, the status in CRI_RC.
cri()
{
	local name=$1
	shift
	CONTAINERD_SOCK=$SOCK daemons_cri "$@" >"$W/$name.json" 2>"$W/$name.err"
	CRI_RC=$?
	[ "$CRI_RC" -eq 0 ] || { diag_file "$W/$name.json" "cri $1"; diag_file "$W/$name.err" "cri $1 stderr"; }
}

field()
{
	e2e_json_get "$W/$1.json" "$2" 2>/dev/null
}

# cri_runtimes NAME: the handlers the CRI plugin runs with, as its verbose
# Status reports its configuration: "name=BinaryName" per handler.
cri_runtimes()
{
	printf '{"verbose": true}\n' >"$W/status-request.json"
	cri "$1" call RuntimeService.Status "$W/status-request.json"
	"$PYTHON" -c '
import json, sys
d = json.load(open(sys.argv[1]))
config = json.loads(d["info"]["config"])
runtimes = config["containerd"]["runtimes"]
print(" ".join("%s=%s" % (name, (r.get("options") or {}).get("BinaryName", ""))
               for name, r in sorted(runtimes.items())))
' "$W/$1.json" 2>>"$W/$1.err"
}

stop_node()
{
	local mnt pid
	[ -n "$INIT_PID" ] || return 0
	if kill -0 "$INIT_PID" 2>/dev/null; then
		[ -S "$SOCK" ] && cri cleanup-pods remove-all >/dev/null 2>&1
		mnt=$(readlink "/proc/$INIT_PID/ns/mnt")
		for pid in /proc/[0-9]*; do
			pid=${pid#/proc/}
			[ "$pid" != "$INIT_PID" ] && [ "$(readlink "/proc/$pid/ns/mnt" 2>/dev/null)" = "$mnt" ] &&
				kill -KILL "$pid" 2>/dev/null
		done
		kill -KILL "$INIT_PID" 2>/dev/null
		wait "$INIT_PID" 2>/dev/null
	fi
	INIT_PID=
}

finish()
{
	local mnt
	stop_node
	# Everything mounted under the node, innermost first (the namespace
	# goes with the test, but the directories under them would stay).
	awk -v h="$H/" 'index($2, h) == 1 { print $2 }' /proc/mounts | sort -r |
		while read -r mnt; do umount -l "$mnt" 2>/dev/null; done
	e2e_cleanup
}
trap finish EXIT

# file_state PATH: bytes and modification time, to tell "not rewritten".
file_state()
{
	[ -e "$1" ] && printf '%s %s\n' "$(sha256sum <"$1" | cut -c1-64)" "$(stat -c %Y.%y "$1")"
}

# node_files: every file of oci-harden's that can be on the node.
node_files()
{
	(cd "$H" && ls -d usr/local/sbin/oci-harden* etc/oci-harden 2>/dev/null)
}

make_host || bail_out "could not lay out the node in $H"
containerd config default |
	sed 's/^    restrict_oom_score_adj = false$/    restrict_oom_score_adj = true/' >"$H/etc/containerd/config.toml"
grep -q '^    restrict_oom_score_adj = true$' "$H/etc/containerd/config.toml" ||
	bail_out "containerd config default has no restrict_oom_score_adj line any more"
cp "$H/etc/containerd/config.toml" "$W/config.toml.before"
start_node || bail_out "the node's containerd did not start"
ok "a node under $H runs containerd 1.6 with containerd config default's config.toml"

is "$(c plugins ls 2>&1 | awk '$2 == "cri" { print $NF }')" ok "before install: the CRI plugin is ok"
is "$(cri_runtimes status-before)" "runc=" "before install: the CRI plugin has only runc"

# The images a pod needs: the sandbox image config.toml names, and busybox.
# (ctr reads them on stdin: it runs in the node, which has its own /var.)
pause_tar=$(daemons_image_pause_tar) && busybox_tar=$(daemons_image_busybox_tar) &&
	c -n k8s.io images import - <"$pause_tar" >"$W/import.log" 2>&1 &&
	c -n k8s.io images tag "docker.io/$DAEMONS_PAUSE_TAG" registry.k8s.io/pause:3.6 >>"$W/import.log" 2>&1 &&
	c -n k8s.io images import - <"$busybox_tar" >>"$W/import.log" 2>&1 ||
	{ diag_file "$W/import.log"; bail_out "could not import the images"; }

# --- install ---------------------------------------------------------------------------

cat >"$W/install.json" <<-'EOF'
{
  // As contrib/kubernetes/ configures it, with the node's init as its
  // restart command.
  "policy_handlers": {"hardened-web": "web"},
  "restart": ["/fake-init/ctl", "restart"]
}
EOF
pid_before=$(containerd_pid)
"$OCI_HARDEN" install --host-root "$H" --config "$W/install.json" --restart --init-pid "$INIT_PID" \
	>"$W/install.out" 2>&1
rc=$?
is "$rc" 0 "install exits 0"
[ "$rc" -eq 0 ] || diag_file "$W/install.out" "install"
like "$(cat "$W/install.out")" 'added the runtime handlers hardened, hardened-web to /etc/containerd/config.toml' \
	"install says what it added to config.toml"
isnt "$(containerd_pid)" "$pid_before" "install restarted containerd through the node's init"
is "$(cmp "$W/config.toml.before" <(head -c "$(stat -c %s "$W/config.toml.before")" "$H/etc/containerd/config.toml") && echo same)" \
	same "config.toml: every byte before the added block is as it was"
is "$(stat -c %a "$H/usr/local/sbin/oci-harden"):$(cmp "$OCI_HARDEN" "$H/usr/local/sbin/oci-harden" && echo same)" \
	755:same "the binary is on the node, mode 755"
is "$(readlink "$H/usr/local/sbin/oci-harden@web")" oci-harden "the per-policy handler's program links to it"
is "$(e2e_json_get "$H/etc/oci-harden/config.json" 'd["runtime"]')" "$(for r in /usr/bin/runc /usr/sbin/runc; do [ -x "$r" ] && echo "$r" && break; done)" \
	"/etc/oci-harden/config.json names the node's runc"

is "$(c plugins ls 2>&1 | awk '$2 == "cri" { print $NF }')" ok "after install: the CRI plugin is ok"
is "$(cri_runtimes status-after)" \
	"hardened=/usr/local/sbin/oci-harden hardened-web=/usr/local/sbin/oci-harden@web runc=" \
	"after install: the CRI plugin reports the handlers hardened and hardened-web"

# --- a pod through the handler ------------------------------------------------------------

cat >"$W/pod.json" <<-EOF
{
  "metadata": {"name": "web-0", "uid": "uid-web-0-$$", "namespace": "shop", "attempt": 0},
  "hostname": "web-0",
  "log_directory": "/tmp/pod-logs",
  "linux": {"security_context": {"namespace_options": {"network": "POD", "pid": "CONTAINER", "ipc": "POD"}}}
}
EOF
cat >"$W/container.json" <<-EOF
{
  "metadata": {"name": "main", "attempt": 0},
  "image": {"image": "docker.io/$DAEMONS_BUSYBOX_TAG"},
  "command": ["sleep", "300"],
  "log_path": "main.log",
  "linux": {"security_context": {}}
}
EOF
cri run-pod run-pod "$W/pod.json" --handler hardened
is "$CRI_RC" 0 "CRI: RunPodSandbox with the handler hardened"
pod=$(field run-pod 'd["pod_sandbox_id"]')
cri create create "$pod" "$W/container.json" "$W/pod.json"
container=$(field create 'd["container_id"]')
cri start start "$container"
is "$CRI_RC" 0 "CRI: the pod's container starts"
cri probe exec-sync "$container" -- sh -c 'grep -E "^(Uid|CapEff|CapBnd|NoNewPrivs|Seccomp):" /proc/1/status; touch /x 2>/dev/null && echo root=writable'
field probe 'd["stdout"]' >"$W/probe.out"
like "$(cat "$W/probe.out")" $'Uid:\t65534\t' "the pod's process runs as 65534"
like "$(cat "$W/probe.out")" $'CapEff:\t0000000000000000' "the pod's process has no effective capability"
like "$(cat "$W/probe.out")" $'NoNewPrivs:\t1' "the pod's process has no_new_privs"
like "$(cat "$W/probe.out")" $'Seccomp:\t2' "the pod's process has a seccomp filter"
unlike "$(cat "$W/probe.out")" 'root=writable' "the pod's root filesystem is read-only"
events=$H/var/log/oci-harden/events.log
like "$(grep -F "\"container\":\"$container\"" "$events" 2>/dev/null)" '"outcome":"hardened"' \
	"the node's event log has the container, hardened"

# --- what a cluster sees: refusals and audit mode as Kubernetes Events ---------------------

# A container that mounts the node's /etc: refused by the default policy.
cat >"$W/container-etc.json" <<-EOF
{
  "metadata": {"name": "reads-etc", "attempt": 0},
  "image": {"image": "docker.io/$DAEMONS_BUSYBOX_TAG"},
  "command": ["sleep", "300"],
  "log_path": "reads-etc.log",
  "mounts": [{"container_path": "/host-etc", "host_path": "/etc", "readonly": true}],
  "linux": {"security_context": {}}
}
EOF
# containerd's CRI runs runc create (so oci-harden) at StartContainer.
cri create-etc create "$pod" "$W/container-etc.json" "$W/pod.json"
cri start-etc start "$(field create-etc 'd["container_id"]')" 2>/dev/null
is "$CRI_RC" 1 "CRI: StartContainer of a container mounting /etc fails"
like "$(field start-etc 'd["message"]')" 'oci-harden: .*refused by policy "default"' \
	"and the kubelet would show oci-harden's refusal"

# A policy set shipped as a ConfigMap: its volume as the kubelet projects
# it (a ..data link to a timestamped directory, a link per key). Audit mode
# for the test's image.
mkdir -p "$W/configmap/..2024_01_01_00_00_00.1"
cat >"$W/configmap/..2024_01_01_00_00_00.1/busybox.json" <<-'EOF'
{"images": ["docker.io/local/busybox:*"], "mode": "audit"}
EOF
ln -s ..2024_01_01_00_00_00.1 "$W/configmap/..data"
ln -s ..data/busybox.json "$W/configmap/busybox.json"
"$OCI_HARDEN" sync-policies --host-root "$H" "$W/configmap" >"$W/sync.out" 2>&1
is "$?" 0 "sync-policies installs the ConfigMap's policy set on the node"
is "$(readlink "$H/etc/oci-harden/policies")" policy-sets/1 "the node's policy_dir is the set"
sed 's/reads-etc/audited-etc/g' "$W/container-etc.json" >"$W/container-audit.json"
cri create-audit create "$pod" "$W/container-audit.json" "$W/pod.json"
cri start-audit start "$(field create-audit 'd["container_id"]')"
is "$CRI_RC" 0 "CRI: the same container starts under the audit-mode policy"

"$OCI_HARDEN" k8s-events --node node-1 "$events" >"$W/k8s-events.json" 2>"$W/k8s-events.err"
is "$?" 0 "oci-harden k8s-events reads the node's event log"
[ -s "$W/k8s-events.err" ] && diag_file "$W/k8s-events.err"
refusal=$(grep -F '"reason":"OciHardenRefused"' "$W/k8s-events.json" | head -n 1)
audit=$(grep -F '"reason":"OciHardenAuditRefusal"' "$W/k8s-events.json" | head -n 1)
like "$refusal" '"involvedObject":\{"apiVersion":"v1","kind":"Pod","namespace":"shop","name":"web-0","uid":"uid-web-0-[0-9]+"\}' \
	"the refusal is an Event on the pod shop/web-0"
like "$refusal" '"message":"oci-harden refused container reads-etc \(policy \\"default\\"\): mounts.*/etc' \
	"its message names the container and the refused mount"
like "$audit" '"message":"audit mode: policy \\"busybox\\" in enforce mode would refuse container audited-etc' \
	"the audit-mode refusal is an Event on the pod too"
like "$audit" '"type":"Warning"' "a Warning"
is "$(grep -c . "$W/k8s-events.json")" 2 "and nothing else is: hardened containers make no Event"
# Recorded for the unit tests of the conversion (tests/unit/test_k8s_event.c).
[ -z "${OHE2E_RECORD_EVENTS:-}" ] || cp "$events" "$OHE2E_RECORD_EVENTS"

# --- install again: nothing changes ------------------------------------------------------

before_second=$(for f in etc/containerd/config.toml etc/oci-harden/config.json etc/oci-harden/install-record.json usr/local/sbin/oci-harden; do file_state "$H/$f"; done)
pid_before=$(containerd_pid)
sleep 1.1 # a rewrite would show in the modification times
"$OCI_HARDEN" install --host-root "$H" --config "$W/install.json" --restart --init-pid "$INIT_PID" \
	>"$W/install2.out" 2>&1
is "$?:$(cat "$W/install2.out")" "0:oci-harden install: nothing to change" "a second install has nothing to change"
is "$(for f in etc/containerd/config.toml etc/oci-harden/config.json etc/oci-harden/install-record.json usr/local/sbin/oci-harden; do file_state "$H/$f"; done)" \
	"$before_second" "a second install rewrites no file (bytes and times)"
is "$(containerd_pid)" "$pid_before" "a second install does not restart containerd"

# --- uninstall ------------------------------------------------------------------------------

"$OCI_HARDEN" uninstall --host-root "$H" --restart --init-pid "$INIT_PID" >"$W/uninstall-busy.out" 2>&1
is "$?" 1 "uninstall refuses while a container made through oci-harden exists"
like "$(cat "$W/uninstall-busy.out")" "container.* still exist.*drain the node" "and says why"
[ -x "$H/usr/local/sbin/oci-harden" ] && grep -q 'runtimes.hardened]' "$H/etc/containerd/config.toml" &&
	ok "a refused uninstall changes nothing" || not_ok "a refused uninstall changes nothing"

cri remove-all remove-all
pid_before=$(containerd_pid)
"$OCI_HARDEN" uninstall --host-root "$H" --restart --init-pid "$INIT_PID" >"$W/uninstall.out" 2>&1
rc=$?
is "$rc" 0 "uninstall exits 0 once the node is drained"
[ "$rc" -eq 0 ] || diag_file "$W/uninstall.out" uninstall
if cmp -s "$W/config.toml.before" "$H/etc/containerd/config.toml"; then
	ok "uninstall leaves config.toml byte for byte as it was"
else
	not_ok "uninstall leaves config.toml byte for byte as it was"
	diff "$W/config.toml.before" "$H/etc/containerd/config.toml" | head -20 | sed 's/^/# /'
fi
is "$(node_files)" "" "nothing of oci-harden's install is left on the node"
is "$(ls -A "$H/usr/local")" "" "the directories install made are gone"
isnt "$(containerd_pid)" "$pid_before" "uninstall restarted containerd"
is "$(cri_runtimes status-uninstalled)" "runc=" "after uninstall: the CRI plugin has only runc again"
[ -s "$events" ] && ok "the node's event log is kept" || not_ok "the node's event log is kept"
stop_node

# --- other shapes of config.toml, each read by the real containerd -------------------------

# install_shape NAME FILE: install into a node whose config.toml is FILE
# (no restart), containerd must read the result and run the handler's
# program, and uninstall must give back FILE byte for byte.
install_shape()
{
	local name=$1 file=$2 config=$H/etc/containerd/config.toml dump=$W/dump-$1.toml
	cp "$file" "$config"
	if ! "$OCI_HARDEN" install --host-root "$H" >"$W/install-$name.out" 2>&1; then
		not_ok "$name: install" "$(cat "$W/install-$name.out")"
		return
	fi
	if containerd --config "$config" config dump >"$dump" 2>"$dump.err" &&
		grep -A 20 'runtimes.hardened\]' "$dump" | grep -q 'BinaryName = "/usr/local/sbin/oci-harden"'; then
		ok "$name: containerd reads the edited file and finds the handler"
	else
		not_ok "$name: containerd reads the edited file and finds the handler"
		diag_file "$dump.err" "containerd config dump"
	fi
	"$OCI_HARDEN" uninstall --host-root "$H" >"$W/uninstall-$name.out" 2>&1
	if cmp -s "$file" "$config"; then
		ok "$name: uninstall gives the file back byte for byte"
	else
		not_ok "$name: uninstall gives the file back byte for byte" "$(cat "$W/uninstall-$name.out")"
	fi
	is "$(node_files)" "" "$name: nothing of oci-harden's is left"
}

install_shape debian "$FIXTURES/containerd/debian-1.6.20.toml"
grep -A 12 'runtimes.runc\]' "$W/dump-debian.toml" | grep -q 'runtime_type = "io.containerd.runc.v2"' &&
	ok "debian: runc is still a handler (install named it, the file named none)" ||
	not_ok "debian: runc is still a handler"
install_shape commented "$FIXTURES/containerd/kubeadm-systemd-commented.toml"
grep -A 20 'runtimes.hardened\]' "$W/dump-commented.toml" | grep -q 'SystemdCgroup = true' &&
	ok "commented: the handler has runc's SystemdCgroup = true" ||
	not_ok "commented: the handler has runc's SystemdCgroup = true"
install_shape crlf "$FIXTURES/containerd/crlf.toml"

# A node without config.toml: install makes one, uninstall removes it.
rm -f "$H/etc/containerd/config.toml"
"$OCI_HARDEN" install --host-root "$H" >"$W/install-missing.out" 2>&1
containerd --config "$H/etc/containerd/config.toml" config dump 2>/dev/null | grep -q 'runtimes.hardened\]' &&
	ok "no config.toml: install writes one containerd reads" || not_ok "no config.toml: install writes one containerd reads"
"$OCI_HARDEN" uninstall --host-root "$H" >"$W/uninstall-missing.out" 2>&1
[ ! -e "$H/etc/containerd/config.toml" ] && ok "no config.toml: uninstall removes the one install wrote" ||
	not_ok "no config.toml: uninstall removes the one install wrote"

# refused NAME EXPECTED: install into the config.toml in place must fail
# with EXPECTED and change nothing at all.
refused()
{
	local name=$1 expected=$2 config=$H/etc/containerd/config.toml
	cp "$config" "$W/refused-$name.before"
	"$OCI_HARDEN" install --host-root "$H" >"$W/refused-$name.out" 2>&1
	is "$?" 1 "$name: install refuses"
	like "$(cat "$W/refused-$name.out")" "$expected" "$name: and says why"
	cmp -s "$config" "$W/refused-$name.before" && [ -z "$(node_files)" ] &&
		ok "$name: nothing changed" || not_ok "$name: nothing changed" "$(node_files)"
}
printf 'root = "/var/lib/containerd"\n[plugins.cri.containerd]\n  snapshotter = "overlayfs"\n' >"$H/etc/containerd/config.toml"
refused version-1 'config.toml: no "version = 2"'
cat "$FIXTURES/containerd/default-1.6.20.toml" - >"$H/etc/containerd/config.toml" <<-'EOF'
[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.hardened]
  runtime_type = "io.containerd.runc.v2"
EOF
refused handler-present 'config.toml:[0-9]+: the runtime handler "hardened" is already configured'
printf 'version = 2\n[plugins."io.containerd.grpc.v1.cri"\n' >"$H/etc/containerd/config.toml"
refused broken 'config.toml:2: expected'
mkdir -p "$H/etc/containerd/conf.d"
printf 'version = 2\nimports = ["/etc/containerd/conf.d/*.toml"]\n' >"$H/etc/containerd/config.toml"
printf 'version = 2\n[plugins."io.containerd.grpc.v1.cri".registry]\n  config_path = "/etc/containerd/certs.d"\n' \
	>"$H/etc/containerd/conf.d/10-registry.toml"
refused imports 'conf.d/10-registry.toml:2: configures the CRI plugin'
rm -rf "$H/etc/containerd/conf.d"
# A file in the way that install did not put there.
cp "$FIXTURES/containerd/default-1.6.20.toml" "$H/etc/containerd/config.toml"
mkdir -p "$H/usr/local/sbin" && printf '#!/bin/sh\n' >"$H/usr/local/sbin/oci-harden"
"$OCI_HARDEN" install --host-root "$H" >"$W/refused-foreign.out" 2>&1
is "$?" 1 "a foreign /usr/local/sbin/oci-harden: install refuses"
like "$(cat "$W/refused-foreign.out")" 'exists and was not put there by oci-harden install' "and says why"
cmp -s "$H/etc/containerd/config.toml" "$FIXTURES/containerd/default-1.6.20.toml" && [ ! -e "$H/etc/oci-harden" ] &&
	ok "a foreign file: nothing changed" || not_ok "a foreign file: nothing changed"

tap_done
