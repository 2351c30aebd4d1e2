/*
 * Soft-off (S5) through the FADT's PM1 control registers.
 *
 * Sequence (ACPI 6.5, 7.4.2 and 4.8.3.2.1): make sure the machine is in
 * ACPI mode (SCI_EN; if not, write ACPI_ENABLE to the SMI command port
 * and wait for it, bounded), then write SLP_TYPx with SLP_EN clear and
 * again with SLP_EN set, to PM1a and, when present, PM1b.  Other bits of
 * PM1_CNT are preserved.  If the machine is still running after a
 * bounded wait, the attempt failed: say so and return.  There is no
 * chipset-specific fallback.
 */
#include <stdint.h>
#include "acpi.h"
#include "../arch/x86_64/cpu.h"
#include "../kern/clock.h"
#include "../kern/log.h"

#define PM1_SCI_EN (1u << 0)
#define PM1_SLP_TYP_SHIFT 10
#define PM1_SLP_TYP_MASK (7u << PM1_SLP_TYP_SHIFT)
#define PM1_SLP_EN (1u << 13)
#define ACPI_ENABLE_POLLS 1000000u
#define POWEROFF_WAIT_NS 2000000000ull   /* 2 s */
#define POWEROFF_WAIT_SPINS 500000000ull /* when the TSC is not calibrated */

static int acpi_enter_acpi_mode(void)
{
	if (inw((uint16_t)acpi.pm1a_cnt_port) & PM1_SCI_EN)
		return 0;
	if (!acpi.smi_cmd_port || !acpi.acpi_enable_value)
		return -1;
	outb((uint16_t)acpi.smi_cmd_port, acpi.acpi_enable_value);
	for (uint32_t i = 0; i < ACPI_ENABLE_POLLS; i++) {
		if (inw((uint16_t)acpi.pm1a_cnt_port) & PM1_SCI_EN) {
			kinfo("acpi: switched to ACPI mode (SMI command 0x%x <- 0x%x)",
			      acpi.smi_cmd_port, acpi.acpi_enable_value);
			return 0;
		}
		cpu_relax();
	}
	return -1;
}

/* PM1x_CNT with SLP_TYP replaced and SLP_EN clear; 0 when the block is absent. */
static uint16_t acpi_sleep_value(uint32_t port, uint16_t slp_typ)
{
	if (!port)
		return 0;
	return (uint16_t)((inw((uint16_t)port) & ~(PM1_SLP_TYP_MASK | PM1_SLP_EN)) |
			  ((slp_typ << PM1_SLP_TYP_SHIFT) & PM1_SLP_TYP_MASK));
}

/* Both blocks get SLP_TYP first, then SLP_EN (the order ACPI specifies for split blocks). */
static void acpi_write_sleep(uint16_t slp_typ_a, uint16_t slp_typ_b)
{
	uint16_t a = acpi_sleep_value(acpi.pm1a_cnt_port, slp_typ_a);
	uint16_t b = acpi_sleep_value(acpi.pm1b_cnt_port, slp_typ_b);

	outw((uint16_t)acpi.pm1a_cnt_port, a);
	if (acpi.pm1b_cnt_port)
		outw((uint16_t)acpi.pm1b_cnt_port, b);
	outw((uint16_t)acpi.pm1a_cnt_port, a | PM1_SLP_EN);
	if (acpi.pm1b_cnt_port)
		outw((uint16_t)acpi.pm1b_cnt_port, b | PM1_SLP_EN);
}

static void acpi_wait_for_off(void)
{
	uint64_t start = clock_ns();

	if (tsc_hz()) {
		while (clock_ns() - start < POWEROFF_WAIT_NS)
			cpu_relax();
		return;
	}
	for (uint64_t i = 0; i < POWEROFF_WAIT_SPINS; i++)
		cpu_relax();
}

void acpi_poweroff(void)
{
	uint64_t flags;

	if (!acpi.present || !acpi.fadt_present || !acpi.pm1a_cnt_port || !acpi.s5_known) {
		kerror("acpi: cannot power off: %s", !acpi.present ? "no ACPI tables" :
		       !acpi.fadt_present ? "no FADT" : !acpi.pm1a_cnt_port ? "no PM1a control block" :
		       "no \\_S5 sleep type");
		return;
	}
	kinfo("acpi: powering off (S5: SLP_TYPa %u, SLP_TYPb %u, PM1a_CNT 0x%x)", acpi.slp_typ_s5a,
	      acpi.slp_typ_s5b, acpi.pm1a_cnt_port);
	flags = irq_save();
	if (acpi_enter_acpi_mode() != 0)
		kwarn("acpi: SCI_EN is clear and ACPI mode could not be enabled; trying anyway");
	acpi_write_sleep(acpi.slp_typ_s5a, acpi.slp_typ_s5b);
	acpi_wait_for_off();
	irq_restore(flags);
	kerror("acpi: power-off failed: the machine is still running after writing SLP_EN");
}
