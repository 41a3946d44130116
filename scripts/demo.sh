#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# "make demo": the main job.  On a fresh Debian 12 machine as root: install
# what is missing, build mheap against the stock Debian 6.12 kernel, boot
# that kernel under QEMU (TCG unless MHEAP_ACCEL says otherwise), insmod,
# drive a small workload, show /sys/kernel/debug/mheap/, rmmod, power off.
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
	-f "$build/stock/mheap.ko" -m 1024 -s 2 -t 600 || rc=$?
# Show what the guest's shell printed; the kernel's own lines are in the log.
sed -e 's/\r$//' "$build/results-demo.log"
echo "demo: full console log in $build/console-demo.log"
exit $rc
