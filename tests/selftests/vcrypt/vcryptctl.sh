#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# vcryptctl against the driver: status (table and JSON) shows what sysfs
# holds, the card's host slice (vcrypt-host<c>, the kernel crypto API's
# share) included; weight and slices change sysfs as asked, whichever way
# the slice, host slice or card is named; limit sets a slice's max_files and
# max_bytes; every bad argument gives exit status 2 and a message, before
# sysfs is touched; an operation that fails gives 1 and a message; another
# user than root may look but not change (EACCES: run through nobody), and
# sees the weights and limits but none of the counters, which are root's.
# The global options, metrics and the CDI spec show what sysfs holds
# (metrics as another user leaves the counters out); owner gives a node to
# nobody, who can then open it.
#
# vcryptctl and nobody are taken from this script's directory, else PATH.
# Prints TAP; exits non-zero if a check failed.

set -u

here=$(dirname "$0")
ctl=vcryptctl
nobody=nobody
[ -x "$here/vcryptctl" ] && ctl=$here/vcryptctl
[ -x "$here/nobody" ] && nobody=$here/nobody
tmp=$(mktemp -d)
class=/sys/class/vcrypt
# the card's attribute group, below its PCI device
group=vcrypt_card
# shellcheck source-path=SCRIPTDIR source=tap.sh
. "$here/tap.sh"

# run STATUS ARGS...: vcryptctl ARGS exits with STATUS; output in
# $tmp/out, messages in $tmp/err
run() {
	want=$1
	shift
	rc=0
	"$ctl" "$@" >"$tmp/out" 2>"$tmp/err" || rc=$?
	if [ "$rc" -eq "$want" ]; then
		ok "vcryptctl $* exits $want"
	else
		not_ok "vcryptctl $* exits $want (got $rc: $(cat "$tmp/err"))"
	fi
}

# run_nobody STATUS ARGS...: the same as the user nobody
run_nobody() {
	want=$1
	shift
	rc=0
	"$nobody" "$ctl" "$@" >"$tmp/out" 2>"$tmp/err" || rc=$?
	if [ "$rc" -eq "$want" ]; then
		ok "as nobody: vcryptctl $* exits $want"
	else
		not_ok "as nobody: vcryptctl $* exits $want (got $rc: $(cat "$tmp/err"))"
	fi
}

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
		not_ok "output matches '$1' (got: $(head -c 2000 "$tmp/out"))"
	fi
}

# expect_file FILE VALUE
expect_file() {
	got=$(cat "$1" 2>&1)
	if [ "$got" = "$2" ]; then
		ok "$1 is $2"
	else
		not_ok "$1 is $2 (got '$got')"
	fi
}

expect_exists() {
	if [ -e "$1" ]; then
		ok "$1 exists"
	else
		not_ok "$1 exists"
	fi
}

expect_gone() {
	if [ ! -e "$1" ]; then
		ok "$1 is gone"
	else
		not_ok "$1 is gone"
	fi
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

echo "TAP version 13"
if ! bdf=$(find_card); then
	echo "Bail out! no vcrypt card (PCI 1234:7c01)"
	exit 1
fi
slices=/sys/bus/pci/devices/$bdf/$group/slices
if [ ! -e "$slices" ]; then
	echo "Bail out! no $slices"
	exit 1
fi
if ! command -v "$ctl" >/dev/null; then
	echo "Bail out! no vcryptctl"
	exit 1
fi
old=$(cat "$slices")
[ "$old" -lt 4 ] && echo 4 >"$slices"
cnt=$(cat "$slices")
# Slice s of the card is /dev/vcrypt<base + s>: base is 0 on the first card
base=0
for d in "$class"/vcrypt[0-9]*; do
	[ "$(basename "$(readlink -f "$d/device")")" = "$bdf" ] || continue
	base=$((${d##*/vcrypt} - $(cat "$d/slice")))
	break
done
# The card's host slice, vcrypt-host<c>: c is the card's number
card=$((base / 256))
host=$class/vcrypt-host$card
if [ ! -e "$host/weight" ]; then
	echo "Bail out! no $host/weight"
	exit 1
fi
old_host=$(cat "$host/weight")

cleanup() {
	echo "$cnt" >"$slices"
	for s in $(seq 0 $((cnt - 1))); do
		echo 100 >"$class/vcrypt$((base + s))/weight"
	done
	echo "$old" >"$slices"
	echo "$old_host" >"$host/weight"
	rm -rf "$tmp"
}
trap cleanup EXIT
for s in $(seq 0 $((cnt - 1))); do
	echo 100 >"$class/vcrypt$((base + s))/weight"
done
echo 100 >"$host/weight"
# The kernel may still be using the card through the crypto API (the
# crypto manager's tests): wait up to 10 s for the host slice to be idle,
# so that the shares checked below hold still.
i=0
while [ $i -lt 20 ]; do
	t=$(cat "$host/card_time_ns" "$host/queued" "$host/in_flight")
	sleep 0.5
	[ "$t" = "$(cat "$host/card_time_ns" "$host/queued" "$host/in_flight")" ] &&
		break
	i=$((i + 1))
done

# Help and version
run 0 --help
expect_out "^Usage: vcryptctl"
run 0 --version
expect_out "^vcryptctl [0-9.]+ \(vcrypt ABI 1\.1\)$"

# Status: the table, with what sysfs holds
sched=$(cat "/sys/bus/pci/devices/$bdf/$group/scheduler")
run 0 status
expect_out "^card $bdf( \(card [0-9]+\))?: scheduler $sched, $cnt slices"
for s in $(seq 0 $((cnt - 1))); do
	expect_out "^ +$s +/dev/vcrypt$((base + s)) +100 +0/64 +0/64M "
done
if grep -q "only root may read" "$tmp/out"; then
	not_ok "root reads every counter"
else
	ok "root reads every counter"
fi
# The host slice: a row after the slices, and its crypto API line
expect_out "^ +host +vcrypt-host$card +100 +- +- "
expect_out "^ +crypto API: [0-9]+ transforms?, [0-9]+ backlogged, [0-9]+ fallback ops?$"
if [ "$(awk -v last="/dev/vcrypt$((base + cnt - 1))" \
	'$2 == last { getline; print $1, $2 }' "$tmp/out")" = \
     "host vcrypt-host$card" ]; then
	ok "the host slice follows the card's slices"
else
	not_ok "the host slice follows the card's slices"
fi
run 0 status -i 1
expect_out "^ +host +vcrypt-host$card "
expect_out "share of card time over 1 s$"
run_nobody 0 status
expect_out "^card $bdf"
expect_out "^ +0 +/dev/vcrypt$base +100 +-/64 +-/64M +- +- +- +- +- +-$"
expect_out "^ +host +vcrypt-host$card +100 +- +- +- +- +- +- +- +-$"
expect_out "^- : only root may read the slices' counters$"

# Status: JSON, checked with what busybox has
run 0 status -j
expect_out "^\{$"
expect_out '"pci": "'"$bdf"'"'
expect_out '"scheduler": "'"$sched"'"'
expect_out '"nr_slices": '"$cnt"','
expect_out '"node": "/dev/vcrypt'"$base"'"'
for key in interval_s cards index card_time_ns slices slice weight \
	   max_files max_bytes open_files outstanding_bytes queued in_flight \
	   completed_ops completed_bytes errors share_pct host name \
	   transforms backlogged fallback_ops; do
	expect_out "\"$key\": "
done
expect_out '"host": \{$'
expect_out '"name": "vcrypt-host'"$card"'",'
expect_out '"transforms": [0-9]+,'
if [ "$(grep -c '"weight": ' "$tmp/out")" -eq $((cnt + 1)) ]; then
	ok "JSON has one weight per slice and one for the host slice"
else
	not_ok "JSON has one weight per slice and one for the host slice"
fi
if [ "$(tr -cd '{' <"$tmp/out" | wc -c)" -eq "$(tr -cd '}' <"$tmp/out" | wc -c)" ] &&
   [ "$(tr -cd '[' <"$tmp/out" | wc -c)" -eq "$(tr -cd ']' <"$tmp/out" | wc -c)" ] &&
   [ "$(tail -n1 "$tmp/out")" = "}" ]; then
	ok "JSON brackets balance"
else
	not_ok "JSON brackets balance"
fi
# Shares since load are card_time_ns over the card's sum, host slice
# included (all idle now).
total=$(cat "$host/card_time_ns")
for s in $(seq 0 $((cnt - 1))); do
	total=$((total + $(cat "$class/vcrypt$((base + s))/card_time_ns")))
done
t0=$(cat "$class/vcrypt$base/card_time_ns")
if [ "$total" -gt 0 ]; then
	want=$(awk -v a="$t0" -v t="$total" 'BEGIN { printf "%.2f", 100 * a / t }')
	expect_out "\"share_pct\": $want"
else
	expect_out '"share_pct": null'
fi
run 0 status -j -i 0.5
expect_out '"interval_s": 0\.500000000,'

# Weight: every way of naming the slice
run 0 weight "$base" 250
expect_file "$class/vcrypt$base/weight" 250
run 0 weight "vcrypt$((base + 1))" 300
expect_file "$class/vcrypt$((base + 1))/weight" 300
run 0 weight "/dev/vcrypt$((base + 2))" 10000
expect_file "$class/vcrypt$((base + 2))/weight" 10000
run 0 weight "$((base + 3))" 1
expect_file "$class/vcrypt$((base + 3))/weight" 1
run 0 status
expect_out "^ +0 +/dev/vcrypt$base +250 "
expect_out "^ +2 +/dev/vcrypt$((base + 2)) +10000 "

# Limits of a slice
run 0 limit "$((base + 1))" files 3
expect_file "$class/vcrypt$((base + 1))/max_files" 3
run 0 limit "/dev/vcrypt$((base + 1))" bytes 16M
expect_file "$class/vcrypt$((base + 1))/max_bytes" 16777216
run 0 status
expect_out "^ +1 +/dev/vcrypt$((base + 1)) +300 +0/3 +0/16M "
run 0 limit "vcrypt$((base + 1))" files 64
expect_file "$class/vcrypt$((base + 1))/max_files" 64
run 0 limit "$((base + 1))" bytes 64MiB
expect_file "$class/vcrypt$((base + 1))/max_bytes" 67108864

# Weight of the host slice: host (card 0), hostC, vcrypt-hostC
if [ "$card" -eq 0 ]; then
	run 0 weight host 250
	expect_file "$host/weight" 250
fi
run 0 weight "host$card" 300
expect_file "$host/weight" 300
run 0 weight "vcrypt-host$card" 10000
expect_file "$host/weight" 10000
run 0 weight -- "host$card" 1
expect_file "$host/weight" 1
run 0 status
expect_out "^ +host +vcrypt-host$card +1 +- "
run 0 weight "host$card" 100
expect_file "$host/weight" 100
# The weights of the slices did not change.
expect_file "$class/vcrypt$base/weight" 250

# Slices: the only card, by number, by address, by short address
run 0 slices $((cnt + 2))
expect_file "$slices" $((cnt + 2))
expect_exists "/dev/vcrypt$((base + cnt + 1))"
expect_file "$class/vcrypt$((base + cnt + 1))/weight" 100
run 0 slices "$cnt" -c $((base / 256))
expect_file "$slices" "$cnt"
expect_gone "/dev/vcrypt$((base + cnt))"
run 0 slices $((cnt + 1)) -c "$bdf"
expect_file "$slices" $((cnt + 1))
run 0 slices "$cnt" --card="${bdf#0000:}"
expect_file "$slices" "$cnt"
# The host slice is not a slice: it stays, and gives a card without slices
# its number.
run 0 slices 0
expect_file "$slices" 0
expect_exists "$host"
run 0 status
expect_out "^card $bdf \(card $card\): scheduler $sched, 0 slices"
expect_out "^ +host +vcrypt-host$card +100 "
if grep -q "no slices" "$tmp/out"; then
	not_ok "a card with only its host slice has a table"
else
	ok "a card with only its host slice has a table"
fi
run 0 status -j
expect_out '"index": '"$card"','
expect_out '"nr_slices": 0,'
expect_out '"name": "vcrypt-host'"$card"'",'
run 0 slices "$cnt" -c "$card"
expect_file "$slices" "$cnt"

# Usage errors: status 2, a message, sysfs untouched
echo 100 >"$class/vcrypt$base/weight"
# The quotes are part of the expected messages, not of the arguments.
# shellcheck disable=SC2089
for args in "weight $base 0|0 is out of range 1\.\.10000" \
	    "weight $base 10001|10001 is out of range 1\.\.10000" \
	    "weight $base -5|-5 is out of range 1\.\.10000" \
	    "weight $base abc|'abc' is not a number" \
	    "weight $base 1x|'1x' is not a number" \
	    "weight $base 0x10|'0x10' is not a number" \
	    "weight $base|needs SLICE and W" \
	    "weight x 5|'x' is not a slice" \
	    "weight /dev/sda 5|'/dev/sda' is not a slice" \
	    "weight 99999 0|0 is out of range" \
	    "weight host 0|0 is out of range 1\.\.10000" \
	    "weight host$card 10001|10001 is out of range 1\.\.10000" \
	    "weight vcrypt-host$card -5|-5 is out of range 1\.\.10000" \
	    "weight host abc|'abc' is not a number" \
	    "weight host|needs SLICE and W" \
	    "weight hostx 5|'hostx' is not a slice" \
	    "weight host-1 5|'host-1' is not a slice" \
	    "weight vcrypt-host 5|'vcrypt-host' is not a slice" \
	    "weight host4096 5|'host4096' is not a slice" \
	    "weight host77 0|0 is out of range" \
	    "slices|missing N" \
	    "slices 257|257 is out of range 0\.\.256" \
	    "slices -1|-1 is out of range 0\.\.256" \
	    "slices 4x|'4x' is not a number" \
	    "slices 4 -c zz|'zz' is not a card" \
	    "slices 4 -c|needs CARD" \
	    "status -i 0|interval 0 is out of range" \
	    "status -i x|not a number of seconds" \
	    "status -q|unknown option '-q'" \
	    "status extra|unexpected argument 'extra'" \
	    "limit $base files 0|0 is out of range 1\.\.4096" \
	    "limit $base bytes 4G|4G is out of range 1\.\.4294967295 bytes" \
	    "limit $base bytes 1T|'1T' is not a size" \
	    "limit $base frobs 1|'frobs' is not a limit" \
	    "limit host$card files 1|the host slice has no files" \
	    "frobnicate|unknown command 'frobnicate'"; do
	msg=${args#*|}
	# shellcheck disable=SC2086,SC2090 # the arguments are separate words
	run 2 ${args%%|*}
	expect_err "^vcryptctl: .*$msg"
done
run 2 weight "$base" ""
run 2 weight "host$card" ""
expect_file "$class/vcrypt$base/weight" 100
expect_file "$host/weight" 100
expect_file "$slices" "$cnt"

# Operations that fail: status 1 and the reason
run 1 weight 99999 100
expect_err "no slice vcrypt99999"
run 1 weight host77 100
expect_err "no host slice vcrypt-host77: no vcrypt card 77"
run 1 weight vcrypt-host4095 100
expect_err "no host slice vcrypt-host4095"
run 1 slices 4 -c 77
expect_err "no vcrypt card 77"
run 1 slices 4 -c 0000:00:1f.7
expect_err "no vcrypt card 0000:00:1f\.7"
run 1 limit 99999 files 3
expect_err "no slice vcrypt99999"

# Another user: EACCES, nothing changes; argument checks first
run_nobody 1 weight "$base" 200
expect_err "Permission denied \(needs root\)"
expect_file "$class/vcrypt$base/weight" 100
run_nobody 1 weight "host$card" 200
expect_err "setting the weight of vcrypt-host$card to 200: Permission denied \(needs root\)"
expect_file "$host/weight" 100
run_nobody 2 weight "host$card" 10001
run_nobody 0 status -j
expect_out '"name": "vcrypt-host'"$card"'",'
run_nobody 1 slices $((cnt + 1))
expect_err "Permission denied \(needs root\)"
expect_file "$slices" "$cnt"
run_nobody 1 slices 0
expect_file "$slices" "$cnt"
run_nobody 2 weight "$base" 0
run_nobody 1 limit "$base" files 1
expect_err "setting max_files of vcrypt$base to 1: Permission denied \(needs root\)"
expect_file "$class/vcrypt$base/max_files" 64

# Global options: -j compact JSON on one line, -j -p what status -j prints
run 0 -j status
if [ "$(wc -l <"$tmp/out")" -eq 1 ] && grep -q '"pci":"'"$bdf"'"' "$tmp/out"; then
	ok "-j status: one line of JSON"
else
	not_ok "-j status: one line of JSON"
fi
run 0 -j -p status
expect_out '^  "cards": \[$'

# Metrics: what sysfs holds, in the Prometheus text format
run 0 metrics
lbl="card=\"$bdf\",slice=\"0\",node=\"/dev/vcrypt$base\""
for attr in weight:vcrypt_slice_weight \
	    completed_ops:vcrypt_slice_operations_total \
	    completed_bytes:vcrypt_slice_bytes_total \
	    errors:vcrypt_slice_errors_total; do
	expect_out "^${attr#*:}\\{$lbl\\} $(cat "$class/vcrypt$base/${attr%%:*}")$"
done
expect_out "^vcrypt_card_slices\\{card=\"$bdf\"\\} $cnt$"
expect_out "^# TYPE vcrypt_card_card_time_seconds_total counter$"
expect_out "^vcrypt_slice_weight\\{card=\"$bdf\",slice=\"host\",node=\"vcrypt-host$card\"\\} "
run 0 metrics -i 0.5
expect_out "^vcrypt_card_utilization_ratio\\{card=\"$bdf\"\\} [01]\\.[0-9]{6}$"
# Another user: weights and limits; no counter sample, never a 0 for one
run_nobody 0 metrics -i 0.2
expect_out "^vcrypt_slice_weight\\{$lbl\\} 100$"
expect_out "^vcrypt_slice_max_files\\{$lbl\\} 64$"
expect_err "only root may read the slices' counters: those are left out"
if grep -q -E '^vcrypt_(slice|card)_(operations_total|bytes_total|errors_total|card_time_seconds_total|queued_requests|in_flight_requests|open_files|outstanding_bytes|utilization_ratio)\{' "$tmp/out"; then
	not_ok "as nobody: metrics has no counter samples"
else
	ok "as nobody: metrics has no counter samples"
fi

# The CDI spec: each slice's device number, as the kernel has it
run 0 cdi
dev=$(cat "$class/vcrypt$base/dev")
if awk -v name="\"$base\"," '$1 == "\"name\":" { d = ($2 == name) }
	d && $1 == "\"major\":" { maj = $2 + 0 }
	d && $1 == "\"minor\":" { print maj ":" $2 + 0; exit }' "$tmp/out" |
   grep -qx "$dev"; then
	ok "cdi: vcrypt.io/slice=$base is $dev"
else
	not_ok "cdi: vcrypt.io/slice=$base is $dev"
fi

# Owner: nobody cannot open a slice until its node is given to nobody
node=/dev/vcrypt$base
if "$nobody" sh -c "exec 3<>$node" 2>/dev/null; then
	not_ok "nobody cannot open $node (root 0600)"
else
	ok "nobody cannot open $node (root 0600)"
fi
run 0 owner "$base" 65534:65534 -m 0660
expect_file_stat() {
	got=$(stat -c '%u:%g %a' "$1")
	if [ "$got" = "$2" ]; then
		ok "$1 is $2"
	else
		not_ok "$1 is $2 (got $got)"
	fi
}
expect_file_stat "$node" "65534:65534 660"
if "$nobody" sh -c "exec 3<>$node"; then
	ok "nobody opens $node"
else
	not_ok "nobody opens $node"
fi
run_nobody 1 owner "$base" 0
expect_err "Operation not permitted"
run 0 owner "$base" 0:0 -m 0600
expect_file_stat "$node" "0:0 600"
run 1 owner 99999 0
expect_err "no slice vcrypt99999"

tap_end vcryptctl.sh
