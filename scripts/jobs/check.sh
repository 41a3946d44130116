#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Guest side of "make check": runs in the busybox initramfs from /mheap.
# Machine-readable output goes to the second serial port (fd 3); the
# console (stdout) gets a human-readable trace and the kernel's messages.
#
# Flag files the host may put in /mheap/flags/:
#   no-selftests     skip the selftests (the KCSAN guest: too slow there)
#   kcsan            the kernel has KCSAN: report that it is on and alive
#   torture-seconds  how long mheap_torture.ko runs (default 30)
# and mheap_torture.ko, when the host ships it, runs from its insmod to
# its rmmod with the heap module loaded.

stty -F /dev/ttyS1 raw -echo 2>/dev/null
exec 3>/dev/ttyS1

fail()
{
	echo "MHEAP-JOB-FAIL $*"
	echo "MHEAP-JOB-FAIL $*" >&3
}

# The harness itself: SMP tests mean nothing on one CPU.
ncpu=$(grep -c '^processor' /proc/cpuinfo)
{
	echo "MHEAP-KTAP-BEGIN harness guest"
	echo "TAP version 13"
	echo "1..1"
	if [ "$ncpu" -ge 2 ]; then
		echo "ok 1 at least 2 CPUs online"
	else
		echo "not ok 1 at least 2 CPUs online (saw $ncpu)"
	fi
	echo "MHEAP-KTAP-END"
} >&3

# A green KCSAN run means something only if KCSAN watched it: enabled in
# debugfs, and its boot-time selftest passed (it panics if not).
if [ -f flags/kcsan ]; then
	kc=/sys/kernel/debug/kcsan
	{
		echo "MHEAP-KTAP-BEGIN harness kcsan"
		echo "TAP version 13"
		echo "1..2"
		if grep -qx 'enabled: 1' $kc 2>/dev/null; then
			echo "ok 1 KCSAN enabled"
		else
			echo "not ok 1 KCSAN enabled ($kc: $(head -n 1 $kc 2>&1))"
		fi
		if dmesg | grep -q 'kcsan: selftest: \([0-9]*\)/\1 tests passed'; then
			echo "ok 2 KCSAN boot selftest passed"
		else
			echo "not ok 2 KCSAN boot selftest passed"
		fi
		echo "MHEAP-KTAP-END"
	} >&3
fi

KMEMLEAK=/sys/kernel/debug/kmemleak
# Leaks the kernel had before we came are not ours to report.
[ -w $KMEMLEAK ] && echo clear > $KMEMLEAK

echo "== insmod mheap.ko"
insmod ./mheap.ko || fail "insmod mheap.ko"
ls -l /sys/kernel/debug/mheap/

# Only "make selfcheck" ships this module: it injects one fault on purpose.
if [ -f mheap_faulty.ko ]; then
	echo "== injecting fault: $(cat inject)"
	insmod ./mheap_faulty.ko mode="$(cat inject)" || fail "insmod mheap_faulty.ko"
fi

if [ -f mheap_kunit.ko ]; then
	echo "== KUnit"
	insmod ./mheap_kunit.ko || fail "insmod mheap_kunit.ko"
	for d in /sys/kernel/debug/kunit/mheap_*; do
		[ -f "$d/results" ] || continue
		s=$(basename "$d")
		{
			echo "MHEAP-KTAP-BEGIN kunit $s"
			cat "$d/results"
			echo "MHEAP-KTAP-END"
		} >&3
	done
	rmmod mheap_kunit || fail "rmmod mheap_kunit"
	[ -f mheap_faulty.ko ] && rmmod mheap_faulty
fi

# The stress test: its threads run from insmod to rmmod; the console
# judge catches what they provoke.  Absent unless the host ships it.
if [ -f mheap_torture.ko ]; then
	secs=$(cat flags/torture-seconds 2>/dev/null || echo 30)
	echo "== torture for ${secs} s"
	if insmod ./mheap_torture.ko duration="$secs"; then
		sleep "$secs"
		rmmod mheap_torture || fail "rmmod mheap_torture"
	else
		fail "insmod mheap_torture.ko"
	fi
fi

# Leaks of objects of live heaps show only while the heaps exist: before
# the selftests, whose module.sh reloads mheap and so destroys every heap.
kmemleak_report()
{
	[ -w $KMEMLEAK ] || return 0
	echo "== kmemleak scan ($1)"
	# kmemleak ignores objects younger than 5 s; scan twice to be sure.
	sleep 6
	echo scan > $KMEMLEAK
	echo scan > $KMEMLEAK
	{
		echo "MHEAP-KMEMLEAK-BEGIN $1"
		cat $KMEMLEAK
		echo "MHEAP-KMEMLEAK-END"
	} >&3
	cat $KMEMLEAK
}

kmemleak_report "heaps alive"

if [ -f flags/no-selftests ]; then
	progs=
	echo "== selftests skipped (flags/no-selftests)"
else
	progs=$(sed -n 's/^TEST_PROGS[[:space:]]*:=[[:space:]]*//p' selftests/Makefile)
	echo "== selftests"
fi
# Each selftest runs under the timeout of selftests/settings, as the
# kselftest runner does (45 s without one); one that overruns is killed
# and reported with "timeout=N" on its end line.
tmo=$(sed -n 's/^timeout=\([0-9][0-9]*\)$/\1/p' selftests/settings 2>/dev/null)
tmo=${tmo:-45}
for t in $progs; do
	echo "-- selftest $t (timeout $tmo s)"
	out=/tmp/selftest.out
	t0=$(cut -d. -f1 /proc/uptime)
	MHEAP_KO=/mheap/mheap.ko timeout -k 10 "$tmo" sh "selftests/$t" > $out 2>&1
	rc=$?
	secs=$(($(cut -d. -f1 /proc/uptime) - t0))
	over=
	[ "$secs" -ge "$tmo" ] && over=" timeout=$tmo"
	cat $out
	echo "-- selftest $t: exit status $rc after $secs s"
	{
		echo "MHEAP-KTAP-BEGIN selftest $t"
		cat $out
		echo "MHEAP-KTAP-END rc=$rc$over"
	} >&3
done


echo "== rmmod mheap.ko"
if grep -q '^mheap ' /proc/modules; then
	rmmod mheap || fail "rmmod mheap"
else
	fail "mheap was not loaded at the end of the selftests"
fi

kmemleak_report "after rmmod"
# What KCSAN saw, for the log: watchpoints set up, races reported.
[ -f flags/kcsan ] && cat /sys/kernel/debug/kcsan
# The judge refuses a results channel without this last line.
echo "MHEAP-RESULTS-END" >&3
exec 3>&-
