#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Write a root filesystem directory as a one-layer image tarball.

    service_image.py --tag REPO:TAG --config JSON ROOT OUT

OUT is what `docker save` writes (manifest.json, the config as <hex>.json,
<hex>/layer.tar), which `ctr images import`, `docker load` and `podman load`
read. JSON holds the members of the image config's "config" (Entrypoint,
Cmd, Env, WorkingDir, Volumes, ExposedPorts, StopSignal). Owners, modes and
links are kept; device nodes, and whatever is under /proc, /sys and /dev,
are not: the runtime makes those.
"""

import argparse
import hashlib
import io
import json
import os
import platform
import stat
import tarfile
import tempfile

GOARCH = {"x86_64": "amd64", "aarch64": "arm64"}.get(platform.machine(), platform.machine())
SKIP_UNDER = ("proc/", "sys/", "dev/")


def layer(root, out):
    def keep(info):
        name = info.name[2:] if info.name.startswith("./") else info.name
        if any(name.startswith(p) for p in SKIP_UNDER):
            return None
        if info.ischr() or info.isblk():
            return None
        info.uname = info.gname = ""
        return info

    with tarfile.open(out, "w", format=tarfile.PAX_FORMAT) as tar:
        tar.add(root, arcname=".", recursive=True, filter=keep)


def sha256_file(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--tag", required=True)
    parser.add_argument("--config", required=True)
    parser.add_argument("root")
    parser.add_argument("out")
    args = parser.parse_args()
    config = json.loads(args.config)

    with tempfile.TemporaryDirectory(dir=os.path.dirname(os.path.abspath(args.out))) as tmp:
        layer_path = os.path.join(tmp, "layer.tar")
        layer(args.root, layer_path)
        diff_id = sha256_file(layer_path)
        image_config = {
            "architecture": GOARCH,
            "os": "linux",
            "config": config,
            "rootfs": {"type": "layers", "diff_ids": ["sha256:" + diff_id]},
            "history": [{"created_by": "tests/e2e/lib_service_images.sh"}],
        }
        config_blob = json.dumps(image_config, separators=(",", ":"), sort_keys=True).encode()
        config_name = hashlib.sha256(config_blob).hexdigest() + ".json"
        manifest = [{"Config": config_name, "RepoTags": [args.tag],
                     "Layers": [diff_id + "/layer.tar"]}]
        with tarfile.open(args.out, "w") as out:
            def add_bytes(name, data):
                info = tarfile.TarInfo(name)
                info.size, info.mode = len(data), 0o644
                out.addfile(info, io.BytesIO(data))
            add_bytes(config_name, config_blob)
            info = out.gettarinfo(layer_path, arcname=diff_id + "/layer.tar")
            info.mode = 0o644
            with open(layer_path, "rb") as f:
                out.addfile(info, f)
            add_bytes("manifest.json", json.dumps(manifest).encode())


if __name__ == "__main__":
    main()
