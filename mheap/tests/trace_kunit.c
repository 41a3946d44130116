// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite mheap_trace: the events of include/trace/events/mheap.h
 * fire when their action happens, once, with the heap, span, region,
 * class and counts of that action as arguments, and not otherwise.  The
 * suite registers its own probes on the tracepoints mheap/trace.c
 * exports to KUnit kernels; nothing needs tracefs.
 */
#include <kunit/test.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include "helpers.h"
#include <trace/events/mheap.h>

#define TR_HEAP		"kunit-trace"

enum tr_event {
	TR_HEAP_CREATE,
	TR_HEAP_DESTROY,
	TR_REGION_MAP,
	TR_REGION_RELEASE,
	TR_LIMIT_FAIL,
	TR_SCAVENGE,
	TR_SPAN_ALLOC,
	TR_SPAN_FREE,
	TR_REFILL,
	TR_GC_BEGIN,
	TR_GC_END,
	TR_SWEEP_SPAN,
	TR_BAD_FREE,
	TR_COUNT,
};

/* What the probes saw of the watched heap: hits, last arguments. */
struct tr_seen {
	unsigned int hits[TR_COUNT];
	struct mheap *created;
	unsigned long destroy_cycles;
	long destroy_in_use;
	struct mheap_region *mapped, *released;
	unsigned long mapped_pages, released_pages;
	unsigned long limit_pages;
	int scav_src;
	unsigned long scav_want, scav_released;
	struct mheap_span *span_alloc, *span_free;
	unsigned long alloc_pages, free_pages;
	unsigned int alloc_class, free_class;
	bool alloc_manual;
	struct mheap_span *refill;
	unsigned int refill_class;
	unsigned long cycle[2];
	u32 sweepgen[2];
	unsigned long swept_objects, swept_pages;
	u32 sweep_sg;
	bool sweep_sg_mismatch, sweep_bad_src;
	char reason[48];
};

/* Probes run in any context, on any CPU. */
struct tr_rec {
	spinlock_t lock;	/* protects seen; heap is written under it */
	struct mheap *heap;
	struct tr_seen seen;
};

static struct tr_rec rec = {
	.lock = __SPIN_LOCK_UNLOCKED(rec.lock),
};

/*
 * Whether @h is the watched heap.  The case sets the heap before it acts
 * on it and clears it after, so a probe reads it without the lock.
 */
static bool tr_watched(struct tr_rec *r, struct mheap *h)
{
	return READ_ONCE(r->heap) == h;
}

/* Creation: the heap is not watched yet; its name says it is ours. */
static void probe_heap_create(void *data, struct mheap *h)
{
	struct tr_rec *r = data;
	unsigned long flags;

	if (strcmp(h->name, TR_HEAP))
		return;
	spin_lock_irqsave(&r->lock, flags);
	r->seen.hits[TR_HEAP_CREATE]++;
	r->seen.created = h;
	spin_unlock_irqrestore(&r->lock, flags);
}

static void probe_heap_destroy(void *data, struct mheap *h)
{
	struct tr_rec *r = data;
	unsigned long flags;

	if (!tr_watched(r, h))
		return;
	spin_lock_irqsave(&r->lock, flags);
	r->seen.hits[TR_HEAP_DESTROY]++;
	r->seen.destroy_cycles = h->gc.cycles;
	r->seen.destroy_in_use = atomic_long_read(&h->pages_in_use);
	spin_unlock_irqrestore(&r->lock, flags);
}

static void probe_region_map(void *data, struct mheap *h,
			     struct mheap_region *reg)
{
	struct tr_rec *r = data;
	unsigned long flags;

	if (!tr_watched(r, h))
		return;
	spin_lock_irqsave(&r->lock, flags);
	r->seen.hits[TR_REGION_MAP]++;
	r->seen.mapped = reg;
	r->seen.mapped_pages = reg->npages;
	spin_unlock_irqrestore(&r->lock, flags);
}

static void probe_region_release(void *data, struct mheap *h,
				 struct mheap_region *reg)
{
	struct tr_rec *r = data;
	unsigned long flags;

	if (!tr_watched(r, h))
		return;
	spin_lock_irqsave(&r->lock, flags);
	r->seen.hits[TR_REGION_RELEASE]++;
	r->seen.released = reg;
	r->seen.released_pages = reg->npages;
	spin_unlock_irqrestore(&r->lock, flags);
}

static void probe_limit_fail(void *data, struct mheap *h, unsigned long pages)
{
	struct tr_rec *r = data;
	unsigned long flags;

	if (!tr_watched(r, h))
		return;
	spin_lock_irqsave(&r->lock, flags);
	r->seen.hits[TR_LIMIT_FAIL]++;
	r->seen.limit_pages = pages;
	spin_unlock_irqrestore(&r->lock, flags);
}

static void probe_scavenge(void *data, struct mheap *h, int src,
			   unsigned long want, unsigned long released)
{
	struct tr_rec *r = data;
	unsigned long flags;

	if (!tr_watched(r, h))
		return;
	spin_lock_irqsave(&r->lock, flags);
	r->seen.hits[TR_SCAVENGE]++;
	r->seen.scav_src = src;
	r->seen.scav_want = want;
	r->seen.scav_released = released;
	spin_unlock_irqrestore(&r->lock, flags);
}

static void probe_span_alloc(void *data, struct mheap *h, struct mheap_span *s,
			     bool manual)
{
	struct tr_rec *r = data;
	unsigned long flags;

	if (!tr_watched(r, h))
		return;
	spin_lock_irqsave(&r->lock, flags);
	r->seen.hits[TR_SPAN_ALLOC]++;
	r->seen.span_alloc = s;
	r->seen.alloc_pages = s->npages;
	r->seen.alloc_class = mheap_spanclass_sizeclass(s->spanclass);
	r->seen.alloc_manual = manual;
	spin_unlock_irqrestore(&r->lock, flags);
}

static void probe_span_free(void *data, struct mheap *h, struct mheap_span *s)
{
	struct tr_rec *r = data;
	unsigned long flags;

	if (!tr_watched(r, h))
		return;
	spin_lock_irqsave(&r->lock, flags);
	r->seen.hits[TR_SPAN_FREE]++;
	r->seen.span_free = s;
	r->seen.free_pages = s->npages;
	r->seen.free_class = mheap_spanclass_sizeclass(s->spanclass);
	spin_unlock_irqrestore(&r->lock, flags);
}

static void probe_mcentral_refill(void *data, struct mheap *h, struct mheap_span *s)
{
	struct tr_rec *r = data;
	unsigned long flags;

	if (!tr_watched(r, h))
		return;
	spin_lock_irqsave(&r->lock, flags);
	r->seen.hits[TR_REFILL]++;
	r->seen.refill = s;
	r->seen.refill_class = mheap_spanclass_sizeclass(s->spanclass);
	spin_unlock_irqrestore(&r->lock, flags);
}

static void probe_gc(struct tr_rec *r, struct mheap *h, unsigned long cycle,
		     int end)
{
	unsigned long flags;

	if (!tr_watched(r, h))
		return;
	spin_lock_irqsave(&r->lock, flags);
	r->seen.hits[end ? TR_GC_END : TR_GC_BEGIN]++;
	r->seen.cycle[end] = cycle;
	r->seen.sweepgen[end] = READ_ONCE(h->gc.sweepgen);
	spin_unlock_irqrestore(&r->lock, flags);
}

static void probe_gc_begin(void *data, struct mheap *h, unsigned long cycle)
{
	probe_gc(data, h, cycle, 0);
}

static void probe_gc_end(void *data, struct mheap *h, unsigned long cycle)
{
	probe_gc(data, h, cycle, 1);
}

static void probe_sweep_span(void *data, struct mheap *h, struct mheap_span *s,
			     u32 sg, int src, unsigned int freed)
{
	struct tr_rec *r = data;
	unsigned long flags;

	if (!tr_watched(r, h))
		return;
	spin_lock_irqsave(&r->lock, flags);
	r->seen.hits[TR_SWEEP_SPAN]++;
	r->seen.swept_objects += freed;
	r->seen.swept_pages += s->npages;
	/* Every span of one cycle's sweep is swept to the heap's generation. */
	if (sg != READ_ONCE(h->gc.sweepgen))
		r->seen.sweep_sg_mismatch = true;
	if (src < 0 || src >= MHEAP_SWEEP_SRC_COUNT)
		r->seen.sweep_bad_src = true;
	r->seen.sweep_sg = sg;
	spin_unlock_irqrestore(&r->lock, flags);
}

static void probe_bad_free(void *data, struct mheap *h, const char *reason)
{
	struct tr_rec *r = data;
	unsigned long flags;

	if (!tr_watched(r, h))
		return;
	spin_lock_irqsave(&r->lock, flags);
	r->seen.hits[TR_BAD_FREE]++;
	strscpy(r->seen.reason, reason, sizeof(r->seen.reason));
	spin_unlock_irqrestore(&r->lock, flags);
}

/* Hits of @ev so far. */
static unsigned int hits(enum tr_event ev)
{
	unsigned long flags;
	unsigned int n;

	spin_lock_irqsave(&rec.lock, flags);
	n = rec.seen.hits[ev];
	spin_unlock_irqrestore(&rec.lock, flags);
	return n;
}

/* A copy of what the probes saw, taken under the lock. */
static void tr_read(struct tr_seen *out)
{
	unsigned long flags;

	spin_lock_irqsave(&rec.lock, flags);
	memcpy(out, &rec.seen, sizeof(*out));
	spin_unlock_irqrestore(&rec.lock, flags);
}

static void tr_watch(struct mheap *h)
{
	unsigned long flags;

	spin_lock_irqsave(&rec.lock, flags);
	WRITE_ONCE(rec.heap, h);
	spin_unlock_irqrestore(&rec.lock, flags);
}

/* Forget everything seen so far, keep watching the same heap. */
static void tr_reset(void)
{
	unsigned long flags;

	spin_lock_irqsave(&rec.lock, flags);
	memset(&rec.seen, 0, sizeof(rec.seen));
	spin_unlock_irqrestore(&rec.lock, flags);
}

static void destroy_heap(void *h)
{
	mheap_destroy(h);
}

/* A watched heap, destroyed when the case ends. */
static struct mheap *tr_heap(struct kunit *test, unsigned long limit,
			     unsigned int flags)
{
	struct mheap *h = kunit_mheap_flags(test, TR_HEAP, MHEAP_REGION_AUTO,
					    limit, flags);

	mheap_bgsweep_set(h, false);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, destroy_heap, h), 0);
	tr_watch(h);
	tr_reset();
	return h;
}

/* === Probes on and off =============================================== */

/* Typed register and unregister calls of one event, for the table below. */
#define TR_PROBE(ev)							\
	static int tr_reg_##ev(void)					\
	{								\
		return register_trace_mheap_##ev(probe_##ev, &rec);	\
	}								\
	static void tr_unreg_##ev(void)					\
	{								\
		unregister_trace_mheap_##ev(probe_##ev, &rec);		\
	}

TR_PROBE(heap_create)
TR_PROBE(heap_destroy)
TR_PROBE(region_map)
TR_PROBE(region_release)
TR_PROBE(limit_fail)
TR_PROBE(scavenge)
TR_PROBE(span_alloc)
TR_PROBE(span_free)
TR_PROBE(mcentral_refill)
TR_PROBE(gc_begin)
TR_PROBE(gc_end)
TR_PROBE(sweep_span)
TR_PROBE(bad_free)

#define TR_ENTRY(ev)	{ tr_reg_##ev, tr_unreg_##ev }

static const struct {
	int (*reg)(void);
	void (*unreg)(void);
} tr_probes[] = {
	TR_ENTRY(heap_create), TR_ENTRY(heap_destroy), TR_ENTRY(region_map),
	TR_ENTRY(region_release), TR_ENTRY(limit_fail), TR_ENTRY(scavenge),
	TR_ENTRY(span_alloc), TR_ENTRY(span_free), TR_ENTRY(mcentral_refill),
	TR_ENTRY(gc_begin), TR_ENTRY(gc_end), TR_ENTRY(sweep_span),
	TR_ENTRY(bad_free),
};

/* Unregister the first @n probes; none runs any more on return. */
static void tr_unregister(unsigned int n)
{
	while (n--)
		tr_probes[n].unreg();
	tracepoint_synchronize_unregister();
}

static int trace_test_init(struct kunit *test)
{
	unsigned int i;
	int err;

	tr_watch(NULL);
	tr_reset();
	for (i = 0; i < ARRAY_SIZE(tr_probes); i++) {
		err = tr_probes[i].reg();
		if (err) {
			tr_unregister(i);
			return err;
		}
	}
	return 0;
}

static void trace_test_exit(struct kunit *test)
{
	tr_unregister(ARRAY_SIZE(tr_probes));
	tr_watch(NULL);
}

/* === Heaps =========================================================== */

static void trace_heap_life(struct kunit *test)
{
	struct tr_seen r;
	struct mheap *h;
	void *p;

	h = mheap_create(TR_HEAP, NULL);
	KUNIT_ASSERT_FALSE(test, IS_ERR(h));
	KUNIT_EXPECT_EQ(test, hits(TR_HEAP_CREATE), 1U);
	tr_read(&r);
	KUNIT_EXPECT_PTR_EQ(test, r.created, h);
	tr_watch(h);

	/* Its life in between creates and destroys nothing. */
	p = mheap_alloc(h, 64, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p);
	mheap_gc_begin(h);
	KUNIT_EXPECT_TRUE(test, mheap_mark(h, p));
	mheap_gc_end(h);
	mheap_gc_begin(h);
	KUNIT_EXPECT_TRUE(test, mheap_mark(h, p));
	mheap_gc_end(h);
	mheap_release_all(h);
	KUNIT_EXPECT_EQ(test, hits(TR_HEAP_CREATE), 1U);
	KUNIT_EXPECT_EQ(test, hits(TR_HEAP_DESTROY), 0U);

	/* Another heap's creation is not this one's. */
	KUNIT_EXPECT_EQ(test, PTR_ERR(mheap_create(TR_HEAP, NULL)), -EEXIST);
	KUNIT_EXPECT_EQ(test, hits(TR_HEAP_CREATE), 1U);

	mheap_destroy(h);
	tr_read(&r);
	KUNIT_EXPECT_EQ(test, r.hits[TR_HEAP_DESTROY], 1U);
	/* Fired first, on the heap as it was: two cycles, a live object. */
	KUNIT_EXPECT_EQ(test, r.destroy_cycles, 2UL);
	KUNIT_EXPECT_GT(test, r.destroy_in_use, 0L);
	tr_watch(NULL);
}

/* === Regions and the limit =========================================== */

static void trace_regions(struct kunit *test)
{
	struct mheap *h = tr_heap(test, 0, 0);
	struct mheap_span *s;
	struct tr_seen r;

	s = mheap_alloc_manual(h, 1, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, s);
	tr_read(&r);
	KUNIT_EXPECT_EQ(test, r.hits[TR_REGION_MAP], 1U);
	KUNIT_EXPECT_PTR_EQ(test, r.mapped, s->region);
	KUNIT_EXPECT_EQ(test, r.mapped_pages, (unsigned long)MHEAP_CHUNK_PAGES);
	KUNIT_EXPECT_EQ(test, r.hits[TR_REGION_RELEASE], 0U);

	/* Room in the region: no new one. */
	mheap_free_manual(h, mheap_alloc_manual(h, 100, GFP_KERNEL));
	KUNIT_EXPECT_EQ(test, hits(TR_REGION_MAP), 1U);

	/* A region with a page in use stays; the call still reports. */
	mheap_trim_all(h);
	tr_read(&r);
	KUNIT_EXPECT_EQ(test, r.hits[TR_REGION_RELEASE], 0U);
	KUNIT_EXPECT_EQ(test, r.hits[TR_SCAVENGE], 1U);
	KUNIT_EXPECT_EQ(test, r.scav_released, 0UL);

	mheap_free_manual(h, s);
	mheap_trim_all(h);
	tr_read(&r);
	KUNIT_EXPECT_EQ(test, r.hits[TR_REGION_RELEASE], 1U);
	KUNIT_EXPECT_PTR_EQ(test, r.released, r.mapped);
	KUNIT_EXPECT_EQ(test, r.released_pages, (unsigned long)MHEAP_CHUNK_PAGES);
	KUNIT_EXPECT_EQ(test, r.hits[TR_SCAVENGE], 2U);
	KUNIT_EXPECT_EQ(test, r.scav_src, (int)MHEAP_SRC_EXPLICIT);
	KUNIT_EXPECT_EQ(test, r.scav_want, ULONG_MAX);
	KUNIT_EXPECT_EQ(test, r.scav_released, (unsigned long)MHEAP_CHUNK_PAGES);
	KUNIT_EXPECT_EQ(test, r.hits[TR_REGION_MAP], 1U);

	/* mheap_scavenge() asks for pages: what it asked shows. */
	s = mheap_alloc_manual(h, 1, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, s);
	mheap_free_manual(h, s);
	KUNIT_EXPECT_EQ(test, mheap_scavenge(h, 3 * PAGE_SIZE + 1),
			(size_t)MHEAP_CHUNK_BYTES);
	tr_read(&r);
	KUNIT_EXPECT_EQ(test, r.hits[TR_SCAVENGE], 3U);
	KUNIT_EXPECT_EQ(test, r.scav_want, 4UL);
	KUNIT_EXPECT_EQ(test, r.scav_released, (unsigned long)MHEAP_CHUNK_PAGES);
	KUNIT_EXPECT_EQ(test, r.hits[TR_REGION_MAP], 2U);
	KUNIT_EXPECT_EQ(test, r.hits[TR_REGION_RELEASE], 2U);
}

static void trace_limit_fail(struct kunit *test)
{
	struct mheap *h = tr_heap(test, MHEAP_CHUNK_BYTES, 0);
	struct mheap_span *s;
	struct tr_seen r;

	/* Within the limit: no event. */
	s = mheap_alloc_manual(h, 100, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, s);
	KUNIT_EXPECT_EQ(test, hits(TR_LIMIT_FAIL), 0U);

	/* Two chunks would pass it. */
	KUNIT_EXPECT_NULL(test, mheap_alloc_manual(h, 600, GFP_KERNEL));
	tr_read(&r);
	KUNIT_EXPECT_GE(test, r.hits[TR_LIMIT_FAIL], 1U);
	KUNIT_EXPECT_EQ(test, (long)r.hits[TR_LIMIT_FAIL],
			counter(h, MHEAP_CNT_LIMIT_FAILS));
	KUNIT_EXPECT_EQ(test, r.limit_pages, 2UL * MHEAP_CHUNK_PAGES);
	/* The chunk of the first span only. */
	KUNIT_EXPECT_EQ(test, r.hits[TR_REGION_MAP], 1U);
	mheap_free_manual(h, s);
}

/* === Spans =========================================================== */

static void trace_span_manual(struct kunit *test)
{
	struct mheap *h = tr_heap(test, 0, 0);
	struct mheap_span *s;
	struct tr_seen r;

	s = mheap_alloc_manual(h, 7, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, s);
	tr_read(&r);
	KUNIT_EXPECT_EQ(test, r.hits[TR_SPAN_ALLOC], 1U);
	KUNIT_EXPECT_PTR_EQ(test, r.span_alloc, s);
	KUNIT_EXPECT_EQ(test, r.alloc_pages, 7UL);
	KUNIT_EXPECT_EQ(test, r.alloc_class, 0U);
	KUNIT_EXPECT_TRUE(test, r.alloc_manual);
	KUNIT_EXPECT_EQ(test, r.hits[TR_SPAN_FREE], 0U);
	KUNIT_EXPECT_EQ(test, r.hits[TR_REFILL], 0U);

	mheap_free_manual(h, s);
	tr_read(&r);
	KUNIT_EXPECT_EQ(test, r.hits[TR_SPAN_FREE], 1U);
	KUNIT_EXPECT_PTR_EQ(test, r.span_free, s);
	KUNIT_EXPECT_EQ(test, r.free_pages, 7UL);
	KUNIT_EXPECT_EQ(test, r.hits[TR_SPAN_ALLOC], 1U);
	KUNIT_EXPECT_EQ(test, r.hits[TR_BAD_FREE], 0U);
}

static void trace_span_objects(struct kunit *test)
{
	struct mheap *h = tr_heap(test, 0, 0);
	unsigned int cls = mheap_size_to_class(64);
	unsigned int cls2 = mheap_size_to_class(1000);
	struct mheap_span *s;
	void *p, *q, *big;
	struct tr_seen r;

	/* A fresh heap: the first object takes a fresh span to a CPU. */
	p = mheap_alloc(h, 64, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p);
	s = mheap_span_of(h, p);
	tr_read(&r);
	KUNIT_EXPECT_EQ(test, r.hits[TR_SPAN_ALLOC], 1U);
	KUNIT_EXPECT_PTR_EQ(test, r.span_alloc, s);
	KUNIT_EXPECT_FALSE(test, r.alloc_manual);
	KUNIT_EXPECT_EQ(test, r.alloc_class, cls);
	KUNIT_EXPECT_EQ(test, r.alloc_pages, (unsigned long)mheap_class_npages[cls]);
	KUNIT_EXPECT_EQ(test, r.hits[TR_REFILL], 1U);
	KUNIT_EXPECT_PTR_EQ(test, r.refill, s);
	KUNIT_EXPECT_EQ(test, r.refill_class, cls);

	/* Another class: its own span and refill. */
	q = mheap_alloc(h, 1000, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, q);
	tr_read(&r);
	KUNIT_EXPECT_EQ(test, r.hits[TR_SPAN_ALLOC], 2U);
	KUNIT_EXPECT_EQ(test, r.alloc_class, cls2);
	KUNIT_EXPECT_EQ(test, r.hits[TR_REFILL], 2U);
	KUNIT_EXPECT_EQ(test, r.refill_class, cls2);
	KUNIT_EXPECT_PTR_EQ(test, r.refill, mheap_span_of(h, q));

	/* A large object: a span of class 0, no refill. */
	big = mheap_alloc(h, 100000, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, big);
	tr_read(&r);
	KUNIT_EXPECT_EQ(test, r.hits[TR_SPAN_ALLOC], 3U);
	KUNIT_EXPECT_PTR_EQ(test, r.span_alloc, mheap_span_of(h, big));
	KUNIT_EXPECT_EQ(test, r.alloc_class, 0U);
	KUNIT_EXPECT_FALSE(test, r.alloc_manual);
	KUNIT_EXPECT_EQ(test, r.alloc_pages, DIV_ROUND_UP(100000UL, PAGE_SIZE));
	KUNIT_EXPECT_EQ(test, r.hits[TR_REFILL], 2U);

	/* Freeing a small object keeps its span; a large one's span goes. */
	mheap_free(h, q);
	KUNIT_EXPECT_EQ(test, hits(TR_SPAN_FREE), 0U);
	s = mheap_span_of(h, big);
	mheap_free(h, big);
	tr_read(&r);
	KUNIT_EXPECT_EQ(test, r.hits[TR_SPAN_FREE], 1U);
	KUNIT_EXPECT_PTR_EQ(test, r.span_free, s);
	KUNIT_EXPECT_EQ(test, r.free_class, 0U);
	KUNIT_EXPECT_EQ(test, r.free_pages, DIV_ROUND_UP(100000UL, PAGE_SIZE));
	KUNIT_EXPECT_EQ(test, r.hits[TR_SPAN_ALLOC], 3U);
	mheap_free(h, p);
	KUNIT_EXPECT_EQ(test, hits(TR_BAD_FREE), 0U);
}

/* === Collection cycles =============================================== */

#define TR_OBJS	300

static void trace_gc_cycle(struct kunit *test)
{
	struct mheap *h = kunit_gc_heap(test, TR_HEAP);
	void **objs = kunit_kcalloc(test, TR_OBJS, sizeof(*objs), GFP_KERNEL);
	unsigned int cls = mheap_size_to_class(64), i;
	struct tr_seen r;
	long freed;

	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, destroy_heap, h), 0);
	KUNIT_ASSERT_NOT_NULL(test, objs);
	tr_watch(h);
	for (i = 0; i < TR_OBJS; i++) {
		objs[i] = mheap_alloc(h, 64, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, objs[i]);
	}
	tr_reset();

	mheap_gc_begin(h);
	tr_read(&r);
	KUNIT_EXPECT_EQ(test, r.hits[TR_GC_BEGIN], 1U);
	KUNIT_EXPECT_EQ(test, r.hits[TR_GC_END], 0U);
	KUNIT_EXPECT_EQ(test, r.cycle[0], 1UL);
	/* Nothing to sweep before the first cycle ends. */
	KUNIT_EXPECT_EQ(test, r.swept_objects, 0UL);
	/* Begin while marking: nothing happens. */
	mheap_gc_begin(h);
	KUNIT_EXPECT_EQ(test, hits(TR_GC_BEGIN), 1U);
	/* One object in three lives. */
	for (i = 0; i < TR_OBJS; i += 3)
		KUNIT_EXPECT_TRUE(test, mheap_mark(h, objs[i]));
	KUNIT_EXPECT_EQ(test, hits(TR_GC_END), 0U);
	freed = atomic_long_read(&h->gc.objects_freed);
	mheap_gc_end(h);
	tr_read(&r);
	KUNIT_EXPECT_EQ(test, r.hits[TR_GC_END], 1U);
	KUNIT_EXPECT_EQ(test, r.cycle[1], 1UL);
	KUNIT_EXPECT_EQ(test, r.sweepgen[1], r.sweepgen[0] + 2);
	KUNIT_EXPECT_EQ(test, r.sweepgen[1], READ_ONCE(h->gc.sweepgen));
	/* Closed: ending again does nothing. */
	mheap_gc_end(h);
	KUNIT_EXPECT_EQ(test, hits(TR_GC_END), 1U);

	mheap_sweep_all(h);
	tr_read(&r);
	/* Each span of the class swept once; what they freed adds up. */
	KUNIT_EXPECT_GE(test, r.hits[TR_SWEEP_SPAN],
			DIV_ROUND_UP(TR_OBJS, (unsigned int)mheap_class_nelems[cls]));
	KUNIT_EXPECT_EQ(test, r.swept_objects, (unsigned long)(TR_OBJS - TR_OBJS / 3));
	KUNIT_EXPECT_EQ(test, (long)r.swept_objects,
			atomic_long_read(&h->gc.objects_freed) - freed);
	KUNIT_EXPECT_EQ(test, (long)r.swept_pages,
			atomic_long_read(&h->gc.pages_swept));
	KUNIT_EXPECT_EQ(test, r.sweep_sg, READ_ONCE(h->gc.sweepgen));
	KUNIT_EXPECT_FALSE(test, r.sweep_sg_mismatch);
	KUNIT_EXPECT_FALSE(test, r.sweep_bad_src);
	KUNIT_EXPECT_EQ(test, r.hits[TR_GC_BEGIN], 1U);
	KUNIT_EXPECT_EQ(test, r.hits[TR_GC_END], 1U);

	/* The swept heap sweeps nothing more. */
	i = hits(TR_SWEEP_SPAN);
	mheap_sweep_all(h);
	KUNIT_EXPECT_EQ(test, hits(TR_SWEEP_SPAN), i);

	/* The next cycle has the next number. */
	mheap_gc_begin(h);
	mheap_gc_end(h);
	tr_read(&r);
	KUNIT_EXPECT_EQ(test, r.cycle[0], 2UL);
	KUNIT_EXPECT_EQ(test, r.cycle[1], 2UL);
	KUNIT_EXPECT_EQ(test, r.hits[TR_GC_BEGIN], 2U);
	KUNIT_EXPECT_EQ(test, r.hits[TR_GC_END], 2U);
	KUNIT_EXPECT_EQ(test, READ_ONCE(h->gc.cycles), 2UL);
}

/* === Refused frees =================================================== */

static void expect_bad_free(struct kunit *test, struct mheap *h,
			    unsigned int n, const char *reason)
{
	struct tr_seen r;

	tr_read(&r);
	KUNIT_EXPECT_EQ(test, r.hits[TR_BAD_FREE], n);
	KUNIT_EXPECT_EQ(test, (long)r.hits[TR_BAD_FREE],
			counter(h, MHEAP_CNT_BAD_FREES));
	KUNIT_EXPECT_STREQ(test, r.reason, reason);
}

static void trace_bad_free(struct kunit *test)
{
	struct mheap *h = tr_heap(test, 0, 0);
	struct mheap *o = kunit_mheap(test, "kunit-trace2", MHEAP_REGION_AUTO, 0);
	struct mheap_span *manual, *other;
	u8 *a;
	int on_stack;

	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, destroy_heap, o), 0);
	a = mheap_alloc(h, 64, GFP_KERNEL);
	manual = mheap_alloc_manual(h, 1, GFP_KERNEL);
	other = mheap_alloc_manual(o, 1, GFP_KERNEL);
	KUNIT_ASSERT_TRUE(test, a && manual && other);

	mheap_free(h, a + 8);
	expect_bad_free(test, h, 1, "interior pointer");
	mheap_free(h, &on_stack);
	expect_bad_free(test, h, 2, "not an object of this heap");
	mheap_free(h, mheap_span_base(manual));
	expect_bad_free(test, h, 3, "not an object (a manual span?)");
	mheap_free_manual(h, other);
	expect_bad_free(test, h, 4, "not a live manual span of this heap");

	/* Good frees, and frees that are no-ops, fire nothing. */
	mheap_free(h, NULL);
	mheap_free_manual(h, NULL);
	mheap_free(h, a);
	mheap_free_manual(h, manual);
	mheap_free_manual(o, other);
	expect_bad_free(test, h, 4, "not a live manual span of this heap");
	KUNIT_EXPECT_EQ(test, counter(o, MHEAP_CNT_BAD_FREES), 0L);
}

/* A heap checking every free: the second free of an object is refused. */
static void trace_bad_free_double(struct kunit *test)
{
	struct mheap *h = tr_heap(test, 0, MHEAP_DEBUG_FREES);
	void *a = mheap_alloc(h, 64, GFP_KERNEL);
	void *big = mheap_alloc(h, 100000, GFP_KERNEL);

	KUNIT_ASSERT_TRUE(test, a && big);
	mheap_free(h, a);
	KUNIT_EXPECT_EQ(test, hits(TR_BAD_FREE), 0U);
	mheap_free(h, a);
	expect_bad_free(test, h, 1, "double free");
	mheap_free(h, (u8 *)big + 64);
	expect_bad_free(test, h, 2, "interior pointer of a large object");
	mheap_free(h, big);
	KUNIT_EXPECT_EQ(test, hits(TR_BAD_FREE), 2U);
}

static struct kunit_case mheap_trace_cases[] = {
	KUNIT_CASE(trace_heap_life),
	KUNIT_CASE(trace_regions),
	KUNIT_CASE(trace_limit_fail),
	KUNIT_CASE(trace_span_manual),
	KUNIT_CASE(trace_span_objects),
	KUNIT_CASE(trace_gc_cycle),
	KUNIT_CASE(trace_bad_free),
	KUNIT_CASE(trace_bad_free_double),
	{}
};

static struct kunit_suite mheap_trace_suite = {
	.name = "mheap_trace",
	.init = trace_test_init,
	.exit = trace_test_exit,
	.test_cases = mheap_trace_cases,
};

kunit_test_suites(&mheap_trace_suite);
