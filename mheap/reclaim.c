// SPDX-License-Identifier: GPL-2.0
/*
 * The page reclaimer (Go's mheap.reclaim and reclaimChunk).
 *
 * While a cycle's sweep is not done, the page heap would rather free the
 * pages of dead spans than grow.  Spans with no marked object at all are
 * found cheaply from the arena bitmaps: pageInUse has a bit on the first
 * page of each in-use span and pageMarks one on the first page of each
 * span where something was marked, so pageInUse &~ pageMarks lists the
 * candidates.  The reclaimer walks the heap's page-number space a chunk
 * (512 pages) at a time from an index every caller advances atomically,
 * sweeps those spans, and keeps pages it freed beyond its caller's need
 * as credit for the next caller.
 */
#define pr_fmt(fmt) "mheap: " fmt

#include <linux/bitmap.h>
#include <linux/ktime.h>
#include <kunit/visibility.h>
#include "internal.h"
#include <trace/events/mheap.h>

/* The lines of <heap>/reclaim after its state, in enum order. */
const char *const mheap_reclaim_stat_names[] = {
	[MHEAP_RECLAIM_PAGES_SCANNED]	= "pages_scanned",
	[MHEAP_RECLAIM_PAGES]		= "pages_reclaimed",
	[MHEAP_RECLAIM_SPANS]		= "spans_reclaimed",
	[MHEAP_RECLAIM_CALLS]		= "calls",
	[MHEAP_RECLAIM_TIME_NS]		= "time_ns",
};

static_assert(ARRAY_SIZE(mheap_reclaim_stat_names) == MHEAP_RECLAIM_STAT_COUNT);

static void reclaim_stat_add(struct mheap *h, enum mheap_reclaim_stat i,
			     u64 n)
{
	atomic64_add(n, &h->gc.reclaim_stat[i]);
}

/*
 * The virtual address of page-number chunk @chunk, or 0 if none maps it.
 * Under RCU, not the heap lock: a released region leaves chunk_region[]
 * before the grace period that frees it.  The address may be stale once
 * this returns, with the lock as without: the scan reads the arenas' bits,
 * which stay with the heap, and claims a span only where one starts.
 */
static unsigned long chunk_base(struct mheap *h, unsigned long chunk)
{
	struct mheap_region *r;
	unsigned long base = 0;

	if (chunk >= h->pages.nchunks)
		return 0;
	rcu_read_lock();
	r = mheap_region_of_lpage(h, chunk << PALLOC_CHUNK_SHIFT);
	if (r)
		base = mheap_region_addr(r, chunk << PALLOC_CHUNK_SHIFT);
	rcu_read_unlock();
	return base;
}

/* Claim, sweep and count the span starting at page @i of arena @a. */
static unsigned long reclaim_span(struct mheap *h, struct mheap_arena *a,
				  unsigned long i, u32 sg)
{
	unsigned long addr = mheap_arena_addr(a, i), n;
	struct mheap_sweep_ctx ctx;
	struct mheap_span *s;
	bool ours;

	/*
	 * Nobody holds @s for us: only RCU keeps its type-stable memory
	 * from going back to the page allocator until it is claimed.
	 */
	rcu_read_lock();
	s = mheap_span_of(h, (void *)addr);
	ours = s && READ_ONCE(s->start) == addr &&
	       READ_ONCE(s->sweepgen) == sg - 2 &&
	       mheap_span_try_acquire(h, s, sg, &ctx);
	rcu_read_unlock();
	if (!ours)
		return 0;
	n = mheap_sweep_span(h, s, sg, MHEAP_SWEEP_RECLAIM, false, &ctx);
	if (n)
		reclaim_stat_add(h, MHEAP_RECLAIM_SPANS, 1);
	return n;
}

/*
 * Sweep the unmarked spans starting in [addr, addr + npages pages), a
 * word of pageInUse &~ pageMarks at a time (Go does a byte).
 */
static unsigned long reclaim_range(struct mheap *h, unsigned long addr,
				   unsigned long npages, u32 sg)
{
	struct mheap_arena *a = mheap_arena_of(h, addr);
	unsigned long first, end, w, base, bits, freed = 0;

	if (!a)
		return 0;
	first = mheap_arena_page(a, addr);
	end = first + npages;
	for (w = first / BITS_PER_LONG; w * BITS_PER_LONG < end; w++) {
		base = w * BITS_PER_LONG;
		bits = READ_ONCE(a->page_in_use[w]) & ~READ_ONCE(a->page_marks[w]);
		if (base < first)
			bits &= ~0UL << (first - base);
		if (end - base < BITS_PER_LONG)
			bits &= BIT(end - base) - 1;
		while (bits) {
			freed += reclaim_span(h, a, base + __ffs(bits), sg);
			bits &= bits - 1;
		}
	}
	return freed;
}

/*
 * Go's reclaimChunk: one chunk of page-number space.  A chunk no region
 * maps is not scanned, and not counted in *@scanned.
 */
static unsigned long reclaim_chunk(struct mheap *h, unsigned long chunk, u32 sg,
				   unsigned long *scanned)
{
	unsigned long base = chunk_base(h, chunk), done = 0, freed = 0;

	if (!base)
		return 0;
	/* A chunk of a vmap region may straddle two arenas. */
	while (done < MHEAP_CHUNK_PAGES) {
		unsigned long addr = base + (done << PAGE_SHIFT);
		unsigned long left = MHEAP_ARENA_BYTES -
				     (addr & (MHEAP_ARENA_BYTES - 1));
		unsigned long n = min(MHEAP_CHUNK_PAGES - done,
				      left >> PAGE_SHIFT);

		freed += reclaim_range(h, addr, n, sg);
		done += n;
	}
	*scanned += MHEAP_CHUNK_PAGES;
	trace_mheap_reclaim_chunk(h, chunk, MHEAP_CHUNK_PAGES, freed);
	return freed;
}

/* Take up to @npages of credit left by earlier callers. */
static unsigned long take_credit(struct mheap *h, unsigned long npages)
{
	long c = atomic_long_read(&h->gc.reclaim_credit), take;

	npages = min_t(unsigned long, npages, LONG_MAX);
	do {
		if (c <= 0)
			return 0;
		take = min_t(long, c, npages);
	} while (!atomic_long_try_cmpxchg(&h->gc.reclaim_credit, &c, c - take));
	return take;
}

/* Scan chunks until @need pages are freed; surplus to credit. */
static unsigned long reclaim_scan(struct mheap *h, unsigned long need)
{
	unsigned long end, chunk, n, got = 0, freed = 0, scanned = 0;
	u64 t0 = ktime_get_ns();
	u32 sg;

	/* A sweeper: gc_begin waits for us, and sg stays the heap's. */
	if (!mheap_sweep_begin(h))
		return 0;
	/*
	 * Ordered after entering by its fully ordered cmpxchg, as is
	 * reclaim_end, which mheap_gc_end() set before letting us in.
	 */
	sg = READ_ONCE(h->gc.sweepgen);
	end = READ_ONCE(h->gc.reclaim_end);
	while (need) {
		chunk = atomic_long_fetch_add(1, &h->gc.reclaim_index);
		if (chunk >= end) {
			atomic_long_set(&h->gc.reclaim_index, end);
			break;
		}
		n = reclaim_chunk(h, chunk, sg, &scanned);
		/* Counted once per call: a chunk is only a few words' scan. */
		freed += n;
		if (n > need) {
			atomic_long_add(n - need, &h->gc.reclaim_credit);
			n = need;
		}
		need -= n;
		got += n;
	}
	mheap_sweep_end(h);
	reclaim_stat_add(h, MHEAP_RECLAIM_PAGES_SCANNED, scanned);
	reclaim_stat_add(h, MHEAP_RECLAIM_PAGES, freed);
	reclaim_stat_add(h, MHEAP_RECLAIM_TIME_NS, ktime_get_ns() - t0);
	return got;
}

/**
 * mheap_reclaim_scan() - the page heap has no room: reclaim, credit aside
 * @h: heap
 * @npages: pages wanted
 *
 * Credit says pages were freed earlier, not that they are still free or
 * contiguous; when an allocation fails anyway, this scans on before the
 * heap grows.
 *
 * Return: pages freed by the scan.
 */
unsigned long mheap_reclaim_scan(struct mheap *h, unsigned long npages)
{
	reclaim_stat_add(h, MHEAP_RECLAIM_CALLS, 1);
	return reclaim_scan(h, npages);
}

/**
 * mheap_reclaim() - free dead spans' pages, as the heap does before growing
 * @h: heap
 * @npages: pages wanted
 *
 * Scans the heap a chunk at a time for spans in which the last cycle
 * marked nothing, sweeps them and gives their pages to the page heap.
 * Pages freed beyond @npages are kept as credit for later calls.  Does
 * nothing once the cycle's sweep is done.
 *
 * Context: any context; does not sleep.
 * Return: pages of the request met, at most @npages.
 */
unsigned long mheap_reclaim(struct mheap *h, unsigned long npages)
{
	unsigned long got;

	if (mheap_sweep_done(h) || !npages)
		return 0;
	reclaim_stat_add(h, MHEAP_RECLAIM_CALLS, 1);
	got = take_credit(h, npages);
	if (got < npages)
		got += reclaim_scan(h, npages - got);
	return got;
}
EXPORT_SYMBOL_GPL(mheap_reclaim);
