#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Time whole CRI pod lifecycles, as the kubelet asks for them, per handler.

    cri_lifecycle.py [--restricted PROFILE] SOCKET IMAGE WORKDIR RUNS HANDLER...

In one process (one gRPC channel, as the kubelet keeps one), RUNS rounds,
each running one lifecycle per HANDLER, the order turned by one every
round: RunPodSandbox, CreateContainer (IMAGE, `true`), StartContainer,
ContainerStatus until it exited, RemoveContainer, StopPodSandbox,
RemovePodSandbox, timed
from the first request to the last answer. Two untimed rounds come first.
With --restricted, the pod asks for what Pod Security "restricted" and a
read-only root ask of the kubelet (uid and gid 65534, no new privileges,
every capability dropped, a read-only root filesystem), and for the seccomp
profile in the file PROFILE (a Localhost profile: oci-harden's own, so that
both sides load the same filter): the configs containerd then writes are as
near the ones oci-harden writes as a pod spec can bring them, and runc's
side runs nearly the hardened configs. Without it, the kubelet's defaults.
Prints one line per handler as tests/bench/bench.c does:
"side HANDLER runs N median_us M p95_us P min_us A max_us B".
The gRPC modules come from CRI_API_PYTHON_PATH (tests/e2e/lib_daemons.sh).
"""
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "e2e"))
import cri  # noqa: E402  (tests/e2e/cri.py: its Client and modules)

api = cri.api_pb2


def security_contexts(profile):
    """The pod's and the container's security contexts: restricted, with the
    seccomp profile in the file `profile`, unless that is None."""
    namespaces = api.NamespaceOption(network=api.POD, pid=api.CONTAINER, ipc=api.POD)
    if profile is None:
        return (api.LinuxSandboxSecurityContext(namespace_options=namespaces),
                api.LinuxContainerSecurityContext())
    nobody = api.Int64Value(value=65534)
    # containerd reads the file as the OCI spec's linux.seccomp.
    seccomp = api.SecurityProfile(profile_type=api.SecurityProfile.Localhost,
                                  localhost_ref=profile)
    return (api.LinuxSandboxSecurityContext(
                namespace_options=namespaces, seccomp=seccomp, run_as_user=nobody,
                run_as_group=nobody, readonly_rootfs=True),
            api.LinuxContainerSecurityContext(
                seccomp=seccomp, run_as_user=nobody, run_as_group=nobody,
                readonly_rootfs=True, no_new_privs=True,
                capabilities=api.Capability(drop_capabilities=["ALL"])))


def lifecycle(client, image, workdir, handler, serial, profile):
    name = "bench-%s-%d" % (handler, serial)
    pod_security, container_security = security_contexts(profile)
    pod_config = api.PodSandboxConfig(
        metadata=api.PodSandboxMetadata(name=name, uid="uid-" + name, namespace="default"),
        hostname=name,
        log_directory=os.path.join(workdir, "logs", name),
        linux=api.LinuxPodSandboxConfig(security_context=pod_security),
    )
    container_config = api.ContainerConfig(
        metadata=api.ContainerMetadata(name="main"),
        image=api.ImageSpec(image=image),
        command=["true"],
        log_path="main.log",
        linux=api.LinuxContainerConfig(security_context=container_security),
    )
    rs = "RuntimeService"
    start = time.monotonic()
    pod = client.call(rs, "RunPodSandbox", api.RunPodSandboxRequest(
        config=pod_config, runtime_handler=handler)).pod_sandbox_id
    container = client.call(rs, "CreateContainer", api.CreateContainerRequest(
        pod_sandbox_id=pod, config=container_config, sandbox_config=pod_config)).container_id
    client.call(rs, "StartContainer", api.StartContainerRequest(container_id=container))
    # `true` exits at once; the kubelet sees it exited and removes it
    # (StopContainer of an exited container races the shim's exit in
    # containerd 1.6: "ttrpc: closed").
    while client.call(rs, "ContainerStatus", api.ContainerStatusRequest(
            container_id=container)).status.state != api.CONTAINER_EXITED:
        time.sleep(0.002)
    client.call(rs, "RemoveContainer", api.RemoveContainerRequest(container_id=container))
    client.call(rs, "StopPodSandbox", api.StopPodSandboxRequest(pod_sandbox_id=pod))
    client.call(rs, "RemovePodSandbox", api.RemovePodSandboxRequest(pod_sandbox_id=pod))
    return (time.monotonic() - start) * 1e6


def percentile(values, p):
    s = sorted(values)
    return s[min(len(s) - 1, int(p * len(s)))]


def main():
    args = sys.argv[1:]
    profile = None
    if args and args[0] == "--restricted":
        if len(args) < 2 or not os.path.isabs(args[1]):
            sys.exit("cri_lifecycle.py: --restricted takes the absolute path of a seccomp profile")
        profile, args = args[1], args[2:]
    if len(args) < 5:
        sys.exit(__doc__)
    socket, image, workdir, runs = args[0], args[1], args[2], int(args[3])
    handlers = args[4:]
    client = cri.Client(socket, 60)
    times = {h: [] for h in handlers}
    serial = 0
    for round_ in range(runs + 2):
        turn = round_ % len(handlers)
        for h in handlers[turn:] + handlers[:turn]:
            serial += 1
            t = lifecycle(client, image, workdir, h, serial, profile)
            if round_ >= 2:
                times[h].append(t)
    for h in handlers:
        v = times[h]
        print("side %s runs %d median_us %.0f p95_us %.0f min_us %.0f max_us %.0f"
              % (h, len(v), percentile(v, 0.5), percentile(v, 0.95), min(v), max(v)))


if __name__ == "__main__":
    main()
