/* SPDX-License-Identifier: GPL-2.0 */
/* Userspace stand-in for <linux/preempt.h>: see <linux/kernel.h>. */
#ifndef _US_LINUX_PREEMPT_H
#define _US_LINUX_PREEMPT_H
#include <linux/kernel.h>
#endif
