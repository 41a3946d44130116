/* SPDX-License-Identifier: GPL-2.0 */
/* Userspace stand-in for <linux/version.h>: the shim plays 6.12. */
#ifndef _US_LINUX_VERSION_H
#define _US_LINUX_VERSION_H

#define KERNEL_VERSION(a, b, c)	(((a) << 16) + ((b) << 8) + ((c) > 255 ? 255 : (c)))
#define LINUX_VERSION_CODE	KERNEL_VERSION(6, 12, 0)

#endif /* _US_LINUX_VERSION_H */
