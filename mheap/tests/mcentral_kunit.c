// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite mheap_mcentral: the per-class span lists between the
 * mcaches and the page heap.  A refill takes a new span once the cached
 * one is full, a full span moves to the full list and back to partial
 * on a free, and a span a free empties stays as the class's spare until
 * a flush drops it.
 */
#include <kunit/test.h>
#include "helpers.h"

/* Give every CPU's cached spans back, so empty spans leave. */
static void drain_all(struct mheap *h)
{
	mheap_mcache_flush_all(h);
	mheap_pcpu_drain_all(h);
}

/* One CPU fills a span, the next allocation takes a second from mcentral. */
static void mcentral_refill(struct kunit *test)
{
	struct mheap *h = kunit_mheap_flags(test, "kunit-refill", MHEAP_REGION_AUTO, 0,
					    MHEAP_NO_MAGAZINES);
	unsigned int cls = mheap_size_to_class(512), n, i;
	u8 sc = mheap_make_spanclass(cls, true);
	void **p;

	n = mheap_class_nelems[cls] + 1;
	p = kunit_kcalloc(test, n, sizeof(*p), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p);
	migrate_disable();
	for (i = 0; i < n; i++)
		p[i] = mheap_alloc(h, 512, GFP_KERNEL);
	migrate_enable();
	for (i = 0; i < n; i++)
		KUNIT_ASSERT_NOT_NULL(test, p[i]);
	KUNIT_EXPECT_EQ(test, h->mcentral[sc].nspans, 2UL);
	/* The full span went to mcentral's full list. */
	KUNIT_EXPECT_EQ(test, h->mcentral[sc].full[0].count, 1UL);
	mheap_free(h, p[0]);
	/* One free makes it partial again. */
	KUNIT_EXPECT_EQ(test, h->mcentral[sc].full[0].count, 0UL);
	KUNIT_EXPECT_EQ(test, h->mcentral[sc].partial[0].count, 1UL);
	for (i = 1; i < n; i++)
		mheap_free(h, p[i]);
	drain_all(h);
	KUNIT_EXPECT_EQ(test, h->mcentral[sc].nspans, 0UL);
	mheap_destroy(h);
}

/*
 * A free that empties a listed span leaves it as its class's spare: the
 * next refill takes it instead of building a span.  Flushing drops it.
 */
static void mcentral_spare_span(struct kunit *test)
{
	struct mheap *h = kunit_mheap_flags(test, "kunit-spare", MHEAP_REGION_AUTO, 0,
					    MHEAP_NO_MAGAZINES);
	unsigned int cls = mheap_size_to_class(4096);
	u8 sc = mheap_make_spanclass(cls, true);
	unsigned int n = mheap_class_nelems[cls], i;
	struct mheap_span *s;
	void *objs[8], *q;
	long built;

	KUNIT_ASSERT_LE(test, n, ARRAY_SIZE(objs));
	/* One CPU's mcache fills one span: stay on the CPU meanwhile. */
	migrate_disable();
	for (i = 0; i < n; i++)
		objs[i] = mheap_alloc(h, 4096, GFP_KERNEL);
	migrate_enable();
	s = mheap_span_of(h, objs[0]);
	KUNIT_ASSERT_NOT_NULL(test, s);
	for (i = 0; i < n; i++)
		KUNIT_ASSERT_PTR_EQ(test, mheap_span_of(h, objs[i]), s);
	mheap_mcache_flush_all(h);		/* the span: full, listed */
	built = counter(h, MHEAP_CNT_SPANS_ALLOCATED);
	for (i = 0; i < n; i++)
		mheap_free(h, objs[i]);
	KUNIT_EXPECT_NOT_NULL(test, h->mcentral[sc].spare);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&h->spans_live), 1L);
	q = mheap_alloc(h, 4096, GFP_KERNEL);
	KUNIT_EXPECT_PTR_EQ(test, q, objs[0]);
	KUNIT_EXPECT_NULL(test, h->mcentral[sc].spare);
	KUNIT_EXPECT_EQ(test, counter(h, MHEAP_CNT_SPANS_ALLOCATED), built);
	mheap_mcache_flush_all(h);
	mheap_free(h, q);
	KUNIT_EXPECT_NOT_NULL(test, h->mcentral[sc].spare);
	mheap_mcache_flush_all(h);
	KUNIT_EXPECT_NULL(test, h->mcentral[sc].spare);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&h->spans_live), 0L);
	mheap_destroy(h);
}

static struct kunit_case mheap_mcentral_cases[] = {
	KUNIT_CASE(mcentral_refill),
	KUNIT_CASE(mcentral_spare_span),
	{}
};

static struct kunit_suite mheap_mcentral_suite = {
	.name = "mheap_mcentral",
	.test_cases = mheap_mcentral_cases,
};

kunit_test_suites(&mheap_mcentral_suite);
