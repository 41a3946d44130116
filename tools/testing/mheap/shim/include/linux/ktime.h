/* SPDX-License-Identifier: GPL-2.0 */
/* Userspace stand-in for <linux/ktime.h>: see <linux/kernel.h>. */
#ifndef _US_LINUX_KTIME_H
#define _US_LINUX_KTIME_H
#include <linux/kernel.h>
#endif
