#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# "make torture": mheap_torture.ko on the debug kernel (KASAN, lockdep,
# kmemleak, ...) under QEMU for MHEAP_TORTURE_SECONDS (600 by default),
# with CPU hotplug, debugfs readers, control-file writers and the
# shrinker racing it (scripts/jobs/torture.sh).  Judged like "make
# check": ends with "N passed, N failed, N skipped".
#
# Environment: MHEAP_TORTURE_SECONDS, MHEAP_TORTURE_PARAMS (more module
# parameters, e.g. "stw=1 threads_per_cpu=4"), MHEAP_TORTURE_KERNEL=stock
# for the stock Debian kernel instead of the debug one.
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
export MHEAP_CACHE=${MHEAP_CACHE:-/var/cache/mheap}
build=${MHEAP_BUILD:-$top/.build}
mkdir -p "$build"
secs=${MHEAP_TORTURE_SECONDS:-600}
t0=$(date +%s)

abi=$(scripts/deps.sh | tail -n 1) || exit 1
if [ "${MHEAP_TORTURE_KERNEL:-debug}" = stock ]; then
	label=torture-stock
	kernel=/boot/vmlinuz-$abi
	kdir=/usr/src/linux-headers-$abi
else
	label=torture-debug
	kdir=$(scripts/debug-kernel.sh | tail -n 1) || exit 1
	kernel=$kdir/arch/x86/boot/bzImage
fi
mods=$build/$label
scripts/build-module.sh "$kdir" "$mods" || exit 1

echo "duration=$secs ${MHEAP_TORTURE_PARAMS:-}" > "$mods/torture.params"
echo "torture: $label, $(cat "$mods/torture.params")"
con=$build/console-$label.log res=$build/results-$label.log
scripts/guest.sh -k "$kernel" -j scripts/jobs/torture.sh -l "$con" -r "$res" \
	-m 2048 -s 2 -t $((secs + 900)) \
	-f "$mods/mheap.ko" -f "$mods/mheap_torture.ko" -f "$mods/torture.params"
scripts/ktap.py --label "$label" --results "$res" --console "$con" \
	--expect torture/mheap_torture > "$build/verdict-$label.txt"
grep -E '^(PASS|FAIL|SKIP) ' "$build/verdict-$label.txt"
grep -m 1 'mheap-torture: End of test' "$con" | sed -e 's/\r$//'
read -r _ passed failed skipped < <(grep '^COUNTS ' "$build/verdict-$label.txt")
echo "torture: took $(( $(date +%s) - t0 )) s; console in $con"
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
