// SPDX-License-Identifier: GPL-2.0
/*
 * mcentral: the spans of one span class that no CPU caches (Go's
 * mcentral.go), and the set-up and teardown of object spans.
 *
 * Each class keeps its spans on two pairs of lists, partial and full,
 * indexed by sweep generation parity: at a cycle's end the lists of the
 * generation that ends become the unswept lists of the next one.  A
 * refilling CPU takes a swept partial span, else the class's spare (an
 * empty span kept to save a rebuild), else sweeps unswept spans until one
 * has room, else grows the class from the page heap.  Spans come back
 * when their CPU is done with them (uncache) or, for spans no CPU owns,
 * when frees turn them partial or empty.
 *
 * Between mcentral and an mcache a span is in transit: on no list and in
 * no mcache.  Refills count themselves in &mheap_gc.transit by the parity
 * of the generation they stamped, so that a new cycle can wait for the
 * ones that started before the last cycle ended.
 */
#define pr_fmt(fmt) "mheap: " fmt

#include <linux/delay.h>
#include <linux/percpu.h>
#include <linux/slab.h>
#include <kunit/visibility.h>
#include "internal.h"
#include "hooks.h"
#include <trace/events/mheap.h>

/* Spans mcentral sweeps looking for free space before growing (Go's). */
#define MCENTRAL_SWEEP_BUDGET	100

/* === Spans in transit to an mcache ================================ */

/**
 * mheap_transit_end() - a refill's span arrived in its mcache or went back
 * @h: heap
 * @sg: the generation mheap_transit_begin() returned
 */
void mheap_transit_end(struct mheap *h, u32 sg)
{
	/* What the refill did is seen by the waiter that sees it gone. */
	atomic_dec_return_release(&h->gc.transit[(sg >> 1) & 1]);
}

/**
 * mheap_transit_begin() - count a refill in transit
 * @h: heap
 *
 * A refill is about to stamp a span for an mcache: it counts in transit,
 * under the generation returned, until the span is in the mcache or
 * given back (see &mheap_gc.transit).  The full barrier orders the count
 * before the second read of sg: either mheap_gc_end() published a newer
 * sg, seen here, or mheap_transit_wait() sees the count.
 *
 * Return: the sweep generation the refill stamps its span with.
 */
u32 mheap_transit_begin(struct mheap *h)
{
	u32 sg;

	for (;;) {
		sg = READ_ONCE(h->gc.sweepgen);
		atomic_inc(&h->gc.transit[(sg >> 1) & 1]);
		/* Pairs with the smp_mb() of mheap_transit_wait(). */
		smp_mb__after_atomic();
		if (READ_ONCE(h->gc.sweepgen) == sg)
			return sg;
		mheap_transit_end(h, sg);
	}
}

/**
 * mheap_transit_wait() - wait for refills of the previous cycle
 * @h: heap, after mheap_gc_end() and before marking opens again
 *
 * A refill that stamped its span before the last cycle ended carries a
 * span the flush did not see; it sweeps the span when it arrives.
 *
 * Context: process context, may sleep.
 */
void mheap_transit_wait(struct mheap *h)
{
	u32 sg = READ_ONCE(h->gc.sweepgen);
	atomic_t *t = &h->gc.transit[((sg - 2) >> 1) & 1];

	/* Pairs with the barrier in mheap_transit_begin(). */
	smp_mb();
	while (atomic_read_acquire(t))
		usleep_range(50, 100);
}

/**
 * mheap_objspan_free() - give an object span with no object left back
 * @h: heap
 * @s: span no one can reach through mcentral or an mcache any more
 *
 * Its specials go, then its pages to the page heap, then its bit vectors.
 */
void mheap_objspan_free(struct mheap *h, struct mheap_span *s)
{
	struct mheap_gcbits_arena *alloc_arena = s->obj.alloc_arena;
	struct mheap_gcbits_arena *mark_arena = s->obj.mark_arena;

	if (unlikely(READ_ONCE(s->specials)))
		mheap_specials_free_all(h, s);
	if (!s->spanclass)
		atomic_long_sub(s->npages, &h->large_pages);
	/* The span dies (no longer found) before its bits can go. */
	s->obj.alloc_arena = NULL;
	s->obj.mark_arena = NULL;
	mheap_free_span(h, s);
	mheap_gcbits_put(&h->gcbits, alloc_arena);
	mheap_gcbits_put(&h->gcbits, mark_arena);
}

/**
 * mheap_objspan_init() - set up a fresh span's object side
 * @h: heap
 * @s: span from the page heap, not yet visible to anyone
 * @spanclass: its span class; 0 for a large object
 * @elemsize: object size
 * @nelems: number of objects
 * @gfp: allocation context, for the bit vectors
 *
 * Return: 0, or -ENOMEM with nothing of the object side left: the caller
 * gives @s back with mheap_free_span().
 */
int mheap_objspan_init(struct mheap *h, struct mheap_span *s, u8 spanclass,
		       unsigned long elemsize, unsigned int nelems, gfp_t gfp)
{
	struct mheap_objspan *o = &s->obj;
	gfp_t mgfp = (gfp & ~(__GFP_ZERO | __GFP_HIGHMEM)) | __GFP_NOWARN;

	memset(o, 0, sizeof(*o));
	o->alloc_bits = mheap_gcbits_alloc(&h->gcbits, nelems, &o->alloc_arena,
					   mgfp);
	o->gcmark_bits = mheap_gcbits_alloc(&h->gcbits, nelems, &o->mark_arena,
					    mgfp);
	if (!o->alloc_bits || !o->gcmark_bits) {
		mheap_gcbits_put(&h->gcbits, o->alloc_arena);
		mheap_gcbits_put(&h->gcbits, o->mark_arena);
		o->alloc_arena = NULL;
		o->mark_arena = NULL;
		return -ENOMEM;
	}
	s->spanclass = spanclass;
	s->elemsize = elemsize;
	s->nelems = nelems;
	s->limit = s->start + nelems * elemsize;
	o->divmagic = spanclass ?
		mheap_class_divmagic[mheap_spanclass_sizeclass(spanclass)] : 0;
	o->alloc_cache = ~0ULL;
	o->needzero = s->needzero;
	atomic_set(&o->live, 0);
	if (!spanclass)
		atomic_long_add(s->npages, &h->large_pages);
	trace_mheap_span_alloc(h, s, false);
	return 0;
}

/**
 * mheap_mcentral_grow() - a new span of a class from the page heap
 * @h: heap
 * @spanclass: span class
 * @gfp: allocation context; may sleep if it may
 * @grow: whether the page heap may grow for it
 * @tsg: where the generation of its transit is left
 *
 * Return: the span, in transit to an mcache (see mheap_transit_begin()),
 * or NULL.
 */
struct mheap_span *mheap_mcentral_grow(struct mheap *h, u8 spanclass,
				       gfp_t gfp, bool grow, u32 *tsg)
{
	unsigned int cls = mheap_spanclass_sizeclass(spanclass);
	struct mheap_mcentral *mc = &h->mcentral[spanclass];
	unsigned long flags;
	struct mheap_span *s;
	u32 sg;

	s = __mheap_alloc_span(h, mheap_class_npages[cls], MHEAP_SPAN_DEAD, gfp,
			       grow);
	if (!s)
		return NULL;
	if (mheap_objspan_init(h, s, spanclass, mheap_class_size[cls],
			       mheap_class_nelems[cls], gfp)) {
		mheap_free_span(h, s);
		return NULL;
	}
	mheap_objspan_poison(s);
	atomic_set(&s->obj.live, MHEAP_LIVE_CACHED);
	sg = mheap_transit_begin(h);
	spin_lock_irqsave(&mc->lock, flags);
	mc->nspans++;
	/* Fresh and empty: swept, and about to be cached. */
	s->sweepgen = sg + 3;
	spin_unlock_irqrestore(&mc->lock, flags);
	*tsg = sg;
	/* Publish last: frees and spanOf trust an IN_USE span's fields. */
	smp_store_release(&s->state, MHEAP_SPAN_IN_USE);
	return s;
}

/*
 * File swept @s at @sg by how full it is; the caller holds its mcentral
 * lock.  Returns true if it is empty: the caller must release it.
 */
static bool mcentral_file_locked(struct mheap_mcentral *mc,
				 struct mheap_span *s, u32 sg)
{
	unsigned int live;

	lockdep_assert_held(&mc->lock);
	/* Swept: pairs with the acquire of mheap_ensure_swept() waiters. */
	smp_store_release(&s->sweepgen, sg);
	live = mheap_objspan_live(&s->obj);
	if (!live) {
		mc->nspans--;
		return true;
	}
	mheap_span_list_insert(mheap_mcentral_list(mc, live == s->nelems, sg), s);
	return false;
}

/**
 * mheap_mcentral_file() - put a swept span on its mcentral list
 * @h: heap
 * @s: a span no CPU caches, on no list, swept for the current cycle by a
 *	sweeper still counted in &mheap_gc.active
 *
 * Filed by how full it is, or given back to the page heap when empty.
 *
 * Return: pages given back.
 */
unsigned long mheap_mcentral_file(struct mheap *h, struct mheap_span *s)
{
	struct mheap_mcentral *mc = &h->mcentral[s->spanclass];
	unsigned long flags, npages = s->npages;
	bool empty;

	spin_lock_irqsave(&mc->lock, flags);
	empty = mcentral_file_locked(mc, s, READ_ONCE(h->gc.sweepgen));
	spin_unlock_irqrestore(&mc->lock, flags);
	if (!empty)
		return 0;
	mheap_objspan_free(h, s);
	return npages;
}

/**
 * mheap_mcentral_uncache() - the owner CPU is done with a span
 * @h: heap
 * @s: span the caller's mcache held, or a refill's span in transit
 *
 * Files @s by how full it is, or sweeps it first if it was cached before
 * the last cycle ended (Go's uncacheSpan).  Both under one hold of the
 * lock, with one reading of sg: read before a cycle ends, the span is
 * filed under the old sg and so needs sweeping under the new one, as it
 * should.
 */
void mheap_mcentral_uncache(struct mheap *h, struct mheap_span *s)
{
	struct mheap_mcentral *mc = &h->mcentral[s->spanclass];
	struct mheap_sweep_ctx ctx;
	unsigned long flags;
	bool empty;
	u32 sg;

	spin_lock_irqsave(&mc->lock, flags);
	/*
	 * From here a free that read the flag set fails its cmpxchg, and
	 * one at a transition takes this lock to move the span itself.
	 */
	atomic_andnot(MHEAP_LIVE_CACHED, &s->obj.live);
	sg = READ_ONCE(h->gc.sweepgen);
	if (s->sweepgen == sg + 1) {
		mheap_sweep_claim(h, s, sg, &ctx);
		spin_unlock_irqrestore(&mc->lock, flags);
		mheap_sweep_span(h, s, sg, MHEAP_SWEEP_UNCACHE, false, &ctx);
		return;
	}
	empty = mcentral_file_locked(mc, s, sg);
	spin_unlock_irqrestore(&mc->lock, flags);
	if (empty)
		mheap_objspan_free(h, s);
}

/**
 * mheap_mcentral_take_unswept() - claim an unswept span of @mc for sweeping
 * @h: heap
 * @mc: an mcentral whose lock the caller holds
 * @sg: the heap's sweep generation, as the caller read it
 * @ctx: for mheap_sweep_span()
 *
 * A partial span first, else a full one, claimed with mheap_sweep_claim();
 * the caller finishes the sweep.  A span that does not need sweeping at
 * @sg is not taken: the caller read sg before a cycle ended, and the list
 * it names now holds spans that are swept.
 *
 * Return: the span, or NULL if @mc has no span unswept at @sg.
 */
struct mheap_span *mheap_mcentral_take_unswept(struct mheap *h,
					       struct mheap_mcentral *mc,
					       u32 sg,
					       struct mheap_sweep_ctx *ctx)
{
	struct mheap_span *s;

	lockdep_assert_held(&mc->lock);
	s = mheap_span_list_first(mheap_mcentral_list(mc, false, sg - 2));
	if (!s)
		s = mheap_span_list_first(mheap_mcentral_list(mc, true, sg - 2));
	if (!s || s->sweepgen != sg - 2)
		return NULL;
	mheap_sweep_claim(h, s, sg, ctx);
	return s;
}

/* Make @s, just taken off a list, this CPU's; caller holds mc->lock. */
static void mcentral_cache(struct mheap *h, struct mheap_span *s, u32 sg)
{
	unsigned int live;

	live = atomic_fetch_or(MHEAP_LIVE_CACHED, &s->obj.live) &
	       ~MHEAP_LIVE_CACHED;
	WRITE_ONCE(s->sweepgen, sg + 3);
	atomic_long_add((s->nelems - live) * s->elemsize, &h->gc.alloc_bytes);
}

/**
 * mheap_mcentral_cache_span() - a span with free objects for an mcache
 * @h: heap
 * @spanclass: span class
 * @tsg: where the generation of its transit is left
 *
 * Go's cacheSpan: a swept span with room, else the spare, else unswept
 * spans swept until one has room.
 *
 * Return: the span, in transit (see mheap_transit_begin()), or NULL.
 */
struct mheap_span *mheap_mcentral_cache_span(struct mheap *h, u8 spanclass,
					     u32 *tsg)
{
	struct mheap_mcentral *mc = &h->mcentral[spanclass];
	int budget = MCENTRAL_SWEEP_BUDGET;
	struct mheap_sweep_ctx ctx;
	struct mheap_span *s;
	unsigned long flags;
	u32 sg;

	sg = mheap_transit_begin(h);
	spin_lock_irqsave(&mc->lock, flags);
	s = mheap_span_list_first(mheap_mcentral_list(mc, false, sg));
	if (s) {
		mheap_span_list_remove(s->list, s);
		goto have;
	}
	s = mc->spare;
	if (s) {
		/* Empty and owned by nobody: old marks mean nothing now. */
		mc->spare = NULL;
		bitmap_zero(s->obj.gcmark_bits, s->nelems);
		goto have;
	}
	while (budget-- > 0) {
		s = mheap_mcentral_take_unswept(h, mc, sg, &ctx);
		if (!s)
			break;
		spin_unlock_irqrestore(&mc->lock, flags);
		mheap_sweep_span(h, s, sg, MHEAP_SWEEP_MCENTRAL, true, &ctx);
		spin_lock_irqsave(&mc->lock, flags);
		/* Swept, and in transit: no longer a sweep to wait for. */
		mheap_sweep_end(h);
		if (mheap_objspan_live(&s->obj) < s->nelems)
			goto have;
		mheap_span_list_insert(mheap_mcentral_list(mc, true, sg), s);
	}
	spin_unlock_irqrestore(&mc->lock, flags);
	mheap_transit_end(h, sg);
	return NULL;
have:
	mcentral_cache(h, s, sg);
	spin_unlock_irqrestore(&mc->lock, flags);
	*tsg = sg;
	return s;
}

/**
 * mheap_mcentral_free_transition() - a free that moves a span
 * @h: heap
 * @s: a span no CPU owns, whose count is at a transition
 *
 * Drops one object from @s, which turns partial (was full) or empty.  The
 * decrement happens under the mcentral lock, so the span cannot be freed
 * under the caller's feet.
 */
void mheap_mcentral_free_transition(struct mheap *h, struct mheap_span *s)
{
	struct mheap_mcentral *mc = &h->mcentral[s->spanclass];
	unsigned long flags;
	unsigned int v;

	spin_lock_irqsave(&mc->lock, flags);
	v = atomic_dec_return(&s->obj.live);
	/* Cached again since the free looked, or being swept: not ours. */
	if ((v & MHEAP_LIVE_CACHED) || !s->list) {
		spin_unlock_irqrestore(&mc->lock, flags);
		return;
	}
	if (!v) {
		mheap_span_list_remove(s->list, s);
		if (!mc->spare && s->spanclass && !mheap_span_high(h, s)) {
			/*
			 * The next refill takes it: no span torn down and
			 * rebuilt.  Empty, it has nothing to sweep in any
			 * cycle: mark it swept in this one.
			 */
			WRITE_ONCE(s->sweepgen, READ_ONCE(h->gc.sweepgen));
			mc->spare = s;
			spin_unlock_irqrestore(&mc->lock, flags);
			return;
		}
		mc->nspans--;
		spin_unlock_irqrestore(&mc->lock, flags);
		mheap_objspan_free(h, s);
		return;
	}
	if (s->list == &mc->full[0] || s->list == &mc->full[1]) {
		struct mheap_span_list *to = &mc->partial[s->list - mc->full];

		mheap_span_list_remove(s->list, s);
		mheap_span_list_insert(to, s);
	}
	spin_unlock_irqrestore(&mc->lock, flags);
}

/**
 * mheap_mcentral_drop_spares() - give every class's spare span back
 * @h: heap
 *
 * Before memory is released: a spare keeps its region in use.
 */
void mheap_mcentral_drop_spares(struct mheap *h)
{
	unsigned long flags;
	unsigned int sc;

	for (sc = 0; sc < MHEAP_NUM_SPANCLASSES; sc++) {
		struct mheap_mcentral *mc = &h->mcentral[sc];
		struct mheap_span *s;

		spin_lock_irqsave(&mc->lock, flags);
		s = mc->spare;
		mc->spare = NULL;
		if (s)
			mc->nspans--;
		spin_unlock_irqrestore(&mc->lock, flags);
		if (s)
			mheap_objspan_free(h, s);
	}
}
EXPORT_SYMBOL_IF_KUNIT(mheap_mcentral_drop_spares);

/**
 * mheap_mcentral_init() - empty lists for every span class
 * @h: heap being created
 */
void mheap_mcentral_init(struct mheap *h)
{
	unsigned int i, j;

	for (i = 0; i < MHEAP_NUM_SPANCLASSES; i++) {
		spin_lock_init(&h->mcentral[i].lock);
		for (j = 0; j < 2; j++) {
			mheap_span_list_init_sorted(&h->mcentral[i].partial[j]);
			mheap_span_list_init(&h->mcentral[i].full[j]);
		}
	}
	mheap_gcbits_init(&h->gcbits);
}

/**
 * mheap_mcentral_destroy() - free the bit-vector arenas, for heap destroy
 * @h: heap whose spans are gone or forgotten
 */
void mheap_mcentral_destroy(struct mheap *h)
{
	mheap_gcbits_destroy(&h->gcbits);
}
