/* SPDX-License-Identifier: GPL-2.0 */
/* Userspace stand-in for <linux/vmalloc.h>: see <linux/kernel.h>. */
#ifndef _US_LINUX_VMALLOC_H
#define _US_LINUX_VMALLOC_H
#include <linux/kernel.h>
#endif
