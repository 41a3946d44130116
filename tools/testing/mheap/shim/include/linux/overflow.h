/* SPDX-License-Identifier: GPL-2.0 */
/* Userspace stand-in for <linux/overflow.h>: see <linux/kernel.h>. */
#ifndef _US_LINUX_OVERFLOW_H
#define _US_LINUX_OVERFLOW_H
#include <linux/kernel.h>
#endif
