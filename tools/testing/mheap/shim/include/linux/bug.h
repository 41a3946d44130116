/* SPDX-License-Identifier: GPL-2.0 */
/* Userspace stand-in for <linux/bug.h>: see <linux/kernel.h>. */
#ifndef _US_LINUX_BUG_H
#define _US_LINUX_BUG_H
#include <linux/kernel.h>
#endif
