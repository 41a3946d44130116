/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Private definitions shared by the files of the mheap module.
 *
 * Locking, outermost first:
 *   mheap_list_lock (mutex)  the list of heaps, debugfs directories
 *   mheap.gc_lock (mutex)    serialises mheap_gc_begin() and _end()
 *   mheap.grow_lock (mutex)  serialises sleeping growth and region release
 *   mheap_pcpu.lock (spin)   one CPU's page cache and span cache
 *   mheap.lock (spin, irq)   the page allocator, regions, arena index
 * and, on their own (never nested in each other or in the above):
 *   mheap.free_lock (spin)   %MHEAP_DEBUG_FREES heaps: one free at a time
 *                            (mcentral.lock and special_lock inside)
 *   mheap_mcentral.lock      one span class's lists (mcache local_lock
 *                            outside it; pcpu.lock, mheap.lock and
 *                            special_lock inside, where a sweep is claimed)
 *   mheap_gc.special_lock    every span's specials, the finalizer queue
 *   mheap_control.pool_lock  the control file's objects and manual
 *                            spans (a mutex)
 * The magazine lock of a CPU's mcache (a local lock, preemption off) is
 * outside the depot locks, and outside what freeing objects to their
 * spans takes (mcentral, special and page allocator locks).  It and the
 * depot locks are never taken in interrupt context.  Every other spinlock
 * is taken with interrupts disabled: GFP_ATOMIC callers may come from
 * hard interrupt context.  Not on PREEMPT_RT: there
 * spinlock_t and local_lock_t sleep and leave interrupts on, as in the
 * kernel's own allocators, so mheap may be called only where kmalloc()
 * may: under a spinlock_t, but not from hard irq, with interrupts or
 * preemption disabled, or under a raw spinlock.  mheap has no raw lock.
 */
#ifndef _MHEAP_INTERNAL_H
#define _MHEAP_INTERNAL_H

#include <linux/atomic.h>
#include <linux/cpuhotplug.h>
#include <linux/dcache.h>
#include <linux/hash.h>
#include <linux/list.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/percpu.h>
#include <linux/rbtree.h>
#include <linux/rcupdate.h>
#include <linux/spinlock.h>
#include <mheap.h>
#include <linux/local_lock.h>
#include <linux/workqueue.h>
#include "compat.h"
#include "palloc.h"
#include "sizeclass.h"

/* === Geometry ======================================================== */

/* Arenas: 64 MiB windows of kernel virtual address space, as Go on 64-bit. */
#define MHEAP_ARENA_SHIFT	26
#define MHEAP_ARENA_BYTES	BIT(MHEAP_ARENA_SHIFT)
#define MHEAP_ARENA_PAGES	(MHEAP_ARENA_BYTES >> PAGE_SHIFT)

/* Chunks: the page allocator's unit of growth, 512 pages. */
#define MHEAP_CHUNK_PAGES	PALLOC_CHUNK_PAGES
#define MHEAP_CHUNK_SHIFT	(PALLOC_CHUNK_SHIFT + PAGE_SHIFT)
#define MHEAP_CHUNK_BYTES	BIT(MHEAP_CHUNK_SHIFT)
#define MHEAP_ARENA_WINDOWS	(MHEAP_ARENA_BYTES / MHEAP_CHUNK_BYTES)

/* Second level of the arena index: 4096 arenas, 256 GiB of address space. */
#define MHEAP_L2_BITS		12
#define MHEAP_L2_ENTRIES	BIT(MHEAP_L2_BITS)

/* Page-number space of a heap: 8 GiB by default, 1 TiB at most. */
#define MHEAP_DEFAULT_BYTES	(PALLOC_ROOT_CHUNKS * MHEAP_CHUNK_BYTES)
#define MHEAP_MAX_BYTES		(128 * MHEAP_DEFAULT_BYTES)

/* Requests of up to this many pages go through the per-CPU page cache. */
#define MHEAP_PCACHE_MAX_PAGES	(PALLOC_CACHE_PAGES / 4)
/* Span structures each CPU keeps ready. */
#define MHEAP_SPAN_CACHE	16

/* === Spans =========================================================== */

enum mheap_span_state {
	MHEAP_SPAN_DEAD,	/* not describing memory */
	MHEAP_SPAN_IN_USE,	/* holds heap objects */
	MHEAP_SPAN_MANUAL,	/* handed out whole by mheap_alloc_manual() */
};

struct mheap_span_list;
struct mheap_region;
struct mheap_special;

struct mheap_gcbits_arena;

/**
 * struct mheap_objspan - the object side of an in-use span
 * @divmagic:	multiply-shift constant giving an object's index.
 * @freeindex:	next object the owning mcache scans from; only the owner
 *		touches it.  Objects below it may have been freed since.
 * @alloc_cache: complement of alloc_bits from the 64-object word holding
 *		@freeindex, shifted so bit 0 is @freeindex (Go's allocCache);
 *		owner only.
 * @alloc_bits:	bit set = object allocated.  Exact at all times: the owner
 *		sets bits atomically, frees on any CPU clear them atomically.
 * @gcmark_bits: mark bits for the collection cycles.
 * @alloc_arena: gcBits arena of @alloc_bits.
 * @mark_arena:	gcBits arena of @gcmark_bits.
 * @live:	objects allocated, and %MHEAP_LIVE_CACHED while a CPU's mcache
 *		owns the span (or a refill carries it there).  One word, so a
 *		free decides from one read whether the owner files the span
 *		or the free must move it, and its decrement fails if the
 *		flag changed since.  The flag is set and cleared under the
 *		mcentral lock; the count moves with atomics on any CPU.
 * @needzero:	some free object may hold old data.
 */
struct mheap_objspan {
	u32 divmagic;
	unsigned int freeindex;
	u64 alloc_cache;
	unsigned long *alloc_bits;
	unsigned long *gcmark_bits;
	struct mheap_gcbits_arena *alloc_arena;
	struct mheap_gcbits_arena *mark_arena;
	atomic_t live;
	bool needzero;
};

/* Flag in &mheap_objspan.live: an mcache owns the span. */
#define MHEAP_LIVE_CACHED	((int)BIT(30))

static inline unsigned int mheap_objspan_live(const struct mheap_objspan *o)
{
	return atomic_read(&o->live) & ~MHEAP_LIVE_CACHED;
}

/**
 * struct mheap_span - a run of pages (Go's mspan)
 * @list:	the span list it is on, or NULL; for consistency checks.
 * @node:	link in @list.
 * @rb:		link in @list when it is kept in address order.
 * @start:	virtual address of the first page.
 * @npages:	number of pages.
 * @limit:	end of the usable part (start + npages pages until objects).
 * @lpage:	first page in the heap's page-number space.
 * @region:	mapped region holding the pages.
 * @heap:	owning heap.
 * @sweepgen:	sweep generation, relative to the heap's sg: sg - 2 needs
 *		sweeping, sg - 1 is being swept, sg is swept, sg + 1 was
 *		cached before this sweep began (needs sweeping when given
 *		back), sg + 3 was swept and then cached.
 * @spanclass:	size class << 1 | noscan; 0 for manual and large spans.
 * @state:	an &enum mheap_span_state, published last with release
 *		semantics so a lockless reader that sees IN_USE/MANUAL sees
 *		the fields above.
 * @needzero:	some page may hold old data and must be zeroed before use.
 * @elemsize:	object size, the whole span for manual spans.
 * @nelems:	number of objects.
 * @alloc_count: objects allocated (for manual spans: 0).
 * @obj:	the object side, for spans of a size class and large objects.
 * @specials:	finalizers, pins, reachability probes, sorted by (offset,
 *		kind); written under mheap_gc.special_lock with WRITE_ONCE(),
 *		tested for NULL without it (READ_ONCE()) by the free path.
 *
 * Span structures come from a SLAB_TYPESAFE_BY_RCU cache, so a lockless
 * reader under RCU may look at a span that is being freed and re-used; it
 * must check @state and the address range after the read.
 */
struct mheap_span {
	struct mheap_span_list *list;
	union {
		struct list_head node;
		struct rb_node rb;
	};
	unsigned long start;
	unsigned long npages;
	unsigned long limit;
	unsigned long lpage;
	struct mheap_region *region;
	struct mheap *heap;
	u32 sweepgen;
	u16 spanclass;
	u8 state;
	bool needzero;
	unsigned long elemsize;
	unsigned int nelems;
	unsigned int alloc_count;
	struct mheap_objspan obj;
	struct mheap_special *specials;
};

/**
 * struct mheap_span_list - a set of spans (Go's mSpanList)
 * @head:	list head, for a list in insertion order.
 * @sorted:	rbtree by page number, for a list in address order, whose
 *		first entry is the lowest span.
 * @by_address:	which of the two this list is.
 * @count:	number of spans on it.
 *
 * The user of a list provides the locking.
 */
struct mheap_span_list {
	struct list_head head;
	struct rb_root_cached sorted;
	bool by_address;
	unsigned long count;
};

void mheap_span_list_init(struct mheap_span_list *l);
void mheap_span_list_init_sorted(struct mheap_span_list *l);
struct mheap_span *mheap_span_list_first(struct mheap_span_list *l);
bool mheap_span_list_empty(const struct mheap_span_list *l);
void mheap_span_list_insert(struct mheap_span_list *l, struct mheap_span *s);
void mheap_span_list_insert_back(struct mheap_span_list *l,
				 struct mheap_span *s);
void mheap_span_list_remove(struct mheap_span_list *l, struct mheap_span *s);
void mheap_span_list_take_all(struct mheap_span_list *dst,
			      struct mheap_span_list *src);

/* === Regions and arenas ============================================== */

enum mheap_region_map {
	MHEAP_MAP_VMAP,		/* vmap() of order-0 pages */
	MHEAP_MAP_DIRECT,	/* one high-order block in the direct map */
};

/**
 * struct mheap_region - a virtually contiguous mapped piece of the heap
 * @node:	link in mheap.regions, under mheap.lock.
 * @base:	first virtual address; fixed while the region is mapped.
 * @npages:	size in pages, a multiple of MHEAP_CHUNK_PAGES.
 * @lpage:	first page in the heap's page-number space.
 * @map:	an &enum mheap_region_map.
 * @pages:	MHEAP_MAP_VMAP: the npages order-0 pages.
 * @block:	MHEAP_MAP_DIRECT: the high-order block.
 * @zeroed:	page offset from which the region is known to be zero (Go's
 *		zeroedBase): pages below it may have been handed out and
 *		written.  Only grows; updated with cmpxchg.
 */
struct mheap_region {
	struct list_head node;
	unsigned long base;
	unsigned long npages;
	unsigned long lpage;
	enum mheap_region_map map;
	struct page **pages;
	struct page *block;
	unsigned long zeroed;
};

/**
 * struct mheap_arena - metadata of one 64 MiB window (Go's heapArena)
 * @base:	first address of the window.
 * @spans:	per 2 MiB window of the arena, NULL where no region maps
 *		anything, else a page -> span map of MHEAP_CHUNK_PAGES entries.
 *		Published and retired with RCU; entries are written by the
 *		owner of the pages and read locklessly.
 * @window_pages: pages mapped in each 2 MiB window, under mheap.lock.
 * @npages:	pages mapped in the arena, under mheap.lock.
 * @page_in_use: bit per page, set on the first page of each in-use span.
 * @page_marks:	bit per page, set on the first page of each span holding a
 *		marked object since the last mheap_gc_begin() (cycle.c).
 * @page_specials: bit per page, set on the first page of each span with
 *		specials (special.c).
 *
 * Arenas are created as regions come and stay until the heap is
 * destroyed; they are small (about 6.5 KiB) next to the 4 KiB page map of
 * each 2 MiB window, which leaves with the last region using it.
 */
struct mheap_arena {
	unsigned long base;
	struct mheap_span * __rcu *spans[MHEAP_ARENA_WINDOWS];
	unsigned int window_pages[MHEAP_ARENA_WINDOWS];
	unsigned long npages;
	DECLARE_BITMAP(page_in_use, MHEAP_ARENA_PAGES);
	DECLARE_BITMAP(page_marks, MHEAP_ARENA_PAGES);
	DECLARE_BITMAP(page_specials, MHEAP_ARENA_PAGES);
};

/* === Objects ========================================================= */

/* gcBits arenas, as Go: 64 KiB. */
#define MHEAP_GCBITS_BYTES	(64 * 1024)

/**
 * struct mheap_gcbits_arena - a block that bit vectors are carved from
 * @node:	link in one of the epoch lists of &struct mheap_gcbits.
 * @bits:	MHEAP_GCBITS_BYTES of bits.
 * @used:	bytes handed out.
 * @live:	bit vectors handed out and still used by a span.
 */
struct mheap_gcbits_arena {
	struct list_head node;
	u8 *bits;
	unsigned int used;
	unsigned int live;
};

/**
 * struct mheap_gcbits - a heap's gcBits arenas by epoch (Go's gcBitsArenas)
 * @lock:	protects everything here; irq-safe.
 * @free:	empty arenas kept for reuse.
 * @next:	arenas bits are allocated from now; the head is bumped.
 * @curr:	arenas of the current cycle's allocBits.
 * @previous:	arenas of the previous cycle, free once unused.
 * @nfree:	entries on @free.
 * @narenas:	arenas on next, current and previous.
 * @epoch:	cycles rotated so far.
 */
struct mheap_gcbits {
	spinlock_t lock;	/* see above */
	struct list_head free;
	struct list_head next;
	struct list_head curr;
	struct list_head previous;
	unsigned int nfree;
	unsigned int narenas;
	unsigned long epoch;
};

/**
 * struct mheap_mcentral - spans of one span class with free objects
 * @lock:	protects the lists, each listed span's @cached flag and the
 *		sweepgen of listed spans.
 * @partial:	spans with free objects, indexed by (sweepgen / 2) % 2:
 *		with the heap at sg, [sg/2 % 2] holds swept spans and the
 *		other unswept ones, so bumping sg by 2 turns every swept list
 *		into an unswept one without moving a span (Go's partial
 *		spanSets).
 * @full:	spans with no free object, likewise.  Large objects live
 *		here, in span class 0.
 * @spare:	one empty span an explicit free left, kept for the next
 *		refill instead of rebuilding one (as SLUB keeps min_partial
 *		empty slabs); dropped when memory is flushed or released.
 * @nspans:	spans of this class alive: cached, listed, spare or being
 *		swept.
 */
struct mheap_mcentral {
	spinlock_t lock;	/* see above */
	struct mheap_span_list partial[2];
	struct mheap_span_list full[2];
	struct mheap_span *spare;
	unsigned long nspans;
};

/* Most freed objects a CPU keeps per size class for its next allocations. */
#define MHEAP_MAGAZINE_SIZE	16
/* A magazine holds at most this many bytes of objects, and at least 4. */
#define MHEAP_MAGAZINE_BYTES	(64 << 10)
/* Full magazines a class's depot holds. */
#define MHEAP_DEPOT_MAGAZINES	4

/**
 * struct mheap_magazine - one CPU's freed objects of one size class
 * @count:	entries in @objs.
 * @cap:	entries it may hold: %MHEAP_MAGAZINE_SIZE, fewer for large
 *		classes (%MHEAP_MAGAZINE_BYTES); fixed at heap creation.
 * @lo:	lowest address of an object in @objs, when @count is not 0.
 * @hi:	highest address of an object in @objs, when @count is not 0.
 * @taken:	the object the last allocation took, if no free has been
 *		kept since; else NULL.
 * @sig:	bit mheap_magazine_sig() of every entry, when @count is not 0.
 * @objs:	the objects, last freed last.
 *
 * A free looks for its object among the entries, a double free, unless
 * one of three facts rules that out.  @lo and @hi bound the entries, not
 * always tightly (taking an object leaves them): a free of an address
 * outside them, as each free of a burst in address order once the depot
 * is full, is not among them.  @sig is a one-word Bloom filter of the
 * entries, as loose (taking an object leaves its bit): a free whose bit is
 * clear, about four in five of a shuffled burst's with 16 entries, is not
 * among them either.  And the entries never hold an object
 * twice, so the object of @taken left them and has not come back: the
 * free of the object just allocated, an alloc+free pair, is not a double
 * free of an entry either.  (A refill from the depot happens only in an
 * allocation, which sets @taken to what it takes.)
 *
 * Owned by the CPU, under its &mheap_mcache.mag_lock: only the owner reads
 * or writes it, but for the CPU-dead callback and heap destroy, when the
 * owner runs no mheap code.  The lock is a plain local_lock(), which only
 * disables preemption (on PREEMPT_RT, a per-CPU lock), so it is never
 * taken in interrupt context: there allocations and frees use the spans,
 * whose mcache lock disables interrupts, and the two never share state.
 * An object in a magazine is still allocated in its span's bits and live
 * count, and its free hook has run: to the kernel's debugging tools it is
 * free.  Magazines are filled only while the heap's &mheap_gc.magazines is
 * set, and only with objects of spans swept for the current cycle;
 * mheap_gc_begin() clears the flag and empties every magazine before
 * marking opens, so no object sits in one during marking or when its span
 * is swept.
 */
struct mheap_magazine {
	unsigned int count;
	unsigned int cap;
	unsigned long lo;
	unsigned long hi;
	void *taken;
	unsigned long sig;
	void *objs[MHEAP_MAGAZINE_SIZE];
};

/* The bit of &mheap_magazine.sig that stands for the object at @a. */
static __always_inline unsigned long mheap_magazine_sig(unsigned long a)
{
	return 1UL << hash_long(a, ilog2(BITS_PER_LONG));
}

/**
 * struct mheap_depot - full magazines of one size class, for any CPU
 * @lock:	protects @count and @objs; taken under an mcache lock, or
 *		alone, and nothing is taken under it.
 * @count:	objects in @objs, a multiple of the class's magazine @cap.
 *		Written under @lock; depot_get() and depot_put() also read
 *		it without, as a hint whether to take @lock at all, and
 *		decide under it.
 * @objs:	%MHEAP_DEPOT_MAGAZINES magazines' worth of objects.
 *
 * Bonwick's depot: a CPU whose magazine is full hands its contents over
 * whole, and one whose magazine is empty takes a whole magazine back, so
 * objects freed on one CPU serve allocations on another for one lock per
 * magazine.  Its objects are in the state of a magazine's, and it fills
 * and empties as the magazines do: only while &mheap_gc.magazines is set,
 * and mheap_magazines_close() empties it after the CPUs' magazines.
 */
struct mheap_depot {
	spinlock_t lock;	/* see above */
	unsigned int count;
	void **objs;
} ____cacheline_aligned_in_smp;

/**
 * struct mheap_mcache - one CPU's spans, one per span class (Go's mcache)
 * @lock:	local lock of @alloc: the owner CPU with interrupts off.
 * @mag_lock:	local lock of @mag, preemption off; see &struct mheap_magazine.
 * @alloc:	the span each class allocates from, or NULL.  Written by
 *		the owner under @lock; the owner's magazine_put() also reads
 *		it with interrupts on, for a placement hint only.
 * @mag:	freed objects, by size class.
 * @allocs:	objects allocated on this CPU, by size class.
 * @frees:	objects freed on this CPU, by size class (this_cpu_inc, any
 *		context, explicit frees and sweeping alike).
 * @refills:	spans taken from mcentral.
 * @heap:	owning heap, for @flush_work.
 * @flush_work:	runs on the owning CPU to give its spans back.
 * @mag_work:	runs on the owning CPU to empty its magazines.
 */
struct mheap_mcache {
	local_lock_t lock;
	local_lock_t mag_lock;
	struct mheap_span *alloc[MHEAP_NUM_SPANCLASSES];
	unsigned long refills;
	struct mheap *heap;
	unsigned long allocs[MHEAP_NUM_CLASSES];
	unsigned long frees[MHEAP_NUM_CLASSES];
	struct work_struct flush_work;
	struct work_struct mag_work;
	struct mheap_magazine mag[MHEAP_NUM_CLASSES];
};

/* === Collection cycles =============================================== */

/* Who swept a span, for the statistics. */
enum mheap_sweep_src {
	MHEAP_SWEEP_BACKGROUND,	/* the background sweeper */
	MHEAP_SWEEP_PROPORTIONAL, /* an allocation paying its sweep debt */
	MHEAP_SWEEP_MCENTRAL,	/* a refill looking for a span (cacheSpan) */
	MHEAP_SWEEP_RECLAIM,	/* the page reclaimer */
	MHEAP_SWEEP_UNCACHE,	/* a CPU giving back a span cached too long */
	MHEAP_SWEEP_ENSURE,	/* a free or a special needing it swept */
	MHEAP_SWEEP_EXPLICIT,	/* mheap_sweep_all(), mheap_gc_begin() */
	MHEAP_SWEEP_SRC_COUNT,
};

/* Flag in &mheap_gc.active: nothing is left to sweep on the lists. */
#define MHEAP_SWEEP_DRAINED	((int)BIT(30))

/**
 * struct mheap_sweep_ctx - one span's sweep, from its claim to its end
 * @dead:	objects the claim found dead; their hooks run after it.
 * @freed:	how many.
 *
 * On the sweeper's stack: the span's bits are swept under the mcentral
 * lock that claims it, the dead objects are freed after.
 */
struct mheap_sweep_ctx {
	unsigned long dead[BITS_TO_LONGS(MHEAP_MAX_SPAN_OBJECTS)];
	unsigned int freed;
};

/* State of the background sweeper. */
enum mheap_bgsweep_state {
	MHEAP_BGSWEEP_IDLE,
	MHEAP_BGSWEEP_RUNNING,
	MHEAP_BGSWEEP_OFF,
};

/*
 * The reclaimer's statistics (reclaim.c names them): all time, each an
 * atomic64_t of &mheap_gc, added to once per chunk or call, so shared
 * counters cost nothing that matters.
 */
enum mheap_reclaim_stat {
	MHEAP_RECLAIM_PAGES_SCANNED,	/* pages looked at */
	MHEAP_RECLAIM_PAGES,		/* pages freed */
	MHEAP_RECLAIM_SPANS,		/* spans freed */
	MHEAP_RECLAIM_CALLS,		/* calls to the reclaimer */
	MHEAP_RECLAIM_TIME_NS,		/* time spent in it */
	MHEAP_RECLAIM_STAT_COUNT,
};

/* Finalizer statistics (special.c names them), all time, as above. */
enum mheap_fin_stat {
	MHEAP_FIN_QUEUED,	/* finalizers of dead objects queued */
	MHEAP_FIN_RUN,		/* finalizers run */
	MHEAP_FIN_STAT_COUNT,
};

extern const char *const mheap_reclaim_stat_names[];
extern const char *const mheap_fin_stat_names[];

/**
 * struct mheap_gc - a heap's collection cycles, sweeping, reclaim, specials
 * @sweepgen:	heap sweep generation, += 2 per cycle; written under
 *		mheap.gc_lock, read locklessly.
 * @marking:	between mheap_gc_begin() and mheap_gc_end(): new objects
 *		are allocated marked.
 * @magazines:	whether frees may fill the CPUs' magazines: outside
 *		marking, in a heap without %MHEAP_NO_MAGAZINES.  Written
 *		under mheap.gc_lock, read by frees under the magazine lock.
 * @drain_high:	a quarter or more of the heap's committed memory is free,
 *		so frees of objects of high spans skip the magazines
 *		(placement).  A hint: recomputed by any CPU on refills and
 *		depot moves, read without a lock.
 * @flushing:	mheap_gc_end() has yet to flush the mcaches: spans cached
 *		before the cycle ended may still need sweeping.
 * @active:	sweeps in progress, plus %MHEAP_SWEEP_DRAINED once no span
 *		is left to sweep on the mcentral lists (Go's activeSweep).
 *		A sweeper that looks for work enters with mheap_sweep_begin(),
 *		which fails once the flag is set, so no sweeper can hold a
 *		generation older than the heap's: mheap_gc_end() publishes
 *		the new sg before it clears the flag, and nothing clears it
 *		in between.  A sweeper handed a span that needs sweeping
 *		(claimed under its mcentral lock) is counted without that
 *		check.  Only atomics; written by sweepers and mheap_gc_end().
 * @transit:	refills carrying a span to an mcache, on no list and in no
 *		mcache yet, indexed by (sg / 2) % 2 of the generation they
 *		stamped the span with.  mheap_gc_begin() waits for those of
 *		the previous generation: such a span may need sweeping, and
 *		must be swept before marking opens.  A refill enters with
 *		mheap_transit_begin() in mcentral.c, under a full barrier.
 * @next_class:	span class sweepone() looks at next.
 * @cycles:	cycles completed.
 * @pages_swept: pages swept this cycle.
 * @spans_swept: spans swept this cycle.
 * @objects_freed: objects sweeping freed, all cycles.
 * @swept_by:	spans swept, by &enum mheap_sweep_src, all cycles.
 * @pages_swept_basis: @pages_swept when pacing was last computed.
 * @ppb_q32:	sweep pages owed per byte allocated (sweepPagesPerByte),
 *		fixed point with 32 fraction bits; 0 when not pacing.
 * @alloc_bytes: bytes handed to mcaches and large objects, all time
 *		(the heapLive of the pacing).
 * @live_basis:	@alloc_bytes when pacing was computed.
 * @bg_work:	the background sweeper.
 * @bg_state:	an &enum mheap_bgsweep_state.
 * @bg_stop:	destroy in progress: the background sweeper stops.
 * @reclaim_index: next chunk of the page-number space the reclaimer scans.
 * @reclaim_end: chunks that existed when the cycle ended.
 * @reclaim_credit: pages reclaimed beyond what callers asked for.
 * @reclaim_stat: the reclaimer's statistics, by &enum mheap_reclaim_stat.
 * @special_lock: protects every span's @specials and @finq; irq-safe.
 * @finq:	finalizers of dead objects, waiting to run.
 * @fin_work:	runs them, in process context.
 * @fin_running: finalizers taken off @finq whose run is not over; a
 *		cycle does not end before it drops to 0.
 * @fin_stat:	finalizer statistics, by &enum mheap_fin_stat.
 * @specials:	specials attached.
 */
struct mheap_gc {
	/* Read by every allocation, written twice a cycle: a line alone. */
	u32 sweepgen ____cacheline_aligned_in_smp;
	bool marking;
	bool magazines;
	bool drain_high;
	bool flushing ____cacheline_aligned_in_smp;
	atomic_t active;
	atomic_t transit[2];
	atomic_t next_class;
	unsigned long cycles;
	atomic_long_t pages_swept;
	atomic_long_t spans_swept;
	atomic_long_t objects_freed;
	atomic_long_t swept_by[MHEAP_SWEEP_SRC_COUNT];
	unsigned long pages_swept_basis;
	u64 ppb_q32;
	atomic_long_t alloc_bytes;
	unsigned long live_basis;
	struct work_struct bg_work;
	int bg_state;
	bool bg_stop;
	atomic_long_t reclaim_index;
	unsigned long reclaim_end;
	atomic_long_t reclaim_credit;
	atomic64_t reclaim_stat[MHEAP_RECLAIM_STAT_COUNT];
	spinlock_t special_lock;	/* see above */
	struct mheap_special *finq;
	struct work_struct fin_work;
	atomic_t fin_running;
	atomic64_t fin_stat[MHEAP_FIN_STAT_COUNT];
	atomic_long_t specials;
};

static inline s64 mheap_reclaim_stat_read(struct mheap_gc *gc,
					  enum mheap_reclaim_stat i)
{
	return atomic64_read(&gc->reclaim_stat[i]);
}

static inline s64 mheap_fin_stat_read(struct mheap_gc *gc,
				      enum mheap_fin_stat i)
{
	return atomic64_read(&gc->fin_stat[i]);
}

/* === Heap ============================================================ */

/* Who gave memory back, for the statistics. */
enum mheap_release_src {
	MHEAP_SRC_BACKGROUND,	/* the background scavenger */
	MHEAP_SRC_ASSIST,	/* an allocation over the memory limit */
	MHEAP_SRC_SHRINKER,	/* the kernel, under memory pressure */
	MHEAP_SRC_EXPLICIT,	/* mheap_scavenge(), mheap_release_all() */
	MHEAP_SRC_COUNT,
};

/* Flags of mheap_trim(). */
#define MHEAP_TRIM_FLUSH	BIT(0)	/* flush every CPU's mcache first */
#define MHEAP_TRIM_TRY		BIT(1)	/* do not wait for another release */

/*
 * Event counters, KFENCE style: an enum, and names checked against it
 * (heap.c).  Per CPU, as SLUB's stat(): an event costs one unlocked add
 * on a line of its own CPU; readers sum.
 */
enum mheap_counter {
	MHEAP_CNT_GROWS,
	MHEAP_CNT_GROW_FAILS,
	MHEAP_CNT_REGIONS_DIRECT,
	MHEAP_CNT_REGIONS_VMAP,
	MHEAP_CNT_DIRECT_FALLBACKS,
	MHEAP_CNT_REGIONS_RELEASED,
	MHEAP_CNT_PAGES_RELEASED,
	MHEAP_CNT_SPANS_ALLOCATED,
	MHEAP_CNT_SPANS_FREED,
	MHEAP_CNT_PCACHE_ALLOCS,
	MHEAP_CNT_PCACHE_FILLS,
	MHEAP_CNT_PCACHE_FREES,
	MHEAP_CNT_PAGES_ZEROED,
	MHEAP_CNT_BAD_FREES,
	MHEAP_CNT_LARGE_ALLOCS,
	MHEAP_CNT_LARGE_FREES,
	MHEAP_CNT_PAGES_GROWN,
	MHEAP_CNT_LIMIT_FAILS,
	MHEAP_CNT_COUNT,
};

/**
 * struct mheap_pcpu - what one CPU keeps of a heap (Go's per-P caches)
 * @lock:	protects the rest; taken with interrupts off.  The owner
 *		takes it with migration disabled, so it never fills the
 *		caches of a CPU that went down; any CPU may take another's
 *		lock to drain it (hotplug, release).
 * @pcache:	a 64-page block of the page allocator (Go's pageCache).
 * @spans:	ready span structures (Go's mspancache).
 * @nspans:	how many of @spans are filled.
 */
struct mheap_pcpu {
	spinlock_t lock;	/* see above */
	struct palloc_cache pcache;
	struct mheap_span *spans[MHEAP_SPAN_CACHE];
	unsigned int nspans;
};

/**
 * struct mheap_control - what a heap's control file allocated (control.c)
 * @pool_lock:	protects the rest.
 * @pool:	manual spans.
 * @objs:	objects.
 * @nobjs:	entries used in @objs.
 * @objs_cap:	entries allocated in @objs.
 */
struct mheap_control {
	struct mutex pool_lock;		/* see above */
	struct mheap_span_list pool;
	void **objs;
	unsigned long nobjs;
	unsigned long objs_cap;
};

/**
 * struct mheap - one heap instance (Go's mheap)
 * @name:	NUL-terminated name, also its debugfs directory's name.
 * @node:	link in mheap_list, protected by mheap_list_lock.
 * @params:	what the creator asked for, defaults filled in.
 * @dir:	debugfs directory <debugfs>/mheap/<name>/ (or an ERR_PTR).
 * @lock:	protects @pages, @chunk_region, @regions, the arena index
 *		and each arena's counters.
 * @grow_lock:	serialises growth that may sleep and region release.
 * @free_lock:	%MHEAP_DEBUG_FREES: serialises mheap_free().
 * @pages:	the page allocator over the heap's page-number space.
 * @chunk_region: page-number chunk -> region mapping it (NULL: none).
 * @regions:	mapped regions, in page-number order.
 * @nregions:	number of entries on @regions.
 * @va_bits:	width of the kernel virtual address space.
 * @l1:		first level of the arena index; entries point to arrays of
 *		MHEAP_L2_ENTRIES arena pointers.  Both levels are published
 *		with release stores and never freed before the heap.
 * @l1_entries:	number of entries in @l1.
 * @pcpu:	per-CPU caches.
 * @cpuhp_node:	instance of the CPU hotplug state that drains @pcpu.
 * @pages_in_use: pages in live spans.
 * @spans_live:	live spans.
 * @large_pages: pages of live large objects.
 * @events:	event counters, per CPU, see &enum mheap_counter.
 * @mcentral:	one per span class.
 * @mcache:	per-CPU span caches.
 * @depot:	one per size class.
 * @gcbits:	bit vector arenas.
 * @control:	what the control file holds, control.c's own.
 * @released_by: pages released, by &enum mheap_release_src.
 * @release_ns:	time spent releasing memory.
 * @limit_pages: soft limit on committed pages, 0 for none (READ_ONCE).
 * @scav_work:	the background scavenger.
 * @scav_on:	whether the background scavenger may run.
 * @shrinker:	gives free regions back under memory pressure.
 * @gc_lock:	serialises mheap_gc_begin() and mheap_gc_end().
 * @gc:		collection cycles, see &struct mheap_gc.
 */
struct mheap {
	char name[MHEAP_NAME_MAX + 1];
	struct list_head node;
	struct mheap_params params;
	struct dentry *dir;

	spinlock_t lock;		/* see the comment above the struct */
	struct mutex grow_lock;		/* likewise */
	spinlock_t free_lock;		/* likewise */
	struct palloc pages;
	struct mheap_region **chunk_region;
	struct list_head regions;
	unsigned long nregions;

	unsigned int va_bits;
	struct mheap_arena ***l1;
	unsigned long l1_entries;

	struct mheap_pcpu __percpu *pcpu;
	struct hlist_node cpuhp_node;

	atomic_long_t pages_in_use;
	atomic_long_t spans_live;
	atomic_long_t large_pages;
	struct mheap_events __percpu *events;
	struct mheap_mcentral mcentral[MHEAP_NUM_SPANCLASSES];
	struct mheap_mcache __percpu *mcache;
	struct mheap_depot *depot;
	struct mheap_gcbits gcbits;

	struct mheap_control control;
	atomic_long_t released_by[MHEAP_SRC_COUNT];
	atomic64_t release_ns;
	unsigned long limit_pages;
	struct delayed_work scav_work;
	bool scav_on;
	struct shrinker *shrinker;

	struct mutex gc_lock;		/* see above */
	struct mheap_gc gc;
};

extern const char *const mheap_counter_names[];

/*
 * Small objects of size class @cls allocated and freed, summed over the
 * per-CPU counts (class 0: every class).  Exact once the heap is quiet,
 * else a moment old.
 */
static inline void mheap_class_counts(struct mheap *h, unsigned int cls,
				      unsigned long *allocs,
				      unsigned long *frees)
{
	unsigned int first = cls ? cls : 1;
	unsigned int last = cls ? cls : MHEAP_NUM_CLASSES - 1;
	unsigned int cpu, c;

	*allocs = 0;
	*frees = 0;
	for_each_possible_cpu(cpu) {
		struct mheap_mcache *mc = per_cpu_ptr(h->mcache, cpu);

		for (c = first; c <= last; c++) {
			*allocs += READ_ONCE(mc->allocs[c]);
			*frees += READ_ONCE(mc->frees[c]);
		}
	}
}

/* One CPU's event counters of a heap. */
struct mheap_events {
	unsigned long n[MHEAP_CNT_COUNT];
};

static inline void mheap_count_add(struct mheap *h, enum mheap_counter c,
				   unsigned long n)
{
	this_cpu_add(h->events->n[c], n);
}

static inline void mheap_count(struct mheap *h, enum mheap_counter c)
{
	mheap_count_add(h, c, 1);
}

/* Sum over every CPU: exact once the events stopped, else a moment old. */
static inline unsigned long mheap_events_read(struct mheap *h,
					      enum mheap_counter c)
{
	unsigned long sum = 0;
	unsigned int cpu;

	for_each_possible_cpu(cpu)
		sum += READ_ONCE(per_cpu_ptr(h->events, cpu)->n[c]);
	return sum;
}

/* === Addresses, page numbers and walks ============================== */

/* The address of page number @lp of region @r. */
static inline unsigned long mheap_region_addr(const struct mheap_region *r,
					      unsigned long lp)
{
	return r->base + ((lp - r->lpage) << PAGE_SHIFT);
}

/* The bit of the page at @addr in arena @a's page bitmaps. */
static inline unsigned long mheap_arena_page(const struct mheap_arena *a,
					     unsigned long addr)
{
	return (addr - a->base) >> PAGE_SHIFT;
}

/* The other way: the address of bit @i of arena @a's page bitmaps. */
static inline unsigned long mheap_arena_addr(const struct mheap_arena *a,
					     unsigned long i)
{
	return a->base + (i << PAGE_SHIFT);
}

struct mheap_arena *mheap_next_arena(struct mheap *h, unsigned long *pos);
struct mheap_span *mheap_next_span(struct mheap *h, unsigned long *lp);

/**
 * for_each_arena() - every arena of a heap's index, lowest address first
 * @h: heap
 * @a: the arena
 *
 * Arenas appear under grow_lock and leave only with the heap: hold
 * grow_lock, or own the heap, for a stable walk.
 */
#define for_each_arena(h, a)						\
	for (unsigned long __pos = 0;					\
	     ((a) = mheap_next_arena((h), &__pos)); __pos++)

/**
 * for_each_span() - every live span of a heap, by page number
 * @h: heap
 * @s: the span
 *
 * Lock-free, under RCU or grow_lock: a span freed or reused meanwhile is
 * skipped, never walked twice.  The body may free @s.
 */
#define for_each_span(h, s)						\
	for (unsigned long __lp = 0;					\
	     ((s) = mheap_next_span((h), &__lp)); __lp++)

/*
 * Declarations by layer, bottom to top (Documentation/design.rst, "Layers"):
 * a file calls the ones of its own layer and below, except for the few
 * upward calls listed there.
 */

/* arena.c: regions, the arena index, growth, releasing regions */
int mheap_arena_init(struct mheap *h);
void mheap_arena_destroy(struct mheap *h);
int mheap_grow(struct mheap *h, unsigned long npages, gfp_t gfp,
	       unsigned long *lpage);
struct mheap_arena *mheap_arena_of(struct mheap *h, unsigned long addr);
struct mheap_region *mheap_region_of_lpage(struct mheap *h,
					   unsigned long lpage);
void mheap_set_spans(struct mheap *h, struct mheap_span *s,
		     struct mheap_span *val);
bool mheap_region_claim_zeroed(struct mheap_region *r, unsigned long off,
			       unsigned long npages);
unsigned long mheap_release_regions(struct mheap *h, unsigned long max_pages,
				    enum mheap_release_src src, bool try);
unsigned long mheap_releasable_pages(struct mheap *h);

/* span.c: spans, the per-CPU page caches, objects by address */
int mheap_span_cache_init(void);
void mheap_span_cache_exit(void);
int mheap_pcpu_init(struct mheap *h);
void mheap_pcpu_destroy(struct mheap *h);
void mheap_pcpu_drain_cpu(struct mheap *h, unsigned int cpu);
void mheap_pcpu_drain_all(struct mheap *h);
struct mheap_span *mheap_alloc_span(struct mheap *h, unsigned long npages,
				    enum mheap_span_state state, gfp_t gfp);
struct mheap_span *__mheap_alloc_span(struct mheap *h, unsigned long npages,
				      enum mheap_span_state state, gfp_t gfp,
				      bool grow);
void mheap_free_span(struct mheap *h, struct mheap_span *s);
void mheap_free_all_spans(struct mheap *h);
void mheap_mark_page(struct mheap *h, struct mheap_span *s);
void mheap_mark_object(struct mheap *h, struct mheap_span *s, unsigned int idx);

/* gcbits.c */
void mheap_gcbits_init(struct mheap_gcbits *g);
void mheap_gcbits_destroy(struct mheap_gcbits *g);
unsigned long *mheap_gcbits_alloc(struct mheap_gcbits *g, unsigned int nelems,
				  struct mheap_gcbits_arena **arena, gfp_t gfp);
void mheap_gcbits_put(struct mheap_gcbits *g, struct mheap_gcbits_arena *a);
void mheap_gcbits_next_epoch(struct mheap_gcbits *g);

/* mcentral.c: spans of a class no CPU caches; object spans' life */
void mheap_mcentral_init(struct mheap *h);
void mheap_mcentral_destroy(struct mheap *h);
int mheap_objspan_init(struct mheap *h, struct mheap_span *s, u8 spanclass,
		       unsigned long elemsize, unsigned int nelems, gfp_t gfp);
void mheap_objspan_free(struct mheap *h, struct mheap_span *s);
u32 mheap_transit_begin(struct mheap *h);
void mheap_transit_end(struct mheap *h, u32 sg);
void mheap_transit_wait(struct mheap *h);
struct mheap_span *mheap_mcentral_grow(struct mheap *h, u8 spanclass,
				       gfp_t gfp, bool grow, u32 *tsg);
struct mheap_span *mheap_mcentral_cache_span(struct mheap *h, u8 spanclass,
					     u32 *tsg);
void mheap_mcentral_uncache(struct mheap *h, struct mheap_span *s);
void mheap_mcentral_free_transition(struct mheap *h, struct mheap_span *s);
unsigned long mheap_mcentral_file(struct mheap *h, struct mheap_span *s);
struct mheap_span *mheap_mcentral_take_unswept(struct mheap *h,
					       struct mheap_mcentral *mc,
					       u32 sg,
					       struct mheap_sweep_ctx *ctx);
void mheap_mcentral_drop_spares(struct mheap *h);
static inline struct mheap_span_list *
mheap_mcentral_list(struct mheap_mcentral *mc, bool full, u32 sweepgen)
{
	return full ? &mc->full[(sweepgen >> 1) & 1] :
		      &mc->partial[(sweepgen >> 1) & 1];
}

/* sweep.c */
void mheap_sweep_init(struct mheap *h);
void mheap_sweep_destroy(struct mheap *h);
bool mheap_sweep_done(struct mheap *h);
bool mheap_sweep_begin(struct mheap *h);
void mheap_sweep_end(struct mheap *h);
bool mheap_span_try_acquire(struct mheap *h, struct mheap_span *s, u32 sg,
			    struct mheap_sweep_ctx *ctx);
void mheap_sweep_claim(struct mheap *h, struct mheap_span *s, u32 sg,
		       struct mheap_sweep_ctx *ctx);
unsigned long mheap_sweep_span(struct mheap *h, struct mheap_span *s, u32 sg,
			       enum mheap_sweep_src src, bool keep,
			       struct mheap_sweep_ctx *ctx);
void mheap_ensure_swept(struct mheap *h, struct mheap_span *s);
unsigned long mheap_sweepone(struct mheap *h, enum mheap_sweep_src src);
void mheap_deduct_sweep_credit(struct mheap *h, unsigned long bytes);
void mheap_sweep_pace(struct mheap *h);
void mheap_bgsweep_set(struct mheap *h, bool on);
extern const char *const mheap_sweep_src_names[];
extern const char *const mheap_bgsweep_state_names[];

/* reclaim.c */
unsigned long mheap_reclaim_scan(struct mheap *h, unsigned long npages);

/* special.c */
void mheap_specials_sweep(struct mheap *h, struct mheap_span *s);
void mheap_specials_free_all(struct mheap *h, struct mheap_span *s);
bool mheap_specials_keep(struct mheap *h, struct mheap_span *s,
			 unsigned int offset);
bool mheap_specials_free_object(struct mheap *h, struct mheap_span *s,
				unsigned int idx, unsigned int offset);
void mheap_fin_work_fn(struct work_struct *work);
void mheap_specials_mark_queued(struct mheap *h);
void mheap_specials_wait_running(struct mheap *h);
void mheap_specials_destroy(struct mheap *h);

/* object.c: the mcache fast path, large objects */
int mheap_objects_init(struct mheap *h);
void mheap_objects_destroy(struct mheap *h);
void mheap_mcache_drain_cpu(struct mheap *h, unsigned int cpu);
void mheap_mcache_flush_all(struct mheap *h);
void mheap_magazines_close(struct mheap *h);
void mheap_magazines_open(struct mheap *h);

/* cycle.c */
void mheap_gc_init(struct mheap *h);
void mheap_gc_destroy(struct mheap *h);

/* heap.c: heaps, CPU hotplug, giving memory back */
extern struct list_head mheap_list;
extern struct mutex mheap_list_lock;
struct mheap *mheap_find(const char *name);
int mheap_hotplug_init(void);
void mheap_hotplug_exit(void);
unsigned long mheap_trim(struct mheap *h, unsigned long max_pages,
			 enum mheap_release_src src, unsigned int flags);
unsigned long mheap_trim_all(struct mheap *h);

/* scavenge.c */
int mheap_scavenger_init(struct mheap *h);
void mheap_scavenger_destroy(struct mheap *h);
void mheap_scavenger_kick(struct mheap *h);
void mheap_scavenger_set(struct mheap *h, bool on);
unsigned long mheap_retain_goal(struct mheap *h);
extern const char *const mheap_release_src_names[];

/* control.c */
int mheap_control(struct mheap *h, char *line);
void mheap_control_init(struct mheap *h);
void mheap_control_create(struct mheap *h);
void mheap_control_destroy(struct mheap *h);

/* fault.c */

/*
 * Kinds of allocation site, one fault attribute each, configured under
 * <debugfs>/mheap/fail_<kind>/ (see Documentation/testing.rst).
 */
enum mheap_fault {
	MHEAP_FAULT_GROW,	/* the pages of a region */
	MHEAP_FAULT_MAP,	/* vmap() of a region */
	MHEAP_FAULT_METADATA,	/* heap, arenas, page maps, index, regions */
	MHEAP_FAULT_GCBITS,	/* gcBits arenas */
	MHEAP_FAULT_SPAN,	/* span structures from the slab cache */
	MHEAP_FAULT_SPECIAL,	/* finalizers, pins, reachability probes */
	MHEAP_FAULT_CONTROL,	/* the debugfs files' own buffers */
	MHEAP_FAULT_COUNT,
};

/* Prefix of the attributes' directories, refused as a heap name. */
#define MHEAP_FAULT_PREFIX	"fail_"

#ifdef CONFIG_FAULT_INJECTION
bool mheap_should_fail(enum mheap_fault kind, size_t size);
struct fault_attr *mheap_fault_attr(enum mheap_fault kind);
#else
/* Without the framework no site ever fails on purpose. */
static inline bool mheap_should_fail(enum mheap_fault kind, size_t size)
{
	return false;
}

static inline struct fault_attr *mheap_fault_attr(enum mheap_fault kind)
{
	return NULL;
}
#endif
extern const char *const mheap_fault_names[];
void mheap_fault_debugfs_init(struct dentry *root);

/* debugfs.c */
int mheap_debugfs_init(void);
void mheap_debugfs_exit(void);
void mheap_debugfs_add_heap(struct mheap *h);
void mheap_debugfs_del_heap(struct mheap *h);
struct dentry *mheap_debugfs_root(void);

/*
 * === Lookups by address ==============================================
 *
 * Inline, because every free makes one: address -> arena (the two-level
 * index) -> span (the arena's span map) -> object (index, alloc bit).
 * mheap_arena_of(), mheap_span_of() and mheap_object_lookup() are the
 * same, out of line.
 */

/*
 * Arena number of a kernel address, or ULONG_MAX outside the kernel half.
 * The userspace build (tools/testing/mheap) maps the heap in the low half.
 */
static inline unsigned long mheap_arena_key(const struct mheap *h,
					    unsigned long addr)
{
	unsigned long mask = BIT(h->va_bits) - 1;
	unsigned long top = IS_ENABLED(CONFIG_MHEAP_USERSPACE) ? 0 : ~mask;

	if ((addr & ~mask) != top)
		return ULONG_MAX;
	return (addr & mask) >> MHEAP_ARENA_SHIFT;
}

/* The 2 MiB window of its arena an address is in, and its page there. */
static inline unsigned int mheap_window_of(unsigned long addr)
{
	return (addr & (MHEAP_ARENA_BYTES - 1)) >> MHEAP_CHUNK_SHIFT;
}

static inline unsigned int mheap_window_page(unsigned long addr)
{
	return (addr >> PAGE_SHIFT) & (MHEAP_CHUNK_PAGES - 1);
}

static __always_inline struct mheap_arena *
__mheap_arena_of(struct mheap *h, unsigned long addr)
{
	unsigned long key = mheap_arena_key(h, addr);
	struct mheap_arena **l2;

	if (key == ULONG_MAX)
		return NULL;
	/* Both levels are published with release stores in region_link_arenas(). */
	l2 = smp_load_acquire(&h->l1[key >> MHEAP_L2_BITS]);
	if (!l2)
		return NULL;
	/* Likewise for the arena: a reader sees it fully set up. */
	return smp_load_acquire(&l2[key & (MHEAP_L2_ENTRIES - 1)]);
}

/* @rcu_held: the caller is in an RCU read-side section already. */
static __always_inline struct mheap_span *
__mheap_span_of(struct mheap *h, const void *addr, bool rcu_held)
{
	unsigned long a = (unsigned long)addr;
	struct mheap_span *const *map;
	struct mheap_span *s = NULL;
	struct mheap_arena *arena;
	u8 state;

	arena = __mheap_arena_of(h, a);
	if (!arena)
		return NULL;
	if (!rcu_held)
		rcu_read_lock();
	map = rcu_dereference_check(arena->spans[mheap_window_of(a)],
				    rcu_read_lock_any_held());
	if (map)
		s = READ_ONCE(map[mheap_window_page(a)]);
	if (s) {
		/*
		 * Spans are SLAB_TYPESAFE_BY_RCU: check it is still ours.  The
		 * acquire pairs with the release publishing the span's state.
		 */
		state = smp_load_acquire(&s->state);
		if (state == MHEAP_SPAN_DEAD || s->heap != h || a < s->start ||
		    a - s->start >= s->npages << PAGE_SHIFT) {
			s = NULL;
		} else {
			/*
			 * The fields may come from two lives of a structure
			 * freed and reused meanwhile.  A span's map entries
			 * are cleared before it dies and set before it is
			 * published, so the map still naming it after the
			 * reads says its life then covers @addr.
			 */
			smp_rmb();
			if (READ_ONCE(map[mheap_window_page(a)]) != s)
				s = NULL;
		}
	}
	if (!rcu_held)
		rcu_read_unlock();
	return s;
}

static __always_inline struct mheap_span *
__mheap_object_lookup(struct mheap *h, const void *p, bool interior,
		      unsigned int *idx, const char **why, bool rcu_held)
{
	struct mheap_span *s = __mheap_span_of(h, p, rcu_held);
	unsigned long off;
	unsigned int i;

	if (!s) {
		*why = "not an object of this heap";
		return NULL;
	}
	/* Pairs with the release publishing an object span. */
	if (smp_load_acquire(&s->state) != MHEAP_SPAN_IN_USE) {
		*why = "not an object (a manual span?)";
		return NULL;
	}
	off = (unsigned long)p - s->start;
	i = s->spanclass ? mheap_obj_index(off, s->obj.divmagic) : 0;
	if (i >= s->nelems || (!interior && i * s->elemsize != off)) {
		*why = s->spanclass ? "interior pointer" :
				      "interior pointer of a large object";
		return NULL;
	}
	if (!test_bit(i, s->obj.alloc_bits)) {
		*why = "double free";
		return NULL;
	}
	*idx = i;
	return s;
}

struct mheap_span *mheap_object_lookup(struct mheap *h, const void *p,
				       bool interior, unsigned int *idx,
				       const char **why);

/**
 * mheap_span_high() - should @s be left to drain?
 * @h: heap
 * @s: object span
 *
 * Placement: a span more than a chunk above the page allocator's lowest
 * free page is left to drain where possible, so the high regions empty
 * and can go back (see Documentation/design.rst).
 *
 * Return: true if @s sits high.
 */
static inline bool mheap_span_high(struct mheap *h, struct mheap_span *s)
{
	/*
	 * search_addr is written under mheap.lock by palloc.c; a stale value
	 * only moves one placement decision, so it is read without the lock.
	 */
	return s->lpage > data_race(READ_ONCE(h->pages.search_addr)) +
			  MHEAP_CHUNK_PAGES;
}

#endif /* _MHEAP_INTERNAL_H */
