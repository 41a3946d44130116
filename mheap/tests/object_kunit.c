// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite mheap_object: what object.c does, i.e. mheap_alloc/free/
 * ksize, zeroing, bad frees, KASAN state and bounded memory, and the
 * per-CPU mcaches under concurrency (remote frees, a CPU going offline).
 */
#include <kunit/test.h>
#include <linux/completion.h>
#include <linux/cpu.h>
#include <linux/err.h>
#include <linux/kasan.h>
#include <linux/kthread.h>
#include <linux/prandom.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include "helpers.h"

/* Give every CPU's cached spans back, so empty spans leave. */
static void drain_all(struct mheap *h)
{
	mheap_mcache_flush_all(h);
	mheap_pcpu_drain_all(h);
}

/* === mheap_alloc, mheap_free ======================================== */

static const unsigned int all_classes[] = {
	 1,  2,  3,  4,  5,  6,  7,  8,  9, 10, 11, 12, 13, 14, 15, 16, 17,
	18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34,
	35, 36, 37, 38, 39, 40, 41, 42, 43, 44, 45, 46, 47, 48, 49, 50, 51,
	52, 53, 54, 55, 56, 57, 58, 59, 60, 61, 62, 63, 64, 65, 66, 67,
};

static void class_desc(const unsigned int *cls, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "class %u (%u bytes)", *cls,
		 mheap_class_size[*cls]);
}

KUNIT_ARRAY_PARAM(classes, all_classes, class_desc);

static int cmp_ptr(const void *a, const void *b)
{
	unsigned long x = *(const unsigned long *)a, y = *(const unsigned long *)b;

	return x < y ? -1 : x > y;
}

/* Fill several spans of one class, write every byte, free in random order. */
static void alloc_class_fill(struct kunit *test)
{
	unsigned int cls = *(const unsigned int *)test->param_value;
	unsigned int size = mheap_class_size[cls], i, n;
	struct mheap *h = kunit_mheap(test, "kunit-class", MHEAP_REGION_AUTO, 0);
	unsigned long *objs;
	struct rnd_state rnd;

	n = 3 * mheap_class_nelems[cls];
	objs = kunit_kcalloc(test, n, sizeof(*objs), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, objs);
	for (i = 0; i < n; i++) {
		u8 *p = mheap_alloc(h, size, GFP_KERNEL);

		KUNIT_ASSERT_NOT_NULL(test, p);
		KUNIT_ASSERT_EQ(test, mheap_ksize(h, p), (size_t)size);
		memset(p, (u8)i, size);
		objs[i] = (unsigned long)p;
	}
	for (i = 0; i < n; i++)
		KUNIT_ASSERT_FALSE_MSG(test, memchr_inv((void *)objs[i], (u8)i, size),
				       "object %u was overwritten", i);
	/* No two objects overlap. */
	sort(objs, n, sizeof(*objs), cmp_ptr, NULL);
	for (i = 1; i < n; i++)
		KUNIT_ASSERT_GE(test, objs[i] - objs[i - 1], (unsigned long)size);

	prandom_seed_state(&rnd, cls);
	for (i = n - 1; i > 0; i--) {
		unsigned int j = prandom_u32_state(&rnd) % (i + 1);

		swap(objs[i], objs[j]);
	}
	for (i = 0; i < n; i++)
		mheap_free(h, (void *)objs[i]);
	KUNIT_EXPECT_EQ(test, counter(h, MHEAP_CNT_BAD_FREES), 0);
	drain_all(h);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&h->pages_in_use), 0L);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&h->spans_live), 0L);
	KUNIT_EXPECT_EQ(test, h->mcentral[mheap_make_spanclass(cls, true)].nspans, 0UL);
	mheap_destroy(h);
}

static void alloc_zero_and_large(struct kunit *test)
{
	struct mheap *h = kunit_mheap(test, "kunit-large-obj", MHEAP_REGION_AUTO, 0);
	u8 *p;

	KUNIT_EXPECT_PTR_EQ(test, mheap_alloc(h, 0, GFP_KERNEL), ZERO_SIZE_PTR);
	mheap_free(h, ZERO_SIZE_PTR);
	mheap_free(h, NULL);
	KUNIT_EXPECT_EQ(test, counter(h, MHEAP_CNT_BAD_FREES), 0);

	p = mheap_alloc(h, MHEAP_MAX_SMALL + 1, GFP_KERNEL | __GFP_ZERO);
	KUNIT_ASSERT_NOT_NULL(test, p);
	KUNIT_EXPECT_TRUE(test, PAGE_ALIGNED(p));
	KUNIT_EXPECT_EQ(test, mheap_ksize(h, p), (size_t)9 * PAGE_SIZE);
	KUNIT_EXPECT_FALSE(test, memchr_inv(p, 0, MHEAP_MAX_SMALL + 1));
	KUNIT_EXPECT_EQ(test, counter(h, MHEAP_CNT_LARGE_ALLOCS), 1);
	KUNIT_EXPECT_EQ(test, mheap_span_of(h, p)->spanclass, 0);
	memset(p, 0xcc, 9 * PAGE_SIZE);
	mheap_free(h, p + 8);		/* interior: refused */
	KUNIT_EXPECT_EQ(test, counter(h, MHEAP_CNT_BAD_FREES), 1);
	mheap_free(h, p);
	KUNIT_EXPECT_EQ(test, counter(h, MHEAP_CNT_LARGE_FREES), 1);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&h->pages_in_use), 0L);
	mheap_destroy(h);
}

/* kmalloc's guarantee: power-of-two sizes up to PAGE_SIZE are aligned. */
static void alloc_alignment(struct kunit *test)
{
	struct mheap *h = kunit_mheap(test, "kunit-align", MHEAP_REGION_AUTO, 0);
	unsigned int size, k;

	for (size = 1; size <= PAGE_SIZE; size++) {
		unsigned long align = is_power_of_2(size) ? size :
				      size >= 32 ? 16 : 8;
		void *p[3];

		for (k = 0; k < ARRAY_SIZE(p); k++) {
			p[k] = mheap_alloc(h, size, GFP_KERNEL);
			KUNIT_ASSERT_NOT_NULL(test, p[k]);
			KUNIT_ASSERT_TRUE_MSG(test,
					      IS_ALIGNED((unsigned long)p[k], max(align, 8UL)),
					      "size %u at %p", size, p[k]);
		}
		for (k = 0; k < ARRAY_SIZE(p); k++)
			mheap_free(h, p[k]);
	}
	mheap_destroy(h);
}

/* Dirty reuse is zeroed on request; fresh memory needs no zeroing. */
static void alloc_gfp_zero(struct kunit *test)
{
	struct mheap *h = kunit_mheap(test, "kunit-objzero", MHEAP_REGION_AUTO, 0);
	u8 *p[64];
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(p); i++) {
		p[i] = mheap_alloc(h, 96, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, p[i]);
		memset(p[i], 0xff, 96);
	}
	for (i = 0; i < ARRAY_SIZE(p); i++)
		mheap_free(h, p[i]);
	drain_all(h);
	for (i = 0; i < ARRAY_SIZE(p); i++) {
		p[i] = mheap_alloc(h, 96, GFP_KERNEL | __GFP_ZERO);
		KUNIT_ASSERT_NOT_NULL(test, p[i]);
		KUNIT_EXPECT_FALSE(test, memchr_inv(p[i], 0, 96));
	}
	for (i = 0; i < ARRAY_SIZE(p); i++)
		mheap_free(h, p[i]);
	mheap_destroy(h);
}

static const unsigned int heap_flags[] = { 0, MHEAP_DEBUG_FREES };

static void flags_desc(const unsigned int *flags, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "%s",
		 *flags & MHEAP_DEBUG_FREES ? "debug_frees" : "default");
}

KUNIT_ARRAY_PARAM(flags, heap_flags, flags_desc);

static void alloc_bad_frees(struct kunit *test)
{
	unsigned int flags = *(const unsigned int *)test->param_value;
	struct mheap *h = kunit_mheap_flags(test, "kunit-objbad",
					    MHEAP_REGION_AUTO, 0, flags);
	struct mheap *o = kunit_mheap(test, "kunit-objbad2", MHEAP_REGION_AUTO, 0);
	struct mheap_span *manual;
	u8 *a, *b, *other, *km;
	int on_stack;

	a = mheap_alloc(h, 64, GFP_KERNEL);
	b = mheap_alloc(h, 64, GFP_KERNEL);
	other = mheap_alloc(o, 64, GFP_KERNEL);
	km = kmalloc(64, GFP_KERNEL);
	manual = mheap_alloc_manual(h, 1, GFP_KERNEL);
	KUNIT_ASSERT_TRUE(test, a && b && other && km && manual);

	mheap_free(h, a + 8);			/* interior pointer */
	mheap_free(h, other);			/* another heap's object */
	mheap_free(h, km);			/* kmalloc's */
	mheap_free(h, &on_stack);		/* not heap memory at all */
	mheap_free(h, mheap_span_base(manual));	/* a manual span */
	KUNIT_EXPECT_EQ(test, counter(h, MHEAP_CNT_BAD_FREES), 5);
	mheap_free(h, a);
	mheap_free(h, a);			/* double free */
	KUNIT_EXPECT_EQ(test, counter(h, MHEAP_CNT_BAD_FREES), 6);

	/* Nothing was corrupted: b and other are still live and usable. */
	KUNIT_EXPECT_EQ(test, mheap_ksize(h, b), (size_t)64);
	/* Unless a magazine keeps it, a free slot has no size. */
	if (flags & MHEAP_DEBUG_FREES)
		KUNIT_EXPECT_EQ(test, mheap_ksize(h, a), (size_t)0);
	KUNIT_EXPECT_EQ(test, mheap_ksize(o, other), (size_t)64);
	mheap_free(h, b);
	mheap_free(o, other);
	mheap_free_manual(h, manual);
	KUNIT_EXPECT_EQ(test, counter(o, MHEAP_CNT_BAD_FREES), 0);
	kfree(km);
	mheap_destroy(h);
	mheap_destroy(o);
}

#ifdef CONFIG_KASAN_GENERIC
static __no_sanitize_address u8 shadow_of(const void *p)
{
	return *(u8 *)kasan_mem_to_shadow(p);
}

/* A freed object and the tail of a short one are poisoned for KASAN. */
static void alloc_kasan_poison(struct kunit *test)
{
	struct mheap *h = kunit_mheap(test, "kunit-kasan", MHEAP_REGION_AUTO, 0);
	u8 *p = mheap_alloc(h, 20, GFP_KERNEL);	/* 24-byte class */

	KUNIT_ASSERT_NOT_NULL(test, p);
	KUNIT_EXPECT_EQ(test, shadow_of(p), 0);
	KUNIT_EXPECT_EQ(test, shadow_of(p + 8), 0);
	KUNIT_EXPECT_EQ(test, shadow_of(p + 16), 4);	/* 4 of 8 bytes usable */
	KUNIT_EXPECT_EQ(test, mheap_ksize(h, p), (size_t)24);
	KUNIT_EXPECT_EQ(test, shadow_of(p + 16), 0);	/* ksize opens it all */
	mheap_free(h, p);
	KUNIT_EXPECT_EQ(test, shadow_of(p), 0xFB);
	KUNIT_EXPECT_EQ(test, shadow_of(p + 16), 0xFB);
	mheap_destroy(h);
}
#else
static void alloc_kasan_poison(struct kunit *test)
{
	kunit_skip(test, "needs CONFIG_KASAN_GENERIC");
}
#endif

/*
 * The most atomic context a GFP_ATOMIC caller may be in: a spinlock_t
 * taken with spin_lock_irqsave().  Without PREEMPT_RT that is interrupts
 * and preemption off; with it, the kernel's allocators and mheap take
 * sleeping spinlocks, and "cannot be invoked from truly atomic contexts"
 * (Documentation/locking/locktypes.rst), but may be under a spinlock_t.
 */
static DEFINE_SPINLOCK(atomic_ctx);

/* GFP_ATOMIC in atomic context (atomic_ctx: interrupts off without RT). */
static void alloc_atomic_context(struct kunit *test)
{
	struct mheap *h = kunit_mheap(test, "kunit-objatomic", MHEAP_REGION_AUTO, 0);
	unsigned long flags;
	void *warm, *p[32];
	unsigned int i, got = 0;

	warm = mheap_alloc(h, 128, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, warm);
	spin_lock_irqsave(&atomic_ctx, flags);
	for (i = 0; i < ARRAY_SIZE(p); i++) {
		p[i] = mheap_alloc(h, 128, GFP_ATOMIC | __GFP_ZERO);
		got += !!p[i];
	}
	for (i = 0; i < ARRAY_SIZE(p); i++)
		mheap_free(h, p[i]);
	spin_unlock_irqrestore(&atomic_ctx, flags);
	/* 32 more 128-byte objects fit the span the warm-up created. */
	KUNIT_EXPECT_EQ(test, got, (unsigned int)ARRAY_SIZE(p));
	mheap_free(h, warm);
	mheap_destroy(h);
}

/* A steady alloc/free loop with no collection stays in bounded memory. */
static void alloc_bounded_memory(struct kunit *test)
{
	struct mheap *h = kunit_mheap(test, "kunit-bounded", MHEAP_REGION_AUTO, 0);
	unsigned long peak = 0, i;
	void *window[64] = {};
	struct rnd_state rnd;

	prandom_seed_state(&rnd, 42);
	for (i = 0; i < 60000; i++) {
		unsigned int j = prandom_u32_state(&rnd) % ARRAY_SIZE(window);
		size_t size = 8 + prandom_u32_state(&rnd) % 2040;

		mheap_free(h, window[j]);
		window[j] = mheap_alloc(h, size, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, window[j]);
		if (i == 5000)
			peak = h->pages.pages_present;
		if (i % 4096 == 0)
			cond_resched();
	}
	/* After warm-up the heap does not grow any more. */
	KUNIT_EXPECT_LE(test, h->pages.pages_present, peak);
	KUNIT_EXPECT_LE(test, h->gcbits.narenas, 2U);
	for (i = 0; i < ARRAY_SIZE(window); i++)
		mheap_free(h, window[i]);
	mheap_destroy(h);
}

/* === mcache ========================================================== */

#define XFER_OBJS	256

struct xfer {
	struct mheap *h;
	unsigned int id, nthreads, rounds;
	void **slots;		/* nthreads * XFER_OBJS, shared */
	atomic_t *phase;	/* threads that finished the current phase */
	atomic_t *errors;
	struct completion done;
};

static void phase_wait(struct xfer *x, int target)
{
	atomic_inc(x->phase);
	while (atomic_read(x->phase) < target)
		cond_resched();
}

/* Each round: fill my slots, then free the next thread's (remote frees). */
static int xfer_fn(void *data)
{
	struct xfer *x = data;
	unsigned int r, i, peer = (x->id + 1) % x->nthreads;
	struct rnd_state rnd;

	prandom_seed_state(&rnd, x->id);
	for (r = 0; r < x->rounds; r++) {
		void **mine = x->slots + x->id * XFER_OBJS;
		void **theirs = x->slots + peer * XFER_OBJS;

		for (i = 0; i < XFER_OBJS; i++) {
			/* Up to 4 KiB: classes of one to a few objects too. */
			size_t size = 8 + prandom_u32_state(&rnd) % 4000;

			mine[i] = mheap_alloc(x->h, size, GFP_KERNEL);
			if (!mine[i])
				atomic_inc(x->errors);
			else
				memset(mine[i], x->id, size);
		}
		phase_wait(x, (2 * r + 1) * x->nthreads);
		for (i = 0; i < XFER_OBJS; i++) {
			u8 *p = theirs[i];

			if (p && *p != (u8)peer)
				atomic_inc(x->errors);
			mheap_free(x->h, p);
		}
		phase_wait(x, (2 * r + 2) * x->nthreads);
	}
	complete(&x->done);
	return 0;
}

static void mcache_remote_frees(struct kunit *test)
{
	struct mheap *h = kunit_mheap(test, "kunit-remote", MHEAP_REGION_AUTO, 0);
	atomic_t phase = ATOMIC_INIT(0), errors = ATOMIC_INIT(0);
	unsigned int n = num_online_cpus(), i, cpu;
	struct xfer *x;
	void **slots;

	if (n < 2)
		kunit_skip(test, "needs two CPUs");
	x = kunit_kcalloc(test, n, sizeof(*x), GFP_KERNEL);
	slots = kunit_kcalloc(test, n * XFER_OBJS, sizeof(*slots), GFP_KERNEL);
	KUNIT_ASSERT_TRUE(test, x && slots);
	i = 0;
	cpus_read_lock();
	for_each_online_cpu(cpu) {
		struct task_struct *t;

		if (i == n)
			break;
		x[i] = (struct xfer){ .h = h, .id = i, .nthreads = n,
				      .rounds = 40, .slots = slots,
				      .phase = &phase, .errors = &errors };
		init_completion(&x[i].done);
		t = kthread_create_on_cpu(xfer_fn, &x[i], cpu, "mheap_xfer/%u");
		KUNIT_ASSERT_FALSE(test, IS_ERR(t));
		wake_up_process(t);
		i++;
	}
	cpus_read_unlock();
	for (i = 0; i < n; i++)
		wait_for_completion(&x[i].done);

	KUNIT_EXPECT_EQ(test, atomic_read(&errors), 0);
	KUNIT_EXPECT_EQ(test, counter(h, MHEAP_CNT_BAD_FREES), 0);
	drain_all(h);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&h->pages_in_use), 0L);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&h->spans_live), 0L);
	mheap_destroy(h);
}

struct one_obj {
	struct mheap *h;
	void *p;
	struct completion done;
};

static int alloc_one_fn(void *data)
{
	struct one_obj *o = data;

	o->p = mheap_alloc(o->h, 64, GFP_KERNEL);
	complete(&o->done);
	return 0;
}

static int free_one_fn(void *data)
{
	struct one_obj *o = data;

	mheap_free(o->h, o->p);
	complete(&o->done);
	return 0;
}

/* Run @fn(@o) in a thread bound to @cpu and wait for it. */
static void run_on(struct kunit *test, int (*fn)(void *), struct one_obj *o,
		   unsigned int cpu)
{
	struct task_struct *t;

	init_completion(&o->done);
	t = kthread_create_on_cpu(fn, o, cpu, "mheap_mc/%u");
	KUNIT_ASSERT_FALSE(test, IS_ERR(t));
	wake_up_process(t);
	wait_for_completion(&o->done);
}

/* A CPU going offline gives its magazines and cached spans back. */
static void mcache_cpu_offline(struct kunit *test)
{
	unsigned int cpu = num_online_cpus() > 1 ? cpumask_last(cpu_online_mask) : 0;
	unsigned int cls = mheap_size_to_class(64);
	u8 sc = mheap_make_spanclass(cls, true);
	struct mheap_mcache *c;
	struct one_obj o;
	struct mheap *h;
	int err;

	if (!cpu)
		kunit_skip(test, "needs a second CPU that can go offline");
	h = kunit_mheap(test, "kunit-mc-offline", MHEAP_REGION_AUTO, 0);
	c = per_cpu_ptr(h->mcache, cpu);
	o.h = h;
	o.p = NULL;
	run_on(test, alloc_one_fn, &o, cpu);
	KUNIT_ASSERT_NOT_NULL(test, o.p);
	run_on(test, free_one_fn, &o, cpu);
	/* Freed into that CPU's magazine; the span is still its own. */
	KUNIT_EXPECT_EQ(test, c->mag[cls].count, 1U);
	KUNIT_EXPECT_NOT_NULL(test, c->alloc[sc]);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&h->spans_live), 1L);

	err = remove_cpu(cpu);
	if (err) {
		mheap_destroy(h);
		kunit_skip(test, "CPU %u cannot go offline: %d", cpu, err);
	}
	KUNIT_EXPECT_EQ(test, c->mag[cls].count, 0U);
	KUNIT_EXPECT_NULL(test, c->alloc[sc]);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&h->spans_live), 0L);
	KUNIT_EXPECT_EQ(test, add_cpu(cpu), 0);
	mheap_destroy(h);
}

/* === Magazines ======================================================= */

/* Objects in this CPU's magazine of @cls. */
static unsigned int mag_count(struct mheap *h, unsigned int cls)
{
	/* The caller keeps to its CPU with migrate_disable(). */
	return raw_cpu_ptr(h->mcache)->mag[cls].count;
}

/* Objects in the depot of @cls. */
static unsigned int depot_count(struct mheap *h, unsigned int cls)
{
	return READ_ONCE(h->depot[cls].count);
}

/* @n objects of @size bytes from @h, in an array the test owns. */
static void **alloc_objs(struct kunit *test, struct mheap *h, unsigned int n,
			 size_t size)
{
	void **p = kunit_kcalloc(test, n, sizeof(*p), GFP_KERNEL);
	unsigned int i;

	KUNIT_ASSERT_NOT_NULL(test, p);
	for (i = 0; i < n; i++) {
		p[i] = mheap_alloc(h, size, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, p[i]);
	}
	return p;
}

/*
 * A free keeps the object in its CPU's magazine, still allocated in its
 * span, and the next allocation of the class takes it back, last freed
 * first; a full magazine goes to the depot whole, and once the depot is
 * full too, frees go on to the span.  Without magazines every free
 * clears the bits at once.
 */
static void magazine_reuse(struct kunit *test)
{
	unsigned int flags = *(const unsigned int *)test->param_value;
	struct mheap *h = kunit_mheap_flags(test, "kunit-mag", MHEAP_REGION_AUTO,
					    0, flags);
	const unsigned int kept = MHEAP_MAGAZINE_SIZE * (MHEAP_DEPOT_MAGAZINES + 1);
	unsigned int cls = mheap_size_to_class(96), i, idx, n = kept + 4;
	bool on = !flags;
	const char *why;
	void **p, *q;

	migrate_disable();
	KUNIT_EXPECT_EQ(test, raw_cpu_ptr(h->mcache)->mag[cls].cap,
			MHEAP_MAGAZINE_SIZE);
	p = alloc_objs(test, h, n, 96);
	for (i = 0; i < n; i++)
		mheap_free(h, p[i]);
	KUNIT_EXPECT_EQ(test, mag_count(h, cls), on ? MHEAP_MAGAZINE_SIZE : 0);
	KUNIT_EXPECT_EQ(test, depot_count(h, cls),
			on ? MHEAP_DEPOT_MAGAZINES * MHEAP_MAGAZINE_SIZE : 0);
	/* Kept objects are still allocated in their spans; the rest are not. */
	KUNIT_EXPECT_EQ(test, !!mheap_object_lookup(h, p[0], false, &idx, &why),
			on);
	KUNIT_EXPECT_EQ(test, !!mheap_object_lookup(h, p[kept - 1], false, &idx,
						    &why), on);
	KUNIT_EXPECT_FALSE(test, !!mheap_object_lookup(h, p[kept], false, &idx,
						       &why));
	q = mheap_alloc(h, 96, GFP_KERNEL | __GFP_ZERO);
	KUNIT_ASSERT_NOT_NULL(test, q);
	KUNIT_EXPECT_FALSE(test, memchr_inv(q, 0, 96));
	if (on) {
		KUNIT_EXPECT_PTR_EQ(test, q, p[kept - 1]);
		KUNIT_EXPECT_EQ(test, mag_count(h, cls), MHEAP_MAGAZINE_SIZE - 1);
	}
	mheap_free(h, q);
	migrate_enable();
	KUNIT_EXPECT_EQ(test, counter(h, MHEAP_CNT_BAD_FREES), 0);
	/* A flush empties magazines and depots: the spans are empty and go. */
	drain_all(h);
	KUNIT_EXPECT_EQ(test, depot_count(h, cls), 0U);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&h->spans_live), 0L);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&h->pages_in_use), 0L);
	mheap_destroy(h);
}

struct many_objs {
	struct mheap *h;
	void **p;
	unsigned int n;
	struct completion done;
};

static int free_many_fn(void *data)
{
	struct many_objs *o = data;
	unsigned int i;

	for (i = 0; i < o->n; i++)
		mheap_free(o->h, o->p[i]);
	complete(&o->done);
	return 0;
}

/*
 * Objects freed on another CPU reach this one's allocations through the
 * depot, a magazine at a time.
 */
static void magazine_depot_remote(struct kunit *test)
{
	struct mheap *h = kunit_mheap(test, "kunit-depot", MHEAP_REGION_AUTO, 0);
	unsigned int cls = mheap_size_to_class(512), cap, k, mine;
	struct task_struct *t;
	struct many_objs o;
	void *q;

	if (num_online_cpus() < 2)
		kunit_skip(test, "needs two CPUs");
	migrate_disable();
	mine = raw_smp_processor_id();
	cap = raw_cpu_ptr(h->mcache)->mag[cls].cap;
	o.h = h;
	o.n = 2 * cap;
	o.p = alloc_objs(test, h, o.n, 512);
	init_completion(&o.done);
	t = kthread_create_on_cpu(free_many_fn, &o,
				  cpumask_any_but(cpu_online_mask, mine),
				  "mheap_depot/%u");
	KUNIT_ASSERT_FALSE(test, IS_ERR(t));
	wake_up_process(t);
	wait_for_completion(&o.done);
	/* The other CPU filled a magazine, handed it over, filled another. */
	KUNIT_EXPECT_EQ(test, depot_count(h, cls), cap);
	KUNIT_EXPECT_EQ(test, mag_count(h, cls), 0U);
	q = mheap_alloc(h, 512, GFP_KERNEL);
	KUNIT_EXPECT_EQ(test, depot_count(h, cls), 0U);
	KUNIT_EXPECT_EQ(test, mag_count(h, cls), cap - 1);
	for (k = 0; k < cap && o.p[k] != q; k++)
		;
	KUNIT_EXPECT_LT_MSG(test, k, cap, "%p is not of the first magazine", q);
	mheap_free(h, q);
	migrate_enable();
	KUNIT_EXPECT_EQ(test, counter(h, MHEAP_CNT_BAD_FREES), 0);
	drain_all(h);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&h->spans_live), 0L);
	mheap_destroy(h);
}

static const unsigned int mag_flags[] = { 0, MHEAP_NO_MAGAZINES };

static void mag_flags_desc(const unsigned int *flags, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "%s",
		 *flags ? "no_magazines" : "magazines");
}

KUNIT_ARRAY_PARAM(mag_flags, mag_flags, mag_flags_desc);

/* A second free of an object in this CPU's magazine is refused. */
static void magazine_double_free(struct kunit *test)
{
	struct mheap *h = kunit_mheap(test, "kunit-magdf", MHEAP_REGION_AUTO, 0);
	void *a, *b, *c, *d;

	migrate_disable();
	a = mheap_alloc(h, 200, GFP_KERNEL);
	b = mheap_alloc(h, 200, GFP_KERNEL);
	KUNIT_ASSERT_TRUE(test, a && b);
	mheap_free(h, a);
	mheap_free(h, b);
	mheap_free(h, a);
	KUNIT_EXPECT_EQ(test, counter(h, MHEAP_CNT_BAD_FREES), 1);
	/* a was kept once: it comes back once. */
	c = mheap_alloc(h, 200, GFP_KERNEL);
	d = mheap_alloc(h, 200, GFP_KERNEL);
	KUNIT_EXPECT_PTR_NE(test, c, d);
	KUNIT_EXPECT_TRUE(test, (c == a && d == b) || (c == b && d == a));
	mheap_free(h, c);
	mheap_free(h, d);
	migrate_enable();
	mheap_destroy(h);
}

/* Lowest and highest of @n objects. */
static void objs_bounds(void **p, unsigned int n, unsigned long *lo,
			unsigned long *hi)
{
	unsigned long a;
	unsigned int i;

	*lo = ULONG_MAX;
	*hi = 0;
	for (i = 0; i < n; i++) {
		a = (unsigned long)p[i];
		*lo = min(*lo, a);
		*hi = max(*hi, a);
	}
}

/*
 * The magazine's address bounds, which let a free skip the look for a
 * double free, cover every entry: at both edges, in the middle, and after
 * the depot refilled the magazine with another CPU's worth of objects.
 */
static void magazine_double_free_bounds(struct kunit *test)
{
	struct mheap *h = kunit_mheap(test, "kunit-magbnd", MHEAP_REGION_AUTO, 0);
	unsigned int cls = mheap_size_to_class(200), cap, i, n;
	struct mheap_magazine *m;
	unsigned long lo, hi, qa;
	void **p, *q;

	migrate_disable();
	m = raw_cpu_ptr(h->mcache)->mag + cls;
	cap = m->cap;
	n = 2 * cap;
	p = alloc_objs(test, h, n, 200);
	/* The middle one first, then one below it and one above. */
	mheap_free(h, p[1]);
	mheap_free(h, p[0]);
	mheap_free(h, p[2]);
	KUNIT_ASSERT_EQ(test, mag_count(h, cls), 3U);
	objs_bounds(p, 3, &lo, &hi);
	KUNIT_EXPECT_EQ(test, m->lo, lo);
	KUNIT_EXPECT_EQ(test, m->hi, hi);
	for (i = 0; i < 3; i++)
		mheap_free(h, p[i]);
	KUNIT_EXPECT_EQ(test, counter(h, MHEAP_CNT_BAD_FREES), 3);
	KUNIT_EXPECT_EQ(test, mag_count(h, cls), 3U);
	for (i = 0; i < 3; i++) {
		q = mheap_alloc(h, 200, GFP_KERNEL);
		KUNIT_EXPECT_TRUE(test, q == p[0] || q == p[1] || q == p[2]);
	}
	KUNIT_ASSERT_EQ(test, mag_count(h, cls), 0U);

	/*
	 * Reverse order: the first cap go to the depot when the next free
	 * finds the magazine full.  Taking the magazine's cap leaves it empty,
	 * and the next allocation refills it from the depot.
	 */
	for (i = n; i-- > 0;)
		mheap_free(h, p[i]);
	KUNIT_ASSERT_EQ(test, depot_count(h, cls), cap);
	KUNIT_ASSERT_EQ(test, mag_count(h, cls), cap);
	for (i = 0; i < cap; i++)
		p[i] = mheap_alloc(h, 200, GFP_KERNEL);
	q = mheap_alloc(h, 200, GFP_KERNEL);
	KUNIT_ASSERT_EQ(test, depot_count(h, cls), 0U);
	KUNIT_ASSERT_EQ(test, mag_count(h, cls), cap - 1);
	/* The bounds were set for the refill, q among it. */
	objs_bounds(m->objs, m->count, &lo, &hi);
	qa = (unsigned long)q;
	KUNIT_EXPECT_EQ(test, m->lo, min(lo, qa));
	KUNIT_EXPECT_EQ(test, m->hi, max(hi, qa));
	/* Both edges of what it holds are refused a second free. */
	mheap_free(h, (void *)lo);
	mheap_free(h, (void *)hi);
	KUNIT_EXPECT_EQ(test, counter(h, MHEAP_CNT_BAD_FREES), 5);
	KUNIT_EXPECT_EQ(test, mag_count(h, cls), cap - 1);
	mheap_free(h, q);
	for (i = 0; i < cap; i++)
		mheap_free(h, p[i]);
	migrate_enable();
	KUNIT_EXPECT_EQ(test, counter(h, MHEAP_CNT_BAD_FREES), 5);
	drain_all(h);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&h->spans_live), 0L);
	mheap_destroy(h);
}

/* The OR of the filter bits of @n objects. */
static unsigned long objs_sig(void **p, unsigned int n)
{
	unsigned long sig = 0;
	unsigned int i;

	for (i = 0; i < n; i++)
		sig |= mheap_magazine_sig((unsigned long)p[i]);
	return sig;
}

/*
 * The magazine's filter, which lets a free whose bit is clear skip the
 * look for a double free, has the bit of every entry: after kept frees in
 * shuffled order and after a refill from the depot, when every entry is
 * still refused a second free.  It gains no bit but its entries' and
 * those of objects taken since it was last set.
 */
static void magazine_double_free_sig(struct kunit *test)
{
	struct mheap *h = kunit_mheap(test, "kunit-magsig", MHEAP_REGION_AUTO, 0);
	unsigned int cls = mheap_size_to_class(200), cap, i, j, n;
	struct mheap_magazine *m;
	unsigned long want;
	void **p, *q;

	migrate_disable();
	m = raw_cpu_ptr(h->mcache)->mag + cls;
	cap = m->cap;
	n = 2 * cap;
	p = alloc_objs(test, h, n, 200);
	/* Every third of 2 * cap, wrapping: an order bounds do not help. */
	for (i = 0, j = 0; i < cap; i++, j = (j + 3) % n)
		mheap_free(h, p[j]);
	KUNIT_ASSERT_EQ(test, mag_count(h, cls), cap);
	KUNIT_EXPECT_EQ(test, m->sig, objs_sig(m->objs, m->count));
	for (i = 0; i < cap; i++)
		mheap_free(h, m->objs[i]);
	KUNIT_EXPECT_EQ(test, counter(h, MHEAP_CNT_BAD_FREES), (long)cap);

	/* The rest to the depot and the magazine; take all but one back. */
	for (i = 0, j = 0; i < n; i++, j = (j + 3) % n) {
		if (i >= cap)
			mheap_free(h, p[j]);
	}
	KUNIT_ASSERT_EQ(test, depot_count(h, cls), cap);
	KUNIT_ASSERT_EQ(test, mag_count(h, cls), cap);
	for (i = 0; i < cap; i++)
		p[i] = mheap_alloc(h, 200, GFP_KERNEL);
	q = mheap_alloc(h, 200, GFP_KERNEL);
	KUNIT_ASSERT_EQ(test, depot_count(h, cls), 0U);
	KUNIT_ASSERT_EQ(test, mag_count(h, cls), cap - 1);
	/* Set for the refill, q among it; q's bit stays after it is taken. */
	want = objs_sig(m->objs, m->count);
	KUNIT_EXPECT_EQ(test, m->sig & want, want);
	KUNIT_EXPECT_EQ(test, m->sig & ~(want | mheap_magazine_sig((unsigned long)q)), 0UL);
	for (i = 0; i < m->count; i++)
		mheap_free(h, m->objs[i]);
	KUNIT_EXPECT_EQ(test, counter(h, MHEAP_CNT_BAD_FREES), (long)(2 * cap - 1));
	KUNIT_EXPECT_EQ(test, mag_count(h, cls), cap - 1);
	mheap_free(h, q);
	for (i = 0; i < cap; i++)
		mheap_free(h, p[i]);
	migrate_enable();
	KUNIT_EXPECT_EQ(test, counter(h, MHEAP_CNT_BAD_FREES), (long)(2 * cap - 1));
	drain_all(h);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&h->spans_live), 0L);
	mheap_destroy(h);
}

/*
 * In a heap with much free memory, placement sends the frees of a span
 * that sits high back to the span, so that it drains; but not those of the
 * span the CPU allocates from, whose alloc+free pairs go through the
 * magazine.  Once the CPU lets go of the span, its frees drain it again.
 */
static void magazine_high_alloc_span(struct kunit *test)
{
	struct mheap *h = kunit_mheap(test, "kunit-maghigh", MHEAP_REGION_AUTO, 0);
	unsigned int cls = mheap_size_to_class(200);
	u8 sc = mheap_make_spanclass(cls, true);
	struct mheap_span *low, *s;
	void *p, *q, *other;
	unsigned int idx;
	const char *why;

	/* Two chunks low in the heap, so that the object's span comes above. */
	low = mheap_alloc_manual(h, 2 * MHEAP_CHUNK_PAGES, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, low);
	migrate_disable();
	p = mheap_alloc(h, 200, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p);
	s = mheap_object_lookup(h, p, false, &idx, &why);
	KUNIT_ASSERT_NOT_NULL(test, s);
	mheap_free_manual(h, low);
	/* A refill of another class sees the heap sparse now. */
	other = mheap_alloc(h, 1000, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, other);
	KUNIT_ASSERT_TRUE(test, READ_ONCE(h->gc.drain_high));
	KUNIT_ASSERT_TRUE(test, mheap_span_high(h, s));
	KUNIT_ASSERT_PTR_EQ(test, raw_cpu_ptr(h->mcache)->alloc[sc], s);

	/* The CPU's own span: the free is kept, the next pair reuses it. */
	mheap_free(h, p);
	KUNIT_EXPECT_EQ(test, mag_count(h, cls), 1U);
	q = mheap_alloc(h, 200, GFP_KERNEL);
	KUNIT_EXPECT_PTR_EQ(test, q, p);
	KUNIT_EXPECT_EQ(test, mag_count(h, cls), 0U);
	migrate_enable();

	/* No longer the CPU's: the free goes to the span, which empties. */
	mheap_mcache_flush_all(h);
	migrate_disable();
	KUNIT_ASSERT_NULL(test, raw_cpu_ptr(h->mcache)->alloc[sc]);
	mheap_free(h, q);
	KUNIT_EXPECT_EQ(test, mag_count(h, cls), 0U);
	mheap_free(h, other);
	migrate_enable();
	KUNIT_EXPECT_EQ(test, counter(h, MHEAP_CNT_BAD_FREES), 0L);
	drain_all(h);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&h->spans_live), 0L);
	mheap_destroy(h);
}

/*
 * The free of the object an allocation just took skips the look for a
 * double free; a second free of it after that, or after other
 * allocations took objects behind it, is still refused.
 */
static void magazine_double_free_taken(struct kunit *test)
{
	struct mheap *h = kunit_mheap(test, "kunit-magtkn", MHEAP_REGION_AUTO, 0);
	unsigned int cls = mheap_size_to_class(200), i;
	struct mheap_magazine *m;
	void *p[4], *q;

	migrate_disable();
	m = raw_cpu_ptr(h->mcache)->mag + cls;
	for (i = 0; i < 4; i++) {
		p[i] = mheap_alloc(h, 200, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, p[i]);
	}
	for (i = 0; i < 4; i++)
		mheap_free(h, p[i]);
	KUNIT_ASSERT_EQ(test, mag_count(h, cls), 4U);

	/* A pair: the free is kept, and a second free refused. */
	q = mheap_alloc(h, 200, GFP_KERNEL);
	KUNIT_EXPECT_PTR_EQ(test, q, p[3]);
	KUNIT_EXPECT_PTR_EQ(test, m->taken, q);
	mheap_free(h, q);
	KUNIT_EXPECT_NULL(test, m->taken);
	KUNIT_EXPECT_EQ(test, mag_count(h, cls), 4U);
	mheap_free(h, q);
	KUNIT_EXPECT_EQ(test, counter(h, MHEAP_CNT_BAD_FREES), 1);

	/*
	 * Three taken, the first of them freed: it sits below where it sat,
	 * in a slot of the magazine's array an allocation took.
	 */
	for (i = 3; i > 0; i--)
		KUNIT_EXPECT_PTR_EQ(test, mheap_alloc(h, 200, GFP_KERNEL), p[i]);
	KUNIT_EXPECT_PTR_EQ(test, m->taken, p[1]);
	mheap_free(h, p[3]);
	KUNIT_EXPECT_EQ(test, mag_count(h, cls), 2U);
	mheap_free(h, p[2]);
	mheap_free(h, p[3]);
	KUNIT_EXPECT_EQ(test, counter(h, MHEAP_CNT_BAD_FREES), 2);
	KUNIT_EXPECT_EQ(test, mag_count(h, cls), 3U);
	mheap_free(h, p[1]);
	migrate_enable();
	KUNIT_EXPECT_EQ(test, counter(h, MHEAP_CNT_BAD_FREES), 2);
	drain_all(h);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&h->spans_live), 0L);
	mheap_destroy(h);
}

/*
 * A cycle's beginning empties every magazine into the spans, before
 * marking: their objects are free, so the cycle sweeps nothing of them and
 * allocations during marking come from spans, marked.  Frees fill the
 * magazines again only once the cycle has ended.
 */
static void magazine_cycle(struct kunit *test)
{
	struct mheap *h = kunit_gc_heap(test, "kunit-magcyc");
	unsigned int cls = mheap_size_to_class(64), idx;
	struct mheap_span *s;
	const char *why;
	void *a, *b, *keep;

	keep = mheap_alloc(h, 64, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, keep);
	migrate_disable();
	a = mheap_alloc(h, 64, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, a);
	mheap_free(h, a);
	KUNIT_EXPECT_EQ(test, mag_count(h, cls), 1U);
	migrate_enable();

	mheap_gc_begin(h);
	KUNIT_EXPECT_EQ(test, mag_count(h, cls), 0U);
	KUNIT_EXPECT_FALSE(test, !!mheap_object_lookup(h, a, false, &idx, &why));
	KUNIT_EXPECT_TRUE(test, mheap_mark(h, keep));
	migrate_disable();
	b = mheap_alloc(h, 64, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, b);
	s = mheap_object_lookup(h, b, false, &idx, &why);
	KUNIT_ASSERT_NOT_NULL(test, s);
	KUNIT_EXPECT_TRUE(test, test_bit(idx, s->obj.gcmark_bits));
	/* Closed while marking: the free goes to the span. */
	mheap_free(h, b);
	KUNIT_EXPECT_EQ(test, mag_count(h, cls), 0U);
	migrate_enable();
	mheap_gc_end(h);
	mheap_sweep_all(h);
	KUNIT_EXPECT_EQ(test, mheap_ksize(h, keep), (size_t)64);
	KUNIT_EXPECT_EQ(test, counter(h, MHEAP_CNT_BAD_FREES), 0);

	migrate_disable();
	mheap_free(h, keep);
	KUNIT_EXPECT_EQ(test, mag_count(h, cls), 1U);
	migrate_enable();
	mheap_destroy(h);
}

struct racing_free {
	struct mheap *h;
	void *p;
	atomic_t go;
	struct completion done;
};

static int racing_free_fn(void *data)
{
	struct racing_free *r = data;

	atomic_dec(&r->go);
	while (atomic_read(&r->go))
		cpu_relax();
	mheap_free(r->h, r->p);
	complete(&r->done);
	return 0;
}

/*
 * With debug_frees, of two frees racing on one object exactly one frees
 * it, and the other is refused without touching it: bad_frees counts one
 * per round, and KASAN sees no write to the slot handed out again.
 */
static void debug_frees_racing(struct kunit *test)
{
	struct mheap *h = kunit_mheap_flags(test, "kunit-dbgfree",
					    MHEAP_REGION_AUTO, 0,
					    MHEAP_DEBUG_FREES);
	unsigned int cpu0 = cpumask_first(cpu_online_mask);
	unsigned int cpu1 = cpumask_last(cpu_online_mask);
	struct task_struct *t[2];
	struct racing_free r;
	int round, i;

	if (cpu0 == cpu1)
		kunit_skip(test, "needs two CPUs");
	r.h = h;
	for (round = 0; round < 200; round++) {
		r.p = mheap_alloc(h, 128, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, r.p);
		memset(r.p, 0x5a, 128);
		atomic_set(&r.go, 2);
		init_completion(&r.done);
		for (i = 0; i < 2; i++) {
			t[i] = kthread_create_on_cpu(racing_free_fn, &r,
						     i ? cpu1 : cpu0,
						     "mheap_df/%u");
			KUNIT_ASSERT_FALSE(test, IS_ERR(t[i]));
		}
		wake_up_process(t[0]);
		wake_up_process(t[1]);
		wait_for_completion(&r.done);
		wait_for_completion(&r.done);
		KUNIT_EXPECT_EQ(test, counter(h, MHEAP_CNT_BAD_FREES), round + 1);
	}
	KUNIT_EXPECT_EQ(test, mag_count(h, mheap_size_to_class(128)), 0U);
	mheap_destroy(h);
}

/* Flags nobody defined are refused; debug_frees implies no magazines. */
static void heap_flags_checked(struct kunit *test)
{
	struct mheap_params params = { .flags = MHEAP_FLAGS_ALL + 1 };
	struct mheap *h = mheap_create("kunit-flags", &params);

	KUNIT_EXPECT_EQ(test, PTR_ERR_OR_ZERO(h), -EINVAL);
	params.flags = MHEAP_DEBUG_FREES;
	h = mheap_create("kunit-flags", &params);
	KUNIT_ASSERT_FALSE(test, IS_ERR(h));
	KUNIT_EXPECT_TRUE(test, h->params.flags & MHEAP_NO_MAGAZINES);
	KUNIT_EXPECT_FALSE(test, READ_ONCE(h->gc.magazines));
	mheap_destroy(h);
}

static struct kunit_case mheap_object_cases[] = {
	KUNIT_CASE_PARAM(alloc_class_fill, classes_gen_params),
	KUNIT_CASE(alloc_zero_and_large),
	KUNIT_CASE(alloc_alignment),
	KUNIT_CASE(alloc_gfp_zero),
	KUNIT_CASE_PARAM(alloc_bad_frees, flags_gen_params),
	KUNIT_CASE(alloc_kasan_poison),
	KUNIT_CASE(alloc_atomic_context),
	KUNIT_CASE_SLOW(alloc_bounded_memory),
	KUNIT_CASE(mcache_cpu_offline),
	KUNIT_CASE_SLOW(mcache_remote_frees),
	KUNIT_CASE_PARAM(magazine_reuse, mag_flags_gen_params),
	KUNIT_CASE(magazine_depot_remote),
	KUNIT_CASE(magazine_double_free),
	KUNIT_CASE(magazine_double_free_bounds),
	KUNIT_CASE(magazine_double_free_taken),
	KUNIT_CASE(magazine_double_free_sig),
	KUNIT_CASE(magazine_high_alloc_span),
	KUNIT_CASE(magazine_cycle),
	KUNIT_CASE(debug_frees_racing),
	KUNIT_CASE(heap_flags_checked),
	{}
};

static struct kunit_suite mheap_object_suite = {
	.name = "mheap_object",
	.test_cases = mheap_object_cases,
};

kunit_test_suites(&mheap_object_suite);
