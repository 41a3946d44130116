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
 * WARN or shim bug may have been reported.  Every check is a CHECK() or
 * CHECKF() of ktap_test.h, on whichever thread makes it; the output is
 * KTAP with one test, "ok 1 stress" or "not ok 1 stress", and the exit
 * status is 0 or 1.
 */
#include <pthread.h>
#include <stdio.h>
#include <unistd.h>
#include <getopt.h>
#include "internal.h"
#include "us.h"
#include "ktap_test.h"

#define HELD_MAX	256
#define HELD_BYTES	SZ_1M
#define QUEUE_MAX	64
#define MANUAL_MAX	4
#define FIN_MAX		512	/* finalized objects waiting at most */

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
	unsigned long pin_cycle[HELD_MAX / 4];	/* cycles_done when pinned */
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
	bool armed;		/* the probe is set (the gc thread may poll it) */
	bool queued;		/* a sweep found it dead: its finalizer is due */
	struct finrec *next;
};

static struct mheap *heap;
static struct mutator *muts;
static unsigned int nmuts, ncpus = 4, per_cpu = 2;
static unsigned int seconds = 10;
static u64 seed = 1;
/* Scenario groups to run (-o): a bit per enum sc, all by default. */
enum sc {
	SC_HANDOFF, SC_DROP, SC_FINALIZER, SC_PIN, SC_MANUAL, SC_ATOMIC,
	SC_MIGRATE, SC_MAINT, SC_HEAP2, SC_GC
};

static unsigned long sc_mask = ~0UL;
#define SC_ON(sc)	(sc_mask & BIT(sc))
static bool stop, stop_gc;
static unsigned long cycle_open, cycles_done;
static u32 seqno;

static pthread_mutex_t fin_lock = PTHREAD_MUTEX_INITIALIZER;
static struct finrec *fins;
static unsigned int nfins;	/* on fins, under fin_lock */
static unsigned long fin_set, fin_run;

enum {
	C_ALLOC, C_FREE, C_REMOTE, C_DROP, C_FIN, C_PIN, C_MANUAL, C_ATOMIC,
	C_CYCLE, C_MAINT, C_HEAP2, C_MIGRATE, C_COUNT
};

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

	if (!CHECKF(s && (char *)o->p >= base &&
		    (char *)o->p + o->size <=
		    base + (mheap_span_npages(s) << PAGE_SHIFT),
		    "object %p size %u seq %u: mheap_span_of() gives %p (%s)",
		    o->p, o->size, o->seq, (void *)s, what))
		return false;
	return CHECKF(pat_ok(o->p, o->size, o->seq),
		      "object %p size %u seq %u corrupted (%s)",
		      o->p, o->size, o->seq, what);
}

static bool obj_alloc(struct tobj *o, u32 size, gfp_t gfp)
{
	o->p = mheap_alloc(heap, size, gfp);
	if (!o->p)
		return false;
	o->size = size;
	o->seq = __atomic_add_fetch(&seqno, 1, __ATOMIC_RELAXED);
	CHECKF(mheap_ksize(heap, o->p) >= size, "ksize(%p) = %zu < %u",
	       o->p, mheap_ksize(heap, o->p), size);
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
	CHECKF(mheap_mark(heap, p) ||
	       !__atomic_load_n(&cycle_open, __ATOMIC_ACQUIRE),
	       "mheap_mark() refused %p in an open cycle", p);
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
 * says so) it is marked until its finalizer has freed it.  A probe that
 * found it reachable (marked in the cycle it was dropped in) is armed
 * again.
 */
static void mark_finalizers(void)
{
	struct finrec *f;

	pthread_mutex_lock(&fin_lock);
	for (f = fins; f; f = f->next) {
		if (!__atomic_load_n(&f->armed, __ATOMIC_ACQUIRE))
			continue;
		if (!f->queued && __atomic_load_n(&f->probe.done, __ATOMIC_ACQUIRE)) {
			if (!f->probe.reachable)
				f->queued = true;
			else
				CHECKF(!mheap_probe_reachable(heap, f->o.p,
							      &f->probe),
				       "re-arming the probe of %p failed",
				       f->o.p);
		}
		if (f->queued)
			mark(f->o.p);
	}
	pthread_mutex_unlock(&fin_lock);
}

static void finalizer(void *obj, void *arg)
{
	struct finrec **pp, *f;

	pthread_mutex_lock(&fin_lock);
	for (pp = &fins; (f = *pp); pp = &f->next)
		if (f == arg)
			break;
	if (f) {
		*pp = f->next;
		nfins--;
	}
	pthread_mutex_unlock(&fin_lock);
	if (!CHECKF(f && f->o.p == obj,
		    "no record for the finalized object %p", obj))
		return;
	obj_free(&f->o, "when finalized");
	__atomic_fetch_add(&fin_run, 1, __ATOMIC_RELAXED);
	free(f);
}

static bool all_acked(unsigned long n)
{
	unsigned int i;

	for (i = 0; i < nmuts; i++)
		if (__atomic_load_n(&muts[i].acked, __ATOMIC_ACQUIRE) < n)
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
	/* Stops first: the mutators mark for its last cycle. */
	while (!__atomic_load_n(&stop_gc, __ATOMIC_RELAXED)) {
		usleep(20000);
		if (SC_ON(SC_GC) && !__atomic_load_n(&stop_gc, __ATOMIC_RELAXED))
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

static void fin_unlist(struct finrec *f)
{
	struct finrec **pp;

	pthread_mutex_lock(&fin_lock);
	for (pp = &fins; *pp != f; pp = &(*pp)->next)
		;
	*pp = f->next;
	nfins--;
	pthread_mutex_unlock(&fin_lock);
}

/*
 * A new object with a finalizer, dropped; or freed with it removed.  On
 * the list before the finalizer is set, so the finalizer finds it; the
 * gc thread ignores it until its probe is answered.
 */
static void op_finalize(struct mutator *m)
{
	struct finrec *f = calloc(1, sizeof(*f));
	bool room;

	if (!f)
		return;
	if (!obj_alloc(&f->o, rnd_size(&m->rnd), GFP_KERNEL)) {
		free(f);
		return;
	}
	/* Bounded, as the torture's: finalizers run only cycles later. */
	pthread_mutex_lock(&fin_lock);
	room = nfins < FIN_MAX;
	if (room) {
		f->next = fins;
		fins = f;
		nfins++;
	}
	pthread_mutex_unlock(&fin_lock);
	if (!room) {
		obj_free(&f->o, "finalizers at their bound");
		free(f);
		return;
	}
	if (!CHECKF(!mheap_set_finalizer(heap, f->o.p, finalizer, f),
		    "mheap_set_finalizer(%p) failed", f->o.p)) {
		fin_unlist(f);
		obj_free(&f->o, "after a failed mheap_set_finalizer()");
		free(f);
		return;
	}
	if (rnd(&m->rnd, 8) == 0) {
		/* Freed explicitly: the finalizer must never run. */
		CHECKF(!mheap_remove_finalizer(heap, f->o.p),
		       "mheap_remove_finalizer(%p) failed", f->o.p);
		fin_unlist(f);
		obj_free(&f->o, "with its finalizer removed");
		free(f);
		return;
	}
	__atomic_fetch_add(&fin_set, 1, __ATOMIC_RELAXED);
	if (!CHECKF(!mheap_probe_reachable(heap, f->o.p, &f->probe),
		    "mheap_probe_reachable(%p) failed", f->o.p)) {
		/* The finalizer is armed: keep the record, as if reachable. */
		f->probe.reachable = true;
		f->probe.done = true;
	}
	__atomic_store_n(&f->armed, true, __ATOMIC_RELEASE);
	count(C_FIN);
	count(C_DROP);
}

static void op_pin(struct mutator *m)
{
	unsigned long done = __atomic_load_n(&cycles_done, __ATOMIC_ACQUIRE);
	unsigned int i;
	struct tobj o;

	/* A pin held over a whole cycle: check, then free or unpin. */
	for (i = 0; i < m->npinned; i++) {
		if (done < m->pin_cycle[i] + 2)
			continue;
		o = m->pinned[i];
		if (rnd(&m->rnd, 3) == 0) {
			/* Freed pinned: the free drops the pin. */
			obj_free(&o, "pinned, before free");
		} else {
			obj_check(&o, "pinned over a cycle");
			CHECKF(!mheap_unpin(heap, o.p),
			       "mheap_unpin(%p) failed", o.p);
			/* Unpinned and unmarked: the collector's now. */
			count(C_DROP);
		}
		m->pinned[i] = m->pinned[--m->npinned];
		m->pin_cycle[i] = m->pin_cycle[m->npinned];
		return;
	}
	if (!m->nheld || m->npinned == ARRAY_SIZE(m->pinned))
		return;
	i = rnd(&m->rnd, m->nheld);
	o = m->held[i];
	if (!CHECKF(!mheap_pin(heap, o.p), "mheap_pin(%p) failed", o.p))
		return;
	/* Pins nest: one more and one less leaves it pinned. */
	if (rnd(&m->rnd, 3) == 0)
		CHECKF(!mheap_pin(heap, o.p) && !mheap_unpin(heap, o.p),
		       "nested mheap_pin/unpin(%p) failed", o.p);
	held_take(m, i);
	m->pinned[m->npinned] = o;
	m->pin_cycle[m->npinned++] = done;
	count(C_PIN);
}

static void op_manual(struct mutator *m)
{
	struct mheap_span *s;
	unsigned int i;

	if (m->nmanual && (m->nmanual == MANUAL_MAX || rnd(&m->rnd, 2))) {
		i = rnd(&m->rnd, m->nmanual);
		s = m->manual[i];
		CHECKF(pat_ok(mheap_span_base(s),
			      mheap_span_npages(s) << PAGE_SHIFT,
			      m->manual_seq[i]),
		       "manual span %p corrupted", mheap_span_base(s));
		mheap_free_manual(heap, s);
		m->manual[i] = m->manual[m->nmanual - 1];
		m->manual_seq[i] = m->manual_seq[--m->nmanual];
		return;
	}
	s = mheap_alloc_manual(heap, 1 + rnd(&m->rnd, 8), GFP_KERNEL);
	if (!s)
		return;
	CHECKF(mheap_span_of(heap, mheap_span_base(s)) == s,
	       "mheap_span_of(base of %p) is not the span", (void *)s);
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
			CHECKF(us_debugfs_read("mheap/stress/stats", buf,
					       sizeof(buf)) > 0 &&
			       stat_of(buf, "pages_in_use: ") != ULONG_MAX,
			       "cannot read mheap/stress/stats");
			break;
		default:
			CHECKF(us_debugfs_read("mheap/stress/classes", buf,
					       sizeof(buf)) > 0,
			       "cannot read mheap/stress/classes");
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

		if (!CHECKF(!IS_ERR(h2), "mheap_create(stress2): %ld",
			    PTR_ERR(h2)))
			break;
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
	CHECKF(!fins, "finalizers left after %u cycles", spins);
	CHECKF(fin_run == fin_set, "%lu finalizers set, %lu run",
	       fin_set, fin_run);
	for (i = 0; i < nmuts; i++) {
		for (j = 0; j < muts[i].nheld; j++)
			obj_check(&muts[i].held[j], "at the end (held)");
		for (j = 0; j < muts[i].npinned; j++)
			obj_check(&muts[i].pinned[j], "at the end (pinned)");
		held += muts[i].nheld + muts[i].npinned;
	}
	live = heap_live_objects();
	printf("# held at end: %lu objects; the heap counts %ld live\n", held, live);
	CHECKF(live == (long)held,
	       "the heap counts %ld live objects, the threads hold %lu",
	       live, held);

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
	printf("# after freeing all and mheap_release_all():\n");
	printf("# pages_in_use %ld, spans_live %ld, live objects %ld\n",
	       atomic_long_read(&heap->pages_in_use),
	       atomic_long_read(&heap->spans_live), live);
	CHECKF(!atomic_long_read(&heap->pages_in_use) && !live,
	       "pages_in_use %ld, %ld live objects after freeing all",
	       atomic_long_read(&heap->pages_in_use), live);
}

static void test_stress(void)
{
	pthread_t gc, maint, heap2;
	struct mheap_params params = { 0 };
	unsigned long bad;
	unsigned int i;

	us_init(ncpus);
	if (!CHECK(!us_module_init()))
		return;
	heap = mheap_create("stress", &params);
	if (!CHECKF(!IS_ERR(heap), "mheap_create: %ld", PTR_ERR(heap)))
		return;
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
	__atomic_store_n(&stop_gc, true, __ATOMIC_RELAXED);
	pthread_join(gc, NULL);
	__atomic_store_n(&stop, true, __ATOMIC_RELAXED);
	for (i = 0; i < nmuts; i++)
		pthread_join(muts[i].thread, NULL);
	if (SC_ON(SC_MAINT))
		pthread_join(maint, NULL);
	if (SC_ON(SC_HEAP2))
		pthread_join(heap2, NULL);

	finish();
	for (i = 0; i < C_COUNT; i++)
		printf("# %s: %lu\n", c_names[i], counts[i]);
	bad = us_trace_count("mheap_bad_free");
	CHECKF(!bad, "%lu bad frees reported", bad);
	mheap_destroy(heap);
	us_module_exit();
	us_exit();
	printf("# after unload: %lu pages, %ld kmemleak objects, %lu debugfs entries\n",
	       us_pages_allocated(), us_kmemleak_objects(), us_debugfs_entries());
	CHECKF(!us_pages_allocated() && !us_kmemleak_objects() &&
	       !us_debugfs_entries(),
	       "left after unload: %lu pages, %ld kmemleak objects, %lu debugfs entries",
	       us_pages_allocated(), us_kmemleak_objects(),
	       us_debugfs_entries());
	CHECKF(!us_report_count(US_REPORT_WARN_ON) && !us_bugs(),
	       "%lu WARNs, %lu shim bugs reported",
	       us_report_count(US_REPORT_WARN_ON), us_bugs());
	for (i = 0; i < nmuts; i++)
		pthread_mutex_destroy(&muts[i].qlock);
	free(muts);
	printf("# %u s, %lu cycles, %lu allocs, %d failures\n", seconds,
	       counts[C_CYCLE], counts[C_ALLOC], mheap_test_failures());
}

static const struct mheap_test tests[] = {
	{ "stress", test_stress },
};

int main(int argc, char **argv)
{
	int opt;

	setvbuf(stdout, NULL, _IOLBF, 0);
	while ((opt = getopt(argc, argv, "t:c:m:s:o:")) != -1) {
		switch (opt) {
		case 't':
			seconds = atoi(optarg);
			break;
		case 'c':
			ncpus = atoi(optarg);
			break;
		case 'm':
			per_cpu = atoi(optarg);
			break;
		case 's':
			seed = strtoull(optarg, NULL, 0);
			break;
		case 'o':
			sc_mask = strtoul(optarg, NULL, 0);
			break;
		default:
			fprintf(stderr, "usage: %s [-t seconds] [-c cpus] [-m threads per cpu]\n",
				argv[0]);
			fprintf(stderr, "       [-s seed] [-o scenario mask]\n");
			return 2;
		}
	}
	return mheap_test_run(tests, ARRAY_SIZE(tests), NULL, NULL);
}
