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

LIST_HEAD(mheap_list);
/* Protects mheap_list and so the uniqueness of heap names. */
DEFINE_MUTEX(mheap_list_lock);

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
	if (!strcmp(name, "heaps") || name[0] == '.')
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
 * @params: tunables, or NULL for the defaults.
 *
 * Context: process context, may sleep.
 * Return: the new heap, or ERR_PTR(-EINVAL) for a bad name or parameter,
 * ERR_PTR(-EEXIST) if a heap of that name exists, ERR_PTR(-ENOMEM).
 */
struct mheap *mheap_create(const char *name, const struct mheap_params *params)
{
	struct mheap *h;

	might_sleep();
	if (!mheap_name_valid(name))
		return ERR_PTR(-EINVAL);
	if (params && params->reserved)
		return ERR_PTR(-EINVAL);

	h = kzalloc(sizeof(*h), GFP_KERNEL);
	if (!h)
		return ERR_PTR(-ENOMEM);
	strscpy(h->name, name, sizeof(h->name));
	if (params)
		h->params = *params;

	mutex_lock(&mheap_list_lock);
	if (mheap_find_locked(name)) {
		mutex_unlock(&mheap_list_lock);
		kfree(h);
		return ERR_PTR(-EEXIST);
	}
	list_add_tail(&h->node, &mheap_list);
	mheap_debugfs_add_heap(h);
	mutex_unlock(&mheap_list_lock);
	return h;
}
EXPORT_SYMBOL_GPL(mheap_create);

/**
 * mheap_destroy() - destroy a heap and give all its memory back
 * @h: heap from mheap_create(); NULL or an ERR_PTR is ignored.
 *
 * Context: process context, may sleep.  No other user may touch @h
 * during or after the call.
 */
void mheap_destroy(struct mheap *h)
{
	if (IS_ERR_OR_NULL(h))
		return;
	might_sleep();
	mutex_lock(&mheap_list_lock);
	list_del(&h->node);
	mheap_debugfs_del_heap(h);
	mutex_unlock(&mheap_list_lock);
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
