// SPDX-License-Identifier: GPL-2.0
/*
 * Spans: structures, lists, allocation from the page allocator, and the
 * per-CPU caches in front of it (Go's allocSpan, initSpan, freeSpanLocked,
 * allocManual, freeManual, mSpanList, pageCache and mspancache).
 */
#define pr_fmt(fmt) "mheap: " fmt

#include <linux/cpu.h>
#include <linux/percpu.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <kunit/visibility.h>
#include "internal.h"
#include "hooks.h"
#include <trace/events/mheap.h>

static struct kmem_cache *mheap_span_cachep;

/* === Span lists ====================================================== */

/* The consistency checks are the seed's, reported as WARNs. */

void mheap_span_list_init(struct mheap_span_list *l)
{
	INIT_LIST_HEAD(&l->head);
	l->sorted = RB_ROOT_CACHED;
	l->by_address = false;
	l->count = 0;
}
EXPORT_SYMBOL_IF_KUNIT(mheap_span_list_init);

/*
 * A list kept in page-number order, lowest first: what mcentral hands out
 * first, so allocation packs into the low spans and the high ones empty
 * and can be given back (address-ordered first fit, for spans).
 */
void mheap_span_list_init_sorted(struct mheap_span_list *l)
{
	mheap_span_list_init(l);
	l->by_address = true;
}
EXPORT_SYMBOL_IF_KUNIT(mheap_span_list_init_sorted);

bool mheap_span_list_empty(const struct mheap_span_list *l)
{
	return !l->count;
}
EXPORT_SYMBOL_IF_KUNIT(mheap_span_list_empty);

struct mheap_span *mheap_span_list_first(struct mheap_span_list *l)
{
	if (l->by_address)
		return rb_entry_safe(rb_first_cached(&l->sorted),
				     struct mheap_span, rb);
	return list_first_entry_or_null(&l->head, struct mheap_span, node);
}
EXPORT_SYMBOL_IF_KUNIT(mheap_span_list_first);

static bool span_less(struct rb_node *a, const struct rb_node *b)
{
	return rb_entry(a, struct mheap_span, rb)->lpage <
	       rb_entry(b, struct mheap_span, rb)->lpage;
}

static void span_list_add(struct mheap_span_list *l, struct mheap_span *s,
			  bool tail)
{
	if (WARN_ONCE(s->list, "mheap: span %p (%lu pages) already on a list\n",
		      (void *)s->start, s->npages))
		return;
	if (l->by_address)
		rb_add_cached(&s->rb, &l->sorted, span_less);
	else if (tail)
		list_add_tail(&s->node, &l->head);
	else
		list_add(&s->node, &l->head);
	s->list = l;
	l->count++;
}

/* At the front of an insertion-ordered list; in place in a sorted one. */
void mheap_span_list_insert(struct mheap_span_list *l, struct mheap_span *s)
{
	span_list_add(l, s, false);
}
EXPORT_SYMBOL_IF_KUNIT(mheap_span_list_insert);

void mheap_span_list_insert_back(struct mheap_span_list *l,
				 struct mheap_span *s)
{
	span_list_add(l, s, true);
}
EXPORT_SYMBOL_IF_KUNIT(mheap_span_list_insert_back);

void mheap_span_list_remove(struct mheap_span_list *l, struct mheap_span *s)
{
	if (WARN_ONCE(s->list != l, "mheap: span %p is not on list %p\n",
		      (void *)s->start, l))
		return;
	if (l->by_address) {
		rb_erase_cached(&s->rb, &l->sorted);
		INIT_LIST_HEAD(&s->node);
	} else {
		list_del_init(&s->node);
	}
	s->list = NULL;
	l->count--;
}
EXPORT_SYMBOL_IF_KUNIT(mheap_span_list_remove);

void mheap_span_list_take_all(struct mheap_span_list *dst,
			      struct mheap_span_list *src)
{
	struct mheap_span *s;

	if (WARN_ON_ONCE(dst->by_address || src->by_address))
		return;
	list_for_each_entry(s, &src->head, node)
		s->list = dst;
	list_splice_tail_init(&src->head, &dst->head);
	dst->count += src->count;
	src->count = 0;
}
EXPORT_SYMBOL_IF_KUNIT(mheap_span_list_take_all);

/* === Per-CPU caches ================================================== */

/*
 * This CPU's caches, locked.  The task stays on this CPU until
 * pcpu_unlock(), so the CPU cannot go down and have its caches drained by
 * mheap_cpu_dead() while we fill them.
 */
static struct mheap_pcpu *pcpu_lock(struct mheap *h, unsigned long *flags)
	__acquires(&pc->lock)
{
	struct mheap_pcpu *pc;

	migrate_disable();
	pc = this_cpu_ptr(h->pcpu);
	spin_lock_irqsave(&pc->lock, *flags);
	return pc;
}

static void pcpu_unlock(struct mheap_pcpu *pc, unsigned long flags)
	__releases(&pc->lock)
{
	spin_unlock_irqrestore(&pc->lock, flags);
	migrate_enable();
}

/* === Span structures ================================================= */

static struct mheap_span *span_struct_new(gfp_t gfp)
{
	struct mheap_span *s;

	if (mheap_should_fail(MHEAP_FAULT_SPAN, sizeof(*s)))
		return NULL;
	s = kmem_cache_alloc(mheap_span_cachep,
			     (gfp & ~(__GFP_ZERO | __GFP_HIGHMEM)) | __GFP_NOWARN);
	if (s) {
		s->state = MHEAP_SPAN_DEAD;
		s->list = NULL;
		INIT_LIST_HEAD(&s->node);
	}
	return s;
}

/* Carve @npages from @pc's 64-page block, refilling it once it is empty. */
static unsigned long pcache_alloc_locked(struct mheap *h,
					 struct mheap_pcpu *pc,
					 unsigned long npages)
{
	unsigned long lpage = palloc_cache_alloc(&pc->pcache, npages);

	if (lpage == PALLOC_NONE && !pc->pcache.cache) {
		spin_lock(&h->lock);
		if (!palloc_cache_fill(&h->pages, &pc->pcache)) {
			mheap_count(h, MHEAP_CNT_PCACHE_FILLS);
			lpage = palloc_cache_alloc(&pc->pcache, npages);
		}
		spin_unlock(&h->lock);
	}
	if (lpage != PALLOC_NONE)
		mheap_count(h, MHEAP_CNT_PCACHE_ALLOCS);
	return lpage;
}

/*
 * @npages pages under @pc's lock: up to %MHEAP_PCACHE_MAX_PAGES from the
 * CPU's block, else (or when the block has no fit) from the page
 * allocator, whose lock nests inside.
 */
static unsigned long pcpu_pages_locked(struct mheap *h, struct mheap_pcpu *pc,
				       unsigned long npages)
{
	unsigned long lpage = PALLOC_NONE;

	if (npages <= MHEAP_PCACHE_MAX_PAGES)
		lpage = pcache_alloc_locked(h, pc, npages);
	if (lpage == PALLOC_NONE) {
		spin_lock(&h->lock);
		lpage = palloc_alloc(&h->pages, npages);
		spin_unlock(&h->lock);
	}
	return lpage;
}

/*
 * A span structure and its pages: one section of the CPU's lock when it
 * has a structure ready, whatever the size (each section toggles
 * interrupts, which under TCG costs as much as the search).  *@lpage is
 * left %PALLOC_NONE when neither the block nor the page allocator has a
 * fit.
 *
 * Return: the structure, or NULL (and no pages).
 */
static struct mheap_span *pcpu_span_get(struct mheap *h, unsigned long npages,
					gfp_t gfp, unsigned long *lpage)
{
	struct mheap_span *s = NULL;
	struct mheap_pcpu *pc;
	unsigned long flags;

	*lpage = PALLOC_NONE;
	pc = pcpu_lock(h, &flags);
	if (pc->nspans) {
		s = pc->spans[--pc->nspans];
		*lpage = pcpu_pages_locked(h, pc, npages);
	}
	pcpu_unlock(pc, flags);
	if (s)
		return s;
	s = span_struct_new(gfp);
	if (s) {
		pc = pcpu_lock(h, &flags);
		*lpage = pcpu_pages_locked(h, pc, npages);
		pcpu_unlock(pc, flags);
	}
	return s;
}

/*
 * The other way, in one section: dead span @s's structure into this CPU's
 * cache, and its pages [@lpage, @lpage + @npages), up to
 * %MHEAP_PCACHE_MAX_PAGES, into the CPU's block when they lie in it (no
 * heap lock, no summary update, and the next small span reuses them);
 * @npages 0 puts only the structure.  @s may be reused as soon as the lock
 * drops, so the caller reads its fields before.  Pages the block does
 * not take go to the page allocator in the same section.
 */
static void pcpu_span_put(struct mheap *h, struct mheap_span *s,
			  unsigned long lpage, unsigned long npages)
{
	struct mheap_pcpu *pc;
	unsigned long flags;

	pc = pcpu_lock(h, &flags);
	if (npages && npages <= MHEAP_PCACHE_MAX_PAGES &&
	    palloc_cache_free(&pc->pcache, lpage, npages)) {
		mheap_count(h, MHEAP_CNT_PCACHE_FREES);
	} else if (npages) {
		spin_lock(&h->lock);
		palloc_free(&h->pages, lpage, npages);
		spin_unlock(&h->lock);
	}
	if (s && pc->nspans < MHEAP_SPAN_CACHE) {
		pc->spans[pc->nspans++] = s;
		s = NULL;
	}
	pcpu_unlock(pc, flags);
	if (s)
		kmem_cache_free(mheap_span_cachep, s);
}

/* A span structure that got no pages goes back. */
static void span_struct_put(struct mheap *h, struct mheap_span *s)
{
	pcpu_span_put(h, s, 0, 0);
}

/**
 * mheap_pcpu_drain_cpu() - give one CPU's cached pages and spans back
 * @h: heap
 * @cpu: any possible CPU, online or not
 */
void mheap_pcpu_drain_cpu(struct mheap *h, unsigned int cpu)
{
	struct mheap_pcpu *pc = per_cpu_ptr(h->pcpu, cpu);
	struct mheap_span *spans[MHEAP_SPAN_CACHE];
	unsigned long flags;
	unsigned int n, i;

	spin_lock_irqsave(&pc->lock, flags);
	spin_lock(&h->lock);
	palloc_cache_flush(&h->pages, &pc->pcache);
	spin_unlock(&h->lock);
	n = pc->nspans;
	memcpy(spans, pc->spans, n * sizeof(spans[0]));
	pc->nspans = 0;
	spin_unlock_irqrestore(&pc->lock, flags);
	for (i = 0; i < n; i++)
		kmem_cache_free(mheap_span_cachep, spans[i]);
}
EXPORT_SYMBOL_IF_KUNIT(mheap_pcpu_drain_cpu);

/**
 * mheap_pcpu_drain_all() - drain the caches of every possible CPU
 * @h: heap
 */
void mheap_pcpu_drain_all(struct mheap *h)
{
	unsigned int cpu;

	for_each_possible_cpu(cpu)
		mheap_pcpu_drain_cpu(h, cpu);
}
EXPORT_SYMBOL_IF_KUNIT(mheap_pcpu_drain_all);

/**
 * mheap_pcpu_init() - allocate a heap's per-CPU caches
 * @h: heap
 *
 * Return: 0 or a negative errno; nothing left allocated on failure.
 */
int mheap_pcpu_init(struct mheap *h)
{
	unsigned int cpu;

	if (mheap_should_fail(MHEAP_FAULT_METADATA, sizeof(struct mheap_pcpu)))
		return -ENOMEM;
	h->pcpu = alloc_percpu(struct mheap_pcpu);
	if (!h->pcpu)
		return -ENOMEM;
	for_each_possible_cpu(cpu)
		spin_lock_init(&per_cpu_ptr(h->pcpu, cpu)->lock);
	return 0;
}

/**
 * mheap_pcpu_destroy() - drain and free the per-CPU caches
 * @h: heap
 */
void mheap_pcpu_destroy(struct mheap *h)
{
	if (!h->pcpu)
		return;
	mheap_pcpu_drain_all(h);
	free_percpu(h->pcpu);
	h->pcpu = NULL;
}

/* === Allocating and freeing spans ==================================== */

/**
 * mheap_alloc_span() - allocate a span of @npages pages (Go's allocSpan)
 * @h: heap
 * @npages: number of pages, at least 1
 * @state: MHEAP_SPAN_IN_USE or MHEAP_SPAN_MANUAL
 * @gfp: allocation context; growth sleeps only if it allows
 *
 * Small requests come from the per-CPU page cache without the heap lock;
 * others search the page allocator under it, growing the heap when it has
 * no fit.  The span is fully set up (span map, pageInUse, needzero) before
 * its state is published.
 *
 * Return: the span, or NULL.
 */
struct mheap_span *mheap_alloc_span(struct mheap *h, unsigned long npages,
				    enum mheap_span_state state, gfp_t gfp)
{
	return __mheap_alloc_span(h, npages, state, gfp, true);
}

/**
 * __mheap_alloc_span() - mheap_alloc_span(), optionally without growing
 * @h: heap
 * @npages: number of pages, at least 1
 * @state: MHEAP_SPAN_IN_USE or MHEAP_SPAN_MANUAL
 * @gfp: allocation context
 * @grow: whether the heap may grow (and the reclaimer run) to find room
 *
 * Return: the span, or NULL.
 */
struct mheap_span *__mheap_alloc_span(struct mheap *h, unsigned long npages,
				      enum mheap_span_state state, gfp_t gfp,
				      bool grow)
{
	unsigned long lpage = PALLOC_NONE, flags, off;
	struct mheap_arena *arena;
	struct mheap_region *r;
	struct mheap_span *s;

	if (!npages || npages > palloc_npages(&h->pages))
		return NULL;
	s = pcpu_span_get(h, npages, gfp, &lpage);
	if (!s)
		return NULL;
	while (lpage == PALLOC_NONE && grow) {
		/* Dead spans of the last cycle first: free them, try again. */
		if (!mheap_sweep_done(h) && mheap_reclaim_scan(h, npages)) {
			spin_lock_irqsave(&h->lock, flags);
			lpage = palloc_alloc(&h->pages, npages);
			spin_unlock_irqrestore(&h->lock, flags);
			continue;
		}
		if (mheap_grow(h, npages, gfp, &lpage)) {
			span_struct_put(h, s);
			return NULL;
		}
	}
	if (lpage == PALLOC_NONE) {
		span_struct_put(h, s);
		return NULL;
	}

	r = mheap_region_of_lpage(h, lpage);
	off = lpage - r->lpage;
	s->heap = h;
	s->region = r;
	s->lpage = lpage;
	s->npages = npages;
	s->start = mheap_region_addr(r, lpage);
	s->limit = s->start + (npages << PAGE_SHIFT);
	s->elemsize = npages << PAGE_SHIFT;
	s->nelems = 1;
	s->alloc_count = 0;
	s->spanclass = 0;
	s->sweepgen = 0;
	s->specials = NULL;
	s->needzero = mheap_region_claim_zeroed(r, off, npages);

	mheap_set_spans(h, s, s);
	arena = mheap_arena_of(h, s->start);
	/* A reader that sees the pageInUse bit must see the span map too. */
	smp_mb__before_atomic();
	set_bit(mheap_arena_page(arena, s->start), arena->page_in_use);
	atomic_long_add(npages, &h->pages_in_use);
	atomic_long_inc(&h->spans_live);
	mheap_count(h, MHEAP_CNT_SPANS_ALLOCATED);
	/* Publish last: whoever reads the state sees every field above. */
	smp_store_release(&s->state, state);
	return s;
}

/**
 * mheap_free_span() - give a span's pages back (Go's freeSpanLocked), to
 *	this CPU's page cache when they lie in its block
 * @h: heap
 * @s: a live span of @h, no longer used by anyone
 */
void mheap_free_span(struct mheap *h, struct mheap_span *s)
{
	struct mheap_arena *arena = mheap_arena_of(h, s->start);
	unsigned long lpage = s->lpage, npages = s->npages;

	trace_mheap_span_free(h, s);
	/* Pairs with the acquire in mheap_span_of(): the span is going. */
	smp_store_release(&s->state, MHEAP_SPAN_DEAD);
	mheap_set_spans(h, s, NULL);
	mheap_span_poison(s);
	clear_bit(mheap_arena_page(arena, s->start), arena->page_in_use);

	pcpu_span_put(h, s, lpage, npages);
	atomic_long_sub(npages, &h->pages_in_use);
	atomic_long_dec(&h->spans_live);
	mheap_count(h, MHEAP_CNT_SPANS_FREED);
}

/**
 * mheap_free_all_spans() - free every span structure, for heap destroy
 * @h: heap no one else uses any more
 *
 * The pages are not given to the page allocator: the regions go whole.
 */
void mheap_free_all_spans(struct mheap *h)
{
	struct mheap_span *s;

	for_each_span(h, s) {
		mheap_set_spans(h, s, NULL);
		s->state = MHEAP_SPAN_DEAD;
		atomic_long_sub(s->npages, &h->pages_in_use);
		atomic_long_dec(&h->spans_live);
		kmem_cache_free(mheap_span_cachep, s);
	}
}

/* === Objects by address ============================================== */

/**
 * mheap_object_lookup() - the object of @h at an address
 * @h: heap
 * @p: the address
 * @interior: whether an address inside an object names it, as for marking;
 *	else only the object's first byte does
 * @idx: where the object's index in its span is left
 * @why: where the reason is left when @p names no live object
 *
 * The checks every entry point that takes a pointer makes: the span the
 * span map has for @p, published as an object span, an index inside it,
 * and the object's alloc bit set.  Lock-free: unless the caller owns the
 * object, the answer may be stale as soon as it is given.
 *
 * Return: the span, or NULL.
 */
struct mheap_span *mheap_object_lookup(struct mheap *h, const void *p,
				       bool interior, unsigned int *idx,
				       const char **why)
{
	return __mheap_object_lookup(h, p, interior, idx, why, false);
}
EXPORT_SYMBOL_IF_KUNIT(mheap_object_lookup);

/**
 * mheap_mark_object() - mark object @idx of @s, and its page
 * @h: heap
 * @s: live object span
 * @idx: an allocated object of @s the caller keeps from being freed
 */
void mheap_mark_object(struct mheap *h, struct mheap_span *s, unsigned int idx)
{
	if (!test_bit(idx, s->obj.gcmark_bits))
		set_bit(idx, s->obj.gcmark_bits);
	mheap_mark_page(h, s);
}

/**
 * mheap_mark_page() - note in pageMarks that @s holds a marked object
 * @h: heap
 * @s: live object span
 */
void mheap_mark_page(struct mheap *h, struct mheap_span *s)
{
	struct mheap_arena *a = mheap_arena_of(h, s->start);
	unsigned long bit = mheap_arena_page(a, s->start);

	if (!test_bit(bit, a->page_marks))
		set_bit(bit, a->page_marks);
}

/**
 * mheap_next_span() - the first live span at or after a page number
 * @h: heap
 * @lp: page number; left at the span found
 *
 * Return: the span, or NULL past the last page.
 */
struct mheap_span *mheap_next_span(struct mheap *h, unsigned long *lp)
{
	unsigned long p = *lp, npages = palloc_npages(&h->pages);

	while (p < npages) {
		struct mheap_region *r = mheap_region_of_lpage(h, p);
		struct mheap_span *s;

		if (!r) {
			p = ALIGN(p + 1, MHEAP_CHUNK_PAGES);
			continue;
		}
		s = mheap_span_of(h, (void *)mheap_region_addr(r, p));
		if (s && s->lpage == p) {
			*lp = p;
			return s;
		}
		/* A span reused under us must not send the walk backwards. */
		p = s ? max(p + 1, s->lpage + s->npages) : p + 1;
	}
	return NULL;
}

/* === Manual spans (public) =========================================== */

/**
 * mheap_alloc_manual() - allocate whole pages outside any size class
 * @h: heap
 * @npages: number of pages, at least 1
 * @gfp: %GFP_KERNEL may sleep to grow the heap; %GFP_ATOMIC and
 *	%GFP_NOWAIT never sleep and fail when growth would need to.
 *	%__GFP_ZERO returns zeroed memory (pages fresh from the kernel are
 *	not zeroed twice); init_on_alloc is honoured the same way.
 *
 * The memory is page-aligned and virtually contiguous; mheap_span_base()
 * gives its address.  This is Go's allocManual.
 *
 * Context: any context the @gfp allows.
 * Return: the span describing the memory, or NULL.
 */
struct mheap_span *mheap_alloc_manual(struct mheap *h, unsigned long npages,
				      gfp_t gfp)
{
	struct mheap_span *s;

	might_alloc(gfp);
	s = mheap_alloc_span(h, npages, MHEAP_SPAN_MANUAL, gfp);
	if (!s)
		return NULL;
	trace_mheap_span_alloc(h, s, true);
	mheap_span_unpoison(s);
	if (s->needzero && want_init_on_alloc(gfp)) {
		memset((void *)s->start, 0, npages << PAGE_SHIFT);
		mheap_count_add(h, MHEAP_CNT_PAGES_ZEROED, npages);
	}
	return s;
}
EXPORT_SYMBOL_GPL(mheap_alloc_manual);

/**
 * mheap_free_manual() - free pages from mheap_alloc_manual()
 * @h: heap they came from
 * @s: the span; NULL is ignored
 *
 * A span that is not a live manual span of @h is refused: it is counted
 * in the bad_frees statistic, reported (rate-limited) in the kernel log,
 * and nothing is freed.
 *
 * Context: any context.
 */
void mheap_free_manual(struct mheap *h, struct mheap_span *s)
{
	u8 state;

	if (!s)
		return;
	/* The acquire pairs with the release that published the span. */
	state = smp_load_acquire(&s->state);
	if (READ_ONCE(s->heap) != h || state != MHEAP_SPAN_MANUAL ||
	    mheap_span_of(h, (void *)s->start) != s ||
	    /* Claim it: of two racing frees, one wins. */
	    cmpxchg(&s->state, MHEAP_SPAN_MANUAL, MHEAP_SPAN_DEAD) !=
	    MHEAP_SPAN_MANUAL) {
		mheap_count(h, MHEAP_CNT_BAD_FREES);
		trace_mheap_bad_free(h, "not a live manual span of this heap");
		pr_err_ratelimited("%s: bad free of span %p\n", h->name, s);
		return;
	}
	mheap_free_span(h, s);
}
EXPORT_SYMBOL_GPL(mheap_free_manual);

/**
 * mheap_span_base() - first address of a span's memory
 * @s: span
 *
 * Return: the page-aligned start of the span.
 */
void *mheap_span_base(const struct mheap_span *s)
{
	return (void *)s->start;
}
EXPORT_SYMBOL_GPL(mheap_span_base);

/**
 * mheap_span_npages() - size of a span
 * @s: span
 *
 * Return: the number of pages in the span.
 */
unsigned long mheap_span_npages(const struct mheap_span *s)
{
	return s->npages;
}
EXPORT_SYMBOL_GPL(mheap_span_npages);

/* === Module set-up =================================================== */

int mheap_span_cache_init(void)
{
	mheap_span_cachep = kmem_cache_create("mheap_span",
					      sizeof(struct mheap_span), 0,
					      SLAB_TYPESAFE_BY_RCU, NULL);
	return mheap_span_cachep ? 0 : -ENOMEM;
}

void mheap_span_cache_exit(void)
{
	/* Span structures are RCU-typesafe: let readers finish first. */
	rcu_barrier();
	kmem_cache_destroy(mheap_span_cachep);
}
