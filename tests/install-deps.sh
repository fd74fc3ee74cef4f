#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Install what oci-harden needs to build and to test, on Debian 12, as root.
# Idempotent and quiet: when every package is already installed it does
# nothing, not even an `apt-get update`.
#
#   bash tests/install-deps.sh
set -euo pipefail

packages=(
	# build
	meson ninja-build pkg-config gcc libc6-dev python3
	# libraries, linked statically (their -dev packages ship the .a)
	libyajl-dev libseccomp-dev libcap-dev libapparmor-dev
	# unit tests
	libcriterion-dev
	# end-to-end tests and the demo: real runtimes, a static busybox for
	# the container's root filesystem, containerd for `ctr run`
	runc crun containerd busybox-static
	# the OCI runtime spec's Go types, which the spec model must cover
	golang-github-opencontainers-specs-dev
	# which programs containerd's shim runs, for the containerd test
	strace
	# real engines for tests/e2e/lib_daemons.sh: Docker and Podman, the
	# CNI plugins for pods' and podman's networks, iproute2 for the
	# engines' own network namespaces, and a CRI client (Python's gRPC and
	# protoc with its gRPC plugin, for the CRI's api.proto)
	docker.io podman containernetworking-plugins iproute2
	python3-grpcio python3-protobuf protobuf-compiler protobuf-compiler-grpc
	# sanitizers, fuzzers and leak checks; the formatting check
	clang libclang-rt-14-dev valgrind clang-format
	# runc's own integration suite (tests/runc-suite): bats and the tools
	# its tests call, apt-get source's dpkg-source, debootstrap for its
	# Debian image, and Debian's Go with the Go sources its helper
	# programs (recvtty, sd-helper, seccompagent) import, since Debian's
	# runc source has no vendor directory
	bats jq gawk dpkg-dev debootstrap
	golang-go golang-dbus-dev golang-github-cilium-ebpf-dev
	golang-github-containerd-console-dev golang-github-coreos-go-systemd-dev
	golang-github-cyphar-filepath-securejoin-dev golang-github-moby-sys-dev
	golang-github-seccomp-libseccomp-golang-dev golang-github-sirupsen-logrus-dev
	golang-github-urfave-cli-dev golang-golang-x-sys-dev
)
# The Kubernetes manifests are checked with Node.js packages (below); a
# machine without Node.js gets Debian's.
command -v npm >/dev/null || packages+=(nodejs npm)

# tests/k8s/validate.mjs's packages (tests/k8s/npm-packages), from the npm
# registry, into a cache directory named by their versions (never into the
# source tree; tests/e2e/test_kubernetes.sh finds it the same way).
mapfile -t K8S_NPM_PACKAGES <"$(dirname "$0")/k8s/npm-packages"
K8S_NPM_DIR=${OCI_HARDEN_CACHE:-/var/tmp/oci-harden-cache}/npm-k8s-$(sha256sum <"$(dirname "$0")/k8s/npm-packages" | cut -c1-12)
install_npm_packages()
{
	[ -f "$K8S_NPM_DIR/.complete" ] && return 0
	echo "install-deps.sh: npm install ${K8S_NPM_PACKAGES[*]} into $K8S_NPM_DIR"
	mkdir -p "$K8S_NPM_DIR"
	(cd "$K8S_NPM_DIR" && npm install --no-audit --no-fund --silent "${K8S_NPM_PACKAGES[@]}" >/dev/null) &&
		touch "$K8S_NPM_DIR/.complete"
}

if [ "$(id -u)" -ne 0 ]; then
	echo "install-deps.sh: run as root (it installs Debian packages)" >&2
	exit 1
fi

# A package counts as installed when dpkg says "install ok installed".
missing=()
for package in "${packages[@]}"; do
	status=$(dpkg-query -W -f='${Status}' "$package" 2>/dev/null || true)
	[ "$status" = "install ok installed" ] || missing+=("$package")
done

if [ ${#missing[@]} -eq 0 ]; then
	echo "install-deps.sh: all ${#packages[@]} packages already installed"
	install_npm_packages
	exit 0
fi

echo "install-deps.sh: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt_options=(-y -q -o Dpkg::Use-Pty=0 -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold)
apt-get update -qq
apt-get install "${apt_options[@]}" --no-install-recommends "${missing[@]}" >/dev/null
install_npm_packages
echo "install-deps.sh: done"
