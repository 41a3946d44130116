/* SPDX-License-Identifier: GPL-2.0 */
/* Userspace stand-in for <linux/spinlock.h>: see <linux/kernel.h>. */
#ifndef _US_LINUX_SPINLOCK_H
#define _US_LINUX_SPINLOCK_H
#include <linux/kernel.h>
#endif
