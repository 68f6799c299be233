#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make mutate: plant realistic bugs, one at a time, and check that the
# project's own tests catch each (see Documentation/testing.rst).
#
# Usage: tests/mutate.sh [PATTERN...]
#   with PATTERNs, only the mutants whose file name contains one of them
#
# Every tests/mutants/NN-NAME.patch is a small patch of the product (the
# driver, the card model or the tools) with a header: "Mutant:" what the
# bug is, "Breaks:" what it breaks, and one "Stage:" line per stage that
# must catch it:
#   Stage: qtest [PATH]     the model's qtest (cases under PATH)
#   Stage: guest COMMAND    COMMAND in the test guest (a selftest, with its
#                           harness's filters), on the mutant's module and
#                           QEMU, with cryptomgr.notests=1 so that the
#                           kernel's own self-tests of the crypto API do
#                           not do the project's job
#   Stage: tools            vcryptctl's own tests
#   Stage: kunit SUITE      a KUnit suite of the debug kernel's stage; not
#                           built here: reported, not run
# A mutant is killed when every stage it lists that runs fails; the
# table names the first failing test of each. Each mutant is applied to a
# copy of the tree in build/mutate/tree, built there (the module against
# the guest kernel, QEMU in build/mutate/qemu, vcryptctl), and the copy
# restored afterwards; the rest runs on the unchanged module and on make
# check's QEMU (build/qemu). First, each distinct stage runs once on the
# unchanged tree (the guest ones in one boot) and must pass, running at
# least one test. The last line is "N killed, N survived".
#
# Environment: BUILD, KDIR as for check.sh; LOCK, a file that every QEMU
# build and run holds with flock(1) (for machines shared by several
# users); MUTATE_VM_TIMEOUT, the limit of one guest run (default 900 s).

set -euo pipefail

root=$(realpath "$(dirname "$0")/..")
build=${BUILD:-$root/build}
kdir=${KDIR:-$build/kernel/kdir}
work=$build/mutate
tree=$work/tree
log=$work/log
vm_timeout=${MUTATE_VM_TIMEOUT:-900}
cd "$root"

locked() {
	if [ -n "${LOCK:-}" ]; then
		flock "$LOCK" "$@"
	else
		"$@"
	fi
}

say() {
	echo "mutate: $*"
}

# The header field $2 (first line, or all of them) of mutant file $1
field() {
	sed -n "/^---/q; s/^$2: //p" "$1"
}

mkdir -p "$work" "$log"
mapfile -t mutants < <(ls tests/mutants/*.patch)
if [ $# -gt 0 ]; then
	sel=()
	for m in "${mutants[@]}"; do
		for p in "$@"; do
			case $m in *"$p"*) sel+=("$m"); break ;; esac
		done
	done
	mutants=("${sel[@]}")
fi
if [ "${#mutants[@]}" -eq 0 ]; then
	say "no mutant"
	exit 1
fi

# The tree the mutants are applied to: the product's files as they are
say "copying the tree to $tree"
rm -rf "$tree"
mkdir -p "$tree"
git ls-files -z -- drivers include qemu-model tools Kbuild Makefile \
	tests/selftests/vcrypt/tap.sh |
	tar --null -T - -cf - | tar -xf - -C "$tree"

# build_module: the module of the tree; build_qemu: QEMU with its model
build_module() {
	make -s -C "$kdir" M="$tree" W=1 modules >"$1" 2>&1
}

build_qemu() {
	mkdir -p "$work/qemu"
	if [ ! -e "$work/qemu/dl" ] && [ -d "$build/qemu/dl" ]; then
		cp -a "$build/qemu/dl" "$work/qemu/"
	fi
	locked bash "$tree/qemu-model/build.sh" "$work/qemu" >"$1" 2>&1
}

# run_stage STAGE ARGS OUT KO QEMU: run one stage; 0 if it passed. The
# first failing test goes to $OUT.first.
run_stage() {
	local stage=$1 args=$2 out=$3 ko=$4 qemu=$5 rc=0

	: >"$out.first"
	case $stage in
	qtest)
		locked bash "$tree/qemu-model/run-qtest.sh" "$(dirname "$qemu")" \
			${args:+"$args"} >"$out" 2>&1 || rc=$?
		grep -m1 '^not ok ' "$out" | sed 's/^not ok [0-9]* //' \
			>"$out.first" || true
		;;
	guest)
		locked env VCRYPT_KO="$ko" QEMU="$qemu" VM_TIMEOUT="$vm_timeout" \
			VM_APPEND="cryptomgr.notests=1" \
			bash tests/vm/vm-run.sh "$args" >"$out" 2>&1 || rc=$?
		{
			grep -m1 -E '^(# )?not ok ' "$out" |
				sed -E 's/^(# )?not ok [0-9]* //'
			grep -m1 '^vm-run: FAIL' "$out" || true
		} | head -n1 >"$out.first"
		;;
	tools)
		make -s -C "$tree/tools/vcryptctl" OUTPUT="$work/tools" check \
			>"$out" 2>&1 || rc=$?
		grep -m1 '^not ok ' "$out" | sed 's/^not ok [0-9]* //' \
			>"$out.first" || true
		;;
	*)
		echo "unknown stage $stage" >"$out"
		return 2
		;;
	esac
	if [ "$rc" -ne 0 ] && [ ! -s "$out.first" ]; then
		echo "exit status $rc" >"$out.first"
	fi
	return "$rc"
}

# The unchanged tree: module, QEMU, and every distinct stage once
say "building the unchanged tree"
build_module "$log/base-module" ||
	{ say "the module does not build:"; tail "$log/base-module"; exit 1; }
base_ko=$tree/drivers/crypto/vcrypt/vcrypt.ko
cp "$base_ko" "$work/base.ko"
# the unchanged QEMU and qtest: make check's (make mutate builds them)
base_qemu=$build/qemu/qemu-system-x86_64
if [ ! -x "$base_qemu" ] || [ ! -x "$build/qemu/vcrypt-test" ]; then
	say "no QEMU in $build/qemu (run: make qemu)"
	exit 1
fi
# The distinct stages of the mutants; the guest ones run in one boot
declare -A seen=()
stages=()
for m in "${mutants[@]}"; do
	while read -r stage args; do
		if [ -z "$stage" ] || [ "$stage" = kunit ]; then
			continue
		fi
		[ -z "${seen[$stage $args]:-}" ] || continue
		seen[$stage $args]=1
		stages+=("$stage $args")
	done < <(field "$m" Stage)
done
: >"$work/baseline.sh"
n=0
for st in "${stages[@]}"; do
	read -r stage args <<<"$st"
	n=$((n + 1))
	if [ "$stage" = guest ]; then
		printf 'echo "@@ %d"; %s; echo "@@ %d rc $?"\n' "$n" "$args" "$n" \
			>>"$work/baseline.sh"
		continue
	fi
	say "baseline: $stage $args"
	if ! run_stage "$stage" "$args" "$log/base-$n" "$work/base.ko" \
		       "$base_qemu" ||
	   ! grep -q -E '^(# )?ok ' "$log/base-$n"; then
		say "the unchanged tree fails $stage $args, or runs no test (see $log/base-$n)"
		exit 1
	fi
done
if [ -s "$work/baseline.sh" ]; then
	say "baseline: the guest stages, in one boot"
	locked env VCRYPT_KO="$work/base.ko" QEMU="$base_qemu" \
		VM_TIMEOUT=$((vm_timeout * 4)) VM_APPEND="cryptomgr.notests=1" \
		SCRIPT="$work/baseline.sh" bash tests/vm/vm-run.sh \
		>"$log/base-guest" 2>&1 || true
	n=0
	for st in "${stages[@]}"; do
		read -r stage args <<<"$st"
		n=$((n + 1))
		[ "$stage" = guest ] || continue
		# the command's output, between its markers
		sed -n "/^@@ $n\$/,/^@@ $n rc /p" "$log/base-guest" \
			>"$log/base-$n"
		if ! grep -q "^@@ $n rc 0\$" "$log/base-$n" ||
		   ! grep -q -E '^(# )?ok ' "$log/base-$n"; then
			say "the unchanged tree fails $args, or runs no test (see $log/base-guest)"
			exit 1
		fi
	done
fi

killed=0
survived=0
rows=()
for m in "${mutants[@]}"; do
	name=$(basename "$m" .patch)
	say "== $name: $(field "$m" Mutant)"
	if ! patch -s -p1 -d "$tree" <"$m"; then
		say "$name does not apply"
		exit 1
	fi
	ko=$work/base.ko
	qemu=$base_qemu
	status=ok
	if grep -q '^+++ b/drivers/' "$m"; then
		if build_module "$log/$name-module"; then
			cp "$base_ko" "$work/mutant.ko"
			ko=$work/mutant.ko
		else
			status="does not build: $(tail -n1 "$log/$name-module")"
		fi
	fi
	if [ "$status" = ok ] && grep -q '^+++ b/qemu-model/' "$m"; then
		if build_qemu "$log/$name-qemu"; then
			qemu=$work/qemu/qemu-system-x86_64
		else
			status="QEMU does not build"
		fi
	fi

	verdict=killed
	by=
	if [ "$status" != ok ]; then
		verdict=broken
		by=$status
	else
		k=0
		while read -r stage args; do
			[ -n "$stage" ] || continue
			k=$((k + 1))
			if [ "$stage" = kunit ]; then
				by+="${by:+; }kunit $args: not run here"
				verdict=${verdict/killed/not-run}
				continue
			fi
			if run_stage "$stage" "$args" "$log/$name-$k" "$ko" "$qemu"; then
				verdict=survived
				by+="${by:+; }$stage $args: passed"
			else
				by+="${by:+; }$stage: $(cat "$log/$name-$k.first")"
			fi
		done < <(field "$m" Stage)
	fi
	patch -s -R -p1 -d "$tree" <"$m"
	case $verdict in
	killed) killed=$((killed + 1)) ;;
	survived) survived=$((survived + 1)) ;;
	esac
	say "$name: $verdict ($by)"
	rows+=("$(printf '%-34s %-9s %s' "$name" "$verdict" "$by")")
done

echo
printf '%-34s %-9s %s\n' MUTANT RESULT "KILLED BY (stage: first failing test)"
printf '%s\n' "${rows[@]}"
notrun=$(printf '%s\n' "${rows[@]}" | awk '$2 == "not-run"' | wc -l)
broken=$(printf '%s\n' "${rows[@]}" | awk '$2 == "broken"' | wc -l)
[ "$notrun" -eq 0 ] || echo "$notrun not run here (their stage is another build's)"
[ "$broken" -eq 0 ] || echo "$broken broken (do not build)"
echo "$killed killed, $survived survived"
[ "$survived" -eq 0 ] && [ "$broken" -eq 0 ]
