// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite mheap_gcbits: the gcBits arenas of gcbits.c on a private
 * struct mheap_gcbits, without a heap around them.  Bit vectors come
 * zeroed, long-aligned and back to back; an arena rotates next -> current
 * -> previous over two epochs and is reused, zeroed, after that; an arena
 * nobody uses leaves its list at once, at most two stay cached, and a
 * failed arena allocation (fail_gcbits) returns NULL with nothing kept.
 */
#include <kunit/test.h>
#include <linux/fault-inject.h>
#include <linux/sched.h>
#include "helpers.h"

/* Bytes of the bit vector of @nelems objects, as gcbits.c rounds it. */
static unsigned int vec_bytes(unsigned int nelems)
{
	return BITS_TO_LONGS(nelems) * sizeof(long);
}

static unsigned int vecs_per_arena(unsigned int nelems)
{
	return MHEAP_GCBITS_BYTES / vec_bytes(nelems);
}

static void gcbits_test_exit(struct kunit *test)
{
	struct mheap_gcbits *g = test->priv;

	mheap_gcbits_destroy(g);
}

static int gcbits_test_init(struct kunit *test)
{
	struct mheap_gcbits *g = kunit_kzalloc(test, sizeof(*g), GFP_KERNEL);

	if (!g)
		return -ENOMEM;
	mheap_gcbits_init(g);
	test->priv = g;
	return 0;
}

static bool vec_zero(const unsigned long *v, unsigned int nelems)
{
	return !memchr_inv(v, 0, vec_bytes(nelems));
}

/* Vectors of every length come zeroed, aligned and from one arena. */
static void gcbits_zeroed_aligned(struct kunit *test)
{
	static const unsigned int lens[] = {
		1, 2, 63, 64, 65, 127, 128, 129, 511, 512,
		MHEAP_MAX_SPAN_OBJECTS - 1, MHEAP_MAX_SPAN_OBJECTS,
	};
	struct mheap_gcbits *g = test->priv;
	struct mheap_gcbits_arena *a[ARRAY_SIZE(lens)];
	unsigned long *v[ARRAY_SIZE(lens)];
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(lens); i++) {
		a[i] = NULL;
		v[i] = mheap_gcbits_alloc(g, lens[i], &a[i], GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, v[i]);
		KUNIT_ASSERT_NOT_NULL(test, a[i]);
		KUNIT_EXPECT_PTR_EQ(test, a[i], a[0]);
		KUNIT_EXPECT_TRUE(test, IS_ALIGNED((unsigned long)v[i],
						   sizeof(long)));
		KUNIT_EXPECT_TRUE_MSG(test, vec_zero(v[i], lens[i]),
				      "%u bits", lens[i]);
		/* Inside the arena, right after the previous vector. */
		KUNIT_EXPECT_TRUE(test, (u8 *)v[i] >= a[i]->bits);
		KUNIT_EXPECT_TRUE(test, (u8 *)v[i] + vec_bytes(lens[i]) <=
					a[i]->bits + MHEAP_GCBITS_BYTES);
		if (i)
			KUNIT_EXPECT_PTR_EQ(test, (u8 *)v[i],
					    (u8 *)v[i - 1] + vec_bytes(lens[i - 1]));
		/* Dirty it all: the next vector must still come zeroed. */
		memset(v[i], 0xff, vec_bytes(lens[i]));
	}
	KUNIT_EXPECT_EQ(test, a[0]->live, (unsigned int)ARRAY_SIZE(lens));
	KUNIT_EXPECT_EQ(test, READ_ONCE(g->narenas), 1U);
	KUNIT_EXPECT_EQ(test, READ_ONCE(g->nfree), 0U);
	for (i = 0; i < ARRAY_SIZE(lens); i++)
		mheap_gcbits_put(g, a[i]);
	KUNIT_EXPECT_EQ(test, a[0]->live, 0U);
	/* The head of "next" stays, for the next allocation. */
	KUNIT_EXPECT_EQ(test, READ_ONCE(g->narenas), 1U);
	mheap_gcbits_put(g, NULL);
}

/*
 * An arena lives through two epochs (next -> current -> previous) and is
 * reused, zeroed, only at the third rotation.
 */
static void gcbits_reuse_after_two_epochs(struct kunit *test)
{
	const unsigned int n = MHEAP_MAX_SPAN_OBJECTS;
	struct mheap_gcbits *g = test->priv;
	struct mheap_gcbits_arena *a1 = NULL, *a2 = NULL, *a3 = NULL;
	unsigned long *v1, *v2, *v3;
	unsigned long epoch = g->epoch;

	v1 = mheap_gcbits_alloc(g, n, &a1, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, v1);
	memset(v1, 0xff, vec_bytes(n));
	mheap_gcbits_put(g, a1);	/* unused, but the head of "next" */
	KUNIT_EXPECT_EQ(test, READ_ONCE(g->narenas), 1U);
	KUNIT_EXPECT_EQ(test, READ_ONCE(g->nfree), 0U);

	mheap_gcbits_next_epoch(g);	/* a1: current */
	KUNIT_EXPECT_EQ(test, g->epoch, epoch + 1);
	KUNIT_EXPECT_EQ(test, READ_ONCE(g->narenas), 1U);
	v2 = mheap_gcbits_alloc(g, n, &a2, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, v2);
	/* "next" was empty: a fresh arena, not a1. */
	KUNIT_EXPECT_PTR_NE(test, a2, a1);
	KUNIT_EXPECT_EQ(test, READ_ONCE(g->narenas), 2U);

	mheap_gcbits_next_epoch(g);	/* a1: previous, a2: current */
	KUNIT_EXPECT_EQ(test, READ_ONCE(g->narenas), 2U);
	KUNIT_EXPECT_EQ(test, READ_ONCE(g->nfree), 0U);

	mheap_gcbits_next_epoch(g);	/* a1 unused: free; a2: previous */
	KUNIT_EXPECT_EQ(test, g->epoch, epoch + 3);
	KUNIT_EXPECT_EQ(test, READ_ONCE(g->narenas), 1U);
	KUNIT_EXPECT_EQ(test, READ_ONCE(g->nfree), 1U);

	v3 = mheap_gcbits_alloc(g, n, &a3, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, v3);
	KUNIT_EXPECT_PTR_EQ(test, a3, a1);
	KUNIT_EXPECT_PTR_EQ(test, v3, v1);
	KUNIT_EXPECT_TRUE(test, vec_zero(v3, n));
	KUNIT_EXPECT_EQ(test, READ_ONCE(g->nfree), 0U);
	KUNIT_EXPECT_EQ(test, READ_ONCE(g->narenas), 2U);

	/* a2 is in use still: no rotation frees it. */
	mheap_gcbits_next_epoch(g);
	mheap_gcbits_next_epoch(g);
	KUNIT_EXPECT_EQ(test, a2->live, 1U);
	KUNIT_EXPECT_EQ(test, READ_ONCE(g->nfree), 0U);
	KUNIT_EXPECT_TRUE(test, vec_zero(v2, n));
	mheap_gcbits_put(g, a2);
	mheap_gcbits_put(g, a3);
}

/*
 * A full arena whose last vector is put back leaves "next" at once, without
 * waiting for an epoch; two empty arenas stay cached, more go back.
 */
static void gcbits_unused_arena_freed(struct kunit *test)
{
	const unsigned int n = MHEAP_MAX_SPAN_OBJECTS, per = vecs_per_arena(n);
	struct mheap_gcbits *g = test->priv;
	struct mheap_gcbits_arena **arena, *first[4];
	unsigned int i, k, total = 4 * per + 1;

	arena = kunit_kcalloc(test, total, sizeof(*arena), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, arena);
	KUNIT_ASSERT_GT(test, per, 1U);
	for (i = 0; i < total; i++) {
		KUNIT_ASSERT_NOT_NULL(test, mheap_gcbits_alloc(g, n, &arena[i],
							       GFP_KERNEL));
		/* A new arena exactly when the last one is full. */
		if (i % per == 0 && i)
			KUNIT_ASSERT_PTR_NE(test, arena[i], arena[i - 1]);
		else if (i)
			KUNIT_ASSERT_PTR_EQ(test, arena[i], arena[i - 1]);
	}
	for (k = 0; k < 4; k++) {
		first[k] = arena[k * per];
		KUNIT_EXPECT_EQ(test, first[k]->live, per);
		KUNIT_EXPECT_EQ(test, first[k]->used, per * vec_bytes(n));
	}
	KUNIT_EXPECT_EQ(test, READ_ONCE(g->narenas), 5U);

	/* Put back all but one vector of each full arena: nothing moves. */
	for (i = 0; i < 4 * per; i++)
		if (i % per)
			mheap_gcbits_put(g, arena[i]);
	KUNIT_EXPECT_EQ(test, READ_ONCE(g->narenas), 5U);
	KUNIT_EXPECT_EQ(test, READ_ONCE(g->nfree), 0U);

	/* The last vector of each: the first two are cached, zeroed. */
	for (k = 0; k < 4; k++) {
		mheap_gcbits_put(g, arena[k * per]);
		KUNIT_EXPECT_EQ(test, READ_ONCE(g->narenas), 4U - k);
		KUNIT_EXPECT_EQ(test, READ_ONCE(g->nfree), min(k + 1, 2U));
	}
	KUNIT_EXPECT_EQ(test, first[0]->used, 0U);
	KUNIT_EXPECT_EQ(test, first[1]->used, 0U);
	KUNIT_EXPECT_TRUE(test, !memchr_inv(first[0]->bits, 0,
					    MHEAP_GCBITS_BYTES));

	/* The head of "next" has room: no new arena, none from the cache. */
	KUNIT_ASSERT_NOT_NULL(test, mheap_gcbits_alloc(g, n, &arena[0],
						       GFP_KERNEL));
	KUNIT_EXPECT_PTR_EQ(test, arena[0], arena[total - 1]);
	KUNIT_EXPECT_EQ(test, READ_ONCE(g->nfree), 2U);
	mheap_gcbits_put(g, arena[0]);
	mheap_gcbits_put(g, arena[total - 1]);
	KUNIT_EXPECT_EQ(test, READ_ONCE(g->narenas), 1U);
}

#ifdef CONFIG_FAULT_INJECTION
/* Fail the @nth fail_gcbits site in this thread, once. */
static void gcbits_fault_arm(struct fault_attr *a, unsigned long nth)
{
	a->verbose = 0;
	a->task_filter = true;
	atomic_set(&a->space, 0);
	a->interval = nth;
	a->count = 0;
	atomic_set(&a->times, 1);
	current->make_it_fail = 1;
	WRITE_ONCE(a->probability, 100);
}

/*
 * Each of the two allocations of a new arena (its header, its pages)
 * failed makes mheap_gcbits_alloc() return NULL with no arena kept;
 * bits from an arena that has room need no allocation and still come.
 */
static void gcbits_alloc_fails(struct kunit *test)
{
	struct fault_attr *a = mheap_fault_attr(MHEAP_FAULT_GCBITS);
	unsigned long saved_probability = a->probability;
	unsigned long saved_interval = a->interval;
	unsigned long saved_verbose = a->verbose;
	bool saved_task_filter = a->task_filter;
	int saved_times = atomic_read(&a->times);
	int saved_space = atomic_read(&a->space);
	struct mheap_gcbits *g = test->priv;
	struct mheap_gcbits_arena *arena = NULL, *b = NULL;
	unsigned long nth, injected = 0;
	unsigned long *v = NULL, *w = NULL;

	for (nth = 1; nth <= 2; nth++) {
		gcbits_fault_arm(a, nth);
		v = mheap_gcbits_alloc(g, 64, &arena, GFP_KERNEL);
		WRITE_ONCE(a->probability, 0);
		injected += !atomic_read(&a->times);
		KUNIT_EXPECT_NULL_MSG(test, v, "site %lu", nth);
		KUNIT_EXPECT_EQ(test, READ_ONCE(g->narenas), 0U);
		KUNIT_EXPECT_EQ(test, READ_ONCE(g->nfree), 0U);
		KUNIT_EXPECT_TRUE(test, list_empty(&g->next));
		if (v)
			mheap_gcbits_put(g, arena);
	}
	KUNIT_EXPECT_EQ(test, injected, 2UL);

	v = mheap_gcbits_alloc(g, 64, &arena, GFP_KERNEL);
	KUNIT_EXPECT_NOT_NULL(test, v);
	gcbits_fault_arm(a, 1);
	w = mheap_gcbits_alloc(g, 64, &b, GFP_KERNEL);
	WRITE_ONCE(a->probability, 0);
	KUNIT_EXPECT_NOT_NULL(test, w);
	KUNIT_EXPECT_EQ(test, atomic_read(&a->times), 1);	/* not asked */

	current->make_it_fail = 0;
	a->verbose = saved_verbose;
	a->task_filter = saved_task_filter;
	a->interval = saved_interval;
	atomic_set(&a->space, saved_space);
	atomic_set(&a->times, saved_times);
	WRITE_ONCE(a->probability, saved_probability);

	if (w) {
		KUNIT_EXPECT_PTR_EQ(test, b, arena);
		mheap_gcbits_put(g, b);
	}
	if (v)
		mheap_gcbits_put(g, arena);
}
#else
static void gcbits_alloc_fails(struct kunit *test)
{
	kunit_skip(test, "the kernel has no CONFIG_FAULT_INJECTION");
}
#endif

static struct kunit_case mheap_gcbits_cases[] = {
	KUNIT_CASE(gcbits_zeroed_aligned),
	KUNIT_CASE(gcbits_reuse_after_two_epochs),
	KUNIT_CASE(gcbits_unused_arena_freed),
	KUNIT_CASE(gcbits_alloc_fails),
	{}
};

static struct kunit_suite mheap_gcbits_suite = {
	.name = "mheap_gcbits",
	.init = gcbits_test_init,
	.exit = gcbits_test_exit,
	.test_cases = mheap_gcbits_cases,
};

kunit_test_suites(&mheap_gcbits_suite);
