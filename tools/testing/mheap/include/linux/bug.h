/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Userspace stand-in for <linux/bug.h>.  WARN_ON_ONCE() reports through
 * mheap_test_warn(), which the test program defines and counts, so tests
 * can both expect warnings and fail on unexpected ones.
 */
#ifndef _TOOLS_MHEAP_LINUX_BUG_H
#define _TOOLS_MHEAP_LINUX_BUG_H

#include <stdbool.h>

void mheap_test_warn(const char *file, int line, const char *cond);

#define WARN_ON_ONCE(condition) ({					\
	bool __ret_warn = !!(condition);				\
	if (__ret_warn)							\
		mheap_test_warn(__FILE__, __LINE__, #condition);	\
	__ret_warn; })

#endif /* _TOOLS_MHEAP_LINUX_BUG_H */
