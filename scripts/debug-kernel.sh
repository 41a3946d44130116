#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build (once) the debug kernel the KUnit suites run under: tinyconfig plus
# scripts/kconfig/debug.config, from Debian's linux-source-6.12.  The result
# is cached outside the clone, keyed by the fragment, this script and the
# source package version, so a second run costs nothing.
#
# Prints the build directory (usable as KDIR, holds arch/x86/boot/bzImage)
# as the last line of stdout.  With --source, only unpacks the source and
# prints its directory (for checkpatch and kunit.py).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
cache=${MHEAP_CACHE:-/var/cache/mheap}
frag=$here/kconfig/debug.config
tarball=/usr/src/linux-source-6.12.tar.xz

[ -f "$tarball" ] || { echo "debug-kernel: $tarball missing (run scripts/deps.sh)" >&2; exit 1; }

srcver=$(dpkg-query -W -f='${Version}' linux-source-6.12)
key=$( (cat "$frag" "$0"; echo "$srcver") | sha256sum | cut -c1-16)
src=$cache/linux-source-$srcver
out=$cache/kbuild-$key

source_only=0
[ "${1:-}" = --source ] && source_only=1

if [ $source_only -eq 0 ] && [ -f "$out/.mheap-done" ]; then
	echo "$out"
	exit 0
fi

mkdir -p "$cache"
if [ ! -f "$src/.mheap-unpacked" ]; then
	echo "debug-kernel: unpacking linux-source $srcver" >&2
	rm -rf "$src" "$src.tmp"
	mkdir -p "$src.tmp"
	tar -C "$src.tmp" --strip-components=1 -xf "$tarball"
	mv "$src.tmp" "$src"
	touch "$src/.mheap-unpacked"
fi
if [ $source_only -eq 1 ]; then
	echo "$src"
	exit 0
fi

echo "debug-kernel: configuring $out" >&2
rm -rf "$out"
mkdir -p "$out"
make -s -C "$src" O="$out" ARCH=x86_64 tinyconfig >&2
"$src/scripts/kconfig/merge_config.sh" -m -O "$out" "$out/.config" "$frag" > "$out/merge.log"
make -s -C "$src" O="$out" ARCH=x86_64 olddefconfig >&2

# Every option the fragment asks for must have survived olddefconfig:
# a silently dropped KASAN or lockdep would make a green run meaningless.
bad=0
while IFS= read -r line; do
	case "$line" in
	CONFIG_*=*)
		grep -qx -- "$line" "$out/.config" || { echo "debug-kernel: lost '$line'" >&2; bad=1; }
		;;
	"# CONFIG_"*" is not set")
		opt=${line#\# }; opt=${opt%% *}
		if grep -q "^$opt=" "$out/.config"; then
			echo "debug-kernel: '$opt' should be off" >&2; bad=1
		fi
		;;
	esac
done < "$frag"
[ $bad -eq 0 ] || exit 1

echo "debug-kernel: building (this takes several minutes)" >&2
start=$(date +%s)
make -s -C "$src" O="$out" ARCH=x86_64 -j"$(nproc)" bzImage modules >&2
echo "debug-kernel: built in $(( $(date +%s) - start )) s" >&2
touch "$out/.mheap-done"
echo "$out"
