// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite mheap_debugfs: the files of /sys/kernel/debug/mheap/ read
 * and written as a shell would, through their file operations, and
 * checked against the heap's own counters and against
 * Documentation/ABI/testing/debugfs-mheap: "key: value" lines and tables
 * parsed line by line, values moving with allocations and frees, and the
 * control file's checks of what it is written.
 *
 * The files' read and write take user memory: the case's thread gets
 * an anonymous mapping (kunit_vm_mmap()) to pass them.  debugfs must be
 * mounted at /sys/kernel/debug, as the guests do; else the cases skip.
 */
#include <kunit/resource.h>
#include <kunit/test.h>
#include <linux/ctype.h>
#include <linux/fs.h>
#include <linux/mman.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include "helpers.h"

#define DBG_DIR		"/sys/kernel/debug/mheap"
#define DBG_HEAP	"kunit-dfs"
/* The longest file a case reads. */
#define DBG_MAX		(64 * 1024)
/* Bytes of user memory for one read or write. */
#define DBG_UBUF	PAGE_SIZE

struct dbg_ctx {
	char __user *ubuf;
};

static int dbg_init(struct kunit *test)
{
	struct dbg_ctx *ctx = kunit_kzalloc(test, sizeof(*ctx), GFP_KERNEL);
	unsigned long addr;

	if (!ctx)
		return -ENOMEM;
	addr = kunit_vm_mmap(test, NULL, 0, DBG_UBUF, PROT_READ | PROT_WRITE,
			     MAP_ANONYMOUS | MAP_PRIVATE, 0);
	if (!addr || IS_ERR_VALUE(addr))
		return -ENOMEM;
	ctx->ubuf = (char __user *)addr;
	test->priv = ctx;
	return 0;
}

static void dbg_path(char *path, size_t size, const char *heap,
		     const char *name)
{
	if (heap)
		snprintf(path, size, DBG_DIR "/%s/%s", heap, name);
	else
		snprintf(path, size, DBG_DIR "/%s", name);
}

/*
 * The whole of <heap>/<name> (DBG_DIR/<name> for a NULL @heap), NUL
 * terminated, read @chunk bytes at a time; or an ERR_PTR.
 */
static char *dbg_read(struct kunit *test, const char *heap, const char *name,
		      size_t chunk)
{
	struct dbg_ctx *ctx = test->priv;
	char path[96], *buf;
	struct file *f;
	size_t len = 0;
	loff_t pos = 0;
	ssize_t n;

	buf = kunit_kzalloc(test, DBG_MAX + 1, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, buf);
	dbg_path(path, sizeof(path), heap, name);
	f = filp_open(path, O_RDONLY, 0);
	if (IS_ERR(f))
		return ERR_CAST(f);
	if (!f->f_op->read) {
		filp_close(f, NULL);
		return ERR_PTR(-EINVAL);
	}
	do {
		n = f->f_op->read(f, ctx->ubuf, min3(chunk, DBG_UBUF, DBG_MAX - len),
				  &pos);
		if (n > 0 && copy_from_user(buf + len, ctx->ubuf, n))
			n = -EFAULT;
		if (n > 0)
			len += n;
	} while (n > 0 && len < DBG_MAX);
	filp_close(f, NULL);
	if (n < 0)
		return ERR_PTR(n);
	if (len == DBG_MAX)
		return ERR_PTR(-EFBIG);
	return buf;
}

/* dbg_read() that must succeed, a page at a time. */
static char *dbg_cat(struct kunit *test, const char *heap, const char *name)
{
	char *text = dbg_read(test, heap, name, DBG_UBUF);

	KUNIT_ASSERT_FALSE_MSG(test, IS_ERR(text), "reading %s: %ld", name,
			       PTR_ERR(text));
	return text;
}

/* One write of @len bytes to <heap>/control: its return value. */
static ssize_t dbg_write(struct kunit *test, const char *heap,
			 const void *data, size_t len)
{
	struct dbg_ctx *ctx = test->priv;
	struct file *f;
	char path[96];
	loff_t pos = 0;
	ssize_t n;

	KUNIT_ASSERT_LE(test, len, DBG_UBUF);
	dbg_path(path, sizeof(path), heap, "control");
	f = filp_open(path, O_WRONLY, 0);
	if (IS_ERR(f))
		return PTR_ERR(f);
	if (copy_to_user(ctx->ubuf, data, len))
		n = -EFAULT;
	else
		n = f->f_op->write(f, ctx->ubuf, len, &pos);
	filp_close(f, NULL);
	return n;
}

static ssize_t dbg_puts(struct kunit *test, const char *heap, const char *s)
{
	return dbg_write(test, heap, s, strlen(s));
}

/* Skip unless the tree is there and mounted where the paths say. */
static void dbg_require(struct kunit *test)
{
	char *text;

	if (IS_ERR_OR_NULL(mheap_debugfs_root()))
		kunit_skip(test, "debugfs is not available");
	text = dbg_read(test, NULL, "heaps", DBG_UBUF);
	if (IS_ERR(text))
		kunit_skip(test, "no %s/heaps (%ld): debugfs not mounted?",
			   DBG_DIR, PTR_ERR(text));
}

static void destroy_heap(void *h)
{
	mheap_destroy(h);
}

/* A quiet heap: no background scavenger or sweeper, destroyed at the end. */
static struct mheap *dbg_heap(struct kunit *test, const char *name,
			      unsigned int kind, unsigned int flags)
{
	struct mheap *h = kunit_mheap_flags(test, name, kind, 0, flags);

	mheap_bgsweep_set(h, false);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, destroy_heap, h), 0);
	return h;
}

static long pages_in_use_of(struct mheap *h)
{
	return atomic_long_read(&h->pages_in_use);
}

/*
 * Spans of size class @cls alive, from mcentral.  How many a number of
 * objects takes depends on the CPUs the case ran on: each has a span.
 */
static unsigned long class_nspans(struct mheap *h, unsigned int cls)
{
	return READ_ONCE(h->mcentral[mheap_make_spanclass(cls, false)].nspans) +
	       READ_ONCE(h->mcentral[mheap_make_spanclass(cls, true)].nspans);
}

/* === Parsing ========================================================= */

/* The next line of @*pos (without its newline) in @line, false at the end. */
static bool next_line(const char **pos, char *line, size_t size)
{
	const char *s = *pos;
	size_t n;

	if (!*s)
		return false;
	n = strcspn(s, "\n");
	strscpy(line, s, min(n + 1, size));
	*pos = s[n] ? s + n + 1 : s + n;
	return true;
}

/* Whether @text has a line that is exactly @want. */
static bool has_line(const char *text, const char *want)
{
	char line[64];

	while (next_line(&text, line, sizeof(line))) {
		if (!strcmp(line, want))
			return true;
	}
	return false;
}

/* The value of line "@key: value" of @text, to its newline; or NULL. */
static const char *kv_find(const char *text, const char *key)
{
	size_t klen = strlen(key);
	const char *s = text;

	while (*s) {
		if (!strncmp(s, key, klen) && s[klen] == ':' && s[klen + 1] == ' ')
			return s + klen + 2;
		s = strchrnul(s, '\n');
		if (*s)
			s++;
	}
	return NULL;
}

static void kv_str(struct kunit *test, const char *text, const char *key,
		   char *val, size_t size)
{
	const char *v = kv_find(text, key);
	size_t n;

	KUNIT_ASSERT_NOT_NULL_MSG(test, v, "no line '%s: '", key);
	n = strcspn(v, "\n");
	KUNIT_ASSERT_LT_MSG(test, n, size, "%s: value too long", key);
	memcpy(val, v, n);
	val[n] = '\0';
}

/* The number on line @key of @text; asserts it is there and decimal. */
static long long kv_num(struct kunit *test, const char *text, const char *key)
{
	char val[32];
	long long n;

	kv_str(test, text, key, val, sizeof(val));
	KUNIT_ASSERT_EQ_MSG(test, kstrtoll(val, 10, &n), 0, "%s: '%s'", key, val);
	return n;
}

static bool is_key(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (!(islower(s[i]) || isdigit(s[i]) || s[i] == '_'))
			return false;
	}
	return n > 0;
}

/*
 * Every line of @text is "key: value": key of [a-z0-9_], one value
 * without spaces, each key once.  Returns the number of lines.
 */
static unsigned int expect_kv_lines(struct kunit *test, const char *text)
{
	const char *pos = text, *start;
	unsigned int lines = 0;
	char line[96], key[48];

	KUNIT_EXPECT_TRUE(test, *text && text[strlen(text) - 1] == '\n');
	for (start = pos; next_line(&pos, line, sizeof(line)); start = pos) {
		char *colon = strstr(line, ": ");

		lines++;
		if (!colon) {
			KUNIT_FAIL(test, "line '%s' is not 'key: value'", line);
			continue;
		}
		KUNIT_EXPECT_TRUE_MSG(test, is_key(line, colon - line),
				      "key of '%s'", line);
		KUNIT_EXPECT_TRUE_MSG(test, colon[2] && !strchr(colon + 2, ' '),
				      "value of '%s'", line);
		strscpy(key, line, min_t(size_t, colon - line + 1, sizeof(key)));
		/* The first line with this key is this one. */
		KUNIT_EXPECT_PTR_EQ_MSG(test, kv_find(text, key),
					start + strlen(key) + 2,
					"key '%s' twice", key);
	}
	return lines;
}

/* === The heap's directory ============================================ */

static void debugfs_heap_dir(struct kunit *test)
{
	struct mheap *h;
	char *text;

	dbg_require(test);
	KUNIT_EXPECT_FALSE(test, has_line(dbg_cat(test, NULL, "heaps"), DBG_HEAP));
	KUNIT_EXPECT_PTR_EQ(test, dbg_read(test, DBG_HEAP, "stats", DBG_UBUF),
			    ERR_PTR(-ENOENT));

	h = dbg_heap(test, DBG_HEAP, MHEAP_REGION_AUTO, 0);
	text = dbg_cat(test, NULL, "heaps");
	KUNIT_EXPECT_TRUE(test, has_line(text, DBG_HEAP));
	/* The default heap of the module is listed too, by its name. */
	KUNIT_EXPECT_TRUE(test, has_line(text, "default"));
	text = dbg_cat(test, DBG_HEAP, "stats");
	KUNIT_EXPECT_TRUE(test, has_line(text, "name: " DBG_HEAP));

	kunit_release_action(test, destroy_heap, h);
	KUNIT_EXPECT_FALSE(test, has_line(dbg_cat(test, NULL, "heaps"), DBG_HEAP));
	KUNIT_EXPECT_PTR_EQ(test, dbg_read(test, DBG_HEAP, "stats", DBG_UBUF),
			    ERR_PTR(-ENOENT));
	KUNIT_EXPECT_PTR_EQ(test, dbg_read(test, DBG_HEAP, "classes", DBG_UBUF),
			    ERR_PTR(-ENOENT));
}

struct dbg_names {
	struct dir_context ctx;
	unsigned int n;
	char names[16][24];
};

static bool dbg_name(struct dir_context *ctx, const char *name, int len,
		     loff_t off, u64 ino, unsigned int type)
{
	struct dbg_names *d = container_of(ctx, struct dbg_names, ctx);

	if ((len == 1 && name[0] == '.') ||
	    (len == 2 && name[0] == '.' && name[1] == '.'))
		return true;
	if (d->n < ARRAY_SIZE(d->names) && len < sizeof(d->names[0])) {
		memcpy(d->names[d->n], name, len);
		d->names[d->n][len] = '\0';
	}
	d->n++;
	return true;
}

static const char * const heap_files[] = {
	"stats", "arenas", "spans", "classes", "chunks", "scavenge", "sweep",
	"reclaim", "control",
};

/*
 * The directory holds exactly the documented files; each but control
 * reads without error, whole lines, the same text a page or 7 bytes at
 * a time; control is write-only.
 */
static void debugfs_every_file(struct kunit *test)
{
	struct dbg_names *d = kunit_kzalloc(test, sizeof(*d), GFP_KERNEL);
	struct mheap *h;
	struct file *f;
	unsigned int i, j;
	void *p;

	dbg_require(test);
	KUNIT_ASSERT_NOT_NULL(test, d);
	h = dbg_heap(test, DBG_HEAP, MHEAP_REGION_AUTO, 0);
	/* Rows for the tables: spans, objects, a large object. */
	KUNIT_ASSERT_EQ(test, dbg_puts(test, DBG_HEAP, "alloc pages=3 count=5"),
			21L);
	p = mheap_alloc(h, 100, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p);
	KUNIT_ASSERT_EQ(test, dbg_puts(test, DBG_HEAP, "alloc size=50000\n"), 17L);

	f = filp_open(DBG_DIR "/" DBG_HEAP, O_RDONLY | O_DIRECTORY, 0);
	KUNIT_ASSERT_FALSE(test, IS_ERR(f));
	d->ctx.actor = dbg_name;
	KUNIT_EXPECT_EQ(test, iterate_dir(f, &d->ctx), 0);
	filp_close(f, NULL);
	KUNIT_EXPECT_EQ(test, d->n, (unsigned int)ARRAY_SIZE(heap_files));
	for (i = 0; i < ARRAY_SIZE(heap_files); i++) {
		for (j = 0; j < min_t(unsigned int, d->n, ARRAY_SIZE(d->names)); j++) {
			if (!strcmp(d->names[j], heap_files[i]))
				break;
		}
		KUNIT_EXPECT_LT_MSG(test, j, d->n, "no file %s", heap_files[i]);
	}

	for (i = 0; i < ARRAY_SIZE(heap_files); i++) {
		const char *name = heap_files[i];
		char *text, *again;

		if (!strcmp(name, "control"))
			continue;
		text = dbg_read(test, DBG_HEAP, name, DBG_UBUF);
		KUNIT_ASSERT_FALSE_MSG(test, IS_ERR(text), "%s: %ld", name,
				       PTR_ERR(text));
		KUNIT_EXPECT_GT_MSG(test, strlen(text), 0UL, "%s is empty", name);
		KUNIT_EXPECT_EQ_MSG(test, text[strlen(text) - 1], '\n',
				    "%s ends without a newline", name);
		/* Small reads restart the iterators at every position. */
		again = dbg_read(test, DBG_HEAP, name, 7);
		KUNIT_ASSERT_FALSE(test, IS_ERR(again));
		KUNIT_EXPECT_STREQ_MSG(test, again, text, "%s read 7 bytes at a time",
				       name);
	}

	f = filp_open(DBG_DIR "/" DBG_HEAP "/control", O_RDONLY, 0);
	KUNIT_ASSERT_FALSE(test, IS_ERR(f));
	KUNIT_EXPECT_EQ(test, file_inode(f)->i_mode & 0777, 0200);
	KUNIT_EXPECT_FALSE(test, f->f_mode & FMODE_CAN_READ);
	filp_close(f, NULL);

	mheap_free(h, p);
}

/* === stats =========================================================== */

static const struct {
	const char *key;
	enum mheap_counter c;
} stat_counters[] = {
	{ "grows", MHEAP_CNT_GROWS },
	{ "grow_fails", MHEAP_CNT_GROW_FAILS },
	{ "regions_direct", MHEAP_CNT_REGIONS_DIRECT },
	{ "regions_vmap", MHEAP_CNT_REGIONS_VMAP },
	{ "direct_fallbacks", MHEAP_CNT_DIRECT_FALLBACKS },
	{ "regions_released", MHEAP_CNT_REGIONS_RELEASED },
	{ "pages_released", MHEAP_CNT_PAGES_RELEASED },
	{ "spans_allocated", MHEAP_CNT_SPANS_ALLOCATED },
	{ "spans_freed", MHEAP_CNT_SPANS_FREED },
	{ "pcache_allocs", MHEAP_CNT_PCACHE_ALLOCS },
	{ "pcache_fills", MHEAP_CNT_PCACHE_FILLS },
	{ "pcache_frees", MHEAP_CNT_PCACHE_FREES },
	{ "pages_zeroed", MHEAP_CNT_PAGES_ZEROED },
	{ "bad_frees", MHEAP_CNT_BAD_FREES },
	{ "large_allocs", MHEAP_CNT_LARGE_ALLOCS },
	{ "large_frees", MHEAP_CNT_LARGE_FREES },
	{ "pages_grown", MHEAP_CNT_PAGES_GROWN },
	{ "limit_fails", MHEAP_CNT_LIMIT_FAILS },
};

/* Every counter of &enum mheap_counter has its documented line. */
static_assert(ARRAY_SIZE(stat_counters) == MHEAP_CNT_COUNT);

static void expect_str(struct kunit *test, const char *text, const char *key,
		       const char *want)
{
	char val[48];

	kv_str(test, text, key, val, sizeof(val));
	KUNIT_EXPECT_STREQ_MSG(test, val, want, "%s", key);
}

static void debugfs_stats_format(struct kunit *test)
{
	struct mheap *h, *d;
	struct mheap_span *s;
	unsigned int i;
	char *text;
	int on_stack;

	dbg_require(test);
	h = dbg_heap(test, DBG_HEAP, MHEAP_REGION_VMAP, 0);
	s = mheap_alloc_manual(h, 2, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, s);
	mheap_free(h, &on_stack);
	text = dbg_cat(test, DBG_HEAP, "stats");
	KUNIT_EXPECT_GE(test, expect_kv_lines(test, text),
			(unsigned int)(ARRAY_SIZE(stat_counters) + 18));
	expect_str(test, text, "name", DBG_HEAP);
	expect_str(test, text, "region_kind", "vmap");
	expect_str(test, text, "magazines", "on");
	expect_str(test, text, "debug_frees", "off");
	KUNIT_EXPECT_EQ(test, kv_num(test, text, "page_size"), (long long)PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, kv_num(test, text, "max_bytes"),
			(long long)MHEAP_DEFAULT_BYTES);
	KUNIT_EXPECT_GT(test, kv_num(test, text, "metadata_bytes"), 0LL);
	for (i = 0; i < ARRAY_SIZE(stat_counters); i++)
		KUNIT_EXPECT_EQ_MSG(test, kv_num(test, text, stat_counters[i].key),
				    (long long)counter(h, stat_counters[i].c),
				    "%s", stat_counters[i].key);
	KUNIT_EXPECT_EQ(test, kv_num(test, text, "bad_frees"), 1LL);
	KUNIT_EXPECT_EQ(test, kv_num(test, text, "regions_vmap"), 1LL);
	mheap_free_manual(h, s);

	/* A heap checking its frees has no magazines. */
	d = dbg_heap(test, "kunit-dfs2", MHEAP_REGION_AUTO, MHEAP_DEBUG_FREES);
	text = dbg_cat(test, "kunit-dfs2", "stats");
	expect_kv_lines(test, text);
	expect_str(test, text, "name", "kunit-dfs2");
	expect_str(test, text, "region_kind", "auto");
	expect_str(test, text, "magazines", "off");
	expect_str(test, text, "debug_frees", "on");
	KUNIT_EXPECT_EQ(test, kv_num(test, text, "max_bytes"),
			(long long)d->params.max_bytes);
	KUNIT_EXPECT_EQ(test, kv_num(test, text, "pages_committed"), 0LL);
	KUNIT_EXPECT_EQ(test, kv_num(test, text, "spans_live"), 0LL);
}

struct stats {
	long long in_use, committed, free, regions, spans, allocated, freed;
	long long objs_alloc, objs_freed, objs_in_use, released, grown;
	long long large_allocs, large_frees, refills;
};

static void read_stats(struct kunit *test, struct stats *st)
{
	char *text = dbg_cat(test, DBG_HEAP, "stats");

	st->in_use = kv_num(test, text, "pages_in_use");
	st->committed = kv_num(test, text, "pages_committed");
	st->free = kv_num(test, text, "pages_free");
	st->regions = kv_num(test, text, "regions");
	st->spans = kv_num(test, text, "spans_live");
	st->allocated = kv_num(test, text, "spans_allocated");
	st->freed = kv_num(test, text, "spans_freed");
	st->objs_alloc = kv_num(test, text, "objects_allocated");
	st->objs_freed = kv_num(test, text, "objects_freed");
	st->objs_in_use = kv_num(test, text, "objects_in_use");
	st->released = kv_num(test, text, "pages_released");
	st->grown = kv_num(test, text, "pages_grown");
	st->large_allocs = kv_num(test, text, "large_allocs");
	st->large_frees = kv_num(test, text, "large_frees");
	st->refills = kv_num(test, text, "mcache_refills");
	/* What the ABI file says always holds. */
	KUNIT_EXPECT_EQ(test, st->free, st->committed - st->in_use);
	KUNIT_EXPECT_EQ(test, st->grown, st->committed + st->released);
	KUNIT_EXPECT_EQ(test, st->objs_in_use, st->objs_alloc - st->objs_freed);
	KUNIT_EXPECT_EQ(test, st->spans, st->allocated - st->freed);
}

#define STAT_OBJS	100

static void debugfs_stats_move(struct kunit *test)
{
	struct mheap *h;
	struct mheap_span *s;
	struct stats a, b;
	void **objs;
	void *big;
	int i;

	dbg_require(test);
	h = dbg_heap(test, DBG_HEAP, MHEAP_REGION_AUTO, 0);
	objs = kunit_kcalloc(test, STAT_OBJS, sizeof(*objs), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, objs);
	read_stats(test, &a);
	KUNIT_EXPECT_EQ(test, a.in_use, 0LL);
	KUNIT_EXPECT_EQ(test, a.committed, 0LL);
	KUNIT_EXPECT_EQ(test, a.spans, 0LL);

	s = mheap_alloc_manual(h, 5, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, s);
	read_stats(test, &b);
	KUNIT_EXPECT_EQ(test, b.in_use, a.in_use + 5);
	KUNIT_EXPECT_EQ(test, b.spans, a.spans + 1);
	KUNIT_EXPECT_EQ(test, b.allocated, a.allocated + 1);
	KUNIT_EXPECT_EQ(test, b.committed, (long long)committed(h));
	KUNIT_EXPECT_EQ(test, b.committed, (long long)MHEAP_CHUNK_PAGES);
	KUNIT_EXPECT_EQ(test, b.regions, 1LL);

	a = b;
	for (i = 0; i < STAT_OBJS; i++) {
		objs[i] = mheap_alloc(h, 64, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, objs[i]);
	}
	big = mheap_alloc(h, 100000, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, big);
	read_stats(test, &b);
	KUNIT_EXPECT_EQ(test, b.objs_alloc, a.objs_alloc + STAT_OBJS);
	KUNIT_EXPECT_EQ(test, b.objs_in_use, (long long)STAT_OBJS);
	KUNIT_EXPECT_EQ(test, b.large_allocs, a.large_allocs + 1);
	KUNIT_EXPECT_GE(test, b.refills, a.refills + 1);
	KUNIT_EXPECT_GE(test, b.in_use,
			a.in_use + (long long)DIV_ROUND_UP(100000, PAGE_SIZE) + 1);
	/* The large object's span, and those of the class. */
	KUNIT_EXPECT_EQ(test, b.spans,
			a.spans + 1 + (long long)class_nspans(h, mheap_size_to_class(64)));
	KUNIT_EXPECT_GE(test, b.spans, a.spans + 1 +
			(long long)DIV_ROUND_UP(STAT_OBJS,
						mheap_class_nelems[mheap_size_to_class(64)]));

	a = b;
	for (i = 0; i < STAT_OBJS; i++)
		mheap_free(h, objs[i]);
	mheap_free(h, big);
	mheap_free_manual(h, s);
	read_stats(test, &b);
	KUNIT_EXPECT_EQ(test, b.objs_freed, a.objs_freed + STAT_OBJS);
	KUNIT_EXPECT_EQ(test, b.objs_in_use, 0LL);
	KUNIT_EXPECT_EQ(test, b.large_frees, a.large_frees + 1);
	/* The manual and the large span at least; maybe an emptied one. */
	KUNIT_EXPECT_GE(test, b.freed, a.freed + 2);
	KUNIT_EXPECT_EQ(test, b.in_use, (long long)pages_in_use_of(h));

	/* Everything back: nothing in use, nothing mapped. */
	a = b;
	mheap_release_all(h);
	read_stats(test, &b);
	KUNIT_EXPECT_EQ(test, b.in_use, 0LL);
	KUNIT_EXPECT_EQ(test, b.spans, 0LL);
	KUNIT_EXPECT_EQ(test, b.committed, 0LL);
	KUNIT_EXPECT_EQ(test, b.regions, 0LL);
	KUNIT_EXPECT_EQ(test, b.released, a.released + a.committed);
}

/* === classes ========================================================= */

struct class_row {
	unsigned long size, spans, inuse, bytes, waste;
	unsigned int cls, pages, nelems;
};

/*
 * Parse the classes table: a header, one row per class in order, the
 * Total and Large rows.  Fills @rows[1..] and the two sums.
 */
static void read_classes(struct kunit *test, struct class_row *rows,
			 struct class_row *total, struct class_row *large)
{
	const char *pos = dbg_cat(test, DBG_HEAP, "classes");
	unsigned int cls;
	char line[128];
	int n;

	KUNIT_ASSERT_TRUE(test, next_line(&pos, line, sizeof(line)));
	KUNIT_EXPECT_TRUE(test, strstarts(strim(line), "class"));
	for (cls = 1; cls < MHEAP_NUM_CLASSES; cls++) {
		struct class_row *r = &rows[cls];

		KUNIT_ASSERT_TRUE(test, next_line(&pos, line, sizeof(line)));
		n = sscanf(line, "%u %lu %u %u %lu %lu %lu %lu", &r->cls,
			   &r->size, &r->pages, &r->nelems, &r->spans,
			   &r->inuse, &r->bytes, &r->waste);
		KUNIT_ASSERT_EQ_MSG(test, n, 8, "row '%s'", line);
		KUNIT_EXPECT_EQ(test, r->cls, cls);
		KUNIT_EXPECT_EQ(test, r->size, (unsigned long)mheap_class_size[cls]);
		KUNIT_EXPECT_EQ(test, r->pages, (unsigned int)mheap_class_npages[cls]);
		KUNIT_EXPECT_EQ(test, r->nelems, (unsigned int)mheap_class_nelems[cls]);
		KUNIT_EXPECT_EQ(test, r->bytes, r->inuse * r->size);
		KUNIT_EXPECT_EQ(test, r->waste,
				r->spans * r->pages * PAGE_SIZE - r->bytes);
	}
	KUNIT_ASSERT_TRUE(test, next_line(&pos, line, sizeof(line)));
	n = sscanf(line, " Total %lu %lu %lu %lu", &total->spans,
		   &total->inuse, &total->bytes, &total->waste);
	KUNIT_ASSERT_EQ_MSG(test, n, 4, "row '%s'", line);
	KUNIT_ASSERT_TRUE(test, next_line(&pos, line, sizeof(line)));
	n = sscanf(line, " Large %lu %lu %lu", &large->spans, &large->inuse,
		   &large->bytes);
	KUNIT_ASSERT_EQ_MSG(test, n, 3, "row '%s'", line);
	KUNIT_EXPECT_FALSE(test, next_line(&pos, line, sizeof(line)));
}

static void debugfs_classes(struct kunit *test)
{
	struct class_row *rows, total, large;
	unsigned int cls = mheap_size_to_class(1000), i;
	unsigned long spans = 0, inuse = 0, bytes = 0;
	const unsigned long big_pages = DIV_ROUND_UP(100000, PAGE_SIZE);
	struct mheap *h;
	void *objs[10], *big[2];

	dbg_require(test);
	rows = kunit_kcalloc(test, MHEAP_NUM_CLASSES, sizeof(*rows), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, rows);
	/* Without magazines, a free shows at once. */
	h = dbg_heap(test, DBG_HEAP, MHEAP_REGION_AUTO, MHEAP_NO_MAGAZINES);
	read_classes(test, rows, &total, &large);
	KUNIT_EXPECT_EQ(test, total.spans, 0UL);
	KUNIT_EXPECT_EQ(test, total.inuse, 0UL);
	KUNIT_EXPECT_EQ(test, large.inuse, 0UL);

	for (i = 0; i < ARRAY_SIZE(objs); i++) {
		objs[i] = mheap_alloc(h, 1000, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, objs[i]);
	}
	for (i = 0; i < ARRAY_SIZE(big); i++) {
		big[i] = mheap_alloc(h, 100000, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, big[i]);
	}
	read_classes(test, rows, &total, &large);
	KUNIT_EXPECT_EQ(test, rows[cls].inuse, (unsigned long)ARRAY_SIZE(objs));
	KUNIT_EXPECT_EQ(test, rows[cls].spans, class_nspans(h, cls));
	KUNIT_EXPECT_GE(test, rows[cls].spans,
			DIV_ROUND_UP(ARRAY_SIZE(objs), rows[cls].nelems));
	KUNIT_EXPECT_EQ(test, rows[cls].bytes, ARRAY_SIZE(objs) * rows[cls].size);
	for (i = 1; i < MHEAP_NUM_CLASSES; i++) {
		spans += rows[i].spans;
		inuse += rows[i].inuse;
		bytes += rows[i].bytes;
		if (i != cls)
			KUNIT_EXPECT_EQ_MSG(test, rows[i].inuse, 0UL, "class %u", i);
	}
	KUNIT_EXPECT_EQ(test, total.spans, spans);
	KUNIT_EXPECT_EQ(test, total.inuse, inuse);
	KUNIT_EXPECT_EQ(test, total.bytes, bytes);
	KUNIT_EXPECT_EQ(test, large.spans, 2UL);
	KUNIT_EXPECT_EQ(test, large.inuse, 2UL);
	KUNIT_EXPECT_EQ(test, large.bytes, 2 * big_pages * PAGE_SIZE);

	for (i = 0; i < ARRAY_SIZE(objs); i++)
		mheap_free(h, objs[i]);
	mheap_free(h, big[0]);
	read_classes(test, rows, &total, &large);
	KUNIT_EXPECT_EQ(test, rows[cls].inuse, 0UL);
	KUNIT_EXPECT_EQ(test, total.inuse, 0UL);
	KUNIT_EXPECT_EQ(test, large.spans, 1UL);
	KUNIT_EXPECT_EQ(test, large.inuse, 1UL);
	KUNIT_EXPECT_EQ(test, large.bytes, big_pages * PAGE_SIZE);
	mheap_free(h, big[1]);
}

/* === spans, chunks, arenas =========================================== */

#define SPANS_MANUAL	150

/*
 * Enough spans for several pages of output: each row is a live span of
 * the heap, as its structure says, each live span once, by page number.
 */
static void debugfs_spans(struct kunit *test)
{
	unsigned long base, npages, elemsize, rows = 0, manual = 0, last = 0;
	unsigned long live = 0;
	unsigned int cls, nelems, alloc, sg, needzero, i;
	int n;
	char line[128], state[8], *text, *again;
	struct mheap_span *s;
	const char *pos;
	struct mheap *h;
	void *objs[5];

	dbg_require(test);
	h = dbg_heap(test, DBG_HEAP, MHEAP_REGION_AUTO, 0);
	for (i = 0; i < SPANS_MANUAL; i++)
		KUNIT_ASSERT_NOT_NULL(test, mheap_alloc_manual(h, 1 + i % 3,
							       GFP_KERNEL));
	for (i = 0; i < ARRAY_SIZE(objs); i++) {
		objs[i] = mheap_alloc(h, 64, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, objs[i]);
	}
	text = dbg_cat(test, DBG_HEAP, "spans");
	KUNIT_EXPECT_GT(test, strlen(text), 2 * PAGE_SIZE);
	again = dbg_read(test, DBG_HEAP, "spans", 13);
	KUNIT_ASSERT_FALSE(test, IS_ERR(again));
	KUNIT_EXPECT_STREQ(test, again, text);

	pos = text;
	KUNIT_ASSERT_TRUE(test, next_line(&pos, line, sizeof(line)));
	KUNIT_EXPECT_TRUE(test, strstarts(strim(line), "base"));
	while (next_line(&pos, line, sizeof(line))) {
		n = sscanf(line, "0x%lx %lu %7s %u %lu %u %u %u %u", &base,
			   &npages, state, &cls, &elemsize, &nelems, &alloc,
			   &sg, &needzero);
		KUNIT_ASSERT_EQ_MSG(test, n, 9, "row '%s'", line);
		rows++;
		s = mheap_span_of(h, (void *)base);
		KUNIT_ASSERT_NOT_NULL_MSG(test, s, "row '%s'", line);
		KUNIT_EXPECT_EQ(test, s->start, base);
		KUNIT_EXPECT_EQ(test, s->npages, npages);
		KUNIT_EXPECT_EQ(test, (unsigned int)s->spanclass, cls);
		KUNIT_EXPECT_EQ(test, s->elemsize, elemsize);
		KUNIT_EXPECT_EQ(test, s->nelems, nelems);
		/* Strictly by page number: no span twice. */
		if (rows > 1)
			KUNIT_EXPECT_GT(test, s->lpage, last);
		last = s->lpage;
		if (s->state == MHEAP_SPAN_MANUAL) {
			manual++;
			KUNIT_EXPECT_STREQ(test, state, "manual");
			KUNIT_EXPECT_EQ(test, elemsize, npages * PAGE_SIZE);
		} else {
			KUNIT_EXPECT_STREQ(test, state, "in-use");
			KUNIT_EXPECT_EQ(test, elemsize, 64UL);
			live += alloc;
		}
	}
	KUNIT_EXPECT_EQ(test, manual, (unsigned long)SPANS_MANUAL);
	KUNIT_EXPECT_EQ(test, rows, (unsigned long)atomic_long_read(&h->spans_live));
	KUNIT_EXPECT_EQ(test, rows - manual, class_nspans(h, mheap_size_to_class(64)));
	/* The objects, in one span or one per CPU the case ran on. */
	KUNIT_EXPECT_EQ(test, live, (unsigned long)ARRAY_SIZE(objs));
	for (i = 0; i < ARRAY_SIZE(objs); i++)
		mheap_free(h, objs[i]);
}

/* chunks and arenas add up to the page allocator's and the heap's counts. */
static void debugfs_chunks_arenas(struct kunit *test)
{
	unsigned long chunk, base, used, free, sum_used = 0, nchunks = 0;
	unsigned long committed_sum = 0, in_use, zeroed, arenas = 0;
	unsigned int windows;
	char line[128], map[8];
	int n;
	const char *pos;
	struct mheap *h;

	dbg_require(test);
	h = dbg_heap(test, DBG_HEAP, MHEAP_REGION_AUTO, 0);
	/* A one-chunk region and a two-chunk one. */
	KUNIT_ASSERT_EQ(test, dbg_puts(test, DBG_HEAP, "alloc pages=100"), 15L);
	KUNIT_ASSERT_EQ(test, dbg_puts(test, DBG_HEAP, "alloc pages=600"), 15L);
	KUNIT_ASSERT_EQ(test, h->nregions, 2UL);

	pos = dbg_cat(test, DBG_HEAP, "chunks");
	KUNIT_ASSERT_TRUE(test, next_line(&pos, line, sizeof(line)));
	KUNIT_EXPECT_TRUE(test, strstarts(strim(line), "chunk"));
	while (next_line(&pos, line, sizeof(line))) {
		n = sscanf(line, "%lu 0x%lx %7s %lu %lu", &chunk, &base, map,
			   &used, &free);
		KUNIT_ASSERT_EQ_MSG(test, n, 5, "row '%s'", line);
		KUNIT_EXPECT_TRUE(test, !strcmp(map, "vmap") || !strcmp(map, "direct"));
		KUNIT_EXPECT_EQ(test, used + free, (unsigned long)MHEAP_CHUNK_PAGES);
		KUNIT_EXPECT_LT(test, chunk, h->pages.nchunks);
		sum_used += used;
		nchunks++;
	}
	KUNIT_EXPECT_EQ(test, nchunks, 3UL);
	KUNIT_EXPECT_EQ(test, nchunks * MHEAP_CHUNK_PAGES, committed(h));
	KUNIT_EXPECT_EQ(test, sum_used, h->pages.pages_in_use);
	KUNIT_EXPECT_GE(test, sum_used, 700UL);

	pos = dbg_cat(test, DBG_HEAP, "arenas");
	KUNIT_ASSERT_TRUE(test, next_line(&pos, line, sizeof(line)));
	KUNIT_EXPECT_TRUE(test, strstarts(strim(line), "base"));
	while (next_line(&pos, line, sizeof(line))) {
		unsigned long committed_pages;

		n = sscanf(line, "0x%lx %lu %lu %lu %lu %u", &base,
			   &committed_pages, &in_use, &free, &zeroed, &windows);
		KUNIT_ASSERT_EQ_MSG(test, n, 6, "row '%s'", line);
		KUNIT_EXPECT_EQ(test, base % MHEAP_ARENA_BYTES, 0UL);
		KUNIT_EXPECT_LE(test, in_use, committed_pages);
		KUNIT_EXPECT_EQ(test, free, committed_pages - in_use);
		KUNIT_EXPECT_LE(test, zeroed, free);
		KUNIT_EXPECT_GE(test, windows, 1U);
		committed_sum += committed_pages;
		arenas++;
	}
	KUNIT_EXPECT_GE(test, arenas, 1UL);
	KUNIT_EXPECT_EQ(test, committed_sum, committed(h));
}

/* === scavenge, sweep, reclaim ======================================== */

static void debugfs_scavenge_sweep(struct kunit *test)
{
	struct mheap *h;
	char *text;
	long long cycles;

	dbg_require(test);
	h = dbg_heap(test, DBG_HEAP, MHEAP_REGION_AUTO, 0);
	KUNIT_ASSERT_EQ(test, dbg_puts(test, DBG_HEAP, "alloc pages=10"), 14L);
	KUNIT_ASSERT_EQ(test, dbg_puts(test, DBG_HEAP, "limit bytes=1e8"), 15L);
	text = dbg_cat(test, DBG_HEAP, "scavenge");
	expect_kv_lines(test, text);
	KUNIT_EXPECT_EQ(test, kv_num(test, text, "committed_bytes"),
			(long long)MHEAP_CHUNK_BYTES);
	KUNIT_EXPECT_EQ(test, kv_num(test, text, "in_use_bytes"), 10LL * PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, kv_num(test, text, "retained_bytes"),
			(long long)MHEAP_CHUNK_BYTES - 10 * PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, kv_num(test, text, "limit_bytes"),
			(long long)DIV_ROUND_UP(100000000, PAGE_SIZE) * PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, kv_num(test, text, "released_bytes"), 0LL);
	expect_str(test, text, "background", "off");

	KUNIT_ASSERT_EQ(test, dbg_puts(test, DBG_HEAP, "free all"), 8L);
	KUNIT_ASSERT_EQ(test, dbg_puts(test, DBG_HEAP, "release"), 7L);
	KUNIT_ASSERT_EQ(test, dbg_puts(test, DBG_HEAP, "scavenger on"), 12L);
	text = dbg_cat(test, DBG_HEAP, "scavenge");
	KUNIT_EXPECT_EQ(test, kv_num(test, text, "committed_bytes"), 0LL);
	KUNIT_EXPECT_EQ(test, kv_num(test, text, "released_bytes"),
			(long long)MHEAP_CHUNK_BYTES);
	KUNIT_EXPECT_EQ(test, kv_num(test, text, "released_explicit_bytes"),
			(long long)MHEAP_CHUNK_BYTES);
	expect_str(test, text, "background", "on");
	KUNIT_ASSERT_EQ(test, dbg_puts(test, DBG_HEAP, "scavenger off"), 13L);

	text = dbg_cat(test, DBG_HEAP, "sweep");
	expect_kv_lines(test, text);
	cycles = kv_num(test, text, "cycles");
	KUNIT_EXPECT_EQ(test, cycles, 0LL);
	expect_str(test, text, "background", "off");
	KUNIT_ASSERT_EQ(test, dbg_puts(test, DBG_HEAP, "alloc size=64 count=300"), 23L);
	KUNIT_ASSERT_EQ(test, dbg_puts(test, DBG_HEAP, "gc keep=0%"), 10L);
	text = dbg_cat(test, DBG_HEAP, "sweep");
	KUNIT_EXPECT_EQ(test, kv_num(test, text, "cycles"), cycles + 1);
	KUNIT_EXPECT_EQ(test, kv_num(test, text, "sweepgen"),
			(long long)READ_ONCE(h->gc.sweepgen));
	KUNIT_EXPECT_EQ(test, kv_num(test, text, "marking"), 0LL);

	text = dbg_cat(test, DBG_HEAP, "reclaim");
	expect_kv_lines(test, text);
	KUNIT_EXPECT_EQ(test, kv_num(test, text, "calls"), 0LL);
	KUNIT_ASSERT_EQ(test, dbg_puts(test, DBG_HEAP, "reclaim pages=1"), 15L);
	text = dbg_cat(test, DBG_HEAP, "reclaim");
	KUNIT_EXPECT_EQ(test, kv_num(test, text, "calls"), 1LL);
	KUNIT_EXPECT_GE(test, kv_num(test, text, "pages_reclaimed"), 1LL);

	KUNIT_ASSERT_EQ(test, dbg_puts(test, DBG_HEAP, "sweep"), 5L);
	text = dbg_cat(test, DBG_HEAP, "sweep");
	KUNIT_EXPECT_EQ(test, kv_num(test, text, "sweep_done"), 1LL);
	KUNIT_EXPECT_EQ(test, kv_num(test, text, "objects_freed"), 300LL);
}

/* === control ========================================================= */

static void debugfs_control(struct kunit *test)
{
	static const char nul[] = "free all\0alloc pages=1\n";
	char line[160];
	struct mheap *h;

	dbg_require(test);
	h = dbg_heap(test, DBG_HEAP, MHEAP_REGION_AUTO, 0);

	/* A write is a whole command, with or without its newline. */
	KUNIT_EXPECT_EQ(test, dbg_puts(test, DBG_HEAP, "alloc pages=4\n"), 14L);
	KUNIT_EXPECT_EQ(test, pages_in_use_of(h), 4L);
	KUNIT_EXPECT_EQ(test, dbg_puts(test, DBG_HEAP, "alloc pages=2"), 13L);
	KUNIT_EXPECT_EQ(test, pages_in_use_of(h), 6L);
	KUNIT_EXPECT_EQ(test, h->control.pool.count, 2UL);

	/* Refused, and nothing changes. */
	KUNIT_EXPECT_EQ(test, dbg_puts(test, DBG_HEAP, "bogus\n"), -EINVAL);
	KUNIT_EXPECT_EQ(test, dbg_puts(test, DBG_HEAP, "\n"), -EINVAL);
	KUNIT_EXPECT_EQ(test, dbg_write(test, DBG_HEAP, "", 0), -EINVAL);
	KUNIT_EXPECT_EQ(test, dbg_puts(test, DBG_HEAP, "free all\n\n"), -EINVAL);
	/* One newline goes; a second is not part of a number either. */
	KUNIT_EXPECT_EQ(test, dbg_puts(test, DBG_HEAP, "alloc pages=1\n\n"),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, dbg_puts(test, DBG_HEAP, "free\nall"), -EINVAL);
	/* An embedded NUL would hide the second command. */
	KUNIT_EXPECT_EQ(test, dbg_write(test, DBG_HEAP, nul, sizeof(nul) - 1),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, pages_in_use_of(h), 6L);
	KUNIT_EXPECT_EQ(test, h->control.pool.count, 2UL);

	/* Lines of up to 127 bytes, newline included. */
	memset(line, ' ', sizeof(line));
	memcpy(line, "alloc pages=1", 13);
	line[126] = '\n';
	KUNIT_EXPECT_EQ(test, dbg_write(test, DBG_HEAP, line, 127), 127L);
	KUNIT_EXPECT_EQ(test, pages_in_use_of(h), 7L);
	line[127] = '\n';
	KUNIT_EXPECT_EQ(test, dbg_write(test, DBG_HEAP, line, 128), -EINVAL);
	KUNIT_EXPECT_EQ(test, dbg_write(test, DBG_HEAP, line, sizeof(line)),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, pages_in_use_of(h), 7L);

	/* The parser's errors come through: -ENOMEM from a limit. */
	KUNIT_EXPECT_EQ(test, dbg_puts(test, DBG_HEAP, "limit bytes=2097152\n"), 20L);
	KUNIT_EXPECT_EQ(test, dbg_puts(test, DBG_HEAP, "alloc pages=600\n"),
			-ENOMEM);
	KUNIT_EXPECT_EQ(test, pages_in_use_of(h), 7L);
	KUNIT_EXPECT_EQ(test, dbg_puts(test, DBG_HEAP, "alloc pages=0\n"), -EINVAL);

	KUNIT_EXPECT_EQ(test, dbg_puts(test, DBG_HEAP, "free all\n"), 9L);
	KUNIT_EXPECT_EQ(test, pages_in_use_of(h), 0L);
	KUNIT_EXPECT_EQ(test, h->control.pool.count, 0UL);
}

static struct kunit_case mheap_debugfs_cases[] = {
	KUNIT_CASE(debugfs_heap_dir),
	KUNIT_CASE(debugfs_every_file),
	KUNIT_CASE(debugfs_stats_format),
	KUNIT_CASE(debugfs_stats_move),
	KUNIT_CASE(debugfs_classes),
	KUNIT_CASE(debugfs_spans),
	KUNIT_CASE(debugfs_chunks_arenas),
	KUNIT_CASE(debugfs_scavenge_sweep),
	KUNIT_CASE(debugfs_control),
	{}
};

static struct kunit_suite mheap_debugfs_suite = {
	.name = "mheap_debugfs",
	.init = dbg_init,
	.test_cases = mheap_debugfs_cases,
};

kunit_test_suites(&mheap_debugfs_suite);
