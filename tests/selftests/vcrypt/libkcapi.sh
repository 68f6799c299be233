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
# [FAILED], [DEACTIVATED]) becomes a TAP line. Every test must pass,
# except the ones listed in na_list below (and, with the same reasons, in
# Documentation/kcapi-tests.rst): those are reported as skipped, or as
# passed where they pass (some depend on timing). Each script must end
# within the time limit having printed as many results as it has tests,
# and the card must have completed requests meanwhile (the host slice's
# completed_ops, and as many at least in the card's own card_ops; the
# host slice's fallback_ops is reported).
#
# Environment: LIBKCAPI_TIMEOUT, seconds each script may run (default
# 480: the longest take about 210 s in a quiet guest, most of it PBKDF2,
# a thousand HMAC requests to the card per call). Prints TAP; exits non-zero if a check failed.

set -u

lk=/usr/libexec/libkcapi
host=/sys/class/vcrypt/vcrypt-host0
# the card's debugfs directory is named after its PCI address
stats=$(basename "$(readlink -f "$host/device")")
stats=/sys/kernel/debug/vcrypt/$stats/stats
limit=${LIBKCAPI_TIMEOUT:-480}
# shellcheck source-path=SCRIPTDIR source=tap.sh
. "$(dirname "$0")/tap.sh"

# The tests that do not apply, one a line: SCRIPT|NAME|REASON. NAME is an
# extended regular expression (without "|") for the whole name of a test
# as the script prints it; an empty NAME stands for the whole script,
# which is not run.
na_list='
test.sh|Asymmetric .*|the kernel has no AF_ALG interface for asymmetric ciphers (libkcapi carries it as a kernel patch; Linux never merged it)
test.sh|KPP .*|the kernel has no AF_ALG interface for key agreement (libkcapi carries it as a kernel patch; Linux never merged it)
test.sh|Symmetric asynchronous cipher [a-z ]+ multiple test|Linux lets one AIO request be in flight on an AF_ALG socket and refuses the next with EBUSY (af_alg_alloc_areq); the test submits several at once, which a synchronous software algorithm has finished one by one, the card not: whether it passes depends on timing
test.sh|AEAD asynchronous [a-z ]+ multiple test|as the symmetric asynchronous multiple tests: several AIO requests at once on one socket (here ccm(aes), which runs on the ctr(aes) of the card)
test.sh|Auxiliary test failure detected|Linux 6.7 removed the SHA-1 DRBG (drbg_nopr_sha1) the test also draws from; its other checks run below, as "test.sh: kcapi -z: ..."
test.sh|PBKDF (non-)?aligned test 4|not run: 16777216 PBKDF2 iterations of HMAC-SHA-1 (not an algorithm of the card), each a round trip through AF_ALG, take over 6 minutes in the emulated guest, twice
hasher-test.sh|hmaccalc reference application sha[0-9]+hmac missing|Debian 12 has no hmaccalc, the reference these tests compare with
kcapi-fuzz-test.sh||optional upstream (ENABLE_FUZZ_TEST): some 30 million requests, hours on the emulated card, which serves 20000 a second
virttest.sh||boots other kernels with eudyptula-boot; the guest is the test kernel
compile-test.sh||builds libkcapi with every configure option; the guest has no compiler
test-invocation.sh||upstream runner that builds libkcapi and calls the scripts; this script is the runner
'

# The results each script prints (libkcapi 1.4.0; test.sh without PBKDF
# test 4)
expect_list='
test.sh 1016
kcapi-enc-test.sh 483
kcapi-dgst-test.sh 384
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

# Leave PBKDF test 4 out of test.sh (see na_list).
sed -i 's/^\(\tPBKDFEXEC="1 2 3\) 4 \(5 6 7 8 9 10 11 12 13"\)$/\1 \2/' \
	"$tmp/test/test.sh"
if ! grep -q -x '	PBKDFEXEC="1 2 3 5 6 7 8 9 10 11 12 13"' \
     "$tmp/test/test.sh"; then
	not_ok "test.sh: PBKDF test 4 left out"
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
		skip "$script" "not applicable: $why"
		continue
	fi

	# One TAP line per result; the lines a script prints after a failure
	# that is not listed are shown as diagnostics.
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
			reason = ""
			for (i = 1; i <= m; i++)
				if (name ~ re[i]) {
					reason = why[i]
					break
				}
			diag = 0
			n++
			if (reason == "" && verdict == "PASSED") {
				print "ok " n " " script ": " name
			} else if (reason == "") {
				print "not ok " n " " script ": " name \
				      " (" verdict ")"
				bad++
				diag = 1
			} else if (verdict == "PASSED") {
				print "ok " n " " script ": " name \
				      " (passed, though listed as not applicable)"
			} else {
				print "ok " n " " script ": " name \
				      " # SKIP not applicable: " reason
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
				"not applicable: $(na "$script" "$name")"
		done
	fi

	read -r rc t <"$tmp/$script.rc"
	want=$(printf '%s\n' "$expect_list" |
	       awk -v s="$script" '$1 == s { print $2 }')
	msg="$results results in $t s"
	if [ "$rc" -eq 124 ] || [ "$results" -ne "${want:-0}" ]; then
		not_ok "$script: ran to the end ($msg, exit status $rc;" \
			"want ${want:-?} results within $limit s)"
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
