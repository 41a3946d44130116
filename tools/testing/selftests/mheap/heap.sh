#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Drive the default heap through its control file and check that stats,
# spans and arenas agree with each other and with what was asked for.
DIR=$(dirname "$0")
. "$DIR/lib.sh"

mheap_require_default_heap heap

# Sum of the npages column of spans, and the number of span rows.
spans_pages()
{
	awk 'NR > 1 { n += $2 } END { print n + 0 }' "$H/spans"
}

spans_rows()
{
	awk 'NR > 1' "$H/spans" | wc -l
}

arenas_committed()
{
	awk 'NR > 1 { n += $2 } END { print n + 0 }' "$H/arenas"
}

consistent()
{
	in_use=$(stat_of pages_in_use)
	sp=$(spans_pages)
	if [ "$in_use" != "$sp" ]; then
		ktap_print_msg "stats pages_in_use=$in_use, spans add up to $sp"
		return 1
	fi
	live=$(stat_of spans_live)
	rows=$(spans_rows)
	if [ "$live" != "$rows" ]; then
		ktap_print_msg "stats spans_live=$live, spans lists $rows"
		return 1
	fi
	c=$(stat_of pages_committed)
	a=$(arenas_committed)
	if [ "$c" != "$a" ]; then
		ktap_print_msg "stats pages_committed=$c, arenas add up to $a"
		return 1
	fi
	f=$(stat_of pages_free)
	if [ $((in_use + f)) -ne "$c" ]; then
		ktap_print_msg "in use $in_use + free $f != committed $c"
		return 1
	fi
}

alloc_counts()
{
	before=$(stat_of pages_in_use)
	ctl alloc pages=3 count=5 || return 1
	ctl alloc pages=600 || return 1
	after=$(stat_of pages_in_use)
	if [ $((after - before)) -ne 615 ]; then
		ktap_print_msg "pages_in_use went from $before to $after, want +615"
		return 1
	fi
}

spans_format()
{
	head -n 1 "$H/spans" | grep -q '^base  *npages  *state' || return 1
	bad=$(awk 'NR > 1 && !($1 ~ /^0x[0-9a-f]{16}$/ && $2 ~ /^[0-9]+$/ && ($3 == "in-use" || $3 == "manual"))' "$H/spans" | wc -l)
	if [ "$bad" -ne 0 ]; then
		ktap_print_msg "$bad malformed span rows"
		return 1
	fi
}

# Objects through the control file: counters, classes and sizes agree.
objects_counts()
{
	before=$(stat_of objects_in_use)
	ctl alloc size=100 count=1000 || return 1
	ctl alloc size=8 count=3000 || return 1
	ctl alloc size=40000 count=3 || return 1
	ctl alloc size=16-4096 count=1e3 || return 1
	after=$(stat_of objects_in_use)
	if [ $((after - before)) -ne 5000 ]; then
		ktap_print_msg "objects_in_use went from $before to $after, want +5000"
		return 1
	fi
	total=$(awk '$1 == "Total" { print $3 }' "$H/classes")
	if [ "$total" != "$after" ]; then
		ktap_print_msg "classes Total in use $total, stats objects_in_use $after"
		return 1
	fi
	meta=$(stat_of metadata_bytes)
	cb=$(($(stat_of pages_committed) * $(stat_of page_size)))
	if [ "$meta" -le 0 ] || [ $((meta * 10)) -ge "$cb" ]; then
		ktap_print_msg "metadata_bytes $meta for $cb bytes committed (want > 0, < 10%)"
		return 1
	fi
	large=$(awk '$1 == "Large" { print $3 }' "$H/classes")
	if [ "$large" != 3 ]; then
		ktap_print_msg "classes Large objects $large, want 3"
		return 1
	fi
	# 100 bytes is class 9 (112 bytes); 8 bytes class 1; the 1000
	# random sizes of 16-4096 bytes add to other classes.
	c9=$(awk '$1 == 9 { print $2, ($6 >= 1000) }' "$H/classes")
	c1=$(awk '$1 == 1 { print $2, $6 }' "$H/classes")
	if [ "$c9" != "112 1" ] || [ "$c1" != "8 3000" ]; then
		ktap_print_msg "class rows: '$c9' and '$c1'"
		return 1
	fi
}

classes_format()
{
	head -n 1 "$H/classes" | grep -q '^class  *size  *pages' || return 1
	rows=$(awk 'NR > 1 && $1 ~ /^[0-9]+$/' "$H/classes" | wc -l)
	if [ "$rows" -ne 67 ]; then
		ktap_print_msg "classes has $rows class rows, want 67"
		return 1
	fi
}

free_and_release()
{
	ctl free all || return 1
	ctl release || return 1
	stats_zero pages_in_use pages_committed spans_live objects_in_use ||
		return 1
	[ "$(spans_rows)" -eq 0 ] || return 1
}

# Each malformed command must fail and leave the heap as it was.
bad_commands()
{
	ok=0
	snap=$(cat "$H/stats")
	refused "" "bogus" "alloc" "alloc pages=0" "alloc pages=abc" \
		"alloc pages=-1" "alloc pages=99999999999999999999999" \
		"alloc pages=1 count=0" "alloc pages=1 count=2000000" \
		"alloc pages=1 count=1 extra" "alloc pages=1 bogus=1" \
		"alloc pages =1" "free" "free some" "free all now" \
		"release now" "ALLOC pages=1" "alloc size=0" \
		"alloc size=2000000" "alloc size=8 pages=1" "alloc size=8x" \
		"alloc size=10-5" "alloc size=1-" "alloc size=-8" \
		"alloc size=8 count=1e20" "alloc size=8 count=2e" \
		"alloc size=8 count=e5" || ok=1
	if printf 'alloc pages=1\000count=5' 2>/dev/null > "$H/control"; then
		ktap_print_msg "a command with an embedded NUL was accepted"
		ok=1
	fi
	long=$(head -c 300 /dev/zero | tr '\0' 'x')
	if echo "alloc pages=1 $long" 2>/dev/null > "$H/control"; then
		ktap_print_msg "an over-long line was accepted"
		ok=1
	fi
	if [ "$snap" != "$(cat "$H/stats")" ]; then
		ktap_print_msg "stats changed after rejected commands"
		ok=1
	fi
	return $ok
}

# Snapshots are compared: keep the background scavenger out of the way.
ctl scavenger off
ktap_print_header
ktap_set_plan 9
ktap_test_result "alloc moves pages_in_use by what was asked" alloc_counts
ktap_test_result "spans rows are well formed" spans_format
ktap_test_result "stats, spans and arenas agree" consistent
ktap_test_result "classes has one row per class" classes_format
ktap_test_result "objects: stats and classes agree" objects_counts
ktap_test_result "stats, spans and arenas agree with objects" consistent
ktap_test_result "malformed commands fail and change nothing" bad_commands
ktap_test_result "free all + release empties the heap" free_and_release
ktap_test_result "stats, spans and arenas agree when empty" consistent
ctl scavenger on
ktap_finished
