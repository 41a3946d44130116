#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# "make check": every test of mheap, on a fresh Debian 12 machine as root.
#
#  1. installs what is missing (scripts/deps.sh)
#  2. builds, once, the debug kernel (KUnit, KASAN, lockdep, kmemleak, ...)
#     and the KCSAN kernel (KUnit, KCSAN, lockdep)
#  3. runs the userspace tests: the pure algorithms, and the whole module
#     built in userspace under TSan, ASan/UBSan and libFuzzer
#  4. lint: sparse + W=1 build, checkpatch --strict
#  5. builds the modules for the debug kernel and the stock Debian kernel
#  6. boots each under QEMU: insmod, KUnit (debug kernel), every selftest,
#     rmmod, kmemleak scan; judges the results and the console log.  The
#     KCSAN kernel runs KUnit and, when built, mheap_torture.ko, but not
#     the selftests.
#  7. boots the debug and the stock kernel again for a short run of the
#     torture test (MHEAP_CHECK_TORTURE_SECONDS, 60 by default;
#     scripts/jobs/torture.sh)
#  8. the other kernels users run: an arm64 cross-build (W=1), a DKMS
#     build for the stock kernel, and Debian 12's 6.1 and the 6.12
#     PREEMPT_RT kernel: sparse and W=1 against their headers, then the
#     selftests in a guest of each
#
# Ends with "N passed, N failed, N skipped" and exits non-zero on any
# failure.  Logs are kept in .build/ (console-*.log, results-*.log).
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
export MHEAP_CACHE=${MHEAP_CACHE:-/var/cache/mheap}
# A guest that outlives this is hung.  The debug guest's KUnit and
# selftests take about 10 min on an idle 2-core host and twice that on a
# loaded one.
export MHEAP_GUEST_TIMEOUT=${MHEAP_GUEST_TIMEOUT:-1800}
build=${MHEAP_BUILD:-$top/.build}
mkdir -p "$build"

passed=0 failed=0 skipped=0
t0=$(date +%s)

say() { echo "check: $*"; }

record() # STATUS NAME [WHY]
{
	case $1 in
	PASS) passed=$((passed + 1)) ;;
	FAIL) failed=$((failed + 1)) ;;
	SKIP) skipped=$((skipped + 1)) ;;
	esac
	echo "$1 ${2}${3:+ ($3)}"
}

finish()
{
	say "took $(( $(date +%s) - t0 )) s; logs in $build"
	echo "$passed passed, $failed failed, $skipped skipped"
	[ "$failed" -eq 0 ]
	exit $?
}

# A step the rest depends on: on failure, count it and stop.
must()
{
	local name=$1
	shift
	if "$@"; then
		return 0
	fi
	record FAIL "$name" "see output above"
	finish
}

say "installing dependencies"
must deps bash -c 'scripts/deps.sh > "$0/abi"' "$build"
abi=$(tail -n 1 "$build/abi")
say "stock kernel: $abi"
say "building the debug kernel (cached in $MHEAP_CACHE)"
must debug-kernel bash -c 'scripts/debug-kernel.sh > "$0/kbuild"' "$build"
kbuild=$(tail -n 1 "$build/kbuild")
say "building the KCSAN kernel (cached in $MHEAP_CACHE)"
must kcsan-kernel bash -c 'scripts/debug-kernel.sh --config kcsan > "$0/kbuild-kcsan"' "$build"
kcsan=$(tail -n 1 "$build/kbuild-kcsan")

say "userspace tests (pure algorithms; the whole module under TSan, ASan, libFuzzer)"
if make -s -C tools/testing/mheap run > "$build/userspace.log" 2>&1; then
	us_rc=0
else
	us_rc=1
fi
us_n=0
while read -r line; do
	case $line in
	"not ok "*) record FAIL "userspace/${line#not ok * }"; us_n=$((us_n + 1)) ;;
	"ok "*) record PASS "userspace/${line#ok * }"; us_n=$((us_n + 1)) ;;
	esac
done < <(grep -E '^(not )?ok [0-9]+ ' "$build/userspace.log")
if [ $us_rc -ne 0 ] || [ $us_n -eq 0 ]; then
	cat "$build/userspace.log"
	record FAIL userspace/run "exit status or no results; see $build/userspace.log"
fi

say "lint"
if KDIR="/usr/src/linux-headers-$abi" MHEAP_BUILD="$build" scripts/lint.sh > "$build/lint.log" 2>&1; then
	record PASS lint/sparse-checkpatch
else
	cat "$build/lint.log"
	record FAIL lint/sparse-checkpatch "see $build/lint.log"
fi

say "building modules"
must build-debug scripts/build-module.sh "$kbuild" "$build/debug"
must build-kcsan scripts/build-module.sh "$kcsan" "$build/kcsan"
must build-stock scripts/build-module.sh "/usr/src/linux-headers-$abi" "$build/stock"

stage="$build/selftests"
rm -rf "$stage"
cp -r tools/testing/selftests/mheap "$stage"
cp tools/mheap/mheapstat "$stage/"

expect=()
for s in $(grep -ho '\.name = "mheap_[a-z0-9_]*"' mheap/tests/*_kunit.c | cut -d'"' -f2 | sort -u); do
	expect+=(--expect "kunit/$s")
done
selftests=$(sed -n 's/^TEST_PROGS[[:space:]]*:=[[:space:]]*//p' tools/testing/selftests/mheap/Makefile)

# FLAGS: a comma-separated list of the job's flag files (see
# scripts/jobs/check.sh), or "-".
run_guest() # LABEL BZIMAGE MODDIR MEM FLAGS [EXPECT...]
{
	local label=$1 kernel=$2 mods=$3 mem=$4 flags=$5
	shift 5
	local con="$build/console-$label.log" res="$build/results-$label.log"
	local fdir="$build/flags-$label/flags" f
	local files=(-f "$mods/mheap.ko" -f "$stage" -f "$fdir")
	local exp=(--expect harness/guest)
	rm -rf "$fdir"
	mkdir -p "$fdir"
	for f in ${flags//,/ }; do
		[ "$f" = - ] || : > "$fdir/$f"
	done
	[ -f "$mods/mheap_kunit.ko" ] && files+=(-f "$mods/mheap_kunit.ko")
	[ -f "$fdir/kcsan" ] && exp+=(--expect harness/kcsan)
	if [ -f "$fdir/kcsan" ] && [ -f "$mods/mheap_torture.ko" ]; then
		files+=(-f "$mods/mheap_torture.ko")
	fi
	say "booting the $label kernel"
	local g0=$SECONDS
	scripts/guest.sh -k "$kernel" -j scripts/jobs/check.sh -l "$con" -r "$res" \
		-m "$mem" -s 2 "${files[@]}"
	say "the $label guest took $((SECONDS - g0)) s"
	if [ ! -f "$fdir/no-selftests" ]; then
		for t in $selftests; do
			exp+=(--expect "selftest/$t")
		done
	fi
	scripts/ktap.py --label "$label" --results "$res" --console "$con" \
		"${exp[@]}" "$@" > "$build/verdict-$label.txt" ||
		record FAIL "$label/judge" "scripts/ktap.py exit status $?"
	grep '^NOTE ' "$build/verdict-$label.txt"
	while read -r status rest; do
		case $status in
		PASS|FAIL|SKIP) record "$status" "$rest" ;;
		esac
	done < <(grep -E '^(PASS|FAIL|SKIP) ' "$build/verdict-$label.txt")
}

# arm64: a compile check, no guest (see scripts/arm64-kernel.sh).
check_arm64()
{
	say "arm64 cross-build"
	if scripts/build-arm64.sh "$build/arm64" > "$build/arm64.log" 2>&1; then
		record PASS build/arm64
	else
		cat "$build/arm64.log"
		record FAIL build/arm64 "see $build/arm64.log"
	fi
}

# DKMS: dkms.conf builds mheap for the stock kernel, in a private tree.
check_dkms()
{
	say "DKMS build for $abi"
	if scripts/dkms.sh check "$abi" "$build/dkms" > "$build/dkms.log" 2>&1; then
		record PASS "dkms/build-$abi"
	else
		cat "$build/dkms.log"
		record FAIL "dkms/build-$abi" "see $build/dkms.log"
	fi
}

# Another Debian kernel (a "LABEL=ABI" line of deps.sh): sparse and W=1
# against its headers, then the selftests in a guest of it.
check_kernel() # LABEL
{
	local label=$1 kabi kdir
	kabi=$(sed -n "s/^$label=//p" "$build/abi")
	kdir=/usr/src/linux-headers-$kabi
	say "$label kernel: $kabi"
	if KDIR="$kdir" MHEAP_BUILD="$build/lint-$label" scripts/lint.sh --no-checkpatch \
			> "$build/lint-$label.log" 2>&1; then
		record PASS "lint/sparse-$label"
	else
		cat "$build/lint-$label.log"
		record FAIL "lint/sparse-$label" "see $build/lint-$label.log"
	fi
	if ! scripts/build-module.sh "$kdir" "$build/$label" 2> "$build/build-$label.log"; then
		cat "$build/build-$label.log"
		record FAIL "build-$label" "see $build/build-$label.log"
		return
	fi
	run_guest "$label" "/boot/vmlinuz-$kabi" "$build/$label" 6144 -
}

run_torture() # LABEL BZIMAGE MODDIR
{
	local label=torture-$1 kernel=$2 mods=$3
	local con="$build/console-$label.log" res="$build/results-$label.log"
	local secs=${MHEAP_CHECK_TORTURE_SECONDS:-60}
	echo "duration=$secs" > "$mods/torture.params"
	say "booting the $1 kernel for $secs s of torture"
	scripts/guest.sh -k "$kernel" -j scripts/jobs/torture.sh -l "$con" -r "$res" \
		-m 2048 -s 2 -t $((secs + 600)) -f "$mods/mheap.ko" \
		-f "$mods/mheap_torture.ko" -f "$mods/torture.params"
	scripts/ktap.py --label "$label" --results "$res" --console "$con" \
		--expect torture/mheap_torture > "$build/verdict-$label.txt" ||
		record FAIL "$label/judge" "scripts/ktap.py exit status $?"
	while read -r status rest; do
		case $status in
		PASS|FAIL|SKIP) record "$status" "$rest" ;;
		esac
	done < <(grep -E '^(PASS|FAIL|SKIP) ' "$build/verdict-$label.txt")
}

run_guest debug "$kbuild/arch/x86/boot/bzImage" "$build/debug" 2048 - "${expect[@]}"
run_guest kcsan "$kcsan/arch/x86/boot/bzImage" "$build/kcsan" 2048 \
	kcsan,no-selftests "${expect[@]}"
# 6 GiB: spans_stream.sh lists a heap of a million one-page spans.
run_guest stock "/boot/vmlinuz-$abi" "$build/stock" 6144 -
run_torture debug "$kbuild/arch/x86/boot/bzImage" "$build/debug"
run_torture stock "/boot/vmlinuz-$abi" "$build/stock"

check_arm64
check_dkms
check_kernel 6.1
check_kernel rt

finish
