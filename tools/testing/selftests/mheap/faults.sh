#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Fault injection at mheap's allocation sites (<debugfs>/mheap/fail_*,
# the kernel's fault-injection framework): with each attribute in turn,
# then all of them at random, then /proc/self/fail-nth over every site of
# a few commands, and failslab/fail_page_alloc aimed at mheap's calls
# with the stack filter, a workload is driven through the control file.
# Every write must succeed or fail with ENOMEM, nothing else; the kernel
# must stay quiet (the harness reads its log); and once injection stops,
# "free all" + "release" must leave the heap empty.
#
# Needs CONFIG_FAULT_INJECTION_DEBUG_FS; skipped (exit 4) without it.
# With MHEAP_KO set the module is reloaded first, for a fresh heap.
DIR=$(dirname "$0")
. "$DIR/lib.sh"

mheap_require faults

ATTRS="fail_grow fail_map fail_metadata fail_gcbits fail_span fail_special fail_control"
for a in $ATTRS; do
	if [ ! -d "$MHEAP_DEBUGFS/$a" ]; then
		mheap_skip_all faults "no $MHEAP_DEBUGFS/$a: kernel without CONFIG_FAULT_INJECTION_DEBUG_FS"
	fi
done

ko=${MHEAP_KO:-}
H=$MHEAP_DEBUGFS/default

# A fresh default heap: reload the module when MHEAP_KO names it (the
# attributes start from the framework's defaults again too).
fresh_heap()
{
	[ -n "$ko" ] && [ -f "$ko" ] || return 0
	rmmod mheap && insmod "$ko" || return 1
	echo "scavenger off" > "$H/control"
}

if ! fresh_heap; then
	ktap_print_header
	ktap_set_plan 1
	ktap_test_fail "reload $ko for a fresh heap"
	exit $KSFT_FAIL
fi
if [ ! -w "$H/control" ]; then
	mheap_skip_all faults "no default heap with a control file"
fi

# Counts of the current phase: writes accepted, refused with ENOMEM, and
# failed any other way (each of those says why).
n_ok=0
n_nomem=0
n_bad=0

phase_start()
{
	n_ok=0
	n_nomem=0
	n_bad=0
}

# Judge one failed write or read from its error message.
judge()
{
	case $2 in
	*"Cannot allocate memory"*)
		n_nomem=$((n_nomem + 1))
		;;
	*)
		ktap_print_msg "'$1' failed, not with ENOMEM: $2"
		n_bad=$((n_bad + 1))
		;;
	esac
}

# try CMD...: one control write, counted.
try()
{
	if __msg=$( { echo "$*" > "$H/control"; } 2>&1 ); then
		n_ok=$((n_ok + 1))
	else
		judge "$*" "$__msg"
	fi
}

# try_read FILE: read one of the heap's files, counted.
try_read()
{
	if __msg=$( { cat "$H/$1" > /dev/null; } 2>&1 ); then
		n_ok=$((n_ok + 1))
	else
		judge "cat $1" "$__msg"
	fi
}

# One round of the workload: every kind of site, every control word
# that allocates or gives back, and the files with buffers of their own.
round()
{
	try limit bytes=64000000
	try alloc pages=1 count=20
	try alloc pages=600 count=2
	try alloc size=64 count=1000
	try alloc size=1-20000 count=100
	try alloc size=100000 count=3
	try pin count=300
	try_read classes
	try gc keep=50%
	try reclaim pages=10
	try sweep
	try alloc pages=3 count=20
	try alloc size=8-512 count=500
	try scavenge bytes=1000000
	try_read classes
	try free all
	try release
	try limit bytes=0
}

# set_attr DIR FILE VALUE
set_attr()
{
	echo "$3" > "$1/$2"
}

# Injection off, every pool object freed, all swept, all given back:
# the heap must be empty.
empty_after()
{
	ctl free all || return 1
	ctl sweep || return 1
	ctl release || return 1
	stats_zero pages_in_use spans_live objects_in_use pages_committed ||
		return 1
	if [ "$(stat_of bad_frees)" != 0 ]; then
		ktap_print_msg "bad_frees is $(stat_of bad_frees)"
		return 1
	fi
}

TIMES=100000

# arm ATTR PROBABILITY INTERVAL: fail the calls through ATTR's sites.
arm()
{
	d=$MHEAP_DEBUGFS/$1
	set_attr "$d" verbose 0
	set_attr "$d" task-filter N
	set_attr "$d" space 0
	set_attr "$d" interval "$3"
	set_attr "$d" times $TIMES
	set_attr "$d" probability "$2"
}

# disarm ATTR: off; prints how many failures it injected.
disarm()
{
	d=$MHEAP_DEBUGFS/$1
	set_attr "$d" probability 0
	echo $((TIMES - $(cat "$d/times")))
	set_attr "$d" times 1
	set_attr "$d" interval 1
}

# Each attribute alone, on a fresh heap: every second call through it
# fails, over two rounds.
one_attr()
{
	attr=$1
	fresh_heap || return 1
	phase_start
	arm "$attr" 100 2
	round
	round
	injected=$(disarm "$attr")
	ktap_print_msg "$attr: $injected failures injected; $n_ok writes done, $n_nomem refused with ENOMEM"
	if [ "$injected" -eq 0 ]; then
		ktap_print_msg "$attr: the workload never reached its sites"
		return 1
	fi
	[ "$n_bad" -eq 0 ]
}

# Every attribute at once, at random.
all_random()
{
	phase_start
	for a in $ATTRS; do
		arm "$a" 15 1
	done
	round
	round
	round
	total=0
	for a in $ATTRS; do
		total=$((total + $(disarm "$a")))
	done
	ktap_print_msg "all: $total failures injected; $n_ok writes done, $n_nomem refused with ENOMEM"
	[ "$total" -gt 0 ] && [ "$n_bad" -eq 0 ]
}

# /proc/self/fail-nth: fail the 1st, 2nd, ... site that one command
# reaches, each time on an emptied heap, until the command reaches no
# more.  The framework counts the sites of every attribute whatever their
# probability, and failslab's and fail_page_alloc's non-sleeping ones
# (a direct-map block is one: its failure falls back to vmap).  It is per
# task, and a path walk may count too: both files are opened first, in
# the one process that writes and reads.
fail_nth()
{
	cmd=$1
	[ -w /proc/self/fail-nth ] || return 2
	phase_start
	n=1
	while [ $n -lt 1000 ]; do
		out=$( (
			exec 4<>/proc/self/fail-nth 5>"$H/control"
			echo "$n" >&4
			echo "$cmd" >&5
			rc=$?
			read -r l <&4
			echo "$l $rc"
		) 2>/tmp/faults.nth )
		case $out in
		"0 0")
			# Injected, and a fallback made it anyway.
			n_ok=$((n_ok + 1))
			;;
		"0 "*)
			judge "$cmd (fail-nth $n)" "$(cat /tmp/faults.nth)"
			;;
		*" 0")
			# Fewer than n sites: done.
			break
			;;
		*)
			ktap_print_msg "'$cmd' failed with fail-nth $n, nothing injected: $(cat /tmp/faults.nth)"
			n_bad=$((n_bad + 1))
			break
			;;
		esac
		empty_after || { n_bad=$((n_bad + 1)); break; }
		n=$((n + 1))
	done
	ktap_print_msg "'$cmd': $((n - 1)) sites failed in turn: $n_nomem writes refused with ENOMEM, $n_ok done anyway (a fallback)"
	[ "$n_bad" -eq 0 ] && [ $n -gt 1 ] && [ $n -lt 1000 ]
}

# failslab and fail_page_alloc, kernel-wide, aimed at mheap's calls: the
# stack filter requires a return address in the module's core text.
FS=/sys/kernel/debug/failslab
FPA=/sys/kernel/debug/fail_page_alloc

kernel_wide_ready()
{
	[ -w "$FS/require-start" ] && [ -w "$FPA/require-start" ] &&
		[ -r /sys/module/mheap/sections/.text ] &&
		[ -r /sys/module/mheap/coresize ]
}

kernel_wide()
{
	start=$(cat /sys/module/mheap/sections/.text)
	size=$(cat /sys/module/mheap/coresize)
	# Shell arithmetic is signed: add to the low 32 bits only (the
	# module area does not cross a 4 GiB boundary).
	hi=$(echo "$start" | sed 's/........$//')
	lo=$(echo "$start" | sed 's/.*\(........\)$/\1/')
	end=$(printf '%s%08x' "$hi" $((0x$lo + size)))
	for d in $FS $FPA; do
		set_attr "$d" verbose 0
		set_attr "$d" task-filter N
		set_attr "$d" space 0
		set_attr "$d" interval 1
		set_attr "$d" times $TIMES
		set_attr "$d" stacktrace-depth 32
		set_attr "$d" require-start "$start"
		set_attr "$d" require-end "$end"
		set_attr "$d" ignore-gfp-wait N
	done
	set_attr $FPA min-order 0
	set_attr $FPA ignore-gfp-highmem N
	phase_start
	set_attr $FS probability 10
	set_attr $FPA probability 2
	round
	round
	set_attr $FS probability 0
	set_attr $FPA probability 0
	slab=$((TIMES - $(cat $FS/times)))
	page=$((TIMES - $(cat $FPA/times)))
	# Back to the kernel's defaults.
	for d in $FS $FPA; do
		set_attr "$d" times 1
		set_attr "$d" require-start 0
		set_attr "$d" require-end 0xffffffffffffffff
		set_attr "$d" stacktrace-depth 32
		set_attr "$d" ignore-gfp-wait Y
		set_attr "$d" verbose 2
	done
	set_attr $FPA min-order 1
	set_attr $FPA ignore-gfp-highmem Y
	ktap_print_msg "failslab: $slab, fail_page_alloc: $page failures injected; $n_ok writes done, $n_nomem refused with ENOMEM"
	[ $((slab + page)) -gt 0 ] && [ "$n_bad" -eq 0 ]
}

NTH_CMDS="alloc pages=1|alloc size=64 count=300"

ktap_print_header
ktap_set_plan 20
for a in $ATTRS; do
	ktap_test_result "$a: every failure is ENOMEM" one_attr "$a"
	ktap_test_result "$a off: free all + release empties the heap" empty_after
done
ktap_test_result "all at random: every failure is ENOMEM" all_random
ktap_test_result "all off: free all + release empties the heap" empty_after

# Quiet: only the summary lines of the kernel's attributes matter here.
[ -w /sys/kernel/debug/failslab/verbose ] && echo 0 > /sys/kernel/debug/failslab/verbose
[ -w /sys/kernel/debug/fail_page_alloc/verbose ] && echo 0 > /sys/kernel/debug/fail_page_alloc/verbose
IFS='|'
set -- $NTH_CMDS
unset IFS
for cmd in "$@"; do
	fail_nth "$cmd"
	case $? in
	0) ktap_test_pass "fail-nth over every site of '$cmd'" ;;
	2)
		ktap_print_msg "no /proc/self/fail-nth"
		ktap_test_skip "fail-nth over every site of '$cmd'"
		;;
	*) ktap_test_fail "fail-nth over every site of '$cmd'" ;;
	esac
done

if kernel_wide_ready; then
	ktap_test_result "failslab + fail_page_alloc on mheap's stacks: every failure is ENOMEM" kernel_wide
	ktap_test_result "failslab + fail_page_alloc off: free all + release empties the heap" empty_after
else
	ktap_print_msg "no stack filter (CONFIG_FAULT_INJECTION_STACKTRACE_FILTER, CONFIG_FAILSLAB, CONFIG_FAIL_PAGE_ALLOC)"
	ktap_test_skip "failslab + fail_page_alloc on mheap's stacks"
	ktap_print_msg "not run"
	ktap_test_skip "failslab + fail_page_alloc off"
fi
for d in /sys/kernel/debug/failslab /sys/kernel/debug/fail_page_alloc; do
	[ -w "$d/verbose" ] && echo 2 > "$d/verbose"
done
ctl scavenger on
ktap_finished
