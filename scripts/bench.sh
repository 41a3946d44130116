#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# "make bench": mheap against kmalloc, kmem_cache, alloc_pages and vmalloc,
# measured by bench/mheap_bench.ko in the stock Debian 6.12 kernel under
# QEMU (TCG unless MHEAP_ACCEL says otherwise, 2 vCPUs, 2 GiB), booted
# twice: with init_on_alloc=0 and with the distribution's default.
#
# Leaves .build/bench-init0.csv and .build/bench-default.csv (the guest's
# CSV plus host_* info lines), the console logs next to them, and prints
# two tables per boot, the allocators and collection (mark+sweep, the page
# reclaimer), each boot ending with one line per group of rows: its worst
# mheap ratio beside the fast-path target, as information (never a test).
# All of it is also saved in .build/bench-tables.rst.
#
# Environment: MHEAP_BENCH_PARAMS adds mheap_bench module parameters
# (e.g. "runs=7 min_ms=200", or "gc_only=1" for the collection rows
# alone), MHEAP_BENCH_TIMEOUT bounds each boot (1800 s).
set -euo pipefail

t_start=$(date +%s)
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
build=${MHEAP_BUILD:-$top/.build}
mkdir -p "$build"
build=$(cd "$build" && pwd)

abi=$(scripts/deps.sh | tail -n 1)
kdir=/usr/src/linux-headers-$abi
kernel=/boot/vmlinuz-$abi
mod=$build/bench-mheap
bmod=$build/bench-mod

# Rebuild only when a source, the build script or the kernel changed.
stamp=$({
	echo "$abi"
	cat scripts/build-module.sh
	find Kbuild Makefile include mheap kunit torture bench -type f \
		\( -name '*.[ch]' -o -name Kbuild -o -name Makefile \) |
		LC_ALL=C sort | xargs cat
} | sha256sum | cut -d ' ' -f 1)
if [ -f "$mod/mheap.ko" ] && [ -f "$bmod/bench/mheap_bench.ko" ] &&
   [ "$(cat "$bmod/stamp" 2>/dev/null)" = "$stamp" ]; then
	echo "bench: sources unchanged, reusing $mod and $bmod"
else
	echo "bench: building mheap for $abi"
	scripts/build-module.sh "$kdir" "$mod"
	echo "bench: building mheap_bench"
	rm -rf "$bmod"
	mkdir -p "$bmod/bench"
	cp -r include "$bmod/include"
	cp bench/Kbuild bench/*.c "$bmod/bench/"
	make -s -C "$kdir" M="$bmod/bench" W=1 \
		KBUILD_EXTRA_SYMBOLS="$mod/Module.symvers" modules 2>&1 |
		tee "$bmod/build.log" >&2
	if grep -qE 'warning:|error:' "$bmod/build.log" ||
	   [ ! -f "$bmod/bench/mheap_bench.ko" ]; then
		echo "bench: the mheap_bench build printed warnings or errors" >&2
		exit 1
	fi
	echo "$stamp" > "$bmod/stamp"
fi
# scripts/bench-profile.sh wants the modules alone.
[ -z "${MHEAP_BENCH_BUILD_ONLY:-}" ] || exit 0

echo "${MHEAP_BENCH_PARAMS:-}" > "$build/bench.params"
host_model=$(grep -m 1 '^model name' /proc/cpuinfo | sed -e 's/.*: //' -e 's/,/ /g')
qemu_version=$(qemu-system-x86_64 --version | head -n 1 | sed -e 's/,/ /g')

rc=0
for cfg in init0 default; do
	extra=
	[ $cfg = init0 ] && extra=init_on_alloc=0
	con=$build/console-bench-$cfg.log res=$build/results-bench-$cfg.log
	echo "bench: booting $kernel (${MHEAP_ACCEL:-tcg}, 2 vCPUs, 2 GiB) with '${extra:-distribution defaults}'"
	t0=$(date +%s)
	load0=$(cut -d ' ' -f 1-3 /proc/loadavg)
	grc=0
	scripts/guest.sh -k "$kernel" -j scripts/jobs/bench.sh -l "$con" -r "$res" \
		-f "$mod/mheap.ko" -f "$bmod/bench/mheap_bench.ko" \
		-f "$build/bench.params" -m 2048 -s 2 \
		-t "${MHEAP_BENCH_TIMEOUT:-1800}" -a "$extra" || grc=$?
	{
		echo "info,host_cpu_model,$host_model"
		echo "info,host_nproc,$(nproc)"
		echo "info,host_qemu,$qemu_version"
		echo "info,host_accel,${MHEAP_ACCEL:-tcg}"
		echo "info,boot,$cfg"
		echo "info,boot_seconds,$(($(date +%s) - t0))"
		# Other work on the host steals time from the vCPUs.
		echo "info,host_loadavg_before,$load0"
		echo "info,host_loadavg_after,$(cut -d ' ' -f 1-3 /proc/loadavg)"
		sed -e 's/\r$//' "$res" | grep -E '^(info|res|err|skip|meta|end),'
	} > "$build/bench-$cfg.csv" || true
	if [ $grc -ne 0 ]; then
		echo "bench: the $cfg guest crashed or timed out (see $con)" >&2
		rc=1
	fi
	if ! grep -q '^end,ok' "$build/bench-$cfg.csv"; then
		echo "bench: the $cfg guest did not finish its job (see $con, $res)" >&2
		rc=1
	fi
	# A benchmark of a kernel that complained is not a benchmark.
	if grep -nE 'WARNING:|BUG:|Oops|Kernel panic|soft lockup|hung_task|rcu: INFO|self-detected stall|Call Trace' "$con"; then
		echo "bench: kernel reports in $con" >&2
		rc=1
	fi
done

python3 - "$build/bench-init0.csv" "$build/bench-default.csv" \
	> "$build/bench-tables.rst" <<'PY' || rc=1
import csv
import sys

ALLOCS = ["mheap", "kmalloc", "kmem_cache", "alloc_pages", "vmalloc"]
SECTIONS = [
    ("pair", "alloc+free {} B, GFP_ATOMIC"),
    ("pair-kernel", "alloc+free {} B, GFP_KERNEL"),
    ("burst-alloc", "burst alloc {} B"),
    ("burst-free", "burst free {} B"),
    ("burst-alloc-shuf", "burst alloc {} B, after shuffled"),
    ("burst-free-shuf", "burst free {} B, shuffled"),
    ("remote", "2 CPUs remote free {} B"),
    ("concurrent", "2 CPUs both pairs {} B"),
    ("pages", "pages x{}"),
    ("release", "release {} MiB, us/MiB"),
    ("regrow", "regrow {} MiB, us/MiB"),
    ("release-vmap", "release {} MiB vmap, us/MiB"),
    ("regrow-vmap", "regrow {} MiB vmap, us/MiB"),
]

# The collection table: kmalloc and kmem_cache stand for kfree() and
# kmem_cache_free() of the same objects.  Kinds: "ns" as measured, "us"
# ns/MiB shown as us/MiB, "MB" and "GB" ns/MiB shown as a rate per ms.
# Rows sort by group, then size, then the order here.
GC_ALLOCS = ["mheap", "kmalloc", "kmem_cache", "memset", "memcmp", "plain"]
GC_HEADER = ["mheap", "kfree", "kmem_cache_free", "memset", "memcmp",
             "plain loop"]
GC_SECTIONS = [
    ("gc-mark50", "mark+sweep {} B, 50% marked, ns/object freed", "ns", 0),
    ("gc-mark50-mib", "mark+sweep {} B, 50% marked, us/MiB freed", "us", 0),
    ("gc-mark0", "mark+sweep {} B, 0% marked, ns/object freed", "ns", 0),
    ("gc-mark0-mib", "mark+sweep {} B, 0% marked, us/MiB freed", "us", 0),
    ("reclaim-scan", "reclaim scan {} MiB, GB/ms", "GB", 1),
    ("reclaim-free", "reclaim free {} B objects, MB/ms", "MB", 2),
]


def cell(v, lo, hi, kind):
    if kind in ("MB", "GB"):
        # A rate from ns per MiB: the slowest run is the lowest rate.
        k = 2**20 / (1e6 if kind == "MB" else 1e9) * 1e6
        return "{:.3g} [{:.3g}-{:.3g}]".format(k / v, k / hi, k / lo)
    scale = 1000.0 if kind == "us" else 1.0
    return "{:.1f} [{:.1f}-{:.1f}]".format(v / scale, lo / scale, hi / scale)


def read(path):
    info, rows, order, notes, meta_pct = {}, {}, [], [], []
    with open(path) as f:
        for rec in csv.reader(f):
            if not rec:
                continue
            kind = rec[0]
            if kind == "info" and len(rec) >= 3:
                info[rec[1]] = ",".join(rec[2:])
            elif kind in ("res", "err", "skip"):
                key = (rec[1], int(rec[2]))
                if key not in rows:
                    rows[key] = {}
                    order.append(key)
                if kind == "res":
                    rows[key][rec[3]] = [float(x) for x in rec[5:8]]
                elif kind == "err":
                    rows[key][rec[3]] = "error " + rec[4]
                else:
                    rows[key]["skip"] = rec[3]
            elif kind == "meta":
                meta, pages, psize = int(rec[2]), int(rec[3]), int(rec[4])
                if pages:
                    per_mib = meta * 2**20 / (pages * psize)
                    notes.append("metadata of heap {}: {:.0f} bytes per MiB "
                                 "committed ({:.2f}%)".format(
                                     rec[1], per_mib, 100 * per_mib / 2**20))
                    meta_pct.append((100 * per_mib / 2**20, rec[1]))
    return info, rows, order, notes, meta_pct


def med(rows, key, alloc):
    v = rows.get(key, {}).get(alloc)
    return v[0] if isinstance(v, list) and v[0] > 0 else None


# The groups of the fast-path targets: (name, figures, how, target, what).
# "best": mheap over the best kernel baseline of the row; a baseline name:
# mheap over that one; "scale": both CPUs' throughput over one CPU's;
# "plain": mheap's scan rate over the plain loop's; "meta": per cent.
GROUPS = [
    ("pairs", ["pair", "pair-kernel"], "best", "<=", 0.80),
    ("bursts", ["burst-alloc", "burst-free", "burst-alloc-shuf",
                "burst-free-shuf"], "best", "<=", 1.00),
    ("remote", ["remote"], "best", "<=", 1.00),
    ("both-cpus", ["concurrent"], "best", "<=", 1.00),
    ("both-cpus-scaling", ["concurrent"], "scale", ">=", 1.80),
    ("spans-vs-alloc_pages", ["pages"], "alloc_pages", "<=", 1.00),
    ("spans-vs-vmalloc", ["pages"], "vmalloc", "<=", 0.10),
    ("mark+sweep", ["gc-mark50"], "kmalloc", "<=", 0.50),
    ("reclaimer", ["reclaim-scan"], "plain", ">=", 0.50),
    ("metadata", [], "meta", "<=", 1.50),
]


def groups(rows, order, meta_pct):
    """One line per group: its worst ratio, beside its target."""
    label = {s[0]: s[1] for s in SECTIONS}
    label.update({s[0]: s[1] for s in GC_SECTIONS})
    out = []
    for name, figs, how, op, target in GROUPS:
        cands = []
        if how == "meta":
            cands = [(v, "heap " + h) for v, h in meta_pct]
        for key in order:
            if key[0] not in figs:
                continue
            m = med(rows, key, "mheap")
            where = label[key[0]].format(key[1]).split(",")[0]
            if key[0] in ("pair", "pair-kernel"):
                where += " " + ("GFP_ATOMIC" if key[0] == "pair"
                                else "GFP_KERNEL")
            elif key[0].endswith("-shuf"):
                where += " shuffled"
            if m is None:
                continue
            if how == "best":
                base = [(rows[key][a][0], a) for a in ALLOCS[1:] + GC_ALLOCS[1:]
                        if isinstance(rows[key].get(a), list)
                        and rows[key][a][0] > 0]
                if base:
                    b, a = min(base)
                    cands.append((m / b, "{} vs {}".format(where, a)))
            elif how == "scale":
                one = med(rows, ("pair", key[1]), "mheap")
                if one:
                    cands.append((2 * one / m, where))
            elif how == "plain":
                p = med(rows, key, "plain")
                if p:
                    cands.append((p / m, where))
            else:
                b = med(rows, key, how)
                if b:
                    cands.append((m / b, where))
        unit = "%" if how == "meta" else "x"
        if how == "plain":
            # A rate over the plain loop's, shown as per cent.
            cands = [(100 * v, w) for v, w in cands]
            target, unit = 100 * target, "% of the plain loop"
        if not cands:
            out.append("group {}: no rows, target {} {:.2f}{}".format(
                name, op, target, unit))
            continue
        worst = max(cands) if op == "<=" else min(cands)
        ok = worst[0] <= target if op == "<=" else worst[0] >= target
        fmt = "{:.1f}" if how == "plain" else "{:.2f}"
        out.append(("group {}: worst " + fmt + "{} ({}), target {} " + fmt +
                    "{}: {}").format(name, worst[0], unit, worst[1], op,
                                     target, unit, "MET" if ok else "MISS"))
    return out


def grid(rows, order, sections, allocs, header, kinds, sort_key):
    """An RST table of the rows of @sections, sorted by @sort_key."""
    body = []
    rank = {s[0]: i for i, s in enumerate(sections)}
    label = {s[0]: s[1] for s in sections}
    for key in sorted((k for k in order if k[0] in rank),
                      key=lambda k: sort_key(rank[k[0]], k)):
        sec, param = key
        r = rows[key]
        kind = kinds(sec)
        name = label[sec].format(param)
        if "skip" in r:
            body.append([name] + [""] * len(allocs) + ["skipped: " + r["skip"]])
            continue
        # Every figure is a time per unit: the best baseline is the lowest.
        base = [(r[a][0], a) for a in allocs[1:] if isinstance(r.get(a), list)]
        best = min(base)[1] if base else None
        line = [name]
        for a in allocs:
            v = r.get(a)
            if v is None:
                line.append("n/a")
            elif isinstance(v, str):
                line.append(v)
            else:
                line.append(cell(*v, kind) + (" *" if a == best else ""))
        m = r.get("mheap")
        if isinstance(m, list) and best and r[best][0] > 0:
            ratio = m[0] / r[best][0]
            line.append("{:.2f}".format(ratio) if ratio >= 0.1
                        else "{:.2g}".format(ratio))
        else:
            line.append("n/a")
        body.append(line)
    if not body:
        return []
    head = ["row"] + header + ["mheap/best"]
    widths = [max(len(x[i]) for x in [head] + body) for i in range(len(head))]
    rule = "  ".join("=" * w for w in widths)
    fmt = lambda x: "  ".join(c.ljust(w) for c, w in zip(x, widths)).rstrip()
    return [rule, fmt(head), rule] + [fmt(x) for x in body] + [rule]


def table(path):
    info, rows, order, notes, meta_pct = read(path)
    out = []
    title = "Boot: {} (init_on_alloc={}, init_on_free={})".format(
        info.get("boot", path), info.get("init_on_alloc", "?"),
        info.get("init_on_free", "?"))
    out.append(title)
    out.append("-" * len(title))
    out.append("")
    out.append("Guest {} on {} vCPUs ({}), {} MiB; host {}, nproc {}, {} ({}).".format(
        info.get("guest_kernel", "?"), info.get("guest_cpus", "?"),
        info.get("guest_cpu_model", "?"),
        int(info.get("guest_mem_kib", "0")) // 1024,
        info.get("host_cpu_model", "?"), info.get("host_nproc", "?"),
        info.get("host_qemu", "?"), info.get("host_accel", "?")))
    out.append("Host load average (1/5/15 min) before the boot: {}; after: "
               "{}; the boot took {} s.".format(
                   info.get("host_loadavg_before", "?"),
                   info.get("host_loadavg_after", "?"),
                   info.get("boot_seconds", "?")))
    lo = info.get("loop_overhead_ps", "0").split(",")
    out.append("runs={} min_ms={} burst={}; empty loop {:.2f} ns per iteration "
               "(subtracted); module ran {:.0f} s; atomic rows under {}.".format(
                   info.get("runs", "?"), info.get("min_ms", "?"),
                   info.get("burst", "?"), int(lo[0]) / 1000,
                   int(info.get("elapsed_ms", "0")) / 1000,
                   info.get("atomic_ctx", "preempt_disable")))
    if info.get("rt_note"):
        out.append("PREEMPT_RT: " + info["rt_note"] + ".")
    out.append("")
    out.extend(grid(rows, order, SECTIONS, ALLOCS, ALLOCS,
                    lambda s: "us" if s.startswith(("release", "regrow"))
                    else "ns", lambda rank, key: (rank, key[1])))
    out.append("")
    out.append("ns per operation (per MiB where marked), median [min-max] of "
               "the runs; * best kernel baseline; mheap/best < 1: mheap is "
               "faster.")
    if notes:
        out.extend(notes)
    else:
        out.append("No metadata row: mheap's stats have no metadata_bytes "
                   "field.")
    gc = grid(rows, order, GC_SECTIONS, GC_ALLOCS, GC_HEADER,
              lambda s: {x[0]: x[2] for x in GC_SECTIONS}[s],
              lambda rank, key: (GC_SECTIONS[rank][3], key[1], rank))
    out.append("")
    if not gc:
        out.append("No collection rows (the collect phase did not run).")
        out.append("")
        out.extend(groups(rows, order, meta_pct))
        return "\n".join(out)
    out.append("Collection: {} MiB of objects per mark+sweep and reclaimer "
               "free run, {} MiB scanned; background sweeper {}; the phase "
               "ran {:.0f} s.".format(
                   info.get("gc_mib", "?"), info.get("scan_mib", "?"),
                   info.get("gc_sweeper", "?"),
                   int(info.get("gc_elapsed_ms", "0")) / 1000))
    out.append("")
    out.extend(gc)
    out.append("")
    out.append("Median [min-max] of the runs; * best kernel baseline; "
               "mheap/best is mheap's time over the best baseline's time for "
               "the same work (for the rates: the baseline's rate over "
               "mheap's), < 1: mheap is faster.  kfree and kmem_cache_free: "
               "freeing the objects the cycle (or the reclaimer) frees, one "
               "call each.  memset and memcmp: writing, and reading, as many "
               "MiB as the reclaimer scans, the physical ceiling.  plain loop: "
               "pageInUse &~ pageMarks and a popcount, a word at a time, over "
               "bitmaps of as many pages, the reclaimer's own ceiling.")
    swept = ["{} {}".format(k[len("gc_swept_"):], v) for k, v in info.items()
             if k.startswith("gc_swept_")]
    if swept:
        out.append("Spans of the collection heap swept, by whom: {}.".format(
            ", ".join(swept)))
    for size in (64, 1024):
        v = info.get("reclaim_free_pages_{}".format(size))
        if v:
            got, want = (int(x) for x in v.split(","))
            out.append("Reclaimer free row, {} B: it freed {} of the {} pages "
                       "its runs left unmarked ({:.2f}%).".format(
                           size, got, want, 100.0 * got / want if want else 0))
    out.append("Reference, not measured here: the seed's page reclaimer scans "
               "~300 GB/ms and frees ~32 MB/ms on a native 2.6 GHz i7.")
    out.append("")
    out.append("Worst ratio of each group of rows, beside the fast-path "
               "target (information, not a test); both-cpus-scaling: two "
               "CPUs' pair throughput over one CPU's (2 x pair / both pairs, "
               "GFP_ATOMIC).")
    out.append("")
    out.extend(groups(rows, order, meta_pct))
    return "\n".join(out)


print("\n\n".join(table(p) for p in sys.argv[1:]))
PY
cat "$build/bench-tables.rst"
echo
t_total=$(($(date +%s) - t_start))
echo "bench: CSV in $build/bench-init0.csv and $build/bench-default.csv"
echo "bench: finished in $((t_total / 60)) min $((t_total % 60)) s"
exit $rc
