/* SPDX-License-Identifier: GPL-2.0 */
/* Userspace stand-in for <linux/printk.h>: see <linux/kernel.h>. */
#ifndef _US_LINUX_PRINTK_H
#define _US_LINUX_PRINTK_H
#include <linux/kernel.h>
#endif
