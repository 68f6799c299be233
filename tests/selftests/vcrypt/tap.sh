# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh
#
# The TAP helpers of the vcrypt shell tests, sourced (not run) by the
# scripts of this directory, which find it next to themselves, and by
# tools/vcryptctl/selftest.sh. POSIX sh (busybox sh in the guest).
#
# The counters are the caller's too: n, the number of the last TAP line,
# and failed, how many of them were "not ok".
#
#   ok WHAT...             "ok N WHAT"
#   not_ok WHAT...         "not ok N WHAT", counted as a failure
#   skip WHAT REASON       "ok N WHAT # SKIP REASON"
#   tap_end [NAME]         the plan "1..N", then with NAME the summary
#                          "# NAME: pass P fail F"; returns non-zero if a
#                          check failed: end the script with it

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

skip() {
	ok "$1 # SKIP $2"
}

# shellcheck disable=SC2120 # NAME is optional
tap_end() {
	echo "1..$n"
	[ $# -eq 0 ] || echo "# $1: pass $((n - failed)) fail $failed"
	[ "$failed" -eq 0 ]
}
