// SPDX-License-Identifier: GPL-2.0
/*
 * Shadow updates for the hooks of mheap/hooks.h, built with generic KASAN
 * only.
 */
#include <linux/kasan.h>
#include <linux/mm.h>
#include <linux/vmalloc.h>
#include "hooks.h"

/* Exported by mm/kasan for tests and modules; not in a public header. */
void kasan_poison(const void *addr, size_t size, u8 value, bool init);

#define MHEAP_KASAN_GRANULE	BIT(KASAN_SHADOW_SCALE_SHIFT)

/* The shadow is not instrumented memory: write it without checks. */
static __no_sanitize_address void set_last_granule(const void *p, size_t n)
{
	u8 *shadow = kasan_mem_to_shadow(p + round_down(n, MHEAP_KASAN_GRANULE));

	*shadow = n & (MHEAP_KASAN_GRANULE - 1);
}

/* Without KASAN_VMALLOC the vmalloc area's shadow is a read-only page. */
static bool shadow_writable(const void *p)
{
	return IS_ENABLED(CONFIG_KASAN_VMALLOC) || !is_vmalloc_addr(p);
}

/**
 * mheap_unpoison() - make [@p, @p + @n) accessible, the rest of its granule not
 * @p: start, granule aligned
 * @n: bytes
 */
void mheap_unpoison(const void *p, size_t n)
{
	if (!shadow_writable(p))
		return;
	kasan_poison(p, round_up(n, MHEAP_KASAN_GRANULE), 0, false);
	if (n & (MHEAP_KASAN_GRANULE - 1))
		set_last_granule(p, n);
}

/**
 * mheap_poison() - make [@p, @p + @n) inaccessible
 * @p: start, granule aligned
 * @n: bytes, rounded up to the granule
 * @value: the shadow value KASAN reports the access by
 */
void mheap_poison(const void *p, size_t n, u8 value)
{
	if (shadow_writable(p))
		kasan_poison(p, round_up(n, MHEAP_KASAN_GRANULE), value, false);
}
