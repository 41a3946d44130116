/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Private definitions shared by the files of the mheap module.
 */
#ifndef _MHEAP_INTERNAL_H
#define _MHEAP_INTERNAL_H

#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/dcache.h>
#include <mheap.h>

/**
 * struct mheap - one heap instance
 * @name:	NUL-terminated name, also its debugfs directory's name.
 * @node:	link in mheap_list, protected by mheap_list_lock.
 * @params:	what the creator asked for, defaults filled in.
 * @dir:	debugfs directory <debugfs>/mheap/<name>/, or an ERR_PTR
 *		when debugfs is unavailable (never dereferenced then).
 */
struct mheap {
	char name[MHEAP_NAME_MAX + 1];
	struct list_head node;
	struct mheap_params params;
	struct dentry *dir;
};

/* All heaps, in creation order.  Sleeping lock: only process context. */
extern struct list_head mheap_list;
extern struct mutex mheap_list_lock;

/* heap.c */
struct mheap *mheap_find(const char *name);

/* debugfs.c */
int mheap_debugfs_init(void);
void mheap_debugfs_exit(void);
void mheap_debugfs_add_heap(struct mheap *h);
void mheap_debugfs_del_heap(struct mheap *h);
struct dentry *mheap_debugfs_root(void);

#endif /* _MHEAP_INTERNAL_H */
