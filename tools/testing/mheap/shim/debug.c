// SPDX-License-Identifier: GPL-2.0
/*
 * printk and WARN (recorded), strings, debugfs and seq_file (recorded,
 * readable), user copies, fault injection (fail-nth), trace events
 * (counted), and the shim's set-up; see include/linux/us-printk.h and
 * include/linux/us-misc.h.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <unistd.h>
#include "us.h"

void us_cpu_init(unsigned int ncpus);
void us_work_init(void);
void us_work_exit(void);
void us_rcu_thread_start(void);
void us_rcu_thread_stop(void);

/* === Reports ========================================================= */

static pthread_mutex_t report_lock = PTHREAD_MUTEX_INITIALIZER;
static unsigned long report_count[US_REPORT_KINDS];
static char report_last[US_REPORT_KINDS][256];
static bool report_quiet;

static void vreport(enum us_report_kind kind, const char *prefix,
		    const char *fmt, va_list ap)
{
	char line[256];
	int n = snprintf(line, sizeof(line), "%s", prefix);

	vsnprintf(line + n, sizeof(line) - n, fmt, ap);
	pthread_mutex_lock(&report_lock);
	report_count[kind]++;
	memcpy(report_last[kind], line, sizeof(line));
	if (!report_quiet || kind == US_REPORT_WARN_ON || kind == US_REPORT_BUG)
		fprintf(stderr, "%s%s", line,
			line[0] && line[strlen(line) - 1] == '\n' ? "" : "\n");
	pthread_mutex_unlock(&report_lock);
}

void us_printk(enum us_report_kind kind, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport(kind, "", fmt, ap);
	va_end(ap);
}

void us_warn_on(const char *file, int line, const char *cond, const char *fmt, ...)
{
	char prefix[160];
	va_list ap;

	snprintf(prefix, sizeof(prefix), "WARNING: %s:%d: %s%s", file, line,
		 cond, fmt ? ": " : "");
	va_start(ap, fmt);
	vreport(US_REPORT_WARN_ON, prefix, fmt ? fmt : "", ap);
	va_end(ap);
}

unsigned long us_report_count(enum us_report_kind kind)
{
	unsigned long n;

	pthread_mutex_lock(&report_lock);
	n = report_count[kind];
	pthread_mutex_unlock(&report_lock);
	return n;
}

const char *us_last_report(enum us_report_kind kind, char *buf, size_t len)
{
	pthread_mutex_lock(&report_lock);
	strscpy(buf, report_last[kind], len);
	pthread_mutex_unlock(&report_lock);
	return buf;
}

/* Quiet: pr_err/pr_info are counted but not printed (WARN and BUG are). */
void us_report_quiet(bool quiet)
{
	pthread_mutex_lock(&report_lock);
	report_quiet = quiet;
	pthread_mutex_unlock(&report_lock);
}

void us_bug(const char *file, int line)
{
	fprintf(stderr, "kernel BUG at %s:%d!\n", file, line);
	abort();
}

/* === Strings ========================================================= */

ssize_t strscpy(char *dst, const char *src, size_t count)
{
	size_t n;

	if (!count)
		return -E2BIG;
	n = strnlen(src, count);
	if (n == count) {
		memcpy(dst, src, count - 1);
		dst[count - 1] = 0;
		return -E2BIG;
	}
	memcpy(dst, src, n + 1);
	return n;
}

/* The kernel's rules: digits only (one trailing newline), no sign, no overflow. */
int kstrtoull(const char *s, unsigned int base, unsigned long long *res)
{
	unsigned long long v = 0;
	const char *p = s;

	if (base == 0) {
		base = 10;
		if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X') && isxdigit((unsigned char)p[2])) {
			base = 16;
			p += 2;
		} else if (p[0] == '0' && p[1]) {
			base = 8;
			p++;
		}
	} else if (base == 16 && p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
		p += 2;
	}
	if (*p == '+')
		p++;
	if (!*p || *p == '\n')
		return -EINVAL;
	for (; *p && *p != '\n'; p++) {
		unsigned int d;

		if (isdigit((unsigned char)*p))
			d = *p - '0';
		else if (isxdigit((unsigned char)*p))
			d = (*p | 0x20) - 'a' + 10;
		else
			return -EINVAL;
		if (d >= base)
			return -EINVAL;
		if (__builtin_mul_overflow(v, base, &v) || __builtin_add_overflow(v, d, &v))
			return -ERANGE;
	}
	if (*p == '\n' && p[1])
		return -EINVAL;
	*res = v;
	return 0;
}

int kstrtoul(const char *s, unsigned int base, unsigned long *res)
{
	unsigned long long v;
	int err = kstrtoull(s, base, &v);

	if (!err)
		*res = v;
	return err;
}

int kstrtouint(const char *s, unsigned int base, unsigned int *res)
{
	unsigned long long v;
	int err = kstrtoull(s, base, &v);

	if (err)
		return err;
	if (v > UINT_MAX)
		return -ERANGE;
	*res = v;
	return 0;
}

int kstrtoint(const char *s, unsigned int base, int *res)
{
	unsigned long long v;
	int err;

	if (*s == '-') {
		err = kstrtoull(s + 1, base, &v);
		if (err)
			return err;
		if (v > (unsigned long long)INT_MAX + 1)
			return -ERANGE;
		*res = -(long long)v;
		return 0;
	}
	err = kstrtoull(s, base, &v);
	if (err)
		return err;
	if (v > INT_MAX)
		return -ERANGE;
	*res = v;
	return 0;
}

int kstrtobool(const char *s, bool *res)
{
	switch (s[0]) {
	case 'y': case 'Y': case '1':
		*res = true;
		return 0;
	case 'n': case 'N': case '0':
		*res = false;
		return 0;
	}
	return -EINVAL;
}

char *skip_spaces(const char *str)
{
	while (isspace((unsigned char)*str))
		str++;
	return (char *)str;
}

char *strim(char *s)
{
	size_t n = strlen(s);

	while (n && isspace((unsigned char)s[n - 1]))
		s[--n] = 0;
	return skip_spaces(s);
}

unsigned long copy_from_user(void *to, const void __user *from, unsigned long n)
{
	memcpy(to, from, n);
	return 0;
}

unsigned long copy_to_user(void __user *to, const void *from, unsigned long n)
{
	memcpy(to, from, n);
	return 0;
}

/* === seq_file ======================================================== */

void seq_printf(struct seq_file *m, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (m->count >= m->size)
		return;
	va_start(ap, fmt);
	n = vsnprintf(m->buf + m->count, m->size - m->count, fmt, ap);
	va_end(ap);
	/* As the kernel: an overflow marks the buffer full, to be retried larger. */
	m->count = n < 0 || (size_t)n >= m->size - m->count ? m->size : m->count + n;
}

void seq_puts(struct seq_file *m, const char *s)
{
	seq_printf(m, "%s", s);
}

void seq_putc(struct seq_file *m, char c)
{
	seq_printf(m, "%c", c);
}

int seq_open(struct file *file, const struct seq_operations *op)
{
	struct seq_file *m = calloc(1, sizeof(*m));

	if (!m)
		return -ENOMEM;
	m->op = op;
	m->file = file;
	file->private_data = m;
	return 0;
}

void *__seq_open_private(struct file *file, const struct seq_operations *op, int psize)
{
	void *priv = calloc(1, psize);

	if (!priv || seq_open(file, op)) {
		free(priv);
		return NULL;
	}
	((struct seq_file *)file->private_data)->private = priv;
	return priv;
}

int seq_open_private(struct file *file, const struct seq_operations *op, int psize)
{
	return __seq_open_private(file, op, psize) ? 0 : -ENOMEM;
}

static void *single_start(struct seq_file *m, loff_t *pos)
{
	return *pos ? NULL : SEQ_START_TOKEN;
}

static void *single_next(struct seq_file *m, void *v, loff_t *pos)
{
	++*pos;
	return NULL;
}

static void single_stop(struct seq_file *m, void *v)
{
}

static int single_show_fn(struct seq_file *m, void *v)
{
	return m->single_show(m, v);
}

static const struct seq_operations single_ops = {
	.start = single_start,
	.next = single_next,
	.stop = single_stop,
	.show = single_show_fn,
};

int single_open(struct file *file, int (*show)(struct seq_file *, void *), void *data)
{
	int err = seq_open(file, &single_ops);

	if (err)
		return err;
	((struct seq_file *)file->private_data)->single_show = show;
	((struct seq_file *)file->private_data)->private = data;
	return 0;
}

int seq_release(struct inode *inode, struct file *file)
{
	struct seq_file *m = file->private_data;

	free(m->buf);
	free(m);
	return 0;
}

int single_release(struct inode *inode, struct file *file)
{
	return seq_release(inode, file);
}

int seq_release_private(struct inode *inode, struct file *file)
{
	free(((struct seq_file *)file->private_data)->private);
	return seq_release(inode, file);
}

/*
 * The whole file at once, into a buffer that doubles until every record
 * fits: what the kernel's seq_read does record by record.
 */
ssize_t seq_read(struct file *file, char __user *ubuf, size_t n, loff_t *ppos)
{
	struct seq_file *m = file->private_data;
	size_t size = 4096;

	if (*ppos)
		return 0;
	for (;;) {
		loff_t pos = 0;
		void *v;
		int err = 0;

		free(m->buf);
		m->buf = malloc(size);
		if (!m->buf)
			return -ENOMEM;
		m->size = size;
		m->count = 0;
		v = m->op->start(m, &pos);
		while (v && !IS_ERR(v)) {
			err = m->op->show(m, v);
			if (err < 0 || m->count >= m->size)
				break;
			v = m->op->next(m, v, &pos);
		}
		m->op->stop(m, v);
		if (err < 0)
			return err;
		if (IS_ERR(v))
			return PTR_ERR(v);
		if (m->count < m->size)
			break;
		size *= 2;
	}
	n = min(n, m->count);
	memcpy(ubuf, m->buf, n);
	*ppos = n;
	return n;
}

loff_t seq_lseek(struct file *file, loff_t off, int whence)
{
	return -ESPIPE;
}

ssize_t simple_read_from_buffer(void __user *to, size_t count, loff_t *ppos,
				const void *from, size_t available)
{
	loff_t pos = *ppos;

	if (pos < 0)
		return -EINVAL;
	if ((size_t)pos >= available || !count)
		return 0;
	count = min(count, available - (size_t)pos);
	memcpy(to, (const char *)from + pos, count);
	*ppos = pos + count;
	return count;
}

int simple_open(struct inode *inode, struct file *file)
{
	file->private_data = inode->i_private;
	return 0;
}

int nonseekable_open(struct inode *inode, struct file *file)
{
	return 0;
}

loff_t no_llseek(struct file *file, loff_t off, int whence)
{
	return -ESPIPE;
}

loff_t noop_llseek(struct file *file, loff_t off, int whence)
{
	return file->f_pos;
}

/* === debugfs ========================================================= */

struct dentry {
	char name[64];
	struct dentry *parent;
	umode_t mode;
	void *data;
	const struct file_operations *fops;
	bool dir;
	struct dentry *next;	/* all entries */
};

static pthread_mutex_t debugfs_lock = PTHREAD_MUTEX_INITIALIZER;
static struct dentry *debugfs_all;
static unsigned long debugfs_count;

static struct dentry *debugfs_add(const char *name, struct dentry *parent,
				  umode_t mode, void *data,
				  const struct file_operations *fops, bool dir)
{
	struct dentry *d;

	if (IS_ERR(parent))
		return parent;
	d = calloc(1, sizeof(*d));
	if (!d)
		return ERR_PTR(-ENOMEM);
	strscpy(d->name, name, sizeof(d->name));
	d->parent = parent;
	d->mode = mode;
	d->data = data;
	d->fops = fops;
	d->dir = dir;
	pthread_mutex_lock(&debugfs_lock);
	d->next = debugfs_all;
	debugfs_all = d;
	debugfs_count++;
	pthread_mutex_unlock(&debugfs_lock);
	return d;
}

struct dentry *debugfs_create_dir(const char *name, struct dentry *parent)
{
	return debugfs_add(name, parent, 0755, NULL, NULL, true);
}

struct dentry *debugfs_create_file(const char *name, umode_t mode,
				   struct dentry *parent, void *data,
				   const struct file_operations *fops)
{
	return debugfs_add(name, parent, mode, data, fops, false);
}

static bool under(struct dentry *d, struct dentry *top)
{
	for (; d; d = d->parent)
		if (d == top)
			return true;
	return false;
}

/* Recursive, as the kernel's. */
void debugfs_remove(struct dentry *top)
{
	struct dentry **pp, *d;

	if (IS_ERR_OR_NULL(top))
		return;
	pthread_mutex_lock(&debugfs_lock);
	/* Children first: they were added after their parent. */
	pp = &debugfs_all;
	while ((d = *pp)) {
		if (d != top && under(d, top)) {
			*pp = d->next;
			free(d);
			debugfs_count--;
		} else {
			pp = &d->next;
		}
	}
	for (pp = &debugfs_all; (d = *pp); pp = &d->next) {
		if (d == top) {
			*pp = d->next;
			free(d);
			debugfs_count--;
			break;
		}
	}
	pthread_mutex_unlock(&debugfs_lock);
}

struct dentry *debugfs_lookup(const char *name, struct dentry *parent)
{
	struct dentry *d;

	pthread_mutex_lock(&debugfs_lock);
	for (d = debugfs_all; d; d = d->next)
		if (d->parent == parent && !strcmp(d->name, name))
			break;
	pthread_mutex_unlock(&debugfs_lock);
	return d;
}

unsigned long us_debugfs_entries(void)
{
	return __atomic_load_n(&debugfs_count, __ATOMIC_RELAXED);
}

/* Under debugfs_lock. */
static struct dentry *lookup_path(const char *path)
{
	struct dentry *d, *parent = NULL;
	char buf[256], *s = buf, *tok;

	strscpy(buf, path, sizeof(buf));
	while ((tok = strsep(&s, "/"))) {
		for (d = debugfs_all; d; d = d->next)
			if (d->parent == parent && !strcmp(d->name, tok))
				break;
		if (!d)
			return NULL;
		parent = d;
	}
	return parent;
}

/*
 * As cat and echo: open, one read or write, release.  The entry must stay
 * (its heap alive) while this runs, as in the kernel where an open file
 * holds it.
 */
static ssize_t debugfs_io(const char *path, char *buf, size_t len, bool wr)
{
	struct inode inode = { 0 };
	struct file file = { 0 };
	const struct file_operations *fops;
	struct dentry *d;
	loff_t pos = 0;
	ssize_t n;
	int err;

	pthread_mutex_lock(&debugfs_lock);
	d = lookup_path(path);
	fops = d ? d->fops : NULL;
	inode.i_private = d ? d->data : NULL;
	pthread_mutex_unlock(&debugfs_lock);
	if (!fops)
		return -ENOENT;
	file.f_inode = &inode;
	if (fops->open) {
		err = fops->open(&inode, &file);
		if (err)
			return err;
	}
	if (wr)
		n = fops->write ? fops->write(&file, buf, len, &pos) : -EPERM;
	else
		n = fops->read ? fops->read(&file, buf, len, &pos) : -EPERM;
	if (fops->release)
		fops->release(&inode, &file);
	return n;
}

ssize_t us_debugfs_read(const char *path, char *buf, size_t len)
{
	ssize_t n = debugfs_io(path, buf, len ? len - 1 : 0, false);

	if (n >= 0 && len)
		buf[n] = 0;
	return n;
}

ssize_t us_debugfs_write(const char *path, const char *buf, size_t len)
{
	return debugfs_io(path, (char *)buf, len, true);
}

/* === Fault injection ================================================= */

static __thread unsigned int fail_nth;

void us_fail_nth(unsigned int n)
{
	fail_nth = n;
}

unsigned int us_fail_nth_left(void)
{
	return fail_nth;
}

bool should_fail(struct fault_attr *attr, ssize_t size)
{
	__atomic_fetch_add(&attr->count, 1, __ATOMIC_RELAXED);
	if (!fail_nth || --fail_nth)
		return false;
	__atomic_fetch_add(&attr->failed, 1, __ATOMIC_RELAXED);
	return true;
}

struct dentry *fault_create_debugfs_attr(const char *name, struct dentry *parent,
					 struct fault_attr *attr)
{
	return debugfs_create_dir(name, parent);
}

/* === Trace events ==================================================== */

static struct {
	const char *name;
	unsigned long *counter;
} events[64];
static unsigned int nevents;

void us_trace_register(const char *name, unsigned long *counter)
{
	if (nevents < ARRAY_SIZE(events)) {
		events[nevents].name = name;
		events[nevents++].counter = counter;
	}
}

void us_trace_hit(unsigned long *counter, const char *name)
{
	__atomic_fetch_add(counter, 1, __ATOMIC_RELAXED);
}

unsigned long us_trace_count(const char *name)
{
	unsigned int i;

	for (i = 0; i < nevents; i++)
		if (!strcmp(events[i].name, name))
			return __atomic_load_n(events[i].counter, __ATOMIC_RELAXED);
	return ULONG_MAX;
}

/* === Set-up ========================================================== */

void us_thread_start(unsigned int cpu)
{
	us_set_cpu(cpu);
	snprintf(us_current_task.comm, sizeof(us_current_task.comm), "us-%u", cpu);
	us_current_task.pid = gettid();
	us_rcu_thread_start();
}

void us_thread_stop(void)
{
	us_rcu_thread_stop();
}

void us_init(unsigned int ncpus)
{
	us_cpu_init(ncpus);
	us_thread_start(0);
	us_work_init();
}

void us_exit(void)
{
	us_work_exit();
	rcu_barrier();
}
