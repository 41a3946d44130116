// SPDX-License-Identifier: GPL-2.0
/*
 * mheap_torture: a torture test of mheap, in the spirit of locktorture.
 *
 * Loading the module starts kthreads that drive one heap ("torture") at
 * once from every CPU for @duration seconds, then prints a verdict:
 *
 *  - mutators (threads_per_cpu per online CPU) allocate and free objects
 *    of 1 B to 256 KiB, each filled with a pattern derived from its
 *    address and a per-allocation sequence number and checked before it
 *    is freed and after every collection cycle; they hand objects to each
 *    other through spinlocked exchange queues (the receiver frees most of
 *    them: remote frees), drop objects for the collector, set finalizers
 *    that free their object, pin objects across cycles, probe
 *    reachability, and fill and check manual spans;
 *  - a gc thread runs collection cycles: with concurrent marking (the
 *    default) each mutator sees the open cycle, marks every object it
 *    holds and acknowledges, and the gc thread ends the cycle once all
 *    did; with stw=1 the mutators park and the gc thread marks for them;
 *  - a maintenance thread races mheap_sweep_all(), mheap_reclaim(),
 *    mheap_scavenge() and mheap_release_all() with all of the above;
 *  - an hrtimer per mutator allocates and frees with GFP_ATOMIC in hard
 *    interrupt context;
 *  - a second heap ("torture2") is created, used and destroyed over and
 *    over.
 *
 * Objects a thread holds are marked in every cycle, so the collector must
 * never free them: a pattern mismatch (the slot was freed and handed out
 * again) fails the test.  Objects dropped for the collector are forgotten,
 * never touched again.  An object with a finalizer is dropped with a
 * reachability probe; once the probe says a sweep found it dead (so its
 * finalizer is queued) the gc thread keeps it marked until the finalizer
 * has freed it, as the finalizer queue is no root of mheap's cycles.
 *
 * At the end the threads stop, a few last cycles collect what was dropped
 * and let the finalizers run, every object still held is checked and
 * counted ("Held at end: ..."), and the verdict follows, as locktorture's:
 * "mheap-torture: End of test: SUCCESS" or "... FAILURE", with the counts.
 * The objects stay allocated, for a comparison with the heap's debugfs
 * statistics, until the module is removed, which frees them all and gives
 * the memory back; the heap itself stays for mheap's unload to destroy.
 */
#define pr_fmt(fmt) "mheap-torture: " fmt

#include <linux/atomic.h>
#include <linux/delay.h>
#include <linux/err.h>
#include <linux/hrtimer.h>
#include <linux/jiffies.h>
#include <linux/kthread.h>
#include <linux/list.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/mutex.h>
#include <linux/prandom.h>
#include <linux/random.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <linux/wait.h>
#include <mheap.h>

static int duration = 60;
module_param(duration, int, 0444);
MODULE_PARM_DESC(duration, "Seconds to run before the verdict (default: 60)");

static int threads_per_cpu = 3;
module_param(threads_per_cpu, int, 0444);
MODULE_PARM_DESC(threads_per_cpu, "Mutator threads per online CPU (default: 3)");

static int gc_interval_ms = 100;
module_param(gc_interval_ms, int, 0444);
MODULE_PARM_DESC(gc_interval_ms, "Pause between collection cycles in ms (default: 100)");

static char *scenarios = "all";
module_param(scenarios, charp, 0444);
MODULE_PARM_DESC(scenarios,
		 "Groups to run: a bitmask or a comma list of handoff, drop, finalizer, pin, probe, gc, maint, manual, irq, heap2 (default: all)");

static bool stw;
module_param(stw, bool, 0444);
MODULE_PARM_DESC(stw, "Stop-the-world marking instead of concurrent marking (default: 0)");

static int stat_interval = 5;
module_param(stat_interval, int, 0444);
MODULE_PARM_DESC(stat_interval, "Seconds between statistics lines, 0 for none (default: 5)");

static unsigned int heap_flags;
module_param(heap_flags, uint, 0444);
MODULE_PARM_DESC(heap_flags, "mheap_params.flags of the heap under test: 1 no magazines, 2 debug frees (default: 0)");

static int held_kib = 1024;
module_param(held_kib, int, 0444);
MODULE_PARM_DESC(held_kib, "Most KiB of objects each mutator holds (default: 1024)");

/* === Scenario groups ================================================= */

enum {
	SC_HANDOFF,
	SC_DROP,
	SC_FINALIZER,
	SC_PIN,
	SC_PROBE,
	SC_GC,
	SC_MAINT,
	SC_MANUAL,
	SC_IRQ,
	SC_HEAP2,
	SC_COUNT,
};

static const char *const sc_names[SC_COUNT] = {
	[SC_HANDOFF]	= "handoff",
	[SC_DROP]	= "drop",
	[SC_FINALIZER]	= "finalizer",
	[SC_PIN]	= "pin",
	[SC_PROBE]	= "probe",
	[SC_GC]		= "gc",
	[SC_MAINT]	= "maint",
	[SC_MANUAL]	= "manual",
	[SC_IRQ]	= "irq",
	[SC_HEAP2]	= "heap2",
};

static unsigned long sc_mask;

static bool sc_on(int sc)
{
	return sc_mask & BIT(sc);
}

/* === Counters ======================================================== */

enum {
	C_ALLOC,
	C_FREE,
	C_ALLOC_FAIL,
	C_HANDOFF,
	C_REMOTE_FREE,
	C_DROP,
	C_FIN_SET,
	C_FIN_RUN,
	C_PIN,
	C_PROBE,
	C_MANUAL,
	C_IRQ,
	C_CYCLE,
	C_MARK,
	C_MAINT,
	C_HEAP2,
	C_CHECK,
	C_ERROR,
	C_COUNT,
};

static const char *const c_names[C_COUNT] = {
	[C_ALLOC]	= "allocs",
	[C_FREE]	= "frees",
	[C_ALLOC_FAIL]	= "alloc_fails",
	[C_HANDOFF]	= "handoffs",
	[C_REMOTE_FREE]	= "remote_frees",
	[C_DROP]	= "drops",
	[C_FIN_SET]	= "finalizers_set",
	[C_FIN_RUN]	= "finalizers_run",
	[C_PIN]		= "pins",
	[C_PROBE]	= "probes",
	[C_MANUAL]	= "manual_spans",
	[C_IRQ]		= "irq_allocs",
	[C_CYCLE]	= "cycles",
	[C_MARK]	= "marks",
	[C_MAINT]	= "maint_ops",
	[C_HEAP2]	= "heap2_rounds",
	[C_CHECK]	= "checks",
	[C_ERROR]	= "errors",
};

static atomic_long_t counts[C_COUNT];

static void count(int c)
{
	atomic_long_inc(&counts[c]);
}

/* Only the first few failures are described; all are counted. */
#define MAX_REPORTS	20
static atomic_t reports;

static __printf(1, 2) void fail(const char *fmt, ...)
{
	struct va_format vaf;
	va_list args;

	count(C_ERROR);
	if (atomic_inc_return(&reports) > MAX_REPORTS)
		return;
	va_start(args, fmt);
	vaf.fmt = fmt;
	vaf.va = &args;
	pr_err("!!! %pV", &vaf);
	va_end(args);
}

/* === Objects and their pattern ======================================= */

/* Largest object of a size class (mheap's MHEAP_MAX_SMALL). */
#define SMALL_MAX	32768
#define OBJ_MAX		(256 * 1024)
#define HELD_MAX	256
#define QUEUE_LEN	64
#define PINNED_MAX	8
#define MANUAL_MAX	4
#define MANUAL_PAGES	16
#define DPROBES_MAX	16
#define FIN_MAX		512

/* An object the test knows: where, how big, and its pattern's seed. */
struct tobj {
	void *p;
	u32 size;
	u32 seq;
	bool probed;	/* a reachability probe is attached: keep it held */
};

static atomic_t seqno;

static u64 pat_word(const void *p, unsigned long off, u32 seq)
{
	u64 x = ((unsigned long)p + off) ^ ((u64)seq << 31) ^ seq;

	x *= 0x9e3779b97f4a7c15ULL;
	return x ^ (x >> 29);
}

/* Objects are 8-byte aligned (manual spans page aligned): whole words. */
static void pat_fill(void *p, size_t size, u32 seq)
{
	u64 *w = p;
	size_t i, n = size / 8;
	u64 v;

	for (i = 0; i < n; i++)
		w[i] = pat_word(p, i * 8, seq);
	if (size % 8) {
		v = pat_word(p, n * 8, seq);
		memcpy(p + n * 8, &v, size % 8);
	}
}

/* Check [from, to) of the pattern; returns the first bad offset or -1. */
static long pat_check_range(const void *p, size_t from, size_t to, u32 seq,
			    u64 *got, u64 *want)
{
	const u64 *w = p;
	size_t i = from / 8, n = to / 8;
	u64 v, x;

	for (; i < n; i++) {
		x = pat_word(p, i * 8, seq);
		if (w[i] != x) {
			*got = w[i];
			*want = x;
			return i * 8;
		}
	}
	if (to % 8 && n * 8 >= from) {
		v = 0;
		memcpy(&v, p + n * 8, to % 8);
		x = pat_word(p, n * 8, seq) & ((1ULL << (to % 8 * 8)) - 1);
		if (v != x) {
			*got = v;
			*want = x;
			return n * 8;
		}
	}
	return -1;
}

/*
 * Check an object's pattern: all of it, or with @quick its first and
 * last 64 bytes.  Reports a mismatch with @what.
 */
static bool obj_check(const struct tobj *o, bool quick, const char *what)
{
	u64 got = 0, want = 0;
	long bad;

	count(C_CHECK);
	if (quick && o->size > 128) {
		bad = pat_check_range(o->p, 0, 64, o->seq, &got, &want);
		if (bad < 0)
			bad = pat_check_range(o->p, round_down(o->size - 64, 8),
					      o->size, o->seq, &got, &want);
	} else {
		bad = pat_check_range(o->p, 0, o->size, o->seq, &got, &want);
	}
	if (bad < 0)
		return true;
	fail("pattern mismatch %s: object 0x%lx size %u seq %u at +%ld: got %016llx want %016llx\n",
	     what, (unsigned long)o->p, o->size, o->seq, bad, got, want);
	return false;
}

/* === The heap, the threads and their shared state ==================== */

static struct mheap *heap;

/* Marking handshake. */
static unsigned long cycle_open;	/* cycle whose marking is open, or 0 */
static unsigned long stw_request;	/* cycle asking mutators to park */
static unsigned long cycles_done;	/* last cycle ended */
/* Odd while a cycle may be open: before gc_begin to after gc_end. */
static atomic_long_t gc_gen;
static DECLARE_WAIT_QUEUE_HEAD(gc_wq);
static DECLARE_WAIT_QUEUE_HEAD(mut_wq);

/* A probe on an object dropped for the collector. */
struct dprobe {
	struct list_head node;
	struct mheap_reachable r;
	bool expect_dead;	/* no cycle could have marked it */
};

struct mutator {
	struct task_struct *task;
	int id;
	struct rnd_state rnd;
	struct tobj held[HELD_MAX];
	unsigned int nheld;
	unsigned long held_bytes;
	struct tobj pinned[PINNED_MAX];
	unsigned long pin_cycle[PINNED_MAX];
	unsigned int npinned;
	struct mheap_span *manual[MANUAL_MAX];
	u32 manual_seq[MANUAL_MAX];
	unsigned int nmanual;
	/* One probe on a held object at a time. */
	struct mheap_reachable hprobe;
	void *hprobe_obj;
	struct list_head dprobes;
	unsigned int ndprobes;
	unsigned long seen_cycle;
	unsigned long acked;	/* last cycle marked for (release) */
	unsigned long parked;	/* STW cycle parked for (release) */
	int cpu;
	/* Exchange queue: others push, the owner pops. */
	spinlock_t qlock;	/* protects q and qlen */
	struct tobj q[QUEUE_LEN];
	unsigned int qlen;
	/* Hard-irq allocations. */
	struct hrtimer timer;
	struct rnd_state irq_rnd;
	bool timer_on;
};

static struct mutator *muts;
static int nmuts;
static struct task_struct *gc_task, *maint_task, *heap2_task, *ctl_task;

/* Finalizer records: objects dropped with a finalizer that frees them. */
enum {
	FIN_DROPPED,	/* probe armed, not known dead yet */
	FIN_QUEUED,	/* found dead, finalizer queued: keep it marked */
	FIN_RUN,	/* the finalizer freed it */
};

struct finrec {
	struct list_head node;	/* on fin_list */
	spinlock_t lock;	/* protects state against the finalizer */
	struct tobj o;
	struct mheap_reachable r;
	int state;
};

static LIST_HEAD(fin_list);
static DEFINE_MUTEX(fin_lock);	/* protects fin_list and fin_count */
static int fin_count;

static bool ended;
static DEFINE_MUTEX(end_lock);	/* serialises the end of the test */

static u32 rnd(struct rnd_state *r, u32 n)
{
	return n ? prandom_u32_state(r) % n : 0;
}

/* 1 B to 256 KiB, smaller sizes more likely. */
static u32 rnd_size(struct rnd_state *r)
{
	u32 bits = rnd(r, 19);

	return min_t(u32, 1 + rnd(r, 1U << bits), OBJ_MAX);
}

static void *obj_alloc(struct rnd_state *r, struct tobj *o, u32 size)
{
	o->size = size ? size : rnd_size(r);
	o->seq = atomic_inc_return(&seqno);
	o->probed = false;
	o->p = mheap_alloc(heap, o->size, GFP_KERNEL | __GFP_NOWARN);
	if (!o->p) {
		count(C_ALLOC_FAIL);
		return NULL;
	}
	count(C_ALLOC);
	pat_fill(o->p, o->size, o->seq);
	return o->p;
}

static void obj_free(struct tobj *o, const char *what)
{
	obj_check(o, false, what);
	mheap_free(heap, o->p);
	count(C_FREE);
}

/* === Marking ========================================================= */

static void mark_obj(const struct tobj *o, const char *what)
{
	count(C_MARK);
	if (!mheap_mark(heap, o->p))
		fail("mheap_mark() refused a live %s object 0x%lx size %u seq %u\n",
		     what, (unsigned long)o->p, o->size, o->seq);
}

static void mark_held(struct mutator *m)
{
	unsigned int i;

	for (i = 0; i < m->nheld; i++)
		mark_obj(&m->held[i], "held");
}

/* The gc thread, with every mutator acknowledged or parked. */
static void mark_queues(void)
{
	unsigned int i, j;

	for (i = 0; i < nmuts; i++) {
		struct mutator *m = &muts[i];

		spin_lock(&m->qlock);
		for (j = 0; j < m->qlen; j++)
			mark_obj(&m->q[j], "queued");
		spin_unlock(&m->qlock);
	}
}

/*
 * Finalizer records, during marking: a dropped object whose probe says
 * it was found dead has its finalizer queued; keep it marked until the
 * finalizer freed it.  A probe that found it marked is armed again.
 * Records whose finalizer ran go.
 */
static void mark_finalizers(void)
{
	struct finrec *f, *next;
	unsigned long flags;
	int err;

	mutex_lock(&fin_lock);
	list_for_each_entry_safe(f, next, &fin_list, node) {
		spin_lock_irqsave(&f->lock, flags);
		/* Pairs with the release of the sweep that answered the probe. */
		if (f->state == FIN_DROPPED && smp_load_acquire(&f->r.done)) {
			if (!f->r.reachable) {
				f->state = FIN_QUEUED;
			} else {
				spin_unlock_irqrestore(&f->lock, flags);
				err = mheap_probe_reachable(heap, f->o.p, &f->r);
				if (err)
					fail("re-arming the probe of dropped object 0x%lx: %d\n",
					     (unsigned long)f->o.p, err);
				continue;
			}
		}
		if (f->state == FIN_QUEUED)
			mark_obj(&f->o, "finalizer-queued");
		if (f->state == FIN_RUN) {
			spin_unlock_irqrestore(&f->lock, flags);
			list_del(&f->node);
			fin_count--;
			kfree(f);
			continue;
		}
		spin_unlock_irqrestore(&f->lock, flags);
	}
	mutex_unlock(&fin_lock);
}

static bool all_acked(unsigned long n)
{
	int i;

	for (i = 0; i < nmuts; i++)
		/* Pairs with the release in mutator_sync(): the marks are done. */
		if (smp_load_acquire(&muts[i].acked) != n)
			return false;
	return true;
}

static bool all_parked(unsigned long n)
{
	int i;

	for (i = 0; i < nmuts; i++)
		/* Pairs with the release in mutator_sync(): it holds still. */
		if (smp_load_acquire(&muts[i].parked) != n)
			return false;
	return true;
}

static void wait_all(bool (*done)(unsigned long), unsigned long n,
		     const char *what)
{
	unsigned long start = jiffies;
	bool said = false;

	while (!wait_event_idle_timeout(gc_wq, done(n), HZ)) {
		if (!said && time_after(jiffies, start + 60 * HZ)) {
			pr_info("cycle %lu: mutators not %s after 60 s, still waiting\n",
				n, what);
			said = true;
		}
	}
}

/* One collection cycle, with the mutators running (or parked, stw). */
static void gc_cycle(void)
{
	unsigned long n = cycles_done + 1;
	int i;

	if (stw) {
		/* Pairs with the acquire in mutator_sync(). */
		smp_store_release(&stw_request, n);
		wait_all(all_parked, n, "parked");
	}
	atomic_long_inc(&gc_gen);
	mheap_gc_begin(heap);
	/* Pairs with the acquire in mutator_sync() and take_handoffs(). */
	smp_store_release(&cycle_open, n);
	if (stw) {
		for (i = 0; i < nmuts; i++)
			mark_held(&muts[i]);
	} else {
		wake_up_all(&mut_wq);
		wait_all(all_acked, n, "acknowledged");
	}
	mark_queues();
	mark_finalizers();
	/* Before gc_end: a taker that still sees it open marks in time. */
	smp_store_release(&cycle_open, 0);
	mheap_gc_end(heap);
	atomic_long_inc(&gc_gen);
	/* Pairs with the acquires in mutator_sync() and op_pin(). */
	smp_store_release(&cycles_done, n);
	count(C_CYCLE);
	if (stw) {
		/* The cycle ended before the mutators move again. */
		smp_store_release(&stw_request, 0);
		wake_up_all(&mut_wq);
	}
}

static int gc_fn(void *arg)
{
	while (!kthread_should_stop()) {
		schedule_timeout_idle(msecs_to_jiffies(gc_interval_ms) + 1);
		if (kthread_should_stop())
			break;
		gc_cycle();
	}
	return 0;
}

/* === Mutators ======================================================== */

/* Between operations: take part in the cycle, check after one ended. */
static void mutator_sync(struct mutator *m)
{
	unsigned long open, req, done;
	unsigned int i;

	/* Pairs with the release in gc_cycle(). */
	req = smp_load_acquire(&stw_request);
	if (req && m->parked != req) {
		/* Pairs with the acquire in all_parked(): held[] is stable. */
		smp_store_release(&m->parked, req);
		wake_up_all(&gc_wq);
		wait_event_idle(mut_wq, READ_ONCE(stw_request) != req);
	}
	/* Pairs with the release in gc_cycle(), after mheap_gc_begin(). */
	open = smp_load_acquire(&cycle_open);
	if (open && !stw && m->acked != open) {
		mark_held(m);
		/* Pairs with the acquire in all_acked(): every mark is done. */
		smp_store_release(&m->acked, open);
		wake_up_all(&gc_wq);
	}
	/* Pairs with the release in gc_cycle(), after mheap_gc_end(). */
	done = smp_load_acquire(&cycles_done);
	if (done != m->seen_cycle) {
		m->seen_cycle = done;
		for (i = 0; i < m->nheld; i++)
			obj_check(&m->held[i], true, "after a cycle (held)");
		for (i = 0; i < m->npinned; i++)
			obj_check(&m->pinned[i], true, "after a cycle (pinned)");
	}
}

static void held_add(struct mutator *m, const struct tobj *o)
{
	m->held[m->nheld++] = *o;
	m->held_bytes += o->size;
}

static void held_remove(struct mutator *m, unsigned int i)
{
	m->held_bytes -= m->held[i].size;
	m->held[i] = m->held[--m->nheld];
}

static bool held_room(struct mutator *m, u32 size)
{
	return m->nheld < HELD_MAX &&
	       m->held_bytes + size <= (unsigned long)held_kib << 10;
}

/* A held object that may leave (no probe on it), or -1. */
static int pick_held(struct mutator *m)
{
	unsigned int i;

	if (!m->nheld)
		return -1;
	i = rnd(&m->rnd, m->nheld);
	return m->held[i].probed ? -1 : i;
}

static void op_alloc(struct mutator *m)
{
	struct tobj o;
	u32 size = rnd_size(&m->rnd);

	if (!held_room(m, size))
		return;
	if (obj_alloc(&m->rnd, &o, size))
		held_add(m, &o);
}

static void op_free(struct mutator *m)
{
	int i = pick_held(m);

	if (i < 0)
		return;
	obj_free(&m->held[i], "before free");
	held_remove(m, i);
}

static void op_handoff(struct mutator *m)
{
	struct mutator *to = NULL;
	int i = pick_held(m), j, k;

	if (i < 0 || nmuts < 2)
		return;
	/* Another mutator, on another CPU when one is found. */
	j = rnd(&m->rnd, nmuts - 1);
	for (k = 0; k < nmuts; k++) {
		to = &muts[(m->id + 1 + (j + k) % (nmuts - 1)) % nmuts];
		if (to != m && READ_ONCE(to->cpu) != raw_smp_processor_id())
			break;
	}
	if (!to)
		return;
	spin_lock(&to->qlock);
	if (to->qlen < QUEUE_LEN) {
		to->q[to->qlen++] = m->held[i];
		spin_unlock(&to->qlock);
		m->held_bytes -= m->held[i].size;
		m->held[i] = m->held[--m->nheld];
		count(C_HANDOFF);
		return;
	}
	spin_unlock(&to->qlock);
}

/* Take what others handed over: most are freed here, remote frees. */
static void take_handoffs(struct mutator *m)
{
	struct tobj got[8];
	unsigned int n = 0, i;
	unsigned long open;

	spin_lock(&m->qlock);
	/*
	 * Marking is open and we marked what we held already: what we take
	 * now must be marked here, under the lock the gc thread scans the
	 * queues with, before that scan can end the cycle.  Pairs with the
	 * release in gc_cycle(), after mheap_gc_begin().
	 */
	open = smp_load_acquire(&cycle_open);
	while (m->qlen && n < ARRAY_SIZE(got)) {
		got[n] = m->q[--m->qlen];
		/*
		 * Refused is fine if the cycle closed after the gc thread's
		 * scan (cycle_open is cleared before mheap_gc_end(), and
		 * mheap_mark() reads marking with acquire): the object was
		 * pushed by a mutator that had marked it.
		 */
		if (open && open == m->acked) {
			count(C_MARK);
			if (!mheap_mark(heap, got[n].p) &&
			    READ_ONCE(cycle_open) == open)
				fail("mheap_mark() refused a taken object 0x%lx size %u seq %u\n",
				     (unsigned long)got[n].p, got[n].size,
				     got[n].seq);
		}
		n++;
	}
	spin_unlock(&m->qlock);
	for (i = 0; i < n; i++) {
		if (!obj_check(&got[i], false, "after a hand-off")) {
			/* Not ours any more: whoever has it now frees it. */
			continue;
		}
		if (rnd(&m->rnd, 4) && held_room(m, got[i].size)) {
			held_add(m, &got[i]);
		} else {
			mheap_free(heap, got[i].p);
			count(C_FREE);
			count(C_REMOTE_FREE);
		}
	}
}

static bool gen_even(unsigned long g)
{
	return !(g & 1);
}

/* Arm a probe on an object about to be dropped. */
static void drop_probe(struct mutator *m, void *p, unsigned long g0)
{
	struct dprobe *d;
	int err;

	if (!sc_on(SC_PROBE) || m->ndprobes >= DPROBES_MAX)
		return;
	d = kzalloc(sizeof(*d), GFP_KERNEL);
	if (!d)
		return;
	err = mheap_probe_reachable(heap, p, &d->r);
	if (err) {
		fail("probe of an object to drop 0x%lx: %d\n",
		     (unsigned long)p, err);
		kfree(d);
		return;
	}
	/* No cycle began between its allocation and now: nobody marks it. */
	d->expect_dead = gen_even(g0) && atomic_long_read(&gc_gen) == g0;
	list_add_tail(&d->node, &m->dprobes);
	m->ndprobes++;
	count(C_PROBE);
}

/* Check the answered probes of dropped objects; @final: all must be. */
static void check_dprobes(struct mutator *m, bool final)
{
	struct dprobe *d, *next;
	bool done;

	list_for_each_entry_safe(d, next, &m->dprobes, node) {
		/* Pairs with the release of the sweep that answered. */
		done = smp_load_acquire(&d->r.done);
		if (!done) {
			/* mheap still writes there: the record stays. */
			if (final)
				fail("mutator %d: a dropped object's probe never answered\n",
				     m->id);
			continue;
		}
		if (d->expect_dead && d->r.reachable)
			fail("mutator %d: object dropped outside a cycle reported reachable\n",
			     m->id);
		list_del(&d->node);
		m->ndprobes--;
		kfree(d);
	}
}

static void op_drop(struct mutator *m)
{
	unsigned long g0;
	struct tobj o;
	int i;

	if (rnd(&m->rnd, 2)) {
		i = pick_held(m);
		if (i < 0)
			return;
		if (!rnd(&m->rnd, 4))
			drop_probe(m, m->held[i].p, 1);
		held_remove(m, i);
	} else {
		g0 = atomic_long_read(&gc_gen);
		if (!obj_alloc(&m->rnd, &o, 0))
			return;
		drop_probe(m, o.p, g0);
	}
	/* Forgotten: the next cycle that does not mark it frees it. */
	count(C_DROP);
}

static void fin_fn(void *obj, void *arg)
{
	struct finrec *f = arg;
	unsigned long flags;

	/* Marking does not write the object: check it before the lock. */
	if (obj == f->o.p)
		obj_check(&f->o, false, "in its finalizer");
	spin_lock_irqsave(&f->lock, flags);
	if (obj != f->o.p || f->state == FIN_RUN) {
		fail("finalizer called for 0x%lx, expected 0x%lx state %d\n",
		     (unsigned long)obj, (unsigned long)f->o.p, f->state);
	} else {
		mheap_free(heap, obj);
		count(C_FREE);
		count(C_FIN_RUN);
	}
	f->state = FIN_RUN;
	spin_unlock_irqrestore(&f->lock, flags);
}

static void op_finalizer(struct mutator *m)
{
	struct finrec *f;
	int err;

	mutex_lock(&fin_lock);
	if (fin_count >= FIN_MAX) {
		mutex_unlock(&fin_lock);
		return;
	}
	fin_count++;
	mutex_unlock(&fin_lock);
	f = kzalloc(sizeof(*f), GFP_KERNEL);
	if (!f || !obj_alloc(&m->rnd, &f->o, 0))
		goto undo;
	spin_lock_init(&f->lock);
	f->state = FIN_DROPPED;
	err = mheap_set_finalizer(heap, f->o.p, fin_fn, f);
	if (err) {
		fail("mheap_set_finalizer(0x%lx): %d\n", (unsigned long)f->o.p,
		     err);
		obj_free(&f->o, "after a failed mheap_set_finalizer()");
		goto undo;
	}
	count(C_FIN_SET);
	if (!rnd(&m->rnd, 8)) {
		/* Freed explicitly: the finalizer must never run. */
		err = mheap_remove_finalizer(heap, f->o.p);
		if (err)
			fail("mheap_remove_finalizer(0x%lx): %d\n",
			     (unsigned long)f->o.p, err);
		obj_free(&f->o, "with its finalizer removed");
		goto undo;
	}
	err = mheap_probe_reachable(heap, f->o.p, &f->r);
	if (err) {
		fail("probe of a finalizer object 0x%lx: %d\n",
		     (unsigned long)f->o.p, err);
		/* The finalizer is armed: the record must stay. */
		f->r.done = true;
		f->r.reachable = true;
	}
	/* Dropped: its finalizer frees it once a cycle finds it dead. */
	mutex_lock(&fin_lock);
	list_add_tail(&f->node, &fin_list);
	mutex_unlock(&fin_lock);
	count(C_DROP);
	return;
undo:
	kfree(f);
	mutex_lock(&fin_lock);
	fin_count--;
	mutex_unlock(&fin_lock);
}

static void op_pin(struct mutator *m)
{
	/* Pairs with the release in gc_cycle(). */
	unsigned long done = smp_load_acquire(&cycles_done);
	struct tobj *o;
	int i, err;

	/* A pin held over a whole cycle: check, unpin, drop. */
	for (i = 0; i < m->npinned; i++) {
		if (done < m->pin_cycle[i] + 2)
			continue;
		o = &m->pinned[i];
		if (!rnd(&m->rnd, 3)) {
			/*
			 * Freed pinned: unmarked, its span maybe being swept
			 * right now; the free drops the pin.
			 */
			obj_free(o, "pinned, before free");
		} else {
			obj_check(o, false, "pinned over a cycle");
			err = mheap_unpin(heap, o->p);
			if (err)
				fail("mheap_unpin(0x%lx): %d\n",
				     (unsigned long)o->p, err);
			/* Unpinned and unmarked: the collector's now. */
			count(C_DROP);
		}
		m->pinned[i] = m->pinned[--m->npinned];
		m->pin_cycle[i] = m->pin_cycle[m->npinned];
		return;
	}
	if (m->npinned >= PINNED_MAX)
		return;
	i = pick_held(m);
	if (i < 0)
		return;
	o = &m->held[i];
	err = mheap_pin(heap, o->p);
	if (!err && !rnd(&m->rnd, 3)) {
		/* Pins nest: one more and one less leaves it pinned. */
		err = mheap_pin(heap, o->p);
		if (!err)
			err = mheap_unpin(heap, o->p);
	}
	if (err) {
		fail("mheap_pin(0x%lx): %d\n", (unsigned long)o->p, err);
		return;
	}
	m->pinned[m->npinned] = *o;
	m->pin_cycle[m->npinned++] = done;
	held_remove(m, i);
	count(C_PIN);
}

static void op_probe_held(struct mutator *m)
{
	unsigned int i;
	int err;

	if (m->hprobe_obj) {
		/* Pairs with the release of the sweep that answered. */
		if (!smp_load_acquire(&m->hprobe.done))
			return;
		if (!m->hprobe.reachable)
			fail("mutator %d: held object 0x%lx reported unreachable\n",
			     m->id, (unsigned long)m->hprobe_obj);
		for (i = 0; i < m->nheld; i++)
			if (m->held[i].p == m->hprobe_obj)
				m->held[i].probed = false;
		m->hprobe_obj = NULL;
		return;
	}
	if (!m->nheld)
		return;
	i = rnd(&m->rnd, m->nheld);
	err = mheap_probe_reachable(heap, m->held[i].p, &m->hprobe);
	if (err) {
		fail("probe of held object 0x%lx: %d\n",
		     (unsigned long)m->held[i].p, err);
		return;
	}
	m->held[i].probed = true;
	m->hprobe_obj = m->held[i].p;
	count(C_PROBE);
}

static bool manual_check(struct mheap_span *s, u32 seq, const char *what)
{
	struct tobj o = {
		.p = mheap_span_base(s),
		.size = mheap_span_npages(s) << PAGE_SHIFT,
		.seq = seq,
	};

	return obj_check(&o, false, what);
}

static void op_manual(struct mutator *m)
{
	struct mheap_span *s;
	unsigned int i;
	u32 seq;

	if (m->nmanual && (m->nmanual == MANUAL_MAX || rnd(&m->rnd, 2))) {
		i = rnd(&m->rnd, m->nmanual);
		manual_check(m->manual[i], m->manual_seq[i], "of a manual span");
		mheap_free_manual(heap, m->manual[i]);
		m->manual[i] = m->manual[--m->nmanual];
		m->manual_seq[i] = m->manual_seq[m->nmanual];
		return;
	}
	s = mheap_alloc_manual(heap, 1 + rnd(&m->rnd, MANUAL_PAGES),
			       GFP_KERNEL | __GFP_NOWARN);
	if (!s) {
		count(C_ALLOC_FAIL);
		return;
	}
	seq = atomic_inc_return(&seqno);
	pat_fill(mheap_span_base(s), mheap_span_npages(s) << PAGE_SHIFT, seq);
	m->manual[m->nmanual] = s;
	m->manual_seq[m->nmanual++] = seq;
	count(C_MANUAL);
}

/* Hard interrupt: GFP_ATOMIC objects, filled, checked, freed at once. */
static enum hrtimer_restart irq_fn(struct hrtimer *t)
{
	struct mutator *m = container_of(t, struct mutator, timer);
	struct tobj o;
	int n = 1 + rnd(&m->irq_rnd, 2);

	while (n--) {
		o.size = 1 + rnd(&m->irq_rnd, 1024);
		o.seq = atomic_inc_return(&seqno);
		o.p = mheap_alloc(heap, o.size, GFP_ATOMIC | __GFP_NOWARN);
		if (!o.p) {
			count(C_ALLOC_FAIL);
			continue;
		}
		count(C_ALLOC);
		count(C_IRQ);
		pat_fill(o.p, o.size, o.seq);
		obj_check(&o, false, "in hard irq");
		mheap_free(heap, o.p);
		count(C_FREE);
	}
	hrtimer_forward_now(t, ns_to_ktime((2000 + rnd(&m->irq_rnd, 8000)) * NSEC_PER_USEC));
	return HRTIMER_RESTART;
}

/*
 * The atomic scenario's timer fires in hard interrupt context, where mheap
 * takes GFP_ATOMIC calls as kmalloc() does.  PREEMPT_RT allows neither
 * there (its spinlocks sleep): the callback runs in the timer softirq.
 */
#define TORTURE_TIMER_MODE \
	(IS_ENABLED(CONFIG_PREEMPT_RT) ? HRTIMER_MODE_REL_SOFT : HRTIMER_MODE_REL_HARD)

static int mutator_fn(void *arg)
{
	struct mutator *m = arg;
	u32 r;

	if (sc_on(SC_IRQ)) {
		hrtimer_start(&m->timer, ms_to_ktime(1), TORTURE_TIMER_MODE);
		m->timer_on = true;
	}
	while (!kthread_should_stop()) {
		WRITE_ONCE(m->cpu, raw_smp_processor_id());
		mutator_sync(m);
		take_handoffs(m);
		check_dprobes(m, false);
		r = rnd(&m->rnd, 100);
		if (r < 30)
			op_alloc(m);
		else if (r < 55)
			op_free(m);
		else if (r < 67 && sc_on(SC_HANDOFF))
			op_handoff(m);
		else if (r < 75 && sc_on(SC_DROP))
			op_drop(m);
		else if (r < 80 && sc_on(SC_FINALIZER))
			op_finalizer(m);
		else if (r < 85 && sc_on(SC_PIN))
			op_pin(m);
		else if (r < 89 && sc_on(SC_PROBE))
			op_probe_held(m);
		else if (r < 94 && sc_on(SC_MANUAL))
			op_manual(m);
		else
			op_alloc(m);
		cond_resched();
	}
	if (m->timer_on)
		hrtimer_cancel(&m->timer);
	return 0;
}

/* === Maintenance, the second heap ==================================== */

static int maint_fn(void *arg)
{
	struct rnd_state r;

	prandom_seed_state(&r, get_random_u64());
	while (!kthread_should_stop()) {
		switch (rnd(&r, 4)) {
		case 0:
			mheap_sweep_all(heap);
			break;
		case 1:
			mheap_reclaim(heap, 1 + rnd(&r, 256));
			break;
		case 2:
			mheap_scavenge(heap, (1 + rnd(&r, 64)) << PAGE_SHIFT);
			break;
		default:
			mheap_release_all(heap);
			break;
		}
		count(C_MAINT);
		schedule_timeout_idle(msecs_to_jiffies(5 + rnd(&r, 20)));
	}
	return 0;
}

/* One life of the second heap: create, objects, a cycle, destroy. */
static void heap2_round(struct rnd_state *r)
{
	struct mheap_params params = {
		.region_kind = rnd(r, MHEAP_REGION_NR_KINDS),
		.mem_limit = rnd(r, 2) ? (4 + rnd(r, 12)) << 20 : 0,
	};
	struct tobj *objs;
	struct mheap_span *s;
	unsigned int i, n = 64 + rnd(r, 192);
	struct mheap *h2;

	objs = kcalloc(n, sizeof(*objs), GFP_KERNEL);
	if (!objs)
		return;
	h2 = mheap_create("torture2", &params);
	if (IS_ERR(h2)) {
		fail("mheap_create(torture2): %ld\n", PTR_ERR(h2));
		kfree(objs);
		return;
	}
	for (i = 0; i < n; i++) {
		objs[i].size = rnd_size(r) / 4 + 1;
		objs[i].seq = atomic_inc_return(&seqno);
		objs[i].p = mheap_alloc(h2, objs[i].size, GFP_KERNEL | __GFP_NOWARN);
		if (objs[i].p)
			pat_fill(objs[i].p, objs[i].size, objs[i].seq);
	}
	/* Keep every other object; the sweep frees the rest. */
	mheap_gc_begin(h2);
	for (i = 0; i < n; i += 2)
		if (objs[i].p && !mheap_mark(h2, objs[i].p))
			fail("torture2: mheap_mark() refused a live object\n");
	mheap_gc_end(h2);
	mheap_sweep_all(h2);
	for (i = 0; i < n; i += 2) {
		if (!objs[i].p)
			continue;
		obj_check(&objs[i], false, "in torture2 after a cycle");
		mheap_free(h2, objs[i].p);
	}
	s = mheap_alloc_manual(h2, 1 + rnd(r, 8), GFP_KERNEL | __GFP_NOWARN);
	if (s)
		mheap_free_manual(h2, s);
	mheap_release_all(h2);
	/* Half the time with objects still alive: destroy frees them. */
	if (rnd(r, 2)) {
		for (i = 0; i < 16; i++)
			mheap_alloc(h2, 1 + rnd(r, 4096), GFP_KERNEL | __GFP_NOWARN);
	}
	mheap_destroy(h2);
	kfree(objs);
	count(C_HEAP2);
}

static int heap2_fn(void *arg)
{
	struct rnd_state r;

	prandom_seed_state(&r, get_random_u64());
	while (!kthread_should_stop()) {
		heap2_round(&r);
		schedule_timeout_idle(msecs_to_jiffies(10 + rnd(&r, 40)));
	}
	return 0;
}

/* === Statistics, the end ============================================= */

static void print_counts(const char *head)
{
	char buf[768];
	int i, len = 0;

	for (i = 0; i < C_COUNT; i++)
		len += scnprintf(buf + len, sizeof(buf) - len, " %s=%ld",
				 c_names[i], atomic_long_read(&counts[i]));
	pr_alert("%s%s\n", head, buf);
}

static void stop_thread(struct task_struct **t)
{
	if (*t) {
		kthread_stop(*t);
		*t = NULL;
	}
}

static void stop_threads(void)
{
	int i;

	/* The gc thread first: it ends its cycle with the mutators' help. */
	stop_thread(&gc_task);
	stop_thread(&maint_task);
	stop_thread(&heap2_task);
	for (i = 0; i < nmuts; i++)
		stop_thread(&muts[i].task);
}

static int fin_pending(void)
{
	int n;

	mutex_lock(&fin_lock);
	n = fin_count;
	mutex_unlock(&fin_lock);
	return n;
}

/*
 * With every thread stopped: cycles until the dropped objects are gone
 * and every finalizer ran, then check and count what is still held.
 */
static void final_phase(void)
{
	unsigned long small = 0, large = 0, manual = 0, mpages = 0;
	int i, j, round;

	for (round = 0; round < 200; round++) {
		atomic_long_inc(&gc_gen);
		mheap_gc_begin(heap);
		for (i = 0; i < nmuts; i++)
			mark_held(&muts[i]);
		mark_queues();
		mark_finalizers();
		mheap_gc_end(heap);
		atomic_long_inc(&gc_gen);
		mheap_sweep_all(heap);
		count(C_CYCLE);
		if (round >= 1 && !fin_pending())
			break;
		msleep(20);
	}
	if (fin_pending())
		fail("%d finalizer objects still pending at the end\n",
		     fin_pending());

	for (i = 0; i < nmuts; i++) {
		struct mutator *m = &muts[i];
		struct tobj *all[3] = { m->held, m->q, m->pinned };
		unsigned int nall[3] = { m->nheld, m->qlen, m->npinned };
		unsigned int k;

		check_dprobes(m, true);
		if (m->hprobe_obj) {
			/* Pairs with the release of the sweep that answered. */
			if (!smp_load_acquire(&m->hprobe.done))
				fail("mutator %d: a held object's probe never answered\n",
				     m->id);
			else if (!m->hprobe.reachable)
				fail("mutator %d: held object 0x%lx reported unreachable\n",
				     m->id, (unsigned long)m->hprobe_obj);
		}
		for (k = 0; k < 3; k++) {
			for (j = 0; j < nall[k]; j++) {
				obj_check(&all[k][j], false, "at the end");
				if (all[k][j].size > SMALL_MAX)
					large++;
				else
					small++;
			}
		}
		for (j = 0; j < m->nmanual; j++) {
			manual_check(m->manual[j], m->manual_seq[j],
				     "of a manual span at the end");
			manual++;
			mpages += mheap_span_npages(m->manual[j]);
		}
	}
	pr_alert("Held at end: heap=%s objects=%lu large=%lu manual_spans=%lu manual_pages=%lu\n",
		 mheap_name(heap), small, large, manual, mpages);
}

static void torture_end(void)
{
	mutex_lock(&end_lock);
	if (!ended) {
		stop_threads();
		final_phase();
		print_counts(atomic_long_read(&counts[C_ERROR]) ?
			     "End of test: FAILURE:" : "End of test: SUCCESS:");
		ended = true;
	}
	mutex_unlock(&end_lock);
}

/*
 * The duration is wall-clock time (ktime): under emulation, ticks can be
 * late enough for jiffies to fall behind.
 */
static int ctl_fn(void *arg)
{
	ktime_t end = ktime_add_ms(ktime_get(), (s64)duration * MSEC_PER_SEC);
	ktime_t next = ktime_add_ms(ktime_get(), (s64)stat_interval * MSEC_PER_SEC);

	while (!kthread_should_stop() && ktime_before(ktime_get(), end)) {
		schedule_timeout_idle(HZ / 10);
		if (stat_interval > 0 && !ktime_before(ktime_get(), next)) {
			print_counts("Stats:");
			next = ktime_add_ms(next, (s64)stat_interval * MSEC_PER_SEC);
		}
	}
	torture_end();
	/* Wait for kthread_stop(), which owns the task from here. */
	while (!kthread_should_stop())
		schedule_timeout_idle(HZ);
	return 0;
}

/* === Set-up and teardown ============================================= */

static int parse_scenarios(void)
{
	char *s, *p, *tok;
	int i;

	if (!kstrtoul(scenarios, 0, &sc_mask))
		return sc_mask < BIT(SC_COUNT) ? 0 : -EINVAL;
	s = kstrdup(scenarios, GFP_KERNEL);
	if (!s)
		return -ENOMEM;
	sc_mask = 0;
	p = s;
	while ((tok = strsep(&p, ","))) {
		if (!strcmp(tok, "all")) {
			sc_mask = BIT(SC_COUNT) - 1;
			continue;
		}
		for (i = 0; i < SC_COUNT; i++)
			if (!strcmp(tok, sc_names[i]))
				break;
		if (i == SC_COUNT) {
			pr_err("unknown scenario '%s'\n", tok);
			kfree(s);
			return -EINVAL;
		}
		sc_mask |= BIT(i);
	}
	kfree(s);
	return 0;
}

static struct task_struct *torture_thread(int (*fn)(void *), void *arg,
					  const char *name, int id)
{
	struct task_struct *t = kthread_run(fn, arg, "%s/%d", name, id);

	if (IS_ERR(t)) {
		pr_err("cannot start %s/%d: %ld\n", name, id, PTR_ERR(t));
		return NULL;
	}
	return t;
}

static void free_everything(void)
{
	int i, j;

	for (i = 0; i < nmuts; i++) {
		struct mutator *m = &muts[i];

		for (j = 0; j < m->nheld; j++)
			mheap_free(heap, m->held[j].p);
		for (j = 0; j < m->qlen; j++)
			mheap_free(heap, m->q[j].p);
		/* Freeing a pinned object drops its pin. */
		for (j = 0; j < m->npinned; j++)
			mheap_free(heap, m->pinned[j].p);
		for (j = 0; j < m->nmanual; j++)
			mheap_free_manual(heap, m->manual[j]);
		m->nheld = 0;
		m->qlen = 0;
		m->npinned = 0;
		m->nmanual = 0;
		check_dprobes(m, false);
	}
}

static void free_records(void)
{
	struct finrec *f, *next;
	struct dprobe *d, *dn;
	int i;

	for (i = 0; i < nmuts; i++) {
		list_for_each_entry_safe(d, dn, &muts[i].dprobes, node) {
			list_del(&d->node);
			kfree(d);
		}
	}
	list_for_each_entry_safe(f, next, &fin_list, node) {
		list_del(&f->node);
		kfree(f);
	}
	fin_count = 0;
}

static void torture_cleanup(void)
{
	size_t released;

	if (ctl_task) {
		kthread_stop(ctl_task);
		ctl_task = NULL;
	}
	torture_end();
	if (!heap)
		return;
	free_everything();
	released = mheap_release_all(heap);
	if (fin_pending() || atomic_long_read(&counts[C_ERROR])) {
		/*
		 * A finalizer may still be queued, or the heap may hold
		 * objects we lost track of: destroy it while our code is
		 * still loaded, as destroy runs the queued finalizers.
		 */
		pr_alert("destroying heap %s: %d finalizers pending\n",
			 mheap_name(heap), fin_pending());
		mheap_destroy(heap);
	} else {
		pr_alert("Released: heap=%s bytes=%zu\n", mheap_name(heap),
			 released);
	}
	free_records();
	heap = NULL;
	kfree(muts);
	muts = NULL;
}

static int __init mheap_torture_init(void)
{
	int i, err;

	err = parse_scenarios();
	if (err)
		return err;
	if (duration <= 0 || threads_per_cpu <= 0 || gc_interval_ms < 0 ||
	    held_kib <= 0 || (heap_flags & ~MHEAP_FLAGS_ALL))
		return -EINVAL;
	nmuts = clamp(threads_per_cpu * (int)num_online_cpus(), 2, 64);
	muts = kcalloc(nmuts, sizeof(*muts), GFP_KERNEL);
	if (!muts)
		return -ENOMEM;
	heap = mheap_create("torture", &(struct mheap_params){
		.flags = heap_flags,
	});
	if (IS_ERR(heap)) {
		err = PTR_ERR(heap);
		heap = NULL;
		kfree(muts);
		return err;
	}
	pr_alert("Start of test: duration=%d threads_per_cpu=%d mutators=%d gc_interval_ms=%d scenarios=0x%lx stw=%d stat_interval=%d held_kib=%d heap_flags=%u\n",
		 duration, threads_per_cpu, nmuts, gc_interval_ms, sc_mask, stw,
		 stat_interval, held_kib, heap_flags);
	for (i = 0; i < nmuts; i++) {
		struct mutator *m = &muts[i];

		m->id = i;
		prandom_seed_state(&m->rnd, get_random_u64());
		prandom_seed_state(&m->irq_rnd, get_random_u64());
		spin_lock_init(&m->qlock);
		INIT_LIST_HEAD(&m->dprobes);
		m->cpu = -1;
		hrtimer_init(&m->timer, CLOCK_MONOTONIC, TORTURE_TIMER_MODE);
		m->timer.function = irq_fn;
	}
	for (i = 0; i < nmuts; i++) {
		muts[i].task = torture_thread(mutator_fn, &muts[i], "mheap_torture_mut", i);
		if (!muts[i].task)
			goto fail;
	}
	if (sc_on(SC_GC)) {
		gc_task = torture_thread(gc_fn, NULL, "mheap_torture_gc", 0);
		if (!gc_task)
			goto fail;
	}
	if (sc_on(SC_MAINT)) {
		maint_task = torture_thread(maint_fn, NULL, "mheap_torture_maint", 0);
		if (!maint_task)
			goto fail;
	}
	if (sc_on(SC_HEAP2)) {
		heap2_task = torture_thread(heap2_fn, NULL, "mheap_torture_heap2", 0);
		if (!heap2_task)
			goto fail;
	}
	ctl_task = torture_thread(ctl_fn, NULL, "mheap_torture_ctl", 0);
	if (!ctl_task)
		goto fail;
	return 0;
fail:
	fail("could not start the test's threads\n");
	torture_cleanup();
	return -ENOMEM;
}

static void __exit mheap_torture_exit(void)
{
	torture_cleanup();
}

module_init(mheap_torture_init);
module_exit(mheap_torture_exit);

MODULE_DESCRIPTION("Torture test of the mheap allocator and collector");
MODULE_AUTHOR("The mheap authors");
MODULE_LICENSE("GPL");
