/* SPDX-License-Identifier: GPL-2.0 */
/* Userspace stand-in for <linux/local_lock.h>: see <linux/kernel.h>. */
#ifndef _US_LINUX_LOCAL_LOCK_H
#define _US_LINUX_LOCAL_LOCK_H
#include <linux/kernel.h>
#endif
