// SPDX-License-Identifier: GPL-2.0
/*
 * Sweeping (Go's mgcsweep.go): freeing what a collection cycle (cycle.c)
 * found dead.
 *
 * Ending a cycle adds 2 to the heap's sweep generation sg, which turns
 * every span into one that needs sweeping (its sweepgen is now sg - 2)
 * and every mcentral "swept" list into an "unswept" one.  Spans are then swept
 * lazily, each exactly once, by whoever gets to it first:
 *
 *  - a CPU refilling its mcache sweeps unswept spans of the class it
 *    needs before it grows the heap (mcentral.c, Go's cacheSpan);
 *  - an allocation pays sweep debt in proportion to the bytes it takes
 *    (proportional sweep, Go's deductSweepCredit);
 *  - the page reclaimer sweeps wholly unmarked spans before the page heap
 *    grows (reclaim.c);
 *  - a CPU giving back a span it cached before the cycle ended sweeps it;
 *  - the background sweeper sweeps whatever is left;
 *  - mheap_sweep_all() and the next mheap_gc_begin() finish the job.
 *
 * Ownership of a span for sweeping moves its sweepgen from sg - 2 (or
 * sg + 1) to sg - 1 under the mcentral lock that also guards the list it
 * is on, so taking it off the list and claiming it are one step.
 *
 * Unlike Go, objects are also freed explicitly, without locks, at any time.
 * So a span's bit vectors never move: sweeping works in place, word by
 * word, alloc &= mark with an atomic and, then clears the mark word.  A
 * concurrent explicit free of a live (marked) object clears its alloc bit
 * before or after the and; either way the object is freed once.  The bits
 * are swept in the same critical section that claims the span, so under
 * the mcentral lock a span's bits are either all of the last cycle (marks
 * say who lives) or all swept (alloc bits say it): mheap_free() decides
 * there whether an object of an unswept span is still the caller's.  The
 * kernel's hooks for the dead objects (kmemleak, KASAN, init_on_free) run
 * after the lock is dropped, before the span is filed and can be reused.
 */
#define pr_fmt(fmt) "mheap: " fmt

#include <linux/delay.h>
#include <linux/math64.h>
#include <linux/sched.h>
#include <kunit/visibility.h>
#include "internal.h"
#include "testing.h"
#include "hooks.h"
#include <trace/events/mheap.h>

const char *const mheap_sweep_src_names[] = {
	[MHEAP_SWEEP_BACKGROUND]	= "background",
	[MHEAP_SWEEP_PROPORTIONAL]	= "proportional",
	[MHEAP_SWEEP_MCENTRAL]		= "mcentral",
	[MHEAP_SWEEP_RECLAIM]		= "reclaim",
	[MHEAP_SWEEP_UNCACHE]		= "uncache",
	[MHEAP_SWEEP_ENSURE]		= "ensure",
	[MHEAP_SWEEP_EXPLICIT]		= "explicit",
};

static_assert(ARRAY_SIZE(mheap_sweep_src_names) == MHEAP_SWEEP_SRC_COUNT);

const char *const mheap_bgsweep_state_names[] = {
	[MHEAP_BGSWEEP_IDLE]	= "idle",
	[MHEAP_BGSWEEP_RUNNING]	= "running",
	[MHEAP_BGSWEEP_OFF]	= "off",
};

static_assert(ARRAY_SIZE(mheap_bgsweep_state_names) == MHEAP_BGSWEEP_OFF + 1);

/**
 * mheap_sweep_done() - has every span been swept this cycle?
 * @h: heap
 *
 * Return: true once the lists hold no unswept span and no sweep is running.
 */
bool mheap_sweep_done(struct mheap *h)
{
	/* Pairs with the release in mheap_sweep_end(). */
	return atomic_read_acquire(&h->gc.active) == MHEAP_SWEEP_DRAINED;
}
EXPORT_SYMBOL_IF_KUNIT(mheap_sweep_done);

/**
 * mheap_sweep_begin() - enter as a sweeper that looks for work
 * @h: heap
 *
 * Go's activeSweep.begin.  Once the lists are drained nobody enters until
 * the next cycle ends, so a sweeper that entered reads a sweep generation
 * that stays the heap's until it leaves with mheap_sweep_end().
 *
 * Return: true if the caller entered; false if there is nothing to sweep.
 */
bool mheap_sweep_begin(struct mheap *h)
{
	int v = atomic_read(&h->gc.active);

	do {
		if (v & MHEAP_SWEEP_DRAINED)
			return false;
	} while (!atomic_try_cmpxchg(&h->gc.active, &v, v + 1));
	return true;
}

/**
 * mheap_sweep_end() - leave as a sweeper, or drop a claimed span's count
 * @h: heap
 */
void mheap_sweep_end(struct mheap *h)
{
	/* What the sweep did is seen by whoever sees it done. */
	atomic_dec_return_release(&h->gc.active);
}

/* Is @l one of @mc's lists? */
static bool on_mcentral(struct mheap_mcentral *mc, struct mheap_span_list *l)
{
	return l == &mc->partial[0] || l == &mc->partial[1] ||
	       l == &mc->full[0] || l == &mc->full[1];
}

/**
 * mheap_span_try_acquire() - claim a span found by address for sweeping
 * @h: heap
 * @s: a span seen through the span map, not known to be alive
 * @sg: the heap's sweep generation the caller read
 *
 * @ctx: filled with the span's dead objects for mheap_sweep_span()
 *
 * Go's sweepLocker.tryAcquire for spans reached without their list: the
 * span must be an object span of @h that needs sweeping and sits on its
 * mcentral list.  On success it is off the list, at sg - 1 with its bits
 * swept, counted in the sweepers, and the caller must finish the sweep
 * with mheap_sweep_span().  A class's spare span, empty and on no list,
 * has nothing to sweep: it is only brought to the current generation.
 *
 * Context: under rcu_read_lock() or holding an object of @s, either of
 * which keeps the structure's memory a span's.
 * Return: true if the caller now owns @s for sweeping.
 */
bool mheap_span_try_acquire(struct mheap *h, struct mheap_span *s, u32 sg,
			    struct mheap_sweep_ctx *ctx)
{
	unsigned int sc = READ_ONCE(s->spanclass);
	struct mheap_mcentral *mc;
	unsigned long flags;
	bool ok;

	if (sc >= MHEAP_NUM_SPANCLASSES)
		return false;
	mc = &h->mcentral[sc];
	spin_lock_irqsave(&mc->lock, flags);
	/* The structure may have been re-used: check everything again. */
	ok = READ_ONCE(s->state) == MHEAP_SPAN_IN_USE && s->heap == h &&
	     s->spanclass == sc && s->sweepgen == sg - 2 &&
	     on_mcentral(mc, s->list);
	if (ok)
		mheap_sweep_claim(h, s, sg, ctx);
	else if (s == mc->spare && s->sweepgen == sg - 2)
		WRITE_ONCE(s->sweepgen, sg);
	spin_unlock_irqrestore(&mc->lock, flags);
	return ok;
}

/*
 * Sweep the bits of @s in place, noting the dead objects in @ctx.  A
 * pinned object or one revived for its finalizer had its mark bit set by
 * mheap_specials_sweep() just before.
 */
static void sweep_bits(struct mheap_span *s, struct mheap_sweep_ctx *ctx)
{
	struct mheap_objspan *o = &s->obj;
	unsigned int w, nwords = BITS_TO_LONGS(s->nelems);

	ctx->freed = 0;
	for (w = 0; w < nwords; w++) {
		unsigned long mark, dead;

		mark = atomic_long_xchg((atomic_long_t *)&o->gcmark_bits[w], 0);
		dead = atomic_long_fetch_and(mark,
					     (atomic_long_t *)&o->alloc_bits[w]);
		dead &= ~mark;
		ctx->dead[w] = dead;
		ctx->freed += hweight_long(dead);
	}
}

/**
 * mheap_sweep_claim() - claim a span for sweeping and sweep its bits
 * @h: heap
 * @s: a span that needs sweeping (sg - 2, or sg + 1 as its CPU gives it
 *	back), off a list or on one of its mcentral's
 * @sg: the heap's sweep generation
 * @ctx: where the dead objects go, for mheap_sweep_span()
 *
 * The caller holds the span's mcentral lock.  The span leaves its list
 * at sg - 1, counted in the sweepers; its specials are run and its bits
 * swept before the lock is dropped.
 */
void mheap_sweep_claim(struct mheap *h, struct mheap_span *s, u32 sg,
		       struct mheap_sweep_ctx *ctx)
{
	lockdep_assert_held(&h->mcentral[s->spanclass].lock);
	if (s->list)
		mheap_span_list_remove(s->list, s);
	WRITE_ONCE(s->sweepgen, sg - 1);
	atomic_inc(&h->gc.active);
	if (READ_ONCE(s->specials))
		mheap_specials_sweep(h, s);
	sweep_bits(s, ctx);
}

/**
 * mheap_sweep_span() - finish sweeping a claimed span (Go's mspan.sweep)
 * @h: heap
 * @s: span at sg - 1, claimed by the caller with mheap_sweep_claim(), on
 *	no list and in no mcache
 * @sg: the heap's sweep generation
 * @src: who sweeps, for the statistics
 * @keep: leave the span to the caller (at sg, still counted as a
 *	sweeper, the caller calls mheap_sweep_end() once the span is filed
 *	or cached) instead of filing it or freeing it when empty
 * @ctx: the dead objects, as the claim found them
 *
 * Frees the dead objects (kmemleak, KASAN and init_on_free see a free)
 * and files the span in mcentral by how full it is, or gives its pages
 * back if nothing in it lives.
 *
 * Context: any context; does not sleep.
 * Return: pages given back to the page heap.
 */
unsigned long mheap_sweep_span(struct mheap *h, struct mheap_span *s, u32 sg,
			       enum mheap_sweep_src src, bool keep,
			       struct mheap_sweep_ctx *ctx)
{
	unsigned int w, nwords = BITS_TO_LONGS(s->nelems), bit;
	unsigned int cls = mheap_spanclass_sizeclass(s->spanclass);
	unsigned long freed;

	mheap_test_point(h, MHEAP_TP_SWEEP_CLAIMED);
	for (w = 0; w < nwords; w++) {
		for_each_set_bit(bit, &ctx->dead[w], BITS_PER_LONG) {
			unsigned int idx = w * BITS_PER_LONG + bit;

			mheap_free_hook(s, (void *)(s->start + idx * s->elemsize));
			if (!cls)
				mheap_count(h, MHEAP_CNT_LARGE_FREES);
			else
				this_cpu_inc(h->mcache->frees[cls]);
		}
	}
	if (ctx->freed) {
		atomic_sub(ctx->freed, &s->obj.live);
		atomic_long_add(ctx->freed, &h->gc.objects_freed);
	}
	atomic_long_add(s->npages, &h->gc.pages_swept);
	atomic_long_inc(&h->gc.spans_swept);
	atomic_long_inc(&h->gc.swept_by[src]);
	trace_mheap_sweep_span(h, s, sg, src, ctx->freed);
	if (keep) {
		/* Swept: pairs with the acquire in mheap_ensure_swept(). */
		smp_store_release(&s->sweepgen, sg);
		return 0;
	}
	freed = mheap_mcentral_file(h, s);
	mheap_sweep_end(h);
	return freed;
}

/**
 * mheap_ensure_swept() - make sure a span is swept (Go's ensureSwept)
 * @h: heap
 * @s: a live object span the caller holds an object of
 *
 * Sweeps @s if it still needs it, or waits for whoever is sweeping it or
 * holds it cached from before the cycle ended.
 *
 * Context: process context, may sleep.
 */
void mheap_ensure_swept(struct mheap *h, struct mheap_span *s)
{
	struct mheap_sweep_ctx ctx;

	for (;;) {
		/* Pairs with the release in mheap_gc_end(). */
		u32 sg = smp_load_acquire(&h->gc.sweepgen);
		/* Pairs with the release of the sweep that swept @s. */
		u32 ssg = smp_load_acquire(&s->sweepgen);
		/* Pairs with the release in mheap_free_span(). */
		u8 state = smp_load_acquire(&s->state);

		/* Swept (sg, sg + 3), or not an object span any more. */
		if ((ssg != sg - 2 && ssg != sg - 1 && ssg != sg + 1) ||
		    state != MHEAP_SPAN_IN_USE)
			return;
		if (ssg == sg - 2 && mheap_span_try_acquire(h, s, sg, &ctx)) {
			mheap_sweep_span(h, s, sg, MHEAP_SWEEP_ENSURE, false, &ctx);
			return;
		}
		cond_resched();
	}
}

/*
 * Take the next unswept span off some mcentral, or NULL.  The search
 * starts at the class where the last one found a span (Go's
 * centralIndex), so a run of sweeps over one class locks only it.
 */
static struct mheap_span *next_unswept(struct mheap *h, u32 sg,
				       struct mheap_sweep_ctx *ctx)
{
	unsigned int i, sc, start = atomic_read(&h->gc.next_class);
	struct mheap_span *s = NULL;

	for (i = 0; i < MHEAP_NUM_SPANCLASSES && !s; i++) {
		struct mheap_mcentral *mc;
		unsigned long flags;

		sc = (start + i) % MHEAP_NUM_SPANCLASSES;
		mc = &h->mcentral[sc];
		spin_lock_irqsave(&mc->lock, flags);
		s = mheap_mcentral_take_unswept(h, mc, sg, ctx);
		spin_unlock_irqrestore(&mc->lock, flags);
	}
	if (s && sc != start)
		atomic_set(&h->gc.next_class, sc);
	return s;
}

/**
 * mheap_sweepone() - sweep one span that needs it (Go's sweepone)
 * @h: heap
 * @src: who sweeps, for the statistics
 *
 * Context: any context; does not sleep.
 * Return: pages of the span swept, 0 when there was nothing left.
 */
unsigned long mheap_sweepone(struct mheap *h, enum mheap_sweep_src src)
{
	struct mheap_sweep_ctx ctx;
	struct mheap_span *s;
	unsigned long npages;
	u32 sg;

	mheap_test_point(h, MHEAP_TP_SWEEPONE_BEGIN);
	/* Counted before looking, so "done" cannot be seen while we do. */
	if (!mheap_sweep_begin(h))
		return 0;
	/* Ordered after entering by its fully ordered cmpxchg. */
	sg = READ_ONCE(h->gc.sweepgen);
	mheap_test_point(h, MHEAP_TP_SWEEPONE_SG);
	s = next_unswept(h, sg, &ctx);
	if (!s) {
		/*
		 * Nothing left on the lists; while mheap_gc_end() flushes, a
		 * CPU may still give back a span that needs sweeping.
		 */
		if (!READ_ONCE(h->gc.flushing))
			atomic_or(MHEAP_SWEEP_DRAINED, &h->gc.active);
		mheap_sweep_end(h);
		return 0;
	}
	/* The span is counted on its own now. */
	mheap_sweep_end(h);
	npages = s->npages;
	mheap_sweep_span(h, s, sg, src, false, &ctx);
	return npages;
}
EXPORT_SYMBOL_IF_KUNIT(mheap_sweepone);

/**
 * mheap_sweep_all() - finish sweeping the last cycle
 * @h: heap
 *
 * Returns once every span has been swept, by this caller or by others.
 *
 * Context: process context, may sleep.
 */
void mheap_sweep_all(struct mheap *h)
{
	might_sleep();
	for (;;) {
		while (mheap_sweepone(h, MHEAP_SWEEP_EXPLICIT))
			cond_resched();
		if (mheap_sweep_done(h))
			break;
		/* Others still sweep a span each, or gc_end is flushing. */
		usleep_range(50, 100);
	}
}
EXPORT_SYMBOL_GPL(mheap_sweep_all);

/**
 * mheap_deduct_sweep_credit() - sweep in proportion to allocation
 * @h: heap
 * @bytes: bytes the caller is about to take (a span's free space)
 *
 * Go's deductSweepCredit: by the time the allocations since the cycle
 * ended reach the budget computed in mheap_gc_end(), every span that
 * needed sweeping has been swept.
 *
 * Context: any context; does not sleep.
 */
void mheap_deduct_sweep_credit(struct mheap *h, unsigned long bytes)
{
	unsigned long basis, live, lbasis;
	u64 ppb, target;

	ppb = READ_ONCE(h->gc.ppb_q32);
	if (likely(!ppb) || mheap_sweep_done(h))
		return;
retry:
	basis = READ_ONCE(h->gc.pages_swept_basis);
	lbasis = READ_ONCE(h->gc.live_basis);
	live = atomic_long_read(&h->gc.alloc_bytes);
	if (live > lbasis)
		bytes += live - lbasis;
	target = mul_u64_u64_shr(ppb, bytes, 32);
	while (target > atomic_long_read(&h->gc.pages_swept) - basis) {
		if (!mheap_sweepone(h, MHEAP_SWEEP_PROPORTIONAL)) {
			WRITE_ONCE(h->gc.ppb_q32, 0);
			break;
		}
		if (READ_ONCE(h->gc.pages_swept_basis) != basis)
			goto retry;
	}
}

/**
 * mheap_sweep_pace() - set the proportional sweep's pace for a new cycle
 * @h: heap whose cycle just ended
 *
 * Go's gcPaceSweeper, with the heap in use at the cycle's end as budget.
 */
void mheap_sweep_pace(struct mheap *h)
{
	unsigned long in_use = atomic_long_read(&h->pages_in_use);
	unsigned long swept = atomic_long_read(&h->gc.pages_swept);
	unsigned long distance = in_use << PAGE_SHIFT;

	/* Go keeps a 1 MiB margin and at least a page of distance. */
	distance = distance > SZ_1M + PAGE_SIZE ? distance - SZ_1M : PAGE_SIZE;
	WRITE_ONCE(h->gc.live_basis, atomic_long_read(&h->gc.alloc_bytes));
	WRITE_ONCE(h->gc.pages_swept_basis, swept);
	if (in_use <= swept)
		WRITE_ONCE(h->gc.ppb_q32, 0);
	else
		WRITE_ONCE(h->gc.ppb_q32,
			   div64_u64((u64)(in_use - swept) << 32, distance));
}

/* === The background sweeper ========================================== */

static void bgsweep_fn(struct work_struct *work)
{
	struct mheap *h = container_of(work, struct mheap, gc.bg_work);

	/* Switched off since it was queued: stay off. */
	if (cmpxchg(&h->gc.bg_state, MHEAP_BGSWEEP_IDLE,
		    MHEAP_BGSWEEP_RUNNING) != MHEAP_BGSWEEP_IDLE)
		return;
	while (!READ_ONCE(h->gc.bg_stop) &&
	       READ_ONCE(h->gc.bg_state) == MHEAP_BGSWEEP_RUNNING &&
	       mheap_sweepone(h, MHEAP_SWEEP_BACKGROUND))
		cond_resched();
	cmpxchg(&h->gc.bg_state, MHEAP_BGSWEEP_RUNNING, MHEAP_BGSWEEP_IDLE);
}

/**
 * mheap_bgsweep_set() - allow or stop the background sweeper
 * @h: heap
 * @on: whether it may run
 *
 * Context: process context, may sleep (waits for a running sweep).
 */
void mheap_bgsweep_set(struct mheap *h, bool on)
{
	if (on) {
		WRITE_ONCE(h->gc.bg_state, MHEAP_BGSWEEP_IDLE);
		if (!mheap_sweep_done(h))
			queue_work(system_unbound_wq, &h->gc.bg_work);
	} else {
		WRITE_ONCE(h->gc.bg_state, MHEAP_BGSWEEP_OFF);
		cancel_work_sync(&h->gc.bg_work);
	}
}
EXPORT_SYMBOL_IF_KUNIT(mheap_bgsweep_set);

/* === Set-up and teardown ============================================= */

/**
 * mheap_sweep_init() - nothing to sweep before the first cycle
 * @h: heap being created
 */
void mheap_sweep_init(struct mheap *h)
{
	INIT_WORK(&h->gc.bg_work, bgsweep_fn);
	atomic_set(&h->gc.active, MHEAP_SWEEP_DRAINED);
	h->gc.bg_state = MHEAP_BGSWEEP_IDLE;
}

/**
 * mheap_sweep_destroy() - stop the background sweeper for good
 * @h: heap being destroyed
 */
void mheap_sweep_destroy(struct mheap *h)
{
	WRITE_ONCE(h->gc.bg_stop, true);
	cancel_work_sync(&h->gc.bg_work);
}
