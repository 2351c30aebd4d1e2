/*
 * The PciFunction object and what its claim owns, shared by the files
 * that implement it: pci_function.c (the methods), pci_claim.c (claim,
 * drivers, quiesce, end), msi.c (interrupts) and dma_pool.c (pools).
 *
 * Ownership.  The object holds one reference to every Interrupt and I/O
 * port range made from it (so it can revoke them) and links every DMA
 * pool made from it, live or quarantined.  "Drivers" are the processes
 * that made something through it (bus mastering, a BAR mapping, ports,
 * interrupts, pools): one process reference each; their death quiesces
 * the function (pci_process_exit) and their address spaces are where its
 * BAR mappings may be.  All of it changes only in kernel calls and
 * process teardown, which run one at a time (single CPU, no kernel
 * preemption), so no lock guards these lists.
 */
#ifndef EXO_DEV_PCIFN_H
#define EXO_DEV_PCIFN_H

#include <stdbool.h>
#include <stdint.h>
#include "kobj.h"
#include "pci.h"

struct process;
struct quota;
struct dma_pool;

struct pcifn_driver {
	struct process *p;            /* one reference */
	struct pcifn_driver *next;
};

struct pcifn_irq {
	struct kobj *irq;             /* one reference */
	uint32_t kind, index;
	struct pcifn_irq *next;
};

struct pcifn_ports {
	struct kobj *range;           /* one reference */
	uint32_t bar;
	struct pcifn_ports *next;
};

struct pcifn {
	struct kobj base;             /* CAPOS_IFACE_PCI_FUNCTION */
	struct pci_dev *dev;
	struct pcifn_driver *drivers;
	struct pcifn_irq *irqs;
	uint32_t irq_kind;            /* CAPOS_IRQ_KIND_* of irqs; meaningful while irqs != NULL */
	struct pcifn_ports *ports;
	struct dma_pool *pools;       /* made from it: live, or released and quarantined */
};

/* pci_claim.c */
/* A new claim of d (d->claim must be NULL): NULL when memory is short. */
struct pcifn *pcifn_create(struct pci_dev *d);
/* Remember p as a driver of fn: 1 when newly added, 0 when it already
 * was one, or -CAPOS_ENOMEM (nothing changed). */
int pcifn_add_driver(struct pcifn *fn, struct process *p);
/* Undo a pcifn_add_driver that returned 1 (the call then failed). */
void pcifn_undo_driver(struct pcifn *fn, struct process *p);
/* Is bus mastering on in the device right now? */
bool pcifn_bus_master(const struct pcifn *fn);

/* msi.c: an Interrupt of kind/index (validated by the caller), recorded
 * in fn.  0 or a negative code; nothing changes on failure. */
int pcifn_interrupt_create(struct pcifn *fn, uint32_t kind, uint32_t index, struct kobj **out);
/* Turn MSI and MSI-X off in the device and mask INTx. */
void pcifn_interrupts_off(struct pci_dev *d);

/* dma_pool.c */
int dma_pool_create(struct pcifn *fn, struct quota *q, uint64_t pages, uint32_t addr_bits,
		    struct kobj **out, uint64_t *device_addr);
/* The device is quiet: free the pools released meanwhile; when detach,
 * also let the live ones go on without fn (the claim is ending). */
void dma_pools_settle(struct pcifn *fn, bool detach);

#endif
