// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite mheap_palloc: the radix-summary page allocator (palloc.c)
 * inside the kernel.  tools/testing/mheap runs a larger userspace battery
 * over the same file; here the crafted cases and a randomized sequence
 * checked against a brute-force reference run under KASAN and UBSAN.
 */
#include <kunit/test.h>
#include <linux/prandom.h>
#include <linux/slab.h>
#include "palloc.h"

#define CP	PALLOC_CHUNK_PAGES

struct pa_fixture {
	struct palloc p;
	u64 *sum[PALLOC_LEVELS];
	struct palloc_chunk **chunks;
};

/* A page allocator over @n chunks, with test-managed memory. */
static struct palloc *pa_new_n(struct kunit *test, unsigned long n)
{
	struct pa_fixture *f;
	int lvl;

	f = kunit_kzalloc(test, sizeof(*f), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, f);
	for (lvl = 0; lvl < PALLOC_LEVELS; lvl++) {
		f->sum[lvl] = kunit_kcalloc(test, palloc_sum_len(n, lvl),
					    sizeof(u64), GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, f->sum[lvl]);
	}
	f->chunks = kunit_kcalloc(test, n, sizeof(*f->chunks), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, f->chunks);
	KUNIT_ASSERT_EQ(test, palloc_init(&f->p, n, f->sum, f->chunks), 0);
	return &f->p;
}

static struct palloc *pa_new(struct kunit *test)
{
	return pa_new_n(test, PALLOC_ROOT_CHUNKS);
}

static void pa_grow(struct kunit *test, struct palloc *p, unsigned long chunk,
		    unsigned long n)
{
	struct palloc_chunk **st;
	unsigned long i;

	st = kunit_kcalloc(test, n, sizeof(*st), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, st);
	for (i = 0; i < n; i++) {
		st[i] = kunit_kzalloc(test, sizeof(*st[i]), GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, st[i]);
	}
	KUNIT_ASSERT_EQ(test, palloc_grow(p, chunk, n, st), 0);
}

static void pagealloc_first_fit(struct kunit *test)
{
	struct palloc *p = pa_new(test);

	pa_grow(test, p, 0, 3);
	KUNIT_EXPECT_EQ(test, palloc_alloc(p, 1), 0UL);
	KUNIT_EXPECT_EQ(test, palloc_alloc(p, 10), 1UL);
	palloc_free(p, 0, 1);
	/* The hole at 0 is the first fit for one page, not for two. */
	KUNIT_EXPECT_EQ(test, palloc_alloc(p, 2), 11UL);
	KUNIT_EXPECT_EQ(test, palloc_alloc(p, 1), 0UL);
	/* A run crossing the first chunk boundary. */
	KUNIT_EXPECT_EQ(test, palloc_alloc(p, CP), 13UL);
	KUNIT_EXPECT_EQ(test, p->pages_in_use, 1UL + 10 + 2 + CP);
	KUNIT_EXPECT_EQ(test, palloc_check(p), 0);
}

static void pagealloc_absent_chunk_breaks_run(struct kunit *test)
{
	struct palloc *p = pa_new(test);

	pa_grow(test, p, 0, 1);
	pa_grow(test, p, 2, 1);
	KUNIT_EXPECT_EQ(test, palloc_alloc(p, CP + 1), PALLOC_NONE);
	KUNIT_EXPECT_EQ(test, palloc_alloc(p, CP), 0UL);
	KUNIT_EXPECT_EQ(test, palloc_alloc(p, 1), 2UL * CP);
	pa_grow(test, p, 1, 1);
	palloc_free(p, 0, CP);
	/* Chunks 0 and 1 now join into one free run. */
	KUNIT_EXPECT_EQ(test, palloc_alloc(p, 2 * CP), 0UL);
	KUNIT_EXPECT_EQ(test, palloc_check(p), 0);
}

static void pagealloc_exhaust_then_grow(struct kunit *test)
{
	struct palloc *p = pa_new(test);
	unsigned long i;

	pa_grow(test, p, 5, 1);
	for (i = 0; i < CP; i++)
		KUNIT_ASSERT_EQ(test, palloc_alloc(p, 1), 5 * CP + i);
	KUNIT_EXPECT_EQ(test, palloc_alloc(p, 1), PALLOC_NONE);
	pa_grow(test, p, 9, 1);
	KUNIT_EXPECT_EQ(test, palloc_alloc(p, 1), 9UL * CP);
	KUNIT_EXPECT_EQ(test, p->pages_present, 2UL * CP);
	KUNIT_EXPECT_EQ(test, palloc_check(p), 0);
}

static void pagealloc_root_boundary(struct kunit *test)
{
	struct palloc *p = pa_new_n(test, 2 * PALLOC_ROOT_CHUNKS);
	unsigned long base = (PALLOC_ROOT_CHUNKS - 1) * CP;

	/* Two chunks either side of the boundary between two root entries. */
	pa_grow(test, p, PALLOC_ROOT_CHUNKS - 1, 2);
	KUNIT_EXPECT_EQ(test, palloc_alloc(p, 100), base);
	KUNIT_EXPECT_EQ(test, palloc_alloc(p, CP), base + 100);
	KUNIT_EXPECT_EQ(test, palloc_check(p), 0);
}

static void pagealloc_shrink_and_hole(struct kunit *test)
{
	struct palloc_chunk *out[2];
	struct palloc *p = pa_new(test);
	unsigned long a;

	KUNIT_EXPECT_EQ(test, palloc_find_hole(p, 2), 0UL);
	pa_grow(test, p, 0, 2);
	/* The next region must leave a gap chunk after the first. */
	KUNIT_EXPECT_EQ(test, palloc_find_hole(p, 1), 3UL);
	a = palloc_alloc(p, 3);
	KUNIT_EXPECT_EQ(test, palloc_shrink(p, 0, 2, out), -EBUSY);
	KUNIT_EXPECT_FALSE(test, palloc_chunk_free(p, 0));
	palloc_free(p, a, 3);
	KUNIT_EXPECT_TRUE(test, palloc_chunk_free(p, 0));
	KUNIT_EXPECT_EQ(test, palloc_shrink(p, 0, 2, out), 0);
	KUNIT_EXPECT_EQ(test, p->pages_present, 0UL);
	KUNIT_EXPECT_EQ(test, palloc_alloc(p, 1), PALLOC_NONE);
	KUNIT_EXPECT_EQ(test, palloc_check(p), 0);
}

static void pagealloc_cache(struct kunit *test)
{
	struct palloc *p = pa_new(test);
	struct palloc_cache c = {};
	unsigned long a, b;

	pa_grow(test, p, 0, 1);
	KUNIT_EXPECT_EQ(test, palloc_alloc(p, 3), 0UL);
	KUNIT_ASSERT_EQ(test, palloc_cache_fill(p, &c), 0);
	KUNIT_EXPECT_EQ(test, c.base, 0UL);
	/* The 61 free pages of the block moved to the cache. */
	KUNIT_EXPECT_EQ(test, hweight64(c.cache), 61);
	KUNIT_EXPECT_EQ(test, p->pages_in_use, 64UL);
	a = palloc_cache_alloc(&c, 4);
	b = palloc_cache_alloc(&c, 1);
	KUNIT_EXPECT_EQ(test, a, 3UL);
	KUNIT_EXPECT_EQ(test, b, 7UL);
	KUNIT_EXPECT_EQ(test, palloc_cache_fill(p, &c), -EBUSY);
	palloc_cache_flush(p, &c);
	KUNIT_EXPECT_EQ(test, c.cache, 0ULL);
	KUNIT_EXPECT_EQ(test, p->pages_in_use, 8UL);
	KUNIT_EXPECT_EQ(test, palloc_alloc(p, 1), 8UL);
	KUNIT_EXPECT_EQ(test, palloc_check(p), 0);
}

/* A freed run inside the cache's block goes back to the cache. */
static void pagealloc_cache_free(struct kunit *test)
{
	struct palloc *p = pa_new(test);
	struct palloc_cache c = {};
	unsigned long a;

	pa_grow(test, p, 0, 1);
	KUNIT_EXPECT_EQ(test, palloc_alloc(p, 3), 0UL);
	KUNIT_ASSERT_EQ(test, palloc_cache_fill(p, &c), 0);
	a = palloc_cache_alloc(&c, 8);
	KUNIT_EXPECT_EQ(test, a, 3UL);
	KUNIT_EXPECT_TRUE(test, palloc_cache_free(&c, a, 8));
	KUNIT_EXPECT_TRUE(test, palloc_cache_free(&c, 0, 3));
	KUNIT_EXPECT_EQ(test, c.cache, ~0ULL);
	KUNIT_EXPECT_EQ(test, p->pages_in_use, 64UL);
	KUNIT_EXPECT_FALSE(test, palloc_cache_free(&c, 64, 1));
	KUNIT_EXPECT_FALSE(test, palloc_cache_free(&c, 60, 8));
	palloc_cache_flush(p, &c);
	KUNIT_EXPECT_EQ(test, p->pages_in_use, 0UL);
	KUNIT_EXPECT_EQ(test, palloc_alloc(p, 64), 0UL);
	KUNIT_EXPECT_EQ(test, palloc_check(p), 0);
}

/* Randomized operations against a byte-per-page model with first fit. */
struct pa_random_case {
	u64 seed;
	unsigned long nchunks;	/* grown chunks, contiguous from 0 */
	unsigned long max_pages;
	unsigned int ops;
};

static const struct pa_random_case pa_random_cases[] = {
	{ 1, 1, 16, 3000 },
	{ 2, 4, 64, 3000 },
	{ 3, 4, 700, 2000 },
	{ 4, 9, 1500, 2000 },
	{ 0xdeadbeef, 2, 300, 3000 },
};

static void pa_random_desc(const struct pa_random_case *c, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "seed=%llu chunks=%lu max=%lu",
		 c->seed, c->nchunks, c->max_pages);
}

KUNIT_ARRAY_PARAM(pa_random, pa_random_cases, pa_random_desc);

static unsigned long model_first_fit(const u8 *used, unsigned long n,
				     unsigned long want)
{
	unsigned long i, run = 0;

	for (i = 0; i < n; i++) {
		run = used[i] ? 0 : run + 1;
		if (run == want)
			return i + 1 - want;
	}
	return PALLOC_NONE;
}

static void pagealloc_random(struct kunit *test)
{
	const struct pa_random_case *c = test->param_value;
	unsigned long npages = c->nchunks * CP, nlive = 0, i, j;
	struct palloc *p = pa_new(test);
	unsigned long *live_base, *live_len;
	struct rnd_state rnd;
	u8 *used;

	prandom_seed_state(&rnd, c->seed);
	used = kunit_kzalloc(test, npages, GFP_KERNEL);
	live_base = kunit_kcalloc(test, npages, sizeof(long), GFP_KERNEL);
	live_len = kunit_kcalloc(test, npages, sizeof(long), GFP_KERNEL);
	KUNIT_ASSERT_TRUE(test, used && live_base && live_len);
	pa_grow(test, p, 0, c->nchunks);

	for (i = 0; i < c->ops; i++) {
		bool do_alloc = !nlive || prandom_u32_state(&rnd) % 100 < 55;

		if (do_alloc) {
			unsigned long want = 1 + prandom_u32_state(&rnd) % c->max_pages;
			unsigned long exp = model_first_fit(used, npages, want);
			unsigned long got = palloc_alloc(p, want);

			KUNIT_ASSERT_EQ_MSG(test, got, exp, "op %lu: alloc %lu",
					    i, want);
			if (got == PALLOC_NONE)
				continue;
			memset(used + got, 1, want);
			live_base[nlive] = got;
			live_len[nlive++] = want;
		} else {
			j = prandom_u32_state(&rnd) % nlive;
			palloc_free(p, live_base[j], live_len[j]);
			memset(used + live_base[j], 0, live_len[j]);
			live_base[j] = live_base[--nlive];
			live_len[j] = live_len[nlive];
		}
		if (i % 64 == 0)
			KUNIT_ASSERT_EQ_MSG(test, palloc_check(p), 0, "op %lu", i);
	}
	KUNIT_EXPECT_EQ(test, palloc_check(p), 0);
	while (nlive--)
		palloc_free(p, live_base[nlive], live_len[nlive]);
	KUNIT_EXPECT_EQ(test, p->pages_in_use, 0UL);
	KUNIT_EXPECT_EQ(test, palloc_check(p), 0);
}

static struct kunit_case mheap_pagealloc_cases[] = {
	KUNIT_CASE(pagealloc_first_fit),
	KUNIT_CASE(pagealloc_absent_chunk_breaks_run),
	KUNIT_CASE(pagealloc_exhaust_then_grow),
	KUNIT_CASE(pagealloc_root_boundary),
	KUNIT_CASE(pagealloc_shrink_and_hole),
	KUNIT_CASE(pagealloc_cache),
	KUNIT_CASE(pagealloc_cache_free),
	KUNIT_CASE_PARAM(pagealloc_random, pa_random_gen_params),
	{}
};

static struct kunit_suite mheap_pagealloc_suite = {
	.name = "mheap_palloc",
	.test_cases = mheap_pagealloc_cases,
};

kunit_test_suites(&mheap_pagealloc_suite);
