/* SPDX-License-Identifier: GPL-2.0 */
/* Userspace stand-in for <linux/err.h>: see <linux/kernel.h>. */
#ifndef _US_LINUX_ERR_H
#define _US_LINUX_ERR_H
#include <linux/kernel.h>
#endif
