/* SPDX-License-Identifier: GPL-2.0 */
/* Userspace stand-in for <linux/cache.h>: see <linux/kernel.h>. */
#ifndef _US_LINUX_CACHE_H
#define _US_LINUX_CACHE_H
#include <linux/kernel.h>
#endif
