// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit test module for mheap.  Each mheap/tests/<area>_kunit.c holds the
 * suite mheap_<area> of mheap/<area>.c; they run when this module is loaded.
 */
#include <linux/module.h>
#include <kunit/test.h>

MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);
MODULE_DESCRIPTION("KUnit tests for mheap");
MODULE_LICENSE("GPL");
