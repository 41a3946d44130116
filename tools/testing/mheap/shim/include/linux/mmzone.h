/* SPDX-License-Identifier: GPL-2.0 */
/* Userspace stand-in for <linux/mmzone.h>: see <linux/kernel.h>. */
#ifndef _US_LINUX_MMZONE_H
#define _US_LINUX_MMZONE_H
#include <linux/kernel.h>
#endif
