/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The test framework of the userspace tests: CHECK() records a failed
 * condition in the running test, and mheap_test_main() runs a table of
 * tests printing KTAP as the kselftests do (tools/testing/selftests/
 * kselftest.h): the header, the plan, "ok N name" or "not ok N name" per
 * test and a "# Totals:" line.  Defining MHEAP_TEST_ABORT before the
 * include makes a failed CHECK() abort instead (for the fuzzer).
 */
#ifndef _MHEAP_KTAP_TEST_H
#define _MHEAP_KTAP_TEST_H

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

struct mheap_test {
	const char *name;
	void (*fn)(void);
};

/* Failed checks of the running test; a test may read it to stop early. */
static int cur_failures;

static inline bool record_check(bool ok, int line, const char *what)
{
	if (!ok) {
		if (cur_failures < 10)
			printf("# line %d: check failed: %s\n", line, what);
		cur_failures++;
#ifdef MHEAP_TEST_ABORT
		abort();
#endif
	}
	return ok;
}

#define CHECK(cond)	record_check(!!(cond), __LINE__, #cond)

/*
 * Run @n tests; @before (may be NULL) sets up test @i, @after (may be
 * NULL) returns how many failures it found that CHECK() did not.  Returns
 * the exit status: 0 if every test passed, 1 otherwise.
 */
static inline int mheap_test_main(const struct mheap_test *tests, unsigned int n,
				  void (*before)(unsigned int i),
				  int (*after)(void))
{
	unsigned int i, passed = 0, failed = 0;

	printf("TAP version 13\n1..%u\n", n);
	for (i = 0; i < n; i++) {
		cur_failures = 0;
		if (before)
			before(i);
		tests[i].fn();
		if (after)
			cur_failures += after();
		if (cur_failures) {
			failed++;
			printf("not ok %u %s\n", i + 1, tests[i].name);
		} else {
			passed++;
			printf("ok %u %s\n", i + 1, tests[i].name);
		}
	}
	printf("# Totals: pass:%u fail:%u xfail:0 xpass:0 skip:0 error:0\n",
	       passed, failed);
	return failed ? 1 : 0;
}

#endif /* _MHEAP_KTAP_TEST_H */
