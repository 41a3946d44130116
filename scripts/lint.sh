#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Static checks: sparse (C=2, every file) on a W=1 build, and checkpatch
# --strict over every C source and header.  Fails on any finding.
# KDIR selects the kernel to check against (default: newest 6.12 headers).
# --no-checkpatch: sparse only (checkpatch does not depend on the kernel,
# once is enough when several kernels are checked).
set -euo pipefail

checkpatch=1
[ "${1:-}" = --no-checkpatch ] && checkpatch=0

top=$(cd "$(dirname "$0")/.." && pwd)
kdir=${KDIR:-$(ls -d /usr/src/linux-headers-6.12.*[0-9]-amd64 | sort -V | tail -n 1)}
src=$("$top/scripts/debug-kernel.sh" --source | tail -n 1)
out=${MHEAP_BUILD:-$top/.build}/lint
rc=0

echo "lint: sparse against $kdir"
rm -rf "$out"
mkdir -p "$out"
if ! "$top/scripts/build-module.sh" "$kdir" "$out" C=2 CHECK=sparse 2> "$out/sparse.log"; then
	cat "$out/sparse.log"
	echo "lint: sparse/W=1 build FAILED"
	rc=1
fi

if [ $checkpatch -eq 0 ]; then
	[ $rc -ne 0 ] || echo "lint: sparse clean"
	exit $rc
fi
echo "lint: checkpatch --strict"
# The userspace shim (tools/testing/mheap/shim/) is not kernel code: it
# redefines the kernel's own macros and types on top of libc, as
# tools/include does, and carries copies of tools/lib/rbtree.c.
files=$(cd "$top" && git ls-files -co --exclude-standard -- '*.c' '*.h' |
	grep -v -e '^\.build/' -e '^tools/testing/mheap/shim/' -e '^tools/testing/mheap/build/' || true)
for f in $files; do
	# mheap/compat.h is the one place that tests the kernel's version.
	ignore=()
	[ "$f" = mheap/compat.h ] && ignore=(--ignore LINUX_VERSION_CODE,CONSTANT_COMPARISON)
	# libFuzzer's entry points have the names libFuzzer calls.
	[ "$f" = tools/testing/mheap/fuzz_heap.c ] && ignore=(--ignore CAMELCASE)
	if ! (cd "$top" && perl "$src/scripts/checkpatch.pl" --no-tree --strict \
			--quiet --show-types "${ignore[@]}" -f "$f"); then
		echo "lint: checkpatch FAILED on $f"
		rc=1
	fi
done
[ $rc -eq 0 ] && echo "lint: clean"
exit $rc
