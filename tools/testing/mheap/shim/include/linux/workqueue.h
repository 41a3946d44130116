/* SPDX-License-Identifier: GPL-2.0 */
/* Userspace stand-in for <linux/workqueue.h>: see <linux/kernel.h>. */
#ifndef _US_LINUX_WORKQUEUE_H
#define _US_LINUX_WORKQUEUE_H
#include <linux/kernel.h>
#endif
