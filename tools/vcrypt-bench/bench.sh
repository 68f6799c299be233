#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# bench.sh: the scenarios of "make bench", run inside the test guest
# (busybox sh) by tests/vm/vm-run.sh with SCRIPT=tools/vcrypt-bench/bench.sh.
# tools/vcrypt-bench/report.sh runs it and turns its output into
# Documentation/bench/report.md; Documentation/bench.rst describes the
# scenarios.
#
# Output: the records of vcrypt-bench (tab-separated, the second column is
# the scenario label "<phase>/<scenario>/<variant>"), plus
#   info   env  KEY VALUE          the guest, the card, the module
#   memslice LABEL ...             kernel memory of the slices
#   tcrypt LABEL ...               one speed row of the kernel's tcrypt
#   kapiops LABEL ...              what one tcrypt run sent to the card
#   phase  LABEL SCHED OPS BYTES   a phase starts: scheduler and card rates
#   skip   LABEL REASON            a phase or scenario was not run
#   @@run LABEL COMMAND            a scenario starts
#   @@rate OPS BYTES               asks the host to set the card's rates
#                                  (report.sh does it through QMP; without
#                                  it the phases that need it are skipped)
#   @@end STATUS                   the end
# Exits 0 if every scenario ran and no request failed, else 1.
#
# Environment (vm-run passes none to the guest: set it at the top of a copy
# of this script, as report.sh does for BENCH_ONLY):
#   BENCH_QUICK=1     every run 1 or 2 s long, to check the script itself
#   BENCH_ONLY=LIST   only these scenarios (names of the functions below:
#                     memslice util fair workcons isolation isolation1
#                     overhead scale util_inflight kapi), for development

set -u

B=vcrypt-bench
KO=${VCRYPT_KO:-/lib/modules/vcrypt/vcrypt.ko}
QUICK=${BENCH_QUICK:-}
ONLY=${BENCH_ONLY:-}
TCRYPT=/lib/modules/vcrypt/tcrypt.ko
HOST=/sys/class/vcrypt/vcrypt-host0
status=0

# Card rates of the phases. "main": the rates the guest was started with
# (report.sh: a tenth of the card's defaults, so that the card and not the
# emulated CPU is the bottleneck); "default": the card's own defaults;
# "zero": no rate limit, which leaves only the software path.
DEF_OPS=20000
DEF_BYTES=100000000

# Durations, seconds
# T: fairness, work conservation (stop at TW), isolation alone, scale;
# TI: isolation with neighbours; TS: utilization, overhead; W: warm-up;
# TK, WK: each size of the crypto API comparison (tcrypt's sec=TK)
if [ -n "$QUICK" ]; then
	T=2 TW=1 TI=2 TS=1 W=0.5
else
	T=10 TW=5 TI=20 TS=5 W=1
fi
TK=1 WK=0.2
# Period of vcrypt-bench's jitter probe, us
J=2000

MIX=64-64K

say() {
	printf '%s\n' "$*"
}

info() {
	printf 'info\tenv\t%s\t%s\n' "$1" "$2"
}

fail() {
	say "bench: $*" >&2
	status=1
}

# only SCENARIO...: true if BENCH_ONLY is empty or names one of them
only() {
	[ -z "$ONLY" ] && return 0
	for o in "$@"; do
		case " $ONLY " in *" $o "*) return 0 ;; esac
	done
	return 1
}

card_pci() {
	basename "$(readlink /sys/class/vcrypt/vcrypt0/device)"
}

stats() {
	cat "/sys/kernel/debug/vcrypt/$(card_pci)/stats"
}

# load PARAM...: (re)load the driver with these parameters
load() {
	n=0
	rmmod vcrypt 2>/dev/null
	if ! insmod "$KO" "$@"; then
		fail "insmod $* failed"
		return 1
	fi
	# devtmpfs creates the nodes; wait for the last slice's
	want=4
	for p in "$@"; do
		case $p in slices=*) want=${p#slices=} ;; esac
	done
	[ "$want" -eq 0 ] && return 0
	while [ ! -e "/dev/vcrypt$((want - 1))" ] && [ $n -lt 50 ]; do
		sleep 0.1
		n=$((n + 1))
	done
	[ -e "/dev/vcrypt$((want - 1))" ] || fail "no /dev/vcrypt$((want - 1))"
}

# rate OPS BYTES: have the host set the card's rates; false if it did not
# (then later calls give up at once)
no_rate=
rate() {
	[ -n "$no_rate" ] && return 1
	say "@@rate $1 $2"
	n=0
	while [ $n -lt 100 ]; do
		if stats | awk -v o="$1" -v b="$2" '
			$1 == "card_rate_ops" { ro = $2 }
			$1 == "card_rate_bytes" { rb = $2 }
			END { exit !(ro == o && rb == b) }'; then
			return 0
		fi
		sleep 0.2
		n=$((n + 1))
	done
	no_rate=1
	return 1
}

# phase LABEL SCHED: load the driver with scheduler SCHED, say so
phase() {
	load slices=64 sched="$2" || return 1
	set -- "$1" "$2" "$(stats | awk '$1 == "card_rate_ops" { print $2 }')" \
		"$(stats | awk '$1 == "card_rate_bytes" { print $2 }')"
	printf 'phase\t%s\t%s\t%s\t%s\n' "$1" \
		"$(cat /sys/module/vcrypt/parameters/sched)" "$3" "$4"
}

# run LABEL ARGS...: one vcrypt-bench run
run() {
	label=$1
	shift
	say "@@run $label $B $*"
	$B -l "$label" "$@" 2>&1 || fail "$label: vcrypt-bench failed"
}

# Utilization: N slices, each kept backlogged, the size mix
util() {
	for n in ${2:-1 2 8 64}; do
		run "$1/util${3:-}/$n" -n "$n" -f 1 -q 16 -s "$MIX" -t "$TS" \
			-W "$W" -K -J "$J"
	done
}

# Utilization again with the card's inflight_us scaled by the ratio of
# the card's default to its main rate, which keeps as many requests on the
# card as the default inflight_us does at the default rates: how much of
# the card's idle time that bound explains (a sensitivity check)
util_inflight() {
	p=/sys/bus/pci/devices/$(card_pci)/vcrypt_card/inflight_us
	old=$(cat $p)
	[ "$MAIN_OPS" -gt 0 ] || return 0
	new=$((old * DEF_OPS / MAIN_OPS))
	info inflight_scaled_us "$new"
	echo "$new" >$p
	util "$1" "1 8" "-inflightx"
	echo "$old" >$p
}

# Fairness: weights 1:2:3:4, all backlogged, the size mix
fair() {
	run "$1/fair/1234" -n 4 -w 1,2,3,4 -f 2 -q 32 -s "$MIX" -t "$T" \
		-W "$W"
}

# Work conservation: as fairness, slices 0 and 1 stop half way
workcons() {
	run "$1/wc/1234" -f 2 -q 32 -s "$MIX" -t "$T" -W "$W" -K \
		name=stop,dev=0-1,weight=1:2,stop="$TW" \
		name=stay,dev=2-3,weight=3:4
}

# Isolation: a light tenant alone, then with three noisy neighbours
isolation() {
	run "$1/iso/alone" -c -K -J "$J" -t "$T" -W "$W" \
		name=light,dev=0,depth=1,size=4K
	run "$1/iso/noisy" -c -K -J "$J" -t "$TI" -W "$W" \
		name=light,dev=0,depth=1,size=4K \
		name=noisy,dev=1-3,depth=64,size=64K
}

# The same with one noisy neighbour: what the card and the requests kept
# on it cost the light tenant without the scheduler's ties (see the report)
isolation1() {
	run "$1/iso/noisy1" -c -K -J "$J" -t "$T" -W "$W" \
		name=light,dev=0,depth=1,size=4K \
		name=noisy,dev=1,depth=64,size=64K
}

# Overhead: one slice, one file, depth 1 and 64, three sizes
overhead() {
	for q in 1 64; do
		for s in 64 4K 64K; do
			run "$1/ovh/q$q/$s" -n 1 -q "$q" -s "$s" -t "$TS" \
				-W "$W" -K -J "$J"
		done
	done
}

# tcrypt LABEL PARAM...: load tcrypt.ko once with these parameters and
# print its speed rows ("tcrypt" records; ahash rows only where one
# update is the whole block, that is crypto_ahash_digest(), which runs on
# the card) and what the host slice and the card counted meanwhile
# ("kapiops"); the rows also go to /tmp/tcrypt.tsv. tcrypt's init always
# fails (EAGAIN, 11) once its tests ran. busybox insmod then retries with
# init_module(2), which runs every test a second time, so perl makes the
# one finit_module(2) call (313 on x86_64).
tcrypt() {
	label=$1
	shift
	sec=1
	for p in "$@"; do
		case $p in sec=*) sec=${p#sec=} ;; esac
	done
	say "@@run $label tcrypt $*"
	dmesg -c >/dev/null
	c0=$(cat $HOST/completed_ops)
	f0=$(cat $HOST/fallback_ops)
	k0=$(stats | awk '$1 == "card_ops" { print $2 }')
	t0=$(date +%s)
	perl -e 'open(my $f, "<", $ARGV[0]) or die "$ARGV[0]: $!\n";
		syscall(313, fileno($f), $ARGV[1], 0) == 0 or
			$! + 0 == 11 or die "finit_module: $!\n";' "$TCRYPT" "$*" ||
		fail "$label: tcrypt.ko $* could not be loaded"
	t1=$(date +%s)
	c1=$(cat $HOST/completed_ops)
	f1=$(cat $HOST/fallback_ops)
	k1=$(stats | awk '$1 == "card_ops" { print $2 }')
	printf '#kapiops\tlabel\tparams\twall_s\tcompleted_ops\tfallback_ops\tcard_ops\n'
	printf 'kapiops\t%s\t%s\t%s\t%s\t%s\t%s\n' "$label" "$*" \
		$((t1 - t0)) $((c1 - c0)) $((f1 - f0)) $((k1 - k0))
	printf '#tcrypt\tlabel\talg\tdriver\top\tsize\tops\tsecs\tops_s\tbytes_s\n'
	dmesg | awk -v l="$label" -v sec="$sec" '
		function row(s) {
			$0 = s
			# skcipher: "test 0 (128 bit key, 16 byte blocks): 5658
			# operations in 1 seconds (90528 bytes)"
			if (/byte blocks\): +[0-9]+ operations in/) {
				sub(/.* key, /, "")
				n = $1; ops = $4; s = $7
				printf "tcrypt\t%s\t%s\t%s\t%s\t%d\t%d\t%d\t%.1f\t%.0f\n",
					l, alg, drv, op, n, ops, s, ops / s,
					ops * n / s
				return
			}
			# ahash: "test  0 (   16 byte blocks,   16 bytes per
			# update,   1 updates):   6207 opers/sec,     99312
			# bytes/sec", rates over its sec seconds; only the
			# digest rows
			if (!/bytes per update.*opers\/sec/)
				return
			sub(/^test +[0-9]+ \( */, "")
			gsub(/[(),:]/, " ")
			if ($1 != $4 || $8 != 1)
				return
			printf "tcrypt\t%s\t%s\t%s\t%s\t%d\t%d\t%d\t%.1f\t%.0f\n",
				l, alg, drv, op, $1, $10 * sec, sec, $10, $12
		}
		{ sub(/\r$/, ""); sub(/^\[[ 0-9.]*\] */, "") }
		/^tcrypt: testing speed of / {
			sub(/^tcrypt: /, "")
			alg = $(NF - 1); drv = $NF; op = "digest"
			if ($NF ~ /^(en|de)cryption$/) {
				alg = $(NF - 2); drv = $(NF - 1); op = $NF
			}
			gsub(/[()]/, "", drv)
			next
		}
		# A row is printed in two parts, which other messages may
		# separate
		/^tcrypt: test / {
			sub(/^tcrypt: /, "")
			pend = $0
		}
		pend != "" && /(operations in|opers\/sec)/ {
			if (index($0, pend) != 1)
				pend = pend " " $0
			row(pend)
			pend = ""
		}' >/tmp/tcrypt.tsv
	cat /tmp/tcrypt.tsv
}

# Crypto API path against /dev/vcrypt0, one request at a time on each:
# tcrypt's multibuffer skcipher test of cbc(aes) with a 128-bit key and one
# buffer (num_mb=1), then vcrypt-bench with one slice, one file, depth 1,
# AES-CBC encryption at the sizes tcrypt used; then the same for the
# digest rows of tcrypt's ahash test of sha256. Only these two tcrypt modes
# take alg= for an asynchronous driver in Linux 6.12 (the others, 500
# included, run their whole fixed list)
kapi() {
	if [ ! -r "$TCRYPT" ] || ! command -v perl >/dev/null ||
	   [ "$(uname -m)" != x86_64 ] || [ ! -r $HOST/completed_ops ]; then
		printf 'skip\t%s/kapi\tno tcrypt.ko, perl, x86_64 or host slice\n' "$1"
		return
	fi
	kt0=$(date +%s)
	for a in aes-cbc sha256; do
		case $a in
		aes-cbc)
			tcrypt "$1/kapi/tcrypt/$a" mode=600 "alg=cbc(aes)" \
				klen=16 num_mb=1 sec="$TK"
			op=encryption
			;;
		sha256)
			tcrypt "$1/kapi/tcrypt/$a" mode=400 alg=sha256 \
				sec="$TK"
			op=digest
			;;
		esac
		awk -F'\t' -v op="$op" '$1 == "tcrypt" && $5 == op {
			print $6 }' /tmp/tcrypt.tsv >/tmp/kapi-sizes
		while read -r s; do
			run "$1/kapi/dev/$a/$s" -a "$a" -n 1 -q 1 -s "$s" \
				-t "$TK" -W "$WK" -K -J "$J" </dev/null
		done </tmp/kapi-sizes
	done
	info kapi_wall_s $(($(date +%s) - kt0))
}

# Scale: 64 slices x 16 open files, and the kernel memory they take
scale() {
	run "$1/scale/64x16" -m -n 64 -f 16 -q 2 -s "$MIX" -t "$T" -W "$W" -K
}

# Slab objects (active, size with debug, payload size) into FILE
slab_snap() {
	awk 'NR > 2 {
		os = 0
		f = "/sys/kernel/slab/" $1 "/object_size"
		if ((getline os < f) <= 0)
			os = $4
		close(f)
		print $1, $2, $4, os
	}' /proc/slabinfo >"$1"
}

# memslice LABEL: kernel memory of 64 slices against none
memslice() {
	pci=
	load slices=0 || return
	for d in /sys/bus/pci/drivers/vcrypt/0000:*; do
		pci=$d
	done
	sleep 1
	slab_snap /tmp/slab0
	free0=$(awk '$1 == "MemFree:" { print $2 }' /proc/meminfo)
	if [ -n "$pci" ] && [ -w "$pci/vcrypt_card/slices" ]; then
		how=sysfs
		echo 64 >"$pci/vcrypt_card/slices" || fail "cannot set 64 slices"
	else
		how=reload
		load slices=64 || return
	fi
	sleep 1
	slab_snap /tmp/slab1
	free1=$(awk '$1 == "MemFree:" { print $2 }' /proc/meminfo)
	printf '#memslice\tlabel\tslices\thow\tslab_b\tpayload_b\tmemfree_b\tslab_per_slice_b\tpayload_per_slice_b\tmemfree_per_slice_b\n'
	awk -v l="$1" -v how="$how" -v f0="$free0" -v f1="$free1" '
		FNR == NR { a[$1] = $2; next }
		{ d = $2 - a[$1]; t += d * $3; p += d * $4 }
		END {
			m = (f0 - f1) * 1024
			printf "memslice\t%s\t64\t%s\t%d\t%d\t%d\t%.0f\t%.0f\t%.0f\n",
				l, how, t, p, m, t / 64, p / 64, m / 64
		}' /tmp/slab0 /tmp/slab1
}

# ---- the run ----

info kernel "$(uname -r)"
info cpus "$(grep -c ^processor /proc/cpuinfo)"
info cpu "$(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo)"
info mem_kib "$(awk '$1 == "MemTotal:" { print $2 }' /proc/meminfo)"
info cmdline "$(cat /proc/cmdline)"
for p in /sys/module/vcrypt/parameters/* \
	 "/sys/bus/pci/devices/$(card_pci)/vcrypt_card/inflight_us"; do
	info "param_${p##*/}" "$(cat "$p")"
done
stats | while read -r k v; do
	info "card_$k" "$v"
done | sed 's/card_card_/card_/'

MAIN_OPS=$(stats | awk '$1 == "card_rate_ops" { print $2 }')
MAIN_BYTES=$(stats | awk '$1 == "card_rate_bytes" { print $2 }')

# Kernel memory of the slices, before anything else ran
only memslice && memslice main

# Phases 1 and 2: the weighted scheduler and the FIFO baseline at the main
# rates, one scenario after the other under both, so that both see the same
# conditions on the host
for scenario in util fair workcons isolation; do
	only $scenario || continue
	for sched in wfq fifo; do
		phase "main-$sched" "$sched" || continue
		case $scenario in
		util) util "main-$sched" ;;
		fair) fair "main-$sched" ;;
		workcons) workcons "main-$sched" ;;
		isolation) isolation "main-$sched" ;;
		esac
	done
done
if only isolation1 overhead scale util_inflight && phase main-wfq wfq; then
	only isolation1 && isolation1 main-wfq
	only overhead && overhead main-wfq
	only scale && scale main-wfq
	only util_inflight && util_inflight main-wfq
fi

# Phase 3: the card's default rates (the TCG guest may not keep up)
if ! only util overhead; then
	:
elif load slices=64 && rate $DEF_OPS $DEF_BYTES; then
	if phase default-wfq wfq; then
		only util && util default-wfq
		only overhead && overhead default-wfq
	fi
else
	printf 'skip\tdefault-wfq\tthe host did not change the card rate\n'
fi

# Phase 4: no rate limit: what the software path alone can do, through
# /dev/vcryptN and through the crypto API
if ! only overhead kapi; then
	:
elif load slices=64 && rate 0 0; then
	if phase zero-wfq wfq; then
		only overhead && overhead zero-wfq
		only kapi && kapi zero-wfq
	fi
else
	printf 'skip\tzero-wfq\tthe host did not change the card rate\n'
fi

# Leave the card as it was
if [ "$MAIN_OPS" != "$DEF_OPS" ] || [ "$MAIN_BYTES" != "$DEF_BYTES" ]; then
	rate "$MAIN_OPS" "$MAIN_BYTES" >/dev/null
fi

say "@@end $status"
exit $status
