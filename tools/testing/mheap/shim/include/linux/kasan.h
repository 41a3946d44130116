/* SPDX-License-Identifier: GPL-2.0 */
/* Userspace stand-in for <linux/kasan.h>: see <linux/kernel.h>. */
#ifndef _US_LINUX_KASAN_H
#define _US_LINUX_KASAN_H
#include <linux/kernel.h>
#endif
