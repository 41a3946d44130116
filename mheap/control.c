// SPDX-License-Identifier: GPL-2.0
/*
 * <heap>/control: a small workload driver so a person can exercise a heap
 * from a shell.  One command per write, parsed strictly:
 *
 *   alloc pages=N [count=C]   allocate C (default 1) manual spans of N pages
 *                             into the heap's test pool
 *   alloc size=N [count=C]    allocate C (default 1) objects of N bytes
 *                             (1 to 1 MiB) into the pool; N may be a range
 *                             A-B, each object's size then drawn uniformly
 *   free all                  free everything in the pool (and empty
 *                             the magazines and mcentral's spares)
 *   release                   unmap every region with no page in use
 *   scavenge bytes=N          give at least N bytes of free memory back
 *   limit bytes=N             set the soft memory limit (0: none)
 *   scavenger on|off          start or stop the background scavenger
 *   gc                        a collection cycle that marks every object
 *                             of the pool: they all survive
 *   gc keep=N%                a cycle that marks N% (0 to 100) of the
 *                             pool's objects, drawn at random; the others
 *                             leave the pool, the sweep frees them
 *   sweep                     finish sweeping the last cycle
 *   reclaim pages=N           ask the page reclaimer for N pages
 *   pin count=N               pin and unpin again each of the first N
 *                             objects of the pool (all if it has fewer):
 *                             the specials' allocation path, for tests
 *   sweeper on|off            start or stop the background sweeper
 *
 * Numbers are decimal digits, or a decimal mantissa and exponent (1e5),
 * without a sign.
 * Anything else, including trailing garbage, numbers out of range and
 * embedded NULs, fails with -EINVAL and changes nothing.  Allocations use
 * __GFP_RETRY_MAYFAIL: a command asking for more than the machine has
 * fails with -ENOMEM instead of waking the OOM killer.
 */
#define pr_fmt(fmt) "mheap: " fmt

#include <linux/ctype.h>
#include <linux/debugfs.h>
#include <linux/fs.h>
#include <linux/jiffies.h>
#include <linux/kernel.h>
#include <linux/overflow.h>
#include <linux/random.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <kunit/visibility.h>
#include "internal.h"

#define CONTROL_MAX_LINE	128
#define CONTROL_MAX_COUNT	1000000UL
#define CONTROL_MAX_SIZE	BIT(20)

#define CONTROL_GFP	(GFP_KERNEL | __GFP_RETRY_MAYFAIL | __GFP_NOWARN)

/* One or more decimal digits and nothing else. */
static bool all_digits(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++) {
		if (!isdigit(*s))
			return false;
	}
	return true;
}

/*
 * A decimal number, or mantissa 'e' exponent (1e5), in [1, max].  Digits
 * only: kstrtoul() alone would also take a leading '+' and a trailing
 * newline.
 */
static int parse_num(const char *s, unsigned long max, unsigned long *val)
{
	const char *e = strchr(s, 'e');
	unsigned long m, x;
	char buf[24];

	if (!e) {
		if (!all_digits(s) || kstrtoul(s, 10, val) || !*val || *val > max)
			return -EINVAL;
		return 0;
	}
	if (e == s || e - s >= sizeof(buf))
		return -EINVAL;
	memcpy(buf, s, e - s);
	buf[e - s] = '\0';
	if (!all_digits(buf) || !all_digits(e + 1) ||
	    kstrtoul(buf, 10, &m) || kstrtoul(e + 1, 10, &x) || x > 19)
		return -EINVAL;
	while (x--) {
		if (check_mul_overflow(m, 10UL, &m))
			return -EINVAL;
	}
	if (!m || m > max)
		return -EINVAL;
	*val = m;
	return 0;
}

/* Parse "key=value" with an unsigned value in [1, max]. */
static int parse_kv(const char *tok, const char *key, unsigned long max,
		    unsigned long *val)
{
	size_t klen = strlen(key);

	if (strncmp(tok, key, klen) || tok[klen] != '=')
		return -EINVAL;
	return parse_num(tok + klen + 1, max, val);
}

/* "size=N" or "size=A-B" with 1 <= A <= B <= max. */
static int parse_size(const char *tok, unsigned long max, unsigned long *lo,
		      unsigned long *hi)
{
	char buf[48], *dash;

	if (strncmp(tok, "size=", 5) || strscpy(buf, tok + 5, sizeof(buf)) < 0)
		return -EINVAL;
	dash = strchr(buf, '-');
	if (!dash) {
		if (parse_num(buf, max, lo))
			return -EINVAL;
		*hi = *lo;
		return 0;
	}
	*dash = '\0';
	if (parse_num(buf, max, lo) || parse_num(dash + 1, max, hi) || *lo > *hi)
		return -EINVAL;
	return 0;
}

/*
 * Long commands say how far they got in the kernel log, once a second
 * (nothing for a command done within the first second).
 */
struct progress {
	const char *what;
	unsigned long total;
	unsigned long next;
};

static void progress_init(struct progress *p, const char *what,
			  unsigned long total)
{
	p->what = what;
	p->total = total;
	p->next = jiffies + HZ;
}

static void progress(struct mheap *h, struct progress *p, unsigned long done)
{
	if (time_before(jiffies, p->next))
		return;
	p->next = jiffies + HZ;
	pr_info("%s: %s: %lu of %lu done\n", h->name, p->what, done, p->total);
}

static int control_alloc(struct mheap *h, unsigned long npages,
			 unsigned long count)
{
	struct progress pr;
	struct mheap_span_list got;
	struct mheap_span *s, *tmp;
	unsigned long i;
	int err = 0;

	mheap_span_list_init(&got);
	progress_init(&pr, "alloc pages", count);
	for (i = 0; i < count; i++) {
		if (fatal_signal_pending(current)) {
			err = -EINTR;
			break;
		}
		progress(h, &pr, i);
		s = mheap_alloc_manual(h, npages, CONTROL_GFP);
		if (!s) {
			err = -ENOMEM;
			break;
		}
		mheap_span_list_insert_back(&got, s);
		cond_resched();
	}
	if (err) {
		pr_info("%s: alloc pages: stopped after %lu of %lu (%d), undoing\n",
			h->name, i, count, err);
		/* All or nothing: a failed command changes nothing. */
		list_for_each_entry_safe(s, tmp, &got.head, node) {
			mheap_span_list_remove(&got, s);
			mheap_free_manual(h, s);
		}
		return err;
	}
	mheap_span_list_take_all(&h->control.pool, &got);
	return 0;
}

/* Objects go into a growing array, freed by "free all". */
static int control_alloc_objects(struct mheap *h, unsigned long lo,
				 unsigned long hi, unsigned long count)
{
	unsigned long i, need = h->control.nobjs + count;
	void **objs = h->control.objs;
	struct progress pr;
	int err = 0;

	if (need > h->control.objs_cap) {
		if (mheap_should_fail(MHEAP_FAULT_CONTROL,
				      array_size(need, sizeof(*objs))))
			return -ENOMEM;
		objs = mheap_kvrealloc(h->control.objs,
				       array_size(h->control.objs_cap, sizeof(*objs)),
				       array_size(need, sizeof(*objs)),
				       CONTROL_GFP);
		if (!objs)
			return -ENOMEM;
		h->control.objs = objs;
		h->control.objs_cap = need;
	}
	progress_init(&pr, "alloc objects", count);
	for (i = 0; i < count; i++) {
		if (fatal_signal_pending(current)) {
			err = -EINTR;
			break;
		}
		progress(h, &pr, i);
		objs[h->control.nobjs + i] = mheap_alloc(h, lo == hi ? lo :
						 lo + get_random_u32_below(hi - lo + 1),
						 CONTROL_GFP);
		if (!objs[h->control.nobjs + i]) {
			err = -ENOMEM;
			break;
		}
		if (i % 1024 == 1023)
			cond_resched();
	}
	if (err) {
		pr_info("%s: alloc objects: stopped after %lu of %lu (%d), undoing\n",
			h->name, i, count, err);
		while (i--)
			mheap_free(h, objs[h->control.nobjs + i]);
		return err;
	}
	h->control.nobjs = need;
	return 0;
}

static void control_free_all(struct mheap *h)
{
	struct mheap_span *s, *tmp;
	struct progress pr;
	unsigned long i;

	progress_init(&pr, "free all", h->control.nobjs);
	for (i = 0; i < h->control.nobjs; i++) {
		progress(h, &pr, i);
		mheap_free(h, h->control.objs[i]);
		if (i % 1024 == 1023)
			cond_resched();
	}
	h->control.nobjs = 0;

	list_for_each_entry_safe(s, tmp, &h->control.pool.head, node) {
		mheap_span_list_remove(&h->control.pool, s);
		mheap_free_manual(h, s);
		cond_resched();
	}
	/*
	 * Nothing of the pool left: the magazines give their objects back
	 * and mcentral's empty spares go too.
	 */
	mheap_mcache_flush_all(h);
}

/*
 * Pin, then unpin, the first @count objects of the pool.  Nothing stays
 * pinned, so collection cycles of the pool keep their meaning.
 */
static int control_pin(struct mheap *h, unsigned long count)
{
	unsigned long i, n = min(count, h->control.nobjs);
	int err = 0;

	for (i = 0; i < n && !err; i++) {
		err = mheap_pin(h, h->control.objs[i]);
		if (!err)
			err = mheap_unpin(h, h->control.objs[i]);
		if (i % 1024 == 1023)
			cond_resched();
	}
	return err;
}

/* "keep=N%" with 0 <= N <= 100. */
static int parse_keep(const char *tok, unsigned int *pct)
{
	const char *p = tok + 5;
	unsigned int n = 0;

	if (strncmp(tok, "keep=", 5) || !isdigit(*p))
		return -EINVAL;
	/* Digits only: no sign, no newline as kstrtouint() would take. */
	for (; isdigit(*p); p++) {
		n = n * 10 + (*p - '0');
		if (n > 100)
			return -EINVAL;
	}
	if (p[0] != '%' || p[1])
		return -EINVAL;
	*pct = n;
	return 0;
}

/* A random index below @n. */
static unsigned long rand_below(unsigned long n)
{
	if (n <= U32_MAX)
		return get_random_u32_below(n);
	return get_random_u64() % n;
}

/*
 * A collection cycle over the pool: @pct percent of its objects, drawn at
 * random, are marked and stay; the rest leave the pool, to be freed by
 * sweeping (the pool must never free them itself).  Every other object of
 * the heap is dead too.  Caller holds pool_lock.
 */
static void control_gc(struct mheap *h, unsigned int pct)
{
	unsigned long i, j, n = h->control.nobjs, keep, lost = 0;
	void *tmp;

	/* n * pct / 100 without overflow. */
	keep = n / 100 * pct + n % 100 * pct / 100;
	/* The first @keep entries become a uniform random sample (Fisher-Yates). */
	for (i = 0; keep < n && i < keep; i++) {
		j = i + rand_below(n - i);
		tmp = h->control.objs[i];
		h->control.objs[i] = h->control.objs[j];
		h->control.objs[j] = tmp;
		if (i % 1024 == 1023)
			cond_resched();
	}
	mheap_gc_begin(h);
	/* Not interruptible: a half-marked pool would lose live objects. */
	for (i = 0, j = 0; i < keep; i++) {
		if (mheap_mark(h, h->control.objs[i]))
			h->control.objs[j++] = h->control.objs[i];
		else
			lost++;
		if (i % 1024 == 1023)
			cond_resched();
	}
	mheap_gc_end(h);
	h->control.nobjs = j;
	if (lost)
		pr_err("%s: gc: %lu objects of the pool could not be marked\n",
		       h->name, lost);
}

/**
 * mheap_control() - run one control command on a heap
 * @h: heap
 * @line: NUL-terminated command, without the newline
 *
 * Return: 0, -EINVAL for a malformed command, or the command's error.
 */
int mheap_control(struct mheap *h, char *line)
{
	char *argv[3], *p = line, *tok;
	unsigned long npages, count = 1, hi;
	int argc = 0, err;

	while ((tok = strsep(&p, " \t")) != NULL) {
		if (!*tok)
			continue;
		if (argc == ARRAY_SIZE(argv))
			return -EINVAL;
		argv[argc++] = tok;
	}
	if (!argc)
		return -EINVAL;

	mutex_lock(&h->control.pool_lock);
	err = -EINVAL;
	if (!strcmp(argv[0], "alloc") && argc >= 2) {
		bool objects = !strncmp(argv[1], "size=", 5);

		if (objects ?
		    parse_size(argv[1], CONTROL_MAX_SIZE, &npages, &hi) :
		    parse_kv(argv[1], "pages", palloc_npages(&h->pages), &npages))
			goto out;
		if (argc == 3 &&
		    parse_kv(argv[2], "count", CONTROL_MAX_COUNT, &count))
			goto out;
		err = objects ? control_alloc_objects(h, npages, hi, count) :
				control_alloc(h, npages, count);
	} else if (!strcmp(argv[0], "free") && argc == 2 &&
		   !strcmp(argv[1], "all")) {
		control_free_all(h);
		err = 0;
	} else if (!strcmp(argv[0], "release") && argc == 1) {
		mheap_trim_all(h);
		err = 0;
	} else if (!strcmp(argv[0], "scavenge") && argc == 2) {
		if (parse_kv(argv[1], "bytes", LONG_MAX, &npages))
			goto out;
		mheap_scavenge(h, npages);
		err = 0;
	} else if (!strcmp(argv[0], "limit") && argc == 2) {
		if (!strcmp(argv[1], "bytes=0")) {
			WRITE_ONCE(h->limit_pages, 0);
			err = 0;
		} else if (!parse_kv(argv[1], "bytes", LONG_MAX, &npages)) {
			WRITE_ONCE(h->limit_pages, DIV_ROUND_UP(npages, PAGE_SIZE));
			err = 0;
		}
	} else if (!strcmp(argv[0], "scavenger") && argc == 2 &&
		   (!strcmp(argv[1], "on") || !strcmp(argv[1], "off"))) {
		mheap_scavenger_set(h, !strcmp(argv[1], "on"));
		err = 0;
	} else if (!strcmp(argv[0], "gc") && argc <= 2) {
		unsigned int pct = 100;

		if (argc == 2 && parse_keep(argv[1], &pct))
			goto out;
		control_gc(h, pct);
		err = 0;
	} else if (!strcmp(argv[0], "sweep") && argc == 1) {
		mheap_sweep_all(h);
		err = 0;
	} else if (!strcmp(argv[0], "reclaim") && argc == 2) {
		if (parse_kv(argv[1], "pages", palloc_npages(&h->pages), &npages))
			goto out;
		mheap_reclaim(h, npages);
		err = 0;
	} else if (!strcmp(argv[0], "pin") && argc == 2) {
		if (parse_kv(argv[1], "count", CONTROL_MAX_COUNT, &count))
			goto out;
		err = control_pin(h, count);
	} else if (!strcmp(argv[0], "sweeper") && argc == 2 &&
		   (!strcmp(argv[1], "on") || !strcmp(argv[1], "off"))) {
		mheap_bgsweep_set(h, !strcmp(argv[1], "on"));
		err = 0;
	}
out:
	mutex_unlock(&h->control.pool_lock);
	return err;
}
EXPORT_SYMBOL_IF_KUNIT(mheap_control);

static ssize_t control_write(struct file *file, const char __user *ubuf,
			     size_t len, loff_t *ppos)
{
	struct mheap *h = file->private_data;
	char buf[CONTROL_MAX_LINE];
	size_t n = len;
	int err;

	if (!len || len >= sizeof(buf))
		return -EINVAL;
	if (copy_from_user(buf, ubuf, len))
		return -EFAULT;
	buf[n] = '\0';
	if (buf[n - 1] == '\n')
		buf[--n] = '\0';
	/* An embedded NUL would hide the rest of the line from the parser. */
	if (strlen(buf) != n)
		return -EINVAL;
	err = mheap_control(h, buf);
	return err ? err : len;
}

static const struct file_operations control_fops = {
	.owner = THIS_MODULE,
	.open = simple_open,
	.write = control_write,
	.llseek = noop_llseek,
};

/* The control state of a new heap: an empty pool. */
void mheap_control_init(struct mheap *h)
{
	mutex_init(&h->control.pool_lock);
	mheap_span_list_init(&h->control.pool);
}

/* The control file, in the heap's debugfs directory. */
void mheap_control_create(struct mheap *h)
{
	debugfs_create_file("control", 0200, h->dir, h, &control_fops);
}

/*
 * Free what the pool still holds; for heap destroy, and for a heap whose
 * creation failed, which holds nothing.
 */
void mheap_control_destroy(struct mheap *h)
{
	mutex_lock(&h->control.pool_lock);
	if (h->control.nobjs || !list_empty(&h->control.pool.head))
		control_free_all(h);
	kvfree(h->control.objs);
	h->control.objs = NULL;
	h->control.objs_cap = 0;
	mutex_unlock(&h->control.pool_lock);
	mutex_destroy(&h->control.pool_lock);
}
