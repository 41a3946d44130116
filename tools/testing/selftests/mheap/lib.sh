#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Shared code of the mheap selftests (POSIX sh, busybox-friendly): the
# kernel's KTAP helpers and the heap's control and stats files.

# The kernel's KTAP helpers: tools/testing/selftests/kselftest/ when this
# directory sits in the kernel's tree, else the copy shipped next to this
# file.  A script prints ktap_print_header and ktap_set_plan N, one
# ktap_test_pass/ktap_test_fail/ktap_test_skip/ktap_test_result per test,
# diagnostics with ktap_print_msg, and ends with ktap_finished.
__lib_dir=$(dirname "$0")
if [ -r "$__lib_dir/../kselftest/ktap_helpers.sh" ]; then
	. "$__lib_dir/../kselftest/ktap_helpers.sh"
else
	. "$__lib_dir/ktap_helpers.sh"
fi

MHEAP_DEBUGFS=${MHEAP_DEBUGFS:-/sys/kernel/debug/mheap}

# mheap_skip_all NAME REASON: the whole script is one skipped test (a
# plan of one, so the harness counts it), exit 4.
mheap_skip_all()
{
	ktap_print_header
	ktap_set_plan 1
	ktap_print_msg "$1: $2"
	ktap_test_skip "$1"
	exit "$KSFT_SKIP"
}

# Skip the whole script (exit 4) unless root with the mheap tree visible.
mheap_require()
{
	if [ "$(id -u)" -ne 0 ]; then
		mheap_skip_all "$1" "must be run as root"
	fi
	if [ ! -d "$MHEAP_DEBUGFS" ]; then
		mheap_skip_all "$1" "$MHEAP_DEBUGFS missing: debugfs not mounted or mheap not loaded"
	fi
}

# Skip (exit 4) unless the default heap exists with a control file; sets
# H to its directory.  Calls mheap_require first.
mheap_require_default_heap()
{
	mheap_require "$1"
	H=$MHEAP_DEBUGFS/default
	if [ ! -w "$H/control" ]; then
		mheap_skip_all "$1" "no default heap with a control file"
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
			ktap_print_msg "$__k is $__v after free all + release"
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
			ktap_print_msg "'$__cmd' was accepted"
			__bad=1
		elif ! echo "$__msg" | grep -q 'Invalid argument'; then
			ktap_print_msg "'$__cmd' failed, but not with EINVAL: $__msg"
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
