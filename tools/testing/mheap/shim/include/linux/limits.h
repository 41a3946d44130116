/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Userspace stand-in for <linux/limits.h>.  glibc includes <linux/limits.h>
 * itself, so chain to the system header for the values first.
 */
#ifndef _US_LINUX_LIMITS_H
#define _US_LINUX_LIMITS_H
#include_next <linux/limits.h>
#include <linux/kernel.h>
#endif
