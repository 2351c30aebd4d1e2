/*
 * Host tests for the pure ACPI parsers (exo/acpi/acpi_parse.c,
 * acpi_madt.c, acpi_fadt.c, aml_s5.c).  Tables are built by hand in a
 * small fake physical memory, with real checksums, and the parsers are
 * run over them: valid layouts, every encoding the \_S5 scan accepts,
 * and broken inputs (bad checksum, truncation, bad entry lengths,
 * pointers outside memory) with the error each must give.
 */
#include <stdint.h>
#include <string.h>
#include <capos/error.h>
#include "check.h"
#include "acpi/acpi_parse.h"

#define MEM_BASE 0x100000u
#define MEM_SIZE 0x10000u

static uint8_t mem[MEM_SIZE];

static const uint8_t *fake_map(void *ctx, uint64_t phys, uint64_t len)
{
	(void)ctx;
	if (phys < MEM_BASE || len > MEM_SIZE || phys - MEM_BASE > MEM_SIZE - len)
		return NULL;
	return mem + (phys - MEM_BASE);
}

static const struct acpi_mem fake_mem = { fake_map, NULL };

static uint8_t *at(uint64_t phys) { return mem + (phys - MEM_BASE); }

static void put16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); }
static void put32(uint8_t *p, uint32_t v) { put16(p, (uint16_t)v); put16(p + 2, (uint16_t)(v >> 16)); }
static void put64(uint8_t *p, uint64_t v) { put32(p, (uint32_t)v); put32(p + 4, (uint32_t)(v >> 32)); }

static void fix_checksum(uint8_t *p, size_t len, size_t field)
{
	p[field] = 0;
	p[field] = (uint8_t)(0x100 - acpi_checksum(p, len));
}

/* A table header with the given body length; checksum fixed by seal(). */
static uint8_t *table(uint64_t phys, const char *sig, uint32_t len)
{
	uint8_t *t = at(phys);

	memset(t, 0, len);
	memcpy(t, sig, 4);
	put32(t + 4, len);
	t[8] = 2;
	memcpy(t + 10, "CAPOST", 6);
	return t;
}

static void seal(uint8_t *t) { fix_checksum(t, acpi_get32(t + 4), 9); }

static void rsdp_v2(uint64_t phys, uint64_t rsdt, uint64_t xsdt)
{
	uint8_t *p = at(phys);

	memset(p, 0, 36);
	memcpy(p, "RSD PTR ", 8);
	memcpy(p + 9, "CAPOS ", 6);
	p[15] = 2;
	put32(p + 16, (uint32_t)rsdt);
	put32(p + 20, 36);
	put64(p + 24, xsdt);
	fix_checksum(p, 20, 8);
	fix_checksum(p, 36, 32);
}

static void test_checksum(void)
{
	uint8_t b[4] = { 0x10, 0x20, 0x30, 0xa0 };

	CHECK_EQ(acpi_checksum(b, 4), 0);
	b[3] = 0xa1;
	CHECK_EQ(acpi_checksum(b, 4), 1);
	CHECK_EQ(acpi_checksum(b, 0), 0);
}

static void test_rsdp(void)
{
	struct acpi_rsdp r;
	uint8_t *p = at(MEM_BASE);

	rsdp_v2(MEM_BASE, 0x101000, 0x102000);
	CHECK_EQ(acpi_rsdp_parse(p, 36, &r), 0);
	CHECK_EQ(r.revision, 2);
	CHECK_EQ(r.rsdt_phys, 0x101000);
	CHECK_EQ(r.xsdt_phys, 0x102000);
	CHECK_STR(r.oem_id, "CAPOS ");
	CHECK_EQ(acpi_rsdp_parse(p, 20, &r), -CAPOS_ETRUNC);   /* v2 needs 36 bytes */
	p[33] ^= 1;                                            /* reserved byte: only the extended sum sees it */
	CHECK_EQ(acpi_rsdp_parse(p, 36, &r), -CAPOS_EFORMAT);
	p[33] ^= 1;
	p[0] = 'r';
	CHECK_EQ(acpi_rsdp_parse(p, 36, &r), -CAPOS_EFORMAT);
	p[0] = 'R';
	p[15] = 0;                                             /* ACPI 1.0: 20 bytes, no XSDT */
	fix_checksum(p, 20, 8);
	CHECK_EQ(acpi_rsdp_parse(p, 20, &r), 0);
	CHECK_EQ(r.xsdt_phys, 0);
	CHECK_EQ(acpi_rsdp_parse(p, 19, &r), -CAPOS_ETRUNC);
}

static void test_table_check(void)
{
	uint8_t *t = table(MEM_BASE, "TEST", 40);

	seal(t);
	CHECK_EQ(acpi_table_check(t, 40, "TEST"), 0);
	CHECK_EQ(acpi_table_check(t, 40, NULL), 0);
	CHECK_EQ(acpi_table_check(t, 40, "APIC"), -CAPOS_EFORMAT);
	CHECK_EQ(acpi_table_check(t, 39, "TEST"), -CAPOS_ETRUNC);
	CHECK_EQ(acpi_table_check(t, 20, "TEST"), -CAPOS_ETRUNC);
	t[38] ^= 0x40;
	CHECK_EQ(acpi_table_check(t, 40, "TEST"), -CAPOS_EFORMAT);
	put32(t + 4, 20);  /* shorter than a header */
	CHECK_EQ(acpi_table_check(t, 40, "TEST"), -CAPOS_EFORMAT);
}

/* MADT: 2 enabled CPUs (one also as x2APIC), one disabled, IOAPIC, 2 overrides, LAPIC override. */
static uint32_t build_madt(uint64_t phys)
{
	uint8_t *t = table(phys, "APIC", 44 + 8 * 3 + 12 + 10 * 2 + 12 + 16);
	uint8_t *e = t + 44;

	put32(t + 36, 0xfee00000);
	put32(t + 40, 1);
	for (int i = 0; i < 3; i++, e += 8) {
		e[0] = 0; e[1] = 8; e[2] = (uint8_t)i; e[3] = (uint8_t)i;
		put32(e + 4, i == 2 ? 0 : 1);
	}
	e[0] = 1; e[1] = 12; e[2] = 7; put32(e + 4, 0xfec00000); put32(e + 8, 0); e += 12;
	e[0] = 2; e[1] = 10; e[2] = 0; e[3] = 0; put32(e + 4, 2); put16(e + 8, 0); e += 10;
	e[0] = 2; e[1] = 10; e[2] = 0; e[3] = 9; put32(e + 4, 9); put16(e + 8, 0xd); e += 10;
	e[0] = 5; e[1] = 12; put64(e + 4, 0x1fee00000ull); e += 12;
	e[0] = 9; e[1] = 16; put32(e + 4, 1); put32(e + 8, 1);
	seal(t);
	return acpi_get32(t + 4);
}

static void test_madt(void)
{
	struct acpi_info info = { 0 };
	uint32_t len = build_madt(MEM_BASE);
	uint8_t *t = at(MEM_BASE);

	CHECK_EQ(acpi_madt_parse(t, len, &info), 0);
	CHECK_EQ(info.lapic_phys, 0x1fee00000ull);
	CHECK_EQ(info.cpu_count, 2);
	CHECK_EQ(info.cpu_apic_id[0], 0);
	CHECK_EQ(info.cpu_apic_id[1], 1);
	CHECK_EQ(info.cpu_disabled_count, 1);
	CHECK_EQ(info.ioapic_count, 1);
	CHECK_EQ(info.ioapic[0].id, 7);
	CHECK_EQ(info.ioapic[0].phys, 0xfec00000);
	CHECK_EQ(info.iso_count, 2);
	CHECK_EQ(info.iso[0].bus_irq, 0);
	CHECK_EQ(info.iso[0].gsi, 2);
	CHECK_EQ(info.iso[1].bus_irq, 9);
	CHECK_EQ(info.iso[1].flags, 0xd);
}

static void test_madt_broken(void)
{
	struct acpi_info info = { 0 };
	uint32_t len = build_madt(MEM_BASE);
	uint8_t *t = at(MEM_BASE);

	t[44 + 1] = 0;  /* zero-length entry would loop forever */
	CHECK_EQ(acpi_madt_parse(t, len, &info), -CAPOS_EFORMAT);
	t[44 + 1] = 4;  /* shorter than a processor entry */
	CHECK_EQ(acpi_madt_parse(t, len, &info), -CAPOS_EFORMAT);
	t[44 + 1] = 8;
	CHECK_EQ(acpi_madt_parse(t, len - 1, &info), -CAPOS_ETRUNC);  /* last entry runs past the end */
	CHECK_EQ(acpi_madt_parse(t, 43, &info), -CAPOS_ETRUNC);
	CHECK_EQ(info.cpu_count, 0);  /* nothing written on failure */
	CHECK_EQ(info.lapic_phys, 0);
}

static void gas_io(uint8_t *g, uint64_t port, uint8_t bits)
{
	g[0] = 1; g[1] = bits; g[2] = 0; g[3] = 2;
	put64(g + 4, port);
}

static uint8_t *build_fadt(uint64_t phys, uint32_t len, uint64_t dsdt)
{
	uint8_t *t = table(phys, "FACP", len);

	put32(t + 40, (uint32_t)dsdt);
	put16(t + 46, 9);
	put32(t + 48, 0xb2);
	t[52] = 0xf1;
	put32(t + 64, 0x404);
	put32(t + 76, 0x408);
	t[91] = 4;
	return t;
}

static void test_fadt_v1(void)
{
	struct acpi_info info = { 0 };
	uint8_t *t = build_fadt(MEM_BASE, 116, 0x105000);

	seal(t);
	CHECK_EQ(acpi_fadt_parse(t, 116, &info), 0);
	CHECK_EQ(info.pm_timer_port, 0x408);
	CHECK(!info.pm_timer_32bit);
	CHECK_EQ(info.pm1a_cnt_port, 0x404);
	CHECK_EQ(info.pm1b_cnt_port, 0);
	CHECK_EQ(info.dsdt_phys, 0x105000);
	CHECK_EQ(info.sci_irq, 9);
	CHECK_EQ(info.smi_cmd_port, 0xb2);
	CHECK_EQ(info.acpi_enable_value, 0xf1);
	t[91] = 2;  /* a PM timer block must be 4 bytes */
	CHECK_EQ(acpi_fadt_parse(t, 116, &info), 0);
	CHECK_EQ(info.pm_timer_port, 0);
	CHECK_EQ(acpi_fadt_parse(t, 115, &info), -CAPOS_ETRUNC);
}

static void test_fadt_x_fields(void)
{
	struct acpi_info info = { 0 };
	uint8_t *t = build_fadt(MEM_BASE, 276, 0x105000);

	put32(t + 112, 1u << 8);            /* TMR_VAL_EXT */
	put64(t + 140, 0x2105000ull);       /* X_DSDT wins */
	gas_io(t + 172, 0x604, 16);         /* X_PM1a_CNT_BLK */
	gas_io(t + 184, 0x704, 16);         /* X_PM1b_CNT_BLK */
	gas_io(t + 208, 0x608, 32);         /* X_PM_TMR_BLK */
	t[91] = 0;                          /* legacy length ignored when X_ is used */
	seal(t);
	CHECK_EQ(acpi_fadt_parse(t, 276, &info), 0);
	CHECK_EQ(info.pm_timer_port, 0x608);
	CHECK(info.pm_timer_32bit);
	CHECK_EQ(info.pm1a_cnt_port, 0x604);
	CHECK_EQ(info.pm1b_cnt_port, 0x704);
	CHECK_EQ(info.dsdt_phys, 0x2105000ull);
	t[172] = 0;                          /* X_PM1a in memory space: fall back to legacy */
	gas_io(t + 208, 0x12345, 32);        /* I/O port out of range: absent */
	CHECK_EQ(acpi_fadt_parse(t, 276, &info), 0);
	CHECK_EQ(info.pm1a_cnt_port, 0x404);
	CHECK_EQ(info.pm_timer_port, 0);
}

static int s5(const uint8_t *aml, size_t len, uint16_t *a, uint16_t *b)
{
	*a = *b = 0xffff;
	return acpi_s5_find(aml, len, a, b);
}

static void test_s5_encodings(void)
{
	/* QEMU style: Name(_S5, Package(4){Zero, Zero, Zero, Zero}) */
	static const uint8_t zeros[] = { 0x10, 0x08, 0x08, '_', 'S', '5', '_', 0x12, 0x06, 0x04, 0, 0, 0, 0 };
	/* Name(\_S5, Package(){0x05, 0x07}) with BytePrefix */
	static const uint8_t bytes[] = { 0x08, '\\', '_', 'S', '5', '_', 0x12, 0x06, 0x02, 0x0a, 0x05, 0x0a, 0x07 };
	/* OneOp and WordPrefix */
	static const uint8_t mixed[] = { 0x08, '_', 'S', '5', '_', 0x12, 0x06, 0x02, 0x01, 0x0b, 0x03, 0x00 };
	/* two-byte PkgLength (lead 0x40 | low nibble) */
	static const uint8_t longlen[] = { 0x08, '_', 'S', '5', '_', 0x12, 0x46, 0x00, 0x02, 0x0a, 0x06, 0x00 };
	/* one element: SLP_TYPb = SLP_TYPa */
	static const uint8_t single[] = { 0x08, '_', 'S', '5', '_', 0x12, 0x04, 0x01, 0x0a, 0x03 };
	uint16_t a, b;

	CHECK_EQ(s5(zeros, sizeof zeros, &a, &b), 0);
	CHECK_EQ(a, 0);
	CHECK_EQ(b, 0);
	CHECK_EQ(s5(bytes, sizeof bytes, &a, &b), 0);
	CHECK_EQ(a, 5);
	CHECK_EQ(b, 7);
	CHECK_EQ(s5(mixed, sizeof mixed, &a, &b), 0);
	CHECK_EQ(a, 1);
	CHECK_EQ(b, 3);
	CHECK_EQ(s5(longlen, sizeof longlen, &a, &b), 0);
	CHECK_EQ(a, 6);
	CHECK_EQ(b, 0);
	CHECK_EQ(s5(single, sizeof single, &a, &b), 0);
	CHECK_EQ(a, 3);
	CHECK_EQ(b, 3);
}

static void test_s5_scan_rules(void)
{
	/* A reference to _S5_ (no NameOp before it) comes first and must be skipped. */
	static const uint8_t ref_then_name[] = {
		0x70, '_', 'S', '5', '_', 0x60,
		0x08, '_', 'S', '5', '_', 0x12, 0x05, 0x02, 0x0a, 0x05, 0x00 };
	static const uint8_t no_s5[] = { 0x08, '_', 'S', '4', '_', 0x12, 0x04, 0x02, 0x00, 0x00 };
	static const uint8_t truncated[] = { 0x08, '_', 'S', '5', '_', 0x12, 0x06, 0x02, 0x0a };
	static const uint8_t too_big[] = { 0x08, '_', 'S', '5', '_', 0x12, 0x05, 0x02, 0x0a, 0x08, 0x00 };
	static const uint8_t not_int[] = { 0x08, '_', 'S', '5', '_', 0x12, 0x05, 0x02, 0x0d, 0x41, 0x00 };
	static const uint8_t empty_pkg[] = { 0x08, '_', 'S', '5', '_', 0x12, 0x02, 0x00 };
	/* Method(_S5) { Return (Zero) }: its PkgLength byte 0x08 looks like NameOp, but no package follows. */
	static const uint8_t method[] = { 0x14, 0x08, '_', 'S', '5', '_', 0x00, 0xa4, 0x00 };
	uint16_t a, b;

	CHECK_EQ(s5(ref_then_name, sizeof ref_then_name, &a, &b), 0);
	CHECK_EQ(a, 5);
	CHECK_EQ(s5(no_s5, sizeof no_s5, &a, &b), -CAPOS_ENOENT);
	CHECK_EQ(s5(truncated, sizeof truncated, &a, &b), -CAPOS_ETRUNC);
	CHECK_EQ(s5(too_big, sizeof too_big, &a, &b), -CAPOS_EFORMAT);
	CHECK_EQ(s5(not_int, sizeof not_int, &a, &b), -CAPOS_EFORMAT);
	CHECK_EQ(s5(empty_pkg, sizeof empty_pkg, &a, &b), -CAPOS_EFORMAT);
	CHECK_EQ(s5(method, sizeof method, &a, &b), -CAPOS_EFORMAT);
	CHECK_EQ(s5(ref_then_name, 3, &a, &b), -CAPOS_ENOENT);
}

/* Physical layout of the synthetic machine. */
#define P_RSDP 0x100000u
#define P_RSDT 0x100100u
#define P_XSDT 0x100200u
#define P_FADT 0x100400u
#define P_MADT 0x100600u
#define P_HPET 0x100800u
#define P_DSDT 0x100a00u
#define P_BAD  0x100c00u

static void build_machine(void)
{
	static const uint8_t aml[] = { 0x08, '_', 'S', '5', '_', 0x12, 0x06, 0x02, 0x0a, 0x05, 0x0a, 0x05 };
	uint8_t *t;

	memset(mem, 0, sizeof mem);
	rsdp_v2(P_RSDP, P_RSDT, P_XSDT);
	t = table(P_XSDT, "XSDT", 36 + 5 * 8);
	put64(t + 36, P_FADT);
	put64(t + 44, P_MADT);
	put64(t + 52, P_HPET);
	put64(t + 60, P_BAD);
	put64(t + 68, 0x900000000ull);  /* outside memory */
	seal(t);
	t = table(P_RSDT, "RSDT", 36 + 2 * 4);
	put32(t + 36, P_FADT);
	put32(t + 40, P_MADT);
	seal(t);
	t = build_fadt(P_FADT, 244, P_DSDT);
	gas_io(t + 172, 0x604, 16);
	gas_io(t + 208, 0x608, 32);
	seal(t);
	build_madt(P_MADT);
	t = table(P_HPET, "HPET", 56);
	put64(t + 44, 0xfed00000);
	seal(t);
	t = table(P_DSDT, "DSDT", 36 + sizeof aml);
	memcpy(t + 36, aml, sizeof aml);
	seal(t);
	t = table(P_BAD, "SSDT", 40);
	seal(t);
	t[39] ^= 1;  /* checksum now wrong */
}

static void test_walk_xsdt(void)
{
	struct acpi_info info;

	build_machine();
	CHECK_EQ(acpi_parse(&fake_mem, P_RSDP, &info), 0);
	CHECK(info.xsdt);
	CHECK_EQ(info.revision, 2);
	CHECK_STR(info.oem_id, "CAPOS ");
	CHECK_EQ(info.table_count, 5);
	CHECK_STR(info.table_sig[0], "FACP");
	CHECK_STR(info.table_sig[1], "APIC");
	CHECK_STR(info.table_sig[2], "HPET");
	CHECK_STR(info.table_sig[3], "SSDT");
	CHECK_STR(info.table_sig[4], "????");
	CHECK_EQ(info.bad_table_count, 2);
	CHECK(info.madt_present && info.fadt_present);
	CHECK_EQ(info.cpu_count, 2);
	CHECK_EQ(info.pm_timer_port, 0x608);
	CHECK_EQ(info.pm1a_cnt_port, 0x604);
	CHECK_EQ(info.hpet_phys, 0xfed00000);
	CHECK(info.s5_known);
	CHECK_EQ(info.slp_typ_s5a, 5);
	CHECK_EQ(info.slp_typ_s5b, 5);
}

static void test_walk_fallbacks(void)
{
	struct acpi_info info;

	build_machine();
	at(P_XSDT)[40] ^= 1;  /* broken XSDT: use the RSDT */
	CHECK_EQ(acpi_parse(&fake_mem, P_RSDP, &info), 0);
	CHECK(!info.xsdt);
	CHECK_EQ(info.table_count, 2);
	CHECK(info.fadt_present && info.madt_present);
	CHECK_EQ(info.hpet_phys, 0);
	at(P_RSDT)[40] ^= 1;  /* both broken */
	CHECK_EQ(acpi_parse(&fake_mem, P_RSDP, &info), -CAPOS_EFORMAT);
	CHECK_EQ(acpi_parse(&fake_mem, 0x50, &info), -CAPOS_EFAULT);
	build_machine();
	at(P_DSDT)[36 + 3] = 'X';  /* the DSDT checksum breaks: S5 unknown, the rest still parses */
	CHECK_EQ(acpi_parse(&fake_mem, P_RSDP, &info), 0);
	CHECK(info.fadt_present);
	CHECK(!info.s5_known);
}

/* An MCFG with n entries at phys; entry i covers buses [0, 255] of segment i. */
static uint8_t *build_mcfg(uint64_t phys, uint32_t n)
{
	uint8_t *t = table(phys, "MCFG", 44 + 16 * n);

	for (uint32_t i = 0; i < n; i++) {
		uint8_t *e = t + 44 + 16 * i;

		put64(e, 0xb0000000ull + ((uint64_t)i << 28));
		put16(e + 8, (uint16_t)i);
		e[10] = 0;
		e[11] = 0xff;
	}
	seal(t);
	return t;
}

static void test_mcfg(void)
{
	struct acpi_info info = { 0 };
	uint8_t *t = build_mcfg(0x108000, 2);

	CHECK_EQ(acpi_mcfg_parse(t, 44 + 32, &info), 0);
	CHECK_EQ(info.ecam_count, 2);
	CHECK_EQ(info.ecam[0].base, 0xb0000000);
	CHECK_EQ(info.ecam[1].base, 0xc0000000);
	CHECK_EQ(info.ecam[1].segment, 1);
	CHECK_EQ(info.ecam[0].bus_start, 0);
	CHECK_EQ(info.ecam[0].bus_end, 0xff);
	/* more entries than the record holds: the first ACPI_MAX_ECAM are kept */
	t = build_mcfg(0x108000, ACPI_MAX_ECAM + 2);
	CHECK_EQ(acpi_mcfg_parse(t, 44 + 16 * (ACPI_MAX_ECAM + 2), &info), 0);
	CHECK_EQ(info.ecam_count, ACPI_MAX_ECAM);
}

static void test_mcfg_broken(void)
{
	struct acpi_info info = { 0 };
	uint8_t *t = build_mcfg(0x108000, 1);

	CHECK_EQ(acpi_mcfg_parse(t, 43, &info), -CAPOS_ETRUNC);       /* shorter than the header */
	CHECK_EQ(acpi_mcfg_parse(t, 44 + 15, &info), -CAPOS_ETRUNC);  /* a partial entry */
	t[44 + 10] = 5;
	t[44 + 11] = 4;                                               /* end bus below start bus */
	CHECK_EQ(acpi_mcfg_parse(t, 60, &info), -CAPOS_EFORMAT);
	t = build_mcfg(0x108000, 1);
	put64(t + 44, 0xb0001000);                                    /* not 1 MiB aligned */
	CHECK_EQ(acpi_mcfg_parse(t, 60, &info), -CAPOS_EFORMAT);
	put64(t + 44, 0);                                             /* no base */
	CHECK_EQ(acpi_mcfg_parse(t, 60, &info), -CAPOS_EFORMAT);
	put64(t + 44, (1ull << 52) - (1ull << 20));                  /* the window runs past 2^52 */
	CHECK_EQ(acpi_mcfg_parse(t, 60, &info), -CAPOS_EFORMAT);
	CHECK_EQ(info.ecam_count, 0);                                 /* nothing written on failure */
	t = build_mcfg(0x108000, 0);
	CHECK_EQ(acpi_mcfg_parse(t, 44, &info), 0);                   /* empty: valid, no window */
	CHECK_EQ(info.ecam_count, 0);
}

int main(void)
{
	RUN(test_checksum);
	RUN(test_rsdp);
	RUN(test_table_check);
	RUN(test_madt);
	RUN(test_madt_broken);
	RUN(test_fadt_v1);
	RUN(test_fadt_x_fields);
	RUN(test_s5_encodings);
	RUN(test_s5_scan_rules);
	RUN(test_walk_xsdt);
	RUN(test_walk_fallbacks);
	RUN(test_mcfg);
	RUN(test_mcfg_broken);
	return check_done();
}
