// SPDX-License-Identifier: GPL-2.0
/*
 * Workqueues and delayed work for the userspace build: one worker thread
 * per CPU and one timer thread; see include/linux/us-work.h.
 */
#include <pthread.h>
#include <time.h>
#include "us.h"

void us_rcu_thread_start(void);
void us_rcu_thread_stop(void);

static struct workqueue_struct wq_bound = { "events", false };
static struct workqueue_struct wq_unbound = { "events_unbound", true };
static struct workqueue_struct wq_long = { "events_long", false };
struct workqueue_struct *system_wq = &wq_bound;
struct workqueue_struct *system_unbound_wq = &wq_unbound;
struct workqueue_struct *system_long_wq = &wq_long;

/* One lock for all work state: simple, and contention is not the point. */
static pthread_mutex_t wq_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t wq_done = PTHREAD_COND_INITIALIZER;
static pthread_cond_t timer_cond = PTHREAD_COND_INITIALIZER;

static struct worker {
	pthread_t thread;
	pthread_cond_t cond;
	struct list_head queue;
	struct work_struct *current_work;	/* running now, or NULL */
	unsigned int cpu;
} workers[US_MAX_CPUS];

static LIST_HEAD(timers);
static pthread_t timer_thread;
static bool stopping;

static unsigned int nworkers;

/* Under wq_lock: whether a worker runs @w (which it may have freed since). */
static bool running(struct work_struct *w)
{
	unsigned int i;

	for (i = 0; i < nworkers; i++)
		if (workers[i].current_work == w)
			return true;
	return false;
}

static void enqueue(int cpu, struct work_struct *w)
{
	w->pending = true;
	w->cpu = cpu;
	list_add_tail(&w->entry, &workers[cpu].queue);
	pthread_cond_signal(&workers[cpu].cond);
}

static int pick_cpu(struct workqueue_struct *wq, int cpu)
{
	if (cpu >= 0)
		return cpu % us_nr_cpus;
	return wq->unbound ? 0 : smp_processor_id();
}

bool queue_work_on(int cpu, struct workqueue_struct *wq, struct work_struct *w)
{
	bool ret = false;

	pthread_mutex_lock(&wq_lock);
	if (!w->pending) {
		enqueue(pick_cpu(wq, cpu), w);
		ret = true;
	}
	pthread_mutex_unlock(&wq_lock);
	return ret;
}

bool queue_work(struct workqueue_struct *wq, struct work_struct *w)
{
	return queue_work_on(WORK_CPU_UNBOUND, wq, w);
}

bool work_pending(struct work_struct *w)
{
	bool ret;

	pthread_mutex_lock(&wq_lock);
	ret = w->pending;
	pthread_mutex_unlock(&wq_lock);
	return ret;
}

/* Waits until @w is neither queued nor running. */
bool flush_work(struct work_struct *w)
{
	bool waited = false;

	might_sleep();
	pthread_mutex_lock(&wq_lock);
	while (w->pending || running(w)) {
		pthread_cond_wait(&wq_done, &wq_lock);
		waited = true;
	}
	pthread_mutex_unlock(&wq_lock);
	return waited;
}

static bool cancel_locked(struct work_struct *w)
{
	if (!w->pending)
		return false;
	list_del_init(&w->entry);
	w->pending = false;
	return true;
}

bool cancel_work(struct work_struct *w)
{
	bool ret;

	pthread_mutex_lock(&wq_lock);
	ret = cancel_locked(w);
	pthread_mutex_unlock(&wq_lock);
	return ret;
}

bool cancel_work_sync(struct work_struct *w)
{
	bool ret;

	might_sleep();
	pthread_mutex_lock(&wq_lock);
	ret = cancel_locked(w);
	while (running(w)) {
		pthread_cond_wait(&wq_done, &wq_lock);
		ret |= cancel_locked(w);
	}
	pthread_mutex_unlock(&wq_lock);
	return ret;
}

static void *worker_fn(void *arg)
{
	struct worker *wk = arg;

	us_thread_start(wk->cpu);
	pthread_mutex_lock(&wq_lock);
	for (;;) {
		struct work_struct *w;

		while (list_empty(&wk->queue) && !stopping)
			pthread_cond_wait(&wk->cond, &wq_lock);
		if (list_empty(&wk->queue))
			break;
		w = list_first_entry(&wk->queue, struct work_struct, entry);
		list_del_init(&w->entry);
		w->pending = false;
		wk->current_work = w;
		pthread_mutex_unlock(&wq_lock);
		w->func(w);
		if (us_preempt_depth || us_rcu_depth)
			us_printk(US_REPORT_BUG,
				  "BUG: work %p returned with preempt %d rcu %d\n",
				  (void *)w->func, us_preempt_depth, us_rcu_depth);
		pthread_mutex_lock(&wq_lock);
		/* The work may have freed itself: not touched again. */
		wk->current_work = NULL;
		pthread_cond_broadcast(&wq_done);
	}
	pthread_mutex_unlock(&wq_lock);
	us_thread_stop();
	return NULL;
}

/* === Delayed work ==================================================== */

static bool timer_cancel_locked(struct delayed_work *d)
{
	if (!d->timer_pending)
		return false;
	list_del_init(&d->timer);
	d->timer_pending = false;
	return true;
}

static void timer_arm_locked(struct workqueue_struct *wq, struct delayed_work *d,
			     unsigned long delay)
{
	d->wq = wq;
	if (!delay) {
		enqueue(pick_cpu(wq, d->cpu), &d->work);
		return;
	}
	d->expires = ktime_get_ns() + delay * NSEC_PER_MSEC;
	d->timer_pending = true;
	list_add_tail(&d->timer, &timers);
	pthread_cond_signal(&timer_cond);
}

bool queue_delayed_work(struct workqueue_struct *wq, struct delayed_work *d,
			unsigned long delay)
{
	bool ret = false;

	pthread_mutex_lock(&wq_lock);
	if (!d->work.pending && !d->timer_pending) {
		timer_arm_locked(wq, d, delay);
		ret = true;
	}
	pthread_mutex_unlock(&wq_lock);
	return ret;
}

bool mod_delayed_work(struct workqueue_struct *wq, struct delayed_work *d,
		      unsigned long delay)
{
	bool ret;

	pthread_mutex_lock(&wq_lock);
	ret = timer_cancel_locked(d) | cancel_locked(&d->work);
	timer_arm_locked(wq, d, delay);
	pthread_mutex_unlock(&wq_lock);
	return ret;
}

bool cancel_delayed_work(struct delayed_work *d)
{
	bool ret;

	pthread_mutex_lock(&wq_lock);
	ret = timer_cancel_locked(d) | cancel_locked(&d->work);
	pthread_mutex_unlock(&wq_lock);
	return ret;
}

bool cancel_delayed_work_sync(struct delayed_work *d)
{
	bool ret;

	might_sleep();
	pthread_mutex_lock(&wq_lock);
	ret = timer_cancel_locked(d);
	pthread_mutex_unlock(&wq_lock);
	/* The work may re-arm itself while it runs: cancel until quiet. */
	for (;;) {
		ret |= cancel_work_sync(&d->work);
		pthread_mutex_lock(&wq_lock);
		if (!timer_cancel_locked(d) && !d->work.pending && !running(&d->work)) {
			pthread_mutex_unlock(&wq_lock);
			break;
		}
		ret = true;
		pthread_mutex_unlock(&wq_lock);
	}
	return ret;
}

bool flush_delayed_work(struct delayed_work *d)
{
	pthread_mutex_lock(&wq_lock);
	if (timer_cancel_locked(d))
		enqueue(pick_cpu(d->wq, d->cpu), &d->work);
	pthread_mutex_unlock(&wq_lock);
	return flush_work(&d->work);
}

static void *timer_fn(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&wq_lock);
	while (!stopping) {
		struct delayed_work *d, *n;
		u64 now = ktime_get_ns(), next = now + NSEC_PER_SEC;
		struct timespec ts;

		list_for_each_entry_safe(d, n, &timers, timer) {
			if (d->expires <= now) {
				timer_cancel_locked(d);
				if (!d->work.pending)
					enqueue(pick_cpu(d->wq, d->cpu), &d->work);
			} else if (d->expires < next) {
				next = d->expires;
			}
		}
		/* pthread_cond_timedwait() takes CLOCK_REALTIME: convert. */
		clock_gettime(CLOCK_REALTIME, &ts);
		next = (u64)ts.tv_sec * NSEC_PER_SEC + ts.tv_nsec + (next - now);
		ts.tv_sec = next / NSEC_PER_SEC;
		ts.tv_nsec = next % NSEC_PER_SEC;
		pthread_cond_timedwait(&timer_cond, &wq_lock, &ts);
	}
	pthread_mutex_unlock(&wq_lock);
	return NULL;
}

struct workqueue_struct *alloc_workqueue(const char *fmt, unsigned int flags, int max, ...)
{
	struct workqueue_struct *wq = calloc(1, sizeof(*wq));

	if (wq) {
		wq->name = fmt;
		wq->unbound = flags & WQ_UNBOUND;
	}
	return wq;
}

void destroy_workqueue(struct workqueue_struct *wq)
{
	free(wq);
}

/* Every worker idle: the queues are shared, so wait for all. */
void flush_workqueue(struct workqueue_struct *wq)
{
	unsigned int i;
	bool busy;

	might_sleep();
	pthread_mutex_lock(&wq_lock);
	do {
		busy = false;
		for (i = 0; i < nworkers; i++)
			busy |= !list_empty(&workers[i].queue);
		if (busy)
			pthread_cond_wait(&wq_done, &wq_lock);
	} while (busy);
	pthread_mutex_unlock(&wq_lock);
}

void us_work_init(void)
{
	unsigned int i;

	nworkers = us_nr_cpus;
	for (i = 0; i < nworkers; i++) {
		pthread_cond_init(&workers[i].cond, NULL);
		INIT_LIST_HEAD(&workers[i].queue);
		workers[i].cpu = i;
		if (pthread_create(&workers[i].thread, NULL, worker_fn, &workers[i]))
			abort();
	}
	if (pthread_create(&timer_thread, NULL, timer_fn, NULL))
		abort();
}

void us_work_exit(void)
{
	unsigned int i;

	pthread_mutex_lock(&wq_lock);
	stopping = true;
	for (i = 0; i < nworkers; i++)
		pthread_cond_signal(&workers[i].cond);
	pthread_cond_signal(&timer_cond);
	pthread_mutex_unlock(&wq_lock);
	for (i = 0; i < nworkers; i++)
		pthread_join(workers[i].thread, NULL);
	pthread_join(timer_thread, NULL);
	WARN(!list_empty(&timers), "delayed work still armed at exit");
}
