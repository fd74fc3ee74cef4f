#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# The deployment files in contrib/ and the policies in policies/ are
# accepted by what reads them, and mean what their comments say:
#
# - each containerd fragment, put into a config.toml the way
#   contrib/README.md says, is read by the real containerd (`containerd
#   config dump`: the configuration as containerd resolved it, parsed here
#   with Python's tomllib), and a containerd started with it loads its CRI
#   plugin. That is where a bad runtime configuration shows: `config dump`
#   does not validate it.
# - docker/daemon.json is JSON naming the same binary (and oci-harden@web
#   for hardened-web), podman/containers.conf names oci-harden@default and
#   oci-harden@web, and the RuntimeClasses of kubernetes/ name the handlers
#   the fragments add. The real Docker, Podman and containerd run with
#   these files in tests/e2e/test_entries.sh.
# - policies/baseline.json and policies/examples/*.json load with the real
#   oci-harden, are chosen for the images they name, and change a
#   containerd-shaped config.json as their comments say.
#
# Each containerd started here has its own root, state, sockets and opt
# directory under the test's work directory, runs in a mount and network
# namespace of its own (tests/e2e/lib_daemons.sh), and is stopped at once.
set -u
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_daemons.sh"

[ -n "$PYTHON" ] || skip_all "python3 is not installed"
e2e_require_binary
e2e_setup contrib

CONTRIB=$E2E_SOURCE_ROOT/contrib
POLICIES=$E2E_SOURCE_ROOT/policies
# Where `meson install` puts the binary (prefix /usr/local, sbindir sbin),
# and so what every file in contrib/ must name.
BINARY_NAME=/usr/local/sbin/oci-harden
W=$E2E_WORK

# --- helpers --------------------------------------------------------------

# toml_get FILE EXPR: a Python expression over the TOML document `d` in
# FILE; prints the value, or "<missing>" when a key on the way is absent.
toml_get()
{
	"$PYTHON" -c '
import sys, tomllib
with open(sys.argv[1], "rb") as f:
    d = tomllib.load(f)
try:
    v = eval(sys.argv[2], {"d": d})
except (KeyError, TypeError):
    v = "<missing>"
print(v)
' "$1" "$2"
}

CRI='d["plugins"]["io.containerd.grpc.v1.cri"]["containerd"]'

# instance_paths NAME: the lines of a config.toml that keep containerd's
# state, sockets and opt directory inside $W/NAME.
instance_paths()
{
	local dir=$W/$1
	mkdir -p "$dir"
	cat <<-EOF
	version = 2
	root = "$dir/root"
	state = "$dir/state"
	[grpc]
	  address = "$dir/containerd.sock"
	[plugins."io.containerd.internal.v1.opt"]
	  path = "$dir/opt"
	EOF
}

# default_config NAME: what `containerd config default` writes, with the
# same four paths moved into $W/NAME.
default_config()
{
	local dir=$W/$1
	mkdir -p "$dir"
	containerd config default | sed \
		-e "s|^root = .*|root = \"$dir/root\"|" \
		-e "s|^state = .*|state = \"$dir/state\"|" \
		-e "s|^  address = \"/run/containerd/containerd.sock\"|  address = \"$dir/containerd.sock\"|" \
		-e "s|^    path = \"/opt/containerd\"|    path = \"$dir/opt\"|"
}

# debian_config NAME: the config.toml Debian's containerd package installs
# (containerd 1.6.20~ds1-1+deb12u3, /etc/containerd/config.toml), with the
# same paths moved. It names no runtime.
debian_config()
{
	instance_paths "$1"
	cat <<-'EOF'
	[plugins."io.containerd.grpc.v1.cri"]
	  [plugins."io.containerd.grpc.v1.cri".cni]
	    bin_dir = "/usr/lib/cni"
	    conf_dir = "/etc/cni/net.d"
	EOF
}

# The runc handler, as contrib/README.md says to add it to a config.toml
# that names no runtime.
RUNC_HANDLER='[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
  runtime_type = "io.containerd.runc.v2"'

# cri_status NAME CONFIG: start containerd with CONFIG, print the status of
# its CRI plugin as `ctr plugins ls` shows it ("ok", "error", or nothing
# when containerd did not come up), and stop it again. Its log is
# $W/NAME/containerd.log.
cri_status()
{
	local name=$1 config=$2
	if daemons_containerd_run "$W/$name" "$config" "$W/$name/containerd.sock" >/dev/null; then
		daemons_ctr plugins ls 2>/dev/null |
			awk '$1 == "io.containerd.grpc.v1" && $2 == "cri" { print $NF }'
	fi
	daemons_containerd_stop
}

# check_config NAME CONFIG DEFAULT-RUNTIME HAS-RUNC DESCRIPTION: containerd
# reads CONFIG; the resolved configuration has the hardened handler, runc's
# v2 shim running $BINARY_NAME, DEFAULT-RUNTIME as the default and the runc
# handler or not (HAS-RUNC yes/no); and its CRI plugin loads.
check_config()
{
	local name=$1 config=$2 default=$3 has_runc=$4 what=$5 d=$W/$1.dump runc_type
	if ! containerd --config "$config" config dump >"$d" 2>"$d.err"; then
		not_ok "$what: containerd reads it"
		diag_file "$d.err" "containerd config dump"
		return
	fi
	ok "$what: containerd reads it"
	is "$(toml_get "$d" "${CRI}[\"runtimes\"][\"hardened\"][\"runtime_type\"]")" \
		io.containerd.runc.v2 "$what: the hardened handler runs the runc v2 shim"
	is "$(toml_get "$d" "${CRI}[\"runtimes\"][\"hardened\"][\"options\"][\"BinaryName\"]")" \
		"$BINARY_NAME" "$what: with BinaryName $BINARY_NAME"
	is "$(toml_get "$d" "${CRI}[\"default_runtime_name\"]")" "$default" \
		"$what: default_runtime_name is $default"
	runc_type=$(toml_get "$d" "${CRI}[\"runtimes\"][\"runc\"][\"runtime_type\"]")
	if [ "$has_runc" = yes ]; then
		is "$runc_type" io.containerd.runc.v2 "$what: the runc handler is still there"
	else
		is "$runc_type" "<missing>" "$what: hardened is the only handler"
	fi
	if [ "$(id -u)" -ne 0 ]; then
		skip "$what: containerd loads its CRI plugin" "starting containerd needs root"
		return
	fi
	local status
	status=$(cri_status "$name" "$config")
	if [ "$status" = ok ]; then
		ok "$what: containerd loads its CRI plugin"
	else
		not_ok "$what: containerd loads its CRI plugin" \
			"CRI plugin status: '${status:-containerd did not start}'"
		grep -E 'level=(error|warning).*cri|failed to load plugin' "$W/$name/containerd.log" |
			head -n 5 | cut -c1-300 | sed 's/^/# /'
	fi
}

# --- containerd -----------------------------------------------------------

if ! command -v containerd >/dev/null || ! command -v ctr >/dev/null; then
	skip "containerd fragments" "containerd is not installed (tests/install-deps.sh)"
else
	# hardened-runtime.toml pasted at the end of what `containerd config
	# default` writes, the usual config.toml of a Kubernetes node.
	{
		default_config runtime-in-default
		cat "$CONTRIB/containerd/hardened-runtime.toml"
	} >"$W/runtime-in-default.toml"
	# Never start a containerd that would use the host's own directories.
	if grep -qE '"(/var/lib/containerd|/run/containerd|/opt/containerd)' "$W/runtime-in-default.toml"; then
		bail_out "containerd config default has paths this test does not know how to move"
	fi
	check_config runtime-in-default "$W/runtime-in-default.toml" runc yes \
		"hardened-runtime.toml after containerd config default"

	# hardened-runtime.toml in Debian's packaged config.toml, with the runc
	# handler the README says to add there.
	{
		debian_config runtime-in-debian
		printf '%s\n' "$RUNC_HANDLER"
		cat "$CONTRIB/containerd/hardened-runtime.toml"
	} >"$W/runtime-in-debian.toml"
	check_config runtime-in-debian "$W/runtime-in-debian.toml" runc yes \
		"hardened-runtime.toml and the runc handler in Debian's config.toml"

	# The README's warning: without the runc handler, Debian's config plus
	# the fragment leaves the CRI plugin unable to load.
	if [ "$(id -u)" -eq 0 ]; then
		{
			debian_config runtime-alone
			cat "$CONTRIB/containerd/hardened-runtime.toml"
		} >"$W/runtime-alone.toml"
		is "$(cri_status runtime-alone "$W/runtime-alone.toml")" error \
			"hardened-runtime.toml alone in Debian's config.toml: the CRI plugin fails, as the README warns"
	else
		skip "hardened-runtime.toml alone in Debian's config.toml" "starting containerd needs root"
	fi

	# hardened-default.toml in a config.toml with no CRI section.
	{
		instance_paths default-in-minimal
		cat "$CONTRIB/containerd/hardened-default.toml"
	} >"$W/default-in-minimal.toml"
	check_config default-in-minimal "$W/default-in-minimal.toml" hardened no \
		"hardened-default.toml in a minimal config.toml"

	# hardened-default.toml in Debian's config.toml, with the runc handler
	# the fragment's comment says to add to keep runc.
	{
		debian_config default-in-debian
		printf '%s\n' "$RUNC_HANDLER"
		cat "$CONTRIB/containerd/hardened-default.toml"
	} >"$W/default-in-debian.toml"
	check_config default-in-debian "$W/default-in-debian.toml" hardened yes \
		"hardened-default.toml and the runc handler in Debian's config.toml"

	# hardened-policy.toml after hardened-runtime.toml: a handler per
	# policy, whose program's name names the policy.
	{
		default_config policy-in-default
		cat "$CONTRIB/containerd/hardened-runtime.toml" "$CONTRIB/containerd/hardened-policy.toml"
	} >"$W/policy-in-default.toml"
	check_config policy-in-default "$W/policy-in-default.toml" runc yes \
		"hardened-policy.toml after hardened-runtime.toml"
	d=$W/policy-in-default.dump
	is "$(toml_get "$d" "${CRI}[\"runtimes\"][\"hardened-web\"][\"runtime_type\"]")" \
		io.containerd.runc.v2 "hardened-policy.toml: the hardened-web handler runs the runc v2 shim"
	is "$(toml_get "$d" "${CRI}[\"runtimes\"][\"hardened-web\"][\"options\"][\"BinaryName\"]")" \
		"$BINARY_NAME@web" "hardened-policy.toml: with BinaryName $BINARY_NAME@web, which names the policy web"
fi

# --- Docker and Kubernetes ------------------------------------------------

daemon_json=$CONTRIB/docker/daemon.json
if "$PYTHON" -m json.tool "$daemon_json" >/dev/null 2>"$W/daemon.err"; then
	ok "docker/daemon.json is valid JSON"
else
	not_ok "docker/daemon.json is valid JSON" "$(cat "$W/daemon.err")"
fi
is "$(e2e_json_get "$daemon_json" 'd["runtimes"]["hardened"]["path"]' 2>&1)" "$BINARY_NAME" \
	"docker/daemon.json: runtime \"hardened\" runs $BINARY_NAME"
if command -v dockerd >/dev/null && dockerd --help 2>&1 | grep -q -- '--validate'; then
	if out=$(dockerd --validate --config-file "$daemon_json" 2>&1); then
		ok "dockerd --validate accepts docker/daemon.json"
	else
		not_ok "dockerd --validate accepts docker/daemon.json" "$out"
	fi
else
	skip "dockerd --validate accepts docker/daemon.json" "no dockerd with --validate here"
fi

is "$(e2e_json_get "$daemon_json" 'd["runtimes"]["hardened-web"]["path"]' 2>&1)" "$BINARY_NAME@web" \
	"docker/daemon.json: runtime \"hardened-web\" runs $BINARY_NAME@web, which names the policy web"

# Podman reads the file in tests/e2e/test_entries.sh; here, what it says.
podman_conf=$CONTRIB/podman/containers.conf
is "$(toml_get "$podman_conf" 'd["engine"]["runtimes"]["hardened"]')" "['$BINARY_NAME@default']" \
	"podman/containers.conf: runtime \"hardened\" runs $BINARY_NAME@default"
is "$(toml_get "$podman_conf" 'd["engine"]["runtimes"]["hardened-web"]')" "['$BINARY_NAME@web']" \
	"podman/containers.conf: runtime \"hardened-web\" runs $BINARY_NAME@web"

yaml=$(grep -v '^[[:space:]]*#' "$CONTRIB/kubernetes/runtimeclass-policy.yaml")
like "$yaml" '^kind: RuntimeClass$' "runtimeclass-policy.yaml: kind RuntimeClass"
like "$yaml" '^  name: hardened-web$' "runtimeclass-policy.yaml: named hardened-web"
like "$yaml" '^handler: hardened-web$' "runtimeclass-policy.yaml: handler hardened-web, the handler of hardened-policy.toml"

runtimeclass=$CONTRIB/kubernetes/runtimeclass.yaml
yaml=$(grep -v '^[[:space:]]*#' "$runtimeclass")
like "$yaml" '^apiVersion: node\.k8s\.io/v1$' "runtimeclass.yaml: apiVersion node.k8s.io/v1"
like "$yaml" '^kind: RuntimeClass$' "runtimeclass.yaml: kind RuntimeClass"
like "$yaml" '^  name: hardened$' "runtimeclass.yaml: named hardened"
like "$yaml" '^handler: hardened$' "runtimeclass.yaml: handler hardened, the containerd runtime the fragments add"

# --- policies -------------------------------------------------------------

# An oci-harden configuration of our own: the policy directory holds the
# shipped policies, and nothing in this host's /etc/oci-harden counts.
policy_dir=$W/policies
mkdir -p "$policy_dir"
cp "$POLICIES/baseline.json" "$POLICIES"/examples/*.json "$policy_dir/"
printf '{"policy_dir": "%s"}\n' "$policy_dir" >"$W/oci-harden.json"
export OCI_HARDEN_CONFIG=$W/oci-harden.json

# A config.json shaped like the one containerd's CRI plugin writes for an
# image with no USER: root, containerd's default capabilities, a writable
# root, no seccomp profile, namespaces of its own, and the image
# annotation. $1: the file, $2: the image. With $3 ("ro" or "rw"), a node
# monitor's config instead: the host's pid namespace (hostPID), and the
# host's /proc and /sys bound at /host/proc and /host/sys, /sys with that
# option.
write_config()
{
	E2E_CAPS="$E2E_CONTAINERD_CAPS" "$PYTHON" - "$1" "$2" "${3:-}" <<-'EOF'
	import json, os, sys
	path, image, monitor = sys.argv[1], sys.argv[2], sys.argv[3]
	caps = os.environ["E2E_CAPS"].split()
	spec = {
	    "ociVersion": "1.0.2-dev",
	    "process": {
	        "user": {"uid": 0, "gid": 0},
	        "args": ["sh"],
	        "cwd": "/",
	        "capabilities": {"bounding": caps, "effective": caps, "permitted": caps},
	    },
	    "root": {"path": "rootfs", "readonly": False},
	    "mounts": [{"destination": "/proc", "type": "proc", "source": "proc"}],
	    "annotations": {"io.kubernetes.cri.image-name": image,
	                    "io.kubernetes.cri.container-type": "container",
	                    "io.kubernetes.cri.sandbox-id": "0" * 64},
	    "linux": {"namespaces": [{"type": t} for t in ("pid", "network", "ipc", "uts", "mount")]},
	}
	if monitor:
	    spec["linux"]["namespaces"].pop(0)
	    for name, mode in (("proc", "ro"), ("sys", monitor)):
	        spec["mounts"].append({"destination": "/host/" + name, "type": "bind",
	                               "source": "/" + name, "options": ["rbind", "rprivate", mode]})
	with open(path, "w") as f:
	    json.dump(spec, f, separators=(",", ":"))
	EOF
}

config=$W/config.json
write_config "$config" docker.io/library/busybox:latest
# root.path must exist for oci-harden to judge it (runc needs it too).
mkdir -p "$W/rootfs"

# policy_diff NAME ARG...: `oci-harden diff ARG... $config` into
# $W/NAME.diff; prints the exit status.
policy_diff()
{
	local name=$1
	shift
	"$OCI_HARDEN" diff "$@" "$config" >"$W/$name.diff" 2>"$W/$name.diff.err"
	echo $?
}

for file in baseline.json examples/web.json examples/node-monitor.json; do
	rc=$(policy_diff load --policy "$POLICIES/$file")
	if [ "$rc" -le 1 ]; then
		ok "policies/$file loads (oci-harden diff --policy exits $rc)"
	else
		not_ok "policies/$file loads (oci-harden diff --policy exits $rc)"
		diag_file "$W/load.diff.err" stderr
		diag_file "$W/load.diff" stdout
	fi
done

# Selection by image, with the three policies in the directory.
for case in "nginx:1.27 web" "docker.io/library/nginx@sha256:$(printf '%064d' 0) web" \
	"quay.io/prometheus/node-exporter:v1.8.2 node-monitor" \
	"prom/node-exporter@sha256:$(printf '%064d' 0) node-monitor" \
	"busybox default" "quay.io/someone/nginx:1.27 default"; do
	image=${case% *} want=${case##* }
	policy_diff select --image "$image" >/dev/null
	like "$(grep '^# policy' "$W/select.diff")" "^# policy \"$want\"" \
		"image $image gets the policy \"$want\""
done

# harden NAME IMAGE [DEFAULT-POLICY [MONITOR]]: what a create through
# oci-harden makes of the config for IMAGE (write_config IMAGE MONITOR):
# the bundle $W/NAME is hardened in place, and the "real runtime" is
# /bin/true, which starts nothing. Prints the exit status; the log is
# $W/NAME.log.
harden()
{
	local name=$1 image=$2 default=${3:-default} bundle=$W/$1
	mkdir -p "$bundle/rootfs"
	write_config "$bundle/config.json" "$image" "${4:-}"
	printf '{"runtime": "/bin/true", "policy_dir": "%s", "default_policy": "%s"}\n' \
		"$policy_dir" "$default" >"$W/$name.settings.json"
	OCI_HARDEN_CONFIG=$W/$name.settings.json "$OCI_HARDEN" --root "$W/runtime-root" \
		--log "$W/$name.log" --log-format json create --bundle "$bundle" "ohcontrib-$name" \
		>/dev/null 2>&1
	echo $?
}

# hardened NAME EXPR: EXPR over the hardened config of $W/NAME.
hardened()
{
	e2e_json_get "$W/$1/config.json" "$2"
}

CAPS='" ".join(d["process"]["capabilities"]["bounding"])'

# baseline, as the default policy: only CAP_NET_RAW goes, root stays root,
# the root filesystem stays writable, and the container gets the default
# seccomp profile.
is "$(harden baseline docker.io/library/busybox:latest baseline)" 0 \
	"a create under baseline goes through"
is "$(hardened baseline "$CAPS")" \
	"CAP_CHOWN CAP_DAC_OVERRIDE CAP_FSETID CAP_FOWNER CAP_MKNOD CAP_SETGID CAP_SETUID CAP_SETFCAP CAP_SETPCAP CAP_NET_BIND_SERVICE CAP_SYS_CHROOT CAP_KILL CAP_AUDIT_WRITE" \
	"baseline drops CAP_NET_RAW and keeps the rest of containerd's default set"
is "$(hardened baseline 'd["process"]["user"]["uid"]')" 0 "baseline leaves root as root"
is "$(hardened baseline 'd["root"]["readonly"]')" false "baseline leaves the root filesystem writable"
is "$(hardened baseline 'd["process"].get("noNewPrivileges", "absent")')" absent \
	"baseline leaves noNewPrivileges alone"
is "$(hardened baseline 'len(d["mounts"])')" 1 "baseline adds no tmpfs"
is "$(hardened baseline '"noexec" in str(d["mounts"]) or "hooks" in d')" false \
	"baseline keeps exec: no mount made noexec, no memfd hook"
is "$(hardened baseline 'd["linux"]["seccomp"]["defaultAction"]')" SCMP_ACT_ERRNO \
	"baseline installs the default seccomp profile where there is none"

# web: the four capabilities nginx's master needs, root kept, read-only
# root with the tmpfs nginx writes to.
is "$(harden web nginx:1.27)" 0 "a create of nginx:1.27 goes through"
is "$(hardened web "$CAPS")" "CAP_CHOWN CAP_SETGID CAP_SETUID CAP_NET_BIND_SERVICE" \
	"web keeps exactly CAP_CHOWN, CAP_SETGID, CAP_SETUID and CAP_NET_BIND_SERVICE"
is "$(hardened web 'd["process"]["user"]["uid"]')" 0 "web leaves nginx's master as root"
is "$(hardened web 'd["root"]["readonly"]')" true "web makes the root filesystem read-only"
is "$(hardened web '" ".join(m["destination"] for m in d["mounts"] if m["type"] == "tmpfs")')" \
	"/tmp /var/cache/nginx /var/run" "web mounts a tmpfs on /tmp, /var/cache/nginx and /var/run"
is "$(hardened web 'all("noexec" in m["options"] for m in d["mounts"] if m["type"] == "tmpfs")')" \
	true "web's tmpfs are noexec (the default's drift lock)"

# node-monitor: no capability at all, root becomes nobody, no tmpfs.
is "$(harden node-monitor quay.io/prometheus/node-exporter:v1.8.2)" 0 \
	"a create of quay.io/prometheus/node-exporter goes through"
is "$(hardened node-monitor "$CAPS")" "" "node-monitor drops every capability"
is "$(hardened node-monitor 'd["process"]["user"]["uid"]')" 65534 "node-monitor runs root as 65534"
is "$(hardened node-monitor 'd["root"]["readonly"]')" true "node-monitor makes the root filesystem read-only"
is "$(hardened node-monitor 'len(d["mounts"])')" 1 "node-monitor adds no tmpfs"

# node-monitor's exceptions: the host's pid namespace and read-only /proc
# and /sys are allowed to it, a writable /sys is not, and the default
# policy allows none of them.
exporter=quay.io/prometheus/node-exporter:v1.8.2
rc=$(harden monitor-ro "$exporter" default ro)
is "$rc" 0 "node-monitor allows hostPID and read-only binds of /proc and /sys"
[ "$rc" -eq 0 ] || diag_file "$W/monitor-ro.log" "runtime log"
is "$(harden monitor-rw "$exporter" default rw)" 1 "node-monitor refuses a writable bind of /sys"
like "$(cat "$W/monitor-rw.log")" 'refused by policy \\?"node-monitor\\?": mounts: mounts\[2\]: bind mount of host /sys' \
	"  and says why in the runtime log"
is "$(harden monitor-default docker.io/library/busybox:latest default ro)" 1 \
	"the default policy refuses the same container for another image"
like "$(cat "$W/monitor-default.log")" 'no pid namespace' "  because of the host pid namespace"

# `oci-harden check`, the policy linter, where it exists.
check_out=$("$OCI_HARDEN" check "$POLICIES/baseline.json" "$POLICIES"/examples/*.json 2>&1)
rc=$?
case $rc in
0) ok "oci-harden check accepts baseline.json and the examples" ;;
1) not_ok "oci-harden check accepts baseline.json and the examples" "$check_out" ;;
*) skip "oci-harden check accepts baseline.json and the examples" \
	"oci-harden check is not available (exit $rc)" ;;
esac

tap_done
