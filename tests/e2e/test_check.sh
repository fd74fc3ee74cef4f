#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# `oci-harden check [PATH...]` through the installed binary: the policies
# shipped in policies/ pass, a broken one prints file:line:col lines and
# exits 1, a bad command line exits 2, and with no path the configured
# policy directory is checked. Needs no root and no runc: nothing runs.
set -u
. "$(dirname "$0")/lib.sh"

e2e_require_binary
e2e_setup check

policies=$E2E_SOURCE_ROOT/policies
fixtures=${OCI_HARDEN_FIXTURES:-$E2E_SOURCE_ROOT/tests/fixtures}/policies

# --- the repository's own policies -----------------------------------------

paths=("$policies")
[ -d "$policies/examples" ] && paths+=("$policies/examples")
out=$("$OCI_HARDEN" check "${paths[@]}" 2>"$E2E_WORK/err")
rc=$?
is "$rc" 0 "check of policies/ exits 0"
is "$out" "" "check of policies/ prints no problem"
[ "$rc" -eq 0 ] || diag_file "$E2E_WORK/err" stderr

# --- a broken policy -------------------------------------------------------

out=$(cd "$fixtures" && "$OCI_HARDEN" check -q unknown-key.json)
rc=$?
is "$rc" 1 "a policy with unknown keys exits 1"
like "$out" '^unknown-key\.json:2:3: error: capabilites: unknown key; did you mean "capabilities"\?$' \
	"the unknown key is named at its file:line:col with a guess"
is "$(printf '%s\n' "$out" | wc -l)" 3 "one line per problem"

out=$(cd "$fixtures" && "$OCI_HARDEN" check -q bad-syscall.json)
rc=$?
is "$rc" 1 "a policy whose seccomp profile names no syscall exits 1"
like "$out" '^seccomp/no-such-syscall\.json:5:24: error: syscalls\[0\]\.names\[1\]: unknown syscall "no_such_syscall"' \
	"the syscall is named at the profile's own file:line:col"

# --- the command line --------------------------------------------------------

"$OCI_HARDEN" check --no-such-option >/dev/null 2>"$E2E_WORK/err"
is "$?" 2 "an unknown option exits 2"
like "$(cat "$E2E_WORK/err")" '^usage: oci-harden check' "and prints the usage"

# --- no path: the configured directory ----------------------------------------

printf '{"policy_dir": "%s"}\n' "$fixtures/valid" >"$E2E_WORK/config.json"
out=$(OCI_HARDEN_CONFIG=$E2E_WORK/config.json "$OCI_HARDEN" check 2>"$E2E_WORK/err")
is "$?" 0 "check with no path checks the configured policy_dir, which passes"
is "$(cat "$E2E_WORK/err")" "oci-harden check: 3 policies, 1 seccomp profile: no problems" \
	"the summary on stderr counts what was checked"

tap_done
