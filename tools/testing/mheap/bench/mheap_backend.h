/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The mheap backend of native_bench: the module's own code, built in
 * userspace by tools/testing/mheap against its shims, through its public
 * interface (include/mheap.h).  mheap_glue.c, built with the shims'
 * include path, wraps that interface in plain C functions: the shims'
 * linux/ headers cannot share a translation unit with the system's
 * (native_bench.c includes <linux/perf_event.h>).  Each wrapper compiles
 * to a tail jump into mheap.
 */
#ifndef NATIVE_BENCH_MHEAP_BACKEND_H
#define NATIVE_BENCH_MHEAP_BACKEND_H

#include <stdbool.h>
#include <stddef.h>

#define BK_NAME "mheap"

#include "nb_mheap.h"

#define BK_HAS_THREAD_HOOKS
#define BK_HAS_SELECT
static inline void bk_select(int gc) { nb_select(gc); }
static inline int bk_init(void) { return nb_init(); }
static inline const char *bk_version(void) { return nb_version(); }
static inline int bk_check(void) { return 0; }
static inline void *bk_alloc(size_t size) { return nb_alloc(size); }
#define BK_HAS_ALLOC_FILL
static inline void *bk_alloc_fill(size_t size) { return nb_alloc_fill(size); }
static inline void bk_free(void *p) { nb_free(p); }
static inline void bk_thread_enter(unsigned int cpu) { nb_thread_enter(cpu); }
static inline void bk_thread_exit(void) { nb_thread_exit(); }

#endif /* NATIVE_BENCH_MHEAP_BACKEND_H */
