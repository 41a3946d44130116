// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite mheap_control: each command of mheap_control() does what
 * Documentation/ABI/testing/debugfs-mheap says, seen through the heap's
 * counters, and every malformed line fails with -EINVAL and leaves the
 * heap exactly as it was.
 */
#include <kunit/test.h>
#include <linux/fault-inject.h>
#include <linux/sched.h>
#include <linux/string.h>
#include "helpers.h"

#define CTL_HEAP	"kunit-ctl"

/* Run one command; mheap_control() cuts its line up, so copy it first. */
static int ctl(struct mheap *h, const char *cmd)
{
	char line[128];

	if (strscpy(line, cmd, sizeof(line)) < 0)
		return -E2BIG;
	return mheap_control(h, line);
}

static void destroy_heap(void *h)
{
	mheap_destroy(h);
}

/* A heap destroyed when the case ends, however it ends. */
static struct mheap *ctl_heap(struct kunit *test, unsigned long limit)
{
	struct mheap *h = kunit_mheap(test, CTL_HEAP, MHEAP_REGION_AUTO, limit);

	mheap_bgsweep_set(h, false);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, destroy_heap, h), 0);
	return h;
}

static long small_in_use(struct mheap *h)
{
	unsigned long allocs, frees;

	mheap_class_counts(h, 0, &allocs, &frees);
	return allocs - frees;
}

static long large_in_use(struct mheap *h)
{
	return counter(h, MHEAP_CNT_LARGE_ALLOCS) -
	       counter(h, MHEAP_CNT_LARGE_FREES);
}

static long pages_in_use(struct mheap *h)
{
	return atomic_long_read(&h->pages_in_use);
}

static unsigned long pool_spans(struct mheap *h)
{
	return h->control.pool.count;
}

/* What any command could change. */
struct ctl_snap {
	long pages_in_use;
	long spans_live;
	long small;
	long large;
	long specials;
	unsigned long committed;
	unsigned long released;
	unsigned long nobjs;
	unsigned long pool;
	unsigned long limit;
	unsigned long cycles;
	unsigned long reclaim_calls;
	u32 sweepgen;
	int bg_state;
	bool scav_on;
};

static void ctl_snap(struct mheap *h, struct ctl_snap *s)
{
	s->pages_in_use = pages_in_use(h);
	s->spans_live = atomic_long_read(&h->spans_live);
	s->small = small_in_use(h);
	s->large = large_in_use(h);
	s->specials = atomic_long_read(&h->gc.specials);
	s->committed = committed(h);
	s->released = counter(h, MHEAP_CNT_PAGES_RELEASED);
	s->nobjs = h->control.nobjs;
	s->pool = pool_spans(h);
	s->limit = READ_ONCE(h->limit_pages);
	s->cycles = READ_ONCE(h->gc.cycles);
	s->reclaim_calls = reclaim_stat(h, MHEAP_RECLAIM_CALLS);
	s->sweepgen = READ_ONCE(h->gc.sweepgen);
	s->bg_state = READ_ONCE(h->gc.bg_state);
	s->scav_on = READ_ONCE(h->scav_on);
}

static void expect_same(struct kunit *test, const char *what, long long a,
			long long b, const char *line)
{
	KUNIT_EXPECT_EQ_MSG(test, a, b, "%s after '%s'", what, line);
}

static void expect_unchanged(struct kunit *test, const struct ctl_snap *a,
			     const struct ctl_snap *b, const char *line)
{
	expect_same(test, "pages_in_use", a->pages_in_use, b->pages_in_use, line);
	expect_same(test, "spans_live", a->spans_live, b->spans_live, line);
	expect_same(test, "small objects", a->small, b->small, line);
	expect_same(test, "large objects", a->large, b->large, line);
	expect_same(test, "specials", a->specials, b->specials, line);
	expect_same(test, "committed", a->committed, b->committed, line);
	expect_same(test, "released", a->released, b->released, line);
	expect_same(test, "nobjs", a->nobjs, b->nobjs, line);
	expect_same(test, "pool", a->pool, b->pool, line);
	expect_same(test, "limit", a->limit, b->limit, line);
	expect_same(test, "cycles", a->cycles, b->cycles, line);
	expect_same(test, "reclaim_calls", a->reclaim_calls, b->reclaim_calls,
		    line);
	expect_same(test, "sweepgen", a->sweepgen, b->sweepgen, line);
	expect_same(test, "bg_state", a->bg_state, b->bg_state, line);
	expect_same(test, "scav_on", a->scav_on, b->scav_on, line);
}

/* === Commands that allocate and free ================================= */

static void control_alloc_pages(struct kunit *test)
{
	struct mheap *h = ctl_heap(test, 0);
	long spans = counter(h, MHEAP_CNT_SPANS_ALLOCATED);

	KUNIT_EXPECT_EQ(test, ctl(h, "alloc pages=3"), 0);
	KUNIT_EXPECT_EQ(test, pages_in_use(h), 3L);
	KUNIT_EXPECT_EQ(test, pool_spans(h), 1UL);
	KUNIT_EXPECT_EQ(test, counter(h, MHEAP_CNT_SPANS_ALLOCATED), spans + 1);

	/* count=C, separated by a tab; 1e1 is 10. */
	KUNIT_EXPECT_EQ(test, ctl(h, "alloc pages=2\tcount=4"), 0);
	KUNIT_EXPECT_EQ(test, pages_in_use(h), 11L);
	KUNIT_EXPECT_EQ(test, ctl(h, "  alloc  pages=1e1  "), 0);
	KUNIT_EXPECT_EQ(test, pages_in_use(h), 21L);
	KUNIT_EXPECT_EQ(test, pool_spans(h), 6UL);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&h->spans_live), 6L);
	/* More than a chunk: a span over a region of its own. */
	KUNIT_EXPECT_EQ(test, ctl(h, "alloc pages=600"), 0);
	KUNIT_EXPECT_EQ(test, pages_in_use(h), 621L);
	KUNIT_EXPECT_EQ(test, counter(h, MHEAP_CNT_SPANS_ALLOCATED), spans + 7);

	KUNIT_EXPECT_EQ(test, ctl(h, "free all"), 0);
	KUNIT_EXPECT_EQ(test, pages_in_use(h), 0L);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&h->spans_live), 0L);
	KUNIT_EXPECT_EQ(test, pool_spans(h), 0UL);
	KUNIT_EXPECT_EQ(test, counter(h, MHEAP_CNT_SPANS_FREED), spans + 7);
	/* Nothing left to free: still fine. */
	KUNIT_EXPECT_EQ(test, ctl(h, "free all"), 0);
}

static void control_alloc_objects(struct kunit *test)
{
	struct mheap *h = ctl_heap(test, 0);
	unsigned long i;

	KUNIT_EXPECT_EQ(test, ctl(h, "alloc size=64 count=100"), 0);
	KUNIT_EXPECT_EQ(test, h->control.nobjs, 100UL);
	KUNIT_EXPECT_EQ(test, small_in_use(h), 100L);
	for (i = 0; i < h->control.nobjs; i++)
		KUNIT_EXPECT_EQ(test, mheap_ksize(h, h->control.objs[i]),
				(size_t)64);

	/* A range: every size drawn from it, each in its own class. */
	KUNIT_EXPECT_EQ(test, ctl(h, "alloc size=1-4000 count=50"), 0);
	KUNIT_EXPECT_EQ(test, h->control.nobjs, 150UL);
	KUNIT_EXPECT_EQ(test, small_in_use(h), 150L);
	for (i = 100; i < h->control.nobjs; i++) {
		size_t n = mheap_ksize(h, h->control.objs[i]);

		KUNIT_EXPECT_GE(test, n, (size_t)8);
		KUNIT_EXPECT_LE(test, n, (size_t)4096);
	}
	/* One size as a range of one. */
	KUNIT_EXPECT_EQ(test, ctl(h, "alloc size=24-24"), 0);
	KUNIT_EXPECT_EQ(test, mheap_ksize(h, h->control.objs[150]), (size_t)24);

	/* Large objects, up to the 1 MiB bound, in decimal and 1eN form. */
	KUNIT_EXPECT_EQ(test, ctl(h, "alloc size=100000 count=2"), 0);
	KUNIT_EXPECT_EQ(test, ctl(h, "alloc size=1048576"), 0);
	KUNIT_EXPECT_EQ(test, ctl(h, "alloc size=1e6"), 0);
	KUNIT_EXPECT_EQ(test, large_in_use(h), 4L);
	KUNIT_EXPECT_EQ(test, h->control.nobjs, 155UL);
	KUNIT_EXPECT_GE(test, mheap_ksize(h, h->control.objs[153]),
			(size_t)1048576);

	KUNIT_EXPECT_EQ(test, ctl(h, "free all"), 0);
	KUNIT_EXPECT_EQ(test, h->control.nobjs, 0UL);
	KUNIT_EXPECT_EQ(test, small_in_use(h), 0L);
	KUNIT_EXPECT_EQ(test, large_in_use(h), 0L);
	/* The magazines and mcentral's spares are emptied too. */
	KUNIT_EXPECT_EQ(test, pages_in_use(h), 0L);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&h->spans_live), 0L);
}

/* === Collection cycles =============================================== */

#define GC_OBJS	200

static void control_gc_all(struct kunit *test)
{
	struct mheap *h = ctl_heap(test, 0);
	long freed;

	KUNIT_ASSERT_EQ(test, ctl(h, "alloc size=64 count=200"), 0);
	freed = atomic_long_read(&h->gc.objects_freed);
	KUNIT_EXPECT_EQ(test, ctl(h, "gc"), 0);
	KUNIT_EXPECT_EQ(test, READ_ONCE(h->gc.cycles), 1UL);
	KUNIT_EXPECT_EQ(test, ctl(h, "sweep"), 0);
	KUNIT_EXPECT_TRUE(test, mheap_sweep_done(h));
	/* Every object of the pool was marked: all of them survive. */
	KUNIT_EXPECT_EQ(test, h->control.nobjs, (unsigned long)GC_OBJS);
	KUNIT_EXPECT_EQ(test, small_in_use(h), (long)GC_OBJS);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&h->gc.objects_freed), freed);
	KUNIT_EXPECT_EQ(test, ctl(h, "gc keep=100%"), 0);
	KUNIT_EXPECT_EQ(test, ctl(h, "sweep"), 0);
	KUNIT_EXPECT_EQ(test, READ_ONCE(h->gc.cycles), 2UL);
	KUNIT_EXPECT_EQ(test, small_in_use(h), (long)GC_OBJS);
}

struct keep_case {
	const char *line;
	unsigned long kept;	/* of GC_OBJS */
};

static const struct keep_case keep_cases[] = {
	{ "gc keep=0%", 0 },
	{ "gc keep=1%", 2 },
	{ "gc keep=25%", 50 },
	{ "gc keep=50%", 100 },
	{ "gc keep=099%", 198 },
};

static void keep_desc(const struct keep_case *c, char *desc)
{
	strscpy(desc, c->line, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(keep, keep_cases, keep_desc);

/* Unmarked objects leave the pool; sweeping frees exactly those. */
static void control_gc_keep(struct kunit *test)
{
	const struct keep_case *c = test->param_value;
	struct mheap *h = ctl_heap(test, 0);
	unsigned long i;
	long freed;

	KUNIT_ASSERT_EQ(test, ctl(h, "alloc size=64 count=200"), 0);
	freed = atomic_long_read(&h->gc.objects_freed);
	KUNIT_EXPECT_EQ(test, ctl(h, c->line), 0);
	KUNIT_EXPECT_EQ(test, h->control.nobjs, c->kept);
	KUNIT_EXPECT_EQ(test, ctl(h, "sweep"), 0);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&h->gc.objects_freed) - freed,
			(long)(GC_OBJS - c->kept));
	KUNIT_EXPECT_EQ(test, small_in_use(h), (long)c->kept);
	/* The pool holds only live objects. */
	for (i = 0; i < h->control.nobjs; i++)
		KUNIT_EXPECT_EQ(test, mheap_ksize(h, h->control.objs[i]),
				(size_t)64);
	KUNIT_EXPECT_EQ(test, ctl(h, "free all"), 0);
	KUNIT_EXPECT_EQ(test, small_in_use(h), 0L);
	KUNIT_EXPECT_EQ(test, counter(h, MHEAP_CNT_BAD_FREES), 0L);
}

/* Objects of the heap outside the pool are not marked by "gc": they die. */
static void control_gc_outside_pool(struct kunit *test)
{
	struct mheap *h = ctl_heap(test, 0);
	void *p = mheap_alloc(h, 64, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, p);
	KUNIT_ASSERT_EQ(test, ctl(h, "alloc size=64 count=10"), 0);
	KUNIT_EXPECT_EQ(test, ctl(h, "gc"), 0);
	KUNIT_EXPECT_EQ(test, ctl(h, "sweep"), 0);
	KUNIT_EXPECT_EQ(test, small_in_use(h), 10L);
	KUNIT_EXPECT_EQ(test, mheap_ksize(h, p), (size_t)0);
}

/* The reclaimer frees the spans a cycle left dead, before any sweep. */
static void control_reclaim(struct kunit *test)
{
	struct mheap *h = ctl_heap(test, 0);
	long calls, pages;

	KUNIT_ASSERT_EQ(test, ctl(h, "alloc size=64 count=2000"), 0);
	KUNIT_EXPECT_EQ(test, ctl(h, "gc keep=0%"), 0);
	calls = reclaim_stat(h, MHEAP_RECLAIM_CALLS);
	pages = pages_in_use(h);
	KUNIT_EXPECT_EQ(test, ctl(h, "reclaim pages=1"), 0);
	KUNIT_EXPECT_EQ(test, reclaim_stat(h, MHEAP_RECLAIM_CALLS), calls + 1);
	KUNIT_EXPECT_GE(test, reclaim_stat(h, MHEAP_RECLAIM_PAGES), 1L);
	KUNIT_EXPECT_LT(test, pages_in_use(h), pages);
	KUNIT_EXPECT_EQ(test, ctl(h, "reclaim pages=1e3"), 0);
	KUNIT_EXPECT_EQ(test, ctl(h, "sweep"), 0);
	KUNIT_EXPECT_EQ(test, small_in_use(h), 0L);
}

/* === Giving memory back ============================================== */

static void control_release(struct kunit *test)
{
	struct mheap *h = ctl_heap(test, 0);
	unsigned long released = counter(h, MHEAP_CNT_PAGES_RELEASED);

	KUNIT_ASSERT_EQ(test, ctl(h, "alloc pages=1"), 0);
	KUNIT_ASSERT_EQ(test, ctl(h, "alloc pages=600"), 0);
	KUNIT_ASSERT_EQ(test, ctl(h, "alloc size=64 count=100"), 0);
	KUNIT_EXPECT_EQ(test, ctl(h, "release"), 0);
	/* Every region has pages in use: nothing goes. */
	KUNIT_EXPECT_EQ(test, counter(h, MHEAP_CNT_PAGES_RELEASED), released);
	KUNIT_EXPECT_GT(test, committed(h), 0UL);

	KUNIT_EXPECT_EQ(test, ctl(h, "free all"), 0);
	/* Freed, but still mapped until asked. */
	KUNIT_EXPECT_GT(test, committed(h), 0UL);
	KUNIT_EXPECT_EQ(test, ctl(h, "release"), 0);
	KUNIT_EXPECT_EQ(test, committed(h), 0UL);
	KUNIT_EXPECT_EQ(test, h->nregions, 0UL);
	KUNIT_EXPECT_GT(test, counter(h, MHEAP_CNT_PAGES_RELEASED), released);
}

static void control_scavenge(struct kunit *test)
{
	struct mheap *h = ctl_heap(test, 0);
	unsigned long before, released;

	/* Two regions of two chunks each. */
	KUNIT_ASSERT_EQ(test, ctl(h, "alloc pages=600 count=2"), 0);
	KUNIT_ASSERT_EQ(test, h->nregions, 2UL);
	KUNIT_ASSERT_EQ(test, ctl(h, "free all"), 0);
	before = committed(h);
	released = counter(h, MHEAP_CNT_PAGES_RELEASED);
	KUNIT_ASSERT_EQ(test, before, 4UL * MHEAP_CHUNK_PAGES);

	/* One byte: one whole region goes, not all of them. */
	KUNIT_EXPECT_EQ(test, ctl(h, "scavenge bytes=1"), 0);
	KUNIT_EXPECT_EQ(test, committed(h), 2UL * MHEAP_CHUNK_PAGES);
	KUNIT_EXPECT_EQ(test, h->nregions, 1UL);
	KUNIT_EXPECT_EQ(test, counter(h, MHEAP_CNT_PAGES_RELEASED) - released,
			before - committed(h));
	KUNIT_EXPECT_EQ(test, ctl(h, "scavenge bytes=1e12"), 0);
	KUNIT_EXPECT_EQ(test, committed(h), 0UL);
	KUNIT_EXPECT_EQ(test, counter(h, MHEAP_CNT_PAGES_RELEASED) - released,
			before);
}

static void control_limit(struct kunit *test)
{
	struct mheap *h = ctl_heap(test, 0);

	KUNIT_EXPECT_EQ(test, ctl(h, "limit bytes=4097"), 0);
	KUNIT_EXPECT_EQ(test, READ_ONCE(h->limit_pages), 2UL);
	KUNIT_EXPECT_EQ(test, ctl(h, "limit bytes=1e6"), 0);
	KUNIT_EXPECT_EQ(test, READ_ONCE(h->limit_pages),
			DIV_ROUND_UP(1000000UL, PAGE_SIZE));
	KUNIT_EXPECT_EQ(test, ctl(h, "limit bytes=0"), 0);
	KUNIT_EXPECT_EQ(test, READ_ONCE(h->limit_pages), 0UL);

	/* A limit of one chunk, set by the command, holds. */
	KUNIT_EXPECT_EQ(test, ctl(h, "limit bytes=2097152"), 0);
	KUNIT_EXPECT_EQ(test, ctl(h, "alloc pages=600"), -ENOMEM);
	KUNIT_EXPECT_EQ(test, pages_in_use(h), 0L);
	KUNIT_EXPECT_GE(test, counter(h, MHEAP_CNT_LIMIT_FAILS), 1L);
	KUNIT_EXPECT_EQ(test, ctl(h, "limit bytes=0"), 0);
	KUNIT_EXPECT_EQ(test, ctl(h, "alloc pages=600"), 0);
	KUNIT_EXPECT_EQ(test, pages_in_use(h), 600L);
}

/*
 * Over the heap's limit an allocation fails with -ENOMEM part way, and
 * what the command had allocated is freed again: all or nothing.
 */
static void control_enomem(struct kunit *test)
{
	struct mheap *h = ctl_heap(test, MHEAP_CHUNK_BYTES);
	struct ctl_snap a, b;

	KUNIT_ASSERT_EQ(test, ctl(h, "alloc pages=100 count=2"), 0);
	KUNIT_ASSERT_EQ(test, ctl(h, "alloc size=64 count=10"), 0);
	ctl_snap(h, &a);
	/* Three more spans fit in the chunk, the fourth does not. */
	KUNIT_EXPECT_EQ(test, ctl(h, "alloc pages=100 count=10"), -ENOMEM);
	ctl_snap(h, &b);
	expect_unchanged(test, &a, &b, "alloc pages=100 count=10");
	KUNIT_EXPECT_GE(test, counter(h, MHEAP_CNT_LIMIT_FAILS), 1L);

	/* Large objects likewise. */
	KUNIT_EXPECT_EQ(test, ctl(h, "alloc size=200000 count=20"), -ENOMEM);
	KUNIT_EXPECT_EQ(test, h->control.nobjs, 10UL);
	KUNIT_EXPECT_EQ(test, large_in_use(h), 0L);
	KUNIT_EXPECT_EQ(test, pool_spans(h), 2UL);

	/* What fits still works. */
	KUNIT_EXPECT_EQ(test, ctl(h, "alloc pages=100 count=2"), 0);
	KUNIT_EXPECT_EQ(test, pool_spans(h), 4UL);
	KUNIT_EXPECT_EQ(test, ctl(h, "free all"), 0);
	KUNIT_EXPECT_EQ(test, pages_in_use(h), 0L);
}

/* === Switches ======================================================== */

static void control_switches(struct kunit *test)
{
	struct mheap *h = ctl_heap(test, 0);

	KUNIT_EXPECT_EQ(test, ctl(h, "scavenger on"), 0);
	KUNIT_EXPECT_TRUE(test, READ_ONCE(h->scav_on));
	KUNIT_EXPECT_EQ(test, ctl(h, "scavenger off"), 0);
	KUNIT_EXPECT_FALSE(test, READ_ONCE(h->scav_on));

	KUNIT_EXPECT_EQ(test, READ_ONCE(h->gc.bg_state), MHEAP_BGSWEEP_OFF);
	KUNIT_EXPECT_EQ(test, ctl(h, "sweeper on"), 0);
	KUNIT_EXPECT_NE(test, READ_ONCE(h->gc.bg_state), MHEAP_BGSWEEP_OFF);
	KUNIT_EXPECT_EQ(test, ctl(h, "sweeper off"), 0);
	KUNIT_EXPECT_EQ(test, READ_ONCE(h->gc.bg_state), MHEAP_BGSWEEP_OFF);
}

/* === pin ============================================================= */

static void control_pin(struct kunit *test)
{
	struct mheap *h = ctl_heap(test, 0);

	/* An empty pool: nothing to pin. */
	KUNIT_EXPECT_EQ(test, ctl(h, "pin count=1"), 0);
	KUNIT_ASSERT_EQ(test, ctl(h, "alloc size=64 count=10"), 0);
	KUNIT_EXPECT_EQ(test, ctl(h, "pin count=5"), 0);
	/* More than the pool holds: all of them. */
	KUNIT_EXPECT_EQ(test, ctl(h, "pin count=1000"), 0);
	/* Nothing stays pinned: a cycle keeping none frees them all. */
	KUNIT_EXPECT_EQ(test, atomic_long_read(&h->gc.specials), 0L);
	KUNIT_EXPECT_EQ(test, h->control.nobjs, 10UL);
	KUNIT_EXPECT_EQ(test, ctl(h, "gc keep=0%"), 0);
	KUNIT_EXPECT_EQ(test, ctl(h, "sweep"), 0);
	KUNIT_EXPECT_EQ(test, small_in_use(h), 0L);
}

#ifdef CONFIG_FAULT_INJECTION
/*
 * "pin" goes through mheap_pin()'s allocation of a special: failing it,
 * in this thread only, fails the command with mheap_pin()'s -ENOMEM.
 */
static void control_pin_enomem(struct kunit *test)
{
	struct fault_attr *a = mheap_fault_attr(MHEAP_FAULT_SPECIAL);
	struct mheap *h = ctl_heap(test, 0);
	unsigned long probability = a->probability, interval = a->interval;
	unsigned long verbose = a->verbose;
	int times = atomic_read(&a->times), space = atomic_read(&a->space);
	bool task_filter = a->task_filter;
	int err;

	KUNIT_ASSERT_EQ(test, ctl(h, "alloc size=64 count=10"), 0);
	a->verbose = 0;
	a->task_filter = true;
	atomic_set(&a->space, 0);
	a->interval = 3;
	a->count = 0;
	atomic_set(&a->times, 1);
	current->make_it_fail = 1;
	WRITE_ONCE(a->probability, 100);
	err = ctl(h, "pin count=10");
	WRITE_ONCE(a->probability, 0);
	current->make_it_fail = 0;
	KUNIT_EXPECT_EQ(test, atomic_read(&a->times), 0);
	a->verbose = verbose;
	a->task_filter = task_filter;
	a->interval = interval;
	atomic_set(&a->space, space);
	atomic_set(&a->times, times);
	WRITE_ONCE(a->probability, probability);

	KUNIT_EXPECT_EQ(test, err, -ENOMEM);
	KUNIT_EXPECT_EQ(test, atomic_long_read(&h->gc.specials), 0L);
	KUNIT_EXPECT_EQ(test, h->control.nobjs, 10UL);
	KUNIT_EXPECT_EQ(test, ctl(h, "pin count=10"), 0);
}
#endif

/* === Malformed lines ================================================= */

static const char * const bad_lines[] = {
	"", " ", "\t \t", "bogus", "ALLOC pages=1", "alloc=1",
	/* alloc pages= */
	"alloc", "alloc pages", "alloc pages=", "alloc pages=0",
	"alloc pages=x", "alloc pages=1x", "alloc pages=0x10", "alloc pages=-1",
	"alloc pages=1.5", "alloc pages= 1", "alloc pages =1", "alloc Pages=1",
	"alloc pages=99999999999999999999", "alloc pages=18446744073709551616",
	"alloc pages=1e20", "alloc pages=1e19", "alloc pages=1e7",
	"alloc pages=e5", "alloc pages=1e", "alloc pages=1ee1", "alloc pages=0e5",
	"alloc pages=1e-1", "alloc pages=1e1e1",
	"alloc pages=123456789012345678901234e0",
	/* count= */
	"alloc pages=1 count", "alloc pages=1 count=", "alloc pages=1 count=0",
	"alloc pages=1 count=1000001", "alloc pages=1 count=1e7",
	"alloc pages=1 cnt=2", "alloc pages=1 count=1 x",
	"alloc pages=1 count=1 count=1", "alloc count=1 pages=1",
	/* alloc size= */
	"alloc size=", "alloc size=0", "alloc size=1048577", "alloc size=2e6",
	"alloc size=5-3", "alloc size=-5", "alloc size=5-", "alloc size=-",
	"alloc size=1-2-3", "alloc size=0-5", "alloc size=1-1048577",
	"alloc size=64 count=0", "alloc size=64 count=2e6", "alloc bytes=64",
	"alloc size=1111111111111111111111111111111111111111111111111",
	/* the other commands */
	"free", "free some", "free all now", "free  all all",
	"release now",
	"scavenge", "scavenge bytes=", "scavenge bytes=0", "scavenge pages=1",
	"scavenge bytes=99999999999999999999", "scavenge bytes=1 bytes=1",
	"limit", "limit bytes=", "limit bytes=-1", "limit bytes=1e19",
	"limit bytes=0 x", "limit pages=1",
	"scavenger", "scavenger maybe", "scavenger on off", "scavenger ON",
	"gc all", "gc keep=", "gc keep=101%", "gc keep=1000%",
	"gc keep=99999999999999999999%", "gc keep=50", "gc keep=%",
	"gc keep=-1%", "gc keep=+5%", "gc keep=50%%", "gc keep=5 0%",
	"gc keep=50% now", "gc keep=50%\n", "gc keep=50.5%",
	"sweep now",
	"reclaim", "reclaim pages=", "reclaim pages=0", "reclaim pages=1e7",
	"reclaim count=1",
	"pin", "pin 5", "pin count=", "pin count=0", "pin count=1000001",
	"sweeper", "sweeper 1", "sweeper on now",
	/* Digits only: no sign, no newline, in every number of every form. */
	"alloc pages=+1", "alloc pages=1\n", "alloc pages=1e+1",
	"alloc pages=+1e1", "alloc pages=1e1\n", "alloc pages=1 count=+2",
	"alloc pages=1 count=2\n", "alloc size=+64", "alloc size=1-+2",
	"alloc size=+1-2", "alloc size=1-2\n", "scavenge bytes=+4096",
	"limit bytes=+4096", "limit bytes=4096\n", "limit bytes=0\n",
	"reclaim pages=+1", "pin count=+1", "pin count=1\n",
};

/* The line, with tabs and newlines spelled out for the KTAP output. */
static void bad_line_desc(const char * const *line, char *desc)
{
	const char *s = *line;
	size_t n = 0;

	n += scnprintf(desc + n, KUNIT_PARAM_DESC_SIZE - n, "'");
	for (; *s && n < KUNIT_PARAM_DESC_SIZE - 4; s++) {
		if (*s == '\t')
			n += scnprintf(desc + n, KUNIT_PARAM_DESC_SIZE - n, "\\t");
		else if (*s == '\n')
			n += scnprintf(desc + n, KUNIT_PARAM_DESC_SIZE - n, "\\n");
		else
			desc[n++] = *s;
	}
	scnprintf(desc + n, KUNIT_PARAM_DESC_SIZE - n, "'");
}

KUNIT_ARRAY_PARAM(bad_line, bad_lines, bad_line_desc);

/* Every malformed line: -EINVAL, and nothing about the heap moved. */
static void control_bad_line(struct kunit *test)
{
	const char *line = *(const char * const *)test->param_value;
	struct mheap *h = ctl_heap(test, 0);
	struct ctl_snap a, b;

	/* Something in the pool and a limit, for a command to disturb. */
	KUNIT_ASSERT_EQ(test, ctl(h, "alloc pages=2"), 0);
	KUNIT_ASSERT_EQ(test, ctl(h, "alloc size=64 count=10"), 0);
	KUNIT_ASSERT_EQ(test, ctl(h, "limit bytes=1e9"), 0);
	ctl_snap(h, &a);
	KUNIT_EXPECT_EQ(test, ctl(h, line), -EINVAL);
	ctl_snap(h, &b);
	expect_unchanged(test, &a, &b, line);
}

static struct kunit_case mheap_control_cases[] = {
	KUNIT_CASE(control_alloc_pages),
	KUNIT_CASE(control_alloc_objects),
	KUNIT_CASE(control_gc_all),
	KUNIT_CASE_PARAM(control_gc_keep, keep_gen_params),
	KUNIT_CASE(control_gc_outside_pool),
	KUNIT_CASE(control_reclaim),
	KUNIT_CASE(control_release),
	KUNIT_CASE(control_scavenge),
	KUNIT_CASE(control_limit),
	KUNIT_CASE(control_enomem),
	KUNIT_CASE(control_switches),
	KUNIT_CASE(control_pin),
#ifdef CONFIG_FAULT_INJECTION
	KUNIT_CASE(control_pin_enomem),
#endif
	KUNIT_CASE_PARAM(control_bad_line, bad_line_gen_params),
	{}
};

static struct kunit_suite mheap_control_suite = {
	.name = "mheap_control",
	.test_cases = mheap_control_cases,
};

kunit_test_suites(&mheap_control_suite);
