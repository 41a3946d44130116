// SPDX-License-Identifier: GPL-2.0
/*
 * mheap module entry points.
 *
 * mheap rebuilds the Go runtime's span-based page heap inside the kernel.
 * See Documentation/design.rst for the map from Go's structures to ours.
 */
#define pr_fmt(fmt) "mheap: " fmt

#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/err.h>
#include "internal.h"

static bool default_heap = true;
module_param(default_heap, bool, 0400);
MODULE_PARM_DESC(default_heap, "Create the heap named \"default\" at load (default: on)");

static unsigned long mem_limit_mb;
module_param(mem_limit_mb, ulong, 0400);
MODULE_PARM_DESC(mem_limit_mb, "Soft memory limit of the default heap in MiB, 0 for none (default: 0)");

static bool magazines = true;
module_param(magazines, bool, 0400);
MODULE_PARM_DESC(magazines, "Per-CPU magazines of freed objects in the default heap (default: on)");

static bool debug_frees;
module_param(debug_frees, bool, 0400);
MODULE_PARM_DESC(debug_frees, "Check every free of the default heap, as slub_debug=F; turns magazines off (default: off)");

static struct mheap *mheap_default;

static int __init mheap_init(void)
{
	int err;

	/* Checked before anything is set up: nothing to undo. */
	if (mem_limit_mb > (ULONG_MAX >> 20)) {
		pr_err("mem_limit_mb=%lu is more than the address space\n",
		       mem_limit_mb);
		return -EINVAL;
	}
	err = mheap_span_cache_init();
	if (err)
		return err;
	err = mheap_hotplug_init();
	if (err)
		goto fail_cache;
	err = mheap_debugfs_init();
	if (err)
		goto fail_hotplug;

	if (default_heap) {
		struct mheap_params params = {
			.mem_limit = mem_limit_mb << 20,
			.flags = (magazines ? 0 : MHEAP_NO_MAGAZINES) |
				 (debug_frees ? MHEAP_DEBUG_FREES : 0),
		};

		mheap_default = mheap_create("default", &params);
		if (IS_ERR(mheap_default)) {
			err = PTR_ERR(mheap_default);
			pr_err("cannot create the default heap: %d\n", err);
			goto fail_debugfs;
		}
	}
	pr_info("loaded\n");
	return 0;

fail_debugfs:
	mheap_debugfs_exit();
fail_hotplug:
	mheap_hotplug_exit();
fail_cache:
	mheap_span_cache_exit();
	return err;
}

static void __exit mheap_exit(void)
{
	struct mheap *h;

	mheap_destroy(mheap_default);

	/* Heaps whose creators forgot them are ours to free now. */
	for (;;) {
		mutex_lock(&mheap_list_lock);
		h = list_first_entry_or_null(&mheap_list, struct mheap, node);
		mutex_unlock(&mheap_list_lock);
		if (!h)
			break;
		pr_warn("heap '%s' still exists at unload, destroying it\n",
			h->name);
		mheap_destroy(h);
	}

	mheap_debugfs_exit();
	mheap_hotplug_exit();
	mheap_span_cache_exit();
	pr_info("unloaded\n");
}

module_init(mheap_init);
module_exit(mheap_exit);

MODULE_DESCRIPTION("Go-style span-based page heap");
MODULE_AUTHOR("The mheap authors");
MODULE_LICENSE("GPL");
MODULE_VERSION("0.1");
