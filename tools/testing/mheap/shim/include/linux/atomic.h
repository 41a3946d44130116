/* SPDX-License-Identifier: GPL-2.0 */
/* Userspace stand-in for <linux/atomic.h>: see <linux/kernel.h>. */
#ifndef _US_LINUX_ATOMIC_H
#define _US_LINUX_ATOMIC_H
#include <linux/kernel.h>
#endif
