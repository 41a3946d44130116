#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Format and permissions of the mheap debugfs tree.
DIR=$(dirname "$0")
. "$DIR/lib.sh"

ktap_require_mheap debugfs

# Mode of a path as an octal number, e.g. 400.
mode_of()
{
	stat -c %a "$1"
}

heaps_listed()
{
	if is_empty "$MHEAP_DEBUGFS/heaps"; then
		ktap_diag "heaps is empty"
		return 1
	fi
	while read -r name; do
		if [ ! -d "$MHEAP_DEBUGFS/$name" ]; then
			ktap_diag "'$name' is listed in heaps but has no directory"
			return 1
		fi
	done < "$MHEAP_DEBUGFS/heaps"
}

dirs_listed()
{
	for d in "$MHEAP_DEBUGFS"/*/; do
		name=$(basename "$d")
		# The fault-injection attributes (faults.sh): not heaps.
		case $name in fail_*) continue ;; esac
		if ! grep -qx "$name" "$MHEAP_DEBUGFS/heaps"; then
			ktap_diag "directory '$name' is not listed in heaps"
			return 1
		fi
	done
}

root_only()
{
	for f in "$MHEAP_DEBUGFS"/heaps "$MHEAP_DEBUGFS"/*/*; do
		[ -f "$f" ] || continue
		m=$(mode_of "$f")
		case $m in
		400|600|200) ;;
		*) ktap_diag "$f has mode $m, want 0400/0600"; return 1 ;;
		esac
	done
}

# Every stats line is "name: value" and names do not repeat.
stats_format()
{
	for f in "$MHEAP_DEBUGFS"/*/stats; do
		bad=$(grep -cvE '^[a-z_]+: [^ ].*$' "$f")
		if [ "$bad" -ne 0 ]; then
			ktap_diag "$f: $bad malformed lines"
			return 1
		fi
		dup=$(cut -d: -f1 "$f" | sort | uniq -d)
		if [ -n "$dup" ]; then
			ktap_diag "$f: repeated keys: $dup"
			return 1
		fi
		heap=$(basename "$(dirname "$f")")
		if ! grep -qx "name: $heap" "$f"; then
			ktap_diag "$f does not name its heap"
			return 1
		fi
	done
}

heaps_readonly()
{
	if echo x 2>/dev/null > "$MHEAP_DEBUGFS/heaps"; then
		ktap_diag "writing to heaps succeeded"
		return 1
	fi
}

ktap_plan 6
ktap_check "default heap exists" test -d "$MHEAP_DEBUGFS/default"
ktap_check "every listed heap has a directory" heaps_listed
ktap_check "every directory is a listed heap" dirs_listed
ktap_check "files are root-only" root_only
ktap_check "stats are name: value lines" stats_format
ktap_check "heaps is read-only" heaps_readonly
ktap_finish
