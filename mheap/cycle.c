// SPDX-License-Identifier: GPL-2.0
/*
 * Collection cycles (the cycle half of Go's mgc.go), for a heap whose
 * user does the marking.
 *
 * A cycle is mheap_gc_begin(), any number of mheap_mark() calls, and
 * mheap_gc_end().  Objects not marked in between are dead.  Beginning a
 * cycle finishes the last one's sweep and opens marking; from then on new
 * objects are allocated marked.  Ending it adds 2 to the heap's sweep
 * generation, which turns every span into one that needs sweeping
 * (sweep.c), flushes every CPU's mcache so that no span is cached across
 * the cycle, and paces the sweep that follows.  A span a refill had in
 * transit when the cycle ended is swept when it arrives, and the next
 * mheap_gc_begin() waits for such refills before it opens marking.
 */
#define pr_fmt(fmt) "mheap: " fmt

#include <linux/delay.h>
#include <kunit/visibility.h>
#include "internal.h"
#include <trace/events/mheap.h>

/* === Cycles ========================================================== */

/* Forget which pages had marked objects (Go clears pageMarks per cycle). */
static void clear_page_marks(struct mheap *h)
{
	struct mheap_arena *a;

	mutex_lock(&h->grow_lock);
	for_each_arena(h, a)
		bitmap_zero(a->page_marks, MHEAP_ARENA_PAGES);
	mutex_unlock(&h->grow_lock);
}

/**
 * mheap_gc_begin() - start a collection cycle: marking
 * @h: heap
 *
 * Finishes sweeping the previous cycle, waits for refills that carry a
 * span cached before it ended, then opens marking: from here
 * until mheap_gc_end(), mheap_mark() marks objects and new objects are
 * allocated marked.  Calling it while marking is already open does
 * nothing.
 *
 * Context: process context, may sleep.
 */
void mheap_gc_begin(struct mheap *h)
{
	might_sleep();
	mutex_lock(&h->gc_lock);
	if (!h->gc.marking) {
		/* Their objects would be unmarked and swept away. */
		mheap_magazines_close(h);
		mheap_sweep_all(h);
		/*
		 * A refill may still carry a span stamped before the last
		 * cycle ended: it sweeps the span when it arrives, which
		 * must happen before marks of the new cycle are set.
		 */
		mheap_transit_wait(h);
		mheap_sweep_all(h);
		clear_page_marks(h);
		/* Pairs with the acquire in mheap_mark() and allocation. */
		smp_store_release(&h->gc.marking, true);
		/* Objects of finalizers still queued are roots. */
		mheap_specials_mark_queued(h);
		trace_mheap_gc_begin(h, h->gc.cycles + 1);
	}
	mutex_unlock(&h->gc_lock);
}
EXPORT_SYMBOL_GPL(mheap_gc_begin);

/* Chunks of page-number space holding regions: what the reclaimer scans. */
static unsigned long heap_chunks(struct mheap *h)
{
	struct mheap_region *r;
	unsigned long flags, end = 0;

	spin_lock_irqsave(&h->lock, flags);
	if (!list_empty(&h->regions)) {
		r = list_last_entry(&h->regions, struct mheap_region, node);
		end = (r->lpage + r->npages) >> PALLOC_CHUNK_SHIFT;
	}
	spin_unlock_irqrestore(&h->lock, flags);
	return end;
}

/**
 * mheap_gc_end() - end marking; what was not marked is dead
 * @h: heap
 *
 * Adds 2 to the heap's sweep generation, so every span needs sweeping,
 * rotates the gcBits epochs, points the page reclaimer at the start of
 * the heap, makes every CPU give back the spans it cached during the
 * cycle (they are swept as they come back), computes the proportional
 * sweep pace and wakes the background sweeper.  Calling it while no
 * marking is open does nothing.
 *
 * Context: process context, may sleep.
 */
void mheap_gc_end(struct mheap *h)
{
	u32 sg;

	might_sleep();
	mutex_lock(&h->gc_lock);
	if (!h->gc.marking) {
		mutex_unlock(&h->gc_lock);
		return;
	}
	sg = h->gc.sweepgen + 2;
	/* Objects of finalizers running now were not marked: let them end. */
	mheap_specials_wait_running(h);
	/*
	 * mheap_gc_begin() left the lists drained and no sweeper can enter
	 * since; a claimed span still being swept is waited for, so every
	 * sweep of the old generation is over before the new one shows.
	 */
	while (!mheap_sweep_done(h))
		usleep_range(50, 100);
	WRITE_ONCE(h->gc.ppb_q32, 0);
	WRITE_ONCE(h->gc.flushing, true);
	WRITE_ONCE(h->gc.reclaim_end, heap_chunks(h));
	atomic_long_set(&h->gc.reclaim_index, 0);
	atomic_long_set(&h->gc.reclaim_credit, 0);
	atomic_long_set(&h->gc.pages_swept, 0);
	atomic_long_set(&h->gc.spans_swept, 0);
	/*
	 * Order matters for allocation: one that sees marking closed must
	 * see the new sg, so that it still marks objects in a span it cached
	 * before (now at sg + 1, swept only when it gives the span back).
	 */
	smp_store_release(&h->gc.sweepgen, sg);
	/* After sg: pairs with the acquire of marking in allocation. */
	smp_store_release(&h->gc.marking, false);
	/* After sg: a free into a magazine checks its span against it. */
	mheap_magazines_open(h);
	trace_mheap_gc_end(h, h->gc.cycles + 1);
	/*
	 * Sweepers may enter again, and whoever enters reads the new sg:
	 * pairs with the fully ordered cmpxchg of mheap_sweep_begin().  Only
	 * the flag goes: a CPU giving back a span cached before the bump may
	 * already have claimed it, and counts itself here.
	 */
	atomic_fetch_andnot_release(MHEAP_SWEEP_DRAINED, &h->gc.active);
	mheap_gcbits_next_epoch(&h->gcbits);
	mheap_mcache_flush_all(h);
	WRITE_ONCE(h->gc.flushing, false);
	mheap_sweep_pace(h);
	/* Under gc_lock; debugfs reads it without. */
	WRITE_ONCE(h->gc.cycles, h->gc.cycles + 1);
	if (READ_ONCE(h->gc.bg_state) != MHEAP_BGSWEEP_OFF)
		queue_work(system_unbound_wq, &h->gc.bg_work);
	mutex_unlock(&h->gc_lock);
}
EXPORT_SYMBOL_GPL(mheap_gc_end);

/**
 * mheap_mark() - mark the object holding an address
 * @h: heap
 * @p: any address inside an object (interior pointers are fine)
 *
 * Marks the object, and its span's first page in the arena's pageMarks
 * so the page reclaimer leaves the span alone.  The caller must hold a
 * reference that keeps the object from being freed explicitly meanwhile.
 *
 * Context: any context, lock-free.
 * Return: true if @p is in a live object of @h and marking is open;
 * false for addresses outside the heap, free slots, manual spans, and
 * outside a cycle.
 */
bool mheap_mark(struct mheap *h, const void *p)
{
	struct mheap_span *s;
	const char *why;
	unsigned int idx;

	/* Pairs with the release in mheap_gc_begin(). */
	if (!smp_load_acquire(&h->gc.marking))
		return false;
	s = mheap_object_lookup(h, p, true, &idx, &why);
	if (!s)
		return false;
	mheap_mark_object(h, s, idx);
	return true;
}
EXPORT_SYMBOL_GPL(mheap_mark);

/* === Set-up and teardown ============================================= */

/**
 * mheap_gc_init() - a heap's collection state: no cycle, nothing to sweep
 * @h: heap being created
 */
void mheap_gc_init(struct mheap *h)
{
	mutex_init(&h->gc_lock);
	spin_lock_init(&h->gc.special_lock);
	INIT_WORK(&h->gc.fin_work, mheap_fin_work_fn);
	mheap_sweep_init(h);
}

/**
 * mheap_gc_destroy() - stop sweeping, run the finalizers already due
 * @h: heap being destroyed
 */
void mheap_gc_destroy(struct mheap *h)
{
	mheap_sweep_destroy(h);
	/* Objects found dead get their finalizers; the heap is still whole. */
	flush_work(&h->gc.fin_work);
	mutex_destroy(&h->gc_lock);
}
