/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Userspace stand-in for <linux/errno.h>.  glibc includes <linux/errno.h>
 * itself, so chain to the system header for the values first.
 */
#ifndef _US_LINUX_ERRNO_H
#define _US_LINUX_ERRNO_H
#include_next <linux/errno.h>
#include <linux/kernel.h>
#endif
