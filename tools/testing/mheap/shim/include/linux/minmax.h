/* SPDX-License-Identifier: GPL-2.0 */
/* Userspace stand-in for <linux/minmax.h>: see <linux/kernel.h>. */
#ifndef _US_LINUX_MINMAX_H
#define _US_LINUX_MINMAX_H
#include <linux/kernel.h>
#endif
