/* SPDX-License-Identifier: GPL-2.0 */
/* Userspace stand-in for <linux/uaccess.h>: see <linux/kernel.h>. */
#ifndef _US_LINUX_UACCESS_H
#define _US_LINUX_UACCESS_H
#include <linux/kernel.h>
#endif
