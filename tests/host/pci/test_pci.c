/*
 * Host tests for exo/dev/pci_parse.c: BARs decoded from the values a
 * sizing probe reads back (I/O, 32- and 64-bit memory, prefetchable,
 * unimplemented, a 64-bit BAR with no upper slot), capability walks over
 * hand-built configuration images (MSI in its four shapes, MSI-X, the
 * extended list, and lists that loop or point out of bounds), the
 * config-write filter byte by byte, access checks and the match rule.
 */
#include <stdint.h>
#include <string.h>
#include <capos/error.h>
#include "check.h"
#include "dev/pci_parse.h"

static uint8_t cfg[4096];

static void put16(uint32_t off, uint16_t v) { cfg[off] = (uint8_t)v; cfg[off + 1] = (uint8_t)(v >> 8); }
static void put32(uint32_t off, uint32_t v) { put16(off, (uint16_t)v); put16(off + 2, (uint16_t)(v >> 16)); }

static struct pci_cfg_image image(uint32_t size) { return (struct pci_cfg_image){ cfg, size }; }

/* A type-0 header with the capability list bit and first pointer set. */
static void header(uint8_t cap_ptr)
{
	memset(cfg, 0, sizeof cfg);
	put32(0, 0x11e81234);
	put16(PCI_CFG_STATUS, cap_ptr ? PCI_STATUS_CAPS : 0);
	cfg[PCI_CFG_CAP_PTR] = cap_ptr;
}

static void cap(uint32_t off, uint8_t id, uint8_t next) { cfg[off] = id; cfg[off + 1] = next; }

static void test_bar_io(void)
{
	struct pci_bar b;

	CHECK_EQ(pci_bar_decode(0, 0xc001, 0xffffffe1, 0, 0, &b), 1);
	CHECK_EQ(b.kind, CAPOS_BAR_IO);
	CHECK_EQ(b.base, 0xc000);
	CHECK_EQ(b.size, 32);
	/* a device decoding 16 address bits reads back zeros above them */
	CHECK_EQ(pci_bar_decode(0, 0xc001, 0x0000fff1, 0, 0, &b), 1);
	CHECK_EQ(b.size, 16);
	CHECK_EQ(pci_bar_decode(0, 0x1, 0x1, 0, 0, &b), 1);
	CHECK_EQ(b.kind, CAPOS_BAR_NONE);
}

static void test_bar_mem(void)
{
	struct pci_bar b;

	CHECK_EQ(pci_bar_decode(0, 0xfea00000, 0xfff00000, 0, 0, &b), 1);
	CHECK_EQ(b.kind, CAPOS_BAR_MEM32);
	CHECK_EQ(b.base, 0xfea00000);
	CHECK_EQ(b.size, 0x100000);
	CHECK_EQ(b.flags, 0);
	CHECK_EQ(pci_bar_decode(2, 0xfe00000c, 0xffffc00c, 0x1, 0xffffffff, &b), 2);
	CHECK_EQ(b.kind, CAPOS_BAR_MEM64);
	CHECK_EQ(b.base, 0x1fe000000ull);
	CHECK_EQ(b.size, 0x4000);
	CHECK_EQ(b.flags, CAPOS_BAR_F_PREFETCHABLE);
	/* 64-bit BAR larger than 4 GiB */
	CHECK_EQ(pci_bar_decode(0, 0x0000000c, 0x0000000c, 0x80, 0xfffffffe, &b), 2);
	CHECK_EQ(b.size, 0x200000000ull);
	CHECK_EQ(b.base, 0x8000000000ull);
	/* unimplemented */
	CHECK_EQ(pci_bar_decode(0, 0, 0, 0, 0, &b), 1);
	CHECK_EQ(b.kind, CAPOS_BAR_NONE);
	CHECK_EQ(b.size, 0);
	CHECK_EQ(pci_bar_decode(0, 0x4, 0x4, 0, 0, &b), 2);  /* 64-bit, no size bits */
	CHECK_EQ(b.kind, CAPOS_BAR_NONE);
	/* a 64-bit BAR in the last slot has no upper half */
	CHECK_EQ(pci_bar_decode(5, 0xfe000004, 0xfffff004, 0, 0, &b), 1);
	CHECK_EQ(b.kind, CAPOS_BAR_NONE);
}

static void test_caps_msi_shapes(void)
{
	static const struct { uint16_t ctrl; uint8_t len; uint32_t vectors; } shapes[] = {
		{ 0x0000, 10, 1 }, { 0x0080, 14, 1 }, { 0x0100 | 0x0004, 20, 4 }, { 0x0180 | 0x000a, 24, 32 },
		{ 0x000e, 10, 32 },  /* reserved count 7: clipped to 32 */
	};
	struct pci_caps c;

	for (unsigned i = 0; i < sizeof shapes / sizeof shapes[0]; i++) {
		struct pci_cfg_image img = image(256);

		header(0x40);
		cap(0x40, PCI_CAP_MSI, 0);
		put16(0x42, shapes[i].ctrl);
		pci_caps_walk(&img, &c);
		CHECK_EQ(c.cap_ptr, 0x40);
		CHECK_EQ(c.msi, 0x40);
		CHECK_EQ(c.msi_len, shapes[i].len);
		CHECK_EQ(c.msi_vectors, shapes[i].vectors);
		CHECK(!c.truncated);
	}
}

static void test_caps_msix_and_chain(void)
{
	struct pci_cfg_image img = image(256);
	struct pci_caps c;

	header(0x50);
	cap(0x50, 0x01, 0x60);                /* power management */
	cap(0x60, PCI_CAP_MSIX, 0x41);        /* low bits of a pointer are ignored */
	put16(0x62, 0x001f);                  /* 32 vectors */
	put32(0x64, 0x00002001);              /* table in BAR 1 at 0x2000 */
	put32(0x68, 0x00003001);              /* PBA in BAR 1 at 0x3000 */
	cap(0x40, PCI_CAP_MSI, 0);
	pci_caps_walk(&img, &c);
	CHECK_EQ(c.count, 3);
	CHECK_EQ(c.at[0], 0x50);
	CHECK_EQ(c.at[1], 0x60);
	CHECK_EQ(c.at[2], 0x40);
	CHECK_EQ(c.msix, 0x60);
	CHECK_EQ(c.msix_vectors, 32);
	CHECK_EQ(c.msix_table_bar, 1);
	CHECK_EQ(c.msix_table_offset, 0x2000);
	CHECK_EQ(c.msix_pba_bar, 1);
	CHECK_EQ(c.msix_pba_offset, 0x3000);
	CHECK_EQ(c.msi, 0x40);
	CHECK(!c.truncated);
	/* no list bit: nothing, whatever the pointer says */
	put16(PCI_CFG_STATUS, 0);
	pci_caps_walk(&img, &c);
	CHECK_EQ(c.count, 0);
	CHECK_EQ(c.msix, 0);
}

static void test_caps_hostile(void)
{
	struct pci_cfg_image img = image(256);
	struct pci_caps c;

	header(0x40);
	cap(0x40, 0x09, 0x44);
	cap(0x44, 0x09, 0x40);                /* a loop */
	pci_caps_walk(&img, &c);
	CHECK(c.truncated);
	CHECK_EQ(c.count, 2);
	header(0x40);
	cap(0x40, 0x09, 0x10);                /* into the header */
	pci_caps_walk(&img, &c);
	CHECK(c.truncated);
	header(0x3c);                         /* first pointer in the header */
	pci_caps_walk(&img, &c);
	CHECK(c.truncated);
	CHECK_EQ(c.count, 0);
	header(0xfc);                         /* the last dword: its next byte is 0xfd */
	cap(0xfc, PCI_CAP_MSI, 0);
	pci_caps_walk(&img, &c);
	CHECK(!c.truncated);
	CHECK_EQ(c.msi, 0xfc);
	header(0x40);                         /* a self-loop */
	cap(0x40, 0x09, 0x40);
	pci_caps_walk(&img, &c);
	CHECK(c.truncated);
	CHECK_EQ(c.count, 1);
}

static void test_caps_extended(void)
{
	struct pci_cfg_image img = image(4096);
	struct pci_caps c;

	header(0);
	put32(0x100, (0x140u << 20) | (1u << 16) | 0x0001);   /* AER -> 0x140 */
	put32(0x140, (0x000u << 20) | (1u << 16) | 0x000b);   /* vendor-specific, end */
	pci_caps_walk(&img, &c);
	CHECK_EQ(c.count, 2);
	CHECK_EQ(c.at[0], 0x100);
	CHECK_EQ(c.at[1], 0x140);
	CHECK(!c.truncated);
	put32(0x140, (0x100u << 20) | 0x000b);                 /* loop back */
	pci_caps_walk(&img, &c);
	CHECK(c.truncated);
	put32(0x140, (0x080u << 20) | 0x000b);                 /* into the standard space */
	pci_caps_walk(&img, &c);
	CHECK(c.truncated);
	/* the legacy 256-byte space has no extended list */
	img = image(256);
	pci_caps_walk(&img, &c);
	CHECK_EQ(c.count, 0);
}

static void test_write_filter(void)
{
	struct pci_cfg_image img = image(4096);
	struct pci_caps c;
	uint16_t cmd = PCI_CMD_MEMORY;

	header(0x40);
	cap(0x40, PCI_CAP_MSI, 0x50);
	put16(0x42, 0x0080);                  /* 64-bit: 14 bytes */
	cap(0x50, 0x09, 0x60);                /* vendor-specific, 16 bytes */
	cap(0x60, PCI_CAP_MSIX, 0);
	put32(0x100, (0x000u << 20) | 0x000b);
	pci_caps_walk(&img, &c);
	/* BARs, ROM, header fields */
	for (uint32_t off = 0x10; off < 0x28; off += 4)
		CHECK_EQ(pci_cfg_write_check(&c, off, 4, 0xffffffff, cmd), -CAPOS_EPERM);
	CHECK_EQ(pci_cfg_write_check(&c, 0x30, 4, 0, cmd), -CAPOS_EPERM);
	CHECK_EQ(pci_cfg_write_check(&c, 0x34, 1, 0x50, cmd), -CAPOS_EPERM);
	CHECK_EQ(pci_cfg_write_check(&c, 0x00, 2, 0, cmd), -CAPOS_EPERM);
	CHECK_EQ(pci_cfg_write_check(&c, 0x3c, 1, 5, cmd), -CAPOS_EPERM);
	CHECK_EQ(pci_cfg_write_check(&c, 0x0c, 1, 0x10, cmd), -CAPOS_EPERM);
	/* the command register: decode and INTx only, bus master never */
	CHECK_EQ(pci_cfg_write_check(&c, 0x04, 2, PCI_CMD_MEMORY | PCI_CMD_IO, cmd), 0);
	CHECK_EQ(pci_cfg_write_check(&c, 0x04, 2, PCI_CMD_INTX_OFF, cmd), 0);
	CHECK_EQ(pci_cfg_write_check(&c, 0x04, 2, PCI_CMD_MEMORY | PCI_CMD_BUS_MASTER, cmd), -CAPOS_EPERM);
	CHECK_EQ(pci_cfg_write_check(&c, 0x04, 1, PCI_CMD_BUS_MASTER, cmd), -CAPOS_EPERM);
	CHECK_EQ(pci_cfg_write_check(&c, 0x04, 2, 1u << 8, cmd), -CAPOS_EPERM);   /* SERR# */
	CHECK_EQ(pci_cfg_write_check(&c, 0x05, 1, 0x04, cmd), 0);                /* INTx off, high byte */
	/* a read-modify-write keeping bus master as it is passes */
	CHECK_EQ(pci_cfg_write_check(&c, 0x04, 2, PCI_CMD_BUS_MASTER | PCI_CMD_IO,
				     PCI_CMD_BUS_MASTER), 0);
	/* command + status in one dword: status is write-one-to-clear */
	CHECK_EQ(pci_cfg_write_check(&c, 0x04, 4, 0xf9000002u, cmd), 0);
	CHECK_EQ(pci_cfg_write_check(&c, 0x06, 2, 0xffff, cmd), 0);
	/* every byte of MSI and MSI-X, every capability header */
	for (uint32_t off = 0x40; off < 0x4e; off++)
		CHECK_EQ(pci_cfg_write_check(&c, off, 1, 0, cmd), -CAPOS_EPERM);
	for (uint32_t off = 0x60; off < 0x6c; off++)
		CHECK_EQ(pci_cfg_write_check(&c, off, 1, 0, cmd), -CAPOS_EPERM);
	CHECK_EQ(pci_cfg_write_check(&c, 0x50, 1, 0, cmd), -CAPOS_EPERM);
	CHECK_EQ(pci_cfg_write_check(&c, 0x51, 1, 0, cmd), -CAPOS_EPERM);
	CHECK_EQ(pci_cfg_write_check(&c, 0x100, 4, 0, cmd), -CAPOS_EPERM);
	/* a wide write touching MSI from outside */
	CHECK_EQ(pci_cfg_write_check(&c, 0x4c, 4, 0, cmd), -CAPOS_EPERM);
	/* vendor space outside them */
	CHECK_EQ(pci_cfg_write_check(&c, 0x52, 2, 0xabcd, cmd), 0);
	CHECK_EQ(pci_cfg_write_check(&c, 0x54, 4, 0x12345678, cmd), 0);
	CHECK_EQ(pci_cfg_write_check(&c, 0x4e, 2, 0, cmd), 0);
	CHECK_EQ(pci_cfg_write_check(&c, 0x6c, 4, 0, cmd), 0);
	CHECK_EQ(pci_cfg_write_check(&c, 0x104, 4, 0, cmd), 0);
	/* a broken list fails closed */
	c.truncated = true;
	CHECK_EQ(pci_cfg_write_check(&c, 0x54, 4, 0, cmd), -CAPOS_EPERM);
	CHECK_EQ(pci_cfg_write_check(&c, 0x04, 2, PCI_CMD_MEMORY, cmd), 0);
}

static void test_write_filter_resets(void)
{
	struct pci_cfg_image img = image(256);
	struct pci_caps c;

	header(0x40);
	cap(0x40, PCI_CAP_PM, 0x50);
	cap(0x50, PCI_CAP_PCIE, 0);
	pci_caps_walk(&img, &c);
	CHECK_EQ(c.pm, 0x40);
	CHECK_EQ(c.pcie, 0x50);
	CHECK_EQ(pci_cfg_write_check(&c, 0x44, 2, 0x0003, 0), -CAPOS_EPERM);   /* to D3hot */
	CHECK_EQ(pci_cfg_write_check(&c, 0x45, 1, 0x80, 0), -CAPOS_EPERM);     /* PME status */
	CHECK_EQ(pci_cfg_write_check(&c, 0x46, 2, 0, 0), 0);
	CHECK_EQ(pci_cfg_write_check(&c, 0x58, 2, 0x8000, 0), -CAPOS_EPERM);   /* function-level reset */
	CHECK_EQ(pci_cfg_write_check(&c, 0x59, 1, 0x80, 0), -CAPOS_EPERM);
	CHECK_EQ(pci_cfg_write_check(&c, 0x58, 2, 0x2010, 0), 0);              /* other device control bits */
	CHECK_EQ(pci_cfg_write_check(&c, 0x58, 4, 0xffff7fff, 0), 0);
}

static void test_access_check(void)
{
	CHECK_EQ(pci_cfg_access_check(0, 4, 256), 0);
	CHECK_EQ(pci_cfg_access_check(0xfc, 4, 256), 0);
	CHECK_EQ(pci_cfg_access_check(0xff, 1, 256), 0);
	CHECK_EQ(pci_cfg_access_check(0x100, 1, 256), -CAPOS_ERANGE);
	CHECK_EQ(pci_cfg_access_check(0xffc, 4, 4096), 0);
	CHECK_EQ(pci_cfg_access_check(0x1000, 4, 4096), -CAPOS_ERANGE);
	CHECK_EQ(pci_cfg_access_check(0xfffffffc, 4, 4096), -CAPOS_ERANGE);
	CHECK_EQ(pci_cfg_access_check(2, 4, 256), -CAPOS_EINVAL);
	CHECK_EQ(pci_cfg_access_check(1, 2, 256), -CAPOS_EINVAL);
	CHECK_EQ(pci_cfg_access_check(0, 3, 256), -CAPOS_EINVAL);
	CHECK_EQ(pci_cfg_access_check(0, 8, 256), -CAPOS_EINVAL);
	CHECK_EQ(pci_cfg_access_check(0, 0, 256), -CAPOS_EINVAL);
}

static void test_match(void)
{
	struct capos_pci_entry e = { .vendor = 0x1234, .device = 0x11e8, .class_code = 0x00ff00 };

	CHECK(pci_match(&e, 0x1234, 0x11e8, 0, 0));
	CHECK(pci_match(&e, CAPOS_PCI_ANY, CAPOS_PCI_ANY, 0, 0));
	CHECK(pci_match(&e, 0x1234, CAPOS_PCI_ANY, 0, 0));
	CHECK(!pci_match(&e, 0x1af4, CAPOS_PCI_ANY, 0, 0));
	CHECK(!pci_match(&e, 0x1234, 0x11e9, 0, 0));
	CHECK(pci_match(&e, CAPOS_PCI_ANY, CAPOS_PCI_ANY, 0x00ff00, 0xffff00));
	CHECK(pci_match(&e, CAPOS_PCI_ANY, CAPOS_PCI_ANY, 0x000000, 0xff0000));
	CHECK(!pci_match(&e, CAPOS_PCI_ANY, CAPOS_PCI_ANY, 0x020000, 0xff0000));
}

static void test_msix_pages(void)
{
	uint64_t first, end;

	pci_msix_pages(0x0, 32 * 16, 256, &first, &end);
	CHECK_EQ(first, 0);
	CHECK_EQ(end, 1);
	pci_msix_pages(0x800, 0x1000, 256, &first, &end);   /* straddles two pages */
	CHECK_EQ(first, 0);
	CHECK_EQ(end, 2);
	pci_msix_pages(0x3000, 8, 256, &first, &end);
	CHECK_EQ(first, 3);
	CHECK_EQ(end, 4);
	pci_msix_pages(0xfff000, 0x8000, 4, &first, &end);  /* past the BAR: clipped */
	CHECK_EQ(first, 4);
	CHECK_EQ(end, 4);
}

int main(void)
{
	RUN(test_bar_io);
	RUN(test_bar_mem);
	RUN(test_caps_msi_shapes);
	RUN(test_caps_msix_and_chain);
	RUN(test_caps_hostile);
	RUN(test_caps_extended);
	RUN(test_write_filter);
	RUN(test_write_filter_resets);
	RUN(test_access_check);
	RUN(test_match);
	RUN(test_msix_pages);
	return check_done();
}
