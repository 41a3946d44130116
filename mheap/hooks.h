/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The kernel's debugging tools' view of mheap's objects and spans, one
 * pair of hooks as SLUB's slab_post_alloc_hook() and slab_free_hook():
 * KASAN (what is free is poisoned, what is handed out is not, with the
 * granule of an object's end made partial as SLUB does for kmalloc
 * objects), kmemleak, init_on_alloc and init_on_free.  The fast path runs
 * them on explicit allocations and frees, the sweeper on the objects a
 * collection found dead.  Without generic KASAN its part is nothing.
 */
#ifndef _MHEAP_HOOKS_H
#define _MHEAP_HOOKS_H

#include <linux/kmemleak.h>
#include <linux/mm.h>
#include "internal.h"

#ifdef CONFIG_KASAN_GENERIC
#define MHEAP_KASAN_FREE	0xFB	/* KASAN_SLAB_FREE: freed object */
#define MHEAP_KASAN_PAGE_FREE	0xFF	/* KASAN_PAGE_FREE: freed span */

void mheap_unpoison(const void *p, size_t n);
void mheap_poison(const void *p, size_t n, u8 value);
#else
#define MHEAP_KASAN_FREE	0
#define MHEAP_KASAN_PAGE_FREE	0
static inline void mheap_unpoison(const void *p, size_t n) { }
static inline void mheap_poison(const void *p, size_t n, u8 value) { }
#endif

/* A span whose pages are being freed: inaccessible as a whole. */
static inline void mheap_span_poison(struct mheap_span *s)
{
	mheap_poison((void *)s->start, s->npages << PAGE_SHIFT,
		     MHEAP_KASAN_PAGE_FREE);
}

/* A new object span: every slot free, as after a free of each object. */
static inline void mheap_objspan_poison(struct mheap_span *s)
{
	mheap_poison((void *)s->start, s->npages << PAGE_SHIFT,
		     MHEAP_KASAN_FREE);
}

/* A span handed out whole: accessible as a whole. */
static inline void mheap_span_unpoison(struct mheap_span *s)
{
	mheap_unpoison((void *)s->start, s->npages << PAGE_SHIFT);
}

/**
 * mheap_post_alloc_hook() - a new object for the debugging tools
 * @p: the object
 * @objsize: its slot's size
 * @size: the size asked for: KASAN allows access to this much
 * @gfp: the allocation's flags, for kmemleak
 * @zero: whether to zero the slot (init_on_alloc or __GFP_ZERO, and its
 *	memory may hold old data)
 */
static inline void mheap_post_alloc_hook(void *p, size_t objsize, size_t size,
					 gfp_t gfp, bool zero)
{
	if (zero) {
		mheap_unpoison(p, objsize);
		memset(p, 0, objsize);
	}
	mheap_poison(p, objsize, MHEAP_KASAN_FREE);
	mheap_unpoison(p, size);
	kmemleak_alloc(p, size, 1, gfp);
}

/**
 * mheap_free_hook() - an object of @s about to become free
 * @s: its span
 * @p: the object
 *
 * Runs before the slot can be handed out again: zeroed for init_on_free,
 * else the span is noted as holding old data; poisoned; gone for
 * kmemleak.
 */
static inline void mheap_free_hook(struct mheap_span *s, void *p)
{
	kmemleak_free(p);
	if (want_init_on_free()) {
		mheap_unpoison(p, s->elemsize);
		memset(p, 0, s->elemsize);
	} else if (!READ_ONCE(s->obj.needzero)) {
		WRITE_ONCE(s->obj.needzero, true);
	}
	mheap_poison(p, s->elemsize, MHEAP_KASAN_FREE);
}

#endif /* _MHEAP_HOOKS_H */
