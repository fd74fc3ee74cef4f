#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Sensitive host paths judged by what they are, not by their names (issue
# 17), with real Docker, Podman and containerd started here
# (tests/e2e/lib_daemons.sh). Each engine's live control socket is
# bind-mounted into a container from its usual path, from the path the
# engine was told to listen on, through a symlink, and, for dockerd, from a
# second socket it listens on (-H unix://...) and the directory holding it:
# - through plain runc (each engine's "runc" runtime) a probe inside the
#   container connects to the daemon (tests/e2e/probes/unix_ping.c: Docker
#   and Podman answer its ping), so the door is real;
# - through oci-harden (the engines' "hardened" runtime) the container is
#   refused, and the engine's error says what the path is ("the socket of
#   dockerd (pid N)").
# A container given an ordinary directory and file runs through each.
# Last, a process the host runs as "kubelet" listening on a socket in a
# directory of its own: oci-harden finds it in /proc/net/unix and names it
# when the directory or the socket is bound.
set -u
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_daemons.sh"

e2e_require_host
daemons_require containerd docker podman
command -v gcc >/dev/null || skip_all "gcc is not installed (tests/install-deps.sh)"
e2e_require_binary
e2e_setup sockets # podman wants its runroot path under 50 characters

W=$E2E_WORK
PROBE_IMAGE=local/sockprobe:test

gcc -static -O2 -Wall -Werror -o "$W/unix-ping" "$E2E_LIB_DIR/probes/unix_ping.c" 2>"$W/gcc.err" || {
	diag_file "$W/gcc.err" gcc
	bail_out "could not build tests/e2e/probes/unix_ping.c statically (libc6-dev)"
}
daemons_image_build "$W/probe.tar" docker-archive "$PROBE_IMAGE" "$W/unix-ping:/usr/bin/unix-ping" ||
	bail_out "could not build the probe image"

# What a complying container gets.
mkdir -p "$W/data"
printf 'data-ok\n' >"$W/data/file"
printf 'file-ok\n' >"$W/file"

# door WHAT OUT: the probe's output OUT shows the daemon at the other end
# (a ping answered, or for containerd's gRPC a connection made).
door_open()
{
	local what=$1 out=$2 want=${3:-'^reply=HTTP/1\.[01] 200 OK'}
	if ! like "$(cat "$out")" "$want" "$what: through plain runc the container reaches the daemon"; then
		diag_file "$out" output
	fi
}

# refused WHAT RC OUT REGEX: the engine failed to start the container, and
# its error carries oci-harden's reason.
refused()
{
	local what=$1 rc=$2 out=$3 regex=$4
	isnt "$rc" 0 "$what: through oci-harden the container is refused"
	unlike "$(cat "$out")" '^connect=yes' "$what: the probe never connects"
	like "$(cat "$out")" "oci-harden: .*refused by policy .*$regex" "$what: the error says what the path is"
}

# --- Docker ---------------------------------------------------------------------

# Besides the harness's socket: the usual path (in dockerd's mount
# namespace, where /run is its own) and a second socket in a directory.
# The host's list of listening sockets names it while dockerd runs: tests
# that mount a placeholder at that path wait (lib.sh, e2e_docker_sock_lock).
e2e_docker_sock_lock
mkdir -p "$W/docker/other"
daemons_docker_start "$W/docker" -H unix:///run/docker.sock -H "unix://$W/docker/other/other.sock" ||
	bail_out "dockerd did not start"
daemons_docker load -i "$W/probe.tar" >"$W/docker-load.log" 2>&1 || {
	diag_file "$W/docker-load.log" "docker load"
	bail_out "docker load of the probe image failed"
}
ln -s "$W/docker/docker.sock" "$W/docker-link.sock"

# docker_run NAME RUNTIME ARG...: docker run of the probe image; output in
# $W/docker-NAME-RUNTIME.out, exit status in RC.
docker_run()
{
	local name=$1 runtime=$2
	shift 2
	daemons_docker run --rm --runtime "$runtime" "$@" </dev/null >"$W/docker-$name-$runtime.out" 2>&1
	RC=$?
}

# docker_socket NAME SOURCE REGEX: SOURCE bound at /x reaches dockerd
# through runc, and is refused for REGEX through oci-harden.
docker_socket()
{
	local name=$1 source=$2 regex=$3
	docker_run "$name" runc -v "$source:/x" "$PROBE_IMAGE" unix-ping /x
	door_open "docker $name ($source)" "$W/docker-$name-runc.out"
	docker_run "$name" hardened -v "$source:/x" "$PROBE_IMAGE" unix-ping /x
	refused "docker $name ($source)" "$RC" "$W/docker-$name-hardened.out" "$regex"
}

docker_socket usual /run/docker.sock \
	'bind mount of host /run/docker.sock: it is the socket of dockerd'
docker_socket listening "$W/docker/docker.sock" \
	"bind mount of host $W/docker/docker.sock: it is the socket of dockerd \\(pid $DOCKER_PID\\)"
docker_socket symlink "$W/docker-link.sock" \
	"$W/docker-link.sock \\(resolving to $W/docker/docker.sock\\): it is the socket of dockerd \\(pid $DOCKER_PID\\)"
docker_socket second "$W/docker/other/other.sock" \
	"it is the socket of dockerd \\(pid $DOCKER_PID\\)"

# The directory holding the second socket.
docker_run other-dir runc -v "$W/docker/other:/x" "$PROBE_IMAGE" unix-ping /x/other.sock
door_open "docker the directory of a socket" "$W/docker-other-dir-runc.out"
docker_run other-dir hardened -v "$W/docker/other:/x" "$PROBE_IMAGE" unix-ping /x/other.sock
refused "docker the directory of a socket" "$RC" "$W/docker-other-dir-hardened.out" \
	"bind mount of host $W/docker/other: it contains the socket of dockerd \\(pid $DOCKER_PID\\)"

# dockerd's data directory, read from its command line.
docker_run data-root runc -v "$W/docker/data:/x" "$PROBE_IMAGE" ls /x
door_open "docker its data directory" "$W/docker-data-root-runc.out" '^overlay2$'
docker_run data-root hardened -v "$W/docker/data:/x" "$PROBE_IMAGE" ls /x
refused "docker its data directory" "$RC" "$W/docker-data-root-hardened.out" \
	"it is the data directory of dockerd \\(pid $DOCKER_PID\\)"

docker_run ordinary hardened -v "$W/data:/data:ro" -v "$W/file:/file:ro" -v ohvolume:/volume \
	--tmpfs /scratch:size=1m "$PROBE_IMAGE" sh -c 'cat /data/file /file; ls -d /volume /scratch'
is "$RC" 0 "docker: a container given an ordinary directory and file, a named volume and a tmpfs runs through oci-harden"
is "$(tr '\n' ' ' <"$W/docker-ordinary-hardened.out")" "data-ok file-ok /scratch /volume " \
	"docker: it reads them"
daemons_docker_stop

# --- Podman ---------------------------------------------------------------------

daemons_podman_service_start "$W/podman" || bail_out "podman system service did not start"
podman_service=$PODMAN_SERVICE_PID
# A second service on the usual path (in Podman's mount namespace).
daemons_ns_exec "$PODMAN_NS_PID" mkdir -p /run/podman
daemons_podman_env daemons_ns_spawn "$PODMAN_NS_PID" "$W/podman-usual.log" \
	podman "${DAEMONS_PODMAN_OPTIONS[@]}" system service --time=0 unix:///run/podman/podman.sock
podman_usual=$DAEMONS_SPAWNED
daemons_wait "podman system service on /run/podman/podman.sock" "$podman_usual" "$W/podman-usual.log" \
	daemons_ns_exec "$PODMAN_NS_PID" test -S /run/podman/podman.sock || bail_out "no second podman service"
daemons_podman load -i "$W/probe.tar" >"$W/podman-load.log" 2>&1 || {
	diag_file "$W/podman-load.log" "podman load"
	bail_out "podman load of the probe image failed"
}
ln -s "$PODMAN_SOCK" "$W/podman-link.sock"

podman_run()
{
	local name=$1 runtime=$2
	shift 2
	daemons_podman run --rm --pull=never --runtime "$runtime" "$@" </dev/null \
		>"$W/podman-$name-$runtime.out" 2>&1
	RC=$?
}

podman_socket()
{
	local name=$1 source=$2 regex=$3
	podman_run "$name" runc -v "$source:/x" "$PROBE_IMAGE" unix-ping /x
	door_open "podman $name ($source)" "$W/podman-$name-runc.out"
	podman_run "$name" hardened -v "$source:/x" "$PROBE_IMAGE" unix-ping /x
	refused "podman $name ($source)" "$RC" "$W/podman-$name-hardened.out" "$regex"
}

podman_socket usual /run/podman/podman.sock \
	"bind mount of host /run/podman/podman.sock: it is the socket of Podman's API service"
podman_socket listening "$PODMAN_SOCK" \
	"bind mount of host $PODMAN_SOCK: it is the socket of podman \\(pid $podman_service\\)"
podman_socket symlink "$W/podman-link.sock" \
	"\\(resolving to $PODMAN_SOCK\\): it is the socket of podman \\(pid $podman_service\\)"

podman_run ordinary hardened -v "$W/data:/data:ro" -v "$W/file:/file:ro" -v ohvolume:/volume \
	-v "$W/data:/overlaid:O" --tmpfs /scratch:size=1m "$PROBE_IMAGE" \
	sh -c 'cat /data/file /file /overlaid/file; ls -d /volume /scratch'
is "$RC" 0 "podman: a container given an ordinary directory and file, a named volume, an overlay volume (:O) and a tmpfs runs through oci-harden"
is "$(tr '\n' ' ' <"$W/podman-ordinary-hardened.out")" "data-ok file-ok data-ok /scratch /volume " \
	"podman: it reads them"
daemons_stop_pid "$podman_usual" 10
daemons_podman_stop

# --- containerd -------------------------------------------------------------------

namespace=oci-harden-sockets
daemons_containerd_start "$W/containerd" || bail_out "containerd did not start"
daemons_containerd_import "$namespace" "$W/probe.tar" || bail_out "ctr images import failed"
# The usual path, in containerd's mount namespace: a symlink to its socket.
daemons_ns_exec "$CONTAINERD_NS_PID" sh -c \
	'mkdir -p /run/containerd && ln -sf "$1" /run/containerd/containerd.sock' sh "$CONTAINERD_SOCK"
ln -s "$CONTAINERD_SOCK" "$W/containerd-link.sock"
containerd_count=0

# ctr_run NAME RUNTIME SOURCE ARG...: ctr run of the probe image with SOURCE
# bound at /x (RUNTIME runc: ctr's default runc; hardened: oci-harden).
ctr_run()
{
	local name=$1 runtime=$2 source=$3 binary=()
	shift 3
	[ "$runtime" = hardened ] && binary=(--runc-binary "$OCI_HARDEN")
	containerd_count=$((containerd_count + 1))
	daemons_ctr -n "$namespace" run --rm "${binary[@]}" \
		--mount "type=bind,src=$source,dst=/x,options=rbind:rw" \
		"docker.io/$PROBE_IMAGE" "ohsock-$$-$containerd_count" "$@" </dev/null \
		>"$W/containerd-$name-$runtime.out" 2>&1
	RC=$?
}

ctr_socket()
{
	local name=$1 source=$2 regex=$3
	ctr_run "$name" runc "$source" unix-ping /x
	door_open "containerd $name ($source)" "$W/containerd-$name-runc.out" '^connect=yes'
	ctr_run "$name" hardened "$source" unix-ping /x
	refused "containerd $name ($source)" "$RC" "$W/containerd-$name-hardened.out" "$regex"
}

ctr_socket usual /run/containerd/containerd.sock \
	'bind mount of host /run/containerd/containerd.sock[^:]*: it is the socket of containerd'
ctr_socket listening "$CONTAINERD_SOCK" \
	"bind mount of host $CONTAINERD_SOCK: it is the socket of containerd \\(pid $CONTAINERD_PID\\)"
ctr_socket symlink "$W/containerd-link.sock" \
	"\\(resolving to $CONTAINERD_SOCK\\): it is the socket of containerd \\(pid $CONTAINERD_PID\\)"
ctr_socket ttrpc "$CONTAINERD_SOCK.ttrpc" \
	"it is the socket of containerd \\(pid $CONTAINERD_PID\\)"

ctr_run ordinary hardened "$W/data" cat /x/file
is "$RC" 0 "containerd: a container given an ordinary directory runs through oci-harden"
is "$(cat "$W/containerd-ordinary-hardened.out")" "data-ok" "containerd: it reads it"
daemons_containerd_stop

# --- a socket found by who listens on it --------------------------------------------

# A program the host runs under the name kubelet (a copy of python3), with a
# socket in a directory of its own: no command line or default names it,
# /proc/net/unix and the process's open files do.
mkdir -p "$W/kl/sock"
cp "$(readlink -f "$DAEMONS_PYTHON")" "$W/kl/kubelet"
"$W/kl/kubelet" -c '
import socket, sys, time
s = socket.socket(socket.AF_UNIX)
s.bind(sys.argv[1])
s.listen()
while True:
    c, _ = s.accept()
    c.close()
' "$W/kl/sock/kubelet.sock" </dev/null >/dev/null 2>&1 &
kubelet_pid=$!
for _ in $(seq 50); do [ -S "$W/kl/sock/kubelet.sock" ] && break; sleep 0.1; done
[ -S "$W/kl/sock/kubelet.sock" ] || bail_out "the stand-in kubelet did not listen"

settings=$W/oci-harden-runc.json
e2e_write_settings "$settings" "\"state_dir\": \"$W/state-runc\""
# kubelet_case NAME SOURCE: a busybox bundle binding SOURCE at /x.
kubelet_case()
{
	local bundle=$W/$1
	e2e_make_bundle "$bundle" /unix-ping /x/kubelet.sock || bail_out "could not build a bundle"
	cp "$W/unix-ping" "$bundle/rootfs/unix-ping"
	"$PYTHON" - "$bundle/config.json" "$2" <<-'EOF'
	import json, sys
	path, source = sys.argv[1], sys.argv[2]
	spec = json.load(open(path))
	spec["mounts"].append({"destination": "/x", "type": "bind", "source": source,
	                       "options": ["rbind", "rw"]})
	json.dump(spec, open(path, "w"), separators=(",", ":"))
	EOF
}
kubelet_case kubelet-dir "$W/kl/sock"
"$RUNC" --root "$E2E_RUNC_ROOT" run --bundle "$W/kubelet-dir" "$(e2e_id kl-runc)" </dev/null \
	>"$W/kubelet-dir-runc.out" 2>&1
door_open "a kubelet's socket directory" "$W/kubelet-dir-runc.out" '^connect=yes'
OCI_HARDEN_CONFIG=$settings "$OCI_HARDEN" --root "$E2E_RUNC_ROOT" --log "$W/kubelet-dir.log" \
	--log-format json run --bundle "$W/kubelet-dir" "$(e2e_id kl-dir)" </dev/null \
	>"$W/kubelet-dir-oh.out" 2>&1
rc=$?
cat "$W/kubelet-dir.log" >>"$W/kubelet-dir-oh.out" 2>/dev/null
refused "a kubelet's socket directory" "$rc" "$W/kubelet-dir-oh.out" \
	"it is a directory holding $W/kl/sock/kubelet.sock, the socket kubelet \\(pid $kubelet_pid\\) listens on"
kubelet_case kubelet-sock "$W/kl/sock/kubelet.sock"
sed -i 's|"/x/kubelet.sock"|"/x"|' "$W/kubelet-sock/config.json"
OCI_HARDEN_CONFIG=$settings "$OCI_HARDEN" --root "$E2E_RUNC_ROOT" --log "$W/kubelet-sock.log" \
	--log-format json run --bundle "$W/kubelet-sock" "$(e2e_id kl-sock)" </dev/null \
	>"$W/kubelet-sock-oh.out" 2>&1
rc=$?
cat "$W/kubelet-sock.log" >>"$W/kubelet-sock-oh.out" 2>/dev/null
refused "a kubelet's socket" "$rc" "$W/kubelet-sock-oh.out" \
	"it is a unix socket \\(kubelet's, pid $kubelet_pid\\)"
kill "$kubelet_pid" 2>/dev/null
wait "$kubelet_pid" 2>/dev/null

tap_done
