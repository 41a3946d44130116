/* SPDX-License-Identifier: GPL-2.0 */
/* Userspace stand-in for <linux/rcupdate.h>: see <linux/kernel.h>. */
#ifndef _US_LINUX_RCUPDATE_H
#define _US_LINUX_RCUPDATE_H
#include <linux/kernel.h>
#endif
