/* SPDX-License-Identifier: GPL-2.0 */
/* Userspace stand-in for <linux/debugfs.h>: see <linux/kernel.h>. */
#ifndef _US_LINUX_DEBUGFS_H
#define _US_LINUX_DEBUGFS_H
#include <linux/kernel.h>
#endif
