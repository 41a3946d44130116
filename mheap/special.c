// SPDX-License-Identifier: GPL-2.0
/*
 * Specials: extra state attached to single objects (Go's mspan.specials,
 * addspecial/removespecial, and the specials half of mspan.sweep).
 *
 * Each span keeps a singly linked list sorted by (offset, kind), and the
 * arena's pageSpecials bit on its first page says the list is not empty.
 * One lock per heap guards all lists: specials are rare, and the lock is
 * never held across anything but list surgery.
 *
 *  - A finalizer runs once its object is found dead.  The sweep that
 *    finds it revives the object (marks it) and queues the call; a work
 *    item makes it in process context, with no heap lock held.  The
 *    object then lives until a later cycle leaves it unmarked, unless the
 *    finalizer frees it.
 *  - A pin keeps its object alive however many cycles leave it unmarked.
 *  - A reachability probe reports, once, whether its object was marked in
 *    the next cycle swept (used by the tests).
 *
 * An explicit mheap_free() drops the object's specials without running
 * them: the caller said it is done with the object.  Attaching a special
 * to an object already freed is a use after free: refused when the slot
 * is free in its span's bits, but not when the object sits in a magazine
 * (see object.c), where the special would pass to the object's next
 * owner; a heap created with %MHEAP_NO_MAGAZINES refuses every such call.
 */
#define pr_fmt(fmt) "mheap: " fmt

#include <linux/delay.h>
#include <linux/slab.h>
#include <linux/workqueue.h>
#include <kunit/visibility.h>
#include "internal.h"
#include "testing.h"

/* Kinds of specials, in the order they sort at one offset (Go's). */
enum mheap_special_kind {
	MHEAP_SPECIAL_FINALIZER = 1,
	MHEAP_SPECIAL_REACHABLE,
	MHEAP_SPECIAL_PIN,
};

/**
 * struct mheap_special - extra state of one object (Go's special)
 * @next:	next special of the span, or of the finalizer queue.
 * @offset:	object's offset in its span.
 * @kind:	an &enum mheap_special_kind.
 * @fn:		FINALIZER: function to call, with @obj and @arg.
 * @arg:	FINALIZER: its argument.
 * @obj:	FINALIZER: the object, set when it is queued.
 * @reach:	REACHABLE: where the result goes.
 * @pins:	PIN: how many times the object is pinned.
 */
struct mheap_special {
	struct mheap_special *next;
	unsigned int offset;
	u8 kind;
	union {
		struct {
			mheap_finalizer_t fn;
			void *arg;
			void *obj;
		};
		struct mheap_reachable *reach;
		unsigned long pins;
	};
};

/* The finalizer lines of <heap>/sweep, in enum order. */
const char *const mheap_fin_stat_names[] = {
	[MHEAP_FIN_QUEUED]	= "finalizers_queued",
	[MHEAP_FIN_RUN]		= "finalizers_run",
};

static_assert(ARRAY_SIZE(mheap_fin_stat_names) == MHEAP_FIN_STAT_COUNT);

static unsigned int special_index(struct mheap_span *s, unsigned int offset)
{
	return s->spanclass ? mheap_obj_index(offset, s->obj.divmagic) : 0;
}

static void page_specials(struct mheap *h, struct mheap_span *s, bool set)
{
	struct mheap_arena *a = mheap_arena_of(h, s->start);
	unsigned long bit = mheap_arena_page(a, s->start);

	if (set)
		set_bit(bit, a->page_specials);
	else
		clear_bit(bit, a->page_specials);
}

/* Tell a probe its answer; the caller then frees the special. */
static void report(struct mheap_special *sp, bool reachable)
{
	sp->reach->reachable = reachable;
	/* Pairs with the acquire of whoever polls the result. */
	smp_store_release(&sp->reach->done, true);
}

/* Free a special taken off its list (caller holds special_lock). */
static void special_free(struct mheap *h, struct mheap_special *sp)
{
	if (sp->kind == MHEAP_SPECIAL_REACHABLE)
		report(sp, false);
	atomic_long_dec(&h->gc.specials);
	kfree(sp);
}

/**
 * mheap_specials_sweep() - the specials of a span being swept
 * @h: heap
 * @s: span at sg - 1, owned by the caller
 *
 * Before the span's bits are swept: a pinned object is marked; an
 * unmarked object with a finalizer is marked too (revived) and its
 * finalizer queued; probes report; the specials of objects that stay
 * dead go.
 */
void mheap_specials_sweep(struct mheap *h, struct mheap_span *s)
{
	struct mheap_special **pp, *sp, *q, *queue = NULL;
	unsigned long *mark = s->obj.gcmark_bits;
	unsigned long flags;

	spin_lock_irqsave(&h->gc.special_lock, flags);
	pp = &s->specials;
	while (*pp) {
		unsigned int off = (*pp)->offset, idx = special_index(s, off);
		bool fin = false, marked;

		/* First pass over the object's specials: pins and finalizers. */
		for (q = *pp; q && q->offset == off; q = q->next) {
			if (q->kind == MHEAP_SPECIAL_PIN)
				set_bit(idx, mark);
			fin |= q->kind == MHEAP_SPECIAL_FINALIZER;
		}
		marked = test_bit(idx, mark);
		if (!marked && fin)
			set_bit(idx, mark);
		/* Second pass: act and unlink. */
		while ((sp = *pp) && sp->offset == off) {
			if (sp->kind == MHEAP_SPECIAL_REACHABLE) {
				WRITE_ONCE(*pp, sp->next);
				report(sp, marked);
				atomic_long_dec(&h->gc.specials);
				kfree(sp);
			} else if (!marked && sp->kind == MHEAP_SPECIAL_FINALIZER) {
				WRITE_ONCE(*pp, sp->next);
				sp->obj = (void *)(s->start + off);
				sp->next = queue;
				queue = sp;
				atomic_long_dec(&h->gc.specials);
			} else {
				pp = &sp->next;
			}
		}
	}
	if (!s->specials)
		page_specials(h, s, false);
	if (queue) {
		/* Keep the order the objects had in the span. */
		while (queue) {
			sp = queue;
			queue = sp->next;
			sp->next = h->gc.finq;
			h->gc.finq = sp;
			atomic64_inc(&h->gc.fin_stat[MHEAP_FIN_QUEUED]);
		}
		queue_work(system_wq, &h->gc.fin_work);
	}
	spin_unlock_irqrestore(&h->gc.special_lock, flags);
}

/**
 * mheap_specials_free_object() - free an object and drop its specials
 * @h: heap
 * @s: its span
 * @idx: its index in the span
 * @offset: its offset in the span
 *
 * Both in one step under the specials lock, which a sweep takes to read
 * them: see free_claim() in object.c.
 *
 * Return: false if the object was not allocated (its bit was clear).
 */
bool mheap_specials_free_object(struct mheap *h, struct mheap_span *s,
				unsigned int idx, unsigned int offset)
{
	struct mheap_special **pp, *sp;
	unsigned long flags;
	bool freed;

	spin_lock_irqsave(&h->gc.special_lock, flags);
	freed = test_and_clear_bit(idx, s->obj.alloc_bits);
	pp = &s->specials;
	while (freed && (sp = *pp) && sp->offset <= offset) {
		if (sp->offset == offset) {
			WRITE_ONCE(*pp, sp->next);
			special_free(h, sp);
		} else {
			pp = &sp->next;
		}
	}
	if (!s->specials)
		page_specials(h, s, false);
	spin_unlock_irqrestore(&h->gc.special_lock, flags);
	return freed;
}

/**
 * mheap_specials_keep() - would the sweep keep this object unmarked?
 * @h: heap
 * @s: its span, not yet swept this cycle; its mcentral lock is held
 * @offset: the object's offset in the span
 *
 * Return: true if a pin or a finalizer is attached to the object: the
 * sweep marks it instead of freeing it.
 */
bool mheap_specials_keep(struct mheap *h, struct mheap_span *s,
			 unsigned int offset)
{
	struct mheap_special *sp;
	unsigned long flags;
	bool keep = false;

	spin_lock_irqsave(&h->gc.special_lock, flags);
	for (sp = s->specials; sp && sp->offset <= offset; sp = sp->next)
		keep |= sp->offset == offset &&
			(sp->kind == MHEAP_SPECIAL_PIN ||
			 sp->kind == MHEAP_SPECIAL_FINALIZER);
	spin_unlock_irqrestore(&h->gc.special_lock, flags);
	return keep;
}

/**
 * mheap_specials_free_all() - drop every special of a span that goes away
 * @h: heap
 * @s: span being freed or destroyed with its heap
 */
void mheap_specials_free_all(struct mheap *h, struct mheap_span *s)
{
	struct mheap_special *sp;
	unsigned long flags;

	spin_lock_irqsave(&h->gc.special_lock, flags);
	while ((sp = s->specials)) {
		WRITE_ONCE(s->specials, sp->next);
		special_free(h, sp);
	}
	page_specials(h, s, false);
	spin_unlock_irqrestore(&h->gc.special_lock, flags);
}

/*
 * Runs queued finalizers, oldest first, in process context.  An object
 * whose finalizer is pending lives until the finalizer has run, as Go's
 * finalizer queue keeps its objects reachable, so a finalizer that frees
 * its object never races with a sweep that found it dead again: a cycle
 * marks the objects still queued when it begins
 * (mheap_specials_mark_queued()), and does not end while finalizers taken
 * off the queue run (mheap_specials_wait_running()).  Taking them off and
 * counting them in &mheap_gc.fin_running is one step under special_lock.
 */
void mheap_fin_work_fn(struct work_struct *work)
{
	struct mheap *h = container_of(work, struct mheap, gc.fin_work);
	struct mheap_special *list, *rev = NULL, *sp;
	unsigned long flags;
	int n;

	mheap_test_point(h, MHEAP_TP_FIN_QUEUED);
	spin_lock_irqsave(&h->gc.special_lock, flags);
	list = h->gc.finq;
	h->gc.finq = NULL;
	for (sp = list, n = 0; sp; sp = sp->next)
		n++;
	atomic_add(n, &h->gc.fin_running);
	spin_unlock_irqrestore(&h->gc.special_lock, flags);
	mheap_test_point(h, MHEAP_TP_FIN_RUN);
	while (list) {
		sp = list;
		list = sp->next;
		sp->next = rev;
		rev = sp;
	}
	while (rev) {
		sp = rev;
		rev = sp->next;
		sp->fn(sp->obj, sp->arg);
		atomic64_inc(&h->gc.fin_stat[MHEAP_FIN_RUN]);
		kfree(sp);
		/* What the finalizer did is seen by the cycle that waited. */
		atomic_dec_return_release(&h->gc.fin_running);
		cond_resched();
	}
}

/**
 * mheap_specials_destroy() - for heap destroy: drop the finalizer queue
 * @h: heap nobody uses any more
 *
 * Finalizers queued after the last run of the work are not run.
 */
void mheap_specials_destroy(struct mheap *h)
{
	struct mheap_special *sp, *next;

	for (sp = h->gc.finq; sp; sp = next) {
		next = sp->next;
		kfree(sp);
	}
	h->gc.finq = NULL;
}

/**
 * mheap_specials_wait_running() - wait for finalizers taken off the queue
 * @h: heap whose cycle mheap_gc_end() is about to end, under gc_lock
 *
 * Their objects were not on the queue when marking opened, so nothing
 * marked them: the cycle may end only once their finalizers are done.
 *
 * Context: process context, may sleep.
 */
void mheap_specials_wait_running(struct mheap *h)
{
	lockdep_assert_held(&h->gc_lock);
	while (atomic_read_acquire(&h->gc.fin_running))
		usleep_range(50, 100);
}

/**
 * mheap_specials_mark_queued() - mark the objects of queued finalizers
 * @h: heap whose marking mheap_gc_begin() just opened, under gc_lock
 *
 * Their finalizers have not started, and cannot while the queue is
 * locked, so nothing frees these objects while they are marked.
 */
void mheap_specials_mark_queued(struct mheap *h)
{
	struct mheap_special *sp;
	unsigned long flags;

	lockdep_assert_held(&h->gc_lock);
	spin_lock_irqsave(&h->gc.special_lock, flags);
	for (sp = h->gc.finq; sp; sp = sp->next) {
		struct mheap_span *s;
		const char *why;
		unsigned int idx;

		/* Freed by its owner after all (a misuse): nothing to keep. */
		s = mheap_object_lookup(h, sp->obj, false, &idx, &why);
		if (s)
			mheap_mark_object(h, s, idx);
	}
	spin_unlock_irqrestore(&h->gc.special_lock, flags);
}

/*
 * The span of the object starting at @p, swept, with the object live; or
 * an ERR_PTR: -EINVAL when @p is not the start of a live object of @h.
 */
static struct mheap_span *object_span(struct mheap *h, const void *p,
				      unsigned int *offset)
{
	struct mheap_span *s;
	const char *why;
	unsigned int idx;

	s = mheap_object_lookup(h, p, false, &idx, &why);
	if (!s)
		return ERR_PTR(-EINVAL);
	/*
	 * A cycle may have found it dead: sweep first, then look again, at
	 * the span that holds @p now (the sweep may have freed the old one).
	 */
	mheap_ensure_swept(h, s);
	if (mheap_object_lookup(h, p, false, &idx, &why) != s)
		return ERR_PTR(-EINVAL);
	*offset = idx * s->elemsize;
	return s;
}

/* Insert @new in sorted place; with @unique, refuse a second of its kind. */
static int special_add(struct mheap *h, struct mheap_span *s,
		       struct mheap_special *new, bool unique)
{
	struct mheap_special **pp, *sp;
	unsigned long flags;

	spin_lock_irqsave(&h->gc.special_lock, flags);
	for (pp = &s->specials; (sp = *pp); pp = &sp->next) {
		if (sp->offset > new->offset ||
		    (sp->offset == new->offset && sp->kind >= new->kind))
			break;
	}
	if (unique && sp && sp->offset == new->offset && sp->kind == new->kind) {
		spin_unlock_irqrestore(&h->gc.special_lock, flags);
		return -EEXIST;
	}
	new->next = sp;
	WRITE_ONCE(*pp, new);
	page_specials(h, s, true);
	atomic_long_inc(&h->gc.specials);
	spin_unlock_irqrestore(&h->gc.special_lock, flags);
	return 0;
}

/* Find the special of @kind at @offset; caller holds special_lock. */
static struct mheap_special **special_find(struct mheap_span *s,
					   unsigned int offset, u8 kind)
{
	struct mheap_special **pp, *sp;

	for (pp = &s->specials; (sp = *pp); pp = &sp->next) {
		if (sp->offset == offset && sp->kind == kind)
			return pp;
		if (sp->offset > offset)
			break;
	}
	return NULL;
}

static struct mheap_special *special_new(unsigned int offset, u8 kind)
{
	struct mheap_special *sp;

	if (mheap_should_fail(MHEAP_FAULT_SPECIAL, sizeof(*sp)))
		return NULL;
	sp = kzalloc(sizeof(*sp), GFP_KERNEL);
	if (sp) {
		sp->offset = offset;
		sp->kind = kind;
	}
	return sp;
}

/**
 * mheap_set_finalizer() - call @fn once the object at @p is found dead
 * @h: heap
 * @p: start of a live object of @h
 * @fn: the finalizer
 * @arg: its second argument
 *
 * The sweep that finds the object unmarked keeps it alive instead and
 * queues @fn(@p, @arg), which runs in process context.  Until it has run,
 * the object stays alive (cycles mark it, as Go's finalizer queue is a
 * root), so @fn may free it.  A cycle does not end while finalizers run:
 * @fn must not call mheap_gc_begin() or mheap_gc_end().  A
 * finalizer runs once; it is not run for an object freed with
 * mheap_free() or still alive when the heap is destroyed.
 *
 * Context: process context, may sleep.
 * Return: 0, -EINVAL if @p is not the start of a live object or @fn is
 * NULL, -EEXIST if it has a finalizer already, -ENOMEM.
 */
int mheap_set_finalizer(struct mheap *h, const void *p, mheap_finalizer_t fn,
			void *arg)
{
	struct mheap_special *sp;
	struct mheap_span *s;
	unsigned int off;
	int err;

	might_sleep();
	if (!fn)
		return -EINVAL;
	s = object_span(h, p, &off);
	if (IS_ERR(s))
		return PTR_ERR(s);
	sp = special_new(off, MHEAP_SPECIAL_FINALIZER);
	if (!sp)
		return -ENOMEM;
	sp->fn = fn;
	sp->arg = arg;
	err = special_add(h, s, sp, true);
	if (err)
		kfree(sp);
	return err;
}
EXPORT_SYMBOL_GPL(mheap_set_finalizer);

/* Unlink the special of @kind from the object at @p; -ENOENT if none. */
static int special_remove(struct mheap *h, const void *p, u8 kind,
			  bool unpin)
{
	struct mheap_special **pp, *sp = NULL;
	struct mheap_span *s;
	unsigned long flags;
	unsigned int off;

	s = object_span(h, p, &off);
	if (IS_ERR(s))
		return PTR_ERR(s);
	spin_lock_irqsave(&h->gc.special_lock, flags);
	pp = special_find(s, off, kind);
	if (pp) {
		sp = *pp;
		if (!unpin || !--sp->pins) {
			WRITE_ONCE(*pp, sp->next);
			atomic_long_dec(&h->gc.specials);
			if (!s->specials)
				page_specials(h, s, false);
		} else {
			sp = NULL;
		}
	}
	spin_unlock_irqrestore(&h->gc.special_lock, flags);
	if (!pp)
		return -ENOENT;
	kfree(sp);
	return 0;
}

/**
 * mheap_remove_finalizer() - forget the finalizer of the object at @p
 * @h: heap
 * @p: start of a live object of @h
 *
 * Context: process context, may sleep.
 * Return: 0, -EINVAL for a bad @p, -ENOENT if it had no finalizer.
 */
int mheap_remove_finalizer(struct mheap *h, const void *p)
{
	might_sleep();
	return special_remove(h, p, MHEAP_SPECIAL_FINALIZER, false);
}
EXPORT_SYMBOL_GPL(mheap_remove_finalizer);

/**
 * mheap_pin() - keep the object at @p alive whatever the cycles mark
 * @h: heap
 * @p: start of a live object of @h
 *
 * Pins nest: the object is kept until mheap_unpin() was called as many
 * times as mheap_pin().
 *
 * Context: process context, may sleep.
 * Return: 0, -EINVAL for a bad @p, -ENOMEM.
 */
int mheap_pin(struct mheap *h, const void *p)
{
	struct mheap_special *sp, **pp;
	struct mheap_span *s;
	unsigned long flags;
	unsigned int off;
	int err;

	might_sleep();
	s = object_span(h, p, &off);
	if (IS_ERR(s))
		return PTR_ERR(s);
	sp = special_new(off, MHEAP_SPECIAL_PIN);
	if (!sp)
		return -ENOMEM;
	spin_lock_irqsave(&h->gc.special_lock, flags);
	pp = special_find(s, off, MHEAP_SPECIAL_PIN);
	if (pp)
		(*pp)->pins++;
	spin_unlock_irqrestore(&h->gc.special_lock, flags);
	if (pp) {
		kfree(sp);
		return 0;
	}
	sp->pins = 1;
	err = special_add(h, s, sp, true);
	if (err == -EEXIST) {
		/* Someone pinned it between our look and our add. */
		kfree(sp);
		return mheap_pin(h, p);
	}
	return err;
}
EXPORT_SYMBOL_GPL(mheap_pin);

/**
 * mheap_unpin() - undo one mheap_pin()
 * @h: heap
 * @p: start of a pinned object of @h
 *
 * Context: process context, may sleep.
 * Return: 0, -EINVAL for a bad @p, -ENOENT if it is not pinned.
 */
int mheap_unpin(struct mheap *h, const void *p)
{
	might_sleep();
	return special_remove(h, p, MHEAP_SPECIAL_PIN, true);
}
EXPORT_SYMBOL_GPL(mheap_unpin);

/**
 * mheap_probe_reachable() - learn whether the next cycle marks an object
 * @h: heap
 * @p: start of a live object of @h
 * @r: where the answer goes; must stay valid until @r->done is set (by
 *	the sweep of the object's span in the next cycle, by its explicit
 *	free, or by heap destroy, the last two with reachable false)
 *
 * Go's reachable special, for tests.
 *
 * Context: process context, may sleep.
 * Return: 0, -EINVAL for a bad @p, -ENOMEM.
 */
int mheap_probe_reachable(struct mheap *h, const void *p,
			  struct mheap_reachable *r)
{
	struct mheap_special *sp;
	struct mheap_span *s;
	unsigned int off;

	might_sleep();
	r->done = false;
	r->reachable = false;
	s = object_span(h, p, &off);
	if (IS_ERR(s))
		return PTR_ERR(s);
	sp = special_new(off, MHEAP_SPECIAL_REACHABLE);
	if (!sp)
		return -ENOMEM;
	sp->reach = r;
	return special_add(h, s, sp, false);
}
EXPORT_SYMBOL_GPL(mheap_probe_reachable);
