/*
 * The virtio core of the libOS (docs/network.md, "The virtio driver"): a
 * virtio PCI device driven from user space over either transport, and
 * split virtqueues in DmaPool memory.  Device drivers (virtio-net:
 * capos/virtio_net.h) sit on top and never see which transport it is.
 *
 *   transports   modern (virtio 1.x): the vendor capabilities name where
 *                in which memory BAR the common, notify, ISR and device
 *                configuration structures live; legacy (0.9): one I/O BAR
 *                of fixed registers, run with in/out after
 *                IoPortRange.enable.  A transitional device offers both;
 *                CAPOS_VIRTIO_AUTO takes modern when it is there.
 *   virtqueues   one contiguous DmaPool chunk in the legacy layout (used
 *                ring on a 4096 boundary), which modern devices are given
 *                as three addresses.  The ring logic is pure (no
 *                capability; virtqueue.c, host-tested with hostile used
 *                entries): the driver keeps its own copy of every chain it
 *                posted and believes nothing the device writes except
 *                after checking it against that copy.
 *
 * Errors are negative CAPOS_E* codes; structs are the caller's.
 */
#ifndef CAPOS_VIRTIO_H
#define CAPOS_VIRTIO_H

#include <stdint.h>
#include <capos/dev.h>

/* --------------------------------------------------------- split rings */

#define CAPOS_VIRTQ_MAX 256u          /* queue sizes above this are refused */
#define CAPOS_VIRTQ_MAX_SEGS 4u       /* descriptors per chain */

#define CAPOS_VRING_DESC_F_NEXT 1u
#define CAPOS_VRING_DESC_F_WRITE 2u
#define CAPOS_VRING_AVAIL_F_NO_INTERRUPT 1u
#define CAPOS_VRING_USED_F_NO_NOTIFY 1u

struct capos_vring_desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags;
	uint16_t next;
};

struct capos_vring_used_elem {
	uint32_t id;
	uint32_t len;
};

/* Where the three parts of a ring of `size` entries lie in its chunk (legacy layout). */
struct capos_virtq_layout {
	uint32_t avail_off;           /* after the descriptor table */
	uint32_t used_off;            /* 4096-aligned */
	uint32_t bytes;               /* the whole chunk */
};

/* One buffer of a chain: device address, length, and who writes it. */
struct capos_virtq_seg {
	uint64_t addr;
	uint32_t len;
	int device_writes;            /* 1: the device fills it (receive) */
};

/* What the device gave back, checked. */
struct capos_virtq_done {
	uint32_t cookie;              /* the caller's, from capos_virtq_add */
	uint32_t len;                 /* bytes the device wrote (checked against the chain) */
	int err;                      /* 0, or -CAPOS_ERANGE: len past the writable bytes (len is then 0) */
};

/* Device errors the ring caught; none was acted on. */
struct capos_virtq_errors {
	uint64_t bad_index;           /* used index moved more than the ring size: the queue is dead */
	uint64_t bad_id;              /* used id out of range or not a posted chain: skipped */
	uint64_t bad_len;             /* used len past the chain's writable bytes: buffer reclaimed, data dropped */
};

struct capos_virtq {
	uint16_t size;                /* a power of two, <= CAPOS_VIRTQ_MAX */
	uint16_t index;               /* the device's queue number */
	volatile struct capos_vring_desc *desc;
	volatile uint16_t *avail;     /* flags, idx, ring[size], used_event */
	volatile uint16_t *used;      /* flags, idx, then used_elem[size] from used + 2 */
	uint64_t desc_addr, avail_addr, used_addr;    /* the device's view */
	uint32_t notify_off;          /* modern: its doorbell's offset in the notify structure */
	uint16_t avail_idx;           /* ours: entries added */
	uint16_t published;           /* ours: avail_idx as last given to the device */
	uint16_t last_used;           /* ours: used entries consumed */
	uint16_t free_head, num_free; /* private free list of descriptors */
	uint16_t chains;              /* posted, not yet given back */
	int dead;                     /* 1 after a bad used index: nothing more is read */
	struct capos_virtq_errors errors;
	/* private, per descriptor: the free-list link, and per chain head what was posted */
	uint16_t next_free[CAPOS_VIRTQ_MAX];
	uint16_t chain_next[CAPOS_VIRTQ_MAX];
	uint8_t chain_len[CAPOS_VIRTQ_MAX];
	uint8_t posted[CAPOS_VIRTQ_MAX];
	uint32_t writable[CAPOS_VIRTQ_MAX];
	uint32_t cookie[CAPOS_VIRTQ_MAX];
};

/* The layout of a ring of `size` entries: 0, or -CAPOS_EINVAL (size 0, not a power of two, too big). */
int capos_virtq_layout(uint32_t size, struct capos_virtq_layout *l);

/*
 * A ring over a zeroed chunk of capos_virtq_layout's bytes at mem (CPU)
 * and dev_addr (device; 4096-aligned): 0 or -CAPOS_EINVAL.
 */
int capos_virtq_init(struct capos_virtq *q, uint16_t index, uint32_t size, void *mem, uint64_t dev_addr);

/*
 * Post a chain of n segments (device-readable ones first) with the
 * caller's cookie, not yet visible to the device: 0, -CAPOS_EAGAIN when
 * too few descriptors are free, -CAPOS_EINVAL for a bad chain, -CAPOS_EIO
 * on a dead ring.
 */
int capos_virtq_add(struct capos_virtq *q, const struct capos_virtq_seg *segs, uint32_t n, uint32_t cookie);

/* Make the posted chains visible; 1 when the device wants a notification, else 0. */
int capos_virtq_publish(struct capos_virtq *q);

/*
 * Take the next used chain: 1 with *done (its descriptors freed), 0 when
 * there is none, -CAPOS_EIO when the used index is impossible (the ring is
 * dead from then on; the device needs a reset).  Entries with a bad id are
 * counted and skipped.
 */
int capos_virtq_get(struct capos_virtq *q, struct capos_virtq_done *done);

/* Interrupts for this ring on (0) or off (1: polling); a hint to the device. */
void capos_virtq_suppress(struct capos_virtq *q, int off);

/* Chains posted and not yet given back. */
uint32_t capos_virtq_outstanding(const struct capos_virtq *q);

/* ------------------------------------------------------------ devices */

/* Which transport to use */
#define CAPOS_VIRTIO_AUTO   0u        /* modern when offered, else legacy */
#define CAPOS_VIRTIO_MODERN 1u
#define CAPOS_VIRTIO_LEGACY 2u

/* Device status bits */
#define CAPOS_VIRTIO_S_ACKNOWLEDGE 1u
#define CAPOS_VIRTIO_S_DRIVER 2u
#define CAPOS_VIRTIO_S_DRIVER_OK 4u
#define CAPOS_VIRTIO_S_FEATURES_OK 8u
#define CAPOS_VIRTIO_S_NEEDS_RESET 64u
#define CAPOS_VIRTIO_S_FAILED 128u

/* Transport-level feature bits */
#define CAPOS_VIRTIO_F_ANY_LAYOUT 27
#define CAPOS_VIRTIO_F_VERSION_1 32

#define CAPOS_VIRTIO_NO_VECTOR 0xffffu

struct capos_virtio {
	uint32_t fn;                  /* the PciFunction (not owned) */
	uint32_t transport;           /* CAPOS_VIRTIO_MODERN or _LEGACY */
	uint16_t device_id;           /* PCI device id */
	uint64_t features;            /* negotiated */
	/* modern */
	struct capos_pci_bar bar[6];
	volatile uint8_t *common, *notify, *isr, *devcfg;
	uint32_t notify_mult, notify_len, devcfg_len;
	/* legacy */
	uint32_t ports;               /* the IoPortRange */
	uint16_t io;                  /* its base port */
	uint8_t msix_cap;             /* the MSI-X capability, 0 without (legacy config moves with its enable bit) */
};

/*
 * Find the transport (`want`: CAPOS_VIRTIO_*) of virtio PciFunction fn,
 * map it, reset the device and acknowledge it: 0, -CAPOS_ENOENT when the
 * function offers no such transport, or the kernel's refusal.
 */
int capos_virtio_open(struct capos_virtio *v, uint32_t fn, uint32_t want);

/*
 * Offer `wanted` & the device's features (VERSION_1 added on modern, as
 * it must be) and set FEATURES_OK: 0 with v->features, or -CAPOS_ENOTSUP
 * when the device refuses the set or a `required` bit is missing.
 */
int capos_virtio_negotiate(struct capos_virtio *v, uint64_t wanted, uint64_t required);

/*
 * Give the device ring q (its index, size and addresses; legacy: the size
 * must be the device's own) with an MSI-X vector or CAPOS_VIRTIO_NO_VECTOR:
 * 0, -CAPOS_ENOENT for a queue the device lacks, -CAPOS_EINVAL for a size
 * it cannot take, -CAPOS_EIO when it refused the vector.
 */
int capos_virtio_queue_setup(struct capos_virtio *v, struct capos_virtq *q, uint16_t vector);

/* The size the device offers for queue `index` (0: no such queue). */
uint32_t capos_virtio_queue_max(struct capos_virtio *v, uint16_t index);

/* The configuration-change MSI-X vector: 0 or -CAPOS_EIO when refused. */
int capos_virtio_config_vector(struct capos_virtio *v, uint16_t vector);

void capos_virtio_driver_ok(struct capos_virtio *v);
uint8_t capos_virtio_status(struct capos_virtio *v);
void capos_virtio_notify(struct capos_virtio *v, const struct capos_virtq *q);
/* Read (and so clear) the ISR: bit 0 a queue, bit 1 a configuration change. */
uint8_t capos_virtio_isr(struct capos_virtio *v);
/* Device configuration bytes [off, off + n) consistently (modern: under the generation counter). */
void capos_virtio_config_read(struct capos_virtio *v, uint32_t off, void *buf, uint32_t n);
/* Reset the device (status 0: it forgets its rings and stops DMA and interrupts). */
void capos_virtio_reset(struct capos_virtio *v);
/* Reset, then unmap and let go of what open took (not fn). */
void capos_virtio_close(struct capos_virtio *v);

#endif
