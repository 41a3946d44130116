/* SPDX-License-Identifier: GPL-2.0 */
/* Userspace stand-in for <linux/mm.h>: see <linux/kernel.h>. */
#ifndef _US_LINUX_MM_H
#define _US_LINUX_MM_H
#include <linux/kernel.h>
#endif
