#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# mheap through DKMS (dkms.conf at the top of the tree).
#
# usage: dkms.sh install [KVER]   add this checkout to the host's DKMS,
#                                 build and install it for KVER (default:
#                                 the running kernel); replaces an earlier
#                                 mheap of the same version
#        dkms.sh remove           remove that version from every kernel
#        dkms.sh check KVER OUT   "make check": add, build for KVER in a
#                                 private DKMS tree under OUT (nothing of
#                                 the host's DKMS, /usr/src or /lib/modules
#                                 changes, nothing is loaded), and check the
#                                 module dkms built
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
ver=$(sed -n 's/^MODULE_VERSION("\([^"]*\)");$/\1/p' "$top/mheap/main.c")
[ -n "$ver" ] || { echo "dkms: no MODULE_VERSION in mheap/main.c" >&2; exit 1; }
command -v dkms > /dev/null || { echo "dkms: not installed (apt-get install dkms)" >&2; exit 1; }

case ${1:-} in
install)
	kver=${2:-$(uname -r)}
	if dkms status -m mheap -v "$ver" | grep -q .; then
		dkms remove "mheap/$ver" --all
	fi
	dkms add --force "$top"
	dkms build "mheap/$ver" -k "$kver"
	dkms install "mheap/$ver" -k "$kver"
	;;
remove)
	dkms remove "mheap/$ver" --all
	rm -rf "/usr/src/mheap-$ver"
	;;
check)
	kver=${2:?dkms.sh check KVER OUT} out=${3:?dkms.sh check KVER OUT}
	rm -rf "$out"
	mkdir -p "$out/tree" "$out/src"
	trees=(--dkmstree "$out/tree" --sourcetree "$out/src")
	# dkms signs the module as on a Debian host, with a key of its own.
	export mok_signing_key=$out/mok.key mok_certificate=$out/mok.pub
	dkms "${trees[@]}" add "$top"
	dkms "${trees[@]}" build "mheap/$ver" -k "$kver"
	ko=$(find "$out/tree/mheap/$ver/$kver" -name 'mheap.ko*' | head -n 1)
	[ -n "$ko" ] || { echo "dkms: build left no mheap.ko" >&2; exit 1; }
	got_ver=$(modinfo -F version "$ko")
	got_kver=$(modinfo -F vermagic "$ko" | cut -d' ' -f1)
	echo "dkms: built $ko: version $got_ver, vermagic $got_kver"
	[ "$got_ver" = "$ver" ] ||
		{ echo "dkms: version $got_ver, expected $ver" >&2; exit 1; }
	[ "$got_kver" = "$kver" ] ||
		{ echo "dkms: vermagic $got_kver, expected $kver" >&2; exit 1; }
	dkms "${trees[@]}" status -m mheap -v "$ver" -k "$kver" | grep -q ': built' ||
		{ echo "dkms: status does not say built" >&2; exit 1; }
	;;
*)
	echo "usage: dkms.sh install [KVER] | remove | check KVER OUT" >&2
	exit 2
	;;
esac
