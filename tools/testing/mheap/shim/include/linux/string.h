/* SPDX-License-Identifier: GPL-2.0 */
/* Userspace stand-in for <linux/string.h>: see <linux/kernel.h>. */
#ifndef _US_LINUX_STRING_H
#define _US_LINUX_STRING_H
#include <linux/kernel.h>
#endif
