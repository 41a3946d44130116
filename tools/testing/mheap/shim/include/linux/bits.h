/* SPDX-License-Identifier: GPL-2.0 */
/* Userspace stand-in for <linux/bits.h>: see <linux/kernel.h>. */
#ifndef _US_LINUX_BITS_H
#define _US_LINUX_BITS_H
#include <linux/kernel.h>
#endif
