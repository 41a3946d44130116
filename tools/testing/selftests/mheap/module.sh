#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Load/unload checks, in the spirit of kselftest/module.sh: the module
# comes and goes cleanly, its debugfs tree with it, and a bad parameter
# (malformed, or a memory limit past the address space) is refused
# without leaving anything behind; unloading while the
# background sweeper runs is clean (the console is checked for reports).
#
# MHEAP_KO names the module file; without it the test is skipped.
DIR=$(dirname "$0")
. "$DIR/lib.sh"

ko=${MHEAP_KO:-}
if [ "$(id -u)" -ne 0 ] || [ -z "$ko" ] || [ ! -f "$ko" ]; then
	mheap_skip_all module "needs root and MHEAP_KO=path/to/mheap.ko"
fi

loaded()
{
	grep -q '^mheap ' /proc/modules
}

# The script may start with mheap loaded; put it back as found at the end.
was_loaded=0
if loaded; then
	was_loaded=1
	rmmod mheap || { ktap_print_header; ktap_set_plan 1; ktap_test_fail "unload module in use"; exit "$KSFT_FAIL"; }
fi

unload_removes_tree()
{
	insmod "$ko" || return 1
	[ -d "$MHEAP_DEBUGFS/default" ] || { ktap_print_msg "no default heap after load"; return 1; }
	rmmod mheap || return 1
	if [ -e "$MHEAP_DEBUGFS" ]; then
		ktap_print_msg "$MHEAP_DEBUGFS still exists after rmmod"
		return 1
	fi
}

no_default_heap()
{
	insmod "$ko" default_heap=0 || return 1
	ok=0
	[ -d "$MHEAP_DEBUGFS" ] && [ ! -e "$MHEAP_DEBUGFS/default" ] &&
		is_empty "$MHEAP_DEBUGFS/heaps" && ok=1
	rmmod mheap || return 1
	[ $ok -eq 1 ]
}

bad_param_refused()
{
	if insmod "$ko" default_heap=banana 2>/dev/null; then
		ktap_print_msg "insmod with default_heap=banana succeeded"
		rmmod mheap
		return 1
	fi
	! loaded
}

# A mem_limit_mb past the address space fails the load before anything
# is set up: no debugfs tree into the unloaded module, no hotplug state.
bad_limit_unwinds()
{
	states=/sys/devices/system/cpu/hotplug/states
	if insmod "$ko" mem_limit_mb=18446744073709551615 2>/dev/null; then
		ktap_print_msg "insmod with mem_limit_mb=ULONG_MAX succeeded"
		rmmod mheap
		return 1
	fi
	loaded && { ktap_print_msg "module loaded after a failed init"; return 1; }
	if [ -e "$MHEAP_DEBUGFS" ]; then
		ktap_print_msg "$MHEAP_DEBUGFS left behind: $(ls "$MHEAP_DEBUGFS")"
		return 1
	fi
	if [ -r "$states" ] && grep -q 'mm/mheap' "$states"; then
		ktap_print_msg "hotplug state left behind: $(grep 'mm/mheap' "$states")"
		return 1
	fi
	# And the module still loads and works afterwards.
	insmod "$ko" mem_limit_mb=64 || return 1
	grep -q '^default$' "$MHEAP_DEBUGFS/heaps" || { rmmod mheap; return 1; }
	rmmod mheap
}

# rmmod while the background sweeper works through a dead heap.
unload_mid_sweep()
{
	insmod "$ko" || return 1
	H=$MHEAP_DEBUGFS/default
	ctl alloc size=16-2048 count=50000 || { rmmod mheap; return 1; }
	ctl gc keep=0% || { rmmod mheap; return 1; }
	done_now=$(sed -n 's/^sweep_done: //p' "$H/sweep")
	rmmod mheap || return 1
	ktap_print_msg "sweep done at rmmod: ${done_now:-?}"
	! loaded
}

many_cycles()
{
	i=0
	while [ $i -lt 20 ]; do
		insmod "$ko" || return 1
		rmmod mheap || return 1
		i=$((i + 1))
	done
}

ktap_print_header
ktap_set_plan 6
ktap_test_result "unload removes the debugfs tree" unload_removes_tree
ktap_test_result "unload in the middle of a background sweep" unload_mid_sweep
ktap_test_result "default_heap=0 creates no heap" no_default_heap
ktap_test_result "bad parameter refused" bad_param_refused
ktap_test_result "mem_limit_mb too large: refused, nothing left behind" bad_limit_unwinds
ktap_test_result "20 load/unload cycles" many_cycles

if [ $was_loaded -eq 1 ]; then
	insmod "$ko" || ktap_print_msg "could not reload $ko"
fi
ktap_finished
