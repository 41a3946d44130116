#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Prepare (once) an arm64 tree to cross-build mheap against: Debian's
# linux-source-6.12, arm64 defconfig, "make modules_prepare" with
# aarch64-linux-gnu-gcc.  No kernel image is built, so there is no
# Module.symvers: the module's build is a compile check (W=1, every
# warning counts), modpost cannot check its imports.
#
# Cached like the debug kernel: /var/cache/mheap/karm64-<key>, the key
# hashing this script, the source package version and the cross
# compiler's version.  Prints the directory (usable as KDIR with
# ARCH=arm64 CROSS_COMPILE=aarch64-linux-gnu-) as the last line of stdout.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
cache=${MHEAP_CACHE:-/var/cache/mheap}
cross=aarch64-linux-gnu-

command -v "${cross}gcc" > /dev/null ||
	{ echo "arm64-kernel: ${cross}gcc missing (run scripts/deps.sh)" >&2; exit 1; }

src=$("$here/debug-kernel.sh" --source | tail -n 1)
srcver=$(dpkg-query -W -f='${Version}' linux-source-6.12)
key=$( (cat "$0"; echo "$srcver"; "${cross}gcc" --version | head -n 1) |
	sha256sum | cut -c1-16)
out=$cache/karm64-$key

if [ -f "$out/.mheap-done" ]; then
	echo "$out"
	exit 0
fi

mkdir -p "$cache"
exec 9> "$cache/karm64-$key.lock"
flock 9
# Another run may have finished it while this one waited for the lock.
if [ -f "$out/.mheap-done" ]; then
	echo "$out"
	exit 0
fi

echo "arm64-kernel: preparing $out" >&2
start=$(date +%s)
rm -rf "$out"
mkdir -p "$out"
make -s -C "$src" O="$out" ARCH=arm64 CROSS_COMPILE="$cross" defconfig >&2
grep -qx 'CONFIG_MODULES=y' "$out/.config" ||
	{ echo "arm64-kernel: defconfig without CONFIG_MODULES" >&2; exit 1; }
make -s -C "$src" O="$out" ARCH=arm64 CROSS_COMPILE="$cross" \
	-j"$(nproc)" modules_prepare >&2
echo "arm64-kernel: prepared in $(( $(date +%s) - start )) s" >&2
touch "$out/.mheap-done"
echo "$out"
