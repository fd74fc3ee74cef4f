#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Mounts judged as the runtime performs them (issue 9, classes 3, 4 and 7's
# devtmpfs), attacked from inside real containers. For each attack:
# - through plain runc, the probe inside the container reads what the
#   attack opens (so the probe is real);
# - through oci-harden with runc, and with crun, the container is refused:
#   the probe never runs, the --log file says why, config.json is left as it
#   was and the runtime never created the container.
# The attacks:
#   earlier-bind   mounts[0] binds a host directory holding a symlink e -> /
#                  at /a; mounts[1] binds <rootfs>/a/e, which runc resolves
#                  after mounts[0]: the host's /.
#   overlay-etc    an overlay with lowerdir=/etc: the host's /etc.
#   second-proc    a proc at /mnt/proc: what maskedPaths hide at /proc
#                  (/proc/timer_list) is readable there.
#   devtmpfs       the host's device nodes, its disks among them.
#   root-usr       root.path "/usr": the host's /usr is the container's root
#                  and runc creates its mount points in it. Shown through
#                  plain runc over an overlay of /usr in a mount namespace of
#                  the test's own, so that the host's /usr is never written.
# And containers that comply still run, through oci-harden with runc and
# with crun: an ordinary directory and file bound, an overlay of the test's
# own directories. crun 1.8 runs here only in a mount namespace that hides
# the host's cgroup2 hierarchy, with --cgroup-manager disabled, as in
# test_containerd_image.sh.
set -u
. "$(dirname "$0")/lib.sh"

e2e_require_host
e2e_require_binary
e2e_setup mounts

W=$E2E_WORK
CRUN=$(command -v crun || true)
CRUN_ROOT=$W/crun-root
crun_ids=()

finish()
{
	local id mnt
	if [ -n "$CRUN" ]; then
		for id in "${crun_ids[@]}"; do
			"$CRUN" --root "$CRUN_ROOT" delete --force "$id" >/dev/null 2>&1
		done
	fi
	awk -v w="$W/" 'index($2, w) == 1 { print $2 }' /proc/mounts | sort -r |
		while read -r mnt; do umount -l "$mnt" 2>/dev/null; done
	e2e_cleanup
}
trap finish EXIT

# What the host has that a container must not see.
marker="host-marker-$$-$RANDOM"
printf '%s\n' "$marker" >"$W/marker"
mkdir -p "$W/evil"
ln -s / "$W/evil/e"
machine_id=$(cat /etc/machine-id 2>/dev/null || true)
[ -n "$machine_id" ] || bail_out "this host has no /etc/machine-id for the overlay probe"
disk=
for d in /sys/block/*; do
	[ -b "/dev/${d##*/}" ] && disk=${d##*/} && break
done
[ -n "$disk" ] || bail_out "this host has no block device for the devtmpfs probe"
head -c 10 /proc/timer_list | grep -q 'Timer List' ||
	bail_out "/proc/timer_list does not read as \"Timer List...\" here"
# What a complying container gets.
mkdir -p "$W/data" "$W/lower" "$W/upper" "$W/work" "$W/empty"
printf 'data-ok\n' >"$W/data/file"
printf 'file-ok\n' >"$W/file"
printf 'lower-ok\n' >"$W/lower/file"

runc_settings=$W/oci-harden-runc.json
e2e_write_settings "$runc_settings" "\"state_dir\": \"$W/state-runc\""
crun_settings=$W/oci-harden-crun.json
printf '{"runtime": "%s", "state_dir": "%s", "event_log": "%s", "observe": "none"}\n' "$CRUN" "$W/state-crun" "$W/events-crun.log" >"$crun_settings"

# make_case NAME PROBE PYTHON: a busybox bundle $W/NAME running `sh -c
# PROBE`, its config changed by PYTHON (which sees `spec`, `bundle` and
# `work`).
make_case()
{
	local name=$1 probe=$2 change=$3 bundle=$W/$1
	e2e_make_bundle "$bundle" sh -c "$probe" || bail_out "could not build the bundle $name"
	"$PYTHON" - "$bundle" "$W" "$change" <<-'EOF'
	import json, sys
	bundle, work, change = sys.argv[1], sys.argv[2], sys.argv[3]
	path = bundle + "/config.json"
	with open(path) as f:
	    spec = json.load(f)
	exec(change)
	with open(path, "w") as f:
	    json.dump(spec, f, separators=(",", ":"))
	EOF
	cp "$bundle/config.json" "$bundle.config.json"
}

# plain_runc NAME [WRAPPER...]: the bundle through runc alone; stdout to
# $W/NAME.runc.out.
plain_runc()
{
	local name=$1 id
	shift
	id=$(e2e_id "$name-runc")
	cp "$W/$name.config.json" "$W/$name/config.json"
	"$@" "$RUNC" --root "$E2E_RUNC_ROOT" run --bundle "$W/$name" "$id" \
		</dev/null >"$W/$name.runc.out" 2>"$W/$name.runc.err"
}

# CRUN_WRAP: how crun can run here (set by the first complying container).
CRUN_WRAP=()
crun_mode=

# harden RUNTIME NAME: the bundle through oci-harden with RUNTIME (runc or
# crun); stdout to $W/NAME.RUNTIME.oh.out, the --log file
# $W/NAME.RUNTIME.log, the exit status in HARDEN_RC, the id in HARDEN_ID.
harden()
{
	local runtime=$1 name=$2
	cp "$W/$name.config.json" "$W/$name/config.json"
	rm -f "$W/$name.$runtime.log"
	if [ "$runtime" = runc ]; then
		HARDEN_ID=$(e2e_id "$name-oh")
		OCI_HARDEN_CONFIG=$runc_settings "$OCI_HARDEN" --root "$E2E_RUNC_ROOT" \
			--log "$W/$name.runc.log" --log-format json run --bundle "$W/$name" "$HARDEN_ID" \
			</dev/null >"$W/$name.runc.oh.out" 2>"$W/$name.runc.oh.err"
	else
		HARDEN_ID=ohmounts-$$-$name-crun
		crun_ids+=("$HARDEN_ID")
		OCI_HARDEN_CONFIG=$crun_settings "${CRUN_WRAP[@]}" "$OCI_HARDEN" \
			--log "$W/$name.crun.log" --log-format=json --cgroup-manager disabled \
			--root "$CRUN_ROOT" run --bundle "$W/$name" "$HARDEN_ID" \
			</dev/null >"$W/$name.crun.oh.out" 2>"$W/$name.crun.oh.err"
	fi
	HARDEN_RC=$?
}

# runtimes: runc, and crun where it can run here.
runtimes()
{
	echo runc
	[ -n "$crun_mode" ] && [ "$crun_mode" != none ] && echo crun
}

# --- containers that comply run -------------------------------------------------

make_case comply '
cat /data/file /file /o/file
echo complies=yes' '
spec["mounts"] += [
    {"destination": "/data", "type": "bind", "source": work + "/data", "options": ["rbind", "ro"]},
    {"destination": "/file", "type": "bind", "source": work + "/file", "options": ["bind", "ro"]},
    {"destination": "/o", "type": "overlay", "source": "overlay",
     "options": ["lowerdir=" + work + "/lower", "upperdir=" + work + "/upper",
                 "workdir=" + work + "/work"]},
]'

harden runc comply
is "$HARDEN_RC" 0 "comply: a directory, a file and an overlay of the test's own run through oci-harden with runc"
like "$(cat "$W/comply.runc.oh.out")" 'complies=yes' "comply: runc: the container reads them"
[ "$HARDEN_RC" -eq 0 ] || diag_file "$W/comply.runc.log" "--log file"

if [ -z "$CRUN" ]; then
	crun_mode=none
	skip "comply: crun" "crun is not installed (tests/install-deps.sh)"
else
	harden crun comply
	if [ "$HARDEN_RC" -eq 0 ]; then
		crun_mode=host
	elif grep -q 'hybrid mode not supported' "$W/comply.crun.oh.err" "$W/comply.crun.log" 2>/dev/null; then
		# crun 1.8 refuses a hybrid cgroup host: hide /sys/fs/cgroup/unified
		# in a mount namespace of its own (test_containerd_image.sh).
		CRUN_WRAP=(unshare --mount --propagation private -- sh -c 'umount /sys/fs/cgroup/unified && exec "$@"' sh)
		harden crun comply
		if [ "$HARDEN_RC" -eq 0 ]; then
			crun_mode=unshare
		elif grep -q 'umount' "$W/comply.crun.oh.err"; then
			crun_mode=none
		fi
	fi
	if [ "$crun_mode" = none ]; then
		skip "comply: crun" "crun refuses this hybrid cgroup host, and it cannot be hidden from it here"
	elif [ -z "$crun_mode" ]; then
		crun_mode=none
		not_ok "comply: the same runs through oci-harden with crun (exit $HARDEN_RC)"
		diag_file "$W/comply.crun.oh.err" stderr
		diag_file "$W/comply.crun.log" "--log file"
	else
		ok "comply: the same runs through oci-harden with crun ($crun_mode)"
		like "$(cat "$W/comply.crun.oh.out")" 'complies=yes' "comply: crun: the container reads them"
	fi
fi

# --- the attacks ------------------------------------------------------------------

# attack NAME OPEN-REGEX REFUSAL-REGEX [WRAPPER...]: the probe of NAME
# prints a line matching OPEN-REGEX through plain runc (run under WRAPPER),
# and through oci-harden it is refused for REFUSAL-REGEX.
attack()
{
	local name=$1 open=$2 refusal=$3 runtime before
	shift 3
	plain_runc "$name" "$@"
	if ! like "$(cat "$W/$name.runc.out")" "$open" "$name: through plain runc the probe gets in"; then
		diag_file "$W/$name.runc.err" "runc's stderr"
	fi
	for runtime in $(runtimes); do
		before=$(e2e_sha256 "$W/$name.config.json")
		harden "$runtime" "$name"
		isnt "$HARDEN_RC" 0 "$name: $runtime: oci-harden refuses the container"
		unlike "$(cat "$W/$name.$runtime.oh.out")" "$open" "$name: $runtime: the probe never gets in"
		like "$(cat "$W/$name.$runtime.log" 2>/dev/null)" "\"level\":\"error\",\"msg\":\"oci-harden: .*$refusal" \
			"$name: $runtime: the --log file says why"
		is "$(e2e_sha256 "$W/$name/config.json")" "$before" "$name: $runtime: config.json is left as it was"
		if [ "$runtime" = runc ]; then
			is "$("$RUNC" --root "$E2E_RUNC_ROOT" list -q 2>/dev/null | grep -c "$HARDEN_ID")" 0 \
				"$name: runc never created it"
		elif "$CRUN" --root "$CRUN_ROOT" state "$HARDEN_ID" >/dev/null 2>&1; then
			not_ok "$name: crun never created it"
		else
			ok "$name: crun never created it"
		fi
	done
}

# Class 3: a source inside an earlier mount's destination.
make_case earlier-bind '
echo "hostroot=$(cat /hostroot'"$W"'/marker)"' '
spec["mounts"] += [
    {"destination": "/a", "type": "bind", "source": work + "/evil", "options": ["rbind", "ro"]},
    {"destination": "/hostroot", "type": "bind", "source": bundle + "/rootfs/a/e",
     "options": ["rbind", "ro"]},
]'
attack earlier-bind "hostroot=$marker" \
	'mounts\[[0-9]+\]: bind mount of host [^ ]*/rootfs/a/e: it is inside the destination /a of mounts\[[0-9]+\], an earlier mount'

# Class 3: a path in a mount option. (An overlay with no upper layer needs
# two lower ones.)
make_case overlay-etc '
echo "machine_id=$(cat /o/machine-id)"' '
spec["mounts"].append({"destination": "/o", "type": "overlay", "source": "overlay",
                       "options": ["lowerdir=/etc:" + work + "/empty"]})'
attack overlay-etc "machine_id=$machine_id" \
	'mounts\[[0-9]+\]\.options\[0\]: overlay lower layer /etc: it is a sensitive host path'

# Class 3: a second proc where maskedPaths do not reach.
make_case second-proc '
echo "masked=$(head -c 10 /proc/timer_list)"
echo "second=$(head -c 10 /mnt/proc/timer_list)"' '
spec["mounts"].append({"destination": "/mnt/proc", "type": "proc", "source": "proc"})'
attack second-proc 'second=Timer List' \
	'a proc filesystem at /mnt/proc: anywhere else it shows what maskedPaths'
is "$(sed -n 's/^masked=//p' "$W/second-proc.runc.out")" "" \
	"second-proc: (/proc/timer_list itself is masked, so the second proc is the way in)"

# Class 7: devtmpfs, the host's devices.
make_case devtmpfs '
[ -b /hostdev/'"$disk"' ] && echo "hostdisk='"$disk"'"' '
spec["mounts"].append({"destination": "/hostdev", "type": "devtmpfs", "source": "devtmpfs"})'
attack devtmpfs "hostdisk=$disk" \
	'a mount of type devtmpfs at /hostdev: the host.s device nodes, its disks among them'

# Class 4: root.path "/usr". The host's /usr has sh (dash) and the libraries
# it needs at /lib, /lib64 of that root; /share/doc/runc is only the host's.
make_case root-usr '
[ -e /share/doc/runc ] && echo "hostusr=yes"' '
spec["root"]["path"] = "/usr"'
mkdir -p "$W/usr-upper" "$W/usr-work"
overlay_usr=(unshare --mount --propagation private -- sh -c \
	'mount -t overlay overlay -o "lowerdir=/usr,upperdir=$0/usr-upper,workdir=$0/usr-work" /usr && exec "$@"' "$W")
for dir in proc sys dev; do
	[ -e "/usr/$dir" ] && bail_out "/usr/$dir exists on this host: the test could not tell it made it"
done
attack root-usr 'hostusr=yes' \
	'root.path /usr: the container.s root filesystem would be the host.s /usr' "${overlay_usr[@]}"
made=$(ls "$W/usr-upper" 2>/dev/null | tr '\n' ' ')
like "$made" 'proc' "root-usr: (plain runc made its mount points in that /usr: $made)"
for dir in proc sys dev; do
	if [ -e "/usr/$dir" ]; then
		not_ok "root-usr: nothing was made in the host's /usr ($dir is there)"
		continue 2
	fi
done
ok "root-usr: nothing was made in the host's /usr"

tap_done
