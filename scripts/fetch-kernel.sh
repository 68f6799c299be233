#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Fetch the guest kernel from Debian's archive without installing it on the
# host: the current 6.12 image (bookworm-backports), its headers and kbuild
# tools (a private KDIR for building vcrypt.ko), and from the linux-source
# package the kselftest headers and checkpatch.
#
# Usage: fetch-kernel.sh OUTDIR
# Produces: OUTDIR/vmlinuz, OUTDIR/modules/ (the image's /lib/modules/VER),
#	OUTDIR/kdir (kernel build dir), OUTDIR/version,
#	OUTDIR/src/{tools/testing/selftests,scripts} (kselftest, checkpatch)

set -euo pipefail

out=$(realpath -m "$1")
[ -e "$out/.done" ] && exit 0
rm -rf "$out"
mkdir -p "$out/debs" "$out/root" "$out/src"
# apt-get download drops privileges to _apt, which must be able to write here
chmod 777 "$out/debs"
cd "$out/debs"

# The backports metapackage names the current ABI, e.g. 6.12.95+deb12-amd64.
hdr=$(apt-cache depends -t bookworm-backports linux-headers-amd64 |
      sed -n 's/^ *Depends: \(linux-headers-6\.12[^ ]*-amd64\)$/\1/p' | head -n1)
if [ -z "$hdr" ]; then
	echo "fetch-kernel: no 6.12 kernel in bookworm-backports" >&2
	exit 1
fi
ver=${hdr#linux-headers-}
base=${ver%-amd64}
echo "fetch-kernel: guest kernel $ver"

kbuild=$(apt-cache depends "$hdr" |
	 sed -n 's/^ *Depends: \(linux-kbuild-[^ ]*\)$/\1/p' | head -n1)
apt-get download -q "linux-image-$ver-unsigned" "$hdr" \
	"linux-headers-$base-common" "$kbuild" linux-source-6.12 >/dev/null

for deb in linux-image-* linux-headers-* linux-kbuild-*; do
	dpkg-deb -x "$deb" "$out/root"
done

# The packages link into /usr/src and /usr/lib with absolute symlinks;
# point them into the private root instead.
find "$out/root" -type l -lname '/*' | while read -r l; do
	ln -sfn "$out/root$(readlink "$l")" "$l"
done

# The arch headers' Makefile includes the common tree by absolute path too.
sed -i "s|^include /usr/src/|include $out/root/usr/src/|" \
	"$out/root/usr/src/linux-headers-$ver/Makefile"

ln -sfn "root/usr/src/linux-headers-$ver" "$out/kdir"
ln -sfn "root/lib/modules/$ver" "$out/modules"
cp "$out/root/boot/vmlinuz-$ver" "$out/vmlinuz"
echo "$ver" > "$out/version"

echo "fetch-kernel: extracting kselftest headers and checkpatch"
dpkg-deb --fsys-tarfile linux-source-6.12_*.deb |
	tar -xO --wildcards './usr/src/linux-source-6.12.tar.xz' |
	tar -xJ -C "$out/src" --strip-components=1 --wildcards \
		'*/tools/testing/selftests/kselftest*.h' \
		'*/scripts/checkpatch.pl' '*/scripts/spelling.txt' \
		'*/scripts/const_structs.checkpatch'

rm -rf "$out/debs"
touch "$out/.done"
