/* SPDX-License-Identifier: GPL-2.0 */
/* Userspace stand-in for <linux/random.h>: see <linux/kernel.h>. */
#ifndef _US_LINUX_RANDOM_H
#define _US_LINUX_RANDOM_H
#include <linux/kernel.h>
#endif
