/* SPDX-License-Identifier: GPL-2.0 */
/* Userspace stand-in for <linux/seq_file.h>: see <linux/kernel.h>. */
#ifndef _US_LINUX_SEQ_FILE_H
#define _US_LINUX_SEQ_FILE_H
#include <linux/kernel.h>
#endif
