/* SPDX-License-Identifier: GPL-2.0 */
/* Userspace stand-in for <linux/interrupt.h>: see <linux/kernel.h>. */
#ifndef _US_LINUX_INTERRUPT_H
#define _US_LINUX_INTERRUPT_H
#include <linux/kernel.h>
#endif
