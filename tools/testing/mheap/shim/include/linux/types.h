/* SPDX-License-Identifier: GPL-2.0 */
/* Userspace stand-in for <linux/types.h>: see <linux/kernel.h>. */
#ifndef _US_LINUX_TYPES_H
#define _US_LINUX_TYPES_H
#include <linux/kernel.h>
#endif
