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

/* Longest heap name, without the terminating NUL. */
#define MHEAP_NAME_MAX	31

/**
 * struct mheap_params - tunables of a heap, fixed at creation
 * @reserved: must be zero; a placeholder until the page heap lands.
 *
 * A zeroed structure (or a NULL pointer) asks for the defaults.
 */
struct mheap_params {
	unsigned long reserved;
};

struct mheap *mheap_create(const char *name, const struct mheap_params *params);
void mheap_destroy(struct mheap *h);
const char *mheap_name(const struct mheap *h);

#endif /* _MHEAP_H */
