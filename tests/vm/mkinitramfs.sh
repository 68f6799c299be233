#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build the base initramfs of the vcrypt test guest and print its path.
#
# Usage: mkinitramfs.sh
#
# The image holds busybox (with a link per applet), tests/vm/init as /init,
# the selftests under /selftests, the guest runner as /usr/bin/run-tests,
# vm-exit, vcrypt-raw, vcryptctl and vcrypt-bench in /usr/bin, and
# vcrypt.ko with the Debian modules it depends on (decompressed) in
# /lib/modules/vcrypt/. It is rebuilt only when something in it changed;
# vm-run.sh appends the per-run command as a second cpio archive.
#
# Environment:
#   BUILD      build directory (default: <repo>/build)
#   VCRYPT_KO  the module to ship (default: <repo>/vcrypt.ko); an image
#              without it is built when it does not exist
#
# Output: $BUILD/vm/base.cpio

set -euo pipefail

root=$(realpath "$(dirname "$0")/../..")
build=${BUILD:-$root/build}
ko=${VCRYPT_KO:-$root/vcrypt.ko}
vm=$build/vm
kernel=$build/kernel
cc=${CC:-gcc}

mkdir -p "$vm/bin"
exec 9>"$vm/.lock"
flock 9

if [ ! -e "$kernel/.done" ]; then
	echo "mkinitramfs: no guest kernel in $kernel (run: make kernel)" >&2
	exit 1
fi
kver=$(cat "$kernel/version")

# Guest programs, all static: the selftests, vm-exit and the tools.
make -s -C "$root/tests/selftests/vcrypt" OUTPUT="$build/tests/selftests" \
	KSFT_DIR="$kernel/src/tools/testing/selftests" all >&2

static_prog() {
	local src=$1 out=$2

	if [ ! -e "$out" ] || [ "$src" -nt "$out" ] ||
	   [ "$root/include/uapi/linux/vcrypt.h" -nt "$out" ]; then
		"$cc" -static -O2 -Wall -Wextra -Werror -I"$root/include/uapi" \
			-o "$out" "$src"
	fi
}
static_prog "$root/tests/vm/vm-exit.c" "$vm/bin/vm-exit"
static_prog "$root/tools/vcrypt-raw/vcrypt-raw.c" "$vm/bin/vcrypt-raw"
static_prog "$root/tools/vcryptctl/vcryptctl.c" "$vm/bin/vcryptctl"
static_prog "$root/tools/vcrypt-bench/vcrypt-bench.c" "$vm/bin/vcrypt-bench"

stage=$vm/stage
rm -rf "$stage"
mkdir -p "$stage"/{bin,sbin,usr/bin,usr/sbin,dev,proc,sys,tmp,root,vm}
mkdir -p "$stage/lib/modules/vcrypt" "$stage/selftests"

cp /bin/busybox "$stage/bin/busybox"
for applet in $(/bin/busybox --list-full); do
	[ -e "$stage/$applet" ] || ln -s /bin/busybox "$stage/$applet"
done

install -m 0755 "$root/tests/vm/init" "$stage/init"
install -m 0755 "$root/tests/vm/run-tests.sh" "$stage/usr/bin/run-tests"
install -m 0755 "$vm/bin/vm-exit" "$vm/bin/vcrypt-raw" "$vm/bin/vcryptctl" \
	"$vm/bin/vcrypt-bench" "$stage/usr/bin/"

make -s -C "$root/tests/selftests/vcrypt" OUTPUT="$build/tests/selftests" \
	INSTALL_PATH="$stage/selftests" install >&2

# vcrypt.ko and the modules it needs, in load order (dependencies first).
declare -A modpath=() seen=()
: >"$stage/lib/modules/vcrypt/deps"
add_deps() {
	local dep

	for dep in $(modinfo -F depends "$1" | tr ',' ' '); do
		dep=${dep//-/_}
		[ -n "${seen[$dep]:-}" ] && continue
		seen[$dep]=1
		if [ -z "${modpath[$dep]:-}" ]; then
			echo "mkinitramfs: module $dep (needed by $1) not in $kernel/modules" >&2
			exit 1
		fi
		add_deps "${modpath[$dep]}"
		xz -dc "${modpath[$dep]}" >"$stage/lib/modules/vcrypt/$dep.ko"
		echo "$dep.ko" >>"$stage/lib/modules/vcrypt/deps"
	done
}
if [ -e "$ko" ]; then
	magic=$(modinfo -F vermagic "$ko")
	if [ "${magic%% *}" != "$kver" ]; then
		echo "mkinitramfs: $ko is built for '${magic%% *}', the guest runs $kver" >&2
		exit 1
	fi
	while read -r path; do
		name=${path##*/}
		name=${name%%.ko*}
		modpath[${name//-/_}]=$path
	done < <(find "$kernel/modules/kernel" -name '*.ko*')
	add_deps "$ko"
	install -m 0644 "$ko" "$stage/lib/modules/vcrypt/vcrypt.ko"
fi

# Reuse the image when its contents did not change.
manifest=$(cd "$stage" && find . -printf '%p %y %l %m\n' | sort &&
	   find . -type f -print0 | sort -z | xargs -0 sha1sum)
if [ -e "$vm/base.cpio" ] && [ -e "$vm/base.manifest" ] &&
   [ "$manifest" = "$(cat "$vm/base.manifest")" ]; then
	echo "$vm/base.cpio"
	exit 0
fi
(cd "$stage" && find . | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) \
	>"$vm/base.cpio.tmp"
mv "$vm/base.cpio.tmp" "$vm/base.cpio"
printf '%s\n' "$manifest" >"$vm/base.manifest"
echo "$vm/base.cpio"
