#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# "make bench-native": the userspace build of mheap against glibc malloc,
# jemalloc, tcmalloc and mimalloc, and Go's own allocator, natively on
# this machine (no QEMU), with the rows of bench/mheap_bench.c.  Prints
# the machine, the versions, the load average, and three tables
# (allocators, collection, the reclaimer's scan), medians of several runs,
# ratios against the best of the four C allocators; also saved as
# .build/bench-native/tables.rst, with every run's figures in
# .build/bench-native/results.csv.
#
# The C rows come from tools/testing/mheap/bench (one executable per
# allocator), the Go rows from its go/ directory (testing.B).  The mheap
# column needs the userspace build of mheap (tools/testing/mheap); when it
# does not link, the column says so and the other allocators still run.
#
# Environment: MHEAP_NATIVE_ROUNDS (runs of every executable, 5),
# MHEAP_NATIVE_MIN_MS (shortest timed loop, 10 ms), MHEAP_BUILD (.build).
set -euo pipefail

t_start=$(date +%s)
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
build=${MHEAP_BUILD:-$top/.build}
mkdir -p "$build"
build=$(cd "$build" && pwd)
out=$build/bench-native
mkdir -p "$out"
rounds=${MHEAP_NATIVE_ROUNDS:-5}
min_ms=${MHEAP_NATIVE_MIN_MS:-10}
src=tools/testing/mheap/bench

scripts/deps.sh native

echo "bench-native: building the C benchmarks into $out" >&2
make -s -C "$src" OUT="$out" all >&2
allocs=(glibc jemalloc tcmalloc mimalloc)
mheap_note=
if make -s -C "$src" OUT="$out" mheap > "$out/mheap-build.log" 2>&1; then
	allocs=(mheap "${allocs[@]}")
else
	mheap_note="the userspace build of mheap did not link (see $out/mheap-build.log): no mheap column"
	echo "bench-native: $mheap_note" >&2
fi

echo "bench-native: building the Go benchmark" >&2
(
	cd "$src/go"
	# Offline: the module has no dependencies and nothing is downloaded.
	GOCACHE=$build/go-cache GOPATH=$build/go-path GOPROXY=off \
		GOFLAGS=-mod=mod GO111MODULE=on GOTOOLCHAIN=local \
		go build -o "$out/native_bench-go" .
)
allocs+=(go)

csv=$out/results.csv
# perf stat's verdict on the two counters, for the table's counter line.
perf_stat=$(perf stat -x, -e cycles,instructions true 2>&1 >/dev/null |
	awk -F, 'NF > 2 { printf "%s%s %s", sep, $3, $1; sep = "; " }' || true)
{
	echo "info,date,$(date -u '+%Y-%m-%d %H:%M UTC')"
	echo "info,commit,$(git rev-parse --short HEAD 2>/dev/null || echo '?')$(git diff --quiet HEAD -- 2>/dev/null || echo '+dirty')"
	echo "info,cpu_model,$(lscpu | sed -n 's/^Model name: *//p' | head -n 1 | tr ',' ' ')"
	echo "info,nproc,$(nproc)"
	echo "info,cores,$(lscpu | sed -n 's/^Core(s) per socket: *//p') per socket, $(lscpu | sed -n 's/^Thread(s) per core: *//p') thread(s) per core, $(lscpu | sed -n 's/^Socket(s): *//p') socket(s)"
	echo "info,hypervisor,$(lscpu | sed -n 's/^Hypervisor vendor: *//p')"
	echo "info,cpu_mhz,$(grep -m 1 '^cpu MHz' /proc/cpuinfo | sed 's/.*: //')"
	echo "info,kernel,$(uname -r)"
	echo "info,mem_mib,$(($(sed -n 's/^MemTotal: *\([0-9]*\) kB/\1/p' /proc/meminfo) / 1024))"
	echo "info,gcc,$(gcc --version | head -n 1 | tr ',' ' ')"
	echo "info,go,$(go version | tr ',' ' ')"
	for p in libc6 libjemalloc2 libtcmalloc-minimal4 libmimalloc2.0 golang-go linux-perf; do
		echo "info,pkg,$p $(dpkg-query -W -f='${Version}' "$p" 2>/dev/null || echo 'not installed')"
	done
	echo "info,perf_stat,${perf_stat:-no output}"
	echo "info,rounds,$rounds"
	echo "info,min_ms,$min_ms"
	echo "info,loadavg_before,$(cut -d ' ' -f 1-3 /proc/loadavg)"
	[ -z "$mheap_note" ] || echo "info,mheap_note,$mheap_note"
} > "$csv"

# Every round runs every executable once, the order rotated by one each
# round, so that a slow stretch of a shared machine does not fall on the
# same allocator every time.
rc=0
n=${#allocs[@]}
for ((k = 0; k < rounds; k++)); do
	for ((j = 0; j < n; j++)); do
		a=${allocs[$(((j + k) % n))]}
		args=(-m "$min_ms")
		[ "$a" = glibc ] && args+=(-c)
		echo "bench-native: round $((k + 1))/$rounds: $a" >&2
		if ! "$out/native_bench-$a" "${args[@]}" | sed "s/^/$k,/" >> "$csv"; then
			echo "$k,err,all,0,$a,exit status" >> "$csv"
			rc=1
		fi
	done
done
# Where mheap's time goes between its own code and the shims: a profile
# (perf record, the cpu-clock software event, which needs no PMU) of two
# of its rows, summed by kind of function.
shim_profile() {
	local row=$1 data=$out/perf-$1.data yield

	perf record -q -g -e cpu-clock -o "$data" \
		"$out/native_bench-mheap" -m 100 -o "$row" > /dev/null 2>&1 || return 0
	# The samples under sched_yield(), callees included: cond_resched().
	yield=$(perf report -i "$data" --children --stdio -g none --sort sym \
		2>/dev/null | awk '$NF == "__sched_yield" && !f { print $1; f = 1 }' || true)
	perf report -i "$data" --no-children --stdio -g none --sort dso,sym \
		--percent-limit 0 2>/dev/null |
	YIELD=${yield:-0%} python3 -c '
import os, re, sys
row = sys.argv[1]
HARNESS = {"empty_loop", "pair_run", "burst_run", "gc_cycle_run", "gc_fill",
           "gc_mark_all", "measure", "main", "prewarm", "nb_alloc", "nb_free",
           "nb_mark", "nb_gc_begin", "nb_gc_end", "nb_sweep_all"}
kinds = {}
for line in sys.stdin:
    m = re.match(r"\s*([0-9.]+)%\s+(\S+)\s+\[(.)\]\s+(\S+)", line)
    if not m:
        continue
    pct, dso, where, sym = float(m[1]), m[2], m[3], m[4].split("@")[0]
    if sym in HARNESS:
        continue
    if where == "k":
        k = "kernel (syscalls, page faults)"
    elif "pthread_mutex" in sym:
        k = "pthread mutexes (preempt/irq/local_lock, spinlocks)"
    elif sym.startswith("kmemleak"):
        k = "kmemleak counters"
    elif "urcu" in dso or "rcu" in sym:
        k = "RCU (liburcu)"
    elif sym.startswith("us_") or dso.startswith("libc"):
        k = "other shim functions and libc"
    else:
        k = "mheap"
    kinds[k] = kinds.get(k, 0) + pct
total = sum(kinds.values())
if total:
    y = float(os.environ["YIELD"].rstrip("%"))
    print("info,shim_profile,{},{}; sched_yield() for cond_resched(), "
          "within the kernel and libc shares, {:.0f}%".format(row, "; ".join(
              "{} {:.0f}%".format(k, 100 * v / total)
              for k, v in sorted(kinds.items(), key=lambda x: -x[1])),
              100 * y / total))
' "$row" >> "$csv"
	rm -f "$data"
}
if [ -x "$out/native_bench-mheap" ] && perf record -q -e cpu-clock -o /dev/null true > /dev/null 2>&1; then
	echo "bench-native: profiling mheap's pair and mark+sweep rows" >&2
	shim_profile pair
	shim_profile gc-mark50
fi
echo "info,loadavg_after,$(cut -d ' ' -f 1-3 /proc/loadavg)" >> "$csv"
echo "info,seconds,$(($(date +%s) - t_start))" >> "$csv"

python3 - "$csv" > "$out/tables.rst" <<'PY' || rc=1
import collections
import csv
import statistics
import sys

C_ALLOCS = ["glibc", "jemalloc", "tcmalloc", "mimalloc"]
ALLOCS = ["mheap"] + C_ALLOCS + ["go"]

SECTIONS = [
    ("pair", "alloc+free {} B"),
    ("burst-alloc", "burst alloc {} B"),
    ("burst-free", "burst free {} B"),
    ("burst-alloc-shuf", "burst alloc {} B, after shuffled"),
    ("burst-free-shuf", "burst free {} B, shuffled"),
    ("remote", "2 CPUs remote free {} B"),
    ("concurrent", "2 CPUs both pairs {} B"),
]
# Collection: "ns" as measured (ns/object), "us" ns/object shown per MiB
# freed (us/MiB), "MB" ns/MiB shown as MB per ms.
GC_SECTIONS = [
    ("gc-mark50", "mark+sweep {} B, 50% marked, ns/object freed", "ns"),
    ("gc-mark50", "mark+sweep {} B, 50% marked, us/MiB freed", "us"),
    ("gc-mark0", "mark+sweep {} B, 0% marked, ns/object freed", "ns"),
    ("gc-mark0", "mark+sweep {} B, 0% marked, us/MiB freed", "us"),
    ("reclaim-free", "reclaim free {} B objects, MB/ms", "MB"),
]
SEED = {"reclaim-scan": "~300", "reclaim-free": "~32"}

info = {}
pkgs = []
versions = {}
runs = collections.defaultdict(list)   # (fig, param, alloc) -> [ns/op]
counters = collections.defaultdict(list)
errors = {}
with open(sys.argv[1]) as f:
    for rec in csv.reader(f):
        if not rec:
            continue
        if rec[0] == "info":
            if rec[1] == "pkg":
                pkgs.append(rec[2])
            elif rec[1] == "shim_profile":
                info["shim_profile_" + rec[2]] = ",".join(rec[3:])
            else:
                info[rec[1]] = ",".join(rec[2:])
            continue
        rec = rec[1:]
        if rec[0] == "info":
            if rec[1] == "version":
                versions[rec[2]] = rec[3]
            elif rec[1] == "perf":
                info["perf"] = rec[2]
            elif rec[1].startswith("reclaim_free_pages_"):
                got, want = info.get(rec[1], "0,0").split(",")
                info[rec[1]] = "{},{}".format(int(got) + int(rec[2]),
                                              int(want) + int(rec[3]))
            elif rec[1] == "loop_overhead_ns":
                info.setdefault("loop", []).append(float(rec[2]))
        elif rec[0] == "run":
            key = (rec[1], int(rec[2]), rec[3])
            runs[key].append(float(rec[4]))
            if rec[6]:
                counters[key].append((float(rec[6]), float(rec[7])))
        elif rec[0] in ("err", "skip"):
            errors[(rec[1], int(rec[2]), rec[3])] = " ".join(rec[4:])


def stat(key):
    v = runs.get(key)
    if not v:
        return None
    return statistics.median(v), min(v), max(v), len(v)


def fmt_ns(m, lo, hi, scale=1.0):
    return "{:.1f} [{:.1f}-{:.1f}]".format(m * scale, lo * scale, hi * scale)


def fmt_rate(m, lo, hi, k):
    # A rate from ns per MiB: the slowest run is the lowest rate.
    return "{:.3g} [{:.3g}-{:.3g}]".format(k / m, k / hi, k / lo)


def ratio(x):
    return "{:.2f}".format(x) if x >= 0.1 else "{:.2g}".format(x)


def grid(head, body):
    widths = [max(len(x[i]) for x in [head] + body) for i in range(len(head))]
    rule = "  ".join("=" * w for w in widths)
    line = lambda x: "  ".join(c.ljust(w) for c, w in zip(x, widths)).rstrip()
    return [rule, line(head), rule] + [line(x) for x in body] + [rule]


def params(fig):
    return sorted({k[1] for k in runs if k[0] == fig} |
                  {k[1] for k in errors if k[0] == fig})


def cell(fig, p, a, show):
    s = stat((fig, p, a))
    if s is None:
        e = errors.get((fig, p, a))
        return None, ("error " + e) if e else "n/a"
    return s[0], show(*s[:3])


def row(label, fig, p, show, allocs, per_unit=lambda v: v):
    """A table line: cells, the best C allocator starred, mheap/best."""
    cells = {a: cell(fig, p, a, show) for a in allocs}
    base = [(cells[a][0], a) for a in C_ALLOCS
            if a in cells and cells[a][0] is not None]
    best = min(base)[1] if base else None
    line = [label]
    for a in allocs:
        text = cells[a][1]
        line.append(text + (" *" if a == best else ""))
    m = cells.get("mheap", (None,))[0]
    line.append(ratio(m / cells[best][0]) if m is not None and best and
                cells[best][0] > 0 else "n/a")
    return line


out = []
title = "mheap (userspace build) against the userspace allocators"
out += [title, "-" * len(title), ""]
out.append("{}; commit {}; {} round(s) of every executable, min {} ms a "
           "loop; the run took {} s.".format(
               info.get("date", "?"), info.get("commit", "?"),
               info.get("rounds", "?"), info.get("min_ms", "?"),
               info.get("seconds", "?")))
out.append("Machine: {}, nproc {} ({}), {}{} MHz, {} MiB; kernel {}.".format(
    info.get("cpu_model", "?"), info.get("nproc", "?"), info.get("cores", "?"),
    ("hypervisor " + info["hypervisor"] + ", ") if info.get("hypervisor")
    else "", info.get("cpu_mhz", "?"), info.get("mem_mib", "?"),
    info.get("kernel", "?")))
out.append("Load average (1/5/15 min) before: {}; after: {}.".format(
    info.get("loadavg_before", "?"), info.get("loadavg_after", "?")))
out.append("Versions: {}; {}; {}; packages: {}.".format(
    ", ".join("{} {}".format(a, versions[a]) for a in ALLOCS if a in versions),
    info.get("gcc", "?"), info.get("go", "?"), ", ".join(pkgs)))
if "loop" in info:
    out.append("Empty loop: {:.2f} ns per iteration (median over the "
               "executables' runs; subtracted from one-thread rows).".format(
                   statistics.median(info["loop"])))
if info.get("mheap_note"):
    out.append("mheap: " + info["mheap_note"] + ".")
out.append("")

allocs = [a for a in ALLOCS if any(k[2] == a for k in runs) or a == "mheap"]
head = ["row"] + allocs + ["mheap/best"]
body = []
for fig, label in SECTIONS:
    for p in params(fig):
        body.append(row(label.format(p), fig, p, fmt_ns, allocs))
out += grid(head, body)
out.append("")
out.append("ns per operation (CPU time of the process in one-thread rows, "
           "wall time in 2-CPU rows), median [min-max] of the runs; * best "
           "of glibc/jemalloc/tcmalloc/mimalloc; mheap/best < 1: mheap is "
           "faster.  go: one allocation, dropped (Go has no free), its "
           "zeroing and its share of the collections included; burst alloc "
           "keeps the last burst live.")
out.append("")

head = (["row"] + [a + (" free" if a in C_ALLOCS else
                        " GC" if a == "go" else "") for a in allocs] +
        ["seed", "mheap/best"])
body = []
for fig, label, kind in GC_SECTIONS:
    for p in params(fig):
        if kind == "ns":
            show = fmt_ns
        elif kind == "us":
            show = lambda m, lo, hi, p=p: fmt_ns(m, lo, hi, 2**20 / p / 1000)
        else:
            show = lambda m, lo, hi: fmt_rate(m, lo, hi, 2**20 / 1e6 * 1e6)
        line = row(label.format(p), fig, p, show, allocs)
        line.insert(len(line) - 1, SEED.get(fig, "n/a"))
        body.append(line)
out += grid(head, body)
out.append("")
out.append("Median [min-max] of the runs; mheap: a whole cycle "
           "(mheap_gc_begin, mheap_mark of the survivors, mheap_gc_end, "
           "mheap_sweep_all), or mheap_reclaim right after mheap_gc_end; "
           "glibc ... mimalloc: free() of the objects the cycle frees, one "
           "call each; go: runtime.GC() over as many objects, the same "
           "share dropped.  mheap/best is mheap's time over the best C "
           "allocator's for the same work (for the rates: its rate over "
           "mheap's).  seed: the figure Go's mheap.go states for its page "
           "reclaimer on a native 2.6 GHz Core i7 (not measured here, not "
           "per object size).")
for size in (64, 1024):
    v = info.get("reclaim_free_pages_{}".format(size))
    if v:
        got, want = (int(x) for x in v.split(","))
        out.append("Reclaimer free row, {} B: it freed {} of the {} pages "
                   "its runs left unmarked ({:.2f}%).".format(
                       size, got, want, 100.0 * got / want if want else 0))
out.append("")

k = 2**20 / 1e9 * 1e6
scan = [("reclaim-scan", "mheap", "mheap_reclaim"),
        ("ceiling-andnot", "glibc", "and-not+popcount"),
        ("ceiling-memset", "glibc", "memset"),
        ("ceiling-memcmp", "glibc", "memcmp")]
ps = sorted({p for f, a, _ in scan for (g, p, b) in runs if g == f and b == a})
head = ["row"] + [x[2] for x in scan] + ["seed", "mheap/and-not"]
body = []
for p in ps or [256]:
    line = ["reclaim scan {} MiB, GB/ms".format(p)]
    vals = []
    for fig, a, _ in scan:
        v, text = cell(fig, p, a, lambda m, lo, hi: fmt_rate(m, lo, hi, k))
        vals.append(v)
        line.append(text)
    line.append(SEED["reclaim-scan"])
    line.append(ratio(vals[0] / vals[1]) if vals[0] and vals[1] else "n/a")
    body.append(line)
out += grid(head, body)
out.append("")
out.append("GB of heap per ms, median [min-max]; mheap_reclaim: a heap of "
           "1 KiB objects in one-page spans, every span keeping a marked "
           "object, so that it scans the whole heap and frees nothing "
           "(median of single scans in each run); and-not+popcount: "
           "pageInUse &~ pageMarks a word at a time over the bitmaps of as "
           "many pages, the least the scan must do; memset, memcmp: "
           "writing and reading as many MiB.  mheap/and-not: mheap's time "
           "over the and-not loop's.")
out.append("")

prof = [(k[len("shim_profile_"):], v) for k, v in info.items()
        if k.startswith("shim_profile_")]
if prof:
    out.append("Where mheap's time goes (perf record -e cpu-clock over a "
               "whole run of its rows, the harness's own functions left out; "
               "code the shims inline, such as atomics, this_cpu and the CPU "
               "id, counts as mheap):")
    out.append("")
    for row_name, v in prof:
        out.append("* {}: {}.".format(
            {"pair": "alloc+free rows", "gc-mark50":
             "mark+sweep 50% rows, the untimed fills included"}.get(
                 row_name, row_name), v))
    out.append("")

if counters:
    head = ["row"] + allocs
    body = []
    for fig, label in SECTIONS + [(s[0], s[1]) for s in GC_SECTIONS
                                  if s[2] == "ns"]:
        for p in params(fig):
            line = [label.format(p)]
            for a in allocs:
                c = counters.get((fig, p, a))
                line.append("{:.0f} / {:.0f}".format(
                    statistics.median(x[0] for x in c),
                    statistics.median(x[1] for x in c)) if c else "n/a")
            body.append(line)
    out.append("Cycles / instructions per operation (user space, median):")
    out.append("")
    out += grid(head, body)
else:
    out.append("Cycles and instructions per operation: unavailable on this "
               "machine ({}; perf stat -e cycles,instructions says: "
               "{}).".format(info.get("perf", "no counter data"),
                             info.get("perf_stat", "?").strip()))
print("\n".join(out))
PY
cat "$out/tables.rst"
t_total=$(($(date +%s) - t_start))
echo
echo "bench-native: every run in $csv; tables in $out/tables.rst"
echo "bench-native: finished in $((t_total / 60)) min $((t_total % 60)) s"
exit $rc
