/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The functions of mheap_glue.c.  Includes nothing: bool and size_t come
 * from the system's headers in native_bench.c and from the shims' in
 * mheap_glue.c.
 */
#ifndef NATIVE_BENCH_NB_MHEAP_H
#define NATIVE_BENCH_NB_MHEAP_H

int nb_init(void);
const char *nb_version(void);
void *nb_alloc(size_t size);
void *nb_alloc_fill(size_t size);
void nb_free(void *p);
void nb_gc_begin(void);
bool nb_mark(void *p);
void nb_gc_end(void);
void nb_sweep_all(void);
unsigned long nb_reclaim(unsigned long npages);
size_t nb_release_all(void);
void nb_thread_enter(unsigned int cpu);
void nb_thread_exit(void);
void nb_select(int gc);

#endif /* NATIVE_BENCH_NB_MHEAP_H */
