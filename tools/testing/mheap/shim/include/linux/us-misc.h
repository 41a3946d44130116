/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Userspace stand-in for what is left: strings, errors, modules, files,
 * debugfs and seq_file, user copies, fault injection (shim/debug.c).
 *
 * debugfs records: every file and directory created is kept in a table
 * with its parent, mode, data and file_operations, so a test can read
 * one through its own show/seq_operations (us_debugfs_read()) or write
 * one (us_debugfs_write()) as a user would with cat and echo.
 *
 * Fault injection: should_fail() counts down a per-thread fail-nth, as
 * /proc/self/fail-nth does: us_fail_nth(n) makes the n-th next check on
 * this thread fail.  The attribute's own settings are not used.
 */
#ifndef _US_LINUX_MISC_H
#define _US_LINUX_MISC_H

/* === Errors ========================================================== */

#define MAX_ERRNO	4095
#define IS_ERR_VALUE(x)	unlikely((unsigned long)(void *)(x) >= (unsigned long)-MAX_ERRNO)
static inline void *ERR_PTR(long error) { return (void *)error; }
static inline long PTR_ERR(const void *ptr) { return (long)ptr; }
static inline bool IS_ERR(const void *ptr) { return IS_ERR_VALUE((unsigned long)ptr); }
static inline bool IS_ERR_OR_NULL(const void *ptr) { return !ptr || IS_ERR(ptr); }
static inline int PTR_ERR_OR_ZERO(const void *ptr) { return IS_ERR(ptr) ? PTR_ERR(ptr) : 0; }
#define ERR_CAST(p)	((void *)(p))
#ifndef ENOTSUPP
#define ENOTSUPP	524
#endif

/* === Strings ========================================================= */

ssize_t strscpy(char *dst, const char *src, size_t count);
int kstrtoul(const char *s, unsigned int base, unsigned long *res);
int kstrtouint(const char *s, unsigned int base, unsigned int *res);
int kstrtoint(const char *s, unsigned int base, int *res);
int kstrtoull(const char *s, unsigned int base, unsigned long long *res);
int kstrtobool(const char *s, bool *res);
char *skip_spaces(const char *str);
char *strim(char *s);
#define scnprintf(buf, size, fmt...) ({					\
	int __n = snprintf(buf, size, fmt);				\
	(size) ? min_t(int, __n, (int)(size) - 1) : 0; })

/* === Modules ========================================================= */

struct module;
#define THIS_MODULE		((struct module *)0)
#define EXPORT_SYMBOL(s)	extern typeof(s) s
#define EXPORT_SYMBOL_GPL(s)	extern typeof(s) s
#define EXPORT_SYMBOL_NS_GPL(s, ns) extern typeof(s) s
#define MODULE_LICENSE(x)
#define MODULE_AUTHOR(x)
#define MODULE_DESCRIPTION(x)
#define MODULE_VERSION(x)
#define MODULE_PARM_DESC(p, d)
#define MODULE_IMPORT_NS(ns)
#define module_param(name, type, perm)	static_assert(sizeof(name) > 0, #name)
#define module_param_named(n, v, t, p)	static_assert(sizeof(v) > 0, #n)
/*
 * module_init()/module_exit() name the functions the test program calls
 * to load and unload the module: us_module_init(), us_module_exit().
 */
#define module_init(fn)		int us_module_init(void) { return fn(); }
#define module_exit(fn)		void us_module_exit(void) { fn(); }
int us_module_init(void);
void us_module_exit(void);

/* === Files, debugfs, seq_file ======================================== */

struct inode {
	void *i_private;
};

struct file {
	void *private_data;
	struct inode *f_inode;
	loff_t f_pos;
};

struct seq_file;

struct file_operations {
	struct module *owner;
	int (*open)(struct inode *inode, struct file *file);
	ssize_t (*read)(struct file *file, char __user *buf, size_t n, loff_t *pos);
	ssize_t (*write)(struct file *file, const char __user *buf, size_t n,
			 loff_t *pos);
	loff_t (*llseek)(struct file *file, loff_t off, int whence);
	int (*release)(struct inode *inode, struct file *file);
};

struct seq_operations {
	void *(*start)(struct seq_file *m, loff_t *pos);
	void (*stop)(struct seq_file *m, void *v);
	void *(*next)(struct seq_file *m, void *v, loff_t *pos);
	int (*show)(struct seq_file *m, void *v);
};

struct seq_file {
	char *buf;
	size_t size;
	size_t count;
	loff_t index;
	const struct seq_operations *op;
	int (*single_show)(struct seq_file *m, void *v);
	void *private;
	struct file *file;
};

#define SEQ_START_TOKEN		((void *)1)

static inline struct inode *file_inode(const struct file *f)
{
	return f->f_inode;
}

__printf(2, 3) void seq_printf(struct seq_file *m, const char *fmt, ...);
void seq_puts(struct seq_file *m, const char *s);
void seq_putc(struct seq_file *m, char c);
#define seq_write(m, d, n)	seq_printf(m, "%.*s", (int)(n), (const char *)(d))
int single_open(struct file *file, int (*show)(struct seq_file *, void *), void *data);
int single_release(struct inode *inode, struct file *file);
int seq_open(struct file *file, const struct seq_operations *op);
int seq_open_private(struct file *file, const struct seq_operations *op, int psize);
void *__seq_open_private(struct file *file, const struct seq_operations *op, int psize);
int seq_release(struct inode *inode, struct file *file);
int seq_release_private(struct inode *inode, struct file *file);
ssize_t seq_read(struct file *file, char __user *buf, size_t n, loff_t *pos);
loff_t seq_lseek(struct file *file, loff_t off, int whence);
ssize_t simple_read_from_buffer(void __user *to, size_t count, loff_t *ppos,
				const void *from, size_t available);
int simple_open(struct inode *inode, struct file *file);
loff_t no_llseek(struct file *file, loff_t off, int whence);
loff_t noop_llseek(struct file *file, loff_t off, int whence);
int nonseekable_open(struct inode *inode, struct file *file);

#define DEFINE_SHOW_ATTRIBUTE(__name)					\
static int __name ## _open(struct inode *inode, struct file *file)	\
{									\
	return single_open(file, __name ## _show, inode->i_private);	\
}									\
static const struct file_operations __name ## _fops = {			\
	.owner		= THIS_MODULE,					\
	.open		= __name ## _open,				\
	.read		= seq_read,					\
	.llseek		= seq_lseek,					\
	.release	= single_release,				\
}

#define DEFINE_SEQ_ATTRIBUTE(__name)					\
static int __name ## _open(struct inode *inode, struct file *file)	\
{									\
	int ret = seq_open(file, &__name ## _sops);			\
	if (!ret && inode->i_private) {					\
		struct seq_file *seq_f = file->private_data;		\
		seq_f->private = inode->i_private;			\
	}								\
	return ret;							\
}									\
static const struct file_operations __name ## _fops = {			\
	.owner		= THIS_MODULE,					\
	.open		= __name ## _open,				\
	.read		= seq_read,					\
	.llseek		= seq_lseek,					\
	.release	= seq_release,					\
}

struct dentry;
struct dentry *debugfs_create_dir(const char *name, struct dentry *parent);
struct dentry *debugfs_create_file(const char *name, umode_t mode,
				   struct dentry *parent, void *data,
				   const struct file_operations *fops);
void debugfs_remove(struct dentry *d);
#define debugfs_remove_recursive(d)	debugfs_remove(d)
struct dentry *debugfs_lookup(const char *name, struct dentry *parent);
#define debugfs_create_bool(n, m, p, v)	debugfs_create_file(n, m, p, v, NULL)
#define debugfs_create_ulong(n, m, p, v) debugfs_create_file(n, m, p, v, NULL)
#define debugfs_create_u32(n, m, p, v)	debugfs_create_file(n, m, p, v, NULL)
/* Read or write <debugfs>/PATH ("mheap/default/stats") into/from @buf. */
ssize_t us_debugfs_read(const char *path, char *buf, size_t len);
ssize_t us_debugfs_write(const char *path, const char *buf, size_t len);
unsigned long us_debugfs_entries(void);

unsigned long copy_from_user(void *to, const void __user *from, unsigned long n);
unsigned long copy_to_user(void __user *to, const void *from, unsigned long n);
#define memdup_user_nul(src, n) ({					\
	char *__b = kmalloc((n) + 1, GFP_KERNEL);			\
	if (__b) { memcpy(__b, src, n); __b[n] = 0; } else __b = ERR_PTR(-ENOMEM); \
	__b; })

/* === Fault injection ================================================= */

struct fault_attr {
	unsigned long probability;
	unsigned long interval;
	atomic_t times;
	atomic_t space;
	unsigned long verbose;
	bool task_filter;
	unsigned long count;	/* checks made */
	unsigned long failed;	/* failures injected */
};

#define FAULT_ATTR_INITIALIZER { .interval = 1, .times = ATOMIC_INIT(1), .verbose = 2 }
#define DECLARE_FAULT_ATTR(name) struct fault_attr name = FAULT_ATTR_INITIALIZER
bool should_fail(struct fault_attr *attr, ssize_t size);
struct dentry *fault_create_debugfs_attr(const char *name, struct dentry *parent,
					 struct fault_attr *attr);
/* The @n-th next should_fail() on this thread fails; 0 turns it off. */
void us_fail_nth(unsigned int n);
unsigned int us_fail_nth_left(void);

/* === Tracepoints ===================================================== */

/*
 * Each event counts its hits (us_trace_count("mheap_bad_free")); the
 * event arguments are checked for type but not recorded.
 */
unsigned long us_trace_count(const char *name);
void us_trace_hit(unsigned long *counter, const char *name);

#endif /* _US_LINUX_MISC_H */
