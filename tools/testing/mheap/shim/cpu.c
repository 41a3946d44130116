// SPDX-License-Identifier: GPL-2.0
/*
 * CPUs, preemption, per-CPU data, CPU hotplug, time and randomness for
 * the userspace build; see include/linux/us-sched.h.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>
#include "us.h"

unsigned int us_nr_cpus = 1;
unsigned long us_fence_word;
__thread int us_cpu;
__thread int us_preempt_depth;
__thread int us_rcu_depth;
__thread struct task_struct us_current_task;

/* The lock a non-preemptible thread holds on its CPU, and on which. */
static pthread_mutex_t cpu_lock[US_MAX_CPUS];
static __thread int held_cpu = -1;
static __thread char self_token;
static unsigned long bugs;

void *us_self(void)
{
	return &self_token;
}

unsigned long us_bugs(void)
{
	return __atomic_load_n(&bugs, __ATOMIC_RELAXED);
}

static void bug(const char *file, int line, const char *what)
{
	__atomic_fetch_add(&bugs, 1, __ATOMIC_RELAXED);
	us_printk(US_REPORT_BUG, "BUG: %s at %s:%d\n", what, file, line);
}

void us_set_cpu(unsigned int cpu)
{
	if (us_preempt_depth)
		bug(__FILE__, __LINE__, "changing CPU while not preemptible");
	us_cpu = cpu % us_nr_cpus;
}

/*
 * As in the kernel, whose RCU waits for preemption-disabled sections too,
 * the outermost one is an RCU read-side section.
 */
void us_preempt_disable(void)
{
	if (us_preempt_depth++ == 0) {
		us_rcu_read_lock();
		held_cpu = us_cpu;
		pthread_mutex_lock(&cpu_lock[held_cpu]);
	}
}

void us_preempt_enable(void)
{
	if (us_preempt_depth <= 0) {
		bug(__FILE__, __LINE__, "preempt/irq/lock count underflow");
		return;
	}
	if (--us_preempt_depth == 0) {
		pthread_mutex_unlock(&cpu_lock[held_cpu]);
		held_cpu = -1;
		us_rcu_read_unlock();
	}
}

void us_might_sleep(const char *file, int line)
{
	if (us_preempt_depth)
		bug(file, line, "sleeping function called from invalid context");
	else if (us_rcu_depth)
		bug(file, line, "voluntary context switch within RCU read-side critical section");
}

void us_lockdep_assert_held(void *const *owner, const char *what,
			    const char *file, int line)
{
	if (__atomic_load_n(owner, __ATOMIC_RELAXED) != us_self()) {
		char msg[128];

		snprintf(msg, sizeof(msg), "lock %s not held", what);
		bug(file, line, msg);
	}
}

/* === Per-CPU areas =================================================== */

/*
 * One reservation of US_MAX_CPUS units; an allocation is an offset into
 * a unit, the same in every unit.  Freed blocks are kept by size and
 * reused first (the sizes are a handful of structures).
 */
struct pcpu_free {
	size_t off, size;
};

static pthread_mutex_t pcpu_lock = PTHREAD_MUTEX_INITIALIZER;
static char *pcpu_base;
static size_t pcpu_used;
static struct pcpu_free pcpu_free[1024];
static unsigned int pcpu_nfree;
static struct { size_t off, size; } pcpu_live[1024];
static unsigned int pcpu_nlive;

void *us_alloc_percpu(size_t size, size_t align)
{
	size_t off = SIZE_MAX;
	unsigned int i, cpu;

	size = ALIGN(size, 64);
	pthread_mutex_lock(&pcpu_lock);
	if (!pcpu_base) {
		pcpu_base = mmap(NULL, US_MAX_CPUS * US_PCPU_UNIT,
				 PROT_READ | PROT_WRITE,
				 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
		if (pcpu_base == MAP_FAILED)
			abort();
	}
	for (i = 0; i < pcpu_nfree; i++) {
		if (pcpu_free[i].size == size) {
			off = pcpu_free[i].off;
			pcpu_free[i] = pcpu_free[--pcpu_nfree];
			break;
		}
	}
	if (off == SIZE_MAX) {
		off = ALIGN(pcpu_used, max_t(size_t, align, 64));
		if (off + size > US_PCPU_UNIT || pcpu_nlive == ARRAY_SIZE(pcpu_live)) {
			pthread_mutex_unlock(&pcpu_lock);
			return NULL;
		}
		pcpu_used = off + size;
	}
	pcpu_live[pcpu_nlive].off = off;
	pcpu_live[pcpu_nlive++].size = size;
	pthread_mutex_unlock(&pcpu_lock);
	for (cpu = 0; cpu < us_nr_cpus; cpu++)
		memset(pcpu_base + cpu * US_PCPU_UNIT + off, 0, size);
	return pcpu_base + off;
}

void us_free_percpu(void *p)
{
	size_t off = (char *)p - pcpu_base;
	unsigned int i;

	if (!p)
		return;
	pthread_mutex_lock(&pcpu_lock);
	for (i = 0; i < pcpu_nlive; i++)
		if (pcpu_live[i].off == off)
			break;
	if (i == pcpu_nlive || pcpu_nfree == ARRAY_SIZE(pcpu_free)) {
		pthread_mutex_unlock(&pcpu_lock);
		bug(__FILE__, __LINE__, "free_percpu() of an unknown pointer");
		return;
	}
	pcpu_free[pcpu_nfree].off = off;
	pcpu_free[pcpu_nfree++].size = pcpu_live[i].size;
	pcpu_live[i] = pcpu_live[--pcpu_nlive];
	pthread_mutex_unlock(&pcpu_lock);
}

/* === CPU hotplug ===================================================== */

static pthread_rwlock_t hotplug_lock = PTHREAD_RWLOCK_INITIALIZER;

struct cpuhp_inst {
	struct hlist_node *node;
	struct cpuhp_inst *next;
};

static struct {
	const char *name;
	int (*startup)(unsigned int cpu, struct hlist_node *node);
	int (*teardown)(unsigned int cpu, struct hlist_node *node);
	struct cpuhp_inst *inst;
	bool used;
} cpuhp[CPUHP_BP_PREPARE_DYN_END - CPUHP_BP_PREPARE_DYN];
static pthread_mutex_t cpuhp_lock = PTHREAD_MUTEX_INITIALIZER;

void cpus_read_lock(void)
{
	might_sleep();
	pthread_rwlock_rdlock(&hotplug_lock);
}

void cpus_read_unlock(void)
{
	pthread_rwlock_unlock(&hotplug_lock);
}

int cpuhp_setup_state_multi(enum cpuhp_state state, const char *name,
			    int (*startup)(unsigned int cpu, struct hlist_node *node),
			    int (*teardown)(unsigned int cpu, struct hlist_node *node))
{
	unsigned int i;

	if (state != CPUHP_BP_PREPARE_DYN && state != CPUHP_AP_ONLINE_DYN)
		return -EINVAL;
	pthread_mutex_lock(&cpuhp_lock);
	for (i = 0; i < ARRAY_SIZE(cpuhp); i++) {
		if (!cpuhp[i].used) {
			cpuhp[i].used = true;
			cpuhp[i].name = name;
			cpuhp[i].startup = startup;
			cpuhp[i].teardown = teardown;
			cpuhp[i].inst = NULL;
			break;
		}
	}
	pthread_mutex_unlock(&cpuhp_lock);
	return i < ARRAY_SIZE(cpuhp) ? (int)(CPUHP_BP_PREPARE_DYN + i) : -ENOSPC;
}

int cpuhp_state_add_instance_nocalls(enum cpuhp_state state, struct hlist_node *node)
{
	struct cpuhp_inst *in = malloc(sizeof(*in));
	unsigned int i = state - CPUHP_BP_PREPARE_DYN;

	if (!in)
		return -ENOMEM;
	in->node = node;
	pthread_rwlock_wrlock(&hotplug_lock);
	pthread_mutex_lock(&cpuhp_lock);
	in->next = cpuhp[i].inst;
	cpuhp[i].inst = in;
	pthread_mutex_unlock(&cpuhp_lock);
	pthread_rwlock_unlock(&hotplug_lock);
	return 0;
}

int cpuhp_state_remove_instance_nocalls(enum cpuhp_state state, struct hlist_node *node)
{
	unsigned int i = state - CPUHP_BP_PREPARE_DYN;
	struct cpuhp_inst **pp, *in;

	pthread_rwlock_wrlock(&hotplug_lock);
	pthread_mutex_lock(&cpuhp_lock);
	for (pp = &cpuhp[i].inst; (in = *pp); pp = &in->next) {
		if (in->node == node) {
			*pp = in->next;
			free(in);
			break;
		}
	}
	pthread_mutex_unlock(&cpuhp_lock);
	pthread_rwlock_unlock(&hotplug_lock);
	return in ? 0 : -ENOENT;
}

void cpuhp_remove_multi_state(enum cpuhp_state state)
{
	unsigned int i = state - CPUHP_BP_PREPARE_DYN;

	pthread_mutex_lock(&cpuhp_lock);
	WARN_ON(cpuhp[i].inst);
	cpuhp[i].used = false;
	pthread_mutex_unlock(&cpuhp_lock);
}

void us_cpu_dead(unsigned int cpu)
{
	struct cpuhp_inst *in;
	unsigned int i;

	pthread_rwlock_wrlock(&hotplug_lock);
	for (i = 0; i < ARRAY_SIZE(cpuhp); i++) {
		if (!cpuhp[i].used || !cpuhp[i].teardown)
			continue;
		for (in = cpuhp[i].inst; in; in = in->next)
			cpuhp[i].teardown(cpu, in->node);
	}
	pthread_rwlock_unlock(&hotplug_lock);
}

/* === Time, sleep, randomness ========================================= */

u64 ktime_get_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (u64)ts.tv_sec * NSEC_PER_SEC + ts.tv_nsec;
}

void us_usleep(unsigned long us)
{
	usleep(us);
}

static __thread u64 rnd_state;

u64 get_random_u64(void)
{
	u64 x = rnd_state;

	if (!x)
		x = ktime_get_ns() ^ (u64)(unsigned long)&self_token;
	/* xorshift64* */
	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	rnd_state = x;
	return x * 0x2545F4914F6CDD1DULL;
}

u32 get_random_u32(void)
{
	return get_random_u64() >> 32;
}

void us_cpu_init(unsigned int ncpus)
{
	unsigned int i;

	if (ncpus < 1 || ncpus > US_MAX_CPUS)
		abort();
	us_nr_cpus = ncpus;
	for (i = 0; i < US_MAX_CPUS; i++)
		pthread_mutex_init(&cpu_lock[i], NULL);
}
