#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Build a one-layer busybox image as a tarball that container engines load.

    daemons_image.py --format docker-archive|oci --tag REPO:TAG --busybox PATH
                     [--cmd JSON-LIST] [--add SRC:DEST[:MODE]]... OUT

docker-archive is what `docker save` writes (manifest.json, the config as
<hex>.json, <layer>/layer.tar, repositories) and what `docker load`, `podman
load` and `ctr images import` all read. oci is an OCI image layout
(oci-layout, index.json, blobs/sha256/...) whose manifest carries the tag
as org.opencontainers.image.ref.name, the form `ctr images import
--base-name` and `podman load` read.

The layer is what tests/e2e/lib.sh's e2e_make_rootfs lays out: busybox with
a symlink per applet, passwd and group with root and nobody, the
directories runc mounts over, /tmp 1777 (runc gives a tmpfs the mode of
the directory it covers), /root 0700. Every timestamp is 0, so the same
inputs give the same bytes, and the same image id, every time.
"""

import argparse
import gzip
import hashlib
import io
import json
import os
import platform
import subprocess
import sys
import tarfile

# GOARCH of this machine: the platform the engines pick by default.
GOARCH = {"x86_64": "amd64", "aarch64": "arm64", "ppc64le": "ppc64le",
          "s390x": "s390x", "riscv64": "riscv64"}[platform.machine()]

PASSWD = (b"root:x:0:0:root:/root:/bin/sh\n"
          b"nobody:x:65534:65534:nobody:/nonexistent:/bin/sh\n")
GROUP = b"root:x:0:\nnogroup:x:65534:\n"


def entry(tar, name, kind, mode, data=b"", target=""):
    info = tarfile.TarInfo(name)
    info.type, info.mode, info.mtime = kind, mode, 0
    info.uid = info.gid = 0
    info.uname = info.gname = "root"
    info.size, info.linkname = len(data), target
    tar.addfile(info, io.BytesIO(data) if kind == tarfile.REGTYPE else None)


def sha256(blob):
    return hashlib.sha256(blob).hexdigest()


def compact(doc):
    return json.dumps(doc, separators=(",", ":"), sort_keys=True).encode()


def make_layer(busybox, additions):
    applets = subprocess.run([busybox, "--list-full"], check=True, capture_output=True,
                             text=True).stdout.split()
    files = {}
    for spec in additions:
        parts = spec.split(":")
        if len(parts) not in (2, 3) or not parts[1].startswith("/"):
            sys.exit(f"daemons_image.py: --add {spec}: want SRC:/DEST[:OCTAL-MODE]")
        with open(parts[0], "rb") as f:
            files[parts[1].lstrip("/")] = (f.read(), int(parts[2], 8) if len(parts) == 3 else 0o755)
    dirs = {"bin", "sbin", "usr", "usr/bin", "usr/sbin", "etc", "proc", "sys", "dev", "mnt",
            "root", "tmp", "var", "home"}
    dirs |= {os.path.dirname(a) for a in applets}
    for name in files:
        parent = os.path.dirname(name)
        while parent:
            dirs.add(parent)
            parent = os.path.dirname(parent)
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for d in sorted(dirs):
            entry(tar, d, tarfile.DIRTYPE, {"tmp": 0o1777, "root": 0o700}.get(d, 0o755))
        with open(busybox, "rb") as f:
            entry(tar, "bin/busybox", tarfile.REGTYPE, 0o755, f.read())
        for a in applets:
            if a != "bin/busybox" and a not in files:
                entry(tar, a, tarfile.SYMTYPE, 0o777, target="/bin/busybox")
        entry(tar, "etc/passwd", tarfile.REGTYPE, 0o644, PASSWD)
        entry(tar, "etc/group", tarfile.REGTYPE, 0o644, GROUP)
        for name, (data, mode) in sorted(files.items()):
            entry(tar, name, tarfile.REGTYPE, mode, data)
    return raw.getvalue()


def image_config(layer, cmd):
    # image-spec config.md; no User, so every engine runs the process as
    # root unless told otherwise. "created" and "history" as `docker save`
    # writes them: docker 20.10 shows the first, podman counts the second.
    return compact({
        "architecture": GOARCH, "os": "linux", "created": "1970-01-01T00:00:00Z",
        "config": {"Env": ["PATH=/usr/sbin:/usr/bin:/sbin:/bin"], "Cmd": cmd,
                   "WorkingDir": "/"},
        "rootfs": {"type": "layers", "diff_ids": ["sha256:" + sha256(layer)]},
        "history": [{"created": "1970-01-01T00:00:00Z",
                     "created_by": "tests/e2e/daemons_image.py"}],
    })


def write_docker_archive(out, tag, layer, cmd):
    config = image_config(layer, cmd)
    config_name = sha256(config) + ".json"
    # The legacy v1 layer id: any 64 hex digits unique to the layer.
    layer_id = sha256(b"layer:" + layer)
    repo, _, version = tag.rpartition(":")
    manifest = [{"Config": config_name, "RepoTags": [tag],
                 "Layers": [layer_id + "/layer.tar"]}]
    with tarfile.open(out, "w", format=tarfile.PAX_FORMAT) as tar:
        entry(tar, layer_id, tarfile.DIRTYPE, 0o755)
        entry(tar, layer_id + "/VERSION", tarfile.REGTYPE, 0o644, b"1.0")
        entry(tar, layer_id + "/json", tarfile.REGTYPE, 0o644,
              compact({"id": layer_id, "created": "1970-01-01T00:00:00Z",
                       "os": "linux", "architecture": GOARCH}))
        entry(tar, layer_id + "/layer.tar", tarfile.REGTYPE, 0o644, layer)
        entry(tar, config_name, tarfile.REGTYPE, 0o644, config)
        entry(tar, "manifest.json", tarfile.REGTYPE, 0o644, compact(manifest))
        entry(tar, "repositories", tarfile.REGTYPE, 0o644, compact({repo: {version: layer_id}}))
    return "sha256:" + sha256(config)


def write_oci_layout(out, tag, layer, cmd):
    config = image_config(layer, cmd)
    layer_gz = gzip.compress(layer, mtime=0)
    manifest = compact({
        "schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": {"mediaType": "application/vnd.oci.image.config.v1+json",
                   "digest": "sha256:" + sha256(config), "size": len(config)},
        "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip",
                    "digest": "sha256:" + sha256(layer_gz), "size": len(layer_gz)}],
    })
    index = compact({
        "schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json",
        "manifests": [{"mediaType": "application/vnd.oci.image.manifest.v1+json",
                       "digest": "sha256:" + sha256(manifest), "size": len(manifest),
                       "platform": {"architecture": GOARCH, "os": "linux"},
                       "annotations": {"org.opencontainers.image.ref.name": tag}}],
    })
    with tarfile.open(out, "w", format=tarfile.PAX_FORMAT) as tar:
        entry(tar, "oci-layout", tarfile.REGTYPE, 0o644, b'{"imageLayoutVersion":"1.0.0"}')
        entry(tar, "blobs", tarfile.DIRTYPE, 0o755)
        entry(tar, "blobs/sha256", tarfile.DIRTYPE, 0o755)
        for blob in (layer_gz, config, manifest):
            entry(tar, "blobs/sha256/" + sha256(blob), tarfile.REGTYPE, 0o644, blob)
        entry(tar, "index.json", tarfile.REGTYPE, 0o644, index)
    return "sha256:" + sha256(config)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--format", choices=("docker-archive", "oci"), required=True)
    parser.add_argument("--tag", required=True, help="REPO:TAG")
    parser.add_argument("--busybox", required=True, help="a statically linked busybox")
    parser.add_argument("--add", action="append", default=[], metavar="SRC:DEST[:MODE]")
    parser.add_argument("--cmd", default='["sh"]', help="the image's Cmd, a JSON list")
    parser.add_argument("out")
    args = parser.parse_args()
    if ":" not in args.tag.rsplit("/", 1)[-1]:
        sys.exit(f"daemons_image.py: --tag {args.tag}: want REPO:TAG")
    layer = make_layer(args.busybox, args.add)
    tmp = args.out + ".partial"
    write = write_docker_archive if args.format == "docker-archive" else write_oci_layout
    cmd = json.loads(args.cmd)
    if not isinstance(cmd, list) or not all(isinstance(a, str) for a in cmd):
        sys.exit(f"daemons_image.py: --cmd {args.cmd}: want a JSON list of strings")
    image_id = write(tmp, args.tag, layer, cmd)
    os.replace(tmp, args.out)
    # The image id (the config's digest): what `docker images --no-trunc`
    # and `podman images --no-trunc` show for it.
    print(image_id)


if __name__ == "__main__":
    main()
