/* SPDX-License-Identifier: GPL-2.0 */
/* Userspace stand-in for <linux/dcache.h>: see <linux/kernel.h>. */
#ifndef _US_LINUX_DCACHE_H
#define _US_LINUX_DCACHE_H
#include <linux/kernel.h>
#endif
