// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite mheap_sizeclass: the size-class table of sizeclass.c as the
 * kernel sees it.  Every request size maps to the smallest class that
 * fits, each class's own size and the byte after it land exactly on the
 * class boundary, and the division magic finds every object's index.
 */
#include <kunit/test.h>
#include "helpers.h"

static void sizeclass_smallest_fit(struct kunit *test)
{
	unsigned int s, cls;

	KUNIT_EXPECT_EQ(test, mheap_size_to_class(0), 0U);
	KUNIT_EXPECT_EQ(test, mheap_size_to_class(MHEAP_MAX_SMALL + 1), 0U);
	for (s = 1; s <= MHEAP_MAX_SMALL; s++) {
		cls = mheap_size_to_class(s);
		KUNIT_ASSERT_GE_MSG(test, mheap_class_size[cls], s, "size %u", s);
		KUNIT_ASSERT_LT_MSG(test, mheap_class_size[cls - 1], s, "size %u", s);
	}
}

static void sizeclass_index_by_magic(struct kunit *test)
{
	unsigned int cls, i;

	for (cls = 1; cls < MHEAP_NUM_CLASSES; cls++) {
		unsigned int size = mheap_class_size[cls];
		u32 magic = mheap_class_divmagic[cls];

		KUNIT_EXPECT_EQ(test, mheap_class_nelems[cls],
				mheap_class_npages[cls] * PAGE_SIZE / size);
		for (i = 0; i < mheap_class_nelems[cls]; i++) {
			KUNIT_ASSERT_EQ(test, mheap_obj_index(i * size, magic), i);
			KUNIT_ASSERT_EQ(test, mheap_obj_index(i * size + size - 1,
							      magic), i);
		}
	}
}

/*
 * Each boundary of the table on its own: a class's size maps to that
 * class, one byte more to the next one, and the last class ends exactly
 * at MHEAP_MAX_SMALL.
 */
static void sizeclass_boundaries(struct kunit *test)
{
	unsigned int cls;

	KUNIT_EXPECT_EQ(test, (unsigned int)mheap_class_size[0], 0U);
	KUNIT_EXPECT_EQ(test, (unsigned int)mheap_class_size[MHEAP_NUM_CLASSES - 1],
			(unsigned int)MHEAP_MAX_SMALL);
	for (cls = 1; cls < MHEAP_NUM_CLASSES; cls++) {
		unsigned int size = mheap_class_size[cls];

		KUNIT_ASSERT_GT_MSG(test, size, (unsigned int)mheap_class_size[cls - 1],
				    "class %u", cls);
		KUNIT_EXPECT_EQ_MSG(test, mheap_size_to_class(size), cls,
				    "size %u", size);
		KUNIT_EXPECT_EQ_MSG(test,
				    mheap_size_to_class(mheap_class_size[cls - 1] + 1),
				    cls, "size %u", mheap_class_size[cls - 1] + 1);
		if (cls + 1 < MHEAP_NUM_CLASSES)
			KUNIT_EXPECT_EQ_MSG(test, mheap_size_to_class(size + 1),
					    cls + 1, "size %u", size + 1);
	}
}

static struct kunit_case mheap_sizeclass_cases[] = {
	KUNIT_CASE(sizeclass_smallest_fit),
	KUNIT_CASE(sizeclass_boundaries),
	KUNIT_CASE(sizeclass_index_by_magic),
	{}
};

static struct kunit_suite mheap_sizeclass_suite = {
	.name = "mheap_sizeclass",
	.test_cases = mheap_sizeclass_cases,
};

kunit_test_suites(&mheap_sizeclass_suite);
