#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Generate the config.json files of the benchmark (tests/bench/run.sh).

    make_config.py cri FIXTURE OUT SANDBOX_PID LAYOUT

writes FIXTURE (one of tests/fixtures/cri/) to OUT, made to pass the default
policy on this host without changing its shape (see sandbox_adapt). Its bind
sources (the CRI's files under /var/lib/containerd and /run/containerd of
the node it was captured on) stay where a node has them: each one this host
lacks is appended to the file LAYOUT ("dir PATH" or "file PATH"), which
run.sh makes in a private mount namespace (oci-harden refuses a source that
does not exist).

    make_config.py layout LAYOUT

makes every entry of LAYOUT (run.sh runs it in its namespace).

    make_config.py sizes FIXTURE OUTDIR SANDBOX_PID LAYOUT

writes into OUTDIR:

  large.config.json     FIXTURE (tests/fixtures/cri/default.config.json) with
                        1,000 bind mounts and 5,000 environment variables
                        added, about 1 MiB: the issue's config (b).
  size-<N>.config.json  the size series, N in 1k 16k 256k 1m 4m: one small
                        base config plus k bind mounts and 5k environment
                        variables of the same shape as in large.config.json,
                        k chosen to reach N bytes. The series shares its base
                        so that only the size varies between its members.

The bind mounts are kubelet emptyDir volumes, under /var/lib/kubelet as on a
node, appended to LAYOUT, so that oci-harden resolves real paths, as it
would on a node.
Every file is indented as the CRI fixtures are, and its size and counts are
printed one line per file: "NAME BYTES MOUNTS ENV".

    make_config.py process FIXTURE OUT

writes the process of FIXTURE to OUT: the --process file of `exec`.

    make_config.py busybox CONFIG ARG...

turns the `runc spec` output in CONFIG into what containerd writes for an
image with no USER (root, containerd's default capabilities, no
noNewPrivileges, a writable root, no seccomp, no terminal) running ARG...
"""
import copy
import json
import os
import re
import sys

LARGE_MOUNTS = 1000
LARGE_ENV = 5000
ENV_PER_MOUNT = LARGE_ENV // LARGE_MOUNTS
LARGE_BYTES = 1 << 20
SERIES = [("1k", 1 << 10), ("16k", 16 << 10), ("256k", 256 << 10), ("1m", 1 << 20), ("4m", 4 << 20)]
POD_UID = "6c1f9a4e-3b7d-4f0e-9a51-2d8c7e4b1f03"
KUBELET = "/var/lib/kubelet"
# Where a node keeps the bind sources of the fixtures: run.sh puts a tmpfs
# on each in its mount namespace.
NODE_DIRS = ["/var/lib/containerd", "/run/containerd", KUBELET]
# The namespaces a container must have of its own or join (the default
# policy refuses to let it share the host's).
REQUIRED_NAMESPACES = ["pid", "network", "ipc", "uts", "mount"]
# The capabilities containerd gives a container by default
# (containerd/oci/spec.go, defaultUnixCaps).
CONTAINERD_CAPS = [
    "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FSETID", "CAP_FOWNER", "CAP_MKNOD", "CAP_NET_RAW",
    "CAP_SETGID", "CAP_SETUID", "CAP_SETFCAP", "CAP_SETPCAP", "CAP_NET_BIND_SERVICE",
    "CAP_SYS_CHROOT", "CAP_KILL", "CAP_AUDIT_WRITE",
]


def dump(spec):
    # The fixtures are indented by two spaces, as captured from containerd;
    # this gives their exact bytes back.
    return json.dumps(spec, indent=2)


def load(path):
    with open(path) as f:
        return json.load(f)


def sandbox_adapt(spec, sandbox_pid):
    """The fixtures join the pod sandbox's namespaces by /proc/<pid>/ns/...
    of a pid of the machine they were captured on, and the sandbox fixture
    is a host-network pod. Join the namespaces of SANDBOX_PID instead (a
    process run.sh keeps in namespaces of its own, as the pause container
    is) and give a namespace missing from the list one of its own, so that
    the default policy hardens the config rather than refusing it: a
    benchmark of `create` must time the whole of it."""
    namespaces = spec.setdefault("linux", {}).setdefault("namespaces", [])
    for ns in namespaces:
        if "path" in ns:
            ns["path"] = re.sub(r"^/proc/\d+/ns/", "/proc/%d/ns/" % sandbox_pid, ns["path"])
    present = {ns.get("type") for ns in namespaces}
    namespaces += [{"type": t} for t in REQUIRED_NAMESPACES if t not in present]
    return spec


def source_kind(source):
    """The CRI's hostname, hosts and resolv.conf are files; anything else
    (the sandbox's shm, a volume) a directory."""
    return "file" if os.path.basename(source) in ("hostname", "hosts", "resolv.conf") else "dir"


def missing_sources(spec):
    for m in spec.get("mounts", []):
        source = m.get("source", "")
        if m.get("type") == "bind" and source.startswith("/") and not os.path.exists(source):
            yield m


def sources_on_node(spec, layout):
    """Bind sources that do not exist on this host, left where a node has
    them and appended to LAYOUT; one outside NODE_DIRS stops everything."""
    with open(layout, "a") as f:
        for m in missing_sources(spec):
            source = m["source"]
            if not any(source.startswith(d + "/") for d in NODE_DIRS):
                sys.exit("make_config.py: %s is not under %s" % (source, " or ".join(NODE_DIRS)))
            f.write("%s %s\n" % (source_kind(source), source))
    return spec


def make(kind, path):
    if kind == "file":
        os.makedirs(os.path.dirname(path), exist_ok=True)
        open(path, "a").close()
    else:
        os.makedirs(path, exist_ok=True)


def env_var(i, value_len):
    name = "BENCH_VAR_%05d=" % i
    return name + ("v%05d" % i * (value_len // 6 + 1))[:value_len]


def bind_mount(i):
    # A kubelet emptyDir volume, as the CRI plugin passes it to the runtime.
    return {
        "destination": "/data/vol-%05d" % i,
        "type": "bind",
        "source": "%s/pods/%s/volumes/kubernetes.io~empty-dir/vol-%05d" % (KUBELET, POD_UID, i),
        "options": ["rbind", "rprivate", "rw"],
    }


def grown(base, mounts, env, value_len):
    spec = copy.deepcopy(base)
    spec["process"]["env"] += [env_var(i, value_len) for i in range(env)]
    spec["mounts"] += [bind_mount(i) for i in range(mounts)]
    return spec


def value_len_for_large(base):
    # The size is linear in the value length: two points give the line.
    small = len(dump(grown(base, LARGE_MOUNTS, LARGE_ENV, 10)))
    return max(10, 10 + (LARGE_BYTES - small) // LARGE_ENV)


def series_base(fixture):
    """The smallest config that still has what the policy works on: a root
    user, the namespaces, /proc and /dev, about 1 KiB once padded."""
    return {
        "ociVersion": fixture["ociVersion"],
        "process": {
            "user": {"uid": 0, "gid": 0},
            "args": fixture["process"]["args"],
            "env": fixture["process"]["env"][:1],
            "cwd": "/",
        },
        "root": {"path": "rootfs"},
        "mounts": [m for m in fixture["mounts"] if m["destination"] in ("/proc", "/dev")],
        "linux": {"namespaces": [{"type": t} for t in REQUIRED_NAMESPACES]},
    }


def sized(base, target, value_len):
    """base plus k units (one mount, five env vars), then one env var padded
    so that the file is as close to target bytes as it can be."""
    unit = len(dump(grown(base, 1, ENV_PER_MOUNT, value_len))) - len(dump(base))
    k = max(0, (target - len(dump(base))) // unit)
    spec = grown(base, k, ENV_PER_MOUNT * k, value_len)
    pad = target - len(dump(spec)) - len(',\n      ""')
    if pad > 0:
        spec["process"]["env"].append("BENCH_PAD=" + "p" * max(0, pad - len("BENCH_PAD=")))
    return spec


def write(path, spec):
    text = dump(spec)
    with open(path, "w") as f:
        f.write(text)
    print(os.path.basename(path), len(text), len(spec["mounts"]), len(spec["process"]["env"]))


def cmd_cri(fixture_path, out, sandbox_pid, layout):
    write(out, sources_on_node(sandbox_adapt(load(fixture_path), int(sandbox_pid)), layout))


def cmd_layout(layout):
    with open(layout) as f:
        for line in f:
            kind, path = line.rstrip("\n").split(" ", 1)
            make(kind, path)


def cmd_sizes(fixture_path, outdir, sandbox_pid, layout):
    fixture = sources_on_node(sandbox_adapt(load(fixture_path), int(sandbox_pid)), layout)
    os.makedirs(outdir, exist_ok=True)

    value_len = value_len_for_large(fixture)
    large = grown(fixture, LARGE_MOUNTS, LARGE_ENV, value_len)
    write(os.path.join(outdir, "large.config.json"), large)

    base = series_base(fixture)
    most = 0
    for name, target in SERIES:
        spec = sized(base, target, value_len)
        write(os.path.join(outdir, "size-%s.config.json" % name), spec)
        most = max(most, len(spec["mounts"]), LARGE_MOUNTS)
    with open(layout, "a") as f:
        for i in range(most):
            f.write("dir %s\n" % bind_mount(i)["source"])


def cmd_process(fixture_path, out):
    with open(out, "w") as f:
        # containerd writes the --process file with json.Marshal: compact.
        json.dump(load(fixture_path)["process"], f, separators=(",", ":"))


def cmd_busybox(path, args):
    spec = load(path)
    process = spec["process"]
    process["terminal"] = False
    process["args"] = args
    process["user"] = {"uid": 0, "gid": 0}
    process["capabilities"] = {k: CONTAINERD_CAPS for k in ("bounding", "effective", "permitted")}
    process.pop("noNewPrivileges", None)
    spec["root"] = {"path": "rootfs", "readonly": False}
    spec.get("linux", {}).pop("seccomp", None)
    with open(path, "w") as f:
        f.write(dump(spec))


COMMANDS = {
    "cri": (cmd_cri, 4),
    "layout": (cmd_layout, 1),
    "sizes": (cmd_sizes, 4),
    "process": (cmd_process, 2),
    "busybox": (cmd_busybox, None),
}


def main():
    name = sys.argv[1] if len(sys.argv) > 1 else None
    if name == "busybox" and len(sys.argv) >= 4:
        return cmd_busybox(sys.argv[2], sys.argv[3:])
    if name in COMMANDS and len(sys.argv) - 2 == COMMANDS[name][1]:
        return COMMANDS[name][0](*sys.argv[2:])
    sys.exit(
        "usage: make_config.py cri FIXTURE OUT SANDBOX_PID LAYOUT"
        " | layout LAYOUT"
        " | sizes FIXTURE OUTDIR SANDBOX_PID LAYOUT | process FIXTURE OUT | busybox CONFIG ARG..."
    )


if __name__ == "__main__":
    main()
