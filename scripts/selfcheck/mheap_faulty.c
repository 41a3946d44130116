// SPDX-License-Identifier: GPL-2.0
/*
 * mheap_faulty - a module that misbehaves on purpose, so that
 * scripts/selfcheck.sh can prove the harness notices.  Never load it
 * anywhere but a throwaway test guest.
 *
 *   mode=kunit       its KUnit suite mheap_selfcheck has a failing case
 *   mode=warn        init triggers a kernel WARN
 *   mode=kasan       init reads a kmalloc object after kfree (KASAN report)
 *   mode=leak        init leaks kmalloc objects (kmemleak report)
 *   mode=mheap-uaf   init reads an mheap object after mheap_free(): KASAN
 *                    must catch it as it would a kmalloc object
 *   mode=mheap-leak  init allocates mheap objects and drops the pointers:
 *                    kmemleak must report them as it would slab objects
 *   mode=race        init has a thread on each of two CPUs increment one
 *                    plain counter for 2 s: a data race KCSAN must report
 *                    (KCSAN kernel only)
 */
#include <linux/delay.h>
#include <linux/err.h>
#include <linux/kthread.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <kunit/test.h>
#include <mheap.h>

static char *mode = "";
module_param(mode, charp, 0400);
MODULE_PARM_DESC(mode, "Fault to inject: kunit, warn, kasan, leak, mheap-uaf, mheap-leak, race");

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

static struct mheap *heap;

static noinline void mheap_use_after_free(void)
{
	char *p = mheap_alloc(heap, 64, GFP_KERNEL);

	if (!p)
		return;
	mheap_free(heap, p);
	pr_info("mheap_faulty: read after mheap_free: %d\n", READ_ONCE(p[8]));
}

/*
 * Leak many objects: kmemleak scans whole task stacks, cached ones too, so
 * the last few pointers may linger in a dead frame and look referenced.
 */
#define NLEAK	100

static noinline void mheap_leak(void)
{
	int i;

	/* The heap stays after this module goes, with these unreachable. */
	for (i = 0; i < NLEAK; i++) {
		char *p = mheap_alloc(heap, 128, GFP_KERNEL);

		if (p)
			WRITE_ONCE(*p, i);
	}
	heap = NULL;
	pr_info("mheap_faulty: leaked %d mheap objects\n", NLEAK);
}

static noinline void kmalloc_leak(void)
{
	int i;

	for (i = 0; i < NLEAK; i++) {
		char *p = kmalloc(128, GFP_KERNEL);

		if (p)
			WRITE_ONCE(*p, i);
	}
	pr_info("mheap_faulty: leaked %d kmalloc objects\n", NLEAK);
}

static unsigned long racy_counter;

static int racer_fn(void *unused)
{
	while (!kthread_should_stop()) {
		racy_counter++;	/* plain and unlocked, on purpose */
		cpu_relax();
	}
	return 0;
}

static noinline void plain_counter_race(void)
{
	struct task_struct *t[2] = { NULL, NULL };
	unsigned int cpu, n = 0;

	for_each_online_cpu(cpu) {
		if (n == ARRAY_SIZE(t))
			break;
		t[n] = kthread_run_on_cpu(racer_fn, NULL, cpu, "mheap_racer/%u");
		if (IS_ERR(t[n])) {
			t[n] = NULL;
			break;
		}
		n++;
	}
	msleep(2000);
	while (n--)
		kthread_stop(t[n]);
	pr_info("mheap_faulty: raced on a plain counter: %lu\n",
		READ_ONCE(racy_counter));
}

static int __init faulty_init(void)
{
	if (!strncmp(mode, "mheap-", 6)) {
		heap = mheap_create("faulty", NULL);
		if (IS_ERR(heap))
			return PTR_ERR(heap);
	}
	if (!strcmp(mode, "warn"))
		WARN(1, "mheap_faulty: warning injected on purpose\n");
	else if (!strcmp(mode, "kasan"))
		use_after_free();
	else if (!strcmp(mode, "leak"))
		kmalloc_leak();
	else if (!strcmp(mode, "mheap-uaf"))
		mheap_use_after_free();
	else if (!strcmp(mode, "mheap-leak"))
		mheap_leak();
	else if (!strcmp(mode, "race"))
		plain_counter_race();
	return 0;
}

static void __exit faulty_exit(void)
{
	mheap_destroy(heap);
}

module_init(faulty_init);
module_exit(faulty_exit);
MODULE_DESCRIPTION("Fault injection for the mheap harness self-check");
MODULE_LICENSE("GPL");
