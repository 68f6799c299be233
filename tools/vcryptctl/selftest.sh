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
# shellcheck source-path=SCRIPTDIR source=../../tests/selftests/vcrypt/tap.sh
. "$(dirname "$0")/../../tests/selftests/vcrypt/tap.sh"

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

# card PCI SLICES: a card with its vcrypt_card group
card() {
	d=$fake/devices/pci0000:00/$1
	mkdir -p "$d/vcrypt_card" "$fake/bus/pci/devices"
	echo "$2" >"$d/vcrypt_card/slices"
	echo wfq >"$d/vcrypt_card/scheduler"
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

# host PCI CARD WEIGHT CARD-TIME-NS: the card's host slice, vcrypt-host<CARD>
host() {
	d=$fake/devices/pci0000:00/$1/vcrypt/vcrypt-host$2
	mkdir -p "$d" "$fake/class/vcrypt"
	ln -s "../../../pci0000:00/$1" "$d/device"
	ln -s "../../devices/pci0000:00/$1/vcrypt/vcrypt-host$2" \
		"$fake/class/vcrypt/vcrypt-host$2"
	echo "$3" >"$d/weight"
	echo 4 >"$d/queued"
	echo 5 >"$d/in_flight"
	echo 2000 >"$d/completed_ops"
	echo 2097152 >"$d/completed_bytes"
	echo 1 >"$d/errors"
	echo "$4" >"$d/card_time_ns"
	echo 3 >"$d/transforms"
	echo 12 >"$d/backlogged"
	echo 1 >"$d/fallback_ops"
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
# The host slice: host (card 0), hostC, vcrypt-hostC; C is 0..4095
run 2 weight host 0
expect_err "^vcryptctl: weight: 0 is out of range 1\.\.10000$"
run 2 weight host 10001
expect_err "10001 is out of range 1\.\.10000"
run 2 weight host3 -5
expect_err "-5 is out of range 1\.\.10000"
run 2 weight vcrypt-host0 5x
expect_err "'5x' is not a number"
run 2 weight host
expect_err "needs SLICE and W"
run 2 weight host 5 6
expect_err "unexpected argument '6'"
run 2 weight hostx 5
expect_err "^vcryptctl: weight: 'hostx' is not a slice: give N, vcryptN, /dev/vcryptN, host, hostC or vcrypt-hostC$"
run 2 weight host-1 5
expect_err "'host-1' is not a slice"
run 2 weight host1x 5
run 2 weight host4096 5
expect_err "'host4096' is not a slice"
run 2 weight host99999999999999999999999 5
run 2 weight vcrypt-host 5
expect_err "'vcrypt-host' is not a slice"
run 2 weight vcrypt-hostx 5
run 2 weight vcrypt-host4096 5
run 2 weight vcrypthost0 5
run 2 weight /dev/vcrypt-host0 5
run 2 weight /dev/host0 5
run 2 weight Host 5
run 2 weight " host" 5
run 2 weight "host " 5
run 2 weight --host 5
expect_err "unknown option '--host'"
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
run 1 weight host 5
run 1 weight -- vcrypt-host4095 5
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
expect_file "$fake/bus/pci/devices/0000:00:03.0/vcrypt_card/slices" 8
run 0 slices 0 -c 0
expect_file "$fake/bus/pci/devices/0000:00:03.0/vcrypt_card/slices" 0
run 0 slices 4 -c 00:03.0
expect_file "$fake/bus/pci/devices/0000:00:03.0/vcrypt_card/slices" 4
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
expect_out '"host": null,'

# The card's host slice: a row of its own, and its share counts in the
# card's total (400 + 400 + 600 + 0 for the slices, 600 for it).
host 0000:00:03.0 0 100 600
run 0 status
expect_out "^card 0000:00:03\.0 \(card 0\): scheduler wfq, 4 slices,"
expect_out "^ +0 +/dev/vcrypt0 .* 20\.0%$"
expect_out "^ +2 +/dev/vcrypt2 .* 30\.0%$"
expect_out "^ +host +vcrypt-host0 +100 +- +4 +5 +2000 +2\.0 MiB +1 +30\.0%$"
expect_out "^ +crypto API: 3 transforms, 12 backlogged, 1 fallback op$"
if [ "$(tail -n 2 "$tmp/out" | head -n 1 | awk '{ print $1 }')" = host ]; then
	ok "the host slice comes after the slices"
else
	not_ok "the host slice comes after the slices"
fi
run 0 status -j
if command -v python3 >/dev/null; then
	check "JSON holds the host slice" python3 -c '
import json, sys
c = json.load(open(sys.argv[1]))["cards"][0]
assert c["card_time_ns"] == 2000
h = c["host"]
assert list(h) == ["name", "weight", "queued", "in_flight", "completed_ops",
	"completed_bytes", "errors", "card_time_ns", "transforms",
	"backlogged", "fallback_ops", "share_pct"], h
assert h["name"] == "vcrypt-host0"
assert (h["weight"], h["queued"], h["in_flight"], h["completed_ops"],
	h["completed_bytes"], h["errors"], h["card_time_ns"],
	h["transforms"], h["backlogged"], h["fallback_ops"]) == \
	(100, 4, 5, 2000, 2097152, 1, 600, 3, 12, 1)
assert h["share_pct"] == 30.0
assert [x["share_pct"] for x in c["slices"]] == [20.0, 20.0, 30.0, 0.0]
assert len(c["slices"]) == 4
' "$tmp/out"
fi
# Over an interval: the host slice's growth counts like a slice's.
(sleep 0.5; echo 1200 >"$fake/class/vcrypt/vcrypt-host0/card_time_ns"
 echo 600 >"$fake/class/vcrypt/vcrypt0/card_time_ns") &
run 0 status -i 1.5
wait
expect_out "^ +0 +/dev/vcrypt0 .* 25\.0%$"
expect_out "^ +1 +/dev/vcrypt1 .* 0\.0%$"
expect_out "^ +host +vcrypt-host0 .* 75\.0%$"
run 0 status -j -i 0.2
expect_out '"name": "vcrypt-host0",'
expect_out '"card_time_ns": 0,'
# Weight: each way of naming the host slice writes its weight file.
run 0 weight host 250
expect_file "$fake/class/vcrypt/vcrypt-host0/weight" 250
run 0 weight host0 10000
expect_file "$fake/class/vcrypt/vcrypt-host0/weight" 10000
run 0 weight vcrypt-host0 1
expect_file "$fake/class/vcrypt/vcrypt-host0/weight" 1
run 0 weight -- host00 100
expect_file "$fake/class/vcrypt/vcrypt-host0/weight" 100
run 0 status
expect_out "^ +host +vcrypt-host0 +100 "
run 1 weight host1 100
expect_err "^vcryptctl: weight: no host slice vcrypt-host1: no vcrypt card 1 \(see vcryptctl status\)$"
run 1 weight vcrypt-host4095 100
expect_err "no host slice vcrypt-host4095: no vcrypt card 4095"
# A host slice without its weight file is gone: weight says so, status
# leaves it out.
mv "$fake/class/vcrypt/vcrypt-host0/weight" "$tmp/weight"
run 1 weight host 200
expect_err "^vcryptctl: weight: no host slice vcrypt-host0 \(removed\)$"
run 0 status
if grep -q "host" "$tmp/out"; then
	not_ok "a host slice that went away is left out"
else
	ok "a host slice that went away is left out"
fi
mv "$tmp/weight" "$fake/class/vcrypt/vcrypt-host0/weight"
# Garbage in a host slice's attribute is reported, not shown.
echo bogus >"$fake/class/vcrypt/vcrypt-host0/fallback_ops"
run 1 status
expect_err "vcrypt-host0/fallback_ops: not a number"
echo 1 >"$fake/class/vcrypt/vcrypt-host0/fallback_ops"

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
expect_err "^vcryptctl: slices: no vcrypt card 1 \(name a card without slices by its PCI address\)$"
run 0 slices 2 -c 0000:00:04.0
expect_file "$fake/bus/pci/devices/0000:00:04.0/vcrypt_card/slices" 2
# With its host slice, a card without slices has its number.
host 0000:00:04.0 1 100 0
run 0 status
expect_out "^card 0000:00:04\.0 \(card 1\): scheduler wfq, 2 slices"
expect_out "^ +host +vcrypt-host1 +100 +- .* +-$"
if grep -q "no slices" "$tmp/out"; then
	not_ok "a card with only its host slice has a table"
else
	ok "a card with only its host slice has a table"
fi
run 0 slices 1 -c 1
expect_file "$fake/bus/pci/devices/0000:00:04.0/vcrypt_card/slices" 1
run 1 slices 1 -c 2
expect_err "^vcryptctl: slices: no vcrypt card 2 \(see vcryptctl status\)$"
run 0 weight host1 7
expect_file "$fake/class/vcrypt/vcrypt-host1/weight" 7
expect_file "$fake/class/vcrypt/vcrypt-host0/weight" 100
slice 0000:00:04.0 256 0 100 5
run 0 slices 3 -c 1
expect_file "$fake/bus/pci/devices/0000:00:04.0/vcrypt_card/slices" 3
run 0 weight 256 7
expect_file "$fake/class/vcrypt/vcrypt256/weight" 7
run 0 status
expect_out "^card 0000:00:04\.0 \(card 1\)"
expect_out "^ +0 +/dev/vcrypt256 +7 .* 100\.0%$"
expect_out "^ +host +vcrypt-host1 +7 .* 0\.0%$"
run 0 status -j
if command -v python3 >/dev/null; then
	check "JSON of two cards parses" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert [c["index"] for c in d["cards"]] == [0, 1]
assert d["cards"][1]["slices"][0]["node"] == "/dev/vcrypt256"
assert [c["host"]["name"] for c in d["cards"]] == \
	["vcrypt-host0", "vcrypt-host1"]
assert d["cards"][1]["host"]["weight"] == 7
assert d["cards"][1]["host"]["share_pct"] == 0.0
' "$tmp/out"
fi

# Garbage in sysfs is reported, not shown.
echo bogus >"$fake/class/vcrypt/vcrypt2/queued"
run 1 status
expect_err "vcrypt2/queued: not a number"

tap_end
