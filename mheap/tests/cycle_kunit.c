// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite mheap_cycle: the collection cycle itself.  mheap_mark()
 * marks exactly the objects of the heap an address falls in, and only
 * while a cycle is open; objects allocated during marking are allocated
 * marked; mheap_gc_begin() and mheap_gc_end() do nothing when repeated,
 * and the next cycle's begin finishes the last one's sweep.
 */
#include <kunit/test.h>
#include <linux/slab.h>
#include "helpers.h"

/* Any address inside an object marks it; nothing else can be marked. */
static void cycle_interior_pointers(struct kunit *test)
{
	struct mheap *h = kunit_gc_heap(test, "kunit-interior");
	u8 *a = mheap_alloc(h, 48, GFP_KERNEL);
	u8 *b = mheap_alloc(h, 48, GFP_KERNEL);
	u8 *big = mheap_alloc(h, 5 * PAGE_SIZE, GFP_KERNEL);
	u8 *c = mheap_alloc(h, 48, GFP_KERNEL);
	void *km = kmalloc(48, GFP_KERNEL);
	struct mheap_span *manual = mheap_alloc_manual(h, 1, GFP_KERNEL);

	KUNIT_ASSERT_TRUE(test, a && b && big && c && km && manual);
	KUNIT_EXPECT_FALSE(test, mheap_mark(h, a));	/* no cycle open */
	mheap_free(h, c);
	mheap_gc_begin(h);
	KUNIT_EXPECT_TRUE(test, mheap_mark(h, a + 47));
	KUNIT_EXPECT_TRUE(test, mheap_mark(h, big + 3 * PAGE_SIZE + 5));
	KUNIT_EXPECT_FALSE(test, mheap_mark(h, c));	/* a free slot */
	KUNIT_EXPECT_FALSE(test, mheap_mark(h, km));	/* kmalloc's */
	KUNIT_EXPECT_FALSE(test, mheap_mark(h, mheap_span_base(manual)));
	KUNIT_EXPECT_FALSE(test, mheap_mark(h, NULL));
	mheap_gc_end(h);
	mheap_sweep_all(h);
	KUNIT_EXPECT_EQ(test, mheap_ksize(h, a), (size_t)48);
	KUNIT_EXPECT_EQ(test, mheap_ksize(h, b), (size_t)0);
	KUNIT_EXPECT_EQ(test, mheap_ksize(h, big), (size_t)5 * PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, mheap_span_npages(manual), 1UL);
	mheap_free(h, a);
	mheap_free(h, big);
	mheap_free_manual(h, manual);
	KUNIT_EXPECT_EQ(test, counter(h, MHEAP_CNT_BAD_FREES), 0L);
	kfree(km);
	mheap_destroy(h);
}

/* Objects allocated while marking is open are allocated marked. */
static void cycle_alloc_during_marking(struct kunit *test)
{
	struct mheap *h = kunit_gc_heap(test, "kunit-black");
	struct obj o[64];
	unsigned int i;

	mheap_gc_begin(h);
	for (i = 0; i < ARRAY_SIZE(o); i++) {
		o[i].size = i % 8 ? 16 * i + 1 : 40000;
		o[i].p = mheap_alloc(h, o[i].size, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, o[i].p);
		fill_obj(&o[i], i);
	}
	mheap_gc_end(h);
	mheap_sweep_all(h);
	for (i = 0; i < ARRAY_SIZE(o); i++)
		KUNIT_EXPECT_TRUE(test, obj_intact(&o[i]));
	/* The next cycle does not mark them: they go. */
	mheap_gc_begin(h);
	mheap_gc_end(h);
	mheap_sweep_all(h);
	for (i = 0; i < ARRAY_SIZE(o); i++)
		KUNIT_EXPECT_EQ(test, mheap_ksize(h, o[i].p), (size_t)0);
	mheap_destroy(h);
}

/* The next cycle's begin finishes the last one's sweep. */
static void cycle_begin_finishes(struct kunit *test)
{
	struct mheap *h = kunit_gc_heap(test, "kunit-finish");
	unsigned int i;

	for (i = 0; i < 500; i++)
		KUNIT_ASSERT_NOT_NULL(test, mheap_alloc(h, 24, GFP_KERNEL));
	mheap_gc_begin(h);
	mheap_gc_begin(h);		/* already marking: nothing */
	mheap_gc_end(h);
	mheap_gc_end(h);		/* not marking: nothing */
	KUNIT_EXPECT_EQ(test, h->gc.cycles, 1UL);
	KUNIT_EXPECT_FALSE(test, mheap_sweep_done(h));
	mheap_gc_begin(h);
	KUNIT_EXPECT_TRUE(test, mheap_sweep_done(h));
	KUNIT_EXPECT_EQ(test, atomic_long_read(&h->gc.objects_freed), 500L);
	mheap_gc_end(h);
	mheap_destroy(h);
}

static struct kunit_case mheap_cycle_cases[] = {
	KUNIT_CASE(cycle_interior_pointers),
	KUNIT_CASE(cycle_alloc_during_marking),
	KUNIT_CASE(cycle_begin_finishes),
	{}
};

static struct kunit_suite mheap_cycle_suite = {
	.name = "mheap_cycle",
	.test_cases = mheap_cycle_cases,
};

kunit_test_suites(&mheap_cycle_suite);
