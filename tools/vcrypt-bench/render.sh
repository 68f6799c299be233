#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# render.sh RAW_DIR OUT_DIR: write OUT_DIR/report.md and its plots from the
# output of a benchmark run that report.sh saved in RAW_DIR (raw.tsv: the
# guest's output; host.tsv: the host and the command). Needs gnuplot.
# Documentation/bench.rst describes the report.
#
# Exit status 0 if the report was written and no request failed.

set -euo pipefail

dir=$1
out=$2
raw=$dir/raw.tsv
host=$dir/host.tsv
pd=$dir/plot
md=$out/report.md
mkdir -p "$pd" "$out"

# ---- reading the raw output ----

# q KIND LABEL COLUMN [KEYCOLUMN KEYVALUE]: COLUMN of the KIND records of
# LABEL (by the names in the KIND header line), one per line
q() {
	awk -F'\t' -v k="$1" -v l="$2" -v c="$3" -v kc="${4:-}" -v kv="${5:-}" '
		$1 == "#" k { for (i = 1; i <= NF; i++) h[$i] = i; next }
		$1 == k && $2 == l && (kc == "" || $h[kc] == kv) { print $h[c] }
	' "$raw"
}

# q1: the first value, or "n/a"
q1() {
	local v

	v=$(q "$@" | head -n1)
	echo "${v:-n/a}"
}

hostv() {
	awk -F'\t' -v k="$1" '$1 == k { print $2; exit }' "$host"
}

envv() {
	awk -F'\t' -v k="$1" '$1 == "info" && $2 == "env" && $3 == k { print $4; exit }' "$raw"
}

# phasev PHASE FIELD: scheduler (3), rate_ops (4), rate_bytes (5)
phasev() {
	awk -F'\t' -v p="$1" -v f="$2" '$1 == "phase" && $2 == p { print $f; exit }' "$raw"
}

# calc EXPR: awk arithmetic, printed with %.Nf given as first argument
calc() {
	awk -v f="$1" "BEGIN { v = $2; printf \"%.\" f \"f\", v }"
}

isnum() {
	[[ $1 =~ ^-?[0-9]+(\.[0-9]+)?$ ]]
}

# verdict VALUE OP LIMIT: "met" or "**missed**" (or "n/a")
verdict() {
	if ! isnum "$1"; then
		echo "n/a"
	elif awk -v v="$1" -v l="$3" -v op="$2" 'BEGIN {
		exit !((op == ">=" && v >= l) || (op == "<=" && v <= l)) }'; then
		echo "met"
	else
		echo "**missed**"
	fi
}

# the lines of stdin that are numbers
nums() { awk '/^-?[0-9]+(\.[0-9]+)?$/'; }

# min / max of numbers on stdin
nmin() { awk 'NR == 1 || $1 < m { m = $1 } END { print (NR ? m : "n/a") }'; }
nmax() { awk 'NR == 1 || $1 > m { m = $1 } END { print (NR ? m : "n/a") }'; }

# Modelled card time of a request of LEN bytes at PHASE's rates, us
svc_us() {
	local ops bytes

	ops=$(phasev "$1" 4)
	bytes=$(phasev "$1" 5)
	awk -v o="${ops:-0}" -v b="${bytes:-0}" -v n="$2" 'BEGIN {
		t = (o ? 1e6 / o : 0) + (b ? n * 1e6 / b : 0); printf "%.1f", t }'
}

size_bytes() {
	case $1 in
	*K) echo $((${1%K} * 1024)) ;;
	*) echo "$1" ;;
	esac
}

# ---- plot data ----

# shares LABEL FILE: window end time, then each slice's share of card time,
# then the card's busy %
shares() {
	awk -F'\t' -v l="$1" '
		$1 == "window" && $2 == l {
			t[$3] = $5; s[$3, $6] = $13
			if (!($6 in seen)) { seen[$6] = 1; sl[ns++] = $6 }
			if ($3 > nw) nw = $3
		}
		$1 == "cardwin" && $2 == l { busy[$3] = $6 }
		END {
			for (w = 1; w <= nw; w++) {
				line = t[w]
				for (i = 0; i < ns; i++)
					line = line "\t" s[w, sl[i]]
				print line "\t" busy[w]
			}
		}' "$raw" >"$2"
}

# cdf LABEL FILE: the light tenant's latency distribution, starting at 0
cdf() {
	awk -F'\t' -v l="$1" '$1 == "cdf" && $2 == l && $4 == "light" {
		if (!n++) print $5 "\t" 0
		print $5 "\t" $6 }' "$raw" >"$2"
}

have_gnuplot=1
command -v gnuplot >/dev/null || have_gnuplot=

plot() {
	[ -n "$have_gnuplot" ] || return 0
	gnuplot 2>"$pd/gnuplot.err" || {
		echo "render: gnuplot failed:" >&2
		cat "$pd/gnuplot.err" >&2
	}
}

# ---- the numbers ----

status=0
errors=$(awk -F'\t' '$1 == "summary" { e += $NF } END { print e + 0 }' "$raw")
tool_errors=$(grep -c '^vcrypt-bench:\|^bench:' "$raw" || true)
kat_fail=$(awk -F'\t' '$1 == "kat" && $4 != "ok" && $4 != "skipped"' "$raw" | wc -l)
if [ "$errors" -ne 0 ] || [ "$tool_errors" -ne 0 ] || [ "$kat_fail" -ne 0 ]; then
	status=1
fi

M=main-wfq
F=main-fifo
D=default-wfq
Z=zero-wfq
m_ops=$(phasev $M 4)
m_bytes=$(phasev $M 5)
inflight_us=$(envv param_inflight_us)
ring_entries=$(envv param_ring_entries)

# Utilization
util_rows=""
util_min=""
for n in 1 2 8 64; do
	l=$M/util/$n
	b=$(q1 summary "$l" busy_pct)
	c=$(q1 summary "$l" cardtime_pct)
	mo=$(q1 summary "$l" model_pct)
	o=$(q1 summary "$l" ops_s)
	mb=$(q1 summary "$l" mb_s)
	fb=$(q1 summary "$F/util/$n" busy_pct)
	db=$(q1 summary "$D/util/$n" busy_pct)
	do=$(q1 summary "$D/util/$n" ops_s)
	low=$(printf '%s\n%s\n' "$b" "$c" | nums | nmin)
	util_min=$(printf '%s\n%s\n' "$util_min" "$low" | nums | nmin)
	bl=$(q cardwin "$l" backlog | nmin)
	util_rows+="| $n | $b | $c | $mo | $o | $mb | $(verdict "$low" ">=" 95) | $bl of $n | $(q1 jitter "$l" p99_us) | $fb | $db ($do/s) |"$'\n'
	printf '%s\t%s\t%s\t%s\t%s\n' "$n" "$b" "$fb" "$db" \
		"$(q1 summary "$M/util-inflightx/$n" busy_pct | sed 's:n/a:NaN:')" \
		>>"$pd/util.dat.tmp"
done
mv "$pd/util.dat.tmp" "$pd/util.dat"
# The same with inflight_us scaled up (sensitivity, not a result)
if_us=$(envv inflight_scaled_us)
if_us=${if_us:-n/a}
util_if_rows=""
util_if_min=""
for n in 1 8; do
	util_if_min=$(printf '%s\n%s\n' "$util_if_min" "$(q1 summary "$M/util-inflightx/$n" busy_pct)" | nums | nmin)
	l=$M/util-inflightx/$n
	util_if_rows+="| $n | $(q1 summary "$M/util/$n" busy_pct) | $(q1 jitter "$M/util/$n" p99_us) | $(q1 summary "$l" busy_pct) | $(q1 jitter "$l" p99_us) |"$'\n'
done

# Fairness
FL=$M/fair/1234
fair_dev=$(q1 summary "$FL" win_maxdev_pts)
fair_jain=$(q1 summary "$FL" jain)
fair_minjain=$(q1 summary "$FL" win_minjain)
fair_busy=$(q1 summary "$FL" busy_pct)
ffair_dev=$(q1 summary "$F/fair/1234" win_maxdev_pts)
ffair_jain=$(q1 summary "$F/fair/1234" jain)
fair_rows=""
for s in 0 1 2 3; do
	fair_rows+="| $s | $(q1 slice "$FL" weight slice $s) | $(q1 slice "$FL" wshare_pct slice $s) | $(q1 slice "$FL" share_pct slice $s) | $(q "window" "$FL" share_pct slice $s | nmin)..$(q "window" "$FL" share_pct slice $s | nmax) | $(q1 slice "$FL" p99_us slice $s) | $(q1 slice "$F/fair/1234" share_pct slice $s) |"$'\n'
done
shares "$FL" "$pd/fair-wfq.dat"
shares "$F/fair/1234" "$pd/fair-fifo.dat"

# Work conservation. The stopped tenant's slices go idle when the requests
# they had queued are done (tenant record, idle_s); the others must have
# their new shares in the first window after that, and the card must stay
# busy from the stop on.
WL=$M/wc/1234
wc() { # LABEL: stop idle w_stop w_idle busy_min share2 share3 dev drain
	local l=$1 stop idle

	stop=$(q1 tenant "$l" stop_s name stop)
	idle=$(q1 tenant "$l" idle_s name stop)
	awk -F'\t' -v l="$l" -v stop="$stop" -v idle="$idle" '
		$1 == "cardwin" && $2 == l {
			t0[$3] = $4; busy[$3] = $6; dev[$3] = $11; n = $3
		}
		$1 == "window" && $2 == l {
			if ($6 == 2) s2[$3] = $13
			if ($6 == 3) s3[$3] = $13
			if ($6 <= 1) d[$3] += $13
		}
		END {
			ws = wi = 0
			for (w = 1; w <= n; w++) {
				if (!ws && t0[w] >= stop - 0.01) ws = w
				if (!wi && idle >= 0 && t0[w] >= idle - 0.01) wi = w
			}
			if (!ws || !wi) { print stop, idle, "n/a n/a n/a n/a n/a n/a n/a"; exit }
			m = 1000
			for (w = ws; w <= n; w++) if (busy[w] < m) m = busy[w]
			printf "%s %s %d %d %.2f %s %s %s %.2f\n", stop, idle,
				ws, wi, m, s2[wi], s3[wi], dev[wi], d[ws]
		}' "$raw"
}
read -r wc_stop wc_idle wc_ws wc_wi wc_busy wc_s2 wc_s3 wc_dev wc_drain < <(wc "$WL")
read -r fwc_stop fwc_idle fwc_ws fwc_wi fwc_busy fwc_s2 fwc_s3 fwc_dev fwc_drain < <(wc "$F/wc/1234")
# worst deviation in the stable windows before the stop
wc_before() {
	awk -F'\t' -v l="$1" -v w="$2" '$1 == "cardwin" && $2 == l && $3 < w && $13 == 1 { print $11 }' "$raw" | nmax
}
wc_before_dev=$(wc_before "$WL" "$wc_ws")
fwc_before_dev=$(wc_before "$F/wc/1234" "$fwc_ws")
wc_drain_s=$(isnum "$wc_idle" && calc 2 "$wc_idle - $wc_stop" || echo n/a)
fwc_drain_s=$(isnum "$fwc_idle" && calc 2 "$fwc_idle - $fwc_stop" || echo n/a)
wc_ok=$(awk -v b="$wc_busy" -v d="$wc_dev" 'BEGIN { print (b + 0 >= 95 && d + 0 <= 2) ? 1 : 0 }')
shares "$WL" "$pd/wc-wfq.dat"
shares "$F/wc/1234" "$pd/wc-fifo.dat"

# Isolation
iso() { # SCHEDPHASE: alone p50 p99 p999, noisy p50 p99 p999, ratio, jitter p99 alone/noisy, noisy MB/s
	local a=$1/iso/alone n=$1/iso/noisy

	echo "$(q1 slice "$a" p50_us slice 0) $(q1 slice "$a" p99_us slice 0) $(q1 slice "$a" p999_us slice 0)" \
	     "$(q1 slice "$n" p50_us slice 0) $(q1 slice "$n" p99_us slice 0) $(q1 slice "$n" p999_us slice 0)" \
	     "$(q1 jitter "$a" p99_us) $(q1 jitter "$n" p99_us)" \
	     "$(q summary "$n" mb_s | head -n1) $(q1 slice "$n" lat_n slice 0) $(q1 slice "$a" lat_n slice 0)"
}
read -r ia50 ia99 ia999 in50 in99 in999 ija inj inmb inn ian < <(iso $M)
read -r fa50 fa99 fa999 fn50 fn99 fn999 fja fnj fnmb fnn fan < <(iso $F)
# No latency without a request measured
[ "$ian" = 0 ] && ia50=n/a ia99=n/a ia999=n/a
[ "$inn" = 0 ] && in50=n/a in99=n/a in999=n/a
[ "$fan" = 0 ] && fa50=n/a fa99=n/a fa999=n/a
[ "$fnn" = 0 ] && fn50=n/a fn99=n/a fn999=n/a
ratio() {
	if isnum "$1" && isnum "$2" && awk -v a="$2" 'BEGIN { exit !(a > 0) }'; then
		calc 2 "$1 / $2"
	else
		echo "n/a"
	fi
}
iso_ratio=$(ratio "$in99" "$ia99")
fiso_ratio=$(ratio "$fn99" "$fa99")
iso_ratio50=$(ratio "$in50" "$ia50")
fiso_ratio50=$(ratio "$fn50" "$fa50")
# A light request that waits for one request of each noisy slice, then
# its own: what start-time fair queueing allows (see What limits it)
ideal_ms=$(calc 2 "($(svc_us $M 65536) + $(svc_us $M 4096)) / 1000")
ideal_ratio=$(ratio "$(calc 0 "$ideal_ms * 1000")" "$ia99")
in1_50=$(q1 slice "$M/iso/noisy1" p50_us slice 0)
in1_99=$(q1 slice "$M/iso/noisy1" p99_us slice 0)
if [ "$(q1 slice "$M/iso/noisy1" lat_n slice 0)" = 0 ]; then
	in1_50=n/a in1_99=n/a
fi
# Noisy requests ahead of a light one at the p50: (latency - own) / noisy
ahead() {
	if isnum "$1"; then
		calc 1 "($1 - $(svc_us $M 4096)) / $(svc_us $M 65536)"
	else
		echo n/a
	fi
}
n3_ahead=$(ahead "$in50")
if isnum "$ideal_ratio" && awk -v r="$ideal_ratio" 'BEGIN { exit !(r > 2) }'; then
	ideal_text="So with 64 KiB noisy requests against 4 KiB light ones the
2x target cannot be met by any order of requests: it needs a card that
can be preempted, or large requests split into smaller ones."
else
	ideal_text="That alone would be within the 2x target."
fi
n1_ahead=$(ahead "$in1_50")
cdf "$M/iso/alone" "$pd/iso-wfq-alone.dat"
cdf "$M/iso/noisy" "$pd/iso-wfq-noisy.dat"
cdf "$M/iso/noisy1" "$pd/iso-wfq-noisy1.dat"
cdf "$F/iso/alone" "$pd/iso-fifo-alone.dat"
cdf "$F/iso/noisy" "$pd/iso-fifo-noisy.dat"
big_svc_ms=$(awk -v u="$(svc_us $M 65536)" 'BEGIN { printf "%.2f", u / 1000 }')
small_svc_ms=$(awk -v u="$(svc_us $M 4096)" 'BEGIN { printf "%.2f", u / 1000 }')

# Overhead
ovh_rows=""
for s in 64 4K 64K; do
	n=$(size_bytes $s)
	sv=$(svc_us $M "$n")
	p50=$(q1 slice "$M/ovh/q1/$s" p50_us)
	sw=$(isnum "$p50" && calc 0 "$p50 - $sv" || echo n/a)
	u64=$(q1 summary "$M/ovh/q64/$s" busy_pct)
	dsv=$(svc_us $D "$n")
	dp50=$(q1 slice "$D/ovh/q1/$s" p50_us)
	du64=$(q1 summary "$D/ovh/q64/$s" busy_pct)
	dops=$(q1 summary "$D/ovh/q64/$s" ops_s)
	zp50=$(q1 slice "$Z/ovh/q1/$s" p50_us)
	zops=$(q1 summary "$Z/ovh/q64/$s" ops_s)
	zmb=$(q1 summary "$Z/ovh/q64/$s" mb_s)
	ovh_rows+="| $s | $sv | $p50 | $sw | $u64 | $dsv | $dp50 | $du64 ($dops/s) | $zp50 | $zops ($zmb MB/s) |"$'\n'
done

# Crypto API path (tcrypt) against /dev/vcrypt0 (vcrypt-bench), depth 1,
# no rate limit, per algorithm and size; ratios of requests/s
KT=$Z/kapi/tcrypt
kapi_rows=""
kapi_check=""
kapi_sum=""
kapi_text=""
for a in aes-cbc sha256; do
	case $a in
	aes-cbc) op=encryption name="AES-128-CBC encryption" ;;
	sha256) op=digest name="SHA-256 digest" ;;
	esac
	: >"$pd/kapi-$a.dat"
	while IFS=$'\t' read -r size tops tbytes; do
		l=$Z/kapi/dev/$a/$size
		dops=$(q1 summary "$l" ops_s)
		dmb=$(q1 summary "$l" mb_s)
		dp50=$(q1 slice "$l" p50_us)
		tmb=$(calc 3 "$tbytes / 1e6")
		r=$(ratio "$tops" "$dops")
		kapi_rows+="| $name | $size | $dops | $dmb | $dp50 | $(q1 jitter "$l" p99_us) | $tops | $tmb | $r |"$'\n'
		printf '%s\t%s\t%s\t%s\n' "$size" "$dops" "$tops" "$r" |
			sed 's:n/a:NaN:g' >>"$pd/kapi-$a.dat"
	done < <(awk -F'\t' -v l="$KT/$a" -v op="$op" '
		$1 == "tcrypt" && $2 == l && $5 == op { print $6 "\t" $9 "\t" $10 }' "$raw")
	rmin=$(cut -f4 "$pd/kapi-$a.dat" | nums | nmin)
	rmax=$(cut -f4 "$pd/kapi-$a.dat" | nums | nmax)
	rmed=$(cut -f4 "$pd/kapi-$a.dat" | nums | sort -g |
		awk '{ v[NR] = $1 } END { print (NR ? v[int((NR + 1) / 2)] : "n/a") }')
	kapi_sum+="${kapi_sum:+; }$name median $rmed x (${rmin}..${rmax} x)"
	# What tcrypt counted against what went to the card
	want=$(awk -F'\t' -v l="$KT/$a" '$1 == "tcrypt" && $2 == l { n += $7 }
		END { print n + 0 }' "$raw")
	got=$(q1 kapiops "$KT/$a" completed_ops)
	if [ "$got" = n/a ]; then
		same=n/a
	elif [ "$got" = "$want" ]; then
		same=yes
	else
		same="**no**"
	fi
	kapi_check+="| \`$(q1 kapiops "$KT/$a" params)\` | $(q1 tcrypt "$KT/$a" driver) | $(q1 kapiops "$KT/$a" wall_s) | $want | $got | $same | $(q1 kapiops "$KT/$a" fallback_ops) | $(q1 kapiops "$KT/$a" card_ops) |"$'\n'
done
if [ -n "$(q1 tcrypt "$KT/aes-cbc" ops | nums)$(q1 tcrypt "$KT/sha256" ops | nums)" ]; then
	kapi_v="requests/s through the crypto API over /dev/vcrypt0, depth 1, no rate limit: $kapi_sum"
	kapi_short="crypto API / dev, depth 1: $kapi_sum"
	kapi_text="**Overhead against the crypto API ($kapi_sum).** With no rate
limit and one request at a time, each path does one request after the
other, so its rate is one over the time a request takes from submission to
the submitter seeing its result. Both paths share everything from the
scheduler on: the host slice and the slice are served by the same
scheduler thread, mapped for DMA alike, run on the same card and completed
by the same completion thread. What only \`/dev/vcryptN\` pays is the
way through user space: the \`VCRYPT_IOC_SUBMIT\` system call, which copies
the request in and pins the buffers' pages, the completion queued to the
file, the wake-up of the benchmark thread from \`epoll_wait\` and the
\`read(2)\` that collects the completion; tcrypt's thread sleeps in the
kernel on a completion that the card's completion thread signals. Under
TCG a system call and a switch to user space cost far more than on real
hardware, so the ratio here likely overstates what the \`/dev\` path costs
on a real machine; the absolute rates are the emulated guest's, not the
card's (the card's own time per request is a small part of them). Each
size is a single 1 s sample on each path: a \`/dev\` row with a jitter p99
far above the others', or a crypto API row far off its neighbours, was
disturbed by the host."
else
	why=$(awk -F'\t' -v l="$Z/kapi" '$1 == "skip" && $2 == l { print $3; exit }' "$raw")
	kapi_v="not measured in this run${why:+ ($why)}"
	kapi_short="not measured"
fi

# Scale
SL=$M/scale/64x16
sc_busy=$(q1 summary "$SL" busy_pct)
sc_card=$(q1 summary "$SL" cardtime_pct)
sc_ops=$(q1 summary "$SL" ops_s)
sc_jain=$(q1 summary "$SL" jain)
sc_dev=$(q1 summary "$SL" win_maxdev_pts)
sc_files=$(q1 summary "$SL" files)
mf_slab=$(q1 mem "$SL" slab_per_file_b)
mf_pay=$(q1 mem "$SL" payload_per_file_b)
ms_slab=$(q1 memslice main slab_per_slice_b)
ms_pay=$(q1 memslice main payload_per_slice_b)
ms_how=$(q1 memslice main how)

if isnum "$util_if_min" && awk -v v="$util_if_min" 'BEGIN { exit !(v >= 95) }'; then
	util_if_text="With \`inflight_us\` = $if_us the same scenarios kept the card busy
$util_if_min % or more under the same kind of jitter, so this bound, not
the order the scheduler picks requests in, costs the card time here."
else
	util_if_text="With \`inflight_us\` = $if_us the card was busy $util_if_min % at
worst: the bound explains only part of the idle time."
fi

# ---- plots ----

if [ -n "$have_gnuplot" ]; then
	rm -f "$out"/*.png
fi
plot <<EOF
set terminal pngcairo size 960,420 font ",10" noenhanced
set datafile separator "\t"
set datafile missing "NaN"
set grid ytics

set output "$out/utilization.png"
set title "Card utilization (card_busy_ns / wall time), size mix 64 B - 64 KiB, main rates unless said"
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.8 border -1
set ylabel "% of the card's configured rate"
set xlabel "backlogged slices"
set yrange [0:105]
set key outside right top vertical
plot "$pd/util.dat" using 2:xtic(1) title "wfq", \
     "" using 3 title "fifo", \
     "" using 4 title "wfq, card default rates", \
     "" using 5 title "wfq, inflight_us $if_us", \
     95 with lines dt 2 lc rgb "black" title "target 95 %"

unset style
unset key
set key inside top left horizontal
set style data linespoints
set autoscale xfix
set output "$out/fairness.png"
set multiplot layout 1,2 title "Share of card time per 1 s window, weights 1:2:3:4, sizes 64 B - 64 KiB"
set xlabel "time (s)"
set ylabel "share of card time (%)"
set yrange [0:60]
do for [sch in "wfq fifo"] {
	set title (sch eq "wfq" ? "weighted scheduler (wfq)" : "FIFO baseline")
	plot for [i=0:3] "$pd/fair-".sch.".dat" using 1:(column(i+2)) \
		title sprintf("slice %d (w %d)", i, i+1) lc i+1 pt 7 ps 0.6, \
		for [i=1:4] 10*i with lines dt 2 lc i notitle
}
unset multiplot

set output "$out/workcons.png"
set multiplot layout 1,2 title sprintf("Work conservation: slices 0 and 1 stop submitting at %s s, idle at %s s (dotted: card busy %%)", "$wc_stop", "$wc_idle")
set yrange [0:130]
set key inside top center horizontal maxrows 2
do for [sch in "wfq fifo"] {
	set title (sch eq "wfq" ? "weighted scheduler (wfq)" : "FIFO baseline")
	plot for [i=0:3] "$pd/wc-".sch.".dat" using 1:(column(i+2)) \
		title sprintf("slice %d (w %d)", i, i+1) lc i+1 pt 7 ps 0.6, \
		"$pd/wc-".sch.".dat" using 1:6 title "card busy" lc rgb "black" dt 3 pt 0
}
unset multiplot

set terminal pngcairo size 960,480 font ",10" noenhanced
set output "$out/kapi.png"
set multiplot layout 1,2 title "One request at a time, no card rate limit: /dev/vcrypt0 (vcrypt-bench) against the crypto API (tcrypt)"
unset logscale
set logscale x 2
set autoscale x
set xlabel "request size (bytes)"
set ylabel "requests/s"
set yrange [0:*]
set key below horizontal height 1
set style data linespoints
set title "requests per second"
plot "$pd/kapi-aes-cbc.dat" using 1:2 title "AES-CBC, /dev/vcrypt0" lc 1 pt 7, \
     "" using 1:3 title "AES-CBC, crypto API" lc 1 pt 5 dt 2, \
     "$pd/kapi-sha256.dat" using 1:2 title "SHA-256, /dev/vcrypt0" lc 2 pt 7, \
     "" using 1:3 title "SHA-256, crypto API" lc 2 pt 5 dt 2
set title "crypto API / dev (requests/s)"
set ylabel "ratio"
set logscale y
set yrange [*:*]
set key below horizontal height 1
plot "$pd/kapi-aes-cbc.dat" using 1:4 title "AES-128-CBC encryption" lc 1 pt 7, \
     "$pd/kapi-sha256.dat" using 1:4 title "SHA-256 digest" lc 2 pt 7, \
     1 with lines dt 3 lc rgb "black" notitle
unset multiplot
unset logscale
unset title
set terminal pngcairo size 960,420 font ",10" noenhanced

set output "$out/isolation.png"
set title "Latency of the light tenant (depth 1, 4 KiB), submit to completion read"
set logscale x
set autoscale x
set xlabel "latency (us)"
set ylabel "fraction of requests"
set yrange [0:1.02]
set xrange [*:*]
set key inside vertical maxrows 5 at graph 0.98, 0.6 right
set style data lines
plot "$pd/iso-wfq-alone.dat" using 1:2 title "wfq, alone" lw 2, \
     "$pd/iso-wfq-noisy.dat" using 1:2 title "wfq, 3 noisy neighbours" lw 2, \
     "$pd/iso-wfq-noisy1.dat" using 1:2 title "wfq, 1 noisy neighbour" lw 1, \
     "$pd/iso-fifo-alone.dat" using 1:2 title "fifo, alone" lw 2 dt 2, \
     "$pd/iso-fifo-noisy.dat" using 1:2 title "fifo, 3 noisy neighbours" lw 2 dt 2 lc rgb "#d62728"
EOF

# ---- the report ----

m_rate="$m_ops requests/s and $(calc 0 "${m_bytes:-0} / 1e6") MB/s"
util_v=$(verdict "$util_min" ">=" 95)
fair_v=$(verdict "$fair_dev" "<=" 2)
iso_v=$(verdict "$iso_ratio" "<=" 2)
if [ "$wc_ok" = 1 ]; then wc_v=met; else wc_v="**missed**"; fi
isnum "$wc_busy" || wc_v=n/a

{
cat <<EOF
<!-- SPDX-License-Identifier: GPL-2.0 -->
<!-- Generated by tools/vcrypt-bench/report.sh ("make bench"); do not edit. -->

# vcrypt benchmark report

Written by \`make bench\` on $(hostv date). How to run it, what each
scenario does and how to read this report: [Documentation/bench.rst](../bench.rst).

## Setup

| | |
| --- | --- |
| command | \`make bench\`, that is \`$(hostv command)\` (report.sh sets the card's rates of the default-rate and unlimited phases over QMP while it runs) |
| tree | $(hostv commit) |
| host | $(hostv host_cpu), $(hostv host_cpus) CPUs, load average $(hostv host_load_before) before, $(hostv host_load_after) after the run (other work on the machine shares its CPUs) |
| QEMU | $(hostv qemu), TCG (no KVM), $(envv cpus) vCPUs ($(envv cpu)), $(( $(envv mem_kib) / 1024 )) MiB |
| guest kernel | $(envv kernel) |
| guest command line | \`$(envv cmdline)\` |
| driver | vcrypt.ko, scheduler parameter \`sched\` = wfq or fifo per phase, \`inflight_us\` = $inflight_us, \`ring_entries\` = $ring_entries |
| card | main phases: $m_rate ($(hostv props)); default-rate phase: $(phasev $D 4) requests/s and $(calc 0 "$(phasev $D 5 | grep . || echo 0) / 1e6") MB/s; unlimited phase: no rate limit |
| load | AES-128-CTR requests through \`/dev/vcryptN\` (\`VCRYPT_IOC_SUBMIT\`, completions by \`read(2)\` under epoll), one thread per tenant; for the comparison with the crypto API (section 5) AES-128-CBC and SHA-256 through \`/dev/vcrypt0\` and through the kernel's tcrypt module |

Every number is a ratio within this run: the card's configured rate is the
physical limit, and under emulation absolute speeds mean little. The main
phases run the card at a tenth of its default rates so that the card, not
the emulated CPU, is the bottleneck (the default-rate phase shows why).
Utilization is the card's own busy time (\`card_busy_ns\` in debugfs) over
wall time; the sum of the slices' \`card_time_ns\` and the client's count of
completed requests priced by the card's rate model are shown next to it.
Shares are of the slices' \`card_time_ns\`.

## Summary

| target | goal | weighted scheduler (wfq) | met? | FIFO baseline |
| --- | --- | --- | --- | --- |
| utilization, 1/2/8/64 backlogged slices | >= 95 % at every count | lowest $util_min % (sensitivity, inflight_us = $if_us: lowest $util_if_min %) | $util_v | lowest $(for n in 1 2 8 64; do q1 summary "$F/util/$n" busy_pct; done | nums | nmin) % |
| fairness, weights 1:2:3:4, sizes 64 B - 64 KiB | every slice within +-2 points of its weight share in every 1 s window | worst $fair_dev points; Jain's index $fair_jain (worst window $fair_minjain) | $fair_v | worst $ffair_dev points; Jain $ffair_jain |
| work conservation, 2 of 4 slices go idle | the others absorb their share within one window | card busy >= $wc_busy % from the stop on; first window after the stopped slices went idle: worst $wc_dev points | $wc_v | busy >= $fwc_busy %, worst $fwc_dev points |
| isolation, light tenant vs 3 noisy neighbours | p99 with neighbours <= 2 x p99 alone | $ia99 us alone, $in99 us with: ${iso_ratio} x (p50: ${iso_ratio50} x) | $iso_v | $fa99 us alone, $fn99 us with: ${fiso_ratio} x |
| overhead vs the crypto API, same card and sizes | (comparison) | $kapi_v | - | - |
| scale, 64 slices x 16 files | (no target) | card busy $sc_busy %, Jain $sc_jain; kernel memory $ms_pay B per slice, $mf_pay B per open file (payload) | - | - |

A target that is missed is reported as missed; "What limits it" below says
why. Requests that failed in the whole run: $errors.

## 1. Utilization

Each slice has one file with 16 requests outstanding (sizes log-uniform
64 B - 64 KiB), so every slice always has work queued. Columns: card busy
time, the slices' charged card time, and the client's completed requests
priced by the rate model, each as a percentage of wall time.

| slices | busy % | card_time % | model % | requests/s | MB/s | >= 95 %? | slices with requests queued (fewest at a window edge) | jitter p99 (us) | FIFO busy % | default rates: busy % (requests/s) |
| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |
${util_rows}
"jitter p99" is how late a 2 ms timer in the benchmark woke up (99th
percentile): the time the emulated guest lost to the host.

![utilization](utilization.png)

The scheduler keeps at most \`inflight_us\` = $inflight_us us of modelled card
time on the card (and at least two requests). To see how much of the
card's idle time that bound explains, the run repeats two counts with
\`inflight_us\` = $if_us, which at these rates keeps as many requests on
the card as $inflight_us does at the card's default rates. This is a
sensitivity check, not the result above:

| slices | busy %, inflight_us = $inflight_us | jitter p99 (us) | busy %, inflight_us = $if_us | jitter p99 (us) |
| --- | --- | --- | --- | --- |
${util_if_rows}
Utilization depends on the host leaving the emulated guest its CPUs: when
the guest cannot run the driver's scheduler thread for longer than the
card time kept on the card, the card idles although work waits. A busy
host (a high jitter p99) lowers these numbers; the larger bound of the
sensitivity check absorbs more of it.

## 2. Fairness

Four slices with weights 1, 2, 3 and 4, each with two files of 32
requests outstanding, sizes log-uniform 64 B - 64 KiB; $(q1 summary "$FL" wall_s) s measured
in 1 s windows after 1 s of warm-up. Card busy $fair_busy %.

| slice | weight | weight share % | share % (whole run) | share % per window (min..max) | p99 latency (us) | FIFO share % |
| --- | --- | --- | --- | --- | --- | --- |
${fair_rows}
Largest deviation from the weight share in any window: $fair_dev points
(FIFO: $ffair_dev). Jain's index of share / weight share over the run:
$fair_jain (1 is perfectly weighted; FIFO: $ffair_jain); lowest in a window:
$fair_minjain.

![fairness](fairness.png)

## 3. Work conservation

As fairness, but the tenant of slices 0 and 1 (weights 1 and 2) stops
submitting at t = $wc_stop s. Its slices go idle once the requests they had
queued are done: until then the scheduler still gives them their weighted
share. From then on slices 2 and 3 should share the card 3:4 (42.86 % and
57.14 %), and the card must not idle at any point. Windows are 1 s,
numbered from the start of the measured time.

| | wfq | fifo |
| --- | --- | --- |
| worst deviation from the weight shares before the stop (points) | $wc_before_dev | $fwc_before_dev |
| slices 0 and 1 idle at (s) / time to finish their queued requests (s) | $wc_idle / $wc_drain_s | $fwc_idle / $fwc_drain_s |
| share of slices 0+1 in the first window after the stop (%) | $wc_drain | $fwc_drain |
| first window after they went idle | $wc_wi | $fwc_wi |
| in it: slice 2 / slice 3 share % (goal 42.86 / 57.14) | $wc_s2 / $wc_s3 | $fwc_s2 / $fwc_s3 |
| in it: worst deviation (points) | $wc_dev | $fwc_dev |
| lowest card busy % of any window from the stop on | $wc_busy | $fwc_busy |

![work conservation](workcons.png)

## 4. Isolation

A light tenant (slice 0: one file, one request outstanding, 4 KiB) alone,
then with three noisy neighbours (slices 1-3: one file each, 64 requests
of 64 KiB outstanding), all weights equal. Latency is from just before
\`VCRYPT_IOC_SUBMIT\` to the \`read(2)\` that returned the completion. At
these rates the card serves a 4 KiB request in $small_svc_ms ms and a
64 KiB request in $big_svc_ms ms. "Jitter p99" is how late a 2 ms timer in
the benchmark woke up (99th percentile): the noise the emulated guest adds
on its own.

| scheduler | alone p50 / p99 / p99.9 (us) | with neighbours p50 / p99 / p99.9 (us) | p99 ratio | <= 2? | p50 ratio | neighbours MB/s | samples alone / with | jitter p99 alone / with (us) |
| --- | --- | --- | --- | --- | --- | --- | --- | --- |
| wfq | $ia50 / $ia99 / $ia999 | $in50 / $in99 / $in999 | $iso_ratio | $iso_v | $iso_ratio50 | $inmb | $ian / $inn | $ija / $inj |
| fifo | $fa50 / $fa99 / $fa999 | $fn50 / $fn99 / $fn999 | $fiso_ratio | $(verdict "$fiso_ratio" "<=" 2) | $fiso_ratio50 | $fnmb | $fan / $fnn | $fja / $fnj |
| wfq, one noisy neighbour (see What limits it) | $ia50 / $ia99 / $ia999 | $in1_50 / $in1_99 / $(q1 slice "$M/iso/noisy1" p999_us slice 0) | $(ratio "$in1_99" "$ia99") | $(verdict "$(ratio "$in1_99" "$ia99")" "<=" 2) | $(ratio "$in1_50" "$ia50") | $(q1 summary "$M/iso/noisy1" mb_s) | $ian / $(q1 slice "$M/iso/noisy1" lat_n slice 0) | $ija / $(q1 jitter "$M/iso/noisy1" p99_us) |

With FIFO the light tenant waits behind every request its neighbours have
queued (3 x 64 x $big_svc_ms ms), so it completes only a handful of
requests in the measured time.

![isolation](isolation.png)

## 5. Overhead

One slice, one file. "service" is the card's modelled time for one
request; the p50 latency at depth 1 minus it is what the software path
(benchmark, system calls, driver, scheduler, interrupt, emulated IOMMU and
CPU) adds. At depth 64 the card should be the limit. The unlimited-rate
phase leaves only the software path: its depth-64 rate is the most requests
the emulated guest can push through \`/dev/vcryptN\`.

| size | main: service (us) | main: depth 1 p50 (us) | main: added (us) | main: depth 64 busy % | default: service (us) | default: depth 1 p50 (us) | default: depth 64 busy % | unlimited: depth 1 p50 (us) | unlimited: depth 64 requests/s |
| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |
${ovh_rows}
### Against the kernel crypto API

The same card serves the kernel crypto API through its host slice
(\`vcrypt-host0\`). With no rate limit on the card, the kernel's tcrypt
module drives it one request at a time (the multibuffer skcipher test with
one buffer, \`num_mb=1\`; the ahash test's digest rows, where one
\`crypto_ahash_digest()\` hashes the whole block), and vcrypt-bench does
the same operation at the same sizes through \`/dev/vcrypt0\` with one
slice, one file and one request outstanding, right after tcrypt's run of
that algorithm. Each size runs for 1 s on each path (the whole comparison
took $(envv kapi_wall_s | grep . || echo n/a) s). "crypto API / dev" is the ratio of requests per
second: above 1 the crypto API path is faster.
"jitter p99" is how late a 2 ms timer woke up during the /dev run: at
depth 1 every millisecond the guest loses to the host shows in the rate,
on either path.

| operation | size (B) | /dev/vcrypt0: requests/s | MB/s | p50 latency (us) | jitter p99 (us) | crypto API: requests/s | MB/s | crypto API / dev |
| --- | --- | --- | --- | --- | --- | --- | --- | --- |
${kapi_rows}
![crypto API against /dev/vcrypt0](kapi.png)

That tcrypt's requests went to the card, and not to the driver's software
fallback: the growth of the host slice's \`completed_ops\` and
\`fallback_ops\` and of the card's own \`card_ops\` during each tcrypt run,
against the requests tcrypt counted (for AES-CBC its encryption and
decryption rows; for SHA-256 its digest rows only: its other rows hash in
several \`update()\` calls, which the driver runs in software, and are
what \`fallback_ops\` counts).

| tcrypt parameters | driver | wall time (s) | requests tcrypt counted | host slice completed_ops | the same? | host slice fallback_ops | card_ops |
| --- | --- | --- | --- | --- | --- | --- | --- |
${kapi_check}

## 6. Scale

64 slices x 16 open files each ($sc_files files), two requests outstanding
per file, sizes 64 B - 64 KiB.

| | |
| --- | --- |
| card busy % / card_time % | $sc_busy / $sc_card |
| requests/s | $sc_ops |
| Jain's index over the 64 slices (equal weights) / worst window deviation (points) | $sc_jain / $sc_dev |
| kernel memory per slice, slab objects: with the guest's slab debugging / payload (bytes) | $ms_slab / $ms_pay (slices added through: $ms_how) |
| kernel memory per open file with one session, slab objects: with debugging / payload (bytes) | $mf_slab / $mf_pay |

Memory is the growth of the slab caches (\`/proc/slabinfo\`): for slices
from 0 to 64 slices on the card, first thing after boot; for files while
vcrypt-bench opened the 1024 files and set up a session on each. The test
guest boots with \`slub_debug=FZPU\` on the kmalloc and vcrypt caches,
which adds red zones and tracking to every object: the payload (objects
counted at their \`object_size\`) is what a production kernel uses.
Pages outside the slab caches are not counted (the drop of MemFree, in the
raw data, is too noisy at this scale).

## What limits it

EOF

	limits=0
	if [ "$util_v" != met ]; then
		limits=1
		cat <<EOF
**Utilization ($util_min % at worst).** The scheduler keeps at most
\`inflight_us\` = $inflight_us us of modelled card time on the card, and at
least two requests: at the main rates that is about two requests. When
one finishes, the scheduler thread must put the next one on the card
before the other runs out. The emulated guest loses its CPUs to the host
for milliseconds at a time (jitter p99 in the table), and then the card
idles although every slice had requests queued in the driver (the
"slices with requests queued" column). $util_if_text The bound trades
utilization for the wait of a newly busy slice behind the work already on
the card (section 4); on real hardware, where the refill takes
microseconds, $inflight_us us of card time is ample. At the card's default rates the
emulated guest cannot submit requests fast enough at all (default-rate
column): that is the limit of TCG, not of the driver.

EOF
	fi
	if [ "$fair_v" != met ]; then
		limits=1
		cat <<EOF
**Fairness (worst window $fair_dev points off).** The scheduler charges
each request its modelled card time when it dispatches it; a 64 KiB request
is $big_svc_ms ms, about $(calc 1 "$big_svc_ms / 10") points of a 1 s window, so
windows that start or end inside a run of large requests deviate by that
much; so do windows in which the guest stalled (jitter).

EOF
	fi
	if [ "$wc_v" != met ]; then
		limits=1
		cat <<EOF
**Work conservation.** From the stop on, the card was busy at least
$wc_busy % of every window, and in the first window after the stopped
slices went idle the others were up to $wc_dev points from their new
shares. The card idling is the same limit as for utilization above.

EOF
	fi
	if [ "$iso_v" != met ]; then
		limits=1
		cat <<EOF
**Isolation (p99 ratio $iso_ratio, p50 ratio $iso_ratio50).** The card
serves one request at a time and cannot be preempted. The light tenant
submits its next request when the previous one completes, which is when
the card starts on a noisy request; so even a scheduler that always served
the light tenant next, with a single request on the card, would leave it
waiting for that noisy request: $big_svc_ms + $small_svc_ms = $ideal_ms ms,
against a p99 of $ia99 us alone ($ideal_ratio x). $ideal_text On top of
that, what the driver does costs the light tenant more:

- It keeps at least two requests on the card (\`VCRYPT_INFLIGHT_MIN\`,
  fixed) and up to \`inflight_us\` = $inflight_us us of card time, so a
  second noisy request can be ahead of the light one. Whether it is
  depends on whether the scheduler thread refills the card before the
  light tenant resubmits.
- Start-time fair queueing lets every slice whose start tag equals the
  light slice's go first. Noisy slices with equal weights and equal
  requests run in step with equal tags, and the light slice, busy again,
  gets the same tag. With three noisy neighbours the light tenant's p50 was
  $in50 us, about $n3_ahead noisy requests ahead of it; with one
  (\`iso/noisy1\`) $in1_50 us, about $n1_ahead. That is start-time fair
  queueing's delay bound, one maximum-size request of every other busy slice
  ([scheduler.rst](../scheduler.rst), "Fairness and latency bounds");
  WF2Q+, or breaking ties in favour of the slice that just became busy,
  would bound it by about one.

The weighted scheduler still does far better than FIFO, which puts the
light request behind every queued noisy one (p50 $fn50 us). Under
emulation the light tenant's latency alone also varies with the host
(jitter p99 $ija us), which moves its p99 and so the ratio.

EOF
	fi
	if [ "$limits" = 0 ]; then
		echo "All targets were met in this run."
		echo
	fi
	cat <<EOF
$kapi_text

## Raw data

\`make bench\` keeps the guest's output in \`build/bench/raw.tsv\`
(tab-separated records of vcrypt-bench, described in
Documentation/bench.rst), the host's details in \`build/bench/host.tsv\` and
the guest's console in \`build/bench/console.log\`;
\`tools/vcrypt-bench/report.sh --from build/bench\` writes this report again
from them.
EOF
	if [ "$status" -ne 0 ]; then
		cat <<EOF

**The run had errors**: $errors requests failed, $kat_fail known-answer
checks failed, and the benchmark reported:

\`\`\`
$(grep '^vcrypt-bench:\|^bench:' "$raw" | head -n 20)
\`\`\`
EOF
	fi
} >"$md"

# The summary for README.md, to paste by hand
cat >"$dir/readme-summary.md" <<EOF
| target | goal | measured ($(hostv date)) | |
| --- | --- | --- | --- |
| utilization, 1/2/8/64 backlogged slices | >= 95 % card busy | lowest $util_min % | $util_v |
| fairness, weights 1:2:3:4, 64 B - 64 KiB | +-2 points of the weight share per 1 s window | worst $fair_dev points, Jain's index $fair_jain (FIFO: $ffair_dev points, $ffair_jain) | $fair_v |
| work conservation, 2 of 4 slices go idle | the others take over within one window | card busy >= $wc_busy %, worst $wc_dev points | $wc_v |
| isolation, depth-1 4 KiB tenant vs 3 x depth-64 64 KiB | p99 <= 2 x p99 alone | $iso_ratio x ($ia99 -> $in99 us; FIFO $fiso_ratio x) | $iso_v |
| overhead vs the crypto API | - | $kapi_short | - |
| scale, 64 slices x 16 files | - | card busy $sc_busy %, $ms_pay B per slice, $mf_pay B per open file | - |
EOF

exit "$status"
