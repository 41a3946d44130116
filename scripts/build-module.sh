#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build the modules for one kernel in a private copy of the tree, so builds
# for different kernels never share object files.
#
# usage: build-module.sh KDIR OUTDIR [EXTRA MAKE ARGS...]
# Leaves OUTDIR/mheap.ko (and OUTDIR/mheap_kunit.ko when KDIR has KUnit).
set -euo pipefail

kdir=$1 out=$2
shift 2
top=$(cd "$(dirname "$0")/.." && pwd)

mkdir -p "$out"
# Only the sources: objects of a previous build in $out are reused by make.
for d in Kbuild Makefile include mheap torture; do
	rm -rf "${out:?}/$d.new"
	cp -r "$top/$d" "$out/$d.new"
	rm -rf "${out:?}/$d"
	mv "$out/$d.new" "$out/$d"
done
make -s -C "$kdir" M="$out" W=1 "$@" modules 2>&1 | tee "$out/build.log" >&2
if grep -qE 'warning:|error:' "$out/build.log"; then
	echo "build-module: the build printed warnings or errors" >&2
	exit 1
fi
