# SPDX-License-Identifier: Apache-2.0
# What runc's own integration suite needs, built on this machine and kept
# under the cache directory, keyed by its inputs; sourced by run.sh.
#
#   runc_suite_prepare_tree     Debian's runc source package, of the version
#                               of the runc installed (its tests/integration),
#                               with the suite's helper programs built
#   runc_suite_prepare_busybox  the suite's "busybox" image, from
#                               busybox-static
#   runc_suite_prepare_debian   its "debian" image, by debootstrap
#
# Each prints the path of what it made and returns non-zero, with the reason
# on stderr, when it cannot make it. An entry is built in a temporary
# directory of the cache and renamed into place when complete, so an
# interrupted build leaves nothing that looks finished; entries of older
# inputs of the same kind are removed then. The caller holds the cache lock
# (runc_suite_lock).
#
# What the suite's Makefile and get-images.sh do with the network is done
# here without it, except for Debian's own archive: the source package comes
# from deb.debian.org through a private apt configuration (this host's
# /etc/apt is neither read for sources nor changed), the Go dependencies
# from Debian's golang-*-dev packages (tests/install-deps.sh), the images
# from busybox-static and debootstrap instead of the tarballs the suite
# downloads from GitHub.

RUNC_SUITE_CACHE=${OCI_HARDEN_CACHE:-/var/tmp/oci-harden-cache}/runc-suite
RUNC_SUITE_MIRROR=${RUNC_SUITE_MIRROR:-http://deb.debian.org/debian}
RUNC_SUITE_SECURITY_MIRROR=${RUNC_SUITE_SECURITY_MIRROR:-http://deb.debian.org/debian-security}

# The Debian packages whose Go sources the helper programs import, directly
# or through runc's own libcontainer (go list -deps): an input of the build,
# so part of its cache key.
RUNC_SUITE_GO_PACKAGES=(
	golang-go
	golang-dbus-dev
	golang-github-cilium-ebpf-dev
	golang-github-containerd-console-dev
	golang-github-coreos-go-systemd-dev
	golang-github-cyphar-filepath-securejoin-dev
	golang-github-moby-sys-dev
	golang-github-opencontainers-specs-dev
	golang-github-seccomp-libseccomp-golang-dev
	golang-github-sirupsen-logrus-dev
	golang-github-urfave-cli-dev
	golang-golang-x-sys-dev
	libseccomp-dev
)

# The programs the suite runs besides runc (helpers.bash: RECVTTY,
# SD_HELPER, SECCOMP_AGENT), as the Makefile's `all` builds them.
RUNC_SUITE_HELPERS=(recvtty sd-helper seccompagent)

# runc_suite_lock: take the cache's lock on fd 9, waiting at most
# RUNC_SUITE_LOCK_WAIT seconds. Held for the whole run, not only for the
# builds: two runs of the suite at once would share the cgroup parent that
# its tests create and remove (/sys/fs/cgroup/*/runc-cgroups-integration-test,
# helpers.bash set_cgroups_path), and one would fail the other's tests.
runc_suite_lock()
{
	mkdir -p "$RUNC_SUITE_CACHE" || return 1
	exec 9>"$RUNC_SUITE_CACHE/lock" || return 1
	flock -w "${RUNC_SUITE_LOCK_WAIT:-3600}" 9
}

# runc_suite_key WORD...: a short hash of its arguments and stdin.
runc_suite_key()
{
	{
		printf '%s\n' "$@"
		cat
	} | sha256sum | cut -c1-16
}

# runc_suite_package_versions PACKAGE...: "name version" lines, or failure
# if one is not installed.
runc_suite_package_versions()
{
	local package version
	for package in "$@"; do
		version=$(dpkg-query -W -f='${Status} ${Version}' "$package" 2>/dev/null) || return 1
		case $version in
		"install ok installed "*) printf '%s %s\n' "$package" "${version##* }" ;;
		*) return 1 ;;
		esac
	done
}

# runc_suite_install_entry TMP FINAL PREFIX: rename a finished build into
# place and remove the entries of the same kind (PREFIX*) made from other
# inputs.
runc_suite_install_entry()
{
	local tmp=$1 final=$2 prefix=$3 old
	mv -T "$tmp" "$final" || return 1
	for old in "$prefix"*; do
		[ "$old" = "$final" ] || rm -rf --one-file-system "$old"
	done
}

runc_suite_codename()
{
	(. /etc/os-release && printf '%s\n' "${VERSION_CODENAME:?}")
}

# runc_suite_build_tree DIR VERSION: Debian's runc source package VERSION,
# unpacked with Debian's patches into DIR/source, the helpers built in it.
runc_suite_build_tree()
{
	local dir=$1 version=$2 codename apt src gopath helper
	codename=$(runc_suite_codename) || return 1
	apt=$dir/apt
	mkdir -p "$apt/lists/partial" "$apt/cache/archives/partial" "$apt/sources.list.d" "$dir/download" || return 1
	cat >"$apt/sources.list" <<-EOF
	deb-src $RUNC_SUITE_MIRROR $codename main
	deb-src $RUNC_SUITE_MIRROR $codename-updates main
	deb-src $RUNC_SUITE_SECURITY_MIRROR $codename-security main
	EOF
	local apt_options=(-q -o "Dir::Etc::SourceList=$apt/sources.list"
		-o "Dir::Etc::SourceParts=$apt/sources.list.d" -o "Dir::State::Lists=$apt/lists"
		-o "Dir::Cache=$apt/cache" -o APT::Sandbox::User=root)
	apt-get "${apt_options[@]}" update >&2 || return 1
	# The exact version of the runc installed: its tests are the ones that
	# describe this binary. apt-get checks the files against the signed
	# index; dpkg-source applies Debian's patches.
	(cd "$dir/download" && apt-get "${apt_options[@]}" source --only-source "runc=$version") >&2 || return 1
	src=$(find "$dir/download" -mindepth 1 -maxdepth 1 -type d -name 'runc-*' | head -n 1)
	[ -n "$src" ] && [ -d "$src/tests/integration" ] || {
		echo "prepare: no tests/integration in the runc source package" >&2
		return 1
	}
	# The +ds1 source has no vendor directory: build in GOPATH mode, as
	# dh-golang does, against /usr/share/gocode.
	gopath=$dir/gopath
	mkdir -p "$gopath/src/github.com/opencontainers" || return 1
	mv "$src" "$gopath/src/github.com/opencontainers/runc" || return 1
	for helper in "${RUNC_SUITE_HELPERS[@]}"; do
		# The Makefile's flags: -trimpath, PIE, the seccomp build tag
		# (without it seccompagent is a stub that only says so).
		(cd "$gopath/src/github.com/opencontainers/runc" &&
			GOPATH=$gopath:/usr/share/gocode GO111MODULE=off GOFLAGS= GOPROXY=off \
				GOCACHE=$dir/gocache CGO_ENABLED=1 \
				go build -trimpath -buildmode=pie -tags seccomp \
				-o "contrib/cmd/$helper/$helper" "./contrib/cmd/$helper") >&2 || return 1
	done
	mv "$gopath/src/github.com/opencontainers/runc" "$dir/source" || return 1
	rm -rf "$gopath" "$dir/gocache" "$dir/download" "$apt"
	# get-images.sh downloads the images from GitHub: instead it names the
	# ones built here, which run.sh passes in the environment.
	cat >"$dir/source/tests/integration/get-images.sh" <<-'EOF'
	#!/bin/bash
	# Written by oci-harden's tests/runc-suite/prepare.sh in place of the
	# script that downloads the images: they are built locally and named
	# by the environment.
	set -eu
	echo "BUSYBOX_IMAGE=${RUNC_SUITE_BUSYBOX_IMAGE:?is set by tests/runc-suite/run.sh}"
	echo "DEBIAN_IMAGE=${RUNC_SUITE_DEBIAN_IMAGE:?is set by tests/runc-suite/run.sh}"
	EOF
	chmod 0755 "$dir/source/tests/integration/get-images.sh"
}

# runc_suite_prepare_tree: the source tree (its path), keyed by the runc
# version, the Go packages' versions and this builder's own definition.
runc_suite_prepare_tree()
{
	local version key final tmp go_versions
	version=$(dpkg-query -W -f='${source:Version}' runc 2>/dev/null) && [ -n "$version" ] || {
		echo "prepare: runc is not installed" >&2
		return 1
	}
	go_versions=$(runc_suite_package_versions "${RUNC_SUITE_GO_PACKAGES[@]}") || {
		echo "prepare: missing Go packages: ${RUNC_SUITE_GO_PACKAGES[*]} (tests/install-deps.sh)" >&2
		return 1
	}
	key=$({
		printf '%s\n' "$go_versions"
		declare -f runc_suite_build_tree
	} | runc_suite_key "$version")
	final=$RUNC_SUITE_CACHE/tree-$version-$key
	if [ ! -d "$final" ]; then
		tmp=$(mktemp -d "$RUNC_SUITE_CACHE/building.XXXXXX") || return 1
		chmod 0755 "$tmp"
		if ! runc_suite_build_tree "$tmp" "$version"; then
			rm -rf --one-file-system "$tmp"
			echo "prepare: building the runc $version suite failed" >&2
			return 1
		fi
		runc_suite_install_entry "$tmp" "$final" "$RUNC_SUITE_CACHE/tree-" || return 1
	fi
	printf '%s\n' "$final/source"
}

# runc_suite_build_busybox OUT: the busybox image as a tar whose members
# start with "./" (the suite extracts it with --exclude './dev/*'): the
# static busybox with a link per applet in /bin, an /etc/passwd and
# /etc/group with the usual system users, /tmp world-writable (runc gives a
# tmpfs the mode of what it covers). Laid out as the image the suite
# downloads: an empty /dev (a container whose root is mapped to an
# unprivileged user cannot create it, userns.bats), and no /proc or /sys
# (mask.bats makes them symlinks; userns.bats creates them).
runc_suite_build_busybox()
{
	local out=$1 rootfs busybox applet
	rootfs=$(mktemp -d) || return 1
	mkdir -p "$rootfs"/{bin,dev,etc,home,root,tmp,usr/bin,usr/sbin,var/spool/mail,var/www} || return 1
	busybox=$(e2e_busybox) || return 1
	cp "$busybox" "$rootfs/bin/busybox" || return 1
	for applet in $("$busybox" --list); do
		[ "$applet" = busybox ] || ln -s busybox "$rootfs/bin/$applet" || return 1
	done
	# mktemp made the root 0700: every user of the container must be able
	# to walk it.
	chmod 0755 "$rootfs"
	chmod 1777 "$rootfs/tmp"
	chmod 0700 "$rootfs/root"
	cat >"$rootfs/etc/passwd" <<-'EOF'
	root:x:0:0:root:/root:/bin/sh
	daemon:x:1:1:daemon:/usr/sbin:/bin/false
	bin:x:2:2:bin:/bin:/bin/false
	sys:x:3:3:sys:/dev:/bin/false
	sync:x:4:100:sync:/bin:/bin/sync
	mail:x:8:8:mail:/var/spool/mail:/bin/false
	www-data:x:33:33:www-data:/var/www:/bin/false
	operator:x:37:37:Operator:/var:/bin/false
	nobody:x:65534:65534:nobody:/home:/bin/false
	EOF
	cat >"$rootfs/etc/group" <<-'EOF'
	root:x:0:
	daemon:x:1:
	bin:x:2:
	sys:x:3:
	adm:x:4:
	tty:x:5:
	disk:x:6:
	mail:x:8:
	kmem:x:9:
	wheel:x:10:root
	audio:x:29:
	www-data:x:33:
	operator:x:37:
	staff:x:50:
	users:x:100:
	nogroup:x:65534:
	EOF
	tar --numeric-owner --owner=0 --group=0 -C "$rootfs" -cf "$out" . || return 1
	rm -rf "$rootfs"
}

# runc_suite_build_debian OUT: a minimal Debian of this host's release from
# Debian's mirror (the suite's "debian" image; upstream uses a slim Debian
# 10, only hooks.bats runs it, for ldconfig).
runc_suite_build_debian()
{
	local out=$1 rootfs codename
	codename=$(runc_suite_codename) || return 1
	rootfs=$(mktemp -d "$RUNC_SUITE_CACHE/debootstrap.XXXXXX") || return 1
	if ! debootstrap --variant=minbase "$codename" "$rootfs" "$RUNC_SUITE_MIRROR" >&2; then
		rm -rf --one-file-system "$rootfs"
		return 1
	fi
	rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/*
	tar --numeric-owner -C "$rootfs" -cf "$out" . || return 1
	rm -rf --one-file-system "$rootfs"
}

# runc_suite_prepare_image NAME KEY-INPUT...: the image NAME (busybox,
# debian) in the cache (its path), built by runc_suite_build_NAME, keyed by
# that builder's definition and the given inputs.
runc_suite_prepare_image()
{
	local name=$1 key final tmp
	shift
	key=$(declare -f "runc_suite_build_$name" | runc_suite_key "$@")
	final=$RUNC_SUITE_CACHE/image-$name-$key.tar
	if [ ! -f "$final" ]; then
		tmp=$(mktemp "$RUNC_SUITE_CACHE/building.XXXXXX") || return 1
		if ! "runc_suite_build_$name" "$tmp"; then
			rm -f "$tmp"
			echo "prepare: building the $name image failed" >&2
			return 1
		fi
		chmod 0644 "$tmp"
		runc_suite_install_entry "$tmp" "$final" "$RUNC_SUITE_CACHE/image-$name-" || return 1
	fi
	printf '%s\n' "$final"
}

runc_suite_prepare_busybox()
{
	local busybox_version
	busybox_version=$(runc_suite_package_versions busybox-static) || {
		echo "prepare: busybox-static is not installed (tests/install-deps.sh)" >&2
		return 1
	}
	runc_suite_prepare_image busybox "$busybox_version"
}

runc_suite_prepare_debian()
{
	runc_suite_prepare_image debian "$(runc_suite_codename)" "$RUNC_SUITE_MIRROR"
}
