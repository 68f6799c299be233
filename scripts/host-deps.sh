#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Install what building and testing vcrypt needs on a Debian 12 host:
# build tools from Debian's archive (some from bookworm-backports), with
# what building the test guest's debug kernel needs (libelf, libssl, bc,
# flex, bison), the deb-src entries used to fetch the sources of QEMU and
# libkcapi, and the
# programs the test guest runs besides busybox (Debian's kcapi-tools,
# bash, perl and openssl for libkcapi's test suite; crun for the container
# test), what building and checking the Debian package needs (debhelper,
# dh-dkms, dkms, udev's udevadm, man-db), and libssl-dev, whose libcrypto
# is the tests' independent reference (the selftests link it statically,
# the qtest dynamically). Idempotent; needs root.

set -euo pipefail

stamp=/var/lib/vcrypt-host-deps.v6
[ -e "$stamp" ] && exit 0

if [ "$(id -u)" != 0 ]; then
	echo "host-deps: must run as root (installs Debian packages)" >&2
	exit 1
fi

src=/etc/apt/sources.list.d/vcrypt-backports.sources
if [ ! -e "$src" ]; then
	echo "host-deps: adding bookworm-backports and deb-src entries ($src)"
	cat > "$src" <<'SRC'
Types: deb
URIs: http://deb.debian.org/debian
Suites: bookworm-backports
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb-src
URIs: http://deb.debian.org/debian
Suites: bookworm bookworm-updates bookworm-backports
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
fi

echo "host-deps: apt-get update"
apt-get update -q >/dev/null

echo "host-deps: installing build and test packages"
DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
	build-essential bison flex bc ninja-build pkg-config \
	libelf-dev libssl-dev \
	libglib2.0-dev libpixman-1-dev libfdt-dev nettle-dev zlib1g-dev \
	busybox-static cpio xz-utils zstd kmod sparse perl dwarves gnuplot-nox \
	seabios qemu-system-data \
	kcapi-tools libkcapi1 openssl bash perl-base coreutils \
	crun debhelper dh-dkms dkms dpkg-dev fakeroot udev man-db >/dev/null
DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
	-t bookworm-backports meson python3-pycotap >/dev/null

touch "$stamp"
echo "host-deps: done"
