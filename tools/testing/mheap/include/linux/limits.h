/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Userspace stand-in for <linux/limits.h>.  glibc's <limits.h> includes
 * <linux/limits.h> too, so chain to the system header first.
 */
#ifndef _TOOLS_MHEAP_LINUX_LIMITS_H
#define _TOOLS_MHEAP_LINUX_LIMITS_H

#include_next <linux/limits.h>
#include <limits.h>

#endif /* _TOOLS_MHEAP_LINUX_LIMITS_H */
