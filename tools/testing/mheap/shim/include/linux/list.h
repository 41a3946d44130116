/* SPDX-License-Identifier: GPL-2.0 */
/* Userspace stand-in for <linux/list.h>: see <linux/kernel.h>. */
#ifndef _US_LINUX_LIST_H
#define _US_LINUX_LIST_H
#include <linux/kernel.h>
#endif
