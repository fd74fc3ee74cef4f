#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# The adoption path with real services, run by containerd's CRI plugin as
# the kubelet runs pods (each pod its own network namespace on a CNI bridge):
# nginx, redis and postgresql built from Debian packages and shaped like
# their Docker Hub images.
#
#  1. The default policy, enforced: nginx and postgres break, redis serves
#     (but cannot save its data as the policy's user). The denials are
#     observed, and `oci-harden suggest` (command 1) says what they were and
#     writes a trial policy in audit mode for each image.
#  2. Audit mode (the trials), observed
#     while a client exercises each service (HTTP GET, redis SET/GET, a SQL
#     query), with two nginx pods and the other services at once.
#     `oci-harden suggest` (command 2) writes the narrowest policies, and
#     `oci-harden check --events` accepts them.
#  3. The suggested policies, enforced: each service serves, and a probe in
#     each container finds that every door open there (root, capabilities,
#     writable mounts, no_new_privileges off, a writable root) is one that
#     an observation justifies; redis gets no exception at all.
set -u
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_daemons.sh"
. "$(dirname "$0")/lib_service_images.sh"

e2e_require_host
daemons_require cri
command -v debootstrap >/dev/null || skip_all "debootstrap is not installed (tests/install-deps.sh)"
e2e_require_binary
HELPER=$(dirname "$OCI_HARDEN")/oci-harden-observe
[ -x "$HELPER" ] || skip_all "oci-harden-observe was not built (meson option observe)"
e2e_setup observe-services
W=$E2E_WORK
SERVICES="nginx redis postgres"
CLIENT="$DAEMONS_PYTHON $E2E_LIB_DIR/service_client.py"

for name in $SERVICES; do
	started=$SECONDS
	tar=$(service_image_tar "$name") || bail_out "could not build the $name image (see $SERVICE_IMAGES_CACHE)"
	diag "$name image: $tar ($((SECONDS - started)) s)"
	eval "TAR_$name=\$tar"
done

policies=$W/policies
events=$W/events.log
mkdir -p "$policies"
export OCI_HARDEN_CONFIG=$W/oci-harden.json
# "always": no kubelet restarts these pods, so the first run of each, not a
# crash loop's restart, must be diagnosed (test_observe.sh tests "failing").
cat >"$OCI_HARDEN_CONFIG" <<EOF
{"runtime": "$RUNC", "state_dir": "$W/oci-harden-state", "policy_dir": "$policies",
 "event_log": "$events", $(e2e_observe_settings), "observe_startup_seconds": 600,
 "observe_enforce_syscalls": "always"}
EOF
daemons_containerd_start "$W/containerd" || bail_out "containerd did not start"
for name in $SERVICES; do
	eval "tar=\$TAR_$name"
	daemons_containerd_import k8s.io "$tar" || bail_out "could not import the $name image"
done
daemons_cri version >/dev/null || bail_out "no CRI client"

# cri NAME ARG...: daemons_cri ARG..., the answer in $W/NAME.json.
cri()
{
	local name=$1
	shift
	daemons_cri "$@" >"$W/$name.json" 2>"$W/$name.err"
}
field() { e2e_json_get "$W/$1.json" "$2" 2>/dev/null; }

# pod TAG SERVICE: a pod and its container, started. Sets POD_<TAG>,
# CTR_<TAG>, IP_<TAG>.
pod()
{
	local tag=$1 service=$2 pod ctr
	cat >"$W/pod-$tag.json" <<-EOF
	{"metadata": {"name": "$tag", "uid": "uid-$tag-$$", "namespace": "default", "attempt": 0},
	 "hostname": "$tag", "log_directory": "$W/logs-$tag",
	 "linux": {"security_context": {"namespace_options": {"network": "POD", "pid": "CONTAINER", "ipc": "POD"}}}}
	EOF
	cat >"$W/ctr-$tag.json" <<-EOF
	{"metadata": {"name": "$service", "attempt": 0},
	 "image": {"image": "docker.io/$(service_image_tag "$service")"},
	 "log_path": "$service.log",
	 "linux": {"security_context": {"namespace_options": {"network": "POD", "pid": "CONTAINER", "ipc": "POD"}}}}
	EOF
	cri "run-pod-$tag" run-pod "$W/pod-$tag.json" --handler hardened || return 1
	pod=$(field "run-pod-$tag" 'd["pod_sandbox_id"]')
	cri "create-$tag" create "$pod" "$W/ctr-$tag.json" "$W/pod-$tag.json" || return 1
	ctr=$(field "create-$tag" 'd["container_id"]')
	cri "start-$tag" start "$ctr" || return 1
	cri "pod-status-$tag" pod-status "$pod"
	eval "POD_$tag=$pod CTR_$tag=$ctr IP_$tag=$(field "pod-status-$tag" 'd["status"]["network"]["ip"]')"
}

# serves TAG SERVICE SECONDS: the client's answer, within SECONDS.
serves()
{
	local ip
	eval "ip=\$IP_$1"
	daemons_ns_exec "$CONTAINERD_NS_PID" $CLIENT "$2" "$ip" --wait "$3" 2>&1
}

# state TAG: the container's CRI state.
state()
{
	local ctr
	eval "ctr=\$CTR_$1"
	cri "status-$1" container-status "$ctr"
	field "status-$1" 'd["status"]["state"]'
}

# gone TAG: stop and remove the container and its pod, as the kubelet does:
# the container's delete writes its observation.
gone()
{
	local ctr pod
	eval "ctr=\$CTR_$1 pod=\$POD_$1"
	cri "stop-$1" stop "$ctr" --timeout 5
	cri "remove-$1" remove "$ctr"
	cri "stop-pod-$1" stop-pod "$pod"
	cri "remove-pod-$1" remove-pod "$pod"
}

# container_log TAG: what the container wrote (the CRI log file).
container_log()
{
	local service
	service=$(e2e_json_get "$W/ctr-$1.json" 'd["metadata"]["name"]')
	cat "$W/logs-$1/$service.log" 2>/dev/null | head -c 4000
}

# obs_of SERVICE MODE EXPR: EXPR over the list `os` of the observations of
# SERVICE's image in MODE, in order.
obs_of()
{
	"$PYTHON" -c '
import json, sys
image = "docker.io/local/%s:test" % sys.argv[2]
os_ = [json.loads(l) for l in open(sys.argv[1])]
os = [d["observation"] for d in os_ if d["command"] == "observe" and d["image"] == image and d["mode"] == sys.argv[3]]
print(eval(sys.argv[4]))
' "$events" "$1" "$2" "$3"
}

# --- 1. the default policy, enforced -----------------------------------------------
for name in $SERVICES; do pod "e$name" "$name" || bail_out "could not run $name (enforce)"; done
result=$(serves eredis redis 30)
like "$result" '^served' "default policy: redis serves ($result)"
for name in nginx postgres; do
	for _ in $(seq 100); do [ "$(state "e$name")" = CONTAINER_EXITED ] && break; sleep 0.2; done
	is "$(state "e$name")" CONTAINER_EXITED "default policy: $name exits"
	diag "$name said: $(container_log "e$name" | tail -n 3)"
done
for name in $SERVICES; do gone "e$name"; done
is "$(obs_of nginx enforce '[(w["path"], w["syscall"]) for w in os[0]["writes_refused"]][:1]')" \
	"[('/var/lib/nginx/body', 'mkdir')]" "default policy: nginx's refused write is observed"
like "$(obs_of postgres enforce '[c["name"] + " " + c["syscall"] for c in os[0]["capabilities_denied"]]')" \
	'CAP_FOWNER (chmod|fchmodat)' "default policy: postgres's missing capability is observed"

# Command 1: what broke, and a trial in audit mode for each image that broke.
"$OCI_HARDEN" suggest --out "$policies" "$events" >"$W/suggest1.out" 2>"$W/suggest1.err"
is "$?" 0 "command 1, oci-harden suggest: succeeds"
like "$(cat "$W/suggest1.err")" 'nginx:test: in enforce mode:' "command 1: names what enforce denied nginx"
like "$(cat "$W/suggest1.err")" 'the read-only root refused mkdir /var/lib/nginx/body' \
	"command 1: ... the write the read-only root refused"
like "$(cat "$W/suggest1.err")" 'postgres:test: in enforce mode:' "command 1: names what enforce denied postgres"
# Redis served, but as the policy's user (65534) it could not save its data
# in /data (its user's) when it stopped: enforce denied that too.
like "$(cat "$W/suggest1.err")" 'CAP_DAC_OVERRIDE was missing: openat failed .*\(redis-server\)' \
	"command 1: names what enforce denied redis (its save at shutdown)"
is "$(ls "$policies" | sort | tr '\n' ' ')" \
	"suggested-docker.io-local-nginx-test.json suggested-docker.io-local-postgres-test.json suggested-docker.io-local-redis-test.json " \
	"command 1: a trial policy for each image enforce denied something"
for name in $SERVICES; do
	like "$(cat "$policies/suggested-docker.io-local-$name-test.json")" '"mode": "audit"' \
		"command 1: $name's trial is in audit mode"
done

# --- 2. audit mode (the trials), observed while clients use the services ----------
# All four run at once before any is used.
for pair in anginx:nginx anginx2:nginx aredis:redis apostgres:postgres; do
	pod "${pair%%:*}" "${pair#*:}" || bail_out "could not run ${pair#*:} (audit)"
done
for pair in anginx:nginx anginx2:nginx aredis:redis apostgres:postgres; do
	tag=${pair%%:*} service=${pair#*:}
	result=$(serves "$tag" "$service" 60)
	if ! like "$result" '^served' "audit mode: $tag serves ($result)"; then
		diag "$(container_log "$tag")"
	fi
done
for tag in anginx anginx2 aredis apostgres; do gone "$tag"; done

is "$(obs_of nginx audit 'len(os), all(o["kernel"] and o["complete"] for o in os)')" "(2, True)" \
	"audit: both nginx pods observed, completely"
is "$(obs_of nginx audit 'sorted({(o["init"]["uid_end"], o["init"]["switched"]) for o in os})')" "[(0, False)]" \
	"audit: nginx's master stayed root"
like "$(obs_of nginx audit 'sorted({c["name"] for o in os for c in o["capabilities"]})')" \
	"CAP_CHOWN.*CAP_NET_BIND_SERVICE.*CAP_SETGID.*CAP_SETUID" "audit: nginx's capabilities"
like "$(obs_of nginx audit 'sorted({w["path"] for o in os for w in o["writes"]})')" \
	"/run/nginx.pid.*/var/lib/nginx/body" "audit: nginx's writes"
is "$(obs_of redis audit 'os[0]["init"]["uid_start"], os[0]["init"]["uid_end"], os[0]["writes"]')" \
	"(0, 999, [])" "audit: redis started as root, switched to 999, wrote nothing in its root"
is "$(obs_of postgres audit 'os[0]["init"]["uid_start"], os[0]["init"]["uid_end"]')" "(0, 999)" \
	"audit: postgres started as root and switched to 999"
like "$(obs_of postgres audit 'sorted(w["path"] for w in os[0]["writes"])')" "/run/postgresql/" \
	"audit: postgres's socket directory"
# Nothing of one pod in another's observation: the programs each ran.
is "$("$PYTHON" - "$events" <<-'PY'
import json, sys
own = {"nginx": {"nginx", "docker-entrypoi"},
       "redis": {"docker-entrypoi", "redis-server", "find", "gosu"},
       "postgres": {"docker-entrypoi", "postgres", "initdb", "find", "gosu", "sh", "locale",
                    "chmod", "mkdir", "pg_ctl"}}
bad = []
for line in open(sys.argv[1]):
    d = json.loads(line)
    if d["command"] != "observe" or d["mode"] != "audit":
        continue
    service = d["image"].split("/")[-1].split(":")[0]
    o = d["observation"]
    comms = {("ids " + i.get("how", "") + " %s" % i.get("euid"), i.get("comm")) for i in o["ids"]} | \
        {("capability " + c["name"], c.get("comm")) for c in o["capabilities"]}
    foreign = {"%s by %s" % (what, comm) for what, comm in comms if comm and comm not in own[service]}
    others = [s for s in own if s != service]
    paths = [w["path"] for w in o["writes"]]
    if service != "nginx" and any("nginx" in p for p in paths):
        foreign.add("nginx's writes")
    if service != "postgres" and any("postgresql" in p for p in paths):
        foreign.add("postgres's writes")
    if foreign:
        bad.append("%s %s: %s" % (service, d["container"][:12], sorted(foreign)))
print(bad)
PY
)" "[]" "audit: four pods of three images at once, each observation only its own"
# Drift (issue 16): the services run only their images' programs, in
# either mode: no "drift" line for any of them.
is "$("$PYTHON" -c '
import json, sys
print([(d["image"], d["path"]) for d in map(json.loads, open(sys.argv[1])) if d["command"] == "drift"])
' "$events")" "[]" "drift: none of nginx, redis, postgres ran a program not from its image"

# Command 2: the narrowest policies, in place of the trials.
"$OCI_HARDEN" suggest --out "$policies" "$events" >"$W/suggest2.out" 2>"$W/suggest2.err"
is "$?" 0 "command 2, oci-harden suggest: succeeds"
is "$(ls "$policies" | sort | tr '\n' ' ')" \
	"suggested-docker.io-local-nginx-test.json suggested-docker.io-local-postgres-test.json suggested-docker.io-local-redis-test.json " \
	"command 2: a policy per image"
for name in $SERVICES; do diag_file "$policies/suggested-docker.io-local-$name-test.json"; done
"$OCI_HARDEN" check --events "$events" "$policies" >"$W/check.out" 2>&1
if ! is "$?" 0 "oci-harden check --events: every door of every suggested policy is justified"; then
	diag_file "$W/check.out"
fi
policy() # policy SERVICE EXPR over the suggested policy p
{
	grep -v '^ *//' "$policies/suggested-docker.io-local-$1-test.json" |
		"$PYTHON" -c 'import json, sys; p = json.load(sys.stdin); print(eval(sys.argv[1]))' "$2"
}
is "$(policy redis 'sorted(p), p.get("user")')" "(['extends', 'images', 'user'], {'uid': 999, 'gid': 999})" \
	"redis: no exception at all (only its own user, 999, for root, which it dropped)"
is "$(policy nginx 'p.get("mode", "enforce"), p["user"]')" "('enforce', {'allow_root': True})" \
	"nginx: enforce mode; root, which its master kept"
is "$(policy postgres 'p.get("mode", "enforce"), p["user"], "capabilities" in p')" \
	"('enforce', {'uid': 999, 'gid': 999}, False)" "postgres: enforce mode, its user, no capability"

# --- 3. the suggested policies, enforced --------------------------------------------
PROBE='
while read -r key value rest; do
	case "$key" in Uid:|CapEff:|CapBnd:|NoNewPrivs:|Seccomp:) echo "${key%:} $value" ;; esac
done </proc/1/status
while read -r dev mnt type opts rest; do
	case "$type" in tmpfs) echo "tmpfs $mnt $opts" ;; esac
	[ "$mnt" = / ] && echo "root $opts"
done </proc/self/mounts
'
for name in $SERVICES; do
	pod "s$name" "$name" || bail_out "could not run $name under its suggested policy"
	result=$(serves "s$name" "$name" 60)
	if ! like "$result" '^served' "enforced: $name serves under its suggested policy ($result)"; then
		sleep 1
		diag "$(container_log "s$name")"
	fi
	eval "ctr=\$CTR_s$name"
	cri "probe-$name" exec-sync "$ctr" -- sh -c "$PROBE"
	field "probe-$name" 'd["stdout"]' >"$W/probe-$name.out"
	# Every door open in the container, judged by the observations of its
	# image in audit mode.
	"$PYTHON" - "$W/probe-$name.out" "$events" "$name" >"$W/judge-$name.out" <<-'PY'
	import json, sys
	probe, events, service = sys.argv[1:4]
	image = "docker.io/local/%s:test" % service
	obs = [json.loads(l)["observation"] for l in open(events)
	       if json.loads(l)["command"] == "observe" and json.loads(l)["image"] == image
	       and json.loads(l)["mode"] == "audit"]
	caps_seen = {c["name"] for o in obs for c in o["capabilities"]}
	names = ["CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH", "CAP_FOWNER", "CAP_FSETID",
	         "CAP_KILL", "CAP_SETGID", "CAP_SETUID", "CAP_SETPCAP", "CAP_LINUX_IMMUTABLE",
	         "CAP_NET_BIND_SERVICE", "CAP_NET_BROADCAST", "CAP_NET_ADMIN", "CAP_NET_RAW",
	         "CAP_IPC_LOCK", "CAP_IPC_OWNER", "CAP_SYS_MODULE", "CAP_SYS_RAWIO", "CAP_SYS_CHROOT",
	         "CAP_SYS_PTRACE", "CAP_SYS_PACCT", "CAP_SYS_ADMIN", "CAP_SYS_BOOT", "CAP_SYS_NICE",
	         "CAP_SYS_RESOURCE", "CAP_SYS_TIME", "CAP_SYS_TTY_CONFIG", "CAP_MKNOD", "CAP_LEASE",
	         "CAP_AUDIT_WRITE", "CAP_AUDIT_CONTROL", "CAP_SETFCAP", "CAP_MAC_OVERRIDE",
	         "CAP_MAC_ADMIN", "CAP_SYSLOG", "CAP_WAKE_ALARM", "CAP_BLOCK_SUSPEND", "CAP_AUDIT_READ",
	         "CAP_PERFMON", "CAP_BPF", "CAP_CHECKPOINT_RESTORE"]
	doors, unjustified = [], []
	standard = {"/dev", "/dev/shm", "/tmp", "/sys/fs/cgroup", "/proc/acpi", "/proc/scsi", "/sys/firmware",
	            "/proc/asound", "/proc/kcore", "/proc/keys", "/proc/timer_list",
	            "/proc/sched_debug", "/sys/dev/block"}
	for line in open(probe):
	    word = line.split()
	    if not word:
	        continue
	    if word[0] == "Uid":
	        if word[1] == "0":
	            doors.append("root")
	            if not any(o["init"]["uid_start"] == 0 and o["init"]["uid_end"] == 0 for o in obs):
	                unjustified.append("root")
	    elif word[0] == "CapBnd":
	        mask = int(word[1], 16)
	        for bit, name in enumerate(names):
	            if mask >> bit & 1 and name != "CAP_NET_BIND_SERVICE":
	                doors.append(name)
	                if name not in caps_seen:
	                    unjustified.append(name)
	    elif word[0] == "NoNewPrivs" and word[1] == "0":
	        doors.append("no_new_privileges off")
	        if not any(o["execs_privileged"] for o in obs):
	            unjustified.append("no_new_privileges off")
	    elif word[0] == "Seccomp" and word[1] != "2":
	        doors.append("no seccomp filter")
	        unjustified.append("no seccomp filter")
	    elif word[0] == "root" and "ro" not in word[1].split(","):
	        doors.append("writable root")
	        unjustified.append("writable root")
	    elif word[0] == "tmpfs" and word[1] not in standard:
	        doors.append("tmpfs " + word[1])
	        if not any(w["path"] == word[1] or w["path"].startswith(word[1] + "/")
	                   for o in obs for w in o["writes"]):
	            unjustified.append("tmpfs " + word[1])
	print("doors:", sorted(doors))
	print("unjustified:", sorted(unjustified))
	PY
	diag "$name: $(head -n 1 "$W/judge-$name.out")"
	is "$(sed -n 's/^unjustified: //p' "$W/judge-$name.out")" "[]" \
		"enforced: every door open in the $name container is one its observations justify"
	if [ "$name" = redis ]; then
		is "$(sed -n 's/^doors: //p' "$W/judge-$name.out")" "[]" \
			"enforced: the redis container has no door open beyond the default's"
	fi
	like "$(grep '^root ' "$W/probe-$name.out" | tail -n 1)" '^root ro(,|$)' \
		"enforced: $name's root filesystem is read-only"
done
for name in $SERVICES; do gone "s$name"; done

tap_done
