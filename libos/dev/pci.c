/*
 * The PciFunction side of the driver helpers: config reads as a
 * capos_pci_cfg_read_fn, bus mastering, a memory BAR mapped into this process, and one
 * interrupt of the function chosen and unmasked.  Each is a thin layer
 * over the PciFunction methods (exo/iface/interfaces.def): the kernel
 * checks everything; these pick sensible arguments and turn results into
 * one struct.
 */
#include <capos/dev.h>
#include <capos/error.h>
#include <capos/prot.h>
#include <capos/rt.h>
#include <string.h>

int capos_pci_function_cfg_read(void *ctx, uint32_t offset, uint32_t width, uint32_t *value)
{
	struct capos_pci_function_config_read_in in = { .offset = offset, .width = width };
	struct capos_pci_function_config_read_out out = { 0 };
	int err = capos_pci_function_config_read(capos_ring(), *(const uint32_t *)ctx, &in, &out);

	*value = out.value;
	return err;
}

int capos_pci_bus_master(uint32_t fn, int enable)
{
	struct capos_pci_function_set_bus_master_in in = { .enable = enable ? 1 : 0 };

	return capos_pci_function_set_bus_master(capos_ring(), fn, &in);
}

int capos_pci_bar_map(uint32_t fn, uint32_t index, struct capos_pci_bar *bar)
{
	struct capos_pci_function_bar_in bin = { .index = index };
	struct capos_pci_function_bar_out bout = { 0 };
	struct capos_pci_function_map_bar_in min = { .index = index, .vaddr = 0,
						     .prot = CAPOS_PROT_READ | CAPOS_PROT_WRITE };
	struct capos_pci_function_map_bar_out mout = { 0 };
	int err = capos_pci_function_bar(capos_ring(), fn, &bin, &bout);

	if (err)
		return err;
	if ((bout.kind != CAPOS_BAR_MEM32 && bout.kind != CAPOS_BAR_MEM64) || bout.size == 0)
		return -CAPOS_EINVAL;
	err = capos_pci_function_map_bar(capos_ring(), fn, &min, &mout);
	if (err)
		return err;
	*bar = (struct capos_pci_bar){ .base = (volatile uint8_t *)(uintptr_t)mout.vaddr, .size = bout.size,
				       .pages = mout.pages, .index = index, .kind = bout.kind };
	return 0;
}

int capos_pci_bar_unmap(struct capos_pci_bar *bar)
{
	int err;

	if (!bar->base)
		return 0;
	err = capos_pages_free((void *)(uintptr_t)bar->base, bar->pages);
	if (!err)
		bar->base = NULL;
	return err;
}

/* The kind to use: the one asked for if the function has it, else the best it has. */
static int pick_kind(const struct capos_pci_info *info, uint32_t want, uint32_t index, uint32_t *kind)
{
	uint32_t vectors;

	if (!want)
		want = info->msix_vectors ? CAPOS_IRQ_KIND_MSIX : info->msi_vectors ? CAPOS_IRQ_KIND_MSI
		     : CAPOS_IRQ_KIND_INTX;
	switch (want) {
	case CAPOS_IRQ_KIND_MSIX:
		vectors = info->msix_vectors;
		break;
	case CAPOS_IRQ_KIND_MSI:
		vectors = info->msi_vectors;
		break;
	case CAPOS_IRQ_KIND_INTX:
		vectors = info->id.irq_pin ? 1 : 0;
		break;
	default:
		return -CAPOS_EINVAL;
	}
	if (!vectors)
		return -CAPOS_ENOENT;
	if (index >= vectors)
		return -CAPOS_ERANGE;
	*kind = want;
	return 0;
}

int capos_pci_irq_setup(uint32_t fn, uint32_t kind, uint32_t index, uint32_t *irq, uint32_t *kind_out)
{
	struct capos_pci_function_info_out info = { 0 };
	struct capos_pci_function_interrupt_in in = { .index = index };
	struct capos_pci_function_interrupt_out out = { 0 };
	struct capos_pci_info fi;
	int err = capos_pci_function_info(capos_ring(), fn, &info, NULL);

	if (err)
		return err;
	memcpy(&fi, info.info, sizeof fi);
	if ((err = pick_kind(&fi, kind, index, &in.kind)))
		return err;
	if ((err = capos_pci_function_interrupt(capos_ring(), fn, &in, &out)))
		return err;
	/* A new Interrupt may start masked; unmask is idempotent, so make sure. */
	if ((err = capos_interrupt_unmask(capos_ring(), out.interrupt))) {
		capos_release(capos_ring(), out.interrupt);
		return err;
	}
	*irq = out.interrupt;
	if (kind_out)
		*kind_out = in.kind;
	return 0;
}
