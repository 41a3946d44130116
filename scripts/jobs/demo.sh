#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Guest side of "make demo": load mheap, run a small workload, show the
# debugfs tree, unload.  Output goes to the second serial port.
stty -F /dev/ttyS1 raw -echo 2>/dev/null
exec > /dev/ttyS1 2>&1

D=/sys/kernel/debug/mheap
run()
{
	echo "# $*"
	"$@"
}

run insmod ./mheap.ko
run ls -l $D $D/default
for f in $D/heaps $D/default/*; do
	[ -r "$f" ] || continue
	case $f in */control) continue ;; esac
	echo "# cat $f"
	cat "$f"
done
run rmmod mheap
echo "# dmesg | grep mheap"
dmesg | grep 'mheap:'
