#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The kernel crypto manager's self-tests of every algorithm of the driver
# with the extra tests on: vcrypt.ko is loaded again with
# cryptomgr.noextratests=0, so that registering each algorithm runs, besides
# its test vectors, testmgr's randomized comparison against the generic
# implementation (random lengths, scatterlist layouts, misalignment, in
# place and out of place), FUZZ_ITERATIONS times per algorithm (default
# 100, testmgr's own default). Needs a kernel with
# CONFIG_CRYPTO_MANAGER_EXTRA_TESTS (the test guest's debug kernel); the
# guest boots it with cryptomgr.noextratests=1 so that the other tests'
# loads stay fast, and this test sets that back when it is done.
#
# Each driver of the module must show "selftest: passed" in /proc/crypto
# within LIMIT seconds of the load (default 600), and the kernel log of the
# load must have no "alg:" line naming it but "Unexpected test result" with
# status 0: the test passed after the driver's probe stopped waiting for
# it, 60 s into it, which is no fault of the driver.
#
# Prints TAP; exits non-zero if a check failed.

set -u

ko=${VCRYPT_KO:-/lib/modules/vcrypt/vcrypt.ko}
iterations=${FUZZ_ITERATIONS:-100}
limit=${LIMIT:-600}
params=/sys/module/cryptomgr/parameters
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# shellcheck source-path=SCRIPTDIR source=tap.sh
. "$(dirname "$0")/tap.sh"

echo "TAP version 13"
if [ ! -w "$params/noextratests" ] || [ ! -w "$params/fuzz_iterations" ]; then
	echo "Bail out! no $params/noextratests or fuzz_iterations (crypto self-tests off?)"
	exit 1
fi
old_extra=$(cat "$params/noextratests")
old_iter=$(cat "$params/fuzz_iterations")

if [ -e /sys/module/vcrypt ] && ! rmmod vcrypt; then
	echo "Bail out! cannot unload vcrypt"
	exit 1
fi
dmesg >"$tmp/before"
echo 0 >"$params/noextratests"
echo "$iterations" >"$params/fuzz_iterations"
# driver and selftest of each algorithm of the module vcrypt, into $tmp/algs
vcrypt_algs() {
	awk -F ' *: *' '
		$1 == "driver" { d = $2 }
		$1 == "module" { m = $2 }
		$1 == "selftest" { t = $2 }
		$0 == "" { if (m == "vcrypt") print d, t; d = m = t = "" }
		END { if (m == "vcrypt") print d, t }' /proc/crypto >"$tmp/algs"
}

start=$(date +%s)
if insmod "$ko"; then
	ok "insmod with the extra self-tests, $iterations iterations"
else
	not_ok "insmod with the extra self-tests"
fi
# The tests may outlast the load: wait for every result.
while vcrypt_algs && grep -q ' unknown$' "$tmp/algs" &&
      [ $(($(date +%s) - start)) -lt "$limit" ]; do
	sleep 1
done
echo "# the self-tests took $(($(date +%s) - start)) s"
echo "$old_extra" >"$params/noextratests"
echo "$old_iter" >"$params/fuzz_iterations"
dmesg >"$tmp/after"
# the kernel log of the load (the lines not there before it)
awk 'NR == FNR { seen[$0] = 1; next } !($0 in seen)' \
	"$tmp/before" "$tmp/after" >"$tmp/log"

if [ ! -s "$tmp/algs" ]; then
	not_ok "no algorithm of the module vcrypt in /proc/crypto"
fi
while read -r drv result; do
	lines=$(grep -E "alg: .*[^a-z0-9-]$drv([^a-z0-9-]|\$)" "$tmp/log")
	late=$(printf '%s\n' "$lines" |
	       grep -E "Unexpected test result for $drv: 0$")
	bad=$(printf '%s\n' "$lines" |
	      grep -v -E "Unexpected test result for $drv: 0$")
	[ -z "$late" ] || echo "# $drv: tested for more than 60 s: $late"
	if [ "$result" = passed ] && [ -z "$bad" ]; then
		ok "$drv: extra self-tests passed"
	else
		not_ok "$drv: selftest $result"
		[ -z "$bad" ] || printf '%s\n' "$bad" | sed 's/^/# /'
	fi
done <"$tmp/algs"
tap_end testmgr.sh
