/* SPDX-License-Identifier: GPL-2.0 */
/* Userspace stand-in for <linux/percpu.h>: see <linux/kernel.h>. */
#ifndef _US_LINUX_PERCPU_H
#define _US_LINUX_PERCPU_H
#include <linux/kernel.h>
#endif
