#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# vcryptctl's own tests, on a fake sysfs tree (VCRYPTCTL_SYSFS): argument
# checks, exit statuses, messages, the table and the JSON output, the share
# arithmetic and which files the commands write. No card or driver needed;
# tests/selftests/vcrypt/vcryptctl.sh tests the tool against the driver.
#
# Usage: VCRYPTCTL=path/to/vcryptctl sh selftest.sh
# Prints TAP; exits non-zero if a check failed.

set -u

tool=${VCRYPTCTL:-vcryptctl}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fake=$tmp/sys
n=0
failed=0

ok() {
	n=$((n + 1))
	echo "ok $n $*"
}

not_ok() {
	n=$((n + 1))
	failed=$((failed + 1))
	echo "not ok $n $*"
}

# check DESCRIPTION COMMAND...: COMMAND succeeds
check() {
	what=$1
	shift
	if "$@"; then
		ok "$what"
	else
		not_ok "$what"
	fi
}

# run EXPECTED-STATUS ARGS...: run the tool on the fake tree; output in
# $tmp/out, messages in $tmp/err, status in $rc
run() {
	want=$1
	shift
	rc=0
	VCRYPTCTL_SYSFS=$fake "$tool" "$@" >"$tmp/out" 2>"$tmp/err" || rc=$?
	if [ "$rc" -eq "$want" ]; then
		ok "vcryptctl $* exits $want"
	else
		not_ok "vcryptctl $* exits $want (got $rc: $(cat "$tmp/err"))"
	fi
}

# expect_err PATTERN: the last run's message matches PATTERN (grep -E)
expect_err() {
	if grep -q -E -- "$1" "$tmp/err"; then
		ok "message matches '$1'"
	else
		not_ok "message matches '$1' (got: $(cat "$tmp/err"))"
	fi
}

expect_out() {
	if grep -q -E -- "$1" "$tmp/out"; then
		ok "output matches '$1'"
	else
		not_ok "output matches '$1' (got: $(cat "$tmp/out"))"
	fi
}

# expect_file FILE VALUE
expect_file() {
	got=$(cat "$1")
	if [ "$got" = "$2" ]; then
		ok "$1 is $2"
	else
		not_ok "$1 is $2 (got '$got')"
	fi
}

# card PCI SLICES: a card with its vcrypt group
card() {
	d=$fake/devices/pci0000:00/$1
	mkdir -p "$d/vcrypt" "$fake/bus/pci/devices"
	echo "$2" >"$d/vcrypt/slices"
	echo wfq >"$d/vcrypt/scheduler"
	ln -s "../../../devices/pci0000:00/$1" "$fake/bus/pci/devices/$1"
}

# slice PCI NODE INDEX WEIGHT CARD-TIME-NS
slice() {
	d=$fake/devices/pci0000:00/$1/vcrypt/vcrypt$2
	mkdir -p "$d" "$fake/class/vcrypt"
	ln -s "../../../pci0000:00/$1" "$d/device"
	ln -s "../../devices/pci0000:00/$1/vcrypt/vcrypt$2" \
		"$fake/class/vcrypt/vcrypt$2"
	echo "$3" >"$d/slice"
	echo "$4" >"$d/weight"
	echo 1 >"$d/open_files"
	echo 2 >"$d/queued"
	echo 3 >"$d/in_flight"
	echo 1000 >"$d/completed_ops"
	echo 1048576 >"$d/completed_bytes"
	echo 0 >"$d/errors"
	echo "$5" >"$d/card_time_ns"
}

echo "TAP version 13"

# Usage errors are found before sysfs is looked at: no tree at all here.
fake=$tmp/none
run 2
expect_err "missing COMMAND"
run 2 frobnicate
expect_err "unknown command 'frobnicate'"
run 2 --frob
run 0 --help
expect_out "^Usage: vcryptctl"
run 0 -h
run 0 status --help
run 0 --version
expect_out "^vcryptctl [0-9]+\.[0-9]+ \(vcrypt ABI 1\.0\)$"
run 2 weight 0 0
expect_err "^vcryptctl: weight: 0 is out of range 1\.\.10000$"
run 2 weight 0 10001
expect_err "10001 is out of range 1\.\.10000"
run 2 weight 0 -5
expect_err "-5 is out of range 1\.\.10000"
run 2 weight 0 +5
expect_err "'\+5' is not a number"
run 2 weight 0 " 5"
run 2 weight 0 5x
expect_err "'5x' is not a number"
run 2 weight 0 ""
run 2 weight 0 0x10
run 2 weight 0 99999999999999999999999
expect_err "out of range"
run 2 weight 0
expect_err "needs SLICE and W"
run 2 weight 0 5 6
run 2 weight vcrypt 5
expect_err "is not a slice"
run 2 weight /dev/vcryptx 5
run 2 weight /dev/0 5
run 2 weight vcrypt-1 5
run 2 weight -1 5
run 2 weight 1048576 5
run 2 weight --bogus 0 5
run 2 slices
expect_err "missing N"
run 2 slices 257
expect_err "^vcryptctl: slices: 257 is out of range 0\.\.256$"
run 2 slices -1
expect_err "-1 is out of range 0\.\.256"
run 2 slices 4x
run 2 slices 4 5
run 2 slices 4 -c
run 2 slices 4 -c zz
expect_err "'zz' is not a card"
run 2 slices 4 -c 0000:00:03
run 2 slices 4 -c 0000:00:03.8
run 2 slices 4 -c -1
run 2 slices 4 -x
run 2 status -i 0
expect_err "interval 0 is out of range"
run 2 status -i abc
run 2 status -i -1
run 2 status -i 3601
run 2 status -i 1.
run 2 status -i
run 2 status -x
run 2 status extra
# Good arguments, no tree: the operation fails.
run 1 status
run 1 weight 0 5
run 1 slices 4

# One card, four slices
fake=$tmp/sys
card 0000:00:03.0 4
slice 0000:00:03.0 0 0 100 100
slice 0000:00:03.0 1 1 200 300
slice 0000:00:03.0 2 2 100 600
slice 0000:00:03.0 3 3 100 0
run 0 status
expect_out "^card 0000:00:03\.0 \(card 0\): scheduler wfq, 4 slices, share of card time since load$"
expect_out "^ +0 +/dev/vcrypt0 +100 +1 +2 +3 +1000 +1\.0 MiB +0 +10\.0%$"
expect_out "^ +1 +/dev/vcrypt1 +200 .* 30\.0%$"
expect_out "^ +2 +/dev/vcrypt2 .* 60\.0%$"
expect_out "^ +3 +/dev/vcrypt3 .* 0\.0%$"
run 0 status -j
if command -v python3 >/dev/null; then
	check "JSON parses and holds the values" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert d["interval_s"] == 0
c = d["cards"][0]
assert (c["pci"], c["index"], c["scheduler"], c["nr_slices"]) == \
	("0000:00:03.0", 0, "wfq", 4)
assert c["card_time_ns"] == 1000
s = c["slices"]
assert [x["node"] for x in s] == ["/dev/vcrypt%d" % i for i in range(4)]
assert [x["share_pct"] for x in s] == [10.0, 30.0, 60.0, 0.0]
assert s[1]["weight"] == 200 and s[1]["completed_bytes"] == 1048576
keys = {"node", "weight", "slice", "open_files", "queued",
	"in_flight", "completed_ops", "completed_bytes", "errors",
	"card_time_ns", "share_pct"}
assert all(set(x) == keys for x in s), s
' "$tmp/out"
fi

# Weight: each way of naming the slice writes its weight file.
run 0 weight 1 250
expect_file "$fake/class/vcrypt/vcrypt1/weight" 250
run 0 weight vcrypt2 10000
expect_file "$fake/class/vcrypt/vcrypt2/weight" 10000
run 0 weight /dev/vcrypt3 1
expect_file "$fake/class/vcrypt/vcrypt3/weight" 1
run 1 weight 4 100
expect_err "no slice vcrypt4"
# Slices: the only card is the default.
run 0 slices 8
expect_file "$fake/bus/pci/devices/0000:00:03.0/vcrypt/slices" 8
run 0 slices 0 -c 0
expect_file "$fake/bus/pci/devices/0000:00:03.0/vcrypt/slices" 0
run 0 slices 4 -c 00:03.0
expect_file "$fake/bus/pci/devices/0000:00:03.0/vcrypt/slices" 4
run 1 slices 4 -c 0000:00:04.0
expect_err "no vcrypt card 0000:00:04\.0"

# Share over an interval: only what changes meanwhile counts.
(sleep 0.5; echo 400 >"$fake/class/vcrypt/vcrypt0/card_time_ns"
 echo 400 >"$fake/class/vcrypt/vcrypt1/card_time_ns") &
run 0 status -i 1.5
wait
expect_out "share of card time over 1\.500000000 s$"
expect_out "^ +0 +/dev/vcrypt0 .* 75\.0%$"
expect_out "^ +1 +/dev/vcrypt1 .* 25\.0%$"
expect_out "^ +2 +/dev/vcrypt2 .* 0\.0%$"
run 0 status -j -i 1
expect_out '"interval_s": 1,'
expect_out '"share_pct": null'

# A second card, without slices, then with one
card 0000:00:04.0 0
run 0 status
expect_out "^card 0000:00:04\.0: scheduler wfq, 0 slices"
expect_out "^  no slices$"
run 0 status -j
expect_out '"index": null'
run 1 slices 4
expect_err "2 vcrypt cards; choose one with -c CARD"
run 1 slices 4 -c 1
expect_err "no vcrypt card 1"
run 0 slices 2 -c 0000:00:04.0
expect_file "$fake/bus/pci/devices/0000:00:04.0/vcrypt/slices" 2
slice 0000:00:04.0 256 0 100 5
run 0 slices 3 -c 1
expect_file "$fake/bus/pci/devices/0000:00:04.0/vcrypt/slices" 3
run 0 weight 256 7
expect_file "$fake/class/vcrypt/vcrypt256/weight" 7
run 0 status
expect_out "^card 0000:00:04\.0 \(card 1\)"
expect_out "^ +0 +/dev/vcrypt256 +7 .* 100\.0%$"
run 0 status -j
if command -v python3 >/dev/null; then
	check "JSON of two cards parses" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert [c["index"] for c in d["cards"]] == [0, 1]
assert d["cards"][1]["slices"][0]["node"] == "/dev/vcrypt256"
' "$tmp/out"
fi

# Garbage in sysfs is reported, not shown.
echo bogus >"$fake/class/vcrypt/vcrypt2/queued"
run 1 status
expect_err "vcrypt2/queued: not a number"

echo "1..$n"
[ "$failed" -eq 0 ]
