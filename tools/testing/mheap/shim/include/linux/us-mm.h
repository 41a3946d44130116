/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Userspace stand-in for the page allocator, vmap, the slab allocators,
 * KASAN and kmemleak (runtime in shim/mm.c).
 *
 * Pages: alloc_pages() maps a naturally aligned block with mmap() and
 * describes it with a struct page; page_address() is its mapping.  vmap()
 * moves the given pages (mremap(), contents kept) into one new contiguous
 * mapping, where they then live; vunmap() unmaps it, after which the
 * pages have no memory and __free_page() only drops the description.
 * Every page still allocated is counted (us_pages_allocated()).
 *
 * Slab: kmalloc() and kvmalloc() are malloc() with a header giving
 * ksize(); large kvmalloc() sizes are mmap()ed.  A kmem_cache hands out
 * objects from malloc(); with SLAB_TYPESAFE_BY_RCU a freed object goes
 * back to the cache only after a grace period (call_rcu()) and is reused
 * from there, so the memory stays an object of the cache for readers
 * under rcu_read_lock(), as the kernel promises, and is poisoned for ASan
 * while it waits on the cache's free list (as SLUB_RCU_DEBUG does).
 * A GFP_KERNEL (sleeping) allocation checks might_sleep().  A failure is
 * only ever injected (fault injection); real allocations do not fail.
 *
 * KASAN: kasan_poison() maps onto ASan's manual poisoning, and
 * kasan_mem_to_shadow() onto ASan's x86-64 shadow mapping (scale 3,
 * offset 0x7fff8000), whose byte encoding of a partial granule is the
 * same as KASAN's generic mode.
 *
 * kmemleak: kmemleak_alloc()/kmemleak_free() are counted; the balance
 * must come back to zero once every heap is gone (us_kmemleak_objects()).
 */
#ifndef _US_LINUX_MM_H
#define _US_LINUX_MM_H

#define PAGE_SHIFT		12
#define PAGE_SIZE		(1UL << PAGE_SHIFT)
#define PAGE_MASK		(~(PAGE_SIZE - 1))
#define PAGE_ALIGN(x)		ALIGN(x, PAGE_SIZE)
#define MAX_PAGE_ORDER		10
#define MAX_ORDER		MAX_PAGE_ORDER
#define PAGE_KERNEL		0
#define VM_MAP			0x4
#define ARCH_KMALLOC_MINALIGN	16
#define KMALLOC_MAX_SIZE	(1UL << 22)

#define ___GFP_DMA		0x01u
#define ___GFP_HIGHMEM		0x02u
#define ___GFP_DMA32		0x04u
#define ___GFP_MOVABLE		0x08u
#define ___GFP_RECLAIMABLE	0x10u
#define ___GFP_HIGH		0x20u
#define ___GFP_IO		0x40u
#define ___GFP_FS		0x80u
#define ___GFP_ZERO		0x100u
#define ___GFP_DIRECT_RECLAIM	0x400u
#define ___GFP_KSWAPD_RECLAIM	0x800u
#define ___GFP_WRITE		0x1000u
#define ___GFP_NOWARN		0x2000u
#define ___GFP_RETRY_MAYFAIL	0x4000u
#define ___GFP_NOFAIL		0x8000u
#define ___GFP_NORETRY		0x10000u
#define ___GFP_MEMALLOC		0x20000u
#define ___GFP_COMP		0x40000u
#define ___GFP_NOMEMALLOC	0x80000u
#define ___GFP_HARDWALL		0x100000u
#define ___GFP_ACCOUNT		0x400000u

#define __GFP_DMA		((gfp_t)___GFP_DMA)
#define __GFP_HIGHMEM		((gfp_t)___GFP_HIGHMEM)
#define __GFP_DMA32		((gfp_t)___GFP_DMA32)
#define __GFP_MOVABLE		((gfp_t)___GFP_MOVABLE)
#define __GFP_RECLAIMABLE	((gfp_t)___GFP_RECLAIMABLE)
#define __GFP_HIGH		((gfp_t)___GFP_HIGH)
#define __GFP_IO		((gfp_t)___GFP_IO)
#define __GFP_FS		((gfp_t)___GFP_FS)
#define __GFP_ZERO		((gfp_t)___GFP_ZERO)
#define __GFP_DIRECT_RECLAIM	((gfp_t)___GFP_DIRECT_RECLAIM)
#define __GFP_KSWAPD_RECLAIM	((gfp_t)___GFP_KSWAPD_RECLAIM)
#define __GFP_RECLAIM		(__GFP_DIRECT_RECLAIM | __GFP_KSWAPD_RECLAIM)
#define __GFP_WRITE		((gfp_t)___GFP_WRITE)
#define __GFP_NOWARN		((gfp_t)___GFP_NOWARN)
#define __GFP_RETRY_MAYFAIL	((gfp_t)___GFP_RETRY_MAYFAIL)
#define __GFP_NOFAIL		((gfp_t)___GFP_NOFAIL)
#define __GFP_NORETRY		((gfp_t)___GFP_NORETRY)
#define __GFP_MEMALLOC		((gfp_t)___GFP_MEMALLOC)
#define __GFP_COMP		((gfp_t)___GFP_COMP)
#define __GFP_NOMEMALLOC	((gfp_t)___GFP_NOMEMALLOC)
#define __GFP_HARDWALL		((gfp_t)___GFP_HARDWALL)
#define __GFP_ACCOUNT		((gfp_t)___GFP_ACCOUNT)

#define GFP_ATOMIC		(__GFP_HIGH | __GFP_KSWAPD_RECLAIM)
#define GFP_NOWAIT		(__GFP_KSWAPD_RECLAIM | __GFP_NOWARN)
#define GFP_NOIO		(__GFP_RECLAIM)
#define GFP_NOFS		(__GFP_RECLAIM | __GFP_IO)
#define GFP_KERNEL		(__GFP_RECLAIM | __GFP_IO | __GFP_FS)
#define GFP_KERNEL_ACCOUNT	(GFP_KERNEL | __GFP_ACCOUNT)
#define GFP_USER		(GFP_KERNEL | __GFP_HARDWALL)
#define GFP_HIGHUSER		(GFP_USER | __GFP_HIGHMEM)

static inline bool gfpflags_allow_blocking(gfp_t gfp)
{
	return !!(gfp & __GFP_DIRECT_RECLAIM);
}

/* Scopes of memalloc_noio_save() and friends: kept, not acted on. */
unsigned int memalloc_noio_save(void);
void memalloc_noio_restore(unsigned int flags);
unsigned int memalloc_nofs_save(void);
void memalloc_nofs_restore(unsigned int flags);

#define might_alloc(gfp)						\
	do { if (gfpflags_allow_blocking(gfp)) might_sleep(); } while (0)

/* The kernel's init_on_alloc= and init_on_free= boot options. */
extern bool us_init_on_alloc, us_init_on_free;
static inline bool want_init_on_alloc(gfp_t gfp)
{
	return us_init_on_alloc || (gfp & __GFP_ZERO);
}
static inline bool want_init_on_free(void)
{
	return us_init_on_free;
}

struct page {
	void *us_addr;		/* the memory, NULL once its vmap() is gone */
	unsigned int us_order;
	bool us_vmapped;	/* lives in a vmap() area */
};

struct page *alloc_pages(gfp_t gfp, unsigned int order);
void __free_pages(struct page *page, unsigned int order);
#define alloc_page(gfp)		alloc_pages(gfp, 0)
#define __free_page(p)		__free_pages(p, 0)
#define alloc_pages_node(n, gfp, o) alloc_pages(gfp, o)
static inline void *page_address(const struct page *page)
{
	return page->us_addr;
}
unsigned long __get_free_pages(gfp_t gfp, unsigned int order);
void free_pages(unsigned long addr, unsigned int order);
unsigned long us_pages_allocated(void);

static inline int get_order(unsigned long size)
{
	return size <= PAGE_SIZE ? 0 : fls64((size - 1) >> PAGE_SHIFT);
}

void *vmap(struct page **pages, unsigned int count, unsigned long flags,
	   int prot);
void vunmap(const void *addr);
bool is_vmalloc_addr(const void *addr);
void *vmalloc(unsigned long size);
void *vzalloc(unsigned long size);
void vfree(const void *addr);

#define ZERO_SIZE_PTR		((void *)16)
#define ZERO_OR_NULL_PTR(x)	((unsigned long)(x) <= (unsigned long)ZERO_SIZE_PTR)

void *us_kmalloc(size_t size, gfp_t gfp, bool kv);
void kfree(const void *p);
void kvfree(const void *p);
size_t ksize(const void *p);
void *us_krealloc(void *p, size_t size, gfp_t gfp, bool kv);

#define kmalloc(s, gfp)		us_kmalloc(s, gfp, false)
#define kzalloc(s, gfp)		us_kmalloc(s, (gfp) | __GFP_ZERO, false)
#define kmalloc_array(n, s, gfp) us_kmalloc(array_size(n, s), gfp, false)
#define kcalloc(n, s, gfp)	us_kmalloc(array_size(n, s), (gfp) | __GFP_ZERO, false)
#define kvmalloc(s, gfp)	us_kmalloc(s, gfp, true)
#define kvzalloc(s, gfp)	us_kmalloc(s, (gfp) | __GFP_ZERO, true)
#define kvmalloc_array(n, s, gfp) us_kmalloc(array_size(n, s), gfp, true)
#define kvcalloc(n, s, gfp)	us_kmalloc(array_size(n, s), (gfp) | __GFP_ZERO, true)
#define krealloc(p, s, gfp)	us_krealloc(p, s, gfp, false)
#define kvrealloc(p, s, gfp)	us_krealloc(p, s, gfp, true)
#define kfree_sensitive(p)	kfree(p)
#define kstrdup(s, gfp)		({ const char *__s = (s); char *__d = kmalloc(strlen(__s) + 1, gfp); \
				   if (__d) strcpy(__d, __s); __d; })

#define SLAB_HWCACHE_ALIGN	0x00002000U
#define SLAB_PANIC		0x00040000U
#define SLAB_TYPESAFE_BY_RCU	0x00080000U
#define SLAB_ACCOUNT		0x04000000U
#define SLAB_RECLAIM_ACCOUNT	0x00020000U

struct kmem_cache;
struct kmem_cache *kmem_cache_create(const char *name, unsigned int size,
				     unsigned int align, unsigned int flags,
				     void (*ctor)(void *));
void kmem_cache_destroy(struct kmem_cache *c);
void *kmem_cache_alloc(struct kmem_cache *c, gfp_t gfp);
void kmem_cache_free(struct kmem_cache *c, void *p);
#define kmem_cache_zalloc(c, gfp) kmem_cache_alloc(c, (gfp) | __GFP_ZERO)
#define KMEM_CACHE(s, f)	kmem_cache_create(#s, sizeof(struct s), __alignof__(struct s), f, NULL)

/* === KASAN =========================================================== */

#ifdef CONFIG_KASAN
void kasan_poison(const void *addr, size_t size, u8 value, bool init);
#define KASAN_SHADOW_OFFSET	0x7fff8000UL
static inline void *kasan_mem_to_shadow(const void *addr)
{
	return (void *)(((unsigned long)addr >> KASAN_SHADOW_SCALE_SHIFT) +
			KASAN_SHADOW_OFFSET);
}
#endif

/* === kmemleak ======================================================== */

void kmemleak_alloc(const void *p, size_t size, int min_count, gfp_t gfp);
void kmemleak_free(const void *p);
#define kmemleak_not_leak(p)	do { } while (0)
#define kmemleak_ignore(p)	do { } while (0)
long us_kmemleak_objects(void);

/* === Shrinkers ======================================================= */

struct shrink_control {
	gfp_t gfp_mask;
	int nid;
	unsigned long nr_to_scan;
	unsigned long nr_scanned;
};

#define SHRINK_STOP		(~0UL)
#define SHRINK_EMPTY		(~0UL - 1)
#define DEFAULT_SEEKS		2

struct shrinker {
	unsigned long (*count_objects)(struct shrinker *, struct shrink_control *);
	unsigned long (*scan_objects)(struct shrinker *, struct shrink_control *);
	long batch;
	int seeks;
	unsigned int flags;
	void *private_data;
	struct list_head us_node;
	char us_name[48];
};

/*
 * Shrinkers are kept on a list; us_shrink_all() plays memory pressure,
 * calling each one's count and scan as the kernel's reclaim would.
 */
__printf(2, 3) struct shrinker *shrinker_alloc(unsigned int flags, const char *fmt, ...);
void shrinker_register(struct shrinker *s);
void shrinker_free(struct shrinker *s);
unsigned long us_shrink_all(unsigned long nr_to_scan);

#endif /* _US_LINUX_MM_H */
