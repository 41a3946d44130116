/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mheap - the Go runtime's span-based page heap, rebuilt in the kernel.
 *
 * Public interface of the mheap module.  Every function here is exported
 * GPL-only and documented with kernel-doc in the file that defines it.
 */
#ifndef _MHEAP_H
#define _MHEAP_H

#include <linux/types.h>
#include <linux/gfp.h>

struct mheap;
struct mheap_span;

/* Longest heap name, without the terminating NUL. */
#define MHEAP_NAME_MAX	31

/**
 * enum mheap_region_kind - where a heap's memory is mapped
 * @MHEAP_REGION_AUTO: one-chunk regions from the direct map when a
 *	physically contiguous chunk is available, vmap regions otherwise
 *	and for anything larger than a chunk (the default).
 * @MHEAP_REGION_VMAP: always vmap order-0 pages.
 * @MHEAP_REGION_DIRECT: only physically contiguous blocks in the direct
 *	map; a span larger than the largest buddy block cannot be had.
 */
enum mheap_region_kind {
	MHEAP_REGION_AUTO,
	MHEAP_REGION_VMAP,
	MHEAP_REGION_DIRECT,
	MHEAP_REGION_NR_KINDS,
};

/**
 * enum mheap_flags - behaviour of a heap, fixed at creation
 * @MHEAP_NO_MAGAZINES: no per-CPU magazines of freed objects: every free
 *	goes straight back to its span's bitmap, and an allocation always
 *	scans its CPU's span.  Slower, and every free is visible at once in
 *	the bitmaps and statistics.
 * @MHEAP_DEBUG_FREES: the free checks the fast path cannot afford, in the
 *	spirit of slub_debug=F.  Implies %MHEAP_NO_MAGAZINES, so every double
 *	free of an object is caught, even one whose copy sits in a magazine;
 *	and frees of the heap are serialised, so that of two frees racing on
 *	one object only one touches it and the other is reported.
 * @MHEAP_FLAGS_ALL: every flag above.
 */
enum mheap_flags {
	MHEAP_NO_MAGAZINES	= 1U << 0,
	MHEAP_DEBUG_FREES	= 1U << 1,
	MHEAP_FLAGS_ALL		= (1U << 2) - 1,
};

/**
 * struct mheap_params - tunables of a heap, fixed at creation
 * @max_bytes: size of the heap's page-number space, which bounds how much
 *	memory it can ever hold at once; rounded up to a multiple of 8 GiB
 *	(with 4 KiB pages).  0 means 8 GiB.
 * @region_kind: an &enum mheap_region_kind.
 * @mem_limit: soft limit on the memory the heap keeps mapped, in bytes; 0
 *	for none.  Growth past it first gives free regions back, then fails.
 * @flags: an OR of &enum mheap_flags, 0 for the default.
 *
 * A zeroed structure (or a NULL pointer) asks for the defaults.
 */
struct mheap_params {
	unsigned long max_bytes;
	unsigned int region_kind;
	unsigned long mem_limit;
	unsigned int flags;
};

struct mheap *mheap_create(const char *name, const struct mheap_params *params);
void mheap_destroy(struct mheap *h);
const char *mheap_name(const struct mheap *h);

struct mheap_span *mheap_alloc_manual(struct mheap *h, unsigned long npages,
				      gfp_t gfp);
void mheap_free_manual(struct mheap *h, struct mheap_span *s);
void *mheap_span_base(const struct mheap_span *s);
unsigned long mheap_span_npages(const struct mheap_span *s);
struct mheap_span *mheap_span_of(struct mheap *h, const void *addr);

void *mheap_alloc(struct mheap *h, size_t size, gfp_t gfp);
void mheap_free(struct mheap *h, const void *p);
size_t mheap_ksize(struct mheap *h, const void *p);
size_t mheap_release_all(struct mheap *h);
size_t mheap_scavenge(struct mheap *h, size_t bytes);

/* Collection cycles: the caller marks, sweeping frees what it left. */
void mheap_gc_begin(struct mheap *h);
bool mheap_mark(struct mheap *h, const void *p);
void mheap_gc_end(struct mheap *h);
void mheap_sweep_all(struct mheap *h);
unsigned long mheap_reclaim(struct mheap *h, unsigned long npages);

/**
 * typedef mheap_finalizer_t - called once an object is found dead
 * @obj: the object; it stays allocated until the next cycle that does not
 *	mark it, or until the finalizer frees it with mheap_free()
 * @arg: what was given to mheap_set_finalizer()
 */
typedef void (*mheap_finalizer_t)(void *obj, void *arg);

/**
 * struct mheap_reachable - result of a reachability probe
 * @done: set (with release semantics) once a sweep looked at the object
 * @reachable: whether the object was marked (or pinned) in that cycle
 */
struct mheap_reachable {
	bool done;
	bool reachable;
};

int mheap_set_finalizer(struct mheap *h, const void *p, mheap_finalizer_t fn,
			void *arg);
int mheap_remove_finalizer(struct mheap *h, const void *p);
int mheap_pin(struct mheap *h, const void *p);
int mheap_unpin(struct mheap *h, const void *p);
int mheap_probe_reachable(struct mheap *h, const void *p,
			  struct mheap_reachable *r);

#endif /* _MHEAP_H */
