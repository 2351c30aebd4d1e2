/*
 * MADT ("APIC") decoding: the local APIC address, the processors, the
 * IOAPICs and the legacy-IRQ overrides.  Layout: ACPI 6.5, 5.2.12.
 *
 * Two passes, validate then act: the first walks every entry checking
 * that it fits the table and is long enough for its type, with no
 * effects; only then does the second copy what capOS needs into the
 * info record.  Processors are counted when enabled (flag bit 0);
 * online-capable or disabled ones, and x2APIC ids above 255 (which
 * capOS's 8-bit id table cannot hold), are counted as not usable.
 */
#include <stddef.h>
#include <stdint.h>
#include <capos/error.h>
#include "acpi_parse.h"

#define MADT_LAPIC_ADDR 36
#define MADT_ENTRIES 44
#define MADT_LAPIC 0
#define MADT_IOAPIC 1
#define MADT_ISO 2
#define MADT_LAPIC_OVERRIDE 5
#define MADT_X2APIC 9
#define MADT_CPU_ENABLED 1u

static uint8_t madt_min_length(uint8_t type)
{
	switch (type) {
	case MADT_LAPIC: return 8;
	case MADT_IOAPIC: return 12;
	case MADT_ISO: return 10;
	case MADT_LAPIC_OVERRIDE: return 12;
	case MADT_X2APIC: return 16;
	default: return 2;  /* types capOS skips only need a sane length */
	}
}

static int madt_validate(const uint8_t *t, uint32_t len)
{
	uint32_t off = MADT_ENTRIES;

	if (len < MADT_ENTRIES)
		return -CAPOS_ETRUNC;
	while (off < len) {
		if (len - off < 2)
			return -CAPOS_ETRUNC;
		if (t[off + 1] < madt_min_length(t[off]))
			return -CAPOS_EFORMAT;
		if (t[off + 1] > len - off)
			return -CAPOS_ETRUNC;
		off += t[off + 1];
	}
	return 0;
}

static void madt_add_cpu(struct acpi_info *info, uint32_t apic_id, uint32_t flags)
{
	if (!(flags & MADT_CPU_ENABLED) || apic_id > 0xff) {
		info->cpu_disabled_count++;
		return;
	}
	for (uint32_t i = 0; i < info->cpu_count; i++)
		if (info->cpu_apic_id[i] == apic_id)
			return;  /* listed twice (LAPIC and x2APIC entries) */
	if (info->cpu_count < ACPI_MAX_CPUS)
		info->cpu_apic_id[info->cpu_count++] = (uint8_t)apic_id;
}

static void madt_add_ioapic(struct acpi_info *info, const uint8_t *e)
{
	if (info->ioapic_count >= ACPI_MAX_IOAPICS)
		return;
	info->ioapic[info->ioapic_count].id = e[2];
	info->ioapic[info->ioapic_count].phys = acpi_get32(e + 4);
	info->ioapic[info->ioapic_count].gsi_base = acpi_get32(e + 8);
	info->ioapic_count++;
}

static void madt_add_iso(struct acpi_info *info, const uint8_t *e)
{
	if (info->iso_count >= ACPI_MAX_ISOS)
		return;
	info->iso[info->iso_count].bus_irq = e[3];
	info->iso[info->iso_count].gsi = acpi_get32(e + 4);
	info->iso[info->iso_count].flags = acpi_get16(e + 8);
	info->iso_count++;
}

static void madt_apply(const uint8_t *e, struct acpi_info *info, uint64_t *lapic_override)
{
	switch (e[0]) {
	case MADT_LAPIC:
		madt_add_cpu(info, e[3], acpi_get32(e + 4));
		break;
	case MADT_X2APIC:
		madt_add_cpu(info, acpi_get32(e + 4), acpi_get32(e + 8));
		break;
	case MADT_IOAPIC:
		madt_add_ioapic(info, e);
		break;
	case MADT_ISO:
		madt_add_iso(info, e);
		break;
	case MADT_LAPIC_OVERRIDE:
		*lapic_override = acpi_get64(e + 4);
		break;
	default:
		break;
	}
}

int acpi_madt_parse(const uint8_t *t, uint32_t len, struct acpi_info *info)
{
	uint64_t lapic_override = 0;
	int err = madt_validate(t, len);

	if (err)
		return err;
	info->cpu_count = info->ioapic_count = info->iso_count = info->cpu_disabled_count = 0;
	for (uint32_t off = MADT_ENTRIES; off < len; off += t[off + 1])
		madt_apply(t + off, info, &lapic_override);
	info->lapic_phys = lapic_override ? lapic_override : acpi_get32(t + MADT_LAPIC_ADDR);
	return 0;
}
