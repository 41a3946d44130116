// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite mheap_fault: each allocation site of mheap, failed on
 * purpose through its fault attribute (mheap/fault.c), makes its public
 * call fail cleanly: NULL or -ENOMEM, nothing half-built (the heap's
 * counts as before, every region releasable afterwards, kmemleak quiet),
 * and the same call works again once injection is off.
 *
 * The attributes are global; the tests arm them with task-filter on and
 * make-it-fail set on their own thread only, so other heaps' background
 * work is never failed by them.
 */
#include <kunit/test.h>
#include <linux/fault-inject.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include "helpers.h"

#ifdef CONFIG_FAULT_INJECTION

#define FAULT_HEAP	"kunit-fault"
/* Bound on the calls through one attribute that one operation makes. */
#define FAULT_MAX_NTH	4096

/* What a test changes in an attribute, to put back afterwards. */
struct fault_saved {
	unsigned long probability;
	unsigned long interval;
	unsigned long verbose;
	int times;
	int space;
	bool task_filter;
};

static int fault_test_init(struct kunit *test)
{
	struct fault_saved *saved;
	unsigned int i;

	saved = kunit_kcalloc(test, MHEAP_FAULT_COUNT, sizeof(*saved),
			      GFP_KERNEL);
	if (!saved)
		return -ENOMEM;
	for (i = 0; i < MHEAP_FAULT_COUNT; i++) {
		struct fault_attr *a = mheap_fault_attr(i);

		saved[i].probability = a->probability;
		saved[i].interval = a->interval;
		saved[i].verbose = a->verbose;
		saved[i].times = atomic_read(&a->times);
		saved[i].space = atomic_read(&a->space);
		saved[i].task_filter = a->task_filter;
		/* Nothing fails unless a test arms it. */
		WRITE_ONCE(a->probability, 0);
	}
	test->priv = saved;
	return 0;
}

static void fault_test_exit(struct kunit *test)
{
	struct fault_saved *saved = test->priv;
	unsigned int i;

	for (i = 0; i < MHEAP_FAULT_COUNT; i++) {
		struct fault_attr *a = mheap_fault_attr(i);

		a->interval = saved[i].interval;
		a->verbose = saved[i].verbose;
		atomic_set(&a->times, saved[i].times);
		atomic_set(&a->space, saved[i].space);
		a->task_filter = saved[i].task_filter;
		WRITE_ONCE(a->probability, saved[i].probability);
	}
}

/*
 * Make the @nth call through @kind's sites in this thread fail, and only
 * that one: probability 100, every @nth call, once.
 */
static void fault_arm(enum mheap_fault kind, unsigned long nth)
{
	struct fault_attr *a = mheap_fault_attr(kind);

	a->verbose = 0;
	a->task_filter = true;
	atomic_set(&a->space, 0);
	a->interval = nth;
	a->count = 0;
	atomic_set(&a->times, 1);
	current->make_it_fail = 1;
	WRITE_ONCE(a->probability, 100);
}

/* Turn @kind off again; true if its failure was injected. */
static bool fault_disarm(enum mheap_fault kind)
{
	struct fault_attr *a = mheap_fault_attr(kind);

	WRITE_ONCE(a->probability, 0);
	current->make_it_fail = 0;
	return !atomic_read(&a->times);
}

/* The next n to try: every one at first, then sparser (loops of pages). */
static unsigned long next_nth(unsigned long n)
{
	return n < 16 ? n + 1 : n + n / 4;
}

static long objects_in_use(struct mheap *h)
{
	unsigned long allocs, frees;

	mheap_class_counts(h, 0, &allocs, &frees);
	return allocs - frees + counter(h, MHEAP_CNT_LARGE_ALLOCS) -
	       counter(h, MHEAP_CNT_LARGE_FREES);
}

/* The counts a failed call must leave as they were. */
struct heap_snap {
	long pages_in_use;
	long spans_live;
	long objects;
	long specials;
	unsigned long nobjs;
};

static void snap(struct mheap *h, struct heap_snap *s)
{
	s->pages_in_use = atomic_long_read(&h->pages_in_use);
	s->spans_live = atomic_long_read(&h->spans_live);
	s->objects = objects_in_use(h);
	s->specials = atomic_long_read(&h->gc.specials);
	s->nobjs = h->control.nobjs;
}

/* After everything is freed: sweep, flush, release, and nothing is left. */
static void expect_empty(struct kunit *test, struct mheap *h)
{
	mheap_release_all(h);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&h->pages_in_use), 0L);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&h->spans_live), 0L);
	KUNIT_EXPECT_EQ(test, objects_in_use(h), 0L);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&h->gc.specials), 0L);
	KUNIT_EXPECT_EQ(test, committed(h), 0UL);
	KUNIT_EXPECT_EQ(test, h->nregions, 0UL);
}

/* === One operation, one kind of site ================================= */

enum fault_op {
	OP_MANUAL,		/* mheap_alloc_manual(arg pages, GFP_KERNEL) */
	OP_MANUAL_ATOMIC,	/* mheap_alloc_manual(arg pages, GFP_ATOMIC) */
	OP_OBJECT,		/* mheap_alloc(arg bytes) */
	OP_FINALIZER,		/* mheap_set_finalizer() on a live object */
	OP_PIN,			/* mheap_pin() on a live object */
	OP_PROBE,		/* mheap_probe_reachable() on a live object */
	OP_CONTROL,		/* "alloc size=64 count=arg" on the control file */
};

struct fault_case {
	const char *name;
	enum fault_op op;
	enum mheap_fault kind;
	unsigned int region_kind;
	unsigned long arg;
};

/*
 * Every kind of site each operation reaches.  Heaps are VMAP or DIRECT:
 * an AUTO heap's failed direct-map block falls back to vmap and the call
 * succeeds (fault_grow_fallback checks that).
 */
static const struct fault_case fault_cases[] = {
	{ "manual-vmap/grow", OP_MANUAL, MHEAP_FAULT_GROW, MHEAP_REGION_VMAP, 1 },
	{ "manual-vmap/map", OP_MANUAL, MHEAP_FAULT_MAP, MHEAP_REGION_VMAP, 1 },
	{ "manual-vmap/metadata", OP_MANUAL, MHEAP_FAULT_METADATA, MHEAP_REGION_VMAP, 1 },
	{ "manual-vmap/span", OP_MANUAL, MHEAP_FAULT_SPAN, MHEAP_REGION_VMAP, 1 },
	{ "manual-1000/metadata", OP_MANUAL, MHEAP_FAULT_METADATA, MHEAP_REGION_VMAP, 1000 },
	{ "manual-direct/grow", OP_MANUAL, MHEAP_FAULT_GROW, MHEAP_REGION_DIRECT, 1 },
	{ "manual-direct/metadata", OP_MANUAL, MHEAP_FAULT_METADATA, MHEAP_REGION_DIRECT, 1 },
	{ "manual-atomic/grow", OP_MANUAL_ATOMIC, MHEAP_FAULT_GROW, MHEAP_REGION_AUTO, 1 },
	{ "manual-atomic/metadata", OP_MANUAL_ATOMIC, MHEAP_FAULT_METADATA, MHEAP_REGION_AUTO, 1 },
	{ "manual-atomic/span", OP_MANUAL_ATOMIC, MHEAP_FAULT_SPAN, MHEAP_REGION_AUTO, 1 },
	{ "object/grow", OP_OBJECT, MHEAP_FAULT_GROW, MHEAP_REGION_DIRECT, 64 },
	{ "object/metadata", OP_OBJECT, MHEAP_FAULT_METADATA, MHEAP_REGION_DIRECT, 64 },
	{ "object/span", OP_OBJECT, MHEAP_FAULT_SPAN, MHEAP_REGION_DIRECT, 64 },
	{ "object/gcbits", OP_OBJECT, MHEAP_FAULT_GCBITS, MHEAP_REGION_DIRECT, 64 },
	{ "large/grow", OP_OBJECT, MHEAP_FAULT_GROW, MHEAP_REGION_DIRECT, 100000 },
	{ "large/metadata", OP_OBJECT, MHEAP_FAULT_METADATA, MHEAP_REGION_DIRECT, 100000 },
	{ "large/span", OP_OBJECT, MHEAP_FAULT_SPAN, MHEAP_REGION_DIRECT, 100000 },
	{ "large/gcbits", OP_OBJECT, MHEAP_FAULT_GCBITS, MHEAP_REGION_DIRECT, 100000 },
	{ "large-vmap/map", OP_OBJECT, MHEAP_FAULT_MAP, MHEAP_REGION_VMAP, 100000 },
	{ "finalizer/special", OP_FINALIZER, MHEAP_FAULT_SPECIAL, MHEAP_REGION_AUTO, 0 },
	{ "pin/special", OP_PIN, MHEAP_FAULT_SPECIAL, MHEAP_REGION_AUTO, 0 },
	{ "probe/special", OP_PROBE, MHEAP_FAULT_SPECIAL, MHEAP_REGION_AUTO, 0 },
	{ "control/control", OP_CONTROL, MHEAP_FAULT_CONTROL, MHEAP_REGION_DIRECT, 1000 },
	{ "control/span", OP_CONTROL, MHEAP_FAULT_SPAN, MHEAP_REGION_DIRECT, 1000 },
	{ "control/gcbits", OP_CONTROL, MHEAP_FAULT_GCBITS, MHEAP_REGION_DIRECT, 1000 },
	{ "control/metadata", OP_CONTROL, MHEAP_FAULT_METADATA, MHEAP_REGION_DIRECT, 1000 },
	{ "control/grow", OP_CONTROL, MHEAP_FAULT_GROW, MHEAP_REGION_DIRECT, 1000 },
};

static void case_desc(const struct fault_case *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(fault_case, fault_cases, case_desc);

static void no_finalizer(void *obj, void *arg)
{
}

struct op_state {
	struct mheap *h;
	void *target;		/* the live object of the specials ops */
	struct mheap_span *span;
	void *obj;
	struct mheap_reachable reach;
};

/* Run the operation once: 0 or its error. */
static int op_run(const struct fault_case *c, struct op_state *st)
{
	char line[48];

	switch (c->op) {
	case OP_MANUAL:
	case OP_MANUAL_ATOMIC:
		st->span = mheap_alloc_manual(st->h, c->arg,
					      c->op == OP_MANUAL ? GFP_KERNEL :
								   GFP_ATOMIC);
		return st->span ? 0 : -ENOMEM;
	case OP_OBJECT:
		st->obj = mheap_alloc(st->h, c->arg, GFP_KERNEL);
		return st->obj ? 0 : -ENOMEM;
	case OP_FINALIZER:
		return mheap_set_finalizer(st->h, st->target, no_finalizer, NULL);
	case OP_PIN:
		return mheap_pin(st->h, st->target);
	case OP_PROBE:
		return mheap_probe_reachable(st->h, st->target, &st->reach);
	case OP_CONTROL:
		snprintf(line, sizeof(line), "alloc size=64 count=%lu", c->arg);
		return mheap_control(st->h, line);
	}
	return -EINVAL;
}

/* Undo a successful op_run(), and free the specials ops' object. */
static void op_undo(struct kunit *test, const struct fault_case *c,
		    struct op_state *st)
{
	char line[] = "free all";

	switch (c->op) {
	case OP_MANUAL:
	case OP_MANUAL_ATOMIC:
		mheap_free_manual(st->h, st->span);
		break;
	case OP_OBJECT:
		mheap_free(st->h, st->obj);
		break;
	case OP_FINALIZER:
		KUNIT_EXPECT_EQ(test, mheap_remove_finalizer(st->h, st->target), 0);
		break;
	case OP_PIN:
		KUNIT_EXPECT_EQ(test, mheap_unpin(st->h, st->target), 0);
		break;
	case OP_PROBE:
		/* Freeing the object answers the probe. */
		break;
	case OP_CONTROL:
		KUNIT_EXPECT_EQ(test, mheap_control(st->h, line), 0);
		break;
	}
}

static bool op_has_target(const struct fault_case *c)
{
	return c->op == OP_FINALIZER || c->op == OP_PIN || c->op == OP_PROBE;
}

static struct mheap *fresh_heap(struct kunit *test, const struct fault_case *c,
				struct op_state *st)
{
	memset(st, 0, sizeof(*st));
	st->h = kunit_mheap(test, FAULT_HEAP, c->region_kind, 0);
	if (op_has_target(c)) {
		st->target = mheap_alloc(st->h, 100, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, st->target);
	}
	return st->h;
}

static void heap_done(struct kunit *test, const struct fault_case *c,
		      struct op_state *st)
{
	if (st->target) {
		mheap_free(st->h, st->target);
		if (c->op == OP_PROBE)
			KUNIT_EXPECT_TRUE(test, st->reach.done);
	}
	expect_empty(test, st->h);
	mheap_destroy(st->h);
}

/* The heap right after a failure injected at a growth site. */
static void expect_growth_undone(struct kunit *test, struct mheap *h)
{
	KUNIT_EXPECT_EQ(test, counter(h, MHEAP_CNT_GROW_FAILS), 1L);
	KUNIT_EXPECT_EQ(test, counter(h, MHEAP_CNT_GROWS), 0L);
	KUNIT_EXPECT_EQ(test, committed(h), 0UL);
	KUNIT_EXPECT_EQ(test, h->nregions, 0UL);
}

/*
 * Fail the 1st, 2nd, ... call through the case's kind of site, each on a
 * fresh heap, until the operation makes no more such calls.  Each failure
 * must give -ENOMEM (or NULL) and change no count; the same operation then
 * succeeds on the same heap.
 */
static void fault_every_site(struct kunit *test)
{
	const struct fault_case *c = test->param_value;
	unsigned long n, hits = 0;
	struct heap_snap before, after;
	struct op_state st;
	struct mheap *h;
	bool hit;
	int err;

	for (n = 1; n < FAULT_MAX_NTH; n = next_nth(n)) {
		h = fresh_heap(test, c, &st);
		snap(h, &before);
		fault_arm(c->kind, n);
		err = op_run(c, &st);
		hit = fault_disarm(c->kind);
		if (!hit) {
			/* Fewer than n such calls: the operation just works. */
			KUNIT_EXPECT_EQ(test, err, 0);
			if (!err)
				op_undo(test, c, &st);
			heap_done(test, c, &st);
			break;
		}
		hits++;
		KUNIT_EXPECT_EQ_MSG(test, err, -ENOMEM, "call %lu failed", n);
		snap(h, &after);
		KUNIT_EXPECT_EQ_MSG(test, after.objects, before.objects, "call %lu", n);
		KUNIT_EXPECT_EQ_MSG(test, after.specials, before.specials, "call %lu", n);
		KUNIT_EXPECT_EQ_MSG(test, after.nobjs, before.nobjs, "call %lu", n);
		/* The control file's undo may leave emptied spans cached. */
		if (c->op != OP_CONTROL) {
			KUNIT_EXPECT_EQ_MSG(test, after.pages_in_use,
					    before.pages_in_use, "call %lu", n);
			KUNIT_EXPECT_EQ_MSG(test, after.spans_live,
					    before.spans_live, "call %lu", n);
		}
		if (c->kind == MHEAP_FAULT_GROW || c->kind == MHEAP_FAULT_MAP ||
		    (c->kind == MHEAP_FAULT_METADATA && c->op != OP_CONTROL &&
		     !op_has_target(c)))
			expect_growth_undone(test, h);
		/* Injection off: the same call on the same heap works. */
		err = op_run(c, &st);
		KUNIT_EXPECT_EQ_MSG(test, err, 0, "after call %lu failed", n);
		if (!err)
			op_undo(test, c, &st);
		heap_done(test, c, &st);
		if (test->status == KUNIT_FAILURE)
			return;
	}
	KUNIT_EXPECT_LT(test, n, (unsigned long)FAULT_MAX_NTH);
	/* Each case names a kind of site its operation reaches. */
	KUNIT_EXPECT_GT(test, hits, 0UL);
	kunit_info(test, "%lu failures injected", hits);
}

/* === Heap creation =================================================== */

static void fault_create(struct kunit *test)
{
	unsigned long n, hits = 0;
	struct mheap *h;
	bool hit;

	for (n = 1; n < FAULT_MAX_NTH; n++) {
		fault_arm(MHEAP_FAULT_METADATA, n);
		h = mheap_create(FAULT_HEAP, NULL);
		hit = fault_disarm(MHEAP_FAULT_METADATA);
		if (!hit) {
			KUNIT_ASSERT_FALSE(test, IS_ERR(h));
			mheap_destroy(h);
			break;
		}
		hits++;
		KUNIT_EXPECT_PTR_EQ_MSG(test, h, ERR_PTR(-ENOMEM), "call %lu", n);
		if (!IS_ERR(h))
			mheap_destroy(h);
		/* Not listed, no debugfs directory: the name is free again. */
		KUNIT_EXPECT_NULL(test, mheap_find(FAULT_HEAP));
		h = mheap_create(FAULT_HEAP, NULL);
		KUNIT_ASSERT_FALSE(test, IS_ERR(h));
		mheap_destroy(h);
	}
	/* The heap, its arena index, page allocator, per-CPU caches... */
	KUNIT_EXPECT_GE(test, hits, 5UL);
	kunit_info(test, "%lu failures injected", hits);
}

/* A reserved name: the fault attributes' directories. */
static void fault_names_reserved(struct kunit *test)
{
	unsigned int i;

	for (i = 0; i < MHEAP_FAULT_COUNT; i++)
		KUNIT_EXPECT_PTR_EQ(test, mheap_create(mheap_fault_names[i], NULL),
				    ERR_PTR(-EINVAL));
}

/* === Growth details ================================================== */

/* An AUTO heap's direct-map block fails: the region comes from vmap. */
static void fault_grow_fallback(struct kunit *test)
{
	struct mheap *h = kunit_mheap(test, FAULT_HEAP, MHEAP_REGION_AUTO, 0);
	struct mheap_span *s;

	fault_arm(MHEAP_FAULT_GROW, 1);
	s = mheap_alloc_manual(h, 1, GFP_KERNEL);
	KUNIT_EXPECT_TRUE(test, fault_disarm(MHEAP_FAULT_GROW));
	KUNIT_ASSERT_NOT_NULL(test, s);
	KUNIT_EXPECT_EQ(test, counter(h, MHEAP_CNT_DIRECT_FALLBACKS), 1L);
	KUNIT_EXPECT_EQ(test, counter(h, MHEAP_CNT_REGIONS_VMAP), 1L);
	KUNIT_EXPECT_EQ(test, counter(h, MHEAP_CNT_REGIONS_DIRECT), 0L);
	KUNIT_EXPECT_EQ(test, counter(h, MHEAP_CNT_GROW_FAILS), 0L);
	mheap_free_manual(h, s);
	expect_empty(test, h);
	mheap_destroy(h);
}

/*
 * "space" counts bytes: a vmap region's pages come one by one, so with
 * 100 pages' worth of budget 99 pages pass and the 100th fails.
 */
static void fault_grow_space(struct kunit *test)
{
	struct mheap *h = kunit_mheap(test, FAULT_HEAP, MHEAP_REGION_VMAP, 0);
	struct fault_attr *a = mheap_fault_attr(MHEAP_FAULT_GROW);

	fault_arm(MHEAP_FAULT_GROW, 1);
	atomic_set(&a->space, 100 * PAGE_SIZE);
	KUNIT_EXPECT_NULL(test, mheap_alloc_manual(h, 1, GFP_KERNEL));
	KUNIT_EXPECT_TRUE(test, fault_disarm(MHEAP_FAULT_GROW));
	KUNIT_EXPECT_EQ(test, atomic_read(&a->space), (int)PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, committed(h), 0UL);
	expect_empty(test, h);
	mheap_destroy(h);
}

/* Release needs a little metadata; without it, it gives nothing back. */
static void fault_release_metadata(struct kunit *test)
{
	struct mheap *h = kunit_mheap(test, FAULT_HEAP, MHEAP_REGION_VMAP, 0);
	unsigned long n, hits = 0;
	struct mheap_span *s;
	bool hit;

	for (n = 1; n < 16; n++) {
		s = mheap_alloc_manual(h, 1, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, s);
		mheap_free_manual(h, s);
		fault_arm(MHEAP_FAULT_METADATA, n);
		mheap_trim_all(h);
		hit = fault_disarm(MHEAP_FAULT_METADATA);
		if (!hit) {
			KUNIT_EXPECT_EQ(test, committed(h), 0UL);
			break;
		}
		hits++;
		KUNIT_EXPECT_EQ(test, committed(h), (unsigned long)MHEAP_CHUNK_PAGES);
		KUNIT_EXPECT_EQ(test, h->nregions, 1UL);
		/* Still whole: found by address, given back on the next try. */
		KUNIT_EXPECT_EQ(test, mheap_trim_all(h),
				(unsigned long)MHEAP_CHUNK_PAGES);
	}
	KUNIT_EXPECT_EQ(test, hits, 3UL);
	expect_empty(test, h);
	mheap_destroy(h);
}

/* === Everything at once ============================================== */

#define RANDOM_TIMES	1000000

/*
 * Every kind of site fails at random (probability 20) under a mixed
 * workload; each call succeeds or fails with NULL/-ENOMEM, and once
 * injection is off and everything is freed, nothing is left.
 */
static void fault_random_all(struct kunit *test)
{
	struct mheap *h = kunit_gc_heap(test, FAULT_HEAP);
	static const size_t sizes[] = { 8, 64, 500, 3000, 40000, 200000 };
	void **objs = kunit_kcalloc(test, 256, sizeof(*objs), GFP_KERNEL);
	struct mheap_span *spans[16] = {};
	unsigned long injected = 0;
	unsigned int i, k, nobj = 0;
	char line[32];
	int err;

	KUNIT_ASSERT_NOT_NULL(test, objs);
	for (k = 0; k < MHEAP_FAULT_COUNT; k++) {
		struct fault_attr *a = mheap_fault_attr(k);

		a->verbose = 0;
		a->task_filter = true;
		a->interval = 1;
		atomic_set(&a->space, 0);
		atomic_set(&a->times, RANDOM_TIMES);
		WRITE_ONCE(a->probability, 20);
	}
	current->make_it_fail = 1;
	for (i = 0; i < 256; i++) {
		void *p = mheap_alloc(h, sizes[i % ARRAY_SIZE(sizes)], GFP_KERNEL);

		if (p) {
			objs[nobj++] = p;
			err = mheap_pin(h, p);
			KUNIT_EXPECT_TRUE(test, !err || err == -ENOMEM);
			if (!err)
				KUNIT_EXPECT_EQ(test, mheap_unpin(h, p), 0);
			err = mheap_set_finalizer(h, p, no_finalizer, NULL);
			KUNIT_EXPECT_TRUE(test, !err || err == -ENOMEM);
		}
		if (i % 16 == 0) {
			unsigned int j = (i / 16) % ARRAY_SIZE(spans);

			mheap_free_manual(h, spans[j]);
			spans[j] = mheap_alloc_manual(h, 1 + i % 700,
						      i % 32 ? GFP_KERNEL :
							       GFP_ATOMIC);
			strscpy(line, "alloc size=1-5000 count=50", sizeof(line));
			err = mheap_control(h, line);
			KUNIT_EXPECT_TRUE(test, !err || err == -ENOMEM);
		}
		if (i % 64 == 63)
			mheap_trim_all(h);
	}
	current->make_it_fail = 0;
	for (k = 0; k < MHEAP_FAULT_COUNT; k++) {
		struct fault_attr *a = mheap_fault_attr(k);

		WRITE_ONCE(a->probability, 0);
		injected += RANDOM_TIMES - atomic_read(&a->times);
	}
	KUNIT_EXPECT_GT(test, injected, 0UL);
	for (i = 0; i < nobj; i++)
		mheap_free(h, objs[i]);
	for (i = 0; i < ARRAY_SIZE(spans); i++)
		mheap_free_manual(h, spans[i]);
	strscpy(line, "free all", sizeof(line));
	KUNIT_EXPECT_EQ(test, mheap_control(h, line), 0);
	KUNIT_EXPECT_EQ(test, counter(h, MHEAP_CNT_BAD_FREES), 0L);
	expect_empty(test, h);
	kunit_info(test, "%lu failures injected, %u objects allocated",
		   injected, nobj);
	mheap_destroy(h);
}

static struct kunit_case mheap_fault_cases[] = {
	KUNIT_CASE_PARAM_ATTR(fault_every_site, fault_case_gen_params,
			      { .speed = KUNIT_SPEED_SLOW }),
	KUNIT_CASE_SLOW(fault_create),
	KUNIT_CASE(fault_names_reserved),
	KUNIT_CASE(fault_grow_fallback),
	KUNIT_CASE(fault_grow_space),
	KUNIT_CASE(fault_release_metadata),
	KUNIT_CASE_SLOW(fault_random_all),
	{}
};

static struct kunit_suite mheap_fault_suite = {
	.name = "mheap_fault",
	.init = fault_test_init,
	.exit = fault_test_exit,
	.test_cases = mheap_fault_cases,
};

#else /* !CONFIG_FAULT_INJECTION */

static void fault_unavailable(struct kunit *test)
{
	kunit_skip(test, "the kernel has no CONFIG_FAULT_INJECTION");
}

static struct kunit_case mheap_fault_cases[] = {
	KUNIT_CASE(fault_unavailable),
	{}
};

static struct kunit_suite mheap_fault_suite = {
	.name = "mheap_fault",
	.test_cases = mheap_fault_cases,
};

#endif /* CONFIG_FAULT_INJECTION */

kunit_test_suites(&mheap_fault_suite);
