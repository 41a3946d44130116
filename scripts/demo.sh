#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# "make demo": the main job.  On a fresh Debian 12 machine as root: install
# what is missing, build mheap against the stock Debian 6.12 kernel, boot
# that kernel under QEMU (TCG unless MHEAP_ACCEL says otherwise), insmod,
# tell a heap's story (allocate a mix, classes and arena map, a collection
# cycle keeping 25%, sweep and reclaim, release: committed memory falls),
# rmmod, power off.  The arena maps come out as SVG files in .build/.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
build=${MHEAP_BUILD:-$top/.build}
mkdir -p "$build"

abi=$(scripts/deps.sh | tail -n 1)
echo "demo: building mheap for $abi"
scripts/build-module.sh "/usr/src/linux-headers-$abi" "$build/stock"
echo "demo: booting /boot/vmlinuz-$abi under QEMU (${MHEAP_ACCEL:-tcg})"
rc=0
scripts/guest.sh -k "/boot/vmlinuz-$abi" -j scripts/jobs/demo.sh \
	-l "$build/console-demo.log" -r "$build/results-demo.log" \
	-f "$build/stock/mheap.ko" -f tools/mheap/mheapstat \
	-m 1024 -s 2 -t 600 || rc=$?
# Show what the guest's shell printed (the kernel's own lines are in the
# log), with each SVG cut out into a file of its own.
rm -f "$build"/demo-*.svg
sed -e 's/\r$//' "$build/results-demo.log" | awk -v dir="$build" '
	/^MHEAP-SVG-BEGIN / {
		f = dir "/demo-" $2
		printf "" > f
		next
	}
	/^MHEAP-SVG-END$/ {
		close(f)
		print "(arena map written to " f ")"
		f = ""
		next
	}
	f != "" { print > f; next }
	{ print }'
echo
n=0
for f in "$build"/demo-*.svg; do
	[ -f "$f" ] || continue
	if grep -q '</svg>' "$f"; then
		echo "demo: arena map $f"
		n=$((n + 1))
	else
		echo "demo: $f is cut short" >&2
		rc=1
	fi
done
[ $n -gt 0 ] || { echo "demo: the guest wrote no arena map" >&2; rc=1; }
echo "demo: full console log in $build/console-demo.log"
exit $rc
