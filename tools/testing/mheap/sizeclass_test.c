// SPDX-License-Identifier: GPL-2.0
/*
 * Userspace tests for mheap/sizeclass.c.
 *
 * Everything is checked exhaustively: the table invariants for every
 * class, the object index of every byte of a span of every class, the
 * class of every size up to MHEAP_MAX_SMALL + 1.  The last test runs the
 * table generator to make sure the checked-in tables are what it derives.
 *
 * Output: KTAP (ktap_test.h), one result per test, then "# Totals:".
 *
 * SRCTREE (set by the Makefile) is the path from the working directory
 * to the top of the source tree, for the generator test.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>

#include <linux/types.h>
#include <linux/bits.h>

#include "sizeclass.h"
#include "ktap_test.h"

#ifndef SRCTREE
#define SRCTREE		"../../.."
#endif

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#define PAGE		MHEAP_CLASS_PAGE_SIZE

static unsigned long span_bytes(unsigned int c)
{
	return (unsigned long)mheap_class_npages[c] * PAGE;
}

static bool is_pow2(unsigned long x)
{
	return x && !(x & (x - 1));
}

/* ---- tests ---- */

/*
 * The object sizes of the Go runtime's classes 1 .. 67, typed in from its
 * generated table as an independent reference.
 */
static const u16 go_sizes[] = {
	8, 16, 24, 32, 48, 64, 80, 96, 112, 128, 144, 160, 176, 192, 208,
	224, 240, 256, 288, 320, 352, 384, 416, 448, 480, 512, 576, 640, 704,
	768, 896, 1024, 1152, 1280, 1408, 1536, 1792, 2048, 2304, 2688, 3072,
	3200, 3456, 4096, 4864, 5376, 6144, 6528, 6784, 6912, 8192, 9472, 9728,
	10240, 10880, 12288, 13568, 14336, 16384, 18432, 19072, 20480, 21760,
	24576, 27264, 28672, 32768,
};

static void test_sizes_match_go(void)
{
	unsigned int c;

	CHECK(ARRAY_SIZE(go_sizes) == MHEAP_NUM_CLASSES - 1);
	for (c = 1; c < MHEAP_NUM_CLASSES; c++)
		if (!CHECK(mheap_class_size[c] == go_sizes[c - 1]))
			printf("# class %u: %u bytes, Go has %u\n",
			       c, mheap_class_size[c], go_sizes[c - 1]);
}

/* At least 8 objects per span up to a page, 4 above (mksizeclasses.py). */
static unsigned int min_objects(unsigned int size)
{
	return size <= PAGE ? 8 : 4;
}

static void test_table_invariants(void)
{
	unsigned int c, p, max_npages = 0;

	CHECK(mheap_class_size[0] == 0);
	CHECK(mheap_class_npages[0] == 0);
	CHECK(mheap_class_nelems[0] == 0);
	CHECK(mheap_class_divmagic[0] == 0);
	CHECK(mheap_class_size[MHEAP_NUM_CLASSES - 1] == MHEAP_MAX_SMALL);

	for (c = 1; c < MHEAP_NUM_CLASSES; c++) {
		unsigned int size = mheap_class_size[c];
		unsigned long span = span_bytes(c);

		CHECK(size > mheap_class_size[c - 1]);
		/* 8-byte granules; 16-byte alignment from 32 bytes on. */
		CHECK(size % 8 == 0);
		if (size >= 32)
			CHECK(size % 16 == 0);
		/* Keeps the coarse size-to-class table exact. */
		if (size > MHEAP_SMALL_SIZE_MAX)
			CHECK(size % MHEAP_LARGE_SIZE_DIV == 0);

		CHECK(mheap_class_npages[c] >= 1);
		CHECK(mheap_class_nelems[c] == span / size);
		CHECK(mheap_class_nelems[c] >= min_objects(size));
		CHECK(mheap_class_nelems[c] <= MHEAP_MAX_SPAN_OBJECTS);
		/* Tail waste at most 1/8 of the span ... */
		CHECK(span % size <= span / 8);
		/* ... and no shorter span would have been good enough. */
		for (p = 1; p < mheap_class_npages[c]; p++)
			CHECK((p * PAGE) % size > (p * PAGE) / 8 ||
			      (p * PAGE) / size < min_objects(size));

		CHECK(mheap_class_divmagic[c] == 0xffffffffU / size + 1);
		if (mheap_class_npages[c] > max_npages)
			max_npages = mheap_class_npages[c];
	}
	/* Four objects of 32 KiB: 32 pages. */
	CHECK(max_npages == 32);
	printf("# %u classes, longest span %u pages\n",
	       MHEAP_NUM_CLASSES - 1, max_npages);
}

/* mheap_obj_index() is exact for every byte of every span. */
static void test_obj_index(void)
{
	unsigned long checks = 0;
	unsigned int c, i, off;

	for (c = 1; c < MHEAP_NUM_CLASSES; c++) {
		unsigned int size = mheap_class_size[c];
		unsigned int n = mheap_class_nelems[c];
		u32 magic = mheap_class_divmagic[c];
		unsigned int span = span_bytes(c);
		unsigned int bad = 0;

		for (i = 0; i < n; i++) {
			for (off = 0; off < size; off++) {
				if (mheap_obj_index(i * size + off, magic) != i)
					bad++;
				checks++;
			}
		}
		/* The tail, and the first byte past the span. */
		for (off = n * size; off <= span; off++) {
			if (mheap_obj_index(off, magic) != n)
				bad++;
			checks++;
		}
		if (!CHECK(bad == 0))
			printf("# class %u (%u bytes): %u wrong indexes\n",
			       c, size, bad);
	}
	printf("# %lu offsets checked\n", checks);
}

/* Every size maps to the smallest class that holds it. */
static void test_size_to_class(void)
{
	unsigned int bad = 0;
	size_t s;

	CHECK(mheap_size_to_class(0) == 0);
	for (s = 1; s <= MHEAP_MAX_SMALL; s++) {
		unsigned int c = mheap_size_to_class(s);

		if (c < 1 || c >= MHEAP_NUM_CLASSES ||
		    mheap_class_size[c] < s ||
		    mheap_class_size[c - 1] >= s) {
			if (bad++ < 10)
				printf("# size %zu: class %u\n", s, c);
		}
	}
	CHECK(bad == 0);
	CHECK(mheap_size_to_class(MHEAP_MAX_SMALL + 1) == 0);
	CHECK(mheap_size_to_class(MHEAP_MAX_SMALL + MHEAP_LARGE_SIZE_DIV) == 0);
	CHECK(mheap_size_to_class(1UL << 32) == 0);
	CHECK(mheap_size_to_class((size_t)-1) == 0);

	/* A class's own size maps to it. */
	for (s = 1; s < MHEAP_NUM_CLASSES; s++)
		CHECK(mheap_size_to_class(mheap_class_size[s]) == s);
}

/*
 * Objects start at span base + i * size, and span bases are page
 * aligned.  So an object is aligned to the largest power of two dividing
 * its size, capped at the page size.  Like kmalloc(), a power-of-two
 * request up to a page gets a naturally aligned object.
 */
static void test_alignment(void)
{
	char list[512];
	unsigned int c, i, len = 0;
	unsigned long s;

	list[0] = '\0';
	for (c = 1; c < MHEAP_NUM_CLASSES; c++) {
		unsigned int size = mheap_class_size[c];
		unsigned int align = size & -size;

		if (align > PAGE)
			align = PAGE;
		for (i = 0; i < mheap_class_nelems[c]; i++)
			CHECK(((unsigned long)i * size) % align == 0);
		if (is_pow2(size)) {
			for (i = 0; i < mheap_class_nelems[c]; i++)
				CHECK(((unsigned long)i * size) %
				      (size < PAGE ? size : PAGE) == 0);
			len += snprintf(list + len, sizeof(list) - len,
					" %u(%u)", c, size);
			CHECK(len < sizeof(list));
		}
	}
	printf("# power-of-two classes (class(bytes)):%s\n", list);

	/* Every power of two up to the largest class is a class of its own. */
	for (s = 1; s <= MHEAP_MAX_SMALL; s <<= 1) {
		c = mheap_size_to_class(s);
		if (s >= 8)
			CHECK(mheap_class_size[c] == s);
		else
			CHECK(mheap_class_size[c] == 8);
	}
}

static void test_spanclass(void)
{
	unsigned int c, seen = 0;

	CHECK(MHEAP_NUM_SPANCLASSES <= 256);
	for (c = 0; c < MHEAP_NUM_CLASSES; c++) {
		u8 scan = mheap_make_spanclass(c, false);
		u8 noscan = mheap_make_spanclass(c, true);

		CHECK(scan == 2 * c);
		CHECK(noscan == 2 * c + 1);
		CHECK(mheap_spanclass_sizeclass(scan) == c);
		CHECK(mheap_spanclass_sizeclass(noscan) == c);
		CHECK(!mheap_spanclass_noscan(scan));
		CHECK(mheap_spanclass_noscan(noscan));
		CHECK(noscan < MHEAP_NUM_SPANCLASSES);
		seen += 2;
	}
	CHECK(seen == MHEAP_NUM_SPANCLASSES);
}

static int run_generator(const char *file, bool quiet)
{
	char cmd[1024];
	int rc;

	snprintf(cmd, sizeof(cmd),
		 "python3 %s/scripts/mksizeclasses.py --check %s%s", SRCTREE,
		 file, quiet ? " 2>/dev/null" : "");
	fflush(stdout);
	rc = system(cmd);
	if (rc == -1 || !WIFEXITED(rc))
		return -1;
	return WEXITSTATUS(rc);
}

/*
 * The checked-in table (and its copy in the documentation) is exactly
 * what the generator derives, and the check does notice a changed entry.
 */
static void test_generator(void)
{
	static const char sc[] = SRCTREE "/mheap/sizeclass.c";
	char tmp[] = "/tmp/sizeclass_test.XXXXXX";
	static char text[1 << 16];
	size_t len;
	char *p;
	FILE *f;
	int fd;

	CHECK(run_generator(sc, false) == 0);
	CHECK(run_generator(SRCTREE "/Documentation/sizeclasses.rst",
			    false) == 0);

	f = fopen(sc, "r");
	if (!CHECK(f))
		return;
	len = fread(text, 1, sizeof(text) - 1, f);
	fclose(f);
	CHECK(len > 0 && len < sizeof(text) - 1);
	text[len] = '\0';

	/* Change one divmagic digit inside the generated section. */
	p = strstr(text, "0x20000000");
	if (!CHECK(p))
		return;
	p[9] = '1';

	fd = mkstemp(tmp);
	if (!CHECK(fd >= 0))
		return;
	CHECK(write(fd, text, len) == (ssize_t)len);
	close(fd);
	CHECK(run_generator(tmp, true) == 1);
	unlink(tmp);
}

/* ---- driver ---- */

static const struct mheap_test tests[] = {
	{ "sizes_match_go", test_sizes_match_go },
	{ "table_invariants", test_table_invariants },
	{ "obj_index", test_obj_index },
	{ "size_to_class", test_size_to_class },
	{ "alignment", test_alignment },
	{ "spanclass", test_spanclass },
	{ "generator", test_generator },
};

int main(int argc, char **argv)
{
	return mheap_test_main(argc, argv, tests, ARRAY_SIZE(tests), NULL,
			       NULL);
}
