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
# /lib/modules/vcrypt/. For the kernel crypto API tests it also holds
# Debian's kcapi-tools, bash, perl and openssl (with their shared libraries
# and the dynamic loader), libkcapi's upstream test suite in
# /usr/libexec/libkcapi/ (scripts/fetch-libkcapi.sh), Debian's crun
# (an OCI runtime, for the container test), the AF_ALG and
# crypto modules those tests use, loaded before vcrypt.ko, and tcrypt.ko
# (not loaded). It is rebuilt only when something in it changed; vm-run.sh
# appends the per-run command as a second cpio archive.
#
# Environment:
#   BUILD      build directory (default: <repo>/build)
#   GUEST_KERNEL  the guest kernel's directory, as scripts/fetch-kernel.sh
#              or scripts/build-debug-kernel.sh leave it (default:
#              $BUILD/kernel, the Debian kernel); the modules it has built
#              in are not shipped
#   VCRYPT_KO  the module to ship, built for that kernel (default:
#              <repo>/drivers/crypto/vcrypt/vcrypt.ko); an image without
#              it is built when it does not exist
#   IMAGE      the image to build, without .cpio (default: $BUILD/vm/base)
#
# Output: $IMAGE.cpio

set -euo pipefail

root=$(realpath "$(dirname "$0")/../..")
build=${BUILD:-$root/build}
ko=${VCRYPT_KO:-$root/drivers/crypto/vcrypt/vcrypt.ko}
vm=$build/vm
kernel=$build/kernel
guest=${GUEST_KERNEL:-$kernel}
image=${IMAGE:-$vm/base}
cc=${CC:-gcc}

mkdir -p "$vm/bin" "$(dirname "$image")"
exec 9>"$vm/.lock"
flock 9

for k in "$kernel" "$guest"; do
	if [ ! -e "$k/.done" ]; then
		echo "mkinitramfs: no kernel in $k (run: make kernel or make debug-kernel)" >&2
		exit 1
	fi
done
kver=$(cat "$guest/version")
libkcapi=$build/libkcapi
bash "$root/scripts/fetch-libkcapi.sh" "$libkcapi" >&2

# Guest programs, all static: the selftests, vm-exit and the tools.
make -s -C "$root/tests/selftests/vcrypt" OUTPUT="$build/tests/selftests" \
	KSFT_DIR="$kernel/src/tools/testing/selftests" all >&2

static_prog() {
	local src=$1 out=$2

	if [ ! -e "$out" ] || [ "$src" -nt "$out" ] ||
	   [ "$root/include/uapi/linux/vcrypt.h" -nt "$out" ] ||
	   [ "$root/drivers/crypto/vcrypt/vcrypt_hw.h" -nt "$out" ] ||
	   [ "$root/drivers/crypto/vcrypt/vcrypt_dbg.h" -nt "$out" ]; then
		"$cc" -static -O2 -Wall -Wextra -Werror -I"$root/include/uapi" \
			-I"$root/drivers/crypto/vcrypt" \
			-o "$out" "$src"
	fi
}
static_prog "$root/tests/vm/vm-exit.c" "$vm/bin/vm-exit"
static_prog "$root/tools/vcrypt-raw/vcrypt-raw.c" "$vm/bin/vcrypt-raw"
static_prog "$root/tools/vcryptctl/vcryptctl.c" "$vm/bin/vcryptctl"
static_prog "$root/tools/vcrypt-bench/vcrypt-bench.c" "$vm/bin/vcrypt-bench"

stage=$image.stage
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

# ship_dynamic PROG DEST: a dynamic program of the host as DEST, with the
# shared libraries and the dynamic loader ldd finds for it, at the paths
# the host has them.
ship_dynamic() {
	local prog=$1 dest=$2 lib

	if [ ! -x "$prog" ]; then
		echo "mkinitramfs: $prog missing (run: make deps)" >&2
		exit 1
	fi
	rm -f "$stage$dest"
	install -D -m 0755 "$prog" "$stage$dest"
	for lib in $(ldd "$prog" | awk '$2 == "=>" && $3 ~ /^\// { print $3 }
					  $1 ~ /^\// { print $1 }'); do
		[ -e "$stage$lib" ] ||
			install -D -m 0755 "$(realpath "$lib")" "$stage$lib"
	done
}

# Debian's kcapi-tools, and what libkcapi's test scripts run: bash, perl,
# openssl, and coreutils' sum programs (the reference hasher-test.sh
# compares kcapi-hasher with; busybox has no sha384sum and no --status).
for prog in kcapi-enc kcapi-dgst kcapi-rng; do
	ship_dynamic "/usr/bin/$prog" "/usr/bin/$prog"
done
ship_dynamic /bin/bash /bin/bash
ship_dynamic /usr/bin/perl /usr/bin/perl
ship_dynamic /usr/bin/openssl /usr/bin/openssl
lk=/usr/libexec/libkcapi
for prog in md5sum sha1sum sha256sum sha384sum sha512sum; do
	ship_dynamic "/usr/bin/$prog" "$lk/coreutils/$prog"
done

# Debian's crun, the OCI runtime container.sh starts a container with
ship_dynamic /usr/bin/crun /usr/bin/crun

# libkcapi's test suite as its test-invocation.sh finds it in the source
# tree (test/test-is-local): the scripts in test/, the programs in bin/,
# all built from Debian's libkcapi source, statically (kcapi-enc and
# kcapi-dgst there are the applications of Debian's kcapi-tools, from the
# same source: a static program starts in a fraction of the time).
mkdir -p "$stage$lk/test" "$stage$lk/bin"
install -m 0755 "$libkcapi"/src/test/*.sh "$stage$lk/test/"
install -m 0644 "$libkcapi/src/test/test-is-local" "$stage$lk/test/"
install -m 0755 "$libkcapi"/bin/* "$stage$lk/bin/"
install -m 0644 "$libkcapi/version" "$stage$lk/version"

# vcrypt.ko and the modules it needs, in load order (dependencies first).
declare -A modpath=() seen=()
: >"$stage/lib/modules/vcrypt/deps"
# the modules the guest kernel has built in
while read -r mod; do
	mod=${mod##*/}
	mod=${mod%.ko}
	seen[${mod//-/_}]=1
done <"$guest/modules/modules.builtin"
# unpack_mod FILE: the module, decompressed, on standard output
unpack_mod() {
	case $1 in
	*.xz) xz -dc "$1" ;;
	*.zst) zstd -dcq "$1" ;;
	*) cat "$1" ;;
	esac
}
# add_mod NAME WHO: module NAME (needed by WHO) after its dependencies
add_mod() {
	local mod=${1//-/_}

	[ -n "${seen[$mod]:-}" ] && return 0
	seen[$mod]=1
	if [ -z "${modpath[$mod]:-}" ]; then
		echo "mkinitramfs: module $mod (needed by $2) not in $guest/modules" >&2
		exit 1
	fi
	add_deps "${modpath[$mod]}"
	unpack_mod "${modpath[$mod]}" >"$stage/lib/modules/vcrypt/$mod.ko"
	echo "$mod.ko" >>"$stage/lib/modules/vcrypt/deps"
}
add_deps() {
	local dep

	for dep in $(modinfo -F depends "$1" | tr ',' ' '); do
		add_mod "$dep" "$1"
	done
}
# What the crypto API tests need that the kernel has as modules (the debug
# kernel has them built in), loaded before vcrypt.ko (the guest has no
# module autoloading): AF_ALG, the
# crypto netlink interface (libkcapi asks it for an algorithm's sizes),
# and the software algorithms the driver's fallbacks and libkcapi's tests
# allocate (gcm needs ghash at run time).
crypto_mods="af_alg algif_skcipher algif_hash algif_aead algif_rng"
crypto_mods+=" crypto_user xts ghash_generic gcm ccm cmac des_generic"
crypto_mods+=" ansi_cprng"
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
	done < <(find "$guest/modules/kernel" -name '*.ko*')
	for mod in $crypto_mods; do
		add_mod "$mod" "the crypto API tests"
	done
	add_deps "$ko"
	install -m 0644 "$ko" "$stage/lib/modules/vcrypt/vcrypt.ko"
	# for benchmarks with "insmod tcrypt.ko mode=..."; not loaded at boot
	if [ -n "${modpath[tcrypt]:-}" ]; then
		unpack_mod "${modpath[tcrypt]}" >"$stage/lib/modules/vcrypt/tcrypt.ko"
	fi
fi

# Reuse the image when its contents did not change.
manifest=$(cd "$stage" && find . -printf '%p %y %l %m\n' | sort &&
	   find . -type f -print0 | sort -z | xargs -0 sha1sum)
if [ -e "$image.cpio" ] && [ -e "$image.manifest" ] &&
   [ "$manifest" = "$(cat "$image.manifest")" ]; then
	echo "$image.cpio"
	exit 0
fi
(cd "$stage" && find . | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) \
	>"$image.cpio.tmp"
mv "$image.cpio.tmp" "$image.cpio"
printf '%s\n' "$manifest" >"$image.manifest"
echo "$image.cpio"
