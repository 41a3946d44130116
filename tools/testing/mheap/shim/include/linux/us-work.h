/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Userspace stand-in for workqueues and delayed work (shim/work.c).
 *
 * Each CPU has one worker thread, playing that CPU, that runs the work
 * queued to it in order, as a per-CPU kworker pool does: queue_work_on()
 * picks the CPU, queue_work() the caller's CPU (for system_wq, a bound
 * queue) or CPU 0 (for system_unbound_wq).  Delayed work is armed on one
 * timer thread, which queues the work when it expires.  flush_work(),
 * cancel_work_sync() and cancel_delayed_work_sync() wait as the kernel's
 * do.
 */
#ifndef _US_LINUX_WORK_H
#define _US_LINUX_WORK_H

struct work_struct;
typedef void (*work_func_t)(struct work_struct *work);

struct workqueue_struct {
	const char *name;
	bool unbound;
};

struct work_struct {
	work_func_t func;
	struct list_head entry;
	int cpu;		/* queued on */
	bool pending;
};

struct delayed_work {
	struct work_struct work;
	struct workqueue_struct *wq;
	struct list_head timer;
	unsigned long expires;	/* ns, ktime_get_ns() */
	bool timer_pending;
	int cpu;
};

extern struct workqueue_struct *system_wq;
extern struct workqueue_struct *system_unbound_wq;
extern struct workqueue_struct *system_long_wq;
#define WORK_CPU_UNBOUND	(-1)

#define INIT_WORK(w, f)							\
	do {								\
		(w)->func = (f);					\
		INIT_LIST_HEAD(&(w)->entry);				\
		(w)->cpu = -1;						\
		(w)->pending = false;					\
	} while (0)
#define INIT_DELAYED_WORK(d, f)						\
	do {								\
		INIT_WORK(&(d)->work, f);				\
		INIT_LIST_HEAD(&(d)->timer);				\
		(d)->timer_pending = false;				\
		(d)->wq = NULL;						\
		(d)->cpu = -1;						\
	} while (0)

static inline struct delayed_work *to_delayed_work(struct work_struct *w)
{
	return container_of(w, struct delayed_work, work);
}

bool queue_work_on(int cpu, struct workqueue_struct *wq, struct work_struct *w);
bool queue_work(struct workqueue_struct *wq, struct work_struct *w);
#define schedule_work(w)	queue_work(system_wq, w)
bool flush_work(struct work_struct *w);
bool cancel_work_sync(struct work_struct *w);
bool cancel_work(struct work_struct *w);
bool work_pending(struct work_struct *w);
bool queue_delayed_work(struct workqueue_struct *wq, struct delayed_work *d,
			unsigned long delay);
bool mod_delayed_work(struct workqueue_struct *wq, struct delayed_work *d,
		      unsigned long delay);
bool cancel_delayed_work(struct delayed_work *d);
bool cancel_delayed_work_sync(struct delayed_work *d);
bool flush_delayed_work(struct delayed_work *d);
#define schedule_delayed_work(d, t) queue_delayed_work(system_wq, d, t)
#define delayed_work_pending(d)	(work_pending(&(d)->work) || READ_ONCE((d)->timer_pending))
struct workqueue_struct *alloc_workqueue(const char *fmt, unsigned int flags, int max, ...);
void destroy_workqueue(struct workqueue_struct *wq);
void flush_workqueue(struct workqueue_struct *wq);
#define WQ_UNBOUND		(1 << 1)
#define WQ_MEM_RECLAIM		(1 << 3)
#define WQ_FREEZABLE		(1 << 2)

#endif /* _US_LINUX_WORK_H */
