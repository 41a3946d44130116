#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Guest side of scripts/bench-profile.sh: for every row and allocator of
# profile.params, record mheap_bench.ko's load (which measures only that
# row of that allocator) with "perf record -e cpu-clock -a", and write to
# the second serial port a "=== <row>-<alloc>" header, perf's top symbols
# by thread, the commonest call chains and the hottest symbol+offset sites.
# perf names the 2-CPU rows' kthreads after their parent, kthreadd.

stty -F /dev/ttyS1 raw -echo 2>/dev/null
exec 3>/dev/ttyS1

mkdir -p /lib64
cp perf/lib/ld-linux-x86-64.so.2 /lib64/
export LD_LIBRARY_PATH=/mheap/perf/lib
P=/mheap/perf/perf
echo 0 > /proc/sys/kernel/kptr_restrict
echo -1 > /proc/sys/kernel/perf_event_paranoid
$P --version || exit 1

allocs=$(sed -n 1p profile.params)
params=$(sed -n 2p profile.params)
rows=$(sed -n 3p profile.params)

echo "== insmod mheap.ko default_heap=0"
insmod ./mheap.ko default_heap=0 || exit 1
for row in $rows; do
	for a in $allocs; do
		name=$(echo "$row" | tr / -)-$a
		echo "== perf record: $row $a"
		case $row in
		gc-*|reclaim-*)
			# Collection rows run when "collect" is written, on the
			# bench-gc heap with its background sweeper off, as in
			# make bench.
			# shellcheck disable=SC2086 # words on purpose
			insmod ./mheap_bench.ko $params gc_only=1 only="$row" \
				only_alloc="$a" || echo "insmod failed: $?"
			echo 'sweeper off' > /sys/kernel/debug/mheap/bench-gc/control
			$P record -q -e cpu-clock -F 1000 -a -g -o /tmp/p.data -- \
				sh -c 'echo run > /sys/kernel/debug/mheap_bench/collect' ||
				echo "perf record or collect failed: $?"
			;;
		*)
			# shellcheck disable=SC2086 # words on purpose
			$P record -q -e cpu-clock -F 1000 -a -g -o /tmp/p.data -- \
				insmod ./mheap_bench.ko $params only="$row" \
				only_alloc="$a" ||
				echo "perf record or insmod failed: $?"
			;;
		esac
		grep "^res,$(echo "$row" | cut -d / -f 1)," /sys/kernel/debug/mheap_bench/results
		{
			echo "=== $name"
			grep '^res,' /sys/kernel/debug/mheap_bench/results
			echo "--- top symbols (self, % of all samples of both CPUs; swapper is idle)"
			$P report -i /tmp/p.data --stdio --no-children -g none \
				--sort comm,sym --percent-limit 0.3 2>&1 |
				grep -v '^#' | grep -v '^$' | head -n 50
			echo "--- call chains (leaf <- 5 callers) of the samples, swapper left out"
			$P script -i /tmp/p.data -F comm,ip,sym 2>/dev/null |
				awk 'BEGIN { RS = ""; FS = "\n" }
				     {
					split($1, h, " ")
					if (h[1] ~ /^swapper/)
						next
					k = h[1]
					for (i = 2; i <= NF && i <= 7; i++) {
						n = split($i, w, " ")
						k = k (i == 2 ? ": " : " <- ") w[2]
					}
					print k
				     }' | sort | uniq -c | sort -rn | head -n 40
			echo "--- hottest sites (samples comm sym+offset (dso)), swapper left out"
			$P script -i /tmp/p.data -F comm,ip,sym,symoff,dso -G 2>/dev/null |
				grep -v '^ *swapper' |
				sed -e 's/^ *\([^ ]*\) *[0-9a-f]* /\1 /' | sort | uniq -c |
				sort -rn | head -n 60
		} >&3 2>&1
		rmmod mheap_bench
	done
done
rmmod mheap
echo "end,ok" >&3
