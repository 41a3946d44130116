/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Userspace stand-in for the kernel's basic headers, for building the
 * module's C files unmodified (tools/testing/mheap/shim/).  Most of the
 * linux/ headers under this directory include this file; the topics that have a
 * runtime behind them (CPUs and locks, memory, RCU, work, debugging) have
 * their own headers, included from here so that every translation unit
 * sees one consistent set.
 *
 * Compiler, types, the once-accessors, atomics and bit operations live
 * here: all on the compiler's __atomic builtins, so ThreadSanitizer sees
 * every marked access as atomic and reports only unmarked races.
 */
#ifndef _US_LINUX_KERNEL_H
#define _US_LINUX_KERNEL_H

#include <assert.h>
#include <limits.h>
#include <sys/types.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <ctype.h>
#include <errno.h>
#include <linux/version.h>

/* <stdio.h> is not included: it would claim names such as rewind(). */
int snprintf(char *buf, size_t size, const char *fmt, ...);
int vsnprintf(char *buf, size_t size, const char *fmt, va_list args);
int sprintf(char *buf, const char *fmt, ...);
int sscanf(const char *buf, const char *fmt, ...);

/* === Configuration =================================================== */

/*
 * The kernel configuration the userspace build stands for.  KASAN is
 * "on" when the compiler instruments addresses (ASan); fault injection
 * is on, with a fail-nth counter per thread (shim/debug.c).
 */
#if defined(__SANITIZE_ADDRESS__)
#define US_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define US_ASAN 1
#endif
#endif
#if defined(__SANITIZE_THREAD__)
#define US_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define US_TSAN 1
#endif
#endif

#ifdef US_ASAN
#define CONFIG_KASAN 1
#define CONFIG_KASAN_GENERIC 1
#define CONFIG_KASAN_VMALLOC 1
#define KASAN_SHADOW_SCALE_SHIFT 3
#endif
#define CONFIG_FAULT_INJECTION 1
#define CONFIG_64BIT 1
#define CONFIG_SMP 1

#define __ARG_PLACEHOLDER_1 0,
#define __take_second_arg(__ignored, val, ...) val
#define __is_defined(x)			___is_defined(x)
#define ___is_defined(val)		____is_defined(__ARG_PLACEHOLDER_##val)
#define ____is_defined(arg1_or_junk)	__take_second_arg(arg1_or_junk 1, 0)
#define IS_ENABLED(option)		__is_defined(option)
#define IS_BUILTIN(option)		__is_defined(option)

/* === Compiler ======================================================== */

#define likely(x)		__builtin_expect(!!(x), 1)
#define unlikely(x)		__builtin_expect(!!(x), 0)
#undef __always_inline
#define __always_inline		inline __attribute__((__always_inline__))
#define noinline		__attribute__((__noinline__))
#define __cold			__attribute__((__cold__))
#define __maybe_unused		__attribute__((__unused__))
#define __always_unused		__attribute__((__unused__))
#define __used			__attribute__((__used__))
#define __packed		__attribute__((__packed__))
#define __aligned(x)		__attribute__((__aligned__(x)))
#define __section(s)		__attribute__((__section__(s)))
#define __printf(a, b)		__attribute__((__format__(printf, a, b)))
#define __must_check		__attribute__((__warn_unused_result__))
#define __init
#define __exit
#define __initdata
#define __read_mostly
#define __ro_after_init
#define ____cacheline_aligned_in_smp	__aligned(64)
#define ____cacheline_aligned		__aligned(64)
#define fallthrough		__attribute__((__fallthrough__))
#define __no_sanitize_address	__attribute__((__no_sanitize_address__))
#define notrace

/* sparse annotations: nothing to check here. */
#define __rcu
#define __percpu
#define __user
#define __iomem
#define __force
#define __bitwise
#define __acquires(x)
#define __releases(x)
#define __must_hold(x)
#define __acquire(x)		((void)0)
#define __release(x)		((void)0)
#define __cond_acquires(x)

#define __stringify_1(x...)	#x
#define __stringify(x...)	__stringify_1(x)
#define ___PASTE(a, b)		a##b
#define __PASTE(a, b)		___PASTE(a, b)
#define __UNIQUE_ID(p)		__PASTE(__PASTE(__UNIQUE_ID_, p), __COUNTER__)

#define barrier()		__asm__ __volatile__("" ::: "memory")
#define cpu_relax()		__builtin_ia32_pause()

#define container_of(ptr, type, member) ({				\
	void *__mptr = (void *)(ptr);					\
	((type *)(__mptr - offsetof(type, member))); })
#define container_of_const(ptr, type, member) container_of(ptr, type, member)

/* The kernel's static_assert(): the message is optional. */
#undef static_assert
#define static_assert(expr, ...)	__static_assert(expr, ##__VA_ARGS__, #expr)
#define __static_assert(expr, msg, ...)	_Static_assert(expr, msg)

#define ARRAY_SIZE(a)		(sizeof(a) / sizeof((a)[0]))
#define BUILD_BUG_ON(c)		_Static_assert(!(c), "BUILD_BUG_ON(" #c ")")
#define BUILD_BUG_ON_MSG(c, m)	_Static_assert(!(c), m)
#define BUILD_BUG_ON_ZERO(e)	((int)(sizeof(struct { int:(-!!(e)); })))
#define __same_type(a, b)	__builtin_types_compatible_p(typeof(a), typeof(b))
#define __must_be_array(a)	BUILD_BUG_ON_ZERO(__same_type((a), &(a)[0]))

/* === Types =========================================================== */

typedef signed char s8;
typedef unsigned char u8;
typedef short s16;
typedef unsigned short u16;
typedef int s32;
typedef unsigned int u32;
typedef long long s64;
typedef unsigned long long u64;
typedef unsigned int gfp_t;
typedef unsigned long phys_addr_t;
typedef unsigned short umode_t;
typedef long ssize_t;
typedef u64 ktime_t;

struct list_head {
	struct list_head *next, *prev;
};

struct hlist_head {
	struct hlist_node *first;
};

struct hlist_node {
	struct hlist_node *next, **pprev;
};

struct rcu_head {
	struct rcu_head *next;
	void (*func)(struct rcu_head *head);
};

#define BITS_PER_LONG		64
#define BITS_PER_BYTE		8
#define BITS_TO_LONGS(n)	(((n) + BITS_PER_LONG - 1) / BITS_PER_LONG)
#define DECLARE_BITMAP(name, bits)	unsigned long name[BITS_TO_LONGS(bits)]

#define BIT(nr)			(1UL << (nr))
#define BIT_ULL(nr)		(1ULL << (nr))
#define BIT_MASK(nr)		(1UL << ((nr) % BITS_PER_LONG))
#define BIT_WORD(nr)		((nr) / BITS_PER_LONG)
#define GENMASK(h, l)		((~0UL << (l)) & (~0UL >> (BITS_PER_LONG - 1 - (h))))
#define GENMASK_ULL(h, l)	((~0ULL << (l)) & (~0ULL >> (63 - (h))))

#define U8_MAX			((u8)~0U)
#define U16_MAX			((u16)~0U)
#define U32_MAX			((u32)~0U)
#define U64_MAX			((u64)~0ULL)
#define S64_MAX			((s64)(U64_MAX >> 1))

#define SZ_1K			0x400
#define SZ_4K			0x1000
#define SZ_64K			0x10000
#define SZ_1M			0x100000
#define SZ_2M			0x200000

/* === Arithmetic ====================================================== */

#define __us_cmp(x, y, op) ({					\
	typeof(x) __x = (x);					\
	typeof(y) __y = (y);					\
	(void)(&__x == &__y);					\
	__x op __y ? __x : __y; })
#define min(x, y)		__us_cmp(x, y, <)
#define max(x, y)		__us_cmp(x, y, >)
#define min3(x, y, z)		min(min(x, y), z)
#define max3(x, y, z)		max(max(x, y), z)
#define __us_cmp_t(t, x, y, op) ({ t __tx = (x), __ty = (y); __tx op __ty ? __tx : __ty; })
#define min_t(t, x, y)		__us_cmp_t(t, x, y, <)
#define max_t(t, x, y)		__us_cmp_t(t, x, y, >)
#define clamp(v, lo, hi)	min(max(v, lo), hi)
#define clamp_t(t, v, lo, hi)	min_t(t, max_t(t, v, lo), hi)
#define swap(a, b)		do { typeof(a) __t = (a); (a) = (b); (b) = __t; } while (0)

#define __ALIGN_MASK(x, m)	(((x) + (m)) & ~(m))
#define ALIGN(x, a)		__ALIGN_MASK(x, (typeof(x))(a) - 1)
#define ALIGN_DOWN(x, a)	((x) & ~((typeof(x))(a) - 1))
#define IS_ALIGNED(x, a)	(((x) & ((typeof(x))(a) - 1)) == 0)
#define PTR_ALIGN(p, a)		((typeof(p))ALIGN((unsigned long)(p), (a)))
#define round_up(x, y)		((((x) - 1) | ((typeof(x))((y) - 1))) + 1)
#define round_down(x, y)	((x) & ~((typeof(x))((y) - 1)))
#define DIV_ROUND_UP(n, d)	(((n) + (d) - 1) / (d))
#define roundup(x, y)		((((x) + ((y) - 1)) / (y)) * (y))
#define rounddown(x, y)		((x) - ((x) % (y)))

#define check_add_overflow(a, b, d)	__builtin_add_overflow(a, b, d)
#define check_sub_overflow(a, b, d)	__builtin_sub_overflow(a, b, d)
#define check_mul_overflow(a, b, d)	__builtin_mul_overflow(a, b, d)
static inline size_t array_size(size_t a, size_t b)
{
	size_t r;

	return __builtin_mul_overflow(a, b, &r) ? SIZE_MAX : r;
}
static inline size_t size_mul(size_t a, size_t b)
{
	return array_size(a, b);
}
static inline size_t size_add(size_t a, size_t b)
{
	size_t r;

	return __builtin_add_overflow(a, b, &r) ? SIZE_MAX : r;
}
#define struct_size(p, member, n)					\
	size_add(sizeof(*(p)), array_size(n, sizeof(*(p)->member)))

static inline u64 div64_u64(u64 a, u64 b) { return a / b; }
static inline u64 div_u64(u64 a, u32 b) { return a / b; }
static inline s64 div64_s64(s64 a, s64 b) { return a / b; }
static inline u64 div64_ul(u64 a, unsigned long b) { return a / b; }
static inline u64 mul_u64_u64_shr(u64 a, u64 b, unsigned int shift)
{
	return (u64)(((unsigned __int128)a * b) >> shift);
}
static inline u64 mul_u64_u32_shr(u64 a, u32 b, unsigned int shift)
{
	return mul_u64_u64_shr(a, b, shift);
}

static inline int fls64(u64 x) { return x ? 64 - __builtin_clzll(x) : 0; }
static inline int fls(unsigned int x) { return x ? 32 - __builtin_clz(x) : 0; }
static inline int fls_long(unsigned long x) { return fls64(x); }
static inline unsigned long __fls(unsigned long x) { return 63 - __builtin_clzl(x); }
static inline unsigned long __ffs(unsigned long x) { return __builtin_ctzl(x); }
static inline unsigned long __ffs64(u64 x) { return __builtin_ctzll(x); }
static inline unsigned long ffz(unsigned long x) { return __builtin_ctzl(~x); }
static inline unsigned int hweight8(unsigned int w) { return __builtin_popcount(w & 0xff); }
static inline unsigned int hweight32(unsigned int w) { return __builtin_popcount(w); }
static inline unsigned long hweight64(u64 w) { return __builtin_popcountll(w); }
static inline unsigned long hweight_long(unsigned long w) { return __builtin_popcountl(w); }
static inline int ilog2(unsigned long v) { return fls64(v) - 1; }
#define is_power_of_2(n)	((n) != 0 && (((n) & ((n) - 1)) == 0))
static inline unsigned long roundup_pow_of_two(unsigned long n)
{
	return n <= 1 ? 1 : 1UL << fls64(n - 1);
}
static inline unsigned long rounddown_pow_of_two(unsigned long n)
{
	return 1UL << (fls64(n) - 1);
}
static inline int order_base_2(unsigned long n)
{
	return n <= 1 ? 0 : fls64(n - 1);
}

/* === Once-accessors and barriers ===================================== */

/*
 * READ_ONCE()/WRITE_ONCE() are relaxed atomic accesses: the kernel's
 * volatile accesses are single-copy atomic for these sizes, and marking
 * them atomic is what tells ThreadSanitizer they are intended.
 */
#define READ_ONCE(x)		__atomic_load_n(&(x), __ATOMIC_RELAXED)
#define WRITE_ONCE(x, v)	__atomic_store_n(&(x), (v), __ATOMIC_RELAXED)
#define smp_load_acquire(p)	__atomic_load_n((p), __ATOMIC_ACQUIRE)
#define smp_store_release(p, v)	__atomic_store_n((p), (v), __ATOMIC_RELEASE)
/*
 * ThreadSanitizer does not model fences: there, a barrier is a
 * read-modify-write of one shared word, which orders at least what the
 * fence does (every barrier synchronises with the one before it).
 */
#ifdef US_TSAN
extern unsigned long us_fence_word;
#define smp_mb()		((void)__atomic_fetch_add(&us_fence_word, 0, __ATOMIC_SEQ_CST))
#define smp_rmb()		smp_mb()
#define smp_wmb()		smp_mb()
#else
#define smp_mb()		__atomic_thread_fence(__ATOMIC_SEQ_CST)
#define smp_rmb()		__atomic_thread_fence(__ATOMIC_ACQUIRE)
#define smp_wmb()		__atomic_thread_fence(__ATOMIC_RELEASE)
#endif
#define mb()			smp_mb()
#define rmb()			smp_rmb()
#define wmb()			smp_wmb()
#define smp_mb__before_atomic()	smp_mb()
#define smp_mb__after_atomic()	smp_mb()
#define smp_acquire__after_ctrl_dep() smp_rmb()
#define smp_store_mb(x, v)	__atomic_store_n(&(x), (v), __ATOMIC_SEQ_CST)

/*
 * data_race(): an access KCSAN is told to ignore.  ThreadSanitizer is
 * told the same through its dynamic annotations (they are part of the
 * TSan runtime); elsewhere it is the expression itself.
 */
#ifdef US_TSAN
void AnnotateIgnoreReadsBegin(const char *file, int line);
void AnnotateIgnoreReadsEnd(const char *file, int line);
void AnnotateIgnoreWritesBegin(const char *file, int line);
void AnnotateIgnoreWritesEnd(const char *file, int line);
#define data_race(expr) ({						\
	AnnotateIgnoreReadsBegin(__FILE__, __LINE__);			\
	AnnotateIgnoreWritesBegin(__FILE__, __LINE__);			\
	__auto_type __v = (expr);					\
	AnnotateIgnoreWritesEnd(__FILE__, __LINE__);			\
	AnnotateIgnoreReadsEnd(__FILE__, __LINE__);			\
	__v; })
#else
#define data_race(expr)		(expr)
#endif
#define ASSERT_EXCLUSIVE_WRITER(x)	do { } while (0)
#define ASSERT_EXCLUSIVE_ACCESS(x)	do { } while (0)

/* === Atomics ========================================================= */

typedef struct { int counter; } atomic_t;
typedef struct { long counter; } atomic_long_t;
typedef struct { s64 counter; } atomic64_t;

#define ATOMIC_INIT(i)		{ (i) }
#define ATOMIC_LONG_INIT(i)	{ (i) }
#define ATOMIC64_INIT(i)	{ (i) }

#define __US_RLX	__ATOMIC_RELAXED
#define __US_ACQ	__ATOMIC_ACQUIRE
#define __US_REL	__ATOMIC_RELEASE
#define __US_SC		__ATOMIC_SEQ_CST

/*
 * The kernel's ordering rules (atomic_t.txt): plain RMWs without a
 * return value are unordered, value-returning ones fully ordered, and
 * the _acquire/_release/_relaxed variants as named.
 */
#define __US_ATOMIC_OPS(pfx, t)						\
static inline t pfx##_read(const pfx##_t *v)				\
{ return __atomic_load_n(&v->counter, __US_RLX); }			\
static inline t pfx##_read_acquire(const pfx##_t *v)			\
{ return __atomic_load_n(&v->counter, __US_ACQ); }			\
static inline void pfx##_set(pfx##_t *v, t i)				\
{ __atomic_store_n(&v->counter, i, __US_RLX); }				\
static inline void pfx##_set_release(pfx##_t *v, t i)			\
{ __atomic_store_n(&v->counter, i, __US_REL); }				\
static inline void pfx##_add(t i, pfx##_t *v)				\
{ __atomic_fetch_add(&v->counter, i, __US_RLX); }			\
static inline void pfx##_sub(t i, pfx##_t *v)				\
{ __atomic_fetch_sub(&v->counter, i, __US_RLX); }			\
static inline void pfx##_inc(pfx##_t *v)				\
{ __atomic_fetch_add(&v->counter, 1, __US_RLX); }			\
static inline void pfx##_dec(pfx##_t *v)				\
{ __atomic_fetch_sub(&v->counter, 1, __US_RLX); }			\
static inline void pfx##_or(t i, pfx##_t *v)				\
{ __atomic_fetch_or(&v->counter, i, __US_RLX); }			\
static inline void pfx##_and(t i, pfx##_t *v)				\
{ __atomic_fetch_and(&v->counter, i, __US_RLX); }			\
static inline void pfx##_andnot(t i, pfx##_t *v)			\
{ __atomic_fetch_and(&v->counter, ~i, __US_RLX); }			\
static inline t pfx##_add_return(t i, pfx##_t *v)			\
{ return __atomic_add_fetch(&v->counter, i, __US_SC); }			\
static inline t pfx##_add_return_relaxed(t i, pfx##_t *v)		\
{ return __atomic_add_fetch(&v->counter, i, __US_RLX); }		\
static inline t pfx##_sub_return(t i, pfx##_t *v)			\
{ return __atomic_sub_fetch(&v->counter, i, __US_SC); }			\
static inline t pfx##_inc_return(pfx##_t *v)				\
{ return __atomic_add_fetch(&v->counter, 1, __US_SC); }			\
static inline t pfx##_dec_return(pfx##_t *v)				\
{ return __atomic_sub_fetch(&v->counter, 1, __US_SC); }			\
static inline t pfx##_dec_return_release(pfx##_t *v)			\
{ return __atomic_sub_fetch(&v->counter, 1, __US_REL); }		\
static inline bool pfx##_dec_and_test(pfx##_t *v)			\
{ return __atomic_sub_fetch(&v->counter, 1, __US_SC) == 0; }		\
static inline bool pfx##_inc_and_test(pfx##_t *v)			\
{ return __atomic_add_fetch(&v->counter, 1, __US_SC) == 0; }		\
static inline bool pfx##_sub_and_test(t i, pfx##_t *v)			\
{ return __atomic_sub_fetch(&v->counter, i, __US_SC) == 0; }		\
static inline t pfx##_fetch_add(t i, pfx##_t *v)			\
{ return __atomic_fetch_add(&v->counter, i, __US_SC); }			\
static inline t pfx##_fetch_add_relaxed(t i, pfx##_t *v)		\
{ return __atomic_fetch_add(&v->counter, i, __US_RLX); }		\
static inline t pfx##_fetch_sub(t i, pfx##_t *v)			\
{ return __atomic_fetch_sub(&v->counter, i, __US_SC); }			\
static inline t pfx##_fetch_or(t i, pfx##_t *v)				\
{ return __atomic_fetch_or(&v->counter, i, __US_SC); }			\
static inline t pfx##_fetch_or_acquire(t i, pfx##_t *v)			\
{ return __atomic_fetch_or(&v->counter, i, __US_ACQ); }			\
static inline t pfx##_fetch_and(t i, pfx##_t *v)			\
{ return __atomic_fetch_and(&v->counter, i, __US_SC); }			\
static inline t pfx##_fetch_andnot(t i, pfx##_t *v)			\
{ return __atomic_fetch_and(&v->counter, ~i, __US_SC); }		\
static inline t pfx##_fetch_andnot_release(t i, pfx##_t *v)		\
{ return __atomic_fetch_and(&v->counter, ~i, __US_REL); }		\
static inline t pfx##_xchg(pfx##_t *v, t i)				\
{ return __atomic_exchange_n(&v->counter, i, __US_SC); }		\
static inline t pfx##_cmpxchg(pfx##_t *v, t o, t n)			\
{ __atomic_compare_exchange_n(&v->counter, &o, n, false, __US_SC, __US_SC); return o; } \
static inline bool pfx##_try_cmpxchg(pfx##_t *v, t *o, t n)		\
{ return __atomic_compare_exchange_n(&v->counter, o, n, false, __US_SC, __US_SC); } \
static inline bool pfx##_try_cmpxchg_acquire(pfx##_t *v, t *o, t n)	\
{ return __atomic_compare_exchange_n(&v->counter, o, n, false, __US_ACQ, __US_ACQ); } \
static inline bool pfx##_try_cmpxchg_release(pfx##_t *v, t *o, t n)	\
{ return __atomic_compare_exchange_n(&v->counter, o, n, false, __US_REL, __US_RLX); } \
static inline bool pfx##_try_cmpxchg_relaxed(pfx##_t *v, t *o, t n)	\
{ return __atomic_compare_exchange_n(&v->counter, o, n, false, __US_RLX, __US_RLX); } \
static inline bool pfx##_add_unless(pfx##_t *v, t a, t u)		\
{									\
	t c = pfx##_read(v);						\
	do {								\
		if (c == u)						\
			return false;					\
	} while (!pfx##_try_cmpxchg(v, &c, c + a));			\
	return true;							\
}									\
static inline bool pfx##_inc_not_zero(pfx##_t *v)			\
{ return pfx##_add_unless(v, 1, 0); }

__US_ATOMIC_OPS(atomic, int)
__US_ATOMIC_OPS(atomic_long, long)
__US_ATOMIC_OPS(atomic64, s64)

#define xchg(p, v)		__atomic_exchange_n((p), (v), __US_SC)
#define cmpxchg(p, o, n) ({						\
	typeof(*(p)) __o = (o);						\
	__atomic_compare_exchange_n((p), &__o, (n), false, __US_SC, __US_SC); \
	__o; })
#define cmpxchg_relaxed(p, o, n) ({					\
	typeof(*(p)) __o = (o);						\
	__atomic_compare_exchange_n((p), &__o, (n), false, __US_RLX, __US_RLX); \
	__o; })
#define try_cmpxchg(p, po, n)						\
	__atomic_compare_exchange_n((p), (po), (n), false, __US_SC, __US_SC)

/* === Bit operations ================================================== */

static inline void set_bit(long nr, volatile unsigned long *addr)
{
	__atomic_fetch_or((unsigned long *)addr + BIT_WORD(nr), BIT_MASK(nr), __US_RLX);
}
static inline void clear_bit(long nr, volatile unsigned long *addr)
{
	__atomic_fetch_and((unsigned long *)addr + BIT_WORD(nr), ~BIT_MASK(nr), __US_RLX);
}
static inline void change_bit(long nr, volatile unsigned long *addr)
{
	__atomic_fetch_xor((unsigned long *)addr + BIT_WORD(nr), BIT_MASK(nr), __US_RLX);
}
static inline bool test_and_set_bit(long nr, volatile unsigned long *addr)
{
	return __atomic_fetch_or((unsigned long *)addr + BIT_WORD(nr),
				 BIT_MASK(nr), __US_SC) & BIT_MASK(nr);
}
static inline bool test_and_clear_bit(long nr, volatile unsigned long *addr)
{
	return __atomic_fetch_and((unsigned long *)addr + BIT_WORD(nr),
				  ~BIT_MASK(nr), __US_SC) & BIT_MASK(nr);
}
static inline void clear_bit_unlock(long nr, volatile unsigned long *addr)
{
	__atomic_fetch_and((unsigned long *)addr + BIT_WORD(nr), ~BIT_MASK(nr), __US_REL);
}
static inline bool test_and_set_bit_lock(long nr, volatile unsigned long *addr)
{
	return __atomic_fetch_or((unsigned long *)addr + BIT_WORD(nr),
				 BIT_MASK(nr), __US_ACQ) & BIT_MASK(nr);
}
/* The non-atomic variants: the caller excludes others. */
static inline void __set_bit(long nr, volatile unsigned long *addr)
{
	((unsigned long *)addr)[BIT_WORD(nr)] |= BIT_MASK(nr);
}
static inline void __clear_bit(long nr, volatile unsigned long *addr)
{
	((unsigned long *)addr)[BIT_WORD(nr)] &= ~BIT_MASK(nr);
}
static inline bool __test_and_set_bit(long nr, volatile unsigned long *addr)
{
	bool old = ((unsigned long *)addr)[BIT_WORD(nr)] & BIT_MASK(nr);

	__set_bit(nr, addr);
	return old;
}
static inline bool __test_and_clear_bit(long nr, volatile unsigned long *addr)
{
	bool old = ((unsigned long *)addr)[BIT_WORD(nr)] & BIT_MASK(nr);

	__clear_bit(nr, addr);
	return old;
}
/* test_bit() is a single-copy-atomic read in the kernel: relaxed here. */
static inline bool test_bit(long nr, const volatile unsigned long *addr)
{
	return __atomic_load_n((const unsigned long *)addr + BIT_WORD(nr),
			       __US_RLX) & BIT_MASK(nr);
}
static inline bool test_bit_acquire(long nr, const volatile unsigned long *addr)
{
	return __atomic_load_n((const unsigned long *)addr + BIT_WORD(nr),
			       __US_ACQ) & BIT_MASK(nr);
}

#include <linux/us-bitmap.h>
#include <linux/us-printk.h>
#include <linux/us-list.h>
#include <linux/us-sched.h>
#include <linux/us-mm.h>
#include <linux/us-work.h>
#include <linux/us-misc.h>

#endif /* _US_LINUX_KERNEL_H */
