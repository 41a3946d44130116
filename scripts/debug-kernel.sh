#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build (once) a debug kernel the KUnit suites run under: tinyconfig plus
# one fragment of scripts/kconfig/, from Debian's linux-source-6.12.  The
# result is cached outside the clone, keyed by the fragment, this script
# and the source package version, so a second run costs nothing.
#
# usage: debug-kernel.sh [--config NAME] [--source]
#   --config NAME  the fragment scripts/kconfig/NAME.config (default
#                  "debug": KASAN, UBSAN, lockdep, kmemleak; "kcsan": KCSAN
#                  and lockdep)
#   --source       only unpack the source and print its directory (for
#                  checkpatch and kunit.py)
#
# Prints the build directory (usable as KDIR, holds arch/x86/boot/bzImage)
# as the last line of stdout.  Two runs for the same key never build at
# once: the second waits for the first and then uses its result.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
cache=${MHEAP_CACHE:-/var/cache/mheap}
config=debug
source_only=0
while [ $# -gt 0 ]; do
	case $1 in
	--config) config=${2:?--config needs a name}; shift 2 ;;
	--source) source_only=1; shift ;;
	*) echo "usage: debug-kernel.sh [--config NAME] [--source]" >&2; exit 2 ;;
	esac
done
frag=$here/kconfig/$config.config
tarball=/usr/src/linux-source-6.12.tar.xz

[ -f "$frag" ] || { echo "debug-kernel: no fragment $frag" >&2; exit 2; }

[ -f "$tarball" ] || { echo "debug-kernel: $tarball missing (run scripts/deps.sh)" >&2; exit 1; }

srcver=$(dpkg-query -W -f='${Version}' linux-source-6.12)
key=$( (cat "$frag" "$0"; echo "$srcver") | sha256sum | cut -c1-16)
src=$cache/linux-source-$srcver
out=$cache/kbuild-$key

if [ $source_only -eq 0 ] && [ -f "$out/.mheap-done" ]; then
	echo "$out"
	exit 0
fi

mkdir -p "$cache"
# One unpacker of the shared source at a time, one builder per key.
exec 8>"$cache/.lock-source"
flock 8
if [ ! -f "$src/.mheap-unpacked" ]; then
	echo "debug-kernel: unpacking linux-source $srcver" >&2
	rm -rf "$src" "$src.tmp"
	mkdir -p "$src.tmp"
	tar -C "$src.tmp" --strip-components=1 -xf "$tarball"
	mv "$src.tmp" "$src"
	touch "$src/.mheap-unpacked"
fi
flock -u 8
if [ $source_only -eq 1 ]; then
	echo "$src"
	exit 0
fi

exec 9>"$cache/.lock-kbuild-$key"
if ! flock -n 9; then
	echo "debug-kernel: another build of $out is under way; waiting" >&2
	flock 9
fi
if [ -f "$out/.mheap-done" ]; then
	echo "$out"
	exit 0
fi

echo "debug-kernel: configuring $out ($config.config)" >&2
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
