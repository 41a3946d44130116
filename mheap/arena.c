// SPDX-License-Identifier: GPL-2.0
/*
 * Regions, arenas and the arena index.
 *
 * A heap's memory lives in regions: virtually contiguous runs of whole
 * chunks (512 pages), each either one high-order buddy block seen through
 * the direct map or order-0 pages joined by vmap().  A module cannot edit
 * single kernel PTEs, so a region is mapped and unmapped whole.
 *
 * The page allocator (palloc.c) works in the heap's own page-number space.
 * Each region takes a run of chunks there, with at least one absent chunk
 * on either side, so no run of free pages can straddle two regions whose
 * addresses are unrelated.  chunk_region[] maps a chunk back to its region.
 *
 * Arenas describe the kernel address space in 64 MiB windows, like Go's
 * heapArena: a page -> span map, and the pageInUse, pageMarks and
 * pageSpecials bitmaps.  A two-level index over the kernel half of the
 * address space finds the arena of any address in O(1); addresses outside
 * the heap, including those of regions that have left, find no span.
 *
 *   address --l1--> [4096 arenas] --l2--> arena --window--> [512 spans]
 */
#define pr_fmt(fmt) "mheap: " fmt

#include <linux/err.h>
#include <linux/ktime.h>
#include <linux/gfp.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>
#include <kunit/visibility.h>
#include "internal.h"
#include <trace/events/mheap.h>

/* === Geometry helpers ================================================ */

static unsigned int mheap_va_bits(void)
{
#ifdef __VIRTUAL_MASK_SHIFT
	return __VIRTUAL_MASK_SHIFT;
#else
	return 48;
#endif
}

/* Only what the page allocator understands of a caller's gfp mask. */
static gfp_t meta_gfp(gfp_t gfp)
{
	return (gfp & (__GFP_RECLAIM | __GFP_IO | __GFP_FS | __GFP_HIGH |
		       __GFP_NORETRY | __GFP_RETRY_MAYFAIL)) | __GFP_NOWARN;
}

/* Metadata allocations, each a site of the fail_metadata attribute. */
static void *meta_kcalloc(size_t n, size_t size, gfp_t gfp)
{
	if (mheap_should_fail(MHEAP_FAULT_METADATA, array_size(n, size)))
		return NULL;
	return kcalloc(n, size, gfp);
}

static void *meta_kzalloc(size_t size, gfp_t gfp)
{
	return meta_kcalloc(1, size, gfp);
}

static void *meta_kvcalloc(size_t n, size_t size, gfp_t gfp)
{
	if (mheap_should_fail(MHEAP_FAULT_METADATA, array_size(n, size)))
		return NULL;
	return kvcalloc(n, size, gfp);
}

/* === Arena index ===================================================== */

/**
 * mheap_arena_of() - the arena describing an address
 * @h: heap
 * @addr: any address
 *
 * Lockless; arenas are never freed before their heap.
 *
 * Return: the arena, or NULL if the heap never mapped anything there.
 */
struct mheap_arena *mheap_arena_of(struct mheap *h, unsigned long addr)
{
	return __mheap_arena_of(h, addr);
}
EXPORT_SYMBOL_IF_KUNIT(mheap_arena_of);

/**
 * mheap_next_arena() - the first arena at or after an index position
 * @h: heap
 * @pos: position in the two-level index; left at the arena found
 *
 * Return: the arena, or NULL past the last one.
 */
struct mheap_arena *mheap_next_arena(struct mheap *h, unsigned long *pos)
{
	unsigned long i = *pos >> MHEAP_L2_BITS, j = *pos & (MHEAP_L2_ENTRIES - 1);

	for (; i < h->l1_entries; i++, j = 0) {
		/* Pairs with the release stores publishing the index. */
		struct mheap_arena **l2 = smp_load_acquire(&h->l1[i]);

		for (; l2 && j < MHEAP_L2_ENTRIES; j++) {
			/* As above: an arena is fully set up once seen. */
			struct mheap_arena *a = smp_load_acquire(&l2[j]);

			if (a) {
				*pos = (i << MHEAP_L2_BITS) | j;
				return a;
			}
		}
	}
	return NULL;
}

/**
 * mheap_span_of() - the span holding an address (Go's spanOf)
 * @h: heap
 * @addr: any address, inside the heap or not
 *
 * Safe on every address: one outside any region of @h, in a free page, or
 * in a region that has been released gives NULL.  The caller must keep the
 * span alive (own it, or own an object in it) to use the result.
 *
 * Context: any context.
 * Return: the in-use or manual span whose pages contain @addr, or NULL.
 */
struct mheap_span *mheap_span_of(struct mheap *h, const void *addr)
{
	return __mheap_span_of(h, addr, false);
}
EXPORT_SYMBOL_GPL(mheap_span_of);

/**
 * mheap_set_spans() - point the span map of a span's pages at @val
 * @h: heap
 * @s: span whose pages to cover
 * @val: @s when the span is born, NULL when it dies
 *
 * The caller owns the pages, so their region and its maps stay put.
 */
void mheap_set_spans(struct mheap *h, struct mheap_span *s,
		     struct mheap_span *val)
{
	unsigned long addr = s->start, end = s->start + (s->npages << PAGE_SHIFT);
	struct mheap_span **map = NULL;
	struct mheap_arena *arena;

	for (; addr < end; addr += PAGE_SIZE) {
		if (!map || !mheap_window_page(addr)) {
			arena = mheap_arena_of(h, addr);
			if (WARN_ON_ONCE(!arena))
				return;
			map = rcu_dereference_protected(arena->spans[mheap_window_of(addr)],
							true);
			if (WARN_ON_ONCE(!map))
				return;
		}
		WRITE_ONCE(map[mheap_window_page(addr)], val);
	}
}

/**
 * mheap_region_of_lpage() - the region holding a page number
 * @h: heap
 * @lpage: page in the heap's page-number space, owned by the caller
 *
 * Return: the region, or NULL for a chunk no region maps; stable while the
 * caller owns the page or holds grow_lock.  Under RCU its fields can be
 * read: a released region leaves chunk_region[] before the grace period
 * after which mheap_release_regions() frees it.
 */
struct mheap_region *mheap_region_of_lpage(struct mheap *h, unsigned long lpage)
{
	/* Pairs with the release in mheap_grow(): r's fields are set. */
	return smp_load_acquire(&h->chunk_region[lpage >> PALLOC_CHUNK_SHIFT]);
}

/**
 * mheap_region_claim_zeroed() - hand pages of a region out, learn if dirty
 * @r: region
 * @off: first page, as an offset into the region
 * @npages: number of pages
 *
 * Moves the region's zeroed mark past the pages (Go's allocNeedsZero).
 *
 * Return: true if some of the pages may hold old data.
 */
bool mheap_region_claim_zeroed(struct mheap_region *r, unsigned long off,
			       unsigned long npages)
{
	unsigned long end = off + npages, old = READ_ONCE(r->zeroed), prev;

	while (end > old) {
		prev = cmpxchg(&r->zeroed, old, end);
		if (prev == old)
			break;
		old = prev;
	}
	return off < old;
}

/* === Regions ========================================================= */

static void region_unmap(struct mheap_region *r)
{
	unsigned long i;

	if (r->map == MHEAP_MAP_DIRECT) {
		__free_pages(r->block, get_order(r->npages << PAGE_SHIFT));
		return;
	}
	vunmap((void *)r->base);
	for (i = 0; i < r->npages; i++)
		__free_page(r->pages[i]);
	kvfree(r->pages);
}

static int region_map_direct(struct mheap_region *r, gfp_t gfp, bool try_hard)
{
	unsigned int order = get_order(r->npages << PAGE_SHIFT);

	if (order > MAX_PAGE_ORDER)
		return -ENOMEM;
	if (!try_hard)
		gfp = (gfp | __GFP_NORETRY) & ~__GFP_DIRECT_RECLAIM;
	if (mheap_should_fail(MHEAP_FAULT_GROW, r->npages << PAGE_SHIFT))
		return -ENOMEM;
	r->block = alloc_pages(gfp | __GFP_ZERO | __GFP_NOWARN, order);
	if (!r->block)
		return -ENOMEM;
	r->map = MHEAP_MAP_DIRECT;
	r->base = (unsigned long)page_address(r->block);
	return 0;
}

static int region_map_vmap(struct mheap_region *r, gfp_t gfp)
{
	unsigned long i;
	void *addr;

	/* vmap() sleeps: an atomic caller gets only direct-map chunks. */
	if (!gfpflags_allow_blocking(gfp))
		return -EAGAIN;
	r->pages = meta_kvcalloc(r->npages, sizeof(*r->pages), GFP_KERNEL);
	if (!r->pages)
		return -ENOMEM;
	for (i = 0; i < r->npages; i++) {
		if (mheap_should_fail(MHEAP_FAULT_GROW, PAGE_SIZE))
			goto fail;
		r->pages[i] = alloc_page(gfp | __GFP_ZERO | __GFP_NOWARN);
		if (!r->pages[i])
			goto fail;
	}
	if (mheap_should_fail(MHEAP_FAULT_MAP, r->npages << PAGE_SHIFT))
		goto fail;
	addr = vmap(r->pages, r->npages, VM_MAP, PAGE_KERNEL);
	if (!addr)
		goto fail;
	r->map = MHEAP_MAP_VMAP;
	r->base = (unsigned long)addr;
	return 0;
fail:
	while (i--)
		__free_page(r->pages[i]);
	kvfree(r->pages);
	r->pages = NULL;
	return -ENOMEM;
}

/* Allocate and map a region of @nchunks chunks, zeroed.  No lock held. */
static struct mheap_region *region_create(struct mheap *h, unsigned long nchunks,
					  gfp_t gfp)
{
	unsigned int kind = h->params.region_kind;
	struct mheap_region *r;
	int err = -ENOMEM;

	r = meta_kzalloc(sizeof(*r), meta_gfp(gfp));
	if (!r)
		return ERR_PTR(-ENOMEM);
	r->npages = nchunks * MHEAP_CHUNK_PAGES;
	INIT_LIST_HEAD(&r->node);

	if (kind == MHEAP_REGION_DIRECT ||
	    (kind == MHEAP_REGION_AUTO && nchunks == 1)) {
		err = region_map_direct(r, gfp, kind == MHEAP_REGION_DIRECT);
		if (!err) {
			mheap_count(h, MHEAP_CNT_REGIONS_DIRECT);
			return r;
		}
		if (kind == MHEAP_REGION_DIRECT)
			goto fail;
		mheap_count(h, MHEAP_CNT_DIRECT_FALLBACKS);
	}
	err = region_map_vmap(r, gfp);
	if (!err) {
		mheap_count(h, MHEAP_CNT_REGIONS_VMAP);
		return r;
	}
fail:
	kfree(r);
	return ERR_PTR(err);
}

/*
 * Metadata a region may need, allocated before taking the heap lock:
 * arenas and second-level index arrays for every arena it touches, a page
 * map for every 2 MiB window, leaf bitmaps for every chunk.  What is not
 * used because it already exists is freed afterwards.
 */
struct region_spares {
	unsigned long nwin, narenas;
	struct mheap_span ***maps;
	struct mheap_arena **arenas;
	struct mheap_arena ***l2s;
	struct palloc_chunk **chunks;
};

static void spares_free(struct region_spares *sp, unsigned long nchunks)
{
	unsigned long i;

	for (i = 0; sp->maps && i < sp->nwin; i++)
		kfree(sp->maps[i]);
	for (i = 0; sp->arenas && i < sp->narenas; i++)
		kfree(sp->arenas[i]);
	for (i = 0; sp->l2s && i < sp->narenas; i++)
		kfree(sp->l2s[i]);
	for (i = 0; sp->chunks && i < nchunks; i++)
		kfree(sp->chunks[i]);
	kfree(sp->maps);
	kfree(sp->arenas);
	kfree(sp->l2s);
	kfree(sp->chunks);
}

static int spares_alloc(struct mheap *h, struct region_spares *sp,
			struct mheap_region *r, gfp_t gfp)
{
	unsigned long first = r->base, last = r->base + (r->npages << PAGE_SHIFT) - 1;
	unsigned long nchunks = r->npages / MHEAP_CHUNK_PAGES, i;
	gfp_t mgfp = meta_gfp(gfp);

	sp->nwin = (last >> MHEAP_CHUNK_SHIFT) - (first >> MHEAP_CHUNK_SHIFT) + 1;
	sp->narenas = (last >> MHEAP_ARENA_SHIFT) - (first >> MHEAP_ARENA_SHIFT) + 1;
	sp->maps = meta_kcalloc(sp->nwin, sizeof(*sp->maps), mgfp);
	sp->arenas = meta_kcalloc(sp->narenas, sizeof(*sp->arenas), mgfp);
	sp->l2s = meta_kcalloc(sp->narenas, sizeof(*sp->l2s), mgfp);
	sp->chunks = meta_kcalloc(nchunks, sizeof(*sp->chunks), mgfp);
	if (!sp->maps || !sp->arenas || !sp->l2s || !sp->chunks)
		return -ENOMEM;
	for (i = 0; i < sp->nwin; i++) {
		sp->maps[i] = meta_kcalloc(MHEAP_CHUNK_PAGES, sizeof(**sp->maps),
					   mgfp);
		if (!sp->maps[i])
			return -ENOMEM;
	}
	for (i = 0; i < sp->narenas; i++) {
		unsigned long addr = first + (i << MHEAP_ARENA_SHIFT);

		/* Arenas and index arrays are never freed: presence is stable. */
		if (mheap_arena_of(h, addr))
			continue;
		sp->arenas[i] = meta_kzalloc(sizeof(*sp->arenas[i]), mgfp);
		if (!sp->arenas[i])
			return -ENOMEM;
		/* Pairs with the release store installing the L2 array. */
		if (smp_load_acquire(&h->l1[mheap_arena_key(h, addr) >> MHEAP_L2_BITS]))
			continue;
		sp->l2s[i] = meta_kcalloc(MHEAP_L2_ENTRIES, sizeof(**sp->l2s),
					  mgfp);
		if (!sp->l2s[i])
			return -ENOMEM;
	}
	for (i = 0; i < nchunks; i++) {
		sp->chunks[i] = meta_kzalloc(sizeof(*sp->chunks[i]), mgfp);
		if (!sp->chunks[i])
			return -ENOMEM;
	}
	return 0;
}

/* Install arenas and page maps for @r.  Caller holds h->lock. */
static void region_link_arenas(struct mheap *h, struct mheap_region *r,
			       struct region_spares *sp)
{
	unsigned long addr = r->base, end = r->base + (r->npages << PAGE_SHIFT);
	unsigned long first_arena = r->base >> MHEAP_ARENA_SHIFT;
	unsigned long first_win = r->base >> MHEAP_CHUNK_SHIFT;

	lockdep_assert_held(&h->lock);
	while (addr < end) {
		unsigned long key = mheap_arena_key(h, addr);
		unsigned long ai = (addr >> MHEAP_ARENA_SHIFT) - first_arena;
		unsigned long wi = (addr >> MHEAP_CHUNK_SHIFT) - first_win;
		unsigned long wend = min(end, ALIGN(addr + 1, MHEAP_CHUNK_BYTES));
		struct mheap_arena **l2 = h->l1[key >> MHEAP_L2_BITS];
		struct mheap_arena *arena;
		unsigned int w = mheap_window_of(addr);

		if (!l2) {
			l2 = sp->l2s[ai];
			sp->l2s[ai] = NULL;
			/* Lockless readers must see the zeroed array. */
			smp_store_release(&h->l1[key >> MHEAP_L2_BITS], l2);
		}
		arena = l2[key & (MHEAP_L2_ENTRIES - 1)];
		if (!arena) {
			arena = sp->arenas[ai];
			sp->arenas[ai] = NULL;
			arena->base = addr & ~(MHEAP_ARENA_BYTES - 1);
			/* Lockless readers must see base and the bitmaps. */
			smp_store_release(&l2[key & (MHEAP_L2_ENTRIES - 1)], arena);
		}
		if (!rcu_access_pointer(arena->spans[w])) {
			rcu_assign_pointer(arena->spans[w], sp->maps[wi]);
			sp->maps[wi] = NULL;
		}
		arena->window_pages[w] += (wend - addr) >> PAGE_SHIFT;
		arena->npages += (wend - addr) >> PAGE_SHIFT;
		addr = wend;
	}
}

/*
 * Undo region_link_arenas(); page maps left empty are handed back through
 * @dead (up to @ndead of them) for the caller to free after a grace period.
 * Caller holds h->lock.
 */
static unsigned long region_unlink_arenas(struct mheap *h,
					  struct mheap_region *r,
					  struct mheap_span ***dead)
{
	unsigned long addr = r->base, end = r->base + (r->npages << PAGE_SHIFT);
	unsigned long n = 0;

	lockdep_assert_held(&h->lock);
	while (addr < end) {
		unsigned long wend = min(end, ALIGN(addr + 1, MHEAP_CHUNK_BYTES));
		unsigned long np = (wend - addr) >> PAGE_SHIFT;
		struct mheap_arena *arena = mheap_arena_of(h, addr);
		unsigned int w = mheap_window_of(addr);

		arena->window_pages[w] -= np;
		arena->npages -= np;
		if (!arena->window_pages[w]) {
			dead[n++] = rcu_dereference_protected(arena->spans[w],
							      lockdep_is_held(&h->lock));
			RCU_INIT_POINTER(arena->spans[w], NULL);
		}
		addr = wend;
	}
	return n;
}

/* Mapped pages, read without mheap.lock. */
static unsigned long committed_pages(struct mheap *h)
{
	/*
	 * palloc.c (pure code, also built in userspace) updates the count
	 * under mheap.lock; a value a moment old is what every caller can
	 * live with (limits, pacing, statistics).
	 */
	return data_race(READ_ONCE(h->pages.pages_present));
}

/**
 * mheap_grow() - add a region of at least @npages pages to the heap
 * @h: heap
 * @npages: pages the caller needs in one run
 * @gfp: the caller's allocation context
 * @lpage: if not NULL, @npages pages are allocated for the caller under
 *	the same lock hold that adds the region, and their first page number
 *	stored here, so no scavenger can release the region in between
 *
 * Maps a new region (one chunk from the direct map when the heap's region
 * kind allows and a block is free, else a vmap region; an atomic @gfp
 * only ever gets direct-map chunks), builds its metadata and gives its
 * chunks to the page allocator.
 *
 * Context: any context the @gfp allows.  No heap lock held.
 * Over the heap's soft memory limit, a caller that may sleep first gives
 * free regions back; growth that would still pass the limit fails.
 *
 * Return: 0, -ENOMEM when memory, page-number space or the memory limit
 * ran out, -EAGAIN when only a sleeping allocation could have grown it.
 */
int mheap_grow(struct mheap *h, unsigned long npages, gfp_t gfp,
	       unsigned long *lpage)
{
	unsigned long nchunks = DIV_ROUND_UP(npages, MHEAP_CHUNK_PAGES);
	unsigned long hole, flags, i, limit = READ_ONCE(h->limit_pages);
	unsigned int scope = 0;
	struct region_spares sp = {};
	struct mheap_region *r, *pos;
	int err;

	/*
	 * Over the soft limit: give free regions back first (scavenge
	 * assist, as Go's allocSpan scavenges the page heap), if the caller
	 * may sleep and enter the fs and block layer, as unmapping may.  What
	 * the caches above the page heap hold stays there.
	 */
	if (limit && committed_pages(h) + nchunks * MHEAP_CHUNK_PAGES > limit) {
		if (gfpflags_allow_blocking(gfp) &&
		    (gfp & (__GFP_FS | __GFP_IO)) == (__GFP_FS | __GFP_IO))
			mheap_release_regions(h, committed_pages(h) +
					      nchunks * MHEAP_CHUNK_PAGES - limit,
					      MHEAP_SRC_ASSIST, true);
		if (committed_pages(h) + nchunks * MHEAP_CHUNK_PAGES > limit) {
			mheap_count(h, MHEAP_CNT_LIMIT_FAILS);
			trace_mheap_limit_fail(h, nchunks * MHEAP_CHUNK_PAGES);
			err = -ENOMEM;
			goto out_count;
		}
	}

	/*
	 * No room in the page-number space: fail before mapping anything
	 * (checked again under the lock below, where it counts).
	 */
	spin_lock_irqsave(&h->lock, flags);
	hole = palloc_find_hole(&h->pages, nchunks);
	spin_unlock_irqrestore(&h->lock, flags);
	if (hole == PALLOC_NONE) {
		err = -ENOMEM;
		goto out_count;
	}

	/* vmap() allocates with GFP_KERNEL: scope a NOIO/NOFS caller's rule. */
	if (!(gfp & __GFP_IO))
		scope = memalloc_noio_save();
	else if (!(gfp & __GFP_FS))
		scope = memalloc_nofs_save();
	r = region_create(h, nchunks, gfp);
	if (!(gfp & __GFP_IO))
		memalloc_noio_restore(scope);
	else if (!(gfp & __GFP_FS))
		memalloc_nofs_restore(scope);
	if (IS_ERR(r)) {
		err = PTR_ERR(r);
		goto out_count;
	}
	err = spares_alloc(h, &sp, r, gfp);
	if (err)
		goto out_unmap;

	spin_lock_irqsave(&h->lock, flags);
	hole = palloc_find_hole(&h->pages, nchunks);
	if (hole == PALLOC_NONE) {
		spin_unlock_irqrestore(&h->lock, flags);
		err = -ENOMEM;
		goto out_unmap;
	}
	r->lpage = hole << PALLOC_CHUNK_SHIFT;
	region_link_arenas(h, r, &sp);
	for (i = 0; i < nchunks; i++) {
		/* Pairs with the acquire in mheap_region_of_lpage(). */
		smp_store_release(&h->chunk_region[hole + i], r);
	}
	err = palloc_grow(&h->pages, hole, nchunks, sp.chunks);
	WARN_ON_ONCE(err);
	if (lpage)
		*lpage = palloc_alloc(&h->pages, npages);
	for (i = 0; i < nchunks; i++)
		sp.chunks[i] = NULL;
	/* Keep the list in page-number order: release walks it from the top. */
	list_for_each_entry(pos, &h->regions, node) {
		if (pos->lpage > r->lpage)
			break;
	}
	list_add_tail(&r->node, &pos->node);
	h->nregions++;
	/* Under the lock: once it is dropped the region may be released. */
	trace_mheap_region_map(h, r);
	spin_unlock_irqrestore(&h->lock, flags);

	spares_free(&sp, nchunks);
	mheap_count(h, MHEAP_CNT_GROWS);
	mheap_count_add(h, MHEAP_CNT_PAGES_GROWN, nchunks * MHEAP_CHUNK_PAGES);
	return 0;

out_unmap:
	spares_free(&sp, nchunks);
	region_unmap(r);
	kfree(r);
out_count:
	mheap_count(h, MHEAP_CNT_GROW_FAILS);
	return err;
}

static void region_free(struct mheap_region *r, struct palloc_chunk **chunks,
			unsigned long nchunks)
{
	unsigned long i;

	for (i = 0; i < nchunks; i++)
		kfree(chunks[i]);
	region_unmap(r);
	kfree(r);
}

/* Caller holds h->lock.  The highest region with no page in use, or NULL. */
static struct mheap_region *free_region_locked(struct mheap *h)
{
	struct mheap_region *r;
	unsigned long i, lchunk;

	lockdep_assert_held(&h->lock);
	list_for_each_entry_reverse(r, &h->regions, node) {
		lchunk = r->lpage >> PALLOC_CHUNK_SHIFT;
		for (i = 0; i < r->npages / MHEAP_CHUNK_PAGES; i++) {
			if (!palloc_chunk_free(&h->pages, lchunk + i))
				break;
		}
		if (i == r->npages / MHEAP_CHUNK_PAGES)
			return r;
	}
	return NULL;
}

/**
 * mheap_releasable_pages() - pages of regions with no page in use
 * @h: heap
 *
 * Pages parked in per-CPU caches count as in use here.
 *
 * Return: what mheap_release_regions() could give back right now, in pages.
 */
unsigned long mheap_releasable_pages(struct mheap *h)
{
	unsigned long flags, n = 0, i, lchunk;
	struct mheap_region *r;

	spin_lock_irqsave(&h->lock, flags);
	list_for_each_entry(r, &h->regions, node) {
		lchunk = r->lpage >> PALLOC_CHUNK_SHIFT;
		for (i = 0; i < r->npages / MHEAP_CHUNK_PAGES; i++) {
			if (!palloc_chunk_free(&h->pages, lchunk + i))
				break;
		}
		if (i == r->npages / MHEAP_CHUNK_PAGES)
			n += r->npages;
	}
	spin_unlock_irqrestore(&h->lock, flags);
	return n;
}
EXPORT_SYMBOL_IF_KUNIT(mheap_releasable_pages);

/* A region taken out of the heap, waiting for a grace period to go. */
struct release_item {
	struct list_head node;
	struct mheap_region *r;
	struct palloc_chunk **chunks;
	struct mheap_span ***dead;
	unsigned long nchunks;
	unsigned long ndead;
};

/* Unlink one free region under the lock; false if it is no longer free. */
static bool region_take(struct mheap *h, struct mheap_region *r,
			struct palloc_chunk **chunks, struct mheap_span ***dead,
			unsigned long *ndead)
{
	unsigned long nchunks = r->npages / MHEAP_CHUNK_PAGES;
	unsigned long lchunk = r->lpage >> PALLOC_CHUNK_SHIFT, flags, i;

	spin_lock_irqsave(&h->lock, flags);
	/* Nobody else shrinks (grow_lock); allocators may have come. */
	if (palloc_shrink(&h->pages, lchunk, nchunks, chunks)) {
		spin_unlock_irqrestore(&h->lock, flags);
		return false;
	}
	for (i = 0; i < nchunks; i++)
		WRITE_ONCE(h->chunk_region[lchunk + i], NULL);
	list_del(&r->node);
	h->nregions--;
	*ndead = region_unlink_arenas(h, r, dead);
	spin_unlock_irqrestore(&h->lock, flags);
	return true;
}

/**
 * mheap_release_regions() - give regions with no page in use to the kernel
 * @h: heap
 * @max_pages: stop once this many pages are released (ULONG_MAX: all)
 * @src: who asks, for the statistics
 * @try: give up rather than wait for another release in progress
 *
 * Regions go highest first, whole, so the last one may take the total
 * past @max_pages.  They are unmapped and their pages go back to the
 * buddy allocator; their addresses stop resolving to spans.  Pages that
 * caches above the page heap hold count as in use: mheap_trim() empties
 * those caches first.
 *
 * Context: process context, may sleep.
 * Return: number of pages released.
 */
unsigned long mheap_release_regions(struct mheap *h, unsigned long max_pages,
				    enum mheap_release_src src, bool try)
{
	struct release_item *it, *tmp;
	unsigned long released = 0;
	u64 t0 = ktime_get_ns();
	LIST_HEAD(taken);
	bool nomem;

	might_sleep();
	if (try) {
		if (!mutex_trylock(&h->grow_lock))
			return 0;
	} else {
		mutex_lock(&h->grow_lock);
	}
	while (released < max_pages) {
		unsigned long irqflags;
		struct mheap_region *victim;

		spin_lock_irqsave(&h->lock, irqflags);
		victim = free_region_locked(h);
		spin_unlock_irqrestore(&h->lock, irqflags);
		if (!victim)
			break;

		/* Room for the leaf bitmaps and page maps it gives back. */
		it = meta_kzalloc(sizeof(*it), GFP_KERNEL);
		if (!it)
			break;
		it->nchunks = victim->npages / MHEAP_CHUNK_PAGES;
		it->chunks = meta_kcalloc(it->nchunks, sizeof(*it->chunks),
					  GFP_KERNEL);
		it->dead = meta_kcalloc(it->nchunks + 1, sizeof(*it->dead),
					GFP_KERNEL);
		nomem = !it->chunks || !it->dead;
		if (nomem ||
		    !region_take(h, victim, it->chunks, it->dead, &it->ndead)) {
			kfree(it->chunks);
			kfree(it->dead);
			kfree(it);
			if (nomem)
				break;
			continue;
		}
		it->r = victim;
		list_add_tail(&it->node, &taken);
		released += victim->npages;
	}
	mutex_unlock(&h->grow_lock);

	/* Lockless mheap_span_of() may still walk the old maps: one wait. */
	if (!list_empty(&taken))
		synchronize_rcu();
	list_for_each_entry_safe(it, tmp, &taken, node) {
		unsigned long i, npages = it->r->npages;

		for (i = 0; i < it->ndead; i++)
			kfree(it->dead[i]);
		mheap_count_add(h, MHEAP_CNT_PAGES_RELEASED, npages);
		atomic_long_add(npages, &h->released_by[src]);
		mheap_count(h, MHEAP_CNT_REGIONS_RELEASED);
		trace_mheap_region_release(h, it->r);
		region_free(it->r, it->chunks, it->nchunks);
		kfree(it->chunks);
		kfree(it->dead);
		kfree(it);
	}
	atomic64_add(ktime_get_ns() - t0, &h->release_ns);
	trace_mheap_scavenge(h, src, max_pages, released);
	return released;
}
EXPORT_SYMBOL_IF_KUNIT(mheap_release_regions);

/* === Heap-level set-up =============================================== */

/**
 * mheap_arena_init() - allocate the page allocator and the arena index
 * @h: heap with params filled in
 *
 * Return: 0 or -ENOMEM; on failure nothing is left allocated.
 */
int mheap_arena_init(struct mheap *h)
{
	unsigned long space = h->params.max_bytes >> PAGE_SHIFT;
	unsigned long nchunks, lvl;
	u64 *sum[PALLOC_LEVELS] = {};
	struct palloc_chunk **chunks;
	int err = -ENOMEM;

	nchunks = DIV_ROUND_UP(space, MHEAP_CHUNK_PAGES);
	nchunks = roundup(max(nchunks, 1UL), PALLOC_ROOT_CHUNKS);

	h->va_bits = mheap_va_bits();
	h->l1_entries = BIT(h->va_bits - MHEAP_ARENA_SHIFT - MHEAP_L2_BITS);
	h->l1 = meta_kvcalloc(h->l1_entries, sizeof(*h->l1), GFP_KERNEL);
	chunks = meta_kvcalloc(nchunks, sizeof(*chunks), GFP_KERNEL);
	h->chunk_region = meta_kvcalloc(nchunks, sizeof(*h->chunk_region),
					GFP_KERNEL);
	if (!h->l1 || !chunks || !h->chunk_region)
		goto fail;
	for (lvl = 0; lvl < PALLOC_LEVELS; lvl++) {
		sum[lvl] = meta_kvcalloc(palloc_sum_len(nchunks, lvl),
					 sizeof(u64), GFP_KERNEL);
		if (!sum[lvl])
			goto fail;
	}
	err = palloc_init(&h->pages, nchunks, sum, chunks);
	if (err)
		goto fail;
	INIT_LIST_HEAD(&h->regions);
	return 0;

fail:
	for (lvl = 0; lvl < PALLOC_LEVELS; lvl++)
		kvfree(sum[lvl]);
	kvfree(chunks);
	kvfree(h->chunk_region);
	kvfree(h->l1);
	h->l1 = NULL;
	h->chunk_region = NULL;
	return err;
}

/**
 * mheap_arena_destroy() - unmap every region and free all metadata
 * @h: heap; every span structure must already be gone.
 *
 * Pages still allocated to spans are returned too: destroy does not
 * require the heap to be empty.
 */
void mheap_arena_destroy(struct mheap *h)
{
	struct mheap_region *r, *tmp;
	unsigned long i, lvl;
	struct mheap_arena *a;
	unsigned int w;

	list_for_each_entry_safe(r, tmp, &h->regions, node) {
		unsigned long lchunk = r->lpage >> PALLOC_CHUNK_SHIFT;

		for (i = 0; i < r->npages / MHEAP_CHUNK_PAGES; i++)
			kfree(h->pages.chunks[lchunk + i]);
		list_del(&r->node);
		region_unmap(r);
		kfree(r);
	}
	for_each_arena(h, a) {
		for (w = 0; w < MHEAP_ARENA_WINDOWS; w++)
			kfree(rcu_dereference_protected(a->spans[w], true));
		kfree(a);
	}
	for (i = 0; i < h->l1_entries; i++)
		kfree(h->l1[i]);
	for (lvl = 0; lvl < PALLOC_LEVELS; lvl++)
		kvfree(h->pages.sum[lvl]);
	kvfree(h->pages.chunks);
	kvfree(h->chunk_region);
	kvfree(h->l1);
}
