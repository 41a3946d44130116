/* SPDX-License-Identifier: GPL-2.0 */
/* Userspace stand-in for <linux/sched/mm.h>: see <linux/kernel.h>. */
#ifndef _US_LINUX_SCHED_MM_H
#define _US_LINUX_SCHED_MM_H
#include <linux/kernel.h>
#endif
