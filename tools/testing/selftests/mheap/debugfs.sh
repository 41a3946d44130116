#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Format and permissions of the mheap debugfs tree.
DIR=$(dirname "$0")
. "$DIR/lib.sh"

mheap_require debugfs

# Mode of a path as an octal number, e.g. 400.
mode_of()
{
	stat -c %a "$1"
}

heaps_listed()
{
	if is_empty "$MHEAP_DEBUGFS/heaps"; then
		ktap_print_msg "heaps is empty"
		return 1
	fi
	while read -r name; do
		if [ ! -d "$MHEAP_DEBUGFS/$name" ]; then
			ktap_print_msg "'$name' is listed in heaps but has no directory"
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
			ktap_print_msg "directory '$name' is not listed in heaps"
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
		*) ktap_print_msg "$f has mode $m, want 0400/0600"; return 1 ;;
		esac
	done
}

# Every stats line is "name: value" and names do not repeat.
stats_format()
{
	for f in "$MHEAP_DEBUGFS"/*/stats; do
		bad=$(grep -cvE '^[a-z_]+: [^ ].*$' "$f")
		if [ "$bad" -ne 0 ]; then
			ktap_print_msg "$f: $bad malformed lines"
			return 1
		fi
		dup=$(cut -d: -f1 "$f" | sort | uniq -d)
		if [ -n "$dup" ]; then
			ktap_print_msg "$f: repeated keys: $dup"
			return 1
		fi
		heap=$(basename "$(dirname "$f")")
		if ! grep -qx "name: $heap" "$f"; then
			ktap_print_msg "$f does not name its heap"
			return 1
		fi
	done
}

heaps_readonly()
{
	if echo x 2>/dev/null > "$MHEAP_DEBUGFS/heaps"; then
		ktap_print_msg "writing to heaps succeeded"
		return 1
	fi
}

ktap_print_header
ktap_set_plan 6
ktap_test_result "default heap exists" test -d "$MHEAP_DEBUGFS/default"
ktap_test_result "every listed heap has a directory" heaps_listed
ktap_test_result "every directory is a listed heap" dirs_listed
ktap_test_result "files are root-only" root_only
ktap_test_result "stats are name: value lines" stats_format
ktap_test_result "heaps is read-only" heaps_readonly
ktap_finished
