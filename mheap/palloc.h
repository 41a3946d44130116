/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mheap page allocator: first-fit allocation of page numbers, driven by a
 * radix tree of free-run summaries over per-chunk bitmaps.
 *
 * This is pure algorithm code.  It never allocates, locks or prints: the
 * caller owns every byte of storage and serialises all calls.  The same
 * source is built into the module and into the userspace test harness in
 * tools/testing/mheap.
 */
#ifndef _MHEAP_PALLOC_H
#define _MHEAP_PALLOC_H

#include <linux/types.h>
#include <linux/bits.h>

/*
 * The functions are exported to the KUnit module only; tools/testing/mheap
 * has stub headers for these two.
 */
#include <linux/export.h>
#include <kunit/visibility.h>

/* Pages per chunk: one leaf bitmap describes this many pages. */
#define PALLOC_CHUNK_SHIFT	9
#define PALLOC_CHUNK_PAGES	BIT(PALLOC_CHUNK_SHIFT)
#define PALLOC_CHUNK_WORDS	(PALLOC_CHUNK_PAGES / 64)

/* Summary tree: level 0 is the root, the leaf level has one entry a chunk. */
#define PALLOC_LEVELS		5
#define PALLOC_LEAF		(PALLOC_LEVELS - 1)
#define PALLOC_LEVEL_BITS	3
#define PALLOC_FANOUT		BIT(PALLOC_LEVEL_BITS)

/* Chunks below one root entry; the logical space is a multiple of this. */
#define PALLOC_ROOT_SHIFT	(PALLOC_LEVEL_BITS * PALLOC_LEAF)
#define PALLOC_ROOT_CHUNKS	BIT(PALLOC_ROOT_SHIFT)

/*
 * A summary packs three 21-bit counts (free pages at the start, longest
 * free run, free pages at the end) into a u64.  A root entry spans exactly
 * 2^21 pages, one more than 21 bits hold: that "entirely free root entry"
 * value is encoded as bit 63 alone.
 */
#define PALLOC_SUM_BITS		21
#define PALLOC_SUM_LIMIT	BIT(PALLOC_SUM_BITS)
#define PALLOC_SUM_MASK		(PALLOC_SUM_LIMIT - 1)
#define PALLOC_SUM_FULL		BIT_ULL(63)

/* "No such page" for every function returning a page index. */
#define PALLOC_NONE		(~0UL)

/* Pages held by one struct palloc_cache. */
#define PALLOC_CACHE_PAGES	64

/*
 * Bitmaps of one chunk.  alloc: 1 = page in use.  scav: 1 = page released
 * (not backed); only meaningful for free pages, cleared on allocation.
 */
struct palloc_chunk {
	u64 alloc[PALLOC_CHUNK_WORDS];
	u64 scav[PALLOC_CHUNK_WORDS];
};

/**
 * struct palloc - page-number allocator state
 * @nchunks: size of the page-number space in chunks (a multiple of
 *	%PALLOC_ROOT_CHUNKS)
 * @sum: summary arrays, one a level, palloc_sum_len() entries each; a
 *	summary of 0 means "no free page", which is also what absent chunks
 *	have
 * @chunks: @nchunks bitmap pointers, NULL for a chunk that is not present
 * @search_addr: no page below this index is free (a search hint)
 * @pages_present: pages in present chunks
 * @pages_in_use: pages of present chunks whose alloc bit is set
 *
 * All storage is supplied by the caller, who also serialises every call.
 */
struct palloc {
	unsigned long nchunks;
	u64 *sum[PALLOC_LEVELS];
	struct palloc_chunk **chunks;
	unsigned long search_addr;
	unsigned long pages_present;
	unsigned long pages_in_use;
};

/**
 * struct palloc_cache - up to 64 free pages taken out of a palloc
 * @base: first page of the 64-page aligned block the cache covers
 * @cache: bit n set = page @base + n is free in the cache
 * @scav: bit n set = page @base + n is released (only for free bits)
 *
 * A cache is empty when @cache is 0; an all-zero struct is empty.
 */
struct palloc_cache {
	unsigned long base;
	u64 cache;
	u64 scav;
};

/* log2 of the pages covered by one summary entry at @level. */
static inline unsigned int palloc_level_log_pages(unsigned int level)
{
	return PALLOC_CHUNK_SHIFT + PALLOC_LEVEL_BITS * (PALLOC_LEAF - level);
}

/**
 * palloc_sum_len() - number of summary entries at one level
 * @nchunks: size of the page-number space in chunks
 * @level: summary level, 0 (root) to %PALLOC_LEAF
 *
 * Return: how many u64s the caller must provide for palloc.sum[@level].
 */
static inline unsigned long palloc_sum_len(unsigned long nchunks,
					   unsigned int level)
{
	return nchunks >> (PALLOC_LEVEL_BITS * (PALLOC_LEAF - level));
}

/* Number of pages in the page-number space of @p. */
static inline unsigned long palloc_npages(const struct palloc *p)
{
	return p->nchunks << PALLOC_CHUNK_SHIFT;
}

/**
 * palloc_sum_pack() - build a summary
 * @start: free pages at the start of the region
 * @most: longest run of free pages in the region
 * @end: free pages at the end of the region
 *
 * Each count must be at most %PALLOC_SUM_LIMIT, and only a region that is
 * entirely free may have @most equal to it.
 *
 * Return: the packed summary.
 */
static inline u64 palloc_sum_pack(unsigned long start, unsigned long most,
				  unsigned long end)
{
	if (most == PALLOC_SUM_LIMIT)
		return PALLOC_SUM_FULL;
	return (u64)(start & PALLOC_SUM_MASK) |
	       (u64)(most & PALLOC_SUM_MASK) << PALLOC_SUM_BITS |
	       (u64)(end & PALLOC_SUM_MASK) << (2 * PALLOC_SUM_BITS);
}

static inline unsigned long palloc_sum_start(u64 sum)
{
	if (sum & PALLOC_SUM_FULL)
		return PALLOC_SUM_LIMIT;
	return sum & PALLOC_SUM_MASK;
}

static inline unsigned long palloc_sum_max(u64 sum)
{
	if (sum & PALLOC_SUM_FULL)
		return PALLOC_SUM_LIMIT;
	return (sum >> PALLOC_SUM_BITS) & PALLOC_SUM_MASK;
}

static inline unsigned long palloc_sum_end(u64 sum)
{
	if (sum & PALLOC_SUM_FULL)
		return PALLOC_SUM_LIMIT;
	return (sum >> (2 * PALLOC_SUM_BITS)) & PALLOC_SUM_MASK;
}

u64 palloc_sum_merge(const u64 *sums, unsigned long n, unsigned int log_pages);
u64 palloc_chunk_summarize(const struct palloc_chunk *c);
unsigned long palloc_chunk_find(const struct palloc_chunk *c,
				unsigned long npages, unsigned int from,
				unsigned long *first_free);

int palloc_init(struct palloc *p, unsigned long nchunks,
		u64 *sum[PALLOC_LEVELS], struct palloc_chunk **chunks);
unsigned long palloc_alloc(struct palloc *p, unsigned long npages);
void palloc_free(struct palloc *p, unsigned long base, unsigned long npages);
int palloc_grow(struct palloc *p, unsigned long chunk, unsigned long n,
		struct palloc_chunk *storage[]);
int palloc_shrink(struct palloc *p, unsigned long chunk, unsigned long n,
		  struct palloc_chunk *out[]);
bool palloc_chunk_free(const struct palloc *p, unsigned long chunk);
unsigned long palloc_find_hole(const struct palloc *p, unsigned long n);
int palloc_check(const struct palloc *p);

int palloc_cache_fill(struct palloc *p, struct palloc_cache *c);
unsigned long palloc_cache_alloc(struct palloc_cache *c, unsigned long npages);
bool palloc_cache_free(struct palloc_cache *c, unsigned long page,
		       unsigned long npages);
void palloc_cache_flush(struct palloc *p, struct palloc_cache *c);

#endif /* _MHEAP_PALLOC_H */
