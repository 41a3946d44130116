#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Install every Debian package the mheap harness needs, idempotently.
# Picks the newest Debian 6.12 ABI available at run time.
#
# Prints the chosen ABI (e.g. "6.12.117+deb12-amd64") on stdout as its
# last line; all apt chatter goes to stderr.
set -euo pipefail

export DEBIAN_FRONTEND=noninteractive
STAMP_DIR=${MHEAP_CACHE:-/var/cache/mheap}
mkdir -p "$STAMP_DIR"

need_update=1
if [ -f "$STAMP_DIR/apt-updated" ] &&
   [ -n "$(find "$STAMP_DIR/apt-updated" -mmin -360 2>/dev/null)" ]; then
	need_update=0
fi

newest_abi() {
	apt-cache search --names-only '^linux-image-6\.12\.[0-9]+\+deb[0-9]+-amd64-unsigned$' 2>/dev/null |
		awk '{print $1}' |
		sed -e 's/^linux-image-//' -e 's/-unsigned$//' |
		sort -V | tail -n 1
}

if [ $need_update -eq 1 ]; then
	apt-get update -q >&2
	touch "$STAMP_DIR/apt-updated"
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

pkgs=(build-essential make gcc bc bison flex cpio kmod
      libelf-dev libssl-dev dwarves sparse python3
      qemu-system-x86 busybox-static xz-utils
      linux-source-6.12
      "linux-headers-$abi" "linux-image-$abi-unsigned")

missing=()
for p in "${pkgs[@]}"; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
		missing+=("$p")
	fi
done

if [ ${#missing[@]} -gt 0 ]; then
	echo "deps: installing ${missing[*]}" >&2
	apt-get install -y -q --no-install-recommends "${missing[@]}" >&2
fi

echo "$abi"
