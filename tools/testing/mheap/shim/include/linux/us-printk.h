/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Userspace stand-in for printk and the WARN/BUG family.
 *
 * Every message goes to stderr and is recorded (shim/debug.c): each
 * level is counted, WARN and BUG are counted apart, and a test asks
 * us_report_count() / us_last_report() what was said.  The ratelimited
 * variants are not rate limited: a test wants every report.  BUG()
 * aborts.  A test that expects no warning checks the count at the end.
 */
#ifndef _US_LINUX_PRINTK_H
#define _US_LINUX_PRINTK_H

enum us_report_kind {
	US_REPORT_ERR,		/* pr_err, pr_crit, pr_alert, pr_emerg */
	US_REPORT_WARN,		/* pr_warn */
	US_REPORT_INFO,		/* pr_info, pr_notice, pr_debug */
	US_REPORT_WARN_ON,	/* WARN(), WARN_ON(), WARN_ON_ONCE() */
	US_REPORT_BUG,		/* lockdep-style shim assertions */
	US_REPORT_KINDS,
};

__printf(2, 3) void us_printk(enum us_report_kind kind, const char *fmt, ...);
void us_warn_on(const char *file, int line, const char *cond, const char *fmt, ...);
unsigned long us_report_count(enum us_report_kind kind);
const char *us_last_report(enum us_report_kind kind, char *buf, size_t len);
void us_report_quiet(bool quiet);
__attribute__((__noreturn__)) void us_bug(const char *file, int line);

#ifndef pr_fmt
#define pr_fmt(fmt) fmt
#endif

#define KERN_ERR	""
#define KERN_WARNING	""
#define KERN_INFO	""
#define KERN_CONT	""

#define pr_emerg(fmt, ...)	us_printk(US_REPORT_ERR, pr_fmt(fmt), ##__VA_ARGS__)
#define pr_alert(fmt, ...)	us_printk(US_REPORT_ERR, pr_fmt(fmt), ##__VA_ARGS__)
#define pr_crit(fmt, ...)	us_printk(US_REPORT_ERR, pr_fmt(fmt), ##__VA_ARGS__)
#define pr_err(fmt, ...)	us_printk(US_REPORT_ERR, pr_fmt(fmt), ##__VA_ARGS__)
#define pr_warn(fmt, ...)	us_printk(US_REPORT_WARN, pr_fmt(fmt), ##__VA_ARGS__)
#define pr_notice(fmt, ...)	us_printk(US_REPORT_INFO, pr_fmt(fmt), ##__VA_ARGS__)
#define pr_info(fmt, ...)	us_printk(US_REPORT_INFO, pr_fmt(fmt), ##__VA_ARGS__)
#define pr_debug(fmt, ...)	do { if (0) us_printk(US_REPORT_INFO, pr_fmt(fmt), ##__VA_ARGS__); } while (0)
#define pr_cont(fmt, ...)	us_printk(US_REPORT_INFO, fmt, ##__VA_ARGS__)
#define pr_err_ratelimited(fmt, ...)	pr_err(fmt, ##__VA_ARGS__)
#define pr_warn_ratelimited(fmt, ...)	pr_warn(fmt, ##__VA_ARGS__)
#define pr_info_ratelimited(fmt, ...)	pr_info(fmt, ##__VA_ARGS__)
#define pr_err_once(fmt, ...)		pr_err(fmt, ##__VA_ARGS__)
#define pr_warn_once(fmt, ...)		pr_warn(fmt, ##__VA_ARGS__)
#define pr_info_once(fmt, ...)		pr_info(fmt, ##__VA_ARGS__)
#define printk(fmt, ...)		us_printk(US_REPORT_INFO, fmt, ##__VA_ARGS__)

/* Every WARN is reported, not only the first: a test counts them all. */
#define WARN(cond, fmt...) ({						\
	bool __w = !!(cond);						\
	if (unlikely(__w))						\
		us_warn_on(__FILE__, __LINE__, #cond, fmt);		\
	__w; })
#define WARN_ON(cond) ({						\
	bool __w = !!(cond);						\
	if (unlikely(__w))						\
		us_warn_on(__FILE__, __LINE__, #cond, NULL);		\
	__w; })
#define WARN_ONCE(cond, fmt...)	WARN(cond, fmt)
#define WARN_ON_ONCE(cond)	WARN_ON(cond)
#define BUG()			us_bug(__FILE__, __LINE__)
#define BUG_ON(cond)		do { if (unlikely(cond)) BUG(); } while (0)
#define VM_BUG_ON(cond)		BUG_ON(cond)
#define VM_WARN_ON(cond)	WARN_ON(cond)
#define VM_WARN_ON_ONCE(cond)	WARN_ON_ONCE(cond)

#endif /* _US_LINUX_PRINTK_H */
