// SPDX-License-Identifier: GPL-2.0
/*
 * stress: the scenarios of torture/mheap_torture.c against the userspace
 * build of mheap, for a bounded time, under ThreadSanitizer or
 * ASan+UBSan.
 *
 *  - mutators (-m per CPU, on -c CPUs: more threads than CPUs, and they
 *    move between CPUs) allocate and free objects of 1 B to 256 KiB,
 *    filled with a pattern from their address and a sequence number and
 *    checked before every free and after every collection cycle; hand
 *    objects to each other through locked queues (the taker frees most:
 *    remote frees); drop objects for the collector; set finalizers that
 *    free their object, with a reachability probe; pin objects across
 *    cycles; fill and check manual spans; and allocate with GFP_ATOMIC
 *    inside a non-preemptible section (the shim's "interrupts off"),
 *    where sleeping is reported as a bug;
 *  - a gc thread runs cycles with concurrent marking: each mutator marks
 *    what it holds and acknowledges, the gc thread marks the queues and
 *    the finalized objects whose finalizer has not run, then ends it;
 *  - a maintenance thread races mheap_sweep_all(), mheap_reclaim(),
 *    mheap_scavenge(), mheap_release_all(), the shrinker and reads of the
 *    debugfs files with all of that;
 *  - a heap2 thread creates, fills (past its soft limit) and destroys a
 *    second heap over and over.
 *
 * At the end: the last cycles collect what was dropped and let the
 * finalizers run; then the heap's own count of live objects (debugfs
 * "classes") must equal what the threads hold, and after freeing all of
 * it and mheap_release_all(), pages_in_use must be 0; after the module's
 * unload no page, kmemleak object or debugfs entry may remain, and no
 * WARN or shim bug may have been reported.  Prints "ok 1 stress ..." or
 * "not ok 1 stress ..." and exits 0 or 1.
 */
#include <pthread.h>
#include <stdio.h>
#include <unistd.h>
#include <getopt.h>
#include "internal.h"
#include "us.h"

#define HELD_MAX	256
#define HELD_BYTES	(1UL << 20)
#define QUEUE_MAX	64
#define MANUAL_MAX	4

struct tobj {
	void *p;
	u32 size;
	u32 seq;
};

struct mutator {
	pthread_t thread;
	unsigned int id;
	u64 rnd;
	struct tobj held[HELD_MAX];
	unsigned int nheld;
	unsigned long held_bytes;
	struct tobj pinned[HELD_MAX / 4];
	unsigned int npinned;
	struct mheap_span *manual[MANUAL_MAX];
	u32 manual_seq[MANUAL_MAX];
	unsigned int nmanual;
	pthread_mutex_t qlock;	/* protects q, qlen */
	struct tobj q[QUEUE_MAX];
	unsigned int qlen;
	unsigned long acked;	/* last cycle it marked for */
	unsigned long seen_cycle;
};

struct finrec {
	struct tobj o;
	struct mheap_reachable probe;
	struct finrec *next;
};

static struct mheap *heap;
static struct mutator *muts;
static unsigned int nmuts, ncpus = 4, per_cpu = 2;
static unsigned int seconds = 10;
/* Scenario groups to run (-o): a bit per enum sc, all by default. */
enum sc { SC_HANDOFF, SC_DROP, SC_FINALIZER, SC_PIN, SC_MANUAL, SC_ATOMIC,
	  SC_MIGRATE, SC_MAINT, SC_HEAP2, SC_GC };
static unsigned long sc_mask = ~0UL;
#define SC_ON(sc)	(sc_mask & BIT(sc))
static bool stop;
static unsigned long cycle_open, cycles_done;
static u32 seqno;
static unsigned long failures;

static pthread_mutex_t fin_lock = PTHREAD_MUTEX_INITIALIZER;
static struct finrec *fins;
static unsigned long fin_set, fin_run;

enum { C_ALLOC, C_FREE, C_REMOTE, C_DROP, C_FIN, C_PIN, C_MANUAL, C_ATOMIC,
       C_CYCLE, C_MAINT, C_HEAP2, C_MIGRATE, C_COUNT };
static const char *const c_names[C_COUNT] = {
	"allocs", "frees", "remote_frees", "drops", "finalizers", "pins",
	"manual_spans", "atomic_allocs", "cycles", "maintenance", "heap2",
	"migrations",
};
static unsigned long counts[C_COUNT];

static void count(int c)
{
	__atomic_fetch_add(&counts[c], 1, __ATOMIC_RELAXED);
}

static __printf(1, 2) void fail(const char *fmt, ...)
{
	va_list ap;

	__atomic_fetch_add(&failures, 1, __ATOMIC_RELAXED);
	fprintf(stderr, "stress: FAIL: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
}

static u32 rnd(u64 *s, u32 n)
{
	u64 x = *s;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*s = x;
	return (u32)(((x * 0x2545F4914F6CDD1DULL) >> 32) * n >> 32);
}

/* Mostly small, sometimes a page or two, rarely large (up to 256 KiB). */
static u32 rnd_size(u64 *s)
{
	switch (rnd(s, 16)) {
	case 0:
		return 1 + rnd(s, 256 << 10);
	case 1: case 2:
		return 1 + rnd(s, 32 << 10);
	default:
		return 1 + rnd(s, 1024);
	}
}

/* === Patterns ======================================================== */

static u64 pat_word(const void *p, unsigned long off, u32 seq)
{
	u64 x = ((u64)(unsigned long)p + off) * 0x9E3779B97F4A7C15ULL ^ seq;

	return x ^ (x >> 29);
}

static void pat_fill(void *p, size_t size, u32 seq)
{
	unsigned long off;

	for (off = 0; off + 8 <= size; off += 8)
		*(u64 *)((char *)p + off) = pat_word(p, off, seq);
	for (; off < size; off++)
		((u8 *)p)[off] = (u8)pat_word(p, off & ~7UL, seq);
}

static bool pat_ok(const void *p, size_t size, u32 seq)
{
	unsigned long off;

	for (off = 0; off + 8 <= size; off += 8)
		if (*(const u64 *)((const char *)p + off) != pat_word(p, off, seq))
			return false;
	for (; off < size; off++)
		if (((const u8 *)p)[off] != (u8)pat_word(p, off & ~7UL, seq))
			return false;
	return true;
}

static bool obj_check(const struct tobj *o, const char *what)
{
	struct mheap_span *s = mheap_span_of(heap, o->p);
	char *base = s ? mheap_span_base(s) : NULL;

	if (!s || (char *)o->p < base ||
	    (char *)o->p + o->size > base + (mheap_span_npages(s) << PAGE_SHIFT)) {
		fail("object %p size %u seq %u: mheap_span_of() gives %p (%s)\n",
		     o->p, o->size, o->seq, (void *)s, what);
		return false;
	}
	if (pat_ok(o->p, o->size, o->seq))
		return true;
	fail("object %p size %u seq %u corrupted (%s)\n", o->p, o->size, o->seq, what);
	return false;
}

static bool obj_alloc(struct tobj *o, u32 size, gfp_t gfp)
{
	o->p = mheap_alloc(heap, size, gfp);
	if (!o->p)
		return false;
	o->size = size;
	o->seq = __atomic_add_fetch(&seqno, 1, __ATOMIC_RELAXED);
	if (mheap_ksize(heap, o->p) < size)
		fail("ksize(%p) = %zu < %u\n", o->p, mheap_ksize(heap, o->p), size);
	pat_fill(o->p, size, o->seq);
	count(C_ALLOC);
	return true;
}

static void obj_free(const struct tobj *o, const char *what)
{
	obj_check(o, what);
	mheap_free(heap, o->p);
	count(C_FREE);
}

/* === Collection cycles =============================================== */

static void mark(const void *p)
{
	/* Refused only once the cycle is closed, which is fine. */
	if (!mheap_mark(heap, p) && __atomic_load_n(&cycle_open, __ATOMIC_ACQUIRE))
		fail("mheap_mark() refused %p in an open cycle\n", p);
}

static void mark_held(struct mutator *m)
{
	unsigned int i;

	for (i = 0; i < m->nheld; i++)
		mark(m->held[i].p);
}

static void mark_queues(void)
{
	unsigned int i, j;

	for (i = 0; i < nmuts; i++) {
		pthread_mutex_lock(&muts[i].qlock);
		for (j = 0; j < muts[i].qlen; j++)
			mark(muts[i].q[j].p);
		pthread_mutex_unlock(&muts[i].qlock);
	}
}

/*
 * A finalized object stays allocated until a cycle does not mark it: the
 * finalizer queue is no root, so once a sweep found it dead (its probe
 * says so) it is marked until its finalizer has freed it.
 */
static void mark_finalizers(void)
{
	struct finrec *f;

	pthread_mutex_lock(&fin_lock);
	for (f = fins; f; f = f->next)
		if (__atomic_load_n(&f->probe.done, __ATOMIC_ACQUIRE) &&
		    !f->probe.reachable)
			mark(f->o.p);
	pthread_mutex_unlock(&fin_lock);
}

static void finalizer(void *obj, void *arg)
{
	struct finrec **pp, *f;

	pthread_mutex_lock(&fin_lock);
	for (pp = &fins; (f = *pp); pp = &f->next)
		if (f == arg)
			break;
	if (f)
		*pp = f->next;
	pthread_mutex_unlock(&fin_lock);
	if (!f || f->o.p != obj) {
		fail("finalizer for %p: unknown record\n", obj);
		return;
	}
	obj_free(&f->o, "in its finalizer");
	__atomic_fetch_add(&fin_run, 1, __ATOMIC_RELAXED);
	free(f);
}

static bool all_acked(unsigned long n)
{
	unsigned int i;

	for (i = 0; i < nmuts; i++)
		if (__atomic_load_n(&muts[i].acked, __ATOMIC_ACQUIRE) < n &&
		    !__atomic_load_n(&stop, __ATOMIC_RELAXED))
			return false;
	return true;
}

/* @stopped: the mutators are gone; their objects are marked from here. */
static void gc_cycle(bool stopped)
{
	unsigned long n = cycles_done + 1;
	unsigned int i;

	mheap_gc_begin(heap);
	__atomic_store_n(&cycle_open, n, __ATOMIC_RELEASE);
	if (stopped)
		for (i = 0; i < nmuts; i++)
			mark_held(&muts[i]);
	else
		while (!all_acked(n))
			usleep(200);
	mark_queues();
	mark_finalizers();
	__atomic_store_n(&cycle_open, 0, __ATOMIC_RELEASE);
	mheap_gc_end(heap);
	__atomic_store_n(&cycles_done, n, __ATOMIC_RELEASE);
	count(C_CYCLE);
}

static void *gc_fn(void *arg)
{
	us_thread_start(0);
	while (!__atomic_load_n(&stop, __ATOMIC_RELAXED)) {
		usleep(20000);
		if (SC_ON(SC_GC))
			gc_cycle(false);
	}
	us_thread_stop();
	return NULL;
}

/* === Mutators ======================================================== */

static void mutator_sync(struct mutator *m)
{
	unsigned long open = __atomic_load_n(&cycle_open, __ATOMIC_ACQUIRE);
	unsigned long done;
	unsigned int i;

	if (open && m->acked != open) {
		mark_held(m);
		__atomic_store_n(&m->acked, open, __ATOMIC_RELEASE);
	}
	done = __atomic_load_n(&cycles_done, __ATOMIC_ACQUIRE);
	if (done != m->seen_cycle) {
		m->seen_cycle = done;
		for (i = 0; i < m->nheld; i++)
			obj_check(&m->held[i], "after a cycle (held)");
		for (i = 0; i < m->npinned; i++)
			obj_check(&m->pinned[i], "after a cycle (pinned)");
	}
}

static void held_add(struct mutator *m, const struct tobj *o)
{
	m->held[m->nheld++] = *o;
	m->held_bytes += o->size;
}

static struct tobj held_take(struct mutator *m, unsigned int i)
{
	struct tobj o = m->held[i];

	m->held_bytes -= o.size;
	m->held[i] = m->held[--m->nheld];
	return o;
}

static bool held_room(struct mutator *m, u32 size)
{
	return m->nheld < HELD_MAX && m->held_bytes + size <= HELD_BYTES;
}

static void take_handoffs(struct mutator *m)
{
	struct tobj got[8];
	unsigned int n = 0, i;
	unsigned long open;

	pthread_mutex_lock(&m->qlock);
	/* Marked what it held already: what it takes now it marks. */
	open = __atomic_load_n(&cycle_open, __ATOMIC_ACQUIRE);
	while (m->qlen && n < ARRAY_SIZE(got)) {
		got[n] = m->q[--m->qlen];
		if (open && open == m->acked)
			mheap_mark(heap, got[n].p);
		n++;
	}
	pthread_mutex_unlock(&m->qlock);
	for (i = 0; i < n; i++) {
		obj_check(&got[i], "after a hand-off");
		if (rnd(&m->rnd, 4) == 0 && held_room(m, got[i].size)) {
			held_add(m, &got[i]);
		} else {
			mheap_free(heap, got[i].p);
			count(C_FREE);
			count(C_REMOTE);
		}
	}
}

static void op_give(struct mutator *m)
{
	struct mutator *to = &muts[rnd(&m->rnd, nmuts)];
	bool given = false;
	struct tobj o;

	if (!m->nheld || to == m)
		return;
	o = held_take(m, rnd(&m->rnd, m->nheld));
	pthread_mutex_lock(&to->qlock);
	if (to->qlen < QUEUE_MAX) {
		to->q[to->qlen++] = o;
		given = true;
	}
	pthread_mutex_unlock(&to->qlock);
	if (!given)
		held_add(m, &o);
}

static void op_finalize(struct mutator *m)
{
	struct finrec *f;
	struct tobj o;
	int err;

	if (!m->nheld)
		return;
	f = calloc(1, sizeof(*f));
	if (!f)
		return;
	o = held_take(m, rnd(&m->rnd, m->nheld));
	f->o = o;
	/* On the list first: the finalizer may run as soon as a sweep sees it. */
	pthread_mutex_lock(&fin_lock);
	f->next = fins;
	fins = f;
	pthread_mutex_unlock(&fin_lock);
	err = mheap_set_finalizer(heap, o.p, finalizer, f);
	if (!err)
		err = mheap_probe_reachable(heap, o.p, &f->probe);
	if (err) {
		/* -ENOMEM (fault) or the like: take it back. */
		struct finrec **pp;

		mheap_remove_finalizer(heap, o.p);
		pthread_mutex_lock(&fin_lock);
		for (pp = &fins; *pp != f; pp = &(*pp)->next)
			;
		*pp = f->next;
		pthread_mutex_unlock(&fin_lock);
		free(f);
		held_add(m, &o);
		return;
	}
	__atomic_fetch_add(&fin_set, 1, __ATOMIC_RELAXED);
	count(C_FIN);
}

static void op_pin(struct mutator *m)
{
	struct tobj o;

	if (m->npinned && rnd(&m->rnd, 2)) {
		o = m->pinned[rnd(&m->rnd, m->npinned)];
		/* Not marked since pinned: only the pin kept it. */
		obj_check(&o, "pinned");
		if (mheap_unpin(heap, o.p))
			fail("mheap_unpin(%p) failed\n", o.p);
		for (unsigned int i = 0; i < m->npinned; i++) {
			if (m->pinned[i].p == o.p) {
				m->pinned[i] = m->pinned[--m->npinned];
				break;
			}
		}
		/*
		 * Unpinned and not marked: held again, and marked here if
		 * this mutator already marked for the open cycle.
		 */
		if (held_room(m, o.size)) {
			unsigned long open = __atomic_load_n(&cycle_open, __ATOMIC_ACQUIRE);

			if (open && open == m->acked)
				mheap_mark(heap, o.p);
			held_add(m, &o);
		} else {
			obj_free(&o, "after unpin");
		}
		return;
	}
	if (!m->nheld || m->npinned == ARRAY_SIZE(m->pinned))
		return;
	o = m->held[rnd(&m->rnd, m->nheld)];
	if (mheap_pin(heap, o.p))
		return;
	for (unsigned int i = 0; i < m->nheld; i++) {
		if (m->held[i].p == o.p) {
			held_take(m, i);
			break;
		}
	}
	m->pinned[m->npinned++] = o;
	count(C_PIN);
}

static void op_manual(struct mutator *m)
{
	struct mheap_span *s;
	unsigned int i;

	if (m->nmanual && (m->nmanual == MANUAL_MAX || rnd(&m->rnd, 2))) {
		i = rnd(&m->rnd, m->nmanual);
		s = m->manual[i];
		if (!pat_ok(mheap_span_base(s), mheap_span_npages(s) << PAGE_SHIFT,
			    m->manual_seq[i]))
			fail("manual span %p corrupted\n", mheap_span_base(s));
		mheap_free_manual(heap, s);
		m->manual[i] = m->manual[m->nmanual - 1];
		m->manual_seq[i] = m->manual_seq[--m->nmanual];
		return;
	}
	s = mheap_alloc_manual(heap, 1 + rnd(&m->rnd, 8), GFP_KERNEL);
	if (!s)
		return;
	if (mheap_span_of(heap, mheap_span_base(s)) != s)
		fail("mheap_span_of(base of %p) is not the span\n", (void *)s);
	m->manual_seq[m->nmanual] = __atomic_add_fetch(&seqno, 1, __ATOMIC_RELAXED);
	pat_fill(mheap_span_base(s), mheap_span_npages(s) << PAGE_SHIFT,
		 m->manual_seq[m->nmanual]);
	m->manual[m->nmanual++] = s;
	count(C_MANUAL);
}

/* GFP_ATOMIC with "interrupts off": must neither sleep nor fail silently. */
static void op_atomic(struct mutator *m)
{
	struct tobj o;

	us_preempt_disable();
	if (obj_alloc(&o, 1 + rnd(&m->rnd, 2048), GFP_ATOMIC))
		obj_free(&o, "atomic");
	us_preempt_enable();
	count(C_ATOMIC);
}

static void *mutator_fn(void *arg)
{
	struct mutator *m = arg;
	struct tobj o;
	unsigned int i;

	us_thread_start(m->id % ncpus);
	while (!__atomic_load_n(&stop, __ATOMIC_RELAXED)) {
		mutator_sync(m);
		take_handoffs(m);
		switch (rnd(&m->rnd, 32)) {
		case 0 ... 11:
			o.size = rnd_size(&m->rnd);
			if (held_room(m, o.size) && obj_alloc(&o, o.size, GFP_KERNEL))
				held_add(m, &o);
			break;
		case 12 ... 17:
			if (m->nheld) {
				o = held_take(m, rnd(&m->rnd, m->nheld));
				obj_free(&o, "before free");
			}
			break;
		case 18 ... 21:
			if (SC_ON(SC_HANDOFF))
				op_give(m);
			break;
		case 22 ... 23:
			/* Dropped: the collector frees it; never touched again. */
			if (m->nheld && SC_ON(SC_DROP)) {
				held_take(m, rnd(&m->rnd, m->nheld));
				count(C_DROP);
			}
			break;
		case 24:
			if (SC_ON(SC_FINALIZER))
				op_finalize(m);
			break;
		case 25 ... 26:
			if (SC_ON(SC_PIN))
				op_pin(m);
			break;
		case 27:
			if (SC_ON(SC_MANUAL))
				op_manual(m);
			break;
		case 28 ... 29:
			if (SC_ON(SC_ATOMIC))
				op_atomic(m);
			break;
		case 30:
			if (!SC_ON(SC_MIGRATE))
				break;
			us_set_cpu(rnd(&m->rnd, ncpus));
			count(C_MIGRATE);
			break;
		default:
			/* Check everything it holds. */
			for (i = 0; i < m->nheld; i++)
				obj_check(&m->held[i], "while held");
			break;
		}
	}
	/* Last acknowledgement: the gc thread may wait for it. */
	__atomic_store_n(&m->acked, ULONG_MAX, __ATOMIC_RELEASE);
	us_thread_stop();
	return NULL;
}

/* === Maintenance and the second heap ================================= */

static unsigned long stat_of(const char *text, const char *key)
{
	const char *p = strstr(text, key);

	return p ? strtoul(p + strlen(key), NULL, 10) : ULONG_MAX;
}

static void *maint_fn(void *arg)
{
	static char buf[64 << 10];
	u64 r = 0x1234567;

	us_thread_start(1 % ncpus);
	while (!__atomic_load_n(&stop, __ATOMIC_RELAXED)) {
		switch (rnd(&r, 7)) {
		case 0:
			mheap_sweep_all(heap);
			break;
		case 1:
			mheap_reclaim(heap, 1 + rnd(&r, 512));
			break;
		case 2:
			mheap_scavenge(heap, (1 + rnd(&r, 64)) << 16);
			break;
		case 3:
			mheap_release_all(heap);
			break;
		case 4:
			us_shrink_all(128);
			break;
		case 5:
			if (us_debugfs_read("mheap/stress/stats", buf, sizeof(buf)) <= 0 ||
			    stat_of(buf, "pages_in_use: ") == ULONG_MAX)
				fail("cannot read mheap/stress/stats\n");
			break;
		default:
			if (us_debugfs_read("mheap/stress/classes", buf, sizeof(buf)) <= 0)
				fail("cannot read mheap/stress/classes\n");
			break;
		}
		count(C_MAINT);
		usleep(2000 + rnd(&r, 8000));
	}
	us_thread_stop();
	return NULL;
}

static void *heap2_fn(void *arg)
{
	struct mheap_params params = { .mem_limit = 4 << 20 };
	void *objs[512];
	u64 r = 0x7654321;

	us_thread_start(2 % ncpus);
	while (!__atomic_load_n(&stop, __ATOMIC_RELAXED)) {
		struct mheap *h2 = mheap_create("stress2", &params);
		unsigned int i, n = 0;

		if (IS_ERR(h2)) {
			fail("mheap_create(stress2): %ld\n", PTR_ERR(h2));
			break;
		}
		/* Past the limit: growth gives memory back, then fails. */
		for (i = 0; i < ARRAY_SIZE(objs); i++) {
			objs[n] = mheap_alloc(h2, 1 + rnd(&r, 32 << 10), GFP_KERNEL);
			if (objs[n])
				n++;
		}
		mheap_gc_begin(h2);
		for (i = 0; i < n; i += 2)
			mheap_mark(h2, objs[i]);
		mheap_gc_end(h2);
		mheap_sweep_all(h2);
		for (i = 0; i < n; i += 2)
			mheap_free(h2, objs[i]);
		mheap_destroy(h2);
		count(C_HEAP2);
	}
	us_thread_stop();
	return NULL;
}

/* === The end ========================================================= */

static long heap_live_objects(void)
{
	static char buf[64 << 10];
	char *p;
	long total, large;

	if (us_debugfs_read("mheap/stress/classes", buf, sizeof(buf)) <= 0)
		return -1;
	p = strstr(buf, "Total");
	if (!p || sscanf(p, "Total %*u %ld", &total) != 1)
		return -1;
	p = strstr(buf, "Large");
	if (!p || sscanf(p, "Large %*u %ld", &large) != 1)
		return -1;
	return total + large;
}

static void finish(void)
{
	unsigned long held = 0;
	unsigned int i, j, spins;
	long live;

	/* The queues' objects become their takers'. */
	for (i = 0; i < nmuts; i++) {
		struct mutator *m = &muts[i];

		while (m->qlen) {
			struct tobj o = m->q[--m->qlen];

			obj_free(&o, "left in a queue");
		}
	}
	/* Collect the dropped objects and let every finalizer run. */
	for (spins = 0; spins < 200; spins++) {
		bool empty;

		gc_cycle(true);
		mheap_sweep_all(heap);
		flush_work(&heap->gc.fin_work);
		pthread_mutex_lock(&fin_lock);
		empty = !fins;
		pthread_mutex_unlock(&fin_lock);
		if (empty && spins >= 2)
			break;
	}
	if (fins)
		fail("finalizers left after %u cycles\n", spins);
	if (fin_run != fin_set)
		fail("%lu finalizers set, %lu run\n", fin_set, fin_run);
	for (i = 0; i < nmuts; i++) {
		for (j = 0; j < muts[i].nheld; j++)
			obj_check(&muts[i].held[j], "at the end (held)");
		for (j = 0; j < muts[i].npinned; j++)
			obj_check(&muts[i].pinned[j], "at the end (pinned)");
		held += muts[i].nheld + muts[i].npinned;
	}
	live = heap_live_objects();
	printf("# held at end: %lu objects; the heap counts %ld live\n", held, live);
	if (live != (long)held)
		fail("the heap counts %ld live objects, the threads hold %lu\n", live, held);

	/* Free everything; then nothing may stay in use. */
	for (i = 0; i < nmuts; i++) {
		struct mutator *m = &muts[i];

		while (m->nheld) {
			struct tobj o = held_take(m, 0);

			obj_free(&o, "at the end");
		}
		while (m->npinned) {
			struct tobj o = m->pinned[--m->npinned];

			mheap_unpin(heap, o.p);
			obj_free(&o, "at the end (pinned)");
		}
		while (m->nmanual)
			mheap_free_manual(heap, m->manual[--m->nmanual]);
	}
	mheap_release_all(heap);
	live = heap_live_objects();
	printf("# after freeing all and mheap_release_all(): pages_in_use %ld, spans_live %ld, live objects %ld\n",
	       atomic_long_read(&heap->pages_in_use),
	       atomic_long_read(&heap->spans_live), live);
	if (atomic_long_read(&heap->pages_in_use) || live)
		fail("pages_in_use %ld, %ld live objects after freeing all\n",
		     atomic_long_read(&heap->pages_in_use), live);
}

int main(int argc, char **argv)
{
	pthread_t gc, maint, heap2;
	struct mheap_params params = { 0 };
	unsigned long bad;
	u64 seed = 1;
	unsigned int i;
	int opt;

	setvbuf(stdout, NULL, _IOLBF, 0);
	while ((opt = getopt(argc, argv, "t:c:m:s:o:")) != -1) {
		switch (opt) {
		case 't': seconds = atoi(optarg); break;
		case 'c': ncpus = atoi(optarg); break;
		case 'm': per_cpu = atoi(optarg); break;
		case 's': seed = strtoull(optarg, NULL, 0); break;
		case 'o': sc_mask = strtoul(optarg, NULL, 0); break;
		default:
			fprintf(stderr, "usage: %s [-t seconds] [-c cpus] [-m threads per cpu] [-s seed] [-o scenario mask]\n",
				argv[0]);
			return 2;
		}
	}
	us_init(ncpus);
	if (us_module_init()) {
		printf("not ok 1 stress: module init failed\n");
		return 1;
	}
	heap = mheap_create("stress", &params);
	if (IS_ERR(heap)) {
		printf("not ok 1 stress: mheap_create: %ld\n", PTR_ERR(heap));
		return 1;
	}
	nmuts = ncpus * per_cpu;
	muts = calloc(nmuts, sizeof(*muts));
	for (i = 0; i < nmuts; i++) {
		muts[i].id = i;
		muts[i].rnd = seed * 0x9E3779B97F4A7C15ULL + i + 1;
		pthread_mutex_init(&muts[i].qlock, NULL);
	}
	printf("# stress: %u s, %u CPUs, %u mutators, seed %llu\n", seconds,
	       ncpus, nmuts, (unsigned long long)seed);
	for (i = 0; i < nmuts; i++)
		pthread_create(&muts[i].thread, NULL, mutator_fn, &muts[i]);
	pthread_create(&gc, NULL, gc_fn, NULL);
	if (SC_ON(SC_MAINT))
		pthread_create(&maint, NULL, maint_fn, NULL);
	if (SC_ON(SC_HEAP2))
		pthread_create(&heap2, NULL, heap2_fn, NULL);
	sleep(seconds);
	__atomic_store_n(&stop, true, __ATOMIC_RELAXED);
	for (i = 0; i < nmuts; i++)
		pthread_join(muts[i].thread, NULL);
	pthread_join(gc, NULL);
	if (SC_ON(SC_MAINT))
		pthread_join(maint, NULL);
	if (SC_ON(SC_HEAP2))
		pthread_join(heap2, NULL);

	finish();
	for (i = 0; i < C_COUNT; i++)
		printf("# %s: %lu\n", c_names[i], counts[i]);
	bad = us_trace_count("mheap_bad_free");
	if (bad)
		fail("%lu bad frees reported\n", bad);
	mheap_destroy(heap);
	us_module_exit();
	us_exit();
	printf("# after unload: %lu pages, %ld kmemleak objects, %lu debugfs entries\n",
	       us_pages_allocated(), us_kmemleak_objects(), us_debugfs_entries());
	if (us_pages_allocated() || us_kmemleak_objects() || us_debugfs_entries())
		fail("left after unload: %lu pages, %ld kmemleak objects, %lu debugfs entries\n",
		     us_pages_allocated(), us_kmemleak_objects(), us_debugfs_entries());
	if (us_report_count(US_REPORT_WARN_ON) || us_bugs())
		fail("%lu WARNs, %lu shim bugs reported\n",
		     us_report_count(US_REPORT_WARN_ON), us_bugs());
	for (i = 0; i < nmuts; i++)
		pthread_mutex_destroy(&muts[i].qlock);
	free(muts);
	printf("%sok 1 stress (%u s, %lu cycles, %lu allocs, %lu failures)\n",
	       failures ? "not " : "", seconds, counts[C_CYCLE], counts[C_ALLOC],
	       failures);
	return failures ? 1 : 0;
}
