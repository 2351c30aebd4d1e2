/*
 * The kernel's PCI functions: one struct pci_dev per function found at
 * boot (pci_enum.c), configuration access through ECAM or the legacy
 * ports (pci_config.c), and the claim each function may have — the live
 * PciFunction object (pci_function.c) — with the quiesce that ends it
 * (pci_claim.c).  docs/devices.md.
 *
 * The table is written once, by pci_init on the boot CPU before init
 * runs, and only claim and msix_table change afterwards (kernel calls,
 * one at a time).  Configuration registers may be touched from interrupt
 * context (masking an MSI vector), so access is serialised by an irqsave
 * lock in pci_config.c.
 */
#ifndef EXO_DEV_PCI_H
#define EXO_DEV_PCI_H

#include <stdbool.h>
#include <stdint.h>
#include <capos/device.h>
#include "pci_parse.h"

#define PCI_MAX_FUNCTIONS 256u
#define PCI_CLASS_BRIDGE 0x06u     /* class code byte of bridges, which stay the kernel's */

struct pcifn;

struct pci_dev {
	struct capos_pci_entry id;     /* id.claimed mirrors claim != NULL */
	uint16_t segment;
	volatile uint8_t *ecam;        /* this function's 4 KiB ECAM window; NULL: legacy ports */
	uint32_t config_size;          /* 4096 (ECAM) or 256 */
	struct pci_bar bars[CAPOS_PCI_BARS];
	struct pci_caps caps;
	uint32_t intx_gsi;             /* 0xffffffff when unknown (no pin, or line 0xff) */
	volatile uint8_t *msix_table;  /* kernel mapping of the MSI-X table, made on first use */
	struct pcifn *claim;           /* the live PciFunction, NULL when unclaimed */
};

/* Enumerate every function (ECAM from the MCFG, else the legacy ports)
 * and log one line per function.  Boot CPU, after acpi_init. */
void pci_init(void);

uint32_t pci_count(void);
struct pci_dev *pci_at(uint32_t index);  /* NULL past the end */
bool pci_uses_ecam(void);

/* Configuration access; offset/width already checked against the
 * function's config space (pci_cfg_access_check). */
uint32_t pci_cfg_read(const struct pci_dev *d, uint32_t offset, uint32_t width);
void pci_cfg_write(const struct pci_dev *d, uint32_t offset, uint32_t width, uint32_t value);

/* Set and clear bits of the command register in one locked
 * read-modify-write. */
void pci_cmd_update(const struct pci_dev *d, uint16_t set, uint16_t clear);

/* Bus address reachability: the pages of a BAR to map at user level. */
static inline uint64_t pci_bar_pages(const struct pci_bar *b) { return (b->size + 4095u) / 4096u; }

/* --- the claim (pci_claim.c) --- */

/*
 * Quiesce d's device and everything its claim made: bus mastering off,
 * MSI/MSI-X disabled and INTx masked in the device, every Interrupt
 * revoked, every I/O port range revoked, every BAR mapping removed from
 * every address space, and the DMA pools released while bus mastering was
 * on freed (scrubbed).  The claim itself stays (a revoked copy of the
 * PciFunction ends what was made through it; the holder of the original
 * starts again from a quiet device).
 */
void pcifn_quiesce(struct pcifn *fn);

/* Process teardown (before its capabilities and address space go):
 * quiesce every claimed function p drove. */
struct process;
void pci_process_exit(struct process *p);

#endif
