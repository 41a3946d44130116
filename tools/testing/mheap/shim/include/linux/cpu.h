/* SPDX-License-Identifier: GPL-2.0 */
/* Userspace stand-in for <linux/cpu.h>: see <linux/kernel.h>. */
#ifndef _US_LINUX_CPU_H
#define _US_LINUX_CPU_H
#include <linux/kernel.h>
#endif
