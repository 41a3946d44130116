// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite mheap_arena: regions, the arena index and spanOf, growth
 * failures, region release and heap destruction with live spans.
 */
#include <kunit/test.h>
#include <linux/err.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>
#include "helpers.h"

static void arena_span_of(struct kunit *test)
{
	struct mheap *h = kunit_mheap(test, "kunit-spanof", MHEAP_REGION_AUTO, 0);
	struct mheap_span *s, *t;
	int on_stack = 0;
	char *base, *km;

	s = mheap_alloc_manual(h, 3, GFP_KERNEL);
	t = mheap_alloc_manual(h, 2, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, s);
	KUNIT_ASSERT_NOT_NULL(test, t);
	base = mheap_span_base(s);
	KUNIT_EXPECT_TRUE(test, PAGE_ALIGNED(base));
	KUNIT_EXPECT_EQ(test, mheap_span_npages(s), 3UL);

	/* Interior and boundary addresses. */
	KUNIT_EXPECT_PTR_EQ(test, mheap_span_of(h, base), s);
	KUNIT_EXPECT_PTR_EQ(test, mheap_span_of(h, base + 1), s);
	KUNIT_EXPECT_PTR_EQ(test, mheap_span_of(h, base + PAGE_SIZE), s);
	KUNIT_EXPECT_PTR_EQ(test, mheap_span_of(h, base + 3 * PAGE_SIZE - 1), s);
	KUNIT_EXPECT_PTR_NE(test, mheap_span_of(h, base + 3 * PAGE_SIZE), s);
	KUNIT_EXPECT_PTR_EQ(test, mheap_span_of(h, mheap_span_base(t)), t);

	/* Foreign addresses. */
	km = kmalloc(64, GFP_KERNEL);
	KUNIT_EXPECT_NULL(test, mheap_span_of(h, km));
	kfree(km);
	KUNIT_EXPECT_NULL(test, mheap_span_of(h, &on_stack));
	KUNIT_EXPECT_NULL(test, mheap_span_of(h, NULL));
	KUNIT_EXPECT_NULL(test, mheap_span_of(h, (void *)0x1000));
	KUNIT_EXPECT_NULL(test, mheap_span_of(h, ERR_PTR(-EINVAL)));
	KUNIT_EXPECT_NULL(test, mheap_span_of(h, (void *)ULONG_MAX));

	/* Freed pages no longer resolve, the other span still does. */
	mheap_free_manual(h, s);
	KUNIT_EXPECT_NULL(test, mheap_span_of(h, base));
	KUNIT_EXPECT_NULL(test, mheap_span_of(h, base + 2 * PAGE_SIZE));
	KUNIT_EXPECT_PTR_EQ(test, mheap_span_of(h, mheap_span_base(t)), t);
	/* Another heap never claims this heap's memory. */
	{
		struct mheap *o = kunit_mheap(test, "kunit-spanof2",
					    MHEAP_REGION_AUTO, 0);

		KUNIT_EXPECT_NULL(test, mheap_span_of(o, mheap_span_base(t)));
		mheap_destroy(o);
	}
	mheap_free_manual(h, t);
	mheap_destroy(h);
}

struct kind_case {
	unsigned int kind;
	const char *name;
};

static const struct kind_case kind_cases[] = {
	{ MHEAP_REGION_AUTO, "auto" },
	{ MHEAP_REGION_VMAP, "vmap" },
	{ MHEAP_REGION_DIRECT, "direct" },
};

static void kind_desc(const struct kind_case *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(kind, kind_cases, kind_desc);

static void arena_region_kinds(struct kunit *test)
{
	const struct kind_case *c = test->param_value;
	struct mheap *h = kunit_mheap(test, "kunit-kind", c->kind, 0);
	struct mheap_span *s = mheap_alloc_manual(h, 1, GFP_KERNEL);
	void *p;

	KUNIT_ASSERT_NOT_NULL(test, s);
	p = mheap_span_base(s);
	KUNIT_EXPECT_EQ(test, counter(h, MHEAP_CNT_GROWS), 1);
	KUNIT_EXPECT_EQ(test, committed(h), (unsigned long)MHEAP_CHUNK_PAGES);
	if (counter(h, MHEAP_CNT_REGIONS_DIRECT)) {
		KUNIT_EXPECT_NE(test, c->kind, (unsigned int)MHEAP_REGION_VMAP);
		KUNIT_EXPECT_TRUE(test, virt_addr_valid(p));
		/* Direct-map chunks are chunk-aligned buddy blocks. */
		KUNIT_EXPECT_TRUE(test, IS_ALIGNED((unsigned long)p,
						   MHEAP_CHUNK_BYTES));
	} else {
		KUNIT_EXPECT_EQ(test, counter(h, MHEAP_CNT_REGIONS_VMAP), 1);
		KUNIT_EXPECT_NE(test, c->kind, (unsigned int)MHEAP_REGION_DIRECT);
		KUNIT_EXPECT_TRUE(test, is_vmalloc_addr(p));
	}
	memset(p, 0x5a, PAGE_SIZE);
	mheap_free_manual(h, s);
	mheap_destroy(h);
}

static void arena_large_span_own_region(struct kunit *test)
{
	struct mheap *h = kunit_mheap(test, "kunit-large", MHEAP_REGION_AUTO, 0);
	unsigned long n = MHEAP_CHUNK_PAGES * 2 + 7;
	struct mheap_span *s = mheap_alloc_manual(h, n, GFP_KERNEL);
	char *p;

	KUNIT_ASSERT_NOT_NULL(test, s);
	p = mheap_span_base(s);
	KUNIT_EXPECT_EQ(test, committed(h), 3UL * MHEAP_CHUNK_PAGES);
	KUNIT_EXPECT_EQ(test, counter(h, MHEAP_CNT_REGIONS_VMAP), 1);
	/* Virtually contiguous: touch the first and last byte of each page. */
	for (n = 0; n < mheap_span_npages(s); n++) {
		p[n * PAGE_SIZE] = 1;
		p[(n + 1) * PAGE_SIZE - 1] = 2;
	}
	KUNIT_EXPECT_PTR_EQ(test, mheap_span_of(h, p + (n * PAGE_SIZE) - 1), s);
	mheap_free_manual(h, s);
	mheap_destroy(h);
}

static void arena_release_regions(struct kunit *test)
{
	struct mheap *h = kunit_mheap(test, "kunit-release", MHEAP_REGION_VMAP, 0);
	unsigned long n = MHEAP_CHUNK_PAGES + 1;
	struct mheap_span *a, *b, *c;
	char *pa, *pb;

	a = mheap_alloc_manual(h, n, GFP_KERNEL);
	b = mheap_alloc_manual(h, n, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, a);
	KUNIT_ASSERT_NOT_NULL(test, b);
	pa = mheap_span_base(a);
	pb = mheap_span_base(b);
	KUNIT_EXPECT_EQ(test, h->nregions, 2UL);
	KUNIT_EXPECT_EQ(test, committed(h), 4UL * MHEAP_CHUNK_PAGES);

	/* Only the empty region leaves; the busy one keeps resolving. */
	mheap_free_manual(h, a);
	KUNIT_EXPECT_EQ(test, mheap_trim_all(h),
			2UL * MHEAP_CHUNK_PAGES);
	KUNIT_EXPECT_EQ(test, h->nregions, 1UL);
	KUNIT_EXPECT_NULL(test, mheap_span_of(h, pa));
	KUNIT_EXPECT_PTR_EQ(test, mheap_span_of(h, pb + 5), b);
	KUNIT_EXPECT_EQ(test, committed(h), 2UL * MHEAP_CHUNK_PAGES);

	mheap_free_manual(h, b);
	KUNIT_EXPECT_EQ(test, mheap_release_all(h),
			2UL * MHEAP_CHUNK_PAGES * PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, committed(h), 0UL);
	KUNIT_EXPECT_NULL(test, mheap_span_of(h, pb));
	KUNIT_EXPECT_EQ(test, counter(h, MHEAP_CNT_REGIONS_RELEASED), 2);

	/* Growth after release maps fresh memory. */
	c = mheap_alloc_manual(h, 4, GFP_KERNEL | __GFP_ZERO);
	KUNIT_ASSERT_NOT_NULL(test, c);
	KUNIT_EXPECT_PTR_EQ(test, mheap_span_of(h, mheap_span_base(c)), c);
	KUNIT_EXPECT_EQ(test, counter(h, MHEAP_CNT_GROWS), 3);
	mheap_free_manual(h, c);
	mheap_destroy(h);
}

/* A span larger than an arena crosses at least one arena boundary. */
static void arena_span_across_arenas(struct kunit *test)
{
	struct mheap *h = kunit_mheap(test, "kunit-across", MHEAP_REGION_VMAP, 0);
	unsigned long npages = (MHEAP_ARENA_BYTES >> PAGE_SHIFT) + 2 * MHEAP_CHUNK_PAGES;
	struct mheap_arena *first, *last;
	struct mheap_span *s;
	unsigned long off;
	char *p;

	s = mheap_alloc_manual(h, npages, GFP_KERNEL);
	if (!s)
		kunit_skip(test, "no room for a %lu MiB vmap region", npages >> 8);
	p = mheap_span_base(s);
	first = mheap_arena_of(h, (unsigned long)p);
	last = mheap_arena_of(h, (unsigned long)p + (npages << PAGE_SHIFT) - 1);
	KUNIT_ASSERT_NOT_NULL(test, first);
	KUNIT_ASSERT_NOT_NULL(test, last);
	KUNIT_EXPECT_PTR_NE(test, first, last);
	for (off = 0; off < npages << PAGE_SHIFT; off += 64 * 1024)
		KUNIT_ASSERT_PTR_EQ(test, mheap_span_of(h, p + off), s);
	KUNIT_EXPECT_PTR_EQ(test, mheap_span_of(h, p + (npages << PAGE_SHIFT) - 1), s);
	mheap_free_manual(h, s);
	KUNIT_EXPECT_NULL(test, mheap_span_of(h, p + MHEAP_ARENA_BYTES));
	/* npages is a whole number of chunks: the region is that size. */
	KUNIT_EXPECT_EQ(test, mheap_release_all(h), npages << PAGE_SHIFT);
	mheap_destroy(h);
}

static void arena_destroy_with_live_spans(struct kunit *test)
{
	struct mheap *h = kunit_mheap(test, "kunit-live", MHEAP_REGION_AUTO, 0);
	static const unsigned long sizes[] = { 1, 2, 5, 17, 64, 600, 1 };
	unsigned long i, total = 0;

	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		KUNIT_ASSERT_NOT_NULL(test, mheap_alloc_manual(h, sizes[i],
							       GFP_KERNEL));
		total += sizes[i];
	}
	KUNIT_EXPECT_EQ(test, atomic_long_read(&h->pages_in_use), (long)total);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&h->spans_live),
			(long)ARRAY_SIZE(sizes));
	/* No frees: destroy returns every page and structure (kmemleak). */
	mheap_destroy(h);
	KUNIT_EXPECT_NULL(test, mheap_find("kunit-live"));
}

/* Many small regions: spans never straddle two of them. */
static void arena_discontiguous_regions(struct kunit *test)
{
	struct mheap *h = kunit_mheap(test, "kunit-discont", MHEAP_REGION_VMAP, 0);
	struct mheap_span *s[8];
	unsigned long i;

	for (i = 0; i < ARRAY_SIZE(s); i++) {
		s[i] = mheap_alloc_manual(h, 400, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, s[i]);
	}
	/* 400 + 400 pages do not fit a 512-page region: one region each. */
	KUNIT_EXPECT_EQ(test, h->nregions, (unsigned long)ARRAY_SIZE(s));
	for (i = 0; i < ARRAY_SIZE(s); i++) {
		struct mheap_region *r = s[i]->region;
		unsigned long end = s[i]->start + (400UL << PAGE_SHIFT);

		KUNIT_EXPECT_GE(test, s[i]->start, r->base);
		KUNIT_EXPECT_LE(test, end, r->base + (r->npages << PAGE_SHIFT));
		KUNIT_EXPECT_PTR_EQ(test, mheap_span_of(h, (void *)(end - 1)),
				    s[i]);
	}
	for (i = 0; i < ARRAY_SIZE(s); i++)
		mheap_free_manual(h, s[i]);
	KUNIT_EXPECT_EQ(test, mheap_trim_all(h),
			ARRAY_SIZE(s) * MHEAP_CHUNK_PAGES);
	mheap_destroy(h);
}

static struct kunit_case mheap_arena_cases[] = {
	KUNIT_CASE(arena_span_of),
	KUNIT_CASE_PARAM(arena_region_kinds, kind_gen_params),
	KUNIT_CASE(arena_large_span_own_region),
	KUNIT_CASE(arena_span_across_arenas),
	KUNIT_CASE(arena_release_regions),
	KUNIT_CASE(arena_destroy_with_live_spans),
	KUNIT_CASE(arena_discontiguous_regions),
	{}
};

static struct kunit_suite mheap_arena_suite = {
	.name = "mheap_arena",
	.test_cases = mheap_arena_cases,
};

kunit_test_suites(&mheap_arena_suite);
