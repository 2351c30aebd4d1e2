/*
 * Pure PCI decoding: BARs, capability lists, the config-write filter and
 * the claim match rule; see pci_parse.h.
 */
#include <capos/error.h>
#include "pci_parse.h"

#define BAR_IO_FLAG    0x1u
#define BAR_MEM_TYPE   0x6u
#define BAR_MEM_64     0x4u
#define BAR_MEM_PREF   0x8u
#define EXT_CAP_START  0x100u

/* ------------------------------------------------------------------ BARs */

static uint32_t bar_decode_io(uint32_t orig, uint32_t probe, struct pci_bar *out)
{
	uint32_t mask = probe & ~3u;

	if (mask == 0)
		return 1;
	if ((mask & 0xffff0000u) == 0)
		mask |= 0xffff0000u;  /* a device decoding 16 address bits leaves the top clear */
	out->kind = CAPOS_BAR_IO;
	out->base = orig & ~3u;
	out->size = (uint64_t)(uint32_t)(~mask + 1);
	return 1;
}

uint32_t pci_bar_decode(uint32_t index, uint32_t orig, uint32_t probe, uint32_t orig_hi,
			uint32_t probe_hi, struct pci_bar *out)
{
	uint64_t mask, base;
	bool is64 = (orig & BAR_MEM_TYPE) == BAR_MEM_64;

	*out = (struct pci_bar){ 0 };
	if (orig & BAR_IO_FLAG)
		return bar_decode_io(orig, probe, out);
	if (is64 && index + 1 >= CAPOS_PCI_BARS)
		return 1;  /* no slot for the upper half: unusable */
	mask = probe & ~0xfu;
	base = orig & ~0xfu;
	if (is64) {
		mask |= (uint64_t)probe_hi << 32;
		base |= (uint64_t)orig_hi << 32;
	} else {
		mask |= 0xffffffff00000000ull;
	}
	if (mask == 0 || mask == 0xffffffff00000000ull)
		return is64 ? 2 : 1;
	out->kind = is64 ? CAPOS_BAR_MEM64 : CAPOS_BAR_MEM32;
	out->flags = (orig & BAR_MEM_PREF) ? CAPOS_BAR_F_PREFETCHABLE : 0;
	out->base = base;
	out->size = ~mask + 1;
	return is64 ? 2 : 1;
}

/* ------------------------------------------------------------ capabilities */

static uint8_t img8(const struct pci_cfg_image *img, uint32_t off)
{
	return off < img->size ? img->bytes[off] : 0xff;
}

static uint16_t img16(const struct pci_cfg_image *img, uint32_t off)
{
	return (uint16_t)(img8(img, off) | (img8(img, off + 1) << 8));
}

static uint32_t img32(const struct pci_cfg_image *img, uint32_t off)
{
	return (uint32_t)img16(img, off) | ((uint32_t)img16(img, off + 2) << 16);
}

static void caps_note(struct pci_caps *c, uint32_t off)
{
	if (c->count < PCI_CAPS_MAX)
		c->at[c->count++] = (uint16_t)off;
	else
		c->truncated = true;
}

static void caps_msi(const struct pci_cfg_image *img, uint32_t off, struct pci_caps *c)
{
	uint16_t ctrl = img16(img, off + PCI_MSI_CTRL);

	if (c->msi)
		return;  /* a second one is ignored; its bytes stay protected as a header */
	c->msi = (uint16_t)off;
	c->msi_64bit = (ctrl & PCI_MSI_64BIT) != 0;
	c->msi_maskable = (ctrl & PCI_MSI_MASKABLE) != 0;
	c->msi_vectors = 1u << (((ctrl >> 1) & 7u) > 5 ? 5 : ((ctrl >> 1) & 7u));
	c->msi_len = (uint8_t)((c->msi_64bit ? 14 : 10) + (c->msi_maskable ? 10 : 0));
}

static void caps_msix(const struct pci_cfg_image *img, uint32_t off, struct pci_caps *c)
{
	uint32_t table = img32(img, off + PCI_MSIX_TABLE), pba = img32(img, off + PCI_MSIX_PBA);

	if (c->msix)
		return;
	c->msix = (uint16_t)off;
	c->msix_vectors = (img16(img, off + PCI_MSIX_CTRL) & 0x7ffu) + 1;
	c->msix_table_bar = (uint8_t)(table & 7u);
	c->msix_table_offset = table & ~7u;
	c->msix_pba_bar = (uint8_t)(pba & 7u);
	c->msix_pba_offset = pba & ~7u;
}

/* The standard list: pointers in [0x40, 0xfc], dword aligned (the low two
 * bits are reserved and ignored), each visited once. */
static void caps_walk_standard(const struct pci_cfg_image *img, struct pci_caps *c)
{
	uint64_t seen = 0;  /* one bit per dword 0x40..0xfc */
	uint32_t off;

	if (!(img16(img, PCI_CFG_STATUS) & PCI_STATUS_CAPS))
		return;
	off = img8(img, PCI_CFG_CAP_PTR) & 0xfcu;
	c->cap_ptr = (uint8_t)off;
	while (off != 0) {
		uint32_t bit = (off - PCI_CFG_HEADER_END) / 4;
		uint8_t id;

		if (off < PCI_CFG_HEADER_END || off > 0xfc || (seen & (1ull << bit))) {
			c->truncated = true;
			return;
		}
		seen |= 1ull << bit;
		id = img8(img, off);
		caps_note(c, off);
		if (id == PCI_CAP_MSI)
			caps_msi(img, off, c);
		else if (id == PCI_CAP_MSIX)
			caps_msix(img, off, c);
		else if (id == PCI_CAP_PM && !c->pm)
			c->pm = (uint16_t)off;
		else if (id == PCI_CAP_PCIE && !c->pcie)
			c->pcie = (uint16_t)off;
		off = img8(img, off + 1) & 0xfcu;
	}
}

/* The extended list: a 4 KiB space only; an all-zero or all-ones first
 * header means there is none.  Bounded by the dwords a header can use. */
static void caps_walk_extended(const struct pci_cfg_image *img, struct pci_caps *c)
{
	uint32_t off = EXT_CAP_START;

	if (img->size < PCI_CFG_ECAM_SIZE)
		return;
	for (uint32_t n = 0; n < (PCI_CFG_ECAM_SIZE - EXT_CAP_START) / 4; n++) {
		uint32_t hdr = img32(img, off);

		if (hdr == 0 || hdr == 0xffffffffu)
			return;
		caps_note(c, off);
		off = (hdr >> 20) & 0xffcu;
		if (off == 0)
			return;
		if (off < EXT_CAP_START) {
			c->truncated = true;
			return;
		}
	}
	c->truncated = true;  /* more hops than places: a loop */
}

void pci_caps_walk(const struct pci_cfg_image *img, struct pci_caps *out)
{
	*out = (struct pci_caps){ 0 };
	caps_walk_standard(img, out);
	caps_walk_extended(img, out);
}

/* ---------------------------------------------------------------- filter */

int pci_cfg_access_check(uint32_t offset, uint32_t width, uint32_t size)
{
	if (width != 1 && width != 2 && width != 4)
		return -CAPOS_EINVAL;
	if (offset & (width - 1))
		return -CAPOS_EINVAL;
	if (offset >= size || width > size - offset)
		return -CAPOS_ERANGE;
	return 0;
}

static bool in_range(uint32_t byte, uint32_t start, uint32_t len)
{
	return byte >= start && byte - start < len;
}

/* Is this byte of the device-specific area writable with value v? */
static bool cfg_byte_writable(const struct pci_caps *c, uint32_t byte, uint8_t v)
{
	if (c->truncated)
		return false;
	if (c->pm && in_range(byte, c->pm + PCI_PM_CTRL, 2))
		return false;
	if (c->pcie && byte == c->pcie + PCI_PCIE_DEVCTL + 1u && (v & PCI_PCIE_FLR))
		return false;
	if (c->msi && in_range(byte, c->msi, c->msi_len))
		return false;
	if (c->msix && in_range(byte, c->msix, PCI_MSIX_CAP_LEN))
		return false;
	for (uint32_t i = 0; i < c->count; i++) {
		uint32_t hdr = c->at[i] >= EXT_CAP_START ? 4 : 2;  /* ID and next pointer */

		if (in_range(byte, c->at[i], hdr))
			return false;
	}
	return true;
}

/* Command register bits a process may change itself: decode and INTx. */
#define CMD_WRITABLE (PCI_CMD_IO | PCI_CMD_MEMORY | PCI_CMD_INTX_OFF)

int pci_cfg_write_check(const struct pci_caps *caps, uint32_t offset, uint32_t width, uint32_t value,
			uint16_t cur_command)
{
	for (uint32_t i = 0; i < width; i++) {
		uint32_t byte = offset + i;
		uint8_t v = (uint8_t)(value >> (8 * i));

		if (byte == PCI_CFG_COMMAND || byte == PCI_CFG_COMMAND + 1) {
			uint32_t shift = 8 * (byte - PCI_CFG_COMMAND);
			uint8_t cur = (uint8_t)(cur_command >> shift);
			uint8_t allowed = (uint8_t)(CMD_WRITABLE >> shift);

			if ((v ^ cur) & ~allowed)
				return -CAPOS_EPERM;
		} else if (byte == PCI_CFG_STATUS || byte == PCI_CFG_STATUS + 1) {
			continue;  /* write-one-to-clear error bits */
		} else if (byte < PCI_CFG_HEADER_END || !cfg_byte_writable(caps, byte, v)) {
			return -CAPOS_EPERM;
		}
	}
	return 0;
}

/* ----------------------------------------------------------------- match */

bool pci_match(const struct capos_pci_entry *e, uint16_t vendor, uint16_t device, uint32_t class_code,
	       uint32_t class_mask)
{
	if (vendor != CAPOS_PCI_ANY && vendor != e->vendor)
		return false;
	if (device != CAPOS_PCI_ANY && device != e->device)
		return false;
	return ((e->class_code ^ class_code) & class_mask) == 0;
}

void pci_msix_pages(uint32_t off, uint64_t bytes, uint64_t bar_pages, uint64_t *first, uint64_t *end)
{
	uint64_t f = off / 4096u, e = ((uint64_t)off + bytes + 4095u) / 4096u;

	*first = f < bar_pages ? f : bar_pages;
	*end = e < bar_pages ? e : bar_pages;
}
