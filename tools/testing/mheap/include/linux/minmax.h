/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Userspace stand-in for <linux/minmax.h>.  min() and max() insist on
 * identical types (stricter than the kernel), so type mixing that the
 * kernel might reject fails here first.
 */
#ifndef _TOOLS_MHEAP_LINUX_MINMAX_H
#define _TOOLS_MHEAP_LINUX_MINMAX_H

#define __mheap_cmp(x, y, op) ({			\
	typeof(x) __x = (x);				\
	typeof(y) __y = (y);				\
	(void)(&__x == &__y);				\
	__x op __y ? __x : __y; })

#define min(x, y)	__mheap_cmp(x, y, <)
#define max(x, y)	__mheap_cmp(x, y, >)

#define max3(x, y, z) ({				\
	typeof(x) __m3 = max(x, y);			\
	typeof(z) __z3 = (z);				\
	(void)(&__m3 == &__z3);				\
	__m3 > __z3 ? __m3 : __z3; })

#define __mheap_cmp_t(t, x, y, op) ({			\
	t __tx = (x), __ty = (y);			\
	__tx op __ty ? __tx : __ty; })

#define min_t(t, x, y)	__mheap_cmp_t(t, x, y, <)
#define max_t(t, x, y)	__mheap_cmp_t(t, x, y, >)

#endif /* _TOOLS_MHEAP_LINUX_MINMAX_H */
