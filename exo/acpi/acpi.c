/*
 * ACPI discovery in the kernel: runs the pure walk (acpi_parse.c) over
 * the direct map and publishes the result in `acpi`.
 *
 * ACPI tables live in RAM the firmware marked ACPI-reclaim or NVS, which
 * the direct map covers; the mapper still checks every page of a range
 * with vm_kernel_readable, so a bad pointer in a table is refused instead
 * of faulting.  The record is written once, by acpi_init on the boot CPU
 * before other CPUs or interrupts exist, and is read-only afterwards.
 */
#include <stdint.h>
#include <capos/error.h>
#include "acpi.h"
#include "acpi_parse.h"
#include "../kern/log.h"
#include "../lib/fmt.h"
#include "../mm/mm.h"

#define ACPI_PHYS_LIMIT (1ull << 52)  /* architectural maximum physical address */

struct acpi_info acpi;

static const uint8_t *acpi_map_direct(void *ctx, uint64_t phys, uint64_t len)
{
	(void)ctx;
	if (len == 0 || phys >= ACPI_PHYS_LIMIT || len > ACPI_PHYS_LIMIT - phys)
		return NULL;
	for (uint64_t page = phys & ~(PAGE_SIZE - 1); page < phys + len; page += PAGE_SIZE)
		if (!vm_kernel_readable((uint64_t)(uintptr_t)phys_to_virt(page)))
			return NULL;
	return phys_to_virt(phys);
}

static void acpi_log_tables(const struct acpi_info *a)
{
	char list[ACPI_MAX_TABLES * 5 + 1];
	size_t used = 0;
	uint32_t shown = a->table_count < ACPI_MAX_TABLES ? a->table_count : ACPI_MAX_TABLES;

	list[0] = '\0';
	for (uint32_t i = 0; i < shown; i++)
		used += ksnprintf(list + used, sizeof list - used, "%s%s", i ? " " : "", a->table_sig[i]);
	kinfo("acpi: OEM \"%s\", revision %u, %s with %u tables: %s%s", a->oem_id, a->revision,
	      a->xsdt ? "XSDT" : "RSDT", a->table_count, list, shown < a->table_count ? " ..." : "");
	if (a->bad_table_count)
		kwarn("acpi: %u tables skipped (unreadable, bad length or checksum, or malformed)",
		      a->bad_table_count);
}

static void acpi_log_madt(const struct acpi_info *a)
{
	if (!a->madt_present) {
		kwarn("acpi: no usable MADT; CPUs and IOAPICs unknown");
		return;
	}
	kinfo("acpi: MADT: LAPIC at 0x%llx, %u CPU%s enabled (%u not usable), %u IOAPIC%s",
	      (unsigned long long)a->lapic_phys, a->cpu_count, a->cpu_count == 1 ? "" : "s",
	      a->cpu_disabled_count, a->ioapic_count, a->ioapic_count == 1 ? "" : "s");
	for (uint32_t i = 0; i < a->ioapic_count; i++)
		kinfo("acpi: IOAPIC id %u at 0x%llx, GSI base %u", a->ioapic[i].id,
		      (unsigned long long)a->ioapic[i].phys, a->ioapic[i].gsi_base);
	for (uint32_t i = 0; i < a->iso_count; i++)
		kinfo("acpi: interrupt override: IRQ %u -> GSI %u, flags 0x%x", a->iso[i].bus_irq,
		      a->iso[i].gsi, a->iso[i].flags);
}

static void acpi_log_fadt(const struct acpi_info *a)
{
	if (!a->fadt_present) {
		kwarn("acpi: no usable FADT; no PM timer and no power-off");
		return;
	}
	kinfo("acpi: FADT: PM timer port 0x%x (%s), PM1a_CNT 0x%x, PM1b_CNT 0x%x, SCI IRQ %u",
	      a->pm_timer_port, a->pm_timer_32bit ? "32-bit" : "24-bit", a->pm1a_cnt_port,
	      a->pm1b_cnt_port, a->sci_irq);
	if (a->s5_known)
		kinfo("acpi: \\_S5: SLP_TYPa %u, SLP_TYPb %u", a->slp_typ_s5a, a->slp_typ_s5b);
	else
		kwarn("acpi: no \\_S5 package in the DSDT at 0x%llx; power-off unavailable",
		      (unsigned long long)a->dsdt_phys);
	if (a->hpet_phys)
		kinfo("acpi: HPET at 0x%llx", (unsigned long long)a->hpet_phys);
}

static void acpi_log_mcfg(const struct acpi_info *a)
{
	if (!a->mcfg_present) {
		kinfo("acpi: no MCFG; PCI configuration through the legacy ports");
		return;
	}
	for (uint32_t i = 0; i < a->ecam_count; i++)
		kinfo("acpi: MCFG: ECAM at 0x%llx, segment %u, buses %u-%u",
		      (unsigned long long)a->ecam[i].base, a->ecam[i].segment, a->ecam[i].bus_start,
		      a->ecam[i].bus_end);
}

int acpi_init(uint64_t rsdp_phys)
{
	static struct acpi_info scratch;  /* too big for a kernel stack frame */
	const struct acpi_mem mem = { acpi_map_direct, NULL };
	int err;

	if (rsdp_phys == 0)
		return -CAPOS_ENOENT;
	err = acpi_parse(&mem, rsdp_phys, &scratch);
	if (err)
		return err;
	scratch.present = true;
	acpi = scratch;
	acpi_log_tables(&acpi);
	acpi_log_madt(&acpi);
	acpi_log_fadt(&acpi);
	acpi_log_mcfg(&acpi);
	return 0;
}
