/* SPDX-License-Identifier: GPL-2.0 */
/* Userspace stand-in for <linux/log2.h>: see <linux/kernel.h>. */
#ifndef _US_LINUX_LOG2_H
#define _US_LINUX_LOG2_H
#include <linux/kernel.h>
#endif
