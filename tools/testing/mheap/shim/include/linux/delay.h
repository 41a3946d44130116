/* SPDX-License-Identifier: GPL-2.0 */
/* Userspace stand-in for <linux/delay.h>: see <linux/kernel.h>. */
#ifndef _US_LINUX_DELAY_H
#define _US_LINUX_DELAY_H
#include <linux/kernel.h>
#endif
