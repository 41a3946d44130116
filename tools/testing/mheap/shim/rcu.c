// SPDX-License-Identifier: GPL-2.0
/*
 * RCU for the userspace build, on liburcu's memb flavour; see
 * include/linux/us-sched.h.  This file includes liburcu's headers, not
 * the kernel shim (both define list_head and rcu_head), and is built
 * without the shim's include path (glibc's <limits.h> would find the
 * shim's <linux/limits.h>), so it declares the shim names it needs.
 */
#define _LGPL_SOURCE
#include <pthread.h>
#include <stdlib.h>
#include <urcu/urcu-memb.h>

/* liburcu maps the generic names onto its flavour's: the shim wants them. */
#undef call_rcu
#undef synchronize_rcu
#undef rcu_barrier
#undef rcu_read_lock
#undef rcu_read_unlock

struct us_kernel_rcu_head;
typedef void (*us_rcu_fn)(struct us_kernel_rcu_head *head);

extern __thread int us_rcu_depth;
void us_might_sleep(const char *file, int line);

void us_rcu_read_lock(void);
void us_rcu_read_unlock(void);
void synchronize_rcu(void);
void rcu_barrier(void);
void call_rcu(struct us_kernel_rcu_head *head, us_rcu_fn func);
void us_rcu_thread_start(void);
void us_rcu_thread_stop(void);

#if defined(__SANITIZE_THREAD__)
#define US_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define US_TSAN 1
#endif
#endif

/*
 * ThreadSanitizer does not see how liburcu waits for readers, so add the
 * edges RCU promises: the end of every read-side section happens before
 * the end of a later grace period (and so before its callbacks), and a
 * call_rcu() caller's writes happen before its callback.
 */
#ifdef US_TSAN
void __tsan_acquire(void *addr);
void __tsan_release(void *addr);
#define tsan_acquire(a)	__tsan_acquire(a)
#define tsan_release(a)	__tsan_release(a)
#else
#define tsan_acquire(a)	((void)(a))
#define tsan_release(a)	((void)(a))
#endif

static char grace_token;
static __thread int registered;
static pthread_key_t reg_key;
static pthread_once_t reg_once = PTHREAD_ONCE_INIT;

static void reg_exit(void *arg)
{
	(void)arg;
	if (registered) {
		urcu_memb_unregister_thread();
		registered = 0;
	}
}

static void reg_init(void)
{
	pthread_key_create(&reg_key, reg_exit);
}

void us_rcu_thread_start(void)
{
	if (registered)
		return;
	pthread_once(&reg_once, reg_init);
	urcu_memb_register_thread();
	registered = 1;
	/* Any non-NULL value: the destructor runs at thread exit. */
	pthread_setspecific(reg_key, &registered);
}

void us_rcu_thread_stop(void)
{
	reg_exit(NULL);
}

void us_rcu_read_lock(void)
{
	if (!registered)
		us_rcu_thread_start();
	urcu_memb_read_lock();
	us_rcu_depth++;
}

void us_rcu_read_unlock(void)
{
	us_rcu_depth--;
	tsan_release(&grace_token);
	urcu_memb_read_unlock();
}

void synchronize_rcu(void)
{
	us_might_sleep(__FILE__, __LINE__);
	urcu_memb_synchronize_rcu();
	tsan_acquire(&grace_token);
}

struct deferred {
	struct rcu_head uh;
	struct us_kernel_rcu_head *head;
	us_rcu_fn func;
};

static void deferred_fn(struct rcu_head *uh)
{
	struct deferred *d = caa_container_of(uh, struct deferred, uh);

	tsan_acquire(d);
	tsan_acquire(&grace_token);
	d->func(d->head);
	free(d);
}

/* The kernel's rcu_head cannot carry liburcu's: a wrapper does. */
void call_rcu(struct us_kernel_rcu_head *head, us_rcu_fn func)
{
	struct deferred *d = malloc(sizeof(*d));

	if (!d)
		abort();
	d->head = head;
	d->func = func;
	tsan_release(d);
	urcu_memb_call_rcu(&d->uh, deferred_fn);
}

void rcu_barrier(void)
{
	us_might_sleep(__FILE__, __LINE__);
	urcu_memb_barrier();
	tsan_acquire(&grace_token);
}
