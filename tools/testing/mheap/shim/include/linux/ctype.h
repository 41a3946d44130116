/* SPDX-License-Identifier: GPL-2.0 */
/* Userspace stand-in for <linux/ctype.h>: see <linux/kernel.h>. */
#ifndef _US_LINUX_CTYPE_H
#define _US_LINUX_CTYPE_H
#include <linux/kernel.h>
#endif
