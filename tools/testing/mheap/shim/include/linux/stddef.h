/* SPDX-License-Identifier: GPL-2.0 */
/* Userspace stand-in for <linux/stddef.h>: see <linux/kernel.h>. */
#ifndef _US_LINUX_STDDEF_H
#define _US_LINUX_STDDEF_H
#include <linux/kernel.h>
#endif
