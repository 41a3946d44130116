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
 *
 * In front of the spans sit the CPU's magazines, one per size class: a
 * free on a CPU whose magazine has room keeps the object there, its bits
 * untouched, and the next allocation of the class on that CPU takes it
 * back.  Both are a few loads and stores under a local lock that only
 * disables preemption (interrupt handlers use the spans), with no locked
 * instruction and no span touched but for the free's lookup.  A
 * full magazine goes to the class's depot whole, and an empty one is
 * refilled from there, so objects freed on one CPU serve another's
 * allocations at one lock per magazine.
 * Magazines work only between cycles: mheap_gc_begin() empties them into
 * their spans before marking opens, and mheap_gc_end() lets them fill
 * again once the new sweep generation is out (see &struct mheap_magazine).
 */
#define pr_fmt(fmt) "mheap: " fmt

#include <linux/cpu.h>
#include <linux/delay.h>
#include <linux/mm.h>
#include <linux/percpu.h>
#include <linux/slab.h>
#include <kunit/visibility.h>
#include "internal.h"
#include "testing.h"
#include "hooks.h"
#include <trace/events/mheap.h>

/* === Bad frees ======================================================= */

static void bad_free(struct mheap *h, const void *p, const char *why)
{
	mheap_count(h, MHEAP_CNT_BAD_FREES);
	trace_mheap_bad_free(h, why);
	pr_err_ratelimited("%s: bad free of %p: %s\n", h->name, p, why);
}

/* === Placement hint ================================================ */

/*
 * Is a quarter or more of @h's committed memory free?  Both counts are
 * written when spans and regions come and go, not by the fast paths; a
 * moment-old answer only moves one placement decision.
 */
static bool heap_sparse(struct mheap *h)
{
	/* Written under mheap.lock; read without, as in mheap_span_high(). */
	unsigned long committed = data_race(READ_ONCE(h->pages.pages_present));
	unsigned long in_use = atomic_long_read(&h->pages_in_use);

	return in_use < committed - committed / 4;
}

/*
 * Recompute &mheap_gc.drain_high, on the slow paths only (refills, depot
 * moves): the counts it reads are written by every CPU that builds or
 * frees a span, and a free should not read them.
 */
static void update_drain_high(struct mheap *h)
{
	bool sparse = heap_sparse(h);

	if (READ_ONCE(h->gc.drain_high) != sparse)
		WRITE_ONCE(h->gc.drain_high, sparse);
}

/* === The mcache's scan ============================================= */

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

/*
 * Mark a new object if a collection may not see it otherwise: while
 * marking is open (Go allocates black), or in a span cached since before
 * the cycle ended, which is swept with this cycle's marks only when its
 * CPU gives it back.
 */
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

/* Scan a span handed to a CPU from its start: freed objects are found. */
static void rewind(struct mheap_span *s)
{
	s->obj.freeindex = 0;
	s->obj.alloc_cache = alloc_cache_at(&s->obj, 0);
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

	update_drain_high(h);
	mheap_deduct_sweep_credit(h, mheap_class_npages[cls] << PAGE_SHIFT);
	s = mheap_mcentral_cache_span(h, spanclass, tsg);
	if (s)
		rewind(s);
	/*
	 * Placement: a high partial span is left to drain, and a fresh span
	 * is carved low instead, if that fits without growing.  Otherwise
	 * holes refilled in place would pin the high regions forever,
	 * however much of the heap is free.
	 */
	if (s && mheap_span_high(h, s)) {
		fresh = mheap_mcentral_grow(h, spanclass, gfp, false, &fsg);
		if (fresh) {
			mheap_mcentral_uncache(h, s);
			mheap_transit_end(h, *tsg);
			*tsg = fsg;
			s = fresh;
			atomic_long_add(s->nelems * s->elemsize,
					&h->gc.alloc_bytes);
		}
	}
	if (!s) {
		if (!mheap_sweep_done(h))
			mheap_reclaim(h, mheap_class_npages[cls]);
		s = mheap_mcentral_grow(h, spanclass, gfp, true, tsg);
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

/*
 * Give object @idx of @s back to its span, its free hook run: take the
 * slot, then drop the live count.
 *
 * Return: false if the slot was free already (a racing double free).
 */
static bool free_to_span(struct mheap *h, struct mheap_span *s,
			 unsigned int idx)
{
	struct mheap_objspan *o = &s->obj;
	unsigned int live;
	int v;

	if (!free_claim(h, s, idx, idx * s->elemsize))
		return false;
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
			mheap_mcentral_free_transition(h, s);
			return true;
		}
		mheap_test_point(h, MHEAP_TP_FREE_LOCKLESS);
	} while (!atomic_try_cmpxchg(&o->live, &v, v - 1));
	return true;
}

/* === Magazines ======================================================= */

/* The most objects a depot may hold and still take a magazine of @cap. */
static __always_inline unsigned int depot_room(unsigned int cap)
{
	return MHEAP_DEPOT_MAGAZINES * cap - cap;
}

/*
 * An unlocked peek, as in depot_get(): once the depot is full, as in a
 * burst of frees, each further free goes to its span without the lock or
 * a call.  A stale count only sends one object one way or the other.
 */
static __always_inline bool depot_full(struct mheap *h, unsigned int cls,
				       const struct mheap_magazine *m)
{
	/* Written under the depot lock; a hint, decided under it. */
	return data_race(READ_ONCE(h->depot[cls].count)) > depot_room(m->cap);
}

/*
 * Hand full magazine @m over to its class's depot.  Under the magazine lock.
 * Return: false if the depot has no room.
 */
static bool depot_put(struct mheap *h, unsigned int cls,
		      struct mheap_magazine *m)
{
	unsigned int room = depot_room(m->cap);
	struct mheap_depot *d = &h->depot[cls];
	bool ok;

	update_drain_high(h);
	spin_lock(&d->lock);
	ok = d->count <= room;
	if (ok) {
		memcpy(d->objs + d->count, m->objs, m->cap * sizeof(void *));
		d->count += m->cap;
		m->count = 0;
	}
	spin_unlock(&d->lock);
	return ok;
}

/*
 * Set @m's address bounds and filter to those of its entries; @m holds at
 * least one.
 */
static void magazine_bound(struct mheap_magazine *m)
{
	unsigned long a;
	unsigned int i;

	m->lo = ULONG_MAX;
	m->hi = 0;
	m->sig = 0;
	for (i = 0; i < m->count; i++) {
		a = (unsigned long)m->objs[i];
		m->lo = min(m->lo, a);
		m->hi = max(m->hi, a);
		m->sig |= mheap_magazine_sig(a);
	}
}

/*
 * Whether @p is among @m's entries.  The bounds and the object taken last
 * answer most frees without a look at the entries; see
 * &struct mheap_magazine.
 */
static __always_inline bool magazine_holds(const struct mheap_magazine *m,
					   const void *p)
{
	unsigned long a = (unsigned long)p;
	unsigned int i;

	if (!m->count || a < m->lo || a > m->hi || p == m->taken ||
	    !(m->sig & mheap_magazine_sig(a)))
		return false;
	for (i = 0; i < m->count; i++) {
		if (m->objs[i] == p)
			return true;
	}
	return false;
}

/*
 * Fill empty magazine @m from its class's depot.  Under the magazine lock.
 * Return: false if the depot has no full magazine, or magazines are shut.
 */
static bool depot_get(struct mheap *h, unsigned int cls,
		      struct mheap_magazine *m)
{
	struct mheap_depot *d = &h->depot[cls];
	bool ok;

	/* An unlocked peek: an empty depot costs no lock. */
	if (!data_race(READ_ONCE(d->count)))
		return false;
	/*
	 * Shut, the depot is being emptied, and what this CPU takes would
	 * stay in its magazine during marking: see mheap_magazines_close().
	 */
	if (!smp_load_acquire(&h->gc.magazines))
		return false;
	update_drain_high(h);
	spin_lock(&d->lock);
	ok = d->count >= m->cap;
	if (ok) {
		d->count -= m->cap;
		memcpy(m->objs, d->objs + d->count, m->cap * sizeof(void *));
		m->count = m->cap;
	}
	spin_unlock(&d->lock);
	if (ok)
		magazine_bound(m);
	return ok;
}

/* Whether this context may use magazines: see &struct mheap_magazine. */
static __always_inline bool magazines_here(struct mheap *h)
{
	return !in_interrupt() && !(h->params.flags & MHEAP_NO_MAGAZINES);
}

/*
 * Keep @p, an object of @s, in this CPU's magazine of its class, if
 * magazines are open, @s is an object span swept for this cycle with no
 * specials (a free must drop them with the object) that need not drain,
 * and the magazine has room or the depot takes it whole.  Under the
 * magazine lock.  The free hook runs here, so that a failed attempt
 * leaves the object untouched for the span path.
 *
 * Return: 1 if kept, 0 if the span path must free it, -1 if it is in the
 * magazine already (a double free).
 */
static __always_inline int magazine_put(struct mheap *h, struct mheap_span *s,
					void *p)
{
	unsigned int cls = mheap_spanclass_sizeclass(s->spanclass);
	struct mheap_mcache *c = this_cpu_ptr(h->mcache);
	unsigned long a = (unsigned long)p;
	struct mheap_magazine *m = &c->mag[cls];

	/*
	 * Pairs with the release in mheap_gc_end(): magazines seen open, the
	 * sweep generation read next is the one they opened under.  They
	 * close only after this section (mheap_gc_begin() empties them on
	 * this CPU under this lock), so the generation holds while @p sits
	 * in the magazine.
	 */
	if (!smp_load_acquire(&h->gc.magazines) || !cls ||
	    READ_ONCE(s->specials) || !span_swept(h, s))
		return 0;
	/*
	 * Placement, in a heap with much free memory: a high span drains,
	 * its holes are not refilled.  In a compact heap a few stray free
	 * pages make most spans high, and there is little to drain.  The
	 * span this CPU allocates from is refilled anyway, and a magazine
	 * pins it no longer than that: kept, its objects make a pair a
	 * magazine round trip, not a round trip through the span's bits.
	 */
	if (READ_ONCE(h->gc.drain_high) && mheap_span_high(h, s) &&
	    /* An interrupt may change it meanwhile: a placement hint. */
	    data_race(READ_ONCE(c->alloc[s->spanclass])) != s)
		return 0;
	/* Before a depot_put(): the magazine still holds what it held. */
	if (magazine_holds(m, p))
		return -1;
	if (m->count == m->cap &&
	    (depot_full(h, cls, m) || !depot_put(h, cls, m)))
		return 0;
	mheap_free_hook(s, p);
	if (!m->count) {
		m->lo = a;
		m->hi = a;
		m->sig = mheap_magazine_sig(a);
	} else {
		m->lo = min(m->lo, a);
		m->hi = max(m->hi, a);
		m->sig |= mheap_magazine_sig(a);
	}
	m->objs[m->count++] = p;
	m->taken = NULL;
	this_cpu_inc(h->mcache->frees[cls]);
	return 1;
}

/*
 * An object of class @cls from this CPU's magazine, refilled from the
 * depot if it is empty; NULL if there is none, or in an interrupt.
 */
static void *magazine_get(struct mheap *h, unsigned int cls)
{
	struct mheap_magazine *m;
	void *p = NULL;

	if (!magazines_here(h))
		return NULL;
	local_lock(&h->mcache->mag_lock);
	m = &this_cpu_ptr(h->mcache)->mag[cls];
	if (m->count || depot_get(h, cls, m)) {
		p = m->objs[--m->count];
		m->taken = p;
		this_cpu_inc(h->mcache->allocs[cls]);
	}
	local_unlock(&h->mcache->mag_lock);
	return p;
}

/* Give @p, an object a magazine or a depot kept, back to its span. */
static void kept_to_span(struct mheap *h, void *p)
{
	struct mheap_span *s;
	unsigned int idx;
	const char *why;

	s = mheap_object_lookup(h, p, false, &idx, &why);
	/* Only a racing double free of @p takes it first. */
	if (!s || !free_to_span(h, s, idx))
		bad_free(h, p, "double free (concurrent)");
}

/*
 * Give every object of @c's magazines back to its span.  Called by the
 * owner under its magazine lock, or for a CPU that runs no mheap code.
 */
static void magazines_empty(struct mheap *h, struct mheap_mcache *c)
{
	unsigned int cls;

	for (cls = 1; cls < MHEAP_NUM_CLASSES; cls++) {
		struct mheap_magazine *m = &c->mag[cls];

		while (m->count)
			kept_to_span(h, m->objs[--m->count]);
	}
}

/* This CPU empties its own magazines, under its magazine lock. */
static void magazines_empty_here(struct mheap *h)
{
	local_lock(&h->mcache->mag_lock);
	magazines_empty(h, this_cpu_ptr(h->mcache));
	local_unlock(&h->mcache->mag_lock);
}

/* Give every object of every depot back to its span. */
static void depots_empty(struct mheap *h)
{
	void *objs[MHEAP_MAGAZINE_SIZE];
	unsigned int cls, n, i;

	for (cls = 1; cls < MHEAP_NUM_CLASSES; cls++) {
		struct mheap_depot *d = &h->depot[cls];

		do {
			spin_lock(&d->lock);
			n = min_t(unsigned int, d->count, ARRAY_SIZE(objs));
			d->count -= n;
			memcpy(objs, d->objs + d->count, n * sizeof(void *));
			spin_unlock(&d->lock);
			for (i = 0; i < n; i++)
				kept_to_span(h, objs[i]);
		} while (n);
	}
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
	if (mheap_objspan_init(h, s, 0, npages << PAGE_SHIFT, 1, gfp)) {
		mheap_free_span(h, s);
		return NULL;
	}
	set_bit(0, s->obj.alloc_bits);
	atomic_set(&s->obj.live, 1);
	p = (void *)s->start;
	/* ksize() hands the whole span out: zero all of it. */
	mheap_post_alloc_hook(p, s->elemsize, size, gfp,
			      s->needzero && want_init_on_alloc(gfp));
	atomic_long_add(npages << PAGE_SHIFT, &h->gc.alloc_bytes);
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
	/* Publish last, as in mheap_mcentral_grow(). */
	smp_store_release(&s->state, MHEAP_SPAN_IN_USE);
	mheap_count(h, MHEAP_CNT_LARGE_ALLOCS);
	return p;
}

/* @p is the live large object of @s. */
static void large_free(struct mheap *h, struct mheap_span *s, void *p)
{
	if (unlikely(!span_swept(h, s)) && !free_unswept_ok(h, s, 0, 0))
		return;
	mheap_free_hook(s, p);
	if (!free_claim(h, s, 0, 0)) {
		bad_free(h, p, "double free (concurrent)");
		return;
	}
	mheap_count(h, MHEAP_CNT_LARGE_FREES);
	/* live goes 1 -> 0 under the lock; the span goes unless being swept. */
	mheap_mcentral_free_transition(h, s);
}

/* === Public interface ================================================ */

/*
 * The two fast paths start on a page of their own, so that none of their
 * instructions spans two pages: under QEMU's TCG, which ends a
 * translation block at a page boundary, such an instruction costs the
 * pair about as much as the rest of it together (make bench-profile
 * pair/64 put 70% of mheap_free()'s samples on one).  On hardware this
 * costs only the padding before them.  Each has a section of its own, so
 * that the padding is the linker's, between sections, and not code that
 * objtool would find unreachable.
 */
void *mheap_alloc(struct mheap *h, size_t size, gfp_t gfp)
	__section(".text.mheap_alloc") __aligned(SZ_4K);
void mheap_free(struct mheap *h, const void *p)
	__section(".text.mheap_free") __aligned(SZ_4K);

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
	unsigned int live, cls;
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
	cls = mheap_size_to_class(size);
	sc = mheap_make_spanclass(cls, true);

	/* Magazines hold objects only outside marking: none to mark. */
	p = magazine_get(h, cls);
	if (p) {
		/* Zeroed when it was freed, if init_on_free is on. */
		zero = !want_init_on_free() && want_init_on_alloc(gfp);
		mheap_post_alloc_hook(p, mheap_class_size[cls], size, gfp, zero);
		return p;
	}
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
			    (!live || !mheap_span_high(h, s))) {
				s->obj.freeindex = 0;
				idx = next_free_slow(s);
			}
			if (idx == s->nelems) {
				c->alloc[sc] = NULL;
				mheap_mcentral_uncache(h, s);
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
				mheap_mcentral_uncache(h, s);
			else
				c->alloc[sc] = s;
			/* In the mcache, or swept and filed: arrived. */
			mheap_transit_end(h, tsg);
			goto again;
		}
	}
	set_bit(idx, s->obj.alloc_bits);
	atomic_inc(&s->obj.live);
	mark_new_object(h, s, idx);
	zero = READ_ONCE(s->obj.needzero) && want_init_on_alloc(gfp);
	this_cpu_inc(h->mcache->allocs[cls]);
	local_unlock_irqrestore(&h->mcache->lock, flags);

	p = (void *)(s->start + idx * s->elemsize);
	mheap_post_alloc_hook(p, s->elemsize, size, gfp, zero);
	return p;
}
EXPORT_SYMBOL_GPL(mheap_alloc);

static __always_inline void __mheap_free(struct mheap *h, const void *p)
{
	struct mheap_span *s;
	unsigned int idx, cls;
	const char *why = NULL;	/* set where s is NULL; for the compiler */
	int kept = 0;

	if (magazines_here(h)) {
		local_lock(&h->mcache->mag_lock);
		/* The lock is an RCU read-side section for the lookup. */
		s = __mheap_object_lookup(h, p, false, &idx, &why, true);
		if (likely(s))
			kept = magazine_put(h, s, (void *)p);
		local_unlock(&h->mcache->mag_lock);
		if (likely(kept > 0))
			return;
		if (kept < 0) {
			bad_free(h, p, "double free");
			return;
		}
	} else {
		s = __mheap_object_lookup(h, p, false, &idx, &why, false);
	}
	if (unlikely(!s)) {
		bad_free(h, p, why);
		return;
	}
	if (!s->spanclass) {
		large_free(h, s, (void *)p);
		return;
	}
	/* A sweep may be about to free it: the collector may own it. */
	if (unlikely(!span_swept(h, s)) &&
	    !free_unswept_ok(h, s, idx, idx * s->elemsize))
		return;
	mheap_test_point(h, MHEAP_TP_FREE_CHECKED);
	/* Finish with the memory before the slot can be handed out again. */
	mheap_free_hook(s, (void *)p);
	/* The span may be gone once the free is done. */
	cls = mheap_spanclass_sizeclass(s->spanclass);
	if (!free_to_span(h, s, idx)) {
		bad_free(h, p, "double free (concurrent)");
		return;
	}
	this_cpu_inc(h->mcache->frees[cls]);
}

static noinline void mheap_free_debug(struct mheap *h, const void *p)
{
	unsigned long flags;

	/* The lookup's alloc bit test and the claim are one step. */
	spin_lock_irqsave(&h->free_lock, flags);
	__mheap_free(h, p);
	spin_unlock_irqrestore(&h->free_lock, flags);
}

/**
 * mheap_free() - free an object from mheap_alloc()
 * @h: heap it came from
 * @p: the object; NULL and ZERO_SIZE_PTR are ignored, as by kfree()
 *
 * Freed memory is reusable at once, no collection cycle needed.  A
 * pointer that is not a live object of @h (another heap's, kmalloc's, an
 * interior pointer, a double free) is refused: counted in bad_frees,
 * reported in the kernel log, and nothing is freed.  Without
 * %MHEAP_DEBUG_FREES, a double free is missed when the object sits in
 * another CPU's magazine or in a depot, or when two frees of it race.
 *
 * Context: any context.
 */
void mheap_free(struct mheap *h, const void *p)
{
	if (unlikely(ZERO_OR_NULL_PTR(p)))
		return;
	if (unlikely(h->params.flags & MHEAP_DEBUG_FREES))
		mheap_free_debug(h, p);
	else
		__mheap_free(h, p);
}
EXPORT_SYMBOL_GPL(mheap_free);

/**
 * mheap_ksize() - usable size of an object
 * @h: heap
 * @p: a live object of @h
 *
 * Like ksize(), the whole object becomes usable (for KASAN too).
 *
 * Return: the size of the object's slot, or 0 if @p is not a live object
 * (a freed object a magazine keeps still counts as one).
 */
size_t mheap_ksize(struct mheap *h, const void *p)
{
	struct mheap_span *s;
	const char *why;
	unsigned int idx;

	if (ZERO_OR_NULL_PTR(p))
		return 0;
	s = mheap_object_lookup(h, p, false, &idx, &why);
	if (!s)
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

	magazines_empty(h, c);
	for (sc = 0; sc < MHEAP_NUM_SPANCLASSES; sc++) {
		struct mheap_span *s = c->alloc[sc];

		if (s) {
			c->alloc[sc] = NULL;
			mheap_mcentral_uncache(h, s);
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

	magazines_empty_here(h);
	local_lock_irqsave(&h->mcache->lock, flags);
	c = this_cpu_ptr(h->mcache);
	for (sc = 0; sc < MHEAP_NUM_SPANCLASSES; sc++) {
		struct mheap_span *s = c->alloc[sc];

		if (s) {
			c->alloc[sc] = NULL;
			mheap_mcentral_uncache(h, s);
		}
	}
	local_unlock_irqrestore(&h->mcache->lock, flags);
}

/* Runs on the CPU owning @work's mcache. */
static void magazines_empty_fn(struct work_struct *work)
{
	struct mheap_mcache *c = container_of(work, struct mheap_mcache,
					      mag_work);

	magazines_empty_here(c->heap);
}

/* Run every online CPU's magazine or flush work, and wait for them all. */
static void mcache_work_all(struct mheap *h, bool magazines_only)
{
	unsigned int cpu;

	cpus_read_lock();
	for_each_online_cpu(cpu) {
		struct mheap_mcache *c = per_cpu_ptr(h->mcache, cpu);

		queue_work_on(cpu, system_wq,
			      magazines_only ? &c->mag_work : &c->flush_work);
	}
	for_each_online_cpu(cpu) {
		struct mheap_mcache *c = per_cpu_ptr(h->mcache, cpu);

		flush_work(magazines_only ? &c->mag_work : &c->flush_work);
	}
	cpus_read_unlock();
}

/**
 * mheap_magazines_close() - empty every CPU's magazines, and keep them so
 * @h: heap
 *
 * From here until mheap_magazines_open(), every free goes to its span.
 * For mheap_gc_begin(), before marking opens.
 *
 * Context: process context, may sleep; under mheap.gc_lock.
 */
void mheap_magazines_close(struct mheap *h)
{
	lockdep_assert_held(&h->gc_lock);
	WRITE_ONCE(h->gc.magazines, false);
	/*
	 * Each CPU empties its own, under its magazine lock: a free or a
	 * depot_get() that saw them open has filled its magazine before, and
	 * one after sees them closed (the work is queued after the store).
	 * Then no CPU puts into a depot or takes from one any more.
	 */
	mcache_work_all(h, true);
	depots_empty(h);
}

/**
 * mheap_magazines_open() - let frees fill the magazines again
 * @h: heap
 *
 * For mheap_gc_end(), after the new sweep generation is published.
 *
 * Context: under mheap.gc_lock.
 */
void mheap_magazines_open(struct mheap *h)
{
	lockdep_assert_held(&h->gc_lock);
	/* Pairs with the acquire in magazine_put(). */
	smp_store_release(&h->gc.magazines,
			  !(h->params.flags & MHEAP_NO_MAGAZINES));
}

/**
 * mheap_mcache_flush_all() - every online CPU gives its cached spans back
 * @h: heap
 *
 * Each CPU flushes its own mcache, magazines first, from a work item, so
 * allocations on other CPUs go on undisturbed.  Afterwards empty spans,
 * mcentral's spares included, are back in the page heap and can be
 * released.
 *
 * Context: process context, may sleep.
 */
void mheap_mcache_flush_all(struct mheap *h)
{
	mcache_work_all(h, false);
	depots_empty(h);
	mheap_mcentral_drop_spares(h);
}
EXPORT_SYMBOL_IF_KUNIT(mheap_mcache_flush_all);

/**
 * mheap_objects_init() - every CPU's mcache, empty
 * @h: heap being created
 *
 * Return: 0 or -ENOMEM.
 */
int mheap_objects_init(struct mheap *h)
{
	unsigned int cpu, cls, cap[MHEAP_NUM_CLASSES], n = 0;
	void **objs;

	BUILD_BUG_ON(PAGE_SHIFT != MHEAP_CLASS_PAGE_SHIFT);
	for (cls = 1; cls < MHEAP_NUM_CLASSES; cls++) {
		cap[cls] = clamp_t(unsigned int,
				   MHEAP_MAGAZINE_BYTES / mheap_class_size[cls],
				   4, MHEAP_MAGAZINE_SIZE);
		n += MHEAP_DEPOT_MAGAZINES * cap[cls];
	}
	if (mheap_should_fail(MHEAP_FAULT_METADATA, sizeof(*h->mcache)))
		return -ENOMEM;
	h->mcache = alloc_percpu(struct mheap_mcache);
	if (!h->mcache)
		return -ENOMEM;
	if (!mheap_should_fail(MHEAP_FAULT_METADATA, sizeof(*h->depot)))
		h->depot = kcalloc(MHEAP_NUM_CLASSES, sizeof(*h->depot),
				   GFP_KERNEL);
	objs = h->depot ? kvcalloc(n, sizeof(*objs), GFP_KERNEL) : NULL;
	if (!objs) {
		kfree(h->depot);
		h->depot = NULL;
		free_percpu(h->mcache);
		h->mcache = NULL;
		return -ENOMEM;
	}
	for (cls = 1; cls < MHEAP_NUM_CLASSES; cls++) {
		spin_lock_init(&h->depot[cls].lock);
		h->depot[cls].objs = objs;
		objs += MHEAP_DEPOT_MAGAZINES * cap[cls];
	}
	for_each_possible_cpu(cpu) {
		struct mheap_mcache *c = per_cpu_ptr(h->mcache, cpu);

		local_lock_init(&c->lock);
		local_lock_init(&c->mag_lock);
		c->heap = h;
		INIT_WORK(&c->flush_work, mcache_flush_fn);
		INIT_WORK(&c->mag_work, magazines_empty_fn);
		for (cls = 1; cls < MHEAP_NUM_CLASSES; cls++)
			c->mag[cls].cap = cap[cls];
	}
	h->gc.magazines = !(h->params.flags & MHEAP_NO_MAGAZINES);
	return 0;
}

/* Freed objects kept allocated in their spans' bits: clear the bits. */
static void forget_freed(struct mheap *h, void **objs, unsigned int n)
{
	struct mheap_span *s;
	unsigned int i;

	for (i = 0; i < n; i++) {
		s = mheap_span_of(h, objs[i]);
		clear_bit(mheap_obj_index(objs[i] - (void *)s->start,
					  s->obj.divmagic),
			  s->obj.alloc_bits);
	}
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
	unsigned int cpu, cls;
	struct mheap_span *s;

	if (!h->mcache)
		return;
	/* Objects in magazines and depots were freed, hooks and all. */
	for (cls = 1; cls < MHEAP_NUM_CLASSES; cls++) {
		for_each_possible_cpu(cpu) {
			struct mheap_magazine *m =
				&per_cpu_ptr(h->mcache, cpu)->mag[cls];

			forget_freed(h, m->objs, m->count);
			m->count = 0;
		}
		forget_freed(h, h->depot[cls].objs, h->depot[cls].count);
		h->depot[cls].count = 0;
	}
	for_each_span(h, s) {
		if (s->state == MHEAP_SPAN_IN_USE)
			forget_objects(h, s);
	}
	mheap_specials_destroy(h);
	kvfree(h->depot[1].objs);
	kfree(h->depot);
	h->depot = NULL;
	free_percpu(h->mcache);
	h->mcache = NULL;
}
