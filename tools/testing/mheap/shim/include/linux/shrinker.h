/* SPDX-License-Identifier: GPL-2.0 */
/* Userspace stand-in for <linux/shrinker.h>: see <linux/kernel.h>. */
#ifndef _US_LINUX_SHRINKER_H
#define _US_LINUX_SHRINKER_H
#include <linux/kernel.h>
#endif
