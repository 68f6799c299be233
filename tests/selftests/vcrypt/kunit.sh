#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The driver's KUnit suites (drivers/crypto/vcrypt/tests/, built into
# vcrypt.ko when the kernel has KUnit: the test guest's debug kernel) run
# when the module is loaded. This reports each of their cases as TAP, from
# /sys/kernel/debug/kunit/<suite>/results, with the diagnostics of failed
# cases: one "ok" or "not ok" per case, "# SKIP" kept. A suite of SUITES
# that did not run, a suite that failed without a failed case, and a
# kernel without KUnit are failures.
#
# Prints TAP; exits non-zero if a case failed.

set -u

suites="vcrypt_wfq vcrypt_ring vcrypt_user vcrypt_secrets"
dir=/sys/kernel/debug/kunit
tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
# shellcheck source-path=SCRIPTDIR source=tap.sh
. "$(dirname "$0")/tap.sh"

echo "TAP version 13"
if [ ! -d "$dir" ]; then
	echo "Bail out! no $dir: the kernel has no KUnit (CONFIG_KUNIT_DEBUGFS)"
	exit 1
fi

for suite in $suites; do
	if [ ! -r "$dir/$suite/results" ]; then
		not_ok "$suite: the suite did not run (vcrypt.ko without it?)"
		continue
	fi
	# Cases are the lines "ok N NAME" or "not ok N NAME" indented once;
	# their diagnostics, the other indented lines, come before them.
	# Prints "+ NAME" or "- NAME" per case, the diagnostics of a failed
	# one as "# ...", and "! NAME" if the suite failed with no failed case.
	awk -v suite="$suite" '
		/^    (KTAP version|1\.\.|# Subtest:)/ { next }
		/^    (not )?ok [0-9]+ / {
			bad = $1 == "not"
			sub(/^    (not )?ok [0-9]+ /, "")
			if (bad) {
				nbad++
				print "- " suite ": " $0 diag
			} else {
				print "+ " suite ": " $0
			}
			diag = ""
			next
		}
		/^    / {
			line = substr($0, 5)
			sub(/^# /, "", line)
			diag = diag "\n# " line
			next
		}
		/^not ok [0-9]+ / { suitebad = 1 }
		END { if (suitebad && !nbad) print "! " suite }
	' "$dir/$suite/results" >"$tmp"
	cases=0
	while IFS= read -r line; do
		case $line in
		"+ "*) ok "${line#+ }"; cases=$((cases + 1)) ;;
		"- "*) not_ok "${line#- }"; cases=$((cases + 1)) ;;
		"! "*) not_ok "$suite: the suite failed" ;;
		*) echo "$line" ;;
		esac
	done <"$tmp"
	[ "$cases" -gt 0 ] || not_ok "$suite: no case ran"
done
tap_end kunit.sh
