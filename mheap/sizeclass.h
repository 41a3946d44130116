/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mheap size classes: the object sizes small allocations are rounded up
 * to, and how a span of each class is laid out.
 *
 * The 67 object sizes are those of the Go runtime.  Spans are made of
 * 4 KiB pages, and the pages per span were chosen for that page size; see
 * Documentation/sizeclasses.rst for the derivation and the whole table.
 *
 * Pure code and constant data, built into the module and into the
 * userspace tests in tools/testing/mheap.
 */
#ifndef _MHEAP_SIZECLASS_H
#define _MHEAP_SIZECLASS_H

#include <linux/types.h>
#include <linux/bits.h>

/* Exported to the KUnit module only; tools/testing/mheap stubs these. */
#include <linux/export.h>
#include <kunit/visibility.h>

/* Number of classes, counting class 0 ("no class": a large object). */
#define MHEAP_NUM_CLASSES	68

/* Largest request served by a size class; anything bigger is class 0. */
#define MHEAP_MAX_SMALL		32768

/*
 * Size to class lookup: one table entry every MHEAP_SMALL_SIZE_DIV bytes
 * up to MHEAP_SMALL_SIZE_MAX, one every MHEAP_LARGE_SIZE_DIV bytes above.
 */
#define MHEAP_SMALL_SIZE_MAX	1024
#define MHEAP_SMALL_SIZE_DIV	8
#define MHEAP_LARGE_SIZE_DIV	128

/*
 * Page size the span lengths below are counted in.  Kernel code using the
 * tables must make sure it is PAGE_SIZE.
 */
#define MHEAP_CLASS_PAGE_SHIFT	12
#define MHEAP_CLASS_PAGE_SIZE	BIT(MHEAP_CLASS_PAGE_SHIFT)

/* Most objects a span of any class holds (class 1: 8-byte objects). */
#define MHEAP_MAX_SPAN_OBJECTS	(MHEAP_CLASS_PAGE_SIZE / 8)

/*
 * Per class, indexed by class number; entry 0 of each is 0:
 *   size     object size in bytes, strictly increasing
 *   npages   pages (MHEAP_CLASS_PAGE_SIZE) in one span of the class
 *   nelems   objects in one span: npages * page size / size
 *   divmagic U32_MAX / size + 1, for mheap_obj_index()
 */
extern const u16 mheap_class_size[MHEAP_NUM_CLASSES];
extern const u8 mheap_class_npages[MHEAP_NUM_CLASSES];
extern const u16 mheap_class_nelems[MHEAP_NUM_CLASSES];
extern const u32 mheap_class_divmagic[MHEAP_NUM_CLASSES];

#define MHEAP_SIZE_TO_CLASS8_LEN	(MHEAP_SMALL_SIZE_MAX / MHEAP_SMALL_SIZE_DIV + 1)
#define MHEAP_SIZE_TO_CLASS128_LEN	\
	((MHEAP_MAX_SMALL - MHEAP_SMALL_SIZE_MAX) / MHEAP_LARGE_SIZE_DIV + 1)

/* Size to class, one entry per 8 bytes up to 1 KiB, per 128 above. */
extern const u8 mheap_size_to_class8[MHEAP_SIZE_TO_CLASS8_LEN];
extern const u8 mheap_size_to_class128[MHEAP_SIZE_TO_CLASS128_LEN];

/**
 * mheap_size_to_class() - size class of an allocation request
 * @size: requested bytes
 *
 * Inline: every allocation asks.
 *
 * Return: the smallest class whose objects hold @size bytes, or 0 if
 * @size is 0 or larger than %MHEAP_MAX_SMALL.
 */
static inline unsigned int mheap_size_to_class(size_t size)
{
	if (size <= MHEAP_SMALL_SIZE_MAX)
		return mheap_size_to_class8[(size + MHEAP_SMALL_SIZE_DIV - 1) /
					    MHEAP_SMALL_SIZE_DIV];
	if (size <= MHEAP_MAX_SMALL)
		return mheap_size_to_class128[(size - MHEAP_SMALL_SIZE_MAX +
					       MHEAP_LARGE_SIZE_DIV - 1) /
					      MHEAP_LARGE_SIZE_DIV];
	return 0;
}

/**
 * mheap_obj_index() - index of the object holding a byte of a span
 * @offset: byte offset from the start of the span, at most the span size
 * @divmagic: mheap_class_divmagic[] entry of the span's class
 *
 * A multiply and a shift instead of a division: the table generator
 * proves the result equal to @offset / size for every offset in a span.
 *
 * Return: @offset divided by the object size of the class.
 */
static inline unsigned int mheap_obj_index(unsigned int offset, u32 divmagic)
{
	return (u32)(((u64)offset * divmagic) >> 32);
}

/*
 * A span class is a size class plus a "noscan" bit (the objects hold no
 * pointers), packed as in Go: class << 1 | noscan.  All 136 values fit a
 * u8.
 */
#define MHEAP_NUM_SPANCLASSES	(MHEAP_NUM_CLASSES << 1)

static inline u8 mheap_make_spanclass(unsigned int sizeclass, bool noscan)
{
	return (u8)((sizeclass << 1) | noscan);
}

static inline unsigned int mheap_spanclass_sizeclass(u8 sc)
{
	return sc >> 1;
}

static inline bool mheap_spanclass_noscan(u8 sc)
{
	return sc & 1;
}

#endif /* _MHEAP_SIZECLASS_H */
