/* SPDX-License-Identifier: GPL-2.0 */
/* Userspace stand-in for <linux/smp.h>: see <linux/kernel.h>. */
#ifndef _US_LINUX_SMP_H
#define _US_LINUX_SMP_H
#include <linux/kernel.h>
#endif
