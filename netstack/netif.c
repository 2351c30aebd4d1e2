/*
 * An lwIP netif over a NIC driver's buffer queues (capos/netq.h,
 * docs/network.md "The lwIP port").  The stack's side of sDDF's shape:
 *
 *   send     linkoutput copies the pbuf chain into a slot taken from
 *            tx_free and pushes it to tx_active, then tells the driver;
 *   receive  capos_netif_poll pops rx_active, copies each frame into a
 *            pool pbuf, gives the slot back on rx_free and hands the pbuf
 *            to lwIP's Ethernet input.
 *
 * Copies both ways keep the driver's DMA slots out of lwIP's lifetimes (a
 * pbuf may sit in a TCP out-of-order queue for seconds; a slot held that
 * long would starve the device).  The driver may be buggy or, behind a
 * multiplexer, hostile: every descriptor is checked against the region
 * and slot size before a byte is touched, and a bad one is counted and
 * dropped (its slot is not reused: it names nothing we own).  Pure: no
 * capability, host-tested (tests/host/netstack).
 */
#include <string.h>

#include <capos/error.h>
#include <capos/netstack.h>

#include "lwip/etharp.h"
#include "lwip/init.h"
#include "lwip/pbuf.h"
#include "lwip/snmp.h"
#include "lwip/stats.h"
#include "netif/ethernet.h"

#define ETH_HDR_LEN 14u
#define ETH_MTU 1500u

void capos_netstack_init(void)
{
	static int done;

	if (!done) {
		lwip_init();
		done = 1;
	}
}

static int desc_ok(const struct capos_netq_set *q, struct capos_netq_desc d)
{
	return capos_netq_desc_valid(d, q->region_size, q->slot_size);
}

/* A TX slot we may fill: from our own stack of them, refilled from tx_free. */
static int tx_slot(struct capos_netif *n, uint32_t *offset)
{
	struct capos_netq_desc d;

	while (n->own_count == 0 && capos_netq_pop(&n->q->tx_free, &d) == 0) {
		if (!desc_ok(n->q, d)) {
			n->stats.tx_bad_desc++;
			continue;
		}
		n->own[n->own_count++] = d.offset;
	}
	if (n->own_count == 0)
		return -CAPOS_EAGAIN;
	*offset = n->own[--n->own_count];
	return 0;
}

static err_t linkoutput(struct netif *nif, struct pbuf *p)
{
	struct capos_netif *n = nif->state;
	struct capos_netq_desc d;
	uint32_t offset;

	if (p->tot_len > n->q->slot_size) {
		n->stats.tx_too_long++;
		LINK_STATS_INC(link.lenerr);
		return ERR_BUF;
	}
	if (tx_slot(n, &offset)) {
		n->stats.tx_no_slot++;
		LINK_STATS_INC(link.memerr);
		return ERR_MEM;
	}
	pbuf_copy_partial(p, n->q->region + offset, p->tot_len, 0);
	d = (struct capos_netq_desc){ .offset = offset, .len = p->tot_len };
	if (capos_netq_push(&n->q->tx_active, d)) {
		/* tx_active is full (it is at least as large as the slots, so only a confused driver) */
		n->own[n->own_count++] = offset;
		n->stats.tx_no_slot++;
		LINK_STATS_INC(link.memerr);
		return ERR_MEM;
	}
	n->stats.tx_frames++;
	LINK_STATS_INC(link.xmit);
	if (n->ops && n->ops->tx_ready)
		n->ops->tx_ready(n->drv);
	return ERR_OK;
}

/* netif_add's init callback: what an Ethernet netif of ours is (the MAC is already in hwaddr). */
static err_t nif_init(struct netif *nif)
{
	nif->name[0] = 'e';
	nif->name[1] = 'n';
	nif->mtu = ETH_MTU;
	nif->hwaddr_len = ETH_HWADDR_LEN;
	nif->flags = NETIF_FLAG_BROADCAST | NETIF_FLAG_ETHARP | NETIF_FLAG_ETHERNET;
	nif->output = etharp_output;
	nif->linkoutput = linkoutput;
	return ERR_OK;
}

int capos_netif_add(struct capos_netif *n, struct capos_netq_set *q, const uint8_t mac[6], int link_up,
		    const struct capos_netif_ops *ops, void *drv)
{
	if (!q || !q->region || q->slot_size < ETH_HDR_LEN + ETH_MTU || q->region_size < q->slot_size)
		return -CAPOS_EINVAL;
	capos_netstack_init();
	memset(n, 0, sizeof(*n));
	n->q = q;
	n->ops = ops;
	n->drv = drv;
	memcpy(n->netif.hwaddr, mac, ETH_HWADDR_LEN);     /* netif_add leaves hwaddr alone */
	if (!netif_add(&n->netif, NULL, NULL, NULL, n, nif_init, ethernet_input))
		return -CAPOS_EINVAL;
	netif_set_default(&n->netif);
	if (link_up)
		netif_set_link_up(&n->netif);
	return 0;
}

void capos_netif_set_link(struct capos_netif *n, int up)
{
	if (up)
		netif_set_link_up(&n->netif);
	else
		netif_set_link_down(&n->netif);
}

/* One received descriptor: into lwIP or counted as dropped; its slot back to the driver. */
static void rx_one(struct capos_netif *n, struct capos_netq_desc d)
{
	struct pbuf *p;

	if (d.len < ETH_HDR_LEN) {
		n->stats.rx_runt++;
		LINK_STATS_INC(link.lenerr);
		LINK_STATS_INC(link.drop);
		goto give_back;
	}
	if (d.len > ETH_HDR_LEN + n->netif.mtu) {
		/* a jumbo or babbling frame: lwIP would trim it to the IP length and answer */
		n->stats.rx_oversize++;
		LINK_STATS_INC(link.lenerr);
		LINK_STATS_INC(link.drop);
		goto give_back;
	}
	p = pbuf_alloc(PBUF_RAW, (u16_t)d.len, PBUF_POOL);
	if (!p) {
		n->stats.rx_nomem++;
		LINK_STATS_INC(link.memerr);
		LINK_STATS_INC(link.drop);
		goto give_back;
	}
	pbuf_take(p, n->q->region + d.offset, (u16_t)d.len);
	d.len = 0;
	capos_netq_push(&n->q->rx_free, d);
	LINK_STATS_INC(link.recv);
	n->stats.rx_frames++;
	if (n->netif.input(p, &n->netif) != ERR_OK) {
		n->stats.rx_refused++;
		pbuf_free(p);
	}
	return;
give_back:
	d.len = 0;
	capos_netq_push(&n->q->rx_free, d);
}

uint32_t capos_netif_poll(struct capos_netif *n, uint32_t budget)
{
	struct capos_netq_desc d;
	uint32_t done = 0;

	while ((budget == 0 || done < budget) && capos_netq_pop(&n->q->rx_active, &d) == 0) {
		done++;
		if (!desc_ok(n->q, d)) {
			n->stats.rx_bad_desc++;
			LINK_STATS_INC(link.drop);
			continue;
		}
		rx_one(n, d);
	}
	if (done && n->ops && n->ops->rx_returned)
		n->ops->rx_returned(n->drv);
	return done;
}
