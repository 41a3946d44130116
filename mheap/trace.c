// SPDX-License-Identifier: GPL-2.0
/*
 * The trace events of include/trace/events/mheap.h are defined here.
 */
#include "internal.h"

#define CREATE_TRACE_POINTS
#include <trace/events/mheap.h>

/*
 * The events are an interface of tracefs, not of other modules: only the
 * KUnit suite mheap_trace, a module of its own, attaches probes to them,
 * so they are exported only to kernels that can load it, as the symbols
 * of EXPORT_SYMBOL_IF_KUNIT() are.
 */
#if IS_ENABLED(CONFIG_KUNIT)
EXPORT_TRACEPOINT_SYMBOL_GPL(mheap_heap_create);
EXPORT_TRACEPOINT_SYMBOL_GPL(mheap_heap_destroy);
EXPORT_TRACEPOINT_SYMBOL_GPL(mheap_region_map);
EXPORT_TRACEPOINT_SYMBOL_GPL(mheap_region_release);
EXPORT_TRACEPOINT_SYMBOL_GPL(mheap_limit_fail);
EXPORT_TRACEPOINT_SYMBOL_GPL(mheap_scavenge);
EXPORT_TRACEPOINT_SYMBOL_GPL(mheap_span_alloc);
EXPORT_TRACEPOINT_SYMBOL_GPL(mheap_span_free);
EXPORT_TRACEPOINT_SYMBOL_GPL(mheap_mcentral_refill);
EXPORT_TRACEPOINT_SYMBOL_GPL(mheap_gc_begin);
EXPORT_TRACEPOINT_SYMBOL_GPL(mheap_gc_end);
EXPORT_TRACEPOINT_SYMBOL_GPL(mheap_sweep_span);
EXPORT_TRACEPOINT_SYMBOL_GPL(mheap_bad_free);
#endif
