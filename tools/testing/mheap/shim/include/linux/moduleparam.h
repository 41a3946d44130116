/* SPDX-License-Identifier: GPL-2.0 */
/* Userspace stand-in for <linux/moduleparam.h>: see <linux/kernel.h>. */
#ifndef _US_LINUX_MODULEPARAM_H
#define _US_LINUX_MODULEPARAM_H
#include <linux/kernel.h>
#endif
