/* SPDX-License-Identifier: GPL-2.0 */
/* Userspace stand-in for <linux/bitmap.h>: see <linux/kernel.h>. */
#ifndef _US_LINUX_BITMAP_H
#define _US_LINUX_BITMAP_H
#include <linux/kernel.h>
#endif
