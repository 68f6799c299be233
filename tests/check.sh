#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make check: every test of vcrypt, in four stages.
#   qtest   the QEMU device model's qtest (qemu-model/run-qtest.sh)
#   tools   vcryptctl's own tests on a fake sysfs tree (host side)
#   lint    checkpatch --strict on every C file of the product and of the
#           tests, and a sparse (C=2) W=1 build of the module that must
#           give no warning
#   guest   the selftests in the test guest (tests/vm/vm-run.sh run-tests);
#           an oops, WARNING, BUG, hang and so on in the kernel console
#           fails this stage
#
# Usage: tests/check.sh [STAGE...]   (after make module qemu kernel)
#   with no STAGE, all three; e.g. "tests/check.sh lint" for make lint
#
# Environment: BUILD (default <repo>/build), KDIR (kernel build directory
# for the sparse build, default $BUILD/kernel/kdir), and what vm-run.sh
# takes (VM_TIMEOUT, here 1800 unless set, ...).
#
# Counts each qtest case, each file checkpatch looks at, the sparse build
# (one failure per warning), each selftest case and the console check. The
# last line of output is "N passed, N failed"; the exit status is 0 only if
# nothing failed and every stage ran.

set -euo pipefail

root=$(realpath "$(dirname "$0")/..")
build=${BUILD:-$root/build}
kdir=${KDIR:-$build/kernel/kdir}
checkpatch=$build/kernel/src/scripts/checkpatch.pl
cd "$root"

passed=0
failed=0
log=$(mktemp -d)
trap 'rm -rf "$log"' EXIT

# result STAGE PASSED FAILED
result() {
	echo "check: $1: pass $2, fail $3"
	passed=$((passed + $2))
	failed=$((failed + $3))
}

# Count TAP results in file $1 at nesting $2 ("" or "# "): prints
# "PASSED FAILED". A skipped test counts as passed.
count_tap() {
	awk -v pre="$2" '
		index($0, pre "ok ") == 1 { p++ }
		index($0, pre "not ok ") == 1 { f++ }
		END { print p + 0, f + 0 }' "$1"
}

# run_tap STAGE COMMAND...: run a command that prints TAP and count its
# cases; it failing without a failed case, or running none, is a failure.
run_tap() {
	local stage=$1 rc=0 p f

	shift
	echo "check: == $stage"
	"$@" >"$log/$stage" 2>&1 || rc=$?
	grep -E '^(not )?ok ' "$log/$stage" || true
	read -r p f < <(count_tap "$log/$stage" "")
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		echo "check: $stage: exit status $rc"
		tail -n 20 "$log/$stage"
		f=1
	fi
	if [ "$p" -eq 0 ] && [ "$f" -eq 0 ]; then
		echo "check: $stage: no test ran"
		f=1
	fi
	result "$stage" "$p" "$f"
}

stage_qtest() {
	run_tap qtest bash qemu-model/run-qtest.sh "$build/qemu"
}

stage_tools() {
	run_tap tools make -s -C tools/vcryptctl check
}

stage_lint() {
	local p=0 f=0 file out warnings

	echo "check: == lint"
	if [ ! -e "$checkpatch" ]; then
		echo "check: lint: $checkpatch missing (run: make kernel)"
		f=$((f + 1))
	else
		for file in drivers/crypto/vcrypt/*.[ch] include/uapi/linux/*.h tools/*/*.c \
			    tests/vm/*.c tests/selftests/vcrypt/*.[ch]; do
			[ -e "$file" ] || continue
			case $file in *.mod.c) continue ;; esac
			if out=$(perl "$checkpatch" --no-tree --strict -q \
				 -f "$file" 2>&1) && [ -z "$out" ]; then
				p=$((p + 1))
			else
				echo "check: checkpatch $file:"
				printf '%s\n' "$out"
				f=$((f + 1))
			fi
		done
	fi

	if make -C "$kdir" M="$root" C=2 W=1 modules >"$log/sparse" 2>&1; then
		warnings=$(grep -c -E '(warning|error):|^WARNING:' \
			   "$log/sparse" || true)
	else
		echo "check: sparse build failed"
		warnings=$(grep -c -E '(warning|error):|^WARNING:' \
			   "$log/sparse" || true)
		[ "$warnings" -gt 0 ] || warnings=1
	fi
	if [ "$warnings" -eq 0 ]; then
		p=$((p + 1))
	else
		echo "check: sparse build (C=2 W=1): $warnings warnings or errors"
		grep -E '(warning|error):|^WARNING:' "$log/sparse" ||
			tail -n 20 "$log/sparse"
		f=$((f + warnings))
	fi
	result lint "$p" "$f"
}

# The guest prints run-tests' TAP: one "ok N selftests: vcrypt: TEST" line
# per test program, after that program's own TAP indented by "# ". Counts
# the programs' cases; a program that failed without a failed case (it
# crashed or timed out) counts one failure more, and so does each program
# of the plan that never reported.
stage_guest() {
	local rc=0 p f plan tops progfail

	echo "check: == guest"
	# Each test has its own limit (run-tests); this bounds the whole run.
	{ VM_TIMEOUT=${VM_TIMEOUT:-1800} bash tests/vm/vm-run.sh run-tests 2>&1 ||
		echo $? >"$log/guest.rc"; } |
		tee "$log/guest"
	[ ! -e "$log/guest.rc" ] || rc=$(cat "$log/guest.rc")
	read -r p f < <(count_tap "$log/guest" "# ")
	plan=$(sed -n 's/^1\.\.\([0-9]*\)$/\1/p' "$log/guest" | head -n1)
	tops=$(grep -c -E '^(not )?ok [0-9]+ selftests: ' "$log/guest" || true)
	progfail=$(awk '
		/^# not ok / { bad = 1 }
		/^not ok [0-9]+ selftests: / { if (!bad) n++ }
		/^(not )?ok [0-9]+ selftests: / { bad = 0 }
		END { print n + 0 }' "$log/guest")
	f=$((f + progfail))
	if [ -z "$plan" ]; then
		echo "check: guest: the selftests did not run"
		f=$((f + 1))
	elif [ "$tops" -lt "$plan" ]; then
		echo "check: guest: $((plan - tops)) of $plan tests did not report"
		f=$((f + plan - tops))
	fi
	# vm-run.sh: 124 time limit, 125 no status, 126 kernel console
	if [ "$rc" -ge 124 ]; then
		echo "check: guest: vm-run failed (exit status $rc)"
		f=$((f + 1))
	else
		p=$((p + 1))
	fi
	result guest "$p" "$f"
}

stages=${*:-qtest tools lint guest}
for stage in $stages; do
	case $stage in
	qtest | tools | lint | guest) ;;
	*)
		echo "check: unknown stage $stage (qtest, tools, lint, guest)" >&2
		exit 2
		;;
	esac
done

start=$SECONDS
for stage in $stages; do
	"stage_$stage"
done
echo "check: took $((SECONDS - start)) s"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
