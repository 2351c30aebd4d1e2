/*
 * The virtio-net driver (capos/virtio_net.h; virtio 1.x section 5.1):
 * receive queue 0 and transmit queue 1 of one network function, between
 * the device and a stack's four buffer queues (capos/netq.h).
 *
 * Zero-copy: the buffer region the stack reads and writes frames in is a
 * chunk of the driver's DmaPool, so a slot is posted to the device as it
 * is, behind a shared header.  Descriptors from the stack are checked
 * (capos_netq_desc_valid) before a slot's address goes to the device;
 * lengths from the device are checked by the ring (virtqueue.c) before a
 * frame goes to the stack.  A ring the device corrupted or a device
 * asking for a reset ends the driver's work: the device is reset (no
 * more DMA or interrupts), the error counted and returned, and the
 * program decides whether to open it again.
 */
#include <capos/error.h>
#include <capos/rt.h>
#include <capos/virtio_net.h>
#include <string.h>

#define RXQ 0
#define TXQ 1
#define CFG_MAC 0
#define CFG_STATUS 6
#define NET_S_LINK_UP 1u
#define ETH_MIN 14u               /* a frame shorter than its header is not sent */

static void count_errors(struct capos_virtio_net *n)
{
	const struct capos_virtq_errors *r = &n->rxq.errors, *t = &n->txq.errors;

	n->stats.device_errors = r->bad_index + r->bad_id + r->bad_len + t->bad_index + t->bad_id + t->bad_len +
				 n->stats.needs_reset;
}

static int broken(struct capos_virtio_net *n)
{
	if (!n->dead)
		capos_virtio_reset(&n->v);
	n->dead = 1;
	count_errors(n);
	return -CAPOS_EIO;
}

static int post_rx(struct capos_virtio_net *n, uint32_t offset)
{
	struct capos_virtq_seg segs[2] = {
		{ .addr = n->rx_hdr, .len = n->hdr_len, .device_writes = 1 },
		{ .addr = capos_dma_device_addr(&n->dma, n->q.region + offset), .len = n->q.slot_size,
		  .device_writes = 1 },
	};

	return capos_virtq_add(&n->rxq, segs, 2, offset);
}

/* The device's finished receive buffers, to rx_active (or straight back to the device). */
static int reap_rx(struct capos_virtio_net *n, uint32_t *moved)
{
	struct capos_virtq_done d;
	int r;

	while ((r = capos_virtq_get(&n->rxq, &d)) == 1) {
		struct capos_netq_desc f = { .offset = d.cookie, .len = d.len - n->hdr_len };

		if (d.err || d.len <= n->hdr_len || capos_netq_push(&n->q.rx_active, f)) {
			n->stats.rx_dropped++;
			post_rx(n, d.cookie);     /* a descriptor just came free: this cannot fail */
			continue;
		}
		n->stats.rx_frames++;
		n->stats.rx_bytes += f.len;
		(*moved)++;
	}
	return r;
}

static int reap_tx(struct capos_virtio_net *n, uint32_t *moved)
{
	struct capos_virtq_done d;
	int r;

	while ((r = capos_virtq_get(&n->txq, &d)) == 1) {
		capos_netq_push(&n->q.tx_free, (struct capos_netq_desc){ .offset = d.cookie, .len = 0 });
		(*moved)++;
	}
	return r;
}

static void refill_rx(struct capos_virtio_net *n)
{
	struct capos_netq_desc d;

	while (n->rxq.num_free >= 2 && capos_netq_pop(&n->q.rx_free, &d) == 0) {
		if (!capos_netq_desc_valid(d, n->q.region_size, n->q.slot_size)) {
			n->stats.rx_bad_desc++;
			continue;
		}
		post_rx(n, d.offset);
	}
}

static void send_tx(struct capos_virtio_net *n)
{
	struct capos_netq_desc d;

	while (n->txq.num_free >= 2 && capos_netq_pop(&n->q.tx_active, &d) == 0) {
		struct capos_virtq_seg segs[2] = {
			{ .addr = n->tx_hdr, .len = n->hdr_len },
			{ .addr = capos_dma_device_addr(&n->dma, n->q.region + d.offset), .len = d.len },
		};

		if (!capos_netq_desc_valid(d, n->q.region_size, n->q.slot_size) || d.len < ETH_MIN) {
			n->stats.tx_bad_desc++;
			if (capos_netq_desc_valid((struct capos_netq_desc){ d.offset, 0 }, n->q.region_size,
						  n->q.slot_size))
				capos_netq_push(&n->q.tx_free, (struct capos_netq_desc){ d.offset, 0 });
			continue;
		}
		capos_virtq_add(&n->txq, segs, 2, d.offset);
		n->stats.tx_frames++;
		n->stats.tx_bytes += d.len;
	}
}

static void kick(struct capos_virtio_net *n, struct capos_virtq *q)
{
	if (capos_virtq_publish(q))
		capos_virtio_notify(&n->v, q);
}

/* The link bit, after a configuration change: 1 when it changed. */
static int check_link(struct capos_virtio_net *n)
{
	uint16_t status = 0;
	int up;

	if (!(n->v.features & (1ull << CAPOS_VIRTIO_NET_F_STATUS)))
		return 0;
	capos_virtio_config_read(&n->v, CFG_STATUS, &status, sizeof status);
	up = (status & NET_S_LINK_UP) != 0;
	if (up == n->link_up)
		return 0;
	n->link_up = up;
	n->stats.link_changes++;
	return 1;
}

static int one_pass(struct capos_virtio_net *n, int config)
{
	uint32_t moved = 0;

	if (n->dead)
		return -CAPOS_EIO;
	if (reap_tx(n, &moved) < 0 || reap_rx(n, &moved) < 0)
		return broken(n);
	refill_rx(n);
	send_tx(n);
	kick(n, &n->rxq);
	kick(n, &n->txq);
	/*
	 * The device announces DEVICE_NEEDS_RESET with a configuration change
	 * (4.1.4.3), so the status register (an exit to the hypervisor on a
	 * legacy device) is read only then, not on every frame.
	 */
	if (config && (capos_virtio_status(&n->v) & CAPOS_VIRTIO_S_NEEDS_RESET)) {
		n->stats.needs_reset++;
		return broken(n);
	}
	count_errors(n);
	if (config && check_link(n))
		moved++;
	if (moved && n->opt.event)
		n->opt.event(n, n->opt.ctx);
	return (int)moved;
}

/* Passes until nothing asked for another: the event callback may kick the driver. */
static int poll_once(struct capos_virtio_net *n, int config)
{
	int r, total = 0;

	if (n->in_poll) {
		n->again = 1;
		return 0;
	}
	n->in_poll = 1;
	do {
		n->again = 0;
		r = one_pass(n, config);
		config = 0;
		if (r > 0)
			total += r;
	} while (r >= 0 && n->again);
	n->in_poll = 0;
	return r < 0 ? r : total;
}

int capos_virtio_net_poll(struct capos_virtio_net *n)
{
	/* without interrupts the ISR is the only word of a configuration change */
	int config = n->irq_mode == CAPOS_VIRTIO_NET_POLL && (capos_virtio_isr(&n->v) & 2);

	return poll_once(n, config);
}

void capos_virtio_net_kick(void *n)
{
	capos_virtio_net_poll(n);
}

/* ------------------------------------------------------------ interrupts */

static int on_irq(struct capos_irq_waiter *w, uint32_t count)
{
	struct capos_virtio_net *n = w->ctx;
	int config = 0;

	if (count == 0)
		return CAPOS_IRQ_STOP;        /* masked or revoked: the device is going */
	if (n->irq_mode == CAPOS_VIRTIO_NET_INTX) {
		uint8_t isr = capos_virtio_isr(&n->v);   /* reading it lowers the line */

		if (isr == 0) {
			n->stats.irqs_not_ours++;     /* another holder of a shared line */
			return CAPOS_IRQ_AGAIN;
		}
		config = (isr & 2) != 0;
	} else {
		/* MSI-X: with two vectors the first is configuration changes only */
		config = n->nirq == 1 || w == &n->waiter[0];
	}
	n->stats.irqs++;
	return poll_once(n, config) < 0 ? CAPOS_IRQ_STOP : CAPOS_IRQ_AGAIN;
}

static void irq_release(struct capos_virtio_net *n)
{
	for (uint32_t i = 0; i < n->nirq; i++) {
		if (n->waiter[i].armed)
			capos_irq_waiter_stop(&n->waiter[i]);
		capos_release(capos_ring(), n->irq[i]);
	}
	n->nirq = 0;
}

/*
 * Interrupts as the options ask: MSI-X (two vectors when there are two),
 * INTx, or none.  The kernel keeps one kind per claim (PciFunction.interrupt
 * answers -CAPOS_EBUSY for another), so a program that wants to change
 * kinds claims the function again.
 */
static int irq_setup(struct capos_virtio_net *n, uint32_t fn)
{
	uint32_t mode = n->opt.irq_mode;
	int err;

	n->irq_mode = CAPOS_VIRTIO_NET_POLL;
	if (mode == CAPOS_VIRTIO_NET_POLL)
		return 0;
	if (mode == CAPOS_VIRTIO_NET_IRQ_AUTO || mode == CAPOS_VIRTIO_NET_MSIX) {
		err = capos_pci_irq_setup(fn, CAPOS_IRQ_KIND_MSIX, 0, &n->irq[0], NULL);
		if (err == 0) {
			n->nirq = 1;
			if (capos_pci_irq_setup(fn, CAPOS_IRQ_KIND_MSIX, 1, &n->irq[1], NULL) == 0)
				n->nirq = 2;
			n->irq_mode = CAPOS_VIRTIO_NET_MSIX;
			return 0;
		}
		if (mode == CAPOS_VIRTIO_NET_MSIX)
			return err;
	}
	err = capos_pci_irq_setup(fn, CAPOS_IRQ_KIND_INTX, 0, &n->irq[0], NULL);
	if (err == 0) {
		n->nirq = 1;
		n->irq_mode = CAPOS_VIRTIO_NET_INTX;
		return 0;
	}
	return mode == CAPOS_VIRTIO_NET_IRQ_AUTO ? 0 : err;    /* auto falls back to polling */
}

/* ----------------------------------------------------------------- open */

int capos_virtio_net_find(const char *grant, uint32_t instance, uint32_t *fn, int *claimed)
{
	struct capos_device_root_claim_in in = { .vendor = 0x1af4, .device = CAPOS_PCI_ANY,
						 .class_code = 0x020000, .class_mask = 0xffff00, .instance = instance };
	struct capos_device_root_claim_out out = { 0 };
	uint32_t root;
	int err;

	*claimed = 0;
	*fn = grant ? capos_cap_find(grant, NULL) : 0;
	if (*fn)
		return 0;
	root = capos_cap_find("devices", NULL);
	if (!root)
		return -CAPOS_ENOENT;
	err = capos_device_root_claim(capos_ring(), root, &in, &out);
	if (err)
		return err;
	*fn = out.function;
	*claimed = 1;
	return 0;
}

static int ring(struct capos_virtio_net *n, struct capos_virtq *q, uint16_t index)
{
	uint32_t max = capos_virtio_queue_max(&n->v, index), size = CAPOS_VIRTQ_MAX;
	struct capos_virtq_layout l;
	struct capos_dma_chunk c;
	int err;

	if (n->v.transport == CAPOS_VIRTIO_LEGACY)
		size = max;                   /* legacy rings have the device's size */
	else if (max < size)
		while (size > max)
			size >>= 1;
	if (capos_virtq_layout(size, &l))
		return -CAPOS_ENOTSUP;
	if ((err = capos_dma_alloc(&n->dma, l.bytes, 4096, &c)))
		return err;
	memset(c.vaddr, 0, l.bytes);
	return capos_virtq_init(q, index, size, c.vaddr, c.device_addr);
}

static int queues(struct capos_virtio_net *n)
{
	uint16_t cfgvec = CAPOS_VIRTIO_NO_VECTOR, qvec = CAPOS_VIRTIO_NO_VECTOR;
	int err;

	if (n->irq_mode == CAPOS_VIRTIO_NET_MSIX) {
		cfgvec = 0;
		qvec = n->nirq == 2 ? 1 : 0;
		if ((err = capos_virtio_config_vector(&n->v, cfgvec)))
			return err;
	}
	if ((err = ring(n, &n->rxq, RXQ)) || (err = ring(n, &n->txq, TXQ)))
		return err;
	if ((err = capos_virtio_queue_setup(&n->v, &n->rxq, qvec)) ||
	    (err = capos_virtio_queue_setup(&n->v, &n->txq, qvec)))
		return err;
	if (n->irq_mode == CAPOS_VIRTIO_NET_POLL) {
		capos_virtq_suppress(&n->rxq, 1);
		capos_virtq_suppress(&n->txq, 1);
	}
	return 0;
}

/* The shared headers, the region and the four queues; every slot handed out. */
static int region(struct capos_virtio_net *n)
{
	uint32_t slots = n->opt.rx_slots + n->opt.tx_slots;
	struct capos_dma_chunk h, r;
	int err;

	if ((err = capos_dma_alloc(&n->dma, 64, 64, &h)))
		return err;
	memset(h.vaddr, 0, 64);
	n->rx_hdr = h.device_addr;
	n->tx_hdr = h.device_addr + 32;
	if ((err = capos_dma_alloc(&n->dma, (uint64_t)slots * CAPOS_VIRTIO_NET_SLOT, 4096, &r)))
		return err;
	n->q.region = r.vaddr;
	n->q.region_size = slots * CAPOS_VIRTIO_NET_SLOT;
	n->q.slot_size = CAPOS_VIRTIO_NET_SLOT;
	capos_netq_init(&n->q.rx_free, n->qstore[0], CAPOS_VIRTIO_NET_QCAP);
	capos_netq_init(&n->q.rx_active, n->qstore[1], CAPOS_VIRTIO_NET_QCAP);
	capos_netq_init(&n->q.tx_active, n->qstore[2], CAPOS_VIRTIO_NET_QCAP);
	capos_netq_init(&n->q.tx_free, n->qstore[3], CAPOS_VIRTIO_NET_QCAP);
	for (uint32_t i = 0; i < slots; i++) {
		struct capos_netq_desc d = { .offset = i * CAPOS_VIRTIO_NET_SLOT, .len = 0 };

		capos_netq_push(i < n->opt.rx_slots ? &n->q.rx_free : &n->q.tx_free, d);
	}
	return 0;
}

static uint64_t pool_pages(const struct capos_virtio_net *n)
{
	struct capos_virtq_layout l;

	capos_virtq_layout(CAPOS_VIRTQ_MAX, &l);
	/* two rings, the headers' page, the region */
	return 2 * ((l.bytes + 4095) / 4096) + 1 +
	       ((uint64_t)(n->opt.rx_slots + n->opt.tx_slots) * CAPOS_VIRTIO_NET_SLOT + 4095) / 4096;
}

static int bring_up(struct capos_virtio_net *n, uint32_t fn)
{
	uint64_t wanted = (1ull << CAPOS_VIRTIO_NET_F_MAC) | (1ull << CAPOS_VIRTIO_NET_F_STATUS) |
			  (1ull << CAPOS_VIRTIO_F_ANY_LAYOUT);
	int err;

	if ((err = capos_virtio_open(&n->v, fn, n->opt.transport)))
		return err;
	if (n->v.device_id != 0x1000 && n->v.device_id != 0x1041)
		return -CAPOS_ENOENT;         /* a virtio function, not a network one */
	/* before anything reads the legacy configuration: MSI-X moves it */
	if ((err = irq_setup(n, fn)))
		return err;
	if ((err = capos_virtio_negotiate(&n->v, wanted, 1ull << CAPOS_VIRTIO_NET_F_MAC)))
		return err;
	/* the header has num_buffers with VERSION_1 (5.1.6), not before without MRG_RXBUF */
	n->hdr_len = n->v.transport == CAPOS_VIRTIO_MODERN ? 12 : 10;
	capos_virtio_config_read(&n->v, CFG_MAC, n->mac, 6);
	n->link_up = 1;
	check_link(n);
	n->stats.link_changes = 0;
	/* legacy: a 32-bit page number of the ring, so below 2^44 */
	if ((err = capos_dma_open(fn, pool_pages(n), n->v.transport == CAPOS_VIRTIO_LEGACY ? 44 : 0, &n->dma)))
		return err;
	if ((err = queues(n)) || (err = region(n)))
		return err;
	if ((err = capos_pci_bus_master(fn, 1)))
		return err;
	refill_rx(n);
	capos_virtio_driver_ok(&n->v);
	kick(n, &n->rxq);
	for (uint32_t i = 0; i < n->nirq; i++)
		if ((err = capos_irq_waiter_start(&n->waiter[i], n->irq[i], on_irq, n)))
			return err;
	if (capos_virtio_status(&n->v) & (CAPOS_VIRTIO_S_NEEDS_RESET | CAPOS_VIRTIO_S_FAILED))
		return -CAPOS_EIO;
	return 0;
}

int capos_virtio_net_open(struct capos_virtio_net *n, uint32_t fn, const struct capos_virtio_net_options *opt)
{
	int err;

	memset(n, 0, sizeof(*n));
	if (opt)
		n->opt = *opt;
	if (!n->opt.rx_slots)
		n->opt.rx_slots = 64;
	if (!n->opt.tx_slots)
		n->opt.tx_slots = 64;
	if (n->opt.rx_slots > CAPOS_VIRTQ_MAX / 2 || n->opt.tx_slots > CAPOS_VIRTQ_MAX / 2 ||
	    n->opt.irq_mode > CAPOS_VIRTIO_NET_MSIX || n->opt.transport > CAPOS_VIRTIO_LEGACY)
		return -CAPOS_EINVAL;
	err = bring_up(n, fn);
	if (err)
		capos_virtio_net_close(n);
	return err;
}

void capos_virtio_net_close(struct capos_virtio_net *n)
{
	uint32_t fn = n->v.fn;

	/* the device first: after a reset it neither reads nor writes memory nor interrupts */
	capos_virtio_reset(&n->v);
	irq_release(n);
	if (fn)
		capos_pci_bus_master(fn, 0);
	if (n->dma.pool)
		capos_dma_close(&n->dma);
	capos_virtio_close(&n->v);
	n->v.fn = 0;                      /* a second close does nothing */
	n->dead = 1;
}

const char *capos_virtio_net_transport_name(const struct capos_virtio_net *n)
{
	return n->v.transport == CAPOS_VIRTIO_MODERN ? "modern" :
	       n->v.transport == CAPOS_VIRTIO_LEGACY ? "legacy" : "none";
}

const char *capos_virtio_net_irq_name(const struct capos_virtio_net *n)
{
	static const char *const names[] = { "auto", "polling", "INTx", "MSI-X" };

	return names[n->irq_mode & 3];
}
