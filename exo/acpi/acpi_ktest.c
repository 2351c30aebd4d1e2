/*
 * In-kernel ACPI tests: the tables of the machine we booted on were
 * found and decoded (test=acpi), and the machine can switch itself off
 * (test=shutdown: QEMU then exits with status 0).
 */
#include <stdint.h>
#include "acpi.h"
#include "../kern/ktest.h"
#include "../kern/log.h"

/* On QEMU q35: MADT with >= 1 CPU and an IOAPIC, a FADT with a PM timer, \_S5 decoded. */
KTEST(acpi)
{
	KTEST_CHECK(acpi.present, "no ACPI tables were parsed");
	KTEST_CHECK(acpi.madt_present && acpi.fadt_present, "MADT %s, FADT %s",
		    acpi.madt_present ? "found" : "missing", acpi.fadt_present ? "found" : "missing");
	KTEST_CHECK(acpi.cpu_count >= 1, "the MADT lists no enabled CPU");
	KTEST_CHECK(acpi.ioapic_count >= 1, "the MADT lists no IOAPIC");
	KTEST_CHECK(acpi.lapic_phys != 0, "no local APIC address");
	KTEST_CHECK(acpi.pm_timer_port != 0, "the FADT names no PM timer");
	KTEST_CHECK(acpi.pm1a_cnt_port != 0, "the FADT names no PM1a control block");
	KTEST_CHECK(acpi.s5_known, "\\_S5 not found in the DSDT");
	kinfo("ktest acpi: OEM \"%s\", %u tables, %u CPU(s), %u IOAPIC(s), PM timer 0x%x, PM1a_CNT 0x%x, "
	      "S5 %u/%u, HPET 0x%llx", acpi.oem_id, acpi.table_count, acpi.cpu_count, acpi.ioapic_count,
	      acpi.pm_timer_port, acpi.pm1a_cnt_port, acpi.slp_typ_s5a, acpi.slp_typ_s5b,
	      (unsigned long long)acpi.hpet_phys);
	return 0;
}

/* Power off through S5; reaching the return means it failed. */
KTEST(shutdown)
{
	kinfo("ktest shutdown: calling acpi_poweroff");
	acpi_poweroff();
	kerror("ktest shutdown: acpi_poweroff returned");
	return -1;
}
