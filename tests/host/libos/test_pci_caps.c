/*
 * Host tests of the PCI capability walk (libos/dev/pci_caps.c) over a fake
 * 4 KiB config space: lists in order, finding by id and after an offset,
 * no list, extended capabilities, and every hostile shape — a loop, a
 * pointer into the header or past the end, a list longer than fits, a
 * failing read — refused without looping.
 */
#include <string.h>
#include "check.h"
#include <capos/dev.h>
#include <capos/error.h>

struct fake {
	uint8_t cfg[4096];
	uint32_t reads;
	uint32_t fail_at;     /* a read at this offset fails (0: none) */
};

static int fake_read(void *ctx, uint32_t offset, uint32_t width, uint32_t *value)
{
	struct fake *f = ctx;

	f->reads++;
	if (f->fail_at && offset == f->fail_at)
		return -CAPOS_EIO;
	if (offset + width > sizeof f->cfg || offset % width)
		return -CAPOS_ERANGE;
	*value = 0;
	memcpy(value, f->cfg + offset, width);
	return 0;
}

/* A function with a list: ids in order at the given offsets, each pointing to the next. */
static void make_list(struct fake *f, const uint8_t *ids, const uint8_t *offs, int n)
{
	memset(f, 0, sizeof *f);
	f->cfg[0x06] = 0x10;                 /* status: capability list */
	f->cfg[0x34] = n ? offs[0] : 0;
	for (int i = 0; i < n; i++) {
		f->cfg[offs[i]] = ids[i];
		f->cfg[offs[i] + 1] = i + 1 < n ? offs[i + 1] : 0;
	}
}

struct seen {
	uint8_t ids[64], offs[64];
	int n;
};

static int record(void *vctx, uint8_t id, uint8_t offset)
{
	struct seen *s = vctx;

	s->ids[s->n] = id;
	s->offs[s->n++] = offset;
	return 0;
}

static void test_walk_in_order(void)
{
	static const uint8_t ids[] = { CAPOS_PCI_CAP_PCIE, CAPOS_PCI_CAP_MSIX, CAPOS_PCI_CAP_MSI };
	static const uint8_t offs[] = { 0x80, 0x40, 0xa0 };
	struct fake f;
	struct seen s = { .n = 0 };

	make_list(&f, ids, offs, 3);
	CHECK_EQ(capos_pci_cap_walk(fake_read, &f, record, &s), 0);
	CHECK_EQ(s.n, 3);
	CHECK_EQ(s.ids[0], CAPOS_PCI_CAP_PCIE);
	CHECK_EQ(s.offs[1], 0x40);
	CHECK_EQ(s.offs[2], 0xa0);
}

static void test_find(void)
{
	static const uint8_t ids[] = { 0x09, 0x05, 0x09, 0x11 };
	static const uint8_t offs[] = { 0x40, 0x50, 0x60, 0x70 };
	struct fake f;
	uint8_t off = 0;

	make_list(&f, ids, offs, 4);
	CHECK_EQ(capos_pci_cap_find(fake_read, &f, CAPOS_PCI_CAP_MSIX, 0, &off), 0);
	CHECK_EQ(off, 0x70);
	CHECK_EQ(capos_pci_cap_find(fake_read, &f, CAPOS_PCI_CAP_VENDOR, 0, &off), 0);
	CHECK_EQ(off, 0x40);
	CHECK_EQ(capos_pci_cap_find(fake_read, &f, CAPOS_PCI_CAP_VENDOR, 0x40, &off), 0);   /* the next one */
	CHECK_EQ(off, 0x60);
	CHECK_EQ(capos_pci_cap_find(fake_read, &f, CAPOS_PCI_CAP_VENDOR, 0x60, &off), -CAPOS_ENOENT);
	CHECK_EQ(capos_pci_cap_find(fake_read, &f, CAPOS_PCI_CAP_PCIE, 0, &off), -CAPOS_ENOENT);
}

static void test_no_list(void)
{
	struct fake f;
	struct seen s = { .n = 0 };
	uint8_t off;

	make_list(&f, NULL, NULL, 0);
	CHECK_EQ(capos_pci_cap_walk(fake_read, &f, record, &s), -CAPOS_ENOENT);   /* status bit, null pointer */
	f.cfg[0x06] = 0;
	f.cfg[0x34] = 0x40;                                                  /* a pointer, but no status bit */
	CHECK_EQ(capos_pci_cap_walk(fake_read, &f, record, &s), -CAPOS_ENOENT);
	CHECK_EQ(capos_pci_cap_find(fake_read, &f, CAPOS_PCI_CAP_MSI, 0, &off), -CAPOS_ENOENT);
	CHECK_EQ(s.n, 0);
}

/* The low two bits of every pointer are reserved and ignored. */
static void test_reserved_pointer_bits(void)
{
	static const uint8_t ids[] = { 0x05, 0x11 };
	static const uint8_t offs[] = { 0x40, 0x48 };
	struct fake f;
	uint8_t off;

	make_list(&f, ids, offs, 2);
	f.cfg[0x34] |= 3;
	f.cfg[0x41] |= 2;
	CHECK_EQ(capos_pci_cap_find(fake_read, &f, CAPOS_PCI_CAP_MSIX, 0, &off), 0);
	CHECK_EQ(off, 0x48);
}

static void test_loops_refused(void)
{
	static const uint8_t ids[] = { 0x05, 0x09, 0x11 };
	static const uint8_t offs[] = { 0x40, 0x50, 0x60 };
	struct fake f;
	struct seen s = { .n = 0 };
	uint8_t off;

	make_list(&f, ids, offs, 3);
	f.cfg[0x61] = 0x50;                                    /* back to the second */
	CHECK_EQ(capos_pci_cap_walk(fake_read, &f, record, &s), -CAPOS_EFORMAT);
	CHECK_EQ(s.n, 3);
	f.cfg[0x61] = 0x60;                                    /* to itself */
	CHECK_EQ(capos_pci_cap_find(fake_read, &f, 0x99, 0, &off), -CAPOS_EFORMAT);
	CHECK(f.reads < 64);
}

static void test_bad_pointers_refused(void)
{
	static const uint8_t ids[] = { 0x05 };
	static const uint8_t offs[] = { 0x40 };
	struct fake f;
	uint8_t off;

	make_list(&f, ids, offs, 1);
	f.cfg[0x41] = 0x10;                                    /* into the header */
	CHECK_EQ(capos_pci_cap_find(fake_read, &f, 0x11, 0, &off), -CAPOS_EFORMAT);
	f.cfg[0x34] = 0x3c;
	CHECK_EQ(capos_pci_cap_find(fake_read, &f, 0x11, 0, &off), -CAPOS_EFORMAT);
}

/* The longest honest list (48 entries at every dword) walks; it cannot be longer without a repeat. */
static void test_longest_list(void)
{
	uint8_t ids[48], offs[48];
	struct fake f;
	struct seen s = { .n = 0 };

	for (int i = 0; i < 48; i++) {
		ids[i] = (uint8_t)(i + 1);
		offs[i] = (uint8_t)(0x40 + 4 * i);
	}
	make_list(&f, ids, offs, 48);
	CHECK_EQ(capos_pci_cap_walk(fake_read, &f, record, &s), 0);
	CHECK_EQ(s.n, 48);
	CHECK_EQ(s.offs[47], 0xfc);
}

static void test_read_error_passed_on(void)
{
	static const uint8_t ids[] = { 0x05, 0x11 };
	static const uint8_t offs[] = { 0x40, 0x48 };
	struct fake f;
	uint8_t off;

	make_list(&f, ids, offs, 2);
	f.fail_at = 0x49;
	CHECK_EQ(capos_pci_cap_find(fake_read, &f, 0x11, 0, &off), -CAPOS_EIO);
	f.fail_at = 0x06;
	CHECK_EQ(capos_pci_cap_find(fake_read, &f, 0x11, 0, &off), -CAPOS_EIO);
}

static void put32(struct fake *f, uint32_t off, uint32_t v)
{
	memcpy(f->cfg + off, &v, 4);
}

static void test_extended(void)
{
	struct fake f;
	uint32_t off = 0;

	memset(&f, 0, sizeof f);
	put32(&f, 0x100, 0x0001u | (1u << 16) | (0x148u << 20));   /* AER -> 0x148 */
	put32(&f, 0x148, 0x000bu | (1u << 16) | (0x200u << 20));   /* vendor-specific -> 0x200 */
	put32(&f, 0x200, 0x0010u | (1u << 16));                    /* SR-IOV, last */
	CHECK_EQ(capos_pci_ext_cap_find(fake_read, &f, 4096, 0x0010, &off), 0);
	CHECK_EQ(off, 0x200);
	CHECK_EQ(capos_pci_ext_cap_find(fake_read, &f, 4096, 0x000b, &off), 0);
	CHECK_EQ(off, 0x148);
	CHECK_EQ(capos_pci_ext_cap_find(fake_read, &f, 4096, 0x0002, &off), -CAPOS_ENOENT);
	CHECK_EQ(capos_pci_ext_cap_find(fake_read, &f, 256, 0x0001, &off), -CAPOS_ENOENT);  /* legacy ports */
	put32(&f, 0x200, 0x0010u | (0x148u << 20));                /* loop back */
	CHECK_EQ(capos_pci_ext_cap_find(fake_read, &f, 4096, 0x0002, &off), -CAPOS_EFORMAT);
	put32(&f, 0x200, 0x0010u | (0x0fcu << 20));                /* into the classic space */
	CHECK_EQ(capos_pci_ext_cap_find(fake_read, &f, 4096, 0x0002, &off), -CAPOS_EFORMAT);
	put32(&f, 0x100, 0);
	CHECK_EQ(capos_pci_ext_cap_find(fake_read, &f, 4096, 0x0001, &off), -CAPOS_ENOENT);
}

int main(void)
{
	RUN(test_walk_in_order);
	RUN(test_find);
	RUN(test_no_list);
	RUN(test_reserved_pointer_bits);
	RUN(test_loops_refused);
	RUN(test_bad_pointers_refused);
	RUN(test_longest_list);
	RUN(test_read_error_passed_on);
	RUN(test_extended);
	return check_done();
}
