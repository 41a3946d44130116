/* SPDX-License-Identifier: GPL-2.0 */
/* Userspace stand-in for <linux/bitops.h>: the 64-bit helpers only. */
#ifndef _TOOLS_MHEAP_LINUX_BITOPS_H
#define _TOOLS_MHEAP_LINUX_BITOPS_H

#include <assert.h>
#include <linux/types.h>

/* Index of the lowest set bit; undefined for 0, as in the kernel. */
static inline unsigned long __ffs64(u64 word)
{
	assert(word);
	return __builtin_ctzll(word);
}

/* 1-based index of the highest set bit, 0 for 0. */
static inline int fls64(u64 x)
{
	return x ? 64 - __builtin_clzll(x) : 0;
}

static inline unsigned long hweight64(u64 w)
{
	return __builtin_popcountll(w);
}

#endif /* _TOOLS_MHEAP_LINUX_BITOPS_H */
