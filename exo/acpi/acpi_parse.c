/*
 * ACPI discovery walk (see acpi_parse.h): RSDP, root table (XSDT or
 * RSDT), the per-table checks, and dispatch to the decoders for the
 * tables capOS uses.  The HPET table is small enough to decode here.
 *
 * Layouts: ACPI 6.5, 5.2.5 (RSDP), 5.2.6 (header), 5.2.7-8 (RSDT/XSDT);
 * IA-PC HPET specification 1.0a, 3.2.4 (HPET table).
 */
#include <stddef.h>
#include <stdint.h>
#include <capos/error.h>
#include "acpi_parse.h"

#define RSDP_SIGNATURE "RSD PTR "
#define RSDP_OEM_ID 9
#define RSDP_REVISION 15
#define RSDP_RSDT 16
#define RSDP_LENGTH 20
#define RSDP_XSDT 24
#define RSDP_MAX_LENGTH 4096u
#define HDR_LENGTH 4
#define HPET_ADDRESS_GAS 40
#define HPET_MIN_LENGTH 56u
#define GAS_SPACE_MEMORY 0

uint8_t acpi_checksum(const uint8_t *p, size_t len)
{
	uint8_t sum = 0;

	for (size_t i = 0; i < len; i++)
		sum = (uint8_t)(sum + p[i]);
	return sum;
}

static bool acpi_sig_is(const uint8_t *p, const char *sig, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != (uint8_t)sig[i])
			return false;
	return true;
}

int acpi_rsdp_parse(const uint8_t *p, size_t avail, struct acpi_rsdp *out)
{
	uint32_t length;

	if (avail < ACPI_RSDP_V1_SIZE)
		return -CAPOS_ETRUNC;
	if (!acpi_sig_is(p, RSDP_SIGNATURE, 8) || acpi_checksum(p, ACPI_RSDP_V1_SIZE) != 0)
		return -CAPOS_EFORMAT;
	*out = (struct acpi_rsdp){ .revision = p[RSDP_REVISION], .rsdt_phys = acpi_get32(p + RSDP_RSDT) };
	for (int i = 0; i < 6; i++)
		out->oem_id[i] = (char)p[RSDP_OEM_ID + i];
	out->oem_id[6] = '\0';
	if (out->revision < 2)
		return 0;
	if (avail < ACPI_RSDP_V2_SIZE)
		return -CAPOS_ETRUNC;
	length = acpi_get32(p + RSDP_LENGTH);
	if (length < ACPI_RSDP_V2_SIZE || length > RSDP_MAX_LENGTH)
		return -CAPOS_EFORMAT;
	if (length > avail)
		return -CAPOS_ETRUNC;
	if (acpi_checksum(p, length) != 0)
		return -CAPOS_EFORMAT;
	out->xsdt_phys = acpi_get64(p + RSDP_XSDT);
	return 0;
}

int acpi_table_check(const uint8_t *p, size_t avail, const char *sig)
{
	uint32_t length;

	if (avail < ACPI_HEADER_SIZE)
		return -CAPOS_ETRUNC;
	if (sig && !acpi_sig_is(p, sig, 4))
		return -CAPOS_EFORMAT;
	length = acpi_get32(p + HDR_LENGTH);
	if (length < ACPI_HEADER_SIZE || length > ACPI_TABLE_MAX_SIZE)
		return -CAPOS_EFORMAT;
	if (length > avail)
		return -CAPOS_ETRUNC;
	return acpi_checksum(p, length) == 0 ? 0 : -CAPOS_EFORMAT;
}

/* Map the header first to learn the length, then the whole table. */
int acpi_table_map(const struct acpi_mem *mem, uint64_t phys, const char *sig,
		   const uint8_t **out, uint32_t *len)
{
	const uint8_t *p;
	uint32_t length;
	int err;

	if (phys == 0)
		return -CAPOS_ENOENT;
	p = mem->map(mem->ctx, phys, ACPI_HEADER_SIZE);
	if (!p)
		return -CAPOS_EFAULT;
	length = acpi_get32(p + HDR_LENGTH);
	if (length < ACPI_HEADER_SIZE || length > ACPI_TABLE_MAX_SIZE)
		return -CAPOS_EFORMAT;
	p = mem->map(mem->ctx, phys, length);
	if (!p)
		return -CAPOS_EFAULT;
	err = acpi_table_check(p, length, sig);
	if (err)
		return err;
	*out = p;
	*len = length;
	return 0;
}

int acpi_hpet_parse(const uint8_t *t, uint32_t len, struct acpi_info *info)
{
	const uint8_t *gas = t + HPET_ADDRESS_GAS;
	uint64_t address;

	if (len < HPET_MIN_LENGTH)
		return -CAPOS_ETRUNC;
	address = acpi_get64(gas + 4);
	if (gas[0] != GAS_SPACE_MEMORY || address == 0)
		return -CAPOS_EFORMAT;
	info->hpet_phys = address;
	return 0;
}

static int acpi_read_rsdp(const struct acpi_mem *mem, uint64_t phys, struct acpi_rsdp *rsdp)
{
	const uint8_t *p = mem->map(mem->ctx, phys, ACPI_RSDP_V1_SIZE);
	uint32_t length;

	if (!p)
		return -CAPOS_EFAULT;
	if (p[RSDP_REVISION] >= 2) {
		length = acpi_get32(p + RSDP_LENGTH);
		if (length < ACPI_RSDP_V2_SIZE || length > RSDP_MAX_LENGTH)
			return -CAPOS_EFORMAT;
		p = mem->map(mem->ctx, phys, length);
		if (!p)
			return -CAPOS_EFAULT;
		return acpi_rsdp_parse(p, length, rsdp);
	}
	return acpi_rsdp_parse(p, ACPI_RSDP_V1_SIZE, rsdp);
}

/* The DSDT is optional for discovery: without it S5 is simply unknown. */
static void acpi_read_s5(const struct acpi_mem *mem, struct acpi_info *info)
{
	const uint8_t *dsdt;
	uint32_t len;

	if (acpi_table_map(mem, info->dsdt_phys, "DSDT", &dsdt, &len) != 0)
		return;
	info->s5_known = acpi_s5_find(dsdt + ACPI_HEADER_SIZE, len - ACPI_HEADER_SIZE,
				      &info->slp_typ_s5a, &info->slp_typ_s5b) == 0;
}

static void acpi_decode_table(const struct acpi_mem *mem, const uint8_t *t, uint32_t len,
			      struct acpi_info *info)
{
	int err = 0;

	if (acpi_sig_is(t, "APIC", 4) && !info->madt_present) {
		err = acpi_madt_parse(t, len, info);
		info->madt_present = err == 0;
	} else if (acpi_sig_is(t, "FACP", 4) && !info->fadt_present) {
		err = acpi_fadt_parse(t, len, info);
		info->fadt_present = err == 0;
		if (!err)
			acpi_read_s5(mem, info);
	} else if (acpi_sig_is(t, "HPET", 4) && !info->hpet_phys) {
		err = acpi_hpet_parse(t, len, info);
	} else if (acpi_sig_is(t, "MCFG", 4) && !info->mcfg_present) {
		err = acpi_mcfg_parse(t, len, info);
		info->mcfg_present = err == 0;
	}
	if (err)
		info->bad_table_count++;
}

static void acpi_record_sig(struct acpi_info *info, uint32_t index, const uint8_t *t)
{
	if (index >= ACPI_MAX_TABLES)
		return;
	for (int i = 0; i < 4; i++)
		info->table_sig[index][i] = (char)t[i];
	info->table_sig[index][4] = '\0';
}

static void acpi_walk_root(const struct acpi_mem *mem, const uint8_t *root, uint32_t len,
			   uint32_t entry_size, struct acpi_info *info)
{
	uint32_t count = (len - ACPI_HEADER_SIZE) / entry_size;

	info->table_count = count;
	for (uint32_t i = 0; i < count; i++) {
		const uint8_t *e = root + ACPI_HEADER_SIZE + (size_t)i * entry_size;
		uint64_t phys = entry_size == 8 ? acpi_get64(e) : acpi_get32(e);
		const uint8_t *t = phys ? mem->map(mem->ctx, phys, ACPI_HEADER_SIZE) : NULL;
		uint32_t tlen;

		/* The signature is recorded even for a table that fails its checks, for the log. */
		acpi_record_sig(info, i, t ? t : (const uint8_t *)"????");
		if (acpi_table_map(mem, phys, NULL, &t, &tlen) != 0) {
			info->bad_table_count++;
			continue;
		}
		acpi_decode_table(mem, t, tlen, info);
	}
}

int acpi_parse(const struct acpi_mem *mem, uint64_t rsdp_phys, struct acpi_info *info)
{
	struct acpi_rsdp rsdp;
	const uint8_t *root;
	uint32_t len;
	int err;

	*info = (struct acpi_info){ 0 };
	err = acpi_read_rsdp(mem, rsdp_phys, &rsdp);
	if (err)
		return err;
	info->revision = rsdp.revision;
	for (int i = 0; i < 7; i++)
		info->oem_id[i] = rsdp.oem_id[i];
	err = rsdp.xsdt_phys ? acpi_table_map(mem, rsdp.xsdt_phys, "XSDT", &root, &len) : -CAPOS_ENOENT;
	if (err == 0) {
		info->xsdt = true;
		acpi_walk_root(mem, root, len, 8, info);
		return 0;
	}
	err = acpi_table_map(mem, rsdp.rsdt_phys, "RSDT", &root, &len);
	if (err)
		return err;
	acpi_walk_root(mem, root, len, 4, info);
	return 0;
}
