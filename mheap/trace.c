// SPDX-License-Identifier: GPL-2.0
/*
 * The trace events of include/trace/events/mheap.h are defined here.
 */
#include "internal.h"

#define CREATE_TRACE_POINTS
#include <trace/events/mheap.h>
