// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite mheap_special: finalizers run exactly once, from process
 * context, only for dead objects; pinned objects survive; reachability
 * probes report; explicit frees drop an object's specials.
 */
#include <kunit/test.h>
#include <linux/preempt.h>
#include <linux/slab.h>
#include "helpers.h"

struct fin_log {
	struct mheap *h;
	atomic_t runs;
	atomic_t bad_context;
	void *last;
	bool free_it;
};

static void finalizer(void *obj, void *arg)
{
	struct fin_log *log = arg;

	if (!in_task() || !preemptible())
		atomic_inc(&log->bad_context);
	log->last = obj;
	atomic_inc(&log->runs);
	if (log->free_it)
		mheap_free(log->h, obj);
}

static bool probe_done(struct mheap_reachable *r)
{
	/* Pairs with the release of the sweep that answers. */
	return smp_load_acquire(&r->done);
}

/* One cycle marking @live (NULL-terminated), swept, finalizers run. */
static void cycle(struct mheap *h, void **live)
{
	mheap_gc_begin(h);
	while (live && *live)
		mheap_mark(h, *live++);
	mheap_gc_end(h);
	mheap_sweep_all(h);
	flush_work(&h->gc.fin_work);
}

/*
 * A dead object's finalizer runs once and revives it for one cycle; a
 * live object's never runs; a removed one never runs.
 */
static void specials_finalizer_once(struct kunit *test)
{
	struct mheap *h = kunit_gc_heap(test, "kunit-fin");
	struct fin_log dead = { .h = h }, live = { .h = h }, gone = { .h = h };
	u8 *a = mheap_alloc(h, 100, GFP_KERNEL);
	u8 *b = mheap_alloc(h, 100, GFP_KERNEL);
	u8 *c = mheap_alloc(h, 100, GFP_KERNEL);
	void *keep_b[] = { NULL, NULL };
	unsigned int i;

	KUNIT_ASSERT_TRUE(test, a && b && c);
	keep_b[0] = b;
	memset(a, 0x5a, 100);
	KUNIT_EXPECT_EQ(test, mheap_set_finalizer(h, a, finalizer, &dead), 0);
	KUNIT_EXPECT_EQ(test, mheap_set_finalizer(h, b, finalizer, &live), 0);
	KUNIT_EXPECT_EQ(test, mheap_set_finalizer(h, c, finalizer, &gone), 0);
	KUNIT_EXPECT_EQ(test, mheap_remove_finalizer(h, c), 0);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&h->gc.specials), 2L);

	cycle(h, keep_b);
	KUNIT_EXPECT_EQ(test, atomic_read(&dead.runs), 1);
	KUNIT_EXPECT_PTR_EQ(test, dead.last, (void *)a);
	KUNIT_EXPECT_EQ(test, atomic_read(&dead.bad_context), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&live.runs), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&gone.runs), 0);
	/* Revived: still allocated, contents kept; c is gone. */
	KUNIT_EXPECT_EQ(test, mheap_ksize(h, a), (size_t)112);
	KUNIT_EXPECT_EQ(test, a[99], 0x5a);
	KUNIT_EXPECT_EQ(test, mheap_ksize(h, c), (size_t)0);

	for (i = 0; i < 3; i++)
		cycle(h, keep_b);
	KUNIT_EXPECT_EQ(test, atomic_read(&dead.runs), 1);
	KUNIT_EXPECT_EQ(test, mheap_ksize(h, a), (size_t)0);
	KUNIT_EXPECT_EQ(test, atomic_read(&live.runs), 0);
	KUNIT_EXPECT_EQ(test, fin_stat(h, MHEAP_FIN_RUN), 1L);

	/* Now b dies too. */
	cycle(h, NULL);
	KUNIT_EXPECT_EQ(test, atomic_read(&live.runs), 1);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&h->gc.specials), 0L);
	cycle(h, NULL);
	KUNIT_EXPECT_EQ(test, mheap_ksize(h, b), (size_t)0);
	mheap_destroy(h);
}

/* A finalizer may free its object at once; a large object works too. */
static void specials_finalizer_frees(struct kunit *test)
{
	struct mheap *h = kunit_gc_heap(test, "kunit-finfree");
	struct fin_log log = { .h = h, .free_it = true };
	void *p = mheap_alloc(h, 40000, GFP_KERNEL);
	void *q = mheap_alloc(h, 8, GFP_KERNEL);

	KUNIT_ASSERT_TRUE(test, p && q);
	KUNIT_EXPECT_EQ(test, mheap_set_finalizer(h, p, finalizer, &log), 0);
	KUNIT_EXPECT_EQ(test, mheap_set_finalizer(h, q, finalizer, &log), 0);
	cycle(h, NULL);
	KUNIT_EXPECT_EQ(test, atomic_read(&log.runs), 2);
	/* q may sit in a magazine until the flush. */
	mheap_mcache_flush_all(h);
	KUNIT_EXPECT_EQ(test, mheap_ksize(h, p), (size_t)0);
	KUNIT_EXPECT_EQ(test, mheap_ksize(h, q), (size_t)0);
	KUNIT_EXPECT_EQ(test, counter(h, MHEAP_CNT_BAD_FREES), 0L);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&h->spans_live), 0L);
	mheap_destroy(h);
}

/*
 * What the calls refuse.  No magazines: an object freed into one is still
 * allocated in its span's bits, and the calls cannot tell.
 */
static void specials_errors(struct kunit *test)
{
	struct mheap *h = kunit_gc_heap_flags(test, "kunit-specerr",
					      MHEAP_NO_MAGAZINES);
	struct fin_log log = { .h = h };
	struct mheap_reachable r;
	u8 *p = mheap_alloc(h, 64, GFP_KERNEL);
	u8 *f = mheap_alloc(h, 64, GFP_KERNEL);
	void *km = kmalloc(64, GFP_KERNEL);

	KUNIT_ASSERT_TRUE(test, p && f && km);
	mheap_free(h, f);
	KUNIT_EXPECT_EQ(test, mheap_set_finalizer(h, p, NULL, NULL), -EINVAL);
	KUNIT_EXPECT_EQ(test, mheap_set_finalizer(h, p + 1, finalizer, &log),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, mheap_set_finalizer(h, f, finalizer, &log), -EINVAL);
	KUNIT_EXPECT_EQ(test, mheap_set_finalizer(h, km, finalizer, &log),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, mheap_remove_finalizer(h, p), -ENOENT);
	KUNIT_EXPECT_EQ(test, mheap_set_finalizer(h, p, finalizer, &log), 0);
	KUNIT_EXPECT_EQ(test, mheap_set_finalizer(h, p, finalizer, &log), -EEXIST);
	KUNIT_EXPECT_EQ(test, mheap_unpin(h, p), -ENOENT);
	KUNIT_EXPECT_EQ(test, mheap_pin(h, f), -EINVAL);
	KUNIT_EXPECT_EQ(test, mheap_probe_reachable(h, km, &r), -EINVAL);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&h->gc.specials), 1L);
	kfree(km);
	mheap_destroy(h);
	/* Destroy dropped the finalizer of a live object without running it. */
	KUNIT_EXPECT_EQ(test, atomic_read(&log.runs), 0);
}

/* Pinned objects survive unmarked cycles until the last unpin. */
static void specials_pin(struct kunit *test)
{
	struct mheap *h = kunit_gc_heap(test, "kunit-pin");
	u8 *p = mheap_alloc(h, 300, GFP_KERNEL);
	u8 *big = mheap_alloc(h, 50000, GFP_KERNEL);
	unsigned int i;

	KUNIT_ASSERT_TRUE(test, p && big);
	memset(p, 0x11, 300);
	memset(big, 0x22, 50000);
	KUNIT_EXPECT_EQ(test, mheap_pin(h, p), 0);
	KUNIT_EXPECT_EQ(test, mheap_pin(h, p), 0);
	KUNIT_EXPECT_EQ(test, mheap_pin(h, big), 0);
	for (i = 0; i < 3; i++)
		cycle(h, NULL);
	KUNIT_EXPECT_TRUE(test, !memchr_inv(p, 0x11, 300));
	KUNIT_EXPECT_TRUE(test, !memchr_inv(big, 0x22, 50000));
	KUNIT_EXPECT_EQ(test, mheap_unpin(h, p), 0);
	KUNIT_EXPECT_EQ(test, mheap_unpin(h, big), 0);
	cycle(h, NULL);
	KUNIT_EXPECT_NE(test, mheap_ksize(h, p), (size_t)0);	/* one pin left */
	KUNIT_EXPECT_EQ(test, mheap_ksize(h, big), (size_t)0);
	KUNIT_EXPECT_EQ(test, mheap_unpin(h, p), 0);
	KUNIT_EXPECT_EQ(test, mheap_unpin(h, p), -ENOENT);
	cycle(h, NULL);
	KUNIT_EXPECT_EQ(test, mheap_ksize(h, p), (size_t)0);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&h->gc.specials), 0L);
	mheap_destroy(h);
}

/* Probes report marked, unmarked, pinned; a free answers "no". */
static void specials_reachable(struct kunit *test)
{
	struct mheap *h = kunit_gc_heap(test, "kunit-reach");
	struct mheap_reachable r[4];
	void *o[4], *live[] = { NULL, NULL };
	unsigned int i;

	for (i = 0; i < 4; i++) {
		o[i] = mheap_alloc(h, 32 << i, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, o[i]);
		KUNIT_EXPECT_EQ(test, mheap_probe_reachable(h, o[i], &r[i]), 0);
		KUNIT_EXPECT_FALSE(test, r[i].done);
	}
	live[0] = o[0];
	KUNIT_EXPECT_EQ(test, mheap_pin(h, o[2]), 0);
	mheap_free(h, o[3]);
	KUNIT_EXPECT_TRUE(test, probe_done(&r[3]));
	KUNIT_EXPECT_FALSE(test, r[3].reachable);
	cycle(h, live);
	KUNIT_EXPECT_TRUE(test, probe_done(&r[0]));
	KUNIT_EXPECT_TRUE(test, r[0].reachable);
	KUNIT_EXPECT_TRUE(test, probe_done(&r[1]));
	KUNIT_EXPECT_FALSE(test, r[1].reachable);
	KUNIT_EXPECT_TRUE(test, probe_done(&r[2]));
	KUNIT_EXPECT_TRUE(test, r[2].reachable);
	KUNIT_EXPECT_EQ(test, mheap_unpin(h, o[2]), 0);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&h->gc.specials), 0L);
	mheap_free(h, o[0]);
	mheap_free(h, o[2]);
	KUNIT_EXPECT_EQ(test, counter(h, MHEAP_CNT_BAD_FREES), 0L);
	mheap_destroy(h);
}

/* An explicit free drops the finalizer: it never runs. */
static void specials_free_drops(struct kunit *test)
{
	struct mheap *h = kunit_gc_heap(test, "kunit-specfree");
	struct fin_log log = { .h = h };
	void *p = mheap_alloc(h, 16, GFP_KERNEL);
	struct mheap_span *s = mheap_span_of(h, p);

	KUNIT_ASSERT_NOT_NULL(test, p);
	KUNIT_ASSERT_NOT_NULL(test, mheap_alloc(h, 16, GFP_KERNEL));
	KUNIT_EXPECT_EQ(test, mheap_set_finalizer(h, p, finalizer, &log), 0);
	KUNIT_EXPECT_NOT_NULL(test, s->specials);
	mheap_free(h, p);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&h->gc.specials), 0L);
	KUNIT_EXPECT_NULL(test, s->specials);
	cycle(h, NULL);
	KUNIT_EXPECT_EQ(test, atomic_read(&log.runs), 0);
	mheap_destroy(h);
}

/*
 * Specials on an object of an unswept span: the span is swept first, so a
 * dead object cannot get one and a live one keeps its own.
 */
static void specials_ensure_swept(struct kunit *test)
{
	struct mheap *h = kunit_gc_heap(test, "kunit-ensure");
	struct fin_log log = { .h = h };
	void *a = mheap_alloc(h, 256, GFP_KERNEL), *b;
	struct mheap_span *s = mheap_span_of(h, a);
	unsigned int i;

	/* A task moved to another CPU allocates from another span: retry. */
	for (i = 0, b = NULL; i < 8 && (!b || mheap_span_of(h, b) != s); i++)
		b = mheap_alloc(h, 256, GFP_KERNEL);
	KUNIT_ASSERT_TRUE(test, a && b && s == mheap_span_of(h, b));
	mheap_mcache_flush_all(h);
	mheap_gc_begin(h);
	mheap_mark(h, a);
	mheap_gc_end(h);
	KUNIT_EXPECT_EQ(test, s->sweepgen, READ_ONCE(h->gc.sweepgen) - 2);
	KUNIT_EXPECT_EQ(test, mheap_set_finalizer(h, b, finalizer, &log), -EINVAL);
	KUNIT_EXPECT_EQ(test, s->sweepgen, READ_ONCE(h->gc.sweepgen));
	KUNIT_EXPECT_EQ(test,
			atomic_long_read(&h->gc.swept_by[MHEAP_SWEEP_ENSURE]), 1L);
	KUNIT_EXPECT_EQ(test, mheap_set_finalizer(h, a, finalizer, &log), 0);
	cycle(h, NULL);
	KUNIT_EXPECT_EQ(test, atomic_read(&log.runs), 1);

	/* The only object of its span, dead: the sweep frees the span. */
	a = mheap_alloc(h, 40000, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, a);
	mheap_mcache_flush_all(h);
	mheap_gc_begin(h);
	mheap_gc_end(h);
	KUNIT_EXPECT_EQ(test, mheap_pin(h, a), -EINVAL);
	KUNIT_EXPECT_NULL(test, mheap_span_of(h, a));
	mheap_destroy(h);
}

static struct kunit_case mheap_specials_cases[] = {
	KUNIT_CASE(specials_finalizer_once),
	KUNIT_CASE(specials_finalizer_frees),
	KUNIT_CASE(specials_errors),
	KUNIT_CASE(specials_pin),
	KUNIT_CASE(specials_reachable),
	KUNIT_CASE(specials_free_drops),
	KUNIT_CASE(specials_ensure_swept),
	{}
};

static struct kunit_suite mheap_special_suite = {
	.name = "mheap_special",
	.test_cases = mheap_specials_cases,
};

kunit_test_suites(&mheap_special_suite);
