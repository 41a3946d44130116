/* SPDX-License-Identifier: GPL-2.0 */
/* Userspace stand-in for <linux/cpuhotplug.h>: see <linux/kernel.h>. */
#ifndef _US_LINUX_CPUHOTPLUG_H
#define _US_LINUX_CPUHOTPLUG_H
#include <linux/kernel.h>
#endif
