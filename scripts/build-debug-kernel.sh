#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build the debug kernel of the test guest from Debian's linux-source-6.12
# package: "make allnoconfig" with the config fragment
# tests/vm/debug-kernel.config, then olddefconfig. Fails if any symbol the
# fragment sets did not end up with its value (Kconfig drops a value whose
# dependencies are not met without a word).
#
# The result is cached: it is rebuilt only when the source package's
# version, the fragment or this script changed. The source tree is kept
# for the same version, so a changed fragment rebuilds only what it
# affects.
#
# Usage: build-debug-kernel.sh OUTDIR
# Produces, like fetch-kernel.sh for the Debian kernel: OUTDIR/vmlinuz,
#	OUTDIR/modules/ (the kernel's /lib/modules/VER), OUTDIR/kdir (the
#	kernel build tree, for vcrypt.ko), OUTDIR/version (its release),
#	OUTDIR/key (what it was built from) and OUTDIR/.done
#
# Environment: JOBS (make -j, default the number of CPUs). Builds a kernel:
# run it under the machine's CPU lock.

set -euo pipefail

root=$(realpath "$(dirname "$0")/..")
out=$(realpath -m "$1")
frag=$root/tests/vm/debug-kernel.config
jobs=${JOBS:-$(nproc)}

ver=$(apt-cache policy linux-source-6.12 |
      sed -n 's/^ *Candidate: \(.*\)$/\1/p')
if [ -z "$ver" ] || [ "$ver" = "(none)" ]; then
	echo "build-debug-kernel: no linux-source-6.12 in the archive" >&2
	exit 1
fi
key="linux-source-6.12 $ver $(cat "$frag" "$0" | sha256sum | cut -c1-16)"
if [ -e "$out/.done" ] && [ "$(cat "$out/key")" = "$key" ]; then
	exit 0
fi
echo "build-debug-kernel: $key"
rm -f "$out/.done"
mkdir -p "$out"

# The source tree, unpacked once per version of the package
src=$out/src
if [ ! -e "$src/.unpacked" ] || [ "$(cat "$src/.unpacked")" != "$ver" ]; then
	rm -rf "$src" "$out/dl"
	mkdir -p "$out/dl" "$src"
	# apt-get download drops privileges to _apt, which must write here
	chmod 777 "$out/dl"
	(cd "$out/dl" && apt-get download -q "linux-source-6.12=$ver" >/dev/null)
	echo "build-debug-kernel: unpacking the source"
	dpkg-deb --fsys-tarfile "$out"/dl/linux-source-6.12_*.deb |
		tar -xO ./usr/src/linux-source-6.12.tar.xz |
		tar -xJ -C "$src" --strip-components=1
	rm -rf "$out/dl"
	echo "$ver" >"$src/.unpacked"
fi

kmake() {
	make -C "$src" -s "$@"
}

kmake allnoconfig KCONFIG_ALLCONFIG="$frag"
kmake olddefconfig

# Every CONFIG_X=V and "# CONFIG_X is not set" of the fragment must hold.
bad=0
while read -r sym want; do
	got=$(sed -n "s/^$sym=\(.*\)$/\1/p" "$src/.config")
	if [ "${got:-n}" != "$want" ]; then
		echo "build-debug-kernel: $sym is ${got:-not set}, the fragment wants $want" >&2
		bad=1
	fi
done < <(sed -n -e 's/^\(CONFIG_[A-Za-z0-9_]*\)=\(.*\)$/\1 \2/p' \
		-e 's/^# \(CONFIG_[A-Za-z0-9_]*\) is not set$/\1 n/p' "$frag")
if [ "$bad" -ne 0 ]; then
	echo "build-debug-kernel: unmet dependencies in $frag" >&2
	exit 1
fi

echo "build-debug-kernel: building with $jobs jobs"
start=$SECONDS
kmake -j"$jobs" bzImage modules
echo "build-debug-kernel: built in $((SECONDS - start)) s"

release=$(kmake kernelrelease)
rm -rf "$out/root"
kmake INSTALL_MOD_PATH="$out/root" modules_install
cp "$src/arch/x86/boot/bzImage" "$out/vmlinuz"
ln -sfn "root/lib/modules/$release" "$out/modules"
ln -sfn src "$out/kdir"
echo "$release" >"$out/version"
echo "$key" >"$out/key"
touch "$out/.done"
