# SPDX-License-Identifier: GPL-2.0
#
# Out-of-tree build wrapper for mheap, plus the harness entry points.
#
#   make                 build mheap.ko (and mheap_kunit.ko if KDIR has KUnit)
#   make KDIR=/path      build against another kernel tree
#   make lint            sparse (C=1) + checkpatch --strict over every source
#   make demo            boot the stock Debian kernel in QEMU and show mheap
#   make check           every test (debug + stock kernels), "N passed, N failed"
#   make torture         mheap_torture.ko on the debug kernel for 10 minutes
#                        (MHEAP_TORTURE_SECONDS)
#   make selfcheck       prove the harness turns red on injected faults
#   make bench           mheap vs kmalloc/kmem_cache/alloc_pages/vmalloc (QEMU, two boots)
#   make bench-native    mheap's userspace build vs glibc/jemalloc/tcmalloc/mimalloc
#                        and Go's allocator, natively on this machine
#   make bench-profile   perf (cpu-clock) of a few bench rows in the stock guest
#   make dkms-install    add this tree to DKMS, build and install it for the
#                        running kernel (DKMS_KERNEL=ABI for another one)
#   make dkms-remove     remove it from DKMS again

KVER ?= $(shell uname -r)
KDIR ?= $(shell if [ -d /lib/modules/$(KVER)/build ]; then \
		echo /lib/modules/$(KVER)/build; \
	else \
		ls -d /usr/src/linux-headers-6.12.*[0-9]-amd64 2>/dev/null | sort -V | tail -n 1; \
	fi)
PWD := $(shell pwd)

.PHONY: all modules clean lint demo check selfcheck bench bench-native \
	bench-profile torture \
	userspace-test \
	dkms-install dkms-remove

all: modules

modules:
	@test -n "$(KDIR)" || { echo "no kernel build directory: install linux-headers-6.12 or pass KDIR=" >&2; exit 1; }
	$(MAKE) -C $(KDIR) M=$(PWD) modules

clean:
	test -z "$(KDIR)" || $(MAKE) -C $(KDIR) M=$(PWD) clean
	test ! -f tools/testing/mheap/Makefile || $(MAKE) -C tools/testing/mheap clean
	rm -rf .build

lint:
	KDIR=$(KDIR) scripts/lint.sh

userspace-test:
	$(MAKE) -C tools/testing/mheap run

demo:
	scripts/demo.sh

check:
	scripts/check.sh

selfcheck:
	scripts/selfcheck.sh

bench:
	scripts/bench.sh

bench-native:
	scripts/bench-native.sh

bench-profile:
	scripts/bench-profile.sh

torture:
	scripts/torture.sh

DKMS_KERNEL ?= $(KVER)

dkms-install:
	scripts/dkms.sh install $(DKMS_KERNEL)

dkms-remove:
	scripts/dkms.sh remove
