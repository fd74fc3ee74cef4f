#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Build the image of oci-harden's node DaemonSet from local files only.

    build-image.py --binary PATH [--kubectl PATH]
                   [--busybox PATH] [--tag NAME:TAG] [--format oci|docker-archive]
                   OUT

The image holds one layer: a static busybox (the shell and the few tools
the DaemonSet's containers use, with a link per applet), the static
oci-harden binary at /usr/local/sbin/oci-harden (`oci-harden install`
copies this very file onto each node, so a dynamically linked one is
refused), and kubectl at /usr/local/bin/kubectl for the optional events
sidecar. No base image is pulled and nothing is
downloaded; every timestamp is 0, so the same files give the same image.

OUT is an OCI image layout tarball (`skopeo copy oci-archive:OUT
docker://REGISTRY/oci-harden:TAG`, `ctr images import`, `podman load`) or,
with --format docker-archive, what `docker load` reads.
"""

import argparse
import gzip
import hashlib
import io
import json
import os
import platform
import struct
import subprocess
import sys
import tarfile

GOARCH = {"x86_64": "amd64", "aarch64": "arm64", "ppc64le": "ppc64le",
          "s390x": "s390x", "riscv64": "riscv64"}[platform.machine()]
PT_INTERP = 3


def die(message):
    print(f"build-image.py: {message}", file=sys.stderr)
    sys.exit(1)


def elf_interpreter(path):
    """The program interpreter a dynamically linked ELF file names, or
    None for a static one (no PT_INTERP program header)."""
    with open(path, "rb") as f:
        head = f.read(64)
        if head[:4] != b"\x7fELF" or head[4] != 2:
            die(f"{path}: not a 64-bit ELF file")
        endian = "<" if head[5] == 1 else ">"
        phoff, = struct.unpack_from(endian + "Q", head, 32)
        phentsize, phnum = struct.unpack_from(endian + "HH", head, 54)
        for i in range(phnum):
            f.seek(phoff + i * phentsize)
            ptype, = struct.unpack(endian + "I", f.read(4))
            if ptype == PT_INTERP:
                return "dynamic"
    return None


def find_busybox():
    for candidate in ("/bin/busybox", "/usr/bin/busybox"):
        if os.access(candidate, os.X_OK) and elf_interpreter(candidate) is None:
            return candidate
    die("no static busybox (Debian: busybox-static); give one with --busybox")


def entry(tar, name, kind, mode, data=b"", target=""):
    info = tarfile.TarInfo(name)
    info.type, info.mode, info.mtime = kind, mode, 0
    info.uid = info.gid = 0
    info.uname = info.gname = "root"
    info.size, info.linkname = len(data), target
    tar.addfile(info, io.BytesIO(data) if kind == tarfile.REGTYPE else None)


def normalized(reference):
    """NAME:TAG as the kubelet and containerd name it: docker.io/library/
    in front of a name without a registry (docker/distribution's rules)."""
    first, _, rest = reference.partition("/")
    if rest and ("." in first or ":" in first or first == "localhost"):
        return reference
    if not rest:
        return "docker.io/library/" + reference
    return "docker.io/" + reference


def digest(blob):
    return "sha256:" + hashlib.sha256(blob).hexdigest()


def compact(doc):
    return json.dumps(doc, separators=(",", ":"), sort_keys=True).encode()


def make_layer(busybox, files):
    applets = subprocess.run([busybox, "--list-full"], check=True, capture_output=True,
                             text=True).stdout.split()
    dirs = {"bin", "sbin", "usr", "usr/bin", "usr/sbin", "etc", "proc", "sys", "dev",
            "tmp", "root", "host", "usr/local", "usr/local/sbin", "usr/local/bin"}
    dirs |= {os.path.dirname(a) for a in applets}
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for d in sorted(dirs):
            entry(tar, d, tarfile.DIRTYPE, {"tmp": 0o1777, "root": 0o700}.get(d, 0o755))
        with open(busybox, "rb") as f:
            entry(tar, "bin/busybox", tarfile.REGTYPE, 0o755, f.read())
        for a in sorted(applets):
            if a != "bin/busybox":
                entry(tar, a, tarfile.SYMTYPE, 0o777, target="/bin/busybox")
        entry(tar, "etc/passwd", tarfile.REGTYPE, 0o644, b"root:x:0:0:root:/root:/bin/sh\n")
        entry(tar, "etc/group", tarfile.REGTYPE, 0o644, b"root:x:0:\n")
        for dest, source in sorted(files.items()):
            with open(source, "rb") as f:
                entry(tar, dest, tarfile.REGTYPE, 0o755, f.read())
    return raw.getvalue()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--binary", required=True, help="the static oci-harden binary")
    parser.add_argument("--kubectl", help="a kubectl for the events sidecar")
    parser.add_argument("--busybox", help="a static busybox (default: the system's)")
    parser.add_argument("--tag", default="oci-harden:0.1.0", help="NAME:TAG (default %(default)s)")
    parser.add_argument("--format", choices=("oci", "docker-archive"), default="oci")
    parser.add_argument("out")
    args = parser.parse_args()

    if elf_interpreter(args.binary) is not None:
        die(f"{args.binary} is dynamically linked; install copies it onto every node, "
            "so it must be the static build (meson's default, without sanitizers)")
    busybox = args.busybox or find_busybox()
    if elf_interpreter(busybox) is not None:
        die(f"{busybox} is dynamically linked; the image has no libc")
    files = {"usr/local/sbin/oci-harden": args.binary}
    if args.kubectl:
        if elf_interpreter(args.kubectl) is not None:
            die(f"{args.kubectl} is dynamically linked; the image has no libc")
        files["usr/local/bin/kubectl"] = args.kubectl
    if ":" not in args.tag.rsplit("/", 1)[-1]:
        die(f"--tag {args.tag}: NAME:TAG")

    layer = make_layer(busybox, files)
    layer_gz = gzip.compress(layer, mtime=0)
    config = compact({
        "architecture": GOARCH, "os": "linux",
        "config": {
            "Env": ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],
            "Entrypoint": ["/usr/local/sbin/oci-harden"],
            "Cmd": ["install", "--help"],
            "WorkingDir": "/",
            "Labels": {"org.opencontainers.image.title": "oci-harden node installer"},
        },
        "rootfs": {"type": "layers", "diff_ids": [digest(layer)]},
        "history": [{"created_by": "contrib/kubernetes/build-image.py"}],
    })
    name, tag = args.tag.rsplit(":", 1)

    with tarfile.open(args.out + ".partial", "w", format=tarfile.PAX_FORMAT) as tar:
        if args.format == "oci":
            manifest = compact({
                "schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                "config": {"mediaType": "application/vnd.oci.image.config.v1+json",
                           "digest": digest(config), "size": len(config)},
                "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip",
                            "digest": digest(layer_gz), "size": len(layer_gz)}],
            })
            index = compact({
                "schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json",
                "manifests": [{"mediaType": "application/vnd.oci.image.manifest.v1+json",
                               "digest": digest(manifest), "size": len(manifest),
                               "platform": {"architecture": GOARCH, "os": "linux"},
                               "annotations": {"io.containerd.image.name": normalized(args.tag),
                                               "org.opencontainers.image.ref.name": tag}}],
            })
            entry(tar, "oci-layout", tarfile.REGTYPE, 0o644, b'{"imageLayoutVersion":"1.0.0"}')
            entry(tar, "blobs", tarfile.DIRTYPE, 0o755)
            entry(tar, "blobs/sha256", tarfile.DIRTYPE, 0o755)
            for blob in (layer_gz, config, manifest):
                entry(tar, "blobs/sha256/" + digest(blob)[7:], tarfile.REGTYPE, 0o644, blob)
            entry(tar, "index.json", tarfile.REGTYPE, 0o644, index)
        else:
            layer_dir = digest(layer)[7:]
            entry(tar, layer_dir, tarfile.DIRTYPE, 0o755)
            entry(tar, layer_dir + "/layer.tar", tarfile.REGTYPE, 0o644, layer)
            entry(tar, digest(config)[7:] + ".json", tarfile.REGTYPE, 0o644, config)
            entry(tar, "manifest.json", tarfile.REGTYPE, 0o644, compact([{
                "Config": digest(config)[7:] + ".json", "RepoTags": [args.tag],
                "Layers": [layer_dir + "/layer.tar"]}]))
            entry(tar, "repositories", tarfile.REGTYPE, 0o644,
                  compact({name: {tag: layer_dir}}))
    os.replace(args.out + ".partial", args.out)
    print(f"{args.out}: {args.tag} ({args.format}), {len(layer_gz)} bytes of layer, "
          f"{', '.join(sorted(files))}")


if __name__ == "__main__":
    main()
