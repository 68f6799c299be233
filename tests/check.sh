#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make check: every test of vcrypt, in six stages.
#   qtest   the QEMU device model's qtest (qemu-model/run-qtest.sh)
#   tools   vcryptctl's own tests on a fake sysfs tree (host side)
#   lint    checkpatch --strict on every C file of the product and of the
#           tests, and a sparse (C=2) W=1 build of the module that must
#           give no warning
#   package the Debian package on the host (tests/package.sh): make deb,
#           install, vcryptctl, udev rules, a real dkms build, purge
#   guest   the selftests in the test guest (tests/vm/vm-run.sh run-tests),
#           then the trace of card faults (tests/vm/trace-faults.sh);
#           an oops, WARNING, BUG, hang and so on in the kernel console
#           fails this stage
#   debug   a sparse W=1 build of the module with its KUnit suites for
#           the debug kernel, then the suites that check correctness and
#           leaks, the crypto manager's extra tests and the driver's KUnit
#           suites, on that kernel (VM_KERNEL=debug): any KASAN, UBSAN,
#           lockdep, ODEBUG or kmemleak report fails it too
#
# Usage: tests/check.sh [STAGE...]   (after make module qemu kernel; the
#   debug stage builds the debug kernel itself, in the background)
#   with no STAGE, all of them; e.g. "tests/check.sh lint" for make lint
#
# Environment: BUILD (default <repo>/build), KDIR (kernel build directory
# for the sparse build, default $BUILD/kernel/kdir), and what vm-run.sh
# takes (VM_TIMEOUT, here 3600 unless set: a bound for a hang, ...);
# DEBUG_TIMEOUT, the time
# limit of the debug stage's run (default 900 s).
#
# Counts each qtest case, each file checkpatch looks at, the sparse build
# (one failure per warning), each selftest case and the console check.
# A skipped case counts apart: it must be listed, with its reason, in
# tests/skips.list, or it fails the run. The line before the last is
# "N skipped"; the last line of output is "N passed, N failed"; the exit
# status is 0 only if nothing failed and every stage ran.

set -euo pipefail

root=$(realpath "$(dirname "$0")/..")
build=${BUILD:-$root/build}
kdir=${KDIR:-$build/kernel/kdir}
checkpatch=$build/kernel/src/scripts/checkpatch.pl
cd "$root"

skips_list=tests/skips.list
passed=0
failed=0
skipped=0
log=$(mktemp -d)
trap 'rm -rf "$log"' EXIT

# result STAGE PASSED FAILED [SKIPPED]
result() {
	echo "check: $1: pass $2, fail $3, skip ${4:-0}"
	passed=$((passed + $2))
	failed=$((failed + $3))
	skipped=$((skipped + ${4:-0}))
}

# Count TAP results in file $1 at nesting $2 ("" or "# "): prints
# "PASSED FAILED SKIPPED". The skipped ones go to file $3, one a line as
# "TEST: DESCRIPTION # SKIP REASON", where TEST is the selftest program
# that printed it (from run-tests' "# selftests: vcrypt: TEST" lines), if
# any.
count_tap() {
	awk -v pre="$2" -v out="$3" '
		/^# selftests: vcrypt: / { prog = $4 }
		index($0, pre "ok ") == 1 {
			line = substr($0, length(pre) + 4)
			k = index(line, " # SKIP")
			if (k == 0) {
				p++
				next
			}
			s++
			sub(/^[0-9]+ /, "", line)
			k = index(line, " # SKIP")
			print (prog == "" ? "" : prog ": ") line > out
		}
		index($0, pre "not ok ") == 1 { f++ }
		END { print p + 0, f + 0, s + 0 }' "$1"
}

# check_skips STAGE FILE: every skip in FILE (as count_tap writes them)
# must match a line "STAGE REGEX -- REASON" of tests/skips.list, REGEX an
# extended regular expression for the whole "TEST: DESCRIPTION" (the
# part before " # SKIP"). Sets unlisted to the number of skips that do
# not, and prints them.
check_skips() {
	local stage=$1 file=$2 line entry what re why listed

	unlisted=0
	[ -s "$file" ] || return 0
	while IFS= read -r line; do
		what=${line%% # SKIP*}
		listed=
		while IFS= read -r entry; do
			case $entry in "$stage "*" -- "?*) ;; *) continue ;; esac
			re=${entry#"$stage "}
			why=${re#* -- }
			re=${re%% -- *}
			if [ -n "$why" ] &&
			   printf '%s\n' "$what" | grep -q -x -E -- "$re"; then
				listed=1
				break
			fi
		done <"$skips_list"
		if [ -z "$listed" ]; then
			echo "check: $stage: skip not listed in $skips_list: $line"
			unlisted=$((unlisted + 1))
		fi
	done <"$file"
}

# run_tap STAGE COMMAND...: run a command that prints TAP and count its
# cases; it failing without a failed case, or running none, is a failure.
run_tap() {
	local stage=$1 rc=0 p f s

	shift
	echo "check: == $stage"
	"$@" >"$log/$stage" 2>&1 || rc=$?
	grep -E '^(not )?ok ' "$log/$stage" || true
	read -r p f s < <(count_tap "$log/$stage" "" "$log/$stage.skips")
	check_skips "$stage" "$log/$stage.skips"
	f=$((f + unlisted))
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		echo "check: $stage: exit status $rc"
		tail -n 20 "$log/$stage"
		f=1
	fi
	if [ "$p" -eq 0 ] && [ "$f" -eq 0 ]; then
		echo "check: $stage: no test ran"
		f=1
	fi
	result "$stage" "$p" "$f" "$s"
}

stage_qtest() {
	run_tap qtest bash qemu-model/run-qtest.sh "$build/qemu"
}

stage_tools() {
	run_tap tools make -s -C tools/vcryptctl check
}

stage_package() {
	run_tap package bash tests/package.sh
}

stage_lint() {
	local p=0 f=0 file out

	echo "check: == lint"
	if [ ! -e "$checkpatch" ]; then
		echo "check: lint: $checkpatch missing (run: make kernel)"
		f=$((f + 1))
	else
		for file in drivers/crypto/vcrypt/*.[ch] \
			    drivers/crypto/vcrypt/tests/*.c \
			    include/uapi/linux/*.h tools/*/*.c \
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

	sparse_build "the module" make -C "$kdir" M="$root" C=2 W=1 modules
	result lint "$p" "$f"
}

# sparse_build WHAT COMMAND...: a build that must give no warning; adds to
# the caller's p and f
sparse_build() {
	local what=$1 warnings

	shift
	if "$@" >"$log/sparse" 2>&1; then
		warnings=$(grep -c -E '(warning|error):|^WARNING:' \
			   "$log/sparse" || true)
	else
		echo "check: sparse build of $what failed"
		warnings=$(grep -c -E '(warning|error):|^WARNING:' \
			   "$log/sparse" || true)
		[ "$warnings" -gt 0 ] || warnings=1
	fi
	if [ "$warnings" -eq 0 ]; then
		p=$((p + 1))
	else
		echo "check: sparse build of $what (C=2 W=1): $warnings warnings or errors"
		grep -E '(warning|error):|^WARNING:' "$log/sparse" ||
			tail -n 20 "$log/sparse"
		f=$((f + warnings))
	fi
}

# run_guest STAGE COMMAND...: run a command that boots the test guest to
# run run-tests (vm-run.sh), and count what it prints. run-tests prints
# TAP: one "ok N selftests: vcrypt: TEST" line per test program, after that
# program's own TAP indented by "# ". Counts the programs' cases; a program
# that failed without a failed case (it crashed or timed out) counts one
# failure more, and so does each program of the plan that never reported.
# The run itself counts one case: vm-run's console check. Skips count
# apart and must be listed in tests/skips.list under STAGE.
run_guest() {
	local stage=$1 rc=0 p f s plan tops progfail

	shift
	echo "check: == $stage"
	{ "$@" 2>&1 || echo $? >"$log/$stage.rc"; } | tee "$log/$stage"
	[ ! -e "$log/$stage.rc" ] || rc=$(cat "$log/$stage.rc")
	read -r p f s < <(count_tap "$log/$stage" "# " "$log/$stage.skips")
	# a whole test that skipped (exit status 4): "ok N selftests: ... # SKIP"
	grep -E '^ok [0-9]+ selftests: vcrypt: [^ ]+ # SKIP' "$log/$stage" |
		sed 's/^ok [0-9]* selftests: vcrypt: \([^ ]*\) # SKIP/\1: the whole test # SKIP/' \
		>>"$log/$stage.skips" || true
	s=$(wc -l <"$log/$stage.skips" 2>/dev/null || echo 0)
	check_skips "$stage" "$log/$stage.skips"
	f=$((f + unlisted))
	plan=$(sed -n 's/^1\.\.\([0-9]*\)$/\1/p' "$log/$stage" | head -n1)
	tops=$(grep -c -E '^(not )?ok [0-9]+ selftests: ' "$log/$stage" || true)
	progfail=$(awk '
		/^# not ok / { bad = 1 }
		/^not ok [0-9]+ selftests: / { if (!bad) n++ }
		/^(not )?ok [0-9]+ selftests: / { bad = 0 }
		END { print n + 0 }' "$log/$stage")
	f=$((f + progfail))
	if [ -z "$plan" ]; then
		echo "check: $stage: the selftests did not run"
		f=$((f + 1))
	elif [ "$tops" -lt "$plan" ]; then
		echo "check: $stage: $((plan - tops)) of $plan tests did not report"
		f=$((f + plan - tops))
	fi
	# vm-run.sh: 124 time limit, 125 no status, 126 kernel console
	if [ "$rc" -ge 124 ]; then
		echo "check: $stage: vm-run failed (exit status $rc)"
		f=$((f + 1))
	else
		p=$((p + 1))
	fi
	result "$stage" "$p" "$f" "$s"
}

stage_guest() {
	# Each test has its own limit (run-tests); this bounds the whole run.
	run_guest guest env VM_TIMEOUT="${VM_TIMEOUT:-3600}" \
		bash tests/vm/vm-run.sh run-tests
	# The card's faults in the trace, in a guest of their own: the host
	# injects them through QMP.
	run_tap guest-faults bash tests/vm/trace-faults.sh
}

# The suites of the debug stage, in the order they run, one a line: tests
# of tests/selftests/vcrypt/ as run-tests names them. To add a suite to the
# stage, add its line here (and what it needs to run smaller, if anything,
# to debug_env). The stage checks correctness and leaks; what measures
# shares, rates or load stays in the guest stage (fairness, sysfs, stress,
# live, crypto, kcapi.sh, libkcapi.sh, vcryptctl.sh): the debug kernel is
# too slow to keep the card busy, and the stage must stay short.
# Documentation/testing.rst has the list and the time it takes.
debug_suites="
probe
kat_aes
kat_gcm
kat_hash
sg
errors
uapi
kat_slices
testmgr.sh
kunit.sh
race
"

# Cases of those suites left out on the debug kernel, as PROGRAM.CASE, one
# a line, each with why (none today).
debug_exclude="
"

# What the suites read to run smaller on the debug kernel: the crypto
# manager's fuzzing iterations per algorithm (testmgr.sh).
debug_env="FUZZ_ITERATIONS=10"

# The debug kernel takes about 15 minutes to build cold. With the debug
# stage selected, "make debug-module" starts in the background at the
# lowest priority before the first stage, and uses the CPU time the other
# stages leave (the guest stage mostly waits for the emulated card); the
# debug stage waits for it. A warm build is a no-op.
debug_build_start() {
	echo "check: building the debug kernel and its module in the background"
	nice -n 19 make -s -C "$root" debug-module >"$log/debug-build" 2>&1 &
	debug_build=$!
}

stage_debug() {
	local exclude p=0 f=0

	echo "check: == debug"
	if ! wait "$debug_build"; then
		echo "check: debug: make debug-module failed:"
		tail -n 30 "$log/debug-build"
		result debug 0 1
		return
	fi
	# The KUnit suites build only against a kernel with KUnit.
	sparse_build "the module for the debug kernel, with its KUnit suites" \
		bash scripts/build-module.sh "$build/debug-kernel/kdir" \
		"$build/debug-module" C=2 W=1
	result "debug: lint" "$p" "$f"
	# shellcheck disable=SC2086 # one case a word
	exclude=$(printf '%s ' $debug_exclude)	# one line
	echo "check: debug: left out: $exclude"
	# shellcheck disable=SC2086 # one suite a word
	run_guest debug env VM_KERNEL=debug VM_TIMEOUT="${DEBUG_TIMEOUT:-900}" \
		bash tests/vm/vm-run.sh \
		"$debug_env RUN_TESTS_EXCLUDE='$exclude' run-tests" $debug_suites
}

stages=${*:-qtest tools lint package guest debug}
for stage in $stages; do
	case $stage in
	qtest | tools | lint | package | guest | debug) ;;
	*)
		echo "check: unknown stage $stage (qtest, tools, lint, package, guest," \
		     "debug)" >&2
		exit 2
		;;
	esac
done

start=$SECONDS
case " $stages " in *" debug "*) debug_build_start ;; esac
for stage in $stages; do
	"stage_$stage"
done
echo "check: took $((SECONDS - start)) s"
echo "$skipped skipped"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
