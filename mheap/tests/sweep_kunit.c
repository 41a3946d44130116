// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite mheap_sweep: sweeping after a collection cycle.  Marked
 * objects survive with their contents, unmarked ones are freed exactly
 * once, the sweepgen states move as the seed's protocol says, and every
 * way of sweeping (mcentral, proportional, background, uncache, explicit)
 * does its part, also with all CPUs racing.
 */
#include <kunit/test.h>
#include <linux/completion.h>
#include <linux/cpu.h>
#include <linux/delay.h>
#include <linux/kthread.h>
#include <linux/prandom.h>
#include <linux/slab.h>
#include "helpers.h"

/* Objects freed as the stats file counts them: per CPU, small only. */
static long mcache_frees(struct mheap *h)
{
	unsigned long allocs, frees;

	mheap_class_counts(h, 0, &allocs, &frees);
	return frees;
}

static long swept(struct mheap *h, enum mheap_sweep_src src)
{
	return atomic_long_read(&h->gc.swept_by[src]);
}

/* Sizes over many classes, and now and then a large object. */
static size_t random_size(struct rnd_state *rnd)
{
	u32 r = prandom_u32_state(rnd);

	if (r % 64 == 0)
		return MHEAP_MAX_SMALL + 1 + r % (3 * PAGE_SIZE);
	return 1 + (r >> 8) % (r & 1 ? 256 : 4096);
}

/*
 * Many cycles with random survival rates over random sizes: every
 * survivor keeps its contents, every other object is freed (ksize says
 * 0), and the heap's object count follows.
 */
static void sweep_random_survival(struct kunit *test)
{
	struct mheap *h = kunit_gc_heap(test, "kunit-survive");
	const unsigned int n = 3000;
	struct rnd_state rnd;
	unsigned int c, i;
	struct obj *objs;

	prandom_seed_state(&rnd, 5);
	objs = kunit_kcalloc(test, n, sizeof(*objs), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, objs);
	for (c = 0; c < 12; c++) {
		unsigned int rate = c == 0 ? 100 : c == 1 ? 0 :
				    prandom_u32_state(&rnd) % 101;
		long freed0 = atomic_long_read(&h->gc.objects_freed);
		unsigned int dead = 0;

		/* Refill the slots the last cycle emptied. */
		for (i = 0; i < n; i++) {
			if (objs[i].p)
				continue;
			objs[i].size = random_size(&rnd);
			objs[i].p = mheap_alloc(h, objs[i].size, GFP_KERNEL);
			KUNIT_ASSERT_NOT_NULL(test, objs[i].p);
			fill_obj(&objs[i], prandom_u32_state(&rnd));
		}
		mheap_gc_begin(h);
		for (i = 0; i < n; i++) {
			objs[i].mark = prandom_u32_state(&rnd) % 100 < rate;
			if (objs[i].mark)
				KUNIT_EXPECT_TRUE(test, mheap_mark(h, objs[i].p));
			else
				dead++;
		}
		mheap_gc_end(h);
		mheap_sweep_all(h);
		KUNIT_EXPECT_TRUE(test, mheap_sweep_done(h));
		KUNIT_EXPECT_EQ_MSG(test, atomic_long_read(&h->gc.objects_freed) - freed0,
				    (long)dead, "cycle %u, survival %u%%", c, rate);
		for (i = 0; i < n; i++) {
			if (objs[i].mark) {
				KUNIT_EXPECT_TRUE_MSG(test, obj_intact(&objs[i]),
						      "cycle %u object %u", c, i);
				KUNIT_EXPECT_GE(test, mheap_ksize(h, objs[i].p),
						objs[i].size);
			} else {
				KUNIT_EXPECT_EQ(test, mheap_ksize(h, objs[i].p),
						(size_t)0);
				objs[i].p = NULL;
			}
		}
	}
	/* A cycle marking nothing empties the heap. */
	mheap_gc_begin(h);
	mheap_gc_end(h);
	mheap_sweep_all(h);
	mheap_mcache_flush_all(h);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&h->spans_live), 0L);
	KUNIT_EXPECT_EQ(test, counter(h, MHEAP_CNT_BAD_FREES), 0L);
	mheap_destroy(h);
}

/*
 * The seed's states, on one listed span and one cached span: h - 2
 * after the cycle, h once swept; a span cached across the end is swept
 * by its CPU giving it back.
 */
static void sweep_states(struct kunit *test)
{
	struct mheap *h = kunit_gc_heap(test, "kunit-states");
	struct mheap_span *s;
	u8 *p, *q;
	u32 sg;

	p = mheap_alloc(h, 100, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p);
	s = mheap_span_of(h, p);
	sg = READ_ONCE(h->gc.sweepgen);
	KUNIT_EXPECT_EQ(test, s->sweepgen, sg + 3);	/* cached, swept */
	mheap_mcache_flush_all(h);
	KUNIT_EXPECT_EQ(test, s->sweepgen, sg);		/* listed, swept */
	KUNIT_EXPECT_TRUE(test, mheap_sweep_done(h));

	mheap_gc_begin(h);
	KUNIT_EXPECT_TRUE(test, mheap_mark(h, p));
	mheap_gc_end(h);
	KUNIT_EXPECT_EQ(test, READ_ONCE(h->gc.sweepgen), sg + 2);
	KUNIT_EXPECT_EQ(test, s->sweepgen, sg);		/* = new sg - 2 */
	KUNIT_EXPECT_FALSE(test, mheap_sweep_done(h));
	KUNIT_EXPECT_EQ(test, mheap_sweepone(h, MHEAP_SWEEP_EXPLICIT), 1UL);
	KUNIT_EXPECT_EQ(test, s->sweepgen, sg + 2);
	KUNIT_EXPECT_EQ(test, mheap_sweepone(h, MHEAP_SWEEP_EXPLICIT), 0UL);
	KUNIT_EXPECT_TRUE(test, mheap_sweep_done(h));

	/* Cached while marking, still cached when the cycle ends. */
	q = mheap_alloc(h, 3000, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, q);
	mheap_gc_begin(h);
	s = mheap_span_of(h, q);
	KUNIT_EXPECT_EQ(test, s->sweepgen, sg + 2 + 3);
	mheap_gc_end(h);
	/* gc_end made every CPU give its spans back, sweeping this one. */
	KUNIT_EXPECT_EQ(test, swept(h, MHEAP_SWEEP_UNCACHE), 1L);
	KUNIT_EXPECT_EQ(test, mheap_ksize(h, q), (size_t)0);
	mheap_free(h, p);
	mheap_destroy(h);
}

/* A free of an object the last cycle found dead is refused. */
static void sweep_free_dead_refused(struct kunit *test)
{
	struct mheap *h = kunit_gc_heap(test, "kunit-deadfree");
	u8 *a = mheap_alloc(h, 64, GFP_KERNEL);
	u8 *b = mheap_alloc(h, 64, GFP_KERNEL);

	KUNIT_ASSERT_TRUE(test, a && b);
	mheap_mcache_flush_all(h);
	mheap_gc_begin(h);
	mheap_mark(h, a);
	mheap_gc_end(h);
	mheap_free(h, b);			/* dead, unswept */
	KUNIT_EXPECT_EQ(test, counter(h, MHEAP_CNT_BAD_FREES), 1L);
	mheap_free(h, a);			/* live, unswept: fine */
	KUNIT_EXPECT_EQ(test, counter(h, MHEAP_CNT_BAD_FREES), 1L);
	mheap_sweep_all(h);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&h->gc.objects_freed), 1L);
	mheap_mcache_flush_all(h);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&h->spans_live), 0L);
	mheap_destroy(h);
}

#ifdef CONFIG_KASAN_GENERIC
static __no_sanitize_address u8 shadow_of(const void *p)
{
	return *(u8 *)kasan_mem_to_shadow(p);
}

/* What sweeping frees is poisoned like an explicit free. */
static void sweep_kasan_poison(struct kunit *test)
{
	struct mheap *h = kunit_gc_heap(test, "kunit-swkasan");
	u8 *a = mheap_alloc(h, 32, GFP_KERNEL);
	u8 *b = mheap_alloc(h, 32, GFP_KERNEL);

	KUNIT_ASSERT_TRUE(test, a && b);
	mheap_gc_begin(h);
	mheap_mark(h, a);
	mheap_gc_end(h);
	mheap_sweep_all(h);
	KUNIT_EXPECT_EQ(test, shadow_of(a), 0);
	KUNIT_EXPECT_EQ(test, shadow_of(b), 0xFB);
	mheap_free(h, a);
	mheap_destroy(h);
}
#else
static void sweep_kasan_poison(struct kunit *test)
{
	kunit_skip(test, "needs CONFIG_KASAN_GENERIC");
}
#endif

/* Fill @h with @n objects of sizes from @rnd, a fraction of them marked. */
static struct obj *prefill(struct kunit *test, struct mheap *h,
			   unsigned int n, unsigned int rate,
			   struct rnd_state *rnd, unsigned int *dead)
{
	struct obj *objs = kunit_kcalloc(test, n, sizeof(*objs), GFP_KERNEL);
	unsigned int i;

	KUNIT_ASSERT_NOT_NULL(test, objs);
	for (i = 0; i < n; i++) {
		objs[i].size = random_size(rnd);
		objs[i].p = mheap_alloc(h, objs[i].size, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, objs[i].p);
		fill_obj(&objs[i], i * 7);
		objs[i].mark = prandom_u32_state(rnd) % 100 < rate;
	}
	*dead = 0;
	for (i = 0; i < n; i++)
		*dead += !objs[i].mark;
	return objs;
}

struct racer {
	struct mheap *h;
	unsigned int id;
	atomic_t *stop;
	atomic_t *errors;
	struct completion done;
};

/* Allocate and free objects of its own, which makes mcentral sweep. */
static int alloc_racer(void *arg)
{
	struct racer *r = arg;
	struct rnd_state rnd;
	void *slots[64] = {};
	unsigned int i;

	prandom_seed_state(&rnd, r->id);
	while (!atomic_read(r->stop)) {
		i = prandom_u32_state(&rnd) % ARRAY_SIZE(slots);
		if (slots[i]) {
			mheap_free(r->h, slots[i]);
			slots[i] = NULL;
		} else {
			size_t size = random_size(&rnd);

			slots[i] = mheap_alloc(r->h, size, GFP_KERNEL);
			if (!slots[i])
				atomic_inc(r->errors);
			else
				memset(slots[i], r->id, size);
		}
		cond_resched();
	}
	for (i = 0; i < ARRAY_SIZE(slots); i++)
		mheap_free(r->h, slots[i]);
	complete(&r->done);
	return 0;
}

/* Sweep one span at a time, or run the reclaimer. */
static int sweep_racer(void *arg)
{
	struct racer *r = arg;

	while (!atomic_read(r->stop)) {
		if ((r->id / 2) & 1)
			mheap_reclaim(r->h, 8);
		else
			mheap_sweepone(r->h, MHEAP_SWEEP_EXPLICIT);
		cond_resched();
	}
	complete(&r->done);
	return 0;
}

/*
 * Every CPU allocates, sweeps or reclaims while the background sweeper
 * runs: each span that needed sweeping is swept exactly once, each dead
 * object is freed once, survivors keep their contents.
 */
static void sweep_exactly_once_concurrent(struct kunit *test)
{
	struct mheap *h = kunit_gc_heap(test, "kunit-once");
	atomic_t stop = ATOMIC_INIT(0), errors = ATOMIC_INIT(0);
	unsigned int n = 6000, dead, i, nr = 0, cpu;
	struct racer *r;
	struct rnd_state rnd;
	struct obj *objs;
	long spans, freed0;

	prandom_seed_state(&rnd, 11);
	objs = prefill(test, h, n, 40, &rnd, &dead);
	mheap_mcache_flush_all(h);
	spans = atomic_long_read(&h->spans_live);
	freed0 = atomic_long_read(&h->gc.objects_freed);
	mheap_gc_begin(h);
	for (i = 0; i < n; i++)
		if (objs[i].mark)
			mheap_mark(h, objs[i].p);
	mheap_gc_end(h);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&h->gc.spans_swept), 0L);

	r = kunit_kcalloc(test, 2 * num_online_cpus(), sizeof(*r), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, r);
	mheap_bgsweep_set(h, true);
	cpus_read_lock();
	for_each_online_cpu(cpu) {
		for (i = 0; i < 2; i++, nr++) {
			struct task_struct *t;

			r[nr] = (struct racer){ .h = h, .id = nr, .stop = &stop,
						.errors = &errors };
			init_completion(&r[nr].done);
			t = kthread_create_on_cpu(i ? sweep_racer : alloc_racer,
						  &r[nr], cpu, "mheap_race/%u");
			KUNIT_ASSERT_FALSE(test, IS_ERR(t));
			wake_up_process(t);
		}
	}
	cpus_read_unlock();
	msleep(1500);
	atomic_set(&stop, 1);
	for (i = 0; i < nr; i++)
		wait_for_completion(&r[i].done);
	mheap_sweep_all(h);

	KUNIT_EXPECT_EQ(test, atomic_read(&errors), 0);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&h->gc.spans_swept), spans);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&h->gc.objects_freed) - freed0,
			(long)dead);
	for (i = 0; i < n; i++) {
		if (objs[i].mark)
			KUNIT_EXPECT_TRUE(test, obj_intact(&objs[i]));
	}
	kunit_info(test, "%ld spans swept: %ld background, %ld mcentral, %ld reclaim, %ld explicit, %ld proportional\n",
		   spans, swept(h, MHEAP_SWEEP_BACKGROUND),
		   swept(h, MHEAP_SWEEP_MCENTRAL), swept(h, MHEAP_SWEEP_RECLAIM),
		   swept(h, MHEAP_SWEEP_EXPLICIT),
		   swept(h, MHEAP_SWEEP_PROPORTIONAL));
	KUNIT_EXPECT_EQ(test, counter(h, MHEAP_CNT_BAD_FREES), 0L);
	mheap_destroy(h);
}

/*
 * Proportional sweep alone (no background sweeper, allocation from a
 * class nothing old lives in, everything old marked so the reclaimer has
 * nothing to do): allocating as much as the heap held finishes the sweep.
 */
static void sweep_proportional(struct kunit *test)
{
	struct mheap *h = kunit_gc_heap(test, "kunit-prop");
	unsigned int i, n = 4000;
	unsigned long bytes;
	void **old;

	old = kunit_kcalloc(test, n, sizeof(*old), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, old);
	for (i = 0; i < n; i++) {
		old[i] = mheap_alloc(h, 1024, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, old[i]);
	}
	mheap_gc_begin(h);
	for (i = 0; i < n; i++)
		mheap_mark(h, old[i]);
	mheap_gc_end(h);
	KUNIT_EXPECT_NE(test, READ_ONCE(h->gc.ppb_q32), 0ULL);
	KUNIT_EXPECT_FALSE(test, mheap_sweep_done(h));
	bytes = atomic_long_read(&h->pages_in_use) << PAGE_SHIFT;
	for (i = 0; !mheap_sweep_done(h) && i * 8192UL < 2 * bytes; i++)
		KUNIT_ASSERT_NOT_NULL(test, mheap_alloc(h, 8192, GFP_KERNEL));
	KUNIT_EXPECT_TRUE(test, mheap_sweep_done(h));
	KUNIT_EXPECT_LE(test, i * 8192UL, bytes + SZ_1M);
	KUNIT_EXPECT_GT(test, swept(h, MHEAP_SWEEP_PROPORTIONAL), 0L);
	KUNIT_EXPECT_EQ(test, reclaim_stat(h, MHEAP_RECLAIM_PAGES), 0L);
	mheap_destroy(h);
}

/* The background sweeper finishes a cycle on its own. */
static void sweep_background(struct kunit *test)
{
	struct mheap *h = kunit_gc_heap(test, "kunit-bgsweep");
	unsigned int i;

	for (i = 0; i < 3000; i++)
		KUNIT_ASSERT_NOT_NULL(test, mheap_alloc(h, 200, GFP_KERNEL));
	mheap_bgsweep_set(h, true);
	mheap_gc_begin(h);
	mheap_gc_end(h);
	for (i = 0; i < 250 && !mheap_sweep_done(h); i++)
		msleep(20);
	KUNIT_EXPECT_TRUE(test, mheap_sweep_done(h));
	KUNIT_EXPECT_GT(test, swept(h, MHEAP_SWEEP_BACKGROUND), 0L);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&h->gc.objects_freed), 3000L);
	KUNIT_EXPECT_EQ(test, mcache_frees(h), 3000L);
	mheap_destroy(h);
}

/* Destroying a heap (what rmmod does) while its sweeper runs is clean. */
static void sweep_destroy_mid_sweep(struct kunit *test)
{
	unsigned int round, i, unfinished = 0;

	for (round = 0; round < 3; round++) {
		struct mheap *h = kunit_gc_heap(test, "kunit-midsweep");

		for (i = 0; i < 20000; i++)
			KUNIT_ASSERT_NOT_NULL(test, mheap_alloc(h, 64 + i % 900,
								GFP_KERNEL));
		mheap_bgsweep_set(h, true);
		mheap_gc_begin(h);
		mheap_gc_end(h);
		if (round)
			msleep(round);
		unfinished += !mheap_sweep_done(h);
		mheap_destroy(h);
	}
	/* At least one destroy met a sweep under way. */
	KUNIT_EXPECT_GT(test, unfinished, 0U);
}

static struct kunit_case mheap_sweep_cases[] = {
	KUNIT_CASE(sweep_states),
	KUNIT_CASE(sweep_free_dead_refused),
	KUNIT_CASE(sweep_kasan_poison),
	KUNIT_CASE(sweep_proportional),
	KUNIT_CASE(sweep_background),
	KUNIT_CASE_SLOW(sweep_random_survival),
	KUNIT_CASE_SLOW(sweep_exactly_once_concurrent),
	KUNIT_CASE_SLOW(sweep_destroy_mid_sweep),
	{}
};

static struct kunit_suite mheap_sweep_suite = {
	.name = "mheap_sweep",
	.test_cases = mheap_sweep_cases,
};

kunit_test_suites(&mheap_sweep_suite);
