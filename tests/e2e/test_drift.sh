#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# The drift lock (issue 16, prevention), tried from inside real containers
# as an attacker would: a program written after the container started is
# run from the tmpfs on /tmp that the default policy adds, from a writable
# volume (a bind mount of a host directory), through the dynamic loader
# from both, and as a memfd (probes/exec_probe.c, built here statically:
# memfd_create, then execveat(AT_EMPTY_PATH), fexecve(3) or
# execve("/proc/self/fd/N")).
# - Through plain runc every one of them runs (so the probes are real).
# - Through oci-harden, with runc and with crun, under the default policy,
#   none runs; the image's own programs do, directly and through the
#   loader, and /tmp is still writable. An exec into the running container
#   cannot run a memfd either, nor can a container whose root is not the
#   host's (a user namespace: the hook writes vm.memfd_noexec from outside);
#   the container cannot lower vm.memfd_noexec, and the host's is left as it
#   was. What oci-harden-policy(5) says noexec does
#   not stop is checked too, so that the page stays true: a script an
#   image's shell reads, and the loader given a memfd.
# - allow.exec_paths and allow.exec_memfd lift exactly what they name.
# - A writable root is refused unless allow.exec_paths names "/".
# - `oci-harden diff` shows each noexec change with its reason.
# crun 1.8 runs here only in a mount namespace that hides the host's
# cgroup2 hierarchy, with --cgroup-manager disabled (as test_mounts.sh).
set -u
. "$(dirname "$0")/lib.sh"

e2e_require_host
e2e_require_binary
command -v gcc >/dev/null || skip_all "gcc is not installed (tests/install-deps.sh)"
LOADER=/lib64/ld-linux-x86-64.so.2
[ -e "$LOADER" ] && [ -e /lib/x86_64-linux-gnu/libc.so.6 ] ||
	skip_all "this host has no x86-64 glibc loader to put in the image"
e2e_setup drift

W=$E2E_WORK
CRUN=$(command -v crun || true)
CRUN_ROOT=$W/crun-root
crun_ids=()

finish()
{
	local id
	if [ -n "$CRUN" ]; then
		for id in "${crun_ids[@]}"; do
			"$CRUN" --root "$CRUN_ROOT" delete --force "$id" >/dev/null 2>&1
		done
	fi
	e2e_cleanup
}
trap finish EXIT

HOST_MEMFD_NOEXEC=$(cat /proc/sys/vm/memfd_noexec 2>/dev/null)
gcc -static -O2 -Wall -Werror -o "$W/exec_probe" "$E2E_LIB_DIR/probes/exec_probe.c" 2>"$W/gcc.err" || {
	diag_file "$W/gcc.err" gcc
	bail_out "could not build tests/e2e/probes/exec_probe.c statically (libc6-dev)"
}

# What every container runs: key=value lines, "ran" where the program it
# tried to run ran.
PROBE='
try() { key=$1; shift; out=$("$@" 2>&1 | tr "\n" " "); case $out in *"$key=ran"*) echo "$key=ran" ;; *) echo "$key=refused: $out" ;; esac; }
try tmp-exec sh -c "cp /bin/busybox /tmp/busybox && echo copied && exec /tmp/busybox echo tmp-exec=ran"
try volume-exec sh -c "cp /bin/busybox /data/busybox && echo copied && exec /data/busybox echo volume-exec=ran"
try loader-tmp sh -c "cp /usr/local/bin/dyn-echo /tmp/de && echo copied && exec '"$LOADER"' /tmp/de loader-tmp=ran"
try loader-volume sh -c "cp /usr/local/bin/dyn-echo /data/de && echo copied && exec '"$LOADER"' /data/de loader-volume=ran"
for how in execveat fexecve proc; do
	try memfd-$how /usr/local/bin/exec_probe memfd $how /bin/busybox echo memfd-$how=ran
done
try image-exec /bin/busybox echo image-exec=ran
try image-loader '"$LOADER"' /usr/local/bin/dyn-echo image-loader=ran
echo "tmp-write=$(echo written >/tmp/w && cat /tmp/w)"
try interpreter sh -c "printf \"echo interpreter=ran\\n\" >/tmp/s.sh && sh /tmp/s.sh"
try memfd-loader /usr/local/bin/exec_probe memfd-loader '"$LOADER"' /usr/local/bin/dyn-echo memfd-loader=ran
echo "memfd-sysctl=$( (echo 0 >/proc/sys/vm/memfd_noexec) 2>/dev/null; cat /proc/sys/vm/memfd_noexec)"
echo "done=yes"
'
WRITTEN="tmp-exec volume-exec loader-tmp loader-volume memfd-execveat memfd-fexecve memfd-proc"

# The bundle: a containerd-like config (root user, a writable root, no
# seccomp) with a volume, a writable host directory, at /data; the image
# has the probe, the loader, its libc and a program linked against it.
mkdir -p "$W/volume"
chmod 1777 "$W/volume"
e2e_make_bundle "$W/drift" sh -c "$PROBE" || bail_out "could not build the bundle"
rootfs=$W/drift/rootfs
mkdir -p "$rootfs/usr/local/bin" "$rootfs/lib64" "$rootfs/lib/x86_64-linux-gnu" "$rootfs/data"
cp "$W/exec_probe" "$rootfs/usr/local/bin/exec_probe"
cp "$(readlink -f "$LOADER")" "$rootfs$LOADER"
cp "$(readlink -f /lib/x86_64-linux-gnu/libc.so.6)" "$rootfs/lib/x86_64-linux-gnu/libc.so.6"
cp /bin/echo "$rootfs/usr/local/bin/dyn-echo"
"$PYTHON" - "$W/drift/config.json" "$W/volume" <<-'EOF'
import json, sys
path, volume = sys.argv[1], sys.argv[2]
spec = json.load(open(path))
spec["mounts"].append({"destination": "/data", "type": "bind", "source": volume,
                       "options": ["rbind", "rprivate", "rw"]})
json.dump(spec, open(path, "w"), separators=(",", ":"))
EOF
cp "$W/drift/config.json" "$W/drift.config.json"

mkdir -p "$W/policies"
settings=$W/oci-harden.json
e2e_write_settings "$settings" "\"policy_dir\": \"$W/policies\""
crun_settings=$W/oci-harden-crun.json
E2E_SETTINGS_RUNTIME=$CRUN e2e_write_settings "$crun_settings" \
	"\"policy_dir\": \"$W/policies\", \"state_dir\": \"$W/state-crun\""

# value FILE KEY: KEY's value in a probe's output.
value()
{
	sed -n "s/^$2=//p" "$1" | tail -n 1
}

# CRUN_WRAP: how crun can run here (set by the first container through it).
CRUN_WRAP=()
crun_mode=

# harden RUNTIME NAME [POLICY]: the bundle (config.json as saved) through
# oci-harden with RUNTIME, under POLICY (default: the default policy);
# stdout in $W/NAME.RUNTIME.out, the --log file $W/NAME.RUNTIME.log, the
# exit status in HARDEN_RC.
harden()
{
	local runtime=$1 name=$2 policy=${3:-default} id
	cp "$W/drift.config.json" "$W/drift/config.json"
	rm -f "$W/$name.$runtime.log"
	# Each container starts with an empty volume: a file an earlier one
	# left there (as another user) could not be written over.
	rm -f "$W/volume"/*
	if [ "$runtime" = runc ]; then
		id=$(e2e_id "$name")
		OCI_HARDEN_CONFIG=$settings "$OCI_HARDEN_AS" --root "$E2E_RUNC_ROOT" \
			--log "$W/$name.runc.log" --log-format json run --bundle "$W/drift" "$id" \
			</dev/null >"$W/$name.runc.out" 2>"$W/$name.runc.err"
	else
		id=ohdrift-$$-$name
		crun_ids+=("$id")
		OCI_HARDEN_CONFIG=$crun_settings "${CRUN_WRAP[@]}" "$OCI_HARDEN_AS" \
			--log "$W/$name.crun.log" --log-format=json --cgroup-manager disabled \
			--root "$CRUN_ROOT" run --bundle "$W/drift" "$id" \
			</dev/null >"$W/$name.crun.out" 2>"$W/$name.crun.err"
	fi
	HARDEN_RC=$?
}

# A link oci-harden@POLICY names the policy (oci-harden(8), RUNTIME ENTRIES).
as_policy()
{
	OCI_HARDEN_AS=$W/bin/oci-harden@$1
	mkdir -p "$W/bin"
	ln -sf "$OCI_HARDEN" "$OCI_HARDEN_AS"
}
as_policy default

# --- through plain runc every attempt runs ---------------------------------------

id=$(e2e_id plain)
"$RUNC" --root "$E2E_RUNC_ROOT" run --bundle "$W/drift" "$id" </dev/null >"$W/plain.out" 2>"$W/plain.err"
is "$(value "$W/plain.out" done)" yes "plain runc: the probe ran to its end"
for key in $WRITTEN image-exec image-loader interpreter memfd-loader; do
	is "$(value "$W/plain.out" "$key")" ran "plain runc: $key runs (the probe is real)"
done

# --- the default policy --------------------------------------------------------------

# default_suite RUNTIME
default_suite()
{
	local rt=$1 out key
	out=$W/default.$rt.out
	harden "$rt" default
	is "$HARDEN_RC" 0 "$rt: the container runs under the default policy"
	[ "$HARDEN_RC" -eq 0 ] || diag_file "$W/default.$rt.log" "--log file"
	is "$(value "$out" done)" yes "$rt: the probe ran to its end"
	# Written, then refused by the kernel: not a copy that failed.
	for key in tmp-exec volume-exec; do
		like "$(value "$out" "$key")" '^refused: copied sh: .*/busybox: Permission denied' \
			"$rt: $key does not run"
	done
	for key in loader-tmp loader-volume; do
		like "$(value "$out" "$key")" '^refused: copied .*/de: failed to map segment from shared object' \
			"$rt: $key does not run"
	done
	for key in memfd-execveat memfd-fexecve memfd-proc; do
		like "$(value "$out" "$key")" "^refused: .*exec_probe: ${key#memfd-}: Permission denied" \
			"$rt: $key does not run"
	done
	is "$(value "$out" image-exec)" ran "$rt: the image's programs run"
	is "$(value "$out" image-loader)" ran "$rt: ... and through the loader"
	is "$(value "$out" tmp-write)" written "$rt: /tmp is still writable"
	is "$(value "$out" memfd-sysctl)" 2 "$rt: vm.memfd_noexec is 2 in the container, which cannot lower it"
	# What the man page says noexec does not stop.
	is "$(value "$out" interpreter)" ran "$rt: (a script an image's shell reads still runs, as documented)"
	is "$(value "$out" memfd-loader)" ran "$rt: (the loader given a memfd still maps it, as documented)"
}

default_suite runc

if [ -z "$CRUN" ]; then
	crun_mode=none
	skip "crun" "crun is not installed (tests/install-deps.sh)"
else
	harden crun probe
	if [ "$HARDEN_RC" -ne 0 ] && grep -q 'hybrid mode not supported' "$W/probe.crun.err" "$W/probe.crun.log" 2>/dev/null; then
		CRUN_WRAP=(unshare --mount --propagation private -- sh -c 'umount /sys/fs/cgroup/unified && exec "$@"' sh)
		harden crun probe
	fi
	if [ "$HARDEN_RC" -eq 0 ]; then
		crun_mode=yes
		default_suite crun
	else
		crun_mode=none
		not_ok "crun: the container runs through oci-harden with crun (exit $HARDEN_RC)"
		diag_file "$W/probe.crun.err" stderr
		diag_file "$W/probe.crun.log" "--log file"
	fi
fi

# runtimes: runc, and crun where it runs here.
runtimes()
{
	echo runc
	[ "$crun_mode" = yes ] && echo crun
}

# --- a container with a user namespace -------------------------------------------

# Its root is not the host's root, and the kernel lets only the host's root
# write vm.memfd_noexec: the hook writes it from outside (createRuntime),
# not from inside (createContainer). The bundle must be reachable by the
# mapped uids: the work directory is 0700.
chmod 711 "$W" "$W/drift"
"$PYTHON" - "$W/drift.config.json" "$W/userns.config.json" <<-'EOF'
import json, sys
spec = json.load(open(sys.argv[1]))
spec["linux"]["namespaces"].append({"type": "user"})
for key in ("uidMappings", "gidMappings"):
    spec["linux"][key] = [{"containerID": 0, "hostID": 100000, "size": 65536}]
spec["mounts"] = [m for m in spec["mounts"] if m["destination"] not in ("/data", "/sys/fs/cgroup")]
json.dump(spec, open(sys.argv[2], "w"))
EOF
cp "$W/userns.config.json" "$W/drift/config.json"
id=$(e2e_id userns)
OCI_HARDEN_CONFIG=$settings "$OCI_HARDEN" --root "$E2E_RUNC_ROOT" --log "$W/userns.log" --log-format json \
	run --bundle "$W/drift" "$id" </dev/null >"$W/userns.out" 2>"$W/userns.err"
rc=$?
is "$rc" 0 "user namespace: the container runs under the default policy"
[ "$rc" -eq 0 ] || diag_file "$W/userns.log" "--log file"
is "$(value "$W/userns.out" done)" yes "user namespace: the probe ran to its end"
for key in memfd-execveat memfd-fexecve memfd-proc; do
	like "$(value "$W/userns.out" "$key")" "^refused: .*exec_probe: ${key#memfd-}: Permission denied" \
		"user namespace: $key does not run"
done
like "$(value "$W/userns.out" tmp-exec)" '^refused: copied sh: .*/busybox: Permission denied' \
	"user namespace: tmp-exec does not run"
is "$(value "$W/userns.out" image-exec)" ran "user namespace: the image's programs run"
chmod 700 "$W" "$W/drift"
is "$(cat /proc/sys/vm/memfd_noexec)" "$HOST_MEMFD_NOEXEC" "the host's vm.memfd_noexec is as it was"

# --- an exec into the running container -------------------------------------------

id=$(e2e_id exec)
"$PYTHON" - "$W/drift.config.json" "$W/exec.config.json" <<-'EOF'
import json, sys
spec = json.load(open(sys.argv[1]))
spec["process"]["args"] = ["sleep", "60"]
json.dump(spec, open(sys.argv[2], "w"))
EOF
cp "$W/exec.config.json" "$W/drift/config.json"
OCI_HARDEN_CONFIG=$settings "$OCI_HARDEN" --root "$E2E_RUNC_ROOT" run -d --bundle "$W/drift" "$id" \
	</dev/null >"$W/exec-run.out" 2>"$W/exec-run.err"
is "$?" 0 "exec: a hardened container runs detached"
out=$(OCI_HARDEN_CONFIG=$settings "$OCI_HARDEN" --root "$E2E_RUNC_ROOT" exec "$id" \
	/usr/local/bin/exec_probe memfd proc /bin/busybox echo exec-memfd=ran 2>&1)
like "$out" 'exec_probe: proc: Permission denied' "exec: an exec'd process cannot run a memfd either (its pid namespace's)"
out=$(OCI_HARDEN_CONFIG=$settings "$OCI_HARDEN" --root "$E2E_RUNC_ROOT" exec "$id" /bin/busybox echo exec-image=ran 2>&1)
is "$out" exec-image=ran "exec: ... and runs the image's programs"
"$RUNC" --root "$E2E_RUNC_ROOT" kill "$id" KILL >/dev/null 2>&1
"$RUNC" --root "$E2E_RUNC_ROOT" delete --force "$id" >/dev/null 2>&1

# --- the policy lifts exactly what it names -------------------------------------

cat >"$W/policies/lifted.json" <<-'EOF'
{"allow": {"exec_paths": ["/data"], "exec_memfd": true}}
EOF
as_policy lifted
for rt in $(runtimes); do
	harden "$rt" lifted lifted
	is "$HARDEN_RC" 0 "$rt: lifted: the container runs"
	out=$W/lifted.$rt.out
	for key in volume-exec loader-volume memfd-execveat memfd-fexecve memfd-proc; do
		is "$(value "$out" "$key")" ran "$rt: lifted: $key runs (allow.exec_paths /data, allow.exec_memfd)"
	done
	for key in tmp-exec loader-tmp; do
		like "$(value "$out" "$key")" '^refused: copied ' "$rt: lifted: $key still does not run"
	done
done

# --- a writable root ---------------------------------------------------------------

cat >"$W/policies/writable-root.json" <<-'EOF'
{"readonly_rootfs": false}
EOF
cat >"$W/policies/writable-root-exec.json" <<-'EOF'
{"readonly_rootfs": false, "allow": {"exec_paths": ["/"]}}
EOF
for rt in $(runtimes); do
	as_policy writable-root
	harden "$rt" writable-root
	isnt "$HARDEN_RC" 0 "$rt: a writable root is refused"
	like "$(cat "$W/writable-root.$rt.log" 2>/dev/null)" \
		'refused by policy \\"writable-root\\": noexec: root.readonly: the root filesystem is writable, and a root cannot be noexec' \
		"$rt: ... and the --log file says why"
	is "$(value "$W/writable-root.$rt.out" done)" "" "$rt: ... and the probe never ran"
	as_policy writable-root-exec
	harden "$rt" writable-root-exec
	is "$HARDEN_RC" 0 "$rt: with \"/\" in allow.exec_paths it runs"
done
as_policy default

# --- oci-harden diff shows each decision with its reason --------------------------

cp "$W/drift.config.json" "$W/drift/config.json"
OCI_HARDEN_CONFIG=$settings "$OCI_HARDEN" diff "$W/drift" >"$W/diff.out" 2>"$W/diff.err"
diff_out=$(cat "$W/diff.out")
like "$diff_out" '# change: noexec: mounts\[[0-9]+\]\.options: the tmpfs at /tmp is writable: noexec, so that nothing written there can be executed' \
	"diff: the tmpfs on /tmp, noexec, and why"
like "$diff_out" '# change: noexec: mounts\[[0-9]+\]\.options: the tmpfs at /dev is writable: noexec' \
	"diff: /dev"
like "$diff_out" '# change: noexec: mounts\[[0-9]+\]\.options: the bind mount at /data is writable: rnoexec' \
	"diff: the volume"
like "$diff_out" '# change: noexec: hooks\.createRuntime\[0\]: memfds cannot be executed: a createRuntime hook sets vm\.memfd_noexec to 2' \
	"diff: the memfd hook"
like "$diff_out" '# change: noexec: root\.readonly: the root filesystem is read-only, which the drift lock needs as well' \
	"diff: the read-only root, which the drift lock needs as well"
like "$diff_out" '"rnoexec"' "diff: the unified diff has the new option"

tap_done
