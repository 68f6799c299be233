#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build the Debian package of vcrypt with Debian's own tools
# (dpkg-buildpackage, debhelper, dh-dkms) from a copy of the source tree:
# the files git knows, as they are in the work tree.
#
# Usage: mkdeb.sh OUTDIR
# Produces: OUTDIR/vcrypt_<version>_<arch>.deb (and the build's .changes
# and .buildinfo), prints the path of the .deb.

set -euo pipefail

root=$(realpath "$(dirname "$0")/..")
out=$(realpath -m "$1")
ver=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"$/\1/p' "$root/dkms.conf")
deb_ver=$(dpkg-parsechangelog -l "$root/debian/changelog" -S Version)
tool_ver=$(sed -n 's/^#define VCRYPTCTL_VERSION[[:space:]]*"\(.*\)"$/\1/p' \
	   "$root/tools/vcryptctl/vcryptctl.c")
if [ "$ver" != "$deb_ver" ] || [ "$ver" != "$tool_ver" ]; then
	echo "mkdeb: versions differ: dkms.conf $ver, debian/changelog $deb_ver, vcryptctl $tool_ver" >&2
	exit 1
fi

rm -rf "$out"
src=$out/vcrypt-$ver
mkdir -p "$src"
(cd "$root" && git ls-files -z --cached --others --exclude-standard |
	xargs -0 cp -a --parents -t "$src")

echo "mkdeb: dpkg-buildpackage -b in $src" >&2
(cd "$src" && dpkg-buildpackage -b -us -uc >"$out/build.log" 2>&1) || {
	tail -n 40 "$out/build.log" >&2
	exit 1
}
deb=$(ls "$out"/vcrypt_"$ver"_*.deb)
echo "$deb"
