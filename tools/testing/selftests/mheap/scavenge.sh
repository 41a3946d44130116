#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Memory goes back to the kernel: on request ("release"), under memory
# pressure (the shrinker, driven through drop_caches), and by the
# background scavenger.  Each time MemFree must recover at least 95% of
# what the heap had taken.
DIR=$(dirname "$0")
. "$DIR/lib.sh"

mheap_require_default_heap scavenge
if [ ! -r /proc/meminfo ]; then
	mheap_skip_all scavenge "no /proc/meminfo"
fi

MIB=100
# 512-page manual spans: one chunk each, 2 MiB with 4 KiB pages.
NSPANS=$((MIB / 2))

# Free memory as the page allocator has it: MemFree plus the pages that
# sit on per-CPU page lists, which MemFree does not count but which freed
# memory lands on first.
memfree_kb()
{
	pcp=$(awk '$1 == "count:" { n += $2 } END { print n + 0 }' /proc/zoneinfo)
	awk -v pcp="$pcp" '$1 == "MemFree:" { print $2 + pcp * 4 }' /proc/meminfo
}

# Start each check from an empty heap.
clean()
{
	ctl free all && ctl release
}

scav_of()
{
	sed -n "s/^$1: //p" "$H/scavenge"
}

# take: allocate $MIB MiB and check MemFree dropped by about that much.
take()
{
	before=$(memfree_kb)
	ctl alloc pages=512 count=$NSPANS || return 1
	taken=$((before - $(memfree_kb)))
	if [ "$taken" -lt $((MIB * 1024 * 95 / 100)) ]; then
		ktap_print_msg "MemFree dropped by only ${taken} kB for $MIB MiB"
		return 1
	fi
}

# recovered SINCE_KB: MemFree is back up by 95% of $MIB MiB within 1 s.
recovered()
{
	want=$((MIB * 1024 * 95 / 100))
	i=0
	while [ $i -lt 10 ]; do
		got=$(($(memfree_kb) - $1))
		[ "$got" -ge "$want" ] && return 0
		sleep 0.1
		i=$((i + 1))
	done
	ktap_print_msg "MemFree recovered ${got} kB of the ${want} kB wanted within 1 s"
	return 1
}

on_release()
{
	clean || return 1
	take || return 1
	low=$(memfree_kb)
	ctl free all || return 1
	ctl release || return 1
	recovered "$low"
}

on_pressure()
{
	clean || return 1
	before=$(scav_of released_shrinker_bytes)
	take || return 1
	low=$(memfree_kb)
	ctl free all || return 1
	# drop_caches=2 runs every shrinker, as memory pressure would.
	echo 2 > /proc/sys/vm/drop_caches || return 1
	recovered "$low" || return 1
	after=$(scav_of released_shrinker_bytes)
	if [ "$after" -le "$before" ]; then
		ktap_print_msg "released_shrinker_bytes did not move ($before)"
		return 1
	fi
}

in_background()
{
	clean || return 1
	take || return 1
	ctl scavenger on || return 1
	low=$(memfree_kb)
	ctl free all || return 1
	# The scavenger releases a region every 10 ms once it notices.
	i=0
	while [ $i -lt 50 ]; do
		[ "$(scav_of retained_bytes)" -le "$(scav_of retained_goal_bytes)" ] && break
		sleep 0.1
		i=$((i + 1))
	done
	r=$(scav_of retained_bytes)
	g=$(scav_of retained_goal_bytes)
	if [ "$r" -gt "$g" ]; then
		ktap_print_msg "after 5 s retained $r bytes, goal $g"
		return 1
	fi
	[ "$(scav_of released_background_bytes)" -gt 0 ]
}

limit_holds()
{
	ctl scavenger off || return 1
	clean || return 1
	ctl limit bytes=$((16 << 20)) || return 1
	if ctl alloc pages=512 count=9 2>/dev/null; then
		ktap_print_msg "18 MiB allocated under a 16 MiB limit"
		return 1
	fi
	ctl alloc pages=512 count=8 || return 1
	c=$(scav_of committed_bytes)
	ctl free all
	ctl limit bytes=0 || return 1
	[ "$c" -le $((16 << 20)) ]
}

ctl scavenger off
ctl free all
ctl release
ktap_print_header
ktap_set_plan 4
ktap_test_result "release gives $MIB MiB back within 1 s" on_release
ktap_test_result "the shrinker gives $MIB MiB back under pressure" on_pressure
ktap_test_result "the background scavenger reaches its goal" in_background
ktap_test_result "the memory limit holds" limit_holds
ctl free all
ctl release
ctl scavenger on
ktap_finished
