/* SPDX-License-Identifier: GPL-2.0 */
/* Userspace stub: nothing is exported outside the kernel. */
#ifndef _STUB_KUNIT_VISIBILITY_H
#define _STUB_KUNIT_VISIBILITY_H

#include <assert.h>

#define stub_no_export(sym)	static_assert(1, #sym)
#define EXPORT_SYMBOL_IF_KUNIT	stub_no_export

#endif
