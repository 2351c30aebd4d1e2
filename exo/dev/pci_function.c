/*
 * PciFunction: one claimed PCI function (docs/devices.md, "PCI
 * functions").  Every method decodes and checks all of its arguments
 * first; a failed call changes nothing.  Methods that make something the
 * device can use — bus mastering, a BAR mapping, ports, interrupts, DMA
 * pools — record the caller as a driver of the function, whose death
 * quiesces it (pci_claim.c).
 *
 * Errors:
 *   bar, map_bar, ioports  -CAPOS_ERANGE index > 5
 *   config_read/_write     -CAPOS_EINVAL width not 1, 2, 4 or offset not
 *                          aligned to it; -CAPOS_ERANGE past the config
 *                          space (256 bytes legacy, 4096 ECAM)
 *   config_write           -CAPOS_EPERM BARs, ROM, the header (but the
 *                          command register's I/O, memory and INTx-disable
 *                          bits and the status register), capability
 *                          headers, any byte of MSI or MSI-X
 *   set_bus_master         -CAPOS_EINVAL enable not 0 or 1
 *   map_bar                -CAPOS_ETYPE an I/O BAR; -CAPOS_ENOENT no BAR
 *                          there (unimplemented, the upper half of a
 *                          64-bit BAR, or unassigned); -CAPOS_EPERM a BAR
 *                          not made of whole pages (its page would expose
 *                          other registers), or EXEC asked; -CAPOS_EINVAL
 *                          bad prot or vaddr; address-space errors
 *   ioports                -CAPOS_ETYPE a memory BAR; -CAPOS_ENOENT none
 *   interrupt              -CAPOS_EINVAL unknown kind; -CAPOS_ENOENT the
 *                          function has no such capability or no INTx
 *                          line; -CAPOS_ERANGE index past its vectors
 *                          (MSI: only 0); -CAPOS_EBUSY interrupts of
 *                          another kind are in use
 *   dma_pool               -CAPOS_EINVAL pages 0 or addr_bits > 64;
 *                          -CAPOS_ERANGE more than CAPOS_DMA_POOL_MAX_PAGES;
 *                          -CAPOS_EQUOTA over the caller's frame quota;
 *                          -CAPOS_ENOMEM no contiguous run
 *   any                    -CAPOS_EQUOTA no capability slot for a result
 */
#include <capos/cap.h>
#include <capos/error.h>
#include <capos/iface.h>
#include <capos/prot.h>
#include "iface_kernel.h"
#include "ioport.h"
#include "kcall.h"
#include "pcifn.h"
#include "../kern/panic.h"
#include "../lib/string.h"
#include "../mm/mm.h"
#include "../proc/aspace.h"
#include "../proc/process.h"
#include "../proc/vma.h"

#define PAGE_MASK (PAGE_SIZE - 1)

static struct pcifn *call_fn(const struct kcall *call)
{
	KASSERT(call->obj->iface == CAPOS_IFACE_PCI_FUNCTION);
	return KOBJ_CONTAINER(call->obj, struct pcifn, base);
}

/* Grant obj (the caller keeps its own reference): the handle or an error. */
static int grant(struct kcall *call, struct kobj *obj, uint32_t *handle)
{
	int64_t h = kcall_grant(call, obj, CAPOS_RIGHT_ALL);

	if (h < 0)
		return (int)h;
	*handle = (uint32_t)h;
	return 0;
}

/* ------------------------------------------------------------ identity */

int kcap_pci_function_info(struct kcall *call, const struct capos_pci_function_info_in *in, uint32_t in_len,
			   struct capos_pci_function_info_out *out, uint32_t *out_len)
{
	const struct pcifn *fn = call_fn(call);
	const struct pci_dev *d = fn->dev;
	struct capos_pci_info info = {
		.id = d->id,
		.config_size = d->config_size,
		.cap_ptr = d->caps.cap_ptr,
		.msi_vectors = d->caps.msi ? d->caps.msi_vectors : 0,
		.msix_vectors = d->caps.msix ? d->caps.msix_vectors : 0,
		.msix_bar = d->caps.msix ? d->caps.msix_table_bar : 0,
		.msix_offset = d->caps.msix ? d->caps.msix_table_offset : 0,
		.intx_gsi = d->intx_gsi,
		.bus_master = pcifn_bus_master(fn),
	};

	(void)in; (void)in_len;
	memcpy(out->info, &info, sizeof info);
	*out_len = sizeof info;
	return 0;
}

int kcap_pci_function_bar(struct kcall *call, const struct capos_pci_function_bar_in *in, uint32_t in_len,
			  struct capos_pci_function_bar_out *out, uint32_t *out_len)
{
	const struct pci_bar *b;

	(void)in_len;
	*out_len = 0;
	if (in->index >= CAPOS_PCI_BARS)
		return -CAPOS_ERANGE;
	b = &call_fn(call)->dev->bars[in->index];
	out->size = b->size;
	out->kind = b->kind;
	out->flags = b->flags;
	*out_len = sizeof *out;
	return 0;
}

/* ------------------------------------------------------- configuration */

int kcap_pci_function_config_read(struct kcall *call, const struct capos_pci_function_config_read_in *in,
				  uint32_t in_len, struct capos_pci_function_config_read_out *out,
				  uint32_t *out_len)
{
	const struct pci_dev *d = call_fn(call)->dev;
	int err = pci_cfg_access_check(in->offset, in->width, d->config_size);

	(void)in_len;
	*out_len = 0;
	if (err)
		return err;
	out->value = pci_cfg_read(d, in->offset, in->width);
	*out_len = sizeof *out;
	return 0;
}

int kcap_pci_function_config_write(struct kcall *call, const struct capos_pci_function_config_write_in *in,
				   uint32_t in_len, struct capos_pci_function_config_write_out *out,
				   uint32_t *out_len)
{
	const struct pci_dev *d = call_fn(call)->dev;
	int err = pci_cfg_access_check(in->offset, in->width, d->config_size);

	(void)in_len; (void)out;
	*out_len = 0;
	if (!err && in->width < 4 && (in->value >> (8 * in->width)))
		err = -CAPOS_EINVAL;  /* bits the access cannot carry */
	if (!err)
		err = pci_cfg_write_check(&d->caps, in->offset, in->width, in->value,
					  (uint16_t)pci_cfg_read(d, PCI_CFG_COMMAND, 2));
	if (err)
		return err;
	pci_cfg_write(d, in->offset, in->width, in->value);
	return 0;
}

int kcap_pci_function_set_bus_master(struct kcall *call, const struct capos_pci_function_set_bus_master_in *in,
				     uint32_t in_len, struct capos_pci_function_set_bus_master_out *out,
				     uint32_t *out_len)
{
	struct pcifn *fn = call_fn(call);
	int err = in->enable > 1 ? -CAPOS_EINVAL : 0;

	(void)in_len; (void)out;
	*out_len = 0;
	if (!err && in->enable)
		err = pcifn_add_driver(fn, call->proc);
	if (err < 0)
		return err;
	if (in->enable) {
		pci_cmd_update(fn->dev, PCI_CMD_BUS_MASTER, 0);
		return 0;
	}
	pci_cmd_update(fn->dev, 0, PCI_CMD_BUS_MASTER);
	dma_pools_settle(fn, false);  /* pools released meanwhile can go now */
	return 0;
}

/* ----------------------------------------------------------------- BARs */

/* The BAR at index, as a mappable memory BAR or an I/O BAR (want_io). */
static int bar_lookup(const struct pci_dev *d, uint32_t index, bool want_io, const struct pci_bar **out)
{
	const struct pci_bar *b;

	if (index >= CAPOS_PCI_BARS)
		return -CAPOS_ERANGE;
	b = &d->bars[index];
	if (b->kind == CAPOS_BAR_NONE || b->base == 0)
		return -CAPOS_ENOENT;
	if ((b->kind == CAPOS_BAR_IO) != want_io)
		return -CAPOS_ETYPE;
	*out = b;
	return 0;
}

static int decode_map_bar(const struct pci_dev *d, const struct capos_pci_function_map_bar_in *in,
			  const struct pci_bar **b)
{
	int err = bar_lookup(d, in->index, false, b);

	if (!err && (((*b)->base & PAGE_MASK) || ((*b)->size & PAGE_MASK)))
		err = -CAPOS_EPERM;
	if (!err && (in->prot & CAPOS_PROT_EXEC))
		err = -CAPOS_EPERM;
	if (!err)
		err = vma_check_prot(in->prot);
	if (!err && in->vaddr)
		err = vma_check_range(in->vaddr, pci_bar_pages(*b));
	return err;
}

/* Add hole [first, end) to the sorted, disjoint list of holes. */
static void add_hole(uint64_t holes[2][2], uint32_t *n, uint64_t first, uint64_t end)
{
	if (first >= end)
		return;
	if (*n == 1 && first < holes[0][1] && end > holes[0][0]) {  /* overlap: merge */
		holes[0][0] = first < holes[0][0] ? first : holes[0][0];
		holes[0][1] = end > holes[0][1] ? end : holes[0][1];
		return;
	}
	holes[*n][0] = first;
	holes[*n][1] = end;
	if (++*n == 2 && holes[1][0] < holes[0][0]) {
		uint64_t t0 = holes[0][0], t1 = holes[0][1];

		holes[0][0] = holes[1][0];
		holes[0][1] = holes[1][1];
		holes[1][0] = t0;
		holes[1][1] = t1;
	}
}

/* The BAR as pieces: mapped pages, with the MSI-X table and PBA pages as
 * holes when they live in this BAR.  Returns the number of pieces. */
static uint32_t bar_pieces(const struct pci_dev *d, uint32_t index, const struct pci_bar *b,
			   struct aspace_piece *p)
{
	const struct pci_caps *c = &d->caps;
	uint64_t holes[2][2], pages = pci_bar_pages(b), at = 0, first, end;
	uint32_t nh = 0, n = 0;

	if (c->msix && c->msix_table_bar == index) {
		pci_msix_pages(c->msix_table_offset, (uint64_t)c->msix_vectors * PCI_MSIX_ENTRY_SIZE, pages,
			       &first, &end);
		add_hole(holes, &nh, first, end);
	}
	if (c->msix && c->msix_pba_bar == index) {
		pci_msix_pages(c->msix_pba_offset, ((uint64_t)c->msix_vectors + 63) / 64 * 8, pages, &first,
			       &end);
		add_hole(holes, &nh, first, end);
	}
	for (uint32_t h = 0; h < nh; h++) {
		if (holes[h][0] > at)
			p[n++] = (struct aspace_piece){ holes[h][0] - at, b->base + at * PAGE_SIZE, false };
		p[n++] = (struct aspace_piece){ holes[h][1] - holes[h][0], 0, true };
		at = holes[h][1];
	}
	if (at < pages)
		p[n++] = (struct aspace_piece){ pages - at, b->base + at * PAGE_SIZE, false };
	return n;
}

int kcap_pci_function_map_bar(struct kcall *call, const struct capos_pci_function_map_bar_in *in,
			      uint32_t in_len, struct capos_pci_function_map_bar_out *out, uint32_t *out_len)
{
	struct pcifn *fn = call_fn(call);
	struct aspace_piece pieces[5];
	const struct pci_bar *b;
	uint64_t va;
	uint32_t n;
	int added, err = decode_map_bar(fn->dev, in, &b);

	(void)in_len;
	*out_len = 0;
	if (err)
		return err;
	added = pcifn_add_driver(fn, call->proc);
	if (added < 0)
		return added;
	n = bar_pieces(fn->dev, in->index, b, pieces);
	err = aspace_map_device(process_aspace(call->proc), in->vaddr, pieces, n, in->prot, fn, &va);
	if (err) {
		if (added)
			pcifn_undo_driver(fn, call->proc);
		return err;
	}
	pci_cmd_update(fn->dev, PCI_CMD_MEMORY, 0);
	out->vaddr = va;
	out->pages = pci_bar_pages(b);
	*out_len = sizeof *out;
	return 0;
}

/* The range of I/O BAR index, made on first use and kept for revocation. */
static int ports_get(struct pcifn *fn, uint32_t index, const struct pci_bar *b, struct pcifn_ports **out)
{
	struct pcifn_ports *rec;

	for (rec = fn->ports; rec; rec = rec->next) {
		if (rec->bar == index) {
			*out = rec;
			return 0;
		}
	}
	rec = kzalloc(sizeof *rec);
	if (!rec)
		return -CAPOS_ENOMEM;
	rec->range = ioport_range_create((uint32_t)b->base, (uint32_t)b->size);
	if (!rec->range) {
		kfree(rec);
		return -CAPOS_ENOMEM;
	}
	rec->bar = index;
	rec->next = fn->ports;
	fn->ports = rec;
	pci_cmd_update(fn->dev, PCI_CMD_IO, 0);
	*out = rec;
	return 0;
}

int kcap_pci_function_ioports(struct kcall *call, const struct capos_pci_function_ioports_in *in,
			      uint32_t in_len, struct capos_pci_function_ioports_out *out, uint32_t *out_len)
{
	struct pcifn *fn = call_fn(call);
	struct pcifn_ports *rec;
	const struct pci_bar *b;
	int added, err = bar_lookup(fn->dev, in->index, true, &b);

	(void)in_len;
	*out_len = 0;
	if (err)
		return err;
	added = pcifn_add_driver(fn, call->proc);
	if (added < 0)
		return added;
	err = ports_get(fn, in->index, b, &rec);
	if (!err)
		err = grant(call, rec->range, &out->range);
	if (err) {
		if (added)
			pcifn_undo_driver(fn, call->proc);
		return err;
	}
	out->base = (uint32_t)b->base;
	out->count = (uint32_t)b->size;
	*out_len = sizeof *out;
	return 0;
}

/* ----------------------------------------------------------- interrupts */

static int decode_interrupt(const struct pcifn *fn, uint32_t kind, uint32_t index)
{
	const struct pci_dev *d = fn->dev;

	switch (kind) {
	case CAPOS_IRQ_KIND_INTX:
		if (d->id.irq_pin == 0 || d->intx_gsi == 0xffffffffu)
			return -CAPOS_ENOENT;
		if (index != 0)
			return -CAPOS_ERANGE;
		break;
	case CAPOS_IRQ_KIND_MSI:
		if (!d->caps.msi)
			return -CAPOS_ENOENT;
		if (index != 0)
			return -CAPOS_ERANGE;
		break;
	case CAPOS_IRQ_KIND_MSIX:
		if (!d->caps.msix)
			return -CAPOS_ENOENT;
		if (index >= d->caps.msix_vectors)
			return -CAPOS_ERANGE;
		break;
	default:
		return -CAPOS_EINVAL;
	}
	if (fn->irqs && fn->irq_kind != kind)
		return -CAPOS_EBUSY;
	return 0;
}

int kcap_pci_function_interrupt(struct kcall *call, const struct capos_pci_function_interrupt_in *in,
				uint32_t in_len, struct capos_pci_function_interrupt_out *out,
				uint32_t *out_len)
{
	struct pcifn *fn = call_fn(call);
	struct pcifn_irq *rec;
	struct kobj *irq;
	int added, err = decode_interrupt(fn, in->kind, in->index);

	(void)in_len;
	*out_len = 0;
	if (err)
		return err;
	added = pcifn_add_driver(fn, call->proc);
	if (added < 0)
		return added;
	for (rec = fn->irqs; rec && !(rec->kind == in->kind && rec->index == in->index); rec = rec->next)
		;
	irq = rec ? rec->irq : NULL;  /* the same Interrupt again */
	if (!irq)
		err = pcifn_interrupt_create(fn, in->kind, in->index, &irq);
	if (!err)
		err = grant(call, irq, &out->interrupt);
	if (err) {
		if (added)
			pcifn_undo_driver(fn, call->proc);
		return err;
	}
	*out_len = sizeof *out;
	return 0;
}

/* ------------------------------------------------------------ DMA pools */

int kcap_pci_function_dma_pool(struct kcall *call, const struct capos_pci_function_dma_pool_in *in,
			       uint32_t in_len, struct capos_pci_function_dma_pool_out *out, uint32_t *out_len)
{
	struct pcifn *fn = call_fn(call);
	struct kobj *pool;
	uint64_t device_addr;
	int added, err = 0;

	(void)in_len;
	*out_len = 0;
	if (in->pages == 0 || in->addr_bits > 64)
		return -CAPOS_EINVAL;
	if (in->pages > CAPOS_DMA_POOL_MAX_PAGES)
		return -CAPOS_ERANGE;
	added = pcifn_add_driver(fn, call->proc);
	if (added < 0)
		return added;
	err = dma_pool_create(fn, process_quota(call->proc), in->pages, in->addr_bits ? in->addr_bits : 64,
			      &pool, &device_addr);
	if (!err) {
		err = grant(call, pool, &out->pool);
		kobj_unref(pool);  /* the slot holds it; on failure this releases it */
	}
	if (err) {
		if (added)
			pcifn_undo_driver(fn, call->proc);
		return err;
	}
	out->device_addr = device_addr;
	*out_len = sizeof *out;
	return 0;
}
