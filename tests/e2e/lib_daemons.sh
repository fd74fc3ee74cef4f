# SPDX-License-Identifier: Apache-2.0
# Real container engines for the end-to-end tests: containerd 1.6 (with its
# CRI plugin, driven as the kubelet drives it), dockerd 20.10 and podman 4.3
# from Debian, each started by the test itself with every directory, socket
# and log under a directory of the test's, an image loaded from a tarball
# built here (nothing is ever pulled), and oci-harden registered as the
# runtime "hardened" beside plain runc.
#
# Usage. Source it after lib.sh and start engines in the test's own shell,
# not in a subshell or a $(...): a daemon dies with the shell that started
# it, and the variables below are set in that shell.
#
#   . "$(dirname "$0")/lib.sh"
#   . "$(dirname "$0")/lib_daemons.sh"
#   e2e_require_host
#   daemons_require containerd cri docker podman   # skip_all if one is missing
#   e2e_require_binary
#   e2e_setup my-test                 # its EXIT trap stops every engine
#
#   daemons_docker_start "$E2E_WORK/docker" || bail_out "dockerd did not start"
#   daemons_docker run --rm --runtime hardened local/busybox:test id -u   # 65534
#
#   daemons_podman run --rm --pull=never --runtime hardened local/busybox:test id -u
#
#   daemons_containerd_start "$E2E_WORK/containerd" || bail_out "no containerd"
#   daemons_ctr -n k8s.io run --rm --runc-binary "$OCI_HARDEN" \
#       docker.io/local/busybox:test c1 id -u
#   daemons_cri version >/dev/null || bail_out "no CRI client"  # caches it
#   daemons_cri run-pod pod.json --handler hardened    # {"pod_sandbox_id": ...}
#   daemons_cri create POD-ID container.json pod.json  # {"container_id": ...}
#   daemons_cri start ID; daemons_cri exec-sync ID -- id -u
#   (tests/e2e/test_daemons.sh and test_clients.sh show whole lifecycles)
#
# Images (cached in $DAEMONS_CACHE, /var/tmp/oci-harden-cache, by
# busybox-static's version and tests/e2e/daemons_image.py's hash)
#   daemons_image_busybox_tar   path of a `docker save` tarball of
#                               local/busybox:test: busybox-static, /bin/sh
#                               and every applet, /tmp 1777, passwd/group
#                               with root and nobody, no USER
#   daemons_image_oci_tar       the same image as an OCI image layout tar
#   daemons_image_pause_tar     local/pause:test (`sleep infinity`), the CRI
#                               plugin's sandbox image and podman's infra
#   daemons_image_build OUT FORMAT TAG [--cmd JSON-LIST] [SRC:/DEST[:MODE]...]
#                               a variant with files added (a probe), not
#                               cached; FORMAT is docker-archive or oci
#   Each engine has local/busybox:test and local/pause:test once started
#   (containerd's CRI namespace k8s.io names them docker.io/local/...).
#   Load others with daemons_docker load -i, daemons_podman load -i or
#   daemons_containerd_import NAMESPACE TARBALL.
#
# containerd
#   daemons_containerd_start DIR [CONFIG_TOML_EXTRA]
#       containerd with root, state, sockets, opt and CNI under DIR, its CRI
#       plugin on (sandbox image local/pause:test, pods on a CNI bridge of
#       its own, 10.88.0.0/24), handlers "runc" and "hardened" (the runc v2
#       shim with BinaryName $OCI_HARDEN). CONFIG_TOML_EXTRA (tables only)
#       goes at the end of its config.toml; a handler table it defines
#       replaces the harness's one of that name. Exports CONTAINERD_SOCK,
#       CONTAINERD_PID, CONTAINERD_DIR and CONTAINERD_RUN: the daemon's
#       /run/containerd as seen from here (the v2 shim keeps runc's state in
#       $CONTAINERD_RUN/runc/NAMESPACE).
#   daemons_containerd_run DIR CONFIG SOCKET
#       containerd with a config.toml of the caller's (its paths are the
#       caller's business), in the same isolation; no image is imported
#   daemons_ctr ARG...          ctr on it, run in its namespaces (ctr puts
#                               its FIFOs where the shim must find them)
#   daemons_containerd_import NAMESPACE TARBALL
#   daemons_cri ARG...          tests/e2e/cri.py (JSON in and out) on its
#                               CRI socket: run-pod, create, start,
#                               exec-sync, stop, remove, stop-pod,
#                               remove-pod, pod-status, container-status,
#                               list-containers, list-pods, image-status,
#                               call SERVICE.METHOD FILE; `--help` says how.
#                               Its gRPC modules are made from the CRI
#                               api.proto in containerd's Debian source
#                               package, fetched and compiled once
#   daemons_containerd_stop
#
# Docker
#   daemons_docker_start DIR [DOCKERD_ARG...]
#       dockerd with --data-root, --exec-root, --pidfile, its socket and a
#       daemon.json under DIR, the containerd it starts itself, no iptables,
#       runtimes "runc" and "hardened" ($OCI_HARDEN), dockerd's default bridge
#       docker0 (`--bridge=none` for none; a container on a bridge gets
#       dockerd's libnetwork-setkey prestart hook, which oci-harden
#       recognises and lets through). Exports DOCKER_HOST, DOCKER_PID,
#       DOCKER_DIR. A second socket: -H unix://PATH among DOCKERD_ARG.
#   daemons_docker ARG...       Debian's docker client on it (another
#                               docker may come first on PATH)
#   daemons_docker_stop
#
# Podman
#   daemons_podman_start DIR    containers.conf (Debian's, with private
#                               paths, runtimes "runc" and "hardened",
#                               cgroupfs, file events, file locks, CNI
#                               networks under DIR), storage and
#                               registries files, `podman load` of the
#                               images. The first daemons_podman does it
#                               with $E2E_WORK/podman if no one did.
#   daemons_podman ARG...       podman with all of that (--root,
#                               --runroot, --tmpdir under DIR; pass
#                               --pull=never to run: nothing can be pulled)
#   daemons_podman_env COMMAND...   COMMAND with that configuration, e.g.
#                               podman --remote --url unix://$PODMAN_SOCK
#   daemons_podman_service_start DIR   `podman system service` on
#                               DIR/podman.sock; exports PODMAN_SOCK and
#                               PODMAN_SERVICE_PID
#   daemons_podman_service_stop, daemons_podman_stop
#   Podman's default RLIMIT_NOFILE and RLIMIT_NPROC (1048576) are lowered
#   to the host's hard limits where those are lower: root here lacks
#   CAP_SYS_RESOURCE and runc could not set them.
#
# contrib files, as they read where `meson install` put oci-harden
#   daemons_installed FILE DIR [SETTINGS]
#       prints FILE with every /usr/local/sbin/oci-harden and
#       /usr/local/sbin/oci-harden@POLICY it names turned into
#       DIR/sbin/oci-harden[@POLICY], made here: a link to $OCI_HARDEN,
#       which then sees the name the engine runs it by (the policy of a
#       runtime entry); with SETTINGS, a link to a program (settings_exec.c,
#       built with gcc) that runs $OCI_HARDEN with OCI_HARDEN_CONFIG=SETTINGS
#       and argv[0] unchanged, for an engine that hands no environment on
#   DAEMONS_DOCKER_CONFIG=FILE daemons_docker_start DIR
#       FILE (a daemon.json such as contrib/docker/daemon.json) merged into
#       the harness's daemon.json, through daemons_installed: its runtimes
#       beside (or replacing) the harness's, its other keys set
#   daemons_podman_start DIR [CONTAINERS_CONF]
#       CONTAINERS_CONF (such as contrib/podman/containers.conf) merged into
#       the harness's containers.conf through daemons_installed (with
#       PODMAN_SETTINGS): each of its keys in its table, replacing the
#       harness's own
#   containerd: daemons_containerd_start DIR "$(daemons_installed FILE DIR)"
#
# oci-harden's settings. Each engine gives the oci-harden it runs the file
# $OCI_HARDEN_CONFIG names when the engine starts, or, if it is unset,
# DIR/oci-harden.json: runc as the runtime and a state directory in DIR.
# CONTAINERD_SETTINGS, DOCKER_SETTINGS and PODMAN_SETTINGS name the file
# each uses (edit it in place: the next container reads it). containerd
# and dockerd hand their environment on to the runc v2 shims and so to
# oci-harden; Podman's conmon does not, so Podman's "hardened" is
# DIR/oci-harden-runtime, two lines that set OCI_HARDEN_CONFIG and exec
# $OCI_HARDEN.
#
# Isolation. Each engine runs in a mount and network namespace of its own,
# held by a sleeping process; daemons_ns_exec NS-PID COMMAND... runs a
# command there ($CONTAINERD_NS_PID, $DOCKER_NS_PID, $PODMAN_NS_PID). In it,
# /run is DIR/ns/run (the v2 shim puts its sockets in /run/containerd/s and
# ctr its FIFOs in /run/containerd/fifo whatever the config says),
# /var/lib/cni is DIR/ns/cni (the CNI plugins' cache and leases), the
# engines' usual directories (/etc/docker, /etc/containers, /etc/containerd,
# /var/lib/docker, /var/lib/containers, /var/lib/containerd) are empty
# directories of the engine's own where the host has them, and the network is a
# loopback and the engine's own bridge: a container reaches nothing else,
# and nothing is pulled. What follows for a test:
# - oci-harden runs in the engine's namespaces: "the host's network
#   namespace" is the engine's (/proc/$CONTAINERD_PID/ns/net), and a host
#   path under /run is the engine's own.
# - The host's /run/containerd, /var/run/docker.sock, /var/lib/docker,
#   /var/lib/containers, /etc/docker and /etc/containers are never read or
#   written; nothing needs oci-harden installed.
# - Every process is stopped by its pid from e2e_cleanup (lib.sh), then
#   every container whose runc state is under DIR, then every process left
#   in the namespaces.
#
# Needs (tests/install-deps.sh): containerd, docker.io, podman,
# containernetworking-plugins, iproute2, python3-grpcio, python3-protobuf,
# protobuf-compiler, protobuf-compiler-grpc, and util-linux's unshare,
# nsenter, setpriv and flock.

DAEMONS_LIB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
DAEMONS_CACHE=${DAEMONS_CACHE:-/var/tmp/oci-harden-cache}
# Debian's python3, whatever else is first on PATH: python3-grpcio and
# python3-protobuf are installed for it.
DAEMONS_PYTHON=${DAEMONS_PYTHON:-/usr/bin/python3}
# Debian's docker client (docker.io): another docker on PATH may speak an
# API this dockerd does not.
DAEMONS_DOCKER_CLIENT=${DAEMONS_DOCKER_CLIENT:-/usr/bin/docker}
DAEMONS_BUSYBOX_TAG=local/busybox:test
DAEMONS_PAUSE_TAG=local/pause:test
# How long a daemon may take to answer, in tenths of a second.
DAEMONS_START_TENTHS=${DAEMONS_START_TENTHS:-300}

# The holders of the engines' namespaces and the daemons, for cleanup.
DAEMONS_NS_PIDS=()
CONTAINERD_PID=
DOCKER_PID=
PODMAN_NS_PID=
PODMAN_SERVICE_PID=

# --- preconditions -----------------------------------------------------------

# daemons_require WHAT...: skip_all unless this machine has what WHAT needs
# (containerd, docker, podman, cri, cni).
daemons_require()
{
	local what program
	for program in unshare nsenter setpriv flock ip; do
		command -v "$program" >/dev/null || skip_all "$program is not installed (tests/install-deps.sh)"
	done
	for what in "$@"; do
		case $what in
		containerd) daemons_require_programs containerd containerd ctr containerd-shim-runc-v2 ;;
		docker) daemons_require_programs docker.io dockerd "$DAEMONS_DOCKER_CLIENT" ;;
		podman) daemons_require_programs podman podman conmon ;;
		cni)
			for program in bridge host-local loopback; do
				[ -x "/usr/lib/cni/$program" ] ||
					skip_all "containernetworking-plugins is not installed (tests/install-deps.sh)"
			done
			;;
		cri)
			daemons_require containerd cni
			"$DAEMONS_PYTHON" -c 'import grpc, google.protobuf' 2>/dev/null ||
				skip_all "python3-grpcio is not installed (tests/install-deps.sh)"
			daemons_require_programs protobuf-compiler-grpc protoc grpc_python_plugin
			;;
		*) bail_out "daemons_require: unknown '$what'" ;;
		esac
	done
}

daemons_require_programs()
{
	local package=$1 program
	shift
	for program in "$@"; do
		command -v "$program" >/dev/null || skip_all "$program is not installed (package $package, tests/install-deps.sh)"
	done
}

# --- images ------------------------------------------------------------------

# daemons_cache_key: what a cached image is built from: busybox-static's
# version and the builder's bytes.
daemons_cache_key()
{
	local version
	version=$(dpkg-query -W -f='${Version}' busybox-static 2>/dev/null || echo unknown)
	printf '%s-%s\n' "$(printf '%s' "$version" | tr -c 'A-Za-z0-9.+\n' _)" \
		"$(sha256sum "$DAEMONS_LIB_DIR/daemons_image.py" | cut -c1-16)"
}

# daemons_image_build OUT FORMAT TAG [--cmd JSON-LIST] [SRC:/DEST[:MODE]...]
daemons_image_build()
{
	local out=$1 format=$2 tag=$3 busybox cmd=() adds=()
	shift 3
	busybox=$(e2e_busybox) || return 1
	if [ "${1:-}" = --cmd ]; then
		cmd=(--cmd "$2")
		shift 2
	fi
	for add in "$@"; do
		adds+=(--add "$add")
	done
	"$DAEMONS_PYTHON" "$DAEMONS_LIB_DIR/daemons_image.py" --format "$format" --tag "$tag" \
		--busybox "$busybox" "${cmd[@]}" "${adds[@]}" "$out" >/dev/null
}

# daemons_image_cached NAME FORMAT TAG [--cmd JSON]: the path of a cached
# image, built (under a lock: tests may run side by side) when missing.
daemons_image_cached()
{
	local name=$1 format=$2 tag=$3 path
	shift 3
	path=$DAEMONS_CACHE/images/$name-$(daemons_cache_key).$format.tar
	if [ ! -s "$path" ]; then
		mkdir -p "$DAEMONS_CACHE/images" || return 1
		(
			flock 9
			[ -s "$path" ] || daemons_image_build "$path" "$format" "$tag" "$@"
		) 9>"$DAEMONS_CACHE/images/.lock" || return 1
	fi
	printf '%s\n' "$path"
}

daemons_image_busybox_tar()
{
	daemons_image_cached busybox docker-archive "$DAEMONS_BUSYBOX_TAG"
}

daemons_image_oci_tar()
{
	daemons_image_cached busybox oci "$DAEMONS_BUSYBOX_TAG"
}

# The CRI plugin runs its sandbox image as the pod's first container and
# needs it to stay up: busybox sleeping (containerd stops a sandbox with
# SIGKILL, so no signal handling is needed).
daemons_image_pause_tar()
{
	daemons_image_cached pause docker-archive "$DAEMONS_PAUSE_TAG" --cmd '["/bin/sleep","infinity"]'
}

# --- namespaces and processes ---------------------------------------------------

# The engines' usual places for configuration and storage: each is an
# empty directory of the engine's own in its namespace, where the host has
# it (Podman, for one, keeps its blob cache in /var/lib/containers/cache
# whatever its root is).
DAEMONS_HIDDEN_DIRS=(/etc/docker /etc/containers /etc/containerd /var/lib/docker
	/var/lib/containers /var/lib/containerd)

# daemons_ns_start DIR: a mount and network namespace for an engine, held by
# a sleeping process whose pid goes to DAEMONS_NS_PID. In it, /run is
# DIR/ns/run, /var/lib/cni is DIR/ns/cni (the rest of /var/lib is the
# host's), each of DAEMONS_HIDDEN_DIRS that the host has is an empty
# directory of DIR/ns's, and the loopback is up.
daemons_ns_start()
{
	local dir=$1 ns=$1/ns tries=$DAEMONS_START_TENTHS
	case $dir in
	/run/* | /var/run/* | /var/lib/*) bail_out "daemons: $dir would be hidden in the engine's own namespace" ;;
	/*) ;;
	*) bail_out "daemons: $dir is not an absolute path" ;;
	esac
	mkdir -p "$ns/run" "$ns/cni" "$ns/host-var-lib" || return 1
	rm -f "$ns/ready"
	# shellcheck disable=SC2016 # expanded by the namespace's shell
	setpriv --pdeathsig KILL unshare --mount --net --propagation private -- sh -c '
		set -eu
		ns=$1
		shift
		ip link set lo up
		mount --bind "$ns/run" /run
		# A tmpfs over /var/lib with each host entry put back, and a cni
		# of our own: nothing is created in the host'"'"'s /var/lib.
		mount --rbind /var/lib "$ns/host-var-lib"
		mount -t tmpfs -o mode=0755 daemons-var-lib /var/lib
		for entry in "$ns/host-var-lib"/* "$ns/host-var-lib"/.[!.]*; do
			[ -e "$entry" ] || [ -L "$entry" ] || continue
			name=${entry##*/}
			[ "$name" != cni ] || continue
			if [ -L "$entry" ]; then
				cp -P "$entry" "/var/lib/$name"
			elif [ -d "$entry" ]; then
				mkdir "/var/lib/$name"
				mount --rbind "$entry" "/var/lib/$name"
			else
				: >"/var/lib/$name"
				mount --bind "$entry" "/var/lib/$name"
			fi
		done
		mkdir /var/lib/cni
		mount --bind "$ns/cni" /var/lib/cni
		for host_dir in "$@"; do
			[ -d "$host_dir" ] || continue
			private=$ns/private$(printf "%s" "$host_dir" | tr / _)
			mkdir -p "$private"
			mount --bind "$private" "$host_dir"
		done
		: >"$ns/ready"
		exec sleep infinity
	' sh "$ns" "${DAEMONS_HIDDEN_DIRS[@]}" </dev/null >"$ns/holder.log" 2>&1 &
	DAEMONS_NS_PID=$!
	DAEMONS_NS_PIDS+=("$DAEMONS_NS_PID")
	while [ ! -e "$ns/ready" ] && kill -0 "$DAEMONS_NS_PID" 2>/dev/null && [ "$tries" -gt 0 ]; do
		sleep 0.1
		tries=$((tries - 1))
	done
	if [ ! -e "$ns/ready" ]; then
		diag_file "$ns/holder.log" "namespace setup"
		return 1
	fi
}

# daemons_ns_exec NS-PID COMMAND...: COMMAND in that engine's namespaces,
# in the current directory, with this environment.
daemons_ns_exec()
{
	local pid=$1
	shift
	nsenter --target "$pid" --mount --net --wd="$PWD" -- "$@"
}

# daemons_ns_spawn NS-PID LOG COMMAND...: COMMAND in the background in that
# engine's namespaces, killed if this shell dies; its pid in DAEMONS_SPAWNED.
daemons_ns_spawn()
{
	local pid=$1 log=$2
	shift 2
	setpriv --pdeathsig KILL nsenter --target "$pid" --mount --net --wd="$PWD" -- "$@" \
		</dev/null >"$log" 2>&1 &
	DAEMONS_SPAWNED=$!
}

# daemons_wait DESCRIPTION PID LOG COMMAND...: poll COMMAND until it
# succeeds, while PID lives; on failure the log goes out as diagnostics.
daemons_wait()
{
	local what=$1 pid=$2 log=$3 tries=$DAEMONS_START_TENTHS
	shift 3
	while [ "$tries" -gt 0 ]; do
		"$@" >/dev/null 2>&1 && return 0
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
		tries=$((tries - 1))
	done
	diag "$what did not come up"
	diag_file "$log" "$what log"
	return 1
}

# daemons_stop_pid PID [SECONDS]: SIGTERM, then SIGKILL after SECONDS.
daemons_stop_pid()
{
	local pid=$1 tries=$((${2:-10} * 10))
	[ -n "$pid" ] || return 0
	kill "$pid" 2>/dev/null || return 0
	while kill -0 "$pid" 2>/dev/null && [ "$tries" -gt 0 ]; do
		sleep 0.1
		tries=$((tries - 1))
	done
	kill -KILL "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	return 0
}

# daemons_ns_reap DIR NS-PID: what an engine leaves behind once stopped.
# Every container whose runc state is under DIR is killed and deleted (in
# the engine's namespaces, where its mounts are), then every process still
# in the namespace (shims, conmon; the holder last).
daemons_ns_reap()
{
	local dir=$1 ns_pid=$2 state root id mnt pid
	[ -n "$ns_pid" ] && kill -0 "$ns_pid" 2>/dev/null || return 0
	# runc's state is ROOT/ID/state.json, with the container's init pid.
	while read -r state; do
		grep -q '"init_process_pid"' "$state" 2>/dev/null || continue
		root=${state%/*/state.json}
		id=${state%/state.json}
		id=${id##*/}
		daemons_ns_exec "$ns_pid" "$RUNC" --root "$root" kill "$id" KILL >/dev/null 2>&1
		daemons_ns_exec "$ns_pid" "$RUNC" --root "$root" delete --force "$id" >/dev/null 2>&1
	done < <(find "$dir" -xdev -name state.json 2>/dev/null)
	mnt=$(readlink "/proc/$ns_pid/ns/mnt") || return 0
	for pid in /proc/[0-9]*; do
		pid=${pid#/proc/}
		[ "$pid" != "$ns_pid" ] && [ "$(readlink "/proc/$pid/ns/mnt" 2>/dev/null)" = "$mnt" ] &&
			kill -KILL "$pid" 2>/dev/null
	done
	kill -KILL "$ns_pid" 2>/dev/null
	wait "$ns_pid" 2>/dev/null
	return 0
}

# daemons_settings DIR: the settings file the engine's oci-harden reads
# (DAEMONS_SETTINGS), written when OCI_HARDEN_CONFIG does not name one.
daemons_settings()
{
	local dir=$1
	if [ -n "${OCI_HARDEN_CONFIG:-}" ]; then
		DAEMONS_SETTINGS=$OCI_HARDEN_CONFIG
	else
		DAEMONS_SETTINGS=$dir/oci-harden.json
		# Observation off, as in e2e_write_settings: it loads kernel programs.
		printf '{"runtime": "%s", "state_dir": "%s", "event_log": "%s", "observe": "none"}\n' "$RUNC" "$dir/oci-harden-state" "$dir/events.log" >"$DAEMONS_SETTINGS"
	fi
}

# daemons_runtime_script DIR: DIR/oci-harden-runtime, which runs
# $OCI_HARDEN with DAEMONS_SETTINGS, for engines that do not hand their
# environment on to the runtime.
daemons_runtime_script()
{
	local script=$1/oci-harden-runtime
	cat >"$script" <<-EOF
	#!/bin/sh
	OCI_HARDEN_CONFIG='$DAEMONS_SETTINGS' exec '$OCI_HARDEN' "\$@"
	EOF
	chmod 0755 "$script"
	printf '%s\n' "$script"
}

# daemons_cleanup: stop every engine this test started. Called by
# e2e_cleanup (lib.sh).
daemons_cleanup()
{
	local pid
	daemons_podman_service_stop
	daemons_podman_stop
	daemons_docker_stop
	daemons_containerd_stop
	for pid in "${DAEMONS_NS_PIDS[@]}"; do
		kill -KILL "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
	done
	DAEMONS_NS_PIDS=()
}

# daemons_installed FILE DIR [SETTINGS]: see the header.
daemons_installed()
{
	local file=$1 dir=$2 settings=${3:-} binary=$OCI_HARDEN target name
	case $binary in /*) ;; *) binary=$PWD/$binary ;; esac
	target=$binary
	mkdir -p "$dir/sbin" || return 1
	if [ -n "$settings" ]; then
		mkdir -p "$dir/libexec" || return 1
		target=$dir/libexec/settings-exec
		gcc -O2 -Wall -Werror -DTARGET="\"$binary\"" -DSETTINGS="\"$settings\"" \
			-o "$target" "$DAEMONS_LIB_DIR/settings_exec.c" || return 1
	fi
	for name in $(grep -o '/usr/local/sbin/oci-harden\(@[A-Za-z0-9._-]*\)\?' "$file" | sort -u); do
		ln -sfn "$target" "$dir/sbin/${name##*/}" || return 1
	done
	sed "s|/usr/local/sbin/oci-harden|$dir/sbin/oci-harden|g" "$file"
}

# --- containerd ----------------------------------------------------------------

CONTAINERD_DIR=
CONTAINERD_NS_PID=

# daemons_containerd_start DIR [CONFIG_TOML_EXTRA]
daemons_containerd_start()
{
	local dir=$1 extra=${2:-} config handler handlers=""
	mkdir -p "$dir/cni/conf" "$dir/cni/ipam" || return 1
	case $OCI_HARDEN in /*) ;; *) OCI_HARDEN=$PWD/$OCI_HARDEN ;; esac
	daemons_settings "$dir"
	# The pods' network: a bridge in containerd's own network namespace,
	# addresses from host-local with its leases in DIR.
	cat >"$dir/cni/conf/10-oci-harden-e2e.conflist" <<-EOF
	{
	  "cniVersion": "1.0.0",
	  "name": "oci-harden-e2e",
	  "plugins": [
	    {
	      "type": "bridge",
	      "bridge": "ohe2e0",
	      "isGateway": true,
	      "ipMasq": false,
	      "ipam": {
	        "type": "host-local",
	        "ranges": [[{"subnet": "10.88.0.0/24"}]],
	        "dataDir": "$dir/cni/ipam"
	      }
	    }
	  ]
	}
	EOF
	for handler in runc hardened; do
		# A handler table of CONFIG_TOML_EXTRA's replaces ours (TOML has no
		# duplicate tables).
		[[ "$extra" == *"containerd.runtimes.$handler]"* ]] && continue
		handlers+="[plugins.\"io.containerd.grpc.v1.cri\".containerd.runtimes.$handler]
  runtime_type = \"io.containerd.runc.v2\"
"
		[ "$handler" = hardened ] && handlers+="[plugins.\"io.containerd.grpc.v1.cri\".containerd.runtimes.hardened.options]
  BinaryName = \"$OCI_HARDEN\"
"
	done
	config=$dir/containerd.toml
	cat >"$config" <<-EOF
	version = 2
	root = "$dir/root"
	state = "$dir/state"
	[grpc]
	  address = "$dir/containerd.sock"
	[ttrpc]
	  address = "$dir/containerd.sock.ttrpc"
	[debug]
	  address = ""
	[plugins."io.containerd.internal.v1.opt"]
	  path = "$dir/opt"
	[plugins."io.containerd.grpc.v1.cri"]
	  sandbox_image = "docker.io/$DAEMONS_PAUSE_TAG"
	  # Root here lacks CAP_SYS_RESOURCE: the sandbox's oom_score_adj of
	  # -998 would make runc fail.
	  restrict_oom_score_adj = true
	  netns_mounts_under_state_dir = true
	  stream_server_address = "127.0.0.1"
	  stream_server_port = "0"
	[plugins."io.containerd.grpc.v1.cri".cni]
	  bin_dir = "/usr/lib/cni"
	  conf_dir = "$dir/cni/conf"
	$handlers
	$extra
	EOF
	daemons_containerd_run "$dir" "$config" "$dir/containerd.sock" || return 1
	# The CRI plugin's images: in its namespace, k8s.io.
	daemons_containerd_import k8s.io "$(daemons_image_pause_tar)" || return 1
	daemons_containerd_import k8s.io "$(daemons_image_busybox_tar)" || return 1
}

# daemons_containerd_run DIR CONFIG SOCKET: containerd with a config.toml
# of the caller's (which must keep root, state, sockets and opt out of the
# host's paths) in a namespace of its own under DIR, answering on SOCKET,
# its log DIR/containerd.log. daemons_containerd_start without the
# harness's config; no image is imported. Sets what it does.
daemons_containerd_run()
{
	local dir=$1 config=$2 socket=$3
	[ -z "$CONTAINERD_DIR" ] || bail_out "daemons: one containerd at a time (stop $CONTAINERD_DIR first)"
	daemons_settings "$dir"
	CONTAINERD_SETTINGS=$DAEMONS_SETTINGS
	export CONTAINERD_SETTINGS
	daemons_ns_start "$dir" || return 1
	CONTAINERD_NS_PID=$DAEMONS_NS_PID
	CONTAINERD_DIR=$dir
	CONTAINERD_SOCK=$socket
	CONTAINERD_RUN=$dir/ns/run/containerd
	export CONTAINERD_SOCK CONTAINERD_DIR CONTAINERD_RUN
	# The shims inherit containerd's environment: that is how the settings
	# reach the oci-harden they run.
	OCI_HARDEN_CONFIG=$CONTAINERD_SETTINGS daemons_ns_spawn "$CONTAINERD_NS_PID" "$dir/containerd.log" \
		containerd --config "$config"
	CONTAINERD_PID=$DAEMONS_SPAWNED
	export CONTAINERD_PID
	daemons_wait containerd "$CONTAINERD_PID" "$dir/containerd.log" daemons_ctr version
}

# daemons_containerd_import NAMESPACE TARBALL: `ctr images import`.
daemons_containerd_import()
{
	if ! daemons_ctr -n "$1" images import "$2" >"$CONTAINERD_DIR/import.log" 2>&1; then
		diag_file "$CONTAINERD_DIR/import.log" "ctr images import $2"
		return 1
	fi
}

daemons_ctr()
{
	daemons_ns_exec "$CONTAINERD_NS_PID" ctr --address "$CONTAINERD_SOCK" "$@"
}

daemons_containerd_stop()
{
	local namespace id namespaces=()
	[ -n "$CONTAINERD_DIR" ] || return 0
	if [ -n "$CONTAINERD_PID" ] && kill -0 "$CONTAINERD_PID" 2>/dev/null; then
		# Pods first, as the kubelet would, where the test used the CRI.
		[ -z "$DAEMONS_CRI_MODULES" ] || daemons_cri remove-all >/dev/null 2>&1
		namespaces=($(daemons_ctr namespaces list -q 2>/dev/null))
		for namespace in "${namespaces[@]}"; do
			for id in $(daemons_ctr -n "$namespace" tasks list -q 2>/dev/null); do
				daemons_ctr -n "$namespace" tasks kill -s KILL "$id" >/dev/null 2>&1
			done
			for id in $(daemons_ctr -n "$namespace" containers list -q 2>/dev/null); do
				daemons_ctr -n "$namespace" tasks delete --force "$id" >/dev/null 2>&1
				daemons_ctr -n "$namespace" containers delete "$id" >/dev/null 2>&1
			done
		done
	fi
	daemons_stop_pid "$CONTAINERD_PID" 10
	daemons_ns_reap "$CONTAINERD_DIR" "$CONTAINERD_NS_PID"
	CONTAINERD_PID='' CONTAINERD_NS_PID='' CONTAINERD_DIR=''
	daemons_namespace_cgroups_remove "${namespaces[@]}"
}

# daemons_namespace_cgroups_remove NAMESPACE...: ctr puts a container's
# cgroup under one named after its containerd namespace (/NAMESPACE/ID, in
# every hierarchy), and runc's delete removes only the container's own. A
# test's namespace carries its pid, so each run would leave a new empty
# parent in every controller. The tests' own namespaces only: a host's
# engines may share the fixed names (k8s.io, moby). rmdir takes only what
# is empty.
daemons_namespace_cgroups_remove()
{
	local namespace dir
	for namespace in "$@"; do
		case $namespace in oci-harden-e2e*) ;; *) continue ;; esac
		for dir in /sys/fs/cgroup/"$namespace" /sys/fs/cgroup/*/"$namespace"; do
			[ -d "$dir" ] && rmdir "$dir" 2>/dev/null
		done
	done
	return 0
}

# --- the CRI client ------------------------------------------------------------

# daemons_cri_proto: the CRI API's api.proto of the installed containerd,
# from its Debian source package (vendor/k8s.io/cri-api), fetched once into
# the cache with a private apt configuration of deb-src entries made from
# the host's own deb entries. Prints its path.
daemons_cri_proto()
{
	local version dir apt src proto member
	version=$(dpkg-query -W -f='${Version}' containerd 2>/dev/null) || return 1
	dir=$DAEMONS_CACHE/cri-api/containerd-$(printf '%s' "$version" | tr -c 'A-Za-z0-9.+\n' _)
	proto=$dir/api.proto
	[ -s "$proto" ] && { printf '%s\n' "$proto"; return 0; }
	mkdir -p "$dir" || return 1
	(
		flock 9
		[ -s "$proto" ] && exit 0
		apt=$DAEMONS_CACHE/apt
		mkdir -p "$apt/lists/partial" "$apt/cache/archives/partial" "$apt/sources.list.d" || exit 1
		daemons_deb_src_entries "$apt" || exit 1
		local apt_options=(-q -o "Dir::Etc::SourceList=$apt/sources.list"
			-o "Dir::Etc::SourceParts=$apt/sources.list.d" -o "Dir::State::Lists=$apt/lists"
			-o "Dir::Cache=$apt/cache" -o APT::Sandbox::User=root)
		src=$(mktemp -d "$dir/src.XXXXXX") || exit 1
		{
			apt-get "${apt_options[@]}" update &&
				(cd "$src" && apt-get "${apt_options[@]}" source --download-only "containerd=$version")
		} >"$dir/apt.log" 2>&1 || { cat "$dir/apt.log" >&2; rm -rf "$src"; exit 1; }
		member=$(tar -tf "$src"/containerd_*.orig.tar.* 2>/dev/null |
			grep -m 1 '/vendor/k8s.io/cri-api/pkg/apis/runtime/v1/api.proto$')
		if [ -z "$member" ]; then
			echo "daemons: no CRI api.proto in containerd's source package" >&2
			rm -rf "$src"
			exit 1
		fi
		tar -xOf "$src"/containerd_*.orig.tar.* "$member" >"$proto.partial" &&
			mv "$proto.partial" "$proto"
		rm -rf "$src"
	) 9>"$dir/.lock" || return 1
	printf '%s\n' "$proto"
}

# daemons_deb_src_entries APT-DIR: APT-DIR/sources.list and sources.list.d
# with a deb-src entry for each deb entry the host's apt has.
daemons_deb_src_entries()
{
	local apt=$1 file
	sed -n 's/^[[:space:]]*deb[[:space:]]/deb-src /p' /etc/apt/sources.list 2>/dev/null >"$apt/sources.list"
	rm -f "$apt/sources.list.d/"*
	for file in /etc/apt/sources.list.d/*.list; do
		[ -e "$file" ] || continue
		sed -n 's/^[[:space:]]*deb[[:space:]]/deb-src /p' "$file" >"$apt/sources.list.d/${file##*/}"
	done
	for file in /etc/apt/sources.list.d/*.sources; do
		[ -e "$file" ] || continue
		# deb822: each stanza's Types gets deb-src.
		sed 's/^Types:.*/Types: deb-src/' "$file" >"$apt/sources.list.d/${file##*/}"
	done
}

# daemons_cri_module_dir: the Python modules protoc makes of the CRI proto
# (api_pb2, api_pb2_grpc), cached by the proto's and protoc's versions.
daemons_cri_module_dir()
{
	local proto key dir
	proto=$(daemons_cri_proto) || return 1
	key=$(cat "$proto" <(protoc --version) | sha256sum | cut -c1-16)
	dir=$DAEMONS_CACHE/cri-api/python-$key
	if [ ! -s "$dir/api_pb2_grpc.py" ]; then
		mkdir -p "$dir" || return 1
		(
			flock 9
			[ -s "$dir/api_pb2_grpc.py" ] && exit 0
			local work
			work=$(mktemp -d "$dir/build.XXXXXX") || exit 1
			# gogoproto's options only matter to Go's generator.
			grep -v -e 'gogoproto/gogo.proto' -e '^option (gogoproto' -e '^ *option (gogoproto' "$proto" |
				sed 's/ *\[(gogoproto[^]]*\]//' >"$work/api.proto"
			protoc -I "$work" --python_out="$work" --grpc_python_out="$work" \
				--plugin=protoc-gen-grpc_python="$(command -v grpc_python_plugin)" "$work/api.proto" &&
				mv "$work/api_pb2.py" "$dir/" && mv "$work/api_pb2_grpc.py" "$dir/"
			rc=$?
			rm -rf "$work"
			exit $rc
		) 9>"$dir/.lock" || return 1
	fi
	printf '%s\n' "$dir"
}

DAEMONS_CRI_MODULES=

# daemons_cri ARG...: cri.py on containerd's CRI socket. The first call
# may fetch and compile the CRI's proto (a few seconds, once per machine):
# call it once in the test's own shell (not in a $(...)) to keep the
# answer, for example `daemons_cri version >/dev/null || bail_out ...`.
daemons_cri()
{
	if [ -z "$DAEMONS_CRI_MODULES" ]; then
		DAEMONS_CRI_MODULES=$(daemons_cri_module_dir) || return 1
	fi
	CRI_API_PYTHON_PATH=$DAEMONS_CRI_MODULES "$DAEMONS_PYTHON" "$DAEMONS_LIB_DIR/cri.py" \
		--socket "$CONTAINERD_SOCK" "$@"
}

# --- Docker --------------------------------------------------------------------

DOCKER_DIR=
DOCKER_NS_PID=

# daemons_docker_start DIR [DOCKERD_ARG...]
daemons_docker_start()
{
	local dir=$1
	shift
	mkdir -p "$dir/client" || return 1
	case $OCI_HARDEN in /*) ;; *) OCI_HARDEN=$PWD/$OCI_HARDEN ;; esac
	daemons_settings "$dir"
	# runtimes: the runc shim runs "path" in place of runc. dockerd hands
	# its environment to the containerd it starts, and so to the shims.
	cat >"$dir/daemon.json" <<-EOF
	{
	  "runtimes": {
	    "hardened": {"path": "$OCI_HARDEN"}
	  }
	}
	EOF
	if [ -n "${DAEMONS_DOCKER_CONFIG:-}" ]; then
		daemons_installed "$DAEMONS_DOCKER_CONFIG" "$dir" >"$dir/daemon.extra.json" || return 1
		"$DAEMONS_PYTHON" - "$dir/daemon.json" "$dir/daemon.extra.json" <<-'EOF' || return 1
		import json, sys
		ours, extra = (json.load(open(p)) for p in sys.argv[1:3])
		for key, value in extra.items():
		    if key == "runtimes":
		        ours["runtimes"].update(value)
		    else:
		        ours[key] = value
		json.dump(ours, open(sys.argv[1], "w"), indent=2)
		EOF
	fi
	DOCKER_SETTINGS=$DAEMONS_SETTINGS
	export DOCKER_SETTINGS
	daemons_ns_start "$dir" || return 1
	DOCKER_NS_PID=$DAEMONS_NS_PID
	DOCKER_DIR=$dir
	DOCKER_HOST=unix://$dir/docker.sock
	export DOCKER_HOST
	# dockerd's default bridge, docker0, as users run it: a container on it
	# gets dockerd's libnetwork-setkey prestart hook, which oci-harden
	# recognises. The bridge lives in the engine's own network namespace,
	# with no iptables and no forwarding: a container reaches nothing
	# beyond it.
	OCI_HARDEN_CONFIG=$DOCKER_SETTINGS daemons_ns_spawn "$DOCKER_NS_PID" "$dir/dockerd.log" \
		dockerd --config-file "$dir/daemon.json" --data-root "$dir/data" --exec-root "$dir/exec" \
		--pidfile "$dir/docker.pid" -H "$DOCKER_HOST" --iptables=false --ip-forward=false \
		--ip-masq=false --userland-proxy=false "$@"
	DOCKER_PID=$DAEMONS_SPAWNED
	export DOCKER_PID
	daemons_wait dockerd "$DOCKER_PID" "$dir/dockerd.log" daemons_docker version || return 1
	if ! daemons_docker load -i "$(daemons_image_busybox_tar)" >"$dir/load.log" 2>&1; then
		diag_file "$dir/load.log" "docker load"
		return 1
	fi
}

daemons_docker()
{
	DOCKER_HOST=unix://$DOCKER_DIR/docker.sock DOCKER_CONFIG=$DOCKER_DIR/client "$DAEMONS_DOCKER_CLIENT" "$@"
}

daemons_docker_stop()
{
	local ids
	[ -n "$DOCKER_DIR" ] || return 0
	if [ -n "$DOCKER_PID" ] && kill -0 "$DOCKER_PID" 2>/dev/null; then
		ids=$(daemons_docker ps -aq 2>/dev/null)
		# shellcheck disable=SC2086 # one argument per id
		[ -z "$ids" ] || daemons_docker rm -f $ids >/dev/null 2>&1
	fi
	# dockerd stops the containerd it started.
	daemons_stop_pid "$DOCKER_PID" 15
	daemons_ns_reap "$DOCKER_DIR" "$DOCKER_NS_PID"
	DOCKER_PID='' DOCKER_NS_PID='' DOCKER_DIR=''
	unset DOCKER_HOST
}

# --- Podman --------------------------------------------------------------------

PODMAN_DIR=

# daemons_podman_start DIR [CONTAINERS_CONF]
daemons_podman_start()
{
	local dir=$1 extra=${2:-} runtime
	mkdir -p "$dir/root" "$dir/runroot" "$dir/tmp" "$dir/networks" || return 1
	case $OCI_HARDEN in /*) ;; *) OCI_HARDEN=$PWD/$OCI_HARDEN ;; esac
	daemons_settings "$dir"
	PODMAN_SETTINGS=$DAEMONS_SETTINGS
	export PODMAN_SETTINGS
	runtime=$(daemons_runtime_script "$dir")
	# Only these files count: CONTAINERS_CONF, CONTAINERS_STORAGE_CONF and
	# CONTAINERS_REGISTRIES_CONF replace the host's, and /etc/containers is
	# empty in podman's namespace. containers.conf is Debian's
	# /usr/share/containers/containers.conf (what a Debian podman reads by
	# default) with these keys put into its tables.
	# Podman gives a container RLIMIT_NOFILE and RLIMIT_NPROC of 1048576;
	# a root without CAP_SYS_RESOURCE (as on the development machines) cannot
	# raise its hard limit that far, and runc then fails. Where the hard
	# limit is lower, the container gets that instead; for NPROC no more
	# than kernel.pid_max, where podman's runtime was seen to hold its own.
	local limits=() ulimits kind limit pid_max
	pid_max=$(cat /proc/sys/kernel/pid_max)
	for kind in nofile:n nproc:u; do
		limit=$(ulimit -H"${kind#*:}")
		[ "$limit" = unlimited ] && limit=1048576
		[ "${kind%:*}" = nproc ] && [ "$limit" -gt "$pid_max" ] && limit=$pid_max
		[ "$limit" -ge 1048576 ] || limits+=("\"${kind%:*}=$limit:$limit\"")
	done
	ulimits=$(IFS=,; printf '%s' "${limits[*]}")
	# CONTAINERS_CONF's keys, as TABLE LINE pairs; they replace the
	# harness's own of the same table and key.
	local extra_pairs=()
	if [ -n "$extra" ]; then
		daemons_installed "$extra" "$dir" "$PODMAN_SETTINGS" >"$dir/containers.extra.conf" || return 1
		"$DAEMONS_PYTHON" - "$dir/containers.extra.conf" >"$dir/containers.extra.pairs" <<-'EOF' || return 1
		import re, sys
		table = None
		for line in open(sys.argv[1]).read().splitlines():
		    line = line.strip()
		    if not line or line.startswith("#"):
		        continue
		    header = re.fullmatch(r"\[([A-Za-z0-9_.-]+)\]", line)
		    if header:
		        table = header.group(1)
		    elif table and "=" in line:
		        sys.stdout.write(table + "\0" + line + "\0")
		    else:
		        sys.exit(f"{sys.argv[1]}: cannot merge: {line}")
		EOF
		mapfile -d '' extra_pairs <"$dir/containers.extra.pairs"
	fi
	daemons_podman_conf "$dir/containers.conf" "${extra_pairs[@]}" -- \
		containers 'log_driver = "k8s-file"' \
		containers "default_ulimits = [$ulimits]" \
		network 'network_backend = "cni"' \
		network "network_config_dir = \"$dir/networks\"" \
		network 'cni_plugin_dirs = ["/usr/lib/cni"]' \
		engine 'cgroup_manager = "cgroupfs"' \
		engine 'events_logger = "file"' \
		engine "events_logfile_path = \"$dir/events.log\"" \
		engine 'lock_type = "file"' \
		engine "tmp_dir = \"$dir/tmp\"" \
		engine 'runtime = "runc"' \
		engine "infra_image = \"docker.io/$DAEMONS_PAUSE_TAG\"" \
		engine.runtimes "runc = [\"$RUNC\"]" \
		engine.runtimes "hardened = [\"$runtime\"]" || return 1
	cat >"$dir/storage.conf" <<-EOF
	[storage]
	driver = "overlay"
	graphroot = "$dir/root"
	runroot = "$dir/runroot"
	EOF
	printf 'unqualified-search-registries = []\n' >"$dir/registries.conf"
	# containers/image reads $HOME/.config/containers/policy.json first.
	mkdir -p "$dir/home/.config/containers"
	printf '{"default": [{"type": "insecureAcceptAnything"}]}\n' >"$dir/home/.config/containers/policy.json"
	daemons_ns_start "$dir" || return 1
	PODMAN_NS_PID=$DAEMONS_NS_PID
	PODMAN_DIR=$dir
	DAEMONS_PODMAN_OPTIONS=(--root "$dir/root" --runroot "$dir/runroot" --tmpdir "$dir/tmp"
		--cgroup-manager=cgroupfs --events-backend=file)
	local tarball
	for tarball in "$(daemons_image_busybox_tar)" "$(daemons_image_pause_tar)"; do
		if ! daemons_podman load -i "$tarball" >"$dir/load.log" 2>&1; then
			diag_file "$dir/load.log" "podman load"
			return 1
		fi
	done
}

# daemons_podman_env COMMAND...: COMMAND with podman's private configuration.
daemons_podman_env()
{
	# A DOCKER_CONFIG would be read for registry credentials; empty is unset.
	CONTAINERS_CONF=$PODMAN_DIR/containers.conf CONTAINERS_STORAGE_CONF=$PODMAN_DIR/storage.conf \
		CONTAINERS_REGISTRIES_CONF=$PODMAN_DIR/registries.conf HOME=$PODMAN_DIR/home DOCKER_CONFIG='' "$@"
}

# daemons_podman_conf FILE [TABLE LINE]... -- TABLE LINE [TABLE LINE]...:
# Debian's containers.conf with each LINE put at the top of its TABLE; the
# pairs before the "--" win over those after it that set the same key.
daemons_podman_conf()
{
	local out=$1
	shift
	"$DAEMONS_PYTHON" - "$out" "$@" <<-'EOF'
	import os, re, sys
	out, args = sys.argv[1], sys.argv[2:]
	cut = args.index("--")
	first, rest = args[:cut], args[cut + 1:]
	key_of = lambda table, line: (table, line.split("=")[0].strip())
	winners = {key_of(t, l) for t, l in zip(first[0::2], first[1::2])}
	pairs = list(zip(first[0::2], first[1::2])) + [
	    (t, l) for t, l in zip(rest[0::2], rest[1::2]) if key_of(t, l) not in winners]
	base = "/usr/share/containers/containers.conf"
	lines = open(base).read().splitlines() if os.path.exists(base) else []
	for table, line in reversed(pairs):
	    header = "[" + table + "]"
	    at = [i for i, l in enumerate(lines) if l.strip() == header]
	    if not at:
	        lines += ["", header]
	        at = [len(lines) - 1]
	    key = line.split("=")[0].strip()
	    end = next((i for i in range(at[0] + 1, len(lines)) if re.match(r"\s*\[", lines[i])), len(lines))
	    if any(re.match(r"\s*" + re.escape(key) + r"\s*=", l) for l in lines[at[0] + 1:end]):
	        sys.exit(f"{base}: [{table}] already sets {key}")
	    lines.insert(at[0] + 1, line)
	with open(out, "w") as f:
	    f.write("\n".join(lines) + "\n")
	EOF
}

daemons_podman()
{
	[ -n "$PODMAN_DIR" ] || daemons_podman_start "$E2E_WORK/podman" || return 1
	daemons_podman_env daemons_ns_exec "$PODMAN_NS_PID" podman "${DAEMONS_PODMAN_OPTIONS[@]}" "$@"
}

# daemons_podman_service_start DIR: the Docker-compatible and libpod API of
# this podman on DIR/podman.sock.
daemons_podman_service_start()
{
	local dir=$1
	mkdir -p "$dir" || return 1
	[ -n "$PODMAN_DIR" ] || daemons_podman_start "$dir" || return 1
	PODMAN_SOCK=$dir/podman.sock
	export PODMAN_SOCK
	daemons_podman_env daemons_ns_spawn "$PODMAN_NS_PID" "$dir/podman-service.log" \
		podman "${DAEMONS_PODMAN_OPTIONS[@]}" system service --time=0 "unix://$PODMAN_SOCK"
	PODMAN_SERVICE_PID=$DAEMONS_SPAWNED
	export PODMAN_SERVICE_PID
	daemons_wait "podman system service" "$PODMAN_SERVICE_PID" "$dir/podman-service.log" \
		daemons_podman_env podman --remote --url "unix://$PODMAN_SOCK" version
}

daemons_podman_service_stop()
{
	daemons_stop_pid "$PODMAN_SERVICE_PID" 10
	PODMAN_SERVICE_PID=
}

daemons_podman_stop()
{
	[ -n "$PODMAN_DIR" ] || return 0
	daemons_podman_service_stop
	if kill -0 "$PODMAN_NS_PID" 2>/dev/null; then
		daemons_podman pod rm --all --force >/dev/null 2>&1
		daemons_podman rm --all --force --time 0 >/dev/null 2>&1
	fi
	daemons_ns_reap "$PODMAN_DIR" "$PODMAN_NS_PID"
	PODMAN_NS_PID='' PODMAN_DIR=''
}
