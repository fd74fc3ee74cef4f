#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Observation with real runc and the real kernel (eBPF): what containers do
# in audit mode (capabilities, denied syscalls, writes, users, raised
# privileges, files run that the image did not have), attributed to each of
# many containers running at once; what enforce mode denies; `suggest`
# turning it into the narrowest policies, `check --events` judging policies
# by it, and the suggested policies enforced. Without the facility, said
# once, and the writable layer still recorded.
set -u
. "$(dirname "$0")/lib.sh"

e2e_require_host
e2e_require_binary
e2e_setup observe

HELPER=$(dirname "$OCI_HARDEN")/oci-harden-observe
[ -x "$HELPER" ] || skip_all "oci-harden-observe was not built (meson option observe)"
[ -r /sys/kernel/btf/vmlinux ] || skip_all "the kernel has no BTF"

events=$E2E_WORK/events.log
mkdir -p "$E2E_WORK/audit-policies" "$E2E_WORK/none"
echo '{"mode": "audit"}' >"$E2E_WORK/audit-policies/default.json"
common="\"event_log\": \"$events\", \"state_dir\": \"$E2E_WORK/state\", \"observe_startup_seconds\": 30"
e2e_write_settings "$E2E_WORK/audit.json" \
	"\"policy_dir\": \"$E2E_WORK/audit-policies\", $common, $(e2e_observe_settings)"
e2e_write_settings "$E2E_WORK/enforce.json" \
	"\"policy_dir\": \"$E2E_WORK/none\", $common, $(e2e_observe_settings)"
e2e_write_settings "$E2E_WORK/enforce-always.json" \
	"\"policy_dir\": \"$E2E_WORK/none\", $common, $(e2e_observe_settings), \"observe_enforce_syscalls\": \"always\""

# The image: busybox, a user "app" (1000), a setuid copy of busybox, the
# directories the entrypoints write in, and an entrypoint shaped like the
# Docker Hub ones: as root it prepares, then drops to its user.
rootfs=$E2E_WORK/rootfs
e2e_make_rootfs "$rootfs" || bail_out "could not build a root filesystem"
echo 'app:x:1000:1000:app:/nonexistent:/bin/sh' >>"$rootfs/etc/passwd"
echo 'app:x:1000:' >>"$rootfs/etc/group"
mkdir -p "$rootfs/var/lib/app" "$rootfs/run/app" "$rootfs/usr/local/bin"
chmod 1777 "$rootfs/run/app"
cp "$rootfs/bin/busybox" "$rootfs/usr/local/bin/suid-busybox"
chmod 4755 "$rootfs/usr/local/bin/suid-busybox"
cat >"$rootfs/usr/local/bin/entrypoint" <<'EOF'
#!/bin/sh
# as root: prepare what the user writes, then become the user
if [ "$(id -u)" = 0 ]; then
	mkdir -p /var/lib/app/cache && chown app:app /var/lib/app/cache
	exec su -s /bin/sh app -c "exec $0 $*"
fi
echo "$$" >/run/app/app.pid
echo "uid=$(id -u)"
exec "$@"
EOF
chmod 755 "$rootfs/usr/local/bin/entrypoint"

# bundle NAME IMAGE ARG...: a bundle of that image (CRI annotations, so
# that oci-harden believes the image name), sharing the root filesystem's
# files by copy.
bundle()
{
	local dir=$E2E_WORK/$1 image=$2
	shift 2
	mkdir -p "$dir"
	cp -a "$rootfs" "$dir/rootfs"
	rm -f "$dir/config.json"
	(cd "$dir" && "$RUNC" spec) || return 1
	E2E_CAPS="$E2E_CONTAINERD_CAPS" "$PYTHON" - "$dir/config.json" "$image" "$@" <<-'PY'
	import json, os, sys
	path, image, args = sys.argv[1], sys.argv[2], sys.argv[3:]
	spec = json.load(open(path))
	caps = os.environ["E2E_CAPS"].split()
	p = spec["process"]
	p.update(terminal=False, args=args, user={"uid": 0, "gid": 0})
	p["capabilities"] = {"bounding": caps, "effective": caps, "permitted": caps}
	p.pop("noNewPrivileges", None)
	spec["root"] = {"path": "rootfs", "readonly": False}
	spec.setdefault("annotations", {}).update({
	    "io.kubernetes.cri.image-name": image,
	    "io.kubernetes.cri.container-type": "container",
	    "io.kubernetes.cri.sandbox-id": "0" * 64})
	json.dump(spec, open(path, "w"), separators=(",", ":"))
	PY
	cp "$dir/config.json" "$dir/config.orig.json"
}

# create_start SETTINGS NAME ID: create and start through oci-harden.
create_start()
{
	cp "$E2E_WORK/$2/config.orig.json" "$E2E_WORK/$2/config.json"
	OCI_HARDEN_CONFIG=$1 "$OCI_HARDEN" --root "$E2E_RUNC_ROOT" --log "$E2E_WORK/$3.log" \
		create --bundle "$E2E_WORK/$2" "$3" </dev/null >"$E2E_WORK/$3.out" 2>&1 &&
		OCI_HARDEN_CONFIG=$1 "$OCI_HARDEN" --root "$E2E_RUNC_ROOT" --log "$E2E_WORK/$3.log" \
			start "$3"
}

# run_detached SETTINGS NAME ID: as create_start, in one `run --detach`
# (as runc run and ctr do): the start is seen as soon as the init process
# exists, while the runtime still makes the mount points.
run_detached()
{
	cp "$E2E_WORK/$2/config.orig.json" "$E2E_WORK/$2/config.json"
	OCI_HARDEN_CONFIG=$1 "$OCI_HARDEN" --root "$E2E_RUNC_ROOT" --log "$E2E_WORK/$3.log" \
		run --detach --bundle "$E2E_WORK/$2" "$3" </dev/null >"$E2E_WORK/$3.out" 2>&1
}

# finish SETTINGS ID: wait for it to stop, then delete it through oci-harden.
finish()
{
	e2e_wait_status "$2" stopped 20
	OCI_HARDEN_CONFIG=$1 "$OCI_HARDEN" --root "$E2E_RUNC_ROOT" --log "$E2E_WORK/$2.log" delete "$2"
}

# obs ID EXPR: EXPR over the observation `o` of container ID.
obs()
{
	"$PYTHON" -c '
import json, sys
for line in open(sys.argv[1]):
    d = json.loads(line)
    if d["container"] == sys.argv[2] and d["command"] == "observe":
        o = d["observation"]
        print(eval(sys.argv[3]))
        break
' "$events" "$1" "$2"
}

# drift ID EXPR: EXPR over the list `d` of the "drift" lines of container ID.
drift()
{
	"$PYTHON" -c '
import json, sys
d = [e for e in map(json.loads, open(sys.argv[1]))
     if e["container"] == sys.argv[2] and e["command"] == "drift"]
print(eval(sys.argv[3]))
' "$events" "$1" "$2"
}

bundle app docker.io/library/app:1 /usr/local/bin/entrypoint sleep 0.3
# Stays root; a raw socket (CAP_NET_RAW), a syscall the default profile
# denies (unshare), a setuid program run by another user, a program
# written at run time and run.
bundle tool docker.io/library/tool:1 sh -c '
ping -c 1 -W 1 127.0.0.1 >/dev/null 2>&1
unshare -m true 2>/dev/null
su -s /bin/sh nobody -c "/usr/local/bin/suid-busybox true"
cp /bin/busybox /tmp/dropped && (exec -a busybox /tmp/dropped echo drift-ran)
sleep 0.3'
bundle quiet docker.io/library/quiet:1 sleep 0.3
# With CAP_SYS_ADMIN, a mount namespace of its own (unshare in the process
# itself, no fork): what runs there is still the container's.
bundle nester docker.io/library/nester:1 sh -c '
unshare -m sh -c "cp /bin/busybox /tmp/nested && /tmp/nested true"
sleep 0.3'
"$PYTHON" - "$E2E_WORK/nester/config.orig.json" <<-'PY'
import json, sys
spec = json.load(open(sys.argv[1]))
for kind in ("bounding", "effective", "permitted"):
    spec["process"]["capabilities"][kind].append("CAP_SYS_ADMIN")
json.dump(spec, open(sys.argv[1], "w"))
PY
# A program copied to a volume and run from there (an init container's
# tool in an emptyDir); once /data/try-tmp exists, one copied to /tmp too.
bundle drifter docker.io/library/drifter:1 sh -c '
cp /bin/busybox /data/busybox && /data/busybox echo volume-ran
if [ -e /data/try-tmp ]; then cp /bin/busybox /tmp/busybox && /tmp/busybox echo tmp-ran || echo tmp-refused; fi
sleep 0.3'
# Its mount point is not in the image (an emptyDir's usually is not): runc
# makes it in the root as it mounts, which is no write of the workload's.
mkdir -p "$E2E_WORK/drifter-data"
rm -rf "$E2E_WORK/drifter/rootfs/data"
chmod 1777 "$E2E_WORK/drifter-data"
"$PYTHON" - "$E2E_WORK/drifter/config.orig.json" "$E2E_WORK/drifter-data" <<-'PY'
import json, sys
spec = json.load(open(sys.argv[1]))
spec["mounts"].append({"destination": "/data", "type": "bind", "source": sys.argv[2],
                       "options": ["rbind", "rw"]})
json.dump(spec, open(sys.argv[1], "w"))
PY

# Volumes at paths the image lacks, one nested: runc makes their mount
# points (and /vol) in the root as it mounts them, in `run` after the start
# was stamped; none is a write of the workload's.
bundle mounter docker.io/library/mounter:1 sleep 0.3
mkdir -p "$E2E_WORK/mounter-vol"
"$PYTHON" - "$E2E_WORK/mounter/config.orig.json" "$E2E_WORK/mounter-vol" <<-'PY'
import json, sys
spec = json.load(open(sys.argv[1]))
for destination in ("/vol/inner", "/cache"):
    spec["mounts"].append({"destination": destination, "type": "bind", "source": sys.argv[2],
                           "options": ["rbind", "rw"]})
json.dump(spec, open(sys.argv[1], "w"))
PY

# --- audit mode: observed ----------------------------------------------------
id_app=$(e2e_id app)
create_start "$E2E_WORK/audit.json" app "$id_app"
is "$?" 0 "audit: app starts"
id_tool=$(e2e_id tool)
create_start "$E2E_WORK/audit.json" tool "$id_tool"
is "$?" 0 "audit: tool starts"
is "$(ls "$E2E_WORK"/state/observe/*/"$id_tool".* 2>/dev/null | sed 's/.*\.//' | sort | xargs)" "json scan" \
	"audit: a record, and the mark that makes kill scan its root"
id_quiet=$(e2e_id quiet)
create_start "$E2E_WORK/audit.json" quiet "$id_quiet"
id_drifter=$(e2e_id drifter)
create_start "$E2E_WORK/audit.json" drifter "$id_drifter"
id_nester=$(e2e_id nester)
create_start "$E2E_WORK/audit.json" nester "$id_nester"
id_mounter=$(e2e_id mounter)
run_detached "$E2E_WORK/audit.json" mounter "$id_mounter"
is "$?" 0 "audit: mounter runs"
for id in "$id_app" "$id_tool" "$id_quiet" "$id_drifter" "$id_mounter" "$id_nester"; do finish "$E2E_WORK/audit.json" "$id"; done
is "$(obs "$id_nester" '[s["name"] for s in o["syscalls"] if s["name"] == "unshare"], [(x["path"], x["origin"]) for x in o["execs_foreign"]]')" \
	"(['unshare'], [('/tmp/nested', 'changed since start')])" \
	"nester: what ran in the mount namespace it made is still the container's"
is "$(obs "$id_mounter" '[w["path"] for w in o["writes"]]')" "[]" \
	"mounter: the mount points runc made for its volumes are no writes of its own"
grep -q 'loaded the observation programs' "$E2E_WORK/$id_app.log" "$E2E_WORK/$id_tool.log"
is "$?" 0 "the runtime log says the programs were loaded"

is "$(obs "$id_app" 'o["kernel"], o["mode"], o["complete"]')" "(True, 'audit', True)" \
	"app: observed by the kernel, completely"
is "$(obs "$id_app" 'o["init"]["uid_start"], o["init"]["uid_end"], o["init"]["switched"]')" \
	"(0, 1000, True)" "app: its first process started as root and switched to 1000"
is "$(obs "$id_app" 'sorted(c["name"] for c in o["capabilities"])')" \
	"['CAP_CHOWN', 'CAP_SETGID', 'CAP_SETUID']" "app: the capabilities it exercised"
is "$(obs "$id_app" 'all(c.get("uid") == 0 for c in o["capabilities"])')" True \
	"app: all exercised as root"
is "$(obs "$id_app" 'sorted((w["path"], w["change"]) for w in o["writes"])')" \
	"[('/run/app/app.pid', 'created'), ('/var/lib/app/cache', 'created')]" \
	"app: the writes to its root filesystem, and nothing of the runtime's"
is "$(obs "$id_app" 'o["writes_source"]')" "root filesystem, changed since start" \
	"app: a plain-directory root is read by what changed since start"
is "$(obs "$id_app" '(1000, 1000, "exec") in [(i["euid"], i["egid"], i["how"]) for i in o["ids"]]')" True \
	"app: it ran a program as 1000:1000"

is "$(obs "$id_tool" 'sorted(c["name"] for c in o["capabilities"])')" \
	"['CAP_NET_RAW', 'CAP_SETGID', 'CAP_SETUID']" "tool: CAP_NET_RAW (the raw socket), CAP_SETUID and CAP_SETGID (su)"
is "$(obs "$id_tool" '[(s["name"], s["action"], s["errno"]) for s in o["syscalls"] if s["name"] == "unshare"]')" \
	"[('unshare', 'SCMP_ACT_ERRNO', 1)]" "tool: unshare, which the policy's profile denies"
is "$(obs "$id_tool" '[x["path"] for x in o["execs_privileged"]]')" "['/usr/local/bin/suid-busybox']" \
	"tool: the setuid program that raised its privileges"
is "$(obs "$id_tool" '[(x["path"], x["origin"]) for x in o["execs_foreign"]]')" \
	"[('/tmp/dropped', 'changed since start')]" "tool: the file it wrote, then ran"
is "$(obs "$id_tool" 'o["init"]["uid_end"]')" 0 "tool: its first process stayed root"
# Drift (issue 16): in audit mode the copied program runs, and is recorded
# as what enforce mode would refuse, with the container, image, path and
# the process that ran it.
like "$(cat "$E2E_WORK/$id_tool.out")" 'drift-ran' "drift, audit: the program copied to /tmp runs"
is "$(drift "$id_tool" '[(e["image"], e["mode"], e["outcome"], e["path"], e["process"]["comm"], e["process"]["uid"], e["process"]["pid"] > 0) for e in d]')" \
	"[('docker.io/library/tool:1', 'audit', 'would be refused', '/tmp/dropped', 'dropped', 0, True)]" \
	"drift, audit: one event-log line: image, path, process; what enforce would refuse"
like "$(cat "$E2E_WORK/$id_tool.log")" \
	"oci-harden: drift: container $id_tool \\(image docker.io/library/tool:1\\) ran /tmp/dropped, which is not from the image's layers.*enforce mode would refuse it" \
	"drift, audit: and a warning in the runtime log"
is "$(drift "$id_app" 'len(d)'; drift "$id_quiet" 'len(d)')" "0
0" "drift: none for containers that ran only their image's programs"
like "$(cat "$E2E_WORK/$id_drifter.out")" 'volume-ran' "drift, audit: the program copied to a volume runs"
is "$(drift "$id_drifter" '[(e["outcome"], e["path"], e["origin"]) for e in d]')" \
	"[('would be refused', '/data/busybox', 'other mount')]" \
	"drift, audit: the program run from the volume is what enforce would refuse"
is "$(obs "$id_quiet" 'o["capabilities"], o["syscalls"], o["writes"], o["execs_foreign"]')" \
	"([], [], [], [])" "quiet: nothing (nothing of the other containers either)"

# --- many containers of one image, and of others, at once ----------------------
bundle many docker.io/library/many:1 sh -c 'touch /run/app/mine-$(hostname); sleep 1'
bundle other docker.io/library/other:1 sh -c 'ping -c 1 -W 1 127.0.0.1 >/dev/null 2>&1; sleep 1'
"$PYTHON" - "$E2E_WORK/many/config.orig.json" <<-'PY'
import json, sys
spec = json.load(open(sys.argv[1]))
spec["hostname"] = "HOST"
json.dump(spec, open(sys.argv[1], "w"))
PY
many_ids=()
for n in 1 2 3 4 5 6; do
	id=$(e2e_id "many$n")
	many_ids+=("$id")
	dir=$E2E_WORK/many$n
	cp -a "$E2E_WORK/many" "$dir"
	sed -i "s/\"HOST\"/\"h$n\"/" "$dir/config.orig.json"
done
other_ids=()
for n in 1 2 3; do
	other_ids+=("$(e2e_id "other$n")")
	cp -a "$E2E_WORK/other" "$E2E_WORK/other$n"
done
for n in 1 2 3 4 5 6; do create_start "$E2E_WORK/audit.json" "many$n" "${many_ids[$((n - 1))]}" & done
for n in 1 2 3; do create_start "$E2E_WORK/audit.json" "other$n" "${other_ids[$((n - 1))]}" & done
wait
for id in "${many_ids[@]}" "${other_ids[@]}"; do finish "$E2E_WORK/audit.json" "$id"; done
mixed=0
for n in 1 2 3 4 5 6; do
	got=$(obs "${many_ids[$((n - 1))]}" '[w["path"] for w in o["writes"]], [c["name"] for c in o["capabilities"]]')
	[ "$got" = "(['/run/app/mine-h$n'], [])" ] || { mixed=1; diag "many$n: $got"; }
done
for id in "${other_ids[@]}"; do
	got=$(obs "$id" '[w["path"] for w in o["writes"]], [c["name"] for c in o["capabilities"]]')
	[ "$got" = "([], ['CAP_NET_RAW'])" ] || { mixed=1; diag "other: $got"; }
done
is "$mixed" 0 "9 containers of 2 images at once: each observation is its own, nothing mixed"

# --- enforce mode: what the default policy denied --------------------------------
bundle broken docker.io/library/broken:1 sh -c '
mkdir /var/lib/app/body || true
unshare -m true || true
chown 1:1 /tmp || true
cp /bin/busybox /tmp/x && /tmp/x true
exit 1'
# By default an enforce-mode container's syscalls are watched only where
# the last container of its image and policy broke at start: the first run
# of an image is not watched; it breaks (exit 1 at once), and its restart,
# as a crash loop's, is.
id_broken_first=$(e2e_id broken-first)
create_start "$E2E_WORK/enforce.json" broken "$id_broken_first"
finish "$E2E_WORK/enforce.json" "$id_broken_first"
is "$(obs "$id_broken_first" 'o["syscalls_watched"], o["writes_refused"], o["syscalls_denied"]')" \
	"('none: the last container of its image and policy did not break at start', [], [])" \
	"enforce, first run: its syscalls not watched"
is "$(ls "$E2E_WORK"/state/observe/failing | wc -l)" 1 "enforce, first run: it broke at start, and that is marked"
id_broken=$(e2e_id broken)
create_start "$E2E_WORK/enforce.json" broken "$id_broken"
# `kill` scans the root of an audit-mode container for its writes; an
# enforce-mode root is read-only, and no helper is started for it.
is "$(ls "$E2E_WORK"/state/observe/*/"$id_broken".* 2>/dev/null | sed 's/.*\.//')" json \
	"enforce: a record, and no mark for a scan at kill"
finish "$E2E_WORK/enforce.json" "$id_broken"
is "$(obs "$id_broken" 'o["syscalls_watched"]')" "first 30 s" "enforce, its restart: watched"
is "$(obs "$id_broken" '[(w["path"], w["syscall"], w["errno"]) for w in o["writes_refused"]]')" \
	"[('/var/lib/app/body', 'mkdir', 30)]" "enforce: the write the read-only root refused"
is "$(obs "$id_broken" '[(s["name"], s["errno"]) for s in o["syscalls_denied"] if s["name"] == "unshare"]')" \
	"[('unshare', 1)]" "enforce: the syscall seccomp denied"
is "$(obs "$id_broken" '[(c["name"], c["syscall"]) for c in o["capabilities_denied"]]')" \
	"[('CAP_CHOWN', 'chown')]" "enforce: the capability that was missing"
# The file it wrote to /tmp and ran (drift): refused where the hardened
# config mounts /tmp noexec (the drift lock, issue 16), else it ran.
tmp_noexec=$("$PYTHON" -c '
import json, sys
spec = json.load(open(sys.argv[1]))
print(any(m.get("destination") == "/tmp" and "noexec" in m.get("options", []) for m in spec.get("mounts", [])))
' "$E2E_WORK/broken/config.json")
if [ "$tmp_noexec" = True ]; then
	attempt=refused
	is "$(obs "$id_broken" '[(x["path"], x["errno"]) for x in o["execs_refused"]], o["execs_foreign"]')" \
		"([('/tmp/x', 13)], [])" "enforce: the file it wrote to /tmp (noexec), refused"
else
	attempt=ran
	is "$(obs "$id_broken" '[(x["path"], x["origin"], x["filesystem"]) for x in o["execs_foreign"]]')" \
		"[('/tmp/x', 'other mount', 'tmpfs')]" "enforce: the file it wrote to /tmp, which ran"
fi
is "$(drift "$id_broken" '[(e["image"], e["mode"], e["outcome"], e["path"], e["origin"], e["filesystem"]) for e in d]')" \
	"[('docker.io/library/broken:1', 'enforce', '$attempt', '/tmp/x', 'other mount', 'tmpfs')]" \
	"drift, enforce: the attempt is an event-log line ($attempt)"
# Diagnosis (issue 12): the runtime log names oci-harden's decisions.
like "$(cat "$E2E_WORK/$id_broken.log")" \
	"oci-harden: container $id_broken \\(image docker.io/library/broken:1\\) in enforce mode, policy default: oci-harden's hardening denied it: the read-only root refused mkdir /var/lib/app/body; seccomp denied unshare \\(errno 1\\); CAP_CHOWN was missing \\(chown failed\\).*oci-harden suggest" \
	"diagnosis: the runtime log names what the hardening denied, and the command that lifts it"

# A container of that image that does not break (it is killed: somebody
# else's doing) takes the mark away: the next one is not watched.
bundle mended docker.io/library/broken:1 sleep 30
id_mended=$(e2e_id mended)
create_start "$E2E_WORK/enforce.json" mended "$id_mended"
OCI_HARDEN_CONFIG=$E2E_WORK/enforce.json "$OCI_HARDEN" --root "$E2E_RUNC_ROOT" kill "$id_mended" KILL
finish "$E2E_WORK/enforce.json" "$id_mended"
is "$(obs "$id_mended" 'o["syscalls_watched"]')" "first 30 s" "enforce, mended: watched, as its image broke last time"
is "$(ls "$E2E_WORK"/state/observe/failing | wc -l)" 0 "enforce, mended: it did not break, and the mark is gone"
id_mended2=$(e2e_id mended2)
create_start "$E2E_WORK/enforce.json" mended "$id_mended2"
is "$(ls "$E2E_OBSERVE_DIR"/*/link_sys_exit 2>/dev/null | wc -l)" 0 \
	"enforce, mended: the next one is not watched, and no syscall tracepoint is attached"
OCI_HARDEN_CONFIG=$E2E_WORK/enforce.json "$OCI_HARDEN" --root "$E2E_RUNC_ROOT" kill "$id_mended2" KILL
finish "$E2E_WORK/enforce.json" "$id_mended2"

# --- drift: a program run from memory (memfd), and the window's end --------------
# A static program that copies itself into a memfd and runs that copy.
cat >"$E2E_WORK/memfd-exec.c" <<'EOF'
#define _GNU_SOURCE
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <unistd.h>
int main(int argc, char **argv, char **envp)
{
	if (argc > 1)
		return 0; /* the copy */
	int self = open("/proc/self/exe", O_RDONLY), mem = memfd_create("dropped", 0);
	struct stat st;
	fstat(self, &st);
	sendfile(mem, self, NULL, st.st_size);
	char *args[] = {"memfd-exec", "copy", NULL};
	fexecve(mem, args, envp);
	return 1;
}
EOF
if gcc -static -O2 -o "$E2E_WORK/memfd-exec" "$E2E_WORK/memfd-exec.c" 2>"$E2E_WORK/memfd-exec.err"; then
	bundle memfd docker.io/library/memfd:1 sh -c '/usr/local/bin/memfd-exec && echo memfd-ran; sleep 0.2'
	cp "$E2E_WORK/memfd-exec" "$E2E_WORK/memfd/rootfs/usr/local/bin/memfd-exec"
	id_memfd=$(e2e_id memfd)
	create_start "$E2E_WORK/enforce-always.json" memfd "$id_memfd"
	finish "$E2E_WORK/enforce-always.json" "$id_memfd"
	# Refused where the hardened config has oci-harden's memfd-noexec
	# hook (the drift lock, issue 16), else it runs.
	memfd_hook=$("$PYTHON" -c '
import json, sys
spec = json.load(open(sys.argv[1]))
print(any(h.get("args") == ["oci-harden", "memfd-noexec"]
          for phase in spec.get("hooks", {}).values() for h in phase))
' "$E2E_WORK/memfd/config.json")
	if [ "$memfd_hook" = True ]; then
		is "$(obs "$id_memfd" '[(x["path"].rstrip("/"), x["errno"]) for x in o["execs_refused"]], o["execs_foreign"]')" \
			"([('/memfd:dropped', 13)], [])" "enforce: a program run from a memfd (memfd-noexec) is recorded, refused"
		is "$(drift "$id_memfd" '[(e["path"], e["origin"], e["outcome"], e["process"]["comm"]) for e in d]')" \
			"[('/memfd:dropped', 'memfd', 'refused', 'memfd-exec')]" "drift, enforce: the memfd attempt is a drift line"
		# In audit mode it runs, observed: what suggest lifts below.
		id_memfd_audit=$(e2e_id memfd-audit)
		create_start "$E2E_WORK/audit.json" memfd "$id_memfd_audit"
		finish "$E2E_WORK/audit.json" "$id_memfd_audit"
		like "$(cat "$E2E_WORK/$id_memfd_audit.out")" memfd-ran "drift, audit: the memfd program runs"
		is "$(drift "$id_memfd_audit" '[(e["path"].rstrip("/"), e["origin"], e["outcome"]) for e in d]')" \
			"[('/memfd:dropped', 'memfd', 'would be refused')]" "drift, audit: the memfd program is what enforce would refuse"
	else
		is "$(obs "$id_memfd" '[(x["path"], x["origin"]) for x in o["execs_foreign"]]')" \
			"[('/memfd:dropped', 'other mount')]" "enforce: a program run from a memfd is recorded"
		is "$(drift "$id_memfd" '[(e["path"], e["origin"], e["outcome"], e["process"]["comm"]) for e in d]')" \
			"[('/memfd:dropped', 'memfd', 'ran', 'memfd:dropped')]" "drift, enforce: the memfd program is a drift line"
	fi
else
	skip "enforce: a program run from a memfd is recorded" "no static gcc"
fi

# An enforce-mode container's syscalls are watched for observe_startup_seconds
# only: then a short-lived process detaches the tracepoints, while it runs.
e2e_write_settings "$E2E_WORK/window.json" \
	"\"policy_dir\": \"$E2E_WORK/none\", \"event_log\": \"$events\", \"state_dir\": \"$E2E_WORK/state\", \"observe_startup_seconds\": 1, $(e2e_observe_settings), \"observe_enforce_syscalls\": \"always\""
bundle long docker.io/library/long:1 sleep 8
id_long=$(e2e_id long)
create_start "$E2E_WORK/window.json" long "$id_long"
is "$(ls "$E2E_OBSERVE_DIR"/*/link_sys_exit 2>/dev/null | wc -l)" 1 \
	"window: the syscall tracepoints are attached when an enforce-mode container starts"
for _ in $(seq 60); do
	[ "$(ls "$E2E_OBSERVE_DIR"/*/link_sys_exit 2>/dev/null | wc -l)" = 0 ] && break
	sleep 0.1
done
is "$(ls "$E2E_OBSERVE_DIR"/*/link_sys_exit 2>/dev/null | wc -l)" 0 \
	"window: and detached once its first second is over, while it still runs"
is "$("$RUNC" --root "$E2E_RUNC_ROOT" state "$id_long" | e2e_json_get - 'd["status"]')" running \
	"window: the container runs on"

# A running audit-mode container's observation so far, read by suggest.
bundle live docker.io/library/live:1 sh -c 'ping -c 1 -W 1 127.0.0.1 >/dev/null 2>&1; sleep 5'
id_live=$(e2e_id live)
create_start "$E2E_WORK/audit.json" live "$id_live"
sleep 1
OCI_HARDEN_CONFIG=$E2E_WORK/audit.json "$OCI_HARDEN" suggest "$events" >"$E2E_WORK/live.out" 2>&1
like "$(cat "$E2E_WORK/live.out")" 'live:1$' "suggest reads a running container's observation so far"
like "$(cat "$E2E_WORK/live.out")" '\(1 of running containers\)' "  ... counted as running"
like "$(cat "$E2E_WORK/live.out")" 'CAP_NET_RAW: exercised' "  ... and suggests from it"
"$RUNC" --root "$E2E_RUNC_ROOT" kill "$id_long" KILL >/dev/null 2>&1
finish "$E2E_WORK/window.json" "$id_long"
finish "$E2E_WORK/audit.json" "$id_live"

# --- suggest -------------------------------------------------------------------------
suggested=$E2E_WORK/suggested
OCI_HARDEN_CONFIG=$E2E_WORK/enforce.json "$OCI_HARDEN" suggest --no-live --out "$suggested" "$events" \
	2>"$E2E_WORK/suggest.err"
is "$?" 0 "suggest writes policies"
policy() # policy IMAGE EXPR: EXPR over the suggested policy `p` of IMAGE
{
	grep -v '^ *//' "$suggested/suggested-docker.io-library-$1-1.json" |
		"$PYTHON" -c 'import json, sys; p = json.load(sys.stdin); print(eval(sys.argv[1]))' "$2"
}
is "$(policy app 'sorted(p), p["user"], p["tmpfs"]')" \
	"(['extends', 'images', 'tmpfs', 'user'], {'uid': 1000, 'gid': 1000}, ['/tmp', '/run/app', '/var/lib/app/cache'])" \
	"app: its own user from the start, a tmpfs where it wrote, no capability"
like "$(cat "$suggested/suggested-docker.io-library-app-1.json")" \
	'Used only as root, before the switch to its user, and left out: CAP_CHOWN, CAP_SETGID, CAP_SETUID' \
	"app: the root-only capabilities are named as left out"
like "$(cat "$suggested/suggested-docker.io-library-app-1.json")" \
	'// /var/lib/app/cache: created directory /var/lib/app/cache \(container ohe2e' \
	"app: each tmpfs says which write made it necessary"
is "$(policy tool 'p["capabilities"], p["user"], p["seccomp"], p["no_new_privileges"]')" \
	"(['CAP_NET_BIND_SERVICE', 'CAP_NET_RAW', 'CAP_SETGID', 'CAP_SETUID'], {'allow_root': True}, {'allow_syscalls': ['unshare']}, False)" \
	"tool: root, the capabilities, unshare, no_new_privileges off: what it used"
like "$(cat "$suggested/suggested-docker.io-library-tool-1.json")" \
	'no_new_privileges.*|/usr/local/bin/suid-busybox raised its privileges when run' \
	"tool: no_new_privileges off names the program that raised its privileges"
# The drift lock's exceptions (issue 16): the destination of the mount the
# program it wrote and ran is on in enforce mode, from the lifts of the
# audit-mode create's noexec decisions.
is "$(policy tool 'p["allow"]')" "{'exec_paths': ['/tmp']}" \
	"tool: the program it wrote to /tmp and ran: exec_paths /tmp, nothing else of the drift lock"
like "$(cat "$suggested/suggested-docker.io-library-tool-1.json")" \
	'// exec_paths /tmp: ran /tmp/dropped, written there after the container started \(changed since start, [a-z0-9]+; container ohe2e' \
	"tool: the exception says which container ran what, when"
is "$(policy drifter 'p["allow"]')" "{'exec_paths': ['/data']}" \
	"drifter: the program it copied to its volume and ran: exec_paths names the volume's destination"
is "$(policy drifter 'p.get("tmpfs", []), p.get("user", {}).get("allow_root")')" "([], None)" \
	"drifter: the mount point runc made for its volume is no write of its own (no tmpfs, no root)"
is "$(policy app '"allow" in p'; policy quiet '"allow" in p')" "False
False" "no exception of the drift lock for images that ran nothing they wrote"
if [ "${memfd_hook:-}" = True ]; then
	is "$(policy memfd 'p.get("mode", "enforce"), p["allow"]')" "('enforce', {'exec_memfd': True})" \
		"memfd: the program run from a memfd: exec_memfd"
fi
is "$(policy quiet 'sorted(p)')" "['extends', 'images']" "quiet: no exception at all"
like "$(cat "$suggested/suggested-docker.io-library-quiet-1.json")" 'used no power of root.s' \
	"quiet: root that used no power of root's runs as the policy's user"
is "$(policy broken 'p["mode"]')" audit "broken: only enforce seen, and denied: a trial in audit mode"
like "$(cat "$E2E_WORK/suggest.err")" \
	'broken:1: in enforce mode:.*' "suggest says on stderr what enforce denied"
like "$(cat "$E2E_WORK/suggest.err")" 'the read-only root refused mkdir /var/lib/app/body' \
	"  ... the refused write"
like "$(cat "$E2E_WORK/suggest.err")" 'CAP_CHOWN was missing: chown failed' "  ... the missing capability"

# --- check --events ---------------------------------------------------------------------
OCI_HARDEN_CONFIG=$E2E_WORK/enforce.json "$OCI_HARDEN" check --events "$events" "$suggested" \
	>"$E2E_WORK/check.out" 2>&1
if ! is "$?" 0 "check --events accepts the suggested policies: every door is justified"; then
	diag_file "$E2E_WORK/check.out"
fi
loose=$E2E_WORK/loose
mkdir -p "$loose"
echo '{"images": ["docker.io/library/app:1"], "capabilities": ["CAP_NET_BIND_SERVICE", "CAP_SYS_PTRACE", "CAP_CHOWN"], "user": {"allow_root": true}, "tmpfs": ["/tmp", "/srv"], "allow": {"exec_paths": ["/srv"], "exec_memfd": true}}' \
	>"$loose/loose.json"
OCI_HARDEN_CONFIG=$E2E_WORK/enforce.json "$OCI_HARDEN" check --events "$events" "$loose" \
	>"$E2E_WORK/check-loose.out" 2>&1
isnt "$?" 0 "check --events: a policy opening doors nothing justifies is a problem"
check_out=$(cat "$E2E_WORK/check-loose.out")
like "$check_out" 'capability CAP_SYS_PTRACE: no observation shows it exercised' "  ... a capability never used"
unlike "$check_out" 'capability CAP_CHOWN' "  ... but not one that was (as root)"
like "$check_out" 'user.allow_root: no observation shows a first process that stayed root' "  ... root"
like "$check_out" 'tmpfs /srv: no observation shows a write there' "  ... a tmpfs"
like "$check_out" 'allow.exec_paths /srv: no observation shows a program written there run' "  ... an exec path"
like "$check_out" 'allow.exec_memfd true: no observation shows a program run from a memfd' "  ... exec_memfd"

# --- the suggested policies, enforced ------------------------------------------------------
e2e_write_settings "$E2E_WORK/suggested.json" \
	"\"policy_dir\": \"$suggested\", \"event_log\": \"$events\", \"state_dir\": \"$E2E_WORK/state2\""
rm -f "$E2E_WORK/drifter-data/busybox"
touch "$E2E_WORK/drifter-data/try-tmp"
enforced="app tool quiet drifter"
[ "${memfd_hook:-}" = True ] && enforced="$enforced memfd"
for name in $enforced; do
	id=$(e2e_id "$name-enforced")
	create_start "$E2E_WORK/suggested.json" "$name" "$id"
	is "$?" 0 "enforced: $name starts under its suggested policy"
	e2e_wait_status "$id" stopped 20
	is "$("$RUNC" --root "$E2E_RUNC_ROOT" state "$id" | e2e_json_get - 'd["status"]')" stopped "enforced: $name ran"
	cp "$E2E_WORK/$id.out" "$E2E_WORK/$name-enforced.out"
	"$RUNC" --root "$E2E_RUNC_ROOT" delete "$id" >/dev/null 2>&1
done
like "$(cat "$E2E_WORK/app-enforced.out")" 'uid=1000' "enforced: app ran as its user from the start"
unlike "$(cat "$E2E_WORK/app-enforced.out")" 'Read-only|Permission denied|can.t' "enforced: app's writes succeed"
like "$(cat "$E2E_WORK/tool-enforced.out")" drift-ran "enforced: tool's program written to /tmp runs (exec_paths /tmp)"
is "$(grep -c -- '-ran$' "$E2E_WORK/drifter-enforced.out"; grep -c tmp-refused "$E2E_WORK/drifter-enforced.out")" "1
1" "enforced: drifter's program copied to its volume runs, one copied to /tmp is refused"
like "$(cat "$E2E_WORK/drifter-enforced.out")" 'volume-ran' "  ... the one from the volume"
if [ "${memfd_hook:-}" = True ]; then
	like "$(cat "$E2E_WORK/memfd-enforced.out")" memfd-ran "enforced: memfd's program run from a memfd runs (exec_memfd)"
fi

# --- without the facility: said once, the writable layer still recorded -----------------------
mkdir -p "$E2E_WORK/not-bpffs"
e2e_write_settings "$E2E_WORK/nofacility.json" \
	"\"policy_dir\": \"$E2E_WORK/audit-policies\", \"event_log\": \"$events\", \"state_dir\": \"$E2E_WORK/state3\", \"observe\": \"all\", \"observe_dir\": \"$E2E_WORK/not-bpffs/x\""
bundle app2 docker.io/library/app:1 /usr/local/bin/entrypoint sleep 0.3
id1=$(e2e_id nofacility1)
id2=$(e2e_id nofacility2)
create_start "$E2E_WORK/nofacility.json" app2 "$id1"
is "$?" 0 "no facility: the container starts all the same"
create_start "$E2E_WORK/nofacility.json" app2 "$id2"
for id in "$id1" "$id2"; do finish "$E2E_WORK/nofacility.json" "$id"; done
is "$(cat "$E2E_WORK/$id1.log" "$E2E_WORK/$id2.log" | grep -c 'observation: unavailable')" 1 \
	"no facility: said once in the runtime log"
is "$(obs "$id1" 'o["kernel"], sorted(w["path"] for w in o["writes"])')" \
	"(False, ['/run/app/app.pid', '/var/lib/app/cache'])" \
	"no facility: the writes are still recorded, the rest is not claimed"

tap_done
