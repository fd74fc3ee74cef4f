#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Real clients using oci-harden (embedded default policy, enforce) as their
# runtime, as issue 9 asks ("Done means", second point), each beside plain
# runc to show that every probe can see an open door:
#
# - Docker 20.10: `docker run --cap-add SYS_ADMIN` cannot create a user
#   namespace (`unshare -U`, `unshare -r`) or mount; through runc it can.
#   Docker writes a seccomp profile that allows unshare and mount when
#   SYS_ADMIN is asked (tests/fixtures/clients).
# - Podman 4.3: a default `podman run` cannot either; through runc it can
#   (Podman's default profile allows unshare: a user namespace of its own,
#   and a mount inside it).
# - containerd's CRI, driven like the kubelet: a Kubernetes "restricted"
#   container (seccompProfile RuntimeDefault, no privilege escalation, no
#   capability, not root) has io_uring_setup and ptrace denied; containerd's
#   RuntimeDefault profile allows both.
# - A default pod (CRI, no securityContext): every door of the escape
#   probe (tests/e2e/probes/escape_probe.c, built here) is shut, while
#   benign work still runs: writing /tmp, a shell pipeline, resolving its
#   own host name, listening on a high port.
#
# The engines come from tests/e2e/lib_daemons.sh.
set -u
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_daemons.sh"

e2e_require_host
daemons_require containerd cri docker podman
command -v gcc >/dev/null || skip_all "gcc is not installed (tests/install-deps.sh)"
e2e_require_binary
e2e_setup clients

W=$E2E_WORK
PROBE_IMAGE=local/probe:test

# --- the probe image ---------------------------------------------------------------

gcc -static -O2 -Wall -Werror -o "$W/escape-probe" "$E2E_LIB_DIR/probes/escape_probe.c" 2>"$W/gcc.err" || {
	diag_file "$W/gcc.err" gcc
	bail_out "could not build tests/e2e/probes/escape_probe.c statically (libc6-dev)"
}
daemons_image_build "$W/probe.tar" docker-archive "$PROBE_IMAGE" "$W/escape-probe:/usr/bin/escape-probe" ||
	bail_out "could not build the probe image"

# The same question put with busybox, as a user would type it.
SHELL_PROBE='
if unshare -U true 2>/dev/null; then echo sh_unshare_U=yes; else echo sh_unshare_U=no; fi
if unshare -r true 2>/dev/null; then echo sh_unshare_r=yes; else echo sh_unshare_r=no; fi
if mount -t tmpfs none /mnt 2>/dev/null; then echo sh_mount=yes; else echo sh_mount=no; fi
if unshare -r -m sh -c "mount -t tmpfs none /mnt" 2>/dev/null; then echo sh_mount_userns=yes; else echo sh_mount_userns=no; fi
escape-probe --in-container userns userns_root userns_mount clone_newuser mount
'
USERNS_DOORS=(userns userns_root userns_mount clone_newuser)

# probe_value FILE KEY: KEY's value in a probe's output.
probe_value()
{
	e2e_probe_value "$1" "$2"
}

# probe_ran FILE WHAT: the probe printed its last line.
probe_ran()
{
	if [ "$(probe_value "$1" probe)" = "done" ]; then
		ok "$2: the probe ran"
	else
		not_ok "$2: the probe ran"
		diag_file "$1" output
	fi
}

# doors_shut FILE WHAT DOOR...: each DOOR is shut.
doors_shut()
{
	local file=$1 what=$2 door
	shift 2
	for door in "$@"; do
		like "$(probe_value "$file" "$door")" '^shut:' "$what: $door is shut"
	done
}

# doors_open FILE WHAT DOOR...: each DOOR is open (the probe can see it).
doors_open()
{
	local file=$1 what=$2 door
	shift 2
	for door in "$@"; do
		is "$(probe_value "$file" "$door")" open "$what: $door is open"
	done
}

# --- Docker: --cap-add SYS_ADMIN ------------------------------------------------------

daemons_docker_start "$W/docker" || bail_out "dockerd did not start"
daemons_docker load -i "$W/probe.tar" >"$W/docker-load.log" 2>&1 || {
	diag_file "$W/docker-load.log" "docker load"
	bail_out "docker load of the probe image failed"
}
for runtime in runc hardened; do
	out=$W/docker-$runtime.out
	daemons_docker run --rm --runtime "$runtime" --cap-add SYS_ADMIN "$PROBE_IMAGE" sh -c "$SHELL_PROBE" \
		</dev/null >"$out" 2>&1
	is "$?" 0 "docker run --runtime $runtime --cap-add SYS_ADMIN exits 0"
	probe_ran "$out" "docker $runtime --cap-add SYS_ADMIN"
done
what="docker --cap-add SYS_ADMIN, plain runc"
out=$W/docker-runc.out
is "$(probe_value "$out" sh_unshare_U):$(probe_value "$out" sh_unshare_r)" yes:yes "$what: unshare -U and unshare -r work"
is "$(probe_value "$out" sh_mount)" yes "$what: mount -t tmpfs works"
doors_open "$out" "$what" "${USERNS_DOORS[@]}" mount
what="docker --cap-add SYS_ADMIN, hardened"
out=$W/docker-hardened.out
is "$(probe_value "$out" sh_unshare_U):$(probe_value "$out" sh_unshare_r)" no:no \
	"$what: unshare -U and unshare -r fail"
is "$(probe_value "$out" sh_mount)" no "$what: mount -t tmpfs fails"
is "$(probe_value "$out" sh_mount_userns)" no \
	"$what: mount fails in a user namespace of its own too"
doors_shut "$out" "$what" "${USERNS_DOORS[@]}"
doors_shut "$out" "$what" mount

# Docker's default network: the bridge, and with it dockerd's own prestart
# hook (libnetwork-setkey), which oci-harden tells by what it runs.
out=$W/docker-bridge.out
daemons_docker run --rm --runtime hardened --network bridge "$PROBE_IMAGE" sh -c \
	'id -u; grep ^NoNewPrivs: /proc/self/status; ip -o -4 addr show eth0 2>/dev/null | wc -l' \
	</dev/null >"$out" 2>&1
is "$?" 0 "docker run --network bridge through oci-harden runs (dockerd's setkey hook is let through)"
like "$(cat "$out")" '^65534' "  hardened: uid 65534"
like "$(cat "$out")" 'NoNewPrivs:[[:space:]]*1' "  hardened: NoNewPrivs 1"
daemons_docker_stop

# --- Podman: default --------------------------------------------------------------------

daemons_podman_start "$W/podman" || bail_out "podman could not be set up"
daemons_podman load -i "$W/probe.tar" >"$W/podman-load.log" 2>&1 || {
	diag_file "$W/podman-load.log" "podman load"
	bail_out "podman load of the probe image failed"
}
for runtime in runc hardened; do
	out=$W/podman-$runtime.out
	daemons_podman run --rm --pull=never --runtime "$runtime" "$PROBE_IMAGE" sh -c "$SHELL_PROBE" \
		</dev/null >"$out" 2>&1
	is "$?" 0 "podman run --runtime $runtime exits 0"
	probe_ran "$out" "podman $runtime"
done
what="podman default, plain runc"
out=$W/podman-runc.out
is "$(probe_value "$out" sh_unshare_U):$(probe_value "$out" sh_unshare_r)" yes:yes "$what: unshare -U and unshare -r work"
is "$(probe_value "$out" sh_mount_userns)" yes "$what: mount works in a user namespace of its own"
doors_open "$out" "$what" "${USERNS_DOORS[@]}"
what="podman default, hardened"
out=$W/podman-hardened.out
is "$(probe_value "$out" sh_unshare_U):$(probe_value "$out" sh_unshare_r)" no:no \
	"$what: unshare -U and unshare -r fail"
is "$(probe_value "$out" sh_mount)" no "$what: mount -t tmpfs fails"
is "$(probe_value "$out" sh_mount_userns)" no \
	"$what: mount fails in a user namespace of its own too"
doors_shut "$out" "$what" "${USERNS_DOORS[@]}"
doors_shut "$out" "$what" mount
daemons_podman_stop

# --- containerd's CRI, like the kubelet ---------------------------------------------

daemons_containerd_start "$W/containerd" || bail_out "containerd did not start"
daemons_containerd_import k8s.io "$W/probe.tar" || bail_out "ctr images import of the probe image failed"
daemons_cri version >/dev/null || bail_out "no CRI client (tests/e2e/cri.py)"

# cri NAME ARG...: daemons_cri ARG..., the answer in $W/NAME.json and
# its exit status in CRI_RC.
cri()
{
	local name=$1
	shift
	daemons_cri "$@" >"$W/$name.json" 2>"$W/$name.err"
	CRI_RC=$?
	[ "$CRI_RC" -eq 0 ] || { diag_file "$W/$name.json" "cri $1"; diag_file "$W/$name.err" "cri $1 stderr"; }
}

field()
{
	e2e_json_get "$W/$1.json" "$2" 2>/dev/null
}

# pod NAME HANDLER: a pod as the kubelet asks for one with no
# securityContext; its id in POD, its address in POD_IP. The kubelet
# manages each container's /etc/hosts (the pod's address and host name);
# so does this: $W/NAME.hosts.
pod()
{
	local name=$1 handler=$2
	cat >"$W/$name.pod.json" <<-EOF
	{
	  "metadata": {"name": "$name", "uid": "uid-$name-$$", "namespace": "default", "attempt": 0},
	  "hostname": "$name",
	  "log_directory": "$W/logs/$name",
	  "dns_config": {},
	  "labels": {"io.kubernetes.pod.name": "$name", "io.kubernetes.pod.namespace": "default"},
	  "linux": {
	    "cgroup_parent": "",
	    "security_context": {"namespace_options": {"network": "POD", "pid": "CONTAINER", "ipc": "POD"}}
	  }
	}
	EOF
	cri "$name.run-pod" run-pod "$W/$name.pod.json" --handler "$handler"
	is "$CRI_RC" 0 "$name ($handler): RunPodSandbox"
	POD=$(field "$name.run-pod" 'd["pod_sandbox_id"]')
	cri "$name.pod-status" pod-status "$POD"
	POD_IP=$(field "$name.pod-status" 'd["status"]["network"]["ip"]')
	printf '127.0.0.1\tlocalhost\n%s\t%s\n' "$POD_IP" "$name" >"$W/$name.hosts"
}

# container POD-NAME NAME SECURITY-CONTEXT-JSON: a container of the probe
# image in the pod, sleeping, started; its id in CONTAINER.
container()
{
	local pod_name=$1 name=$2 security=$3
	cat >"$W/$name.container.json" <<-EOF
	{
	  "metadata": {"name": "$name", "attempt": 0},
	  "image": {"image": "docker.io/$PROBE_IMAGE"},
	  "command": ["sleep", "3600"],
	  "log_path": "$name.log",
	  "mounts": [{"container_path": "/etc/hosts", "host_path": "$W/$pod_name.hosts"}],
	  "labels": {"io.kubernetes.container.name": "$name"},
	  "linux": {"resources": {}, "security_context": $security}
	}
	EOF
	cri "$name.create" create "$POD" "$W/$name.container.json" "$W/$pod_name.pod.json"
	is "$CRI_RC" 0 "$name: CreateContainer"
	CONTAINER=$(field "$name.create" 'd["container_id"]')
	cri "$name.start" start "$CONTAINER"
	is "$CRI_RC" 0 "$name: StartContainer"
}

# exec_to FILE ID COMMAND...: ExecSync; its stdout in FILE, exit code in
# EXEC_RC.
exec_to()
{
	local file=$1 id=$2
	shift 2
	daemons_cri exec-sync "$id" --timeout 30 -- "$@" >"$file.json" 2>"$file.err"
	EXEC_RC=$(e2e_json_get "$file.json" 'd["exit_code"]' 2>/dev/null)
	e2e_json_get "$file.json" 'd["stdout"]' >"$file" 2>/dev/null
	[ "$EXEC_RC" = 0 ] || { diag_file "$file.json" "exec-sync $*"; diag_file "$file.err" stderr; }
}

# What Pod Security "restricted" asks of a container, as the kubelet hands
# it to the CRI: RuntimeDefault seccomp, allowPrivilegeEscalation false, every
# capability dropped, a non-root user.
RESTRICTED='{
  "seccomp": {"profile_type": "RuntimeDefault"},
  "no_new_privs": true,
  "capabilities": {"drop_capabilities": ["ALL"]},
  "run_as_user": {"value": 65534},
  "namespace_options": {"network": "POD", "pid": "CONTAINER", "ipc": "POD"}
}'
DEFAULT='{"namespace_options": {"network": "POD", "pid": "CONTAINER", "ipc": "POD"}}'

for handler in runc hardened; do
	pod "pod-$handler" "$handler"
	container "pod-$handler" "restricted-$handler" "$RESTRICTED"
	restricted=$CONTAINER
	container "pod-$handler" "default-$handler" "$DEFAULT"
	default=$CONTAINER

	exec_to "$W/restricted-$handler.out" "$restricted" escape-probe --in-container io_uring ptrace
	probe_ran "$W/restricted-$handler.out" "CRI restricted, $handler"
	exec_to "$W/default-$handler.out" "$default" escape-probe --in-container
	probe_ran "$W/default-$handler.out" "CRI default, $handler"
	diag "CRI default, $handler: $(grep -c '=open$' "$W/default-$handler.out") doors open: $(sed -n 's/=open$//p' "$W/default-$handler.out" | tr '\n' ' ')"

	if [ "$handler" = hardened ]; then
		# Benign work, in the default container.
		exec_to "$W/benign-tmp.out" "$default" sh -c 'echo written >/tmp/benign && cat /tmp/benign'
		is "$(cat "$W/benign-tmp.out")" written "CRI default, hardened: writes and reads /tmp"
		exec_to "$W/benign-pipe.out" "$default" sh -c 'seq 1 100 | grep 7 | wc -l'
		is "$(tr -d ' ' <"$W/benign-pipe.out")" 19 "CRI default, hardened: runs a shell pipeline"
		exec_to "$W/benign-hostname.out" "$default" sh -c 'hostname -i'
		is "$(cat "$W/benign-hostname.out")" "$POD_IP" "CRI default, hardened: resolves its own host name"
		exec_to "$W/benign-listen.out" "$default" sh -c '
			nc -l -p 18080 >/tmp/received &
			listener=$!
			for _ in 1 2 3 4 5 6 7 8 9 10; do
				echo hello | nc 127.0.0.1 18080 2>/dev/null && break
				sleep 0.2
			done
			wait $listener
			cat /tmp/received'
		is "$(cat "$W/benign-listen.out")" hello "CRI default, hardened: listens on port 18080 and is reached"
	fi

	for id in "$restricted" "$default"; do
		daemons_cri stop "$id" --timeout 0 >/dev/null 2>&1
		daemons_cri remove "$id" >/dev/null 2>&1
	done
	daemons_cri stop-pod "$POD" >/dev/null 2>&1
	cri "pod-$handler.remove" remove-pod "$POD"
	is "$CRI_RC" 0 "pod-$handler: stopped and removed"
done

what="CRI restricted (RuntimeDefault), plain runc"
doors_open "$W/restricted-runc.out" "$what" io_uring ptrace
what="CRI restricted (RuntimeDefault), hardened"
doors_shut "$W/restricted-hardened.out" "$what" io_uring ptrace

# The default pod through runc: the escape probe's doors that an
# unconfined root container has open.
doors_open "$W/default-runc.out" "CRI default, plain runc" root capabilities new_privileges userns userns_root \
	userns_mount clone_newuser io_uring ptrace keyctl mknod chroot raw_socket write_root
# Through oci-harden: every door shut.
doors=$(sed -n 's/^\([a-z_]*\)=\(open\|shut:.*\)$/\1/p' "$W/default-runc.out")
is "$(wc -w <<<"$doors")" 21 "CRI default: the probe tried its 21 doors"
# shellcheck disable=SC2086 # one argument per door
doors_shut "$W/default-hardened.out" "CRI default, hardened" $doors
is "$(probe_value "$W/default-hardened.out" open_doors)" 0 "CRI default, hardened: no door open"

tap_done
