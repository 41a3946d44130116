/* SPDX-License-Identifier: GPL-2.0 */
/* Userspace stand-in for <linux/mutex.h>: see <linux/kernel.h>. */
#ifndef _US_LINUX_MUTEX_H
#define _US_LINUX_MUTEX_H
#include <linux/kernel.h>
#endif
