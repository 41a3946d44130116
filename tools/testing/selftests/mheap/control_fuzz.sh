#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# A few thousand random writes to a heap's control file: words, numbers
# and junk mixed at random.  Whatever is accepted or refused, the kernel
# must stay quiet (the harness reads its log) and the heap consistent.
DIR=$(dirname "$0")
. "$DIR/lib.sh"

mheap_require_default_heap control_fuzz

N=${MHEAP_FUZZ_WRITES:-3000}
SEED=${MHEAP_FUZZ_SEED:-20261126}

# One line per write: small numbers only where they allocate, so memory
# stays bounded; junk everywhere else.
gen()
{
	awk -v n="$N" -v seed="$SEED" 'BEGIN {
		srand(seed)
		nw = split("alloc free all release scavenge limit scavenger on off " \
			   "size= pages= count= bytes= gc keep= sweep reclaim sweeper " \
			   "ALLOC x = ==", w, " ")
		# Values per key; counts and pages small, so that at most
		# 10 writes of 64 pages * 17 are live between two "free all".
		nj = split("-1 2e 0x10 99999999999999999999 abc 1.5 +3 007 = 1-", junk, " ")
		np = split("0 1 3 17 64", pg, " ")
		nc = split("0 1 2 3 17", cnt, " ")
		ns = split("0 1 64 4097 100000 2000000", sz, " ")
		nb = split("0 1 4096 2097152 16777216", by, " ")
		nk = split("0% 30% 100% 101% 50 %", kp, " ")
		for (i = 0; i < n; i++) {
			k = 1 + int(rand() * 4)
			line = ""
			for (j = 0; j < k; j++) {
				t = w[1 + int(rand() * nw)]
				if (t ~ /=$/ && rand() < 0.2)
					t = t junk[1 + int(rand() * nj)]
				else if (t == "pages=")
					t = t pg[1 + int(rand() * np)]
				else if (t == "count=")
					t = t cnt[1 + int(rand() * nc)]
				else if (t == "size=")
					t = t sz[1 + int(rand() * ns)]
				else if (t == "bytes=")
					t = t by[1 + int(rand() * nb)]
				else if (t == "keep=")
					t = t kp[1 + int(rand() * nk)]
				line = line (j ? " " : "") t
			}
			if (rand() < 0.05)
				line = line sprintf("%c", 1 + int(rand() * 126))
			if (i % 10 == 9)
				line = "free all"
			print line
		}
	}'
}

fuzz()
{
	accepted=0
	refused=0
	gen > /tmp/control_fuzz.txt
	while IFS= read -r line; do
		if printf '%s\n' "$line" 2>/dev/null > "$H/control"; then
			accepted=$((accepted + 1))
		else
			refused=$((refused + 1))
		fi
	done < /tmp/control_fuzz.txt
	ktap_print_msg "$accepted writes accepted, $refused refused"
	[ $((accepted + refused)) -eq "$N" ]
}

consistent_after()
{
	echo "free all" > "$H/control" || return 1
	echo "limit bytes=0" > "$H/control" || return 1
	echo "scavenger on" > "$H/control" || return 1
	echo "sweeper on" > "$H/control" || return 1
	# Objects the cycles left for dead go with the end of their sweep.
	echo "sweep" > "$H/control" || return 1
	echo "release" > "$H/control" || return 1
	stats_zero pages_in_use spans_live objects_in_use pages_committed ||
		return 1
	[ "$(stat_of bad_frees)" = 0 ]
}

ktap_print_header
ktap_set_plan 2
ktap_test_result "$N random control writes" fuzz
ktap_test_result "heap empty and consistent afterwards" consistent_after
ktap_finished
