// SPDX-License-Identifier: GPL-2.0
/*
 * mheap_faulty - a module that misbehaves on purpose, so that
 * scripts/selfcheck.sh can prove the harness notices.  Never load it
 * anywhere but a throwaway test guest.
 *
 *   mode=kunit  its KUnit suite mheap_selfcheck has a failing case
 *   mode=warn   init triggers a kernel WARN
 *   mode=kasan  init reads a kmalloc object after kfree (KASAN report)
 */
#include <linux/module.h>
#include <linux/slab.h>
#include <kunit/test.h>

static char *mode = "";
module_param(mode, charp, 0400);
MODULE_PARM_DESC(mode, "Fault to inject: kunit, warn or kasan");

static void selfcheck_injected(struct kunit *test)
{
	KUNIT_EXPECT_STRNEQ_MSG(test, mode, "kunit",
				"failure injected by mheap_faulty");
}

static struct kunit_case selfcheck_cases[] = {
	KUNIT_CASE(selfcheck_injected),
	{}
};

static struct kunit_suite selfcheck_suite = {
	.name = "mheap_selfcheck",
	.test_cases = selfcheck_cases,
};

kunit_test_suites(&selfcheck_suite);

static noinline void use_after_free(void)
{
	char *p = kmalloc(64, GFP_KERNEL);

	if (!p)
		return;
	kfree(p);
	pr_info("mheap_faulty: read after free: %d\n", READ_ONCE(p[8]));
}

static int __init faulty_init(void)
{
	if (!strcmp(mode, "warn"))
		WARN(1, "mheap_faulty: warning injected on purpose\n");
	else if (!strcmp(mode, "kasan"))
		use_after_free();
	return 0;
}

static void __exit faulty_exit(void)
{
}

module_init(faulty_init);
module_exit(faulty_exit);
MODULE_DESCRIPTION("Fault injection for the mheap harness self-check");
MODULE_LICENSE("GPL");
