// SPDX-License-Identifier: GPL-2.0
/*
 * gcBits arenas: where spans' allocBits and gcmarkBits live (Go's
 * gcBitsArena).  Bits are bump-allocated from 64 KiB arenas on the "next"
 * list; at the end of a collection cycle the lists rotate
 *
 *   previous -> free,  current -> previous,  next -> current
 *
 * because by then every span has swapped its allocBits for mark bits
 * taken from "next".  Unlike Go, a heap may also free objects explicitly
 * and never run a cycle, so each arena counts the bit vectors still in use
 * in it: an arena nobody uses any more goes back to the free list at once
 * instead of waiting for an epoch, which keeps a steady alloc/free loop in
 * bounded memory.
 */
#define pr_fmt(fmt) "mheap: " fmt

#include <linux/gfp.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <kunit/visibility.h>
#include "internal.h"

#define GCBITS_ORDER	get_order(MHEAP_GCBITS_BYTES)
/* Empty arenas kept on the free list before pages go back to the kernel. */
#define GCBITS_FREE_KEEP 2

static struct mheap_gcbits_arena *gcbits_new(gfp_t gfp)
{
	struct mheap_gcbits_arena *a;
	struct page *page;

	if (mheap_should_fail(MHEAP_FAULT_GCBITS, sizeof(*a)))
		return NULL;
	a = kzalloc(sizeof(*a), gfp);
	if (!a)
		return NULL;
	page = mheap_should_fail(MHEAP_FAULT_GCBITS, MHEAP_GCBITS_BYTES) ? NULL :
		alloc_pages(gfp | __GFP_ZERO, GCBITS_ORDER);
	if (!page) {
		kfree(a);
		return NULL;
	}
	a->bits = page_address(page);
	INIT_LIST_HEAD(&a->node);
	return a;
}

static void gcbits_release(struct mheap_gcbits_arena *a)
{
	free_pages((unsigned long)a->bits, GCBITS_ORDER);
	kfree(a);
}

/* Caller holds g->lock.  An arena nobody uses leaves its epoch list. */
static void gcbits_maybe_free(struct mheap_gcbits *g,
			      struct mheap_gcbits_arena *a,
			      struct list_head *to_release)
{
	struct mheap_gcbits_arena *head;

	head = list_first_entry_or_null(&g->next, struct mheap_gcbits_arena,
					node);
	if (a->live || a == head)
		return;
	if (g->nfree < GCBITS_FREE_KEEP) {
		a->used = 0;
		memset(a->bits, 0, MHEAP_GCBITS_BYTES);
		list_move(&a->node, &g->free);
		/* The counts are read without the lock, for the stats. */
		WRITE_ONCE(g->nfree, g->nfree + 1);
	} else {
		list_move(&a->node, to_release);
	}
	WRITE_ONCE(g->narenas, g->narenas - 1);
}

/**
 * mheap_gcbits_alloc() - zeroed bits for @nelems objects (Go's newMarkBits)
 * @g: the heap's gcBits arenas
 * @nelems: number of objects, 1 to MHEAP_MAX_SPAN_OBJECTS
 * @arena: set to the arena the bits came from, for mheap_gcbits_put()
 * @gfp: allocation context, for a new arena
 *
 * Return: the bits (whole longs), or NULL.
 */
unsigned long *mheap_gcbits_alloc(struct mheap_gcbits *g, unsigned int nelems,
				  struct mheap_gcbits_arena **arena, gfp_t gfp)
{
	unsigned int bytes = BITS_TO_LONGS(nelems) * sizeof(long);
	struct mheap_gcbits_arena *a, *t, *tmp, *fresh = NULL;
	unsigned long *bits = NULL, flags;
	LIST_HEAD(release);

	for (;;) {
		spin_lock_irqsave(&g->lock, flags);
		a = list_first_entry_or_null(&g->next, struct mheap_gcbits_arena,
					     node);
		if (!a || a->used + bytes > MHEAP_GCBITS_BYTES) {
			struct mheap_gcbits_arena *n;

			n = list_first_entry_or_null(&g->free,
						     struct mheap_gcbits_arena, node);
			if (n) {
				/* As in gcbits_maybe_free(): stats read it. */
				WRITE_ONCE(g->nfree, g->nfree - 1);
			} else {
				n = fresh;
				fresh = NULL;
			}
			if (n) {
				list_move(&n->node, &g->next);
				WRITE_ONCE(g->narenas, g->narenas + 1);
				/* The old head may be unused by now. */
				if (a)
					gcbits_maybe_free(g, a, &release);
				a = n;
			} else {
				a = NULL;
			}
		}
		if (a) {
			bits = (unsigned long *)(a->bits + a->used);
			a->used += bytes;
			a->live++;
			*arena = a;
		}
		spin_unlock_irqrestore(&g->lock, flags);
		if (a)
			break;
		fresh = gcbits_new(gfp & ~__GFP_ZERO);
		if (!fresh)
			return NULL;
	}
	if (fresh)
		gcbits_release(fresh);
	list_for_each_entry_safe(t, tmp, &release, node)
		gcbits_release(t);
	return bits;
}
EXPORT_SYMBOL_IF_KUNIT(mheap_gcbits_alloc);

/**
 * mheap_gcbits_put() - a span no longer uses bits from @a
 * @g: the heap's gcBits arenas
 * @a: arena from mheap_gcbits_alloc(), or NULL
 */
void mheap_gcbits_put(struct mheap_gcbits *g, struct mheap_gcbits_arena *a)
{
	LIST_HEAD(release);
	struct mheap_gcbits_arena *t, *tmp;
	unsigned long flags;

	if (!a)
		return;
	spin_lock_irqsave(&g->lock, flags);
	if (!WARN_ON_ONCE(!a->live))
		a->live--;
	gcbits_maybe_free(g, a, &release);
	spin_unlock_irqrestore(&g->lock, flags);
	list_for_each_entry_safe(t, tmp, &release, node)
		gcbits_release(t);
}
EXPORT_SYMBOL_IF_KUNIT(mheap_gcbits_put);

/**
 * mheap_gcbits_next_epoch() - rotate the epochs at the end of a cycle
 * @g: the heap's gcBits arenas
 *
 * previous arenas nobody uses go to the free list, current becomes
 * previous, next becomes current, and a fresh "next" starts on demand.
 */
void mheap_gcbits_next_epoch(struct mheap_gcbits *g)
{
	struct mheap_gcbits_arena *a, *tmp;
	LIST_HEAD(release);
	unsigned long flags;

	spin_lock_irqsave(&g->lock, flags);
	list_for_each_entry_safe(a, tmp, &g->previous, node)
		gcbits_maybe_free(g, a, &release);
	list_splice_tail_init(&g->curr, &g->previous);
	list_splice_tail_init(&g->next, &g->curr);
	g->epoch++;
	spin_unlock_irqrestore(&g->lock, flags);
	list_for_each_entry_safe(a, tmp, &release, node)
		gcbits_release(a);
}
EXPORT_SYMBOL_IF_KUNIT(mheap_gcbits_next_epoch);

/**
 * mheap_gcbits_init() - empty epoch lists, for heap create
 * @g: the heap's gcBits arenas
 */
void mheap_gcbits_init(struct mheap_gcbits *g)
{
	spin_lock_init(&g->lock);
	INIT_LIST_HEAD(&g->free);
	INIT_LIST_HEAD(&g->next);
	INIT_LIST_HEAD(&g->curr);
	INIT_LIST_HEAD(&g->previous);
}
EXPORT_SYMBOL_IF_KUNIT(mheap_gcbits_init);

/**
 * mheap_gcbits_destroy() - free every arena, used or not: for heap destroy
 * @g: the heap's gcBits arenas
 */
void mheap_gcbits_destroy(struct mheap_gcbits *g)
{
	struct list_head *lists[] = { &g->free, &g->next, &g->curr,
				      &g->previous };
	struct mheap_gcbits_arena *a, *tmp;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(lists); i++) {
		list_for_each_entry_safe(a, tmp, lists[i], node) {
			list_del(&a->node);
			gcbits_release(a);
		}
	}
}
EXPORT_SYMBOL_IF_KUNIT(mheap_gcbits_destroy);
