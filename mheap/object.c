// SPDX-License-Identifier: GPL-2.0
/*
 * Objects: size classes through mcentral and per-CPU mcache (Go's
 * mallocgc small path, mcache.go, mcentral.go), large objects, explicit
 * free, and the kernel's debugging hooks (KASAN, kmemleak, init_on_*).
 *
 * A span of a size class is owned by at most one CPU's mcache, which
 * allocates from it without locks (interrupts off): it scans alloc_bits
 * through the 64-bit alloc_cache from freeindex, as Go does.  Frees come
 * from any CPU: they clear the object's bit atomically and decrement the
 * span's live count; only the transitions full -> partial and -> empty
 * of a span no mcache owns take the mcentral lock, to move the span
 * between lists or give it back to the page heap.  Whether an mcache owns
 * the span is a flag in the same word as the count, so a free's lockless
 * decrement fails if the owner gave the span back since it looked.  A
 * span whose scan reached its end goes back to mcentral, and the next CPU
 * that takes it scans again from zero, which is how explicitly freed
 * objects become reusable without a collection.
 */
#define pr_fmt(fmt) "mheap: " fmt

#include <linux/cpu.h>
#include <linux/delay.h>
#include <linux/kasan.h>
#include <linux/kmemleak.h>
#include <linux/mm.h>
#include <linux/percpu.h>
#include <linux/slab.h>
#include <kunit/visibility.h>
#include "internal.h"
#include <trace/events/mheap.h>

/* === KASAN =========================================================== */

#ifdef CONFIG_KASAN_GENERIC
/* Exported by mm/kasan for tests and modules; not in a public header. */
void kasan_poison(const void *addr, size_t size, u8 value, bool init);

#define MHEAP_KASAN_GRANULE	BIT(KASAN_SHADOW_SCALE_SHIFT)
#define MHEAP_KASAN_FREE	0xFB	/* KASAN_SLAB_FREE: freed object */
#define MHEAP_KASAN_PAGE_FREE	0xFF	/* KASAN_PAGE_FREE: freed span */

/* The shadow is not instrumented memory: write it without checks. */
static __no_sanitize_address void set_last_granule(const void *p, size_t n)
{
	u8 *shadow = kasan_mem_to_shadow(p + round_down(n, MHEAP_KASAN_GRANULE));

	*shadow = n & (MHEAP_KASAN_GRANULE - 1);
}

/* Without KASAN_VMALLOC the vmalloc area's shadow is a read-only page. */
static bool shadow_writable(const void *p)
{
	return IS_ENABLED(CONFIG_KASAN_VMALLOC) || !is_vmalloc_addr(p);
}

/* Make [p, p + n) accessible and the rest of the granule not. */
static void mheap_unpoison(const void *p, size_t n)
{
	if (!shadow_writable(p))
		return;
	kasan_poison(p, round_up(n, MHEAP_KASAN_GRANULE), 0, false);
	if (n & (MHEAP_KASAN_GRANULE - 1))
		set_last_granule(p, n);
}

static void mheap_poison(const void *p, size_t n, u8 value)
{
	if (shadow_writable(p))
		kasan_poison(p, round_up(n, MHEAP_KASAN_GRANULE), value, false);
}
#else
#define MHEAP_KASAN_FREE	0
#define MHEAP_KASAN_PAGE_FREE	0
static inline void mheap_unpoison(const void *p, size_t n) { }
static inline void mheap_poison(const void *p, size_t n, u8 value) { }
#endif

/**
 * mheap_span_poison() - mark a whole span inaccessible to KASAN
 * @s: span whose pages are being freed
 */
void mheap_span_poison(struct mheap_span *s)
{
	mheap_poison((void *)s->start, s->npages << PAGE_SHIFT,
		     MHEAP_KASAN_PAGE_FREE);
}

/**
 * mheap_span_unpoison() - make a whole span accessible to KASAN
 * @s: span being handed out whole
 */
void mheap_span_unpoison(struct mheap_span *s)
{
	mheap_unpoison((void *)s->start, s->npages << PAGE_SHIFT);
}

/* Spans mcentral sweeps looking for free space before growing (Go's). */
#define MCENTRAL_SWEEP_BUDGET	100

/* === Bad frees ======================================================= */

static void bad_free(struct mheap *h, const void *p, const char *why)
{
	mheap_count(h, MHEAP_CNT_BAD_FREES);
	trace_mheap_bad_free(h, why);
	pr_err_ratelimited("%s: bad free of %p: %s\n", h->name, p, why);
}

/* === Spans of objects ================================================ */

static void transit_end(struct mheap *h, u32 sg)
{
	/* What the refill did is seen by the waiter that sees it gone. */
	atomic_dec_return_release(&h->gc.transit[(sg >> 1) & 1]);
}

/*
 * A refill is about to stamp a span for an mcache: count it in transit,
 * under the generation it returns, until the span is in the mcache or
 * given back (see &mheap_gc.transit).  The full barrier orders the count
 * before the second read of sg: either mheap_gc_end() published a newer
 * sg, seen here, or mheap_mcache_wait_transit() sees the count.
 */
static u32 transit_begin(struct mheap *h)
{
	u32 sg;

	for (;;) {
		sg = READ_ONCE(h->gc.sweepgen);
		atomic_inc(&h->gc.transit[(sg >> 1) & 1]);
		/* Pairs with the smp_mb() of mheap_mcache_wait_transit(). */
		smp_mb__after_atomic();
		if (READ_ONCE(h->gc.sweepgen) == sg)
			return sg;
		transit_end(h, sg);
	}
}

/**
 * mheap_mcache_wait_transit() - wait for refills of the previous cycle
 * @h: heap, after mheap_gc_end() and before marking opens again
 *
 * A refill that stamped its span before the last cycle ended carries a
 * span the flush did not see; it sweeps the span when it arrives.
 *
 * Context: process context, may sleep.
 */
void mheap_mcache_wait_transit(struct mheap *h)
{
	u32 sg = READ_ONCE(h->gc.sweepgen);
	atomic_t *t = &h->gc.transit[((sg - 2) >> 1) & 1];

	/* Pairs with the barrier in transit_begin(). */
	smp_mb();
	while (atomic_read_acquire(t))
		usleep_range(50, 100);
}

static u64 alloc_cache_at(const struct mheap_objspan *o, unsigned int idx)
{
	/*
	 * Acquire: a slot seen free here was freed by a fully ordered
	 * test_and_clear_bit() after the freer set needzero, which the
	 * allocation reads next.
	 */
	u64 word = smp_load_acquire(&o->alloc_bits[idx / BITS_PER_LONG]);

	return ~word >> (idx % BITS_PER_LONG);
}

/* Go's nextFreeFast: the next free object in the cached word, or -1. */
static inline int next_free_fast(struct mheap_span *s)
{
	struct mheap_objspan *o = &s->obj;
	unsigned int bit, idx;

	if (!o->alloc_cache)
		return -1;
	bit = __ffs64(o->alloc_cache);
	idx = o->freeindex + bit;
	if (idx >= s->nelems)
		return -1;
	o->alloc_cache = bit == 63 ? 0 : o->alloc_cache >> (bit + 1);
	o->freeindex = idx + 1;
	return idx;
}

/* Go's nextFreeIndex: scan on word by word; nelems when the span is done. */
static unsigned int next_free_slow(struct mheap_span *s)
{
	struct mheap_objspan *o = &s->obj;
	unsigned int i = o->freeindex;

	while (i < s->nelems) {
		u64 free = alloc_cache_at(o, i);

		if (free) {
			i += __ffs64(free);
			if (i >= s->nelems)
				break;
			o->freeindex = i + 1;
			o->alloc_cache = (i + 1) % BITS_PER_LONG ?
				alloc_cache_at(o, i + 1) : 0;
			return i;
		}
		i = round_down(i, BITS_PER_LONG) + BITS_PER_LONG;
	}
	o->freeindex = s->nelems;
	o->alloc_cache = 0;
	return s->nelems;
}

/**
 * mheap_span_release() - an object span with no object left goes
 * @h: heap
 * @s: span no one can reach through mcentral or an mcache any more
 */
void mheap_span_release(struct mheap *h, struct mheap_span *s)
{
	struct mheap_gcbits_arena *alloc_arena = s->obj.alloc_arena;
	struct mheap_gcbits_arena *mark_arena = s->obj.mark_arena;

	if (unlikely(READ_ONCE(s->specials)))
		mheap_specials_free_all(h, s);
	/* The span dies (no longer found) before its bits can go. */
	s->obj.alloc_arena = NULL;
	s->obj.mark_arena = NULL;
	mheap_free_span(h, s);
	mheap_gcbits_put(&h->gcbits, alloc_arena);
	mheap_gcbits_put(&h->gcbits, mark_arena);
}

/*
 * Mark a new object if a collection may not see it otherwise: while
 * marking is open (Go allocates black), or in a span cached since before
 * the cycle ended, which is swept with this cycle's marks only when its
 * CPU gives it back.
 */
/**
 * mheap_mark_page() - note in pageMarks that @s holds a marked object
 * @h: heap
 * @s: live object span
 */
void mheap_mark_page(struct mheap *h, struct mheap_span *s)
{
	struct mheap_arena *a = mheap_arena_of(h, s->start);
	unsigned long bit = (s->start - a->base) >> PAGE_SHIFT;

	if (!test_bit(bit, a->page_marks))
		set_bit(bit, a->page_marks);
}

static inline void mark_new_object(struct mheap *h, struct mheap_span *s,
				   unsigned int idx)
{
	/* Pairs with the releases in mheap_gc_end(): see there. */
	if (likely(!smp_load_acquire(&h->gc.marking) &&
		   READ_ONCE(s->sweepgen) != READ_ONCE(h->gc.sweepgen) + 1))
		return;
	set_bit(idx, s->obj.gcmark_bits);
	mheap_mark_page(h, s);
}

/* Set up a fresh span's object side; it is not yet visible to anyone. */
static int objspan_init(struct mheap *h, struct mheap_span *s, u8 spanclass,
			unsigned long elemsize, unsigned int nelems, gfp_t gfp)
{
	struct mheap_objspan *o = &s->obj;
	gfp_t mgfp = (gfp & ~(__GFP_ZERO | __GFP_HIGHMEM)) | __GFP_NOWARN;

	memset(o, 0, sizeof(*o));
	o->alloc_bits = mheap_gcbits_alloc(&h->gcbits, nelems, &o->alloc_arena,
					   mgfp);
	o->gcmark_bits = mheap_gcbits_alloc(&h->gcbits, nelems, &o->mark_arena,
					    mgfp);
	if (!o->alloc_bits || !o->gcmark_bits)
		return -ENOMEM;
	s->spanclass = spanclass;
	s->elemsize = elemsize;
	s->nelems = nelems;
	s->limit = s->start + nelems * elemsize;
	o->divmagic = spanclass ?
		mheap_class_divmagic[mheap_spanclass_sizeclass(spanclass)] : 0;
	o->alloc_cache = ~0ULL;
	o->needzero = s->needzero;
	atomic_set(&o->live, 0);
	trace_mheap_span_alloc(h, s, false);
	return 0;
}

/*
 * A new span for @spanclass from the page heap, in transit to an mcache
 * under the generation left in @tsg.  May sleep if @gfp may.
 */
static struct mheap_span *mcentral_grow(struct mheap *h, u8 spanclass,
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
	if (objspan_init(h, s, spanclass, mheap_class_size[cls],
			 mheap_class_nelems[cls], gfp)) {
		mheap_span_release(h, s);
		return NULL;
	}
	mheap_poison((void *)s->start, s->npages << PAGE_SHIFT, MHEAP_KASAN_FREE);
	atomic_set(&s->obj.live, MHEAP_LIVE_CACHED);
	sg = transit_begin(h);
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
 * Placement: is @s more than a chunk above the page allocator's lowest
 * free page?  Such a span is left to drain where possible, so the high
 * regions empty and can go back (see Documentation/design.rst).
 */
static bool span_high(struct mheap *h, struct mheap_span *s)
{
	/*
	 * search_addr is written under mheap.lock by palloc.c; a stale value
	 * only moves one placement decision, so it is read without the lock.
	 */
	return s->lpage > data_race(READ_ONCE(h->pages.search_addr)) +
			  MHEAP_CHUNK_PAGES;
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
	mheap_span_release(h, s);
	return npages;
}

/*
 * The owner CPU is done with @s: file it by how full it is, or sweep it
 * first if it was cached before the last cycle ended (Go's uncacheSpan).
 * Both under one hold of the lock, with one reading of sg: read before a
 * cycle ends, the span is filed under the old sg and so needs sweeping
 * under the new one, as it should.
 */
static void mcentral_uncache(struct mheap *h, struct mheap_span *s)
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
		mheap_span_release(h, s);
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

/* Scan a span handed to a CPU from its start: freed objects are found. */
static void rewind(struct mheap_span *s)
{
	s->obj.freeindex = 0;
	s->obj.alloc_cache = alloc_cache_at(&s->obj, 0);
}

/*
 * Take a span with free objects from mcentral (Go's cacheSpan): a swept
 * one, else sweep unswept ones until one has room, or NULL.  A span
 * returned is in transit under the generation left in @tsg.
 */
static struct mheap_span *mcentral_cache_span(struct mheap *h, u8 spanclass,
					      u32 *tsg)
{
	struct mheap_mcentral *mc = &h->mcentral[spanclass];
	int budget = MCENTRAL_SWEEP_BUDGET;
	struct mheap_sweep_ctx ctx;
	struct mheap_span *s;
	unsigned long flags;
	u32 sg;

	sg = transit_begin(h);
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
	transit_end(h, sg);
	return NULL;
have:
	mcentral_cache(h, s, sg);
	spin_unlock_irqrestore(&mc->lock, flags);
	rewind(s);
	*tsg = sg;
	return s;
}

/*
 * Drop one object from a listed span whose count is at a transition: it
 * turns partial (was full) or empty.  The decrement happens under the
 * mcentral lock, so the span cannot be released under our feet.
 */
static void mcentral_free_transition(struct mheap *h, struct mheap_span *s)
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
		if (!mc->spare && s->spanclass && !span_high(h, s)) {
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
		mheap_span_release(h, s);
		return;
	}
	if (s->list == &mc->full[0] || s->list == &mc->full[1]) {
		struct mheap_span_list *to = &mc->partial[s->list - mc->full];

		mheap_span_list_remove(s->list, s);
		mheap_span_list_insert(to, s);
	}
	spin_unlock_irqrestore(&mc->lock, flags);
}

/*
 * A span of @spanclass for this CPU's mcache: pay sweep debt, then take
 * one from mcentral, sweeping on the way, or grow the heap (after the
 * page reclaimer had its chance).  Called without the mcache lock.  The
 * span returned is in transit under the generation left in @tsg.
 */
static struct mheap_span *mcache_refill(struct mheap *h, u8 spanclass,
					gfp_t gfp, u32 *tsg)
{
	unsigned int cls = mheap_spanclass_sizeclass(spanclass);
	struct mheap_span *s, *fresh;
	u32 fsg;

	mheap_deduct_sweep_credit(h, mheap_class_npages[cls] << PAGE_SHIFT);
	s = mcentral_cache_span(h, spanclass, tsg);
	/*
	 * Placement: a high partial span is left to drain, and a fresh span
	 * is carved low instead, if that fits without growing.  Otherwise
	 * holes refilled in place would pin the high regions forever,
	 * however much of the heap is free.
	 */
	if (s && span_high(h, s)) {
		fresh = mcentral_grow(h, spanclass, gfp, false, &fsg);
		if (fresh) {
			mcentral_uncache(h, s);
			transit_end(h, *tsg);
			*tsg = fsg;
			s = fresh;
			atomic_long_add(s->nelems * s->elemsize,
					&h->gc.alloc_bytes);
		}
	}
	if (!s) {
		if (!mheap_sweep_done(h))
			mheap_reclaim(h, mheap_class_npages[cls]);
		s = mcentral_grow(h, spanclass, gfp, true, tsg);
		if (s)
			atomic_long_add(s->nelems * s->elemsize,
					&h->gc.alloc_bytes);
	}
	if (s) {
		this_cpu_inc(h->mcache->refills);
		trace_mheap_mcentral_refill(h, s);
	}
	return s;
}

/* === Frees during a sweep ============================================ */

/* Is @s swept for the current cycle (or cached since it was)? */
static bool span_swept(struct mheap *h, struct mheap_span *s)
{
	u32 sg = READ_ONCE(h->gc.sweepgen), ssg = READ_ONCE(s->sweepgen);

	return ssg == sg || ssg == sg + 3;
}

/*
 * A free of object @idx at @off of @s, a span the last cycle has not
 * finished sweeping.  Sweeps are claimed, and a claimed span's bits swept,
 * under its mcentral lock, so there the bits say for certain whether the
 * object is still the caller's: for a span not yet claimed, if it is
 * marked, or pinned or finalized, which the sweep would keep (it is marked
 * now, as the sweep would do); for a claimed or swept one, if it is still
 * allocated.  The decision is made before the free touches the memory,
 * which the sweep frees, and may give to someone else, when it wins.
 *
 * Return: true if the free may go on.
 */
static bool free_unswept_ok(struct mheap *h, struct mheap_span *s,
			    unsigned int idx, unsigned int off)
{
	struct mheap_mcentral *mc = &h->mcentral[s->spanclass];
	bool ok, revived = false;
	unsigned long flags;
	u32 sg, ssg;

	spin_lock_irqsave(&mc->lock, flags);
	sg = READ_ONCE(h->gc.sweepgen);
	ssg = READ_ONCE(s->sweepgen);
	if (ssg == sg - 2 || ssg == sg + 1) {
		ok = test_bit(idx, s->obj.gcmark_bits);
		if (!ok && READ_ONCE(s->specials) &&
		    mheap_specials_keep(h, s, off)) {
			set_bit(idx, s->obj.gcmark_bits);
			ok = true;
			revived = true;
		}
	} else {
		ok = test_bit(idx, s->obj.alloc_bits);
	}
	spin_unlock_irqrestore(&mc->lock, flags);
	if (revived)
		mheap_mark_page(h, s);
	if (!ok)
		bad_free(h, (void *)(s->start + off),
			 "freed after a collection found it dead");
	return ok;
}

/*
 * Take the object's slot: clear its alloc bit, and drop its specials in
 * the same step.  A pin or a finalizer may be all that keeps an unmarked
 * object from a sweep that a cycle's end starts at any moment, so the
 * specials go only together with the object, under the specials lock:
 * a sweep sees either both (and keeps the object) or neither, and a new
 * object in the slot cannot have its specials dropped by this free.
 *
 * Return: false if the bit was clear already (a racing double free).
 */
static bool free_claim(struct mheap *h, struct mheap_span *s,
		       unsigned int idx, unsigned int off)
{
	if (likely(!READ_ONCE(s->specials)))
		return test_and_clear_bit(idx, s->obj.alloc_bits);
	mheap_test_point(h, MHEAP_TP_FREE_SPECIALS);
	return mheap_specials_free_object(h, s, idx, off);
}

/* === Large objects =================================================== */

static void *large_alloc(struct mheap *h, size_t size, gfp_t gfp)
{
	unsigned long npages = DIV_ROUND_UP(size, PAGE_SIZE), flags;
	struct mheap_mcentral *mc = &h->mcentral[0];
	struct mheap_span *s;
	bool marking;
	void *p;

	mheap_deduct_sweep_credit(h, npages << PAGE_SHIFT);
	if (!mheap_sweep_done(h))
		mheap_reclaim(h, npages);
	s = mheap_alloc_span(h, npages, MHEAP_SPAN_DEAD, gfp);
	if (!s)
		return NULL;
	if (objspan_init(h, s, 0, npages << PAGE_SHIFT, 1, gfp)) {
		mheap_span_release(h, s);
		return NULL;
	}
	set_bit(0, s->obj.alloc_bits);
	atomic_set(&s->obj.live, 1);
	p = (void *)s->start;
	/* ksize() hands the whole span out: zero all of it. */
	if (s->needzero && want_init_on_alloc(gfp)) {
		mheap_unpoison(p, npages << PAGE_SHIFT);
		memset(p, 0, npages << PAGE_SHIFT);
	}
	mheap_poison(p, npages << PAGE_SHIFT, MHEAP_KASAN_FREE);
	mheap_unpoison(p, size);
	atomic_long_add(npages << PAGE_SHIFT, &h->gc.alloc_bytes);
	kmemleak_alloc(p, size, 1, gfp);
	/* Large objects wait on class 0's full list for their sweeps. */
	spin_lock_irqsave(&mc->lock, flags);
	mc->nspans++;
	/*
	 * Marking first, then sg (see mheap_gc_end()): if marking is seen
	 * closed, the span is filed as swept for the new cycle.
	 */
	marking = smp_load_acquire(&h->gc.marking);
	s->sweepgen = READ_ONCE(h->gc.sweepgen);
	if (marking)
		set_bit(0, s->obj.gcmark_bits);
	mheap_span_list_insert(mheap_mcentral_list(mc, true, s->sweepgen), s);
	spin_unlock_irqrestore(&mc->lock, flags);
	if (marking)
		mheap_mark_page(h, s);
	/* Publish last, as in mcentral_grow(). */
	smp_store_release(&s->state, MHEAP_SPAN_IN_USE);
	mheap_count(h, MHEAP_CNT_LARGE_ALLOCS);
	return p;
}

static void large_free(struct mheap *h, struct mheap_span *s, const void *p)
{
	if (p != (void *)s->start) {
		bad_free(h, p, "interior pointer of a large object");
		return;
	}
	if (!test_bit(0, s->obj.alloc_bits)) {
		bad_free(h, p, "double free");
		return;
	}
	if (unlikely(!span_swept(h, s)) && !free_unswept_ok(h, s, 0, 0))
		return;
	if (!free_claim(h, s, 0, 0)) {
		bad_free(h, p, "double free");
		return;
	}
	kmemleak_free(p);
	if (want_init_on_free()) {
		mheap_unpoison(p, s->elemsize);
		memset((void *)p, 0, s->elemsize);
	}
	mheap_count(h, MHEAP_CNT_LARGE_FREES);
	/* live goes 1 -> 0 under the lock; the span goes unless being swept. */
	mcentral_free_transition(h, s);
}

/**
 * mheap_objects_sweep_dead() - sweeping found object @idx of @s dead
 * @h: heap
 * @s: span being swept
 * @idx: object index; its alloc bit is already clear
 */
void mheap_objects_sweep_dead(struct mheap *h, struct mheap_span *s,
			      unsigned int idx)
{
	void *p = (void *)(s->start + idx * s->elemsize);

	kmemleak_free(p);
	if (want_init_on_free()) {
		mheap_unpoison(p, s->elemsize);
		memset(p, 0, s->elemsize);
	} else {
		WRITE_ONCE(s->obj.needzero, true);
	}
	mheap_poison(p, s->elemsize, MHEAP_KASAN_FREE);
	if (!s->spanclass)
		mheap_count(h, MHEAP_CNT_LARGE_FREES);
	else
		this_cpu_inc(h->mcache->frees);
}

/* === Public interface ================================================ */

/**
 * mheap_alloc() - allocate an object
 * @h: heap
 * @size: bytes; 0 gives ZERO_SIZE_PTR like kmalloc(), more than 32 KiB
 *	gets a span of its own (size class 0)
 * @gfp: %GFP_KERNEL may sleep to grow the heap, %GFP_ATOMIC/%GFP_NOWAIT
 *	never sleep; %__GFP_ZERO (and init_on_alloc) zero the object, but only
 *	when its memory may hold old data.
 *
 * Objects of a power-of-two size up to PAGE_SIZE are naturally aligned,
 * all others at least to 8 bytes, 16 from 32 bytes up.
 *
 * Context: any context @gfp allows.
 * Return: the object, ZERO_SIZE_PTR, or NULL.
 */
void *mheap_alloc(struct mheap *h, size_t size, gfp_t gfp)
{
	struct mheap_mcache *c;
	struct mheap_span *s;
	unsigned int live;
	unsigned long flags;
	bool zero;
	u32 tsg;
	int idx;
	u8 sc;
	void *p;

	might_alloc(gfp);
	if (unlikely(!size))
		return ZERO_SIZE_PTR;
	if (unlikely(size > MHEAP_MAX_SMALL))
		return large_alloc(h, size, gfp);
	sc = mheap_make_spanclass(mheap_size_to_class(size), true);

	local_lock_irqsave(&h->mcache->lock, flags);
again:
	c = this_cpu_ptr(h->mcache);
	s = c->alloc[sc];
	idx = s ? next_free_fast(s) : -1;
	if (unlikely(idx < 0)) {
		if (s) {
			idx = next_free_slow(s);
			/*
			 * Objects were freed behind the scan: rewind, unless the
			 * span sits high, where it should drain (placement).  An
			 * empty span is rewound wherever it is: giving it back
			 * only has a new one built, from this CPU's page cache,
			 * which may be just as high.
			 */
			live = mheap_objspan_live(&s->obj);
			if (idx == s->nelems && live < s->nelems &&
			    (!live || !span_high(h, s))) {
				s->obj.freeindex = 0;
				idx = next_free_slow(s);
			}
			if (idx == s->nelems) {
				c->alloc[sc] = NULL;
				mcentral_uncache(h, s);
				s = NULL;
			}
		}
		if (!s) {
			/* Sweeping and growing take time: not with irqs off. */
			local_unlock_irqrestore(&h->mcache->lock, flags);
			s = mcache_refill(h, sc, gfp, &tsg);
			if (!s)
				return NULL;
			mheap_test_point(h, MHEAP_TP_REFILL_DONE);
			local_lock_irqsave(&h->mcache->lock, flags);
			c = this_cpu_ptr(h->mcache);
			/*
			 * Another task refilled the slot meanwhile, or a cycle
			 * ended and this CPU's mcache was flushed since the
			 * span was cached: give it back (sweeping it if it
			 * needs) and look again.
			 */
			if (c->alloc[sc] ||
			    s->sweepgen != READ_ONCE(h->gc.sweepgen) + 3)
				mcentral_uncache(h, s);
			else
				c->alloc[sc] = s;
			/* In the mcache, or swept and filed: arrived. */
			transit_end(h, tsg);
			goto again;
		}
	}
	set_bit(idx, s->obj.alloc_bits);
	atomic_inc(&s->obj.live);
	mark_new_object(h, s, idx);
	zero = READ_ONCE(s->obj.needzero) && want_init_on_alloc(gfp);
	this_cpu_inc(h->mcache->allocs);
	local_unlock_irqrestore(&h->mcache->lock, flags);

	p = (void *)(s->start + idx * s->elemsize);
	if (zero) {
		mheap_unpoison(p, s->elemsize);
		memset(p, 0, s->elemsize);
		mheap_poison(p, s->elemsize, MHEAP_KASAN_FREE);
	}
	mheap_unpoison(p, size);
	kmemleak_alloc(p, size, 1, gfp);
	return p;
}
EXPORT_SYMBOL_GPL(mheap_alloc);

/**
 * mheap_free() - free an object from mheap_alloc()
 * @h: heap it came from
 * @p: the object; NULL and ZERO_SIZE_PTR are ignored, as by kfree()
 *
 * Freed memory is reusable at once, no collection cycle needed.  A
 * pointer that is not a live object of @h (another heap's, kmalloc's, an
 * interior pointer, a double free) is refused: counted in bad_frees,
 * reported in the kernel log, and nothing is freed.
 *
 * Context: any context.
 */
void mheap_free(struct mheap *h, const void *p)
{
	struct mheap_objspan *o;
	struct mheap_span *s;
	unsigned long off;
	unsigned int idx;
	unsigned int live;
	int v;

	if (unlikely(ZERO_OR_NULL_PTR(p)))
		return;
	s = mheap_span_of(h, p);
	if (!s) {
		bad_free(h, p, "not an object of this heap");
		return;
	}
	/* Pairs with the release publishing an object span. */
	if (smp_load_acquire(&s->state) != MHEAP_SPAN_IN_USE) {
		bad_free(h, p, "not an object (a manual span?)");
		return;
	}
	if (!s->spanclass) {
		large_free(h, s, p);
		return;
	}
	o = &s->obj;
	off = (unsigned long)p - s->start;
	idx = mheap_obj_index(off, o->divmagic);
	if (idx >= s->nelems || idx * s->elemsize != off) {
		bad_free(h, p, "interior pointer");
		return;
	}
	if (!test_bit(idx, o->alloc_bits)) {
		bad_free(h, p, "double free");
		return;
	}
	/* A sweep may be about to free it: the collector may own it. */
	if (unlikely(!span_swept(h, s)) && !free_unswept_ok(h, s, idx, off))
		return;
	mheap_test_point(h, MHEAP_TP_FREE_CHECKED);
	/* Finish with the memory before the slot can be handed out again. */
	kmemleak_free(p);
	if (want_init_on_free()) {
		mheap_unpoison(p, s->elemsize);
		memset((void *)p, 0, s->elemsize);
	} else {
		WRITE_ONCE(o->needzero, true);
	}
	mheap_poison(p, s->elemsize, MHEAP_KASAN_FREE);
	if (!free_claim(h, s, idx, off)) {
		bad_free(h, p, "double free (concurrent)");
		return;
	}
	this_cpu_inc(h->mcache->frees);
	/*
	 * Once live drops we own nothing in the span, so a decrement that may
	 * make it empty or partial happens under the mcentral lock, which is
	 * where spans are filed and released.  A span a CPU owns is filed when
	 * uncached: the lockless decrement is for it, or for counts away from
	 * a transition.  The owner flag is in the word the cmpxchg tests, so
	 * the decrement fails, and the free looks again, if the owner gave
	 * the span back since the read.
	 */
	v = atomic_read(&o->live);
	do {
		live = v & ~MHEAP_LIVE_CACHED;
		if (!(v & MHEAP_LIVE_CACHED) && (live == 1 || live == s->nelems)) {
			mcentral_free_transition(h, s);
			return;
		}
		mheap_test_point(h, MHEAP_TP_FREE_LOCKLESS);
	} while (!atomic_try_cmpxchg(&o->live, &v, v - 1));
}
EXPORT_SYMBOL_GPL(mheap_free);

/**
 * mheap_ksize() - usable size of an object
 * @h: heap
 * @p: a live object of @h
 *
 * Like ksize(), the whole object becomes usable (for KASAN too).
 *
 * Return: the size of the object's slot, or 0 if @p is not a live object.
 */
size_t mheap_ksize(struct mheap *h, const void *p)
{
	struct mheap_span *s;
	unsigned long off;

	if (ZERO_OR_NULL_PTR(p))
		return 0;
	s = mheap_span_of(h, p);
	/* Pairs with the release publishing an object span. */
	if (!s || smp_load_acquire(&s->state) != MHEAP_SPAN_IN_USE)
		return 0;
	off = (unsigned long)p - s->start;
	if (s->spanclass &&
	    mheap_obj_index(off, s->obj.divmagic) * s->elemsize != off)
		return 0;
	if (!s->spanclass && off)
		return 0;
	if (!test_bit(s->spanclass ? mheap_obj_index(off, s->obj.divmagic) : 0,
		      s->obj.alloc_bits))
		return 0;
	mheap_unpoison(p, s->elemsize);
	return s->elemsize;
}
EXPORT_SYMBOL_GPL(mheap_ksize);

/* === Set-up and teardown ============================================= */

/**
 * mheap_mcache_drain_cpu() - give one CPU's cached spans back to mcentral
 * @h: heap
 * @cpu: a CPU that is not running mheap code (dead, or any at destroy)
 */
void mheap_mcache_drain_cpu(struct mheap *h, unsigned int cpu)
{
	struct mheap_mcache *c = per_cpu_ptr(h->mcache, cpu);
	unsigned int sc;

	for (sc = 0; sc < MHEAP_NUM_SPANCLASSES; sc++) {
		struct mheap_span *s = c->alloc[sc];

		if (s) {
			c->alloc[sc] = NULL;
			mcentral_uncache(h, s);
		}
	}
}
EXPORT_SYMBOL_IF_KUNIT(mheap_mcache_drain_cpu);

/* Runs on the CPU owning @work's mcache. */
static void mcache_flush_fn(struct work_struct *work)
{
	struct mheap_mcache *c = container_of(work, struct mheap_mcache,
					      flush_work);
	struct mheap *h = c->heap;
	unsigned long flags;
	unsigned int sc;

	local_lock_irqsave(&h->mcache->lock, flags);
	c = this_cpu_ptr(h->mcache);
	for (sc = 0; sc < MHEAP_NUM_SPANCLASSES; sc++) {
		struct mheap_span *s = c->alloc[sc];

		if (s) {
			c->alloc[sc] = NULL;
			mcentral_uncache(h, s);
		}
	}
	local_unlock_irqrestore(&h->mcache->lock, flags);
}

/**
 * mheap_mcache_flush_all() - every online CPU gives its cached spans back
 * @h: heap
 *
 * Each CPU flushes its own mcache from a work item, so allocations on
 * other CPUs go on undisturbed.  Afterwards empty spans, mcentral's
 * spares included, are back in the page heap and can be released.
 *
 * Context: process context, may sleep.
 */
void mheap_mcache_flush_all(struct mheap *h)
{
	unsigned int cpu;

	cpus_read_lock();
	for_each_online_cpu(cpu)
		queue_work_on(cpu, system_wq,
			      &per_cpu_ptr(h->mcache, cpu)->flush_work);
	for_each_online_cpu(cpu)
		flush_work(&per_cpu_ptr(h->mcache, cpu)->flush_work);
	cpus_read_unlock();
	mheap_mcentral_drop_spares(h);
}
EXPORT_SYMBOL_IF_KUNIT(mheap_mcache_flush_all);

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
			mheap_span_release(h, s);
	}
}
EXPORT_SYMBOL_IF_KUNIT(mheap_mcentral_drop_spares);

int mheap_objects_init(struct mheap *h)
{
	unsigned int i, j, cpu;

	BUILD_BUG_ON(PAGE_SHIFT != MHEAP_CLASS_PAGE_SHIFT);
	for (i = 0; i < MHEAP_NUM_SPANCLASSES; i++) {
		spin_lock_init(&h->mcentral[i].lock);
		for (j = 0; j < 2; j++) {
			mheap_span_list_init_sorted(&h->mcentral[i].partial[j]);
			mheap_span_list_init(&h->mcentral[i].full[j]);
		}
	}
	mheap_gcbits_init(&h->gcbits);
	if (mheap_should_fail(MHEAP_FAULT_METADATA, sizeof(*h->mcache)))
		return -ENOMEM;
	h->mcache = alloc_percpu(struct mheap_mcache);
	if (!h->mcache)
		return -ENOMEM;
	for_each_possible_cpu(cpu) {
		struct mheap_mcache *c = per_cpu_ptr(h->mcache, cpu);

		local_lock_init(&c->lock);
		c->heap = h;
		INIT_WORK(&c->flush_work, mcache_flush_fn);
	}
	return 0;
}

/* The live objects of @s go away with the heap: tell kmemleak. */
static void forget_objects(struct mheap *h, struct mheap_span *s)
{
	unsigned int i;

	for_each_set_bit(i, s->obj.alloc_bits, s->nelems)
		kmemleak_free((void *)(s->start + i * s->elemsize));
	if (s->specials)
		mheap_specials_free_all(h, s);
}

/**
 * mheap_objects_destroy() - for heap destroy: forget every object
 * @h: heap nobody uses any more
 *
 * Span structures and pages go with the regions afterwards.
 */
void mheap_objects_destroy(struct mheap *h)
{
	struct mheap_special *sp, *next;
	struct mheap_region *r;
	unsigned long addr, end;

	if (!h->mcache)
		return;
	list_for_each_entry(r, &h->regions, node) {
		end = r->base + (r->npages << PAGE_SHIFT);
		for (addr = r->base; addr < end; addr += PAGE_SIZE) {
			struct mheap_span *s = mheap_span_of(h, (void *)addr);

			if (s && s->start == addr && s->state == MHEAP_SPAN_IN_USE)
				forget_objects(h, s);
		}
	}
	/* Finalizers queued after the last run of the work: not run. */
	for (sp = h->gc.finq; sp; sp = next) {
		next = sp->next;
		kfree(sp);
	}
	h->gc.finq = NULL;
	free_percpu(h->mcache);
	h->mcache = NULL;
	mheap_gcbits_destroy(&h->gcbits);
}
