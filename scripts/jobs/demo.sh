#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Guest side of "make demo": the story of one heap, told through its
# control file and debugfs.  Load mheap, allocate a mix of objects and
# pages, look at the size classes and the arena map, run a collection
# cycle that keeps a quarter of the objects, watch sweeping and the page
# reclaimer, give the empty regions back and see committed memory fall,
# then unload.  Output goes to the second serial port, away from kernel
# messages; the arena maps go there too as SVG files, each between
# "MHEAP-SVG-BEGIN NAME" and "MHEAP-SVG-END" lines, for scripts/demo.sh
# to cut out.
stty -F /dev/ttyS1 raw -echo 2>/dev/null
exec > /dev/ttyS1 2>&1

D=/sys/kernel/debug/mheap
H=$D/default
run()
{
	echo "# $*"
	"$@"
}
ctl()
{
	echo "# echo '$*' > $H/control"
	echo "$*" > $H/control || echo "(failed: $?)"
}
step()
{
	echo
	echo "=== $*"
}
# stat NAME...: "NAME: value" lines of stats, in that order.
stat()
{
	for k in "$@"; do
		grep "^$k: " $H/stats
	done
}
# map NAME: mheapstat's report (arena map included) and the map as SVG.
map()
{
	echo "# ./mheapstat -H default -s /tmp/$1.svg"
	./mheapstat -H default -s "/tmp/$1.svg"
	echo "MHEAP-SVG-BEGIN $1.svg"
	cat "/tmp/$1.svg"
	echo "MHEAP-SVG-END"
}

step "Load the module: it creates the heap \"default\""
run insmod ./mheap.ko
run ls $H

step "1. Allocate a mix: small objects of many classes, large objects, whole pages"
# The background scavenger would give free regions back on its own; off,
# the release of step 3 is the one that does.
ctl scavenger off
ctl alloc size=8-512 count=40000
ctl alloc size=1000-8000 count=4000
ctl alloc pages=8 count=64
# 1 MiB objects, two to a 2 MiB region, above the small ones.
ctl alloc size=1048576 count=32
run cat $H/stats
echo "# grep -v ' 0  *0  *0 *\$' $H/classes   (the classes in use)"
grep -v ' 0 *0 *0 *$' $H/classes
map 1-allocated

step "2. A collection cycle that keeps 25% of the objects"
# The background sweeper would finish the sweep at once; off, the
# steps below show it.
ctl sweeper off
ctl gc keep=25%
echo "# grep -E '^(sweepgen|cycles|sweep_done|spans_swept|pages_swept|objects_freed|swept_[a-z]+):' $H/sweep"
grep -E '^(sweepgen|cycles|sweep_done|spans_swept|pages_swept|objects_freed|swept_[a-z]+):' $H/sweep
echo "# the page reclaimer frees spans in which nothing was marked, first"
ctl reclaim pages=1000
run cat $H/reclaim
echo "# then the rest is swept"
ctl sweep
echo "# grep -E '^(sweep_done|spans_swept|pages_swept|objects_freed|swept_[a-z]+):' $H/sweep"
grep -E '^(sweep_done|spans_swept|pages_swept|objects_freed|swept_[a-z]+):' $H/sweep
ctl sweeper on
stat objects_in_use pages_committed pages_in_use pages_free
map 2-after-gc

step "3. Give memory back: unmap the regions with no page in use"
# A region goes only when all of it is free: here the regions of the
# large objects that all died; one live object keeps the others.
echo "# before:"
stat pages_committed pages_in_use regions
ctl release
echo "# after:"
stat pages_committed pages_in_use regions regions_released pages_released
map 3-released

step "4. Free everything and release: nothing stays committed"
ctl free all
ctl release
stat pages_committed pages_in_use spans_live objects_in_use regions_released pages_released bad_frees
ctl scavenger on

step "Unload"
run rmmod mheap
echo "# dmesg | grep mheap"
dmesg | grep 'mheap:'
