/*
 * The virtio-net driver against QEMU's virtio-net-pci on user networking
 * (docs/network.md, "The virtio driver"), run as init.  For each way of
 * driving the one device this QEMU has — the transport chosen by the
 * driver, legacy forced on a transitional device, polling — it opens the
 * driver, checks the MAC (52:54:00:12:34:56) and the link, sends an ARP
 * request for the gateway 10.0.2.2 from 10.0.2.15 built by hand and checks
 * slirp's reply, sends a DHCP DISCOVER built by hand and checks the OFFER
 * of 10.0.2.15, prints the counters, and closes (the device then reads
 * reset).  Then a child drives the device and is killed: the function
 * comes back quiet (bus mastering off) and a new open re-initialises it.
 *
 * The stack's side here is the test itself: frames are built in slots
 * taken from tx_free and pushed to tx_active, replies popped from
 * rx_active and their slots pushed back to rx_free, as a network stack
 * does (capos/netq.h).
 */
#include <capos/error.h>
#include <capos/rt.h>
#include <capos/virtio_net.h>
#include <stdio.h>
#include <string.h>
#include "utest.h"

#define WAIT_NS (10000 * UT_MS)
#define RETRY_NS (500 * UT_MS)

static const uint8_t qemu_mac[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };
static const uint8_t guest_ip[4] = { 10, 0, 2, 15 }, gateway_ip[4] = { 10, 0, 2, 2 };
static struct capos_virtio_net net;

static uint32_t claim(void)
{
	uint32_t fn = 0;
	int claimed = 0, err = capos_virtio_net_find("nic", 0, &fn, &claimed);

	ut_status("virtio network function claimed", err, 0);
	ut_check(err || claimed, "claimed from devices (no grant named nic)", "a grant");
	return err ? 0 : fn;
}

/* ---------------------------------------------------------------- frames */

static uint16_t be16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }
static void put16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)(v >> 8); p[1] = (uint8_t)v; }

static uint32_t build_arp(uint8_t *f, const uint8_t mac[6])
{
	memset(f, 0, 60);
	memset(f, 0xff, 6);                       /* broadcast */
	memcpy(f + 6, mac, 6);
	put16(f + 12, 0x0806);
	put16(f + 14, 1);                         /* Ethernet */
	put16(f + 16, 0x0800);                    /* IPv4 */
	f[18] = 6;
	f[19] = 4;
	put16(f + 20, 1);                         /* request */
	memcpy(f + 22, mac, 6);
	memcpy(f + 28, guest_ip, 4);
	memcpy(f + 38, gateway_ip, 4);
	return 60;
}

/* slirp's answer: to us, from 10.0.2.2, about 10.0.2.15. */
static int is_arp_reply(const uint8_t *f, uint32_t len, const uint8_t mac[6], uint8_t gw_mac[6])
{
	if (len < 42 || be16(f + 12) != 0x0806 || be16(f + 20) != 2 || memcmp(f, mac, 6) != 0)
		return 0;
	if (memcmp(f + 28, gateway_ip, 4) != 0 || memcmp(f + 32, mac, 6) != 0 || memcmp(f + 38, guest_ip, 4) != 0)
		return 0;
	memcpy(gw_mac, f + 22, 6);
	return 1;
}

static uint16_t ip_checksum(const uint8_t *p, uint32_t n)
{
	uint32_t sum = 0;

	for (uint32_t i = 0; i + 1 < n; i += 2)
		sum += be16(p + i);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

#define XID 0x63617073u   /* "caps" */

static uint32_t build_discover(uint8_t *f, const uint8_t mac[6])
{
	uint8_t *ip = f + 14, *udp = ip + 20, *bootp = udp + 8;
	uint32_t bootp_len = 240 + 4, udp_len = 8 + bootp_len, ip_len = 20 + udp_len;

	memset(f, 0, 14 + ip_len);
	memset(f, 0xff, 6);
	memcpy(f + 6, mac, 6);
	put16(f + 12, 0x0800);
	ip[0] = 0x45;
	put16(ip + 2, (uint16_t)ip_len);
	ip[8] = 64;
	ip[9] = 17;                               /* UDP */
	memset(ip + 16, 0xff, 4);                 /* from 0.0.0.0 to 255.255.255.255 */
	put16(ip + 10, ip_checksum(ip, 20));
	put16(udp, 68);
	put16(udp + 2, 67);
	put16(udp + 4, (uint16_t)udp_len);        /* UDP checksum 0: none */
	bootp[0] = 1;                             /* BOOTREQUEST */
	bootp[1] = 1;
	bootp[2] = 6;
	bootp[4] = XID >> 24; bootp[5] = XID >> 16 & 0xff; bootp[6] = XID >> 8 & 0xff; bootp[7] = XID & 0xff;
	put16(bootp + 10, 0x8000);                /* reply by broadcast */
	memcpy(bootp + 28, mac, 6);
	bootp[236] = 99; bootp[237] = 130; bootp[238] = 83; bootp[239] = 99;   /* the magic cookie */
	bootp[240] = 53; bootp[241] = 1; bootp[242] = 1;                      /* DHCPDISCOVER */
	bootp[243] = 255;
	return 14 + ip_len;
}

/* An OFFER for our transaction giving 10.0.2.15. */
static int is_offer(const uint8_t *f, uint32_t len)
{
	const uint8_t *ip = f + 14, *udp, *bootp, *opt, *end = f + len;
	uint32_t ihl;

	if (len < 14 + 20 || be16(f + 12) != 0x0800 || (ip[0] >> 4) != 4 || ip[9] != 17)
		return 0;
	ihl = (ip[0] & 15u) * 4;
	udp = ip + ihl;
	bootp = udp + 8;
	if (bootp + 240 > end || be16(udp) != 67 || be16(udp + 2) != 68 || bootp[0] != 2)
		return 0;
	if (((uint32_t)bootp[4] << 24 | (uint32_t)bootp[5] << 16 | (uint32_t)bootp[6] << 8 | bootp[7]) != XID ||
	    memcmp(bootp + 16, guest_ip, 4) != 0)
		return 0;
	for (opt = bootp + 240; opt + 2 <= end && opt[0] != 255; opt += opt[0] ? 2 + opt[1] : 1)
		if (opt[0] == 53 && opt[1] == 1 && opt + 3 <= end)
			return opt[2] == 2;               /* DHCPOFFER */
	return 0;
}

/* --------------------------------------------------- the stack's side */

static int send_frame(uint32_t (*build)(uint8_t *, const uint8_t *))
{
	struct capos_netq_desc d;
	int err = capos_netq_pop(&net.q.tx_free, &d);

	if (err)
		return err;
	if (!capos_netq_desc_valid(d, net.q.region_size, net.q.slot_size))
		return -CAPOS_EFORMAT;
	d.len = build(net.q.region + d.offset, net.mac);
	err = capos_netq_push(&net.q.tx_active, d);
	capos_virtio_net_kick(&net);
	return err;
}

static void wait_a_little(void)
{
	if (net.irq_mode == CAPOS_VIRTIO_NET_POLL) {
		capos_virtio_net_poll(&net);
		capos_sleep_ns(2 * UT_MS);
	} else {
		capos_ring_poll(capos_ring(), 20 * UT_MS);
	}
}

/* Send until a frame passes `match` (it is sent again every RETRY_NS): 0, or -CAPOS_ETIMEDOUT. */
static int exchange(uint32_t (*build)(uint8_t *, const uint8_t *),
		    int (*match)(const uint8_t *f, uint32_t len, void *ctx), void *ctx)
{
	uint64_t now = capos_time_ns(), deadline = now + WAIT_NS, resend = 0;
	int found = 0, err;

	while (!found && (now = capos_time_ns()) < deadline) {
		struct capos_netq_desc d;

		if (now >= resend) {
			if ((err = send_frame(build)) && err != -CAPOS_EAGAIN)
				return err;
			resend = now + RETRY_NS;
		}
		wait_a_little();
		while (capos_netq_pop(&net.q.rx_active, &d) == 0) {
			if (capos_netq_desc_valid(d, net.q.region_size, net.q.slot_size) &&
			    match(net.q.region + d.offset, d.len, ctx))
				found = 1;
			capos_netq_push(&net.q.rx_free, (struct capos_netq_desc){ d.offset, 0 });
		}
		capos_virtio_net_kick(&net);
		if (net.dead)
			return -CAPOS_EIO;
	}
	return found ? 0 : -CAPOS_ETIMEDOUT;
}

static int match_arp(const uint8_t *f, uint32_t len, void *ctx)
{
	return is_arp_reply(f, len, net.mac, ctx);
}

static int match_offer(const uint8_t *f, uint32_t len, void *ctx)
{
	(void)ctx;
	return is_offer(f, len);
}

/* ---------------------------------------------------------------- rounds */

/* The legacy status register, read behind the driver's back (transitional and legacy devices). */
static int legacy_status(uint32_t fn, uint8_t *status)
{
	struct capos_pci_function_ioports_in in = { .index = 0 };
	struct capos_pci_function_ioports_out out = { 0 };
	int err = capos_pci_function_ioports(capos_ring(), fn, &in, &out);

	if (err)
		return err;
	if (!(err = capos_io_port_range_enable(capos_ring(), out.range))) {
		uint16_t port = (uint16_t)(out.base + 18);

		__asm__ volatile("inb %1, %0" : "=a"(*status) : "Nd"(port));
		capos_io_port_range_disable(capos_ring(), out.range);
	}
	capos_release(capos_ring(), out.range);
	return err;
}

static void print_stats(const char *label)
{
	const struct capos_virtio_net_stats *s = &net.stats;

	ut_note("%s: counters: rx %llu frames %llu bytes, tx %llu frames %llu bytes, rx dropped %llu, "
		"bad descriptors rx %llu tx %llu, device errors %llu, irqs %llu (not ours %llu)", label,
		(unsigned long long)s->rx_frames, (unsigned long long)s->rx_bytes, (unsigned long long)s->tx_frames,
		(unsigned long long)s->tx_bytes, (unsigned long long)s->rx_dropped, (unsigned long long)s->rx_bad_desc,
		(unsigned long long)s->tx_bad_desc, (unsigned long long)s->device_errors, (unsigned long long)s->irqs,
		(unsigned long long)s->irqs_not_ours);
}

static int round_trip(uint32_t fn, const char *label, uint32_t transport, uint32_t irq_mode)
{
	struct capos_virtio_net_options opt = { .transport = transport, .irq_mode = irq_mode };
	uint8_t gw_mac[6] = { 0 }, status = 0xff;
	char what[96];
	int err = capos_virtio_net_open(&net, fn, &opt);

	snprintf(what, sizeof what, "%s: driver open", label);
	ut_status(what, err, 0);
	if (err)
		return err;
	ut_note("%s: transport %s, interrupts %s, device 1af4:%04x, features 0x%llx", label,
		capos_virtio_net_transport_name(&net), capos_virtio_net_irq_name(&net), net.v.device_id,
		(unsigned long long)net.v.features);
	snprintf(what, sizeof what, "%s: MAC 52:54:00:12:34:56", label);
	ut_check(memcmp(net.mac, qemu_mac, 6) == 0, what, "%02x:%02x:%02x:%02x:%02x:%02x", net.mac[0], net.mac[1],
		 net.mac[2], net.mac[3], net.mac[4], net.mac[5]);
	snprintf(what, sizeof what, "%s: link up", label);
	ut_check(net.link_up && (net.v.features & (1ull << CAPOS_VIRTIO_NET_F_STATUS)), what, "link %d", net.link_up);
	snprintf(what, sizeof what, "%s: ARP reply from 10.0.2.2", label);
	ut_status(what, exchange(build_arp, match_arp, gw_mac), 0);
	ut_note("%s: 10.0.2.2 is at %02x:%02x:%02x:%02x:%02x:%02x", label, gw_mac[0], gw_mac[1], gw_mac[2], gw_mac[3],
		gw_mac[4], gw_mac[5]);
	snprintf(what, sizeof what, "%s: DHCP OFFER of 10.0.2.15", label);
	ut_status(what, exchange(build_discover, match_offer, NULL), 0);
	print_stats(label);
	snprintf(what, sizeof what, "%s: no device errors", label);
	ut_check(net.stats.device_errors == 0 && !net.dead, what, "%llu", (unsigned long long)net.stats.device_errors);
	if (irq_mode != CAPOS_VIRTIO_NET_POLL) {
		snprintf(what, sizeof what, "%s: frames arrived by interrupt", label);
		ut_check(net.stats.irqs > 0, what, "no interrupt handled");
	}
	capos_virtio_net_close(&net);
	if (legacy_status(fn, &status) == 0) {
		snprintf(what, sizeof what, "%s: after close the device reads reset", label);
		ut_check(status == 0, what, "status 0x%x", status);
	}
	return 0;
}

/* ------------------------------------------------------ killing a driver */

static int child_driver(void)
{
	uint32_t fn = 0;
	int claimed = 1;

	ut_init("utest-virtio-net driver");
	ut_status("the function granted as nic", capos_virtio_net_find("nic", 0, &fn, &claimed), 0);
	ut_check(!claimed, "not claimed again", "claimed");
	if (!fn || round_trip(fn, "child", CAPOS_VIRTIO_AUTO, CAPOS_VIRTIO_NET_IRQ_AUTO))
		return 1;
	/* up again, and busy until killed */
	if (capos_virtio_net_open(&net, fn, NULL))
		return 1;
	ut_note("child: driving until killed");
	for (;;) {
		struct capos_netq_desc d;

		send_frame(build_arp);
		capos_ring_poll(capos_ring(), 5 * UT_MS);
		while (capos_netq_pop(&net.q.rx_active, &d) == 0)
			capos_netq_push(&net.q.rx_free, (struct capos_netq_desc){ d.offset, 0 });
		capos_virtio_net_kick(&net);
	}
}

static void kill_test(uint32_t fn)
{
	struct capos_pci_function_info_out out = { 0 };
	struct capos_pci_info info;
	uint32_t caps[3] = { ut_cap("console"), fn, ut_cap("timer") }, proc = 0, reason = 0;
	uint8_t status = 0xff;
	int64_t code = 0;
	int err = capos_spawn("utest-virtio-net", "console nic timer thread=@thread", "driver", caps, 3, &proc, NULL);

	ut_status("spawn a driver child", err, 0);
	capos_release(capos_ring(), fn);          /* the child's handle is the claim's last */
	if (err)
		return;
	capos_sleep_ns(4000 * UT_MS);
	ut_status("kill the driver", capos_process_handle_kill(capos_ring(), proc), 0);
	ut_status("wait for it", capos_process_wait(proc, &code, &reason), 0);
	capos_release(capos_ring(), proc);
	fn = claim();
	if (!fn)
		return;
	err = capos_pci_function_info(capos_ring(), fn, &out, NULL);
	memcpy(&info, out.info, sizeof info);
	ut_check(err == 0 && info.bus_master == 0, "after the kill the function is quiet (bus mastering off)",
		 "err %d bus master %u", err, info.bus_master);
	if (legacy_status(fn, &status) == 0)
		ut_note("after the kill the device status is 0x%x until a driver resets it", status);
	round_trip(fn, "restart", CAPOS_VIRTIO_AUTO, CAPOS_VIRTIO_NET_IRQ_AUTO);
	capos_release(capos_ring(), fn);
}

/* Whether the device offers transport `want` (opening it resets the device; nothing stays). */
static int offers(uint32_t fn, uint32_t want)
{
	struct capos_virtio v;
	int err = capos_virtio_open(&v, fn, want);

	if (!err)
		capos_virtio_close(&v);
	return err == 0;
}

int main(int argc, char **argv)
{
	int modern, legacy;
	uint32_t fn;

	if (argc > 1 && strcmp(argv[1], "driver") == 0)
		return child_driver();
	ut_init("utest-virtio-net");
	fn = claim();
	if (!fn)
		return ut_failures();
	modern = offers(fn, CAPOS_VIRTIO_MODERN);
	legacy = offers(fn, CAPOS_VIRTIO_LEGACY);
	ut_note("transports offered: modern %s, legacy %s", modern ? "yes" : "no", legacy ? "yes" : "no");
	round_trip(fn, "auto", CAPOS_VIRTIO_AUTO, CAPOS_VIRTIO_NET_IRQ_AUTO);
	/* a transitional device: the same driver over the transport auto did not take */
	if (modern && legacy)
		round_trip(fn, "legacy", CAPOS_VIRTIO_LEGACY, CAPOS_VIRTIO_NET_IRQ_AUTO);
	round_trip(fn, "polling", CAPOS_VIRTIO_AUTO, CAPOS_VIRTIO_NET_POLL);
	/* the kernel keeps one interrupt kind per claim: INTx after MSI-X needs a new claim */
	capos_release(capos_ring(), fn);
	fn = claim();
	if (!fn)
		return ut_failures();
	round_trip(fn, "intx", CAPOS_VIRTIO_AUTO, CAPOS_VIRTIO_NET_INTX);
	kill_test(fn);
	ut_note("%d failures", ut_failures());
	return ut_failures();
}
