/*
 * The NIC under netcheck: a claimed PciFunction turned into the buffer
 * queues of capos/netq.h by the libOS virtio-net driver, with what the
 * netif needs to add it (docs/network.md, "Getting a NIC from the
 * manifest").  nic.c is the only file that knows which driver it is.
 */
#ifndef NETCHECK_NIC_H
#define NETCHECK_NIC_H

#include <stdint.h>
#include <capos/netstack.h>

struct nic {
	struct capos_netq_set *q;           /* the driver's queues and slot region */
	uint8_t mac[6];
	int link_up;
	const struct capos_netif_ops *ops;  /* how the stack tells the driver */
	void *drv;
	const char *what;                   /* e.g. "virtio-net (modern, MSI-X)" */
	void *impl;                         /* the driver's state */
};

/*
 * The PciFunction to drive: "nic" from the manifest, else (a program run
 * as init) the first network controller claimed through "devices".  0
 * with *fn and *how ("from the manifest" / "claimed the first network
 * controller"), or a negative code.
 */
int nic_find(uint32_t *fn, const char **how);

/*
 * Drive PciFunction fn: 0 with *nic filled and the driver's interrupt
 * waiter started in this thread's ring (so capos_netloop_turn serves it),
 * or a negative code with a message printed.
 */
int nic_open(uint32_t fn, struct nic *nic);

/* Hand the device back quiet (driver stopped, DMA off). */
void nic_close(struct nic *nic);

#endif
