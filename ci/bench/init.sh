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
if [ "$1" = net ]; then
	# The network rows (ci/bench/net.py): virtio-net's modules, slirp's
	# address (what its DHCP would give), and a TCP echo server on port 7
	# (busybox nc, one cat per connection) the host measures through the
	# forwarded port; the runner stops QEMU.
	for m in /modules/*.ko; do $bb insmod "$m" || echo "bench-error side=linux row=net insmod $m"; done
	$bb ip link set lo up
	$bb ip link set eth0 up
	$bb ip addr add 10.0.2.15/24 dev eth0
	$bb ip route add default via 10.0.2.2
	$bb nc -ll -p 7 -e /bin/busybox cat &
	$bb sleep 1
	echo "bench-net-ready side=linux"
	while :; do $bb sleep 3600; done
fi
/capos-linux-bench "$@"
echo "bench-exit side=linux status=$?"
$bb poweroff -f
