#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Boot a kernel under QEMU with a busybox initramfs, run one job script in
# it and save the serial console log.  The guest always ends: the job's end
# reboots it (QEMU runs with -no-reboot, so that exits), a panic reboots it
# at once (panic=-1, oops=panic), and a hang is killed by the timeout.
#
# usage: guest.sh -k BZIMAGE -j JOB.sh -l LOG [-r RESULTS] [-f FILE]...
#                 [-t SECONDS] [-m MEM_MB] [-s CPUS] [-a "EXTRA CMDLINE"]
#   -r RESULTS the guest's second serial port (/dev/ttyS1): the job writes
#              its machine-readable results there, away from kernel noise
#   -f FILE    copy FILE into the guest's /mheap/ (repeatable; a
#              directory is copied whole)
# Exit status: 0 if the guest ran the job to its end, 1 if it crashed or
# timed out, 2 on a usage or host error.
set -euo pipefail

kernel= job= log= results=/dev/null timeout_s=${MHEAP_GUEST_TIMEOUT:-900} mem=1024 smp=2 extra=
files=()
while getopts "k:j:l:r:f:t:m:s:a:" o; do
	case $o in
	k) kernel=$OPTARG ;;
	j) job=$OPTARG ;;
	l) log=$OPTARG ;;
	r) results=$OPTARG ;;
	f) files+=("$OPTARG") ;;
	t) timeout_s=$OPTARG ;;
	m) mem=$OPTARG ;;
	s) smp=$OPTARG ;;
	a) extra=$OPTARG ;;
	*) exit 2 ;;
	esac
done
[ -n "$kernel" ] && [ -n "$job" ] && [ -n "$log" ] || { echo "guest: -k, -j and -l are required" >&2; exit 2; }

accel=${MHEAP_ACCEL:-tcg}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

root=$work/root
mkdir -p "$root"/{bin,sbin,proc,sys,dev,tmp,mheap,usr/bin,usr/sbin}
cp /bin/busybox "$root/bin/busybox"
cp "$job" "$root/mheap/job.sh"
for f in "${files[@]}"; do
	cp -r "$f" "$root/mheap/"
done

cat > "$root/init" <<'INIT'
#!/bin/busybox sh
/bin/busybox --install -s /bin
export PATH=/bin:/sbin:/usr/bin:/usr/sbin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
mount -t debugfs debugfs /sys/kernel/debug
mount -t tmpfs tmpfs /tmp
echo "MHEAP-GUEST-START $(uname -r)"
cd /mheap && sh ./job.sh
echo "MHEAP-GUEST-EXIT $?"
echo "MHEAP-TAINT $(cat /proc/sys/kernel/tainted)"
sync
reboot -f
INIT
chmod +x "$root/init"

(cd "$root" && find . | cpio -o -H newc --quiet | gzip -1) > "$work/initrd.gz"

# MHEAP_QEMU_MONITOR=PATH: QEMU's monitor on a Unix socket there, to look
# at a hung guest (info registers, ...); none by default.
monitor=none
[ -z "${MHEAP_QEMU_MONITOR:-}" ] || monitor="unix:$MHEAP_QEMU_MONITOR,server,nowait"
cmdline="console=ttyS0 panic=-1 oops=panic panic_on_warn=0 loglevel=7 $extra"
: > "$log"
[ "$results" = /dev/null ] || : > "$results"
boot()
{
	rc=0
	timeout --kill-after=10 "$timeout_s" \
		qemu-system-x86_64 -accel "$accel" -smp "$smp" -m "$mem" \
			-kernel "$kernel" -initrd "$work/initrd.gz" -append "$cmdline" \
			-nodefaults -display none -vga none -no-reboot \
			-serial "file:$log" -serial "file:$results" \
			-monitor "$monitor" \
			</dev/null || rc=$?
}
boot
# A kernel that dies while booting, before the job started, ran none of
# mheap's code: under TCG the stock kernel's boot-time code patching now
# and then traps on an int3 it just wrote.  Such a boot is kept aside,
# noted in the log, and done once more; a second one is judged as it is.
if ! grep -q '^MHEAP-GUEST-START ' "$log" && [ $rc -ne 124 ] && [ $rc -ne 137 ]; then
	cp "$log" "$log.boot1"
	boot
	echo "MHEAP-HOST-NOTE the first boot died before the job started; booted again (first log: $log.boot1)" >> "$log"
fi

if [ $rc -eq 124 ] || [ $rc -eq 137 ]; then
	echo "MHEAP-HOST: guest timed out after ${timeout_s}s" >> "$log"
	exit 1
fi
if ! grep -q '^MHEAP-GUEST-EXIT ' "$log"; then
	echo "MHEAP-HOST: guest died before the end of its job (qemu rc=$rc)" >> "$log"
	exit 1
fi
exit 0
