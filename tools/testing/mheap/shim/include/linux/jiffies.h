/* SPDX-License-Identifier: GPL-2.0 */
/* Userspace stand-in for <linux/jiffies.h>: see <linux/kernel.h>. */
#ifndef _US_LINUX_JIFFIES_H
#define _US_LINUX_JIFFIES_H
#include <linux/kernel.h>
#endif
