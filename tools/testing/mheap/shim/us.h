/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The userspace shim's own interface, for the test programs: set-up and
 * tear-down of the "machine", and what the shims recorded.
 */
#ifndef _US_SHIM_H
#define _US_SHIM_H

#include <linux/kernel.h>

/*
 * Bring up @ncpus CPUs (their worker threads, the timer thread) and
 * register the caller as a task on CPU 0.  Call once, before anything.
 */
void us_init(unsigned int ncpus);
/* Stop the worker and timer threads; after the last heap is gone. */
void us_exit(void);
/* A thread that calls into mheap starts with this (RCU registration). */
void us_thread_start(unsigned int cpu);
void us_thread_stop(void);

/* Counters of what the shims saw; see each header. */
unsigned long us_bugs(void);		/* might_sleep / lockdep_assert_held */

#endif /* _US_SHIM_H */
