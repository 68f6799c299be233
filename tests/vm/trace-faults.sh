#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The trace event of card faults, vcrypt_card_fault, in a guest of its own:
# the host makes the QEMU model misbehave through QMP (the card's
# fault-out-len-delta, fault-corrupt-completions and fault-device-error
# properties) when the guest asks for it, and the guest reads the events
# through tracefs: completions whose out_len is one too long (bad-result,
# the cookie), a completion with a wrong cookie (bad-completion, the
# cookie), the command
# it belonged to failed when the next completion shows it was skipped
# (lost-completion, 1), and a halt (halt, the card's ERROR code INJECTED).
#
# Usage: tests/vm/trace-faults.sh   (holding the CPU lock, as vm-run.sh)
# Prints TAP; exits non-zero if a check failed.

set -u

root=$(realpath "$(dirname "$0")/../..")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# shellcheck source=../selftests/vcrypt/tap.sh
. "$root/tests/selftests/vcrypt/tap.sh"

cat >"$tmp/guest.sh" <<'EOF'
t=/sys/kernel/tracing
[ -e $t/events/vcrypt ] || mount -t tracefs tracefs $t
echo 1 >$t/events/vcrypt/vcrypt_card_fault/enable
# until_event KIND: send SHA-256 requests through the raw hook, one every
# 0.2 s (each one's completion shows whether an earlier one was skipped),
# until the trace has a fault KIND; 60 s at most
until_event() {
	i=0
	while ! grep -q "fault=$1 " $t/trace && [ $i -lt 300 ]; do
		[ -z "${2:-}" ] || (printf abc | vcrypt-raw -x sha256 >/dev/null 2>&1 &)
		sleep 0.2
		i=$((i + 1))
	done
}
echo "@@qom fault-out-len-delta 1"
until_event bad-result requests
echo "@@qom fault-out-len-delta 0"
echo "@@qom fault-corrupt-completions 1"
until_event bad-completion requests
until_event lost-completion requests
echo "@@qom fault-device-error true"
until_event halt
echo 0 >$t/events/vcrypt/vcrypt_card_fault/enable
grep vcrypt_card_fault $t/trace
EOF

# qom SOCKET PROPERTY VALUE: set a property of the card
qom() {
	python3 - "$@" <<'EOF'
import json, socket, sys

path, prop, value = sys.argv[1], sys.argv[2], sys.argv[3]
value = {"true": True, "false": False}.get(value, value)
if isinstance(value, str):
    value = int(value)
s = socket.socket(socket.AF_UNIX)
s.connect(path)
f = s.makefile("rw")
f.readline()
for msg in ({"execute": "qmp_capabilities"},
            {"execute": "qom-set", "arguments": {
                "path": "/machine/peripheral/vcrypt0", "property": prop,
                "value": value}}):
    f.write(json.dumps(msg) + "\n")
    f.flush()
    while True:
        r = json.loads(f.readline())
        if "error" in r:
            sys.exit("qmp: %s" % r["error"])
        if "return" in r:
            break
EOF
}

echo "TAP version 13"
qmp=$tmp/qmp.sock
VM_QMP=$qmp VM_TIMEOUT=180 SCRIPT=$tmp/guest.sh \
	bash "$root/tests/vm/vm-run.sh" 2>"$tmp/err" |
	while IFS= read -r line; do
		printf '%s\n' "$line" >>"$tmp/out"
		case $line in
		"@@qom "*)
			# shellcheck disable=SC2086 # property and value
			qom "$qmp" ${line#@@qom } >>"$tmp/out" 2>&1 ||
				echo "qom-set failed: $line" >>"$tmp/out"
			;;
		esac
	done
sed 's/^/# /' "$tmp/out"

# expect NAME REGEX: one trace line matches
expect() {
	if grep -q -E -- "$2" "$tmp/out"; then
		ok "$1"
	else
		not_ok "$1"
	fi
}
card="card=0000:[0-9a-f]{2}:[0-9a-f]{2}\.[0-7]"
expect "vcrypt_card_fault: a completion whose out_len breaks the specification" \
	"vcrypt_card_fault: $card fault=bad-result value=[0-9]+ in_flight=[1-9]"
expect "vcrypt_card_fault: a completion with a wrong cookie" \
	"vcrypt_card_fault: $card fault=bad-completion value=[1-9][0-9]* in_flight=[1-9]"
expect "vcrypt_card_fault: the command it belonged to, lost" \
	"vcrypt_card_fault: $card fault=lost-completion value=1 in_flight=[1-9]"
expect "vcrypt_card_fault: the card halted with ERROR=INJECTED (5)" \
	"vcrypt_card_fault: $card fault=halt value=5 in_flight=[0-9]+$"
if grep -q "^vm-run: exit status 0$" "$tmp/out"; then
	ok "the guest ran to the end"
else
	not_ok "the guest ran to the end"
	sed 's/^/# /' "$tmp/err"
fi
tap_end trace-faults.sh
