/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Trace events of the mheap module: /sys/kernel/tracing/events/mheap/.
 *
 * Named as the kernel names its mm events (kmem:mm_page_alloc): heap
 * life, regions mapped and released, spans, refills, collection cycles,
 * sweeping, the page reclaimer, the scavenger and refused frees.  None of
 * them is on the per-object path of mheap_alloc()/mheap_free().  Fields
 * are page counts, size classes and sweep generations, not addresses.
 *
 * Include after internal.h: the assignments read the module's private
 * structures, which only mheap/trace.c (CREATE_TRACE_POINTS) expands.
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM mheap

#if !defined(_TRACE_MHEAP_H) || defined(TRACE_HEADER_MULTI_READ)
#define _TRACE_MHEAP_H

#include <linux/tracepoint.h>
#include "compat.h"

struct mheap;
struct mheap_region;
struct mheap_span;

TRACE_DEFINE_ENUM(MHEAP_MAP_VMAP);
TRACE_DEFINE_ENUM(MHEAP_MAP_DIRECT);
TRACE_DEFINE_ENUM(MHEAP_REGION_AUTO);
TRACE_DEFINE_ENUM(MHEAP_REGION_VMAP);
TRACE_DEFINE_ENUM(MHEAP_REGION_DIRECT);
TRACE_DEFINE_ENUM(MHEAP_SRC_BACKGROUND);
TRACE_DEFINE_ENUM(MHEAP_SRC_ASSIST);
TRACE_DEFINE_ENUM(MHEAP_SRC_SHRINKER);
TRACE_DEFINE_ENUM(MHEAP_SRC_EXPLICIT);
TRACE_DEFINE_ENUM(MHEAP_SWEEP_BACKGROUND);
TRACE_DEFINE_ENUM(MHEAP_SWEEP_PROPORTIONAL);
TRACE_DEFINE_ENUM(MHEAP_SWEEP_MCENTRAL);
TRACE_DEFINE_ENUM(MHEAP_SWEEP_RECLAIM);
TRACE_DEFINE_ENUM(MHEAP_SWEEP_UNCACHE);
TRACE_DEFINE_ENUM(MHEAP_SWEEP_ENSURE);
TRACE_DEFINE_ENUM(MHEAP_SWEEP_EXPLICIT);

#define show_mheap_map(m)						\
	__print_symbolic(m,						\
			 { MHEAP_MAP_VMAP,	"vmap" },		\
			 { MHEAP_MAP_DIRECT,	"direct" })

#define show_mheap_region_kind(k)					\
	__print_symbolic(k,						\
			 { MHEAP_REGION_AUTO,	"auto" },		\
			 { MHEAP_REGION_VMAP,	"vmap" },		\
			 { MHEAP_REGION_DIRECT,	"direct" })

#define show_mheap_release_src(s)					\
	__print_symbolic(s,						\
			 { MHEAP_SRC_BACKGROUND, "background" },	\
			 { MHEAP_SRC_ASSIST,	"assist" },		\
			 { MHEAP_SRC_SHRINKER,	"shrinker" },		\
			 { MHEAP_SRC_EXPLICIT,	"explicit" })

#define show_mheap_sweep_src(s)						\
	__print_symbolic(s,						\
			 { MHEAP_SWEEP_BACKGROUND, "background" },	\
			 { MHEAP_SWEEP_PROPORTIONAL, "proportional" },	\
			 { MHEAP_SWEEP_MCENTRAL, "mcentral" },		\
			 { MHEAP_SWEEP_RECLAIM,	"reclaim" },		\
			 { MHEAP_SWEEP_UNCACHE,	"uncache" },		\
			 { MHEAP_SWEEP_ENSURE,	"ensure" },		\
			 { MHEAP_SWEEP_EXPLICIT, "explicit" })

/* === Heaps =========================================================== */

TRACE_EVENT(mheap_heap_create,
	    TP_PROTO(struct mheap *h),
	    TP_ARGS(h),
	    TP_STRUCT__entry(__string(heap, h->name)
			     __field(unsigned long, max_pages)
			     __field(unsigned long, limit_pages)
			     __field(unsigned int, kind)),
	    TP_fast_assign(mheap_assign_str(heap, h->name);
			   __entry->max_pages = h->params.max_bytes >> PAGE_SHIFT;
			   __entry->limit_pages = READ_ONCE(h->limit_pages);
			   __entry->kind = h->params.region_kind;),
	    TP_printk("heap=%s max_pages=%lu limit_pages=%lu kind=%s",
		      __get_str(heap), __entry->max_pages, __entry->limit_pages,
		      show_mheap_region_kind(__entry->kind))
);

TRACE_EVENT(mheap_heap_destroy,
	    TP_PROTO(struct mheap *h),
	    TP_ARGS(h),
	    TP_STRUCT__entry(__string(heap, h->name)
			     __field(unsigned long, committed_pages)
			     __field(unsigned long, inuse_pages)
			     __field(unsigned long, cycles)),
	    TP_fast_assign(mheap_assign_str(heap, h->name);
			   __entry->committed_pages = READ_ONCE(h->pages.pages_present);
			   __entry->inuse_pages = atomic_long_read(&h->pages_in_use);
			   __entry->cycles = h->gc.cycles;),
	    TP_printk("heap=%s committed_pages=%lu inuse_pages=%lu cycles=%lu",
		      __get_str(heap), __entry->committed_pages,
		      __entry->inuse_pages, __entry->cycles)
);

/* === Regions and the memory limit ==================================== */

DECLARE_EVENT_CLASS(mheap_region,
		    TP_PROTO(struct mheap *h, struct mheap_region *r),
		    TP_ARGS(h, r),
		    TP_STRUCT__entry(__string(heap, h->name)
				     __field(unsigned long, pages)
				     __field(unsigned long, lpage)
				     __field(unsigned long, committed_pages)
				     __field(unsigned int, kind)),
		    TP_fast_assign(mheap_assign_str(heap, h->name);
				   __entry->pages = r->npages;
				   __entry->lpage = r->lpage;
				   __entry->committed_pages = READ_ONCE(h->pages.pages_present);
				   __entry->kind = r->map;),
		    TP_printk("heap=%s kind=%s pages=%lu lpage=%lu committed_pages=%lu",
			      __get_str(heap), show_mheap_map(__entry->kind),
			      __entry->pages, __entry->lpage, __entry->committed_pages)
);

/* A region was mapped and its chunks given to the page allocator. */
DEFINE_EVENT(mheap_region, mheap_region_map,
	     TP_PROTO(struct mheap *h, struct mheap_region *r),
	     TP_ARGS(h, r)
);

/* A region with no page in use left the heap; its pages go back now. */
DEFINE_EVENT(mheap_region, mheap_region_release,
	     TP_PROTO(struct mheap *h, struct mheap_region *r),
	     TP_ARGS(h, r)
);

TRACE_EVENT(mheap_limit_fail,
	    TP_PROTO(struct mheap *h, unsigned long pages),
	    TP_ARGS(h, pages),
	    TP_STRUCT__entry(__string(heap, h->name)
			     __field(unsigned long, pages)
			     __field(unsigned long, committed_pages)
			     __field(unsigned long, limit_pages)),
	    TP_fast_assign(mheap_assign_str(heap, h->name);
			   __entry->pages = pages;
			   __entry->committed_pages = READ_ONCE(h->pages.pages_present);
			   __entry->limit_pages = READ_ONCE(h->limit_pages);),
	    TP_printk("heap=%s pages=%lu committed_pages=%lu limit_pages=%lu",
		      __get_str(heap), __entry->pages, __entry->committed_pages,
		      __entry->limit_pages)
);

/* One mheap_trim(): who asked, for how much, what went back. */
TRACE_EVENT(mheap_scavenge,
	    TP_PROTO(struct mheap *h, int src, unsigned long want_pages,
		     unsigned long released_pages),
	    TP_ARGS(h, src, want_pages, released_pages),
	    TP_STRUCT__entry(__string(heap, h->name)
			     __field(unsigned long, want_pages)
			     __field(unsigned long, bytes)
			     __field(unsigned long, committed_pages)
			     __field(int, src)),
	    TP_fast_assign(mheap_assign_str(heap, h->name);
			   __entry->want_pages = want_pages;
			   __entry->bytes = released_pages << PAGE_SHIFT;
			   __entry->committed_pages = READ_ONCE(h->pages.pages_present);
			   __entry->src = src;),
	    TP_printk("heap=%s src=%s want_pages=%ld bytes=%lu committed_pages=%lu",
		      __get_str(heap), show_mheap_release_src(__entry->src),
		      /* ULONG_MAX, "everything", shows as -1 */
		      (long)__entry->want_pages, __entry->bytes,
		      __entry->committed_pages)
);

/* === Spans =========================================================== */

/*
 * A span given out by the page heap: to a size class, to a large object
 * (class 0), or whole to mheap_alloc_manual() (class 0, manual).
 */
TRACE_EVENT(mheap_span_alloc,
	    TP_PROTO(struct mheap *h, struct mheap_span *s, bool manual),
	    TP_ARGS(h, s, manual),
	    TP_STRUCT__entry(__string(heap, h->name)
			     __field(unsigned long, pages)
			     __field(unsigned int, objects)
			     __field(u8, sizeclass)
			     __field(bool, noscan)
			     __field(bool, manual)),
	    TP_fast_assign(mheap_assign_str(heap, h->name);
			   __entry->pages = s->npages;
			   __entry->objects = s->nelems;
			   __entry->sizeclass = mheap_spanclass_sizeclass(s->spanclass);
			   __entry->noscan = mheap_spanclass_noscan(s->spanclass);
			   __entry->manual = manual;),
	    TP_printk("heap=%s sizeclass=%u noscan=%d pages=%lu objects=%u kind=%s",
		      __get_str(heap), __entry->sizeclass, __entry->noscan,
		      __entry->pages, __entry->objects,
		      __entry->manual ? "manual" :
		      (__entry->sizeclass ? "small" : "large"))
);

/* A span's pages went back to the page heap (class 0: large or manual). */
TRACE_EVENT(mheap_span_free,
	    TP_PROTO(struct mheap *h, struct mheap_span *s),
	    TP_ARGS(h, s),
	    TP_STRUCT__entry(__string(heap, h->name)
			     __field(unsigned long, pages)
			     __field(u8, sizeclass)
			     __field(bool, noscan)),
	    TP_fast_assign(mheap_assign_str(heap, h->name);
			   __entry->pages = s->npages;
			   __entry->sizeclass = mheap_spanclass_sizeclass(s->spanclass);
			   __entry->noscan = mheap_spanclass_noscan(s->spanclass);),
	    TP_printk("heap=%s sizeclass=%u noscan=%d pages=%lu",
		      __get_str(heap), __entry->sizeclass, __entry->noscan,
		      __entry->pages)
);

/* A CPU's mcache took a span of a class, from mcentral or fresh. */
TRACE_EVENT(mheap_mcentral_refill,
	    TP_PROTO(struct mheap *h, struct mheap_span *s),
	    TP_ARGS(h, s),
	    TP_STRUCT__entry(__string(heap, h->name)
			     __field(unsigned long, pages)
			     __field(unsigned int, objects)
			     __field(unsigned int, free)
			     __field(u8, sizeclass)
			     __field(bool, noscan)),
	    TP_fast_assign(mheap_assign_str(heap, h->name);
			   __entry->pages = s->npages;
			   __entry->objects = s->nelems;
			   __entry->free = s->nelems - mheap_objspan_live(&s->obj);
			   __entry->sizeclass = mheap_spanclass_sizeclass(s->spanclass);
			   __entry->noscan = mheap_spanclass_noscan(s->spanclass);),
	    TP_printk("heap=%s sizeclass=%u noscan=%d pages=%lu objects=%u free=%u",
		      __get_str(heap), __entry->sizeclass, __entry->noscan,
		      __entry->pages, __entry->objects, __entry->free)
);

/* === Collection cycles =============================================== */

DECLARE_EVENT_CLASS(mheap_gc,
		    TP_PROTO(struct mheap *h, unsigned long cycle),
		    TP_ARGS(h, cycle),
		    TP_STRUCT__entry(__string(heap, h->name)
				     __field(unsigned long, cycle)
				     __field(u32, sweepgen)),
		    TP_fast_assign(mheap_assign_str(heap, h->name);
				   __entry->cycle = cycle;
				   __entry->sweepgen = READ_ONCE(h->gc.sweepgen);),
		    TP_printk("heap=%s cycle=%lu sweepgen=%u", __get_str(heap),
			      __entry->cycle, __entry->sweepgen)
);

/* Marking opened; the last cycle is swept.  sweepgen: the heap's now. */
DEFINE_EVENT(mheap_gc, mheap_gc_begin,
	     TP_PROTO(struct mheap *h, unsigned long cycle),
	     TP_ARGS(h, cycle)
);

/* Marking closed: sweepgen is the new one, the begin's + 2. */
DEFINE_EVENT(mheap_gc, mheap_gc_end,
	     TP_PROTO(struct mheap *h, unsigned long cycle),
	     TP_ARGS(h, cycle)
);

/* One span swept: who swept it, what it freed, what still lives. */
TRACE_EVENT(mheap_sweep_span,
	    TP_PROTO(struct mheap *h, struct mheap_span *s, u32 sg, int src,
		     unsigned int freed),
	    TP_ARGS(h, s, sg, src, freed),
	    TP_STRUCT__entry(__string(heap, h->name)
			     __field(unsigned long, pages)
			     __field(unsigned int, freed)
			     __field(unsigned int, live)
			     __field(u32, sweepgen)
			     __field(int, src)
			     __field(u8, sizeclass)),
	    TP_fast_assign(mheap_assign_str(heap, h->name);
			   __entry->pages = s->npages;
			   __entry->freed = freed;
			   __entry->live = mheap_objspan_live(&s->obj);
			   __entry->sweepgen = sg;
			   __entry->src = src;
			   __entry->sizeclass = mheap_spanclass_sizeclass(s->spanclass);),
	    TP_printk("heap=%s sizeclass=%u pages=%lu freed=%u live=%u sweepgen=%u src=%s",
		      __get_str(heap), __entry->sizeclass, __entry->pages,
		      __entry->freed, __entry->live, __entry->sweepgen,
		      show_mheap_sweep_src(__entry->src))
);

/* The page reclaimer went through one chunk of page-number space. */
TRACE_EVENT(mheap_reclaim_chunk,
	    TP_PROTO(struct mheap *h, unsigned long chunk, unsigned long scanned,
		     unsigned long freed),
	    TP_ARGS(h, chunk, scanned, freed),
	    TP_STRUCT__entry(__string(heap, h->name)
			     __field(unsigned long, chunk)
			     __field(unsigned long, scanned)
			     __field(unsigned long, freed)),
	    TP_fast_assign(mheap_assign_str(heap, h->name);
			   __entry->chunk = chunk;
			   __entry->scanned = scanned;
			   __entry->freed = freed;),
	    TP_printk("heap=%s chunk=%lu scanned=%lu freed=%lu", __get_str(heap),
		      __entry->chunk, __entry->scanned, __entry->freed)
);

/* === Refused frees =================================================== */

TRACE_EVENT(mheap_bad_free,
	    TP_PROTO(struct mheap *h, const char *reason),
	    TP_ARGS(h, reason),
	    TP_STRUCT__entry(__string(heap, h->name)
			     __string(reason, reason)),
	    TP_fast_assign(mheap_assign_str(heap, h->name);
			   mheap_assign_str(reason, reason);),
	    TP_printk("heap=%s reason=\"%s\"", __get_str(heap), __get_str(reason))
);

#endif /* _TRACE_MHEAP_H */

/* This part must be outside protection */
#include <trace/define_trace.h>
