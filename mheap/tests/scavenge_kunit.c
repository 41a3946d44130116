// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite mheap_scavenge: giving memory back, the accounting around
 * it, the soft memory limit, the background scavenger and the shrinker.
 */
#include <kunit/test.h>
#include <linux/delay.h>
#include <linux/err.h>
#include <linux/prandom.h>
#include <linux/shrinker.h>
#include "helpers.h"

/* Three free regions of two chunks each, plus one busy. */
static struct mheap_span *three_free_regions(struct kunit *test,
					     struct mheap *h)
{
	struct mheap_span *s[4];
	int i;

	for (i = 0; i < 4; i++) {
		s[i] = mheap_alloc_manual(h, MHEAP_CHUNK_PAGES + 1, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, s[i]);
	}
	for (i = 1; i < 4; i++)
		mheap_free_manual(h, s[i]);
	return s[0];
}

static void scavenge_partial(struct kunit *test)
{
	struct mheap *h = kunit_mheap(test, "kunit-scav", MHEAP_REGION_VMAP, 0);
	struct mheap_span *busy = three_free_regions(test, h);
	const size_t region = 2 * MHEAP_CHUNK_BYTES;

	KUNIT_EXPECT_EQ(test, mheap_releasable_pages(h), 6UL * MHEAP_CHUNK_PAGES);
	/* Whole regions: one byte asked, one region given. */
	KUNIT_EXPECT_EQ(test, mheap_scavenge(h, 1), region);
	KUNIT_EXPECT_EQ(test, mheap_scavenge(h, region + 1), 2 * region);
	KUNIT_EXPECT_EQ(test, mheap_scavenge(h, 1), (size_t)0);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&h->released_by[MHEAP_SRC_EXPLICIT]),
			6L * MHEAP_CHUNK_PAGES);
	/* The busy region stays, mapped and resolving. */
	KUNIT_EXPECT_EQ(test, committed(h), 2UL * MHEAP_CHUNK_PAGES);
	KUNIT_EXPECT_PTR_EQ(test, mheap_span_of(h, mheap_span_base(busy)), busy);
	mheap_free_manual(h, busy);
	mheap_destroy(h);
}

/* grown = committed + released, whatever happened in between. */
static void scavenge_accounting(struct kunit *test)
{
	struct mheap *h = kunit_mheap(test, "kunit-acct", MHEAP_REGION_AUTO, 0);
	struct mheap_span *live[32] = {};
	struct rnd_state rnd;
	unsigned int i, j;

	prandom_seed_state(&rnd, 7);
	for (i = 0; i < 600; i++) {
		j = prandom_u32_state(&rnd) % ARRAY_SIZE(live);
		if (live[j]) {
			mheap_free_manual(h, live[j]);
			live[j] = NULL;
		} else {
			live[j] = mheap_alloc_manual(h, 1 + prandom_u32_state(&rnd) % 900,
						     GFP_KERNEL);
			KUNIT_ASSERT_NOT_NULL(test, live[j]);
		}
		if (i % 50 == 49)
			mheap_scavenge(h, (prandom_u32_state(&rnd) % 8) << 20);
		KUNIT_ASSERT_EQ(test, counter(h, MHEAP_CNT_PAGES_GROWN),
				(long)committed(h) +
				counter(h, MHEAP_CNT_PAGES_RELEASED));
		KUNIT_ASSERT_GE(test, committed(h),
				(unsigned long)atomic_long_read(&h->pages_in_use));
	}
	for (j = 0; j < ARRAY_SIZE(live); j++)
		mheap_free_manual(h, live[j]);
	mheap_release_all(h);
	KUNIT_EXPECT_EQ(test, committed(h), 0UL);
	KUNIT_EXPECT_EQ(test, counter(h, MHEAP_CNT_PAGES_GROWN),
			counter(h, MHEAP_CNT_PAGES_RELEASED));
	mheap_destroy(h);
}

/* The limit holds; growth past it first releases free regions. */
static void scavenge_limit(struct kunit *test)
{
	const unsigned long limit = 4 * MHEAP_CHUNK_BYTES;
	struct mheap *h = kunit_mheap(test, "kunit-limit", MHEAP_REGION_VMAP, limit);
	struct mheap_span *a, *b, *c;

	a = mheap_alloc_manual(h, 3 * MHEAP_CHUNK_PAGES, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, a);
	/* 3 + 2 chunks would pass the 4-chunk limit: refused. */
	b = mheap_alloc_manual(h, MHEAP_CHUNK_PAGES + 1, GFP_KERNEL);
	KUNIT_EXPECT_NULL(test, b);
	KUNIT_EXPECT_EQ(test, counter(h, MHEAP_CNT_LIMIT_FAILS), 1);
	KUNIT_EXPECT_LE(test, committed(h) << PAGE_SHIFT, limit);

	/*
	 * Once a is free, an allocation too large for its region releases it
	 * to make room: 3 + 4 chunks would pass the limit, 4 do not.
	 */
	mheap_free_manual(h, a);
	c = mheap_alloc_manual(h, 3 * MHEAP_CHUNK_PAGES + 1, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, c);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&h->released_by[MHEAP_SRC_ASSIST]),
			3L * MHEAP_CHUNK_PAGES);
	KUNIT_EXPECT_LE(test, committed(h) << PAGE_SHIFT, limit);
	mheap_free_manual(h, c);

	/* No limit, no refusal. */
	WRITE_ONCE(h->limit_pages, 0);
	a = mheap_alloc_manual(h, 5 * MHEAP_CHUNK_PAGES, GFP_KERNEL);
	KUNIT_EXPECT_NOT_NULL(test, a);
	mheap_free_manual(h, a);
	mheap_destroy(h);
}

/* The background scavenger brings retained memory down to its goal. */
static void scavenge_background(struct kunit *test)
{
	struct mheap *h = kunit_mheap(test, "kunit-bg", MHEAP_REGION_VMAP, 0);
	struct mheap_span *s[6];
	unsigned long goal;
	int i, waited;

	for (i = 0; i < 6; i++) {
		s[i] = mheap_alloc_manual(h, MHEAP_CHUNK_PAGES, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, s[i]);
	}
	for (i = 1; i < 6; i++)
		mheap_free_manual(h, s[i]);
	goal = mheap_retain_goal(h);
	KUNIT_ASSERT_GT(test, committed(h), MHEAP_CHUNK_PAGES + goal);

	mheap_scavenger_set(h, true);
	for (waited = 0; waited < 100; waited++) {
		if (committed(h) <= MHEAP_CHUNK_PAGES + goal)
			break;
		msleep(50);
	}
	KUNIT_EXPECT_LE(test, committed(h), MHEAP_CHUNK_PAGES + goal);
	KUNIT_EXPECT_GT(test, atomic_long_read(&h->released_by[MHEAP_SRC_BACKGROUND]),
			0L);
	mheap_free_manual(h, s[0]);
	mheap_destroy(h);
}

/* The shrinker counts what can go and releases it when asked. */
static void scavenge_shrinker(struct kunit *test)
{
	struct mheap *h = kunit_mheap(test, "kunit-shrink", MHEAP_REGION_VMAP, 0);
	struct shrink_control sc = { .gfp_mask = GFP_KERNEL };
	struct mheap_span *busy = three_free_regions(test, h);
	unsigned long count, freed;

	count = h->shrinker->count_objects(h->shrinker, &sc);
	KUNIT_EXPECT_EQ(test, count, 6UL * MHEAP_CHUNK_PAGES);
	sc.nr_to_scan = 1;
	freed = h->shrinker->scan_objects(h->shrinker, &sc);
	KUNIT_EXPECT_EQ(test, freed, 2UL * MHEAP_CHUNK_PAGES);
	KUNIT_EXPECT_EQ(test, h->shrinker->count_objects(h->shrinker, &sc),
			4UL * MHEAP_CHUNK_PAGES);
	/* Reclaim that may not enter the fs is refused. */
	sc.gfp_mask = GFP_NOFS;
	KUNIT_EXPECT_EQ(test, h->shrinker->scan_objects(h->shrinker, &sc),
			SHRINK_STOP);
	sc.gfp_mask = GFP_KERNEL;
	sc.nr_to_scan = 1UL << 30;
	KUNIT_EXPECT_EQ(test, h->shrinker->scan_objects(h->shrinker, &sc),
			4UL * MHEAP_CHUNK_PAGES);
	KUNIT_EXPECT_EQ(test, h->shrinker->count_objects(h->shrinker, &sc),
			SHRINK_EMPTY);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&h->released_by[MHEAP_SRC_SHRINKER]),
			6L * MHEAP_CHUNK_PAGES);
	mheap_free_manual(h, busy);
	mheap_destroy(h);
}

struct frag_obj {
	void *p;
	size_t size;
};

static size_t frag_size(struct rnd_state *rnd)
{
	u32 r = prandom_u32_state(rnd);

	if (r % 50 == 0)
		return 8192 + (r >> 8) % 57344;		/* 8-64 KiB */
	return 16 + (r >> 8) % 2033;			/* 16-2048 bytes */
}

/* One digit per region, in page-number order: tenths of its pages in use. */
static void frag_map(struct kunit *test, struct mheap *h)
{
	struct mheap_region *r;
	unsigned int m = 0, w;
	char map[65];

	spin_lock_irq(&h->lock);
	list_for_each_entry(r, &h->regions, node) {
		unsigned long ch = r->lpage >> PALLOC_CHUNK_SHIFT, used = 0;

		if (m == sizeof(map) - 1)
			break;
		for (w = 0; w < PALLOC_CHUNK_WORDS; w++)
			used += hweight64(h->pages.chunks[ch]->alloc[w]);
		map[m++] = '0' + min(9UL, used * 10 / r->npages);
	}
	spin_unlock_irq(&h->lock);
	map[m] = '\0';
	kunit_info(test, "regions: %s\n", map);
}

/* What share of the heap's free memory could go back right now, in %. */
static unsigned long frag_report(struct kunit *test, struct mheap *h,
				 const char *when, unsigned long live_bytes)
{
	unsigned long c, u, r, free_pages, free_bytes;

	mheap_mcache_flush_all(h);
	mheap_pcpu_drain_all(h);
	c = committed(h);
	u = atomic_long_read(&h->pages_in_use);
	r = mheap_releasable_pages(h);
	free_pages = c - u;
	free_bytes = (c << PAGE_SHIFT) - live_bytes;
	frag_map(test, h);
	kunit_info(test, "%s: committed %lu KiB, live objects %lu KiB, free pages %lu KiB, releasable %lu KiB = %lu%% of free pages, %lu%% of free memory\n",
		   when, c << (PAGE_SHIFT - 10), live_bytes >> 10,
		   free_pages << (PAGE_SHIFT - 10), r << (PAGE_SHIFT - 10),
		   free_pages ? 100 * r / free_pages : 0,
		   100 * (r << PAGE_SHIFT) / max(free_bytes, 1UL));
	return 100 * (r << PAGE_SHIFT) / max(free_bytes, 1UL);
}

/*
 * The fragmentation experiment: fill 48 MiB with objects of mixed sizes,
 * free a random 90%, then churn (free a random survivor, allocate a new
 * object) for eight times the survivors, which replaces all but a few.
 * Right after the frees nothing is releasable: survivors sit everywhere.
 * The churn's allocations must go low (partial spans in address order,
 * fresh low spans rather than holes in high ones), so the high regions
 * empty and can go back.
 */
static void scavenge_fragmentation(struct kunit *test)
{
	struct mheap *h = kunit_mheap(test, "kunit-frag", MHEAP_REGION_AUTO, 0);
	unsigned long total = 0, live = 0, n = 0, cap = 60000, i, k, nlive;
	struct frag_obj *o;
	struct rnd_state rnd;
	unsigned long share;

	prandom_seed_state(&rnd, 1234);
	o = kvcalloc(cap, sizeof(*o), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, o);
	while (total < 48UL << 20 && n < cap) {
		o[n].size = frag_size(&rnd);
		o[n].p = mheap_alloc(h, o[n].size, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, o[n].p);
		total += o[n++].size;
	}
	for (i = 0; i < n; i++) {
		if (prandom_u32_state(&rnd) % 10) {
			mheap_free(h, o[i].p);
			o[i].p = NULL;
		} else {
			live += o[i].size;
		}
	}
	/* Keep the survivors at the front of the array. */
	for (i = 0, nlive = 0; i < n; i++)
		if (o[i].p)
			o[nlive++] = o[i];
	frag_report(test, h, "after freeing 90%", live);
	for (k = 0; k < 8 * nlive; k++) {
		i = prandom_u32_state(&rnd) % nlive;
		live -= o[i].size;
		mheap_free(h, o[i].p);
		o[i].size = frag_size(&rnd);
		o[i].p = mheap_alloc(h, o[i].size, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, o[i].p);
		live += o[i].size;
	}
	share = frag_report(test, h, "after churn", live);
	KUNIT_EXPECT_GE(test, share, 75UL);
	for (i = 0; i < nlive; i++)
		mheap_free(h, o[i].p);
	kvfree(o);
	KUNIT_EXPECT_EQ(test, counter(h, MHEAP_CNT_BAD_FREES), 0L);
	mheap_destroy(h);
}

static struct kunit_case mheap_scavenge_cases[] = {
	KUNIT_CASE(scavenge_partial),
	KUNIT_CASE(scavenge_accounting),
	KUNIT_CASE(scavenge_limit),
	KUNIT_CASE_SLOW(scavenge_background),
	KUNIT_CASE(scavenge_shrinker),
	KUNIT_CASE_SLOW(scavenge_fragmentation),
	{}
};

static struct kunit_suite mheap_scavenge_suite = {
	.name = "mheap_scavenge",
	.test_cases = mheap_scavenge_cases,
};

kunit_test_suites(&mheap_scavenge_suite);
