#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Long control commands: they report progress in the kernel log once a
# second, and a fatal signal stops them with nothing changed (the objects
# allocated so far are freed again).
# The checks run through ktap_check, which shellcheck cannot follow.
# shellcheck disable=SC2317
DIR=$(dirname "$0")
. "$DIR/lib.sh"

ktap_require_default_heap long_jobs
if ! dmesg > /dev/null 2>&1; then
	ktap_plan 1
	ktap_skip long_jobs "cannot read the kernel log"
	exit "$KSFT_SKIP"
fi

ktap_plan 4
ctl free all

now() { cut -d. -f1 /proc/uptime; }

# A job long enough to report: double it until it takes 3 s or more.
count=100000
while :; do
	dmesg -c > /dev/null
	t0=$(now)
	ctl alloc size=64 count=$count
	t=$(($(now) - t0))
	ctl free all
	[ "$t" -ge 3 ] || [ "$count" -ge 6400000 ] && break
	count=$((count * 2))
done
ktap_diag "alloc size=64 count=$count took about $t s"
if [ "$t" -ge 3 ]; then
	ktap_check "progress reported in the kernel log" \
		sh -c "dmesg | grep -q 'default: alloc objects: [0-9]* of $count done'"
else
	ktap_skip "progress reported in the kernel log" "no job here lasts a second"
fi

# Interrupt one: SIGKILL while it runs.
before=$(stat_of objects_in_use)
dmesg -c > /dev/null
sh -c "echo alloc size=64 count=$((count * 4)) > $H/control" 2> /dev/null &
pid=$!
sleep 1
kill -9 "$pid" 2> /dev/null
wait "$pid"
rc=$?
ktap_diag "writer exit status $rc"
if dmesg | grep -q "default: alloc objects: stopped after"; then
	ktap_ok "a fatal signal stops the job"
	ktap_check "nothing changed after the interrupted job" \
		test "$(stat_of objects_in_use)" -eq "$before"
else
	ktap_skip "a fatal signal stops the job" "the job ended before the signal"
	ktap_skip "nothing changed after the interrupted job" "no interrupted job"
fi
ctl free all
ktap_check "heap usable afterwards" ctl alloc size=16-4096 count=1000
ctl free all
ktap_finish
