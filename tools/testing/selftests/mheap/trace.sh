#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The mheap trace events (events/mheap/ in tracefs): drive the default
# heap through its control file with every event enabled in a tracing
# instance of our own, then check that each event fired and that its
# fields agree with the heap's debugfs counters over the same window
# (span_alloc events = spans_allocated, sweep_span freed = objects
# freed by sweeping, ...), that gc_end's sweepgen is gc_begin's + 2, and
# that no event was lost.  heap_destroy is caught by reloading the module
# (needs MHEAP_KO) with a reader on trace_pipe.
# Skips (exit 4) without tracefs or without the mheap events.
# The checks run through ktap_test_result, which shellcheck cannot follow.
# shellcheck disable=SC2317
DIR=$(dirname "$0")
. "$DIR/lib.sh"

mheap_require_default_heap trace

EVENTS="heap_create heap_destroy region_map region_release limit_fail
	scavenge span_alloc span_free mcentral_refill gc_begin gc_end
	sweep_span reclaim_chunk bad_free"

# tracefs: /sys/kernel/tracing, mounted here if need be, or debugfs's.
T=
if [ -d /sys/kernel/tracing ] && [ ! -d /sys/kernel/tracing/events ]; then
	mount -t tracefs nodev /sys/kernel/tracing 2>/dev/null
fi
for d in /sys/kernel/tracing /sys/kernel/debug/tracing; do
	if [ -d "$d/events" ]; then
		T=$d
		break
	fi
done
if [ -z "$T" ]; then
	mheap_skip_all trace "no tracefs: a kernel without CONFIG_TRACING"
fi
if [ ! -d "$T/events/mheap" ]; then
	mheap_skip_all trace "no $T/events/mheap: kernel without CONFIG_EVENT_TRACING, or a module without trace events"
fi

# An instance of our own: a user's tracing at the top level is left alone.
I=$T/instances/mheap-selftest
rmdir "$I" 2>/dev/null
if ! mkdir "$I" 2>/dev/null || [ ! -d "$I/events/mheap" ]; then
	mheap_skip_all trace "cannot create the tracing instance $I"
fi
TR=/tmp/mheap-trace.$$
PIPE=/tmp/mheap-trace-pipe.$$
cleanup()
{
	[ -d "$I" ] && echo 0 > "$I/tracing_on" && rmdir "$I"
	rm -f "$TR" "$PIPE" "$TR.before" "$TR.after"
}
trap cleanup EXIT

sweep_of()
{
	sed -n "s/^$1: //p" "$H/sweep"
}

reclaim_of()
{
	sed -n "s/^$1: //p" "$H/reclaim"
}

# The counters the events are checked against, as "name value" lines.
snapshot()
{
	for k in grows pages_grown spans_allocated spans_freed mcache_refills \
		 regions_released pages_released limit_fails bad_frees; do
		echo "$k $(stat_of "$k")"
	done
	for k in cycles objects_freed sweepgen; do
		echo "$k $(sweep_of "$k")"
	done
	for k in pages_scanned pages_reclaimed; do
		echo "$k $(reclaim_of "$k")"
	done
}

# delta NAME: how much a counter moved over the traced window.
delta()
{
	echo $(($(sed -n "s/^$1 //p" "$TR.after") - $(sed -n "s/^$1 //p" "$TR.before")))
}

# ev NAME: the "key=value ..." part of every line of event mheap_NAME.
ev()
{
	sed -n "s/^.* mheap_$1: //p" "$TR"
}

# count NAME: lines of event mheap_NAME.
count()
{
	ev "$1" | wc -l
}

# sum NAME FIELD: FIELD summed over the lines of event mheap_NAME.
sum()
{
	ev "$1" | awk -v f="$2" '{
		for (i = 1; i <= NF; i++) {
			split($i, kv, "=")
			if (kv[1] == f)
				n += kv[2]
		}
	} END { print n + 0 }'
}

# want NAME GOT WANT: equal, or say so.
want()
{
	[ "$2" = "$3" ] && return 0
	ktap_print_msg "$1 is $2, want $3"
	return 1
}

# awk_all NAME PROGRAM: PROGRAM (awk, fields in f[]) must find every line
# of event mheap_NAME sane, and there must be one; it prints what is not.
awk_all()
{
	__n=$(count "$1")
	if [ "$__n" -eq 0 ]; then
		ktap_print_msg "no mheap_$1 event"
		return 1
	fi
	ev "$1" | awk -v ev="$1" '
		{
			delete f
			for (i = 1; i <= NF; i++) {
				j = index($i, "=")
				v = substr($i, j + 1)
				# Numbers compare as numbers, not strings.
				f[substr($i, 1, j - 1)] = v ~ /^-?[0-9]+$/ ? v + 0 : v
			}
		}
		'"$2"'
		bad { print "# mheap_" ev ": " $0; nbad++; bad = 0 }
		END { exit nbad != 0 }'
}

# === The workload ====================================================

P=4096
[ "$(stat_of page_size)" ] && P=$(stat_of page_size)
LIMIT=$((8 << 20))

workload()
{
	ctl alloc size=16-4000 count=4000 &&
	ctl alloc size=8192 count=64 &&
	ctl alloc size=100000 count=2 &&
	ctl alloc pages=8 count=4 &&
	ctl gc keep=25% &&
	ctl reclaim pages=64 &&
	ctl sweep &&
	ctl alloc size=64 count=1000 &&
	ctl free all &&
	ctl release || return 1
	# Past the limit: 2 MiB regions, the fifth fails and is undone.
	ctl limit bytes=$LIMIT || return 1
	if ctl alloc pages=512 count=5 2>/dev/null; then
		ktap_print_msg "10 MiB of manual spans allocated under an 8 MiB limit"
		return 1
	fi
	ctl limit bytes=0 &&
	ctl alloc pages=512 count=2 &&
	ctl free all &&
	ctl scavenge bytes=1 &&
	ctl release
}

run_traced()
{
	echo 0 > "$I/tracing_on" &&
	echo 8192 > "$I/buffer_size_kb" &&
	echo > "$I/trace" &&
	echo 1 > "$I/events/mheap/enable" || return 1
	# Events of several CPUs are compared in time order.
	grep -q global "$I/trace_clock" && echo global > "$I/trace_clock"
	snapshot > "$TR.before"
	echo 1 > "$I/tracing_on"
	workload
	rc=$?
	echo 0 > "$I/tracing_on"
	snapshot > "$TR.after"
	cat "$I/trace" > "$TR"
	for e in $EVENTS; do
		printf '%s=%s ' "$e" "$(count "$e")"
	done | sed 's/^/# events: /'
	echo
	return $rc
}

# === Checks ==========================================================

events_listed()
{
	ok=0
	for e in $EVENTS; do
		if [ ! -r "$T/events/mheap/mheap_$e/format" ]; then
			ktap_print_msg "no event mheap_$e"
			ok=1
		fi
	done
	return $ok
}

nothing_lost()
{
	ok=0
	for s in "$I"/per_cpu/cpu*/stats; do
		o=$(sed -n 's/^overrun: //p' "$s")
		d=$(sed -n 's/^dropped events: //p' "$s")
		if [ "${o:-0}" != 0 ] || [ "${d:-0}" != 0 ]; then
			ktap_print_msg "$s: overrun $o, dropped $d"
			ok=1
		fi
	done
	if grep -q 'LOST' "$TR"; then
		ktap_print_msg "$(grep -m1 'LOST' "$TR")"
		ok=1
	fi
	other=$(grep ' mheap_' "$TR" | grep -vc ' heap=default ')
	want "events of another heap than default" "$other" 0 && [ $ok -eq 0 ]
}

regions_mapped()
{
	awk_all region_map '($1 != "heap=default" || (f["kind"] != "vmap" && f["kind"] != "direct") ||
		f["pages"] <= 0 || f["pages"] % 512 || f["committed_pages"] < f["pages"]) { bad = 1 }' &&
	want "region_map events (stats grows)" "$(count region_map)" "$(delta grows)" &&
	want "region_map pages (stats pages_grown)" "$(sum region_map pages)" "$(delta pages_grown)"
}

spans_allocated()
{
	awk_all span_alloc '(f["pages"] <= 0 || f["objects"] <= 0 ||
		(f["kind"] == "small") != (f["sizeclass"] > 0) ||
		(f["kind"] == "manual" && f["objects"] != 1)) { bad = 1 }
		{ kinds[f["kind"]] = 1 }
		(f["kind"] == "manual" && f["pages"] == 8) { m8 = 1 }
		END { if (!kinds["small"] || !kinds["large"] || !m8) {
			print "# span_alloc kinds: small " kinds["small"] + 0 ", large " kinds["large"] + 0 ", manual of 8 pages " m8 + 0
			nbad++ } }' &&
	want "span_alloc events (stats spans_allocated)" "$(count span_alloc)" "$(delta spans_allocated)"
}

spans_freed()
{
	awk_all span_free '(f["pages"] <= 0 || f["sizeclass"] < 0 || f["sizeclass"] > 67) { bad = 1 }' &&
	want "span_free events (stats spans_freed)" "$(count span_free)" "$(delta spans_freed)"
}

refills()
{
	awk_all mcentral_refill '(f["sizeclass"] < 1 || f["sizeclass"] > 67 || f["pages"] <= 0 ||
		f["objects"] <= 0 || f["free"] < 1 || f["free"] > f["objects"]) { bad = 1 }' &&
	want "mcentral_refill events (stats mcache_refills)" "$(count mcentral_refill)" "$(delta mcache_refills)"
}

# gc_begin and gc_end come in pairs; end's sweepgen is begin's + 2.
gc_cycles()
{
	want "gc_begin events (sweep cycles)" "$(count gc_begin)" "$(delta cycles)" &&
	want "gc_end events (sweep cycles)" "$(count gc_end)" "$(delta cycles)" || return 1
	sed -n 's/^.* mheap_\(gc_[a-z]*\): /\1 /p' "$TR" | awk -v sg0="$(sed -n 's/^sweepgen //p' "$TR.before")" '
		{ for (i = 2; i <= NF; i++) { split($i, kv, "="); f[kv[1]] = kv[2] ~ /^[0-9]+$/ ? kv[2] + 0 : kv[2] } }
		$1 == "gc_begin" {
			if (open) { print "# two gc_begin in a row"; bad = 1 }
			if (f["sweepgen"] != sg0) { print "# gc_begin sweepgen " f["sweepgen"] ", heap had " sg0; bad = 1 }
			open = 1; sg = f["sweepgen"]; cy = f["cycle"]
		}
		$1 == "gc_end" {
			if (!open) { print "# gc_end without gc_begin"; bad = 1 }
			if (f["sweepgen"] != sg + 2) { print "# gc_end sweepgen " f["sweepgen"] ", gc_begin had " sg; bad = 1 }
			if (f["cycle"] != cy) { print "# gc_end cycle " f["cycle"] ", gc_begin had " cy; bad = 1 }
			open = 0; sg0 = f["sweepgen"]
		}
		END { exit bad || open }'
}

# Every span swept at the generation of the last gc_end before it.
sweeps()
{
	awk_all sweep_span '(f["pages"] <= 0 || f["freed"] < 0 || f["live"] < 0 ||
		f["src"] !~ /^(background|proportional|mcentral|reclaim|uncache|ensure|explicit)$/) { bad = 1 }' || return 1
	want "sweep_span freed (sweep objects_freed)" "$(sum sweep_span freed)" "$(delta objects_freed)" || return 1
	sed -n 's/^.* mheap_\(gc_end\|sweep_span\): /\1 /p' "$TR" | awk -v sg="$(sed -n 's/^sweepgen //p' "$TR.before")" '
		{ for (i = 2; i <= NF; i++) { split($i, kv, "="); f[kv[1]] = kv[2] ~ /^[0-9]+$/ ? kv[2] + 0 : kv[2] } }
		$1 == "gc_end" { sg = f["sweepgen"] }
		$1 == "sweep_span" && f["sweepgen"] != sg { print "# sweep_span at sweepgen " f["sweepgen"] ", heap at " sg; bad = 1 }
		$1 == "sweep_span" && f["src"] == "reclaim" { reclaim = 1 }
		END { if (!reclaim) print "# no span swept by the reclaimer"; exit bad || !reclaim }'
}

reclaim_chunks()
{
	awk_all reclaim_chunk '(f["scanned"] != 512 || f["freed"] < 0 || f["freed"] > 512) { bad = 1 }
		f["freed"] > 0 { some = 1 }
		END { if (!some) { print "# no chunk freed anything"; nbad++ } }' &&
	want "reclaim_chunk scanned (reclaim pages_scanned)" "$(sum reclaim_chunk scanned)" "$(delta pages_scanned)" &&
	want "reclaim_chunk freed (reclaim pages_reclaimed)" "$(sum reclaim_chunk freed)" "$(delta pages_reclaimed)"
}

regions_released()
{
	awk_all region_release '(f["pages"] <= 0 || f["pages"] % 512) { bad = 1 }' &&
	want "region_release events (stats regions_released)" "$(count region_release)" "$(delta regions_released)" &&
	want "region_release pages (stats pages_released)" "$(sum region_release pages)" "$(delta pages_released)"
}

scavenges()
{
	awk_all scavenge '(f["src"] !~ /^(background|assist|shrinker|explicit)$/ ||
		f["bytes"] < 0 || f["bytes"] % 4096) { bad = 1 }
		(f["src"] == "explicit" && f["want_pages"] == 1) { one = 1 }
		END { if (!one) { print "# no scavenge of want_pages=1 (scavenge bytes=1)"; nbad++ } }' &&
	want "scavenge bytes (stats pages_released x $P)" "$(sum scavenge bytes)" $(($(delta pages_released) * P))
}

limit_fails()
{
	awk_all limit_fail '(f["limit_pages"] != '$((LIMIT / P))' ||
		f["committed_pages"] + f["pages"] <= f["limit_pages"]) { bad = 1 }' &&
	want "limit_fail events (stats limit_fails)" "$(count limit_fail)" "$(delta limit_fails)"
}

no_bad_free()
{
	want "bad_free events in a clean workload" "$(count bad_free)" 0 &&
	want "stats bad_frees" "$(delta bad_frees)" 0
}

# The module's events go when it unloads, and the buffers with them: a
# reader on trace_pipe has the event out before that.  It races the
# reset at the end of the unload, so up to three tries.
heap_destroy_on_unload()
{
	try=0
	while [ $try -lt 3 ]; do
		try=$((try + 1))
		echo > "$I/trace"
		echo 1 > "$I/events/mheap/mheap_heap_destroy/enable" || return 1
		echo 1 > "$I/tracing_on"
		cat "$I/trace_pipe" > "$PIPE" &
		reader=$!
		sleep 1
		rmmod mheap || { kill $reader; return 1; }
		sleep 1
		kill $reader
		wait $reader 2>/dev/null
		insmod "$MHEAP_KO" || return 1
		line=$(sed -n 's/^.* mheap_heap_destroy: //p' "$PIPE")
		[ -n "$line" ] && break
		ktap_print_msg "try $try: the unload reset the buffer before the reader had the event"
	done
	echo "$line" | awk '{ for (i = 1; i <= NF; i++) { split($i, kv, "="); f[kv[1]] = kv[2] ~ /^[0-9]+$/ ? kv[2] + 0 : kv[2] } }
		$1 != "heap=default" || f["committed_pages"] == "" || f["inuse_pages"] != 0 {
			print "# heap_destroy: " $0; exit 1 }'
}

ctl sweeper off
ctl scavenger off
ctl free all
ctl sweep
ctl release

ktap_print_header
ktap_set_plan 17
ktap_test_result "every mheap event is in tracefs" events_listed
ktap_test_result "a workload through the control file, traced" run_traced
ktap_test_result "no event lost, all of the default heap" nothing_lost
ktap_test_result "region_map: kind, pages; as many as grows" regions_mapped
ktap_test_result "span_alloc: small, large and manual; as many as spans_allocated" spans_allocated
ktap_test_result "span_free: as many as spans_freed" spans_freed
ktap_test_result "mcentral_refill: class, free objects; as many as mcache_refills" refills
ktap_test_result "gc_begin/gc_end pair up, sweepgen + 2" gc_cycles
ktap_test_result "sweep_span: freed adds up to objects_freed, sweepgen of the cycle" sweeps
ktap_test_result "reclaim_chunk: 512 scanned, freed adds up to pages_reclaimed" reclaim_chunks
ktap_test_result "region_release: adds up to pages_released" regions_released
ktap_test_result "scavenge: bytes add up to pages_released" scavenges
ktap_test_result "limit_fail past an 8 MiB limit" limit_fails
ktap_test_result "no bad_free in a clean workload" no_bad_free
ktap_print_msg "the control file cannot free an object twice: no bad free to provoke from a shell"
ktap_test_skip "bad_free on a double free"
ctl sweeper on
ctl scavenger on
ktap_print_msg "the only heap a shell gets is made at module load, before its events exist (6.12 cannot enable a module's events ahead of its load)"
ktap_test_skip "heap_create"
if [ -n "${MHEAP_KO:-}" ] && [ -f "$MHEAP_KO" ]; then
	ktap_test_result "heap_destroy at unload (read from trace_pipe)" heap_destroy_on_unload
else
	ktap_print_msg "needs MHEAP_KO=path/to/mheap.ko to reload the module"
	ktap_test_skip "heap_destroy at unload"
fi
ktap_finished
