#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# A slice in a container started by a real OCI runtime, Debian's crun: the
# container is described by the CDI spec that "vcryptctl cdi" writes (its
# device vcrypt.io/slice=N applied to an OCI config as a CDI runtime does:
# the node, and a device cgroup rule allowing it), runs with no
# capabilities, gets its slice's known answers through it
# (container_kat), and is refused another slice's node, both when that
# node is in its file system and when it tries to create one; given
# CAP_MKNOD, it creates the node and the device cgroup refuses the open.
# The card's counters show the container's requests on its slice and
# none on the other.
#
# Needs crun, cgroup2 (mounted here if it is not), container_kat and
# vcryptctl beside this script. Prints TAP; exits non-zero if a check
# failed.

set -u

here=$(cd "$(dirname "$0")" && pwd)
class=/sys/class/vcrypt
# shellcheck source-path=SCRIPTDIR source=tap.sh
. "$here/tap.sh"

# The container's slice and the one it must not reach (on the first card)
mine=3
other=2

echo "TAP version 13"
if ! command -v crun >/dev/null; then
	echo "Bail out! no crun"
	exit 1
fi
bdf=
for d in /sys/bus/pci/devices/*; do
	if [ "$(cat "$d/vendor")" = 0x1234 ] && [ "$(cat "$d/device")" = 0x7c01 ]; then
		bdf=${d##*/}
		break
	fi
done
if [ -z "$bdf" ]; then
	echo "Bail out! no vcrypt card"
	exit 1
fi
slices=/sys/bus/pci/devices/$bdf/vcrypt_card/slices
old=$(cat "$slices")
[ "$old" -gt $mine ] || echo $((mine + 1)) >"$slices"
tmp=$(mktemp -d)
cleanup() {
	crun --root "$tmp/state" delete -f vcrypt-test >/dev/null 2>&1
	rm -rf "$tmp"
	echo "$old" >"$slices"
}
trap cleanup EXIT

if ! grep -q " /sys/fs/cgroup cgroup2 " /proc/mounts; then
	mount -t cgroup2 cgroup2 /sys/fs/cgroup || {
		echo "Bail out! cannot mount cgroup2"
		exit 1
	}
fi

# The CDI spec of the slices, and the device of each from it
spec=$tmp/cdi/vcrypt.json
mkdir -p "$tmp/cdi"
if "$here/vcryptctl" cdi -o "$spec"; then
	ok "vcryptctl cdi -o $spec"
else
	not_ok "vcryptctl cdi -o $spec"
fi
# cdi_dev N FIELD: the value of FIELD of device N's node in the spec
cdi_dev() {
	awk -v name="\"$1\"," -v field="\"$2\":" '
		$1 == "\"name\":" { dev = ($2 == name) }
		dev && $1 == field { sub(/,$/, "", $2); gsub(/"/, "", $2)
				     print $2; exit }' "$spec"
}
node=$(cdi_dev "$mine" path)
maj=$(cdi_dev "$mine" major)
min=$(cdi_dev "$mine" minor)
perm=$(cdi_dev "$mine" permissions)
omaj=$(cdi_dev "$other" major)
omin=$(cdi_dev "$other" minor)
# What the spec says must be what the kernel has
if [ "$node" = /dev/vcrypt$mine ] && [ "$perm" = rw ] &&
   [ "$maj:$min" = "$(cat "$class/vcrypt$mine/dev")" ] &&
   [ "$omaj:$omin" = "$(cat "$class/vcrypt$other/dev")" ]; then
	ok "the spec's vcrypt.io/slice=$mine is $node, $maj:$min, $perm"
else
	not_ok "the spec's vcrypt.io/slice=$mine is $node, $maj:$min, $perm"
fi

# As a CDI runtime fills in what the spec leaves out: the node's mode and
# owner are the host node's (root 0600)
mode=$(( 0$(stat -c %a "$node") ))
uid=$(stat -c %u "$node")
gid=$(stat -c %g "$node")

# The bundle: a root file system with container_kat and, as a planted
# node, the other slice's; the OCI config with the CDI device applied.
root=$tmp/bundle/rootfs
mkdir -p "$root/bin" "$root/proc" "$root/dev" "$root/tmp" "$root/planted"
cp "$here/container_kat" "$root/bin/"
mknod -m 0666 "$root/planted/vcrypt$other" c "$omaj" "$omin"

# config CAPS: the OCI config, CAPS the capabilities ("" for none)
config() {
	cat >"$tmp/bundle/config.json" <<EOF
{
  "ociVersion": "1.0.2",
  "process": {
    "terminal": false,
    "user": { "uid": 0, "gid": 0 },
    "args": [ "/bin/container_kat", "$node", "$mine",
              "/planted/vcrypt$other", "$omaj:$omin" ],
    "env": [ "PATH=/bin" ],
    "cwd": "/",
    "capabilities": {
      "bounding": [ $1 ], "effective": [ $1 ], "inheritable": [ ],
      "permitted": [ $1 ], "ambient": [ ]
    },
    "noNewPrivileges": true
  },
  "root": { "path": "rootfs", "readonly": false },
  "hostname": "vcrypt-test",
  "mounts": [
    { "destination": "/proc", "type": "proc", "source": "proc" },
    { "destination": "/dev", "type": "tmpfs", "source": "tmpfs",
      "options": [ "nosuid", "strictatime", "mode=755", "size=65536k" ] },
    { "destination": "/tmp", "type": "tmpfs", "source": "tmpfs",
      "options": [ "nosuid" ] }
  ],
  "linux": {
    "devices": [
      { "path": "$node", "type": "c", "major": $maj, "minor": $min,
        "fileMode": $mode, "uid": $uid, "gid": $gid }
    ],
    "resources": {
      "devices": [
        { "allow": false, "access": "rwm" },
        { "allow": true, "type": "c", "major": $maj, "minor": $min,
          "access": "$perm" }
      ]
    },
    "cgroupsPath": "/vcrypt-test",
    "namespaces": [
      { "type": "pid" }, { "type": "mount" }, { "type": "ipc" },
      { "type": "uts" }, { "type": "network" }, { "type": "cgroup" }
    ]
  }
}
EOF
}

# run_container WHAT: run it, count its checks
run_container() {
	rc=0
	crun --root "$tmp/state" run --no-pivot --bundle "$tmp/bundle" \
		vcrypt-test >"$tmp/out" 2>&1 </dev/null || rc=$?
	while read -r verdict what; do
		case $verdict in
		PASS) ok "$1: $what" ;;
		FAIL) not_ok "$1: $what" ;;
		*) echo "# $verdict $what" ;;
		esac
	done <"$tmp/out"
	if [ "$rc" -eq 0 ] && grep -q "^PASS open $node$" "$tmp/out"; then
		ok "$1: crun run exits 0"
	else
		not_ok "$1: crun run exits 0 (got $rc)"
	fi
}

ops_mine=$(cat "$class/vcrypt$mine/completed_ops")
ops_other=$(cat "$class/vcrypt$other/completed_ops")

config ""
run_container "no capabilities"
grep -q "^PASS mknod .* refused: Operation not permitted$" "$tmp/out" &&
	ok "no capabilities: mknod is refused" ||
	not_ok "no capabilities: mknod is refused"
config '"CAP_MKNOD"'
run_container "CAP_MKNOD"
grep -q "^PASS open of the node it made, .* refused: Operation not permitted$" \
	"$tmp/out" &&
	ok "CAP_MKNOD: the device cgroup refuses the node it made" ||
	not_ok "CAP_MKNOD: the device cgroup refuses the node it made"

# Seen from outside: the requests went to the container's slice only
kats=$(grep -c -E "^PASS (op|submit): " "$tmp/out")
done_mine=$(($(cat "$class/vcrypt$mine/completed_ops") - ops_mine))
done_other=$(($(cat "$class/vcrypt$other/completed_ops") - ops_other))
if [ "$kats" -gt 0 ] && [ "$done_mine" -eq $((2 * kats)) ]; then
	ok "slice $mine completed the $((2 * kats)) requests of the containers"
else
	not_ok "slice $mine completed the $((2 * kats)) requests of the containers (got $done_mine)"
fi
if [ "$done_other" -eq 0 ]; then
	ok "slice $other completed none"
else
	not_ok "slice $other completed none (got $done_other)"
fi
if [ ! -e /sys/fs/cgroup/vcrypt-test ]; then
	ok "the container's cgroup is gone"
else
	not_ok "the container's cgroup is gone"
fi

tap_end container.sh
