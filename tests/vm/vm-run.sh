#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# vm-run: boot the test guest (the Debian kernel, or the debug kernel, in
# QEMU, with a vcrypt card and vcrypt.ko loaded), run one command or script
# in it, stream its output, and exit with its exit status.
#
# Usage:
#   make vm-run CMD='cat /sys/kernel/debug/vcrypt/*/stats'
#   make vm-run SCRIPT=tools/demo/vcrypt-demo.sh
#   tests/vm/vm-run.sh run-tests kat_hash        (arguments: the command)
#   tests/vm/vm-run.sh                           (interactive shell)
#
# The command runs under busybox sh in the guest, in /tmp, with stdin from
# /dev/null; its output (the guest's /dev/ttyS1) goes to stdout unchanged.
# The kernel console (ttyS0) goes to a log file. At the end vm-run prints
# "vm-run: exit status N" and exits with N, unless the run failed as a
# whole:
#   124  the time limit (VM_TIMEOUT) ran out; QEMU was killed
#   125  the guest reported no status (it crashed or panicked, QEMU failed,
#        or the guest could not load vcrypt.ko)
#   126  the kernel console shows an oops, a WARNING, a BUG, a hung task,
#        a lockup, slab corruption, an IOMMU fault, a KASAN, UBSAN,
#        lockdep, ODEBUG or kmemleak report or similar; the offending
#        lines are printed
# Statuses above 123 from the command itself are reported as 123.
#
# Environment:
#   CMD            shell command to run in the guest
#   SCRIPT         file (busybox sh script) to run in the guest instead
#   VM_KERNEL      debian (default): Debian's kernel, build/kernel, with
#                  vcrypt.ko from the source tree; debug: the debug kernel,
#                  build/debug-kernel (make debug-kernel), with
#                  build/debug-module/.../vcrypt.ko (make debug-module),
#                  2G of memory, cryptomgr.noextratests=1 no_timer_check,
#                  a panic on an RCU stall or soft lockup, and a kmemleak
#                  scan after the command; DMA-API debugging off unless
#                  VM_DMA_DEBUG=1
#   VM_TIMEOUT     seconds before QEMU is killed (default 300, 600 on the
#                  debug kernel; no limit for an interactive shell)
#   VM_NOMOD=1     do not load vcrypt.ko at boot
#   VM_INSMOD_ARGS parameters for vcrypt.ko
#   VM_NO_VCRYPT=1 no vcrypt card in the machine
#   VCRYPT_PROPS   properties for the card, e.g. "ops-per-sec=1000" (added
#                  to -device vcrypt,id=vcrypt0,...)
#   VM_QEMU_ARGS   extra QEMU arguments (split at spaces)
#   VM_APPEND      extra kernel command line
#   VM_SMP, VM_MEM CPUs (default 2) and memory (default 512M, debug 2G)
#   VM_SCAN_IGNORE extended regex: console lines to leave out of the scan
#   VM_QMP         QMP socket path (default: in the run directory)
#   QEMU           QEMU binary (default: build/qemu/qemu-system-x86_64)
#   VCRYPT_KO      module (default: drivers/crypto/vcrypt/vcrypt.ko, or
#                  the debug one), BUILD build directory
#
# Each run has a directory build/vm/runs/<id>/ holding console.log (the
# kernel console) and, while the guest runs, qmp.sock: a QMP socket for
# host-side tools (e.g. qom-set on /machine/peripheral/vcrypt0, the card).
# vm-run prints both paths on stderr. The last 20 run directories are kept.
# The guest's third serial port, /dev/ttyS2, is a second QMP monitor of the
# same QEMU (through guest-qmp.sock in the run directory), so that tests
# in the guest can change the card's fault-injection properties while they
# run (tests/selftests/vcrypt/vcrypt_qmp.h).

set -euo pipefail

root=$(realpath "$(dirname "$0")/../..")
build=${BUILD:-$root/build}
qemu=${QEMU:-$build/qemu/qemu-system-x86_64}
case ${VM_KERNEL:-debian} in
debian)
	kdir=$build/kernel
	ko=${VCRYPT_KO:-$root/drivers/crypto/vcrypt/vcrypt.ko}
	image=$build/vm/base
	timeout=${VM_TIMEOUT:-300}
	mem=${VM_MEM:-512M}
	make_hint="make module"
	;;
debug)
	kdir=$build/debug-kernel
	ko=${VCRYPT_KO:-$build/debug-module/drivers/crypto/vcrypt/vcrypt.ko}
	image=$build/vm/debug/base
	timeout=${VM_TIMEOUT:-600}
	mem=${VM_MEM:-2G}
	make_hint="make debug-module"
	;;
*)
	echo "vm-run: VM_KERNEL is debian or debug, not $VM_KERNEL" >&2
	exit 2
	;;
esac
kernel=$kdir/vmlinuz

CMD=${CMD:-}
SCRIPT=${SCRIPT:-}
if [ $# -gt 0 ]; then
	if [ -n "$CMD$SCRIPT" ]; then
		echo "vm-run: give CMD, SCRIPT or arguments, not several" >&2
		exit 2
	fi
	CMD=$*
fi
if [ -n "$CMD" ] && [ -n "$SCRIPT" ]; then
	echo "vm-run: give CMD or SCRIPT, not both" >&2
	exit 2
fi
interactive=
if [ -z "$CMD$SCRIPT" ]; then
	if [ ! -t 0 ] || [ ! -t 1 ]; then
		echo "vm-run: no CMD or SCRIPT, and not on a terminal for a shell" >&2
		exit 2
	fi
	interactive=1
fi
if [ -n "$SCRIPT" ] && [ ! -r "$SCRIPT" ]; then
	echo "vm-run: cannot read SCRIPT $SCRIPT" >&2
	exit 2
fi
for f in "$qemu" "$kernel"; do
	if [ ! -e "$f" ]; then
		echo "vm-run: $f missing (run: make qemu kernel, or make debug-kernel)" >&2
		exit 125
	fi
done
if [ -z "${VM_NOMOD:-}" ] && [ ! -e "$ko" ]; then
	echo "vm-run: $ko missing (run: $make_hint)" >&2
	exit 125
fi

base=$(GUEST_KERNEL=$kdir VCRYPT_KO=$ko IMAGE=$image \
       bash "$root/tests/vm/mkinitramfs.sh")

mkdir -p "$build/vm/runs"
run=$(mktemp -d "$build/vm/runs/$(date +%Y%m%d-%H%M%S).XXXX")
ls -1d "$build/vm/runs"/*/ | head -n -20 | xargs -r rm -rf
log=$run/console.log
qmp=${VM_QMP:-$run/qmp.sock}

# The per-run archive: /vm/cmd and the boot options.
mkdir "$run/cpio" "$run/cpio/vm"
if [ -n "$SCRIPT" ]; then
	cp "$SCRIPT" "$run/cpio/vm/cmd"
else
	printf '%s\n' "$CMD" >"$run/cpio/vm/cmd"
fi
[ -n "${VM_NOMOD:-}" ] && touch "$run/cpio/vm/nomod"
[ -n "$interactive" ] && touch "$run/cpio/vm/interactive"
printf '%s\n' "${VM_INSMOD_ARGS:-}" >"$run/cpio/vm/insmod-args"
(cd "$run/cpio" && find vm | LC_ALL=C sort |
	cpio -o -H newc -R 0:0 --quiet) >"$run/run.cpio"
cat "$base" "$run/run.cpio" >"$run/initramfs.cpio"
rm -rf "$run/cpio" "$run/run.cpio"

card=()
if [ -z "${VM_NO_VCRYPT:-}" ]; then
	card=(-device "vcrypt,id=vcrypt0${VCRYPT_PROPS:+,$VCRYPT_PROPS}")
fi
read -r -a extra <<<"${VM_QEMU_ARGS:-}"

append="console=ttyS0 intel_iommu=on slab_nomerge panic=-1"
# Report a task stuck in the kernel well before the time limit.
append+=" sysctl.kernel.hung_task_timeout_secs=20"
# Check the kmalloc and vcrypt slab caches for corruption (F: consistency,
# Z: red zones, P: poisoning) and record allocation stacks for the leak
# checks (U: /sys/kernel/debug/slab/*/alloc_traces).
append+=" slub_debug=FZPU,kmalloc-*,vcrypt_*"
if [ "${VM_KERNEL:-debian}" = debug ]; then
	# The crypto manager's extra tests take about a minute per load of
	# vcrypt.ko here: only testmgr.sh turns them on. The timer check
	# can fail on a loaded host. A KASAN report can corrupt the kernel
	# into an RCU stall or a lockup: end the run there, not at the time
	# limit.
	append+=" cryptomgr.noextratests=1 no_timer_check"
	append+=" sysctl.kernel.panic_on_rcu_stall=1 softlockup_panic=1"
	# DMA-API debugging warns when two mappings the card writes start in
	# the same cache line, which user buffers of a tenant may do (see
	# Documentation/testing.rst): on only with VM_DMA_DEBUG=1.
	[ -n "${VM_DMA_DEBUG:-}" ] || append+=" dma_debug=off"
fi
append+=" ${VM_APPEND:-}"

args=(-M q35,kernel-irqchip=split -accel tcg -cpu max
      -smp "${VM_SMP:-2}" -m "$mem" -nodefaults
      -device intel-iommu,intremap=on
      "${card[@]}"
      -device isa-debug-exit,iobase=0xf4,iosize=0x04
      -display none -no-reboot
      -L /usr/share/seabios -L /usr/share/qemu
      -qmp "unix:$qmp,server=on,wait=off"
      -serial "file:$log"
      -kernel "$kernel" -initrd "$run/initramfs.cpio" -append "$append"
      "${extra[@]}")

# The guest's own monitor: a server socket, and ttyS2 connected to it.
gqmp=$run/guest-qmp.sock
for sock in "$qmp" "$gqmp"; do
	if [ "${#sock}" -ge 100 ]; then
		echo "vm-run: QMP socket path too long for a unix socket: $sock" >&2
		exit 2
	fi
done
args+=(-chardev "socket,id=gqmp,path=$gqmp,server=on,wait=off"
       -mon chardev=gqmp,mode=control)

echo "vm-run: console log $log" >&2
echo "vm-run: QMP socket $qmp" >&2
start=$EPOCHREALTIME
qrc=0
if [ -n "$interactive" ]; then
	# Ctrl-C goes to the guest; Ctrl-A x quits QEMU.
	"$qemu" "${args[@]}" -chardev stdio,id=tty,mux=on,signal=off \
		-serial chardev:tty -mon chardev=tty -serial "unix:$gqmp" ||
		qrc=$?
else
	# QEMU makes its stdio non-blocking; the pipe keeps that from the
	# caller's stdout.
	timeout -k 5 "$timeout" "$qemu" "${args[@]}" -serial stdio \
		-serial "unix:$gqmp" </dev/null | cat || qrc=${PIPESTATUS[0]}
fi
end=$EPOCHREALTIME
rm -f "$run/initramfs.cpio"
awk -v s="$start" -v e="$end" \
	'BEGIN { printf "vm-run: QEMU ran %.1f s\n", e - s }' >&2

status=$(sed -n 's/^vm-init: exit status \([0-9]*\).*/\1/p' "$log" | tail -n1)
rc=0
if [ "$qrc" -eq 124 ] || [ "$qrc" -eq 137 ]; then
	echo "vm-run: FAIL: no result after ${timeout} s (VM_TIMEOUT); QEMU killed" >&2
	rc=124
elif [ -z "$status" ] || [ $((qrc % 2)) -ne 1 ] ||
     [ $(((qrc - 1) / 2)) -ne "$status" ]; then
	echo "vm-run: FAIL: the guest reported no status (QEMU exit status $qrc)" >&2
	rc=125
else
	echo "vm-run: exit status $status"
	rc=$status
	[ "$rc" -gt 123 ] && rc=123
fi

# Kernel trouble anywhere in the console log fails the run.
bad='Oops|BUG:|WARNING:|Kernel panic|kernel BUG|general protection|'
bad+='UBSAN|KASAN|list_add corruption|list_del corruption|'
bad+='blocked for more than|soft lockup|hard LOCKUP|self-detected stall|'
bad+='detected stalls on CPUs|'
bad+='Call Trace:|Unable to handle|refcount_t:|double fault|'
bad+='stack-protector|Bad page|segfault at|nobody cared|'
bad+='BUG [^ ]+ \(|overwritten|Object already free|'
bad+='DMAR: DRHD: handling fault|DMAR: \[DMA|DMAR: \[INTR-REMAP|'
bad+='unreferenced object|Kernel memory leak detector disabled|'
bad+='possible circular locking|inconsistent lock state|'
bad+='possible recursive locking|suspicious RCU usage|'
bad+='sleeping function called from invalid context|ODEBUG:|'
bad+='DEBUG_LOCKS_WARN_ON'
hits=$(grep -n -a -E "$bad" "$log" || true)
if [ -n "${VM_SCAN_IGNORE:-}" ]; then
	hits=$(printf '%s\n' "$hits" | grep -v -E "$VM_SCAN_IGNORE" || true)
fi
if [ -n "$hits" ]; then
	echo "vm-run: FAIL: the kernel console shows problems ($log):" >&2
	printf '%s\n' "$hits" | head -n 40 | sed 's/^/vm-run:   /' >&2
	first=$(printf '%s\n' "$hits" | head -n1 | cut -d: -f1)
	echo "vm-run: console from line $first:" >&2
	tail -n "+$first" "$log" | head -n 60 | sed 's/^/vm-run: | /' >&2
	[ "$rc" -lt 124 ] && rc=126
elif [ "$rc" -ge 124 ]; then
	echo "vm-run: last console lines:" >&2
	tail -n 20 "$log" | sed 's/^/vm-run: | /' >&2
fi
exit "$rc"
