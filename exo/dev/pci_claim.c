/*
 * A PCI function's claim: the PciFunction object from DeviceRoot.claim to
 * its end, and the quarantine rule that governs every ending.
 *
 * The claim ends when the object's last reference goes (its last handle
 * released, or its holder died and its capability table was emptied).
 * Two other events quiesce the function without ending the claim: a
 * revocable copy of it is revoked (kobj_ops.copy_revoked; whatever was made
 * through the copy must end), or a process that drove it (pcifn.h) dies.
 *
 * Quiescing goes in this order, so the device can no longer reach memory
 * before any memory it could reach is reused: bus mastering off and INTx
 * masked in the command register, MSI and MSI-X disabled; every
 * Interrupt made from the function revoked (its source masked), every
 * I/O port range revoked, every BAR mapping removed from the drivers'
 * address spaces; only then are DMA pools that were released in the
 * meantime scrubbed and freed (dma_pool.c).  The next holder finds bus
 * mastering off (info.bus_master, the command register).
 */
#include <capos/error.h>
#include <capos/iface.h>
#include "ioport.h"
#include "irq.h"
#include "pcifn.h"
#include "../kern/log.h"
#include "../mm/mm.h"
#include "../proc/aspace.h"
#include "../proc/process.h"

static void pcifn_destroy(struct kobj *o);
static void pcifn_revoked(struct kobj *o);

static const struct kobj_ops pcifn_ops = { .destroy = pcifn_destroy, .copy_revoked = pcifn_revoked };

struct pcifn *pcifn_create(struct pci_dev *d)
{
	struct pcifn *fn = kzalloc(sizeof *fn);

	if (!fn)
		return NULL;
	kobj_init(&fn->base, CAPOS_IFACE_PCI_FUNCTION, &pcifn_ops);
	fn->dev = d;
	d->claim = fn;
	d->id.claimed = 1;
	return fn;
}

int pcifn_add_driver(struct pcifn *fn, struct process *p)
{
	struct pcifn_driver *drv;

	for (drv = fn->drivers; drv; drv = drv->next)
		if (drv->p == p)
			return 0;
	drv = kzalloc(sizeof *drv);
	if (!drv)
		return -CAPOS_ENOMEM;
	process_ref(p);
	drv->p = p;
	drv->next = fn->drivers;
	fn->drivers = drv;
	return 1;
}

void pcifn_undo_driver(struct pcifn *fn, struct process *p)
{
	struct pcifn_driver *drv = fn->drivers;

	if (!drv || drv->p != p)
		return;  /* only the newest can be undone */
	fn->drivers = drv->next;
	process_unref(p);
	kfree(drv);
}

bool pcifn_bus_master(const struct pcifn *fn)
{
	return (pci_cfg_read(fn->dev, PCI_CFG_COMMAND, 2) & PCI_CMD_BUS_MASTER) != 0;
}

static void revoke_interrupts(struct pcifn *fn)
{
	while (fn->irqs) {
		struct pcifn_irq *r = fn->irqs;

		fn->irqs = r->next;
		irq_revoke(r->irq);
		kobj_unref(r->irq);
		kfree(r);
	}
}

static void revoke_ports(struct pcifn *fn)
{
	while (fn->ports) {
		struct pcifn_ports *r = fn->ports;

		fn->ports = r->next;
		ioport_range_revoke(r->range);
		kobj_unref(r->range);
		kfree(r);
	}
}

/* Remove the BAR mappings from every driver's space; forget the drivers. */
static void drop_drivers(struct pcifn *fn)
{
	while (fn->drivers) {
		struct pcifn_driver *drv = fn->drivers;
		struct aspace *as = process_aspace(drv->p);

		fn->drivers = drv->next;
		if (as)
			aspace_remove_owned(as, fn);
		process_unref(drv->p);
		kfree(drv);
	}
}

void pcifn_quiesce(struct pcifn *fn)
{
	pci_cmd_update(fn->dev, PCI_CMD_INTX_OFF, PCI_CMD_BUS_MASTER);
	pcifn_interrupts_off(fn->dev);
	revoke_interrupts(fn);
	revoke_ports(fn);
	drop_drivers(fn);
	dma_pools_settle(fn, false);
}

static void pcifn_destroy(struct kobj *o)
{
	struct pcifn *fn = KOBJ_CONTAINER(o, struct pcifn, base);
	const struct pci_dev *d = fn->dev;

	pcifn_quiesce(fn);
	dma_pools_settle(fn, true);
	kinfo("pci: %02x:%02x.%u: claim ended; function quiesced", d->id.bus, d->id.slot, d->id.function);
	fn->dev->claim = NULL;
	fn->dev->id.claimed = 0;
	kfree(fn);
}

static void pcifn_revoked(struct kobj *o)
{
	pcifn_quiesce(KOBJ_CONTAINER(o, struct pcifn, base));
}

static bool drove(const struct pcifn *fn, const struct process *p)
{
	for (const struct pcifn_driver *drv = fn->drivers; drv; drv = drv->next)
		if (drv->p == p)
			return true;
	return false;
}

void pci_process_exit(struct process *p)
{
	for (uint32_t i = 0; i < pci_count(); i++) {
		struct pci_dev *d = pci_at(i);

		if (!d->claim || !drove(d->claim, p))
			continue;
		kinfo("pci: %02x:%02x.%u: driver process %u ended; function quiesced", d->id.bus, d->id.slot,
		      d->id.function, process_pid(p));
		pcifn_quiesce(d->claim);
	}
}
