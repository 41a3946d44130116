// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit test module for mheap.  Each kunit/<area>_test.c file holds one
 * or more suites named mheap_<area>; they run when this module is loaded.
 */
#include <linux/module.h>
#include <kunit/test.h>

MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);
MODULE_DESCRIPTION("KUnit tests for mheap");
MODULE_LICENSE("GPL");
