#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The Debian package on this host, as root: "make deb" builds it with
# Debian's tools; apt installs it; vcryptctl, its man page and its bash
# completion work; Debian's udevadm reads the udev rules without an error
# (and finds the one in a broken copy); dkms knows the module, and a real
# "dkms build" compiles it against the test kernel's headers
# (build/kernel/kdir: this host's own kernel has none); apt purges it
# again and the host is left as it was: no package, no DKMS tree, no
# source, no signing key or /run/cdi that was not there before.
#
# Usage: tests/package.sh  (after make kernel; BUILD as for make)
# Prints TAP; exits non-zero if a check failed.

set -u

root=$(realpath "$(dirname "$0")/..")
build=${BUILD:-$root/build}
kver=$(cat "$build/kernel/version")
kdir=$(realpath "$build/kernel/kdir")
ver=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"$/\1/p' "$root/dkms.conf")
tmp=$(mktemp -d)
# shellcheck source=selftests/vcrypt/tap.sh
. "$root/tests/selftests/vcrypt/tap.sh"

# check WHAT COMMAND...: COMMAND succeeds (its output goes to $tmp/out)
check() {
	local what=$1

	shift
	if "$@" >"$tmp/out" 2>&1; then
		ok "$what"
	else
		not_ok "$what"
		sed 's/^/# /' "$tmp/out" | tail -n 20
	fi
}

echo "TAP version 13"
if [ "$(id -u)" != 0 ]; then
	echo "Bail out! needs root (installs the package)"
	exit 1
fi
if dpkg-query -W -f '${Status}' vcrypt 2>/dev/null | grep -q installed; then
	echo "Bail out! the package vcrypt is installed on this host already"
	exit 1
fi
# What must be as it was afterwards
had_mok=$(ls /var/lib/dkms/mok.* 2>/dev/null)
had_cdi=$([ -e /run/cdi ] && echo 1)
had_dkms=$(ls /var/lib/dkms 2>/dev/null)

cleanup() {
	if dpkg-query -W -f '${Status}' vcrypt 2>/dev/null | grep -q installed; then
		DEBIAN_FRONTEND=noninteractive apt-get purge -y -q vcrypt \
			>/dev/null 2>&1
	fi
	rm -rf "$tmp"
}
trap cleanup EXIT

start=$SECONDS
check "make deb" make -s -C "$root" deb
deb=$(ls "$build"/deb/vcrypt_"$ver"_*.deb 2>/dev/null)
check "the package is built" test -n "$deb"
check "the package holds vcryptctl, its man page and completion, udev rules and the DKMS source" \
	sh -c 'dpkg-deb -c "$1" | grep -c -E " \./(usr/sbin/vcryptctl|usr/share/man/man8/vcryptctl\.8\.gz|usr/share/bash-completion/completions/vcryptctl|usr/lib/udev/rules\.d/60-vcrypt\.rules|usr/src/vcrypt-[0-9.]+/dkms\.conf|usr/src/vcrypt-[0-9.]+/drivers/crypto/vcrypt/vcrypt_main\.c)$" |
	       grep -qx 6' sh "$deb"
echo "# make deb: $((SECONDS - start)) s"

check "apt-get install ./$(basename "$deb")" \
	env DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
	--no-install-recommends "$deb"
check "vcryptctl --version" sh -c \
	'/usr/sbin/vcryptctl --version | grep -qx "vcryptctl $1 (vcrypt ABI 1.1)"' \
	sh "$ver"
check "vcryptctl without a card says so and exits 1" sh -c \
	'/usr/sbin/vcryptctl status 2>&1; test $? -eq 1' sh
check "man vcryptctl" sh -c \
	'man -P cat vcryptctl 2>/dev/null | grep -q "vcryptctl - show and set"'
# The completion: what bash offers after "vcryptctl st" and "vcryptctl -"
check "bash completes commands and global options" bash -c '
	. /usr/share/bash-completion/completions/vcryptctl
	COMP_WORDS=(vcryptctl st); COMP_CWORD=1; _vcryptctl
	[ "${COMPREPLY[*]}" = "status" ] || exit 1
	COMP_WORDS=(vcryptctl -j me); COMP_CWORD=2; _vcryptctl
	[ "${COMPREPLY[*]}" = "metrics" ] || exit 1
	COMP_WORDS=(vcryptctl --p); COMP_CWORD=1; _vcryptctl
	[ "${COMPREPLY[*]}" = "--pretty" ] || exit 1
	COMP_WORDS=(vcryptctl metrics -); COMP_CWORD=2; _vcryptctl
	[ "${COMPREPLY[*]}" = "-i --interval -o --output" ]'

# The udev rules, read by Debian's udevadm (in a mount namespace of its
# own: the host's rules directories are not touched). A copy with a typo
# shows that a problem would be reported.
udev_rules() {
	unshare -m sh -c '
		mount -t tmpfs tmpfs /etc/udev/rules.d || exit 1
		[ -z "$1" ] || cp "$1" /etc/udev/rules.d/
		udevadm test --action=add /devices/virtual/mem/null 2>&1' \
		sh "${1:-}"
}
udev_rules >"$tmp/udev"
if grep -q "^Reading rules file: /usr/lib/udev/rules.d/60-vcrypt.rules$" \
	"$tmp/udev" && ! grep -q "60-vcrypt.rules:[0-9]" "$tmp/udev"; then
	ok "udevadm reads 60-vcrypt.rules without a complaint"
else
	not_ok "udevadm reads 60-vcrypt.rules without a complaint"
	grep "vcrypt" "$tmp/udev" | sed 's/^/# /'
fi
sed 's/SYMLINK+=/SYMLNK+=/' /usr/lib/udev/rules.d/60-vcrypt.rules \
	>"$tmp/61-broken.rules"
udev_rules "$tmp/61-broken.rules" >"$tmp/udev"
if grep -q "61-broken.rules:[0-9]* Invalid key 'SYMLNK'" "$tmp/udev"; then
	ok "udevadm reports a broken copy of the rules"
else
	not_ok "udevadm reports a broken copy of the rules"
	grep "broken" "$tmp/udev" | sed 's/^/# /'
fi

# DKMS: the package added the module; a real build for the test kernel
check "dkms status: vcrypt/$ver added" sh -c \
	'dkms status vcrypt | grep -qx "vcrypt/$1: added"' sh "$ver"
start=$SECONDS
check "dkms build vcrypt/$ver -k $kver" dkms build -m vcrypt -v "$ver" \
	-k "$kver" --kernelsourcedir "$kdir"
echo "# dkms build: $((SECONDS - start)) s"
check "dkms status: built for $kver" sh -c \
	'dkms status vcrypt | grep -q "^vcrypt/$1, $2, x86_64: built$"' \
	sh "$ver" "$kver"
ko=$(ls /var/lib/dkms/vcrypt/"$ver"/"$kver"/x86_64/module/vcrypt.ko* 2>/dev/null |
     head -n 1)
check "the module DKMS built is for $kver" sh -c \
	'[ -n "$1" ] && modinfo -F vermagic "$1" | grep -q "^$2 "' sh "$ko" "$kver"

check "apt-get purge vcrypt" env DEBIAN_FRONTEND=noninteractive \
	apt-get purge -y -q vcrypt
check "the package is gone" sh -c \
	'! dpkg-query -W -f "\${Status}" vcrypt 2>/dev/null | grep -q installed'
check "dkms knows no vcrypt" sh -c '[ -z "$(dkms status vcrypt)" ]'
check "no DKMS tree, source, tool or owners file is left" sh -c \
	'! ls -d /var/lib/dkms/vcrypt /usr/src/vcrypt-* /usr/sbin/vcryptctl \
		/etc/vcrypt /usr/lib/udev/rules.d/60-vcrypt.rules 2>/dev/null'
# What DKMS or systemd-tmpfiles made on the way
if [ -z "$had_mok" ]; then
	rm -f /var/lib/dkms/mok.key /var/lib/dkms/mok.pub
fi
if [ -z "$had_cdi" ] && [ -d /run/cdi ]; then
	rmdir /run/cdi
fi
check "/var/lib/dkms is as it was" sh -c \
	'[ "$(ls /var/lib/dkms 2>/dev/null)" = "$1" ]' sh "$had_dkms"

tap_end package.sh
