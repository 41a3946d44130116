/* SPDX-License-Identifier: GPL-2.0 */
/* Userspace stand-in for <linux/types.h>, enough for mheap/palloc.c. */
#ifndef _TOOLS_MHEAP_LINUX_TYPES_H
#define _TOOLS_MHEAP_LINUX_TYPES_H

#include <stdbool.h>
#include <stddef.h>

/* Same underlying types as the kernel's, so printf formats agree. */
typedef unsigned char u8;
typedef unsigned short u16;
typedef unsigned int u32;
typedef unsigned long long u64;

#endif /* _TOOLS_MHEAP_LINUX_TYPES_H */
