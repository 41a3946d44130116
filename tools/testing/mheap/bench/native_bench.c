// SPDX-License-Identifier: GPL-2.0
/*
 * native_bench - the rows of bench/mheap_bench.c, natively, against the
 * userspace allocators.
 *
 * One executable per allocator (backend.h).  Each run of it measures every
 * row once and prints one CSV line per figure:
 *
 *   run,<figure>,<param>,<allocator>,<ns per op>,<loops>,<cycles/op>,<instr/op>
 *
 * (the two counter fields are empty when the machine has no usable PMU),
 * plus "info," lines.  scripts/bench-native.sh runs every executable
 * several times, in a rotating order, and prints medians and ratios.
 *
 * The method is that of the kernel benchmark: a whole tight loop between
 * two clock_gettime(CLOCK_MONOTONIC) readings, a compiler barrier that
 * makes each pointer escape so that nothing is optimised away, the cost of
 * an empty loop iteration subtracted (except in the two-thread rows), and
 * a loop count doubled until one run lasts min_ms (which also warms up).
 * Sizes are run-time values.  Objects are only allocated and freed, never
 * touched.  One-thread rows are timed in CPU time of the process (see
 * now_ns()); the two-thread rows bind their threads to CPUs 0 and 1 and
 * take the wall time from the first start to the last end.
 *
 * Usage: native_bench [-m min_ms] [-b burst] [-g gc_mib] [-s scan_mib]
 *                     [-r scan_runs] [-c] [-o only-section]
 *   -c   also measure the ceilings of the reclaimer scan row (memset,
 *        memcmp, and-not + popcount over the page bitmaps); one
 *        executable is enough, they do not depend on the allocator.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <linux/perf_event.h>
#include <pthread.h>
#include <sched.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "backend.h"

#define MAX_LOOPS	0x400000000UL
#define RING		4096
#define MAX_SCAN_RUNS	15
#define PAGE_BYTES	4096UL
#define SCAN_SIZE	1024
#define USAGE		"[-m min_ms] [-b burst] [-g gc_mib] [-s scan_mib] [-r scan_runs] [-c] [-o section]"

static unsigned int min_ms = 10;
static unsigned int burst = 10000;
static unsigned int gc_mib = 32;
static unsigned int scan_mib = 256;
static unsigned int scan_runs = 5;
static bool ceilings;
static const char *only;

/* The size of the current row; read through opaque() by the loops. */
static size_t size_var;

static void **vec;
static unsigned int *perm;

/* A pointer escapes: the compiler must assume it is used. */
static inline void escape(void *p)
{
	asm volatile("" : : "r"(p) : "memory");
}

static inline void barrier(void)
{
	asm volatile("" : : : "memory");
}

/* A value the compiler cannot see through: sizes are run-time values. */
static inline size_t opaque(size_t v)
{
	asm volatile("" : "+r"(v));
	return v;
}

static inline void cpu_relax(void)
{
	__builtin_ia32_pause();
}

static unsigned long clock_ns(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (unsigned long)ts.tv_sec * 1000000000UL + ts.tv_nsec;
}

/*
 * One-thread rows count the CPU time of the process (every thread of it,
 * an allocator's helper threads included), not wall time: the machine may
 * be shared, and time in which another process holds the core is not the
 * allocator's.
 */
static unsigned long now_ns(void)
{
	return clock_ns(CLOCK_PROCESS_CPUTIME_ID);
}

/* Two-thread rows: wall time, the threads wait for each other. */
static unsigned long wall_ns(void)
{
	return clock_ns(CLOCK_MONOTONIC);
}

static void die(const char *what)
{
	fprintf(stderr, "native_bench(%s): %s\n", BK_NAME, what);
	exit(1);
}

static void pin_cpu(unsigned int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	sched_setaffinity(0, sizeof(set), &set);
}

/* === Hardware counters ============================================= */

/*
 * Cycles and instructions of the main thread, user space only (what
 * perf_event_paranoid 2 allows).  On a machine without a usable PMU the
 * fields stay empty and one info line says why.
 */
static int perf_fd[2] = { -1, -1 };
static unsigned long perf_val[2];

static int perf_open(unsigned long config)
{
	struct perf_event_attr a;

	memset(&a, 0, sizeof(a));
	a.size = sizeof(a);
	a.type = PERF_TYPE_HARDWARE;
	a.config = config;
	a.disabled = 1;
	a.exclude_kernel = 1;
	a.exclude_hv = 1;
	return syscall(SYS_perf_event_open, &a, 0, -1, -1, 0);
}

static void perf_init(void)
{
	perf_fd[0] = perf_open(PERF_COUNT_HW_CPU_CYCLES);
	if (perf_fd[0] < 0) {
		printf("info,perf,unavailable: perf_event_open(cycles): %s\n",
		       strerror(errno));
		return;
	}
	perf_fd[1] = perf_open(PERF_COUNT_HW_INSTRUCTIONS);
	if (perf_fd[1] < 0) {
		printf("info,perf,unavailable: perf_event_open(instructions): %s\n",
		       strerror(errno));
		close(perf_fd[0]);
		perf_fd[0] = -1;
		return;
	}
	printf("info,perf,user-space cycles and instructions\n");
}

static void perf_start(void)
{
	for (int i = 0; i < 2 && perf_fd[0] >= 0; i++) {
		ioctl(perf_fd[i], PERF_EVENT_IOC_RESET, 0);
		ioctl(perf_fd[i], PERF_EVENT_IOC_ENABLE, 0);
	}
}

static void perf_stop(void)
{
	for (int i = 0; i < 2 && perf_fd[0] >= 0; i++) {
		ioctl(perf_fd[i], PERF_EVENT_IOC_DISABLE, 0);
		if (read(perf_fd[i], &perf_val[i], sizeof(perf_val[i])) !=
		    sizeof(perf_val[i]))
			perf_val[i] = 0;
	}
}

/* === Rows ========================================================== */

/**
 * struct row - one figure (or two, for bursts) of one allocator
 * @fig:	figure names, as in bench/mheap_bench.c
 * @param:	the row's size (bytes, or MiB for the scan)
 * @nfig:	figures a run yields
 * @ops:	operations per loop iteration, per figure
 * @subtract:	subtract the empty loop's cost
 * @counted:	cycles/instructions are meaningful (main thread only)
 * @once:	no calibration: each run is one iteration, the figure is
 *		the median of @scan_runs of them
 * @min_loops:	calibration starts here (two-thread rows: many times the
 *		ring, so that thread start-up is not what is measured)
 * @run:	do @loops iterations; nanoseconds of each figure in @ns
 */
struct row {
	const char *fig[3];
	unsigned long param;
	int nfig;
	double ops[3];
	bool subtract;
	bool counted;
	bool once;
	unsigned long min_loops;
	int (*run)(struct row *r, unsigned long loops, unsigned long ns[3]);
	/* for the run functions */
	size_t size;
	unsigned long n;
	unsigned int keep;
	bool remote;
	bool shuffled;
};

static double loop_ns;

static void measure(struct row *r)
{
	unsigned long loops = r->min_loops ? r->min_loops : 1, ns[3] = { 0 }, total;
	unsigned long cyc = 0, ins = 0;
	int f, err;

	if (only && !strstr(r->fig[0], only))
		return;
	for (;;) {
		if (!r->once)
			break;
		/* One iteration a run: the median of scan_runs of them. */
		unsigned long v[MAX_SCAN_RUNS];
		unsigned int k, j;

		for (k = 0; k < scan_runs; k++) {
			err = r->run(r, 1, ns);
			if (err)
				goto fail;
			v[k] = ns[0];
		}
		for (k = 1; k < scan_runs; k++)
			for (j = k; j > 0 && v[j - 1] > v[j]; j--) {
				unsigned long t = v[j];

				v[j] = v[j - 1];
				v[j - 1] = t;
			}
		printf("run,%s,%lu,%s,%.4f,%u,,\n", r->fig[0], r->param,
		       BK_NAME, v[scan_runs / 2] / r->ops[0], scan_runs);
		fflush(stdout);
		return;
	}
	for (;;) {
		err = r->run(r, loops, ns);
		if (err)
			goto fail;
		total = 0;
		for (f = 0; f < r->nfig; f++)
			total += ns[f];
		if (total >= (unsigned long)min_ms * 1000000 || loops >= MAX_LOOPS)
			break;
		loops *= 2;
	}
	/* The measured run, with the counters around it. */
	perf_start();
	err = r->run(r, loops, ns);
	perf_stop();
	if (err)
		goto fail;
	if (perf_fd[0] >= 0 && r->counted) {
		cyc = perf_val[0];
		ins = perf_val[1];
	}
	for (f = 0; f < r->nfig; f++) {
		double ops = (double)loops * r->ops[f];
		double v = ns[f] / ops;
		double ops_all = (double)loops * (r->ops[0] + (r->nfig > 1 ? r->ops[1] : 0));

		if (r->subtract)
			v = v > loop_ns ? v - loop_ns : 0;
		printf("run,%s,%lu,%s,%.4f,%lu,", r->fig[f], r->param, BK_NAME,
		       v, loops);
		/* Counters cover the whole run: split by operation. */
		if (cyc && r->nfig == 1)
			printf("%.1f,%.1f\n", cyc / ops, ins / ops);
		else if (cyc)
			printf("%.1f,%.1f\n", cyc / ops_all, ins / ops_all);
		else
			printf(",\n");
	}
	fflush(stdout);
	return;
fail:
	printf("err,%s,%lu,%s,%d\n", r->fig[0], r->param, BK_NAME, err);
	fflush(stdout);
}

static noinline unsigned long empty_loop(unsigned long loops)
{
	unsigned long t0 = now_ns();

	for (unsigned long i = 0; i < loops; i++)
		barrier();
	return now_ns() - t0;
}

static void measure_loop_overhead(void)
{
	unsigned long loops = 1, ns;
	double v[5];

	while (empty_loop(loops) < (unsigned long)min_ms * 1000000 &&
	       loops < MAX_LOOPS)
		loops *= 2;
	for (int k = 0; k < 5; k++) {
		ns = empty_loop(loops);
		v[k] = (double)ns / loops;
	}
	for (int k = 1; k < 5; k++)
		for (int j = k; j > 0 && v[j - 1] > v[j]; j--) {
			double t = v[j];

			v[j] = v[j - 1];
			v[j - 1] = t;
		}
	loop_ns = v[2];
	printf("info,loop_overhead_ns,%.3f\n", loop_ns);
}

/* --- One thread ---------------------------------------------------- */

static int pair_run(struct row *r, unsigned long loops, unsigned long ns[3])
{
	size_t size = opaque(size_var);
	unsigned long t0;
	void *p;

	t0 = now_ns();
	for (unsigned long i = 0; i < loops; i++) {
		p = bk_alloc(size);
		if (__builtin_expect(!p, 0))
			return -ENOMEM;
		escape(p);
		bk_free(p);
	}
	ns[0] = now_ns() - t0;
	return 0;
}

/* Allocate r->n objects, then free them (in order or shuffled). */
static int burst_run(struct row *r, unsigned long loops, unsigned long ns[3])
{
	size_t size = opaque(size_var);
	unsigned long i, n = r->n;
	unsigned long t0, t1, t2;

	ns[0] = 0;
	ns[1] = 0;
	for (unsigned long l = 0; l < loops; l++) {
		t0 = now_ns();
		for (i = 0; i < n; i++) {
			vec[i] = bk_alloc(size);
			if (__builtin_expect(!vec[i], 0))
				return -ENOMEM;
			escape(vec[i]);
		}
		t1 = now_ns();
		if (r->shuffled) {
			for (i = 0; i < n; i++) {
				bk_free(vec[perm[i]]);
				barrier();
			}
		} else {
			for (i = 0; i < n; i++) {
				bk_free(vec[i]);
				barrier();
			}
		}
		t2 = now_ns();
		ns[0] += t1 - t0;
		ns[1] += t2 - t1;
	}
	return 0;
}

/* --- Two threads --------------------------------------------------- */

struct duo {
	struct row *row;
	unsigned long loops;
	size_t size;
	int ready;
	int err;
	unsigned long start[2], end[2];
	/* Written by the producer only, and by the consumer only. */
	unsigned int head __aligned(64);
	unsigned int tail __aligned(64);
	void *ring[RING] __aligned(64);
};

static struct duo duo;

struct duo_arg {
	struct duo *d;
	unsigned int role;
};

static void duo_produce(struct duo *d)
{
	unsigned int head = 0;
	void *p;

	for (unsigned long i = 0; i < d->loops; i++) {
		p = bk_alloc(d->size);
		if (!p)
			__atomic_store_n(&d->err, -ENOMEM, __ATOMIC_RELAXED);
		while (head - __atomic_load_n(&d->tail, __ATOMIC_ACQUIRE) >= RING)
			cpu_relax();
		d->ring[head % RING] = p;
		__atomic_store_n(&d->head, ++head, __ATOMIC_RELEASE);
	}
}

static void duo_consume(struct duo *d)
{
	unsigned int tail = 0;
	void *p;

	for (unsigned long i = 0; i < d->loops; i++) {
		while (__atomic_load_n(&d->head, __ATOMIC_ACQUIRE) == tail)
			cpu_relax();
		p = d->ring[tail % RING];
		__atomic_store_n(&d->tail, ++tail, __ATOMIC_RELEASE);
		if (p)
			bk_free(p);
	}
}

static void duo_pairs(struct duo *d)
{
	void *p;

	for (unsigned long i = 0; i < d->loops; i++) {
		p = bk_alloc(d->size);
		if (!p) {
			__atomic_store_n(&d->err, -ENOMEM, __ATOMIC_RELAXED);
			return;
		}
		escape(p);
		bk_free(p);
	}
}

static void *duo_thread(void *arg)
{
	struct duo_arg *a = arg;
	struct duo *d = a->d;

	pin_cpu(a->role);
	bk_thread_enter(a->role);
	__atomic_fetch_add(&d->ready, 1, __ATOMIC_ACQ_REL);
	while (__atomic_load_n(&d->ready, __ATOMIC_ACQUIRE) < 2)
		cpu_relax();
	d->start[a->role] = wall_ns();
	if (!d->row->remote)
		duo_pairs(d);
	else if (a->role == 0)
		duo_produce(d);
	else
		duo_consume(d);
	d->end[a->role] = wall_ns();
	bk_thread_exit();
	return NULL;
}

static int duo_run(struct row *r, unsigned long loops, unsigned long ns[3])
{
	struct duo_arg args[2];
	pthread_t t[2];
	struct duo *d = &duo;
	unsigned long s, e;

	d->row = r;
	d->loops = loops;
	d->size = opaque(size_var);
	/* pthread_create() orders these before the threads' reads. */
	d->ready = 0;
	d->err = 0;
	d->head = 0;
	d->tail = 0;
	for (int i = 0; i < 2; i++) {
		args[i].d = d;
		args[i].role = i;
		if (pthread_create(&t[i], NULL, duo_thread, &args[i]))
			die("pthread_create");
	}
	pthread_join(t[0], NULL);
	pthread_join(t[1], NULL);
	s = d->start[0] < d->start[1] ? d->start[0] : d->start[1];
	e = d->end[0] > d->end[1] ? d->end[0] : d->end[1];
	ns[0] = e - s;
	return d->err;
}

/* --- Collection ---------------------------------------------------- */

/* Object i survives (is marked) for keep% of the i, spread evenly. */
static inline bool gc_marked(const struct row *r, unsigned long i)
{
	return (i + 1) * r->keep / 100 != i * r->keep / 100;
}

static int gc_fill(struct row *r)
{
	for (unsigned long i = 0; i < r->n; i++) {
		vec[i] = bk_alloc_fill(r->size);
		if (!vec[i])
			return -ENOMEM;
	}
	return 0;
}

/*
 * The allocators free what a collection would: free() of every unmarked
 * object, timed; the marked ones are freed afterwards, untimed.
 */
static int __maybe_unused gc_free_run(struct row *r, unsigned long loops, unsigned long ns[3])
{
	unsigned long t0;
	int err;

	ns[0] = 0;
	for (unsigned long l = 0; l < loops; l++) {
		err = gc_fill(r);
		if (err)
			return err;
		t0 = now_ns();
		for (unsigned long i = 0; i < r->n; i++) {
			if (!gc_marked(r, i)) {
				bk_free(vec[i]);
				barrier();
			}
		}
		ns[0] += now_ns() - t0;
		for (unsigned long i = 0; i < r->n; i++)
			if (gc_marked(r, i))
				bk_free(vec[i]);
	}
	return 0;
}

#ifdef BK_MHEAP
static bool gc_mark_all(struct row *r)
{
	bool ok = true;

	for (unsigned long i = 0; i < r->n; i++)
		if (gc_marked(r, i))
			ok &= nb_mark(vec[i]);
	return ok;
}

/* A whole cycle: begin, mark, end, sweep everything. */
static int gc_cycle_run(struct row *r, unsigned long loops, unsigned long ns[3])
{
	unsigned long t0;
	bool ok;
	int err;

	ns[0] = 0;
	for (unsigned long l = 0; l < loops; l++) {
		err = gc_fill(r);
		if (err)
			return err;
		t0 = now_ns();
		nb_gc_begin();
		ok = gc_mark_all(r);
		nb_gc_end();
		nb_sweep_all();
		ns[0] += now_ns() - t0;
		for (unsigned long i = 0; i < r->n; i++)
			if (gc_marked(r, i))
				nb_free(vec[i]);
		if (!ok)
			return -EINVAL;
	}
	return 0;
}

#define GC_ALL_PAGES	((unsigned long)LONG_MAX)
static unsigned long reclaim_got, reclaim_want;

/*
 * Nothing marked: right after mheap_gc_end(), mheap_reclaim() asked for
 * more pages than the heap has frees every span it finds; timed, and
 * counted per MiB the reclaimer itself returned.
 */
static int reclaim_free_run(struct row *r, unsigned long loops, unsigned long ns[3])
{
	unsigned long want = r->n * r->size / PAGE_BYTES, got = 0;
	unsigned long t0, t = 0;
	int err;

	for (unsigned long l = 0; l < loops; l++) {
		err = gc_fill(r);
		if (err)
			return err;
		nb_gc_begin();
		nb_gc_end();
		t0 = now_ns();
		got += nb_reclaim(GC_ALL_PAGES);
		t += now_ns() - t0;
		nb_sweep_all();
	}
	reclaim_got += got;
	reclaim_want += loops * want;
	if (!got)
		return -ENODATA;
	ns[0] = (unsigned long)((double)t * loops * want / got);
	return 0;
}

/*
 * Every span keeps a marked object: the reclaimer scans the whole heap
 * and frees nothing.  One cycle per iteration, only mheap_reclaim() timed.
 */
static int reclaim_scan_run(struct row *r, unsigned long loops, unsigned long ns[3])
{
	unsigned long got = 0;
	unsigned long t0;
	bool ok;

	ns[0] = 0;
	for (unsigned long l = 0; l < loops; l++) {
		nb_gc_begin();
		ok = gc_mark_all(r);
		nb_gc_end();
		t0 = now_ns();
		got += nb_reclaim(GC_ALL_PAGES);
		ns[0] += now_ns() - t0;
		if (!ok)
			return -EINVAL;
	}
	return got ? -EBUSY : 0;
}
#endif /* BK_MHEAP */

/* --- Ceilings of the scan row -------------------------------------- */

static unsigned char *mem_buf;
static unsigned long *bm_in_use, *bm_marks;

static int memset_run(struct row *r, unsigned long loops, unsigned long ns[3])
{
	unsigned long t0 = now_ns();

	for (unsigned long l = 0; l < loops; l++) {
		memset(mem_buf, (int)l, r->param << 20);
		escape(mem_buf);
	}
	ns[0] = now_ns() - t0;
	return 0;
}

static int memcmp_run(struct row *r, unsigned long loops, unsigned long ns[3])
{
	size_t half = r->param << 19;
	unsigned long t0 = now_ns();
	int err = 0;

	for (unsigned long l = 0; l < loops; l++) {
		escape(mem_buf);
		if (memcmp(mem_buf, mem_buf + half, half))
			err = -EINVAL;
	}
	ns[0] = now_ns() - t0;
	return err;
}

/*
 * What the reclaimer's scan does at best: pageInUse &~ pageMarks a word
 * at a time over the bitmaps of param MiB of pages, counting the
 * candidates.
 */
static int andnot_run(struct row *r, unsigned long loops, unsigned long ns[3])
{
	unsigned long words = (r->param << 20) / PAGE_BYTES / 64, acc = 0;
	unsigned long t0 = now_ns();

	for (unsigned long l = 0; l < loops; l++) {
		escape(bm_in_use);
		escape(bm_marks);
		for (unsigned long w = 0; w < words; w++)
			acc += __builtin_popcountl(bm_in_use[w] & ~bm_marks[w]);
	}
	ns[0] = now_ns() - t0;
	return opaque(acc) ? -EINVAL : 0;
}

/* === Sections ====================================================== */

static const unsigned int obj_sizes[] = {
	8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096, 8192, 16384, 32768,
};

static const unsigned int burst_sizes[] = { 8, 64, 512, 4096, 32768 };
static const unsigned int duo_sizes[] = { 64, 512, 4096 };
static const unsigned int gc_sizes[] = { 64, 1024 };

/* Allocate and free a burst first: the heap holds what the row needs. */
static void prewarm(size_t size, unsigned long n)
{
	unsigned long i;

	for (i = 0; i < n; i++) {
		vec[i] = bk_alloc_fill(size);
		if (!vec[i])
			break;
	}
	while (i--)
		bk_free(vec[i]);
}

static void bench_objects(void)
{
	for (unsigned int i = 0; i < sizeof(obj_sizes) / sizeof(*obj_sizes); i++) {
		struct row r = {
			.fig = { "pair" }, .param = obj_sizes[i], .nfig = 1,
			.ops = { 1 }, .subtract = true, .counted = true,
			.run = pair_run,
		};

		size_var = obj_sizes[i];
		prewarm(size_var, burst);
		measure(&r);
	}
	for (unsigned int i = 0; i < sizeof(burst_sizes) / sizeof(*burst_sizes); i++) {
		struct row r = {
			.fig = { "burst-alloc", "burst-free" },
			.param = burst_sizes[i], .nfig = 2,
			.ops = { burst, burst }, .subtract = true,
			.counted = true, .run = burst_run, .n = burst,
		};
		struct row s = r;

		size_var = burst_sizes[i];
		prewarm(size_var, burst);
		measure(&r);
		/* Same allocations, freed in a random order. */
		s.fig[0] = "burst-alloc-shuf";
		s.fig[1] = "burst-free-shuf";
		s.shuffled = true;
		measure(&s);
	}
}

static void bench_duos(bool remote)
{
	for (unsigned int i = 0; i < sizeof(duo_sizes) / sizeof(*duo_sizes); i++) {
		struct row r = {
			.fig = { remote ? "remote" : "concurrent" },
			.param = duo_sizes[i], .nfig = 1, .ops = { 1 },
			.run = duo_run, .remote = remote,
			.min_loops = 4 * RING,
		};

		size_var = duo_sizes[i];
		prewarm(size_var, burst);
		measure(&r);
	}
}

static void bench_collection(void)
{
	static const unsigned int keep[] = { 50, 0 };
	static const char *const figs[] = { "gc-mark50", "gc-mark0" };

	for (unsigned int i = 0; i < 2; i++) {
		for (unsigned int k = 0; k < 2; k++) {
			unsigned long n = ((size_t)gc_mib << 20) / gc_sizes[i];
			struct row r = {
				.fig = { figs[k] }, .param = gc_sizes[i],
				.nfig = 1, .counted = true,
				.ops = { n - n * keep[k] / 100 },
				.size = gc_sizes[i], .n = n, .keep = keep[k],
#ifdef BK_MHEAP
				.run = gc_cycle_run,
#else
				.run = gc_free_run,
#endif
			};

			measure(&r);
		}
	}
	for (unsigned int i = 0; i < 2; i++) {
		unsigned long n = ((size_t)gc_mib << 20) / gc_sizes[i];
		struct row r = {
			.fig = { "reclaim-free" }, .param = gc_sizes[i],
			.nfig = 1, .counted = true, .ops = { gc_mib },
			.size = gc_sizes[i], .n = n, .keep = 0,
#ifdef BK_MHEAP
			.run = reclaim_free_run,
#else
			.run = gc_free_run,
#endif
		};

#ifdef BK_MHEAP
		reclaim_got = 0;
		reclaim_want = 0;
#endif
		measure(&r);
#ifdef BK_MHEAP
		printf("info,reclaim_free_pages_%u,%lu,%lu\n", gc_sizes[i],
		       reclaim_got, reclaim_want);
#endif
	}
}

#ifdef BK_MHEAP
/*
 * The reclaimer's scan rate, on a heap of scan_mib MiB of one-page spans
 * (1 KiB objects, four a page) each keeping half of its objects.
 */
static void bench_reclaim_scan(void)
{
	struct row r = {
		.fig = { "reclaim-scan" }, .param = scan_mib, .nfig = 1,
		.ops = { scan_mib }, .once = true, .run = reclaim_scan_run,
		.size = SCAN_SIZE, .n = ((size_t)scan_mib << 20) / SCAN_SIZE,
		.keep = 50,
	};

	if (only && !strstr(r.fig[0], only))
		return;
	if (gc_fill(&r)) {
		printf("err,reclaim-scan,%u,%s,%d\n", scan_mib, BK_NAME, -ENOMEM);
		return;
	}
	/* A first cycle frees the unmarked half: every span keeps some. */
	nb_gc_begin();
	gc_mark_all(&r);
	nb_gc_end();
	nb_sweep_all();
	measure(&r);
	nb_sweep_all();
	for (unsigned long i = 0; i < r.n; i++)
		if (gc_marked(&r, i))
			nb_free(vec[i]);
	nb_release_all();
}
#endif

static void bench_ceilings(void)
{
	size_t len = (size_t)scan_mib << 20;
	unsigned long words = len / PAGE_BYTES / 64;
	struct row r = {
		.param = scan_mib, .nfig = 1, .ops = { scan_mib },
		.counted = true,
	};

	/* Not the allocator under test: plain mmap'd memory via calloc. */
	mem_buf = calloc(1, len);
	bm_in_use = calloc(words, sizeof(long));
	bm_marks = calloc(words, sizeof(long));
	if (!mem_buf || !bm_in_use || !bm_marks)
		die("no memory for the ceilings");
	/* Every span in use and marked: nothing to reclaim, as in the row. */
	memset(bm_in_use, 0x55, words * sizeof(long));
	memset(bm_marks, 0x55, words * sizeof(long));
	r.fig[0] = "ceiling-memset";
	r.run = memset_run;
	measure(&r);
	r.fig[0] = "ceiling-memcmp";
	r.run = memcmp_run;
	measure(&r);
	r.fig[0] = "ceiling-andnot";
	r.run = andnot_run;
	measure(&r);
	free(mem_buf);
	free(bm_in_use);
	free(bm_marks);
}

int main(int argc, char **argv)
{
	unsigned long n, i, j, t;
	unsigned long t0 = wall_ns();
	int c;

	while ((c = getopt(argc, argv, "m:b:g:s:r:co:")) != -1) {
		switch (c) {
		case 'm':
			min_ms = atoi(optarg);
			break;
		case 'b':
			burst = atoi(optarg);
			break;
		case 'g':
			gc_mib = atoi(optarg);
			break;
		case 's':
			scan_mib = atoi(optarg);
			break;
		case 'r':
			scan_runs = atoi(optarg);
			break;
		case 'c':
			ceilings = true;
			break;
		case 'o':
			only = optarg;
			break;
		default:
			fprintf(stderr, "usage: %s %s\n", argv[0], USAGE);
			return 2;
		}
	}
	if (scan_runs < 1 || scan_runs > MAX_SCAN_RUNS)
		scan_runs = 5;
	if (burst < 64)
		burst = 64;
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (bk_init())
		die("initialisation failed");
	if (bk_check())
		die("the allocator answering malloc() is not the one linked");
	printf("info,version,%s,%s\n", BK_NAME, bk_version());
	printf("info,min_ms,%u\n", min_ms);
	printf("info,burst,%u\n", burst);
	printf("info,gc_mib,%u\n", gc_mib);
	printf("info,scan_mib,%u\n", scan_mib);

	n = ((size_t)gc_mib << 20) / gc_sizes[0];
	if (n < ((size_t)scan_mib << 20) / SCAN_SIZE)
		n = ((size_t)scan_mib << 20) / SCAN_SIZE;
	if (n < burst)
		n = burst;
	/* The harness's own arrays come from the allocator under test. */
	vec = calloc(n, sizeof(*vec));
	perm = calloc(burst, sizeof(*perm));
	if (!vec || !perm)
		die("no memory for the object arrays");
	/* A fixed shuffle (Fisher-Yates, xorshift), the same every run. */
	for (i = 0; i < burst; i++)
		perm[i] = i;
	for (i = burst - 1, t = 88172645463325252UL; i > 0; i--) {
		t ^= t << 13;
		t ^= t >> 7;
		t ^= t << 17;
		j = t % (i + 1);
		c = perm[i];
		perm[i] = perm[j];
		perm[j] = c;
	}

	perf_init();
	measure_loop_overhead();
#ifdef BK_MHEAP
	/* First, on the fresh heap: nothing else there for it to scan. */
	bk_select(1);
	bench_reclaim_scan();
	bk_select(0);
#endif
	bench_objects();
	if (sysconf(_SC_NPROCESSORS_ONLN) >= 2) {
		bench_duos(true);
		bench_duos(false);
	} else {
		printf("skip,remote,0,%s,one CPU\n", BK_NAME);
	}
	bk_select(1);
	bench_collection();
	bk_select(0);
	if (ceilings)
		bench_ceilings();
	printf("info,elapsed_ms,%s,%lu\n", BK_NAME,
	       (wall_ns() - t0) / 1000000);
	return 0;
}
