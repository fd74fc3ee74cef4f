#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# TAP: the spec model covers Debian's runtime-spec Go types, and the check
# fails as it should when a field is added to them and not classified.
#   spec_model_coverage.sh SOURCE_ROOT
set -uo pipefail
root=$1
config_go=/usr/share/gocode/src/github.com/opencontainers/runtime-spec/specs-go/config.go
tsv=$root/src/spec_model.tsv
check=$root/tests/spec_model_coverage.py
if [ ! -f "$config_go" ]; then
	echo "1..0 # SKIP $config_go missing (golang-github-opencontainers-specs-dev, tests/install-deps.sh)"
	exit 0
fi
n=0 failed=0
tap() { n=$((n + 1)); if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; failed=1; fi; }
out=$(python3 "$check" "$config_go" "$tsv" 2>&1); rc=$?
printf '%s\n' "$out" | sed 's/^/# /'
tap "$rc" "every field of $config_go is classified"

work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
# A field a newer spec might add, in Process and in LinuxSeccomp.
sed -e 's/^\(\tCwd string `json:"cwd"`\)$/\1\n\tExecCPUAffinity *string `json:"execCPUAffinity,omitempty"`/' \
    -e 's/^\(\tListenerPath *string *`json:"listenerPath,omitempty"`\)$/\1\n\tNewThing string `json:"newThing,omitempty"`/' \
    "$config_go" >"$work/config.go"
grep -c 'execCPUAffinity\|newThing' "$work/config.go" | grep -qx 2; tap $? "the test copy of config.go has two new fields"
out=$(python3 "$check" "$work/config.go" "$tsv" 2>&1); rc=$?
printf '%s\n' "$out" | sed 's/^/# /'
[ "$rc" -ne 0 ] && grep -q 'not classified: process.execCPUAffinity' <<<"$out" &&
	grep -q 'not classified: linux.seccomp.newThing' <<<"$out"
tap $? "a field added to the Go types and not classified fails the check"
# oci-harden-policy(5) prints the table the binary is built from.
man=$root/man/oci-harden-policy.5
printed=$(sed -n '/^\.\\" SPEC MODEL TABLE BEGIN$/,/^\.\\" SPEC MODEL TABLE END$/p' "$man" | sed '1d;$d')
generated=$(python3 "$root/src/spec_model.py" man "$tsv")
[ -n "$printed" ] && [ "$printed" = "$generated" ]
tap $? "the SPEC MODEL table of oci-harden-policy(5) is the one src/spec_model.py makes from the model"
echo "1..$n"
exit "$failed"
