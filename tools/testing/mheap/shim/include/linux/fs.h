/* SPDX-License-Identifier: GPL-2.0 */
/* Userspace stand-in for <linux/fs.h>: see <linux/kernel.h>. */
#ifndef _US_LINUX_FS_H
#define _US_LINUX_FS_H
#include <linux/kernel.h>
#endif
