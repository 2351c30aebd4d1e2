/*
 * Pure ACPI table parsing over byte buffers: no kernel services, no
 * globals, so the same code runs in the kernel and in host unit tests
 * (tests/host/arch) against synthetic tables.
 *
 * Physical memory is reached through a caller-supplied struct acpi_mem:
 * map(ctx, phys, len) returns a readable view of [phys, phys + len) or
 * NULL.  The kernel maps through the direct map; tests through an array.
 * Nothing read from firmware is trusted: every table's signature, length
 * and checksum is checked before its body is read, and every entry is
 * bounds-checked against its table.
 *
 * Errors: -CAPOS_EFORMAT (bad signature, checksum or layout),
 * -CAPOS_ETRUNC (a structure runs past its table), -CAPOS_ENOENT (not
 * present), -CAPOS_EFAULT (map refused the address range).
 */
#ifndef EXO_ACPI_PARSE_H
#define EXO_ACPI_PARSE_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>
#include "acpi.h"

#define ACPI_HEADER_SIZE     36u
#define ACPI_RSDP_V1_SIZE    20u
#define ACPI_RSDP_V2_SIZE    36u
#define ACPI_TABLE_MAX_SIZE  (16u << 20)  /* sanity bound on a table's length field */

struct acpi_mem {
	const uint8_t *(*map)(void *ctx, uint64_t phys, uint64_t len);
	void *ctx;
};

struct acpi_rsdp {
	uint8_t revision;
	char oem_id[7];
	uint64_t rsdt_phys;   /* 0 when absent */
	uint64_t xsdt_phys;   /* 0 for revision < 2 */
};

/* Little-endian field readers: tables have no alignment guarantee. */
static inline uint16_t acpi_get16(const uint8_t *p) { return (uint16_t)(p[0] | (p[1] << 8)); }
static inline uint32_t acpi_get32(const uint8_t *p)
{
	return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}
static inline uint64_t acpi_get64(const uint8_t *p)
{
	return (uint64_t)acpi_get32(p) | ((uint64_t)acpi_get32(p + 4) << 32);
}

/* Sum of len bytes modulo 256: 0 for a valid ACPI structure. */
uint8_t acpi_checksum(const uint8_t *p, size_t len);

/* Parse the RSDP in p[0..avail); revision 2+ needs its full length and extended checksum. */
int acpi_rsdp_parse(const uint8_t *p, size_t avail, struct acpi_rsdp *out);

/* Check a table header: sig (NULL = any), length within [36, avail], checksum. */
int acpi_table_check(const uint8_t *p, size_t avail, const char *sig);

/* Map the table at phys, check it (sig as above) and return its bytes and length. */
int acpi_table_map(const struct acpi_mem *mem, uint64_t phys, const char *sig,
		   const uint8_t **out, uint32_t *len);

/* Table bodies (checked tables only).  Each writes info only when the whole table is valid. */
int acpi_madt_parse(const uint8_t *t, uint32_t len, struct acpi_info *info);
int acpi_fadt_parse(const uint8_t *t, uint32_t len, struct acpi_info *info);
int acpi_hpet_parse(const uint8_t *t, uint32_t len, struct acpi_info *info);
int acpi_mcfg_parse(const uint8_t *t, uint32_t len, struct acpi_info *info);

/*
 * Find "Name(_S5_, Package(){...})" in AML and decode SLP_TYPa/SLP_TYPb
 * (integers as ZeroOp, OneOp, OnesOp or Byte/Word/DWord/QWordPrefix).
 * A one-element package gives SLP_TYPb = SLP_TYPa.
 */
int acpi_s5_find(const uint8_t *aml, size_t len, uint16_t *slp_typ_a, uint16_t *slp_typ_b);

/*
 * The whole walk: RSDP at rsdp_phys -> XSDT (preferred; RSDT when the XSDT
 * is missing or broken) -> every table it lists; MADT, FADT (+ DSDT for
 * \_S5) and HPET are decoded into *info, which is zeroed first.  Returns 0
 * when the RSDP and a root table were valid (broken or missing tables are
 * counted in info, not fatal), else a negative code.  info->present is
 * left to the caller.
 */
int acpi_parse(const struct acpi_mem *mem, uint64_t rsdp_phys, struct acpi_info *info);

#endif
