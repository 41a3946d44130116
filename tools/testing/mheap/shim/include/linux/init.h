/* SPDX-License-Identifier: GPL-2.0 */
/* Userspace stand-in for <linux/init.h>: see <linux/kernel.h>. */
#ifndef _US_LINUX_INIT_H
#define _US_LINUX_INIT_H
#include <linux/kernel.h>
#endif
