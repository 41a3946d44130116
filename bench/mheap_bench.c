// SPDX-License-Identifier: GPL-2.0
/*
 * mheap_bench - mheap against kmalloc, kmem_cache, alloc_pages and vmalloc.
 *
 * Everything runs at load time.  The results stay in
 * <debugfs>/mheap_bench/results until unload, one CSV line per figure;
 * Documentation/performance.rst describes the rows and the format.
 *
 * The method is Jesper Dangaard Brouer's time_bench (prototype-kernel): a
 * whole tight loop between two ktime_get_ns() readings, barrier() in it so
 * that nothing is optimised away, and the cost of an empty loop iteration
 * subtracted.  Allocators that may be called in atomic context are timed
 * with preemption disabled and GFP_ATOMIC | __GFP_NOWARN, after the heap has
 * been grown with GFP_KERNEL so that no timed allocation has to grow it;
 * vmalloc() and the scavenger rows may sleep and are timed preemptible with
 * GFP_KERNEL.  The loop count is doubled until one run lasts min_ms; a
 * figure is the median of @runs runs (min and max are printed too) and the
 * order of the allocators is rotated from one run to the next.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/atomic.h>
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
#include <linux/preempt.h>
#include <linux/sched.h>
#include <linux/seq_buf.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/sort.h>
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

static unsigned int budget_s = 420;
module_param(budget_s, uint, 0444);
MODULE_PARM_DESC(budget_s, "No row starts after this many seconds (default 420)");

#define BENCH_GFP		(GFP_ATOMIC | __GFP_NOWARN)
#define BENCH_MAX_RUNS		15
#define BENCH_MAX_IMPL		4
#define BENCH_MAX_LOOPS		BIT_ULL(32)
#define BENCH_OUT_SIZE		(64 * 1024)
#define BENCH_LINE		192
#define BENCH_RING		4096
#define SCAV_SPAN_PAGES		(SZ_2M >> PAGE_SHIFT)

enum bench_alloc {
	BA_MHEAP,
	BA_KMALLOC,
	BA_KMEM_CACHE,
	BA_PAGES,
	BA_VMALLOC,
};

static const char *const bench_alloc_name[] = {
	[BA_MHEAP]	= "mheap",
	[BA_KMALLOC]	= "kmalloc",
	[BA_KMEM_CACHE]	= "kmem_cache",
	[BA_PAGES]	= "alloc_pages",
	[BA_VMALLOC]	= "vmalloc",
};

/**
 * struct bench_row - one row of results: a figure per allocator
 * @fig:	names of the one or two figures a run yields
 * @unit:	what one operation is
 * @param:	the row's size: bytes, pages or MiB
 * @ops:	operations per loop iteration
 * @subtract:	subtract the empty loop's cost from each operation
 * @remote:	2-CPU rows: free on the other CPU, else both CPUs do pairs
 * @size:	object size in bytes
 * @order:	page order of @param pages
 * @cache:	a kmem_cache of @size bytes
 * @n:		objects per burst, spans per scavenger run
 */
struct bench_row {
	const char *fig[2];
	const char *unit;
	unsigned long param;
	unsigned long ops;
	bool subtract;
	bool remote;
	size_t size;
	unsigned int order;
	struct kmem_cache *cache;
	unsigned long n;
};

/**
 * struct bench_impl - one allocator's way of doing a row
 * @alloc:	an &enum bench_alloc
 * @atomic:	timed with preemption disabled and GFP_ATOMIC
 * @run:	do @loops iterations, store each figure's nanoseconds in @ns
 */
struct bench_impl {
	enum bench_alloc alloc;
	bool atomic;
	int (*run)(struct bench_row *r, u64 loops, u64 ns[2]);
};

static struct mheap *bench_heap;
static struct mheap *scav_heap;
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
/* Burst pointers, and the scavenger's spans and vmalloc() area. */
static void **bench_vec;
static struct mheap_span **scav_spans;
static unsigned long scav_nspans;
static void *scav_vmem;

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

/* @a is a constant wherever these are inlined: no dispatch in the loop. */
static __always_inline void *obj_alloc(enum bench_alloc a, struct bench_row *r,
				       gfp_t gfp)
{
	if (a == BA_MHEAP)
		return mheap_alloc(bench_heap, r->size, gfp);
	if (a == BA_KMALLOC)
		return kmalloc(r->size, gfp);
	return kmem_cache_alloc(r->cache, gfp);
}

static __always_inline void obj_free(enum bench_alloc a, struct bench_row *r,
				     void *p)
{
	if (a == BA_MHEAP)
		mheap_free(bench_heap, p);
	else if (a == BA_KMALLOC)
		kfree(p);
	else
		kmem_cache_free(r->cache, p);
}

static __always_inline int pair_body(enum bench_alloc a, struct bench_row *r,
				     u64 loops)
{
	void *p;
	u64 i;

	for (i = 0; i < loops; i++) {
		p = obj_alloc(a, r, BENCH_GFP);
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

	preempt_disable();
	t0 = ktime_get_ns();
	err = pair_body(a, r, loops);
	ns[0] = ktime_get_ns() - t0;
	preempt_enable();
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

/* Allocate @r->n objects, then free them; each phase timed on its own. */
static __always_inline int burst_loop(enum bench_alloc a, struct bench_row *r,
				      u64 loops, u64 ns[2])
{
	unsigned long i, got;
	u64 l, t0, t1, t2;
	int err = 0;

	ns[0] = 0;
	ns[1] = 0;
	for (l = 0; l < loops && !err; l++) {
		preempt_disable();
		t0 = ktime_get_ns();
		for (i = 0; i < r->n; i++) {
			bench_vec[i] = obj_alloc(a, r, BENCH_GFP);
			if (unlikely(!bench_vec[i]))
				break;
			barrier();
		}
		t1 = ktime_get_ns();
		got = i;
		for (i = 0; i < got; i++) {
			obj_free(a, r, bench_vec[i]);
			barrier();
		}
		t2 = ktime_get_ns();
		preempt_enable();
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
		if (pair_body(a, d->row, d->loops))
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
	preempt_disable();
	d->start[role] = ktime_get_ns();
	if (d->alloc == BA_MHEAP)
		duo_work(BA_MHEAP, d, role);
	else if (d->alloc == BA_KMALLOC)
		duo_work(BA_KMALLOC, d, role);
	else
		duo_work(BA_KMEM_CACHE, d, role);
	d->end[role] = ktime_get_ns();
	preempt_enable();
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

	preempt_disable();
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
	preempt_enable();
	ns[1] = 0;
	return err;
}

static int pages_buddy(struct bench_row *r, u64 loops, u64 ns[2])
{
	struct page *page;
	int err = 0;
	u64 i, t0;

	preempt_disable();
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
	preempt_enable();
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

static u64 per_op_ps(const struct bench_row *r, u64 ns, u64 loops)
{
	u64 ps = div64_u64(ns * 1000, loops * r->ops);

	if (!r->subtract)
		return ps;
	return ps > loop_ps ? ps - loop_ps : 0;
}

/* Double the loop count until a run lasts min_ms; this warms up too. */
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
		if (ns[0] + ns[1] >= min_ns() || n >= BENCH_MAX_LOOPS)
			break;
		n *= 2;
	}
	*loops = n;
	return 0;
}

static void measure_row(struct bench_row *r, const struct bench_impl *impl,
			unsigned int nimpl)
{
	unsigned int i, j, k, f, nfig = r->fig[1] ? 2 : 1;
	char s_med[24], s_min[24], s_max[24];
	u64 loops[BENCH_MAX_IMPL], ns[2], med;
	int err[BENCH_MAX_IMPL];

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
			for (f = 0; f < nfig; f++)
				bench_ps[i][f][k] = per_op_ps(r, ns[f], loops[i]);
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
			     loops[i], runs, r->unit);
		}
	}
}

/* === Sections ======================================================== */

static const unsigned int obj_sizes[] = {
	8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096, 8192, 16384, 32768,
};

static const unsigned int burst_sizes[] = { 8, 64, 512, 4096, 32768 };
static const unsigned int duo_sizes[] = { 64, 512, 4096 };
static const unsigned int page_counts[] = { 1, 2, 4, 8, 16, 64 };

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
	r->ops = 1;
	r->subtract = true;
	r->unit = "ns/op";
	snprintf(name, sizeof(name), "mheap_bench_%zu", size);
	/* A cache of its own, not an alias of kmalloc's. */
	r->cache = kmem_cache_create(name, size, 0, SLAB_NO_MERGE, NULL);
	if (!r->cache)
		return -ENOMEM;
	return mheap_prewarm(size, burst);
}

static void bench_objects(const unsigned int *sizes, unsigned int nsizes,
			  bool is_burst)
{
	struct bench_row r;
	unsigned int i;
	int err;

	for (i = 0; i < nsizes; i++) {
		err = obj_row_init(&r, sizes[i]);
		if (is_burst) {
			r.fig[0] = "burst-alloc";
			r.fig[1] = "burst-free";
			r.n = burst;
			r.ops = burst;
		} else {
			r.fig[0] = "pair";
		}
		if (err)
			emit("err,%s,%lu,setup,%d\n", r.fig[0], r.param, err);
		else
			measure_row(&r, is_burst ? obj_burst_impl : obj_pair_impl,
				    ARRAY_SIZE(obj_pair_impl));
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
		memset(&r, 0, sizeof(r));
		r.fig[0] = "pages";
		r.unit = "ns/op";
		r.param = page_counts[i];
		r.order = ilog2(page_counts[i]);
		r.ops = 1;
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
		.unit	= "ns/MiB",
		.param	= scav_nspans * 2,
		.ops	= scav_nspans * 2,
		.n	= scav_nspans,
	};
	unsigned long i;

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

/* === Module ========================================================== */

static void bench_free(void)
{
	unsigned long i;

	debugfs_remove_recursive(bench_dir);
	for (i = 0; scav_spans && i < scav_nspans; i++)
		mheap_free_manual(scav_heap, scav_spans[i]);
	vfree(scav_vmem);
	if (!IS_ERR_OR_NULL(scav_heap))
		mheap_destroy(scav_heap);
	if (!IS_ERR_OR_NULL(bench_heap))
		mheap_destroy(bench_heap);
	kvfree(scav_spans);
	kvfree(bench_vec);
	kvfree(bench_out);
}

static int __init mheap_bench_init(void)
{
	u64 t0 = ktime_get_ns();
	unsigned int cpu;

	runs = clamp(runs, 1U, (unsigned int)BENCH_MAX_RUNS);
	burst = max(burst, 64U);
	scav_nspans = max(scav_mib / 2, 1U);
	bench_deadline = t0 + (u64)budget_s * NSEC_PER_SEC;

	bench_out = kvzalloc(BENCH_OUT_SIZE, GFP_KERNEL);
	bench_vec = kvcalloc(burst, sizeof(*bench_vec), GFP_KERNEL);
	scav_spans = kvcalloc(scav_nspans, sizeof(*scav_spans), GFP_KERNEL);
	if (!bench_out || !bench_vec || !scav_spans) {
		bench_free();
		return -ENOMEM;
	}
	seq_buf_init(&bench_sb, bench_out, BENCH_OUT_SIZE);
	bench_heap = mheap_create("bench", NULL);
	scav_heap = mheap_create("bench-scav", NULL);
	if (IS_ERR(bench_heap) || IS_ERR(scav_heap)) {
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

	measure_loop_overhead();
	bench_objects(obj_sizes, ARRAY_SIZE(obj_sizes), false);
	bench_objects(burst_sizes, ARRAY_SIZE(burst_sizes), true);
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

	emit("info,elapsed_ms,%llu\n",
	     div_u64(ktime_get_ns() - t0, NSEC_PER_MSEC));
	if (seq_buf_has_overflowed(&bench_sb))
		pr_warn("results truncated\n");
	bench_dir = debugfs_create_dir(KBUILD_MODNAME, NULL);
	debugfs_create_file("results", 0400, bench_dir, NULL, &results_fops);
	return 0;
}

static void __exit mheap_bench_exit(void)
{
	bench_free();
}

module_init(mheap_bench_init);
module_exit(mheap_bench_exit);

MODULE_DESCRIPTION("mheap against kmalloc, kmem_cache, alloc_pages and vmalloc");
MODULE_AUTHOR("mheap developers");
MODULE_LICENSE("GPL");
