#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# The benchmark's client figures (issue 14): what oci-harden adds to a real
# client's work, next to runc, with the engines of the end-to-end tests
# (tests/e2e/lib_daemons.sh: private directories, sockets and network
# namespace, images loaded from tarballs built here, never pulled).
#
#     clients.sh OCI_HARDEN OUT RUNS
#
# writes to OUT, in bench.c's "side" lines:
#   docker-runc, docker-hardened   `docker run --rm local/busybox:test true`
#                                  with --runtime runc and --runtime hardened,
#                                  interleaved, from the client's start to
#                                  its exit;
#   cri-runc, cri-hardened         a CRI pod lifecycle with one container
#                                  (cri_lifecycle.py), handler runc and
#                                  hardened, interleaved;
#   cri-restricted-runc,           the same with a restricted pod and
#   cri-restricted-hardened        oci-harden's seccomp profile
#                                  (cri_lifecycle.py --restricted), whose
#                                  configs runc runs nearly hardened.
# oci-harden's settings are the defaults (kernel_audit on: the record is
# sent whether or not the kernel takes it) with the event log and state in
# the work directory. The kernel's own audit state is left as the host has
# it; the header of the report says which it was. Exits 2, writing
# nothing, where an engine is missing.
set -uo pipefail
BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
OCI_HARDEN=$1
OUT=$2
RUNS=$3
# shellcheck source=../e2e/lib.sh
. "$BENCH_DIR/../e2e/lib.sh"
# shellcheck source=../e2e/lib_daemons.sh
. "$BENCH_DIR/../e2e/lib_daemons.sh"
# lib.sh's skip_all prints TAP and exits 0: here, a missing engine is exit 2.
skip_all()
{
	printf 'clients.sh: %s\n' "$1" >&2
	exit 2
}
e2e_require_host
daemons_require containerd cri docker
e2e_require_binary
e2e_setup bench-clients
W=$E2E_WORK
IMAGE=local/busybox:test
OCI_HARDEN_CONFIG=$W/oci-harden.json
export OCI_HARDEN_CONFIG
# Observation as by default ("all"), its programs pinned in a directory of
# the benchmark's (lib.sh removes it at exit), not the system's.
printf '{"runtime": "%s", "state_dir": "%s", "event_log": "%s", %s}\n' "$RUNC" "$W/oci-harden-state" \
	"$W/events.log" "$(e2e_observe_settings)" >"$OCI_HARDEN_CONFIG"

# side_line NAME FILE: bench.c's side line from one time (us) a line.
side_line()
{
	"$PYTHON" - "$1" "$2" <<-'PY'
	import sys
	v = sorted(float(x) for x in open(sys.argv[2]))
	pick = lambda p: v[min(len(v) - 1, int(p * len(v)))]
	print("side %s runs %d median_us %.0f p95_us %.0f min_us %.0f max_us %.0f"
	      % (sys.argv[1], len(v), pick(0.5), pick(0.95), v[0], v[-1]))
	PY
}

: >"$OUT.tmp"
daemons_docker_start "$W/docker" || bail_out "dockerd did not start"
# docker_once RUNTIME FILE: one `docker run`, its time (us) appended to FILE.
docker_once()
{
	local start end
	start=$(date +%s%N)
	daemons_docker run --rm --runtime "$1" "$IMAGE" true </dev/null >/dev/null 2>"$W/docker-$1.err" ||
		{ diag_file "$W/docker-$1.err" "docker run --runtime $1"; bail_out "docker run --runtime $1 failed"; }
	end=$(date +%s%N)
	echo $(((end - start) / 1000)) >>"$2"
}
: >"$W/docker-runc.us"
: >"$W/docker-hardened.us"
# Two untimed rounds first, then RUNS rounds, the order turned every round.
for round in $(seq -1 "$RUNS"); do
	if [ $((round % 2)) -eq 0 ]; then order="runc hardened"; else order="hardened runc"; fi
	for runtime in $order; do
		if [ "$round" -lt 1 ]; then
			docker_once "$runtime" /dev/null
		else
			docker_once "$runtime" "$W/docker-$runtime.us"
		fi
	done
done
# Every hardened run went through oci-harden: a create line each.
creates=$(grep -c '"command":"create"' "$W/events.log" 2>/dev/null)
[ "${creates:-0}" -ge "$((RUNS + 2))" ] ||
	bail_out "docker --runtime hardened: ${creates:-0} creates in oci-harden's event log, not $((RUNS + 2))"
daemons_docker_stop
side_line docker-runc "$W/docker-runc.us" >>"$OUT.tmp"
side_line docker-hardened "$W/docker-hardened.us" >>"$OUT.tmp"

daemons_containerd_start "$W/containerd" || bail_out "containerd did not start"
daemons_cri version >/dev/null || bail_out "no CRI client"
CRI_API_PYTHON_PATH=$DAEMONS_CRI_MODULES "$DAEMONS_PYTHON" "$BENCH_DIR/cri_lifecycle.py" \
	"$CONTAINERD_SOCK" "docker.io/$IMAGE" "$W" "$RUNS" runc hardened >"$W/cri.txt" 2>"$W/cri.err" ||
	{ diag_file "$W/cri.err" "cri_lifecycle.py"; bail_out "the CRI lifecycles failed"; }
# The pod's sandbox and its container, each round.
creates=$(grep -c '"command":"create"' "$W/events.log" 2>/dev/null)
[ "${creates:-0}" -ge "$((3 * (RUNS + 2)))" ] ||
	bail_out "CRI handler hardened: ${creates:-0} creates in oci-harden's event log in all"
sed 's/^side /side cri-/' "$W/cri.txt" >>"$OUT.tmp"
# The restricted pods ask for oci-harden's own seccomp profile (the file
# its default policy embeds), which it then leaves as it is: both sides
# load the same filter.
CRI_API_PYTHON_PATH=$DAEMONS_CRI_MODULES "$DAEMONS_PYTHON" "$BENCH_DIR/cri_lifecycle.py" \
	--restricted "$(cd "$BENCH_DIR/../.." && pwd)/policies/seccomp/default.json" \
	"$CONTAINERD_SOCK" "docker.io/$IMAGE" "$W" "$RUNS" runc hardened >"$W/cri-restricted.txt" \
	2>"$W/cri-restricted.err" ||
	{ diag_file "$W/cri-restricted.err" "cri_lifecycle.py --restricted"; bail_out "the restricted CRI lifecycles failed"; }
creates=$(grep -c '"command":"create"' "$W/events.log" 2>/dev/null)
[ "${creates:-0}" -ge "$((5 * (RUNS + 2)))" ] ||
	bail_out "CRI handler hardened, restricted pods: ${creates:-0} creates in oci-harden's event log in all"
sed 's/^side /side cri-restricted-/' "$W/cri-restricted.txt" >>"$OUT.tmp"
mv "$OUT.tmp" "$OUT"
