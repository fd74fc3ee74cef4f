#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# What no hardened container may have: the privileged shape, the host's PID
# or network namespace, the Docker socket, a host hook. Each is refused under
# the default policy (what lib.sh's e2e_expect_refused checks, and the reason
# in the --log file) and each runs when a policy's "allow" names exactly that
# exception.
set -u
. "$(dirname "$0")/lib.sh"

e2e_require_host
e2e_require_binary
e2e_setup refusals

policies=$E2E_WORK/policies
mkdir -p "$policies"
recorder=$E2E_WORK/recording-runc
e2e_make_recording_runtime "$recorder"

# The Docker socket, for the one case that mounts it; made only if missing.
e2e_docker_sock_placeholder
cleanup_refusals()
{
	e2e_docker_sock_done
	e2e_cleanup
}
trap cleanup_refusals EXIT

# shape NAME PYTHON: a bundle whose config gets the change PYTHON makes to
# `spec` (a sleep that ends at once).
shape()
{
	local bundle=$E2E_WORK/$1
	e2e_make_bundle "$bundle" true || bail_out "could not build a bundle"
	"$PYTHON" - "$bundle/config.json" "$2" <<-'PY'
	import json, sys
	path, change = sys.argv[1], sys.argv[2]
	spec = json.load(open(path))
	linux = spec["linux"]
	exec(change)
	json.dump(spec, open(path, "w"), separators=(",", ":"))
	PY
}

# check NAME EXPECTED-MESSAGE ALLOW-JSON
check()
{
	local name=$1 message=$2 allow=$3 bundle=$E2E_WORK/$1 id log rc before
	log=$E2E_WORK/$name.log
	before=$(e2e_fingerprint "$bundle/config.json")
	E2E_SETTINGS_RUNTIME=$recorder e2e_write_settings "$E2E_WORK/default.json" \
		"\"policy_dir\": \"$policies\""
	id=$(e2e_id "$name")
	E2E_RUNTIME_RECORD=$E2E_WORK/$name.runtime OCI_HARDEN_CONFIG=$E2E_WORK/default.json \
		"$OCI_HARDEN" --root "$E2E_RUNC_ROOT" --log "$log" --log-format json \
		run --bundle "$bundle" "$id" </dev/null >"$E2E_WORK/$name.out" 2>&1
	rc=$?
	e2e_expect_refused "$name" "$rc" "$E2E_WORK/$name.runtime" "$E2E_WORK/$name.out" "$log" config.json
	like "$(tail -n 1 "$log" 2>/dev/null)" "\"level\":\"error\",\"msg\":\"oci-harden: .*$message" \
		"$name: the --log file says why"
	e2e_expect_untouched "$name" "$bundle/config.json" "$before"
	e2e_expect_no_container "$name" "$id"

	printf '{"allow": %s}\n' "$allow" >"$policies/allow-$name.json"
	e2e_write_settings "$E2E_WORK/allow.json" \
		"\"policy_dir\": \"$policies\", \"default_policy\": \"allow-$name\""
	id=$(e2e_id "$name-allowed")
	OCI_HARDEN_CONFIG=$E2E_WORK/allow.json "$OCI_HARDEN" --root "$E2E_RUNC_ROOT" \
		--log "$log" --log-format json run --bundle "$bundle" "$id" </dev/null >/dev/null 2>"$E2E_WORK/$name.err"
	rc=$?
	if ! is "$rc" 0 "$name: runs when the policy allows exactly that ($allow)"; then
		diag_file "$E2E_WORK/$name.err" stderr
		diag_file "$log" "--log file"
	fi
	is "$(e2e_json_get "$bundle/config.json" 'd["process"]["user"]["uid"]')" 65534 \
		"$name: and is otherwise hardened all the same"
}

shape privileged 'linux["resources"] = {"devices": [{"allow": True, "access": "rwm"}]}'
check privileged "privileged container" '{"devices": ["*"]}'

shape host-pid 'linux["namespaces"] = [n for n in linux["namespaces"] if n["type"] != "pid"]'
check host-pid "no pid namespace" '{"host_namespaces": ["pid"]}'

shape host-network 'linux["namespaces"] = [n for n in linux["namespaces"] if n["type"] != "network"]'
check host-network "no network namespace" '{"host_namespaces": ["network"]}'

shape docker-sock 'spec["mounts"].append({"destination": "/var/run/docker.sock", "type": "bind", "source": "/var/run/docker.sock", "options": ["rbind", "rw"]})'
check docker-sock "bind mount of host /var/run/docker.sock" '{"host_paths": ["/var/run/docker.sock"]}'

shape hook 'spec["hooks"] = {"prestart": [{"path": "/bin/true"}]}'
check hook "prestart hook /bin/true would run on the host" '{"hooks": ["/bin/true"]}'

tap_done
