#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# What `make run` does inside the guest: show the card and the driver,
# push real work through the card's ring, show the card's counters, use
# the card through the kernel crypto API, then share it among tenants.
set -eu

card=$(ls -d /sys/bus/pci/drivers/vcrypt/0000:* 2>/dev/null | head -n1)
if [ -z "$card" ]; then
	echo "demo: no card bound to the vcrypt driver" >&2
	exit 1
fi
bdf=${card##*/}
stats=/sys/kernel/debug/vcrypt/$bdf/stats

echo "== card $bdf: vendor $(cat "$card/vendor") device $(cat "$card/device"), driver vcrypt"
grep vcrypt /proc/interrupts | sed 's/^/   /'
echo "== card counters before"
sed 's/^/   /' "$stats"

msg="one card, many tenants"
echo "== SHA-256 of '$msg': on the card, then busybox in software"
printf '%s' "$msg" | vcrypt-raw -x sha256
printf '%s' "$msg" | sha256sum | cut -d' ' -f1

echo "== SHA-512 of 1 MiB of random data: card vs software"
dd if=/dev/urandom of=/tmp/data bs=64k count=16 2>/dev/null
a=$(vcrypt-raw -x sha512 < /tmp/data)
b=$(sha512sum < /tmp/data | cut -d' ' -f1)
echo "   card     $a"
echo "   software $b"
[ "$a" = "$b" ]

key=000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f
iv=cafebabefacedbaddecaf888
echo "== AES-256-GCM: encrypt '$msg' (16-byte tag), decrypt it back"
printf '%s' "$msg" | vcrypt-raw -k $key -i $iv -t 16 aes-gcm > /tmp/sealed
echo "   sealed  $(od -An -tx1 -v /tmp/sealed | tr -d ' \n')"
echo "   opened  '$(vcrypt-raw -d -k $key -i $iv -t 16 aes-gcm < /tmp/sealed)'"
echo "== AES-256-GCM: a flipped ciphertext bit is refused"
printf '\001' | dd of=/tmp/sealed bs=1 seek=0 conv=notrunc 2>/dev/null
if vcrypt-raw -d -k $key -i $iv -t 16 aes-gcm < /tmp/sealed; then
	echo "demo: tampered message was accepted" >&2
	exit 1
fi

echo "== AES-128-CTR: 1 MiB encrypted and decrypted again"
vcrypt-raw -k 2b7e151628aed2a6abf7158809cf4f3c -i f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff \
	aes-ctr < /tmp/data > /tmp/enc
vcrypt-raw -k 2b7e151628aed2a6abf7158809cf4f3c -i f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff \
	-d aes-ctr < /tmp/enc > /tmp/dec
cmp /tmp/data /tmp/dec && echo "   round trip identical"

echo "== card counters after"
sed 's/^/   /' "$stats"

host=/sys/class/vcrypt/vcrypt-host0
echo "== the kernel crypto API: the card's algorithms, tested by the kernel"
awk '/^driver/ { d = $3 } /^module/ { m = $3 }
     /^selftest/ && m == "vcrypt" { print "   " d ": selftest " $3 }' /proc/crypto
echo "== SHA-256 of '$msg' through AF_ALG (Debian's kcapi-dgst)"
before=$(cat "$host/completed_ops")
printf '%s' "$msg" | kcapi-dgst -c sha256 --hex
echo
echo "   the card's host slice did $(($(cat "$host/completed_ops") - before)) request(s) of it"

# Four tenants, each on its own node, keep the card busy; vcryptctl shows
# what each gets over two seconds of it, then tenant 3 gets weight 400.
tenants() {
	vcrypt-bench -n 4 -f 2 -q 32 -s 16K -W 1 -t 4 -K -l "$1" >"/tmp/$1" &
	sleep 2
	vcryptctl status -i 2 | sed 's/^/   /'
	wait $!
	awk -F'\t' '$1 == "slice" {
		printf "   vcrypt%s: weight %s, %s MB/s, %s %% of card time\n",
		       $3, $5, $9, $11 }' "/tmp/$1"
}

echo "== slices: one node per tenant, mode 0600"
ls -l /dev/vcrypt* | sed 's/^/   /'
echo "== four tenants load vcrypt0..3 at once, equal weights"
tenants equal
echo "== vcryptctl weight 3 400: tenant 3 now gets 4 of 7 parts"
vcryptctl weight 3 400
tenants weighted
