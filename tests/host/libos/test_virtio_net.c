/*
 * Host tests of the virtio-net driver's data path (libos/dev/virtio_net.c)
 * over a fake transport, a fake DmaPool (device addresses are the host's
 * pointers) and a fake device that reads and writes the real rings:
 * open hands out every slot; frames go both ways without a copy; a hostile
 * stack's descriptors (outside the region, off a slot, too long, empty)
 * are refused and counted; a hostile device's used entries (a length
 * past the buffer, a header-only frame, an id never posted, an index
 * jump) and DEVICE_NEEDS_RESET are counted, and the last two reset the
 * device and end the driver's work; a link change reaches the owner; close
 * resets the device and stops its DMA; the function is found by grant or
 * claimed.
 */
#include <stdlib.h>
#include <string.h>
#include "check.h"
#include <capos/error.h>
#include <capos/virtio_net.h>

/* ------------------------------------------------------- the fakes */

static struct {
	uint8_t status, isr, cfg[8];
	uint64_t offered;
	uint32_t transport;
	int resets, notifies, closes, bus_master, dma_open;
} dev;

int capos_virtio_open(struct capos_virtio *v, uint32_t fn, uint32_t want)
{
	(void)want;
	*v = (struct capos_virtio){ .fn = fn, .transport = dev.transport, .device_id = 0x1041 };
	dev.status = CAPOS_VIRTIO_S_ACKNOWLEDGE | CAPOS_VIRTIO_S_DRIVER;
	return 0;
}

int capos_virtio_negotiate(struct capos_virtio *v, uint64_t wanted, uint64_t required)
{
	if (v->transport == CAPOS_VIRTIO_MODERN)
		required |= 1ull << CAPOS_VIRTIO_F_VERSION_1;
	v->features = (wanted | required) & dev.offered;
	return (v->features & required) == required ? 0 : -CAPOS_ENOTSUP;
}

uint32_t capos_virtio_queue_max(struct capos_virtio *v, uint16_t index)
{
	(void)v;
	return index < 2 ? 256 : 0;
}

int capos_virtio_queue_setup(struct capos_virtio *v, struct capos_virtq *q, uint16_t vector)
{
	(void)v, (void)q, (void)vector;
	return 0;
}

int capos_virtio_config_vector(struct capos_virtio *v, uint16_t vector)
{
	(void)v, (void)vector;
	return 0;
}

void capos_virtio_driver_ok(struct capos_virtio *v) { (void)v; dev.status |= CAPOS_VIRTIO_S_DRIVER_OK; }
uint8_t capos_virtio_status(struct capos_virtio *v) { (void)v; return dev.status; }
void capos_virtio_notify(struct capos_virtio *v, const struct capos_virtq *q) { (void)v, (void)q; dev.notifies++; }
void capos_virtio_reset(struct capos_virtio *v) { (void)v; dev.status = 0; dev.resets++; }
void capos_virtio_close(struct capos_virtio *v) { capos_virtio_reset(v); dev.closes++; v->transport = 0; }

uint8_t capos_virtio_isr(struct capos_virtio *v)
{
	uint8_t isr = dev.isr;

	(void)v;
	dev.isr = 0;
	return isr;
}

void capos_virtio_config_read(struct capos_virtio *v, uint32_t off, void *buf, uint32_t n)
{
	(void)v;
	memcpy(buf, dev.cfg + off, n);
}

int capos_dma_open(uint32_t fn, uint64_t pages, uint32_t addr_bits, struct capos_dma *d)
{
	(void)fn, (void)addr_bits;
	memset(d, 0, sizeof(*d));
	d->vaddr = aligned_alloc(4096, pages * 4096);
	d->device_addr = (uint64_t)(uintptr_t)d->vaddr;
	d->pages = pages;
	d->pool = 1;
	dev.dma_open = 1;
	return capos_dma_chunks_init(&d->chunks, pages * 4096);
}

int capos_dma_alloc(struct capos_dma *d, uint64_t size, uint64_t align, struct capos_dma_chunk *c)
{
	uint64_t off;
	int err = capos_dma_chunks_alloc(&d->chunks, size, align, &off);

	if (!err)
		*c = (struct capos_dma_chunk){ .vaddr = d->vaddr + off, .device_addr = d->device_addr + off, .size = size };
	return err;
}

uint64_t capos_dma_device_addr(const struct capos_dma *d, const void *p)
{
	return d->device_addr + (uint64_t)((const uint8_t *)p - d->vaddr);
}

void capos_dma_close(struct capos_dma *d)
{
	free(d->vaddr);
	d->vaddr = NULL;
	d->pool = 0;
	dev.dma_open = 0;
}

int capos_pci_irq_setup(uint32_t fn, uint32_t kind, uint32_t index, uint32_t *irq, uint32_t *kind_out)
{
	(void)fn, (void)kind, (void)index, (void)irq, (void)kind_out;
	return -CAPOS_ENOENT;
}

int capos_pci_bus_master(uint32_t fn, int enable) { (void)fn; dev.bus_master = enable; return 0; }
int capos_irq_waiter_start(struct capos_irq_waiter *w, uint32_t irq, capos_irq_fn fn, void *ctx)
{
	(void)w, (void)irq, (void)fn, (void)ctx;
	return 0;
}
int capos_irq_waiter_stop(struct capos_irq_waiter *w) { (void)w; return 0; }
struct capos_ring_client *capos_ring(void) { return NULL; }

static const char *granted;       /* the one capability name the fake process holds */

uint32_t capos_cap_find(const char *name, uint32_t *iface)
{
	(void)iface;
	return granted && strcmp(name, granted) == 0 ? 0x42 : 0;
}

int capos_device_root_claim(struct capos_ring_client *rc, uint32_t cap, const struct capos_device_root_claim_in *in,
			    struct capos_device_root_claim_out *out)
{
	(void)rc, (void)cap;
	if (in->vendor != 0x1af4 || in->class_code != 0x020000 || in->instance != 0)
		return -CAPOS_ENOENT;
	out->function = 0x77;
	return 0;
}
int capos_release(struct capos_ring_client *rc, uint32_t cap) { (void)rc, (void)cap; return 0; }

/* ------------------------------------------- the device's side of the rings */

static struct capos_virtio_net n;
static uint16_t seen[2];

static struct capos_virtq *vq(int which) { return which ? &n.txq : &n.rxq; }

static int dev_take(int which, uint16_t *head)
{
	struct capos_virtq *q = vq(which);

	if (seen[which] == q->avail[1])
		return 0;
	*head = q->avail[2 + (seen[which]++ & (q->size - 1))];
	return 1;
}

static void dev_give(int which, uint32_t id, uint32_t len)
{
	struct capos_virtq *q = vq(which);
	volatile struct capos_vring_used_elem *ring = (volatile void *)(q->used + 2);
	uint16_t idx = q->used[1];

	ring[idx & (q->size - 1)].id = id;
	ring[idx & (q->size - 1)].len = len;
	q->used[1] = (uint16_t)(idx + 1);
}

/* Receive a frame of len bytes filled with `fill` into the next posted buffer: the chain head. */
static uint16_t dev_receive(uint32_t len, uint8_t fill, uint32_t used_len)
{
	uint16_t head = 0xffff;

	if (dev_take(0, &head)) {
		volatile struct capos_vring_desc *h = &n.rxq.desc[head], *f = &n.rxq.desc[h->next];

		memset((void *)(uintptr_t)h->addr, 0, h->len);
		memset((void *)(uintptr_t)f->addr, fill, len);
		dev_give(0, head, used_len ? used_len : n.hdr_len + len);
	}
	return head;
}

static void open_net(uint32_t irq_mode, void (*event)(struct capos_virtio_net *, void *), void *ctx)
{
	struct capos_virtio_net_options opt = { .irq_mode = irq_mode, .event = event, .ctx = ctx };

	memset(&dev, 0, sizeof dev);
	dev.transport = CAPOS_VIRTIO_MODERN;
	dev.offered = (1ull << CAPOS_VIRTIO_F_VERSION_1) | (1ull << CAPOS_VIRTIO_NET_F_MAC) |
		      (1ull << CAPOS_VIRTIO_NET_F_STATUS);
	memcpy(dev.cfg, "\x52\x54\x00\x12\x34\x56\x01\x00", 8);
	seen[0] = seen[1] = 0;
	CHECK_EQ(capos_virtio_net_open(&n, 7, &opt), 0);
}

/* ----------------------------------------------------------------- tests */

static void test_open(void)
{
	struct capos_virtio_net_options bad = { .rx_slots = 200 };

	open_net(CAPOS_VIRTIO_NET_POLL, NULL, NULL);
	CHECK_EQ(memcmp(n.mac, "\x52\x54\x00\x12\x34\x56", 6), 0);
	CHECK_EQ(n.link_up, 1);
	CHECK_EQ(n.hdr_len, 12);
	CHECK_EQ(n.irq_mode, CAPOS_VIRTIO_NET_POLL);
	CHECK(dev.status & CAPOS_VIRTIO_S_DRIVER_OK);
	CHECK_EQ(dev.bus_master, 1);
	CHECK_EQ(capos_virtq_outstanding(&n.rxq), 64);     /* every receive slot with the device */
	CHECK_EQ(capos_netq_count(&n.q.tx_free), 64);      /* every transmit slot with the stack */
	CHECK(capos_netq_empty(&n.q.rx_free));
	CHECK_EQ(n.q.slot_size, CAPOS_VIRTIO_NET_SLOT);
	CHECK_EQ(n.rxq.avail[0], CAPOS_VRING_AVAIL_F_NO_INTERRUPT);   /* polling: no interrupts wanted */
	capos_virtio_net_close(&n);
	CHECK_EQ(capos_virtio_net_open(&n, 7, &bad), -CAPOS_EINVAL);
	/* a device without MAC is refused, and left reset */
	memset(&dev, 0, sizeof dev);
	dev.transport = CAPOS_VIRTIO_MODERN;
	dev.offered = 1ull << CAPOS_VIRTIO_F_VERSION_1;
	CHECK_EQ(capos_virtio_net_open(&n, 7, NULL), -CAPOS_ENOTSUP);
	CHECK_EQ(dev.status, 0);
	CHECK_EQ(dev.dma_open, 0);
}

static void test_receive_zero_copy(void)
{
	struct capos_netq_desc d;
	uint32_t got = 0, bad = 0;

	open_net(CAPOS_VIRTIO_NET_POLL, NULL, NULL);
	for (uint8_t i = 1; i <= 3; i++)
		dev_receive(60 * i, i, 0);
	CHECK_EQ(capos_virtio_net_poll(&n), 3);
	while (capos_netq_pop(&n.q.rx_active, &d) == 0) {
		got++;
		bad += d.len != 60 * got || n.q.region[d.offset] != got || n.q.region[d.offset + d.len - 1] != got;
		capos_netq_push(&n.q.rx_free, (struct capos_netq_desc){ d.offset, 0 });
	}
	CHECK_EQ(got, 3);
	CHECK_EQ(bad, 0);
	CHECK_EQ(n.stats.rx_frames, 3);
	CHECK_EQ(n.stats.rx_bytes, 360);
	capos_virtio_net_poll(&n);
	CHECK_EQ(capos_virtq_outstanding(&n.rxq), 64);     /* the slots went back to the device */
	capos_virtio_net_close(&n);
}

static void test_transmit(void)
{
	struct capos_netq_desc d;
	uint16_t head;

	open_net(CAPOS_VIRTIO_NET_POLL, NULL, NULL);
	CHECK_EQ(capos_netq_pop(&n.q.tx_free, &d), 0);
	memset(n.q.region + d.offset, 0xab, 60);
	d.len = 60;
	capos_netq_push(&n.q.tx_active, d);
	capos_virtio_net_kick(&n);
	CHECK(dev_take(1, &head));
	CHECK_EQ(n.txq.desc[head].len, 12);
	CHECK_EQ(((uint8_t *)(uintptr_t)n.txq.desc[head].addr)[0], 0);   /* an all-zero header */
	CHECK_EQ(n.txq.desc[n.txq.desc[head].next].addr, (uint64_t)(uintptr_t)(n.q.region + d.offset));
	CHECK_EQ(n.txq.desc[n.txq.desc[head].next].len, 60);
	CHECK_EQ(n.txq.desc[head].flags & CAPOS_VRING_DESC_F_WRITE, 0);
	dev_give(1, head, 0);
	CHECK_EQ(capos_virtio_net_poll(&n), 1);
	CHECK_EQ(capos_netq_count(&n.q.tx_free), 64);
	CHECK_EQ(n.stats.tx_frames, 1);
	CHECK_EQ(n.stats.tx_bytes, 60);
	capos_virtio_net_close(&n);
}

static void test_hostile_stack(void)
{
	struct capos_netq_desc d;
	uint16_t head;

	open_net(CAPOS_VIRTIO_NET_POLL, NULL, NULL);
	/* receive: a slot returned that is outside the region or off a slot */
	dev_receive(60, 1, 0);
	capos_virtio_net_poll(&n);
	capos_netq_pop(&n.q.rx_active, &d);
	capos_netq_push(&n.q.rx_free, (struct capos_netq_desc){ n.q.region_size, 0 });
	capos_netq_push(&n.q.rx_free, (struct capos_netq_desc){ d.offset + 1, 0 });
	capos_virtio_net_poll(&n);
	CHECK_EQ(n.stats.rx_bad_desc, 2);
	CHECK_EQ(capos_virtq_outstanding(&n.rxq), 63);
	/* transmit: too long, empty, outside */
	capos_netq_pop(&n.q.tx_free, &d);
	capos_netq_push(&n.q.tx_active, (struct capos_netq_desc){ d.offset, n.q.slot_size + 1 });
	capos_netq_push(&n.q.tx_active, (struct capos_netq_desc){ d.offset, 0 });
	capos_netq_push(&n.q.tx_active, (struct capos_netq_desc){ 0x7fffffff, 60 });
	capos_virtio_net_poll(&n);
	CHECK_EQ(n.stats.tx_bad_desc, 3);
	CHECK(!dev_take(1, &head));                        /* nothing reached the device */
	CHECK_EQ(capos_netq_count(&n.q.tx_free), 63 + 2);  /* a real slot comes back, each time it was named */
	CHECK_EQ(n.stats.device_errors, 0);
	capos_virtio_net_close(&n);
}

static void test_hostile_device(void)
{
	struct capos_netq_desc d;
	uint16_t head;

	open_net(CAPOS_VIRTIO_NET_POLL, NULL, NULL);
	dev_receive(60, 1, n.hdr_len + CAPOS_VIRTIO_NET_SLOT + 1);   /* past the buffer */
	dev_receive(0, 1, n.hdr_len);                                /* a header, no frame */
	CHECK_EQ(capos_virtio_net_poll(&n), 0);
	CHECK(capos_netq_empty(&n.q.rx_active));
	CHECK_EQ(n.stats.rx_dropped, 2);
	CHECK_EQ(n.stats.device_errors, 1);                          /* the length; a short frame is not the device's fault */
	CHECK_EQ(capos_virtq_outstanding(&n.rxq), 64);               /* both re-posted */
	dev_give(0, 300, 10);                                        /* an id out of range */
	dev_take(0, &head);
	dev_give(0, (head + 1) & 255, 10);                           /* not a chain head */
	capos_virtio_net_poll(&n);
	CHECK_EQ(n.stats.device_errors, 3);
	CHECK(!n.dead);
	/* an index jump ends it: the device is reset and stays so */
	n.rxq.used[1] = (uint16_t)(n.rxq.used[1] + 300);
	dev.resets = 0;
	CHECK_EQ(capos_virtio_net_poll(&n), -CAPOS_EIO);
	CHECK(n.dead);
	CHECK_EQ(dev.resets, 1);
	CHECK_EQ(dev.status, 0);
	CHECK_EQ(n.stats.device_errors, 4);
	CHECK_EQ(capos_virtio_net_poll(&n), -CAPOS_EIO);
	CHECK_EQ(dev.resets, 1);
	CHECK(capos_netq_pop(&n.q.rx_active, &d) != 0);
	capos_virtio_net_close(&n);
	CHECK_EQ(dev.bus_master, 0);
}

static void test_needs_reset(void)
{
	open_net(CAPOS_VIRTIO_NET_POLL, NULL, NULL);
	dev.status |= CAPOS_VIRTIO_S_NEEDS_RESET;
	CHECK_EQ(capos_virtio_net_poll(&n), 0);            /* not announced yet */
	dev.isr = 2;                                       /* the configuration change that announces it */
	CHECK_EQ(capos_virtio_net_poll(&n), -CAPOS_EIO);
	CHECK_EQ(n.stats.needs_reset, 1);
	CHECK_EQ(n.stats.device_errors, 1);
	CHECK_EQ(dev.status, 0);
	capos_virtio_net_close(&n);
}

static void on_event(struct capos_virtio_net *net, void *ctx)
{
	(void)net;
	(*(int *)ctx)++;
}

static void test_link_change(void)
{
	int events = 0;

	open_net(CAPOS_VIRTIO_NET_POLL, on_event, &events);
	dev.cfg[6] = 0;                                    /* link down */
	capos_virtio_net_poll(&n);
	CHECK_EQ(n.link_up, 1);                            /* no configuration interrupt yet */
	dev.isr = 2;
	capos_virtio_net_poll(&n);
	CHECK_EQ(n.link_up, 0);
	CHECK_EQ(n.stats.link_changes, 1);
	CHECK_EQ(events, 1);
	capos_virtio_net_close(&n);
}

/* A stack that hands every received slot back from inside the event, and kicks. */
static void give_back(struct capos_virtio_net *net, void *ctx)
{
	struct capos_netq_desc d;

	while (capos_netq_pop(&net->q.rx_active, &d) == 0) {
		capos_netq_push(&net->q.rx_free, (struct capos_netq_desc){ d.offset, 0 });
		(*(int *)ctx)++;
	}
	capos_virtio_net_kick(net);
}

static void test_kick_from_event(void)
{
	int frames = 0;

	open_net(CAPOS_VIRTIO_NET_POLL, give_back, &frames);
	for (int i = 0; i < 10; i++)
		dev_receive(60, 1, 0);
	CHECK_EQ(capos_virtio_net_poll(&n), 10);
	CHECK_EQ(frames, 10);
	CHECK_EQ(n.in_poll, 0);
	CHECK_EQ(capos_virtq_outstanding(&n.rxq), 64);     /* re-posted by the extra pass */
	capos_virtio_net_close(&n);
}

static void test_find(void)
{
	uint32_t fn = 0;
	int claimed = -1;

	granted = "nic";
	CHECK_EQ(capos_virtio_net_find("nic", 0, &fn, &claimed), 0);
	CHECK_EQ(fn, 0x42);
	CHECK_EQ(claimed, 0);
	granted = "devices";
	CHECK_EQ(capos_virtio_net_find("nic", 0, &fn, &claimed), 0);
	CHECK_EQ(fn, 0x77);
	CHECK_EQ(claimed, 1);
	CHECK_EQ(capos_virtio_net_find(NULL, 1, &fn, &claimed), -CAPOS_ENOENT);   /* no second NIC */
	granted = NULL;
	CHECK_EQ(capos_virtio_net_find("nic", 0, &fn, &claimed), -CAPOS_ENOENT);
}

static void test_close(void)
{
	open_net(CAPOS_VIRTIO_NET_POLL, NULL, NULL);
	dev.resets = 0;
	capos_virtio_net_close(&n);
	CHECK(dev.resets >= 1);
	CHECK_EQ(dev.status, 0);
	CHECK_EQ(dev.bus_master, 0);
	CHECK_EQ(dev.dma_open, 0);
	CHECK_EQ(dev.closes, 1);
	CHECK_EQ(capos_virtio_net_poll(&n), -CAPOS_EIO);
	dev.bus_master = 1;
	capos_virtio_net_close(&n);                        /* again: nothing touched */
	CHECK_EQ(dev.bus_master, 1);
	CHECK_EQ(dev.closes, 2);
}

int main(void)
{
	RUN(test_open);
	RUN(test_receive_zero_copy);
	RUN(test_transmit);
	RUN(test_hostile_stack);
	RUN(test_hostile_device);
	RUN(test_needs_reset);
	RUN(test_link_change);
	RUN(test_kick_from_event);
	RUN(test_find);
	RUN(test_close);
	return check_done();
}
