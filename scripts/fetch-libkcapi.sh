#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Fetch Debian's libkcapi source package and build what its upstream test
# suite runs in the test guest: the library (static) and, linked statically
# against it, the test programs kcapi, kcapi-enc-test-large and
# kcapi-convenience, and the applications kcapi-hasher, kcapi-enc and
# kcapi-dgst. Static programs start far faster under emulation than
# Debian's dynamic kcapi-tools, which the suite runs thousands of times;
# Debian's kcapi-tools package (the same applications, from the same
# source) is what kcapi.sh tests, installed on the host by
# scripts/host-deps.sh.
#
# Usage: fetch-libkcapi.sh OUTDIR
# Produces: OUTDIR/src/ (the extracted source), OUTDIR/bin/ (the programs),
#	OUTDIR/version (the Debian version of the source package).
# Nothing is done when OUTDIR/$stamp exists (a new stamp name rebuilds
# what an older version of this script built).

set -euo pipefail

if [ $# -ne 1 ]; then
	echo "usage: $0 OUTDIR" >&2
	exit 2
fi
out=$(realpath -m "$1")
stamp=.done-2
[ -e "$out/$stamp" ] && exit 0
cc=${CC:-gcc}

rm -rf "$out"
mkdir -p "$out/dl" "$out/obj" "$out/bin"
# apt-get source drops privileges to _apt, which must be able to write here
chmod 777 "$out/dl"

echo "fetch-libkcapi: downloading Debian's libkcapi source package"
# Only the .dsc and the upstream tarball are needed; apt exits non-zero
# when another part of the source package is missing from the archive.
(cd "$out/dl" && apt-get source --download-only -q libkcapi) \
	>"$out/dl/apt.log" 2>&1 || true
dsc=$(compgen -G "$out/dl/libkcapi_*.dsc" | head -n1 || true)
if [ -z "$dsc" ]; then
	echo "fetch-libkcapi: apt-get source libkcapi failed:" >&2
	cat "$out/dl/apt.log" >&2
	exit 1
fi
version=$(sed -n 's/^Version: //p' "$dsc")
# The upstream tarball and its SHA-256 as the .dsc lists them.
read -r sum tarball < <(awk '/^Checksums-Sha256:/ { on = 1; next }
	/^[^ ]/ { on = 0 }
	on && $3 ~ /\.orig\.tar\.[a-z]+$/ { print $1, $3; exit }' "$dsc") ||
	true
if [ -z "${tarball:-}" ] || [ ! -e "$out/dl/$tarball" ]; then
	echo "fetch-libkcapi: no upstream tarball for libkcapi $version:" >&2
	cat "$out/dl/apt.log" >&2
	exit 1
fi
if ! echo "$sum  $out/dl/$tarball" | sha256sum -c --quiet -; then
	echo "fetch-libkcapi: $tarball does not match $dsc" >&2
	exit 1
fi
echo "fetch-libkcapi: libkcapi $version"

mkdir -p "$out/src"
tar -xf "$out/dl/$tarball" -C "$out/src" --strip-components=1
src=$out/src

# The library as configure --enable-lib-asym --enable-lib-kpp would build
# it (the options upstream's test-invocation.sh uses), without autotools.
IFS=. read -r major minor patch < <(sed -n \
	's/^m4_define(\[__KCAPI_\(MAJ\|MIN\)VERSION\], \[\([0-9]*\)\])$/\2/p;
	 s/^m4_define(\[__KCAPI_PATCHLEVEL\], \[\([0-9]*\)\])$/\1/p' \
	"$src/configure.ac" | paste -sd.)
cflags=(-O2 -std=gnu99 -Wall -Wextra -Wno-overlength-strings -fwrapv
	-DKCAPI_MAJVERSION="$major" -DKCAPI_MINVERSION="$minor"
	-DKCAPI_PATCHLEVEL="$patch" -DHAVE_GETRANDOM=1 -DHAVE_SECURE_GETENV=1
	-DWITH_LIB_ASYM=1 -DWITH_LIB_KPP=1 -DCHECK_PREFIX='"."'
	-DCHECK_SUFFIX='"hmac"' -I"$src/lib")

echo "fetch-libkcapi: building the library and the test programs"
log=$out/build.log
: >"$log"
fail() {
	echo "fetch-libkcapi: building $1 failed; last lines of $log:" >&2
	tail -n 40 "$log" >&2
	exit 1
}
objs=()
for c in kcapi-kernel-if kcapi-utils kcapi-sym kcapi-md kcapi-kdf \
	 kcapi-aead kcapi-rng kcapi-asym kcapi-kpp; do
	"$cc" "${cflags[@]}" -c -o "$out/obj/$c.o" "$src/lib/$c.c" \
		>>"$log" 2>&1 || fail "$c.o"
	objs+=("$out/obj/$c.o")
done
ar rcs "$out/obj/libkcapi.a" "${objs[@]}"

prog() {
	local name=$1

	shift
	"$cc" "${cflags[@]}" -static -s -o "$out/bin/$name" "$@" \
		"$out/obj/libkcapi.a" >>"$log" 2>&1 || fail "$name"
}
prog kcapi "$src/test/kcapi-main.c"
prog kcapi-enc-test-large "$src/test/kcapi-enc-test-large.c"
prog kcapi-convenience "$src/test/kcapi-convenience.c"
prog kcapi-hasher "$src/apps/kcapi-hasher.c" "$src/apps/app-internal.c" -ldl
prog kcapi-enc "$src/apps/kcapi-enc.c" "$src/apps/app-internal.c"
prog kcapi-dgst "$src/apps/kcapi-dgst.c" "$src/apps/app-internal.c"

echo "$version" >"$out/version"
touch "$out/$stamp"
echo "fetch-libkcapi: done ($out)"
