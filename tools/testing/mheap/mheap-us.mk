# SPDX-License-Identifier: GPL-2.0
#
# The userspace build of mheap, for programs that link it (the stress and
# fuzz tests here, the native benchmarks under bench/): include this file
# with MHEAP_US_TOP set to this directory, then compile with
# $(MHEAP_US_CFLAGS) and link $(MHEAP_US_LIB) $(MHEAP_US_LDLIBS).  A
# program includes <mheap.h> for the API, "internal.h" for the heap's
# own counters and "us.h" for the shim (us_init(), us_thread_start()).
#
#   make -C tools/testing/mheap lib     builds $(MHEAP_US_LIB), plain -O2

MHEAP_US_TOP	?= $(dir $(lastword $(MAKEFILE_LIST)))
MHEAP_US_SRCTREE := $(MHEAP_US_TOP)/../../..
MHEAP_US_CFLAGS	:= -std=gnu11 -pthread -DMHEAP_VA_LOW_HALF=1 \
		   -I $(MHEAP_US_TOP)/shim/include -I $(MHEAP_US_TOP)/shim \
		   -I $(MHEAP_US_SRCTREE)/include -I $(MHEAP_US_SRCTREE)/mheap
MHEAP_US_LDLIBS	:= -lurcu-memb -lurcu-common -pthread
MHEAP_US_LIB	:= $(MHEAP_US_TOP)/build/plain/libmheap-us.a
