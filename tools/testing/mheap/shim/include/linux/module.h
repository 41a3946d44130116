/* SPDX-License-Identifier: GPL-2.0 */
/* Userspace stand-in for <linux/module.h>: see <linux/kernel.h>. */
#ifndef _US_LINUX_MODULE_H
#define _US_LINUX_MODULE_H
#include <linux/kernel.h>
#endif
