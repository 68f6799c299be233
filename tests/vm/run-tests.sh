#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# run-tests: run the vcrypt selftests inside the test guest.
#
# Usage: run-tests [TEST...]
#
# Runs the named tests, or every test listed in /selftests/list, each with
# a time limit of RUN_TESTS_TIMEOUT seconds (default 1800, a bound for a
# hang: the longest test takes about 7 minutes). Prints TAP in
# the kselftest runner's format: each test's own TAP indented with "# ",
# then "ok N selftests: vcrypt: TEST" or "not ok ...", then the time it
# took as a comment. Ends with a summary and exits non-zero if any test
# failed.
#
# RUN_TESTS_EXCLUDE: cases of the C tests to leave out, as PROGRAM.CASE
# separated by spaces (e.g. "sysfs.queued_in_flight"); each is passed to
# its program as the harness option "-T CASE" and reported as a comment.

set -eu
set -o pipefail

dir=/selftests
limit=${RUN_TESTS_TIMEOUT:-1800}
KSFT_SKIP=4

if [ $# -gt 0 ]; then
	tests=$*
else
	tests=$(cat "$dir/list")
fi

total=0
for t in $tests; do
	total=$((total + 1))
done

echo "TAP version 13"
echo "1..$total"
n=0 pass=0 fail=0 skip=0 failed=""
for t in $tests; do
	n=$((n + 1))
	echo "# selftests: vcrypt: $t"
	start=$(date +%s)
	args=""
	for e in ${RUN_TESTS_EXCLUDE:-}; do
		[ "${e%%.*}" = "$t" ] || continue
		echo "# run-tests: $t: ${e#*.} left out (RUN_TESTS_EXCLUDE)"
		args="$args -T ${e#*.}"
	done
	rc=0
	if [ -x "$dir/$t" ]; then
		# shellcheck disable=SC2086 # one option a word
		(cd "$dir" && timeout "$limit" "./$t" $args 2>&1) |
			sed 's/^/# /' || rc=$?
	else
		echo "# run-tests: no test $dir/$t"
		rc=127
	fi
	if [ "$rc" -eq 0 ]; then
		echo "ok $n selftests: vcrypt: $t"
		pass=$((pass + 1))
	elif [ "$rc" -eq "$KSFT_SKIP" ]; then
		echo "ok $n selftests: vcrypt: $t # SKIP"
		skip=$((skip + 1))
	else
		echo "not ok $n selftests: vcrypt: $t # exit=$rc"
		fail=$((fail + 1))
		failed="$failed $t"
	fi
	echo "# run-tests: $t took $(($(date +%s) - start)) s"
done

echo "# run-tests: $total tests: pass $pass, fail $fail, skip $skip"
if [ "$fail" -ne 0 ]; then
	echo "# run-tests: failed:$failed"
	exit 1
fi
