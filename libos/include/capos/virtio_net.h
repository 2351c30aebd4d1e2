/*
 * The virtio-net driver of the libOS (docs/network.md, "The virtio
 * driver" and "Queues between driver and stack").  It drives one virtio
 * network function over either transport (capos/virtio.h) and talks to a
 * network stack only through a struct capos_netq_set (capos/netq.h):
 *
 *   rx_free    the stack's empty slots: posted to the device's receive ring
 *   rx_active  frames the device filled, for the stack
 *   tx_active  the stack's frames: posted to the transmit ring
 *   tx_free    sent slots, back to the stack once the device is done
 *
 * The buffer region is DmaPool memory the driver allocates, so frames are
 * never copied by the driver: a slot's device address is the region's
 * plus the descriptor's offset, and each frame travels as a two-buffer
 * chain behind a shared virtio-net header (all-zero for transmit, a
 * scratch the device writes for receive; no offloads are negotiated, so
 * neither is read).  Open hands out every receive slot to the device and
 * every transmit slot to the stack through tx_free.
 *
 * Interrupts: MSI-X when the function has it (vector 0 configuration
 * changes, vector 1 both rings), else INTx (a shared level line: the ISR
 * register says whether it was this device, reading it acknowledges it),
 * or none (CAPOS_VIRTIO_NET_POLL: the caller calls _poll).  The
 * interrupt waits run in the libOS event loop (capos_irq_waiter): every
 * capos_ring_poll of the opening thread may run the driver, which then
 * calls options.event.  Everything runs on that one thread.
 */
#ifndef CAPOS_VIRTIO_NET_H
#define CAPOS_VIRTIO_NET_H

#include <stdint.h>
#include <capos/netq.h>
#include <capos/virtio.h>

#define CAPOS_VIRTIO_NET_F_MAC 5
#define CAPOS_VIRTIO_NET_F_STATUS 16

#define CAPOS_VIRTIO_NET_SLOT 2048u           /* bytes per buffer slot */
#define CAPOS_VIRTIO_NET_QCAP 256u            /* entries of each netq */

/* interrupt modes */
#define CAPOS_VIRTIO_NET_IRQ_AUTO 0u          /* MSI-X, else INTx, else polling */
#define CAPOS_VIRTIO_NET_POLL 1u
#define CAPOS_VIRTIO_NET_INTX 2u
#define CAPOS_VIRTIO_NET_MSIX 3u

struct capos_virtio_net;

struct capos_virtio_net_options {
	uint32_t transport;           /* CAPOS_VIRTIO_AUTO / _MODERN / _LEGACY */
	uint32_t irq_mode;            /* CAPOS_VIRTIO_NET_* */
	uint32_t rx_slots, tx_slots;  /* 0: 64 each; at most 128 each */
	/*
	 * called after the driver gave the stack frames or slots, or the link
	 * changed; it may push to the queues and call capos_virtio_net_kick
	 * (the driver then makes one more pass, never a nested one)
	 */
	void (*event)(struct capos_virtio_net *n, void *ctx);
	void *ctx;
};

struct capos_virtio_net_stats {
	uint64_t rx_frames, rx_bytes;
	uint64_t tx_frames, tx_bytes;
	uint64_t rx_dropped;          /* device gave a bad length or rx_active was full: slot re-posted */
	uint64_t rx_bad_desc;         /* rx_free gave a descriptor outside the region: ignored */
	uint64_t tx_bad_desc;         /* tx_active gave a bad descriptor: not sent (slot to tx_free if it was one) */
	uint64_t device_errors;       /* ring errors + needing a reset */
	uint64_t needs_reset;         /* the device set DEVICE_NEEDS_RESET */
	uint64_t irqs, irqs_not_ours; /* interrupts handled; INTx firings with ISR 0 */
	uint64_t link_changes;
};

struct capos_virtio_net {
	struct capos_virtio v;
	struct capos_dma dma;
	struct capos_virtq rxq, txq;
	struct capos_netq_set q;      /* the stack's side: give &q to it */
	struct capos_netq_desc qstore[4][CAPOS_VIRTIO_NET_QCAP];
	struct capos_virtio_net_options opt;
	uint8_t mac[6];
	int link_up;                  /* 1 without the STATUS feature */
	int dead;                     /* the device broke: reset, nothing more is done */
	int in_poll, again;           /* a kick from inside event: one more pass, not a nested one */
	uint32_t irq_mode;            /* what open chose */
	uint32_t hdr_len;             /* 12 (modern), 10 (legacy) */
	uint64_t rx_hdr, tx_hdr;      /* device addresses of the shared headers */
	uint32_t nirq;
	uint32_t irq[2];
	struct capos_irq_waiter waiter[2];
	struct capos_virtio_net_stats stats;
};

/*
 * The virtio-net PciFunction a program drives: the capability granted
 * under `grant` (a manifest's devices: entry; may be NULL) when it holds
 * one, else the instance-th virtio network function claimed from
 * "devices".  0 with *fn and *claimed (1: claimed here, release it with
 * capos_release when done; 0: the grant, the program's to keep), or
 * -CAPOS_ENOENT (neither), or DeviceRoot.claim's error.
 */
int capos_virtio_net_find(const char *grant, uint32_t instance, uint32_t *fn, int *claimed);

/*
 * Bring up virtio-net PciFunction fn (the caller keeps it): reset,
 * negotiate (MAC required; STATUS, ANY_LAYOUT on legacy, VERSION_1 on
 * modern), rings and region in one DmaPool, interrupts, DRIVER_OK.  0, or
 * a negative code with nothing kept and the device reset.
 */
int capos_virtio_net_open(struct capos_virtio_net *n, uint32_t fn, const struct capos_virtio_net_options *opt);

/*
 * Do all the work there is: reap both rings, give the stack received
 * frames and sent slots, post its free slots and frames, notify the
 * device, check the link and the device's health.  The number of frames
 * and slots moved, or -CAPOS_EIO once the device broke (it is reset and
 * stays quiet; close and open again).
 */
int capos_virtio_net_poll(struct capos_virtio_net *n);

/* capos_virtio_net_poll for a callback that takes void * (a stack's "frames queued" hook). */
void capos_virtio_net_kick(void *n);

/* Reset the device (no DMA, no interrupts after), then let go of everything open took. */
void capos_virtio_net_close(struct capos_virtio_net *n);

const char *capos_virtio_net_transport_name(const struct capos_virtio_net *n);
const char *capos_virtio_net_irq_name(const struct capos_virtio_net *n);

#endif
