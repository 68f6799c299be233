#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Run the vcrypt card's qtest against the QEMU built by build.sh.
#
#   qemu-model/run-qtest.sh OUTDIR [qtest options, e.g. -p /x86_64/vcrypt/rate]
#
# Prints TAP; exits non-zero if a test fails. The whole run is bounded.

set -euo pipefail

if [ $# -lt 1 ]; then
	echo "usage: $0 OUTDIR [qtest options]" >&2
	exit 2
fi
out=$(cd "$1" && pwd)
shift
for f in qemu-system-x86_64 vcrypt-test; do
	if [ ! -x "$out/$f" ]; then
		echo "qtest: $out/$f missing; run qemu-model/build.sh $out" >&2
		exit 1
	fi
done

export QTEST_QEMU_BINARY=$out/qemu-system-x86_64
# Each test boots its own QEMU and steps a bounded amount of virtual time;
# the suite takes seconds, the timeout only guards against a hang.
exec timeout --kill-after=10 300 "$out/vcrypt-test" --tap -k "$@"
