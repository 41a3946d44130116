// SPDX-License-Identifier: GPL-2.0
/*
 * Userspace tests for mheap/palloc.c.
 *
 * Crafted cases for the bitmap helpers and the tree, then long randomized
 * operation sequences checked against a reference model that keeps one
 * byte per page.  After every operation palloc_check() recomputes all
 * summaries and counters by brute force, and the bitmaps are compared with
 * the model page by page.
 *
 * Output: KTAP (ktap_test.h), one result per test, then "# Totals:".
 *
 * Built with -DPALLOC_FUZZ (see "make fuzz") the same randomized engine is
 * driven by fuzzer input instead of the seeded generator; the entry point's
 * name comes from -DFUZZ_ENTRY=... on the command line.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/types.h>
#include <linux/bits.h>
#include <linux/bug.h>
#include <linux/errno.h>

#include "palloc.h"

#ifdef PALLOC_FUZZ
#define MHEAP_TEST_ABORT
#endif
#include "ktap_test.h"

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#define CP		PALLOC_CHUNK_PAGES
#define ROOT_PAGES	(PALLOC_ROOT_CHUNKS * CP)

/* ---- warnings, on top of ktap_test.h ---- */

static int cur_warnings;
static bool expect_warnings;

void mheap_test_warn(const char *file, int line, const char *cond)
{
	cur_warnings++;
	if (!expect_warnings) {
		printf("# unexpected WARN_ON_ONCE(%s) at %s:%d\n",
		       cond, file, line);
#ifdef PALLOC_FUZZ
		abort();
#endif
	}
}

static u64 rng_state;

#ifdef PALLOC_FUZZ
static const u8 *fuzz_data;
static size_t fuzz_len;
static bool fuzz_done;
#endif

static u64 rnd(void)
{
#ifdef PALLOC_FUZZ
	if (fuzz_data) {
		u64 v = 0;

		if (fuzz_len < 2) {
			fuzz_done = true;
			return 0;
		}
		v = fuzz_data[0] | fuzz_data[1] << 8;
		fuzz_data += 2;
		fuzz_len -= 2;
		return v;
	}
#endif
	/* xorshift64* */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545F4914F6CDD1DULL;
}

static unsigned long rnd_below(unsigned long n)
{
	return n ? rnd() % n : 0;
}

static void seed(u64 s)
{
	rng_state = s * 0x9E3779B97F4A7C15ULL + 1;
}

static void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size);

	if (!p) {
		perror("calloc");
		exit(2);
	}
	return p;
}

/* ---- naive references ---- */

static bool bit_test(const u64 *map, unsigned long i)
{
	return map[i / 64] & BIT_ULL(i % 64);
}

static void bit_put(u64 *map, unsigned long i, bool v)
{
	if (v)
		map[i / 64] |= BIT_ULL(i % 64);
	else
		map[i / 64] &= ~BIT_ULL(i % 64);
}

static u64 naive_summary(const u64 *map, unsigned long nbits)
{
	unsigned long start = 0, most = 0, run = 0, i;
	bool head = true;

	for (i = 0; i < nbits; i++) {
		if (bit_test(map, i)) {
			head = false;
			run = 0;
			continue;
		}
		run++;
		if (head)
			start++;
		if (run > most)
			most = run;
	}
	return palloc_sum_pack(start, most, run);
}

static unsigned long naive_find(const u64 *map, unsigned long nbits,
				unsigned long n, unsigned long from)
{
	unsigned long i, run = 0;

	for (i = from; i < nbits; i++) {
		run = bit_test(map, i) ? 0 : run + 1;
		if (run == n)
			return i + 1 - n;
	}
	return PALLOC_NONE;
}

/* Random bitmap whose density and run structure vary from call to call. */
static void random_bitmap(u64 *map, unsigned int words)
{
	unsigned int i, style = rnd_below(5);

	for (i = 0; i < words; i++) {
		switch (style) {
		case 0:
			map[i] = rnd();
			break;
		case 1:
			map[i] = rnd() & rnd() & rnd();	/* sparse */
			break;
		case 2:
			map[i] = rnd() | rnd() | rnd();	/* dense */
			break;
		case 3:
			map[i] = rnd_below(3) ? 0 : rnd();
			break;
		default:
			map[i] = rnd_below(3) ? ~0ULL : rnd() & rnd();
			break;
		}
	}
	if (style >= 3 && rnd_below(2)) {
		/* A few long runs of set bits across word boundaries. */
		unsigned int k, at, len;

		for (k = 0; k < 3; k++) {
			at = rnd_below(words * 64);
			len = rnd_below(200);
			while (len-- && at < words * 64)
				bit_put(map, at++, true);
		}
	}
}

/* ---- allocator fixture ---- */

struct fixture {
	struct palloc p;
	u64 *sum[PALLOC_LEVELS];
	struct palloc_chunk **chunks;
};

static void fixture_init(struct fixture *f, unsigned long nchunks)
{
	unsigned int l;

	for (l = 0; l < PALLOC_LEVELS; l++) {
		unsigned long len = palloc_sum_len(nchunks, l);

		f->sum[l] = xcalloc(len, sizeof(u64));
		/* palloc_init() must clear the caller's arrays itself. */
		memset(f->sum[l], 0x5a, len * sizeof(u64));
	}
	f->chunks = xcalloc(nchunks, sizeof(*f->chunks));
	memset(f->chunks, 0x5a, nchunks * sizeof(*f->chunks));
	if (palloc_init(&f->p, nchunks, f->sum, f->chunks)) {
		printf("# palloc_init failed\n");
		exit(2);
	}
}

static int fixture_grow(struct fixture *f, unsigned long chunk,
			unsigned long n)
{
	struct palloc_chunk **st = xcalloc(n, sizeof(*st));
	unsigned long i;
	int ret;

	for (i = 0; i < n; i++) {
		st[i] = xcalloc(1, sizeof(**st));
		/* Storage arrives dirty; grow must zero it. */
		memset(st[i], 0xa5, sizeof(**st));
	}
	ret = palloc_grow(&f->p, chunk, n, st);
	if (ret)
		for (i = 0; i < n; i++)
			free(st[i]);
	free(st);
	return ret;
}

static int fixture_shrink(struct fixture *f, unsigned long chunk,
			  unsigned long n)
{
	struct palloc_chunk **out = xcalloc(n, sizeof(*out));
	unsigned long i;
	int ret;

	ret = palloc_shrink(&f->p, chunk, n, out);
	if (!ret)
		for (i = 0; i < n; i++)
			free(out[i]);
	free(out);
	return ret;
}

static void fixture_fini(struct fixture *f)
{
	unsigned long c;
	unsigned int l;

	for (c = 0; c < f->p.nchunks; c++)
		free(f->chunks[c]);
	free(f->chunks);
	for (l = 0; l < PALLOC_LEVELS; l++)
		free(f->sum[l]);
}

/* ---- crafted tests ---- */

static void test_sum_pack(void)
{
	static const unsigned long vals[] = {
		0, 1, 2, 63, 64, 511, 512, 4096, 65535, PALLOC_SUM_LIMIT - 1,
	};
	unsigned int a, b, c;
	u64 s;

	for (a = 0; a < ARRAY_SIZE(vals); a++)
		for (b = 0; b < ARRAY_SIZE(vals); b++)
			for (c = 0; c < ARRAY_SIZE(vals); c++) {
				s = palloc_sum_pack(vals[a], vals[b], vals[c]);
				CHECK(palloc_sum_start(s) == vals[a]);
				CHECK(palloc_sum_max(s) == vals[b]);
				CHECK(palloc_sum_end(s) == vals[c]);
			}
	s = palloc_sum_pack(PALLOC_SUM_LIMIT, PALLOC_SUM_LIMIT,
			    PALLOC_SUM_LIMIT);
	CHECK(s == PALLOC_SUM_FULL);
	CHECK(palloc_sum_start(s) == PALLOC_SUM_LIMIT);
	CHECK(palloc_sum_max(s) == PALLOC_SUM_LIMIT);
	CHECK(palloc_sum_end(s) == PALLOC_SUM_LIMIT);
	CHECK(palloc_sum_pack(0, 0, 0) == 0);
	CHECK(palloc_sum_len(4096, 0) == 1);
	CHECK(palloc_sum_len(4096, 1) == 8);
	CHECK(palloc_sum_len(8192, PALLOC_LEAF) == 8192);
	CHECK(palloc_level_log_pages(0) == PALLOC_SUM_BITS);
	CHECK(palloc_level_log_pages(PALLOC_LEAF) == PALLOC_CHUNK_SHIFT);
}

/* Merging the summaries of random bitmap slices equals summarizing all. */
static void test_sum_merge(void)
{
	u64 map[64], sums[8], part[8];
	unsigned int iter, i, j, n, log_bits;

	/* Crafted: free end of one child plus free start of the next. */
	sums[0] = palloc_sum_pack(0, 3, 3);
	sums[1] = palloc_sum_pack(5, 5, 0);
	CHECK(palloc_sum_merge(sums, 2, 4) == palloc_sum_pack(0, 8, 0));
	sums[0] = palloc_sum_pack(16, 16, 16);
	sums[1] = palloc_sum_pack(16, 16, 16);
	sums[2] = palloc_sum_pack(2, 9, 1);
	CHECK(palloc_sum_merge(sums, 3, 4) == palloc_sum_pack(34, 34, 1));
	sums[0] = 0;
	sums[1] = palloc_sum_pack(16, 16, 16);
	CHECK(palloc_sum_merge(sums, 2, 4) == palloc_sum_pack(0, 16, 16));

	/* Eight full root-sized children of a virtual super-root. */
	for (i = 0; i < 8; i++)
		sums[i] = PALLOC_SUM_FULL;
	CHECK(palloc_sum_max(palloc_sum_merge(sums, 1, 21)) == 1UL << 21);

	for (iter = 0; iter < 20000; iter++) {
		log_bits = 1 + rnd_below(9);	/* child width 2 .. 512 bits */
		n = 1 + rnd_below(8);
		random_bitmap(map, ARRAY_SIZE(map));
		for (i = 0; i < n; i++) {
			/* Summary of bits [i << log_bits, (i + 1) << log_bits) */
			unsigned long lo = (unsigned long)i << log_bits;
			unsigned long start = 0, most = 0, run = 0;
			bool head = true;

			for (j = 0; j < 1U << log_bits; j++) {
				if (bit_test(map, lo + j)) {
					head = false;
					run = 0;
					continue;
				}
				run++;
				start += head;
				most = run > most ? run : most;
			}
			part[i] = palloc_sum_pack(start, most, run);
		}
		if (!CHECK(palloc_sum_merge(part, n, log_bits) ==
			   naive_summary(map, (unsigned long)n << log_bits)))
			break;
	}
}

static void test_chunk_summarize(void)
{
	struct palloc_chunk c;
	unsigned int iter, i;

	memset(&c, 0, sizeof(c));
	CHECK(palloc_chunk_summarize(&c) == palloc_sum_pack(CP, CP, CP));
	memset(c.alloc, 0xff, sizeof(c.alloc));
	CHECK(palloc_chunk_summarize(&c) == 0);

	/* One used page at each position. */
	for (i = 0; i < CP; i++) {
		memset(c.alloc, 0, sizeof(c.alloc));
		bit_put(c.alloc, i, true);
		CHECK(palloc_chunk_summarize(&c) ==
		      palloc_sum_pack(i, i > CP - 1 - i ? i : CP - 1 - i,
				      CP - 1 - i));
	}

	/* Inner runs only: words 1000...0001 with a hole of 62. */
	for (i = 0; i < PALLOC_CHUNK_WORDS; i++)
		c.alloc[i] = BIT_ULL(63) | 1;
	CHECK(palloc_chunk_summarize(&c) == palloc_sum_pack(0, 62, 0));
	c.alloc[3] = BIT_ULL(63) | BIT_ULL(40) | 1;
	c.alloc[5] = 0xffffffff0000fff1ULL;
	CHECK(palloc_chunk_summarize(&c) == palloc_sum_pack(0, 62, 0));
	for (i = 0; i < PALLOC_CHUNK_WORDS; i++)
		c.alloc[i] = 0x8000f0f0f0f0f0f1ULL;
	c.alloc[6] = 0x8000000ff0f0f0f1ULL;	/* one inner run of 27 */
	CHECK(palloc_chunk_summarize(&c) == palloc_sum_pack(0, 27, 0));

	for (iter = 0; iter < 50000; iter++) {
		random_bitmap(c.alloc, PALLOC_CHUNK_WORDS);
		if (!CHECK(palloc_chunk_summarize(&c) ==
			   naive_summary(c.alloc, CP)))
			break;
	}
}

static void test_chunk_find(void)
{
	struct palloc_chunk c;
	unsigned long first, got, want, n, from;
	unsigned int iter, i;

	memset(&c, 0, sizeof(c));
	CHECK(palloc_chunk_find(&c, 512, 0, &first) == 0 && first == 0);
	CHECK(palloc_chunk_find(&c, 513, 0, &first) == PALLOC_NONE);
	CHECK(palloc_chunk_find(&c, 0, 0, &first) == PALLOC_NONE);
	CHECK(palloc_chunk_find(&c, 1, 511, &first) == 511 && first == 511);
	CHECK(palloc_chunk_find(&c, 2, 511, &first) == PALLOC_NONE);
	CHECK(palloc_chunk_find(&c, 1, 512, &first) == PALLOC_NONE);

	/* Used: words 0-1 except the top 3 bits of word 1; free after. */
	c.alloc[0] = ~0ULL;
	c.alloc[1] = ~0ULL >> 3;
	CHECK(palloc_chunk_find(&c, 1, 0, &first) == 125 && first == 125);
	CHECK(palloc_chunk_find(&c, 64, 0, &first) == 125 && first == 125);
	CHECK(palloc_chunk_find(&c, 387, 0, &first) == 125);
	CHECK(palloc_chunk_find(&c, 388, 0, &first) == PALLOC_NONE);
	CHECK(palloc_chunk_find(&c, 5, 127, &first) == 127 && first == 127);

	/* Small run only fits across a word boundary: 2 + 3 free bits. */
	memset(c.alloc, 0xff, sizeof(c.alloc));
	c.alloc[2] = ~(3ULL << 62);
	c.alloc[3] = ~7ULL;
	c.alloc[5] = ~(0xfULL << 20);
	CHECK(palloc_chunk_find(&c, 5, 0, &first) == 190 && first == 190);
	CHECK(palloc_chunk_find(&c, 4, 0, &first) == 190);
	CHECK(palloc_chunk_find(&c, 6, 0, &first) == PALLOC_NONE);
	CHECK(palloc_chunk_find(&c, 4, 191, &first) == 191 && first == 191);
	CHECK(palloc_chunk_find(&c, 4, 192, &first) == 340 && first == 192);
	CHECK(palloc_chunk_find(&c, 4, 341, &first) == PALLOC_NONE);

	/* Large run spanning three words with a ragged head and tail. */
	memset(c.alloc, 0xff, sizeof(c.alloc));
	c.alloc[1] = ~0ULL >> 10;		/* top 10 of word 1 free */
	c.alloc[2] = 0;
	c.alloc[3] = ~0x7fULL;			/* low 7 of word 3 free */
	CHECK(palloc_chunk_find(&c, 81, 0, &first) == 118 && first == 118);
	CHECK(palloc_chunk_find(&c, 82, 0, &first) == PALLOC_NONE);
	CHECK(palloc_chunk_find(&c, 70, 120, &first) == 120 && first == 120);

	for (iter = 0; iter < 40000; iter++) {
		random_bitmap(c.alloc, PALLOC_CHUNK_WORDS);
		for (i = 0; i < 4; i++) {
			n = rnd_below(3) ? 1 + rnd_below(80) : 1 + rnd_below(512);
			from = rnd_below(2) ? 0 : rnd_below(CP);
			got = palloc_chunk_find(&c, n, from, &first);
			want = naive_find(c.alloc, CP, n, from);
			if (!CHECK(got == want))
				return;
			if (want != PALLOC_NONE)
				CHECK(first == naive_find(c.alloc, CP, 1, from));
		}
	}
}

static void test_init_errors(void)
{
	u64 *sum[PALLOC_LEVELS];
	struct palloc_chunk *chunks[1];
	struct palloc p;
	struct fixture f;
	unsigned int l;

	for (l = 0; l < PALLOC_LEVELS; l++)
		sum[l] = NULL;
	CHECK(palloc_init(&p, 0, sum, chunks) == -EINVAL);
	CHECK(palloc_init(&p, 100, sum, chunks) == -EINVAL);
	CHECK(palloc_init(&p, 4097, sum, chunks) == -EINVAL);
	CHECK(palloc_init(&p, 4096, sum, chunks) == -EINVAL);	/* NULL sums */

	fixture_init(&f, 4096);
	CHECK(f.p.nchunks == 4096);
	CHECK(f.p.search_addr == 4096 * CP);
	CHECK(f.p.pages_present == 0 && f.p.pages_in_use == 0);
	CHECK(palloc_check(&f.p) == 0);
	CHECK(palloc_alloc(&f.p, 1) == PALLOC_NONE);
	CHECK(palloc_alloc(&f.p, 0) == PALLOC_NONE);
	fixture_fini(&f);
}

static void test_grow_shrink_errors(void)
{
	struct palloc_chunk *st[2] = { NULL, NULL };
	struct fixture f;
	unsigned long a;

	fixture_init(&f, 4096);
	CHECK(fixture_grow(&f, 4096, 1) == -EINVAL);
	CHECK(fixture_grow(&f, 4095, 2) == -EINVAL);
	CHECK(fixture_grow(&f, 0, 0) == -EINVAL);
	CHECK(palloc_grow(&f.p, 3, 1, st) == -EINVAL);
	CHECK(fixture_grow(&f, 4095, 1) == 0);
	CHECK(fixture_grow(&f, 10, 3) == 0);
	CHECK(fixture_grow(&f, 12, 2) == -EINVAL);	/* 12 present */
	CHECK(fixture_grow(&f, 8, 3) == -EINVAL);	/* 10 present */
	CHECK(f.p.pages_present == 4 * CP);
	CHECK(palloc_check(&f.p) == 0);

	CHECK(fixture_shrink(&f, 9, 2) == -EINVAL);	/* 9 absent */
	CHECK(fixture_shrink(&f, 4095, 2) == -EINVAL);
	CHECK(fixture_shrink(&f, 0, 0) == -EINVAL);
	a = palloc_alloc(&f.p, 1);
	CHECK(a == 10 * CP);
	CHECK(fixture_shrink(&f, 10, 3) == -EBUSY);
	CHECK(palloc_chunk_free(&f.p, 11) && !palloc_chunk_free(&f.p, 10));
	CHECK(!palloc_chunk_free(&f.p, 9) && !palloc_chunk_free(&f.p, 5000));
	CHECK(f.p.pages_present == 4 * CP && f.p.pages_in_use == 1);
	CHECK(palloc_check(&f.p) == 0);
	CHECK(fixture_shrink(&f, 11, 2) == 0);
	CHECK(f.p.pages_present == 2 * CP);
	CHECK(!f.chunks[11] && !f.chunks[12] && f.chunks[10]);
	CHECK(palloc_check(&f.p) == 0);
	palloc_free(&f.p, a, 1);
	CHECK(fixture_shrink(&f, 10, 1) == 0);
	CHECK(fixture_shrink(&f, 4095, 1) == 0);
	CHECK(f.p.pages_present == 0);
	CHECK(palloc_check(&f.p) == 0);
	CHECK(palloc_alloc(&f.p, 1) == PALLOC_NONE);
	fixture_fini(&f);
}

static void test_first_fit(void)
{
	struct fixture f;
	unsigned long a, b, c, d;

	fixture_init(&f, 4096);
	CHECK(fixture_grow(&f, 5, 1) == 0);
	CHECK(f.p.search_addr == 5 * CP);
	a = palloc_alloc(&f.p, 3);
	b = palloc_alloc(&f.p, 10);
	c = palloc_alloc(&f.p, 1);
	CHECK(a == 5 * CP && b == a + 3 && c == b + 10);
	palloc_free(&f.p, a, 3);
	CHECK(f.p.search_addr == a);
	/* 2 fits in the hole at a, 4 does not: it goes after c. */
	d = palloc_alloc(&f.p, 4);
	CHECK(d == c + 1);
	CHECK(palloc_alloc(&f.p, 2) == a);
	CHECK(palloc_alloc(&f.p, 1) == a + 2);
	CHECK(palloc_alloc(&f.p, 1) == d + 4);
	CHECK(palloc_check(&f.p) == 0);
	/* Free a middle page: the next single page goes exactly there. */
	palloc_free(&f.p, b + 4, 1);
	CHECK(palloc_check(&f.p) == 0);
	CHECK(palloc_alloc(&f.p, 1) == b + 4);
	CHECK(palloc_check(&f.p) == 0);
	fixture_fini(&f);
}

/* Runs straddling chunk and summary-level boundaries. */
static void test_cross_boundaries(void)
{
	static const unsigned long edges[] = { 1, 8, 64, 512, 4096, 4104 };
	struct fixture f;
	unsigned int i;

	fixture_init(&f, 8192);
	for (i = 0; i < ARRAY_SIZE(edges); i++) {
		unsigned long e = edges[i], a, b;

		CHECK(fixture_grow(&f, e - 1, 2) == 0);
		/* Leave 7 free pages before the boundary, then ask for 10. */
		a = palloc_alloc(&f.p, CP - 7);
		CHECK(a == (e - 1) * CP);
		b = palloc_alloc(&f.p, 10);
		CHECK(b == e * CP - 7);
		CHECK(palloc_check(&f.p) == 0);
		/* 600 pages cannot fit in what is left of chunk e. */
		CHECK(palloc_alloc(&f.p, 600) == PALLOC_NONE);
		palloc_free(&f.p, a, CP - 7);
		palloc_free(&f.p, b, 10);
		CHECK(palloc_check(&f.p) == 0);
		/* Whole two chunks, then release everything. */
		a = palloc_alloc(&f.p, 2 * CP);
		CHECK(a == (e - 1) * CP);
		CHECK(palloc_alloc(&f.p, 1) == PALLOC_NONE);
		palloc_free(&f.p, a, 2 * CP);
		CHECK(fixture_shrink(&f, e - 1, 2) == 0);
		CHECK(palloc_check(&f.p) == 0);
	}
	fixture_fini(&f);
}

/* An absent chunk splits runs; large runs work once it is grown. */
static void test_absent_breaks_runs(void)
{
	struct fixture f;
	unsigned long a;

	fixture_init(&f, 4096);
	CHECK(fixture_grow(&f, 0, 1) == 0);
	CHECK(fixture_grow(&f, 2, 1) == 0);
	CHECK(palloc_alloc(&f.p, CP + 1) == PALLOC_NONE);
	a = palloc_alloc(&f.p, CP - 1);
	CHECK(a == 0);
	/* Only the last page of chunk 0 is left: two pages go to chunk 2. */
	CHECK(palloc_alloc(&f.p, 2) == 2 * CP);
	CHECK(palloc_check(&f.p) == 0);
	CHECK(fixture_grow(&f, 1, 1) == 0);
	CHECK(f.p.search_addr <= CP - 1);
	/* Chunk 1 joins the last page of chunk 0, not chunk 2's free tail. */
	CHECK(palloc_alloc(&f.p, CP + 2) == PALLOC_NONE);
	CHECK(palloc_alloc(&f.p, CP + 1) == CP - 1);
	CHECK(palloc_alloc(&f.p, 1) == 2 * CP + 2);
	CHECK(palloc_check(&f.p) == 0);
	fixture_fini(&f);
}

/* Runs of several chunks, and across a whole root entry. */
static void test_huge_runs(void)
{
	struct fixture f;
	unsigned long a, b;

	fixture_init(&f, 8192);
	CHECK(fixture_grow(&f, 4090, 8) == 0);
	a = palloc_alloc(&f.p, 100);
	b = palloc_alloc(&f.p, 5 * CP + 37);
	CHECK(a == 4090 * CP && b == a + 100);
	CHECK(palloc_check(&f.p) == 0);
	palloc_free(&f.p, a, 100);
	palloc_free(&f.p, b + 200, 2 * CP);	/* partial free */
	CHECK(palloc_check(&f.p) == 0);
	/* Holes: 100 at a, 2 * CP at b + 200, the tail after b's run. */
	CHECK(palloc_alloc(&f.p, 2 * CP + 1) == b + 5 * CP + 37);
	CHECK(palloc_alloc(&f.p, 2 * CP) == b + 200);
	CHECK(palloc_alloc(&f.p, 101) == b + 7 * CP + 38);
	CHECK(palloc_alloc(&f.p, 100) == a);
	CHECK(palloc_check(&f.p) == 0);
	fixture_fini(&f);

	/* A fully free root entry uses the special summary encoding. */
	fixture_init(&f, 8192);
	CHECK(fixture_grow(&f, 0, 4096) == 0);
	CHECK(f.sum[0][0] == PALLOC_SUM_FULL);
	CHECK(fixture_grow(&f, 4096, 3) == 0);
	CHECK(palloc_check(&f.p) == 0);
	a = palloc_alloc(&f.p, ROOT_PAGES + 2 * CP);
	CHECK(a == 0);
	CHECK(f.sum[0][0] == 0);
	CHECK(palloc_alloc(&f.p, CP + 1) == PALLOC_NONE);
	CHECK(palloc_alloc(&f.p, CP) == ROOT_PAGES + 2 * CP);
	CHECK(palloc_check(&f.p) == 0);
	palloc_free(&f.p, 5, ROOT_PAGES - 5);
	CHECK(palloc_check(&f.p) == 0);
	CHECK(f.p.search_addr == 5);
	CHECK(palloc_alloc(&f.p, ROOT_PAGES - 5) == 5);
	CHECK(palloc_alloc(&f.p, 1) == PALLOC_NONE);
	CHECK(f.p.search_addr == 8192 * CP);
	CHECK(palloc_check(&f.p) == 0);
	fixture_fini(&f);
}

static void test_exhaust_then_grow(void)
{
	struct fixture f;
	unsigned long i, a;

	fixture_init(&f, 4096);
	CHECK(fixture_grow(&f, 100, 2) == 0);
	for (i = 0; i < 2 * CP; i++)
		if (!CHECK(palloc_alloc(&f.p, 1) == 100 * CP + i))
			break;
	CHECK(f.p.pages_in_use == 2 * CP);
	CHECK(palloc_alloc(&f.p, 1) == PALLOC_NONE);
	CHECK(f.p.search_addr == 4096 * CP);
	CHECK(palloc_alloc(&f.p, 5) == PALLOC_NONE);
	CHECK(palloc_check(&f.p) == 0);
	/* Growing above and below: first fit takes the lower one. */
	CHECK(fixture_grow(&f, 300, 1) == 0);
	CHECK(f.p.search_addr == 300 * CP);
	CHECK(fixture_grow(&f, 50, 1) == 0);
	CHECK(f.p.search_addr == 50 * CP);
	a = palloc_alloc(&f.p, 7);
	CHECK(a == 50 * CP);
	CHECK(palloc_alloc(&f.p, CP) == 300 * CP);
	CHECK(palloc_check(&f.p) == 0);
	/* A freed page in the middle is found once chunk 50 is full. */
	palloc_free(&f.p, 100 * CP + 300, 1);
	CHECK(palloc_alloc(&f.p, 2) == a + 7);
	CHECK(palloc_alloc(&f.p, 1) == a + 9);
	CHECK(palloc_alloc(&f.p, CP - 10) == a + 10);
	CHECK(palloc_alloc(&f.p, 1) == 100 * CP + 300);
	CHECK(palloc_alloc(&f.p, 1) == PALLOC_NONE);
	CHECK(palloc_check(&f.p) == 0);
	fixture_fini(&f);
}

/* Shrinking the chunk search_addr points into moves the hint past it. */
static void test_shrink_hint(void)
{
	struct fixture f;
	unsigned long a;

	fixture_init(&f, 4096);
	CHECK(fixture_grow(&f, 0, 1) == 0);
	CHECK(fixture_grow(&f, 2, 2) == 0);
	CHECK(fixture_grow(&f, 5, 1) == 0);
	a = palloc_alloc(&f.p, CP);
	CHECK(a == 0);
	CHECK(palloc_alloc(&f.p, 1) == 2 * CP);
	palloc_free(&f.p, 2 * CP, 1);
	CHECK(f.p.search_addr <= 2 * CP);
	CHECK(fixture_shrink(&f, 2, 2) == 0);
	CHECK(f.p.search_addr >= 4 * CP && f.p.search_addr <= 5 * CP);
	CHECK(palloc_check(&f.p) == 0);
	CHECK(palloc_alloc(&f.p, 3) == 5 * CP);
	CHECK(palloc_alloc(&f.p, CP) == PALLOC_NONE);
	CHECK(palloc_check(&f.p) == 0);
	fixture_fini(&f);
}

static unsigned long naive_hole(const struct fixture *f, unsigned long n)
{
	unsigned long c, i, nc = f->p.nchunks;

	if (!n)
		return PALLOC_NONE;
	for (c = 0; c + n <= nc; c++) {
		bool ok = (!c || !f->chunks[c - 1]) &&
			  (c + n == nc || !f->chunks[c + n]);

		for (i = 0; ok && i < n; i++)
			ok = !f->chunks[c + i];
		if (ok)
			return c;
	}
	return PALLOC_NONE;
}

static void test_find_hole(void)
{
	struct fixture f;
	unsigned long n;
	unsigned int iter;

	fixture_init(&f, 4096);
	CHECK(palloc_find_hole(&f.p, 1) == 0);
	CHECK(palloc_find_hole(&f.p, 4096) == 0);
	CHECK(palloc_find_hole(&f.p, 4097) == PALLOC_NONE);
	CHECK(palloc_find_hole(&f.p, 0) == PALLOC_NONE);
	CHECK(fixture_grow(&f, 0, 2) == 0);
	CHECK(palloc_find_hole(&f.p, 1) == 3);
	CHECK(palloc_find_hole(&f.p, 4093) == 3);
	CHECK(palloc_find_hole(&f.p, 4094) == PALLOC_NONE);
	CHECK(fixture_grow(&f, 5, 1) == 0);
	/* Gap 2..4: only chunk 3 has absent neighbours on both sides. */
	CHECK(palloc_find_hole(&f.p, 1) == 3);
	CHECK(palloc_find_hole(&f.p, 2) == 7);
	CHECK(fixture_grow(&f, 4095, 1) == 0);
	CHECK(palloc_find_hole(&f.p, 4087) == 7);
	CHECK(palloc_find_hole(&f.p, 4088) == PALLOC_NONE);
	fixture_fini(&f);

	fixture_init(&f, 4096);
	for (iter = 0; iter < 300; iter++) {
		unsigned long c = rnd_below(64);

		if (rnd_below(2))
			fixture_grow(&f, c, 1 + rnd_below(3));
		else
			fixture_shrink(&f, c, 1);
		n = 1 + rnd_below(6);
		if (!CHECK(palloc_find_hole(&f.p, n) == naive_hole(&f, n)))
			break;
	}
	fixture_fini(&f);
}

/* Freed runs inside a cache's block go to the cache, others do not. */
static void test_cache_free(void)
{
	struct palloc_cache pc = { 0 }, never = { 0 };
	struct fixture f;
	unsigned long a;

	fixture_init(&f, 4096);
	CHECK(fixture_grow(&f, 3, 1) == 0);
	CHECK(palloc_alloc(&f.p, 70) == 3 * CP);	/* pages 0..69 */
	CHECK(palloc_cache_fill(&f.p, &pc) == 0);
	CHECK(pc.base == 3 * CP + 64 && pc.cache == ~0ULL << 6);

	a = palloc_cache_alloc(&pc, 4);
	CHECK(a == 3 * CP + 70);
	CHECK(palloc_cache_free(&pc, a, 4));
	CHECK(pc.cache == ~0ULL << 6);
	/* A run palloc handed out, inside the block, joins the cache too. */
	CHECK(palloc_cache_free(&pc, 3 * CP + 64, 6));
	CHECK(pc.cache == ~0ULL && !pc.scav);
	/* For the palloc, cached pages stay in use. */
	CHECK(f.p.pages_in_use == 128);
	CHECK(palloc_check(&f.p) == 0);

	/* Outside the block, across its edges, empty runs: refused. */
	CHECK(!palloc_cache_free(&pc, 3 * CP, 64));
	CHECK(!palloc_cache_free(&pc, 3 * CP + 60, 6));
	CHECK(!palloc_cache_free(&pc, 3 * CP + 120, 10));
	CHECK(!palloc_cache_free(&pc, 3 * CP + 128, 1));
	CHECK(!palloc_cache_free(&pc, 3 * CP + 64, 0));
	CHECK(!palloc_cache_free(&never, 3 * CP + 1, 1));
	CHECK(pc.cache == ~0ULL && !never.cache);

	/* Flushed, the whole block is free for the palloc again. */
	palloc_cache_flush(&f.p, &pc);
	CHECK(f.p.pages_in_use == 64);
	CHECK(palloc_check(&f.p) == 0);
	CHECK(palloc_alloc(&f.p, 64) == 3 * CP + 64);
	fixture_fini(&f);
}

static void test_cache(void)
{
	struct palloc_cache pc = { 0 }, pc2 = { 0 };
	struct fixture f;
	unsigned long a, i;

	fixture_init(&f, 4096);
	CHECK(palloc_cache_fill(&f.p, &pc) == -ENOMEM);
	CHECK(fixture_grow(&f, 3, 1) == 0);
	a = palloc_alloc(&f.p, 70);			/* pages 0..69 */
	CHECK(a == 3 * CP);
	/* Mark some free pages of block 64..127 as released. */
	f.chunks[3]->scav[1] = 0xf0ULL << 8 | BIT_ULL(63);

	CHECK(palloc_cache_fill(&f.p, &pc) == 0);
	CHECK(pc.base == 3 * CP + 64);
	CHECK(pc.cache == ~0ULL << 6);
	CHECK(pc.scav == (0xf0ULL << 8 | BIT_ULL(63)));
	CHECK(f.chunks[3]->scav[1] == 0 && f.chunks[3]->alloc[1] == ~0ULL);
	CHECK(f.p.pages_in_use == 128);
	CHECK(f.p.search_addr == 3 * CP + 128);
	CHECK(palloc_check(&f.p) == 0);
	CHECK(palloc_cache_fill(&f.p, &pc) == -EBUSY);

	/* First fit inside the cache. */
	CHECK(palloc_cache_alloc(&pc, 1) == 3 * CP + 70);
	CHECK(palloc_cache_alloc(&pc, 16) == 3 * CP + 71);
	CHECK(!(pc.scav & (0xffffULL << 7)) && (pc.scav & BIT_ULL(63)));
	CHECK(palloc_cache_alloc(&pc, 0) == PALLOC_NONE);
	CHECK(palloc_cache_alloc(&pc, 65) == PALLOC_NONE);
	CHECK(palloc_cache_alloc(&pc, 42) == PALLOC_NONE);	/* 87..127 */
	CHECK(palloc_cache_alloc(&pc, 40) == 3 * CP + 87);
	CHECK(pc.cache == BIT_ULL(63) && pc.scav == BIT_ULL(63));

	/* The next palloc allocation skips the cached block. */
	CHECK(palloc_alloc(&f.p, 1) == 3 * CP + 128);

	/* A second cache takes the next block. */
	CHECK(palloc_cache_fill(&f.p, &pc2) == 0);
	CHECK(pc2.base == 3 * CP + 128 && pc2.cache == ~1ULL && !pc2.scav);
	CHECK(palloc_check(&f.p) == 0);

	/* Flush: free pages return, released bits come back. */
	palloc_cache_flush(&f.p, &pc);
	CHECK(!pc.cache && !pc.scav);
	CHECK(f.chunks[3]->scav[1] == BIT_ULL(63));
	CHECK(f.p.search_addr == 3 * CP + 127);
	CHECK(palloc_alloc(&f.p, 1) == 3 * CP + 127);
	CHECK(f.chunks[3]->scav[1] == 0);
	palloc_cache_flush(&f.p, &pc2);
	palloc_cache_flush(&f.p, &pc2);			/* empty: no-op */
	CHECK(f.p.pages_in_use == 70 + 1 + 16 + 40 + 1 + 1);
	CHECK(palloc_check(&f.p) == 0);

	/* Exhaust the chunk through caches. */
	for (i = 0; i < 10; i++) {
		if (palloc_cache_fill(&f.p, &pc))
			break;
		CHECK(palloc_check(&f.p) == 0);
		while (palloc_cache_alloc(&pc, 1) != PALLOC_NONE)
			;
	}
	CHECK(i == 6);		/* blocks 128, 192, ... 448 of chunk 3 */
	CHECK(f.p.pages_in_use == CP);
	CHECK(palloc_cache_fill(&f.p, &pc) == -ENOMEM);
	CHECK(f.p.search_addr == 4096 * CP);
	CHECK(palloc_check(&f.p) == 0);
	fixture_fini(&f);
}

static void test_bad_frees_warn(void)
{
	struct fixture f;
	unsigned long a;

	fixture_init(&f, 4096);
	CHECK(fixture_grow(&f, 0, 1) == 0);
	a = palloc_alloc(&f.p, 4);
	expect_warnings = true;
	palloc_free(&f.p, a, 2);
	CHECK(cur_warnings == 0);
	palloc_free(&f.p, a, 3);		/* pages 0, 1 already free */
	CHECK(cur_warnings == 1);
	CHECK(f.p.pages_in_use == 1);
	palloc_free(&f.p, CP, 1);		/* absent chunk */
	CHECK(cur_warnings == 2);
	palloc_free(&f.p, 4096 * CP - 1, 2);	/* beyond the space */
	CHECK(cur_warnings == 3);
	expect_warnings = false;
	cur_warnings = 0;
	CHECK(palloc_check(&f.p) == 0);
	fixture_fini(&f);
}

/* palloc_check() notices corruption. */
static void test_check_detects(void)
{
	struct fixture f;

	fixture_init(&f, 4096);
	CHECK(fixture_grow(&f, 9, 2) == 0);
	CHECK(palloc_alloc(&f.p, 3) == 9 * CP);
	CHECK(palloc_check(&f.p) == 0);
	f.chunks[10]->alloc[7] |= 1;		/* bitmap behind summaries */
	CHECK(palloc_check(&f.p) == -EINVAL);
	f.chunks[10]->alloc[7] = 0;
	f.sum[1][0] = 0;			/* stale upper level */
	CHECK(palloc_check(&f.p) == -EINVAL);
	f.sum[1][0] = f.sum[2][0];		/* same shape, still valid */
	CHECK(palloc_check(&f.p) == 0);
	f.p.search_addr = 9 * CP + 4;		/* page 3 free below it */
	CHECK(palloc_check(&f.p) == -EINVAL);
	f.p.search_addr = 9 * CP + 3;
	CHECK(palloc_check(&f.p) == 0);
	f.p.pages_in_use++;
	CHECK(palloc_check(&f.p) == -EINVAL);
	f.p.pages_in_use--;
	f.chunks[9]->scav[0] = 1;		/* released but in use */
	CHECK(palloc_check(&f.p) == -EINVAL);
	f.chunks[9]->scav[0] = 0;
	CHECK(palloc_check(&f.p) == 0);
	fixture_fini(&f);
}

/* ---- randomized operations against a reference model ---- */

enum { PG_ABSENT, PG_FREE, PG_USED, PG_CACHE };

#define NCACHE		2
#define MAX_LIVE	4096

struct run {
	unsigned long base, n;
};

struct sim {
	struct fixture f;
	unsigned long lo, hi;		/* chunk window used by the test */
	u8 *model;			/* PG_*, or PG_CACHE + cache index */
	u8 *scav;			/* model released bit for each page */
	struct run live[MAX_LIVE];
	unsigned int nlive;
	struct palloc_cache cache[NCACHE];
	unsigned long allocs, fails, grows, shrinks, fills, cache_frees;
	unsigned long cross, root;
};

static unsigned long model_first_fit(const struct sim *s, unsigned long n)
{
	unsigned long pg, run = 0;

	for (pg = s->lo * CP; pg < s->hi * CP; pg++) {
		run = s->model[pg] == PG_FREE ? run + 1 : 0;
		if (run == n)
			return pg + 1 - n;
	}
	return PALLOC_NONE;
}

static bool model_chunk_free(const struct sim *s, unsigned long chunk)
{
	unsigned long pg;

	for (pg = chunk * CP; pg < (chunk + 1) * CP; pg++)
		if (s->model[pg] != PG_FREE)
			return false;
	return true;
}

static bool sim_verify(struct sim *s)
{
	unsigned long pg, present = 0, used = 0;

	if (!CHECK(palloc_check(&s->f.p) == 0))
		return false;
	for (pg = s->lo * CP; pg < s->hi * CP; pg++) {
		const struct palloc_chunk *c = s->f.chunks[pg / CP];
		u8 m = s->model[pg];
		bool mscav = s->scav[pg];
		bool in_use;

		if (m == PG_ABSENT) {
			if (!CHECK(!c))
				return false;
			pg += CP - 1;
			continue;
		}
		present++;
		in_use = m != PG_FREE;
		if (!CHECK(c && bit_test(c->alloc, pg % CP) == in_use))
			return false;
		used += in_use;
		if (m >= PG_CACHE) {
			const struct palloc_cache *pc = &s->cache[m - PG_CACHE];
			unsigned long bit = pg - pc->base;

			if (!CHECK(bit < 64 && (pc->cache & BIT_ULL(bit)) &&
				   !!(pc->scav & BIT_ULL(bit)) == mscav &&
				   !bit_test(c->scav, pg % CP)))
				return false;
		} else if (!CHECK(bit_test(c->scav, pg % CP) == mscav)) {
			return false;
		}
	}
	return CHECK(s->f.p.pages_present == present) &&
	       CHECK(s->f.p.pages_in_use == used);
}

static void sim_alloc(struct sim *s)
{
	unsigned long r = rnd_below(100), n, want, got, i;

	if (s->nlive == MAX_LIVE)
		return;
	if (r < 50)
		n = 1 + rnd_below(8);
	else if (r < 75)
		n = 9 + rnd_below(56);
	else if (r < 90)
		n = 65 + rnd_below(CP);
	else if (r < 97)
		n = CP + rnd_below(3 * CP);
	else
		n = 4 * CP + rnd_below(12 * CP);
	want = model_first_fit(s, n);
	got = palloc_alloc(&s->f.p, n);
	if (!CHECK(got == want)) {
		printf("# alloc %lu: got %lu want %lu\n", n, got, want);
		return;
	}
	if (got == PALLOC_NONE) {
		s->fails++;
		return;
	}
	s->allocs++;
	s->cross += got / CP != (got + n - 1) / CP;
	s->root += got / ROOT_PAGES != (got + n - 1) / ROOT_PAGES;
	for (i = got; i < got + n; i++) {
		s->model[i] = PG_USED;
		s->scav[i] = 0;
	}
	s->live[s->nlive].base = got;
	s->live[s->nlive].n = n;
	s->nlive++;
}

static void sim_free(struct sim *s)
{
	unsigned long base, n, i;
	struct run *r;

	if (!s->nlive)
		return;
	r = &s->live[rnd_below(s->nlive)];
	base = r->base;
	n = r->n;
	if (n > 1 && rnd_below(5) == 0) {
		/* Free only a prefix or a suffix of the run. */
		unsigned long k = 1 + rnd_below(n - 1);

		if (rnd_below(2))
			r->base += k;
		else
			base += n - k;
		r->n -= k;
		n = k;
	} else {
		*r = s->live[--s->nlive];
	}
	palloc_free(&s->f.p, base, n);
	for (i = base; i < base + n; i++)
		s->model[i] = PG_FREE;
}

static void sim_grow(struct sim *s)
{
	unsigned long c, n, i;
	int want = 0;

	n = 1 + rnd_below(4);
	if (rnd_below(4) == 0) {
		c = palloc_find_hole(&s->f.p, n);
		if (c == PALLOC_NONE || c < s->lo || c + n > s->hi)
			return;
	} else {
		c = s->lo + rnd_below(s->hi - s->lo);
		n = c + n > s->hi ? s->hi - c : n;
	}
	for (i = c; i < c + n; i++)
		if (s->model[i * CP] != PG_ABSENT)
			want = -EINVAL;
	if (!CHECK(fixture_grow(&s->f, c, n) == want) || want)
		return;
	s->grows++;
	memset(s->model + c * CP, PG_FREE, n * CP);
	memset(s->scav + c * CP, 0, n * CP);
}

static void sim_shrink(struct sim *s)
{
	unsigned long c, n, i;
	int want = 0;

	c = s->lo + rnd_below(s->hi - s->lo);
	n = 1 + rnd_below(3);
	n = c + n > s->hi ? s->hi - c : n;
	for (i = c * CP; i < (c + n) * CP; i++) {
		if (s->model[i] == PG_ABSENT) {
			want = -EINVAL;
			break;
		}
		if (s->model[i] != PG_FREE)
			want = -EBUSY;
	}
	for (i = c; i < c + n; i++)
		CHECK(palloc_chunk_free(&s->f.p, i) == model_chunk_free(s, i));
	if (!CHECK(fixture_shrink(&s->f, c, n) == want) || want)
		return;
	s->shrinks++;
	memset(s->model + c * CP, PG_ABSENT, n * CP);
	memset(s->scav + c * CP, 0, n * CP);
}

/* Mark some free pages released, the way a scavenger would. */
static void sim_release(struct sim *s)
{
	unsigned long pg = s->lo * CP + rnd_below((s->hi - s->lo) * CP);
	unsigned long n = 1 + rnd_below(100);

	for (; n && pg < s->hi * CP; n--, pg++) {
		if (s->model[pg] != PG_FREE)
			continue;
		bit_put(s->f.chunks[pg / CP]->scav, pg % CP, true);
		s->scav[pg] = 1;
	}
}

static void sim_cache_fill(struct sim *s, unsigned int k)
{
	struct palloc_cache *pc = &s->cache[k];
	unsigned long f = model_first_fit(s, 1), pg;
	int want;

	want = pc->cache ? -EBUSY : f == PALLOC_NONE ? -ENOMEM : 0;
	if (!CHECK(palloc_cache_fill(&s->f.p, pc) == want) || want)
		return;
	s->fills++;
	CHECK(pc->base == (f & ~63UL));
	for (pg = pc->base; pg < pc->base + 64; pg++)
		if (s->model[pg] == PG_FREE)
			s->model[pg] = PG_CACHE + k;
}

static void sim_cache_alloc(struct sim *s, unsigned int k)
{
	struct palloc_cache *pc = &s->cache[k];
	unsigned long n = 1 + rnd_below(16), want = PALLOC_NONE, got, i;
	unsigned long run = 0;

	for (i = 0; i < 64 && pc->cache; i++) {
		run = s->model[pc->base + i] == PG_CACHE + k ? run + 1 : 0;
		if (run == n) {
			want = pc->base + i + 1 - n;
			break;
		}
	}
	if (s->nlive == MAX_LIVE)
		return;
	got = palloc_cache_alloc(pc, n);
	if (!CHECK(got == want) || got == PALLOC_NONE)
		return;
	for (i = got; i < got + n; i++) {
		s->model[i] = PG_USED;
		s->scav[i] = 0;
	}
	s->live[s->nlive].base = got;
	s->live[s->nlive].n = n;
	s->nlive++;
}

/* Free a live run into cache @k: taken only if it lies in its block. */
static void sim_cache_free(struct sim *s, unsigned int k)
{
	struct palloc_cache *pc = &s->cache[k];
	unsigned long base, n, i;
	struct run *r;
	bool want;

	if (!s->nlive)
		return;
	r = &s->live[rnd_below(s->nlive)];
	base = r->base;
	n = r->n;
	want = base >= pc->base && base + n <= pc->base + 64;
	if (!CHECK(palloc_cache_free(pc, base, n) == want) || !want)
		return;
	s->cache_frees++;
	*r = s->live[--s->nlive];
	for (i = base; i < base + n; i++)
		s->model[i] = PG_CACHE + k;
}

static void sim_cache_flush(struct sim *s, unsigned int k)
{
	struct palloc_cache *pc = &s->cache[k];
	unsigned long i;

	if (pc->cache)
		for (i = pc->base; i < pc->base + 64; i++)
			if (s->model[i] == PG_CACHE + k)
				s->model[i] = PG_FREE;
	palloc_cache_flush(&s->f.p, pc);
}

static void sim_run(u64 s_seed, unsigned long nchunks, unsigned long lo,
		    unsigned long hi, unsigned int ops)
{
	struct sim *s = xcalloc(1, sizeof(*s));
	unsigned int op, k, i;

	seed(s_seed);
	fixture_init(&s->f, nchunks);
	s->lo = lo;
	s->hi = hi;
	s->model = xcalloc(nchunks, CP);
	s->scav = xcalloc(nchunks, CP);

	for (op = 0; op < ops && !cur_failures; op++) {
		unsigned long r = rnd_below(100);

#ifdef PALLOC_FUZZ
		if (fuzz_done)
			break;
#endif
		/* Alternate filling and draining phases of 500 ops. */
		if ((op / 500) % 2 && r < 38 && rnd_below(4))
			r = 50;
		k = rnd_below(NCACHE);
		if (r < 38)
			sim_alloc(s);
		else if (r < 68)
			sim_free(s);
		else if (r < 75)
			sim_grow(s);
		else if (r < 81)
			sim_shrink(s);
		else if (r < 84)
			sim_release(s);
		else if (r < 88)
			sim_cache_fill(s, k);
		else if (r < 94)
			sim_cache_alloc(s, k);
		else if (r < 97)
			sim_cache_free(s, k);
		else
			sim_cache_flush(s, k);
		if (!sim_verify(s)) {
			printf("# seed %llu: inconsistent after op %u (r=%lu)\n",
			       (unsigned long long)s_seed, op, r);
			break;
		}
		if (r >= 68 && r < 81) {
			unsigned long n = 1 + rnd_below(5);
			unsigned long want = naive_hole(&s->f, n);

			CHECK(palloc_find_hole(&s->f.p, n) == want);
		}
	}
	/* Everything back: the heap must shrink to nothing. */
	for (k = 0; k < NCACHE; k++)
		sim_cache_flush(s, k);
	while (s->nlive && !cur_failures) {
		s->nlive--;
		palloc_free(&s->f.p, s->live[s->nlive].base,
			    s->live[s->nlive].n);
	}
	CHECK(s->f.p.pages_in_use == 0);
	for (i = lo; i < hi; i++)
		if (s->f.chunks[i])
			CHECK(fixture_shrink(&s->f, i, 1) == 0);
	CHECK(s->f.p.pages_present == 0 && palloc_check(&s->f.p) == 0);
#ifndef PALLOC_FUZZ
	printf("# seed %llu: allocs %lu (cross chunk %lu, root %lu) failed %lu\n",
	       (unsigned long long)s_seed, s->allocs, s->cross, s->root,
	       s->fails);
	printf("# seed %llu: grows %lu shrinks %lu cache fills %lu frees %lu\n",
	       (unsigned long long)s_seed, s->grows, s->shrinks, s->fills,
	       s->cache_frees);
#endif
	fixture_fini(&s->f);
	free(s->model);
	free(s->scav);
	free(s);
}

/* Window around the first root boundary: crosses every level's edges. */
static void test_random_root_edge(void)
{
	u64 sd;

	for (sd = 1; sd <= 3 && !cur_failures; sd++)
		sim_run(sd, 8192, 4096 - 20, 4096 + 20, 4000);
}

/* Window at the very start of the space; find_hole-driven growth. */
static void test_random_low(void)
{
	u64 sd;

	for (sd = 11; sd <= 13 && !cur_failures; sd++)
		sim_run(sd, 4096, 0, 40, 4000);
}

/* ---- driver ---- */

static const struct mheap_test tests[] = {
	{ "sum_pack", test_sum_pack },
	{ "sum_merge", test_sum_merge },
	{ "chunk_summarize", test_chunk_summarize },
	{ "chunk_find", test_chunk_find },
	{ "init_errors", test_init_errors },
	{ "grow_shrink_errors", test_grow_shrink_errors },
	{ "first_fit", test_first_fit },
	{ "cross_boundaries", test_cross_boundaries },
	{ "absent_breaks_runs", test_absent_breaks_runs },
	{ "huge_runs", test_huge_runs },
	{ "exhaust_then_grow", test_exhaust_then_grow },
	{ "shrink_hint", test_shrink_hint },
	{ "find_hole", test_find_hole },
	{ "cache", test_cache },
	{ "cache_free", test_cache_free },
	{ "bad_frees_warn", test_bad_frees_warn },
	{ "check_detects", test_check_detects },
	{ "random_root_edge", test_random_root_edge },
	{ "random_low", test_random_low },
};

#ifndef PALLOC_FUZZ
static void before_test(unsigned int i)
{
	cur_warnings = 0;
	seed(1000 + i);
}

/* A WARN the test did not ask for fails it. */
static int after_test(void)
{
	return cur_warnings && !expect_warnings;
}

int main(int argc, char **argv)
{
	return mheap_test_main(argc, argv, tests, ARRAY_SIZE(tests),
			       before_test, after_test);
}
#else
int FUZZ_ENTRY(const u8 *data, size_t size);

int FUZZ_ENTRY(const u8 *data, size_t size)
{
	fuzz_data = data;
	fuzz_len = size;
	fuzz_done = false;
	cur_failures = 0;
	sim_run(0, 4096, 0, 12, ~0U);
	fuzz_data = NULL;
	(void)tests;		/* only the engine runs under the fuzzer */
	return 0;
}
#endif /* PALLOC_FUZZ */
