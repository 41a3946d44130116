/* SPDX-License-Identifier: GPL-2.0 */
/* Userspace stand-in for <linux/fault-inject.h>: see <linux/kernel.h>. */
#ifndef _US_LINUX_FAULT_INJECT_H
#define _US_LINUX_FAULT_INJECT_H
#include <linux/kernel.h>
#endif
