// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite mheap_heap: heap instances, their names and debugfs tree.
 */
#include <kunit/test.h>
#include <linux/debugfs.h>
#include <linux/err.h>
#include "internal.h"

static void heap_create_destroy(struct kunit *test)
{
	struct mheap *h = mheap_create("kunit-a", NULL);

	KUNIT_ASSERT_FALSE(test, IS_ERR(h));
	KUNIT_EXPECT_STREQ(test, mheap_name(h), "kunit-a");
	KUNIT_EXPECT_PTR_EQ(test, mheap_find("kunit-a"), h);
	mheap_destroy(h);
	KUNIT_EXPECT_NULL(test, mheap_find("kunit-a"));
}

static const char * const bad_names[] = {
	"", "heaps", ".hidden", "a/b", "sp ace", "tab\t", "new\nline",
	"0123456789012345678901234567890123456789",
};

static void heap_bad_names(struct kunit *test)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(bad_names); i++) {
		struct mheap *h = mheap_create(bad_names[i], NULL);

		KUNIT_EXPECT_EQ_MSG(test, PTR_ERR(h), -EINVAL, "name '%s'",
				    bad_names[i]);
		if (!IS_ERR(h))
			mheap_destroy(h);
	}
	KUNIT_EXPECT_EQ(test, PTR_ERR(mheap_create(NULL, NULL)), -EINVAL);
}

static void heap_longest_name(struct kunit *test)
{
	char name[MHEAP_NAME_MAX + 1];
	struct mheap *h;

	memset(name, 'x', MHEAP_NAME_MAX);
	name[MHEAP_NAME_MAX] = '\0';
	h = mheap_create(name, NULL);
	KUNIT_ASSERT_FALSE(test, IS_ERR(h));
	KUNIT_EXPECT_STREQ(test, mheap_name(h), name);
	mheap_destroy(h);
}

static void heap_duplicate_name(struct kunit *test)
{
	struct mheap *a, *b;

	a = mheap_create("kunit-dup", NULL);
	KUNIT_ASSERT_FALSE(test, IS_ERR(a));
	b = mheap_create("kunit-dup", NULL);
	KUNIT_EXPECT_EQ(test, PTR_ERR(b), -EEXIST);
	mheap_destroy(a);

	/* The name is free again once its heap is gone. */
	b = mheap_create("kunit-dup", NULL);
	KUNIT_EXPECT_FALSE(test, IS_ERR(b));
	mheap_destroy(b);
}

static void heap_debugfs_dir(struct kunit *test)
{
	struct dentry *root = mheap_debugfs_root();
	struct dentry *d;
	struct mheap *h;

	if (IS_ERR_OR_NULL(root))
		kunit_skip(test, "debugfs is not available");

	h = mheap_create("kunit-dbg", NULL);
	KUNIT_ASSERT_FALSE(test, IS_ERR(h));
	d = debugfs_lookup("kunit-dbg", root);
	KUNIT_EXPECT_NOT_ERR_OR_NULL(test, d);
	dput(d);
	d = debugfs_lookup("stats", h->dir);
	KUNIT_EXPECT_NOT_ERR_OR_NULL(test, d);
	dput(d);
	mheap_destroy(h);

	d = debugfs_lookup("kunit-dbg", root);
	KUNIT_EXPECT_NULL(test, d);
	dput(d);
}

static void heap_destroy_null(struct kunit *test)
{
	/* Must be harmless, like kfree(NULL). */
	mheap_destroy(NULL);
	mheap_destroy(ERR_PTR(-ENOMEM));
	KUNIT_SUCCEED(test);
}

static struct kunit_case mheap_heap_cases[] = {
	KUNIT_CASE(heap_create_destroy),
	KUNIT_CASE(heap_bad_names),
	KUNIT_CASE(heap_longest_name),
	KUNIT_CASE(heap_duplicate_name),
	KUNIT_CASE(heap_debugfs_dir),
	KUNIT_CASE(heap_destroy_null),
	{}
};

static struct kunit_suite mheap_heap_suite = {
	.name = "mheap_heap",
	.test_cases = mheap_heap_cases,
};

kunit_test_suites(&mheap_heap_suite);
