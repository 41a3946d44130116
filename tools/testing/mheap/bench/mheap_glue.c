// SPDX-License-Identifier: GPL-2.0
/*
 * mheap's public interface as plain C functions for native_bench.c (see
 * mheap_backend.h).  Two heaps, as in bench/mheap_bench.c: "bench" for
 * the allocator rows and "bench-gc" for the collection rows, whose
 * background sweeper is off so that the calls timed do all the sweeping
 * (the kernel benchmark writes "sweeper off" to its control file; here
 * the same function is called directly).  Built with the include path of
 * the userspace build's shims.
 */
#include <linux/err.h>
#include <linux/gfp.h>
#include <mheap.h>
#include <unistd.h>

/* mheap_bgsweep_set(): what the control file's "sweeper off" does. */
#include "internal.h"

#include "us.h"
#include "nb_mheap.h"

static struct mheap *bench_heap, *gc_heap, *heap;

/*
 * The shims' machine: one CPU per online CPU, the caller on CPU 0; then
 * the module's init (its CPU-hotplug state, debugfs root, and its
 * "default" heap, which stays idle).
 */
int nb_init(void)
{
	long ncpus = sysconf(_SC_NPROCESSORS_ONLN);

	us_init(ncpus < 2 ? 2 : (unsigned int)ncpus);
	if (us_module_init())
		return -1;
	bench_heap = mheap_create("bench", NULL);
	gc_heap = mheap_create("bench-gc", NULL);
	if (IS_ERR_OR_NULL(bench_heap) || IS_ERR_OR_NULL(gc_heap))
		return -1;
	mheap_bgsweep_set(gc_heap, false);
	heap = bench_heap;
	return 0;
}

/* Every call after this one goes to the collection heap (gc) or not. */
void nb_select(int gc)
{
	heap = gc ? gc_heap : bench_heap;
}

const char *nb_version(void)
{
	return "userspace build";
}

/*
 * Timed allocations are atomic, as in bench/mheap_bench.c: they never
 * grow the heap (each row is pre-warmed) and skip might_sleep().
 */
void *nb_alloc(size_t size)
{
	return mheap_alloc(heap, size, GFP_ATOMIC | __GFP_NOWARN);
}

/* Fills and pre-warming may grow the heap. */
void *nb_alloc_fill(size_t size)
{
	return mheap_alloc(heap, size, GFP_KERNEL);
}

void nb_free(void *p)
{
	mheap_free(heap, p);
}

void nb_gc_begin(void)
{
	mheap_gc_begin(heap);
}

bool nb_mark(void *p)
{
	return mheap_mark(heap, p);
}

void nb_gc_end(void)
{
	mheap_gc_end(heap);
}

void nb_sweep_all(void)
{
	mheap_sweep_all(heap);
}

unsigned long nb_reclaim(unsigned long npages)
{
	return mheap_reclaim(heap, npages);
}

size_t nb_release_all(void)
{
	return mheap_release_all(heap);
}

/* A thread of the two-thread rows plays the CPU it is bound to. */
void nb_thread_enter(unsigned int cpu)
{
	us_thread_start(cpu);
}

void nb_thread_exit(void)
{
	us_thread_stop();
}
