#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# contrib/kubernetes/, without a cluster (no Kubernetes API server is
# reachable here):
#
# - Every manifest is a valid Kubernetes object by the Kubernetes API's own
#   schemas (tests/k8s/validate.mjs: kubernetes-models' JSON schemas, and
#   @kubernetes/client-node's models for members the API does not have),
#   and so is every Event `oci-harden k8s-events` makes of the recorded
#   event log. A manifest with a typo is refused by the same check.
# - The manifests agree with each other and with oci-harden: the
#   RuntimeClass's handler is the one install.json installs, both select
#   the same node label, the install ConfigMap is a configuration `oci-harden
#   install` accepts, the policies ConfigMap passes `oci-harden check`.
# - The image: contrib/kubernetes/build-image.py builds it from local files
#   (busybox-static and the static binary; a dynamically linked binary is
#   refused), a real containerd imports it, and the installer runs from it,
#   as the DaemonSet's init container does, against a node's root mounted
#   at /host.
#
# The nodes here are directories with a /proc of their own (install runs
# chrooted there, and LeakSanitizer, in the sanitizer run, reads /proc/self
# when it exits), mounted in a mount namespace of the test's.
set -u
if [ -z "${OHE2E_K8S_NS:-}" ] && [ "$(id -u)" -eq 0 ]; then
	OHE2E_K8S_NS=1 exec unshare --mount --propagation private -- "$BASH" "$0" "$@"
fi
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_daemons.sh"

e2e_require_binary
e2e_setup kubernetes
W=$E2E_WORK
trap 'umount -R -l "$W"/node*/proc 2>/dev/null; e2e_cleanup' EXIT
K8S=$E2E_SOURCE_ROOT/contrib/kubernetes
NPM_DIR=${OCI_HARDEN_CACHE:-/var/tmp/oci-harden-cache}/npm-k8s-$(sha256sum <"$E2E_SOURCE_ROOT/tests/k8s/npm-packages" | cut -c1-12)
FIXTURES=${OCI_HARDEN_FIXTURES:-$E2E_SOURCE_ROOT/tests/fixtures}

# --- the manifests, by the Kubernetes API's schemas -------------------------------

if ! command -v node >/dev/null || [ ! -f "$NPM_DIR/.complete" ]; then
	bail_out "Node.js or the schema packages are missing (bash tests/install-deps.sh installs them in $NPM_DIR)"
fi
# Bare imports resolve from the script's own directory: it runs from there.
cp "$E2E_SOURCE_ROOT/tests/k8s/validate.mjs" "$NPM_DIR/validate-$$.mjs"
validate()
{
	node "$NPM_DIR/validate-$$.mjs" "$@"
}
for manifest in "$K8S"/*.yaml; do
	if validate "$manifest" >"$W/validate.out" 2>&1; then
		ok "${manifest#"$E2E_SOURCE_ROOT"/}: valid Kubernetes objects ($(grep -c ': ok$' "$W/validate.out"))"
	else
		not_ok "${manifest#"$E2E_SOURCE_ROOT"/}: valid Kubernetes objects" "$(cat "$W/validate.out")"
	fi
done
sed -e 's/^      nodeSelector:/      nodeSelecter:/' -e 's/imagePullPolicy: IfNotPresent/imagePullPolicy: Sometimes/' \
	"$K8S/oci-harden.yaml" >"$W/typo.yaml"
validate "$W/typo.yaml" >"$W/typo.out" 2>&1
is "$?" 1 "a manifest with a misspelt member and a wrong enum is refused by the same check"
like "$(cat "$W/typo.out")" 'nodeSelecter: no such member of V1PodSpec' "naming the misspelt member"
like "$(cat "$W/typo.out")" 'imagePullPolicy must be equal to one of the allowed values' "and the wrong value"

"$OCI_HARDEN" k8s-events --node node-1 "$FIXTURES/events/cri-node.log" >"$W/events.jsonl" 2>"$W/events.err"
if [ -s "$W/events.jsonl" ] && validate "$W/events.jsonl" >"$W/validate-events.out" 2>&1; then
	ok "the Events made of the recorded event log are valid core/v1 Events ($(grep -c . "$W/events.jsonl"))"
else
	not_ok "the Events made of the recorded event log are valid core/v1 Events" \
		"$(cat "$W/events.err" "$W/validate-events.out" 2>/dev/null)"
fi
rm -f "$NPM_DIR/validate-$$.mjs"

# --follow: what is appended from now on, through a rotation.
log=$W/follow.log
head -n 2 "$FIXTURES/events/cri-node.log" >"$log"
"$OCI_HARDEN" k8s-events --follow --node node-1 "$log" >"$W/follow.out" 2>"$W/follow.err" &
follower=$!
sleep 1.5
refused_line=$(grep -F '"outcome":"refused"' "$FIXTURES/events/cri-node.log")
printf '%s\n' "$refused_line" >>"$log"
sleep 2.5
is "$(grep -c OciHardenRefused "$W/follow.out")" 1 "--follow prints the Event of a line appended to the log"
mv "$log" "$log.1"
printf '%s\n' "$(grep -F '"outcome":"audited"' "$FIXTURES/events/cri-node.log")" >"$log"
sleep 2.5
kill "$follower" 2>/dev/null
wait "$follower" 2>/dev/null
is "$(grep -c . "$W/follow.out"):$(grep -c OciHardenAuditRefusal "$W/follow.out")" 2:1 \
	"and of the first line of the log that replaced it (rotation)"
# runc's own "events" command still goes to runc.
printf '{"runtime": "%s", "state_dir": "%s", "event_log": "%s", "observe": "none"}\n' "$(command -v runc)" "$W/runc-events-state" "$W/runc-events.log" >"$W/runtime.json"
OCI_HARDEN_CONFIG=$W/runtime.json "$OCI_HARDEN" --root "$W/runc-root" events no-such-container >"$W/runc-events.out" 2>&1
like "$(cat "$W/runc-events.out")" 'container does not exist' "oci-harden events ID is still runc's events command"

# --- the manifests agree --------------------------------------------------------------

# yaml_get FILE KIND EXPR: EXPR over the first object of KIND in FILE.
yaml_get()
{
	(cd "$NPM_DIR" && node -e '
const yaml = require("js-yaml"), fs = require("fs");
const [file, kind, expr] = process.argv.slice(1);
const d = yaml.loadAll(fs.readFileSync(file, "utf8")).find((o) => o && o.kind === kind);
const v = eval(expr);
console.log(typeof v === "string" ? v : JSON.stringify(v));
' "$1" "$2" "$3")
}
install_json=$(yaml_get "$K8S/oci-harden.yaml" ConfigMap 'd.data["install.json"]')
printf '%s\n' "$install_json" >"$W/install.json"
is "$(yaml_get "$K8S/runtimeclass.yaml" RuntimeClass 'd.handler')" "$(e2e_json_get "$W/install.json" 'd["handler"]')" \
	"the RuntimeClass's handler is the handler install.json installs"
is "$(yaml_get "$K8S/runtimeclass.yaml" RuntimeClass 'd.scheduling.nodeSelector')" \
	"$(yaml_get "$K8S/oci-harden.yaml" DaemonSet 'd.spec.template.spec.nodeSelector')" \
	"the RuntimeClass schedules onto the nodes the DaemonSet installs on"
is "$(yaml_get "$K8S/uninstall.yaml" DaemonSet 'd.spec.template.spec.nodeSelector')" \
	"$(yaml_get "$K8S/oci-harden.yaml" DaemonSet 'd.spec.template.spec.nodeSelector')" \
	"the uninstall DaemonSet runs on the same nodes"
mkdir -p "$W/policies"
(cd "$NPM_DIR" && node -e '
const yaml = require("js-yaml"), fs = require("fs");
const d = yaml.loadAll(fs.readFileSync(process.argv[1], "utf8")).find((o) => o && o.metadata && o.metadata.name === "oci-harden-policies");
for (const [k, v] of Object.entries(d.data)) fs.writeFileSync(process.argv[2] + "/" + k, v);
' "$K8S/oci-harden.yaml" "$W/policies")
"$OCI_HARDEN" check "$W/policies" >"$W/check.out" 2>&1
is "$?" 0 "the policies ConfigMap passes oci-harden check"

# A node's root for install: the host's runc and containerd's default config.
make_node()
{
	local node=$1 runc
	runc=$(command -v runc) || return 1
	mkdir -p "$node/usr/sbin" "$node/etc/containerd" "$node/proc" || return 1
	cp "$runc" "$node/usr/sbin/runc"
	containerd config default >"$node/etc/containerd/config.toml"
	[ "$(id -u)" -ne 0 ] || mount --rbind /proc "$node/proc"
}
make_node "$W/node" || bail_out "could not lay out a node"
"$OCI_HARDEN" install --host-root "$W/node" --config "$W/install.json" >"$W/install.out" 2>&1
is "$?" 0 "oci-harden install accepts the install ConfigMap's configuration"
"$OCI_HARDEN" uninstall --host-root "$W/node" >/dev/null 2>&1
cmp -s "$W/node/etc/containerd/config.toml" <(containerd config default) &&
	ok "and uninstall takes it off again" || not_ok "and uninstall takes it off again"

# --- the image ------------------------------------------------------------------------

BUILD=$E2E_SOURCE_ROOT/contrib/kubernetes/build-image.py
if readelf -l "$OCI_HARDEN" 2>/dev/null | grep -q 'program interpreter'; then
	# The sanitizer build: the image cannot hold it, and says so.
	"$PYTHON" "$BUILD" --binary "$OCI_HARDEN" "$W/image.tar" >"$W/build.out" 2>&1
	is "$?" 1 "build-image.py refuses a dynamically linked oci-harden"
	skip "the installer runs from the image" "$OCI_HARDEN is not the static build"
	tap_done
fi
"$PYTHON" "$BUILD" --binary "$OCI_HARDEN" --tag local/oci-harden:test \
	"$W/image.tar" >"$W/build.out" 2>&1
is "$?" 0 "build-image.py builds the image from local files"
[ -s "$W/image.tar" ] || { diag_file "$W/build.out"; bail_out "no image"; }
"$PYTHON" "$BUILD" --binary "$OCI_HARDEN" --tag local/oci-harden:test \
	"$W/image-again.tar" >/dev/null 2>&1
cmp -s "$W/image.tar" "$W/image-again.tar" && ok "the same files give the same image, byte for byte" ||
	not_ok "the same files give the same image, byte for byte"

if [ "$(id -u)" -ne 0 ] || ! command -v containerd >/dev/null; then
	skip "the installer runs from the image" "needs root and containerd"
	tap_done
fi
daemons_require containerd
daemons_containerd_start "$W/containerd" || bail_out "containerd did not start"
daemons_ctr -n oci-harden images import - <"$W/image.tar" >"$W/import.out" 2>&1
is "$?" 0 "containerd imports the image"
like "$(daemons_ctr -n oci-harden images list -q)" "^docker.io/local/oci-harden:test\$" "as docker.io/local/oci-harden:test, the name a pod spec's local/oci-harden:test means"
make_node "$W/node2" || bail_out "could not lay out a node"
# The DaemonSet's init container, as containerd runs it: the node's root at
# /host, the configuration mounted; no restart (this node has no init).
daemons_ctr -n oci-harden run --rm \
	--mount "type=bind,src=$W/node2,dst=/host,options=rbind:rw" \
	--mount "type=bind,src=$W/install.json,dst=/etc/oci-harden-install/install.json,options=bind:ro" \
	docker.io/local/oci-harden:test "ohk8s-$$" \
	/usr/local/sbin/oci-harden install --host-root /host --config /etc/oci-harden-install/install.json \
	</dev/null >"$W/image-install.out" 2>&1
rc=$?
is "$rc" 0 "the installer runs from the image"
[ "$rc" -eq 0 ] || diag_file "$W/image-install.out" "install, from the image"
cmp -s "$OCI_HARDEN" "$W/node2/usr/local/sbin/oci-harden" &&
	ok "and puts the image's binary on the node" || not_ok "and puts the image's binary on the node"
grep -q 'runtimes.hardened\]' "$W/node2/etc/containerd/config.toml" &&
	ok "and the handler in the node's config.toml" || not_ok "and the handler in the node's config.toml"
daemons_ctr -n oci-harden run --rm --mount "type=bind,src=$W/node2,dst=/host,options=rbind:rw" \
	docker.io/local/oci-harden:test "ohk8s-$$-u" /usr/local/sbin/oci-harden uninstall --host-root /host \
	</dev/null >"$W/image-uninstall.out" 2>&1
is "$?" 0 "uninstall runs from the image"
cmp -s "$W/node2/etc/containerd/config.toml" <(containerd config default) && [ ! -e "$W/node2/usr/local" ] &&
	ok "and leaves the node as it was" || not_ok "and leaves the node as it was" "$(cat "$W/image-uninstall.out")"

tap_done
