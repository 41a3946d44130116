/* SPDX-License-Identifier: GPL-2.0 */
/* Userspace stand-in for <linux/gfp.h>: see <linux/kernel.h>. */
#ifndef _US_LINUX_GFP_H
#define _US_LINUX_GFP_H
#include <linux/kernel.h>
#endif
