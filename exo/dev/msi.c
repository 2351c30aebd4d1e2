/*
 * A PCI function's interrupts: INTx through the IOAPIC, one MSI vector,
 * or MSI-X vectors, as Interrupt objects (irq.h).  One kind at a time per
 * claim: a function whose Interrupts are of one kind refuses another
 * (-CAPOS_EBUSY) until they are revoked with the claim.
 *
 * The kernel programs every message itself — the MSI capability through
 * configuration space, an MSI-X table entry through a kernel mapping of
 * the table (made on first use and kept: BARs never move) — so a process
 * never chooses where its device writes an interrupt message.  The source
 * operations mask a vector with the MSI-X entry's vector-control bit, or
 * the MSI per-vector mask bit when the capability has one; plain MSI
 * cannot be masked at the device (ops.mask NULL: the Interrupt only
 * remembers).  MSI uses one message (index 0): multiple-message MSI
 * needs an aligned block of vectors, which irq_create_vectored does not
 * give; a device wanting more vectors has MSI-X.
 */
#include <capos/error.h>
#include "irq.h"
#include "pcifn.h"
#include "../acpi/acpi.h"
#include "../kern/log.h"
#include "../mm/mm.h"

#define MSIX_VEC_MASKED 1u

struct msi_src {
	struct pci_dev *dev;
	uint32_t kind, index;
};

/* ------------------------------------------------------------- MSI-X entries */

static volatile uint32_t *msix_entry(const struct pci_dev *d, uint32_t index)
{
	return (volatile uint32_t *)(d->msix_table + (uint64_t)index * PCI_MSIX_ENTRY_SIZE);
}

static void msix_set_masked(const struct pci_dev *d, uint32_t index, bool masked)
{
	volatile uint32_t *e = msix_entry(d, index);
	uint32_t ctrl = e[PCI_MSIX_VEC_CTRL / 4];

	e[PCI_MSIX_VEC_CTRL / 4] = masked ? ctrl | MSIX_VEC_MASKED : ctrl & ~MSIX_VEC_MASKED;
	(void)e[PCI_MSIX_VEC_CTRL / 4];  /* flush the posted write */
}

/* Map the table (once): inside a memory BAR the firmware assigned. */
static int msix_table_map(struct pci_dev *d)
{
	const struct pci_caps *c = &d->caps;
	const struct pci_bar *b;
	uint64_t bytes = (uint64_t)c->msix_vectors * PCI_MSIX_ENTRY_SIZE;

	if (d->msix_table)
		return 0;
	if (c->msix_table_bar >= CAPOS_PCI_BARS)
		return -CAPOS_EIO;
	b = &d->bars[c->msix_table_bar];
	if ((b->kind != CAPOS_BAR_MEM32 && b->kind != CAPOS_BAR_MEM64) || b->base == 0 ||
	    c->msix_table_offset > b->size || bytes > b->size - c->msix_table_offset)
		return -CAPOS_EIO;
	d->msix_table = vm_map_mmio(b->base + c->msix_table_offset, bytes);
	return d->msix_table ? 0 : -CAPOS_ENOMEM;
}

/* --------------------------------------------------------- MSI capability */

static uint32_t msi_mask_offset(const struct pci_caps *c)
{
	return c->msi + (c->msi_64bit ? 16u : 12u);
}

static void msi_set_masked(const struct pci_dev *d, bool masked)
{
	uint32_t off = msi_mask_offset(&d->caps);
	uint32_t bits = pci_cfg_read(d, off, 4);

	pci_cfg_write(d, off, 4, masked ? bits | 1u : bits & ~1u);
}

static void msi_program(const struct pci_dev *d, uint64_t addr, uint32_t data)
{
	const struct pci_caps *c = &d->caps;
	uint16_t ctrl = (uint16_t)pci_cfg_read(d, c->msi + PCI_MSI_CTRL, 2);

	ctrl &= (uint16_t)~(PCI_MSI_ENABLE | (7u << 4));  /* one message */
	pci_cfg_write(d, c->msi + PCI_MSI_CTRL, 2, ctrl);
	pci_cfg_write(d, c->msi + PCI_MSI_ADDR_LO, 4, (uint32_t)addr);
	if (c->msi_64bit) {
		pci_cfg_write(d, c->msi + 8, 4, (uint32_t)(addr >> 32));
		pci_cfg_write(d, c->msi + 12, 2, data);
	} else {
		pci_cfg_write(d, c->msi + 8, 2, data);
	}
	if (c->msi_maskable)
		msi_set_masked(d, false);
	pci_cfg_write(d, c->msi + PCI_MSI_CTRL, 2, ctrl | PCI_MSI_ENABLE);
}

static void msix_program(const struct pci_dev *d, uint32_t index, uint64_t addr, uint32_t data)
{
	const struct pci_caps *c = &d->caps;
	volatile uint32_t *e = msix_entry(d, index);
	uint16_t ctrl = (uint16_t)pci_cfg_read(d, c->msix + PCI_MSIX_CTRL, 2);

	/* enabled with the whole function masked while the entry changes */
	pci_cfg_write(d, c->msix + PCI_MSIX_CTRL, 2, ctrl | PCI_MSIX_ENABLE | PCI_MSIX_FUNC_MASK);
	msix_set_masked(d, index, true);
	e[0] = (uint32_t)addr;
	e[1] = (uint32_t)(addr >> 32);
	e[2] = data;
	msix_set_masked(d, index, false);
	pci_cfg_write(d, c->msix + PCI_MSIX_CTRL, 2, (ctrl | PCI_MSIX_ENABLE) & ~PCI_MSIX_FUNC_MASK);
}

/* ------------------------------------------------------------ source ops */

static void src_mask(void *ctx)
{
	struct msi_src *s = ctx;

	if (s->kind == CAPOS_IRQ_KIND_MSIX)
		msix_set_masked(s->dev, s->index, true);
	else
		msi_set_masked(s->dev, true);
}

static void src_unmask(void *ctx)
{
	struct msi_src *s = ctx;

	if (s->kind == CAPOS_IRQ_KIND_MSIX)
		msix_set_masked(s->dev, s->index, false);
	else
		msi_set_masked(s->dev, false);
}

static void src_release(void *ctx)
{
	struct msi_src *s = ctx;

	if (s->kind == CAPOS_IRQ_KIND_MSIX || s->dev->caps.msi_maskable)
		src_mask(ctx);
	kfree(s);
}

static const struct irq_source_ops maskable_ops = { src_mask, src_unmask, src_release };
static const struct irq_source_ops plain_msi_ops = { NULL, NULL, src_release };

/* ---------------------------------------------------------------- create */

static int vectored_create(struct pcifn *fn, uint32_t kind, uint32_t index, struct kobj **out)
{
	struct pci_dev *d = fn->dev;
	struct msi_src *s;
	uint64_t addr;
	uint32_t data;
	uint8_t vector;
	int err = kind == CAPOS_IRQ_KIND_MSIX ? msix_table_map(d) : 0;

	if (err)
		return err;
	s = kzalloc(sizeof *s);
	if (!s)
		return -CAPOS_ENOMEM;
	*s = (struct msi_src){ d, kind, index };
	err = irq_create_vectored(kind == CAPOS_IRQ_KIND_MSI && !d->caps.msi_maskable ? &plain_msi_ops
										 : &maskable_ops,
				  s, kind, index, out, &vector);
	if (err) {
		kfree(s);
		return err;
	}
	irq_msi_message(vector, &addr, &data);
	if (kind == CAPOS_IRQ_KIND_MSIX) {
		pci_cmd_update(d, PCI_CMD_MEMORY | PCI_CMD_INTX_OFF, 0);  /* the table is behind memory decode */
		msix_program(d, index, addr, data);
	} else {
		pci_cmd_update(d, PCI_CMD_INTX_OFF, 0);
		msi_program(d, addr, data);
	}
	return 0;
}

/* INTx: the line's trigger and polarity from the MADT override when there
 * is one, else the PCI default (level, active low). */
static int intx_create(struct pcifn *fn, struct kobj **out)
{
	const struct pci_dev *d = fn->dev;
	bool level = true, active_low = true;
	int err;

	for (uint32_t i = 0; i < acpi.iso_count; i++) {
		uint16_t pol = acpi.iso[i].flags & 3u, trig = (acpi.iso[i].flags >> 2) & 3u;

		if (acpi.iso[i].gsi != d->intx_gsi)
			continue;
		if (pol == 1 || pol == 3)
			active_low = pol == 3;
		if (trig == 1 || trig == 3)
			level = trig == 3;
	}
	err = irq_create_gsi(d->intx_gsi, level, active_low, CAPOS_IRQ_KIND_INTX, out);
	if (!err)
		pci_cmd_update(d, 0, PCI_CMD_INTX_OFF);
	return err;
}

int pcifn_interrupt_create(struct pcifn *fn, uint32_t kind, uint32_t index, struct kobj **out)
{
	struct pcifn_irq *rec = kzalloc(sizeof *rec);
	int err;

	if (!rec)
		return -CAPOS_ENOMEM;
	err = kind == CAPOS_IRQ_KIND_INTX ? intx_create(fn, out) : vectored_create(fn, kind, index, out);
	if (err) {
		kfree(rec);
		return err;
	}
	*rec = (struct pcifn_irq){ *out, kind, index, fn->irqs };
	fn->irqs = rec;
	fn->irq_kind = kind;
	return 0;
}

void pcifn_interrupts_off(struct pci_dev *d)
{
	const struct pci_caps *c = &d->caps;

	if (c->msi) {
		uint16_t ctrl = (uint16_t)pci_cfg_read(d, c->msi + PCI_MSI_CTRL, 2);

		pci_cfg_write(d, c->msi + PCI_MSI_CTRL, 2, ctrl & ~PCI_MSI_ENABLE);
	}
	if (c->msix) {
		uint16_t ctrl = (uint16_t)pci_cfg_read(d, c->msix + PCI_MSIX_CTRL, 2);

		pci_cfg_write(d, c->msix + PCI_MSIX_CTRL, 2, (ctrl | PCI_MSIX_FUNC_MASK) & ~PCI_MSIX_ENABLE);
	}
	pci_cmd_update(d, PCI_CMD_INTX_OFF, 0);
}
