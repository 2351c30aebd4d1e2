#!/bin/busybox sh
# /init of the Linux benchmark guest (ci/bench/mkinitramfs.py packs it):
# mount what the benchmark needs, say which kernel and clock source it runs
# on, run /capos-linux-bench with the words the runner put after "--" on
# the kernel command line, and power off so that QEMU exits.
bb=/bin/busybox
$bb mount -t proc proc /proc
$bb mount -t sysfs sysfs /sys
$bb mount -t devtmpfs devtmpfs /dev
clocksource=$($bb cat /sys/devices/system/clocksource/clocksource0/current_clocksource)
echo "bench-info side=linux kernel=$($bb uname -r) clocksource=$clocksource cpus=$($bb nproc)"
/capos-linux-bench "$@"
echo "bench-exit side=linux status=$?"
$bb poweroff -f
