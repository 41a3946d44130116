/* SPDX-License-Identifier: GPL-2.0 */
/* Userspace stand-in for <linux/sched.h>: see <linux/kernel.h>. */
#ifndef _US_LINUX_SCHED_H
#define _US_LINUX_SCHED_H
#include <linux/kernel.h>
#endif
