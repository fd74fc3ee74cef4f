#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# The demo: what oci-harden takes away from a container that containerd
# would have started with its defaults.
#
# Run as root from the repository root on Debian 12:
#
#   bash tests/demo.sh
#
# It installs the dependencies, builds oci-harden, makes a busybox bundle
# whose config.json looks like containerd's default (root, 14 capabilities,
# no seccomp, writable root filesystem), shows `oci-harden diff` of it, runs
# the same probe in it through plain runc and through oci-harden, and prints
# what the container could do before and after. Everything it makes is
# removed at the end.
set -u

cd "$(dirname "$0")/.."
repo=$(pwd)

if [ "$(id -u)" -ne 0 ]; then
	echo "demo.sh: run as root (it installs packages and runs containers)" >&2
	exit 1
fi

bold=
plain=
if [ -t 1 ]; then
	bold=$'\e[1m'
	plain=$'\e[0m'
fi
section()
{
	printf '\n%s== %s%s\n\n' "$bold" "$1" "$plain"
}
die()
{
	echo "demo.sh: $*" >&2
	exit 1
}

section "Installing dependencies (tests/install-deps.sh)"
bash tests/install-deps.sh || die "installing the dependencies failed"

section "Building oci-harden"
if [ ! -f build/build.ninja ]; then
	meson setup build --buildtype=release >/dev/null || die "meson setup failed"
fi
ninja -C build oci-harden >/dev/null || die "the build failed (ninja -C build)"
OCI_HARDEN=$repo/build/oci-harden
echo "built $OCI_HARDEN"

. tests/e2e/lib.sh
e2e_busybox >/dev/null || die "no static busybox (apt-get install busybox-static)"
e2e_setup demo

settings=$E2E_WORK/oci-harden.json
e2e_write_settings "$settings"
export OCI_HARDEN_CONFIG=$settings

section "A bundle as containerd writes it by default"
pristine=$E2E_WORK/pristine
e2e_make_bundle "$pristine" sh -c "$E2E_PROBE" || die "could not build the bundle"
cp -a "$pristine" "$E2E_WORK/before"
cp -a "$pristine" "$E2E_WORK/after"
echo "bundle:  $pristine"
echo "rootfs:  busybox-static, /etc/passwd with root and nobody"
echo "process: uid 0, capabilities $(echo $E2E_CONTAINERD_CAPS | wc -w) (containerd's default set),"
echo "         no noNewPrivileges, no seccomp, root.readonly false"
echo "runtime config for oci-harden ($settings):"
sed 's/^/  /' "$settings"

section "oci-harden diff $pristine"
# The diff is long, mostly for the seccomp profile's list of system calls:
# runs of more than 8 list items are shortened to their first 3 here.
"$OCI_HARDEN" diff "$pristine" >"$E2E_WORK/diff.out" 2>&1
rc=$?
awk '
function flush() {
	if (n > 8) {
		for (i = 1; i <= 3; i++) print run[i]
		printf "%s          ... %d more lines like these (shortened by demo.sh)\n", substr(run[1], 1, 1), n - 3
	} else {
		for (i = 1; i <= n; i++) print run[i]
	}
	n = 0
}
/^[-+] +"[^"]*",?$/ { if (n && substr($0, 1, 1) != substr(run[1], 1, 1)) flush(); run[++n] = $0; next }
{ flush(); print }
END { flush() }' "$E2E_WORK/diff.out"
echo
echo "(exit status $rc: 0 nothing to change, 1 changes, 2 trouble, 3 would refuse)"

section "The same container, twice"
id_before=$(e2e_id before)
id_after=$(e2e_id after)
log=$E2E_WORK/oci-harden.log
echo "\$ runc --root \$ROOT run --bundle before $id_before"
"$RUNC" --root "$E2E_RUNC_ROOT" run --bundle "$E2E_WORK/before" "$id_before" \
	</dev/null >"$E2E_WORK/before.out" 2>"$E2E_WORK/before.err"
echo "  exit status $?"
echo "\$ oci-harden --root \$ROOT --log oci-harden.log --log-format json run --bundle after $id_after"
"$OCI_HARDEN" --root "$E2E_RUNC_ROOT" --log "$log" --log-format json run --bundle "$E2E_WORK/after" "$id_after" \
	</dev/null >"$E2E_WORK/after.out" 2>"$E2E_WORK/after.err"
echo "  exit status $?"
"$RUNC" --root "$E2E_RUNC_ROOT" delete "$id_before" >/dev/null 2>&1
"$RUNC" --root "$E2E_RUNC_ROOT" delete "$id_after" >/dev/null 2>&1
for run in before after; do
	if [ "$(e2e_probe_value "$E2E_WORK/$run.out" probe)" != done ]; then
		echo "the '$run' container did not finish its probe:" >&2
		cat "$E2E_WORK/$run.out" "$E2E_WORK/$run.err" >&2
		[ "$run" = after ] && [ -s "$log" ] && cat "$log" >&2
		die "stopping"
	fi
done
if [ -s "$log" ]; then
	echo
	echo "oci-harden's log:"
	sed 's/^/  /' "$log"
fi

# caps_names MASK: the capability names in a /proc/PID/status mask.
cap_table=(chown dac_override dac_read_search fowner fsetid kill setgid setuid setpcap
	linux_immutable net_bind_service net_broadcast net_admin net_raw ipc_lock ipc_owner
	sys_module sys_rawio sys_chroot sys_ptrace sys_pacct sys_admin sys_boot sys_nice
	sys_resource sys_time sys_tty_config mknod lease audit_write audit_control setfcap
	mac_override mac_admin syslog wake_alarm block_suspend audit_read perfmon bpf
	checkpoint_restore)
caps_summary()
{
	local mask=$((16#$1)) bit names=()
	for bit in "${!cap_table[@]}"; do
		((mask >> bit & 1)) && names+=("${cap_table[$bit]}")
	done
	case ${#names[@]} in
	0) echo "none" ;;
	1|2) echo "${names[*]}" ;;
	*) echo "${#names[@]} capabilities" ;;
	esac
}

before_probe=$E2E_WORK/before.out # its probe output: e2e_probe_value "$before_probe" KEY
after_probe=$E2E_WORK/after.out # its probe output: e2e_probe_value "$after_probe" KEY

section "What the container could do"
row_format='%-46s %-22s %s\n'
printf "$row_format" "" "plain runc" "through oci-harden"
printf "$row_format" "" "----------" "------------------"
printf "$row_format" "runs as uid:gid" "$(e2e_probe_value "$before_probe" uid):$(e2e_probe_value "$before_probe" gid)" "$(e2e_probe_value "$after_probe" uid):$(e2e_probe_value "$after_probe" gid)"
printf "$row_format" "effective capabilities" "$(caps_summary "$(e2e_probe_value "$before_probe" CapEff)")" "$(caps_summary "$(e2e_probe_value "$after_probe" CapEff)")"
printf "$row_format" "bounding set" "$(caps_summary "$(e2e_probe_value "$before_probe" CapBnd)")" "$(caps_summary "$(e2e_probe_value "$after_probe" CapBnd)")"
printf "$row_format" "no_new_privs" "$(e2e_probe_value "$before_probe" NoNewPrivs)" "$(e2e_probe_value "$after_probe" NoNewPrivs)"
seccomp_name() { case $1 in 0) echo "off" ;; 1) echo "strict" ;; 2) echo "filter" ;; *) echo "$1" ;; esac; }
printf "$row_format" "seccomp" "$(seccomp_name "$(e2e_probe_value "$before_probe" Seccomp)")" "$(seccomp_name "$(e2e_probe_value "$after_probe" Seccomp)")"
printf "$row_format" "root filesystem mounted" "$(e2e_probe_value "$before_probe" root_mount | cut -d, -f1)" "$(e2e_probe_value "$after_probe" root_mount | cut -d, -f1)"

# Each ability: the probe key, and what it means.
abilities=(
	"write_root|write to / (touch /x)"
	"write_etc|write to /etc (touch /etc/x)"
	"write_tmp|write to /tmp (touch /tmp/x)"
	"read_root_only_file|read a root-only 0600 file"
	"chown|chown a file (CAP_CHOWN)"
	"mknod|create a device node (mknod)"
	"chroot|chroot"
	"mount|mount a tmpfs"
	"unshare_user|create a user namespace"
	"ping|ping 127.0.0.1 (raw socket, CAP_NET_RAW)"
	"read_kcore|read /proc/kcore"
)
lost=()
kept=()
for entry in "${abilities[@]}"; do
	key=${entry%%|*}
	label=${entry#*|}
	b=$(e2e_probe_value "$before_probe" "$key")
	a=$(e2e_probe_value "$after_probe" "$key")
	printf "$row_format" "can $label" "$b" "$a"
	if [ "$b" = yes ] && [ "$a" = no ]; then
		lost+=("$label")
	elif [ "$a" = yes ]; then
		kept+=("$label")
	fi
done

echo
echo "${bold}Through oci-harden the container can no longer:${plain}"
for label in "${lost[@]}"; do
	echo "  - $label"
done
[ ${#lost[@]} -gt 0 ] || echo "  (nothing: the hardening did not take effect)"
if [ ${#kept[@]} -gt 0 ]; then
	echo "It still can (by design, or not a privilege):"
	for label in "${kept[@]}"; do
		echo "  - $label"
	done
fi

section "The bundle's config.json after the run"
echo "oci-harden rewrote it before handing it to runc; diff now finds nothing to change:"
"$OCI_HARDEN" diff "$E2E_WORK/after" >/dev/null 2>&1
echo "  oci-harden diff after/ -> exit status $?"

section "Cleaning up"
e2e_cleanup
trap - EXIT
echo "removed $E2E_WORK and the containers"
