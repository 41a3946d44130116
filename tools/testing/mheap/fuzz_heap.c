// SPDX-License-Identifier: GPL-2.0
/*
 * fuzz_heap: a libFuzzer target for the userspace build of mheap.
 *
 * Each input is a program: its first byte picks the heap's soft limit,
 * then each operation is a byte (the kind) and up to three argument
 * bytes.  The operations run on one heap, against a shadow model of what
 * must be allocated:
 *   alloc (with fault injection now and then), free, bad frees (an
 *   interior pointer, an address outside the heap, a double free), a
 *   collection cycle (marking every modelled object that is not dropped,
 *   pinned or finalized), drop, pin and unpin, a finalizer that frees its
 *   object, a reachability probe, manual spans, mheap_release_all(),
 *   mheap_scavenge(), mheap_reclaim(), the shrinker.
 * Checked: every modelled object keeps its fill pattern and its size
 * (mheap_ksize(), mheap_span_of()); every bad free is refused, reported
 * (pr_err, the mheap_bad_free event, the bad_frees counter) and leaves
 * the heap intact; a probe answers as the model says; each finalizer runs
 * once, for its object; after each cycle the heap's live objects (debugfs
 * classes) are exactly the model's; at the end, with everything freed and
 * released, pages_in_use is 0 and the heap's destruction returns every
 * page, kmemleak object and debugfs entry.
 */
#include <stdio.h>
#include "internal.h"
#include "us.h"

/* A failed check aborts, so that libFuzzer records the input. */
#define MHEAP_TEST_ABORT
#include "ktap_test.h"

#define SLOTS		64
#define MANUAL		8

enum { FREE_SLOT, LIVE, DROPPED, FINALIZED };

struct slot {
	void *p;
	u32 size, seq;
	int state;
	bool pinned;
	struct mheap_reachable probe;
	bool probing;
};

struct input {
	const u8 *d;
	size_t n;
};

static struct mheap *heap;
static struct slot slots[SLOTS];
static struct mheap_span *manual[MANUAL];
static u32 manual_seq[MANUAL];
static u32 seqno;
static unsigned long bad_expected;
static unsigned long fin_calls;
static void *fin_last;

static u8 next(struct input *in)
{
	u8 b;

	if (!in->n)
		return 0;
	b = *in->d++;
	in->n--;
	return b;
}

/* === Patterns ======================================================== */

/*
 * Word-wise, and without coverage instrumentation: the checks run over
 * every live byte after every operation, and are not what is fuzzed.
 */
#define NO_COVERAGE	__attribute__((no_sanitize("coverage")))

static NO_COVERAGE u64 pat(const void *base, size_t i, u32 seq)
{
	return ((u64)(unsigned long)base + i) * 0x9E3779B97F4A7C15ULL ^ seq;
}

static NO_COVERAGE void fill(void *p, size_t n, u32 seq)
{
	size_t i;

	for (i = 0; i + 8 <= n; i += 8)
		memcpy((u8 *)p + i, &(u64){ pat(p, i, seq) }, 8);
	for (; i < n; i++)
		((u8 *)p)[i] = (u8)pat(p, i, seq);
}

static NO_COVERAGE bool intact(const void *p, size_t n, u32 seq)
{
	size_t i;
	u64 w;

	for (i = 0; i + 8 <= n; i += 8) {
		memcpy(&w, (const u8 *)p + i, 8);
		if (w != pat(p, i, seq))
			return false;
	}
	for (; i < n; i++)
		if (((const u8 *)p)[i] != (u8)pat(p, i, seq))
			return false;
	return true;
}

static void check_slot(const struct slot *s)
{
	struct mheap_span *sp = mheap_span_of(heap, s->p);

	CHECKF(sp && (char *)s->p >= (char *)mheap_span_base(sp) &&
	       (char *)s->p + s->size <= (char *)mheap_span_base(sp) +
	       (mheap_span_npages(sp) << PAGE_SHIFT),
	       "mheap_span_of() covers a live object");
	CHECKF(mheap_ksize(heap, s->p) >= s->size, "ksize >= size");
	CHECKF(intact(s->p, s->size, s->seq), "live object keeps its pattern");
}

static void check_all(void)
{
	unsigned int i;

	for (i = 0; i < SLOTS; i++)
		if (slots[i].state == LIVE || slots[i].state == DROPPED ||
		    slots[i].state == FINALIZED)
			check_slot(&slots[i]);
	for (i = 0; i < MANUAL; i++)
		if (manual[i])
			CHECKF(intact(mheap_span_base(manual[i]),
				      mheap_span_npages(manual[i]) << PAGE_SHIFT,
				      manual_seq[i]),
			       "manual span keeps its pattern");
}

/* === Bad frees ======================================================= */

static void expect_bad_free(const void *p)
{
	unsigned long errs = us_report_count(US_REPORT_ERR);
	unsigned long ev = us_trace_count("mheap_bad_free");

	mheap_free(heap, p);
	bad_expected++;
	CHECKF(us_report_count(US_REPORT_ERR) == errs + 1,
	       "a bad free is reported");
	CHECKF(us_trace_count("mheap_bad_free") == ev + 1,
	       "a bad free is traced");
	CHECKF((long)mheap_events_read(heap, MHEAP_CNT_BAD_FREES) ==
	       (long)bad_expected, "bad_frees counts every bad free");
}

/* === The model ======================================================= */

static long heap_live_objects(void)
{
	static char buf[16 << 10];
	char path[64], *p;
	long total, large;

	snprintf(path, sizeof(path), "mheap/%s/classes", mheap_name(heap));
	if (us_debugfs_read(path, buf, sizeof(buf)) <= 0)
		return -1;
	p = strstr(buf, "Total");
	if (!p || sscanf(p, "Total %*u %ld", &total) != 1)
		return -1;
	p = strstr(buf, "Large");
	if (!p || sscanf(p, "Large %*u %ld", &large) != 1)
		return -1;
	return total + large;
}

static void finalizer(void *obj, void *arg)
{
	struct slot *s = arg;

	CHECKF(s->state == FINALIZED && s->p == obj,
	       "the object finalized is the one set");
	fin_calls++;
	fin_last = obj;
	/* Freed from the finalizer, which mheap allows. */
	CHECKF(intact(s->p, s->size, s->seq),
	       "a finalized object keeps its pattern");
	mheap_free(heap, obj);
	s->state = FREE_SLOT;
}

static void cycle(void)
{
	unsigned int i;
	long live = 0, counted;

	mheap_gc_begin(heap);
	for (i = 0; i < SLOTS; i++) {
		struct slot *s = &slots[i];

		if (s->state == LIVE && !s->pinned)
			CHECKF(mheap_mark(heap, s->p),
			       "mheap_mark() takes a live object");
	}
	mheap_gc_end(heap);
	mheap_sweep_all(heap);
	flush_work(&heap->gc.fin_work);
	for (i = 0; i < SLOTS; i++) {
		struct slot *s = &slots[i];

		if (s->probing) {
			bool want = (s->state == LIVE) || s->pinned;

			CHECKF(__atomic_load_n(&s->probe.done,
					       __ATOMIC_ACQUIRE),
			       "a probe is answered by the sweep");
			if (s->state != FREE_SLOT || !want)
				CHECKF(s->probe.reachable == want,
				       "a probe answers marked-or-pinned");
			s->probing = false;
		}
		if (s->state == DROPPED && !s->pinned)
			s->state = FREE_SLOT;	/* the collector's now */
		if (s->state != FREE_SLOT)
			live++;
	}
	check_all();
	counted = heap_live_objects();
	CHECKF(counted == live, "the heap's live objects are the model's");
}

static struct slot *pick(struct input *in, int state)
{
	unsigned int i, start = next(in) % SLOTS;

	for (i = 0; i < SLOTS; i++) {
		struct slot *s = &slots[(start + i) % SLOTS];

		if (s->state == state)
			return s;
	}
	return NULL;
}

static void op_alloc(struct input *in)
{
	struct slot *s = pick(in, FREE_SLOT);
	u8 a = next(in), b = next(in);
	size_t size;

	if (!s)
		return;
	switch (a >> 6) {
	case 0:
		size = 1 + b;
		break;
	case 1:
		size = 1 + (((a & 63) << 8) | b);
		break;
	case 2:
		size = (32 << 10) + ((size_t)(a & 63) << 12) + b;
		break;
	default:
		size = 1 + (b & 15);
		break;
	}
	/* Now and then an injected failure somewhere on the way. */
	if ((a & 7) == 7)
		us_fail_nth(1 + (b & 7));
	s->p = mheap_alloc(heap, size, GFP_KERNEL);
	us_fail_nth(0);
	if (!s->p)
		return;
	s->size = size;
	s->seq = ++seqno;
	s->state = LIVE;
	s->pinned = false;
	s->probing = false;
	fill(s->p, size, s->seq);
	check_slot(s);
}

static void op_free(struct input *in)
{
	struct slot *s = pick(in, LIVE);
	unsigned long errs = us_report_count(US_REPORT_ERR);
	u8 how = next(in);
	void *p;

	if (!s || s->probing)
		return;
	check_slot(s);
	p = s->p;
	if (s->pinned)
		mheap_unpin(heap, p);
	s->pinned = false;
	s->state = FREE_SLOT;
	mheap_free(heap, p);
	CHECKF(us_report_count(US_REPORT_ERR) == errs,
	       "a good free is not reported");
	if (how & 1)
		expect_bad_free(p);	/* double free */
}

static void op_bad_free(struct input *in)
{
	struct slot *s = pick(in, LIVE);
	u8 off = next(in);
	int local;

	switch (next(in) % 3) {
	case 0:
		/* Interior pointer: the object stays. */
		if (s && s->size > 1 && !s->probing) {
			expect_bad_free((char *)s->p + 1 + off % (s->size - 1));
			check_slot(s);
		}
		break;
	case 1:
		expect_bad_free(&local);
		break;
	default:
		expect_bad_free((void *)(0x1000UL + ((unsigned long)off << 12)));
		break;
	}
}

static void op_special(struct input *in)
{
	struct slot *s = pick(in, LIVE);
	u8 what = next(in);

	if (!s || s->probing)
		return;
	switch (what % 4) {
	case 0:
		/* Dropped: the next cycle collects it. */
		if (!s->pinned)
			s->state = DROPPED;
		break;
	case 1:
		if (s->pinned) {
			CHECKF(!mheap_unpin(heap, s->p), "mheap_unpin()");
			s->pinned = false;
		} else if (!mheap_pin(heap, s->p)) {
			s->pinned = true;
		}
		break;
	case 2:
		if (s->pinned)
			break;
		if (!mheap_set_finalizer(heap, s->p, finalizer, s))
			s->state = FINALIZED;
		break;
	default:
		if (!mheap_probe_reachable(heap, s->p, &s->probe))
			s->probing = true;
		break;
	}
}

static void op_manual(struct input *in)
{
	unsigned int i = next(in) % MANUAL;
	u8 n = next(in);

	if (manual[i]) {
		CHECKF(mheap_span_of(heap, mheap_span_base(manual[i])) ==
		       manual[i], "mheap_span_of() finds a manual span");
		CHECKF(intact(mheap_span_base(manual[i]),
			      mheap_span_npages(manual[i]) << PAGE_SHIFT,
			      manual_seq[i]),
		       "manual span keeps its pattern");
		mheap_free_manual(heap, manual[i]);
		manual[i] = NULL;
		return;
	}
	manual[i] = mheap_alloc_manual(heap, 1 + n % 16, GFP_KERNEL);
	if (!manual[i])
		return;
	manual_seq[i] = ++seqno;
	fill(mheap_span_base(manual[i]), mheap_span_npages(manual[i]) << PAGE_SHIFT,
	     manual_seq[i]);
	/* A manual span is no object: freeing it as one is refused. */
	if (n & 0x80)
		expect_bad_free(mheap_span_base(manual[i]));
}

static void op_memory(struct input *in)
{
	u8 a = next(in);

	switch (a % 5) {
	case 0:
		mheap_release_all(heap);
		break;
	case 1:
		mheap_scavenge(heap, (size_t)(1 + next(in)) << 16);
		break;
	case 2:
		mheap_reclaim(heap, 1 + next(in));
		break;
	case 3:
		us_shrink_all(1 + next(in));
		break;
	default:
		mheap_sweep_all(heap);
		break;
	}
	check_all();
}

static void run(struct input *in)
{
	struct mheap_params params = { 0 };
	unsigned long pages0 = us_pages_allocated(), debugfs0 = us_debugfs_entries();
	long leak0 = us_kmemleak_objects();
	unsigned int i, ops = 0;
	u8 first = next(in);

	if (first & 1)
		params.mem_limit = (1UL + (first >> 1)) << 20;
	params.region_kind = (first >> 6) % MHEAP_REGION_NR_KINDS;
	heap = mheap_create("fuzz", &params);
	CHECKF(!IS_ERR(heap), "mheap_create()");
	memset(slots, 0, sizeof(slots));
	memset(manual, 0, sizeof(manual));
	bad_expected = 0;
	fin_calls = 0;
	while (in->n && ops++ < 400) {
		switch (next(in) % 8) {
		case 0: case 1:
			op_alloc(in);
			break;
		case 2:
			op_free(in);
			break;
		case 3:
			op_bad_free(in);
			break;
		case 4:
			cycle();
			break;
		case 5:
			op_special(in);
			break;
		case 6:
			op_manual(in);
			break;
		default:
			op_memory(in);
			break;
		}
	}
	/* Settle the finalizers and probes, then free everything. */
	cycle();
	for (i = 0; i < SLOTS; i++) {
		struct slot *s = &slots[i];

		if (s->state == FREE_SLOT)
			continue;
		check_slot(s);
		if (s->pinned)
			mheap_unpin(heap, s->p);
		if (s->state == FINALIZED)
			mheap_remove_finalizer(heap, s->p);
		mheap_free(heap, s->p);
		s->state = FREE_SLOT;
	}
	for (i = 0; i < MANUAL; i++)
		if (manual[i])
			mheap_free_manual(heap, manual[i]);
	mheap_release_all(heap);
	CHECKF(heap_live_objects() == 0, "no live object after freeing all");
	CHECKF(atomic_long_read(&heap->pages_in_use) == 0,
	       "pages_in_use is 0 after freeing all and mheap_release_all()");
	CHECKF((long)mheap_events_read(heap, MHEAP_CNT_BAD_FREES) ==
	       (long)bad_expected, "bad_frees counts every bad free");
	mheap_destroy(heap);
	heap = NULL;
	CHECKF(us_pages_allocated() == pages0, "destroy returns every page");
	CHECKF(us_kmemleak_objects() == leak0, "destroy balances kmemleak");
	CHECKF(us_debugfs_entries() == debugfs0,
	       "destroy removes its debugfs files");
	CHECKF(!us_report_count(US_REPORT_WARN_ON) && !us_bugs(),
	       "no WARN, no shim bug");
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	/* One CPU: concurrency is the stress test's; this one wants speed. */
	us_init(1);
	us_report_quiet(true);
	CHECKF(!us_module_init(), "module init");
	return 0;
}

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	struct input in = { data, size };

	run(&in);
	return 0;
}
