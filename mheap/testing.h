/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mheap's test interface: points where a KUnit case may stop a task to
 * force an interleaving (mheap/tests, the race suite).  Compiled only
 * into kernels with KUnit; elsewhere every point is empty.
 */
#ifndef _MHEAP_TESTING_H
#define _MHEAP_TESTING_H

#include <linux/compiler.h>

struct mheap;

enum mheap_test_point {
	MHEAP_TP_SWEEPONE_BEGIN,	/* sweepone, before it enters */
	MHEAP_TP_SWEEPONE_SG,		/* sweepone, generation read */
	MHEAP_TP_REFILL_DONE,		/* a refill holds a span, unlocked */
	MHEAP_TP_FREE_LOCKLESS,		/* a free read live, not yet changed */
	MHEAP_TP_FREE_CHECKED,		/* a free passed its checks */
	MHEAP_TP_FREE_SPECIALS,		/* a free is to drop the specials */
	MHEAP_TP_SWEEP_CLAIMED,		/* a span is claimed for sweeping */
	MHEAP_TP_FIN_QUEUED,		/* finalizer work item started */
	MHEAP_TP_FIN_RUN,		/* finalizers taken off the queue */
};

#if IS_ENABLED(CONFIG_KUNIT)
typedef void (*mheap_test_hook_t)(struct mheap *h, enum mheap_test_point tp);
extern mheap_test_hook_t mheap_test_hook;

static inline void mheap_test_point(struct mheap *h, enum mheap_test_point tp)
{
	mheap_test_hook_t fn = READ_ONCE(mheap_test_hook);

	if (unlikely(fn))
		fn(h, tp);
}
#else
static inline void mheap_test_point(struct mheap *h, enum mheap_test_point tp)
{
}
#endif

#endif /* _MHEAP_TESTING_H */
