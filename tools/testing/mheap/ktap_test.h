/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The test framework of the userspace tests, printing KTAP as the
 * kselftests do (tools/testing/selftests/kselftest.h,
 * Documentation/dev-tools/ktap.rst).
 *
 * CHECK(cond) records a failed condition in the running test, and
 * CHECKF(cond, fmt, ...) does so with a printf-style message on the
 * values; both are expressions with the condition's truth value, and
 * any thread may use them.  mheap_test_run() runs a table of tests and
 * prints the header, the plan, "ok N name" or "not ok N name" per test
 * and a "# Totals:" line; mheap_test_main() does so for a program's
 * command line, where "-l" lists the tests' names instead, one a line
 * (make run counts them for its plan).
 *
 * Defining MHEAP_TEST_ABORT before the include makes a failed check
 * abort instead, so that a fuzzer records the input.
 */
#ifndef _MHEAP_KTAP_TEST_H
#define _MHEAP_KTAP_TEST_H

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Failed checks reported per test; the rest are only counted. */
#define MHEAP_TEST_REPORTS	10
/* CHECKF()'s message is cut at this length. */
#define MHEAP_TEST_MSG_MAX	256

struct mheap_test {
	const char *name;
	void (*fn)(void);
};

/*
 * Failed checks of the running test, written with atomic operations as
 * checks may fail on several threads at once; a single-threaded test
 * may read it to stop early.
 */
static int cur_failures;

/**
 * mheap_test_failures() - the failed checks of the running test so far
 *
 * Return: how many checks failed since the test began.
 */
static inline int mheap_test_failures(void)
{
	return __atomic_load_n(&cur_failures, __ATOMIC_RELAXED);
}

/**
 * mheap_test_failed() - record a failed check in the running test
 * @line: the line of the check
 * @cond: the condition checked, as written
 * @msg: a message on the values, or NULL
 *
 * Counts the failure and prints it as a KTAP diagnostic line, with one
 * printf() so that lines of several threads do not mix; past
 * MHEAP_TEST_REPORTS failures in a test only counts it.  With
 * MHEAP_TEST_ABORT, flushes stdout and aborts.
 */
static inline void mheap_test_failed(int line, const char *cond,
				     const char *msg)
{
	int n = __atomic_fetch_add(&cur_failures, 1, __ATOMIC_RELAXED);

	if (n < MHEAP_TEST_REPORTS)
		printf("# line %d: check failed: %s%s%s\n", line, cond,
		       msg ? ": " : "", msg ? msg : "");
#ifdef MHEAP_TEST_ABORT
	fflush(stdout);
	abort();
#endif
}

#define CHECK(cond) ({							\
	bool __ok = !!(cond);						\
									\
	if (!__ok)							\
		mheap_test_failed(__LINE__, #cond, NULL);		\
	__ok;								\
})

/*
 * The message is formatted by snprintf() in the caller, so the compiler
 * checks @fmt against the arguments, and only when the check failed.
 */
#define CHECKF(cond, fmt, ...) ({					\
	bool __ok = !!(cond);						\
									\
	if (!__ok) {							\
		char __msg[MHEAP_TEST_MSG_MAX];				\
									\
		snprintf(__msg, sizeof(__msg), fmt, ##__VA_ARGS__);	\
		mheap_test_failed(__LINE__, #cond, __msg);		\
	}								\
	__ok;								\
})

/**
 * mheap_test_run() - run a table of tests, printing KTAP
 * @tests: the tests
 * @n: how many there are
 * @before: NULL, or called with the test's index before each test
 * @after: NULL, or called after each test; returns how many failures it
 *	found that no check recorded
 *
 * stdout is flushed after each result, so that a crash in a test leaves
 * the results before it in the output.
 *
 * Return: the exit status, 0 if every test passed, 1 otherwise.
 */
static inline int mheap_test_run(const struct mheap_test *tests,
				 unsigned int n,
				 void (*before)(unsigned int i),
				 int (*after)(void))
{
	unsigned int i, passed = 0, failed = 0;
	int failures;

	printf("TAP version 13\n1..%u\n", n);
	fflush(stdout);
	for (i = 0; i < n; i++) {
		__atomic_store_n(&cur_failures, 0, __ATOMIC_RELAXED);
		if (before)
			before(i);
		tests[i].fn();
		failures = mheap_test_failures();
		if (after)
			failures += after();
		if (failures) {
			failed++;
			printf("not ok %u %s\n", i + 1, tests[i].name);
		} else {
			passed++;
			printf("ok %u %s\n", i + 1, tests[i].name);
		}
		fflush(stdout);
	}
	printf("# Totals: pass:%u fail:%u xfail:0 xpass:0 skip:0 error:0\n",
	       passed, failed);
	return failed ? 1 : 0;
}

/**
 * mheap_test_main() - a test program's main(): run its tests or list them
 * @argc: main()'s argc
 * @argv: main()'s argv
 * @tests: the tests
 * @n: how many there are
 * @before: as for mheap_test_run()
 * @after: as for mheap_test_run()
 *
 * With no argument, runs the tests (mheap_test_run()); with "-l", prints
 * their names, one a line, and runs nothing.
 *
 * Return: the exit status: mheap_test_run()'s, 0 after "-l", or 2 on a
 * bad command line.
 */
static inline int mheap_test_main(int argc, char **argv,
				  const struct mheap_test *tests,
				  unsigned int n,
				  void (*before)(unsigned int i),
				  int (*after)(void))
{
	unsigned int i;

	if (argc == 2 && !strcmp(argv[1], "-l")) {
		for (i = 0; i < n; i++)
			printf("%s\n", tests[i].name);
		return 0;
	}
	if (argc > 1) {
		fprintf(stderr, "usage: %s [-l]\n", argv[0]);
		return 2;
	}
	return mheap_test_run(tests, n, before, after);
}

#endif /* _MHEAP_KTAP_TEST_H */
