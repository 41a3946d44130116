/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Userspace stand-in for CPUs, preemption, interrupts, locks, per-CPU
 * data, CPU hotplug, time and RCU (runtime in shim/cpu.c and shim/rcu.c).
 *
 * CPUs: a thread plays one CPU at a time, named by a thread-local id that
 * the thread itself sets between calls into mheap (us_set_cpu()); more
 * threads than CPUs means several tasks share a CPU.  smp_processor_id()
 * reads that id.  A thread moves only when it asks to, so
 * migrate_disable()/migrate_enable() have nothing to do.
 *
 * Preemption and interrupts: each CPU has a lock that a thread holds
 * while it is "non-preemptible" on that CPU: inside any spinlock, a local
 * lock, or with interrupts disabled.  So two tasks of one CPU never run
 * such sections at once, as in the kernel, and a local lock is exactly
 * that CPU lock.  The depth is per thread; might_sleep() (and so
 * mutex_lock(), GFP_KERNEL allocations, synchronize_rcu(), flush_work())
 * reports a bug when called with it non-zero or inside an RCU read-side
 * section, like CONFIG_DEBUG_ATOMIC_SLEEP.
 *
 * Spinlocks and mutexes are pthread mutexes that remember their owner,
 * for lockdep_assert_held(), which reports a bug if the caller does not
 * hold the lock.  Lock ordering is not checked (no lockdep).
 *
 * Per-CPU data: alloc_percpu() hands out an offset into a reserved area
 * with one fixed-size unit per CPU, so per_cpu_ptr(p, cpu) is p plus
 * cpu units and this_cpu_*() work on an lvalue as in the kernel.
 */
#ifndef _US_LINUX_SCHED_H
#define _US_LINUX_SCHED_H

#include <pthread.h>

#define US_MAX_CPUS	64
#define US_PCPU_UNIT	(1UL << 20)

extern unsigned int us_nr_cpus;
extern __thread int us_cpu;
extern __thread int us_preempt_depth;
extern __thread int us_rcu_depth;

/* Make the calling thread run on @cpu; not inside a non-preemptible section. */
void us_set_cpu(unsigned int cpu);
void us_preempt_disable(void);
void us_preempt_enable(void);
void us_might_sleep(const char *file, int line);
void us_lockdep_assert_held(void *const *owner, const char *what,
			    const char *file, int line);
void *us_self(void);

#define nr_cpu_ids		us_nr_cpus
#define smp_processor_id()	((unsigned int)us_cpu)
#define raw_smp_processor_id()	((unsigned int)us_cpu)
#define get_cpu()		({ us_preempt_disable(); smp_processor_id(); })
#define put_cpu()		us_preempt_enable()
#define num_possible_cpus()	us_nr_cpus
#define num_online_cpus()	us_nr_cpus
#define cpu_online(cpu)		((unsigned int)(cpu) < us_nr_cpus)
#define cpu_possible(cpu)	((unsigned int)(cpu) < us_nr_cpus)
#define for_each_possible_cpu(cpu)	for ((cpu) = 0; (cpu) < us_nr_cpus; (cpu)++)
#define for_each_online_cpu(cpu)	for_each_possible_cpu(cpu)
#define for_each_present_cpu(cpu)	for_each_possible_cpu(cpu)

/* A thread moves only when it calls us_set_cpu(): nothing to pin. */
#define migrate_disable()	do { } while (0)
#define migrate_enable()	do { } while (0)
#define preempt_disable()	us_preempt_disable()
#define preempt_enable()	us_preempt_enable()
#define local_irq_save(f)	do { (f) = 0; us_preempt_disable(); } while (0)
#define local_irq_restore(f)	do { (void)(f); us_preempt_enable(); } while (0)
#define local_irq_disable()	us_preempt_disable()
#define local_irq_enable()	us_preempt_enable()
#define irqs_disabled()		(us_preempt_depth > 0)
#define in_task()		(1)
#define in_interrupt()		(0)
#define in_atomic()		(us_preempt_depth > 0)
#define preemptible()		(us_preempt_depth == 0 && us_rcu_depth == 0)
#define lockdep_assert_irqs_disabled()	do { } while (0)
#define lockdep_assert_preemption_disabled() do { } while (0)

#define might_sleep()		us_might_sleep(__FILE__, __LINE__)
#define cond_resched()		({ might_sleep(); sched_yield(); 0; })
int sched_yield(void);

/* === Locks =========================================================== */

typedef struct {
	pthread_mutex_t m;
	void *us_owner;
} spinlock_t;
typedef spinlock_t raw_spinlock_t;

#define __SPIN_LOCK_UNLOCKED(x)	{ .m = PTHREAD_MUTEX_INITIALIZER }
#define DEFINE_SPINLOCK(x)	spinlock_t x = __SPIN_LOCK_UNLOCKED(x)

static inline void spin_lock_init(spinlock_t *l)
{
	pthread_mutex_init(&l->m, NULL);
	l->us_owner = NULL;
}

static inline void spin_lock(spinlock_t *l)
{
	us_preempt_disable();
	pthread_mutex_lock(&l->m);
	WRITE_ONCE(l->us_owner, us_self());
}

static inline void spin_unlock(spinlock_t *l)
{
	WRITE_ONCE(l->us_owner, NULL);
	pthread_mutex_unlock(&l->m);
	us_preempt_enable();
}

static inline bool spin_trylock(spinlock_t *l)
{
	us_preempt_disable();
	if (pthread_mutex_trylock(&l->m)) {
		us_preempt_enable();
		return false;
	}
	WRITE_ONCE(l->us_owner, us_self());
	return true;
}

#define spin_lock_irqsave(l, f)		do { (f) = 0; spin_lock(l); } while (0)
#define spin_unlock_irqrestore(l, f)	do { (void)(f); spin_unlock(l); } while (0)
#define spin_lock_irq(l)		spin_lock(l)
#define spin_unlock_irq(l)		spin_unlock(l)
#define spin_lock_bh(l)			spin_lock(l)
#define spin_unlock_bh(l)		spin_unlock(l)
#define spin_trylock_irqsave(l, f)	({ (f) = 0; spin_trylock(l); })
#define raw_spin_lock_init(l)		spin_lock_init(l)
#define raw_spin_lock_irqsave(l, f)	spin_lock_irqsave(l, f)
#define raw_spin_unlock_irqrestore(l, f) spin_unlock_irqrestore(l, f)
#define assert_spin_locked(l)		lockdep_assert_held(l)

struct mutex {
	pthread_mutex_t m;
	void *us_owner;
};

#define __MUTEX_INITIALIZER(x)	{ .m = PTHREAD_MUTEX_INITIALIZER }
#define DEFINE_MUTEX(x)		struct mutex x = __MUTEX_INITIALIZER(x)

static inline void mutex_init(struct mutex *l)
{
	pthread_mutex_init(&l->m, NULL);
	l->us_owner = NULL;
}

static inline void mutex_destroy(struct mutex *l)
{
	WARN_ON(READ_ONCE(l->us_owner));
}

static inline void mutex_lock(struct mutex *l)
{
	might_sleep();
	pthread_mutex_lock(&l->m);
	WRITE_ONCE(l->us_owner, us_self());
}

static inline int mutex_lock_interruptible(struct mutex *l)
{
	mutex_lock(l);
	return 0;
}

static inline int mutex_lock_killable(struct mutex *l)
{
	mutex_lock(l);
	return 0;
}

static inline bool mutex_trylock(struct mutex *l)
{
	if (pthread_mutex_trylock(&l->m))
		return false;
	WRITE_ONCE(l->us_owner, us_self());
	return true;
}

static inline void mutex_unlock(struct mutex *l)
{
	WRITE_ONCE(l->us_owner, NULL);
	pthread_mutex_unlock(&l->m);
}

static inline bool mutex_is_locked(struct mutex *l)
{
	return READ_ONCE(l->us_owner) != NULL;
}

#define lockdep_assert_held(l)						\
	us_lockdep_assert_held(&(l)->us_owner, #l, __FILE__, __LINE__)
#define lockdep_is_held(l)	(READ_ONCE((l)->us_owner) == us_self())
#define lockdep_assert_not_held(l) WARN_ON(lockdep_is_held(l))
#define lockdep_assert_held_once(l) lockdep_assert_held(l)

/* A local lock is its CPU's lock: the owner CPU with "interrupts off". */
typedef struct {
	void *us_owner;
} local_lock_t;

#define INIT_LOCAL_LOCK(l)	{ .us_owner = NULL }
#define local_lock_init(l)	do { (l)->us_owner = NULL; } while (0)
#define local_lock(l)							\
	do { us_preempt_disable(); WRITE_ONCE(this_cpu_ptr(l)->us_owner, us_self()); } while (0)
#define local_unlock(l)							\
	do { WRITE_ONCE(this_cpu_ptr(l)->us_owner, NULL); us_preempt_enable(); } while (0)
#define local_lock_irqsave(l, f)	do { (f) = 0; local_lock(l); } while (0)
#define local_unlock_irqrestore(l, f)	do { (void)(f); local_unlock(l); } while (0)
#define local_lock_irq(l)		local_lock(l)
#define local_unlock_irq(l)		local_unlock(l)

/* === Per-CPU data ==================================================== */

void *us_alloc_percpu(size_t size, size_t align);
void us_free_percpu(void *p);

#define alloc_percpu(type)	((type *)us_alloc_percpu(sizeof(type), __alignof__(type)))
#define alloc_percpu_gfp(type, gfp) alloc_percpu(type)
#define __alloc_percpu(size, align) us_alloc_percpu(size, align)
#define free_percpu(p)		us_free_percpu(p)
#define per_cpu_ptr(p, cpu)						\
	((typeof(p))((char *)(p) + (unsigned long)(cpu) * US_PCPU_UNIT))
#define raw_cpu_ptr(p)		per_cpu_ptr(p, smp_processor_id())
#define this_cpu_ptr(p)		per_cpu_ptr(p, smp_processor_id())
#define per_cpu(var, cpu)	(*per_cpu_ptr(&(var), cpu))
/* this_cpu_*() are atomic against the CPU's interrupts: relaxed RMWs. */
#define this_cpu_add(x, v)	__atomic_fetch_add(this_cpu_ptr(&(x)), (v), __ATOMIC_RELAXED)
#define this_cpu_sub(x, v)	__atomic_fetch_sub(this_cpu_ptr(&(x)), (v), __ATOMIC_RELAXED)
#define this_cpu_inc(x)		this_cpu_add(x, 1)
#define this_cpu_dec(x)		this_cpu_sub(x, 1)
#define this_cpu_read(x)	__atomic_load_n(this_cpu_ptr(&(x)), __ATOMIC_RELAXED)
#define this_cpu_write(x, v)	__atomic_store_n(this_cpu_ptr(&(x)), (v), __ATOMIC_RELAXED)
#define __this_cpu_inc(x)	this_cpu_inc(x)
#define __this_cpu_add(x, v)	this_cpu_add(x, v)
#define __this_cpu_read(x)	this_cpu_read(x)

/* === CPU hotplug ===================================================== */

enum cpuhp_state {
	CPUHP_INVALID = -1,
	CPUHP_OFFLINE = 0,
	CPUHP_BP_PREPARE_DYN = 1,
	CPUHP_BP_PREPARE_DYN_END = 21,
	CPUHP_AP_ONLINE_DYN = 100,
	CPUHP_AP_ONLINE_DYN_END = 130,
};

void cpus_read_lock(void);
void cpus_read_unlock(void);
int cpuhp_setup_state_multi(enum cpuhp_state state, const char *name,
			    int (*startup)(unsigned int cpu, struct hlist_node *node),
			    int (*teardown)(unsigned int cpu, struct hlist_node *node));
int cpuhp_state_add_instance_nocalls(enum cpuhp_state state, struct hlist_node *node);
int cpuhp_state_remove_instance_nocalls(enum cpuhp_state state, struct hlist_node *node);
void cpuhp_remove_multi_state(enum cpuhp_state state);
/*
 * Run every instance's teardown for @cpu, as the kernel does when the
 * CPU has gone down.  The caller sees that no thread runs on @cpu.
 */
void us_cpu_dead(unsigned int cpu);

/* === Tasks and time ================================================== */

struct task_struct {
	int pid;
	char comm[16];
};
extern __thread struct task_struct us_current_task;
#define current			(&us_current_task)
#define fatal_signal_pending(t)	((void)(t), 0)
#define signal_pending(t)	((void)(t), 0)

#define HZ			1000
#define NSEC_PER_SEC		1000000000L
#define NSEC_PER_MSEC		1000000L
#define NSEC_PER_USEC		1000L
#define USEC_PER_SEC		1000000L
#define MSEC_PER_SEC		1000L

u64 ktime_get_ns(void);
#define ktime_get()		ktime_get_ns()
#define ktime_to_ns(t)		(t)
#define ktime_get_mono_fast_ns() ktime_get_ns()
#define local_clock()		ktime_get_ns()
#define jiffies			((unsigned long)(ktime_get_ns() / NSEC_PER_MSEC))
#define msecs_to_jiffies(m)	((unsigned long)(m))
#define jiffies_to_msecs(j)	((unsigned int)(j))
#define usecs_to_jiffies(u)	((unsigned long)DIV_ROUND_UP((u), 1000))
#define time_after(a, b)	((long)((b) - (a)) < 0)
#define time_before(a, b)	time_after(b, a)
#define time_after_eq(a, b)	((long)((a) - (b)) >= 0)
#define time_before_eq(a, b)	time_after_eq(b, a)

void us_usleep(unsigned long us);
#define usleep_range(a, b)	do { might_sleep(); us_usleep(a); } while (0)
#define msleep(m)		do { might_sleep(); us_usleep((m) * 1000UL); } while (0)
#define udelay(u)		us_usleep(u)
#define ndelay(n)		do { } while (0)

u32 get_random_u32(void);
u64 get_random_u64(void);
static inline u32 get_random_u32_below(u32 ceil)
{
	return (u32)(((u64)get_random_u32() * ceil) >> 32);
}
#define prandom_u32_max(c)	get_random_u32_below(c)

/* === RCU ============================================================= */

/*
 * On liburcu (the memb flavour): rcu_read_lock() and synchronize_rcu()
 * are its own, call_rcu() queues to its callback thread.  Threads are
 * registered on their first read-side section.  For ThreadSanitizer,
 * which does not see liburcu's synchronisation, the shim adds the
 * happens-before edges RCU guarantees: every read-side section's end
 * before a grace period's end, and call_rcu()'s caller before its
 * callback.
 */
void us_rcu_read_lock(void);
void us_rcu_read_unlock(void);
void synchronize_rcu(void);
void rcu_barrier(void);
void call_rcu(struct rcu_head *head, void (*func)(struct rcu_head *head));
#define rcu_read_lock()		us_rcu_read_lock()
#define rcu_read_unlock()	us_rcu_read_unlock()
#define rcu_read_lock_held()	(us_rcu_depth > 0)
#define synchronize_rcu_expedited() synchronize_rcu()
#define rcu_dereference(p)	__atomic_load_n(&(p), __ATOMIC_ACQUIRE)
#define rcu_dereference_check(p, c) rcu_dereference(p)
#define rcu_dereference_raw(p)	rcu_dereference(p)
#define rcu_dereference_protected(p, c)	__atomic_load_n(&(p), __ATOMIC_RELAXED)
#define rcu_access_pointer(p)	__atomic_load_n(&(p), __ATOMIC_RELAXED)
#define rcu_assign_pointer(p, v) __atomic_store_n(&(p), (v), __ATOMIC_RELEASE)
#define RCU_INIT_POINTER(p, v)	__atomic_store_n(&(p), (v), __ATOMIC_RELAXED)
#define rcu_replace_pointer(p, v, c) __atomic_exchange_n(&(p), (v), __ATOMIC_SEQ_CST)

#endif /* _US_LINUX_SCHED_H */
