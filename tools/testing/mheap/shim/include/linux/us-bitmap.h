/* SPDX-License-Identifier: GPL-2.0 */
/* Userspace stand-in for <linux/bitmap.h> and <linux/find.h>. */
#ifndef _US_LINUX_BITMAP_H
#define _US_LINUX_BITMAP_H

static inline void bitmap_zero(unsigned long *dst, unsigned long nbits)
{
	memset(dst, 0, BITS_TO_LONGS(nbits) * sizeof(unsigned long));
}

static inline void bitmap_fill(unsigned long *dst, unsigned long nbits)
{
	memset(dst, 0xff, BITS_TO_LONGS(nbits) * sizeof(unsigned long));
}

static inline void bitmap_copy(unsigned long *dst, const unsigned long *src,
			       unsigned long nbits)
{
	memcpy(dst, src, BITS_TO_LONGS(nbits) * sizeof(unsigned long));
}

static inline unsigned long bitmap_weight(const unsigned long *src,
					  unsigned long nbits)
{
	unsigned long i, w = 0;

	for (i = 0; i < nbits / BITS_PER_LONG; i++)
		w += hweight_long(src[i]);
	if (nbits % BITS_PER_LONG)
		w += hweight_long(src[i] & (BIT(nbits % BITS_PER_LONG) - 1));
	return w;
}

static inline bool bitmap_empty(const unsigned long *src, unsigned long nbits)
{
	return bitmap_weight(src, nbits) == 0;
}

/* Lowest set bit at or above @off, or @size. */
static inline unsigned long find_next_bit(const unsigned long *addr,
					  unsigned long size, unsigned long off)
{
	unsigned long w;

	if (off >= size)
		return size;
	w = addr[BIT_WORD(off)] & (~0UL << (off % BITS_PER_LONG));
	off = round_down(off, BITS_PER_LONG);
	while (!w) {
		off += BITS_PER_LONG;
		if (off >= size)
			return size;
		w = addr[BIT_WORD(off)];
	}
	return min(off + __ffs(w), size);
}

static inline unsigned long find_next_zero_bit(const unsigned long *addr,
					       unsigned long size,
					       unsigned long off)
{
	unsigned long w;

	if (off >= size)
		return size;
	w = ~addr[BIT_WORD(off)] & (~0UL << (off % BITS_PER_LONG));
	off = round_down(off, BITS_PER_LONG);
	while (!w) {
		off += BITS_PER_LONG;
		if (off >= size)
			return size;
		w = ~addr[BIT_WORD(off)];
	}
	return min(off + __ffs(w), size);
}

#define find_first_bit(a, s)		find_next_bit(a, s, 0)
#define find_first_zero_bit(a, s)	find_next_zero_bit(a, s, 0)

#define for_each_set_bit(bit, addr, size)				\
	for ((bit) = 0; (bit) = find_next_bit((addr), (size), (bit)), (bit) < (size); (bit)++)
#define for_each_clear_bit(bit, addr, size)				\
	for ((bit) = 0; (bit) = find_next_zero_bit((addr), (size), (bit)), (bit) < (size); (bit)++)

#endif /* _US_LINUX_BITMAP_H */
