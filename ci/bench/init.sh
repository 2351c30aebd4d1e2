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
# virtio-net's modules and slirp's address (what its DHCP would give)
net_up() {
	for m in /modules/*.ko; do $bb insmod "$m" || echo "bench-error side=linux row=$1 insmod $m"; done
	$bb ip link set lo up
	$bb ip link set eth0 up
	$bb ip addr add 10.0.2.15/24 dev eth0
	$bb ip route add default via 10.0.2.2
}
if [ "$1" = web ]; then
	# The web rows (ci/bench/web.py): nginx on port 80 and busybox httpd
	# (a process per request) on port 81 serve /www/healthz; the host
	# drives them with wrk through forwarded ports; the runner stops QEMU.
	net_up web
	/usr/sbin/nginx -e stderr -c /etc/nginx-bench.conf || echo "bench-error side=linux row=web nginx did not start"
	$bb httpd -p 81 -h /www
	$bb sleep 1
	echo "bench-web-ready side=linux"
	while :; do $bb sleep 3600; done
fi
if [ "$1" = net ]; then
	# The network rows (ci/bench/net.py): a TCP echo server on port 7
	# (busybox nc, one cat per connection) the host measures through the
	# forwarded port; the runner stops QEMU.
	net_up net
	$bb nc -ll -p 7 -e /bin/busybox cat &
	$bb sleep 1
	echo "bench-net-ready side=linux"
	while :; do $bb sleep 3600; done
fi
/capos-linux-bench "$@"
echo "bench-exit side=linux status=$?"
$bb poweroff -f
