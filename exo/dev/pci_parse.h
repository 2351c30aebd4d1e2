/*
 * The pure half of PCI (no hardware, no kernel services): decoding BARs
 * from their probe values, walking capability lists in a configuration
 * space image, the filter every PciFunction.config_write goes through and
 * the match rule of DeviceRoot.claim.  Built into the kernel and into the
 * host tests (tests/host/dev) and a fuzz target (tests/fuzz).
 *
 * Nothing read from a device is trusted: capability pointers may loop,
 * point into the header or past the end; every walk is bounded by the
 * number of places a capability can sit and remembers where it has been.
 */
#ifndef EXO_DEV_PCI_PARSE_H
#define EXO_DEV_PCI_PARSE_H

#include <stdbool.h>
#include <stdint.h>
#include <capos/device.h>

/* Configuration space offsets and bits (PCI Local Bus 3.0, PCIe 5.0 ch. 7). */
#define PCI_CFG_VENDOR      0x00
#define PCI_CFG_COMMAND     0x04
#define PCI_CFG_STATUS      0x06
#define PCI_CFG_REVISION    0x08
#define PCI_CFG_HEADER      0x0e
#define PCI_CFG_BAR0        0x10
#define PCI_CFG_SECONDARY   0x19    /* type 1: secondary bus number */
#define PCI_CFG_SUBSYS      0x2c
#define PCI_CFG_ROM         0x30
#define PCI_CFG_CAP_PTR     0x34
#define PCI_CFG_INT_LINE    0x3c
#define PCI_CFG_INT_PIN     0x3d
#define PCI_CFG_HEADER_END  0x40    /* the device-specific area starts here */
#define PCI_CFG_LEGACY_SIZE 0x100u
#define PCI_CFG_ECAM_SIZE   0x1000u

#define PCI_CMD_IO          (1u << 0)
#define PCI_CMD_MEMORY      (1u << 1)
#define PCI_CMD_BUS_MASTER  (1u << 2)
#define PCI_CMD_INTX_OFF    (1u << 10)
#define PCI_STATUS_CAPS     (1u << 4)

#define PCI_CAP_PM    0x01
#define PCI_CAP_MSI   0x05
#define PCI_CAP_PCIE  0x10
#define PCI_CAP_MSIX  0x11
#define PCI_PM_CTRL   4          /* power state: a move through D3hot may reset the BARs */
#define PCI_PCIE_DEVCTL 8        /* bit 15: initiate function-level reset */
#define PCI_PCIE_FLR  0x80u      /* ... in the high byte */

/* MSI capability: control word bits and field offsets from the capability. */
#define PCI_MSI_CTRL        2
#define PCI_MSI_ENABLE      (1u << 0)
#define PCI_MSI_64BIT       (1u << 7)
#define PCI_MSI_MASKABLE    (1u << 8)
#define PCI_MSI_ADDR_LO     4
/* MSI-X: control bits, table and PBA dwords (BIR in bits 2:0). */
#define PCI_MSIX_CTRL       2
#define PCI_MSIX_ENABLE     (1u << 15)
#define PCI_MSIX_FUNC_MASK  (1u << 14)
#define PCI_MSIX_TABLE      4
#define PCI_MSIX_PBA        8
#define PCI_MSIX_CAP_LEN    12u
#define PCI_MSIX_ENTRY_SIZE 16u
#define PCI_MSIX_VEC_CTRL   12       /* in a table entry; bit 0 masks it */

/* Capability headers recorded per function.  A list with more (or one
 * that loops or points out of bounds) is marked truncated, and then the
 * filter refuses every write past the header: it fails closed. */
#define PCI_CAPS_MAX 64u

/* A configuration space image: size bytes (256 or 4096), little endian. */
struct pci_cfg_image {
	const uint8_t *bytes;
	uint32_t size;
};

struct pci_bar {
	uint64_t base;      /* bus address the firmware assigned (0: unassigned) */
	uint64_t size;      /* 0: unimplemented */
	uint32_t kind;      /* CAPOS_BAR_* */
	uint32_t flags;     /* CAPOS_BAR_F_* */
};

/*
 * Decode BAR `index` from the value the firmware left (orig) and what it
 * read back after all ones were written (probe); hi/probe_hi are the next
 * BAR's, used when this one is 64-bit.  Returns how many BAR slots it
 * takes (2 for a 64-bit BAR, whose upper slot is then CAPOS_BAR_NONE), 1
 * otherwise.  A 64-bit BAR in the last slot, or one with no size bits, is
 * CAPOS_BAR_NONE.
 */
uint32_t pci_bar_decode(uint32_t index, uint32_t orig, uint32_t probe, uint32_t orig_hi,
			uint32_t probe_hi, struct pci_bar *out);

/* What the capability walk found. */
struct pci_caps {
	uint8_t cap_ptr;              /* first standard capability, 0 without a list */
	uint16_t msi;                 /* offset of the MSI capability, 0 when absent */
	uint8_t msi_len;              /* its length in bytes (10, 14, 20 or 24) */
	uint32_t msi_vectors;         /* 1..32 */
	bool msi_64bit, msi_maskable;
	uint16_t msix;                /* offset of the MSI-X capability, 0 when absent */
	uint32_t msix_vectors;        /* 1..2048 */
	uint8_t msix_table_bar, msix_pba_bar;
	uint32_t msix_table_offset, msix_pba_offset;
	uint16_t pm, pcie;            /* power management and PCI Express capabilities, 0 when absent */
	/* Where every capability header lies (standard then extended), for
	 * the write filter: its ID and next pointer are never writable. */
	uint32_t count;
	uint16_t at[PCI_CAPS_MAX];
	bool truncated;               /* a list looped, pointed out of bounds or was too long */
};

/* Walk the standard list (when the status register says there is one)
 * and, for a 4 KiB image, the extended list at 0x100. */
void pci_caps_walk(const struct pci_cfg_image *img, struct pci_caps *out);

/*
 * May a process write `width` bytes of `value` at `offset`?  cur is the
 * dword that holds the command register (offset 4) now, so a
 * read-modify-write of the command register passes when it changes only
 * memory/IO decode and INTx-disable.  Also refused: the power-management
 * control register and a function-level reset (either would reset the
 * BARs behind the kernel's back: a BAR of 0 with decode on would claim
 * low memory).  0 or -CAPOS_EPERM (offset, width and alignment are
 * checked by the caller).
 */
int pci_cfg_write_check(const struct pci_caps *caps, uint32_t offset, uint32_t width, uint32_t value,
			uint16_t cur_command);

/* Is offset/width a valid access to a space of size bytes?  0, or
 * -CAPOS_EINVAL (width not 1, 2, 4 or misaligned) / -CAPOS_ERANGE. */
int pci_cfg_access_check(uint32_t offset, uint32_t width, uint32_t size);

/* DeviceRoot.claim's rule: does entry e match? */
bool pci_match(const struct capos_pci_entry *e, uint16_t vendor, uint16_t device, uint32_t class_code,
	       uint32_t class_mask);

/* The pages [first, end) of a BAR of bar_pages pages that hold the MSI-X
 * structure at offset off of bytes bytes (end clipped to bar_pages). */
void pci_msix_pages(uint32_t off, uint64_t bytes, uint64_t bar_pages, uint64_t *first, uint64_t *end);

#endif
