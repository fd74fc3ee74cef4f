#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Bad config.json files handed to `create`: each must be refused before
# anything happens. The wrapper exits non-zero, leaves config.json exactly
# as it was, logs one error naming config.json (runc's JSON log format, so
# containerd shows it), prints nothing on stdout, and never runs the real
# runtime. Several of these are not merely malformed but ambiguous to runc
# (Go's encoding/json takes the last of duplicate keys and matches keys
# case-insensitively), so passing them through would run an unhardened
# container.
set -u
. "$(dirname "$0")/lib.sh"

e2e_require_host
e2e_require_binary
e2e_setup malformed

# The runtime oci-harden is told to exec: runc behind a script that leaves a
# mark, so "runc never ran" is seen directly, not only inferred from its
# state directory.
marker=$E2E_WORK/runtime-was-run
fake_runtime=$E2E_WORK/recording-runc
printf '#!/bin/sh\necho "$@" >>"%s"\nexec "%s" "$@"\n' "$marker" "$RUNC" >"$fake_runtime"
chmod 0755 "$fake_runtime"
settings=$E2E_WORK/oci-harden.json
printf '{"runtime": "%s"}\n' "$fake_runtime" >"$settings"
export OCI_HARDEN_CONFIG=$settings
R=$E2E_RUNC_ROOT

template=$E2E_WORK/template
e2e_make_bundle "$template" sh -c 'id' || bail_out "could not build the template bundle"
valid=$template/config.json

# Sanity: the recording runtime and the template work, so a refusal below
# is the wrapper's doing.
id=$(e2e_id sanity)
cp -a "$template" "$E2E_WORK/sanity"
"$OCI_HARDEN" --root "$R" create --bundle "$E2E_WORK/sanity" "$id" </dev/null >/dev/null 2>"$E2E_WORK/sanity.err"
rc=$?
is "$rc:$([ -e "$marker" ] && echo ran)" "0:ran" "sanity: a valid config is created, through the recording runtime"
[ "$rc" -eq 0 ] || diag_file "$E2E_WORK/sanity.err" stderr
"$RUNC" --root "$R" delete --force "$id" >/dev/null 2>&1
rm -f "$marker"

# py CODE: run Python with `valid` (the template's config path) and `out`
# (the config path to write) defined.
py()
{
	"$PYTHON" -c "
import json, sys
valid, out = sys.argv[1], sys.argv[2]
$1" "$valid" "$2"
}

# check_refused NAME BUNDLE: run create on BUNDLE and check every promise.
check_refused()
{
	local name=$1 bundle=$2 id log config sum link="" target_sum="" rc last
	id=$(e2e_id "$name")
	log=$E2E_WORK/$name.log
	config=$bundle/config.json
	if [ -L "$config" ]; then
		link=$(readlink "$config")
		target_sum=$(e2e_sha256 "$config")
		sum=symlink
	else
		sum=$(e2e_sha256 "$config")
	fi
	rm -f "$marker"

	"$OCI_HARDEN" --root "$R" --log "$log" --log-format json create --bundle "$bundle" "$id" \
		</dev/null >"$E2E_WORK/$name.out" 2>"$E2E_WORK/$name.err"
	rc=$?
	isnt "$rc" 0 "$name: create exits non-zero"
	is "$(head -c 2000 "$E2E_WORK/$name.out")" "" "$name: nothing on stdout"
	if [ -n "$link" ]; then
		if [ -L "$config" ] && [ "$(readlink "$config")" = "$link" ] &&
		   [ "$(e2e_sha256 "$config")" = "$target_sum" ]; then
			ok "$name: the symlink and its target are unchanged"
		else
			not_ok "$name: the symlink and its target are unchanged" "$(ls -l "$config")"
		fi
	else
		is "$( [ -L "$config" ] && echo symlink || e2e_sha256 "$config")" "$sum" "$name: config.json byte-identical"
	fi
	[ -e "$marker" ] && not_ok "$name: the runtime was never run" "it ran: $(cat "$marker")" ||
		ok "$name: the runtime was never run"
	is "$("$RUNC" --root "$R" list -q 2>/dev/null)" "" "$name: runc list is empty"
	[ -e "$R/$id" ] && not_ok "$name: no state directory for the id" || ok "$name: no state directory for the id"

	if [ ! -s "$log" ]; then
		not_ok "$name: an error in the --log file" "the log is empty or missing"
		diag_file "$E2E_WORK/$name.err" stderr
		e2e_forget "$id"
		return
	fi
	last=$(tail -n 1 "$log")
	# Valid JSON, level "error", a msg naming config.json, an RFC 3339 time.
	local verdict
	verdict=$(printf '%s' "$last" | "$PYTHON" -c '
import json, re, sys
try:
    rec = json.loads(sys.stdin.read())
except ValueError as e:
    print("not JSON: %s" % e); sys.exit()
if not isinstance(rec, dict):
    print("not an object"); sys.exit()
problems = []
if rec.get("level") != "error":
    problems.append("level is %r" % rec.get("level"))
if "config.json" not in str(rec.get("msg", "")):
    problems.append("msg does not name config.json")
if not re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)", str(rec.get("time", ""))):
    problems.append("time %r is not RFC 3339" % rec.get("time"))
print("; ".join(problems) or "good")
')
	if [ "$verdict" = good ]; then
		ok "$name: the log's last line is a JSON error naming config.json"
		diag "$(printf '%s' "$last" | cut -c1-300)"
	else
		not_ok "$name: the log's last line is a JSON error naming config.json" "$verdict" "line: $(printf '%s' "$last" | cut -c1-300)"
	fi
	e2e_forget "$id"
}

# e2e_forget ID: if a case got through, remove its container so the next
# case's "runc list is empty" speaks of that case alone.
e2e_forget()
{
	"$RUNC" --root "$R" delete --force "$1" >/dev/null 2>&1 || true
}

# new_case NAME: a fresh bundle from the template, config.json removed.
new_case()
{
	local bundle=$E2E_WORK/case-$1
	mkdir -p "$bundle"
	cp -a "$template/rootfs" "$bundle/rootfs"
	printf '%s\n' "$bundle"
}

# --- the cases -------------------------------------------------------------------------

b=$(new_case truncated)
head -c "$(($(stat -c %s "$valid") / 2))" "$valid" >"$b/config.json"
check_refused truncated "$b"

b=$(new_case process-string)
py 'd = json.load(open(valid)); d["process"] = "x"; json.dump(d, open(out, "w"), indent="\t")' "$b/config.json"
check_refused process-string "$b"

b=$(new_case nested-arrays)
py '
text = open(valid).read().rstrip()
assert text.endswith("}")
# 10,000 nested arrays as the value of an unknown key: deep enough to
# overflow any recursive parser without a depth limit.
open(out, "w").write(text[:-1] + ",\n\t\"x-nested\": " + "[" * 10000 + "]" * 10000 + "\n}\n")' "$b/config.json"
check_refused nested-arrays "$b"

b=$(new_case symlink)
cp "$valid" "$E2E_WORK/elsewhere.json"
ln -s "$E2E_WORK/elsewhere.json" "$b/config.json"
check_refused symlink "$b"

b=$(new_case duplicate-process)
# A harmless-looking "process" first, the root one (which Go's decoder,
# taking the last, would run) after it.
py '
text = open(valid).read().strip()
decoy = json.dumps({"terminal": False, "user": {"uid": 65534, "gid": 65534}, "args": ["true"], "cwd": "/", "noNewPrivileges": True})
open(out, "w").write("{\n\t\"process\": " + decoy + "," + text[1:] + "\n")' "$b/config.json"
check_refused duplicate-process "$b"

b=$(new_case capitalized-process)
# runc's decoder matches "Process" to the process field; a wrapper that
# looks only for "process" would harden nothing.
py '
d = json.load(open(valid))
d = {("Process" if k == "process" else k): v for k, v in d.items()}
json.dump(d, open(out, "w"), indent="\t")' "$b/config.json"
check_refused capitalized-process "$b"

b=$(new_case capitalized-user)
# The same one level down: a "User" beside "user", root, after it.
py '
d = json.load(open(valid))
d["process"]["User"] = {"uid": 0, "gid": 0}
json.dump(d, open(out, "w"), indent="\t")' "$b/config.json"
check_refused capitalized-user "$b"

b=$(new_case empty)
: >"$b/config.json"
check_refused empty "$b"

b=$(new_case top-level-array)
printf '[]\n' >"$b/config.json"
check_refused top-level-array "$b"

b=$(new_case huge)
# 100 MiB: a valid config whose one annotation is a 100 MiB string.
py '
text = open(valid).read().rstrip()
with open(out, "w") as f:
    f.write(text[:-1] + ",\n\t\"annotations\": {\"x-big\": \"")
    chunk = "A" * (1 << 20)
    for _ in range(100):
        f.write(chunk)
    f.write("\"}\n}\n")' "$b/config.json"
check_refused huge "$b"
rm -rf "$b"

# --- without --log: the message goes to stderr ------------------------------------------

b=$(new_case no-log)
head -c 100 "$valid" >"$b/config.json"
sum=$(e2e_sha256 "$b/config.json")
id=$(e2e_id nolog)
rm -f "$marker"
"$OCI_HARDEN" --root "$R" create --bundle "$b" "$id" </dev/null >"$E2E_WORK/nolog.out" 2>"$E2E_WORK/nolog.err"
isnt "$?" 0 "no --log: create exits non-zero"
is "$(cat "$E2E_WORK/nolog.out")" "" "no --log: nothing on stdout"
like "$(cat "$E2E_WORK/nolog.err")" 'config\.json' "no --log: the error on stderr names config.json"
is "$(e2e_sha256 "$b/config.json")" "$sum" "no --log: config.json byte-identical"
[ -e "$marker" ] && not_ok "no --log: the runtime was never run" || ok "no --log: the runtime was never run"

# `run` is refused the same way as `create`.
id=$(e2e_id run)
"$OCI_HARDEN" --root "$R" run --bundle "$b" "$id" </dev/null >/dev/null 2>&1
isnt "$?" 0 "run of a malformed config exits non-zero"
[ -e "$marker" ] && not_ok "run: the runtime was never run" || ok "run: the runtime was never run"

tap_done
