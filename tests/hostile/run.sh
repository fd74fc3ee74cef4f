#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# The hostile corpus: every file of tests/hostile/ (and the ones too big or
# too strange to commit, made here) through both `oci-harden diff` and the
# wrapper, with the real runc behind it. TAP on stdout; exits 1 on failure.
#
# For each config.json, in a bundle of its own with a busybox root:
#   - diff never crashes (no signal, no timeout), never says "nothing to
#     change" (exit 0) of a hostile file, changes nothing, and predicts the
#     wrapper: exit 1 exactly when the wrapper lets the container through;
#   - `oci-harden create` either refuses (exit 1, nothing on stdout,
#     config.json byte for byte as it was, an error line in the --log
#     file, runc never run, no container in `runc list`, no state
#     directory: lib.sh's e2e_expect_refused and friends), or the runtime runs:
#     then the file runc read (copied by a wrapper around runc at the moment
#     it was started) is hardened as runc's Go decoder reads it
#     (gocheck.py), and the container, started, reports from the kernel a
#     non-root uid, no capability beyond CAP_NET_BIND_SERVICE, NoNewPrivs
#     and a seccomp filter;
#   - the outcome is the one expect.txt names (refuse, harden or any).
# Beyond the files: configs too big or too strange to commit (10^5-deep
# nesting, 100 MB, 16 MiB +/- 1, symlinks, FIFOs, a device, a directory, a
# hard link, an immutable file, bind sources through symlinks and ".."), a
# create without --log and a `run`,
# bundle paths with ".." through a symlink, and runc command lines that
# place --bundle where only runc's own parser would find it: whichever
# bundle runc takes (its state says), the container must be hardened.
# For each exec process file, the same through `oci-harden exec --process`
# into a running hardened container, and exec flags (--user, --cap, -g ...)
# including values runc truncates to 32 bits: the runtime must be handed the
# process oci-harden built (--process /proc/self/fd/N, copied by the
# recorder), hardened, and the caller's file must stay as it was. For each policy file: `diff
# --policy` and a `create` whose default policy it is give a clean error
# naming the file (or work, for the few that are valid), never a crash; so
# does `oci-harden check` where the binary has it.
#
# HOSTILE_TIMEOUT (default 60) bounds each call, so a hang is a failure.
set -u
HOSTILE_DIR=$(cd "$(dirname "$0")" && pwd)
. "$HOSTILE_DIR/../e2e/lib.sh"

e2e_require_host
e2e_require_binary
e2e_setup hostile

GOCHECK=$HOSTILE_DIR/gocheck.py
EXPECT=$HOSTILE_DIR/expect.txt
W=$E2E_WORK
R=$E2E_RUNC_ROOT
CASE_TIMEOUT=${HOSTILE_TIMEOUT:-60}
started=$(date +%s)

# The runtime oci-harden executes: runc behind the recording stand-in of
# lib.sh (e2e_make_recording_runtime); $E2E_RUNTIME_RECORD is set per case.
RECORDER=$W/recording-runc
e2e_make_recording_runtime "$RECORDER"

POLICY_DIR=$W/policies
STATE_DIR=$W/state
mkdir -p "$POLICY_DIR" "$STATE_DIR"
SETTINGS=$W/oci-harden.json
E2E_SETTINGS_RUNTIME=$RECORDER e2e_write_settings "$SETTINGS" \
	"\"policy_dir\": \"$POLICY_DIR\", \"state_dir\": \"$STATE_DIR\""
export OCI_HARDEN_CONFIG=$SETTINGS

ROOTFS=$W/rootfs
e2e_make_rootfs "$ROOTFS" || bail_out "could not build the root filesystem"

# expected NAME: the outcome expect.txt names for NAME.
expected()
{
	awk -v n="$1" '$1 == n { print $2; exit }' "$EXPECT"
}

# Every committed file has a line in expect.txt with a known outcome, and
# every line names a file that is there.
manifest_problems=$(
	cd "$HOSTILE_DIR" || exit
	for f in config-*.json process-*.json policy-*.json; do
		case $(expected "$f") in
		refuse | harden | any | error | ok) ;;
		*) echo "$f: no known outcome in expect.txt" ;;
		esac
	done
	awk '/^[a-z]/ { print $1 }' "$EXPECT" | while read -r f; do
		[ -e "$f" ] || echo "expect.txt names $f, which is not there"
	done
)
is "$manifest_problems" "" "expect.txt names the outcome of every file, and only of those"

# new_bundle NAME: an empty bundle directory with a root filesystem (hard
# links into the shared one: cheap, and a hardened container's root is
# read-only anyway).
new_bundle()
{
	local b=$W/cases/$1
	rm -rf "$b"
	mkdir -p "$b"
	cp -al "$ROOTFS" "$b/rootfs"
	printf '%s\n' "$b"
}

# crashed STATUS: oci-harden's own exit status shows a crash or a hang:
# timeout(1) kills with SIGKILL (137), a signal is 128+N. Only for a call
# that did not reach the runtime: after the execv the status is runc's.
crashed()
{
	[ "$1" -ge 124 ]
}

# ---------------------------------------------------------------------------
# config.json cases

# config_case NAME BUNDLE EXPECT [BUNDLE-ARG]: run diff and create on BUNDLE
# (passed to both as BUNDLE-ARG, BUNDLE by default) and judge the outcome.
# The config.json (whatever it is) must already be in place.
config_case()
{
	local name=$1 bundle=$2 expect=$3 arg=${4:-$2}
	local config=$bundle/config.json id out=$W/out/$name marker before after rc drc
	mkdir -p "$out"
	marker=$out/runtime
	before=$(e2e_fingerprint "$config")

	# (a) the dry run
	timeout -s KILL "$CASE_TIMEOUT" "$OCI_HARDEN" diff --color=never "$arg" \
		</dev/null >"$out/diff.out" 2>"$out/diff.err"
	drc=$?
	if crashed "$drc"; then
		not_ok "$name: diff does not crash or hang" "exit $drc" "$(tail -n 5 "$out/diff.err")"
	elif [ "$drc" -eq 0 ]; then
		not_ok "$name: diff finds something to change or refuse" "diff exited 0: nothing to change"
	elif [ "$drc" -gt 3 ]; then
		not_ok "$name: diff exits 1, 2 or 3" "exit $drc" "$(tail -n 5 "$out/diff.err")"
	else
		ok "$name: diff exits $drc ($( [ "$drc" = 1 ] && echo changes || echo refused))"
	fi
	is "$(e2e_fingerprint "$config")" "$before" "$name: diff leaves config.json untouched"

	# (b) the wrapper, with the real runc behind the recorder
	id=$(e2e_id "$name")
	E2E_RUNTIME_RECORD=$marker timeout -s KILL "$CASE_TIMEOUT" "$OCI_HARDEN" --root "$R" \
		--log "$out/log.json" --log-format json create --bundle "$arg" "$id" \
		</dev/null >"$out/container.out" 2>"$out/create.err"
	rc=$?
	after=$(e2e_fingerprint "$config")
	if [ "$rc" -eq 137 ]; then
		not_ok "$name: create does not hang" "killed after $CASE_TIMEOUT s"
	fi

	if [ ! -e "$marker" ]; then
		# Refused by oci-harden: nothing may have happened, and its exit
		# status is 1, not a crash's.
		e2e_expect_refused "$name" "$rc" "$marker" "$out/container.out" "$out/log.json" config.json
		is "$after" "$before" "$name: refused: config.json untouched"
		e2e_expect_no_container "$name" "$id"
		[ "$expect" = harden ] && not_ok "$name: expected to be hardened and run, was refused" "$(tail -n 1 "$out/log.json" 2>/dev/null | cut -c1-300)"
		[ "$drc" = 1 ] && [ -z "${NO_PREDICT:-}" ] &&
			not_ok "$name: diff (exit 1) predicted the wrapper would let it through"
		"$RUNC" --root "$R" delete --force "$id" >/dev/null 2>&1
		return
	fi

	# The runtime ran: on what?
	local verdict vrc
	verdict=$("$PYTHON" "$GOCHECK" spec "$marker.config" 2>&1)
	vrc=$?
	if [ "$vrc" -eq 0 ]; then
		ok "$name: ran: the config.json runc read is hardened"
	elif [ "$vrc" -eq 2 ]; then
		# No process: runc refuses it by itself. It must have.
		isnt "$rc" 0 "$name: ran: runc refused the config without a process"
	else
		not_ok "$name: ran: the config.json runc read is hardened" "$verdict"
	fi
	[ "$expect" = refuse ] && not_ok "$name: expected a refusal, but the runtime ran"
	[ "$drc" = 1 ] || not_ok "$name: diff (exit $drc) predicted a refusal, but the runtime ran"
	if [ "$rc" -eq 0 ]; then
		ok "$name: ran: create succeeded"
		"$RUNC" --root "$R" start "$id" >/dev/null 2>"$out/start.err" ||
			not_ok "$name: ran: the container starts" "$(cat "$out/start.err")"
		e2e_wait_status "$id" stopped 20 || diag "$name: the container did not stop"
		verdict=$("$PYTHON" "$GOCHECK" probe "$out/container.out")
		if [ -z "$verdict" ]; then
			ok "$name: ran: the kernel shows a hardened process"
		else
			not_ok "$name: ran: the kernel shows a hardened process" "$verdict" "$(head -c 600 "$out/container.out")"
		fi
	elif [ "$expect" = harden ]; then
		not_ok "$name: ran: create succeeded" "exit $rc" "$(tail -n 3 "$out/log.json" 2>/dev/null)" "$(tail -n 3 "$out/create.err")"
	fi
	"$RUNC" --root "$R" delete --force "$id" >/dev/null 2>&1
}

# committed_config NAME: a committed config-*.json in a bundle of its own.
committed_config()
{
	local name=${1%.json} b
	b=$(new_bundle "$name")
	cp "$HOSTILE_DIR/$1" "$b/config.json"
	config_case "$name" "$b" "$(expected "$1")"
}

for f in "$HOSTILE_DIR"/config-*.json; do
	committed_config "$(basename "$f")"
done

# The huge numbers of config-huge-numbers.json come back byte for byte.
b=$W/cases/config-huge-numbers
b_text=$(cat "$b/config.json" 2>/dev/null)
for literal in '"hard":18446744073709551615' '"soft":18446744073709551615' '"x-huge":1e999' \
	'"x-negative-zero":-0' '"x-big":123456789012345678901234567890123456789' \
	'"x-precise":0.1000000000000000055511151231257827'; do
	case $b_text in
	*"$literal"*) ok "config-huge-numbers: $literal kept byte for byte" ;;
	*) not_ok "config-huge-numbers: $literal kept byte for byte" ;;
	esac
done

# --- generated configs ------------------------------------------------------

# A valid, unhardened config to build the generated cases from.
VALID=$HOSTILE_DIR/config-user-missing.json

# py_config OUT CODE: write OUT with Python, `valid` the valid config's text.
py_config()
{
	"$PYTHON" -c "
import sys
valid = open(sys.argv[1]).read().rstrip()
out = sys.argv[2]
$2" "$VALID" "$1"
}

b=$(new_bundle config-deep-nesting-arrays-100000)
py_config "$b/config.json" 'open(out, "w").write(valid[:-1] + ",\n\t\"x-nested\": " + "[" * 100000 + "]" * 100000 + "\n}\n")'
config_case config-deep-nesting-arrays-100000 "$b" refuse

b=$(new_bundle config-deep-nesting-objects-100000)
py_config "$b/config.json" 'open(out, "w").write(valid[:-1] + ",\n\t\"x-nested\": " + "{\"a\":" * 100000 + "0" + "}" * 100000 + "\n}\n")'
config_case config-deep-nesting-objects-100000 "$b" refuse

b=$(new_bundle config-deep-nesting-process-100000)
py_config "$b/config.json" 'open(out, "w").write(valid.replace("\"process\": {", "\"process\": " + "{\"process\":" * 100000 + "{", 1)[:-1] + "}" * 100000 + "\n}\n")'
config_case config-deep-nesting-process-100000 "$b" refuse

b=$(new_bundle config-100mb)
# 100 MB: a valid config whose one annotation is a 100 MB string.
py_config "$b/config.json" '
with open(out, "w") as f:
    f.write(valid[:-1] + ",\n\t\"annotations\": {\"x-big\": \"")
    chunk = "A" * (1 << 20)
    for _ in range(100):
        f.write(chunk)
    f.write("\"}\n}\n")'
config_case config-100mb "$b" refuse
rm -rf "$b"

b=$(new_bundle config-16mib-plus-one)
# One byte over the limit of 16 MiB, in trailing blanks: valid JSON.
py_config "$b/config.json" 'open(out, "w").write(valid + " " * ((16 << 20) + 1 - len(valid.encode())))'
config_case config-16mib-plus-one "$b" refuse
rm -rf "$b"

b=$(new_bundle config-16mib-exactly)
# Exactly at the limit: read, parsed and hardened.
py_config "$b/config.json" 'open(out, "w").write(valid + " " * ((16 << 20) - len(valid.encode())))'
config_case config-16mib-exactly "$b" harden
rm -rf "$b"

b=$(new_bundle config-symlink-absolute)
cp "$VALID" "$W/elsewhere.json"
ln -s "$W/elsewhere.json" "$b/config.json"
target_before=$(e2e_fingerprint "$W/elsewhere.json")
config_case config-symlink-absolute "$b" refuse
is "$(e2e_fingerprint "$W/elsewhere.json")" "$target_before" "config-symlink-absolute: the symlink's target is untouched"

b=$(new_bundle config-symlink-relative)
cp "$VALID" "$b/real-config.json"
ln -s real-config.json "$b/config.json"
config_case config-symlink-relative "$b" refuse

b=$(new_bundle config-symlink-dangling)
ln -s /nonexistent/config.json "$b/config.json"
config_case config-symlink-dangling "$b" refuse

b=$(new_bundle config-symlink-to-dev-zero)
ln -s /dev/zero "$b/config.json"
config_case config-symlink-to-dev-zero "$b" refuse

b=$(new_bundle config-fifo)
# A FIFO nobody writes to: opening it for reading blocks unless opened
# non-blocking. The case timeout catches a hang.
mkfifo "$b/config.json"
config_case config-fifo "$b" refuse

b=$(new_bundle config-fifo-with-writer)
# A FIFO with a writer that feeds a valid config, then never closes.
mkfifo "$b/config.json"
( exec 3<>"$b/config.json"; cat "$VALID" >&3; exec sleep 300 ) &
fifo_writer=$!
config_case config-fifo-with-writer "$b" refuse
kill "$fifo_writer" 2>/dev/null
wait "$fifo_writer" 2>/dev/null

b=$(new_bundle config-directory)
mkdir "$b/config.json"
config_case config-directory "$b" refuse

b=$(new_bundle config-char-device)
mknod "$b/config.json" c 1 3 # /dev/null
config_case config-char-device "$b" refuse

b=$(new_bundle config-missing)
config_case config-missing "$b" refuse

b=$(new_bundle config-hardlink)
# A hard link to a file outside the bundle: the bundle's config.json is
# replaced, the other name keeps the old content.
cp "$VALID" "$W/hardlinked.json"
ln "$W/hardlinked.json" "$b/config.json"
hardlink_before=$(sha256sum <"$W/hardlinked.json")
config_case config-hardlink "$b" harden
is "$(sha256sum <"$W/hardlinked.json")" "$hardlink_before" "config-hardlink: the file outside the bundle is untouched"

b=$(new_bundle config-read-only-mode)
cp "$VALID" "$b/config.json"
chmod 0400 "$b/config.json"
config_case config-read-only-mode "$b" harden
is "$(stat -c %a "$b/config.json")" 400 "config-read-only-mode: the hardened file keeps mode 0400"

if command -v chattr >/dev/null && b=$(new_bundle config-immutable) && cp "$VALID" "$b/config.json" &&
	chattr +i "$b/config.json" 2>/dev/null; then
	# oci-harden cannot replace it: it must stop, not run it unhardened.
	NO_PREDICT=1 config_case config-immutable "$b" refuse
	chattr -i "$b/config.json"
else
	skip "config-immutable" "chattr +i is not supported here"
fi

# --- without --log, and `run` ------------------------------------------------

# Without --log the error goes to stderr, naming config.json; `run` is
# refused as `create` is.
b=$(new_bundle config-truncated-no-log)
cp "$HOSTILE_DIR/config-truncated.json" "$b/config.json"
before=$(e2e_fingerprint "$b/config.json")
out=$W/out/config-truncated-no-log
mkdir -p "$out"
id=$(e2e_id no-log)
E2E_RUNTIME_RECORD=$out/runtime timeout -s KILL "$CASE_TIMEOUT" "$OCI_HARDEN" --root "$R" \
	create --bundle "$b" "$id" </dev/null >"$out/create.out" 2>"$out/create.err"
rc=$?
is "$rc" 1 "no --log: create exits 1"
[ -e "$out/runtime" ] && not_ok "no --log: the runtime never ran" || ok "no --log: the runtime never ran"
is "$(head -c 300 "$out/create.out")" "" "no --log: nothing on stdout"
like "$(cat "$out/create.err")" 'config\.json' "no --log: the error on stderr names config.json"
e2e_expect_untouched "no --log" "$b/config.json" "$before"
id=$(e2e_id run)
E2E_RUNTIME_RECORD=$out/runtime-run timeout -s KILL "$CASE_TIMEOUT" "$OCI_HARDEN" --root "$R" \
	--log "$out/run.log" --log-format json run --bundle "$b" "$id" </dev/null >"$out/run.out" 2>&1
e2e_expect_refused "run" "$?" "$out/runtime-run" "$out/run.out" "$out/run.log" config.json
e2e_expect_no_container "run" "$id"

# --- bind mounts through symlinks ------------------------------------------

# bind_case NAME SOURCE: a config that bind-mounts SOURCE, writable, at /h.
bind_case()
{
	local name=$1 source=$2 b
	b=$(new_bundle "$name")
	"$PYTHON" -c '
import json, sys
s = json.load(open(sys.argv[1]))
s["mounts"].append({"destination": "/h", "type": "bind", "source": sys.argv[3], "options": ["rbind", "rw"]})
json.dump(s, open(sys.argv[2], "w"), indent="\t")' "$VALID" "$b/config.json" "$source"
	printf '%s\n' "$b"
}

# The kernel resolves a bind source's symlinks and "..", in that order: a
# source judged only after a lexical clean-up is not the one mounted.
ln -s /etc "$W/etc-link"
ln -s /etc/ssl "$W/ssl-link"
b=$(bind_case config-bind-symlink-to-etc "$W/etc-link")
config_case config-bind-symlink-to-etc "$b" refuse
b=$(bind_case config-bind-symlink-dotdot-to-etc "$W/ssl-link/..")
config_case config-bind-symlink-dotdot-to-etc "$b" refuse
# runc joins a relative bind source to the bundle directory, and the
# image's root filesystem is in the bundle: a symlink in the image then
# names a host path.
b=$(bind_case config-bind-relative-through-image-symlink rootfs/hostlink)
rm -f "$b/rootfs/hostlink"
ln -s /etc "$b/rootfs/hostlink"
config_case config-bind-relative-through-image-symlink "$b" refuse

# --- bundle paths -----------------------------------------------------------

# "link/../B" where link is a symlink: the kernel (runc chdirs into the
# bundle) resolves ".." from the link's target, a lexical clean-up drops
# "link/..". The bundle the kernel finds is unhardened; a decoy sits where
# the lexical path leads. oci-harden must harden what runc reads.
d=$W/dotdot
mkdir -p "$d/real/sub"
cp -al "$ROOTFS" "$d/real/B-rootfs"
mkdir -p "$d/real/B" "$d/B"
mv "$d/real/B-rootfs" "$d/real/B/rootfs"
cp -al "$ROOTFS" "$d/B/rootfs"
cp "$VALID" "$d/real/B/config.json"
"$PYTHON" -c 'import json,sys; s=json.load(open(sys.argv[1])); s["hostname"]="decoy"; json.dump(s, open(sys.argv[2], "w"))' "$VALID" "$d/B/config.json"
decoy_before=$(e2e_fingerprint "$d/B/config.json")
ln -s "$d/real/sub" "$d/link"
config_case bundle-dotdot-through-symlink "$d/real/B" harden "$d/link/../B"
is "$(e2e_fingerprint "$d/B/config.json")" "$decoy_before" "bundle-dotdot-through-symlink: the bundle at the lexical path is untouched"

# Plain "x/../B".
b=$(new_bundle bundle-dotdot)
cp "$VALID" "$b/config.json"
mkdir -p "$W/cases/x"
config_case bundle-dotdot "$b" harden "$W/cases/x/../bundle-dotdot"

# A relative bundle path with "..", from another working directory.
b=$(new_bundle bundle-relative-dotdot)
cp "$VALID" "$b/config.json"
mkdir -p "$W/cases/cwd"
cd "$W/cases/cwd" || bail_out "cd $W/cases/cwd"
config_case bundle-relative-dotdot "$b" harden ../bundle-relative-dotdot
cd / || bail_out "cd /"

# The bundle directory itself a symlink.
b=$(new_bundle bundle-symlink-target)
cp "$VALID" "$b/config.json"
ln -s "$b" "$W/cases/bundle-symlink"
config_case bundle-symlink "$b" harden "$W/cases/bundle-symlink"

# --- command lines ----------------------------------------------------------

# argv_case NAME EXPECT ARG...: `oci-harden --root R --log L --log-format
# json ARG...` where ARG... names bundles A and B (two unhardened bundles)
# and the id as @A, @B and @ID. Whichever bundle runc takes, the container
# it creates must be hardened: runc's own state names the bundle, and the
# container, started, reports from the kernel.
argv_case()
{
	local name=$1 expect=$2 out=$W/out/$1 id a b rc arg args=() bundle verdict
	shift 2
	mkdir -p "$out"
	id=$(e2e_id "$name")
	a=$(new_bundle "$name-A")
	b=$(new_bundle "$name-B")
	cp "$VALID" "$a/config.json"
	cp "$VALID" "$b/config.json"
	for arg in "$@"; do
		arg=${arg//@ID/$id}
		arg=${arg//@A/$a}
		args+=("${arg//@B/$b}")
	done
	timeout -s KILL "$CASE_TIMEOUT" "$OCI_HARDEN" --root "$R" --log "$out/log.json" \
		--log-format json "${args[@]}" </dev/null >"$out/container.out" 2>"$out/create.err"
	rc=$?
	bundle=$("$RUNC" --root "$R" state "$id" 2>/dev/null | e2e_json_get - 'd["bundle"]' 2>/dev/null)
	if [ -z "$bundle" ]; then
		is "$rc" 1 "$name: refused: exits 1 and no container"
		[ "$expect" = harden ] && not_ok "$name: expected a container, got none" "$(tail -n 1 "$out/log.json" 2>/dev/null)" "$(tail -n 2 "$out/create.err")"
		return
	fi
	verdict=$("$PYTHON" "$GOCHECK" spec "$bundle/config.json" 2>&1)
	if [ -z "$verdict" ]; then
		ok "$name: the bundle runc took ($(basename "$bundle")) is hardened"
	else
		not_ok "$name: the bundle runc took ($(basename "$bundle")) is hardened" "$verdict"
	fi
	if [ "$("$RUNC" --root "$R" state "$id" 2>/dev/null | e2e_json_get - 'd["status"]')" = created ]; then
		"$RUNC" --root "$R" start "$id" >/dev/null 2>&1
	fi
	e2e_wait_status "$id" stopped 20 || diag "$name: the container did not stop"
	verdict=$("$PYTHON" "$GOCHECK" probe "$out/container.out")
	if [ -z "$verdict" ]; then
		ok "$name: the kernel shows a hardened process"
	else
		not_ok "$name: the kernel shows a hardened process" "$verdict" "$(head -c 600 "$out/container.out")"
	fi
	[ "$expect" = refuse ] && not_ok "$name: expected a refusal, but a container was created"
	"$RUNC" --root "$R" delete --force "$id" >/dev/null 2>&1
}

argv_case argv-options-after-id harden create @ID --bundle @B
argv_case argv-bundle-equals harden create --bundle=@B @ID
argv_case argv-bundle-short harden create -b @B @ID
argv_case argv-bundle-short-equals harden create -b=@B @ID
argv_case argv-bundle-single-dash-long harden create -bundle @B @ID
argv_case argv-bundle-twice harden create --bundle @A --bundle @B @ID
argv_case argv-bundle-before-and-after-id harden create --bundle @A @ID --bundle @B
argv_case argv-double-dash-before-id harden create --bundle @B -- @ID
argv_case argv-pid-file-then-bundle harden create --pid-file @A/pid --bundle @B @ID
argv_case argv-bundle-both-forms any create --bundle @A -b @B @ID
argv_case argv-run-detach harden run -d --bundle @B @ID
argv_case argv-run-detach-after-id harden run @ID -d --bundle @B
argv_case argv-no-pivot harden run --no-pivot -d --bundle @B @ID
argv_case argv-unknown-option any create --bundle @B --no-such-option @ID
argv_case argv-config-option refuse create --config @A/config.json --bundle @B @ID
argv_case argv-bundle-value-looks-like-option any create --bundle --help @ID
argv_case argv-global-debug harden --debug create --bundle @B @ID
argv_case argv-global-double-dash harden --debug -- create --bundle @B @ID

# ---------------------------------------------------------------------------
# exec --process cases, in one running container created through oci-harden

sleeper=$(new_bundle sleeper)
"$PYTHON" -c 'import json,sys; s=json.load(open(sys.argv[1])); s["process"]["args"]=["sleep","100000"]; json.dump(s, open(sys.argv[2], "w"))' "$VALID" "$sleeper/config.json"
SLEEPER=$(e2e_id sleeper)
if "$OCI_HARDEN" --root "$R" run -d --bundle "$sleeper" "$SLEEPER" </dev/null >/dev/null 2>"$W/sleeper.err" &&
	e2e_wait_status "$SLEEPER" running 10; then
	ok "exec: a hardened container is running for the exec cases"
else
	not_ok "exec: a hardened container is running for the exec cases" "$(cat "$W/sleeper.err")"
fi

# process_case NAME FILE EXPECT: exec --process FILE in the sleeper.
process_case()
{
	local name=$1 file=$2 expect=$3 out=$W/out/$1 marker before after rc verdict
	mkdir -p "$out"
	marker=$out/runtime
	before=$(e2e_fingerprint "$file")
	E2E_RUNTIME_RECORD=$marker timeout -s KILL "$CASE_TIMEOUT" "$OCI_HARDEN" --root "$R" \
		--log "$out/log.json" --log-format json exec --process "$file" "$SLEEPER" \
		</dev/null >"$out/exec.out" 2>"$out/exec.err"
	rc=$?
	after=$(e2e_fingerprint "$file")
	if [ "$rc" -eq 137 ]; then
		not_ok "$name: exec does not hang" "killed after $CASE_TIMEOUT s"
	fi
	if [ ! -e "$marker" ]; then
		e2e_expect_refused "$name" "$rc" "$marker" "$out/exec.out" "$out/log.json" "$(basename "$file")"
		is "$after" "$before" "$name: refused: the process file is untouched"
		[ "$expect" = harden ] && not_ok "$name: expected to be hardened and run, was refused" "$(tail -n 1 "$out/log.json" 2>/dev/null | cut -c1-300)"
		return
	fi
	verdict=$("$PYTHON" "$GOCHECK" process "$marker.process" 2>&1)
	if [ -z "$verdict" ]; then
		ok "$name: ran: the process file runc read is hardened"
	else
		not_ok "$name: ran: the process file runc read is hardened" "$verdict"
	fi
	is "$after" "$before" "$name: ran: the caller's process file is left as it was"
	[ "$expect" = refuse ] && not_ok "$name: expected a refusal, but the runtime ran"
	if [ "$rc" -eq 0 ]; then
		verdict=$("$PYTHON" "$GOCHECK" probe "$out/exec.out")
		if [ -z "$verdict" ]; then
			ok "$name: ran: the kernel shows a hardened process"
		else
			not_ok "$name: ran: the kernel shows a hardened process" "$verdict" "$(head -c 600 "$out/exec.out")"
		fi
	elif [ "$expect" = harden ]; then
		not_ok "$name: ran: exec succeeded" "exit $rc" "$(tail -n 3 "$out/exec.err")"
	fi
}

mkdir -p "$W/process"
for f in "$HOSTILE_DIR"/process-*.json; do
	name=$(basename "$f" .json)
	cp "$f" "$W/process/$name.json"
	process_case "$name" "$W/process/$name.json" "$(expected "$name.json")"
done

P=$W/process
PVALID=$HOSTILE_DIR/process-user-missing.json
"$PYTHON" -c '
import sys
valid = open(sys.argv[1]).read().rstrip()
open(sys.argv[2], "w").write(valid[:-1] + ",\n\t\"x-nested\": " + "[" * 100000 + "]" * 100000 + "\n}\n")' \
	"$PVALID" "$P/process-deep-nesting-100000.json"
process_case process-deep-nesting-100000 "$P/process-deep-nesting-100000.json" refuse
"$PYTHON" -c '
import sys
valid = open(sys.argv[1]).read().rstrip()
with open(sys.argv[2], "w") as f:
    f.write(valid[:-1] + ",\n\t\"x-big\": \"" + "A" * (100 << 20) + "\"\n}\n")' \
	"$PVALID" "$P/process-100mb.json"
process_case process-100mb "$P/process-100mb.json" refuse
rm -f "$P/process-100mb.json"
cp "$PVALID" "$P/process-target.json"
ln -s "$P/process-target.json" "$P/process-symlink.json"
process_case process-symlink "$P/process-symlink.json" refuse
mkfifo "$P/process-fifo.json"
process_case process-fifo "$P/process-fifo.json" refuse
mkdir "$P/process-directory.json"
process_case process-directory "$P/process-directory.json" refuse
process_case process-missing "$P/no-such-file.json" refuse

# exec without --process: runc builds the process from config.json and its
# flags. runc 1.1 reads --user with strconv.Atoi and stores uint32(uid), and
# --additional-gids as int64 into uint32: 4294967296 is uid 0 to runc.
PROBE_CMD='echo uid=$(id -u) gid=$(id -g) groups="$(id -G)"; grep -E "^(CapEff|CapPrm|CapBnd|CapAmb|NoNewPrivs|Seccomp):" /proc/self/status'

# exec_flags_case NAME EXPECT FLAG...: exec FLAG... SLEEPER sh -c PROBE.
exec_flags_case()
{
	local name=$1 expect=$2 out=$W/out/$1 marker rc verdict
	shift 2
	mkdir -p "$out"
	marker=$out/runtime
	E2E_RUNTIME_RECORD=$marker timeout -s KILL "$CASE_TIMEOUT" "$OCI_HARDEN" --root "$R" \
		--log "$out/log.json" --log-format json exec "$@" "$SLEEPER" sh -c "$PROBE_CMD" \
		</dev/null >"$out/exec.out" 2>"$out/exec.err"
	rc=$?
	if [ ! -e "$marker" ]; then
		e2e_expect_refused "$name" "$rc" "$marker" "$out/exec.out" "$out/log.json" exec
		[ "$expect" = harden ] && not_ok "$name: expected to run, was refused"
		return
	fi
	[ "$expect" = refuse ] && not_ok "$name: expected a refusal, but the runtime ran" "exit $rc" "$(head -c 300 "$out/exec.out")"
	# The runtime was handed the process oci-harden built: the whole of it.
	verdict=$("$PYTHON" "$GOCHECK" process "$marker.process" 2>&1)
	if [ -z "$verdict" ]; then
		ok "$name: ran: the process file runc read is hardened"
	else
		not_ok "$name: ran: the process file runc read is hardened" "$verdict"
	fi
	if [ "$rc" -eq 0 ]; then
		verdict=$("$PYTHON" "$GOCHECK" probe "$out/exec.out")
		if [ -z "$verdict" ]; then
			ok "$name: ran: the kernel shows a hardened process"
		else
			not_ok "$name: ran: the kernel shows a hardened process" "$verdict" "$(head -c 600 "$out/exec.out")"
		fi
	else
		ok "$name: ran: runc refused it itself (exit $rc)"
	fi
}

# Each runs, hardened as a container's process is (uid 0 becomes 65534,
# gid 0 leaves the groups, capabilities off the allowlist are dropped,
# noNewPrivileges comes back), or is refused: a value runc itself refuses,
# an AppArmor profile other than the container's.
exec_flags_case exec-user-0 harden --user 0
exec_flags_case exec-user-0-0 harden --user 0:0
exec_flags_case exec-user-short-equals harden -u=0
exec_flags_case exec-user-single-dash harden -user 0
exec_flags_case exec-user-plus-0 harden --user +0
exec_flags_case exec-user-00 harden --user 00
exec_flags_case exec-user-2-pow-32 harden --user 4294967296
exec_flags_case exec-user-minus-2-pow-32 harden --user -4294967296
exec_flags_case exec-gid-2-pow-32 harden --user 65534:4294967296
exec_flags_case exec-additional-gid-0 harden --additional-gids 0
exec_flags_case exec-additional-gid-hex-0 refuse -g 0x0
exec_flags_case exec-additional-gid-2-pow-32 harden -g 4294967296
exec_flags_case exec-additional-gid-hex-2-pow-32 refuse -g 0x100000000
exec_flags_case exec-cap-sys-admin harden --cap CAP_SYS_ADMIN
exec_flags_case exec-cap-equals harden --cap=CAP_SYS_ADMIN
exec_flags_case exec-cap-short harden -c CAP_SYS_ADMIN
exec_flags_case exec-no-new-privs-false harden --no-new-privs=false
exec_flags_case exec-apparmor-unconfined refuse --apparmor unconfined
exec_flags_case exec-process-label-spc-t refuse --process-label system_u:system_r:spc_t:s0
exec_flags_case exec-user-65534 harden --user 65534:65534

# A process file reached through a symlinked directory and "..": the file
# runc opens is the one to harden.
mkdir -p "$P/deep/real/sub"
cp "$PVALID" "$P/deep/real/process.json"
cp "$HOSTILE_DIR/process-caps-sys-admin.json" "$P/deep/process.json" # the lexical decoy
ln -s "$P/deep/real/sub" "$P/deep/link"
decoy_before=$(e2e_fingerprint "$P/deep/process.json")
process_case process-path-dotdot-through-symlink "$P/deep/link/../process.json" harden
is "$(e2e_fingerprint "$P/deep/process.json")" "$decoy_before" "process-path-dotdot-through-symlink: the file at the lexical path is untouched"

"$RUNC" --root "$R" kill "$SLEEPER" KILL >/dev/null 2>&1
"$RUNC" --root "$R" delete --force "$SLEEPER" >/dev/null 2>&1

# ---------------------------------------------------------------------------
# policy files

cp "$HOSTILE_DIR"/policy-*.json "$POLICY_DIR/"
"$PYTHON" -c 'import sys; open(sys.argv[1], "w").write("{\"allow\": " + "[" * 100000 + "]" * 100000 + "}\n")' \
	"$POLICY_DIR/policy-deep-nesting-100000.json"
"$PYTHON" -c 'import sys; open(sys.argv[1], "w").write("{\"images\": [\"" + "a" * (100 << 20) + "\"]}\n")' \
	"$POLICY_DIR/policy-100mb.json"
mkfifo "$POLICY_DIR/policy-fifo.json"
ln -s /dev/zero "$POLICY_DIR/policy-symlink-to-dev-zero.json"

# Does `oci-harden check` exist yet? It does when it passes the default.
CHECK=
if timeout -s KILL 30 "$OCI_HARDEN" check "$E2E_SOURCE_ROOT/policies/default.json" >/dev/null 2>&1; then
	CHECK=yes
fi

policy_bundle=$(new_bundle policy-target)
cp "$VALID" "$policy_bundle/config.json"
policy_config_sum=$(e2e_fingerprint "$policy_bundle/config.json")

# policy_case FILE EXPECT
policy_case()
{
	local file=$1 expect=$2 name base out rc
	base=$(basename "$file")
	name=${base%.json}
	out=$W/out/$name
	mkdir -p "$out"

	timeout -s KILL "$CASE_TIMEOUT" "$OCI_HARDEN" diff --color=never --policy "$file" "$policy_bundle" \
		</dev/null >"$out/diff.out" 2>"$out/diff.err"
	rc=$?
	if crashed "$rc"; then
		not_ok "$name: diff --policy does not crash or hang" "exit $rc" "$(tail -n 5 "$out/diff.err")"
	elif [ "$expect" = error ]; then
		if [ "$rc" -eq 2 ] && grep -qF -- "$name" "$out/diff.err"; then
			ok "$name: diff --policy: a clean error naming the file"
		else
			not_ok "$name: diff --policy: a clean error naming the file" "exit $rc" "$(head -c 400 "$out/diff.err")"
		fi
	elif [ "$expect" = ok ]; then
		case $rc in
		0 | 1 | 3) ok "$name: diff --policy loads it (exit $rc)" ;;
		*) not_ok "$name: diff --policy loads it" "exit $rc" "$(head -c 400 "$out/diff.err")" ;;
		esac
	else
		case $rc in
		0 | 1 | 2 | 3) ok "$name: diff --policy exits $rc" ;;
		*) not_ok "$name: diff --policy exits 0 to 3" "exit $rc" ;;
		esac
	fi
	is "$(e2e_fingerprint "$policy_bundle/config.json")" "$policy_config_sum" "$name: diff --policy leaves config.json untouched"

	# The wrapper, with this policy as the default one: a broken policy
	# stops the container before runc runs.
	if [ "$expect" = error ]; then
		local settings=$out/settings.json id marker=$out/runtime
		E2E_SETTINGS_RUNTIME=$RECORDER e2e_write_settings "$settings" \
			"\"policy_dir\": \"$POLICY_DIR\", \"state_dir\": \"$STATE_DIR\", \"default_policy\": \"$name\""
		id=$(e2e_id "$name")
		OCI_HARDEN_CONFIG=$settings E2E_RUNTIME_RECORD=$marker timeout -s KILL "$CASE_TIMEOUT" \
			"$OCI_HARDEN" --root "$R" --log "$out/log.json" --log-format json \
			create --bundle "$policy_bundle" "$id" </dev/null >"$out/create.out" 2>"$out/create.err"
		rc=$?
		e2e_expect_refused "$name: create with it as the default policy" "$rc" "$marker" \
			"$out/create.out" "$out/log.json" "$name"
		"$RUNC" --root "$R" delete --force "$id" >/dev/null 2>&1
		is "$(e2e_fingerprint "$policy_bundle/config.json")" "$policy_config_sum" "$name: create leaves config.json untouched"
	fi

	if [ -n "$CHECK" ]; then
		timeout -s KILL "$CASE_TIMEOUT" "$OCI_HARDEN" check "$file" </dev/null >"$out/check.out" 2>&1
		rc=$?
		if crashed "$rc"; then
			not_ok "$name: check does not crash or hang" "exit $rc"
		elif [ "$expect" = error ]; then
			if [ "$rc" -ne 0 ] && grep -qF -- "$name" "$out/check.out"; then
				ok "$name: check reports it, naming the file (exit $rc)"
			else
				not_ok "$name: check reports it, naming the file" "exit $rc" "$(head -c 400 "$out/check.out")"
			fi
		else
			ok "$name: check exits $rc"
		fi
	fi
}

for f in "$POLICY_DIR"/policy-*.json; do
	name=$(basename "$f")
	expect=$(expected "$name")
	policy_case "$f" "${expect:-error}"
done
[ -n "$CHECK" ] || skip "oci-harden check" "not implemented in this binary yet"

diag "wall time: $(($(date +%s) - started)) s"
tap_done
