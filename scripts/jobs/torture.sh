#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Guest side of the torture test ("make torture", and a short run in
# "make check"): runs in the busybox initramfs from /mheap.
#
# Loads mheap and mheap_torture (its parameters from torture.params),
# and while the test runs takes CPU 1 offline and online, reads every
# debugfs file of mheap, writes control commands to the "default" heap
# (and the soft limit and other commands that open no cycle to the
# torture's own heap), and drops the page cache so the shrinker runs.
# Then it waits for the verdict, compares the heap's statistics with
# what the torture says it holds, removes mheap_torture (which frees
# everything and releases the memory), checks that no page is in use,
# and removes mheap with the heap still alive.  KTAP on fd 3.

stty -F /dev/ttyS1 raw -echo 2>/dev/null
exec 3>/dev/ttyS1

D=/sys/kernel/debug/mheap
T=$D/torture
KMEMLEAK=/sys/kernel/debug/kmemleak
params=$(cat torture.params 2>/dev/null)
secs=$(echo "$params" | sed -n 's/.*duration=\([0-9]*\).*/\1/p')
secs=${secs:-60}

n=0
result() # OK DESCRIPTION
{
	n=$((n + 1))
	if [ "$1" = 1 ]; then
		echo "ok $n $2" >&3
		echo "== ok $n $2"
	else
		echo "not ok $n $2" >&3
		echo "== not ok $n $2"
	fi
}

stat_of() # FILE KEY
{
	awk -v k="$2:" '$1 == k { print $2 }' "$1"
}

# On a KCSAN kernel a green run means something only if KCSAN watched.
KCSAN=/sys/kernel/debug/kcsan
plan=6
[ -e $KCSAN ] && plan=7
echo "MHEAP-KTAP-BEGIN torture mheap_torture" >&3
echo "TAP version 13" >&3
echo "1..$plan" >&3
if [ -e $KCSAN ]; then
	if grep -qx 'enabled: 1' $KCSAN; then
		result 1 "KCSAN enabled"
	else
		result 0 "KCSAN enabled ($(head -n 1 $KCSAN 2>&1))"
	fi
fi

[ -w $KMEMLEAK ] && echo clear > $KMEMLEAK

echo "== insmod mheap.ko"
insmod ./mheap.ko || echo "MHEAP-JOB-FAIL insmod mheap.ko"
echo "== insmod mheap_torture.ko $params"
# shellcheck disable=SC2086 # the parameters are words on purpose
if ! insmod ./mheap_torture.ko $params; then
	result 0 "insmod mheap_torture"
	echo "MHEAP-KTAP-END" >&3
	echo "MHEAP-RESULTS-END" >&3
	exit 1
fi
result 1 "insmod mheap_torture"

rm -f /tmp/stop
# Each stressor loops until /tmp/stop appears.
(
	c=/sys/devices/system/cpu/cpu1/online
	while [ -w $c ] && [ ! -e /tmp/stop ]; do
		echo 0 > $c
		usleep $((200000 + RANDOM % 800000))
		echo 1 > $c
		usleep $((200000 + RANDOM % 800000))
	done
	[ -w $c ] && echo 1 > $c
) &
hotplug=$!
(
	while [ ! -e /tmp/stop ]; do
		for f in $D/heaps $D/*/*; do
			[ -r "$f" ] && [ -f "$f" ] && cat "$f" > /dev/null 2>&1
		done
		usleep 100000
	done
) &
readers=$!
(
	h=$D/default/control
	while [ ! -e /tmp/stop ]; do
		case $((RANDOM % 12)) in
		0) echo "alloc size=1-4096 count=2000" ;;
		1) echo "alloc size=32769-300000 count=20" ;;
		2) echo "alloc pages=$((1 + RANDOM % 32)) count=8" ;;
		3) echo "gc keep=$((RANDOM % 101))%" ;;
		4) echo "gc" ;;
		5) echo "sweep" ;;
		6) echo "reclaim pages=$((1 + RANDOM % 256))" ;;
		7) echo "release" ;;
		8) echo "scavenge bytes=$((1 + RANDOM % 4))e6" ;;
		9) echo "free all" ;;
		10) echo "limit bytes=$(( (4 + RANDOM % 60) << 20 ))" ;;
		*) echo "limit bytes=0" ;;
		esac > $h 2>/dev/null
		usleep $((RANDOM % 100000))
	done
) &
ctl_default=$!
(
	# The torture's heap: nothing that opens a cycle, which would sweep
	# the objects its threads hold.
	h=$T/control
	while [ ! -e /tmp/stop ]; do
		case $((RANDOM % 10)) in
		0) echo "limit bytes=$(( (8 + RANDOM % 56) << 20 ))" ;;
		1) echo "limit bytes=0" ;;
		2) echo "scavenge bytes=$((1 + RANDOM % 8))e5" ;;
		3) echo "release" ;;
		4) echo "reclaim pages=$((1 + RANDOM % 128))" ;;
		5) echo "sweep" ;;
		6) echo "sweeper $([ $((RANDOM % 2)) = 0 ] && echo on || echo off)" ;;
		7) echo "scavenger $([ $((RANDOM % 2)) = 0 ] && echo on || echo off)" ;;
		8) echo "free all" ;;
		*) echo "sweeper on" ;;
		esac > $h 2>/dev/null
		usleep $((100000 + RANDOM % 400000))
	done
	echo "limit bytes=0" > $h
	echo "sweeper on" > $h
	echo "scavenger on" > $h
) &
ctl_torture=$!
(
	while [ ! -e /tmp/stop ]; do
		echo 3 > /proc/sys/vm/drop_caches
		sleep 2
	done
) &
shrink=$!

# The verdict comes after the duration and the final cycles.
echo "== waiting up to $((secs + 300)) s for the verdict"
waited=0
while ! dmesg | grep -q 'mheap-torture: End of test'; do
	if [ $waited -ge $((secs + 300)) ]; then
		break
	fi
	sleep 2
	waited=$((waited + 2))
done
touch /tmp/stop
wait $hotplug $readers $ctl_default $ctl_torture $shrink

verdict=$(dmesg | grep -m 1 'mheap-torture: End of test')
echo "$verdict"
case $verdict in
*"End of test: SUCCESS"*) result 1 "verdict SUCCESS" ;;
"") result 0 "verdict (none after $waited s)" ;;
*) result 0 "verdict FAILURE" ;;
esac

# What the torture holds against what the heap counts.
held=$(dmesg | grep -m 1 'mheap-torture: Held at end:')
echo "$held"
h_obj=$(echo "$held" | sed -n 's/.* objects=\([0-9]*\).*/\1/p')
h_large=$(echo "$held" | sed -n 's/.* large=\([0-9]*\).*/\1/p')
echo "== cat $T/stats"
cat $T/stats
echo "== cat $T/classes"
cat $T/classes
in_use=$(stat_of $T/stats objects_in_use)
lalloc=$(stat_of $T/stats large_allocs)
lfree=$(stat_of $T/stats large_frees)
large=$((${lalloc:-0} - ${lfree:-0}))
bad=$(stat_of $T/stats bad_frees)
c_obj=$(awk '$1 == "Total" { print $3 }' $T/classes)
c_large=$(awk '$1 == "Large" { print $3 }' $T/classes)
why="held objects=$h_obj large=$h_large; stats objects_in_use=$in_use large=$large bad_frees=$bad; classes objects=$c_obj large=$c_large"
if [ -n "$h_obj" ] && [ "$h_obj" = "$in_use" ] && [ "$h_obj" = "$c_obj" ] &&
   [ -n "$lalloc" ] && [ "$h_large" = "$large" ] && [ "$h_large" = "$c_large" ] &&
   [ "$bad" = 0 ]; then
	result 1 "accounting matches ($why)"
else
	result 0 "accounting matches ($why)"
fi

echo "== rmmod mheap_torture"
if rmmod mheap_torture; then
	result 1 "rmmod mheap_torture"
else
	result 0 "rmmod mheap_torture"
fi
dmesg | grep 'mheap-torture: Released:'
echo "== cat $T/stats after the release"
cat $T/stats
pages=$(stat_of $T/stats pages_in_use)
if [ "$pages" = 0 ]; then
	result 1 "pages_in_use 0 after release"
else
	result 0 "pages_in_use 0 after release (saw '$pages')"
fi

echo "== rmmod mheap with heaps alive"
ls $D
if rmmod mheap; then
	result 1 "rmmod mheap with heaps alive"
else
	result 0 "rmmod mheap with heaps alive"
fi
echo "MHEAP-KTAP-END" >&3

if [ -w $KMEMLEAK ]; then
	echo "== kmemleak scan (after rmmod)"
	# kmemleak ignores objects younger than 5 s; scan twice to be sure.
	sleep 6
	echo scan > $KMEMLEAK
	echo scan > $KMEMLEAK
	{
		echo "MHEAP-KMEMLEAK-BEGIN after rmmod"
		cat $KMEMLEAK
		echo "MHEAP-KMEMLEAK-END"
	} >&3
	cat $KMEMLEAK
fi
echo "MHEAP-RESULTS-END" >&3
exec 3>&-
