#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# mheapstat (tools/mheap/mheapstat) against a live heap: drive the default
# heap through its control file, then check that the report agrees with
# stats and chunks, that -s writes a well-formed SVG, that -i/-n repeat
# and that bad options are refused; after a cycle, that the sweep and
# reclaim lines agree with the sweep and reclaim files.  The tool is
# $MHEAPSTAT, else mheapstat next to this script.
# The checks run through ktap_test_result, which shellcheck cannot follow.
# shellcheck disable=SC2317
DIR=$(dirname "$0")
. "$DIR/lib.sh"

mheap_require_default_heap mheapstat
MHEAPSTAT=${MHEAPSTAT:-$DIR/mheapstat}
if [ ! -f "$MHEAPSTAT" ]; then
	mheap_skip_all mheapstat "tool not found: set MHEAPSTAT or put mheapstat next to $0"
fi

TMP=${TMPDIR:-/tmp}/mheapstat.$$
mkdir -p "$TMP" || exit "$KSFT_FAIL"
trap 'rm -rf "$TMP"' EXIT

mheapstat()
{
	sh "$MHEAPSTAT" "$@"
}

chunk_rows()
{
	awk 'NR > 1' "$H/chunks" | wc -l
}

# The number after LABEL in a totals line of the report in $TMP/out.
total_of()
{
	awk -v l="$1" 'substr($0, 1, 17) == "  " sprintf("%-15s", l) { print $(split(l, w, " ") + 1); exit }' "$TMP/out"
}

# The map characters of the report in $TMP/out, gaps left out.
map_chars()
{
	sed -n 's/^ *[0-9][0-9]* |\(.*\)|$/\1/p' "$TMP/out" | tr -d ' \n'
}

setup()
{
	ctl alloc size=64 count=20000 || return 1
	ctl alloc pages=700 count=2 || return 1
}

one_shot()
{
	mheapstat -H default > "$TMP/out" 2> "$TMP/err"
	rc=$?
	if [ "$rc" -ne 0 ]; then
		ktap_print_msg "mheapstat -H default exited $rc: $(cat "$TMP/err")"
		return 1
	fi
	grep -q '^heap default: ' "$TMP/out" || return 1
}

totals_match()
{
	ok=0
	for pair in "committed pages_committed" "in use pages_in_use" \
		    "free pages_free" "regions regions" "spans spans_live" \
		    "objects in use objects_in_use" "bad frees bad_frees"; do
		key=${pair##* }
		label=${pair% *}
		want=$(stat_of "$key")
		got=$(total_of "$label")
		if [ "$got" != "$want" ]; then
			ktap_print_msg "report says '$label' $got, stats $key is $want"
			ok=1
		fi
	done
	return "$ok"
}

mib_match()
{
	ps=$(stat_of page_size)
	want=$(awk -v p="$(stat_of pages_committed)" -v s="$ps" 'BEGIN { printf "%.1f", p * s / 1048576 }')
	got=$(awk '$1 == "committed" && $5 == "MiB" { print $4 }' "$TMP/out")
	if [ "$got" != "$want" ]; then
		ktap_print_msg "committed MiB: report $got, want $want"
		return 1
	fi
}

classes_listed()
{
	# 64 bytes is class 6: 20000 objects, the busiest class here.
	row=$(awk '$1 == 6 && $2 == 64 { print $4 }' "$TMP/out")
	if [ "$row" -lt 20000 ] 2>/dev/null || [ -z "$row" ]; then
		ktap_print_msg "class 6 row: '$row' objects, want at least 20000"
		return 1
	fi
	want=$(awk '$1 == "Large" { print $2, $3, $4 }' "$H/classes")
	got=$(awk '$1 == "Large" { print $3, $4, $5 }' "$TMP/out")
	if [ "$got" != "$want" ]; then
		ktap_print_msg "Large row: report '$got', classes '$want'"
		return 1
	fi
	n=$(awk '/^  class  *size/ { on = 1; next } on && /^$/ { exit } on' "$TMP/out" | wc -l)
	if [ "$n" -lt 2 ] || [ "$n" -gt 6 ]; then
		ktap_print_msg "$n rows in the busiest classes table, want 2 to 6"
		return 1
	fi
}

map_matches_chunks()
{
	rows=$(chunk_rows)
	chars=$(map_chars)
	n=${#chars}
	if [ "$n" -ne "$rows" ]; then
		ktap_print_msg "arena map has $n chunk characters, chunks has $rows rows"
		return 1
	fi
	if [ -n "$(echo "$chars" | tr -d '.1-9#')" ]; then
		ktap_print_msg "arena map has characters outside '.1-9#': $chars"
		return 1
	fi
	if ! grep -q "^  arena map: $rows chunks of 512 pages" "$TMP/out"; then
		ktap_print_msg "no 'arena map: $rows chunks' line"
		return 1
	fi
	# The characters are the chunks' occupancy, in order.
	want=$(awk 'NR > 1 { u = $4; t = $4 + $5; d = int(u * 10 / t)
		c = u == 0 ? "." : u == t ? "#" : d < 1 ? 1 : d; printf "%s", c }' "$H/chunks")
	if [ "$chars" != "$want" ]; then
		ktap_print_msg "arena map '$chars', chunks say '$want'"
		return 1
	fi
	# One row per 64 chunks: a row label is the index of its first column.
	first=$(awk 'NR == 2 { print $1 }' "$H/chunks")
	label=$(sed -n 's/^ *\([0-9][0-9]*\) |.*|$/\1/p' "$TMP/out" | head -n 1)
	if [ "$label" != $((first / 64 * 64)) ]; then
		ktap_print_msg "first map row labelled $label, first chunk is $first"
		return 1
	fi
}

svg_written()
{
	svg=$TMP/map.svg
	if ! mheapstat -H default -s "$svg" > "$TMP/out" 2> "$TMP/err"; then
		ktap_print_msg "mheapstat -s failed: $(cat "$TMP/err")"
		return 1
	fi
	if [ "$(head -c 4 "$svg")" != "<svg" ]; then
		ktap_print_msg "SVG starts with '$(head -c 20 "$svg")'"
		return 1
	fi
	if [ "$(tail -n 1 "$svg")" != "</svg>" ]; then
		ktap_print_msg "SVG ends with '$(tail -n 1 "$svg")'"
		return 1
	fi
	rects=$(grep -o '<rect class="chunk"' "$svg" | wc -l)
	rows=$(chunk_rows)
	if [ "$rects" -ne "$rows" ]; then
		ktap_print_msg "SVG has $rects chunk rects, chunks has $rows rows"
		return 1
	fi
	opened=$(grep -o '<rect ' "$svg" | wc -l)
	closed=$(grep -o '</rect>\|<rect [^>]*/>' "$svg" | wc -l)
	if [ "$opened" -ne "$closed" ]; then
		ktap_print_msg "SVG: $opened rects opened, $closed closed"
		return 1
	fi
	grep -q '>heap default ' "$svg" || return 1
	! ls "$TMP"/map.svg.tmp.* > /dev/null 2>&1
}

interval_reports()
{
	mheapstat -H default -i 1 -n 2 > "$TMP/out" 2> "$TMP/err" || return 1
	h=$(grep -c '^mheapstat ' "$TMP/out")
	d=$(grep -c '^heap default: ' "$TMP/out")
	c=$(grep -c '^  gc cycles ' "$TMP/out")
	if [ "$h" -ne 2 ] || [ "$d" -ne 2 ] || [ "$c" -ne 2 ]; then
		ktap_print_msg "-i 1 -n 2: $h report headers, $d heap sections, $c gc cycles lines; want 2, 2 and 2"
		return 1
	fi
}

bad_options()
{
	ok=0
	for args in "-x" "-i" "-i 0" "-i abc" "-n 2" "-i 1 -n 0" \
		    "-i 1 -n x" "extra" "-H"; do
		# shellcheck disable=SC2086 # split the options on purpose
		mheapstat $args > "$TMP/out" 2> "$TMP/err"
		rc=$?
		if [ "$rc" -ne 2 ]; then
			ktap_print_msg "mheapstat $args exited $rc, want 2"
			ok=1
		elif [ ! -s "$TMP/err" ] || [ -s "$TMP/out" ]; then
			ktap_print_msg "mheapstat $args: no message on stderr, or output on stdout"
			ok=1
		fi
	done
	mheapstat -h > "$TMP/out" 2>&1 || ok=1
	grep -q '^usage: mheapstat' "$TMP/out" || ok=1
	return "$ok"
}

errors_exit_1()
{
	ok=0
	mheapstat -H no-such-heap > "$TMP/out" 2> "$TMP/err"
	rc=$?
	if [ "$rc" -ne 1 ] || ! grep -q 'no-such-heap' "$TMP/err"; then
		ktap_print_msg "unknown heap: exit $rc, '$(cat "$TMP/err")'"
		ok=1
	fi
	MHEAP_DEBUGFS=$TMP/none sh "$MHEAPSTAT" > "$TMP/out" 2> "$TMP/err"
	rc=$?
	if [ "$rc" -ne 1 ] || ! grep -q 'mheap module loaded' "$TMP/err"; then
		ktap_print_msg "missing debugfs tree: exit $rc, '$(cat "$TMP/err")'"
		ok=1
	fi
	return "$ok"
}

empty_after_release()
{
	ctl free all || return 1
	ctl release || return 1
	mheapstat -H default > "$TMP/out" 2>&1 || return 1
	rows=$(chunk_rows)
	got=$(total_of committed)
	if [ "$got" != "$(stat_of pages_committed)" ]; then
		ktap_print_msg "committed: report $got, stats $(stat_of pages_committed)"
		return 1
	fi
	if [ "$rows" -eq 0 ] && ! grep -q 'no chunks' "$TMP/out"; then
		ktap_print_msg "no chunks, but the report does not say so"
		return 1
	fi
	[ "$(map_chars | wc -c)" -eq "$rows" ]
}

# After a cycle, the sweep and reclaim lines say what sweep and reclaim do.
cycles_reported()
{
	ctl alloc size=64 count=2000 || return 1
	ctl sweeper off || return 1
	ctl gc keep=50% || return 1
	ctl reclaim pages=1 || return 1
	ctl sweep || return 1
	ctl sweeper on || return 1
	mheapstat -H default > "$TMP/out" 2>&1 || return 1
	ok=0
	for pair in "gc cycles:sweep:cycles" "pages swept:sweep:pages_swept" \
		    "pages reclaimed:reclaim:pages_reclaimed"; do
		label=${pair%%:*}
		file=${pair#*:}
		key=${file#*:}
		file=${file%%:*}
		want=$(sed -n "s/^$key: //p" "$H/$file")
		got=$(total_of "$label")
		if [ "$got" != "$want" ]; then
			ktap_print_msg "report says '$label' $got, $file $key is $want"
			ok=1
		fi
	done
	sg=$(sed -n 's/^sweepgen: //p' "$H/sweep")
	if ! grep -q "^  gc cycles .*(sweepgen $sg, sweep done; background sweeper " "$TMP/out"; then
		ktap_print_msg "gc cycles line: $(grep '^  gc cycles' "$TMP/out")"
		ok=1
	fi
	ctl free all || return 1
	return "$ok"
}

# Reports are compared with stats: keep the background scavenger still.
ctl scavenger off
ktap_print_header
ktap_set_plan 12
ktap_test_result "workload through control" setup
ktap_test_result "one-shot report runs" one_shot
ktap_test_result "totals match stats" totals_match
ktap_test_result "MiB follow from pages and page_size" mib_match
ktap_test_result "busiest classes and Large row" classes_listed
ktap_test_result "arena map: one character per chunk, in order" map_matches_chunks
ktap_test_result "-s writes a well-formed SVG, one rect per chunk" svg_written
ktap_test_result "-i 1 -n 2 prints two reports" interval_reports
ktap_test_result "bad options exit 2 with a message" bad_options
ktap_test_result "unknown heap and missing tree exit 1" errors_exit_1
ktap_test_result "free all + release: report follows" empty_after_release
ktap_test_result "gc cycles, pages swept and reclaimed follow sweep and reclaim" cycles_reported
ctl scavenger on
ktap_finished
