/*
 * Walking a PCI function's capability lists through config reads (any
 * reader: PciFunction.config_read, or a fake config space in the host
 * tests).  The lists live in memory the device (or a hostile emulation)
 * controls, so the walk trusts nothing: every pointer must stay inside
 * the list's region and on a dword boundary, no capability is visited
 * twice, and the number of steps is bounded by how many can fit.
 *
 *   classic   status bit 4, first pointer at 0x34 (low two bits ignored,
 *             as the spec reserves them), entries in 0x40..0xff:
 *             byte 0 id, byte 1 next
 *   extended  PCIe only (config space 4096), from 0x100: dword header
 *             id[15:0] version[19:16] next[31:20]; a zero header ends it
 */
#include <capos/dev.h>
#include <capos/error.h>

#define CLASSIC_FIRST 0x40u
#define CLASSIC_MAX (256u - CLASSIC_FIRST) / 4u     /* 48 entries fit */
#define EXT_FIRST 0x100u
#define STATUS_CAP_LIST 0x10u

/* The first classic pointer, or 0 when the function has no list. */
static int first_pointer(capos_pci_cfg_read_fn read, void *ctx, uint32_t *ptr)
{
	uint32_t status, p;
	int err = read(ctx, 0x06, 2, &status);

	if (err)
		return err;
	if (!(status & STATUS_CAP_LIST)) {
		*ptr = 0;
		return 0;
	}
	err = read(ctx, 0x34, 1, &p);
	*ptr = p & 0xfc;
	return err;
}

int capos_pci_cap_walk(capos_pci_cfg_read_fn read, void *ctx,
		       int (*visit)(void *vctx, uint8_t id, uint8_t offset), void *vctx)
{
	uint64_t seen = 0;              /* bit (offset - 0x40) / 4 */
	uint32_t ptr;
	int err = first_pointer(read, ctx, &ptr);

	if (err)
		return err;
	if (!ptr)
		return -CAPOS_ENOENT;
	for (uint32_t steps = 0; ptr; steps++) {
		uint32_t id, next, slot = (ptr - CLASSIC_FIRST) / 4;
		int stop;

		if (ptr < CLASSIC_FIRST || ptr > 0xfc || steps >= CLASSIC_MAX || (seen & (1ull << slot)))
			return -CAPOS_EFORMAT;
		seen |= 1ull << slot;
		if ((err = read(ctx, ptr, 1, &id)) || (err = read(ctx, ptr + 1, 1, &next)))
			return err;
		stop = visit(vctx, (uint8_t)id, (uint8_t)ptr);
		if (stop)
			return stop;
		ptr = next & 0xfc;
	}
	return 0;
}

struct find {
	uint8_t id, after, found;
	int past;                       /* `after` has been passed (or was 0) */
};

static int find_visit(void *vctx, uint8_t id, uint8_t offset)
{
	struct find *f = vctx;

	if (f->past && id == f->id) {
		f->found = offset;
		return 1;
	}
	if (offset == f->after)
		f->past = 1;
	return 0;
}

int capos_pci_cap_find(capos_pci_cfg_read_fn read, void *ctx, uint8_t id, uint8_t after, uint8_t *offset)
{
	struct find f = { .id = id, .after = after, .past = after == 0 };
	int err = capos_pci_cap_walk(read, ctx, find_visit, &f);

	if (err == 1) {
		*offset = f.found;
		return 0;
	}
	return err ? err : -CAPOS_ENOENT;
}

int capos_pci_ext_cap_find(capos_pci_cfg_read_fn read, void *ctx, uint32_t config_size, uint16_t id,
			   uint32_t *offset)
{
	uint64_t seen[(4096 - EXT_FIRST) / 4 / 64] = { 0 };
	uint32_t ptr = EXT_FIRST;

	if (config_size <= EXT_FIRST || config_size > 4096)
		return -CAPOS_ENOENT;
	for (uint32_t steps = 0; ptr; steps++) {
		uint32_t hdr, slot = (ptr - EXT_FIRST) / 4;
		int err;

		if (ptr < EXT_FIRST || ptr + 4 > config_size || steps >= (config_size - EXT_FIRST) / 4 ||
		    (seen[slot / 64] & (1ull << (slot % 64))))
			return -CAPOS_EFORMAT;
		seen[slot / 64] |= 1ull << (slot % 64);
		if ((err = read(ctx, ptr, 4, &hdr)))
			return err;
		if (hdr == 0 || hdr == 0xffffffffu)
			return -CAPOS_ENOENT;   /* an empty list, or no device answering */
		if ((hdr & 0xffff) == id) {
			*offset = ptr;
			return 0;
		}
		ptr = (hdr >> 20) & 0xffc;
	}
	return -CAPOS_ENOENT;
}
