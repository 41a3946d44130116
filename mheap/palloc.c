// SPDX-License-Identifier: GPL-2.0
/*
 * mheap page allocator.
 *
 * The heap hands out runs of pages from its own page-number space,
 * [0, nchunks * 512).  Page numbers are logical: the kernel side maps every
 * present chunk onto real memory.  This file only decides which numbers are
 * free, in the manner of the Go runtime's page allocator.
 *
 * Bitmaps.  The space is cut into chunks of 512 pages.  A present chunk has
 * a struct palloc_chunk whose alloc bitmap holds one bit a page (1 = in
 * use).  An absent chunk (never grown, or shrunk away) has no bitmap and
 * counts as having no free page.
 *
 * Summaries.  Searching the bitmaps directly would be linear in the size
 * of the heap, so a five-level radix tree sits on top of them.  Each entry
 * describes the region below it with three numbers: the free pages at its
 * start, the longest free run inside it, the free pages at its end.  With
 * "start" and "end" a search can see runs that straddle two or more
 * neighbouring entries without descending into them.
 *
 *   level 0  |            R            |  one entry = 4096 chunks (2^21 pages)
 *            .  ______/  ...  \____    .
 *   level 1  | e | e | e | e | e | e | e | e |       512 chunks each
 *   level 2    ... 8 children an entry ...             64 chunks
 *   level 3                                             8 chunks
 *   level 4  | c | c | c | ... one entry a chunk ... | c |
 *              |
 *            alloc[8], scav[8]: 512 bits each
 *
 * Every level is a flat array supplied by the caller; the children of
 * entry i at level l are entries 8i..8i+7 at level l+1.  The root level is
 * as long as the space needs (nchunks / 4096 entries).
 *
 * Allocation is address-ordered first fit.  A search scans the root level
 * and then, at every level below, the eight children of the entry it came
 * from, in address order.  Either the pages at the end of some entries plus
 * the start of the following ones already form a long enough run (done:
 * the address is known without looking further), or the first child whose
 * longest run is big enough is entered.  At the leaf the chunk bitmap is
 * scanned a 64-bit word at a time.
 *
 * search_addr is a hint, not a cursor: every page below it is known to be
 * in use or absent.  Allocation raises it, free and grow lower it, and the
 * search skips everything below it at every level.
 */

#include <linux/types.h>
#include <linux/bits.h>
#include <linux/bitops.h>
#include <linux/bug.h>
#include <linux/errno.h>
#include <linux/limits.h>
#include <linux/minmax.h>
#include <linux/string.h>

#include "palloc.h"

/*
 * Largest space accepted: page numbers must fit an unsigned long with
 * room to spare, so that PALLOC_NONE is never a valid page.
 */
#define PALLOC_MAX_CHUNKS	(ULONG_MAX >> (PALLOC_CHUNK_SHIFT + 1))

#define CHUNK_FREE_SUM	palloc_sum_pack(PALLOC_CHUNK_PAGES,		\
					PALLOC_CHUNK_PAGES,		\
					PALLOC_CHUNK_PAGES)

static inline unsigned long chunk_of(unsigned long page)
{
	return page >> PALLOC_CHUNK_SHIFT;
}

static inline unsigned int page_in_chunk(unsigned long page)
{
	return page & (PALLOC_CHUNK_PAGES - 1);
}

/* Chunks below one entry of @level, as a shift. */
static inline unsigned int level_chunk_shift(unsigned int level)
{
	return PALLOC_LEVEL_BITS * (PALLOC_LEAF - level);
}

/* Bits [lo, lo + n) of a word; 1 <= n, lo + n <= 64. */
static inline u64 word_mask(unsigned int lo, unsigned int n)
{
	return GENMASK_ULL(lo + n - 1, lo);
}

/*
 * Lowest bit index i such that bits i .. i + n - 1 of @x are all set, or 64
 * if there is none; 1 <= n <= 64.
 *
 * After "x &= x >> s", bit i of x is set only if bit i and bit i + s were
 * both set before.  We keep the property "bit i set <=> the n' bits from i
 * up are all set" while n' grows towards n, at most doubling each step, so
 * the loop runs about log2(n) times.
 */
static unsigned int word_find_run(u64 x, unsigned int n)
{
	unsigned int have = 1;

	while (x && have < n) {
		unsigned int step = min(have, n - have);

		x &= x >> step;
		have += step;
	}
	return x ? (unsigned int)__ffs64(x) : 64;
}

/* Free pages below the lowest set bit of @used (64 if none is set). */
static inline unsigned int word_head(u64 used)
{
	return used ? (unsigned int)__ffs64(used) : 64;
}

/* Free pages above the highest set bit of @used (64 if none is set). */
static inline unsigned int word_tail(u64 used)
{
	return 64 - fls64(used);
}

/*
 * Longest run of clear bits strictly between the lowest and the highest set
 * bit of @used (which must not be 0).
 */
static unsigned int word_inner_run(u64 used)
{
	unsigned int best = 0;
	u64 x = used >> __ffs64(used);

	/* x has bit 0 set; as long as it is not of the form 0..01..1 ... */
	while (x & (x + 1)) {
		unsigned int zeros;

		/* ... drop the low ones, then measure the zeros above them. */
		x >>= __ffs64(~x);
		zeros = __ffs64(x);
		best = max(best, zeros);
		x >>= zeros;
	}
	return best;
}

/**
 * palloc_sum_merge() - summary of consecutive regions
 * @sums: summaries of @n consecutive, equally sized regions
 * @n: number of summaries, at least 1
 * @log_pages: log2 of the pages in each region
 *
 * Used both for a parent entry (@n = 8) and, by palloc_check(), for a flat
 * recomputation over many leaves.
 *
 * Return: the summary of the concatenated region.
 */
u64 palloc_sum_merge(const u64 *sums, unsigned long n, unsigned int log_pages)
{
	unsigned long whole = 1UL << log_pages;
	unsigned long start = palloc_sum_start(sums[0]);
	unsigned long most = palloc_sum_max(sums[0]);
	unsigned long end = palloc_sum_end(sums[0]);
	unsigned long i;

	for (i = 1; i < n; i++) {
		unsigned long s = palloc_sum_start(sums[i]);
		unsigned long m = palloc_sum_max(sums[i]);
		unsigned long e = palloc_sum_end(sums[i]);

		/* The head run only grows while everything so far is free. */
		if (start == i * whole)
			start += s;
		most = max3(most, m, end + s);
		end = e == whole ? end + whole : e;
	}
	return palloc_sum_pack(start, most, end);
}
EXPORT_SYMBOL_IF_KUNIT(palloc_sum_merge);

/**
 * palloc_chunk_summarize() - summary of one chunk bitmap
 * @c: the chunk
 *
 * Return: the packed start/max/end of the free pages of @c.
 */
u64 palloc_chunk_summarize(const struct palloc_chunk *c)
{
	unsigned long start = 0, most = 0, run = 0;
	bool seen_used = false;
	unsigned int w;

	/* Runs that touch a word boundary: heads and tails of the words. */
	for (w = 0; w < PALLOC_CHUNK_WORDS; w++) {
		u64 used = c->alloc[w];

		if (!used) {
			run += 64;
			continue;
		}
		run += __ffs64(used);
		if (!seen_used) {
			start = run;
			seen_used = true;
		}
		most = max(most, run);
		run = word_tail(used);
	}
	if (!seen_used)
		return CHUNK_FREE_SUM;
	most = max(most, run);

	/*
	 * Runs wholly inside one word.  Only look at a word whose inner free
	 * bits could beat the best run so far.
	 */
	for (w = 0; w < PALLOC_CHUNK_WORDS && most < 62; w++) {
		u64 used = c->alloc[w];
		unsigned int inner;

		if (!used)
			continue;
		inner = 64 - hweight64(used) - word_head(used) -
			word_tail(used);
		if (inner > most)
			most = max_t(unsigned long, most, word_inner_run(used));
	}
	return palloc_sum_pack(start, most, run);
}
EXPORT_SYMBOL_IF_KUNIT(palloc_chunk_summarize);

/* First fit of 1 to 64 pages: a run fits in a word or across one boundary. */
static unsigned long chunk_find_small(const u64 *map, unsigned int n,
				      unsigned int from,
				      unsigned long *first_free)
{
	unsigned int w, tail = 0;

	for (w = from / 64; w < PALLOC_CHUNK_WORDS; w++) {
		u64 used = map[w];
		unsigned int j;

		if (w == from / 64 && from % 64)
			used |= word_mask(0, from % 64);
		if (used == ~0ULL) {
			tail = 0;
			continue;
		}
		if (*first_free == PALLOC_NONE)
			*first_free = w * 64 + __ffs64(~used);
		/* The previous word's tail plus this word's head. */
		if (tail + word_head(used) >= n)
			return w * 64 - tail;
		j = word_find_run(~used, n);
		if (j < 64)
			return w * 64 + j;
		tail = word_tail(used);
	}
	return PALLOC_NONE;
}

/* First fit of more than 64 pages: a run must cover at least a free word. */
static unsigned long chunk_find_large(const u64 *map, unsigned int n,
				      unsigned int from,
				      unsigned long *first_free)
{
	unsigned int w, run = 0, run_start = 0;

	for (w = from / 64; w < PALLOC_CHUNK_WORDS; w++) {
		u64 used = map[w];

		if (w == from / 64 && from % 64)
			used |= word_mask(0, from % 64);
		if (used == ~0ULL) {
			run = 0;
			continue;
		}
		if (*first_free == PALLOC_NONE)
			*first_free = w * 64 + __ffs64(~used);
		if (!used) {
			if (!run)
				run_start = w * 64;
			run += 64;
			if (run >= n)
				return run_start;
			continue;
		}
		if (run + word_head(used) >= n)
			return run_start;
		run = word_tail(used);
		run_start = (w + 1) * 64 - run;
	}
	return PALLOC_NONE;
}

/**
 * palloc_chunk_find() - first fit inside one chunk bitmap
 * @c: the chunk
 * @npages: run length wanted, 1 to %PALLOC_CHUNK_PAGES
 * @from: ignore pages below this index
 * @first_free: set to the first free page at or above @from, or to
 *	%PALLOC_NONE; only exact up to the returned run
 *
 * Return: index in the chunk of the lowest run of @npages free pages at or
 * above @from, or %PALLOC_NONE.
 */
unsigned long palloc_chunk_find(const struct palloc_chunk *c,
				unsigned long npages, unsigned int from,
				unsigned long *first_free)
{
	*first_free = PALLOC_NONE;
	if (!npages || npages > PALLOC_CHUNK_PAGES || from >= PALLOC_CHUNK_PAGES)
		return PALLOC_NONE;
	if (npages <= 64)
		return chunk_find_small(c->alloc, npages, from, first_free);
	return chunk_find_large(c->alloc, npages, from, first_free);
}

/*
 * Set (@set) or clear bits [start, start + n) of one chunk bitmap.
 * Return: how many bits changed value.
 */
static unsigned long bits_assign(u64 *map, unsigned int start, unsigned int n,
				 bool set)
{
	unsigned long changed = 0;

	while (n) {
		unsigned int w = start / 64, lo = start % 64;
		unsigned int len = min(n, 64 - lo);
		u64 mask = word_mask(lo, len);

		if (set) {
			changed += hweight64(~map[w] & mask);
			map[w] |= mask;
		} else {
			changed += hweight64(map[w] & mask);
			map[w] &= ~mask;
		}
		start += len;
		n -= len;
	}
	return changed;
}

/*
 * Mark pages [base, base + npages) in use (@alloc) or free.  Allocation also
 * clears the released bits.  Every chunk touched must be present.
 * Return: how many pages changed state.
 */
static unsigned long range_assign(struct palloc *p, unsigned long base,
				  unsigned long npages, bool alloc)
{
	unsigned long changed = 0;

	while (npages) {
		struct palloc_chunk *c = p->chunks[chunk_of(base)];
		unsigned int lo = page_in_chunk(base);
		unsigned int len = min_t(unsigned long, npages,
					 PALLOC_CHUNK_PAGES - lo);

		changed += bits_assign(c->alloc, lo, len, alloc);
		if (alloc)
			bits_assign(c->scav, lo, len, false);
		base += len;
		npages -= len;
	}
	return changed;
}

/* Are all chunks under pages [base, base + npages) present? */
static bool range_present(const struct palloc *p, unsigned long base,
			  unsigned long npages)
{
	unsigned long c, last;

	if (!npages || npages > palloc_npages(p) ||
	    base > palloc_npages(p) - npages)
		return false;
	last = chunk_of(base + npages - 1);
	for (c = chunk_of(base); c <= last; c++)
		if (!p->chunks[c])
			return false;
	return true;
}

/*
 * Recompute the summaries above leaves [first, last] (inclusive), level by
 * level, stopping as soon as a level comes out unchanged.
 */
static void update_upper(struct palloc *p, unsigned long first,
			 unsigned long last)
{
	int l;

	for (l = PALLOC_LEAF - 1; l >= 0; l--) {
		unsigned int shift = level_chunk_shift(l);
		unsigned int child_pages = palloc_level_log_pages(l + 1);
		unsigned long i;
		bool changed = false;

		for (i = first >> shift; i <= last >> shift; i++) {
			const u64 *kids = &p->sum[l + 1][i * PALLOC_FANOUT];
			u64 sum = palloc_sum_merge(kids, PALLOC_FANOUT,
						   child_pages);

			if (sum != p->sum[l][i]) {
				p->sum[l][i] = sum;
				changed = true;
			}
		}
		if (!changed)
			return;
	}
}

/* Refresh the leaf summaries of chunks [first, last] and all above them. */
static void update_chunks(struct palloc *p, unsigned long first,
			  unsigned long last)
{
	u64 *leaf = p->sum[PALLOC_LEAF];
	bool changed = false;
	unsigned long c;

	for (c = first; c <= last; c++) {
		u64 sum = p->chunks[c] ? palloc_chunk_summarize(p->chunks[c]) : 0;

		if (sum != leaf[c]) {
			leaf[c] = sum;
			changed = true;
		}
	}
	if (changed)
		update_upper(p, first, last);
}

static void update_range(struct palloc *p, unsigned long base,
			 unsigned long npages)
{
	update_chunks(p, chunk_of(base), chunk_of(base + npages - 1));
}

/*
 * Window of pages known to hold the first free page, narrowed while the
 * search keeps following the lowest free entry.  Once the search passes an
 * entry with free pages and goes on, later regions lie outside the window
 * and leave it alone.
 */
struct free_window {
	unsigned long lo, hi;	/* inclusive */
};

static void window_narrow(struct free_window *fw, unsigned long base,
			  unsigned long npages)
{
	unsigned long last = base + npages - 1;

	if (base >= fw->lo && last <= fw->hi) {
		fw->lo = base;
		fw->hi = last;
	} else {
		/* Partial overlap would mean inconsistent summaries. */
		WARN_ON_ONCE(last >= fw->lo && base <= fw->hi);
	}
}

/*
 * Slow path: walk the summary tree from the root for the lowest run of
 * @npages free pages.  On success also returns, in @hint, a page below
 * which nothing is free.
 */
static unsigned long tree_find(const struct palloc *p, unsigned long npages,
			       unsigned long *hint)
{
	struct free_window fw = { 0, palloc_npages(p) - 1 };
	unsigned long i = 0, idx, first;
	unsigned int l;

	for (l = 0; l < PALLOC_LEVELS; l++) {
		unsigned int lp = palloc_level_log_pages(l);
		unsigned long whole = 1UL << lp;
		unsigned long width, j, j0 = 0, sidx;
		unsigned long run = 0, run_base = 0;
		bool descend = false;

		/* The root is scanned whole; other levels one family of 8. */
		if (l) {
			i *= PALLOC_FANOUT;
			width = PALLOC_FANOUT;
		} else {
			width = palloc_sum_len(p->nchunks, 0);
		}
		sidx = p->search_addr >> lp;
		if (sidx >= i && sidx < i + width)
			j0 = sidx - i;

		for (j = j0; j < width; j++) {
			u64 sum = p->sum[l][i + j];
			unsigned long s;

			if (!sum) {
				run = 0;
				continue;
			}
			window_narrow(&fw, (i + j) << lp, whole);
			s = palloc_sum_start(sum);
			if (run + s >= npages) {
				/* Pending run plus this entry's head: done. */
				if (!run)
					run_base = (i + j) << lp;
				*hint = fw.lo;
				return run_base;
			}
			if (palloc_sum_max(sum) >= npages) {
				i += j;
				descend = true;
				break;
			}
			if (run && s == whole) {
				run += whole;
			} else {
				run = palloc_sum_end(sum);
				run_base = ((i + j + 1) << lp) - run;
			}
		}
		if (!descend) {
			/* Below the root, the parent promised a fit. */
			WARN_ON_ONCE(l);
			return PALLOC_NONE;
		}
	}

	/* i is now the index of a chunk whose longest run is big enough. */
	idx = palloc_chunk_find(p->chunks[i], npages, 0, &first);
	if (WARN_ON_ONCE(idx == PALLOC_NONE))
		return PALLOC_NONE;
	window_narrow(&fw, (i << PALLOC_CHUNK_SHIFT) + first,
		      PALLOC_CHUNK_PAGES - first);
	*hint = fw.lo;
	return (i << PALLOC_CHUNK_SHIFT) + idx;
}

/*
 * Lowest run of @npages free pages, or PALLOC_NONE; @hint as for tree_find().
 * Tries the chunk under search_addr before walking the tree.
 */
static unsigned long find_run(struct palloc *p, unsigned long npages,
			      unsigned long *hint)
{
	unsigned long ci = chunk_of(p->search_addr);
	unsigned int from = page_in_chunk(p->search_addr);
	unsigned long idx, first;

	if (ci >= p->nchunks)
		return PALLOC_NONE;

	/*
	 * Nothing below search_addr is free, so a run wholly inside this
	 * chunk is also lower than any run that starts here and crosses into
	 * the next chunk.
	 */
	if (npages <= PALLOC_CHUNK_PAGES - from &&
	    palloc_sum_max(p->sum[PALLOC_LEAF][ci]) >= npages) {
		idx = palloc_chunk_find(p->chunks[ci], npages, from, &first);
		if (!WARN_ON_ONCE(idx == PALLOC_NONE)) {
			*hint = (ci << PALLOC_CHUNK_SHIFT) + first;
			return (ci << PALLOC_CHUNK_SHIFT) + idx;
		}
	}
	return tree_find(p, npages, hint);
}

/**
 * palloc_init() - set up an empty allocator
 * @p: allocator to initialise
 * @nchunks: size of the page-number space in chunks, a non-zero multiple
 *	of %PALLOC_ROOT_CHUNKS
 * @sum: caller-provided summary arrays, palloc_sum_len(@nchunks, level)
 *	entries each; zeroed here
 * @chunks: caller-provided array of @nchunks pointers; cleared here
 *
 * No chunk is present afterwards: use palloc_grow() to add some.
 *
 * Return: 0, or -EINVAL for a bad size or a missing array.
 */
int palloc_init(struct palloc *p, unsigned long nchunks,
		u64 *sum[PALLOC_LEVELS], struct palloc_chunk **chunks)
{
	unsigned int l;

	if (!nchunks || nchunks % PALLOC_ROOT_CHUNKS ||
	    nchunks > PALLOC_MAX_CHUNKS || !chunks)
		return -EINVAL;
	for (l = 0; l < PALLOC_LEVELS; l++)
		if (!sum[l])
			return -EINVAL;

	p->nchunks = nchunks;
	for (l = 0; l < PALLOC_LEVELS; l++) {
		p->sum[l] = sum[l];
		memset(sum[l], 0, palloc_sum_len(nchunks, l) * sizeof(u64));
	}
	p->chunks = chunks;
	memset(chunks, 0, nchunks * sizeof(*chunks));
	p->search_addr = palloc_npages(p);
	p->pages_present = 0;
	p->pages_in_use = 0;
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(palloc_init);

/**
 * palloc_alloc() - allocate a run of pages
 * @p: the allocator
 * @npages: run length, at least 1; runs may span several present chunks
 *
 * Picks the lowest-numbered run of @npages free pages (address-ordered first
 * fit) and marks it in use.
 *
 * Return: the first page of the run, or %PALLOC_NONE if no run fits.
 */
unsigned long palloc_alloc(struct palloc *p, unsigned long npages)
{
	unsigned long base, hint, done;

	if (!npages || npages > palloc_npages(p))
		return PALLOC_NONE;

	base = find_run(p, npages, &hint);
	if (base == PALLOC_NONE) {
		/* Not a single free page: say so for the next caller. */
		if (npages == 1)
			p->search_addr = palloc_npages(p);
		return PALLOC_NONE;
	}

	done = range_assign(p, base, npages, true);
	WARN_ON_ONCE(done != npages);
	p->pages_in_use += done;
	update_range(p, base, npages);
	if (hint > p->search_addr)
		p->search_addr = hint;
	return base;
}
EXPORT_SYMBOL_IF_KUNIT(palloc_alloc);

/**
 * palloc_free() - free a run of pages
 * @p: the allocator
 * @base: first page
 * @npages: number of pages; all must be in use, in present chunks
 *
 * The run need not match an earlier palloc_alloc() call: any range of
 * in-use pages can be freed.  Freeing pages of absent chunks is refused
 * with a warning; freeing free pages warns once and is otherwise harmless.
 */
void palloc_free(struct palloc *p, unsigned long base, unsigned long npages)
{
	unsigned long done;

	if (!npages)
		return;
	if (WARN_ON_ONCE(!range_present(p, base, npages)))
		return;

	done = range_assign(p, base, npages, false);
	WARN_ON_ONCE(done != npages);
	p->pages_in_use -= done;
	update_range(p, base, npages);
	if (base < p->search_addr)
		p->search_addr = base;
}
EXPORT_SYMBOL_IF_KUNIT(palloc_free);

/**
 * palloc_grow() - make absent chunks present
 * @p: the allocator
 * @chunk: first chunk
 * @n: number of chunks, at least 1
 * @storage: @n bitmaps supplied by the caller, one for each chunk, in order;
 *	they are zeroed (every page free) and owned by @p until shrunk
 *
 * Return: 0, or -EINVAL if the range is outside the space, a chunk in it is
 * already present or a storage pointer is NULL (nothing changes then).
 */
int palloc_grow(struct palloc *p, unsigned long chunk, unsigned long n,
		struct palloc_chunk *storage[])
{
	u64 *leaf = p->sum[PALLOC_LEAF];
	unsigned long i;

	if (!n || chunk >= p->nchunks || n > p->nchunks - chunk)
		return -EINVAL;
	for (i = 0; i < n; i++)
		if (p->chunks[chunk + i] || !storage[i])
			return -EINVAL;

	for (i = 0; i < n; i++) {
		memset(storage[i], 0, sizeof(*storage[i]));
		p->chunks[chunk + i] = storage[i];
		leaf[chunk + i] = CHUNK_FREE_SUM;
	}
	update_upper(p, chunk, chunk + n - 1);
	p->pages_present += n << PALLOC_CHUNK_SHIFT;
	if (chunk << PALLOC_CHUNK_SHIFT < p->search_addr)
		p->search_addr = chunk << PALLOC_CHUNK_SHIFT;
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(palloc_grow);

/**
 * palloc_shrink() - make entirely free chunks absent
 * @p: the allocator
 * @chunk: first chunk
 * @n: number of chunks, at least 1
 * @out: receives the @n bitmaps, for the caller to free
 *
 * Return: 0; -EINVAL if the range is outside the space or holds an absent
 * chunk; -EBUSY if any page in the range is in use.  Nothing changes on
 * error.
 */
int palloc_shrink(struct palloc *p, unsigned long chunk, unsigned long n,
		  struct palloc_chunk *out[])
{
	u64 *leaf = p->sum[PALLOC_LEAF];
	unsigned long i, lo, hi;

	if (!n || chunk >= p->nchunks || n > p->nchunks - chunk)
		return -EINVAL;
	for (i = chunk; i < chunk + n; i++)
		if (!p->chunks[i])
			return -EINVAL;
	for (i = chunk; i < chunk + n; i++)
		if (leaf[i] != CHUNK_FREE_SUM)
			return -EBUSY;

	for (i = 0; i < n; i++) {
		out[i] = p->chunks[chunk + i];
		p->chunks[chunk + i] = NULL;
		leaf[chunk + i] = 0;
	}
	update_upper(p, chunk, chunk + n - 1);
	p->pages_present -= n << PALLOC_CHUNK_SHIFT;

	/* The removed pages are gone, so the hint may skip past them. */
	lo = chunk << PALLOC_CHUNK_SHIFT;
	hi = (chunk + n) << PALLOC_CHUNK_SHIFT;
	if (p->search_addr >= lo && p->search_addr < hi)
		p->search_addr = hi;
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(palloc_shrink);

/**
 * palloc_chunk_free() - is a chunk present with no page in use?
 * @p: the allocator
 * @chunk: chunk index
 *
 * Return: true if @chunk is present and every page of it is free, i.e.
 * palloc_shrink() would accept it.
 */
bool palloc_chunk_free(const struct palloc *p, unsigned long chunk)
{
	return chunk < p->nchunks && p->chunks[chunk] &&
	       p->sum[PALLOC_LEAF][chunk] == CHUNK_FREE_SUM;
}
EXPORT_SYMBOL_IF_KUNIT(palloc_chunk_free);

/**
 * palloc_find_hole() - where to grow @n chunks
 * @p: the allocator
 * @n: number of chunks wanted, at least 1
 *
 * Finds the lowest run of @n absent chunks whose neighbours on both sides
 * are absent too (or beyond the ends of the space).  Growing there never
 * makes the new region adjacent to an existing one, so no run of pages can
 * span two separately grown regions.
 *
 * Return: the first chunk of the run, or %PALLOC_NONE.
 */
unsigned long palloc_find_hole(const struct palloc *p, unsigned long n)
{
	unsigned long c, gap = 0;

	if (!n || n > p->nchunks)
		return PALLOC_NONE;

	/* gap: absent chunks seen in a row, ending just before chunk c. */
	for (c = 0; c <= p->nchunks; c++) {
		unsigned long lo, hi;

		if (c < p->nchunks && !p->chunks[c]) {
			gap++;
			continue;
		}
		if (!gap)
			continue;
		/* Absent gap [c - gap, c): keep a guard chunk on each side. */
		lo = c - gap;
		hi = c;
		if (lo)
			lo++;
		if (hi < p->nchunks)
			hi--;
		if (hi >= lo && hi - lo >= n)
			return lo;
		gap = 0;
	}
	return PALLOC_NONE;
}
EXPORT_SYMBOL_IF_KUNIT(palloc_find_hole);

/* Leaf summary recomputed one bit at a time, for palloc_check(). */
static u64 slow_summarize(const struct palloc_chunk *c)
{
	unsigned long start = 0, most = 0, run = 0;
	bool head = true;
	unsigned int i;

	for (i = 0; i < PALLOC_CHUNK_PAGES; i++) {
		if (c->alloc[i / 64] & BIT_ULL(i % 64)) {
			head = false;
			run = 0;
			continue;
		}
		run++;
		if (head)
			start++;
		most = max(most, run);
	}
	return palloc_sum_pack(start, most, run);
}

/**
 * palloc_check() - verify the allocator against its bitmaps
 * @p: the allocator
 *
 * Recomputes every leaf summary bit by bit and every upper summary as one
 * flat merge of all the leaves below it (instead of the tree's merge of
 * eight children), recounts present and in-use pages and checks that no
 * page below search_addr is free and that no in-use page is marked
 * released.  Slow; meant for tests.
 *
 * Return: 0 if everything is consistent, -EINVAL otherwise.
 */
int palloc_check(const struct palloc *p)
{
	const u64 *leaf = p->sum[PALLOC_LEAF];
	unsigned long present = 0, in_use = 0, c, i;
	unsigned int l, w;

	if (p->search_addr > palloc_npages(p))
		return -EINVAL;

	for (c = 0; c < p->nchunks; c++) {
		const struct palloc_chunk *ch = p->chunks[c];
		unsigned long base = c << PALLOC_CHUNK_SHIFT;

		if (!ch) {
			if (leaf[c])
				return -EINVAL;
			continue;
		}
		if (leaf[c] != slow_summarize(ch))
			return -EINVAL;
		present += PALLOC_CHUNK_PAGES;
		for (w = 0; w < PALLOC_CHUNK_WORDS; w++) {
			u64 used = ch->alloc[w];
			unsigned long wbase = base + w * 64;

			in_use += hweight64(used);
			if (used & ch->scav[w])
				return -EINVAL;
			/* Free pages below search_addr break the hint. */
			if (~used && wbase + __ffs64(~used) < p->search_addr)
				return -EINVAL;
		}
	}
	if (present != p->pages_present || in_use != p->pages_in_use)
		return -EINVAL;

	for (l = 0; l < PALLOC_LEAF; l++) {
		unsigned int shift = level_chunk_shift(l);

		for (i = 0; i < palloc_sum_len(p->nchunks, l); i++) {
			u64 want = palloc_sum_merge(&leaf[i << shift],
						    1UL << shift,
						    PALLOC_CHUNK_SHIFT);

			if (p->sum[l][i] != want)
				return -EINVAL;
		}
	}
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(palloc_check);

/**
 * palloc_cache_fill() - move a block of free pages into a page cache
 * @p: the allocator
 * @c: an empty cache
 *
 * Takes the 64-page aligned block holding the lowest free page and moves
 * every free page of it into @c; for @p those pages are then in use.
 *
 * Return: 0; -EBUSY if @c is not empty; -ENOMEM if no page is free.
 */
int palloc_cache_fill(struct palloc *p, struct palloc_cache *c)
{
	unsigned long ci = chunk_of(p->search_addr);
	unsigned long page, hint, first;
	struct palloc_chunk *ch;
	unsigned int w;
	u64 avail;

	if (c->cache)
		return -EBUSY;
	if (ci >= p->nchunks)
		return -ENOMEM;

	page = PALLOC_NONE;
	if (p->sum[PALLOC_LEAF][ci]) {
		unsigned long idx;

		idx = palloc_chunk_find(p->chunks[ci], 1,
					page_in_chunk(p->search_addr), &first);
		if (!WARN_ON_ONCE(idx == PALLOC_NONE))
			page = (ci << PALLOC_CHUNK_SHIFT) + idx;
	}
	if (page == PALLOC_NONE) {
		page = tree_find(p, 1, &hint);
		if (page == PALLOC_NONE) {
			p->search_addr = palloc_npages(p);
			return -ENOMEM;
		}
	}

	ch = p->chunks[chunk_of(page)];
	w = page_in_chunk(page) / 64;
	avail = ~ch->alloc[w];
	c->base = page & ~(PALLOC_CACHE_PAGES - 1UL);
	c->cache = avail;
	c->scav = ch->scav[w] & avail;
	ch->alloc[w] = ~0ULL;
	ch->scav[w] &= ~avail;
	p->pages_in_use += hweight64(avail);
	update_chunks(p, chunk_of(page), chunk_of(page));

	/* Everything up to the end of the block is in use now. */
	p->search_addr = max(p->search_addr, c->base + PALLOC_CACHE_PAGES);
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(palloc_cache_fill);

/**
 * palloc_cache_alloc() - first fit inside a page cache
 * @c: the cache
 * @npages: run length, 1 to %PALLOC_CACHE_PAGES (callers use it for small
 *	runs only)
 *
 * Return: first page of the run, now owned by the caller, or %PALLOC_NONE
 * if @c has no such run.
 */
unsigned long palloc_cache_alloc(struct palloc_cache *c, unsigned long npages)
{
	unsigned int i;
	u64 mask;

	if (!npages || npages > PALLOC_CACHE_PAGES || !c->cache)
		return PALLOC_NONE;
	i = word_find_run(c->cache, npages);
	if (i >= PALLOC_CACHE_PAGES)
		return PALLOC_NONE;
	mask = word_mask(i, npages);
	c->cache &= ~mask;
	c->scav &= ~mask;
	return c->base + i;
}
EXPORT_SYMBOL_IF_KUNIT(palloc_cache_alloc);

/**
 * palloc_cache_free() - take a freed run back into a page cache
 * @c: the cache
 * @page: first page of a run in use, from @c or not
 * @npages: run length, at least 1
 *
 * A run inside the 64-page block @c covers stays in use for the palloc and
 * becomes free in @c, as if @c had been filled with it: freeing it costs
 * no palloc update, and the next allocation from @c may reuse it.  That
 * holds for any run in use in the block, so @c need not be the cache the
 * run came from, nor hold pages.  Released pages are never in use, so the
 * run joins @c backed.
 *
 * Return: true if @c took the run; false if it is not inside @c's block.
 */
bool palloc_cache_free(struct palloc_cache *c, unsigned long page,
		       unsigned long npages)
{
	unsigned long off = page - c->base;
	u64 mask;

	if (page < c->base || off >= PALLOC_CACHE_PAGES || !npages ||
	    npages > PALLOC_CACHE_PAGES - off)
		return false;
	mask = word_mask(off, npages);
	/* Free in the cache already: not a run in use. */
	if (WARN_ON_ONCE(c->cache & mask))
		return false;
	c->cache |= mask;
	return true;
}
EXPORT_SYMBOL_IF_KUNIT(palloc_cache_free);

/**
 * palloc_cache_flush() - give a cache's free pages back
 * @p: the allocator the cache was filled from
 * @c: the cache; empty afterwards
 */
void palloc_cache_flush(struct palloc *p, struct palloc_cache *c)
{
	struct palloc_chunk *ch;
	unsigned long ci;
	unsigned int w;

	if (!c->cache)
		goto out;
	ci = chunk_of(c->base);
	w = page_in_chunk(c->base) / 64;
	ch = ci < p->nchunks ? p->chunks[ci] : NULL;
	if (WARN_ON_ONCE(!ch || (ch->alloc[w] & c->cache) != c->cache))
		goto out;

	ch->alloc[w] &= ~c->cache;
	ch->scav[w] |= c->scav & c->cache;
	p->pages_in_use -= hweight64(c->cache);
	update_chunks(p, ci, ci);
	p->search_addr = min(p->search_addr, c->base + __ffs64(c->cache));
out:
	c->cache = 0;
	c->scav = 0;
}
EXPORT_SYMBOL_IF_KUNIT(palloc_cache_flush);
