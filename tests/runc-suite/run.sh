#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# runc's own integration suite (the bats tests of Debian's runc source
# package, tests/integration) through oci-harden, compared with plain runc
# on this machine:
#
#   plain    RUNC=runc: the baseline. Which tests fail or skip depends on
#            the host (CRIU, git and the network, kernel features), so it
#            is measured here, never taken from a list. See "The baseline"
#            below for how it is cached and checked again.
#   audit    RUNC=oci-harden, its default policy in audit mode, which
#            promises to change nothing: every test must end exactly as
#            with plain runc (pass, fail or skip).
#   enforce  RUNC=oci-harden with the compiled-in default policy: a test
#            that passes with plain runc and fails here must be listed in
#            enforce-expected.txt with the rule that makes it fail, and that
#            rule must have decided in that test (in its event log: a
#            refusal, or where nothing was refused, a change); a listed test
#            that passes, or that fails by another rule, fails too, so that
#            the list stays true.
#
# Then, in each oci-harden mode, the state directory must hold no record
# of a container that no longer exists (issue 11: a record whose container
# the runtime removed without a `delete` is pruned by later commands).
#
# Everything slow to build is cached by prepare.sh. Each test of the suite
# runs in a bats of its own (`bats -f '^NAME$'`), under `script` (a
# terminal: the suite's `runc run` of a terminal container needs /dev/tty,
# as upstream's CI and Debian's autopkgtest give it), with a time limit of
# its own, its own TMPDIR and its own event log; afterwards whatever it
# left is removed: containers under its --root dirs, and every process that
# carries this run's marker in its environment (a recvtty the test's
# teardown missed holds bats open). bats' own BATS_TEST_TIMEOUT is not used:
# bats 1.8.2 runs its countdown as a background job of the test's shell, so
# the suite's bare `wait` (events.bats) waits for the countdown and every
# such test times out.
#
# The baseline: plain runc's result of every test is kept in the cache,
# keyed by what decides it (runc's version, the kernel release, the suite,
# its images, bats, criu, these scripts). Without a kept baseline, or with
# RUNC_SUITE_BASELINE=fresh, plain runc runs the whole suite first. Every
# test whose audit or enforce result differs from plain runc's is run with
# plain runc once more after the modes, and that result is the one
# compared (and kept). So a difference is always one on this machine now:
# a kept baseline gone stale (a host that gained criu or the network) is
# found and refreshed, and a test plain runc failed by chance is not
# blamed on oci-harden.
#
# Environment (for working on this test; CI sets none):
#   RUNC_SUITE_FILES          bats files to run (names, e.g. "exec.bats"),
#                             default all
#   RUNC_SUITE_MODES          oci-harden modes, default "audit enforce"
#   RUNC_SUITE_BASELINE       "fresh": measure plain runc on every test
#   RUNC_SUITE_TEST_TIMEOUT   seconds per test, default 120
#   RUNC_SUITE_MODE_TIMEOUT   seconds per mode, default 1500
#   RUNC_SUITE_KEEP           keep the work directory
set -u
RUNC_SUITE_DIR=$(cd "$(dirname "$0")" && pwd)
. "$RUNC_SUITE_DIR/../e2e/lib.sh"
. "$RUNC_SUITE_DIR/prepare.sh"

MODES=${RUNC_SUITE_MODES:-audit enforce}
TEST_TIMEOUT=${RUNC_SUITE_TEST_TIMEOUT:-120}
MODE_TIMEOUT=${RUNC_SUITE_MODE_TIMEOUT:-1500}
EXPECTED_FILE=$RUNC_SUITE_DIR/enforce-expected.txt

# --- preconditions ----------------------------------------------------------

e2e_require_host
for tool in bats jq gawk script go gcc debootstrap dpkg-source flock; do
	command -v "$tool" >/dev/null || skip_all "$tool is not installed (tests/install-deps.sh)"
done
e2e_require_binary
case $OCI_HARDEN in /*) ;; *) OCI_HARDEN=$PWD/$OCI_HARDEN ;; esac

W=$(mktemp -d /tmp/oci-harden-runc-suite.XXXXXX) || bail_out "mktemp failed"
chmod 0755 "$W"

# --- cleanup of what a test leaves behind -----------------------------------

# kill_marked: every process started by this run's bats (its environment
# carries RUNC_SUITE_MARK=$W), by pid. Containers' processes do not carry it
# (runc gives them the config's environment); delete_containers_under
# removes those.
kill_marked()
{
	local environ pid round found
	for round in 1 2 3; do
		found=0
		while read -r environ; do
			pid=${environ#/proc/}
			pid=${pid%/environ}
			[ "$pid" = "$$" ] && continue
			kill -KILL "$pid" 2>/dev/null && found=1
		done < <(grep -lsxzF "RUNC_SUITE_MARK=$W" /proc/[0-9]*/environ)
		[ "$found" -eq 0 ] && return 0
		sleep 0.2
	done
}

# delete_containers_under DIR: every container of every runc --root the
# suite made under DIR (helpers.bash: $BATS_RUN_TMPDIR/runc.XXXXXX/state),
# with the real runc.
delete_containers_under()
{
	local root id
	while read -r root; do
		for id in $("$RUNC" --root "$root" list -q 2>/dev/null); do
			"$RUNC" --root "$root" delete --force "$id" >/dev/null 2>&1
		done
	done < <(find "$1" -maxdepth 4 -type d -name state -path '*/runc.*/state' 2>/dev/null)
}

# unmount_under DIR: whatever is still mounted there, innermost first.
unmount_under()
{
	awk -v w="$1/" 'index($2, w) == 1 { print $2 }' /proc/mounts | sort -r |
		while read -r mnt; do umount -l "$mnt" 2>/dev/null; done
}

finish()
{
	kill_marked
	delete_containers_under "$W"
	unmount_under "$W"
	if [ -z "${RUNC_SUITE_KEEP:-}" ]; then
		rm -rf --one-file-system "$W" 2>/dev/null
	else
		echo "# work directory kept: $W" >&2
	fi
}
trap finish EXIT
trap 'exit 130' INT TERM

# The host's /dev/null belongs to root (devtmpfs makes it so). runc 1.1.5
# chowns a stdio file to the user of the process unless it is /dev/null
# (libcontainer/init_linux.go, fixStdioPermissions; runc issue 3674, which
# exec.bats tests), so a /dev/null found with another owner was chowned by
# some runc, of this run or of another test on this machine: it is put back
# before and after each test, and the test's output says so, since
# exec.bats fails on it.
# dev_null_restore WHEN FILE
dev_null_restore()
{
	local owner
	owner=$(stat -c %u:%g /dev/null)
	[ "$owner" = 0:0 ] && return 0
	echo "oci-harden runc-suite: the host's /dev/null was owned by $owner $1; put back to 0:0" >>"$2"
	chown 0:0 /dev/null
}

# --- preparation --------------------------------------------------------------

started=$EPOCHSECONDS
runc_suite_lock || bail_out "cannot take the lock $RUNC_SUITE_CACHE/lock"
diag "cache lock taken after $((EPOCHSECONDS - started)) s"

started=$EPOCHSECONDS
SUITE_TREE=$(runc_suite_prepare_tree 2>"$W/prepare.log") || {
	diag_file "$W/prepare.log"
	bail_out "cannot prepare runc's integration suite"
}
BUSYBOX_IMAGE=$(runc_suite_prepare_busybox 2>>"$W/prepare.log") || {
	diag_file "$W/prepare.log"
	bail_out "cannot build the busybox image"
}
DEBIAN_IMAGE=$(runc_suite_prepare_debian 2>>"$W/prepare.log") || {
	diag_file "$W/prepare.log"
	bail_out "cannot build the debian image"
}
INTEGRATION=$SUITE_TREE/tests/integration
ok "runc's integration suite and its images are ready ($((EPOCHSECONDS - started)) s)"
diag "suite: $INTEGRATION" "busybox image: $BUSYBOX_IMAGE" "debian image: $DEBIAN_IMAGE"

# The suite's tests, in file order: "FILE<TAB>NAME" lines.
ALL_TESTS=$W/tests.tsv
for file in "$INTEGRATION"/*.bats; do
	name=${file##*/}
	if [ -n "${RUNC_SUITE_FILES:-}" ] && [[ " $RUNC_SUITE_FILES " != *" $name "* ]]; then
		continue
	fi
	sed -n 's/^@test "\(.*\)" {$/\1/p' "$file" | sed "s/^/$name\t/"
done >"$ALL_TESTS"
[ -s "$ALL_TESTS" ] || bail_out "no tests found in $INTEGRATION"
diag "$(wc -l <"$ALL_TESTS") tests in $(cut -f1 "$ALL_TESTS" | sort -u | wc -l) files"

# --- settings per mode --------------------------------------------------------

# write_settings MODE DIR: the settings file of a test of MODE whose files go
# to DIR; prints its path (nothing for plain).
write_settings()
{
	local mode=$1 dir=$2 policy_dir default_policy
	case $mode in
	plain) return 0 ;;
	audit)
		policy_dir=$W/policies-audit
		default_policy=runc-suite-audit
		if [ ! -d "$policy_dir" ]; then
			mkdir -p "$policy_dir"
			# The default policy, in audit mode (oci-harden-policy(5),
			# EXAMPLES): a policy without "extends" starts from default.
			printf '{"mode": "audit"}\n' >"$policy_dir/$default_policy.json"
		fi
		;;
	enforce)
		# No policy files: the compiled-in default policy.
		policy_dir=$W/policies-enforce
		default_policy=default
		mkdir -p "$policy_dir"
		;;
	esac
	cat >"$dir/settings.json" <<-EOF
	{
	  "runtime": "$RUNC",
	  "policy_dir": "$policy_dir",
	  "default_policy": "$default_policy",
	  "state_dir": "$W/$mode/state",
	  "event_log": "$dir/events.log",
	  "kernel_audit": false
	}
	EOF
	printf '%s\n' "$dir/settings.json"
}

# --- one test -------------------------------------------------------------------

# ere_quote TEXT: TEXT as a POSIX extended regular expression matching
# itself (bats -f uses bash's =~).
ere_quote()
{
	printf '%s' "$1" | sed 's/[][\.*^$(){}+?|/]/\\&/g'
}

# run_test MODE FILE NAME DIR: run one test of the suite; writes DIR/tap
# (bats' output, and notes of this script), DIR/result ("pass", "fail",
# "skip", "timeout" or "error") and DIR/seconds.
#
# bats prints a test's result after its teardown, and then only waits for
# the test's output to close: a process the test started and its teardown
# did not stop keeps it open for ever (update.bats starts a recvtty and
# kills it at the end of the test; a test that fails before leaves it
# running). Such a process is killed RESULT_GRACE seconds after the result,
# and the result stands, noted. A test with no result after TEST_TIMEOUT
# seconds is killed and counts as "timeout".
RESULT_GRACE=5
run_test()
{
	local mode=$1 file=$2 name=$3 dir=$4 runc settings pid result line t0 result_at= timed_out=
	mkdir -p "$dir/tmp"
	: >"$dir/notes"
	dev_null_restore "before the test" "$dir/notes"
	settings=$(write_settings "$mode" "$dir")
	runc=$RUNC
	[ "$mode" = plain ] || runc=$OCI_HARDEN
	t0=$EPOCHSECONDS
	: >"$dir/tap.raw"
	# bats' options reach it through the environment: `script` runs its
	# command through $SHELL -c, and a test's name is no shell word. The
	# outer subshell, which does not carry the marker, outlives a kill and
	# says so in the test's output rather than on this script's stderr.
	(
		(
			cd "$INTEGRATION" || exit 1
			# The cache lock stays with this script: a process the
			# test leaves behind must not hold it.
			exec 9>&-
			exec env RUNC_SUITE_MARK="$W" TMPDIR="$dir/tmp" RUNC="$runc" \
				OCI_HARDEN_CONFIG="$settings" \
				RUNC_SUITE_BUSYBOX_IMAGE="$BUSYBOX_IMAGE" RUNC_SUITE_DEBIAN_IMAGE="$DEBIAN_IMAGE" \
				RUNC_SUITE_FILTER="^$(ere_quote "$name")\$" RUNC_SUITE_FILE="$file" SHELL=/bin/bash \
				script -qefc 'bats --tap -f "$RUNC_SUITE_FILTER" "$RUNC_SUITE_FILE"' /dev/null
		)
		:
	) </dev/null >>"$dir/tap.raw" 2>&1 &
	pid=$!
	while kill -0 "$pid" 2>/dev/null; do
		if [ -z "$result_at" ] && grep -qE '^(not )?ok 1 ' "$dir/tap.raw"; then
			result_at=$EPOCHSECONDS
		fi
		if [ -n "$result_at" ] && ((EPOCHSECONDS - result_at > RESULT_GRACE)); then
			echo "oci-harden runc-suite: bats did not exit within $RESULT_GRACE s of the result: a process the test left behind held it; killed" >>"$dir/notes"
			kill_marked
			break
		fi
		if ((EPOCHSECONDS - t0 >= TEST_TIMEOUT)); then
			echo "oci-harden runc-suite: no result after $TEST_TIMEOUT s: killed" >>"$dir/notes"
			timed_out=yes
			kill_marked
			break
		fi
		sleep 0.1
	done
	wait "$pid"
	echo $((EPOCHSECONDS - t0)) >"$dir/seconds"
	# Output through a terminal ends its lines with CR LF.
	tr -d '\r' <"$dir/tap.raw" >"$dir/tap"
	rm -f "$dir/tap.raw"

	kill_marked
	delete_containers_under "$dir/tmp"
	unmount_under "$dir/tmp"
	rm -rf --one-file-system "$dir/tmp"
	dev_null_restore "after the test" "$dir/notes"
	cat "$dir/notes" >>"$dir/tap"
	rm -f "$dir/notes"

	line=$(grep -E '^(not )?ok 1 ' "$dir/tap" | head -n 1)
	if [[ "$line" == "ok 1 $name # skip"* ]]; then
		result=skip
	elif [ "$line" = "ok 1 $name" ]; then
		result=pass
	elif [[ "$line" == "not ok 1 $name"* ]]; then
		result=fail
	elif [ -n "$timed_out" ]; then
		result=timeout
	else
		result=error
	fi
	echo "$result" >"$dir/result"
}

# --- results --------------------------------------------------------------------

# Every result of this run: RESULT and DIR keyed by "MODE<TAB>FILE<TAB>NAME".
declare -A RESULT=() DIR=() MODE_SECONDS=()

# run_tests MODE LIST: run the tests of LIST ("FILE<TAB>NAME" lines) in
# MODE, within MODE_TIMEOUT seconds; each result is recorded, and appended
# to MODE/results.tsv ("FILE<TAB>NAME<TAB>RESULT").
run_tests()
{
	local mode=$1 list=$2 file name dir deadline result index
	deadline=$((EPOCHSECONDS + MODE_TIMEOUT))
	mkdir -p "$W/$mode"
	index=$(find "$W/$mode" -mindepth 1 -maxdepth 1 -type d -name '[0-9]*' | wc -l)
	while IFS=$'\t' read -r file name; do
		index=$((index + 1))
		dir=$W/$mode/$index
		mkdir -p "$dir"
		if ((EPOCHSECONDS >= deadline)); then
			result=notrun
			echo "oci-harden runc-suite: not run: the time limit of $MODE_TIMEOUT s was reached" >"$dir/tap"
		else
			run_test "$mode" "$file" "$name" "$dir"
			result=$(<"$dir/result")
		fi
		RESULT["$mode"$'\t'"$file"$'\t'"$name"]=$result
		DIR["$mode"$'\t'"$file"$'\t'"$name"]=$dir
		printf '%s\t%s\t%s\n' "$file" "$name" "$result" >>"$W/$mode/results.tsv"
	done <"$list"
}

# counts MODE: "P pass, F fail, S skip" (+ timeouts, errors, not run) of
# the current results of MODE.
counts()
{
	local file name
	while IFS=$'\t' read -r file name; do
		printf '%s\n' "${RESULT["$1"$'\t'"$file"$'\t'"$name"]-notrun}"
	done <"$ALL_TESTS" | awk '{ n[$1]++ }
		END {
			s = sprintf("%d pass, %d fail, %d skip", n["pass"], n["fail"], n["skip"])
			if (n["timeout"]) s = s sprintf(", %d timeout", n["timeout"])
			if (n["error"]) s = s sprintf(", %d error", n["error"])
			if (n["notrun"]) s = s sprintf(", %d not run", n["notrun"])
			print s
		}'
}

# all_ran MODE: the tests of MODE that did not run to their end, as
# diagnostics; false if there are any.
all_ran()
{
	local file name result status=0
	while IFS=$'\t' read -r file name; do
		result=${RESULT["$1"$'\t'"$file"$'\t'"$name"]-notrun}
		case $result in
		timeout | error | notrun)
			diag "$result: $file: $name"
			status=1
			;;
		esac
	done <"$ALL_TESTS"
	return $status
}

# diag_test MODE FILE NAME: the bats output of a test, as diagnostics.
diag_test()
{
	local dir=${DIR["$1"$'\t'"$2"$'\t'"$3"]-}
	if [ -n "$dir" ]; then
		diag_file "$dir/tap" "$1: bats output"
	else
		diag "--- $1: ${RESULT["$1"$'\t'"$2"$'\t'"$3"]-not run} (kept baseline)"
	fi
}

# deciding_rules DIR: the rules that can explain why a test failed, from
# its event log, one per line: the rules that refused, when something was
# refused (a refused container or exec never ran, so no change made a
# difference), else the rules that changed something.
deciding_rules()
{
	[ -f "$1/events.log" ] || return 0
	jq -rs '[.[].decisions[]?] as $all
		| [$all[] | select(.kind == "refuse")] as $refused
		| (if ($refused | length) > 0 then $refused else [$all[] | select(.kind == "change")] end)
		| map(.rule) | unique | .[]' "$1/events.log" 2>/dev/null
}

# --- the baseline -----------------------------------------------------------------

# What plain runc's results depend on, besides the host's kernel features
# and network (which the re-runs cover): the kernel, runc, bats and criu,
# the suite and its images (their paths carry their own keys), and how
# this script runs a test.
baseline_key=$({
	uname -r
	dpkg-query -W -f='${Package} ${Version}\n' runc bats criu 2>/dev/null
	printf '%s\n' "$INTEGRATION" "$BUSYBOX_IMAGE" "$DEBIAN_IMAGE"
	declare -f run_test kill_marked delete_containers_under unmount_under dev_null_restore
} | runc_suite_key)
BASELINE_CACHE=$RUNC_SUITE_CACHE/baseline-$baseline_key.tsv
baseline_from_cache=no

started=$EPOCHSECONDS
if [ "${RUNC_SUITE_BASELINE:-}" != fresh ] && [ -f "$BASELINE_CACHE" ]; then
	while IFS=$'\t' read -r file name result; do
		RESULT["plain"$'\t'"$file"$'\t'"$name"]=$result
	done <"$BASELINE_CACHE"
	# A test the kept baseline does not have is measured now.
	: >"$W/missing.tsv"
	while IFS=$'\t' read -r file name; do
		[ -n "${RESULT["plain"$'\t'"$file"$'\t'"$name"]-}" ] || printf '%s\t%s\n' "$file" "$name"
	done <"$ALL_TESTS" >"$W/missing.tsv"
	run_tests plain "$W/missing.tsv"
	baseline_from_cache=yes
	description="plain runc: $(counts plain), kept from an earlier run ($BASELINE_CACHE), $(wc -l <"$W/missing.tsv") tests measured now"
else
	run_tests plain "$ALL_TESTS"
	description="plain runc: $(counts plain) in $((EPOCHSECONDS - started)) s"
fi
MODE_SECONDS[plain]=$((EPOCHSECONDS - started))
if all_ran plain; then
	ok "$description: every test ran to its end"
else
	not_ok "$description: every test ran to its end"
fi

# save_baseline: keep plain runc's results of the whole suite, when every
# test of it ran to its end (a timeout is no result to keep).
save_baseline()
{
	local file name result tmp
	[ -z "${RUNC_SUITE_FILES:-}" ] || return 0
	tmp=$(mktemp "$RUNC_SUITE_CACHE/building.XXXXXX") || return 0
	while IFS=$'\t' read -r file name; do
		result=${RESULT["plain"$'\t'"$file"$'\t'"$name"]-notrun}
		case $result in pass | fail | skip) ;; *)
			rm -f "$tmp"
			return 0
			;;
		esac
		printf '%s\t%s\t%s\n' "$file" "$name" "$result"
	done <"$ALL_TESTS" >"$tmp"
	chmod 0644 "$tmp"
	runc_suite_install_entry "$tmp" "$BASELINE_CACHE" "$RUNC_SUITE_CACHE/baseline-"
}
[ "$baseline_from_cache" = yes ] || save_baseline

# --- the oci-harden modes ---------------------------------------------------------

for mode in $MODES; do
	started=$EPOCHSECONDS
	run_tests "$mode" "$ALL_TESTS"
	MODE_SECONDS[$mode]=$((EPOCHSECONDS - started))
	description="$mode: $(counts "$mode") in ${MODE_SECONDS[$mode]} s"
	if all_ran "$mode"; then
		ok "$description: every test ran to its end"
	else
		not_ok "$description: every test ran to its end"
	fi
done

# Where a mode's result differs from plain runc's, plain runc once more,
# now: the result compared is plain runc's on this machine at this time (a
# kept baseline may be stale; a test may have failed by chance).
started=$EPOCHSECONDS
while IFS=$'\t' read -r file name; do
	plain=${RESULT["plain"$'\t'"$file"$'\t'"$name"]}
	for mode in $MODES; do
		if [ "${RESULT["$mode"$'\t'"$file"$'\t'"$name"]}" != "$plain" ]; then
			printf '%s\t%s\n' "$file" "$name"
			break
		fi
	done
done <"$ALL_TESTS" >"$W/again.tsv"
declare -A before_again=()
while IFS=$'\t' read -r file name; do
	before_again["$file"$'\t'"$name"]=${RESULT["plain"$'\t'"$file"$'\t'"$name"]}
done <"$W/again.tsv"
run_tests plain "$W/again.tsv"
changed=0
while IFS=$'\t' read -r file name; do
	now=${RESULT["plain"$'\t'"$file"$'\t'"$name"]}
	if [ "$now" != "${before_again["$file"$'\t'"$name"]}" ]; then
		diag "plain runc: $file: $name: $now now, ${before_again["$file"$'\t'"$name"]} before"
		changed=$((changed + 1))
	fi
done <"$W/again.tsv"
MODE_SECONDS[plain]=$((MODE_SECONDS[plain] + EPOCHSECONDS - started))
description="plain runc again where a mode differs: $(wc -l <"$W/again.tsv") tests, $changed changed, in $((EPOCHSECONDS - started)) s"
# A kept baseline that was wrong is replaced.
[ "$changed" -eq 0 ] || save_baseline
if all_ran plain; then
	ok "$description: every test ran to its end"
else
	not_ok "$description: every test ran to its end"
fi
while IFS=$'\t' read -r file name; do
	[ "${RESULT["plain"$'\t'"$file"$'\t'"$name"]}" = fail ] && diag "plain runc fails: $file: $name"
done <"$ALL_TESTS"

# --- audit: exactly plain runc's results ------------------------------------------

if [[ " $MODES " == *" audit "* ]]; then
	while IFS=$'\t' read -r file name; do
		plain=${RESULT["plain"$'\t'"$file"$'\t'"$name"]}
		result=${RESULT["audit"$'\t'"$file"$'\t'"$name"]}
		if [ "$result" = "$plain" ]; then
			ok "audit: $file: $name: $result, as with plain runc"
		else
			not_ok "audit: $file: $name: $result, plain runc: $plain"
			diag_test audit "$file" "$name"
			diag_test plain "$file" "$name"
		fi
	done <"$ALL_TESTS"
fi

# --- enforce: every new failure meant by a rule -----------------------------------

# The list: "FILE<TAB>TEST NAME<TAB>RULE<TAB>WHY", comments from #.
declare -A expected_rule=()
if [ -f "$EXPECTED_FILE" ]; then
	while IFS=$'\t' read -r file name rule why; do
		[[ -z "$file" || "$file" == \#* ]] && continue
		expected_rule["$file"$'\t'"$name"]=$rule
	done <"$EXPECTED_FILE"
fi

if [[ " $MODES " == *" enforce "* ]]; then
	while IFS=$'\t' read -r file name; do
		key=$file$'\t'$name
		plain=${RESULT["plain"$'\t'"$key"]}
		result=${RESULT["enforce"$'\t'"$key"]}
		rule=${expected_rule["$key"]-}
		deciding=$(deciding_rules "${DIR["enforce"$'\t'"$key"]}" | tr '\n' ' ')
		if [ -n "$rule" ] && [ "$plain" = pass ]; then
			if [ "$result" = pass ]; then
				not_ok "enforce: $file: $name: passes, but enforce-expected.txt says rule $rule fails it (stale entry)"
			elif [ "$result" != fail ]; then
				not_ok "enforce: $file: $name: $result, expected to fail by rule $rule"
				diag_test enforce "$file" "$name"
			elif [[ " $deciding" != *" $rule "* ]]; then
				not_ok "enforce: $file: $name: fails, but not by rule $rule (rules that refused, or else changed: ${deciding:-none})"
				diag_test enforce "$file" "$name"
			else
				ok "enforce: $file: $name: fails, as meant by rule $rule"
			fi
		elif [ -n "$rule" ]; then
			not_ok "enforce: $file: $name: listed with rule $rule, but plain runc does not pass it ($plain): nothing to explain"
		elif [ "$result" = "$plain" ]; then
			ok "enforce: $file: $name: $result, as with plain runc"
		else
			not_ok "enforce: $file: $name: $result, plain runc: $plain; not in enforce-expected.txt (rules that refused, or else changed: ${deciding:-none})"
			diag_test enforce "$file" "$name"
		fi
	done <"$ALL_TESTS"
	# An entry for a test that is not in the suite (renamed, removed) is
	# stale too.
	if [ -z "${RUNC_SUITE_FILES:-}" ]; then
		for key in "${!expected_rule[@]}"; do
			if ! grep -qxF "$key" "$ALL_TESTS"; then
				not_ok "enforce-expected.txt: no such test: ${key/$'\t'/: } (stale entry)"
			fi
		done
	fi
fi

# --- the suite really went through oci-harden, under the policy meant ------------

# Every create, run and exec of a mode is an event in its test's event log,
# under the mode's policy: runc-suite-audit in audit mode, the compiled-in
# default in enforce mode. No event at all would mean the suite ran runc
# without oci-harden.
for mode in $MODES; do
	case $mode in
	audit) policy=runc-suite-audit ;;
	enforce) policy=default ;;
	esac
	events=$(cat "$W/$mode"/*/events.log 2>/dev/null | jq -s length)
	other=$(cat "$W/$mode"/*/events.log 2>/dev/null |
		jq -c --arg policy "$policy" --arg mode "$mode" \
			'select(.policy != $policy or .mode != $mode) | [.command, .container, .policy, .mode, .outcome]' | head -n 5)
	description="$mode: $events creates and execs went through oci-harden, all under policy $policy in $mode mode"
	if [ "${events:-0}" -gt 0 ] && [ -z "$other" ]; then
		ok "$description"
	else
		not_ok "$description" "${other:-no event}"
	fi
done

# --- no record of a container that no longer exists ---------------------------------

# A record is STATE_DIR/HASH/ID.json with the runtime root and container id
# (src/container_state.c); its container exists when the runtime root holds
# ID/state.json.
for mode in $MODES; do
	state_dir=$W/$mode/state
	stale=()
	while read -r record; do
		root=$(jq -r '.root // "/run/runc"' "$record" 2>/dev/null)
		id=$(jq -r '.id // empty' "$record" 2>/dev/null)
		if [ -z "$id" ] || [ ! -f "$root/$id/state.json" ]; then
			stale+=("$record")
		fi
	done < <(find "$state_dir" -type f -name '*.json' 2>/dev/null)
	description="$mode: the state directory holds no record of a container that no longer exists"
	if [ ${#stale[@]} -eq 0 ]; then
		ok "$description"
	else
		not_ok "$description" "${#stale[@]} stale records, e.g. ${stale[0]}" \
			"$(cat "${stale[0]}")" \
			"$(find "$state_dir" -mindepth 1 -maxdepth 1 -type d | wc -l) directories"
	fi
done

for mode in plain $MODES; do
	diag "$mode: $(counts "$mode"), ${MODE_SECONDS[$mode]} s"
done
tap_done
