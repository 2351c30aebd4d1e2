/*
 * The lwIP port's netif (netstack/netif.c) against a fake driver over
 * real buffer queues (libos/dev/netq.c): the fake plays the NIC, putting
 * frames on rx_active from rx_free slots and collecting what the stack
 * pushes to tx_active.  The whole lwIP stack runs natively with capOS's
 * lwipopts.h, so these are the stack's answers as a guest would send them:
 * ARP, ICMP echo, a TCP handshake and echo on a listening PCB, TIME_WAIT
 * under churn, and frames a hostile peer or driver sends (malformed
 * frames, bad descriptors, no TX slots) dropped and counted.
 */
#include <stdlib.h>
#include <string.h>

#include "check.h"

#include <capos/error.h>
#include <capos/netstack.h>

#include "lwip/etharp.h"
#include "lwip/inet_chksum.h"
#include "lwip/ip4_addr.h"
#include "lwip/stats.h"
#include "lwip/prot/tcp.h"
#include "lwip/tcp.h"
#include "lwip/timeouts.h"

/* ------------------------------------------------ port: clock and rand */

static uint32_t fake_ms;
u32_t sys_now(void)
{
	return fake_ms;
}
uint32_t capos_lwip_rand(void)
{
	static uint32_t s = 12345;

	s = s * 1103515245u + 12345u;
	return s;
}

/* ----------------------------------------------------- the fake driver */

#define SLOT 2048u
#define NSLOT 32u                 /* 16 RX, 16 TX */
#define QCAP 32u

static uint8_t region[NSLOT * SLOT];
static struct capos_netq_desc storage[4][QCAP];
static struct capos_netq_set set;
static struct capos_netif nif;
static int tx_kicks, rx_kicks;

static const uint8_t our_mac[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };
static const uint8_t peer_mac[6] = { 0x52, 0x55, 0x0a, 0x00, 0x02, 0x02 };

static void drv_tx_ready(void *drv)
{
	(void)drv;
	tx_kicks++;
}
static void drv_rx_returned(void *drv)
{
	(void)drv;
	rx_kicks++;
}
static const struct capos_netif_ops ops = { drv_tx_ready, drv_rx_returned };

/* The device received a frame: fill a free RX slot and queue it. */
static void inject(const uint8_t *frame, uint32_t len)
{
	struct capos_netq_desc d;

	if (capos_netq_pop(&set.rx_free, &d) != 0) {
		printf("# no rx slot\n");
		return;
	}
	memcpy(region + d.offset, frame, len);
	d.len = len;
	capos_netq_push(&set.rx_active, d);
	capos_netif_poll(&nif, 0);
}

/* The device sent a frame: the next one from tx_active into out (0: none); its slot back. */
static uint32_t sent(uint8_t *out)
{
	struct capos_netq_desc d;
	uint32_t len;

	if (capos_netq_pop(&set.tx_active, &d) != 0)
		return 0;
	len = d.len;
	memcpy(out, region + d.offset, len);
	d.len = 0;
	capos_netq_push(&set.tx_free, d);
	return len;
}

static void drain_tx(void)
{
	uint8_t buf[SLOT];

	while (sent(buf))
		;
}

static void setup_once(void)
{
	ip4_addr_t ip, mask, gw;
	uint32_t i;

	set.region = region;
	set.region_size = sizeof(region);
	set.slot_size = SLOT;
	capos_netq_init(&set.rx_free, storage[0], QCAP);
	capos_netq_init(&set.rx_active, storage[1], QCAP);
	capos_netq_init(&set.tx_active, storage[2], QCAP);
	capos_netq_init(&set.tx_free, storage[3], QCAP);
	for (i = 0; i < NSLOT / 2; i++)
		capos_netq_push(&set.rx_free, (struct capos_netq_desc){ i * SLOT, 0 });
	for (; i < NSLOT; i++)
		capos_netq_push(&set.tx_free, (struct capos_netq_desc){ i * SLOT, 0 });
	if (capos_netif_add(&nif, &set, our_mac, 1, &ops, NULL) != 0)
		abort();
	IP4_ADDR(&ip, 10, 0, 2, 15);
	IP4_ADDR(&mask, 255, 255, 255, 0);
	IP4_ADDR(&gw, 10, 0, 2, 2);
	netif_set_addr(&nif.netif, &ip, &mask, &gw);
	netif_set_up(&nif.netif);
	drain_tx();               /* gratuitous ARP */
}

/* ------------------------------------------------------ frame builders */

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}
/* lwIP's inet_chksum is in network order already: stored as it is. */
static void putck(uint8_t *p, uint16_t c)
{
	memcpy(p, &c, 2);
}
static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}
static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)get16(p) << 16 | get16(p + 2);
}
static void put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)(v >> 16));
	put16(p + 2, (uint16_t)v);
}

static const uint8_t peer_ip[4] = { 10, 0, 2, 2 };
static const uint8_t our_ip[4] = { 10, 0, 2, 15 };

static uint32_t eth(uint8_t *f, uint16_t type)
{
	memcpy(f, our_mac, 6);
	memcpy(f + 6, peer_mac, 6);
	put16(f + 12, type);
	return 14;
}

/* IPv4 header at f+14 with proto and payload length; checksum filled. */
static uint32_t ipv4(uint8_t *f, uint8_t proto, uint16_t payload)
{
	uint8_t *ip = f + 14;

	eth(f, 0x0800);
	memset(ip, 0, 20);
	ip[0] = 0x45;
	put16(ip + 2, (uint16_t)(20 + payload));
	ip[8] = 64;
	ip[9] = proto;
	memcpy(ip + 12, peer_ip, 4);
	memcpy(ip + 16, our_ip, 4);
	putck(ip + 10, inet_chksum(ip, 20));
	return 34;
}

static uint32_t icmp_echo(uint8_t *f, uint16_t seq)
{
	uint8_t *icmp = f + 34;
	int i;

	ipv4(f, 1, 8 + 16);
	memset(icmp, 0, 8);
	icmp[0] = 8;
	put16(icmp + 4, 0x4242);
	put16(icmp + 6, seq);
	for (i = 0; i < 16; i++)
		icmp[8 + i] = (uint8_t)i;
	putck(icmp + 2, inet_chksum(icmp, 24));
	return 34 + 24;
}

/* A TCP segment from the peer (port 40000) to port; checksum over the pseudo header. */
static uint16_t client_port = 40000;

static uint32_t tcp_seg(uint8_t *f, uint16_t port, uint32_t seq, uint32_t ack, uint8_t flags,
			const void *data, uint16_t len)
{
	uint8_t *t = f + 34;
	uint8_t pseudo[12 + 20 + 64];

	ipv4(f, 6, (uint16_t)(20 + len));
	memset(t, 0, 20);
	put16(t, client_port);
	put16(t + 2, port);
	put32(t + 4, seq);
	put32(t + 8, ack);
	t[12] = 5 << 4;
	t[13] = flags;
	put16(t + 14, 8192);
	if (len)
		memcpy(t + 20, data, len);
	memcpy(pseudo, peer_ip, 4);
	memcpy(pseudo + 4, our_ip, 4);
	pseudo[8] = 0;
	pseudo[9] = 6;
	put16(pseudo + 10, (uint16_t)(20 + len));
	memcpy(pseudo + 12, t, 20 + len);
	putck(t + 16, inet_chksum(pseudo, (u16_t)(12 + 20 + len)));
	return 34 + 20 + len;
}

/* ---------------------------------------------------------------- tests */

static void test_arp_reply(void)
{
	uint8_t f[64] = { 0 }, out[SLOT];
	uint8_t *a = f + 14;
	uint32_t n;

	eth(f, 0x0806);
	memset(f, 0xff, 6);
	put16(a, 1);
	put16(a + 2, 0x0800);
	a[4] = 6;
	a[5] = 4;
	put16(a + 6, 1);          /* request */
	memcpy(a + 8, peer_mac, 6);
	memcpy(a + 14, peer_ip, 4);
	memcpy(a + 24, our_ip, 4);
	inject(f, 60);
	n = sent(out);
	CHECK(n >= 42);
	CHECK_EQ(get16(out + 12), 0x0806);
	CHECK_EQ(get16(out + 14 + 6), 2);              /* reply */
	CHECK(memcmp(out + 14 + 8, our_mac, 6) == 0);  /* sender: us */
	CHECK(memcmp(out + 14 + 14, our_ip, 4) == 0);
	CHECK(memcmp(out, peer_mac, 6) == 0);
	CHECK(tx_kicks > 0);
	CHECK(rx_kicks > 0);
	drain_tx();
}

static void test_icmp_echo(void)
{
	uint8_t f[128], out[SLOT];
	uint32_t n = icmp_echo(f, 7);

	inject(f, n);
	n = sent(out);
	CHECK_EQ(n, 14 + 20 + 24);
	CHECK_EQ(out[14 + 9], 1);
	CHECK_EQ(out[34], 0);                          /* echo reply */
	CHECK_EQ(get16(out + 34 + 6), 7);
	CHECK_EQ(inet_chksum(out + 34, 24), 0);
	CHECK_EQ(inet_chksum(out + 14, 20), 0);
	drain_tx();
}

/* Each malformed frame is dropped, counted somewhere, answered by nothing; then echo still works. */
static void test_malformed_corpus(void)
{
	uint8_t f[2048], out[SLOT];
	uint32_t n, drops_before, i;
	struct stats_ lwip_before = lwip_stats;
	struct capos_netif_stats before = nif.stats;

	/* runt: shorter than an Ethernet header */
	memset(f, 0, sizeof(f));
	inject(f, 10);
	/* wrong ethertype (0x88b5, local experimental) */
	n = icmp_echo(f, 1);
	put16(f + 12, 0x88b5);
	inject(f, n);
	/* truncated IP header */
	icmp_echo(f, 2);
	inject(f, 14 + 12);
	/* bad IP header checksum */
	n = icmp_echo(f, 3);
	f[14 + 10] ^= 0x55;
	inject(f, n);
	/* IP total length past the frame */
	n = icmp_echo(f, 4);
	put16(f + 14 + 2, 1400);
	put16(f + 14 + 10, 0);
	putck(f + 14 + 10, inet_chksum(f + 14, 20));
	inject(f, n);
	/* bad IHL (< 5) */
	n = icmp_echo(f, 5);
	f[14] = 0x43;
	put16(f + 14 + 10, 0);
	putck(f + 14 + 10, inet_chksum(f + 14, 20));
	inject(f, n);
	/* IP options that run past the header (IHL 15 in a 24-byte datagram) */
	n = icmp_echo(f, 6);
	f[14] = 0x4f;
	put16(f + 14 + 10, 0);
	putck(f + 14 + 10, inet_chksum(f + 14, 20));
	inject(f, n);
	/* bad ICMP checksum on an echo request */
	n = icmp_echo(f, 8);
	f[34 + 2] ^= 0xff;
	inject(f, n);
	/* TCP with a bad checksum */
	n = tcp_seg(f, 80, 1000, 0, TCP_SYN, NULL, 0);
	f[34 + 16] ^= 0x01;
	inject(f, n);
	/* TCP SYN+FIN+RST+URG+PSH ("christmas tree") to a listening port */
	n = tcp_seg(f, 9, 1000, 0, TCP_SYN | TCP_FIN | TCP_RST | TCP_URG | TCP_PSH, NULL, 0);
	inject(f, n);
	/* oversized: a frame as long as the slot, past header + MTU */
	n = icmp_echo(f, 9);
	memset(f + n, 0xa5, SLOT - n);
	inject(f, SLOT);

	/* nothing answered any of them, except the christmas tree: RST or nothing, never SYN-ACK */
	while ((n = sent(out)) != 0) {
		CHECK_EQ(get16(out + 12), 0x0800);
		CHECK_EQ(out[14 + 9], 6);
		CHECK(!(out[34 + 13] & TCP_SYN));
	}
	CHECK_EQ(nif.stats.rx_runt - before.rx_runt, 1);
	CHECK_EQ(nif.stats.rx_oversize - before.rx_oversize, 1);
	drops_before = lwip_before.ip.drop + lwip_before.etharp.drop + lwip_before.icmp.drop +
		       lwip_before.tcp.drop + lwip_before.link.drop;
	i = lwip_stats.ip.drop + lwip_stats.etharp.drop + lwip_stats.icmp.drop + lwip_stats.tcp.drop +
	    lwip_stats.link.drop;
	printf("# drops counted: %u (ip %u, chkerr %u, lenerr %u, icmp %u, tcp %u, link %u)\n",
	       i - drops_before, lwip_stats.ip.drop, lwip_stats.ip.chkerr, lwip_stats.ip.lenerr,
	       lwip_stats.icmp.drop, lwip_stats.tcp.drop, lwip_stats.link.drop);
	CHECK(i - drops_before >= 9);
	CHECK(lwip_stats.ip.chkerr > lwip_before.ip.chkerr);
	CHECK(lwip_stats.icmp.chkerr > lwip_before.icmp.chkerr);
	CHECK(lwip_stats.tcp.chkerr > lwip_before.tcp.chkerr);
	CHECK(lwip_stats.ip.lenerr > lwip_before.ip.lenerr);

	/* and the stack still answers */
	n = icmp_echo(f, 10);
	inject(f, n);
	n = sent(out);
	CHECK_EQ(n, 14 + 20 + 24);
	CHECK_EQ(out[34], 0);
}

/* A driver that hands over descriptors outside the region or its slots: counted, nothing touched. */
static void test_bad_descriptors(void)
{
	uint64_t before = nif.stats.rx_bad_desc;
	struct capos_netq_desc bad[] = {
		{ sizeof(region), 60 },          /* past the region */
		{ 0xfffff000u, 60 },             /* far past */
		{ SLOT / 2, 60 },                /* not a slot boundary */
		{ 0, SLOT + 1 },                 /* longer than a slot */
	};
	unsigned i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		capos_netq_push(&set.rx_active, bad[i]);
	capos_netif_poll(&nif, 0);
	CHECK_EQ(nif.stats.rx_bad_desc - before, 4);
	CHECK(capos_netq_empty(&set.tx_active));
}

/* No TX slot left: lwIP gets ERR_MEM, the netif counts it; slots back, sending resumes. */
static void test_tx_exhaustion(void)
{
	struct capos_netq_desc held[NSLOT];
	uint32_t nheld = 0, n;
	uint8_t f[128], out[SLOT];
	uint64_t before = nif.stats.tx_no_slot;

	uint32_t cached = nif.own_count;

	nif.own_count = 0;        /* the slots the stack holds are out of reach too */
	while (capos_netq_pop(&set.tx_free, &held[nheld]) == 0)
		nheld++;
	n = icmp_echo(f, 11);
	inject(f, n);
	CHECK_EQ(nif.stats.tx_no_slot - before, 1);
	CHECK_EQ(sent(out), 0);
	while (nheld)
		capos_netq_push(&set.tx_free, held[--nheld]);
	nif.own_count = cached;
	n = icmp_echo(f, 12);
	inject(f, n);
	CHECK_EQ(sent(out), 14 + 20 + 24);
}

/* --- TCP: an echo PCB on port 7 --- */

static int accepted;

static err_t echo_recv(void *arg, struct tcp_pcb *pcb, struct pbuf *p, err_t err)
{
	(void)arg;
	(void)err;
	if (!p) {
		tcp_close(pcb);
		return ERR_OK;
	}
	tcp_write(pcb, p->payload, p->len, TCP_WRITE_FLAG_COPY);
	tcp_output(pcb);
	tcp_recved(pcb, p->tot_len);
	if (p->len == 4 && memcmp(p->payload, "bye!", 4) == 0) {
		tcp_recv(pcb, NULL);
		tcp_close(pcb);   /* the server closes first: it will sit in TIME_WAIT */
	}
	pbuf_free(p);
	return ERR_OK;
}

static err_t echo_accept(void *arg, struct tcp_pcb *pcb, err_t err)
{
	(void)arg;
	(void)err;
	accepted++;
	tcp_recv(pcb, echo_recv);
	return ERR_OK;
}

static struct tcp_pcb *listener;

static void listen_echo(void)
{
	if (listener)
		return;
	listener = tcp_new();
	tcp_bind(listener, IP4_ADDR_ANY, 7);
	listener = tcp_listen(listener);
	tcp_accept(listener, echo_accept);
}

/*
 * One whole connection from client_port: handshake, a 4-byte message
 * echoed, then the close.  "ping": the client closes first (the server
 * passes through LAST_ACK); "bye!": the server closes first and ends in
 * TIME_WAIT.  1 when every step got the expected answer.
 */
static int tcp_conversation(uint32_t isn, const char *msg)
{
	uint8_t f[256], out[SLOT];
	uint32_t n, srv, ok = 1;

	n = tcp_seg(f, 7, isn, 0, TCP_SYN, NULL, 0);
	inject(f, n);
	n = sent(out);
	if (n < 54 || (out[34 + 13] & (TCP_SYN | TCP_ACK)) != (TCP_SYN | TCP_ACK))
		return 0;
	srv = get32(out + 34 + 4);
	n = tcp_seg(f, 7, isn + 1, srv + 1, TCP_ACK | TCP_PSH, msg, 4);
	inject(f, n);
	n = sent(out);            /* the echo (with the ACK), and for "bye!" the FIN with it or next */
	ok &= n == 54 + 4 && memcmp(out + 54, msg, 4) == 0;
	drain_tx();
	/* our FIN (acking the server's FIN too when it closed first) */
	n = tcp_seg(f, 7, isn + 5, srv + 5 + (msg[0] == 'b'), TCP_ACK | TCP_FIN, NULL, 0);
	inject(f, n);
	drain_tx();
	n = tcp_seg(f, 7, isn + 6, srv + 6, TCP_ACK, NULL, 0);
	inject(f, n);
	drain_tx();
	return (int)ok;
}

static void test_tcp_echo(void)
{
	listen_echo();
	client_port = 40000;
	CHECK(tcp_conversation(1000, "ping"));
	CHECK_EQ(accepted, 1);
}

/*
 * Churn: 1000 connections one after another, 10 ms apart (100 a second,
 * so 200 would be in TIME_WAIT at once for 2 * TCP_MSL, three times the
 * PCB pool), every other one closed by the server first.  Every one
 * completes — tcp_alloc reuses the oldest TIME_WAIT PCB when the pool is
 * empty — and once the timers ran the pool is back where it started.
 */
static void test_tcp_churn(void)
{
	uint32_t i, ok = 0;
	u16_t used_before;

	listen_echo();
	used_before = lwip_stats.memp[MEMP_TCP_PCB]->used;
	for (i = 0; i < 1000; i++) {
		client_port = (uint16_t)(20000 + i);
		ok += (uint32_t)tcp_conversation(100000u + i * 100000u, i & 1 ? "bye!" : "ping");
		fake_ms += 10;
		sys_check_timeouts();
	}
	CHECK_EQ(ok, 1000);
	CHECK(lwip_stats.memp[MEMP_TCP_PCB]->max == MEMP_NUM_TCP_PCB);
	fake_ms += 5000;          /* past 2 * TCP_MSL */
	for (i = 0; i < 50; i++) {
		fake_ms += 250;
		sys_check_timeouts();
	}
	drain_tx();
	CHECK_EQ(lwip_stats.memp[MEMP_TCP_PCB]->used, used_before);
}

/* Slots below one frame are refused at set-up. */
static void test_add_checks(void)
{
	struct capos_netq_set small = set;
	struct capos_netif other;

	small.slot_size = 1024;
	CHECK_EQ(capos_netif_add(&other, &small, our_mac, 1, &ops, NULL), -CAPOS_EINVAL);
	small.region = NULL;
	small.slot_size = SLOT;
	CHECK_EQ(capos_netif_add(&other, &small, our_mac, 1, &ops, NULL), -CAPOS_EINVAL);
}

int main(void)
{
	setup_once();
	RUN(test_arp_reply);
	RUN(test_icmp_echo);
	RUN(test_malformed_corpus);
	RUN(test_bad_descriptors);
	RUN(test_tx_exhaustion);
	RUN(test_tcp_echo);
	RUN(test_tcp_churn);
	RUN(test_add_checks);
	return check_done();
}
