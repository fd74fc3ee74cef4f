#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# containerd with an image, the way it is deployed: no --rootfs, no network,
# no registry.
#
# - A small OCI image (busybox-static, /etc/passwd and /etc/group, the
#   directories runc mounts over) is built here as an OCI image layout tar
#   and imported with `ctr images import`; containers come from it through
#   containerd's snapshotter.
# - A private containerd (tests/e2e/lib_daemons.sh: its own root, state,
#   sockets and opt directory under the test's directory, in a mount and
#   network namespace of its own) loads
#   contrib/containerd/hardened-runtime.toml, pasted after the runc handler
#   as contrib/README.md says, with BinaryName pointed at the oci-harden
#   under test. Its CRI plugin must load and report the
#   "hardened" handler. ctr cannot choose a CRI handler; `ctr run --runtime
#   io.containerd.runc.v2 --runc-binary oci-harden` hands the runc v2 shim
#   what that handler hands it (runtime_type and BinaryName).
# - Through the shim: a container comes up hardened, `ctr task exec` is
#   hardened too, the task's life (list, ps, pause, resume, kill, delete)
#   is the same as with runc, and a refused container shows oci-harden's
#   message in ctr's error ("OCI runtime create failed: ...").
# - Per-image policy by the annotation io.kubernetes.cri.image-name (`ctr
#   run --annotation`), with the settings file given to oci-harden through
#   containerd's environment, which its shims inherit.
# - `features`: answered as the real runtime answers it, and, where strace
#   can watch the shim, whether the shim asks at all.
# - crun as the real runtime, where crun can run on this machine, with
#   crun's own global options on oci-harden's command line.
set -u
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_daemons.sh"

e2e_require_host
daemons_require containerd cni
e2e_require_binary
# The shim runs BinaryName from the bundle directory, and strace shows the
# path it was given: make it absolute.
case $OCI_HARDEN in /*) ;; *) OCI_HARDEN=$PWD/$OCI_HARDEN ;; esac
e2e_setup containerd-image

W=$E2E_WORK
CONTRIB=$E2E_SOURCE_ROOT/contrib
IMAGE=docker.io/library/ohtest:1
namespace=oci-harden-e2e-image-$$
CRUN=$(command -v crun || true)
CRUN_ROOT=$W/crun-root
crun_ids=()
strace_pid=

# ctr ARG...: ctr on the private containerd, in the test's namespace.
c()
{
	daemons_ctr -n "$namespace" "$@"
}

stop_strace()
{
	if [ -n "$strace_pid" ]; then
		kill "$strace_pid" 2>/dev/null
		wait "$strace_pid" 2>/dev/null
	fi
	strace_pid=
}

finish()
{
	local id mnt
	stop_strace
	# containerd, its shims and its containers.
	daemons_cleanup
	if [ -n "$CRUN" ]; then
		for id in "${crun_ids[@]}"; do
			"$CRUN" --root "$CRUN_ROOT" delete --force "$id" >/dev/null 2>&1
		done
	fi
	# Whatever is still mounted under the work directory (a snapshot of a
	# container that did not go away), innermost first.
	awk -v w="$W/" 'index($2, w) == 1 { print $2 }' /proc/mounts | sort -r |
		while read -r mnt; do umount -l "$mnt" 2>/dev/null; done
	e2e_cleanup
}
trap finish EXIT

# --- the image ----------------------------------------------------------------

# make_image FILE REF-NAME: an OCI image layout tar (oci-layout, index.json,
# blobs/sha256/...) of one gzip layer for this machine's architecture, its
# manifest named REF-NAME (org.opencontainers.image.ref.name, a tag: `ctr
# images import --base-name` puts the repository in front of it). Prints the
# manifest's digest.
make_image()
{
	local busybox
	busybox=$(e2e_busybox) || return 1
	# shellcheck disable=SC2046 # one argument per applet
	"$PYTHON" - "$1" "$2" "$busybox" $("$busybox" --list-full) <<-'EOF'
	import gzip, hashlib, io, json, os, platform, sys, tarfile
	out, ref_name, busybox, applets = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
	# GOARCH of this machine: the platform ctr imports by default.
	arch = {"x86_64": "amd64", "aarch64": "arm64", "ppc64le": "ppc64le",
	        "s390x": "s390x", "riscv64": "riscv64"}[platform.machine()]

	def entry(tar, name, kind, mode, data=b"", target=""):
	    info = tarfile.TarInfo(name)
	    info.type, info.mode, info.mtime = kind, mode, 0
	    info.size, info.linkname = len(data), target
	    tar.addfile(info, io.BytesIO(data) if kind == tarfile.REGTYPE else None)

	def digest(blob):
	    return "sha256:" + hashlib.sha256(blob).hexdigest()

	def compact(doc):
	    return json.dumps(doc, separators=(",", ":")).encode()

	# The layer: what tests/e2e/lib.sh's e2e_make_rootfs lays out. runc
	# gives a tmpfs the mode of the directory it covers, so /tmp is 1777.
	raw = io.BytesIO()
	with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as tar:
	    dirs = {"bin", "sbin", "usr", "usr/bin", "usr/sbin", "etc", "proc", "sys",
	            "dev", "mnt", "root", "tmp"} | {os.path.dirname(a) for a in applets}
	    for d in sorted(dirs):
	        entry(tar, d, tarfile.DIRTYPE, {"tmp": 0o1777, "root": 0o700}.get(d, 0o755))
	    with open(busybox, "rb") as f:
	        entry(tar, "bin/busybox", tarfile.REGTYPE, 0o755, f.read())
	    for a in applets:
	        if a != "bin/busybox":
	            entry(tar, a, tarfile.SYMTYPE, 0o777, target="/bin/busybox")
	    entry(tar, "etc/passwd", tarfile.REGTYPE, 0o644,
	          b"root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/sh\n")
	    entry(tar, "etc/group", tarfile.REGTYPE, 0o644, b"root:x:0:\nnogroup:x:65534:\n")
	layer = raw.getvalue()
	layer_gz = gzip.compress(layer, mtime=0)

	# image-spec config.md: no User, so containerd runs the process as root.
	config = compact({
	    "architecture": arch, "os": "linux",
	    "config": {"Env": ["PATH=/usr/sbin:/usr/bin:/sbin:/bin"], "Cmd": ["sh"], "WorkingDir": "/"},
	    "rootfs": {"type": "layers", "diff_ids": [digest(layer)]},
	})
	manifest = compact({
	    "schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
	    "config": {"mediaType": "application/vnd.oci.image.config.v1+json",
	               "digest": digest(config), "size": len(config)},
	    "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip",
	                "digest": digest(layer_gz), "size": len(layer_gz)}],
	})
	index = compact({
	    "schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json",
	    "manifests": [{"mediaType": "application/vnd.oci.image.manifest.v1+json",
	                   "digest": digest(manifest), "size": len(manifest),
	                   "platform": {"architecture": arch, "os": "linux"},
	                   "annotations": {"org.opencontainers.image.ref.name": ref_name}}],
	})
	with tarfile.open(out, "w", format=tarfile.PAX_FORMAT) as tar:
	    entry(tar, "oci-layout", tarfile.REGTYPE, 0o644, b'{"imageLayoutVersion":"1.0.0"}')
	    entry(tar, "blobs", tarfile.DIRTYPE, 0o755)
	    entry(tar, "blobs/sha256", tarfile.DIRTYPE, 0o755)
	    for blob in (layer_gz, config, manifest):
	        entry(tar, "blobs/sha256/" + digest(blob)[len("sha256:"):], tarfile.REGTYPE, 0o644, blob)
	    entry(tar, "index.json", tarfile.REGTYPE, 0o644, index)
	print(digest(manifest))
	EOF
}

# --- oci-harden's settings and a per-image policy --------------------------

settings=$W/oci-harden.json
policy_dir=$W/policies
mkdir -p "$policy_dir"
# A state directory of the test's own, so that it can see what is left. The
# test picks policies with `ctr run --annotation`: it tells oci-harden to
# trust ctr's annotations ("always"), as an operator whose ctr users are
# trusted would (the default trusts only configs a CRI wrote).
printf '{"runtime": "%s", "policy_dir": "%s", "state_dir": "%s", "event_log": "%s", "trust_image_annotations": "always", "observe": "none"}\n' \
	"$RUNC" "$policy_dir" "$W/oci-harden-state" "$W/events.log" >"$settings"
cat >"$policy_dir/ohtest.json" <<-'EOF'
{
  // The test image: uid 0 becomes 1234, and CAP_CHOWN may stay.
  "images": ["docker.io/library/ohtest:*"],
  "capabilities": ["CAP_NET_BIND_SERVICE", "CAP_CHOWN"],
  "user": {"uid": 1234, "gid": 1234}
}
EOF
# CAP_CHOWN is bit 0, CAP_NET_BIND_SERVICE bit 10.
CHOWN_NET_BIND_MASK=0000000000000401

# --- containerd, with the contrib fragment ---------------------------------

fragment=$CONTRIB/containerd/hardened-runtime.toml
# The fragment as shipped, only BinaryName pointed at the binary under test.
# The harness's config.toml has the runc handler already (contrib/README.md:
# a config that names a runtime must name runc too), and the fragment's
# "hardened" table takes the place of the harness's own.
fragment_text=$(sed "s|\"/usr/local/sbin/oci-harden\"|\"$OCI_HARDEN\"|" "$fragment")
grep -qF "BinaryName = \"$OCI_HARDEN\"" <<<"$fragment_text" ||
	bail_out "$fragment does not set BinaryName = \"/usr/local/sbin/oci-harden\" any more"

# The shim inherits containerd's environment: that is how OCI_HARDEN_CONFIG
# reaches the oci-harden it runs.
OCI_HARDEN_CONFIG=$settings daemons_containerd_start "$W/containerd" "$fragment_text" ||
	bail_out "containerd did not start"
if grep -qE '"(/var/lib/containerd|/run/containerd/containerd.sock|/opt/containerd)' "$CONTAINERD_DIR/containerd.toml"; then
	bail_out "the private containerd would use the host's directories"
fi
# The v2 shim keeps runc's state under /run/containerd/runc/NAMESPACE, in
# containerd's own /run.
runc_root=$CONTAINERD_RUN/runc/$namespace
ok "a private containerd is up, with contrib/containerd/hardened-runtime.toml in its config.toml"

cri_status=$(c plugins ls 2>/dev/null | awk '$1 == "io.containerd.grpc.v1" && $2 == "cri" { print $NF }')
is "$cri_status" ok "contrib: the daemon's CRI plugin loads with the fragment"
# The CRI plugin logs the configuration it runs with (Go's %+v of its
# config: "hardened:{Type:... Options:map[BinaryName:...] ...}"): the
# daemon's own reading of the fragment, not a re-parse of the file.
cri_config=$(grep -o 'Start cri plugin with config.*' "$CONTAINERD_DIR/containerd.log" | head -n 1)
if [ -z "$cri_config" ]; then
	skip "contrib: the daemon runs the hardened handler through the runc v2 shim" \
		"this containerd does not log 'Start cri plugin with config'"
	skip "contrib: with BinaryName oci-harden" "no CRI configuration in the log"
else
	hardened_handler=$(printf '%s\n' "$cri_config" | grep -o 'hardened:{[^}]*}' | head -n 1)
	like "$hardened_handler" '^hardened:\{Type:io\.containerd\.runc\.v2 ' \
		"contrib: the daemon runs the hardened handler through the runc v2 shim"
	case $hardened_handler in
	*"Options:map[BinaryName:$OCI_HARDEN]"*) ok "contrib: with BinaryName oci-harden" ;;
	*) not_ok "contrib: with BinaryName oci-harden" "handler: '$hardened_handler'" ;;
	esac
fi

# --- import the image ------------------------------------------------------

if ! digest=$(make_image "$W/ohtest.tar" "${IMAGE##*:}" 2>"$W/make_image.err"); then
	diag_file "$W/make_image.err" "make_image"
	bail_out "could not build the test image"
fi
c images import --base-name "${IMAGE%:*}" "$W/ohtest.tar" >"$W/import.out" 2>&1
rc=$?
is "$rc" 0 "ctr images import of the image built here exits 0"
[ "$rc" -eq 0 ] || diag_file "$W/import.out" "ctr images import"
like "$(c images ls 2>&1)" "^${IMAGE//./\\.}[[:space:]].*$digest" "the image is $IMAGE, $digest"
[ "$rc" -eq 0 ] || bail_out "no image to run"

# probe NAME ID CTR-RUN-OPTION...: `ctr run --rm OPTIONS $IMAGE ID` of the
# probe; stdout to $W/NAME.out, stderr to $W/NAME.err, the exit status in
# PROBE_RC. (Not in a command substitution: its diagnostics are TAP.)
probe()
{
	local name=$1 id=$2
	shift 2
	c run --rm "$@" "$IMAGE" "$id" sh -c "$E2E_PROBE" </dev/null >"$W/$name.out" 2>"$W/$name.err"
	PROBE_RC=$?
	if [ "$PROBE_RC" -ne 0 ] || [ "$(e2e_probe_value "$W/$name.out" probe)" != "done" ]; then
		diag_file "$W/$name.out" "$name stdout"
		diag_file "$W/$name.err" "$name stderr"
	fi
}

# gone ID: neither the container nor its snapshot (ctr names it after the
# container) is left in containerd.
gone()
{
	! c containers list -q 2>/dev/null | grep -qxF "$1" &&
		! c snapshots list 2>/dev/null | awk '{ print $1 }' | grep -qxF "$1"
}

# --- baseline: the image through plain runc --------------------------------

id=ohimg-$$-runc
probe runc "$id"
is "$PROBE_RC" 0 "baseline: ctr run of the image through runc exits 0"
runc_probe=$W/runc.out # its probe output: e2e_probe_value "$runc_probe" KEY
is "$(e2e_probe_value "$runc_probe" uid)" 0 "baseline: uid 0 (the image names no user)"
is "$(e2e_probe_value "$runc_probe" CapBnd)" "$E2E_CONTAINERD_CAPS_MASK" "baseline: containerd's default capabilities"
is "$(e2e_probe_value "$runc_probe" Seccomp)" 0 "baseline: no seccomp"
is "$(e2e_probe_value "$runc_probe" write_root)" yes "baseline: / is writable"

# --- the image through oci-harden ------------------------------------------

id=ohimg-$$-harden
probe harden "$id" --runc-binary "$OCI_HARDEN"
is "$PROBE_RC" 0 \
	"hardened: ctr run --runc-binary oci-harden of the image exits 0"
harden_probe=$W/harden.out # its probe output: e2e_probe_value "$harden_probe" KEY
is "$(e2e_probe_value "$harden_probe" uid):$(e2e_probe_value "$harden_probe" gid)" 65534:65534 "hardened: uid and gid 65534"
is "$(e2e_probe_value "$harden_probe" CapBnd)" "$E2E_NET_BIND_MASK" "hardened: CapBnd is CAP_NET_BIND_SERVICE only"
caps_within "$(e2e_probe_value "$harden_probe" CapEff)" "$E2E_NET_BIND_MASK" "hardened: CapEff holds CAP_NET_BIND_SERVICE at most"
is "$(e2e_probe_value "$harden_probe" NoNewPrivs)" 1 "hardened: NoNewPrivs 1"
is "$(e2e_probe_value "$harden_probe" Seccomp)" 2 "hardened: seccomp filter"
like "$(e2e_probe_value "$harden_probe" root_mount)" '(^|,)ro(,|$)' "hardened: / (the snapshot) is mounted ro"
is "$(e2e_probe_value "$harden_probe" write_root)" no "hardened: / is not writable"
is "$(e2e_probe_value "$harden_probe" write_tmp)" yes "hardened: /tmp is writable"
tmp_options=",$(e2e_probe_value "$harden_probe" tmp_mount),"
if [[ "$tmp_options" == *,nosuid,* && "$tmp_options" == *,nodev,* ]]; then
	ok "hardened: /tmp is nosuid,nodev"
else
	not_ok "hardened: /tmp is nosuid,nodev" "got: '$(e2e_probe_value "$harden_probe" tmp_mount)'"
fi
is "$(e2e_probe_value "$harden_probe" mount)" no "hardened: mount is denied"
if gone "$id"; then
	ok "hardened: --rm leaves neither container nor snapshot"
else
	not_ok "hardened: --rm leaves neither container nor snapshot"
fi

# --- a task's life, through runc and through oci-harden ---------------------

# task_status ID: the STATUS column of `ctr task ls` for ID.
task_status()
{
	c tasks list 2>/dev/null | awk -v id="$1" '$1 == id { print $3 }'
}

# wait_task ID STATUS: up to 5 s for the task to reach STATUS.
wait_task()
{
	local tries=50
	while [ "$tries" -gt 0 ] && [ "$(task_status "$1")" != "$2" ]; do
		sleep 0.1
		tries=$((tries - 1))
	done
}

# lifecycle ID HOOK CTR-RUN-OPTION...: a detached container of the image
# taken through what containerd does with a task: run -d, task ls, ps,
# pause, resume, a plain exec, kill, delete. HOOK (a function, or "true") is
# called with ID while the task runs. LIFECYCLE gets one word per step, with
# the exit status of each command and what `ctr task ls` says between them,
# for runc and oci-harden to be compared. (Not in a command substitution:
# HOOK writes TAP.)
lifecycle()
{
	local id=$1 hook=$2 steps=() rc
	shift 2
	c run -d "$@" "$IMAGE" "$id" sleep 300 </dev/null >"$W/$id.run" 2>&1
	steps+=("run=$?" "ls=$(task_status "$id")")
	[ "${steps[0]}" = run=0 ] || diag_file "$W/$id.run" "ctr run -d"
	c tasks ps "$id" >"$W/$id.ps" 2>&1
	rc=$?
	# The header and one line: the container's one process.
	steps+=("ps=$rc:$(wc -l <"$W/$id.ps")")
	c tasks pause "$id" >/dev/null 2>&1
	steps+=("pause=$?" "ls=$(task_status "$id")")
	c tasks resume "$id" >/dev/null 2>&1
	steps+=("resume=$?" "ls=$(task_status "$id")")
	c tasks exec --exec-id plain "$id" true </dev/null >/dev/null 2>&1
	steps+=("exec=$?")
	"$hook" "$id"
	c tasks kill -s KILL "$id" >/dev/null 2>&1
	steps+=("kill=$?")
	wait_task "$id" STOPPED
	steps+=("ls=$(task_status "$id")")
	# ctr task delete warns of a non-zero exit code: 137, SIGKILL.
	c tasks delete "$id" >/dev/null 2>"$W/$id.delete"
	rc=$?
	steps+=("delete=$rc:$(grep -o 'exit code [0-9]*' "$W/$id.delete" | tr -dc 0-9)")
	c containers delete "$id" >/dev/null 2>&1
	steps+=("container-delete=$?")
	gone "$id" && steps+=(gone) || steps+=(left)
	LIFECYCLE="${steps[*]}"
}

# exec_probe ID EXEC-ID CTR-EXEC-OPTION...: `ctr task exec` of a short probe;
# prints "uid gid CapBnd CapEff NoNewPrivs Seccomp", or the error.
exec_probe()
{
	local id=$1 exec_id=$2
	shift 2
	c tasks exec --exec-id "$exec_id" "$@" "$id" sh -c '
		while read -r key value rest; do
			case "$key" in
			CapBnd:) bnd=$value ;; CapEff:) eff=$value ;;
			NoNewPrivs:) nnp=$value ;; Seccomp:) sec=$value ;;
			esac
		done </proc/self/status
		echo "$(id -u) $(id -g) $bnd $eff $nnp $sec"' </dev/null 2>&1
}

# The execs checked inside the hardened task, under the default policy.
hardened_execs()
{
	local id=$1 out uid gid bnd eff nnp sec
	out=$(exec_probe "$id" e1)
	read -r uid gid bnd eff nnp sec <<<"$out"
	is "$uid:${gid:-}" 65534:65534 "exec: ctr task exec runs as 65534:65534"
	[ "$uid:${gid:-}" = 65534:65534 ] || diag "ctr task exec: $out"
	is "${bnd:-}" "$E2E_NET_BIND_MASK" "exec: CapBnd is CAP_NET_BIND_SERVICE only"
	caps_within "${eff:-}" "$E2E_NET_BIND_MASK" "exec: CapEff holds CAP_NET_BIND_SERVICE at most"
	is "${nnp:-}:${sec:-}" 1:2 "exec: NoNewPrivs 1 and a seccomp filter"
	out=$(exec_probe "$id" e2 --user 0)
	is "${out%% *}" 65534 "exec: ctr task exec --user 0 runs as 65534"
	# ctr resolves 1000, which the image's passwd lacks, to 1000:0.
	out=$(exec_probe "$id" e3 --user 1000)
	is "$(cut -d' ' -f1-2 <<<"$out")" "1000 65534" "exec: --user 1000 stays 1000, its gid 0 becomes 65534"
}

lifecycle "ohimg-$$-life-runc" true
runc_steps=$LIFECYCLE

# strace, where it is there and may trace, watches every execve of
# containerd and of the shims it starts during the hardened task's life.
# Not under the sanitizers (tests/sanitize.sh sets ASAN_OPTIONS):
# LeakSanitizer cannot work in a traced process, and the drift lock's hook,
# a process of oci-harden's that exits, would abort at its leak check.
trace_dir=$W/trace
if command -v strace >/dev/null && [ -z "${ASAN_OPTIONS:-}" ]; then
	mkdir -p "$trace_dir"
	strace -f -ff -qq -e trace=execve -e signal=none -s 4096 -o "$trace_dir/x" \
		-p "$CONTAINERD_PID" 2>"$W/strace.err" &
	strace_pid=$!
	# Attached when containerd's threads show a tracer.
	for _ in $(seq 50); do
		grep -q '^TracerPid:[[:space:]]*[1-9]' "/proc/$CONTAINERD_PID/status" 2>/dev/null && break
		kill -0 "$strace_pid" 2>/dev/null || break
		sleep 0.1
	done
	grep -q '^TracerPid:[[:space:]]*[1-9]' "/proc/$CONTAINERD_PID/status" 2>/dev/null || stop_strace
fi

lifecycle "ohimg-$$-life-harden" hardened_execs --runc-binary "$OCI_HARDEN"
harden_steps=$LIFECYCLE
traced=$([ -n "$strace_pid" ] && echo yes)
stop_strace

like "$harden_steps" '^run=0 ls=RUNNING ps=0:2 pause=0 ls=PAUSED resume=0 ls=RUNNING exec=0 kill=0 ls=STOPPED delete=0:137 container-delete=0 gone$' \
	"lifecycle through oci-harden: run, ls, ps, pause, resume, exec, kill, ls, delete"
is "$harden_steps" "$runc_steps" "lifecycle through oci-harden is the same as through runc"
is "$("$RUNC" --root "$runc_root" list -q 2>/dev/null)" "" "no runc state left behind"
# One directory per runtime root stays; the record per container (in that
# directory) must not. Whatever else the state directory holds (the kernel
# audit marker, on a host that takes no audit records) is not a record.
is "$(find "$W/oci-harden-state" -mindepth 2 -type f 2>/dev/null)" "" "oci-harden forgot every deleted container"

# What the shim ran, from strace's per-process files: the commands given to
# oci-harden, whether each was handed to runc with the same arguments (the
# next execve of that process), and whether the shim ran runc directly.
if [ -n "$traced" ]; then
	"$PYTHON" - "$trace_dir" "$OCI_HARDEN" "$RUNC" >"$W/trace.summary" <<-'EOF'
	import glob, re, sys
	trace_dir, harden, runc = sys.argv[1:]
	line_re = re.compile(r'^execve\("((?:[^"\\]|\\.)*)", \[(.*?)\](?:\.\.\.)?, .*\) = 0$')
	commands = set()
	calls = handed = unchanged = direct = hooks = 0
	known = {"create", "start", "run", "exec", "kill", "delete", "ps", "pause", "resume",
	         "state", "list", "events", "update", "features", "checkpoint", "restore"}
	for path in glob.glob(trace_dir + "/x.*"):
	    execs = []
	    for line in open(path, errors="replace"):
	        m = line_re.match(line.strip())
	        if m:
	            execs.append((m.group(1), re.findall(r'"((?:[^"\\]|\\.)*)"', m.group(2))))
	    for i, (prog, argv) in enumerate(execs):
	        if prog == harden and argv[1:] == ["memfd-noexec"]:
	            # The createRuntime hook oci-harden adds (noexec.c): runc
	            # runs it, not the shim, and it is no runtime command.
	            hooks += 1
	            continue
	        if prog == harden:
	            calls += 1
	            commands.update(a for a in argv[1:] if a in known)
	            if i + 1 < len(execs) and execs[i + 1][0] == runc:
	                handed += 1
	                given, got = argv[1:], execs[i + 1][1][1:]
	                if "exec" in given and "--process" in given:
	                    # An exec's process file is replaced by the process
	                    # oci-harden judged: "--process /proc/self/fd/N"
	                    # just before the id, every other argument as given.
	                    at = given.index("--process")
	                    given = given[:at] + given[at + 2:]
	                    if (len(got) >= 3 and got[-3] == "--process"
	                            and re.match(r"/proc/self/fd/[0-9]+$", got[-2])):
	                        got = got[:-3] + got[-1:]
	                unchanged += got == given
	            else:
	                print("not-handed", " ".join(argv))
	        elif prog == runc and (i == 0 or execs[i - 1][0] != harden):
	            direct += 1
	print("commands", " ".join(sorted(commands)))
	print("harden-calls", calls)
	print("handed", handed)
	print("unchanged", unchanged)
	print("direct", direct)
	print("memfd-hooks", hooks)
	EOF
	tv() { sed -n "s/^$1 //p" "$W/trace.summary"; }
	commands=$(tv commands)
	diag "strace: the shim ran oci-harden for: $commands"
	missing=
	for command in create start exec ps pause resume kill delete; do
		[[ " $commands " == *" $command "* ]] || missing="$missing $command"
	done
	is "${missing# }" "" "strace: the shim runs oci-harden for create, start, exec, ps, pause, resume, kill and delete"
	calls=$(tv harden-calls)
	is "$(tv handed)/$(tv unchanged)" "$calls/$calls" \
		"strace: each of the $calls oci-harden runs became runc with the same arguments (an exec's process file: the judged one)"
	grep '^not-handed' "$W/trace.summary" | head -n 5 | cut -c1-300 | sed 's/^/# /'
	is "$(tv direct)" 0 "strace: the shim never ran runc itself"
	diag "strace: runc ran oci-harden's memfd-noexec hook $(tv memfd-hooks) times (not counted above: no runtime command)"
	if [[ " $commands " == *" features "* ]]; then
		ok "strace: the shim asked oci-harden for its features (handed to runc like the rest)"
	else
		# containerd 1.6's shim has no Info call: `containerd-shim-runc-v2
		# -info`, which runs `BinaryName features`, came with containerd
		# 2.0 (cmd/containerd-shim-runc-v2/manager, manager.Info). Checked
		# directly below instead.
		skip "strace: the shim asks oci-harden for its features" \
			"containerd-shim-runc-v2 $(containerd-shim-runc-v2 -v 2>/dev/null | awk '/Version/ { print $2 }') never runs 'features' (it has no -info; containerd 2.0's shim does)"
	fi
else
	skip "strace: what the shim runs" "no strace here, or it cannot trace containerd ($(head -c 200 "$W/strace.err" 2>/dev/null))"
fi

# --- refusals, as ctr shows them ----------------------------------------------

# refused NAME MESSAGE-REGEX DESCRIPTION CTR-RUN-OPTION...
refused()
{
	local name=$1 message=$2 what=$3 id=ohimg-$$-$1 rc err
	shift 3
	c run --rm --runc-binary "$OCI_HARDEN" "$@" "$IMAGE" "$id" true </dev/null >/dev/null 2>"$W/$name.err"
	rc=$?
	err=$(cat "$W/$name.err")
	isnt "$rc" 0 "refused: $what: ctr run fails"
	like "$err" "OCI runtime create failed: oci-harden: .*/$id/config\.json: refused by policy \"default\": .*$message.* explain $id on host " \
		"refused: $what: ctr's error is oci-harden's message, with the command that explains it"
	if gone "$id"; then
		ok "refused: $what: nothing is left in containerd"
	else
		not_ok "refused: $what: nothing is left in containerd"
	fi
}

refused privileged 'privileged container' "--privileged" --privileged
refused net-host 'no network namespace' "--net-host" --net-host
refused bind-etc 'bind mount of host /etc' "a bind mount of /etc" \
	--mount type=bind,src=/etc,dst=/host-etc,options=rbind:ro
# containerd's network namespace is the host's (the one oci-harden runs
# in, the engine's own here), joined by path.
refused with-ns "/proc/$CONTAINERD_PID/ns/net is the host's own network namespace" "--with-ns network:/proc/PID/ns/net" \
	--with-ns "network:/proc/$CONTAINERD_PID/ns/net"
refused rootfs-shared 'shared root propagation' "--rootfs-propagation shared" --rootfs-propagation shared
# The kernel's log device: a host device no container has by default. (ctr
# --device /dev/null names a device every container has anyway: it runs.)
refused device 'host device /dev/kmsg is refused' "--device /dev/kmsg" --device /dev/kmsg
is "$("$RUNC" --root "$runc_root" list -q 2>/dev/null)" "" "refused: runc never created them"

probe standard-device "ohimg-$$-standard-device" --runc-binary "$OCI_HARDEN" --device /dev/null
is "$PROBE_RC" 0 "ctr run --device /dev/null (a device runc gives every container) runs hardened"
is "$(e2e_probe_value "$W/standard-device.out" uid)" 65534 "  and as the policy's uid"

# What ctr can loosen without a refusal is undone: an added capability is
# dropped, --allow-new-privs still gets NoNewPrivs.
probe loosened "ohimg-$$-loosened" --runc-binary "$OCI_HARDEN" --cap-add CAP_SYS_ADMIN --allow-new-privs
is "$PROBE_RC" 0 "loosened: ctr run --cap-add CAP_SYS_ADMIN --allow-new-privs exits 0"
is "$(e2e_probe_value "$W/loosened.out" CapBnd)" "$E2E_NET_BIND_MASK" "loosened: CAP_SYS_ADMIN is dropped"
is "$(e2e_probe_value "$W/loosened.out" NoNewPrivs)" 1 "loosened: NoNewPrivs 1 all the same"

# --- per-image policy by the image annotation ----------------------------

annotation=io.kubernetes.cri.image-name
probe policy "ohimg-$$-policy" --runc-binary "$OCI_HARDEN" --annotation "$annotation=$IMAGE"
is "$PROBE_RC" 0 \
	"policy: ctr run --annotation $annotation=$IMAGE exits 0"
policy_probe=$W/policy.out # its probe output: e2e_probe_value "$policy_probe" KEY
is "$(e2e_probe_value "$policy_probe" uid):$(e2e_probe_value "$policy_probe" gid)" 1234:1234 "policy: the image's policy makes root 1234:1234"
is "$(e2e_probe_value "$policy_probe" CapBnd)" "$CHOWN_NET_BIND_MASK" "policy: CapBnd is CAP_CHOWN and CAP_NET_BIND_SERVICE"
is "$(e2e_probe_value "$policy_probe" NoNewPrivs):$(e2e_probe_value "$policy_probe" Seccomp):$(e2e_probe_value "$policy_probe" write_root):$(e2e_probe_value "$policy_probe" write_tmp)" 1:2:no:yes \
	"policy: the rest of the default stays (NoNewPrivs, seccomp, read-only /, writable /tmp)"

# The annotation is read fully qualified: ohtest:1 is docker.io/library/ohtest:1.
probe policy-short "ohimg-$$-policy-short" --runc-binary "$OCI_HARDEN" --annotation "$annotation=ohtest:1"
is "$PROBE_RC" 0 \
	"policy: ctr run --annotation $annotation=ohtest:1 exits 0"
is "$(e2e_probe_value "$W/policy-short.out" uid)" 1234 "policy: ohtest:1 is matched as $IMAGE"

probe policy-other "ohimg-$$-policy-other" --runc-binary "$OCI_HARDEN" --annotation "$annotation=docker.io/library/other:1"
is "$PROBE_RC" 0 \
	"policy: ctr run --annotation $annotation=docker.io/library/other:1 exits 0"
is "$(e2e_probe_value "$W/policy-other.out" uid):$(e2e_probe_value "$W/policy-other.out" CapBnd)" \
	"65534:$E2E_NET_BIND_MASK" "policy: an image no policy names gets the default"

# exec in a container created under the image's policy gets that policy.
id=ohimg-$$-policy-exec
c run -d --runc-binary "$OCI_HARDEN" --annotation "$annotation=$IMAGE" "$IMAGE" "$id" sleep 300 \
	</dev/null >"$W/policy-exec.out" 2>&1
is "$?" 0 "policy: ctr run -d with the annotation exits 0"
out=$(exec_probe "$id" e1)
is "$(cut -d' ' -f1-3 <<<"$out")" "1234 1234 $CHOWN_NET_BIND_MASK" \
	"policy: ctr task exec runs as 1234:1234 with the policy's CapBnd"
c tasks kill -s KILL "$id" >/dev/null 2>&1
wait_task "$id" STOPPED
c tasks delete "$id" >/dev/null 2>&1
c containers delete "$id" >/dev/null 2>&1
is "$?" 0 "policy: the container is deleted"

# --- features ------------------------------------------------------------------

# answers_as NAME SETTINGS RUNTIME DESCRIPTION: `oci-harden features`, with
# SETTINGS, answers exactly as RUNTIME does: stdout and stderr byte for byte,
# and the exit status.
answers_as()
{
	local name=$1 settings_file=$2 runtime=$3 what=$4 want got
	OCI_HARDEN_CONFIG=$settings_file "$OCI_HARDEN" features >"$W/$name.oh.out" 2>"$W/$name.oh.err"
	got=$?
	(cd "$W" && "$runtime" features) >"$W/$name.rt.out" 2>"$W/$name.rt.err"
	want=$?
	is "$got" "$want" "features: $what: the same exit status ($want)"
	if cmp -s "$W/$name.oh.out" "$W/$name.rt.out" && cmp -s "$W/$name.oh.err" "$W/$name.rt.err"; then
		ok "features: $what: the same output, byte for byte"
	else
		not_ok "features: $what: the same output, byte for byte"
		diag_file "$W/$name.oh.out" "oci-harden stdout"
		diag_file "$W/$name.oh.err" "oci-harden stderr"
		diag_file "$W/$name.rt.out" "$runtime stdout"
		diag_file "$W/$name.rt.err" "$runtime stderr"
	fi
}

answers_as runc "$settings" "$RUNC" "runc as the runtime"
like "$(e2e_json_get "$W/runc.oh.out" 'd.get("ociVersionMin", "")' 2>&1)" '^1\.' \
	"features: runc's answer is its features document (ociVersionMin)"

# --- crun as the real runtime ----------------------------------------------

# crun 1.8 refuses to run a container on a hybrid cgroup host (cgroup v1
# controllers and a cgroup2 hierarchy at /sys/fs/cgroup/unified that has
# controllers of its own): libcrun_cgroup_enter fails with "cgroups in hybrid
# mode not supported, drop all controllers from cgroupv2" before it looks at
# the cgroup manager, so no option (not even --cgroup-manager=disabled) and
# no environment variable gets past it. crun decides the mode by statfs of
# /sys/fs/cgroup/unified (libcrun/cgroup-utils.c, detect_cgroup_mode): where
# that is not a cgroup2 mount the host is "legacy", which crun supports. So,
# where the first try meets that refusal, crun runs again in a mount
# namespace of its own in which /sys/fs/cgroup/unified is unmounted; the
# host's mounts are untouched.
if [ -z "$CRUN" ]; then
	skip "crun" "crun is not installed (tests/install-deps.sh)"
else
	crun_settings=$W/oci-harden-crun.json
	printf '{"runtime": "%s", "state_dir": "%s", "event_log": "%s", "observe": "none"}\n' "$CRUN" "$W/oci-harden-state-crun" "$W/events-crun.log" >"$crun_settings"
	answers_as crun "$crun_settings" "$CRUN" "crun as the runtime"

	bundle=$W/crun-bundle
	e2e_make_bundle "$bundle" sh -c "$E2E_PROBE" || bail_out "could not make a bundle"
	cp "$bundle/config.json" "$W/crun-config.json"

	# crun_harden NAME [unshare]: oci-harden, with crun as the runtime and
	# crun's global options among runc's, runs the probe bundle afresh
	# (--cgroup-manager with its value as the next argument, as argp allows).
	# stdout to $W/NAME.out, stderr to $W/NAME.err, oci-harden's and crun's
	# log to $W/NAME.log; the exit status in CRUN_RC.
	crun_harden()
	{
		local name=$1 id=ohimg-$$-$1 wrap=()
		crun_ids+=("$id")
		cp "$W/crun-config.json" "$bundle/config.json"
		[ "${2:-}" = unshare ] &&
			wrap=(unshare --mount --propagation private -- sh -c 'umount /sys/fs/cgroup/unified && exec "$@"' sh)
		OCI_HARDEN_CONFIG=$crun_settings "${wrap[@]}" "$OCI_HARDEN" --debug --log "$W/$name.log" \
			--log-format=json --cgroup-manager disabled --rootless=false --root "$CRUN_ROOT" \
			run --bundle "$bundle" "$id" </dev/null >"$W/$name.out" 2>"$W/$name.err"
		CRUN_RC=$?
	}

	crun_mode=
	crun_try=crun-host
	crun_harden "$crun_try"
	if [ "$CRUN_RC" -eq 0 ]; then
		crun_mode=$crun_try
	elif grep -q 'hybrid mode not supported' "$W/crun-host.err" "$W/crun-host.log" 2>/dev/null; then
		diag "crun refuses this hybrid cgroup host: $(grep -ho 'cgroups in hybrid mode[^"]*' "$W/crun-host.err" "$W/crun-host.log" | head -n 1)" \
			"running it again with /sys/fs/cgroup/unified unmounted in a mount namespace of its own"
		if command -v unshare >/dev/null; then
			crun_try=crun-unshare
			crun_harden "$crun_try" unshare
			if [ "$CRUN_RC" -eq 0 ]; then
				crun_mode=$crun_try
			elif grep -q 'umount' "$W/$crun_try.err"; then
				crun_mode=none
				diag_file "$W/$crun_try.err" stderr
			fi
		else
			crun_mode=none
		fi
	fi
	if [ "$crun_mode" = none ]; then
		skip "crun: a container through oci-harden" \
			"crun refuses this hybrid cgroup host, and /sys/fs/cgroup/unified cannot be hidden from it here"
	elif [ -z "$crun_mode" ]; then
		not_ok "crun: oci-harden with crun's global options runs the container (exit $CRUN_RC)"
		diag_file "$W/$crun_try.err" stderr
		diag_file "$W/$crun_try.log" "runtime log"
	else
		ok "crun: oci-harden with crun's global options runs the container ($crun_mode)"
		crun_probe=$W/$crun_mode.out
		[ "$(e2e_probe_value "$crun_probe" probe)" = "done" ] || diag_file "$W/$crun_mode.out" stdout
		is "$(e2e_probe_value "$crun_probe" uid):$(e2e_probe_value "$crun_probe" gid)" 65534:65534 "crun: uid and gid 65534"
		is "$(e2e_probe_value "$crun_probe" CapBnd)" "$E2E_NET_BIND_MASK" "crun: CapBnd is CAP_NET_BIND_SERVICE only"
		is "$(e2e_probe_value "$crun_probe" NoNewPrivs):$(e2e_probe_value "$crun_probe" Seccomp)" 1:2 "crun: NoNewPrivs 1 and a seccomp filter"
		is "$(e2e_probe_value "$crun_probe" write_root):$(e2e_probe_value "$crun_probe" write_tmp)" no:yes "crun: / is read-only, /tmp writable"
		is "$(e2e_json_get "$bundle/config.json" 'd["process"]["user"]["uid"]')" 65534 \
			"crun: the bundle's config.json is the hardened one"
	fi

	# A refusal stops before crun, with crun's options parsed the same way.
	cp "$W/crun-config.json" "$bundle/config.json"
	"$PYTHON" - "$bundle/config.json" <<-'EOF'
	import json, sys
	with open(sys.argv[1]) as f:
	    spec = json.load(f)
	spec["linux"]["namespaces"] = [n for n in spec["linux"]["namespaces"] if n["type"] != "network"]
	with open(sys.argv[1], "w") as f:
	    json.dump(spec, f, separators=(",", ":"))
	EOF
	before=$(e2e_sha256 "$bundle/config.json")
	id=ohimg-$$-crun-refused
	crun_ids+=("$id")
	OCI_HARDEN_CONFIG=$crun_settings "$OCI_HARDEN" --cgroup-manager=disabled --systemd-cgroup \
		--log "$W/crun-refused.log" --log-format json --root "$CRUN_ROOT" create --bundle "$bundle" "$id" \
		</dev/null >/dev/null 2>"$W/crun-refused.err"
	is "$?" 1 "crun: a host-network container is refused (exit 1)"
	like "$(cat "$W/crun-refused.log" 2>/dev/null)" '"level":"error","msg":"oci-harden: .*no network namespace' \
		"crun: the refusal is in the --log file, as JSON"
	is "$(e2e_sha256 "$bundle/config.json")" "$before" "crun: config.json is left as it was"
	if "$CRUN" --root "$CRUN_ROOT" state "$id" >/dev/null 2>&1; then
		not_ok "crun: crun never created the refused container"
	else
		ok "crun: crun never created the refused container"
	fi
fi

tap_done
