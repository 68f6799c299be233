#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Build a minimal QEMU (x86_64, TCG, q35) with the vcrypt card model and
# its qtest.
#
#   qemu-model/build.sh OUTDIR
#
# OUTDIR/dl     Debian's QEMU source tarball (fetched once with apt-get)
# OUTDIR/src    the extracted tree; the model, its qtest and the card's
#               interface header are symlinked into it, so edits to them
#               rebuild incrementally
# OUTDIR/build  the build tree (configured once)
# OUTDIR/qemu-system-x86_64, OUTDIR/vcrypt-test   symlinks to the results
# OUTDIR/build.log   configure and ninja output
#
# The +ds source has no firmware blobs: the binary looks for them in
# Debian's seabios and qemu-system-data packages (--firmwarepath, and
# symlinks in the build tree's qemu-bundle), so "-L /usr/share/seabios
# -L /usr/share/qemu" is optional.

set -euo pipefail

if [ $# -ne 1 ]; then
	echo "usage: $0 OUTDIR" >&2
	exit 2
fi

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/.." && pwd)
mkdir -p "$1"
out=$(cd "$1" && pwd)
dl=$out/dl
src=$out/src
bld=$out/build
log=$out/build.log

: >"$log"

fail() {
	echo "qemu: $1 failed; last lines of $log:" >&2
	tail -n 40 "$log" >&2
	exit 1
}

tarball() {
	compgen -G "$dl/qemu_*.orig.tar.xz" | sort -V | tail -n 1 || true
}

# 1. Source tarball
mkdir -p "$dl"
if [ -z "$(tarball)" ]; then
	echo "qemu: downloading source"
	chmod 777 "$dl"
	# The orig tarball is all we need; apt exits non-zero when the rest
	# of the source package is missing from the archive.
	(cd "$dl" && apt-get source --download-only -t bookworm-backports \
		qemu) >>"$log" 2>&1 || true
	[ -n "$(tarball)" ] || fail "downloading the QEMU source"
fi

# 2. Extracted tree
if [ ! -e "$src/.vcrypt-extracted" ]; then
	echo "qemu: extracting $(basename "$(tarball)")"
	rm -rf "$src" "$src.tmp"
	mkdir -p "$src.tmp"
	tar -xJf "$(tarball)" -C "$src.tmp" --strip-components=1
	touch "$src.tmp/.vcrypt-extracted"
	mv "$src.tmp" "$src"
fi

# 3. Integration: symlinks and a few appended lines, all idempotent
ln -sfn "$repo/drivers/crypto/vcrypt/vcrypt_hw.h" \
	"$src/include/hw/misc/vcrypt_hw.h"
for f in vcrypt.c vcrypt-ops.c vcrypt-ops.h; do
	ln -sfn "$here/$f" "$src/hw/misc/$f"
done
ln -sfn "$here/vcrypt-test.c" "$src/tests/qtest/vcrypt-test.c"
ln -sfn "$here/devices-x86_64.mak" \
	"$src/configs/devices/x86_64-softmmu/vcrypt.mak"

if ! grep -q '^config VCRYPT$' "$src/hw/misc/Kconfig"; then
	{ echo; grep -v '^#' "$here/Kconfig"; } >>"$src/hw/misc/Kconfig"
fi
if ! grep -q "CONFIG_VCRYPT" "$src/hw/misc/meson.build"; then
	cat >>"$src/hw/misc/meson.build" <<'MESON'
system_ss.add(when: ['CONFIG_VCRYPT', nettle],
              if_true: files('vcrypt.c', 'vcrypt-ops.c'))
MESON
fi
if ! grep -q "vcrypt-test" "$src/tests/qtest/meson.build"; then
	sed -i "/^qtests_x86_64 = qtests_i386$/a\\
qtests_x86_64 += config_all_devices.has_key('CONFIG_VCRYPT') ? ['vcrypt-test'] : []" \
		"$src/tests/qtest/meson.build"
	grep -q "vcrypt-test" "$src/tests/qtest/meson.build" ||
		fail "hooking the qtest into tests/qtest/meson.build"
fi
# The qtest's reference is OpenSSL's libcrypto (Debian's libssl-dev): the
# model's own crypto (QEMU's, on nettle) is what it checks.
if ! grep -q "'vcrypt-test': \[dependency('libcrypto')\]" \
	"$src/tests/qtest/meson.build"; then
	sed -i "/^foreach dir : target_dirs$/i\\
qtests += {'vcrypt-test': [dependency('libcrypto')]}" \
		"$src/tests/qtest/meson.build"
	grep -q "'vcrypt-test': \[dependency('libcrypto')\]" \
		"$src/tests/qtest/meson.build" ||
		fail "linking the qtest with libcrypto in tests/qtest/meson.build"
fi
# The +ds tarball has no firmware blobs to unpack (edit only once: a
# rewritten meson.build would make every build reconfigure)
if grep -q '^    unpack_edk2_blobs = bzip2.found()$' "$src/meson.build"; then
	sed -i 's/^\(    unpack_edk2_blobs = \)bzip2.found()$/\1false/' \
		"$src/meson.build"
fi

# 4. Configure once
if [ ! -e "$bld/build.ninja" ]; then
	echo "qemu: configuring"
	rm -rf "$bld"
	mkdir -p "$bld"
	(cd "$bld" && "$src/configure" \
		--python=/usr/bin/python3 \
		--target-list=x86_64-softmmu \
		--without-default-features \
		--without-default-devices \
		--with-devices-x86_64=vcrypt \
		--enable-tcg \
		--enable-nettle \
		--enable-fdt=system \
		--disable-docs \
		--disable-install-blobs \
		--firmwarepath=/usr/share/seabios:/usr/share/qemu \
		) >>"$log" 2>&1 || fail "configure"
fi

# 5. Build
echo "qemu: building"
ninja -C "$bld" qemu-system-x86_64 tests/qtest/vcrypt-test >>"$log" 2>&1 ||
	fail "build"

# Run from the build tree, QEMU looks for the firmware path under
# build/qemu-bundle: point it at the Debian packages' directories.
for d in seabios qemu; do
	mkdir -p "$bld/qemu-bundle/usr/share"
	ln -sfn "/usr/share/$d" "$bld/qemu-bundle/usr/share/$d"
done

ln -sfn build/qemu-system-x86_64 "$out/qemu-system-x86_64"
ln -sfn build/tests/qtest/vcrypt-test "$out/vcrypt-test"
echo "qemu: done: $out/qemu-system-x86_64"
