/*
 * The libOS network stack: lwIP 2.1.3 (NO_SYS=1, raw API) over a NIC
 * driver's buffer queues (capos/netq.h), driven by the event loop of the
 * thread that owns the NIC (docs/network.md, "The lwIP port").
 *
 *   capos_netif      an lwIP netif over a capos_netq_set: frames to send
 *                    are copied into a slot taken from tx_free and pushed
 *                    to tx_active; received frames are popped from
 *                    rx_active, copied into pool pbufs and their slots
 *                    pushed back to rx_free.  Every descriptor the driver
 *                    hands over is checked against the region first.
 *   capos_netloop    one turn of the loop: deliver received frames, run
 *                    lwIP's timers, then sleep in capos_ring_poll until a
 *                    ring completion (the driver's interrupt wait, IPC,
 *                    anything watched) or lwIP's next timer is due.
 *
 * The driver is told about new work through two callbacks (the same
 * thread: a call), and tells the stack by pushing to rx_active / tx_free
 * from its interrupt handler, which runs inside capos_ring_poll.  The
 * netif part is pure (no capability) and host-tested against a fake
 * driver (tests/host/netstack).
 */
#ifndef CAPOS_NETSTACK_H
#define CAPOS_NETSTACK_H

#include <stdint.h>
#include <capos/netq.h>
#include "lwip/netif.h"

/* Counters of the netif's own checks (lwIP's are in lwip_stats). */
struct capos_netif_stats {
	uint64_t rx_frames;       /* handed to lwIP */
	uint64_t rx_bad_desc;     /* descriptor outside the region or slot: dropped, slot not reused */
	uint64_t rx_runt;         /* shorter than an Ethernet header: dropped */
	uint64_t rx_oversize;     /* longer than header + MTU: dropped */
	uint64_t rx_nomem;        /* no pbuf: dropped */
	uint64_t rx_refused;      /* lwIP's input refused the frame */
	uint64_t tx_frames;       /* pushed to tx_active */
	uint64_t tx_no_slot;      /* no free TX slot: lwIP got ERR_MEM */
	uint64_t tx_too_long;     /* frame longer than a slot: ERR_BUF */
	uint64_t tx_bad_desc;     /* tx_free gave a bad descriptor: dropped */
};

#define CAPOS_NETIF_TX_OWN 256    /* TX slots held between tx_free and tx_active */

struct capos_netif_ops {
	void (*tx_ready)(void *drv);    /* tx_active has frames */
	void (*rx_returned)(void *drv); /* rx_free has slots back */
	void (*poll)(void *drv);        /* optional: the driver's work, each loop turn (polling mode) */
	int (*link_up)(void *drv);      /* optional: the link now (checked each loop turn) */
};

struct capos_netif {
	struct netif netif;             /* first: lwIP's netif->state points here too */
	struct capos_netq_set *q;
	const struct capos_netif_ops *ops;
	void *drv;
	uint32_t own_count;             /* TX slots taken from tx_free, not yet used */
	uint32_t own[CAPOS_NETIF_TX_OWN];
	struct capos_netif_stats stats;
};

/* lwip_init once per process (idempotent). */
void capos_netstack_init(void);

/*
 * Add the NIC as an lwIP netif (not yet up, no address): q must stay put,
 * ops/drv are the driver's.  mac: 6 bytes.  The link starts up when
 * link_up.  0, or -CAPOS_EINVAL (q's slots below one Ethernet frame).
 */
int capos_netif_add(struct capos_netif *n, struct capos_netq_set *q, const uint8_t mac[6], int link_up,
		    const struct capos_netif_ops *ops, void *drv);

/* The driver saw the link go up or down. */
void capos_netif_set_link(struct capos_netif *n, int up);

/* Deliver up to budget received frames to lwIP (0: all there are); the number delivered or dropped. */
uint32_t capos_netif_poll(struct capos_netif *n, uint32_t budget);

/* ------------------------------------------------------ the event loop */

/*
 * One turn: poll the netif, run lwIP's due timers, then wait in
 * capos_ring_poll for at most max_wait_ns (CAPOS_TIMEOUT_INFINITE: only
 * lwIP's next timer bounds it) and poll again.  The callbacks of watched
 * ring operations (the driver's capos_irq_waiter, IPC, a program's own)
 * run inside.  0 or capos_ring_poll's negative code.
 */
int capos_netloop_turn(struct capos_netif *n, uint64_t max_wait_ns);

/* Milliseconds of the monotonic clock (lwIP's sys_now). */
uint32_t capos_netstack_now_ms(void);

#endif
