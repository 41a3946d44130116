// SPDX-License-Identifier: GPL-2.0
/*
 * The scavenger: giving free memory back to the kernel (Go's
 * mgcscavenge.go, within what a module can unmap).
 *
 * A module cannot unmap single kernel pages, so memory goes back a whole
 * free region at a time (mheap_trim()).  Three things drive it:
 *
 *  - a background worker per heap keeps the memory that is mapped but not
 *    in use near a goal, Go's retainExtraPercent: 10% of what is in use
 *    (at least one chunk), releasing one region per run and giving the CPU
 *    back between runs;
 *  - a soft memory limit, checked when the heap grows (arena.c: the
 *    allocation first releases free regions itself, Go's scavenge assist);
 *  - a shrinker, so the kernel can take an idle heap's free memory back
 *    under pressure.
 */
#define pr_fmt(fmt) "mheap: " fmt

#include <linux/workqueue.h>
#include <kunit/visibility.h>
#include "internal.h"

/* Go's retainExtraPercent. */
#define MHEAP_RETAIN_EXTRA_PERCENT	10
/* Pause between background runs while there is work, and when idle. */
#define SCAV_BUSY_DELAY		msecs_to_jiffies(10)
#define SCAV_IDLE_DELAY		msecs_to_jiffies(1000)

const char *const mheap_release_src_names[] = {
	[MHEAP_SRC_BACKGROUND]	= "background",
	[MHEAP_SRC_ASSIST]	= "assist",
	[MHEAP_SRC_SHRINKER]	= "shrinker",
	[MHEAP_SRC_EXPLICIT]	= "explicit",
};

static_assert(ARRAY_SIZE(mheap_release_src_names) == MHEAP_SRC_COUNT);

/**
 * mheap_retain_goal() - free pages the background scavenger leaves mapped
 * @h: heap
 *
 * Return: 10% of the pages in use, at least one chunk.
 */
unsigned long mheap_retain_goal(struct mheap *h)
{
	unsigned long in_use = atomic_long_read(&h->pages_in_use);

	return max_t(unsigned long, MHEAP_CHUNK_PAGES,
		     in_use * MHEAP_RETAIN_EXTRA_PERCENT / 100);
}
EXPORT_SYMBOL_IF_KUNIT(mheap_retain_goal);

static void scav_work_fn(struct work_struct *work)
{
	struct mheap *h = container_of(to_delayed_work(work), struct mheap,
				       scav_work);
	/* Written under mheap.lock; a moment old only delays the work. */
	unsigned long committed = data_race(READ_ONCE(h->pages.pages_present));
	unsigned long in_use = atomic_long_read(&h->pages_in_use);
	unsigned long goal = mheap_retain_goal(h), released = 0;

	if (!READ_ONCE(h->scav_on))
		return;
	/* One region per run: small quanta, the CPU goes back in between. */
	if (committed > in_use + goal)
		released = mheap_trim(h, 1, MHEAP_SRC_BACKGROUND,
				      MHEAP_TRIM_TRY);
	queue_delayed_work(system_unbound_wq, &h->scav_work,
			   released ? SCAV_BUSY_DELAY : SCAV_IDLE_DELAY);
}

/**
 * mheap_scavenger_kick() - run the background scavenger soon
 * @h: heap
 */
void mheap_scavenger_kick(struct mheap *h)
{
	if (READ_ONCE(h->scav_on))
		mod_delayed_work(system_unbound_wq, &h->scav_work, 0);
}
EXPORT_SYMBOL_IF_KUNIT(mheap_scavenger_kick);

/**
 * mheap_scavenger_set() - start or stop the background scavenger
 * @h: heap
 * @on: whether it runs
 */
void mheap_scavenger_set(struct mheap *h, bool on)
{
	WRITE_ONCE(h->scav_on, on);
	if (on)
		mod_delayed_work(system_unbound_wq, &h->scav_work, 0);
	else
		cancel_delayed_work_sync(&h->scav_work);
}
EXPORT_SYMBOL_IF_KUNIT(mheap_scavenger_set);

static unsigned long mheap_shrink_count(struct shrinker *shrink,
					struct shrink_control *sc)
{
	struct mheap *h = mheap_shrinker_private(shrink);
	unsigned long n = mheap_releasable_pages(h);

	return n ? n : SHRINK_EMPTY;
}

static unsigned long mheap_shrink_scan(struct shrinker *shrink,
				       struct shrink_control *sc)
{
	struct mheap *h = mheap_shrinker_private(shrink);
	unsigned long freed;

	/* Unmapping sleeps and takes locks an fs or io path may hold. */
	if (!(sc->gfp_mask & __GFP_DIRECT_RECLAIM) ||
	    (sc->gfp_mask & (__GFP_FS | __GFP_IO)) != (__GFP_FS | __GFP_IO))
		return SHRINK_STOP;
	freed = mheap_trim(h, sc->nr_to_scan, MHEAP_SRC_SHRINKER,
			   MHEAP_TRIM_TRY);
	return freed ? freed : SHRINK_STOP;
}

/**
 * mheap_scavenger_init() - background scavenger and shrinker of a heap
 * @h: heap with a name and params
 *
 * Return: 0 or -ENOMEM; nothing left behind on failure.
 */
int mheap_scavenger_init(struct mheap *h)
{
	INIT_DELAYED_WORK(&h->scav_work, scav_work_fn);
	h->limit_pages = DIV_ROUND_UP(h->params.mem_limit, PAGE_SIZE);
	if (mheap_should_fail(MHEAP_FAULT_METADATA, sizeof(*h->shrinker)))
		return -ENOMEM;
	h->shrinker = mheap_shrinker_create(h->name, mheap_shrink_count,
					    mheap_shrink_scan, h);
	if (!h->shrinker)
		return -ENOMEM;
	mheap_scavenger_set(h, true);
	return 0;
}

/**
 * mheap_scavenger_destroy() - stop the background scavenger and shrinker
 * @h: heap
 */
void mheap_scavenger_destroy(struct mheap *h)
{
	if (!h->shrinker)
		return;
	mheap_scavenger_set(h, false);
	mheap_shrinker_destroy(h->shrinker);
	h->shrinker = NULL;
}
