/* SPDX-License-Identifier: GPL-2.0 */
/* Userspace stand-in for <linux/kmemleak.h>: see <linux/kernel.h>. */
#ifndef _US_LINUX_KMEMLEAK_H
#define _US_LINUX_KMEMLEAK_H
#include <linux/kernel.h>
#endif
