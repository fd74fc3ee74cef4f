#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# The engines of lib_daemons.sh, each started here with its own
# directories, run the busybox image through plain runc and through
# oci-harden (the runtime "hardened", default policy): containerd with `ctr
# run`, a CRI pod's whole life through the "hardened" handler as the
# kubelet lives it, dockerd with `docker run --runtime`, podman with
# `podman run --runtime` and its API socket. Each runs where its /run, the
# CNI cache and the engines' usual directories are its own, and once
# stopped nothing of it is left running.
set -u
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_daemons.sh"

e2e_require_host
daemons_require containerd cri docker podman
e2e_require_binary
e2e_setup daemons

W=$E2E_WORK
IMAGE=local/busybox:test
NET_BIND=$E2E_NET_BIND_MASK

# A probe of the process's identity, one key=value a line.
PROBE='echo "uid=$(id -u)"
while read -r key value rest; do
	case "$key" in CapEff:|CapBnd:|NoNewPrivs:|Seccomp:) echo "${key%:}=$value" ;; esac
done </proc/self/status
echo probe=done'

# check_probe FILE WHAT RUNTIME: the probe's answers in FILE, for plain runc
# (uid 0 with capabilities) or oci-harden's default policy (uid 65534, no
# effective capability, CapBnd CAP_NET_BIND_SERVICE at most, NoNewPrivs 1,
# a seccomp filter).
check_probe()
{
	local file=$1 what=$2 runtime=$3
	v() { e2e_probe_value "$file" "$1"; }
	if [ "$(v probe)" != "done" ]; then
		not_ok "$what: the probe ran"
		diag_file "$file" output
		return
	fi
	if [ "$runtime" = runc ]; then
		is "$(v uid)" 0 "$what, plain runc: uid 0"
		isnt "$(v CapEff)" 0000000000000000 "$what, plain runc: effective capabilities"
	else
		is "$(v uid)" 65534 "$what, hardened: uid 65534"
		is "$(v CapEff)" 0000000000000000 "$what, hardened: CapEff 0"
		caps_within "$(v CapBnd)" "$NET_BIND" "$what, hardened: CapBnd CAP_NET_BIND_SERVICE at most"
		is "$(v NoNewPrivs):$(v Seccomp)" 1:2 "$what, hardened: NoNewPrivs 1 and a seccomp filter"
	fi
}

# ran_hardened DIR WHAT: oci-harden ran with the engine's settings file
# (DIR/oci-harden.json, its state directory in DIR): the settings reached
# the runtime through the engine.
ran_hardened()
{
	if [ -d "$1/oci-harden-state" ]; then
		ok "$2: the engine's oci-harden read the engine's settings"
	else
		not_ok "$2: the engine's oci-harden read the engine's settings" "no $1/oci-harden-state"
	fi
}

# isolated NS-PID DIR WHAT INTERFACES-REGEX INTERFACES: in the engine's namespaces, /run is DIR/ns/run,
# /var/lib/cni is DIR/ns/cni, each of the engines' usual directories that
# the host has is DIR/ns's own, and the network has no other interface
# than the loopback and the engine's own bridge.
isolated()
{
	local ns_pid=$1 dir=$2 what=$3 path private inside wrong=
	for path in /run:"$dir/ns/run" /var/lib/cni:"$dir/ns/cni"; do
		inside=$(daemons_ns_exec "$ns_pid" stat -c %d:%i "${path%%:*}" 2>&1)
		[ "$inside" = "$(stat -c %d:%i "${path#*:}")" ] || wrong+=" ${path%%:*}"
	done
	for path in "${DAEMONS_HIDDEN_DIRS[@]}"; do
		[ -d "$path" ] || continue
		private=$dir/ns/private$(printf '%s' "$path" | tr / _)
		inside=$(daemons_ns_exec "$ns_pid" stat -c %d:%i "$path" 2>&1)
		[ "$inside" = "$(stat -c %d:%i "$private" 2>&1)" ] || wrong+=" $path"
	done
	is "${wrong# }" "" "$what: /run, /var/lib/cni and the engines' usual directories are its own"
	like "$(daemons_ns_exec "$ns_pid" cat /proc/net/dev | awk -F: 'NR > 2 { print $1 }' | tr -d ' ' | sort | tr '\n' ' ')" \
		"$4" "$what: its network has $5 alone"
}

# gone NS-PID WHAT: the namespace holder and everything in it are gone.
gone()
{
	if kill -0 "$1" 2>/dev/null; then
		not_ok "$2: stopped, nothing left in its namespaces" "holder $1 still runs"
	else
		ok "$2: stopped, nothing left in its namespaces"
	fi
}

# --- containerd, with ctr ----------------------------------------------------------

started=$SECONDS
if ! daemons_containerd_start "$W/containerd"; then
	bail_out "containerd did not start"
fi
ok "containerd is up in $((SECONDS - started)) s, images imported"
like "$(daemons_ctr -n k8s.io images list -q)" "^docker\.io/$IMAGE\$" "containerd: the CRI's namespace has docker.io/$IMAGE"
# The shim's sockets: in the daemon's own /run, which is DIR/ns/run.
like "$(daemons_ctr plugins list 2>&1 | awk '$2 == "cri" { print $NF }')" '^ok$' "containerd: the CRI plugin loads"
namespace=oci-harden-e2e
daemons_containerd_import "$namespace" "$(daemons_image_busybox_tar)" || bail_out "ctr images import failed"
for runtime in runc hardened; do
	options=()
	[ "$runtime" = hardened ] && options=(--runc-binary "$OCI_HARDEN")
	daemons_ctr -n "$namespace" run --rm "${options[@]}" "docker.io/$IMAGE" "ohd-$$-$runtime" sh -c "$PROBE" \
		</dev/null >"$W/ctr-$runtime.out" 2>&1
	is "$?" 0 "ctr run through $runtime exits 0"
	check_probe "$W/ctr-$runtime.out" "ctr run" "$runtime"
done
if [ -d "$CONTAINERD_RUN/s" ]; then
	ok "containerd: the shim's sockets are in the daemon's own /run ($CONTAINERD_RUN/s)"
else
	not_ok "containerd: the shim's sockets are in the daemon's own /run" "no $CONTAINERD_RUN/s"
fi

# --- containerd's CRI, like the kubelet ------------------------------------------------

# cri NAME ARG...: daemons_cri ARG..., the answer in $W/NAME.json, the exit
# status in CRI_RC.
cri()
{
	local name=$1
	shift
	daemons_cri "$@" >"$W/$name.json" 2>"$W/$name.err"
	CRI_RC=$?
	[ "$CRI_RC" -eq 0 ] || { diag_file "$W/$name.json" "cri $1"; diag_file "$W/$name.err" "cri $1 stderr"; }
}
# field NAME EXPR: EXPR over the answer `d` in $W/NAME.json.
field()
{
	e2e_json_get "$W/$1.json" "$2" 2>/dev/null
}

cri version version
is "$CRI_RC:$(field version 'd["runtime_api_version"]')" 0:v1 "CRI: Version answers, API v1"
cri image-status image-status "docker.io/$IMAGE"
like "$(field image-status '" ".join(d["image"]["repo_tags"])')" "docker\.io/$IMAGE" "CRI: ImageStatus knows the image"

# A pod as the kubelet asks for one with no securityContext: its own
# network (the CNI bridge), ipc and uts; a pid namespace per container.
for handler in runc hardened; do
	cat >"$W/pod-$handler.json" <<-EOF
	{
	  "metadata": {"name": "smoke-$handler", "uid": "uid-smoke-$handler-$$", "namespace": "default", "attempt": 0},
	  "hostname": "smoke-$handler",
	  "log_directory": "$W/pod-logs-$handler",
	  "labels": {"io.kubernetes.pod.name": "smoke-$handler"},
	  "linux": {"security_context": {"namespace_options": {"network": "POD", "pid": "CONTAINER", "ipc": "POD"}}}
	}
	EOF
	cat >"$W/container-$handler.json" <<-EOF
	{
	  "metadata": {"name": "main", "attempt": 0},
	  "image": {"image": "docker.io/$IMAGE"},
	  "command": ["sleep", "300"],
	  "log_path": "main.log",
	  "linux": {"security_context": {}}
	}
	EOF
	cri run-pod-$handler run-pod "$W/pod-$handler.json" --handler "$handler"
	is "$CRI_RC" 0 "CRI $handler: RunPodSandbox"
	pod=$(field run-pod-$handler 'd["pod_sandbox_id"]')
	cri pod-status-$handler pod-status "$pod"
	is "$(field pod-status-$handler 'd["status"]["state"]')" SANDBOX_READY "CRI $handler: the pod is ready"
	like "$(field pod-status-$handler 'd["status"]["network"]["ip"]')" '^10\.88\.0\.[0-9]+$' \
		"CRI $handler: the pod has an address on the test's CNI bridge"
	cri create-$handler create "$pod" "$W/container-$handler.json" "$W/pod-$handler.json"
	is "$CRI_RC" 0 "CRI $handler: CreateContainer"
	container=$(field create-$handler 'd["container_id"]')
	cri start-$handler start "$container"
	is "$CRI_RC" 0 "CRI $handler: StartContainer"
	cri status-$handler container-status "$container"
	is "$(field status-$handler 'd["status"]["state"]')" CONTAINER_RUNNING "CRI $handler: the container runs"
	cri list-$handler list-containers --pod "$pod"
	is "$(field list-$handler '" ".join(c["id"] for c in d["containers"])')" "$container" \
		"CRI $handler: ListContainers shows it in the pod"
	cri exec-$handler exec-sync "$container" -- sh -c "$PROBE"
	field exec-$handler 'd["stdout"]' >"$W/exec-$handler.out"
	is "$(field exec-$handler 'd["exit_code"]')" 0 "CRI $handler: ExecSync exits 0"
	check_probe "$W/exec-$handler.out" "CRI ExecSync" "$handler"
	cri stop-$handler stop "$container" --timeout 2
	is "$CRI_RC" 0 "CRI $handler: StopContainer"
	cri status-stopped-$handler container-status "$container"
	is "$(field status-stopped-$handler 'd["status"]["state"]')" CONTAINER_EXITED "CRI $handler: the container exited"
	cri remove-$handler remove "$container"
	is "$CRI_RC" 0 "CRI $handler: RemoveContainer"
	cri stop-pod-$handler stop-pod "$pod"
	is "$CRI_RC" 0 "CRI $handler: StopPodSandbox"
	cri remove-pod-$handler remove-pod "$pod"
	is "$CRI_RC" 0 "CRI $handler: RemovePodSandbox"
	cri pods-$handler list-pods
	is "$(field pods-$handler 'len(d["items"])')" 0 "CRI $handler: no pod is left"
done
ran_hardened "$W/containerd" containerd
isolated "$CONTAINERD_NS_PID" "$W/containerd" containerd '^lo ohe2e0 $' "the loopback and the pods' bridge"
ns_pid=$CONTAINERD_NS_PID
daemons_containerd_stop
gone "$ns_pid" containerd

# --- Docker -------------------------------------------------------------------------

started=$SECONDS
daemons_docker_start "$W/docker" || bail_out "dockerd did not start"
ok "dockerd is up in $((SECONDS - started)) s, the image loaded"
like "$(daemons_docker info --format '{{json .Runtimes}}' 2>&1)" '"hardened":\{"path":"'"$OCI_HARDEN"'"' \
	"docker info lists the runtime hardened, $OCI_HARDEN"
for runtime in runc hardened; do
	daemons_docker run --rm --runtime "$runtime" "$IMAGE" sh -c "$PROBE" </dev/null >"$W/docker-$runtime.out" 2>&1
	is "$?" 0 "docker run --runtime $runtime exits 0"
	check_probe "$W/docker-$runtime.out" "docker run" "$runtime"
done
ran_hardened "$W/docker" docker
is "$(daemons_docker ps -aq)" "" "docker: --rm left no container"
isolated "$DOCKER_NS_PID" "$W/docker" dockerd '^docker0 lo $' "the loopback and dockerd's bridge"
ns_pid=$DOCKER_NS_PID
daemons_docker_stop
gone "$ns_pid" dockerd

# --- Podman -------------------------------------------------------------------------

started=$SECONDS
daemons_podman_start "$W/podman" || bail_out "podman could not be set up"
ok "podman is set up in $((SECONDS - started)) s, the image loaded"
for runtime in runc hardened; do
	daemons_podman run --rm --pull=never --runtime "$runtime" "$IMAGE" sh -c "$PROBE" \
		</dev/null >"$W/podman-$runtime.out" 2>&1
	is "$?" 0 "podman run --runtime $runtime exits 0"
	check_probe "$W/podman-$runtime.out" "podman run" "$runtime"
done
ran_hardened "$W/podman" podman

daemons_podman_service_start "$W/podman" || bail_out "podman system service did not start"
# The API has no --runtime: the default runtime, runc.
daemons_podman_env podman --remote --url "unix://$PODMAN_SOCK" run --rm --pull=never "$IMAGE" sh -c "$PROBE" \
	</dev/null >"$W/podman-remote.out" 2>&1
is "$?" 0 "podman --remote run on $PODMAN_SOCK exits 0"
check_probe "$W/podman-remote.out" "podman --remote run" runc
is "$(daemons_podman ps -aq)" "" "podman: --rm left no container"
isolated "$PODMAN_NS_PID" "$W/podman" podman '^(cni-podman0 )?lo $' "the loopback and podman's bridge"
ns_pid=$PODMAN_NS_PID
daemons_podman_stop
gone "$ns_pid" podman

tap_done
