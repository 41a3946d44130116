#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Guest side of "make demo": load mheap, drive a small workload through the
# default heap's control file, show the debugfs tree, unload.  Output goes
# to the second serial port, away from kernel messages.
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

run insmod ./mheap.ko
run ls -l $D $H
run cat $D/heaps
ctl alloc size=64 count=20000
ctl alloc size=1000 count=2000
ctl alloc size=100000 count=2
ctl alloc pages=8 count=20
run cat $H/stats
echo "# grep -v ' 0  *0  *0 *\$' $H/classes   (classes in use)"
grep -v ' 0 *0 *0 *$' $H/classes
run cat $H/arenas
echo "# head -n 8 $H/spans"
head -n 8 $H/spans
ctl free all
ctl release
run cat $H/stats
run rmmod mheap
echo "# dmesg | grep mheap"
dmesg | grep 'mheap:'
