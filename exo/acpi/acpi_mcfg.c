/*
 * MCFG decoding: the PCI Express memory-mapped configuration windows
 * (ECAM) the firmware set up.  Layout: PCI Firmware Specification 3.2,
 * 4.1.2 — the 36-byte header, 8 reserved bytes, then 16-byte entries
 * {u64 base, u16 segment, u8 start bus, u8 end bus, u32 reserved}.
 *
 * Validate then act: every entry is checked (whole entries only, a bus
 * range that is not empty or inverted, a 1 MiB-aligned base whose window
 * does not wrap) before any is copied; a table with a bad entry is
 * refused as a whole and the kernel falls back to the legacy ports.
 * Entries past ACPI_MAX_ECAM are ignored (counted nowhere: capOS reaches
 * segment 0 only).
 */
#include <stdint.h>
#include <capos/error.h>
#include "acpi_parse.h"

#define MCFG_ENTRIES 44u
#define MCFG_ENTRY_SIZE 16u
#define MCFG_BUS_SPAN (1ull << 20)            /* 32 devices x 8 functions x 4 KiB */
#define MCFG_PHYS_LIMIT (1ull << 52)

static int mcfg_check_entry(const uint8_t *e)
{
	uint64_t base = acpi_get64(e);
	uint8_t start = e[10], end = e[11];
	uint64_t span = ((uint64_t)(end - start) + 1) * MCFG_BUS_SPAN;

	if (end < start)
		return -CAPOS_EFORMAT;
	if (base == 0 || (base & (MCFG_BUS_SPAN - 1)) || base >= MCFG_PHYS_LIMIT ||
	    span > MCFG_PHYS_LIMIT - base)
		return -CAPOS_EFORMAT;
	return 0;
}

int acpi_mcfg_parse(const uint8_t *t, uint32_t len, struct acpi_info *info)
{
	uint32_t n;

	if (len < MCFG_ENTRIES)
		return -CAPOS_ETRUNC;
	if ((len - MCFG_ENTRIES) % MCFG_ENTRY_SIZE)
		return -CAPOS_ETRUNC;
	n = (len - MCFG_ENTRIES) / MCFG_ENTRY_SIZE;
	for (uint32_t i = 0; i < n; i++) {
		int err = mcfg_check_entry(t + MCFG_ENTRIES + i * MCFG_ENTRY_SIZE);

		if (err)
			return err;
	}
	info->ecam_count = 0;
	for (uint32_t i = 0; i < n && info->ecam_count < ACPI_MAX_ECAM; i++) {
		const uint8_t *e = t + MCFG_ENTRIES + i * MCFG_ENTRY_SIZE;

		info->ecam[info->ecam_count].base = acpi_get64(e);
		info->ecam[info->ecam_count].segment = acpi_get16(e + 8);
		info->ecam[info->ecam_count].bus_start = e[10];
		info->ecam[info->ecam_count].bus_end = e[11];
		info->ecam_count++;
	}
	return 0;
}
