/*
 * Device ABI constants and layouts (interfaces DeviceRoot, PciFunction,
 * IoPortRange, Interrupt and DmaPool in exo/iface/interfaces.def; model in
 * docs/devices.md): what DeviceRoot.list and PciFunction.info return, BAR
 * kinds, interrupt kinds, the legacy port ranges a manifest can name, and
 * the limits the kernel enforces.
 */
#ifndef CAPOS_DEVICE_H
#define CAPOS_DEVICE_H

#include <stdint.h>

#define CAPOS_PCI_ANY 0xffffu             /* claim: any vendor / any device */
#define CAPOS_PCI_LIST_BATCH 64u          /* DeviceRoot.list entries per call */
#define CAPOS_PCI_LIST_START 0xffffffffu  /* list's after_index for the first entry */
#define CAPOS_PCI_BARS 6u

/* One enumerated PCI function (DeviceRoot.list). */
struct capos_pci_entry {
	uint32_t index;          /* stable for the boot: list order */
	uint16_t vendor, device;
	uint32_t class_code;     /* (class << 16) | (subclass << 8) | prog_if */
	uint16_t subsys_vendor, subsys_device;
	uint8_t bus, slot, function, revision;
	uint8_t header_type;     /* without the multi-function bit */
	uint8_t irq_pin;         /* 0 none, 1..4 INTA..INTD */
	uint8_t claimed;         /* 1 while a PciFunction of it lives */
	uint8_t reserved;
};
_Static_assert(sizeof(struct capos_pci_entry) == 24, "capos_pci_entry layout");
_Static_assert(sizeof(struct capos_pci_entry) * CAPOS_PCI_LIST_BATCH <= 1536, "list batch fits");

/* PciFunction.info */
struct capos_pci_info {
	struct capos_pci_entry id;
	uint32_t config_size;    /* 4096 through ECAM, 256 through the legacy ports */
	uint32_t cap_ptr;        /* first capability (0x34), 0 when the list is absent */
	uint32_t msi_vectors;    /* 0 without an MSI capability */
	uint32_t msix_vectors;   /* 0 without an MSI-X capability */
	uint32_t msix_bar;       /* the BAR holding the MSI-X table (unmapped by map_bar) */
	uint32_t msix_offset;    /* the table's offset in that BAR */
	uint32_t intx_gsi;       /* the GSI INTx arrives on, 0xffffffff when unknown */
	uint32_t bus_master;     /* 1 while bus mastering is on */
	uint32_t reserved[2];
};
_Static_assert(sizeof(struct capos_pci_info) == 64, "capos_pci_info layout");

/* PciFunction.bar kinds and flags */
#define CAPOS_BAR_NONE  0u
#define CAPOS_BAR_MEM32 1u
#define CAPOS_BAR_MEM64 2u       /* takes this index and the next */
#define CAPOS_BAR_IO    3u
#define CAPOS_BAR_F_PREFETCHABLE 1u

/* Interrupt kinds */
#define CAPOS_IRQ_KIND_LEGACY 0u /* DeviceRoot.irq: an ISA line */
#define CAPOS_IRQ_KIND_INTX   1u /* a function's INTx pin, possibly shared (level) */
#define CAPOS_IRQ_KIND_MSI    2u
#define CAPOS_IRQ_KIND_MSIX   3u

/* DeviceRoot.ioports names: the platform's legacy ranges that are not the
 * kernel's (COM1 is the kernel console and never granted). */
#define CAPOS_IOPORTS_NAME_MAX 16u
#define CAPOS_IOPORTS_COM2 "com2"         /* 0x2f8, 8 ports; ISA line 3 */
#define CAPOS_IOPORTS_COM3 "com3"         /* 0x3e8, 8 ports; ISA line 4 (shared with COM1: not grantable) */
#define CAPOS_IOPORTS_COM4 "com4"         /* 0x2e8, 8 ports; ISA line 3 */

#define CAPOS_DMA_POOL_MAX_PAGES 1024u    /* 4 MiB per pool */

#endif
