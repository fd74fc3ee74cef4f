# SPDX-License-Identifier: Apache-2.0
# Images of real services for the end-to-end tests, built from Debian
# packages and shaped like their Docker Hub images: nginx (its master runs
# as root, its workers as www-data), redis and postgresql (root
# entrypoints that prepare their directories, then drop to the service
# user, 999, with gosu). Nothing is pulled from a registry: a Debian
# bookworm root (debootstrap --variant=minbase) from the configured Debian
# mirror, the packages installed in a chroot, then one layer and a config
# written as a `docker save` tarball (service_image.py).
#
# Built once and cached under $SERVICE_IMAGES_CACHE (default
# /var/tmp/oci-harden-cache/service-images), keyed by what goes in: the
# suite, the mirror, the package list, the shaping script and the
# builder's own text. A build takes a few minutes; a cached image is a
# file.
#
#   . lib_service_images.sh
#   tar=$(service_image_tar nginx) || bail_out "..."    # docker-archive
#   service_image_tag nginx                              # local/nginx:test
#
# Needs: debootstrap, and a reachable Debian mirror for the first build.

SERVICE_IMAGES_LIB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SERVICE_IMAGES_CACHE=${SERVICE_IMAGES_CACHE:-/var/tmp/oci-harden-cache/service-images}
SERVICE_IMAGES_SUITE=bookworm
SERVICE_IMAGES_MIRROR=${SERVICE_IMAGES_MIRROR:-http://deb.debian.org/debian}

service_image_tag()
{
	printf 'local/%s:test\n' "$1"
}

# The packages of each image, and the config of its image (JSON members of
# an OCI image config's "config"), kept here so that they are part of the
# cache key.
service_image_packages()
{
	case $1 in
	nginx) echo "nginx" ;;
	redis) echo "redis-server gosu" ;;
	postgres) echo "postgresql-common postgresql-15 gosu" ;;
	esac
}

service_image_config()
{
	case $1 in
	nginx)
		echo '{"Entrypoint": ["/docker-entrypoint.sh"], "Cmd": ["nginx", "-g", "daemon off;"],
		       "ExposedPorts": {"80/tcp": {}}, "StopSignal": "SIGQUIT"}'
		;;
	redis)
		echo '{"Entrypoint": ["/usr/local/bin/docker-entrypoint.sh"],
		       "Cmd": ["redis-server", "--protected-mode", "no"], "WorkingDir": "/data",
		       "Volumes": {"/data": {}}, "ExposedPorts": {"6379/tcp": {}}}'
		;;
	postgres)
		echo '{"Entrypoint": ["/usr/local/bin/docker-entrypoint.sh"], "Cmd": ["postgres"],
		       "Env": ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin:/usr/lib/postgresql/15/bin",
		               "PGDATA=/var/lib/postgresql/data"],
		       "Volumes": {"/var/lib/postgresql/data": {}}, "ExposedPorts": {"5432/tcp": {}},
		       "StopSignal": "SIGINT"}'
		;;
	esac
}

# service_image_shape NAME ROOT: run in the build, before and after the
# packages (stage "pre" or "post"), as the Docker Hub Dockerfiles do.
service_image_shape()
{
	local name=$1 root=$2 stage=$3
	case $name:$stage in
	nginx:post)
		# Logs to the container's output, as the Docker Hub image does.
		ln -sf /dev/stdout "$root/var/log/nginx/access.log"
		ln -sf /dev/stderr "$root/var/log/nginx/error.log"
		cat >"$root/docker-entrypoint.sh" <<-'EOF'
		#!/bin/sh
		# nginx's own: the master runs as root and binds :80; it makes its
		# temporary directories and hands them to its workers (www-data).
		set -e
		exec "$@"
		EOF
		chmod 755 "$root/docker-entrypoint.sh"
		;;
	redis:pre)
		# The service user first, with the id Docker Hub gives it.
		chroot "$root" groupadd -r -g 999 redis
		chroot "$root" useradd -r -g redis -u 999 -d /var/lib/redis -s /usr/sbin/nologin redis
		;;
	redis:post)
		mkdir -p "$root/data"
		chroot "$root" chown redis:redis /data
		cat >"$root/usr/local/bin/docker-entrypoint.sh" <<-'EOF'
		#!/bin/sh
		# As root: own what is the service's, then drop to it.
		set -e
		if [ "$1" = redis-server ] && [ "$(id -u)" = 0 ]; then
			find . \! -user redis -exec chown redis '{}' +
			exec gosu redis "$0" "$@"
		fi
		umask 0077
		exec "$@"
		EOF
		chmod 755 "$root/usr/local/bin/docker-entrypoint.sh"
		;;
	postgres:pre)
		chroot "$root" groupadd -r -g 999 postgres
		chroot "$root" useradd -r -g postgres -u 999 -d /var/lib/postgresql -s /bin/bash postgres
		mkdir -p "$root/var/lib/postgresql"
		chroot "$root" chown postgres:postgres /var/lib/postgresql
		;;
	postgres:post)
		# The cluster is made at run time, in PGDATA (a volume). /var/run is
		# a link to /run, absolute: never follow it from outside the root.
		mkdir -p "$root/run/postgresql" "$root/var/lib/postgresql/data"
		chroot "$root" chown -R postgres:postgres /run/postgresql /var/lib/postgresql/data
		chmod 3777 "$root/run/postgresql"
		chmod 1777 "$root/var/lib/postgresql/data"
		cat >"$root/usr/local/bin/docker-entrypoint.sh" <<-'EOF'
		#!/bin/bash
		# As root: make PGDATA and the socket directory the service's, then
		# drop to it; as postgres: make the cluster on first start.
		set -e
		if [ "$1" = postgres ]; then
			mkdir -p "$PGDATA"
			chmod 00700 "$PGDATA" || :
			mkdir -p /var/run/postgresql || :
			chmod 03777 /var/run/postgresql || :
			if [ "$(id -u)" = 0 ]; then
				find "$PGDATA" \! -user postgres -exec chown postgres '{}' +
				exec gosu postgres "$BASH_SOURCE" "$@"
			fi
			if [ ! -s "$PGDATA/PG_VERSION" ]; then
				initdb --username=postgres --auth=trust --encoding=UTF8 >/dev/null
				echo "host all all all trust" >>"$PGDATA/pg_hba.conf"
				echo "listen_addresses = '*'" >>"$PGDATA/postgresql.conf"
			fi
		fi
		exec "$@"
		EOF
		chmod 755 "$root/usr/local/bin/docker-entrypoint.sh"
		;;
	esac
}

# service_images_key NAME: what the cached image depends on.
service_images_key()
{
	{
		echo "$SERVICE_IMAGES_SUITE $SERVICE_IMAGES_MIRROR"
		debootstrap --version 2>/dev/null
		service_image_packages "$1"
		service_image_config "$1"
		cat "${BASH_SOURCE[0]}" "$SERVICE_IMAGES_LIB_DIR/service_image.py"
	} | sha256sum | cut -c1-16
}

# service_images_base: the debootstrapped root, cached as a tarball.
service_images_base()
{
	local key out
	key=$({
		echo "$SERVICE_IMAGES_SUITE $SERVICE_IMAGES_MIRROR"
		debootstrap --version 2>/dev/null
	} | sha256sum | cut -c1-16)
	out=$SERVICE_IMAGES_CACHE/base-$key.tar
	if [ ! -s "$out" ]; then
		local root=$SERVICE_IMAGES_CACHE/base-$key.tmp
		rm -rf --one-file-system "$root"
		debootstrap --variant=minbase "$SERVICE_IMAGES_SUITE" "$root" "$SERVICE_IMAGES_MIRROR" \
			>"$SERVICE_IMAGES_CACHE/base-$key.log" 2>&1 || return 1
		tar -C "$root" --numeric-owner -cf "$out.tmp" . && mv "$out.tmp" "$out" || return 1
		rm -rf --one-file-system "$root"
	fi
	printf '%s\n' "$out"
}

# service_image_build NAME OUT: the image, from the base and the packages.
service_image_build()
{
	local name=$1 out=$2 base root log
	base=$(service_images_base) || return 1
	root=$out.root
	log=$out.log
	rm -rf --one-file-system "$root"
	mkdir -p "$root"
	tar -C "$root" --numeric-owner -xf "$base" || return 1
	(
		set -e
		mount -t proc proc "$root/proc"
		trap 'umount "$root/proc" 2>/dev/null' EXIT
		# No service starts in a chroot (invoke-rc.d asks policy-rc.d).
		printf '#!/bin/sh\nexit 101\n' >"$root/usr/sbin/policy-rc.d"
		chmod 755 "$root/usr/sbin/policy-rc.d"
		service_image_shape "$name" "$root" pre
		if [ "$name" = postgres ]; then
			# Docker Hub's: no cluster made at install time.
			chroot "$root" env DEBIAN_FRONTEND=noninteractive apt-get -q update
			chroot "$root" env DEBIAN_FRONTEND=noninteractive apt-get -qy install \
				--no-install-recommends postgresql-common
			sed -ri 's/#(create_main_cluster) .*$/\1 = false/' \
				"$root/etc/postgresql-common/createcluster.conf"
		fi
		chroot "$root" env DEBIAN_FRONTEND=noninteractive apt-get -q update
		# shellcheck disable=SC2046
		chroot "$root" env DEBIAN_FRONTEND=noninteractive apt-get -qy install \
			--no-install-recommends $(service_image_packages "$name")
		chroot "$root" apt-get clean
		rm -rf "$root"/var/lib/apt/lists/* "$root/usr/sbin/policy-rc.d"
		service_image_shape "$name" "$root" post
		chmod 1777 "$root/tmp"
	) >"$log" 2>&1 || {
		umount "$root/proc" 2>/dev/null
		return 1
	}
	"$PYTHON" "$SERVICE_IMAGES_LIB_DIR/service_image.py" --tag "$(service_image_tag "$name")" \
		--config "$(service_image_config "$name")" "$root" "$out.tmp" >>"$log" 2>&1 &&
		mv "$out.tmp" "$out" || return 1
	rm -rf --one-file-system "$root"
}

# service_image_tar NAME: the path of the image's tarball, built if it is
# not cached.
service_image_tar()
{
	local name=$1 key out
	key=$(service_images_key "$name")
	out=$SERVICE_IMAGES_CACHE/$name-$key.tar
	mkdir -p "$SERVICE_IMAGES_CACHE"
	if [ ! -s "$out" ]; then
		# One builder at a time: tests may run side by side.
		(
			flock 9
			[ -s "$out" ] || service_image_build "$name" "$out"
		) 9>"$SERVICE_IMAGES_CACHE/.lock" || return 1
	fi
	printf '%s\n' "$out"
}
