#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# A heap with a million spans: its "spans" listing streams through
# seq_file.  The first 4 KiB come at once (nothing builds the whole
# listing first), the listing has every span, one line each, and a read
# resumed at an offset goes on where the last one stopped.
# Needs about 4.5 GiB of free memory (a million one-page spans); skips
# otherwise.
# The checks run through ktap_test_result, which shellcheck cannot follow.
# shellcheck disable=SC2317
DIR=$(dirname "$0")
. "$DIR/lib.sh"

NSPANS=1000000

mheap_require_default_heap spans_stream
avail=$(awk '$1 == "MemAvailable:" { print $2 }' /proc/meminfo)
if [ "${avail:-0}" -lt $((4608 * 1024)) ]; then
	mheap_skip_all spans_stream "needs 4.5 GiB free for $NSPANS spans, has $((${avail:-0} / 1024)) MiB"
fi

ktap_print_header
ktap_set_plan 5
ctl free all

# Hundredths of a second since boot.
now() { awk '{ sub(/\./, "", $1); print $1 + 0 }' /proc/uptime; }

t0=$(now)
ktap_test_result "alloc pages=1 count=1e6" ctl alloc pages=1 count=1e6
ktap_print_msg "allocated $NSPANS spans in $(( ($(now) - t0) / 100 )) s"

t0=$(now)
first=$(dd if="$H/spans" bs=4096 count=1 2> /dev/null | wc -c)
t_first=$(($(now) - t0))
t0=$(now)
lines=$(wc -l < "$H/spans")
t_all=$(($(now) - t0))
ktap_print_msg "first 4 KiB in ${t_first}0 ms, all $lines lines in ${t_all}0 ms"
ktap_test_result "first read returns at most 4 KiB" test "$first" -gt 0 -a "$first" -le 4096
ktap_test_result "first 4 KiB come long before the whole listing" \
	test $((t_first * 20)) -le "$t_all"
ktap_test_result "every span listed" test "$lines" -gt "$NSPANS"

# Resume: the line at a byte offset deep in the file is a whole span line.
line=$(dd if="$H/spans" bs=4096 skip=10000 count=1 2> /dev/null | sed -n 2p)
ktap_print_msg "a line 40 MB in: $line"
# A function: ktap_test_result splits its command's words.
is_span_line() { echo "$line" | grep -q '^0x[0-9a-f]* *1 manual '; }
ktap_test_result "a read 40 MB in is a span line" is_span_line

ctl free all
ctl release
ktap_finished
