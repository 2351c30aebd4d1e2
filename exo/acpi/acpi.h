/*
 * ACPI discovery (exo/acpi/): RSDP -> XSDT (or RSDT) -> MADT, FADT, HPET.
 * The kernel keeps only what it needs, copied into struct acpi_info; table
 * checksums and lengths are checked before anything is read from them.
 */
#ifndef EXO_ACPI_ACPI_H
#define EXO_ACPI_ACPI_H

#include <stdint.h>
#include <stdbool.h>

#define ACPI_MAX_CPUS 64
#define ACPI_MAX_IOAPICS 8
#define ACPI_MAX_TABLES 32
#define ACPI_MAX_ISOS 16
#define ACPI_MAX_ECAM 4

struct acpi_info {
	bool present;
	char oem_id[7];
	uint32_t table_count;
	uint64_t lapic_phys;
	uint32_t cpu_count;
	uint8_t cpu_apic_id[ACPI_MAX_CPUS];
	uint32_t ioapic_count;
	struct { uint8_t id; uint64_t phys; uint32_t gsi_base; } ioapic[ACPI_MAX_IOAPICS];
	/* FADT */
	uint32_t pm_timer_port;     /* 0 when absent */
	bool pm_timer_32bit;
	uint32_t pm1a_cnt_port, pm1b_cnt_port;
	uint16_t slp_typ_s5a, slp_typ_s5b;
	bool s5_known;
	uint64_t hpet_phys;         /* 0 when absent */

	/* Additions beyond the first contract. */
	uint8_t revision;           /* RSDP revision: 0 = ACPI 1.0 (RSDT), 2+ = XSDT */
	bool xsdt;                  /* the root table used was the XSDT */
	char table_sig[ACPI_MAX_TABLES][5];  /* first table_count signatures (capped) */
	uint32_t bad_table_count;   /* root entries skipped: unmappable, bad length or checksum */
	uint32_t cpu_disabled_count;  /* MADT processors neither enabled nor online-capable */
	uint32_t iso_count;         /* interrupt source overrides (legacy IRQ -> GSI) */
	struct { uint8_t bus_irq; uint32_t gsi; uint16_t flags; } iso[ACPI_MAX_ISOS];
	uint64_t dsdt_phys;         /* 0 when the FADT was absent */
	uint16_t sci_irq;
	uint32_t smi_cmd_port;      /* 0: no SMI command port (ACPI mode is fixed on) */
	uint8_t acpi_enable_value;  /* written to smi_cmd_port to enter ACPI mode */
	bool fadt_present, madt_present;
	/* MCFG: PCI Express enhanced configuration (ECAM) windows.  Each maps
	 * function (bus, dev, fn) of its segment at base + ((bus - bus_start) << 20
	 * | dev << 15 | fn << 12), 4 KiB per function. */
	uint32_t ecam_count;
	struct { uint64_t base; uint16_t segment; uint8_t bus_start, bus_end; } ecam[ACPI_MAX_ECAM];
	bool mcfg_present;
};

extern struct acpi_info acpi;

/* Parse the tables; returns 0, or a negative CAPOS_E* code when there is no usable ACPI. */
int acpi_init(uint64_t rsdp_phys);

/* Power the machine off through ACPI S5; returns only when that failed. */
void acpi_poweroff(void);

#endif
