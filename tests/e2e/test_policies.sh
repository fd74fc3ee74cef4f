#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Per-image policies: two policy files in a policy directory; a container
# whose image annotation matches the first gets its rules (seen from inside
# the running container), one matching neither gets the default, `diff
# --image` says the same, and a policy in audit mode runs the container as
# given, leaves config.json byte-identical and logs every decision.
set -u
. "$(dirname "$0")/lib.sh"

e2e_require_host
e2e_require_binary
e2e_setup policies

policies=$E2E_WORK/policies
mkdir -p "$policies"
cat >"$policies/10-web.json" <<'JSON'
// nginx-like images: their own uid, and chown on top of the default
{
  "images": ["docker.io/library/nginx:*"],
  "user": {"uid": 101, "gid": 101},
  "capabilities": ["CAP_NET_BIND_SERVICE", "CAP_CHOWN"]
}
JSON
cat >"$policies/20-legacy.json" <<'JSON'
{
  "images": ["registry.example.com/legacy/*"],
  "mode": "audit"
}
JSON
settings=$E2E_WORK/oci-harden.json
e2e_write_settings "$settings" "\"policy_dir\": \"$policies\""
export OCI_HARDEN_CONFIG=$settings

# annotate BUNDLE IMAGE: the annotation containerd's CRI plugin writes.
annotate()
{
	"$PYTHON" - "$1/config.json" "$2" <<-'PY'
	import json, sys
	path, image = sys.argv[1], sys.argv[2]
	spec = json.load(open(path))
	# What containerd's CRI plugin writes: the image, and the markers by which
	# oci-harden trusts it (trust_image_annotations "cri").
	spec.setdefault("annotations", {}).update({
	    "io.kubernetes.cri.image-name": image,
	    "io.kubernetes.cri.container-type": "container",
	    "io.kubernetes.cri.sandbox-id": "0" * 64})
	# A container cannot name its own policy: this must change nothing.
	spec["annotations"]["oci-harden.policy"] = "20-legacy"
	json.dump(spec, open(path, "w"), separators=(",", ":"))
	PY
}

# run_probe BUNDLE NAME: run the probe through oci-harden, output in NAME.out.
run_probe()
{
	local id
	id=$(e2e_id "$2")
	"$OCI_HARDEN" --root "$E2E_RUNC_ROOT" --log "$E2E_WORK/$2.log" --log-format json \
		run --bundle "$1" "$id" </dev/null >"$E2E_WORK/$2.out" 2>"$E2E_WORK/$2.err"
}

# --- the first policy's image -------------------------------------------------
web=$E2E_WORK/web
e2e_make_bundle "$web" sh -c "$E2E_PROBE" || bail_out "could not build a bundle"
annotate "$web" "nginx:1.25"
cp "$web/config.json" "$E2E_WORK/web.orig.json"

out=$("$OCI_HARDEN" diff --color=never "$web")
is "$?" 1 "diff: the nginx container would change"
like "$out" '# policy "10-web", mode enforce: image docker.io/library/nginx:1.25 matches "docker.io/library/nginx:\*"' \
	"diff names the policy and why it was chosen"

run_probe "$web" web
is "$?" 0 "nginx image: runs through oci-harden"
web_probe=$E2E_WORK/web.out # its probe output: e2e_probe_value "$web_probe" KEY
is "$(e2e_probe_value "$web_probe" uid)" 101 "nginx image: runs as the policy's uid 101"
is "$(e2e_probe_value "$web_probe" gid)" 101 "nginx image: runs as the policy's gid 101"
# CAP_CHOWN is bit 0, CAP_NET_BIND_SERVICE bit 10
is "$(e2e_probe_value "$web_probe" CapBnd)" 0000000000000401 "nginx image: keeps CAP_CHOWN, the policy's extra capability"
is "$(e2e_probe_value "$web_probe" NoNewPrivs)" 1 "nginx image: the default's other rules still apply (NoNewPrivs)"
is "$(e2e_probe_value "$web_probe" write_root)" no "nginx image: read-only /, inherited from the default"

# --- an image no policy names -------------------------------------------------
other=$E2E_WORK/other
e2e_make_bundle "$other" sh -c "$E2E_PROBE" || bail_out "could not build a bundle"
annotate "$other" "quay.io/someone/tool:2"
cp "$other/config.json" "$E2E_WORK/other.orig.json"
out=$("$OCI_HARDEN" diff --color=never "$other")
like "$out" '# policy "default", mode enforce: image quay.io/someone/tool:2 matches no policy' \
	"diff: an image no policy names gets the default"
run_probe "$other" other
is "$?" 0 "other image: runs"
other_probe=$E2E_WORK/other.out # its probe output: e2e_probe_value "$other_probe" KEY
is "$(e2e_probe_value "$other_probe" uid)" 65534 "other image: runs as the default's uid"
is "$(e2e_probe_value "$other_probe" CapBnd)" 0000000000000400 "other image: only the default's allowlist"

# --- diff --image and --policy on the same bundle -----------------------------
out=$("$OCI_HARDEN" diff --color=never --image docker.io/library/nginx:latest "$E2E_WORK/other.orig.json")
like "$out" '# policy "10-web"' "diff --image picks the policy that image would get"
like "$out" '"uid": 101' "diff --image shows that policy's rules"
out=$("$OCI_HARDEN" diff --color=never --policy 20-legacy "$E2E_WORK/other.orig.json")
like "$out" '# policy "20-legacy", mode audit' "diff --policy NAME uses that policy, in its mode"
out=$("$OCI_HARDEN" diff --color=never --policy "$policies/10-web.json" "$E2E_WORK/other.orig.json")
like "$out" '# policy "10-web"' "diff --policy FILE uses that file"

# --- audit mode ---------------------------------------------------------------
legacy=$E2E_WORK/legacy
e2e_make_bundle "$legacy" sh -c "$E2E_PROBE" || bail_out "could not build a bundle"
annotate "$legacy" "registry.example.com/legacy/app:7"
before=$(e2e_sha256 "$legacy/config.json")
decisions=$("$OCI_HARDEN" diff --color=never "$legacy" | grep -c '^# change:\|^# refuse:\|^# warning:')
run_probe "$legacy" legacy
is "$?" 0 "audit mode: the container runs"
legacy_probe=$E2E_WORK/legacy.out # its probe output: e2e_probe_value "$legacy_probe" KEY
is "$(e2e_probe_value "$legacy_probe" uid)" 0 "audit mode: runs exactly as given (uid 0)"
is "$(e2e_probe_value "$legacy_probe" NoNewPrivs)" 0 "audit mode: runs exactly as given (no NoNewPrivs)"
is "$(e2e_sha256 "$legacy/config.json")" "$before" "audit mode: config.json is byte-identical"
logged=$(grep -c '"level":"warning","msg":"oci-harden: audit: ' "$E2E_WORK/legacy.log")
isnt "$decisions" 0 "audit mode: enforce would have made decisions"
is "$logged" "$decisions" "audit mode: each decision enforce would have made is in the --log file"
like "$(cat "$E2E_WORK/legacy.log")" 'audit: change: user: process.user.uid' \
	"audit mode: a logged decision names the rule and JSON path"

tap_done
