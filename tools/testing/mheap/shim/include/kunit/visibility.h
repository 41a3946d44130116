/* SPDX-License-Identifier: GPL-2.0 */
/* Userspace stand-in for <kunit/visibility.h>: a kernel without KUnit. */
#ifndef _US_KUNIT_VISIBILITY_H
#define _US_KUNIT_VISIBILITY_H

#define VISIBLE_IF_KUNIT	static
#define EXPORT_SYMBOL_IF_KUNIT(symbol)	static_assert(1, #symbol)

#endif /* _US_KUNIT_VISIBILITY_H */
