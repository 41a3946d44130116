/* SPDX-License-Identifier: GPL-2.0 */
/* Userspace stand-in: <linux/tracepoint.h> already defined the events. */
