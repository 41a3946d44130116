/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Every difference between the kernels mheap builds against, in one place.
 *
 * Supported: 6.1 (Debian 12's own kernel) up to 6.12 (Debian's backports
 * kernel, stock and PREEMPT_RT).  The rest of the module uses the 6.12
 * interfaces, or the mheap_ wrappers below where those changed.
 */
#ifndef _MHEAP_COMPAT_H
#define _MHEAP_COMPAT_H

#include <linux/atomic.h>
#include <linux/gfp.h>
#include <linux/list.h>
#include <linux/mmzone.h>
#include <linux/slab.h>
#include <linux/types.h>
#include <linux/version.h>
#include <linux/shrinker.h>

/*
 * The largest order alloc_pages() takes.  Before 6.4 MAX_ORDER was one
 * past it; 6.4 made MAX_ORDER the largest order and 6.8 renamed it.
 */
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 4, 0)
#define MAX_PAGE_ORDER	(MAX_ORDER - 1)
#elif LINUX_VERSION_CODE < KERNEL_VERSION(6, 8, 0)
#define MAX_PAGE_ORDER	MAX_ORDER
#endif

/*
 * Trace events: 6.10 made __assign_str() take the field alone, copying
 * from the source its __string() named; before, it takes the source too.
 */
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 10, 0)
#define mheap_assign_str(field, src)	__assign_str(field, src)
#else
#define mheap_assign_str(field, src)	do { (void)(src); __assign_str(field); } while (0)
#endif

/*
 * kvrealloc(): before 6.11 the caller passes the old size as well.
 * @oldsize is the size of the block at @p (0 when @p is NULL).
 */
static inline void *mheap_kvrealloc(void *p, size_t oldsize, size_t newsize,
				    gfp_t gfp)
{
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 11, 0)
	return kvrealloc(p, oldsize, newsize, gfp);
#else
	return kvrealloc(p, newsize, gfp);
#endif
}

/*
 * Shrinkers: 6.7 made them objects the kernel allocates
 * (shrinker_alloc(), shrinker_register(), shrinker_free()) with a
 * private_data pointer.  Before, the owner embeds a struct shrinker and
 * registers it with register_shrinker(); mheap_shrinker_create() embeds
 * it in a wrapper that carries the private pointer.  Either way the
 * result is a struct shrinker *, registered, whose callbacks get it back
 * and find @priv with mheap_shrinker_private().
 */
typedef unsigned long (*mheap_shrink_fn)(struct shrinker *,
					 struct shrink_control *);

#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 7, 0)
struct mheap_compat_shrinker {
	struct shrinker shrinker;
	void *private_data;
};

static inline void *mheap_shrinker_private(struct shrinker *s)
{
	return container_of(s, struct mheap_compat_shrinker,
			    shrinker)->private_data;
}

/* A registered shrinker named "mheap-@name", or NULL. */
static inline struct shrinker *mheap_shrinker_create(const char *name,
						     mheap_shrink_fn count,
						     mheap_shrink_fn scan,
						     void *priv)
{
	struct mheap_compat_shrinker *w = kzalloc(sizeof(*w), GFP_KERNEL);

	if (!w)
		return NULL;
	w->shrinker.count_objects = count;
	w->shrinker.scan_objects = scan;
	w->shrinker.seeks = DEFAULT_SEEKS;
	w->private_data = priv;
	if (register_shrinker(&w->shrinker, "mheap-%s", name)) {
		kfree(w);
		return NULL;
	}
	return &w->shrinker;
}

/* Unregisters: no callback runs after it returns. */
static inline void mheap_shrinker_destroy(struct shrinker *s)
{
	unregister_shrinker(s);
	kfree(container_of(s, struct mheap_compat_shrinker, shrinker));
}
#else
static inline void *mheap_shrinker_private(struct shrinker *s)
{
	return s->private_data;
}

static inline struct shrinker *mheap_shrinker_create(const char *name,
						     mheap_shrink_fn count,
						     mheap_shrink_fn scan,
						     void *priv)
{
	struct shrinker *s = shrinker_alloc(0, "mheap-%s", name);

	if (!s)
		return NULL;
	s->count_objects = count;
	s->scan_objects = scan;
	s->private_data = priv;
	shrinker_register(s);
	return s;
}

static inline void mheap_shrinker_destroy(struct shrinker *s)
{
	shrinker_free(s);
}
#endif

#endif /* _MHEAP_COMPAT_H */
