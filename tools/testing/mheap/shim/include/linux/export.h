/* SPDX-License-Identifier: GPL-2.0 */
/* Userspace stand-in for <linux/export.h>: see <linux/kernel.h>. */
#ifndef _US_LINUX_EXPORT_H
#define _US_LINUX_EXPORT_H
#include <linux/kernel.h>
#endif
