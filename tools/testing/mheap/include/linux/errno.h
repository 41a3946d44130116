/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Userspace stand-in for <linux/errno.h>.  glibc's <errno.h> itself
 * includes <linux/errno.h>, so chain to the system header for the values.
 */
#ifndef _TOOLS_MHEAP_LINUX_ERRNO_H
#define _TOOLS_MHEAP_LINUX_ERRNO_H

#include_next <linux/errno.h>
#include <errno.h>

#endif /* _TOOLS_MHEAP_LINUX_ERRNO_H */
