#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Guest side of "make bench": load mheap without its default heap, load
# mheap_bench (which measures the allocator rows at load), turn the
# background sweeper of its "bench-gc" heap off and have it measure the
# collection rows, copy its CSV results to the second serial port, add the
# metadata row when mheap's stats have one, unload both.  The console gets
# a trace and the kernel's messages.

stty -F /dev/ttyS1 raw -echo 2>/dev/null
exec 3>/dev/ttyS1

D=/sys/kernel/debug
params=$(cat bench.params 2>/dev/null)

{
	echo "info,guest_kernel,$(uname -r)"
	echo "info,guest_cmdline,$(tr ',' ' ' < /proc/cmdline)"
	echo "info,guest_cpus,$(grep -c '^processor' /proc/cpuinfo)"
	echo "info,guest_cpu_model,$(grep -m 1 '^model name' /proc/cpuinfo | sed -e 's/.*: //' -e 's/,/ /g')"
	echo "info,guest_mem_kib,$(awk '/^MemTotal:/ { print $2 }' /proc/meminfo)"
	echo "info,bench_params,$params"
} >&3

echo "== insmod mheap.ko default_heap=0"
if ! insmod ./mheap.ko default_heap=0; then
	echo "err,insmod,0,mheap,1" >&3
	exit 1
fi
echo "== insmod mheap_bench.ko $params"
# shellcheck disable=SC2086 # the parameters are words on purpose
if ! insmod ./mheap_bench.ko $params; then
	echo "err,insmod,0,mheap_bench,1" >&3
	rmmod mheap
	exit 1
fi

# The collection rows, on the "bench-gc" heap: with its background sweeper
# off when mheap's control file knows the word, so that mheap_sweep_all()
# and the reclaimer do all the sweeping they are timed for.
G=$D/mheap/bench-gc
if echo 'sweeper off' > $G/control; then
	sweeper=off
else
	sweeper=on
fi
echo "info,gc_sweeper,$sweeper" >&3
echo "== collection rows, background sweeper $sweeper"
if ! echo run > $D/mheap_bench/collect; then
	echo "err,collect,0,mheap_bench,1" >&3
fi
for f in sweep reclaim; do
	if [ -f $G/$f ]; then
		echo "== cat $G/$f"
		cat $G/$f
	fi
done
# Who swept the heap's spans, the background sweeper included.
if [ -f $G/sweep ]; then
	awk -F ': ' '/^swept_/ { print "info,gc_" $1 "," $2 }' $G/sweep >&3
fi
cat $D/mheap_bench/results >&3

# Metadata overhead, only if mheap reports it (bytes per committed page),
# on the bench heap filled with a mixed workload: objects of 16 B to 4 KiB
# and 64-page manual spans.
echo 'alloc size=16-4096 count=5e4' > $D/mheap/bench/control
echo 'alloc pages=64 count=50' > $D/mheap/bench/control
for h in bench; do
	st=$D/mheap/$h/stats
	echo "== cat $st"
	cat "$st"
	if grep -q '^metadata_bytes:' "$st"; then
		echo "meta,$h,$(awk '/^metadata_bytes:/ { print $2 }' "$st"),$(awk '/^pages_committed:/ { print $2 }' "$st"),$(awk '/^page_size:/ { print $2 }' "$st")" >&3
	fi
done

echo "== rmmod"
rmmod mheap_bench || echo "err,rmmod,0,mheap_bench,1" >&3
rmmod mheap || echo "err,rmmod,0,mheap,1" >&3
echo "end,ok" >&3
