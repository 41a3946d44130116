#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Cross-build mheap for arm64 (W=1) against the tree scripts/arm64-kernel.sh
# prepares.  A compile check: any compiler warning or error fails it, and
# so does any message of modpost other than the ones about the imports it
# cannot resolve without the kernel's Module.symvers.
#
# usage: build-arm64.sh OUTDIR     leaves OUTDIR/mheap.ko (aarch64)
set -euo pipefail

out=${1:?usage: build-arm64.sh OUTDIR}
here=$(cd "$(dirname "$0")" && pwd)
kdir=$("$here/arm64-kernel.sh" | tail -n 1)

echo "build-arm64: mheap against $kdir"
rc=0
"$here/build-module.sh" "$kdir" "$out" ARCH=arm64 \
	CROSS_COMPILE=aarch64-linux-gnu- KBUILD_MODPOST_WARN=1 2> /dev/null || rc=1
# modpost without Module.symvers: its notice (a WARNING line and four
# indented ones) and one line per unresolved import.
if grep -v -e '^WARNING: Module.symvers is missing\.$' -e '^         ' \
	-e '^WARNING: modpost: "[A-Za-z0-9_.]*" \[.*\] undefined!$' \
	-e '^WARNING: modpost: suppressed [0-9]* unresolved symbol warnings' \
	"$out/build.log" | grep .; then
	rc=1
fi
file "$out/mheap.ko" | grep -q 'ARM aarch64' || { echo "build-arm64: no aarch64 mheap.ko" >&2; rc=1; }
[ $rc -eq 0 ] && echo "build-arm64: clean"
exit $rc
