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
# parameters, e.g. "stw=1 threads_per_cpu=4"), MHEAP_TORTURE_KERNEL: debug
# (the default), kcsan (the KCSAN kernel of scripts/debug-kernel.sh
# --config kcsan) or stock (the Debian kernel).
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
export MHEAP_CACHE=${MHEAP_CACHE:-/var/cache/mheap}
build=${MHEAP_BUILD:-$top/.build}
mkdir -p "$build"
secs=${MHEAP_TORTURE_SECONDS:-600}
t0=$(date +%s)

abi=$(scripts/deps.sh | tail -n 1) || exit 1
case "${MHEAP_TORTURE_KERNEL:-debug}" in
stock)
	label=torture-stock
	kernel=/boot/vmlinuz-$abi
	kdir=/usr/src/linux-headers-$abi
	;;
debug|kcsan)
	label=torture-${MHEAP_TORTURE_KERNEL:-debug}
	kdir=$(scripts/debug-kernel.sh --config "${MHEAP_TORTURE_KERNEL:-debug}" |
	       tail -n 1) || exit 1
	kernel=$kdir/arch/x86/boot/bzImage
	;;
*)
	echo "torture: MHEAP_TORTURE_KERNEL must be debug, kcsan or stock" >&2
	exit 1
	;;
esac
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
