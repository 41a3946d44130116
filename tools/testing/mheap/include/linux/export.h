/* SPDX-License-Identifier: GPL-2.0 */
/* Userspace stub: see kunit/visibility.h. */
#ifndef _STUB_LINUX_EXPORT_H
#define _STUB_LINUX_EXPORT_H
#endif
