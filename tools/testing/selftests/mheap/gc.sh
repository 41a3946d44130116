#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Collection cycles from a shell: fill the default heap's pool through
# its control file, run cycles that keep a chosen share of it ("gc",
# "gc keep=N%"), sweep ("sweep"), reclaim ("reclaim pages=N"), and check
# that the live objects, the pages in use and the sweep and reclaim files
# move as they must.  Malformed commands of the new words must fail with
# EINVAL and change nothing.
# The checks run through ktap_test_result, which shellcheck cannot follow.
# shellcheck disable=SC2317
DIR=$(dirname "$0")
. "$DIR/lib.sh"

mheap_require_default_heap gc
for f in sweep reclaim; do
	if [ ! -r "$H/$f" ]; then
		mheap_skip_all gc "no $H/$f: a module without collection cycles"
	fi
done

N=10000

sweep_of()
{
	sed -n "s/^$1: //p" "$H/sweep"
}

reclaim_of()
{
	sed -n "s/^$1: //p" "$H/reclaim"
}

# Objects of the size classes allocated now, counted span by span.
live_objects()
{
	awk '$1 == "Total" { print $3 }' "$H/classes"
}

# Spans swept since the heap was created, by every source together.
swept_total()
{
	awk -F': ' '$1 ~ /^swept_/ { n += $2 } END { print n + 0 }' "$H/sweep"
}

# want NAME GOT WANT: equal, or say so.
want()
{
	[ "$2" = "$3" ] && return 0
	ktap_print_msg "$1 is $2, want $3"
	return 1
}

# within NAME GOT LO HI: LO <= GOT <= HI, or say so.
within()
{
	[ "$2" -ge "$3" ] && [ "$2" -le "$4" ] && return 0
	ktap_print_msg "$1 is $2, want $3 to $4"
	return 1
}

# Both files are "name: value" lines with every documented key, once.
files_format()
{
	ok=0
	for f in sweep reclaim; do
		bad=$(grep -cvE '^[a-z_0-9]+: [^ ]+$' "$H/$f")
		if [ "$bad" -ne 0 ]; then
			ktap_print_msg "$f: $bad malformed lines"
			ok=1
		fi
		dup=$(cut -d: -f1 "$H/$f" | sort | uniq -d)
		if [ -n "$dup" ]; then
			ktap_print_msg "$f: repeated keys: $dup"
			ok=1
		fi
	done
	for k in sweepgen marking sweep_done cycles spans_swept pages_swept \
		 pages_swept_basis sweep_pages_per_byte sweep_pages_per_byte_q32 \
		 allocated_bytes allocated_bytes_basis objects_freed \
		 swept_background swept_proportional swept_mcentral \
		 swept_reclaim swept_uncache swept_ensure swept_explicit \
		 background sweepers finalizers_queued finalizers_run specials; do
		if [ -z "$(sweep_of "$k")" ]; then
			ktap_print_msg "sweep has no $k"
			ok=1
		fi
	done
	for k in reclaim_index reclaim_end reclaim_credit pages_scanned \
		 pages_reclaimed spans_reclaimed calls time_ns; do
		if [ -z "$(reclaim_of "$k")" ]; then
			ktap_print_msg "reclaim has no $k"
			ok=1
		fi
	done
	if ! sweep_of sweep_pages_per_byte | grep -qE '^[0-9]+\.[0-9]{6}$'; then
		ktap_print_msg "sweep_pages_per_byte '$(sweep_of sweep_pages_per_byte)' is not N.NNNNNN"
		ok=1
	fi
	case $(sweep_of background) in
	idle|running|off) ;;
	*) ktap_print_msg "background is '$(sweep_of background)'"; ok=1 ;;
	esac
	return "$ok"
}

fill()
{
	ctl free all || return 1
	ctl sweep || return 1
	before=$(live_objects)
	ctl alloc size=64 count="$N" || return 1
	want "live objects after alloc" "$(live_objects)" $((before + N))
}

# "gc" marks the whole pool: nothing is freed, the generation moves on.
gc_keeps_all()
{
	live=$(live_objects)
	sg=$(sweep_of sweepgen)
	cy=$(sweep_of cycles)
	fr=$(sweep_of objects_freed)
	ctl gc || return 1
	ctl sweep || return 1
	want "live objects" "$(live_objects)" "$live" &&
	want sweepgen "$(sweep_of sweepgen)" $((sg + 2)) &&
	want cycles "$(sweep_of cycles)" $((cy + 1)) &&
	want objects_freed "$(sweep_of objects_freed)" "$fr" &&
	want sweep_done "$(sweep_of sweep_done)" 1 &&
	want marking "$(sweep_of marking)" 0
}

# "gc keep=25%": three quarters of the pool die and sweeping frees them.
gc_keeps_quarter()
{
	live=$(live_objects)
	cy=$(sweep_of cycles)
	fr=$(sweep_of objects_freed)
	sw=$(swept_total)
	bad=$(stat_of bad_frees)
	ctl gc keep=25% || return 1
	ctl sweep || return 1
	now=$(live_objects)
	freed=$(($(sweep_of objects_freed) - fr))
	ktap_print_msg "gc keep=25%: $live -> $now objects live, $freed freed by sweeping"
	within "live objects" "$now" $((live * 20 / 100)) $((live * 30 / 100)) &&
	within "objects freed by sweeping" "$freed" $((live * 70 / 100)) $((live * 80 / 100)) &&
	want "live + freed" $((now + freed)) "$live" &&
	want cycles "$(sweep_of cycles)" $((cy + 1)) &&
	want sweep_done "$(sweep_of sweep_done)" 1 &&
	want "swept_* growth" $(($(swept_total) - sw)) "$(sweep_of spans_swept)" &&
	want bad_frees "$(stat_of bad_frees)" "$bad" || return 1
	if [ "$(sweep_of spans_swept)" -lt 1 ] || [ "$(sweep_of pages_swept)" -lt 1 ]; then
		ktap_print_msg "spans_swept $(sweep_of spans_swept), pages_swept $(sweep_of pages_swept)"
		return 1
	fi
}

# The per-CPU counters of stats see sweeping's frees too.
stats_follow_sweeping()
{
	want "stats objects_in_use (classes Total: $(live_objects))" \
		"$(stat_of objects_in_use)" "$(live_objects)"
}

# "gc keep=0%": every object dies, their spans go back to the page heap.
gc_keeps_none()
{
	pages=$(stat_of pages_in_use)
	ctl gc keep=0% || return 1
	ctl sweep || return 1
	ktap_print_msg "gc keep=0%: pages_in_use $pages -> $(stat_of pages_in_use)"
	want "live objects" "$(live_objects)" 0 &&
	want pages_in_use "$(stat_of pages_in_use)" 0 &&
	want spans_live "$(stat_of spans_live)" 0
}

# The reclaimer frees whole dead spans before anything else sweeps them.
reclaim_after_cycle()
{
	ctl sweeper off || return 1
	want background "$(sweep_of background)" off || return 1
	ctl alloc size=64 count="$N" || return 1
	calls=$(reclaim_of calls)
	got=$(reclaim_of pages_reclaimed)
	scanned=$(reclaim_of pages_scanned)
	ctl gc keep=0% || return 1
	want reclaim_credit "$(reclaim_of reclaim_credit)" 0 &&
	want reclaim_index "$(reclaim_of reclaim_index)" 0 || return 1
	ctl reclaim pages=1 || return 1
	n=$(($(reclaim_of pages_reclaimed) - got))
	ktap_print_msg "reclaim pages=1: $n pages reclaimed, credit $(reclaim_of reclaim_credit)," \
		"chunk $(reclaim_of reclaim_index) of $(reclaim_of reclaim_end)"
	want calls "$(reclaim_of calls)" $((calls + 1)) || return 1
	if [ "$n" -lt 1 ] || [ $(($(reclaim_of pages_scanned) - scanned)) -lt 512 ]; then
		ktap_print_msg "reclaimed $n pages, scanned $(($(reclaim_of pages_scanned) - scanned))"
		return 1
	fi
	want reclaim_credit "$(reclaim_of reclaim_credit)" $((n - 1)) || return 1
	if [ "$(reclaim_of reclaim_index)" -gt "$(reclaim_of reclaim_end)" ]; then
		ktap_print_msg "reclaim_index $(reclaim_of reclaim_index) > reclaim_end $(reclaim_of reclaim_end)"
		return 1
	fi
	ctl sweep || return 1
	# Once the sweep is done, the reclaimer has nothing to do.
	calls=$(reclaim_of calls)
	ctl reclaim pages=1 || return 1
	want "calls after the sweep" "$(reclaim_of calls)" "$calls" &&
	want "live objects" "$(live_objects)" 0
}

sweeper_switch()
{
	ctl sweeper off || return 1
	want background "$(sweep_of background)" off || return 1
	ctl sweeper on || return 1
	case $(sweep_of background) in
	idle|running) ;;
	*) ktap_print_msg "background is '$(sweep_of background)' after sweeper on"; return 1 ;;
	esac
}

# "free all" after cycles frees exactly the survivors, with no bad free.
free_after_cycle()
{
	ctl alloc size=64 count=1000 || return 1
	ctl alloc size=40000 count=4 || return 1
	bad=$(stat_of bad_frees)
	ctl gc keep=50% || return 1
	# No sweep in between: the survivors' spans may still be unswept.
	ctl free all || return 1
	ctl sweep || return 1
	want bad_frees "$(stat_of bad_frees)" "$bad" &&
	want "live objects" "$(live_objects)" 0 &&
	want pages_in_use "$(stat_of pages_in_use)" 0
}

# Each malformed command fails with EINVAL and leaves the heap as it was.
bad_commands()
{
	ok=0
	snap=$(cat "$H/stats" "$H/sweep")
	refused "gc keep=101%" "gc keep=x" "gc keep=25" "gc keep=%" \
		"gc keep=-1%" "gc keep=+5%" "gc keep=5%%" "gc keep=1e1%" \
		"gc keep=25% extra" "gc keep= 25%" "gc all" "gc keep" \
		"GC" "sweep now" "sweep all" "reclaim" "reclaim pages=0" \
		"reclaim pages=x" "reclaim 5" "reclaim pages=-1" \
		"reclaim pages=99999999999999999999" "reclaim pages=1 extra" \
		"sweeper" "sweeper maybe" "sweeper on off" "sweepers on" || ok=1
	if printf 'gc keep=5%%\000' 2>/dev/null > "$H/control"; then
		ktap_print_msg "a command with an embedded NUL was accepted"
		ok=1
	fi
	if [ "$snap" != "$(cat "$H/stats" "$H/sweep")" ]; then
		ktap_print_msg "stats or sweep changed after rejected commands"
		ok=1
	fi
	return "$ok"
}

# Snapshots are compared: keep the background scavenger out of the way.
ctl scavenger off
ktap_print_header
ktap_set_plan 10
ktap_test_result "sweep and reclaim are name: value lines with every key" files_format
ktap_test_result "alloc size=64 count=$N fills the pool" fill
ktap_test_result "gc marks the whole pool: nothing freed" gc_keeps_all
ktap_test_result "gc keep=25% leaves about a quarter live" gc_keeps_quarter
ktap_test_result "stats objects_in_use follows sweeping" stats_follow_sweeping
ktap_test_result "gc keep=0% frees every span" gc_keeps_none
ktap_test_result "reclaim pages=1 after a cycle frees dead spans" reclaim_after_cycle
ktap_test_result "sweeper off and on" sweeper_switch
ktap_test_result "free all after a cycle frees the survivors" free_after_cycle
ktap_test_result "malformed commands fail with EINVAL, change nothing" bad_commands
ctl sweeper on
ctl free all
ctl sweep
ctl release
ctl scavenger on
ktap_finished
