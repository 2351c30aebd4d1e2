/*
 * netcheck's NIC: the libOS virtio-net driver (capos/virtio_net.h) over
 * whichever transport the device offers, its interrupts waited on in this
 * thread's ring, its queues handed to the netif.  The driver's poll runs
 * every loop turn too (capos_netif_ops.poll): it moves the stack's frames
 * and free slots to the device and is the whole driver when the function
 * has no usable interrupt.
 */
#include <stdio.h>
#include <string.h>

#include <capos/device.h>
#include <capos/error.h>
#include <capos/rt.h>
#include <capos/virtio_net.h>

#include "nic.h"

static struct capos_virtio_net vnet;      /* large (its queues' storage): not on the stack */
static char what[64];

static int link_up(void *drv)
{
	return ((struct capos_virtio_net *)drv)->link_up;
}

static const struct capos_netif_ops ops = {
	.tx_ready = capos_virtio_net_kick,
	.rx_returned = capos_virtio_net_kick,
	.poll = capos_virtio_net_kick,
	.link_up = link_up,
};

int nic_open(uint32_t fn, struct nic *nic)
{
	struct capos_virtio_net_options opt = {
		.transport = CAPOS_VIRTIO_AUTO,
		.irq_mode = CAPOS_VIRTIO_NET_IRQ_AUTO,
	};
	int err = capos_virtio_net_open(&vnet, fn, &opt);

	if (err)
		return err;
	snprintf(what, sizeof(what), "virtio-net (%s, %s)", capos_virtio_net_transport_name(&vnet),
		 capos_virtio_net_irq_name(&vnet));
	*nic = (struct nic){ .q = &vnet.q, .link_up = vnet.link_up, .ops = &ops, .drv = &vnet,
			     .what = what, .impl = &vnet };
	memcpy(nic->mac, vnet.mac, sizeof(nic->mac));
	return 0;
}

void nic_close(struct nic *nic)
{
	capos_virtio_net_close(nic->impl);
}

int nic_find(uint32_t *fn, const char **how)
{
	struct capos_device_root_claim_in in = {
		.vendor = CAPOS_PCI_ANY, .device = CAPOS_PCI_ANY, .class_code = 0x020000, .class_mask = 0xffffff,
	};
	struct capos_device_root_claim_out out;
	uint32_t root;
	int err;

	*how = "from the manifest";
	if ((*fn = capos_cap_find("nic", NULL)) != 0)
		return 0;
	if ((root = capos_cap_find("devices", NULL)) == 0)
		return -CAPOS_ENOENT;
	err = capos_device_root_claim(capos_ring(), root, &in, &out);
	if (err)
		return err;
	*fn = out.function;
	*how = "claimed the first network controller";
	return 0;
}
