// SPDX-License-Identifier: GPL-2.0
/*
 * Heap instances, and what spans every layer of one: creation, lookup and
 * destruction, the CPU-hotplug callback that empties a dead CPU's caches,
 * and giving free memory back to the kernel, top-down: sweep, flush the
 * mcaches, drop mcentral's spares, drain the per-CPU page caches, release
 * the regions left without a page in use.
 */
#define pr_fmt(fmt) "mheap: " fmt

#include <linux/cpuhotplug.h>
#include <linux/err.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/ctype.h>
#include <linux/module.h>
#include <linux/percpu.h>
#include <kunit/visibility.h>
#include "internal.h"
#include "testing.h"
#include <trace/events/mheap.h>

LIST_HEAD(mheap_list);
/* Protects mheap_list and so the uniqueness of heap names. */
DEFINE_MUTEX(mheap_list_lock);

/* The dynamic hotplug state every heap adds itself to. */
static enum cpuhp_state mheap_cpuhp_state;

const char *const mheap_counter_names[] = {
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
	[MHEAP_CNT_PCACHE_FREES]	= "pcache_frees",
	[MHEAP_CNT_PAGES_ZEROED]	= "pages_zeroed",
	[MHEAP_CNT_BAD_FREES]		= "bad_frees",
	[MHEAP_CNT_LARGE_ALLOCS]	= "large_allocs",
	[MHEAP_CNT_LARGE_FREES]		= "large_frees",
	[MHEAP_CNT_PAGES_GROWN]		= "pages_grown",
	[MHEAP_CNT_LIMIT_FAILS]		= "limit_fails",
};

static_assert(ARRAY_SIZE(mheap_counter_names) == MHEAP_CNT_COUNT);

#if IS_ENABLED(CONFIG_KUNIT)
/* Set by a KUnit case to stop tasks at chosen points; see testing.h. */
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

/* === CPU hotplug ===================================================== */

/* A dead CPU's caches must not strand memory: its spans, then its pages. */
static int mheap_cpu_dead(unsigned int cpu, struct hlist_node *node)
{
	struct mheap *h = hlist_entry_safe(node, struct mheap, cpuhp_node);

	mheap_mcache_drain_cpu(h, cpu);
	mheap_pcpu_drain_cpu(h, cpu);
	return 0;
}

/**
 * mheap_hotplug_init() - watch CPUs going down, for every heap
 *
 * Return: 0 or a negative errno.
 */
int mheap_hotplug_init(void)
{
	int ret;

	ret = cpuhp_setup_state_multi(CPUHP_BP_PREPARE_DYN, "mm/mheap:dead",
				      NULL, mheap_cpu_dead);
	if (ret < 0)
		return ret;
	mheap_cpuhp_state = ret;
	return 0;
}

/** mheap_hotplug_exit() - stop watching CPUs; no heap may be left */
void mheap_hotplug_exit(void)
{
	cpuhp_remove_multi_state(mheap_cpuhp_state);
}

/* === Giving memory back ============================================== */

/**
 * mheap_trim() - give free memory back to the kernel, caches first
 * @h: heap
 * @max_pages: stop once this many pages are released (ULONG_MAX: all)
 * @src: who asks, for the statistics
 * @flags: %MHEAP_TRIM_FLUSH to flush every CPU's mcache first (waits for
 *	work on every CPU), %MHEAP_TRIM_TRY to give up rather than wait for
 *	another release in progress
 *
 * mcentral's spare spans and the per-CPU page caches are always emptied,
 * so that what they hold does not keep a region alive; then free regions
 * go, highest first (mheap_release_regions()).
 *
 * Context: process context, may sleep.
 * Return: number of pages released.
 */
unsigned long mheap_trim(struct mheap *h, unsigned long max_pages,
			 enum mheap_release_src src, unsigned int flags)
{
	might_sleep();
	if (flags & MHEAP_TRIM_FLUSH)
		mheap_mcache_flush_all(h);
	mheap_mcentral_drop_spares(h);
	mheap_pcpu_drain_all(h);
	return mheap_release_regions(h, max_pages, src,
				     flags & MHEAP_TRIM_TRY);
}
EXPORT_SYMBOL_IF_KUNIT(mheap_trim);

/**
 * mheap_trim_all() - give every free region back, every cache flushed
 * @h: heap
 *
 * Context: process context, may sleep.
 * Return: number of pages released.
 */
unsigned long mheap_trim_all(struct mheap *h)
{
	return mheap_trim(h, ULONG_MAX, MHEAP_SRC_EXPLICIT, MHEAP_TRIM_FLUSH);
}
EXPORT_SYMBOL_IF_KUNIT(mheap_trim_all);

/**
 * mheap_release_all() - give every free page back to the kernel
 * @h: heap
 *
 * Go's debug.FreeOSMemory: the last cycle's sweep is finished, every
 * CPU's span and page caches are flushed and every region without a page
 * in use is unmapped and its pages freed.  Memory of live objects and
 * spans stays.
 *
 * Context: process context, may sleep.
 * Return: bytes given back.
 */
size_t mheap_release_all(struct mheap *h)
{
	mheap_sweep_all(h);
	return mheap_trim_all(h) << PAGE_SHIFT;
}
EXPORT_SYMBOL_GPL(mheap_release_all);

/**
 * mheap_scavenge() - give at least @bytes of free memory back, if there is
 * @h: heap
 * @bytes: how much to give back; whole regions go, so possibly more
 *
 * Per-CPU page caches are drained, span caches are not (see
 * mheap_release_all() for that).  Regions go highest page number first:
 * first fit keeps the low ones busy, so the high ones are the emptiest.
 *
 * Context: process context, may sleep.
 * Return: bytes given back.
 */
size_t mheap_scavenge(struct mheap *h, size_t bytes)
{
	if (!bytes)
		return 0;
	return mheap_trim(h, bytes / PAGE_SIZE + !!(bytes % PAGE_SIZE),
			  MHEAP_SRC_EXPLICIT, 0) << PAGE_SHIFT;
}
EXPORT_SYMBOL_GPL(mheap_scavenge);

/* === Heaps =========================================================== */

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
	if (params && (params->flags & ~MHEAP_FLAGS_ALL))
		return ERR_PTR(-EINVAL);

	if (mheap_should_fail(MHEAP_FAULT_METADATA, sizeof(*h)))
		return ERR_PTR(-ENOMEM);
	h = kzalloc(sizeof(*h), GFP_KERNEL);
	if (!h)
		return ERR_PTR(-ENOMEM);
	if (!mheap_should_fail(MHEAP_FAULT_METADATA, sizeof(*h->events)))
		h->events = alloc_percpu(struct mheap_events);
	if (!h->events) {
		kfree(h);
		return ERR_PTR(-ENOMEM);
	}
	strscpy(h->name, name, sizeof(h->name));
	if (params)
		h->params = *params;
	if (!h->params.max_bytes)
		h->params.max_bytes = MHEAP_DEFAULT_BYTES;
	if (h->params.flags & MHEAP_DEBUG_FREES)
		h->params.flags |= MHEAP_NO_MAGAZINES;
	spin_lock_init(&h->lock);
	spin_lock_init(&h->free_lock);
	mutex_init(&h->grow_lock);
	mheap_control_init(h);
	mheap_gc_init(h);
	mheap_mcentral_init(h);

	err = mheap_arena_init(h);
	if (err)
		goto fail_free;
	err = mheap_objects_init(h);
	if (err)
		goto fail_objects;
	err = mheap_pcpu_init(h);
	if (err)
		goto fail_objects;
	err = cpuhp_state_add_instance_nocalls(mheap_cpuhp_state,
					       &h->cpuhp_node);
	if (err)
		goto fail_pcpu;
	err = mheap_scavenger_init(h);
	if (err)
		goto fail_hotplug;

	mutex_lock(&mheap_list_lock);
	if (mheap_find_locked(name)) {
		mutex_unlock(&mheap_list_lock);
		err = -EEXIST;
		goto fail_scavenger;
	}
	list_add_tail(&h->node, &mheap_list);
	mheap_debugfs_add_heap(h);
	mutex_unlock(&mheap_list_lock);
	trace_mheap_heap_create(h);
	return h;

fail_scavenger:
	mheap_scavenger_destroy(h);
fail_hotplug:
	cpuhp_state_remove_instance_nocalls(mheap_cpuhp_state, &h->cpuhp_node);
fail_pcpu:
	mheap_pcpu_destroy(h);
fail_objects:
	mheap_objects_destroy(h);
	mheap_arena_destroy(h);
fail_free:
	mheap_mcentral_destroy(h);
	mheap_gc_destroy(h);
	mheap_control_destroy(h);
	mutex_destroy(&h->grow_lock);
	free_percpu(h->events);
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
	cpuhp_state_remove_instance_nocalls(mheap_cpuhp_state, &h->cpuhp_node);
	mheap_pcpu_destroy(h);
	mheap_objects_destroy(h);
	mheap_free_all_spans(h);
	mheap_mcentral_destroy(h);
	mheap_arena_destroy(h);
	mutex_destroy(&h->grow_lock);
	free_percpu(h->events);
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
