/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The allocator under test, chosen at build time: one executable per
 * allocator, since jemalloc, tcmalloc and mimalloc (as Debian builds
 * them) each replace malloc() for the whole process.
 *
 *   BK_GLIBC     glibc's malloc()/free()
 *   BK_JEMALLOC  jemalloc's malloc()/free() (linked with -ljemalloc)
 *   BK_TCMALLOC  tc_malloc()/tc_free() (linked with -ltcmalloc_minimal)
 *   BK_MIMALLOC  mi_malloc()/mi_free() (linked with -lmimalloc)
 *   BK_MHEAP     mheap_alloc()/mheap_free() of the userspace build
 *
 * Every backend provides, as static inline functions so that the timed
 * loops call the allocator directly (no dispatch in the loop):
 *
 *   bk_init()          once, before anything else; 0 or a negative errno
 *   bk_version()       the library's own idea of its version
 *   bk_check()         proves that the allocator we meant is the one
 *                      answering (a link-order mistake would measure glibc)
 *   bk_alloc(size)     one object, in a timed loop
 *   bk_alloc_fill(size) one object, untimed (fills, pre-warming): for
 *                      mheap the GFP_KERNEL allocation that may grow the
 *                      heap, where bk_alloc() is GFP_ATOMIC as in the
 *                      kernel benchmark's timed loops
 *   bk_free(p)         its free
 *   bk_select(gc)      the following calls are for the collection rows (1)
 *                      or the allocator rows (0): mheap has a heap each
 *   bk_thread_enter(cpu) / bk_thread_exit(): around the work of a thread
 *                      bound to CPU cpu
 */
#ifndef NATIVE_BENCH_BACKEND_H
#define NATIVE_BENCH_BACKEND_H

#include <stdio.h>
#include <stdlib.h>

#if defined(BK_GLIBC)

#include <gnu/libc-version.h>
#include <malloc.h>

#define BK_NAME "glibc"
static inline int bk_init(void) { return 0; }
static inline const char *bk_version(void)
{
	return gnu_get_libc_version();
}

static inline int bk_check(void) { return 0; }
static inline void *bk_alloc(size_t size) { return malloc(size); }
static inline void bk_free(void *p) { free(p); }

#elif defined(BK_JEMALLOC)

#include <string.h>
#include <jemalloc/jemalloc.h>

#define BK_NAME "jemalloc"
static inline int bk_init(void) { return 0; }
static inline const char *bk_version(void)
{
	const char *v = "?";
	size_t len = sizeof(v);

	mallctl("version", &v, &len, NULL, 0);
	return v;
}

/* thread.allocated counts what jemalloc handed to this thread. */
static inline int bk_check(void)
{
	unsigned long long a0 = 0, a1 = 0;
	size_t len = sizeof(a0);
	void *p;

	if (mallctl("thread.allocated", &a0, &len, NULL, 0))
		return -1;
	p = malloc(1000);
	len = sizeof(a1);
	mallctl("thread.allocated", &a1, &len, NULL, 0);
	free(p);
	return a1 >= a0 + 1000 ? 0 : -1;
}

static inline void *bk_alloc(size_t size) { return malloc(size); }
static inline void bk_free(void *p) { free(p); }

#elif defined(BK_TCMALLOC)

#include <gperftools/tcmalloc.h>

#define BK_NAME "tcmalloc"
static inline int bk_init(void) { return 0; }
static inline const char *bk_version(void)
{
	int major, minor;
	const char *patch;

	return tc_version(&major, &minor, &patch);
}

/*
 * malloc() must be tcmalloc's too (the process has one allocator): its
 * malloc is an alias of tc_malloc.
 */
static inline int bk_check(void)
{
	void *m = (void *)malloc;

	/* Hide the address: distinct symbols may be assumed unequal. */
	asm("" : "+r"(m));
	return m == (void *)tc_malloc ? 0 : -1;
}

static inline void *bk_alloc(size_t size) { return tc_malloc(size); }
static inline void bk_free(void *p) { tc_free(p); }

#elif defined(BK_MIMALLOC)

#include <mimalloc.h>

#define BK_NAME "mimalloc"
static inline int bk_init(void) { return 0; }
static inline const char *bk_version(void)
{
	static char buf[16];
	int v = mi_version();

	snprintf(buf, sizeof(buf), "%d.%d.%d", v / 100, v / 10 % 10, v % 10);
	return buf;
}

static inline int bk_check(void)
{
	void *p = malloc(1000);
	int ok = mi_is_in_heap_region(p);

	free(p);
	return ok ? 0 : -1;
}

static inline void *bk_alloc(size_t size) { return mi_malloc(size); }
static inline void bk_free(void *p) { mi_free(p); }

#elif defined(BK_MHEAP)

#include "mheap_backend.h"

#else
#error "define one of BK_GLIBC, BK_JEMALLOC, BK_TCMALLOC, BK_MIMALLOC, BK_MHEAP"
#endif

#ifndef BK_HAS_ALLOC_FILL
static inline void *bk_alloc_fill(size_t size) { return bk_alloc(size); }
#endif

#ifndef BK_HAS_SELECT
static inline void bk_select(int gc) { (void)gc; }
#endif

#ifndef BK_HAS_THREAD_HOOKS
static inline void bk_thread_enter(unsigned int cpu) { (void)cpu; }
static inline void bk_thread_exit(void) { }
#endif

#endif /* NATIVE_BENCH_BACKEND_H */
