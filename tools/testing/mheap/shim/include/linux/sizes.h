/* SPDX-License-Identifier: GPL-2.0 */
/* Userspace stand-in for <linux/sizes.h>: see <linux/kernel.h>. */
#ifndef _US_LINUX_SIZES_H
#define _US_LINUX_SIZES_H
#include <linux/kernel.h>
#endif
