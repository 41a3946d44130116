/* SPDX-License-Identifier: GPL-2.0 */
/* Userspace stand-in for <linux/irqflags.h>: see <linux/kernel.h>. */
#ifndef _US_LINUX_IRQFLAGS_H
#define _US_LINUX_IRQFLAGS_H
#include <linux/kernel.h>
#endif
