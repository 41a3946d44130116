/* SPDX-License-Identifier: GPL-2.0 */
/* Userspace stand-in for <linux/compiler.h>: see <linux/kernel.h>. */
#ifndef _US_LINUX_COMPILER_H
#define _US_LINUX_COMPILER_H
#include <linux/kernel.h>
#endif
