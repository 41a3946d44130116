#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Install every Debian package the mheap harness needs, idempotently.
# Picks the newest Debian ABI of each kernel at run time: 6.12 stock,
# Debian 12's 6.1 stock and 6.12 PREEMPT_RT.
#
# Prints "6.1=<6.1 ABI>" and "rt=<6.12 RT ABI>" lines (e.g.
# "6.1=6.1.0-57-amd64"), then the 6.12 stock ABI (e.g.
# "6.12.117+deb12-amd64") alone as the last line; all apt chatter goes to
# stderr.
#
# "scripts/deps.sh native" installs only what the userspace benchmark
# (make bench-native) needs: the four allocators' development packages,
# Go, perf, and liburcu for the userspace build of mheap; it prints
# nothing on stdout.
set -euo pipefail

export DEBIAN_FRONTEND=noninteractive
STAMP_DIR=${MHEAP_CACHE:-/var/cache/mheap}
mkdir -p "$STAMP_DIR"

need_update=1
if [ -f "$STAMP_DIR/apt-updated" ] &&
   [ -n "$(find "$STAMP_DIR/apt-updated" -mmin -360 2>/dev/null)" ]; then
	need_update=0
fi

# newest_abi [REGEX]: the newest ABI whose linux-image-ABI-unsigned
# matches REGEX (default: the 6.12 stock kernel).
newest_abi() {
	local re=${1:-'6\.12\.[0-9]+\+deb[0-9]+-amd64'}
	apt-cache search --names-only "^linux-image-$re-unsigned\$" 2>/dev/null |
		awk '{print $1}' |
		sed -e 's/^linux-image-//' -e 's/-unsigned$//' |
		sort -V | tail -n 1
}
OLD_RE='6\.1\.[0-9]+-[0-9]+-amd64'
RT_RE='6\.12\.[0-9]+\+deb[0-9]+-rt-amd64'

if [ $need_update -eq 1 ]; then
	apt-get update -q >&2
	touch "$STAMP_DIR/apt-updated"
fi

# installed PKG...: true if any of the packages (dpkg-query patterns) is.
# dpkg-query fails when a pattern matches no package it knows: only its
# output counts.
installed() {
	local status

	status=$(dpkg-query -W -f='${Status}\n' "$@" 2>/dev/null) || true
	[[ $status == *'install ok installed'* ]]
}

# The kernel images are installed only for their /boot/vmlinuz-*, which
# the guests boot with an initramfs of their own (scripts/guest.sh).  On
# a machine with no boot loader installed nothing ever boots them from
# /boot, so their initramfs images (a minute or more each to generate)
# are skipped: INITRD=No makes /etc/kernel/postinst.d/initramfs-tools
# return early.  With a boot loader they are generated as usual, so that
# the machine can still boot whichever kernel the loader picks.
skip_initrd=
if ! installed 'grub*' 'systemd-boot*' lilo extlinux; then
	skip_initrd=1
fi

# install_missing PKG...: apt-get install those not installed yet.
install_missing() {
	local p missing=()

	for p in "$@"; do
		if ! installed "$p"; then
			missing+=("$p")
		fi
	done
	if [ ${#missing[@]} -gt 0 ]; then
		echo "deps: installing ${missing[*]}" >&2
		env ${skip_initrd:+INITRD=No} apt-get install -y -q \
			--no-install-recommends "${missing[@]}" >&2
	fi
}

if [ "${1:-}" = native ]; then
	install_missing build-essential make gcc python3 \
		libjemalloc-dev libgoogle-perftools-dev libmimalloc-dev \
		golang-go linux-perf liburcu-dev
	exit 0
fi

abi=$(newest_abi)
if [ -z "$abi" ]; then
	# Package lists may be stale: refresh once and try again.
	apt-get update -q >&2
	touch "$STAMP_DIR/apt-updated"
	abi=$(newest_abi)
fi
if [ -z "$abi" ]; then
	echo "deps: no linux-image-6.12.*-amd64-unsigned in the archive" >&2
	exit 1
fi
old=$(newest_abi "$OLD_RE")
rt=$(newest_abi "$RT_RE")
if [ -z "$old" ] || [ -z "$rt" ]; then
	echo "deps: no linux-image-6.1.*-amd64-unsigned or 6.12.*-rt-amd64-unsigned in the archive" >&2
	exit 1
fi

pkgs=(build-essential make gcc bc bison flex cpio kmod
      libelf-dev libssl-dev dwarves sparse python3
      qemu-system-x86 busybox-static xz-utils linux-perf
      linux-source-6.12 gcc-aarch64-linux-gnu dkms
      liburcu-dev clang libclang-rt-14-dev
      "linux-headers-$abi" "linux-image-$abi-unsigned"
      "linux-headers-$old" "linux-image-$old-unsigned"
      "linux-headers-$rt" "linux-image-$rt-unsigned")

install_missing "${pkgs[@]}"

echo "6.1=$old"
echo "rt=$rt"
echo "$abi"
