/*
 * The virtio PCI transports (capos/virtio.h; docs/network.md, "The virtio
 * driver"): one set of operations — status, features, queues, doorbells,
 * ISR, device configuration, reset — over either register file.
 *
 * Modern (virtio 1.x, section 4.1): vendor capabilities (id 0x09) in the
 * function's list say which memory BAR holds, at what offset, the common
 * configuration, the notify area (a queue's doorbell at queue_notify_off
 * times notify_off_multiplier), the ISR byte and the device's own
 * configuration; each is checked to lie inside its BAR before use.
 * Legacy (0.9): BAR 0 is an I/O BAR of fixed registers; the device's
 * configuration follows them at 20, or at 24 while MSI-X is enabled in
 * the function, which is read from the MSI-X capability at each access
 * because the kernel turns it on when a vector is first handed out.
 *
 * Every wait on the device is bounded (a device that never finishes a
 * reset is reported, not waited for).
 */
#include <capos/error.h>
#include <capos/rt.h>
#include <capos/virtio.h>
#include <string.h>

/* modern common configuration (virtio 1.x 4.1.4.3) */
#define C_DFSELECT 0x00
#define C_DF 0x04
#define C_GFSELECT 0x08
#define C_GF 0x0c
#define C_MSIX 0x10
#define C_NUMQ 0x12
#define C_STATUS 0x14
#define C_GEN 0x15
#define C_QSELECT 0x16
#define C_QSIZE 0x18
#define C_QMSIX 0x1a
#define C_QENABLE 0x1c
#define C_QNOFF 0x1e
#define C_QDESC 0x20
#define C_QDRIVER 0x28
#define C_QDEVICE 0x30
#define C_LEN 0x38

/* legacy registers (0.9.5 2.3) */
#define L_HF 0
#define L_GF 4
#define L_QPFN 8
#define L_QSIZE 12
#define L_QSEL 14
#define L_QNOTIFY 16
#define L_STATUS 18
#define L_ISR 19
#define L_CFGVEC 20
#define L_QVEC 22
#define L_REGS 20

/* vendor capability types */
#define CAP_COMMON 1
#define CAP_NOTIFY 2
#define CAP_ISR 3
#define CAP_DEVICE 4

#define RESET_TRIES 100000


static inline uint8_t rd8(volatile uint8_t *b, uint32_t o) { return *(volatile uint8_t *)(b + o); }
static inline uint16_t rd16(volatile uint8_t *b, uint32_t o) { return *(volatile uint16_t *)(b + o); }
static inline uint32_t rd32(volatile uint8_t *b, uint32_t o) { return *(volatile uint32_t *)(b + o); }
static inline void wr8(volatile uint8_t *b, uint32_t o, uint8_t v) { *(volatile uint8_t *)(b + o) = v; }
static inline void wr16(volatile uint8_t *b, uint32_t o, uint16_t v) { *(volatile uint16_t *)(b + o) = v; }
static inline void wr32(volatile uint8_t *b, uint32_t o, uint32_t v) { *(volatile uint32_t *)(b + o) = v; }
static inline void wr64(volatile uint8_t *b, uint32_t o, uint64_t v)
{
	/* two halves, low first: the spec allows it and some devices want it */
	wr32(b, o, (uint32_t)v);
	wr32(b, o + 4, (uint32_t)(v >> 32));
}

static uint32_t cfg(struct capos_virtio *v, uint32_t off, uint32_t width)
{
	uint32_t val = 0;

	if (capos_pci_function_cfg_read(&v->fn, off, width, &val))
		return 0;
	return val;
}

/* ------------------------------------------------------------- modern */

struct vcap {
	uint8_t bar;
	uint32_t offset, length, mult;
	int found;
};

static void find_vendor_caps(struct capos_virtio *v, struct vcap caps[5])
{
	uint8_t off = 0;

	memset(caps, 0, 5 * sizeof(caps[0]));
	while (capos_pci_cap_find(capos_pci_function_cfg_read, &v->fn, CAPOS_PCI_CAP_VENDOR, off, &off) == 0) {
		uint32_t type = cfg(v, off + 3u, 1);

		/* the first of each type the driver understands wins (4.1.4) */
		if (type < CAP_COMMON || type > CAP_DEVICE || caps[type].found || cfg(v, off + 2u, 1) < 16)
			continue;
		caps[type] = (struct vcap){ .bar = (uint8_t)cfg(v, off + 4u, 1), .offset = cfg(v, off + 8u, 4),
					    .length = cfg(v, off + 12u, 4), .found = 1 };
		if (type == CAP_NOTIFY && cfg(v, off + 2u, 1) >= 20)
			caps[type].mult = cfg(v, off + 16u, 4);
	}
}

/* The structure a capability names, inside its BAR (mapped on first use), or NULL. */
static volatile uint8_t *cap_map(struct capos_virtio *v, const struct vcap *c, uint32_t min_len)
{
	struct capos_pci_bar *b;

	if (!c->found || c->bar > 5 || c->length < min_len)
		return NULL;
	b = &v->bar[c->bar];
	if (!b->base && capos_pci_bar_map(v->fn, c->bar, b))
		return NULL;
	if ((uint64_t)c->offset + c->length > b->size || (uint64_t)c->offset + c->length > b->pages * 4096)
		return NULL;
	return b->base + c->offset;
}

static int modern_open(struct capos_virtio *v)
{
	struct vcap caps[5];

	find_vendor_caps(v, caps);
	if (!caps[CAP_COMMON].found || !caps[CAP_NOTIFY].found || !caps[CAP_ISR].found)
		return -CAPOS_ENOENT;
	v->common = cap_map(v, &caps[CAP_COMMON], C_LEN);
	v->notify = cap_map(v, &caps[CAP_NOTIFY], 2);
	v->isr = cap_map(v, &caps[CAP_ISR], 1);
	v->devcfg = caps[CAP_DEVICE].found ? cap_map(v, &caps[CAP_DEVICE], 1) : NULL;
	if (!v->common || !v->notify || !v->isr)
		return -CAPOS_EFORMAT;
	v->notify_mult = caps[CAP_NOTIFY].mult;
	v->notify_len = caps[CAP_NOTIFY].length;
	v->devcfg_len = v->devcfg ? caps[CAP_DEVICE].length : 0;
	v->transport = CAPOS_VIRTIO_MODERN;
	return 0;
}

/* ------------------------------------------------------------- legacy */

static int legacy_open(struct capos_virtio *v)
{
	struct capos_pci_function_bar_in bin = { .index = 0 };
	struct capos_pci_function_bar_out bout = { 0 };
	struct capos_pci_function_ioports_in in = { .index = 0 };
	struct capos_pci_function_ioports_out out = { 0 };
	int err = capos_pci_function_bar(capos_ring(), v->fn, &bin, &bout);

	if (err)
		return err;
	if (bout.kind != CAPOS_BAR_IO || bout.size < L_REGS)
		return -CAPOS_ENOENT;
	err = capos_pci_function_ioports(capos_ring(), v->fn, &in, &out);
	if (err)
		return err;
	v->ports = out.range;
	if (out.count < L_REGS || out.base + out.count > 0x10000) {
		err = -CAPOS_EFORMAT;
	} else {
		err = capos_io_port_range_enable(capos_ring(), v->ports);
	}
	if (err) {
		capos_release(capos_ring(), v->ports);
		v->ports = 0;
		return err;
	}
	v->io = (uint16_t)out.base;
	v->devcfg_len = out.count - L_REGS;   /* at most; 4 fewer while MSI-X is on */
	v->transport = CAPOS_VIRTIO_LEGACY;
	return 0;
}

static uint32_t legacy_cfg_base(struct capos_virtio *v)
{
	if (v->msix_cap && (cfg(v, v->msix_cap + 2u, 2) & 0x8000u))
		return L_REGS + 4;
	return L_REGS;
}

/* -------------------------------------------------------- operations */

uint8_t capos_virtio_status(struct capos_virtio *v)
{
	return v->transport == CAPOS_VIRTIO_MODERN ? rd8(v->common, C_STATUS) : capos_inb(v->io + L_STATUS);
}

static void set_status(struct capos_virtio *v, uint8_t s)
{
	if (v->transport == CAPOS_VIRTIO_MODERN)
		wr8(v->common, C_STATUS, s);
	else
		capos_outb(v->io + L_STATUS, s);
}

void capos_virtio_reset(struct capos_virtio *v)
{
	if (!v->transport)
		return;
	set_status(v, 0);
	/* modern: reset is done when status reads 0 again (4.1.4.3.2); legacy resets at once */
	for (int i = 0; i < RESET_TRIES && capos_virtio_status(v) != 0; i++)
		__asm__ volatile("pause");
}

static void release_all(struct capos_virtio *v)
{
	for (int i = 0; i < 6; i++)
		capos_pci_bar_unmap(&v->bar[i]);
	if (v->ports) {
		capos_io_port_range_disable(capos_ring(), v->ports);
		capos_release(capos_ring(), v->ports);
	}
	v->ports = 0;
	v->transport = 0;
	v->common = v->notify = v->isr = v->devcfg = NULL;
}

int capos_virtio_open(struct capos_virtio *v, uint32_t fn, uint32_t want)
{
	struct capos_pci_function_info_out out = { 0 };
	struct capos_pci_info info;
	uint8_t msix = 0;
	int err;

	*v = (struct capos_virtio){ .fn = fn };
	err = capos_pci_function_info(capos_ring(), fn, &out, NULL);
	if (err)
		return err;
	memcpy(&info, out.info, sizeof info);
	if (info.id.vendor != 0x1af4 || info.id.device < 0x1000 || info.id.device > 0x107f)
		return -CAPOS_ENOENT;
	v->device_id = info.id.device;
	if (capos_pci_cap_find(capos_pci_function_cfg_read, &fn, CAPOS_PCI_CAP_MSIX, 0, &msix) == 0)
		v->msix_cap = msix;
	err = -CAPOS_ENOENT;
	if (want != CAPOS_VIRTIO_LEGACY)
		err = modern_open(v);
	if (err && want != CAPOS_VIRTIO_MODERN) {
		release_all(v);
		v->msix_cap = msix;
		err = legacy_open(v);
	}
	if (err) {
		release_all(v);
		return err;
	}
	capos_virtio_reset(v);
	if (capos_virtio_status(v) != 0) {
		release_all(v);
		return -CAPOS_EIO;
	}
	set_status(v, CAPOS_VIRTIO_S_ACKNOWLEDGE);
	set_status(v, CAPOS_VIRTIO_S_ACKNOWLEDGE | CAPOS_VIRTIO_S_DRIVER);
	return 0;
}

static uint64_t device_features(struct capos_virtio *v)
{
	if (v->transport == CAPOS_VIRTIO_LEGACY)
		return capos_inl(v->io + L_HF);
	wr32(v->common, C_DFSELECT, 0);
	uint64_t lo = rd32(v->common, C_DF);
	wr32(v->common, C_DFSELECT, 1);
	return lo | (uint64_t)rd32(v->common, C_DF) << 32;
}

int capos_virtio_negotiate(struct capos_virtio *v, uint64_t wanted, uint64_t required)
{
	uint64_t offered = device_features(v);
	uint64_t take;

	if (v->transport == CAPOS_VIRTIO_MODERN)
		required |= 1ull << CAPOS_VIRTIO_F_VERSION_1;
	else
		wanted &= 0xffffffffull;      /* legacy has 32 feature bits */
	take = (wanted | required) & offered;
	if ((take & required) != required) {
		set_status(v, CAPOS_VIRTIO_S_FAILED);
		return -CAPOS_ENOTSUP;
	}
	if (v->transport == CAPOS_VIRTIO_LEGACY) {
		capos_outl(v->io + L_GF, (uint32_t)take);
	} else {
		wr32(v->common, C_GFSELECT, 0);
		wr32(v->common, C_GF, (uint32_t)take);
		wr32(v->common, C_GFSELECT, 1);
		wr32(v->common, C_GF, (uint32_t)(take >> 32));
		set_status(v, capos_virtio_status(v) | CAPOS_VIRTIO_S_FEATURES_OK);
		if (!(capos_virtio_status(v) & CAPOS_VIRTIO_S_FEATURES_OK)) {
			set_status(v, CAPOS_VIRTIO_S_FAILED);
			return -CAPOS_ENOTSUP;
		}
	}
	v->features = take;
	return 0;
}

uint32_t capos_virtio_queue_max(struct capos_virtio *v, uint16_t index)
{
	if (v->transport == CAPOS_VIRTIO_LEGACY) {
		capos_outw(v->io + L_QSEL, index);
		return capos_inw(v->io + L_QSIZE);
	}
	if (index >= rd16(v->common, C_NUMQ))
		return 0;
	wr16(v->common, C_QSELECT, index);
	return rd16(v->common, C_QSIZE);
}

static int modern_queue(struct capos_virtio *v, struct capos_virtq *q, uint16_t vector)
{
	uint32_t noff;

	wr16(v->common, C_QSIZE, q->size);
	wr16(v->common, C_QMSIX, vector);
	if (vector != CAPOS_VIRTIO_NO_VECTOR && rd16(v->common, C_QMSIX) != vector)
		return -CAPOS_EIO;
	noff = (uint32_t)rd16(v->common, C_QNOFF) * v->notify_mult;
	if ((uint64_t)noff + 2 > v->notify_len)
		return -CAPOS_EIO;
	q->notify_off = noff;
	wr64(v->common, C_QDESC, q->desc_addr);
	wr64(v->common, C_QDRIVER, q->avail_addr);
	wr64(v->common, C_QDEVICE, q->used_addr);
	wr16(v->common, C_QENABLE, 1);
	return 0;
}

static int legacy_queue(struct capos_virtio *v, struct capos_virtq *q, uint16_t vector)
{
	if (q->desc_addr >> 44)
		return -CAPOS_EINVAL;        /* the page number register has 32 bits */
	if (legacy_cfg_base(v) != L_REGS) {
		capos_outw(v->io + L_QVEC, vector);
		if (vector != CAPOS_VIRTIO_NO_VECTOR && capos_inw(v->io + L_QVEC) != vector)
			return -CAPOS_EIO;
	}
	capos_outl(v->io + L_QPFN, (uint32_t)(q->desc_addr >> 12));
	return 0;
}

int capos_virtio_queue_setup(struct capos_virtio *v, struct capos_virtq *q, uint16_t vector)
{
	uint32_t max = capos_virtio_queue_max(v, q->index);   /* also selects the queue */

	if (max == 0)
		return -CAPOS_ENOENT;
	/* legacy rings have the device's size; modern ones any power of two up to it */
	if (q->size > max || (v->transport == CAPOS_VIRTIO_LEGACY && q->size != max))
		return -CAPOS_EINVAL;
	return v->transport == CAPOS_VIRTIO_MODERN ? modern_queue(v, q, vector) : legacy_queue(v, q, vector);
}

int capos_virtio_config_vector(struct capos_virtio *v, uint16_t vector)
{
	if (v->transport == CAPOS_VIRTIO_MODERN) {
		wr16(v->common, C_MSIX, vector);
		return rd16(v->common, C_MSIX) == vector ? 0 : -CAPOS_EIO;
	}
	if (legacy_cfg_base(v) == L_REGS)
		return -CAPOS_EIO;            /* no MSI-X on: no vector registers */
	capos_outw(v->io + L_CFGVEC, vector);
	return capos_inw(v->io + L_CFGVEC) == vector ? 0 : -CAPOS_EIO;
}

void capos_virtio_driver_ok(struct capos_virtio *v)
{
	set_status(v, capos_virtio_status(v) | CAPOS_VIRTIO_S_DRIVER_OK);
}

void capos_virtio_notify(struct capos_virtio *v, const struct capos_virtq *q)
{
	if (v->transport == CAPOS_VIRTIO_MODERN)
		wr16(v->notify, q->notify_off, q->index);
	else
		capos_outw(v->io + L_QNOTIFY, q->index);
}

uint8_t capos_virtio_isr(struct capos_virtio *v)
{
	return v->transport == CAPOS_VIRTIO_MODERN ? rd8(v->isr, 0) : capos_inb(v->io + L_ISR);
}

void capos_virtio_config_read(struct capos_virtio *v, uint32_t off, void *buf, uint32_t n)
{
	uint8_t *out = buf;

	memset(buf, 0, n);
	if (v->transport == CAPOS_VIRTIO_LEGACY) {
		uint32_t base = legacy_cfg_base(v);

		if (off + n + base > L_REGS + v->devcfg_len)
			return;
		for (uint32_t i = 0; i < n; i++)
			out[i] = capos_inb((uint16_t)(v->io + base + off + i));
		return;
	}
	if (!v->devcfg || (uint64_t)off + n > v->devcfg_len)
		return;
	/* a multi-byte field is only consistent between two equal generations (4.1.4.3.1) */
	for (int tries = 0; tries < 16; tries++) {
		uint8_t gen = rd8(v->common, C_GEN);

		for (uint32_t i = 0; i < n; i++)
			out[i] = rd8(v->devcfg, off + i);
		if (rd8(v->common, C_GEN) == gen)
			return;
	}
}

void capos_virtio_close(struct capos_virtio *v)
{
	capos_virtio_reset(v);
	release_all(v);
}
