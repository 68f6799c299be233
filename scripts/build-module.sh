#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build vcrypt.ko against another kernel than the one the source tree's
# module is built for (the debug kernel), without touching the objects in
# the source tree: kbuild puts the objects of an external module (M=) next
# to its sources, so the module is built in OUTDIR, a tree of links to the
# sources (Kbuild, drivers/, include/).
#
# Usage: build-module.sh KDIR OUTDIR [MAKE ARGUMENTS...]
#   e.g. build-module.sh build/debug-kernel/kdir build/debug-module W=1
# Produces: OUTDIR/drivers/crypto/vcrypt/vcrypt.ko

set -euo pipefail

root=$(realpath "$(dirname "$0")/..")
kdir=$(realpath "$1")
out=$(realpath -m "$2")
shift 2

mkdir -p "$out"
# Links for the current sources; those of removed files go.
find "$out" -type l -delete
cd "$root"
find Kbuild drivers include -type f \
	\( -name '*.[ch]' ! -name '*.mod.c' -o -name Makefile -o \
	   -name Kconfig -o -name Kbuild \) -print |
while read -r f; do
	mkdir -p "$out/$(dirname "$f")"
	ln -s "$root/$f" "$out/$f"
done

make -C "$kdir" M="$out" "$@" modules
