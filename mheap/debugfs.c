// SPDX-License-Identifier: GPL-2.0
/*
 * The debugfs tree: /sys/kernel/debug/mheap/ with a "heaps" list and one
 * directory per heap holding stats, arenas, spans, chunks, classes,
 * scavenge, sweep, reclaim and control.  Files are root-only.
 * Documentation/ABI/testing/debugfs-mheap defines every field.
 */
#define pr_fmt(fmt) "mheap: " fmt

#include <linux/debugfs.h>
#include <linux/seq_file.h>
#include <kunit/visibility.h>
#include "internal.h"

static struct dentry *mheap_root;

/* === heaps =========================================================== */

static int heaps_show(struct seq_file *m, void *v)
{
	struct mheap *h;

	mutex_lock(&mheap_list_lock);
	list_for_each_entry(h, &mheap_list, node)
		seq_printf(m, "%s\n", h->name);
	mutex_unlock(&mheap_list_lock);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(heaps);

/* === <heap>/stats ==================================================== */

/*
 * Bytes of metadata the heap holds: the page allocator's summaries and
 * chunk arrays, the arena index, arenas and their span maps, regions,
 * leaf bitmaps, span structures, gcBits arenas and per-CPU caches.  An
 * estimate from sizes and counts, not a walk of every allocation.
 */
static unsigned long metadata_bytes(struct mheap *h)
{
	unsigned long n, i, lvl, flags, nl2 = 0, narenas = 0, nmaps = 0;
	struct mheap_region *r;
	struct mheap_arena *a;
	unsigned int w;

	n = sizeof(*h) + h->l1_entries * sizeof(*h->l1) +
	    h->pages.nchunks * (sizeof(*h->pages.chunks) + sizeof(*h->chunk_region));
	for (lvl = 0; lvl < PALLOC_LEVELS; lvl++)
		n += palloc_sum_len(h->pages.nchunks, lvl) * sizeof(u64);
	n += num_possible_cpus() * (sizeof(struct mheap_pcpu) +
				    sizeof(struct mheap_mcache));

	mutex_lock(&h->grow_lock);
	for (i = 0; i < h->l1_entries; i++)
		nl2 += !!READ_ONCE(h->l1[i]);
	for_each_arena(h, a) {
		narenas++;
		for (w = 0; w < MHEAP_ARENA_WINDOWS; w++)
			nmaps += !!rcu_access_pointer(a->spans[w]);
	}
	n += nl2 * MHEAP_L2_ENTRIES * sizeof(void *) +
	     narenas * sizeof(struct mheap_arena) +
	     nmaps * MHEAP_CHUNK_PAGES * sizeof(void *);
	spin_lock_irqsave(&h->lock, flags);
	list_for_each_entry(r, &h->regions, node) {
		n += sizeof(*r) + r->npages / MHEAP_CHUNK_PAGES *
		     sizeof(struct palloc_chunk);
		if (r->map == MHEAP_MAP_VMAP)
			n += r->npages * sizeof(*r->pages);
	}
	spin_unlock_irqrestore(&h->lock, flags);
	mutex_unlock(&h->grow_lock);

	n += atomic_long_read(&h->spans_live) * sizeof(struct mheap_span);
	n += (READ_ONCE(h->gcbits.narenas) + READ_ONCE(h->gcbits.nfree)) *
	     (MHEAP_GCBITS_BYTES + sizeof(struct mheap_gcbits_arena));
	return n;
}

/* Sums of the per-CPU object counters. */
static void objects_stats(struct seq_file *m, struct mheap *h)
{
	unsigned long allocs, frees, refills = 0, in_mags = 0;
	unsigned int cpu, cls;

	mheap_class_counts(h, 0, &allocs, &frees);
	for_each_possible_cpu(cpu) {
		struct mheap_mcache *c = per_cpu_ptr(h->mcache, cpu);

		refills += READ_ONCE(c->refills);
		for (cls = 1; cls < MHEAP_NUM_CLASSES; cls++) {
			/* The owner's, under its lock: a moment old. */
			in_mags += data_race(READ_ONCE(c->mag[cls].count));
		}
	}
	for (cls = 1; cls < MHEAP_NUM_CLASSES; cls++) {
		/* Written under the depot's lock: a moment old. */
		in_mags += data_race(READ_ONCE(h->depot[cls].count));
	}
	seq_printf(m, "objects_allocated: %lu\n", allocs);
	seq_printf(m, "objects_freed: %lu\n", frees);
	seq_printf(m, "objects_in_use: %ld\n", (long)(allocs - frees));
	seq_printf(m, "objects_in_magazines: %lu\n", in_mags);
	seq_printf(m, "mcache_refills: %lu\n", refills);
	seq_printf(m, "gcbits_arenas: %u\n", READ_ONCE(h->gcbits.narenas));
}

static int stats_show(struct seq_file *m, void *v)
{
	static const char * const kinds[] = {
		[MHEAP_REGION_AUTO]	= "auto",
		[MHEAP_REGION_VMAP]	= "vmap",
		[MHEAP_REGION_DIRECT]	= "direct",
	};
	struct mheap *h = m->private;
	unsigned long committed, in_use, flags, nregions;
	int i;

	static_assert(ARRAY_SIZE(kinds) == MHEAP_REGION_NR_KINDS);

	spin_lock_irqsave(&h->lock, flags);
	committed = h->pages.pages_present;
	nregions = h->nregions;
	spin_unlock_irqrestore(&h->lock, flags);
	in_use = atomic_long_read(&h->pages_in_use);

	seq_printf(m, "name: %s\n", h->name);
	seq_printf(m, "region_kind: %s\n", kinds[h->params.region_kind]);
	seq_printf(m, "max_bytes: %lu\n", h->params.max_bytes);
	seq_printf(m, "magazines: %s\n",
		   h->params.flags & MHEAP_NO_MAGAZINES ? "off" : "on");
	seq_printf(m, "debug_frees: %s\n",
		   h->params.flags & MHEAP_DEBUG_FREES ? "on" : "off");
	seq_printf(m, "page_size: %lu\n", PAGE_SIZE);
	seq_printf(m, "pages_committed: %lu\n", committed);
	seq_printf(m, "pages_in_use: %lu\n", in_use);
	seq_printf(m, "pages_free: %lu\n", committed - min(committed, in_use));
	seq_printf(m, "regions: %lu\n", nregions);
	seq_printf(m, "spans_live: %ld\n", atomic_long_read(&h->spans_live));
	seq_printf(m, "metadata_bytes: %lu\n", metadata_bytes(h));
	objects_stats(m, h);
	for (i = 0; i < MHEAP_CNT_COUNT; i++)
		seq_printf(m, "%s: %lu\n", mheap_counter_names[i],
			   mheap_events_read(h, i));
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(stats);

/* === <heap>/scavenge ================================================= */

static int scavenge_show(struct seq_file *m, void *v)
{
	struct mheap *h = m->private;
	/* Written under mheap.lock; a statistic may be a moment old. */
	unsigned long committed = data_race(READ_ONCE(h->pages.pages_present));
	unsigned long in_use = atomic_long_read(&h->pages_in_use);
	unsigned long limit = READ_ONCE(h->limit_pages);
	int i;

	seq_printf(m, "committed_bytes: %lu\n", committed << PAGE_SHIFT);
	seq_printf(m, "in_use_bytes: %lu\n", in_use << PAGE_SHIFT);
	seq_printf(m, "retained_bytes: %lu\n",
		   (committed - min(committed, in_use)) << PAGE_SHIFT);
	seq_printf(m, "retained_goal_bytes: %lu\n",
		   mheap_retain_goal(h) << PAGE_SHIFT);
	seq_printf(m, "releasable_bytes: %lu\n",
		   mheap_releasable_pages(h) << PAGE_SHIFT);
	seq_printf(m, "limit_bytes: %lu\n", limit << PAGE_SHIFT);
	seq_printf(m, "released_bytes: %ld\n",
		   mheap_events_read(h, MHEAP_CNT_PAGES_RELEASED) << PAGE_SHIFT);
	for (i = 0; i < MHEAP_SRC_COUNT; i++)
		seq_printf(m, "released_%s_bytes: %ld\n",
			   mheap_release_src_names[i],
			   atomic_long_read(&h->released_by[i]) << PAGE_SHIFT);
	seq_printf(m, "release_time_ns: %lld\n",
		   (long long)atomic64_read(&h->release_ns));
	seq_printf(m, "limit_fails: %ld\n",
		   mheap_events_read(h, MHEAP_CNT_LIMIT_FAILS));
	seq_printf(m, "background: %s\n", READ_ONCE(h->scav_on) ? "on" : "off");
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(scavenge);

/* === <heap>/sweep ==================================================== */

/* A Q32 fixed-point value as a decimal with 6 fraction digits, truncated. */
static void seq_put_q32(struct seq_file *m, const char *key, u64 q)
{
	seq_printf(m, "%s: %llu.%06llu\n", key, q >> 32,
		   ((q & U32_MAX) * 1000000) >> 32);
}

static int sweep_show(struct seq_file *m, void *v)
{
	struct mheap *h = m->private;
	struct mheap_gc *gc = &h->gc;
	int i, bg = READ_ONCE(gc->bg_state);

	seq_printf(m, "sweepgen: %u\n", READ_ONCE(gc->sweepgen));
	seq_printf(m, "marking: %d\n", READ_ONCE(gc->marking));
	seq_printf(m, "sweep_done: %d\n", mheap_sweep_done(h));
	seq_printf(m, "cycles: %lu\n", READ_ONCE(gc->cycles));
	seq_printf(m, "spans_swept: %ld\n", atomic_long_read(&gc->spans_swept));
	seq_printf(m, "pages_swept: %ld\n", atomic_long_read(&gc->pages_swept));
	seq_printf(m, "pages_swept_basis: %lu\n",
		   READ_ONCE(gc->pages_swept_basis));
	seq_put_q32(m, "sweep_pages_per_byte", READ_ONCE(gc->ppb_q32));
	seq_printf(m, "sweep_pages_per_byte_q32: %llu\n", READ_ONCE(gc->ppb_q32));
	seq_printf(m, "allocated_bytes: %ld\n", atomic_long_read(&gc->alloc_bytes));
	seq_printf(m, "allocated_bytes_basis: %lu\n", READ_ONCE(gc->live_basis));
	seq_printf(m, "objects_freed: %ld\n", atomic_long_read(&gc->objects_freed));
	for (i = 0; i < MHEAP_SWEEP_SRC_COUNT; i++)
		seq_printf(m, "swept_%s: %ld\n", mheap_sweep_src_names[i],
			   atomic_long_read(&gc->swept_by[i]));
	seq_printf(m, "background: %s\n",
		   bg >= 0 && bg <= MHEAP_BGSWEEP_OFF ?
		   mheap_bgsweep_state_names[bg] : "?");
	seq_printf(m, "sweepers: %d\n",
		   atomic_read(&gc->active) & ~MHEAP_SWEEP_DRAINED);
	for (i = 0; i < MHEAP_FIN_STAT_COUNT; i++)
		seq_printf(m, "%s: %lld\n", mheap_fin_stat_names[i],
			   mheap_fin_stat_read(gc, i));
	seq_printf(m, "specials: %ld\n", atomic_long_read(&gc->specials));
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(sweep);

/* === <heap>/reclaim ================================================== */

static int reclaim_show(struct seq_file *m, void *v)
{
	struct mheap_gc *gc = &((struct mheap *)m->private)->gc;
	int i;

	seq_printf(m, "reclaim_index: %ld\n", atomic_long_read(&gc->reclaim_index));
	seq_printf(m, "reclaim_end: %lu\n", READ_ONCE(gc->reclaim_end));
	seq_printf(m, "reclaim_credit: %ld\n",
		   atomic_long_read(&gc->reclaim_credit));
	for (i = 0; i < MHEAP_RECLAIM_STAT_COUNT; i++)
		seq_printf(m, "%s: %lld\n", mheap_reclaim_stat_names[i],
			   mheap_reclaim_stat_read(gc, i));
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(reclaim);

/* === <heap>/arenas =================================================== */

/* Pages of @a that are known zero: above the zeroed mark of their region. */
static unsigned long arena_zeroed(struct mheap *h, struct mheap_arena *a)
{
	unsigned long lo = a->base, hi = a->base + MHEAP_ARENA_BYTES, n = 0;
	struct mheap_region *r;

	list_for_each_entry(r, &h->regions, node) {
		unsigned long zlo = r->base + (READ_ONCE(r->zeroed) << PAGE_SHIFT);
		unsigned long zhi = r->base + (r->npages << PAGE_SHIFT);

		zlo = max(zlo, lo);
		zhi = min(zhi, hi);
		if (zlo < zhi)
			n += (zhi - zlo) >> PAGE_SHIFT;
	}
	return n;
}

static unsigned long arena_in_use(struct mheap_arena *a)
{
	unsigned long n = 0;
	unsigned int w, i;

	for (w = 0; w < MHEAP_ARENA_WINDOWS; w++) {
		struct mheap_span *const *map = rcu_dereference(a->spans[w]);

		for (i = 0; map && i < MHEAP_CHUNK_PAGES; i++)
			n += !!READ_ONCE(map[i]);
	}
	return n;
}

static int arenas_show(struct seq_file *m, void *v)
{
	struct mheap *h = m->private;
	unsigned long flags;
	struct mheap_arena *a;

	seq_printf(m, "%-18s %9s %9s %9s %9s %7s\n", "base", "committed",
		   "in_use", "free", "zeroed", "windows");
	mutex_lock(&h->grow_lock);
	for_each_arena(h, a) {
		unsigned long mapped, used, zeroed;
		unsigned int w, nwin = 0;

		rcu_read_lock();
		used = arena_in_use(a);
		rcu_read_unlock();
		spin_lock_irqsave(&h->lock, flags);
		mapped = a->npages;
		for (w = 0; w < MHEAP_ARENA_WINDOWS; w++)
			nwin += !!a->window_pages[w];
		zeroed = arena_zeroed(h, a);
		spin_unlock_irqrestore(&h->lock, flags);
		if (!mapped)
			continue;
		seq_printf(m, "0x%016lx %9lu %9lu %9lu %9lu %7u\n",
			   a->base, mapped, used, mapped - min(mapped, used),
			   zeroed, nwin);
	}
	mutex_unlock(&h->grow_lock);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(arenas);

/* === <heap>/spans ==================================================== */

/*
 * A seq_file iterator over live spans in page-number order.  Position 0 is
 * the header; a span starting at page number p has position p + 1, so a
 * listing of any length streams in small pieces and resumes where it was.
 * grow_lock keeps regions from leaving, RCU keeps span structures typesafe.
 */
static struct mheap_span *spans_find(struct mheap *h, loff_t *pos)
{
	unsigned long lp = *pos - 1;
	struct mheap_span *s = mheap_next_span(h, &lp);

	*pos = s ? lp + 1 : palloc_npages(&h->pages) + 1;
	return s;
}

static void *spans_start(struct seq_file *m, loff_t *pos)
	__acquires(RCU)
{
	struct mheap *h = m->private;

	mutex_lock(&h->grow_lock);
	rcu_read_lock();
	if (*pos == 0)
		return SEQ_START_TOKEN;
	return spans_find(h, pos);
}

static void *spans_next(struct seq_file *m, void *v, loff_t *pos)
{
	struct mheap_span *s = v;

	*pos = v == SEQ_START_TOKEN ? 1 : s->lpage + s->npages + 1;
	return spans_find(m->private, pos);
}

static void spans_stop(struct seq_file *m, void *v)
	__releases(RCU)
{
	struct mheap *h = m->private;

	rcu_read_unlock();
	mutex_unlock(&h->grow_lock);
}

static const char *span_state_name(u8 state)
{
	switch (state) {
	case MHEAP_SPAN_IN_USE:
		return "in-use";
	case MHEAP_SPAN_MANUAL:
		return "manual";
	default:
		return "dead";
	}
}

static int spans_show(struct seq_file *m, void *v)
{
	struct mheap_span *s = v;
	u8 state;

	if (v == SEQ_START_TOKEN) {
		seq_printf(m, "%-18s %7s %-6s %5s %8s %6s %6s %8s %8s\n", "base",
			   "npages", "state", "class", "elemsize", "nelems",
			   "alloc", "sweepgen", "needzero");
		return 0;
	}
	state = READ_ONCE(s->state);
	seq_printf(m, "0x%016lx %7lu %-6s %5u %8lu %6u %6u %8u %8u\n",
		   s->start, s->npages, span_state_name(state), s->spanclass,
		   s->elemsize, s->nelems,
		   state == MHEAP_SPAN_IN_USE ? mheap_objspan_live(&s->obj) : 0,
		   s->sweepgen, s->needzero);
	return 0;
}

static const struct seq_operations spans_sops = {
	.start = spans_start,
	.next = spans_next,
	.stop = spans_stop,
	.show = spans_show,
};
DEFINE_SEQ_ATTRIBUTE(spans);

/* === <heap>/chunks ================================================== */

/*
 * One row per present chunk in page-number order: how full the page
 * allocator sees it.  Pages parked in per-CPU caches count as in use.
 * Position: chunk index + 1 (0 is the header).
 */
static void *chunks_seek(struct mheap *h, loff_t *pos)
{
	unsigned long c;

	for (c = *pos - 1; c < h->pages.nchunks; c++) {
		if (READ_ONCE(h->pages.chunks[c])) {
			*pos = c + 1;
			return h->pages.chunks[c];
		}
	}
	*pos = h->pages.nchunks + 1;
	return NULL;
}

static void *chunks_start(struct seq_file *m, loff_t *pos)
{
	struct mheap *h = m->private;

	mutex_lock(&h->grow_lock);
	if (*pos == 0)
		return SEQ_START_TOKEN;
	return chunks_seek(h, pos);
}

static void *chunks_next(struct seq_file *m, void *v, loff_t *pos)
{
	++*pos;
	return chunks_seek(m->private, pos);
}

static void chunks_stop(struct seq_file *m, void *v)
{
	struct mheap *h = m->private;

	mutex_unlock(&h->grow_lock);
}

static int chunks_show(struct seq_file *m, void *v)
{
	static const char * const maps[] = {
		[MHEAP_MAP_VMAP]	= "vmap",
		[MHEAP_MAP_DIRECT]	= "direct",
	};
	struct mheap *h = m->private;
	unsigned long c = m->index - 1, flags, used = 0;
	struct mheap_region *r;
	unsigned int i;

	static_assert(ARRAY_SIZE(maps) == MHEAP_MAP_DIRECT + 1);

	if (v == SEQ_START_TOKEN) {
		seq_printf(m, "%7s %-18s %-6s %6s %6s\n", "chunk", "base", "map",
			   "in_use", "free");
		return 0;
	}
	/* grow_lock keeps the chunk present; the lock keeps its bits still. */
	spin_lock_irqsave(&h->lock, flags);
	for (i = 0; i < PALLOC_CHUNK_WORDS; i++)
		used += hweight64(h->pages.chunks[c]->alloc[i]);
	r = mheap_region_of_lpage(h, c << PALLOC_CHUNK_SHIFT);
	spin_unlock_irqrestore(&h->lock, flags);
	if (WARN_ON_ONCE(!r))
		return 0;
	seq_printf(m, "%7lu 0x%016lx %-6s %6lu %6lu\n", c,
		   mheap_region_addr(r, c << PALLOC_CHUNK_SHIFT),
		   maps[r->map], used, MHEAP_CHUNK_PAGES - used);
	return 0;
}

static const struct seq_operations chunks_sops = {
	.start = chunks_start,
	.next = chunks_next,
	.stop = chunks_stop,
	.show = chunks_show,
};
DEFINE_SEQ_ATTRIBUTE(chunks);

/* === <heap>/classes ================================================= */

/* Spans of size class @cls, from mcentral's counts (both span classes). */
static unsigned long class_spans(struct mheap *h, unsigned int cls)
{
	u8 noscan = mheap_make_spanclass(cls, true);
	u8 scan = mheap_make_spanclass(cls, false);

	/* Written under the mcentral lock; a moment old is fine here. */
	return data_race(READ_ONCE(h->mcentral[noscan].nspans) +
			 READ_ONCE(h->mcentral[scan].nspans));
}

/*
 * Printed from counters kept as spans and objects come and go, as
 * zsmalloc's class statistics are, without walking the spans.
 */
static int classes_show(struct seq_file *m, void *v)
{
	struct mheap *h = m->private;
	unsigned long tspans = 0, tobj = 0, tbytes = 0, twaste = 0;
	unsigned long allocs, frees;
	unsigned int cls;

	seq_printf(m, "%5s %7s %5s %8s %8s %10s %12s %12s\n", "class", "size",
		   "pages", "objs/span", "spans", "inuse", "bytes_inuse",
		   "bytes_waste");
	for (cls = 1; cls < MHEAP_NUM_CLASSES; cls++) {
		unsigned long size = mheap_class_size[cls];
		unsigned long span_bytes = mheap_class_npages[cls] * PAGE_SIZE;
		unsigned long spans = class_spans(h, cls), objects, bytes, waste;

		mheap_class_counts(h, cls, &allocs, &frees);
		objects = allocs - frees;
		bytes = objects * size;
		waste = spans * span_bytes - min(bytes, spans * span_bytes);
		seq_printf(m, "%5u %7lu %5u %8u %8lu %10lu %12lu %12lu\n", cls,
			   size, mheap_class_npages[cls], mheap_class_nelems[cls],
			   spans, objects, bytes, waste);
		tspans += spans;
		tobj += objects;
		tbytes += bytes;
		twaste += waste;
	}
	seq_printf(m, "%5s %7s %5s %8s %8lu %10lu %12lu %12lu\n", "Total", "",
		   "", "", tspans, tobj, tbytes, twaste);
	seq_printf(m, "%5s %7s %5s %8s %8lu %10lu %12lu %12s\n", "Large", "",
		   "", "", class_spans(h, 0),
		   mheap_events_read(h, MHEAP_CNT_LARGE_ALLOCS) -
		   mheap_events_read(h, MHEAP_CNT_LARGE_FREES),
		   atomic_long_read(&h->large_pages) << PAGE_SHIFT, "");
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(classes);

/* === Tree ============================================================ */

/**
 * mheap_debugfs_root() - the top-level debugfs directory
 *
 * Return: the dentry of <debugfs>/mheap, or an ERR_PTR if debugfs is off.
 */
struct dentry *mheap_debugfs_root(void)
{
	return mheap_root;
}
EXPORT_SYMBOL_IF_KUNIT(mheap_debugfs_root);

/* Caller holds mheap_list_lock, so names cannot collide under us. */
void mheap_debugfs_add_heap(struct mheap *h)
{
	h->dir = debugfs_create_dir(h->name, mheap_root);
	debugfs_create_file("stats", 0400, h->dir, h, &stats_fops);
	debugfs_create_file("arenas", 0400, h->dir, h, &arenas_fops);
	debugfs_create_file("spans", 0400, h->dir, h, &spans_fops);
	debugfs_create_file("classes", 0400, h->dir, h, &classes_fops);
	debugfs_create_file("chunks", 0400, h->dir, h, &chunks_fops);
	debugfs_create_file("scavenge", 0400, h->dir, h, &scavenge_fops);
	debugfs_create_file("sweep", 0400, h->dir, h, &sweep_fops);
	debugfs_create_file("reclaim", 0400, h->dir, h, &reclaim_fops);
	mheap_control_create(h);
}

/* Caller holds mheap_list_lock. Waits for open files to be released. */
void mheap_debugfs_del_heap(struct mheap *h)
{
	debugfs_remove(h->dir);
	h->dir = NULL;
}

int mheap_debugfs_init(void)
{
	mheap_root = debugfs_create_dir("mheap", NULL);
	debugfs_create_file("heaps", 0400, mheap_root, NULL, &heaps_fops);
	mheap_fault_debugfs_init(mheap_root);
	return 0;
}

void mheap_debugfs_exit(void)
{
	debugfs_remove(mheap_root);
	mheap_root = NULL;
}
