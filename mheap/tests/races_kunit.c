// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite mheap_races: interleavings of the lock-free protocols that
 * a torture run meets only by chance, forced through the test hooks of
 * internal.h.  A helper thread is stopped at a hook point, the test moves
 * the heap on underneath it, then lets it go and checks that no live
 * object was freed, no freed memory was written and no span was lost.
 */
#include <kunit/test.h>
#include <linux/completion.h>
#include <linux/delay.h>
#include <linux/kthread.h>
#include <linux/sched.h>
#include "helpers.h"
#include "testing.h"

/* === Stopping a thread at a hook point =============================== */

/**
 * struct race_stop - where one helper thread is held
 * @tp:		the hook point.
 * @task:	the thread it applies to; NULL for any (a work item's).
 * @armed:	fires once, then the point lets everyone through.
 * @reached:	completed when the thread arrives.
 * @resume:	the thread waits for it.
 */
struct race_stop {
	enum mheap_test_point tp;
	struct task_struct *task;
	atomic_t armed;
	struct completion reached;
	struct completion resume;
};

#define RACE_MAX_STOPS	2

/* Static: a hook may still look at a stop after its case returned. */
static struct race_stop race_stop_slot[RACE_MAX_STOPS];
static struct race_stop *race_stops[RACE_MAX_STOPS];
static struct mheap *race_heap;

static void race_hook(struct mheap *h, enum mheap_test_point tp)
{
	unsigned int i;

	if (h != READ_ONCE(race_heap))
		return;
	for (i = 0; i < RACE_MAX_STOPS; i++) {
		struct race_stop *st = READ_ONCE(race_stops[i]);

		if (!st || st->tp != tp || (st->task && st->task != current) ||
		    !atomic_xchg(&st->armed, 0))
			continue;
		complete(&st->reached);
		/* Bounded, so a broken test cannot hang the kernel. */
		wait_for_completion_timeout(&st->resume, 20 * HZ);
	}
}

static void race_hook_install(struct mheap *h)
{
	WRITE_ONCE(race_heap, h);
	WRITE_ONCE(mheap_test_hook, race_hook);
}

static void race_hook_remove(void)
{
	unsigned int i;

	WRITE_ONCE(mheap_test_hook, NULL);
	WRITE_ONCE(race_heap, NULL);
	for (i = 0; i < RACE_MAX_STOPS; i++)
		WRITE_ONCE(race_stops[i], NULL);
}

static struct race_stop *stop_init(unsigned int slot, enum mheap_test_point tp,
				   struct task_struct *task)
{
	struct race_stop *st = &race_stop_slot[slot];

	st->tp = tp;
	st->task = task;
	init_completion(&st->reached);
	init_completion(&st->resume);
	atomic_set(&st->armed, 1);
	WRITE_ONCE(race_stops[slot], st);
	return st;
}

/**
 * struct race_worker - a helper thread running one operation
 * @fn:		the operation.
 * @h:		heap.
 * @p:		an object for it, or its result.
 * @ret:	its return value, where it has one.
 * @task:	the thread.
 * @done:	completed when @fn returns.
 */
struct race_worker {
	void (*fn)(struct race_worker *w);
	struct mheap *h;
	void *p;
	long ret;
	struct task_struct *task;
	struct completion done;
};

static int race_worker_fn(void *arg)
{
	struct race_worker *w = arg;

	w->fn(w);
	complete(&w->done);
	return 0;
}

/* Created stopped, so a stop can name the thread before it runs. */
static void worker_create(struct kunit *test, struct race_worker *w,
			  struct mheap *h, void (*fn)(struct race_worker *w))
{
	w->fn = fn;
	w->h = h;
	init_completion(&w->done);
	w->task = kthread_create(race_worker_fn, w, "mheap_race");
	KUNIT_ASSERT_FALSE(test, IS_ERR(w->task));
}

/* Wait until @st's thread arrives or @w finishes; true if it arrived. */
static bool reached_or_done(struct race_stop *st, struct race_worker *w)
{
	unsigned long deadline = jiffies + 20 * HZ;

	while (time_before(jiffies, deadline)) {
		if (completion_done(&st->reached))
			return true;
		if (completion_done(&w->done))
			return completion_done(&st->reached);
		schedule_timeout_uninterruptible(1);
	}
	return completion_done(&st->reached);
}

static void worker_wait(struct kunit *test, struct race_worker *w)
{
	KUNIT_EXPECT_TRUE(test, wait_for_completion_timeout(&w->done, 30 * HZ));
}

static void do_sweepone(struct race_worker *w)
{
	w->ret = mheap_sweepone(w->h, MHEAP_SWEEP_EXPLICIT);
}

static void do_gc_begin(struct race_worker *w)
{
	mheap_gc_begin(w->h);
}

static void do_alloc_free(struct race_worker *w)
{
	void *p = mheap_alloc(w->h, 64, GFP_KERNEL);

	mheap_free(w->h, p);
	w->ret = !!p;
}

static void do_free(struct race_worker *w)
{
	mheap_free(w->h, w->p);
}

static void do_pin(struct race_worker *w)
{
	w->ret = mheap_pin(w->h, w->p);
}

/* A whole cycle that marks nothing, swept. */
static void do_cycle(struct race_worker *w)
{
	mheap_gc_begin(w->h);
	mheap_gc_end(w->h);
	mheap_sweep_all(w->h);
}

/* === Objects the tests hold ========================================== */

#define RACE_OBJS	32

static void fill_all(void **p, unsigned int n, size_t size)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		memset(p[i], 0x40 + i, size);
}

/* Every object still allocated, holding what it was filled with. */
static void expect_intact(struct kunit *test, struct mheap *h, void **p,
			  unsigned int n, size_t size)
{
	unsigned int i, lost = 0, bad = 0;

	for (i = 0; i < n; i++) {
		if (!mheap_ksize(h, p[i])) {
			lost++;
			continue;
		}
		bad += !!memchr_inv(p[i], 0x40 + i, size);
	}
	KUNIT_EXPECT_EQ_MSG(test, lost, 0U, "live objects freed");
	KUNIT_EXPECT_EQ_MSG(test, bad, 0U, "live objects overwritten");
}

static void mark_all(struct mheap *h, void **p, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		mheap_mark(h, p[i]);
}

static void free_all(struct mheap *h, void **p, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		mheap_free(h, p[i]);
}

/* === Cases =========================================================== */

/*
 * A sweeper that read the sweep generation before a cycle ended must not
 * use it afterwards: the list it would take from has become the list of
 * spans the new cycle already swept, with their marks cleared.
 */
static void race_stale_sweepgen(struct kunit *test)
{
	struct mheap *h = kunit_gc_heap(test, "race_stale");
	struct race_stop *at_begin, *at_sg;
	struct race_worker a;
	void *p[RACE_OBJS];
	unsigned int i;
	bool stale;

	/* A cycle ends with its sweep not yet done. */
	mheap_gc_begin(h);
	mheap_gc_end(h);

	race_hook_install(h);
	worker_create(test, &a, h, do_sweepone);
	at_begin = stop_init(0, MHEAP_TP_SWEEPONE_BEGIN, a.task);
	at_sg = stop_init(1, MHEAP_TP_SWEEPONE_SG, a.task);
	wake_up_process(a.task);
	KUNIT_ASSERT_TRUE(test, reached_or_done(at_begin, &a));

	/* The sweep finishes under it; the next cycle marks. */
	mheap_sweep_all(h);
	mheap_gc_begin(h);
	complete(&at_begin->resume);
	stale = reached_or_done(at_sg, &a);

	/* Objects allocated while marking are marked: they must live. */
	for (i = 0; i < RACE_OBJS; i++) {
		p[i] = mheap_alloc(h, 64, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, p[i]);
	}
	fill_all(p, RACE_OBJS, 64);
	mark_all(h, p, RACE_OBJS);
	/* Its flush sweeps this CPU's span and files it as swept. */
	mheap_gc_end(h);

	complete(&at_sg->resume);
	worker_wait(test, &a);
	race_hook_remove();
	kunit_info(test, "sweeper %s a stale generation\n",
		   stale ? "held" : "never held");
	mheap_sweep_all(h);
	expect_intact(test, h, p, RACE_OBJS, 64);
	free_all(h, p, RACE_OBJS);
	mheap_destroy(h);
}

/*
 * A refill carries a span to its mcache with no lock held.  If a cycle
 * ends meanwhile, the span escapes the flush; it must be swept before
 * the next cycle's marking opens, not in the middle of it.
 */
static void race_refill_transit(struct kunit *test)
{
	struct mheap *h = kunit_gc_heap(test, "race_transit");
	struct race_worker a, g;
	struct race_stop *in_transit;
	void *p[8];
	unsigned int i;
	bool waited;

	for (i = 0; i < ARRAY_SIZE(p); i++) {
		p[i] = mheap_alloc(h, 64, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, p[i]);
	}
	fill_all(p, ARRAY_SIZE(p), 64);
	/* Their span goes back to mcentral, partly free. */
	mheap_mcache_flush_all(h);

	race_hook_install(h);
	worker_create(test, &a, h, do_alloc_free);
	in_transit = stop_init(0, MHEAP_TP_REFILL_DONE, a.task);
	wake_up_process(a.task);
	KUNIT_ASSERT_TRUE(test, reached_or_done(in_transit, &a));

	/* A cycle keeps the objects and ends while the span travels. */
	mheap_gc_begin(h);
	mark_all(h, p, ARRAY_SIZE(p));
	mheap_gc_end(h);

	/* The next cycle opens; it may wait for the span to arrive. */
	worker_create(test, &g, h, do_gc_begin);
	wake_up_process(g.task);
	waited = !wait_for_completion_timeout(&g.done, HZ / 5);
	if (waited)
		complete(&in_transit->resume);
	worker_wait(test, &g);
	mark_all(h, p, ARRAY_SIZE(p));
	complete(&in_transit->resume);
	worker_wait(test, &a);
	race_hook_remove();
	kunit_info(test, "gc_begin %s for the span in transit\n",
		   waited ? "waited" : "did not wait");

	/* The marks of this cycle must have survived. */
	mheap_gc_end(h);
	mheap_sweep_all(h);
	expect_intact(test, h, p, ARRAY_SIZE(p), 64);
	free_all(h, p, ARRAY_SIZE(p));
	mheap_destroy(h);
}

/*
 * A remote free reads the span as cached, then the owner gives the span
 * back: the free's decrement must not leave a span with free objects on
 * the full list, where no refill looks.  No magazines: the free must go
 * to the span.
 */
static void race_free_vs_uncache(struct kunit *test)
{
	struct mheap *h = kunit_gc_heap_flags(test, "race_uncache",
					      MHEAP_NO_MAGAZINES);
	unsigned int cls = mheap_size_to_class(1024);
	unsigned int n = mheap_class_nelems[cls], i;
	struct race_stop *before_dec;
	struct race_worker b;
	void **p, *q;

	p = kunit_kcalloc(test, n, sizeof(*p), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p);
	/* Fill one span exactly; this CPU still caches it. */
	for (i = 0; i < n; i++) {
		p[i] = mheap_alloc(h, 1024, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, p[i]);
		KUNIT_ASSERT_PTR_EQ(test, mheap_span_of(h, p[i]),
				    mheap_span_of(h, p[0]));
	}

	race_hook_install(h);
	worker_create(test, &b, h, do_free);
	b.p = p[0];
	before_dec = stop_init(0, MHEAP_TP_FREE_LOCKLESS, b.task);
	wake_up_process(b.task);
	KUNIT_ASSERT_TRUE(test, reached_or_done(before_dec, &b));
	/* The owner gives the full span back. */
	mheap_mcache_flush_all(h);
	complete(&before_dec->resume);
	worker_wait(test, &b);
	race_hook_remove();

	/* The span has a free object: the next refill must find it. */
	q = mheap_alloc(h, 1024, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, q);
	KUNIT_EXPECT_PTR_EQ(test, mheap_span_of(h, q), mheap_span_of(h, p[1]));
	mheap_free(h, q);
	free_all(h, p + 1, n - 1);
	mheap_mcache_flush_all(h);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&h->pages_in_use), 0L);
	mheap_destroy(h);
}

/*
 * A free of an object a cycle found dead, racing the sweep of its span:
 * refused, and without touching the memory, which the sweep frees and
 * may hand out again at once.
 */
static void race_free_during_sweep(struct kunit *test)
{
	struct mheap *h = kunit_gc_heap(test, "race_sweeping");
	long bad = counter(h, MHEAP_CNT_BAD_FREES);
	struct race_stop *claimed, *checked;
	struct race_worker a, f;
	void *dead, *keep, *q;
	unsigned int i;
	bool passed;

	dead = mheap_alloc(h, 64, GFP_KERNEL);
	keep = mheap_alloc(h, 64, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, dead);
	KUNIT_ASSERT_NOT_NULL(test, keep);
	memset(keep, 0x40, 64);
	/* Uncached, so a sweepone takes the span, not this CPU's flush. */
	mheap_mcache_flush_all(h);
	mheap_gc_begin(h);
	mheap_mark(h, keep);
	mheap_gc_end(h);

	race_hook_install(h);
	worker_create(test, &a, h, do_sweepone);
	claimed = stop_init(0, MHEAP_TP_SWEEP_CLAIMED, a.task);
	wake_up_process(a.task);
	KUNIT_ASSERT_TRUE(test, reached_or_done(claimed, &a));

	worker_create(test, &f, h, do_free);
	f.p = dead;
	checked = stop_init(1, MHEAP_TP_FREE_CHECKED, f.task);
	wake_up_process(f.task);
	passed = reached_or_done(checked, &f);

	/* The sweep frees the dead object; its slot is handed out again. */
	complete(&claimed->resume);
	worker_wait(test, &a);
	for (i = 0; i < 64; i++) {
		q = mheap_alloc(h, 64, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, q);
		if (q == dead)
			break;
		mheap_free(h, q);
	}
	KUNIT_ASSERT_PTR_EQ(test, q, dead);
	memset(q, 0x5a, 64);
	complete(&checked->resume);
	worker_wait(test, &f);
	race_hook_remove();
	kunit_info(test, "the free %s its checks\n", passed ? "passed" : "failed");

	KUNIT_EXPECT_EQ(test, counter(h, MHEAP_CNT_BAD_FREES), bad + 1);
	KUNIT_EXPECT_EQ(test, mheap_ksize(h, q), 64UL);
	KUNIT_EXPECT_NULL(test, memchr_inv(q, 0x5a, 64));
	KUNIT_EXPECT_NULL(test, memchr_inv(keep, 0x40, 64));
	mheap_free(h, q);
	mheap_free(h, keep);
	mheap_destroy(h);
}

/*
 * A pinned object need not be marked.  Freeing it drops the pin; a cycle
 * that ends before the free completes must not find it dead and free it
 * a second time.
 */
static void race_free_pinned_vs_cycle(struct kunit *test)
{
	struct mheap *h = kunit_gc_heap(test, "race_pinned");
	long bad = counter(h, MHEAP_CNT_BAD_FREES);
	long freed = atomic_long_read(&h->gc.objects_freed);
	struct race_stop *unpinning;
	struct race_worker f;
	void *p, *other;

	p = mheap_alloc(h, 64, GFP_KERNEL);
	other = mheap_alloc(h, 64, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p);
	KUNIT_ASSERT_NOT_NULL(test, other);
	KUNIT_ASSERT_EQ(test, mheap_pin(h, p), 0);

	race_hook_install(h);
	worker_create(test, &f, h, do_free);
	f.p = p;
	unpinning = stop_init(0, MHEAP_TP_FREE_SPECIALS, f.task);
	wake_up_process(f.task);
	KUNIT_ASSERT_TRUE(test, reached_or_done(unpinning, &f));
	/*
	 * Stopped just before it drops the pin: a cycle that marks nothing
	 * ends and is swept under it.
	 */
	mheap_gc_begin(h);
	mheap_mark(h, other);
	mheap_gc_end(h);
	mheap_sweep_all(h);
	complete(&unpinning->resume);
	worker_wait(test, &f);
	race_hook_remove();

	/* Freed once, by the caller, not by the sweep. */
	KUNIT_EXPECT_EQ(test, counter(h, MHEAP_CNT_BAD_FREES), bad);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&h->gc.objects_freed), freed);
	KUNIT_EXPECT_EQ(test, mheap_ksize(h, p), 0UL);
	mheap_free(h, other);
	mheap_destroy(h);
}

/* A stop reached by a work item, which no race_worker stands for. */
static bool wait_for_stop(struct completion *reached)
{
	return wait_for_completion_timeout(reached, 20 * HZ);
}

static void fin_free(void *obj, void *arg)
{
	mheap_free(arg, obj);
}

/*
 * A finalizer that frees its object, taken off the queue but not yet run
 * when a cycle that marks nothing begins, ends and is swept: the object
 * is its finalizer's to free until it ran, not the sweep's.
 */
static void race_finalizer_vs_cycle(struct kunit *test)
{
	struct mheap *h = kunit_gc_heap(test, "race_fin");
	long bad = counter(h, MHEAP_CNT_BAD_FREES), freed;
	struct race_stop *running;
	struct race_worker c;
	void *p;

	p = mheap_alloc(h, 64, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p);
	KUNIT_ASSERT_EQ(test, mheap_set_finalizer(h, p, fin_free, h), 0);

	race_hook_install(h);
	running = stop_init(0, MHEAP_TP_FIN_RUN, NULL);
	/* p is dropped: this cycle finds it dead and queues its finalizer. */
	mheap_gc_begin(h);
	mheap_gc_end(h);
	mheap_sweep_all(h);
	freed = atomic_long_read(&h->gc.objects_freed);
	KUNIT_ASSERT_TRUE(test, wait_for_stop(&running->reached));
	worker_create(test, &c, h, do_cycle);
	wake_up_process(c.task);
	/* The next cycle may get as far as it can while the work is held. */
	wait_for_completion_timeout(&c.done, HZ);
	complete(&running->resume);
	worker_wait(test, &c);
	flush_work(&h->gc.fin_work);
	race_hook_remove();

	/* Freed once, by its finalizer, not by the sweep. */
	KUNIT_EXPECT_EQ(test, counter(h, MHEAP_CNT_BAD_FREES), bad);
	KUNIT_EXPECT_EQ(test, fin_stat(h, MHEAP_FIN_RUN), 1L);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&h->gc.objects_freed), freed);
	/* The finalizer's free may have left p in a magazine. */
	mheap_mcache_flush_all(h);
	KUNIT_EXPECT_EQ(test, mheap_ksize(h, p), 0UL);
	mheap_destroy(h);
}

/*
 * A finalizer queued but not yet taken off the queue when the next cycle
 * runs: that cycle keeps the object (a root), so the finalizer still
 * frees a live object.
 */
static void race_finalizer_queued_vs_cycle(struct kunit *test)
{
	struct mheap *h = kunit_gc_heap(test, "race_finq");
	long bad = counter(h, MHEAP_CNT_BAD_FREES), freed;
	struct race_stop *queued;
	void *p;

	p = mheap_alloc(h, 64, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p);
	KUNIT_ASSERT_EQ(test, mheap_set_finalizer(h, p, fin_free, h), 0);

	race_hook_install(h);
	queued = stop_init(0, MHEAP_TP_FIN_QUEUED, NULL);
	mheap_gc_begin(h);
	mheap_gc_end(h);
	mheap_sweep_all(h);
	freed = atomic_long_read(&h->gc.objects_freed);
	KUNIT_ASSERT_TRUE(test, wait_for_stop(&queued->reached));
	/* A cycle that marks nothing, while the finalizer waits. */
	mheap_gc_begin(h);
	mheap_gc_end(h);
	mheap_sweep_all(h);
	complete(&queued->resume);
	flush_work(&h->gc.fin_work);
	race_hook_remove();

	KUNIT_EXPECT_EQ(test, counter(h, MHEAP_CNT_BAD_FREES), bad);
	KUNIT_EXPECT_EQ(test, fin_stat(h, MHEAP_FIN_RUN), 1L);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&h->gc.objects_freed), freed);
	/* The finalizer's free may have left p in a magazine. */
	mheap_mcache_flush_all(h);
	KUNIT_EXPECT_EQ(test, mheap_ksize(h, p), 0UL);
	mheap_destroy(h);
}

/* A large object a cycle found dead is the collector's, as a small one. */
static void race_large_free_dead(struct kunit *test)
{
	struct mheap *h = kunit_gc_heap(test, "race_large");
	long bad = counter(h, MHEAP_CNT_BAD_FREES);
	long frees = counter(h, MHEAP_CNT_LARGE_FREES);
	void *p = mheap_alloc(h, MHEAP_MAX_SMALL + 1, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, p);
	mheap_gc_begin(h);
	mheap_gc_end(h);
	mheap_free(h, p);
	KUNIT_EXPECT_EQ(test, counter(h, MHEAP_CNT_BAD_FREES), bad + 1);
	mheap_sweep_all(h);
	/* Freed once, by the sweep. */
	KUNIT_EXPECT_EQ(test, counter(h, MHEAP_CNT_LARGE_FREES), frees + 1);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&h->pages_in_use), 0L);
	mheap_destroy(h);
}

/*
 * The object of an emptied span that an unswept list gave up as the
 * class's spare: a special on it is refused, not waited for forever.
 */
static void race_ensure_swept_spare(struct kunit *test)
{
	struct mheap *h = kunit_gc_heap(test, "race_spare");
	struct race_worker w;
	void *a, *b;

	a = mheap_alloc(h, 1024, GFP_KERNEL);
	b = mheap_alloc(h, 1024, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, a);
	KUNIT_ASSERT_NOT_NULL(test, b);
	mheap_mcache_flush_all(h);
	mheap_gc_begin(h);
	mheap_mark(h, a);
	mheap_mark(h, b);
	mheap_gc_end(h);
	/* Emptied before it was swept: it becomes the spare. */
	mheap_free(h, a);
	mheap_free(h, b);

	worker_create(test, &w, h, do_pin);
	w.p = a;
	wake_up_process(w.task);
	KUNIT_ASSERT_TRUE_MSG(test, wait_for_completion_timeout(&w.done, 5 * HZ),
			      "mheap_pin() on a spare span's slot never returned");
	KUNIT_EXPECT_EQ(test, w.ret, (long)-EINVAL);
	mheap_destroy(h);
}

/*
 * A free held at a point where it may hold a spinlock (MHEAP_DEBUG_FREES
 * serialises frees under one): it spins there instead of sleeping, for
 * RACE_SPIN_MS, then goes on by itself.
 */
#define RACE_SPIN_MS	300

static struct task_struct *race_spin_task;
static atomic_t race_spin_reached;

static void race_spin_hook(struct mheap *h, enum mheap_test_point tp)
{
	if (h != READ_ONCE(race_heap) || tp != MHEAP_TP_FREE_CHECKED ||
	    current != READ_ONCE(race_spin_task))
		return;
	atomic_set(&race_spin_reached, 1);
	mdelay(RACE_SPIN_MS);
}

/*
 * Two frees of one object race: the first has passed its checks and is
 * held before the free hook; the second, on the other CPU, arrives; then
 * the slot is allocated again and written.  With debug_frees the second
 * free waits for the first and is refused, and the new owner's object is
 * left alone.  Without it the second frees the slot at once, the slot is
 * handed out again, and the first free's hook then poisons the new
 * owner's object, which KASAN reports when the test reads it.
 */
static void race_double_free_debug(struct kunit *test)
{
	struct mheap *h = kunit_mheap_flags(test, "race_dfree", MHEAP_REGION_AUTO,
					    0, MHEAP_DEBUG_FREES);
	unsigned int n = mheap_class_nelems[mheap_size_to_class(64)], i;
	long bad = counter(h, MHEAP_CNT_BAD_FREES);
	unsigned int me, other;
	struct race_worker f;
	void **objs, *p, *q;

	if (num_online_cpus() < 2)
		kunit_skip(test, "needs two CPUs");
	objs = kunit_kcalloc(test, n, sizeof(*objs), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, objs);
	migrate_disable();
	/* One full span, so that the next allocation here rescans it. */
	for (i = 0; i < n; i++) {
		objs[i] = mheap_alloc(h, 64, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, objs[i]);
	}
	p = objs[0];
	memset(p, 0x11, 64);
	me = raw_smp_processor_id();
	other = cpumask_any_but(cpu_online_mask, me);
	worker_create(test, &f, h, do_free);
	f.p = p;
	kthread_bind(f.task, other);
	atomic_set(&race_spin_reached, 0);
	WRITE_ONCE(race_spin_task, f.task);
	WRITE_ONCE(race_heap, h);
	WRITE_ONCE(mheap_test_hook, race_spin_hook);
	wake_up_process(f.task);
	while (!atomic_read(&race_spin_reached) && !completion_done(&f.done))
		cpu_relax();
	KUNIT_EXPECT_TRUE(test, atomic_read(&race_spin_reached));
	/* The second free, while the first one is held. */
	mheap_free(h, p);
	q = mheap_alloc(h, 64, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, q);
	KUNIT_EXPECT_PTR_EQ(test, q, p);
	memset(q, 0x22, 64);
	migrate_enable();
	worker_wait(test, &f);
	WRITE_ONCE(mheap_test_hook, NULL);
	WRITE_ONCE(race_spin_task, NULL);
	WRITE_ONCE(race_heap, NULL);

	KUNIT_EXPECT_EQ(test, counter(h, MHEAP_CNT_BAD_FREES), bad + 1);
	KUNIT_EXPECT_EQ(test, mheap_ksize(h, q), 64UL);
	KUNIT_EXPECT_NULL(test, memchr_inv(q, 0x22, 64));
	for (i = 1; i < n; i++)
		mheap_free(h, objs[i]);
	mheap_free(h, q);
	KUNIT_EXPECT_EQ(test, counter(h, MHEAP_CNT_BAD_FREES), bad + 1);
	mheap_destroy(h);
}

static struct kunit_case mheap_races_cases[] = {
	KUNIT_CASE_SLOW(race_stale_sweepgen),
	KUNIT_CASE_SLOW(race_refill_transit),
	KUNIT_CASE_SLOW(race_free_vs_uncache),
	KUNIT_CASE_SLOW(race_free_during_sweep),
	KUNIT_CASE_SLOW(race_free_pinned_vs_cycle),
	KUNIT_CASE_SLOW(race_large_free_dead),
	KUNIT_CASE_SLOW(race_ensure_swept_spare),
	KUNIT_CASE_SLOW(race_finalizer_vs_cycle),
	KUNIT_CASE_SLOW(race_finalizer_queued_vs_cycle),
	KUNIT_CASE_SLOW(race_double_free_debug),
	{}
};

static struct kunit_suite mheap_races_suite = {
	.name = "mheap_races",
	.test_cases = mheap_races_cases,
};

kunit_test_suites(&mheap_races_suite);
