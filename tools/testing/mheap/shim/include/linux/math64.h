/* SPDX-License-Identifier: GPL-2.0 */
/* Userspace stand-in for <linux/math64.h>: see <linux/kernel.h>. */
#ifndef _US_LINUX_MATH64_H
#define _US_LINUX_MATH64_H
#include <linux/kernel.h>
#endif
