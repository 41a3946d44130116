/* SPDX-License-Identifier: GPL-2.0 */
/* Userspace stand-in for <linux/bitops.h>: see <linux/kernel.h>. */
#ifndef _US_LINUX_BITOPS_H
#define _US_LINUX_BITOPS_H
#include <linux/kernel.h>
#endif
