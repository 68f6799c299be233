#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# libkcapi's own test suite against the driver: the test scripts of
# Debian's libkcapi source package (upstream's test/ directory), run as
# upstream's test-invocation.sh runs them in the source tree, with
# Debian's kcapi-enc and kcapi-dgst and the programs built from that
# source (scripts/fetch-libkcapi.sh), all in /usr/libexec/libkcapi.
#
# The scripts run at the same time, each in its own directory, to use
# both CPUs of the guest. Each result line a script prints ([PASSED],
# [FAILED], [DEACTIVATED]) becomes a TAP line: PASSED is ok, FAILED is not
# ok whatever the test, DEACTIVATED is a skip for the tests listed in
# na_list below (and, with the same reasons, in Documentation/kcapi-tests.rst
# and tests/skips.list), which are not run at all: their calls in the
# copy of test.sh are replaced by upstream's own echo_deact. Any other
# DEACTIVATED is a failure. Each script must end having printed as many
# results as it has tests, and the card must have completed requests
# meanwhile (the host slice's completed_ops, and as many at least in the
# card's own card_ops; the host slice's fallback_ops is reported).
#
# Environment: LIBKCAPI_TIMEOUT, seconds each script may run (default
# 1200): a bound for a hang, not a time the scripts must keep (the
# longest, test.sh, takes about 320 s beside the others). Prints TAP; exits non-zero
# if a check failed.

set -u

lk=/usr/libexec/libkcapi
host=/sys/class/vcrypt/vcrypt-host0
# the card's debugfs directory is named after its PCI address
stats=$(basename "$(readlink -f "$host/device")")
stats=/sys/kernel/debug/vcrypt/$stats/stats
limit=${LIBKCAPI_TIMEOUT:-1200}
# shellcheck source-path=SCRIPTDIR source=tap.sh
. "$(dirname "$0")/tap.sh"

# The tests that are not run, one a line: SCRIPT|NAME|REASON. NAME is an
# extended regular expression (without "|") for the whole name of a test
# as the script prints it when it deactivates it; an empty NAME stands for
# the whole script, which is not run.
na_list='
test.sh|All asymmetric tests deactivated|the kernel has no AF_ALG interface for asymmetric ciphers (libkcapi carries it as a kernel patch; Linux never merged it)
test.sh|All KPP tests deactivated|the kernel has no AF_ALG interface for key agreement (libkcapi carries it as a kernel patch; Linux never merged it)
test.sh|Symmetric asynchronous cipher one shot multiple test|several AIO requests at once on one socket, which Linux refuses with EBUSY while one is in flight (af_alg_alloc_areq); whether the next arrives before the card completed the first is timing, so the result cannot show a fault of the driver; the same tests with AIO fallback run
test.sh|Symmetric asynchronous cipher stream multiple test|several AIO requests at once on one socket, which Linux refuses with EBUSY while one is in flight (af_alg_alloc_areq); whether the next arrives before the card completed the first is timing, so the result cannot show a fault of the driver; the same tests with AIO fallback run
test.sh|Symmetric asynchronous cipher vmsplice multiple test|several AIO requests at once on one socket, which Linux refuses with EBUSY while one is in flight (af_alg_alloc_areq); whether the next arrives before the card completed the first is timing, so the result cannot show a fault of the driver; the same tests with AIO fallback run
test.sh|AEAD asynchronous one shot multiple test|as the symmetric asynchronous multiple tests (ccm(aes), which runs on the ctr(aes) of the card); the same tests with AIO fallback run
test.sh|AEAD asynchronous stream multiple test|as the symmetric asynchronous multiple tests (ccm(aes), which runs on the ctr(aes) of the card); the same tests with AIO fallback run
test.sh|AEAD asynchronous vmsplice multiple test|as the symmetric asynchronous multiple tests (ccm(aes), which runs on the ctr(aes) of the card); the same tests with AIO fallback run
test.sh|Auxiliary test|Linux 6.7 removed the SHA-1 DRBG (drbg_nopr_sha1) it also draws from; its other checks run below, as "test.sh: kcapi -z: ..."
test.sh|PBKDF (non-)?aligned test 4|16777216 PBKDF2 iterations of HMAC-SHA-1 (not an algorithm of the card), each a round trip through AF_ALG, take over 6 minutes in the emulated guest, twice; test 3 (4096 iterations) runs the same code
hasher-test.sh|hmaccalc reference application sha[0-9]+hmac missing|Debian 12 has no hmaccalc, the reference these tests compare with; the RFC 2202 and RFC 4231 known answers of the same programs run
kcapi-fuzz-test.sh||optional upstream (ENABLE_FUZZ_TEST): some 30 million requests, hours on the emulated card, which serves 20000 a second
virttest.sh||boots other kernels with eudyptula-boot; the guest is the test kernel
compile-test.sh||builds libkcapi with every configure option; the guest has no compiler
test-invocation.sh||upstream runner that builds libkcapi and calls the scripts; this script is the runner
'

# What the copies of the scripts change: SCRIPT|EXPR|N, a sed expression
# and how many lines of SCRIPT it must change. test.sh: the tests of
# na_list, deactivated. kcapi-enc-test.sh and kcapi-dgst-test.sh: PBKDF2
# with 16 iterations instead of 1000 in their password runs, which only
# compare the tools with themselves (encrypt then decrypt, or the same
# digest twice): the same calls, each 16 HMAC requests to the card instead
# of 1000 (480 of them made half a million requests, about 8 minutes);
# and 8 of their 15 data lengths (9 of 16 with the empty one), the block
# and 64 KiB boundaries and the longest: each length costs the same
# hundreds of program starts, and every length the card takes is checked
# against the reference by ref_slice.
# shellcheck disable=SC2016 # sed expressions: the $ is theirs
edits='
test.sh|s/^\tmultipletest_sym 9$/\techo_deact "Symmetric asynchronous cipher one shot multiple test"/|1
test.sh|s/^\tmultipletest_sym 9 -s$/\techo_deact "Symmetric asynchronous cipher stream multiple test"/|1
test.sh|s/^\tmultipletest_sym 9 -v$/\techo_deact "Symmetric asynchronous cipher vmsplice multiple test"/|1
test.sh|s/^\t\tmultipletest_aead 10$/\t\techo_deact "AEAD asynchronous one shot multiple test"/|1
test.sh|s/^\t\tmultipletest_aead 10 -s$/\t\techo_deact "AEAD asynchronous stream multiple test"/|1
test.sh|s/^\t\tmultipletest_aead 10 -v$/\t\techo_deact "AEAD asynchronous vmsplice multiple test"/|1
test.sh|s/^auxtest$/echo_deact "Auxiliary test"/|1
test.sh|s/^if \$(check_min_kernelver 5 99); then$/if false; then/|2
test.sh|s/^\(\tPBKDFEXEC="1 2 3\) 4 \(5 6 7 8 9 10 11 12 13"\)$/\1 \2/|1
kcapi-enc-test.sh|s/ --pbkdfiter 1000 / --pbkdfiter 16 /|8
kcapi-dgst-test.sh|s/ --pbkdfiter 1000 / --pbkdfiter 16 /|8
kcapi-enc-test.sh|s/^for i in 1 15 16 29 32 257 512 1023 16385 65535 65536 65537 99999 100000 100001$/for i in 1 15 16 29 257 65536 65537 100001/|1
kcapi-dgst-test.sh|s/^for i in 0 1 15 16 29 32 257 512 1023 16385 65535 65536 65537 99999 100000 100001$/for i in 0 1 15 16 29 257 65536 65537 100001/|1
'

# The results each script prints (libkcapi 1.4.0, with the tests of
# na_list deactivated)
expect_list='
test.sh 936
kcapi-enc-test.sh 259
kcapi-dgst-test.sh 216
hasher-test.sh 186
kcapi-enc-test-large.sh 1
kcapi-convenience.sh 1
'
order="test.sh kcapi-enc-test.sh kcapi-dgst-test.sh hasher-test.sh
       kcapi-enc-test-large.sh kcapi-convenience.sh kcapi-fuzz-test.sh
       virttest.sh compile-test.sh test-invocation.sh"

# na SCRIPT NAME: the reason why NAME of SCRIPT does not apply, if listed
na() {
	printf '%s\n' "$na_list" | while IFS='|' read -r s re why; do
		[ "$s" = "$1" ] || continue
		if [ -z "$re" ]; then
			[ -z "$2" ] && echo "$why" && break
		elif printf '%s\n' "$2" | grep -q -x -E -- "$re"; then
			echo "$why"
			break
		fi
	done
}

counter() {
	v=0
	[ -r "$host/$1" ] && read -r v <"$host/$1"
	echo "$v"
}

# card_ops: the card's own count of completed descriptors (debugfs)
card_ops() {
	v=$(awk '$1 == "card_ops" { print $2 }' "$stats" 2>/dev/null)
	echo "${v:-0}"
}

if [ ! -d "$lk/test" ]; then
	not_ok "libkcapi's test suite in $lk"
	tap_end
	exit 1
fi
echo "# libkcapi $(cat "$lk/version")"

# The scripts use bash process substitution, through /dev/fd.
[ -e /dev/fd ] || ln -s /proc/self/fd /dev/fd

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cp -a "$lk/test" "$tmp/test"
ln -s "$lk/bin" "$tmp/bin"

# The changes to the scripts, each checked
printf '%s\n' "$edits" | while IFS='|' read -r script expr want; do
	[ -n "$expr" ] || continue
	got=$(sed -n "${expr}p" "$tmp/test/$script" | wc -l)
	sed -i "$expr" "$tmp/test/$script"
	if [ "$got" -ne "$want" ]; then
		echo "not ok - $script: $expr changed $got lines, not $want"
	fi
done >"$tmp/edits"
if [ -s "$tmp/edits" ]; then
	while read -r line; do
		not_ok "${line#not ok - }"
	done <"$tmp/edits"
fi

# Start every script that applies; sha*sum from coreutils for
# hasher-test.sh's references (busybox has no sha384sum and no --status).
c0=$(counter completed_ops)
f0=$(counter fallback_ops)
k0=$(card_ops)
start=$(date +%s)
for script in $order; do
	[ -n "$(na "$script" "")" ] && continue
	mkdir "$tmp/$script.d"
	(
		cd "$tmp/$script.d" || exit
		t0=$(date +%s)
		rc=0
		PATH=$lk/coreutils:$PATH KCAPI_TEST_LOCAL=1 \
			timeout "$limit" bash "$tmp/test/$script" \
			>"$tmp/$script.out" 2>&1 || rc=$?
		echo "$rc $(($(date +%s) - t0))" >"$tmp/$script.rc"
	) &
done
wait
secs=$(($(date +%s) - start))
dc=$(($(counter completed_ops) - c0))
df=$(($(counter fallback_ops) - f0))
dk=$(($(card_ops) - k0))

esc=$(printf '\033')
for script in $order; do
	why=$(na "$script" "")
	if [ -n "$why" ]; then
		skip "$script" "not run: $why"
		continue
	fi

	# One TAP line per result: PASSED ok, FAILED not ok, DEACTIVATED a
	# skip if na_list has it; the lines a script prints after a failure
	# are shown as diagnostics.
	sed "s/$esc\[[0-9;]*m//g" "$tmp/$script.out" |
	awk -v script="$script" -v na="$na_list" -v n="$n" \
	    -v stats="$tmp/stats" '
		BEGIN {
			k = split(na, lines, "\n")
			for (i = 1; i <= k; i++) {
				if (split(lines[i], f, "|") < 3 ||
				    f[1] != script || f[2] == "")
					continue
				m++
				re[m] = "^(" f[2] ")$"
				why[m] = f[3]
			}
		}
		/^\[(PASSED|FAILED|DEACTIVATED): / {
			results++
			verdict = substr($0, 2, index($0, ":") - 2)
			name = substr($0, index($0, "] ") + 2)
			diag = 0
			n++
			if (verdict == "PASSED") {
				print "ok " n " " script ": " name
				next
			}
			reason = ""
			for (i = 1; i <= m; i++)
				if (name ~ re[i]) {
					reason = why[i]
					break
				}
			if (verdict == "DEACTIVATED" && reason != "") {
				print "ok " n " " script ": " name \
				      " # SKIP not run: " reason
			} else {
				print "not ok " n " " script ": " name \
				      " (" verdict ")"
				bad++
				diag = 1
			}
			next
		}
		diag { print "#   " $0 }
		END { print n, bad + 0, results + 0 > stats }'
	read -r n bad results <"$tmp/stats"
	failed=$((failed + bad))

	if [ "$script" = test.sh ]; then
		for name in "PBKDF non-aligned test 4" "PBKDF aligned test 4"; do
			skip "$script: $name" \
				"not run: $(na "$script" "$name")"
		done
	fi

	read -r rc t <"$tmp/$script.rc"
	want=$(printf '%s\n' "$expect_list" |
	       awk -v s="$script" '$1 == s { print $2 }')
	msg="$results results in $t s"
	if [ "$rc" -eq 124 ] || [ "$results" -ne "${want:-0}" ]; then
		not_ok "$script: ran to the end ($msg, exit status $rc;" \
			"want ${want:-?} results, a hang bound of $limit s)"
		tail -n 5 "$tmp/$script.out" | sed 's/^/#   /'
	else
		ok "$script: ran to the end ($msg)"
	fi
done

# test.sh's auxiliary test (kcapi -z), each check but the SHA-1 DRBG's,
# whose absence is the one failure
if [ -z "$(na test.sh "")" ]; then
	rc=0
	"$lk/bin/kcapi" -z >"$tmp/aux" 2>&1 || rc=$?
	for want in "AEAD obtained information passed" \
		    "Symmetric cipher obtained information passed" \
		    "Message digest obtained information passed" \
		    "RNG drbg_nopr_hmac_sha256 returned: " \
		    "RNG drbg_nopr_ctr_aes256 returned: " \
		    "X9.31 missing seeding: Failure to seed RNG" \
		    "X9.31 insufficient seeding: Failure to seed RNG" \
		    "RNG ansi_cprng returned: " \
		    "Allocation of cipher drbg_nopr_sha1 failed"; do
		if grep -q -F -- "$want" "$tmp/aux"; then
			ok "test.sh: kcapi -z: $want"
		else
			not_ok "test.sh: kcapi -z: $want"
			sed 's/^/#   /' "$tmp/aux"
		fi
	done
	if [ "$rc" -eq 1 ]; then
		ok "test.sh: kcapi -z: one failure, the SHA-1 DRBG's"
	else
		not_ok "test.sh: kcapi -z: one failure, the SHA-1 DRBG's (exit status $rc)"
	fi
fi

msg="completed_ops +$dc, card_ops +$dk, fallback_ops +$df in $secs s"
if [ "$dc" -gt 0 ] && [ "$dk" -ge "$dc" ]; then
	ok "the card completed the suite's requests ($msg)"
else
	not_ok "the card completed the suite's requests ($msg)"
fi

tap_end libkcapi.sh
