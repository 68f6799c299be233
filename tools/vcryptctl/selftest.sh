#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# vcryptctl's own tests, on a fake sysfs tree (VCRYPTCTL_SYSFS): argument
# checks, exit statuses, messages, the table and the JSON output, the share
# arithmetic, which files the commands write, and what a user other than
# root sees of counters that only root may read (run as nobody with
# setpriv, when there is one and this runs as root). No card or driver
# needed; tests/selftests/vcrypt/vcryptctl.sh tests the tool against the
# driver.
#
# Usage: VCRYPTCTL=path/to/vcryptctl sh selftest.sh
# Prints TAP; exits non-zero if a check failed.

set -u

tool=${VCRYPTCTL:-vcryptctl}
here=$(dirname "$0")
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
	echo "240:$2" >"$d/dev"
	echo "$4" >"$d/weight"
	echo 64 >"$d/max_files"
	echo 67108864 >"$d/max_bytes"
	echo 1 >"$d/open_files"
	echo 1572864 >"$d/outstanding_bytes"
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
expect_out "^vcryptctl [0-9]+\.[0-9]+ \(vcrypt ABI 1\.1\)$"
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
run 2 limit
expect_err "needs SLICE, files or bytes, and a value"
run 2 limit 0 files
run 2 limit 0 files 0
expect_err "^vcryptctl: limit: 0 is out of range 1\.\.4096$"
run 2 limit 0 files 4097
run 2 limit 0 files 5x
expect_err "'5x' is not a number"
run 2 limit 0 bytes 0
expect_err "^vcryptctl: limit: 0 is out of range 1\.\.4294967295 bytes$"
run 2 limit 0 bytes 4G
expect_err "4G is out of range"
run 2 limit 0 bytes 4294967296
run 2 limit 0 bytes 99999999999999999999999
run 2 limit 0 bytes 64X
expect_err "'64X' is not a size"
run 2 limit 0 bytes 64Mi
run 2 limit 0 bytes M
run 2 limit 0 bytes -1
run 2 limit 0 frobs 1
expect_err "'frobs' is not a limit: give files or bytes"
run 2 limit host files 1
expect_err "the host slice has no files and no limits"
run 2 limit vcrypt 1 files
expect_err "is not a slice"
run 2 limit 0 files 1 2
expect_err "unexpected argument '2'"
run 2 limit 0 -x files 1
# Good arguments, no tree: the operation fails.
run 1 status
run 1 weight 0 5
run 1 weight host 5
run 1 weight -- vcrypt-host4095 5
run 1 slices 4
run 1 limit 0 files 5

# One card, four slices
fake=$tmp/sys
card 0000:00:03.0 4
slice 0000:00:03.0 0 0 100 100
slice 0000:00:03.0 1 1 200 300
slice 0000:00:03.0 2 2 100 600
slice 0000:00:03.0 3 3 100 0
run 0 status
expect_out "^card 0000:00:03\.0 \(card 0\): scheduler wfq, 4 slices, share of card time since load$"
expect_out "^SLICE +NODE +WEIGHT +FILES +BUFFERS +QUEUED +IN-FLIGHT +OPS +BYTES +ERRORS +SHARE$"
expect_out "^ +0 +/dev/vcrypt0 +100 +1/64 +1\.5M/64M +2 +3 +1000 +1\.0 MiB +0 +10\.0%$"
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
keys = {"node", "weight", "slice", "max_files", "max_bytes", "open_files",
	"outstanding_bytes", "queued", "in_flight", "completed_ops",
	"completed_bytes", "errors", "card_time_ns", "share_pct"}
assert all(set(x) == keys for x in s), s
assert (s[0]["max_files"], s[0]["max_bytes"], s[0]["outstanding_bytes"]) \
	== (64, 67108864, 1572864)
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
# Limits: files N and bytes SIZE, with K, M, G, KiB, MiB or GiB
run 0 limit 1 files 3
expect_file "$fake/class/vcrypt/vcrypt1/max_files" 3
run 0 limit /dev/vcrypt2 files 4096
expect_file "$fake/class/vcrypt/vcrypt2/max_files" 4096
run 0 limit vcrypt1 bytes 1000
expect_file "$fake/class/vcrypt/vcrypt1/max_bytes" 1000
run 0 limit 1 bytes 16M
expect_file "$fake/class/vcrypt/vcrypt1/max_bytes" 16777216
run 0 limit 1 bytes 3GiB
expect_file "$fake/class/vcrypt/vcrypt1/max_bytes" 3221225472
run 0 limit 1 bytes 512KiB
expect_file "$fake/class/vcrypt/vcrypt1/max_bytes" 524288
run 0 limit 1 bytes 4294967295
expect_file "$fake/class/vcrypt/vcrypt1/max_bytes" 4294967295
run 1 limit 4 files 3
expect_err "^vcryptctl: limit: no slice vcrypt4 \(see vcryptctl status\)$"
run 0 status
expect_out "^ +1 +/dev/vcrypt1 +250 +1/3 +1\.5M/4\.0G "
echo 67108864 >"$fake/class/vcrypt/vcrypt1/max_bytes"
echo 64 >"$fake/class/vcrypt/vcrypt1/max_files"
echo 64 >"$fake/class/vcrypt/vcrypt2/max_files"

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
expect_out "^ +host +vcrypt-host0 +100 +- +- +4 +5 +2000 +2\.0 MiB +1 +30\.0%$"
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
# Strings in the JSON are escaped: a scheduler name with a quote, a
# backslash and a control character comes out as it is in sysfs.
sched=$fake/devices/pci0000:00/0000:00:04.0/vcrypt_card/scheduler
printf 'w"f\\q\001x\n' >"$sched"
run 0 status -j
if command -v python3 >/dev/null; then
	check "JSON escapes strings" python3 -c '
import json, sys
c = json.load(open(sys.argv[1]))["cards"][1]
assert c["scheduler"] == "w\"f\\q\x01x", c["scheduler"]
' "$tmp/out"
fi
echo wfq >"$sched"
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

# Global options before the command, as ip -j link: -j compact JSON,
# -p pretty; "status -j" stays what it was, the pretty form.
run 0 status -j
cp "$tmp/out" "$tmp/legacy.json"
run 0 -j -p status
if cmp -s "$tmp/out" "$tmp/legacy.json"; then
	ok "-j -p status prints what status -j prints"
else
	not_ok "-j -p status prints what status -j prints"
fi
run 0 --pretty --json status
if cmp -s "$tmp/out" "$tmp/legacy.json"; then
	ok "--pretty --json status prints what status -j prints"
else
	not_ok "--pretty --json status prints what status -j prints"
fi
run 0 -j status
if [ "$(wc -l <"$tmp/out")" -eq 1 ]; then
	ok "-j status prints one line"
else
	not_ok "-j status prints one line"
fi
if command -v python3 >/dev/null; then
	check "compact and pretty JSON hold the same" python3 -c '
import json, sys
assert json.load(open(sys.argv[1])) == json.load(open(sys.argv[2]))
' "$tmp/out" "$tmp/legacy.json"
fi
run 0 -j -- status
run 0 -V
expect_out "^vcryptctl [0-9]+\.[0-9]+ \(vcrypt ABI 1\.1\)$"
run 2 -j
expect_err "^vcryptctl: missing COMMAND$"
run 2 -x status
expect_err "^vcryptctl: unknown option '-x'$"
run 2 -j frob
expect_err "^vcryptctl: unknown command 'frob'$"
run 2 -j status -i 0
expect_err "^vcryptctl: status: interval 0 is out of range"

# Metrics in the Prometheus text format, checked by promcheck.py
run 0 metrics
cp "$tmp/out" "$tmp/metrics"
# refuses FILE: promcheck.py must find a problem in FILE
refuses() {
	if python3 "$here/promcheck.py" "$2" >/dev/null; then
		not_ok "promcheck refuses $1"
	else
		ok "promcheck refuses $1"
	fi
}
if command -v python3 >/dev/null; then
	check "metrics pass promcheck" python3 "$here/promcheck.py" \
		"$tmp/metrics"
	printf '# HELP a_total x\n# TYPE a_total counter\na_total 1\na_total 2\n' \
		>"$tmp/bad"
	refuses "a series twice" "$tmp/bad"
	printf '# HELP a x\n# TYPE a counter\na 1\n' >"$tmp/bad"
	refuses "a counter without _total" "$tmp/bad"
	printf '# HELP a x\n# TYPE a gauge\n# HELP b x\n# TYPE b gauge\nb 1\na{x="1"} 1\n' \
		>"$tmp/bad"
	refuses "families apart" "$tmp/bad"
	printf '# HELP a x\n# TYPE a gauge\na{x="\\q"} 1\n' >"$tmp/bad"
	refuses "a bad escape" "$tmp/bad"
	printf '# HELP a x\n# TYPE a gauge\na{x="1",x="2"} 1\n' >"$tmp/bad"
	refuses "a label twice" "$tmp/bad"
	printf '# HELP a x\n# TYPE a gauge\na 1x\n' >"$tmp/bad"
	refuses "a value that is not a float" "$tmp/bad"
	printf 'a 1\n' >"$tmp/bad"
	refuses "a sample without TYPE" "$tmp/bad"
	printf '# HELP a x\n# TYPE a gauge\na 1' >"$tmp/bad"
	refuses "a last line without newline" "$tmp/bad"
fi
l0='card="0000:00:03.0",slice="0",node="/dev/vcrypt0"'
lh='card="0000:00:03.0",slice="host",node="vcrypt-host0"'
l256='card="0000:00:04.0",slice="0",node="/dev/vcrypt256"'
c3='card="0000:00:03.0"'
for line in "vcrypt_card_info{$c3,index=\"0\",scheduler=\"wfq\"} 1" \
	    "vcrypt_card_slices{$c3} 4" \
	    "vcrypt_card_slices{card=\"0000:00:04.0\"} 3" \
	    "vcrypt_card_operations_total{$c3} 6000" \
	    "vcrypt_card_bytes_total{$c3} 6291456" \
	    "vcrypt_card_errors_total{$c3} 1" \
	    "vcrypt_card_queued_requests{$c3} 12" \
	    "vcrypt_card_in_flight_requests{$c3} 17" \
	    "vcrypt_card_card_time_seconds_total{$c3} 0.000002800" \
	    "vcrypt_slice_weight{$l0} 100" \
	    "vcrypt_slice_weight{$lh} 100" \
	    "vcrypt_slice_weight{$l256} 7" \
	    "vcrypt_slice_open_files{$l0} 1" \
	    "vcrypt_slice_max_files{$l0} 64" \
	    "vcrypt_slice_max_bytes{$l0} 67108864" \
	    "vcrypt_slice_outstanding_bytes{$l0} 1572864" \
	    "vcrypt_slice_queued_requests{$l0} 2" \
	    "vcrypt_slice_queued_requests{$lh} 4" \
	    "vcrypt_slice_in_flight_requests{$l0} 3" \
	    "vcrypt_slice_operations_total{$l0} 1000" \
	    "vcrypt_slice_operations_total{$lh} 2000" \
	    "vcrypt_slice_bytes_total{$l0} 1048576" \
	    "vcrypt_slice_errors_total{$lh} 1" \
	    "vcrypt_slice_card_time_seconds_total{$l0} 0.000000600" \
	    "vcrypt_slice_card_time_seconds_total{$lh} 0.000001200" \
	    "vcrypt_host_transforms{$lh} 3" \
	    "vcrypt_host_backlogged_total{$lh} 12" \
	    "vcrypt_host_fallback_operations_total{$lh} 1"; do
	if grep -q -x -F -- "$line" "$tmp/metrics"; then
		ok "metrics: $line"
	else
		not_ok "metrics: $line"
	fi
done
if grep -q "vcrypt_slice_open_files{$lh}" "$tmp/metrics" ||
   grep -q "vcrypt_slice_max_[a-z]*{$lh}" "$tmp/metrics" ||
   grep -q "^vcrypt_[a-z_]*utilization" "$tmp/metrics" ||
   grep -q "^vcrypt_card_recoveries" "$tmp/metrics"; then
	not_ok "no open files of a host slice, utilization or recoveries"
else
	ok "no open files of a host slice, utilization or recoveries"
fi
# Utilization over an interval: card time used / time
(sleep 0.5; echo 500600 >"$fake/class/vcrypt/vcrypt0/card_time_ns"
 echo 250001200 >"$fake/class/vcrypt/vcrypt-host0/card_time_ns") &
run 0 metrics -i 1
wait
expect_out "^vcrypt_card_utilization_ratio\{$c3\} 0\.250500$"
expect_out "^vcrypt_slice_utilization_ratio\{$l0\} 0\.000500$"
expect_out "^vcrypt_slice_utilization_ratio\{$lh\} 0\.250000$"
expect_out "^vcrypt_slice_utilization_ratio\{$l256\} 0\.000000$"
if command -v python3 >/dev/null; then
	check "metrics -i pass promcheck" python3 "$here/promcheck.py" "$tmp/out"
fi
# The driver's recovery counter, once a card has it
echo 3 >"$fake/bus/pci/devices/0000:00:03.0/vcrypt_card/recoveries"
run 0 metrics
expect_out "^vcrypt_card_recoveries_total\{$c3\} 3$"
if grep -q 'recoveries_total{card="0000:00:04.0"}' "$tmp/out"; then
	not_ok "no recoveries of a card without the counter"
else
	ok "no recoveries of a card without the counter"
fi
rm "$fake/bus/pci/devices/0000:00:03.0/vcrypt_card/recoveries"
# For the textfile collector: written whole, then renamed
run 0 metrics -o "$tmp/vcrypt.prom"
if [ -s "$tmp/vcrypt.prom" ] && ! ls "$tmp" | grep -q 'vcrypt.prom.tmp' &&
   grep -q "^vcrypt_card_info" "$tmp/vcrypt.prom" && [ ! -s "$tmp/out" ]; then
	ok "metrics -o writes the file and nothing else"
else
	not_ok "metrics -o writes the file and nothing else"
fi
run 1 metrics -o "$tmp/no/such/dir/vcrypt.prom"
expect_err "vcrypt\.prom\.tmp\.[0-9]+: No such file or directory"
run 2 metrics -o
expect_err "^vcryptctl: metrics: -o needs FILE$"
run 2 metrics -i x
run 2 metrics extra
expect_err "unexpected argument 'extra'"
run 2 metrics -q
expect_err "unknown option '-q'"

# A CDI spec naming every slice as vcrypt.io/slice=N
run 0 cdi
cp "$tmp/out" "$tmp/cdi.json"
if command -v python3 >/dev/null; then
	check "the CDI spec holds every slice" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert d["cdiVersion"] == "0.3.0" and d["kind"] == "vcrypt.io/slice", d
names = [x["name"] for x in d["devices"]]
assert names == ["0", "1", "2", "3", "256"], names
for x in d["devices"]:
	n = int(x["name"])
	assert x["containerEdits"] == {"deviceNodes": [{
		"path": "/dev/vcrypt%d" % n, "type": "c", "major": 240,
		"minor": n, "permissions": "rw"}]}, x
assert set(d) == {"cdiVersion", "kind", "devices"}, d
' "$tmp/cdi.json"
fi
run 0 cdi -o "$tmp/vcrypt.json"
if cmp -s "$tmp/vcrypt.json" "$tmp/cdi.json"; then
	ok "cdi -o writes the spec"
else
	not_ok "cdi -o writes the spec"
fi
run 2 cdi extra
run 2 cdi --output=
mv "$fake/class/vcrypt/vcrypt1/dev" "$tmp/dev1"
run 1 cdi -o "$tmp/vcrypt.json"
expect_err "vcrypt1/dev: No such file or directory"
if ls "$tmp" | grep -q 'vcrypt.json.tmp'; then
	not_ok "a failed cdi -o leaves no temporary file"
else
	ok "a failed cdi -o leaves no temporary file"
fi
mv "$tmp/dev1" "$fake/class/vcrypt/vcrypt1/dev"

# Owner: the node of the slice, and only it (VCRYPTCTL_DEV: a fake /dev)
run 2 owner 1
expect_err "needs SLICE and OWNER\[:GROUP\]"
run 2 owner host 0
expect_err "the host slice has no node"
run 2 owner x 0
expect_err "'x' is not a slice"
run 2 owner 1 "a b"
expect_err "'a b' is not OWNER\[:GROUP\]"
run 2 owner 1 "alice:"
run 2 owner 1 ":"
run 2 owner 1 0 -m 0777
expect_err "mode '0777' is not octal read and write bits"
run 2 owner 1 0 -m 66x
run 2 owner 1 0 -m 4660
run 2 owner 1 0 0
expect_err "unexpected argument '0'"
# expect_stat FILE "UID:GID MODE"
expect_stat() {
	got=$(stat -c '%u:%g %a' "$1")
	if [ "$got" = "$2" ]; then
		ok "$1 is $2"
	else
		not_ok "$1 is $2 (got $got)"
	fi
}
if [ "$(id -u)" -eq 0 ] && mkdir -p "$tmp/dev" &&
   mknod -m 0600 "$tmp/dev/vcrypt1" c 240 1 2>/dev/null &&
   mknod -m 0644 "$tmp/dev/vcrypt2" c 240 7 &&
   mknod -m 0644 "$tmp/dev/vcrypt3" c 240 3; then
	VCRYPTCTL_DEV=$tmp/dev
	export VCRYPTCTL_DEV
	run 0 owner 1 4321:8765 -m 0660
	expect_stat "$tmp/dev/vcrypt1" "4321:8765 660"
	run 0 owner vcrypt1 root
	expect_stat "$tmp/dev/vcrypt1" "0:8765 660"
	run 0 owner /dev/vcrypt1 :root --mode=0600
	expect_stat "$tmp/dev/vcrypt1" "0:0 600"
	run 0 owner 3 :42
	expect_stat "$tmp/dev/vcrypt3" "0:42 644"
	run 1 owner 2 42
	expect_err "vcrypt2 is not the node of slice vcrypt2 \(240:2\)"
	expect_stat "$tmp/dev/vcrypt2" "0:0 644"
	run 1 owner 0 42
	expect_err "vcrypt0: No such file or directory"
	run 1 owner 9 42
	expect_err "no slice vcrypt9"
	run 1 owner 1 no-such-user-here
	expect_err "no user no-such-user-here"
	run 1 owner 1 :no-such-group-here
	expect_err "no group no-such-group-here"
	unset VCRYPTCTL_DEV
else
	skip "owner on a fake node" "needs root for mknod"
fi

# udev: the card and index of a slice, and its owner from the owners file
VCRYPTCTL_OWNERS=$tmp/owners
export VCRYPTCTL_OWNERS
run 0 udev vcrypt1
expect_out "^VCRYPT_CARD=0000:00:03\.0$"
expect_out "^VCRYPT_SLICE=1$"
if [ "$(wc -l <"$tmp/out")" -eq 2 ]; then
	ok "no owners file: no owner"
else
	not_ok "no owners file: no owner"
fi
cat >"$tmp/owners" <<'OWNERS'
# SLICE          OWNER[:GROUP]        [MODE]
0000:00:03.0/1   libvirt-qemu:kvm     0660
vcrypt1          nobody
/dev/vcrypt2     :tenant-b            0660
3                alice
0000:00:04.0/0   svc
OWNERS
run 0 udev vcrypt1
expect_out "^VCRYPT_OWNER=libvirt-qemu$"
expect_out "^VCRYPT_GROUP=kvm$"
expect_out "^VCRYPT_MODE=0660$"
run 0 udev vcrypt2
expect_out "^VCRYPT_GROUP=tenant-b$"
if grep -q OWNER "$tmp/out"; then
	not_ok "a group alone sets no owner"
else
	ok "a group alone sets no owner"
fi
run 0 udev vcrypt3
expect_out "^VCRYPT_OWNER=alice$"
run 0 udev vcrypt256
expect_out "^VCRYPT_CARD=0000:00:04\.0$"
expect_out "^VCRYPT_SLICE=0$"
expect_out "^VCRYPT_OWNER=svc$"
run 0 udev vcrypt0
if grep -q -E "OWNER|GROUP|MODE" "$tmp/out"; then
	not_ok "a slice the file does not name keeps the defaults"
else
	ok "a slice the file does not name keeps the defaults"
fi
for bad in "1 alice 0777" "1 a\"b" "1" "x alice" "0000:00:03.0/256 alice" \
	   "host alice" "1 alice 0660 extra" "1 ;rm" "1 alice:\$x"; do
	printf '%s\n' "$bad" >"$tmp/owners"
	run 1 udev vcrypt1
	expect_err "owners:1: not SLICE OWNER\[:GROUP\] \[MODE\]"
done
run 2 udev
run 2 udev vcrypt-host0
run 2 udev sda
run 1 udev vcrypt77
unset VCRYPTCTL_OWNERS

# Garbage in sysfs is reported, not shown.
echo bogus >"$fake/class/vcrypt/vcrypt2/queued"
run 1 status
expect_err "vcrypt2/queued: not a number"
echo 2 >"$fake/class/vcrypt/vcrypt2/queued"

# Another user than root: the counters are root's (0400), the rest is
# there (weights, limits), shares are unknown, and a note says why.
if [ "$(id -u)" -eq 0 ] && command -v setpriv >/dev/null; then
	chmod 755 "$tmp"
	find "$fake" -type d -exec chmod 755 {} +
	find "$fake" -type f -exec chmod 644 {} +
	for a in open_files outstanding_bytes queued in_flight completed_ops \
		 completed_bytes errors card_time_ns transforms backlogged \
		 fallback_ops; do
		find "$fake" -name "$a" -type f -exec chmod 400 {} +
	done
	nobody="setpriv --reuid=65534 --regid=65534 --clear-groups"
	rc=0
	VCRYPTCTL_SYSFS=$fake $nobody "$tool" status >"$tmp/out" \
		2>"$tmp/err" || rc=$?
	if [ "$rc" -eq 0 ]; then
		ok "status as nobody exits 0"
	else
		not_ok "status as nobody exits 0 (got $rc: $(cat "$tmp/err"))"
	fi
	expect_out "^ +0 +/dev/vcrypt0 +100 +-/64 +-/64M +- +- +- +- +- +-$"
	expect_out "^ +host +vcrypt-host0 +100 +- +- +- +- +- +- +- +-$"
	expect_out "^ +crypto API: - transforms, - backlogged, - fallback ops$"
	expect_out "^- : only root may read the slices' counters$"
	rc=0
	VCRYPTCTL_SYSFS=$fake $nobody "$tool" status -j >"$tmp/out" \
		2>"$tmp/err" || rc=$?
	if [ "$rc" -eq 0 ]; then
		ok "status -j as nobody exits 0"
	else
		not_ok "status -j as nobody exits 0 (got $rc: $(cat "$tmp/err"))"
	fi
	if command -v python3 >/dev/null; then
		check "JSON as nobody has nulls for the counters" python3 -c '
import json, sys
c = json.load(open(sys.argv[1]))["cards"][0]
assert c["card_time_ns"] is None
s = c["slices"][0]
assert (s["weight"], s["max_files"], s["max_bytes"]) == (100, 64, 67108864)
for k in ("open_files", "outstanding_bytes", "queued", "in_flight",
	  "completed_ops", "completed_bytes", "errors", "card_time_ns",
	  "share_pct"):
	assert s[k] is None, k
assert c["host"]["weight"] == 100 and c["host"]["fallback_ops"] is None
' "$tmp/out"
	fi
	# metrics: what nobody can read, no sample for the rest, a note
	rc=0
	VCRYPTCTL_SYSFS=$fake $nobody "$tool" metrics >"$tmp/out" \
		2>"$tmp/err" || rc=$?
	if [ "$rc" -eq 0 ]; then
		ok "metrics as nobody exits 0"
	else
		not_ok "metrics as nobody exits 0 (got $rc: $(cat "$tmp/err"))"
	fi
	expect_out "^vcrypt_slice_weight\\{$l0\\} 100$"
	expect_out "^vcrypt_slice_max_files\\{$l0\\} 64$"
	expect_out "^vcrypt_card_slices\\{$c3\\} 4$"
	expect_err "^vcryptctl: metrics: only root may read the slices' counters: those are left out$"
	if grep -E '^vcrypt_[a-z_]+\{' "$tmp/out" |
	   grep -q -v -E '^vcrypt_(card_info|card_slices|slice_weight|slice_max_files|slice_max_bytes)\{'; then
		not_ok "metrics as nobody: only info, slices, weights and limits"
	else
		ok "metrics as nobody: only info, slices, weights and limits"
	fi
	if command -v python3 >/dev/null; then
		check "metrics as nobody pass promcheck" python3 \
			"$here/promcheck.py" "$tmp/out"
	fi
	rc=0
	VCRYPTCTL_SYSFS=$fake $nobody "$tool" limit 0 files 2 \
		>"$tmp/out" 2>"$tmp/err" || rc=$?
	if [ "$rc" -eq 1 ] && grep -q "Permission denied (needs root)" "$tmp/err"; then
		ok "limit as nobody: Permission denied"
	else
		not_ok "limit as nobody: Permission denied (got $rc: $(cat "$tmp/err"))"
	fi
	chmod -R u+rwX "$fake"
else
	skip "status as another user" "not root, or no setpriv"
fi

tap_end
