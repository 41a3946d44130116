// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite mheap_span: span lists, manual spans, zeroing, the per-CPU
 * caches, allocation contexts and concurrency.
 */
#include <kunit/test.h>
#include <linux/completion.h>
#include <linux/cpu.h>
#include <linux/delay.h>
#include <linux/err.h>
#include <linux/kthread.h>
#include <linux/prandom.h>
#include <linux/slab.h>
#include "helpers.h"

static bool all_bytes(const u8 *p, size_t n, u8 v)
{
	return !memchr_inv(p, v, n);
}

static void span_list_ops(struct kunit *test)
{
	struct mheap_span sp[4] = {}, *s;
	struct mheap_span_list a, b;
	unsigned long order[4], i = 0;

	mheap_span_list_init(&a);
	mheap_span_list_init(&b);
	KUNIT_EXPECT_TRUE(test, mheap_span_list_empty(&a));
	mheap_span_list_insert(&a, &sp[1]);
	mheap_span_list_insert(&a, &sp[0]);
	mheap_span_list_insert_back(&a, &sp[2]);
	mheap_span_list_insert_back(&b, &sp[3]);
	KUNIT_EXPECT_EQ(test, a.count, 3UL);
	KUNIT_EXPECT_PTR_EQ(test, sp[2].list, &a);

	mheap_span_list_take_all(&b, &a);
	KUNIT_EXPECT_TRUE(test, mheap_span_list_empty(&a));
	KUNIT_EXPECT_EQ(test, a.count, 0UL);
	KUNIT_EXPECT_EQ(test, b.count, 4UL);
	list_for_each_entry(s, &b.head, node) {
		KUNIT_EXPECT_PTR_EQ(test, s->list, &b);
		order[i++] = s - sp;
	}
	KUNIT_EXPECT_EQ(test, order[0], 3UL);
	KUNIT_EXPECT_EQ(test, order[1], 0UL);
	KUNIT_EXPECT_EQ(test, order[2], 1UL);
	KUNIT_EXPECT_EQ(test, order[3], 2UL);

	mheap_span_list_remove(&b, &sp[0]);
	KUNIT_EXPECT_NULL(test, sp[0].list);
	KUNIT_EXPECT_EQ(test, b.count, 3UL);
	/* A span off every list can join another. */
	mheap_span_list_insert(&a, &sp[0]);
	KUNIT_EXPECT_EQ(test, a.count, 1UL);
}

/* An address-ordered list hands out its lowest span first. */
static void span_list_sorted(struct kunit *test)
{
	static const unsigned long lpages[] = { 700, 3, 512, 90, 4000, 1 };
	struct mheap_span sp[ARRAY_SIZE(lpages)] = {};
	struct mheap_span_list l;
	unsigned long last = 0;
	unsigned int i;

	mheap_span_list_init_sorted(&l);
	KUNIT_EXPECT_NULL(test, mheap_span_list_first(&l));
	for (i = 0; i < ARRAY_SIZE(sp); i++) {
		sp[i].lpage = lpages[i];
		if (i & 1)
			mheap_span_list_insert_back(&l, &sp[i]);
		else
			mheap_span_list_insert(&l, &sp[i]);
	}
	KUNIT_EXPECT_EQ(test, l.count, ARRAY_SIZE(sp));
	mheap_span_list_remove(&l, &sp[1]);		/* lpage 3 */
	KUNIT_EXPECT_EQ(test, mheap_span_list_first(&l)->lpage, 1UL);
	while (!mheap_span_list_empty(&l)) {
		struct mheap_span *s = mheap_span_list_first(&l);

		KUNIT_EXPECT_GT(test, s->lpage, last);
		last = s->lpage;
		mheap_span_list_remove(&l, s);
	}
	KUNIT_EXPECT_EQ(test, last, 4000UL);
}

/* Fresh memory is zero without being zeroed; dirty reuse gets zeroed. */
static void span_zeroing(struct kunit *test)
{
	struct mheap *h = kunit_mheap(test, "kunit-zero", MHEAP_REGION_AUTO, 0);
	struct mheap_span *s;
	long zeroed;
	u8 *p;

	s = mheap_alloc_manual(h, 4, GFP_KERNEL | __GFP_ZERO);
	KUNIT_ASSERT_NOT_NULL(test, s);
	p = mheap_span_base(s);
	KUNIT_EXPECT_FALSE(test, s->needzero);
	KUNIT_EXPECT_EQ(test, counter(h, MHEAP_CNT_PAGES_ZEROED), 0);
	KUNIT_EXPECT_TRUE(test, all_bytes(p, 4 * PAGE_SIZE, 0));
	memset(p, 0xaa, 4 * PAGE_SIZE);
	mheap_free_manual(h, s);
	/* Freed pages go to the page allocator, not back to a CPU's cache. */
	mheap_pcpu_drain_all(h);

	/* First fit hands the same, now dirty, pages out again. */
	s = mheap_alloc_manual(h, 4, GFP_KERNEL | __GFP_ZERO);
	KUNIT_ASSERT_NOT_NULL(test, s);
	KUNIT_EXPECT_PTR_EQ(test, (u8 *)mheap_span_base(s), p);
	KUNIT_EXPECT_TRUE(test, s->needzero);
	KUNIT_EXPECT_TRUE(test, all_bytes(p, 4 * PAGE_SIZE, 0));
	zeroed = counter(h, MHEAP_CNT_PAGES_ZEROED);
	KUNIT_EXPECT_EQ(test, zeroed, 4);
	mheap_free_manual(h, s);
	mheap_pcpu_drain_all(h);

	/* Dirty pages and known-zero ones together: all read zero. */
	s = mheap_alloc_manual(h, 8, GFP_KERNEL | __GFP_ZERO);
	KUNIT_ASSERT_NOT_NULL(test, s);
	KUNIT_EXPECT_TRUE(test, all_bytes(mheap_span_base(s), 8 * PAGE_SIZE, 0));
	mheap_free_manual(h, s);
	mheap_destroy(h);
}

static void span_pcache_small_requests(struct kunit *test)
{
	struct mheap *h = kunit_mheap(test, "kunit-pcache", MHEAP_REGION_AUTO, 0);
	struct mheap_span *a, *b, *big;
	long hits;

	/* On an empty heap the first request grows it through the slow path. */
	a = mheap_alloc_manual(h, 1, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, a);
	hits = counter(h, MHEAP_CNT_PCACHE_ALLOCS);
	b = mheap_alloc_manual(h, MHEAP_PCACHE_MAX_PAGES, GFP_KERNEL);
	KUNIT_EXPECT_EQ(test, counter(h, MHEAP_CNT_PCACHE_ALLOCS), hits + 1);
	big = mheap_alloc_manual(h, MHEAP_PCACHE_MAX_PAGES + 1, GFP_KERNEL);
	KUNIT_EXPECT_EQ(test, counter(h, MHEAP_CNT_PCACHE_ALLOCS), hits + 1);
	KUNIT_ASSERT_TRUE(test, b && big);
	KUNIT_EXPECT_GE(test, counter(h, MHEAP_CNT_PCACHE_FILLS), 1);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&h->pages_in_use),
			(long)(2 * MHEAP_PCACHE_MAX_PAGES + 2));
	mheap_free_manual(h, a);
	mheap_free_manual(h, b);
	mheap_free_manual(h, big);
	/* Pages parked in a CPU's cache come back when it is drained. */
	mheap_pcpu_drain_all(h);
	KUNIT_EXPECT_EQ(test, h->pages.pages_in_use, 0UL);
	KUNIT_EXPECT_EQ(test, palloc_check(&h->pages), 0);
	mheap_destroy(h);
}

/*
 * A small span freed on the CPU whose block holds it goes back into the
 * block, so a loop of small spans never refills it.
 */
static void span_pcache_free(struct kunit *test)
{
	struct mheap *h = kunit_mheap(test, "kunit-pcfree", MHEAP_REGION_AUTO, 0);
	struct mheap_span *a, *b, *c, *big;
	long frees, fills;
	unsigned long cached;
	void *base;
	int i;

	/* Alloc and free on one CPU; migrate_disable() may sleep. */
	migrate_disable();
	a = mheap_alloc_manual(h, 1, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, a);
	b = mheap_alloc_manual(h, 4, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, b);
	base = mheap_span_base(b);
	frees = counter(h, MHEAP_CNT_PCACHE_FREES);
	fills = counter(h, MHEAP_CNT_PCACHE_FILLS);
	cached = h->pages.pages_in_use;

	mheap_free_manual(h, b);
	KUNIT_EXPECT_EQ(test, counter(h, MHEAP_CNT_PCACHE_FREES), frees + 1);
	/* For the page allocator the pages are still taken: cached. */
	KUNIT_EXPECT_EQ(test, h->pages.pages_in_use, cached);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&h->pages_in_use), 1L);
	c = mheap_alloc_manual(h, 4, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, c);
	KUNIT_EXPECT_PTR_EQ(test, mheap_span_base(c), base);
	mheap_free_manual(h, c);

	for (i = 0; i < 1000; i++) {
		c = mheap_alloc_manual(h, 2, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, c);
		mheap_free_manual(h, c);
	}
	KUNIT_EXPECT_EQ(test, counter(h, MHEAP_CNT_PCACHE_FILLS), fills);
	KUNIT_EXPECT_EQ(test, counter(h, MHEAP_CNT_PCACHE_FREES),
			frees + 1002);

	/* Above 16 pages, spans come from and go to the page allocator. */
	big = mheap_alloc_manual(h, MHEAP_PCACHE_MAX_PAGES + 1, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, big);
	mheap_free_manual(h, big);
	KUNIT_EXPECT_EQ(test, counter(h, MHEAP_CNT_PCACHE_FREES),
			frees + 1002);
	mheap_free_manual(h, a);
	migrate_enable();

	mheap_pcpu_drain_all(h);
	KUNIT_EXPECT_EQ(test, h->pages.pages_in_use, 0UL);
	KUNIT_EXPECT_EQ(test, palloc_check(&h->pages), 0);
	mheap_destroy(h);
}

static void span_bad_free(struct kunit *test)
{
	struct mheap *h = kunit_mheap(test, "kunit-bad1", MHEAP_REGION_AUTO, 0);
	struct mheap *o = kunit_mheap(test, "kunit-bad2", MHEAP_REGION_AUTO, 0);
	struct mheap_span *s = mheap_alloc_manual(o, 2, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, s);
	mheap_free_manual(h, s);	/* wrong heap */
	KUNIT_EXPECT_EQ(test, counter(h, MHEAP_CNT_BAD_FREES), 1);
	KUNIT_EXPECT_PTR_EQ(test, mheap_span_of(o, mheap_span_base(s)), s);
	mheap_free_manual(h, NULL);	/* ignored, like kfree(NULL) */
	KUNIT_EXPECT_EQ(test, counter(h, MHEAP_CNT_BAD_FREES), 1);
	mheap_free_manual(o, s);
	KUNIT_EXPECT_EQ(test, counter(o, MHEAP_CNT_BAD_FREES), 0);
	mheap_destroy(h);
	mheap_destroy(o);
}

/*
 * The most atomic context a GFP_ATOMIC caller may be in: a spinlock_t
 * taken with spin_lock_irqsave().  Without PREEMPT_RT that is interrupts
 * and preemption off; with it, the kernel's allocators and mheap take
 * sleeping spinlocks, and "cannot be invoked from truly atomic contexts"
 * (Documentation/locking/locktypes.rst), but may be under a spinlock_t.
 */
static DEFINE_SPINLOCK(atomic_ctx);

/* GFP_ATOMIC under atomic_ctx: never sleeps, fails cleanly if it must. */
static void span_atomic_context(struct kunit *test)
{
	struct mheap *h = kunit_mheap(test, "kunit-atomic", MHEAP_REGION_VMAP, 0);
	struct mheap_span *s, *t;
	unsigned long flags;

	/* A vmap-only heap cannot grow without sleeping. */
	spin_lock_irqsave(&atomic_ctx, flags);
	s = mheap_alloc_manual(h, 1, GFP_ATOMIC);
	spin_unlock_irqrestore(&atomic_ctx, flags);
	KUNIT_EXPECT_NULL(test, s);
	KUNIT_EXPECT_EQ(test, counter(h, MHEAP_CNT_GROW_FAILS), 1);

	/* Once grown, atomic callers are served from free pages. */
	t = mheap_alloc_manual(h, 1, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, t);
	spin_lock_irqsave(&atomic_ctx, flags);
	s = mheap_alloc_manual(h, 20, GFP_ATOMIC | __GFP_ZERO);
	if (s)
		mheap_free_manual(h, s);
	spin_unlock_irqrestore(&atomic_ctx, flags);
	KUNIT_EXPECT_NOT_NULL(test, s);
	mheap_free_manual(h, t);
	mheap_destroy(h);

	/* A heap that may use the direct map grows atomically. */
	h = kunit_mheap(test, "kunit-atomic2", MHEAP_REGION_AUTO, 0);
	spin_lock_irqsave(&atomic_ctx, flags);
	s = mheap_alloc_manual(h, 3, GFP_ATOMIC);
	spin_unlock_irqrestore(&atomic_ctx, flags);
	if (s) {
		KUNIT_EXPECT_EQ(test, counter(h, MHEAP_CNT_REGIONS_DIRECT), 1);
		mheap_free_manual(h, s);
	} else {
		/* No free 2 MiB block: a clean failure, counted. */
		KUNIT_EXPECT_EQ(test, counter(h, MHEAP_CNT_GROW_FAILS), 1);
	}
	mheap_destroy(h);
}

/* Kthreads on every CPU allocate, write, check and free concurrently. */
struct stress_arg {
	struct mheap *h;
	unsigned int id;
	unsigned int iters;
	atomic_t *errors;
	struct completion done;
};

static int stress_fn(void *data)
{
	struct stress_arg *a = data;
	struct mheap_span *live[16] = {};
	struct rnd_state rnd;
	unsigned int i, j;

	prandom_seed_state(&rnd, a->id + 1);
	for (i = 0; i < a->iters; i++) {
		j = prandom_u32_state(&rnd) % ARRAY_SIZE(live);
		if (live[j]) {
			u8 *p = mheap_span_base(live[j]);
			size_t n = mheap_span_npages(live[j]) << PAGE_SHIFT;

			if (!all_bytes(p, n, (u8)(a->id * 16 + j)) ||
			    mheap_span_of(a->h, p + n - 1) != live[j])
				atomic_inc(a->errors);
			mheap_free_manual(a->h, live[j]);
			live[j] = NULL;
		} else {
			unsigned long np = 1 + prandom_u32_state(&rnd) % 24;

			live[j] = mheap_alloc_manual(a->h, np, GFP_KERNEL);
			if (!live[j]) {
				atomic_inc(a->errors);
				continue;
			}
			memset(mheap_span_base(live[j]), a->id * 16 + j,
			       np << PAGE_SHIFT);
		}
		if (i % 32 == 0)
			cond_resched();
	}
	for (j = 0; j < ARRAY_SIZE(live); j++)
		if (live[j])
			mheap_free_manual(a->h, live[j]);
	complete(&a->done);
	return 0;
}

static void span_concurrent_all_cpus(struct kunit *test)
{
	struct mheap *h = kunit_mheap(test, "kunit-stress", MHEAP_REGION_AUTO, 0);
	unsigned int cpu, n = 0, i;
	struct stress_arg *args;
	atomic_t errors = ATOMIC_INIT(0);

	args = kunit_kcalloc(test, nr_cpu_ids, sizeof(*args), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, args);
	cpus_read_lock();
	for_each_online_cpu(cpu) {
		struct task_struct *t;

		args[n] = (struct stress_arg){ .h = h, .id = cpu, .iters = 1500,
					       .errors = &errors };
		init_completion(&args[n].done);
		t = kthread_create_on_cpu(stress_fn, &args[n], cpu, "mheap_stress/%u");
		if (IS_ERR(t))
			continue;
		wake_up_process(t);
		n++;
	}
	cpus_read_unlock();
	KUNIT_ASSERT_GT(test, n, 0U);
	for (i = 0; i < n; i++)
		wait_for_completion(&args[i].done);

	KUNIT_EXPECT_EQ(test, atomic_read(&errors), 0);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&h->pages_in_use), 0L);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&h->spans_live), 0L);
	mheap_pcpu_drain_all(h);
	KUNIT_EXPECT_EQ(test, h->pages.pages_in_use, 0UL);
	KUNIT_EXPECT_EQ(test, palloc_check(&h->pages), 0);
	/* Everything is free again, so every region can leave. */
	n = h->pages.pages_present;
	KUNIT_EXPECT_GT(test, n, 0U);
	KUNIT_EXPECT_EQ(test, mheap_trim_all(h), (unsigned long)n);
	KUNIT_EXPECT_EQ(test, h->nregions, 0UL);
	mheap_destroy(h);
}

/* A CPU going offline gives its cached pages back. */
static int small_alloc_fn(void *data)
{
	struct stress_arg *a = data;
	struct mheap_span *s, *t;

	/* The first request grows the heap; the second fills this CPU's cache. */
	s = mheap_alloc_manual(a->h, 1, GFP_KERNEL);
	t = mheap_alloc_manual(a->h, 1, GFP_KERNEL);
	if (!s || !t)
		atomic_inc(a->errors);
	mheap_free_manual(a->h, s);
	mheap_free_manual(a->h, t);
	complete(&a->done);
	return 0;
}

static void span_cpu_offline_drains(struct kunit *test)
{
	unsigned int cpu = num_online_cpus() > 1 ? cpumask_last(cpu_online_mask) : 0;
	atomic_t errors = ATOMIC_INIT(0);
	struct mheap_pcpu *pc;
	struct stress_arg arg;
	struct task_struct *t;
	struct mheap *h;
	int err;

	if (!cpu || !IS_ENABLED(CONFIG_HOTPLUG_CPU))
		kunit_skip(test, "needs a second CPU that can go offline");
	h = kunit_mheap(test, "kunit-hotplug", MHEAP_REGION_AUTO, 0);
	arg = (struct stress_arg){ .h = h, .errors = &errors };
	init_completion(&arg.done);
	t = kthread_create_on_cpu(small_alloc_fn, &arg, cpu, "mheap_hp/%u");
	KUNIT_ASSERT_FALSE(test, IS_ERR(t));
	wake_up_process(t);
	wait_for_completion(&arg.done);
	KUNIT_EXPECT_EQ(test, atomic_read(&errors), 0);
	/* That CPU's cache still holds the rest of its 64-page block. */
	pc = per_cpu_ptr(h->pcpu, cpu);
	KUNIT_EXPECT_NE(test, pc->pcache.cache, 0ULL);
	KUNIT_EXPECT_GT(test, h->pages.pages_in_use, 0UL);

	err = remove_cpu(cpu);
	if (err) {
		mheap_destroy(h);
		kunit_skip(test, "CPU %u cannot go offline: %d", cpu, err);
	}
	KUNIT_EXPECT_EQ(test, pc->pcache.cache, 0ULL);
	KUNIT_EXPECT_EQ(test, h->pages.pages_in_use, 0UL);
	KUNIT_EXPECT_EQ(test, add_cpu(cpu), 0);
	mheap_destroy(h);
}

static struct kunit_case mheap_span_cases[] = {
	KUNIT_CASE(span_list_ops),
	KUNIT_CASE(span_list_sorted),
	KUNIT_CASE(span_zeroing),
	KUNIT_CASE(span_pcache_small_requests),
	KUNIT_CASE(span_pcache_free),
	KUNIT_CASE(span_bad_free),
	KUNIT_CASE(span_atomic_context),
	KUNIT_CASE_SLOW(span_concurrent_all_cpus),
	KUNIT_CASE(span_cpu_offline_drains),
	{}
};

static struct kunit_suite mheap_span_suite = {
	.name = "mheap_span",
	.test_cases = mheap_span_cases,
};

kunit_test_suites(&mheap_span_suite);
