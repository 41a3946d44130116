#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# make run's runner: test programs and make targets as one KTAP stream
# (Documentation/dev-tools/ktap.rst), one plan for all of it.
#
#   runner.sh PROGRAM... -- TARGET...
#
# A PROGRAM is a ktap_test.h program: "PROGRAM -l" lists its tests, and
# each of them is one test line of the stream, renumbered.  The rest of
# its output, its own header, plan and "# Totals:" included, becomes
# comment lines ("# " in front).  A program that stops before all its
# results (a crash) has each test it did not report "not ok"; one that
# exits non-zero with every result passing (a sanitizer report at exit)
# has its last result made "not ok"; one that cannot list its tests is
# one "not ok" line under its own name.
#
# A TARGET ($MAKE TARGET, output in build/TARGET.log) is one test line:
# "ok" if it exits 0.  Its last 8 lines are shown as comments, 150 on
# failure.
#
# The plan is the number of listed tests plus the targets, known before
# anything runs.  Ends with "# Totals:" and "P passed, F failed", F the
# number of "not ok" lines, and exits 1 if F is not 0.
set -u

MAKE=${MAKE:-make}
progs=
while [ $# -gt 0 ] && [ "$1" != -- ]; do
	progs="$progs $1"
	shift
done
[ $# -gt 0 ] && shift

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p build

plan=$#
for t in $progs; do
	if ! ./"$t" -l > "$tmp/$t.list" 2> "$tmp/$t.err" ||
	   [ ! -s "$tmp/$t.list" ]; then
		echo "$t" > "$tmp/$t.list"
		: > "$tmp/$t.nolist"
	fi
	plan=$((plan + $(wc -l < "$tmp/$t.list")))
done

echo "TAP version 13"
echo "1..$plan"
k=0
passed=0
failed=0

# result ok|"not ok" NAME: the next test line of the stream
result()
{
	k=$((k + 1))
	echo "$1 $k $2"
	if [ "$1" = ok ]; then
		passed=$((passed + 1))
	else
		failed=$((failed + 1))
	fi
}

comment()
{
	sed 's/^/# /' "$@"
}

for t in $progs; do
	echo "# $t"
	if [ -e "$tmp/$t.nolist" ]; then
		echo "# $t -l failed:"
		comment "$tmp/$t.err"
		result "not ok" "$t"
		continue
	fi
	n=$(wc -l < "$tmp/$t.list")
	./"$t" > "$tmp/$t.log" 2>&1
	rc=$?
	# The last result waits for the exit status, and what follows it
	# waits with it in $tmp/$t.tail.
	i=0
	bad=0
	last=
	extra=0
	: > "$tmp/$t.tail"
	while IFS= read -r line; do
		case $line in
		"ok "[0-9]*|"not ok "[0-9]*)
			if [ $i -ge "$n" ]; then
				extra=1
				echo "# $line" >> "$tmp/$t.tail"
				continue
			fi
			i=$((i + 1))
			status=${line%% [0-9]*}
			name=${line#"$status" }
			name=${name#*[0-9] }
			[ "$status" = ok ] || bad=1
			if [ $i -eq "$n" ]; then
				last=$status
				last_name=$name
			else
				result "$status" "$name"
			fi
			;;
		*)
			if [ -n "$last" ]; then
				echo "# $line" >> "$tmp/$t.tail"
			else
				echo "# $line"
			fi
			;;
		esac
	done < "$tmp/$t.log"
	if [ -n "$last" ]; then
		if [ "$last" = ok ] && [ $bad -eq 0 ] &&
		   { [ $rc -ne 0 ] || [ $extra -ne 0 ]; }; then
			cat "$tmp/$t.tail"
			echo "# $t: exit status $rc after all its results passed"
			[ $extra -eq 0 ] ||
				echo "# $t: more results than its $n tests"
			result "not ok" "$last_name"
		else
			result "$last" "$last_name"
			cat "$tmp/$t.tail"
		fi
	else
		echo "# $t: exit status $rc after $i of its $n results"
		while [ $i -lt "$n" ]; do
			i=$((i + 1))
			result "not ok" "$(sed -n "${i}p" "$tmp/$t.list")"
		done
	fi
done

for p in "$@"; do
	echo "# $p"
	t0=$(date +%s)
	$MAKE -s --no-print-directory "$p" > "build/$p.log" 2>&1
	rc=$?
	echo "# $p: exit status $rc after $(($(date +%s) - t0)) s"
	if [ $rc -eq 0 ]; then
		tail -n 8 "build/$p.log" | comment
		result ok "$p"
	else
		tail -n 150 "build/$p.log" | comment
		result "not ok" "$p"
	fi
done

echo "# Totals: pass:$passed fail:$failed xfail:0 xpass:0 skip:0 error:0"
echo "$passed passed, $failed failed"
[ $failed -eq 0 ]
