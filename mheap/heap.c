// SPDX-License-Identifier: GPL-2.0
/*
 * Heap instances: creation, lookup and destruction.
 */
#define pr_fmt(fmt) "mheap: " fmt

#include <linux/err.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/ctype.h>
#include <linux/module.h>
#include <kunit/visibility.h>
#include "internal.h"
#include <trace/events/mheap.h>

LIST_HEAD(mheap_list);
/* Protects mheap_list and so the uniqueness of heap names. */
DEFINE_MUTEX(mheap_list_lock);

const char *const mheap_counter_names[MHEAP_CNT_COUNT] = {
	[MHEAP_CNT_GROWS]		= "grows",
	[MHEAP_CNT_GROW_FAILS]		= "grow_fails",
	[MHEAP_CNT_REGIONS_DIRECT]	= "regions_direct",
	[MHEAP_CNT_REGIONS_VMAP]	= "regions_vmap",
	[MHEAP_CNT_DIRECT_FALLBACKS]	= "direct_fallbacks",
	[MHEAP_CNT_REGIONS_RELEASED]	= "regions_released",
	[MHEAP_CNT_PAGES_RELEASED]	= "pages_released",
	[MHEAP_CNT_SPANS_ALLOCATED]	= "spans_allocated",
	[MHEAP_CNT_SPANS_FREED]		= "spans_freed",
	[MHEAP_CNT_PCACHE_ALLOCS]	= "pcache_allocs",
	[MHEAP_CNT_PCACHE_FILLS]	= "pcache_fills",
	[MHEAP_CNT_PAGES_ZEROED]	= "pages_zeroed",
	[MHEAP_CNT_BAD_FREES]		= "bad_frees",
	[MHEAP_CNT_LARGE_ALLOCS]	= "large_allocs",
	[MHEAP_CNT_LARGE_FREES]		= "large_frees",
	[MHEAP_CNT_PAGES_GROWN]		= "pages_grown",
	[MHEAP_CNT_LIMIT_FAILS]		= "limit_fails",
};

static_assert(ARRAY_SIZE(mheap_counter_names) == MHEAP_CNT_COUNT);

#if IS_ENABLED(CONFIG_KUNIT)
/* Set by a KUnit case to stop tasks at chosen points; see internal.h. */
mheap_test_hook_t mheap_test_hook;
EXPORT_SYMBOL_IF_KUNIT(mheap_test_hook);
#endif

/*
 * A name becomes a debugfs directory, so keep it to a portable set of
 * characters and refuse the names the top-level directory uses itself.
 */
static bool mheap_name_valid(const char *name)
{
	size_t len, i;

	if (!name)
		return false;
	len = strnlen(name, MHEAP_NAME_MAX + 1);
	if (len == 0 || len > MHEAP_NAME_MAX)
		return false;
	if (!strcmp(name, "heaps") || name[0] == '.' ||
	    !strncmp(name, MHEAP_FAULT_PREFIX, strlen(MHEAP_FAULT_PREFIX)))
		return false;
	for (i = 0; i < len; i++) {
		if (!isalnum(name[i]) && !strchr("_-.", name[i]))
			return false;
	}
	return true;
}

/* Caller holds mheap_list_lock. */
static struct mheap *mheap_find_locked(const char *name)
{
	struct mheap *h;

	lockdep_assert_held(&mheap_list_lock);
	list_for_each_entry(h, &mheap_list, node) {
		if (!strcmp(h->name, name))
			return h;
	}
	return NULL;
}

/**
 * mheap_create() - create a heap
 * @name: heap name: 1 to %MHEAP_NAME_MAX characters from [A-Za-z0-9_.-],
 *        unique among live heaps; also the name of its debugfs directory.
 *        "heaps", names starting with '.' and with "fail_" are reserved
 *        for the files of the debugfs root.
 * @params: tunables, or NULL for the defaults (see &struct mheap_params).
 *
 * Context: process context, may sleep.
 * Return: the new heap, or ERR_PTR(-EINVAL) for a bad name or parameter,
 * ERR_PTR(-EEXIST) if a heap of that name exists, ERR_PTR(-ENOMEM).
 */
struct mheap *mheap_create(const char *name, const struct mheap_params *params)
{
	struct mheap *h;
	int err;

	might_sleep();
	if (!mheap_name_valid(name))
		return ERR_PTR(-EINVAL);
	if (params && params->region_kind >= MHEAP_REGION_NR_KINDS)
		return ERR_PTR(-EINVAL);
	if (params && params->max_bytes > MHEAP_MAX_BYTES)
		return ERR_PTR(-EINVAL);

	if (mheap_should_fail(MHEAP_FAULT_METADATA, sizeof(*h)))
		return ERR_PTR(-ENOMEM);
	h = kzalloc(sizeof(*h), GFP_KERNEL);
	if (!h)
		return ERR_PTR(-ENOMEM);
	strscpy(h->name, name, sizeof(h->name));
	if (params)
		h->params = *params;
	if (!h->params.max_bytes)
		h->params.max_bytes = MHEAP_DEFAULT_BYTES;
	spin_lock_init(&h->lock);
	mutex_init(&h->grow_lock);
	mutex_init(&h->pool_lock);
	mheap_span_list_init(&h->pool);
	mheap_gc_init(h);

	err = mheap_arena_init(h);
	if (err)
		goto fail_free;
	err = mheap_objects_init(h);
	if (err)
		goto fail_objects;
	err = mheap_pcpu_init(h);
	if (err)
		goto fail_objects;
	err = mheap_scavenger_init(h);
	if (err)
		goto fail_pcpu;

	mutex_lock(&mheap_list_lock);
	if (mheap_find_locked(name)) {
		mutex_unlock(&mheap_list_lock);
		err = -EEXIST;
		goto fail_pcpu;
	}
	list_add_tail(&h->node, &mheap_list);
	mheap_debugfs_add_heap(h);
	mutex_unlock(&mheap_list_lock);
	trace_mheap_heap_create(h);
	return h;

fail_pcpu:
	mheap_scavenger_destroy(h);
	mheap_pcpu_destroy(h);
fail_objects:
	mheap_objects_destroy(h);
	mheap_arena_destroy(h);
fail_free:
	mheap_gc_destroy(h);
	mutex_destroy(&h->pool_lock);
	mutex_destroy(&h->grow_lock);
	kfree(h);
	return ERR_PTR(err);
}
EXPORT_SYMBOL_GPL(mheap_create);

/**
 * mheap_destroy() - destroy a heap and give all its memory back
 * @h: heap from mheap_create(); NULL or an ERR_PTR is ignored.
 *
 * Every page goes back to the kernel, including pages of spans that are
 * still allocated: their memory must not be touched afterwards.
 *
 * Context: process context, may sleep.  No other user may touch @h
 * during or after the call.
 */
void mheap_destroy(struct mheap *h)
{
	if (IS_ERR_OR_NULL(h))
		return;
	might_sleep();
	trace_mheap_heap_destroy(h);
	mutex_lock(&mheap_list_lock);
	list_del(&h->node);
	mheap_debugfs_del_heap(h);
	mutex_unlock(&mheap_list_lock);

	mheap_gc_destroy(h);
	mheap_scavenger_destroy(h);
	mheap_control_destroy(h);
	mheap_pcpu_destroy(h);
	mheap_objects_destroy(h);
	mheap_free_all_spans(h);
	mheap_arena_destroy(h);
	mutex_destroy(&h->grow_lock);
	kfree(h);
}
EXPORT_SYMBOL_GPL(mheap_destroy);

/**
 * mheap_name() - name of a heap
 * @h: the heap
 *
 * Return: the name given to mheap_create(), valid until mheap_destroy().
 */
const char *mheap_name(const struct mheap *h)
{
	return h->name;
}
EXPORT_SYMBOL_GPL(mheap_name);

/**
 * mheap_find() - look a heap up by name
 * @name: heap name
 *
 * The result is not reference counted: only for tests and for callers
 * that otherwise know the heap stays alive.
 *
 * Return: the heap, or NULL.
 */
struct mheap *mheap_find(const char *name)
{
	struct mheap *h;

	mutex_lock(&mheap_list_lock);
	h = mheap_find_locked(name);
	mutex_unlock(&mheap_list_lock);
	return h;
}
EXPORT_SYMBOL_IF_KUNIT(mheap_find);
