#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# `oci-harden diff PATH`: what the policy would change in a bundle, as a
# unified diff and one line per decision, without changing anything.
# Exit 0 nothing to change, 1 changes, 2 trouble, 3 the policy would refuse.
set -u
. "$(dirname "$0")/lib.sh"

e2e_require_host
e2e_require_binary
e2e_setup diff

settings=$E2E_WORK/oci-harden.json
e2e_write_settings "$settings"
export OCI_HARDEN_CONFIG=$settings

bundle=$E2E_WORK/bundle
e2e_make_bundle "$bundle" sh -c 'id' || bail_out "could not build the bundle"
config=$bundle/config.json
sum_before=$(e2e_sha256 "$config")
mtime_before=$(stat -c %Y.%y "$config")
# The bundle's entries and the bundle directory itself; not "..", whose time
# changes whenever this test writes its own files beside the bundle.
bundle_listing() { ls -lA --time-style=full-iso "$1"; stat -c '%y %s' "$1"; }
listing_before=$(bundle_listing "$bundle")

# --- diff of a bundle directory -------------------------------------------------

"$OCI_HARDEN" diff "$bundle" >"$E2E_WORK/diff.out" 2>"$E2E_WORK/diff.err"
rc=$?
is "$rc" 1 "diff of a containerd-default bundle exits 1 (changes)"
out=$(cat "$E2E_WORK/diff.out")
[ "$rc" -eq 1 ] || { diag_file "$E2E_WORK/diff.out" stdout; diag_file "$E2E_WORK/diff.err" stderr; }
like "$out" '^--- ' "the output has a --- line"
like "$out" '^\+\+\+ ' "the output has a +++ line"
like "$out" '^@@ -[0-9]+(,[0-9]+)? \+[0-9]+(,[0-9]+)? @@' "the output has an @@ hunk header"
unlike "$out" $'\e\\[' "no colour escapes when stdout is not a terminal"

added=$(grep -E '^\+([^+]|$)' "$E2E_WORK/diff.out")
removed=$(grep -E '^-([^-]|$)' "$E2E_WORK/diff.out")
like "$added" '"noNewPrivileges": true' 'added: "noNewPrivileges": true'
like "$added" '"readonly": true' 'added: "readonly": true'
like "$removed" '"readonly": false' 'removed: "readonly": false'
like "$added" '"uid": 65534' 'added: "uid": 65534'
like "$added" '"gid": 65534' 'added: "gid": 65534'
like "$removed" '"uid": 0' 'removed: "uid": 0'
like "$removed" '"CAP_SYS_CHROOT"' 'removed: "CAP_SYS_CHROOT"'
like "$added" '"seccomp"' 'added: a "seccomp" object'
like "$added" '"SCMP_ACT_ERRNO"' 'added: the SCMP_ACT_ERRNO default action'
like "$added" '"destination": "/tmp"' 'added: a mount on /tmp'

# The decisions: every line that is not part of the unified diff, one per
# change, "rule: path: reason (old -> new)".
decisions=$(grep -Ev '^(--- |\+\+\+ |@@ |[-+ ]|$)' "$E2E_WORK/diff.out")
[ -n "$decisions" ] && ok "decision lines follow the diff" || not_ok "decision lines follow the diff"
for path in 'process\.user' 'process\.noNewPrivileges' 'root\.readonly' 'linux\.seccomp' \
	'process\.capabilities' 'mounts'; do
	like "$decisions" "$path" "a decision line names ${path//\\/}"
done
for set in bounding effective permitted; do
	like "$decisions" "process\\.capabilities\\.$set" "a decision line for process.capabilities.$set"
done

# --- nothing changed ---------------------------------------------------------------

is "$(e2e_sha256 "$config")" "$sum_before" "config.json byte-identical after diff"
is "$(stat -c %Y.%y "$config")" "$mtime_before" "config.json not rewritten (same mtime)"
is "$(bundle_listing "$bundle")" "$listing_before" "nothing added to or removed from the bundle"

# --- diff of a config.json path --------------------------------------------------

"$OCI_HARDEN" diff "$config" >"$E2E_WORK/diff2.out" 2>"$E2E_WORK/diff2.err"
rc=$?
is "$rc" 1 "diff of a config.json path exits 1"
is "$(sed -n '/^@@/,$p' "$E2E_WORK/diff2.out")" "$(sed -n '/^@@/,$p' "$E2E_WORK/diff.out")" \
	"diff of the config.json path: the same hunks and decisions as of the bundle"
is "$(e2e_sha256 "$config")" "$sum_before" "config.json byte-identical after diff of the file"

# A relative path, from inside the bundle.
(cd "$bundle" && "$OCI_HARDEN" diff config.json >/dev/null 2>&1)
is "$?" 1 "diff of a relative config.json exits 1"
(cd "$bundle" && "$OCI_HARDEN" diff . >/dev/null 2>&1)
is "$?" 1 "diff of . exits 1"

# --- trouble: exit 2 ------------------------------------------------------------------

missing=$E2E_WORK/no-such-bundle
"$OCI_HARDEN" diff "$missing" >"$E2E_WORK/missing.out" 2>&1
is "$?" 2 "diff of a nonexistent path exits 2"
like "$(cat "$E2E_WORK/missing.out")" "no-such-bundle" "the message names the path"
[ -e "$missing" ] && not_ok "the nonexistent path is not created" || ok "the nonexistent path is not created"

empty=$E2E_WORK/empty-bundle
mkdir "$empty"
"$OCI_HARDEN" diff "$empty" >"$E2E_WORK/empty.out" 2>&1
is "$?" 2 "diff of a directory without config.json exits 2"
like "$(cat "$E2E_WORK/empty.out")" "config\\.json" "the message names config.json"

broken=$E2E_WORK/broken
mkdir "$broken"
head -c 200 "$config" >"$broken/config.json"
"$OCI_HARDEN" diff "$broken" >"$E2E_WORK/broken.out" 2>&1
is "$?" 2 "diff of a truncated config.json exits 2"
like "$(cat "$E2E_WORK/broken.out")" "config\\.json" "the message names config.json"

"$OCI_HARDEN" diff >/dev/null 2>&1
is "$?" 2 "diff with no path exits 2"

# --- nothing to change: exit 0 ------------------------------------------------------

# Harden a copy through the wrapper (create, then delete), then diff it.
hardened=$E2E_WORK/hardened
cp -a "$bundle" "$hardened"
id=$(e2e_id diff)
"$OCI_HARDEN" --root "$E2E_RUNC_ROOT" create --bundle "$hardened" "$id" \
	</dev/null >/dev/null 2>"$E2E_WORK/create.err"
is "$?" 0 "create through oci-harden hardens a copy"
"$RUNC" --root "$E2E_RUNC_ROOT" delete --force "$id" >/dev/null 2>&1
"$OCI_HARDEN" diff "$hardened" >"$E2E_WORK/clean.out" 2>&1
rc=$?
is "$rc" 0 "diff of the hardened copy exits 0"
[ "$rc" -eq 0 ] || diag_file "$E2E_WORK/clean.out" output
unlike "$(cat "$E2E_WORK/clean.out")" '^@@' "diff of the hardened copy: no hunk"

tap_done
