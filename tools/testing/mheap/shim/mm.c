// SPDX-License-Identifier: GPL-2.0
/*
 * Pages, vmap, slab, KASAN, kmemleak and shrinkers for the userspace
 * build; see include/linux/us-mm.h.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <sys/mman.h>
#include "us.h"

#ifdef US_ASAN
#include <sanitizer/asan_interface.h>
#endif

bool us_init_on_alloc, us_init_on_free;
static unsigned long pages_allocated;
static __thread unsigned int alloc_scope;

static void *map_aligned(size_t bytes, size_t align)
{
	size_t len = bytes + (align > PAGE_SIZE ? align : 0);
	char *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	char *a;

	if (p == MAP_FAILED)
		return NULL;
	if (align <= PAGE_SIZE)
		return p;
	a = (char *)ALIGN((unsigned long)p, align);
	if (a > p)
		munmap(p, a - p);
	if (a + bytes < p + len)
		munmap(a + bytes, p + len - (a + bytes));
	return a;
}

/*
 * Blocks by address, for free_pages() of page_address(alloc_pages()):
 * an open-addressing table, linear probing, deletion by back-shift.
 */
static pthread_mutex_t blocks_lock = PTHREAD_MUTEX_INITIALIZER;
static struct page **blocks;
static unsigned long blocks_cap, blocks_n;

static unsigned long block_slot(const void *addr, unsigned long cap)
{
	return ((unsigned long)addr >> PAGE_SHIFT) * 0x9E3779B97F4A7C15UL >>
	       (64 - ilog2(cap));
}

static void block_insert_locked(struct page *pg)
{
	unsigned long i = block_slot(pg->us_addr, blocks_cap);

	while (blocks[i])
		i = (i + 1) & (blocks_cap - 1);
	blocks[i] = pg;
	blocks_n++;
}

static bool block_add(struct page *pg)
{
	pthread_mutex_lock(&blocks_lock);
	if ((blocks_n + 1) * 2 > blocks_cap) {
		struct page **old = blocks;
		unsigned long i, oldcap = blocks_cap;

		blocks_cap = oldcap ? oldcap * 2 : 1024;
		blocks = calloc(blocks_cap, sizeof(*blocks));
		if (!blocks)
			abort();
		blocks_n = 0;
		for (i = 0; i < oldcap; i++)
			if (old[i])
				block_insert_locked(old[i]);
		free(old);
	}
	block_insert_locked(pg);
	pthread_mutex_unlock(&blocks_lock);
	return true;
}

static struct page *block_del(const void *addr)
{
	struct page *pg = NULL;
	unsigned long i, j;

	pthread_mutex_lock(&blocks_lock);
	if (!blocks_cap)
		goto out;
	for (i = block_slot(addr, blocks_cap); blocks[i]; i = (i + 1) & (blocks_cap - 1))
		if (blocks[i]->us_addr == addr)
			break;
	pg = blocks[i];
	if (!pg)
		goto out;
	blocks[i] = NULL;
	blocks_n--;
	/* Re-place the run after the hole. */
	for (j = (i + 1) & (blocks_cap - 1); blocks[j]; j = (j + 1) & (blocks_cap - 1)) {
		struct page *m = blocks[j];

		blocks[j] = NULL;
		blocks_n--;
		block_insert_locked(m);
	}
out:
	pthread_mutex_unlock(&blocks_lock);
	return pg;
}

/* Pages come zeroed from mmap(); __GFP_ZERO needs nothing more. */
struct page *alloc_pages(gfp_t gfp, unsigned int order)
{
	struct page *pg;

	might_alloc(gfp);
	if (order > MAX_PAGE_ORDER)
		return NULL;
	pg = calloc(1, sizeof(*pg));
	if (!pg)
		return NULL;
	pg->us_order = order;
	pg->us_addr = map_aligned(PAGE_SIZE << order, PAGE_SIZE << order);
	if (!pg->us_addr) {
		free(pg);
		return NULL;
	}
	__atomic_fetch_add(&pages_allocated, 1UL << order, __ATOMIC_RELAXED);
	block_add(pg);
	return pg;
}

void __free_pages(struct page *pg, unsigned int order)
{
	if (!pg)
		return;
	if (WARN(pg->us_order != order, "freeing an order-%u block as order %u",
		 pg->us_order, order))
		return;
	if (pg->us_addr && !pg->us_vmapped)
		block_del(pg->us_addr);
	if (pg->us_addr) {
		if (pg->us_vmapped)
			WARN(1, "freeing a page still mapped by vmap()");
		else
			munmap(pg->us_addr, PAGE_SIZE << order);
	}
	__atomic_fetch_sub(&pages_allocated, 1UL << order, __ATOMIC_RELAXED);
	free(pg);
}

unsigned long __get_free_pages(gfp_t gfp, unsigned int order)
{
	void *p;

	might_alloc(gfp);
	p = map_aligned(PAGE_SIZE << order, PAGE_SIZE << order);
	if (!p)
		return 0;
	__atomic_fetch_add(&pages_allocated, 1UL << order, __ATOMIC_RELAXED);
	return (unsigned long)p;
}

/* Either half of the page allocator: a block of alloc_pages() too. */
void free_pages(unsigned long addr, unsigned int order)
{
	struct page *pg;

	if (!addr)
		return;
	pg = block_del((void *)addr);
	if (pg) {
		if (WARN(pg->us_order != order, "free_pages: order %u block freed as %u",
			 pg->us_order, order))
			return;
		free(pg);
	}
	munmap((void *)addr, PAGE_SIZE << order);
	__atomic_fetch_sub(&pages_allocated, 1UL << order, __ATOMIC_RELAXED);
}

unsigned long us_pages_allocated(void)
{
	return __atomic_load_n(&pages_allocated, __ATOMIC_RELAXED);
}

/* === vmap ============================================================ */

struct vmap_area {
	struct vmap_area *next;
	char *base;
	unsigned int count;
	struct page **pages;
};

static pthread_mutex_t vmap_lock = PTHREAD_MUTEX_INITIALIZER;
static struct vmap_area *vmap_areas;

void *vmap(struct page **pages, unsigned int count, unsigned long flags, int prot)
{
	struct vmap_area *va;
	unsigned int i;
	char *base;

	might_sleep();
	va = malloc(sizeof(*va));
	if (!va)
		return NULL;
	base = mmap(NULL, (size_t)count * PAGE_SIZE, PROT_NONE,
		    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (base == MAP_FAILED) {
		free(va);
		return NULL;
	}
	/* Move each page's memory, contents and all, to its place. */
	for (i = 0; i < count; i++) {
		if (WARN(pages[i]->us_order || pages[i]->us_vmapped || !pages[i]->us_addr,
			 "vmap() of a page that is not a free order-0 page"))
			abort();
		block_del(pages[i]->us_addr);
		if (mremap(pages[i]->us_addr, PAGE_SIZE, PAGE_SIZE,
			   MREMAP_MAYMOVE | MREMAP_FIXED,
			   base + i * PAGE_SIZE) == MAP_FAILED)
			abort();
		pages[i]->us_addr = base + i * PAGE_SIZE;
		pages[i]->us_vmapped = true;
	}
	va->base = base;
	va->count = count;
	va->pages = pages;
	pthread_mutex_lock(&vmap_lock);
	va->next = vmap_areas;
	vmap_areas = va;
	pthread_mutex_unlock(&vmap_lock);
	return base;
}

/* The pages' memory goes with the mapping: they are about to be freed. */
void vunmap(const void *addr)
{
	struct vmap_area **pp, *va;
	unsigned int i;

	might_sleep();
	pthread_mutex_lock(&vmap_lock);
	for (pp = &vmap_areas; (va = *pp); pp = &va->next)
		if (va->base == addr)
			break;
	if (va)
		*pp = va->next;
	pthread_mutex_unlock(&vmap_lock);
	if (WARN(!va, "vunmap() of %p, not a vmap() area", addr))
		return;
	for (i = 0; i < va->count; i++) {
		va->pages[i]->us_addr = NULL;
		va->pages[i]->us_vmapped = false;
	}
	munmap(va->base, (size_t)va->count * PAGE_SIZE);
	free(va);
}

bool is_vmalloc_addr(const void *addr)
{
	struct vmap_area *va;
	bool ret = false;

	pthread_mutex_lock(&vmap_lock);
	for (va = vmap_areas; va; va = va->next)
		if ((const char *)addr >= va->base &&
		    (const char *)addr < va->base + (size_t)va->count * PAGE_SIZE)
			ret = true;
	pthread_mutex_unlock(&vmap_lock);
	return ret;
}

/* === kmalloc ========================================================= */

/*
 * A header before each block: its size and how it was obtained.  Blocks
 * of kvmalloc() at or above KV_MMAP are mmap()ed, as vmalloc would be.
 */
#define KV_MMAP		(256UL << 10)
/*
 * SLUB hands out kmalloc objects of 64 bytes and more from caches of
 * naturally aligned, cache-line sized or larger objects, and structures
 * with ____cacheline_aligned members rely on it: so do blocks here.
 */
#define HDR		64

struct hdr {
	size_t size;
	u32 magic;
	u32 mapped;
};
#define HDR_MAGIC	0x6d686561u

static struct hdr *hdr_of(const void *p)
{
	struct hdr *h = (struct hdr *)((char *)p - HDR);

	if (h->magic != HDR_MAGIC)
		us_bug(__FILE__, __LINE__);
	return h;
}

void *us_kmalloc(size_t size, gfp_t gfp, bool kv)
{
	struct hdr *h;

	might_alloc(gfp);
	if (!size)
		return ZERO_SIZE_PTR;
	if (size > (kv ? (1UL << 40) : KMALLOC_MAX_SIZE))
		return NULL;
	if (kv && size >= KV_MMAP) {
		h = mmap(NULL, size + HDR, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
		if (h == MAP_FAILED)
			return NULL;
		h->mapped = 1;
	} else {
		h = aligned_alloc(HDR, ALIGN(size + HDR, HDR));
		if (!h)
			return NULL;
		if ((gfp & __GFP_ZERO) || us_init_on_alloc)
			memset(h, 0, size + HDR);
		h->mapped = 0;
	}
	h->size = size;
	h->magic = HDR_MAGIC;
	return (char *)h + HDR;
}

static void us_free(const void *p)
{
	struct hdr *h;

	if (ZERO_OR_NULL_PTR(p))
		return;
	h = hdr_of(p);
	h->magic = 0;
	if (h->mapped)
		munmap(h, h->size + HDR);
	else
		free(h);
}

void kfree(const void *p)
{
	us_free(p);
}

void kvfree(const void *p)
{
	us_free(p);
}

size_t ksize(const void *p)
{
	return ZERO_OR_NULL_PTR(p) ? 0 : hdr_of(p)->size;
}

void *us_krealloc(void *p, size_t size, gfp_t gfp, bool kv)
{
	size_t old = ksize(p);
	void *n;

	if (!size) {
		us_free(p);
		return ZERO_SIZE_PTR;
	}
	if (p && old >= size)
		return p;
	n = us_kmalloc(size, gfp & ~__GFP_ZERO, kv);
	if (!n)
		return NULL;
	if (p)
		memcpy(n, p, old);
	if (gfp & __GFP_ZERO)
		memset((char *)n + old, 0, size - old);
	us_free(p);
	return n;
}

void *vmalloc(unsigned long size)
{
	return us_kmalloc(size, GFP_KERNEL, true);
}

void *vzalloc(unsigned long size)
{
	return us_kmalloc(size, GFP_KERNEL | __GFP_ZERO, true);
}

void vfree(const void *addr)
{
	us_free(addr);
}

/* === kmem_cache ====================================================== */

struct rcu_free {
	struct rcu_head rcu;
	struct kmem_cache *cache;
	void *obj;
};

struct kmem_cache {
	char name[32];
	unsigned int size, align, flags;
	void (*ctor)(void *);
	pthread_mutex_t lock;
	void **free;		/* objects back from a grace period */
	unsigned long nfree, cap;
	long live;		/* allocated, or waiting for a grace period */
	void **all;		/* every object ever allocated, to free at the end */
	unsigned long nall, allcap;
};

struct kmem_cache *kmem_cache_create(const char *name, unsigned int size,
				     unsigned int align, unsigned int flags,
				     void (*ctor)(void *))
{
	struct kmem_cache *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	strscpy(c->name, name, sizeof(c->name));
	c->size = size;
	c->align = max(align, 16U);
	c->flags = flags;
	c->ctor = ctor;
	pthread_mutex_init(&c->lock, NULL);
	return c;
}

static bool grow(void ***v, unsigned long *cap, unsigned long n)
{
	void **nv;

	if (n < *cap)
		return true;
	nv = realloc(*v, (*cap ? *cap * 2 : 64) * sizeof(void *));
	if (!nv)
		return false;
	*v = nv;
	*cap = *cap ? *cap * 2 : 64;
	return true;
}

void *kmem_cache_alloc(struct kmem_cache *c, gfp_t gfp)
{
	void *p = NULL;

	might_alloc(gfp);
	pthread_mutex_lock(&c->lock);
	if (c->nfree)
		p = c->free[--c->nfree];
	if (p) {
#ifdef US_ASAN
		ASAN_UNPOISON_MEMORY_REGION(p, c->size);
#endif
	} else {
		if (!grow(&c->all, &c->allcap, c->nall))
			goto out;
		p = aligned_alloc(c->align, ALIGN(c->size, c->align));
		if (!p)
			goto out;
		c->all[c->nall++] = p;
		if (c->ctor)
			c->ctor(p);
	}
	c->live++;
out:
	pthread_mutex_unlock(&c->lock);
	/* A typesafe cache's objects keep their fields for RCU readers. */
	if (p && (gfp & __GFP_ZERO))
		memset(p, 0, c->size);
	return p;
}

static void cache_put(struct kmem_cache *c, void *p)
{
	pthread_mutex_lock(&c->lock);
	if (!grow(&c->free, &c->cap, c->nfree))
		abort();
	c->free[c->nfree++] = p;
	c->live--;
#ifdef US_ASAN
	ASAN_POISON_MEMORY_REGION(p, c->size);
#endif
	pthread_mutex_unlock(&c->lock);
}

static void rcu_free_fn(struct rcu_head *head)
{
	struct rcu_free *f = container_of(head, struct rcu_free, rcu);

	cache_put(f->cache, f->obj);
	free(f);
}

/*
 * SLAB_TYPESAFE_BY_RCU: the object may be reused at once by the cache in
 * the kernel, but its memory stays one of the cache's objects until a
 * grace period has passed.  Here it becomes reusable only after a grace
 * period, so a reader that keeps it longer reads poisoned memory.
 */
void kmem_cache_free(struct kmem_cache *c, void *p)
{
	struct rcu_free *f;

	if (!p)
		return;
	if (!(c->flags & SLAB_TYPESAFE_BY_RCU)) {
		cache_put(c, p);
		return;
	}
	f = malloc(sizeof(*f));
	if (!f)
		abort();
	f->cache = c;
	f->obj = p;
	call_rcu(&f->rcu, rcu_free_fn);
}

void kmem_cache_destroy(struct kmem_cache *c)
{
	unsigned long i;

	if (!c)
		return;
	if (c->flags & SLAB_TYPESAFE_BY_RCU)
		rcu_barrier();
	pthread_mutex_lock(&c->lock);
	WARN(c->live, "kmem_cache_destroy %s: %ld objects remaining", c->name, c->live);
	for (i = 0; i < c->nall; i++) {
#ifdef US_ASAN
		ASAN_UNPOISON_MEMORY_REGION(c->all[i], c->size);
#endif
		free(c->all[i]);
	}
	free(c->all);
	free(c->free);
	pthread_mutex_unlock(&c->lock);
	pthread_mutex_destroy(&c->lock);
	free(c);
}

/* === KASAN =========================================================== */

#ifdef CONFIG_KASAN
/* Generic KASAN's encoding: 0 accessible, anything else poisoned. */
void kasan_poison(const void *addr, size_t size, u8 value, bool init)
{
	if (init && value)
		memset((void *)addr, 0, size);
	if (value)
		ASAN_POISON_MEMORY_REGION(addr, size);
	else
		ASAN_UNPOISON_MEMORY_REGION(addr, size);
}
#endif

/* === kmemleak ======================================================== */

static long kmemleak_balance;

void kmemleak_alloc(const void *p, size_t size, int min_count, gfp_t gfp)
{
	if (p)
		__atomic_fetch_add(&kmemleak_balance, 1, __ATOMIC_RELAXED);
}

void kmemleak_free(const void *p)
{
	if (p)
		__atomic_fetch_sub(&kmemleak_balance, 1, __ATOMIC_RELAXED);
}

long us_kmemleak_objects(void)
{
	return __atomic_load_n(&kmemleak_balance, __ATOMIC_RELAXED);
}

/* === Allocation scopes =============================================== */

unsigned int memalloc_noio_save(void)
{
	unsigned int old = alloc_scope;

	alloc_scope |= 1;
	return old;
}

void memalloc_noio_restore(unsigned int flags)
{
	alloc_scope = flags;
}

unsigned int memalloc_nofs_save(void)
{
	unsigned int old = alloc_scope;

	alloc_scope |= 2;
	return old;
}

void memalloc_nofs_restore(unsigned int flags)
{
	alloc_scope = flags;
}

/* === Shrinkers ======================================================= */

static pthread_mutex_t shrinker_lock = PTHREAD_MUTEX_INITIALIZER;
static LIST_HEAD(shrinkers);

struct shrinker *shrinker_alloc(unsigned int flags, const char *fmt, ...)
{
	struct shrinker *s = calloc(1, sizeof(*s));
	va_list ap;

	if (!s)
		return NULL;
	va_start(ap, fmt);
	vsnprintf(s->us_name, sizeof(s->us_name), fmt, ap);
	va_end(ap);
	s->flags = flags;
	s->seeks = DEFAULT_SEEKS;
	INIT_LIST_HEAD(&s->us_node);
	return s;
}

void shrinker_register(struct shrinker *s)
{
	pthread_mutex_lock(&shrinker_lock);
	list_add_tail(&s->us_node, &shrinkers);
	pthread_mutex_unlock(&shrinker_lock);
}

void shrinker_free(struct shrinker *s)
{
	if (!s)
		return;
	pthread_mutex_lock(&shrinker_lock);
	if (!list_empty(&s->us_node))
		list_del(&s->us_node);
	pthread_mutex_unlock(&shrinker_lock);
	free(s);
}

/*
 * Memory pressure: every shrinker counted and scanned once, under the
 * list lock as the kernel's shrinker_rwsem keeps them alive.
 */
unsigned long us_shrink_all(unsigned long nr_to_scan)
{
	struct shrinker *s;
	unsigned long freed = 0;

	pthread_mutex_lock(&shrinker_lock);
	list_for_each_entry(s, &shrinkers, us_node) {
		struct shrink_control sc = {
			.gfp_mask = GFP_KERNEL,
			.nr_to_scan = nr_to_scan,
		};
		unsigned long n = s->count_objects(s, &sc);
		unsigned long r;

		if (!n || n == SHRINK_EMPTY)
			continue;
		sc.nr_to_scan = min(n, nr_to_scan);
		r = s->scan_objects(s, &sc);
		if (r != SHRINK_STOP)
			freed += r;
	}
	pthread_mutex_unlock(&shrinker_lock);
	return freed;
}
