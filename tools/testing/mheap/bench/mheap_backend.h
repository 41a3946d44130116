/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The mheap backend of native_bench: mheap_alloc()/mheap_free() of the
 * module's own code, built in userspace by tools/testing/mheap against its
 * shims, through the public interface (include/mheap.h).
 */
#ifndef NATIVE_BENCH_MHEAP_BACKEND_H
#define NATIVE_BENCH_MHEAP_BACKEND_H

#include <limits.h>
#include <mheap.h>

#define BK_NAME "mheap"

static struct mheap *bk_heap;

static inline int bk_init(void)
{
	bk_heap = mheap_create("native-bench", NULL);
	return IS_ERR_OR_NULL(bk_heap) ? -1 : 0;
}

static inline const char *bk_version(void)
{
	return "userspace build";
}

static inline int bk_check(void) { return 0; }

static inline void *bk_alloc(size_t size)
{
	return mheap_alloc(bk_heap, size, GFP_KERNEL);
}

static inline void bk_free(void *p)
{
	mheap_free(bk_heap, p);
}

#endif /* NATIVE_BENCH_MHEAP_BACKEND_H */
