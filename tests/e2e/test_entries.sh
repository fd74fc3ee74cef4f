#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Every client picks a policy by the runtime entry its operator configured
# (issue 13), with the contrib files as they are, against the real Docker
# 20.10, Podman 4.3 and containerd 1.6 (with its CRI, driven like the
# kubelet) from Debian:
#
# - through the entry hardened-web (a link oci-harden@web) a container gets
#   the policy web, through hardened the default policy, and nothing its
#   caller sets changes that: docker run labels, environment and user,
#   podman run annotations that forge the CRI's (which a plain oci-harden
#   would believe), podman --runtime-flag, ctr run --annotation;
# - Docker: per-image policies select by the image in Docker's own record
#   of the container (settings "docker_data_root"), an image named by its id
#   gets the default policy, and `suggest` writes per-image policies from a
#   Docker host's audit-mode events, which then take the container as it is;
# - a refused docker run, podman run, ctr run and CRI start each show one
#   line that names the first reason, how many more there are, and the
#   command that shows them all; that command, run as the line gives it,
#   lists every refusal of the container, and its execs;
# - `docker info` shows runc's version and commit through oci-harden.
#
# Engines, images and their isolation: tests/e2e/lib_daemons.sh. The
# contrib files name /usr/local/sbin/oci-harden[@POLICY]; daemons_installed
# puts the oci-harden under test there, in each engine's directory.
set -u
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_daemons.sh"

e2e_require_host
daemons_require containerd cri docker podman
command -v gcc >/dev/null || skip_all "gcc is not installed (tests/install-deps.sh)"
e2e_require_binary
# Short: Podman refuses a run root path longer than 50 characters.
e2e_setup entries

W=$E2E_WORK
CONTRIB=$E2E_SOURCE_ROOT/contrib
IMAGE=local/busybox:test
HOST=$(hostname)

# One oci-harden configuration for every engine: the policies below, the
# event log, and Docker's data root (where daemons_docker_start puts it).
mkdir -p "$W/policies"
cat >"$W/settings.json" <<-EOF
{
  "runtime": "$RUNC",
  "policy_dir": "$W/policies",
  "state_dir": "$W/state",
  "event_log": "$W/events.log",
  "kernel_audit": false,
  "docker_data_root": "$W/docker/data",
  "observe": "none"
}
EOF
export OCI_HARDEN_CONFIG=$W/settings.json

# web: root may stay root (the default policy makes it 65534).
printf '{"user": {"allow_root": true}}\n' >"$W/policies/web.json"
# An image's own policy, and an image whose policy is in audit mode.
printf '{"images": ["docker.io/local/busybox:web"], "user": {"allow_root": true}}\n' \
	>"$W/policies/busyweb.json"
printf '{"images": ["docker.io/local/busybox:audit"], "mode": "audit"}\n' >"$W/policies/audited.json"

# event ID EXPR: EXPR over the last create (run, restore) event of the
# container ID in the event log, as `d`.
event()
{
	"$PYTHON" - "$W/events.log" "$1" "$2" <<-'EOF'
	import json, sys
	path, cid, expr = sys.argv[1:4]
	found = None
	for line in open(path):
	    d = json.loads(line)
	    if d.get("container") == cid and d.get("command") in ("create", "run", "restore"):
	        found = d
	if found is None:
	    sys.exit("no create of " + cid)
	v = eval(expr, {"d": found})
	print(v if isinstance(v, str) else json.dumps(v))
	EOF
}

# chosen WHAT ID POLICY [REASON-REGEX]: the container got POLICY, for REASON.
chosen()
{
	local what=$1 id=$2 policy=$3 reason=${4:-}
	is "$(event "$id" 'd["policy"]' 2>&1)" "$policy" "$what: policy \"$policy\""
	[ -z "$reason" ] || like "$(event "$id" 'd["policy_reason"]' 2>&1)" "$reason" "$what: because $reason"
}

# explained WHAT OUTPUT: OUTPUT (a client's error) is oci-harden's one line
# for a refusal by the default policy: the first reason, the count of the
# others, and the command that shows them all on this host; that command,
# run as given, shows every refusal of the container the event log holds.
# The container's id in EXPLAINED_ID.
explained()
{
	local what=$1 output=$2 command n reason missing=0
	like "$output" "oci-harden: [^ ]*/config\\.json: refused by policy \"default\": [a-z]+: " \
		"$what: the client shows oci-harden's refusal, its first reason"
	command=$(sed -n 's/.*every decision: run \(.*\) on host [^ :)]*).*/\1/p' <<<"$output" | head -n 1)
	EXPLAINED_ID=${command##* explain }
	like "$output" "every decision: run .* explain $EXPLAINED_ID on host $HOST\\)" \
		"$what: and the command that explains it, on this host"
	n=$(event "$EXPLAINED_ID" 'd["refusals"]' 2>/dev/null)
	if [ "${n:-0}" -gt 1 ]; then
		like "$output" "\\($((n - 1)) more refusals?; every decision" "$what: and how many more refusals ($((n - 1)))"
	else
		unlike "$output" "more refusal" "$what: no more refusals to count"
	fi
	# As a user on this host would run it: the shell reads the line.
	(cd / && eval "$command") >"$W/explain.out" 2>&1
	is "$?" 0 "$what: the advised command runs: $command"
	like "$(head -n 1 "$W/explain.out")" "^container $EXPLAINED_ID\$" "$what: explain names the container"
	like "$(cat "$W/explain.out")" "refused \\($n\\):" "$what: explain shows all $n refusals"
	while IFS= read -r reason; do
		grep -qF -- "$reason" "$W/explain.out" || missing=$((missing + 1))
	done < <(event "$EXPLAINED_ID" '"\n".join(x["reason"] for x in d["decisions"] if x["kind"] == "refuse")')
	is "$missing" 0 "$what: every refusal's reason of the event log is in explain's answer"
	[ "$missing" -eq 0 ] || diag_file "$W/explain.out" explain
}

# ===================================================================================
# An entry's policy is also its default: an exec in a container oci-harden
# has no record of (created by runc itself) is judged under it, and, since
# oci-harden cannot know what that container runs, refused in enforce mode
# (oci-harden(8), EXEC)
# ===================================================================================

mkdir -p "$W/sbin"
ln -s "$OCI_HARDEN" "$W/sbin/oci-harden@web"
e2e_make_bundle "$W/bundle" sleep 300 || bail_out "could not build a bundle"
plain=$(e2e_id plain)
"$RUNC" --root "$E2E_RUNC_ROOT" run -d --bundle "$W/bundle" "$plain" </dev/null >/dev/null 2>&1 ||
	bail_out "runc could not run a container"
"$W/sbin/oci-harden@web" --root "$E2E_RUNC_ROOT" exec "$plain" true </dev/null >"$W/exec.out" 2>&1
isnt "$?" 0 "exec through oci-harden@web in a container oci-harden did not create is refused"
like "$(cat "$W/exec.out")" "no record" "  and says oci-harden has no record of it"
is "$("$PYTHON" -c '
import json, sys
print([d["policy"] for d in map(json.loads, open(sys.argv[1])) if d["container"] == sys.argv[2]][-1])
' "$W/events.log" "$plain" 2>&1)" web "  under the entry's policy, web"
"$RUNC" --root "$E2E_RUNC_ROOT" delete --force "$plain" >/dev/null 2>&1

# ===================================================================================
# Docker: contrib/docker/daemon.json, made the default runtime for `docker info`
# ===================================================================================

"$PYTHON" - "$CONTRIB/docker/daemon.json" >"$W/daemon.json" <<-'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
d["default-runtime"] = "hardened"
print(json.dumps(d))
EOF
DAEMONS_DOCKER_CONFIG=$W/daemon.json daemons_docker_start "$W/docker" || bail_out "dockerd did not start"
unset DAEMONS_DOCKER_CONFIG

# --- docker info: the runtime's version, through oci-harden --------------------

is "$(daemons_docker info --format '{{.DefaultRuntime}}' 2>&1)" hardened "docker info: the default runtime is hardened"
is "$(daemons_docker info --format '{{(index .Runtimes "hardened-web").Path}}' 2>&1)" \
	"$W/docker/sbin/oci-harden@web" "docker info: hardened-web runs oci-harden@web"
runc_commit=$("$RUNC" --version | sed -n 's/^commit: //p')
is "$(daemons_docker info --format '{{.RuncCommit.ID}}' 2>&1)" "$runc_commit" \
	"docker info: runc's commit ($runc_commit), read through oci-harden --version"
is "$(daemons_docker info 2>&1 | sed -n 's/^ *runc version: //p')" "$runc_commit" \
	"docker info: shows \"runc version: $runc_commit\""

# --- docker run: hardened-web, hardened, and what the caller may try --------------

# drun NAME DOCKER-RUN-ARG...: `docker run --rm --cidfile`, output in
# $W/NAME.out, its container id in CID.
drun()
{
	local name=$1
	shift
	rm -f "$W/$name.cid"
	daemons_docker run --rm --cidfile "$W/$name.cid" "$@" </dev/null >"$W/$name.out" 2>&1
	RC=$?
	CID=$(cat "$W/$name.cid" 2>/dev/null)
}

drun d-web --runtime hardened-web "$IMAGE" id -u
is "$RC:$(cat "$W/d-web.out")" 0:0 "docker run --runtime hardened-web: runs as root, as web allows"
chosen "docker hardened-web" "$CID" web "runtime entry .*/oci-harden@web names it"

drun d-hardened --runtime hardened "$IMAGE" id -u
is "$RC:$(cat "$W/d-hardened.out")" 0:65534 "docker run --runtime hardened: root becomes 65534"
chosen "docker hardened" "$CID" default

drun d-default "$IMAGE" id -u
is "$RC:$(cat "$W/d-default.out")" 0:65534 "docker run, default-runtime hardened: 65534"

# What a docker run caller can set: labels (Docker 20.10 writes no
# annotation), the container's environment, its user.
CALLER=(--label io.kubernetes.cri.image-name=docker.io/local/busybox:web
	--label io.kubernetes.cri.container-type=container --label io.kubernetes.cri.sandbox-id=forged
	--label oci-harden.policy=web -e OCI_HARDEN_CONFIG=/dev/null --user 0:0)
drun d-caller --runtime hardened "${CALLER[@]}" "$IMAGE" id -u
is "$RC:$(cat "$W/d-caller.out")" 0:65534 "docker run --runtime hardened with the caller's labels, env and user: still 65534"
chosen "docker hardened, caller's flags" "$CID" default
drun d-caller-web --runtime hardened-web "${CALLER[@]}" "$IMAGE" id -u
chosen "docker hardened-web, caller's flags" "$CID" web

# --- per-image policies by Docker's record ------------------------------------------

daemons_docker tag "$IMAGE" local/busybox:web
drun d-image --runtime hardened local/busybox:web id -u
is "$RC:$(cat "$W/d-image.out")" 0:0 "docker run local/busybox:web: its image's policy lets it run as root"
chosen "docker local/busybox:web" "$CID" busyweb "docker.io/local/busybox:web.*$W/docker/data/containers/$CID/config.v2.json"
is "$(event "$CID" 'd["image"]')" docker.io/local/busybox:web "docker local/busybox:web: the event log has its image"
drun d-image-entry --runtime hardened-web local/busybox:web id -u
chosen "docker local/busybox:web through hardened-web" "$CID" web "runtime entry"
image_id=$(daemons_docker image inspect --format '{{.Id}}' local/busybox:web)
image_id=${image_id#sha256:}
drun d-by-id --runtime hardened "${image_id:0:12}" id -u
is "$RC:$(cat "$W/d-by-id.out")" 0:65534 "docker run IMAGE-ID: 65534"
chosen "docker run by image id" "$CID" default "by its id"

# --- a refusal, and explain; an exec ------------------------------------------------

drun d-refused --runtime hardened --privileged "$IMAGE" true
isnt "$RC" 0 "docker run --privileged through hardened is refused"
explained "docker run --privileged" "$(cat "$W/d-refused.out")"
is "$EXPLAINED_ID" "$CID" "docker run --privileged: the line names the container docker made"

daemons_docker run -d --runtime hardened --name d-exec "$IMAGE" sleep 300 >"$W/d-exec.cid" 2>&1
is "$?" 0 "docker run -d through hardened"
exec_cid=$(cat "$W/d-exec.cid")
is "$(daemons_docker exec d-exec id -u 2>&1)" 65534 "docker exec: 65534"
"$OCI_HARDEN" explain "${exec_cid:0:12}" >"$W/d-exec.explain" 2>&1
is "$?" 0 "explain by the 12 characters docker shows"
like "$(cat "$W/d-exec.explain")" "^container $exec_cid$" "explain: names the whole id"
like "$(cat "$W/d-exec.explain")" "^exec at .*, policy \"default\"" "explain: shows the exec"
daemons_docker rm -f d-exec >/dev/null 2>&1

# --- suggest from a Docker host's audit-mode events -----------------------------

daemons_docker tag "$IMAGE" local/busybox:audit
drun d-audit --runtime hardened local/busybox:audit id -u
is "$RC:$(cat "$W/d-audit.out")" 0:0 "docker run local/busybox:audit: audit mode changes nothing"
is "$(event "$CID" 'd["mode"] + " " + d["image"]')" "audit docker.io/local/busybox:audit" \
	"the audit-mode event names the image from Docker's record"
"$OCI_HARDEN" suggest --out "$W/suggested" "$W/events.log" >"$W/suggest.out" 2>&1
is "$?" 0 "suggest reads the Docker host's event log"
suggested=$W/suggested/suggested-docker.io-local-busybox-audit.json
if [ -s "$suggested" ]; then
	ok "suggest wrote a policy for docker.io/local/busybox:audit"
else
	not_ok "suggest wrote a policy for docker.io/local/busybox:audit"
	diag_file "$W/suggest.out" suggest
fi
"$OCI_HARDEN" check -q "$suggested" >"$W/check.out" 2>&1
is "$?" 0 "check accepts the suggested policy"
# In enforce mode, in place of the audit-mode policy. suggest writes the
# narrowest policy (issue 12): nothing was observed here (observation is
# off), so nothing the container asked for is copied, root included.
rm "$W/policies/audited.json"
cp "$suggested" "$W/policies/"
drun d-suggested --runtime hardened local/busybox:audit id -u
is "$RC:$(cat "$W/d-suggested.out")" 0:65534 \
	"with the suggested policy, enforce mode runs it, as the default's user: root was not copied"
chosen "docker local/busybox:audit, suggested policy" "$CID" suggested-docker.io-local-busybox-audit
is "$(event "$CID" 'd["mode"]')" enforce "  in enforce mode"

daemons_docker_stop

# ===================================================================================
# Podman: contrib/podman/containers.conf
# ===================================================================================

# With one entry more for this test: plain oci-harden, which chooses by the
# config's annotations as far as settings trust them ("cri": a config with
# the CRI's markers), to show what the caller's annotations would do there.
{
	cat "$CONTRIB/podman/containers.conf"
	printf '[engine.runtimes]\nplain = ["/usr/local/sbin/oci-harden"]\n'
} >"$W/containers.conf"
daemons_podman_start "$W/podman" "$W/containers.conf" || bail_out "podman could not be set up"

# prun NAME PODMAN-RUN-ARG...: like drun.
prun()
{
	local name=$1
	shift
	rm -f "$W/$name.cid"
	daemons_podman run --rm --pull=never --cidfile "$W/$name.cid" "$@" </dev/null >"$W/$name.out" 2>&1
	RC=$?
	CID=$(cat "$W/$name.cid" 2>/dev/null)
}

prun p-web --runtime hardened-web "$IMAGE" id -u
is "$RC:$(cat "$W/p-web.out")" 0:0 "podman run --runtime hardened-web: runs as root, as web allows"
chosen "podman hardened-web" "$CID" web "runtime entry .*/oci-harden@web names it"

prun p-hardened --runtime hardened "$IMAGE" id -u
is "$RC:$(cat "$W/p-hardened.out")" 0:65534 "podman run --runtime hardened: root becomes 65534"
chosen "podman hardened" "$CID" default "runtime entry .*/oci-harden@default names it"

# The caller's annotations: the image annotation and the CRI's markers.
FORGED=(--annotation io.kubernetes.cri.image-name=docker.io/local/busybox:web
	--annotation io.kubernetes.cri.container-type=container
	--annotation io.kubernetes.cri.sandbox-id=forged)
prun p-forged --runtime hardened "${FORGED[@]}" "$IMAGE" id -u
is "$RC:$(cat "$W/p-forged.out")" 0:65534 "podman run --runtime hardened with forged CRI annotations: still 65534"
chosen "podman hardened, forged annotations" "$CID" default
prun p-forged-web --runtime hardened-web "${FORGED[@]}" "$IMAGE" id -u
chosen "podman hardened-web, forged annotations" "$CID" web
# Through plain oci-harden the same annotations do choose: why contrib's
# hardened names its policy.
prun p-forged-plain --runtime plain "${FORGED[@]}" "$IMAGE" id -u
chosen "podman plain oci-harden, forged annotations" "$CID" busyweb

# The caller's global runtime options: an option naming a policy is no
# option of runc's, and the container does not run.
web_events=$(grep -c '"policy":"web"' "$W/events.log")
daemons_podman --runtime-flag oci-harden-policy=web run --rm --pull=never \
	--runtime hardened "$IMAGE" id -u </dev/null >"$W/p-flag.out" 2>&1
isnt "$?" 0 "podman --runtime-flag oci-harden-policy=web: the container does not run"
like "$(cat "$W/p-flag.out")" 'unknown global option .*--oci-harden-policy=web' "  oci-harden says why"
is "$(grep -c '"policy":"web"' "$W/events.log")" "$web_events" "  and nothing ran with web"

prun p-refused --runtime hardened --privileged "$IMAGE" true
isnt "$RC" 0 "podman run --privileged through hardened is refused"
explained "podman run --privileged" "$(tr -d '\0' <"$W/p-refused.out")"
is "$EXPLAINED_ID" "$CID" "podman run --privileged: the line names the container podman made"

daemons_podman_stop

# ===================================================================================
# containerd: contrib/containerd/hardened-runtime.toml and hardened-policy.toml
# ===================================================================================

extra=$(daemons_installed "$CONTRIB/containerd/hardened-runtime.toml" "$W/containerd" &&
	daemons_installed "$CONTRIB/containerd/hardened-policy.toml" "$W/containerd") ||
	bail_out "could not place the contrib fragments"
daemons_containerd_start "$W/containerd" "$extra" || bail_out "containerd did not start"
daemons_cri version >/dev/null || bail_out "no CRI client (tests/e2e/cri.py)"
SBIN=$W/containerd/sbin

# --- ctr ----------------------------------------------------------------------------

# crun_ctr NAME ID CTR-RUN-ARG...: `ctr run --rm` of busybox as ID.
ctr_run()
{
	local name=$1 id=$2
	shift 2
	daemons_ctr -n k8s.io run --rm "$@" "docker.io/$IMAGE" "$id" id -u </dev/null >"$W/$name.out" 2>&1
	RC=$?
}

ctr_run c-web "ohent-$$-web" --runc-binary "$SBIN/oci-harden@web"
is "$RC:$(cat "$W/c-web.out")" 0:0 "ctr run --runc-binary oci-harden@web: root, as web allows"
chosen "ctr oci-harden@web" "ohent-$$-web" web "runtime entry"
ctr_run c-plain "ohent-$$-plain" --runc-binary "$SBIN/oci-harden"
is "$RC:$(cat "$W/c-plain.out")" 0:65534 "ctr run --runc-binary oci-harden: 65534"
chosen "ctr oci-harden" "ohent-$$-plain" default
ctr_run c-forged "ohent-$$-forged" --runc-binary "$SBIN/oci-harden@web" \
	--annotation io.kubernetes.cri.image-name=docker.io/local/busybox:web \
	--annotation io.kubernetes.cri.container-type=sandbox --annotation io.kubernetes.cri.sandbox-id=forged
chosen "ctr oci-harden@web, forged annotations" "ohent-$$-forged" web

daemons_ctr -n k8s.io run --rm --runc-binary "$SBIN/oci-harden" --privileged "docker.io/$IMAGE" \
	"ohent-$$-refused" true </dev/null >"$W/c-refused.out" 2>&1
isnt "$?" 0 "ctr run --privileged through oci-harden is refused"
explained "ctr run --privileged" "$(cat "$W/c-refused.out")"
is "$EXPLAINED_ID" "ohent-$$-refused" "ctr run --privileged: the line names the container"

# --- the CRI, like the kubelet: RuntimeClass hardened-web and hardened ------------

# cri NAME ARG...: the answer in $W/NAME.json, the status in CRI_RC.
cri()
{
	local name=$1
	shift
	daemons_cri "$@" >"$W/$name.json" 2>"$W/$name.err"
	CRI_RC=$?
}

field()
{
	e2e_json_get "$W/$1.json" "$2" 2>/dev/null
}

# pod NAME HANDLER: RunPodSandbox; POD is its id.
pod()
{
	local name=$1 handler=$2
	cat >"$W/$name.pod.json" <<-EOF
	{
	  "metadata": {"name": "$name", "uid": "uid-$name-$$", "namespace": "default", "attempt": 0},
	  "hostname": "$name",
	  "log_directory": "$W/logs/$name",
	  "linux": {"security_context": {"namespace_options": {"network": "POD", "pid": "CONTAINER", "ipc": "POD"}}}
	}
	EOF
	cri "$name.run-pod" run-pod "$W/$name.pod.json" --handler "$handler"
	is "$CRI_RC" 0 "pod $name (RuntimeClass handler $handler): RunPodSandbox"
	POD=$(field "$name.run-pod" 'd["pod_sandbox_id"]')
}

# container POD-NAME NAME [MOUNTS]: CreateContainer and StartContainer
# (where containerd has the runtime create it); its id in CONTAINER.
container()
{
	local pod_name=$1 name=$2 mounts=${3:-[]}
	cat >"$W/$name.container.json" <<-EOF
	{
	  "metadata": {"name": "$name", "attempt": 0},
	  "image": {"image": "docker.io/$IMAGE"},
	  "command": ["sleep", "3600"],
	  "log_path": "$name.log",
	  "mounts": $mounts,
	  "linux": {"resources": {}, "security_context": {"namespace_options": {"network": "POD", "pid": "CONTAINER", "ipc": "POD"}}}
	}
	EOF
	cri "$name.create" create "$POD" "$W/$name.container.json" "$W/$pod_name.pod.json"
	is "$CRI_RC" 0 "$name: CreateContainer"
	CONTAINER=$(field "$name.create" 'd["container_id"]')
	cri "$name.start" start "$CONTAINER"
}

for handler in hardened-web hardened; do
	pod "pod-$handler" "$handler"
	chosen "CRI $handler: the pod's sandbox" "$POD" "$([ "$handler" = hardened ] && echo default || echo web)"
	container "pod-$handler" "app-$handler"
	is "$CRI_RC" 0 "app-$handler: StartContainer"
	daemons_cri exec-sync "$CONTAINER" --timeout 30 -- id -u >"$W/app-$handler.exec.json" 2>&1
	uid=$(e2e_json_get "$W/app-$handler.exec.json" 'd["stdout"].strip()' 2>/dev/null)
	if [ "$handler" = hardened-web ]; then
		is "$uid" 0 "CRI hardened-web: the container runs as root, as web allows"
		chosen "CRI hardened-web: the container" "$CONTAINER" web "runtime entry .*/oci-harden@web names it"
	else
		is "$uid" 65534 "CRI hardened: root becomes 65534"
		chosen "CRI hardened: the container" "$CONTAINER" default
	fi
done

# A container that mounts the host's /etc and /usr, in the pod of
# hardened: containerd has the runtime create it at StartContainer, and the
# kubelet shows that error in the pod's events.
container pod-hardened host-paths '[{"container_path": "/host/etc", "host_path": "/etc", "readonly": true},
	{"container_path": "/host/usr", "host_path": "/usr", "readonly": true}]'
isnt "$CRI_RC" 0 "CRI: a container mounting the host's /etc and /usr fails to start"
explained "CRI StartContainer, host paths" "$(field host-paths.start 'd["message"]')"
is "$EXPLAINED_ID" "$CONTAINER" "CRI: the line names the container the CRI made"

daemons_containerd_stop

tap_done
