#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Run the vcrypt card's qtest against the QEMU built by build.sh.
#
#   qemu-model/run-qtest.sh OUTDIR [PATH-PREFIX]
#
# Runs every test case (or those whose path starts with PATH-PREFIX, e.g.
# /x86_64/vcrypt/ref) in a process of its own, so that a case that aborts
# or hangs hides no other, and prints one TAP stream: a line per case,
# with the case's own messages as diagnostics. Each case is bounded in
# time (QTEST_CASE_TIMEOUT, default 300 s: a hang bound, the longest case
# takes seconds); exits non-zero if a case failed.

set -euo pipefail

if [ $# -lt 1 ] || [ $# -gt 2 ]; then
	echo "usage: $0 OUTDIR [PATH-PREFIX]" >&2
	exit 2
fi
out=$(cd "$1" && pwd)
prefix=${2:-/}
limit=${QTEST_CASE_TIMEOUT:-300}
for f in qemu-system-x86_64 vcrypt-test; do
	if [ ! -x "$out/$f" ]; then
		echo "qtest: $out/$f missing; run qemu-model/build.sh $out" >&2
		exit 1
	fi
done

export QTEST_QEMU_BINARY=$out/qemu-system-x86_64
test=$out/vcrypt-test
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

"$test" -l >"$tmp/list"
mapfile -t cases < <(grep -E '^/' "$tmp/list" |
		     awk -v p="$prefix" 'index($0, p) == 1')
if [ "${#cases[@]}" -eq 0 ]; then
	echo "qtest: no test case under $prefix" >&2
	exit 1
fi

echo "TAP version 13"
echo "1..${#cases[@]}"
n=0
failed=0
for c in "${cases[@]}"; do
	n=$((n + 1))
	rc=0
	start=$SECONDS
	timeout --kill-after=10 "$limit" "$test" --tap -p "$c" \
		>"$tmp/out" 2>&1 || rc=$?
	secs=$((SECONDS - start))
	# the case's own verdict, if it got to print one
	verdict=$(grep -E '^(not )?ok [0-9]+ ' "$tmp/out" | tail -n 1 || true)
	if [ "$rc" -eq 0 ] && [ "${verdict#ok }" != "$verdict" ]; then
		case $verdict in
		*"# SKIP"*) echo "ok $n $c # SKIP ${verdict#*# SKIP }" ;;
		*) echo "ok $n $c ($secs s)" ;;
		esac
		# what the case reported (e.g. the operations it checked)
		grep -E '^# ' "$tmp/out" |
			grep -v -E '^# (Start of|End of|random seed)' || true
	else
		failed=$((failed + 1))
		why="exit status $rc"
		[ "$rc" -eq 124 ] && why="no result within $limit s"
		echo "not ok $n $c ($why)"
		grep -v -E '^(TAP version|1\.\.|(not )?ok [0-9]+ )' "$tmp/out" |
			sed 's/^\([^#]\)/# \1/'
	fi
done
[ "$failed" -eq 0 ]
