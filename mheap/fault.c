// SPDX-License-Identifier: GPL-2.0
/*
 * Fault injection at mheap's allocation sites, through the kernel's
 * fault-injection framework (Documentation/fault-injection/ in the kernel
 * tree).  Each kind of site has one struct fault_attr; with
 * CONFIG_FAULT_INJECTION_DEBUG_FS it is configured like failslab, in
 * <debugfs>/mheap/fail_<kind>/ (probability, interval, times, space,
 * verbose, task-filter, and the stack filters where the kernel has them).
 * /proc/<pid>/fail-nth reaches every site too.
 *
 * A site asks mheap_should_fail() right before the allocation it guards
 * and takes that allocation's own failure path when told to.  Without
 * CONFIG_FAULT_INJECTION the question is answered false at compile time
 * (internal.h) and only the names below are built.
 */
#define pr_fmt(fmt) "mheap: " fmt

#include <linux/debugfs.h>
#include <linux/fault-inject.h>
#include <kunit/visibility.h>
#include "internal.h"

const char *const mheap_fault_names[] = {
	[MHEAP_FAULT_GROW]	= MHEAP_FAULT_PREFIX "grow",
	[MHEAP_FAULT_MAP]	= MHEAP_FAULT_PREFIX "map",
	[MHEAP_FAULT_METADATA]	= MHEAP_FAULT_PREFIX "metadata",
	[MHEAP_FAULT_GCBITS]	= MHEAP_FAULT_PREFIX "gcbits",
	[MHEAP_FAULT_SPAN]	= MHEAP_FAULT_PREFIX "span",
	[MHEAP_FAULT_SPECIAL]	= MHEAP_FAULT_PREFIX "special",
	[MHEAP_FAULT_CONTROL]	= MHEAP_FAULT_PREFIX "control",
};
EXPORT_SYMBOL_IF_KUNIT(mheap_fault_names);

static_assert(ARRAY_SIZE(mheap_fault_names) == MHEAP_FAULT_COUNT);

#ifdef CONFIG_FAULT_INJECTION

/* The framework's defaults: probability 0, so nothing fails until asked. */
static struct fault_attr mheap_fault_attrs[MHEAP_FAULT_COUNT] = {
	[0 ... MHEAP_FAULT_COUNT - 1] = FAULT_ATTR_INITIALIZER,
};

/**
 * mheap_should_fail() - whether an allocation site fails this time
 * @kind: the kind of site
 * @size: bytes the site is about to allocate (what "space" counts)
 *
 * Context: any context.
 * Return: true if the caller must take its allocation-failure path.
 */
bool mheap_should_fail(enum mheap_fault kind, size_t size)
{
	return should_fail(&mheap_fault_attrs[kind], size);
}

/**
 * mheap_fault_attr() - the fault attribute of a kind of site, for tests
 * @kind: the kind of site
 *
 * Return: the attribute; tests configure its fields directly.
 */
struct fault_attr *mheap_fault_attr(enum mheap_fault kind)
{
	return &mheap_fault_attrs[kind];
}
EXPORT_SYMBOL_IF_KUNIT(mheap_fault_attr);

#endif /* CONFIG_FAULT_INJECTION */

/**
 * mheap_fault_debugfs_init() - the fail_<kind> directories
 * @root: <debugfs>/mheap/
 *
 * They go with @root's recursive removal.  Nothing without
 * CONFIG_FAULT_INJECTION_DEBUG_FS.
 */
void mheap_fault_debugfs_init(struct dentry *root)
{
#ifdef CONFIG_FAULT_INJECTION_DEBUG_FS
	unsigned int i;

	for (i = 0; i < MHEAP_FAULT_COUNT; i++)
		fault_create_debugfs_attr(mheap_fault_names[i], root,
					  &mheap_fault_attrs[i]);
#endif
}
