#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""A CRI client for the tests: what the kubelet asks a container runtime.

    cri.py --socket SOCKET COMMAND [ARG...]

Requests are read as JSON (the CRI protobuf messages in proto3's JSON
mapping: snake_case or lowerCamelCase field names, enums by name), answers
are printed as JSON with the proto's own field names. The Python modules
are generated from the CRI's api.proto by tests/e2e/lib_daemons.sh
(daemons_cri_module_dir) and found through CRI_API_PYTHON_PATH.

Commands (a FILE may be "-" for stdin):
  version
  run-pod POD-CONFIG-FILE [--handler NAME]            -> {"pod_sandbox_id"}
  create POD-ID CONTAINER-CONFIG-FILE POD-CONFIG-FILE -> {"container_id"}
  start ID
  exec-sync ID [--timeout SECONDS] -- COMMAND...      -> {"stdout","stderr","exit_code"}
  stop ID [--timeout SECONDS]
  remove ID
  stop-pod POD-ID, remove-pod POD-ID, pod-status POD-ID
  container-status ID, list-containers [--pod POD-ID], list-pods
  image-status IMAGE, list-images
  call SERVICE.METHOD REQUEST-FILE     any RuntimeService or ImageService call
  remove-all                           stop and remove every pod, as a
                                       kubelet draining the node would

A failed call prints {"error": CODE, "message": DETAILS} to stdout and exits 1.
"""

import argparse
import json
import os
import sys

sys.path.insert(0, os.environ.get("CRI_API_PYTHON_PATH", "."))

import grpc  # noqa: E402
from google.protobuf import json_format  # noqa: E402

import api_pb2  # noqa: E402
import api_pb2_grpc  # noqa: E402


def read_json(path):
    with (sys.stdin if path == "-" else open(path)) as f:
        return json.load(f)


def message(cls, doc):
    return json_format.ParseDict(doc, cls(), ignore_unknown_fields=False)


def answer(msg):
    return json_format.MessageToDict(msg, preserving_proto_field_name=True,
                                     including_default_value_fields=True)


class Client:
    def __init__(self, socket, timeout):
        self.channel = grpc.insecure_channel("unix://" + socket)
        self.runtime = api_pb2_grpc.RuntimeServiceStub(self.channel)
        self.image = api_pb2_grpc.ImageServiceStub(self.channel)
        self.timeout = timeout

    def call(self, service, method, request):
        stub = self.runtime if service == "RuntimeService" else self.image
        return getattr(stub, method)(request, timeout=self.timeout)


def decode_bytes(doc):
    # ExecSync's stdout and stderr are bytes, base64 in proto JSON.
    import base64
    for key in ("stdout", "stderr"):
        if key in doc:
            doc[key] = base64.b64decode(doc[key]).decode("utf-8", "replace")
    return doc


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--socket", required=True)
    parser.add_argument("--call-timeout", type=float, default=120.0,
                        help="seconds any one call may take")
    parser.add_argument("command")
    parser.add_argument("args", nargs=argparse.REMAINDER)
    opts = parser.parse_args()
    client = Client(opts.socket, opts.call_timeout)
    rs = "RuntimeService"
    a = opts.args

    def sub(usage):
        p = argparse.ArgumentParser(prog="cri.py " + opts.command)
        for spec in usage:
            name, kw = spec[0], spec[1] if len(spec) > 1 else {}
            p.add_argument(name, **kw)
        return p.parse_args(a)

    cmd = opts.command
    if cmd == "version":
        out = client.call(rs, "Version", api_pb2.VersionRequest())
    elif cmd == "run-pod":
        s = sub([("config",), ("--handler", {"default": ""})])
        out = client.call(rs, "RunPodSandbox", api_pb2.RunPodSandboxRequest(
            config=message(api_pb2.PodSandboxConfig, read_json(s.config)),
            runtime_handler=s.handler))
    elif cmd == "create":
        s = sub([("pod",), ("config",), ("pod_config",)])
        out = client.call(rs, "CreateContainer", api_pb2.CreateContainerRequest(
            pod_sandbox_id=s.pod,
            config=message(api_pb2.ContainerConfig, read_json(s.config)),
            sandbox_config=message(api_pb2.PodSandboxConfig, read_json(s.pod_config))))
    elif cmd == "start":
        s = sub([("id",)])
        out = client.call(rs, "StartContainer", api_pb2.StartContainerRequest(container_id=s.id))
    elif cmd == "exec-sync":
        if "--" not in a:
            parser.error("exec-sync ID [--timeout SECONDS] -- COMMAND...")
        at = a.index("--")
        command, a = a[at + 1:], a[:at]
        s = sub([("id",), ("--timeout", {"type": int, "default": 60})])
        out = client.call(rs, "ExecSync", api_pb2.ExecSyncRequest(
            container_id=s.id, cmd=command, timeout=s.timeout))
        print(json.dumps(decode_bytes(answer(out))))
        return 0
    elif cmd == "stop":
        s = sub([("id",), ("--timeout", {"type": int, "default": 10})])
        out = client.call(rs, "StopContainer", api_pb2.StopContainerRequest(
            container_id=s.id, timeout=s.timeout))
    elif cmd == "remove":
        s = sub([("id",)])
        out = client.call(rs, "RemoveContainer", api_pb2.RemoveContainerRequest(container_id=s.id))
    elif cmd == "stop-pod":
        s = sub([("id",)])
        out = client.call(rs, "StopPodSandbox", api_pb2.StopPodSandboxRequest(pod_sandbox_id=s.id))
    elif cmd == "remove-pod":
        s = sub([("id",)])
        out = client.call(rs, "RemovePodSandbox", api_pb2.RemovePodSandboxRequest(pod_sandbox_id=s.id))
    elif cmd == "pod-status":
        s = sub([("id",)])
        out = client.call(rs, "PodSandboxStatus", api_pb2.PodSandboxStatusRequest(
            pod_sandbox_id=s.id, verbose=True))
    elif cmd == "container-status":
        s = sub([("id",)])
        out = client.call(rs, "ContainerStatus", api_pb2.ContainerStatusRequest(
            container_id=s.id, verbose=True))
    elif cmd == "list-containers":
        s = sub([("--pod", {"default": ""})])
        flt = api_pb2.ContainerFilter(pod_sandbox_id=s.pod)
        out = client.call(rs, "ListContainers", api_pb2.ListContainersRequest(filter=flt))
    elif cmd == "list-pods":
        out = client.call(rs, "ListPodSandbox", api_pb2.ListPodSandboxRequest())
    elif cmd == "image-status":
        s = sub([("image",)])
        out = client.call("ImageService", "ImageStatus", api_pb2.ImageStatusRequest(
            image=api_pb2.ImageSpec(image=s.image)))
    elif cmd == "list-images":
        out = client.call("ImageService", "ListImages", api_pb2.ListImagesRequest())
    elif cmd == "call":
        s = sub([("method",), ("request",)])
        service, _, method = s.method.partition(".")
        if service not in (rs, "ImageService") or not method:
            parser.error("call SERVICE.METHOD: SERVICE is RuntimeService or ImageService")
        request_cls = getattr(api_pb2, method + "Request")
        out = client.call(service, method, message(request_cls, read_json(s.request)))
    elif cmd == "remove-all":
        sub([])
        pods = client.call(rs, "ListPodSandbox", api_pb2.ListPodSandboxRequest()).items
        for pod in pods:
            client.call(rs, "StopPodSandbox", api_pb2.StopPodSandboxRequest(pod_sandbox_id=pod.id))
            client.call(rs, "RemovePodSandbox", api_pb2.RemovePodSandboxRequest(pod_sandbox_id=pod.id))
        print(json.dumps({"removed_pods": [pod.id for pod in pods]}))
        return 0
    else:
        parser.error(f"unknown command {cmd!r}")
    print(json.dumps(answer(out)))
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except grpc.RpcError as e:
        print(json.dumps({"error": e.code().name, "message": e.details()}))
        sys.exit(1)
