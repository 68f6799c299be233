#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# report.sh: "make bench". Runs the benchmark scenarios
# (tools/vcrypt-bench/bench.sh) in one test guest, keeps the raw output in
# build/bench/, and writes Documentation/bench/report.md with its plots.
# Documentation/bench.rst describes the scenarios and the report.
#
# Usage:
#   tools/vcrypt-bench/report.sh              run the guest, write the report
#   tools/vcrypt-bench/report.sh --from DIR   write the report from the raw
#                                             output of an earlier run in DIR
#
# Environment:
#   BENCH_PROPS   card rates of the main phases, as vm-run's VCRYPT_PROPS
#                 (default: ops-per-sec=2000,bytes-per-sec=10000000, a tenth
#                 of the card's defaults; see Documentation/bench.rst)
#   BENCH_OUT     where the report goes (default Documentation/bench)
#   BENCH_ONLY    for development: run only these scenarios of bench.sh
#                 (e.g. "kapi"); the raw output then goes to
#                 build/bench-only/ and the report, with n/a for the rest,
#                 to build/bench-only/report/ unless BENCH_OUT says where
#   VM_TIMEOUT    limit of the guest run, seconds (default 900)
#   BUILD, QEMU, VCRYPT_KO   as for tests/vm/vm-run.sh
#
# While the guest runs, bench.sh asks for other card rates with lines
# "@@rate OPS BYTES"; this script sets them through QEMU's QMP socket
# (qom-set on the card, by a few lines of python3, which the QEMU build
# needs anyway). Exit status: 0 when the run and the report are
# complete and no request failed; otherwise vm-run's status, or 1.

set -euo pipefail

root=$(realpath "$(dirname "$0")/../..")
build=${BUILD:-$root/build}
raw_dir=$build/bench
out=${BENCH_OUT:-$root/Documentation/bench}
only=${BENCH_ONLY:-}
if [ -n "$only" ]; then
	raw_dir=$build/bench-only
	out=${BENCH_OUT:-$raw_dir/report}
fi
props=${BENCH_PROPS:-ops-per-sec=2000,bytes-per-sec=10000000}
timeout=${VM_TIMEOUT:-900}
from=

case ${1:-} in
--from)
	from=${2:?--from needs a directory}
	raw_dir=$(realpath "$from")
	;;
"")
	;;
*)
	echo "usage: $0 [--from DIR]" >&2
	exit 2
	;;
esac
raw=$raw_dir/raw.tsv
host=$raw_dir/host.tsv

# qmp_set SOCKET OPS BYTES: set the card's rates
qmp_set() {
	python3 - "$@" <<'EOF'
import json, socket, sys

path, ops, nbytes = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
s = socket.socket(socket.AF_UNIX)
s.connect(path)
f = s.makefile("rw")
f.readline()


def cmd(name, **args):
    msg = {"execute": name}
    if args:
        msg["arguments"] = args
    f.write(json.dumps(msg) + "\n")
    f.flush()
    while True:
        r = json.loads(f.readline())
        if "error" in r:
            sys.exit("qmp: %s: %s" % (name, r["error"]))
        if "return" in r:
            return r["return"]


cmd("qmp_capabilities")
for prop, val in (("ops-per-sec", ops), ("bytes-per-sec", nbytes)):
    cmd("qom-set", path="/machine/peripheral/vcrypt0", property=prop,
        value=val)
EOF
}

# Copies the guest's output to stdout, acting on its requests
follow() {
	local line qmp=$1

	while IFS= read -r line; do
		printf '%s\n' "$line"
		case $line in
		"@@rate "*)
			# shellcheck disable=SC2086 # two numbers
			set -- $line
			echo "bench: card rates: $2 ops/s, $3 bytes/s" >&2
			qmp_set "$qmp" "$2" "$3" >&2 ||
				echo "bench: could not set the card rates" >&2
			;;
		"@@run "*)
			echo "bench: ${line#@@run }" >&2
			;;
		phase*|skip*)
			echo "bench: $line" >&2
			;;
		esac
	done
}

run_guest() {
	local qmp=$raw_dir/qmp.sock rc=0 script_cmd
	local script=$root/tools/vcrypt-bench/bench.sh

	rm -rf "$raw_dir"
	mkdir -p "$raw_dir"
	script_cmd="VCRYPT_PROPS=$props VM_TIMEOUT=$timeout"
	script_cmd+=" SCRIPT=tools/vcrypt-bench/bench.sh tests/vm/vm-run.sh"
	if [ -n "$only" ]; then
		# vm-run passes no environment: set it in a copy of the script
		script=$raw_dir/bench.sh
		sed "1a BENCH_ONLY='$only'" \
			"$root/tools/vcrypt-bench/bench.sh" >"$script"
		script_cmd="BENCH_ONLY='$only' $script_cmd"
	fi
	{
		printf 'date\t%s\n' "$(date -u '+%Y-%m-%d %H:%M UTC')"
		printf 'host_cpu\t%s\n' "$(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo)"
		printf 'host_cpus\t%s\n' "$(nproc)"
		printf 'host_load_before\t%s\n' "$(cut -d' ' -f1-3 /proc/loadavg)"
		printf 'qemu\t%s\n' "$("${QEMU:-$build/qemu/qemu-system-x86_64}" --version | head -n1)"
		printf 'guest_kernel\t%s\n' "$(cat "$build/kernel/version" 2>/dev/null)"
		printf 'commit\t%s\n' "$(git -C "$root" describe --always --dirty 2>/dev/null || echo unknown)"
		printf 'props\t%s\n' "$props"
		printf 'command\t%s\n' "$script_cmd"
	} >"$host"

	echo "bench: guest run, output in $raw" >&2
	VCRYPT_PROPS=$props VM_QMP=$qmp VM_TIMEOUT=$timeout \
		SCRIPT=$script \
		bash "$root/tests/vm/vm-run.sh" 2>"$raw_dir/vm-run.log" |
		follow "$qmp" >"$raw" || rc=${PIPESTATUS[0]}
	printf 'host_load_after\t%s\n' "$(cut -d' ' -f1-3 /proc/loadavg)" >>"$host"
	cp "$(sed -n 's/^vm-run: console log //p' "$raw_dir/vm-run.log")" \
		"$raw_dir/console.log" 2>/dev/null || true
	return "$rc"
}

status=0
if [ -z "$from" ]; then
	run_guest || status=$?
	if [ "$status" -gt 1 ]; then
		echo "bench: the guest run failed (status $status):" >&2
		tail -n 30 "$raw_dir/vm-run.log" >&2
		grep 'vcrypt-bench:\|^bench:' "$raw" >&2 || true
		exit "$status"
	fi
fi
if [ ! -r "$raw" ] || [ ! -r "$host" ]; then
	echo "bench: no $raw or $host" >&2
	exit 1
fi

mkdir -p "$out"
bash "$root/tools/vcrypt-bench/render.sh" "$raw_dir" "$out" || status=1
echo "bench: report in $out/report.md" >&2
exit "$status"
