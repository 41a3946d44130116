#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Where the time of a bench row goes: boots the stock Debian 6.12 kernel
# under QEMU (as "make bench" does) with Debian's perf copied into the
# guest, records "perf record -e cpu-clock -a" (a software clock: TCG has
# no PMU) around mheap_bench.ko loaded with only= and only_alloc= for one
# row and one allocator at a time, and prints each recording's top
# symbols, commonest call chains and hottest symbol+offset sites, those in
# mheap.ko and mheap_bench.ko resolved to source lines with addr2line
# (the Debian kernel's own symbols stay symbol+offset: no debug vmlinux).
#
# usage: bench-profile.sh [ROW/PARAM ...]   (default: pair/64 pair/4096
#                                            remote/64 remote/4096)
# Environment: MHEAP_PROFILE_ALLOCS (default "mheap kmalloc"),
# MHEAP_PROFILE_PARAMS (mheap_bench parameters, default "runs=5
# min_ms=200"), MHEAP_BENCH_TIMEOUT bounds the boot (1200 s).
# Leaves .build/profile/<row>-<alloc>.txt and .build/profile.txt.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
build=${MHEAP_BUILD:-$top/.build}
mkdir -p "$build"
build=$(cd "$build" && pwd)
rows=("$@")
[ ${#rows[@]} -gt 0 ] || rows=(pair/64 pair/4096 remote/64 remote/4096)

MHEAP_BENCH_BUILD_ONLY=1 scripts/bench.sh >&2
abi=$(scripts/deps.sh | tail -n 1)
mod=$build/bench-mheap/mheap.ko
bmod=$build/bench-mod/bench/mheap_bench.ko

# perf and every library it links, with the dynamic loader.
pdir=$build/perf
rm -rf "$pdir"
mkdir -p "$pdir/lib"
cp -L "$(command -v perf)" "$pdir/perf"
ldd "$pdir/perf" | awk '/=> \// { print $3 } /^\t\/.*ld-linux/ { print $1 }' |
	xargs -I{} cp -L {} "$pdir/lib/"
cp -L /lib64/ld-linux-x86-64.so.2 "$pdir/lib/"

{
	echo "${MHEAP_PROFILE_ALLOCS:-mheap kmalloc}"
	echo "${MHEAP_PROFILE_PARAMS:-runs=5 min_ms=200}"
	echo "${rows[*]}"
} > "$build/profile.params"

con=$build/console-profile.log res=$build/results-profile.log
echo "profile: booting /boot/vmlinuz-$abi with perf $(perf --version | cut -d ' ' -f 3) for ${rows[*]}"
scripts/guest.sh -k "/boot/vmlinuz-$abi" -j scripts/jobs/bench-profile.sh \
	-l "$con" -r "$res" -f "$mod" -f "$bmod" -f "$pdir" \
	-f "$build/profile.params" -m 2048 -s 2 \
	-t "${MHEAP_BENCH_TIMEOUT:-1200}" -a init_on_alloc=0
if grep -nE 'WARNING:|BUG:|Oops|Kernel panic|soft lockup|hung_task|Call Trace' "$con"; then
	echo "profile: kernel reports in $con" >&2
	exit 1
fi

# The modules' symbol+offset sites as source lines: perf names them from
# /proc/kallsyms, and objdump gives each function's section (mheap_alloc()
# and mheap_free() have their own) and offset in it, which addr2line is
# asked about.
out=$build/profile
rm -rf "$out"
mkdir -p "$out"
sed -e 's/\r$//' "$res" | awk -v dir="$out" '
	/^=== / { f = dir "/" $2 ".txt"; next }
	f { print > f }'
for ko in "$mod" "$bmod"; do
	objdump -t "$ko" |
		awk -v ko="$ko" '$0 ~ / F / { print $NF, $1, $(NF - 2), ko }'
done > "$out/syms"
for f in "$out"/*.txt; do
	echo "==== $(basename "$f" .txt)"
	cat "$f"
	echo "---- sites in mheap.ko and mheap_bench.ko as source lines"
	awk 'NR == FNR { ko[$1] = $2 " " $3 " " $4; next }
	     /^ *[0-9]+ [^ ]+ [a-z_0-9.]+\+0x[0-9a-f]+ / {
		split($3, p, "+")
		if ((p[1] in ko) && n++ < 40)
			print $1, $2 ":" $3, p[2], ko[p[1]]
	     }' "$out/syms" "$f" |
	while read -r n site off base sec ko; do
		addr=$(printf '0x%x' $((0x$base + off)))
		printf '%6d %-36s %s\n' "$n" "$site" \
			"$(addr2line -i -f -p -j "$sec" -e "$ko" "$addr" |
			   sed -e "s|$build/bench-[a-z]*/||g")"
	done
done | tee "$build/profile.txt"
