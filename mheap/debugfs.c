// SPDX-License-Identifier: GPL-2.0
/*
 * The debugfs tree: /sys/kernel/debug/mheap/ with a "heaps" list and one
 * directory per heap.  Files are root-only.
 */
#define pr_fmt(fmt) "mheap: " fmt

#include <linux/debugfs.h>
#include <linux/seq_file.h>
#include <kunit/visibility.h>
#include "internal.h"

static struct dentry *mheap_root;

static int heaps_show(struct seq_file *m, void *v)
{
	struct mheap *h;

	mutex_lock(&mheap_list_lock);
	list_for_each_entry(h, &mheap_list, node)
		seq_printf(m, "%s\n", h->name);
	mutex_unlock(&mheap_list_lock);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(heaps);

static int stats_show(struct seq_file *m, void *v)
{
	struct mheap *h = m->private;

	seq_printf(m, "name: %s\n", h->name);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(stats);

/**
 * mheap_debugfs_root() - the top-level debugfs directory
 *
 * Return: the dentry of <debugfs>/mheap, or an ERR_PTR if debugfs is off.
 */
struct dentry *mheap_debugfs_root(void)
{
	return mheap_root;
}
EXPORT_SYMBOL_IF_KUNIT(mheap_debugfs_root);

/* Caller holds mheap_list_lock, so names cannot collide under us. */
void mheap_debugfs_add_heap(struct mheap *h)
{
	h->dir = debugfs_create_dir(h->name, mheap_root);
	debugfs_create_file("stats", 0400, h->dir, h, &stats_fops);
}

/* Caller holds mheap_list_lock. Waits for open files to be released. */
void mheap_debugfs_del_heap(struct mheap *h)
{
	debugfs_remove(h->dir);
	h->dir = NULL;
}

int mheap_debugfs_init(void)
{
	mheap_root = debugfs_create_dir("mheap", NULL);
	debugfs_create_file("heaps", 0400, mheap_root, NULL, &heaps_fops);
	return 0;
}

void mheap_debugfs_exit(void)
{
	debugfs_remove(mheap_root);
	mheap_root = NULL;
}
