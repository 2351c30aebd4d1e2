/*
 * The event loop glue (docs/network.md, "The lwIP port").  lwIP with
 * NO_SYS=1 wants three things from its thread: received frames passed to
 * it, sys_check_timeouts called when a timer is due, and nothing else
 * running inside it at the same time.  One thread does all of it in turns:
 *
 *   0. the driver's own poll, when it has one (a driver without interrupts
 *      does its work here), and the link state it reports;
 *   1. frames the driver pushed to rx_active go to lwIP (capos_netif_poll);
 *   2. lwIP's due timers run (sys_check_timeouts);
 *   3. the thread sleeps in capos_ring_poll until one of its ring
 *      operations completes — the driver's Interrupt.wait (its handler
 *      reaps the device and pushes rx_active/tx_free), IPC, a program's
 *      own — or the kernel's timer ends the wait when lwIP's next timeout
 *      is due (sys_timeouts_sleeptime);
 *   4. the driver's poll and the frames again, so a frame that woke the
 *      loop is answered at once.
 *
 * The wait's timeout is the timer: one cap_enter both sleeps for the
 * interrupt and ends at the deadline, and a deadline that moves earlier
 * (a new TCP connection starts lwIP's fast timer) needs no cancel.
 */
#include <capos/netstack.h>
#include <capos/rt.h>

#include "lwip/timeouts.h"

static void driver_turn(struct capos_netif *n)
{
	int up;

	if (!n->ops)
		return;
	if (n->ops->poll)
		n->ops->poll(n->drv);
	if (n->ops->link_up) {
		up = n->ops->link_up(n->drv) != 0;
		if (up != (netif_is_link_up(&n->netif) != 0))
			capos_netif_set_link(n, up);
	}
}

int capos_netloop_turn(struct capos_netif *n, uint64_t max_wait_ns)
{
	uint64_t wait_ns = max_wait_ns;
	u32_t ms;
	int r;

	driver_turn(n);
	capos_netif_poll(n, 0);
	sys_check_timeouts();
	ms = sys_timeouts_sleeptime();
	if (ms != SYS_TIMEOUTS_SLEEPTIME_INFINITE && (uint64_t)ms * 1000000u < wait_ns)
		wait_ns = (uint64_t)ms * 1000000u;
	if (!capos_netq_empty(&n->q->rx_active))
		wait_ns = 0;
	r = capos_ring_poll(capos_ring(), wait_ns);
	driver_turn(n);
	capos_netif_poll(n, 0);
	return r < 0 ? r : 0;
}
