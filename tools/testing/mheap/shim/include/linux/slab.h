/* SPDX-License-Identifier: GPL-2.0 */
/* Userspace stand-in for <linux/slab.h>: see <linux/kernel.h>. */
#ifndef _US_LINUX_SLAB_H
#define _US_LINUX_SLAB_H
#include <linux/kernel.h>
#endif
