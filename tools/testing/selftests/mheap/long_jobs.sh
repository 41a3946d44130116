#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Long control commands: they report progress in the kernel log once a
# second, and a fatal signal stops them with nothing changed (the objects
# allocated so far are freed again).
# The checks run through ktap_test_result, which shellcheck cannot follow.
# shellcheck disable=SC2317
DIR=$(dirname "$0")
. "$DIR/lib.sh"

mheap_require_default_heap long_jobs
if ! dmesg > /dev/null 2>&1; then
	mheap_skip_all long_jobs "cannot read the kernel log"
fi

ktap_print_header
ktap_set_plan 4
ctl free all

now() { cut -d. -f1 /proc/uptime; }

# The checks, as functions: ktap_test_result splits its command's words.
unchanged() { test "$(stat_of objects_in_use)" -eq "$before"; }
progress_logged()
{
	dmesg | grep -q "default: alloc objects: [0-9]* of $count done"
}

avail=$(awk '$1 == "MemAvailable:" { print $2 }' /proc/meminfo)

# Interrupt one: the biggest job memory allows (its heap has to grow),
# SIGKILLed once its first progress line shows it is under way.
size=64
[ $((1024 / 512 * 1000000)) -le $((${avail:-0} / 2)) ] && size=1024
before=$(stat_of objects_in_use)
dmesg -c > /dev/null
sh -c "echo alloc size=$size count=1000000 > $H/control" 2> /dev/null &
pid=$!
while kill -0 "$pid" 2> /dev/null; do
	if dmesg | grep -q "default: alloc objects: [0-9]* of 1000000 done"; then
		kill -9 "$pid"
		break
	fi
	sleep 0.2 2> /dev/null || sleep 1
done
wait "$pid"
ktap_print_msg "writer exit status $?"
if dmesg | grep -q "default: alloc objects: stopped after"; then
	ktap_test_pass "a fatal signal stops the job"
	ktap_test_result "nothing changed after the interrupted job" unchanged
else
	ktap_print_msg "the job ended within a second"
	ktap_test_skip "a fatal signal stops the job"
	ktap_print_msg "no interrupted job"
	ktap_test_skip "nothing changed after the interrupted job"
fi
ctl free all
ctl release

# A job long enough to report (2 s or more as /proc/uptime's whole
# seconds count, so over one second), growing it within the
# control file's limit of a million objects and half the free memory.
t=0
for job in "64 100000" "64 200000" "64 400000" "64 1000000" \
	   "1024 1000000"; do
	set -- $job
	[ $(($1 / 512 * $2)) -le $((${avail:-0} / 2)) ] || break
	size=$1
	count=$2
	dmesg -c > /dev/null
	t0=$(now)
	ctl alloc size="$size" count="$count"
	t=$(($(now) - t0))
	ctl free all
	ctl release
	[ "$t" -lt 2 ] || break
done
ktap_print_msg "alloc size=$size count=$count took about $t s"
if [ "$t" -ge 2 ]; then
	ktap_test_result "progress reported in the kernel log" progress_logged
else
	ktap_print_msg "no job here lasts a second"
	ktap_test_skip "progress reported in the kernel log"
fi

ktap_test_result "heap usable afterwards" ctl alloc size=16-4096 count=1000
ctl free all
ktap_finished
