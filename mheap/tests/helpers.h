/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the mheap KUnit suites.
 */
#ifndef _MHEAP_KUNIT_HELPERS_H
#define _MHEAP_KUNIT_HELPERS_H

#include <kunit/test.h>
#include <linux/err.h>
#include "internal.h"

/*
 * A heap for one test case, with its background scavenger stopped so the
 * test decides when memory goes back.  Asserts it could be created.
 */
static inline struct mheap *kunit_mheap_flags(struct kunit *test,
					      const char *name,
					      unsigned int kind,
					      unsigned long limit,
					      unsigned int flags)
{
	struct mheap_params params = {
		.region_kind = kind, .mem_limit = limit, .flags = flags,
	};
	struct mheap *h = mheap_create(name, &params);

	KUNIT_ASSERT_FALSE(test, IS_ERR(h));
	mheap_scavenger_set(h, false);
	return h;
}

static inline struct mheap *kunit_mheap(struct kunit *test, const char *name,
					unsigned int kind, unsigned long limit)
{
	return kunit_mheap_flags(test, name, kind, limit, 0);
}

/* Likewise, with the background sweeper stopped too: the test sweeps. */
static inline struct mheap *kunit_gc_heap_flags(struct kunit *test,
						const char *name,
						unsigned int flags)
{
	struct mheap *h = kunit_mheap_flags(test, name, MHEAP_REGION_AUTO, 0,
					    flags);

	mheap_bgsweep_set(h, false);
	return h;
}

static inline struct mheap *kunit_gc_heap(struct kunit *test, const char *name)
{
	return kunit_gc_heap_flags(test, name, 0);
}

static inline long counter(struct mheap *h, enum mheap_counter c)
{
	return mheap_events_read(h, c);
}

static inline long reclaim_stat(struct mheap *h, enum mheap_reclaim_stat i)
{
	return mheap_reclaim_stat_read(&h->gc, i);
}

static inline long fin_stat(struct mheap *h, enum mheap_fin_stat i)
{
	return mheap_fin_stat_read(&h->gc, i);
}

/* Pages of mapped regions. */
static inline unsigned long committed(struct mheap *h)
{
	unsigned long flags, n;

	spin_lock_irqsave(&h->lock, flags);
	n = h->pages.pages_present;
	spin_unlock_irqrestore(&h->lock, flags);
	return n;
}

/* An object the tests keep: where, how big, what it must still hold. */
struct obj {
	u8 *p;
	size_t size;
	u8 fill;
	bool mark;
};

static inline void fill_obj(struct obj *o, u8 fill)
{
	o->fill = fill;
	memset(o->p, fill, o->size);
}

static inline bool obj_intact(const struct obj *o)
{
	return !memchr_inv(o->p, o->fill, o->size);
}

#endif /* _MHEAP_KUNIT_HELPERS_H */
