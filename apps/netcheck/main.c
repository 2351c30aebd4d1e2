/*
 * netcheck: the network test program and, in the default system, the
 * service that owns the NIC until the Web UI does (docs/network.md).
 *
 *   1. gets its NIC: "nic" from the manifest (a PciFunction, claimed by
 *      class 0x020000), else claims the first network controller through
 *      "devices" when it runs as init;
 *   2. drives it with the libOS virtio-net driver (nic.c) and adds it to
 *      lwIP (netstack/);
 *   3. DHCP: waits for a lease and prints address, mask, router, DNS;
 *   4. ARP: resolves the router and prints its MAC;
 *   5. ping: ICMP echo to the router, every reply checked byte by byte
 *      (ping.c), malformed ones rejected and counted;
 *   6. serves TCP echo on port 7 and an HTTP hello on port 80, forever.
 *
 * Arguments (space-separated words): `pings=N` (default 3), `test` (the
 * line "quit" on the echo port ends the program with code 0, after its
 * counters; the line "die" ends it at once with code 3, the NIC left as it
 * is, for the restart test).  The line "stats" on the echo port answers with the
 * counters.  Every step prints one line "netcheck: STEP: ..."; a failure
 * "netcheck: STEP: FAILED ..." and exit code 1.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <capos/device.h>
#include <capos/error.h>
#include <capos/netstack.h>
#include <capos/rt.h>

#include "lwip/dhcp.h"
#include "lwip/dns.h"
#include "lwip/etharp.h"
#include "lwip/ip4_addr.h"
#include "lwip/raw.h"
#include "lwip/stats.h"
#include "lwip/tcp.h"

#include "nic.h"
#include "ping.h"

#define DHCP_WAIT_MS 30000u
#define ARP_WAIT_MS 5000u
#define PING_WAIT_MS 2000u
#define TURN_NS 50000000ull       /* 50 ms: the longest a step's wait sleeps before looking again */

static struct nic nic;
static struct capos_netif nif;
static int test_mode, quit;

static int fail(const char *step, const char *why)
{
	printf("netcheck: %s: FAILED %s\n", step, why);
	fflush(stdout);
	return 1;
}

/* Turn the loop until done() or ms pass: 1 when done. */
static int wait_for(int (*done)(void), uint32_t ms)
{
	uint32_t start = capos_netstack_now_ms();

	while (!done()) {
		if (capos_netstack_now_ms() - start > ms)
			return 0;
		capos_netloop_turn(&nif, TURN_NS);
	}
	return 1;
}

/* ------------------------------------------------------------- the NIC */

static int get_nic(uint32_t *fn)
{
	const char *how;
	int err = nic_find(fn, &how);

	if (!err)
		printf("netcheck: nic: %s\n", how);
	return err;
}

/* ---------------------------------------------------------------- DHCP */

static int dhcp_bound(void)
{
	return dhcp_supplied_address(&nif.netif);
}

static int step_dhcp(void)
{
	char ip[16], mask[16], gw[16], dns[16];

	if (dhcp_start(&nif.netif) != ERR_OK)
		return fail("dhcp", "dhcp_start");
	if (!wait_for(dhcp_bound, DHCP_WAIT_MS))
		return fail("dhcp", "no lease in 30 s");
	ip4addr_ntoa_r(netif_ip4_addr(&nif.netif), ip, sizeof(ip));
	ip4addr_ntoa_r(netif_ip4_netmask(&nif.netif), mask, sizeof(mask));
	ip4addr_ntoa_r(netif_ip4_gw(&nif.netif), gw, sizeof(gw));
	ip4addr_ntoa_r(ip_2_ip4(dns_getserver(0)), dns, sizeof(dns));
	printf("netcheck: dhcp: bound %s mask %s router %s dns %s\n", ip, mask, gw, dns);
	return 0;
}

/* ----------------------------------------------------------------- ARP */

static int gw_resolved(void)
{
	struct eth_addr *mac;
	const ip4_addr_t *ip;

	return etharp_find_addr(&nif.netif, netif_ip4_gw(&nif.netif), &mac, &ip) >= 0;
}

static int step_arp(void)
{
	struct eth_addr *mac;
	const ip4_addr_t *ip;
	char gw[16];

	etharp_request(&nif.netif, netif_ip4_gw(&nif.netif));
	if (!wait_for(gw_resolved, ARP_WAIT_MS))
		return fail("arp", "the router did not answer");
	etharp_find_addr(&nif.netif, netif_ip4_gw(&nif.netif), &mac, &ip);
	ip4addr_ntoa_r(netif_ip4_gw(&nif.netif), gw, sizeof(gw));
	printf("netcheck: arp: %s is at %02x:%02x:%02x:%02x:%02x:%02x\n", gw, mac->addr[0], mac->addr[1],
	       mac->addr[2], mac->addr[3], mac->addr[4], mac->addr[5]);
	return 0;
}

/* ---------------------------------------------------------------- ping */

static struct {
	uint16_t id, seq;
	int answered;
	uint32_t good, rejected[PING_VERDICTS];
} ping;

/*
 * Every ICMP datagram passes here before lwIP's icmp_input (which does not
 * check a reply's checksum): echo replies are ours to judge, during a ping
 * round and after it, so a forged or late one is rejected and counted.
 */
static u8_t ping_recv(void *arg, struct raw_pcb *pcb, struct pbuf *p, const ip_addr_t *addr)
{
	uint8_t buf[256];
	uint16_t len = p->tot_len < sizeof(buf) ? p->tot_len : sizeof(buf);
	size_t ihl;
	enum ping_verdict v;

	(void)arg;
	(void)pcb;
	(void)addr;
	pbuf_copy_partial(p, buf, len, 0);
	ihl = (size_t)(buf[0] & 0x0f) * 4;
	if (len < ihl + 1 || buf[ihl] != 0)
		return 0;                          /* not an echo reply: lwIP's */
	v = ping_judge(buf, len, ping.id, ping.seq);
	if (v == PING_OK) {
		ping.good++;
		ping.answered = 1;
	} else {
		ping.rejected[v]++;
		printf("netcheck: ping: rejected a reply (%s)\n", ping_verdict_name(v));
	}
	pbuf_free(p);
	return 1;
}

static int ping_answered(void)
{
	return ping.answered;
}

static int step_ping(int count)
{
	struct raw_pcb *pcb = raw_new(IP_PROTO_ICMP);
	uint32_t rejected = 0;
	char gw[16];
	int i;

	if (!pcb)
		return fail("ping", "no raw PCB");
	raw_recv(pcb, ping_recv, NULL);
	raw_bind(pcb, IP4_ADDR_ANY);
	ping.id = (uint16_t)capos_lwip_rand();
	ip4addr_ntoa_r(netif_ip4_gw(&nif.netif), gw, sizeof(gw));
	for (i = 0; i < count; i++) {
		struct pbuf *p = pbuf_alloc(PBUF_IP, PING_HDR + PING_DATA, PBUF_RAM);
		ip_addr_t to;

		if (!p)
			return fail("ping", "no pbuf");
		ping.seq = (uint16_t)(i + 1);
		ping.answered = 0;
		ping_build(p->payload, ping.id, ping.seq);
		ip_addr_copy_from_ip4(to, *netif_ip4_gw(&nif.netif));
		raw_sendto(pcb, p, &to);
		pbuf_free(p);
		wait_for(ping_answered, PING_WAIT_MS);
	}
	/* the PCB stays: a late or forged echo reply is still judged and counted */
	for (i = 0; i < PING_VERDICTS; i++)
		rejected += ping.rejected[i];
	printf("netcheck: ping %s: %u of %d replies, %u rejected\n", gw, ping.good, count, rejected);
	return ping.good == (uint32_t)count ? 0 : fail("ping", "replies missing");
}

/* ------------------------------------------------------------ counters */

static int stats_text(char *buf, size_t size)
{
	const struct capos_netif_stats *n = &nif.stats;

	return snprintf(buf, size,
		"netif rx %llu runt %llu oversize %llu bad_desc %llu nomem %llu refused %llu tx %llu no_slot %llu\n"
		"link recv %u drop %u lenerr %u memerr %u\n"
		"etharp recv %u drop %u proterr %u lenerr %u\n"
		"ip recv %u drop %u chkerr %u lenerr %u proterr %u opterr %u\n"
		"icmp recv %u drop %u chkerr %u\n"
		"udp recv %u drop %u chkerr %u\n"
		"tcp recv %u drop %u chkerr %u proterr %u\n"
		"ping good %u rejected %u\n",
		(unsigned long long)n->rx_frames, (unsigned long long)n->rx_runt,
		(unsigned long long)n->rx_oversize, (unsigned long long)n->rx_bad_desc,
		(unsigned long long)n->rx_nomem, (unsigned long long)n->rx_refused,
		(unsigned long long)n->tx_frames, (unsigned long long)n->tx_no_slot,
		lwip_stats.link.recv, lwip_stats.link.drop, lwip_stats.link.lenerr, lwip_stats.link.memerr,
		lwip_stats.etharp.recv, lwip_stats.etharp.drop, lwip_stats.etharp.proterr,
		lwip_stats.etharp.lenerr,
		lwip_stats.ip.recv, lwip_stats.ip.drop, lwip_stats.ip.chkerr, lwip_stats.ip.lenerr,
		lwip_stats.ip.proterr, lwip_stats.ip.opterr,
		lwip_stats.icmp.recv, lwip_stats.icmp.drop, lwip_stats.icmp.chkerr,
		lwip_stats.udp.recv, lwip_stats.udp.drop, lwip_stats.udp.chkerr,
		lwip_stats.tcp.recv, lwip_stats.tcp.drop, lwip_stats.tcp.chkerr, lwip_stats.tcp.proterr,
		ping.good, ping.rejected[PING_SHORT] + ping.rejected[PING_BAD_IP] +
		ping.rejected[PING_NOT_REPLY] + ping.rejected[PING_CHECKSUM] + ping.rejected[PING_ID] +
		ping.rejected[PING_SEQ] + ping.rejected[PING_PAYLOAD]);
}

/* --------------------------------------------------------- the servers */

static int is_line(const struct pbuf *p, const char *word)
{
	size_t n = strlen(word);

	return p->tot_len == n + 1 && p->len == p->tot_len && memcmp(p->payload, word, n) == 0 &&
	       ((const char *)p->payload)[n] == '\n';
}

/* Echo: what arrives goes back; when the send buffer cannot take it, lwIP keeps it and asks again. */
static err_t echo_recv(void *arg, struct tcp_pcb *pcb, struct pbuf *p, err_t err)
{
	char text[1024];
	struct pbuf *q;
	int n;

	(void)arg;
	(void)err;
	if (!p) {
		tcp_close(pcb);
		return ERR_OK;
	}
	if (test_mode && is_line(p, "die")) {
		printf("netcheck: dying with the NIC still running\n");
		fflush(stdout);
		capos_process_exit(3);
	}
	if (is_line(p, "stats") || (test_mode && is_line(p, "quit"))) {
		n = stats_text(text, sizeof(text));
		tcp_write(pcb, text, (u16_t)n, TCP_WRITE_FLAG_COPY);
		quit = is_line(p, "quit");
	} else {
		if (tcp_sndbuf(pcb) < p->tot_len)
			return ERR_MEM;
		for (q = p; q; q = q->next)
			tcp_write(pcb, q->payload, q->len, TCP_WRITE_FLAG_COPY | (q->next ? TCP_WRITE_FLAG_MORE : 0));
	}
	tcp_output(pcb);
	tcp_recved(pcb, p->tot_len);
	pbuf_free(p);
	return ERR_OK;
}

static const char http_hello[] =
	"HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\n"
	"hello from capOS (lwIP " "2.1.3" ")\n";

/* HTTP: one answer to the first bytes of any request, then close. */
static err_t http_recv(void *arg, struct tcp_pcb *pcb, struct pbuf *p, err_t err)
{
	(void)arg;
	(void)err;
	if (!p) {
		tcp_close(pcb);
		return ERR_OK;
	}
	tcp_recved(pcb, p->tot_len);
	pbuf_free(p);
	tcp_recv(pcb, NULL);     /* the rest of the request is discarded */
	tcp_write(pcb, http_hello, sizeof(http_hello) - 1, 0);
	tcp_close(pcb);
	return ERR_OK;
}

static err_t on_accept(void *arg, struct tcp_pcb *pcb, err_t err)
{
	if (err != ERR_OK || !pcb)
		return ERR_VAL;
	tcp_recv(pcb, (tcp_recv_fn)arg);
	tcp_nagle_disable(pcb);
	return ERR_OK;
}

static int listen_on(u16_t port, tcp_recv_fn fn)
{
	struct tcp_pcb *pcb = tcp_new();

	if (!pcb || tcp_bind(pcb, IP4_ADDR_ANY, port) != ERR_OK)
		return -1;
	pcb = tcp_listen(pcb);
	if (!pcb)
		return -1;
	tcp_arg(pcb, (void *)fn);
	tcp_accept(pcb, on_accept);
	return 0;
}

/* ---------------------------------------------------------------- main */

int main(int argc, char **argv)
{
	char text[1024];
	uint32_t fn;
	int pings = 3, i, err;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "test") == 0)
			test_mode = 1;
		else if (strncmp(argv[i], "pings=", 6) == 0)
			pings = atoi(argv[i] + 6);
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	if ((err = get_nic(&fn)) != 0)
		return fail("nic", capos_strerror(err));
	if ((err = nic_open(fn, &nic)) != 0) {
		struct capos_pci_function_info_out out = { 0 };
		struct capos_pci_info info;

		if (capos_pci_function_info(capos_ring(), fn, &out, NULL) == 0) {
			memcpy(&info, out.info, sizeof(info));
			printf("netcheck: nic: %04x:%04x class %06x: not a virtio-net function this driver takes\n",
			       info.id.vendor, info.id.device, info.id.class_code);
		}
		return fail("nic", capos_strerror(err));
	}
	printf("netcheck: nic: %s, mac %02x:%02x:%02x:%02x:%02x:%02x, link %s\n", nic.what, nic.mac[0],
	       nic.mac[1], nic.mac[2], nic.mac[3], nic.mac[4], nic.mac[5], nic.link_up ? "up" : "down");
	if ((err = capos_netif_add(&nif, nic.q, nic.mac, nic.link_up, nic.ops, nic.drv)) != 0)
		return fail("netif", capos_strerror(err));
	netif_set_hostname(&nif.netif, "capos");
	netif_set_up(&nif.netif);
	if (step_dhcp() || step_arp() || step_ping(pings))
		return 1;
	if (listen_on(7, echo_recv) || listen_on(80, http_recv))
		return fail("listen", "tcp ports 7 and 80");
	printf("netcheck: listening on tcp 7 (echo) and 80 (http)\n");
	while (!quit)
		capos_netloop_turn(&nif, CAPOS_TIMEOUT_INFINITE);
	/* let the answer to "quit" go out */
	for (i = 0; i < 20; i++)
		capos_netloop_turn(&nif, TURN_NS);
	stats_text(text, sizeof(text));
	printf("netcheck: stats:\n%s", text);
	printf("netcheck: done\n");
	nic_close(&nic);
	return 0;
}
