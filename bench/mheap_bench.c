// SPDX-License-Identifier: GPL-2.0
/*
 * mheap_bench - mheap against kmalloc, kmem_cache, alloc_pages and vmalloc.
 *
 * Everything runs at load time.  The results stay in
 * <debugfs>/mheap_bench/results until unload, one CSV line per figure;
 * Documentation/performance.rst describes the rows and the format.
 *
 * The collection rows (mark+sweep, the page reclaimer, the memory
 * bandwidth beside them) run later, when "run" is written to
 * <debugfs>/mheap_bench/collect: in between, the guest job can set up the
 * "bench-gc" heap through <debugfs>/mheap/bench-gc/control (it turns the
 * background sweeper off there).
 *
 * The method is Jesper Dangaard Brouer's time_bench (prototype-kernel): a
 * whole tight loop between two ktime_get_ns() readings, barrier() in it so
 * that nothing is optimised away, and the cost of an empty loop iteration
 * subtracted.  Allocators that may be called in atomic context are timed
 * with preemption disabled and GFP_ATOMIC | __GFP_NOWARN, after the heap has
 * been grown with GFP_KERNEL so that no timed allocation has to grow it;
 * the pair rows are timed a second time preemptible with GFP_KERNEL.
 * On PREEMPT_RT, where spinlocks sleep and preempt_disable() around them is
 * invalid, the atomic rows run with migration disabled instead (still
 * GFP_ATOMIC, still on one CPU).  vmalloc() and the scavenger rows may
 * sleep and are timed preemptible with GFP_KERNEL.  The loop count is
 * doubled until one run lasts min_ms; a figure is the median of the
 * @runs runs (min and max are printed too) and the order of the
 * allocators is rotated from one run to the next.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/atomic.h>
#include <linux/bitops.h>
#include <linux/bits.h>
#include <linux/completion.h>
#include <linux/cpumask.h>
#include <linux/debugfs.h>
#include <linux/err.h>
#include <linux/fs.h>
#include <linux/gfp.h>
#include <linux/kthread.h>
#include <linux/ktime.h>
#include <linux/math64.h>
#include <linux/minmax.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/preempt.h>
#include <linux/random.h>
#include <linux/sched.h>
#include <linux/seq_buf.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/string.h>
#include <linux/vmalloc.h>
#include <mheap.h>

static unsigned int runs = 5;
module_param(runs, uint, 0444);
MODULE_PARM_DESC(runs, "Runs per figure, the median is reported (default 5, 1 to 15)");

static unsigned int min_ms = 100;
module_param(min_ms, uint, 0444);
MODULE_PARM_DESC(min_ms, "Loop counts double until one run lasts this long (default 100)");

static unsigned int burst = 10000;
module_param(burst, uint, 0444);
MODULE_PARM_DESC(burst, "Objects per burst (default 10000)");

static unsigned int scav_mib = 64;
module_param(scav_mib, uint, 0444);
MODULE_PARM_DESC(scav_mib, "MiB released and re-committed by the scavenger rows (default 64)");

static unsigned int gc_mib = 32;
module_param(gc_mib, uint, 0444);
MODULE_PARM_DESC(gc_mib, "MiB of objects per mark+sweep and reclaimer free run (default 32, even)");

static unsigned int scan_mib = 256;
module_param(scan_mib, uint, 0444);
MODULE_PARM_DESC(scan_mib, "MiB of heap the reclaimer scans in its scan row (default 256)");

static unsigned int budget_s = 600;
module_param(budget_s, uint, 0444);
MODULE_PARM_DESC(budget_s, "No row starts after this many seconds of a phase (default 600)");

static bool gc_only;
module_param(gc_only, bool, 0444);
MODULE_PARM_DESC(gc_only, "Skip the allocator rows at load: only the collection rows (default off)");

static char *only;
module_param(only, charp, 0444);
MODULE_PARM_DESC(only, "Measure only these rows, \"fig/param\" comma-separated, e.g. \"pair/64,remote/4096\" (default all; for profiling)");

static char *only_alloc;
module_param(only_alloc, charp, 0444);
MODULE_PARM_DESC(only_alloc, "Measure only this allocator of each row, e.g. \"mheap\" (default all; for profiling)");

#define BENCH_GFP		(GFP_ATOMIC | __GFP_NOWARN)
#define BENCH_GFP_KERNEL	(GFP_KERNEL | __GFP_NOWARN)
#define BENCH_MAX_RUNS		15
#define BENCH_MAX_IMPL		4
#define BENCH_MAX_LOOPS		BIT_ULL(32)
#define BENCH_OUT_SIZE		(256 * 1024)
#define BENCH_LINE		192
#define BENCH_RING		4096
#define SCAV_SPAN_PAGES		(SZ_2M >> PAGE_SHIFT)
/* Object size of the reclaimer scan row: four objects to a page. */
#define GC_SCAN_SIZE		1024
/* More than the reclaimer can find: it scans the whole heap. */
#define GC_ALL_PAGES		((unsigned long)LONG_MAX)

enum bench_alloc {
	BA_MHEAP,
	BA_KMALLOC,
	BA_KMEM_CACHE,
	BA_PAGES,
	BA_VMALLOC,
	BA_MEMSET,
	BA_MEMCMP,
	BA_PLAIN,
};

static const char *const bench_alloc_name[] = {
	[BA_MHEAP]	= "mheap",
	[BA_KMALLOC]	= "kmalloc",
	[BA_KMEM_CACHE]	= "kmem_cache",
	[BA_PAGES]	= "alloc_pages",
	[BA_VMALLOC]	= "vmalloc",
	[BA_MEMSET]	= "memset",
	[BA_MEMCMP]	= "memcmp",
	[BA_PLAIN]	= "plain",
};

/**
 * struct bench_row - one row of results: a figure per allocator
 * @fig:	names of the one or two figures a run yields
 * @unit:	what one operation of each figure is (second: @unit[0] if NULL)
 * @param:	the row's size: bytes, pages or MiB
 * @ops:	operations per loop iteration, of each figure (second: @ops[0]
 *		if 0)
 * @subtract:	subtract the empty loop's cost from each operation
 * @remote:	2-CPU rows: free on the other CPU, else both CPUs do pairs
 * @shuffle:	burst rows: free in the order of @bench_perm, not in order
 * @heap:	the mheap of the row's objects
 * @size:	object size in bytes
 * @order:	page order of @param pages
 * @cache:	a kmem_cache of @size bytes
 * @n:		objects per burst or collection run, spans per scavenger run
 * @keep:	collection rows: percentage of the objects marked
 * @same_time:	the second figure is the first one's time per @ops[1]
 *		operations of @unit[1]: runs only measure the first
 */
struct bench_row {
	const char *fig[2];
	const char *unit[2];
	unsigned long param;
	unsigned long ops[2];
	bool subtract;
	bool remote;
	bool shuffle;
	struct mheap *heap;
	size_t size;
	unsigned int order;
	struct kmem_cache *cache;
	unsigned long n;
	unsigned int keep;
	bool same_time;
};

/**
 * struct bench_impl - one allocator's way of doing a row
 * @alloc:	an &enum bench_alloc
 * @atomic:	timed with preemption disabled (and GFP_ATOMIC if it allocates)
 * @once:	one loop iteration per run, no calibration (the untimed work
 *		around each iteration costs far more than the timed part)
 * @run:	do @loops iterations, store each figure's nanoseconds in @ns
 */
struct bench_impl {
	enum bench_alloc alloc;
	bool atomic;
	bool once;
	int (*run)(struct bench_row *r, u64 loops, u64 ns[2]);
};

static struct mheap *bench_heap;
static struct mheap *scav_heap;
static struct mheap *gc_heap;
static const struct mheap_params vmap_params = {
	.region_kind = MHEAP_REGION_VMAP,
};

static struct dentry *bench_dir;
static char *bench_out;
static struct seq_buf bench_sb;
static u64 bench_deadline;
/* Cost of one empty loop iteration, in picoseconds. */
static u64 loop_ps;
/* Per-operation picoseconds of every run of a row: [impl][figure][run]. */
static u64 bench_ps[BENCH_MAX_IMPL][2][BENCH_MAX_RUNS];
/* Burst pointers, a random permutation of their indices, the scavenger's
 * spans and vmalloc() area.
 */
static void **bench_vec;
static unsigned int *bench_perm;
static struct mheap_span **scav_spans;
static unsigned long scav_nspans;
static void *scav_vmem;
/* Collection rows: their objects, the memset/memcmp buffer, the trigger. */
static void **gc_vec;
static void *gc_buf;
static DEFINE_MUTEX(collect_lock);
static bool collected;
/* Reclaimer free rows: pages it freed and pages the heap held, all runs. */
static unsigned long gc_free_got, gc_free_want;
/* The plain loop's pageInUse and pageMarks, as many bits as the heap. */
static unsigned long *plain_in_use, *plain_marks;
static unsigned long plain_words;
/* What the atomic rows disable: preemption, or on PREEMPT_RT migration. */
static const char *const atomic_ctx =
	IS_ENABLED(CONFIG_PREEMPT_RT) ? "migrate_disable" : "preempt_disable";

/* === Output ========================================================== */

static __printf(1, 2) void emit(const char *fmt, ...)
{
	char line[BENCH_LINE];
	va_list args;

	va_start(args, fmt);
	vsnprintf(line, sizeof(line), fmt, args);
	va_end(args);
	seq_buf_puts(&bench_sb, line);
	pr_info("%s", line);
}

/* Picoseconds as nanoseconds with one decimal. */
static const char *ps_str(char *buf, size_t len, u64 ps)
{
	snprintf(buf, len, "%llu.%llu", ps / 1000, ps % 1000 / 100);
	return buf;
}

static ssize_t results_read(struct file *file, char __user *buf, size_t len,
			    loff_t *ppos)
{
	return simple_read_from_buffer(buf, len, ppos, bench_out,
				       seq_buf_used(&bench_sb));
}

static const struct file_operations results_fops = {
	.owner	= THIS_MODULE,
	.read	= results_read,
	.llseek	= default_llseek,
};

/* === Objects ========================================================= */

/*
 * The section an atomic row is timed in.  On PREEMPT_RT the allocators
 * take sleeping spinlocks, which preempt_disable() around them makes
 * invalid; disabling migration keeps the loop on one CPU, as the
 * allocators' per-CPU caches want, and stays valid there.
 */
static __always_inline void bench_atomic_begin(void)
{
	if (IS_ENABLED(CONFIG_PREEMPT_RT))
		migrate_disable();
	else
		preempt_disable();
}

static __always_inline void bench_atomic_end(void)
{
	if (IS_ENABLED(CONFIG_PREEMPT_RT))
		migrate_enable();
	else
		preempt_enable();
}

/* @a is a constant wherever these are inlined: no dispatch in the loop. */
static __always_inline void *obj_alloc(enum bench_alloc a, struct bench_row *r,
				       gfp_t gfp)
{
	if (a == BA_MHEAP)
		return mheap_alloc(r->heap, r->size, gfp);
	if (a == BA_KMALLOC)
		return kmalloc(r->size, gfp);
	return kmem_cache_alloc(r->cache, gfp);
}

static __always_inline void obj_free(enum bench_alloc a, struct bench_row *r,
				     void *p)
{
	if (a == BA_MHEAP)
		mheap_free(r->heap, p);
	else if (a == BA_KMALLOC)
		kfree(p);
	else
		kmem_cache_free(r->cache, p);
}

static __always_inline int pair_body(enum bench_alloc a, struct bench_row *r,
				     u64 loops, gfp_t gfp)
{
	void *p;
	u64 i;

	for (i = 0; i < loops; i++) {
		p = obj_alloc(a, r, gfp);
		if (unlikely(!p))
			return -ENOMEM;
		barrier();
		obj_free(a, r, p);
	}
	return 0;
}

static __always_inline int pair_loop(enum bench_alloc a, struct bench_row *r,
				     u64 loops, u64 ns[2])
{
	u64 t0;
	int err;

	bench_atomic_begin();
	t0 = ktime_get_ns();
	err = pair_body(a, r, loops, BENCH_GFP);
	ns[0] = ktime_get_ns() - t0;
	bench_atomic_end();
	ns[1] = 0;
	return err;
}

/* The same pairs, preemptible, through GFP_KERNEL. */
static __always_inline int pair_kernel_loop(enum bench_alloc a,
					    struct bench_row *r, u64 loops,
					    u64 ns[2])
{
	u64 t0;
	int err;

	t0 = ktime_get_ns();
	err = pair_body(a, r, loops, BENCH_GFP_KERNEL);
	ns[0] = ktime_get_ns() - t0;
	ns[1] = 0;
	return err;
}

static int pair_mheap(struct bench_row *r, u64 loops, u64 ns[2])
{
	return pair_loop(BA_MHEAP, r, loops, ns);
}

static int pair_kmalloc(struct bench_row *r, u64 loops, u64 ns[2])
{
	return pair_loop(BA_KMALLOC, r, loops, ns);
}

static int pair_cache(struct bench_row *r, u64 loops, u64 ns[2])
{
	return pair_loop(BA_KMEM_CACHE, r, loops, ns);
}

static int pair_kernel_mheap(struct bench_row *r, u64 loops, u64 ns[2])
{
	return pair_kernel_loop(BA_MHEAP, r, loops, ns);
}

static int pair_kernel_kmalloc(struct bench_row *r, u64 loops, u64 ns[2])
{
	return pair_kernel_loop(BA_KMALLOC, r, loops, ns);
}

static int pair_kernel_cache(struct bench_row *r, u64 loops, u64 ns[2])
{
	return pair_kernel_loop(BA_KMEM_CACHE, r, loops, ns);
}

/*
 * Allocate @r->n objects, then free them; each phase timed on its own.
 * @r->shuffle frees them in a random order (the same for every allocator),
 * and so the next loop's burst allocates from free lists that order left.
 */
static __always_inline int burst_loop(enum bench_alloc a, struct bench_row *r,
				      u64 loops, u64 ns[2])
{
	unsigned long i, got;
	u64 l, t0, t1, t2;
	int err = 0;

	ns[0] = 0;
	ns[1] = 0;
	for (l = 0; l < loops && !err; l++) {
		bench_atomic_begin();
		t0 = ktime_get_ns();
		for (i = 0; i < r->n; i++) {
			bench_vec[i] = obj_alloc(a, r, BENCH_GFP);
			if (unlikely(!bench_vec[i]))
				break;
			barrier();
		}
		t1 = ktime_get_ns();
		got = i;
		if (r->shuffle && got == r->n) {
			for (i = 0; i < got; i++) {
				obj_free(a, r, bench_vec[bench_perm[i]]);
				barrier();
			}
		} else {
			for (i = 0; i < got; i++) {
				obj_free(a, r, bench_vec[i]);
				barrier();
			}
		}
		t2 = ktime_get_ns();
		bench_atomic_end();
		if (got < r->n)
			err = -ENOMEM;
		ns[0] += t1 - t0;
		ns[1] += t2 - t1;
		cond_resched();
	}
	return err;
}

static int burst_mheap(struct bench_row *r, u64 loops, u64 ns[2])
{
	return burst_loop(BA_MHEAP, r, loops, ns);
}

static int burst_kmalloc(struct bench_row *r, u64 loops, u64 ns[2])
{
	return burst_loop(BA_KMALLOC, r, loops, ns);
}

static int burst_cache(struct bench_row *r, u64 loops, u64 ns[2])
{
	return burst_loop(BA_KMEM_CACHE, r, loops, ns);
}

static const struct bench_impl obj_pair_impl[] = {
	{ .alloc = BA_MHEAP,      .atomic = true, .run = pair_mheap },
	{ .alloc = BA_KMALLOC,    .atomic = true, .run = pair_kmalloc },
	{ .alloc = BA_KMEM_CACHE, .atomic = true, .run = pair_cache },
};

static const struct bench_impl obj_pair_kernel_impl[] = {
	{ .alloc = BA_MHEAP,      .run = pair_kernel_mheap },
	{ .alloc = BA_KMALLOC,    .run = pair_kernel_kmalloc },
	{ .alloc = BA_KMEM_CACHE, .run = pair_kernel_cache },
};

static const struct bench_impl obj_burst_impl[] = {
	{ .alloc = BA_MHEAP,      .atomic = true, .run = burst_mheap },
	{ .alloc = BA_KMALLOC,    .atomic = true, .run = burst_kmalloc },
	{ .alloc = BA_KMEM_CACHE, .atomic = true, .run = burst_cache },
};

/* === Two CPUs ======================================================== */

/**
 * struct bench_duo - a run on two CPUs
 * @row:	the row
 * @alloc:	the allocator
 * @loops:	objects each thread handles
 * @ready:	threads at the starting line
 * @err:	first error of either thread
 * @start:	each thread's start, ktime_get_ns()
 * @end:	each thread's end
 * @done:	each thread's completion
 * @head:	remote: objects put into @ring (producer only writes it)
 * @tail:	remote: objects taken from @ring (consumer only writes it)
 * @ring:	remote: objects on their way from CPU 0 to CPU 1
 */
struct bench_duo {
	struct bench_row *row;
	enum bench_alloc alloc;
	u64 loops;
	atomic_t ready;
	int err;
	u64 start[2];
	u64 end[2];
	struct completion done[2];
	unsigned int head ____cacheline_aligned_in_smp;
	unsigned int tail ____cacheline_aligned_in_smp;
	void *ring[BENCH_RING] ____cacheline_aligned_in_smp;
};

struct bench_duo_thread {
	struct bench_duo *duo;
	unsigned int role;
};

static struct bench_duo duo;
static struct bench_duo_thread duo_threads[2];
static unsigned int duo_cpu[2];

/*
 * The waits below spin without cpu_relax(): under QEMU TCG every PAUSE
 * leaves the translated code and takes QEMU's global lock, which would
 * slow down the other vCPU, the one doing the work being measured.
 */

static __always_inline void duo_produce(enum bench_alloc a, struct bench_duo *d)
{
	unsigned int head = 0;
	void *p;
	u64 i;

	for (i = 0; i < d->loops; i++) {
		p = obj_alloc(a, d->row, BENCH_GFP);
		if (unlikely(!p))
			WRITE_ONCE(d->err, -ENOMEM);
		/* Pairs with the consumer's release: the slot was read. */
		while (head - smp_load_acquire(&d->tail) >= BENCH_RING)
			barrier();
		d->ring[head % BENCH_RING] = p;
		/* The slot is written before the consumer can see it. */
		smp_store_release(&d->head, ++head);
	}
}

static __always_inline void duo_consume(enum bench_alloc a, struct bench_duo *d)
{
	unsigned int tail = 0;
	void *p;
	u64 i;

	for (i = 0; i < d->loops; i++) {
		/* Pairs with the producer's release: the slot is written. */
		while (smp_load_acquire(&d->head) == tail)
			barrier();
		p = d->ring[tail % BENCH_RING];
		/* The slot is read before the producer can reuse it. */
		smp_store_release(&d->tail, ++tail);
		if (p)
			obj_free(a, d->row, p);
	}
}

static __always_inline void duo_work(enum bench_alloc a, struct bench_duo *d,
				     unsigned int role)
{
	if (!d->row->remote) {
		if (pair_body(a, d->row, d->loops, BENCH_GFP))
			WRITE_ONCE(d->err, -ENOMEM);
	} else if (role == 0) {
		duo_produce(a, d);
	} else {
		duo_consume(a, d);
	}
}

static int duo_thread(void *arg)
{
	struct bench_duo_thread *t = arg;
	struct bench_duo *d = t->duo;
	unsigned int role = t->role;

	atomic_inc(&d->ready);
	while (atomic_read(&d->ready) < 2)
		barrier();
	bench_atomic_begin();
	d->start[role] = ktime_get_ns();
	if (d->alloc == BA_MHEAP)
		duo_work(BA_MHEAP, d, role);
	else if (d->alloc == BA_KMALLOC)
		duo_work(BA_KMALLOC, d, role);
	else
		duo_work(BA_KMEM_CACHE, d, role);
	d->end[role] = ktime_get_ns();
	bench_atomic_end();
	kthread_complete_and_exit(&d->done[role], 0);
}

/* Wall time from the first thread's start to the last one's end. */
static int duo_run(struct bench_row *r, enum bench_alloc a, u64 loops,
		   u64 ns[2])
{
	struct task_struct *t[2];
	struct bench_duo *d = &duo;
	unsigned int i;

	d->row = r;
	d->alloc = a;
	d->loops = loops;
	d->err = 0;
	d->head = 0;
	d->tail = 0;
	atomic_set(&d->ready, 0);
	for (i = 0; i < 2; i++) {
		init_completion(&d->done[i]);
		duo_threads[i].duo = d;
		duo_threads[i].role = i;
		t[i] = kthread_create_on_cpu(duo_thread, &duo_threads[i],
					     duo_cpu[i], "mheap_bench/%u");
		if (IS_ERR(t[i])) {
			/* Never woken: the thread function does not run. */
			if (i)
				kthread_stop(t[0]);
			return PTR_ERR(t[i]);
		}
	}
	wake_up_process(t[0]);
	wake_up_process(t[1]);
	wait_for_completion(&d->done[0]);
	wait_for_completion(&d->done[1]);
	ns[0] = max(d->end[0], d->end[1]) - min(d->start[0], d->start[1]);
	ns[1] = 0;
	return d->err;
}

static int duo_mheap(struct bench_row *r, u64 loops, u64 ns[2])
{
	return duo_run(r, BA_MHEAP, loops, ns);
}

static int duo_kmalloc(struct bench_row *r, u64 loops, u64 ns[2])
{
	return duo_run(r, BA_KMALLOC, loops, ns);
}

static int duo_cache(struct bench_row *r, u64 loops, u64 ns[2])
{
	return duo_run(r, BA_KMEM_CACHE, loops, ns);
}

static const struct bench_impl duo_impl[] = {
	{ .alloc = BA_MHEAP,      .atomic = true, .run = duo_mheap },
	{ .alloc = BA_KMALLOC,    .atomic = true, .run = duo_kmalloc },
	{ .alloc = BA_KMEM_CACHE, .atomic = true, .run = duo_cache },
};

/* === Pages =========================================================== */

static int pages_mheap(struct bench_row *r, u64 loops, u64 ns[2])
{
	struct mheap_span *s;
	int err = 0;
	u64 i, t0;

	bench_atomic_begin();
	t0 = ktime_get_ns();
	for (i = 0; i < loops; i++) {
		s = mheap_alloc_manual(bench_heap, r->param, BENCH_GFP);
		if (unlikely(!s)) {
			err = -ENOMEM;
			break;
		}
		barrier();
		mheap_free_manual(bench_heap, s);
	}
	ns[0] = ktime_get_ns() - t0;
	bench_atomic_end();
	ns[1] = 0;
	return err;
}

static int pages_buddy(struct bench_row *r, u64 loops, u64 ns[2])
{
	struct page *page;
	int err = 0;
	u64 i, t0;

	bench_atomic_begin();
	t0 = ktime_get_ns();
	for (i = 0; i < loops; i++) {
		page = alloc_pages(BENCH_GFP, r->order);
		if (unlikely(!page)) {
			err = -ENOMEM;
			break;
		}
		barrier();
		__free_pages(page, r->order);
	}
	ns[0] = ktime_get_ns() - t0;
	bench_atomic_end();
	ns[1] = 0;
	return err;
}

/* vmalloc() and vfree() sleep: preemptible, GFP_KERNEL. */
static int pages_vmalloc(struct bench_row *r, u64 loops, u64 ns[2])
{
	int err = 0;
	u64 i, t0;
	void *p;

	t0 = ktime_get_ns();
	for (i = 0; i < loops; i++) {
		p = vmalloc(r->param << PAGE_SHIFT);
		if (unlikely(!p)) {
			err = -ENOMEM;
			break;
		}
		barrier();
		vfree(p);
	}
	ns[0] = ktime_get_ns() - t0;
	ns[1] = 0;
	return err;
}

static const struct bench_impl pages_impl[] = {
	{ .alloc = BA_MHEAP,   .atomic = true,  .run = pages_mheap },
	{ .alloc = BA_PAGES,   .atomic = true,  .run = pages_buddy },
	{ .alloc = BA_VMALLOC, .atomic = false, .run = pages_vmalloc },
};

/* === Scavenger ======================================================= */

/*
 * The scavenger's memory is allocated when a run starts and stays so
 * after it: each loop gives it back (timed), then takes it again (timed).
 */
static int scav_mheap(struct bench_row *r, u64 loops, u64 ns[2])
{
	u64 l, t0, t1, t2;
	unsigned long i;
	size_t got;

	ns[0] = 0;
	ns[1] = 0;
	for (l = 0; l < loops; l++) {
		for (i = 0; i < r->n; i++) {
			mheap_free_manual(scav_heap, scav_spans[i]);
			scav_spans[i] = NULL;
		}
		t0 = ktime_get_ns();
		got = mheap_release_all(scav_heap);
		t1 = ktime_get_ns();
		for (i = 0; i < r->n; i++) {
			scav_spans[i] = mheap_alloc_manual(scav_heap,
							   SCAV_SPAN_PAGES,
							   GFP_KERNEL | __GFP_NOWARN);
			if (!scav_spans[i])
				return -ENOMEM;
		}
		t2 = ktime_get_ns();
		/* Less than what was freed: the figure would mean nothing. */
		if (got < r->n * SZ_2M)
			return -EBUSY;
		ns[0] += t1 - t0;
		ns[1] += t2 - t1;
		cond_resched();
	}
	return 0;
}

static int scav_vmalloc(struct bench_row *r, u64 loops, u64 ns[2])
{
	u64 l, t0, t1, t2;

	ns[0] = 0;
	ns[1] = 0;
	for (l = 0; l < loops; l++) {
		t0 = ktime_get_ns();
		vfree(scav_vmem);
		t1 = ktime_get_ns();
		scav_vmem = vmalloc(r->n * SZ_2M);
		t2 = ktime_get_ns();
		if (!scav_vmem)
			return -ENOMEM;
		ns[0] += t1 - t0;
		ns[1] += t2 - t1;
		cond_resched();
	}
	return 0;
}

static const struct bench_impl scav_impl[] = {
	{ .alloc = BA_MHEAP,   .atomic = false, .run = scav_mheap },
	{ .alloc = BA_VMALLOC, .atomic = false, .run = scav_vmalloc },
};

/* === Collection ====================================================== */

/*
 * Every collection run starts from @r->n objects allocated with
 * GFP_KERNEL (untimed).  Object i is marked (survives) when
 * (i + 1) * keep / 100 > i * keep / 100: @r->keep percent of the objects,
 * spread evenly (every other one for 50).
 */
static bool gc_marked(const struct bench_row *r, unsigned long i)
{
	return (i + 1) * r->keep / 100 != i * r->keep / 100;
}

static __always_inline int gc_fill(enum bench_alloc a, struct bench_row *r)
{
	unsigned long i;

	for (i = 0; i < r->n; i++) {
		gc_vec[i] = obj_alloc(a, r, GFP_KERNEL | __GFP_NOWARN);
		if (!gc_vec[i]) {
			while (i--)
				obj_free(a, r, gc_vec[i]);
			return -ENOMEM;
		}
		if (!(i % 1024))
			cond_resched();
	}
	return 0;
}

/*
 * The kernel frees what a collection would: kfree() or kmem_cache_free()
 * of every unmarked object, timed with preemption disabled; the marked
 * ones are freed afterwards, untimed.
 */
static __always_inline int gc_free_loop(enum bench_alloc a,
					struct bench_row *r, u64 loops,
					u64 ns[2])
{
	unsigned long i;
	u64 l, t0;
	int err;

	ns[0] = 0;
	ns[1] = 0;
	for (l = 0; l < loops; l++) {
		err = gc_fill(a, r);
		if (err)
			return err;
		bench_atomic_begin();
		t0 = ktime_get_ns();
		for (i = 0; i < r->n; i++) {
			if (!gc_marked(r, i)) {
				obj_free(a, r, gc_vec[i]);
				barrier();
			}
		}
		ns[0] += ktime_get_ns() - t0;
		bench_atomic_end();
		for (i = 0; i < r->n; i++) {
			if (gc_marked(r, i))
				obj_free(a, r, gc_vec[i]);
		}
		cond_resched();
	}
	return 0;
}

static int gc_kmalloc(struct bench_row *r, u64 loops, u64 ns[2])
{
	return gc_free_loop(BA_KMALLOC, r, loops, ns);
}

static int gc_cache(struct bench_row *r, u64 loops, u64 ns[2])
{
	return gc_free_loop(BA_KMEM_CACHE, r, loops, ns);
}

/* Mark what survives; false if mheap refused an object. */
static bool gc_mark_all(struct bench_row *r)
{
	bool ok = true;
	unsigned long i;

	for (i = 0; i < r->n; i++) {
		if (gc_marked(r, i))
			ok &= mheap_mark(r->heap, gc_vec[i]);
	}
	return ok;
}

/*
 * A whole cycle, timed preemptible: mheap_gc_begin(), marking,
 * mheap_gc_end() and mheap_sweep_all(), which frees the unmarked objects.
 * The survivors are freed afterwards with mheap_free(), untimed.
 */
static int gc_mheap(struct bench_row *r, u64 loops, u64 ns[2])
{
	unsigned long i;
	u64 l, t0;
	bool ok;
	int err;

	ns[0] = 0;
	ns[1] = 0;
	for (l = 0; l < loops; l++) {
		err = gc_fill(BA_MHEAP, r);
		if (err)
			return err;
		t0 = ktime_get_ns();
		mheap_gc_begin(r->heap);
		ok = gc_mark_all(r);
		mheap_gc_end(r->heap);
		mheap_sweep_all(r->heap);
		ns[0] += ktime_get_ns() - t0;
		for (i = 0; i < r->n; i++) {
			if (gc_marked(r, i))
				mheap_free(r->heap, gc_vec[i]);
		}
		if (!ok)
			return -EINVAL;
		cond_resched();
	}
	return 0;
}

/*
 * Nothing marked: right after mheap_gc_end(), mheap_reclaim() asked for
 * more pages than the heap has frees every span it finds, timed with
 * preemption disabled.  The figure is per MiB the reclaimer itself freed:
 * the background sweeper, when on, takes spans from it.
 */
static int reclaim_free_mheap(struct bench_row *r, u64 loops, u64 ns[2])
{
	unsigned long want = (r->n * r->size) >> PAGE_SHIFT, got = 0;
	u64 l, t0, t = 0;
	int err;

	for (l = 0; l < loops; l++) {
		err = gc_fill(BA_MHEAP, r);
		if (err)
			return err;
		mheap_gc_begin(r->heap);
		mheap_gc_end(r->heap);
		bench_atomic_begin();
		t0 = ktime_get_ns();
		got += mheap_reclaim(r->heap, GC_ALL_PAGES);
		t += ktime_get_ns() - t0;
		bench_atomic_end();
		/* Whatever the reclaimer left, if anything. */
		mheap_sweep_all(r->heap);
		cond_resched();
	}
	gc_free_got += got;
	gc_free_want += loops * want;
	if (!got)
		return -ENODATA;
	ns[0] = div64_u64(t * loops * want, got);
	ns[1] = 0;
	return 0;
}

/*
 * Every span keeps a marked object, so the reclaimer, asked for more
 * pages than the heap has, scans the whole heap and frees nothing: one
 * cycle per loop, only mheap_reclaim() timed (preemption disabled).  The
 * next cycle's mheap_gc_begin() sweeps.
 */
static int reclaim_scan_mheap(struct bench_row *r, u64 loops, u64 ns[2])
{
	unsigned long got = 0;
	u64 l, t0;
	bool ok;

	ns[0] = 0;
	ns[1] = 0;
	for (l = 0; l < loops; l++) {
		mheap_gc_begin(r->heap);
		ok = gc_mark_all(r);
		mheap_gc_end(r->heap);
		bench_atomic_begin();
		t0 = ktime_get_ns();
		got += mheap_reclaim(r->heap, GC_ALL_PAGES);
		ns[0] += ktime_get_ns() - t0;
		bench_atomic_end();
		if (!ok)
			return -EINVAL;
		cond_resched();
	}
	return got ? -EBUSY : 0;
}

/* The physical ceiling: write, or read, @r->param MiB of memory. */
static int mem_set(struct bench_row *r, u64 loops, u64 ns[2])
{
	size_t len = r->param << 20;
	u64 l, t0;

	preempt_disable();
	t0 = ktime_get_ns();
	for (l = 0; l < loops; l++) {
		memset(gc_buf, 0, len);
		barrier();
	}
	ns[0] = ktime_get_ns() - t0;
	preempt_enable();
	ns[1] = 0;
	return 0;
}

/* Compares the buffer's two halves: reads @r->param MiB in all. */
static int mem_cmp(struct bench_row *r, u64 loops, u64 ns[2])
{
	size_t half = r->param << 19;
	int err = 0;
	u64 l, t0;

	preempt_disable();
	t0 = ktime_get_ns();
	for (l = 0; l < loops; l++) {
		if (memcmp(gc_buf, gc_buf + half, half))
			err = -EINVAL;
		barrier();
	}
	ns[0] = ktime_get_ns() - t0;
	preempt_enable();
	ns[1] = 0;
	return err;
}

/*
 * The reclaimer's ceiling: the loop it is built around and nothing else,
 * pageInUse &~ pageMarks and a popcount, a word at a time, over bitmaps of
 * as many pages as the scanned heap, holding what that heap's do (every
 * page starts a span, every span has a mark: nothing to free).
 */
static int plain_scan(struct bench_row *r, u64 loops, u64 ns[2])
{
	unsigned long w, n = 0;
	u64 l, t0;

	preempt_disable();
	t0 = ktime_get_ns();
	for (l = 0; l < loops; l++) {
		for (w = 0; w < plain_words; w++)
			n += hweight_long(READ_ONCE(plain_in_use[w]) &
					  ~READ_ONCE(plain_marks[w]));
		barrier();
	}
	ns[0] = ktime_get_ns() - t0;
	preempt_enable();
	ns[1] = 0;
	/* Every span is marked: a count means the loop read something else. */
	return n ? -EINVAL : 0;
}

static const struct bench_impl gc_impl[] = {
	{ .alloc = BA_MHEAP,      .atomic = false, .run = gc_mheap },
	{ .alloc = BA_KMALLOC,    .atomic = true,  .run = gc_kmalloc },
	{ .alloc = BA_KMEM_CACHE, .atomic = true,  .run = gc_cache },
};

static const struct bench_impl reclaim_free_impl[] = {
	{ .alloc = BA_MHEAP,      .atomic = true, .run = reclaim_free_mheap },
	{ .alloc = BA_KMALLOC,    .atomic = true, .run = gc_kmalloc },
	{ .alloc = BA_KMEM_CACHE, .atomic = true, .run = gc_cache },
};

static const struct bench_impl reclaim_scan_impl[] = {
	{ .alloc = BA_MHEAP,  .atomic = true, .once = true,
	  .run = reclaim_scan_mheap },
	{ .alloc = BA_MEMSET, .atomic = true, .run = mem_set },
	{ .alloc = BA_MEMCMP, .atomic = true, .run = mem_cmp },
	{ .alloc = BA_PLAIN,  .atomic = true, .run = plain_scan },
};

/* === Measuring ======================================================= */

static noinline u64 empty_loop(u64 loops)
{
	u64 i, t0;

	preempt_disable();
	t0 = ktime_get_ns();
	for (i = 0; i < loops; i++)
		barrier();
	t0 = ktime_get_ns() - t0;
	preempt_enable();
	return t0;
}

static int cmp_u64(const void *a, const void *b)
{
	u64 x = *(const u64 *)a, y = *(const u64 *)b;

	return x < y ? -1 : x > y;
}

/* Sorts @v. */
static u64 median(u64 *v, unsigned int n)
{
	sort(v, n, sizeof(*v), cmp_u64, NULL);
	return n & 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static u64 min_ns(void)
{
	return (u64)min_ms * NSEC_PER_MSEC;
}

static void measure_loop_overhead(void)
{
	u64 loops = 1, ns, v[BENCH_MAX_RUNS];
	unsigned int k;

	while (empty_loop(loops) < min_ns() && loops < BENCH_MAX_LOOPS)
		loops *= 2;
	for (k = 0; k < runs; k++) {
		ns = empty_loop(loops);
		v[k] = div64_u64(ns * 1000, loops);
		cond_resched();
	}
	loop_ps = median(v, runs);
	emit("info,loop_overhead_ps,%llu,%llu,%llu\n", loop_ps, v[0],
	     v[runs - 1]);
}

static u64 per_op_ps(const struct bench_row *r, unsigned int f, u64 ns,
		     u64 loops)
{
	unsigned long ops = r->ops[f] ?: r->ops[0];
	u64 ps = div64_u64(ns * 1000, loops * ops);

	if (!r->subtract)
		return ps;
	return ps > loop_ps ? ps - loop_ps : 0;
}

/*
 * Double the loop count until a run lasts min_ms (@once: one loop); this
 * warms up too.
 */
static int calibrate(struct bench_row *r, const struct bench_impl *b,
		     u64 *loops)
{
	u64 n = 1, ns[2];
	int err;

	for (;;) {
		err = b->run(r, n, ns);
		cond_resched();
		if (err)
			return err;
		if (r->same_time)
			ns[1] = 0;
		if (b->once || ns[0] + ns[1] >= min_ns() ||
		    n >= BENCH_MAX_LOOPS)
			break;
		n *= 2;
	}
	*loops = n;
	return 0;
}

/* Is "@fig/@param" in the comma-separated list @only (or is there none)? */
static bool row_wanted(const char *fig, unsigned long param)
{
	char want[48];
	const char *p;
	size_t len;

	if (!only || !*only)
		return true;
	len = snprintf(want, sizeof(want), "%s/%lu", fig, param);
	for (p = only; (p = strstr(p, want)); p += len) {
		if ((p == only || p[-1] == ',') && (!p[len] || p[len] == ','))
			return true;
	}
	return false;
}

static void measure_row(struct bench_row *r, const struct bench_impl *all,
			unsigned int nall)
{
	unsigned int i, j, k, f, nfig = r->fig[1] ? 2 : 1, nimpl = 0;
	char s_med[24], s_min[24], s_max[24];
	struct bench_impl impl[BENCH_MAX_IMPL];
	u64 loops[BENCH_MAX_IMPL], ns[2], med;
	int err[BENCH_MAX_IMPL];

	if (!row_wanted(r->fig[0], r->param))
		return;
	for (i = 0; i < nall && nimpl < BENCH_MAX_IMPL; i++) {
		if (!only_alloc || !*only_alloc ||
		    !strcmp(only_alloc, bench_alloc_name[all[i].alloc]))
			impl[nimpl++] = all[i];
	}
	if (ktime_get_ns() > bench_deadline) {
		emit("skip,%s,%lu,time budget\n", r->fig[0], r->param);
		return;
	}
	for (i = 0; i < nimpl; i++)
		err[i] = calibrate(r, &impl[i], &loops[i]);
	for (k = 0; k < runs; k++) {
		for (j = 0; j < nimpl; j++) {
			i = (j + k) % nimpl;
			if (err[i])
				continue;
			err[i] = impl[i].run(r, loops[i], ns);
			cond_resched();
			if (r->same_time)
				ns[1] = ns[0];
			for (f = 0; f < nfig; f++)
				bench_ps[i][f][k] = per_op_ps(r, f, ns[f],
							      loops[i]);
		}
	}
	for (i = 0; i < nimpl; i++) {
		if (err[i]) {
			emit("err,%s,%lu,%s,%d\n", r->fig[0], r->param,
			     bench_alloc_name[impl[i].alloc], err[i]);
			continue;
		}
		for (f = 0; f < nfig; f++) {
			u64 *v = bench_ps[i][f];

			med = median(v, runs);
			emit("res,%s,%lu,%s,%s,%s,%s,%s,%llu,%u,%s\n",
			     r->fig[f], r->param, bench_alloc_name[impl[i].alloc],
			     impl[i].atomic ? "atomic" : "sleep",
			     ps_str(s_med, sizeof(s_med), med),
			     ps_str(s_min, sizeof(s_min), v[0]),
			     ps_str(s_max, sizeof(s_max), v[runs - 1]),
			     loops[i], runs, r->unit[f] ?: r->unit[0]);
		}
	}
}

/* === Sections ======================================================== */

/* The kmalloc classes, and mheap's small-object limit. */
static const unsigned int obj_sizes[] = {
	8, 16, 32, 64, 96, 128, 192, 256, 512, 1024, 2048, 4096, 8192, 16384,
	32768,
};

static const unsigned int duo_sizes[] = { 64, 512, 1024, 4096, 16384 };
static const unsigned int page_counts[] = { 1, 2, 4, 8, 16, 32, 64 };

/* Grow the heap with GFP_KERNEL so that no timed allocation has to. */
static int mheap_prewarm(size_t size, unsigned long n)
{
	unsigned long i;
	int err = 0;

	for (i = 0; i < n; i++) {
		bench_vec[i] = mheap_alloc(bench_heap, size, GFP_KERNEL);
		if (!bench_vec[i]) {
			err = -ENOMEM;
			break;
		}
	}
	while (i--)
		mheap_free(bench_heap, bench_vec[i]);
	return err;
}

static int obj_row_init(struct bench_row *r, size_t size)
{
	char name[32];

	memset(r, 0, sizeof(*r));
	r->param = size;
	r->size = size;
	r->ops[0] = 1;
	r->subtract = true;
	r->unit[0] = "ns/op";
	r->heap = bench_heap;
	snprintf(name, sizeof(name), "mheap_bench_%zu", size);
	/* A cache of its own, not an alias of kmalloc's. */
	r->cache = kmem_cache_create(name, size, 0, SLAB_NO_MERGE, NULL);
	if (!r->cache)
		return -ENOMEM;
	return mheap_prewarm(size, burst);
}

enum obj_kind {
	OBJ_PAIR,
	OBJ_PAIR_KERNEL,
	OBJ_BURST,
	OBJ_BURST_SHUFFLED,
};

static void bench_objects(enum obj_kind kind)
{
	static const char *const figs[][2] = {
		[OBJ_PAIR]		= { "pair" },
		[OBJ_PAIR_KERNEL]	= { "pair-kernel" },
		[OBJ_BURST]		= { "burst-alloc", "burst-free" },
		[OBJ_BURST_SHUFFLED]	= { "burst-alloc-shuf", "burst-free-shuf" },
	};
	static const struct bench_impl *const impls[] = {
		[OBJ_PAIR]		= obj_pair_impl,
		[OBJ_PAIR_KERNEL]	= obj_pair_kernel_impl,
		[OBJ_BURST]		= obj_burst_impl,
		[OBJ_BURST_SHUFFLED]	= obj_burst_impl,
	};
	struct bench_row r;
	unsigned int i;
	int err;

	for (i = 0; i < ARRAY_SIZE(obj_sizes); i++) {
		if (!row_wanted(figs[kind][0], obj_sizes[i]))
			continue;
		err = obj_row_init(&r, obj_sizes[i]);
		r.fig[0] = figs[kind][0];
		r.fig[1] = figs[kind][1];
		if (kind == OBJ_BURST || kind == OBJ_BURST_SHUFFLED) {
			r.n = burst;
			r.ops[0] = burst;
			r.shuffle = kind == OBJ_BURST_SHUFFLED;
		}
		if (err)
			emit("err,%s,%lu,setup,%d\n", r.fig[0], r.param, err);
		else
			measure_row(&r, impls[kind], ARRAY_SIZE(obj_pair_impl));
		kmem_cache_destroy(r.cache);
		/* Give the burst's memory back before the next size. */
		mheap_release_all(bench_heap);
	}
}

static void bench_duos(bool remote)
{
	struct bench_row r;
	unsigned int i;
	int err;

	for (i = 0; i < ARRAY_SIZE(duo_sizes); i++) {
		if (!row_wanted(remote ? "remote" : "concurrent", duo_sizes[i]))
			continue;
		err = obj_row_init(&r, duo_sizes[i]);
		r.fig[0] = remote ? "remote" : "concurrent";
		/* The ring costs the same for every allocator: kept in. */
		r.subtract = false;
		r.remote = remote;
		if (err)
			emit("err,%s,%lu,setup,%d\n", r.fig[0], r.param, err);
		else
			measure_row(&r, duo_impl, ARRAY_SIZE(duo_impl));
		kmem_cache_destroy(r.cache);
	}
}

static void bench_pages(void)
{
	struct bench_row r;
	unsigned long k;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(page_counts); i++) {
		if (!row_wanted("pages", page_counts[i]))
			continue;
		memset(&r, 0, sizeof(r));
		r.fig[0] = "pages";
		r.unit[0] = "ns/op";
		r.param = page_counts[i];
		r.order = ilog2(page_counts[i]);
		r.ops[0] = 1;
		r.subtract = true;
		/* Grow the heap for the atomic loop, as for objects. */
		for (k = 0; k < 64; k++) {
			bench_vec[k] = mheap_alloc_manual(bench_heap, r.param,
							  GFP_KERNEL);
			if (!bench_vec[k])
				break;
		}
		while (k--)
			mheap_free_manual(bench_heap, bench_vec[k]);
		measure_row(&r, pages_impl, ARRAY_SIZE(pages_impl));
	}
}

/*
 * One release/regrow row pair on the scavenger heap, whose region kind
 * decides how its memory is mapped.  Everything is given back afterwards.
 */
static void bench_scavenger(const char *release, const char *regrow)
{
	struct bench_row r = {
		.fig	= { release, regrow },
		.unit	= { "ns/MiB" },
		.param	= scav_nspans * 2,
		.ops	= { scav_nspans * 2 },
		.n	= scav_nspans,
	};
	unsigned long i;

	if (!row_wanted(release, r.param))
		return;
	for (i = 0; i < scav_nspans; i++) {
		scav_spans[i] = mheap_alloc_manual(scav_heap, SCAV_SPAN_PAGES,
						   GFP_KERNEL | __GFP_NOWARN);
		if (!scav_spans[i])
			break;
	}
	scav_vmem = vmalloc(scav_nspans * SZ_2M);
	if (i < scav_nspans || !scav_vmem)
		emit("err,%s,%lu,setup,%d\n", release, r.param, -ENOMEM);
	else
		measure_row(&r, scav_impl, ARRAY_SIZE(scav_impl));
	for (i = 0; i < scav_nspans; i++) {
		mheap_free_manual(scav_heap, scav_spans[i]);
		scav_spans[i] = NULL;
	}
	vfree(scav_vmem);
	scav_vmem = NULL;
	mheap_release_all(scav_heap);
}

/*
 * The reclaimer's scan rate, on a heap of @scan_mib MiB of one-page spans
 * (1 KiB objects, 4 a span) each keeping half of its objects, against
 * memset() and memcmp() of as many MiB and against the plain loop over
 * bitmaps of as many pages.  Runs first, on the fresh heap, so that the
 * heap holds nothing else for the reclaimer to scan.
 */
static void bench_reclaim_scan(void)
{
	struct bench_row r = {
		.fig	= { "reclaim-scan" },
		.unit	= { "ns/MiB" },
		.param	= scan_mib,
		.ops	= { scan_mib },
		.heap	= gc_heap,
		.size	= GC_SCAN_SIZE,
		.n	= ((size_t)scan_mib << 20) / GC_SCAN_SIZE,
		.keep	= 50,
	};
	unsigned long i;
	int err;

	if (!row_wanted(r.fig[0], r.param))
		return;
	plain_words = BITS_TO_LONGS(((size_t)scan_mib << 20) >> PAGE_SHIFT);
	plain_in_use = kvmalloc_array(plain_words, sizeof(long), GFP_KERNEL);
	plain_marks = kvmalloc_array(plain_words, sizeof(long), GFP_KERNEL);
	gc_buf = vzalloc((size_t)scan_mib << 20);
	err = gc_buf && plain_in_use && plain_marks ? gc_fill(BA_MHEAP, &r) :
						      -ENOMEM;
	if (err) {
		emit("err,%s,%lu,setup,%d\n", r.fig[0], r.param, err);
		goto out;
	}
	/* A first cycle frees the unmarked half: spans all keep some. */
	mheap_gc_begin(gc_heap);
	gc_mark_all(&r);
	mheap_gc_end(gc_heap);
	mheap_sweep_all(gc_heap);
	memset(plain_in_use, 0xff, plain_words * sizeof(long));
	memset(plain_marks, 0xff, plain_words * sizeof(long));
	measure_row(&r, reclaim_scan_impl, ARRAY_SIZE(reclaim_scan_impl));
	mheap_sweep_all(gc_heap);
	for (i = 0; i < r.n; i++) {
		if (gc_marked(&r, i))
			mheap_free(gc_heap, gc_vec[i]);
	}
out:
	vfree(gc_buf);
	gc_buf = NULL;
	kvfree(plain_in_use);
	kvfree(plain_marks);
	plain_in_use = NULL;
	plain_marks = NULL;
}

static int gc_row_init(struct bench_row *r, size_t size, unsigned int keep)
{
	char name[32];

	memset(r, 0, sizeof(*r));
	r->param = size;
	r->heap = gc_heap;
	r->size = size;
	r->n = ((size_t)gc_mib << 20) / size;
	r->keep = keep;
	snprintf(name, sizeof(name), "mheap_bench_gc_%zu", size);
	r->cache = kmem_cache_create(name, size, 0, SLAB_NO_MERGE, NULL);
	return r->cache ? 0 : -ENOMEM;
}

static const unsigned int gc_sizes[] = { 64, 1024 };
static const unsigned int gc_keep[] = { 50, 0 };

/*
 * Mark+sweep of @gc_mib MiB of objects, half or none of them marked,
 * against kfree() and kmem_cache_free() of the objects the cycle frees;
 * per object freed and per MiB freed.
 */
static void bench_mark_sweep(void)
{
	static const char *const figs[][2] = {
		{ "gc-mark50", "gc-mark50-mib" },
		{ "gc-mark0", "gc-mark0-mib" },
	};
	struct bench_row r;
	unsigned int i, k;

	for (i = 0; i < ARRAY_SIZE(gc_sizes); i++) {
		for (k = 0; k < ARRAY_SIZE(gc_keep); k++) {
			unsigned long freed;

			if (!row_wanted(figs[k][0], gc_sizes[i]))
				continue;
			if (gc_row_init(&r, gc_sizes[i], gc_keep[k])) {
				emit("err,%s,%u,setup,%d\n", figs[k][0],
				     gc_sizes[i], -ENOMEM);
				continue;
			}
			freed = r.n - r.n * r.keep / 100;
			r.fig[0] = figs[k][0];
			r.fig[1] = figs[k][1];
			r.unit[0] = "ns/object";
			r.unit[1] = "ns/MiB";
			r.ops[0] = freed;
			r.ops[1] = max((freed * r.size) >> 20, 1UL);
			r.same_time = true;
			measure_row(&r, gc_impl, ARRAY_SIZE(gc_impl));
			kmem_cache_destroy(r.cache);
		}
	}
}

/*
 * The reclaimer's free rate: @gc_mib MiB of objects, nothing marked,
 * against kfree() and kmem_cache_free() of the same objects; per MiB.
 */
static void bench_reclaim_free(void)
{
	struct bench_row r;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(gc_sizes); i++) {
		if (!row_wanted("reclaim-free", gc_sizes[i]))
			continue;
		gc_free_got = 0;
		gc_free_want = 0;
		if (gc_row_init(&r, gc_sizes[i], 0)) {
			emit("err,reclaim-free,%u,setup,%d\n", gc_sizes[i],
			     -ENOMEM);
			continue;
		}
		r.fig[0] = "reclaim-free";
		r.unit[0] = "ns/MiB";
		r.ops[0] = gc_mib;
		measure_row(&r, reclaim_free_impl,
			    ARRAY_SIZE(reclaim_free_impl));
		kmem_cache_destroy(r.cache);
		/* Pages the reclaimer freed, of those the heap held. */
		emit("info,reclaim_free_pages_%u,%lu,%lu\n", gc_sizes[i],
		     gc_free_got, gc_free_want);
	}
}

/* Everything of "bench-gc": when "run" is written to the collect file. */
static void bench_collection(void)
{
	u64 t0 = ktime_get_ns();

	bench_deadline = t0 + (u64)budget_s * NSEC_PER_SEC;
	emit("info,gc_mib,%u\n", gc_mib);
	emit("info,scan_mib,%u\n", scan_mib);
	gc_vec = kvcalloc(max(((size_t)gc_mib << 20) / gc_sizes[0],
			      ((size_t)scan_mib << 20) / GC_SCAN_SIZE),
			  sizeof(*gc_vec), GFP_KERNEL);
	if (!gc_vec) {
		emit("err,collect,0,setup,%d\n", -ENOMEM);
		return;
	}
	bench_reclaim_scan();
	bench_mark_sweep();
	bench_reclaim_free();
	mheap_release_all(gc_heap);
	kvfree(gc_vec);
	gc_vec = NULL;
	emit("info,gc_elapsed_ms,%llu\n",
	     div_u64(ktime_get_ns() - t0, NSEC_PER_MSEC));
	if (seq_buf_has_overflowed(&bench_sb))
		pr_warn("results truncated\n");
}

static ssize_t collect_write(struct file *file, const char __user *buf,
			     size_t len, loff_t *ppos)
{
	char cmd[8] = "";

	if (copy_from_user(cmd, buf, min(len, sizeof(cmd) - 1)))
		return -EFAULT;
	if (strcmp(strim(cmd), "run"))
		return -EINVAL;
	mutex_lock(&collect_lock);
	if (!collected) {
		collected = true;
		bench_collection();
	}
	mutex_unlock(&collect_lock);
	return len;
}

static const struct file_operations collect_fops = {
	.owner	= THIS_MODULE,
	.write	= collect_write,
	.llseek	= noop_llseek,
};

/* === Module ========================================================== */

static void bench_free(void)
{
	unsigned long i;

	debugfs_remove_recursive(bench_dir);
	for (i = 0; scav_spans && i < scav_nspans; i++)
		mheap_free_manual(scav_heap, scav_spans[i]);
	vfree(scav_vmem);
	if (!IS_ERR_OR_NULL(gc_heap))
		mheap_destroy(gc_heap);
	if (!IS_ERR_OR_NULL(scav_heap))
		mheap_destroy(scav_heap);
	if (!IS_ERR_OR_NULL(bench_heap))
		mheap_destroy(bench_heap);
	kvfree(scav_spans);
	kvfree(bench_perm);
	kvfree(bench_vec);
	kvfree(bench_out);
}

static int __init mheap_bench_init(void)
{
	u64 t0 = ktime_get_ns();
	unsigned int cpu, i;

	runs = clamp(runs, 1U, (unsigned int)BENCH_MAX_RUNS);
	burst = max(burst, 64U);
	scav_nspans = max(scav_mib / 2, 1U);
	gc_mib = max(round_up(gc_mib, 2), 2U);
	scan_mib = max(scan_mib, 2U);
	bench_deadline = t0 + (u64)budget_s * NSEC_PER_SEC;

	bench_out = kvzalloc(BENCH_OUT_SIZE, GFP_KERNEL);
	bench_vec = kvcalloc(burst, sizeof(*bench_vec), GFP_KERNEL);
	bench_perm = kvcalloc(burst, sizeof(*bench_perm), GFP_KERNEL);
	scav_spans = kvcalloc(scav_nspans, sizeof(*scav_spans), GFP_KERNEL);
	if (!bench_out || !bench_vec || !bench_perm || !scav_spans) {
		bench_free();
		return -ENOMEM;
	}
	/* Fisher-Yates: the shuffled bursts' order of frees. */
	for (i = 0; i < burst; i++)
		bench_perm[i] = i;
	for (i = burst - 1; i > 0; i--) {
		unsigned int j = get_random_u32_below(i + 1);

		swap(bench_perm[i], bench_perm[j]);
	}
	seq_buf_init(&bench_sb, bench_out, BENCH_OUT_SIZE);
	bench_heap = mheap_create("bench", NULL);
	scav_heap = mheap_create("bench-scav", NULL);
	gc_heap = mheap_create("bench-gc", NULL);
	if (IS_ERR(bench_heap) || IS_ERR(scav_heap) || IS_ERR(gc_heap)) {
		bench_free();
		return -ENOMEM;
	}

	emit("info,runs,%u\n", runs);
	emit("info,min_ms,%u\n", min_ms);
	emit("info,burst,%u\n", burst);
	emit("info,scav_mib,%lu\n", scav_nspans * 2);
	emit("info,init_on_alloc,%d\n", want_init_on_alloc(GFP_KERNEL));
	emit("info,init_on_free,%d\n", want_init_on_free());
	emit("info,online_cpus,%u\n", num_online_cpus());
	emit("info,hz,%d\n", HZ);
	emit("info,preempt_rt,%d\n", IS_ENABLED(CONFIG_PREEMPT_RT));
	emit("info,atomic_ctx,%s\n", atomic_ctx);
	if (IS_ENABLED(CONFIG_PREEMPT_RT))
		emit("info,rt_note,%s\n",
		     "atomic rows run with migration disabled: preempt_disable() around the allocators' sleeping spinlocks is invalid on PREEMPT_RT");

	measure_loop_overhead();
	if (gc_only)
		goto done;
	bench_objects(OBJ_PAIR);
	bench_objects(OBJ_PAIR_KERNEL);
	bench_objects(OBJ_BURST);
	bench_objects(OBJ_BURST_SHUFFLED);
	cpu = cpumask_first(cpu_online_mask);
	duo_cpu[0] = cpu;
	duo_cpu[1] = cpumask_next(cpu, cpu_online_mask);
	if (duo_cpu[1] < nr_cpu_ids) {
		bench_duos(true);
		bench_duos(false);
	} else {
		emit("skip,remote,0,one CPU\n");
	}
	bench_pages();
	mheap_release_all(bench_heap);
	/* The default kind maps one-chunk regions from the direct map... */
	bench_scavenger("release", "regrow");
	/* ...and this heap only ever vmaps: the two kinds side by side. */
	mheap_destroy(scav_heap);
	scav_heap = mheap_create("bench-scav-vmap", &vmap_params);
	if (!IS_ERR(scav_heap))
		bench_scavenger("release-vmap", "regrow-vmap");

done:
	emit("info,elapsed_ms,%llu\n",
	     div_u64(ktime_get_ns() - t0, NSEC_PER_MSEC));
	if (seq_buf_has_overflowed(&bench_sb))
		pr_warn("results truncated\n");
	bench_dir = debugfs_create_dir(KBUILD_MODNAME, NULL);
	debugfs_create_file("results", 0400, bench_dir, NULL, &results_fops);
	debugfs_create_file("collect", 0200, bench_dir, NULL, &collect_fops);
	return 0;
}

static void __exit mheap_bench_exit(void)
{
	bench_free();
}

module_init(mheap_bench_init);
module_exit(mheap_bench_exit);

MODULE_DESCRIPTION("mheap against kmalloc, kmem_cache, alloc_pages, vmalloc; collection cost");
MODULE_AUTHOR("mheap developers");
MODULE_LICENSE("GPL");
