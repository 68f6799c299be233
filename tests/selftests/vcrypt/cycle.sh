#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Unbind and bind the card CYCLES times (default 20), then unload and load
# vcrypt.ko as often. After each bind or load the card is driven again and
# passes a known-answer test (kat_hash: SHA-256 of "abc"). After each
# unbind or unload nothing of the device is left: no IRQ handlers, no
# debugfs files, no vcrypt_file_req objects, no reference on the module.
# Over the cycles no kmalloc cache gains as many objects as there were
# cycles; with fewer than 10 cycles (CYCLES) these two growth checks are
# left out of the plan: they cannot tell a leak of one object a cycle from
# the kernel's own noise. The debug kernel, which runs few cycles, has
# kmemleak for that.
# After the last unbind no kmalloc object allocated by the driver's code
# (outside its module init) is left, and after the last unload none
# allocated by the module's code at all: no more objects than before its
# last load whose stack has a frame no symbol covers (code of a module
# that is gone, or the freed __init code of any module).
#
# The kmalloc checks read the allocation stacks that SLUB keeps when the
# kernel boots with slub_debug=U for the kmalloc caches, as vm-run.sh does.
# Objects freed through RCU or kfree_rcu() go some time after the call that
# frees them: each such check is retried for up to SETTLE seconds (default
# 5), dropping caches each time, which flushes kfree_rcu() batches. On a
# kernel with KASAN (the debug kernel) freed objects wait in its
# quarantine, still counted in use: every count shrinks the caches it
# reads first, which flushes their objects out of the quarantine.
#
# Prints TAP; exits non-zero if a check failed.

set -u

cycles=${CYCLES:-20}
growth=$((cycles >= 10))
settle=${SETTLE:-5}
ko=${VCRYPT_KO:-/lib/modules/vcrypt/vcrypt.ko}
kat="$(dirname "$0")/kat_hash -v sha256_abc"
drv=/sys/bus/pci/drivers/vcrypt
dbg=/sys/kernel/debug/vcrypt
traces=/sys/kernel/debug/slab
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

n=0
failed=0
why=""

# Record why the current test fails; report() prints it.
fail() {
	why="$why
# $*"
}

report() {
	n=$((n + 1))
	if [ -z "$why" ]; then
		echo "ok $n $*"
	else
		echo "not ok $n $*$why"
		failed=$((failed + 1))
	fi
	why=""
}

# Run "$@" until it succeeds, for at most $settle seconds. Dropping caches
# first each time also releases the sysfs nodes that cached dentries pin.
wait_for() {
	end=$(($(date +%s) + settle))
	while echo 3 >/proc/sys/vm/drop_caches && ! "$@"; do
		[ "$(date +%s)" -lt "$end" ] || return 1
		sleep 0.2
	done
}

find_card() {
	for d in /sys/bus/pci/devices/*; do
		if [ "$(cat "$d/vendor")" = 0x1234 ] &&
		   [ "$(cat "$d/device")" = 0x7c01 ]; then
			basename "$d"
			return 0
		fi
	done
	return 1
}

# shrink CACHE...: shrink the slab caches, flushing KASAN's quarantine of
# their freed objects
shrink() {
	for c in "$@"; do
		[ ! -w "/sys/kernel/slab/$c/shrink" ] ||
			echo 1 >"/sys/kernel/slab/$c/shrink"
	done
}

kmalloc_caches() {
	awk '$1 ~ /^kmalloc-/ { print $1 }' /proc/slabinfo
}

# Objects in use in slab cache $1, nothing if there is no such cache
slab_active() {
	shrink "$1"
	awk -v c="$1" '$1 == c { print $2 }' /proc/slabinfo
}

# Live kmalloc objects of the driver by allocation stack, into
# $tmp/objects; prints how many. Each record of alloc_traces is a line
# "COUNT SITE age=..." followed by the stack, one frame a line. Counted
# are the records with a frame in vcrypt, allocated by a probe or not by
# the module's init: what the device or a request allocated. Not counted
# are what the kernel allocated for itself on the way and frees on its
# own schedule: the names of sysfs nodes (__kernfs_new_node; a removed
# node goes after its cached dentries and an RCU grace period, and its
# device, which the driver allocated, is counted), and the memory cgroup
# vectors of slab pages that charged allocations create
# (alloc_slab_obj_exts; freed with the slab page).
driver_objects() {
	# shellcheck disable=SC2046 # one cache a word
	shrink $(kmalloc_caches)
	cat "$traces"/kmalloc-*/alloc_traces | awk -v out="$tmp/objects" '
		function flush() {
			if (vc && (probe || !init) && !kernel) {
				total += count
				print rec >out
			}
		}
		/^ *[0-9]+ / { flush(); count = $1; rec = ""
			       vc = probe = init = 0
			       kernel = $2 ~ /^(__kernfs_new_node|alloc_slab_obj_exts)[+.]/ }
		{ rec = rec "\n# " $0 }
		/\[vcrypt\]/ { vc = 1 }
		/really_probe/ { probe = 1 }
		/do_init_module/ { init = 1 }
		BEGIN { printf "" >out }
		END { flush(); print total + 0 }'
}

no_driver_objects() {
	[ "$(driver_objects)" = 0 ]
}

# Live kmalloc objects with a frame at an address no symbol covers, one
# line "COUNT STACK" per allocation stack (the site and its frames, without
# the age and pid that differ between objects), into file $1.
raw_objects() {
	# shellcheck disable=SC2046 # one cache a word
	shrink $(kmalloc_caches)
	cat "$traces"/kmalloc-*/alloc_traces | awk '
		function flush() { if (raw) print count, key }
		/^ *[0-9]+ / { flush(); count = $1; key = $2; raw = 0 }
		!/^ *[0-9]+ / { key = key " " $1 }
		/0xffffffff[0-9a-f]+/ { raw = 1 }
		END { flush() }' >"$1"
}

# No stack in raw_objects has more objects now than in file $1; the new
# ones are listed in $tmp/objects.
no_new_raw_objects() {
	raw_objects "$tmp/raw.now"
	awk '{ stack = $0; sub(/^[0-9]+ /, "", stack) }
	     NR == FNR { before[stack] = $1; next }
	     $1 > before[stack] {
		printf "\n# %d more: %s", $1 - before[stack], stack
	     }' "$1" "$tmp/raw.now" >"$tmp/objects"
	[ ! -s "$tmp/objects" ]
}

# The card is bound to vcrypt, works and gives the known answer.
check_up() {
	link=$(readlink "/sys/bus/pci/devices/$bdf/driver")
	[ "${link##*/}" = vcrypt ] || fail "card not bound to vcrypt ($link)"
	[ -e "$dbg/$bdf/raw" ] || fail "no $dbg/$bdf/raw"
	[ "$(grep -c vcrypt /proc/interrupts)" = 2 ] ||
		fail "not 2 vcrypt IRQs in /proc/interrupts"
	$kat >"$tmp/kat.log" 2>&1 ||
		fail "$kat: $(grep -E '^#.*(Expected|FAIL)' "$tmp/kat.log")"
	[ "$(cat /sys/module/vcrypt/refcnt)" = 0 ] ||
		fail "vcrypt refcnt $(cat /sys/module/vcrypt/refcnt) when idle"
}

# Nothing of the card is left in the driver.
check_unbound() {
	[ ! -e "/sys/bus/pci/devices/$bdf/driver" ] || fail "card still bound"
	! grep -q vcrypt /proc/interrupts || fail "vcrypt IRQs left"
	[ ! -e "$dbg/$bdf" ] || fail "$dbg/$bdf left"
	[ "$(slab_active vcrypt_file_req)" = 0 ] ||
		fail "vcrypt_file_req objects left: $(slab_active vcrypt_file_req)"
	[ "$(cat /sys/module/vcrypt/refcnt)" = 0 ] ||
		fail "vcrypt refcnt $(cat /sys/module/vcrypt/refcnt)"
}

# Nothing of the module is left.
check_unloaded() {
	[ ! -e /sys/module/vcrypt ] || fail "/sys/module/vcrypt left"
	[ ! -e "/sys/bus/pci/devices/$bdf/driver" ] || fail "card still bound"
	! grep -q vcrypt /proc/interrupts || fail "vcrypt IRQs left"
	[ ! -e "$dbg" ] || fail "$dbg left"
	[ -z "$(slab_active vcrypt_file_req)" ] || fail "vcrypt_file_req cache left"
}

# Objects in use per kmalloc cache, into file $1
kmalloc_snapshot() {
	# shellcheck disable=SC2046 # one cache a word
	shrink $(kmalloc_caches)
	awk '$1 ~ /^kmalloc-/ { print $1, $2 }' /proc/slabinfo >"$1"
}

# No kmalloc cache has $cycles objects more now than in file $1.
no_growth() {
	kmalloc_snapshot "$tmp/now"
	awk -v max="$cycles" '
		NR == FNR { before[$1] = $2; next }
		$2 - before[$1] >= max { print $1 ": " before[$1] " -> " $2 }
	' "$1" "$tmp/now" >"$tmp/growth"
	[ ! -s "$tmp/growth" ]
}

check_growth() {
	wait_for no_growth "$1" ||
		fail "kmalloc growth over $cycles cycles: $(cat "$tmp/growth")"
}

echo "TAP version 13"
echo "1..$((2 * cycles + 5 + 2 * growth))"

if ! bdf=$(find_card); then
	echo "Bail out! no vcrypt card (PCI 1234:7c01)"
	exit 1
fi
if [ ! -e "$traces/kmalloc-64/alloc_traces" ]; then
	echo "Bail out! no allocation stacks in $traces" \
		"(boot with slub_debug=U,kmalloc-*)"
	exit 1
fi
# Drop caches quietly from now on (bit 4: no message on the console).
echo 4 >/proc/sys/vm/drop_caches
[ -e /sys/module/vcrypt ] || insmod "$ko"
check_up
report "card $bdf bound and working"

# Bind cycles
echo "$bdf" >"$drv/unbind" || fail "unbind failed"
check_unbound
echo "$bdf" >"$drv/bind" || fail "bind failed"
check_up
report "bind: warm-up cycle"
kmalloc_snapshot "$tmp/bind.before"
i=1
while [ "$i" -le "$cycles" ]; do
	echo "$bdf" >"$drv/unbind" || fail "unbind failed"
	check_unbound
	echo "$bdf" >"$drv/bind" || fail "bind failed"
	check_up
	report "bind: cycle $i"
	i=$((i + 1))
done
if [ "$growth" = 1 ]; then
	check_growth "$tmp/bind.before"
	report "bind: kmalloc caches do not grow with the cycles"
fi
echo "$bdf" >"$drv/unbind" || fail "unbind failed"
wait_for no_driver_objects ||
	fail "kmalloc objects of the driver left:$(cat "$tmp/objects")"
echo "$bdf" >"$drv/bind" || fail "bind failed"
report "bind: no kmalloc object of the driver left after unbind"

# Module cycles
rmmod vcrypt || fail "rmmod failed"
check_unloaded
insmod "$ko" || fail "insmod failed"
check_up
report "module: warm-up cycle"
kmalloc_snapshot "$tmp/mod.before"
i=1
while [ "$i" -le "$cycles" ]; do
	rmmod vcrypt || fail "rmmod failed"
	check_unloaded
	insmod "$ko" || fail "insmod failed"
	check_up
	report "module: cycle $i"
	i=$((i + 1))
done
if [ "$growth" = 1 ]; then
	check_growth "$tmp/mod.before"
	report "module: kmalloc caches do not grow with the cycles"
fi
rmmod vcrypt || fail "rmmod failed"
raw_objects "$tmp/raw.before"
insmod "$ko" || fail "insmod failed"
check_up
rmmod vcrypt || fail "rmmod failed"
wait_for no_new_raw_objects "$tmp/raw.before" ||
	fail "kmalloc objects of the module left:$(cat "$tmp/objects")"
insmod "$ko" || fail "insmod failed"
check_up
report "module: no kmalloc object of the module left after unload"

echo "# cycle.sh: pass $((n - failed)) fail $failed"
[ "$failed" -eq 0 ]
