#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# "make selfcheck": prove that the harness can fail.  Boots the debug
# kernel once per fault with the normal check job plus a throwaway module
# that injects it (a failing KUnit case, a WARN, a KASAN use-after-free
# and a leak of kmalloc objects, a use-after-free and a leak of mheap
# objects), and the KCSAN kernel with a data race, and asserts that each
# run is judged red with the right cause named.  Ends with "N passed,
# N failed".
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
export MHEAP_CACHE=${MHEAP_CACHE:-/var/cache/mheap}
build=${MHEAP_BUILD:-$top/.build}/selfcheck
mkdir -p "$build"

scripts/deps.sh > /dev/null || exit 1
declare -A kbuild
kbuild[debug]=$(scripts/debug-kernel.sh | tail -n 1) || exit 1
kbuild[kcsan]=$(scripts/debug-kernel.sh --config kcsan | tail -n 1) || exit 1
# mheap's modules and the faulty one, for each kernel: $build/<kernel>/
for k in debug kcsan; do
	scripts/build-module.sh "${kbuild[$k]}" "$build/$k/mods" || exit 1
	rm -rf "$build/$k/faulty"
	cp -r scripts/selfcheck "$build/$k/faulty"
	make -s -C "${kbuild[$k]}" M="$build/$k/faulty" MHEAP_INCLUDE="$top/include" \
		KBUILD_EXTRA_SYMBOLS="$build/$k/mods/Module.symvers" modules || exit 1
done
mkdir -p "$build/flags"
: > "$build/flags/kcsan"
: > "$build/flags/no-selftests"

rm -rf "$build/selftests"
cp -r tools/testing/selftests/mheap "$build/selftests"
cp tools/mheap/mheapstat "$build/selftests/"

passed=0 failed=0
# mode : the verdict line that must appear
for spec in "kunit:FAIL selfcheck: kunit/mheap_selfcheck/selfcheck_injected" \
	    "warn:FAIL selfcheck: console/kernel WARN" \
	    "kasan:FAIL selfcheck: console/KASAN report" \
	    "leak:FAIL selfcheck: console/kmemleak report" \
	    "mheap-uaf:FAIL selfcheck: console/KASAN report" \
	    "mheap-leak:FAIL selfcheck: console/kmemleak report" \
	    "race:FAIL selfcheck: console/KCSAN data-race in racer_fn [mheap_faulty]"; do
	mode=${spec%%:*}
	want=${spec#*:}
	k=debug flags=()
	if [ "$mode" = race ]; then
		k=kcsan flags=(-f "$build/flags")
	fi
	echo "$mode" > "$build/inject"
	con=$build/console-$mode.log res=$build/results-$mode.log
	scripts/guest.sh -k "${kbuild[$k]}/arch/x86/boot/bzImage" -j scripts/jobs/check.sh \
		-l "$con" -r "$res" -m 2048 -s 2 -f "$build/$k/mods/mheap.ko" \
		-f "$build/$k/mods/mheap_kunit.ko" -f "$build/$k/faulty/mheap_faulty.ko" \
		-f "$build/inject" -f "$build/selftests" "${flags[@]}"
	scripts/ktap.py --label selfcheck --results "$res" --console "$con" \
		> "$build/verdict-$mode.txt"
	if grep -qF "$want" "$build/verdict-$mode.txt"; then
		echo "ok: injected $mode was caught: $(grep -F "$want" "$build/verdict-$mode.txt" | head -n 1)"
		passed=$((passed + 1))
	else
		echo "NOT CAUGHT: injected $mode; verdict was:"
		grep -v '^PASS' "$build/verdict-$mode.txt"
		failed=$((failed + 1))
	fi
done
echo "$passed passed, $failed failed"
[ $failed -eq 0 ]
