// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite mheap_reclaim: the page reclaimer frees exactly the spans in
 * which a cycle marked nothing, keeps its surplus as credit, and saves
 * the heap from growing while such spans exist.
 */
#include <kunit/test.h>
#include <linux/slab.h>
#include "helpers.h"

struct spanset {
	void **objs;
	unsigned int n;
};

/* Allocate @n objects of @size; one per span is its first object. */
static struct spanset fill(struct kunit *test, struct mheap *h,
			   unsigned int n, size_t size)
{
	struct spanset set = { .n = n };
	unsigned int i;

	set.objs = kunit_kcalloc(test, n, sizeof(void *), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, set.objs);
	for (i = 0; i < n; i++) {
		set.objs[i] = mheap_alloc(h, size, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, set.objs[i]);
	}
	return set;
}

static bool first_of_span(struct mheap *h, void *p)
{
	return mheap_span_of(h, p)->start == (unsigned long)p;
}

/*
 * Spans of small and large objects, a third of them with one marked
 * object: reclaiming everything frees exactly the other two thirds and
 * leaves the marked spans unswept for the sweepers.
 */
static void reclaim_exact(struct kunit *test)
{
	struct mheap *h = kunit_gc_heap(test, "kunit-reclaim");
	struct spanset small = fill(test, h, 6000, 64);
	struct spanset large = fill(test, h, 30, 3 * PAGE_SIZE);
	struct spanset *sets[] = { &small, &large };
	unsigned long want_pages = 0, want_spans = 0, in_use;
	unsigned int i, k, marked_spans = 0;
	u32 sg;

	mheap_mcache_flush_all(h);
	mheap_gc_begin(h);
	for (k = 0; k < ARRAY_SIZE(sets); k++) {
		for (i = 0; i < sets[k]->n; i++) {
			void *p = sets[k]->objs[i];
			struct mheap_span *s = mheap_span_of(h, p);

			if (!first_of_span(h, p))
				continue;
			if (s->lpage % 3 == 0) {
				KUNIT_EXPECT_TRUE(test, mheap_mark(h, p));
				marked_spans++;
			} else {
				want_pages += s->npages;
				want_spans++;
			}
		}
	}
	mheap_gc_end(h);
	sg = READ_ONCE(h->gc.sweepgen);
	in_use = atomic_long_read(&h->pages_in_use);

	KUNIT_EXPECT_EQ(test, mheap_reclaim(h, ULONG_MAX / 2), want_pages);
	KUNIT_EXPECT_EQ(test, reclaim_stat(h, MHEAP_RECLAIM_SPANS),
			(long)want_spans);
	KUNIT_EXPECT_EQ(test, reclaim_stat(h, MHEAP_RECLAIM_PAGES),
			(long)want_pages);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&h->gc.reclaim_credit), 0L);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&h->pages_in_use),
			(long)(in_use - want_pages));
	/* The marked spans are untouched: unswept, objects still there. */
	for (k = 0; k < ARRAY_SIZE(sets); k++) {
		for (i = 0; i < sets[k]->n; i++) {
			void *p = sets[k]->objs[i];
			struct mheap_span *s = mheap_span_of(h, p);

			if (!s)
				continue;
			KUNIT_EXPECT_EQ(test, s->sweepgen, sg - 2);
			KUNIT_EXPECT_NE(test, mheap_ksize(h, p), (size_t)0);
		}
	}
	KUNIT_EXPECT_EQ(test, atomic_long_read(&h->gc.spans_swept),
			(long)want_spans);
	mheap_sweep_all(h);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&h->gc.spans_swept),
			(long)(want_spans + marked_spans));
	mheap_destroy(h);
}

/*
 * pages_scanned counts the chunks a scan read: a chunk whose region went
 * back to the kernel is claimed but not read, and not counted.
 */
static void reclaim_scanned_mapped(struct kunit *test)
{
	struct mheap *h = kunit_gc_heap(test, "kunit-scanmap");
	unsigned long c, end, mapped = 0;
	struct mheap_span *low;

	/* A chunk low in the heap, released once its span is gone. */
	low = mheap_alloc_manual(h, MHEAP_CHUNK_PAGES, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, low);
	fill(test, h, 4000, 128);
	mheap_free_manual(h, low);
	mheap_release_all(h);
	mheap_gc_begin(h);
	mheap_gc_end(h);
	end = READ_ONCE(h->gc.reclaim_end);
	for (c = 0; c < end; c++)
		mapped += !!READ_ONCE(h->chunk_region[c]);
	KUNIT_ASSERT_LT(test, mapped, end);
	KUNIT_ASSERT_GT(test, mapped, 0UL);
	KUNIT_EXPECT_GT(test, mheap_reclaim(h, ULONG_MAX >> 1), 0UL);
	KUNIT_EXPECT_EQ(test, reclaim_stat(h, MHEAP_RECLAIM_PAGES_SCANNED),
			(long)(mapped * MHEAP_CHUNK_PAGES));
	mheap_sweep_all(h);
	mheap_destroy(h);
}

/* Surplus goes to credit; later callers are paid from it first. */
static void reclaim_credit(struct kunit *test)
{
	struct mheap *h = kunit_gc_heap(test, "kunit-credit");
	long found, scanned;

	fill(test, h, 4000, 128);
	mheap_mcache_flush_all(h);
	mheap_gc_begin(h);
	mheap_gc_end(h);
	KUNIT_EXPECT_EQ(test, mheap_reclaim(h, 1), 1UL);
	found = reclaim_stat(h, MHEAP_RECLAIM_PAGES);
	KUNIT_ASSERT_GT(test, found, 3L);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&h->gc.reclaim_credit), found - 1);
	scanned = reclaim_stat(h, MHEAP_RECLAIM_PAGES_SCANNED);
	KUNIT_EXPECT_EQ(test, scanned, (long)MHEAP_CHUNK_PAGES);

	KUNIT_EXPECT_EQ(test, mheap_reclaim(h, 2), 2UL);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&h->gc.reclaim_credit), found - 3);
	KUNIT_EXPECT_EQ(test, reclaim_stat(h, MHEAP_RECLAIM_PAGES_SCANNED),
			scanned);
	KUNIT_EXPECT_EQ(test, reclaim_stat(h, MHEAP_RECLAIM_PAGES), found);

	/* Once the sweep is done there is nothing to reclaim. */
	mheap_sweep_all(h);
	scanned = reclaim_stat(h, MHEAP_RECLAIM_CALLS);
	KUNIT_EXPECT_EQ(test, mheap_reclaim(h, 100), 0UL);
	KUNIT_EXPECT_EQ(test, reclaim_stat(h, MHEAP_RECLAIM_CALLS), scanned);
	mheap_destroy(h);
}

/*
 * A heap full of dead spans of one class: allocating half as much again
 * in another class, and as large objects, reuses their pages through the
 * reclaimer instead of growing (proportional sweep is switched off so
 * the reclaimer has to do it).  Allocating more grows the heap only once
 * every dead page was reclaimed.
 */
static void reclaim_before_grow(struct kunit *test)
{
	struct mheap *h = kunit_gc_heap(test, "kunit-nogrow");
	unsigned long committed0;
	long grows0, dead;
	unsigned int i;

	fill(test, h, 8192, 512);
	mheap_mcache_flush_all(h);
	mheap_gc_begin(h);
	mheap_gc_end(h);
	WRITE_ONCE(h->gc.ppb_q32, 0);
	grows0 = counter(h, MHEAP_CNT_GROWS);
	committed0 = committed(h);
	dead = atomic_long_read(&h->pages_in_use);

	for (i = 0; i < 512; i++)
		KUNIT_ASSERT_NOT_NULL(test, mheap_alloc(h, 2048, GFP_KERNEL));
	for (i = 0; i < 32; i++)
		KUNIT_ASSERT_NOT_NULL(test, mheap_alloc(h, 8 * PAGE_SIZE,
							GFP_KERNEL));
	KUNIT_EXPECT_EQ(test, counter(h, MHEAP_CNT_GROWS), grows0);
	KUNIT_EXPECT_EQ(test, committed(h), committed0);
	KUNIT_EXPECT_GT(test, reclaim_stat(h, MHEAP_RECLAIM_PAGES), 0L);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&h->gc.swept_by[MHEAP_SWEEP_PROPORTIONAL]),
			0L);

	/* 6 MiB more: past all that was committed. */
	for (i = 0; i < 3072; i++)
		KUNIT_ASSERT_NOT_NULL(test, mheap_alloc(h, 2048, GFP_KERNEL));
	KUNIT_EXPECT_GT(test, counter(h, MHEAP_CNT_GROWS), grows0);
	KUNIT_EXPECT_EQ(test, reclaim_stat(h, MHEAP_RECLAIM_PAGES), dead);
	mheap_destroy(h);
}

static struct kunit_case mheap_reclaim_cases[] = {
	KUNIT_CASE(reclaim_exact),
	KUNIT_CASE(reclaim_credit),
	KUNIT_CASE(reclaim_scanned_mapped),
	KUNIT_CASE(reclaim_before_grow),
	{}
};

static struct kunit_suite mheap_reclaim_suite = {
	.name = "mheap_reclaim",
	.test_cases = mheap_reclaim_cases,
};

kunit_test_suites(&mheap_reclaim_suite);
