#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Small KTAP helpers for the mheap selftests (POSIX sh, busybox-friendly).
# A script sources this, calls ktap_plan N, then one ktap_ok/ktap_fail/
# ktap_skip per test, and ends with ktap_finish.

KSFT_PASS=0
KSFT_FAIL=1
KSFT_SKIP=4

MHEAP_DEBUGFS=${MHEAP_DEBUGFS:-/sys/kernel/debug/mheap}

__ktap_n=0
__ktap_failed=0

ktap_plan()
{
	echo "TAP version 13"
	echo "1..$1"
}

ktap_ok()
{
	__ktap_n=$((__ktap_n + 1))
	echo "ok $__ktap_n $1"
}

ktap_fail()
{
	__ktap_n=$((__ktap_n + 1))
	__ktap_failed=$((__ktap_failed + 1))
	echo "not ok $__ktap_n $1"
}

ktap_skip()
{
	__ktap_n=$((__ktap_n + 1))
	echo "ok $__ktap_n $1 # SKIP $2"
}

# ktap_check NAME COMMAND...: one test, passed when COMMAND succeeds.
ktap_check()
{
	__ktap_name=$1
	shift
	if "$@"; then
		ktap_ok "$__ktap_name"
	else
		ktap_fail "$__ktap_name"
	fi
}

# Print a diagnostic line the KTAP way.
ktap_diag()
{
	echo "# $*"
}

# Skip the whole script (exit 4) unless root with the mheap tree visible.
ktap_require_mheap()
{
	if [ "$(id -u)" -ne 0 ]; then
		ktap_plan 1
		ktap_skip "$1" "must be run as root"
		exit $KSFT_SKIP
	fi
	if [ ! -d "$MHEAP_DEBUGFS" ]; then
		ktap_plan 1
		ktap_skip "$1" "$MHEAP_DEBUGFS missing: debugfs not mounted or mheap not loaded"
		exit $KSFT_SKIP
	fi
}

# Skip (exit 4) unless the default heap exists with a control file; sets
# H to its directory.  Calls ktap_require_mheap first.
ktap_require_default_heap()
{
	ktap_require_mheap "$1"
	H=$MHEAP_DEBUGFS/default
	if [ ! -w "$H/control" ]; then
		ktap_plan 1
		ktap_skip "$1" "no default heap with a control file"
		exit $KSFT_SKIP
	fi
}

# ctl WORDS...: one command to the heap's control file.
ctl()
{
	echo "$*" > "$H/control"
}

# stat_of NAME: a value from the heap's stats.
stat_of()
{
	sed -n "s/^$1: //p" "$H/stats"
}

# stats_zero KEY...: each stats value is 0 after "free all" + "release";
# says which is not.
stats_zero()
{
	for __k in "$@"; do
		__v=$(stat_of "$__k")
		if [ "$__v" != 0 ]; then
			ktap_diag "$__k is $__v after free all + release"
			return 1
		fi
	done
}

# refused CMD...: each command, written to the heap's control file, must
# fail with EINVAL; says which did not, and fails if any.
refused()
{
	__bad=0
	for __cmd in "$@"; do
		if __msg=$( { echo "$__cmd" > "$H/control"; } 2>&1 ); then
			ktap_diag "'$__cmd' was accepted"
			__bad=1
		elif ! echo "$__msg" | grep -q 'Invalid argument'; then
			ktap_diag "'$__cmd' failed, but not with EINVAL: $__msg"
			__bad=1
		fi
	done
	return "$__bad"
}

# debugfs files report size 0, so "test -s" cannot tell empty from not.
is_empty()
{
	[ -z "$(cat "$1")" ]
}

ktap_finish()
{
	if [ "$__ktap_failed" -ne 0 ]; then
		ktap_diag "$__ktap_failed of $__ktap_n failed"
		exit $KSFT_FAIL
	fi
	exit $KSFT_PASS
}
