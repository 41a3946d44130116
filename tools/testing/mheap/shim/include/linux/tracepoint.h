/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Userspace stand-in for <linux/tracepoint.h>: each trace_NAME() counts
 * its hits in us_trace_cnt_NAME, defined (and registered by name for
 * us_trace_count()) where CREATE_TRACE_POINTS is set, as the kernel
 * defines its events there.  The arguments are type-checked, not kept.
 */
#ifndef _US_LINUX_TRACEPOINT_H
#define _US_LINUX_TRACEPOINT_H

#include <linux/kernel.h>

#define PARAMS(args...)		args
#define TP_PROTO(args...)	args
#define TP_ARGS(args...)	args
#define TRACE_DEFINE_ENUM(x)	static_assert(sizeof(x) > 0, #x)

void us_trace_register(const char *name, unsigned long *counter);

#ifdef CREATE_TRACE_POINTS
#define __US_TRACE_DEF(name)						\
	unsigned long us_trace_cnt_##name;				\
	__attribute__((__constructor__)) static void us_trace_reg_##name(void) \
	{ us_trace_register(#name, &us_trace_cnt_##name); }
#else
#define __US_TRACE_DEF(name)
#endif

#define __US_TRACE(name, proto)						\
	extern unsigned long us_trace_cnt_##name;			\
	__US_TRACE_DEF(name)						\
	static inline void trace_##name(proto)				\
	{ us_trace_hit(&us_trace_cnt_##name, #name); }			\
	static inline bool trace_##name##_enabled(void) { return true; }

#define TRACE_EVENT(name, proto, args, tstruct, assign, print)		\
	__US_TRACE(name, PARAMS(proto))
#define DECLARE_EVENT_CLASS(name, proto, args, tstruct, assign, print)
#define DEFINE_EVENT(template, name, proto, args)			\
	__US_TRACE(name, PARAMS(proto))

#endif /* _US_LINUX_TRACEPOINT_H */
